/* ckpt-test-util.h: helpers shared by the checkpoint tests (test-checkpoint*.c,
 * test-sink-sqlite.c): compiling a script of DDL plus one INSERT into an optimized
 * physical plan, counting a plan's tasks (the fault injection names a task by index), a
 * test's temporary directories and memory pool, the checkpointed job configuration, running
 * a job to its end, running it with one injected failure or once per injected failure,
 * reading a filesystem sink's committed part files as a multiset and comparing two
 * multisets, and removing a test's temporary directory tree. Static inline so every test
 * stays one source file. When <sqlite3.h> is included first, a SQLite query's rows as a
 * multiset too. */
#pragma once

#include "optimizer/opt.h"
#include "plans/plan-sql.h"
#include "runtime/engine/rt-checkpoint.h"
#include "runtime/engine/rt-job.h"

#include <glib/gstdio.h>
#include <string.h>

/* Compiles the DDL statements and the INSERT under the settings sets[i] = { key, value },
 * optimized. */
static inline PlanPhysPlan *
ckpt_test_compile_with (const char *const *ddl, guint n_ddl, const char *insert,
                        const char *const (*sets)[2], guint n_sets)
{
  g_autoptr (PlanCatalog) catalog = plan_catalog_new ();
  g_autoptr (PlanSettings) settings = plan_settings_new ();
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
  /* checkpoints are streaming's: over bounded sources the default ('automatic') would plan
   * batch operators, which take none; sets may still choose another mode */
  g_assert_true (plan_settings_set (settings, "execution.runtime-mode", "streaming", &error));
  for (guint i = 0; i < n_sets; i++)
    g_assert_true (plan_settings_set (settings, sets[i][0], sets[i][1], &error));
  opt = opt_optimize (st->plan, settings, &error);
  g_assert_no_error (error);
  return plan_phys_plan_ref (opt_result_get_physical (opt));
}

/* Compiles the DDL statements and the INSERT at the given parallelism, optimized. */
static inline PlanPhysPlan *
ckpt_test_compile (const char *const *ddl, guint n_ddl, const char *insert,
                   guint parallelism)
{
  g_autofree char *par = g_strdup_printf ("%u", parallelism);
  const char *const sets[][2] = { { "parallelism.default", par } };

  return ckpt_test_compile_with (ddl, n_ddl, insert, sets, G_N_ELEMENTS (sets));
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

/* A time in ms since the epoch as a TIMESTAMP(3) literal in UTC, "2026-01-01 00:00:00.000"
 * (new). */
static inline char *
ckpt_test_format_ts (gint64 ms)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (ms / 1000);
  g_autofree char *s = g_date_time_format (t, "%Y-%m-%d %H:%M:%S");

  return g_strdup_printf ("%s.%03d", s, (int) (ms % 1000));
}

/* A fresh temporary directory from tmpl (g_dir_make_tmp) with the paths of a sink's
 * output ("out") and of the checkpoints ("chk") in it, and a 64 MiB pool; all new. */
static inline void
ckpt_test_dirs_init (const char *tmpl, char **dir, char **out, char **chk, RtMemPool **pool)
{
  GError *error = NULL;

  *dir = g_dir_make_tmp (tmpl, &error);
  g_assert_no_error (error);
  *out = g_build_filename (*dir, "out", NULL);
  *chk = g_build_filename (*dir, "chk", NULL);
  *pool = rt_mem_pool_new (64 * 1024 * 1024);
}

/* Removes the directory tree and frees what ckpt_test_dirs_init made. */
static inline void
ckpt_test_dirs_clear (char *dir, char *out, char *chk, RtMemPool *pool)
{
  ckpt_test_remove_tree (dir);
  g_free (dir);
  g_free (out);
  g_free (chk);
  rt_mem_pool_free (pool);
}

/* A checkpointed job's configuration: a checkpoint every interval_us into chk (borrowed),
 * two retained, 60 s timeout, job id "job", three restart attempts without delay and a
 * watermark after every batch. */
static inline void
ckpt_test_config_init (RtJobConfig *cfg, const char *chk, gint64 interval_us)
{
  rt_job_config_init (cfg);
  cfg->checkpoint_interval_us = interval_us;
  cfg->checkpoint_timeout_us = G_GINT64_CONSTANT (60000000);
  cfg->checkpoints_retained = 2;
  cfg->checkpoint_dir = chk;
  cfg->job_id = "job";
  cfg->restart_attempts = 3;
  cfg->restart_delay_us = 0;
  cfg->watermark_interval_us = 0;
}

/* Runs a job of plan to its end and returns its final status; hands out its checkpoint
 * and job metrics when asked (nullable). When it did not finish, its error goes to
 * job_error, or to the test log when job_error is NULL. */
static inline RtJobStatus
ckpt_test_run_job (RtMemPool *pool, PlanPhysPlan *plan, const RtJobConfig *cfg,
                   RtCheckpointMetrics **metrics, RtJobMetrics **job_metrics,
                   GError **job_error)
{
  GError *error = NULL;
  RtJob *job = rt_job_new (plan, pool, cfg, &error);
  RtJobStatus status;

  g_assert_no_error (error);
  g_assert_true (rt_job_start (job, &error));
  status = rt_job_wait (job);
  if (status != RT_JOB_FINISHED)
    {
      GError *e = rt_job_dup_error (job);

      if (job_error != NULL)
        *job_error = e;
      else
        {
          g_test_message ("job ended %s: %s", rt_job_status_name (status),
                          e != NULL ? e->message : "-");
          g_clear_error (&e);
        }
    }
  if (metrics != NULL)
    *metrics = rt_job_get_checkpoint_metrics (job);
  if (job_metrics != NULL)
    *job_metrics = rt_job_snapshot_metrics (job);
  rt_job_free (job);
  return status;
}

/* Runs the job to its end, which must be FINISHED (else the test fails with the job's
 * error); returns its checkpoint metrics and, when wanted, its job metrics. */
static inline RtCheckpointMetrics *
ckpt_test_run_finished (RtMemPool *pool, PlanPhysPlan *plan, const RtJobConfig *cfg,
                        RtJobMetrics **job_metrics)
{
  RtCheckpointMetrics *m = NULL;
  GError *e = NULL;
  RtJobStatus status = ckpt_test_run_job (pool, plan, cfg, &m, job_metrics, &e);

  if (status != RT_JOB_FINISHED)
    g_error ("job ended %s: %s", rt_job_status_name (status), e != NULL ? e->message : "-");
  g_assert_nonnull (m);
  return m;
}

/* Runs a job of plan with a copy of base whose first attempt fails on purpose at point in
 * task (at checkpoint; RT_FAIL_ROWS: after rows rows, once a checkpoint completed), armed
 * so that sources wait for the failure at their end. The job must end FINISHED after
 * exactly one restart; logs the checkpoints that failed and returns the checkpoint metrics. */
static inline RtCheckpointMetrics *
ckpt_test_run_failing (RtMemPool *pool, PlanPhysPlan *plan, const RtJobConfig *base,
                       RtFailPoint point, gint64 checkpoint, guint64 rows, guint task)
{
  RtJobConfig cfg = *base;
  RtCheckpointMetrics *m;

  cfg.fail_point = point;
  cfg.fail_checkpoint = checkpoint;
  cfg.fail_after_rows = rows;
  cfg.fail_task = task;
  cfg.fail_armed_checkpoint = 1;
  m = ckpt_test_run_finished (pool, plan, &cfg, NULL);
  for (guint h = 0; h < m->n_history; h++)
    if (m->history[h].failure != NULL)
      g_test_message ("checkpoint %" G_GINT64_FORMAT ": %s", m->history[h].id,
                      m->history[h].failure);
  g_test_message ("fail point %u in task %u: %u restarts, %" G_GUINT64_FORMAT " checkpoints, "
                  "restored %s", (guint) point, task, m->n_restarts, m->n_completed,
                  m->restored_from != NULL ? m->restored_from : "nothing");
  g_assert_cmpuint (m->n_restarts, ==, 1);
  return m;
}

/* Adds sign to the multiplicity of line in rows (line -> count). */
static inline void
ckpt_test_multiset_add (GHashTable *rows, const char *line, gint sign)
{
  gint n = GPOINTER_TO_INT (g_hash_table_lookup (rows, line)) + sign;

  g_hash_table_replace (rows, g_strdup (line), GINT_TO_POINTER (n));
}

/* Applies the committed part files in the sink directory out (hidden in-progress files
 * are not output) as a multiset, line -> multiplicity: with changelog, +I/+U lines add
 * their row and -U/-D lines remove it, and the -U lines are counted into *n_update_before
 * (nullable); else every line adds one. */
static inline GHashTable *
ckpt_test_read_output (const char *out, gboolean changelog, guint *n_update_before)
{
  GHashTable *rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GDir *d = g_dir_open (out, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (out, name, NULL);
      g_autofree char *text = NULL;
      g_auto (GStrv) lines = NULL;

      if (name[0] == '.')
        continue; /* in progress, not committed */
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          const char *l = lines[i];

          if (*l == '\0')
            continue;
          if (!changelog)
            {
              ckpt_test_multiset_add (rows, l, 1);
              continue;
            }
          g_assert_true (strlen (l) >= 3 && l[2] == ',');
          if (n_update_before != NULL && strncmp (l, "-U", 2) == 0)
            ++*n_update_before;
          ckpt_test_multiset_add (rows, l + 3, l[0] == '+' ? 1 : -1);
        }
    }
  g_dir_close (d);
  return rows;
}

/* Fails the test when the multiset got is not exactly want (rows of multiplicity 0 in got
 * count as absent), naming up to five differing rows; want must not be empty. */
static inline void
ckpt_test_assert_same (GHashTable *got, GHashTable *want, const char *what)
{
  GHashTableIter it;
  gpointer key, value;
  guint bad = 0;
  gint64 n_want = 0;

  g_hash_table_iter_init (&it, want);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      gint g = GPOINTER_TO_INT (g_hash_table_lookup (got, key));

      n_want += GPOINTER_TO_INT (value);
      if (g != GPOINTER_TO_INT (value) && bad++ < 5)
        g_test_message ("%s: row (%s) committed %d times, expected %d", what,
                        (const char *) key, g, GPOINTER_TO_INT (value));
    }
  g_hash_table_iter_init (&it, got);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (GPOINTER_TO_INT (value) != 0 && !g_hash_table_contains (want, key) && bad++ < 5)
      g_test_message ("%s: unexpected row (%s) committed %d times", what, (const char *) key,
                      GPOINTER_TO_INT (value));
  if (bad > 0)
    g_error ("%s: the committed output differs from the expected %" G_GINT64_FORMAT " rows "
             "(%u distinct) in %u rows", what, n_want, g_hash_table_size (want), bad);
  g_assert_cmpuint (g_hash_table_size (want), >, 0);
}

/* Where a run fails: after `rows` rows of task `task` (< 0: counted from the last). */
typedef struct {
  gint task;
  guint64 rows;
} CkptTestFailAt;

/* Runs plan once per failure point with a copy of base (RT_FAIL_ROWS; armed: only after
 * a completed checkpoint), each into a fresh sink directory out and checkpoint directory
 * base->checkpoint_dir, and compares the committed output with want; every run must
 * restart exactly once. Returns how many runs restored a checkpoint (rather than starting
 * over because none had completed yet). */
static inline guint
ckpt_test_run_with_failures (RtMemPool *pool, PlanPhysPlan *plan, const RtJobConfig *base,
                             gboolean armed, const char *out, const CkptTestFailAt *at,
                             guint n_at, gboolean changelog, GHashTable *want,
                             const char *what)
{
  guint n_tasks = ckpt_test_count_tasks (pool, plan), restored = 0;

  for (guint i = 0; i < n_at; i++)
    {
      g_autoptr (GHashTable) got = NULL;
      RtCheckpointMetrics *m;
      RtJobConfig cfg = *base;

      cfg.fail_point = RT_FAIL_ROWS;
      cfg.fail_task = at[i].task >= 0 ? (guint) at[i].task : n_tasks - (guint) -at[i].task;
      cfg.fail_after_rows = at[i].rows;
      cfg.fail_armed_checkpoint = armed;
      m = ckpt_test_run_finished (pool, plan, &cfg, NULL);
      g_test_message ("%s: fail task %u of %u after %" G_GUINT64_FORMAT " rows: %u restarts, "
                      "%" G_GUINT64_FORMAT " checkpoints, restored %s", what, cfg.fail_task,
                      n_tasks, cfg.fail_after_rows, m->n_restarts, m->n_completed,
                      m->restored_from != NULL ? m->restored_from : "nothing");
      g_assert_cmpuint (m->n_restarts, ==, 1); /* the failure happened */
      restored += m->restored_from != NULL;
      got = ckpt_test_read_output (out, changelog, NULL);
      ckpt_test_assert_same (got, want, what);
      rt_checkpoint_metrics_free (m);
      ckpt_test_remove_tree (out);
      ckpt_test_remove_tree (base->checkpoint_dir);
    }
  return restored;
}

/* Runs a job of plan with cfg until checkpoint upto has completed (within 30 s), then
 * stops it with a savepoint in sp_dir; returns the savepoint's path (new). */
static inline char *
ckpt_test_savepoint (RtMemPool *pool, PlanPhysPlan *plan, const RtJobConfig *cfg, gint64 upto,
                     const char *sp_dir)
{
  GError *error = NULL;
  RtJob *job = rt_job_new (plan, pool, cfg, &error);
  char *savepoint;

  g_assert_no_error (error);
  g_assert_true (rt_job_start (job, &error));
  g_assert_true (rt_job_wait_checkpoint (job, upto, G_GINT64_CONSTANT (30000000)));
  savepoint = rt_job_stop_with_savepoint (job, sp_dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (savepoint);
  g_assert_cmpint (rt_job_wait (job), ==, RT_JOB_CANCELLED);
  rt_job_free (job);
  return savepoint;
}

/* Resumes plan from savepoint with a copy of base (job id "resumed") and runs it to its
 * end, which must be FINISHED and restored from the savepoint. */
static inline void
ckpt_test_resume (RtMemPool *pool, PlanPhysPlan *plan, const RtJobConfig *base,
                  const char *savepoint)
{
  RtJobConfig cfg = *base;
  RtCheckpointMetrics *m;

  cfg.restore_path = savepoint;
  cfg.job_id = "resumed";
  m = ckpt_test_run_finished (pool, plan, &cfg, NULL);
  g_assert_nonnull (m->restored_from);
  rt_checkpoint_metrics_free (m);
}

#ifdef SQLITE_VERSION
/* The rows of a SQLite query as a multiset of CSV lines (NULL as an empty field, as the
 * filesystem sink writes it): line -> count. */
static inline GHashTable *
ckpt_test_sql_multiset (sqlite3 *db, const char *sql)
{
  GHashTable *rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *st = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK)
    g_error ("sqlite: %s in %s", sqlite3_errmsg (db), sql);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      g_autoptr (GString) line = g_string_new (NULL);

      for (int c = 0; c < sqlite3_column_count (st); c++)
        {
          const unsigned char *t = sqlite3_column_text (st, c);

          if (c > 0)
            g_string_append_c (line, ',');
          if (t != NULL)
            g_string_append (line, (const char *) t);
        }
      ckpt_test_multiset_add (rows, line->str, 1);
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (st);
  return rows;
}
#endif
