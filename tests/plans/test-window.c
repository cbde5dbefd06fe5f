/* test-window.c: event-time DDL and window TVFs in the plan layer: the rowtime attribute a
 * WATERMARK declares, the WINDOW node that TUMBLE / HOP / CUMULATE bind to (its columns,
 * sizes, time column, named arguments), the errors with their line:column, and the
 * physical rule that makes GROUP BY window_start, window_end a WINDOW_AGGREGATE (and
 * leaves a GROUP BY of window_start alone a group aggregate). Expected values are worked
 * out by hand from the DDL below. */
#include "plans/plan-sql.h"
#include "plan-test-util.h"
#include "plans/plan-catalog.h"
#include "plans/plan-json.h"
#include "optimizer/opt.h"

#include <string.h>

typedef struct {
  PlanCatalog *catalog;
  PlanSettings *settings;
} Fixture;

/* bids: 0 auction, 1 bidder, 2 price, 3 ts (rowtime); plain: 0 id, 1 ts (no watermark) */
static const char *const setup_sql =
  "CREATE TABLE bids (auction INT, bidder VARCHAR, price DECIMAL(10, 2), ts TIMESTAMP(3),\n"
  "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'datagen');\n"
  "CREATE TABLE plain (id INT, ts TIMESTAMP(3)) WITH ('connector' = 'datagen');";

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->catalog = plan_test_catalog_new (setup_sql);
  f->settings = plan_settings_new ();
  g_assert_true (plan_settings_set (f->settings, "parallelism.default", "2", &error));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  plan_settings_free (f->settings);
  plan_catalog_free (f->catalog);
}

static PlanStatement *
compile_ok (Fixture *f, const char *sql)
{
  return plan_test_compile_ok (f->catalog, sql);
}

/* Compiling sql fails with a message starting with want (its "LINE:COL: " included). */
static void
compile_fails (Fixture *f, const char *sql, PlanErrorCode code, const char *want)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanStatement) stmt = plan_sql_compile_one (f->catalog, sql, &error);

  g_assert_null (stmt);
  g_assert_error (error, PLAN_ERROR, (gint) code);
  if (!g_str_has_prefix (error->message, want))
    g_error ("message '%s' does not start with '%s'", error->message, want);
}

static const PlanNode *
find_kind (const PlanNode *n, PlanNodeKind kind)
{
  while (n->kind != kind)
    {
      g_assert_cmpuint (n->n_inputs, >, 0);
      n = n->inputs[0];
    }
  return n;
}

static void
test_rowtime (Fixture *f, gconstpointer data)
{
  g_assert_cmpint (plan_table_rowtime (plan_catalog_get_table (f->catalog, "bids")), ==, 3);
  g_assert_cmpint (plan_table_rowtime (plan_catalog_get_table (f->catalog, "plain")), ==, -1);
}

static void
test_tumble (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt = compile_ok (f, "SELECT * FROM TABLE(TUMBLE(TABLE bids, "
                                               "DESCRIPTOR(ts), INTERVAL '10' SECOND))");
  const PlanNode *w = find_kind (stmt->plan, PLAN_NODE_WINDOW);
  const PlanSchema *s = stmt->plan->schema;

  g_assert_cmpint (w->u.window.kind, ==, PLAN_WINDOW_TUMBLE);
  g_assert_cmpuint (w->u.window.time_col, ==, 3);
  g_assert_cmpint (w->u.window.size_ms, ==, 10000);
  g_assert_cmpint (w->u.window.slide_ms, ==, 10000);
  g_assert_cmpint (w->u.window.offset_ms, ==, 0);
  g_assert_cmpuint (s->n_fields, ==, 7);
  g_assert_cmpstr (s->fields[4].name, ==, "window_start");
  g_assert_cmpstr (s->fields[5].name, ==, "window_end");
  g_assert_cmpstr (s->fields[6].name, ==, "window_time");
  g_assert_cmpint (s->fields[5].type.kind, ==, PLAN_TYPE_TIMESTAMP);
  g_assert_false (s->fields[5].type.nullable);
}

static void
test_hop_cumulate_named (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) hop =
    compile_ok (f, "SELECT window_end FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), "
                "INTERVAL '5' SECOND, INTERVAL '1' MINUTE, INTERVAL '2' SECOND))");
  g_autoptr (PlanStatement) cum =
    compile_ok (f, "SELECT window_end FROM TABLE(CUMULATE(DATA => TABLE bids, "
                "TIMECOL => DESCRIPTOR(ts), MAX_SIZE => INTERVAL '1' HOUR, "
                "STEP => INTERVAL '10' MINUTE))");
  const PlanNode *h = find_kind (hop->plan, PLAN_NODE_WINDOW);
  const PlanNode *c = find_kind (cum->plan, PLAN_NODE_WINDOW);

  g_assert_cmpint (h->u.window.kind, ==, PLAN_WINDOW_HOP);
  g_assert_cmpint (h->u.window.slide_ms, ==, 5000);
  g_assert_cmpint (h->u.window.size_ms, ==, 60000);
  g_assert_cmpint (h->u.window.offset_ms, ==, 2000);
  g_assert_cmpint (c->u.window.kind, ==, PLAN_WINDOW_CUMULATE);
  g_assert_cmpint (c->u.window.slide_ms, ==, 600000);
  g_assert_cmpint (c->u.window.size_ms, ==, 3600000);
}

static void
test_session (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt =
    compile_ok (f, "SELECT * FROM TABLE(SESSION(TABLE bids PARTITION BY (bidder, auction), "
                "DESCRIPTOR(ts), INTERVAL '30' SECOND))");
  const PlanNode *w = find_kind (stmt->plan, PLAN_NODE_WINDOW);

  g_assert_cmpint (w->u.window.kind, ==, PLAN_WINDOW_SESSION);
  g_assert_cmpint (w->u.window.size_ms, ==, 30000);
  g_assert_cmpuint (w->u.window.n_partition, ==, 2);
  g_assert_cmpuint (w->u.window.partition[0], ==, 1); /* bidder */
  g_assert_cmpuint (w->u.window.partition[1], ==, 0); /* auction */
}

static void
test_errors (Fixture *f, gconstpointer data)
{
  compile_fails (f, "SELECT * FROM TABLE(TUMBLE(TABLE plain, DESCRIPTOR(ts), "
                 "INTERVAL '1' SECOND))", PLAN_ERROR_BIND, "1:52: Column 'ts' is not a time "
                 "attribute");
  compile_fails (f, "SELECT * FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(nope), "
                 "INTERVAL '1' SECOND))", PLAN_ERROR_BIND, "1:51: Column 'nope' not found");
  compile_fails (f, "SELECT * FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), 10))",
                 PLAN_ERROR_BIND, "1:56: The size must be a constant INTERVAL");
  compile_fails (f, "SELECT * FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '4' SECOND, "
                 "INTERVAL '10' SECOND))", PLAN_ERROR_BIND, "1:74: The SIZE of HOP must be a "
                 "whole multiple of its SLIDE");
  compile_fails (f, "SELECT * FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts)))", PLAN_ERROR_BIND,
                 "1:21: TUMBLE needs its SIZE argument");
  compile_fails (f, "SELECT * FROM TABLE(TUMBLE(TABLE nosuch, DESCRIPTOR(ts), "
                 "INTERVAL '1' SECOND))", PLAN_ERROR_CATALOG, "1:28: Table 'nosuch' not found");
  compile_fails (f, "SELECT * FROM TABLE(TUMBLE(TABLE bids PARTITION BY auction, "
                 "DESCRIPTOR(ts), INTERVAL '1' SECOND))", PLAN_ERROR_BIND, "1:52: PARTITION BY "
                 "is for SESSION windows");
  compile_fails (f, "SELECT * FROM TABLE(SESSION(TABLE bids PARTITION BY (auction, nope), "
                 "DESCRIPTOR(ts), INTERVAL '1' SECOND))", PLAN_ERROR_BIND, "1:63: Column 'nope' "
                 "not found");
  /* the rowtime column must be a TIMESTAMP(3) */
  compile_fails (f, "CREATE TABLE t2 (id INT, ts BIGINT,\n  WATERMARK FOR ts AS ts) "
                 "WITH ('connector' = 'datagen')", PLAN_ERROR_BIND, "2:17: WATERMARK FOR 'ts' "
                 "needs a TIMESTAMP(3) column");
}

/* The physical kind of the node under the collect sink, with the query's GROUP BY. */
static PlanPhysKind
top_phys_kind (Fixture *f, const char *sql)
{
  g_autoptr (PlanStatement) stmt = compile_ok (f, sql);
  g_autoptr (GError) error = NULL;
  g_autoptr (OptResult) opt = opt_optimize (stmt->plan, f->settings, &error);
  PlanPhysPlan *phys;
  const PlanPhysNode *n;

  g_assert_no_error (error);
  phys = opt_result_get_physical (opt);
  {
    /* the plan JSON round-trips with the window nodes in it */
    g_autofree char *json = plan_phys_to_json (phys, FALSE), *again = NULL;
    g_autoptr (PlanPhysPlan) back = plan_phys_from_json (json, &error);

    g_assert_no_error (error);
    again = plan_phys_to_json (back, FALSE);
    g_assert_cmpstr (json, ==, again);
    g_assert_nonnull (strstr (json, "\"window\":\""));
  }
  n = phys->root;
  while (n->kind != PLAN_PHYS_WINDOW_AGGREGATE && n->kind != PLAN_PHYS_AGGREGATE
         && n->n_inputs > 0)
    n = n->inputs[0].node;
  if (n->kind == PLAN_PHYS_WINDOW_AGGREGATE)
    {
      /* keys: window_start, window_end, then auction when grouped by it */
      g_assert_cmpuint (n->u.window_agg.start_key, ==, 0);
      g_assert_cmpuint (n->u.window_agg.end_key, ==, 1);
      g_assert_false (n->updating);
      /* hashed into the aggregate, or below the TVF when there are keys besides the
       * window's bounds (see below_tvf) */
      if (n->inputs[0].exchange != PLAN_EXCHANGE_HASH)
        {
          g_assert_cmpint (n->inputs[0].exchange, ==, PLAN_EXCHANGE_FORWARD);
          while (n->kind != PLAN_PHYS_WINDOW)
            n = n->inputs[0].node;
          g_assert_cmpint (n->inputs[0].exchange, ==, PLAN_EXCHANGE_HASH);
          return PLAN_PHYS_WINDOW_AGGREGATE;
        }
    }
  return n->kind;
}

/* The optimized plan of sql (a window aggregate under the collect sink), and its window
 * aggregate in *agg. */
static OptResult *
window_agg_of (Fixture *f, const char *sql, const PlanPhysNode **agg)
{
  g_autoptr (PlanStatement) stmt = compile_ok (f, sql);
  g_autoptr (GError) error = NULL;
  OptResult *opt = opt_optimize (stmt->plan, f->settings, &error);
  const PlanPhysNode *n;

  g_assert_no_error (error);
  for (n = opt_result_get_physical (opt)->root; n->kind != PLAN_PHYS_WINDOW_AGGREGATE;
       n = n->inputs[0].node)
    g_assert_cmpuint (n->n_inputs, ==, 1);
  *agg = n;
  return opt;
}

/* Grouped by auction besides the window's bounds, at parallelism 2: the rows are hashed
 * on auction below the TVF, so a HOP's copies of a row never cross the exchange; the
 * aggregate runs chained behind the TVF with auction as its state's key. Grouped by the
 * bounds alone, or by a key the TVF's consumer computes, the hash stays above the TVF. */
static void
test_below_tvf (Fixture *f, gconstpointer data)
{
  static const char *const below[] = {
    "SELECT window_start, window_end, auction, COUNT(*) FROM TABLE(HOP(TABLE bids, "
    "DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) "
    "GROUP BY auction, window_start, window_end",
    "SELECT window_end, auction, SUM(price) FROM TABLE(CUMULATE(TABLE bids, "
    "DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '20' SECOND)) "
    "GROUP BY window_start, auction, window_end",
  };
  static const char *const above[] = {
    "SELECT window_start, COUNT(*) FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), "
    "INTERVAL '5' SECOND, INTERVAL '10' SECOND)) GROUP BY window_start, window_end",
    "SELECT window_start, m, COUNT(*) FROM (SELECT window_start, window_end, "
    "CHAR_LENGTH(bidder) AS m FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), "
    "INTERVAL '5' SECOND, INTERVAL '10' SECOND))) GROUP BY window_start, window_end, m",
  };

  for (guint i = 0; i < G_N_ELEMENTS (below); i++)
    {
      const PlanPhysNode *agg, *n;
      g_autoptr (OptResult) opt = window_agg_of (f, below[i], &agg);
      const PlanPhysInput *in = &agg->inputs[0];

      g_assert_cmpint (in->exchange, ==, PLAN_EXCHANGE_FORWARD);
      g_assert_true (agg->chained);
      g_assert_cmpuint (in->n_keys, ==, 1);
      g_assert_cmpstr (in->node->schema->fields[in->keys[0]].name, ==, "auction");
      for (n = in->node; n->kind != PLAN_PHYS_WINDOW; n = n->inputs[0].node)
        {
          g_assert_cmpint (n->kind, ==, PLAN_PHYS_CALC);
          g_assert_true (n->chained);
        }
      g_assert_false (n->chained);
      in = &n->inputs[0];
      g_assert_cmpint (in->exchange, ==, PLAN_EXCHANGE_HASH);
      g_assert_cmpuint (in->n_keys, ==, 1);
      g_assert_cmpstr (in->node->schema->fields[in->keys[0]].name, ==, "auction");
      g_assert_cmpuint (n->parallelism, ==, 2);
      g_assert_cmpuint (agg->parallelism, ==, 2);
    }
  for (guint i = 0; i < G_N_ELEMENTS (above); i++)
    {
      const PlanPhysNode *agg, *n;
      g_autoptr (OptResult) opt = window_agg_of (f, above[i], &agg);

      g_assert_cmpint (agg->inputs[0].exchange, ==, PLAN_EXCHANGE_HASH);
      g_assert_cmpuint (agg->inputs[0].n_keys, ==, i == 0 ? 2 : 3);
      for (n = agg->inputs[0].node; n->kind != PLAN_PHYS_WINDOW; n = n->inputs[0].node)
        ;
      g_assert_true (n->chained);
    }
}

/* CREATE TABLE with computed columns: the schema keeps the physical ones; a scan gets them
 * in declared order through a PROJECT; PROCTIME() is the clock, a NOT NULL TIMESTAMP(3). */
static void
test_computed (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) ddl =
    compile_ok (f, "CREATE TABLE c (a INT, twice AS a * 2, pt AS PROCTIME(), b VARCHAR) "
                "WITH ('connector' = 'datagen')");
  g_autoptr (PlanStatement) q = NULL;
  g_autoptr (GError) error = NULL;
  const PlanNode *p;

  g_assert_cmpuint (ddl->table->schema->n_fields, ==, 2);
  g_assert_cmpstr (ddl->table->schema->fields[1].name, ==, "b");
  g_assert_cmpstr (plan_table_get_option (ddl->table, "__computed.twice"), ==, "1:a * 2");
  g_assert_cmpstr (plan_table_get_option (ddl->table, "__computed.pt"), ==, "2:PROCTIME()");
  g_assert_true (plan_catalog_add_table (f->catalog, ddl->table, &error));
  q = compile_ok (f, "SELECT * FROM c");
  g_assert_cmpuint (q->plan->schema->n_fields, ==, 4);
  g_assert_cmpstr (q->plan->schema->fields[1].name, ==, "twice");
  g_assert_cmpint (q->plan->schema->fields[1].type.kind, ==, PLAN_TYPE_INT);
  g_assert_cmpstr (q->plan->schema->fields[2].name, ==, "pt");
  g_assert_cmpint (q->plan->schema->fields[2].type.kind, ==, PLAN_TYPE_TIMESTAMP);
  g_assert_false (q->plan->schema->fields[2].type.nullable);
  g_assert_cmpstr (q->plan->schema->fields[3].name, ==, "b");
  p = find_kind (q->plan, PLAN_NODE_PROJECT);
  g_assert_cmpint (p->u.project.exprs[0]->kind, ==, PLAN_EXPR_COLUMN);
  g_assert_cmpint (p->u.project.exprs[1]->kind, ==, PLAN_EXPR_CALL);
  g_assert_cmpint (p->u.project.exprs[1]->u.call.func, ==, PLAN_FUNC_MUL);
  g_assert_cmpint (p->u.project.exprs[2]->u.call.func, ==, PLAN_FUNC_CURRENT_TIMESTAMP);
  g_assert_cmpuint (p->u.project.exprs[3]->u.column, ==, 1); /* b is physical column 1 */
  compile_fails (f, "CREATE TABLE d (a INT, a AS a + 1) WITH ('connector' = 'datagen')",
                 PLAN_ERROR_BIND, "1:24: Column 'a' is defined twice");
  compile_fails (f, "CREATE TABLE d (a INT, x AS nope + 1) WITH ('connector' = 'datagen')",
                 PLAN_ERROR_BIND, "1:29: Column 'nope' not found");
}

static void
test_physical (Fixture *f, gconstpointer data)
{
  g_assert_cmpint (top_phys_kind (f, "SELECT window_start, window_end, auction, COUNT(*) "
                                  "FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), "
                                  "INTERVAL '10' SECOND)) "
                                  "GROUP BY window_start, window_end, auction"),
                   ==, PLAN_PHYS_WINDOW_AGGREGATE);
  g_assert_cmpint (top_phys_kind (f, "SELECT window_start, SUM(price) "
                                  "FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), "
                                  "INTERVAL '10' SECOND)) GROUP BY window_start"),
                   ==, PLAN_PHYS_AGGREGATE);
  /* SESSION: only with exactly the partition keys besides the window's bounds */
  g_assert_cmpint (top_phys_kind (f, "SELECT window_start, window_end, auction, COUNT(*) "
                                  "FROM TABLE(SESSION(TABLE bids PARTITION BY auction, "
                                  "DESCRIPTOR(ts), INTERVAL '10' SECOND)) "
                                  "GROUP BY window_start, window_end, auction"),
                   ==, PLAN_PHYS_WINDOW_AGGREGATE);
  g_assert_cmpint (top_phys_kind (f, "SELECT window_start, window_end, bidder, COUNT(*) "
                                  "FROM TABLE(SESSION(TABLE bids PARTITION BY auction, "
                                  "DESCRIPTOR(ts), INTERVAL '10' SECOND)) "
                                  "GROUP BY window_start, window_end, bidder"),
                   ==, PLAN_PHYS_AGGREGATE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add ("/plans/window/" path, Fixture, NULL, fixture_setup, fn, \
                                  fixture_teardown)
  ADD ("rowtime", test_rowtime);
  ADD ("tumble", test_tumble);
  ADD ("hop-cumulate-named", test_hop_cumulate_named);
  ADD ("session", test_session);
  ADD ("errors", test_errors);
  ADD ("computed", test_computed);
  ADD ("physical", test_physical);
  ADD ("below-tvf", test_below_tvf);
#undef ADD
  return g_test_run ();
}
