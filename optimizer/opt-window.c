/* opt-window.c: the optimizer's part of window TVFs: the verifier's check of a WINDOW
 * node, and the physical rules
 *   WINDOW                       -> WINDOW (stateless, chained to its input)
 *   AGGREGATE grouping by a window's window_start and window_end
 *                                -> HASH exchange on the keys into a WINDOW_AGGREGATE
 * The window aggregate is Flink's WindowAggregate: it keeps each window's rows until the
 * watermark passes the window's end, then emits one final +I row per group, so its output
 * is append-only (not `updating`) in streaming mode too. In batch mode the final watermark
 * at the end of the input fires every window. An AGGREGATE over window columns that does
 * not group by both start and end stays an ordinary group aggregate, as in Flink.
 * SESSION windows merge per partition: the aggregate must group by exactly the PARTITION
 * BY columns besides the bounds, its input is hashed on those columns only (a gather
 * without them), and the WINDOW below is marked `merged`; a SESSION TVF anywhere else is
 * refused when the job is built. A processing-time window (over PROCTIME()) is routed the
 * same way, by the keys besides the window columns, and its WINDOW is marked `merged` too:
 * the aggregate assigns (and for HOP, CUMULATE expands) each row's windows on arrival. */
#include "optimizer/opt-private.h"

gboolean
opt__verify_window (const PlanNode *node, GError **error)
{
  const PlanWindow *w = &node->u.window;
  const PlanSchema *in = node->inputs[0]->schema;

  if (w->time_col >= in->n_fields || in->fields[w->time_col].type.kind != PLAN_TYPE_TIMESTAMP
      || node->schema->n_fields != in->n_fields + 3 || w->size_ms <= 0 || w->slide_ms <= 0)
    {
      g_set_error (error, OPT_ERROR, OPT_ERROR_INTERNAL,
                   "plan verification failed: WINDOW node at %u:%u is malformed",
                   node->span.line, node->span.col);
      return FALSE;
    }
  return TRUE;
}

PlanPhysNode *
opt__plan_window (PlanNode *node, PlanPhysNode *input)
{
  PlanPhysNode *phys = plan_phys_node_new (PLAN_PHYS_WINDOW, plan_schema_ref (node->schema),
                                           node->span, input->parallelism);

  phys->u.window = node->u.window;
  phys->est_rows = input->est_rows < 0 ? -1
                   : input->est_rows * (double) (node->u.window.size_ms
                                                 / node->u.window.slide_ms);
  phys->updating = input->updating;
  plan_phys_node_add_input (phys, input, PLAN_EXCHANGE_FORWARD, 0, NULL);
  phys->chained = TRUE;
  return phys;
}

/* SESSION: the keys besides window_start and window_end must be exactly the PARTITION BY
 * columns (sessions merge per partition, as in Flink). */
static gboolean
session_keys_match (const PlanNode *agg, const PlanNode *window, gint start, gint end)
{
  const PlanWindow *w = &window->u.window;
  guint covered = 0;

  for (guint k = 0; k < agg->u.aggregate.n_keys; k++)
    {
      const PlanNode *tw;
      guint col;
      gboolean found = FALSE;

      if ((gint) k == start || (gint) k == end)
        continue;
      if (!plan_window_trace (agg->inputs[0], agg->u.aggregate.keys[k], &tw, &col)
          || tw != window)
        return FALSE;
      for (guint i = 0; i < w->n_partition; i++)
        if (w->partition[i] == col && (covered & (1u << i)) == 0)
          {
            covered |= 1u << i;
            found = TRUE;
            break;
          }
      if (!found)
        return FALSE;
    }
  return covered == (1u << w->n_partition) - 1;
}

gboolean
opt__window_agg_keys (const PlanNode *agg, guint *start_key, guint *end_key)
{
  const PlanNode *window = NULL;
  gint start = -1, end = -1;

  for (guint k = 0; k < agg->u.aggregate.n_keys; k++)
    {
      const PlanNode *w;
      guint col, n_in;

      if (!plan_window_trace (agg->inputs[0], agg->u.aggregate.keys[k], &w, &col))
        continue;
      n_in = w->inputs[0]->schema->n_fields;
      if (col < n_in)
        continue; /* an input column of some window: checked for SESSION below */
      if (window != NULL && w != window)
        return FALSE;
      window = w;
      if (col == n_in)
        start = (gint) k;
      else if (col == n_in + 1)
        end = (gint) k;
    }
  if (start < 0 || end < 0)
    return FALSE;
  if (window->u.window.kind == PLAN_WINDOW_SESSION
      && !session_keys_match (agg, window, start, end))
    return FALSE;
  *start_key = (guint) start;
  *end_key = (guint) end;
  return TRUE;
}

/* The exchange below the TVF (event-time TUMBLE, HOP, CUMULATE grouped by keys besides
 * the window's bounds): a HOP turns each row into size / slide rows, and hashing them on
 * (keys, window_start, window_end) sent every copy across the exchange. Every window of a
 * group key lives in one subtask when the rows are routed by the other keys alone, so the
 * exchange moves below the TVF: the input row crosses once, the TVF and the aggregate run
 * chained behind it. The aggregate's FORWARD edge keeps those keys (its state's key groups
 * then match the routing). Needs the keys to be plain columns down through the chained
 * CALCs to the WINDOW's input, equal parallelism, and nodes used only here. Returns FALSE,
 * changing nothing, otherwise. */
static gboolean
hash_below_window (PlanPhysNode *input, PlanPhysNode *window, const guint *part, guint n_part,
                   guint parallelism)
{
  g_autofree guint *keys = g_memdup2 (part, n_part * sizeof (guint));
  PlanPhysInput *edge;

  for (PlanPhysNode *n = input; n != window; n = n->inputs[0].node)
    {
      if (n->kind != PLAN_PHYS_CALC || !n->chained || n->ref_count != 1)
        return FALSE;
      for (guint k = 0; k < n_part; k++)
        {
          const PlanExpr *e = n->u.calc.exprs[keys[k]];

          if (e->kind != PLAN_EXPR_COLUMN)
            return FALSE;
          keys[k] = e->u.column;
        }
    }
  edge = &window->inputs[0];
  for (guint k = 0; k < n_part; k++)
    if (keys[k] >= edge->node->schema->n_fields) /* window_start, window_end, window_time */
      return FALSE;
  if (window->ref_count != 1 || !window->chained || edge->exchange != PLAN_EXCHANGE_FORWARD
      || edge->node->parallelism != parallelism || input->parallelism != parallelism)
    return FALSE;
  g_free (edge->keys);
  edge->exchange = PLAN_EXCHANGE_HASH;
  edge->n_keys = n_part;
  edge->keys = g_steal_pointer (&keys);
  window->chained = FALSE;
  return TRUE;
}

/* added by processing-time windows: key k of agg is a window's window_time, which is
 * provisional like the bounds under a processing-time window, so not routed by */
static gboolean
is_window_time_key (const PlanNode *agg, guint k)
{
  const PlanNode *w;
  guint col;

  return plan_window_trace (agg->inputs[0], agg->u.aggregate.keys[k], &w, &col)
         && col == w->inputs[0]->schema->n_fields + 2;
}

PlanPhysNode *
opt__plan_window_aggregate (PlanNode *node, PlanPhysNode *input, guint parallelism,
                            guint start_key, guint end_key)
{
  const PlanAggregate *a = &node->u.aggregate;
  g_autofree guint *part = g_new (guint, a->n_keys + 1);
  guint n_part = 0;
  PlanPhysNode *agg, *below;
  gboolean by_part; /* added by processing-time windows: route by the non-window keys */
  gboolean below_hashed = FALSE;

  for (below = input; below != NULL && below->kind != PLAN_PHYS_WINDOW;
       below = below->n_inputs > 0 && below->chained ? below->inputs[0].node : NULL)
    ;
  by_part = below != NULL && (below->u.window.kind == PLAN_WINDOW_SESSION
                              || plan_phys_is_proctime_window (below));
  for (guint k = 0; !by_part && k < a->n_keys; k++) /* added by exchange below the TVF */
    if (k != start_key && k != end_key)
      part[n_part++] = a->keys[k];
  if (!by_part && n_part > 0 && below != NULL && parallelism > 1
      && hash_below_window (input, below, part, n_part, parallelism))
    below_hashed = TRUE;
  if (by_part) /* changed by processing-time windows: their windows are assigned on arrival */
    {
      /* a session's rows must meet in one subtask: route by the partition keys only (the
       * windows are provisional), everything to one subtask without them */
      for (guint k = 0; k < a->n_keys; k++)
        if (k != start_key && k != end_key && !is_window_time_key (node, k))
          part[n_part++] = a->keys[k];
      if (n_part == 0)
        parallelism = 1;
    }
  agg = plan_phys_node_new (PLAN_PHYS_WINDOW_AGGREGATE, plan_schema_ref (node->schema),
                            node->span, parallelism);
  plan_aggregate_copy (&agg->u.window_agg.agg, a);
  agg->u.window_agg.start_key = start_key;
  agg->u.window_agg.end_key = end_key;
  if (below != NULL && below->u.window.kind == PLAN_WINDOW_SESSION)
    {
      below->u.window.merged = TRUE; /* the TVF's windows are provisional */
      agg->u.window_agg.session_gap_ms = below->u.window.size_ms;
    }
  else if (by_part && below != NULL && below->ref_count == 1)
    below->u.window.merged = TRUE; /* added by processing-time windows: the aggregate assigns
                                    * (and expands HOP, CUMULATE) on arrival, so the TVF
                                    * passes each row through once */
  agg->updating = FALSE;
  agg->est_rows = input->est_rows;
  if (below_hashed)
    {
      plan_phys_node_add_input (agg, input, PLAN_EXCHANGE_FORWARD, n_part, part);
      agg->chained = TRUE;
    }
  else if (by_part && n_part == 0 && input->parallelism > 1)
    plan_phys_node_add_input (agg, input, PLAN_EXCHANGE_GATHER, 0, NULL);
  else if (by_part && (input->parallelism > 1 || parallelism > 1))
    plan_phys_node_add_input (agg, input, PLAN_EXCHANGE_HASH, n_part, part);
  else if (input->parallelism > 1 || parallelism > 1)
    plan_phys_node_add_input (agg, input, PLAN_EXCHANGE_HASH, a->n_keys, a->keys);
  else
    {
      plan_phys_node_add_input (agg, input, PLAN_EXCHANGE_FORWARD, 0, NULL);
      agg->chained = TRUE;
    }
  return agg;
}
