/* test-join.c: the streaming join (runtime/engine/rt-op-join.c) and the batch hash join
 * (rt-op-hash-join.c) driven directly with hand-built changelog batches on either input.
 * Left rows are (id INT, s VARCHAR), right rows (id INT, t VARCHAR), joined on id; each
 * expected output row is worked out by hand from the rows fed just before it: matches of
 * inner joins, multiplicity of duplicate rows, -U/+U input from an aggregate, NULL keys,
 * the residual condition, and the NULL-filled rows of LEFT, RIGHT and FULL joins that are
 * retracted (-D) when the first match arrives and emitted again when the last one goes.
 * The streaming join with INT keys runs on flat tables (rt-op-join-flat.c): the
 * compaction test removes enough rows to make a table move its live rows, with the match
 * counters they carry. */
#include "runtime/engine/rt-operator.h"
#include "rt-test-util.h"

#include <string.h>

typedef struct {
  RtMemPool *pool;
  RtOpContext ctx;
  PlanSchema *side[2];
  PlanPhysNode *inputs[2]; /* VALUES nodes, only for their schemas */
  RtOperator *op;
  GPtrArray *out;          /* "+I 1 a 1 x" per emitted row */
  guint next;              /* first output row not yet checked */
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

/* residual: when TRUE, left.s < right.t (output columns 1 and 3). */
static void
make_op (Fixture *f, PlanPhysKind kind, PlanJoinType type, gboolean residual, guint build)
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
  f->op = kind == PLAN_PHYS_JOIN ? rt_op_join_new (node, &error)
                                 : rt_op_hash_join_new (node, &error);
  g_assert_no_error (error);
  f->op->ctx = &f->ctx;
  f->op->sink_fn = collect;
  f->op->sink_data = f;
}

/* One row: kind, id (G_MININT: NULL), text. */
typedef struct {
  RtRowKind kind;
  gint id;
  const char *text;
} Row;

static void
feed (Fixture *f, guint input, const Row *rows, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtBatch) b = rt_batch_new (f->pool, f->side[input], 16, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      PlanValue v[2] = {
        { .type = f->side[input]->fields[0].type, .is_null = rows[i].id == G_MININT,
          .v.i = rows[i].id },
        { .type = f->side[input]->fields[1].type, .v.s = (char *) rows[i].text },
      };

      g_assert_true (rt_batch_append_values (b, v, &error));
      b->kinds[i] = (guint8) rows[i].kind;
    }
  g_assert_cmpint (f->op->klass->process (f->op, b, input, &error), ==, RT_OK);
  g_assert_no_error (error);
}

#define FEED(f, input, ...) \
  do { \
    const Row rows_[] = { __VA_ARGS__ }; \
    feed (f, input, rows_, G_N_ELEMENTS (rows_)); \
  } while (0)

/* The rows emitted since the last check must be exactly want (NULL-terminated). */
static void
expect (Fixture *f, const char *const *want)
{
  guint n = 0;

  for (; want[n] != NULL; n++)
    {
      g_assert_cmpuint (f->next + n, <, f->out->len);
      g_assert_cmpstr (f->out->pdata[f->next + n], ==, want[n]);
    }
  g_assert_cmpuint (f->out->len, ==, f->next + n);
  f->next += n;
}

#define EXPECT(f, ...) \
  do { \
    const char *const want_[] = { __VA_ARGS__, NULL }; \
    expect (f, want_); \
  } while (0)
#define EXPECT_NONE(f) expect (f, (const char *const[]) { NULL })

#define I RT_ROW_INSERT
#define UB RT_ROW_UPDATE_BEFORE
#define UA RT_ROW_UPDATE_AFTER
#define D RT_ROW_DELETE

static void
test_inner (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_PHYS_JOIN, PLAN_JOIN_INNER, FALSE, 0);
  FEED (f, 0, { I, 1, "a" });
  EXPECT_NONE (f);
  FEED (f, 1, { I, 1, "x" }, { I, 2, "y" });
  EXPECT (f, "+I 1 a 1 x");
  FEED (f, 0, { I, 2, "b" });
  EXPECT (f, "+I 2 b 2 y");
  FEED (f, 0, { D, 1, "a" });
  EXPECT (f, "-D 1 a 1 x");
  /* a second copy of (2, y): b now matches twice */
  FEED (f, 1, { I, 2, "y" });
  EXPECT (f, "+I 2 b 2 y");
  /* an update from an aggregate: -U retracts both copies' results, +U adds them again */
  FEED (f, 0, { UB, 2, "b" }, { UA, 2, "c" });
  EXPECT (f, "-D 2 b 2 y", "-D 2 b 2 y", "+I 2 c 2 y", "+I 2 c 2 y");
  /* a retraction of a row never seen is ignored; a NULL key matches nothing */
  FEED (f, 0, { D, 9, "q" }, { I, G_MININT, "n" });
  FEED (f, 1, { I, G_MININT, "m" });
  EXPECT_NONE (f);
}

static void
test_left (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_PHYS_JOIN, PLAN_JOIN_LEFT, FALSE, 0);
  FEED (f, 0, { I, 1, "a" });
  EXPECT (f, "+I 1 a NULL NULL");
  FEED (f, 1, { I, 1, "x" });
  EXPECT (f, "-D 1 a NULL NULL", "+I 1 a 1 x");
  FEED (f, 1, { I, 1, "z" });
  EXPECT (f, "+I 1 a 1 z");
  FEED (f, 1, { D, 1, "x" });
  EXPECT (f, "-D 1 a 1 x");
  FEED (f, 1, { D, 1, "z" });
  EXPECT (f, "-D 1 a 1 z", "+I 1 a NULL NULL");
  /* a right row without left partner emits nothing; a NULL key is kept NULL-filled */
  FEED (f, 1, { I, 7, "w" });
  EXPECT_NONE (f);
  FEED (f, 0, { I, G_MININT, "n" }, { I, 7, "s" });
  EXPECT (f, "+I NULL n NULL NULL", "+I 7 s 7 w");
  FEED (f, 0, { D, 1, "a" });
  EXPECT (f, "-D 1 a NULL NULL");
}

static void
test_right (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_PHYS_JOIN, PLAN_JOIN_RIGHT, FALSE, 0);
  FEED (f, 1, { I, 5, "r" });
  EXPECT (f, "+I NULL NULL 5 r");
  FEED (f, 0, { I, 5, "l" }, { I, 5, "k" });
  EXPECT (f, "-D NULL NULL 5 r", "+I 5 l 5 r", "+I 5 k 5 r");
  FEED (f, 0, { D, 5, "l" });
  EXPECT (f, "-D 5 l 5 r");
  FEED (f, 0, { D, 5, "k" });
  EXPECT (f, "-D 5 k 5 r", "+I NULL NULL 5 r");
  FEED (f, 1, { D, 5, "r" });
  EXPECT (f, "-D NULL NULL 5 r");
}

static void
test_full (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_PHYS_JOIN, PLAN_JOIN_FULL, FALSE, 0);
  FEED (f, 0, { I, 1, "a" });
  EXPECT (f, "+I 1 a NULL NULL");
  FEED (f, 1, { I, 2, "x" });
  EXPECT (f, "+I NULL NULL 2 x");
  FEED (f, 1, { I, 1, "y" });
  EXPECT (f, "-D 1 a NULL NULL", "+I 1 a 1 y");
  FEED (f, 0, { D, 1, "a" });
  EXPECT (f, "-D 1 a 1 y", "+I NULL NULL 1 y");
  /* duplicates: the NULL-filled row goes once per copy */
  FEED (f, 1, { I, 2, "x" });
  EXPECT (f, "+I NULL NULL 2 x");
  FEED (f, 0, { I, 2, "b" });
  EXPECT (f, "-D NULL NULL 2 x", "-D NULL NULL 2 x", "+I 2 b 2 x", "+I 2 b 2 x");
}

static void
test_residual (Fixture *f, gconstpointer data)
{
  /* LEFT JOIN ON l.id = r.id AND l.s < r.t */
  make_op (f, PLAN_PHYS_JOIN, PLAN_JOIN_LEFT, TRUE, 0);
  FEED (f, 0, { I, 1, "b" });
  EXPECT (f, "+I 1 b NULL NULL");
  FEED (f, 1, { I, 1, "a" }); /* "b" < "a" is false: no match */
  EXPECT_NONE (f);
  FEED (f, 1, { I, 1, "c" });
  EXPECT (f, "-D 1 b NULL NULL", "+I 1 b 1 c");
  FEED (f, 0, { I, 1, "0" }); /* "0" < "a" and "0" < "c" */
  g_assert_cmpuint (f->out->len, ==, f->next + 2);
  g_assert_cmpstr (f->out->pdata[f->next], !=, f->out->pdata[f->next + 1]);
  f->next += 2;
  FEED (f, 1, { D, 1, "c" }); /* "b" loses its only match; "0" keeps "a" */
  {
    gint at[3] = { -1, -1, -1 };
    const char *want[3] = { "-D 1 b 1 c", "+I 1 b NULL NULL", "-D 1 0 1 c" };

    g_assert_cmpuint (f->out->len, ==, f->next + 3);
    for (guint i = 0; i < 3; i++)
      for (guint k = 0; k < 3; k++)
        if (g_strcmp0 (f->out->pdata[f->next + i], want[k]) == 0)
          at[k] = (gint) i;
    g_assert_cmpint (at[0], >=, 0);
    g_assert_cmpint (at[2], >=, 0);
    g_assert_cmpint (at[1], >, at[0]); /* the NULL-filled row comes back after the -D */
  }
}

static void
test_batch_hash_join (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  RtEvent eoi = { RT_EVENT_END_OF_INPUT, 0, 0 };

  /* FULL join, build right: probe rows arriving first wait for the build side */
  make_op (f, PLAN_PHYS_HASH_JOIN, PLAN_JOIN_FULL, FALSE, 1);
  FEED (f, 0, { I, 1, "a" }, { I, 3, "c" });
  EXPECT_NONE (f);
  FEED (f, 1, { I, 1, "x" }, { I, 2, "y" }, { I, 1, "x" });
  EXPECT_NONE (f);
  g_assert_cmpint (f->op->klass->on_event (f->op, &eoi, 1, &error), ==, RT_OK);
  EXPECT (f, "+I 1 a 1 x", "+I 1 a 1 x", "+I 3 c NULL NULL");
  FEED (f, 0, { I, G_MININT, "n" });
  EXPECT (f, "+I NULL n NULL NULL");
  g_assert_cmpint (f->op->klass->finish (f->op, &error), ==, RT_OK);
  EXPECT (f, "+I NULL NULL 2 y");
}

static void
test_batch_left_build_left (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  /* LEFT join building the (preserved) left side: unmatched left rows come at the end,
   * also when the build side is the last input to end (finish without an event) */
  make_op (f, PLAN_PHYS_HASH_JOIN, PLAN_JOIN_LEFT, FALSE, 0);
  FEED (f, 1, { I, 2, "y" }, { I, 9, "z" });
  FEED (f, 0, { I, 1, "a" }, { I, 2, "b" }, { I, G_MININT, "n" });
  EXPECT_NONE (f);
  g_assert_cmpint (f->op->klass->finish (f->op, &error), ==, RT_OK);
  g_assert_no_error (error);
  g_assert_cmpuint (f->out->len, ==, 3);
  g_assert_cmpstr (f->out->pdata[0], ==, "+I 2 b 2 y");
  /* the two unmatched left rows, in table order */
  g_assert_true ((g_strcmp0 (f->out->pdata[1], "+I 1 a NULL NULL") == 0
                  && g_strcmp0 (f->out->pdata[2], "+I NULL n NULL NULL") == 0)
                 || (g_strcmp0 (f->out->pdata[2], "+I 1 a NULL NULL") == 0
                     && g_strcmp0 (f->out->pdata[1], "+I NULL n NULL NULL") == 0));
}

/* Feeds n rows (id, "v<n>") for ids[0..n) of kind, in batches of 16. */
static void
feed_many (Fixture *f, guint input, RtRowKind kind, guint from, guint to, guint mod)
{
  for (guint i = from; i < to; i += 16)
    {
      Row rows[16];
      char *text[16] = { NULL };
      guint n = MIN (16u, to - i);

      for (guint k = 0; k < n; k++)
        {
          text[k] = g_strdup_printf ("v%u", i + k);
          rows[k] = (Row) { kind, (gint) ((i + k) % mod), text[k] };
        }
      feed (f, input, rows, n);
      for (guint k = 0; k < n; k++)
        g_free (text[k]);
    }
}

/* Lines emitted since the last check that start with prefix; marks them all checked. */
static guint
count_since (Fixture *f, const char *prefix, gboolean consume)
{
  guint n = 0;

  for (guint i = f->next; i < f->out->len; i++)
    n += g_str_has_prefix (f->out->pdata[i], prefix);
  if (consume)
    f->next = f->out->len;
  return n;
}

static void
test_compaction (Fixture *f, gconstpointer data)
{
  /* LEFT join; 10000 left rows over keys 0..9, 9000 of them retracted again, so the left
   * table moves its live rows to fresh storage (removed rows outnumber live ones) while
   * the 100 live rows of key 3 each have one match, which they must keep */
  make_op (f, PLAN_PHYS_JOIN, PLAN_JOIN_LEFT, FALSE, 0);
  FEED (f, 1, { I, 3, "x" });
  feed_many (f, 0, I, 0, 10000, 10);
  g_assert_cmpuint (count_since (f, "+I 3 ", FALSE), ==, 1000);
  g_assert_cmpuint (count_since (f, "+I ", TRUE), ==, 10000);
  feed_many (f, 0, D, 0, 9000, 10);
  g_assert_cmpuint (count_since (f, "-D 3 ", FALSE), ==, 900);
  g_assert_cmpuint (f->out->len - f->next, ==, 9000);
  f->next = f->out->len;
  /* the right row goes: the 100 left rows of key 3 lose their only match */
  FEED (f, 1, { D, 3, "x" });
  g_assert_cmpuint (count_since (f, "-D 3 ", FALSE), ==, 100);
  g_assert_cmpuint (count_since (f, "+I 3 ", FALSE), ==, 100);
  g_assert_cmpuint (f->out->len - f->next, ==, 200);
  g_assert_true (g_str_has_suffix (f->out->pdata[f->out->len - 1], " NULL NULL"));
  f->next = f->out->len;
  /* key 5 still finds its 100 live rows, and only those */
  FEED (f, 1, { I, 5, "y" });
  g_assert_cmpuint (count_since (f, "-D 5 ", FALSE), ==, 100);
  g_assert_cmpuint (count_since (f, "+I 5 ", FALSE), ==, 100);
  g_assert_cmpuint (f->out->len - f->next, ==, 200);
  f->next = f->out->len;
  FEED (f, 0, { D, 5, "v9005" });
  EXPECT (f, "-D 5 v9005 5 y");
}

static void
test_mixed_batch (Fixture *f, gconstpointer data)
{
  /* one batch adds, retracts and adds the same row again, and retracts one never seen:
   * the result is that of the rows taken one at a time */
  make_op (f, PLAN_PHYS_JOIN, PLAN_JOIN_INNER, FALSE, 0);
  FEED (f, 1, { I, 1, "x" });
  FEED (f, 0, { I, 1, "a" }, { D, 1, "a" }, { I, 1, "a" }, { D, 1, "b" }, { I, 1, "c" });
  EXPECT (f, "+I 1 a 1 x", "-D 1 a 1 x", "+I 1 a 1 x", "+I 1 c 1 x");
  /* -U then +U of the right row: both left rows' results retracted, then added (the
   * order among the two left rows is not defined) */
  FEED (f, 1, { UB, 1, "x" }, { UA, 1, "z" });
  g_assert_cmpuint (f->out->len, ==, f->next + 4);
  for (guint i = 0; i < 4; i++)
    g_assert_true (g_str_has_prefix (f->out->pdata[f->next + i], i < 2 ? "-D 1 " : "+I 1 "));
  g_assert_cmpstr (f->out->pdata[f->next], !=, f->out->pdata[f->next + 1]);
  g_assert_cmpstr (f->out->pdata[f->next + 2], !=, f->out->pdata[f->next + 3]);
  g_assert_true (g_str_has_suffix (f->out->pdata[f->next + 1], " 1 x"));
  g_assert_true (g_str_has_suffix (f->out->pdata[f->next + 3], " 1 z"));
  f->next += 4;
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/runtime/join/inner", test_inner);
  ADD ("/runtime/join/left-retracts-null-row", test_left);
  ADD ("/runtime/join/right-retracts-null-row", test_right);
  ADD ("/runtime/join/full", test_full);
  ADD ("/runtime/join/residual", test_residual);
  ADD ("/runtime/join/batch-hash-full", test_batch_hash_join);
  ADD ("/runtime/join/batch-hash-left-build-left", test_batch_left_build_left);
  ADD ("/runtime/join/compaction-keeps-matches", test_compaction);
  ADD ("/runtime/join/mixed-kinds-in-one-batch", test_mixed_batch);
#undef ADD
  return g_test_run ();
}
