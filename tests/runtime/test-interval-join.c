/* test-interval-join.c: the interval join (runtime/engine/rt-op-interval-join.c) driven
 * directly, and the recognition of its time bounds (plans/plan-interval-join.c) through
 * the binder and the optimizer.
 *
 * Operator rows: left (id INT, lt TIMESTAMP), right (id INT, rt TIMESTAMP), joined on id
 * with lt BETWEEN rt - 5 ms AND rt + 2 ms, so a left row at lt matches right rows at
 * lt - 2 .. lt + 5, is kept until the watermark reaches lt + 5 and a right row until it
 * reaches rt + 2; the watermark is passed on 5 ms behind. Timestamps print as epoch ms.
 * Every expected row is worked out by hand from the rows and watermarks fed before it. */
#include "runtime/engine/rt-operator.h"
#include "rt-test-util.h"
#include "../plans/plan-test-util.h"
#include "optimizer/opt.h"

#include <string.h>

typedef struct {
  RtMemPool *pool;
  RtOpContext ctx;
  PlanSchema *side[2];
  PlanPhysNode *inputs[2]; /* VALUES nodes, only for their schemas */
  RtOperator *op;
  GPtrArray *out;          /* "+I 1 10 1 12" per emitted row */
  guint next;              /* first output row not yet checked */
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
  PlanType ts = plan_type_make (PLAN_TYPE_TIMESTAMP, TRUE);

  ts.scale = 3;
  f->pool = rt_mem_pool_new (8 * 1024 * 1024);
  f->ctx = (RtOpContext) { .pool = f->pool, .parallelism = 1, .batch_size = 4 };
  for (guint s = 0; s < 2; s++)
    {
      f->side[s] = plan_schema_new (2);
      plan_schema_set_field (f->side[s], 0, "id", plan_type_make (PLAN_TYPE_INT, TRUE));
      plan_schema_set_field (f->side[s], 1, s == 0 ? "lt" : "rt", ts);
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

/* column `col` (a TIMESTAMP of the output) plus ms */
static PlanExpr *
ts_plus (guint col, gint64 ms)
{
  PlanType ts = plan_type_make (PLAN_TYPE_TIMESTAMP, TRUE);
  PlanValue v = { .type = plan_type_make (PLAN_TYPE_INTERVAL, FALSE), .v.i = ABS (ms) };
  PlanExpr *args[2];

  ts.scale = 3;
  args[0] = plan_expr_column (col, ts, (PlanSpan) { 0 });
  args[1] = plan_expr_literal (&v, (PlanSpan) { 0 });
  return plan_expr_call (ms < 0 ? PLAN_FUNC_SUB : PLAN_FUNC_ADD, ts, 2, args, (PlanSpan) { 0 });
}

static PlanExpr *
compare (PlanFunc func, PlanExpr *a, PlanExpr *b)
{
  PlanExpr *args[2] = { a, b };

  return plan_expr_call (func, plan_type_make (PLAN_TYPE_BOOLEAN, TRUE), 2, args,
                         (PlanSpan) { 0 });
}

/* lt >= rt - 5 AND lt <= rt + 2 over the output (lt is column 1, rt column 3). */
static void
make_op (Fixture *f, PlanJoinType type)
{
  g_autoptr (PlanPhysNode) node = NULL;
  g_autoptr (GError) error = NULL;
  PlanType ts = plan_type_make (PLAN_TYPE_TIMESTAMP, TRUE);
  guint key = 0;
  PlanExpr *both[2];

  ts.scale = 3;
  node = plan_phys_node_new (PLAN_PHYS_INTERVAL_JOIN,
                             plan_join_schema (f->side[0], f->side[1], type), (PlanSpan) { 0 },
                             1);
  for (guint s = 0; s < 2; s++)
    plan_phys_node_add_input (node, plan_phys_node_ref (f->inputs[s]), PLAN_EXCHANGE_HASH, 1,
                              &key);
  node->u.join.type = type;
  node->u.join.n_keys = 1;
  node->u.join.left_keys = g_memdup2 (&key, sizeof key);
  node->u.join.right_keys = g_memdup2 (&key, sizeof key);
  both[0] = compare (PLAN_FUNC_GE, plan_expr_column (1, ts, (PlanSpan) { 0 }), ts_plus (3, -5));
  both[1] = compare (PLAN_FUNC_LE, plan_expr_column (1, ts, (PlanSpan) { 0 }), ts_plus (3, 2));
  node->u.join.residual = plan_expr_call (PLAN_FUNC_AND,
                                          plan_type_make (PLAN_TYPE_BOOLEAN, TRUE), 2, both,
                                          (PlanSpan) { 0 });
  f->op = rt_op_interval_join_new (node, &error);
  g_assert_no_error (error);
  f->op->ctx = &f->ctx;
  f->op->sink_fn = collect;
  f->op->sink_data = f;
}

/* One row: id (G_MININT: NULL) and time in ms. */
typedef struct {
  gint id;
  gint64 t;
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
        { .type = f->side[input]->fields[1].type, .v.i = rows[i].t },
      };

      g_assert_true (rt_batch_append_values (b, v, &error));
      b->kinds[i] = RT_ROW_INSERT;
    }
  g_assert_cmpint (f->op->klass->process (f->op, b, input, &error), ==, RT_OK);
  g_assert_no_error (error);
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
finish (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (f->op->klass->finish (f->op, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The rows emitted since the last check must be exactly want (NULL-terminated), in order
 * when ordered, else as a set (matches of one row come in hash order). */
static void
expect (Fixture *f, gboolean ordered, const char *const *want)
{
  g_autoptr (GPtrArray) got = g_ptr_array_new ();
  g_autoptr (GPtrArray) exp = g_ptr_array_new ();

  for (guint i = f->next; i < f->out->len; i++)
    g_ptr_array_add (got, f->out->pdata[i]);
  for (guint i = 0; want[i] != NULL; i++)
    g_ptr_array_add (exp, (gpointer) want[i]);
  if (!ordered)
    {
      g_ptr_array_sort (got, cmp_str);
      g_ptr_array_sort (exp, cmp_str);
    }
  g_assert_cmpuint (got->len, ==, exp->len);
  for (guint i = 0; i < got->len; i++)
    g_assert_cmpstr (got->pdata[i], ==, exp->pdata[i]);
  f->next = f->out->len;
}

#define FEED(f, input, ...) \
  do { \
    const Row rows_[] = { __VA_ARGS__ }; \
    feed (f, input, rows_, G_N_ELEMENTS (rows_)); \
  } while (0)
#define EXPECT(f, ...) \
  do { \
    const char *const want_[] = { __VA_ARGS__, NULL }; \
    expect (f, TRUE, want_); \
  } while (0)
#define EXPECT_SET(f, ...) \
  do { \
    const char *const want_[] = { __VA_ARGS__, NULL }; \
    expect (f, FALSE, want_); \
  } while (0)
#define EXPECT_NONE(f) expect (f, TRUE, (const char *const[]) { NULL })

static void
test_inner (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_JOIN_INNER);
  FEED (f, 0, { 1, 10 });
  EXPECT_NONE (f);
  FEED (f, 1, { 1, 12 }, { 1, 16 }, { 2, 10 });
  EXPECT (f, "+I 1 10 1 12"); /* 10 in [12 - 5, 12 + 2]; not in [11, 18]; key 2 none */
  FEED (f, 0, { 1, 14 });     /* right rows at 12 .. 19 */
  EXPECT_SET (f, "+I 1 14 1 12", "+I 1 14 1 16");
  FEED (f, 0, { 1, 9 });      /* 7 .. 14: only 12 */
  EXPECT (f, "+I 1 9 1 12");
  finish (f);
  EXPECT_NONE (f);            /* inner: nothing held back */
}

/* Rows leave the state when the watermark says nothing can match them any more; a late
 * row still joins with what is kept. */
static void
test_expiry (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_JOIN_INNER);
  FEED (f, 0, { 1, 10 });
  FEED (f, 1, { 1, 12 }, { 1, 16 });
  EXPECT (f, "+I 1 10 1 12");
  watermark (f, 14);        /* right 12 goes (12 + 2 <= 14); left 10 stays until 15 */
  FEED (f, 1, { 1, 13 });   /* late, but left 10 is in [8, 15]; kept until 15 */
  EXPECT (f, "+I 1 10 1 13");
  FEED (f, 0, { 1, 11 });   /* 9 .. 16: 13 and 16, not the expired 12 */
  EXPECT_SET (f, "+I 1 11 1 13", "+I 1 11 1 16");
  watermark (f, 18);        /* everything at or before 18 - 5 / 18 - 2 goes: 10, 11, 13, 16 */
  FEED (f, 1, { 1, 15 });   /* would match 10 and 11, both gone */
  EXPECT_NONE (f);
}

static void
test_left_outer (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_JOIN_LEFT);
  FEED (f, 0, { 1, 10 }, { 2, 20 }, { G_MININT, 3 });
  EXPECT (f, "+I NULL 3 NULL NULL"); /* a NULL key can never match: out at once */
  FEED (f, 1, { 2, 22 }, { 3, 22 });
  EXPECT (f, "+I 2 20 2 22");
  watermark (f, 14);
  EXPECT_NONE (f);
  watermark (f, 15);                 /* left 10 expires (10 + 5) without a match */
  EXPECT (f, "+I 1 10 NULL NULL");
  FEED (f, 0, { 4, 5 });             /* too late to be kept (5 + 5 <= 15), unmatched */
  EXPECT (f, "+I 4 5 NULL NULL");
  FEED (f, 0, { 2, 19 });            /* late-ish but kept until 24; matches 22 */
  EXPECT (f, "+I 2 19 2 22");
  watermark (f, 30);                 /* 19 and 20 matched: nothing */
  EXPECT_NONE (f);
  finish (f);
  EXPECT_NONE (f);
}

static void
test_full_outer (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_JOIN_FULL);
  FEED (f, 1, { 1, 10 });
  FEED (f, 0, { 2, 10 }, { 5, 40 }, { 5, 40 });
  watermark (f, 20);   /* left 10 (expires 15) and right 10 (12): left side first */
  EXPECT (f, "+I 2 10 NULL NULL", "+I NULL NULL 1 10");
  FEED (f, 1, { 6, 30 }, { 5, 38 });
  EXPECT (f, "+I 5 40 5 38", "+I 5 40 5 38"); /* both copies of (5, 40) */
  FEED (f, 0, { 7, 31 });
  finish (f);          /* left side first: 31 unmatched, the 40s matched; then right 30 */
  EXPECT (f, "+I 7 31 NULL NULL", "+I NULL NULL 6 30");
}

static void
test_right_outer_duplicates (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_JOIN_RIGHT);
  FEED (f, 1, { 3, 50 }, { 3, 50 });
  FEED (f, 0, { 3, 60 });    /* 60 not in [45, 52] */
  EXPECT_NONE (f);
  watermark (f, 52);         /* the two copies of right 50 expire unmatched */
  EXPECT (f, "+I NULL NULL 3 50", "+I NULL NULL 3 50");
  finish (f);
  EXPECT_NONE (f);           /* left rows are not preserved */
}

static void
test_watermark_hold (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_JOIN_INNER);
  g_assert_nonnull (f->op->klass->output_watermark);
  g_assert_cmpint (f->op->klass->output_watermark (f->op, 100), ==, 95);
  g_assert_cmpint (f->op->klass->output_watermark (f->op, G_MAXINT64), ==, G_MAXINT64);
  g_assert_cmpint (f->op->klass->output_watermark (f->op, G_MININT64), ==, G_MININT64);
}

/* ---- recognising the bounds ---------------------------------------------------------- */

static const char *const setup_sql =
  "CREATE TABLE a (k INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) "
  "WITH ('connector' = 'datagen');\n"
  "CREATE TABLE b (k INT, ts TIMESTAMP(3), u TIMESTAMP(3), WATERMARK FOR ts AS ts) "
  "WITH ('connector' = 'datagen');";

/* The physical join kind of `SELECT * FROM a JOIN b ON <on>` and, for an interval join,
 * its bounds. */
static PlanPhysKind
plan_kind (PlanCatalog *catalog, const char *on, PlanIntervalBounds *bounds)
{
  g_autofree char *sql = g_strdup_printf ("SELECT * FROM a JOIN b ON %s", on);
  g_autoptr (PlanStatement) stmt = plan_test_compile_ok (catalog, sql);
  g_autoptr (GError) error = NULL;
  g_autoptr (OptResult) opt = opt_optimize (stmt->plan, NULL, &error);
  const PlanPhysNode *n;

  g_assert_no_error (error);
  for (n = opt_result_get_physical (opt)->root; n->n_inputs == 1; n = n->inputs[0].node)
    ;
  g_assert_cmpuint (n->n_inputs, ==, 2);
  memset (bounds, 0, sizeof *bounds);
  if (n->kind == PLAN_PHYS_INTERVAL_JOIN)
    {
      g_assert_false (n->updating);
      g_assert_true (plan_join_interval_bounds (&n->u.join, 2, bounds));
    }
  return n->kind;
}

static void
test_bounds (void)
{
  g_autoptr (PlanCatalog) catalog = plan_test_catalog_new (setup_sql);
  PlanIntervalBounds b;

  g_assert_cmpint (plan_kind (catalog, "a.k = b.k AND a.ts BETWEEN b.ts - INTERVAL '1' HOUR "
                              "AND b.ts", &b), ==, PLAN_PHYS_INTERVAL_JOIN);
  g_assert_cmpuint (b.left_time, ==, 1);
  g_assert_cmpuint (b.right_time, ==, 1);
  g_assert_cmpint (b.lower_ms, ==, -3600000);
  g_assert_cmpint (b.upper_ms, ==, 0);
  /* right column first, strict bounds move by 1 ms: b.ts > a.ts - 10 s means
   * a.ts < b.ts + 10 s, so upper 9999; b.ts <= a.ts + 2 s means a.ts >= b.ts - 2 s */
  g_assert_cmpint (plan_kind (catalog, "a.k = b.k AND b.ts > a.ts - INTERVAL '10' SECOND "
                              "AND b.ts <= a.ts + INTERVAL '2' SECOND", &b), ==,
                   PLAN_PHYS_INTERVAL_JOIN);
  g_assert_cmpint (b.lower_ms, ==, -2000);
  g_assert_cmpint (b.upper_ms, ==, 9999);
  g_assert_cmpint (plan_kind (catalog, "a.k = b.k AND a.ts >= b.ts AND a.ts < b.ts + "
                              "INTERVAL '1' MINUTE", &b), ==, PLAN_PHYS_INTERVAL_JOIN);
  g_assert_cmpint (b.lower_ms, ==, 0);
  g_assert_cmpint (b.upper_ms, ==, 59999);
  /* b.u is a TIMESTAMP but no time attribute: the watermark says nothing about it */
  g_assert_cmpint (plan_kind (catalog, "a.k = b.k AND a.ts >= b.u AND a.ts < b.u + "
                              "INTERVAL '1' MINUTE", &b), ==, PLAN_PHYS_JOIN);
  /* one bound only, or an empty range: a regular join */
  g_assert_cmpint (plan_kind (catalog, "a.k = b.k AND a.ts >= b.ts", &b), ==, PLAN_PHYS_JOIN);
  g_assert_cmpint (plan_kind (catalog, "a.k = b.k AND a.ts >= b.ts + INTERVAL '2' SECOND "
                              "AND a.ts <= b.ts", &b), ==, PLAN_PHYS_JOIN);
  /* bounds against the same side do not count */
  g_assert_cmpint (plan_kind (catalog, "a.k = b.k AND b.u BETWEEN b.ts AND b.ts + "
                              "INTERVAL '1' SECOND", &b), ==, PLAN_PHYS_JOIN);
}

#define ADD(path, fn) \
  g_test_add ("/runtime/interval-join/" path, Fixture, NULL, fixture_setup, fn, \
              fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("inner", test_inner);
  ADD ("expiry", test_expiry);
  ADD ("left-outer", test_left_outer);
  ADD ("full-outer", test_full_outer);
  ADD ("right-outer-duplicates", test_right_outer_duplicates);
  ADD ("watermark-hold", test_watermark_hold);
  g_test_add_func ("/runtime/interval-join/bounds", test_bounds);
  return g_test_run ();
}
