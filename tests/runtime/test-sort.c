/* test-sort.c: the sort operator (runtime/engine/rt-op-sort.c) driven directly with
 * hand-built batches: NULL placement for ASC and DESC (Flink's defaults and explicit
 * NULLS FIRST/LAST), several keys, strings and doubles, stability on ties, the batch
 * Top-N with an offset, the streaming Top-N changelog, and an external sort of about ten
 * times the managed-memory budget: the output must be in order and complete (row count
 * and an order-independent checksum computed from the input independently), run files
 * must exist while it runs and be gone afterwards, also after a cancel. Then the
 * optimizer's side: the streaming error, the parallel Top-N shape and the JSON round
 * trip of a SORT node. Expected orders are worked out by hand next to the input rows. */
#include "runtime/engine/rt-operator.h"
#include "rt-test-util.h"
#include "optimizer/opt.h"
#include "plans/plan-sql.h"

#include <glib/gstdio.h>
#include <string.h>

static char *tmp_root; /* TMPDIR for the whole test: the sort's spill files go here */

typedef struct {
  RtMemPool *pool;
  RtOpContext ctx;
  gint cancel;
  PlanSchema *schema;   /* k INT, s VARCHAR, d DOUBLE (all nullable) */
  PlanPhysNode *input;  /* a VALUES node, only for its schema */
  PlanPhysNode *node;   /* the SORT */
  RtOperator *op;
  GPtrArray *out;       /* "+I k s d" per emitted row */
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
  f->ctx = (RtOpContext) { .pool = f->pool, .parallelism = 1, .batch_size = 3,
                           .cancelled = &f->cancel, .bounded_only = TRUE };
  f->schema = plan_schema_new (3);
  plan_schema_set_field (f->schema, 0, "k", plan_type_make (PLAN_TYPE_INT, TRUE));
  plan_schema_set_field (f->schema, 1, "s", plan_type_make (PLAN_TYPE_VARCHAR, TRUE));
  plan_schema_set_field (f->schema, 2, "d", plan_type_make (PLAN_TYPE_DOUBLE, TRUE));
  f->input = plan_phys_node_new (PLAN_PHYS_VALUES, plan_schema_ref (f->schema),
                                 (PlanSpan) { 0 }, 1);
  f->out = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  rt_operator_free (f->op);
  g_clear_pointer (&f->node, plan_phys_node_unref);
  plan_phys_node_unref (f->input);
  plan_schema_unref (f->schema);
  g_ptr_array_unref (f->out);
  g_assert_cmpuint (rt_mem_pool_get_used (f->pool), ==, 0);
  rt_mem_pool_free (f->pool);
}

/* keys: "k+", "s-", "d+f" ... column letter, + ASC / - DESC, then f/l for NULLS FIRST/LAST
 * (default: Flink's). */
static void
make_sort (Fixture *f, const char *const *keys, gint64 limit, gint64 offset, gboolean streaming)
{
  g_autoptr (GError) error = NULL;
  guint n = g_strv_length ((char **) keys);
  PlanSort *s;

  f->node = plan_phys_node_new (PLAN_PHYS_SORT, plan_schema_ref (f->schema), (PlanSpan) { 0 },
                                1);
  plan_phys_node_add_input (f->node, plan_phys_node_ref (f->input), PLAN_EXCHANGE_FORWARD, 0,
                            NULL);
  s = &f->node->u.sort;
  s->n_keys = n;
  s->keys = g_new0 (guint, n);
  s->descending = g_new0 (gboolean, n);
  s->nulls_first = g_new0 (gboolean, n);
  for (guint i = 0; i < n; i++)
    {
      s->keys[i] = keys[i][0] == 'k' ? 0 : keys[i][0] == 's' ? 1 : 2;
      s->descending[i] = keys[i][1] == '-';
      s->nulls_first[i] = keys[i][2] ? keys[i][2] == 'f' : !s->descending[i];
    }
  s->limit = limit;
  s->offset = offset;
  f->node->updating = streaming;
  f->op = rt_op_sort_new (f->node, &error);
  g_assert_no_error (error);
  f->op->ctx = &f->ctx;
  f->op->sink_fn = collect;
  f->op->sink_data = f;
  g_assert_true (f->op->klass->open == NULL || f->op->klass->open (f->op, &error));
  g_assert_no_error (error);
}

/* Rows "k|s|d" with "-" for NULL, fed as one batch of kind kind. */
static void
feed (Fixture *f, const char *const *rows, RtRowKind kind)
{
  g_autoptr (GError) error = NULL;
  guint n = g_strv_length ((char **) rows);
  g_autoptr (RtBatch) b = rt_batch_new (f->pool, f->schema, MAX (n, 1u), &error);

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      g_auto (GStrv) parts = g_strsplit (rows[i], "|", 3);
      PlanValue v[3] = { { .type = f->schema->fields[0].type },
                         { .type = f->schema->fields[1].type },
                         { .type = f->schema->fields[2].type } };

      v[0].is_null = strcmp (parts[0], "-") == 0;
      v[0].v.i = g_ascii_strtoll (parts[0], NULL, 10);
      v[1].is_null = strcmp (parts[1], "-") == 0;
      v[1].v.s = parts[1];
      v[2].is_null = strcmp (parts[2], "-") == 0;
      v[2].v.d = g_ascii_strtod (parts[2], NULL);
      g_assert_true (rt_batch_append_values (b, v, &error));
      b->kinds[b->n_rows - 1] = (guint8) kind;
    }
  g_assert_cmpint (f->op->klass->process (f->op, b, 0, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static void
finish (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (f->op->klass->finish (f->op, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static void
assert_out (Fixture *f, const char *const *expected)
{
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < MIN (n, f->out->len); i++)
    g_assert_cmpstr (f->out->pdata[i], ==, expected[i]);
  g_assert_cmpuint (f->out->len, ==, n);
}

/* k: 3, NULL, 1, 2, NULL with s a..e tells rows apart (and shows ties keep input order) */
static const char *const five[] = { "3|a|0.5", "-|b|1.5", "1|c|-2", "2|d|-", "-|e|7", NULL };

static void
test_nulls_asc (Fixture *f, gconstpointer data)
{
  static const char *const keys[] = { "k+", NULL };
  static const char *const want[] = { "+I NULL b 1.5", "+I NULL e 7.0", "+I 1 c -2.0",
                                      "+I 2 d NULL", "+I 3 a 0.5", NULL };

  make_sort (f, keys, -1, 0, FALSE);
  feed (f, five, RT_ROW_INSERT);
  g_assert_cmpuint (f->out->len, ==, 0); /* nothing before the end of input */
  finish (f);
  assert_out (f, want);
}

static void
test_nulls_desc (Fixture *f, gconstpointer data)
{
  static const char *const keys[] = { "k-", NULL };
  static const char *const want[] = { "+I 3 a 0.5", "+I 2 d NULL", "+I 1 c -2.0",
                                      "+I NULL b 1.5", "+I NULL e 7.0", NULL };

  make_sort (f, keys, -1, 0, FALSE);
  feed (f, five, RT_ROW_INSERT);
  finish (f);
  assert_out (f, want);
}

/* Explicit placements against the defaults: d ASC NULLS LAST, then k DESC NULLS FIRST. */
static void
test_explicit_nulls (Fixture *f, gconstpointer data)
{
  static const char *const keys[] = { "d+l", NULL };
  static const char *const want[] = { "+I 1 c -2.0", "+I 3 a 0.5", "+I NULL b 1.5",
                                      "+I NULL e 7.0", "+I 2 d NULL", NULL };
  static const char *const keys2[] = { "k-f", NULL };
  static const char *const want2[] = { "+I NULL b 1.5", "+I NULL e 7.0", "+I 3 a 0.5",
                                       "+I 2 d NULL", "+I 1 c -2.0", NULL };

  make_sort (f, keys, -1, 0, FALSE);
  feed (f, five, RT_ROW_INSERT);
  finish (f);
  assert_out (f, want);
  rt_operator_free (f->op);
  g_clear_pointer (&f->node, plan_phys_node_unref);
  g_ptr_array_set_size (f->out, 0);
  make_sort (f, keys2, -1, 0, FALSE);
  feed (f, five, RT_ROW_INSERT);
  finish (f);
  assert_out (f, want2);
}

/* s ASC (bytewise: "apple" < "apples" < "b"), ties broken by d DESC; over two batches. */
static void
test_multi_key_strings (Fixture *f, gconstpointer data)
{
  static const char *const keys[] = { "s+", "d-", NULL };
  static const char *const in1[] = { "1|b|1", "2|apples|1", "3|apple|2", NULL };
  static const char *const in2[] = { "4|apple|9", "5|-|0", "6|b|-3.5", "7|apple|-1", NULL };
  static const char *const want[] = { "+I 5 NULL 0.0", "+I 4 apple 9.0", "+I 3 apple 2.0",
                                      "+I 7 apple -1.0", "+I 2 apples 1.0", "+I 1 b 1.0",
                                      "+I 6 b -3.5", NULL };

  make_sort (f, keys, -1, 0, FALSE);
  feed (f, in1, RT_ROW_INSERT);
  feed (f, in2, RT_ROW_INSERT);
  finish (f);
  assert_out (f, want);
}

/* d ASC (NULLS FIRST), then k DESC (NULLS LAST): the second key decides among rows whose
 * first keys tie, which includes 0.0 against -0.0 and two NULLs. By hand: NULL d: k 5, 3;
 * d -1: k 7, 6; d 0 / -0: k 4, 2, 1, then NULL k. Fed as three batches. */
static void
test_two_key_prefix (Fixture *f, gconstpointer data)
{
  static const char *const keys[] = { "d+", "k-", NULL };
  static const char *const in1[] = { "1|a|0", "2|b|-0", "3|c|-", NULL };
  static const char *const in2[] = { "4|d|0", "5|e|-", "6|f|-1", NULL };
  static const char *const in3[] = { "-|g|0", "7|h|-1", NULL };
  static const char *const want[] = { "+I 5 e NULL", "+I 3 c NULL", "+I 7 h -1.0",
                                      "+I 6 f -1.0", "+I 4 d 0.0", "+I 2 b -0.0",
                                      "+I 1 a 0.0", "+I NULL g 0.0", NULL };

  make_sort (f, keys, -1, 0, FALSE);
  feed (f, in1, RT_ROW_INSERT);
  feed (f, in2, RT_ROW_INSERT);
  feed (f, in3, RT_ROW_INSERT);
  finish (f);
  assert_out (f, want);
}

/* ORDER BY k LIMIT 2 OFFSET 1 over the five rows twice: in order NULL b, NULL e, NULL b,
 * NULL e, 1 c, ...; ranks 1 and 2 are NULL e (first copy) and NULL b (second copy). Fed
 * row by row so the compaction to offset + limit rows runs several times. */
static void
test_top_n_batch (Fixture *f, gconstpointer data)
{
  static const char *const keys[] = { "k+", NULL };
  static const char *const want[] = { "+I NULL e 7.0", "+I NULL b 1.5", NULL };

  f->ctx.batch_size = 1; /* compaction once 2 * 3 + 1 rows are held */
  make_sort (f, keys, 2, 1, FALSE);
  for (guint i = 0; i < 10; i++)
    {
      const char *one[] = { five[i % 5], NULL };
      feed (f, one, RT_ROW_INSERT);
    }
  finish (f);
  assert_out (f, want);
}

/* Streaming ORDER BY k LIMIT 2: a changelog as the top two change. */
static void
test_top_n_streaming (Fixture *f, gconstpointer data)
{
  static const char *const keys[] = { "k+", NULL };
  static const char *const b1[] = { "5|x|0", "3|y|0", NULL };
  static const char *const b2[] = { "4|z|0", NULL };
  static const char *const b3[] = { "9|w|0", NULL };
  static const char *const w1[] = { "+I 3 y 0.0", "+I 5 x 0.0", NULL };
  static const char *const w2[] = { "+I 3 y 0.0", "+I 5 x 0.0", "-D 5 x 0.0", "+I 4 z 0.0",
                                    NULL };

  make_sort (f, keys, 2, 0, TRUE);
  feed (f, b1, RT_ROW_INSERT);
  assert_out (f, w1);
  feed (f, b2, RT_ROW_INSERT);
  assert_out (f, w2);
  feed (f, b3, RT_ROW_INSERT); /* 9 is not in the top two: nothing */
  assert_out (f, w2);
  finish (f);
  assert_out (f, w2);
}

/* Over an updating input: retracting the current best brings the third row back in. */
static void
test_top_n_retract (Fixture *f, gconstpointer data)
{
  static const char *const keys[] = { "k-", NULL };
  static const char *const b1[] = { "1|a|0", "2|b|0", "3|c|0", NULL };
  static const char *const b2[] = { "3|c|0", NULL };
  static const char *const want[] = { "+I 3 c 0.0", "+I 2 b 0.0", "-D 3 c 0.0", "+I 1 a 0.0",
                                      NULL };

  f->input->updating = TRUE;
  make_sort (f, keys, 2, 0, TRUE);
  feed (f, b1, RT_ROW_INSERT);
  feed (f, b2, RT_ROW_DELETE);
  assert_out (f, want);
}

/* ---- external sort -------------------------------------------------------------------- */

typedef struct {
  guint64 rows;
  guint64 checksum;  /* sum of row_hash over the rows: independent of their order */
  gboolean have_prev, prev_null, ordered;
  gint64 prev_k;
  char prev_p[32];
} SpillCheck;

static guint64
row_hash (gboolean k_null, gint64 k, const char *p, guint len)
{
  guint64 h = k_null ? 0x9e3779b97f4a7c15u : (guint64) k * 1000003u;

  for (guint i = 0; i < len; i++)
    h = (h ^ (guint8) p[i]) * 1099511628211u;
  return h;
}

/* The order under test: k ASC NULLS FIRST, then p DESC. */
static RtResult
spill_collect (void *data, RtBatch *batch, GError **error)
{
  SpillCheck *c = data;

  for (guint r = 0; r < batch->n_rows; r++)
    {
      gboolean null = !rt_vec_is_valid (&batch->cols[0], r);
      gint64 k = RT_VEC (batch, 0, gint64)[r];
      RtStr p = RT_VEC (batch, 1, RtStr)[r];
      char text[32];

      g_assert_cmpuint (p.len, <, sizeof text);
      memcpy (text, p.ptr, p.len);
      text[p.len] = '\0';
      if (c->have_prev)
        {
          int order = c->prev_null != null ? (c->prev_null ? -1 : 1)
                      : !null && c->prev_k != k ? (c->prev_k < k ? -1 : 1)
                      : -strcmp (c->prev_p, text);
          if (order > 0)
            c->ordered = FALSE;
        }
      c->have_prev = TRUE;
      c->prev_null = null;
      c->prev_k = k;
      memcpy (c->prev_p, text, p.len + 1);
      c->rows++;
      c->checksum += row_hash (null, k, text, p.len);
    }
  return RT_OK;
}

/* Files (recursively) under tmp_root. */
static guint
count_spill_files (void)
{
  g_autoptr (GDir) dir = g_dir_open (tmp_root, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp_root, name, NULL);
      g_autoptr (GDir) sub = g_dir_open (path, 0, NULL);

      n++; /* the directory itself */
      while (sub != NULL && g_dir_read_name (sub) != NULL)
        n++;
    }
  return n;
}

typedef struct {
  RtMemPool *pool;
  RtOpContext ctx;
  gint cancel;
  PlanSchema *schema;
  PlanPhysNode *input, *node;
  RtOperator *op;
  SpillCheck out;
  guint64 in_rows, in_checksum;
  guint64 seed;
  GArray *all;          /* nullable: InRow, every row fed (for an oracle) */
} Spill;

typedef struct {
  gboolean null;
  gint64 k;
  char p[32];
  guint len;
} InRow;

/* The order under test on InRows: k ASC NULLS FIRST, then p DESC (p is unique). */
static gint
in_row_cmp (gconstpointer pa, gconstpointer pb)
{
  const InRow *a = pa, *b = pb;

  if (a->null != b->null)
    return a->null ? -1 : 1;
  if (!a->null && a->k != b->k)
    return a->k < b->k ? -1 : 1;
  return -strcmp (a->p, b->p);
}

#define SPILL_BUDGET (1024 * 1024)

static void
spill_setup (Spill *s, gsize budget)
{
  g_autoptr (GError) error = NULL;
  PlanSort *so;

  s->pool = rt_mem_pool_new (budget);
  rt_mem_pool_set_wait_us (s->pool, 0); /* exceeding the budget must fail, not wait */
  s->ctx = (RtOpContext) { .pool = s->pool, .parallelism = 1, .batch_size = 1024,
                           .cancelled = &s->cancel, .bounded_only = TRUE };
  s->schema = plan_schema_new (2);
  plan_schema_set_field (s->schema, 0, "k", plan_type_make (PLAN_TYPE_BIGINT, TRUE));
  plan_schema_set_field (s->schema, 1, "p", plan_type_make (PLAN_TYPE_VARCHAR, FALSE));
  s->input = plan_phys_node_new (PLAN_PHYS_VALUES, plan_schema_ref (s->schema),
                                 (PlanSpan) { 0 }, 1);
  s->node = plan_phys_node_new (PLAN_PHYS_SORT, plan_schema_ref (s->schema), (PlanSpan) { 0 },
                                1);
  plan_phys_node_add_input (s->node, plan_phys_node_ref (s->input), PLAN_EXCHANGE_FORWARD, 0,
                            NULL);
  so = &s->node->u.sort;
  so->n_keys = 2;
  so->keys = g_new0 (guint, 2);
  so->keys[1] = 1;
  so->descending = g_new0 (gboolean, 2);
  so->descending[1] = TRUE;
  so->nulls_first = g_new0 (gboolean, 2);
  so->nulls_first[0] = TRUE;
  so->limit = -1;
  s->op = rt_op_sort_new (s->node, &error);
  g_assert_no_error (error);
  s->op->ctx = &s->ctx;
  s->op->sink_fn = spill_collect;
  s->op->sink_data = &s->out;
  s->out.ordered = TRUE;
  s->seed = 42;
  g_assert_true (s->op->klass->open (s->op, &error));
}

/* One batch of 1024 pseudo-random rows (every 97th key NULL, 24-byte strings). */
static void
spill_feed (Spill *s)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtBatch) b = rt_batch_new (s->pool, s->schema, 1024, &error);

  g_assert_no_error (error);
  for (guint r = 0; r < 1024; r++)
    {
      char text[32];
      guint len;
      gint64 k;
      gboolean null;

      s->seed = s->seed * 6364136223846793005u + 1442695040888963407u;
      k = (gint64) ((s->seed >> 33) % 50000);
      null = (s->in_rows % 97) == 0;
      len = (guint) g_snprintf (text, sizeof text, "%016" G_GINT64_MODIFIER "x-%07u",
                                s->seed, (guint) (s->in_rows % 9999991));
      RT_VEC (b, 0, gint64)[r] = k;
      if (null)
        rt_vec_set_null (&b->cols[0], r);
      RT_VEC (b, 1, RtStr)[r] = rt_batch_intern (b, text, len, &error);
      g_assert_no_error (error);
      s->in_rows++;
      s->in_checksum += row_hash (null, k, text, len);
      if (s->all != NULL)
        {
          InRow in = { null, null ? 0 : k, { 0 }, len };

          memcpy (in.p, text, len + 1);
          g_array_append_val (s->all, in);
        }
    }
  b->n_rows = 1024;
  g_assert_cmpint (s->op->klass->process (s->op, b, 0, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static void
spill_teardown (Spill *s)
{
  rt_operator_free (s->op);
  plan_phys_node_unref (s->node);
  plan_phys_node_unref (s->input);
  plan_schema_unref (s->schema);
  g_assert_cmpuint (rt_mem_pool_get_used (s->pool), ==, 0);
  rt_mem_pool_free (s->pool);
}

/* 200 batches of about 64 KiB each (block + arena page): 12.5 times the 1 MiB budget. */
static void
test_spill (void)
{
  g_autoptr (GError) error = NULL;
  Spill s = { 0 };

  g_assert_cmpuint (count_spill_files (), ==, 0);
  spill_setup (&s, SPILL_BUDGET);
  for (guint i = 0; i < 200; i++)
    spill_feed (&s);
  g_assert_cmpuint (count_spill_files (), >=, 1 + 10); /* the directory and its runs */
  s.op->klass->finish (s.op, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_spill_files (), ==, 0);
  g_assert_true (s.out.ordered);
  g_assert_cmpuint (s.out.rows, ==, 200 * 1024);
  g_assert_cmpuint (s.out.rows, ==, s.in_rows);
  g_assert_cmphex (s.out.checksum, ==, s.in_checksum);
  g_assert_cmpuint (rt_mem_pool_get_peak (s.pool), <=, SPILL_BUDGET);
  spill_teardown (&s);
}

/* A budget that leaves room at the end of input: the rows still held become the last run
 * of the merge without being written (no spilled bytes added by finish), and the result
 * is the same ordered permutation of the input. 16 MiB: a share of 8 MiB holds about 60
 * of these batches with their row references, so 200 make three run files and a part of
 * a fourth run held in memory. */
static void
test_spill_memory_run (void)
{
  g_autoptr (GError) error = NULL;
  Spill s = { 0 };
  guint64 before;

  spill_setup (&s, 16 * 1024 * 1024);
  for (guint i = 0; i < 200; i++)
    spill_feed (&s);
  before = rt_op_sort_get_spilled_bytes (s.op);
  g_assert_cmpuint (before, >, 0);
  g_assert_cmpuint (count_spill_files (), >=, 1 + 2);
  s.op->klass->finish (s.op, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rt_op_sort_get_spilled_bytes (s.op), ==, before);
  g_assert_cmpuint (count_spill_files (), ==, 0);
  g_assert_true (s.out.ordered);
  g_assert_cmpuint (s.out.rows, ==, s.in_rows);
  g_assert_cmphex (s.out.checksum, ==, s.in_checksum);
  spill_teardown (&s);
}

/* A batch Top-N whose offset + limit is far past what the share holds spills runs of
 * offset + limit rows at most, and the merge of the runs emits ranks offset .. offset +
 * limit - 1: compared with the input sorted by qsort here. */
static void
test_spill_top_n (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (InRow));
  Spill s = { 0 };
  guint64 want = 0;

  s.all = all;
  spill_setup (&s, SPILL_BUDGET);
  s.node->u.sort.offset = 5000;
  s.node->u.sort.limit = 100000;
  rt_operator_free (s.op);
  s.op = rt_op_sort_new (s.node, &error);
  g_assert_no_error (error);
  s.op->ctx = &s.ctx;
  s.op->sink_fn = spill_collect;
  s.op->sink_data = &s.out;
  g_assert_true (s.op->klass->open (s.op, &error));
  for (guint i = 0; i < 200; i++)
    spill_feed (&s);
  g_assert_cmpuint (count_spill_files (), >=, 1 + 2);
  s.op->klass->finish (s.op, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_spill_files (), ==, 0);
  g_array_sort (all, in_row_cmp);
  for (guint i = 5000; i < 105000; i++)
    {
      const InRow *in = &g_array_index (all, InRow, i);

      want += row_hash (in->null, in->k, in->p, in->len);
    }
  g_assert_true (s.out.ordered);
  g_assert_cmpuint (s.out.rows, ==, 100000);
  g_assert_cmphex (s.out.checksum, ==, want);
  spill_teardown (&s);
}

/* Cancelled after spilling: finish fails and closing removes every run file. */
static void
test_spill_cancel (void)
{
  g_autoptr (GError) error = NULL;
  Spill s = { 0 };

  spill_setup (&s, SPILL_BUDGET);
  for (guint i = 0; i < 40; i++)
    spill_feed (&s);
  g_assert_cmpuint (count_spill_files (), >=, 2);
  g_atomic_int_set (&s.cancel, 1);
  g_assert_cmpint (s.op->klass->finish (s.op, &error), ==, RT_FAIL);
  g_assert_error (error, RT_ERROR, RT_ERROR_CANCELLED);
  spill_teardown (&s);
  g_assert_cmpuint (count_spill_files (), ==, 0);
}

/* ---- planning ------------------------------------------------------------------------- */

static OptResult *
optimize (const char *sql, const char *mode, const char *parallelism, GError **error)
{
  g_autoptr (PlanCatalog) catalog = plan_catalog_new ();
  g_autoptr (PlanSettings) settings = plan_settings_new ();
  g_autoptr (PlanStatement) ddl = NULL, stmt = NULL;

  ddl = plan_sql_compile_one (catalog, "CREATE TABLE seq (id BIGINT, name VARCHAR) WITH "
                              "('connector' = 'datagen', 'number-of-rows' = '100')", error);
  g_assert_nonnull (ddl);
  g_assert_true (plan_catalog_add_table (catalog, ddl->table, error));
  g_assert_true (plan_settings_set (settings, "execution.runtime-mode", mode, error));
  g_assert_true (plan_settings_set (settings, "parallelism.default", parallelism, error));
  stmt = plan_sql_compile_one (catalog, sql, error);
  g_assert_nonnull (stmt);
  return opt_optimize (stmt->plan, settings, error);
}

static void
test_streaming_needs_limit (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OptResult) bad = optimize ("SELECT id FROM seq ORDER BY id", "streaming", "1",
                                        &error);
  g_autoptr (OptResult) top = NULL;
  const PlanPhysNode *root, *sort;

  g_assert_null (bad);
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED);
  g_assert_true (g_str_has_prefix (error->message, "1:20: ORDER BY in streaming mode needs a "
                                   "LIMIT"));
  g_assert_nonnull (strstr (error->message, "'execution.runtime-mode' = 'batch'"));
  g_clear_error (&error);
  top = optimize ("SELECT id FROM seq ORDER BY id DESC LIMIT 3", "streaming", "2", &error);
  g_assert_no_error (error);
  root = opt_result_get_physical (top)->root;
  sort = root->inputs[0].node;
  g_assert_cmpint (sort->kind, ==, PLAN_PHYS_SORT);
  g_assert_true (sort->updating);
  g_assert_true (root->updating);
  g_assert_cmpuint (sort->parallelism, ==, 1);
  g_assert_cmpint (sort->inputs[0].exchange, ==, PLAN_EXCHANGE_GATHER);
}

/* Batch Top-N at parallelism 4: a local SORT keeping limit + offset rows per subtask,
 * chained after the source, then the global one behind a GATHER. */
static void
test_parallel_top_n_plan (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OptResult) r = optimize ("SELECT id FROM seq ORDER BY id LIMIT 3 OFFSET 1",
                                      "batch", "4", &error);
  const PlanPhysNode *global, *local;
  g_autofree char *json = NULL, *again = NULL;
  g_autoptr (PlanPhysPlan) back = NULL;

  g_assert_no_error (error);
  global = opt_result_get_physical (r)->root->inputs[0].node;
  g_assert_cmpint (global->kind, ==, PLAN_PHYS_SORT);
  g_assert_false (global->updating);
  g_assert_cmpuint (global->parallelism, ==, 1);
  g_assert_cmpint (global->u.sort.limit, ==, 3);
  g_assert_cmpint (global->u.sort.offset, ==, 1);
  g_assert_cmpint (global->inputs[0].exchange, ==, PLAN_EXCHANGE_GATHER);
  local = global->inputs[0].node;
  g_assert_cmpint (local->kind, ==, PLAN_PHYS_SORT);
  g_assert_cmpuint (local->parallelism, ==, 4);
  g_assert_cmpint (local->u.sort.limit, ==, 4);
  g_assert_cmpint (local->u.sort.offset, ==, 0);
  g_assert_true (local->chained);
  /* JSON round trip keeps the payload */
  json = plan_phys_to_json (opt_result_get_physical (r), FALSE);
  g_assert_nonnull (strstr (json, "\"sort_keys\""));
  back = plan_phys_from_json (json, &error);
  g_assert_no_error (error);
  again = plan_phys_to_json (back, FALSE);
  g_assert_cmpstr (json, ==, again);
}

/* ---- large in-memory sorts, against a reference order computed here ------------------ */

typedef struct {
  gboolean null;
  gint64 k;     /* BIGINT key, or the DOUBLE key's bits */
  double d;
  gint64 i;     /* input position */
} BigRow;

typedef struct {
  gboolean dbl, desc, nulls_first;
} BigOrder;

static BigOrder big_order;

/* Collects the input position (column 1) of every emitted row. */
static RtResult
collect_positions (void *data, RtBatch *batch, GError **error)
{
  for (guint r = 0; r < batch->n_rows; r++)
    g_array_append_val ((GArray *) data, RT_VEC (batch, 1, gint64)[r]);
  return RT_OK;
}

/* The expected order, from the definition: NULLs where asked, then the key, then input
 * position (the sort is stable). */
static int
big_compare (gconstpointer pa, gconstpointer pb)
{
  const BigRow *a = pa, *b = pb;
  int c = 0;

  if (a->null != b->null)
    return a->null == big_order.nulls_first ? -1 : 1;
  if (!a->null)
    c = big_order.dbl ? (a->d < b->d ? -1 : a->d > b->d)
                      : (a->k < b->k ? -1 : a->k > b->k);
  if (big_order.desc)
    c = -c;
  return c != 0 ? c : (a->i < b->i ? -1 : a->i > b->i);
}

/* n rows of (key, i), the key BIGINT (dbl FALSE) or DOUBLE, from gen, sorted on the key in
 * memory by the operator; the output must equal the reference order exactly. The input
 * comes in batches of 1024 rows' capacity holding per rows each (few: the operator copies
 * them into dense batches of its own; many: it keeps them). */
static void
check_big_sort (guint n, guint per, BigOrder order, gint64 (*gen) (guint64 x, guint r))
{
  g_autoptr (GError) error = NULL;
  RtMemPool *pool = rt_mem_pool_new ((gsize) 512 << 20);
  RtOpContext ctx = { .pool = pool, .parallelism = 1, .batch_size = 1024, .bounded_only = TRUE };
  PlanSchema *schema = plan_schema_new (2);
  g_autofree BigRow *rows = g_new0 (BigRow, n);
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (gint64));
  PlanPhysNode *input, *node;
  PlanSort *so;
  RtOperator *op;
  guint64 x = 7;

  plan_schema_set_field (schema, 0, "k", plan_type_make (order.dbl ? PLAN_TYPE_DOUBLE
                                                         : PLAN_TYPE_BIGINT, TRUE));
  plan_schema_set_field (schema, 1, "i", plan_type_make (PLAN_TYPE_BIGINT, FALSE));
  input = plan_phys_node_new (PLAN_PHYS_VALUES, plan_schema_ref (schema), (PlanSpan) { 0 }, 1);
  node = plan_phys_node_new (PLAN_PHYS_SORT, plan_schema_ref (schema), (PlanSpan) { 0 }, 1);
  plan_phys_node_add_input (node, plan_phys_node_ref (input), PLAN_EXCHANGE_FORWARD, 0, NULL);
  so = &node->u.sort;
  so->n_keys = 1;
  so->keys = g_new0 (guint, 1);
  so->descending = g_new0 (gboolean, 1);
  so->descending[0] = order.desc;
  so->nulls_first = g_new0 (gboolean, 1);
  so->nulls_first[0] = order.nulls_first;
  so->limit = -1;
  op = rt_op_sort_new (node, &error);
  g_assert_no_error (error);
  op->ctx = &ctx;
  op->sink_fn = collect_positions;
  op->sink_data = out;
  g_assert_true (op->klass->open (op, &error));
  for (guint r0 = 0; r0 < n; r0 += per)
    {
      g_autoptr (RtBatch) b = rt_batch_new (pool, schema, 1024, &error);

      g_assert_no_error (error);
      for (guint r = r0; r < MIN (r0 + per, n); r++)
        {
          BigRow *row = &rows[r];
          guint j = b->n_rows++;

          x = x * 6364136223846793005u + 1442695040888963407u;
          row->i = r;
          row->null = r % 89 == 5;
          row->k = gen (x, r);
          row->d = (double) row->k / 8.0;
          if (row->null)
            rt_vec_set_null (&b->cols[0], j);
          else if (order.dbl)
            RT_VEC (b, 0, double)[j] = row->d;
          else
            RT_VEC (b, 0, gint64)[j] = row->k;
          RT_VEC (b, 1, gint64)[j] = r;
        }
      g_assert_cmpint (op->klass->process (op, b, 0, &error), ==, RT_OK);
      g_assert_no_error (error);
    }
  g_assert_cmpint (op->klass->finish (op, &error), ==, RT_OK);
  g_assert_no_error (error);
  big_order = order;
  qsort (rows, n, sizeof *rows, big_compare);
  g_assert_cmpuint (out->len, ==, n);
  for (guint r = 0; r < n; r++) /* the positions are unique: they give the order */
    if (g_array_index (out, gint64, r) != rows[r].i)
      g_error ("row %u of the output is input row %" G_GINT64_FORMAT ", expected %"
               G_GINT64_FORMAT, r, g_array_index (out, gint64, r), rows[r].i);
  rt_operator_free (op);
  plan_phys_node_unref (node);
  plan_phys_node_unref (input);
  plan_schema_unref (schema);
  g_assert_cmpuint (rt_mem_pool_get_used (pool), ==, 0);
  rt_mem_pool_free (pool);
}

static gint64
gen_wide (guint64 x, guint r)
{
  return (gint64) x; /* the whole 64-bit range, negative half too */
}

static gint64
gen_narrow (guint64 x, guint r)
{
  return (gint64) ((x >> 33) % 1000) - 500; /* many ties */
}

static gint64
gen_clustered (guint64 x, guint r)
{
  /* mostly within a few thousand of 2^40, with a few far outliers both ways */
  return r % 1000 == 7 ? (gint64) (x >> 1) - G_GINT64_CONSTANT (1) * (r % 2000 == 7) * (1LL << 62)
                       : (G_GINT64_CONSTANT (1) << 40) + (gint64) ((x >> 40) % 5000);
}

static gint64
gen_equal (guint64 x, guint r)
{
  return 42; /* every key the same: order is input order */
}

/* 200k rows each, enough for any partitioning of the in-memory sort to take part. */
static void
test_large_in_memory (void)
{
  check_big_sort (200000, 1024, (BigOrder) { FALSE, FALSE, TRUE }, gen_wide);
  check_big_sort (200000, 100, (BigOrder) { FALSE, TRUE, FALSE }, gen_wide);
  check_big_sort (200000, 100, (BigOrder) { FALSE, FALSE, FALSE }, gen_narrow);
  check_big_sort (200000, 1024, (BigOrder) { FALSE, TRUE, TRUE }, gen_clustered);
  check_big_sort (200000, 333, (BigOrder) { FALSE, FALSE, TRUE }, gen_equal);
  check_big_sort (200000, 1024, (BigOrder) { TRUE, FALSE, TRUE }, gen_wide);
  check_big_sort (200000, 100, (BigOrder) { TRUE, TRUE, FALSE }, gen_narrow);
}

int
main (int argc, char **argv)
{
  int status;

  /* not g_dir_make_tmp: that would make GLib cache the old TMPDIR */
  tmp_root = g_build_filename (g_getenv ("TMPDIR") ? g_getenv ("TMPDIR") : "/tmp",
                               "strom-test-sort-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (tmp_root));
  g_setenv ("TMPDIR", tmp_root, TRUE); /* before GLib first reads it */
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/runtime/sort/nulls-asc", test_nulls_asc);
  ADD ("/runtime/sort/nulls-desc", test_nulls_desc);
  ADD ("/runtime/sort/explicit-nulls", test_explicit_nulls);
  ADD ("/runtime/sort/multi-key-strings", test_multi_key_strings);
  ADD ("/runtime/sort/two-key-prefix", test_two_key_prefix);
  ADD ("/runtime/sort/top-n-batch", test_top_n_batch);
  ADD ("/runtime/sort/top-n-streaming", test_top_n_streaming);
  ADD ("/runtime/sort/top-n-retract", test_top_n_retract);
  g_test_add_func ("/runtime/sort/spill", test_spill);
  g_test_add_func ("/runtime/sort/spill-memory-run", test_spill_memory_run);
  g_test_add_func ("/runtime/sort/spill-top-n", test_spill_top_n);
  g_test_add_func ("/runtime/sort/spill-cancel", test_spill_cancel);
  g_test_add_func ("/runtime/sort/streaming-needs-limit", test_streaming_needs_limit);
  g_test_add_func ("/runtime/sort/parallel-top-n-plan", test_parallel_top_n_plan);
  g_test_add_func ("/runtime/sort/large-in-memory", test_large_in_memory);
  status = g_test_run ();
  g_rmdir (tmp_root);
  g_free (tmp_root);
  return status;
}
