/* test-agg-flat.c: the flat fast path of the batch group aggregate
 * (runtime/engine/rt-agg-flat.c), driven directly: NULL keys grouping together, groups
 * whose values are all NULL (SUM, AVG, MIN, MAX NULL, COUNT 0), integer and decimal AVG,
 * DOUBLE keys (-0.0 with 0.0) and sums, FILTER, a key of an INT and a VARCHAR, a global
 * aggregate over no rows, SUM overflow, growth of the table to many groups, spilling under
 * a small budget, which calls fall back to the general operator, and the same random input
 * through both operators giving the same rows.
 *
 * Small cases have their expected rows worked out by hand next to the input; the large
 * ones compute every group alongside with plain arrays indexed by the key. Output lines
 * are sorted before comparing: the order of groups is not part of the contract. */
#include "runtime/engine/rt-operator.h"
#include "runtime/engine/rt-agg-flat.h"
#include "rt-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct {
  RtMemPool *pool;
  RtOpContext ctx;
  PlanSchema *in;
  PlanPhysNode *input;  /* a VALUES node, only for its schema */
  PlanPhysNode *node;
  RtOperator *op;
  GPtrArray *out;       /* "+I k ... " per row */
} Fixture;

static RtResult
collect (void *data, RtBatch *batch, GError **error)
{
  rt_test_collect_lines (((Fixture *) data)->out, batch, FALSE);
  return RT_OK;
}

/* A fixture over input columns of the given types (names c0, c1, ...). */
static void
fixture_init (Fixture *f, gsize budget, guint n_cols, const PlanType *types)
{
  f->pool = rt_mem_pool_new (budget);
  rt_mem_pool_set_wait_us (f->pool, 0);
  f->ctx = (RtOpContext) { .pool = f->pool, .parallelism = 1, .batch_size = 64,
                           .bounded_only = TRUE };
  f->in = plan_schema_new (n_cols);
  for (guint c = 0; c < n_cols; c++)
    {
      g_autofree char *name = g_strdup_printf ("c%u", c);

      plan_schema_set_field (f->in, c, name, types[c]);
    }
  f->input = plan_phys_node_new (PLAN_PHYS_VALUES, plan_schema_ref (f->in), (PlanSpan) { 0 },
                                 1);
  f->out = g_ptr_array_new_with_free_func (g_free);
}

/* The AGGREGATE node grouping by keys with calls (batch mode). */
static PlanPhysNode *
make_node (Fixture *f, guint n_keys, const guint *keys, guint n_calls,
           const PlanAggCall *calls)
{
  PlanSchema *out = plan_schema_new (n_keys + n_calls);
  PlanPhysNode *node;

  for (guint k = 0; k < n_keys; k++)
    plan_schema_set_field (out, k, f->in->fields[keys[k]].name, f->in->fields[keys[k]].type);
  for (guint j = 0; j < n_calls; j++)
    {
      g_autofree char *name = g_strdup_printf ("a%u", j);

      plan_schema_set_field (out, n_keys + j, name, calls[j].type);
    }
  node = plan_phys_node_new (PLAN_PHYS_AGGREGATE, out, (PlanSpan) { 0 }, 1);
  plan_phys_node_add_input (node, plan_phys_node_ref (f->input), PLAN_EXCHANGE_HASH, n_keys,
                            keys);
  node->updating = FALSE;
  node->u.aggregate.n_keys = n_keys;
  node->u.aggregate.keys = g_memdup2 (keys, sizeof (guint) * MAX (n_keys, 1));
  node->u.aggregate.n_aggs = n_calls;
  node->u.aggregate.aggs = g_memdup2 (calls, sizeof (PlanAggCall) * n_calls);
  return node;
}

static RtOperator *
attach (Fixture *f, RtOperator *op)
{
  op->ctx = &f->ctx;
  op->sink_fn = collect;
  op->sink_data = f;
  return op;
}

/* Makes the operator through rt_op_aggregate_new and checks it took the flat path. */
static void
make_flat (Fixture *f, guint n_keys, const guint *keys, guint n_calls,
           const PlanAggCall *calls)
{
  g_autoptr (GError) error = NULL;
  guint64 spilled = 1;

  f->node = make_node (f, n_keys, keys, n_calls, calls);
  g_assert_true (rt__agg_flat_supports (f->node));
  f->op = rt_op_aggregate_new (f->node, &error);
  g_assert_no_error (error);
  g_assert_true (rt__agg_flat_get_spilled_bytes (f->op, &spilled));
  g_assert_cmpuint (spilled, ==, 0);
  attach (f, f->op);
}

static void
fixture_clear (Fixture *f)
{
  g_clear_pointer (&f->op, rt_operator_free);
  g_clear_pointer (&f->node, plan_phys_node_unref);
  plan_phys_node_unref (f->input);
  plan_schema_unref (f->in);
  g_ptr_array_unref (f->out);
  g_assert_cmpuint (rt_mem_pool_get_used (f->pool), ==, 0);
  rt_mem_pool_free (f->pool);
}

/* Feeds the rows (one PlanValue row each, n_cols values) in batches of batch_rows. */
static void
feed_values (Fixture *f, RtOperator *op, const PlanValue *rows, guint n_rows, guint batch_rows)
{
  g_autoptr (GError) error = NULL;

  for (guint r0 = 0; r0 < n_rows; r0 += batch_rows)
    {
      g_autoptr (RtBatch) b = rt_batch_new (f->pool, f->in, batch_rows, &error);

      g_assert_no_error (error);
      for (guint r = r0; r < MIN (r0 + batch_rows, n_rows); r++)
        g_assert_true (rt_batch_append_values (b, rows + (gsize) r * f->in->n_fields, NULL));
      g_assert_cmpint (op->klass->process (op, b, 0, &error), ==, RT_OK);
      g_assert_no_error (error);
    }
}

static void
finish_ok (RtOperator *op)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (op->klass->finish (op, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static gint
compare_lines (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The collected lines, sorted, equal the expected ones (sorted too). */
static void
assert_lines (GPtrArray *out, const char *const *want)
{
  g_autoptr (GPtrArray) w = g_ptr_array_new ();

  for (guint i = 0; want[i] != NULL; i++)
    g_ptr_array_add (w, (gpointer) want[i]);
  g_ptr_array_sort (w, compare_lines);
  g_ptr_array_sort (out, compare_lines);
  for (guint i = 0; i < MIN (out->len, w->len); i++)
    g_assert_cmpstr (out->pdata[i], ==, w->pdata[i]);
  g_assert_cmpuint (out->len, ==, w->len);
}

#define BIGINT_T plan_type_make (PLAN_TYPE_BIGINT, TRUE)
#define INT_T plan_type_make (PLAN_TYPE_INT, TRUE)
#define DOUBLE_T plan_type_make (PLAN_TYPE_DOUBLE, TRUE)
#define VARCHAR_T plan_type_make (PLAN_TYPE_VARCHAR, TRUE)
#define BOOL_T plan_type_make (PLAN_TYPE_BOOLEAN, TRUE)
#define NUL(t) ((PlanValue) { .type = (t), .is_null = TRUE })
#define I(t, x) ((PlanValue) { .type = (t), .v.i = (x) })
#define D(x) ((PlanValue) { .type = DOUBLE_T, .v.d = (x) })
#define S(x) ((PlanValue) { .type = VARCHAR_T, .v.s = (char *) (x) })
#define B(x) ((PlanValue) { .type = BOOL_T, .v.b = (x) })

/* ---- small cases, expected by hand ------------------------------------------------- */

/* k BIGINT, v BIGINT: NULL keys form one group; a group of only NULL values has COUNT(v)
 * 0 and NULL SUM, AVG, MIN, MAX; AVG of BIGINT truncates. */
static void
test_null_keys (void)
{
  Fixture f = { 0 };
  PlanType t[2] = { BIGINT_T, BIGINT_T };
  PlanType bt = BIGINT_T;
  guint key = 0;
  PlanAggCall calls[6] = {
    { .func = PLAN_AGG_COUNT_STAR, .arg = -1, .filter = -1, .type = bt },
    { .func = PLAN_AGG_COUNT, .arg = 1, .filter = -1, .type = bt },
    { .func = PLAN_AGG_SUM, .arg = 1, .filter = -1, .type = bt },
    { .func = PLAN_AGG_AVG, .arg = 1, .filter = -1, .type = bt },
    { .func = PLAN_AGG_MIN, .arg = 1, .filter = -1, .type = bt },
    { .func = PLAN_AGG_MAX, .arg = 1, .filter = -1, .type = bt },
  };
  PlanValue rows[] = {
    I (bt, 1), I (bt, 10),   NUL (bt), I (bt, 5),     I (bt, 1), I (bt, -3),
    I (bt, 2), NUL (bt),     NUL (bt), NUL (bt),      I (bt, 1), NUL (bt),
    I (bt, 2), NUL (bt),     NUL (bt), I (bt, 4),     I (bt, 0), I (bt, 0),
  };
  /* key 1: 10, -3, NULL -> 3 rows, 2 values, sum 7, avg 3 (7 / 2 truncated), min -3, max 10
   * key 2: NULL, NULL -> 2 rows, no value
   * NULL key: 5, NULL, 4 -> 3 rows, 2 values, sum 9, avg 4, min 4, max 5
   * key 0: 0 -> 1 row (0 is not NULL) */
  static const char *const want[] = {
    "+I 1 3 2 7 3 -3 10", "+I 2 2 0 NULL NULL NULL NULL", "+I NULL 3 2 9 4 4 5",
    "+I 0 1 1 0 0 0 0", NULL
  };

  fixture_init (&f, 8 << 20, 2, t);
  make_flat (&f, 1, &key, 6, calls);
  feed_values (&f, f.op, rows, G_N_ELEMENTS (rows) / 2, 4);
  finish_ok (f.op);
  assert_lines (f.out, want);
  fixture_clear (&f);
}

/* k INT, s VARCHAR (the key), v DECIMAL(10, 2), d DOUBLE, p BOOLEAN (a FILTER): a key of an
 * INT and a string, both possibly NULL; decimal SUM and AVG (scale 2 -> 6, rounded half
 * away from zero); DOUBLE SUM/AVG/MIN/MAX; COUNT(*) FILTER. */
static void
test_mixed_key (void)
{
  Fixture f = { 0 };
  PlanType dec = plan_type_decimal (10, 2, TRUE), avg = plan_type_decimal (18, 6, TRUE);
  PlanType t[5] = { INT_T, VARCHAR_T, dec, DOUBLE_T, BOOL_T };
  PlanType it = INT_T, bt = BIGINT_T, sum = plan_type_decimal (18, 2, TRUE);
  guint keys[2] = { 0, 1 };
  PlanAggCall calls[6] = {
    { .func = PLAN_AGG_COUNT_STAR, .arg = -1, .filter = 4, .type = bt },
    { .func = PLAN_AGG_SUM, .arg = 2, .filter = -1, .type = sum },
    { .func = PLAN_AGG_AVG, .arg = 2, .filter = -1, .type = avg },
    { .func = PLAN_AGG_SUM, .arg = 3, .filter = -1, .type = DOUBLE_T },
    { .func = PLAN_AGG_AVG, .arg = 3, .filter = -1, .type = DOUBLE_T },
    { .func = PLAN_AGG_MAX, .arg = 3, .filter = -1, .type = DOUBLE_T },
  };
  PlanValue rows[] = {
    I (it, 1), S ("a"), I (dec, 100), D (1.5),  B (TRUE),
    I (it, 1), S ("b"), I (dec, 1),   D (-2.0), B (FALSE),
    I (it, 1), S ("a"), I (dec, 2),   NUL (DOUBLE_T), NUL (BOOL_T),
    I (it, 2), S ("a"), NUL (dec),    D (0.5),  B (TRUE),
    NUL (it),  S ("a"), I (dec, 3),   D (1.0),  B (TRUE),
    I (it, 1), NUL (VARCHAR_T), I (dec, 5), D (2.0), B (TRUE),
    NUL (it),  S ("a"), I (dec, 4),   D (3.0),  B (TRUE),
    I (it, 1), S ("a"), I (dec, 1),   D (2.5),  B (TRUE),
    I (it, 1), S (""),  I (dec, 7),   D (4.0),  B (FALSE),
    I (it, 1), NUL (VARCHAR_T), I (dec, 6), D (-1.0), B (TRUE),
  };
  /* (1, a): 1.00 0.02 0.01 -> sum 1.03, avg 1.03 / 3 = 0.343333; 1.5, NULL, 2.5 -> sum 4.0,
   *         avg 2.0, max 2.5; filter TRUE, NULL, TRUE -> 2
   * (1, b): 0.01 -> avg 0.010000; -2.0; filter FALSE -> 0
   * (2, a): v NULL -> SUM, AVG NULL; 0.5; 1
   * (NULL, a): 0.03 0.04 -> sum 0.07, avg 0.035; 1.0 3.0 -> 4.0, 2.0, 3.0; 2
   * (1, NULL): 0.05 0.06 -> 0.11, avg 0.055; 2.0 -1.0 -> 1.0, 0.5, 2.0; 2
   * (1, ''): the empty string is not NULL: 0.07; 4.0; 0 */
  static const char *const want[] = {
    "+I 1 a 2 1.03 0.343333 4.0 2.0 2.5", "+I 1 b 0 0.01 0.010000 -2.0 -2.0 -2.0",
    "+I 2 a 1 NULL NULL 0.5 0.5 0.5", "+I NULL a 2 0.07 0.035000 4.0 2.0 3.0",
    "+I 1 NULL 2 0.11 0.055000 1.0 0.5 2.0", "+I 1  0 0.07 0.070000 4.0 4.0 4.0", NULL
  };

  fixture_init (&f, 8 << 20, 5, t);
  make_flat (&f, 2, keys, 6, calls);
  feed_values (&f, f.op, rows, G_N_ELEMENTS (rows) / 5, 3);
  finish_ok (f.op);
  assert_lines (f.out, want);
  fixture_clear (&f);
}

/* A DOUBLE and a BOOLEAN key: -0.0 and 0.0 are one group, shown as its first row had it;
 * a NULL BOOLEAN key is a group of its own. */
static void
test_double_key (void)
{
  Fixture f = { 0 };
  PlanType t[3] = { DOUBLE_T, BOOL_T, BIGINT_T };
  PlanType bt = BIGINT_T;
  guint keys[2] = { 0, 1 };
  PlanAggCall calls[2] = {
    { .func = PLAN_AGG_COUNT_STAR, .arg = -1, .filter = -1, .type = bt },
    { .func = PLAN_AGG_MIN, .arg = 2, .filter = -1, .type = bt },
  };
  PlanValue rows[] = {
    D (-0.0), B (TRUE), I (bt, 7),
    D (0.0),  B (TRUE), I (bt, 3),
    D (2.5),  NUL (BOOL_T), I (bt, 9),
    D (2.5),  NUL (BOOL_T), NUL (bt),
    D (0.0),  B (FALSE), I (bt, -1),
  };
  static const char *const want[] = {
    "+I -0.0 TRUE 2 3", "+I 2.5 NULL 2 9", "+I 0.0 FALSE 1 -1", NULL
  };

  fixture_init (&f, 8 << 20, 3, t);
  make_flat (&f, 2, keys, 2, calls);
  feed_values (&f, f.op, rows, G_N_ELEMENTS (rows) / 3, 2);
  finish_ok (f.op);
  assert_lines (f.out, want);
  fixture_clear (&f);
}

/* No GROUP BY over no rows: one row, COUNT(*) 0 and SUM NULL; over rows: one row. */
static void
test_global (void)
{
  Fixture f = { 0 };
  PlanType t[1] = { BIGINT_T };
  PlanType bt = BIGINT_T;
  PlanAggCall calls[2] = {
    { .func = PLAN_AGG_COUNT_STAR, .arg = -1, .filter = -1, .type = bt },
    { .func = PLAN_AGG_SUM, .arg = 0, .filter = -1, .type = bt },
  };
  PlanValue rows[] = { I (bt, 4), NUL (bt), I (bt, 5) };
  static const char *const empty[] = { "+I 0 NULL", NULL };
  static const char *const three[] = { "+I 3 9", NULL };

  fixture_init (&f, 8 << 20, 1, t);
  make_flat (&f, 0, NULL, 2, calls);
  finish_ok (f.op);
  assert_lines (f.out, empty);
  g_clear_pointer (&f.op, rt_operator_free);
  g_ptr_array_set_size (f.out, 0);
  f.op = attach (&f, rt_op_aggregate_new (f.node, NULL));
  feed_values (&f, f.op, rows, 3, 2);
  finish_ok (f.op);
  assert_lines (f.out, three);
  fixture_clear (&f);
}

/* SUM past the BIGINT range fails with an evaluation error. */
static void
test_overflow (void)
{
  Fixture f = { 0 };
  PlanType t[2] = { BIGINT_T, BIGINT_T };
  PlanType bt = BIGINT_T;
  guint key = 0;
  PlanAggCall call = { .func = PLAN_AGG_SUM, .arg = 1, .filter = -1, .type = bt };
  PlanValue rows[] = { I (bt, 1), I (bt, G_MAXINT64), I (bt, 1), I (bt, 1) };
  g_autoptr (RtBatch) b = NULL;
  g_autoptr (GError) error = NULL;

  fixture_init (&f, 8 << 20, 2, t);
  make_flat (&f, 1, &key, 1, &call);
  b = rt_batch_new (f.pool, f.in, 4, NULL);
  g_assert_true (rt_batch_append_values (b, rows, NULL));
  g_assert_true (rt_batch_append_values (b, rows + 2, NULL));
  g_assert_cmpint (f.op->klass->process (f.op, b, 0, &error), ==, RT_FAIL);
  g_assert_error (error, RT_ERROR, RT_ERROR_EVAL);
  g_clear_pointer (&b, rt_batch_unref);
  fixture_clear (&f);
}

/* DISTINCT, MIN of a VARCHAR and streaming mode stay on the general operator. */
static void
test_fallback (void)
{
  Fixture f = { 0 };
  PlanType t[2] = { BIGINT_T, VARCHAR_T };
  PlanType bt = BIGINT_T;
  guint key = 0;
  PlanAggCall distinct = { .func = PLAN_AGG_COUNT, .distinct = TRUE, .arg = 0, .filter = -1,
                           .type = bt };
  PlanAggCall smin = { .func = PLAN_AGG_MIN, .arg = 1, .filter = -1, .type = VARCHAR_T };
  PlanAggCall count = { .func = PLAN_AGG_COUNT, .arg = 1, .filter = -1, .type = bt };
  PlanPhysNode *node;
  RtOperator *op;
  guint64 bytes;

  fixture_init (&f, 8 << 20, 2, t);
  node = make_node (&f, 1, &key, 1, &distinct);
  g_assert_false (rt__agg_flat_supports (node));
  op = rt_op_aggregate_new (node, NULL);
  g_assert_false (rt__agg_flat_get_spilled_bytes (op, &bytes));
  rt_operator_free (op);
  plan_phys_node_unref (node);
  node = make_node (&f, 1, &key, 1, &smin);
  g_assert_false (rt__agg_flat_supports (node));
  plan_phys_node_unref (node);
  node = make_node (&f, 1, &key, 1, &count); /* COUNT of a VARCHAR is fine */
  g_assert_true (rt__agg_flat_supports (node));
  node->updating = TRUE;
  g_assert_false (rt__agg_flat_supports (node));
  plan_phys_node_unref (node);
  fixture_clear (&f);
}

/* ---- large cases, expected by arrays --------------------------------------------- */

typedef struct {
  gint64 count, vcount, sum, min, max;
} Expect;

/* Row i of the generated input: k (BIGINT, or "s<k>" VARCHAR with the INT n = k % 7 as a
 * second key), v = i * 7 mod 1000, NULL when i mod 9 is 4; every row with i mod 1013 = 3
 * has a NULL key (group n_groups). */
static guint64
gen_key (guint64 i, guint n_groups)
{
  return i % 1013 == 3 ? n_groups : (i * 2654435761u) % n_groups;
}

static void
feed_generated (Fixture *f, RtOperator *op, guint64 n_rows, guint n_groups, gboolean strings,
                Expect *want)
{
  g_autoptr (GError) error = NULL;

  for (guint64 i0 = 0; i0 < n_rows; i0 += 1000)
    {
      g_autoptr (RtBatch) b = rt_batch_new (f->pool, f->in, 1000, &error);

      g_assert_no_error (error);
      for (guint64 i = i0; i < MIN (i0 + 1000, n_rows); i++)
        {
          guint r = b->n_rows++;
          guint64 k = gen_key (i, n_groups);
          gint64 v = (gint64) ((i * 7) % 1000);
          Expect *e = want ? &want[k] : NULL;

          if (k == n_groups)
            {
              rt_vec_set_null (&b->cols[0], r);
              if (strings)
                rt_vec_set_null (&b->cols[2], r);
            }
          else if (strings)
            {
              g_autofree char *s = g_strdup_printf ("s%" G_GUINT64_FORMAT, k);

              RT_VEC (b, 0, RtStr)[r] = rt_batch_intern (b, s, strlen (s), &error);
              RT_VEC (b, 2, gint32)[r] = (gint32) (k % 7);
            }
          else
            RT_VEC (b, 0, gint64)[r] = (gint64) k;
          if (e)
            e->count++;
          if (i % 9 == 4)
            {
              rt_vec_set_null (&b->cols[1], r);
              continue;
            }
          RT_VEC (b, 1, gint64)[r] = v;
          if (e)
            {
              e->min = e->vcount ? MIN (e->min, v) : v;
              e->max = e->vcount ? MAX (e->max, v) : v;
              e->vcount++;
              e->sum += v;
            }
        }
      g_assert_cmpint (op->klass->process (op, b, 0, &error), ==, RT_OK);
      g_assert_no_error (error);
    }
}

/* The expected line of group k (as rt_test_collect_lines prints it). */
static char *
expect_line (const Expect *e, guint64 k, guint n_groups, gboolean strings)
{
  g_autofree char *key = k == n_groups ? g_strdup (strings ? "NULL NULL" : "NULL")
                         : strings ? g_strdup_printf ("s%" G_GUINT64_FORMAT " %u", k,
                                                      (guint) (k % 7))
                                   : g_strdup_printf ("%" G_GUINT64_FORMAT, k);

  if (e->vcount == 0)
    return g_strdup_printf ("+I %s %" G_GINT64_FORMAT " 0 NULL NULL NULL", key, e->count);
  return g_strdup_printf ("+I %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                          " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, key, e->count,
                          e->vcount, e->sum, e->min, e->max);
}

static void
make_generated (Fixture *f, gsize budget, gboolean strings)
{
  PlanType t[3] = { strings ? VARCHAR_T : BIGINT_T, BIGINT_T, INT_T };
  PlanType bt = BIGINT_T;
  guint keys[2] = { 0, 2 };
  PlanAggCall calls[5] = {
    { .func = PLAN_AGG_COUNT_STAR, .arg = -1, .filter = -1, .type = bt },
    { .func = PLAN_AGG_COUNT, .arg = 1, .filter = -1, .type = bt },
    { .func = PLAN_AGG_SUM, .arg = 1, .filter = -1, .type = bt },
    { .func = PLAN_AGG_MIN, .arg = 1, .filter = -1, .type = bt },
    { .func = PLAN_AGG_MAX, .arg = 1, .filter = -1, .type = bt },
  };

  fixture_init (f, budget, 3, t);
  f->ctx.batch_size = 1024;
  make_flat (f, strings ? 2 : 1, keys, 5, calls);
}

static void
check_generated (Fixture *f, const Expect *want, guint n_groups, gboolean strings)
{
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  for (guint64 k = 0; k <= n_groups; k++)
    if (want[k].count > 0)
      g_ptr_array_add (lines, expect_line (&want[k], k, n_groups, strings));
  g_ptr_array_add (lines, NULL);
  assert_lines (f->out, (const char *const *) lines->pdata);
}

/* 300k groups from 1M rows: the table grows from its first size many times, no spill. */
static void
test_growth (void)
{
  Fixture f = { 0 };
  guint n_groups = 300000;
  g_autofree Expect *want = g_new0 (Expect, n_groups + 1);
  guint64 spilled = 1;

  make_generated (&f, (gsize) 512 << 20, FALSE);
  feed_generated (&f, f.op, 1000000, n_groups, FALSE, want);
  finish_ok (f.op);
  g_assert_true (rt__agg_flat_get_spilled_bytes (f.op, &spilled));
  g_assert_cmpuint (spilled, ==, 0);
  check_generated (&f, want, n_groups, FALSE);
  fixture_clear (&f);
}

/* String + INT keys, 50k groups under a 1 MiB budget: groups spill (more than one level
 * deep) and come back exact; no spill file is left. */
static void
test_spill (void)
{
  Fixture f = { 0 };
  guint n_groups = 50000;
  g_autofree Expect *want = g_new0 (Expect, n_groups + 1);
  guint64 spilled = 0;

  make_generated (&f, 1 << 20, TRUE);
  feed_generated (&f, f.op, 400000, n_groups, TRUE, want);
  /* within its share (half the budget) while the input is read */
  g_assert_cmpuint (rt_mem_pool_get_used (f.pool), <=, 512 * 1024);
  finish_ok (f.op);
  g_assert_true (rt__agg_flat_get_spilled_bytes (f.op, &spilled));
  g_assert_cmpuint (spilled, >, 0);
  check_generated (&f, want, n_groups, TRUE);
  fixture_clear (&f);
}

/* The same input through the flat operator and the general one (rt__agg_generic_new)
 * gives the same rows, with and without spilling. */
static void
compare_paths (gsize budget)
{
  Fixture f = { 0 }, g = { 0 };
  guint n_groups = 20000;

  make_generated (&f, budget, TRUE);
  make_generated (&g, budget, TRUE);
  g_clear_pointer (&g.op, rt_operator_free);
  g.op = attach (&g, rt__agg_generic_new (g.node));
  feed_generated (&f, f.op, 100000, n_groups, TRUE, NULL);
  feed_generated (&g, g.op, 100000, n_groups, TRUE, NULL);
  finish_ok (f.op);
  finish_ok (g.op);
  g_assert_cmpuint (f.out->len, ==, n_groups + 1);
  g_ptr_array_add (g.out, NULL); /* NULL-terminated for assert_lines */
  assert_lines (f.out, (const char *const *) g.out->pdata);
  fixture_clear (&f);
  fixture_clear (&g);
}

static void
test_same_as_general (void)
{
  compare_paths ((gsize) 64 << 20);
  compare_paths (1 << 20);
}

/* ---- another thread contending for the pool ----------------------------------------- */

typedef struct {
  RtMemPool *pool;
  gsize bytes;
  gint stop;
  guint64 flips;
} Contender;

/* Takes and returns a block of half the budget, again and again: while it holds one, the
 * pool is half used and an aggregate gets no block for a new group. */
static gpointer
contend (gpointer data)
{
  Contender *c = data;

  while (!g_atomic_int_get (&c->stop))
    {
      void *block = rt_mem_alloc (c->pool, c->bytes, NULL, NULL);

      if (block != NULL)
        {
          rt_mem_free (c->pool, block, c->bytes);
          c->flips++;
        }
    }
  return NULL;
}

/* While another thread keeps filling and emptying half the pool, a batch holding every
 * key twice (0 .. 15, then 0 .. 15 again) goes into a fresh operator, 2000 times over.
 * Whether a new group gets memory changes from one row to the next, but a group must be
 * either all in memory or all on disk: each key comes out once, with COUNT(*) 2. (A
 * group whose first row spilled and whose second found room came out twice, 1 and 1.)
 * Without the contention every group fits; with it, some spill. */
static void
test_pool_contention (void)
{
  Fixture f = { 0 };
  PlanType t[1] = { BIGINT_T };
  PlanType bt = BIGINT_T;
  guint key = 0;
  PlanAggCall calls[1] = { { .func = PLAN_AGG_COUNT_STAR, .arg = -1, .filter = -1, .type = bt } };
  Contender c = { 0 };
  GThread *thread;
  g_autoptr (GPtrArray) want = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  guint n_spilled = 0;

  fixture_init (&f, (gsize) 4 << 20, 1, t);
  for (guint k = 0; k < 16; k++)
    g_ptr_array_add (want, g_strdup_printf ("+I %u 2", k));
  g_ptr_array_add (want, NULL);
  c.pool = f.pool;
  c.bytes = (gsize) 2 << 20;
  thread = g_thread_new ("contender", contend, &c);
  for (guint iter = 0; iter < 2000; iter++)
    {
      g_autoptr (RtBatch) b = rt_batch_new (f.pool, f.in, 32, &error);

      g_assert_no_error (error);
      for (guint r = 0; r < 32; r++)
        RT_VEC (b, 0, gint64)[r] = r % 16;
      b->n_rows = 32;
      make_flat (&f, 1, &key, 1, calls);
      g_assert_cmpint (f.op->klass->process (f.op, b, 0, &error), ==, RT_OK);
      g_assert_no_error (error);
      finish_ok (f.op);
      assert_lines (f.out, (const char *const *) want->pdata);
      g_ptr_array_set_size (f.out, 0);
      n_spilled += rt_op_aggregate_get_spilled_bytes (f.op) > 0;
      g_clear_pointer (&f.op, rt_operator_free);
      g_clear_pointer (&f.node, plan_phys_node_unref);
    }
  g_atomic_int_set (&c.stop, 1);
  g_thread_join (thread);
  g_test_message ("the contender took half the pool %" G_GUINT64_FORMAT " times; %u of the "
                  "2000 operators spilled", c.flips, n_spilled);
  fixture_clear (&f);
}

int
main (int argc, char **argv)
{
  char dir[] = "/tmp/strom-test-agg-flat-XXXXXX";
  int ret;

  g_assert_nonnull (g_mkdtemp (dir)); /* spill files go here (before GLib reads TMPDIR) */
  g_setenv ("TMPDIR", dir, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/agg-flat/null-keys", test_null_keys);
  g_test_add_func ("/runtime/agg-flat/mixed-key", test_mixed_key);
  g_test_add_func ("/runtime/agg-flat/double-key", test_double_key);
  g_test_add_func ("/runtime/agg-flat/global", test_global);
  g_test_add_func ("/runtime/agg-flat/overflow", test_overflow);
  g_test_add_func ("/runtime/agg-flat/fallback", test_fallback);
  g_test_add_func ("/runtime/agg-flat/growth", test_growth);
  g_test_add_func ("/runtime/agg-flat/spill", test_spill);
  g_test_add_func ("/runtime/agg-flat/same-as-general", test_same_as_general);
  g_test_add_func ("/runtime/agg-flat/pool-contention", test_pool_contention);
  ret = g_test_run ();
  g_assert_cmpint (g_rmdir (dir), ==, 0); /* fails if a spill file was left behind */
  return ret;
}
