/* rt-expr-kernels.c: the numeric kernels of compiled expression programs (rt-expr.c):
 * arithmetic with overflow checks, DECIMAL scaling, comparisons, three-valued logic, the
 * masks and merges of CASE and COALESCE, casts between non-text types, math and time
 * functions, and the evaluation errors they raise.
 *
 * A kernel runs one instruction over a whole batch; the compiler picks it once and the
 * runtime calls it through a pointer, so nothing is lost by keeping the kernels apart
 * from the compiler: they meet only through rt-expr-private.h (the slot layout, the
 * tables of generated kernels, the declarations of the others). The helpers the loops
 * call per row are static here or static inline in that header. Text kernels, LIKE and
 * the number <-> text conversions are in rt-expr-string.c. The DECIMAL rules for single
 * values (128-bit rescaling and rounding, overflow checks) are plans/plan-numeric.c's,
 * shared with constant folding so both compute the same numbers. */
#include "rt-expr-private.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

/* Runs the body (the macro's remaining arguments) for every row i < n: in blocks of 64
 * with a constant trip count, which GCC's -O2 vectorizer (the "very cheap" cost model)
 * accepts, then the tail one by one. */
#define FOR_ROWS(n, ...)                                                               \
  do                                                                                   \
    {                                                                                  \
      const guint full_ = (n) & ~63u;                                                  \
      for (guint b_ = 0; b_ < full_; b_ += 64)                                         \
        for (guint j_ = 0; j_ < 64; j_++)                                              \
          {                                                                            \
            const guint i = b_ + j_;                                                   \
            __VA_ARGS__;                                                               \
          }                                                                            \
      for (guint i = full_; i < (n); i++)                                              \
        {                                                                              \
          __VA_ARGS__;                                                                 \
        }                                                                              \
    }                                                                                  \
  while (0)

static inline gint64
floor_div (gint64 a, gint64 b)
{
  gint64 q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    q--;
  return q;
}

/* ---- error messages ---------------------------------------------------------------- */

/* Fails with RT_ERROR_EVAL: "<what> in '<expression>' at LINE:COL; <hint>". */
gboolean
rt__fail_at (RtProgram *p, const PlanExpr *e, GError **error, const char *hint, const char *fmt,
             ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *what = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_autofree char *text = e ? plan_expr_to_string (e, p->input_schema) : NULL;
  g_autofree char *where = e && e->span.line
    ? g_strdup_printf (" at %u:%u", e->span.line, e->span.col) : g_strdup ("");
  g_set_error (error, RT_ERROR, RT_ERROR_EVAL, "%s in '%s'%s%s%s", what,
               text ? text : "?", where, hint ? "; " : "", hint ? hint : "");
  return FALSE;
}

static const char *
op_symbol (const PlanExpr *e)
{
  if (!e || e->kind != PLAN_EXPR_CALL)
    return "?";
  switch ((int) e->u.call.func)
    {
    case PLAN_FUNC_ADD:
      return "+";
    case PLAN_FUNC_SUB:
    case PLAN_FUNC_NEG:
      return "-";
    case PLAN_FUNC_MUL:
      return "*";
    case PLAN_FUNC_DIV:
      return "/";
    case PLAN_FUNC_MOD:
      return "%";
    default:
      return plan_func_name (e->u.call.func);
    }
}

static gboolean
fail_overflow (RtProgram *p, const RtInstr *in, guint row, GError **error)
{
  g_autofree char *type = plan_type_to_string (in->expr->type, FALSE);
  g_autofree char *a = in->a >= 0 ? rt__slot_text (p, in->a, row) : g_strdup ("");
  g_autofree char *b = in->b >= 0 ? rt__slot_text (p, in->b, row) : g_strdup ("");
  g_autofree char *what = in->b >= 0 ? g_strdup_printf ("%s %s %s", a, op_symbol (in->expr), b)
    : g_strdup_printf ("%s(%s)", op_symbol (in->expr), a);
  PlanTypeKind k = in->expr->type.kind;
  return rt__fail_at (p, in->expr, error, k == PLAN_TYPE_INT ? "cast the operands to BIGINT"
                      : k == PLAN_TYPE_DECIMAL ? "cast the operands to a DECIMAL with more "
                      "digits or to DOUBLE" : "cast the operands to DOUBLE (approximate) for a "
                      "wider range", "%s overflow computing %s", type, what);
}

static gboolean
fail_div_zero (RtProgram *p, const RtInstr *in, GError **error)
{
  return rt__fail_at (p, in->expr, error, "use NULLIF(divisor, 0) to get NULL instead",
                      "division by zero");
}

static gboolean
fail_range (RtProgram *p, const RtInstr *in, guint row, GError **error)
{
  g_autofree char *type = plan_type_to_string (SLOT (p, in->dst)->type, FALSE);
  g_autofree char *v = rt__slot_text (p, in->a, row);
  return rt__fail_at (p, in->expr, error, "cast to a wider type first",
                      "value %s is out of range for %s", v, type);
}

/* ---- validity ---------------------------------------------------------------------- */

/* dst validity = AND of a, b, c (those >= 0) and the guard, word by word. */
void
rt__valid_and (RtProgram *p, const RtInstr *in, guint n)
{
  guint nw = nwords (n);
  guint64 *restrict d = VALID (in->dst);
  const guint64 *srcs[4];
  guint ns = 0;
  if (in->a >= 0)
    srcs[ns++] = VALID (in->a);
  if (in->b >= 0)
    srcs[ns++] = VALID (in->b);
  if (in->c >= 0)
    srcs[ns++] = VALID (in->c);
  if (in->guard >= 0)
    srcs[ns++] = VALID (in->guard);
  if (ns == 0)
    {
      memset (d, 0xff, nw * sizeof (guint64));
      return;
    }
  memcpy (d, srcs[0], nw * sizeof (guint64));
  for (guint s = 1; s < ns; s++)
    for (guint w = 0; w < nw; w++)
      d[w] &= srcs[s][w];
}

/* ---- arithmetic kernels -------------------------------------------------------------
 * Kernels are generated per storage type and operand shape: _vv reads two vectors, _vs
 * a vector and a broadcast constant (read once). The value loop runs over every row
 * (branch-free, so the compiler can vectorize it) and only an overflow seen somewhere
 * sends a kernel back over the valid rows to find out whether it matters. */

#define OVF_KERNEL(NAME, T, BUILTIN, Y)                                                \
  static gboolean                                                                      \
  NAME (RtProgram *p, const RtInstr *in, guint n, GError **error)                      \
  {                                                                                    \
    const T *restrict a = DATA (in->a, T);                                             \
    const T *restrict b = DATA (in->b, T);                                             \
    T *restrict r = DATA (in->dst, T);                                                 \
    const T b0 = b[0];                                                                 \
    gboolean o = FALSE;                                                                \
    (void) b0;                                                                         \
    FOR_ROWS (n, o |= BUILTIN (a[i], Y, &r[i]));                                       \
    rt__valid_and (p, in, n);                                                          \
    if (G_LIKELY (!o))                                                                 \
      return TRUE;                                                                     \
    for (guint i = 0; i < n; i++)                                                      \
      {                                                                                \
        T t;                                                                           \
        if (bit (VALID (in->dst), i) && BUILTIN (a[i], Y, &t))                         \
          return fail_overflow (p, in, i, error);                                      \
      }                                                                                \
    return TRUE;                                                                       \
  }

#define OVF_KERNELS(OP, BUILTIN)                                                       \
  OVF_KERNEL (k_##OP##_i32_vv, gint32, BUILTIN, b[i])                                  \
  OVF_KERNEL (k_##OP##_i32_vs, gint32, BUILTIN, b0)                                    \
  OVF_KERNEL (k_##OP##_i64_vv, gint64, BUILTIN, b[i])                                  \
  OVF_KERNEL (k_##OP##_i64_vs, gint64, BUILTIN, b0)

/* + and - wrap in the loop and OR together the sign bits that flag an overflow, which
 * vectorizes; __builtin_*_overflow then finds the row if one is set. */
#define WRAP_KERNEL(NAME, T, UT, OP, FLAG, BUILTIN, Y)                                 \
  static gboolean                                                                      \
  NAME (RtProgram *p, const RtInstr *in, guint n, GError **error)                      \
  {                                                                                    \
    const T *restrict a = DATA (in->a, T);                                             \
    const T *restrict b = DATA (in->b, T);                                             \
    T *restrict r = DATA (in->dst, T);                                                 \
    const T b0 = b[0];                                                                 \
    T acc = 0;                                                                         \
    (void) b0;                                                                         \
    FOR_ROWS (n, {                                                                     \
      T x = a[i], y = Y, s = (T) ((UT) x OP (UT) y);                                   \
      r[i] = s;                                                                        \
      acc |= FLAG;                                                                     \
    });                                                                                \
    rt__valid_and (p, in, n);                                                          \
    if (G_LIKELY (acc >= 0))                                                           \
      return TRUE;                                                                     \
    for (guint i = 0; i < n; i++)                                                      \
      {                                                                                \
        T t;                                                                           \
        if (bit (VALID (in->dst), i) && BUILTIN (a[i], Y, &t))                         \
          return fail_overflow (p, in, i, error);                                      \
      }                                                                                \
    return TRUE;                                                                       \
  }

/* x + y overflows when the sum's sign differs from both operands' signs; x - y when the
 * operands' signs differ and the result's sign differs from x's. */
#define ADD_FLAG ((x ^ s) & (y ^ s))
#define SUB_FLAG ((x ^ y) & (x ^ s))

WRAP_KERNEL (k_add_i32_vv, gint32, guint32, +, ADD_FLAG, __builtin_add_overflow, b[i])
WRAP_KERNEL (k_add_i32_vs, gint32, guint32, +, ADD_FLAG, __builtin_add_overflow, b0)
WRAP_KERNEL (k_add_i64_vv, gint64, guint64, +, ADD_FLAG, __builtin_add_overflow, b[i])
WRAP_KERNEL (k_add_i64_vs, gint64, guint64, +, ADD_FLAG, __builtin_add_overflow, b0)
WRAP_KERNEL (k_sub_i32_vv, gint32, guint32, -, SUB_FLAG, __builtin_sub_overflow, b[i])
WRAP_KERNEL (k_sub_i32_vs, gint32, guint32, -, SUB_FLAG, __builtin_sub_overflow, b0)
WRAP_KERNEL (k_sub_i64_vv, gint64, guint64, -, SUB_FLAG, __builtin_sub_overflow, b[i])
WRAP_KERNEL (k_sub_i64_vs, gint64, guint64, -, SUB_FLAG, __builtin_sub_overflow, b0)
OVF_KERNELS (mul, __builtin_mul_overflow)

#define F64_KERNEL(NAME, OP, Y)                                                        \
  static gboolean                                                                      \
  NAME (RtProgram *p, const RtInstr *in, guint n, GError **error)                      \
  {                                                                                    \
    const double *restrict a = DATA (in->a, double);                                   \
    const double *restrict b = DATA (in->b, double);                                   \
    double *restrict r = DATA (in->dst, double);                                       \
    const double b0 = b[0];                                                            \
    (void) b0;                                                                         \
    FOR_ROWS (n, r[i] = a[i] OP Y);                                                    \
    rt__valid_and (p, in, n);                                                          \
    return TRUE;                                                                       \
  }

F64_KERNEL (k_add_f64_vv, +, b[i])
F64_KERNEL (k_add_f64_vs, +, b0)
F64_KERNEL (k_sub_f64_vv, -, b[i])
F64_KERNEL (k_sub_f64_vs, -, b0)
F64_KERNEL (k_mul_f64_vv, *, b[i])
F64_KERNEL (k_mul_f64_vs, *, b0)

/* Division and MOD never trap: a zero divisor computes 0 and x / -1 is computed as a
 * wrapping negation; whether a valid row hit either is checked afterwards. */
static inline gint64
sdiv64 (gint64 x, gint64 y)
{
  if (y == 0)
    return 0;
  if (y == -1)
    return (gint64) (0 - (guint64) x);
  return x / y;
}

static inline gint64
smod64 (gint64 x, gint64 y)
{
  return (y == 0 || y == -1) ? 0 : x % y;
}

static inline gint32
sdiv32 (gint32 x, gint32 y)
{
  if (y == 0)
    return 0;
  if (y == -1)
    return (gint32) (0 - (guint32) x);
  return x / y;
}

static inline gint32
smod32 (gint32 x, gint32 y)
{
  return (y == 0 || y == -1) ? 0 : x % y;
}

static inline double
fdiv (double x, double y)
{
  return y == 0 ? 0 : x / y;
}

static inline double
fmod0 (double x, double y)
{
  return y == 0 ? 0 : fmod (x, y);
}

#define DIV_KERNEL(NAME, T, FN, MINV)                                                  \
  gboolean                                                                             \
  NAME (RtProgram *p, const RtInstr *in, guint n, GError **error)                      \
  {                                                                                    \
    const T *restrict a = DATA (in->a, T);                                             \
    const T *restrict b = DATA (in->b, T);                                             \
    T *restrict r = DATA (in->dst, T);                                                 \
    gboolean bad = FALSE;                                                              \
    for (guint i = 0; i < n; i++)                                                      \
      {                                                                                \
        bad |= b[i] == 0 || (MINV && b[i] == -1 && a[i] == MINV);                      \
        r[i] = FN (a[i], b[i]);                                                        \
      }                                                                                \
    rt__valid_and (p, in, n);                                                          \
    if (G_LIKELY (!bad))                                                               \
      return TRUE;                                                                     \
    for (guint i = 0; i < n; i++)                                                      \
      {                                                                                \
        if (!bit (VALID (in->dst), i))                                                 \
          continue;                                                                    \
        if (b[i] == 0)                                                                 \
          return fail_div_zero (p, in, error);                                         \
        if (MINV && b[i] == -1 && a[i] == MINV)                                        \
          return fail_overflow (p, in, i, error);                                      \
      }                                                                                \
    return TRUE;                                                                       \
  }

DIV_KERNEL (rt__k_div_i32, gint32, sdiv32, G_MININT32)
DIV_KERNEL (rt__k_mod_i32, gint32, smod32, 0)
DIV_KERNEL (rt__k_div_i64, gint64, sdiv64, G_MININT64)
DIV_KERNEL (rt__k_mod_i64, gint64, smod64, 0)
DIV_KERNEL (rt__k_div_f64, double, fdiv, 0)
DIV_KERNEL (rt__k_mod_f64, double, fmod0, 0)

gboolean
rt__k_neg (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  gboolean o = FALSE;
  switch (storage_of (SLOT (p, in->dst)->type.kind))
    {
    case RT_ST_I32:
      for (guint i = 0; i < n; i++)
        o |= __builtin_sub_overflow (0, DATA (in->a, gint32)[i], &DATA (in->dst, gint32)[i]);
      break;
    case RT_ST_I64:
      for (guint i = 0; i < n; i++)
        o |= __builtin_sub_overflow ((gint64) 0, DATA (in->a, gint64)[i],
                                     &DATA (in->dst, gint64)[i]);
      break;
    case RT_ST_F64:
      for (guint i = 0; i < n; i++)
        DATA (in->dst, double)[i] = -DATA (in->a, double)[i];
      break;
    case RT_ST_NONE:
    case RT_ST_BOOL:
    case RT_ST_STR:
      break;
    }
  rt__valid_and (p, in, n);
  for (guint i = 0; o && i < n; i++)
    {
      gboolean min = storage_of (SLOT (p, in->dst)->type.kind) == RT_ST_I32
        ? DATA (in->a, gint32)[i] == G_MININT32 : DATA (in->a, gint64)[i] == G_MININT64;
      if (min && bit (VALID (in->dst), i))
        return fail_overflow (p, in, i, error);
    }
  return TRUE;
}

/* ABS: k selects i32 / i64 / f64 storage. */
gboolean
rt__k_abs (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  rt__valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      if (in->k == RT_ST_F64)
        DATA (in->dst, double)[i] = fabs (DATA (in->a, double)[i]);
      else if (in->k == RT_ST_I32)
        {
          gint32 v = DATA (in->a, gint32)[i];
          if (v == G_MININT32 && bit (VALID (in->dst), i))
            return fail_overflow (p, in, i, error);
          DATA (in->dst, gint32)[i] = v < 0 ? (gint32) (0 - (guint32) v) : v;
        }
      else
        {
          gint64 v = DATA (in->a, gint64)[i];
          if (v == G_MININT64 && bit (VALID (in->dst), i))
            return fail_overflow (p, in, i, error);
          DATA (in->dst, gint64)[i] = v < 0 ? (gint64) (0 - (guint64) v) : v;
        }
    }
  return TRUE;
}

/* DECIMAL precision check on a's valid rows: |v| < k (10^precision). No output. */
gboolean
rt__k_check_prec (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const gint64 *a = DATA (in->a, gint64);
  const gint64 lim = in->k;
  gboolean bad = FALSE;
  for (guint i = 0; i < n; i++)
    bad |= a[i] >= lim || a[i] <= -lim;
  for (guint i = 0; bad && i < n; i++)
    if ((a[i] >= lim || a[i] <= -lim) && bit (VALID (in->a), i))
      {
        g_autofree char *type = plan_type_to_string (in->expr->type, FALSE);
        g_autofree char *v = rt__slot_text (p, in->a, i);
        return rt__fail_at (p, in->expr, error, "cast the operands to a DECIMAL with more digits",
                            "%s overflow: the result %s has too many digits", type, v);
      }
  return TRUE;
}

/* DECIMAL * and /: k = scale shift, k2 = 10^precision of the result (0: int64 only). */
gboolean
rt__k_dec_muldiv (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const gint64 *a = DATA (in->a, gint64), *b = DATA (in->b, gint64);
  gint64 *r = DATA (in->dst, gint64);
  gboolean div = in->expr->u.call.func == PLAN_FUNC_DIV;
  rt__valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      gboolean ok;
      r[i] = 0;
      if (!bit (VALID (in->dst), i))
        continue;
      if (div && b[i] == 0)
        return fail_div_zero (p, in, error);
      ok = div ? plan_dec_divide (a[i], b[i], (int) in->k, in->k2, &r[i])
        : plan_dec_multiply (a[i], b[i], (int) in->k, in->k2, &r[i]);
      if (!ok)
        return fail_overflow (p, in, i, error);
    }
  return TRUE;
}

/* ---- comparison kernels ------------------------------------------------------------ */

#define CMP_KERNEL(NAME, T, OP, Y)                                                     \
  static gboolean                                                                      \
  NAME (RtProgram *p, const RtInstr *in, guint n, GError **error)                      \
  {                                                                                    \
    const T *restrict a = DATA (in->a, T);                                             \
    const T *restrict b = DATA (in->b, T);                                             \
    guint8 *restrict r = DATA (in->dst, guint8);                                       \
    const T b0 = b[0];                                                                 \
    (void) b0;                                                                         \
    FOR_ROWS (n, r[i] = a[i] OP Y);                                                    \
    rt__valid_and (p, in, n);                                                          \
    return TRUE;                                                                       \
  }

#define CMP_KERNELS(SFX, T)                                                            \
  CMP_KERNEL (k_eq_##SFX##_vv, T, ==, b[i]) CMP_KERNEL (k_eq_##SFX##_vs, T, ==, b0)    \
  CMP_KERNEL (k_ne_##SFX##_vv, T, !=, b[i]) CMP_KERNEL (k_ne_##SFX##_vs, T, !=, b0)    \
  CMP_KERNEL (k_lt_##SFX##_vv, T, <, b[i]) CMP_KERNEL (k_lt_##SFX##_vs, T, <, b0)      \
  CMP_KERNEL (k_le_##SFX##_vv, T, <=, b[i]) CMP_KERNEL (k_le_##SFX##_vs, T, <=, b0)    \
  CMP_KERNEL (k_gt_##SFX##_vv, T, >, b[i]) CMP_KERNEL (k_gt_##SFX##_vs, T, >, b0)      \
  CMP_KERNEL (k_ge_##SFX##_vv, T, >=, b[i]) CMP_KERNEL (k_ge_##SFX##_vs, T, >=, b0)

CMP_KERNELS (b8, guint8)
CMP_KERNELS (i32, gint32)
CMP_KERNELS (i64, gint64)
CMP_KERNELS (f64, double)

const RtKernel rt__arith_tab[3][3][2] = {
  { { k_add_i32_vv, k_add_i32_vs }, { k_add_i64_vv, k_add_i64_vs },
    { k_add_f64_vv, k_add_f64_vs } },
  { { k_sub_i32_vv, k_sub_i32_vs }, { k_sub_i64_vv, k_sub_i64_vs },
    { k_sub_f64_vv, k_sub_f64_vs } },
  { { k_mul_i32_vv, k_mul_i32_vs }, { k_mul_i64_vv, k_mul_i64_vs },
    { k_mul_f64_vv, k_mul_f64_vs } },
};

#define CMP_ROW(SFX) \
  { k_eq_##SFX##_vv, k_eq_##SFX##_vs }, { k_ne_##SFX##_vv, k_ne_##SFX##_vs }, \
  { k_lt_##SFX##_vv, k_lt_##SFX##_vs }, { k_le_##SFX##_vv, k_le_##SFX##_vs }, \
  { k_gt_##SFX##_vv, k_gt_##SFX##_vs }, { k_ge_##SFX##_vv, k_ge_##SFX##_vs }

const RtKernel rt__cmp_tab[4][6][2] = { { CMP_ROW (b8) }, { CMP_ROW (i32) },
                                         { CMP_ROW (i64) }, { CMP_ROW (f64) } };

static inline int
str_cmp (RtStr a, RtStr b)
{
  guint32 m = MIN (a.len, b.len);
  int c = m ? memcmp (a.ptr, b.ptr, m) : 0;
  return c ? c : (a.len > b.len) - (a.len < b.len);
}

/* Strings compare bytewise (UTF-8 byte order is code point order); k is the operator
 * (PLAN_FUNC_EQ .. PLAN_FUNC_GE). Only valid rows are dereferenced. */
gboolean
rt__k_cmp_str (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const RtStr *a = DATA (in->a, RtStr), *b = DATA (in->b, RtStr);
  guint8 *r = DATA (in->dst, guint8);
  rt__valid_and (p, in, n);
  const guint64 *v = VALID (in->dst);
  for (guint i = 0; i < n; i++)
    {
      if (!bit (v, i))
        {
          r[i] = 0;
          continue;
        }
      if (in->k == PLAN_FUNC_EQ || in->k == PLAN_FUNC_NE)
        {
          gboolean eq = a[i].len == b[i].len
            && (a[i].len == 0 || memcmp (a[i].ptr, b[i].ptr, a[i].len) == 0);
          r[i] = in->k == PLAN_FUNC_EQ ? eq : !eq;
          continue;
        }
      int c = str_cmp (a[i], b[i]);
      r[i] = in->k == PLAN_FUNC_LT ? c < 0 : in->k == PLAN_FUNC_LE ? c <= 0
        : in->k == PLAN_FUNC_GT ? c > 0 : c >= 0;
    }
  return TRUE;
}

/* ---- logic kernels ----------------------------------------------------------------- */

static inline guint64
pack64 (const guint8 *v, guint m)
{
  guint64 w = 0;
  for (guint j = 0; j < m; j++)
    w |= (guint64) (v[j] != 0) << j;
  return w;
}

static inline void
unpack64 (guint8 *r, guint64 w, guint m)
{
  for (guint j = 0; j < m; j++)
    r[j] = (w >> j) & 1;
}

/* AND (k = 0) / OR (k = 1) in three-valued logic, 64 rows per step:
 * FALSE AND x = FALSE, TRUE OR x = TRUE, otherwise NULL if either side is NULL. */
gboolean
rt__k_and_or (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const guint8 *a = DATA (in->a, guint8), *b = DATA (in->b, guint8);
  guint8 *r = DATA (in->dst, guint8);
  for (guint w = 0; w < nwords (n); w++)
    {
      guint m = MIN (64, n - w * 64);
      guint64 ta = pack64 (a + w * 64, m), tb = pack64 (b + w * 64, m);
      guint64 va = VALID (in->a)[w], vb = VALID (in->b)[w];
      guint64 at = va & ta, af = va & ~ta, bt = vb & tb, bf = vb & ~tb;
      guint64 rt = in->k ? at | bt : at & bt;
      guint64 rf = in->k ? af & bf : af | bf;
      guint64 g = in->guard >= 0 ? VALID (in->guard)[w] : ~G_GUINT64_CONSTANT (0);
      VALID (in->dst)[w] = (rt | rf) & g;
      unpack64 (r + w * 64, rt, m);
    }
  return TRUE;
}

gboolean
rt__k_not (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const guint8 *a = DATA (in->a, guint8);
  guint8 *r = DATA (in->dst, guint8);
  for (guint i = 0; i < n; i++)
    r[i] = !a[i];
  rt__valid_and (p, in, n);
  return TRUE;
}

/* IS [NOT] NULL, IS TRUE, IS FALSE: never NULL themselves. */
gboolean
rt__k_is (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  guint8 *r = DATA (in->dst, guint8);
  for (guint w = 0; w < nwords (n); w++)
    {
      guint m = MIN (64, n - w * 64);
      guint64 va = VALID (in->a)[w], res = 0;
      guint64 t = in->k >= RT_IS_TRUE ? pack64 (DATA (in->a, guint8) + w * 64, m) : 0;
      switch ((RtIsMode) in->k)
        {
        case RT_IS_NULL:
          res = ~va;
          break;
        case RT_IS_NOT_NULL:
          res = va;
          break;
        case RT_IS_TRUE:
          res = va & t;
          break;
        case RT_IS_FALSE:
          res = va & ~t;
          break;
        }
      VALID (in->dst)[w] = in->guard >= 0 ? VALID (in->guard)[w] : ~G_GUINT64_CONSTANT (0);
      unpack64 (r + w * 64, res, m);
    }
  return TRUE;
}

/* IS [NOT] DISTINCT FROM: a holds x <> y, b and c are x and y (for their validity).
 * k = 1 negates (IS NOT DISTINCT FROM). */
gboolean
rt__k_distinct (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  guint8 *r = DATA (in->dst, guint8);
  for (guint w = 0; w < nwords (n); w++)
    {
      guint m = MIN (64, n - w * 64);
      guint64 vx = VALID (in->b)[w], vy = VALID (in->c)[w];
      guint64 ne = pack64 (DATA (in->a, guint8) + w * 64, m);
      guint64 res = (vx & vy & ne) | (vx ^ vy);
      VALID (in->dst)[w] = in->guard >= 0 ? VALID (in->guard)[w] : ~G_GUINT64_CONSTANT (0);
      unpack64 (r + w * 64, in->k ? ~res : res, m);
    }
  return TRUE;
}

/* Computes a row mask into dst's validity bits: the rows of the guard (all rows when
 * none) where a is TRUE / not FALSE / not TRUE / not NULL. When c >= 0 it also gets the
 * guard's rows outside the mask (the rows still to be decided by later CASE branches). */
gboolean
rt__k_mask (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  for (guint w = 0; w < nwords (n); w++)
    {
      guint m = MIN (64, n - w * 64);
      guint64 g = (in->guard >= 0 ? VALID (in->guard)[w] : ~G_GUINT64_CONSTANT (0))
        & tail_mask (n, w);
      guint64 va = in->a >= 0 ? VALID (in->a)[w] : 0, t = 0, res = 0;
      if (in->k <= RT_MASK_NOT_TRUE)
        t = pack64 (DATA (in->a, guint8) + w * 64, m);
      switch ((RtMaskMode) in->k)
        {
        case RT_MASK_TRUE:
          res = va & t;
          break;
        case RT_MASK_NOT_FALSE:
          res = ~(va & ~t);
          break;
        case RT_MASK_NOT_TRUE:
          res = ~(va & t);
          break;
        case RT_MASK_VALID:
          res = va;
          break;
        case RT_MASK_ALL:
          res = ~G_GUINT64_CONSTANT (0);
          break;
        }
      res &= g;
      VALID (in->dst)[w] = res;
      if (in->c >= 0)
        VALID (in->c)[w] = g & ~res;
    }
  return TRUE;
}

#define PICK_LOOP(T)                                                                   \
  for (guint w = 0; w < nwords (n); w++)                                               \
    for (guint64 bits = mask[w]; bits; bits &= bits - 1)                               \
      {                                                                                \
        guint i = w * 64 + (guint) __builtin_ctzll (bits);                             \
        ((T *) d)[i] = ((const T *) v)[i];                                             \
        if (bit (vv, i))                                                               \
          dv[i >> 6] |= G_GUINT64_CONSTANT (1) << (i & 63);                            \
      }

/* CASE and COALESCE: aux holds k masks then k value slots; each row takes the value of
 * the branch whose mask has it (masks are disjoint), rows of no mask are NULL. */
gboolean
rt__k_pick (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const gint *slots = in->aux;
  RtStorage st = storage_of (SLOT (p, in->dst)->type.kind);
  void *d = p->regs[in->dst].data;
  guint64 *dv = VALID (in->dst);
  memset (dv, 0, nwords (n) * sizeof (guint64));
  if (st == RT_ST_STR)
    memset (d, 0, n * sizeof (RtStr));
  for (gint64 k = 0; k < in->k; k++)
    {
      const guint64 *mask = VALID (slots[k]);
      const void *v = p->regs[slots[in->k + k]].data;
      const guint64 *vv = VALID (slots[in->k + k]);
      switch (storage_size[st])
        {
        case 1:
          PICK_LOOP (guint8);
          break;
        case 4:
          PICK_LOOP (guint32);
          break;
        case 8:
          PICK_LOOP (guint64);
          break;
        default:
          PICK_LOOP (RtStr);
          break;
        }
    }
  return TRUE;
}

/* NULLIF(x, y): a = x, b = (x = y); NULL where b is TRUE. */
gboolean
rt__k_nullif (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  RtStorage st = storage_of (SLOT (p, in->dst)->type.kind);
  memcpy (p->regs[in->dst].data, p->regs[in->a].data, n * storage_size[st]);
  for (guint w = 0; w < nwords (n); w++)
    {
      guint m = MIN (64, n - w * 64);
      guint64 eq = VALID (in->b)[w] & pack64 (DATA (in->b, guint8) + w * 64, m);
      guint64 g = in->guard >= 0 ? VALID (in->guard)[w] : ~G_GUINT64_CONSTANT (0);
      VALID (in->dst)[w] = VALID (in->a)[w] & ~eq & g;
    }
  return TRUE;
}

/* ---- cast kernels ------------------------------------------------------------------ */

gboolean
rt__k_i32_to_i64 (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const gint32 *restrict a = DATA (in->a, gint32);
  gint64 *restrict r = DATA (in->dst, gint64);
  for (guint i = 0; i < n; i++)
    r[i] = a[i];
  rt__valid_and (p, in, n);
  return TRUE;
}

gboolean
rt__k_i64_to_i32 (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const gint64 *restrict a = DATA (in->a, gint64);
  gint32 *restrict r = DATA (in->dst, gint32);
  gboolean bad = FALSE;
  for (guint i = 0; i < n; i++)
    {
      bad |= a[i] < G_MININT32 || a[i] > G_MAXINT32;
      r[i] = (gint32) a[i];
    }
  rt__valid_and (p, in, n);
  for (guint i = 0; bad && i < n; i++)
    if ((a[i] < G_MININT32 || a[i] > G_MAXINT32) && bit (VALID (in->dst), i))
      return fail_range (p, in, i, error);
  return TRUE;
}

/* Integers (k = storage of a) to DOUBLE. */
gboolean
rt__k_int_to_f64 (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  double *restrict r = DATA (in->dst, double);
  if (in->k == RT_ST_I32)
    for (guint i = 0; i < n; i++)
      r[i] = DATA (in->a, gint32)[i];
  else
    for (guint i = 0; i < n; i++)
      r[i] = (double) DATA (in->a, gint64)[i];
  rt__valid_and (p, in, n);
  return TRUE;
}

/* DOUBLE to integers as Java casts: truncate toward zero, saturate, NaN gives 0. */
gboolean
rt__k_f64_to_int (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const double *restrict a = DATA (in->a, double);
  for (guint i = 0; i < n; i++)
    {
      double d = a[i];
      if (in->k == RT_ST_I32)
        DATA (in->dst, gint32)[i] = isnan (d) ? 0 : d >= 2147483647.0 ? G_MAXINT32
          : d <= -2147483648.0 ? G_MININT32 : (gint32) d;
      else
        DATA (in->dst, gint64)[i] = isnan (d) ? 0 : d >= 9223372036854775807.0 ? G_MAXINT64
          : d <= -9223372036854775808.0 ? G_MININT64 : (gint64) d;
    }
  rt__valid_and (p, in, n);
  return TRUE;
}

/* BOOLEAN to numbers: k = storage of dst, k2 = the value of TRUE (10^scale). */
gboolean
rt__k_bool_to_num (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const guint8 *a = DATA (in->a, guint8);
  for (guint i = 0; i < n; i++)
    {
      gint64 v = a[i] ? in->k2 : 0;
      if (in->k == RT_ST_I32)
        DATA (in->dst, gint32)[i] = (gint32) v;
      else if (in->k == RT_ST_I64)
        DATA (in->dst, gint64)[i] = v;
      else
        DATA (in->dst, double)[i] = (double) v;
    }
  rt__valid_and (p, in, n);
  return TRUE;
}

/* Numbers (k = storage of a) to BOOLEAN: non-zero is TRUE. */
gboolean
rt__k_num_to_bool (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  guint8 *r = DATA (in->dst, guint8);
  for (guint i = 0; i < n; i++)
    r[i] = in->k == RT_ST_I32 ? DATA (in->a, gint32)[i] != 0
      : in->k == RT_ST_I64 ? DATA (in->a, gint64)[i] != 0 : DATA (in->a, double)[i] != 0;
  rt__valid_and (p, in, n);
  return TRUE;
}

/* i64 (BIGINT or DECIMAL) to DECIMAL: k = scale shift, k2 = 10^precision. */
gboolean
rt__k_dec_rescale (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const gint64 *restrict a = DATA (in->a, gint64);
  gint64 *restrict r = DATA (in->dst, gint64);
  const gint64 lim = in->k2;
  gboolean bad = FALSE;
  if (in->k >= 0)
    {
      const gint64 f = plan_num_pow10[MIN (in->k, 18)];
      for (guint i = 0; i < n; i++)
        {
          bad |= __builtin_mul_overflow (a[i], f, &r[i]);
          bad |= lim && (r[i] >= lim || r[i] <= -lim);
        }
      bad |= in->k > 18;
    }
  else
    for (guint i = 0; i < n; i++)
      {
        __int128 v;
        plan_dec_shift (a[i], (int) in->k, &v);
        r[i] = (gint64) v;
        bad |= lim && (r[i] >= lim || r[i] <= -lim);
      }
  rt__valid_and (p, in, n);
  for (guint i = 0; bad && i < n; i++)
    {
      gint64 v;
      if (bit (VALID (in->dst), i) && !plan_dec_rescale (a[i], (int) in->k, lim, &v))
        return fail_range (p, in, i, error);
    }
  return TRUE;
}

/* DECIMAL (k = 10^scale) to integers (k2 = storage of dst), truncating toward zero. */
gboolean
rt__k_dec_to_int (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const gint64 *restrict a = DATA (in->a, gint64);
  rt__valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      gint64 v = a[i] / in->k;
      if (in->k2 == RT_ST_I64)
        DATA (in->dst, gint64)[i] = v;
      else if (v < G_MININT32 || v > G_MAXINT32)
        {
          if (bit (VALID (in->dst), i))
            return fail_range (p, in, i, error);
        }
      else
        DATA (in->dst, gint32)[i] = (gint32) v;
    }
  return TRUE;
}

gboolean
rt__k_dec_to_f64 (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const gint64 *restrict a = DATA (in->a, gint64);
  double *restrict r = DATA (in->dst, double);
  const double f = (double) in->k;
  for (guint i = 0; i < n; i++)
    r[i] = (double) a[i] / f;
  rt__valid_and (p, in, n);
  return TRUE;
}

/* DOUBLE to DECIMAL(k2 = 10^precision, k = scale), half up on the shortest decimal form. */
gboolean
rt__k_f64_to_dec (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const double *a = DATA (in->a, double);
  gint64 *r = DATA (in->dst, gint64);
  rt__valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      char dig[24];
      int e, k;
      r[i] = 0;
      if (!bit (VALID (in->dst), i) || a[i] == 0)
        continue;
      if (!isfinite (a[i]))
        return fail_range (p, in, i, error);
      k = plan_num_shortest_digits (a[i], dig, &e);
      if (!plan_dec_from_digits (dig, k, e - (k - 1), a[i] < 0, (int) in->k, in->k2, &r[i]))
        return fail_range (p, in, i, error);
    }
  return TRUE;
}

gboolean
rt__k_date_to_ts (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const gint32 *restrict a = DATA (in->a, gint32);
  gint64 *restrict r = DATA (in->dst, gint64);
  for (guint i = 0; i < n; i++)
    r[i] = (gint64) a[i] * 86400000;
  rt__valid_and (p, in, n);
  return TRUE;
}

gboolean
rt__k_ts_to_date (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const gint64 *restrict a = DATA (in->a, gint64);
  gint32 *restrict r = DATA (in->dst, gint32);
  for (guint i = 0; i < n; i++)
    r[i] = (gint32) floor_div (a[i], 86400000);
  rt__valid_and (p, in, n);
  return TRUE;
}

/* ---- math and time kernels --------------------------------------------------------- */

gboolean
rt__k_f64_fn (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const double *restrict a = DATA (in->a, double);
  double *restrict r = DATA (in->dst, double);
  switch ((RtF64Fn) in->k)
    {
    case RT_FN_FLOOR:
      for (guint i = 0; i < n; i++)
        r[i] = floor (a[i]);
      break;
    case RT_FN_CEIL:
      for (guint i = 0; i < n; i++)
        r[i] = ceil (a[i]);
      break;
    case RT_FN_SQRT:
      for (guint i = 0; i < n; i++)
        r[i] = sqrt (a[i]);
      break;
    case RT_FN_LN:
      for (guint i = 0; i < n; i++)
        r[i] = log (a[i]);
      break;
    case RT_FN_LOG10:
      for (guint i = 0; i < n; i++)
        r[i] = log10 (a[i]);
      break;
    case RT_FN_EXP:
      for (guint i = 0; i < n; i++)
        r[i] = exp (a[i]);
      break;
    case RT_FN_POWER:
      for (guint i = 0; i < n; i++)
        r[i] = pow (a[i], DATA (in->b, double)[i]);
      break;
    }
  rt__valid_and (p, in, n);
  return TRUE;
}

/* ROUND(DOUBLE, k): half away from zero on the shortest decimal form of the value. */
static double
round_double (double x, gint64 d)
{
  char dig[24];
  int e, k;
  gint64 scaled;
  if (!isfinite (x) || x == 0 || d > 17)
    return x;
  if (d == 0)
    return round (x);
  if (d < -18)
    return 0.0;
  k = plan_num_shortest_digits (x, dig, &e);
  if (!plan_dec_from_digits (dig, k, e - (k - 1), x < 0, (int) d, 0, &scaled))
    return x;
  return d > 0 ? (double) scaled / (double) plan_num_pow10[d]
    : (double) scaled * (double) plan_num_pow10[-d];
}

gboolean
rt__k_round_f64 (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const double *a = DATA (in->a, double);
  double *r = DATA (in->dst, double);
  for (guint i = 0; i < n; i++)
    r[i] = round_double (a[i], in->k);
  rt__valid_and (p, in, n);
  return TRUE;
}

/* ROUND of i64 values with scale s (DECIMAL, or 0 for BIGINT) to k digits, stored with
 * the destination's scale; half up. FLOOR (k2 = 1) and CEIL (k2 = 2) round to 0 digits
 * toward -inf / +inf instead. */
gboolean
rt__k_round_i64 (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const gint64 *a = DATA (in->a, gint64);
  gint64 *r = DATA (in->dst, gint64);
  gint s = SLOT (p, in->a)->type.kind == PLAN_TYPE_DECIMAL ? SLOT (p, in->a)->type.scale : 0;
  const RtSlot *d = SLOT (p, in->dst);
  gint sr = d->type.kind == PLAN_TYPE_DECIMAL ? d->type.scale : 0;
  gint64 lim = d->type.kind == PLAN_TYPE_DECIMAL ? plan_dec_limit (d->type.precision) : 0;
  rt__valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      __int128 v = a[i];
      gboolean ok = TRUE;
      gint at = s; /* the scale v is at */
      r[i] = 0;
      if (!bit (VALID (in->dst), i))
        continue;
      if (in->k2 && s > 0)
        {
          __int128 f = plan_num_pow10_128 ((guint) s), q = v / f, rem = v % f;
          v = q + (in->k2 == 1 ? -(rem < 0) : (rem > 0));
          at = 0;
        }
      else if (!in->k2 && in->k < s)
        {
          ok = plan_dec_shift (v, (gint) in->k - s, &v);
          at = (gint) in->k;
        }
      if (!ok || !plan_dec_shift (v, sr - at, &v) || !plan_dec_fits (v, lim))
        return fail_overflow (p, in, i, error);
      r[i] = (gint64) v;
    }
  return TRUE;
}

static void
civil_from_days (gint64 z, gint64 *y, gint64 *m, gint64 *d)
{
  z += 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2);
}

/* EXTRACT(field FROM x): k = field (0 YEAR .. 5 SECOND), k2 = 1 for TIMESTAMP, 0 DATE. */
gboolean
rt__k_extract (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  gint64 *r = DATA (in->dst, gint64);
  for (guint i = 0; i < n; i++)
    {
      gint64 days, msd = 0, y = 0, m = 0, d = 0;
      if (in->k2)
        {
          gint64 ms = DATA (in->a, gint64)[i];
          days = floor_div (ms, 86400000);
          msd = ms - days * 86400000;
        }
      else
        days = DATA (in->a, gint32)[i];
      if (in->k <= 2)
        civil_from_days (days, &y, &m, &d);
      r[i] = in->k == 0 ? y : in->k == 1 ? m : in->k == 2 ? d : in->k == 3 ? msd / 3600000
        : in->k == 4 ? msd / 60000 % 60 : msd / 1000 % 60;
    }
  rt__valid_and (p, in, n);
  return TRUE;
}

/* CURRENT_TIMESTAMP: local wall-clock time, read once per batch. */
gboolean
rt__k_now (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  gint64 *r = DATA (in->dst, gint64);
  if (!p->now_set)
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();
      p->now_ms = g_date_time_to_unix (now) * 1000 + g_date_time_get_microsecond (now) / 1000
        + g_date_time_get_utc_offset (now) / 1000;
      p->now_set = TRUE;
    }
  for (guint i = 0; i < n; i++)
    r[i] = p->now_ms;
  rt__valid_and (p, in, n);
  return TRUE;
}

