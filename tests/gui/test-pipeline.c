/* test-pipeline.c: the designer's pipeline model without a display: editing, refused
 * connections, undo/redo, model -> SQL and SQL -> model. Expected SQL texts are written
 * by hand from the printing rules in studio-pipeline-sql.c. */
#include "studio-pipeline.h"
#include "studio-test-util.h"

static StudioPipeline *
build_chain (const StudioNodeKind *kinds, const char *const *texts, guint n)
{
  StudioPipeline *p = studio_pipeline_new ();
  guint prev = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      guint id = studio_pipeline_add_node (p, kinds[i], texts[i], 10.0 * i, 0);
      if (prev != 0)
        g_assert_true (studio_pipeline_connect (p, prev, id, &error));
      g_assert_no_error (error);
      prev = id;
    }
  return p;
}

static void
assert_sql (StudioPipeline *p, const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = studio_pipeline_to_sql (p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sql, ==, expected);
}

static void
test_to_sql_insert (void)
{
  const StudioNodeKind k[] = { STUDIO_NODE_SOURCE, STUDIO_NODE_FILTER, STUDIO_NODE_PROJECT,
                               STUDIO_NODE_SINK };
  const char *t[] = { "orders", "amount > 10", "order_id, customer, amount", "console" };
  StudioPipeline *p = build_chain (k, t, 4);

  assert_sql (p, "INSERT INTO console SELECT order_id, customer, amount FROM orders "
                 "WHERE amount > 10");
  g_assert_finalize_object (p);
}

static void
test_to_sql_two_filters (void)
{
  const StudioNodeKind k[] = { STUDIO_NODE_SOURCE, STUDIO_NODE_FILTER, STUDIO_NODE_FILTER,
                               STUDIO_NODE_SINK };
  const char *t[] = { "orders", "qty > 1", "status = 'new' OR amount < 5", "" };
  StudioPipeline *p = build_chain (k, t, 4);

  /* an empty sink collects: a bare query; the OR condition keeps its meaning in parens */
  assert_sql (p, "SELECT * FROM orders WHERE qty > 1 AND (status = 'new' OR amount < 5)");
  g_assert_finalize_object (p);
}

static void
test_to_sql_pipe (void)
{
  const StudioNodeKind k[] = { STUDIO_NODE_SOURCE, STUDIO_NODE_PROJECT, STUDIO_NODE_FILTER };
  const char *t[] = { "orders", "order_id, amount * 2 AS a2", "a2 > 10" };
  StudioPipeline *p = build_chain (k, t, 3);

  /* a filter after the projection is not SELECT's order: pipe syntax, no sink: query */
  assert_sql (p, "FROM orders |> SELECT order_id, amount * 2 AS a2 |> WHERE a2 > 10");
  g_assert_finalize_object (p);
}

static void
test_to_sql_aggregate (void)
{
  const StudioNodeKind k[] = { STUDIO_NODE_SOURCE, STUDIO_NODE_FILTER, STUDIO_NODE_AGGREGATE,
                               STUDIO_NODE_SINK };
  const char *t[] = { "clicks", "price > 10", "COUNT(*) AS n", "" };
  StudioPipeline *p = build_chain (k, t, 4);

  studio_pipeline_set_text (p, 3, "COUNT(*) AS n, SUM(price) AS total", "user_id");
  assert_sql (p, "SELECT user_id, COUNT(*) AS n, SUM(price) AS total FROM clicks "
                 "WHERE price > 10 GROUP BY user_id");
  g_assert_finalize_object (p);
}

static void
test_to_sql_incomplete (void)
{
  StudioPipeline *p = studio_pipeline_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = studio_pipeline_to_sql (p, &error);
  guint f, s;

  g_assert_null (sql);
  g_assert_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE);
  g_clear_error (&error);
  f = studio_pipeline_add_node (p, STUDIO_NODE_FILTER, "", 0, 0);
  s = studio_pipeline_add_node (p, STUDIO_NODE_SINK, "console", 0, 0);
  g_assert_true (studio_pipeline_connect (p, f, s, NULL));
  sql = studio_pipeline_to_sql (p, &error);
  g_assert_null (sql);
  g_assert_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE);
  g_assert_nonnull (strstr (error->message, "no input"));
  g_assert_finalize_object (p);
}

static void
test_connect_refused (void)
{
  StudioPipeline *p = studio_pipeline_new ();
  guint src = studio_pipeline_add_node (p, STUDIO_NODE_SOURCE, "orders", 0, 0);
  guint a = studio_pipeline_add_node (p, STUDIO_NODE_FILTER, "qty > 1", 0, 0);
  guint b = studio_pipeline_add_node (p, STUDIO_NODE_FILTER, "qty > 2", 0, 0);
  guint sink = studio_pipeline_add_node (p, STUDIO_NODE_SINK, "", 0, 0);
  g_autoptr (GError) error = NULL;

  g_assert_false (studio_pipeline_connect (p, sink, a, &error)); /* sink has no output */
  g_assert_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_CONNECT);
  g_clear_error (&error);
  g_assert_false (studio_pipeline_connect (p, a, src, &error)); /* source has no input */
  g_clear_error (&error);
  g_assert_false (studio_pipeline_connect (p, a, a, &error));
  g_clear_error (&error);
  g_assert_true (studio_pipeline_connect (p, a, b, &error));
  g_assert_false (studio_pipeline_connect (p, b, a, &error)); /* cycle */
  g_assert_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_CONNECT);
  g_assert_nonnull (strstr (error->message, "cycle"));
  g_clear_error (&error);
  g_assert_false (studio_pipeline_connect (p, src, b, &error)); /* b's input is taken */
  g_clear_error (&error);
  g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, 1);
  g_assert_finalize_object (p);
}

static void
count_signal (guint *counter)
{
  (*counter)++;
}

static void
test_undo_redo (void)
{
  StudioPipeline *p = studio_pipeline_new ();
  guint changed = 0, removed = 0, src, sink;

  g_signal_connect_swapped (p, "changed", G_CALLBACK (count_signal), &changed);
  g_signal_connect_swapped (p, "edge-removed", G_CALLBACK (count_signal), &removed);
  g_assert_false (studio_pipeline_can_undo (p));
  src = studio_pipeline_add_node (p, STUDIO_NODE_SOURCE, "orders", 0, 0);
  sink = studio_pipeline_add_node (p, STUDIO_NODE_SINK, "console", 200, 0);
  g_assert_true (studio_pipeline_connect (p, src, sink, NULL));
  g_assert_cmpuint (changed, ==, 3);

  g_assert_true (studio_pipeline_remove_node (p, src)); /* takes its edge along */
  g_assert_cmpuint (removed, ==, 1);
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 1);
  g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, 0);

  g_assert_true (studio_pipeline_undo (p));
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 2);
  g_assert_cmpuint (studio_pipeline_get_input (p, sink), ==, src);
  g_assert_true (studio_pipeline_undo (p));
  g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, 0);
  g_assert_true (studio_pipeline_redo (p));
  g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, 1);
  g_assert_true (studio_pipeline_can_redo (p));

  /* a new edit drops the redo history */
  studio_pipeline_move_node (p, sink, 300, 40, TRUE);
  g_assert_false (studio_pipeline_can_redo (p));
  g_assert_cmpfloat (studio_pipeline_lookup (p, sink)->x, ==, 300);
  g_assert_true (studio_pipeline_undo (p));
  g_assert_cmpfloat (studio_pipeline_lookup (p, sink)->x, ==, 200);
  g_assert_cmpuint (changed, ==, 3 + 1 + 3 + 1);
  g_assert_finalize_object (p);
}

static void
assert_node (StudioPipeline *p, guint i, StudioNodeKind kind, const char *text,
             const char *group_by)
{
  const StudioNode *n = studio_pipeline_get_node (p, i);
  g_assert_cmpint (n->kind, ==, kind);
  g_assert_cmpstr (n->text, ==, text);
  g_assert_cmpstr (n->group_by, ==, group_by);
  if (i > 0)
    g_assert_cmpuint (studio_pipeline_get_input (p, n->id), ==,
                      studio_pipeline_get_node (p, i - 1)->id);
}

static void
test_from_sql_insert (void)
{
  g_autoptr (PlanCatalog) catalog = studio_test_catalog ();
  StudioPipeline *p = studio_pipeline_new ();
  g_autoptr (GError) error = NULL;
  const char *sql = "INSERT INTO console SELECT order_id, customer, amount FROM orders "
                    "WHERE amount > 10";

  g_assert_true (studio_pipeline_load_sql (p, catalog, sql, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 4);
  g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, 3);
  assert_node (p, 0, STUDIO_NODE_SOURCE, "orders", "");
  assert_node (p, 1, STUDIO_NODE_FILTER, "amount > 10", "");
  assert_node (p, 2, STUDIO_NODE_PROJECT, "order_id, customer, amount", "");
  assert_node (p, 3, STUDIO_NODE_SINK, "console", "");
  assert_sql (p, sql); /* the round trip gives the same text back */
  /* loading is one undo step */
  g_assert_true (studio_pipeline_undo (p));
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 0);
  g_assert_finalize_object (p);
}

static void
test_from_sql_aggregate (void)
{
  g_autoptr (PlanCatalog) catalog = studio_test_catalog ();
  StudioPipeline *p = studio_pipeline_new ();
  g_autoptr (GError) error = NULL;
  const char *sql = "SELECT customer, COUNT(*) AS n, SUM(amount) AS total FROM orders "
                    "WHERE qty > 1 GROUP BY customer";

  g_assert_true (studio_pipeline_load_sql (p, catalog, sql, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 4);
  assert_node (p, 0, STUDIO_NODE_SOURCE, "orders", "");
  assert_node (p, 1, STUDIO_NODE_FILTER, "qty > 1", "");
  assert_node (p, 2, STUDIO_NODE_AGGREGATE, "COUNT(*) AS n, SUM(amount) AS total", "customer");
  assert_node (p, 3, STUDIO_NODE_SINK, "", "");
  assert_sql (p, sql);
  g_assert_finalize_object (p);
}

static void
test_from_sql_pipe (void)
{
  g_autoptr (PlanCatalog) catalog = studio_test_catalog ();
  StudioPipeline *p = studio_pipeline_new ();
  g_autoptr (GError) error = NULL;
  const char *sql = "FROM orders |> SELECT order_id, amount * 2 AS a2 |> WHERE a2 > 10";

  g_assert_true (studio_pipeline_load_sql (p, catalog, sql, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 4);
  assert_node (p, 0, STUDIO_NODE_SOURCE, "orders", "");
  assert_node (p, 1, STUDIO_NODE_PROJECT, "order_id, amount * 2 AS a2", "");
  assert_node (p, 2, STUDIO_NODE_FILTER, "a2 > 10", "");
  assert_node (p, 3, STUDIO_NODE_SINK, "", "");
  assert_sql (p, sql);
  g_assert_finalize_object (p);
}

static void
test_from_sql_refused (void)
{
  g_autoptr (PlanCatalog) catalog = studio_test_catalog ();
  StudioPipeline *p = studio_pipeline_new ();
  g_autoptr (GError) error = NULL;

  studio_pipeline_add_node (p, STUDIO_NODE_SOURCE, "orders", 0, 0);
  g_assert_false (studio_pipeline_load_sql (p, catalog, "SELECT * FROM orders LIMIT 3",
                                            &error));
  g_assert_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_false (studio_pipeline_load_sql (p, catalog, "DROP TABLE orders", &error));
  g_assert_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_false (studio_pipeline_load_sql (p, catalog, "SELECT nope FROM orders", &error));
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_BIND);
  /* the model is untouched by a failed load */
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 1);
  g_assert_finalize_object (p);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gui/pipeline/to-sql/insert", test_to_sql_insert);
  g_test_add_func ("/gui/pipeline/to-sql/two-filters", test_to_sql_two_filters);
  g_test_add_func ("/gui/pipeline/to-sql/pipe", test_to_sql_pipe);
  g_test_add_func ("/gui/pipeline/to-sql/aggregate", test_to_sql_aggregate);
  g_test_add_func ("/gui/pipeline/to-sql/incomplete", test_to_sql_incomplete);
  g_test_add_func ("/gui/pipeline/connect-refused", test_connect_refused);
  g_test_add_func ("/gui/pipeline/undo-redo", test_undo_redo);
  g_test_add_func ("/gui/pipeline/from-sql/insert", test_from_sql_insert);
  g_test_add_func ("/gui/pipeline/from-sql/aggregate", test_from_sql_aggregate);
  g_test_add_func ("/gui/pipeline/from-sql/pipe", test_from_sql_pipe);
  g_test_add_func ("/gui/pipeline/from-sql/refused", test_from_sql_refused);
  return g_test_run ();
}
