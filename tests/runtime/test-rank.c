/* test-rank.c: the rank and union operators (runtime/engine/rt-op-rank.c, rt-op-union.c)
 * driven directly with hand-built batches. Rank: the streaming Top-N changelog with and
 * without the rownum column, Top-1 updates as -U/+U pairs, an updating input whose
 * retraction brings a row back into the top, deduplication keeping the first row by arrival
 * (insert-only) and the last one, NULLs in the order, and batch mode emitting once at the
 * end; a snapshot restored into a new operator carries on where the old one stopped.
 * Union: batches of every input pass through with their row kinds. Every expected
 * changelog is worked out by hand next to its input. */
#include "runtime/engine/rt-operator.h"
#include "runtime/engine/rt-checkpoint-private.h"
#include "rt-test-util.h"

#include <string.h>

typedef struct {
  RtMemPool *pool;
  RtOpContext ctx;
  gint cancel;
  PlanSchema *schema;   /* k INT, s VARCHAR, d DOUBLE (all nullable) */
  PlanPhysNode *input;  /* a VALUES node, only for its schema and updating flag */
  PlanPhysNode *node;
  RtOperator *op;
  GPtrArray *out;       /* "+I k s d [rownum]" per emitted row */
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
  f->ctx = (RtOpContext) { .pool = f->pool, .parallelism = 1, .batch_size = 4,
                           .cancelled = &f->cancel };
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

static void
start (Fixture *f, GError **error)
{
  g_assert_no_error (*error);
  g_assert_nonnull (f->op);
  f->op->ctx = &f->ctx;
  f->op->sink_fn = collect;
  f->op->sink_data = f;
}

typedef enum {
  MODE_TOP_N,      /* ordered by d DESC, then s ASC */
  MODE_FIRST_ROW,  /* proctime ASC: arrival order */
  MODE_LAST_ROW,   /* proctime DESC */
} Mode;

/* A RANK partitioned by k, keeping limit rows (-1 all). */
static void
make_rank (Fixture *f, gint64 limit, gboolean rownum, Mode mode, gboolean updating)
{
  g_autoptr (GError) error = NULL;
  PlanRank *r;

  f->node = plan_phys_node_new (PLAN_PHYS_RANK, NULL, (PlanSpan) { 0 }, 1);
  plan_phys_node_add_input (f->node, plan_phys_node_ref (f->input), PLAN_EXCHANGE_FORWARD, 0,
                            NULL);
  r = &f->node->u.rank;
  r->n_partition = 1;
  r->partition = g_new0 (guint, 1);
  r->order.n_keys = 2;
  r->order.keys = g_new0 (guint, 2);
  r->order.descending = g_new0 (gboolean, 2);
  r->order.nulls_first = g_new0 (gboolean, 2);
  r->order.keys[0] = 2;
  r->order.descending[0] = TRUE;        /* d DESC NULLS LAST */
  r->order.keys[1] = 1;
  r->order.nulls_first[1] = TRUE;       /* s ASC NULLS FIRST */
  r->limit = limit;
  r->rownum = rownum;
  r->first_row = mode == MODE_FIRST_ROW;
  r->last_row = mode == MODE_LAST_ROW;
  f->node->schema = plan_rank_schema (f->schema, r);
  f->node->updating = updating;
  f->op = rt_op_rank_new (f->node, &error);
  start (f, &error);
}

/* Rows "k|s|d" with "-" for NULL; a leading "-" before the row ("-1|a|2") is not used:
 * kinds come from the kind argument, one per batch. */
static void
feed (Fixture *f, const char *const *rows, RtRowKind kind, guint input)
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
  g_assert_cmpint (f->op->klass->process (f->op, b, input, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static void
finish (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  if (f->op->klass->finish != NULL)
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

/* Top-2 by d DESC per k, with rownum: a position whose row changes gets -U/+U. */
static void
test_top_n_rownum (Fixture *f, gconstpointer data)
{
  /* k=1: a(5) -> [a]; b(7) -> [b, a]; c(6) -> [b, c] (a drops out of the top 2);
   * k=2: x(1) -> [x]; k=1: d(9) -> [d, b]. */
  static const char *const b1[] = { "1|a|5", "1|b|7", "2|x|1", NULL };
  static const char *const b2[] = { "1|c|6", "1|d|9", NULL };
  static const char *const want[] = {
    "+I 1 a 5.0 1",
    "-U 1 a 5.0 1", "+U 1 b 7.0 1", "+I 1 a 5.0 2",
    "+I 2 x 1.0 1",
    "-U 1 a 5.0 2", "+U 1 c 6.0 2",
    "-U 1 b 7.0 1", "+U 1 d 9.0 1", "-U 1 c 6.0 2", "+U 1 b 7.0 2",
    NULL };

  make_rank (f, 2, TRUE, MODE_TOP_N, TRUE);
  feed (f, b1, RT_ROW_INSERT, 0);
  feed (f, b2, RT_ROW_INSERT, 0);
  finish (f);
  assert_out (f, want);
}

/* The same input without rownum: rows that leave get -D, rows that enter +I. */
static void
test_top_n_no_rownum (Fixture *f, gconstpointer data)
{
  static const char *const b1[] = { "1|a|5", "1|b|7", "2|x|1", "1|c|6", "1|d|9", NULL };
  static const char *const want[] = {
    "+I 1 a 5.0", "+I 1 b 7.0", "+I 2 x 1.0",
    "-D 1 a 5.0", "+I 1 c 6.0",
    "-D 1 c 6.0", "+I 1 d 9.0",
    NULL };

  make_rank (f, 2, FALSE, MODE_TOP_N, TRUE);
  feed (f, b1, RT_ROW_INSERT, 0);
  finish (f);
  assert_out (f, want);
}

/* Top-1 without rownum is an update of the key's row: -U/+U. NULL d sorts last (DESC), a
 * tie on d falls back to s ASC. */
static void
test_top_1 (Fixture *f, gconstpointer data)
{
  /* n(NULL) -> [n]; m(3) beats NULL -> m; z(3) ties with m, s ASC keeps m; a(3) ties and
   * sorts before m -> a. */
  static const char *const b1[] = { "1|n|-", "1|m|3", "1|z|3", "1|a|3", NULL };
  static const char *const want[] = {
    "+I 1 n NULL", "-U 1 n NULL", "+U 1 m 3.0", "-U 1 m 3.0", "+U 1 a 3.0", NULL };

  make_rank (f, 1, FALSE, MODE_TOP_N, TRUE);
  feed (f, b1, RT_ROW_INSERT, 0);
  finish (f);
  assert_out (f, want);
}

/* An updating input (Top-N over a GROUP BY): every row is kept, so when the top row is
 * retracted, the one below comes back into the top 1. */
static void
test_updating_input (Fixture *f, gconstpointer data)
{
  static const char *const b1[] = { "1|a|5", "1|b|7", NULL };
  static const char *const b2[] = { "1|b|7", NULL };
  static const char *const b3[] = { "1|b|4", NULL };
  static const char *const want[] = {
    "+I 1 a 5.0 1", "-U 1 a 5.0 1", "+U 1 b 7.0 1",  /* b1 */
    "-U 1 b 7.0 1", "+U 1 a 5.0 1",                  /* -U b: a is back on top */
    NULL };                                          /* +U b(4): below a, no change */

  f->input->updating = TRUE;
  make_rank (f, 1, TRUE, MODE_TOP_N, TRUE);
  feed (f, b1, RT_ROW_INSERT, 0);
  feed (f, b2, RT_ROW_UPDATE_BEFORE, 0);
  feed (f, b3, RT_ROW_UPDATE_AFTER, 0);
  finish (f);
  assert_out (f, want);
}

/* Deduplication keeping the first row by arrival: whatever d says, later rows never
 * replace it, and only +I rows come out. */
static void
test_first_row (Fixture *f, gconstpointer data)
{
  static const char *const b1[] = { "1|a|1", "2|b|1", "1|c|9", NULL };
  static const char *const b2[] = { "2|d|9", "3|e|0", NULL };
  static const char *const want[] = { "+I 1 a 1.0", "+I 2 b 1.0", "+I 3 e 0.0", NULL };

  make_rank (f, 1, FALSE, MODE_FIRST_ROW, FALSE);
  feed (f, b1, RT_ROW_INSERT, 0);
  feed (f, b2, RT_ROW_INSERT, 0);
  finish (f);
  assert_out (f, want);
}

/* Deduplication keeping the last row by arrival: each new row replaces the key's row. */
static void
test_last_row (Fixture *f, gconstpointer data)
{
  static const char *const b1[] = { "1|a|9", "1|b|1", "2|c|0", "1|d|5", NULL };
  static const char *const want[] = {
    "+I 1 a 9.0 1", "-U 1 a 9.0 1", "+U 1 b 1.0 1", "+I 2 c 0.0 1",
    "-U 1 b 1.0 1", "+U 1 d 5.0 1", NULL };

  make_rank (f, 1, TRUE, MODE_LAST_ROW, TRUE);
  feed (f, b1, RT_ROW_INSERT, 0);
  finish (f);
  assert_out (f, want);
}

/* Batch mode: nothing until the end, then each partition's top rows once, numbered. */
static void
test_batch (Fixture *f, gconstpointer data)
{
  static const char *const b1[] = { "1|a|5", "1|b|7", "1|c|6", "1|d|1", NULL };
  static const char *const want[] = { "+I 1 b 7.0 1", "+I 1 c 6.0 2", NULL };

  make_rank (f, 2, TRUE, MODE_TOP_N, FALSE);
  feed (f, b1, RT_ROW_INSERT, 0);
  g_assert_cmpuint (f->out->len, ==, 0);
  finish (f);
  assert_out (f, want);
}

/* No limit: every row is numbered; an insert at the top renumbers those below. */
static void
test_unbounded (Fixture *f, gconstpointer data)
{
  static const char *const b1[] = { "1|a|5", "1|b|7", NULL };
  static const char *const want[] = {
    "+I 1 a 5.0 1", "-U 1 a 5.0 1", "+U 1 b 7.0 1", "+I 1 a 5.0 2", NULL };

  make_rank (f, -1, TRUE, MODE_TOP_N, TRUE);
  feed (f, b1, RT_ROW_INSERT, 0);
  finish (f);
  assert_out (f, want);
}

/* Snapshot after b1, restore into a new operator, feed b2: the same changelog as one run
 * (test_top_n_rownum's), the part after b1 coming from the restored one. */
static void
test_snapshot_restore (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  static const char *const b1[] = { "1|a|5", "1|b|7", "2|x|1", NULL };
  static const char *const b2[] = { "1|c|6", "1|d|9", NULL };
  static const char *const want[] = {
    "-U 1 a 5.0 2", "+U 1 c 6.0 2",
    "-U 1 b 7.0 1", "+U 1 d 9.0 1", "-U 1 c 6.0 2", "+U 1 b 7.0 2",
    NULL };
  RtStateOut *out = rt__state_out_new (0, 0, 1);
  RtStateIn *in = rt__state_in_new ();
  g_autoptr (GBytes) bytes = NULL;
  guint list_index = 0;

  make_rank (f, 2, TRUE, MODE_TOP_N, TRUE);
  feed (f, b1, RT_ROW_INSERT, 0);
  g_assert_true (f->op->klass->snapshot (f->op, 1, out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rt__state_out_get_entries (out), ==, 2); /* partitions 1 and 2 */
  bytes = rt__state_out_finish (out);
  rt__state_out_free (out);
  rt_operator_free (f->op);
  f->op = rt_op_rank_new (f->node, &error);
  start (f, &error);
  g_ptr_array_set_size (f->out, 0);
  g_assert_true (rt__state_in_add_file (in, bytes, "test", 0, 1, RT_LISTS_DEAL, &list_index,
                                        &error));
  g_assert_no_error (error);
  g_assert_true (f->op->klass->restore (f->op, in, &error));
  g_assert_no_error (error);
  rt__state_in_free (in);
  feed (f, b2, RT_ROW_INSERT, 0);
  finish (f);
  assert_out (f, want);
}

static void
test_union (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanPhysNode) other = plan_phys_node_new (PLAN_PHYS_VALUES,
                                                       plan_schema_ref (f->schema),
                                                       (PlanSpan) { 0 }, 1);
  static const char *const b1[] = { "1|a|5", NULL };
  static const char *const b2[] = { "2|b|-", "3|-|1", NULL };
  static const char *const want[] = { "+I 1 a 5.0", "-D 2 b NULL", "-D 3 NULL 1.0", NULL };

  f->node = plan_phys_node_new (PLAN_PHYS_UNION, plan_schema_ref (f->schema), (PlanSpan) { 0 },
                                1);
  plan_phys_node_add_input (f->node, plan_phys_node_ref (f->input), PLAN_EXCHANGE_FORWARD, 0,
                            NULL);
  plan_phys_node_add_input (f->node, plan_phys_node_ref (other), PLAN_EXCHANGE_FORWARD, 0,
                            NULL);
  f->op = rt_op_union_new (f->node, &error);
  start (f, &error);
  feed (f, b1, RT_ROW_INSERT, 0);
  feed (f, b2, RT_ROW_DELETE, 1);
  finish (f);
  assert_out (f, want);
}

static void
test_bad_nodes (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanPhysNode) node = plan_phys_node_new (PLAN_PHYS_UNION,
                                                      plan_schema_ref (f->schema),
                                                      (PlanSpan) { 0 }, 1);

  g_assert_null (rt_op_union_new (node, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INTERNAL);
  g_clear_error (&error);
  g_assert_null (rt_op_rank_new (node, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INTERNAL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add ("/runtime/rank/" path, Fixture, NULL, fixture_setup, fn, \
                                  fixture_teardown)
  ADD ("top-n-rownum", test_top_n_rownum);
  ADD ("top-n-no-rownum", test_top_n_no_rownum);
  ADD ("top-1", test_top_1);
  ADD ("updating-input", test_updating_input);
  ADD ("first-row", test_first_row);
  ADD ("last-row", test_last_row);
  ADD ("batch", test_batch);
  ADD ("unbounded", test_unbounded);
  ADD ("snapshot-restore", test_snapshot_restore);
  ADD ("union", test_union);
  ADD ("bad-nodes", test_bad_nodes);
#undef ADD
  return g_test_run ();
}
