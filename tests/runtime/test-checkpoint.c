/* test-checkpoint.c: exactly-once checkpoints, restarts and savepoints (issue 8).
 *
 * The job under test is a keyed count: datagen emits ids 0 .. N-1 (a sequence), the query
 * counts them per id % 1000 and writes the changelog into a filesystem sink
 * ('changelog-csv'). Worked out by hand: every key gets N / 1000 rows, so the committed
 * changelog, applied as a multiset of rows (+I/+U add a row, -U/-D remove one), must leave
 * exactly the rows (k, N / 1000) for k in 0 .. 999, each once. A row lost leaves a key
 * short; a row counted twice leaves an extra row or a count too high; a retraction
 * committed without its row leaves a negative multiplicity. Applying as a multiset makes
 * the check independent of the order of the part files of different attempts. */
#include "ckpt-test-util.h"
#include "runtime/engine/rt-checkpoint.h"

#include <string.h>

#define KEYS 1000

/* The sanitizer builds run the same checks on less data. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#define PHASE_ROWS 90000
#define RESCALE_ROWS 200000
#else
#define SANITIZED 0
#define PHASE_ROWS 300000
#define RESCALE_ROWS 1000000
#endif

typedef struct {
  char *dir;          /* owned: a fresh temporary directory */
  char *out;          /* owned: the sink's directory */
  char *chk;          /* owned: state.checkpoints.dir */
  RtMemPool *pool;    /* owned */
} Fixture;

static void
fixture_init (Fixture *f)
{
  ckpt_test_dirs_init ("strom-ckpt-XXXXXX", &f->dir, &f->out, &f->chk, &f->pool);
}

static void
fixture_clear (Fixture *f)
{
  ckpt_test_dirs_clear (f->dir, f->out, f->chk, f->pool);
}

/* The keyed count over n rows at the given parallelism and rate, optimized. */
static PlanPhysPlan *
keyed_count_plan (Fixture *f, guint64 n, guint parallelism, guint64 rate)
{
  g_autofree char *src = g_strdup_printf (
    "CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '%"
    G_GUINT64_FORMAT "', 'rows-per-second' = '%" G_GUINT64_FORMAT "', "
    "'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '%"
    G_GUINT64_FORMAT "')", n, rate, n - 1);
  g_autofree char *dst = g_strdup_printf (
    "CREATE TABLE dst (k BIGINT, c BIGINT) WITH ('connector' = 'filesystem', "
    "'path' = '%s', 'format' = 'changelog-csv')", f->out);
  const char *ddl[] = { src, dst };

  return ckpt_test_compile (ddl, G_N_ELEMENTS (ddl), "INSERT INTO dst SELECT id % 1000, "
                            "COUNT(*) FROM src GROUP BY id % 1000", parallelism);
}

static void
config_init (Fixture *f, RtJobConfig *cfg, gint64 interval_ms)
{
  ckpt_test_config_init (cfg, f->chk, interval_ms * 1000);
}

/* Runs the job to its end; returns its final status and its checkpoint metrics. */
static RtJobStatus
run_job (Fixture *f, PlanPhysPlan *plan, const RtJobConfig *cfg, RtCheckpointMetrics **metrics)
{
  return ckpt_test_run_job (f->pool, plan, cfg, metrics, NULL, NULL);
}

/* Applies every committed part file (hidden in-progress files are not output) as a
 * multiset; checks that exactly the rows (k, per_key) remain. */
static void
assert_exact_output (Fixture *f, gint64 per_key)
{
  g_autoptr (GHashTable) rows = ckpt_test_read_output (f->out, TRUE, NULL);
  GHashTableIter it;
  gpointer key, value;
  guint n_rows = 0;

  g_hash_table_iter_init (&it, rows);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      gint m = GPOINTER_TO_INT (value);
      gint64 k, c;

      if (m == 0)
        continue;
      g_assert_cmpint (sscanf (key, "%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT, &k, &c), ==, 2);
      if (m != 1 || c != per_key || k < 0 || k >= KEYS)
        g_error ("committed output holds row (%s) %d times; expected only (k, %" G_GINT64_FORMAT
                 ") once per key", (const char *) key, m, per_key);
      n_rows++;
    }
  g_assert_cmpuint (n_rows, ==, KEYS);
}

static void
clear_output (Fixture *f)
{
  ckpt_test_remove_tree (f->out);
}

/* ---- a task failed at a random point, 100 seeds ------------------------------------- */

static void
test_random_failures (void)
{
  Fixture f;
  guint64 n = 1000000;
  guint seeds = 100;

  if (SANITIZED)
    {
      n = 100000; /* the sanitizer builds run 5-20x slower: fewer rows, fewer seeds */
      seeds = 6;
    }
  if (g_getenv ("STROM_CHECKPOINT_SEEDS") != NULL) /* longer soak runs by hand */
    seeds = (guint) g_ascii_strtoull (g_getenv ("STROM_CHECKPOINT_SEEDS"), NULL, 10);
  fixture_init (&f);
  for (guint seed = 1; seed <= seeds; seed++)
    {
      g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
      g_autoptr (PlanPhysPlan) plan = keyed_count_plan (&f, n, 2, n * 4);
      RtCheckpointMetrics *m = NULL;
      RtJobConfig cfg;

      config_init (&f, &cfg, 100);
      cfg.fail_point = RT_FAIL_ROWS;
      cfg.fail_task = (guint) g_rand_int_range (rand, 0,
                                                (gint32) ckpt_test_count_tasks (f.pool, plan));
      cfg.fail_after_rows = (guint64) g_rand_int_range (rand, 1, (gint32) n);
      g_test_message ("seed %u: task %u fails after %" G_GUINT64_FORMAT " rows", seed,
                      cfg.fail_task, cfg.fail_after_rows);
      g_assert_cmpint (run_job (&f, plan, &cfg, &m), ==, RT_JOB_FINISHED);
      g_assert_nonnull (m);
      g_test_message ("seed %u: %u restarts, %" G_GUINT64_FORMAT " checkpoints, restored %s",
                      seed, m->n_restarts, m->n_completed,
                      m->restored_from != NULL ? m->restored_from : "nothing");
      assert_exact_output (&f, (gint64) (n / KEYS));
      rt_checkpoint_metrics_free (m);
      clear_output (&f);
      ckpt_test_remove_tree (f.chk);
    }
  fixture_clear (&f);
}

/* ---- a failure at each phase of checkpoint 2 ----------------------------------------- */

static void
test_phases (void)
{
  static const RtFailPoint points[] = {
    RT_FAIL_BEFORE_SNAPSHOT, RT_FAIL_AFTER_STATE_FILES, RT_FAIL_AFTER_METADATA,
    RT_FAIL_DURING_SINK_COMMIT, RT_FAIL_AFTER_SINK_COMMIT,
  };
  Fixture f;

  fixture_init (&f);
  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    for (guint last = SANITIZED; last < 2; last++) /* a source's task, the sink's last */
      {
        /* 300k rows at 1M rows/s: about 3 checkpoints at 100 ms before the end */
        g_autoptr (PlanPhysPlan) plan = keyed_count_plan (&f, PHASE_ROWS, 2,
                                                          PHASE_ROWS * 10 / 3);
        guint task = last ? ckpt_test_count_tasks (f.pool, plan) - 1 : 0;
        RtCheckpointMetrics *m = NULL;
        RtJobConfig cfg;

        config_init (&f, &cfg, 100);
        cfg.fail_point = points[i];
        cfg.fail_task = task;
        cfg.fail_checkpoint = 2;
        cfg.fail_armed_checkpoint = 1; /* sources wait for the failure at their end */
        g_assert_cmpint (run_job (&f, plan, &cfg, &m), ==, RT_JOB_FINISHED);
        g_test_message ("point %u task %u: %u restarts, %" G_GUINT64_FORMAT " completed",
                        points[i], task, m->n_restarts, m->n_completed);
        /* the failure happened (checkpoint 2 was reached) and the job restarted once */
        g_assert_cmpuint (m->n_restarts, ==, 1);
        assert_exact_output (&f, PHASE_ROWS / KEYS);
        rt_checkpoint_metrics_free (m);
        clear_output (&f);
        ckpt_test_remove_tree (f.chk);
      }
  fixture_clear (&f);
}

/* ---- damaged checkpoint files -------------------------------------------------------- */

/* Runs a slow job until checkpoint `upto` completed, then cancels it; checkpoints stay. */
static void
run_until_checkpoint (Fixture *f, PlanPhysPlan *plan, RtJobConfig *cfg, gint64 upto)
{
  GError *error = NULL;
  RtJob *job = rt_job_new (plan, f->pool, cfg, &error);

  g_assert_no_error (error);
  g_assert_true (rt_job_start (job, &error));
  g_assert_true (rt_job_wait_checkpoint (job, upto, G_GINT64_CONSTANT (30000000)));
  rt_job_cancel (job);
  rt_job_wait (job);
  rt_job_free (job);
}

static void
damage (const char *path, gboolean truncate)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpuint (len, >, 40);
  if (truncate)
    len /= 2;
  else
    data[len / 2] ^= 0x10;
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
}

/* The biggest state file of a checkpoint: the aggregate's. */
static char *
largest_state_file (const char *job_dir, const char *leaf)
{
  g_autofree char *dir = g_build_filename (job_dir, leaf, NULL);
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  char *best = NULL;
  goffset best_size = -1;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      GStatBuf st;

      if (g_str_has_suffix (name, ".state") && g_stat (p, &st) == 0 && st.st_size > best_size)
        {
          best_size = st.st_size;
          g_free (best);
          best = g_steal_pointer (&p);
        }
    }
  g_dir_close (d);
  g_assert_nonnull (best);
  return best;
}

static void
check_damaged (gboolean truncate)
{
  Fixture f;
  g_autoptr (PlanPhysPlan) plan = NULL;
  g_autofree char *job_dir = NULL, *latest = NULL, *file = NULL;
  RtCheckpointMetrics *m = NULL;
  RtJobConfig cfg;

  fixture_init (&f);
  plan = keyed_count_plan (&f, RESCALE_ROWS * 2, 1, 200000); /* 10 s if not cancelled */
  config_init (&f, &cfg, 100);
  cfg.checkpoints_retained = 3;
  run_until_checkpoint (&f, plan, &cfg, 3);
  job_dir = g_build_filename (f.chk, "job", NULL);
  {
    /* the newest retained checkpoint: its aggregate state (node 2) gets damaged */
    gint64 newest = 0;
    GDir *d = g_dir_open (job_dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (d)) != NULL)
      if (g_str_has_prefix (name, "chk-"))
        newest = MAX (newest, g_ascii_strtoll (name + 4, NULL, 10));
    g_dir_close (d);
    g_assert_cmpint (newest, >=, 3);
    latest = g_strdup_printf ("chk-%" G_GINT64_FORMAT, newest);
    file = largest_state_file (job_dir, latest);
    damage (file, truncate);
    g_free (latest);
    latest = g_strdup_printf ("chk-%" G_GINT64_FORMAT, newest - 1);
  }
  /* Restoring an older checkpoint than the sink committed replays rows the sink already
   * committed (in any engine), so only the choice of checkpoint is checked here. */
  cfg.restore_path = job_dir;
  cfg.job_id = "job2";
  cfg.checkpoint_interval_us = 0;
  /* the same rows, unthrottled: the restored run finishes quickly */
  g_clear_pointer (&plan, plan_phys_plan_unref);
  plan = keyed_count_plan (&f, RESCALE_ROWS * 2, 1, 100000000);
  g_assert_cmpint (run_job (&f, plan, &cfg, &m), ==, RT_JOB_FINISHED);
  g_assert_nonnull (m);
  g_assert_true (g_str_has_suffix (m->restored_from, latest));
  rt_checkpoint_metrics_free (m);
  fixture_clear (&f);
}

static void
test_bit_flip (void)
{
  check_damaged (FALSE);
}

static void
test_truncated (void)
{
  check_damaged (TRUE);
}

/* ---- savepoint, stop, resume at parallelism 1 and 2 ---------------------------------- */

static void
check_rescale (guint from, guint to)
{
  Fixture f;
  g_autoptr (PlanPhysPlan) plan = NULL;
  g_autofree char *sp_dir = NULL, *savepoint = NULL;
  RtJobConfig cfg;

  fixture_init (&f);
  sp_dir = g_build_filename (f.dir, "savepoints", NULL);
  plan = keyed_count_plan (&f, RESCALE_ROWS, from, RESCALE_ROWS / 5); /* 5 s unstopped */
  config_init (&f, &cfg, 100);
  cfg.fail_armed_checkpoint = 1; /* sources wait for the savepoint at their end */
  savepoint = ckpt_test_savepoint (f.pool, plan, &cfg, 2, sp_dir);

  g_clear_pointer (&plan, plan_phys_plan_unref);
  plan = keyed_count_plan (&f, RESCALE_ROWS, to, 100000000);
  config_init (&f, &cfg, 100);
  cfg.restore_path = savepoint;
  cfg.job_id = "resumed";
  g_assert_cmpint (run_job (&f, plan, &cfg, NULL), ==, RT_JOB_FINISHED);
  /* the stopped job's committed output plus the resumed job's: exact */
  assert_exact_output (&f, RESCALE_ROWS / KEYS);
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

static void
test_rescale_2_to_2 (void)
{
  check_rescale (2, 2);
}

/* ---- backpressure ------------------------------------------------------------------- */

/* The sink takes 1% of the source's rate: the channels fill, the source is backpressured,
 * and barriers queue behind the buffered rows; checkpoints must still complete within
 * their timeout (30 s here). */
static void
test_backpressure (void)
{
  const char *ddl[] = {
    "CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = "
    "'400000', 'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = "
    "'99999999')",
    "CREATE TABLE slow (k BIGINT, c BIGINT) WITH ('connector' = 'blackhole', "
    "'throttle.rows-per-second' = '4000')",
  };
  /* parallelism 2: the hash exchange makes two chains, so the source's task waits on
   * the aggregate's (with the sink chained to it) instead of running the sink itself */
  g_autoptr (PlanPhysPlan) plan = ckpt_test_compile (ddl, G_N_ELEMENTS (ddl),
                                                     "INSERT INTO slow SELECT id % 1000, "
                                                     "COUNT(*) FROM src GROUP BY id % 1000", 2);
  GError *error = NULL;
  RtCheckpointMetrics *m;
  RtJobMetrics *jm;
  RtJobConfig cfg;
  RtJob *job;
  Fixture f;
  double bp = 0;

  fixture_init (&f);
  config_init (&f, &cfg, 200);
  cfg.checkpoint_timeout_us = G_GINT64_CONSTANT (30000000);
  job = rt_job_new (plan, f.pool, &cfg, &error);
  g_assert_no_error (error);
  g_assert_true (rt_job_start (job, &error));
  g_assert_true (rt_job_wait_checkpoint (job, 2, G_GINT64_CONSTANT (90000000)));
  jm = rt_job_snapshot_metrics (job);
  for (guint i = 0; i < jm->n_tasks; i++)
    {
      g_test_message ("task %s: busy %" G_GUINT64_FORMAT " us, idle %" G_GUINT64_FORMAT
                      " us, backpressured %" G_GUINT64_FORMAT " us", jm->tasks[i].name,
                      jm->tasks[i].busy_us, jm->tasks[i].idle_us,
                      jm->tasks[i].backpressured_us);
      bp = MAX (bp, (double) jm->tasks[i].backpressured_us);
    }
  rt_job_metrics_free (jm);
  m = rt_job_get_checkpoint_metrics (job);
  g_test_message ("%" G_GUINT64_FORMAT " completed, %" G_GUINT64_FORMAT " failed; "
                  "backpressured %.0f ms", m->n_completed, m->n_failed, bp / 1000);
  g_assert_cmpuint (m->n_completed, >=, 2);
  g_assert_cmpuint (m->n_failed, ==, 0);
  for (guint i = 0; i < m->n_history; i++)
    g_test_message ("checkpoint %" G_GINT64_FORMAT ": %.0f ms, alignment %.0f ms",
                    m->history[i].id, (double) m->history[i].duration_us / 1000,
                    (double) m->history[i].alignment_us / 1000);
  rt_checkpoint_metrics_free (m);
  /* the source really waited on the slow sink */
  g_assert_cmpfloat (bp, >, 500000);
  rt_job_cancel (job);
  rt_job_free (job);
  fixture_clear (&f);
}

/* ---- windows: buffered rows, the watermark, late rows --------------------------------- */

#define WIN_ROWS 100000
#define WIN_BASE G_GINT64_CONSTANT (1767225600000) /* 2026-01-01 00:00:00 UTC, in ms */

/* Row id's event time: 10 ms apart, jittered by up to 100 ms either way (well inside the
 * 1 s watermark delay), except that every 997th row from id 5000 on is 30 s behind: with
 * 64-row batches (0.64 s of event time) the watermark has always passed its window, so
 * it is late in every run, wherever a restore starts reading. */
static gint64
win_ts (gint64 id)
{
  if (id >= 5000 && id % 997 == 0)
    return WIN_BASE + id * 10 - 30000;
  return WIN_BASE + id * 10 + (id * 37 % 11) * 20 - 100;
}

/* A window count per k = id % 4 over the rows above, read from a CSV file at parallelism 1
 * (lateness depends only on this one source's order), failing at random rows; the
 * committed output must hold exactly the counts worked out here, without the late rows.
 * tvf: the window TVF's call after its table; each row counts in n_windows windows, the
 * last starting at its second (tumbling 1 s: 1; HOP of 2 s every 1 s: 2, the aggregate
 * then keeping 1 s slices, rt-window-acc.c). */
static void
window_case (const char *tvf, gint64 n_windows)
{
  Fixture f;
  g_autofree char *csv = NULL, *src = NULL, *dst = NULL;
  GString *text = g_string_new ("id,ts\n");
  g_autoptr (GHashTable) want = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GRand) rand = g_rand_new_with_seed (8);

  fixture_init (&f);
  csv = g_build_filename (f.dir, "events.csv", NULL);
  for (gint64 id = 0; id < WIN_ROWS; id++)
    {
      g_autofree char *ts = ckpt_test_format_ts (win_ts (id));

      g_string_append_printf (text, "%" G_GINT64_FORMAT ",%s\n", id, ts);
      for (gint64 w = 0; w < n_windows && (id < 5000 || id % 997 != 0); w++)
        {
          gint64 off = win_ts (id) - WIN_BASE; /* floor to the second, also below 0 */
          gint64 ws = (off >= 0 ? off / 1000 : (off - 999) / 1000) * 1000 + WIN_BASE - w * 1000;
          g_autofree char *start = ckpt_test_format_ts (ws);
          char *key = g_strdup_printf ("%s,%" G_GINT64_FORMAT, start, id % 4);

          g_hash_table_replace (want, key,
                                GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (want, key))
                                                 + 1));
        }
    }
  g_assert_true (g_file_set_contents (csv, text->str, (gssize) text->len, NULL));
  g_string_free (text, TRUE);
  src = g_strdup_printf ("CREATE TABLE ev (id BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS "
                         "ts - INTERVAL '1' SECOND) WITH ('connector' = 'filesystem', "
                         "'path' = '%s', 'format' = 'csv', 'csv.header' = 'true')", csv);
  dst = g_strdup_printf ("CREATE TABLE dst (ws TIMESTAMP(3), k BIGINT, c BIGINT) WITH ("
                         "'connector' = 'filesystem', 'path' = '%s', 'format' = 'csv')", f.out);
  for (guint run = 0; run < (SANITIZED ? 2u : 4u); run++)
    {
      const char *ddl[] = { src, dst };
      g_autofree char *sql = g_strdup_printf ("INSERT INTO dst SELECT window_start, id %% 4, "
                                              "COUNT(*) FROM TABLE(%s) GROUP BY window_start, "
                                              "window_end, id %% 4", tvf);
      g_autoptr (PlanPhysPlan) plan = ckpt_test_compile (ddl, 2, sql, 1);
      g_autoptr (GHashTable) got = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      GDir *d;
      const char *name;
      RtCheckpointMetrics *m = NULL;
      RtJobConfig cfg;
      guint n_got = 0;

      config_init (&f, &cfg, 20);
      cfg.batch_size = 64; /* slower, so checkpoints complete before the failure */
      cfg.fail_point = run == 0 ? RT_FAIL_NONE : RT_FAIL_ROWS;
      cfg.fail_task = 0;
      cfg.fail_after_rows = (guint64) g_rand_int_range (rand, 5000, WIN_ROWS - 2000);
      g_assert_cmpint (run_job (&f, plan, &cfg, &m), ==, RT_JOB_FINISHED);
      g_test_message ("window run %u: fail after %" G_GUINT64_FORMAT " rows, %u restarts, %"
                      G_GUINT64_FORMAT " checkpoints, restored %s", run, cfg.fail_after_rows,
                      m->n_restarts, m->n_completed,
                      m->restored_from != NULL ? m->restored_from : "nothing");
      rt_checkpoint_metrics_free (m);
      d = g_dir_open (f.out, 0, NULL);
      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = g_build_filename (f.out, name, NULL);
          g_autofree char *body = NULL;
          g_auto (GStrv) lines = NULL;

          if (name[0] == '.')
            continue;
          g_assert_true (g_file_get_contents (path, &body, NULL, NULL));
          lines = g_strsplit (body, "\n", -1);
          for (guint i = 0; lines[i] != NULL; i++)
            {
              char *comma = strrchr (lines[i], ',');

              if (comma == NULL)
                continue;
              *comma = '\0';
              /* a window's count must appear once, never twice */
              g_assert_null (g_hash_table_lookup (got, lines[i]));
              g_hash_table_insert (got, g_strdup (lines[i]),
                                   GINT_TO_POINTER ((gint) g_ascii_strtoll (comma + 1, NULL,
                                                                            10)));
              n_got++;
            }
        }
      if (d != NULL)
        g_dir_close (d);
      g_assert_cmpuint (n_got, ==, g_hash_table_size (want));
      {
        GHashTableIter it;
        gpointer key, value;

        g_hash_table_iter_init (&it, want);
        while (g_hash_table_iter_next (&it, &key, &value))
          g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (got, key)), ==,
                           GPOINTER_TO_INT (value));
      }
      clear_output (&f);
      ckpt_test_remove_tree (f.chk);
    }
  fixture_clear (&f);
}

/* ---- a restore path that names no checkpoint ------------------------------------------ */

static void
test_bad_restore_path (void)
{
  Fixture f;
  g_autoptr (PlanPhysPlan) plan = NULL;
  GError *error = NULL;
  RtJobConfig cfg;
  RtJob *job;

  fixture_init (&f);
  plan = keyed_count_plan (&f, 1000, 1, 1000000);
  config_init (&f, &cfg, 100);
  cfg.restore_path = f.dir; /* a directory without checkpoints */
  job = rt_job_new (plan, f.pool, &cfg, &error);
  g_assert_null (job);
  g_assert_error (error, RT_ERROR, RT_ERROR_CHECKPOINT);
  g_assert_nonnull (strstr (error->message, "no completed checkpoint"));
  g_clear_error (&error);
  fixture_clear (&f);
}

static void
test_window (void)
{
  window_case ("TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' SECOND)", 1);
}

static void
test_window_hop (void)
{
  window_case ("HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '2' SECOND)", 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/checkpoint/random-failures", test_random_failures);
  g_test_add_func ("/runtime/checkpoint/phases", test_phases);
  g_test_add_func ("/runtime/checkpoint/bit-flip", test_bit_flip);
  g_test_add_func ("/runtime/checkpoint/truncated", test_truncated);
  g_test_add_func ("/runtime/checkpoint/rescale-2-to-1", test_rescale_2_to_1);
  g_test_add_func ("/runtime/checkpoint/rescale-1-to-2", test_rescale_1_to_2);
  g_test_add_func ("/runtime/checkpoint/rescale-2-to-2", test_rescale_2_to_2);
  g_test_add_func ("/runtime/checkpoint/bad-restore-path", test_bad_restore_path);
  g_test_add_func ("/runtime/checkpoint/backpressure", test_backpressure);
  g_test_add_func ("/runtime/checkpoint/window", test_window);
  g_test_add_func ("/runtime/checkpoint/window-hop", test_window_hop);
  return g_test_run ();
}
