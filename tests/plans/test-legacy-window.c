/* test-legacy-window.c: the legacy group window functions (GROUP BY TUMBLE/HOP/SESSION(ts,
 * ...) with TUMBLE_START, HOP_END, SESSION_ROWTIME, ...) bound onto a WINDOW node and a
 * window aggregate: the plan shape under the sink, the window's kind, sizes, time column
 * and SESSION partition, the auxiliary functions as window columns (ROWTIME as
 * window_end - 1 ms), the physical WINDOW_AGGREGATE, and the errors with their positions.
 * Expected values are worked out by hand from the DDL below. */
#include "plans/plan-sql.h"
#include "plan-test-util.h"
#include "plans/plan-catalog.h"
#include "optimizer/opt.h"

/* bids: 0 auction, 1 bidder, 2 price, 3 ts (rowtime); plain: 0 id, 1 ts (no watermark) */
static const char *const setup_sql =
  "CREATE TABLE bids (auction INT, bidder VARCHAR, price DECIMAL(10, 2), ts TIMESTAMP(3),\n"
  "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'datagen');\n"
  "CREATE TABLE plain (id INT, ts TIMESTAMP(3)) WITH ('connector' = 'datagen');";

static PlanCatalog *catalog;

/* The nodes of SINK -> PROJECT -> [FILTER] -> AGGREGATE -> PROJECT -> WINDOW. */
typedef struct {
  PlanStatement *stmt;
  const PlanNode *top, *agg, *lower, *window;
} Shape;

static void
shape_of (const char *sql, Shape *s)
{
  const PlanNode *n;

  s->stmt = plan_test_compile_ok (catalog, sql);
  n = s->stmt->plan;
  g_assert_cmpint (n->kind, ==, PLAN_NODE_SINK);
  s->top = n = n->inputs[0];
  g_assert_cmpint (n->kind, ==, PLAN_NODE_PROJECT);
  n = n->inputs[0];
  if (n->kind == PLAN_NODE_FILTER)
    n = n->inputs[0];
  s->agg = n;
  g_assert_cmpint (n->kind, ==, PLAN_NODE_AGGREGATE);
  s->lower = n = n->inputs[0];
  g_assert_cmpint (n->kind, ==, PLAN_NODE_PROJECT);
  s->window = n = n->inputs[0];
  g_assert_cmpint (n->kind, ==, PLAN_NODE_WINDOW);
}

/* Expression i of the lower projection is column col of the WINDOW node. */
static void
assert_lower_column (const Shape *s, guint i, guint col)
{
  const PlanExpr *e = s->lower->u.project.exprs[i];

  g_assert_cmpint (e->kind, ==, PLAN_EXPR_COLUMN);
  g_assert_cmpuint (e->u.column, ==, col);
}

static void
test_tumble (void)
{
  Shape s;
  const PlanExpr *rt;

  shape_of ("SELECT TUMBLE_START(ts, INTERVAL '10' SECOND) AS ws, auction, COUNT(*) AS n,\n"
            "  TUMBLE_END(ts, INTERVAL '10' SECOND) AS we,\n"
            "  TUMBLE_ROWTIME(ts, INTERVAL '10' SECOND) AS rt\n"
            "FROM bids GROUP BY auction, TUMBLE(ts, INTERVAL '10' SECOND)", &s);
  g_assert_cmpint (s.window->u.window.kind, ==, PLAN_WINDOW_TUMBLE);
  g_assert_cmpint (s.window->u.window.size_ms, ==, 10000);
  g_assert_cmpint (s.window->u.window.slide_ms, ==, 10000);
  g_assert_cmpuint (s.window->u.window.time_col, ==, 3);
  g_assert_cmpuint (s.window->schema->n_fields, ==, 7); /* 4 columns + 3 window columns */
  /* keys: window_start (4), window_end (5), then auction (0) */
  g_assert_cmpuint (s.agg->u.aggregate.n_keys, ==, 3);
  assert_lower_column (&s, 0, 4);
  assert_lower_column (&s, 1, 5);
  assert_lower_column (&s, 2, 0);
  g_assert_cmpuint (s.agg->u.aggregate.n_aggs, ==, 1);
  /* select list over keys ++ aggregates: ws = 0, auction = 2, n = 3, we = 1 */
  g_assert_cmpuint (s.top->schema->n_fields, ==, 5);
  g_assert_cmpstr (s.top->schema->fields[0].name, ==, "ws");
  g_assert_cmpuint (s.top->u.project.exprs[0]->u.column, ==, 0);
  g_assert_cmpuint (s.top->u.project.exprs[1]->u.column, ==, 2);
  g_assert_cmpuint (s.top->u.project.exprs[2]->u.column, ==, 3);
  g_assert_cmpuint (s.top->u.project.exprs[3]->u.column, ==, 1);
  g_assert_cmpint (s.top->schema->fields[3].type.kind, ==, PLAN_TYPE_TIMESTAMP);
  /* rt = window_end - INTERVAL 1 ms */
  rt = s.top->u.project.exprs[4];
  g_assert_cmpint (rt->kind, ==, PLAN_EXPR_CALL);
  g_assert_cmpint (rt->u.call.func, ==, PLAN_FUNC_SUB);
  g_assert_cmpint (rt->type.kind, ==, PLAN_TYPE_TIMESTAMP);
  g_assert_cmpint (rt->u.call.args[0]->kind, ==, PLAN_EXPR_COLUMN);
  g_assert_cmpuint (rt->u.call.args[0]->u.column, ==, 1);
  g_assert_cmpint (rt->u.call.args[1]->u.literal.v.i, ==, 1);
  plan_statement_free (s.stmt);
}

static void
test_hop_having (void)
{
  Shape s;

  shape_of ("SELECT HOP_END(ts, INTERVAL '5' SECOND, INTERVAL '1' MINUTE) AS e, MAX(price)\n"
            "FROM bids WHERE auction > 1\n"
            "GROUP BY HOP(ts, INTERVAL '5' SECOND, INTERVAL '1' MINUTE)\n"
            "HAVING COUNT(*) > 1 AND HOP_START(ts, INTERVAL '5' SECOND, INTERVAL '1' MINUTE)"
            " > TIMESTAMP '2024-01-01 00:00:00'", &s);
  g_assert_cmpint (s.window->u.window.kind, ==, PLAN_WINDOW_HOP);
  g_assert_cmpint (s.window->u.window.slide_ms, ==, 5000);
  g_assert_cmpint (s.window->u.window.size_ms, ==, 60000);
  g_assert_cmpint (s.window->inputs[0]->kind, ==, PLAN_NODE_FILTER); /* WHERE below */
  g_assert_cmpuint (s.agg->u.aggregate.n_keys, ==, 2);
  g_assert_cmpuint (s.agg->u.aggregate.n_aggs, ==, 2); /* MAX(price), COUNT(*) */
  g_assert_cmpuint (s.top->u.project.exprs[0]->u.column, ==, 1);
  plan_statement_free (s.stmt);
}

static void
test_session (void)
{
  Shape s;

  shape_of ("SELECT bidder, SESSION_START(ts, INTERVAL '30' SECOND) AS s,\n"
            "  SESSION_ROWTIME(ts, INTERVAL '30' SECOND) AS rt, SUM(price)\n"
            "FROM bids GROUP BY SESSION(ts, INTERVAL '30' SECOND), bidder", &s);
  g_assert_cmpint (s.window->u.window.kind, ==, PLAN_WINDOW_SESSION);
  g_assert_cmpint (s.window->u.window.size_ms, ==, 30000);
  g_assert_cmpuint (s.window->u.window.n_partition, ==, 1);
  g_assert_cmpuint (s.window->u.window.partition[0], ==, 1); /* bidder */
  assert_lower_column (&s, 2, 1);
  plan_statement_free (s.stmt);
}

/* The node under the collect sink and its CALC is a WINDOW_AGGREGATE after optimizing. */
static void
test_physical (void)
{
  g_autoptr (PlanStatement) stmt = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (OptResult) opt = NULL;
  const PlanPhysNode *n;

  stmt = plan_test_compile_ok (catalog, "SELECT auction, SESSION_END(ts, INTERVAL '1' MINUTE),"
                               " COUNT(*) FROM bids GROUP BY auction, "
                               "SESSION(ts, INTERVAL '1' MINUTE)");
  opt = opt_optimize (stmt->plan, NULL, &error);
  g_assert_no_error (error);
  n = opt_result_get_physical (opt)->root;
  while (n->kind != PLAN_PHYS_WINDOW_AGGREGATE && n->n_inputs > 0)
    n = n->inputs[0].node;
  g_assert_cmpint (n->kind, ==, PLAN_PHYS_WINDOW_AGGREGATE);
  g_assert_cmpint (n->u.window_agg.session_gap_ms, ==, 60000);
  g_assert_false (n->updating);
}

static void
test_errors (void)
{
  plan_test_compile_fails_at (catalog, "SELECT TUMBLE_START(ts, INTERVAL '1' SECOND), COUNT(*)"
                              " FROM bids GROUP BY auction", 1, 8,
                              "needs GROUP BY TUMBLE(...)");
  plan_test_compile_fails_at (catalog, "SELECT COUNT(*) FROM bids\n"
                              "GROUP BY TUMBLE(id, INTERVAL '1' SECOND)", 2, 17,
                              "not found");
  plan_test_compile_fails_at (catalog, "SELECT COUNT(*) FROM plain\n"
                              "GROUP BY TUMBLE(ts, INTERVAL '1' SECOND)", 2, 17,
                              "must be a time attribute");
  plan_test_compile_fails_at (catalog, "SELECT TUMBLE_END(ts, INTERVAL '2' SECOND) FROM bids\n"
                              "GROUP BY TUMBLE(ts, INTERVAL '1' SECOND)", 1, 8,
                              "must be those of TUMBLE(...) in GROUP BY");
  plan_test_compile_fails_at (catalog, "SELECT HOP_END(ts, INTERVAL '1' SECOND, "
                              "INTERVAL '2' SECOND) FROM bids\n"
                              "GROUP BY TUMBLE(ts, INTERVAL '1' SECOND)", 1, 8,
                              "does not match the group window TUMBLE(...)");
  plan_test_compile_fails_at (catalog, "SELECT COUNT(*) FROM bids GROUP BY "
                              "TUMBLE(ts, INTERVAL '1' SECOND),\n"
                              "  HOP(ts, INTERVAL '1' SECOND, INTERVAL '2' SECOND)", 2, 3,
                              "only one group window");
  plan_test_compile_fails_at (catalog, "SELECT COUNT(*) FROM bids GROUP BY\n"
                              "  HOP(ts, INTERVAL '2' SECOND, INTERVAL '3' SECOND)", 2, 32,
                              "whole multiple of its slide");
  plan_test_compile_fails_at (catalog, "SELECT COUNT(*) FROM bids GROUP BY\n"
                              "  TUMBLE(ts, 10)", 2, 14, "positive constant INTERVAL");
  plan_test_compile_fails_at (catalog, "SELECT COUNT(*) FROM bids GROUP BY\n"
                              "  SESSION(ts, INTERVAL '1' SECOND), auction + 1", 2, 37,
                              "must be plain columns");
  plan_test_compile_fails_at (catalog, "SELECT TUMBLE(ts, INTERVAL '1' SECOND) FROM bids",
                              1, 8, "may only appear in GROUP BY");
  plan_test_compile_fails_at (catalog, "SELECT COUNT(*) FROM bids GROUP BY TUMBLE(ts)",
                              1, 36, "TUMBLE takes 2 arguments");
  /* a regular join's time columns are no time attributes any more */
  plan_test_compile_fails_at (catalog, "SELECT COUNT(*) FROM (SELECT a.ts FROM bids a JOIN "
                              "bids b ON a.auction = b.auction AND a.ts >= b.ts)\n"
                              "GROUP BY TUMBLE(ts, INTERVAL '1' SECOND)", 2, 17,
                              "must be a time attribute");
}

/* An interval join keeps both time columns time attributes, so a group window may follow
 * it, on either side's time. */
static void
test_over_interval_join (void)
{
  static const char *const sides[] = { "lts", "rts" };

  for (guint i = 0; i < G_N_ELEMENTS (sides); i++)
    {
      g_autofree char *sql = g_strdup_printf (
        "SELECT TUMBLE_END(%s, INTERVAL '1' MINUTE), COUNT(*) FROM (\n"
        "  SELECT a.ts AS lts, b.ts AS rts FROM bids a JOIN bids b ON a.auction = b.auction\n"
        "  AND a.ts BETWEEN b.ts - INTERVAL '10' SECOND AND b.ts)\n"
        "GROUP BY TUMBLE(%s, INTERVAL '1' MINUTE)", sides[i], sides[i]);
      Shape s;

      shape_of (sql, &s);
      g_assert_cmpint (s.window->u.window.kind, ==, PLAN_WINDOW_TUMBLE);
      g_assert_cmpuint (s.window->u.window.time_col, ==, i);
      plan_statement_free (s.stmt);
    }
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  catalog = plan_test_catalog_new (setup_sql);
  g_test_add_func ("/plans/legacy-window/tumble", test_tumble);
  g_test_add_func ("/plans/legacy-window/hop-having", test_hop_having);
  g_test_add_func ("/plans/legacy-window/session", test_session);
  g_test_add_func ("/plans/legacy-window/physical", test_physical);
  g_test_add_func ("/plans/legacy-window/errors", test_errors);
  g_test_add_func ("/plans/legacy-window/over-interval-join", test_over_interval_join);
  rc = g_test_run ();
  plan_catalog_free (catalog);
  return rc;
}
