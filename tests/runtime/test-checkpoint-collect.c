/* test-checkpoint-collect.c: a bare SELECT's rows (the collect sink that feeds the REPL and
 * the server) are exactly once across restarts: in a checkpointed job the sink releases
 * rows only when the checkpoint after them completed, so a restart from that checkpoint
 * does not show a row twice and loses none.
 *
 * The query keeps the ids 0 .. N-1 with id % 3 <> 1 and adds id % 7: worked out by hand,
 * every kept id must arrive exactly once with its remainder. */
#include "ckpt-test-util.h"

#include "runtime/engine/rt-checkpoint.h"

#define N 200000

typedef struct {
  char *dir;
  RtMemPool *pool;
} Fixture;

static PlanPhysPlan *
select_plan (guint64 rate, guint parallelism)
{
  g_autofree char *src = g_strdup_printf (
    "CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '%d', "
    "'rows-per-second' = '%" G_GUINT64_FORMAT "', 'fields.id.kind' = 'sequence', "
    "'fields.id.start' = '0', 'fields.id.end' = '%d')", N, rate, N - 1);
  const char *ddl[] = { src };

  return ckpt_test_compile (ddl, 1, "SELECT id, id % 7 FROM src WHERE id % 3 <> 1",
                            parallelism);
}

/* Runs the job, reading its results as a client does; checks every kept id came exactly
 * once with its remainder; returns the restarts. */
static guint
run_and_check (Fixture *f, PlanPhysPlan *plan, const RtJobConfig *cfg)
{
  GError *error = NULL;
  RtJob *job = rt_job_new (plan, f->pool, cfg, &error);
  g_autofree guint8 *seen = g_new0 (guint8, N);
  RtCheckpointMetrics *m;
  guint64 rows = 0, dup = 0, bad = 0, n_want = 0;
  gboolean end = FALSE;
  guint restarts;

  g_assert_no_error (error);
  g_assert_true (rt_job_start (job, &error));
  while (!end)
    {
      RtBatch *b = rt_job_pop_result (job, 1000000, &end);

      if (b == NULL)
        continue;
      for (guint r = 0; r < b->n_rows; r++)
        {
          PlanValue id, rem;

          rt_batch_get_value (b, 0, r, &id);
          rt_batch_get_value (b, 1, r, &rem);
          if (id.v.i < 0 || id.v.i >= N || id.v.i % 3 == 1 || rem.v.i != id.v.i % 7)
            bad++;
          else if (seen[id.v.i]++ > 0)
            dup++;
          rows++;
        }
      rt_batch_unref (b);
    }
  g_assert_cmpint (rt_job_wait (job), ==, RT_JOB_FINISHED);
  m = rt_job_get_checkpoint_metrics (job);
  restarts = m != NULL ? m->n_restarts : 0;
  g_test_message ("%" G_GUINT64_FORMAT " rows, %" G_GUINT64_FORMAT " twice, %u restarts, %"
                  G_GUINT64_FORMAT " checkpoints, restored %s", rows, dup, restarts,
                  m != NULL ? m->n_completed : 0,
                  m != NULL && m->restored_from != NULL ? m->restored_from : "nothing");
  rt_checkpoint_metrics_free (m);
  rt_job_free (job);
  for (gint64 id = 0; id < N; id++)
    if (id % 3 != 1)
      {
        n_want++;
        g_assert_cmpuint (seen[id], ==, 1);
      }
  g_assert_cmpuint (bad, ==, 0);
  g_assert_cmpuint (dup, ==, 0);
  g_assert_cmpuint (rows, ==, n_want);
  return restarts;
}

static void
config_init (Fixture *f, RtJobConfig *cfg)
{
  ckpt_test_config_init (cfg, f->dir, 50000);
  cfg->job_id = "collect";
  cfg->restart_attempts = 2;
}

/* A source task fails at a random row, 8 seeds at parallelism 2; a run without
 * checkpoints and one without failure first. */
static void
test_failures (void)
{
  Fixture f = { g_dir_make_tmp ("strom-collect-XXXXXX", NULL),
                rt_mem_pool_new (64 * 1024 * 1024) };
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);
  guint restored = 0;

  for (guint run = 0; run < 10; run++)
    {
      /* 200k rows at 400k rows/s: 0.5 s, about ten checkpoints */
      g_autoptr (PlanPhysPlan) plan = select_plan (400000, 2);
      RtJobConfig cfg;

      config_init (&f, &cfg);
      if (run == 0)
        cfg.checkpoint_interval_us = 0; /* rows go straight out */
      if (run >= 2)
        {
          cfg.fail_point = RT_FAIL_ROWS;
          cfg.fail_task = 0;
          /* task 0 emits the kept third of its half: N / 3 rows (the filter is pushed
           * into the source) */
          cfg.fail_after_rows = (guint64) g_rand_int_range (rand, N / 20, N / 3 - 1000);
          cfg.fail_armed_checkpoint = run % 2; /* half after a completed checkpoint */
        }
      if (run == 0)
        ckpt_test_count_tasks (f.pool, plan); /* their names to the log */
      g_test_message ("run %u: task %u fails after %" G_GUINT64_FORMAT " rows", run,
                      cfg.fail_task, cfg.fail_point == RT_FAIL_ROWS ? cfg.fail_after_rows : 0);
      restored += run_and_check (&f, plan, &cfg);
      ckpt_test_remove_tree (f.dir);
      g_assert_cmpint (g_mkdir_with_parents (f.dir, 0755), ==, 0);
    }
  g_assert_cmpuint (restored, ==, 8); /* every failing run restarted once */
  ckpt_test_remove_tree (f.dir);
  g_free (f.dir);
  rt_mem_pool_free (f.pool);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/checkpoint-collect/failures", test_failures);
  return g_test_run ();
}
