/* plan-interval-join.c: recognising an interval join (Flink's time-windowed join) in a
 * join's condition:
 *   a.ts BETWEEN b.ts - INTERVAL '1' HOUR AND b.ts
 *   a.ts >= b.ts - INTERVAL '1' HOUR AND a.ts <= b.ts      (and <, >, either side first)
 * The binder has already split ON into equi-keys and a residual; here the residual's
 * conjuncts are searched for a lower and an upper bound of one left time column against
 * one right time column, each `col [+|- INTERVAL]`, and the pair is normalised to
 *   right_time + lower <= left_time <= right_time + upper   (ms; < and > move by 1 ms).
 *
 * It lives in plans/ because three layers ask the same question: the binder (an interval
 * join's time columns stay time attributes, so a window can follow it), the optimizer
 * (plans the interval join operator instead of the regular streaming join) and the engine
 * (how long each side's rows are kept). The bounds stay in the residual too, so matching
 * uses the one compiled condition and the plan needs no new fields.
 *
 * A logical JOIN is an interval join only when both time columns are time attributes of
 * its inputs (plan_join_is_interval): the engine expires state by the watermark, which
 * is only meaningful against the columns the watermark was declared for. */
#include "plan-sql-private.h"

/* e as `column + c` (c in ms): a bare TIMESTAMP column, or one plus/minus an INTERVAL
 * literal. */
static gboolean
time_operand (const PlanExpr *e, guint *col, gint64 *c)
{
  const PlanExpr *lit;

  if (e->kind == PLAN_EXPR_COLUMN && e->type.kind == PLAN_TYPE_TIMESTAMP)
    {
      *col = e->u.column;
      *c = 0;
      return TRUE;
    }
  if (e->kind != PLAN_EXPR_CALL || e->u.call.n_args != 2
      || (e->u.call.func != PLAN_FUNC_ADD && e->u.call.func != PLAN_FUNC_SUB))
    return FALSE;
  lit = e->u.call.args[1];
  if (e->u.call.args[0]->kind != PLAN_EXPR_COLUMN
      || e->u.call.args[0]->type.kind != PLAN_TYPE_TIMESTAMP
      || lit->kind != PLAN_EXPR_LITERAL || lit->type.kind != PLAN_TYPE_INTERVAL
      || lit->u.literal.is_null)
    return FALSE;
  *col = e->u.call.args[0]->u.column;
  *c = e->u.call.func == PLAN_FUNC_ADD ? lit->u.literal.v.i : -lit->u.literal.v.i;
  return TRUE;
}

typedef struct {
  guint n_left;
  gboolean have_lower, have_upper;
  PlanIntervalBounds b;
} Search;

/* Records `a op b` (func one of LT, LE, GT, GE) when it bounds a left time column by a
 * right one. */
static void
add_bound (Search *s, PlanFunc func, const PlanExpr *a, const PlanExpr *b)
{
  guint ca, cb, lt, rt;
  gint64 da, db, d;
  gboolean left_first;

  if (!time_operand (a, &ca, &da) || !time_operand (b, &cb, &db))
    return;
  if ((ca < s->n_left) == (cb < s->n_left))
    return; /* both on one side */
  left_first = ca < s->n_left;
  lt = left_first ? ca : cb;
  rt = (left_first ? cb : ca) - s->n_left;
  if (!left_first) /* b op a: flip so the left column is first */
    func = func == PLAN_FUNC_LT ? PLAN_FUNC_GT : func == PLAN_FUNC_LE ? PLAN_FUNC_GE
           : func == PLAN_FUNC_GT ? PLAN_FUNC_LT : PLAN_FUNC_LE;
  /* lt + dl op rt + dr  =>  lt op rt + (dr - dl) */
  d = left_first ? db - da : da - db;
  if ((s->have_lower || s->have_upper) && (s->b.left_time != lt || s->b.right_time != rt))
    return; /* another pair of columns: the first pair found wins */
  s->b.left_time = lt;
  s->b.right_time = rt;
  if (func == PLAN_FUNC_GT || func == PLAN_FUNC_GE)
    {
      d += func == PLAN_FUNC_GT ? 1 : 0;
      s->b.lower_ms = s->have_lower ? MAX (s->b.lower_ms, d) : d;
      s->have_lower = TRUE;
    }
  else
    {
      d -= func == PLAN_FUNC_LT ? 1 : 0;
      s->b.upper_ms = s->have_upper ? MIN (s->b.upper_ms, d) : d;
      s->have_upper = TRUE;
    }
}

static void
search (Search *s, const PlanExpr *e)
{
  PlanFunc f;

  if (e->kind != PLAN_EXPR_CALL)
    return;
  f = e->u.call.func;
  if (f == PLAN_FUNC_AND)
    for (guint i = 0; i < e->u.call.n_args; i++)
      search (s, e->u.call.args[i]);
  else if (f == PLAN_FUNC_LT || f == PLAN_FUNC_LE || f == PLAN_FUNC_GT || f == PLAN_FUNC_GE)
    add_bound (s, f, e->u.call.args[0], e->u.call.args[1]);
  else if (f == PLAN_FUNC_BETWEEN) /* x BETWEEN lo AND hi: x >= lo AND x <= hi */
    {
      add_bound (s, PLAN_FUNC_GE, e->u.call.args[0], e->u.call.args[1]);
      add_bound (s, PLAN_FUNC_LE, e->u.call.args[0], e->u.call.args[2]);
    }
}

gboolean
plan_join_interval_bounds (const PlanJoin *join, guint n_left, PlanIntervalBounds *out)
{
  Search s = { 0 };

  if (join->residual == NULL)
    return FALSE;
  s.n_left = n_left;
  search (&s, join->residual);
  if (!s.have_lower || !s.have_upper || s.b.lower_ms > s.b.upper_ms)
    return FALSE;
  *out = s.b;
  return TRUE;
}

gboolean
plan_join_is_interval (const PlanNode *join, PlanIntervalBounds *out)
{
  PlanIntervalBounds b;

  if (join->kind != PLAN_NODE_JOIN || join->n_inputs != 2
      || !plan_join_interval_bounds (&join->u.join, join->inputs[0]->schema->n_fields, &b)
      || !plan__is_rowtime (join->inputs[0], b.left_time)
      || !plan__is_rowtime (join->inputs[1], b.right_time))
    return FALSE;
  if (out != NULL)
    *out = b;
  return TRUE;
}

void
plan_interval_join_describe (GString *out, const PlanPhysNode *n)
{
  g_autofree char *label = plan_phys_node_label (n);
  PlanIntervalBounds b;
  guint n_left = n->inputs[0].node->schema->n_fields;

  plan_join_describe (out, label, &n->u.join, n->inputs[0].node->schema,
                      n->inputs[1].node->schema, n->schema);
  if (!plan_join_interval_bounds (&n->u.join, n_left, &b) || out->len == 0
      || out->str[out->len - 1] != ')')
    return;
  g_string_truncate (out, out->len - 1);
  g_string_append_printf (out, ", windowBounds=[isRowTime=true, leftLowerBound=%"
                          G_GINT64_FORMAT ", leftUpperBound=%" G_GINT64_FORMAT
                          ", leftTimeIndex=%u, rightTimeIndex=%u])", b.lower_ms, b.upper_ms,
                          b.left_time, b.right_time);
}
