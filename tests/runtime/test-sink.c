/* test-sink.c: the print and blackhole sinks. print's output is checked byte for byte in
 * a subprocess (g_test_trap_subprocess captures its stdout and stderr). */
#include "source-harness.h"

/* A sink node for table "out" (columns as in table_new) with options key, value, ... */
static PlanPhysNode *
sink_node_new (PlanSinkKind kind, const char *connector, guint parallelism,
               const char *columns, ...)
{
  PlanTable *table = table_new ("out", columns);
  PlanSpan span = { 0 };
  PlanPhysNode *node;
  const char *key;
  va_list args;

  plan_table_add_option (table, "connector", connector);
  va_start (args, columns);
  while ((key = va_arg (args, const char *)) != NULL)
    plan_table_add_option (table, key, va_arg (args, const char *));
  va_end (args);
  node = plan_phys_node_new (PLAN_PHYS_SINK, plan_schema_ref (table->schema), span,
                             parallelism);
  node->u.sink.sink = kind;
  node->u.sink.table = table;
  return node;
}

static const char *const print_columns =
  "id INT; name VARCHAR; price DECIMAL(5, 2); ok BOOLEAN; x DOUBLE; ts TIMESTAMP(3)";

/* Three rows of print_columns: a full one, an all-NULL one (-U) and one of +U. */
static RtBatch *
sample_batch (RtMemPool *pool, PlanSchema *schema)
{
  RtBatch *batch = rt_batch_new (pool, schema, 8, NULL);
  PlanValue v[6];

  memset (v, 0, sizeof v);
  for (guint c = 0; c < 6; c++)
    v[c].type = schema->fields[c].type;
  v[0].v.i = 1;
  v[1].v.s = (char *) "Alice";
  v[2].v.i = 250;
  v[3].v.b = TRUE;
  v[4].v.d = 1.5;
  g_assert_true (plan_parse_timestamp ("2024-01-02 03:04:05.006", 23, &v[5].v.i));
  g_assert_true (rt_batch_append_values (batch, v, NULL));
  for (guint c = 0; c < 6; c++)
    v[c].is_null = TRUE;
  g_assert_true (rt_batch_append_values (batch, v, NULL));
  for (guint c = 0; c < 6; c++)
    v[c].is_null = FALSE;
  v[0].v.i = -7;
  v[1].v.s = (char *) "";
  v[2].v.i = -5;
  v[3].v.b = FALSE;
  v[4].v.d = -0.25;
  g_assert_true (rt_batch_append_values (batch, v, NULL));
  batch->kinds[1] = RT_ROW_UPDATE_BEFORE;
  batch->kinds[2] = RT_ROW_UPDATE_AFTER;
  return batch;
}

/* Runs a print sink over the sample batch, in the trapped subprocess. */
static void
print_sample (PlanPhysNode *node, guint subtask)
{
  RtMemPool *pool = rt_mem_pool_new (4 * 1024 * 1024);
  RtOpContext ctx = { .pool = pool, .subtask = subtask, .parallelism = node->parallelism,
                      .batch_size = 8 };
  GError *error = NULL;
  RtOperator *op = rt_sink_new (node, subtask, &error);
  RtBatch *batch;

  g_assert_no_error (error);
  op->ctx = &ctx;
  batch = sample_batch (pool, node->schema);
  g_assert_cmpint (op->klass->process (op, batch, 0, &error), ==, RT_OK);
  g_assert_no_error (error);
  rt_batch_unref (batch);
  rt_operator_free (op);
  rt_mem_pool_free (pool);
}

static const char *const sample_lines[] = {
  "+I[1, Alice, 2.50, true, 1.5, 2024-01-02 03:04:05.006]\n",
  "-U[null, null, null, null, null, null]\n",
  "+U[-7, , -0.05, false, -0.25, 2024-01-02 03:04:05.006]\n",
};

static char *
expected_output (const char *prefix)
{
  return g_strconcat (prefix, sample_lines[0], prefix, sample_lines[1], prefix,
                      sample_lines[2], NULL);
}

static void
test_print_format (void)
{
  g_autofree char *expected = expected_output ("");

  if (g_test_subprocess ())
    {
      g_autoptr (PlanPhysNode) node = sink_node_new (PLAN_SINK_PRINT, "print", 1,
                                                     print_columns, NULL);

      print_sample (node, 0);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout (expected);
  g_test_trap_assert_stderr ("");
}

static void
test_print_subtask_prefix (void)
{
  g_autofree char *expected = expected_output ("2> ");

  if (g_test_subprocess ())
    {
      g_autoptr (PlanPhysNode) node = sink_node_new (PLAN_SINK_PRINT, "print", 2,
                                                     print_columns, NULL);

      print_sample (node, 1);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout (expected);
}

static void
test_print_identifier (void)
{
  g_autofree char *expected = g_strconcat ("sink:3> ", sample_lines[0], "sink:3> ",
                                           sample_lines[1], "sink:3> ", sample_lines[2],
                                           "only> ", sample_lines[0], "only> ",
                                           sample_lines[1], "only> ", sample_lines[2],
                                           NULL);

  if (g_test_subprocess ())
    {
      g_autoptr (PlanPhysNode) parallel = sink_node_new (PLAN_SINK_PRINT, "print", 4,
                                                         print_columns,
                                                         "print-identifier", "sink", NULL);
      g_autoptr (PlanPhysNode) single = sink_node_new (PLAN_SINK_PRINT, "print", 1,
                                                       print_columns,
                                                       "print-identifier", "only", NULL);

      print_sample (parallel, 2);
      print_sample (single, 0);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout (expected);
}

static void
test_print_stderr (void)
{
  g_autofree char *expected = expected_output ("");

  if (g_test_subprocess ())
    {
      g_autoptr (PlanPhysNode) node = sink_node_new (PLAN_SINK_PRINT, "print", 1,
                                                     print_columns,
                                                     "standard-error", "true", NULL);

      print_sample (node, 0);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("");
  g_test_trap_assert_stderr (expected);
}

static void
test_blackhole (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (PlanPhysNode) node = sink_node_new (PLAN_SINK_BLACKHOLE, "blackhole", 1,
                                                     print_columns, NULL);
      RtMemPool *pool = rt_mem_pool_new (4 * 1024 * 1024);
      RtOpContext ctx = { .pool = pool, .parallelism = 1, .batch_size = 8 };
      GError *error = NULL;
      RtOperator *op = rt_sink_new (node, 0, &error);
      RtBatch *batch;

      g_assert_no_error (error);
      op->ctx = &ctx;
      batch = sample_batch (pool, node->schema);
      for (guint i = 0; i < 3; i++)
        g_assert_cmpint (op->klass->process (op, batch, 0, &error), ==, RT_OK);
      /* The sink did not keep the batch: this unref returns it to the pool. */
      rt_batch_unref (batch);
      g_assert_cmpuint (rt_mem_pool_get_used (pool), ==, 0);
      rt_operator_free (op);
      rt_mem_pool_free (pool);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("");
  g_test_trap_assert_stderr ("");
}

static void
test_sink_options (void)
{
  g_autoptr (PlanPhysNode) bad_key = sink_node_new (PLAN_SINK_PRINT, "print", 1, "a INT",
                                                    "print-id", "x", NULL);
  g_autoptr (PlanPhysNode) bad_bool = sink_node_new (PLAN_SINK_PRINT, "print", 1, "a INT",
                                                     "standard-error", "maybe", NULL);
  g_autoptr (PlanPhysNode) bh = sink_node_new (PLAN_SINK_BLACKHOLE, "blackhole", 1,
                                               "a INT", "path", "/tmp/x", NULL);
  GError *error = NULL;

  g_assert_null (rt_sink_new (bad_key, 0, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_CONNECTOR);
  g_assert_cmpstr (error->message, ==,
                   "Unsupported option 'print-id' for table 'out': the print connector "
                   "knows 'connector', 'print-identifier', 'standard-error', "
                   "'sink.parallelism'");
  g_clear_error (&error);
  g_assert_null (rt_sink_new (bad_bool, 0, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_CONNECTOR);
  g_assert_cmpstr (error->message, ==,
                   "Unsupported option 'standard-error' = 'maybe' for table 'out': "
                   "expected 'true' or 'false'");
  g_clear_error (&error);
  g_assert_null (rt_sink_new (bh, 0, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_CONNECTOR);
  g_assert_true (g_str_has_prefix (error->message, "Unsupported option 'path' for table "
                                                   "'out': the blackhole connector"));
  g_clear_error (&error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/sink/print-format", test_print_format);
  g_test_add_func ("/runtime/sink/print-subtask-prefix", test_print_subtask_prefix);
  g_test_add_func ("/runtime/sink/print-identifier", test_print_identifier);
  g_test_add_func ("/runtime/sink/print-stderr", test_print_stderr);
  g_test_add_func ("/runtime/sink/blackhole", test_blackhole);
  g_test_add_func ("/runtime/sink/options", test_sink_options);
  return g_test_run ();
}
