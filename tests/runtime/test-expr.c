/* test-expr.c: the expression compiler and interpreter (runtime/engine/rt-expr.c) and the
 * calc operator (rt-op-calc.c). Expressions are built with the plan_expr_* constructors
 * (no SQL parser); every expected value below was worked out by hand. */
#include "runtime/engine/rt-operator.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

static RtMemPool *pool;

/* ---- building expressions ---------------------------------------------------------- */

static PlanSpan
at (guint line, guint col)
{
  PlanSpan s = { 0, 0, line, col };
  return s;
}

static PlanType
T (PlanTypeKind kind)
{
  return plan_type_make (kind, TRUE);
}

static PlanType
DEC (guint p, guint s)
{
  return plan_type_decimal (p, s, TRUE);
}

static PlanExpr *
col (guint i, PlanType t)
{
  return plan_expr_column (i, t, at (1, 1));
}

static PlanExpr *
lit_i (PlanTypeKind kind, gint64 v)
{
  PlanValue pv = { 0 };
  pv.type = T (kind);
  pv.v.i = v;
  return plan_expr_literal (&pv, at (1, 1));
}

static PlanExpr *
lit_dec (guint p, guint s, gint64 scaled)
{
  PlanValue pv = { 0 };
  pv.type = DEC (p, s);
  pv.v.i = scaled;
  return plan_expr_literal (&pv, at (1, 1));
}

static PlanExpr *
lit_d (double d)
{
  PlanValue pv = { 0 };
  pv.type = T (PLAN_TYPE_DOUBLE);
  pv.v.d = d;
  return plan_expr_literal (&pv, at (1, 1));
}

static PlanExpr *
lit_s (const char *s)
{
  PlanValue pv = { 0 };
  pv.type = T (PLAN_TYPE_VARCHAR);
  pv.v.s = g_strdup (s);
  return plan_expr_literal (&pv, at (1, 1));
}

static PlanExpr *
lit_null (PlanType t)
{
  PlanValue pv = { 0 };
  pv.type = t;
  pv.is_null = TRUE;
  return plan_expr_literal (&pv, at (1, 1));
}

/* A call taking ownership of its n argument expressions. */
static PlanExpr *
call_at (PlanSpan span, PlanFunc f, PlanType t, guint n, ...)
{
  PlanExpr *args[8];
  va_list ap;

  g_assert_cmpuint (n, <=, G_N_ELEMENTS (args));
  va_start (ap, n);
  for (guint i = 0; i < n; i++)
    args[i] = va_arg (ap, PlanExpr *);
  va_end (ap);
  return plan_expr_call (f, t, n, args, span);
}

#define call(f, t, n, ...) call_at (at (1, 1), (f), (t), (n), __VA_ARGS__)
#define call0(f, t) call_at (at (1, 1), (f), (t), 0, NULL)

/* ---- building batches -------------------------------------------------------------- */

/* A schema of n columns named c0, c1, ... of the given types. */
static PlanSchema *
schema_of (guint n, ...)
{
  PlanSchema *s = plan_schema_new (n);
  va_list ap;

  va_start (ap, n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("c%u", i);
      plan_schema_set_field (s, i, name, va_arg (ap, PlanType));
    }
  va_end (ap);
  return s;
}

static RtBatch *
batch_new (PlanSchema *s, guint cap, guint n_rows)
{
  GError *error = NULL;
  RtBatch *b = rt_batch_new (pool, s, cap, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (n_rows, <=, cap);
  b->n_rows = n_rows;
  return b;
}

static void
put_i (RtBatch *b, guint c, guint row, gint64 v)
{
  rt_vec_set_valid (&b->cols[c], row);
  if (plan_type_storage_size (b->cols[c].kind) == 4)
    RT_VEC (b, c, gint32)[row] = (gint32) v;
  else
    RT_VEC (b, c, gint64)[row] = v;
}

static void
put_d (RtBatch *b, guint c, guint row, double v)
{
  rt_vec_set_valid (&b->cols[c], row);
  RT_VEC (b, c, double)[row] = v;
}

static void
put_b (RtBatch *b, guint c, guint row, gboolean v)
{
  rt_vec_set_valid (&b->cols[c], row);
  RT_VEC (b, c, guint8)[row] = v ? 1 : 0;
}

static void
put_s (RtBatch *b, guint c, guint row, const char *s)
{
  GError *error = NULL;

  rt_vec_set_valid (&b->cols[c], row);
  RT_VEC (b, c, RtStr)[row] = rt_batch_intern (b, s, strlen (s), &error);
  g_assert_no_error (error);
}

/* Marks a cell NULL and fills its value with garbage, as a recycled block may hold. */
static void
put_null (RtBatch *b, guint c, guint row)
{
  gsize w = plan_type_storage_size (b->cols[c].kind);

  rt_vec_set_null (&b->cols[c], row);
  memset ((char *) b->cols[c].data + w * row, 0x5a, w);
}

/* ---- running ----------------------------------------------------------------------- */

/* Runs `filter` and one projection over `in`; the output's column 0 is named r. */
static RtBatch *
run1 (PlanSchema *in_schema, RtBatch *in, PlanExpr *filter, PlanExpr *expr, GError **error)
{
  g_autoptr (PlanSchema) out = plan_schema_new (1);
  g_autoptr (RtProgram) p = rt_program_new (in_schema, filter, 1, &expr, error);

  if (p == NULL)
    return NULL;
  plan_schema_set_field (out, 0, "r", expr->type);
  return rt_program_run (p, in, out, error);
}

/* Like run1 without a filter; the expression is consumed; asserts success. */
static RtBatch *
eval (PlanSchema *in_schema, RtBatch *in, PlanExpr *expr)
{
  g_autoptr (PlanExpr) e = expr;
  GError *error = NULL;
  RtBatch *out = run1 (in_schema, in, NULL, e, &error);

  g_assert_no_error (error);
  g_assert_nonnull (out);
  g_assert_cmpuint (out->n_rows, ==, in->n_rows);
  return out;
}

/* Evaluation that must fail with RT_ERROR_EVAL; returns the message. */
static char *
eval_fail (PlanSchema *in_schema, RtBatch *in, PlanExpr *expr)
{
  g_autoptr (PlanExpr) e = expr;
  g_autoptr (GError) error = NULL;
  g_autoptr (RtBatch) out = run1 (in_schema, in, NULL, e, &error);

  g_assert_null (out);
  g_assert_error (error, RT_ERROR, RT_ERROR_EVAL);
  return g_strdup (error->message);
}

static void
check_null (RtBatch *b, guint c, guint row)
{
  g_assert_false (rt_vec_is_valid (&b->cols[c], row));
}

static void
check_i (RtBatch *b, guint c, guint row, gint64 want)
{
  PlanValue v;

  rt_batch_get_value (b, c, row, &v);
  g_assert_false (v.is_null);
  g_assert_cmpint (v.v.i, ==, want);
  plan_value_clear (&v);
}

static void
check_d (RtBatch *b, guint c, guint row, double want)
{
  PlanValue v;

  rt_batch_get_value (b, c, row, &v);
  g_assert_false (v.is_null);
  g_assert_cmpfloat (v.v.d, ==, want);
  plan_value_clear (&v);
}

static void
check_b (RtBatch *b, guint c, guint row, gboolean want)
{
  PlanValue v;

  rt_batch_get_value (b, c, row, &v);
  g_assert_false (v.is_null);
  g_assert_cmpint (!!v.v.b, ==, !!want);
  plan_value_clear (&v);
}

static void
check_s (RtBatch *b, guint c, guint row, const char *want)
{
  PlanValue v;

  rt_batch_get_value (b, c, row, &v);
  g_assert_false (v.is_null);
  g_assert_cmpstr (v.v.s, ==, want);
  plan_value_clear (&v);
}

/* Three-valued results as characters: T, F or N (NULL). */
static void
check_tvl (RtBatch *b, const char *want)
{
  for (guint i = 0; want[i]; i++)
    {
      if (want[i] == 'N')
        check_null (b, 0, i);
      else
        check_b (b, 0, i, want[i] == 'T');
    }
}

/* ---- arithmetic -------------------------------------------------------------------- */

static void
test_arith_bigint (void)
{
  PlanType bt = T (PLAN_TYPE_BIGINT);
  g_autoptr (PlanSchema) s = schema_of (2, bt, bt);
  g_autoptr (RtBatch) in = batch_new (s, 8, 5);
  static const gint64 a[] = { 7, -7, 7, -7 }, b[] = { 2, 2, -2, -2 };

  for (guint i = 0; i < 4; i++)
    {
      put_i (in, 0, i, a[i]);
      put_i (in, 1, i, b[i]);
    }
  put_i (in, 0, 4, 1);
  put_null (in, 1, 4);
  {
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_ADD, bt, 2, col (0, bt), col (1, bt)));
    static const gint64 want[] = { 9, -5, 5, -9 };
    for (guint i = 0; i < 4; i++)
      check_i (r, 0, i, want[i]);
    check_null (r, 0, 4);
  }
  {
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_SUB, bt, 2, col (0, bt), col (1, bt)));
    static const gint64 want[] = { 5, -9, 9, -5 };
    for (guint i = 0; i < 4; i++)
      check_i (r, 0, i, want[i]);
    check_null (r, 0, 4);
  }
  {
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_MUL, bt, 2, col (0, bt), col (1, bt)));
    static const gint64 want[] = { 14, -14, -14, 14 };
    for (guint i = 0; i < 4; i++)
      check_i (r, 0, i, want[i]);
  }
  {
    /* integer division truncates toward zero; MOD takes the dividend's sign (as Java) */
    g_autoptr (RtBatch) q = eval (s, in, call (PLAN_FUNC_DIV, bt, 2, col (0, bt), col (1, bt)));
    g_autoptr (RtBatch) m = eval (s, in, call (PLAN_FUNC_MOD, bt, 2, col (0, bt), col (1, bt)));
    static const gint64 wq[] = { 3, -3, -3, 3 }, wm[] = { 1, -1, 1, -1 };
    for (guint i = 0; i < 4; i++)
      {
        check_i (q, 0, i, wq[i]);
        check_i (m, 0, i, wm[i]);
      }
    check_null (q, 0, 4);
  }
  {
    /* constants on either side, NEG */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_SUB, bt, 2, lit_i (PLAN_TYPE_BIGINT, 100),
                                               col (0, bt)));
    g_autoptr (RtBatch) n = eval (s, in, call (PLAN_FUNC_NEG, bt, 1, col (0, bt)));
    check_i (r, 0, 0, 93);
    check_i (r, 0, 1, 107);
    check_i (n, 0, 1, 7);
    check_i (n, 0, 4, -1);
  }
}

static void
test_arith_overflow (void)
{
  PlanType bt = T (PLAN_TYPE_BIGINT), it = T (PLAN_TYPE_INT);
  g_autoptr (PlanSchema) s = schema_of (2, bt, it);
  g_autoptr (RtBatch) in = batch_new (s, 4, 2);
  g_autofree char *m1 = NULL, *m2 = NULL, *m3 = NULL;

  put_i (in, 0, 0, 5);
  put_i (in, 0, 1, G_MAXINT64);
  put_i (in, 1, 0, 1);
  put_i (in, 1, 1, G_MAXINT32);
  m1 = eval_fail (s, in, call (PLAN_FUNC_ADD, bt, 2, col (0, bt), lit_i (PLAN_TYPE_BIGINT, 1)));
  g_assert_nonnull (strstr (m1, "BIGINT overflow"));
  g_assert_nonnull (strstr (m1, "9223372036854775807 + 1"));
  m2 = eval_fail (s, in, call (PLAN_FUNC_MUL, it, 2, col (1, it), lit_i (PLAN_TYPE_INT, 2)));
  g_assert_nonnull (strstr (m2, "INT overflow"));
  m3 = eval_fail (s, in, call (PLAN_FUNC_NEG, bt, 1,
                               call (PLAN_FUNC_SUB, bt, 2, lit_i (PLAN_TYPE_BIGINT, -1),
                                     col (0, bt))));
  g_assert_nonnull (strstr (m3, "overflow"));

  /* the overflowing row is NULL in the other operand: no error, NULL */
  put_null (in, 1, 1);
  g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_ADD, bt, 2, col (0, bt),
                                             call (PLAN_FUNC_CAST, bt, 1, col (1, it))));
  check_i (r, 0, 0, 6);
  check_null (r, 0, 1);
}

static void
test_arith_double (void)
{
  PlanType dt = T (PLAN_TYPE_DOUBLE), it = T (PLAN_TYPE_INT);
  g_autoptr (PlanSchema) s = schema_of (2, dt, it);
  g_autoptr (RtBatch) in = batch_new (s, 4, 3);
  g_autofree char *msg = NULL;

  put_d (in, 0, 0, 1.5);
  put_d (in, 0, 1, -0.25);
  put_null (in, 0, 2);
  put_i (in, 1, 0, 2);
  put_i (in, 1, 1, 4);
  put_i (in, 1, 2, 1);
  {
    /* DOUBLE * INT: the INT side is converted */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_MUL, dt, 2, col (0, dt), col (1, it)));
    check_d (r, 0, 0, 3.0);
    check_d (r, 0, 1, -1.0);
    check_null (r, 0, 2);
  }
  {
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_DIV, dt, 2, col (0, dt), lit_d (0.5)));
    check_d (r, 0, 0, 3.0);
    check_d (r, 0, 1, -0.5);
  }
  {
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_MOD, dt, 2, col (0, dt), lit_d (1.0)));
    check_d (r, 0, 0, 0.5);
    check_d (r, 0, 1, -0.25);
  }
  msg = eval_fail (s, in, call (PLAN_FUNC_DIV, dt, 2, col (0, dt), lit_d (0.0)));
  g_assert_nonnull (strstr (msg, "division by zero"));
}

static void
test_arith_decimal (void)
{
  PlanType d102 = DEC (10, 2), d101 = DEC (10, 1), it = T (PLAN_TYPE_INT);
  g_autoptr (PlanSchema) s = schema_of (3, d102, d101, it);
  g_autoptr (RtBatch) in = batch_new (s, 4, 3);

  /* rows: (1.25, 0.5, 3), (-2.00, 1.5, -2), (0.01, NULL, 7) */
  put_i (in, 0, 0, 125);
  put_i (in, 0, 1, -200);
  put_i (in, 0, 2, 1);
  put_i (in, 1, 0, 5);
  put_i (in, 1, 1, 15);
  put_null (in, 1, 2);
  put_i (in, 2, 0, 3);
  put_i (in, 2, 1, -2);
  put_i (in, 2, 2, 7);
  {
    /* different scales: 1.25 + 0.5 = 1.75, -2.00 + 1.5 = -0.50 */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_ADD, DEC (12, 2), 2, col (0, d102),
                                               col (1, d101)));
    check_i (r, 0, 0, 175);
    check_i (r, 0, 1, -50);
    check_null (r, 0, 2);
  }
  {
    /* 1.25 * 0.5 = 0.625 at scale 3; -2.00 * 1.5 = -3.000 */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_MUL, DEC (18, 3), 2, col (0, d102),
                                               col (1, d101)));
    check_i (r, 0, 0, 625);
    check_i (r, 0, 1, -3000);
  }
  {
    /* product rescaled down with half-up: 1.25 * 0.5 = 0.625 -> 0.63; -3.00 exact */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_MUL, DEC (18, 2), 2, col (0, d102),
                                               col (1, d101)));
    check_i (r, 0, 0, 63);
    check_i (r, 0, 1, -300);
  }
  {
    /* DECIMAL * INT: 1.25 * 3 = 3.75, -2.00 * -2 = 4.00, 0.01 * 7 = 0.07 */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_MUL, DEC (18, 2), 2, col (0, d102),
                                               col (2, it)));
    check_i (r, 0, 0, 375);
    check_i (r, 0, 1, 400);
    check_i (r, 0, 2, 7);
  }
  {
    /* 1.25 / 3 = 0.416666.. -> 0.416667; -2.00 / -2 = 1.000000; 0.01 / 7 = 0.001428.. */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_DIV, DEC (18, 6), 2, col (0, d102),
                                               col (2, it)));
    check_i (r, 0, 0, 416667);
    check_i (r, 0, 1, 1000000);
    check_i (r, 0, 2, 1429);
  }
  {
    /* -2.00 / 3 = -0.6666.. -> -0.67 (half away from zero) */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_DIV, DEC (18, 2), 2,
                                               lit_dec (10, 2, -200), lit_i (PLAN_TYPE_INT, 3)));
    check_i (r, 0, 0, -67);
  }
  {
    /* 1.25 % 0.5 = 0.25; -2.00 % 1.5 = -0.50 */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_MOD, DEC (10, 2), 2, col (0, d102),
                                               col (1, d101)));
    check_i (r, 0, 0, 25);
    check_i (r, 0, 1, -50);
  }
  {
    /* 99.99 + 0.01 = 100.00 does not fit DECIMAL(4, 2) */
    g_autofree char *m = eval_fail (s, in, call (PLAN_FUNC_ADD, DEC (4, 2), 2,
                                                 lit_dec (4, 2, 9999), lit_dec (4, 2, 1)));
    g_assert_nonnull (strstr (m, "DECIMAL(4, 2) overflow"));
  }
}

/* ---- comparison and logic ---------------------------------------------------------- */

static void
test_compare (void)
{
  PlanType it = T (PLAN_TYPE_INT), bt = T (PLAN_TYPE_BIGINT), vt = T (PLAN_TYPE_VARCHAR);
  PlanType bo = T (PLAN_TYPE_BOOLEAN), dt = T (PLAN_TYPE_DOUBLE);
  g_autoptr (PlanSchema) s = schema_of (4, it, bt, vt, dt);
  g_autoptr (RtBatch) in = batch_new (s, 8, 4);
  static const char *strs[] = { "abc", "ab", "", "b" };
  static const gint64 iv[] = { 1, 5, -3, 7 }, bv[] = { 1, 4, -2, 0 };

  for (guint i = 0; i < 4; i++)
    {
      put_i (in, 0, i, iv[i]);
      put_i (in, 1, i, bv[i]);
      put_s (in, 2, i, strs[i]);
      put_d (in, 3, i, iv[i] * 0.5);
    }
  put_null (in, 1, 3);
  {
    /* INT vs BIGINT: 1 = 1, 5 > 4, -3 < -2, NULL */
    g_autoptr (RtBatch) eq = eval (s, in, call (PLAN_FUNC_EQ, bo, 2, col (0, it), col (1, bt)));
    g_autoptr (RtBatch) lt = eval (s, in, call (PLAN_FUNC_LT, bo, 2, col (0, it), col (1, bt)));
    g_autoptr (RtBatch) ge = eval (s, in, call (PLAN_FUNC_GE, bo, 2, col (0, it), col (1, bt)));
    check_tvl (eq, "TFFN");
    check_tvl (lt, "FFTN");
    check_tvl (ge, "TTFN");
  }
  {
    /* constant on the left: 5 > c0 */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_GT, bo, 2, lit_i (PLAN_TYPE_INT, 5),
                                               col (0, it)));
    check_tvl (r, "TFTF");
  }
  {
    /* strings by bytes: "abc" < "b", "ab" < "b", "" < "b", "b" = "b" */
    g_autoptr (RtBatch) lt = eval (s, in, call (PLAN_FUNC_LT, bo, 2, col (2, vt), lit_s ("b")));
    g_autoptr (RtBatch) ne = eval (s, in, call (PLAN_FUNC_NE, bo, 2, col (2, vt), lit_s ("ab")));
    g_autoptr (RtBatch) le = eval (s, in, call (PLAN_FUNC_LE, bo, 2, col (2, vt), lit_s ("abc")));
    check_tvl (lt, "TTTF");
    check_tvl (ne, "TFTT");
    check_tvl (le, "TTTF");
  }
  {
    /* DOUBLE 0.5, 2.5, -1.5, 3.5 BETWEEN 0 AND 3; IN (2.5, 3.5) */
    g_autoptr (RtBatch) bw = eval (s, in, call (PLAN_FUNC_BETWEEN, bo, 3, col (3, dt),
                                                lit_d (0), lit_d (3)));
    g_autoptr (RtBatch) inl = eval (s, in, call (PLAN_FUNC_IN, bo, 3, col (3, dt), lit_d (2.5),
                                                 lit_d (3.5)));
    check_tvl (bw, "TTFF");
    check_tvl (inl, "FTFT");
  }
  {
    /* c1 IN (4, NULL): 1 -> NULL, 4 -> TRUE, -2 -> NULL, NULL -> NULL */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_IN, bo, 3, col (1, bt),
                                               lit_i (PLAN_TYPE_BIGINT, 4), lit_null (bt)));
    check_tvl (r, "NTNN");
  }
}

static void
test_three_valued (void)
{
  PlanType bo = T (PLAN_TYPE_BOOLEAN);
  g_autoptr (PlanSchema) s = schema_of (2, bo, bo);
  g_autoptr (RtBatch) in = batch_new (s, 16, 9);
  static const char a[] = "TTTFFFNNN", b[] = "TFNTFNTFN";

  for (guint i = 0; i < 9; i++)
    {
      if (a[i] == 'N')
        put_null (in, 0, i);
      else
        put_b (in, 0, i, a[i] == 'T');
      if (b[i] == 'N')
        put_null (in, 1, i);
      else
        put_b (in, 1, i, b[i] == 'T');
    }
  {
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_AND, bo, 2, col (0, bo), col (1, bo)));
    check_tvl (r, "TFNFFFNFN");
  }
  {
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_OR, bo, 2, col (0, bo), col (1, bo)));
    check_tvl (r, "TTTTFNTNN");
  }
  {
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_NOT, bo, 1, col (0, bo)));
    check_tvl (r, "FFFTTTNNN");
  }
  {
    g_autoptr (RtBatch) n = eval (s, in, call (PLAN_FUNC_IS_NULL, bo, 1, col (1, bo)));
    g_autoptr (RtBatch) nn = eval (s, in, call (PLAN_FUNC_IS_NOT_NULL, bo, 1, col (1, bo)));
    g_autoptr (RtBatch) t = eval (s, in, call (PLAN_FUNC_IS_TRUE, bo, 1, col (1, bo)));
    g_autoptr (RtBatch) f = eval (s, in, call (PLAN_FUNC_IS_FALSE, bo, 1, col (1, bo)));
    check_tvl (n, "FFTFFTFFT");
    check_tvl (nn, "TTFTTFTTF");
    check_tvl (t, "TFFTFFTFF");
    check_tvl (f, "FTFFTFFTF");
  }
  {
    g_autoptr (RtBatch) d = eval (s, in, call (PLAN_FUNC_IS_DISTINCT_FROM, bo, 2, col (0, bo),
                                               col (1, bo)));
    g_autoptr (RtBatch) nd = eval (s, in, call (PLAN_FUNC_IS_NOT_DISTINCT_FROM, bo, 2,
                                                col (0, bo), col (1, bo)));
    check_tvl (d, "FTTTFTTTF");
    check_tvl (nd, "TFFFTFFFT");
  }
  {
    /* three operands: a AND b AND TRUE equals a AND b; a OR b OR NULL */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_AND, bo, 3, col (0, bo), col (1, bo),
                                               lit_null (bo)));
    check_tvl (r, "NFNFFFNFN");
  }
}

static void
test_short_circuit (void)
{
  PlanType bt = T (PLAN_TYPE_BIGINT), bo = T (PLAN_TYPE_BOOLEAN);
  g_autoptr (PlanSchema) s = schema_of (2, bt, bt);
  g_autoptr (RtBatch) in = batch_new (s, 4, 3);

  /* (a, b) = (10, 2), (5, 0), (NULL, 0) */
  put_i (in, 0, 0, 10);
  put_i (in, 1, 0, 2);
  put_i (in, 0, 1, 5);
  put_i (in, 1, 1, 0);
  put_null (in, 0, 2);
  put_i (in, 1, 2, 0);
  {
    /* b <> 0 AND a / b > 1: the division does not run where b <> 0 is FALSE */
    g_autoptr (RtBatch) r = eval (
      s, in, call (PLAN_FUNC_AND, bo, 2,
                   call (PLAN_FUNC_NE, bo, 2, col (1, bt), lit_i (PLAN_TYPE_BIGINT, 0)),
                   call (PLAN_FUNC_GT, bo, 2,
                         call (PLAN_FUNC_DIV, bt, 2, col (0, bt), col (1, bt)),
                         lit_i (PLAN_TYPE_BIGINT, 1))));
    check_tvl (r, "TFF");
  }
  {
    /* b = 0 OR a / b > 1 */
    g_autoptr (RtBatch) r = eval (
      s, in, call (PLAN_FUNC_OR, bo, 2,
                   call (PLAN_FUNC_EQ, bo, 2, col (1, bt), lit_i (PLAN_TYPE_BIGINT, 0)),
                   call (PLAN_FUNC_GT, bo, 2,
                         call (PLAN_FUNC_DIV, bt, 2, col (0, bt), col (1, bt)),
                         lit_i (PLAN_TYPE_BIGINT, 1))));
    check_tvl (r, "TTT");
  }
}

/* ---- CASE, COALESCE, NULLIF -------------------------------------------------------- */

static void
test_case (void)
{
  PlanType bt = T (PLAN_TYPE_BIGINT), bo = T (PLAN_TYPE_BOOLEAN), vt = T (PLAN_TYPE_VARCHAR);
  g_autoptr (PlanSchema) s = schema_of (2, bt, bt);
  g_autoptr (RtBatch) in = batch_new (s, 8, 5);
  static const gint64 x[] = { 20, 7, 1, 0, 3 }, y[] = { 4, 0, 0, 2, 9 };

  for (guint i = 0; i < 5; i++)
    {
      put_i (in, 0, i, x[i]);
      put_i (in, 1, i, y[i]);
    }
  put_null (in, 0, 3);
  put_null (in, 1, 4);
  {
    /* CASE WHEN x > 10 THEN 'big' WHEN x > 5 THEN 'mid' ELSE 'small' END;
     * the NULL x of row 3 makes both conditions NULL: not taken, ELSE */
    g_autoptr (RtBatch) r = eval (
      s, in, call (PLAN_FUNC_CASE, vt, 5,
                   call (PLAN_FUNC_GT, bo, 2, col (0, bt), lit_i (PLAN_TYPE_BIGINT, 10)),
                   lit_s ("big"),
                   call (PLAN_FUNC_GT, bo, 2, col (0, bt), lit_i (PLAN_TYPE_BIGINT, 5)),
                   lit_s ("mid"), lit_s ("small")));
    check_s (r, 0, 0, "big");
    check_s (r, 0, 1, "mid");
    check_s (r, 0, 2, "small");
    check_s (r, 0, 3, "small");
    check_s (r, 0, 4, "small");
  }
  {
    /* no ELSE: NULL where nothing matches; a THEN may itself be NULL (row 4) */
    g_autoptr (RtBatch) r = eval (
      s, in, call (PLAN_FUNC_CASE, bt, 2,
                   call (PLAN_FUNC_LT, bo, 2, col (0, bt), lit_i (PLAN_TYPE_BIGINT, 5)),
                   col (1, bt)));
    check_null (r, 0, 0);
    check_null (r, 0, 1);
    check_i (r, 0, 2, 0);
    check_null (r, 0, 3);
    check_null (r, 0, 4);
  }
  {
    /* CASE WHEN y = 0 THEN -1 ELSE x / y END: no division by zero */
    g_autoptr (RtBatch) r = eval (
      s, in, call (PLAN_FUNC_CASE, bt, 3,
                   call (PLAN_FUNC_EQ, bo, 2, col (1, bt), lit_i (PLAN_TYPE_BIGINT, 0)),
                   lit_i (PLAN_TYPE_BIGINT, -1),
                   call (PLAN_FUNC_DIV, bt, 2, col (0, bt), col (1, bt))));
    check_i (r, 0, 0, 5);
    check_i (r, 0, 1, -1);
    check_i (r, 0, 2, -1);
    check_null (r, 0, 3);
    check_null (r, 0, 4);
  }
  {
    /* COALESCE(x, y, 99): 20, 7, 1, 2 (x NULL), 3 */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_COALESCE, bt, 3, col (0, bt),
                                               col (1, bt), lit_i (PLAN_TYPE_BIGINT, 99)));
    static const gint64 want[] = { 20, 7, 1, 2, 3 };
    for (guint i = 0; i < 5; i++)
      check_i (r, 0, i, want[i]);
  }
  {
    /* COALESCE(y, x / y): the division runs only where y is NULL (row 4: 3 / NULL) */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_COALESCE, bt, 2, col (1, bt),
                                               call (PLAN_FUNC_DIV, bt, 2, col (0, bt),
                                                     col (1, bt))));
    check_i (r, 0, 1, 0);
    check_null (r, 0, 4);
  }
  {
    /* NULLIF(y, 0): 4, NULL, NULL, 2, NULL */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_NULLIF, bt, 2, col (1, bt),
                                               lit_i (PLAN_TYPE_BIGINT, 0)));
    check_i (r, 0, 0, 4);
    check_null (r, 0, 1);
    check_null (r, 0, 2);
    check_i (r, 0, 3, 2);
    check_null (r, 0, 4);
  }
}

/* ---- casts ------------------------------------------------------------------------- */

/* Columns DOUBLE, DECIMAL(10,3), BIGINT; five rows. */
static RtBatch *
cast_batch (PlanSchema *s)
{
  RtBatch *in = batch_new (s, 8, 5);
  static const double dv[] = { 2.9, -2.9, 1e20, NAN, 1.005 };
  static const gint64 decv[] = { 1235, -1235, 1234, 0, 5 };
  static const gint64 bv[] = { 1, -1, 0, G_MAXINT32 + 1LL, 42 };

  for (guint i = 0; i < 5; i++)
    {
      put_d (in, 0, i, dv[i]);
      put_i (in, 1, i, decv[i]);
      put_i (in, 2, i, bv[i]);
    }
  return in;
}

static void
test_cast_numbers (void)
{
  PlanType it = T (PLAN_TYPE_INT), bt = T (PLAN_TYPE_BIGINT), dt = T (PLAN_TYPE_DOUBLE);
  PlanType d103 = DEC (10, 3);
  g_autoptr (PlanSchema) s = schema_of (3, dt, d103, bt);
  g_autoptr (RtBatch) in = cast_batch (s);
  {
    /* DOUBLE -> BIGINT truncates and saturates like Java; NaN gives 0 */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_CAST, bt, 1, col (0, dt)));
    check_i (r, 0, 0, 2);
    check_i (r, 0, 1, -2);
    check_i (r, 0, 2, G_MAXINT64);
    check_i (r, 0, 3, 0);
    check_i (r, 0, 4, 1);
  }
  {
    /* DECIMAL(10,3) -> DECIMAL(10,2) rounds half up: 1.235 -> 1.24, -1.235 -> -1.24,
     * 1.234 -> 1.23, 0.005 -> 0.01 */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_CAST, DEC (10, 2), 1, col (1, d103)));
    check_i (r, 0, 0, 124);
    check_i (r, 0, 1, -124);
    check_i (r, 0, 2, 123);
    check_i (r, 0, 3, 0);
    check_i (r, 0, 4, 1);
  }
  {
    /* DECIMAL -> INT truncates: 1.235 -> 1, -1.235 -> -1 */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_CAST, it, 1, col (1, d103)));
    check_i (r, 0, 0, 1);
    check_i (r, 0, 1, -1);
    check_i (r, 0, 2, 1);
  }
  {
    /* DECIMAL -> DOUBLE: 1.235, -1.235 */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_CAST, dt, 1, col (1, d103)));
    check_d (r, 0, 0, 1.235);
    check_d (r, 0, 1, -1.235);
  }
}

static void
test_cast_numbers_range (void)
{
  PlanType it = T (PLAN_TYPE_INT), bt = T (PLAN_TYPE_BIGINT), dt = T (PLAN_TYPE_DOUBLE);
  PlanType d103 = DEC (10, 3), bo = T (PLAN_TYPE_BOOLEAN);
  g_autoptr (PlanSchema) s = schema_of (3, dt, d103, bt);
  g_autoptr (RtBatch) in = cast_batch (s);

  {
    /* DOUBLE -> DECIMAL(10,2) on the shortest decimal form: 2.9, -2.9, 1.005 -> 1.01 */
    g_autoptr (PlanExpr) e = call (PLAN_FUNC_CAST, DEC (10, 2), 1, col (0, dt));
    g_autoptr (PlanExpr) f = call (PLAN_FUNC_NOT, bo, 1,
                                   call (PLAN_FUNC_IS_NULL, bo, 1, col (1, d103)));
    g_autoptr (RtBatch) one = batch_new (s, 1, 1);
    GError *error = NULL;
    put_d (one, 0, 0, 1.005);
    put_i (one, 1, 0, 0);
    put_i (one, 2, 0, 0);
    g_autoptr (RtBatch) r = run1 (s, one, f, e, &error);
    g_assert_no_error (error);
    check_i (r, 0, 0, 101);
  }
  {
    /* DOUBLE 1e20 does not fit DECIMAL(10,2) */
    g_autofree char *m = eval_fail (s, in, call (PLAN_FUNC_CAST, DEC (10, 2), 1, col (0, dt)));
    g_assert_nonnull (strstr (m, "out of range for DECIMAL(10, 2)"));
  }
  {
    /* BIGINT -> INT: 2147483648 is out of range */
    g_autofree char *m = eval_fail (s, in, call (PLAN_FUNC_CAST, it, 1, col (2, bt)));
    g_assert_nonnull (strstr (m, "2147483648"));
    g_assert_nonnull (strstr (m, "out of range for INT"));
  }
  {
    /* BIGINT -> DECIMAL(5,2): 42 -> 42.00; BIGINT -> BOOLEAN: 0 is FALSE */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_CAST, bo, 1, col (2, bt)));
    check_tvl (r, "TTFTT");
    g_autoptr (RtBatch) one = batch_new (s, 1, 1);
    put_d (one, 0, 0, 0);
    put_i (one, 1, 0, 0);
    put_i (one, 2, 0, 42);
    g_autoptr (RtBatch) d = eval (s, one, call (PLAN_FUNC_CAST, DEC (5, 2), 1, col (2, bt)));
    check_i (d, 0, 0, 4200);
  }
}

static void
test_cast_text (void)
{
  PlanType vt = T (PLAN_TYPE_VARCHAR);
  g_autoptr (PlanSchema) s = schema_of (1, vt);
  g_autoptr (RtBatch) in = batch_new (s, 4, 4);

  put_s (in, 0, 0, " 42 ");
  put_s (in, 0, 1, "-7");
  put_s (in, 0, 2, "0");
  put_null (in, 0, 3);
  {
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_CAST, T (PLAN_TYPE_INT), 1, col (0, vt)));
    check_i (r, 0, 0, 42);
    check_i (r, 0, 1, -7);
    check_i (r, 0, 2, 0);
    check_null (r, 0, 3);
  }
  {
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_CAST, T (PLAN_TYPE_BOOLEAN), 1,
                                               call (PLAN_FUNC_CASE, vt, 3,
                                                     call (PLAN_FUNC_IS_NULL,
                                                           T (PLAN_TYPE_BOOLEAN), 1,
                                                           col (0, vt)),
                                                     lit_s ("yes"), lit_s ("false"))));
    check_tvl (r, "FFFT");
  }
  /* text into each type */
  static const struct {
    const char *text;
    PlanTypeKind kind;
    gint64 want;
  } ok[] = {
    { "2024-02-29", PLAN_TYPE_DATE, 19782 },
    { "1969-12-31", PLAN_TYPE_DATE, -1 },
    { "2024-02-29 12:34:56.789", PLAN_TYPE_TIMESTAMP, 1709210096789 },
    { "9223372036854775807", PLAN_TYPE_BIGINT, G_MAXINT64 },
    { "-2147483648", PLAN_TYPE_INT, G_MININT32 },
    { "TRUE", PLAN_TYPE_BOOLEAN, 1 },
    { "f", PLAN_TYPE_BOOLEAN, 0 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr (RtBatch) one = batch_new (s, 1, 1);
      put_s (one, 0, 0, ok[i].text);
      g_autoptr (RtBatch) r = eval (s, one, call (PLAN_FUNC_CAST, T (ok[i].kind), 1, col (0, vt)));
      if (ok[i].kind == PLAN_TYPE_BOOLEAN)
        check_b (r, 0, 0, ok[i].want);
      else
        check_i (r, 0, 0, ok[i].want);
    }
  {
    /* DECIMAL(10,2) from text rounds half up; DOUBLE from text */
    g_autoptr (RtBatch) two = batch_new (s, 2, 2);
    put_s (two, 0, 0, "12.345");
    put_s (two, 0, 1, "-0.005");
    g_autoptr (RtBatch) r = eval (s, two, call (PLAN_FUNC_CAST, DEC (10, 2), 1, col (0, vt)));
    check_i (r, 0, 0, 1235);
    check_i (r, 0, 1, -1);
    g_autoptr (RtBatch) d = eval (s, two, call (PLAN_FUNC_CAST, T (PLAN_TYPE_DOUBLE), 1,
                                                col (0, vt)));
    check_d (d, 0, 0, 12.345);
    check_d (d, 0, 1, -0.005);
  }
}

static void
test_cast_text_bad (void)
{
  PlanType vt = T (PLAN_TYPE_VARCHAR);
  g_autoptr (PlanSchema) s = schema_of (1, vt);
  /* bad text fails naming the value, the target type and the position */
  static const struct {
    const char *text;
    PlanTypeKind kind;
    const char *want;
  } bad[] = {
    { "abc", PLAN_TYPE_INT, "cannot cast 'abc' to INT" },
    { "3000000000", PLAN_TYPE_INT, "out of range" },
    { "12x", PLAN_TYPE_BIGINT, "cannot cast '12x' to BIGINT" },
    { "1.2.3", PLAN_TYPE_DOUBLE, "cannot cast '1.2.3' to DOUBLE" },
    { "2024-02-30", PLAN_TYPE_DATE, "YYYY-MM-DD" },
    { "maybe", PLAN_TYPE_BOOLEAN, "cannot cast 'maybe' to BOOLEAN" },
    { "", PLAN_TYPE_INT, "cannot cast '' to INT" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (RtBatch) one = batch_new (s, 1, 1);
      put_s (one, 0, 0, bad[i].text);
      g_autofree char *m = eval_fail (s, one, call_at (at (3, 14), PLAN_FUNC_CAST,
                                                       T (bad[i].kind), 1, col (0, vt)));
      g_assert_nonnull (strstr (m, bad[i].want));
      g_assert_nonnull (strstr (m, "3:14"));
    }
}

static void
test_cast_to_text (void)
{
  PlanType vt = T (PLAN_TYPE_VARCHAR), dt = T (PLAN_TYPE_DOUBLE), ts = T (PLAN_TYPE_TIMESTAMP);
  g_autoptr (PlanSchema) s = schema_of (3, dt, ts, DEC (10, 2));
  g_autoptr (RtBatch) in = batch_new (s, 8, 6);
  static const double dv[] = { 1.0, 0.1, 1e10, 123456.789, 1e-4, -2.5 };
  static const char *dw[] = { "1.0", "0.1", "1.0E10", "123456.789", "1.0E-4", "-2.5" };

  for (guint i = 0; i < 6; i++)
    {
      put_d (in, 0, i, dv[i]);
      put_i (in, 1, i, 0);
      put_i (in, 2, i, -105);
    }
  put_i (in, 1, 0, 1709210096789);
  put_i (in, 1, 1, -1);
  {
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_CAST, vt, 1, col (0, dt)));
    for (guint i = 0; i < 6; i++)
      check_s (r, 0, i, dw[i]);
  }
  {
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_CAST, vt, 1, col (1, ts)));
    check_s (r, 0, 0, "2024-02-29 12:34:56.789");
    check_s (r, 0, 1, "1969-12-31 23:59:59.999");
    g_autoptr (RtBatch) d = eval (s, in, call (PLAN_FUNC_CAST, T (PLAN_TYPE_DATE), 1,
                                               col (1, ts)));
    check_i (d, 0, 0, 19782);
    check_i (d, 0, 1, -1);
    g_autoptr (RtBatch) back = eval (s, in, call (PLAN_FUNC_CAST, ts, 1,
                                                  call (PLAN_FUNC_CAST, T (PLAN_TYPE_DATE), 1,
                                                        col (1, ts))));
    check_i (back, 0, 0, 19782 * 86400000LL);
    check_i (back, 0, 1, -86400000);
  }
  {
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_CAST, vt, 1, col (2, DEC (10, 2))));
    check_s (r, 0, 0, "-1.05");
    g_autoptr (RtBatch) b = eval (s, in, call (PLAN_FUNC_CAST, vt, 1,
                                               call (PLAN_FUNC_GT, T (PLAN_TYPE_BOOLEAN), 2,
                                                     col (0, dt), lit_d (0.5))));
    check_s (b, 0, 0, "TRUE");
    check_s (b, 0, 1, "FALSE");
    g_autoptr (RtBatch) i = eval (s, in, call (PLAN_FUNC_CAST, vt, 1,
                                               lit_i (PLAN_TYPE_BIGINT, -42)));
    check_s (i, 0, 3, "-42");
  }
  {
    /* no cast between DATE and INT */
    g_autoptr (PlanExpr) e = call (PLAN_FUNC_CAST, T (PLAN_TYPE_INT), 1,
                                   lit_i (PLAN_TYPE_DATE, 3));
    g_autoptr (GError) error = NULL;
    g_autoptr (RtProgram) p = rt_program_new (s, NULL, 1, &e, &error);
    g_assert_null (p);
    g_assert_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED);
    g_assert_nonnull (strstr (error->message, "cannot cast DATE to INT"));
  }
}

/* ---- strings ----------------------------------------------------------------------- */

/* Rows "héllo" (5 characters, 6 bytes), "", "  a B  ", NULL. */
static RtBatch *
strings_batch (PlanSchema *s)
{
  RtBatch *in = batch_new (s, 4, 4);

  put_s (in, 0, 0, "h\xc3\xa9llo");
  put_s (in, 0, 1, "");
  put_s (in, 0, 2, "  a B  ");
  put_null (in, 0, 3);
  return in;
}

static void
test_strings (void)
{
  PlanType vt = T (PLAN_TYPE_VARCHAR), it = T (PLAN_TYPE_INT);
  g_autoptr (PlanSchema) s = schema_of (1, vt);
  g_autoptr (RtBatch) in = strings_batch (s);
  {
    g_autoptr (RtBatch) u = eval (s, in, call (PLAN_FUNC_UPPER, vt, 1, col (0, vt)));
    g_autoptr (RtBatch) l = eval (s, in, call (PLAN_FUNC_LOWER, vt, 1, col (0, vt)));
    check_s (u, 0, 0, "H\xc3\x89LLO");
    check_s (u, 0, 1, "");
    check_s (u, 0, 2, "  A B  ");
    check_null (u, 0, 3);
    check_s (l, 0, 0, "h\xc3\xa9llo");
    check_s (l, 0, 2, "  a b  ");
  }
  {
    g_autoptr (RtBatch) n = eval (s, in, call (PLAN_FUNC_CHAR_LENGTH, it, 1, col (0, vt)));
    check_i (n, 0, 0, 5);
    check_i (n, 0, 1, 0);
    check_i (n, 0, 2, 7);
    check_null (n, 0, 3);
  }
  {
    /* SUBSTRING(s, 2, 3) = "éll"; (s, 0, 3) = "hel" as Flink; (s, -3) = "llo" */
    g_autoptr (RtBatch) a = eval (s, in, call (PLAN_FUNC_SUBSTRING, vt, 3, col (0, vt),
                                               lit_i (PLAN_TYPE_INT, 2), lit_i (PLAN_TYPE_INT, 3)));
    g_autoptr (RtBatch) b = eval (s, in, call (PLAN_FUNC_SUBSTRING, vt, 3, col (0, vt),
                                               lit_i (PLAN_TYPE_INT, 0), lit_i (PLAN_TYPE_INT, 3)));
    g_autoptr (RtBatch) c = eval (s, in, call (PLAN_FUNC_SUBSTRING, vt, 2, col (0, vt),
                                               lit_i (PLAN_TYPE_BIGINT, -3)));
    g_autoptr (RtBatch) d = eval (s, in, call (PLAN_FUNC_SUBSTRING, vt, 2, col (0, vt),
                                               lit_i (PLAN_TYPE_INT, 10)));
    g_autoptr (RtBatch) e = eval (s, in, call (PLAN_FUNC_SUBSTRING, vt, 3, col (0, vt),
                                               lit_i (PLAN_TYPE_INT, 1),
                                               lit_i (PLAN_TYPE_INT, -1)));
    check_s (a, 0, 0, "\xc3\xa9ll");
    check_s (a, 0, 1, "");
    check_s (a, 0, 2, " a ");
    check_null (a, 0, 3);
    check_s (b, 0, 0, "h\xc3\xa9l");
    check_s (c, 0, 0, "llo");
    check_s (c, 0, 2, "B  ");
    check_s (d, 0, 0, "");
    check_null (e, 0, 0);
  }
}

static void
test_strings_edit (void)
{
  PlanType vt = T (PLAN_TYPE_VARCHAR), it = T (PLAN_TYPE_INT), bt = T (PLAN_TYPE_BIGINT);
  g_autoptr (PlanSchema) s = schema_of (1, vt);
  g_autoptr (RtBatch) in = strings_batch (s);

  {
    g_autoptr (RtBatch) t = eval (s, in, call (PLAN_FUNC_TRIM, vt, 1, col (0, vt)));
    g_autoptr (RtBatch) l = eval (s, in, call (PLAN_FUNC_LTRIM, vt, 1, col (0, vt)));
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_RTRIM, vt, 1, col (0, vt)));
    check_s (t, 0, 2, "a B");
    check_s (l, 0, 2, "a B  ");
    check_s (r, 0, 2, "  a B");
    check_s (t, 0, 1, "");
  }
  {
    /* CONCAT with NULL is NULL; empty strings concatenate to nothing */
    g_autoptr (RtBatch) c = eval (s, in, call (PLAN_FUNC_CONCAT, vt, 3, lit_s ("<"),
                                               col (0, vt), lit_s (">")));
    check_s (c, 0, 0, "<h\xc3\xa9llo>");
    check_s (c, 0, 1, "<>");
    check_null (c, 0, 3);
  }
  {
    /* POSITION('l' IN s): h=1, é=2, l=3 */
    g_autoptr (RtBatch) p = eval (s, in, call (PLAN_FUNC_POSITION, it, 2, lit_s ("l"),
                                               col (0, vt)));
    g_autoptr (RtBatch) e = eval (s, in, call (PLAN_FUNC_POSITION, bt, 2, lit_s (""),
                                               col (0, vt)));
    check_i (p, 0, 0, 3);
    check_i (p, 0, 1, 0);
    check_i (p, 0, 2, 0);
    check_null (p, 0, 3);
    check_i (e, 0, 0, 1);
  }
  {
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_REPLACE, vt, 3, col (0, vt), lit_s ("l"),
                                               lit_s ("LL")));
    g_autoptr (RtBatch) e = eval (s, in, call (PLAN_FUNC_REPLACE, vt, 3, col (0, vt), lit_s (""),
                                               lit_s ("x")));
    check_s (r, 0, 0, "h\xc3\xa9LLLLo");
    check_s (r, 0, 2, "  a B  ");
    check_s (e, 0, 0, "h\xc3\xa9llo");
  }
}

static void
test_strings_outlive_input (void)
{
  PlanType vt = T (PLAN_TYPE_VARCHAR);
  g_autoptr (PlanSchema) s = schema_of (1, vt);
  g_autoptr (PlanSchema) out_s = schema_of (3, vt, vt, vt);
  RtBatch *in = batch_new (s, 2, 2);
  PlanExpr *exprs[3];
  GError *error = NULL;

  put_s (in, 0, 0, "  keep me ");
  put_s (in, 0, 1, "x");
  exprs[0] = col (0, vt);
  exprs[1] = call (PLAN_FUNC_TRIM, vt, 1, col (0, vt));
  exprs[2] = call (PLAN_FUNC_CONCAT, vt, 2, lit_s ("lit:"), col (0, vt));
  g_autoptr (RtProgram) p = rt_program_new (s, NULL, 3, exprs, &error);
  g_assert_no_error (error);
  g_autoptr (RtBatch) out = rt_program_run (p, in, out_s, &error);
  g_assert_no_error (error);
  /* the output references the input's strings and the program's constants: both
   * must stay valid after the input and the program are gone */
  rt_batch_unref (in);
  g_clear_pointer (&p, rt_program_free);
  for (guint i = 0; i < 3; i++)
    plan_expr_unref (exprs[i]);
  check_s (out, 0, 0, "  keep me ");
  check_s (out, 1, 0, "keep me");
  check_s (out, 2, 0, "lit:  keep me ");
  check_s (out, 1, 1, "x");
}

static void
test_like (void)
{
  PlanType vt = T (PLAN_TYPE_VARCHAR), bo = T (PLAN_TYPE_BOOLEAN);
  g_autoptr (PlanSchema) s = schema_of (3, vt, vt, vt);
  static const struct {
    const char *s, *pat, *esc;
    gboolean want;
  } cases[] = {
    { "abc", "abc", NULL, TRUE },   { "abc", "ab", NULL, FALSE },
    { "abc", "a%", NULL, TRUE },    { "abc", "%c", NULL, TRUE },
    { "abc", "%b%", NULL, TRUE },   { "abc", "%d%", NULL, FALSE },
    { "abc", "a_c", NULL, TRUE },   { "abc", "a_", NULL, FALSE },
    { "h\xc3\xa9llo", "h_llo", NULL, TRUE }, { "h\xc3\xa9llo", "h__llo", NULL, FALSE },
    { "", "%", NULL, TRUE },        { "", "_", NULL, FALSE },
    { "", "", NULL, TRUE },         { "a", "", NULL, FALSE },
    { "50%", "50!%", "!", TRUE },   { "501", "50!%", "!", FALSE },
    { "a_b", "a!_b", "!", TRUE },   { "axb", "a!_b", "!", FALSE },
    { "abcbc", "%bc", NULL, TRUE }, { "mississippi", "m%iss%ppi", NULL, TRUE },
    { "mississippi", "m%iss%x", NULL, FALSE }, { "aXbXc", "a%b%c", NULL, TRUE },
    { "abc", "%%%", NULL, TRUE },   { "ab", "_%_", NULL, TRUE },
  };
  guint n = G_N_ELEMENTS (cases);
  g_autoptr (RtBatch) in = batch_new (s, 64, n + 1);

  for (guint i = 0; i < n; i++)
    {
      put_s (in, 0, i, cases[i].s);
      put_s (in, 1, i, cases[i].pat);
      put_s (in, 2, i, cases[i].esc ? cases[i].esc : "\\");
    }
  put_null (in, 0, n);
  put_s (in, 1, n, "%");
  put_s (in, 2, n, "!");
  /* per row patterns */
  g_autoptr (RtBatch) dyn = eval (s, in, call (PLAN_FUNC_LIKE, bo, 3, col (0, vt), col (1, vt),
                                               col (2, vt)));
  for (guint i = 0; i < n; i++)
    check_b (dyn, 0, i, cases[i].want);
  check_null (dyn, 0, n);
  /* each pattern as a constant, compiled once */
  for (guint i = 0; i < n; i++)
    {
      PlanExpr *e = cases[i].esc
        ? call (PLAN_FUNC_LIKE, bo, 3, col (0, vt), lit_s (cases[i].pat), lit_s (cases[i].esc))
        : call (PLAN_FUNC_LIKE, bo, 2, col (0, vt), lit_s (cases[i].pat));
      g_autoptr (RtBatch) r = eval (s, in, e);
      check_b (r, 0, i, cases[i].want);
      check_null (r, 0, n);
    }
  {
    g_autoptr (PlanExpr) e = call (PLAN_FUNC_LIKE, bo, 3, col (0, vt), lit_s ("ab!"), lit_s ("!"));
    g_autoptr (GError) error = NULL;
    g_autoptr (RtProgram) p = rt_program_new (s, NULL, 1, &e, &error);
    g_assert_null (p);
    g_assert_nonnull (strstr (error->message, "ends with its escape character"));
  }
}

/* ---- errors and NULLs -------------------------------------------------------------- */

static void
test_division_by_zero (void)
{
  PlanType bt = T (PLAN_TYPE_BIGINT), bo = T (PLAN_TYPE_BOOLEAN);
  g_autoptr (PlanSchema) s = schema_of (2, bt, bt);
  g_autoptr (RtBatch) in = batch_new (s, 4, 3);
  g_autoptr (PlanExpr) div = call_at (at (2, 8), PLAN_FUNC_DIV, bt, 2, col (0, bt), col (1, bt));
  g_autofree char *text = plan_expr_to_string (div, s);
  g_autoptr (GError) error = NULL;

  put_i (in, 0, 0, 10);
  put_i (in, 1, 0, 5);
  put_i (in, 0, 1, 3);
  put_null (in, 1, 1);
  put_i (in, 0, 2, 4);
  put_i (in, 1, 2, 2);
  {
    /* a NULL divisor gives NULL */
    g_autoptr (RtBatch) r = eval (s, in, plan_expr_ref (div));
    check_i (r, 0, 0, 2);
    check_null (r, 0, 1);
    check_i (r, 0, 2, 2);
  }
  put_i (in, 1, 2, 0);
  {
    g_autoptr (RtBatch) r = run1 (s, in, NULL, div, &error);
    g_assert_null (r);
    g_assert_error (error, RT_ERROR, RT_ERROR_EVAL);
    g_assert_nonnull (strstr (error->message, "division by zero"));
    g_assert_nonnull (strstr (error->message, text));
    g_assert_nonnull (strstr (error->message, "2:8"));
    g_clear_error (&error);
  }
  {
    /* a row the filter drops does not count: WHERE b <> 0 */
    g_autoptr (PlanExpr) f = call (PLAN_FUNC_NE, bo, 2, col (1, bt), lit_i (PLAN_TYPE_BIGINT, 0));
    g_autoptr (RtBatch) r = run1 (s, in, f, div, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (r->n_rows, ==, 1);
    check_i (r, 0, 0, 2);
  }
  {
    /* MOD by zero and INT division */
    g_autofree char *m = eval_fail (s, in, call (PLAN_FUNC_MOD, bt, 2, col (0, bt), col (1, bt)));
    g_assert_nonnull (strstr (m, "division by zero"));
    g_autofree char *m2 = eval_fail (s, in, call (PLAN_FUNC_DIV, T (PLAN_TYPE_INT), 2,
                                                  lit_i (PLAN_TYPE_INT, 1),
                                                  lit_i (PLAN_TYPE_INT, 0)));
    g_assert_nonnull (strstr (m2, "division by zero"));
  }
}

static void
test_null_propagation (void)
{
  PlanType bt = T (PLAN_TYPE_BIGINT), vt = T (PLAN_TYPE_VARCHAR), bo = T (PLAN_TYPE_BOOLEAN);
  PlanType dt = T (PLAN_TYPE_DOUBLE);
  g_autoptr (PlanSchema) s = schema_of (2, bt, vt);
  g_autoptr (RtBatch) in = batch_new (s, 200, 130);

  /* NULLs in every third row of a, every fifth of s, over three validity words */
  for (guint i = 0; i < 130; i++)
    {
      if (i % 3 == 0)
        put_null (in, 0, i);
      else
        put_i (in, 0, i, i);
      if (i % 5 == 0)
        put_null (in, 1, i);
      else
        put_s (in, 1, i, "x");
    }
  g_autoptr (RtBatch) a = eval (s, in, call (PLAN_FUNC_MUL, bt, 2,
                                             call (PLAN_FUNC_ADD, bt, 2, col (0, bt),
                                                   lit_i (PLAN_TYPE_BIGINT, 1)),
                                             lit_i (PLAN_TYPE_BIGINT, 2)));
  g_autoptr (RtBatch) n = eval (s, in, call (PLAN_FUNC_ADD, bt, 2, col (0, bt), lit_null (bt)));
  g_autoptr (RtBatch) c = eval (s, in, call (PLAN_FUNC_CONCAT, vt, 2, col (1, vt),
                                             call (PLAN_FUNC_CAST, vt, 1, col (0, bt))));
  g_autoptr (RtBatch) e = eval (s, in, call (PLAN_FUNC_EQ, bo, 2,
                                             call (PLAN_FUNC_CAST, dt, 1, col (0, bt)),
                                             lit_d (4)));
  for (guint i = 0; i < 130; i++)
    {
      check_null (n, 0, i);
      if (i % 3 == 0)
        {
          check_null (a, 0, i);
          check_null (c, 0, i);
          check_null (e, 0, i);
          continue;
        }
      check_i (a, 0, i, (i + 1) * 2);
      check_b (e, 0, i, i == 4);
      if (i % 5 == 0)
        check_null (c, 0, i);
      else
        {
          g_autofree char *want = g_strdup_printf ("x%u", i);
          check_s (c, 0, i, want);
        }
    }
}

/* ---- filter and projection --------------------------------------------------------- */

static void
test_filter (void)
{
  PlanType bt = T (PLAN_TYPE_BIGINT), bo = T (PLAN_TYPE_BOOLEAN), vt = T (PLAN_TYPE_VARCHAR);
  g_autoptr (PlanSchema) s = schema_of (2, bt, vt);
  g_autoptr (PlanSchema) out_s = schema_of (3, bt, vt, bt);
  guint sizes[] = { 1000, 1024, 64, 1 };

  for (guint t = 0; t < G_N_ELEMENTS (sizes); t++)
    {
      guint n = sizes[t];
      g_autoptr (RtBatch) in = batch_new (s, n, n);
      GError *error = NULL;
      for (guint i = 0; i < n; i++)
        {
          char buf[16];
          put_i (in, 0, i, i);
          g_snprintf (buf, sizeof buf, "r%u", i);
          put_s (in, 1, i, buf);
          in->kinds[i] = i % 2 ? RT_ROW_DELETE : RT_ROW_INSERT;
        }
      /* WHERE c0 % 3 = 0: SELECT c0, c1, c0 * 2 + 1 */
      g_autoptr (PlanExpr) f = call (PLAN_FUNC_EQ, bo, 2,
                                     call (PLAN_FUNC_MOD, bt, 2, col (0, bt),
                                           lit_i (PLAN_TYPE_BIGINT, 3)),
                                     lit_i (PLAN_TYPE_BIGINT, 0));
      PlanExpr *exprs[] = {
        col (0, bt), col (1, vt),
        call (PLAN_FUNC_ADD, bt, 2, call (PLAN_FUNC_MUL, bt, 2, col (0, bt),
                                          lit_i (PLAN_TYPE_BIGINT, 2)),
              lit_i (PLAN_TYPE_BIGINT, 1)),
      };
      g_autoptr (RtProgram) p = rt_program_new (s, f, 3, exprs, &error);
      g_assert_no_error (error);
      g_autoptr (RtBatch) out = rt_program_run (p, in, out_s, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (out->n_rows, ==, (n + 2) / 3);
      for (guint k = 0; k < out->n_rows; k++)
        {
          char buf[16];
          g_snprintf (buf, sizeof buf, "r%u", 3 * k);
          check_i (out, 0, k, 3 * k);
          check_s (out, 1, k, buf);
          check_i (out, 2, k, 6 * k + 1);
          g_assert_cmpint (out->kinds[k], ==, (3 * k) % 2 ? RT_ROW_DELETE : RT_ROW_INSERT);
        }
      /* rt_program_filter gives the same selection */
      g_autofree guint32 *sel = g_new (guint32, n);
      guint cnt = rt_program_filter (p, in, sel, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (cnt, ==, (n + 2) / 3);
      for (guint k = 0; k < cnt; k++)
        g_assert_cmpuint (sel[k], ==, 3 * k);
      for (guint i = 0; i < 3; i++)
        plan_expr_unref (exprs[i]);
    }
}

static void
test_filter_none_all (void)
{
  PlanType bt = T (PLAN_TYPE_BIGINT), bo = T (PLAN_TYPE_BOOLEAN);
  g_autoptr (PlanSchema) s = schema_of (2, bt, bt);
  g_autoptr (RtBatch) in = batch_new (s, 100, 100);
  GError *error = NULL;

  for (guint i = 0; i < 100; i++)
    {
      put_i (in, 0, i, i);
      put_i (in, 1, i, -(gint64) i);
    }
  put_null (in, 0, 70);
  {
    /* none: c0 > 1000 (the NULL row is not selected either) */
    g_autoptr (PlanExpr) f = call (PLAN_FUNC_GT, bo, 2, col (0, bt),
                                   lit_i (PLAN_TYPE_BIGINT, 1000));
    g_autoptr (RtProgram) p = rt_program_new (s, f, 0, NULL, &error);
    g_assert_no_error (error);
    g_autoptr (RtBatch) out = rt_program_run (p, in, s, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (out->n_rows, ==, 0);
  }
  {
    /* all but the NULL row: c0 >= 0 keeps 99 rows, the columns unchanged */
    g_autoptr (PlanExpr) f = call (PLAN_FUNC_GE, bo, 2, col (0, bt), lit_i (PLAN_TYPE_BIGINT, 0));
    g_autoptr (RtProgram) p = rt_program_new (s, f, 0, NULL, &error);
    g_assert_no_error (error);
    g_autoptr (RtBatch) out = rt_program_run (p, in, s, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (out->n_rows, ==, 99);
    check_i (out, 0, 69, 69);
    check_i (out, 0, 70, 71);
    check_i (out, 1, 70, -71);
  }
  {
    /* every row passes and no projection: the input itself comes back */
    g_autoptr (PlanExpr) f = call (PLAN_FUNC_IS_NOT_NULL, bo, 1, col (1, bt));
    g_autoptr (RtProgram) p = rt_program_new (s, f, 0, NULL, &error);
    g_assert_no_error (error);
    g_autoptr (RtBatch) out = rt_program_run (p, in, s, &error);
    g_assert_no_error (error);
    g_assert_true (out == in);
    g_assert_cmpint (in->ref_count, ==, 2);
  }
  {
    /* a projection of bare columns copies them (swapped, all rows) */
    g_autoptr (PlanSchema) out_s = schema_of (2, bt, bt);
    PlanExpr *exprs[] = { col (1, bt), col (0, bt) };
    g_autoptr (RtProgram) p = rt_program_new (s, NULL, 2, exprs, &error);
    g_assert_no_error (error);
    g_autoptr (RtBatch) out = rt_program_run (p, in, out_s, &error);
    g_assert_no_error (error);
    g_assert_true (out != in);
    check_i (out, 0, 5, -5);
    check_i (out, 1, 5, 5);
    check_null (out, 1, 70);
    plan_expr_unref (exprs[0]);
    plan_expr_unref (exprs[1]);
  }
}

/* ---- math and time ----------------------------------------------------------------- */

static void
test_math (void)
{
  PlanType dt = T (PLAN_TYPE_DOUBLE), bt = T (PLAN_TYPE_BIGINT), d103 = DEC (10, 3);
  PlanType it = T (PLAN_TYPE_INT);
  g_autoptr (PlanSchema) s = schema_of (3, dt, d103, bt);
  g_autoptr (RtBatch) in = batch_new (s, 4, 4);
  static const double dv[] = { 2.5, -2.5, 1.005, 16 };
  static const gint64 decv[] = { 1235, -1235, -1250, 2000 }, bv[] = { 1250, -1250, 1249, 7 };

  for (guint i = 0; i < 4; i++)
    {
      put_d (in, 0, i, dv[i]);
      put_i (in, 1, i, decv[i]);
      put_i (in, 2, i, bv[i]);
    }
  {
    /* ROUND(DOUBLE): half away from zero */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_ROUND, dt, 1, col (0, dt)));
    g_autoptr (RtBatch) r2 = eval (s, in, call (PLAN_FUNC_ROUND, dt, 2, col (0, dt),
                                                lit_i (PLAN_TYPE_INT, 2)));
    check_d (r, 0, 0, 3);
    check_d (r, 0, 1, -3);
    check_d (r, 0, 2, 1);
    check_d (r2, 0, 2, 1.01);
  }
  {
    /* ROUND(DECIMAL(10,3), 2): 1.235 -> 1.24, -1.235 -> -1.24, -1.250 -> -1.25 */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_ROUND, DEC (10, 2), 2, col (1, d103),
                                               lit_i (PLAN_TYPE_INT, 2)));
    check_i (r, 0, 0, 124);
    check_i (r, 0, 1, -124);
    check_i (r, 0, 2, -125);
    /* to 0 digits: 1, -1, -1 (-1.25 rounds to -1), 2 */
    g_autoptr (RtBatch) z = eval (s, in, call (PLAN_FUNC_ROUND, DEC (10, 0), 1, col (1, d103)));
    check_i (z, 0, 0, 1);
    check_i (z, 0, 2, -1);
    check_i (z, 0, 3, 2);
  }
  {
    /* ROUND(BIGINT, -2): 1250 -> 1300, -1250 -> -1300, 1249 -> 1200 */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_ROUND, bt, 2, col (2, bt),
                                               lit_i (PLAN_TYPE_INT, -2)));
    check_i (r, 0, 0, 1300);
    check_i (r, 0, 1, -1300);
    check_i (r, 0, 2, 1200);
  }
  {
    /* FLOOR / CEIL of DECIMAL -1.250 and 1.235 */
    g_autoptr (RtBatch) f = eval (s, in, call (PLAN_FUNC_FLOOR, DEC (10, 0), 1, col (1, d103)));
    g_autoptr (RtBatch) c = eval (s, in, call (PLAN_FUNC_CEIL, DEC (10, 0), 1, col (1, d103)));
    check_i (f, 0, 0, 1);
    check_i (f, 0, 2, -2);
    check_i (c, 0, 0, 2);
    check_i (c, 0, 2, -1);
    g_autoptr (RtBatch) fd = eval (s, in, call (PLAN_FUNC_FLOOR, dt, 1, col (0, dt)));
    check_d (fd, 0, 1, -3);
  }
  {
    g_autoptr (RtBatch) a = eval (s, in, call (PLAN_FUNC_ABS, bt, 1, col (2, bt)));
    g_autoptr (RtBatch) q = eval (s, in, call (PLAN_FUNC_SQRT, dt, 1, col (0, dt)));
    g_autoptr (RtBatch) w = eval (s, in, call (PLAN_FUNC_POWER, dt, 2, lit_i (PLAN_TYPE_INT, 2),
                                               col (2, bt)));
    check_i (a, 0, 1, 1250);
    check_d (q, 0, 3, 4);
    check_d (w, 0, 3, 128);
    g_autofree char *m = eval_fail (s, in, call (PLAN_FUNC_ABS, it, 1,
                                                 lit_i (PLAN_TYPE_INT, G_MININT32)));
    g_assert_nonnull (strstr (m, "overflow"));
  }
}

static void
test_time (void)
{
  PlanType ts = T (PLAN_TYPE_TIMESTAMP), dt = T (PLAN_TYPE_DATE), bt = T (PLAN_TYPE_BIGINT);
  PlanType iv = T (PLAN_TYPE_INTERVAL);
  g_autoptr (PlanSchema) s = schema_of (2, ts, dt);
  g_autoptr (RtBatch) in = batch_new (s, 2, 2);
  static const PlanFunc fields[] = {
    PLAN_FUNC_EXTRACT_YEAR, PLAN_FUNC_EXTRACT_MONTH, PLAN_FUNC_EXTRACT_DAY,
    PLAN_FUNC_EXTRACT_HOUR, PLAN_FUNC_EXTRACT_MINUTE, PLAN_FUNC_EXTRACT_SECOND,
  };
  /* 2024-02-29 12:34:56.789 and 1969-12-31 23:59:59.999 */
  static const gint64 w0[] = { 2024, 2, 29, 12, 34, 56 }, w1[] = { 1969, 12, 31, 23, 59, 59 };

  put_i (in, 0, 0, 1709210096789);
  put_i (in, 0, 1, -1);
  put_i (in, 1, 0, 19782);
  put_i (in, 1, 1, -1);
  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    {
      g_autoptr (RtBatch) r = eval (s, in, call (fields[f], bt, 1, col (0, ts)));
      g_autoptr (RtBatch) d = eval (s, in, call (fields[f], bt, 1, col (1, dt)));
      check_i (r, 0, 0, w0[f]);
      check_i (r, 0, 1, w1[f]);
      check_i (d, 0, 0, f < 3 ? w0[f] : 0);
      check_i (d, 0, 1, f < 3 ? w1[f] : 0);
    }
  {
    /* TIMESTAMP + INTERVAL '1' DAY; DATE + INTERVAL '36' HOUR stays a DATE */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_ADD, ts, 2, col (0, ts),
                                               lit_i (PLAN_TYPE_INTERVAL, 86400000)));
    g_autoptr (RtBatch) d = eval (s, in, call (PLAN_FUNC_ADD, dt, 2, col (1, dt),
                                               lit_i (PLAN_TYPE_INTERVAL, 36 * 3600000LL)));
    check_i (r, 0, 1, 86399999);
    check_i (d, 0, 0, 19783);
    check_i (d, 0, 1, 0);
    g_autoptr (RtBatch) t = eval (s, in, call (PLAN_FUNC_CAST, T (PLAN_TYPE_VARCHAR), 1,
                                               lit_i (PLAN_TYPE_INTERVAL, -90061001)));
    check_s (t, 0, 0, "-1 01:01:01.001");
    (void) iv;
  }
  {
    /* CURRENT_TIMESTAMP: one value for the whole batch, near the local wall clock */
    g_autoptr (RtBatch) r = eval (s, in, call0 (PLAN_FUNC_CURRENT_TIMESTAMP, ts));
    PlanValue a, b;
    rt_batch_get_value (r, 0, 0, &a);
    rt_batch_get_value (r, 0, 1, &b);
    g_assert_cmpint (a.v.i, ==, b.v.i);
    g_assert_cmpint (llabs (a.v.i - g_get_real_time () / 1000), <, 15 * 3600 * 1000);
  }
}

/* ---- the calc operator ------------------------------------------------------------- */

typedef struct {
  GPtrArray *batches; /* refs of what reached the sink */
} Collect;

static RtResult
collect_fn (void *data, RtBatch *batch, GError **error)
{
  Collect *c = data;

  g_ptr_array_add (c->batches, rt_batch_ref (batch));
  return RT_OK;
}

static void
test_calc_operator (void)
{
  PlanType bt = T (PLAN_TYPE_BIGINT), bo = T (PLAN_TYPE_BOOLEAN);
  g_autoptr (PlanSchema) s = schema_of (1, bt);
  g_autoptr (PlanSchema) out_s = schema_of (1, bt);
  PlanPhysNode *src = plan_phys_node_new (PLAN_PHYS_VALUES, plan_schema_ref (s), at (1, 1), 1);
  g_autoptr (PlanPhysNode) node = plan_phys_node_new (PLAN_PHYS_CALC, plan_schema_ref (out_s),
                                                      at (1, 1), 1);
  Collect col_data = { g_ptr_array_new_with_free_func ((GDestroyNotify) rt_batch_unref) };
  RtOpContext ctx = { .pool = pool, .batch_size = 1024, .parallelism = 1 };
  GError *error = NULL;

  plan_phys_node_add_input (node, src, PLAN_EXCHANGE_FORWARD, 0, NULL);
  node->u.calc.filter = call (PLAN_FUNC_LT, bo, 2, col (0, bt), lit_i (PLAN_TYPE_BIGINT, 2));
  node->u.calc.n_exprs = 1;
  node->u.calc.exprs = g_new (PlanExpr *, 1);
  node->u.calc.exprs[0] = call (PLAN_FUNC_MUL, bt, 2, col (0, bt), lit_i (PLAN_TYPE_BIGINT, 10));
  RtOperator *op = rt_op_calc_new (node, &error);
  g_assert_no_error (error);
  op->ctx = &ctx;
  op->sink_fn = collect_fn;
  op->sink_data = &col_data;
  {
    g_autoptr (RtBatch) in = batch_new (s, 4, 4);
    for (guint i = 0; i < 4; i++)
      put_i (in, 0, i, i);
    g_assert_cmpint (op->klass->process (op, in, 0, &error), ==, RT_OK);
    g_assert_no_error (error);
    /* a batch the filter empties is not passed on */
    for (guint i = 0; i < 4; i++)
      put_i (in, 0, i, 5);
    g_assert_cmpint (op->klass->process (op, in, 0, &error), ==, RT_OK);
    /* a failing row fails the operator */
    put_i (in, 0, 0, G_MININT64);
    g_assert_cmpint (op->klass->process (op, in, 0, &error), ==, RT_FAIL);
    g_assert_error (error, RT_ERROR, RT_ERROR_EVAL);
    g_clear_error (&error);
  }
  g_assert_cmpuint (col_data.batches->len, ==, 1);
  RtBatch *got = col_data.batches->pdata[0];
  g_assert_cmpuint (got->n_rows, ==, 2);
  check_i (got, 0, 0, 0);
  check_i (got, 0, 1, 10);
  g_assert_cmpuint (op->rows_out, ==, 2);
  rt_operator_free (op);
  g_ptr_array_unref (col_data.batches);

  /* a node of another kind is refused */
  g_assert_null (rt_op_calc_new (src, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INTERNAL);
  g_clear_error (&error);
}

/* ---- DECIMAL operands of one scale and different precisions ------------------------ */

/* A DECIMAL(2,1) column against literals whose types have other precisions (the binder
 * widens the column, e.g. CAST(e AS DECIMAL(11,1)) <= 10.0 for e <= 10): both sides go to
 * a common type wide enough for either, as Flink types them, instead of the column's own
 * narrow type (which made 10.0 "out of range for DECIMAL(2, 1)"). */
static void
test_decimal_mixed_precision (void)
{
  PlanType d21 = DEC (2, 1), bo = T (PLAN_TYPE_BOOLEAN);
  g_autoptr (PlanSchema) s = schema_of (1, d21);
  g_autoptr (RtBatch) in = batch_new (s, 4, 4);

  /* rows: 1.5, 9.9, -3.2, NULL */
  put_i (in, 0, 0, 15);
  put_i (in, 0, 1, 99);
  put_i (in, 0, 2, -32);
  put_null (in, 0, 3);
  {
    /* CAST(e AS DECIMAL(11,1)) <= 10.0: all three values are at most 10 */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_LE, bo, 2,
                                               call (PLAN_FUNC_CAST, DEC (11, 1), 1, col (0, d21)),
                                               lit_dec (11, 1, 100)));
    check_tvl (r, "TTTN");
  }
  {
    /* e <= 10.0 as DECIMAL(11,1) directly; 10.0 >= e with the constant on the left */
    g_autoptr (RtBatch) le = eval (s, in, call (PLAN_FUNC_LE, bo, 2, col (0, d21),
                                                lit_dec (11, 1, 100)));
    g_autoptr (RtBatch) ge = eval (s, in, call (PLAN_FUNC_GE, bo, 2, lit_dec (11, 1, 100),
                                                col (0, d21)));
    check_tvl (le, "TTTN");
    check_tvl (ge, "TTTN");
  }
  {
    /* e > 5.0: F T F; e = 9.90 (DECIMAL(3,2)): F T F; e <= -3.200 (DECIMAL(12,3)): F F T */
    g_autoptr (RtBatch) gt = eval (s, in, call (PLAN_FUNC_GT, bo, 2, col (0, d21),
                                                lit_dec (11, 1, 50)));
    g_autoptr (RtBatch) eq = eval (s, in, call (PLAN_FUNC_EQ, bo, 2, col (0, d21),
                                                lit_dec (3, 2, 990)));
    g_autoptr (RtBatch) le = eval (s, in, call (PLAN_FUNC_LE, bo, 2, col (0, d21),
                                                lit_dec (12, 3, -3200)));
    check_tvl (gt, "FTFN");
    check_tvl (eq, "FTFN");
    check_tvl (le, "FFTN");
  }
  {
    /* e < 9999999999999999.9 (DECIMAL(18,1)): every value is smaller */
    const gint64 big = G_GINT64_CONSTANT (99999999999999999);
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_LT, bo, 2, col (0, d21),
                                               lit_dec (18, 1, big)));
    check_tvl (r, "TTTN");
  }
  {
    /* e IN (9.9, 10.0) and e BETWEEN 0.0 AND 10.0, the bounds DECIMAL(11,1) */
    g_autoptr (RtBatch) inl = eval (s, in, call (PLAN_FUNC_IN, bo, 3, col (0, d21),
                                                 lit_dec (11, 1, 99), lit_dec (11, 1, 100)));
    g_autoptr (RtBatch) bw = eval (s, in, call (PLAN_FUNC_BETWEEN, bo, 3, col (0, d21),
                                                lit_dec (11, 1, 0), lit_dec (11, 1, 100)));
    check_tvl (inl, "FTFN");
    check_tvl (bw, "TTFN");
  }
  {
    /* e + 10.0 as DECIMAL(12,1): 11.5, 19.9, 6.8, NULL */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_ADD, DEC (12, 1), 2, col (0, d21),
                                               lit_dec (11, 1, 100)));
    check_i (r, 0, 0, 115);
    check_i (r, 0, 1, 199);
    check_i (r, 0, 2, 68);
    check_null (r, 0, 3);
  }
  {
    /* e - 0.05 (DECIMAL(3,2)) as DECIMAL(4,2): 1.45, 9.85, -3.25 */
    g_autoptr (RtBatch) r = eval (s, in, call (PLAN_FUNC_SUB, DEC (4, 2), 2, col (0, d21),
                                               lit_dec (3, 2, 5)));
    check_i (r, 0, 0, 145);
    check_i (r, 0, 1, 985);
    check_i (r, 0, 2, -325);
  }
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  pool = rt_mem_pool_new (64 * 1024 * 1024);
  g_test_add_func ("/runtime/expr/arith-bigint", test_arith_bigint);
  g_test_add_func ("/runtime/expr/arith-overflow", test_arith_overflow);
  g_test_add_func ("/runtime/expr/arith-double", test_arith_double);
  g_test_add_func ("/runtime/expr/arith-decimal", test_arith_decimal);
  g_test_add_func ("/runtime/expr/compare", test_compare);
  g_test_add_func ("/runtime/expr/three-valued", test_three_valued);
  g_test_add_func ("/runtime/expr/short-circuit", test_short_circuit);
  g_test_add_func ("/runtime/expr/case", test_case);
  g_test_add_func ("/runtime/expr/cast-numbers", test_cast_numbers);
  g_test_add_func ("/runtime/expr/cast-numbers-range", test_cast_numbers_range);
  g_test_add_func ("/runtime/expr/cast-text", test_cast_text);
  g_test_add_func ("/runtime/expr/cast-text-bad", test_cast_text_bad);
  g_test_add_func ("/runtime/expr/cast-to-text", test_cast_to_text);
  g_test_add_func ("/runtime/expr/strings", test_strings);
  g_test_add_func ("/runtime/expr/strings-edit", test_strings_edit);
  g_test_add_func ("/runtime/expr/strings-outlive-input", test_strings_outlive_input);
  g_test_add_func ("/runtime/expr/like", test_like);
  g_test_add_func ("/runtime/expr/division-by-zero", test_division_by_zero);
  g_test_add_func ("/runtime/expr/null-propagation", test_null_propagation);
  g_test_add_func ("/runtime/expr/filter", test_filter);
  g_test_add_func ("/runtime/expr/filter-none-all", test_filter_none_all);
  g_test_add_func ("/runtime/expr/math", test_math);
  g_test_add_func ("/runtime/expr/time", test_time);
  g_test_add_func ("/runtime/calc/operator", test_calc_operator);
  g_test_add_func ("/runtime/expr/decimal-mixed-precision", test_decimal_mixed_precision);
  ret = g_test_run ();
  rt_mem_pool_free (pool);
  return ret;
}
