/* test-merge-join.c: the batch sort-merge join (runtime/engine/rt-op-merge-join.c) driven
 * directly: rows fed on both inputs, then finish. Left rows are (id INT, s VARCHAR), right
 * rows (id INT, t VARCHAR), joined on id. The output order of a merge join is key order,
 * which the tests do not rely on: emitted lines are sorted and compared with the expected
 * lines, sorted too. Expected rows are worked out by hand in the comments: every join kind
 * over the same data (duplicates on both sides, NULL keys, keys on one side only), the
 * residual condition with outer joins, and a run under a 1 MiB budget whose sorts spill
 * (counts and sums computed from the arithmetic of the generated keys). */
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
  GPtrArray *out;
  gboolean count_only;     /* the sink only counts rows, and NULL-filled ones per side */
  guint64 n_rows, n_null[2];
} Fixture;

static char *tmp_dir; /* TMPDIR of this test, so its spill files can be looked for */

static RtResult
collect (void *data, RtBatch *batch, GError **error)
{
  Fixture *f = data;

  if (!f->count_only)
    {
      rt_test_collect_lines (f->out, batch, FALSE);
      return RT_OK;
    }
  for (guint r = 0; r < batch->n_rows; r++)
    {
      f->n_rows++;
      for (guint s = 0; s < 2; s++)
        f->n_null[s] += !rt_vec_is_valid (&batch->cols[2 * s], r);
    }
  return RT_OK;
}

static void
setup_with (Fixture *f, gsize budget, guint batch_size)
{
  f->pool = rt_mem_pool_new (budget);
  rt_mem_pool_set_wait_us (f->pool, 0); /* a leak of pool memory fails at once */
  f->ctx = (RtOpContext) { .pool = f->pool, .parallelism = 1, .batch_size = batch_size,
                           .bounded_only = TRUE };
  for (guint s = 0; s < 2; s++)
    {
      f->side[s] = plan_schema_new (2);
      plan_schema_set_field (f->side[s], 0, "id", plan_type_make (PLAN_TYPE_INT, TRUE));
      plan_schema_set_field (f->side[s], 1, s == 0 ? "s" : "t",
                             plan_type_make (PLAN_TYPE_VARCHAR, TRUE));
      f->inputs[s] = plan_phys_node_new (PLAN_PHYS_VALUES, plan_schema_ref (f->side[s]),
                                         (PlanSpan) { 0 }, 1);
    }
  f->out = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  setup_with (f, 8 * 1024 * 1024, 4);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
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

/* residual: when TRUE, left.s < right.t (output columns 1 and 3). kind is the sort-merge
 * join, or the hash join building side `build`. */
static void
make_kind_op (Fixture *f, PlanPhysKind kind, PlanJoinType type, gboolean residual,
              guint build)
{
  g_autoptr (PlanPhysNode) node = NULL;
  g_autoptr (GError) error = NULL;
  guint key = 0;

  node = plan_phys_node_new (kind, plan_join_schema (f->side[0], f->side[1], type),
                             (PlanSpan) { 0 }, 1);
  for (guint s = 0; s < 2; s++)
    plan_phys_node_add_input (node, plan_phys_node_ref (f->inputs[s]), PLAN_EXCHANGE_HASH, 1,
                              &key);
  node->u.join.type = type;
  node->u.join.n_keys = 1;
  node->u.join.left_keys = g_memdup2 (&key, sizeof key);
  node->u.join.right_keys = g_memdup2 (&key, sizeof key);
  node->u.join.strategy = PLAN_JOIN_STRATEGY_REPARTITION;
  node->u.join.build_side = build;
  if (residual)
    {
      PlanType vc = plan_type_make (PLAN_TYPE_VARCHAR, TRUE);
      PlanExpr *args[2] = { plan_expr_column (1, vc, (PlanSpan) { 0 }),
                            plan_expr_column (3, vc, (PlanSpan) { 0 }) };

      node->u.join.residual = plan_expr_call (PLAN_FUNC_LT,
                                              plan_type_make (PLAN_TYPE_BOOLEAN, TRUE), 2,
                                              args, (PlanSpan) { 0 });
    }
  f->op = kind == PLAN_PHYS_HASH_JOIN ? rt_op_hash_join_new (node, &error)
                                      : rt_op_merge_join_new (node, &error);
  g_assert_no_error (error);
  f->op->ctx = &f->ctx;
  f->op->sink_fn = collect;
  f->op->sink_data = f;
  g_assert_true (f->op->klass->open (f->op, &error));
  g_assert_no_error (error);
}

static void
make_op (Fixture *f, PlanJoinType type, gboolean residual)
{
  make_kind_op (f, PLAN_PHYS_SORT_MERGE_JOIN, type, residual, 0);
}

typedef struct {
  gint id; /* G_MININT: NULL */
  const char *text;
} Row;

static void
feed (Fixture *f, guint input, const Row *rows, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtBatch) b = rt_batch_new (f->pool, f->side[input], MAX (n, 1u), &error);

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      PlanValue v[2] = {
        { .type = f->side[input]->fields[0].type, .is_null = rows[i].id == G_MININT,
          .v.i = rows[i].id },
        { .type = f->side[input]->fields[1].type, .v.s = (char *) rows[i].text },
      };

      g_assert_true (rt_batch_append_values (b, v, &error));
    }
  g_assert_cmpint (f->op->klass->process (f->op, b, input, &error), ==, RT_OK);
  g_assert_no_error (error);
}

#define FEED(f, input, ...) \
  do { \
    const Row rows_[] = { __VA_ARGS__ }; \
    feed (f, input, rows_, G_N_ELEMENTS (rows_)); \
  } while (0)

static void
finish (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (f->op->klass->finish (f->op, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static int
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The output, in any order, must be exactly want (NULL-terminated). */
static void
expect_set (Fixture *f, const char *const *want)
{
  g_autoptr (GPtrArray) w = g_ptr_array_new ();

  for (guint i = 0; want[i] != NULL; i++)
    g_ptr_array_add (w, (gpointer) want[i]);
  g_ptr_array_sort (w, cmp_str);
  g_ptr_array_sort (f->out, cmp_str);
  g_assert_cmpuint (f->out->len, ==, w->len);
  for (guint i = 0; i < w->len; i++)
    g_assert_cmpstr (f->out->pdata[i], ==, w->pdata[i]);
}

#define EXPECT(f, ...) \
  do { \
    const char *const want_[] = { __VA_ARGS__, NULL }; \
    expect_set (f, want_); \
  } while (0)

/* The same data for every kind: id 1 left only; 2 twice on each side; 3 once on each; 4
 * right only; a NULL key on each side (matches nothing, not even the other NULL). Rows
 * come in two batches per side, out of key order. */
static void
feed_common (Fixture *f)
{
  FEED (f, 0, { 3, "d" }, { 2, "b" }, { G_MININT, "n" });
  FEED (f, 1, { 4, "w" }, { 2, "x" });
  FEED (f, 0, { 1, "a" }, { 2, "c" });
  FEED (f, 1, { G_MININT, "m" }, { 3, "z" }, { 2, "y" });
  finish (f);
}

#define INNER_ROWS "+I 2 b 2 x", "+I 2 b 2 y", "+I 2 c 2 x", "+I 2 c 2 y", "+I 3 d 3 z"

static void
test_inner (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_JOIN_INNER, FALSE);
  feed_common (f);
  EXPECT (f, INNER_ROWS);
}

static void
test_left (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_JOIN_LEFT, FALSE);
  feed_common (f);
  EXPECT (f, INNER_ROWS, "+I 1 a NULL NULL", "+I NULL n NULL NULL");
}

static void
test_right (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_JOIN_RIGHT, FALSE);
  feed_common (f);
  EXPECT (f, INNER_ROWS, "+I NULL NULL 4 w", "+I NULL NULL NULL m");
}

static void
test_full (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_JOIN_FULL, FALSE);
  feed_common (f);
  EXPECT (f, INNER_ROWS, "+I 1 a NULL NULL", "+I NULL n NULL NULL", "+I NULL NULL 4 w",
          "+I NULL NULL NULL m");
}

static void
test_empty_side (Fixture *f, gconstpointer data)
{
  /* RIGHT join with no left rows at all: every right row NULL-filled */
  make_op (f, PLAN_JOIN_RIGHT, FALSE);
  FEED (f, 1, { 5, "p" }, { 5, "q" });
  finish (f);
  EXPECT (f, "+I NULL NULL 5 p", "+I NULL NULL 5 q");
}

/* ON l.id = r.id AND l.s < r.t. Key 1: left b, z; right a, c. Pairs: b<a no, b<c yes,
 * z<a no, z<c no: one match (1 b 1 c); z matched nothing, right a matched nothing. Key 2 is
 * left only, key 3 right only. */
static void
feed_residual (Fixture *f)
{
  FEED (f, 0, { 1, "b" }, { 2, "a" }, { 1, "z" });
  FEED (f, 1, { 1, "a" }, { 3, "q" }, { 1, "c" });
  finish (f);
}

static void
test_residual_inner (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_JOIN_INNER, TRUE);
  feed_residual (f);
  EXPECT (f, "+I 1 b 1 c");
}

static void
test_residual_left (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_JOIN_LEFT, TRUE);
  feed_residual (f);
  EXPECT (f, "+I 1 b 1 c", "+I 1 z NULL NULL", "+I 2 a NULL NULL");
}

static void
test_residual_full (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_JOIN_FULL, TRUE);
  feed_residual (f);
  EXPECT (f, "+I 1 b 1 c", "+I 1 z NULL NULL", "+I 2 a NULL NULL", "+I NULL NULL 1 a",
          "+I NULL NULL 3 q");
}

/* ---- spilling ------------------------------------------------------------------------ */

static void
feed_generated (Fixture *f, guint input, guint n, guint modulus)
{
  const guint per_batch = 256;

  for (guint start = 0; start < n; start += per_batch)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (RtBatch) b = rt_batch_new (f->pool, f->side[input], per_batch, &error);

      g_assert_no_error (error);
      for (guint i = start; i < MIN (start + per_batch, n); i++)
        {
          /* keys in a scrambled order, so the sorter has work to do */
          guint j = (i * 7919u) % n;
          g_autofree char *text = g_strdup_printf ("%c%u", input == 0 ? 'l' : 'r', j);
          PlanValue v[2] = {
            { .type = f->side[input]->fields[0].type, .v.i = (gint) (j % modulus) },
            { .type = f->side[input]->fields[1].type, .v.s = text },
          };

          g_assert_true (rt_batch_append_values (b, v, &error));
        }
      g_assert_cmpint (f->op->klass->process (f->op, b, input, &error), ==, RT_OK);
      g_assert_no_error (error);
    }
}

static guint
files_in (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

/* FULL join of 20,000 left rows with keys 0..4999 four times each (7919 is prime to 20,000,
 * so i * 7919 mod 20,000 runs over every j once) and 20,000 right rows with keys 0..9999
 * twice each, under a 1 MiB budget (a 256 KiB share per side, far below the ~1.5 MiB of
 * either side's batches). Keys 0..4999 give 4 x 2 = 8 rows each: 40,000; right keys
 * 5000..9999 have no partner: 2 x 5,000 = 10,000 NULL-filled rows; 50,000 in all. The sum
 * of the left ids over the matched rows is 8 x (0 + ... + 4999) = 8 x 12,497,500 =
 * 99,980,000; of the right ids over the NULL-filled rows 2 x (5000 + ... + 9999) =
 * 2 x 37,497,500 = 74,995,000. */
static void
check_generated_full (Fixture *f)
{
  gint64 left_sum = 0, null_right_sum = 0, matched = 0, null_filled = 0;

  g_assert_cmpuint (files_in (tmp_dir), ==, 0); /* runs and their directory are gone */
  g_assert_cmpuint (rt_mem_pool_get_peak (f->pool), <=, 1024 * 1024);
  g_assert_cmpuint (f->out->len, ==, 50000);
  for (guint i = 0; i < f->out->len; i++)
    {
      g_auto (GStrv) w = g_strsplit (f->out->pdata[i], " ", -1);

      g_assert_cmpuint (g_strv_length (w), ==, 5);
      if (strcmp (w[1], "NULL") == 0)
        {
          null_filled++;
          null_right_sum += g_ascii_strtoll (w[3], NULL, 10);
          g_assert_cmpstr (w[2], ==, "NULL");
        }
      else
        {
          matched++;
          left_sum += g_ascii_strtoll (w[1], NULL, 10);
          g_assert_cmpstr (w[1], ==, w[3]); /* equal keys */
          g_assert_true (w[2][0] == 'l' && w[4][0] == 'r');
        }
    }
  g_assert_cmpint (matched, ==, 40000);
  g_assert_cmpint (null_filled, ==, 10000);
  g_assert_cmpint (left_sum, ==, 99980000);
  g_assert_cmpint (null_right_sum, ==, 74995000);
}

static void
test_spill (Fixture *f, gconstpointer data)
{
  fixture_teardown (f, NULL);
  memset (f, 0, sizeof *f);
  setup_with (f, 1024 * 1024, 128);
  make_op (f, PLAN_JOIN_FULL, FALSE);
  feed_generated (f, 0, 20000, 5000);
  feed_generated (f, 1, 20000, 10000);
  g_assert_cmpuint (rt_op_merge_join_get_spilled_bytes (f->op), >, 0);
  g_assert_cmpuint (files_in (tmp_dir), >, 0);
  finish (f);
  check_generated_full (f);
}

/* The hybrid hash join (rt-op-hash-join.c with rt-hash-join-spill.c) on the same data and
 * budget, building either side: its table of 20,000 rows is estimated far over the
 * 512 KiB share, so it partitions (and a partition of 2,500 rows splits again); the result
 * must be the same 50,000 rows. Building the right side, its 10,000 unmatched rows are
 * preserved build rows; building the left, they are preserved probe rows. */
static void
hash_spill_full (Fixture *f, guint build)
{
  g_autoptr (GError) error = NULL;
  RtEvent eoi = { RT_EVENT_END_OF_INPUT, 0, 0 };

  fixture_teardown (f, NULL);
  memset (f, 0, sizeof *f);
  setup_with (f, 1024 * 1024, 128);
  make_kind_op (f, PLAN_PHYS_HASH_JOIN, PLAN_JOIN_FULL, FALSE, build);
  feed_generated (f, build, 20000, build == 0 ? 5000 : 10000);
  g_assert_cmpint (f->op->klass->on_event (f->op, &eoi, build, &error), ==, RT_OK);
  g_assert_no_error (error);
  feed_generated (f, 1 - build, 20000, build == 0 ? 10000 : 5000);
  g_assert_cmpuint (files_in (tmp_dir), >, 0);
  finish (f);
  g_assert_cmpuint (rt_op_hash_join_get_spilled_bytes (f->op), >, 0);
  check_generated_full (f);
}

static void
test_hash_spill_build_right (Fixture *f, gconstpointer data)
{
  hash_spill_full (f, 1);
}

static void
test_hash_spill_build_left (Fixture *f, gconstpointer data)
{
  hash_spill_full (f, 0);
}

/* Under the roomy default budget the hash join never spills, with the same answers as the
 * sort-merge join on the common data (NULL keys, duplicates, one-sided keys). */
static void
test_hash_no_spill (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  RtEvent eoi = { RT_EVENT_END_OF_INPUT, 0, 0 };

  make_kind_op (f, PLAN_PHYS_HASH_JOIN, PLAN_JOIN_FULL, FALSE, 1);
  FEED (f, 1, { 4, "w" }, { 2, "x" });
  FEED (f, 1, { G_MININT, "m" }, { 3, "z" }, { 2, "y" });
  g_assert_cmpint (f->op->klass->on_event (f->op, &eoi, 1, &error), ==, RT_OK);
  FEED (f, 0, { 3, "d" }, { 2, "b" }, { G_MININT, "n" });
  FEED (f, 0, { 1, "a" }, { 2, "c" });
  finish (f);
  g_assert_cmpuint (rt_op_hash_join_get_spilled_bytes (f->op), ==, 0);
  EXPECT (f, INNER_ROWS, "+I 1 a NULL NULL", "+I NULL n NULL NULL", "+I NULL NULL 4 w",
          "+I NULL NULL NULL m");
}

/* Rows (key, "k%03d" of text_of (i)) for i in 0 .. n-1, in batches of 256. */
static void
feed_keyed (Fixture *f, guint input, guint n, gint key, guint modulus)
{
  const guint per_batch = 256;

  for (guint start = 0; start < n; start += per_batch)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (RtBatch) b = rt_batch_new (f->pool, f->side[input], per_batch, &error);

      for (guint i = start; i < MIN (start + per_batch, n); i++)
        {
          g_autofree char *text = g_strdup_printf ("k%03u", i % modulus);
          PlanValue v[2] = {
            { .type = f->side[input]->fields[0].type, .v.i = key },
            { .type = f->side[input]->fields[1].type, .v.s = text },
          };

          g_assert_true (rt_batch_append_values (b, v, &error));
        }
      g_assert_cmpint (f->op->klass->process (f->op, b, input, &error), ==, RT_OK);
      g_assert_no_error (error);
    }
}

/* One key with 3,000 right rows, far over a quarter of the 512 KiB share: the group goes
 * to a run file and the key's 300 left rows meet it in chunks (the file read again for
 * each). FULL JOIN ON l.id = r.id AND l.s < r.t. Key 7: left s = k000 .. k299, right
 * t = k000 .. k599 five times each. Left k(i) matches the right rows with j > i: 5 x
 * (599 - i) of them, so 5 x (300 x 599 - (0 + ... + 299)) = 5 x (179,700 - 44,850) =
 * 674,250 pairs; every left row matches (i <= 299 < 599); right k000 matches nothing: 5
 * NULL-filled rows. Key 1 (5 left rows) and key 9 (3 right rows) have no partner: 5 + 3
 * more: 674,250 + 5 + 5 + 3 = 674,263 rows. */
static void
test_big_group (Fixture *f, gconstpointer data)
{
  fixture_teardown (f, NULL);
  memset (f, 0, sizeof *f);
  setup_with (f, 1024 * 1024, 128);
  f->count_only = TRUE;
  make_op (f, PLAN_JOIN_FULL, TRUE);
  feed_keyed (f, 0, 5, 1, 1000);
  feed_keyed (f, 0, 300, 7, 1000);
  feed_keyed (f, 1, 3000, 7, 600);
  feed_keyed (f, 1, 3, 9, 1000);
  finish (f);
  g_assert_cmpuint (files_in (tmp_dir), ==, 0);
  g_assert_cmpuint (f->n_rows, ==, 674250 + 5 + 5 + 3);
  g_assert_cmpuint (f->n_null[0], ==, 5 + 3); /* right rows NULL-filled on the left */
  g_assert_cmpuint (f->n_null[1], ==, 5);     /* the key-1 left rows */
  g_assert_cmpuint (rt_mem_pool_get_peak (f->pool), <=, 1024 * 1024);
}

/* Closing an operator that spilled but never finished (a cancelled job) deletes its runs. */
static void
test_close_removes_runs (Fixture *f, gconstpointer data)
{
  fixture_teardown (f, NULL);
  memset (f, 0, sizeof *f);
  setup_with (f, 1024 * 1024, 128);
  make_op (f, PLAN_JOIN_INNER, FALSE);
  feed_generated (f, 0, 8000, 1000);
  g_assert_cmpuint (files_in (tmp_dir), >, 0);
  rt_operator_free (f->op);
  f->op = NULL;
  g_assert_cmpuint (files_in (tmp_dir), ==, 0);
}

int
main (int argc, char **argv)
{
  int rc;

  /* not g_dir_make_tmp: it would make GLib cache the old TMPDIR before it is changed */
  tmp_dir = g_build_filename (g_getenv ("TMPDIR") != NULL ? g_getenv ("TMPDIR") : "/tmp",
                              "strom-test-merge-join-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (tmp_dir));
  g_setenv ("TMPDIR", tmp_dir, TRUE);
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/runtime/merge-join/inner", test_inner);
  ADD ("/runtime/merge-join/left", test_left);
  ADD ("/runtime/merge-join/right", test_right);
  ADD ("/runtime/merge-join/full", test_full);
  ADD ("/runtime/merge-join/empty-side", test_empty_side);
  ADD ("/runtime/merge-join/residual-inner", test_residual_inner);
  ADD ("/runtime/merge-join/residual-left", test_residual_left);
  ADD ("/runtime/merge-join/residual-full", test_residual_full);
  ADD ("/runtime/merge-join/spill", test_spill);
  ADD ("/runtime/merge-join/close-removes-runs", test_close_removes_runs);
  ADD ("/runtime/merge-join/big-group", test_big_group);
  ADD ("/runtime/merge-join/hash-no-spill", test_hash_no_spill);
  ADD ("/runtime/merge-join/hash-spill-build-right", test_hash_spill_build_right);
  ADD ("/runtime/merge-join/hash-spill-build-left", test_hash_spill_build_left);
#undef ADD
  rc = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return rc;
}
