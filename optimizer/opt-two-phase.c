/* opt-two-phase.c: two-phase (local/global) aggregation, Flink's
 * 'table.optimizer.agg-phase-strategy' (AUTO | ONE_PHASE | TWO_PHASE).
 *
 * A GROUP BY over a wide input ships every row through the hash exchange to the subtask
 * owning its group. A local aggregate chained after the input (in every subtask, before the
 * exchange) folds each subtask's rows into one partial row per group first, so at most
 * parallelism x groups partial rows cross the exchange; the global aggregate then merges
 * them: a COUNT becomes the SUM of the partial counts, SUM, MIN and MAX merge as themselves,
 * an AVG is split into the SUM and COUNT of its argument and divided in a CALC after the
 * global phase (as the engine's AVG divides: DECIMAL rounded half away from zero, integers
 * truncated), and a FILTER (WHERE ...) clause applies in the local phase only.
 * COUNT(DISTINCT) has no partial form (distinct counts of subtasks cannot be added up), so
 * an aggregate with one stays one-phase.
 *
 * AUTO splits when it pays by the estimates; unknown estimates keep one phase. In batch
 * mode the local phase is the ordinary batch aggregate chained after the input (it emits
 * its groups at the end of the input, spilling under the memory budget). The exchange is
 * in-process, so shipping a row costs little next to hashing it into a group, and the local
 * phase stops the pipeline until its input ends: measured with 2,000,000 rows at
 * parallelism 2, 20,000 groups (a fifty-fold cut) ran a quarter slower in two phases and 20
 * groups about as fast. So AUTO splits only for a thousand-fold cut, parallelism x groups x
 * 1000 <= rows, where it costs nothing and bounds what the global phase holds. In streaming mode
 * it is LOCAL_AGGREGATE (runtime/engine/rt-op-local-agg.c), which folds each input batch
 * and emits its partial rows before the next one, so it never holds rows across a
 * checkpoint barrier; it pays when a batch shrinks to at most half its rows, groups <=
 * batch size / 2, and needs an insert-only input (partial rows of a changelog cannot be
 * merged by addition). The global phase is then the streaming aggregate with its
 * changelog. The reason for each decision is printed by EXPLAIN ESTIMATED_COST under
 * "== Aggregation ==", where the two phases are called LocalAggregate and
 * GlobalAggregate. */
#include "optimizer/opt-stats-private.h"

#include <math.h>
#include <string.h>

#define STRATEGY_KEY "table.optimizer.agg-phase-strategy"

#define DEFAULT_BATCH_SIZE 512
#define BATCH_CUT 1000 /* batch mode: the local phase must cut the rows shipped this much */

/* Why the aggregate cannot be split; NULL when it can. */
static const char *
unsplittable (const PlanAggregate *a, const PlanPhysNode *input, gboolean streaming)
{
  if (streaming && input->updating)
    return "the input is a changelog (it has retractions): partial rows of updates cannot "
           "be merged by addition";
  for (guint i = 0; i < a->n_aggs; i++)
    {
      if (a->aggs[i].distinct)
        return "COUNT(DISTINCT) stays one-phase: distinct counts of subtasks cannot be added";
    }
  return NULL;
}

gboolean
opt__two_phase_pays (const PlanAggregate *a, const PlanPhysNode *input, guint batch_size,
                     gboolean streaming, char **reason)
{
  const char *why = unsplittable (a, input, streaming);
  double groups = opt__agg_est_rows (a, input), rows = input->est_rows;
  guint p = MAX (input->parallelism, 1);

  if (batch_size == 0)
    batch_size = DEFAULT_BATCH_SIZE;
  if (why != NULL)
    {
      *reason = g_strdup (why);
      return FALSE;
    }
  if (p == 1)
    {
      *reason = g_strdup ("the input runs in one subtask: nothing to pre-aggregate across");
      return FALSE;
    }
  if (streaming && groups >= 0 && groups * 2 <= batch_size)
    {
      *reason = g_strdup_printf ("est. %.0f groups: each input batch of up to %u rows leaves "
                                 "at most %.0f partial rows before the exchange", groups,
                                 batch_size, groups);
      return TRUE;
    }
  if (streaming)
    {
      *reason = groups < 0 ? g_strdup ("the number of groups is unknown")
                           : g_strdup_printf ("est. %.0f groups: an input batch of %u rows "
                                              "would not shrink by half", groups, batch_size);
      return FALSE;
    }
  if (groups < 0 || rows < 0)
    {
      *reason = g_strdup ("the number of groups or rows is unknown");
      return FALSE;
    }
  if (rows == 0)
    {
      *reason = g_strdup ("est. 0 rows: nothing to pre-aggregate");
      return FALSE;
    }
  if (p * groups * BATCH_CUT <= rows)
    {
      *reason = g_strdup_printf ("est. %.0f groups from %.0f rows: at most %.0f partial rows "
                                 "(%u subtasks x groups) cross the exchange instead of %.0f",
                                 groups, rows, MIN (p * groups, rows), p, rows);
      return TRUE;
    }
  *reason = g_strdup_printf ("est. %.0f groups from %.0f rows: a local phase would ship up to "
                             "%.0f partial rows (%u subtasks x groups), not a thousandth of "
                             "the rows", groups, rows, MIN (p * groups, rows), p);
  return FALSE;
}

/* The type of the partial SUM of an AVG over t (what SUM over t gives, as the binder types
 * it). */
static PlanType
avg_sum_type (PlanType t)
{
  if (t.kind == PLAN_TYPE_DECIMAL)
    return plan_type_decimal (18, t.scale, TRUE);
  if (t.kind == PLAN_TYPE_INT)
    return plan_type_make (PLAN_TYPE_BIGINT, TRUE);
  return plan_type_make (t.kind, TRUE);
}

/* The local phase's calls into local (each call as it is, an AVG as the SUM and COUNT of its
 * argument) and its output schema: node's own when there is no AVG, else the keys and one
 * column per partial. */
static PlanSchema *
partial_calls (const PlanNode *node, const PlanSchema *in, PlanAggregate *local,
               gboolean *has_avg)
{
  const PlanAggregate *a = &node->u.aggregate;
  g_autoptr (GArray) calls = g_array_new (FALSE, FALSE, sizeof (PlanAggCall));
  PlanSchema *schema;

  *has_avg = FALSE;
  for (guint i = 0; i < a->n_aggs; i++)
    {
      PlanAggCall c = a->aggs[i];

      if (c.func == PLAN_AGG_AVG)
        {
          *has_avg = TRUE;
          c.func = PLAN_AGG_SUM;
          c.type = avg_sum_type (in->fields[c.arg].type);
          g_array_append_val (calls, c);
          c.func = PLAN_AGG_COUNT;
          c.type = plan_type_make (PLAN_TYPE_BIGINT, FALSE);
        }
      g_array_append_val (calls, c);
    }
  local->n_keys = a->n_keys;
  local->keys = g_new0 (guint, a->n_keys + 1);
  if (a->n_keys > 0)
    memcpy (local->keys, a->keys, a->n_keys * sizeof (guint));
  local->n_aggs = calls->len;
  local->aggs = g_new0 (PlanAggCall, calls->len + 1);
  if (calls->len > 0)
    memcpy (local->aggs, calls->data, calls->len * sizeof (PlanAggCall));
  if (!*has_avg)
    return plan_schema_ref (node->schema);
  schema = plan_schema_new (a->n_keys + calls->len);
  for (guint k = 0; k < a->n_keys; k++)
    plan_schema_set_field (schema, k, node->schema->fields[k].name,
                           node->schema->fields[k].type);
  for (guint p = 0; p < calls->len; p++)
    {
      g_autofree char *name = g_strdup_printf ("$partial%u", p);

      plan_schema_set_field (schema, a->n_keys + p, name,
                             g_array_index (calls, PlanAggCall, p).type);
    }
  return schema;
}

static PlanPhysNode *
local_agg (PlanNode *node, PlanPhysNode *input, gboolean streaming, gboolean *has_avg)
{
  PlanAggregate calls = { 0 };
  PlanSchema *schema = partial_calls (node, input->schema, &calls, has_avg);
  PlanPhysNode *local = plan_phys_node_new (streaming ? PLAN_PHYS_LOCAL_AGGREGATE
                                                      : PLAN_PHYS_AGGREGATE,
                                            schema, node->span, input->parallelism);
  double groups = opt__agg_est_rows (&node->u.aggregate, input);

  local->u.aggregate = calls;
  local->est_rows = groups < 0 || input->est_rows < 0
                    ? -1 : MIN (input->est_rows, groups * input->parallelism);
  plan_phys_node_add_input (local, input, PLAN_EXCHANGE_FORWARD, 0, NULL);
  local->chained = TRUE;
  return local;
}

/* The global aggregate over the local one's output (same columns): keys 0 .. n_keys - 1,
 * each call merging its partial column (COUNTs summed). */
static PlanPhysNode *
global_agg (PlanNode *node, PlanPhysNode *local, guint parallelism, double groups,
            gboolean streaming)
{
  const PlanAggregate *l = &local->u.aggregate;
  PlanPhysNode *global = plan_phys_node_new (PLAN_PHYS_AGGREGATE,
                                             plan_schema_ref (local->schema), node->span,
                                             l->n_keys > 0 ? parallelism : 1);
  PlanAggregate *g = &global->u.aggregate;

  g->n_keys = l->n_keys;
  g->keys = g_new (guint, l->n_keys + 1);
  for (guint k = 0; k < l->n_keys; k++)
    g->keys[k] = k;
  g->n_aggs = l->n_aggs;
  g->aggs = g_new0 (PlanAggCall, l->n_aggs + 1);
  for (guint i = 0; i < l->n_aggs; i++)
    {
      PlanAggCall *c = &g->aggs[i];

      *c = l->aggs[i];
      c->arg = (gint) (l->n_keys + i);
      c->filter = -1;
      if (c->func == PLAN_AGG_COUNT || c->func == PLAN_AGG_COUNT_STAR)
        c->func = PLAN_AGG_SUM;
    }
  global->est_rows = groups;
  global->updating = streaming; /* the streaming aggregate's changelog */
  if (l->n_keys > 0 && (local->parallelism > 1 || global->parallelism > 1))
    plan_phys_node_add_input (global, local, PLAN_EXCHANGE_HASH, g->n_keys, g->keys);
  else if (global->parallelism == local->parallelism)
    {
      plan_phys_node_add_input (global, local, PLAN_EXCHANGE_FORWARD, 0, NULL);
      global->chained = TRUE;
    }
  else
    plan_phys_node_add_input (global, local, PLAN_EXCHANGE_GATHER, 0, NULL);
  return global;
}

/* AVG from its merged partials: sum / NULLIF(count, 0) as the engine's AVG computes it (a
 * DOUBLE divided as DOUBLE, a DECIMAL rescaled to the result's scale and rounded half away
 * from zero, integers truncated). */
static PlanExpr *
avg_expr (PlanType sum_type, guint sum_col, PlanType out, PlanSpan span)
{
  PlanValue zero = { .type = plan_type_make (PLAN_TYPE_BIGINT, FALSE), .v.i = 0 };
  PlanExpr *args[2] = { plan_expr_column (sum_col + 1, plan_type_make (PLAN_TYPE_BIGINT, FALSE),
                                          span),
                        plan_expr_literal (&zero, span) };
  PlanExpr *count = plan_expr_call (PLAN_FUNC_NULLIF, plan_type_make (PLAN_TYPE_BIGINT, TRUE),
                                    2, args, span);
  PlanType div = out.kind == PLAN_TYPE_INT ? plan_type_make (PLAN_TYPE_BIGINT, TRUE) : out;
  PlanExpr *quotient;

  if (out.kind == PLAN_TYPE_DOUBLE)
    count = plan_expr_call (PLAN_FUNC_CAST, plan_type_make (PLAN_TYPE_DOUBLE, TRUE), 1, &count,
                            span);
  args[0] = plan_expr_column (sum_col, sum_type, span);
  args[1] = count;
  div.nullable = TRUE;
  quotient = plan_expr_call (PLAN_FUNC_DIV, div, 2, args, span);
  if (out.kind == PLAN_TYPE_INT)
    quotient = plan_expr_call (PLAN_FUNC_CAST, out, 1, &quotient, span);
  return quotient;
}

/* A CALC over the global phase giving node's columns: AVGs divided out. Takes global. */
static PlanPhysNode *
avg_calc (PlanNode *node, PlanPhysNode *global)
{
  const PlanAggregate *a = &node->u.aggregate;
  guint n = node->schema->n_fields, p = a->n_keys;
  PlanPhysNode *calc = plan_phys_node_new (PLAN_PHYS_CALC, plan_schema_ref (node->schema),
                                           node->span, global->parallelism);

  calc->u.calc.n_exprs = n;
  calc->u.calc.exprs = g_new0 (PlanExpr *, n + 1);
  for (guint k = 0; k < a->n_keys; k++)
    calc->u.calc.exprs[k] = plan_expr_column (k, global->schema->fields[k].type, node->span);
  for (guint i = 0; i < a->n_aggs; i++)
    {
      PlanType have = global->schema->fields[p].type;

      if (a->aggs[i].func == PLAN_AGG_AVG)
        calc->u.calc.exprs[a->n_keys + i] = avg_expr (have, p, a->aggs[i].type, node->span);
      else
        calc->u.calc.exprs[a->n_keys + i] = plan_expr_column (p, have, node->span);
      p += a->aggs[i].func == PLAN_AGG_AVG ? 2 : 1;
    }
  calc->est_rows = global->est_rows;
  calc->updating = global->updating;
  plan_phys_node_add_input (calc, global, PLAN_EXCHANGE_FORWARD, 0, NULL);
  calc->chained = TRUE;
  return calc;
}

PlanPhysNode *
opt__plan_two_phase (PlanNode *node, PlanPhysNode *input, guint parallelism,
                     gboolean streaming, PlanSettings *settings)
{
  const PlanAggregate *a = &node->u.aggregate;
  const char *strategy = settings ? plan_settings_get (settings, STRATEGY_KEY) : NULL;
  guint batch = settings ? (guint) plan_settings_get_int (settings, "execution.batch-size") : 0;
  g_autofree char *reason = NULL;
  gboolean pays = opt__two_phase_pays (a, input, batch, streaming, &reason), has_avg;
  PlanPhysNode *local, *global;

  if (strategy != NULL && g_ascii_strcasecmp (strategy, "one_phase") == 0)
    return NULL;
  if (strategy != NULL && g_ascii_strcasecmp (strategy, "two_phase") == 0)
    pays = unsplittable (a, input, streaming) == NULL && input->parallelism > 1;
  if (!pays)
    return NULL;
  local = local_agg (node, input, streaming, &has_avg);
  global = global_agg (node, local, parallelism, opt__agg_est_rows (a, input), streaming);
  return has_avg ? avg_calc (node, global) : global;
}

/* The local phase below a global one: an AGGREGATE fed FORWARD/chained by an AGGREGATE
 * whose output has the same schema. */
static gboolean
is_global (const PlanPhysNode *n)
{
  const PlanPhysNode *in;

  if (n->kind != PLAN_PHYS_AGGREGATE || n->n_inputs != 1)
    return FALSE;
  in = n->inputs[0].node;
  return (in->kind == PLAN_PHYS_AGGREGATE || in->kind == PLAN_PHYS_LOCAL_AGGREGATE)
         && in->schema == n->schema;
}

static void
agg_decision_clear (gpointer data)
{
  g_free (((OptAggDecision *) data)->reason);
}

GArray *
opt__aggregation_decisions (const PlanPhysPlan *plan)
{
  g_autoptr (GHashTable) locals = g_hash_table_new (NULL, NULL);
  GArray *out = g_array_new (FALSE, TRUE, sizeof (OptAggDecision));

  g_array_set_clear_func (out, agg_decision_clear);
  for (guint i = 0; i < plan->nodes->len; i++)
    if (is_global (plan->nodes->pdata[i]))
      g_hash_table_add (locals, ((PlanPhysNode *) plan->nodes->pdata[i])->inputs[0].node);
  for (guint i = 0; i < plan->nodes->len; i++)
    {
      const PlanPhysNode *n = plan->nodes->pdata[i], *in;
      OptAggDecision d = { 0 };
      gboolean pays;

      if (n->kind != PLAN_PHYS_AGGREGATE || n->n_inputs != 1
          || g_hash_table_contains (locals, n))
        continue;
      in = n->inputs[0].node;
      d.node = n->id;
      /* the batch size is not in the plan: the default's figures are given */
      if (is_global (n))
        {
          d.local = in->id;
          pays = opt__two_phase_pays (&in->u.aggregate, in->inputs[0].node, 0, n->updating,
                                      &d.reason);
          d.forced = !pays;
        }
      else
        {
          pays = opt__two_phase_pays (&n->u.aggregate, in, 0, n->updating, &d.reason);
          d.forced = pays;
        }
      g_array_append_val (out, d);
    }
  return out;
}

void
opt__explain_aggregation (GString *out, const PlanPhysPlan *plan)
{
  g_autoptr (GArray) decisions = opt__aggregation_decisions (plan);

  if (decisions->len > 0)
    g_string_append (out, "\n== Aggregation ==\n");
  for (guint i = 0; i < decisions->len; i++)
    {
      const OptAggDecision *d = &g_array_index (decisions, OptAggDecision, i);

      if (d->local != 0)
        g_string_append_printf (out, "GlobalAggregate #%u over LocalAggregate #%u: two-phase, "
                                "%s%s\n", d->node, d->local, d->reason,
                                d->forced ? " (forced by 'table.optimizer.agg-phase-strategy' "
                                            "= 'TWO_PHASE')" : "");
      else
        g_string_append_printf (out, "GroupAggregate #%u: one-phase, %s%s\n", d->node,
                                d->reason, d->forced ? " (forced by 'table.optimizer."
                                                       "agg-phase-strategy' = 'ONE_PHASE')"
                                                     : "");
    }
}
