/* test-join.c: joins in the optimizer (optimizer/opt-join.c): filter pushdown through
 * joins (one-side conjuncts below an inner join, kept above the NULL-filled side of an
 * outer join, WHERE equalities of a comma join turned into keys) and the physical strategy
 * (a small dimension is broadcast, two large tables repartition, the threshold setting,
 * hints override, a preserved side is never broadcast, streaming joins hash both sides,
 * non-equi joins run as a nested loop) with EXPLAIN's alternative line, and the JSON
 * round trip of the physical joins.
 *
 * Sizes, worked out by hand from datagen's number-of-rows and the row widths (INT 4 +
 * BIGINT 8 = 12 bytes): dim 100 rows = 1,200 B; big 10,000,000 rows = 120 MB; mid
 * 5,000,000 rows = 60 MB. At parallelism 4: broadcasting dim moves 4,800 B against 120 MB
 * for repartitioning both; broadcasting mid moves 240 MB against 180 MB, and 60 MB is over
 * the 10 MB threshold, so big JOIN mid repartitions. */
#include "optimizer/opt.h"
#include "../plans/plan-test-util.h"
#include "plans/plan-sql.h"

#include <string.h>

typedef struct {
  PlanCatalog *catalog;
  PlanSettings *settings;
} Fixture;

static const char *const setup_sql =
  "CREATE TABLE dim (k INT, d BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '100');\n"
  "CREATE TABLE big (k INT, v BIGINT) WITH ('connector' = 'datagen', "
  "'number-of-rows' = '10000000');\n"
  "CREATE TABLE mid (k INT, w BIGINT) WITH ('connector' = 'datagen', "
  "'number-of-rows' = '5000000');";

static void
set (Fixture *f, const char *key, const char *value)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (plan_settings_set (f->settings, key, value, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->catalog = plan_test_catalog_new (setup_sql);
  f->settings = plan_settings_new ();
  set (f, "parallelism.default", "4");
  set (f, "execution.runtime-mode", "batch");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  plan_settings_free (f->settings);
  plan_catalog_free (f->catalog);
}

/* out_plan (nullable) gets a ref of the bound plan, for EXPLAIN. */
static OptResult *
optimize_plan (Fixture *f, const char *sql, PlanNode **out_plan)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanStatement) stmt = plan_sql_compile_one (f->catalog, sql, &error);
  OptResult *result;

  g_assert_no_error (error);
  if (out_plan != NULL)
    *out_plan = plan_node_ref (stmt->plan);
  result = opt_optimize (stmt->plan, f->settings, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

static OptResult *
optimize (Fixture *f, const char *sql)
{
  return optimize_plan (f, sql, NULL);
}

/* The one physical join of the plan. */
static const PlanPhysNode *
phys_join (OptResult *r)
{
  PlanPhysPlan *plan = opt_result_get_physical (r);

  for (guint i = 0; i < plan->nodes->len; i++)
    {
      const PlanPhysNode *n = plan->nodes->pdata[i];

      if (n->kind == PLAN_PHYS_JOIN || n->kind == PLAN_PHYS_HASH_JOIN
          || n->kind == PLAN_PHYS_NESTED_LOOP_JOIN)
        return n;
    }
  g_assert_not_reached ();
  return NULL;
}

static const PlanNode *
logical_join (OptResult *r)
{
  const PlanNode *n = opt_result_get_logical (r);

  while (n->kind != PLAN_NODE_JOIN)
    {
      g_assert_cmpuint (n->n_inputs, ==, 1);
      n = n->inputs[0];
    }
  return n;
}

static void
test_small_dimension_broadcast (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanNode) plan = NULL;
  g_autoptr (OptResult) r = optimize_plan (f, "SELECT big.v, dim.d FROM big JOIN dim "
                                              "ON big.k = dim.k", &plan);
  const PlanPhysNode *j = phys_join (r);
  g_autofree char *text = NULL;

  g_assert_cmpint (j->kind, ==, PLAN_PHYS_HASH_JOIN);
  g_assert_cmpint (j->u.join.strategy, ==, PLAN_JOIN_STRATEGY_BROADCAST);
  g_assert_cmpuint (j->u.join.build_side, ==, 1);
  g_assert_cmpint (j->inputs[0].exchange, ==, PLAN_EXCHANGE_FORWARD);
  g_assert_cmpint (j->inputs[1].exchange, ==, PLAN_EXCHANGE_BROADCAST);
  g_assert_cmpuint (j->parallelism, ==, 4);
  g_assert_false (j->chained);
  g_assert_nonnull (strstr (j->u.join.alternative, "repartition"));
  text = opt_explain (plan, r, 0);
  g_assert_nonnull (strstr (text, "strategy=[broadcast], build=[right]"));
  g_assert_nonnull (strstr (text, "(alternative: repartition"));
}

static void
test_two_large_repartition (Fixture *f, gconstpointer data)
{
  g_autoptr (OptResult) r = optimize (f, "SELECT * FROM big JOIN mid ON big.k = mid.k");
  const PlanPhysNode *j = phys_join (r);

  g_assert_cmpint (j->u.join.strategy, ==, PLAN_JOIN_STRATEGY_REPARTITION);
  g_assert_cmpuint (j->u.join.build_side, ==, 1); /* mid is the smaller one */
  g_assert_cmpint (j->inputs[0].exchange, ==, PLAN_EXCHANGE_HASH);
  g_assert_cmpint (j->inputs[1].exchange, ==, PLAN_EXCHANGE_HASH);
  g_assert_cmpuint (j->inputs[0].keys[0], ==, 0);
  g_assert_cmpuint (j->inputs[1].keys[0], ==, 0);
  g_assert_nonnull (strstr (j->u.join.alternative, "broadcast"));
  g_assert_nonnull (strstr (j->u.join.alternative, "x 4 subtasks"));
}

static void
test_threshold_setting (Fixture *f, gconstpointer data)
{
  set (f, "table.optimizer.join.broadcast-threshold", "100 mb"); /* mid's 60 MB is under */
  {
    g_autoptr (OptResult) r = optimize (f, "SELECT * FROM big JOIN mid ON big.k = mid.k");
    g_assert_cmpint (phys_join (r)->u.join.strategy, ==, PLAN_JOIN_STRATEGY_BROADCAST);
    g_assert_nonnull (strstr (phys_join (r)->u.join.alternative, "threshold"));
  }
}

static void
test_hints_override (Fixture *f, gconstpointer data)
{
  g_autoptr (OptResult) b =
    optimize (f, "SELECT /*+ BROADCAST(big) */ * FROM big JOIN mid ON big.k = mid.k");
  g_autoptr (OptResult) s =
    optimize (f, "SELECT /*+ SHUFFLE_HASH(dim) */ * FROM big JOIN dim ON big.k = dim.k");

  g_assert_cmpint (phys_join (b)->u.join.strategy, ==, PLAN_JOIN_STRATEGY_BROADCAST);
  g_assert_cmpuint (phys_join (b)->u.join.build_side, ==, 0);
  g_assert_cmpint (phys_join (b)->inputs[0].exchange, ==, PLAN_EXCHANGE_BROADCAST);
  g_assert_nonnull (strstr (phys_join (b)->u.join.alternative, "BROADCAST hint"));
  g_assert_cmpint (phys_join (s)->u.join.strategy, ==, PLAN_JOIN_STRATEGY_REPARTITION);
  g_assert_cmpuint (phys_join (s)->u.join.build_side, ==, 1);
  g_assert_nonnull (strstr (phys_join (s)->u.join.alternative, "SHUFFLE_HASH hint"));
}

static void
test_preserved_side_not_broadcast (Fixture *f, gconstpointer data)
{
  /* big LEFT JOIN dim: dim is the NULL-filled side, broadcast is fine; big RIGHT JOIN dim
   * preserves dim, so it must repartition */
  g_autoptr (OptResult) l = optimize (f, "SELECT * FROM big LEFT JOIN dim ON big.k = dim.k");
  g_autoptr (OptResult) r = optimize (f, "SELECT * FROM big RIGHT JOIN dim ON big.k = dim.k");

  g_assert_cmpint (phys_join (l)->u.join.strategy, ==, PLAN_JOIN_STRATEGY_BROADCAST);
  g_assert_cmpint (phys_join (r)->u.join.strategy, ==, PLAN_JOIN_STRATEGY_REPARTITION);
  g_assert_nonnull (strstr (phys_join (r)->u.join.alternative, "preserved"));
}

static void
test_streaming (Fixture *f, gconstpointer data)
{
  set (f, "execution.runtime-mode", "streaming");
  {
    g_autoptr (OptResult) inner = optimize (f, "SELECT * FROM big JOIN dim ON big.k = dim.k");
    g_autoptr (OptResult) left = optimize (f, "SELECT * FROM big LEFT JOIN dim ON big.k = dim.k");
    const PlanPhysNode *j = phys_join (inner);

    g_assert_cmpint (j->kind, ==, PLAN_PHYS_JOIN);
    g_assert_cmpint (j->inputs[0].exchange, ==, PLAN_EXCHANGE_HASH);
    g_assert_cmpint (j->inputs[1].exchange, ==, PLAN_EXCHANGE_HASH);
    g_assert_false (j->updating);
    g_assert_true (phys_join (left)->updating);
  }
}

static void
test_nested_loop (Fixture *f, gconstpointer data)
{
  g_autoptr (OptResult) r = optimize (f, "SELECT * FROM big JOIN dim ON big.k < dim.k");
  const PlanPhysNode *j = phys_join (r);

  g_assert_cmpint (j->kind, ==, PLAN_PHYS_NESTED_LOOP_JOIN);
  g_assert_cmpuint (j->parallelism, ==, 1);
  g_assert_cmpuint (j->u.join.build_side, ==, 1); /* dim is smaller */
  g_assert_cmpint (j->inputs[0].exchange, ==, PLAN_EXCHANGE_GATHER);
}

static void
test_pushdown_comma_join (Fixture *f, gconstpointer data)
{
  g_autoptr (OptResult) r =
    optimize (f, "SELECT big.v FROM big, dim WHERE big.k = dim.k AND dim.d > 3 AND big.v < 9");
  const PlanNode *j = logical_join (r);

  g_assert_cmpuint (j->u.join.n_keys, ==, 1);
  g_assert_null (j->u.join.residual);
  g_assert_cmpint (j->inputs[0]->kind, ==, PLAN_NODE_SCAN);
  g_assert_nonnull (j->inputs[0]->u.scan.filter);
  g_assert_cmpint (j->inputs[1]->kind, ==, PLAN_NODE_SCAN);
  g_assert_nonnull (j->inputs[1]->u.scan.filter);
  g_assert_cmpint (phys_join (r)->kind, ==, PLAN_PHYS_HASH_JOIN);
}

static void
test_pushdown_outer (Fixture *f, gconstpointer data)
{
  /* LEFT JOIN: big.v (preserved side) goes down; dim.d IS NULL (NULL-filled side, and
   * TRUE on NULL-filled rows) stays above */
  g_autoptr (OptResult) r =
    optimize (f, "SELECT * FROM big LEFT JOIN dim ON big.k = dim.k WHERE big.v < 9 "
                 "AND dim.d IS NULL");
  const PlanNode *n = opt_result_get_logical (r);

  while (n->kind != PLAN_NODE_FILTER)
    n = n->inputs[0];
  g_assert_cmpint (n->inputs[0]->kind, ==, PLAN_NODE_JOIN);
  g_assert_nonnull (n->inputs[0]->inputs[0]->u.scan.filter);
  g_assert_null (n->inputs[0]->inputs[1]->u.scan.filter);
  /* FULL JOIN with a filter that NULL-filled rows pass: nothing moves */
  {
    g_autoptr (OptResult) full =
      optimize (f, "SELECT * FROM big FULL JOIN dim ON big.k = dim.k WHERE big.v IS NULL");
    const PlanNode *j = logical_join (full);

    g_assert_null (j->inputs[0]->u.scan.filter);
  }
}

/* Projection pruning through a join: each side reads only what the query, the keys and
 * the residual need, and the keys are renumbered. big JOIN dim ON big.v = dim.d
 * selecting big.k: big keeps k and v (both), dim only d (its column 1), so the join's
 * right key moves from dim's column 1 to the pruned side's column 0 and the join outputs
 * 2 + 1 columns. With a residual on dim.k, dim keeps k and d. */
static void
test_pruning (Fixture *f, gconstpointer data)
{
  g_autoptr (OptResult) r = optimize (f, "SELECT big.k FROM big JOIN dim ON big.v = dim.d");
  const PlanNode *j = logical_join (r), *right = j->inputs[1];

  g_assert_cmpint (right->kind, ==, PLAN_NODE_SCAN);
  g_assert_cmpuint (right->u.scan.n_columns, ==, 1);
  g_assert_cmpuint (right->u.scan.columns[0], ==, 1);
  g_assert_cmpuint (j->inputs[0]->u.scan.n_columns, ==, 2);
  g_assert_cmpuint (j->u.join.n_keys, ==, 1);
  g_assert_cmpuint (j->u.join.left_keys[0], ==, 1);
  g_assert_cmpuint (j->u.join.right_keys[0], ==, 0);
  g_assert_cmpuint (j->schema->n_fields, ==, 3);
  {
    g_autoptr (OptResult) r2 =
      optimize (f, "SELECT big.k FROM big JOIN dim ON big.v = dim.d AND big.k < dim.k");
    const PlanNode *j2 = logical_join (r2);

    g_assert_cmpuint (j2->inputs[1]->u.scan.n_columns, ==, 2);
    g_assert_nonnull (j2->u.join.residual);
    g_assert_cmpuint (j2->u.join.right_keys[0], ==, 1);
  }
}

/* The physical join travels to a remote server as JSON: it must read back the same. */
static void
test_json_round_trip (Fixture *f, gconstpointer data)
{
  const char *queries[] = {
    "SELECT * FROM big LEFT JOIN dim ON big.k = dim.k AND big.v < dim.d",
    "SELECT * FROM big FULL JOIN mid ON big.k = mid.k",
    "SELECT * FROM big JOIN dim ON big.k < dim.k",
  };

  for (guint m = 0; m < 2; m++)
    {
      set (f, "execution.runtime-mode", m == 0 ? "batch" : "streaming");
      for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
        {
          g_autoptr (OptResult) r = optimize (f, queries[i]);
          g_autoptr (GError) error = NULL;
          g_autofree char *json = plan_phys_to_json (opt_result_get_physical (r), FALSE);
          g_autoptr (PlanPhysPlan) back = plan_phys_from_json (json, &error);
          g_autofree char *again = NULL;

          g_assert_no_error (error);
          again = plan_phys_to_json (back, FALSE);
          g_assert_cmpstr (json, ==, again);
          g_assert_nonnull (strstr (json, "\"join_type\""));
        }
    }
}

static void
test_outer_join_simplified (Fixture *f, gconstpointer data)
{
  /* dim.d > 3 is never TRUE on a NULL-filled row: the LEFT join is an INNER one, and the
   * filter goes below it; streaming, the join's output stops being updating */
  set (f, "execution.runtime-mode", "streaming");
  {
    g_autoptr (OptResult) r =
      optimize (f, "SELECT * FROM big LEFT JOIN dim ON big.k = dim.k WHERE dim.d > 3");
    g_autoptr (OptResult) full =
      optimize (f, "SELECT * FROM big FULL JOIN dim ON big.k = dim.k WHERE big.v = 1");
    const PlanNode *j = logical_join (r);

    g_assert_cmpint (j->u.join.type, ==, PLAN_JOIN_INNER);
    g_assert_nonnull (j->inputs[1]->u.scan.filter);
    g_assert_false (phys_join (r)->updating);
    /* FULL with a NULL-rejecting filter on the left: a LEFT join, filter below */
    g_assert_cmpint (logical_join (full)->u.join.type, ==, PLAN_JOIN_LEFT);
    g_assert_nonnull (logical_join (full)->inputs[0]->u.scan.filter);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/optimizer/join/small-dimension-broadcast", test_small_dimension_broadcast);
  ADD ("/optimizer/join/two-large-repartition", test_two_large_repartition);
  ADD ("/optimizer/join/threshold-setting", test_threshold_setting);
  ADD ("/optimizer/join/hints-override", test_hints_override);
  ADD ("/optimizer/join/preserved-side-not-broadcast", test_preserved_side_not_broadcast);
  ADD ("/optimizer/join/streaming", test_streaming);
  ADD ("/optimizer/join/nested-loop", test_nested_loop);
  ADD ("/optimizer/join/pushdown-comma-join", test_pushdown_comma_join);
  ADD ("/optimizer/join/pushdown-outer", test_pushdown_outer);
  ADD ("/optimizer/join/json-round-trip", test_json_round_trip);
  ADD ("/optimizer/join/outer-join-simplified", test_outer_join_simplified);
  ADD ("/optimizer/join/pruning", test_pruning);
#undef ADD
  return g_test_run ();
}
