/* test-lookup-checkpoint.c: a lookup join in a checkpointed job. The table's scan is a
 * bounded task that ends as soon as the table is read; it takes no part in checkpoints
 * (rt-job.c's replayable tasks), so checkpoints go on after it ended, and a restored
 * attempt reads the table again before it joins the replayed stream.
 *
 * The stream: 20000 datagen rows, id 0 .. 19999 in sequence, k = id % 5, at 20000 rows/s
 * (about a second). The table: k 0 .. 3 named "n<k>"; k 4 has no row, so an inner join
 * keeps the ids with id % 5 != 4: 16000 rows, each exactly once in the committed files
 * whatever failure happened (checked id by id). Failures: after checkpoint 2 committed,
 * and at checkpoint 3's barrier in the join's task; each must restart once and restore. */
#include "runtime/engine/rt-checkpoint.h"
#include "ckpt-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

#define N_ROWS 20000

/* Every committed row of out: "id,name" with name n<id % 5>, each id at most once; the
 * number of ids seen. */
static guint
check_rows (const char *out)
{
  g_autofree gboolean *seen = g_new0 (gboolean, N_ROWS);
  GDir *d = g_dir_open (out, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (out, name, NULL);
      g_autofree char *body = NULL;
      g_auto (GStrv) lines = NULL;

      if (name[0] == '.')
        continue; /* in progress or staged, not committed */
      g_assert_true (g_file_get_contents (path, &body, NULL, NULL));
      lines = g_strsplit (body, "\n", -1);
      for (guint l = 0; lines[l] != NULL && lines[l][0] != '\0'; l++)
        {
          g_auto (GStrv) v = g_strsplit (lines[l], ",", 2);
          guint64 id = g_ascii_strtoull (v[0], NULL, 10);
          g_autofree char *want = g_strdup_printf ("n%u", (guint) (id % 5));

          g_assert_cmpuint (g_strv_length (v), ==, 2);
          g_assert_cmpuint (id, <, N_ROWS);
          g_assert_cmpstr (v[1], ==, want);
          g_assert_false (seen[id]);
          seen[id] = TRUE;
          n++;
        }
    }
  g_dir_close (d);
  return n;
}

/* The index of the task whose chain runs the lookup join (the task names are logged). */
static guint
join_task (RtMemPool *pool, PlanPhysPlan *plan)
{
  GError *error = NULL;
  RtJob *job = rt_job_new (plan, pool, NULL, &error);
  g_autoptr (GString) names = g_string_new (NULL);
  RtJobMetrics *m;
  guint found = G_MAXUINT;

  g_assert_no_error (error);
  m = rt_job_snapshot_metrics (job);
  for (guint i = 0; i < m->n_tasks; i++)
    if (strstr (m->tasks[i].name, "LookupJoin") != NULL)
      found = i;
  rt_job_metrics_free (m);
  rt_job_free (job);
  g_assert_cmpuint (found, !=, G_MAXUINT);
  return found;
}

static void
test_failures (void)
{
  static const struct { RtFailPoint point; gint64 checkpoint; } fails[] = {
    { RT_FAIL_AFTER_METADATA, 2 }, { RT_FAIL_BEFORE_SNAPSHOT, 3 },
  };
  GError *error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strom-ckpt-lookup-XXXXXX", &error);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *chk = g_build_filename (dir, "chk", NULL);
  g_autofree char *dim = g_build_filename (dir, "dim.csv", NULL);
  g_autofree char *src = NULL, *tab = NULL, *dst = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  RtMemPool *pool = rt_mem_pool_new (64 * 1024 * 1024);

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (dim, "0,n0\n1,n1\n2,n2\n3,n3\n", -1, NULL));
  src = g_strdup_printf ("CREATE TABLE s (id BIGINT, k AS CAST(id %% 5 AS INT), "
                         "pt AS PROCTIME()) WITH ('connector' = 'datagen', "
                         "'number-of-rows' = '%d', 'rows-per-second' = '20000', "
                         "'fields.id.kind' = 'sequence', 'fields.id.start' = '0', "
                         "'fields.id.end' = '%d')", N_ROWS, N_ROWS - 1);
  tab = g_strdup_printf ("CREATE TABLE dim (k INT, name VARCHAR) WITH ('connector' = "
                         "'filesystem', 'path' = '%s', 'format' = 'csv')", dim);
  dst = g_strdup_printf ("CREATE TABLE dst (id BIGINT, name VARCHAR) WITH ('connector' = "
                         "'filesystem', 'path' = '%s', 'format' = 'csv')", out);
  {
    const char *ddl[] = { src, tab, dst };

    plan = ckpt_test_compile (ddl, 3, "INSERT INTO dst SELECT s.id, d.name FROM s JOIN dim "
                              "FOR SYSTEM_TIME AS OF s.pt AS d ON s.k = d.k", 1);
  }
  for (guint i = 0; i < G_N_ELEMENTS (fails); i++)
    {
      RtCheckpointMetrics *m;
      RtJobConfig cfg;
      RtJob *job;

      rt_job_config_init (&cfg);
      cfg.checkpoint_interval_us = 5000;
      cfg.checkpoint_timeout_us = G_GINT64_CONSTANT (60000000);
      cfg.checkpoints_retained = 2;
      cfg.checkpoint_dir = chk;
      cfg.job_id = "job";
      cfg.restart_attempts = 3;
      cfg.restart_delay_us = 0;
      cfg.fail_point = fails[i].point;
      cfg.fail_checkpoint = fails[i].checkpoint;
      cfg.fail_task = join_task (pool, plan);
      cfg.fail_armed_checkpoint = 1; /* the stream's source waits for the failure */
      job = rt_job_new (plan, pool, &cfg, &error);
      g_assert_no_error (error);
      g_assert_true (rt_job_start (job, &error));
      g_assert_cmpint (rt_job_wait (job), ==, RT_JOB_FINISHED);
      m = rt_job_get_checkpoint_metrics (job);
      rt_job_free (job);
      for (guint h = 0; h < m->n_history; h++)
        if (m->history[h].failure != NULL)
          g_test_message ("checkpoint %" G_GINT64_FORMAT ": %s", m->history[h].id,
                          m->history[h].failure);
      g_assert_cmpuint (m->n_restarts, ==, 1);
      g_assert_nonnull (m->restored_from);
      g_assert_cmpuint (m->n_completed, >=, 2);
      rt_checkpoint_metrics_free (m);
      g_assert_cmpuint (check_rows (out), ==, N_ROWS / 5 * 4);
      ckpt_test_remove_tree (out);
      ckpt_test_remove_tree (chk);
    }
  plan_phys_plan_unref (g_steal_pointer (&plan));
  g_unlink (dim);
  ckpt_test_remove_tree (dir);
  rt_mem_pool_free (pool);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/lookup-checkpoint/failures", test_failures);
  return g_test_run ();
}
