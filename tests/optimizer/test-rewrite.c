/* test-rewrite.c: the logical rewrite passes, the pass driver and the plan verifier, on
 * plans built by hand (no parser), with expected shapes worked out on paper. */
#include "optimizer/opt-private.h"

#include <string.h>

/* ---- building plans -------------------------------------------------------------------- */

static PlanSpan
span_at (guint col)
{
  return (PlanSpan) { col - 1, col + 3, 1, col };
}

static PlanType
ty (PlanTypeKind kind)
{
  return plan_type_make (kind, TRUE);
}

/* t (a INT, b BIGINT, c VARCHAR, d DOUBLE) WITH ('connector' = connector) */
static PlanTable *
make_table (const char *name, const char *connector)
{
  PlanSchema *schema = plan_schema_new (4);
  PlanTable *table;

  plan_schema_set_field (schema, 0, "a", ty (PLAN_TYPE_INT));
  plan_schema_set_field (schema, 1, "b", ty (PLAN_TYPE_BIGINT));
  plan_schema_set_field (schema, 2, "c", ty (PLAN_TYPE_VARCHAR));
  plan_schema_set_field (schema, 3, "d", ty (PLAN_TYPE_DOUBLE));
  table = plan_table_new (name, schema, span_at (1));
  plan_table_add_option (table, "connector", connector);
  return table;
}

static PlanNode *
scan_new (PlanTable *table, PlanExpr *filter)
{
  PlanSchema *schema = plan_schema_new (table->schema->n_fields);
  PlanNode *scan;

  for (guint i = 0; i < schema->n_fields; i++)
    plan_schema_set_field (schema, i, table->schema->fields[i].name,
                           table->schema->fields[i].type);
  scan = plan_node_new (PLAN_NODE_SCAN, schema, span_at (20), 0, NULL);
  scan->u.scan.table = plan_table_ref (table);
  scan->u.scan.n_columns = schema->n_fields;
  scan->u.scan.columns = g_new (guint, schema->n_fields);
  for (guint i = 0; i < schema->n_fields; i++)
    scan->u.scan.columns[i] = i;
  scan->u.scan.filter = filter;
  return scan;
}

static PlanExpr *
col (guint i, PlanTypeKind kind)
{
  return plan_expr_column (i, ty (kind), span_at (30 + i));
}

static PlanExpr *
lit_int (PlanTypeKind kind, gint64 v)
{
  PlanValue value = { .type = ty (kind), .is_null = FALSE, .v.i = v };

  return plan_expr_literal (&value, span_at (40));
}

static PlanExpr *
call2 (PlanFunc func, PlanTypeKind kind, PlanExpr *x, PlanExpr *y)
{
  PlanExpr *args[2] = { x, y };

  return plan_expr_call (func, ty (kind), 2, args, opt__span_union (x->span, y->span));
}

static PlanExpr *
now_expr (void)
{
  return plan_expr_call (PLAN_FUNC_CURRENT_TIMESTAMP, ty (PLAN_TYPE_TIMESTAMP), 0, NULL,
                         span_at (50));
}

static PlanNode *
filter_new (PlanNode *input, PlanExpr *cond, guint col_at)
{
  PlanNode *node = plan_node_new (PLAN_NODE_FILTER, plan_schema_ref (input->schema),
                                  span_at (col_at), 1, &input);

  node->u.filter.condition = cond;
  return node;
}

/* PROJECT over input: n expressions (taken) named by names. */
static PlanNode *
project_new (PlanNode *input, guint n, PlanExpr **exprs, const char *const *names)
{
  PlanSchema *schema = plan_schema_new (n);
  PlanNode *node;

  for (guint i = 0; i < n; i++)
    plan_schema_set_field (schema, i, names[i], exprs[i]->type);
  node = plan_node_new (PLAN_NODE_PROJECT, schema, span_at (8), 1, &input);
  node->u.project.n_exprs = n;
  node->u.project.exprs = g_memdup2 (exprs, n * sizeof (PlanExpr *));
  return node;
}

static PlanNode *
limit_new (PlanNode *input, gint64 limit, gint64 offset)
{
  PlanNode *node = plan_node_new (PLAN_NODE_LIMIT, plan_schema_ref (input->schema),
                                  span_at (60), 1, &input);

  node->u.limit.limit = limit;
  node->u.limit.offset = offset;
  return node;
}

static PlanNode *
sink_new (PlanNode *input, PlanTable *table)
{
  PlanNode *node = plan_node_new (PLAN_NODE_SINK, plan_schema_ref (input->schema),
                                  span_at (1), 1, &input);

  node->u.sink.table = table ? plan_table_ref (table) : NULL;
  return node;
}

static void
assert_column (const PlanExpr *expr, guint column)
{
  g_assert_nonnull (expr);
  g_assert_cmpint (expr->kind, ==, PLAN_EXPR_COLUMN);
  g_assert_cmpuint (expr->u.column, ==, column);
}

static void
assert_call (const PlanExpr *expr, PlanFunc func, guint n_args)
{
  g_assert_nonnull (expr);
  g_assert_cmpint (expr->kind, ==, PLAN_EXPR_CALL);
  g_assert_cmpint (expr->u.call.func, ==, func);
  g_assert_cmpuint (expr->u.call.n_args, ==, n_args);
}

static void
assert_valid (PlanNode *plan)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (opt_verify_plan (plan, &error));
  g_assert_no_error (error);
}

/* ---- merge-filters --------------------------------------------------------------------- */

static void
test_merge_filters (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  PlanNode *scan = scan_new (t, NULL);
  PlanExpr *inner_cond = call2 (PLAN_FUNC_GT, PLAN_TYPE_BOOLEAN, col (1, PLAN_TYPE_BIGINT),
                                lit_int (PLAN_TYPE_BIGINT, 2));
  PlanExpr *outer_cond = call2 (PLAN_FUNC_GT, PLAN_TYPE_BOOLEAN, col (0, PLAN_TYPE_INT),
                                lit_int (PLAN_TYPE_INT, 1));
  PlanNode *inner = filter_new (scan, inner_cond, 70);
  PlanNode *outer = filter_new (inner, outer_cond, 90);
  g_autoptr (PlanNode) plan = sink_new (outer, NULL);
  g_autoptr (PlanNode) merged = opt_pass_merge_filters (plan);
  PlanNode *f;

  assert_valid (merged);
  g_assert_true (merged != plan);
  f = merged->inputs[0];
  g_assert_cmpint (f->kind, ==, PLAN_NODE_FILTER);
  /* the lower condition first, both shared, not copied */
  assert_call (f->u.filter.condition, PLAN_FUNC_AND, 2);
  g_assert_true (f->u.filter.condition->u.call.args[0] == inner_cond);
  g_assert_true (f->u.filter.condition->u.call.args[1] == outer_cond);
  g_assert_true (f->inputs[0] == scan);
  /* the merged node covers both filters' text: from col 70 to col 90 + 4 */
  g_assert_cmpuint (f->span.col, ==, 70);
  g_assert_cmpuint (f->span.end, ==, 93);
  /* the input plan is untouched */
  g_assert_true (plan->inputs[0] == outer && outer->inputs[0] == inner);
  g_assert_cmpint (outer->ref_count, ==, 1);
}

static void
test_merge_filters_three (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  PlanNode *node = scan_new (t, NULL);
  g_autoptr (PlanNode) plan = NULL, merged = NULL, again = NULL;
  const PlanExpr *cond;

  for (guint i = 0; i < 3; i++)
    node = filter_new (node, call2 (PLAN_FUNC_GT, PLAN_TYPE_BOOLEAN, col (0, PLAN_TYPE_INT),
                                    lit_int (PLAN_TYPE_INT, i)), 70 + i);
  plan = sink_new (node, NULL);
  merged = opt_pass_merge_filters (plan);
  assert_valid (merged);
  g_assert_cmpint (merged->inputs[0]->kind, ==, PLAN_NODE_FILTER);
  g_assert_cmpint (merged->inputs[0]->inputs[0]->kind, ==, PLAN_NODE_SCAN);
  /* AND(AND(a > 0, a > 1), a > 2): lowest first */
  cond = merged->inputs[0]->u.filter.condition;
  assert_call (cond, PLAN_FUNC_AND, 2);
  assert_call (cond->u.call.args[0], PLAN_FUNC_AND, 2);
  g_assert_cmpint (cond->u.call.args[1]->u.call.args[1]->u.literal.v.i, ==, 2);
  g_assert_cmpint (cond->u.call.args[0]->u.call.args[0]->u.call.args[1]->u.literal.v.i, ==, 0);
  /* nothing left to merge: the same root comes back */
  again = opt_pass_merge_filters (merged);
  g_assert_true (again == merged);
}

/* ---- filter-pushdown ------------------------------------------------------------------- */

/* SINK <- FILTER(y > 10) <- PROJECT(x := c, y := b + 1) <- SCAN t */
static PlanNode *
filter_over_project (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  PlanExpr *exprs[2] = { col (2, PLAN_TYPE_VARCHAR),
                         call2 (PLAN_FUNC_ADD, PLAN_TYPE_BIGINT, col (1, PLAN_TYPE_BIGINT),
                                lit_int (PLAN_TYPE_BIGINT, 1)) };
  const char *names[2] = { "x", "y" };
  PlanNode *project = project_new (scan_new (t, NULL), 2, exprs, names);
  PlanExpr *cond = call2 (PLAN_FUNC_GT, PLAN_TYPE_BOOLEAN, col (1, PLAN_TYPE_BIGINT),
                          lit_int (PLAN_TYPE_BIGINT, 10));

  return sink_new (filter_new (project, cond, 70), NULL);
}

static void
test_pushdown_through_project (void)
{
  g_autoptr (PlanNode) plan = filter_over_project ();
  g_autoptr (PlanNode) pushed = opt_pass_filter_pushdown (plan);
  PlanNode *project, *scan;
  const PlanExpr *f;

  assert_valid (pushed);
  project = pushed->inputs[0];
  g_assert_cmpint (project->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpuint (project->span.col, ==, 8);
  scan = project->inputs[0];
  g_assert_cmpint (scan->kind, ==, PLAN_NODE_SCAN);
  g_assert_cmpuint (scan->span.col, ==, 20);
  /* y > 10 became (b + 1) > 10 over the scan's column 1 */
  f = scan->u.scan.filter;
  assert_call (f, PLAN_FUNC_GT, 2);
  assert_call (f->u.call.args[0], PLAN_FUNC_ADD, 2);
  assert_column (f->u.call.args[0]->u.call.args[0], 1);
  g_assert_cmpint (f->u.call.args[1]->u.literal.v.i, ==, 10);
  /* the original plan still has its filter above the projection */
  g_assert_cmpint (plan->inputs[0]->kind, ==, PLAN_NODE_FILTER);
  g_assert_null (plan->inputs[0]->inputs[0]->inputs[0]->u.scan.filter);
}

static void
test_pushdown_reads_renamed_column (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  PlanExpr *exprs[2] = { col (3, PLAN_TYPE_DOUBLE), col (0, PLAN_TYPE_INT) };
  const char *names[2] = { "dd", "aa" };
  PlanNode *project = project_new (scan_new (t, NULL), 2, exprs, names);
  PlanExpr *cond = call2 (PLAN_FUNC_LT, PLAN_TYPE_BOOLEAN, col (1, PLAN_TYPE_INT),
                          lit_int (PLAN_TYPE_INT, 3));
  g_autoptr (PlanNode) plan = sink_new (filter_new (project, cond, 70), NULL);
  g_autoptr (PlanNode) pushed = opt_pass_filter_pushdown (plan);
  const PlanExpr *f;

  assert_valid (pushed);
  f = pushed->inputs[0]->inputs[0]->u.scan.filter;
  /* aa is the projection's column 1, which is the table's column 0 */
  assert_call (f, PLAN_FUNC_LT, 2);
  assert_column (f->u.call.args[0], 0);
}

static void
test_pushdown_not_through_limit (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  PlanNode *limit = limit_new (scan_new (t, NULL), 5, 0);
  PlanExpr *cond = call2 (PLAN_FUNC_GT, PLAN_TYPE_BOOLEAN, col (0, PLAN_TYPE_INT),
                          lit_int (PLAN_TYPE_INT, 1));
  g_autoptr (PlanNode) plan = sink_new (filter_new (limit, cond, 70), NULL);
  g_autoptr (PlanNode) pushed = opt_pass_filter_pushdown (plan);

  g_assert_true (pushed == plan);
  g_assert_cmpint (pushed->inputs[0]->kind, ==, PLAN_NODE_FILTER);
  g_assert_cmpint (pushed->inputs[0]->inputs[0]->kind, ==, PLAN_NODE_LIMIT);
  g_assert_null (limit->inputs[0]->u.scan.filter);
}

static void
test_pushdown_keeps_nondeterministic (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  PlanExpr *exprs[2] = { now_expr (), col (0, PLAN_TYPE_INT) };
  const char *names[2] = { "ts", "a" };
  PlanNode *project = project_new (scan_new (t, NULL), 2, exprs, names);
  /* ts > 5 AND a > 1: only the second conjunct may move */
  PlanExpr *cond = call2 (PLAN_FUNC_AND, PLAN_TYPE_BOOLEAN,
                          call2 (PLAN_FUNC_GT, PLAN_TYPE_BOOLEAN, col (0, PLAN_TYPE_TIMESTAMP),
                                 lit_int (PLAN_TYPE_TIMESTAMP, 5)),
                          call2 (PLAN_FUNC_GT, PLAN_TYPE_BOOLEAN, col (1, PLAN_TYPE_INT),
                                 lit_int (PLAN_TYPE_INT, 1)));
  g_autoptr (PlanNode) plan = sink_new (filter_new (project, cond, 70), NULL);
  g_autoptr (PlanNode) pushed = opt_pass_filter_pushdown (plan);
  PlanNode *above, *scan;

  assert_valid (pushed);
  above = pushed->inputs[0];
  g_assert_cmpint (above->kind, ==, PLAN_NODE_FILTER);
  g_assert_cmpuint (above->span.col, ==, 70);
  assert_call (above->u.filter.condition, PLAN_FUNC_GT, 2);
  assert_column (above->u.filter.condition->u.call.args[0], 0);
  g_assert_cmpint (above->u.filter.condition->u.call.args[0]->type.kind, ==,
                   PLAN_TYPE_TIMESTAMP);
  g_assert_cmpint (above->inputs[0]->kind, ==, PLAN_NODE_PROJECT);
  scan = above->inputs[0]->inputs[0];
  g_assert_cmpint (scan->kind, ==, PLAN_NODE_SCAN);
  assert_call (scan->u.scan.filter, PLAN_FUNC_GT, 2);
  assert_column (scan->u.scan.filter->u.call.args[0], 0);
  g_assert_cmpint (scan->u.scan.filter->u.call.args[1]->u.literal.v.i, ==, 1);
}

static void
test_pushdown_ands_scan_filter (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  PlanExpr *existing = call2 (PLAN_FUNC_GT, PLAN_TYPE_BOOLEAN, col (1, PLAN_TYPE_BIGINT),
                              lit_int (PLAN_TYPE_BIGINT, 7));
  PlanExpr *cond = call2 (PLAN_FUNC_LT, PLAN_TYPE_BOOLEAN, col (0, PLAN_TYPE_INT),
                          lit_int (PLAN_TYPE_INT, 9));
  g_autoptr (PlanNode) plan = sink_new (filter_new (scan_new (t, existing), cond, 70), NULL);
  g_autoptr (PlanNode) pushed = opt_pass_filter_pushdown (plan);
  const PlanExpr *f;

  assert_valid (pushed);
  g_assert_cmpint (pushed->inputs[0]->kind, ==, PLAN_NODE_SCAN);
  f = pushed->inputs[0]->u.scan.filter;
  assert_call (f, PLAN_FUNC_AND, 2);
  g_assert_true (f->u.call.args[0] == existing);
  g_assert_true (f->u.call.args[1] == cond);
}

/* ---- projection-pruning ---------------------------------------------------------------- */

static void
test_pruning_remaps (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  PlanExpr *scan_filter = call2 (PLAN_FUNC_GT, PLAN_TYPE_BOOLEAN, col (1, PLAN_TYPE_BIGINT),
                                 lit_int (PLAN_TYPE_BIGINT, 5));
  PlanExpr *exprs[2] = { call2 (PLAN_FUNC_ADD, PLAN_TYPE_DOUBLE, col (3, PLAN_TYPE_DOUBLE),
                                col (3, PLAN_TYPE_DOUBLE)),
                         col (2, PLAN_TYPE_VARCHAR) };
  const char *names[2] = { "dd", "c" };
  PlanNode *project = project_new (scan_new (t, scan_filter), 2, exprs, names);
  g_autoptr (PlanNode) plan = sink_new (project, NULL);
  g_autoptr (PlanNode) pruned = opt_pass_projection_pruning (plan);
  PlanNode *p, *scan;

  assert_valid (pruned);
  p = pruned->inputs[0];
  g_assert_cmpint (p->kind, ==, PLAN_NODE_PROJECT);
  scan = p->inputs[0];
  /* the projection reads c and d (ascending: it is not a bare column list), the filter b */
  g_assert_cmpuint (scan->u.scan.n_columns, ==, 3);
  g_assert_cmpuint (scan->u.scan.columns[0], ==, 2);
  g_assert_cmpuint (scan->u.scan.columns[1], ==, 3);
  g_assert_cmpuint (scan->u.scan.columns[2], ==, 1);
  g_assert_cmpstr (scan->schema->fields[0].name, ==, "c");
  g_assert_cmpstr (scan->schema->fields[2].name, ==, "b");
  g_assert_cmpint (scan->schema->fields[1].type.kind, ==, PLAN_TYPE_DOUBLE);
  assert_column (scan->u.scan.filter->u.call.args[0], 2);
  /* d + d -> $1 + $1, c -> $0 */
  assert_column (p->u.project.exprs[0]->u.call.args[0], 1);
  assert_column (p->u.project.exprs[0]->u.call.args[1], 1);
  assert_column (p->u.project.exprs[1], 0);
  g_assert_cmpuint (p->span.col, ==, 8);
  g_assert_cmpuint (scan->span.col, ==, 20);
}

static void
test_pruning_through_filter_and_limit (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  PlanExpr *cond = call2 (PLAN_FUNC_GT, PLAN_TYPE_BOOLEAN, col (3, PLAN_TYPE_DOUBLE),
                          col (3, PLAN_TYPE_DOUBLE));
  PlanNode *below = limit_new (filter_new (scan_new (t, NULL), cond, 70), 3, 1);
  PlanExpr *exprs[1] = { call2 (PLAN_FUNC_MUL, PLAN_TYPE_BIGINT, col (1, PLAN_TYPE_BIGINT),
                                lit_int (PLAN_TYPE_BIGINT, 2)) };
  const char *names[1] = { "b2" };
  g_autoptr (PlanNode) plan = sink_new (project_new (below, 1, exprs, names), NULL);
  g_autoptr (PlanNode) pruned = opt_pass_projection_pruning (plan);
  PlanNode *p, *limit, *filter, *scan;

  assert_valid (pruned);
  p = pruned->inputs[0];
  limit = p->inputs[0];
  filter = limit->inputs[0];
  scan = filter->inputs[0];
  g_assert_cmpint (limit->kind, ==, PLAN_NODE_LIMIT);
  g_assert_cmpint (limit->u.limit.limit, ==, 3);
  g_assert_cmpint (limit->u.limit.offset, ==, 1);
  /* the projection needs b, the filter d: the scan reads [b, d] */
  g_assert_cmpuint (scan->u.scan.n_columns, ==, 2);
  g_assert_cmpuint (scan->u.scan.columns[0], ==, 1);
  g_assert_cmpuint (scan->u.scan.columns[1], ==, 3);
  g_assert_cmpuint (filter->schema->n_fields, ==, 2);
  g_assert_cmpuint (limit->schema->n_fields, ==, 2);
  assert_column (filter->u.filter.condition->u.call.args[0], 1);
  assert_column (p->u.project.exprs[0]->u.call.args[0], 0);
}

static void
test_pruning_removes_identity (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  PlanExpr *exprs[4] = { col (0, PLAN_TYPE_INT), col (1, PLAN_TYPE_BIGINT),
                         col (2, PLAN_TYPE_VARCHAR), col (3, PLAN_TYPE_DOUBLE) };
  const char *names[4] = { "a", "b", "c", "d" };
  PlanNode *scan = scan_new (t, NULL);
  g_autoptr (PlanNode) plan = sink_new (project_new (scan, 4, exprs, names), NULL);
  g_autoptr (PlanNode) pruned = opt_pass_projection_pruning (plan);

  assert_valid (pruned);
  /* the projection is gone and the scan, which lost nothing, is the same node */
  g_assert_true (pruned->inputs[0] == scan);
}

static void
test_pruning_reorders_scan (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  PlanExpr *exprs[2] = { col (3, PLAN_TYPE_DOUBLE), col (0, PLAN_TYPE_INT) };
  const char *names[2] = { "d", "a" };
  g_autoptr (PlanNode) plan = sink_new (project_new (scan_new (t, NULL), 2, exprs, names),
                                        NULL);
  g_autoptr (PlanNode) pruned = opt_pass_projection_pruning (plan);
  PlanNode *scan;

  assert_valid (pruned);
  /* SELECT d, a: the scan reads d then a, and the projection disappears */
  scan = pruned->inputs[0];
  g_assert_cmpint (scan->kind, ==, PLAN_NODE_SCAN);
  g_assert_cmpuint (scan->u.scan.n_columns, ==, 2);
  g_assert_cmpuint (scan->u.scan.columns[0], ==, 3);
  g_assert_cmpuint (scan->u.scan.columns[1], ==, 0);
}

/* HOP over t on b (a TIMESTAMP then): t's columns, then window_start, window_end,
 * window_time (TIMESTAMP). */
static PlanNode *
hop_new (PlanNode *input)
{
  guint n = input->schema->n_fields;
  PlanSchema *schema = plan_schema_new (n + 3);
  const char *names[3] = { "window_start", "window_end", "window_time" };
  PlanNode *node;

  for (guint i = 0; i < n; i++)
    plan_schema_set_field (schema, i, input->schema->fields[i].name,
                           input->schema->fields[i].type);
  for (guint i = 0; i < 3; i++)
    plan_schema_set_field (schema, n + i, names[i], ty (PLAN_TYPE_TIMESTAMP));
  node = plan_node_new (PLAN_NODE_WINDOW, schema, span_at (70), 1, &input);
  node->u.window = (PlanWindow) { .kind = PLAN_WINDOW_HOP, .time_col = 1, .size_ms = 10000,
                                  .slide_ms = 2000 };
  return node;
}

static void
test_pruning_through_window (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  PlanExpr *exprs[2] = { col (2, PLAN_TYPE_VARCHAR), col (5, PLAN_TYPE_TIMESTAMP) };
  const char *names[2] = { "c", "window_end" };
  g_autoptr (PlanNode) plan = NULL;
  g_autoptr (PlanNode) pruned = NULL;
  PlanNode *p, *w, *scan;

  t->schema->fields[1].type = ty (PLAN_TYPE_TIMESTAMP); /* b is the time attribute here */
  plan = sink_new (project_new (hop_new (scan_new (t, NULL)), 2, exprs, names), NULL);
  pruned = opt_pass_projection_pruning (plan);
  assert_valid (pruned);
  /* SELECT c, window_end: the scan reads c and the time attribute b only, the window's
   * time column moves to b's new place (1), window_end from 5 to 3 */
  p = pruned->inputs[0];
  g_assert_cmpint (p->kind, ==, PLAN_NODE_PROJECT);
  assert_column (p->u.project.exprs[0], 0);
  assert_column (p->u.project.exprs[1], 3);
  w = p->inputs[0];
  g_assert_cmpint (w->kind, ==, PLAN_NODE_WINDOW);
  g_assert_cmpuint (w->schema->n_fields, ==, 5);
  g_assert_cmpstr (w->schema->fields[3].name, ==, "window_end");
  g_assert_cmpuint (w->u.window.time_col, ==, 1);
  scan = w->inputs[0];
  g_assert_cmpint (scan->kind, ==, PLAN_NODE_SCAN);
  g_assert_cmpuint (scan->u.scan.n_columns, ==, 2);
  g_assert_cmpuint (scan->u.scan.columns[0], ==, 2);
  g_assert_cmpuint (scan->u.scan.columns[1], ==, 1);
}

static void
test_pruning_keeps_renaming_project (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  PlanExpr *exprs[1] = { col (1, PLAN_TYPE_BIGINT) };
  const char *names[1] = { "renamed" };
  g_autoptr (PlanNode) plan = sink_new (project_new (scan_new (t, NULL), 1, exprs, names),
                                        NULL);
  g_autoptr (PlanNode) pruned = opt_pass_projection_pruning (plan);
  PlanNode *p;

  assert_valid (pruned);
  p = pruned->inputs[0];
  g_assert_cmpint (p->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpstr (p->schema->fields[0].name, ==, "renamed");
  g_assert_cmpuint (p->inputs[0]->u.scan.n_columns, ==, 1);
  g_assert_cmpuint (p->inputs[0]->u.scan.columns[0], ==, 1);
  assert_column (p->u.project.exprs[0], 0);
}

static void
test_pruning_merges_projects (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  PlanExpr *inner_exprs[2] = { col (0, PLAN_TYPE_INT),
                               call2 (PLAN_FUNC_MUL, PLAN_TYPE_BIGINT,
                                      col (1, PLAN_TYPE_BIGINT), col (1, PLAN_TYPE_BIGINT)) };
  const char *inner_names[2] = { "x", "z" };
  PlanNode *inner = project_new (scan_new (t, NULL), 2, inner_exprs, inner_names);
  PlanExpr *outer_exprs[1] = { call2 (PLAN_FUNC_ADD, PLAN_TYPE_INT, col (0, PLAN_TYPE_INT),
                                      lit_int (PLAN_TYPE_INT, 1)) };
  const char *outer_names[1] = { "y" };
  g_autoptr (PlanNode) plan = sink_new (project_new (inner, 1, outer_exprs, outer_names),
                                        NULL);
  g_autoptr (PlanNode) pruned = opt_pass_projection_pruning (plan);
  PlanNode *p;

  assert_valid (pruned);
  /* y := x + 1 with x := a inlines to a + 1 straight over a scan of [a]; z is dropped */
  p = pruned->inputs[0];
  g_assert_cmpint (p->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpstr (p->schema->fields[0].name, ==, "y");
  g_assert_cmpint (p->inputs[0]->kind, ==, PLAN_NODE_SCAN);
  g_assert_cmpuint (p->inputs[0]->u.scan.n_columns, ==, 1);
  g_assert_cmpuint (p->inputs[0]->u.scan.columns[0], ==, 0);
  assert_call (p->u.project.exprs[0], PLAN_FUNC_ADD, 2);
  assert_column (p->u.project.exprs[0]->u.call.args[0], 0);
}

static void
test_pruning_keeps_costly_inner_project (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  PlanExpr *inner_exprs[2] = { col (0, PLAN_TYPE_INT),
                               call2 (PLAN_FUNC_MUL, PLAN_TYPE_BIGINT,
                                      col (1, PLAN_TYPE_BIGINT), col (1, PLAN_TYPE_BIGINT)) };
  const char *inner_names[2] = { "x", "z" };
  PlanNode *inner = project_new (scan_new (t, NULL), 2, inner_exprs, inner_names);
  /* z + z reads the product twice: inlining would compute it twice per row */
  PlanExpr *outer_exprs[1] = { call2 (PLAN_FUNC_ADD, PLAN_TYPE_BIGINT,
                                      col (1, PLAN_TYPE_BIGINT), col (1, PLAN_TYPE_BIGINT)) };
  const char *outer_names[1] = { "zz" };
  g_autoptr (PlanNode) plan = sink_new (project_new (inner, 1, outer_exprs, outer_names),
                                        NULL);
  g_autoptr (PlanNode) pruned = opt_pass_projection_pruning (plan);
  PlanNode *p, *q;

  assert_valid (pruned);
  p = pruned->inputs[0];
  q = p->inputs[0];
  g_assert_cmpint (q->kind, ==, PLAN_NODE_PROJECT);
  /* the inner projection lost x; the outer now reads z as its column 0 */
  g_assert_cmpuint (q->u.project.n_exprs, ==, 1);
  assert_call (q->u.project.exprs[0], PLAN_FUNC_MUL, 2);
  assert_column (p->u.project.exprs[0]->u.call.args[0], 0);
  g_assert_cmpuint (q->inputs[0]->u.scan.n_columns, ==, 1);
  g_assert_cmpuint (q->inputs[0]->u.scan.columns[0], ==, 1);
}

static void
test_pruning_unchanged (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  g_autoptr (PlanNode) plan = sink_new (scan_new (t, NULL), NULL);
  g_autoptr (PlanNode) pruned = opt_pass_projection_pruning (plan);

  g_assert_true (pruned == plan);
}

/* ---- the driver ------------------------------------------------------------------------ */

static void
test_optimize_all_passes (void)
{
  g_autoptr (PlanNode) plan = filter_over_project ();
  g_autoptr (PlanSettings) settings = plan_settings_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (OptResult) result = NULL;
  const char *const *names = opt_pass_names ();
  PlanNode *logical, *scan;

  g_assert_true (plan_settings_set (settings, "parallelism.default", "1", &error));
  result = opt_optimize (plan, settings, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (opt_result_get_n_passes (result), ==, 5);
  g_assert_cmpstr (names[0], ==, "constant-folding");
  g_assert_cmpstr (names[1], ==, "merge-filters");
  g_assert_cmpstr (names[2], ==, "filter-pushdown");
  g_assert_cmpstr (names[3], ==, "join-reorder"); /* added by join order */
  g_assert_cmpstr (names[4], ==, "projection-pruning");
  g_assert_null (names[5]);
  for (guint i = 0; i < 5; i++)
    {
      const OptPassRun *run = opt_result_get_pass (result, i);

      g_assert_cmpstr (run->name, ==, names[i]);
      g_assert_true (run->ran);
      g_assert_cmpint (run->duration_us, >=, 0);
    }
  g_assert_false (opt_result_get_pass (result, 0)->changed); /* no constant to fold */
  g_assert_false (opt_result_get_pass (result, 1)->changed); /* one filter: nothing to merge */
  g_assert_true (opt_result_get_pass (result, 2)->changed);
  g_assert_false (opt_result_get_pass (result, 3)->changed); /* no join to reorder */
  g_assert_true (opt_result_get_pass (result, 4)->changed);  /* the scan drops a and d */
  logical = opt_result_get_logical (result);
  g_assert_cmpint (logical->inputs[0]->kind, ==, PLAN_NODE_PROJECT);
  scan = logical->inputs[0]->inputs[0];
  g_assert_cmpint (scan->kind, ==, PLAN_NODE_SCAN);
  g_assert_nonnull (scan->u.scan.filter);
  g_assert_cmpuint (scan->u.scan.n_columns, ==, 2);
  g_assert_nonnull (opt_result_get_physical (result));
}

static void
test_disabled_passes (void)
{
  g_autoptr (PlanNode) plan = filter_over_project ();
  g_autoptr (PlanSettings) settings = plan_settings_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (OptResult) result = NULL;
  PlanNode *logical;

  g_assert_true (plan_settings_set (settings, "table.optimizer.disabled-passes",
                                    " filter-pushdown , merge-filters", &error));
  g_assert_no_error (error);
  result = opt_optimize (plan, settings, &error);
  g_assert_no_error (error);
  g_assert_true (opt_result_get_pass (result, 0)->ran);
  g_assert_false (opt_result_get_pass (result, 1)->ran);
  g_assert_false (opt_result_get_pass (result, 2)->ran);
  g_assert_true (opt_result_get_pass (result, 3)->ran);
  g_assert_false (opt_result_get_pass (result, 2)->changed);
  /* the filter stays above the projection */
  logical = opt_result_get_logical (result);
  g_assert_cmpint (logical->inputs[0]->kind, ==, PLAN_NODE_FILTER);
  g_assert_cmpint (logical->inputs[0]->inputs[0]->kind, ==, PLAN_NODE_PROJECT);
}

static void
test_disabled_unknown_pass (void)
{
  g_autoptr (PlanNode) plan = filter_over_project ();
  g_autoptr (PlanSettings) settings = plan_settings_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (OptResult) result = NULL;

  g_assert_true (plan_settings_set (settings, "table.optimizer.disabled-passes",
                                    "merge-filters,predicate-pushdown", &error));
  result = opt_optimize (plan, settings, &error);
  g_assert_null (result);
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_SETTING);
  g_assert_nonnull (strstr (error->message, "'predicate-pushdown'"));
  g_assert_nonnull (strstr (error->message,
                            "constant-folding, merge-filters, filter-pushdown, "
                            "join-reorder, projection-pruning"));
}

/* ---- the verifier ---------------------------------------------------------------------- */

static void
test_verify_catches_bad_column (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  PlanExpr *cond = call2 (PLAN_FUNC_GT, PLAN_TYPE_BOOLEAN, col (7, PLAN_TYPE_INT),
                          lit_int (PLAN_TYPE_INT, 1));
  g_autoptr (PlanNode) plan = sink_new (filter_new (scan_new (t, NULL), cond, 70), NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (OptResult) result = NULL;

  g_assert_false (opt_verify_plan (plan, &error));
  g_assert_error (error, OPT_ERROR, OPT_ERROR_INTERNAL);
  g_assert_nonnull (strstr (error->message, "FILTER node at 1:70"));
  g_assert_nonnull (strstr (error->message, "column $7"));
  g_assert_nonnull (strstr (error->message, "4 columns"));
  g_clear_error (&error);
  /* the optimizer refuses it before any pass can be blamed */
  result = opt_optimize (plan, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, OPT_ERROR, OPT_ERROR_INTERNAL);
  g_assert_true (g_str_has_prefix (error->message, "internal error"));
  g_assert_nonnull (strstr (error->message, "before any pass"));
}

static void
test_verify_catches_bad_shapes (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  g_autoptr (GError) error = NULL;
  PlanExpr *exprs[1] = { col (0, PLAN_TYPE_INT) };
  const char *names[1] = { "a" };
  g_autoptr (PlanNode) scan = scan_new (t, NULL);
  g_autoptr (PlanNode) project = NULL;
  g_autoptr (PlanNode) typed = NULL;

  /* a scan column beyond the table */
  scan->u.scan.columns[3] = 9;
  g_assert_false (opt_verify_plan (scan, &error));
  g_assert_nonnull (strstr (error->message, "column 9 of table 't'"));
  g_clear_error (&error);
  scan->u.scan.columns[3] = 3;
  assert_valid (scan);

  /* a projection whose expression count disagrees with its schema */
  project = project_new (plan_node_ref (scan), 1, exprs, names);
  project->u.project.n_exprs = 0;
  g_assert_false (opt_verify_plan (project, &error));
  g_assert_nonnull (strstr (error->message, "0 expressions"));
  g_clear_error (&error);
  project->u.project.n_exprs = 1;
  assert_valid (project);

  /* a column read with a type other than its input's */
  exprs[0] = col (2, PLAN_TYPE_INT);
  typed = project_new (plan_node_ref (scan), 1, exprs, names);
  g_assert_false (opt_verify_plan (typed, &error));
  g_assert_nonnull (strstr (error->message, "'c'"));
}

/* A pass that hands back a filter reading a column its input lacks. */
static PlanNode *
breaking_pass (PlanNode *root)
{
  PlanNode *input = plan_node_ref (root->inputs[0]);
  PlanExpr *cond = call2 (PLAN_FUNC_GT, PLAN_TYPE_BOOLEAN, col (42, PLAN_TYPE_INT),
                          lit_int (PLAN_TYPE_INT, 0));

  return sink_new (filter_new (input, cond, 99), NULL);
}

static PlanNode *
identity_pass (PlanNode *root)
{
  return plan_node_ref (root);
}

static void
test_verify_names_breaking_pass (void)
{
  static const OptPass table[] = {
    { "harmless", identity_pass },
    { "breaker", breaking_pass },
  };
  g_autoptr (PlanTable) t = make_table ("t", "datagen");
  g_autoptr (PlanNode) plan = sink_new (scan_new (t, NULL), NULL);
  g_autoptr (GArray) runs = g_array_new (FALSE, FALSE, sizeof (OptPassRun));
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanNode) out = NULL;

  out = opt__run_passes (plan, table, 2, NULL, runs, &error);
  g_assert_null (out);
  g_assert_error (error, OPT_ERROR, OPT_ERROR_INTERNAL);
  g_assert_true (g_str_has_prefix (error->message, "internal error"));
  g_assert_nonnull (strstr (error->message, "pass 'breaker'"));
  g_assert_nonnull (strstr (error->message, "column $42"));
  g_assert_cmpuint (runs->len, ==, 1);
  g_clear_error (&error);

  /* disabled, the broken pass cannot break anything */
  out = opt__run_passes (plan, table, 2, "breaker", runs, &error);
  g_assert_no_error (error);
  g_assert_true (out == plan);
  g_assert_cmpuint (runs->len, ==, 3);
  g_assert_false (g_array_index (runs, OptPassRun, 2).ran);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/optimizer/rewrite/merge-filters", test_merge_filters);
  g_test_add_func ("/optimizer/rewrite/merge-filters-three", test_merge_filters_three);
  g_test_add_func ("/optimizer/rewrite/pushdown-through-project",
                   test_pushdown_through_project);
  g_test_add_func ("/optimizer/rewrite/pushdown-renamed-column",
                   test_pushdown_reads_renamed_column);
  g_test_add_func ("/optimizer/rewrite/pushdown-not-through-limit",
                   test_pushdown_not_through_limit);
  g_test_add_func ("/optimizer/rewrite/pushdown-nondeterministic",
                   test_pushdown_keeps_nondeterministic);
  g_test_add_func ("/optimizer/rewrite/pushdown-ands-scan-filter",
                   test_pushdown_ands_scan_filter);
  g_test_add_func ("/optimizer/rewrite/pruning-remaps", test_pruning_remaps);
  g_test_add_func ("/optimizer/rewrite/pruning-filter-limit",
                   test_pruning_through_filter_and_limit);
  g_test_add_func ("/optimizer/rewrite/pruning-identity-removed",
                   test_pruning_removes_identity);
  g_test_add_func ("/optimizer/rewrite/pruning-reorders-scan", test_pruning_reorders_scan);
  g_test_add_func ("/optimizer/rewrite/pruning-keeps-rename",
                   test_pruning_keeps_renaming_project);
  g_test_add_func ("/optimizer/rewrite/pruning-merges-projects", test_pruning_merges_projects);
  g_test_add_func ("/optimizer/rewrite/pruning-keeps-costly-project",
                   test_pruning_keeps_costly_inner_project);
  g_test_add_func ("/optimizer/rewrite/pruning-unchanged", test_pruning_unchanged);
  g_test_add_func ("/optimizer/rewrite/pruning-through-window", test_pruning_through_window);
  g_test_add_func ("/optimizer/rewrite/optimize-all", test_optimize_all_passes);
  g_test_add_func ("/optimizer/rewrite/disabled-passes", test_disabled_passes);
  g_test_add_func ("/optimizer/rewrite/disabled-unknown", test_disabled_unknown_pass);
  g_test_add_func ("/optimizer/rewrite/verify-bad-column", test_verify_catches_bad_column);
  g_test_add_func ("/optimizer/rewrite/verify-bad-shapes", test_verify_catches_bad_shapes);
  g_test_add_func ("/optimizer/rewrite/verify-names-pass", test_verify_names_breaking_pass);
  return g_test_run ();
}
