/* test-window.c: event time in the engine (runtime/engine/rt-op-window.c), driven by hand:
 * the watermark valve (minimum over inputs, an idle input not holding it back and catching
 * up again, ended inputs, all inputs idle), the window TVF's assignment of rows to TUMBLE,
 * HOP and CUMULATE windows (offsets, times before 1970), and the window aggregate over
 * out-of-order rows: nothing before the watermark passes a window's end, one +I row per
 * group when it does, late rows dropped and counted, the rest fired at the end. Every
 * expected value is worked out by hand in the comments next to it. */
#include "runtime/engine/rt-window-private.h"
#include "runtime/engine/rt-job-private.h"
#include "plans/plan-sql.h"
#include "plans/plan-catalog.h"
#include "optimizer/opt.h"
#include "rt-test-util.h"

#include <string.h>

/* ---- valve ---------------------------------------------------------------------------- */

static void
test_valve_min (void)
{
  RtWmValve *v = rt__wm_valve_new (2);
  gint64 wm = 0;

  g_assert_false (rt__wm_valve_watermark (v, 0, 10, &wm)); /* input 1 has none yet */
  g_assert_true (rt__wm_valve_watermark (v, 1, 5, &wm));   /* min(10, 5) */
  g_assert_cmpint (wm, ==, 5);
  g_assert_true (rt__wm_valve_watermark (v, 1, 20, &wm));  /* min(10, 20) */
  g_assert_cmpint (wm, ==, 10);
  g_assert_false (rt__wm_valve_watermark (v, 1, 15, &wm)); /* input 1 never goes back */
  g_assert_true (rt__wm_valve_watermark (v, 0, 30, &wm));  /* min(30, 20) */
  g_assert_cmpint (wm, ==, 20);
  g_assert_cmpint (rt__wm_valve_get (v), ==, 20);
  rt__wm_valve_free (v);
}

static void
test_valve_idle (void)
{
  RtWmValve *v = rt__wm_valve_new (2);
  gint64 wm = 0;

  g_assert_false (rt__wm_valve_watermark (v, 0, 10, &wm));
  g_assert_true (rt__wm_valve_idle (v, 1, &wm)); /* the idle input no longer holds it back */
  g_assert_cmpint (wm, ==, 10);
  g_assert_false (rt__wm_valve_is_idle (v));
  g_assert_true (rt__wm_valve_watermark (v, 0, 15, &wm));
  g_assert_cmpint (wm, ==, 15);
  /* rows on input 1 again: it is behind (none < 15), so it is left out until it catches up */
  rt__wm_valve_active (v, 1);
  g_assert_true (rt__wm_valve_watermark (v, 0, 18, &wm));
  g_assert_cmpint (wm, ==, 18);
  g_assert_false (rt__wm_valve_watermark (v, 1, 12, &wm)); /* still behind 18 */
  g_assert_false (rt__wm_valve_watermark (v, 1, 19, &wm)); /* aligned now: min(18, 19) */
  g_assert_true (rt__wm_valve_watermark (v, 0, 25, &wm));  /* min(25, 19) */
  g_assert_cmpint (wm, ==, 19);
  rt__wm_valve_free (v);
}

static void
test_valve_all_idle_and_ended (void)
{
  RtWmValve *v = rt__wm_valve_new (3);
  gint64 wm = 0;

  g_assert_false (rt__wm_valve_watermark (v, 0, 7, &wm));
  g_assert_false (rt__wm_valve_watermark (v, 1, 3, &wm));
  g_assert_cmpint (rt__wm_valve_get (v), ==, G_MININT64); /* input 2 has none */
  g_assert_true (rt__wm_valve_ended (v, 2, &wm));         /* ended = MAX: min(7, 3) */
  g_assert_cmpint (wm, ==, 3);
  g_assert_true (rt__wm_valve_idle (v, 1, &wm));          /* only input 0 left: 7 */
  g_assert_cmpint (wm, ==, 7);
  g_assert_false (rt__wm_valve_idle (v, 0, &wm));         /* all idle: max(7, 3) = 7 */
  g_assert_true (rt__wm_valve_is_idle (v));
  g_assert_false (rt__wm_valve_ended (v, 0, &wm));        /* idle input 1 alone: 3 < 7 */
  g_assert_cmpint (rt__wm_valve_get (v), ==, 7);
  g_assert_true (rt__wm_valve_ended (v, 1, &wm));         /* all ended: the final MAX */
  g_assert_cmpint (wm, ==, G_MAXINT64);
  rt__wm_valve_free (v);
}

/* A finished input's final MAX watermark must not carry the output past an idle input that
 * may still send rows (they would all be late). */
static void
test_valve_final_beside_idle (void)
{
  RtWmValve *v = rt__wm_valve_new (2);
  gint64 wm = 0;

  g_assert_false (rt__wm_valve_watermark (v, 1, 4, &wm));
  g_assert_true (rt__wm_valve_watermark (v, 0, 8, &wm));   /* min(8, 4) */
  g_assert_cmpint (wm, ==, 4);
  g_assert_true (rt__wm_valve_idle (v, 1, &wm));            /* input 0 alone: 8 */
  g_assert_cmpint (wm, ==, 8);
  /* input 0's final MAX: only idle input 1 (at 4) is left, so the output stays at 8 */
  g_assert_false (rt__wm_valve_watermark (v, 0, G_MAXINT64, &wm));
  g_assert_cmpint (rt__wm_valve_get (v), ==, 8);
  g_assert_true (rt__wm_valve_is_idle (v));
  g_assert_true (rt__wm_valve_ended (v, 1, &wm));          /* the idle input ends too */
  g_assert_cmpint (wm, ==, G_MAXINT64);
  rt__wm_valve_free (v);
}

/* ---- operators -------------------------------------------------------------------------- */

typedef struct {
  RtMemPool *pool;
  RtOpContext ctx;
  PlanSchema *in;      /* k VARCHAR, v INT, ts TIMESTAMP(3) */
  PlanPhysNode *input; /* a VALUES node, only for its schema */
  RtOperator *op;
  GPtrArray *out;      /* "+I a 1 ..." per emitted row */
} Fixture;

static RtResult
collect (void *data, RtBatch *batch, GError **error)
{
  Fixture *f = data;

  rt_test_collect_lines (f->out, batch, TRUE);
  return RT_OK;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->pool = rt_mem_pool_new (8 * 1024 * 1024);
  f->ctx = (RtOpContext) { .pool = f->pool, .parallelism = 1, .batch_size = 4 };
  f->in = plan_schema_new (3);
  plan_schema_set_field (f->in, 0, "k", plan_type_make (PLAN_TYPE_VARCHAR, TRUE));
  plan_schema_set_field (f->in, 1, "v", plan_type_make (PLAN_TYPE_INT, TRUE));
  plan_schema_set_field (f->in, 2, "ts", plan_type_make (PLAN_TYPE_TIMESTAMP, TRUE));
  f->input = plan_phys_node_new (PLAN_PHYS_VALUES, plan_schema_ref (f->in), (PlanSpan) { 0 },
                                 1);
  f->out = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  rt_operator_free (f->op);
  plan_phys_node_unref (f->input);
  plan_schema_unref (f->in);
  g_ptr_array_unref (f->out);
  g_assert_cmpuint (rt_mem_pool_get_used (f->pool), ==, 0);
  rt_mem_pool_free (f->pool);
}

typedef struct {
  const char *k;
  gint v;
  gint64 ts;
} Row;

/* A batch of schema (k, v, ts[, window_start, window_end]) from rows. */
static RtBatch *
make_batch (Fixture *f, PlanSchema *schema, const Row *rows, guint n, const gint64 *windows)
{
  g_autoptr (GError) error = NULL;
  RtBatch *b = rt_batch_new (f->pool, schema, 16, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      PlanValue v[5] = {
        { .type = schema->fields[0].type, .v.s = (char *) rows[i].k },
        { .type = schema->fields[1].type, .v.i = rows[i].v },
        { .type = schema->fields[2].type, .v.i = rows[i].ts },
      };
      if (windows != NULL)
        {
          v[3] = (PlanValue) { .type = schema->fields[3].type, .v.i = windows[2 * i] };
          v[4] = (PlanValue) { .type = schema->fields[4].type, .v.i = windows[2 * i + 1] };
        }
      g_assert_true (rt_batch_append_values (b, v, &error));
      g_assert_no_error (error);
    }
  return b;
}

static void
make_tvf (Fixture *f, PlanWindowKind kind, gint64 size, gint64 slide, gint64 offset)
{
  g_autoptr (PlanPhysNode) node = NULL;
  g_autoptr (GError) error = NULL;

  node = plan_phys_node_new (PLAN_PHYS_WINDOW, plan_window_schema (f->in), (PlanSpan) { 0 }, 1);
  plan_phys_node_add_input (node, plan_phys_node_ref (f->input), PLAN_EXCHANGE_FORWARD, 0,
                            NULL);
  node->u.window = (PlanWindow) { kind, 2, size, slide, offset };
  f->op = rt_op_window_new (node, &error);
  g_assert_no_error (error);
  f->op->ctx = &f->ctx;
  f->op->sink_fn = collect;
  f->op->sink_data = f;
}

static void
run_tvf (Fixture *f, const Row *rows, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtBatch) b = make_batch (f, f->in, rows, n, NULL);

  g_assert_cmpint (f->op->klass->process (f->op, b, 0, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static void
assert_out (Fixture *f, const char *const *want, guint n)
{
  for (guint i = 0; i < MIN (n, f->out->len); i++)
    g_assert_cmpstr (f->out->pdata[i], ==, want[i]);
  g_assert_cmpuint (f->out->len, ==, n);
  g_ptr_array_set_size (f->out, 0);
}

static void
test_tvf_tumble (Fixture *f, gconstpointer data)
{
  /* size 10 s, offset 2 s: windows [..., -8000, 2000, 12000, ...) */
  const Row rows[] = { { "a", 1, 2000 }, { "b", 2, 11999 }, { "c", 3, 1999 }, { "d", 4, -1 },
                       { "e", 5, 0 } };
  const char *const want[] = {
    "+I a 1 2000 2000 12000 11999",   /* exactly on a window start */
    "+I b 2 11999 2000 12000 11999",  /* the window's last millisecond */
    "+I c 3 1999 -8000 2000 1999",
    "+I d 4 -1 -8000 2000 1999",      /* before 1970: floor, not truncation */
    "+I e 5 0 -8000 2000 1999",
  };

  make_tvf (f, PLAN_WINDOW_TUMBLE, 10000, 10000, 2000);
  run_tvf (f, rows, G_N_ELEMENTS (rows));
  assert_out (f, want, G_N_ELEMENTS (want));
}

static void
test_tvf_hop_cumulate (Fixture *f, gconstpointer data)
{
  const Row rows[] = { { "a", 1, 12000 } };
  /* HOP slide 5 s size 15 s: the windows holding 12000 start at 0, 5000, 10000 */
  const char *const hop[] = {
    "+I a 1 12000 0 15000 14999",
    "+I a 1 12000 5000 20000 19999",
    "+I a 1 12000 10000 25000 24999",
  };
  /* CUMULATE step 5 s max 20 s: start 0, ends 5000 .. 20000; 12000 is in the last two */
  const char *const cumulate[] = {
    "+I a 1 12000 0 15000 14999",
    "+I a 1 12000 0 20000 19999",
  };

  make_tvf (f, PLAN_WINDOW_HOP, 15000, 5000, 0);
  run_tvf (f, rows, 1);
  assert_out (f, hop, G_N_ELEMENTS (hop));
  g_clear_pointer (&f->op, rt_operator_free);
  make_tvf (f, PLAN_WINDOW_CUMULATE, 20000, 5000, 0);
  run_tvf (f, rows, 1);
  assert_out (f, cumulate, G_N_ELEMENTS (cumulate));
}

/* The window aggregate over (k, v, ts, window_start, window_end): GROUP BY window_start,
 * window_end, k with COUNT(*) and SUM(v). */
typedef struct {
  PlanSchema *schema; /* owned */
  PlanPhysNode *input;
} WinInput;

static void
make_window_agg (Fixture *f, WinInput *wi, gint64 session_gap_ms)
{
  g_autoptr (PlanPhysNode) node = NULL;
  g_autoptr (GError) error = NULL;
  PlanSchema *out = plan_schema_new (5);
  PlanType ts = plan_type_make (PLAN_TYPE_TIMESTAMP, FALSE);
  const guint keys[] = { 3, 4, 0 };
  const PlanAggCall calls[] = {
    { PLAN_AGG_COUNT_STAR, FALSE, -1, -1, plan_type_make (PLAN_TYPE_BIGINT, FALSE) },
    { PLAN_AGG_SUM, FALSE, 1, -1, plan_type_make (PLAN_TYPE_INT, TRUE) },
  };

  wi->schema = plan_schema_new (5);
  for (guint i = 0; i < 3; i++)
    plan_schema_set_field (wi->schema, i, f->in->fields[i].name, f->in->fields[i].type);
  plan_schema_set_field (wi->schema, 3, "window_start", ts);
  plan_schema_set_field (wi->schema, 4, "window_end", ts);
  wi->input = plan_phys_node_new (PLAN_PHYS_VALUES, plan_schema_ref (wi->schema),
                                  (PlanSpan) { 0 }, 1);
  plan_schema_set_field (out, 0, "window_start", ts);
  plan_schema_set_field (out, 1, "window_end", ts);
  plan_schema_set_field (out, 2, "k", f->in->fields[0].type);
  plan_schema_set_field (out, 3, "n", calls[0].type);
  plan_schema_set_field (out, 4, "s", calls[1].type);
  node = plan_phys_node_new (PLAN_PHYS_WINDOW_AGGREGATE, out, (PlanSpan) { 0 }, 1);
  plan_phys_node_add_input (node, wi->input, PLAN_EXCHANGE_HASH, 3, keys);
  node->u.window_agg.agg.n_keys = 3;
  node->u.window_agg.agg.keys = g_memdup2 (keys, sizeof keys);
  node->u.window_agg.agg.n_aggs = 2;
  node->u.window_agg.agg.aggs = g_memdup2 (calls, sizeof calls);
  node->u.window_agg.start_key = 0;
  node->u.window_agg.end_key = 1;
  node->u.window_agg.session_gap_ms = session_gap_ms;
  f->op = rt_op_window_aggregate_new (node, &error);
  g_assert_no_error (error);
  f->op->ctx = &f->ctx;
  f->op->sink_fn = collect;
  f->op->sink_data = f;
}

/* Feeds rows with 10 s tumbling windows computed by hand here (ts / 10000 * 10000). */
static void
feed_windowed (Fixture *f, WinInput *wi, const Row *rows, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autofree gint64 *w = g_new (gint64, 2 * n);
  g_autoptr (RtBatch) b = NULL;

  for (guint i = 0; i < n; i++)
    {
      w[2 * i] = rows[i].ts / 10000 * 10000;
      w[2 * i + 1] = w[2 * i] + 10000;
    }
  b = make_batch (f, wi->schema, rows, n, w);
  g_assert_cmpint (f->op->klass->process (f->op, b, 0, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static gint
compare_lines (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
watermark (Fixture *f, gint64 wm)
{
  g_autoptr (GError) error = NULL;
  RtEvent ev = { RT_EVENT_WATERMARK, wm, 0 };

  g_assert_cmpint (f->op->klass->on_event (f->op, &ev, 0, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static void
test_window_aggregate (Fixture *f, gconstpointer data)
{
  WinInput wi = { 0 };
  g_autoptr (GError) error = NULL;
  /* out of order across windows [0, 10000) and [10000, 20000) */
  const Row first[] = { { "a", 1, 1000 }, { "a", 2, 12000 }, { "b", 4, 9999 },
                        { "a", 8, 3000 } };
  const Row second[] = {
    { "a", 16, 9000 },  /* late: [0, 10000) fired at watermark 9999 */
    { "b", 32, 10500 }, /* behind the watermark, but its window has not fired: kept */
  };
  const char *const fired_first[] = {
    "+I 0 10000 a 2 9",   /* rows 1000 (1) and 3000 (8) */
    "+I 0 10000 b 1 4",   /* row 9999 */
  };
  const char *const fired_end[] = {
    "+I 10000 20000 a 1 2",
    "+I 10000 20000 b 1 32",
  };

  make_window_agg (f, &wi, 0);
  feed_windowed (f, &wi, first, G_N_ELEMENTS (first));
  watermark (f, 9998); /* window end - 1 = 9999 not reached: nothing fires */
  g_assert_cmpuint (f->out->len, ==, 0);
  watermark (f, 9999);
  g_ptr_array_sort (f->out, compare_lines); /* groups of a window: any order */
  assert_out (f, fired_first, G_N_ELEMENTS (fired_first));
  feed_windowed (f, &wi, second, G_N_ELEMENTS (second));
  g_assert_cmpuint (f->op->late_records_dropped, ==, 1);
  watermark (f, 5000); /* going back is ignored */
  g_assert_cmpuint (f->out->len, ==, 0);
  g_assert_cmpint (f->op->klass->finish (f->op, &error), ==, RT_OK); /* end of input fires */
  g_assert_no_error (error);
  g_ptr_array_sort (f->out, compare_lines);
  assert_out (f, fired_end, G_N_ELEMENTS (fired_end));
  g_assert_cmpuint (f->op->late_records_dropped, ==, 1);
  plan_schema_unref (wi.schema);
}

/* SESSION, gap 5 s, per k: rows carry provisional windows [ts, ts + 5000); touching
 * sessions merge; a session fires when the watermark reaches its end - 1. */
static void
test_session_aggregate (Fixture *f, gconstpointer data)
{
  WinInput wi = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (RtBatch) b1 = NULL, b2 = NULL;
  /* a: 1000 [1000, 6000) and 9000 [9000, 14000) apart; 6000 ([6000, 11000)) touches both,
   * so all three become [1000, 14000). b: 2000 alone. c: 500 comes after watermark 5998
   * and its [500, 5500) meets no open session: late. */
  const Row rows1[] = { { "a", 1, 1000 }, { "a", 2, 9000 }, { "b", 4, 2000 } };
  const Row rows2[] = { { "a", 8, 6000 }, { "c", 16, 500 } };
  const gint64 w1[] = { 1000, 6000, 9000, 14000, 2000, 7000 };
  const gint64 w2[] = { 6000, 11000, 500, 5500 };
  const char *const fired_b[] = { "+I 2000 7000 b 1 4" };
  const char *const fired_a[] = { "+I 1000 14000 a 3 11" };

  make_window_agg (f, &wi, 5000);
  b1 = make_batch (f, wi.schema, rows1, G_N_ELEMENTS (rows1), w1);
  g_assert_cmpint (f->op->klass->process (f->op, b1, 0, &error), ==, RT_OK);
  watermark (f, 5998); /* a's first session needs 5999 */
  g_assert_cmpuint (f->out->len, ==, 0);
  b2 = make_batch (f, wi.schema, rows2, G_N_ELEMENTS (rows2), w2);
  g_assert_cmpint (f->op->klass->process (f->op, b2, 0, &error), ==, RT_OK);
  g_assert_cmpuint (f->op->late_records_dropped, ==, 1);
  watermark (f, 6999); /* b's [2000, 7000) */
  assert_out (f, fired_b, G_N_ELEMENTS (fired_b));
  watermark (f, 13998); /* a's merged session ends at 14000 */
  g_assert_cmpuint (f->out->len, ==, 0);
  g_assert_cmpint (f->op->klass->finish (f->op, &error), ==, RT_OK);
  assert_out (f, fired_a, G_N_ELEMENTS (fired_a));
  plan_schema_unref (wi.schema);
}

/* ---- a whole job -------------------------------------------------------------------------- */

/* bids.csv of the golden tests read by two source subtasks (split by byte range), their
 * watermarks through a HASH exchange into two window-aggregate subtasks: per 10 s window
 * 3, 2, 2 and 1 bids (10:00:01, :04, :09 | :12, :15 | :22, :27 | :31). Afterwards every
 * operator's watermark is the final one and nothing was late. */
/* Compiles sql over bids.csv (WATERMARK FOR ts AS watermark) at parallelism and starts
 * it on a new pool (*pool). */
static RtJob *
bids_job (const char *watermark, const char *parallelism, const RtJobConfig *config,
          const char *sql, RtMemPool **pool)
{
  const char *root = g_getenv ("STROM_SOURCE_ROOT");
  g_autofree char *path = g_build_filename (root != NULL ? root : ".", "tests", "integration",
                                            "golden", "bids.csv", NULL);
  g_autofree char *ddl = g_strdup_printf (
    "CREATE TABLE bids (auction INT, bidder VARCHAR, price DECIMAL(10, 2), ts TIMESTAMP(3),"
    " WATERMARK FOR ts AS %s) WITH ('connector' = 'filesystem',"
    " 'path' = '%s', 'format' = 'csv', 'csv.header' = 'true')", watermark, path);
  g_autoptr (PlanCatalog) catalog = plan_catalog_new ();
  g_autoptr (PlanSettings) settings = plan_settings_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanStatement) create = plan_sql_compile_one (catalog, ddl, &error);
  g_autoptr (PlanStatement) query = NULL;
  g_autoptr (OptResult) opt = NULL;
  RtJob *job;

  g_assert_no_error (error);
  g_assert_true (plan_catalog_add_table (catalog, create->table, &error));
  g_assert_true (plan_settings_set (settings, "parallelism.default", parallelism, &error));
  /* streaming: these jobs are about watermarks and late rows over a bounded file */
  g_assert_true (plan_settings_set (settings, "execution.runtime-mode", "streaming", &error));
  query = plan_sql_compile_one (catalog, sql, &error);
  g_assert_no_error (error);
  opt = opt_optimize (query->plan, settings, &error);
  g_assert_no_error (error);
  *pool = rt_mem_pool_new (16 * 1024 * 1024);
  job = rt_job_new (opt_result_get_physical (opt), *pool, config, &error);
  g_assert_no_error (error);
  g_assert_true (rt_job_start (job, &error));
  return job;
}

/* Runs the TUMBLE count over bids.csv; counts[slot] per 10 s window; returns the metrics. */
static RtJobMetrics *
run_job (const char *watermark, const char *parallelism, const RtJobConfig *config,
         gint64 *counts)
{
  RtMemPool *pool;
  RtJob *job = bids_job (watermark, parallelism, config, "SELECT window_start, COUNT(*) "
                         "FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))"
                         " GROUP BY window_start, window_end", &pool);
  RtJobMetrics *m;
  gboolean end = FALSE;

  while (!end)
    {
      RtBatch *b = rt_job_pop_result (job, -1, &end);

      for (guint r = 0; b != NULL && r < b->n_rows; r++)
        {
          /* 10:00:00 of 2024-01-01 is 1704103200000 ms */
          gint64 slot = (RT_VEC (b, 0, gint64)[r] - G_GINT64_CONSTANT (1704103200000)) / 10000;

          g_assert_cmpint (slot, >=, 0);
          g_assert_cmpint (slot, <, 4);
          g_assert_cmpint (counts[slot], ==, 0); /* each window fires once */
          counts[slot] = RT_VEC (b, 1, gint64)[r];
        }
      if (b != NULL)
        rt_batch_unref (b);
    }
  g_assert_cmpint (rt_job_wait (job), ==, RT_JOB_FINISHED);
  m = rt_job_snapshot_metrics (job);
  rt_job_free (job);
  rt_mem_pool_free (pool);
  return m;
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static const char hop_by_auction[] =
  "SELECT window_start, auction, COUNT(*) FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), "
  "INTERVAL '10' SECOND, INTERVAL '20' SECOND)) GROUP BY window_start, window_end, auction";

/* Runs job to its end and frees it (and pool); returns its rows of (window_start,
 * auction, count) as "seconds after 10:00:00/auction:count", sorted and joined by spaces;
 * *late gets the late rows dropped and *tvf_out the rows the window TVF emitted. */
static char *
hop_results (RtJob *job, RtMemPool *pool, guint64 *late, guint64 *tvf_out)
{
  g_autoptr (GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
  RtJobMetrics *m;
  gboolean end = FALSE;
  char *joined;

  while (!end)
    {
      RtBatch *b = rt_job_pop_result (job, -1, &end);

      for (guint r = 0; b != NULL && r < b->n_rows; r++)
        g_ptr_array_add (got, g_strdup_printf (
          "%+04" G_GINT64_FORMAT "/%d:%" G_GINT64_FORMAT,
          (RT_VEC (b, 0, gint64)[r] - G_GINT64_CONSTANT (1704103200000)) / 1000,
          RT_VEC (b, 1, gint32)[r], RT_VEC (b, 2, gint64)[r]));
      if (b != NULL)
        rt_batch_unref (b);
    }
  g_assert_cmpint (rt_job_wait (job), ==, RT_JOB_FINISHED);
  g_ptr_array_sort (got, cmp_str);
  g_ptr_array_add (got, NULL);
  joined = g_strjoinv (" ", (char **) got->pdata);
  m = rt_job_snapshot_metrics (job);
  *late = *tvf_out = 0;
  for (guint i = 0; i < m->n_ops; i++)
    {
      *late += m->ops[i].late_records_dropped;
      if (g_str_has_prefix (m->ops[i].name, "WindowTableFunction"))
        *tvf_out += m->ops[i].rows_out;
    }
  rt_job_metrics_free (m);
  rt_job_free (job);
  rt_mem_pool_free (pool);
  return joined;
}

/* HOP of 20 s every 10 s, grouped by auction, at parallelism 2: the rows are hashed on
 * auction below the TVF (checked in the job's plan), and every (window, auction) count is
 * whole. By hand, per window start (seconds after 10:00:00) and auction: -10: 1 1 1 (t 1,
 * 4, 9); 0: 2 (1, 12), 2 (4, 15), 1 (9); 10: 2 (12, 27), 1 (15), 1 (22); 20: 1 (27), 1
 * (31), 1 (22); 30: auction 2 (31). Nothing is late behind ts - 5 s. The aggregate shares
 * slices: the TVF puts each of the 8 rows in its 10 s slice once instead of in its two
 * windows, and each window merges its two slices when it fires. */
static void
test_job_hop_by_key (void)
{
  RtMemPool *pool;
  RtJob *job = bids_job ("ts - INTERVAL '5' SECOND", "2", NULL, hop_by_auction, &pool);
  g_autofree char *got = NULL;
  gboolean hashed = FALSE;
  guint64 late, tvf_out;

  for (guint i = 0; i < job->plan->nodes->len; i++)
    {
      const PlanPhysNode *n = job->plan->nodes->pdata[i];

      if (n->kind == PLAN_PHYS_WINDOW)
        hashed = n->inputs[0].exchange == PLAN_EXCHANGE_HASH && n->inputs[0].n_keys == 1;
    }
  g_assert_true (hashed);
  got = hop_results (job, pool, &late, &tvf_out);
  g_assert_cmpstr (got, ==, "+000/1:2 +000/2:2 +000/3:1 +010/1:2 +010/2:1 +010/3:1 "
                   "+020/1:1 +020/2:1 +020/3:1 +030/2:1 -010/1:1 -010/2:1 -010/3:1");
  g_assert_cmpuint (late, ==, 0);
  g_assert_cmpuint (tvf_out, ==, 8);
}

/* The same HOP on one subtask, one row per batch and the watermark ts itself after each:
 * after carol (12) the window [-10, 10) fires with alice and bob; dave (9) is then late
 * for it but not for [0, 20), so his slice takes him and that window counts him (one late
 * copy dropped). Windows by hand: -10: 1 (1), 2 (4); the rest as without lateness. */
static void
test_job_hop_partly_late (void)
{
  RtMemPool *pool;
  RtJobConfig config;
  RtJob *job;
  g_autofree char *got = NULL;
  guint64 late, tvf_out;

  rt_job_config_init (&config);
  config.batch_size = 1;
  config.watermark_interval_us = 0;
  job = bids_job ("ts", "1", &config, hop_by_auction, &pool);
  got = hop_results (job, pool, &late, &tvf_out);
  g_assert_cmpstr (got, ==, "+000/1:2 +000/2:2 +000/3:1 +010/1:2 +010/2:1 +010/3:1 "
                   "+020/1:1 +020/2:1 +020/3:1 +030/2:1 -010/1:1 -010/2:1");
  g_assert_cmpuint (late, ==, 1);
  g_assert_cmpuint (tvf_out, ==, 8);
}

static void
test_job (void)
{
  gint64 counts[4] = { 0 };
  RtJobMetrics *m = run_job ("ts - INTERVAL '5' SECOND", "2", NULL, counts);

  g_assert_cmpint (counts[0], ==, 3);
  g_assert_cmpint (counts[1], ==, 2);
  g_assert_cmpint (counts[2], ==, 2);
  g_assert_cmpint (counts[3], ==, 1);
  for (guint i = 0; i < m->n_ops; i++)
    {
      g_assert_cmpint (m->ops[i].current_watermark, ==, G_MAXINT64);
      g_assert_cmpuint (m->ops[i].late_records_dropped, ==, 0);
    }
  rt_job_metrics_free (m);
}

/* One row per batch and a watermark after each (interval 0), no delay: after carol
 * (10:00:12) [10:00:00, 10:00:10) fires with alice and bob, so dave (10:00:09) is late. */
static void
test_job_late (void)
{
  gint64 counts[4] = { 0 };
  RtJobConfig config;
  RtJobMetrics *m;
  guint64 late = 0;

  rt_job_config_init (&config);
  config.batch_size = 1;
  config.watermark_interval_us = 0;
  m = run_job ("ts", "1", &config, counts);
  g_assert_cmpint (counts[0], ==, 2);
  g_assert_cmpint (counts[1], ==, 2);
  g_assert_cmpint (counts[2], ==, 2); /* gina is behind frank but her window is open */
  g_assert_cmpint (counts[3], ==, 1);
  for (guint i = 0; i < m->n_ops; i++)
    {
      if (strcmp (m->ops[i].name, "WindowAggregate") == 0)
        late = m->ops[i].late_records_dropped;
      else
        g_assert_cmpuint (m->ops[i].late_records_dropped, ==, 0);
    }
  g_assert_cmpuint (late, ==, 1);
  rt_job_metrics_free (m);
}

/* ---- one task with two input channels, stepped by hand ----------------------------------- */

typedef struct {
  RtJob *job;
  RtTask *agg;     /* WindowAggregate subtask 0: two input channels, one per source subtask */
  RtTask *collect;
  RtMemPool *pool;
  PlanSchema *in;  /* the aggregate's input: window_start, window_end */
} TaskRig;

static void
push (TaskRig *rig, guint input, RtElement *e)
{
  g_assert_true (rt_channel_try_push (rig->agg->inputs[input].channel, e));
}

static void
push_event (TaskRig *rig, guint input, RtEventKind kind, gint64 value)
{
  RtElement e = { RT_ELEM_EVENT, NULL, { kind, value, 0 } };

  push (rig, input, &e);
}

static void
push_rows (TaskRig *rig, guint input, guint n, gint64 start)
{
  g_autoptr (GError) error = NULL;
  RtElement e = { RT_ELEM_BATCH, rt_batch_new (rig->pool, rig->in, 4, &error), { 0 } };

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      RT_VEC (e.batch, 0, gint64)[i] = start;
      RT_VEC (e.batch, 1, gint64)[i] = start + 10000;
    }
  e.batch->n_rows = n;
  push (rig, input, &e);
}

/* Steps the aggregate until its inputs are drained, then the collect task; returns the
 * counts of the windows that reached the client, as "start:count" joined by spaces. */
static char *
run_steps (TaskRig *rig)
{
  g_autoptr (GError) error = NULL;
  GString *out = g_string_new (NULL);
  gint64 park;
  gboolean end;
  RtBatch *b;

  while (rt__task_step (rig->agg, &park, &error) == RT_OK)
    g_assert_no_error (error);
  while (rt__task_step (rig->collect, &park, &error) == RT_OK)
    g_assert_no_error (error);
  while ((b = rt_job_pop_result (rig->job, 0, &end)) != NULL)
    {
      for (guint r = 0; r < b->n_rows; r++)
        g_string_append_printf (out, "%s%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
                                out->len > 0 ? " " : "", RT_VEC (b, 0, gint64)[r],
                                RT_VEC (b, 1, gint64)[r]);
      rt_batch_unref (b);
    }
  return g_string_free (out, FALSE);
}

/* The task's watermark is the minimum over its two channels; an idle channel stops
 * holding it back; rows on it afterwards for a fired window are late. */
static void
test_task_idle_input (void)
{
  g_autoptr (PlanCatalog) catalog = plan_catalog_new ();
  g_autoptr (PlanSettings) settings = plan_settings_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanStatement) create = plan_sql_compile_one (catalog,
    "CREATE TABLE t (ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ("
    "'connector' = 'datagen')", &error);
  g_autoptr (PlanStatement) query = NULL;
  g_autoptr (OptResult) opt = NULL;
  TaskRig rig = { 0 };
  char *got;

  g_assert_no_error (error);
  g_assert_true (plan_catalog_add_table (catalog, create->table, &error));
  g_assert_true (plan_settings_set (settings, "parallelism.default", "2", &error));
  query = plan_sql_compile_one (catalog, "SELECT window_start, COUNT(*) FROM TABLE(TUMBLE("
                                "TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND)) "
                                "GROUP BY window_start, window_end", &error);
  g_assert_no_error (error);
  opt = opt_optimize (query->plan, settings, &error);
  g_assert_no_error (error);
  rig.pool = rt_mem_pool_new (16 * 1024 * 1024);
  rig.job = rt_job_new (opt_result_get_physical (opt), rig.pool, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rig.job->tasks->len; i++)
    {
      RtTask *t = rig.job->tasks->pdata[i];
      RtOperator *head = t->ops->pdata[0];

      if (strcmp (head->klass->name, "WindowAggregate") == 0 && t->subtask == 0)
        rig.agg = t;
      else if (strcmp (head->klass->name, "WindowAggregate") != 0 && t->n_inputs > 0)
        rig.collect = t;
    }
  g_assert_nonnull (rig.agg);
  g_assert_nonnull (rig.collect);
  g_assert_cmpuint (rig.agg->n_inputs, ==, 2);
  {
    RtOperator *head = rig.agg->ops->pdata[0];
    PlanPhysNode *node = rig.job->plan->nodes->pdata[head->node_id];

    rig.in = plan_schema_ref (node->inputs[0].node->schema);
  }
  g_assert_cmpuint (rig.in->n_fields, ==, 2); /* window_start, window_end */

  push_rows (&rig, 0, 2, 0);                    /* two rows of [0, 10000) on input 0 */
  push_event (&rig, 0, RT_EVENT_WATERMARK, 9999);
  got = run_steps (&rig);                       /* input 1 has no watermark: min is none */
  g_assert_cmpstr (got, ==, "");
  g_free (got);
  g_assert_cmpint (rig.agg->watermark, ==, G_MININT64);
  push_event (&rig, 1, RT_EVENT_IDLE, 1);       /* input 1 idle: min over input 0 alone */
  got = run_steps (&rig);
  g_assert_cmpstr (got, ==, "0:2");
  g_free (got);
  g_assert_cmpint (rig.agg->watermark, ==, 9999);
  /* Channels are ordered one by one, not with each other: each step below is run alone. */
  push_rows (&rig, 1, 1, 0);                    /* late on the idle input: its window fired */
  push_rows (&rig, 1, 1, 10000);                /* kept: [10000, 20000) is open */
  got = run_steps (&rig);
  g_assert_cmpstr (got, ==, "");
  g_free (got);
  g_assert_cmpuint (((RtOperator *) rig.agg->ops->pdata[0])->late_records_dropped, ==, 1);
  push_event (&rig, 1, RT_EVENT_WATERMARK, 19999); /* input 1 active again: min(9999, 19999) */
  got = run_steps (&rig);
  g_assert_cmpstr (got, ==, "");
  g_free (got);
  g_assert_cmpint (rig.agg->watermark, ==, 9999);
  push_event (&rig, 0, RT_EVENT_WATERMARK, 30000); /* min(30000, 19999) */
  got = run_steps (&rig);
  g_assert_cmpstr (got, ==, "10000:1");
  g_free (got);
  g_assert_cmpint (rig.agg->watermark, ==, 19999);
  plan_schema_unref (rig.in);
  rt_job_free (rig.job);
  rt_mem_pool_free (rig.pool);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/window/valve-min", test_valve_min);
  g_test_add_func ("/runtime/window/valve-idle", test_valve_idle);
  g_test_add_func ("/runtime/window/valve-all-idle-and-ended", test_valve_all_idle_and_ended);
  g_test_add_func ("/runtime/window/valve-final-beside-idle", test_valve_final_beside_idle);
#define ADD(path, fn) g_test_add ("/runtime/window/" path, Fixture, NULL, fixture_setup, fn, \
                                  fixture_teardown)
  ADD ("tvf-tumble", test_tvf_tumble);
  ADD ("tvf-hop-cumulate", test_tvf_hop_cumulate);
  ADD ("aggregate-late", test_window_aggregate);
  ADD ("session", test_session_aggregate);
#undef ADD
  g_test_add_func ("/runtime/window/job", test_job);
  g_test_add_func ("/runtime/window/job-late", test_job_late);
  g_test_add_func ("/runtime/window/job-hop-by-key", test_job_hop_by_key);
  g_test_add_func ("/runtime/window/job-hop-partly-late", test_job_hop_partly_late);
  g_test_add_func ("/runtime/window/task-idle-input", test_task_idle_input);
  return g_test_run ();
}
