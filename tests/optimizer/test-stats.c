/* test-stats.c: ANALYZE TABLE and the estimates made of its statistics. The figures are
 * checked against SQLite's COUNT(DISTINCT c), MIN(c), MAX(c) and COUNT(*) - COUNT(c) on the
 * same CSV file (empty numeric fields loaded as NULL, as strom reads them) and against
 * values worked out by hand; then the estimates (range and equality selectivity, join
 * rows), a join strategy that flips from repartition to broadcast once statistics exist,
 * stale statistics after the file changes, the parser's and binder's errors, EXPLAIN's
 * "== Statistics ==" section and DESCRIBE EXTENDED. */
#include "optimizer/opt-stats-private.h"
#include "runtime/gateway/gw-client.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

static char *dir;

static char *
write_file (const char *name, const char *text)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
run (GwClient *client, const char *sql)
{
  g_autoptr (GError) error = NULL;
  GwOperation *op = gw_client_execute (client, sql, &error);

  g_assert_no_error (error);
  g_assert_nonnull (op);
}

/* people.csv: id 1..8; city with 4 distinct names and one empty (VARCHAR: ''), score
 * DECIMAL with two NULLs, born DATE with one NULL. */
static const char people_csv[] =
  "id,city,score,born\n"
  "1,Oslo,3.50,1990-05-01\n"
  "2,Bergen,,1985-01-31\n"
  "3,Oslo,7.25,\n"
  "4,Tromso,1.00,2001-12-24\n"
  "5,,2.00,1979-07-04\n"
  "6,Bergen,,1990-05-01\n"
  "7,Oslo,9.75,1999-09-09\n"
  "8,Bergen,3.50,1985-01-31\n";

static GwClient *
people_client (const char *path)
{
  GwClient *client = gw_client_new_embedded (NULL);
  g_autofree char *ddl = g_strdup_printf (
    "CREATE TABLE people (id INT, city VARCHAR, score DECIMAL(6, 2), born DATE) WITH ("
    "'connector' = 'filesystem', 'path' = '%s', 'format' = 'csv', 'csv.header' = 'true')",
    path);

  run (client, ddl);
  return client;
}

static double
sqlite_number (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *st = NULL;
  double v;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  v = sqlite3_column_double (st, 0);
  sqlite3_finalize (st);
  return v;
}

static char *
sqlite_text (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *st = NULL;
  char *v;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  v = g_strdup ((const char *) sqlite3_column_text (st, 0));
  sqlite3_finalize (st);
  return v;
}

/* The people rows in SQLite: empty numeric and date fields NULL, empty text ''. */
static sqlite3 *
people_sqlite (void)
{
  g_auto (GStrv) lines = g_strsplit (people_csv, "\n", -1);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE people (id INTEGER, city TEXT, score REAL,"
                                     " born TEXT)", NULL, NULL, NULL), ==, SQLITE_OK);
  for (guint l = 1; lines[l] != NULL && lines[l][0] != '\0'; l++)
    {
      g_auto (GStrv) f = g_strsplit (lines[l], ",", -1);
      g_autofree char *sql = g_strdup_printf (
        "INSERT INTO people VALUES (%s, '%s', %s, %s%s%s)", f[0], f[1],
        f[2][0] ? f[2] : "NULL", f[3][0] ? "'" : "", f[3][0] ? f[3] : "NULL",
        f[3][0] ? "'" : "");

      g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    }
  return db;
}

static void
test_values_match_sqlite (void)
{
  g_autofree char *path = write_file ("people.csv", people_csv);
  g_autoptr (GwClient) client = people_client (path);
  PlanTable *table = plan_catalog_get_table (gw_client_get_catalog (client), "people");
  g_autoptr (OptTableStats) s = NULL;
  sqlite3 *db = people_sqlite ();
  static const char *const cols[] = { "id", "city", "score", "born" };

  opt_stats_open (NULL, NULL);
  g_assert_null (opt_stats_lookup (table));
  run (client, "ANALYZE TABLE people");
  s = opt_stats_lookup (table);
  g_assert_nonnull (s);
  g_assert_cmpfloat (s->rows, ==, sqlite_number (db, "SELECT COUNT(*) FROM people"));
  g_assert_cmpfloat (s->rows, ==, 8);
  for (guint c = 0; c < 4; c++)
    {
      g_autofree char *ndv = g_strdup_printf ("SELECT COUNT(DISTINCT %s) FROM people", cols[c]);
      g_autofree char *nulls = g_strdup_printf ("SELECT COUNT(*) - COUNT(%s) FROM people",
                                                cols[c]);

      g_assert_cmpfloat (s->columns[c].ndv, ==, sqlite_number (db, ndv));
      g_assert_cmpfloat (s->columns[c].nulls, ==, sqlite_number (db, nulls));
    }
  /* by hand: city has Oslo, Bergen, Tromso and '' */
  g_assert_cmpfloat (s->columns[1].ndv, ==, 4);
  g_assert_cmpfloat (s->columns[2].ndv, ==, 5); /* 3.50 7.25 1.00 2.00 9.75 */
  g_assert_cmpfloat (s->columns[2].nulls, ==, 2);
  g_assert_cmpfloat (s->columns[3].nulls, ==, 1);
  g_assert_cmpfloat (s->columns[0].min_num, ==, sqlite_number (db, "SELECT MIN(id) FROM people"));
  g_assert_cmpfloat (s->columns[0].max_num, ==, 8);
  g_assert_cmpfloat (s->columns[2].min_num, ==,
                     sqlite_number (db, "SELECT MIN(score) FROM people"));
  g_assert_cmpfloat (s->columns[2].max_num, ==, 9.75);
  {
    g_autofree char *min_city = sqlite_text (db, "SELECT MIN(city) FROM people");
    g_autofree char *max_city = sqlite_text (db, "SELECT MAX(city) FROM people");
    g_autofree char *min_born = sqlite_text (db, "SELECT MIN(born) FROM people");
    g_autofree char *max_born = sqlite_text (db, "SELECT MAX(born) FROM people");

    g_assert_cmpstr (s->columns[1].min_text, ==, min_city); /* '' */
    g_assert_cmpstr (s->columns[1].max_text, ==, max_city); /* Tromso */
    g_assert_cmpstr (s->columns[3].min_text, ==, min_born);
    g_assert_cmpstr (s->columns[3].max_text, ==, max_born);
    g_assert_cmpstr (max_born, ==, "2001-12-24");
  }
  g_assert_false (s->columns[1].has_range); /* text has no numeric axis */
  g_assert_true (s->columns[3].has_range);
  sqlite3_close (db);
}

static void
test_partial_and_errors (void)
{
  g_autofree char *path = write_file ("people2.csv", people_csv);
  g_autoptr (GwClient) client = people_client (path);
  PlanTable *table = plan_catalog_get_table (gw_client_get_catalog (client), "people");
  g_autoptr (OptTableStats) s = NULL;
  g_autoptr (GError) error = NULL;

  opt_stats_open (NULL, NULL);
  run (client, "ANALYZE TABLE people COMPUTE STATISTICS");
  s = opt_stats_lookup (table);
  g_assert_cmpfloat (s->rows, ==, 8);
  g_assert_cmpfloat (s->columns[0].ndv, <, 0); /* row count only */
  g_clear_pointer (&s, opt_table_stats_free);
  run (client, "ANALYZE TABLE people COMPUTE STATISTICS FOR COLUMNS city");
  s = opt_stats_lookup (table);
  g_assert_cmpfloat (s->columns[1].ndv, ==, 4);
  g_assert_cmpfloat (s->columns[2].ndv, <, 0);
  g_assert_null (gw_client_execute (client, "ANALYZE TABLE people COMPUTE STATISTICS FOR "
                                            "COLUMNS nosuch", &error));
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_BIND);
  g_assert_true (g_str_has_prefix (error->message, "1:53: "));
  g_clear_error (&error);
  g_assert_null (gw_client_execute (client, "ANALYZE people", &error));
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_SYNTAX);
  g_clear_error (&error);
  g_assert_null (gw_client_execute (client, "ANALYZE TABLE nobody", &error));
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_CATALOG);
  g_clear_error (&error);
  /* an unbounded table is refused before anything runs; a bounded datagen one is measured */
  run (client, "CREATE TABLE gen (n BIGINT) WITH ('connector' = 'datagen')");
  g_assert_null (gw_client_execute (client, "ANALYZE TABLE gen", &error));
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED);
  g_assert_true (g_str_has_prefix (error->message, "1:1: "));
  g_assert_nonnull (strstr (error->message, "'gen' is unbounded"));
  run (client, "CREATE TABLE gen2 (n BIGINT) WITH ('connector' = 'datagen', "
               "'number-of-rows' = '300')");
  run (client, "ANALYZE TABLE gen2");
  g_clear_pointer (&s, opt_table_stats_free);
  s = opt_stats_lookup (plan_catalog_get_table (gw_client_get_catalog (client), "gen2"));
  g_assert_nonnull (s);
  g_assert_cmpfloat (s->rows, ==, 300);
  g_assert_cmpfloat (s->columns[0].nulls, ==, 0);
}

static PlanPhysPlan *
plan_of (GwClient *client, const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanStatement) stmt = plan_sql_compile_one (gw_client_get_catalog (client), sql,
                                                         &error);
  g_autoptr (OptResult) opt = NULL;

  g_assert_no_error (error);
  opt = opt_optimize (stmt->plan, gw_client_get_settings (client), &error);
  g_assert_no_error (error);
  return plan_phys_plan_ref (opt_result_get_physical (opt));
}

/* The first node of kind (the test fails when there is none). */
static const PlanPhysNode *
find_kind (const PlanPhysPlan *plan, PlanPhysKind kind)
{
  for (guint i = 0; i < plan->nodes->len; i++)
    if (((PlanPhysNode *) plan->nodes->pdata[i])->kind == kind)
      return plan->nodes->pdata[i];
  g_assert_not_reached ();
}

static void
test_selectivity (void)
{
  g_autofree char *path = write_file ("people3.csv", people_csv);
  g_autoptr (GwClient) client = people_client (path);
  g_autoptr (PlanPhysPlan) before = NULL, range = NULL, eq = NULL, nulls = NULL;

  opt_stats_open (NULL, NULL);
  run (client, "SET 'execution.runtime-mode' = 'batch'");
  before = plan_of (client, "SELECT id FROM people WHERE id < 3");
  g_assert_cmpfloat (find_kind (before, PLAN_PHYS_SOURCE)->est_rows, ==, 4); /* 8 / 2 */
  run (client, "ANALYZE TABLE people");
  /* id in [1, 8]: id < 3 covers (3 - 1) / (8 - 1) of the range: 8 * 2/7 */
  range = plan_of (client, "SELECT id FROM people WHERE id < 3");
  g_assert_cmpfloat_with_epsilon (find_kind (range, PLAN_PHYS_SOURCE)->est_rows, 16.0 / 7,
                                  1e-9);
  /* city = 'Oslo': 1 / ndv 4 of 8 rows */
  eq = plan_of (client, "SELECT id FROM people WHERE city = 'Oslo'");
  g_assert_cmpfloat_with_epsilon (find_kind (eq, PLAN_PHYS_SOURCE)->est_rows, 2, 1e-9);
  /* score IS NULL: 2 of 8 */
  nulls = plan_of (client, "SELECT id FROM people WHERE score IS NULL");
  g_assert_cmpfloat_with_epsilon (find_kind (nulls, PLAN_PHYS_SOURCE)->est_rows, 2, 1e-9);
}

/* dim: k 0..1599 unique; fact: 1000 rows, k = i % 50. */
static GwClient *
join_client (void)
{
  g_autoptr (GString) dim = g_string_new ("k,v\n"), fact = g_string_new ("id,k\n");
  g_autofree char *dpath = NULL, *fpath = NULL, *ddl1 = NULL, *ddl2 = NULL;
  GwClient *client = gw_client_new_embedded (NULL);

  for (guint i = 0; i < 1600; i++)
    g_string_append_printf (dim, "%u,%u\n", i, i * 7);
  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (fact, "%u,%u\n", i, i % 50);
  dpath = write_file ("dim.csv", dim->str);
  fpath = write_file ("fact.csv", fact->str);
  ddl1 = g_strdup_printf ("CREATE TABLE dim (k INT, v INT) WITH ('connector' = 'filesystem', "
                          "'path' = '%s', 'format' = 'csv', 'csv.header' = 'true')", dpath);
  ddl2 = g_strdup_printf ("CREATE TABLE fact (id INT, k INT) WITH ('connector' = "
                          "'filesystem', 'path' = '%s', 'format' = 'csv', 'csv.header' = "
                          "'true')", fpath);
  run (client, ddl1);
  run (client, ddl2);
  run (client, "SET 'execution.runtime-mode' = 'batch'");
  run (client, "SET 'parallelism.default' = '3'");
  run (client, "SET 'table.optimizer.join.broadcast-threshold' = '1'");
  return client;
}

/* Without statistics dim's filter keeps half (800 rows), and broadcasting the smaller side
 * to 3 subtasks (2400 rows) moves more than repartitioning both (1800): repartition. With
 * them k = 7 keeps 1600 / 1600 = 1 row: broadcast. */
static void
test_strategy_flips (void)
{
  g_autoptr (GwClient) client = join_client ();
  const char *sql = "SELECT fact.id, dim.v FROM fact JOIN dim ON fact.k = dim.k "
                    "WHERE dim.k = 7";
  g_autoptr (PlanPhysPlan) before = NULL, after = NULL;
  const PlanPhysNode *join;

  opt_stats_open (NULL, NULL);
  before = plan_of (client, sql);
  join = find_kind (before, PLAN_PHYS_HASH_JOIN);
  g_assert_nonnull (join);
  g_assert_cmpint (join->u.join.strategy, ==, PLAN_JOIN_STRATEGY_REPARTITION);
  run (client, "ANALYZE TABLE dim");
  run (client, "ANALYZE TABLE fact");
  after = plan_of (client, sql);
  join = find_kind (after, PLAN_PHYS_HASH_JOIN);
  g_assert_cmpint (join->u.join.strategy, ==, PLAN_JOIN_STRATEGY_BROADCAST);
  g_assert_cmpuint (join->u.join.build_side, ==, 1);
  /* join rows: 1000 * 1 / max (ndv fact.k 50, ndv dim.k capped at 1 row) = 20 */
  g_assert_cmpfloat_with_epsilon (join->est_rows, 20, 1e-9);
}

static void
test_join_rows (void)
{
  g_autoptr (GwClient) client = join_client ();
  g_autoptr (PlanPhysPlan) plan = NULL, agg = NULL;

  opt_stats_open (NULL, NULL);
  run (client, "ANALYZE TABLE dim");
  run (client, "ANALYZE TABLE fact");
  /* 1000 * 1600 / max (50, 1600) */
  plan = plan_of (client, "SELECT fact.id FROM fact JOIN dim ON fact.k = dim.k");
  g_assert_cmpfloat_with_epsilon (find_kind (plan, PLAN_PHYS_HASH_JOIN)->est_rows, 1000, 1e-9);
  /* GROUP BY k: 50 groups (one phase: 3 x 50 x 1000 partial rows is not a thousandth of 1000) */
  agg = plan_of (client, "SELECT k, COUNT(*) FROM fact GROUP BY k");
  g_assert_cmpfloat_with_epsilon (find_kind (agg, PLAN_PHYS_AGGREGATE)->est_rows, 50, 1e-9);
}

/* A join on two key columns: t (id, k, j) of 1000 rows with k = i % 50 and j = (i / 50) %
 * 20, so every (k, j) pair occurs once. Joined with itself on both, the composite key has
 * min (50 x 20, 1000) = 1000 distinct values per side: 1000 x 1000 / 1000 = 1000 rows,
 * which is also the true count. (The largest single key's count, 50, gave 20000.) */
static void
test_join_rows_two_keys (void)
{
  g_autoptr (GString) csv = g_string_new ("id,k,j\n");
  g_autoptr (GwClient) client = gw_client_new_embedded (NULL);
  g_autoptr (PlanPhysPlan) plan = NULL;
  g_autofree char *path = NULL, *ddl = NULL;

  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (csv, "%u,%u,%u\n", i, i % 50, (i / 50) % 20);
  path = write_file ("pairs.csv", csv->str);
  ddl = g_strdup_printf ("CREATE TABLE t (id INT, k INT, j INT) WITH ('connector' = "
                         "'filesystem', 'path' = '%s', 'format' = 'csv', 'csv.header' = "
                         "'true')", path);
  run (client, ddl);
  run (client, "SET 'execution.runtime-mode' = 'batch'");
  opt_stats_open (NULL, NULL);
  run (client, "ANALYZE TABLE t");
  plan = plan_of (client, "SELECT a.id FROM t a JOIN t b ON a.k = b.k AND a.j = b.j");
  g_assert_cmpfloat_with_epsilon (find_kind (plan, PLAN_PHYS_HASH_JOIN)->est_rows, 1000, 1e-9);
}

static void
test_stale_and_explain (void)
{
  g_autofree char *path = write_file ("people4.csv", people_csv);
  g_autoptr (GwClient) client = people_client (path);
  PlanTable *table = plan_catalog_get_table (gw_client_get_catalog (client), "people");
  g_autofree char *fresh = NULL, *stale = NULL, *none = NULL, *more = NULL;
  g_autoptr (GError) error = NULL;
  GwOperation *op;

  opt_stats_open (NULL, NULL);
  none = opt_stats_describe (table);
  g_assert_nonnull (strstr (none, "run ANALYZE TABLE people"));
  run (client, "ANALYZE TABLE people");
  fresh = opt_stats_describe (table);
  g_assert_true (g_str_has_prefix (fresh, "people: 8 rows from ANALYZE TABLE at "));
  g_assert_nonnull (strstr (fresh, "column statistics for 4 of 4 columns"));
  op = gw_client_execute (client, "EXPLAIN ESTIMATED_COST SELECT id FROM people", &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (gw_operation_get_message (op),
                            "\n== Statistics ==\npeople: 8 rows from ANALYZE TABLE"));
  more = g_strconcat (people_csv, "9,Oslo,1.00,2000-01-01\n", NULL);
  g_assert_true (g_file_set_contents (path, more, -1, NULL));
  g_assert_null (opt_stats_lookup (table));
  stale = opt_stats_describe (table);
  g_assert_nonnull (strstr (stale, "are stale"));
}

/* DESCRIBE EXTENDED: the source line, then per column ANALYZE's figures; worked out by hand
 * for born: 5 distinct dates, 1 NULL, from 1979-07-04 to 2001-12-24. */
static void
test_describe_extended (void)
{
  g_autofree char *path = write_file ("people6.csv", people_csv);
  g_autoptr (GwClient) client = people_client (path);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  GwOperation *op;
  gboolean seen = FALSE;

  opt_stats_open (NULL, NULL);
  run (client, "ANALYZE TABLE people");
  op = gw_client_execute (client, "DESCRIBE EXTENDED people", &error);
  g_assert_no_error (error);
  g_assert_null (gw_operation_get_schema (op));
  g_assert_true (g_str_has_prefix (gw_operation_get_message (op),
                                    "people: 8 rows from ANALYZE TABLE at "));
  lines = g_strsplit (gw_operation_get_message (op), "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "born "))
      {
        g_auto (GStrv) words = g_strsplit_set (lines[i], " ", -1);
        g_autoptr (GPtrArray) kept = g_ptr_array_new ();
        static const char *const want[] = { "born", "DATE", "5", "1", "1979-07-04",
                                            "2001-12-24" };

        for (guint w = 0; words[w] != NULL; w++)
          if (words[w][0] != '\0')
            g_ptr_array_add (kept, words[w]);
        g_assert_cmpuint (kept->len, ==, G_N_ELEMENTS (want));
        for (guint w = 0; w < kept->len; w++)
          g_assert_cmpstr (kept->pdata[w], ==, want[w]);
        seen = TRUE;
      }
  g_assert_true (seen);
  /* plain DESCRIBE is unchanged: a result set of the columns */
  op = gw_client_execute (client, "DESCRIBE people", &error);
  g_assert_no_error (error);
  g_assert_nonnull (gw_operation_get_schema (op));
}

static void
test_persistent_store (void)
{
  g_autofree char *db = g_build_filename (dir, "stats.db", NULL);
  g_autofree char *path = write_file ("people5.csv", people_csv);
  g_autoptr (GwClient) client = people_client (path);
  PlanTable *table = plan_catalog_get_table (gw_client_get_catalog (client), "people");
  g_autoptr (OptTableStats) s = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (opt_stats_open (db, &error));
  run (client, "ANALYZE TABLE people");
  opt_stats_open (NULL, NULL); /* another, empty store */
  g_assert_null (opt_stats_lookup (table));
  g_assert_true (opt_stats_open (db, &error)); /* the file keeps them */
  s = opt_stats_lookup (table);
  g_assert_nonnull (s);
  g_assert_cmpfloat (s->columns[1].ndv, ==, 4);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("strom-stats-XXXXXX", NULL);
  g_test_add_func ("/optimizer/stats/values-match-sqlite", test_values_match_sqlite);
  g_test_add_func ("/optimizer/stats/partial-and-errors", test_partial_and_errors);
  g_test_add_func ("/optimizer/stats/selectivity", test_selectivity);
  g_test_add_func ("/optimizer/stats/strategy-flips", test_strategy_flips);
  g_test_add_func ("/optimizer/stats/join-rows", test_join_rows);
  g_test_add_func ("/optimizer/stats/join-rows-two-keys", test_join_rows_two_keys);
  g_test_add_func ("/optimizer/stats/stale-and-explain", test_stale_and_explain);
  g_test_add_func ("/optimizer/stats/describe-extended", test_describe_extended);
  g_test_add_func ("/optimizer/stats/persistent-store", test_persistent_store);
  rc = g_test_run ();
  opt_stats_close ();
  {
    const char *names[] = { "people.csv", "people2.csv", "people3.csv", "people4.csv",
                            "people5.csv", "people6.csv", "dim.csv", "fact.csv", "stats.db" };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *p = g_build_filename (dir, names[i], NULL);

        g_remove (p);
      }
  }
  g_rmdir (dir);
  g_free (dir);
  return rc;
}
