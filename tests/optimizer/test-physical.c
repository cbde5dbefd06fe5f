/* test-physical.c: physical planning (operators, parallelism, exchanges, chaining, row
 * estimates) and the EXPLAIN layout, on logical plans built by hand. */
#include "optimizer/opt.h"
#include "plans/plan-sql.h"

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

/* name (a INT, b BIGINT) WITH ('connector' = connector [, key = value]) */
static PlanTable *
make_table (const char *name, const char *connector, const char *key, const char *value)
{
  PlanSchema *schema = plan_schema_new (2);
  PlanTable *table;

  plan_schema_set_field (schema, 0, "a", ty (PLAN_TYPE_INT));
  plan_schema_set_field (schema, 1, "b", ty (PLAN_TYPE_BIGINT));
  table = plan_table_new (name, schema, span_at (1));
  if (connector)
    plan_table_add_option (table, "connector", connector);
  if (key)
    plan_table_add_option (table, key, value);
  return table;
}

static PlanNode *
scan_new (PlanTable *table)
{
  PlanNode *scan = plan_node_new (PLAN_NODE_SCAN, plan_schema_ref (table->schema), span_at (20),
                                  0, NULL);

  scan->u.scan.table = plan_table_ref (table);
  scan->u.scan.n_columns = 2;
  scan->u.scan.columns = g_new (guint, 2);
  scan->u.scan.columns[0] = 0;
  scan->u.scan.columns[1] = 1;
  return scan;
}

static PlanExpr *
col (guint i, PlanTypeKind kind)
{
  return plan_expr_column (i, ty (kind), span_at (30 + i));
}

static PlanExpr *
gt_int (guint column, gint64 v)
{
  PlanValue value = { .type = ty (PLAN_TYPE_INT), .is_null = FALSE, .v.i = v };
  PlanExpr *args[2] = { col (column, PLAN_TYPE_INT), plan_expr_literal (&value, span_at (40)) };

  return plan_expr_call (PLAN_FUNC_GT, ty (PLAN_TYPE_BOOLEAN), 2, args, span_at (30));
}

static PlanNode *
filter_new (PlanNode *input, PlanExpr *cond)
{
  PlanNode *node = plan_node_new (PLAN_NODE_FILTER, plan_schema_ref (input->schema),
                                  span_at (70), 1, &input);

  node->u.filter.condition = cond;
  return node;
}

/* PROJECT [b AS bb] */
static PlanNode *
project_b (PlanNode *input)
{
  PlanSchema *schema = plan_schema_new (1);
  PlanNode *node;

  plan_schema_set_field (schema, 0, "bb", ty (PLAN_TYPE_BIGINT));
  node = plan_node_new (PLAN_NODE_PROJECT, schema, span_at (8), 1, &input);
  node->u.project.n_exprs = 1;
  node->u.project.exprs = g_new (PlanExpr *, 1);
  node->u.project.exprs[0] = col (1, PLAN_TYPE_BIGINT);
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

static PlanSettings *
settings_with_parallelism (const char *p)
{
  PlanSettings *settings = plan_settings_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (plan_settings_set (settings, "parallelism.default", p, &error));
  g_assert_no_error (error);
  return settings;
}

static PlanPhysNode *
node_at (PlanPhysPlan *plan, guint id)
{
  PlanPhysNode *node;

  g_assert_cmpuint (id, <, plan->nodes->len);
  node = g_ptr_array_index (plan->nodes, id);
  g_assert_cmpuint (node->id, ==, id);
  return node;
}

static void
assert_edge (const PlanPhysNode *node, const PlanPhysNode *input, PlanExchangeKind exchange,
             gboolean chained)
{
  g_assert_cmpuint (node->n_inputs, ==, 1);
  g_assert_true (node->inputs[0].node == input);
  g_assert_cmpint (node->inputs[0].exchange, ==, exchange);
  g_assert_cmpint (node->chained, ==, chained);
}

/* ---- shapes ---------------------------------------------------------------------------- */

static void
test_scan_filter_project_collect (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen", "number-of-rows", "1000");
  g_autoptr (PlanNode) plan = sink_new (project_b (filter_new (scan_new (t), gt_int (0, 5))),
                                        NULL);
  g_autoptr (PlanSettings) settings = settings_with_parallelism ("2");
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanPhysPlan) phys = opt_physical_plan (plan, settings, &error);
  PlanPhysNode *source, *calc, *sink;

  g_assert_no_error (error);
  g_assert_cmpuint (phys->nodes->len, ==, 3);
  source = node_at (phys, 0);
  calc = node_at (phys, 1);
  sink = node_at (phys, 2);
  g_assert_true (phys->root == sink);

  g_assert_cmpint (source->kind, ==, PLAN_PHYS_SOURCE);
  g_assert_cmpuint (source->parallelism, ==, 2);
  g_assert_false (source->chained);
  g_assert_cmpuint (source->u.source.n_columns, ==, 2);
  g_assert_null (source->u.source.filter);
  g_assert_cmpfloat (source->est_rows, ==, 1000.0);

  /* filter and projection fused into one calc, chained to the source */
  g_assert_cmpint (calc->kind, ==, PLAN_PHYS_CALC);
  g_assert_cmpuint (calc->parallelism, ==, 2);
  assert_edge (calc, source, PLAN_EXCHANGE_FORWARD, TRUE);
  g_assert_nonnull (calc->u.calc.filter);
  g_assert_cmpint (calc->u.calc.filter->u.call.func, ==, PLAN_FUNC_GT);
  g_assert_cmpuint (calc->u.calc.n_exprs, ==, 1);
  g_assert_cmpuint (calc->u.calc.exprs[0]->u.column, ==, 1);
  g_assert_cmpfloat (calc->est_rows, ==, 500.0);
  /* it spans the filter's text (col 70) and the projection's (col 8) */
  g_assert_cmpuint (calc->span.col, ==, 8);
  g_assert_cmpuint (calc->span.end, ==, 73);

  g_assert_cmpint (sink->kind, ==, PLAN_PHYS_SINK);
  g_assert_cmpint (sink->u.sink.sink, ==, PLAN_SINK_COLLECT);
  g_assert_null (sink->u.sink.table);
  g_assert_cmpuint (sink->parallelism, ==, 1);
  assert_edge (sink, calc, PLAN_EXCHANGE_GATHER, FALSE);
  g_assert_cmpfloat (sink->est_rows, ==, 500.0);
}

static void
test_optimized_pushes_into_source (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen", "number-of-rows", "1000");
  g_autoptr (PlanNode) plan = sink_new (project_b (filter_new (scan_new (t), gt_int (0, 5))),
                                        NULL);
  g_autoptr (PlanSettings) settings = settings_with_parallelism ("2");
  g_autoptr (GError) error = NULL;
  g_autoptr (OptResult) result = opt_optimize (plan, settings, &error);
  PlanPhysPlan *phys;
  PlanPhysNode *source, *calc;

  g_assert_no_error (error);
  phys = opt_result_get_physical (result);
  g_assert_cmpuint (phys->nodes->len, ==, 3);
  source = node_at (phys, 0);
  calc = node_at (phys, 1);
  /* the filter went into the source, which reads a (for it) and b (for the projection) */
  g_assert_nonnull (source->u.source.filter);
  g_assert_cmpuint (source->u.source.n_columns, ==, 2);
  g_assert_cmpfloat (source->est_rows, ==, 500.0);
  g_assert_cmpint (calc->kind, ==, PLAN_PHYS_CALC);
  g_assert_null (calc->u.calc.filter);
  assert_edge (calc, source, PLAN_EXCHANGE_FORWARD, TRUE);
  g_assert_cmpint (node_at (phys, 2)->inputs[0].exchange, ==, PLAN_EXCHANGE_GATHER);
}

static void
test_filter_only_calc (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "filesystem", "format", "csv");
  g_autoptr (PlanNode) plan = sink_new (filter_new (scan_new (t), gt_int (0, 5)), NULL);
  g_autoptr (PlanSettings) settings = settings_with_parallelism ("1");
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanPhysPlan) phys = opt_physical_plan (plan, settings, &error);
  PlanPhysNode *source, *calc, *sink;

  g_assert_no_error (error);
  source = node_at (phys, 0);
  calc = node_at (phys, 1);
  sink = node_at (phys, 2);
  /* a file has no row count; half of unknown stays unknown */
  g_assert_cmpfloat (source->est_rows, <, 0);
  g_assert_cmpfloat (calc->est_rows, <, 0);
  /* a lone filter passes every column through */
  g_assert_cmpuint (calc->u.calc.n_exprs, ==, 2);
  g_assert_cmpuint (calc->u.calc.exprs[0]->u.column, ==, 0);
  g_assert_cmpuint (calc->u.calc.exprs[1]->u.column, ==, 1);
  g_assert_cmpint (calc->u.calc.exprs[1]->type.kind, ==, PLAN_TYPE_BIGINT);
  /* at parallelism 1 the collect sink chains to the calc */
  assert_edge (sink, calc, PLAN_EXCHANGE_FORWARD, TRUE);
}

static void
test_limit_parallel (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen", "number-of-rows", "1000");
  g_autoptr (PlanNode) plan = sink_new (limit_new (scan_new (t), 10, 5), NULL);
  g_autoptr (PlanSettings) settings = settings_with_parallelism ("2");
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanPhysPlan) phys = opt_physical_plan (plan, settings, &error);
  PlanPhysNode *source, *local, *global, *sink;

  g_assert_no_error (error);
  g_assert_cmpuint (phys->nodes->len, ==, 4);
  source = node_at (phys, 0);
  local = node_at (phys, 1);
  global = node_at (phys, 2);
  sink = node_at (phys, 3);
  /* every subtask keeps its first 15 rows: 2 x 15 = 30 at most */
  g_assert_cmpint (local->kind, ==, PLAN_PHYS_LIMIT);
  g_assert_cmpuint (local->parallelism, ==, 2);
  g_assert_cmpint (local->u.limit.limit, ==, 15);
  g_assert_cmpint (local->u.limit.offset, ==, 0);
  assert_edge (local, source, PLAN_EXCHANGE_FORWARD, TRUE);
  g_assert_cmpfloat (local->est_rows, ==, 30.0);
  /* one global limit skips 5 and keeps 10 */
  g_assert_cmpint (global->kind, ==, PLAN_PHYS_LIMIT);
  g_assert_cmpuint (global->parallelism, ==, 1);
  g_assert_cmpint (global->u.limit.limit, ==, 10);
  g_assert_cmpint (global->u.limit.offset, ==, 5);
  assert_edge (global, local, PLAN_EXCHANGE_GATHER, FALSE);
  g_assert_cmpfloat (global->est_rows, ==, 10.0);
  assert_edge (sink, global, PLAN_EXCHANGE_FORWARD, TRUE);
  g_assert_cmpuint (sink->parallelism, ==, 1);
}

static void
test_limit_serial (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen", "number-of-rows", "12");
  g_autoptr (PlanNode) plan = sink_new (limit_new (scan_new (t), 10, 5), NULL);
  g_autoptr (PlanSettings) settings = settings_with_parallelism ("1");
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanPhysPlan) phys = opt_physical_plan (plan, settings, &error);
  PlanPhysNode *limit;

  g_assert_no_error (error);
  /* no local limit at parallelism 1: source, limit, sink */
  g_assert_cmpuint (phys->nodes->len, ==, 3);
  limit = node_at (phys, 1);
  g_assert_cmpint (limit->kind, ==, PLAN_PHYS_LIMIT);
  g_assert_cmpint (limit->u.limit.limit, ==, 10);
  g_assert_cmpint (limit->u.limit.offset, ==, 5);
  assert_edge (limit, node_at (phys, 0), PLAN_EXCHANGE_FORWARD, TRUE);
  /* 12 rows, skip 5: 7 remain, fewer than 10 */
  g_assert_cmpfloat (limit->est_rows, ==, 7.0);
}

static void
test_offset_only_parallel (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen", NULL, NULL);
  g_autoptr (PlanNode) plan = sink_new (limit_new (scan_new (t), -1, 3), NULL);
  g_autoptr (PlanSettings) settings = settings_with_parallelism ("4");
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanPhysPlan) phys = opt_physical_plan (plan, settings, &error);
  PlanPhysNode *limit;

  g_assert_no_error (error);
  /* without a limit no subtask may cut anything: only the global offset */
  g_assert_cmpuint (phys->nodes->len, ==, 3);
  limit = node_at (phys, 1);
  g_assert_cmpuint (limit->parallelism, ==, 1);
  g_assert_cmpint (limit->u.limit.limit, ==, -1);
  assert_edge (limit, node_at (phys, 0), PLAN_EXCHANGE_GATHER, FALSE);
  g_assert_cmpfloat (limit->est_rows, <, 0);
}

static void
check_table_sink (const char *connector, PlanSinkKind want)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen", NULL, NULL);
  g_autoptr (PlanTable) out = make_table ("out", connector, NULL, NULL);
  g_autoptr (PlanNode) plan = sink_new (scan_new (t), out);
  g_autoptr (PlanSettings) settings = settings_with_parallelism ("2");
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanPhysPlan) phys = opt_physical_plan (plan, settings, &error);
  PlanPhysNode *sink;

  g_assert_no_error (error);
  g_assert_cmpuint (phys->nodes->len, ==, 2);
  sink = node_at (phys, 1);
  g_assert_cmpint (sink->u.sink.sink, ==, want);
  g_assert_true (sink->u.sink.table == out);
  g_assert_cmpuint (sink->parallelism, ==, 2);
  assert_edge (sink, node_at (phys, 0), PLAN_EXCHANGE_FORWARD, TRUE);
}

static void
test_insert_into_print (void)
{
  check_table_sink ("print", PLAN_SINK_PRINT);
}

static void
test_insert_into_others (void)
{
  check_table_sink ("blackhole", PLAN_SINK_BLACKHOLE);
  check_table_sink ("filesystem", PLAN_SINK_FILESYSTEM);
}

static void
test_values (void)
{
  PlanSchema *schema = plan_schema_new (1);
  PlanNode *values;
  g_autoptr (PlanNode) plan = NULL;
  g_autoptr (PlanSettings) settings = settings_with_parallelism ("8");
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanPhysPlan) phys = NULL;
  PlanPhysNode *v, *sink;

  plan_schema_set_field (schema, 0, "s", ty (PLAN_TYPE_VARCHAR));
  values = plan_node_new (PLAN_NODE_VALUES, schema, span_at (5), 0, NULL);
  values->u.values.n_rows = 2;
  values->u.values.values = g_new0 (PlanValue, 2);
  values->u.values.values[0].type = ty (PLAN_TYPE_VARCHAR);
  values->u.values.values[0].v.s = g_strdup ("x");
  values->u.values.values[1].type = ty (PLAN_TYPE_VARCHAR);
  values->u.values.values[1].is_null = TRUE;
  plan = sink_new (values, NULL);

  phys = opt_physical_plan (plan, settings, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (phys->nodes->len, ==, 2);
  v = node_at (phys, 0);
  sink = node_at (phys, 1);
  g_assert_cmpint (v->kind, ==, PLAN_PHYS_VALUES);
  g_assert_cmpuint (v->parallelism, ==, 1);
  g_assert_cmpuint (v->u.values.n_rows, ==, 2);
  /* a copy, not the logical node's strings */
  g_assert_cmpstr (v->u.values.values[0].v.s, ==, "x");
  g_assert_true (v->u.values.values[0].v.s != values->u.values.values[0].v.s);
  g_assert_true (v->u.values.values[1].is_null);
  g_assert_cmpfloat (v->est_rows, ==, 2.0);
  g_assert_cmpuint (v->span.col, ==, 5);
  assert_edge (sink, v, PLAN_EXCHANGE_FORWARD, TRUE);
}

static void
test_unknown_connectors (void)
{
  g_autoptr (PlanTable) src = make_table ("src", "jdbc", NULL, NULL);
  g_autoptr (PlanTable) good = make_table ("good", "datagen", NULL, NULL);
  g_autoptr (PlanTable) out = make_table ("out", "kafka", NULL, NULL);
  g_autoptr (PlanTable) bare = make_table ("bare", NULL, NULL, NULL);
  g_autoptr (PlanNode) read_bad = sink_new (scan_new (src), NULL);
  g_autoptr (PlanNode) write_bad = sink_new (scan_new (good), out);
  g_autoptr (PlanNode) write_bare = sink_new (scan_new (good), bare);
  g_autoptr (PlanNode) write_source = sink_new (scan_new (good), good);
  g_autoptr (GError) error = NULL;

  g_assert_null (opt_physical_plan (read_bad, NULL, &error));
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED);
  g_assert_true (g_str_has_prefix (error->message, "1:20: "));
  g_assert_nonnull (strstr (error->message, "'jdbc'"));
  g_assert_nonnull (strstr (error->message, "read from"));
  g_assert_nonnull (strstr (error->message, "datagen, nexmark and filesystem"));
  g_assert_nonnull (strstr (error->message, "print, blackhole, filesystem and jdbc"));
  g_clear_error (&error);

  g_assert_null (opt_physical_plan (write_bad, NULL, &error));
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "table 'out' uses connector 'kafka'"));
  g_assert_nonnull (strstr (error->message, "write to"));
  g_clear_error (&error);

  g_assert_null (opt_physical_plan (write_bare, NULL, &error));
  g_assert_nonnull (strstr (error->message, "table 'bare' has no 'connector' option"));
  g_clear_error (&error);

  /* datagen only produces rows */
  g_assert_null (opt_physical_plan (write_source, NULL, &error));
  g_assert_nonnull (strstr (error->message, "'datagen'"));
}

/* ---- EXPLAIN --------------------------------------------------------------------------- */

static void
test_explain_sections (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen", "number-of-rows", "1000");
  g_autoptr (PlanNode) plan = sink_new (project_b (filter_new (scan_new (t), gt_int (0, 5))),
                                        NULL);
  g_autoptr (PlanSettings) settings = settings_with_parallelism ("2");
  g_autoptr (GError) error = NULL;
  g_autoptr (OptResult) result = opt_optimize (plan, settings, &error);
  g_autofree char *plain = NULL, *cost = NULL, *json = NULL;
  g_autofree char *ast = plan_node_explain (plan);
  g_autofree char *logical = NULL;
  const char *ast_at, *logical_at, *phys_at, *passes_at;

  g_assert_no_error (error);
  logical = plan_node_explain (opt_result_get_logical (result));
  plain = opt_explain (plan, result, 0);
  ast_at = strstr (plain, "== Abstract Syntax Tree ==\n");
  logical_at = strstr (plain, "\n\n== Optimized Logical Plan ==\n");
  phys_at = strstr (plain, "\n\n== Physical Execution Plan ==\n");
  g_assert_true (ast_at == plain);
  g_assert_nonnull (logical_at);
  g_assert_nonnull (phys_at);
  g_assert_true (logical_at < phys_at);
  /* each section is its printer's text */
  g_assert_true (strncmp (ast_at + strlen ("== Abstract Syntax Tree ==\n"), ast,
                          strlen (ast)) == 0);
  g_assert_true (strncmp (logical_at + strlen ("\n\n== Optimized Logical Plan ==\n"), logical,
                          strlen (logical)) == 0);
  g_assert_null (strstr (plain, "== Optimizer Passes =="));
  g_assert_null (strstr (plain, "rows="));

  cost = opt_explain (plan, result, PLAN_EXPLAIN_ESTIMATED_COST);
  passes_at = strstr (cost, "\n\n== Optimizer Passes ==\n");
  g_assert_nonnull (passes_at);
  g_assert_true (passes_at > strstr (cost, "== Physical Execution Plan =="));
  g_assert_nonnull (strstr (cost, "rows=500"));
  g_assert_nonnull (strstr (passes_at, "merge-filters        ran       unchanged"));
  g_assert_nonnull (strstr (passes_at, "filter-pushdown      ran       changed"));
  g_assert_nonnull (strstr (passes_at, " us\n"));

  json = opt_explain (plan, result, PLAN_EXPLAIN_JSON);
  phys_at = strstr (json, "== Physical Execution Plan ==\n");
  g_assert_nonnull (phys_at);
  g_assert_nonnull (strstr (phys_at, "{"));
  g_assert_nonnull (strstr (phys_at, "\"est_rows\""));
}

static void
test_explain_disabled_pass (void)
{
  g_autoptr (PlanTable) t = make_table ("t", "datagen", NULL, NULL);
  g_autoptr (PlanNode) plan = sink_new (filter_new (scan_new (t), gt_int (0, 5)), NULL);
  g_autoptr (PlanSettings) settings = settings_with_parallelism ("1");
  g_autoptr (GError) error = NULL;
  g_autoptr (OptResult) result = NULL;
  g_autofree char *text = NULL;

  g_assert_true (plan_settings_set (settings, "table.optimizer.disabled-passes",
                                    "projection-pruning", &error));
  result = opt_optimize (plan, settings, &error);
  g_assert_no_error (error);
  text = opt_explain (plan, result, PLAN_EXPLAIN_ESTIMATED_COST);
  g_assert_nonnull (strstr (text, "projection-pruning   disabled\n"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/optimizer/physical/scan-filter-project-collect",
                   test_scan_filter_project_collect);
  g_test_add_func ("/optimizer/physical/pushed-into-source", test_optimized_pushes_into_source);
  g_test_add_func ("/optimizer/physical/filter-only-calc", test_filter_only_calc);
  g_test_add_func ("/optimizer/physical/limit-parallel", test_limit_parallel);
  g_test_add_func ("/optimizer/physical/limit-serial", test_limit_serial);
  g_test_add_func ("/optimizer/physical/offset-only", test_offset_only_parallel);
  g_test_add_func ("/optimizer/physical/insert-print", test_insert_into_print);
  g_test_add_func ("/optimizer/physical/insert-other-sinks", test_insert_into_others);
  g_test_add_func ("/optimizer/physical/values", test_values);
  g_test_add_func ("/optimizer/physical/unknown-connector", test_unknown_connectors);
  g_test_add_func ("/optimizer/physical/explain-sections", test_explain_sections);
  g_test_add_func ("/optimizer/physical/explain-disabled-pass", test_explain_disabled_pass);
  return g_test_run ();
}
