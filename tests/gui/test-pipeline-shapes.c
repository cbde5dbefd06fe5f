/* test-pipeline-shapes.c: the pipeline model's trees and ranked shapes without a display:
 * window TVF aggregates and joins read back from SQL onto nodes and edges, union, Top-N
 * and dedup nodes printed as SQL that binds through the engine's binder and read back,
 * and a node's properties checked against the catalog as they are typed. Expected texts
 * are written by hand from the printing rules in studio-pipeline-sql.c. */
#include "studio-pipeline.h"
#include "studio-test-util.h"

static PlanCatalog *
shapes_catalog (void)
{
  PlanCatalog *catalog = studio_test_catalog ();
  const char *ddl = "CREATE TABLE bids (auction INT, price DOUBLE, bidder VARCHAR, "
                    "ts TIMESTAMP(3), pt AS PROCTIME(), "
                    "WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) "
                    "WITH ('connector' = 'datagen')";
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanStatement) stmt = plan_sql_compile_one (catalog, ddl, &error);

  g_assert_no_error (error);
  g_assert_true (plan_catalog_add_table (catalog, stmt->table, &error));
  return catalog;
}

typedef struct {
  StudioNodeKind kind;
  const char *text, *group_by;
} Want;

static void
assert_nodes (StudioPipeline *p, const Want *want, guint n)
{
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, n);
  for (guint i = 0; i < n; i++)
    {
      const StudioNode *node = studio_pipeline_get_node (p, i);
      g_assert_cmpuint (node->id, ==, i + 1);
      g_assert_cmpint (node->kind, ==, want[i].kind);
      g_assert_cmpstr (node->text, ==, want[i].text);
      g_assert_cmpstr (node->group_by, ==, want[i].group_by);
    }
}

/* A plain chain: node i feeds node i + 1 on port 0. */
static void
assert_chain (StudioPipeline *p)
{
  guint n = studio_pipeline_get_n_nodes (p);

  g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, n - 1);
  for (guint i = 1; i < n; i++)
    g_assert_cmpuint (studio_pipeline_get_input (p, i + 1), ==, i);
}

static void
assert_round_trip (StudioPipeline *p, const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *back = studio_pipeline_to_sql (p, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (back, ==, sql);
}

static void
load (StudioPipeline *p, PlanCatalog *catalog, const char *sql)
{
  g_autoptr (GError) error = NULL;

  gboolean ok = studio_pipeline_load_sql (p, catalog, sql, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
test_from_sql_window (void)
{
  PlanCatalog *catalog = shapes_catalog ();
  StudioPipeline *p = studio_pipeline_new ();
  const char *tumble = "SELECT window_start, window_end, COUNT(*) AS bids, SUM(price) AS total "
                       "FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND)) "
                       "GROUP BY window_start, window_end";
  const char *hop = "SELECT window_start, window_end, auction, MAX(price) AS top FROM "
                    "TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND, "
                    "INTERVAL '10' SECOND)) WHERE price > 1 "
                    "GROUP BY window_start, window_end, auction";
  const char *cumulate = "SELECT window_start, window_end, COUNT(*) AS n FROM "
                         "TABLE(CUMULATE(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' MINUTE, "
                         "INTERVAL '2' HOUR)) GROUP BY window_start, window_end";
  const char *session = "SELECT window_start, window_end, bidder, COUNT(*) AS n FROM "
                        "TABLE(SESSION(TABLE bids, DESCRIPTOR(ts), INTERVAL '90' SECOND)) "
                        "GROUP BY window_start, window_end, bidder";
  const Want w_tumble[] = {
    { STUDIO_NODE_SOURCE, "bids", "" },
    { STUDIO_NODE_WINDOW, "TUMBLE(ts, 10 SECOND)", "" },
    { STUDIO_NODE_AGGREGATE, "COUNT(*) AS bids, SUM(price) AS total", "" },
    { STUDIO_NODE_SINK, "", "" },
  };
  const Want w_hop[] = {
    { STUDIO_NODE_SOURCE, "bids", "" },
    { STUDIO_NODE_WINDOW, "HOP(ts, 5 SECOND, 10 SECOND)", "" },
    { STUDIO_NODE_FILTER, "price > 1", "" },
    { STUDIO_NODE_AGGREGATE, "MAX(price) AS top", "auction" },
    { STUDIO_NODE_SINK, "", "" },
  };
  const Want w_cumulate[] = {
    { STUDIO_NODE_SOURCE, "bids", "" },
    { STUDIO_NODE_WINDOW, "CUMULATE(ts, 1 MINUTE, 2 HOUR)", "" },
    { STUDIO_NODE_AGGREGATE, "COUNT(*) AS n", "" },
    { STUDIO_NODE_SINK, "", "" },
  };
  const Want w_session[] = {
    { STUDIO_NODE_SOURCE, "bids", "" },
    { STUDIO_NODE_WINDOW, "SESSION(ts, 90 SECOND)", "" },
    { STUDIO_NODE_AGGREGATE, "COUNT(*) AS n", "bidder" },
    { STUDIO_NODE_SINK, "", "" },
  };

  load (p, catalog, tumble);
  assert_nodes (p, w_tumble, G_N_ELEMENTS (w_tumble));
  assert_chain (p);
  assert_round_trip (p, tumble);
  load (p, catalog, hop);
  assert_nodes (p, w_hop, G_N_ELEMENTS (w_hop));
  assert_chain (p);
  assert_round_trip (p, hop);
  load (p, catalog, cumulate);
  assert_nodes (p, w_cumulate, G_N_ELEMENTS (w_cumulate));
  assert_round_trip (p, cumulate);
  load (p, catalog, session);
  assert_nodes (p, w_session, G_N_ELEMENTS (w_session));
  assert_round_trip (p, session);
  /* each load was one undo step */
  g_assert_true (studio_pipeline_undo (p));
  assert_nodes (p, w_cumulate, G_N_ELEMENTS (w_cumulate));
  g_assert_finalize_object (p);
  plan_catalog_free (catalog);
}

static void
test_from_sql_join (void)
{
  static const struct { const char *sql, *kind, *keys; } joins[] = {
    { "SELECT * FROM orders INNER JOIN clicks ON orders.order_id = clicks.user_id "
      "WHERE price > 1", "inner", "order_id = user_id" },
    { "SELECT * FROM orders LEFT OUTER JOIN clicks ON orders.order_id = clicks.user_id "
      "AND orders.qty = clicks.user_id WHERE price > 1", "left",
      "order_id = user_id, qty = user_id" },
    { "SELECT * FROM orders RIGHT OUTER JOIN clicks ON orders.qty = clicks.price "
      "WHERE price > 1", "right", "qty = price" },  /* INT = DOUBLE: the binder casts qty */
    /* the binder puts the cast key first; the canvas keeps the written order */
    { "SELECT * FROM orders INNER JOIN clicks ON orders.order_id = clicks.user_id "
      "AND orders.qty = clicks.price WHERE price > 1", "inner",
      "order_id = user_id, qty = price" },
    { "SELECT * FROM orders FULL OUTER JOIN clicks ON orders.order_id = clicks.user_id "
      "WHERE price > 1", "full", "order_id = user_id" },
  };
  PlanCatalog *catalog = shapes_catalog ();
  StudioPipeline *p = studio_pipeline_new ();

  for (guint i = 0; i < G_N_ELEMENTS (joins); i++)
    {
      const Want want[] = {
        { STUDIO_NODE_SOURCE, "orders", "" },
        { STUDIO_NODE_SOURCE, "clicks", "" },
        { STUDIO_NODE_JOIN, joins[i].kind, joins[i].keys },
        { STUDIO_NODE_FILTER, "price > 1", "" },
        { STUDIO_NODE_SINK, "", "" },
      };
      const StudioNode *o, *c, *j;
      load (p, catalog, joins[i].sql);
      assert_nodes (p, want, G_N_ELEMENTS (want));
      /* edges: orders -> join's left port, clicks -> its right port, join -> filter -> sink */
      g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, 4);
      g_assert_cmpuint (studio_pipeline_get_input_port (p, 3, 0), ==, 1);
      g_assert_cmpuint (studio_pipeline_get_input_port (p, 3, 1), ==, 2);
      g_assert_cmpuint (studio_pipeline_get_input (p, 4), ==, 3);
      g_assert_cmpuint (studio_pipeline_get_input (p, 5), ==, 4);
      /* layout: the two tables in one column, one above the other, the join between */
      o = studio_pipeline_lookup (p, 1);
      c = studio_pipeline_lookup (p, 2);
      j = studio_pipeline_lookup (p, 3);
      g_assert_cmpfloat (o->x, ==, c->x);
      g_assert_cmpfloat (o->y, <, c->y);
      g_assert_cmpfloat (j->x, >, o->x);
      g_assert_cmpfloat (j->y, ==, (o->y + c->y) / 2);
      assert_round_trip (p, joins[i].sql);
    }
  g_assert_finalize_object (p);
  plan_catalog_free (catalog);
}

static void
test_from_sql_refused (void)
{
  PlanCatalog *catalog = shapes_catalog ();
  StudioPipeline *p = studio_pipeline_new ();
  static const char *sqls[] = {
    /* a residual condition beyond column equalities */
    "SELECT * FROM orders JOIN clicks ON orders.order_id = clicks.user_id AND price > qty",
    /* a window with an offset has no canvas spec */
    "SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), "
    "INTERVAL '10' SECOND, INTERVAL '1' SECOND)) GROUP BY window_start, window_end",
  };

  for (guint i = 0; i < G_N_ELEMENTS (sqls); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_false (studio_pipeline_load_sql (p, catalog, sqls[i], &error));
      g_assert_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_UNSUPPORTED);
      g_assert_nonnull (strstr (error->message, "no canvas node yet"));
    }
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 0);
  g_assert_finalize_object (p);
  plan_catalog_free (catalog);
}

static guint
add (StudioPipeline *p, StudioNodeKind kind, const char *text, const char *group_by,
     guint from)
{
  guint id = studio_pipeline_add_node (p, kind, text, 0, 0);

  if (group_by != NULL)
    studio_pipeline_set_text (p, id, text, group_by);
  if (from != 0)
    g_assert_true (studio_pipeline_connect (p, from, id, NULL));
  return id;
}

/* The SQL of p, which must bind through the engine's binder; returns the statement. */
static PlanStatement *
assert_sql_binds (StudioPipeline *p, PlanCatalog *catalog, const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = studio_pipeline_to_sql (p, &error);
  PlanStatement *stmt;

  g_assert_no_error (error);
  g_assert_cmpstr (sql, ==, expected);
  stmt = plan_sql_compile_one (catalog, sql, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stmt);
  return stmt;
}

static const PlanNode *
find_kind (const PlanNode *node, PlanNodeKind kind)
{
  if (node->kind == kind)
    return node;
  for (guint i = 0; i < node->n_inputs; i++)
    {
      const PlanNode *found = find_kind (node->inputs[i], kind);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static const PlanNode *
must_find (const PlanNode *node, PlanNodeKind kind)
{
  const PlanNode *found = find_kind (node, kind);

  if (found == NULL)
    g_error ("the plan has no %s node", plan_node_kind_name (kind));
  return found;
}

static void
test_to_sql_union (void)
{
  PlanCatalog *catalog = shapes_catalog ();
  g_autoptr (StudioPipeline) p = studio_pipeline_new ();
  g_autoptr (PlanStatement) stmt = NULL, stmt2 = NULL;
  g_autoptr (GError) error = NULL;
  guint c = add (p, STUDIO_NODE_SOURCE, "clicks", NULL, 0);
  guint pc = add (p, STUDIO_NODE_PROJECT, "user_id, price", NULL, c);
  guint o = add (p, STUDIO_NODE_SOURCE, "orders", NULL, 0);
  guint f = add (p, STUDIO_NODE_FILTER, "qty > 1", NULL, o);
  guint po = add (p, STUDIO_NODE_PROJECT, "order_id, qty", NULL, f);
  guint u = add (p, STUDIO_NODE_UNION, "", NULL, pc);
  guint x = add (p, STUDIO_NODE_SOURCE, "bids", NULL, 0);
  guint top;
  const PlanNode *un;

  g_assert_cmpuint (studio_node_kind_n_inputs (STUDIO_NODE_UNION), ==, 2);
  g_assert_true (studio_pipeline_connect (p, po, u, &error));
  g_assert_false (studio_pipeline_connect (p, x, u, &error)); /* both ports are taken */
  g_assert_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_CONNECT);
  g_assert_nonnull (strstr (error->message, "both of the union's input ports"));
  g_clear_error (&error);
  g_assert_true (studio_pipeline_remove_node (p, x));
  /* a bare union; the right side's filter stays inside its own SELECT */
  stmt = assert_sql_binds (p, catalog, "SELECT user_id, price FROM clicks UNION ALL "
                                       "SELECT order_id, qty FROM orders WHERE qty > 1");
  un = must_find (stmt->plan, PLAN_NODE_UNION);
  g_assert_cmpuint (un->n_inputs, ==, 2);
  /* a step after the union makes it a subquery */
  top = add (p, STUDIO_NODE_FILTER, "price > 2", NULL, u);
  add (p, STUDIO_NODE_SINK, "", NULL, top);
  stmt2 = assert_sql_binds (p, catalog,
                            "SELECT * FROM (SELECT user_id, price FROM clicks UNION ALL "
                            "SELECT order_id, qty FROM orders WHERE qty > 1) WHERE price > 2");
  g_assert_cmpint (stmt2->plan->inputs[0]->kind, ==, PLAN_NODE_FILTER);
  g_assert_cmpint (stmt2->plan->inputs[0]->inputs[0]->kind, ==, PLAN_NODE_UNION);
  plan_catalog_free (catalog);
}

static void
test_to_sql_topn_dedup (void)
{
  PlanCatalog *catalog = shapes_catalog ();
  g_autoptr (StudioPipeline) p = studio_pipeline_new ();
  g_autoptr (StudioPipeline) q = studio_pipeline_new ();
  g_autoptr (PlanStatement) s1 = NULL, s2 = NULL, s3 = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *bad = NULL;
  guint o = add (p, STUDIO_NODE_SOURCE, "orders", NULL, 0);
  guint f = add (p, STUDIO_NODE_FILTER, "qty > 1", NULL, o);
  guint t = add (p, STUDIO_NODE_TOPN, "amount DESC LIMIT 3", "customer", f);
  guint b = add (q, STUDIO_NODE_SOURCE, "bids", NULL, 0);
  guint d = add (q, STUDIO_NODE_DEDUP, "pt", "bidder", b);
  const PlanNode *rank;

  s1 = assert_sql_binds (p, catalog, "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION "
                                     "BY customer ORDER BY amount DESC) AS rownum FROM orders "
                                     "WHERE qty > 1) WHERE rownum <= 3");
  rank = must_find (s1->plan, PLAN_NODE_RANK);
  g_assert_cmpuint (rank->u.rank.n_partition, ==, 1);
  g_assert_true (rank->u.rank.order.descending[0]);
  /* a filter after the Top-N is not SELECT's order: pipe syntax */
  add (p, STUDIO_NODE_FILTER, "qty < 5", NULL, t);
  s2 = assert_sql_binds (p, catalog, "FROM orders |> WHERE qty > 1 |> EXTEND ROW_NUMBER() "
                                     "OVER (PARTITION BY customer ORDER BY amount DESC) AS "
                                     "rownum |> WHERE rownum <= 3 |> WHERE qty < 5");
  /* dedup on a proctime attribute: the binder marks the RANK as keeping the first row */
  s3 = assert_sql_binds (q, catalog, "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION "
                                     "BY bidder ORDER BY pt) AS rownum FROM bids) "
                                     "WHERE rownum = 1");
  rank = must_find (s3->plan, PLAN_NODE_RANK);
  g_assert_true (rank->u.rank.first_row);
  /* what is missing is said */
  studio_pipeline_set_text (p, t, "amount DESC", "customer");
  bad = studio_pipeline_to_sql (p, &error);
  g_assert_null (bad);
  g_assert_nonnull (strstr (error->message, "Top-N node 3 needs its order and a positive "
                                            "bound"));
  g_clear_error (&error);
  studio_pipeline_set_text (q, d, "pt", "");
  bad = studio_pipeline_to_sql (q, &error);
  g_assert_null (bad);
  g_assert_nonnull (strstr (error->message, "Dedup node 2 needs the key columns"));
  plan_catalog_free (catalog);
}

static void
test_from_sql_union_topn_dedup (void)
{
  PlanCatalog *catalog = shapes_catalog ();
  StudioPipeline *p = studio_pipeline_new ();
  const char *un = "SELECT * FROM (SELECT user_id, price FROM clicks UNION ALL "
                   "SELECT order_id, qty FROM orders) WHERE price > 2";
  const char *topn = "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY customer "
                     "ORDER BY amount DESC) AS rownum FROM orders WHERE qty > 1) "
                     "WHERE rownum <= 3";
  const char *topn_rest = "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY customer "
                          "ORDER BY amount DESC, qty) AS rownum FROM orders) "
                          "WHERE rownum < 4 AND qty < 5";
  const char *dedup = "INSERT INTO console SELECT order_id, customer, amount FROM "
                      "(SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder ORDER BY pt DESC) "
                      "AS rownum FROM bids) WHERE rownum = 1";
  const Want w_union[] = {
    { STUDIO_NODE_SOURCE, "clicks", "" },
    { STUDIO_NODE_PROJECT, "user_id, price", "" },
    { STUDIO_NODE_SOURCE, "orders", "" },
    { STUDIO_NODE_PROJECT, "order_id, qty", "" },
    { STUDIO_NODE_UNION, "", "" },
    { STUDIO_NODE_FILTER, "price > 2", "" },
    { STUDIO_NODE_SINK, "", "" },
  };
  const Want w_topn[] = {
    { STUDIO_NODE_SOURCE, "orders", "" },
    { STUDIO_NODE_FILTER, "qty > 1", "" },
    { STUDIO_NODE_TOPN, "amount DESC LIMIT 3", "customer" },
    { STUDIO_NODE_SINK, "", "" },
  };
  const Want w_topn_rest[] = {
    { STUDIO_NODE_SOURCE, "orders", "" },
    { STUDIO_NODE_TOPN, "amount DESC, qty LIMIT 3", "customer" }, /* < 4 is <= 3 */
    { STUDIO_NODE_FILTER, "qty < 5", "" },
    { STUDIO_NODE_SINK, "", "" },
  };

  load (p, catalog, un);
  assert_nodes (p, w_union, G_N_ELEMENTS (w_union));
  g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, 6);
  g_assert_cmpuint (studio_pipeline_get_input (p, 2), ==, 1);
  g_assert_cmpuint (studio_pipeline_get_input (p, 4), ==, 3);
  g_assert_cmpuint (studio_pipeline_get_input_port (p, 5, 0), ==, 2);
  g_assert_cmpuint (studio_pipeline_get_input_port (p, 5, 1), ==, 4);
  g_assert_cmpuint (studio_pipeline_get_input (p, 6), ==, 5);
  g_assert_cmpuint (studio_pipeline_get_input (p, 7), ==, 6);
  assert_round_trip (p, un);

  load (p, catalog, topn);
  assert_nodes (p, w_topn, G_N_ELEMENTS (w_topn));
  assert_chain (p);
  assert_round_trip (p, topn);
  load (p, catalog, topn_rest);
  assert_nodes (p, w_topn_rest, G_N_ELEMENTS (w_topn_rest));
  assert_chain (p);

  /* dedup keeping the last row, under the user's projection, into a table: bids has the
   * console's column types only by name here, so read it from a query that binds */
  {
    g_autoptr (GError) error = NULL;
    const char *dd = "SELECT auction, bidder FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY "
                     "bidder ORDER BY pt DESC) AS rownum FROM bids) WHERE rownum = 1";
    const Want w_dd[] = {
      { STUDIO_NODE_SOURCE, "bids", "" },
      { STUDIO_NODE_DEDUP, "pt DESC", "bidder" },
      { STUDIO_NODE_PROJECT, "auction, bidder", "" },
      { STUDIO_NODE_SINK, "", "" },
    };
    g_assert_false (studio_pipeline_load_sql (p, catalog, dedup, &error)); /* no such cols */
    g_assert_error (error, PLAN_ERROR, PLAN_ERROR_BIND);
    load (p, catalog, dd);
    assert_nodes (p, w_dd, G_N_ELEMENTS (w_dd));
    assert_chain (p);
    assert_round_trip (p, "FROM bids |> EXTEND ROW_NUMBER() OVER (PARTITION BY bidder "
                          "ORDER BY pt DESC) AS rownum |> WHERE rownum = 1 "
                          "|> SELECT auction, bidder");
  }
  g_assert_finalize_object (p);
  plan_catalog_free (catalog);
}

static void
test_check_node (void)
{
  PlanCatalog *catalog = shapes_catalog ();
  g_autoptr (StudioPipeline) p = studio_pipeline_new ();
  guint o, f, a, g, s, x;
  g_autofree char *m1 = NULL, *m2 = NULL, *m3 = NULL, *m4 = NULL, *m5 = NULL, *m6 = NULL;
  g_autofree char *m7 = NULL;

  o = add (p, STUDIO_NODE_SOURCE, "orders", NULL, 0);
  f = add (p, STUDIO_NODE_FILTER, "qty > 1", NULL, o);
  a = add (p, STUDIO_NODE_AGGREGATE, "SUM(amount) AS total", "customer", f);
  /* without a catalog only window specs are checked */
  g_assert_null (studio_pipeline_check_node (p, f, "nope > 1"));
  studio_pipeline_set_catalog (p, catalog);
  g_assert_null (studio_pipeline_check_node (p, f, NULL));
  m1 = studio_pipeline_check_node (p, f, "nope > 1"); /* a draft, not the model's text */
  g_assert_nonnull (m1);
  g_assert_nonnull (strstr (m1, "nope"));
  g_assert_cmpstr (studio_pipeline_lookup (p, f)->text, ==, "qty > 1");
  m2 = studio_pipeline_check_node (p, a, "SUM(amount) AS total, MAX(bogus) AS m");
  g_assert_nonnull (m2);
  g_assert_nonnull (strstr (m2, "bogus"));
  m3 = studio_pipeline_check_node (p, f, "status > 1"); /* VARCHAR > INT: a type error */
  g_assert_nonnull (m3);
  /* a broken filter is its own problem, not the aggregate's downstream of it */
  studio_pipeline_set_text (p, f, "nope > 1", NULL);
  g_assert_null (studio_pipeline_check_node (p, a, NULL));
  m4 = studio_pipeline_check_node (p, f, NULL);
  g_assert_nonnull (m4);
  /* sources and sinks name tables */
  g = add (p, STUDIO_NODE_SOURCE, "nosuch", NULL, 0);
  m5 = studio_pipeline_check_node (p, g, NULL);
  g_assert_cmpstr (m5, ==, "Unknown table 'nosuch': create it in the notebook first");
  /* a Top-N over a column the input lacks */
  s = add (p, STUDIO_NODE_SOURCE, "clicks", NULL, 0);
  x = add (p, STUDIO_NODE_TOPN, "price DESC LIMIT 2", "user_id", s);
  g_assert_null (studio_pipeline_check_node (p, x, NULL));
  m6 = studio_pipeline_check_node (p, x, "amount DESC LIMIT 2");
  g_assert_nonnull (m6);
  g_assert_nonnull (strstr (m6, "amount"));
  m7 = studio_pipeline_check_node (p, x, "price DESC");
  g_assert_nonnull (strstr (m7, "needs its order and a positive bound"));
  plan_catalog_free (catalog);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gui/pipeline-shapes/from-sql/window", test_from_sql_window);
  g_test_add_func ("/gui/pipeline-shapes/from-sql/join", test_from_sql_join);
  g_test_add_func ("/gui/pipeline-shapes/from-sql/refused", test_from_sql_refused);
  g_test_add_func ("/gui/pipeline-shapes/to-sql/union", test_to_sql_union);
  g_test_add_func ("/gui/pipeline-shapes/to-sql/topn-dedup", test_to_sql_topn_dedup);
  g_test_add_func ("/gui/pipeline-shapes/from-sql/union-topn-dedup",
                   test_from_sql_union_topn_dedup);
  g_test_add_func ("/gui/pipeline-shapes/check-node", test_check_node);
  return g_test_run ();
}
