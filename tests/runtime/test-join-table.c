/* test-join-table.c: the batch hash join's build table (runtime/engine/rt-join-table.c),
 * driven through the hash join operator with hand-built batches: duplicate build keys,
 * the index growing far past its first size, NULL keys on either side, a two-column key of
 * an INT and a VARCHAR column (against BIGINT and VARCHAR), the NULL-filled rows of outer
 * joins with and without a residual condition, a join without keys (nested loop), DOUBLE
 * keys (-0.0 = 0.0), and build sides past the memory share that spill (hybrid hash join,
 * rt-join-table-spill.c), once and split again, with their files removed afterwards.
 * Expected rows and sums are worked out by hand in the comments. */
#include "runtime/engine/rt-operator.h"
#include "rt-test-util.h"

#include <glib/gstdio.h>

#include <string.h>

typedef struct {
  RtMemPool *pool;
  RtOpContext ctx;
  PlanSchema *side[2];
  PlanPhysNode *inputs[2];
  RtOperator *op;
  GPtrArray *out;       /* lines, when collecting lines */
  gboolean lines;
  guint64 rows;         /* sums mode: output rows, sums of the last column of each side */
  gint64 sum_l, sum_r;
  guint64 null_l, null_r; /* rows whose left / right last column is NULL */
  guint64 bad_str;      /* rows whose right VARCHAR (column nl + 1) is not "s<w % 7>" */
} Fixture;

static RtResult
collect (void *data, RtBatch *batch, GError **error)
{
  Fixture *f = data;
  guint nl = f->side[0]->n_fields, nc = batch->n_cols;

  if (f->lines)
    {
      rt_test_collect_lines (f->out, batch, FALSE);
      return RT_OK;
    }
  for (guint r = 0; r < batch->n_rows; r++)
    {
      const RtVector *l = &batch->cols[nl - 1], *rv = &batch->cols[nc - 1];

      f->rows++;
      if (rt_vec_is_valid (l, r))
        f->sum_l += RT_VEC (batch, nl - 1, gint64)[r];
      else
        f->null_l++;
      if (rt_vec_is_valid (rv, r))
        f->sum_r += RT_VEC (batch, nc - 1, gint64)[r];
      else
        f->null_r++;
      if (nc - nl == 3 && rt_vec_is_valid (rv, r))
        {
          const RtStr *str = &RT_VEC (batch, nl + 1, RtStr)[r];
          char want[8];

          g_snprintf (want, sizeof want, "s%d", (int) (RT_VEC (batch, nc - 1, gint64)[r] % 7));
          if (str->len != strlen (want) || memcmp (str->ptr, want, str->len) != 0)
            f->bad_str++;
        }
    }
  return RT_OK;
}

/* kinds: the column types of each side, terminated by PLAN_TYPE_NULL. */
static void
setup (Fixture *f, gsize budget, guint batch_size, const PlanTypeKind *kinds[2])
{
  f->pool = rt_mem_pool_new (budget);
  f->ctx = (RtOpContext) { .pool = f->pool, .parallelism = 1, .batch_size = batch_size };
  for (guint s = 0; s < 2; s++)
    {
      guint n = 0;

      while (kinds[s][n] != PLAN_TYPE_NULL)
        n++;
      f->side[s] = plan_schema_new (n);
      for (guint c = 0; c < n; c++)
        {
          g_autofree char *name = g_strdup_printf ("%c%u", s == 0 ? 'l' : 'r', c);

          plan_schema_set_field (f->side[s], c, name, plan_type_make (kinds[s][c], TRUE));
        }
      f->inputs[s] = plan_phys_node_new (PLAN_PHYS_VALUES, plan_schema_ref (f->side[s]),
                                         (PlanSpan) { 0 }, 1);
    }
  f->out = g_ptr_array_new_with_free_func (g_free);
}

static void
teardown (Fixture *f)
{
  rt_operator_free (f->op);
  for (guint s = 0; s < 2; s++)
    {
      plan_phys_node_unref (f->inputs[s]);
      plan_schema_unref (f->side[s]);
    }
  g_ptr_array_unref (f->out);
  g_assert_cmpuint (rt_mem_pool_get_used (f->pool), ==, 0);
  rt_mem_pool_free (f->pool);
}

/* keys: n_keys pairs (left column, right column); residual may be NULL (taken). */
static void
make_op (Fixture *f, PlanJoinType type, guint build, guint n_keys, const guint *lkeys,
         const guint *rkeys, PlanExpr *residual)
{
  g_autoptr (PlanPhysNode) node = NULL;
  g_autoptr (GError) error = NULL;

  node = plan_phys_node_new (PLAN_PHYS_HASH_JOIN,
                             plan_join_schema (f->side[0], f->side[1], type),
                             (PlanSpan) { 0 }, 1);
  plan_phys_node_add_input (node, plan_phys_node_ref (f->inputs[0]), PLAN_EXCHANGE_HASH,
                            n_keys, lkeys);
  plan_phys_node_add_input (node, plan_phys_node_ref (f->inputs[1]), PLAN_EXCHANGE_HASH,
                            n_keys, rkeys);
  node->u.join.type = type;
  node->u.join.n_keys = n_keys;
  node->u.join.left_keys = n_keys > 0 ? g_memdup2 (lkeys, n_keys * sizeof (guint)) : NULL;
  node->u.join.right_keys = n_keys > 0 ? g_memdup2 (rkeys, n_keys * sizeof (guint)) : NULL;
  node->u.join.build_side = build;
  node->u.join.residual = residual;
  f->op = rt_op_hash_join_new (node, &error);
  g_assert_no_error (error);
  f->op->ctx = &f->ctx;
  f->op->sink_fn = collect;
  f->op->sink_data = f;
  g_assert_true (f->op->klass->open == NULL || f->op->klass->open (f->op, &error));
  g_assert_no_error (error);
}

/* Feeds one batch of n rows to input; vals[r * n_cols + c] is a string ("" is NULL)
 * parsed for the column's type. */
static void
feed_text (Fixture *f, guint input, const char *const *vals, guint n)
{
  PlanSchema *s = f->side[input];
  g_autoptr (GError) error = NULL;
  g_autoptr (RtBatch) b = rt_batch_new (f->pool, s, MAX (n, 1u), &error);

  g_assert_no_error (error);
  for (guint r = 0; r < n; r++)
    {
      g_autofree PlanValue *v = g_new0 (PlanValue, s->n_fields);

      for (guint c = 0; c < s->n_fields; c++)
        {
          const char *text = vals[r * s->n_fields + c];

          v[c].type = s->fields[c].type;
          v[c].is_null = text[0] == '\0';
          if (s->fields[c].type.kind == PLAN_TYPE_VARCHAR)
            v[c].v.s = (char *) text;
          else if (s->fields[c].type.kind == PLAN_TYPE_DOUBLE)
            v[c].v.d = g_ascii_strtod (text, NULL);
          else
            v[c].v.i = g_ascii_strtoll (text, NULL, 10);
        }
      g_assert_true (rt_batch_append_values (b, v, &error));
    }
  g_assert_cmpint (f->op->klass->process (f->op, b, input, &error), ==, RT_OK);
  g_assert_no_error (error);
}

#define FEED(f, input, ...) \
  do { \
    const char *const vals_[] = { __VA_ARGS__ }; \
    feed_text (f, input, vals_, G_N_ELEMENTS (vals_) / (f)->side[input]->n_fields); \
  } while (0)

static void
end_build (Fixture *f, guint build)
{
  g_autoptr (GError) error = NULL;
  RtEvent eoi = { RT_EVENT_END_OF_INPUT, 0, 0 };

  g_assert_cmpint (f->op->klass->on_event (f->op, &eoi, build, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static void
finish (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (f->op->klass->finish (f->op, &error), ==, RT_OK);
  g_assert_no_error (error);
}

/* The output lines must be exactly want (NULL-terminated), in any order. */
static void
expect_lines (Fixture *f, const char *const *want)
{
  g_autoptr (GPtrArray) got = g_ptr_array_new ();
  guint n = 0;

  for (guint i = 0; i < f->out->len; i++)
    g_ptr_array_add (got, f->out->pdata[i]);
  for (; want[n] != NULL; n++)
    {
      guint i = 0;

      while (i < got->len && g_strcmp0 (got->pdata[i], want[n]) != 0)
        i++;
      if (i == got->len)
        g_error ("missing output row \"%s\"", want[n]);
      g_ptr_array_remove_index_fast (got, i);
    }
  if (got->len > 0)
    g_error ("unexpected output row \"%s\"", (const char *) got->pdata[0]);
}

#define EXPECT(f, ...) \
  do { \
    const char *const want_[] = { __VA_ARGS__, NULL }; \
    expect_lines (f, want_); \
  } while (0)

static const PlanTypeKind int2[] = { PLAN_TYPE_BIGINT, PLAN_TYPE_BIGINT, PLAN_TYPE_NULL };

/* Feeds rows (key, value) for i in [0, n): key = i % mod (mod 0: i), value = i, in batches
 * of batch rows, to input. */
static void
feed_range (Fixture *f, guint input, guint n, guint mod, guint batch)
{
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < n;)
    {
      g_autoptr (RtBatch) b = rt_batch_new (f->pool, f->side[input], batch, &error);

      g_assert_no_error (error);
      for (; i < n && b->n_rows < batch; i++)
        {
          RT_VEC (b, 0, gint64)[b->n_rows] = mod > 0 ? i % mod : i;
          RT_VEC (b, 1, gint64)[b->n_rows] = i;
          b->n_rows++;
        }
      g_assert_cmpint (f->op->klass->process (f->op, b, input, &error), ==, RT_OK);
      g_assert_no_error (error);
    }
}

static void
test_duplicates_growth (void)
{
  Fixture fx = { 0 }, *f = &fx;
  const PlanTypeKind *kinds[2] = { int2, int2 };
  guint key = 0;

  /* build right: 20,000 rows, key i % 4000, value i: five rows per key (k, k + 4000, ...,
   * k + 16000), 4000 distinct keys, far past the index's first 1024 slots. Probe left: keys
   * 0..5999 once each (value = key). Inner join: the 4000 probe rows with key < 4000 match
   * five rows each: 20,000 rows. Sum of the right values: sum over k < 4000 of (5k + 40000)
   * = 5 * 7,998,000 + 160,000,000 = 199,990,000; left values: 5 * (0 + ... + 3999) =
   * 5 * 7,998,000 = 39,990,000. */
  setup (f, 64 * 1024 * 1024, 1024, kinds);
  make_op (f, PLAN_JOIN_INNER, 1, 1, &key, &key, NULL);
  feed_range (f, 1, 20000, 4000, 1000);
  end_build (f, 1);
  feed_range (f, 0, 6000, 0, 700);
  finish (f);
  g_assert_cmpuint (f->rows, ==, 20000);
  g_assert_cmpint (f->sum_r, ==, 199990000);
  g_assert_cmpint (f->sum_l, ==, 39990000);
  g_assert_cmpuint (f->null_l + f->null_r, ==, 0);
  g_assert_cmpuint (rt_op_hash_join_get_spilled_bytes (f->op), ==, 0);
  teardown (f);
}

static void
test_outer_growth (void)
{
  Fixture fx = { 0 }, *f = &fx;
  const PlanTypeKind *kinds[2] = { int2, int2 };
  guint key = 0;

  /* FULL join, build left: left keys 0..9999 (value = key), right keys i % 20000 for i in
   * [0, 15000) (value i, keys 0..14999 once each). Matched: keys 0..9999 (10,000 rows);
   * left unmatched: none; right unmatched: keys 10000..14999 (5000 rows, left NULL).
   * Rows: 15,000. Left sum: 0 + ... + 9999 = 49,995,000; right sum: 0 + ... + 14999 =
   * 112,492,500; NULL left values: 5000. */
  setup (f, 64 * 1024 * 1024, 512, kinds);
  make_op (f, PLAN_JOIN_FULL, 0, 1, &key, &key, NULL);
  feed_range (f, 0, 10000, 0, 512);
  end_build (f, 0);
  feed_range (f, 1, 15000, 20000, 512);
  finish (f);
  g_assert_cmpuint (f->rows, ==, 15000);
  g_assert_cmpint (f->sum_l, ==, 49995000);
  g_assert_cmpint (f->sum_r, ==, 112492500);
  g_assert_cmpuint (f->null_l, ==, 5000);
  g_assert_cmpuint (f->null_r, ==, 0);
  teardown (f);
}

/* The build side's key column comes out of the probe rows (equal keys of one type hold the
 * same bits): here it sits at another position on each side, so copying the wrong column
 * or copying for a NULL-filled row would show. */
static void
test_key_from_probe (void)
{
  Fixture fx = { 0 }, *f = &fx;
  const PlanTypeKind *kinds[2] = { int2, int2 };
  const guint lkey = 1, rkey = 0;

  /* FULL join on l1 = r0, building the left (l0 value, l1 key), probing with the right
   * (r0 key, r1 value). Left: (100, 1), (101, 2), (102, NULL), (103, 3); right: (1, 10),
   * (1, 11), (3, 13), (4, 14), (NULL, 15). Matched: key 1 twice, key 3 once; the right rows
   * with 4 and NULL are NULL-filled on the left; the left rows with 2 and NULL come out
   * NULL-filled on the right at the end. */
  setup (f, 8 * 1024 * 1024, 4, kinds);
  f->lines = TRUE;
  make_op (f, PLAN_JOIN_FULL, 0, 1, &lkey, &rkey, NULL);
  FEED (f, 0, "100", "1", "101", "2", "102", "", "103", "3");
  end_build (f, 0);
  FEED (f, 1, "1", "10", "1", "11", "3", "13", "4", "14", "", "15");
  finish (f);
  EXPECT (f, "+I 100 1 1 10", "+I 100 1 1 11", "+I 103 3 3 13", "+I NULL NULL 4 14",
          "+I NULL NULL NULL 15", "+I 101 2 NULL NULL", "+I 102 NULL NULL NULL");
  teardown (f);
}

static const PlanTypeKind lkinds[] = { PLAN_TYPE_INT, PLAN_TYPE_VARCHAR, PLAN_TYPE_BIGINT,
                                       PLAN_TYPE_NULL };
static const PlanTypeKind rkinds[] = { PLAN_TYPE_BIGINT, PLAN_TYPE_VARCHAR, PLAN_TYPE_BIGINT,
                                       PLAN_TYPE_NULL };

static void
test_multi_key_nulls (void)
{
  Fixture fx = { 0 }, *f = &fx;
  const PlanTypeKind *kinds[2] = { lkinds, rkinds };
  const guint keys[2] = { 0, 1 };

  /* LEFT join on (l0, l1) = (r0, r1), building the right side (INT vs BIGINT, VARCHAR):
   * (1, "a") matches both (1, "a") rows of the right; (1, "b") matches (1, "b"); (2, "a")
   * has no partner (the right has (2, "b")); a NULL in either key column matches nothing,
   * also against a right row with the same NULL; a left row is NULL-filled when unmatched. */
  setup (f, 8 * 1024 * 1024, 4, kinds);
  f->lines = TRUE;
  make_op (f, PLAN_JOIN_LEFT, 1, 2, keys, keys, NULL);
  FEED (f, 1, "1", "a", "10", "1", "b", "11", "2", "b", "12", "1", "a", "13",
        "", "a", "14", "3", "", "15");
  end_build (f, 1);
  FEED (f, 0, "1", "a", "100", "1", "b", "101", "2", "a", "102", "", "a", "103",
        "3", "", "104", "1", "ab", "105");
  finish (f);
  EXPECT (f, "+I 1 a 100 1 a 10", "+I 1 a 100 1 a 13", "+I 1 b 101 1 b 11",
          "+I 2 a 102 NULL NULL NULL", "+I NULL a 103 NULL NULL NULL",
          "+I 3 NULL 104 NULL NULL NULL", "+I 1 ab 105 NULL NULL NULL");
  teardown (f);
}

static void
test_right_null_build (void)
{
  Fixture fx = { 0 }, *f = &fx;
  const PlanTypeKind *kinds[2] = { lkinds, rkinds };
  const guint keys[1] = { 0 };

  /* RIGHT join on l0 = r0 building the (preserved) right side: its NULL-key row and its
   * unmatched row come out NULL-filled at the end; a matched right row does not. */
  setup (f, 8 * 1024 * 1024, 4, kinds);
  f->lines = TRUE;
  make_op (f, PLAN_JOIN_RIGHT, 1, 1, keys, keys, NULL);
  FEED (f, 1, "", "n", "1", "5", "m", "2", "6", "u", "3");
  end_build (f, 1);
  FEED (f, 0, "5", "x", "7", "", "y", "8", "5", "z", "9");
  finish (f);
  EXPECT (f, "+I 5 x 7 5 m 2", "+I 5 z 9 5 m 2", "+I NULL NULL NULL NULL n 1",
          "+I NULL NULL NULL 6 u 3");
  teardown (f);
}

/* l2 < r2 over the join's output columns (left ++ right: columns 2 and 5). */
static PlanExpr *
less_values (void)
{
  PlanType bi = plan_type_make (PLAN_TYPE_BIGINT, TRUE);
  PlanExpr *args[2] = { plan_expr_column (2, bi, (PlanSpan) { 0 }),
                        plan_expr_column (5, bi, (PlanSpan) { 0 }) };

  return plan_expr_call (PLAN_FUNC_LT, plan_type_make (PLAN_TYPE_BOOLEAN, TRUE), 2, args,
                         (PlanSpan) { 0 });
}

static void
test_full_residual (void)
{
  Fixture fx = { 0 }, *f = &fx;
  const PlanTypeKind *kinds[2] = { lkinds, rkinds };
  const guint keys[1] = { 0 };

  /* FULL join on l0 = r0 AND l2 < r2, building the left: key 1 has left values 5 and 50
   * and right values 10 and 60: pairs (5,10), (5,60), (50,60) pass, (50,10) does not.
   * Key 2: left 20, right 15: fails, so both come out NULL-filled. Right key 3 has no
   * left partner. */
  setup (f, 8 * 1024 * 1024, 2, kinds);
  f->lines = TRUE;
  make_op (f, PLAN_JOIN_FULL, 0, 1, keys, keys, less_values ());
  FEED (f, 0, "1", "a", "5", "1", "b", "50", "2", "c", "20");
  end_build (f, 0);
  FEED (f, 1, "1", "p", "10", "1", "q", "60", "2", "r", "15", "3", "s", "1");
  finish (f);
  EXPECT (f, "+I 1 a 5 1 p 10", "+I 1 a 5 1 q 60", "+I 1 b 50 1 q 60",
          "+I NULL NULL NULL 2 r 15", "+I NULL NULL NULL 3 s 1", "+I 2 c 20 NULL NULL NULL");
  teardown (f);
}

static void
test_nested_loop (void)
{
  Fixture fx = { 0 }, *f = &fx;
  const PlanTypeKind *kinds[2] = { lkinds, rkinds };

  /* No keys, LEFT join ON l2 < r2, building the right (values 10, 20, 30): left 15 pairs
   * with 20 and 30, left 25 with 30, left 35 with nothing (NULL-filled). */
  setup (f, 8 * 1024 * 1024, 2, kinds);
  f->lines = TRUE;
  make_op (f, PLAN_JOIN_LEFT, 1, 0, NULL, NULL, less_values ());
  FEED (f, 1, "1", "x", "10", "2", "y", "20", "3", "z", "30");
  end_build (f, 1);
  FEED (f, 0, "7", "a", "15", "8", "b", "25", "9", "c", "35");
  finish (f);
  EXPECT (f, "+I 7 a 15 2 y 20", "+I 7 a 15 3 z 30", "+I 8 b 25 3 z 30",
          "+I 9 c 35 NULL NULL NULL");
  teardown (f);
}

static void
test_past_share_spills (void)
{
  Fixture fx = { 0 }, *f = &fx;
  const PlanTypeKind *kinds[2] = { int2, int2 };
  guint key = 0;

  /* A 2 MiB budget: the share is 1 MiB, and 60,000 build rows (about 20 bytes each in
   * the table, plus the index) pass it, so the table spills its partitions 1..7.
   * LEFT join, build right: right keys i % 30000 (two rows per key, values k and
   * k + 30000), left keys 0..39999 once (value = key). Matched: keys < 30000, two rows
   * each: 60,000 rows; unmatched left keys 30000..39999: 10,000 NULL-filled rows.
   * Right sum: sum over k < 30000 of (2k + 30000) = 2 * 449,985,000 + 900,000,000 =
   * 1,799,970,000. Left sum: 2 * (0 + ... + 29999) + (30000 + ... + 39999) =
   * 899,970,000 + 349,995,000 = 1,249,965,000. */
  setup (f, 2 * 1024 * 1024, 1024, kinds);
  make_op (f, PLAN_JOIN_LEFT, 1, 1, &key, &key, NULL);
  feed_range (f, 1, 60000, 30000, 1024);
  end_build (f, 1);
  feed_range (f, 0, 40000, 0, 1024);
  finish (f);
  g_assert_cmpuint (f->rows, ==, 70000);
  g_assert_cmpuint (f->null_r, ==, 10000);
  g_assert_cmpuint (f->null_l, ==, 0);
  g_assert_cmpint (f->sum_r, ==, 1799970000);
  g_assert_cmpint (f->sum_l, ==, 1249965000);
  g_assert_cmpuint (rt_op_hash_join_get_spilled_bytes (f->op), >, 0);
  teardown (f);
}

static const PlanTypeKind dkinds[] = { PLAN_TYPE_DOUBLE, PLAN_TYPE_BIGINT, PLAN_TYPE_NULL };

static void
test_double_keys (void)
{
  Fixture fx = { 0 }, *f = &fx;
  const PlanTypeKind *kinds[2] = { dkinds, dkinds };
  guint key = 0;

  /* DOUBLE keys, inner join building the left: -0.0 equals 0.0 (SQL compares values, not
   * bits), 1.5 matches 1.5 only, 2.5 has no partner. */
  setup (f, 8 * 1024 * 1024, 4, kinds);
  f->lines = TRUE;
  make_op (f, PLAN_JOIN_INNER, 0, 1, &key, &key, NULL);
  FEED (f, 0, "-0.0", "1", "1.5", "2", "2.5", "3");
  end_build (f, 0);
  FEED (f, 1, "0.0", "10", "1.5", "11", "1.25", "12");
  finish (f);
  EXPECT (f, "+I -0.0 1 0.0 10", "+I 1.5 2 1.5 11"); /* doubles print with a fraction */
  teardown (f);
}

static const PlanTypeKind skinds[] = { PLAN_TYPE_BIGINT, PLAN_TYPE_VARCHAR, PLAN_TYPE_BIGINT,
                                       PLAN_TYPE_NULL };

/* Feeds build rows (i % h, "s<i % 7>", i) for i in [0, n) to the right input. */
static void
feed_strings (Fixture *f, guint n, guint h)
{
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < n;)
    {
      g_autoptr (RtBatch) b = rt_batch_new (f->pool, f->side[1], 1024, &error);

      g_assert_no_error (error);
      for (; i < n && b->n_rows < 1024; i++)
        {
          char text[8];

          g_snprintf (text, sizeof text, "s%u", i % 7);
          RT_VEC (b, 0, gint64)[b->n_rows] = i % h;
          RT_VEC (b, 1, RtStr)[b->n_rows] = rt_batch_intern (b, text, strlen (text), &error);
          RT_VEC (b, 2, gint64)[b->n_rows] = i;
          b->n_rows++;
        }
      g_assert_no_error (error);
      g_assert_cmpint (f->op->klass->process (f->op, b, 1, &error), ==, RT_OK);
      g_assert_no_error (error);
    }
}

static char *tmp; /* the test's TMPDIR */

static gboolean
dir_is_empty (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);

  return d != NULL && g_dir_read_name (d) == NULL;
}

/* FULL join ON l0 = r0 AND l1 < r2 of left (k, k) for k < p against right rows
 * (i % h, "s<i % 7>", i) for i < 2h, build right, under budget bytes. Worked out by hand:
 * key k < h has right values k and k + h; k < k fails and k < k + h holds, so each such key
 * gives one joined row (right value k + h), the right row of value k comes out NULL-filled,
 * and the p - h left rows with k >= h too. Rows: h + h + (p - h). Left sum: 0 + ... +
 * (p - 1) = p (p - 1) / 2; right sum: the sum of (k + h) and of k over k < h = h (h - 1) +
 * h * h; NULL left values: h; NULL right values: p - h. */
static void
run_spilling_full (gsize budget, guint64 h, guint64 p)
{
  Fixture fx = { 0 }, *f = &fx;
  const PlanTypeKind *kinds[2] = { int2, skinds };
  PlanType bi = plan_type_make (PLAN_TYPE_BIGINT, TRUE);
  PlanExpr *args[2] = { plan_expr_column (1, bi, (PlanSpan) { 0 }),
                        plan_expr_column (4, bi, (PlanSpan) { 0 }) };
  guint key = 0;

  setup (f, budget, 1024, kinds);
  make_op (f, PLAN_JOIN_FULL, 1, 1, &key, &key,
           plan_expr_call (PLAN_FUNC_LT, plan_type_make (PLAN_TYPE_BOOLEAN, TRUE), 2, args,
                           (PlanSpan) { 0 }));
  feed_strings (f, (guint) (2 * h), (guint) h);
  end_build (f, 1);
  feed_range (f, 0, (guint) p, 0, 1024);
  finish (f);
  g_assert_cmpuint (f->rows, ==, h + h + (p - h));
  g_assert_cmpint (f->sum_l, ==, (gint64) (p * (p - 1) / 2));
  g_assert_cmpint (f->sum_r, ==, (gint64) (h * (h - 1) + h * h));
  g_assert_cmpuint (f->null_l, ==, h);
  g_assert_cmpuint (f->null_r, ==, p - h);
  g_assert_cmpuint (f->bad_str, ==, 0);
  g_assert_cmpuint (rt_op_hash_join_get_spilled_bytes (f->op), >, 0);
  teardown (f);
  g_assert_true (dir_is_empty (tmp)); /* spill files and directory removed */
}

static void
test_spill_full_residual (void)
{
  /* 2 MiB: a 1 MiB share; 60,000 build rows pass it once, partitions fit */
  run_spilling_full (2 * 1024 * 1024, 30000, 40000);
}

static void
test_spill_split_again (void)
{
  /* 1 MiB: a 512 KiB share; 200,000 build rows make partitions of about 1 MiB each, so
   * every one is split again at the next level */
  run_spilling_full (1024 * 1024, 100000, 120000);
}

int
main (int argc, char **argv)
{
  /* spill files go to a directory of the test's own, so it sees them go; made before
   * anything asks GLib for the temporary directory, which it then keeps */
  tmp = g_build_filename (g_getenv ("TMPDIR") ? g_getenv ("TMPDIR") : "/tmp",
                          "test-join-table-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (tmp));
  g_setenv ("TMPDIR", tmp, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/join-table/duplicates-growth", test_duplicates_growth);
  g_test_add_func ("/runtime/join-table/full-outer-growth", test_outer_growth);
  g_test_add_func ("/runtime/join-table/key-from-probe", test_key_from_probe);
  g_test_add_func ("/runtime/join-table/multi-key-nulls", test_multi_key_nulls);
  g_test_add_func ("/runtime/join-table/right-null-build", test_right_null_build);
  g_test_add_func ("/runtime/join-table/full-residual", test_full_residual);
  g_test_add_func ("/runtime/join-table/nested-loop", test_nested_loop);
  g_test_add_func ("/runtime/join-table/past-share-spills", test_past_share_spills);
  g_test_add_func ("/runtime/join-table/double-keys", test_double_keys);
  g_test_add_func ("/runtime/join-table/spill-full-residual", test_spill_full_residual);
  g_test_add_func ("/runtime/join-table/spill-split-again", test_spill_split_again);
  {
    int rc = g_test_run ();

    g_assert_cmpint (g_rmdir (tmp), ==, 0);
    g_free (tmp);
    return rc;
  }
}
