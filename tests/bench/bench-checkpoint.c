/* bench-checkpoint.c: what exactly-once checkpoints cost (issue 8).
 *
 * 1. Throughput: a keyed count, datagen (ids 0 .. N-1, unthrottled) -> GROUP BY id % K ->
 *    blackhole, at parallelism 1, without checkpoints and with a 1 s interval; rows/s over
 *    the whole job. Runs alternate (off, on, off, on, ...) and the best of each is
 *    printed, so a burst of load on the machine hits both sides alike.
 * 2. Checkpoint duration against state size: the same query with K = 1k, 100k and 1M
 *    keys, checkpoints every 500 ms, rate-limited so the job runs about 4 s; the last
 *    completed checkpoint's duration, size and alignment. Duration is trigger to
 *    completion: barrier travel, every task's snapshot written and synced, and the
 *    metadata committed in SQLite. "Synchronous" is the part of it the task stopped
 *    processing for (serialising its state); the rest runs on the coordinator's thread. */
#include "optimizer/opt.h"
#include "plans/plan-sql.h"
#include "runtime/engine/rt-checkpoint.h"
#include "runtime/engine/rt-job.h"

#include <glib/gstdio.h>
#include <stdio.h>

static PlanPhysPlan *
keyed_count (guint64 rows, guint64 keys, guint64 rate)
{
  g_autoptr (PlanCatalog) catalog = plan_catalog_new ();
  g_autoptr (PlanSettings) settings = plan_settings_new ();
  g_autofree char *src = g_strdup_printf (
    "CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '%"
    G_GUINT64_FORMAT "', 'rows-per-second' = '%" G_GUINT64_FORMAT "', "
    "'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '%"
    G_GUINT64_FORMAT "')", rows, rate, rows - 1);
  g_autofree char *insert = g_strdup_printf (
    "INSERT INTO dst SELECT id %% %" G_GUINT64_FORMAT ", COUNT(*) FROM src GROUP BY id %% %"
    G_GUINT64_FORMAT, keys, keys);
  const char *ddl[] = {
    src, "CREATE TABLE dst (k BIGINT, c BIGINT) WITH ('connector' = 'blackhole')",
  };
  g_autoptr (PlanStatement) st = NULL;
  g_autoptr (OptResult) opt = NULL;
  GError *error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (ddl); i++)
    {
      g_autoptr (PlanStatement) d = plan_sql_compile_one (catalog, ddl[i], &error);

      g_assert_no_error (error);
      g_assert_true (plan_catalog_add_table (catalog, d->table, &error));
    }
  st = plan_sql_compile_one (catalog, insert, &error);
  g_assert_no_error (error);
  g_assert_true (plan_settings_set (settings, "parallelism.default", "1", &error));
  /* checkpoints are streaming's: src has a row count, so the default ('automatic') would
   * plan batch, which takes none */
  g_assert_true (plan_settings_set (settings, "execution.runtime-mode", "streaming", &error));
  opt = opt_optimize (st->plan, settings, &error);
  g_assert_no_error (error);
  return plan_phys_plan_ref (opt_result_get_physical (opt));
}

/* Runs the plan to its end; returns seconds; *last: the last completed checkpoint. */
static double
run (PlanPhysPlan *plan, RtMemPool *pool, const char *dir, gint64 interval_us,
     RtCheckpointStats *last, guint64 *completed)
{
  GError *error = NULL;
  RtJobConfig cfg;
  RtJob *job;
  RtCheckpointMetrics *m;
  gint64 t0;
  double secs;

  rt_job_config_init (&cfg);
  cfg.checkpoint_interval_us = interval_us;
  cfg.checkpoint_dir = dir;
  cfg.checkpoints_retained = 1;
  cfg.job_id = "bench";
  job = rt_job_new (plan, pool, &cfg, &error);
  g_assert_no_error (error);
  t0 = g_get_monotonic_time ();
  g_assert_true (rt_job_start (job, &error));
  g_assert_cmpint (rt_job_wait (job), ==, RT_JOB_FINISHED);
  secs = (double) (g_get_monotonic_time () - t0) / 1e6;
  m = rt_job_get_checkpoint_metrics (job);
  if (m != NULL && last != NULL)
    {
      for (guint i = m->n_history; i-- > 0;)
        if (m->history[i].status == RT_CHECKPOINT_COMPLETED)
          {
            *last = m->history[i];
            last->failure = last->path = NULL;
            break;
          }
      *completed = m->n_completed;
    }
  rt_checkpoint_metrics_free (m);
  rt_job_free (job);
  return secs;
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = g_dir_make_tmp ("strom-bench-ckpt-XXXXXX", NULL);
  RtMemPool *pool = rt_mem_pool_new (256 * 1024 * 1024);
  const guint64 rows = 8000000, keys = 100000;
  const guint64 sizes[] = { 1000, 100000, 1000000 };
  g_autoptr (PlanPhysPlan) plan = keyed_count (rows, keys, G_GUINT64_CONSTANT (1) << 40);
  double best_off = 1e9, best_on = 1e9;
  guint64 completed = 0;
  g_autofree char *cmd = NULL;
  /* more rounds make the best-of figures steadier on a busy machine */
  guint rounds = g_getenv ("STROM_BENCH_ROUNDS") != NULL
                 ? (guint) MAX (g_ascii_strtoull (g_getenv ("STROM_BENCH_ROUNDS"), NULL, 10), 1)
                 : 3;

  for (guint i = 0; i < rounds; i++)
    {
      best_off = MIN (best_off, run (plan, pool, dir, 0, NULL, NULL));
      best_on = MIN (best_on, run (plan, pool, dir, 1000000, NULL, NULL));
    }
  printf ("keyed count, %" G_GUINT64_FORMAT "M rows into %" G_GUINT64_FORMAT "k keys, "
          "parallelism 1 (best of %u):\n", rows / 1000000, keys / 1000, rounds);
  printf ("  no checkpoints:         %6.2f M rows/s\n", (double) rows / best_off / 1e6);
  printf ("  checkpoint every 1 s:   %6.2f M rows/s (%.1f%% lower)\n",
          (double) rows / best_on / 1e6, 100.0 * (1.0 - best_off / best_on));

  printf ("checkpoint duration against state size (interval 500 ms):\n");
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr (PlanPhysPlan) p = keyed_count (4 * sizes[i] + 2000000, sizes[i],
                                                (4 * sizes[i] + 2000000) / 4);
      RtCheckpointStats last = { 0 };

      run (p, pool, dir, 500000, &last, &completed);
      printf ("  %7" G_GUINT64_FORMAT " keys: %10.1f KiB state, %7.1f ms (synchronous %.1f "
              "ms, alignment %.1f ms), %" G_GUINT64_FORMAT " checkpoints completed\n",
              sizes[i], (double) last.state_bytes / 1024.0,
              (double) last.duration_us / 1000.0, (double) last.sync_us / 1000.0,
              (double) last.alignment_us / 1000.0, completed);
    }
  rt_mem_pool_free (pool);
  cmd = g_strdup_printf ("rm -rf '%s'", dir);
  if (system (cmd) != 0)
    fprintf (stderr, "could not remove %s\n", dir);
  return 0;
}
