/* test-aggregate.c: the keyed group aggregate operator (runtime/engine/rt-op-aggregate.c)
 * driven directly, one input batch at a time: the +I / -U,+U / -D changelog for inserts
 * and retractions, nothing for an unchanged result, MIN/MAX finding the next value after a
 * retraction, COUNT(DISTINCT), FILTER, NULL arguments, retraction of an unknown key,
 * integer and decimal AVG, and batch mode (final rows at the end). Every expected row is
 * worked out by hand from the input rows written next to it. */
#include "runtime/engine/rt-operator.h"
#include "rt-test-util.h"

#include <string.h>

typedef struct {
  RtMemPool *pool;
  RtOpContext ctx;
  PlanSchema *in;       /* k VARCHAR, v INT, f BOOLEAN, d DECIMAL(10, 2) */
  PlanPhysNode *input;  /* a VALUES node, only for its schema */
  RtOperator *op;
  GPtrArray *out;       /* "+I a 1 5 ..." per emitted row */
} Fixture;

static RtResult
collect (void *data, RtBatch *batch, GError **error)
{
  Fixture *f = data;

  rt_test_collect_lines (f->out, batch, FALSE);
  return RT_OK;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->pool = rt_mem_pool_new (8 * 1024 * 1024);
  f->ctx = (RtOpContext) { .pool = f->pool, .parallelism = 1, .batch_size = 4 };
  f->in = plan_schema_new (4);
  plan_schema_set_field (f->in, 0, "k", plan_type_make (PLAN_TYPE_VARCHAR, TRUE));
  plan_schema_set_field (f->in, 1, "v", plan_type_make (PLAN_TYPE_INT, TRUE));
  plan_schema_set_field (f->in, 2, "f", plan_type_make (PLAN_TYPE_BOOLEAN, TRUE));
  plan_schema_set_field (f->in, 3, "d", plan_type_decimal (10, 2, TRUE));
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

/* Makes the operator: group by k (when keyed) with the given calls, over a changelog
 * input (input_updating) or an insert-only one. */
static void
make_op_over (Fixture *f, gboolean keyed, gboolean updating, gboolean input_updating,
              const PlanAggCall *calls, guint n)
{
  guint n_keys = keyed ? 1 : 0;
  PlanSchema *out = plan_schema_new (n_keys + n);
  g_autoptr (PlanPhysNode) node = NULL;
  g_autoptr (GError) error = NULL;
  guint key = 0;

  if (keyed)
    plan_schema_set_field (out, 0, "k", f->in->fields[0].type);
  for (guint j = 0; j < n; j++)
    {
      g_autofree char *name = g_strdup_printf ("a%u", j);
      plan_schema_set_field (out, n_keys + j, name, calls[j].type);
    }
  node = plan_phys_node_new (PLAN_PHYS_AGGREGATE, out, (PlanSpan) { 0 }, 1);
  plan_phys_node_add_input (node, plan_phys_node_ref (f->input), PLAN_EXCHANGE_HASH, n_keys,
                            &key);
  node->updating = updating;
  f->input->updating = input_updating;
  node->u.aggregate.n_keys = n_keys;
  node->u.aggregate.keys = g_memdup2 (&key, sizeof key);
  node->u.aggregate.n_aggs = n;
  node->u.aggregate.aggs = g_memdup2 (calls, n * sizeof (PlanAggCall));
  f->op = rt_op_aggregate_new (node, &error);
  g_assert_no_error (error);
  f->op->ctx = &f->ctx;
  f->op->sink_fn = collect;
  f->op->sink_data = f;
}

/* The tests below feed retractions: their input is a changelog. */
static void
make_op (Fixture *f, gboolean keyed, gboolean updating, const PlanAggCall *calls, guint n)
{
  make_op_over (f, keyed, updating, TRUE, calls, n);
}

/* One input row: kind, k (NULL: SQL NULL), v (G_MININT: NULL), f (-1: NULL), d (scaled). */
typedef struct {
  RtRowKind kind;
  const char *k;
  gint v;
  gint f;
  gint64 d;
} Row;

static RtBatch *
make_batch (Fixture *f, const Row *rows, guint n)
{
  g_autoptr (GError) error = NULL;
  RtBatch *b = rt_batch_new (f->pool, f->in, 16, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      PlanValue v[4] = {
        { .type = f->in->fields[0].type, .is_null = rows[i].k == NULL,
          .v.s = (char *) rows[i].k },
        { .type = f->in->fields[1].type, .is_null = rows[i].v == G_MININT, .v.i = rows[i].v },
        { .type = f->in->fields[2].type, .is_null = rows[i].f < 0, .v.b = rows[i].f > 0 },
        { .type = f->in->fields[3].type, .v.i = rows[i].d },
      };
      g_assert_true (rt_batch_append_values (b, v, &error));
      b->kinds[b->n_rows - 1] = (guint8) rows[i].kind;
    }
  return b;
}

static void
feed (Fixture *f, const Row *rows, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtBatch) b = make_batch (f, rows, n);

  g_assert_cmpint (f->op->klass->process (f->op, b, 0, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static void
assert_out (Fixture *f, const char *const *want)
{
  guint n = g_strv_length ((char **) want);

  for (guint i = 0; i < MIN (n, f->out->len); i++)
    g_assert_cmpstr (f->out->pdata[i], ==, want[i]);
  g_assert_cmpuint (f->out->len, ==, n);
  g_ptr_array_set_size (f->out, 0);
}

#define BIGINT_NN plan_type_make (PLAN_TYPE_BIGINT, FALSE)
#define INT_N plan_type_make (PLAN_TYPE_INT, TRUE)

static const PlanAggCall mixed_calls[] = {
  { PLAN_AGG_COUNT_STAR, FALSE, -1, -1, { PLAN_TYPE_BIGINT, 0, 0, FALSE } },
  { PLAN_AGG_SUM, FALSE, 1, -1, { PLAN_TYPE_BIGINT, 0, 0, TRUE } },
  { PLAN_AGG_MIN, FALSE, 1, -1, { PLAN_TYPE_INT, 0, 0, TRUE } },
  { PLAN_AGG_MAX, FALSE, 1, -1, { PLAN_TYPE_INT, 0, 0, TRUE } },
  { PLAN_AGG_COUNT, TRUE, 1, -1, { PLAN_TYPE_BIGINT, 0, 0, FALSE } },  /* COUNT(DISTINCT v) */
  { PLAN_AGG_COUNT, FALSE, 1, 2, { PLAN_TYPE_BIGINT, 0, 0, FALSE } },  /* FILTER (WHERE f) */
};

/* Columns out: k, COUNT(*), SUM(v), MIN(v), MAX(v), COUNT(DISTINCT v), COUNT(v) FILTER f */
static void
test_inserts (Fixture *f, gconstpointer data)
{
  make_op (f, TRUE, TRUE, mixed_calls, G_N_ELEMENTS (mixed_calls));
  feed (f, (Row[]) { { RT_ROW_INSERT, "a", 5, 1 }, { RT_ROW_INSERT, "b", 3, 0 } }, 2);
  assert_out (f, (const char *[]) { "+I a 1 5 5 5 1 1", "+I b 1 3 3 3 1 0", NULL });
  feed (f, (Row[]) { { RT_ROW_INSERT, "a", 2, 0 } }, 1);
  assert_out (f, (const char *[]) { "-U a 1 5 5 5 1 1", "+U a 2 7 2 5 2 1", NULL });
  feed (f, (Row[]) { { RT_ROW_INSERT, "a", 5, 1 } }, 1);
  assert_out (f, (const char *[]) { "-U a 2 7 2 5 2 1", "+U a 3 12 2 5 2 2", NULL });
}

static void
test_retractions (Fixture *f, gconstpointer data)
{
  make_op (f, TRUE, TRUE, mixed_calls, G_N_ELEMENTS (mixed_calls));
  feed (f, (Row[]) { { RT_ROW_INSERT, "a", 5, 1 }, { RT_ROW_INSERT, "b", 3, 0 },
                     { RT_ROW_INSERT, "a", 2, 0 }, { RT_ROW_INSERT, "a", 5, 1 } }, 4);
  g_ptr_array_set_size (f->out, 0);
  /* a holds 5, 2, 5: retracting 2 makes 5 the minimum again; one distinct value left */
  feed (f, (Row[]) { { RT_ROW_DELETE, "a", 2, 0 } }, 1);
  assert_out (f, (const char *[]) { "-U a 3 12 2 5 2 2", "+U a 2 10 5 5 1 2", NULL });
  /* one of the two 5s goes: still one distinct value; the FILTER count drops */
  feed (f, (Row[]) { { RT_ROW_UPDATE_BEFORE, "a", 5, 1 } }, 1);
  assert_out (f, (const char *[]) { "-U a 2 10 5 5 1 2", "+U a 1 5 5 5 1 1", NULL });
  /* b's only row goes: -D with its last result; a key never seen is ignored */
  feed (f, (Row[]) { { RT_ROW_DELETE, "b", 3, 0 }, { RT_ROW_DELETE, "zzz", 1, 1 } }, 2);
  assert_out (f, (const char *[]) { "-D b 1 3 3 3 1 0", NULL });
  /* NULL v and NULL f: counted by COUNT(*) only */
  feed (f, (Row[]) { { RT_ROW_INSERT, "a", G_MININT, -1 } }, 1);
  assert_out (f, (const char *[]) { "-U a 1 5 5 5 1 1", "+U a 2 5 5 5 1 1", NULL });
  /* b comes back as a new group */
  feed (f, (Row[]) { { RT_ROW_UPDATE_AFTER, "b", 9, 1 } }, 1);
  assert_out (f, (const char *[]) { "+I b 1 9 9 9 1 1", NULL });
}

static void
test_unchanged_and_max_retraction (Fixture *f, gconstpointer data)
{
  static const PlanAggCall max_only[] = {
    { PLAN_AGG_MAX, FALSE, 1, -1, { PLAN_TYPE_INT, 0, 0, TRUE } },
  };

  make_op (f, TRUE, TRUE, max_only, 1);
  feed (f, (Row[]) { { RT_ROW_INSERT, "a", 5, 1 } }, 1);
  assert_out (f, (const char *[]) { "+I a 5", NULL });
  /* 3 < 5: the result does not change, so nothing is emitted, in or out */
  feed (f, (Row[]) { { RT_ROW_INSERT, "a", 3, 1 } }, 1);
  assert_out (f, (const char *[]) { NULL });
  feed (f, (Row[]) { { RT_ROW_INSERT, "a", 7, 1 } }, 1);
  assert_out (f, (const char *[]) { "-U a 5", "+U a 7", NULL });
  /* retracting the maximum finds the next one */
  feed (f, (Row[]) { { RT_ROW_DELETE, "a", 7, 1 } }, 1);
  assert_out (f, (const char *[]) { "-U a 7", "+U a 5", NULL });
  feed (f, (Row[]) { { RT_ROW_DELETE, "a", 3, 1 } }, 1);
  assert_out (f, (const char *[]) { NULL });
  feed (f, (Row[]) { { RT_ROW_DELETE, "a", 5, 1 } }, 1);
  assert_out (f, (const char *[]) { "-D a 5", NULL });
}

static void
test_avg (Fixture *f, gconstpointer data)
{
  static const PlanAggCall avgs[] = {
    { PLAN_AGG_AVG, FALSE, 1, -1, { PLAN_TYPE_INT, 0, 0, TRUE } },
    { PLAN_AGG_AVG, FALSE, 3, -1, { PLAN_TYPE_DECIMAL, 18, 6, TRUE } },
  };

  make_op (f, FALSE, TRUE, avgs, 2);
  /* v: 1, 2 -> 3 / 2 truncates to 1; d: 1.00, 2.00 -> 1.500000 */
  feed (f, (Row[]) { { RT_ROW_INSERT, "a", 1, 1, 100 }, { RT_ROW_INSERT, "b", 2, 1, 200 } },
        2);
  assert_out (f, (const char *[]) { "+I 1 1.000000", "-U 1 1.000000", "+U 1 1.500000", NULL });
  /* d: 1.00, 2.00, 2.00 -> 5.00 / 3 = 1.6666.. rounds half up to 1.666667; v: 5 / 3 = 1 */
  feed (f, (Row[]) { { RT_ROW_INSERT, "c", 2, 1, 200 } }, 1);
  assert_out (f, (const char *[]) { "-U 1 1.500000", "+U 1 1.666667", NULL });
  /* v: -7 added: (1 + 2 + 2 - 7) / 4 = -2 / 4 truncates to 0; d: 7.00 / 4 = 1.750000 */
  feed (f, (Row[]) { { RT_ROW_INSERT, "d", -7, 1, 200 } }, 1);
  assert_out (f, (const char *[]) { "-U 1 1.666667", "+U 0 1.750000", NULL });
}

static void
test_batch_mode (Fixture *f, gconstpointer data)
{
  static const PlanAggCall sum_only[] = {
    { PLAN_AGG_SUM, FALSE, 1, -1, { PLAN_TYPE_BIGINT, 0, 0, TRUE } },
  };
  g_autoptr (GError) error = NULL;

  make_op (f, TRUE, FALSE, sum_only, 1);
  feed (f, (Row[]) { { RT_ROW_INSERT, "a", 5, 1 }, { RT_ROW_INSERT, "a", 6, 1 },
                     { RT_ROW_INSERT, "b", 1, 1 }, { RT_ROW_INSERT, "c", 1, 1 } }, 4);
  feed (f, (Row[]) { { RT_ROW_DELETE, "c", 1, 1 } }, 1);
  assert_out (f, (const char *[]) { NULL });
  g_assert_cmpint (f->op->klass->finish (f->op, &error), ==, RT_OK);
  g_assert_no_error (error);
  /* one final +I per live group (c is gone), in no promised order */
  g_assert_cmpuint (f->out->len, ==, 2);
  g_assert_true (g_strv_contains ((const char *const[]) { "+I a 11", "+I b 1", NULL },
                                  f->out->pdata[0]));
  g_assert_true (g_strv_contains ((const char *const[]) { "+I a 11", "+I b 1", NULL },
                                  f->out->pdata[1]));
  g_assert_cmpstr (f->out->pdata[0], !=, f->out->pdata[1]);
}

/* Over an insert-only input MIN and MAX keep one value per group instead of a multiset;
 * the changelog is the same, and a retraction (which the planner never sends there) is
 * refused rather than silently mis-counted. */
static void
test_append_only_min_max (Fixture *f, gconstpointer data)
{
  static const PlanAggCall calls[] = {
    { PLAN_AGG_MIN, FALSE, 1, -1, { PLAN_TYPE_INT, 0, 0, TRUE } },
    { PLAN_AGG_MAX, FALSE, 1, -1, { PLAN_TYPE_INT, 0, 0, TRUE } },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (RtBatch) b = NULL;

  make_op_over (f, TRUE, TRUE, FALSE, calls, 2);
  feed (f, (Row[]) { { RT_ROW_INSERT, "a", 5, 1 } }, 1);
  assert_out (f, (const char *[]) { "+I a 5 5", NULL });
  /* 3 lowers the minimum only; 4 changes neither, so nothing is emitted */
  feed (f, (Row[]) { { RT_ROW_INSERT, "a", 3, 1 }, { RT_ROW_INSERT, "a", 4, 1 } }, 2);
  assert_out (f, (const char *[]) { "-U a 5 5", "+U a 3 5", NULL });
  feed (f, (Row[]) { { RT_ROW_INSERT, "a", 9, 1 }, { RT_ROW_INSERT, "b", 1, 1 } }, 2);
  assert_out (f, (const char *[]) { "-U a 3 5", "+U a 3 9", "+I b 1 1", NULL });
  b = make_batch (f, (Row[]) { { RT_ROW_DELETE, "a", 9, 1 } }, 1);
  g_assert_cmpint (f->op->klass->process (f->op, b, 0, &error), ==, RT_FAIL);
  g_assert_error (error, RT_ERROR, RT_ERROR_INTERNAL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/runtime/aggregate/inserts", test_inserts);
  ADD ("/runtime/aggregate/retractions", test_retractions);
  ADD ("/runtime/aggregate/unchanged-and-max-retraction", test_unchanged_and_max_retraction);
  ADD ("/runtime/aggregate/avg", test_avg);
  ADD ("/runtime/aggregate/batch-mode", test_batch_mode);
  ADD ("/runtime/aggregate/append-only-min-max", test_append_only_min_max);
  return g_test_run ();
}
