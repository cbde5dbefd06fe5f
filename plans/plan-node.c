/* plan-node.c: catalog tables, logical plan nodes, physical plan nodes and whole physical
 * plans: construction, reference counting, kind names, and topological numbering.
 *
 * Nodes are plain structs with public bodies (see plan-node.h) so the optimizer and the
 * engine read fields directly; this file only owns their lifetime. Constructors zero the
 * kind-specific union and callers fill it right after creation, before the node is
 * shared; unref frees the union members according to the kind. A physical plan numbers
 * its nodes once, depth-first post-order by input index, so ids are deterministic for a
 * given tree and inputs always come before their consumers; the walk is iterative so a
 * very long chain (for instance from hostile plan JSON) cannot overflow the stack. */
#include "plan-node.h"

#include <string.h>

/* ---- tables --------------------------------------------------------------------------- */

PlanTable *
plan_table_new (const char *name, PlanSchema *schema, PlanSpan span)
{
  PlanTable *table = g_new0 (PlanTable, 1);

  table->ref_count = 1;
  table->name = g_strdup (name);
  table->schema = schema;
  table->options = g_ptr_array_new_with_free_func (g_free);
  table->span = span;
  return table;
}

PlanTable *
plan_table_ref (PlanTable *table)
{
  g_return_val_if_fail (table != NULL, NULL);
  g_atomic_int_inc (&table->ref_count);
  return table;
}

void
plan_table_unref (PlanTable *table)
{
  if (table == NULL || !g_atomic_int_dec_and_test (&table->ref_count))
    return;
  g_free (table->name);
  plan_schema_unref (table->schema);
  g_ptr_array_unref (table->options);
  g_free (table->ddl);
  g_free (table);
}

void
plan_table_add_option (PlanTable *table, const char *key, const char *value)
{
  g_return_if_fail (table != NULL && key != NULL && value != NULL);
  g_ptr_array_add (table->options, g_strdup (key));
  g_ptr_array_add (table->options, g_strdup (value));
}

const char *
plan_table_get_option (const PlanTable *table, const char *key)
{
  g_return_val_if_fail (table != NULL && key != NULL, NULL);
  /* The last occurrence wins, as a later WITH entry would override an earlier one. */
  for (guint i = table->options->len; i >= 2; i -= 2)
    if (strcmp (g_ptr_array_index (table->options, i - 2), key) == 0)
      return g_ptr_array_index (table->options, i - 1);
  return NULL;
}

/* ---- logical nodes -------------------------------------------------------------------- */

PlanNode *
plan_node_new (PlanNodeKind kind, PlanSchema *schema, PlanSpan span, guint n_inputs,
               PlanNode **inputs)
{
  PlanNode *node = g_new0 (PlanNode, 1);

  node->ref_count = 1;
  node->kind = kind;
  node->schema = schema;
  node->span = span;
  node->n_inputs = n_inputs;
  node->inputs = g_new0 (PlanNode *, n_inputs ? n_inputs : 1);
  if (n_inputs)
    memcpy (node->inputs, inputs, n_inputs * sizeof (PlanNode *));
  return node;
}

PlanNode *
plan_node_ref (PlanNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);
  g_atomic_int_inc (&node->ref_count);
  return node;
}

static void
free_values (PlanValue *values, guint n_rows, const PlanSchema *schema)
{
  guint n = n_rows * (schema ? schema->n_fields : 0);

  if (values == NULL)
    return;
  for (guint i = 0; i < n; i++)
    plan_value_clear (&values[i]);
  g_free (values);
}

static void
free_exprs (PlanExpr **exprs, guint n)
{
  if (exprs == NULL)
    return;
  for (guint i = 0; i < n; i++)
    plan_expr_unref (exprs[i]);
  g_free (exprs);
}

void
plan_node_unref (PlanNode *node)
{
  if (node == NULL || !g_atomic_int_dec_and_test (&node->ref_count))
    return;
  switch (node->kind)
    {
    case PLAN_NODE_SCAN:
      if (node->u.scan.table)
        plan_table_unref (node->u.scan.table);
      g_free (node->u.scan.columns);
      if (node->u.scan.filter)
        plan_expr_unref (node->u.scan.filter);
      break;
    case PLAN_NODE_VALUES:
      free_values (node->u.values.values, node->u.values.n_rows, node->schema);
      break;
    case PLAN_NODE_FILTER:
      if (node->u.filter.condition)
        plan_expr_unref (node->u.filter.condition);
      break;
    case PLAN_NODE_PROJECT:
      free_exprs (node->u.project.exprs, node->u.project.n_exprs);
      break;
    case PLAN_NODE_SINK:
      if (node->u.sink.table)
        plan_table_unref (node->u.sink.table);
      break;
    case PLAN_NODE_AGGREGATE:
      plan_aggregate_clear (&node->u.aggregate);
      break;
    case PLAN_NODE_JOIN: /* added by joins */
      plan_join_clear (&node->u.join);
      break;
    case PLAN_NODE_SORT: /* added by sort */
      plan_sort_clear (&node->u.sort);
      break;
    case PLAN_NODE_WINDOW: /* added by windows: nothing owned */
      break;
    case PLAN_NODE_RANK: /* added by rank */
      plan_rank_clear (&node->u.rank);
      break;
    case PLAN_NODE_UNION: /* added by rank: nothing owned */
      break;
    case PLAN_NODE_LIMIT:
    default:
      break;
    }
  for (guint i = 0; i < node->n_inputs; i++)
    plan_node_unref (node->inputs[i]);
  g_free (node->inputs);
  plan_schema_unref (node->schema);
  g_free (node);
}

const char *
plan_node_kind_name (PlanNodeKind kind)
{
  switch (kind)
    {
    case PLAN_NODE_SCAN: return "SCAN";
    case PLAN_NODE_VALUES: return "VALUES";
    case PLAN_NODE_FILTER: return "FILTER";
    case PLAN_NODE_PROJECT: return "PROJECT";
    case PLAN_NODE_LIMIT: return "LIMIT";
    case PLAN_NODE_SINK: return "SINK";
    case PLAN_NODE_AGGREGATE: return "AGGREGATE";
    case PLAN_NODE_JOIN: return "JOIN";
    case PLAN_NODE_SORT: return "SORT";
    case PLAN_NODE_WINDOW: return "WINDOW";
    case PLAN_NODE_UNION: return "UNION"; /* added by rank */
    case PLAN_NODE_RANK: return "RANK";
    default: return "UNKNOWN";
    }
}

/* ---- aggregate payload --------------------------------------------------------------- */

const char *
plan_agg_func_name (PlanAggFunc func)
{
  switch (func)
    {
    case PLAN_AGG_COUNT_STAR: return "COUNT";
    case PLAN_AGG_COUNT: return "COUNT";
    case PLAN_AGG_SUM: return "SUM";
    case PLAN_AGG_MIN: return "MIN";
    case PLAN_AGG_MAX: return "MAX";
    case PLAN_AGG_AVG: return "AVG";
    default: return "UNKNOWN";
    }
}

void
plan_aggregate_copy (PlanAggregate *dest, const PlanAggregate *src)
{
  dest->n_keys = src->n_keys;
  dest->keys = src->n_keys ? g_memdup2 (src->keys, src->n_keys * sizeof (guint)) : NULL;
  dest->n_aggs = src->n_aggs;
  dest->aggs = src->n_aggs ? g_memdup2 (src->aggs, src->n_aggs * sizeof (PlanAggCall)) : NULL;
}

void
plan_aggregate_clear (PlanAggregate *agg)
{
  g_clear_pointer (&agg->keys, g_free);
  g_clear_pointer (&agg->aggs, g_free);
  agg->n_keys = agg->n_aggs = 0;
}

/* ---- physical nodes ------------------------------------------------------------------- */

PlanPhysNode *
plan_phys_node_new (PlanPhysKind kind, PlanSchema *schema, PlanSpan span, guint parallelism)
{
  PlanPhysNode *node = g_new0 (PlanPhysNode, 1);

  node->ref_count = 1;
  node->kind = kind;
  node->schema = schema;
  node->span = span;
  node->parallelism = parallelism ? parallelism : 1;
  node->est_rows = -1;
  return node;
}

void
plan_phys_node_add_input (PlanPhysNode *node, PlanPhysNode *input, PlanExchangeKind exchange,
                          guint n_keys, const guint *keys)
{
  PlanPhysInput *edge;

  g_return_if_fail (node != NULL && input != NULL);
  node->inputs = g_renew (PlanPhysInput, node->inputs, node->n_inputs + 1);
  edge = &node->inputs[node->n_inputs++];
  edge->node = input;
  edge->exchange = exchange;
  edge->n_keys = keys ? n_keys : 0;
  edge->keys = edge->n_keys ? g_memdup2 (keys, n_keys * sizeof (guint)) : NULL;
}

PlanPhysNode *
plan_phys_node_ref (PlanPhysNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);
  g_atomic_int_inc (&node->ref_count);
  return node;
}

void
plan_phys_node_unref (PlanPhysNode *node)
{
  if (node == NULL || !g_atomic_int_dec_and_test (&node->ref_count))
    return;
  switch (node->kind)
    {
    case PLAN_PHYS_SOURCE:
      if (node->u.source.table)
        plan_table_unref (node->u.source.table);
      g_free (node->u.source.columns);
      if (node->u.source.filter)
        plan_expr_unref (node->u.source.filter);
      break;
    case PLAN_PHYS_VALUES:
      free_values (node->u.values.values, node->u.values.n_rows, node->schema);
      break;
    case PLAN_PHYS_CALC:
      if (node->u.calc.filter)
        plan_expr_unref (node->u.calc.filter);
      free_exprs (node->u.calc.exprs, node->u.calc.n_exprs);
      break;
    case PLAN_PHYS_SINK:
      if (node->u.sink.table)
        plan_table_unref (node->u.sink.table);
      break;
    case PLAN_PHYS_AGGREGATE:
    case PLAN_PHYS_LOCAL_AGGREGATE: /* added by two-phase aggregation */
      plan_aggregate_clear (&node->u.aggregate);
      break;
    case PLAN_PHYS_JOIN: /* added by joins */
    case PLAN_PHYS_HASH_JOIN:
    case PLAN_PHYS_NESTED_LOOP_JOIN:
    case PLAN_PHYS_SORT_MERGE_JOIN: /* added by join strategy */
    case PLAN_PHYS_INTERVAL_JOIN: /* added by interval joins */
    case PLAN_PHYS_WINDOW_JOIN: /* added by window joins */
    case PLAN_PHYS_LOOKUP_JOIN: /* added by lookup joins */
      plan_join_clear (&node->u.join);
      break;
    case PLAN_PHYS_SORT: /* added by sort */
      plan_sort_clear (&node->u.sort);
      break;
    case PLAN_PHYS_WINDOW: /* added by windows: nothing owned */
      break;
    case PLAN_PHYS_WINDOW_AGGREGATE:
      plan_aggregate_clear (&node->u.window_agg.agg);
      break;
    case PLAN_PHYS_RANK: /* added by rank */
      plan_rank_clear (&node->u.rank);
      break;
    case PLAN_PHYS_UNION: /* added by rank: nothing owned */
      break;
    case PLAN_PHYS_LIMIT:
    default:
      break;
    }
  for (guint i = 0; i < node->n_inputs; i++)
    {
      plan_phys_node_unref (node->inputs[i].node);
      g_free (node->inputs[i].keys);
    }
  g_free (node->inputs);
  plan_schema_unref (node->schema);
  g_free (node);
}

const char *
plan_phys_kind_name (PlanPhysKind kind)
{
  switch (kind)
    {
    case PLAN_PHYS_SOURCE: return "SOURCE";
    case PLAN_PHYS_VALUES: return "VALUES";
    case PLAN_PHYS_CALC: return "CALC";
    case PLAN_PHYS_LIMIT: return "LIMIT";
    case PLAN_PHYS_SINK: return "SINK";
    case PLAN_PHYS_AGGREGATE: return "AGGREGATE";
    case PLAN_PHYS_JOIN: return "JOIN";
    case PLAN_PHYS_HASH_JOIN: return "HASH_JOIN";
    case PLAN_PHYS_NESTED_LOOP_JOIN: return "NESTED_LOOP_JOIN";
    case PLAN_PHYS_SORT_MERGE_JOIN: return "SORT_MERGE_JOIN"; /* added by join strategy */
    case PLAN_PHYS_INTERVAL_JOIN: return "INTERVAL_JOIN"; /* added by interval joins */
    case PLAN_PHYS_WINDOW_JOIN: return "WINDOW_JOIN"; /* added by window joins */
    case PLAN_PHYS_LOOKUP_JOIN: return "LOOKUP_JOIN"; /* added by lookup joins */
    case PLAN_PHYS_LOCAL_AGGREGATE: return "LOCAL_AGGREGATE"; /* two-phase aggregation */
    case PLAN_PHYS_SORT: return "SORT";
    case PLAN_PHYS_WINDOW: return "WINDOW";
    case PLAN_PHYS_WINDOW_AGGREGATE: return "WINDOW_AGGREGATE";
    case PLAN_PHYS_UNION: return "UNION"; /* added by rank */
    case PLAN_PHYS_RANK: return "RANK";
    default: return "UNKNOWN";
    }
}

/* The name the runtime's metrics and the REPL's \job give the node ("Source: bid", "Calc"). */
char *
plan_phys_node_label (const PlanPhysNode *n)
{
  switch (n->kind)
    {
    case PLAN_PHYS_SOURCE:
      return g_strdup_printf ("Source: %s", n->u.source.table->name);
    case PLAN_PHYS_VALUES:
      return g_strdup ("Values");
    case PLAN_PHYS_CALC:
      return g_strdup ("Calc");
    case PLAN_PHYS_LIMIT:
      return g_strdup ("Limit");
    case PLAN_PHYS_AGGREGATE:
      return g_strdup ("GroupAggregate");
    case PLAN_PHYS_LOCAL_AGGREGATE: /* added by two-phase aggregation */
      return g_strdup ("LocalGroupAggregate");
    case PLAN_PHYS_JOIN: /* added by joins */
      return g_strdup ("Join");
    case PLAN_PHYS_HASH_JOIN:
      return g_strdup ("HashJoin");
    case PLAN_PHYS_NESTED_LOOP_JOIN:
      return g_strdup ("NestedLoopJoin");
    case PLAN_PHYS_SORT_MERGE_JOIN: /* added by join strategy */
      return g_strdup ("SortMergeJoin");
    case PLAN_PHYS_INTERVAL_JOIN: /* added by interval joins */
      return g_strdup ("IntervalJoin");
    case PLAN_PHYS_WINDOW_JOIN: /* added by window joins */
      return g_strdup ("WindowJoin");
    case PLAN_PHYS_LOOKUP_JOIN: /* added by lookup joins */
      return g_strdup ("LookupJoin");
    case PLAN_PHYS_SORT: /* added by sort */
      return g_strdup (n->u.sort.limit >= 0 ? "TopN" : "Sort");
    case PLAN_PHYS_WINDOW: /* added by windows */
      return g_strdup_printf ("WindowTableFunction: %s",
                              plan_window_kind_name (n->u.window.kind));
    case PLAN_PHYS_WINDOW_AGGREGATE:
      return g_strdup ("WindowAggregate");
    case PLAN_PHYS_UNION: /* added by rank */
      return g_strdup ("Union");
    case PLAN_PHYS_RANK:
      return g_strdup ((n->u.rank.first_row || n->u.rank.last_row) && n->u.rank.limit == 1
                       ? "Deduplicate" : "Rank");
    case PLAN_PHYS_SINK:
      if (n->u.sink.table == NULL)
        return g_strdup ("Sink: collect");
      return g_strdup_printf ("Sink: %s(%s)", plan_sink_kind_name (n->u.sink.sink),
                              n->u.sink.table->name);
    }
  return g_strdup ("?");
}

const char *
plan_exchange_name (PlanExchangeKind kind)
{
  switch (kind)
    {
    case PLAN_EXCHANGE_FORWARD: return "FORWARD";
    case PLAN_EXCHANGE_HASH: return "HASH";
    case PLAN_EXCHANGE_REBALANCE: return "REBALANCE";
    case PLAN_EXCHANGE_BROADCAST: return "BROADCAST";
    case PLAN_EXCHANGE_GATHER: return "GATHER";
    case PLAN_EXCHANGE_MERGE: return "MERGE"; /* added by sort merge */
    default: return "UNKNOWN";
    }
}

const char *
plan_sink_kind_name (PlanSinkKind kind)
{
  switch (kind)
    {
    case PLAN_SINK_COLLECT: return "COLLECT";
    case PLAN_SINK_PRINT: return "PRINT";
    case PLAN_SINK_BLACKHOLE: return "BLACKHOLE";
    case PLAN_SINK_FILESYSTEM: return "FILESYSTEM";
    case PLAN_SINK_JDBC: return "JDBC"; /* added by jdbc sink */
    default: return "UNKNOWN";
    }
}

/* ---- physical plans ------------------------------------------------------------------- */

typedef struct {
  PlanPhysNode *node;
  guint next_input;
} WalkFrame;

enum { WALK_OPEN = 1, WALK_DONE = 2 };

PlanPhysPlan *
plan_phys_plan_new (PlanPhysNode *root)
{
  PlanPhysPlan *plan;
  g_autoptr (GHashTable) state = NULL;
  g_autoptr (GArray) stack = NULL;
  WalkFrame frame = { root, 0 };

  g_return_val_if_fail (root != NULL, NULL);
  plan = g_new0 (PlanPhysPlan, 1);
  plan->ref_count = 1;
  plan->root = root;
  plan->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_phys_node_unref);
  state = g_hash_table_new (g_direct_hash, g_direct_equal);
  stack = g_array_new (FALSE, FALSE, sizeof (WalkFrame));
  g_array_append_val (stack, frame);
  g_hash_table_insert (state, root, GINT_TO_POINTER (WALK_OPEN));
  while (stack->len > 0)
    {
      WalkFrame *top = &g_array_index (stack, WalkFrame, stack->len - 1);

      if (top->next_input < top->node->n_inputs)
        {
          PlanPhysNode *child = top->node->inputs[top->next_input++].node;
          int st = GPOINTER_TO_INT (g_hash_table_lookup (state, child));

          if (st == WALK_OPEN)
            g_critical ("plan_phys_plan_new: the plan has a cycle through a %s node",
                        plan_phys_kind_name (child->kind));
          if (st != 0)
            continue;
          g_hash_table_insert (state, child, GINT_TO_POINTER (WALK_OPEN));
          frame.node = child;
          g_array_append_val (stack, frame);
          continue;
        }
      top->node->id = plan->nodes->len;
      g_ptr_array_add (plan->nodes, plan_phys_node_ref (top->node));
      g_hash_table_insert (state, top->node, GINT_TO_POINTER (WALK_DONE));
      g_array_set_size (stack, stack->len - 1);
    }
  return plan;
}

PlanPhysPlan *
plan_phys_plan_ref (PlanPhysPlan *plan)
{
  g_return_val_if_fail (plan != NULL, NULL);
  g_atomic_int_inc (&plan->ref_count);
  return plan;
}

void
plan_phys_plan_unref (PlanPhysPlan *plan)
{
  if (plan == NULL || !g_atomic_int_dec_and_test (&plan->ref_count))
    return;
  /* Consumers first: each node's inputs are still held by the array when it goes, so
   * freeing never recurses down a long chain. */
  plan_phys_node_unref (plan->root);
  while (plan->nodes->len > 0)
    plan_phys_node_unref (g_ptr_array_steal_index (plan->nodes, plan->nodes->len - 1));
  g_ptr_array_unref (plan->nodes);
  g_free (plan);
}
