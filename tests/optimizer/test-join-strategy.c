/* test-join-strategy.c: the join algorithm of batch equi-joins (optimizer/
 * opt-join-strategy.c): hash while the build side fits the memory share, sort-merge when it
 * does not or both inputs arrive sorted on the keys, the SHUFFLE_MERGE and NEST_LOOP hints,
 * the costs of the alternatives in EXPLAIN, and the JSON round trip of the new node.
 *
 * Sizes by hand (INT 4 + BIGINT 8 = 12 bytes a row): dim 100 rows = 1,200 B; mid 5,000,000
 * rows = 60,000,000 B; big 10,000,000 rows = 120,000,000 B. Parallelism 4; the default
 * managed memory 128 MiB gives a share of 128 MiB / 2 / 4 = 16 MiB = 16,777,216 B a join
 * operator, 8 MiB = 8,388,608 B a sort side; with '64 mb' the share is 8 MiB and a side
 * 4 MiB = 4,194,304 B.
 *   big JOIN mid repartitions (opt-join.c) and builds mid: 15,000,000 B a subtask.
 *     hash = 15,000,000 + 120,000,000 / 4 = 45,000,000;
 *     sort-merge = 180,000,000 / 4 + 3 x 30,000,000 + 3 x 15,000,000 = 180,000,000 (both
 *     sides over their half share, so their runs spill).
 *   With 64 MB the build side's 15,000,000 B is over the 8 MiB share: hash is infinite;
 *   sort-merge is again 45,000,000 + 90,000,000 + 45,000,000 = 180,000,000.
 *   Both inputs sorted (ORDER BY k below the join): sort-merge = 45,000,000 + 0 + 0 =
 *   45,000,000, equal to hash: the tie goes to sort-merge.
 * Spill-aware broadcast (opt-join.c), at parallelism 2: huge 100,000,000 rows =
 * 1,200,000,000 B JOIN mid. Broadcast moves 2 x 60,000,000 = 120,000,000 B, repartition
 * 1,260,000,000 B. mid's table in one subtask: 60,000,000 + 4 x 5,000,000 + 16 x 8,388,608
 * slots (the first power of two with 5,000,000 <= 3/4 of it) = 214,217,728 B; half of it
 * repartitioned: 30,000,000 + 10,000,000 + 16 x 4,194,304 = 107,108,864 B. A spilling
 * path adds 2 x 7/8 x (build + 600,000,000) x 2 subtasks: 2,310,000,000 B broadcast,
 * 2,205,000,000 B repartitioned.
 *   '512 mb' (share 134,217,728 B): only the broadcast table spills: 2,430,000,000 B
 *   against 1,260,000,000: repartition.
 *   '1 gb' (share 268,435,456 B): neither spills: broadcast (120,000,000 B).
 *   '128 mb' (share 33,554,432 B): both spill: 2,430,000,000 against 3,465,000,000 B:
 *   broadcast. (Building adds 16 x 60,000,000 x 2 = 1,920,000,000 B broadcast and
 *   960,000,000 B repartitioned: 4,350,000,000 against 4,425,000,000, still broadcast.)
 * Build cost (opt-join.c), parallelism 2, '1 gb' (no table spills): p20 20,000,000 rows =
 * 240,000,000 B JOIN m2 2,000,000 rows = 24,000,000 B: broadcast moves 48,000,000 B and
 * builds 16 x 48,000,000 = 768,000,000 B: 816,000,000; repartition moves 264,000,000 and
 * builds 16 x 24,000,000 = 384,000,000: 648,000,000: repartition. huge JOIN m1 (1,000,000
 * rows = 12,000,000 B, over the 10 MiB threshold): broadcast 24,000,000 + 384,000,000 =
 * 408,000,000 against 1,212,000,000 + 192,000,000 = 1,404,000,000: broadcast. */
#include "optimizer/opt-private.h"
#include "../plans/plan-test-util.h"
#include "plans/plan-json.h"
#include "plans/plan-sql.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define NBSP "\xc2\xa0" /* g_format_size puts a no-break space before the unit */

typedef struct {
  PlanCatalog *catalog;
  PlanSettings *settings;
} Fixture;

static const char *const setup_sql =
  "CREATE TABLE dim (k INT, d BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '100');\n"
  "CREATE TABLE big (k INT, v BIGINT) WITH ('connector' = 'datagen', "
  "'number-of-rows' = '10000000');\n"
  "CREATE TABLE mid (k INT, w BIGINT) WITH ('connector' = 'datagen', "
  "'number-of-rows' = '5000000');\n"
  "CREATE TABLE huge (k INT, v BIGINT) WITH ('connector' = 'datagen', "
  "'number-of-rows' = '100000000');\n"
  "CREATE TABLE p20 (k INT, v BIGINT) WITH ('connector' = 'datagen', "
  "'number-of-rows' = '20000000');\n"
  "CREATE TABLE m2 (k INT, w BIGINT) WITH ('connector' = 'datagen', "
  "'number-of-rows' = '2000000');\n"
  "CREATE TABLE m1 (k INT, w BIGINT) WITH ('connector' = 'datagen', "
  "'number-of-rows' = '1000000');";

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

static const PlanPhysNode *
phys_join (OptResult *r)
{
  PlanPhysPlan *plan = opt_result_get_physical (r);

  for (guint i = 0; i < plan->nodes->len; i++)
    {
      const PlanPhysNode *n = plan->nodes->pdata[i];

      if (n->kind == PLAN_PHYS_HASH_JOIN || n->kind == PLAN_PHYS_SORT_MERGE_JOIN
          || n->kind == PLAN_PHYS_NESTED_LOOP_JOIN)
        return n;
    }
  g_assert_not_reached ();
  return NULL;
}

static void
costs_of (Fixture *f, const PlanPhysNode *j, OptJoinAlgoCosts *c)
{
  opt__join_algorithm_costs (&j->u.join, j->inputs[0].node, j->inputs[1].node, 4,
                             f->settings, c);
}

static void
test_fits_hash (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanNode) plan = NULL;
  g_autoptr (OptResult) r = optimize_plan (f, "SELECT big.v, mid.w FROM big JOIN mid "
                                              "ON big.k = mid.k", &plan);
  const PlanPhysNode *j = phys_join (r);
  g_autofree char *text = NULL;
  OptJoinAlgoCosts c;

  g_assert_cmpint (j->kind, ==, PLAN_PHYS_HASH_JOIN);
  g_assert_cmpint (j->u.join.strategy, ==, PLAN_JOIN_STRATEGY_REPARTITION);
  g_assert_cmpuint (j->u.join.build_side, ==, 1);
  costs_of (f, j, &c);
  g_assert_cmpfloat (c.share, ==, 16777216.0);
  g_assert_cmpfloat (c.build, ==, 15000000.0);
  g_assert_cmpfloat (c.hash, ==, 45000000.0);
  g_assert_cmpfloat (c.merge, ==, 180000000.0);
  g_assert_false (c.sorted[0] || c.sorted[1]);
  text = opt_explain (plan, r, 0);
  g_assert_nonnull (strstr (text, "HashJoin(joinType=[InnerJoin]"));
  /* the exchange alternative first, then the algorithm's */
  g_assert_nonnull (strstr (text, "(alternative: broadcast"));
  g_assert_nonnull (strstr (text, " | sort-merge (est. cost 171.7" NBSP "MiB) lost to hash "
                                  "join (est. cost 42.9" NBSP "MiB): the build side (est. "
                                  "14.3" NBSP "MiB per subtask) fits the memory share "
                                  "16.0" NBSP "MiB"));
}

/* EXPLAIN JSON of a sort-merge join: the exchange's alternative in "alternatives", the
 * rejected hash join with its reason in "algorithm_alternatives". */
static void
check_json (PlanNode *plan, OptResult *r)
{
  g_autofree char *text = plan_explain_json (plan, opt_result_get_logical (r),
                                             opt_result_get_physical (r), opt__est_bytes,
                                             NULL, 0, 0);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonArray *nodes, *algos;
  JsonObject *join = NULL, *hash;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  nodes = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                        "nodes");
  for (guint i = 0; i < json_array_get_length (nodes); i++)
    {
      JsonObject *o = json_array_get_object_element (nodes, i);

      if (g_strcmp0 (json_object_get_string_member (o, "kind"), "SORT_MERGE_JOIN") == 0)
        join = json_object_get_object_member (o, "join");
    }
  g_assert_nonnull (join);
  g_assert_cmpstr (json_object_get_string_member (join, "strategy"), ==, "repartition");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (join,
                                                                          "alternatives")),
                    ==, 2);
  algos = json_object_get_array_member (join, "algorithm_alternatives");
  g_assert_cmpuint (json_array_get_length (algos), ==, 1);
  hash = json_array_get_object_element (algos, 0);
  g_assert_cmpstr (json_object_get_string_member (hash, "strategy"), ==, "hash");
  g_assert_false (json_object_get_boolean_member (hash, "chosen"));
  g_assert_nonnull (strstr (json_object_get_string_member (hash, "reason"),
                            "does not fit the memory share"));
}

static void
test_too_big_sort_merge (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanNode) plan = NULL;
  g_autoptr (OptResult) r = NULL;
  const PlanPhysNode *j;
  g_autofree char *text = NULL;
  OptJoinAlgoCosts c;

  set (f, "taskmanager.memory.managed.size", "64 mb");
  r = optimize_plan (f, "SELECT big.v, mid.w FROM big JOIN mid ON big.k = mid.k", &plan);
  j = phys_join (r);
  g_assert_cmpint (j->kind, ==, PLAN_PHYS_SORT_MERGE_JOIN);
  g_assert_cmpint (j->u.join.strategy, ==, PLAN_JOIN_STRATEGY_REPARTITION);
  g_assert_cmpint (j->inputs[0].exchange, ==, PLAN_EXCHANGE_HASH);
  g_assert_cmpint (j->inputs[1].exchange, ==, PLAN_EXCHANGE_HASH);
  g_assert_cmpuint (j->parallelism, ==, 4);
  costs_of (f, j, &c);
  g_assert_cmpfloat (c.share, ==, 8388608.0);
  g_assert_true (isinf (c.hash));
  g_assert_cmpfloat (c.merge, ==, 180000000.0);
  text = opt_explain (plan, r, 0);
  g_assert_nonnull (strstr (text, "SortMergeJoin(joinType=[InnerJoin], keys=[k = k]"));
  g_assert_nonnull (strstr (text, "hash join (est. cost infinite) lost to sort-merge (est. "
                                  "cost 171.7" NBSP "MiB): the build side (est. 14.3" NBSP
                                  "MiB per subtask) does not fit the memory share "
                                  "8.0" NBSP "MiB"));
  check_json (plan, r);
}

static void
test_sorted_inputs (Fixture *f, gconstpointer data)
{
  g_autoptr (OptResult) r =
    optimize_plan (f, "SELECT a.w, b.v FROM (SELECT k, w FROM mid ORDER BY k) a "
                      "JOIN (SELECT k, v FROM big ORDER BY k) b ON a.k = b.k", NULL);
  const PlanPhysNode *j = phys_join (r);
  OptJoinAlgoCosts c;

  costs_of (f, j, &c);
  g_assert_true (c.sorted[0] && c.sorted[1]);
  g_assert_cmpfloat (c.merge, ==, 45000000.0);
  g_assert_cmpfloat (c.hash, ==, 45000000.0);
  g_assert_cmpint (j->kind, ==, PLAN_PHYS_SORT_MERGE_JOIN);
  g_assert_nonnull (strstr (j->u.join.alternative, "both inputs already arrive sorted"));
}

static void
test_one_side_sorted (Fixture *f, gconstpointer data)
{
  /* only mid sorted: sort-merge = 45,000,000 + 0 + 3 x 30,000,000 = 135,000,000 > hash */
  g_autoptr (OptResult) r =
    optimize_plan (f, "SELECT a.w, big.v FROM (SELECT k, w FROM mid ORDER BY k) a "
                      "JOIN big ON a.k = big.k", NULL);
  const PlanPhysNode *j = phys_join (r);
  OptJoinAlgoCosts c;

  costs_of (f, j, &c);
  g_assert_true (c.sorted[0]);
  g_assert_false (c.sorted[1]);
  g_assert_cmpfloat (c.merge, ==, 135000000.0);
  g_assert_cmpint (j->kind, ==, PLAN_PHYS_HASH_JOIN);
}

static void
test_hint_shuffle_merge (Fixture *f, gconstpointer data)
{
  /* dim would be broadcast into a hash join; the hint repartitions both into a merge */
  g_autoptr (OptResult) r =
    optimize_plan (f, "SELECT /*+ SHUFFLE_MERGE(dim) */ big.v FROM big JOIN dim "
                      "ON big.k = dim.k", NULL);
  const PlanPhysNode *j = phys_join (r);

  g_assert_cmpint (j->kind, ==, PLAN_PHYS_SORT_MERGE_JOIN);
  g_assert_cmpint (j->u.join.strategy, ==, PLAN_JOIN_STRATEGY_REPARTITION);
  g_assert_cmpint (j->inputs[1].exchange, ==, PLAN_EXCHANGE_HASH);
  g_assert_nonnull (strstr (j->u.join.alternative, "lost to sort-merge"));
  g_assert_nonnull (strstr (j->u.join.alternative, "SHUFFLE_MERGE hint"));
}

static void
test_hint_nest_loop (Fixture *f, gconstpointer data)
{
  g_autoptr (OptResult) r =
    optimize_plan (f, "SELECT /*+ NEST_LOOP(mid) */ big.v FROM big JOIN mid "
                      "ON big.k = mid.k", NULL);
  const PlanPhysNode *j = phys_join (r);

  g_assert_cmpint (j->kind, ==, PLAN_PHYS_NESTED_LOOP_JOIN);
  g_assert_cmpuint (j->u.join.build_side, ==, 1);
  g_assert_cmpint (j->u.join.hint, ==, PLAN_JOIN_HINT_NEST_LOOP);
  g_assert_nonnull (strstr (j->u.join.alternative, "lost to nested loop: NEST_LOOP hint"));
}

static void
test_hint_shuffle_hash_wins (Fixture *f, gconstpointer data)
{
  /* the build side does not fit 64 MB, but SHUFFLE_HASH keeps the hash join */
  g_autoptr (OptResult) r = NULL;
  const PlanPhysNode *j;

  set (f, "taskmanager.memory.managed.size", "64 mb");
  r = optimize_plan (f, "SELECT /*+ SHUFFLE_HASH(mid) */ big.v, mid.w FROM big JOIN mid "
                        "ON big.k = mid.k", NULL);
  j = phys_join (r);
  g_assert_cmpint (j->kind, ==, PLAN_PHYS_HASH_JOIN);
  g_assert_nonnull (strstr (j->u.join.alternative, "lost to hash join (est. cost infinite): "
                                                   "SHUFFLE_HASH hint"));
}

static void
test_broadcast_stays_hash (Fixture *f, gconstpointer data)
{
  /* dim (1,200 B) is broadcast; the algorithm does not undo that, whatever the memory */
  g_autoptr (OptResult) r = NULL;
  const PlanPhysNode *j;

  set (f, "taskmanager.memory.managed.size", "64 mb");
  r = optimize_plan (f, "SELECT big.v, dim.d FROM big JOIN dim ON big.k = dim.k", NULL);
  j = phys_join (r);
  g_assert_cmpint (j->kind, ==, PLAN_PHYS_HASH_JOIN);
  g_assert_cmpint (j->u.join.strategy, ==, PLAN_JOIN_STRATEGY_BROADCAST);
  g_assert_true (g_str_has_prefix (j->u.join.alternative, "repartition"));
  g_assert_nonnull (strstr (j->u.join.alternative, " | sort-merge (est. cost "));
  g_assert_nonnull (strstr (j->u.join.alternative, "lost: the build side is broadcast "
                                                   "(by size)"));
}

/* The strategy of probe JOIN build on k at parallelism 2 with managed memory managed. */
static PlanJoinStrategy
strategy_of (Fixture *f, const char *probe, const char *build, const char *managed,
             char **alternative)
{
  g_autoptr (OptResult) r = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT %s.v, %s.w FROM %s JOIN %s ON %s.k = %s.k",
                                          probe, build, probe, build, probe, build);
  const PlanPhysNode *j;

  set (f, "parallelism.default", "2");
  set (f, "taskmanager.memory.managed.size", managed);
  r = optimize_plan (f, sql, NULL);
  j = phys_join (r);
  g_assert_cmpint (j->kind, ==, PLAN_PHYS_HASH_JOIN);
  g_assert_cmpuint (j->u.join.build_side, ==, 1);
  *alternative = g_strdup (j->u.join.alternative);
  return j->u.join.strategy;
}

static void
test_broadcast_spills (Fixture *f, gconstpointer data)
{
  g_autofree char *a512 = NULL, *a1g = NULL, *a128 = NULL;

  g_assert_cmpint (strategy_of (f, "huge", "mid", "512 mb", &a512), ==,
                   PLAN_JOIN_STRATEGY_REPARTITION);
  g_assert_true (g_str_has_prefix (a512, "broadcast (est. 114.4" NBSP "MiB moved + 2.2"
                                   NBSP "GiB spilled) lost to repartition (est. 1.2" NBSP
                                   "GiB moved + 0 bytes spilled): a subtask's table of "
                                   "the whole build side (est. 204.3" NBSP "MiB) does not fit "
                                   "the join's memory share 128.0" NBSP "MiB"));
  g_assert_cmpint (strategy_of (f, "huge", "mid", "1 gb", &a1g), ==,
                   PLAN_JOIN_STRATEGY_BROADCAST);
  g_assert_true (g_str_has_prefix (a1g, "repartition (est. 1.2" NBSP "GiB moved) lost to "
                                   "broadcast"));
  g_assert_cmpint (strategy_of (f, "huge", "mid", "128 mb", &a128), ==,
                   PLAN_JOIN_STRATEGY_BROADCAST);
}

static void
test_build_cost (Fixture *f, gconstpointer data)
{
  g_autofree char *a2 = NULL, *a1 = NULL;

  g_assert_cmpint (strategy_of (f, "p20", "m2", "1 gb", &a2), ==,
                   PLAN_JOIN_STRATEGY_REPARTITION);
  g_assert_true (g_str_has_prefix (a2, "broadcast (est. 45.8" NBSP "MiB moved, 732.4" NBSP
                                   "MiB built: the whole build side in each of 2 subtasks) "
                                   "lost to repartition (est. 251.8" NBSP "MiB moved, 366.2"
                                   NBSP "MiB built); a byte built costs 16 moved"));
  g_assert_cmpint (strategy_of (f, "huge", "m1", "1 gb", &a1), ==,
                   PLAN_JOIN_STRATEGY_BROADCAST);
  g_assert_true (g_str_has_prefix (a1, "repartition (est. 1.1" NBSP "GiB moved) lost to "
                                   "broadcast (est. 22.9" NBSP "MiB moved)"));
}

static void
test_json_round_trip (Fixture *f, gconstpointer data)
{
  g_autoptr (OptResult) r = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanPhysPlan) back = NULL;
  g_autofree char *json = NULL, *again = NULL;
  const PlanPhysNode *j = NULL;

  set (f, "taskmanager.memory.managed.size", "64 mb");
  r = optimize_plan (f, "SELECT big.v, mid.w FROM big LEFT JOIN mid ON big.k = mid.k", NULL);
  json = plan_phys_to_json (opt_result_get_physical (r), FALSE);
  back = plan_phys_from_json (json, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < back->nodes->len; i++)
    if (((PlanPhysNode *) back->nodes->pdata[i])->kind == PLAN_PHYS_SORT_MERGE_JOIN)
      j = back->nodes->pdata[i];
  g_assert_nonnull (j);
  g_assert_cmpint (j->u.join.type, ==, PLAN_JOIN_LEFT);
  g_assert_cmpuint (j->u.join.n_keys, ==, 1);
  again = plan_phys_to_json (back, FALSE);
  g_assert_cmpstr (again, ==, json);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/optimizer/join-strategy/fits-hash", test_fits_hash);
  ADD ("/optimizer/join-strategy/too-big-sort-merge", test_too_big_sort_merge);
  ADD ("/optimizer/join-strategy/sorted-inputs", test_sorted_inputs);
  ADD ("/optimizer/join-strategy/one-side-sorted", test_one_side_sorted);
  ADD ("/optimizer/join-strategy/hint-shuffle-merge", test_hint_shuffle_merge);
  ADD ("/optimizer/join-strategy/hint-nest-loop", test_hint_nest_loop);
  ADD ("/optimizer/join-strategy/hint-shuffle-hash", test_hint_shuffle_hash_wins);
  ADD ("/optimizer/join-strategy/broadcast-stays-hash", test_broadcast_stays_hash);
  ADD ("/optimizer/join-strategy/json-round-trip", test_json_round_trip);
  ADD ("/optimizer/join-strategy/broadcast-spills", test_broadcast_spills);
  ADD ("/optimizer/join-strategy/build-cost", test_build_cost);
#undef ADD
  return g_test_run ();
}
