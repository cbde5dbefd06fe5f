/* test-window-acc.c: the window aggregate's incremental accumulators
 * (runtime/engine/rt-window-acc.c), driven by hand through the window TVF chained into the
 * window aggregate: a HOP row feeding several windows at once, every accumulator kind
 * (COUNT(*), SUM, MIN, MAX over DOUBLE, AVG truncating, COUNT with FILTER) with NULL
 * arguments and NULL filter values, late rows counted per window, and a snapshot of the
 * accumulators restored at parallelism 2, where each subtask gets the groups of its key
 * groups only and keeps accumulating. Every expected value is worked out by hand in the
 * comments. */
#include "runtime/engine/rt-window-private.h"
#include "runtime/engine/rt-checkpoint-private.h"
#include "runtime/engine/rt-channel.h"
#include "rt-test-util.h"

#include <string.h>

typedef struct {
  RtMemPool *pool;
  RtOpContext ctx[2];  /* subtasks of a restore at parallelism 2 use both */
  PlanSchema *in;      /* k VARCHAR, v INT, d DOUBLE, ok BOOLEAN, ts TIMESTAMP(3) */
  PlanPhysNode *input; /* a VALUES node, only for its schema */
  PlanPhysNode *agg;   /* the WINDOW_AGGREGATE node */
  RtOperator *tvf, *op;
  GPtrArray *out;      /* "+I ..." per emitted row */
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
  f->ctx[0] = (RtOpContext) { .pool = f->pool, .parallelism = 1, .batch_size = 3 };
  f->in = plan_schema_new (5);
  plan_schema_set_field (f->in, 0, "k", plan_type_make (PLAN_TYPE_VARCHAR, TRUE));
  plan_schema_set_field (f->in, 1, "v", plan_type_make (PLAN_TYPE_INT, TRUE));
  plan_schema_set_field (f->in, 2, "d", plan_type_make (PLAN_TYPE_DOUBLE, TRUE));
  plan_schema_set_field (f->in, 3, "ok", plan_type_make (PLAN_TYPE_BOOLEAN, TRUE));
  plan_schema_set_field (f->in, 4, "ts", plan_type_make (PLAN_TYPE_TIMESTAMP, TRUE));
  f->input = plan_phys_node_new (PLAN_PHYS_VALUES, plan_schema_ref (f->in), (PlanSpan) { 0 },
                                 1);
  f->out = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->tvf, rt_operator_free);
  g_clear_pointer (&f->op, rt_operator_free);
  g_clear_pointer (&f->agg, plan_phys_node_unref);
  plan_phys_node_unref (f->input);
  plan_schema_unref (f->in);
  g_ptr_array_unref (f->out);
  g_assert_cmpuint (rt_mem_pool_get_used (f->pool), ==, 0);
  rt_mem_pool_free (f->pool);
}

/* Builds TVF (kind, size, slide) -> WINDOW_AGGREGATE GROUP BY window_start, window_end, k
 * with COUNT(*), SUM(v), MIN(v), MAX(d), AVG(v), COUNT(v) FILTER (WHERE ok); HASH on k.
 * The aggregate node stays in f->agg for making more instances. */
static void
make_chain (Fixture *f, PlanWindowKind kind, gint64 size, gint64 slide)
{
  g_autoptr (PlanPhysNode) tvf = NULL;
  g_autoptr (GError) error = NULL;
  PlanType big = plan_type_make (PLAN_TYPE_BIGINT, FALSE);
  PlanType ts = plan_type_make (PLAN_TYPE_TIMESTAMP, FALSE);
  const guint keys[] = { 5, 6, 0 }, hash_keys[] = { 0 };
  const PlanAggCall calls[] = {
    { PLAN_AGG_COUNT_STAR, FALSE, -1, -1, big },
    { PLAN_AGG_SUM, FALSE, 1, -1, plan_type_make (PLAN_TYPE_INT, TRUE) },
    { PLAN_AGG_MIN, FALSE, 1, -1, plan_type_make (PLAN_TYPE_INT, TRUE) },
    { PLAN_AGG_MAX, FALSE, 2, -1, plan_type_make (PLAN_TYPE_DOUBLE, TRUE) },
    { PLAN_AGG_AVG, FALSE, 1, -1, plan_type_make (PLAN_TYPE_INT, TRUE) },
    { PLAN_AGG_COUNT, FALSE, 1, 3, big },
  };
  const char *const names[] = { "n", "s", "mn", "mx", "av", "fc" };
  PlanSchema *out = plan_schema_new (9);

  tvf = plan_phys_node_new (PLAN_PHYS_WINDOW, plan_window_schema (f->in), (PlanSpan) { 0 }, 1);
  plan_phys_node_add_input (tvf, plan_phys_node_ref (f->input), PLAN_EXCHANGE_FORWARD, 0,
                            NULL);
  tvf->u.window = (PlanWindow) { kind, 4, size, slide, 0 };
  if (kind == PLAN_WINDOW_SESSION) /* SESSION (size: the gap) PARTITION BY k */
    {
      tvf->u.window.n_partition = 1;
      tvf->u.window.partition[0] = 0;
      tvf->u.window.merged = TRUE;
    }
  plan_schema_set_field (out, 0, "window_start", ts);
  plan_schema_set_field (out, 1, "window_end", ts);
  plan_schema_set_field (out, 2, "k", f->in->fields[0].type);
  for (guint j = 0; j < G_N_ELEMENTS (calls); j++)
    plan_schema_set_field (out, 3 + j, names[j], calls[j].type);
  f->agg = plan_phys_node_new (PLAN_PHYS_WINDOW_AGGREGATE, out, (PlanSpan) { 0 }, 1);
  plan_phys_node_add_input (f->agg, plan_phys_node_ref (tvf), PLAN_EXCHANGE_HASH, 1,
                            hash_keys);
  f->agg->u.window_agg.agg.n_keys = 3;
  f->agg->u.window_agg.agg.keys = g_memdup2 (keys, sizeof keys);
  f->agg->u.window_agg.agg.n_aggs = G_N_ELEMENTS (calls);
  f->agg->u.window_agg.agg.aggs = g_memdup2 (calls, sizeof calls);
  f->agg->u.window_agg.start_key = 0;
  f->agg->u.window_agg.end_key = 1;
  f->agg->u.window_agg.session_gap_ms = kind == PLAN_WINDOW_SESSION ? size : 0;
  g_assert_true (rt__win_acc_supported (f->agg)); /* the incremental path, not kept rows */
  f->tvf = rt_op_window_new (tvf, &error);
  g_assert_no_error (error);
  f->op = rt_op_window_aggregate_new (f->agg, &error);
  g_assert_no_error (error);
  f->tvf->ctx = f->op->ctx = &f->ctx[0];
  f->tvf->next = f->op;
  f->op->sink_fn = collect;
  f->op->sink_data = f;
}

typedef struct {
  const char *k;
  gint v;        /* G_MININT: NULL */
  double d;
  gint ok;       /* 0, 1, or -1: NULL */
  gint64 ts;
} Row;

static void
feed (Fixture *f, RtOperator *tvf, const Row *rows, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtBatch) b = rt_batch_new (f->pool, f->in, 16, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      PlanValue v[5] = {
        { .type = f->in->fields[0].type, .v.s = (char *) rows[i].k },
        { .type = f->in->fields[1].type, .v.i = rows[i].v, .is_null = rows[i].v == G_MININT },
        { .type = f->in->fields[2].type, .v.d = rows[i].d },
        { .type = f->in->fields[3].type, .v.b = rows[i].ok == 1, .is_null = rows[i].ok < 0 },
        { .type = f->in->fields[4].type, .v.i = rows[i].ts },
      };

      g_assert_true (rt_batch_append_values (b, v, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (tvf->klass->process (tvf, b, 0, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static void
watermark (RtOperator *op, gint64 wm)
{
  g_autoptr (GError) error = NULL;
  RtEvent ev = { RT_EVENT_WATERMARK, wm, 0 };

  g_assert_cmpint (op->klass->on_event (op, &ev, 0, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static void
finish (RtOperator *op)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (op->klass->finish (op, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static gint
compare_lines (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Compares the output, sorted (groups of a window come in any order), and clears it. */
static void
assert_out (Fixture *f, const char *const *want, guint n)
{
  g_ptr_array_sort (f->out, compare_lines);
  for (guint i = 0; i < MIN (n, f->out->len); i++)
    g_assert_cmpstr (f->out->pdata[i], ==, want[i]);
  g_assert_cmpuint (f->out->len, ==, n);
  g_ptr_array_set_size (f->out, 0);
}

#define NUL G_MININT

/* HOP size 10 s, slide 5 s: each row is in two windows, accumulated in both. */
static void
test_hop (Fixture *f, gconstpointer data)
{
  const Row rows[] = {
    { "a", 1, 1.5, 1, 1000 },     /* [-5000, 5000) and [0, 10000) */
    { "a", 2, -0.5, 0, 6000 },    /* [0, 10000) and [5000, 15000) */
    { "b", 4, 2.0, -1, 7000 },    /* [0, 10000) and [5000, 15000) */
    { "a", NUL, 3.0, 1, 12000 },  /* [5000, 15000) and [10000, 20000) */
  };
  const Row late[] = {
    { "a", 100, 9.0, 1, 3000 },   /* both its windows fired: 2 late */
    { "b", 8, 0.25, 1, 9000 },    /* [0, 10000) fired (1 late); [5000, 15000) open */
  };
  /* columns: start end k | n s mn mx av fc */
  const char *const first[] = {
    "+I -5000 5000 a 1 1 1 1.5 1 1",        /* row 1000 alone; ok and v set: fc 1 */
  };
  const char *const second[] = {
    "+I 0 10000 a 2 3 1 1.5 1 1",           /* 1 + 2; max(1.5, -0.5); 3 / 2 truncates;
                                             * fc: only 1000 has ok true */
    "+I 0 10000 b 1 4 4 2.0 4 0",           /* ok NULL: not counted */
  };
  const char *const rest[] = {
    "+I 10000 20000 a 1 NULL NULL 3.0 NULL 0", /* only 12000, v NULL */
    "+I 5000 15000 a 2 2 2 3.0 2 0",        /* 6000 (ok false) and 12000 (v NULL) */
    "+I 5000 15000 b 2 12 4 2.0 6 1",       /* 7000 and the late-ish 9000: 4 + 8, 12 / 2;
                                             * max(2.0, 0.25); fc: 9000 */
  };

  make_chain (f, PLAN_WINDOW_HOP, 10000, 5000);
  feed (f, f->tvf, rows, G_N_ELEMENTS (rows));
  watermark (f->op, 4998); /* 5000 - 1 not reached */
  g_assert_cmpuint (f->out->len, ==, 0);
  watermark (f->op, 4999);
  assert_out (f, first, G_N_ELEMENTS (first));
  watermark (f->op, 9999);
  assert_out (f, second, G_N_ELEMENTS (second));
  feed (f, f->tvf, late, G_N_ELEMENTS (late));
  g_assert_cmpuint (f->op->late_records_dropped, ==, 3);
  finish (f->op);
  assert_out (f, rest, G_N_ELEMENTS (rest));
}

/* SUM overflowing BIGINT is an error, as in GROUP BY; up to the limit it is exact. */
static void
test_sum_overflow (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanPhysNode) node = NULL;
  g_autoptr (RtBatch) b = NULL;
  PlanType big = plan_type_make (PLAN_TYPE_BIGINT, TRUE);
  PlanSchema *in = plan_schema_new (3), *out = plan_schema_new (3);
  PlanPhysNode *values;
  const guint keys[] = { 1, 2 };
  const PlanAggCall call = { PLAN_AGG_SUM, FALSE, 0, -1, big };
  PlanValue v[3] = { { .type = big, .v.i = G_MAXINT64 - 1 },
                     { .type = big, .v.i = 0 }, { .type = big, .v.i = 10 } };

  plan_schema_set_field (in, 0, "x", big);
  plan_schema_set_field (in, 1, "window_start", big);
  plan_schema_set_field (in, 2, "window_end", big);
  plan_schema_set_field (out, 0, "window_start", big);
  plan_schema_set_field (out, 1, "window_end", big);
  plan_schema_set_field (out, 2, "s", big);
  values = plan_phys_node_new (PLAN_PHYS_VALUES, in, (PlanSpan) { 0 }, 1);
  node = plan_phys_node_new (PLAN_PHYS_WINDOW_AGGREGATE, out, (PlanSpan) { 0 }, 1);
  plan_phys_node_add_input (node, values, PLAN_EXCHANGE_FORWARD, 0, NULL);
  node->u.window_agg.agg.n_keys = 2;
  node->u.window_agg.agg.keys = g_memdup2 (keys, sizeof keys);
  node->u.window_agg.agg.n_aggs = 1;
  node->u.window_agg.agg.aggs = g_memdup2 (&call, sizeof call);
  node->u.window_agg.start_key = 0;
  node->u.window_agg.end_key = 1;
  f->op = rt_op_window_aggregate_new (node, &error);
  g_assert_no_error (error);
  f->op->ctx = &f->ctx[0];
  b = rt_batch_new (f->pool, in, 4, &error);
  g_assert_true (rt_batch_append_values (b, v, &error));
  v[0].v.i = 1; /* MAX - 1 + 1 = MAX: fits */
  g_assert_true (rt_batch_append_values (b, v, &error));
  g_assert_cmpint (f->op->klass->process (f->op, b, 0, &error), ==, RT_OK);
  g_assert_no_error (error);
  b->n_rows = 1; /* MAX + 1 more: overflows */
  RT_VEC (b, 0, gint64)[0] = 1;
  g_assert_cmpint (f->op->klass->process (f->op, b, 0, &error), ==, RT_FAIL);
  g_assert_error (error, RT_ERROR, RT_ERROR_EVAL);
  g_assert_nonnull (strstr (error->message, "SUM overflowed BIGINT"));
}

/* The key group of k's rows (the HASH exchange on k), and its subtask at parallelism 2. */
static guint
subtask_of (Fixture *f, const char *k)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtBatch) b = rt_batch_new (f->pool, f->in, 1, &error);
  PlanValue v[5] = { { .type = f->in->fields[0].type, .v.s = (char *) k } };
  const guint key = 0;

  for (guint c = 1; c < 5; c++)
    v[c] = (PlanValue) { .type = f->in->fields[c].type, .is_null = TRUE };
  g_assert_true (rt_batch_append_values (b, v, &error));
  return rt_key_group_to_subtask (rt_key_group_of_row (b, 0, &key, 1) % RT_MAX_PARALLELISM, 2);
}

/* Two instances of f->agg (and its TVF) at parallelism 2, each restored from bytes. */
static void
restore_two (Fixture *f, GBytes *bytes, RtOperator **ops, RtOperator **tvfs)
{
  g_autoptr (GError) error = NULL;
  guint list_index = 0;

  f->ctx[1] = f->ctx[0];
  for (guint s = 0; s < 2; s++)
    {
      RtStateIn *in = rt__state_in_new ();
      g_autoptr (PlanPhysNode) tvf_node = plan_phys_node_ref (f->agg->inputs[0].node);

      f->ctx[s].subtask = s;
      f->ctx[s].parallelism = 2;
      ops[s] = rt_op_window_aggregate_new (f->agg, &error);
      tvfs[s] = rt_op_window_new (tvf_node, &error);
      g_assert_no_error (error);
      ops[s]->ctx = tvfs[s]->ctx = &f->ctx[s];
      tvfs[s]->next = ops[s];
      ops[s]->sink_fn = collect;
      ops[s]->sink_data = f;
      g_assert_true (rt__state_in_add_file (in, bytes, "test", s, 2, RT_LISTS_DEAL,
                                            &list_index, &error));
      g_assert_no_error (error);
      g_assert_true (ops[s]->klass->restore (ops[s], in, &error));
      g_assert_no_error (error);
      rt__state_in_free (in);
    }
}

/* Accumulators snapshotted at parallelism 1 and restored at 2: each subtask gets the
 * groups whose key group it owns, the watermark comes back, and accumulating goes on. */
static void
test_restore_rescaled (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  const Row rows[] = {
    { "a", 1, 1.5, 1, 1000 }, { "a", 5, 0.5, 1, 2000 },   /* [0, 10000) */
    { "b", 7, 2.5, 0, 3000 },                            /* [0, 10000) */
    { "b", 9, 4.0, 1, 11000 },                           /* [10000, 20000) */
  };
  const Row more[] = {
    { "a", -4, 8.0, 0, 9500 },   /* a's [0, 10000) */
    { "b", 3, 1.0, 1, 12000 },   /* b's [10000, 20000) */
    { "a", 50, 1.0, 1, 500 },    /* behind watermark 5000, but [0, 10000) has not fired */
    { "b", 1, 1.0, 1, -3000 },   /* [-10000, 0): late against the restored watermark 5000 */
  };
  const char *const want[] = {
    "+I 0 10000 a 4 52 -4 8.0 13 3",   /* 1 + 5 - 4 + 50; min -4; max 8.0; 52 / 4;
                                        * fc: 1000, 2000, 500 (9500 has ok false) */
    "+I 0 10000 b 1 7 7 2.5 7 0",      /* ok false */
    "+I 10000 20000 b 2 12 3 4.0 6 2", /* 9 + 3; 12 / 2 */
  };
  RtStateOut *out = rt__state_out_new (0, 0, 1);
  RtOperator *ops[2], *tvfs[2];
  guint sub_a, sub_b;

  make_chain (f, PLAN_WINDOW_TUMBLE, 10000, 10000);
  feed (f, f->tvf, rows, G_N_ELEMENTS (rows));
  watermark (f->op, 5000);
  g_assert_true (f->op->klass->snapshot (f->op, 1, out, &error));
  g_assert_no_error (error);
  /* a watermark entry per key group, and 3 groups: (0, a), (0, b), (10000, b) */
  g_assert_cmpuint (rt__state_out_get_entries (out), ==, RT_MAX_PARALLELISM + 3);
  bytes = rt__state_out_finish (out);
  rt__state_out_free (out);

  restore_two (f, bytes, ops, tvfs);
  sub_a = subtask_of (f, "a");
  sub_b = subtask_of (f, "b");
  feed (f, tvfs[sub_a], &more[0], 1);
  feed (f, tvfs[sub_b], &more[1], 1);
  feed (f, tvfs[sub_a], &more[2], 1);
  g_assert_cmpuint (ops[0]->late_records_dropped + ops[1]->late_records_dropped, ==, 0);
  feed (f, tvfs[sub_b], &more[3], 1);
  g_assert_cmpuint (ops[sub_b]->late_records_dropped, ==, 1);
  g_assert_cmpuint (f->out->len, ==, 0);
  for (guint s = 0; s < 2; s++)
    finish (ops[s]);
  assert_out (f, want, G_N_ELEMENTS (want));
  for (guint s = 0; s < 2; s++)
    {
      rt_operator_free (tvfs[s]);
      rt_operator_free (ops[s]);
    }
}

/* SESSION (gap 5 s) per k with accumulators: sessions snapshotted at parallelism 1,
 * restored at 2, then merged by a row that touches two of them. */
static void
test_session_restore (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  const Row rows[] = {
    { "a", 1, 1.5, 1, 1000 },    /* a: [1000, 6000) */
    { "a", 2, 0.5, 0, 9000 },    /* a: [9000, 14000), apart from the first */
    { "b", 4, 2.0, -1, 2000 },   /* b: [2000, 7000) */
  };
  const Row more[] = {
    { "a", NUL, 3.0, 1, 6000 },  /* [6000, 11000) touches both of a's: [1000, 14000) */
    { "c", 9, 1.0, 1, -3000 },   /* [-3000, 2000): end - 1 behind the restored 3000: late */
  };
  const char *const want[] = {
    "+I 1000 14000 a 3 3 1 3.0 1 1",  /* 1 + 2 (6000's v NULL); min 1; max 3.0; 3 / 2;
                                       * fc: 1000 only (9000 ok false, 6000 v NULL) */
    "+I 2000 7000 b 1 4 4 2.0 4 0",   /* ok NULL: not counted */
  };
  RtStateOut *out = rt__state_out_new (0, 0, 1);
  RtOperator *ops[2], *tvfs[2];

  make_chain (f, PLAN_WINDOW_SESSION, 5000, 5000);
  feed (f, f->tvf, rows, G_N_ELEMENTS (rows));
  watermark (f->op, 3000);
  g_assert_cmpuint (f->out->len, ==, 0);
  g_assert_true (f->op->klass->snapshot (f->op, 1, out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rt__state_out_get_entries (out), ==, RT_MAX_PARALLELISM + 3);
  bytes = rt__state_out_finish (out);
  rt__state_out_free (out);
  restore_two (f, bytes, ops, tvfs);
  feed (f, tvfs[subtask_of (f, "a")], &more[0], 1);
  feed (f, tvfs[subtask_of (f, "c")], &more[1], 1);
  g_assert_cmpuint (ops[subtask_of (f, "c")]->late_records_dropped, ==, 1);
  for (guint s = 0; s < 2; s++)
    finish (ops[s]);
  assert_out (f, want, G_N_ELEMENTS (want));
  for (guint s = 0; s < 2; s++)
    {
      rt_operator_free (tvfs[s]);
      rt_operator_free (ops[s]);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add ("/runtime/window-acc/" path, Fixture, NULL, fixture_setup, \
                                  fn, fixture_teardown)
  ADD ("hop", test_hop);
  ADD ("sum-overflow", test_sum_overflow);
  ADD ("restore-rescaled", test_restore_rescaled);
  ADD ("session-restore", test_session_restore);
#undef ADD
  return g_test_run ();
}
