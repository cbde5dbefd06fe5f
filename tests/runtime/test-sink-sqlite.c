/* test-sink-sqlite.c: the exactly-once 'jdbc' (SQLite) sink, upsert and append modes,
 * under injected failures (issue 8).
 *
 * Expected values, worked out by hand. datagen emits ids 0 .. N-1 once each (a sequence).
 * - Upsert: SELECT id % 100 AS k, COUNT(*) AS c ... GROUP BY id % 100 gives every key k in
 *   0 .. 99 exactly N / 100 ids, so the table must end with the 100 rows (k, N / 100). An
 *   upsert hides an epoch applied twice, so the append test below is the sharper check.
 * - Append: SELECT id, id % 7 FROM src WHERE id % 3 <> 1 keeps the ids not of the form
 *   3j + 1. With N = 3M (M a whole number) those are 2M rows; the ids 3j + 1 (j < M) sum
 *   to 3 M (M - 1) / 2 + M, all ids sum to N (N - 1) / 2, so the kept ids sum to the
 *   difference. For N = 300000 (M = 100000): all 44999850000, the 3j + 1 ones
 *   14999950000, kept 29999900000 in 200000 rows. A row lost or written twice changes
 *   the count or the sum. */
#include "ckpt-test-util.h"
#include "optimizer/opt.h"
#include "plans/plan-sql.h"
#include "runtime/engine/rt-checkpoint.h"
#include "runtime/engine/rt-job.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

typedef struct {
  char *dir;          /* owned: a fresh temporary directory */
  char *db;           /* owned: the SQLite file */
  char *chk;          /* owned: state.checkpoints.dir */
  char *job_id;       /* owned: new for every run, so no run sees another's checkpoints */
  guint runs;
  RtMemPool *pool;    /* owned */
} Fixture;

static void
fixture_init (Fixture *f)
{
  GError *error = NULL;

  f->dir = g_dir_make_tmp ("strom-sqlite-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "out.db", NULL);
  f->chk = g_build_filename (f->dir, "chk", NULL);
  f->job_id = g_strdup ("job-0");
  f->pool = rt_mem_pool_new (64 * 1024 * 1024);
}

/* Forgets the output and the checkpoints of the previous run. */
static void
fixture_reset (Fixture *f)
{
  g_unlink (f->db);
  ckpt_test_remove_tree (f->chk);
  g_free (f->job_id);
  f->job_id = g_strdup_printf ("job-%u", ++f->runs);
}

static void
fixture_clear (Fixture *f)
{
  ckpt_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db);
  g_free (f->chk);
  g_free (f->job_id);
  rt_mem_pool_free (f->pool);
}

/* Adds a table to catalog from DDL. */
static void
add_table (PlanCatalog *catalog, const char *ddl)
{
  g_autoptr (PlanStatement) st = NULL;
  GError *error = NULL;

  st = plan_sql_compile_one (catalog, ddl, &error);
  g_assert_no_error (error);
  g_assert_true (plan_catalog_add_table (catalog, st->table, &error));
}

/* The source of n ids at rate rows/s, the sink table from sink_ddl, then the INSERT,
 * optimized at parallelism; NULL with error when planning fails. */
static PlanPhysPlan *
make_plan (guint64 n, guint64 rate, const char *sink_ddl, const char *insert,
           guint parallelism, GError **error)
{
  g_autoptr (PlanCatalog) catalog = plan_catalog_new ();
  g_autoptr (PlanSettings) settings = plan_settings_new ();
  g_autofree char *src = g_strdup_printf (
    "CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '%"
    G_GUINT64_FORMAT "', 'rows-per-second' = '%" G_GUINT64_FORMAT "', "
    "'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '%"
    G_GUINT64_FORMAT "')", n, rate, n - 1);
  g_autofree char *par = g_strdup_printf ("%u", parallelism);
  g_autoptr (PlanStatement) st = NULL;
  g_autoptr (OptResult) opt = NULL;

  add_table (catalog, src);
  add_table (catalog, sink_ddl);
  st = plan_sql_compile_one (catalog, insert, error);
  if (st == NULL)
    return NULL;
  g_assert_true (plan_settings_set (settings, "parallelism.default", par, NULL));
  /* src has a row count, so the default ('automatic') would plan batch, which takes no
   * checkpoints and has no changelog: these tests are about both */
  g_assert_true (plan_settings_set (settings, "execution.runtime-mode", "streaming", NULL));
  opt = opt_optimize (st->plan, settings, error);
  if (opt == NULL)
    return NULL;
  return plan_phys_plan_ref (opt_result_get_physical (opt));
}

static PlanPhysPlan *
upsert_plan (Fixture *f, guint64 n, guint64 rate)
{
  g_autofree char *ddl = g_strdup_printf (
    "CREATE TABLE counts (k BIGINT, c BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH "
    "('connector' = 'jdbc', 'url' = 'jdbc:sqlite:%s', 'table-name' = 'key_counts')", f->db);
  GError *error = NULL;
  PlanPhysPlan *plan = make_plan (n, rate, ddl, "INSERT INTO counts SELECT id % 100 AS k, "
                                  "COUNT(*) AS c FROM src GROUP BY id % 100", 2, &error);

  g_assert_no_error (error);
  return plan;
}

static PlanPhysPlan *
append_plan (Fixture *f, guint64 n, guint64 rate)
{
  g_autofree char *ddl = g_strdup_printf (
    "CREATE TABLE kept (id BIGINT, m BIGINT) WITH ('connector' = 'jdbc', "
    "'url' = 'jdbc:sqlite:%s')", f->db);
  GError *error = NULL;
  PlanPhysPlan *plan = make_plan (n, rate, ddl, "INSERT INTO kept SELECT id, id % 7 FROM src "
                                  "WHERE id % 3 <> 1", 2, &error);

  g_assert_no_error (error);
  return plan;
}

static void
config_init (Fixture *f, RtJobConfig *cfg)
{
  rt_job_config_init (cfg);
  cfg->checkpoint_interval_us = 100000;
  cfg->checkpoint_timeout_us = G_GINT64_CONSTANT (60000000);
  cfg->checkpoints_retained = 2;
  cfg->checkpoint_dir = f->chk;
  cfg->job_id = f->job_id;
  cfg->restart_attempts = 3;
  cfg->restart_delay_us = 0;
  cfg->watermark_interval_us = 0;
}

/* Runs the job to its end; returns how often it restarted. */
static guint
run_job (Fixture *f, PlanPhysPlan *plan, const RtJobConfig *cfg)
{
  GError *error = NULL;
  RtJob *job = rt_job_new (plan, f->pool, cfg, &error);
  RtCheckpointMetrics *m;
  RtJobStatus status;
  guint restarts = 0;

  g_assert_no_error (error);
  g_assert_true (rt_job_start (job, &error));
  status = rt_job_wait (job);
  if (status != RT_JOB_FINISHED)
    {
      GError *e = rt_job_dup_error (job);

      g_test_message ("job ended %s: %s", rt_job_status_name (status),
                      e != NULL ? e->message : "-");
      g_clear_error (&e);
    }
  g_assert_cmpint (status, ==, RT_JOB_FINISHED);
  m = rt_job_get_checkpoint_metrics (job);
  if (m != NULL)
    restarts = m->n_restarts;
  for (guint i = 0; m != NULL && i < m->n_history; i++) /* to see what went wrong */
    g_test_message ("checkpoint %" G_GINT64_FORMAT ": %s in %.1f ms %s", m->history[i].id,
                    m->history[i].status == RT_CHECKPOINT_COMPLETED ? "completed" : "failed",
                    (double) m->history[i].duration_us / 1000.0,
                    m->history[i].failure != NULL ? m->history[i].failure : "");
  rt_checkpoint_metrics_free (m);
  rt_job_free (job);
  return restarts;
}

/* ---- reading the database ----------------------------------------------------------- */

static gint64
query_int (Fixture *f, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  gint64 v;

  g_assert_cmpint (sqlite3_open_v2 (f->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  v = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return v;
}

/* strom_commits holds each (sink, subtask, checkpoint) once, and the sink ids were carried
 * through restores: at most one per subtask of the (parallelism 2) sink. */
static void
assert_markers (Fixture *f)
{
  g_assert_cmpint (query_int (f, "SELECT COUNT(*) FROM (SELECT 1 FROM strom_commits GROUP "
                              "BY sink_id, subtask, checkpoint_id HAVING COUNT(*) > 1)"),
                   ==, 0);
  g_assert_cmpint (query_int (f, "SELECT COUNT(*) FROM strom_commits"), >, 0);
  g_assert_cmpint (query_int (f, "SELECT COUNT(DISTINCT sink_id) FROM strom_commits"), <=, 2);
}

/* Prints the rows of sql to the test log, to see what went wrong. */
static void
dump_table (Fixture *f, const char *sql)
{
  sqlite3 *db = NULL;
  const char *rest = sql;

  g_assert_cmpint (sqlite3_open_v2 (f->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  while (rest != NULL && *rest != '\0')
    {
      sqlite3_stmt *st = NULL;

      if (sqlite3_prepare_v2 (db, rest, -1, &st, &rest) != SQLITE_OK || st == NULL)
        break;
      while (sqlite3_step (st) == SQLITE_ROW)
        {
          g_autoptr (GString) line = g_string_new (NULL);

          for (int c = 0; c < sqlite3_column_count (st); c++)
            g_string_append_printf (line, "%s%s", c > 0 ? " | " : "",
                                    (const char *) sqlite3_column_text (st, c));
          g_test_message ("%s", line->str);
        }
      sqlite3_finalize (st);
    }
  sqlite3_close (db);
}

static void
assert_upsert_result (Fixture *f, gint64 per_key)
{
  g_autofree char *wrong = g_strdup_printf ("SELECT COUNT(*) FROM key_counts WHERE c <> %"
                                            G_GINT64_FORMAT, per_key);

  g_assert_cmpint (query_int (f, "SELECT COUNT(*) FROM key_counts"), ==, 100);
  g_assert_cmpint (query_int (f, "SELECT COUNT(DISTINCT k) FROM key_counts"), ==, 100);
  g_assert_cmpint (query_int (f, "SELECT MIN(k) FROM key_counts"), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT MAX(k) FROM key_counts"), ==, 99);
  if (query_int (f, wrong) != 0)
    dump_table (f, "SELECT * FROM key_counts ORDER BY k; SELECT * FROM strom_commits");
  g_assert_cmpint (query_int (f, wrong), ==, 0);
  assert_markers (f);
}

/* N = 300000: see the head of the file. */
static void
assert_append_result (Fixture *f)
{
  g_assert_cmpint (query_int (f, "SELECT COUNT(*) FROM kept"), ==, 200000);
  g_assert_cmpint (query_int (f, "SELECT SUM(id) FROM kept"), ==,
                   G_GINT64_CONSTANT (29999900000));
  g_assert_cmpint (query_int (f, "SELECT COUNT(*) FROM kept WHERE id % 3 = 1 OR m <> id % 7"),
                   ==, 0);
  assert_markers (f);
}

/* ---- upsert: a keyed count, failures at random row counts --------------------------- */

static void
test_upsert_random_failures (void)
{
  Fixture f;
  guint64 n = 300000;

  fixture_init (&f);
  for (guint seed = 1; seed <= 6; seed++)
    {
      g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
      g_autoptr (PlanPhysPlan) plan = upsert_plan (&f, n, 600000);
      RtJobConfig cfg;

      config_init (&f, &cfg);
      cfg.fail_point = RT_FAIL_ROWS;
      cfg.fail_task = (guint) g_rand_int_range (rand, 0, (gint32) ckpt_test_count_tasks (f.pool, plan));
      cfg.fail_after_rows = (guint64) g_rand_int_range (rand, 1, (gint32) n / 2);
      g_test_message ("seed %u: task %u fails after %" G_GUINT64_FORMAT " rows", seed,
                      cfg.fail_task, cfg.fail_after_rows);
      run_job (&f, plan, &cfg);
      assert_upsert_result (&f, (gint64) n / 100);
      fixture_reset (&f);
    }
  fixture_clear (&f);
}

/* ---- each failure phase at checkpoint 2, in a source's task and the sink's ---------- */

static const RtFailPoint phases[] = {
  RT_FAIL_BEFORE_SNAPSHOT, RT_FAIL_AFTER_STATE_FILES, RT_FAIL_AFTER_METADATA,
  RT_FAIL_DURING_SINK_COMMIT, RT_FAIL_AFTER_SINK_COMMIT,
};

static void
check_phases (gboolean upsert)
{
  Fixture f;

  fixture_init (&f);
  for (guint i = 0; i < G_N_ELEMENTS (phases); i++)
    for (guint last = 0; last < 2; last++)
      {
        /* 300k rows at 150k rows/s: 2 s, so checkpoint 2 completes before the end even
         * when a loaded disk makes each checkpoint's sync take half a second (seen) */
        g_autoptr (PlanPhysPlan) plan = upsert ? upsert_plan (&f, 300000, 150000)
                                               : append_plan (&f, 300000, 150000);
        RtJobConfig cfg;

        config_init (&f, &cfg);
        cfg.fail_point = phases[i];
        cfg.fail_task = last ? ckpt_test_count_tasks (f.pool, plan) - 1 : 0;
        cfg.fail_checkpoint = 2;
        cfg.fail_armed_checkpoint = 1; /* sources wait for the failure at their end */
        g_test_message ("%s: point %u in task %u", upsert ? "upsert" : "append", phases[i],
                        cfg.fail_task);
        /* the failure happened (checkpoint 2 was reached) and the job restarted once */
        g_assert_cmpuint (run_job (&f, plan, &cfg), ==, 1);
        if (upsert)
          assert_upsert_result (&f, 3000);
        else
          assert_append_result (&f);
        fixture_reset (&f);
      }
  fixture_clear (&f);
}

static void
test_upsert_phases (void)
{
  check_phases (TRUE);
}

static void
test_append_phases (void)
{
  check_phases (FALSE);
}

/* ---- append: insert-only rows, failures at random row counts ------------------------ */

static void
test_append_random_failures (void)
{
  Fixture f;

  fixture_init (&f);
  for (guint seed = 1; seed <= 6; seed++)
    {
      g_autoptr (GRand) rand = g_rand_new_with_seed (seed + 100);
      g_autoptr (PlanPhysPlan) plan = append_plan (&f, 300000, 600000);
      RtJobConfig cfg;

      config_init (&f, &cfg);
      cfg.fail_point = RT_FAIL_ROWS;
      cfg.fail_task = (guint) g_rand_int_range (rand, 0, (gint32) ckpt_test_count_tasks (f.pool, plan));
      cfg.fail_after_rows = (guint64) g_rand_int_range (rand, 1, 150000);
      run_job (&f, plan, &cfg);
      assert_append_result (&f);
      fixture_reset (&f);
    }
  fixture_clear (&f);
}

/* Without checkpoints everything is applied when the job ends (one epoch per subtask). */
static void
test_append_no_checkpoints (void)
{
  Fixture f;
  g_autoptr (PlanPhysPlan) plan = NULL;
  RtJobConfig cfg;

  fixture_init (&f);
  plan = append_plan (&f, 300000, 100000000);
  rt_job_config_init (&cfg);
  run_job (&f, plan, &cfg);
  assert_append_result (&f);
  /* the two subtasks' final epochs, marked with checkpoint id G_MAXINT64 */
  g_assert_cmpint (query_int (&f, "SELECT COUNT(*) FROM strom_commits WHERE checkpoint_id = "
                              "9223372036854775807"), ==, 2);
  fixture_clear (&f);
}

/* ---- stop with a savepoint, resume at another parallelism ---------------------------- */

static PlanPhysPlan *
append_plan_at (Fixture *f, guint64 rate, guint parallelism)
{
  g_autofree char *ddl = g_strdup_printf (
    "CREATE TABLE kept (id BIGINT, m BIGINT) WITH ('connector' = 'jdbc', "
    "'url' = 'jdbc:sqlite:%s')", f->db);
  GError *error = NULL;
  PlanPhysPlan *plan = make_plan (300000, rate, ddl, "INSERT INTO kept SELECT id, id % 7 "
                                  "FROM src WHERE id % 3 <> 1", parallelism, &error);

  g_assert_no_error (error);
  return plan;
}

static void
check_rescale (guint from, guint to)
{
  Fixture f;
  g_autoptr (PlanPhysPlan) plan = NULL;
  g_autofree char *sp_dir = NULL, *savepoint = NULL;
  GError *error = NULL;
  RtJobConfig cfg;
  RtJob *job;

  fixture_init (&f);
  sp_dir = g_build_filename (f.dir, "savepoints", NULL);
  plan = append_plan_at (&f, 100000, from); /* 3 s if not stopped */
  config_init (&f, &cfg);
  cfg.fail_armed_checkpoint = 1; /* sources wait for the savepoint at their end */
  job = rt_job_new (plan, f.pool, &cfg, &error);
  g_assert_no_error (error);
  g_assert_true (rt_job_start (job, &error));
  g_assert_true (rt_job_wait_checkpoint (job, 2, G_GINT64_CONSTANT (30000000)));
  savepoint = rt_job_stop_with_savepoint (job, sp_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rt_job_wait (job), ==, RT_JOB_CANCELLED);
  rt_job_free (job);
  /* stopped part-way: some rows committed, not all */
  g_assert_cmpint (query_int (&f, "SELECT COUNT(*) FROM kept"), <, 200000);

  g_clear_pointer (&plan, plan_phys_plan_unref);
  plan = append_plan_at (&f, 100000000, to);
  config_init (&f, &cfg);
  cfg.restore_path = savepoint;
  cfg.job_id = "resumed";
  run_job (&f, plan, &cfg);
  /* the stopped job's commits plus the resumed job's: exact */
  assert_append_result (&f);
  fixture_clear (&f);
}

static void
test_rescale_2_to_1 (void)
{
  check_rescale (2, 1);
}

static void
test_rescale_1_to_2 (void)
{
  check_rescale (1, 2);
}

/* ---- planning and option errors ----------------------------------------------------- */

static void
test_append_refuses_updates (void)
{
  Fixture f;
  g_autofree char *ddl = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  GError *error = NULL;

  fixture_init (&f);
  ddl = g_strdup_printf ("CREATE TABLE counts (k BIGINT, c BIGINT) WITH ('connector' = "
                         "'jdbc', 'url' = 'jdbc:sqlite:%s')", f.db);
  plan = make_plan (100, 100, ddl, "INSERT INTO counts SELECT id % 10, COUNT(*) FROM src "
                    "GROUP BY id % 10", 1, &error);
  g_assert_null (plan);
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "append-only"));
  g_assert_nonnull (strstr (error->message, "PRIMARY KEY (...) NOT ENFORCED"));
  g_assert_nonnull (strstr (error->message, "'counts'"));
  g_clear_error (&error);
  fixture_clear (&f);
}

/* Builds the job for a sink table with the given WITH options; returns the error. */
static GError *
job_error (Fixture *f, const char *columns, const char *with)
{
  g_autofree char *ddl = g_strdup_printf ("CREATE TABLE dst (%s) WITH (%s)", columns, with);
  g_autoptr (PlanPhysPlan) plan = NULL;
  GError *error = NULL;
  RtJob *job;

  plan = make_plan (10, 100, ddl, "INSERT INTO dst SELECT id, id FROM src", 1, &error);
  g_assert_no_error (error);
  job = rt_job_new (plan, f->pool, NULL, &error);
  if (job != NULL)
    rt_job_free (job);
  return error;
}

static void
assert_job_error (Fixture *f, const char *columns, const char *with, const char *part1,
                  const char *part2)
{
  GError *error = job_error (f, columns, with);

  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  if (strstr (error->message, part1) == NULL || strstr (error->message, part2) == NULL)
    g_error ("'%s' lacks '%s' or '%s'", error->message, part1, part2);
  g_error_free (error);
}

static void
test_bad_options (void)
{
  Fixture f;
  g_autofree char *url = NULL, *nodir = NULL, *busy = NULL;
  const char *cols = "a BIGINT, b BIGINT";

  fixture_init (&f);
  url = g_strdup_printf ("'connector' = 'jdbc', 'url' = 'jdbc:sqlite:%s'", f.db);
  assert_job_error (&f, cols, "'connector' = 'jdbc'", "'url'", "jdbc:sqlite:");
  assert_job_error (&f, cols, "'connector' = 'jdbc', 'url' = 'jdbc:postgresql://h/db'",
                    "jdbc:postgresql://h/db", "SQLite databases only");
  assert_job_error (&f, cols, "'connector' = 'jdbc', 'url' = 'jdbc:sqlite::memory:'",
                    "in-memory", "database file");
  {
    g_autofree char *with = g_strdup_printf ("%s, 'username' = 'me'", url);
    assert_job_error (&f, cols, with, "'username'", "the jdbc connector knows");
  }
  {
    g_autofree char *with = g_strdup_printf ("%s, 'driver' = 'org.postgresql.Driver'", url);
    assert_job_error (&f, cols, with, "'driver'", "org.sqlite.JDBC");
  }
  busy = g_strdup_printf ("%s, 'connection.max-retry-timeout' = 'soon'", url);
  assert_job_error (&f, cols, busy, "'connection.max-retry-timeout'", "soon");
  nodir = g_strdup_printf ("'connector' = 'jdbc', 'url' = 'jdbc:sqlite:%s/no/such/dir/x.db'",
                           f.dir);
  assert_job_error (&f, cols, nodir, "/no/such/dir/x.db", "cannot open");
  /* an existing SQLite table without the columns, and one without a key for the upsert */
  {
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (f.db, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE dst (x INTEGER); CREATE TABLE nokey "
                                   "(a INTEGER, b INTEGER)", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  assert_job_error (&f, cols, url, "no column named", "needs the strom table's columns");
  {
    g_autofree char *with = g_strdup_printf ("%s, 'table-name' = 'nokey'", url);
    assert_job_error (&f, "a BIGINT, b BIGINT, PRIMARY KEY (a) NOT ENFORCED", with,
                      "'nokey'", "PRIMARY KEY or UNIQUE index");
  }
  fixture_clear (&f);
}

/* ---- the primary key read back from the DDL, the created table ---------------------- */

static void
test_primary_key (void)
{
  g_autoptr (PlanCatalog) catalog = plan_catalog_new ();
  g_autoptr (PlanStatement) with_key = NULL, without = NULL;
  g_autofree guint *keys = NULL, *none = NULL;
  guint n = 99;
  GError *error = NULL;

  with_key = plan_sql_compile_one (catalog, "CREATE TABLE t (a INT, b VARCHAR, c BIGINT, "
                                   "PRIMARY KEY (c, a) NOT ENFORCED) WITH ('connector' = "
                                   "'jdbc')", &error);
  g_assert_no_error (error);
  keys = plan_table_dup_primary_key (with_key->table, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (keys[0], ==, 2);
  g_assert_cmpuint (keys[1], ==, 0);
  without = plan_sql_compile_one (catalog, "CREATE TABLE u (a INT NOT NULL) WITH "
                                  "('connector' = 'jdbc')", &error);
  g_assert_no_error (error);
  none = plan_table_dup_primary_key (without->table, &n);
  g_assert_null (none);
  g_assert_cmpuint (n, ==, 0);
}

/* A bounded run in batch mode writes the types SQLite should see, into a created table. */
static void
test_types (void)
{
  Fixture f;
  g_autofree char *ddl = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  GError *error = NULL;
  RtJobConfig cfg;

  fixture_init (&f);
  ddl = g_strdup_printf ("CREATE TABLE typed (i INT, s VARCHAR, d DOUBLE, b BOOLEAN, "
                         "dt DATE, PRIMARY KEY (i) NOT ENFORCED) WITH ('connector' = 'jdbc', "
                         "'url' = 'jdbc:sqlite:%s')", f.db);
  plan = make_plan (4, 100, ddl, "INSERT INTO typed SELECT CAST(id AS INT), "
                    "CAST(id AS VARCHAR), CAST(id AS DOUBLE) / 4, id > 1, "
                    "CAST('2024-03-01' AS DATE) FROM src", 1, &error);
  g_assert_no_error (error);
  rt_job_config_init (&cfg);
  run_job (&f, plan, &cfg);
  /* ids 0..3: i = s, d = id / 4, b true for 2 and 3 */
  g_assert_cmpint (query_int (&f, "SELECT COUNT(*) FROM typed"), ==, 4);
  g_assert_cmpint (query_int (&f, "SELECT COUNT(*) FROM typed WHERE typeof(i) = 'integer' "
                              "AND typeof(s) = 'text' AND s = CAST(i AS TEXT) AND "
                              "typeof(d) = 'real' AND d * 4 = i AND b = (i > 1) AND "
                              "dt = '2024-03-01'"), ==, 4);
  fixture_clear (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/sink-sqlite/primary-key", test_primary_key);
  g_test_add_func ("/runtime/sink-sqlite/types", test_types);
  g_test_add_func ("/runtime/sink-sqlite/bad-options", test_bad_options);
  g_test_add_func ("/runtime/sink-sqlite/append-refuses-updates", test_append_refuses_updates);
  g_test_add_func ("/runtime/sink-sqlite/append-no-checkpoints", test_append_no_checkpoints);
  g_test_add_func ("/runtime/sink-sqlite/upsert-random-failures", test_upsert_random_failures);
  g_test_add_func ("/runtime/sink-sqlite/upsert-phases", test_upsert_phases);
  g_test_add_func ("/runtime/sink-sqlite/append-random-failures", test_append_random_failures);
  g_test_add_func ("/runtime/sink-sqlite/append-phases", test_append_phases);
  g_test_add_func ("/runtime/sink-sqlite/rescale-2-to-1", test_rescale_2_to_1);
  g_test_add_func ("/runtime/sink-sqlite/rescale-1-to-2", test_rescale_1_to_2);
  return g_test_run ();
}
