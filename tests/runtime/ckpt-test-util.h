/* ckpt-test-util.h: helpers shared by the checkpoint tests (test-checkpoint.c,
 * test-checkpoint-ops.c, test-sink-sqlite.c): compiling a script of DDL plus one INSERT
 * into an optimized physical plan, counting a plan's tasks (the fault injection names a
 * task by index), and removing a test's temporary directory tree. Static inline so every
 * test stays one source file. */
#pragma once

#include "optimizer/opt.h"
#include "plans/plan-sql.h"
#include "runtime/engine/rt-job.h"

#include <glib/gstdio.h>

/* Compiles the DDL statements and the INSERT at the given parallelism, optimized. */
static inline PlanPhysPlan *
ckpt_test_compile (const char *const *ddl, guint n_ddl, const char *insert,
                   guint parallelism)
{
  g_autoptr (PlanCatalog) catalog = plan_catalog_new ();
  g_autoptr (PlanSettings) settings = plan_settings_new ();
  g_autofree char *par = g_strdup_printf ("%u", parallelism);
  g_autoptr (PlanStatement) st = NULL;
  g_autoptr (OptResult) opt = NULL;
  GError *error = NULL;

  for (guint i = 0; i < n_ddl; i++)
    {
      g_autoptr (PlanStatement) d = plan_sql_compile_one (catalog, ddl[i], &error);

      g_assert_no_error (error);
      g_assert_true (plan_catalog_add_table (catalog, d->table, &error));
    }
  st = plan_sql_compile_one (catalog, insert, &error);
  g_assert_no_error (error);
  g_assert_true (plan_settings_set (settings, "parallelism.default", par, &error));
  opt = opt_optimize (st->plan, settings, &error);
  g_assert_no_error (error);
  return plan_phys_plan_ref (opt_result_get_physical (opt));
}

/* How many tasks (subtasks of all chains) a job of plan has; their names go to the log. */
static inline guint
ckpt_test_count_tasks (RtMemPool *pool, PlanPhysPlan *plan)
{
  GError *error = NULL;
  RtJob *job = rt_job_new (plan, pool, NULL, &error);
  RtJobMetrics *m;
  guint n;

  g_assert_no_error (error);
  m = rt_job_snapshot_metrics (job);
  n = m->n_tasks;
  for (guint i = 0; i < n; i++)
    g_test_message ("task %u: %s (subtask %u)", i, m->tasks[i].name, m->tasks[i].subtask);
  rt_job_metrics_free (m);
  rt_job_free (job);
  return n;
}

static inline void
ckpt_test_remove_tree (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (path, name, NULL);

      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        ckpt_test_remove_tree (p);
      else
        g_unlink (p);
    }
  if (d != NULL)
    g_dir_close (d);
  g_rmdir (path);
}
