/* test-checkpoint-window-join.c: checkpoints, restarts and rescaling of the window join
 * (runtime/engine/rt-op-window-join.c), as test-checkpoint-ops2.c does for the interval
 * join: a bounded FULL window join of two CSV files runs with a checkpoint every 5 ms
 * (8-row batches and one channel credit make the run last long enough) and its first
 * attempt failed on purpose (after checkpoint 2 committed, at the barrier of checkpoint 3,
 * after some rows; three restart attempts), into a 'filesystem' sink; the committed part
 * files, applied as a multiset, must equal SQLite's join of the same rows in the same
 * windows. A row or window lost or repeated across the restore makes them differ. The
 * rescale case resumes a savepoint taken at parallelism 1 at parallelism 2.
 *
 * Data: l ids 0 .. 39999, key id % 500, time 10 id ms; r ids 0 .. 39999, key 7 id % 500,
 * time 10 id + 3 ms (both sources last equally long); TUMBLE 1 s windows, joined on the
 * key. Each file is in time order and read behind a watermark 1 s back, so no row is late
 * and SQLite's answer is exact. */
#include <sqlite3.h> /* before ckpt-test-util.h, for ckpt_test_sql_multiset */

#include "ckpt-test-util.h"
#include "runtime/engine/rt-checkpoint.h"

#define N_LEFT 40000
#define N_RIGHT 40000

typedef struct {
  char *dir, *out, *chk;
  RtMemPool *pool;
} Fixture;

static char *
write_csv (const char *dir, sqlite3 *db, const char *table, gint64 n, gint64 key_mul,
           gint64 step_ms, gint64 offset_ms)
{
  g_autofree char *name = g_strdup_printf ("%s.csv", table);
  g_autofree char *sql = g_strdup_printf ("INSERT INTO %s VALUES (?, ?, ?)", table);
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GString) text = g_string_new ("id,k,ts\n");
  sqlite3_stmt *ins = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &ins, NULL), ==, SQLITE_OK);
  for (gint64 id = 0; id < n; id++)
    {
      gint64 ms = id * step_ms + offset_ms, k = id * key_mul % 500;

      g_string_append_printf (text, "%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                              ",2024-01-01 %02d:%02d:%02d.%03d\n", id, k,
                              (int) (ms / 3600000), (int) (ms / 60000 % 60),
                              (int) (ms / 1000 % 60), (int) (ms % 1000));
      sqlite3_bind_int64 (ins, 1, id);
      sqlite3_bind_int64 (ins, 2, k);
      sqlite3_bind_int64 (ins, 3, ms);
      g_assert_cmpint (sqlite3_step (ins), ==, SQLITE_DONE);
      sqlite3_reset (ins);
    }
  sqlite3_finalize (ins);
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, NULL));
  return path;
}

/* SQLite's rows as "lid,rid" lines, NULL as an empty field. */
static GHashTable *
expected (sqlite3 *db)
{
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE lw AS SELECT *, ts / 1000 AS w FROM l; "
                                 "CREATE TABLE rw AS SELECT *, ts / 1000 AS w FROM r; "
                                 "CREATE INDEX lwi ON lw (k, w); CREATE INDEX rwi ON rw (k, w)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  return ckpt_test_sql_multiset (db, "SELECT L.id, R.id FROM lw L FULL JOIN rw R "
                                 "ON L.k = R.k AND L.w = R.w");
}

static char *
source_ddl (const char *name, const char *path)
{
  return g_strdup_printf ("CREATE TABLE %s (id BIGINT, k BIGINT, ts TIMESTAMP(3), WATERMARK "
                          "FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = "
                          "'filesystem', 'path' = '%s', 'format' = 'csv', 'csv.header' = "
                          "'true')", name, path);
}

/* Writes the inputs into f->dir, returns SQLite's result (checked by hand in two rows)
 * and sets *plan to the query at `parallelism`. */
static GHashTable *
setup_case (Fixture *f, guint parallelism, PlanPhysPlan **plan)
{
  g_autofree char *lpath = NULL, *rpath = NULL, *l = NULL, *r = NULL, *dst = NULL;
  GHashTable *want;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE l (id, k, ts); CREATE TABLE r (id, k, ts); "
                                 "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  lpath = write_csv (f->dir, db, "l", N_LEFT, 1, 10, 0);
  rpath = write_csv (f->dir, db, "r", N_RIGHT, 7, 10, 3);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  want = expected (db);
  sqlite3_close (db);
  /* by hand: l 0 (key 0, 0 ms) and r 0 (key 0, 3 ms) share window 0; l 1 (key 1) meets
   * no r row with key 1 (7 j = 1 mod 500 first at j = 143, 1433 ms: another window) */
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (want, "0,0")), ==, 1);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (want, "1,")), ==, 1);
  l = source_ddl ("l", lpath);
  r = source_ddl ("r", rpath);
  dst = g_strdup_printf ("CREATE TABLE dst (lid BIGINT, rid BIGINT) WITH ('connector' = "
                         "'filesystem', 'path' = '%s', 'format' = 'csv')", f->out);
  {
    const char *ddl[] = { l, r, dst };

    *plan = ckpt_test_compile (ddl, 3, "INSERT INTO dst SELECT L.id, R.id FROM "
                               "TABLE(TUMBLE(TABLE l, DESCRIPTOR(ts), INTERVAL '1' SECOND)) L "
                               "FULL JOIN TABLE(TUMBLE(TABLE r, DESCRIPTOR(ts), INTERVAL '1' "
                               "SECOND)) R ON L.k = R.k AND L.window_start = R.window_start "
                               "AND L.window_end = R.window_end", parallelism);
  }
  return want;
}

/* Checkpoints every 5 ms, 8-row batches and one channel credit: slow enough for
 * checkpoints to complete in the middle of the run. */
static void
config_init (Fixture *f, RtJobConfig *cfg)
{
  ckpt_test_config_init (cfg, f->chk, 5000);
  cfg->batch_size = 8;
  cfg->channel_credits = 1;
}

/* Parallelism 1 (the CSV sources must not end early: no checkpoint completes once a task
 * has ended, and at parallelism 2 a small file leaves a subtask without a part). Failures:
 * the job right after checkpoint 2 committed (so the restore is from it), the join's task
 * at the barrier of checkpoint 3 before its snapshot, and the join's task after some rows
 * (wherever checkpoints happen to be by then). */
static void
test_failures (void)
{
  static const struct {
    RtFailPoint point;
    gint64 checkpoint;
    guint64 rows;
  } fails[] = {
    { RT_FAIL_AFTER_METADATA, 2, 0 },
    { RT_FAIL_BEFORE_SNAPSHOT, 3, 0 },
    { RT_FAIL_ROWS, 0, 40000 },
  };
  g_autoptr (GHashTable) want = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  RtJobConfig cfg;
  guint n_tasks;
  Fixture f;

  ckpt_test_dirs_init ("strom-ckwj-XXXXXX", &f.dir, &f.out, &f.chk, &f.pool);
  want = setup_case (&f, 1, &plan);
  n_tasks = ckpt_test_count_tasks (f.pool, plan);
  config_init (&f, &cfg);
  for (guint i = 0; i < G_N_ELEMENTS (fails); i++)
    {
      g_autoptr (GHashTable) got = NULL;
      RtCheckpointMetrics *m = ckpt_test_run_failing (f.pool, plan, &cfg, fails[i].point,
                                                      fails[i].checkpoint, fails[i].rows,
                                                      n_tasks - 1); /* the join's task */

      if (i < 2) /* checkpoint 2 completed before the failure */
        g_assert_nonnull (m->restored_from);
      rt_checkpoint_metrics_free (m);
      got = ckpt_test_read_output (f.out, FALSE, NULL);
      ckpt_test_assert_same (got, want, "window join");
      ckpt_test_remove_tree (f.out);
      ckpt_test_remove_tree (f.chk);
    }
  ckpt_test_dirs_clear (f.dir, f.out, f.chk, f.pool);
}

/* Savepoint at parallelism 1, resumed at 2: the buffered rows and the watermark go to the
 * subtasks that own their key groups now. */
static void
test_rescale (void)
{
  g_autoptr (GHashTable) want = NULL;
  g_autoptr (GHashTable) got = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  g_autoptr (PlanPhysPlan) plan2 = NULL;
  g_autofree char *sp_dir = NULL, *savepoint = NULL;
  RtJobConfig cfg;
  Fixture f;

  ckpt_test_dirs_init ("strom-ckwj-XXXXXX", &f.dir, &f.out, &f.chk, &f.pool);
  want = setup_case (&f, 1, &plan);
  sp_dir = g_build_filename (f.dir, "savepoints", NULL);
  config_init (&f, &cfg);
  cfg.fail_armed_checkpoint = 1; /* sources wait for the savepoint at their end */
  savepoint = ckpt_test_savepoint (f.pool, plan, &cfg, 1, sp_dir);
  g_hash_table_unref (setup_case (&f, 2, &plan2)); /* the same files again */
  config_init (&f, &cfg);
  cfg.batch_size = 0;
  cfg.channel_credits = 0;
  ckpt_test_resume (f.pool, plan2, &cfg, savepoint);
  got = ckpt_test_read_output (f.out, FALSE, NULL);
  ckpt_test_assert_same (got, want, "window join rescaled");
  ckpt_test_dirs_clear (f.dir, f.out, f.chk, f.pool);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/checkpoint-window-join/failures", test_failures);
  g_test_add_func ("/runtime/checkpoint-window-join/rescale-1-to-2", test_rescale);
  return g_test_run ();
}
