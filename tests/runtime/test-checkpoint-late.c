/* test-checkpoint-late.c: checkpoints of a window aggregate with allowed lateness
 * (table.exec.emit.allow-lateness), whose fired windows stay in state to be updated by
 * late rows (rt-window-late.c).
 *
 * Data: rows 10 ms apart, jittered by up to 100 ms; from id 5000 on every 997th row is
 * 30 s behind (late, but inside 40 s of lateness: it updates its fired window as -U/+U)
 * and every 1999th is 60 s behind (past the window's cleanup time: dropped). With a 1 s
 * watermark delay and 64-row batches that holds wherever a restore resumes. So after
 * applying the changelog the committed output must hold, per (window start, id % 4), the
 * count of every row but the 60 s late ones, worked out here from the same formula.
 * At parallelism 2 the file is read as two splits, half of it apart in event time, and
 * the watermark is the slower split's: whether a row is dropped would depend on how the
 * splits interleave, so there the data has no 60 s late rows and every row counts. */
#include "ckpt-test-util.h"

#include "runtime/engine/rt-checkpoint.h"

#define N_ROWS 150000
#define BASE G_GINT64_CONSTANT (1767225600000) /* 2026-01-01 00:00:00 UTC, in ms */

static gboolean
is_late (gint64 id)
{
  return id >= 5000 && id % 997 == 0;
}

static gboolean with_dropped = TRUE; /* the data has 60 s late rows (parallelism 1) */

static gboolean
is_dropped (gint64 id)
{
  return with_dropped && id >= 5000 && id % 1999 == 0;
}

static gint64
row_ts (gint64 id)
{
  if (is_late (id))
    return BASE + id * 10 - 30000;
  if (is_dropped (id))
    return BASE + id * 10 - 60000;
  return BASE + id * 10 + (id * 37 % 11) * 20 - 100;
}

typedef struct {
  char *dir, *csv, *out, *chk;
  RtMemPool *pool;
  GHashTable *want; /* "window start,k,count" -> 1 */
} Fixture;

static void
fixture_init (Fixture *f, gboolean dropped)
{
  g_autoptr (GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GString *text = g_string_new ("id,ts\n");
  GHashTableIter it;
  gpointer key, value;

  with_dropped = dropped;
  ckpt_test_dirs_init ("strom-ckpt-late-XXXXXX", &f->dir, &f->out, &f->chk, &f->pool);
  f->csv = g_build_filename (f->dir, "events.csv", NULL);
  for (gint64 id = 0; id < N_ROWS; id++)
    {
      g_autofree char *ts = ckpt_test_format_ts (row_ts (id));

      g_string_append_printf (text, "%" G_GINT64_FORMAT ",%s\n", id, ts);
      if (!is_dropped (id))
        {
          /* tumbling 1 s windows: the start is the time floored to the second */
          gint64 off = row_ts (id) - BASE;
          gint64 ws = (off >= 0 ? off / 1000 : (off - 999) / 1000) * 1000 + BASE;
          g_autofree char *start = ckpt_test_format_ts (ws);
          char *k = g_strdup_printf ("%s,%" G_GINT64_FORMAT, start, id % 4);

          g_hash_table_replace (counts, k, GINT_TO_POINTER (
            GPOINTER_TO_INT (g_hash_table_lookup (counts, k)) + 1));
        }
    }
  g_assert_true (g_file_set_contents (f->csv, text->str, (gssize) text->len, NULL));
  g_string_free (text, TRUE);
  f->want = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_iter_init (&it, counts);
  while (g_hash_table_iter_next (&it, &key, &value))
    g_hash_table_insert (f->want, g_strdup_printf ("%s,%d", (char *) key,
                                                   GPOINTER_TO_INT (value)),
                         GINT_TO_POINTER (1));
}

static void
fixture_clear (Fixture *f)
{
  ckpt_test_dirs_clear (f->dir, f->out, f->chk, f->pool);
  g_free (f->csv);
  g_hash_table_unref (f->want);
}

/* The windowed count with allowed lateness, optimized at parallelism p. */
static PlanPhysPlan *
late_plan (Fixture *f, guint p, const char *delay)
{
  g_autofree char *par = g_strdup_printf ("%u", p);
  g_autofree char *src = g_strdup_printf (
    "CREATE TABLE ev (id BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' "
    "SECOND) WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'csv', "
    "'csv.header' = 'true')", f->csv);
  g_autofree char *dst = g_strdup_printf (
    "CREATE TABLE dst (ws TIMESTAMP(3), k BIGINT, c BIGINT) WITH ('connector' = "
    "'filesystem', 'path' = '%s', 'format' = 'changelog-csv')", f->out);
  const char *ddl[] = { src, dst };
  const char *const sets[][2] = {
    { "parallelism.default", par },
    { "table.exec.emit.late-fire.enabled", "true" },
    { "table.exec.emit.allow-lateness", "40 s" },
    { "table.exec.emit.late-fire.delay", delay },
  };

  return ckpt_test_compile_with (ddl, G_N_ELEMENTS (ddl), "INSERT INTO dst SELECT "
                                 "window_start, id % 4, COUNT(*) FROM TABLE(TUMBLE(TABLE ev, "
                                 "DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, "
                                 "window_end, id % 4", sets, G_N_ELEMENTS (sets));
}

static void
config_init (Fixture *f, RtJobConfig *cfg)
{
  ckpt_test_config_init (cfg, f->chk, 10000); /* a watermark after every batch */
  cfg->batch_size = 64;                       /* slower, so checkpoints complete on the way */
}

static RtJobStatus
run_job (Fixture *f, PlanPhysPlan *plan, const RtJobConfig *cfg, RtCheckpointMetrics **m)
{
  return ckpt_test_run_job (f->pool, plan, cfg, m, NULL, NULL);
}

/* Applies the committed files as a changelog; checks the result is exactly f->want and
 * returns how many -U lines there were. */
static guint
assert_output (Fixture *f)
{
  guint retractions = 0, bad = 0;
  g_autoptr (GHashTable) got = ckpt_test_read_output (f->out, TRUE, &retractions);
  GHashTableIter it;
  gpointer key, value;

  g_hash_table_iter_init (&it, got);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (GPOINTER_TO_INT (value) != GPOINTER_TO_INT (g_hash_table_lookup (f->want, key))
        && bad++ < 5)
      g_test_message ("row (%s) remains %d times", (char *) key, GPOINTER_TO_INT (value));
  g_hash_table_iter_init (&it, f->want);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (GPOINTER_TO_INT (g_hash_table_lookup (got, key)) != 1 && bad++ < 5)
      g_test_message ("row (%s) remains %d times, expected once", (char *) key,
                      GPOINTER_TO_INT (g_hash_table_lookup (got, key)));
  g_assert_cmpuint (bad, ==, 0);
  ckpt_test_remove_tree (f->out);
  return retractions;
}

/* Failures at random rows, at parallelism p; run 0 fails nowhere. */
static void
check_failures (guint p, const char *delay, guint32 seed)
{
  Fixture f;
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  guint restored = 0;

  fixture_init (&f, p == 1);
  for (guint run = 0; run < 4; run++)
    {
      g_autoptr (PlanPhysPlan) plan = late_plan (&f, p, delay);
      RtCheckpointMetrics *m = NULL;
      RtJobConfig cfg;

      config_init (&f, &cfg);
      cfg.fail_point = run == 0 ? RT_FAIL_NONE : RT_FAIL_ROWS;
      cfg.fail_task = 0;
      cfg.fail_after_rows = (guint64) g_rand_int_range (rand, N_ROWS / (5 * p), N_ROWS / p - 5000);
      cfg.fail_armed_checkpoint = run == 0 ? 0 : 1; /* after a completed checkpoint */
      g_assert_cmpint (run_job (&f, plan, &cfg, &m), ==, RT_JOB_FINISHED);
      g_test_message ("run %u: fail after %" G_GUINT64_FORMAT " rows, %u restarts, %"
                      G_GUINT64_FORMAT " checkpoints (%" G_GUINT64_FORMAT " failed), "
                      "restored %s", run, cfg.fail_after_rows, m->n_restarts,
                      m->n_completed, m->n_failed,
                      m->restored_from != NULL ? m->restored_from : "nothing");
      g_assert_cmpuint (m->n_restarts, ==, run == 0 ? 0 : 1);
      restored += m->restored_from != NULL;
      /* every checkpoint of the lateness state completes (none is declined) */
      for (guint i = 0; i < m->n_history; i++)
        g_assert_null (m->history[i].failure != NULL
                       && strstr (m->history[i].failure, "lateness") != NULL
                       ? m->history[i].failure : NULL);
      rt_checkpoint_metrics_free (m);
      /* late rows did update fired windows */
      g_assert_cmpuint (assert_output (&f), >, 0);
      ckpt_test_remove_tree (f.chk);
    }
  /* every failure came after a completed checkpoint and restored from it */
  g_assert_cmpuint (restored, ==, 3);
  fixture_clear (&f);
}

static void
test_late_p1 (void)
{
  check_failures (1, "0 s", 11);
}

/* A late-fire delay keeps late rows waiting for the next watermark: those are in the
 * snapshots as pending rows. */
static void
test_late_delay_p2 (void)
{
  check_failures (2, "2 s", 12);
}

/* Killed at parallelism 2 (no restart), resumed at 1 from its last checkpoint. */
static void
test_late_rescale (void)
{
  Fixture f;
  g_autoptr (PlanPhysPlan) p2 = NULL, p1 = NULL;
  RtCheckpointMetrics *m = NULL;
  g_autofree char *job_dir = NULL;
  RtJobConfig cfg;

  fixture_init (&f, FALSE);
  p2 = late_plan (&f, 2, "2 s");
  p1 = late_plan (&f, 1, "2 s");
  config_init (&f, &cfg);
  cfg.restart_attempts = 0;
  cfg.fail_point = RT_FAIL_ROWS;
  cfg.fail_task = 0;
  cfg.fail_after_rows = N_ROWS / 4;
  cfg.fail_armed_checkpoint = 1;
  g_assert_cmpint (run_job (&f, p2, &cfg, &m), ==, RT_JOB_FAILED);
  g_assert_cmpuint (m->n_completed, >, 0);
  rt_checkpoint_metrics_free (m);
  job_dir = g_build_filename (f.chk, "job", NULL);
  config_init (&f, &cfg);
  cfg.job_id = "resumed";
  cfg.restore_path = job_dir;
  g_assert_cmpint (run_job (&f, p1, &cfg, &m), ==, RT_JOB_FINISHED);
  g_assert_nonnull (m->restored_from);
  g_test_message ("resumed at parallelism 1 from %s", m->restored_from);
  rt_checkpoint_metrics_free (m);
  g_assert_cmpuint (assert_output (&f), >, 0);
  fixture_clear (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/checkpoint-late/failures-p1", test_late_p1);
  g_test_add_func ("/runtime/checkpoint-late/failures-delay-p2", test_late_delay_p2);
  g_test_add_func ("/runtime/checkpoint-late/rescale-2-to-1", test_late_rescale);
  return g_test_run ();
}
