/* plan-proctime.c: recognising a processing-time window in the physical plan. A window
 * TVF (or a legacy group window) over a PROCTIME() column is planned like an event-time
 * one; what differs is only how its windows fire: by the clock of the window aggregate's
 * subtask rather than by the watermark. The physical plan carries no flag for it: the
 * WINDOW node's time column is followed down through the CALCs below it to the
 * CURRENT_TIMESTAMP call that PROCTIME() binds to. The optimizer asks (to route rows by the
 * group keys only) and so does the engine (to pick the processing-time operator), so the
 * question is answered once, here. */
#include "plan-node.h"

/* The WINDOW node at or below node, following first inputs through CALCs and window
 * aggregates. */
static const PlanPhysNode *
window_below (const PlanPhysNode *node)
{
  while (node != NULL && node->kind != PLAN_PHYS_WINDOW)
    {
      if ((node->kind != PLAN_PHYS_CALC && node->kind != PLAN_PHYS_WINDOW_AGGREGATE)
          || node->n_inputs != 1)
        return NULL;
      node = node->inputs[0].node;
    }
  return node;
}

gboolean
plan_phys_is_proctime_window (const PlanPhysNode *node)
{
  const PlanPhysNode *w = window_below (node), *n;
  guint col;

  if (w == NULL || w->n_inputs != 1)
    return FALSE;
  col = w->u.window.time_col;
  for (n = w->inputs[0].node; n->kind == PLAN_PHYS_CALC && n->n_inputs == 1;
       n = n->inputs[0].node)
    {
      const PlanExpr *e;

      if (n->u.calc.n_exprs == 0)
        continue; /* a filter alone: columns unchanged */
      if (col >= n->u.calc.n_exprs)
        return FALSE;
      e = n->u.calc.exprs[col];
      if (e->kind == PLAN_EXPR_CALL)
        return e->u.call.func == PLAN_FUNC_CURRENT_TIMESTAMP;
      if (e->kind != PLAN_EXPR_COLUMN)
        return FALSE;
      col = e->u.column;
    }
  return FALSE;
}
