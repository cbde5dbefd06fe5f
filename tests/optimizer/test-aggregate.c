/* test-aggregate.c: the optimizer on AGGREGATE plans bound from SQL: the physical shape
 * (a HASH exchange on the group keys into a keyed aggregate at the default parallelism, a
 * GATHER to one subtask without keys), the `updating` flag in streaming and batch mode and
 * its propagation to the sink, filter pushdown of conditions on keys, projection pruning
 * below the aggregate, refusals over updating input, and the JSON round trip and EXPLAIN
 * text of GroupAggregate. */
#include "optimizer/opt.h"
#include "../plans/plan-test-util.h"
#include "plans/plan-json.h"
#include "plans/plan-sql.h"

#include <string.h>

typedef struct {
  PlanCatalog *catalog;
  PlanSettings *settings;
} Fixture;

/* Columns: 0 id, 1 url, 2 qty, 3 price */
static const char *const setup_sql =
  "CREATE TABLE t (id INT, url VARCHAR, qty INT, price BIGINT) WITH ("
  "'connector' = 'filesystem', 'path' = '/nonexistent.csv', 'format' = 'csv');";

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->catalog = plan_test_catalog_new (setup_sql);
  f->settings = plan_settings_new ();
  g_assert_true (plan_settings_set (f->settings, "parallelism.default", "2", &error));
  /* t is a file, so the default ('automatic') would plan batch; most shapes here are the
   * streaming planner's (updating changelogs, refusals). The mode tests set their own. */
  g_assert_true (plan_settings_set (f->settings, "execution.runtime-mode", "streaming",
                                    &error));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  plan_catalog_free (f->catalog);
  plan_settings_free (f->settings);
}

static OptResult *
optimize (Fixture *f, const char *sql, GError **error)
{
  g_autoptr (PlanStatement) stmt = plan_sql_compile_one (f->catalog, sql, error);

  if (stmt == NULL)
    return NULL;
  return opt_optimize (stmt->plan, f->settings, error);
}

static OptResult *
optimize_ok (Fixture *f, const char *sql)
{
  g_autoptr (GError) error = NULL;
  OptResult *r = optimize (f, sql, &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

static PlanPhysNode *
find_phys (PlanPhysPlan *plan, PlanPhysKind kind)
{
  for (guint i = 0; i < plan->nodes->len; i++)
    if (((PlanPhysNode *) plan->nodes->pdata[i])->kind == kind)
      return plan->nodes->pdata[i];
  g_assert_not_reached ();
}

static void
test_hash_by_key (Fixture *f, gconstpointer data)
{
  g_autoptr (OptResult) r = optimize_ok (f, "SELECT url, COUNT(*) AS n FROM t GROUP BY url");
  PlanPhysPlan *plan = opt_result_get_physical (r);
  PlanPhysNode *agg = find_phys (plan, PLAN_PHYS_AGGREGATE), *in;

  g_assert_cmpuint (agg->parallelism, ==, 2);
  g_assert_false (agg->chained);
  g_assert_true (agg->updating);
  g_assert_cmpuint (agg->n_inputs, ==, 1);
  g_assert_cmpint (agg->inputs[0].exchange, ==, PLAN_EXCHANGE_HASH);
  g_assert_cmpuint (agg->inputs[0].n_keys, ==, 1);
  in = agg->inputs[0].node;
  g_assert_cmpstr (in->schema->fields[agg->inputs[0].keys[0]].name, ==, "url");
  g_assert_cmpuint (agg->u.aggregate.keys[0], ==, agg->inputs[0].keys[0]);
  /* the changelog reaches the collect sink, gathered into one subtask */
  g_assert_cmpint (plan->root->kind, ==, PLAN_PHYS_SINK);
  g_assert_true (plan->root->updating);
  g_assert_cmpuint (plan->root->parallelism, ==, 1);
}

static void
test_gather_without_keys (Fixture *f, gconstpointer data)
{
  g_autoptr (OptResult) r = optimize_ok (f, "SELECT COUNT(*) AS n, SUM(qty) FROM t");
  PlanPhysNode *agg = find_phys (opt_result_get_physical (r), PLAN_PHYS_AGGREGATE);

  g_assert_cmpuint (agg->parallelism, ==, 1);
  g_assert_cmpint (agg->inputs[0].exchange, ==, PLAN_EXCHANGE_GATHER);
  g_assert_cmpuint (agg->inputs[0].node->parallelism, ==, 2);
  g_assert_true (agg->updating);
}

static void
test_batch_mode (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OptResult) r = NULL;

  g_assert_true (plan_settings_set (f->settings, "execution.runtime-mode", "batch", &error));
  r = optimize_ok (f, "SELECT url, COUNT(*) FROM t GROUP BY url");
  g_assert_false (find_phys (opt_result_get_physical (r), PLAN_PHYS_AGGREGATE)->updating);
  g_assert_false (opt_result_get_physical (r)->root->updating);
}

static void
test_filter_pushdown (Fixture *f, gconstpointer data)
{
  g_autoptr (OptResult) r = optimize_ok (
    f, "SELECT url, n FROM (SELECT url, COUNT(*) AS n FROM t GROUP BY url)\n"
       "  WHERE url = 'a' AND n > 1");
  PlanNode *n = opt_result_get_logical (r)->inputs[0];

  /* n > 1 reads an aggregate: it stays above; url = 'a' goes into the scan */
  while (n->kind == PLAN_NODE_PROJECT)
    n = n->inputs[0];
  g_assert_cmpint (n->kind, ==, PLAN_NODE_FILTER);
  g_assert_cmpint (n->inputs[0]->kind, ==, PLAN_NODE_AGGREGATE);
  while (n->kind != PLAN_NODE_SCAN)
    n = n->inputs[0];
  g_assert_nonnull (n->u.scan.filter);
}

static void
test_pruning (Fixture *f, gconstpointer data)
{
  g_autoptr (OptResult) r = optimize_ok (f, "SELECT url, SUM(price) FROM t GROUP BY url");
  PlanPhysNode *src = find_phys (opt_result_get_physical (r), PLAN_PHYS_SOURCE);
  PlanPhysNode *agg = find_phys (opt_result_get_physical (r), PLAN_PHYS_AGGREGATE);
  const PlanSchema *in = agg->inputs[0].node->schema;

  /* only url (1) and price (3) are read, and the aggregate follows them */
  g_assert_cmpuint (src->u.source.n_columns, ==, 2);
  g_assert_cmpstr (in->fields[agg->u.aggregate.keys[0]].name, ==, "url");
  g_assert_cmpint (in->fields[agg->u.aggregate.aggs[0].arg].type.kind, ==, PLAN_TYPE_BIGINT);
}

static void
test_refusals (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OptResult) r = optimize (f, "SELECT url, COUNT(*) FROM t GROUP BY url LIMIT 3",
                                      &error);

  g_assert_null (r);
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "LIMIT over an updating result"));
}

static void
test_json_and_explain (Fixture *f, gconstpointer data)
{
  g_autoptr (OptResult) r = optimize_ok (
    f, "SELECT url, COUNT(*) AS n, COUNT(DISTINCT qty) FILTER (WHERE price > 1) AS d\n"
       "  FROM t GROUP BY url");
  g_autoptr (GError) error = NULL;
  g_autofree char *json = plan_phys_to_json (opt_result_get_physical (r), FALSE);
  g_autoptr (PlanPhysPlan) back = plan_phys_from_json (json, &error);
  g_autofree char *again = NULL, *text = NULL;
  PlanPhysNode *agg;

  g_assert_no_error (error);
  again = plan_phys_to_json (back, FALSE);
  g_assert_cmpstr (json, ==, again);
  agg = find_phys (back, PLAN_PHYS_AGGREGATE);
  g_assert_true (agg->updating);
  g_assert_cmpuint (agg->u.aggregate.n_aggs, ==, 2);
  g_assert_true (agg->u.aggregate.aggs[1].distinct);
  g_assert_cmpint (agg->u.aggregate.aggs[1].filter, >=, 0);
  text = plan_phys_explain (opt_result_get_physical (r));
  g_assert_nonnull (strstr (text, "GroupAggregate(groupBy=[url], select=[url, COUNT(*) AS n, "
                                  "COUNT(DISTINCT $f1) FILTER $f2 AS d])"));
  g_assert_nonnull (strstr (text, "Exchange(distribution=[hash[url]])"));
}

static void
test_json_rejects (Fixture *f, gconstpointer data)
{
  g_autoptr (OptResult) r = optimize_ok (f, "SELECT url, COUNT(*) AS n FROM t GROUP BY url");
  g_autofree char *json = plan_phys_to_json (opt_result_get_physical (r), FALSE);
  g_autoptr (GString) bad = g_string_new (json);
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanPhysPlan) back = NULL;

  /* COUNT(*) with an argument column is malformed */
  g_assert_cmpint (g_string_replace (bad, "\"arg\":-1", "\"arg\":0", 1), ==, 1);
  back = plan_phys_from_json (bad->str, &error);
  g_assert_null (back);
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_JSON);
  g_assert_nonnull (strstr (error->message, "COUNT_STAR takes no argument"));
}

/* 'automatic' (Flink's AUTOMATIC): batch exactly when every source is bounded. */
static void
test_automatic_mode (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  PlanCatalog *streams = plan_test_catalog_new (
    "CREATE TABLE u (id INT, url VARCHAR) WITH ('connector' = 'datagen');"
    "CREATE TABLE b (id INT, url VARCHAR) WITH ('connector' = 'datagen', "
    "'number-of-rows' = '10');"
    "CREATE TABLE s (id INT, url VARCHAR) WITH ('connector' = 'datagen', "
    "'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '100');"
    "CREATE TABLE r (id INT, url VARCHAR) WITH ('connector' = 'datagen', "
    "'fields.id.kind' = 'random');");
  PlanCatalog *files = f->catalog;
  const char *sql[] = { "SELECT url, COUNT(*) AS n FROM u GROUP BY url",
                        "SELECT url, COUNT(*) AS n FROM b GROUP BY url",
                        "SELECT u.url, COUNT(*) AS n FROM u JOIN b ON u.id = b.id GROUP BY u.url",
                        "SELECT url, COUNT(*) AS n FROM s GROUP BY url",
                        "SELECT url, COUNT(*) AS n FROM r GROUP BY url" };
  /* a sequence field ends the datagen when it runs out; random fields never do */
  const gboolean updating[] = { TRUE, FALSE, TRUE, FALSE, TRUE };

  g_assert_true (plan_settings_set (f->settings, "execution.runtime-mode", "automatic",
                                    &error));
  {
    g_autoptr (OptResult) r = optimize_ok (f, "SELECT url, COUNT(*) AS n FROM t GROUP BY url");

    /* a file ends: batch, final results */
    g_assert_false (find_phys (opt_result_get_physical (r), PLAN_PHYS_AGGREGATE)->updating);
  }
  f->catalog = streams;
  for (guint i = 0; i < G_N_ELEMENTS (sql); i++)
    {
      g_autoptr (OptResult) r = optimize_ok (f, sql[i]);

      /* an endless datagen (alone or joined) keeps streaming; one with a row count ends */
      g_assert_cmpint (find_phys (opt_result_get_physical (r), PLAN_PHYS_AGGREGATE)->updating,
                       ==, updating[i]);
    }
  f->catalog = files;
  plan_catalog_free (streams);
  /* and it is the default: fresh settings plan the file's GROUP BY as batch */
  plan_settings_free (f->settings);
  f->settings = plan_settings_new ();
  {
    g_autoptr (OptResult) r = optimize_ok (f, "SELECT url, COUNT(*) AS n FROM t GROUP BY url");

    g_assert_false (find_phys (opt_result_get_physical (r), PLAN_PHYS_AGGREGATE)->updating);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/optimizer/aggregate/hash-by-key", test_hash_by_key);
  ADD ("/optimizer/aggregate/gather-without-keys", test_gather_without_keys);
  ADD ("/optimizer/aggregate/batch-mode", test_batch_mode);
  ADD ("/optimizer/aggregate/automatic-mode", test_automatic_mode);
  ADD ("/optimizer/aggregate/filter-pushdown", test_filter_pushdown);
  ADD ("/optimizer/aggregate/pruning", test_pruning);
  ADD ("/optimizer/aggregate/refusals", test_refusals);
  ADD ("/optimizer/aggregate/json-and-explain", test_json_and_explain);
  ADD ("/optimizer/aggregate/json-rejects", test_json_rejects);
  return g_test_run ();
}
