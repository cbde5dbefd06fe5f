/* bench-vs-duckdb.c: strom next to DuckDB (and SQLite, see the end of this comment) on the
 * same CSV files, same queries, same number of threads (2), both parsing the CSV in every
 * query (DuckDB reads views over read_csv).
 *
 * Data: TPC-H-shaped tables from strom-tpch-gen at scale STROM_BENCH_SF (default 0.1) and
 * two synthetic tables: g (k BIGINT, v BIGINT) of STROM_BENCH_ROWS rows (default 2,000,000)
 * with k over rows / 10 groups, and d (k BIGINT unique, w BIGINT) of rows / 10 rows.
 * Queries: GROUP BY k of g (rows / 10 groups), g JOIN d on k (a hash join rows x rows / 10),
 * ORDER BY of g (every row sorted and fetched), and the TPC-H queries of share/tpch. Each
 * runs twice per engine and the second wall time counts (the first warms the page cache);
 * strom's time includes fetching every result batch through the embedded gateway
 * (gw_operation_fetch_batch: columnar, counted, not turned into rows), DuckDB's streaming
 * every result chunk into JavaScript (counted the same way). strom's
 * tables are analyzed first (ANALYZE TABLE, not timed), so its optimizer has the
 * statistics DuckDB gathers by itself. Both engines get STROM_BENCH_MEM_MB of memory
 * (default 1024): strom's managed memory and DuckDB's memory_limit.
 *
 * DuckDB is its Node.js package @duckdb/node-api, installed by tests/bench/duckdb-setup.sh
 * into STROM_DUCKDB_DIR (default ~/.cache/strom/duckdb-node, outside the source tree) and
 * driven by tests/bench/duckdb-run.mjs. Without node or npm the DuckDB column says so and
 * only strom's figures are printed. Prints one line per query: strom ms, DuckDB ms, the
 * ratio strom / DuckDB and both row counts; nothing is asserted. STROM_BENCH_ONLY, a comma list
 * of query names, runs only those.
 *
 * SQLite (added by issue 4) is the third column: the same CSV files are loaded, untimed,
 * into a temporary database file next to them (tables made from strom's DDL, DECIMAL as
 * REAL, dates as ISO text), then ANALYZE; each query runs twice there too, on one thread
 * (SQLite has no parallel execution), with `DATE '...'` written '...' and SUBSTRING(x FROM
 * a FOR b) as substr(x, a, b); its time is stepping through every result row. A run longer
 * than STROM_BENCH_SQLITE_TIMEOUT seconds (default 20; 0: no cap) is interrupted by a
 * progress handler and reported as "timeout >Ns"; STROM_BENCH_SQLITE=0 leaves SQLite out.
 * A query whose SQLite row count differs from strom's gets a warning line. */
#include "runtime/gateway/gw-client.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

typedef enum { LITE_NOT_RUN, LITE_DONE, LITE_TIMEOUT, LITE_ERROR } LiteState;

typedef struct {
  const char *name;
  char *sql;       /* owned */
  double strom_ms;
  guint strom_rows;
  double duck_ms;  /* < 0: not run */
  guint duck_rows;
  LiteState lite_state;
  double lite_ms;  /* when LITE_DONE */
  guint lite_rows;
} Query;

static char *dir;
static guint mem_mb = 1024; /* STROM_BENCH_MEM_MB: both engines' memory */

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
  while (op != NULL && !end && error == NULL)
    {
      g_autoptr (RtBatch) batch = gw_operation_fetch_batch (op, -1, &end, &error);

      if (batch != NULL)
        *rows += batch->n_rows;
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

/* The CREATE TABLE statements of every table (share/tpch/ddl.sql with absolute paths, g
 * and d), in strom's dialect: strom runs them, SQLite's tables are made from them. */
static GPtrArray *
table_ddl (const char *source_root)
{
  g_autofree char *ddl_path = g_build_filename (source_root, "share", "tpch", "ddl.sql", NULL);
  g_autofree char *ddl = NULL, *prefix = g_strdup_printf ("'path' = '%s/", dir), *abs = NULL;
  g_auto (GStrv) stmts = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (g_file_get_contents (ddl_path, &ddl, NULL, NULL));
  abs = replace (ddl, "'path' = '", prefix);
  stmts = g_strsplit (abs, ";\n", -1);
  for (guint i = 0; stmts[i] != NULL; i++)
    if (strstr (stmts[i], "CREATE TABLE") != NULL)
      g_ptr_array_add (out, g_strdup (stmts[i]));
  g_ptr_array_add (out, g_strdup_printf ("CREATE TABLE g (k BIGINT, v BIGINT) WITH ("
                                         "'connector' = 'filesystem', 'path' = '%s/g.csv', "
                                         "'format' = 'csv', 'csv.header' = 'true')", dir));
  g_ptr_array_add (out, g_strdup_printf ("CREATE TABLE d (k BIGINT, w BIGINT) WITH ("
                                         "'connector' = 'filesystem', 'path' = '%s/d.csv', "
                                         "'format' = 'csv', 'csv.header' = 'true')", dir));
  return out;
}

static GwClient *
strom_session (GPtrArray *ddl)
{
  GwClient *client = gw_client_new_embedded (NULL);

  for (guint i = 0; i < ddl->len; i++)
    run_statement (client, ddl->pdata[i]);
  run_statement (client, "SET 'execution.runtime-mode' = 'batch'");
  run_statement (client, "SET 'parallelism.default' = '2'");
  {
    g_autofree char *mem = g_strdup_printf ("SET 'taskmanager.memory.managed.size' = "
                                            "'%u mb'", mem_mb);

    run_statement (client, mem);
  }
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

  g_string_append_printf (s, "\"%s\", \"threads\": 2, \"memory_mb\": %u, \"tables\": [",
                          qdir, mem_mb);
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

/* ---- SQLite -------------------------------------------------------------------------- */

/* The first match of pattern's group 1 in text (new), or NULL. */
static char *
match_group (const char *pattern, const char *text)
{
  g_autoptr (GRegex) re = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr (GMatchInfo) m = NULL;

  return g_regex_match (re, text, 0, &m) ? g_match_info_fetch (m, 1) : NULL;
}

/* SQLite's CREATE TABLE for a strom one: the column list without the WITH clause and
 * DECIMAL(p, s) as REAL (SQLite has no decimal type). The other type names stay: INT and
 * BIGINT give integer affinity, VARCHAR text affinity and DATE numeric affinity, under
 * which an ISO date stays text, ordered as dates are. NULL when ddl has no WITH clause. */
static char *
lite_create (const char *ddl)
{
  const char *with = strstr (ddl, ") WITH (");
  g_autofree char *cols = with != NULL ? g_strndup (ddl, (gsize) (with + 1 - ddl)) : NULL;
  g_autoptr (GRegex) decimal = g_regex_new ("DECIMAL\\(\\d+, *\\d+\\)", 0, 0, NULL);

  return cols != NULL ? g_regex_replace_literal (decimal, cols, -1, 0, "REAL", 0, NULL)
                      : NULL;
}

/* Inserts the rows of the CSV file at path (a header line, then plain comma-separated
 * fields, as strom-tpch-gen and write_synthetic write them) into table through ins, which
 * has n parameters; an empty field is NULL. Each value goes in as text and the column's
 * affinity converts it. */
static gboolean
lite_insert_csv (sqlite3 *db, sqlite3_stmt *ins, int n, const char *path)
{
  FILE *f = fopen (path, "r");
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  gboolean ok = f != NULL && getline (&line, &cap, f) >= 0; /* the header */

  while (ok && (len = getline (&line, &cap, f)) > 0)
    {
      char *field = line;
      int c = 0;

      line[strcspn (line, "\r\n")] = '\0';
      if (*line == '\0')
        continue;
      for (; c < n && field != NULL; c++)
        {
          char *comma = strchr (field, ',');

          if (comma != NULL)
            *comma = '\0';
          if (*field == '\0')
            sqlite3_bind_null (ins, c + 1);
          else
            sqlite3_bind_text (ins, c + 1, field, -1, SQLITE_STATIC);
          field = comma != NULL ? comma + 1 : NULL;
        }
      ok = c == n && field == NULL && sqlite3_step (ins) == SQLITE_DONE;
      sqlite3_reset (ins);
    }
  if (!ok)
    g_printerr ("SQLite: cannot load %s (%s)\n", path, f == NULL ? g_strerror (errno)
                                                                 : sqlite3_errmsg (db));
  free (line);
  if (f != NULL)
    fclose (f);
  return ok;
}

/* Makes the table of the strom CREATE TABLE ddl in db and loads its CSV file. */
static gboolean
lite_load (sqlite3 *db, const char *ddl)
{
  g_autofree char *create = lite_create (ddl);
  g_autofree char *name = match_group ("CREATE TABLE (\\w+)", ddl);
  g_autofree char *path = match_group ("'path' = '([^']*)'", ddl);
  g_autofree char *probe = NULL;
  g_autoptr (GString) insert = NULL;
  sqlite3_stmt *st = NULL;
  gboolean ok;
  int n;

  if (create == NULL || name == NULL || path == NULL
      || sqlite3_exec (db, create, NULL, NULL, NULL) != SQLITE_OK)
    {
      g_printerr ("SQLite: cannot create the table of: %s\n(%s)\n", ddl, sqlite3_errmsg (db));
      return FALSE;
    }
  probe = g_strdup_printf ("SELECT * FROM %s", name);
  g_assert_cmpint (sqlite3_prepare_v2 (db, probe, -1, &st, NULL), ==, SQLITE_OK);
  n = sqlite3_column_count (st);
  sqlite3_finalize (st);
  insert = g_string_new (NULL);
  g_string_printf (insert, "INSERT INTO %s VALUES (?", name);
  for (int c = 1; c < n; c++)
    g_string_append (insert, ", ?");
  g_string_append (insert, ")");
  g_assert_cmpint (sqlite3_prepare_v2 (db, insert->str, -1, &st, NULL), ==, SQLITE_OK);
  ok = lite_insert_csv (db, st, n, path);
  sqlite3_finalize (st);
  return ok;
}

/* A temporary database file in dir with every table loaded and analyzed (not timed), or
 * NULL (the reason printed). */
static sqlite3 *
lite_open (GPtrArray *ddl)
{
  g_autofree char *path = g_build_filename (dir, "bench.sqlite", NULL);
  sqlite3 *db = NULL;
  gboolean ok;

  ok = sqlite3_open (path, &db) == SQLITE_OK
       && sqlite3_exec (db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
                        "PRAGMA cache_size = -1048576; BEGIN", NULL, NULL, NULL) == SQLITE_OK;
  for (guint i = 0; ok && i < ddl->len; i++)
    ok = lite_load (db, ddl->pdata[i]);
  ok = ok && sqlite3_exec (db, "COMMIT; ANALYZE", NULL, NULL, NULL) == SQLITE_OK;
  if (!ok)
    {
      g_print ("SQLite: not run (loading %s failed: %s)\n", path, sqlite3_errmsg (db));
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

/* sql in SQLite's dialect (new): DATE '...' literals as text, SUBSTRING(x FROM a FOR b) as
 * substr(x, a, b). */
static char *
lite_translate (const char *sql)
{
  g_autofree char *dates = replace (sql, "DATE '", "'");
  g_autoptr (GRegex) sub = g_regex_new ("SUBSTRING\\((\\w+) FROM (\\d+) FOR (\\d+)\\)", 0, 0,
                                        NULL);

  return g_regex_replace (sub, dates, -1, 0, "substr(\\1, \\2, \\3)", 0, NULL);
}

static int
lite_past_deadline (void *data)
{
  gint64 deadline = *(const gint64 *) data;

  return deadline > 0 && g_get_monotonic_time () > deadline;
}

/* Wall ms of preparing sql in db and stepping through every row; *rows gets their number
 * and *state LITE_DONE, or LITE_TIMEOUT past cap_us (0: no cap), or LITE_ERROR. */
static double
lite_time (sqlite3 *db, const char *sql, gint64 cap_us, guint *rows, LiteState *state)
{
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = cap_us > 0 ? start + cap_us : 0;
  sqlite3_stmt *st = NULL;
  int rc;

  *rows = 0;
  sqlite3_progress_handler (db, 10000, lite_past_deadline, &deadline);
  rc = sqlite3_prepare_v2 (db, sql, -1, &st, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      ++*rows;
      rc = SQLITE_OK;
    }
  *state = rc == SQLITE_DONE ? LITE_DONE : rc == SQLITE_INTERRUPT ? LITE_TIMEOUT : LITE_ERROR;
  if (*state == LITE_ERROR)
    g_printerr ("SQLite failed: %s\n%s\n", sqlite3_errmsg (db), sql);
  sqlite3_finalize (st);
  sqlite3_progress_handler (db, 0, NULL, NULL);
  return (double) (g_get_monotonic_time () - start) / 1000.0;
}

/* Runs each query twice in SQLite (the second run counts; a first run that did not finish
 * is not repeated) unless STROM_BENCH_SQLITE is 0. */
static void
run_sqlite (GPtrArray *queries, GPtrArray *ddl, gint64 cap_us)
{
  sqlite3 *db;

  if (g_strcmp0 (g_getenv ("STROM_BENCH_SQLITE"), "0") == 0)
    {
      g_print ("SQLite: not run (STROM_BENCH_SQLITE=0)\n");
      return;
    }
  if ((db = lite_open (ddl)) == NULL)
    return;
  for (guint i = 0; i < queries->len; i++)
    {
      Query *q = queries->pdata[i];
      g_autofree char *sql = lite_translate (q->sql);

      q->lite_ms = lite_time (db, sql, cap_us, &q->lite_rows, &q->lite_state);
      if (q->lite_state == LITE_DONE)
        q->lite_ms = lite_time (db, sql, cap_us, &q->lite_rows, &q->lite_state);
    }
  sqlite3_close (db);
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

/* SQLite's cells of q's line: ms, strom / SQLite and rows, or why there are none. */
static char *
lite_cells (const Query *q, gint64 cap_s)
{
  g_autofree char *timeout = g_strdup_printf ("timeout >%" G_GINT64_FORMAT "s", cap_s);

  switch (q->lite_state)
    {
    case LITE_DONE:
      return g_strdup_printf ("%12.1f %8.2f %10u", q->lite_ms, q->strom_ms / q->lite_ms,
                              q->lite_rows);
    case LITE_TIMEOUT:
      return g_strdup_printf ("%12s %8s %10s", timeout, "-", "-");
    case LITE_ERROR:
      return g_strdup_printf ("%12s %8s %10s", "error", "-", "-");
    case LITE_NOT_RUN:
    default:
      return g_strdup_printf ("%12s %8s %10s", "-", "-", "-");
    }
}

/* One line per query, the geometric means of the ratios, and a warning for each query
 * whose SQLite row count differs from strom's. */
static void
print_results (GPtrArray *queries, const char *sf, guint rows, gint64 cap_s)
{
  double duck_log = 0, lite_log = 0;
  guint n_duck = 0, n_lite = 0;

  g_print ("strom vs DuckDB, 2 threads each, TPC-H SF %s, g of %u rows (ms, second run)\n",
           sf, rows);
  g_print ("%-10s %10s %10s %8s %10s %10s %12s %8s %10s\n", "query", "strom", "duckdb", "ratio",
           "strom rows", "duck rows", "sqlite", "ratio", "lite rows");
  for (guint i = 0; i < queries->len; i++)
    {
      Query *q = queries->pdata[i];
      g_autofree char *lite = lite_cells (q, cap_s);

      if (q->duck_ms > 0)
        {
          g_print ("%-10s %10.1f %10.1f %8.2f %10u %10u %s\n", q->name, q->strom_ms,
                   q->duck_ms, q->strom_ms / q->duck_ms, q->strom_rows, q->duck_rows, lite);
          duck_log += log (q->strom_ms / q->duck_ms);
          n_duck++;
        }
      else
        g_print ("%-10s %10.1f %10s %8s %10u %10s %s\n", q->name, q->strom_ms, "-", "-",
                 q->strom_rows, "-", lite);
      if (q->lite_state == LITE_DONE)
        {
          lite_log += log (q->strom_ms / q->lite_ms);
          n_lite++;
        }
    }
  if (n_duck > 0)
    g_print ("geometric mean of strom / DuckDB: %.2f\n", exp (duck_log / n_duck));
  if (n_lite > 0)
    g_print ("geometric mean of strom / SQLite (1 thread): %.2f over the %u of %u queries it "
             "finished\n", exp (lite_log / n_lite), n_lite, queries->len);
  for (guint i = 0; i < queries->len; i++)
    {
      Query *q = queries->pdata[i];

      if (q->lite_state == LITE_DONE && q->lite_rows != q->strom_rows)
        g_print ("warning: %s: SQLite returned %u rows, strom %u\n", q->name, q->lite_rows,
                 q->strom_rows);
    }
}

int
main (int argc, char **argv)
{
  const char *source_root = g_getenv ("STROM_SOURCE_ROOT");
  const char *gen = g_getenv ("TPCH_GEN");
  const char *sf = g_getenv ("STROM_BENCH_SF") ? g_getenv ("STROM_BENCH_SF") : "0.1";
  const char *mem = g_getenv ("STROM_BENCH_MEM_MB");
  guint rows = g_getenv ("STROM_BENCH_ROWS")
               ? (guint) g_ascii_strtoull (g_getenv ("STROM_BENCH_ROWS"), NULL, 10) : 2000000;
  g_autoptr (GPtrArray) queries = g_ptr_array_new_with_free_func (query_free);
  g_autoptr (GwClient) client = NULL;
  g_autoptr (GError) error = NULL;
  const char *gen_argv[] = { gen, "--scale", sf, "--dir", NULL, NULL };
  const char *cap = g_getenv ("STROM_BENCH_SQLITE_TIMEOUT");
  gint64 cap_s = cap != NULL ? g_ascii_strtoll (cap, NULL, 10) : 20;
  g_autoptr (GPtrArray) ddl = NULL;
  int status = 0;

  (void) argc;
  (void) argv;
  if (source_root == NULL || gen == NULL)
    {
      g_printerr ("set STROM_SOURCE_ROOT and TPCH_GEN (meson test --benchmark does)\n");
      return 1;
    }
  if (mem != NULL && g_ascii_strtoull (mem, NULL, 10) >= 64)
    mem_mb = (guint) g_ascii_strtoull (mem, NULL, 10);
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
  ddl = table_ddl (source_root);
  client = strom_session (ddl);
  for (guint i = 0; i < queries->len; i++)
    {
      Query *q = queries->pdata[i];

      strom_time (client, q->sql, &q->strom_rows); /* warms the page cache */
      q->strom_ms = strom_time (client, q->sql, &q->strom_rows);
    }
  if (g_strcmp0 (g_getenv ("STROM_BENCH_DUCKDB"), "0") != 0)
    run_duckdb (queries, source_root);
  run_sqlite (queries, ddl, cap_s * G_USEC_PER_SEC);
  print_results (queries, sf, rows, cap_s);
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
