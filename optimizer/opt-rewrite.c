/* opt-rewrite.c: the logical rewrite passes (merge-filters, filter-pushdown,
 * projection-pruning) and the small builders they share.
 *
 * Plans are immutable, so every pass is a function from a plan to a plan: it walks the
 * tree, builds new nodes only where something moves and shares every untouched subtree by
 * reference. A pass that changes nothing returns a new ref to the very same root; the
 * driver compares pointers to report "changed". Rewritten nodes keep the span of the node
 * they came from, so EXPLAIN and the GUI still point at the SQL that made them.
 *
 * Projection pruning works top-down with a list of the columns a parent needs and returns,
 * with each rewritten subtree, a map from old to new column positions; parents remap their
 * expressions with it (the shape of DuckDB's RemoveUnusedColumns). */
#include "optimizer/opt-private.h"

#include <string.h>

/* ---- builders --------------------------------------------------------------------------- */

PlanSpan
opt__span_union (PlanSpan a, PlanSpan b)
{
  PlanSpan out;

  if (a.line == 0)
    return b;
  if (b.line == 0)
    return a;
  out = a.start <= b.start ? a : b;
  out.end = MAX (a.end, b.end);
  return out;
}

PlanExpr *
opt__expr_and (PlanExpr *first, PlanExpr *second)
{
  PlanExpr *args[2] = { first, second };
  PlanType type = plan_type_make (PLAN_TYPE_BOOLEAN,
                                  first->type.nullable || second->type.nullable);

  return plan_expr_call (PLAN_FUNC_AND, type, 2, args,
                         opt__span_union (first->span, second->span));
}

gboolean
opt__expr_is_deterministic (const PlanExpr *expr)
{
  if (expr->kind != PLAN_EXPR_CALL)
    return TRUE;
  if (expr->u.call.func == PLAN_FUNC_CURRENT_TIMESTAMP)
    return FALSE;
  for (guint i = 0; i < expr->u.call.n_args; i++)
    if (!opt__expr_is_deterministic (expr->u.call.args[i]))
      return FALSE;
  return TRUE;
}

PlanExpr *
opt__expr_substitute (const PlanExpr *expr, PlanExpr *const *exprs)
{
  switch (expr->kind)
    {
    case PLAN_EXPR_COLUMN:
      return plan_expr_ref (exprs[expr->u.column]);
    case PLAN_EXPR_CALL:
      {
        guint n = expr->u.call.n_args;
        g_autofree PlanExpr **args = g_new0 (PlanExpr *, n ? n : 1);

        for (guint i = 0; i < n; i++)
          args[i] = opt__expr_substitute (expr->u.call.args[i], exprs);
        return plan_expr_call (expr->u.call.func, expr->type, n, args, expr->span);
      }
    case PLAN_EXPR_LITERAL:
    default:
      return plan_expr_ref ((PlanExpr *) expr);
    }
}

static PlanExpr **
exprs_dup (PlanExpr *const *exprs, guint n)
{
  PlanExpr **out = g_new0 (PlanExpr *, n ? n : 1);

  for (guint i = 0; i < n; i++)
    out[i] = plan_expr_ref (exprs[i]);
  return out;
}

static void
exprs_free (PlanExpr **exprs, guint n)
{
  for (guint i = 0; i < n; i++)
    plan_expr_unref (exprs[i]);
  g_free (exprs);
}

PlanNode *
opt__node_with_inputs (const PlanNode *node, PlanNode **inputs)
{
  PlanNode *copy = plan_node_new (node->kind, plan_schema_ref (node->schema), node->span,
                                  node->n_inputs, inputs);
  guint n;

  switch (node->kind)
    {
    case PLAN_NODE_SCAN:
      copy->u.scan.table = plan_table_ref (node->u.scan.table);
      copy->u.scan.n_columns = node->u.scan.n_columns;
      copy->u.scan.columns = g_memdup2 (node->u.scan.columns,
                                        node->u.scan.n_columns * sizeof (guint));
      if (node->u.scan.filter)
        copy->u.scan.filter = plan_expr_ref (node->u.scan.filter);
      break;
    case PLAN_NODE_VALUES:
      n = node->u.values.n_rows * node->schema->n_fields;
      copy->u.values.n_rows = node->u.values.n_rows;
      copy->u.values.values = g_new0 (PlanValue, n ? n : 1);
      for (guint i = 0; i < n; i++)
        plan_value_copy (&copy->u.values.values[i], &node->u.values.values[i]);
      break;
    case PLAN_NODE_FILTER:
      copy->u.filter.condition = plan_expr_ref (node->u.filter.condition);
      break;
    case PLAN_NODE_PROJECT:
      copy->u.project.n_exprs = node->u.project.n_exprs;
      copy->u.project.exprs = exprs_dup (node->u.project.exprs, node->u.project.n_exprs);
      break;
    case PLAN_NODE_LIMIT:
      copy->u.limit = node->u.limit;
      break;
    case PLAN_NODE_SINK:
      if (node->u.sink.table)
        copy->u.sink.table = plan_table_ref (node->u.sink.table);
      break;
    case PLAN_NODE_AGGREGATE:
      plan_aggregate_copy (&copy->u.aggregate, &node->u.aggregate);
      break;
    case PLAN_NODE_SORT: /* added by sort */
      plan_sort_copy (&copy->u.sort, &node->u.sort);
      break;
    case PLAN_NODE_JOIN: /* added by joins */
      plan_join_copy (&copy->u.join, &node->u.join);
      break;
    case PLAN_NODE_WINDOW: /* added by windows */
      copy->u.window = node->u.window;
      break;
    case PLAN_NODE_RANK: /* added by rank */
      plan_rank_copy (&copy->u.rank, &node->u.rank);
      break;
    case PLAN_NODE_UNION: /* added by rank: no payload */
      break;
    }
  return copy;
}

PlanNode *
opt__filter_new (PlanSpan span, PlanExpr *condition, PlanNode *input)
{
  PlanNode *node = plan_node_new (PLAN_NODE_FILTER, plan_schema_ref (input->schema), span, 1,
                                  &input);

  node->u.filter.condition = condition;
  return node;
}

/* A PROJECT over input; takes schema, exprs (array and refs) and input. */
static PlanNode *
project_new (const PlanNode *like, PlanSchema *schema, guint n_exprs, PlanExpr **exprs,
             PlanNode *input)
{
  PlanNode *node = plan_node_new (PLAN_NODE_PROJECT, schema, like->span, 1, &input);

  node->u.project.n_exprs = n_exprs;
  node->u.project.exprs = exprs;
  return node;
}

typedef PlanNode *(*RewriteFunc) (PlanNode *node);

/* node with every input replaced by fn (input); a ref of node itself when none changed. */
static PlanNode *
rewrite_inputs (PlanNode *node, RewriteFunc fn)
{
  g_autofree PlanNode **inputs = g_new0 (PlanNode *, node->n_inputs ? node->n_inputs : 1);
  gboolean changed = FALSE;

  for (guint i = 0; i < node->n_inputs; i++)
    {
      inputs[i] = fn (node->inputs[i]);
      changed |= inputs[i] != node->inputs[i];
    }
  if (changed)
    return opt__node_with_inputs (node, inputs);
  for (guint i = 0; i < node->n_inputs; i++)
    plan_node_unref (inputs[i]);
  return plan_node_ref (node);
}

/* ---- merge-filters ---------------------------------------------------------------------- */

/* Bottom-up, so a chain of three filters folds into one: the lower pair first. The lower
 * condition stays first in the AND, keeping the order in which the user's filters ran. */
static PlanNode *
merge_filters_rec (PlanNode *node)
{
  PlanNode *rewritten = rewrite_inputs (node, merge_filters_rec);
  PlanNode *inner, *merged;

  if (rewritten->kind != PLAN_NODE_FILTER || rewritten->inputs[0]->kind != PLAN_NODE_FILTER)
    return rewritten;
  inner = rewritten->inputs[0];
  merged = opt__filter_new (opt__span_union (inner->span, rewritten->span),
                            opt__expr_and (plan_expr_ref (inner->u.filter.condition),
                                           plan_expr_ref (rewritten->u.filter.condition)),
                            plan_node_ref (inner->inputs[0]));
  plan_node_unref (rewritten);
  return merged;
}

PlanNode *
opt_pass_merge_filters (PlanNode *root)
{
  g_return_val_if_fail (root != NULL, NULL);
  return merge_filters_rec (root);
}

/* ---- filter-pushdown -------------------------------------------------------------------- */

/* Appends the conjuncts of cond (refs) to out: AND trees are flattened. */
void
opt__split_conjuncts (PlanExpr *cond, GPtrArray *out)
{
  if (cond->kind == PLAN_EXPR_CALL && cond->u.call.func == PLAN_FUNC_AND)
    for (guint i = 0; i < cond->u.call.n_args; i++)
      opt__split_conjuncts (cond->u.call.args[i], out);
  else
    g_ptr_array_add (out, plan_expr_ref (cond));
}

/* ANDs the expressions of parts (stealing their refs) left to right; NULL when empty. */
PlanExpr *
opt__and_all (GPtrArray *parts)
{
  PlanExpr *out = NULL;

  for (guint i = 0; i < parts->len; i++)
    {
      PlanExpr *part = g_ptr_array_index (parts, i);

      out = out ? opt__expr_and (out, part) : part;
    }
  g_ptr_array_set_free_func (parts, NULL);
  g_ptr_array_set_size (parts, 0);
  return out;
}

/* TRUE when cond reads only columns whose projected expressions may be evaluated below the
 * projection, i.e. are deterministic: CURRENT_TIMESTAMP read once per batch above the
 * filter is not the same as read again inside it. */
static gboolean
movable_through_project (const PlanExpr *cond, const PlanNode *project)
{
  g_autoptr (GArray) columns = g_array_new (FALSE, FALSE, sizeof (guint));

  plan_expr_collect_columns (cond, columns);
  for (guint i = 0; i < columns->len; i++)
    if (!opt__expr_is_deterministic (project->u.project.exprs[g_array_index (columns, guint,
                                                                              i)]))
      return FALSE;
  return TRUE;
}

static PlanNode *push_filter (PlanSpan span, PlanExpr *cond, PlanNode *input);

/* FILTER(cond) over PROJECT: the movable conjuncts, rewritten through the projection's
 * expressions, go below it; the rest stay above. Takes cond and project. */
static PlanNode *
push_through_project (PlanSpan span, PlanExpr *cond, PlanNode *project)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  g_autoptr (GPtrArray) down = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  g_autoptr (GPtrArray) stay = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  PlanExpr *down_cond, *stay_cond;
  PlanNode *below, *result;

  if (movable_through_project (cond, project))
    g_ptr_array_add (down, opt__expr_substitute (cond, project->u.project.exprs));
  else
    {
      opt__split_conjuncts (cond, parts);
      for (guint i = 0; i < parts->len; i++)
        {
          PlanExpr *part = g_ptr_array_index (parts, i);

          if (movable_through_project (part, project))
            g_ptr_array_add (down, opt__expr_substitute (part, project->u.project.exprs));
          else
            g_ptr_array_add (stay, plan_expr_ref (part));
        }
    }
  if (down->len == 0)
    return opt__filter_new (span, cond, project);
  plan_expr_unref (cond);
  down_cond = opt__and_all (down);
  stay_cond = opt__and_all (stay);
  below = push_filter (span, down_cond, plan_node_ref (project->inputs[0]));
  result = opt__node_with_inputs (project, &below);
  plan_node_unref (project);
  return stay_cond ? opt__filter_new (span, stay_cond, result) : result;
}

/* Column i of an AGGREGATE's output as its input column when it is a group key, else
 * G_MAXUINT: the map that moves a condition on keys below the aggregate. */
static guint *
aggregate_key_map (const PlanNode *agg)
{
  guint n = agg->schema->n_fields;
  guint *map = g_new (guint, n ? n : 1);

  for (guint i = 0; i < n; i++)
    map[i] = i < agg->u.aggregate.n_keys ? agg->u.aggregate.keys[i] : G_MAXUINT;
  return map;
}

static gboolean
reads_only_keys (const PlanExpr *cond, const PlanNode *agg)
{
  g_autoptr (GArray) columns = g_array_new (FALSE, FALSE, sizeof (guint));

  plan_expr_collect_columns (cond, columns);
  for (guint i = 0; i < columns->len; i++)
    if (g_array_index (columns, guint, i) >= agg->u.aggregate.n_keys)
      return FALSE;
  return opt__expr_is_deterministic (cond);
}

/* FILTER over AGGREGATE: conjuncts on group keys only select whole groups, so they may
 * run below it (remapped to the input's columns); the rest stay above. Takes both. */
static PlanNode *
push_through_aggregate (PlanSpan span, PlanExpr *cond, PlanNode *agg)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  g_autoptr (GPtrArray) down = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  g_autoptr (GPtrArray) stay = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  g_autofree guint *map = aggregate_key_map (agg);
  PlanExpr *stay_cond;
  PlanNode *below, *result;

  opt__split_conjuncts (cond, parts);
  for (guint i = 0; i < parts->len; i++)
    {
      PlanExpr *part = g_ptr_array_index (parts, i);

      if (reads_only_keys (part, agg))
        g_ptr_array_add (down, plan_expr_remap_columns (part, map));
      else
        g_ptr_array_add (stay, plan_expr_ref (part));
    }
  if (down->len == 0)
    return opt__filter_new (span, cond, agg);
  plan_expr_unref (cond);
  stay_cond = opt__and_all (stay);
  below = push_filter (span, opt__and_all (down), plan_node_ref (agg->inputs[0]));
  result = opt__node_with_inputs (agg, &below);
  plan_node_unref (agg);
  return stay_cond ? opt__filter_new (span, stay_cond, result) : result;
}

/* A filter on cond placed over input, as deep as it may go. Takes cond and input. */
static PlanNode *
push_filter (PlanSpan span, PlanExpr *cond, PlanNode *input)
{
  PlanNode *result;
  PlanExpr *merged;

  switch (input->kind)
    {
    case PLAN_NODE_SCAN:
      /* The scan's filter reads the scan's output columns: the same ones the filter sees. */
      result = opt__node_with_inputs (input, NULL);
      if (result->u.scan.filter)
        cond = opt__expr_and (result->u.scan.filter, cond);
      result->u.scan.filter = cond;
      plan_node_unref (input);
      return result;
    case PLAN_NODE_PROJECT:
      return push_through_project (span, cond, input);
    case PLAN_NODE_AGGREGATE:
      return push_through_aggregate (span, cond, input);
    case PLAN_NODE_JOIN: /* added by joins: opt-join.c */
      return opt__push_through_join (span, cond, input);
    case PLAN_NODE_UNION: /* added by rank: opt-rank.c */
      return opt__push_through_union (span, cond, input);
    case PLAN_NODE_RANK:
      return opt__push_through_rank (span, cond, input);
    case PLAN_NODE_FILTER:
      /* The lower filter was pushed as far as it goes already: join it, lower one first. */
      merged = opt__expr_and (plan_expr_ref (input->u.filter.condition), cond);
      result = push_filter (opt__span_union (input->span, span), merged,
                            plan_node_ref (input->inputs[0]));
      plan_node_unref (input);
      return result;
    case PLAN_NODE_LIMIT:  /* filtering before a LIMIT would change which rows it keeps */
    case PLAN_NODE_SORT:   /* added by sort: stays above (a Top-N is a LIMIT too) */
    case PLAN_NODE_WINDOW: /* added by windows: stays above, like Flink's */
    case PLAN_NODE_VALUES:
    case PLAN_NODE_SINK:
    default:
      return opt__filter_new (span, cond, input);
    }
}

/* Whether push_filter would move a filter on cond anywhere over input. */
static gboolean
can_push (PlanExpr *cond, const PlanNode *input)
{
  g_autoptr (GPtrArray) parts = NULL;

  switch (input->kind)
    {
    case PLAN_NODE_SCAN:
    case PLAN_NODE_FILTER:
      return TRUE;
    case PLAN_NODE_PROJECT:
      parts = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
      opt__split_conjuncts (cond, parts);
      for (guint i = 0; i < parts->len; i++)
        if (movable_through_project (g_ptr_array_index (parts, i), input))
          return TRUE;
      return FALSE;
    case PLAN_NODE_AGGREGATE:
      parts = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
      opt__split_conjuncts (cond, parts);
      for (guint i = 0; i < parts->len; i++)
        if (reads_only_keys (g_ptr_array_index (parts, i), input))
          return TRUE;
      return FALSE;
    case PLAN_NODE_JOIN: /* added by joins */
      return opt__join_can_push (cond, input);
    case PLAN_NODE_UNION: /* added by rank */
      return opt__union_can_push (cond, input);
    case PLAN_NODE_RANK:
      return opt__rank_can_push (cond, input);
    case PLAN_NODE_VALUES:
    case PLAN_NODE_LIMIT:
    case PLAN_NODE_SINK:
    case PLAN_NODE_SORT: /* added by sort */
    case PLAN_NODE_WINDOW: /* added by windows */
    default:
      return FALSE;
    }
}

static PlanNode *
pushdown_rec (PlanNode *node)
{
  PlanNode *rewritten = rewrite_inputs (node, pushdown_rec);
  PlanNode *input;

  if (rewritten->kind != PLAN_NODE_FILTER
      || !can_push (rewritten->u.filter.condition, rewritten->inputs[0]))
    return rewritten;
  input = plan_node_ref (rewritten->inputs[0]);
  node = push_filter (rewritten->span, plan_expr_ref (rewritten->u.filter.condition), input);
  plan_node_unref (rewritten);
  return node;
}

/* added by joins: for opt-join.c */
PlanNode *
opt__push_filter (PlanSpan span, PlanExpr *cond, PlanNode *input)
{
  return push_filter (span, cond, input);
}

PlanNode *
opt_pass_filter_pushdown (PlanNode *root)
{
  g_return_val_if_fail (root != NULL, NULL);
  return pushdown_rec (root);
}

/* ---- projection-pruning ----------------------------------------------------------------- */

/* A rewritten subtree and where its old output columns went: map[old] is the new position,
 * G_MAXUINT when dropped; map NULL means "same columns, same order". */
typedef struct {
  PlanNode *node; /* owned */
  guint *map;     /* owned, nullable */
} Pruned;

static Pruned prune_rec (PlanNode *node, GArray *required);

static void
append_unique (GArray *list, guint value)
{
  for (guint i = 0; i < list->len; i++)
    if (g_array_index (list, guint, i) == value)
      return;
  g_array_append_val (list, value);
}

static PlanSchema *
schema_select (const PlanSchema *schema, const guint *picks, guint n)
{
  PlanSchema *out = plan_schema_new (n);

  for (guint i = 0; i < n; i++)
    plan_schema_set_field (out, i, schema->fields[picks[i]].name,
                           schema->fields[picks[i]].type);
  return out;
}

/* The map for keeping order[0..n) of n_old columns. */
static guint *
map_from_order (const GArray *order, guint n_old)
{
  guint *map = g_new (guint, n_old ? n_old : 1);

  for (guint i = 0; i < n_old; i++)
    map[i] = G_MAXUINT;
  for (guint k = 0; k < order->len; k++)
    map[g_array_index (order, guint, k)] = k;
  return map;
}

/* A SCAN reads the required columns in the order given (then those only its filter
 * reads). At least one column stays: a batch without columns would carry no row count. */
static Pruned
prune_scan (PlanNode *scan, GArray *required)
{
  g_autoptr (GArray) order = g_array_copy (required);
  guint n = scan->u.scan.n_columns;
  gboolean same = TRUE;
  PlanNode *node;
  Pruned out;

  if (scan->u.scan.filter)
    plan_expr_collect_columns (scan->u.scan.filter, order);
  if (order->len == 0 && n > 0)
    append_unique (order, 0);
  for (guint k = 0; k < order->len; k++)
    same &= g_array_index (order, guint, k) == k;
  if (same && order->len == n)
    return (Pruned) { plan_node_ref (scan), NULL };

  out.map = map_from_order (order, n);
  node = plan_node_new (PLAN_NODE_SCAN,
                        schema_select (scan->schema, (guint *) order->data, order->len),
                        scan->span, 0, NULL);
  node->u.scan.table = plan_table_ref (scan->u.scan.table);
  node->u.scan.n_columns = order->len;
  node->u.scan.columns = g_new (guint, order->len ? order->len : 1);
  for (guint k = 0; k < order->len; k++)
    node->u.scan.columns[k] = scan->u.scan.columns[g_array_index (order, guint, k)];
  if (scan->u.scan.filter)
    node->u.scan.filter = plan_expr_remap_columns (scan->u.scan.filter, out.map);
  out.node = node;
  return out;
}

static Pruned
prune_filter (PlanNode *filter, GArray *required)
{
  g_autoptr (GArray) need = g_array_copy (required);
  PlanExpr *cond;
  Pruned child;

  plan_expr_collect_columns (filter->u.filter.condition, need);
  child = prune_rec (filter->inputs[0], need);
  if (child.map == NULL && child.node == filter->inputs[0])
    {
      plan_node_unref (child.node);
      return (Pruned) { plan_node_ref (filter), NULL };
    }
  cond = child.map ? plan_expr_remap_columns (filter->u.filter.condition, child.map)
                   : plan_expr_ref (filter->u.filter.condition);
  /* A filter passes its input's columns through, so its map is its input's. */
  return (Pruned) { opt__filter_new (filter->span, cond, child.node), child.map };
}

static Pruned
prune_pass_through (PlanNode *node, GArray *required)
{
  Pruned child = prune_rec (node->inputs[0], required);
  PlanNode *copy;

  if (child.map == NULL && child.node == node->inputs[0])
    {
      plan_node_unref (child.node);
      return (Pruned) { plan_node_ref (node), NULL };
    }
  copy = opt__node_with_inputs (node, &child.node);
  g_clear_pointer (&copy->schema, plan_schema_unref);
  copy->schema = plan_schema_ref (child.node->schema);
  return (Pruned) { copy, child.map };
}

static gint
compare_guint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

/* Columns of the input that exprs read: in expression order when every expression is a
 * distinct bare column (so a scan below can read them in that order and the projection
 * becomes an identity), else ascending (the table's order). */
static GArray *
project_child_order (PlanExpr *const *exprs, guint n)
{
  GArray *order = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean bare = TRUE;

  for (guint i = 0; i < n; i++)
    {
      guint before = order->len;

      plan_expr_collect_columns (exprs[i], order);
      bare &= exprs[i]->kind == PLAN_EXPR_COLUMN && order->len == before + 1;
    }
  if (!bare)
    g_array_sort (order, compare_guint);
  return order;
}

static void
count_uses (const PlanExpr *expr, guint *uses)
{
  if (expr->kind == PLAN_EXPR_COLUMN)
    uses[expr->u.column]++;
  else if (expr->kind == PLAN_EXPR_CALL)
    for (guint i = 0; i < expr->u.call.n_args; i++)
      count_uses (expr->u.call.args[i], uses);
}

/* TRUE when inlining inner's expressions into exprs repeats no work per row: each inner
 * expression that exprs read is a bare column or a literal, or is deterministic and read
 * exactly once. */
static gboolean
merge_is_cheap (PlanExpr *const *exprs, guint n, const PlanNode *inner)
{
  guint n_inner = inner->u.project.n_exprs;
  g_autofree guint *uses = g_new0 (guint, n_inner ? n_inner : 1);

  for (guint i = 0; i < n; i++)
    count_uses (exprs[i], uses);
  for (guint j = 0; j < n_inner; j++)
    {
      const PlanExpr *e = inner->u.project.exprs[j];

      if (uses[j] == 0 || e->kind == PLAN_EXPR_COLUMN || e->kind == PLAN_EXPR_LITERAL)
        continue;
      if (uses[j] > 1 || !opt__expr_is_deterministic (e))
        return FALSE;
    }
  return TRUE;
}

/* Folds the projections directly below into exprs (replaced in place) while that is cheap.
 * Takes below; returns the node the merged expressions now read (a new ref). */
static PlanNode *
merge_projects (PlanExpr **exprs, guint n, PlanNode *below, gboolean *merged)
{
  while (below->kind == PLAN_NODE_PROJECT && merge_is_cheap (exprs, n, below))
    {
      PlanNode *next = plan_node_ref (below->inputs[0]);

      for (guint k = 0; k < n; k++)
        {
          PlanExpr *inlined = opt__expr_substitute (exprs[k], below->u.project.exprs);

          plan_expr_unref (exprs[k]);
          exprs[k] = inlined;
        }
      plan_node_unref (below);
      below = next;
      *merged = TRUE;
    }
  return below;
}

/* A projection that hands its input through unchanged: same columns, order, names, types. */
static gboolean
project_is_identity (PlanExpr *const *exprs, guint n, const PlanSchema *schema,
                     const PlanNode *input)
{
  const PlanSchema *in = input->schema;

  if (n != in->n_fields || n != schema->n_fields)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (exprs[i]->kind != PLAN_EXPR_COLUMN || exprs[i]->u.column != i
        || g_strcmp0 (schema->fields[i].name, in->fields[i].name) != 0
        || !plan_type_equal (schema->fields[i].type, in->fields[i].type))
      return FALSE;
  return TRUE;
}

/* Keeps the required expressions (in their original order), prunes the input to what they
 * read, merges a cheap projection below into this one, and drops the result when it has
 * become an identity. */
static Pruned
prune_project (PlanNode *project, GArray *required)
{
  guint n = project->u.project.n_exprs, n_kept;
  g_autoptr (GArray) kept = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree gboolean *want = g_new0 (gboolean, n ? n : 1);
  g_autofree PlanExpr **exprs = NULL;
  g_autoptr (GArray) need = NULL;
  gboolean merged = FALSE, child_same;
  PlanSchema *schema;
  PlanNode *below;
  Pruned child;
  guint *map;

  for (guint r = 0; r < required->len; r++)
    want[g_array_index (required, guint, r)] = TRUE;
  for (guint i = 0; i < n; i++)
    if (want[i] || (i == 0 && required->len == 0))
      g_array_append_val (kept, i);
  n_kept = kept->len;
  exprs = g_new0 (PlanExpr *, n_kept ? n_kept : 1);
  for (guint k = 0; k < n_kept; k++)
    exprs[k] = project->u.project.exprs[g_array_index (kept, guint, k)];
  need = project_child_order (exprs, n_kept);
  child = prune_rec (project->inputs[0], need);
  for (guint k = 0; k < n_kept; k++)
    exprs[k] = child.map ? plan_expr_remap_columns (exprs[k], child.map)
                         : plan_expr_ref (exprs[k]);
  child_same = child.map == NULL && child.node == project->inputs[0];
  g_free (child.map);
  below = merge_projects (exprs, n_kept, child.node, &merged);

  schema = n_kept == n ? plan_schema_ref (project->schema)
                       : schema_select (project->schema, (guint *) kept->data, n_kept);
  map = n_kept == n ? NULL : map_from_order (kept, n);
  if (project_is_identity (exprs, n_kept, schema, below))
    {
      exprs_free (g_steal_pointer (&exprs), n_kept);
      plan_schema_unref (schema);
      return (Pruned) { below, map };
    }
  if (!merged && map == NULL && child_same)
    {
      exprs_free (g_steal_pointer (&exprs), n_kept);
      plan_schema_unref (schema);
      plan_node_unref (below);
      return (Pruned) { plan_node_ref (project), NULL };
    }
  return (Pruned) { project_new (project, schema, n_kept, g_steal_pointer (&exprs), below),
                    map };
}

/* AGGREGATE keeps all of its calls and columns (dropping an unused call is a later
 * refinement); its input is asked only for the keys, arguments and FILTER columns. */
static Pruned
prune_aggregate (PlanNode *agg, GArray *required)
{
  const PlanAggregate *a = &agg->u.aggregate;
  g_autoptr (GArray) need = g_array_new (FALSE, FALSE, sizeof (guint));
  PlanNode *copy;
  Pruned p;

  (void) required;
  for (guint i = 0; i < a->n_keys; i++)
    append_unique (need, a->keys[i]);
  for (guint j = 0; j < a->n_aggs; j++)
    {
      if (a->aggs[j].arg >= 0)
        append_unique (need, (guint) a->aggs[j].arg);
      if (a->aggs[j].filter >= 0)
        append_unique (need, (guint) a->aggs[j].filter);
    }
  g_array_sort (need, compare_guint);
  if (need->len == 0) /* COUNT(*) alone: any one column carries the row count */
    {
      guint zero = 0;
      if (agg->inputs[0]->schema->n_fields > 0)
        g_array_append_val (need, zero);
    }
  p = prune_rec (agg->inputs[0], need);
  if (p.node == agg->inputs[0] && p.map == NULL)
    {
      plan_node_unref (p.node);
      return (Pruned) { plan_node_ref (agg), NULL };
    }
  copy = opt__node_with_inputs (agg, &p.node);
  if (p.map != NULL)
    {
      PlanAggregate *c = &copy->u.aggregate;

      for (guint i = 0; i < c->n_keys; i++)
        c->keys[i] = p.map[c->keys[i]];
      for (guint j = 0; j < c->n_aggs; j++)
        {
          if (c->aggs[j].arg >= 0)
            c->aggs[j].arg = (gint) p.map[c->aggs[j].arg];
          if (c->aggs[j].filter >= 0)
            c->aggs[j].filter = (gint) p.map[c->aggs[j].filter];
        }
      g_free (p.map);
    }
  return (Pruned) { copy, NULL };
}

/* Asks a join side for need (sorted; one column at least, so its batches still carry a
 * row count). */
static Pruned
prune_side (PlanNode *side, GArray *need)
{
  guint zero = 0;

  g_array_sort (need, compare_guint);
  if (need->len == 0 && side->schema->n_fields > 0)
    g_array_append_val (need, zero);
  return prune_rec (side, need);
}

/* A JOIN asks each side for the required columns it produces plus its keys and the
 * residual's columns; the output is the two pruned sides side by side. */
static Pruned
prune_join (PlanNode *join, GArray *required)
{
  const PlanJoin *j = &join->u.join;
  guint nl = join->inputs[0]->schema->n_fields, n = join->schema->n_fields;
  g_autoptr (GArray) need_l = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) need_r = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) all = g_array_copy (required);
  Pruned l, r, out;
  guint *map, nl_new;
  PlanNode *sides[2], *copy;

  if (j->residual)
    plan_expr_collect_columns (j->residual, all);
  for (guint k = 0; k < j->n_keys; k++)
    {
      append_unique (need_l, j->left_keys[k]);
      append_unique (need_r, j->right_keys[k]);
    }
  for (guint i = 0; i < all->len; i++)
    {
      guint c = g_array_index (all, guint, i);
      if (c < nl)
        append_unique (need_l, c);
      else
        append_unique (need_r, c - nl);
    }
  l = prune_side (join->inputs[0], need_l);
  r = prune_side (join->inputs[1], need_r);
  if (l.map == NULL && r.map == NULL && l.node == join->inputs[0]
      && r.node == join->inputs[1])
    {
      plan_node_unref (l.node);
      plan_node_unref (r.node);
      return (Pruned) { plan_node_ref (join), NULL };
    }
  nl_new = l.node->schema->n_fields;
  map = g_new (guint, n ? n : 1);
  for (guint i = 0; i < n; i++)
    {
      guint m = i < nl ? (l.map ? l.map[i] : i) : (r.map ? r.map[i - nl] : i - nl);
      map[i] = m == G_MAXUINT ? G_MAXUINT : (i < nl ? m : nl_new + m);
    }
  sides[0] = l.node;
  sides[1] = r.node;
  copy = plan_node_new (PLAN_NODE_JOIN,
                        plan_join_schema (l.node->schema, r.node->schema, j->type),
                        join->span, 2, sides);
  plan_join_copy (&copy->u.join, j);
  for (guint k = 0; k < j->n_keys; k++)
    {
      copy->u.join.left_keys[k] = map[j->left_keys[k]];
      copy->u.join.right_keys[k] = map[nl + j->right_keys[k]] - nl_new;
    }
  if (j->residual)
    {
      plan_expr_unref (copy->u.join.residual);
      copy->u.join.residual = plan_expr_remap_columns (j->residual, map);
    }
  g_free (l.map);
  g_free (r.map);
  out.node = copy;
  out.map = map;
  return out;
}

/* added by window pruning: a window TVF passes its input's columns through and appends
 * window_start, window_end and window_time, so its input needs only the columns required
 * of it plus the time attribute and SESSION's partition columns. Without this every
 * column of a wide source (Nexmark's bid.extra, url, channel) was generated and carried
 * through the TVF's copies of each row only to be dropped right above it. */
static Pruned
prune_window (PlanNode *window, GArray *required)
{
  const PlanWindow *w = &window->u.window;
  guint n_in = window->inputs[0]->schema->n_fields, n_out = window->schema->n_fields;
  g_autoptr (GArray) need = g_array_new (FALSE, FALSE, sizeof (guint));
  PlanNode *copy;
  PlanSchema *schema;
  Pruned child, out;
  guint n_child;

  for (guint k = 0; k < required->len; k++)
    if (g_array_index (required, guint, k) < n_in)
      append_unique (need, g_array_index (required, guint, k));
  append_unique (need, w->time_col);
  for (guint k = 0; k < w->n_partition; k++)
    append_unique (need, w->partition[k]);
  child = prune_rec (window->inputs[0], need);
  if (child.map == NULL && child.node == window->inputs[0])
    {
      plan_node_unref (child.node);
      return (Pruned) { plan_node_ref (window), NULL };
    }
  copy = opt__node_with_inputs (window, &child.node);
  n_child = child.node->schema->n_fields;
  schema = plan_schema_new (n_child + (n_out - n_in));
  for (guint c = 0; c < n_child; c++)
    plan_schema_set_field (schema, c, child.node->schema->fields[c].name,
                           child.node->schema->fields[c].type);
  for (guint c = n_in; c < n_out; c++)
    plan_schema_set_field (schema, n_child + (c - n_in), window->schema->fields[c].name,
                           window->schema->fields[c].type);
  g_clear_pointer (&copy->schema, plan_schema_unref);
  copy->schema = schema;
  out.map = g_new (guint, n_out);
  for (guint c = 0; c < n_out; c++)
    out.map[c] = c >= n_in ? n_child + (c - n_in) : child.map ? child.map[c] : c;
  if (child.map != NULL)
    {
      copy->u.window.time_col = child.map[w->time_col];
      for (guint k = 0; k < w->n_partition; k++)
        copy->u.window.partition[k] = child.map[w->partition[k]];
    }
  g_free (child.map);
  out.node = copy;
  return out;
}

/* Prunes node's subtree while keeping all of node's columns, in order. */
static PlanNode *
prune_keep_all (PlanNode *node)
{
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (guint));
  PlanExpr **exprs;
  PlanNode *restore;
  Pruned p;

  for (guint i = 0; i < node->schema->n_fields; i++)
    g_array_append_val (all, i);
  p = prune_rec (node, all);
  if (p.map == NULL)
    return p.node;
  /* Requiring every column in order leaves them in place; should a rule ever move them,
   * a projection puts them back rather than hand the parent the wrong columns. */
  exprs = g_new0 (PlanExpr *, all->len ? all->len : 1);
  for (guint i = 0; i < all->len; i++)
    exprs[i] = plan_expr_column (p.map[i], node->schema->fields[i].type, node->span);
  restore = plan_node_new (PLAN_NODE_PROJECT, plan_schema_ref (node->schema), node->span, 1,
                           &p.node);
  restore->u.project.n_exprs = all->len;
  restore->u.project.exprs = exprs;
  g_free (p.map);
  return restore;
}

static Pruned
prune_rec (PlanNode *node, GArray *required)
{
  PlanNode *input;

  switch (node->kind)
    {
    case PLAN_NODE_SCAN:
      return prune_scan (node, required);
    case PLAN_NODE_FILTER:
      return prune_filter (node, required);
    case PLAN_NODE_PROJECT:
      return prune_project (node, required);
    case PLAN_NODE_LIMIT:
      return prune_pass_through (node, required);
    case PLAN_NODE_AGGREGATE:
      return prune_aggregate (node, required);
    case PLAN_NODE_JOIN: /* added by joins */
      return prune_join (node, required);
    case PLAN_NODE_UNION: /* added by rank: opt-rank.c */
      {
        guint *map = NULL;
        PlanNode *pruned = opt__prune_union (node, required, &map);

        return (Pruned) { pruned, map };
      }
    case PLAN_NODE_RANK:
      {
        guint *map = NULL;
        PlanNode *pruned = opt__prune_rank (node, required, &map);

        return (Pruned) { pruned, map };
      }
    case PLAN_NODE_WINDOW: /* added by window pruning */
      return prune_window (node, required);
    case PLAN_NODE_SORT: /* added by sort: keeps its input's columns (keys are among them) */
    case PLAN_NODE_SINK:
      /* A sink writes (or returns) every column of its input. */
      input = prune_keep_all (node->inputs[0]);
      if (input == node->inputs[0])
        {
          plan_node_unref (input);
          return (Pruned) { plan_node_ref (node), NULL };
        }
      return (Pruned) { opt__node_with_inputs (node, &input), NULL };
    case PLAN_NODE_VALUES:
    default:
      return (Pruned) { plan_node_ref (node), NULL };
    }
}

/* added by rank: prune_keep_all for a chosen list of columns (for opt-rank.c). */
PlanNode *
opt__prune_to (PlanNode *node, GArray *cols)
{
  g_autoptr (GArray) req = g_array_copy (cols);
  PlanExpr **exprs;
  PlanNode *restore;
  Pruned p = prune_rec (node, req);
  gboolean identity = p.node->schema->n_fields == cols->len;

  for (guint i = 0; i < cols->len && identity; i++)
    {
      guint c = g_array_index (cols, guint, i);

      identity = (p.map ? p.map[c] : c) == i;
    }
  if (identity)
    {
      g_free (p.map);
      return p.node;
    }
  exprs = g_new0 (PlanExpr *, MAX (cols->len, 1));
  restore = plan_node_new (PLAN_NODE_PROJECT, plan_schema_new (cols->len), node->span, 1,
                           &p.node);
  for (guint i = 0; i < cols->len; i++)
    {
      guint c = g_array_index (cols, guint, i);
      const PlanField *f = &node->schema->fields[c];

      exprs[i] = plan_expr_column (p.map ? p.map[c] : c, f->type, node->span);
      plan_schema_set_field (restore->schema, i, f->name, f->type);
    }
  restore->u.project.n_exprs = cols->len;
  restore->u.project.exprs = exprs;
  g_free (p.map);
  return restore;
}

PlanNode *
opt_pass_projection_pruning (PlanNode *root)
{
  g_return_val_if_fail (root != NULL, NULL);
  return prune_keep_all (root);
}
