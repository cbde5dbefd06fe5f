/* test-proctime-window.c: processing-time TUMBLE windows (plans/plan-proctime.c, the
 * routing in optimizer/opt-window.c, runtime/engine/rt-op-proctime-window.c).
 *
 * The query is planned from SQL (legacy GROUP BY TUMBLE over a PROCTIME() column, and the
 * window TVF form), then its window aggregate is driven directly with a fake clock
 * (rt_proctime_set_clock), so no test waits on the real one: windows are assigned by the
 * clock when a row arrives, whatever window the row carried, and fire when the clock has
 * passed their end and the operator runs (a row or an event). Expected rows worked out by
 * hand from the clock readings. */
#include "runtime/engine/rt-operator.h"
#include "runtime/engine/rt-checkpoint.h"
#include "ckpt-test-util.h"
#include "rt-test-util.h"
#include "../plans/plan-test-util.h"
#include "optimizer/opt.h"

#include <string.h>

static const char *const setup_sql =
  "CREATE TABLE t (k INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) "
  "WITH ('connector' = 'datagen');";

#define LEGACY "SELECT k, COUNT(*) AS n, TUMBLE_START(p, INTERVAL '10' SECOND) AS s FROM " \
  "(SELECT k, PROCTIME() AS p FROM t) GROUP BY k, TUMBLE(p, INTERVAL '10' SECOND)"
typedef struct {
  PlanCatalog *catalog;
  PlanStatement *stmt;
  OptResult *opt;
  const PlanPhysNode *agg; /* borrowed from opt */
} Planned;

static void
plan_query (Planned *p, const char *sql, guint parallelism)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanSettings) settings = plan_settings_new ();
  g_autofree char *par = g_strdup_printf ("%u", parallelism);
  const PlanPhysPlan *phys;

  p->catalog = plan_test_catalog_new (setup_sql);
  g_assert_true (plan_settings_set (settings, "parallelism.default", par, &error));
  p->stmt = plan_test_compile_ok (p->catalog, sql);
  p->opt = opt_optimize (p->stmt->plan, settings, &error);
  g_assert_no_error (error);
  phys = opt_result_get_physical (p->opt);
  p->agg = NULL;
  for (guint i = 0; i < phys->nodes->len; i++)
    if (((PlanPhysNode *) phys->nodes->pdata[i])->kind == PLAN_PHYS_WINDOW_AGGREGATE)
      p->agg = phys->nodes->pdata[i];
  g_assert_nonnull (p->agg);
}

static void
planned_clear (Planned *p)
{
  g_clear_pointer (&p->opt, opt_result_free);
  g_clear_pointer (&p->stmt, plan_statement_free);
  g_clear_pointer (&p->catalog, plan_catalog_free);
}

/* Recognised as processing time, routed by k alone (not by the provisional windows). */
static void
test_plan (void)
{
  Planned p = { 0 };
  const PlanPhysInput *in;

  plan_query (&p, LEGACY, 2);
  g_assert_true (plan_phys_is_proctime_window (p.agg));
  in = &p.agg->inputs[0];
  g_assert_cmpint (in->exchange, ==, PLAN_EXCHANGE_HASH);
  g_assert_cmpuint (in->n_keys, ==, 1);
  g_assert_cmpstr (in->node->schema->fields[in->keys[0]].name, ==, "k");
  planned_clear (&p);
  /* an event-time window is not */
  plan_query (&p, "SELECT k, COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), "
              "INTERVAL '10' SECOND)) GROUP BY k, window_start, window_end", 2);
  g_assert_false (plan_phys_is_proctime_window (p.agg));
  /* hashed on k below the TVF, the aggregate chained behind it (opt-window.c) */
  g_assert_cmpint (p.agg->inputs[0].exchange, ==, PLAN_EXCHANGE_FORWARD);
  g_assert_cmpuint (p.agg->inputs[0].n_keys, ==, 1);
  planned_clear (&p);
}

/* ---- the operator with a fake clock ------------------------------------------------- */

typedef struct {
  RtMemPool *pool;
  RtOpContext ctx;
  RtOperator *op;
  GPtrArray *out;
  gint64 now;
  guint next;
  guint start_col, end_col, k_col; /* input columns */
  PlanSchema *in_schema;           /* borrowed */
} Fixture;

static gint64
fake_clock (gpointer data)
{
  return ((Fixture *) data)->now;
}

static RtResult
collect (void *data, RtBatch *batch, GError **error)
{
  rt_test_collect_lines (((Fixture *) data)->out, batch, TRUE);
  return RT_OK;
}

static void
fixture_init (Fixture *f, const PlanPhysNode *agg)
{
  g_autoptr (GError) error = NULL;
  const PlanAggregate *a = &agg->u.window_agg.agg;

  f->pool = rt_mem_pool_new (8 * 1024 * 1024);
  f->ctx = (RtOpContext) { .pool = f->pool, .parallelism = 1, .batch_size = 8 };
  f->out = g_ptr_array_new_with_free_func (g_free);
  f->in_schema = agg->inputs[0].node->schema;
  f->start_col = a->keys[agg->u.window_agg.start_key];
  f->end_col = a->keys[agg->u.window_agg.end_key];
  for (guint k = 0; k < a->n_keys; k++)
    if (k != agg->u.window_agg.start_key && k != agg->u.window_agg.end_key)
      f->k_col = a->keys[k];
  rt_proctime_set_clock (fake_clock, f);
  f->op = rt_op_proctime_window_new (agg, &error);
  g_assert_no_error (error);
  f->op->ctx = &f->ctx;
  f->op->sink_fn = collect;
  f->op->sink_data = f;
  g_assert_true (f->op->klass->open (f->op, &error));
}

static void
fixture_clear (Fixture *f)
{
  rt_operator_free (f->op);
  rt_proctime_set_clock (NULL, NULL);
  g_ptr_array_unref (f->out);
  g_assert_cmpuint (rt_mem_pool_get_used (f->pool), ==, 0);
  rt_mem_pool_free (f->pool);
}

/* Rows of keys ks (-1 ends the list), each carrying a bogus provisional window. */
static void
feed (Fixture *f, const gint *ks)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtBatch) b = rt_batch_new (f->pool, f->in_schema, 16, &error);

  for (guint i = 0; ks[i] >= 0; i++)
    {
      PlanValue *v = g_new0 (PlanValue, f->in_schema->n_fields);

      for (guint c = 0; c < f->in_schema->n_fields; c++)
        {
          v[c].type = f->in_schema->fields[c].type;
          v[c].is_null = c != f->start_col && c != f->end_col && c != f->k_col;
        }
      v[f->start_col].v.i = 123000; /* not the window the clock gives */
      v[f->end_col].v.i = 133000;
      v[f->k_col].v.i = ks[i];
      g_assert_true (rt_batch_append_values (b, v, &error));
      b->kinds[i] = RT_ROW_INSERT;
      g_free (v);
    }
  g_assert_cmpint (f->op->klass->process (f->op, b, 0, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static void
event (Fixture *f, RtEventKind kind, gint64 value)
{
  g_autoptr (GError) error = NULL;
  RtEvent ev = { kind, value, 0 };

  g_assert_cmpint (f->op->klass->on_event (f->op, &ev, 0, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The output since the last check, as a sorted set, must equal want. */
static void
expect (Fixture *f, const char *const *want)
{
  g_autoptr (GPtrArray) got = g_ptr_array_new ();
  guint n = g_strv_length ((char **) want);

  for (guint i = f->next; i < f->out->len; i++)
    g_ptr_array_add (got, f->out->pdata[i]);
  g_ptr_array_sort (got, cmp_str);
  g_assert_cmpuint (got->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (got->pdata[i], ==, want[i]);
  f->next = f->out->len;
}

#define KEYS(...) ((const gint[]) { __VA_ARGS__, -1 })
#define EXPECT(f, ...) expect (f, (const char *const[]) { __VA_ARGS__, NULL })
#define EXPECT_NONE(f) expect (f, (const char *const[]) { NULL })

/* Output columns: window_start, window_end, k, COUNT(*). */
static void
run_clock (const char *sql)
{
  Planned p = { 0 };
  Fixture f = { 0 };
  const PlanSchema *s;

  plan_query (&p, sql, 1);
  g_assert_true (plan_phys_is_proctime_window (p.agg));
  s = p.agg->schema;
  g_assert_cmpstr (s->fields[0].name, ==, "window_start");
  g_assert_cmpstr (s->fields[1].name, ==, "window_end");
  g_assert_cmpstr (s->fields[2].name, ==, "k");
  fixture_init (&f, p.agg);
  f.now = 1000;
  feed (&f, KEYS (1, 1, 2));         /* window [0, 10000) by the clock */
  f.now = 9999;
  feed (&f, KEYS (1));               /* still [0, 10000) */
  EXPECT_NONE (&f);
  f.now = 10000;                     /* [0, 10000) has ended: fires when the operator runs */
  EXPECT_NONE (&f);
  event (&f, RT_EVENT_WATERMARK, 5); /* any event; its event time does not matter */
  EXPECT (&f, "+I 0 10000 1 3", "+I 0 10000 2 1");
  feed (&f, KEYS (2, 3));            /* at 10000: [10000, 20000) */
  f.now = 8000;                      /* a clock going back is ignored */
  feed (&f, KEYS (3));
  f.now = 35000;                     /* the row at 35000 is in [30000, 40000) ... */
  feed (&f, KEYS (3));               /* ... and [10000, 20000) fires after it is placed */
  EXPECT (&f, "+I 10000 20000 2 1", "+I 10000 20000 3 2");
  event (&f, RT_EVENT_IDLE, 1);
  EXPECT_NONE (&f);
  g_assert_cmpuint (f.op->late_records_dropped, ==, 0);
  g_assert_cmpint (f.op->klass->finish (f.op, NULL), ==, RT_OK); /* end of input: the rest */
  EXPECT (&f, "+I 30000 40000 3 1");
  fixture_clear (&f);
  planned_clear (&p);
}

static void
test_clock_legacy (void)
{
  run_clock (LEGACY);
}

/* The operator's processing-time timer: set at the end of the window that has rows, and
 * on_proctime fires that window with no row or event after it. */
static void
test_timer (void)
{
  Planned p = { 0 };
  Fixture f = { 0 };
  g_autoptr (GError) error = NULL;

  plan_query (&p, LEGACY, 1);
  fixture_init (&f, p.agg);
  g_assert_cmpint (f.op->proctime_timer_ms, ==, G_MAXINT64); /* nothing to fire */
  g_assert_nonnull (f.op->klass->on_proctime);
  f.now = 21000;
  feed (&f, KEYS (4, 4));            /* [20000, 30000) */
  g_assert_cmpint (f.op->proctime_timer_ms, ==, 30000);
  f.now = 30000;
  f.op->proctime_timer_ms = G_MAXINT64; /* as the task does before calling */
  g_assert_cmpint (f.op->klass->on_proctime (f.op, 30000, &error), ==, RT_OK);
  g_assert_no_error (error);
  EXPECT (&f, "+I 20000 30000 4 2");
  g_assert_cmpint (f.op->proctime_timer_ms, ==, G_MAXINT64); /* no open window left */
  fixture_clear (&f);
  planned_clear (&p);
}

/* ---- the task's timer service ----------------------------------------------------------
 * One datagen row, then none for 1000 s (rows-per-second 0.001): the row's window
 * [0, 10000) by the test's clock must fire once the clock passes 10000, with no further
 * row, event or end of input to make the operator run. */

static gint64 job_clock_ms;

static gint64
job_clock (gpointer data)
{
  return __atomic_load_n (&job_clock_ms, __ATOMIC_RELAXED); /* read by the task thread */
}

static void
test_timer_service (void)
{
  const char *ddl[] = {
    "CREATE TABLE t (k INT, pt AS PROCTIME()) WITH ('connector' = 'datagen', "
    "'rows-per-second' = '0.001', 'fields.k.min' = '5', 'fields.k.max' = '5')",
  };
  g_autoptr (PlanPhysPlan) plan = NULL;
  RtMemPool *pool = rt_mem_pool_new (16 * 1024 * 1024);
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  RtBatch *b = NULL;
  gboolean end = FALSE;
  RtJob *job;

  __atomic_store_n (&job_clock_ms, 1000, __ATOMIC_RELAXED);
  rt_proctime_set_clock (job_clock, NULL);
  plan = ckpt_test_compile (ddl, 1, "SELECT k, COUNT(*) AS n, TUMBLE_START(pt, INTERVAL '10' "
                            "SECOND) AS s FROM t GROUP BY k, TUMBLE(pt, INTERVAL '10' SECOND)",
                            1);
  job = rt_job_new (plan, pool, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (rt_job_start (job, &error));
  /* the row has reached the window operator once the source has emitted it and nothing
   * came out: the window is still open at 1000 */
  while (rt_job_get_rows_read (job) == 0)
    g_assert_null (rt_job_pop_result (job, 10000, &end));
  __atomic_store_n (&job_clock_ms, 10000, __ATOMIC_RELAXED);
  /* a bounded wait: without the timer the next chance would be the row due in 1000 s */
  b = rt_job_pop_result (job, 60 * G_USEC_PER_SEC, &end);
  g_assert_nonnull (b);
  rt_test_collect_lines (lines, b, TRUE);
  rt_batch_unref (b);
  g_assert_cmpuint (lines->len, ==, 1);
  g_assert_cmpstr (lines->pdata[0], ==, "+I 5 1 0");
  rt_job_cancel (job);
  rt_job_wait (job);
  rt_job_free (job);
  rt_proctime_set_clock (NULL, NULL);
  rt_mem_pool_free (pool);
}

/* ---- checkpoints: exactly once, whatever the windows ------------------------------------
 * 30000 datagen rows (a sequence id, k = id % 7; 20000 rows/s, so the run lasts 1.5 s)
 * counted per k in processing-time windows, checkpointed every 5 ms, the job failed once
 * (after checkpoint 2 committed; at the barrier of checkpoint 3 in the aggregate's task)
 * and restored: the windows depend on the clock, but
 * the committed counts of each k must add up to exactly its number of rows, and no
 * (k, window) may be committed twice. */

#define CK_ROWS 30000

/* The committed part files under out: each k's counts add up to its rows, and no
 * (k, window start) appears twice. */
static void
check_counts (const char *out)
{
  g_autoptr (GHashTable) rows = ckpt_test_read_output (out, FALSE, NULL);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 per_k[7] = { 0 };
  GHashTableIter it;
  gpointer line, count;

  g_hash_table_iter_init (&it, rows);
  while (g_hash_table_iter_next (&it, &line, &count))
    {
      g_auto (GStrv) v = g_strsplit (line, ",", 3);
      gint64 k = g_ascii_strtoll (v[0], NULL, 10);

      g_assert_cmpuint (g_strv_length (v), ==, 3);
      g_assert_true (k >= 0 && k < 7);
      g_assert_cmpint (GPOINTER_TO_INT (count), ==, 1); /* the same (k, window) twice */
      per_k[k] += g_ascii_strtoll (v[1], NULL, 10);
      g_assert_true (g_hash_table_add (seen, g_strdup_printf ("%s,%s", v[0], v[2])));
    }
  for (guint k = 0; k < 7; k++)
    g_assert_cmpint (per_k[k], ==, CK_ROWS / 7 + (k < CK_ROWS % 7));
}

static void
test_checkpoint (void)
{
  static const struct { RtFailPoint point; gint64 checkpoint; } fails[] = {
    { RT_FAIL_AFTER_METADATA, 2 }, { RT_FAIL_BEFORE_SNAPSHOT, 3 },
  };
  g_autofree char *src = NULL, *dst = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  char *dir, *out, *chk;
  RtMemPool *pool;
  RtJobConfig cfg;
  guint n_tasks;

  ckpt_test_dirs_init ("strom-ckpt-proc-XXXXXX", &dir, &out, &chk, &pool);
  src = g_strdup_printf ("CREATE TABLE t (id BIGINT, k AS id %% 7, pt AS PROCTIME()) WITH "
                         "('connector' = 'datagen', 'number-of-rows' = '%d', "
                         "'rows-per-second' = '20000', 'fields.id.kind' = 'sequence', "
                         "'fields.id.start' = '0', 'fields.id.end' = '%d')", CK_ROWS,
                         CK_ROWS - 1);
  dst = g_strdup_printf ("CREATE TABLE dst (k BIGINT, n BIGINT, s TIMESTAMP(3)) WITH "
                         "('connector' = 'filesystem', 'path' = '%s', 'format' = 'csv')", out);
  {
    const char *ddl[] = { src, dst };

    plan = ckpt_test_compile (ddl, 2, "INSERT INTO dst SELECT k, COUNT(*), TUMBLE_START(pt, "
                              "INTERVAL '10' SECOND) FROM t GROUP BY k, TUMBLE(pt, INTERVAL "
                              "'10' SECOND)", 1);
  }
  n_tasks = ckpt_test_count_tasks (pool, plan);
  ckpt_test_config_init (&cfg, chk, 5000);
  for (guint i = 0; i < G_N_ELEMENTS (fails); i++)
    {
      RtCheckpointMetrics *m = ckpt_test_run_failing (pool, plan, &cfg, fails[i].point,
                                                      fails[i].checkpoint, 0,
                                                      n_tasks - 1); /* the aggregate's */

      g_assert_nonnull (m->restored_from);
      rt_checkpoint_metrics_free (m);
      check_counts (out);
      ckpt_test_remove_tree (out);
      ckpt_test_remove_tree (chk);
    }
  ckpt_test_dirs_clear (dir, out, chk, pool);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/proctime-window/plan", test_plan);
  g_test_add_func ("/runtime/proctime-window/clock-legacy", test_clock_legacy);
  g_test_add_func ("/runtime/proctime-window/timer", test_timer);
  g_test_add_func ("/runtime/proctime-window/timer-service", test_timer_service);
  g_test_add_func ("/runtime/proctime-window/checkpoint", test_checkpoint);
  return g_test_run ();
}
