/* test-agg-spill.c: the batch group aggregate (runtime/engine/rt-op-aggregate.c) under a
 * managed-memory budget far smaller than its groups, spilling through rt-agg-spill.c.
 *
 * Input rows are made by a formula, and the expected result of every group is computed
 * alongside by plain arrays indexed by the key: an independent method that shares nothing
 * with the operator. The tests also check that spill files existed while the input was
 * being read and that none is left afterwards (after success, failure and cancellation),
 * and that every pool block went back. TMPDIR points to a private directory made in
 * main() before GLib reads it. */
#include "runtime/engine/rt-operator.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

static char *tmp_root;

typedef struct {
  gint64 count, vcount, sum, min, max;
  gboolean seen;
} Expect;

typedef struct {
  RtMemPool *pool;
  RtOpContext ctx;
  volatile gint cancelled;
  PlanSchema *in;       /* k, v BIGINT (k VARCHAR with string keys) */
  PlanPhysNode *input;
  RtOperator *op;
  Expect *want;         /* by key number */
  guint n_keys;
  guint64 rows_out;
  gboolean bad;         /* a row out differed from the expected one (first one printed) */
  gboolean string_keys;
} Fixture;

/* ---- files ------------------------------------------------------------------------- */

/* How many files are under dir, recursively (directories not counted). */
static guint
count_files (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  if (d == NULL)
    return 0;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      n += g_file_test (path, G_FILE_TEST_IS_DIR) ? count_files (path) : 1;
    }
  return n;
}

static guint
count_entries (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

/* ---- operator ---------------------------------------------------------------------- */

static gint64
key_number (Fixture *f, RtBatch *b, guint r)
{
  RtStr s;

  if (!f->string_keys)
    return RT_VEC (b, 0, gint64)[r];
  if (!rt_vec_is_valid (&b->cols[0], r))
    return f->n_keys - 1; /* the NULL key is the last one */
  s = RT_VEC (b, 0, RtStr)[r];
  g_assert_cmpuint (s.len, >, 4);
  g_assert_cmpuint (s.len, <, 16);
  {
    g_autofree char *text = g_strndup (s.ptr + 4, s.len - 4); /* "key-<n>", not terminated */
    gint64 k = g_ascii_strtoll (text, NULL, 10);

    g_assert_cmpint (k, >=, 0);
    g_assert_cmpint (k, <, f->n_keys);
    return k;
  }
}

/* Checks each row out against the expected group: k, COUNT(*), COUNT(v), SUM, MIN, MAX. */
static RtResult
check_out (void *data, RtBatch *b, GError **error)
{
  Fixture *f = data;

  for (guint r = 0; r < b->n_rows; r++)
    {
      gint64 k = key_number (f, b, r);
      Expect *e = &f->want[k];
      gboolean ok = b->kinds[r] == RT_ROW_INSERT && !e->seen
        && RT_VEC (b, 1, gint64)[r] == e->count && RT_VEC (b, 2, gint64)[r] == e->vcount
        && rt_vec_is_valid (&b->cols[3], r) == (e->vcount > 0);

      if (ok && e->vcount > 0)
        ok = RT_VEC (b, 3, gint64)[r] == e->sum && RT_VEC (b, 4, gint64)[r] == e->min
             && RT_VEC (b, 5, gint64)[r] == e->max;
      if (!ok && !f->bad)
        g_test_message ("group %" G_GINT64_FORMAT ": count %" G_GINT64_FORMAT " want %"
                        G_GINT64_FORMAT ", seen before: %d", k, RT_VEC (b, 1, gint64)[r],
                        e->count, e->seen);
      f->bad = f->bad || !ok;
      e->seen = TRUE;
      f->rows_out++;
    }
  return RT_OK;
}

static void
make_op (Fixture *f, gsize budget, guint n_keys, gboolean string_keys)
{
  PlanType bt = plan_type_make (PLAN_TYPE_BIGINT, TRUE);
  PlanType kt = string_keys ? plan_type_make (PLAN_TYPE_VARCHAR, TRUE) : bt;
  static const char *names[] = { "k", "n", "nv", "s", "lo", "hi" };
  PlanAggCall calls[5] = {
    { .func = PLAN_AGG_COUNT_STAR, .arg = -1, .filter = -1, .type = bt },
    { .func = PLAN_AGG_COUNT, .arg = 1, .filter = -1, .type = bt },
    { .func = PLAN_AGG_SUM, .arg = 1, .filter = -1, .type = bt },
    { .func = PLAN_AGG_MIN, .arg = 1, .filter = -1, .type = bt },
    { .func = PLAN_AGG_MAX, .arg = 1, .filter = -1, .type = bt },
  };
  PlanSchema *out = plan_schema_new (6);
  g_autoptr (PlanPhysNode) node = NULL;
  g_autoptr (GError) error = NULL;
  guint key = 0;

  f->pool = rt_mem_pool_new (budget);
  rt_mem_pool_set_wait_us (f->pool, 0);
  f->ctx = (RtOpContext) { .pool = f->pool, .parallelism = 1, .batch_size = 1024,
                           .cancelled = &f->cancelled, .bounded_only = TRUE };
  f->in = plan_schema_new (2);
  plan_schema_set_field (f->in, 0, "k", kt);
  plan_schema_set_field (f->in, 1, "v", bt);
  f->input = plan_phys_node_new (PLAN_PHYS_VALUES, plan_schema_ref (f->in), (PlanSpan) { 0 },
                                 1);
  for (guint c = 0; c < 6; c++)
    plan_schema_set_field (out, c, names[c], c == 0 ? kt : bt);
  node = plan_phys_node_new (PLAN_PHYS_AGGREGATE, out, (PlanSpan) { 0 }, 1);
  plan_phys_node_add_input (node, plan_phys_node_ref (f->input), PLAN_EXCHANGE_HASH, 1, &key);
  node->updating = FALSE;
  node->u.aggregate.n_keys = 1;
  node->u.aggregate.keys = g_memdup2 (&key, sizeof key);
  node->u.aggregate.n_aggs = 5;
  node->u.aggregate.aggs = g_memdup2 (calls, sizeof calls);
  f->op = rt_op_aggregate_new (node, &error);
  g_assert_no_error (error);
  f->op->ctx = &f->ctx;
  f->op->sink_fn = check_out;
  f->op->sink_data = f;
  f->n_keys = n_keys;
  f->string_keys = string_keys;
  f->want = g_new0 (Expect, n_keys);
}

static void
fixture_free (Fixture *f)
{
  rt_operator_free (f->op);
  plan_phys_node_unref (f->input);
  plan_schema_unref (f->in);
  g_free (f->want);
  g_assert_cmpuint (rt_mem_pool_get_used (f->pool), ==, 0);
  rt_mem_pool_free (f->pool);
}

/* Row i: key i mod n_keys (string keys: "key-<n>", and rows with i mod 997 = 5 the NULL key),
 * v = i, NULL when i mod 10 is 3. Feeds rows [from, to) and records what each group
 * must come out as. */
static void
feed (Fixture *f, guint64 from, guint64 to)
{
  g_autoptr (GError) error = NULL;

  for (guint64 i0 = from; i0 < to; i0 += 1024)
    {
      g_autoptr (RtBatch) b = rt_batch_new (f->pool, f->in, 1024, &error);

      g_assert_no_error (error);
      for (guint64 i = i0; i < MIN (i0 + 1024, to); i++)
        {
          guint r = b->n_rows++;
          gint64 k = (gint64) (i % (f->n_keys - (f->string_keys ? 1 : 0)));
          Expect *e;

          if (f->string_keys && i % 997 == 5)
            {
              k = f->n_keys - 1;
              rt_vec_set_null (&b->cols[0], r);
            }
          else if (f->string_keys)
            {
              g_autofree char *s = g_strdup_printf ("key-%" G_GINT64_FORMAT, k);
              RT_VEC (b, 0, RtStr)[r] = rt_batch_intern (b, s, strlen (s), &error);
              g_assert_no_error (error);
            }
          else
            RT_VEC (b, 0, gint64)[r] = k;
          e = &f->want[k];
          e->count++;
          if (i % 10 == 3)
            {
              rt_vec_set_null (&b->cols[1], r);
              continue;
            }
          RT_VEC (b, 1, gint64)[r] = (gint64) i;
          e->min = e->vcount ? MIN (e->min, (gint64) i) : (gint64) i;
          e->max = e->vcount ? MAX (e->max, (gint64) i) : (gint64) i;
          e->vcount++;
          e->sum += (gint64) i;
        }
      g_assert_cmpint (f->op->klass->process (f->op, b, 0, &error), ==, RT_OK);
      g_assert_no_error (error);
    }
}

static void
check_all_seen (Fixture *f)
{
  guint64 groups = 0;

  for (guint k = 0; k < f->n_keys; k++)
    groups += f->want[k].count > 0;
  g_assert_false (f->bad);
  g_assert_cmpuint (f->rows_out, ==, groups);
  for (guint k = 0; k < f->n_keys; k++)
    g_assert_true (f->want[k].seen || f->want[k].count == 0);
}

/* ---- tests ------------------------------------------------------------------------- */

/* 2M rows into 500k groups with a 4 MiB budget: ~10x the budget as raw input, ~100x as
 * group state. */
static void
test_spill_large (void)
{
  Fixture f = { 0 };
  g_autoptr (GError) error = NULL;

  make_op (&f, 4 * 1024 * 1024, 500000, FALSE);
  feed (&f, 0, 2000000);
  /* the operator holds at most its share (half the budget: 2 MiB), which its groups
   * filled; no batch is alive here */
  g_assert_cmpuint (rt_mem_pool_get_used (f.pool), >=, 1024 * 1024);
  g_assert_cmpuint (rt_mem_pool_get_used (f.pool), <=, 2 * 1024 * 1024);
  /* groups beyond the share went to files, in one spill directory */
  g_assert_cmpuint (count_entries (tmp_root), ==, 1);
  g_assert_cmpuint (count_files (tmp_root), >, 0);
  g_assert_cmpint (f.op->klass->finish (f.op, &error), ==, RT_OK);
  g_assert_no_error (error);
  check_all_seen (&f);
  g_assert_cmpuint (f.rows_out, ==, 500000);
  /* 2M rows of (key, v) are 32 MB raw; at least the rows of the groups past the share
   * were written, compressed */
  g_assert_cmpuint (rt_op_aggregate_get_spilled_bytes (f.op), >, 4 * 1024 * 1024);
  g_test_message ("spilled %" G_GUINT64_FORMAT " bytes",
                  rt_op_aggregate_get_spilled_bytes (f.op));
  g_assert_cmpuint (count_files (tmp_root), ==, 0);
  fixture_free (&f);
  g_assert_cmpuint (count_entries (tmp_root), ==, 0);
}

/* String keys (and a NULL key) spill and come back byte for byte. */
static void
test_spill_strings (void)
{
  Fixture f = { 0 };
  g_autoptr (GError) error = NULL;

  make_op (&f, 1024 * 1024, 20001, TRUE);
  feed (&f, 0, 100000);
  g_assert_cmpuint (count_files (tmp_root), >, 0);
  g_assert_cmpint (f.op->klass->finish (f.op, &error), ==, RT_OK);
  g_assert_no_error (error);
  check_all_seen (&f);
  g_assert_cmpuint (f.rows_out, ==, 20001);
  g_assert_true (f.want[20000].seen); /* the NULL key's group */
  g_assert_cmpuint (rt_op_aggregate_get_spilled_bytes (f.op), >, 0);
  fixture_free (&f);
  g_assert_cmpuint (count_entries (tmp_root), ==, 0);
}

/* Groups that fit stay in memory: no spill directory, nothing written. */
static void
test_no_spill (void)
{
  Fixture f = { 0 };
  g_autoptr (GError) error = NULL;

  make_op (&f, 64 * 1024 * 1024, 1000, FALSE);
  feed (&f, 0, 50000);
  g_assert_cmpuint (count_entries (tmp_root), ==, 0);
  g_assert_cmpint (f.op->klass->finish (f.op, &error), ==, RT_OK);
  check_all_seen (&f);
  g_assert_cmpuint (f.rows_out, ==, 1000);
  g_assert_cmpuint (rt_op_aggregate_get_spilled_bytes (f.op), ==, 0);
  fixture_free (&f);
}

/* Cancelled while the spilled partitions are aggregated: fails, and no file is left. */
static void
test_cancel (void)
{
  Fixture f = { 0 };
  g_autoptr (GError) error = NULL;

  make_op (&f, 1024 * 1024, 50000, FALSE);
  feed (&f, 0, 200000);
  g_assert_cmpuint (count_files (tmp_root), >, 0);
  g_atomic_int_set (&f.cancelled, 1);
  g_assert_cmpint (f.op->klass->finish (f.op, &error), ==, RT_FAIL);
  g_assert_error (error, RT_ERROR, RT_ERROR_CANCELLED);
  g_assert_false (f.bad);
  g_assert_cmpuint (f.rows_out, <, 50000);
  fixture_free (&f);
  g_assert_cmpuint (count_entries (tmp_root), ==, 0);
}

/* A job that fails upstream closes the operator without finish: files go too. */
static void
test_close_without_finish (void)
{
  Fixture f = { 0 };

  make_op (&f, 1024 * 1024, 50000, FALSE);
  feed (&f, 0, 200000);
  g_assert_cmpuint (count_files (tmp_root), >, 0);
  fixture_free (&f);
  g_assert_cmpuint (count_entries (tmp_root), ==, 0);
}

int
main (int argc, char **argv)
{
  char dir[] = "/tmp/strom-test-agg-spill-XXXXXX";
  int ret;

  /* before anything asks GLib for the temporary directory, which it reads once */
  g_assert_nonnull (g_mkdtemp (dir));
  tmp_root = dir;
  g_setenv ("TMPDIR", dir, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpstr (g_get_tmp_dir (), ==, dir);
  g_test_add_func ("/runtime/agg-spill/large", test_spill_large);
  g_test_add_func ("/runtime/agg-spill/strings", test_spill_strings);
  g_test_add_func ("/runtime/agg-spill/no-spill", test_no_spill);
  g_test_add_func ("/runtime/agg-spill/cancel", test_cancel);
  g_test_add_func ("/runtime/agg-spill/close-without-finish", test_close_without_finish);
  ret = g_test_run ();
  g_rmdir (dir);
  return ret;
}
