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

/* source -> window -> aggregate [-> filter]: the window TVF in FROM, window_start and
 * window_end leading the select list and the GROUP BY. */
static StudioPipeline *
windowed (const char *spec, const char *calls, const char *keys)
{
  StudioPipeline *p = studio_pipeline_new ();
  guint s = studio_pipeline_add_node (p, STUDIO_NODE_SOURCE, "bids", 0, 0);
  guint w = studio_pipeline_add_node (p, STUDIO_NODE_WINDOW, spec, 0, 0);
  guint a = studio_pipeline_add_node (p, STUDIO_NODE_AGGREGATE, calls, 0, 0);

  studio_pipeline_set_text (p, a, calls, keys);
  g_assert_true (studio_pipeline_connect (p, s, w, NULL));
  g_assert_true (studio_pipeline_connect (p, w, a, NULL));
  return p;
}

static void
test_to_sql_window (void)
{
  g_autoptr (StudioPipeline) p = windowed ("TUMBLE(ts, 10 SECOND)",
                                           "COUNT(*) AS bids, SUM(price) AS total", "");
  g_autoptr (StudioPipeline) q = windowed ("hop(ts, 5 seconds, 10 second)",
                                           "MAX(price) AS top", "auction");
  g_autoptr (StudioPipeline) r = windowed ("SESSION(ts, 1 MINUTE)", "COUNT(*) AS n", "");
  g_autofree char *sql = NULL, *sql2 = NULL, *sql3 = NULL;
  g_autoptr (GError) error = NULL;

  sql = studio_pipeline_to_sql (p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sql, ==, "SELECT window_start, window_end, COUNT(*) AS bids, "
                            "SUM(price) AS total FROM TABLE(TUMBLE(TABLE bids, "
                            "DESCRIPTOR(ts), INTERVAL '10' SECOND)) "
                            "GROUP BY window_start, window_end");
  sql2 = studio_pipeline_to_sql (q, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sql2, ==, "SELECT window_start, window_end, auction, MAX(price) AS top "
                             "FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND, "
                             "INTERVAL '10' SECOND)) "
                             "GROUP BY window_start, window_end, auction");
  sql3 = studio_pipeline_to_sql (r, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (sql3, "FROM TABLE(SESSION(TABLE bids, DESCRIPTOR(ts), "
                                  "INTERVAL '1' MINUTE))"));
}

static void
test_window_spec_errors (void)
{
  static const struct { const char *spec, *message; } cases[] = {
    { "TUMBLE(ts, ten SECOND)", "Bad interval 'ten SECOND'" },
    { "TUMBLE(ts, 10 FORTNIGHT)", "Bad interval '10 FORTNIGHT'" },
    { "TUMBLE(ts, 0 SECOND)", "Bad interval '0 SECOND'" },
    { "HOP(ts, 5 SECOND)", "HOP takes a time column and 2 intervals" },
    { "SLIDE(ts, 1 SECOND)", "Unknown window 'SLIDE(ts, 1 SECOND)'" },
    { "CUMULATE(ts, 1 SECOND, 2 SECOND", "Unknown window" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *sql = studio_window_spec_to_sql (cases[i].spec, "bids", &error);
      g_assert_null (sql);
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }
  /* a window after a filter has no SQL: the TVF reads a table */
  {
    g_autoptr (StudioPipeline) p = studio_pipeline_new ();
    g_autoptr (GError) error = NULL;
    g_autofree char *sql = NULL;
    guint s = studio_pipeline_add_node (p, STUDIO_NODE_SOURCE, "bids", 0, 0);
    guint f = studio_pipeline_add_node (p, STUDIO_NODE_FILTER, "price > 1", 0, 0);
    guint w = studio_pipeline_add_node (p, STUDIO_NODE_WINDOW, "TUMBLE(ts, 1 SECOND)", 0, 0);
    studio_pipeline_connect (p, s, f, NULL);
    studio_pipeline_connect (p, f, w, NULL);
    sql = studio_pipeline_to_sql (p, &error);
    g_assert_null (sql);
    g_assert_nonnull (strstr (error->message, "Window node 3 must come right after"));
  }
}

static void
test_to_sql_join (void)
{
  g_autoptr (StudioPipeline) p = studio_pipeline_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = NULL, *sql2 = NULL, *bad = NULL;
  guint o = studio_pipeline_add_node (p, STUDIO_NODE_SOURCE, "orders", 0, 0);
  guint c = studio_pipeline_add_node (p, STUDIO_NODE_SOURCE, "clicks", 0, 0);
  guint x = studio_pipeline_add_node (p, STUDIO_NODE_SOURCE, "console", 0, 0);
  guint j = studio_pipeline_add_node (p, STUDIO_NODE_JOIN, "left", 0, 0);
  guint f = studio_pipeline_add_node (p, STUDIO_NODE_FILTER, "price > 1", 0, 0);

  g_assert_cmpuint (studio_node_kind_n_inputs (STUDIO_NODE_JOIN), ==, 2);
  /* the first connection takes the left port, the second the right, a third is refused */
  g_assert_true (studio_pipeline_connect (p, o, j, NULL));
  g_assert_true (studio_pipeline_connect (p, c, j, NULL));
  g_assert_cmpuint (studio_pipeline_get_input_port (p, j, 0), ==, o);
  g_assert_cmpuint (studio_pipeline_get_input_port (p, j, 1), ==, c);
  g_assert_false (studio_pipeline_connect (p, x, j, &error));
  g_assert_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_CONNECT);
  g_assert_nonnull (strstr (error->message, "both of the join's input ports"));
  g_clear_error (&error);
  g_assert_true (studio_pipeline_remove_node (p, x)); /* else it would be the chain's end */
  g_assert_true (studio_pipeline_connect (p, j, f, NULL));

  /* no keys yet: the SQL says what is missing */
  bad = studio_pipeline_to_sql (p, &error);
  g_assert_null (bad);
  g_assert_nonnull (strstr (error->message, "Join node 4 needs key fields"));
  g_clear_error (&error);

  studio_pipeline_set_text (p, j, "left", "customer = user_id");
  sql = studio_pipeline_to_sql (p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sql, ==, "SELECT * FROM orders LEFT OUTER JOIN clicks ON "
                            "orders.customer = clicks.user_id WHERE price > 1");
  studio_pipeline_set_text (p, j, "INNER", "order_id = user_id, qty = price");
  sql2 = studio_pipeline_to_sql (p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sql2, ==, "SELECT * FROM orders INNER JOIN clicks ON "
                             "orders.order_id = clicks.user_id AND orders.qty = clicks.price "
                             "WHERE price > 1");
  /* taking the right input away: the join reports its empty port */
  g_assert_true (studio_pipeline_remove_node (p, c));
  g_clear_pointer (&bad, g_free);
  bad = studio_pipeline_to_sql (p, &error);
  g_assert_null (bad);
  g_assert_nonnull (strstr (error->message, "on its right (lower) input port"));
}

static void
test_connect_schema (void)
{
  g_autoptr (StudioPipeline) p = studio_pipeline_new ();
  PlanCatalog *catalog = studio_test_catalog ();
  g_autoptr (GError) error = NULL;
  guint o, c, w, j;

  studio_pipeline_set_catalog (p, catalog);
  o = studio_pipeline_add_node (p, STUDIO_NODE_SOURCE, "orders", 0, 0);
  c = studio_pipeline_add_node (p, STUDIO_NODE_SOURCE, "clicks", 0, 0);
  w = studio_pipeline_add_node (p, STUDIO_NODE_WINDOW, "TUMBLE(ts, 10 SECOND)", 0, 0);
  j = studio_pipeline_add_node (p, STUDIO_NODE_JOIN, "inner", 0, 0);
  studio_pipeline_set_text (p, j, "inner", "customer = nope");
  /* orders has no ts: the window cannot take it */
  g_assert_false (studio_pipeline_connect (p, o, w, &error));
  g_assert_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_CONNECT);
  g_assert_nonnull (strstr (error->message,
                            "table orders has no column 'ts' (the window's time column)"));
  g_clear_error (&error);
  /* left side: orders has customer; right side: clicks has no nope */
  g_assert_true (studio_pipeline_connect (p, o, j, &error));
  g_assert_no_error (error);
  g_assert_false (studio_pipeline_connect (p, c, j, &error));
  g_assert_nonnull (strstr (error->message, "table clicks has no column 'nope' (the join's key)"));
  g_clear_error (&error);
  studio_pipeline_set_text (p, j, "inner", "customer = USER_ID");  /* case-insensitive */
  g_assert_true (studio_pipeline_connect (p, c, j, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, 2);
  plan_catalog_free (catalog);
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
  g_test_add_func ("/gui/pipeline/to-sql/window", test_to_sql_window);
  g_test_add_func ("/gui/pipeline/to-sql/window-errors", test_window_spec_errors);
  g_test_add_func ("/gui/pipeline/to-sql/join", test_to_sql_join);
  g_test_add_func ("/gui/pipeline/connect-schema", test_connect_schema);
  return g_test_run ();
}
