/* test-proctime-window.c: processing-time TUMBLE, HOP and CUMULATE windows
 * (plans/plan-proctime.c, the routing and the TVF marking in optimizer/opt-window.c, the
 * TVF's pass-through in rt-op-window.c, runtime/engine/rt-op-proctime-window.c).
 *
 * The query is planned from SQL (legacy GROUP BY TUMBLE over a PROCTIME() column, and the
 * window TVF form), then its window aggregate is driven directly with a fake clock
 * (rt_proctime_set_clock), so no test waits on the real one: windows are assigned by the
 * clock when a row arrives, whatever window the row carried, and fire when the clock has
 * passed their end and the operator runs (a row or an event). Expected rows worked out by
 * hand from the clock readings. */
#include "runtime/engine/rt-operator.h"
#include "runtime/engine/rt-checkpoint.h"
#include "runtime/engine/rt-checkpoint-private.h"
#include "ckpt-test-util.h"
#include "rt-test-util.h"
#include "../plans/plan-test-util.h"
#include "optimizer/opt.h"

#include <string.h>

static const char *const setup_sql =
  "CREATE TABLE t (k INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) "
  "WITH ('connector' = 'datagen');"
  "CREATE TABLE tp (k INT, p AS PROCTIME()) WITH ('connector' = 'datagen');";

#define LEGACY "SELECT k, COUNT(*) AS n, TUMBLE_START(p, INTERVAL '10' SECOND) AS s FROM " \
  "(SELECT k, PROCTIME() AS p FROM t) GROUP BY k, TUMBLE(p, INTERVAL '10' SECOND)"
/* HOP: slide 5 s, size 10 s; CUMULATE: step 5 s, max size 15 s. */
#define HOP_LEGACY "SELECT k, COUNT(*) AS n, HOP_START(p, INTERVAL '5' SECOND, INTERVAL " \
  "'10' SECOND) AS s FROM (SELECT k, PROCTIME() AS p FROM t) GROUP BY k, HOP(p, INTERVAL " \
  "'5' SECOND, INTERVAL '10' SECOND)"
#define HOP_TVF "SELECT window_start, window_end, k, COUNT(*) AS n FROM TABLE(HOP(TABLE tp, " \
  "DESCRIPTOR(p), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) GROUP BY window_start, " \
  "window_end, k"
#define CUMULATE_TVF "SELECT window_start, window_end, k, COUNT(*) AS n FROM " \
  "TABLE(CUMULATE(TABLE tp, DESCRIPTOR(p), INTERVAL '5' SECOND, INTERVAL '15' SECOND)) " \
  "GROUP BY window_start, window_end, k"

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

/* The WINDOW node below p's aggregate. */
static const PlanPhysNode *
window_node (const Planned *p)
{
  const PlanPhysNode *n = p->agg->inputs[0].node;

  while (n->kind != PLAN_PHYS_WINDOW)
    n = n->inputs[0].node;
  return n;
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
  g_assert_true (window_node (&p)->u.window.merged); /* the aggregate assigns the windows */
  planned_clear (&p);
  /* an event-time window is not */
  plan_query (&p, "SELECT k, COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), "
              "INTERVAL '10' SECOND)) GROUP BY k, window_start, window_end", 2);
  g_assert_false (plan_phys_is_proctime_window (p.agg));
  g_assert_false (window_node (&p)->u.window.merged); /* its TVF assigns the windows */
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
 * counted per k in processing-time windows (TUMBLE of 10 s; HOP of 1 s every 500 ms, which
 * fire during the run), checkpointed every 5 ms, the job failed once (after checkpoint 2
 * committed; at the barrier of checkpoint 3 in the aggregate's task) and restored: the
 * windows depend on the clock, but the committed counts of each k must add up to exactly
 * its number of rows times the windows a row is in, and no (k, window) may be committed
 * twice. */

#define CK_ROWS 30000
static const char TUMBLE_CK[] = "TUMBLE", HOP_CK[] = "HOP";
#define TUMBLE_ARGS "INTERVAL '10' SECOND"
#define HOP_ARGS "INTERVAL '0.5' SECOND, INTERVAL '1' SECOND"

/* The committed part files under out: each k's counts add up to its rows times per_row
 * (the windows each row is in), and no (k, window start) appears twice. */
static void
check_counts (const char *out, gint64 per_row)
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
    g_assert_cmpint (per_k[k], ==, (CK_ROWS / 7 + (k < CK_ROWS % 7)) * per_row);
}

static void
run_checkpoint (const char *window, gint64 per_row)
{
  static const struct { RtFailPoint point; gint64 checkpoint; } fails[] = {
    { RT_FAIL_AFTER_METADATA, 2 }, { RT_FAIL_BEFORE_SNAPSHOT, 3 },
  };
  g_autofree char *src = NULL, *dst = NULL, *insert = NULL;
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

    insert = g_strdup_printf ("INSERT INTO dst SELECT k, COUNT(*), %s_START(pt, %s) FROM t "
                              "GROUP BY k, %s(pt, %s)", window, window == HOP_CK ? HOP_ARGS
                              : TUMBLE_ARGS, window, window == HOP_CK ? HOP_ARGS : TUMBLE_ARGS);
    plan = ckpt_test_compile (ddl, 2, insert, 1);
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
      check_counts (out, per_row);
      ckpt_test_remove_tree (out);
      ckpt_test_remove_tree (chk);
    }
  ckpt_test_dirs_clear (dir, out, chk, pool);
}

static void
test_checkpoint (void)
{
  run_checkpoint (TUMBLE_CK, 1);
}

/* HOP of 1 s every 500 ms: each row is in two windows, all fired by the end of the input. */
static void
test_checkpoint_hop (void)
{
  run_checkpoint (HOP_CK, 2);
}

/* ---- HOP and CUMULATE ------------------------------------------------------------------ */

static RtResult
count_rows (void *data, RtBatch *batch, GError **error)
{
  *(guint *) data += batch->n_rows;
  return RT_OK;
}

/* How many rows p's TVF makes of one row whose time column is 12000. */
static guint
tvf_rows_of_one (const Planned *p)
{
  g_autoptr (GError) error = NULL;
  const PlanPhysNode *win = window_node (p);
  PlanSchema *in = win->inputs[0].node->schema;
  RtMemPool *pool = rt_mem_pool_new (1024 * 1024);
  RtOpContext ctx = { .pool = pool, .parallelism = 1, .batch_size = 8 };
  g_autofree PlanValue *v = g_new0 (PlanValue, in->n_fields);
  RtBatch *b = rt_batch_new (pool, in, 1, &error);
  RtOperator *op = rt_op_window_new (win, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint c = 0; c < in->n_fields; c++)
    v[c] = (PlanValue) { .type = in->fields[c].type, .is_null = c != win->u.window.time_col };
  v[win->u.window.time_col].v.i = 12000;
  g_assert_true (rt_batch_append_values (b, v, &error));
  op->ctx = &ctx;
  op->sink_fn = count_rows;
  op->sink_data = &n;
  g_assert_cmpint (op->klass->process (op, b, 0, &error), ==, RT_OK);
  g_assert_no_error (error);
  rt_batch_unref (b);
  rt_operator_free (op);
  rt_mem_pool_free (pool);
  return n;
}

/* A processing-time HOP or CUMULATE: routed by k alone, the TVF marked to pass each row
 * through once (the aggregate expands it on arrival); an event-time HOP's TVF still makes
 * size / slide = 2 rows of a row, a CUMULATE at 12000 (window [0, 15000), steps ending 5000,
 * 10000, 15000) the 1 of the last step. */
static void
test_plan_hop (void)
{
  static const char *const sqls[] = { HOP_LEGACY, HOP_TVF, CUMULATE_TVF };
  Planned p = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (sqls); i++)
    {
      const PlanPhysInput *in;

      plan_query (&p, sqls[i], 2);
      g_assert_true (plan_phys_is_proctime_window (p.agg));
      g_assert_true (window_node (&p)->u.window.merged);
      in = &p.agg->inputs[0];
      g_assert_cmpint (in->exchange, ==, PLAN_EXCHANGE_HASH);
      g_assert_cmpuint (in->n_keys, ==, 1);
      g_assert_cmpstr (in->node->schema->fields[in->keys[0]].name, ==, "k");
      g_assert_cmpuint (tvf_rows_of_one (&p), ==, 1);
      planned_clear (&p);
    }
  plan_query (&p, "SELECT k, COUNT(*) FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), "
              "INTERVAL '5' SECOND, INTERVAL '10' SECOND)) GROUP BY k, window_start, "
              "window_end", 1);
  g_assert_false (window_node (&p)->u.window.merged);
  g_assert_cmpuint (tvf_rows_of_one (&p), ==, 2);
  planned_clear (&p);
  plan_query (&p, "SELECT k, COUNT(*) FROM TABLE(CUMULATE(TABLE t, DESCRIPTOR(ts), "
              "INTERVAL '5' SECOND, INTERVAL '15' SECOND)) GROUP BY k, window_start, "
              "window_end", 1);
  g_assert_false (window_node (&p)->u.window.merged);
  g_assert_cmpuint (tvf_rows_of_one (&p), ==, 1);
  planned_clear (&p);
}

/* Refused with a clear error: a HOP whose TVF was not marked (as when another consumer
 * reads the TVF: its rows would come expanded already), and SESSION over PROCTIME(). */
static void
test_refused (void)
{
  Planned p = { 0 };
  g_autoptr (GError) error = NULL;
  PlanPhysNode *win;

  plan_query (&p, HOP_TVF, 1);
  win = (PlanPhysNode *) window_node (&p);
  win->u.window.merged = FALSE;
  g_assert_null (rt_op_proctime_window_new (p.agg, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_CONNECTOR);
  g_assert_nonnull (strstr (error->message, "processing-time HOP window"));
  g_clear_error (&error);
  planned_clear (&p);
  plan_query (&p, "SELECT k, COUNT(*) FROM (SELECT k, PROCTIME() AS p FROM t) "
              "GROUP BY k, SESSION(p, INTERVAL '10' SECOND)", 1);
  g_assert_null (rt_op_proctime_window_new (p.agg, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_CONNECTOR);
  g_assert_nonnull (strstr (error->message, "support TUMBLE, HOP and CUMULATE"));
  g_clear_error (&error);
  planned_clear (&p);
  /* a filter on the window's bounds before the aggregate would see provisional windows */
  plan_query (&p, "SELECT window_start, k, COUNT(*) FROM TABLE(HOP(TABLE tp, DESCRIPTOR(p), "
              "INTERVAL '5' SECOND, INTERVAL '10' SECOND)) WHERE window_end > TIMESTAMP "
              "'2020-01-01 00:00:00' GROUP BY window_start, window_end, k", 1);
  g_assert_null (rt_op_proctime_window_new (p.agg, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_CONNECTOR);
  g_assert_nonnull (strstr (error->message, "filters on them or computes with them"));
  planned_clear (&p);
}

static void
on_proctime (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  f->op->proctime_timer_ms = G_MAXINT64; /* as the task does before calling */
  g_assert_cmpint (f->op->klass->on_proctime (f->op, f->now, &error), ==, RT_OK);
  g_assert_no_error (error);
}

/* HOP(slide 5 s, size 10 s): a row arriving at t is in the two windows [s, s + 10000) with
 * s on the 5000 grid and s <= t < s + 10000. Output columns: start, end, k, COUNT(*). */
static void
run_hop (const char *sql)
{
  Planned p = { 0 };
  Fixture f = { 0 };

  plan_query (&p, sql, 1);
  fixture_init (&f, p.agg);
  f.now = 11000;
  feed (&f, KEYS (1, 1, 2));         /* [5000, 15000) and [10000, 20000) */
  g_assert_cmpint (f.op->proctime_timer_ms, ==, 15000);
  f.now = 14999;
  feed (&f, KEYS (1));               /* the same two */
  EXPECT_NONE (&f);
  f.now = 15000;
  on_proctime (&f);                  /* [5000, 15000) ends */
  EXPECT (&f, "+I 5000 15000 1 3", "+I 5000 15000 2 1");
  g_assert_cmpint (f.op->proctime_timer_ms, ==, 20000);
  feed (&f, KEYS (2, 3));            /* at 15000: [10000, 20000) and [15000, 25000) */
  f.now = 19999;
  event (&f, RT_EVENT_WATERMARK, 1 << 30); /* an event-time watermark fires nothing */
  EXPECT_NONE (&f);
  f.now = 20000;
  event (&f, RT_EVENT_IDLE, 1);
  EXPECT (&f, "+I 10000 20000 1 3", "+I 10000 20000 2 2", "+I 10000 20000 3 1");
  g_assert_cmpint (f.op->proctime_timer_ms, ==, 25000);
  f.now = 8000;                      /* a clock going back is ignored: still 20000 */
  feed (&f, KEYS (3));               /* [15000, 25000) and [20000, 30000) */
  EXPECT_NONE (&f);
  f.now = 41000;                     /* [35000, 45000) and [40000, 50000) get the row ... */
  feed (&f, KEYS (3));               /* ... then the two windows ended by now fire */
  EXPECT (&f, "+I 15000 25000 2 1", "+I 15000 25000 3 2", "+I 20000 30000 3 1");
  g_assert_cmpint (f.op->proctime_timer_ms, ==, 45000);
  g_assert_cmpuint (f.op->late_records_dropped, ==, 0);
  g_assert_cmpint (f.op->klass->finish (f.op, NULL), ==, RT_OK); /* end of input: the rest */
  EXPECT (&f, "+I 35000 45000 3 1", "+I 40000 50000 3 1");
  fixture_clear (&f);
  planned_clear (&p);
}

static void
test_hop (void)
{
  run_hop (HOP_TVF);
}

/* The legacy group window: output k, n, HOP_START, so the fixture's lines read the same
 * (the aggregate's own columns are start, end, k, COUNT(*) there too). */
static void
test_hop_legacy (void)
{
  run_hop (HOP_LEGACY);
}

/* CUMULATE(step 5 s, max size 15 s): a row arriving at t is in [s, e) for s = t floored to
 * the 15000 grid and every e = s + 5000, s + 10000, s + 15000 with t < e. */
static void
test_cumulate (void)
{
  Planned p = { 0 };
  Fixture f = { 0 };

  plan_query (&p, CUMULATE_TVF, 1);
  fixture_init (&f, p.agg);
  f.now = 31000;
  feed (&f, KEYS (1, 2));            /* [30000, 35000), [30000, 40000), [30000, 45000) */
  g_assert_cmpint (f.op->proctime_timer_ms, ==, 35000);
  f.now = 36000;
  feed (&f, KEYS (1));               /* [30000, 40000), [30000, 45000); then 35000 fires */
  EXPECT (&f, "+I 30000 35000 1 1", "+I 30000 35000 2 1");
  g_assert_cmpint (f.op->proctime_timer_ms, ==, 40000);
  f.now = 40000;
  on_proctime (&f);
  EXPECT (&f, "+I 30000 40000 1 2", "+I 30000 40000 2 1");
  g_assert_cmpint (f.op->proctime_timer_ms, ==, 45000);
  f.now = 44999;
  feed (&f, KEYS (2));               /* [30000, 45000) only */
  EXPECT_NONE (&f);
  f.now = 45000;
  on_proctime (&f);
  EXPECT (&f, "+I 30000 45000 1 2", "+I 30000 45000 2 2");
  g_assert_cmpint (f.op->proctime_timer_ms, ==, G_MAXINT64); /* no open window left */
  feed (&f, KEYS (3));               /* at 45000: [45000, 50000), ... 55000, ... 60000 */
  g_assert_cmpint (f.op->proctime_timer_ms, ==, 50000);
  g_assert_cmpuint (f.op->late_records_dropped, ==, 0);
  g_assert_cmpint (f.op->klass->finish (f.op, NULL), ==, RT_OK);
  EXPECT (&f, "+I 45000 50000 3 1", "+I 45000 55000 3 1", "+I 45000 60000 3 1");
  fixture_clear (&f);
  planned_clear (&p);
}

/* window_time grouped too: not routed by (at parallelism 2 the rows are hashed on k
 * alone), and the operator sets it with the bounds (window_end - 1). Output columns:
 * start, end, window_time, k, COUNT(*). */
static void
test_hop_window_time (void)
{
  static const char sql[] = "SELECT window_start, window_end, window_time, k, COUNT(*) "
    "FROM TABLE(HOP(TABLE tp, DESCRIPTOR(p), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) "
    "GROUP BY window_start, window_end, window_time, k";
  Planned p = { 0 };
  Fixture f = { 0 };
  const PlanPhysInput *in;

  plan_query (&p, sql, 2);
  in = &p.agg->inputs[0];
  g_assert_cmpint (in->exchange, ==, PLAN_EXCHANGE_HASH);
  g_assert_cmpuint (in->n_keys, ==, 1);
  g_assert_cmpstr (in->node->schema->fields[in->keys[0]].name, ==, "k");
  planned_clear (&p);
  plan_query (&p, sql, 1);
  fixture_init (&f, p.agg);
  f.now = 11000;
  feed (&f, KEYS (7, 7));
  f.now = 20000;
  on_proctime (&f);
  EXPECT (&f, "+I 10000 20000 19999 7 2", "+I 5000 15000 14999 7 2"); /* sorted */
  fixture_clear (&f);
  planned_clear (&p);
}

/* A HOP's open windows snapshotted at 11000 and restored at 13000 in a new operator: the
 * timer is due at once (windows may have ended while the job was down), then at each
 * window end; the restored rows and the new ones fire together. */
static void
test_hop_restore (void)
{
  Planned p = { 0 };
  Fixture f = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  RtStateOut *out;
  RtStateIn *in;
  guint list_index = 0;

  plan_query (&p, HOP_TVF, 1);
  fixture_init (&f, p.agg);
  f.now = 11000;
  feed (&f, KEYS (1, 1, 2));         /* [5000, 15000) and [10000, 20000) */
  out = rt__state_out_new (p.agg->id, 0, 1);
  g_assert_true (f.op->klass->snapshot (f.op, 1, out, &error));
  g_assert_no_error (error);
  bytes = rt__state_out_finish (out);
  rt__state_out_free (out);
  rt_operator_free (f.op);           /* the job fails: nothing fired */
  EXPECT_NONE (&f);

  f.now = 13000;
  f.op = rt_op_proctime_window_new (p.agg, &error);
  g_assert_no_error (error);
  f.op->ctx = &f.ctx;
  f.op->sink_fn = collect;
  f.op->sink_data = &f;
  g_assert_true (f.op->klass->open (f.op, &error));
  in = rt__state_in_new ();
  g_assert_true (rt__state_in_add_file (in, bytes, "test", 0, 1, RT_LISTS_DEAL, &list_index,
                                        &error));
  g_assert_true (f.op->klass->restore (f.op, in, &error));
  g_assert_no_error (error);
  rt__state_in_free (in);
  g_assert_cmpint (f.op->proctime_timer_ms, ==, 13000);
  on_proctime (&f);
  EXPECT_NONE (&f);
  g_assert_cmpint (f.op->proctime_timer_ms, ==, 15000);
  feed (&f, KEYS (2));               /* at 13000: the same two windows */
  f.now = 15000;
  on_proctime (&f);
  EXPECT (&f, "+I 5000 15000 1 2", "+I 5000 15000 2 2");
  f.now = 20000;
  on_proctime (&f);
  EXPECT (&f, "+I 10000 20000 1 2", "+I 10000 20000 2 2");
  /* restored windows may last until 13000 + 10000: one more timer, then none */
  g_assert_cmpint (f.op->proctime_timer_ms, ==, 25000);
  f.now = 25000;
  on_proctime (&f);
  EXPECT_NONE (&f);
  g_assert_cmpint (f.op->proctime_timer_ms, ==, G_MAXINT64);
  fixture_clear (&f);
  planned_clear (&p);
}

/* A whole job: one datagen row read at 11000 by the test's clock, HOP(5 s, 10 s): its two
 * windows fire by the timer service as the clock passes 15000 and 20000, each counting the
 * row once (the TVF passed it through once, the aggregate made the copies). */
static void
test_hop_job (void)
{
  const char *ddl[] = {
    "CREATE TABLE t (k INT, pt AS PROCTIME()) WITH ('connector' = 'datagen', "
    "'rows-per-second' = '0.001', 'fields.k.min' = '5', 'fields.k.max' = '5')",
  };
  static const struct { gint64 clock; const char *line; } steps[] = {
    { 15000, "+I 5 1 5000" }, { 20000, "+I 5 1 10000" },
  };
  g_autoptr (PlanPhysPlan) plan = NULL;
  RtMemPool *pool = rt_mem_pool_new (16 * 1024 * 1024);
  g_autoptr (GError) error = NULL;
  gboolean end = FALSE;
  RtJob *job;

  __atomic_store_n (&job_clock_ms, 11000, __ATOMIC_RELAXED);
  rt_proctime_set_clock (job_clock, NULL);
  plan = ckpt_test_compile (ddl, 1, "SELECT k, COUNT(*) AS n, HOP_START(pt, INTERVAL '5' "
                            "SECOND, INTERVAL '10' SECOND) AS s FROM t GROUP BY k, HOP(pt, "
                            "INTERVAL '5' SECOND, INTERVAL '10' SECOND)", 1);
  job = rt_job_new (plan, pool, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (rt_job_start (job, &error));
  while (rt_job_get_rows_read (job) == 0)
    g_assert_null (rt_job_pop_result (job, 10000, &end));
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
      RtBatch *b;

      __atomic_store_n (&job_clock_ms, steps[i].clock, __ATOMIC_RELAXED);
      b = rt_job_pop_result (job, 60 * G_USEC_PER_SEC, &end);
      g_assert_nonnull (b);
      rt_test_collect_lines (lines, b, TRUE);
      rt_batch_unref (b);
      g_assert_cmpuint (lines->len, ==, 1);
      g_assert_cmpstr (lines->pdata[0], ==, steps[i].line);
    }
  rt_job_cancel (job);
  rt_job_wait (job);
  rt_job_free (job);
  rt_proctime_set_clock (NULL, NULL);
  rt_mem_pool_free (pool);
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
  g_test_add_func ("/runtime/proctime-window/plan-hop", test_plan_hop);
  g_test_add_func ("/runtime/proctime-window/hop", test_hop);
  g_test_add_func ("/runtime/proctime-window/hop-legacy", test_hop_legacy);
  g_test_add_func ("/runtime/proctime-window/cumulate", test_cumulate);
  g_test_add_func ("/runtime/proctime-window/hop-window-time", test_hop_window_time);
  g_test_add_func ("/runtime/proctime-window/hop-restore", test_hop_restore);
  g_test_add_func ("/runtime/proctime-window/hop-job", test_hop_job);
  g_test_add_func ("/runtime/proctime-window/checkpoint-hop", test_checkpoint_hop);
  g_test_add_func ("/runtime/proctime-window/refused", test_refused);
  return g_test_run ();
}
