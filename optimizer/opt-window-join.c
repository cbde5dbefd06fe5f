/* opt-window-join.c: the physical rules for window joins and lookup joins.
 *
 * Window join (Flink's WindowJoin). In streaming mode a join of two insert-only inputs
 * whose keys equate window_start and window_end of the same windows on both sides
 * (plan_join_window_keys) becomes a WINDOW_JOIN instead of the regular streaming JOIN:
 * the engine keeps each window's rows until the watermark passes its end, joins them then
 * and forgets them, so the output is insert-only for every join type and the state does
 * not grow. The keys are reordered so window_start and window_end come first: that is how
 * the engine and EXPLAIN find them without a field of their own in the plan. In batch mode
 * the ordinary join is just as right (the window columns are plain keys) and stays.
 *
 * Lookup join (`JOIN dim FOR SYSTEM_TIME AS OF l.proctime`, marked by the binder with the
 * LOOKUP hint on the right side): in either mode a LOOKUP_JOIN whose right input, the
 * dimension table's bounded scan, is broadcast to every subtask of the join, which runs
 * at the left input's parallelism and reads its left input only once the table has been
 * read whole (rt-op-lookup-join.c, which also reloads it after 'lookup.join.cache.ttl').
 * Only INNER and LEFT joins with at least one equality on the table are accepted, as in
 * Flink. */
#include "optimizer/opt-private.h"

#include <string.h>

/* Moves keys start and end to positions 0 and 1, keeping the others' order. */
static void
keys_first (PlanJoin *j, guint start, guint end)
{
  g_autofree guint *l = g_new (guint, j->n_keys);
  g_autofree guint *r = g_new (guint, j->n_keys);
  guint n = 2;

  l[0] = j->left_keys[start];
  r[0] = j->right_keys[start];
  l[1] = j->left_keys[end];
  r[1] = j->right_keys[end];
  for (guint k = 0; k < j->n_keys; k++)
    if (k != start && k != end)
      {
        l[n] = j->left_keys[k];
        r[n++] = j->right_keys[k];
      }
  memcpy (j->left_keys, l, j->n_keys * sizeof (guint));
  memcpy (j->right_keys, r, j->n_keys * sizeof (guint));
}

PlanPhysKind
opt__window_join_kind (const PlanNode *node, const PlanPhysNode *left,
                       const PlanPhysNode *right, PlanJoin *j)
{
  guint start, end;

  if (left->updating || right->updating || !plan_join_window_keys (node, &start, &end))
    return PLAN_PHYS_JOIN;
  /* windows of PROCTIME() close by the clock, not the watermark this operator fires on:
   * as in Flink, only event-time windows make a window join */
  if (plan_phys_is_proctime_window (left) || plan_phys_is_proctime_window (right))
    return PLAN_PHYS_JOIN;
  keys_first (j, start, end);
  return PLAN_PHYS_WINDOW_JOIN;
}

/* Drops the planned inputs (the caller handed them over) and returns NULL. */
static PlanPhysNode *
lookup_failed (PlanPhysNode *left, PlanPhysNode *right)
{
  plan_phys_node_unref (left);
  plan_phys_node_unref (right);
  return NULL;
}

PlanPhysNode *
opt__plan_lookup_join (PlanNode *node, PlanPhysNode *left, PlanPhysNode *right,
                       GError **error)
{
  const PlanJoin *lj = &node->u.join;
  const PlanPhysNode *scan;
  PlanPhysNode *join;

  if (lj->type != PLAN_JOIN_INNER && lj->type != PLAN_JOIN_LEFT)
    {
      g_set_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED, "%u:%u: a lookup join (FOR "
                   "SYSTEM_TIME AS OF) must be an INNER or LEFT join", node->span.line,
                   node->span.col);
      return lookup_failed (left, right);
    }
  if (lj->n_keys == 0)
    {
      g_set_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED, "%u:%u: a lookup join needs an "
                   "equality between a column of the looked-up table and the other side "
                   "in its ON clause", node->span.line, node->span.col);
      return lookup_failed (left, right);
    }
  if (left->updating)
    {
      g_set_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED, "%u:%u: the lookup join's "
                   "left input is an updating (changelog) stream; strom looks up only "
                   "insert-only rows", node->span.line, node->span.col);
      return lookup_failed (left, right);
    }
  for (scan = right; scan->kind == PLAN_PHYS_CALC; scan = scan->inputs[0].node)
    ;
  if (right->updating || scan->kind != PLAN_PHYS_SOURCE)
    {
      g_set_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED, "%u:%u: the table of a lookup "
                   "join must be read by a plain scan (filters and projections only)",
                   node->span.line, node->span.col);
      return lookup_failed (left, right);
    }
  join = plan_phys_node_new (PLAN_PHYS_LOOKUP_JOIN, plan_schema_ref (node->schema),
                             node->span, left->parallelism);
  plan_join_copy (&join->u.join, lj);
  g_clear_pointer (&join->u.join.alternative, g_free);
  join->u.join.strategy = PLAN_JOIN_STRATEGY_BROADCAST;
  join->u.join.build_side = 1;
  join->est_rows = left->est_rows;
  plan_phys_node_add_input (join, left, PLAN_EXCHANGE_FORWARD, 0, NULL);
  plan_phys_node_add_input (join, right, right->parallelism == 1 && join->parallelism == 1
                            ? PLAN_EXCHANGE_FORWARD : PLAN_EXCHANGE_BROADCAST, 0, NULL);
  return join;
}
