/* test-two-phase.c: two-phase aggregation against SQLite. One CSV file (500 rows, 20
 * groups, NULLs in x and d) is read by strom and loaded into SQLite; each query runs at
 * parallelism 1, 2 and 3 with 'table.optimizer.agg-phase-strategy' AUTO (after ANALYZE),
 * TWO_PHASE and ONE_PHASE, and its rows must equal SQLite's (sorted; numbers within 0.011).
 * The plan shapes are checked too: TWO_PHASE puts a local aggregate before the hash
 * exchange whenever the input runs in more than one subtask and the calls can be split
 * (never for COUNT(DISTINCT)); AUTO keeps one phase on these rows (no cut is a thousandfold)
 * and splits 100,000 generated rows into 10 groups; EXPLAIN's "== Aggregation ==" reasons.
 * In streaming mode the changelog is folded into its final rows before comparing. */
#include "optimizer/opt-stats-private.h"
#include "runtime/gateway/gw-client.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

static char *dir, *csv_path;
static sqlite3 *db;

static void
run (GwClient *client, const char *sql)
{
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (gw_client_execute (client, sql, &error));
  g_assert_no_error (error);
}

static void
make_data (void)
{
  g_autoptr (GString) csv = g_string_new ("k,name,x,d\n");

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  sqlite3_exec (db, "CREATE TABLE t (k INTEGER, name TEXT, x INTEGER, d REAL)", NULL, NULL,
                NULL);
  for (guint i = 0; i < 500; i++)
    {
      guint k = (i * 13) % 20;
      gboolean x_null = i % 7 == 0, d_null = i % 11 == 0;
      g_autofree char *x = x_null ? g_strdup ("") : g_strdup_printf ("%u", (i * 31) % 97);
      g_autofree char *d = d_null ? g_strdup ("") : g_strdup_printf ("%u.%02u", i % 50, i % 100);
      g_autofree char *ins = g_strdup_printf ("INSERT INTO t VALUES (%u, 'n%u', %s, %s)", k,
                                              k % 3, x_null ? "NULL" : x, d_null ? "NULL" : d);

      g_string_append_printf (csv, "%u,n%u,%s,%s\n", k, k % 3, x, d);
      g_assert_cmpint (sqlite3_exec (db, ins, NULL, NULL, NULL), ==, SQLITE_OK);
    }
  csv_path = g_build_filename (dir, "t.csv", NULL);
  g_assert_true (g_file_set_contents (csv_path, csv->str, -1, NULL));
}

static GwClient *
client_at (guint parallelism, const char *strategy)
{
  GwClient *client = gw_client_new_embedded (NULL);
  g_autofree char *ddl = g_strdup_printf (
    "CREATE TABLE t (k INT, name VARCHAR, x INT, d DECIMAL(6, 2)) WITH ('connector' = "
    "'filesystem', 'path' = '%s', 'format' = 'csv', 'csv.header' = 'true')", csv_path);
  g_autofree char *par = g_strdup_printf ("SET 'parallelism.default' = '%u'", parallelism);
  g_autofree char *strat = g_strdup_printf ("SET 'table.optimizer.agg-phase-strategy' = '%s'",
                                            strategy);

  run (client, ddl);
  run (client, "SET 'execution.runtime-mode' = 'batch'");
  run (client, par);
  run (client, strat);
  run (client, "ANALYZE TABLE t");
  return client;
}

static gint
cmp_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
append_value (GString *s, const PlanValue *v)
{
  double x;

  if (v->is_null)
    g_string_append (s, "NULL");
  else if (opt__value_number (v, &x))
    g_string_append_printf (s, "%.2f", x);
  else
    {
      g_autofree char *t = plan_value_to_string (v, FALSE);

      g_string_append (s, t);
    }
}

/* The final rows of sql: a streaming changelog folded (+I/+U add a row, -U/-D take one). */
static GPtrArray *
strom_rows (GwClient *client, const char *sql)
{
  g_autoptr (GError) error = NULL;
  GwOperation *op = gw_client_execute (client, sql, &error);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean end = FALSE;
  GHashTableIter it;
  gpointer key, value;

  g_assert_no_error (error);
  while (!end)
    {
      g_autoptr (GwPage) page = gw_operation_fetch (op, 1000, -1, &error);

      g_assert_no_error (error);
      end = page->end;
      for (guint i = 0; i < page->rows->len; i++)
        {
          GwRow *row = page->rows->pdata[i];
          GString *s = g_string_new (NULL);

          gint64 n;
          char *text;

          for (guint c = 0; c < row->n_values; c++)
            {
              g_string_append (s, c ? "|" : "");
              append_value (s, &row->values[c]);
            }
          text = g_string_free (s, FALSE);
          n = GPOINTER_TO_SIZE (g_hash_table_lookup (counts, text));
          n += row->kind == RT_ROW_INSERT || row->kind == RT_ROW_UPDATE_AFTER ? 1 : -1;
          g_assert_cmpint (n, >=, 0);
          g_hash_table_replace (counts, text, GSIZE_TO_POINTER ((gsize) n));
        }
    }
  g_hash_table_iter_init (&it, counts);
  while (g_hash_table_iter_next (&it, &key, &value))
    for (gsize k = 0; k < GPOINTER_TO_SIZE (value); k++)
      g_ptr_array_add (out, g_strdup (key));
  g_ptr_array_sort (out, cmp_strings);
  return out;
}

static GPtrArray *
sqlite_rows (const char *sql)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *st = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      GString *s = g_string_new (NULL);

      for (int c = 0; c < sqlite3_column_count (st); c++)
        {
          int type = sqlite3_column_type (st, c);

          g_string_append (s, c ? "|" : "");
          if (type == SQLITE_NULL)
            g_string_append (s, "NULL");
          else if (type == SQLITE_TEXT)
            g_string_append (s, (const char *) sqlite3_column_text (st, c));
          else
            g_string_append_printf (s, "%.2f", sqlite3_column_double (st, c));
        }
      g_ptr_array_add (out, g_string_free (s, FALSE));
    }
  sqlite3_finalize (st);
  g_ptr_array_sort (out, cmp_strings);
  return out;
}

/* The number of AGGREGATE and LOCAL_AGGREGATE operators in sql's plan. */
static guint
n_aggregates (GwClient *client, const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanStatement) stmt = plan_sql_compile_one (gw_client_get_catalog (client), sql,
                                                         &error);
  g_autoptr (OptResult) opt = NULL;
  PlanPhysPlan *plan;
  guint n = 0;

  g_assert_no_error (error);
  opt = opt_optimize (stmt->plan, gw_client_get_settings (client), &error);
  g_assert_no_error (error);
  plan = opt_result_get_physical (opt);
  for (guint i = 0; i < plan->nodes->len; i++)
    n += ((PlanPhysNode *) plan->nodes->pdata[i])->kind == PLAN_PHYS_AGGREGATE
         || ((PlanPhysNode *) plan->nodes->pdata[i])->kind == PLAN_PHYS_LOCAL_AGGREGATE;
  return n;
}

/* Rows equal field by field; numbers within 0.011 (SQLite averages in floating point, strom
 * DECIMAL AVG rounds at its scale, so %.2f may differ in the last digit). */
static void
assert_same_row (const char *mine, const char *theirs)
{
  g_auto (GStrv) a = g_strsplit (mine, "|", -1), b = g_strsplit (theirs, "|", -1);

  g_assert_cmpuint (g_strv_length (a), ==, g_strv_length (b));
  for (guint i = 0; a[i] != NULL; i++)
    {
      char *end_a, *end_b;
      double x = g_ascii_strtod (a[i], &end_a), y = g_ascii_strtod (b[i], &end_b);

      if (*a[i] != '\0' && *end_a == '\0' && *b[i] != '\0' && *end_b == '\0')
        g_assert_cmpfloat_with_epsilon (x, y, 0.011);
      else
        g_assert_cmpstr (a[i], ==, b[i]);
    }
}

typedef struct {
  const char *strom;
  const char *sqlite; /* NULL: the same text */
  gboolean splittable;
} Query;

static const Query queries[] = {
  { "SELECT k, COUNT(*), COUNT(x), SUM(x), MIN(d), MAX(d), MIN(name), "
    "SUM(d) FILTER (WHERE x > 50) FROM t GROUP BY k",
    "SELECT k, COUNT(*), COUNT(x), SUM(x), MIN(d), MAX(d), MIN(name), "
    "SUM(CASE WHEN x > 50 THEN d END) FROM t GROUP BY k", TRUE },
  { "SELECT name, k, COUNT(*), MAX(x) FROM t GROUP BY name, k", NULL, TRUE },
  { "SELECT COUNT(*), SUM(x), MIN(d) FROM t", NULL, TRUE },
  { "SELECT COUNT(*), SUM(x), MAX(d) FROM t WHERE x > 1000", NULL, TRUE },
  { "SELECT k, COUNT(*), SUM(d) FROM t WHERE x > 1000 GROUP BY k", NULL, TRUE },
  { "SELECT k, COUNT(DISTINCT x), SUM(x) FROM t GROUP BY k", NULL, FALSE },
  /* AVG: SUM and COUNT merged, divided after the global phase; INT AVG truncates */
  { "SELECT k, AVG(x), AVG(d), COUNT(*) FROM t GROUP BY k",
    "SELECT k, CAST(AVG(x) AS INTEGER), AVG(d), COUNT(*) FROM t GROUP BY k", TRUE },
  { "SELECT AVG(d), AVG(CAST(x AS DOUBLE)) FROM t", NULL, TRUE },
  { "SELECT AVG(x), AVG(d) FROM t WHERE x > 1000", NULL, TRUE },
};

static void
check_all (const char *strategy)
{
  for (guint p = 1; p <= 3; p++)
    {
      g_autoptr (GwClient) client = client_at (p, strategy);

      for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
        {
          const Query *qu = &queries[q];
          g_autoptr (GPtrArray) mine = strom_rows (client, qu->strom);
          g_autoptr (GPtrArray) theirs = sqlite_rows (qu->sqlite ? qu->sqlite : qu->strom);
          /* AUTO keeps one phase on these 500 rows: no query cuts them a thousandfold */
          gboolean two = qu->splittable && p > 1 && strcmp (strategy, "TWO_PHASE") == 0;

          g_assert_cmpuint (mine->len, ==, theirs->len);
          for (guint i = 0; i < mine->len; i++)
            assert_same_row (mine->pdata[i], theirs->pdata[i]);
          g_assert_cmpuint (n_aggregates (client, qu->strom), ==, (two ? 2u : 1u));
        }
    }
}

static void
test_auto (void)
{
  check_all ("AUTO");
}

static void
test_two_phase (void)
{
  g_autoptr (GwClient) one = NULL, two = NULL;
  const char *sql = "SELECT k, AVG(x), AVG(d), AVG(CAST(x AS DOUBLE)) FROM t GROUP BY k";
  g_autoptr (GPtrArray) a = NULL, b = NULL;

  check_all ("TWO_PHASE");
  /* the split AVG gives what the one-phase AVG gives (to the 2 decimals compared) */
  one = client_at (3, "ONE_PHASE");
  two = client_at (3, "TWO_PHASE");
  a = strom_rows (one, sql);
  b = strom_rows (two, sql);
  g_assert_cmpuint (n_aggregates (two, sql), ==, 2);
  g_assert_cmpuint (a->len, ==, 20);
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpstr (a->pdata[i], ==, b->pdata[i]);
}

static void
test_one_phase (void)
{
  check_all ("ONE_PHASE");
}

static char *
explain (GwClient *client, const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = g_strconcat ("EXPLAIN ESTIMATED_COST ", sql, NULL);
  GwOperation *op = gw_client_execute (client, text, &error);

  g_assert_no_error (error);
  return g_strdup (gw_operation_get_message (op));
}

static void
test_explain_reasons (void)
{
  g_autoptr (GwClient) client = client_at (2, "AUTO");
  g_autofree char *one = explain (client, "SELECT k, COUNT(*) FROM t GROUP BY k");
  g_autofree char *distinct = explain (client, "SELECT k, COUNT(DISTINCT x) FROM t GROUP BY k");
  g_autofree char *forced = NULL;

  /* 20 groups of 500 rows: 2 x 20 = 40 partial rows, not a thousandth */
  g_assert_nonnull (strstr (one, "== Aggregation ==\nGroupAggregate #"));
  g_assert_nonnull (strstr (one, ": one-phase, est. 20 groups from 500 rows: a local phase "
                                 "would ship up to 40 partial rows (2 subtasks x groups), not a "
                                 "thousandth of the rows\n"));
  g_assert_nonnull (strstr (distinct, ": one-phase, COUNT(DISTINCT) stays one-phase"));
  run (client, "SET 'table.optimizer.agg-phase-strategy' = 'TWO_PHASE'");
  forced = explain (client, "SELECT k, COUNT(*) FROM t GROUP BY k");
  g_assert_nonnull (strstr (forced, "GlobalAggregate #"));
  g_assert_nonnull (strstr (forced, "(forced by 'table.optimizer.agg-phase-strategy' = "
                                    "'TWO_PHASE')"));
}

/* AUTO splits a thousand-fold cut: 100,000 generated rows into 10 groups at parallelism 2
 * (2 x 10 x 1000 <= 100,000); the result is the one-phase result. */
static void
test_auto_splits (void)
{
  const char *ddl = "CREATE TABLE gen (k INT, v BIGINT) WITH ('connector' = 'datagen', "
                    "'number-of-rows' = '100000', 'rows-per-second' = '0', 'seed' = '7', "
                    "'fields.k.min' = '0', 'fields.k.max' = '9', 'fields.v.min' = '0', "
                    "'fields.v.max' = '1000')";
  const char *sql = "SELECT k, COUNT(*), SUM(v), MIN(v), AVG(v) FROM gen GROUP BY k";
  g_autoptr (GwClient) one = client_at (2, "ONE_PHASE"), two = client_at (2, "AUTO");
  g_autoptr (GPtrArray) a = NULL, b = NULL;
  g_autofree char *text = NULL;

  run (one, ddl);
  run (two, ddl);
  run (two, "ANALYZE TABLE gen");
  g_assert_cmpuint (n_aggregates (two, sql), ==, 2);
  text = explain (two, sql);
  g_assert_nonnull (strstr (text, ": two-phase, est. 10 groups from 100000 rows: at most 20 "
                                  "partial rows (2 subtasks x groups) cross the exchange "
                                  "instead of 100000\n"));
  a = strom_rows (one, sql);
  b = strom_rows (two, sql);
  g_assert_cmpuint (a->len, ==, 10);
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpstr (a->pdata[i], ==, b->pdata[i]);
}

/* Streaming: the local phase is LOCAL_AGGREGATE (a partial row per group of each input
 * batch); the folded changelog equals SQLite's rows, with checkpoints on too (the local
 * phase is stateless, so the job is not refused). AUTO: 20 groups <= 512 / 2 pays. */
static void
test_streaming (void)
{
  for (guint p = 2; p <= 3; p++)
    {
      g_autoptr (GwClient) client = client_at (p, "AUTO");
      g_autofree char *text = NULL;
      const char *sql = queries[0].strom;
      g_autoptr (GPtrArray) mine = NULL, theirs = sqlite_rows (queries[0].sqlite);

      run (client, "SET 'execution.runtime-mode' = 'streaming'");
      run (client, "SET 'execution.checkpointing.interval' = '10 ms'");
      run (client, "SET 'execution.batch-size' = '64'");
      g_assert_cmpuint (n_aggregates (client, sql), ==, 2);
      mine = strom_rows (client, sql);
      g_assert_cmpuint (mine->len, ==, theirs->len);
      for (guint i = 0; i < mine->len; i++)
        assert_same_row (mine->pdata[i], theirs->pdata[i]);
      text = explain (client, "SELECT k, COUNT(*) FROM t GROUP BY k");
      g_assert_nonnull (strstr (text, "LocalGroupAggregate(groupBy=[k]"));
      g_assert_nonnull (strstr (text, ": two-phase, est. 20 groups: each input batch of up to "
                                      "512 rows leaves at most 20 partial rows"));
    }
}

/* Streaming over a changelog (a GROUP BY over a GROUP BY) keeps one phase, with the reason;
 * COUNT(DISTINCT) too. */
static void
test_streaming_one_phase (void)
{
  g_autoptr (GwClient) client = client_at (2, "TWO_PHASE");
  const char *sql = "SELECT n, COUNT(*) FROM (SELECT k, COUNT(*) AS n FROM t GROUP BY k) "
                    "GROUP BY n";
  g_autofree char *text = NULL;

  run (client, "SET 'execution.runtime-mode' = 'streaming'");
  /* the inner GROUP BY splits (2), the outer one reads its changelog and does not (1) */
  g_assert_cmpuint (n_aggregates (client, sql), ==, 3);
  text = explain (client, sql);
  g_assert_nonnull (strstr (text, ": one-phase, the input is a changelog"));
  g_assert_cmpuint (n_aggregates (client, queries[5].strom), ==, 1);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("strom-two-phase-XXXXXX", NULL);
  make_data ();
  g_test_add_func ("/optimizer/two-phase/auto", test_auto);
  g_test_add_func ("/optimizer/two-phase/two-phase", test_two_phase);
  g_test_add_func ("/optimizer/two-phase/one-phase", test_one_phase);
  g_test_add_func ("/optimizer/two-phase/explain-reasons", test_explain_reasons);
  g_test_add_func ("/optimizer/two-phase/auto-splits", test_auto_splits);
  g_test_add_func ("/optimizer/two-phase/streaming", test_streaming);
  g_test_add_func ("/optimizer/two-phase/streaming-one-phase", test_streaming_one_phase);
  rc = g_test_run ();
  opt_stats_close ();
  sqlite3_close (db);
  g_remove (csv_path);
  g_rmdir (dir);
  g_free (csv_path);
  g_free (dir);
  return rc;
}
