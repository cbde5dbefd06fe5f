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

#include <string.h>

#define N_ROWS 20000

/* The committed rows wanted: "id,n<id % 5>" once for each id with id % 5 != 4 (new). */
static GHashTable *
expected_rows (void)
{
  GHashTable *want = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint id = 0; id < N_ROWS; id++)
    if (id % 5 != 4)
      {
        g_autofree char *line = g_strdup_printf ("%u,n%u", id, id % 5);

        ckpt_test_multiset_add (want, line, 1);
      }
  g_assert_cmpuint (g_hash_table_size (want), ==, 16000);
  return want;
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
  g_autofree char *dim = NULL, *src = NULL, *tab = NULL, *dst = NULL;
  g_autoptr (GHashTable) want = expected_rows ();
  g_autoptr (PlanPhysPlan) plan = NULL;
  char *dir, *out, *chk;
  RtMemPool *pool;
  RtJobConfig cfg;

  ckpt_test_dirs_init ("strom-ckpt-lookup-XXXXXX", &dir, &out, &chk, &pool);
  dim = g_build_filename (dir, "dim.csv", NULL);
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
  ckpt_test_config_init (&cfg, chk, 5000);
  for (guint i = 0; i < G_N_ELEMENTS (fails); i++)
    {
      g_autoptr (GHashTable) got = NULL;
      RtCheckpointMetrics *m = ckpt_test_run_failing (pool, plan, &cfg, fails[i].point,
                                                      fails[i].checkpoint, 0,
                                                      join_task (pool, plan));

      g_assert_nonnull (m->restored_from);
      g_assert_cmpuint (m->n_completed, >=, 2);
      rt_checkpoint_metrics_free (m);
      got = ckpt_test_read_output (out, FALSE, NULL);
      ckpt_test_assert_same (got, want, "lookup join");
      ckpt_test_remove_tree (out);
      ckpt_test_remove_tree (chk);
    }
  ckpt_test_dirs_clear (dir, out, chk, pool);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/lookup-checkpoint/failures", test_failures);
  return g_test_run ();
}
