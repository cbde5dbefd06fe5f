/* bench-vs-duckdb.c: strom next to DuckDB on the same CSV files, same queries, same number
 * of threads (2), both parsing the CSV in every query (DuckDB reads views over read_csv).
 *
 * Data: TPC-H-shaped tables from strom-tpch-gen at scale STROM_BENCH_SF (default 0.1) and
 * two synthetic tables: g (k BIGINT, v BIGINT) of STROM_BENCH_ROWS rows (default 2,000,000)
 * with k over rows / 10 groups, and d (k BIGINT unique, w BIGINT) of rows / 10 rows.
 * Queries: GROUP BY k of g (rows / 10 groups), g JOIN d on k (a hash join rows x rows / 10),
 * ORDER BY of g (every row sorted and fetched), and the TPC-H queries of share/tpch. Each
 * runs twice per engine and the second wall time counts (the first warms the page cache);
 * strom's time includes fetching every result row through the embedded gateway, DuckDB's
 * materialising them in JavaScript. strom's tables are analyzed first (ANALYZE TABLE, not
 * timed), so its optimizer has the statistics DuckDB gathers by itself.
 *
 * DuckDB is its Node.js package @duckdb/node-api, installed by tests/bench/duckdb-setup.sh
 * into STROM_DUCKDB_DIR (default ~/.cache/strom/duckdb-node, outside the source tree) and
 * driven by tests/bench/duckdb-run.mjs. Without node or npm the DuckDB column says so and
 * only strom's figures are printed. Prints one line per query: strom ms, DuckDB ms, the
 * ratio strom / DuckDB and both row counts; nothing is asserted. STROM_BENCH_ONLY, a comma list
 * of query names, runs only those. */
#include "runtime/gateway/gw-client.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  const char *name;
  char *sql;       /* owned */
  double strom_ms;
  guint strom_rows;
  double duck_ms;  /* < 0: not run */
  guint duck_rows;
} Query;

static char *dir;

static char *
replace (const char *text, const char *from, const char *to)
{
  g_auto (GStrv) parts = g_strsplit (text, from, -1);

  return g_strjoinv (to, parts);
}

static void
write_synthetic (guint rows)
{
  g_autofree char *gpath = g_build_filename (dir, "g.csv", NULL);
  g_autofree char *dpath = g_build_filename (dir, "d.csv", NULL);
  FILE *g = fopen (gpath, "w"), *d = fopen (dpath, "w");
  guint groups = MAX (rows / 10, 1);
  guint64 x = 88172645463325252ull;

  g_assert_nonnull (g);
  g_assert_nonnull (d);
  fputs ("k,v\n", g);
  for (guint i = 0; i < rows; i++)
    {
      x ^= x << 13; /* xorshift: a fixed pseudo-random sequence */
      x ^= x >> 7;
      x ^= x << 17;
      fprintf (g, "%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "\n", x % groups, x % 1000003);
    }
  fputs ("k,w\n", d);
  for (guint i = 0; i < groups; i++)
    fprintf (d, "%u,%u\n", i, i * 3);
  fclose (g);
  fclose (d);
}

static gboolean
run_statement (GwClient *client, const char *sql)
{
  g_autoptr (GError) error = NULL;

  if (gw_client_execute (client, sql, &error) == NULL)
    {
      g_printerr ("strom refused: %s\n%s\n", sql, error->message);
      return FALSE;
    }
  return TRUE;
}

/* Wall ms of running sql and fetching every row; *rows gets their number (-1: failed). */
static double
strom_time (GwClient *client, const char *sql, guint *rows)
{
  g_autoptr (GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  GwOperation *op = gw_client_execute (client, sql, &error);
  gboolean end = FALSE;

  *rows = 0;
  while (op != NULL && !end)
    {
      g_autoptr (GwPage) page = gw_operation_fetch (op, 65536, -1, &error);

      if (page == NULL)
        break;
      *rows += page->rows->len;
      end = page->end;
    }
  if (error != NULL)
    {
      g_printerr ("strom failed: %s\n", error->message);
      *rows = G_MAXUINT;
    }
  return (double) (g_get_monotonic_time () - start) / 1000.0;
}

static const char *const analyzed[] = { "region", "nation", "supplier", "customer", "part",
                                         "partsupp", "orders", "lineitem", "g", "d" };

static GwClient *
strom_session (const char *source_root)
{
  g_autofree char *ddl_path = g_build_filename (source_root, "share", "tpch", "ddl.sql", NULL);
  g_autofree char *ddl = NULL, *prefix = g_strdup_printf ("'path' = '%s/", dir), *abs = NULL;
  g_autofree char *g = NULL, *d = NULL;
  g_auto (GStrv) stmts = NULL;
  GwClient *client = gw_client_new_embedded (NULL);

  g_assert_true (g_file_get_contents (ddl_path, &ddl, NULL, NULL));
  abs = replace (ddl, "'path' = '", prefix);
  stmts = g_strsplit (abs, ";\n", -1);
  for (guint i = 0; stmts[i] != NULL; i++)
    if (strstr (stmts[i], "CREATE TABLE") != NULL)
      run_statement (client, stmts[i]);
  g = g_strdup_printf ("CREATE TABLE g (k BIGINT, v BIGINT) WITH ('connector' = 'filesystem', "
                       "'path' = '%s/g.csv', 'format' = 'csv', 'csv.header' = 'true')", dir);
  d = g_strdup_printf ("CREATE TABLE d (k BIGINT, w BIGINT) WITH ('connector' = 'filesystem', "
                       "'path' = '%s/d.csv', 'format' = 'csv', 'csv.header' = 'true')", dir);
  run_statement (client, g);
  run_statement (client, d);
  run_statement (client, "SET 'execution.runtime-mode' = 'batch'");
  run_statement (client, "SET 'parallelism.default' = '2'");
  run_statement (client, "SET 'taskmanager.memory.managed.size' = '1g'");
  for (guint i = 0; i < G_N_ELEMENTS (analyzed); i++) /* not timed: the optimizer's input */
    {
      g_autofree char *sql = g_strdup_printf ("ANALYZE TABLE %s", analyzed[i]);

      run_statement (client, sql);
    }
  return client;
}

static void
add_query (GPtrArray *queries, const char *name, char *sql)
{
  Query *q = g_new0 (Query, 1);

  q->name = name;
  q->sql = sql;
  q->duck_ms = -1;
  g_ptr_array_add (queries, q);
}

static void
query_free (gpointer data)
{
  Query *q = data;

  g_free (q->sql);
  g_free (q);
}

/* The job for duckdb-run.mjs as JSON text. */
static char *
duck_job (GPtrArray *queries)
{
  static const char *const tables[] = { "region", "nation", "supplier", "customer", "part",
                                        "partsupp", "orders", "lineitem", "g", "d" };
  g_autoptr (GString) s = g_string_new ("{\"dir\": ");
  g_autofree char *qdir = g_strescape (dir, NULL);

  g_string_append_printf (s, "\"%s\", \"threads\": 2, \"tables\": [", qdir);
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    g_string_append_printf (s, "%s\"%s\"", i ? ", " : "", tables[i]);
  g_string_append (s, "], \"queries\": [");
  for (guint i = 0; i < queries->len; i++)
    {
      Query *q = queries->pdata[i];
      g_autofree char *sql = g_strescape (q->sql, NULL);

      g_string_append_printf (s, "%s{\"name\": \"%s\", \"sql\": \"%s\"}", i ? ", " : "",
                              q->name, sql);
    }
  g_string_append (s, "]}");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* Runs DuckDB over the queries; FALSE (with a reason printed) when it cannot. */
static gboolean
run_duckdb (GPtrArray *queries, const char *source_root)
{
  const char *env = g_getenv ("STROM_DUCKDB_DIR");
  g_autofree char *duck_dir = env ? g_strdup (env)
                                  : g_build_filename (g_get_user_cache_dir (), "strom",
                                                      "duckdb-node", NULL);
  g_autofree char *setup = g_build_filename (source_root, "tests", "bench", "duckdb-setup.sh",
                                             NULL);
  g_autofree char *script = g_build_filename (source_root, "tests", "bench", "duckdb-run.mjs",
                                              NULL);
  g_autofree char *job = duck_job (queries), *out = NULL, *err = NULL;
  const char *setup_argv[] = { "sh", setup, duck_dir, NULL };
  const char *node_argv[] = { "node", script, NULL };
  g_autoptr (GSubprocess) p = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) setup_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                     NULL, &status, &error) || !g_spawn_check_wait_status (status, NULL))
    {
      g_print ("DuckDB: not run (installing @duckdb/node-api into %s failed%s%s)\n", duck_dir,
               error ? ": " : "", error ? error->message : "");
      return FALSE;
    }
  g_setenv ("STROM_DUCKDB_DIR", duck_dir, TRUE);
  p = g_subprocess_newv (node_argv, G_SUBPROCESS_FLAGS_STDIN_PIPE
                         | G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                         &error);
  if (p == NULL || !g_subprocess_communicate_utf8 (p, job, NULL, &out, &err, &error)
      || !g_subprocess_get_successful (p))
    {
      g_print ("DuckDB: not run (node: %s)\n", error ? error->message : (err ? err : "?"));
      return FALSE;
    }
  lines = g_strsplit (out, "\n", -1);
  for (guint l = 0; lines[l] != NULL; l++)
    for (guint i = 0; i < queries->len; i++)
      {
        Query *q = queries->pdata[i];
        g_autofree char *key = g_strdup_printf ("{\"name\":\"%s\",", q->name);
        const char *ms, *rows;

        if (!g_str_has_prefix (lines[l], key) || (ms = strstr (lines[l], "\"ms\":")) == NULL
            || (rows = strstr (lines[l], "\"rows\":")) == NULL)
          continue;
        q->duck_ms = g_ascii_strtod (ms + 5, NULL);
        q->duck_rows = (guint) g_ascii_strtoull (rows + 7, NULL, 10);
      }
  return TRUE;
}

static void
add_tpch (GPtrArray *queries, const char *source_root)
{
  static const char *const names[] = { "q1", "q3", "q4", "q5", "q6", "q10", "q12", "q14",
                                       "q17", "q18", "q19", "q20", "q22" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *file = g_strdup_printf ("%s.sql", names[i]);
      g_autofree char *path = g_build_filename (source_root, "share", "tpch", file, NULL);
      char *text = NULL;

      if (!g_file_get_contents (path, &text, NULL, NULL))
        continue;
      g_strstrip (text);
      if (g_str_has_suffix (text, ";"))
        text[strlen (text) - 1] = '\0';
      add_query (queries, names[i], text);
    }
}

int
main (int argc, char **argv)
{
  const char *source_root = g_getenv ("STROM_SOURCE_ROOT");
  const char *gen = g_getenv ("TPCH_GEN");
  const char *sf = g_getenv ("STROM_BENCH_SF") ? g_getenv ("STROM_BENCH_SF") : "0.1";
  guint rows = g_getenv ("STROM_BENCH_ROWS")
               ? (guint) g_ascii_strtoull (g_getenv ("STROM_BENCH_ROWS"), NULL, 10) : 2000000;
  g_autoptr (GPtrArray) queries = g_ptr_array_new_with_free_func (query_free);
  g_autoptr (GwClient) client = NULL;
  g_autoptr (GError) error = NULL;
  const char *gen_argv[] = { gen, "--scale", sf, "--dir", NULL, NULL };
  double sum_ratio_log = 0;
  guint n_ratios = 0;
  int status = 0;

  (void) argc;
  (void) argv;
  if (source_root == NULL || gen == NULL)
    {
      g_printerr ("set STROM_SOURCE_ROOT and TPCH_GEN (meson test --benchmark does)\n");
      return 1;
    }
  dir = g_dir_make_tmp ("strom-vs-duckdb-XXXXXX", NULL);
  gen_argv[4] = dir;
  if (!g_spawn_sync (NULL, (char **) gen_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                     &status, &error) || !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("strom-tpch-gen failed: %s\n", error->message);
      return 1;
    }
  write_synthetic (rows);
  add_query (queries, "group-by", g_strdup ("SELECT k, SUM(v), COUNT(*) FROM g GROUP BY k"));
  add_query (queries, "hash-join", g_strdup ("SELECT COUNT(*), SUM(g.v + d.w) FROM g "
                                             "JOIN d ON g.k = d.k"));
  add_query (queries, "sort", g_strdup ("SELECT k, v FROM g ORDER BY v, k"));
  add_tpch (queries, source_root);
  if (g_getenv ("STROM_BENCH_ONLY") != NULL) /* added by hash join: e.g. "hash-join,q3" */
    {
      g_auto (GStrv) only = g_strsplit (g_getenv ("STROM_BENCH_ONLY"), ",", -1);

      for (guint i = queries->len; i-- > 0;)
        if (!g_strv_contains ((const char *const *) only, ((Query *) queries->pdata[i])->name))
          g_ptr_array_remove_index (queries, i);
    }
  client = strom_session (source_root);
  for (guint i = 0; i < queries->len; i++)
    {
      Query *q = queries->pdata[i];

      strom_time (client, q->sql, &q->strom_rows); /* warms the page cache */
      q->strom_ms = strom_time (client, q->sql, &q->strom_rows);
    }
  run_duckdb (queries, source_root);
  g_print ("strom vs DuckDB, 2 threads each, TPC-H SF %s, g of %u rows (ms, second run)\n",
           sf, rows);
  g_print ("%-10s %10s %10s %8s %10s %10s\n", "query", "strom", "duckdb", "ratio",
           "strom rows", "duck rows");
  for (guint i = 0; i < queries->len; i++)
    {
      Query *q = queries->pdata[i];

      if (q->duck_ms > 0)
        {
          g_print ("%-10s %10.1f %10.1f %8.2f %10u %10u\n", q->name, q->strom_ms, q->duck_ms,
                   q->strom_ms / q->duck_ms, q->strom_rows, q->duck_rows);
          sum_ratio_log += log (q->strom_ms / q->duck_ms);
          n_ratios++;
        }
      else
        g_print ("%-10s %10.1f %10s %8s %10u\n", q->name, q->strom_ms, "-", "-", q->strom_rows);
    }
  if (n_ratios > 0)
    g_print ("geometric mean of strom / DuckDB: %.2f\n", exp (sum_ratio_log / n_ratios));
  {
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *p = g_build_filename (dir, name, NULL);

        g_remove (p);
      }
  }
  g_rmdir (dir);
  g_free (dir);
  return 0;
}
