/* opt-fold.c: the constant-folding rewrite pass.
 *
 * Every sub-expression whose arguments are all literals is computed once here, instead of
 * once per row by the engine, and replaced by one literal of the expression's own type that
 * takes the replaced expression's span. Some expressions fold when only part of them is
 * constant: AND and OR (FALSE AND x, x OR TRUE, TRUE AND x), CASE with constant conditions
 * and COALESCE with leading NULLs. A FILTER whose condition becomes TRUE goes away; one that
 * becomes FALSE or NULL stays as it is.
 *
 * The literal must be exactly what the engine would have computed, so the rules below are
 * those of runtime/engine/rt-expr*.c for single values (the optimizer cannot call the
 * engine: the dependencies point the other way); the number rules both need (DECIMAL
 * rescaling and rounding, overflow checks, text to number, DOUBLE to text) are one copy in
 * plans/plan-numeric.c, which both call. Integer and DECIMAL overflow and
 * division by zero are errors there, so such an expression is left unfolded and the engine
 * still reports the error with its position. DECIMAL rescaling rounds half away from zero,
 * DOUBLE to integer truncates and saturates, DOUBLE to DECIMAL and to VARCHAR go through the
 * shortest decimal form of the value, text is trimmed before it is parsed. Anything the rules
 * here do not cover (other functions, mixed argument types the binder never produces,
 * non-finite DOUBLE results) is left to the engine too: not folding is always correct.
 *
 * Operands are only dropped when the engine would never evaluate them for any row (the part
 * after FALSE in an AND, CASE branches after a TRUE condition, COALESCE arguments after a
 * non-NULL literal) or when they cannot fail, so folding hides no error either.
 * CURRENT_TIMESTAMP is never folded: it is read when the job runs.
 *
 * Like every pass, this one builds new expressions and nodes only where something changed
 * and shares everything else, returning the same root when nothing did. */
#include "optimizer/opt-private.h"
#include "plans/plan-numeric.h"

#include <math.h>
#include <string.h>

#define MS_PER_DAY G_GINT64_CONSTANT (86400000)

/* ---- literals --------------------------------------------------------------------------- */

static gboolean
is_literal (const PlanExpr *e)
{
  return e->kind == PLAN_EXPR_LITERAL;
}

static gboolean
is_null_literal (const PlanExpr *e)
{
  return e->kind == PLAN_EXPR_LITERAL
         && (e->u.literal.is_null || e->u.literal.type.kind == PLAN_TYPE_NULL);
}

/* Same storage and meaning: kinds agree and, for DECIMAL, precision and scale too. */
static gboolean
types_match (PlanType a, PlanType b)
{
  if (a.kind != b.kind)
    return FALSE;
  return a.kind != PLAN_TYPE_DECIMAL || (a.precision == b.precision && a.scale == b.scale);
}

/* A non-NULL literal of the given kind whose value is stored the way the expression is
 * typed (what the engine would load into a constant without a conversion). */
static gboolean
is_value (const PlanExpr *e, PlanTypeKind kind)
{
  const PlanValue *v = &e->u.literal;

  if (e->kind != PLAN_EXPR_LITERAL || v->is_null || e->type.kind != kind
      || !types_match (v->type, e->type))
    return FALSE;
  if (kind == PLAN_TYPE_INT || kind == PLAN_TYPE_DATE)
    return v->v.i >= G_MININT32 && v->v.i <= G_MAXINT32;
  if (kind == PLAN_TYPE_VARCHAR)
    return v->v.s != NULL;
  return TRUE;
}

static gboolean
is_bool_value (const PlanExpr *e, gboolean b)
{
  return is_value (e, PLAN_TYPE_BOOLEAN) && !e->u.literal.v.b == !b;
}

/* A literal of type at span holding v (whose string it takes). Only a NULL is nullable. */
static PlanExpr *
literal_new (PlanType type, PlanValue *v, PlanSpan span)
{
  v->type = type;
  v->type.nullable = v->is_null;
  return plan_expr_literal (v, span);
}

static PlanExpr *
null_new (PlanType type, PlanSpan span)
{
  PlanValue v = { 0 };

  v.is_null = TRUE;
  return literal_new (type, &v, span);
}

static PlanExpr *
bool_new (PlanType type, gboolean b, PlanSpan span)
{
  PlanValue v = { 0 };

  v.v.b = b != FALSE;
  return literal_new (type, &v, span);
}

static PlanExpr *
int_new (PlanType type, gint64 i, PlanSpan span)
{
  PlanValue v = { 0 };

  v.v.i = i;
  return literal_new (type, &v, span);
}

static PlanExpr *
double_new (PlanType type, double d, PlanSpan span)
{
  PlanValue v = { 0 };

  v.v.d = d;
  return literal_new (type, &v, span);
}

/* Takes s. */
static PlanExpr *
string_new (PlanType type, char *s, PlanSpan span)
{
  PlanValue v = { 0 };

  v.v.s = s;
  return literal_new (type, &v, span);
}

/* CAST(v AS VARCHAR) for a non-NULL value of type from, in the engine's words. */
static char *
value_text (const PlanValue *v, PlanType from)
{
  char buf[PLAN_NUM_TEXT_SIZE + 16];

  switch (from.kind)
    {
    case PLAN_TYPE_BOOLEAN:
      return g_strdup (v->v.b ? "TRUE" : "FALSE");
    case PLAN_TYPE_INT:
      return g_strdup_printf ("%d", (gint32) v->v.i);
    case PLAN_TYPE_BIGINT:
      return g_strdup_printf ("%" G_GINT64_FORMAT, v->v.i);
    case PLAN_TYPE_DOUBLE:
      plan_num_format_double (v->v.d, buf, sizeof buf);
      return g_strdup (buf);
    case PLAN_TYPE_DECIMAL:
      plan_format_decimal (v->v.i, from.scale, buf, sizeof buf);
      return g_strdup (buf);
    case PLAN_TYPE_DATE:
      plan_format_date ((gint32) v->v.i, buf, sizeof buf);
      return g_strdup (buf);
    case PLAN_TYPE_TIMESTAMP:
      plan_format_timestamp (v->v.i, buf, sizeof buf);
      return g_strdup (buf);
    case PLAN_TYPE_INTERVAL:
      plan_num_format_interval (v->v.i, buf, sizeof buf);
      return g_strdup (buf);
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_VARCHAR:
    default:
      return NULL;
    }
}

/* ---- text as values --------------------------------------------------------------- */

/* CAST(text AS to): the text trimmed of spaces, then read as the engine reads it. */
static gboolean
parse_text (const char *text, PlanType to, PlanValue *out)
{
  const char *s = text;
  gsize len = strlen (text);
  gint32 days;

  plan_num_trim (&s, &len);
  switch (to.kind)
    {
    case PLAN_TYPE_BOOLEAN:
      return plan_num_parse_bool (s, len, &out->v.b);
    case PLAN_TYPE_INT:
      return plan_num_parse_int64 (s, len, &out->v.i) == PLAN_NUM_OK
             && out->v.i >= G_MININT32 && out->v.i <= G_MAXINT32;
    case PLAN_TYPE_BIGINT:
      return plan_num_parse_int64 (s, len, &out->v.i) == PLAN_NUM_OK;
    case PLAN_TYPE_DOUBLE:
      return plan_num_parse_double (s, len, &out->v.d) == PLAN_NUM_OK && isfinite (out->v.d);
    case PLAN_TYPE_DECIMAL:
      return plan_dec_parse (s, len, to.scale, plan_dec_limit (to.precision), &out->v.i)
             == PLAN_NUM_OK;
    case PLAN_TYPE_DATE:
      if (!plan_parse_date (s, len, &days))
        return FALSE;
      out->v.i = days;
      return TRUE;
    case PLAN_TYPE_TIMESTAMP:
      return plan_parse_timestamp (s, len, &out->v.i);
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_VARCHAR:
    case PLAN_TYPE_INTERVAL:
    default:
      return FALSE;
    }
}

/* ---- CAST ------------------------------------------------------------------------------- */

static gboolean
cast_to_integer (const PlanValue *v, PlanType from, PlanType to, PlanValue *out)
{
  gboolean to_int = to.kind == PLAN_TYPE_INT;
  gint64 x;

  switch (from.kind)
    {
    case PLAN_TYPE_BOOLEAN:
      x = v->v.b ? 1 : 0;
      break;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
      x = v->v.i;
      break;
    case PLAN_TYPE_DOUBLE:
      out->v.i = plan_num_double_to_integer (v->v.d, to_int);
      return TRUE;
    case PLAN_TYPE_DECIMAL:
      x = v->v.i / plan_num_pow10[MIN (from.scale, 18)]; /* toward zero */
      break;
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_VARCHAR:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
    default:
      return FALSE;
    }
  if (to_int && (x < G_MININT32 || x > G_MAXINT32))
    return FALSE;
  out->v.i = x;
  return TRUE;
}

static gboolean
cast_to_decimal (const PlanValue *v, PlanType from, PlanType to, PlanValue *out)
{
  gint64 limit = plan_dec_limit (to.precision);
  char dig[24];
  int e, k;

  if (limit == 0 || to.scale > 18)
    return FALSE;
  switch (from.kind)
    {
    case PLAN_TYPE_BOOLEAN:
      return plan_dec_narrow (v->v.b ? plan_num_pow10[to.scale] : 0, limit, &out->v.i);
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
      return plan_dec_rescale (v->v.i, (int) to.scale, limit, &out->v.i);
    case PLAN_TYPE_DECIMAL:
      return plan_dec_rescale (v->v.i, (int) to.scale - (int) from.scale, limit, &out->v.i);
    case PLAN_TYPE_DOUBLE:
      if (v->v.d == 0)
        return out->v.i = 0, TRUE;
      if (!isfinite (v->v.d))
        return FALSE;
      k = plan_num_shortest_digits (v->v.d, dig, &e);
      return plan_dec_from_digits (dig, k, e - (k - 1), v->v.d < 0, (int) to.scale, limit,
                                   &out->v.i);
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_VARCHAR:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
    default:
      return FALSE;
    }
}

/* Casts between numbers, BOOLEAN, DATE and TIMESTAMP (no text). */
static gboolean
cast_scalar (const PlanValue *v, PlanType from, PlanType to, PlanValue *out)
{
  PlanTypeKind fk = from.kind;
  gboolean f_num = fk == PLAN_TYPE_INT || fk == PLAN_TYPE_BIGINT || fk == PLAN_TYPE_DECIMAL
                   || fk == PLAN_TYPE_DOUBLE;

  switch (to.kind)
    {
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
      return cast_to_integer (v, from, to, out);
    case PLAN_TYPE_DECIMAL:
      return cast_to_decimal (v, from, to, out);
    case PLAN_TYPE_DOUBLE:
      if (fk == PLAN_TYPE_BOOLEAN)
        out->v.d = v->v.b ? 1.0 : 0.0;
      else if (fk == PLAN_TYPE_INT || fk == PLAN_TYPE_BIGINT)
        out->v.d = (double) v->v.i;
      else if (fk == PLAN_TYPE_DECIMAL)
        out->v.d = (double) v->v.i / (double) plan_num_pow10[MIN (from.scale, 18)];
      return fk == PLAN_TYPE_BOOLEAN || (f_num && fk != PLAN_TYPE_DOUBLE);
    case PLAN_TYPE_BOOLEAN:
      out->v.b = fk == PLAN_TYPE_DOUBLE ? v->v.d != 0 : v->v.i != 0;
      return f_num;
    case PLAN_TYPE_TIMESTAMP:
      if (fk != PLAN_TYPE_DATE)
        return FALSE;
      out->v.i = v->v.i * MS_PER_DAY; /* a DATE's days fit 32 bits: no overflow */
      return TRUE;
    case PLAN_TYPE_DATE:
      if (fk != PLAN_TYPE_TIMESTAMP)
        return FALSE;
      out->v.i = v->v.i / MS_PER_DAY - (v->v.i % MS_PER_DAY < 0); /* floor */
      return out->v.i >= G_MININT32 && out->v.i <= G_MAXINT32;
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_VARCHAR:
    case PLAN_TYPE_INTERVAL:
    default:
      return FALSE;
    }
}

/* CAST(v AS to) of a non-NULL value of type from. FALSE when the engine would fail, or for
 * a conversion folded nowhere here. */
static gboolean
cast_value (const PlanValue *v, PlanType from, PlanType to, PlanValue *out)
{
  memset (out, 0, sizeof *out);
  if (from.kind == to.kind && to.kind != PLAN_TYPE_DECIMAL)
    {
      if (to.kind == PLAN_TYPE_VARCHAR)
        out->v.s = g_strdup (v->v.s);
      else
        out->v = v->v;
      return TRUE;
    }
  if (from.kind == PLAN_TYPE_VARCHAR)
    return parse_text (v->v.s, to, out);
  if (to.kind == PLAN_TYPE_VARCHAR)
    return (out->v.s = value_text (v, from)) != NULL;
  return cast_scalar (v, from, to, out);
}

static PlanExpr *
fold_cast (PlanExpr *e)
{
  const PlanExpr *x;
  PlanValue v;

  if (e->u.call.n_args != 1 || !is_literal (e->u.call.args[0]))
    return NULL;
  x = e->u.call.args[0];
  if (is_null_literal (x))
    return null_new (e->type, e->span);
  if (!is_value (x, x->type.kind) || !cast_value (&x->u.literal, x->type, e->type, &v))
    return NULL;
  return literal_new (e->type, &v, e->span);
}

/* ---- arithmetic ------------------------------------------------------------------------- */

/* INT (is_int) or BIGINT x op y; FALSE on overflow or a zero divisor. */
static gboolean
arith_integer (PlanFunc f, gint64 x, gint64 y, gboolean is_int, gint64 *out)
{
  gint64 r;

  switch ((int) f)
    {
    case PLAN_FUNC_ADD:
      if (__builtin_add_overflow (x, y, &r))
        return FALSE;
      break;
    case PLAN_FUNC_SUB:
      if (__builtin_sub_overflow (x, y, &r))
        return FALSE;
      break;
    case PLAN_FUNC_MUL:
      if (__builtin_mul_overflow (x, y, &r))
        return FALSE;
      break;
    case PLAN_FUNC_DIV:
      if (y == 0 || (y == -1 && x == G_MININT64))
        return FALSE;
      r = x / y; /* toward zero; INT's MIN / -1 fails the range check below */
      break;
    case PLAN_FUNC_MOD:
      if (y == 0)
        return FALSE;
      r = y == -1 ? 0 : x % y;
      break;
    default:
      return FALSE;
    }
  if (is_int && (r < G_MININT32 || r > G_MAXINT32))
    return FALSE;
  *out = r;
  return TRUE;
}

/* DOUBLE x op y; FALSE on a zero divisor (an error in the engine) and for results that are
 * not finite, which are left to the engine. */
static gboolean
arith_double (PlanFunc f, double x, double y, double *out)
{
  switch ((int) f)
    {
    case PLAN_FUNC_ADD:
      *out = x + y;
      break;
    case PLAN_FUNC_SUB:
      *out = x - y;
      break;
    case PLAN_FUNC_MUL:
      *out = x * y;
      break;
    case PLAN_FUNC_DIV:
      if (y == 0)
        return FALSE;
      *out = x / y;
      break;
    case PLAN_FUNC_MOD:
      if (y == 0)
        return FALSE;
      *out = fmod (x, y);
      break;
    default:
      return FALSE;
    }
  return isfinite (*out);
}

/* A DECIMAL operand: its scaled value and scale (an INT or BIGINT has scale 0). */
static gboolean
dec_operand (const PlanExpr *x, gint64 *v, int *scale)
{
  if (is_value (x, PLAN_TYPE_DECIMAL) && x->type.scale <= 18)
    *scale = x->type.scale;
  else if (is_value (x, PLAN_TYPE_INT) || is_value (x, PLAN_TYPE_BIGINT))
    *scale = 0;
  else
    return FALSE;
  *v = x->u.literal.v.i;
  return TRUE;
}

/* DECIMAL x op y of type rt, as the engine computes it: + - % on both operands rescaled to
 * the result's scale (within 18 digits), * and / on the operands' own scales with the
 * result rounded half up to rt's scale; then the result must fit rt's precision. */
static gboolean
arith_decimal (PlanFunc f, const PlanExpr *x, const PlanExpr *y, PlanType rt, gint64 *out)
{
  gint64 limit = plan_dec_limit (rt.precision), a, b, r;
  int sa, sb, s = rt.scale;

  if (limit == 0 || s > 18 || !dec_operand (x, &a, &sa) || !dec_operand (y, &b, &sb))
    return FALSE;
  if (f == PLAN_FUNC_MUL)
    return plan_dec_multiply (a, b, s - (sa + sb), limit, out);
  if (f == PLAN_FUNC_DIV)
    return plan_dec_divide (a, b, s - sa + sb, limit, out);
  if (!plan_dec_rescale (a, s - sa, plan_num_pow10[18], &a)
      || !plan_dec_rescale (b, s - sb, plan_num_pow10[18], &b))
    return FALSE;
  if (f == PLAN_FUNC_ADD)
    return !__builtin_add_overflow (a, b, &r) && plan_dec_narrow (r, limit, out);
  if (f == PLAN_FUNC_SUB)
    return !__builtin_sub_overflow (a, b, &r) && plan_dec_narrow (r, limit, out);
  if (f != PLAN_FUNC_MOD || b == 0)
    return FALSE;
  return plan_dec_narrow (b == -1 ? 0 : a % b, limit, out);
}

static PlanExpr *
fold_arith (PlanExpr *e)
{
  PlanFunc f = e->u.call.func;
  PlanTypeKind kind = e->type.kind;
  const PlanExpr *x, *y;
  gint64 i;
  double d;

  if (e->u.call.n_args != 2 || !is_literal (e->u.call.args[0])
      || !is_literal (e->u.call.args[1]))
    return NULL;
  if (kind != PLAN_TYPE_INT && kind != PLAN_TYPE_BIGINT && kind != PLAN_TYPE_DOUBLE
      && kind != PLAN_TYPE_DECIMAL)
    return NULL;
  x = e->u.call.args[0];
  y = e->u.call.args[1];
  if (is_null_literal (x) || is_null_literal (y))
    return null_new (e->type, e->span);
  if (kind == PLAN_TYPE_DECIMAL)
    return arith_decimal (f, x, y, e->type, &i) ? int_new (e->type, i, e->span) : NULL;
  if (!is_value (x, kind) || !is_value (y, kind))
    return NULL;
  if (kind == PLAN_TYPE_DOUBLE)
    return arith_double (f, x->u.literal.v.d, y->u.literal.v.d, &d)
           ? double_new (e->type, d, e->span) : NULL;
  return arith_integer (f, x->u.literal.v.i, y->u.literal.v.i, kind == PLAN_TYPE_INT, &i)
         ? int_new (e->type, i, e->span) : NULL;
}

static PlanExpr *
fold_neg (PlanExpr *e)
{
  const PlanExpr *x;
  PlanTypeKind kind = e->type.kind;
  gint64 v;

  if (e->u.call.n_args != 1 || !is_literal (e->u.call.args[0]))
    return NULL;
  x = e->u.call.args[0];
  if (kind != PLAN_TYPE_INT && kind != PLAN_TYPE_BIGINT && kind != PLAN_TYPE_DOUBLE
      && kind != PLAN_TYPE_DECIMAL && kind != PLAN_TYPE_INTERVAL)
    return NULL;
  if (is_null_literal (x))
    return null_new (e->type, e->span);
  if (!is_value (x, kind) || !types_match (x->type, e->type))
    return NULL;
  if (kind == PLAN_TYPE_DOUBLE)
    return double_new (e->type, -x->u.literal.v.d, e->span);
  v = x->u.literal.v.i;
  if (v == (kind == PLAN_TYPE_INT ? G_MININT32 : G_MININT64))
    return NULL; /* overflow: the engine reports it */
  return int_new (e->type, -v, e->span);
}

/* ---- comparisons ------------------------------------------------------------------------ */

/* Bytewise, as the engine compares VARCHAR (UTF-8 byte order is code point order). */
static int
compare_text (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  int c = memcmp (a, b, MIN (la, lb));

  return c ? (c > 0) - (c < 0) : (la > lb) - (la < lb);
}

static gboolean
compare_result (PlanFunc f, int c)
{
  switch ((int) f)
    {
    case PLAN_FUNC_EQ:
      return c == 0;
    case PLAN_FUNC_NE:
      return c != 0;
    case PLAN_FUNC_LT:
      return c < 0;
    case PLAN_FUNC_LE:
      return c <= 0;
    case PLAN_FUNC_GT:
      return c > 0;
    default:
      return c >= 0;
    }
}

/* DOUBLE comparisons keep C's (IEEE) answers for NaN, as the engine's kernels do. */
static gboolean
compare_doubles (PlanFunc f, double a, double b)
{
  switch ((int) f)
    {
    case PLAN_FUNC_EQ:
      return a == b;
    case PLAN_FUNC_NE:
      return a != b;
    case PLAN_FUNC_LT:
      return a < b;
    case PLAN_FUNC_LE:
      return a <= b;
    case PLAN_FUNC_GT:
      return a > b;
    default:
      return a >= b;
    }
}

/* Only operands of one type (as the binder leaves them) are compared: any other pair is
 * converted by the engine first, which may fail. */
static PlanExpr *
fold_compare (PlanExpr *e)
{
  const PlanExpr *x, *y;
  PlanTypeKind kind;
  gint64 a, b;

  if (e->u.call.n_args != 2 || e->type.kind != PLAN_TYPE_BOOLEAN
      || !is_literal (e->u.call.args[0]) || !is_literal (e->u.call.args[1]))
    return NULL;
  x = e->u.call.args[0];
  y = e->u.call.args[1];
  kind = x->type.kind;
  if ((is_null_literal (x) || is_null_literal (y))
      && (kind == y->type.kind || kind == PLAN_TYPE_NULL || y->type.kind == PLAN_TYPE_NULL))
    return null_new (e->type, e->span);
  if (!is_value (x, kind) || !is_value (y, kind) || !types_match (x->type, y->type))
    return NULL;
  if (kind == PLAN_TYPE_DOUBLE)
    return bool_new (e->type, compare_doubles (e->u.call.func, x->u.literal.v.d,
                                               y->u.literal.v.d), e->span);
  if (kind == PLAN_TYPE_VARCHAR)
    return bool_new (e->type, compare_result (e->u.call.func,
                                              compare_text (x->u.literal.v.s, y->u.literal.v.s)),
                     e->span);
  a = kind == PLAN_TYPE_BOOLEAN ? x->u.literal.v.b != 0 : x->u.literal.v.i;
  b = kind == PLAN_TYPE_BOOLEAN ? y->u.literal.v.b != 0 : y->u.literal.v.i;
  return bool_new (e->type, compare_result (e->u.call.func, (a > b) - (a < b)), e->span);
}

/* ---- logic ------------------------------------------------------------------------------ */

/* A call of func over the expressions in args, whose refs it takes (args is left empty). */
static PlanExpr *
call_from (PlanFunc func, PlanType type, GPtrArray *args, PlanSpan span)
{
  guint n = args->len;
  g_autofree PlanExpr **v = (PlanExpr **) g_ptr_array_steal (args, NULL);

  return plan_expr_call (func, type, n, v, span);
}

/* TRUE when evaluating e can raise no error for any row: columns, literals, and
 * comparisons, logic and IS tests over such operands, all of one type (mixed types are
 * converted by the engine, which may fail). Conservative: FALSE for anything else. */
static gboolean
never_fails (const PlanExpr *e)
{
  PlanExpr *const *args;

  if (e->kind != PLAN_EXPR_CALL)
    return TRUE;
  args = e->u.call.args;
  switch ((int) e->u.call.func)
    {
    case PLAN_FUNC_EQ: case PLAN_FUNC_NE: case PLAN_FUNC_LT: case PLAN_FUNC_LE:
    case PLAN_FUNC_GT: case PLAN_FUNC_GE: case PLAN_FUNC_IS_DISTINCT_FROM:
    case PLAN_FUNC_IS_NOT_DISTINCT_FROM: case PLAN_FUNC_IS_NULL: case PLAN_FUNC_IS_NOT_NULL:
      break;
    case PLAN_FUNC_AND: case PLAN_FUNC_OR: case PLAN_FUNC_NOT: case PLAN_FUNC_IS_TRUE:
    case PLAN_FUNC_IS_FALSE:
      for (guint i = 0; i < e->u.call.n_args; i++)
        if (args[i]->type.kind != PLAN_TYPE_BOOLEAN && args[i]->type.kind != PLAN_TYPE_NULL)
          return FALSE;
      break;
    default:
      return FALSE;
    }
  for (guint i = 0; i < e->u.call.n_args; i++)
    if (!types_match (args[i]->type, args[0]->type) || !never_fails (args[i]))
      return FALSE;
  return TRUE;
}

/* NOT, IS [NOT] NULL, IS TRUE, IS FALSE of a literal. */
static PlanExpr *
fold_test (PlanExpr *e)
{
  PlanFunc f = e->u.call.func;
  const PlanExpr *x;
  gboolean null, b;

  if (e->u.call.n_args != 1 || e->type.kind != PLAN_TYPE_BOOLEAN
      || !is_literal (e->u.call.args[0]))
    return NULL;
  x = e->u.call.args[0];
  null = is_null_literal (x);
  if (f == PLAN_FUNC_IS_NULL || f == PLAN_FUNC_IS_NOT_NULL)
    return bool_new (e->type, null == (f == PLAN_FUNC_IS_NULL), e->span);
  if (!null && !is_value (x, PLAN_TYPE_BOOLEAN))
    return NULL; /* the engine would convert it to BOOLEAN first */
  b = !null && x->u.literal.v.b;
  if (f == PLAN_FUNC_NOT)
    return null ? null_new (e->type, e->span) : bool_new (e->type, !b, e->span);
  return bool_new (e->type, !null && (f == PLAN_FUNC_IS_TRUE ? b : !b), e->span);
}

/* AND / OR, left to right as the engine evaluates them. The deciding value (FALSE in an
 * AND, TRUE in an OR) decides the whole when every operand before it cannot fail; the
 * operands after it are dropped either way, since the engine evaluates them for no row.
 * The neutral value is dropped. What remains is one operand (when it is BOOLEAN), NULL
 * when only NULL literals remain, or a shorter call. */
static PlanExpr *
fold_and_or (PlanExpr *e)
{
  gboolean is_or = e->u.call.func == PLAN_FUNC_OR, safe = TRUE, only_nulls = TRUE;
  guint n = e->u.call.n_args;
  g_autoptr (GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);

  if (e->type.kind != PLAN_TYPE_BOOLEAN || n < 2)
    return NULL;
  for (guint i = 0; i < n; i++)
    {
      PlanExpr *arg = e->u.call.args[i];

      if (is_bool_value (arg, is_or) && safe)
        return bool_new (e->type, is_or, e->span);
      if (is_bool_value (arg, !is_or))
        continue;
      g_ptr_array_add (keep, plan_expr_ref (arg));
      if (is_bool_value (arg, is_or))
        break;
      only_nulls = only_nulls && is_null_literal (arg);
      safe = safe && never_fails (arg)
             && (arg->type.kind == PLAN_TYPE_BOOLEAN || is_null_literal (arg));
    }
  if (keep->len == n)
    return NULL;
  if (keep->len == 0)
    return bool_new (e->type, !is_or, e->span);
  if (only_nulls)
    return null_new (e->type, e->span);
  if (keep->len == 1)
    {
      PlanExpr *only = g_ptr_array_index (keep, 0);

      return only->type.kind == PLAN_TYPE_BOOLEAN ? plan_expr_ref (only) : NULL;
    }
  return call_from (e->u.call.func, e->type, keep, e->span);
}

/* ---- CASE and COALESCE ------------------------------------------------------------------ */

static PlanExpr *fold_call (PlanExpr *e);

/* value (borrowed) as the result of an expression of type spanning span: a literal is
 * copied at span; another expression stays itself when its type matches, else it gets the
 * CAST the engine would apply to it (folded when it can be). Newly referenced. */
static PlanExpr *
as_result (PlanExpr *value, PlanType type, PlanSpan span)
{
  PlanExpr *cast, *folded;
  PlanValue v;

  if (is_null_literal (value))
    return null_new (type, span);
  if (is_literal (value) && types_match (value->type, type) && is_value (value, type.kind))
    {
      plan_value_copy (&v, &value->u.literal);
      return literal_new (type, &v, span);
    }
  if (!is_literal (value) && types_match (value->type, type))
    return plan_expr_ref (value);
  value = plan_expr_ref (value);
  cast = plan_expr_call (PLAN_FUNC_CAST, type, 1, &value, span);
  folded = fold_call (cast);
  if (folded == NULL)
    return cast;
  plan_expr_unref (cast);
  return folded;
}

/* CASE WHEN c1 THEN v1 ... [ELSE v] END: a branch whose condition is FALSE or NULL never
 * applies and goes; the first TRUE condition makes its value the ELSE and the branches
 * after it go (the engine evaluates them for no row). With no branch left, the ELSE (or
 * NULL) is the result. */
static PlanExpr *
fold_case (PlanExpr *e)
{
  guint n = e->u.call.n_args;
  PlanExpr *const *args = e->u.call.args;
  PlanExpr *otherwise = n % 2 ? args[n - 1] : NULL;
  g_autoptr (GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  gboolean changed = FALSE;

  if (n < 2)
    return NULL;
  for (guint k = 0; k + 1 < n; k += 2)
    {
      if (is_bool_value (args[k], TRUE))
        {
          otherwise = args[k + 1];
          changed = TRUE;
          break;
        }
      if (is_bool_value (args[k], FALSE) || is_null_literal (args[k]))
        {
          changed = TRUE;
          continue;
        }
      g_ptr_array_add (keep, plan_expr_ref (args[k]));
      g_ptr_array_add (keep, plan_expr_ref (args[k + 1]));
    }
  if (!changed)
    return NULL;
  if (keep->len == 0)
    return otherwise ? as_result (otherwise, e->type, e->span) : null_new (e->type, e->span);
  if (otherwise)
    g_ptr_array_add (keep, plan_expr_ref (otherwise));
  return call_from (PLAN_FUNC_CASE, e->type, keep, e->span);
}

/* COALESCE(v1, ...): leading NULL literals go, and so does everything after the first
 * non-NULL literal (the engine evaluates it for no row). */
static PlanExpr *
fold_coalesce (PlanExpr *e)
{
  guint n = e->u.call.n_args, first = 0, end;
  PlanExpr *const *args = e->u.call.args;
  PlanExpr **kept;

  while (first < n && is_null_literal (args[first]))
    first++;
  if (first == n)
    return n ? null_new (e->type, e->span) : NULL;
  for (end = first; end < n && (!is_literal (args[end]) || is_null_literal (args[end])); end++)
    ;
  end = MIN (end + 1, n);
  if (end - first == n)
    return NULL;
  if (end - first == 1)
    return as_result (args[first], e->type, e->span);
  kept = g_new (PlanExpr *, end - first);
  for (guint i = first; i < end; i++)
    kept[i - first] = plan_expr_ref (args[i]);
  e = plan_expr_call (PLAN_FUNC_COALESCE, e->type, end - first, kept, e->span);
  g_free (kept);
  return e;
}

/* ---- strings ---------------------------------------------------------------------------- */

/* UPPER / LOWER as the engine does them: valid UTF-8 with non-ASCII text through GLib's
 * Unicode tables, anything else byte by byte in ASCII. */
static char *
change_case (const char *s, gboolean upper)
{
  gsize len = strlen (s);
  gboolean ascii = TRUE;
  char *out;

  for (gsize i = 0; i < len; i++)
    ascii = ascii && (guchar) s[i] < 0x80;
  if (!ascii && g_utf8_validate_len (s, len, NULL))
    return upper ? g_utf8_strup (s, (gssize) len) : g_utf8_strdown (s, (gssize) len);
  out = g_strdup (s);
  for (gsize i = 0; i < len; i++)
    out[i] = upper ? g_ascii_toupper (out[i]) : g_ascii_tolower (out[i]);
  return out;
}

/* Characters, counted as the engine counts them: bytes that do not continue a sequence. */
static gint64
char_length (const char *s)
{
  gint64 n = 0;

  for (; *s; s++)
    n += ((guchar) *s & 0xc0) != 0x80;
  return n;
}

/* UPPER, LOWER, CHAR_LENGTH and CONCAT of VARCHAR literals (NULL in, NULL out). */
static PlanExpr *
fold_string (PlanExpr *e)
{
  PlanFunc f = e->u.call.func;
  guint n = e->u.call.n_args;
  PlanExpr *const *args = e->u.call.args;
  gboolean null = FALSE;
  GString *out;

  if (n == 0 || (f != PLAN_FUNC_CONCAT && n != 1)
      || e->type.kind != (f == PLAN_FUNC_CHAR_LENGTH ? PLAN_TYPE_INT : PLAN_TYPE_VARCHAR))
    return NULL;
  for (guint i = 0; i < n; i++)
    {
      if (!is_null_literal (args[i]) && !is_value (args[i], PLAN_TYPE_VARCHAR))
        return NULL;
      null = null || is_null_literal (args[i]);
    }
  if (null)
    return null_new (e->type, e->span);
  if (f == PLAN_FUNC_CHAR_LENGTH)
    return int_new (e->type, char_length (args[0]->u.literal.v.s), e->span);
  if (f != PLAN_FUNC_CONCAT)
    return string_new (e->type, change_case (args[0]->u.literal.v.s, f == PLAN_FUNC_UPPER),
                       e->span);
  out = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    g_string_append (out, args[i]->u.literal.v.s);
  return string_new (e->type, g_string_free (out, FALSE), e->span);
}

/* ---- the walk --------------------------------------------------------------------------- */

/* The folded form of call e, whose arguments are folded already; NULL when it stays. */
static PlanExpr *
fold_call (PlanExpr *e)
{
  switch ((int) e->u.call.func)
    {
    case PLAN_FUNC_CAST:
      return fold_cast (e);
    case PLAN_FUNC_ADD: case PLAN_FUNC_SUB: case PLAN_FUNC_MUL: case PLAN_FUNC_DIV:
    case PLAN_FUNC_MOD:
      return fold_arith (e);
    case PLAN_FUNC_NEG:
      return fold_neg (e);
    case PLAN_FUNC_EQ: case PLAN_FUNC_NE: case PLAN_FUNC_LT: case PLAN_FUNC_LE:
    case PLAN_FUNC_GT: case PLAN_FUNC_GE:
      return fold_compare (e);
    case PLAN_FUNC_AND: case PLAN_FUNC_OR:
      return fold_and_or (e);
    case PLAN_FUNC_NOT: case PLAN_FUNC_IS_NULL: case PLAN_FUNC_IS_NOT_NULL:
    case PLAN_FUNC_IS_TRUE: case PLAN_FUNC_IS_FALSE:
      return fold_test (e);
    case PLAN_FUNC_CASE:
      return fold_case (e);
    case PLAN_FUNC_COALESCE:
      return fold_coalesce (e);
    case PLAN_FUNC_UPPER: case PLAN_FUNC_LOWER: case PLAN_FUNC_CHAR_LENGTH:
    case PLAN_FUNC_CONCAT:
      return fold_string (e);
    default: /* CURRENT_TIMESTAMP (read at run time) and the functions without a rule */
      return NULL;
    }
}

/* e folded bottom-up: a new ref, to e itself when nothing changed. */
static PlanExpr *
fold_expr (PlanExpr *e)
{
  guint n;
  g_autofree PlanExpr **args = NULL;
  gboolean changed = FALSE;
  PlanExpr *call, *folded;

  if (e->kind != PLAN_EXPR_CALL)
    return plan_expr_ref (e);
  n = e->u.call.n_args;
  args = g_new0 (PlanExpr *, n ? n : 1);
  for (guint i = 0; i < n; i++)
    {
      args[i] = fold_expr (e->u.call.args[i]);
      changed = changed || args[i] != e->u.call.args[i];
    }
  if (changed)
    call = plan_expr_call (e->u.call.func, e->type, n, args, e->span);
  else
    {
      for (guint i = 0; i < n; i++)
        plan_expr_unref (args[i]);
      call = plan_expr_ref (e);
    }
  folded = fold_call (call);
  if (folded == NULL)
    return call;
  plan_expr_unref (call);
  return folded;
}

static PlanNode *fold_node (PlanNode *node);

/* node's inputs folded into inputs (new refs); TRUE when one changed. */
static gboolean
fold_inputs (PlanNode *node, PlanNode **inputs)
{
  gboolean changed = FALSE;

  for (guint i = 0; i < node->n_inputs; i++)
    {
      inputs[i] = fold_node (node->inputs[i]);
      changed = changed || inputs[i] != node->inputs[i];
    }
  return changed;
}

/* A FILTER over its folded input: gone when its condition folds to TRUE. */
static PlanNode *
fold_filter (PlanNode *node, PlanNode **inputs, gboolean changed)
{
  PlanExpr *cond = fold_expr (node->u.filter.condition);
  PlanNode *copy;

  if (is_bool_value (cond, TRUE))
    {
      plan_expr_unref (cond);
      return inputs[0];
    }
  if (!changed && cond == node->u.filter.condition)
    {
      plan_expr_unref (cond);
      plan_node_unref (inputs[0]);
      return plan_node_ref (node);
    }
  copy = opt__node_with_inputs (node, inputs);
  plan_expr_unref (copy->u.filter.condition);
  copy->u.filter.condition = cond;
  return copy;
}

/* A SCAN's pushed filter folded; dropped when it folds to TRUE. */
static PlanNode *
fold_scan (PlanNode *node)
{
  PlanExpr *cond;
  PlanNode *copy;

  if (node->u.scan.filter == NULL)
    return plan_node_ref (node);
  cond = fold_expr (node->u.scan.filter);
  if (cond == node->u.scan.filter)
    {
      plan_expr_unref (cond);
      return plan_node_ref (node);
    }
  copy = opt__node_with_inputs (node, NULL);
  plan_expr_unref (copy->u.scan.filter);
  copy->u.scan.filter = cond;
  if (is_bool_value (cond, TRUE))
    g_clear_pointer (&copy->u.scan.filter, plan_expr_unref);
  return copy;
}

static PlanNode *
fold_project (PlanNode *node, PlanNode **inputs, gboolean changed)
{
  guint n = node->u.project.n_exprs;
  g_autofree PlanExpr **exprs = g_new0 (PlanExpr *, n ? n : 1);
  PlanNode *copy;

  for (guint i = 0; i < n; i++)
    {
      exprs[i] = fold_expr (node->u.project.exprs[i]);
      changed = changed || exprs[i] != node->u.project.exprs[i];
    }
  if (!changed)
    {
      for (guint i = 0; i < n; i++)
        plan_expr_unref (exprs[i]);
      plan_node_unref (inputs[0]);
      return plan_node_ref (node);
    }
  copy = opt__node_with_inputs (node, inputs);
  for (guint i = 0; i < n; i++)
    {
      plan_expr_unref (copy->u.project.exprs[i]);
      copy->u.project.exprs[i] = exprs[i];
    }
  return copy;
}

/* node folded bottom-up: a new ref, to node itself when nothing changed. */
static PlanNode *
fold_node (PlanNode *node)
{
  g_autofree PlanNode **inputs = g_new0 (PlanNode *, node->n_inputs ? node->n_inputs : 1);
  gboolean changed = fold_inputs (node, inputs);

  switch (node->kind)
    {
    case PLAN_NODE_SCAN:
      return fold_scan (node);
    case PLAN_NODE_FILTER:
      return fold_filter (node, inputs, changed);
    case PLAN_NODE_PROJECT:
      return fold_project (node, inputs, changed);
    case PLAN_NODE_VALUES:
    case PLAN_NODE_LIMIT:
    case PLAN_NODE_SINK:
    case PLAN_NODE_AGGREGATE: /* no expressions: keys and arguments are input columns */
    case PLAN_NODE_JOIN: /* its condition is left to the engine */
    case PLAN_NODE_SORT: /* added by sort: keys are input columns */
    case PLAN_NODE_WINDOW: /* added by windows: no expressions */
    case PLAN_NODE_UNION: /* added by rank: no expressions */
    case PLAN_NODE_RANK:
    default:
      if (changed)
        return opt__node_with_inputs (node, inputs);
      for (guint i = 0; i < node->n_inputs; i++)
        plan_node_unref (inputs[i]);
      return plan_node_ref (node);
    }
}

PlanNode *
opt_pass_constant_folding (PlanNode *root)
{
  g_return_val_if_fail (root != NULL, NULL);
  return fold_node (root);
}
