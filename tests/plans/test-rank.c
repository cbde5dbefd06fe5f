/* test-rank.c: UNION [ALL] and ROW_NUMBER() OVER from SQL to plans: the binder's shapes
 * (plans/plan-sql-bind-rank.c: one UNION node per chain, CASTs to the least common type,
 * DISTINCT for UNION; a RANK node with a rownum column), its errors with line:column, the
 * optimizer's side (optimizer/opt-rank.c: `WHERE rownum <= N` folded into the RANK, rownum
 * dropped when unread, filters pushed through a UNION and below a RANK by partition
 * columns, the physical exchanges and changelog flags) and the JSON round trip. Expected
 * shapes and types are worked out by hand from the tables below. */
#include "plans/plan-sql.h"
#include "plans/plan-json.h"
#include "optimizer/opt.h"
#include "plan-test-util.h"

typedef struct {
  PlanCatalog *catalog;
  PlanSettings *settings;
} Fixture;

/* bid: 0 auction BIGINT NOT NULL, 1 bidder INT, 2 price BIGINT, 3 url VARCHAR, computed
 * 4 pt AS PROCTIME(); person: 0 id INT NOT NULL, 1 name VARCHAR, 2 city VARCHAR */
static const char *const setup_sql =
  "CREATE TABLE bid (auction BIGINT NOT NULL, bidder INT, price BIGINT, url VARCHAR,\n"
  "  pt AS PROCTIME()) WITH ('connector' = 'datagen');\n"
  "CREATE TABLE person (id INT NOT NULL, name VARCHAR, city VARCHAR)\n"
  "  WITH ('connector' = 'datagen');";

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->catalog = plan_test_catalog_new (setup_sql);
  f->settings = plan_settings_new ();
  g_assert_true (plan_settings_set (f->settings, "parallelism.default", "2", &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  plan_settings_free (f->settings);
  plan_catalog_free (f->catalog);
}

/* The first node of kind below root, following first inputs. */
static const PlanNode *
find (const PlanNode *n, PlanNodeKind kind)
{
  while (n->kind != kind)
    {
      g_assert_cmpuint (n->n_inputs, >=, 1);
      n = n->inputs[0];
    }
  return n;
}

static const PlanPhysNode *
find_phys (const PlanPhysPlan *plan, PlanPhysKind kind)
{
  for (guint i = 0; i < plan->nodes->len; i++)
    if (((PlanPhysNode *) plan->nodes->pdata[i])->kind == kind)
      return plan->nodes->pdata[i];
  g_assert_not_reached ();
  return NULL;
}

static OptResult *
optimize (Fixture *f, PlanStatement *stmt)
{
  g_autoptr (GError) error = NULL;
  OptResult *opt = opt_optimize (stmt->plan, f->settings, &error);

  g_assert_no_error (error);
  g_assert_nonnull (opt);
  return opt;
}

/* ---- UNION ---------------------------------------------------------------------------- */

static void
test_union_shape (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt = plan_test_compile_ok (f->catalog,
    "SELECT id AS k, name FROM person UNION ALL SELECT auction, url FROM bid\n"
    "UNION ALL SELECT bidder, 'x' FROM bid");
  const PlanNode *u = stmt->plan->inputs[0];

  g_assert_cmpint (u->kind, ==, PLAN_NODE_UNION);
  g_assert_cmpuint (u->n_inputs, ==, 3);
  g_assert_cmpuint (u->schema->n_fields, ==, 2);
  g_assert_cmpstr (u->schema->fields[0].name, ==, "k");
  g_assert_cmpstr (u->schema->fields[1].name, ==, "name");
  /* INT NOT NULL, BIGINT NOT NULL, INT (nullable) -> BIGINT, nullable */
  g_assert_cmpint (u->schema->fields[0].type.kind, ==, PLAN_TYPE_BIGINT);
  g_assert_true (u->schema->fields[0].type.nullable);
  g_assert_cmpint (u->schema->fields[1].type.kind, ==, PLAN_TYPE_VARCHAR);
  /* person's id is INT: a PROJECT casts it; bid's branch is BIGINT already */
  g_assert_cmpint (u->inputs[0]->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpint (u->inputs[0]->u.project.exprs[0]->kind, ==, PLAN_EXPR_CALL);
  g_assert_cmpint (u->inputs[0]->u.project.exprs[0]->u.call.func, ==, PLAN_FUNC_CAST);
  g_assert_cmpint (u->inputs[0]->u.project.exprs[0]->type.kind, ==, PLAN_TYPE_BIGINT);
  g_assert_cmpint (u->inputs[1]->schema->fields[0].type.kind, ==, PLAN_TYPE_BIGINT);
  for (guint k = 0; k < 3; k++)
    g_assert_cmpint (u->inputs[k]->schema->fields[0].type.kind, ==, PLAN_TYPE_BIGINT);
}

static void
test_union_distinct (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) s1 = plan_test_compile_ok (f->catalog,
    "SELECT id FROM person UNION ALL SELECT id FROM person UNION SELECT id FROM person");
  g_autoptr (PlanStatement) s2 = plan_test_compile_ok (f->catalog,
    "SELECT id FROM person UNION SELECT id FROM person UNION ALL SELECT id FROM person");
  const PlanNode *agg = s1->plan->inputs[0], *u;

  /* (a UNION ALL b) UNION c: one DISTINCT over a union of all three */
  g_assert_cmpint (agg->kind, ==, PLAN_NODE_AGGREGATE);
  g_assert_cmpuint (agg->u.aggregate.n_keys, ==, 1);
  g_assert_cmpuint (agg->u.aggregate.n_aggs, ==, 0);
  g_assert_cmpint (agg->inputs[0]->kind, ==, PLAN_NODE_UNION);
  g_assert_cmpuint (agg->inputs[0]->n_inputs, ==, 3);
  /* (a UNION b) UNION ALL c: the distinct pair stays one input of the outer union */
  u = s2->plan->inputs[0];
  g_assert_cmpint (u->kind, ==, PLAN_NODE_UNION);
  g_assert_cmpuint (u->n_inputs, ==, 2);
  g_assert_cmpint (u->inputs[0]->kind, ==, PLAN_NODE_AGGREGATE);
  g_assert_cmpuint (u->inputs[0]->inputs[0]->n_inputs, ==, 2);
}

static void
test_union_in_view_and_with (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) s1 = plan_test_compile_ok (f->catalog,
    "WITH u AS (SELECT id FROM person UNION ALL SELECT bidder FROM bid)\n"
    "SELECT COUNT(*) FROM u WHERE id > 3");
  g_autoptr (PlanStatement) s2 = plan_test_compile_ok (f->catalog,
    "SELECT x FROM (SELECT name AS x FROM person UNION ALL (SELECT url FROM bid)) AS t");
  const PlanNode *u = find (s1->plan, PLAN_NODE_UNION);

  g_assert_cmpuint (u->n_inputs, ==, 2);
  g_assert_cmpint (u->schema->fields[0].type.kind, ==, PLAN_TYPE_INT);
  g_assert_cmpuint (find (s2->plan, PLAN_NODE_UNION)->n_inputs, ==, 2);
}

static void
test_union_errors (Fixture *f, gconstpointer data)
{
  plan_test_compile_fails_at (f->catalog,
                              "SELECT id, name FROM person UNION ALL SELECT auction FROM bid",
                              1, 39, "same number of columns: the first has 2, this one 1");
  plan_test_compile_fails_at (f->catalog,
                              "SELECT id FROM person\nUNION ALL SELECT url FROM bid", 2, 1,
                              "Cannot mix INT and VARCHAR in column 1 ('id') of UNION");
  plan_test_compile_fails_at (f->catalog, "SELECT id FROM person INTERSECT SELECT id FROM person",
                              1, 23, "INTERSECT is not supported yet");
}

/* filter pushdown reaches both scans; pruning keeps only the union column the parent reads */
static void
test_union_optimize (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt = plan_test_compile_ok (f->catalog,
    "SELECT k FROM (SELECT id AS k, name FROM person UNION ALL SELECT bidder, url FROM bid)\n"
    "WHERE k > 5");
  g_autoptr (OptResult) opt = optimize (f, stmt);
  const PlanNode *u = find (opt_result_get_logical (opt), PLAN_NODE_UNION);
  const PlanPhysNode *pu;

  g_assert_cmpuint (u->schema->n_fields, ==, 1);
  for (guint k = 0; k < 2; k++)
    {
      const PlanNode *scan = find (u->inputs[k], PLAN_NODE_SCAN);

      g_assert_nonnull (scan->u.scan.filter);
      g_assert_cmpuint (scan->u.scan.n_columns, ==, 1);
    }
  pu = find_phys (opt_result_get_physical (opt), PLAN_PHYS_UNION);
  g_assert_cmpuint (pu->n_inputs, ==, 2);
  g_assert_false (pu->chained);
  g_assert_false (pu->updating);
  g_assert_cmpuint (pu->parallelism, ==, 2);
  g_assert_cmpint (pu->inputs[0].exchange, ==, PLAN_EXCHANGE_FORWARD);
}

/* A column that is a time attribute in every branch stays one through the union, so a
 * window TVF accepts it; one branch without it is enough to refuse. */
static void
test_union_time_attribute (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  PlanCatalog *catalog = plan_test_catalog_new (
    "CREATE TABLE a (k INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'x');\n"
    "CREATE TABLE b (k INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'x');\n"
    "CREATE TABLE c (k INT, ts TIMESTAMP(3)) WITH ('connector' = 'x');");
  g_autoptr (PlanStatement) stmt = plan_test_compile_ok (catalog,
    "WITH u AS (SELECT * FROM a UNION ALL SELECT * FROM b) SELECT window_start, COUNT(*)\n"
    "FROM TABLE(TUMBLE(TABLE u, DESCRIPTOR(ts), INTERVAL '1' SECOND))\n"
    "GROUP BY window_start, window_end");
  g_autoptr (PlanStatement) bad = plan_sql_compile_one (catalog,
    "WITH u AS (SELECT * FROM a UNION ALL SELECT * FROM c)\n"
    "SELECT * FROM TABLE(TUMBLE(TABLE u, DESCRIPTOR(ts), INTERVAL '1' SECOND))", &error);

  g_assert_nonnull (find (stmt->plan, PLAN_NODE_UNION));
  g_assert_null (bad);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "not a time attribute"));
  plan_catalog_free (catalog);
}

/* ---- ROW_NUMBER ------------------------------------------------------------------------- */

static const char *const top2 =
  "SELECT auction, price, rn FROM (SELECT auction, bidder, price,\n"
  "  ROW_NUMBER() OVER (PARTITION BY bidder ORDER BY price DESC, auction) AS rn FROM bid)\n"
  "WHERE rn <= 2";

static void
test_rank_bind (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt = plan_test_compile_ok (f->catalog, top2);
  const PlanNode *rank = find (stmt->plan, PLAN_NODE_RANK);
  const PlanRank *r = &rank->u.rank;

  /* input of the RANK: the FROM's scan with pt computed (5 columns) */
  g_assert_cmpuint (rank->inputs[0]->schema->n_fields, ==, 5);
  g_assert_cmpuint (rank->schema->n_fields, ==, 6);
  g_assert_cmpint (rank->schema->fields[5].type.kind, ==, PLAN_TYPE_BIGINT);
  g_assert_false (rank->schema->fields[5].type.nullable);
  g_assert_cmpuint (r->n_partition, ==, 1);
  g_assert_cmpuint (r->partition[0], ==, 1);
  g_assert_cmpuint (r->order.n_keys, ==, 2);
  g_assert_cmpuint (r->order.keys[0], ==, 2);
  g_assert_true (r->order.descending[0]);
  g_assert_false (r->order.nulls_first[0]); /* DESC: NULLS LAST */
  g_assert_cmpuint (r->order.keys[1], ==, 0);
  g_assert_true (r->order.nulls_first[1]);
  g_assert_cmpint (r->limit, ==, -1); /* the bound is the optimizer's to fold */
  g_assert_true (r->rownum);
  g_assert_false (r->first_row);
  g_assert_false (r->last_row);
}

static void
test_rank_star_and_proctime (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) s1 = plan_test_compile_ok (f->catalog,
    "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY pt) AS rn\n"
    "FROM bid) WHERE rn = 1");
  g_autoptr (PlanStatement) s2 = plan_test_compile_ok (f->catalog,
    "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY pt DESC)\n"
    "AS rn FROM bid) WHERE rn = 1");
  const PlanNode *rank = find (s1->plan, PLAN_NODE_RANK);

  /* SELECT * does not show the hidden rownum column twice: 5 columns and rn */
  g_assert_cmpuint (s1->plan->schema->n_fields, ==, 6);
  g_assert_cmpstr (s1->plan->schema->fields[5].name, ==, "rn");
  g_assert_true (rank->u.rank.first_row);
  g_assert_false (rank->u.rank.last_row);
  rank = find (s2->plan, PLAN_NODE_RANK);
  g_assert_false (rank->u.rank.first_row);
  g_assert_true (rank->u.rank.last_row);
}

/* Pipe syntax: |> EXTEND ROW_NUMBER() ... keeps the input's columns and adds rn; the |>
 * WHERE after it folds into the RANK like a WHERE of an enclosing query. */
static void
test_rank_pipe (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt = plan_test_compile_ok (f->catalog,
    "FROM bid |> EXTEND ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn\n"
    "|> WHERE rn <= 3");
  g_autoptr (OptResult) opt = optimize (f, stmt);
  const PlanNode *rank = find (opt_result_get_logical (opt), PLAN_NODE_RANK);

  /* bid's 5 columns (pt included) and rn */
  g_assert_cmpuint (stmt->plan->schema->n_fields, ==, 6);
  g_assert_cmpstr (stmt->plan->schema->fields[5].name, ==, "rn");
  g_assert_cmpint (rank->u.rank.limit, ==, 3);
  g_assert_true (rank->u.rank.rownum);
}

static void
test_rank_errors (Fixture *f, gconstpointer data)
{
  plan_test_compile_fails_at (f->catalog,
                              "SELECT RANK() OVER (PARTITION BY auction ORDER BY price) FROM bid",
                              1, 8, "ROW_NUMBER() OVER (PARTITION BY columns ORDER BY columns)");
  plan_test_compile_fails_at (f->catalog,
                              "SELECT SUM(price) OVER (PARTITION BY auction) FROM bid",
                              1, 8, "SUM(...) OVER (...) is not supported");
  plan_test_compile_fails_at (f->catalog,
                              "SELECT ROW_NUMBER() OVER (PARTITION BY auction) FROM bid",
                              1, 26, "needs ORDER BY in its window");
  plan_test_compile_fails_at (f->catalog,
                              "SELECT ROW_NUMBER() OVER (ORDER BY price + 1) FROM bid",
                              1, 36, "take columns");
  plan_test_compile_fails_at (f->catalog,
                              "SELECT ROW_NUMBER() OVER (ORDER BY price ROWS BETWEEN UNBOUNDED "
                              "PRECEDING AND CURRENT ROW) FROM bid", 1, 42, "ROWS or RANGE");
  plan_test_compile_fails_at (f->catalog,
                              "SELECT auction FROM bid WHERE ROW_NUMBER() OVER (ORDER BY price) "
                              "= 1", 1, 31, "not supported here");
  plan_test_compile_fails_at (f->catalog,
                              "SELECT ROW_NUMBER() OVER (ORDER BY price),\n"
                              "  ROW_NUMBER() OVER (ORDER BY auction) FROM bid", 2, 21,
                              "same window");
}

/* rn <= 2 becomes the limit; rn is read above, so it stays */
static void
test_rank_fold_limit (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt = plan_test_compile_ok (f->catalog, top2);
  g_autoptr (OptResult) opt = optimize (f, stmt);
  const PlanNode *root = opt_result_get_logical (opt), *rank = find (root, PLAN_NODE_RANK);
  const PlanPhysNode *pr = find_phys (opt_result_get_physical (opt), PLAN_PHYS_RANK);

  g_assert_cmpint (rank->u.rank.limit, ==, 2);
  g_assert_true (rank->u.rank.rownum);
  for (const PlanNode *n = root; n != rank; n = n->inputs[0])
    g_assert_cmpint (n->kind, !=, PLAN_NODE_FILTER);
  /* the RANK reads only bidder, price, auction: 3 columns + rownum */
  g_assert_cmpuint (rank->schema->n_fields, ==, 4);
  g_assert_cmpuint (pr->parallelism, ==, 2);
  g_assert_cmpint (pr->inputs[0].exchange, ==, PLAN_EXCHANGE_HASH);
  g_assert_cmpuint (pr->inputs[0].n_keys, ==, 1);
  g_assert_true (pr->updating);
}

static void
test_rank_bounds (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *where;
    gint64 limit;
    gboolean filter_stays;
  } cases[] = {
    { "rn < 4", 3, FALSE },
    { "3 >= rn", 3, FALSE },
    { "rn = 1", 1, FALSE },
    { "rn = 3", 3, TRUE },
    { "rn <= 5 AND rn <= 2", 2, FALSE },
    { "rn > 1", -1, TRUE },
    { "rn BETWEEN 2 AND 3", 3, TRUE },
    { "rn BETWEEN 1 AND 4", 4, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *sql = g_strdup_printf (
        "SELECT auction FROM (SELECT auction, ROW_NUMBER() OVER (PARTITION BY bidder ORDER BY "
        "price) AS rn FROM bid) WHERE %s", cases[i].where);
      g_autoptr (PlanStatement) stmt = plan_test_compile_ok (f->catalog, sql);
      g_autoptr (OptResult) opt = optimize (f, stmt);
      const PlanNode *root = opt_result_get_logical (opt), *rank = find (root, PLAN_NODE_RANK);
      gboolean filtered = FALSE;

      for (const PlanNode *n = root; n != rank; n = n->inputs[0])
        filtered = filtered || n->kind == PLAN_NODE_FILTER;
      g_assert_cmpint (rank->u.rank.limit, ==, cases[i].limit);
      g_assert_cmpint (filtered, ==, cases[i].filter_stays);
      /* rn is not selected: once no filter reads it, the RANK stops producing it */
      g_assert_cmpint (rank->u.rank.rownum, ==, cases[i].filter_stays);
    }
}

/* Without a bound and with rn unread, the RANK keeps every row unnumbered: it goes. */
static void
test_rank_unused (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt = plan_test_compile_ok (f->catalog,
    "SELECT auction FROM (SELECT auction, ROW_NUMBER() OVER (PARTITION BY bidder ORDER BY "
    "price) AS rn FROM bid)");
  g_autoptr (OptResult) opt = optimize (f, stmt);
  const PlanNode *n = opt_result_get_logical (opt);

  for (; n->n_inputs > 0; n = n->inputs[0])
    g_assert_cmpint (n->kind, !=, PLAN_NODE_RANK);
  g_assert_cmpint (n->kind, ==, PLAN_NODE_SCAN);
}

/* A conjunct on the partition column goes below the RANK; one on another column stays. */
static void
test_rank_pushdown (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt = plan_test_compile_ok (f->catalog,
    "SELECT auction FROM (SELECT auction, price, ROW_NUMBER() OVER (PARTITION BY auction\n"
    "ORDER BY price DESC) AS rn FROM bid) WHERE rn <= 3 AND auction > 10 AND price > 7");
  g_autoptr (OptResult) opt = optimize (f, stmt);
  const PlanNode *root = opt_result_get_logical (opt), *rank = find (root, PLAN_NODE_RANK);
  const PlanNode *scan = find (rank, PLAN_NODE_SCAN);
  g_autofree char *below = plan_expr_to_string (scan->u.scan.filter, scan->schema);
  gboolean filter_above = FALSE;

  for (const PlanNode *n = root; n != rank; n = n->inputs[0])
    filter_above = filter_above || n->kind == PLAN_NODE_FILTER;
  g_assert_true (filter_above);
  g_assert_cmpint (rank->u.rank.limit, ==, 3);
  g_assert_nonnull (strstr (below, "auction"));
  g_assert_null (strstr (below, "price"));
}

/* Dedup on proctime ASC is insert-only; DESC and batch mode differ as Flink's do. */
static void
test_rank_physical_modes (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanStatement) s1 = plan_test_compile_ok (f->catalog,
    "SELECT auction FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY pt)\n"
    "AS rn FROM bid) WHERE rn = 1");
  g_autoptr (PlanStatement) s2 = plan_test_compile_ok (f->catalog,
    "SELECT auction FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY pt\n"
    "DESC) AS rn FROM bid) WHERE rn = 1");
  g_autoptr (OptResult) o1 = optimize (f, s1);
  g_autoptr (OptResult) o2 = optimize (f, s2);
  g_autoptr (OptResult) o3 = NULL;
  g_autofree char *explain = NULL;

  g_assert_false (find_phys (opt_result_get_physical (o1), PLAN_PHYS_RANK)->updating);
  g_assert_true (find_phys (opt_result_get_physical (o2), PLAN_PHYS_RANK)->updating);
  explain = plan_phys_explain (opt_result_get_physical (o1));
  g_assert_nonnull (strstr (explain,
                            "Deduplicate(keep=[FirstRow], key=[auction], order=[PROCTIME])"));
  g_clear_pointer (&explain, g_free);
  explain = plan_phys_explain (opt_result_get_physical (o2));
  g_assert_nonnull (strstr (explain, "Deduplicate(keep=[LastRow]"));
  g_assert_true (plan_settings_set (f->settings, "execution.runtime-mode", "batch", &error));
  o3 = optimize (f, s2);
  g_assert_false (find_phys (opt_result_get_physical (o3), PLAN_PHYS_RANK)->updating);
}

static void
test_json_round_trip (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt = plan_test_compile_ok (f->catalog,
    "SELECT * FROM (SELECT auction, price, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY\n"
    "price DESC NULLS FIRST) AS rn FROM (SELECT auction, price FROM bid UNION ALL\n"
    "SELECT id, id FROM person)) WHERE rn <= 4");
  g_autoptr (OptResult) opt = optimize (f, stmt);
  g_autoptr (GError) error = NULL;
  g_autofree char *json = plan_phys_to_json (opt_result_get_physical (opt), FALSE);
  g_autoptr (PlanPhysPlan) back = plan_phys_from_json (json, &error);
  g_autofree char *json2 = NULL, *e1 = NULL, *e2 = NULL;
  const PlanPhysNode *rank;

  g_assert_no_error (error);
  json2 = plan_phys_to_json (back, FALSE);
  g_assert_cmpstr (json, ==, json2);
  e1 = plan_phys_explain (opt_result_get_physical (opt));
  e2 = plan_phys_explain (back);
  g_assert_cmpstr (e1, ==, e2);
  g_assert_nonnull (strstr (e1, "Union(all=[true], union=[auction, price])"));
  g_assert_nonnull (strstr (e1, "rankRange=[rankStart=1, rankEnd=4], partitionBy=[auction], "
                              "orderBy=[price DESC NULLS FIRST], outputRankNumber=[true]"));
  rank = find_phys (back, PLAN_PHYS_RANK);
  g_assert_cmpint (rank->u.rank.limit, ==, 4);
  g_assert_true (rank->u.rank.order.nulls_first[0]);
  g_assert_cmpuint (find_phys (back, PLAN_PHYS_UNION)->n_inputs, ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add ("/plans/rank/" path, Fixture, NULL, fixture_setup, fn, \
                                  fixture_teardown)
  ADD ("union-shape", test_union_shape);
  ADD ("union-distinct", test_union_distinct);
  ADD ("union-in-view-and-with", test_union_in_view_and_with);
  ADD ("union-errors", test_union_errors);
  ADD ("union-optimize", test_union_optimize);
  ADD ("union-time-attribute", test_union_time_attribute);
  ADD ("bind", test_rank_bind);
  ADD ("star-and-proctime", test_rank_star_and_proctime);
  ADD ("pipe", test_rank_pipe);
  ADD ("errors", test_rank_errors);
  ADD ("fold-limit", test_rank_fold_limit);
  ADD ("bounds", test_rank_bounds);
  ADD ("unused", test_rank_unused);
  ADD ("pushdown", test_rank_pushdown);
  ADD ("physical-modes", test_rank_physical_modes);
  ADD ("json-round-trip", test_json_round_trip);
#undef ADD
  return g_test_run ();
}
