/* rt-expr.c: compiles bound expressions (PlanExpr trees) once into flat vectorized
 * programs and runs them over whole batches (DESIGN.md 4.1).
 *
 * Files. This file holds the compiler (trees to instructions) and the program runtime
 * (filter, gather, project) behind the API in rt-operator.h. The kernels are in
 * rt-expr-kernels.c (arithmetic, comparison, logic, casts, math, time) and
 * rt-expr-string.c (output strings, text functions, LIKE, numbers as text);
 * rt-expr-private.h holds what the three share.
 *
 * Slots and instructions. rt_program_new walks each tree once and emits a list of
 * instructions over numbered slots ("registers"). A slot is a vector of batch capacity
 * plus a validity bitmap: an input column (a zero-copy view of the batch's vector), a
 * constant (broadcast once), a temporary (allocated once per program, reused by every
 * batch) or an output column (the output batch's own vector, so the last instruction of
 * a projection writes its result in place). Each instruction is a kernel chosen at
 * compile time for its operation, storage type and operand shape (ADD_I64
 * vector-vector, GT_F64 vector-constant, ...): per batch that is one indirect call per
 * instruction and one tight loop; nothing switches on the tree per row.
 *
 * NULLs. A result's validity is the AND of its inputs' validity words, 64 rows per word
 * operation; values in NULL rows are computed but meaningless. Kernels that dereference
 * (strings) or can fail (division, overflow, casts from text) look only at valid rows.
 * AND/OR follow three-valued logic; IS [NOT] NULL, IS [NOT] DISTINCT FROM, CASE and
 * COALESCE compute validity themselves.
 *
 * Guards. CASE branches, COALESCE arguments and the right side of AND/OR matter only
 * for some rows, and users rely on that (CASE WHEN b = 0 THEN 0 ELSE a / b END). Every
 * instruction carries an optional guard slot whose validity bits are the rows where it
 * matters; the guard is ANDed into the result's validity, so errors come only from rows
 * that can affect the result. MASK instructions compute the guards.
 *
 * Filter, then project. The filter runs over all rows and yields a selection vector.
 * When every row passes, projections run straight over the input vectors. Otherwise
 * the input columns they read are gathered densely first and they run over the kept rows
 * only: no errors from rejected rows, and work proportional to the rows kept. Measured
 * with tests/bench/bench-expr.c (x > c, three BIGINT arithmetic columns, 1024-row
 * batches, one core): gathering first ran at 290M input rows/s keeping half the rows and
 * 480M keeping a tenth; computing every row and compacting afterwards at 195M and 250M.
 * Bare column projections are copied with one memcpy (or a gather under a selection)
 * and a program that keeps the input's columns as they are with every row selected
 * hands back the input batch itself.
 *
 * Strings. Results of string kernels go into the output batch's arena
 * (rt_batch_intern); SUBSTRING, TRIM and UPPER/LOWER of text that needs no change point
 * into their argument's bytes, and when projections read VARCHAR input columns the
 * output batch keeps the input (rt_batch_keep). During the filter phase strings go to a
 * scratch arena of the program that is reset per batch. String constants read by the
 * projections are interned into each output batch, which may outlive the program.
 *
 * Semantics worth knowing (Flink SQL is the reference, PostgreSQL where Flink is lax):
 * integer and DECIMAL overflow, division and MOD by zero (also DOUBLE) and bad casts
 * fail with RT_ERROR_EVAL naming the expression text and its line:column; BIGINT to INT
 * fails when out of range; DOUBLE to integer truncates and saturates as Java's (long)
 * cast (NaN gives 0); DECIMAL rescaling and ROUND round half up (away from zero);
 * ROUND(DOUBLE) rounds half away from zero on the shortest decimal form of the value,
 * as Flink's BigDecimal.valueOf(x).setScale(d, HALF_UP): ROUND(-2.5) = -3 and
 * ROUND(1.005, 2) = 1.01 (Java's Math.round would give -2); SQRT/LN of bad arguments
 * give NaN as in Flink; SUBSTRING follows Flink (start 0 means 1, a negative start
 * counts from the end); UPPER/LOWER map all of Unicode via GLib; TRIM strips spaces;
 * CURRENT_TIMESTAMP is local wall-clock time, read once per batch; ROUND's digits must
 * be a constant. */
#include "rt-expr-private.h"

#include <stdarg.h>
#include <string.h>

/* ---- compiler ---------------------------------------------------------------------- */

typedef struct {
  RtProgram *p;
  GArray *code;   /* borrowed: the phase's instruction list */
  gboolean proj;  /* compiling the projections (not the filter) */
} Compiler;

static gint compile (Compiler *c, const PlanExpr *e, gint guard, gint dst, GError **error);

static PlanType
ptype (PlanTypeKind kind)
{
  PlanType t = { kind, 0, kind == PLAN_TYPE_TIMESTAMP ? 3 : 0, TRUE };
  return t;
}

static PlanType
pdec (guint precision, guint scale)
{
  PlanType t = { PLAN_TYPE_DECIMAL, precision, scale, TRUE };
  return t;
}

static gint
slot_add (RtProgram *p, RtSlotRole role, PlanType type)
{
  RtSlot s = { 0 };
  s.role = role;
  s.type = type;
  g_array_append_val (p->slots, s);
  return (gint) p->slots->len - 1;
}

static PlanType
stype (Compiler *c, gint s)
{
  return SLOT (c->p, s)->type;
}

static gboolean
is_const (Compiler *c, gint s)
{
  return SLOT (c->p, s)->role == RT_SLOT_CONST;
}

static gboolean
same_type (PlanType a, PlanType b)
{
  return a.kind == b.kind && (a.kind != PLAN_TYPE_DECIMAL || a.scale == b.scale);
}

/* Where an instruction producing type t writes: dst when it has that type, else a new
 * temporary. */
static gint
want (Compiler *c, gint dst, PlanType t)
{
  return dst >= 0 && same_type (stype (c, dst), t) ? dst : slot_add (c->p, RT_SLOT_TEMP, t);
}

static RtInstr *
emit (Compiler *c, RtKernel fn, const PlanExpr *e, gint guard, gint dst, gint a, gint b)
{
  RtInstr in = { .fn = fn, .expr = e, .dst = dst, .a = a, .b = b, .c = -1, .guard = guard };
  g_array_append_val (c->code, in);
  return &g_array_index (c->code, RtInstr, c->code->len - 1);
}

static gpointer
aux_add (Compiler *c, gpointer blob)
{
  g_ptr_array_add (c->p->aux, blob);
  return blob;
}

static gint G_GNUC_PRINTF (4, 5)
unsupported (Compiler *c, const PlanExpr *e, GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *what = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_autofree char *text = plan_expr_to_string (e, c->p->input_schema);
  g_set_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED, "%s in '%s' (%u:%u)", what, text,
               e->span.line, e->span.col);
  return -1;
}

static gint
const_slot (Compiler *c, const PlanValue *v)
{
  gint s = slot_add (c->p, RT_SLOT_CONST, v->type);
  SLOT (c->p, s)->value = *v;
  SLOT (c->p, s)->proj = c->proj;
  if (c->proj && v->type.kind == PLAN_TYPE_VARCHAR && !v->is_null)
    g_array_append_val (c->p->proj_strs, s);
  return s;
}

static gint
null_slot (Compiler *c, PlanType t)
{
  PlanValue v = { 0 };
  v.type = t;
  v.is_null = TRUE;
  return const_slot (c, &v);
}

static gint
column_slot (Compiler *c, guint j, gboolean gather, GError **error)
{
  RtProgram *p = c->p;
  if (j >= p->input_schema->n_fields)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL,
                   "expression reads column %u but the input has %u columns", j,
                   p->input_schema->n_fields);
      return -1;
    }
  if (p->col_slot[j] < 0)
    {
      gint s = slot_add (p, RT_SLOT_COLUMN, p->input_schema->fields[j].type);
      SLOT (p, s)->index = j;
      p->col_slot[j] = s;
    }
  if (gather)
    SLOT (p, p->col_slot[j])->gather = TRUE;
  return p->col_slot[j];
}

/* The kernel converting from -> to and its immediates, or NULL when there is no cast. */
static RtKernel
cast_kernel (PlanType from, PlanType to, gint64 *k, gint64 *k2)
{
  PlanTypeKind fk = from.kind, tk = to.kind;
  RtStorage ts = storage_of (tk);
  gboolean f_int = fk == PLAN_TYPE_INT || fk == PLAN_TYPE_BIGINT;
  gboolean t_int = tk == PLAN_TYPE_INT || tk == PLAN_TYPE_BIGINT;
  if (fk == PLAN_TYPE_VARCHAR)
    return tk != PLAN_TYPE_INTERVAL && tk != PLAN_TYPE_NULL ? rt__k_from_str : NULL;
  if (tk == PLAN_TYPE_VARCHAR)
    return rt__k_to_str;
  if (fk == PLAN_TYPE_BOOLEAN && (t_int || tk == PLAN_TYPE_DOUBLE || tk == PLAN_TYPE_DECIMAL))
    {
      *k = ts;
      *k2 = tk == PLAN_TYPE_DECIMAL ? plan_num_pow10[MIN (to.scale, 18)] : 1;
      return rt__k_bool_to_num;
    }
  if (tk == PLAN_TYPE_BOOLEAN && (f_int || fk == PLAN_TYPE_DECIMAL || fk == PLAN_TYPE_DOUBLE))
    {
      *k = storage_of (fk);
      return rt__k_num_to_bool;
    }
  if (fk == PLAN_TYPE_INT && tk == PLAN_TYPE_BIGINT)
    return rt__k_i32_to_i64;
  if (fk == PLAN_TYPE_BIGINT && tk == PLAN_TYPE_INT)
    return rt__k_i64_to_i32;
  if (fk == PLAN_TYPE_DATE && tk == PLAN_TYPE_TIMESTAMP)
    return rt__k_date_to_ts;
  if (fk == PLAN_TYPE_TIMESTAMP && tk == PLAN_TYPE_DATE)
    return rt__k_ts_to_date;
  if (f_int && tk == PLAN_TYPE_DOUBLE)
    return *k = storage_of (fk), rt__k_int_to_f64;
  if (fk == PLAN_TYPE_DOUBLE && t_int)
    return *k = ts, rt__k_f64_to_int;
  if (fk == PLAN_TYPE_DECIMAL && (t_int || tk == PLAN_TYPE_DOUBLE))
    {
      *k = plan_num_pow10[MIN (from.scale, 18)];
      *k2 = ts;
      return t_int ? rt__k_dec_to_int : rt__k_dec_to_f64;
    }
  if ((f_int || fk == PLAN_TYPE_DECIMAL || fk == PLAN_TYPE_DOUBLE) && tk == PLAN_TYPE_DECIMAL)
    {
      *k = fk == PLAN_TYPE_DOUBLE ? to.scale
        : (gint64) to.scale - (fk == PLAN_TYPE_DECIMAL ? from.scale : 0);
      *k2 = plan_dec_limit (to.precision);
      return fk == PLAN_TYPE_DOUBLE ? rt__k_f64_to_dec : rt__k_dec_rescale;
    }
  return NULL;
}

/* Emits the conversion of slot src to type `to` (see the kernels for the rules). */
static gint
cast_slot (Compiler *c, gint src, PlanType to, gint guard, gint dst, const PlanExpr *e,
           GError **error)
{
  if (src < 0)
    return -1;
  PlanType from = stype (c, src);
  gint64 k = 0, k2 = 0;
  if (from.kind == PLAN_TYPE_NULL || (is_const (c, src) && SLOT (c->p, src)->value.is_null))
    return same_type (from, to) ? src : null_slot (c, to);
  if (same_type (from, to) && !(to.kind == PLAN_TYPE_DECIMAL && to.precision
                                && (!from.precision || to.precision < from.precision)))
    return src;
  RtKernel fn = cast_kernel (from, to, &k, &k2);
  if (!fn)
    {
      g_autofree char *f = plan_type_to_string (from, FALSE);
      g_autofree char *t = plan_type_to_string (to, FALSE);
      return unsupported (c, e, error, "cannot cast %s to %s", f, t);
    }
  if (from.kind == PLAN_TYPE_INT && fn == rt__k_dec_rescale)
    src = cast_slot (c, src, ptype (PLAN_TYPE_BIGINT), guard, -1, e, error);
  gint r = want (c, dst, to);
  RtInstr *in = emit (c, fn, e, guard, r, src, -1);
  in->k = k;
  in->k2 = k2;
  return r;
}

static gint
compile_as (Compiler *c, const PlanExpr *e, PlanType t, gint guard, GError **error)
{
  return cast_slot (c, compile (c, e, guard, -1, error), t, guard, -1, e, error);
}

/* Whether evaluating e can raise an error for some row (then a guard must protect it). */
static gboolean
can_fail (const PlanExpr *e)
{
  if (e->kind != PLAN_EXPR_CALL)
    return FALSE;
  switch ((int) e->u.call.func)
    {
    case PLAN_FUNC_ADD: case PLAN_FUNC_SUB: case PLAN_FUNC_MUL: case PLAN_FUNC_DIV:
    case PLAN_FUNC_MOD: case PLAN_FUNC_NEG: case PLAN_FUNC_CAST: case PLAN_FUNC_ABS:
    case PLAN_FUNC_ROUND: case PLAN_FUNC_FLOOR: case PLAN_FUNC_CEIL: case PLAN_FUNC_LIKE:
      return TRUE;
    default:
      break;
    }
  for (guint i = 0; i < e->u.call.n_args; i++)
    if (can_fail (e->u.call.args[i])
        || e->u.call.args[i]->type.kind != e->u.call.args[0]->type.kind)
      return TRUE;
  return FALSE;
}

/* ---- compiling operators ----------------------------------------------------------- */

/* a OP b over slots of the storage of rt (I32, I64 or F64). */
static gint
emit_arith (Compiler *c, const PlanExpr *e, PlanFunc f, gint a, gint b, gint guard, gint dst,
            PlanType rt)
{
  RtStorage st = storage_of (rt.kind);
  guint si = st == RT_ST_I32 ? 0 : st == RT_ST_I64 ? 1 : 2;
  RtKernel fn;
  if (a < 0 || b < 0)
    return -1;
  if ((f == PLAN_FUNC_ADD || f == PLAN_FUNC_MUL) && is_const (c, a) && !is_const (c, b))
    {
      gint t = a;
      a = b;
      b = t;
    }
  if (f == PLAN_FUNC_DIV)
    fn = si == 0 ? rt__k_div_i32 : si == 1 ? rt__k_div_i64 : rt__k_div_f64;
  else if (f == PLAN_FUNC_MOD)
    fn = si == 0 ? rt__k_mod_i32 : si == 1 ? rt__k_mod_i64 : rt__k_mod_f64;
  else
    fn = rt__arith_tab[f - PLAN_FUNC_ADD][si][is_const (c, b)];
  gint r = want (c, dst, rt);
  emit (c, fn, e, guard, r, a, b);
  return r;
}

/* A slot as 64-bit integers: BIGINT, DECIMAL, TIMESTAMP, INTERVAL as they are, INT
 * widened, DATE as a TIMESTAMP. */
static gint
i64_view (Compiler *c, gint s, gint guard, const PlanExpr *e, GError **error)
{
  if (s < 0 || storage_of (stype (c, s).kind) == RT_ST_I64)
    return s;
  PlanTypeKind k = stype (c, s).kind;
  return cast_slot (c, s, ptype (k == PLAN_TYPE_DATE ? PLAN_TYPE_TIMESTAMP : PLAN_TYPE_BIGINT),
                    guard, -1, e, error);
}

static gint
compile_decimal (Compiler *c, const PlanExpr *e, gint guard, gint dst, GError **error)
{
  PlanFunc f = e->u.call.func;
  PlanType rt = e->type;
  gint a, b, r;
  if (f != PLAN_FUNC_MUL && f != PLAN_FUNC_DIV)
    {
      a = compile_as (c, e->u.call.args[0], pdec (18, rt.scale), guard, error);
      b = a < 0 ? -1 : compile_as (c, e->u.call.args[1], pdec (18, rt.scale), guard, error);
      r = emit_arith (c, e, f, a, b, guard, dst, rt);
      if (r >= 0 && plan_dec_limit (rt.precision))
        emit (c, rt__k_check_prec, e, guard, -1, r, -1)->k = plan_dec_limit (rt.precision);
      return r;
    }
  gint sc[2];
  gint s[2];
  for (guint i = 0; i < 2; i++)
    {
      s[i] = compile (c, e->u.call.args[i], guard, -1, error);
      if (s[i] >= 0 && stype (c, s[i]).kind != PLAN_TYPE_DECIMAL
          && stype (c, s[i]).kind != PLAN_TYPE_BIGINT)
        s[i] = cast_slot (c, s[i], stype (c, s[i]).kind == PLAN_TYPE_INT
                          ? ptype (PLAN_TYPE_BIGINT) : pdec (18, rt.scale), guard, -1,
                          e->u.call.args[i], error);
      if (s[i] < 0)
        return -1;
      sc[i] = stype (c, s[i]).kind == PLAN_TYPE_DECIMAL ? stype (c, s[i]).scale : 0;
    }
  r = want (c, dst, rt);
  RtInstr *in = emit (c, rt__k_dec_muldiv, e, guard, r, s[0], s[1]);
  in->k = f == PLAN_FUNC_MUL ? rt.scale - (sc[0] + sc[1]) : rt.scale - sc[0] + sc[1];
  in->k2 = plan_dec_limit (rt.precision);
  return r;
}

static gint
compile_arith (Compiler *c, const PlanExpr *e, gint guard, gint dst, GError **error)
{
  PlanFunc f = e->u.call.func;
  PlanType rt = e->type;
  const PlanExpr *ea = e->u.call.args[0], *eb = e->u.call.args[1];
  gint a, b, r;
  switch (rt.kind)
    {
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DOUBLE:
      a = compile_as (c, ea, rt, guard, error);
      b = a < 0 ? -1 : compile_as (c, eb, rt, guard, error);
      return emit_arith (c, e, f, a, b, guard, dst, rt);
    case PLAN_TYPE_DECIMAL:
      return compile_decimal (c, e, guard, dst, error);
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      a = i64_view (c, compile (c, ea, guard, -1, error), guard, ea, error);
      b = a < 0 ? -1 : i64_view (c, compile (c, eb, guard, -1, error), guard, eb, error);
      return emit_arith (c, e, f, a, b, guard, dst, rt);
    case PLAN_TYPE_DATE:
      a = compile (c, ea, guard, -1, error);
      b = a < 0 ? -1 : compile (c, eb, guard, -1, error);
      if (b < 0)
        return -1;
      if (stype (c, a).kind != PLAN_TYPE_INTERVAL && stype (c, b).kind != PLAN_TYPE_INTERVAL)
        {
          if (stype (c, a).kind != PLAN_TYPE_DATE)
            a = cast_slot (c, a, ptype (PLAN_TYPE_INT), guard, -1, ea, error);
          if (stype (c, b).kind != PLAN_TYPE_DATE)
            b = cast_slot (c, b, ptype (PLAN_TYPE_INT), guard, -1, eb, error);
          return emit_arith (c, e, f, a, b, guard, dst, rt);
        }
      r = emit_arith (c, e, f, i64_view (c, a, guard, ea, error),
                      i64_view (c, b, guard, eb, error), guard, -1, ptype (PLAN_TYPE_TIMESTAMP));
      return cast_slot (c, r, rt, guard, dst, e, error);
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_BOOLEAN:
    case PLAN_TYPE_VARCHAR:
      break;
    }
  return unsupported (c, e, error, "arithmetic on %s", plan_type_kind_name (rt.kind));
}

static gint
compile_neg_abs (Compiler *c, const PlanExpr *e, gint guard, gint dst, GError **error)
{
  PlanType rt = e->type;
  RtStorage st = storage_of (rt.kind);
  if (st != RT_ST_I32 && st != RT_ST_I64 && st != RT_ST_F64)
    return unsupported (c, e, error, "%s of %s", plan_func_name (e->u.call.func),
                        plan_type_kind_name (rt.kind));
  gint a = compile_as (c, e->u.call.args[0], rt, guard, error);
  if (a < 0)
    return -1;
  gint r = want (c, dst, rt);
  emit (c, e->u.call.func == PLAN_FUNC_NEG ? rt__k_neg : rt__k_abs, e, guard, r, a, -1)->k = st;
  return r;
}

static int
numeric_rank (PlanTypeKind k)
{
  return k == PLAN_TYPE_INT ? 1 : k == PLAN_TYPE_BIGINT ? 2 : k == PLAN_TYPE_DECIMAL ? 3
    : k == PLAN_TYPE_DOUBLE ? 4 : 0;
}

/* The type two DECIMALs meet in, by Flink's rule: the larger scale, and room for the larger
 * count of integer digits on top of it (capped at the 18 digits a DECIMAL holds here; an
 * unknown precision counts as 18). Converting either operand to it never drops a digit, so
 * a narrow column compares with a wide literal whatever their precisions. */
static PlanType
common_decimal (PlanType a, PlanType b)
{
  guint pa = a.precision ? a.precision : 18, pb = b.precision ? b.precision : 18;
  guint scale = MAX (a.scale, b.scale);
  guint whole = MAX (pa > a.scale ? pa - a.scale : 0, pb > b.scale ? pb - b.scale : 0);
  return pdec (MIN (whole + scale, 18), scale);
}

static gboolean
common_type (PlanType a, PlanType b, PlanType *out)
{
  int ra = numeric_rank (a.kind), rb = numeric_rank (b.kind);
  *out = a.kind == PLAN_TYPE_NULL || a.kind == PLAN_TYPE_VARCHAR ? b : a;
  if (a.kind == b.kind || a.kind == PLAN_TYPE_NULL || b.kind == PLAN_TYPE_NULL
      || a.kind == PLAN_TYPE_VARCHAR || b.kind == PLAN_TYPE_VARCHAR)
    {
      if (a.kind == b.kind && a.kind == PLAN_TYPE_DECIMAL)
        *out = common_decimal (a, b);
      return TRUE;
    }
  if (ra && rb)
    {
      *out = ra > rb ? a : b;
      if (out->kind == PLAN_TYPE_DECIMAL)
        *out = pdec (18, (a.kind == PLAN_TYPE_DECIMAL ? a.scale : 0)
                     + (b.kind == PLAN_TYPE_DECIMAL ? b.scale : 0));
      return TRUE;
    }
  if ((a.kind == PLAN_TYPE_DATE || a.kind == PLAN_TYPE_TIMESTAMP)
      && (b.kind == PLAN_TYPE_DATE || b.kind == PLAN_TYPE_TIMESTAMP))
    {
      *out = ptype (PLAN_TYPE_TIMESTAMP);
      return TRUE;
    }
  return FALSE;
}

/* a OP b for a comparison op, after converting both to their common type. */
static gint
cmp_slots (Compiler *c, const PlanExpr *e, PlanFunc op, gint a, gint b, gint guard, gint dst,
           GError **error)
{
  PlanType t;
  if (a < 0 || b < 0)
    return -1;
  if (!common_type (stype (c, a), stype (c, b), &t))
    return unsupported (c, e, error, "cannot compare %s with %s",
                        plan_type_kind_name (stype (c, a).kind),
                        plan_type_kind_name (stype (c, b).kind));
  a = cast_slot (c, a, t, guard, -1, e, error);
  b = a < 0 ? -1 : cast_slot (c, b, t, guard, -1, e, error);
  if (b < 0)
    return -1;
  if (is_const (c, a) && !is_const (c, b))
    {
      static const PlanFunc mirror[] = { PLAN_FUNC_EQ, PLAN_FUNC_NE, PLAN_FUNC_GT, PLAN_FUNC_GE,
                                         PLAN_FUNC_LT, PLAN_FUNC_LE };
      gint tmp = a;
      a = b;
      b = tmp;
      op = mirror[op - PLAN_FUNC_EQ];
    }
  RtStorage st = storage_of (t.kind);
  gint r = want (c, dst, ptype (PLAN_TYPE_BOOLEAN));
  if (st == RT_ST_STR)
    emit (c, rt__k_cmp_str, e, guard, r, a, b)->k = op;
  else
    {
      guint si = st == RT_ST_I32 ? 1 : st == RT_ST_I64 ? 2 : st == RT_ST_F64 ? 3 : 0;
      emit (c, rt__cmp_tab[si][op - PLAN_FUNC_EQ][is_const (c, b)], e, guard, r, a, b);
    }
  return r;
}

static gint
emit_and_or (Compiler *c, const PlanExpr *e, gboolean is_or, gint a, gint b, gint guard,
             gint dst)
{
  if (a < 0 || b < 0)
    return -1;
  gint r = want (c, dst, ptype (PLAN_TYPE_BOOLEAN));
  emit (c, rt__k_and_or, e, guard, r, a, b)->k = is_or;
  return r;
}

/* AND / OR of any number of arguments; later arguments run under a guard of the rows
 * the earlier ones left undecided when they can fail. */
static gint
compile_logic (Compiler *c, const PlanExpr *e, gint guard, gint dst, GError **error)
{
  PlanType bt = ptype (PLAN_TYPE_BOOLEAN);
  gboolean is_or = e->u.call.func == PLAN_FUNC_OR;
  gint acc = compile_as (c, e->u.call.args[0], bt, guard, error);
  for (guint i = 1; acc >= 0 && i < e->u.call.n_args; i++)
    {
      const PlanExpr *arg = e->u.call.args[i];
      gint g = guard;
      if (can_fail (arg))
        {
          g = slot_add (c->p, RT_SLOT_TEMP, bt);
          emit (c, rt__k_mask, e, guard, g, acc, -1)->k = is_or ? RT_MASK_NOT_TRUE
            : RT_MASK_NOT_FALSE;
        }
      gint b = compile_as (c, arg, bt, g, error);
      acc = emit_and_or (c, e, is_or, acc, b, guard, i + 1 == e->u.call.n_args ? dst : -1);
    }
  return acc;
}

static gint
compile_is (Compiler *c, const PlanExpr *e, gint guard, gint dst, GError **error)
{
  PlanFunc f = e->u.call.func;
  gint a = compile (c, e->u.call.args[0], guard, -1, error);
  if (a >= 0 && (f == PLAN_FUNC_IS_TRUE || f == PLAN_FUNC_IS_FALSE || f == PLAN_FUNC_NOT))
    a = cast_slot (c, a, ptype (PLAN_TYPE_BOOLEAN), guard, -1, e, error);
  if (a < 0)
    return -1;
  gint r = want (c, dst, ptype (PLAN_TYPE_BOOLEAN));
  if (f == PLAN_FUNC_NOT)
    emit (c, rt__k_not, e, guard, r, a, -1);
  else
    emit (c, rt__k_is, e, guard, r, a, -1)->k = f == PLAN_FUNC_IS_NULL ? RT_IS_NULL
      : f == PLAN_FUNC_IS_NOT_NULL ? RT_IS_NOT_NULL
      : f == PLAN_FUNC_IS_TRUE ? RT_IS_TRUE : RT_IS_FALSE;
  return r;
}

static gint
compile_compare (Compiler *c, const PlanExpr *e, gint guard, gint dst, GError **error)
{
  PlanFunc f = e->u.call.func;
  PlanExpr *const *args = e->u.call.args;
  gint x = compile (c, args[0], guard, -1, error);
  if (x < 0)
    return -1;
  if (f >= PLAN_FUNC_EQ && f <= PLAN_FUNC_GE)
    return cmp_slots (c, e, f, x, compile (c, args[1], guard, -1, error), guard, dst, error);
  if (f == PLAN_FUNC_BETWEEN)
    {
      gint lo = cmp_slots (c, e, PLAN_FUNC_GE, x, compile (c, args[1], guard, -1, error),
                           guard, -1, error);
      gint hi = lo < 0 ? -1 : cmp_slots (c, e, PLAN_FUNC_LE, x,
                                         compile (c, args[2], guard, -1, error), guard, -1,
                                         error);
      return emit_and_or (c, e, FALSE, lo, hi, guard, dst);
    }
  if (f == PLAN_FUNC_IN)
    {
      gint acc = -1;
      for (guint i = 1; i < e->u.call.n_args; i++)
        {
          gint eq = cmp_slots (c, e, PLAN_FUNC_EQ, x, compile (c, args[i], guard, -1, error),
                               guard, e->u.call.n_args == 2 ? dst : -1, error);
          if (eq < 0)
            return -1;
          acc = acc < 0 ? eq : emit_and_or (c, e, TRUE, acc, eq, guard,
                                            i + 1 == e->u.call.n_args ? dst : -1);
        }
      return acc;
    }
  /* IS [NOT] DISTINCT FROM */
  gint y = compile (c, args[1], guard, -1, error);
  gint ne = cmp_slots (c, e, PLAN_FUNC_NE, x, y, guard, -1, error);
  if (ne < 0)
    return -1;
  gint r = want (c, dst, ptype (PLAN_TYPE_BOOLEAN));
  RtInstr *in = emit (c, rt__k_distinct, e, guard, r, ne, x);
  in->c = y;
  in->k = f == PLAN_FUNC_IS_NOT_DISTINCT_FROM;
  return r;
}

/* CASE WHEN c1 THEN v1 ... [ELSE v] END and COALESCE(v1, ...): each branch is evaluated
 * under the mask of the rows it decides, then PICK merges them. */
static gint
compile_case (Compiler *c, const PlanExpr *e, gint guard, gint dst, GError **error)
{
  gboolean coalesce = e->u.call.func == PLAN_FUNC_COALESCE;
  guint n = e->u.call.n_args;
  guint nb = coalesce ? n : n / 2 + n % 2;
  gint remaining = guard, *slots;
  PlanType bt = ptype (PLAN_TYPE_BOOLEAN);
  if (coalesce && n == 1)
    return compile_as (c, e->u.call.args[0], e->type, guard, error);
  slots = aux_add (c, g_new0 (gint, 2 * nb));
  for (guint k = 0; k < nb; k++)
    {
      gboolean last = k + 1 == nb;
      gboolean is_else = !coalesce && last && n % 2 == 1;
      guint vi = coalesce ? k : is_else ? n - 1 : 2 * k + 1;
      const PlanExpr *val = e->u.call.args[vi];
      gint taken = slot_add (c->p, RT_SLOT_TEMP, bt);
      gint rest = last ? -1 : slot_add (c->p, RT_SLOT_TEMP, bt);
      gint v;
      if (!coalesce && !is_else)
        {
          gint cond = compile_as (c, e->u.call.args[2 * k], bt, remaining, error);
          if (cond < 0)
            return -1;
          RtInstr *in = emit (c, rt__k_mask, e, remaining, taken, cond, -1);
          in->c = rest;
          in->k = RT_MASK_TRUE;
        }
      v = compile_as (c, val, e->type, coalesce || is_else ? remaining
                      : can_fail (val) ? taken : guard, error);
      if (v < 0)
        return -1;
      if (coalesce || is_else)
        {
          RtInstr *in = emit (c, rt__k_mask, e, remaining, taken, coalesce && !last ? v : -1, -1);
          in->c = rest;
          in->k = coalesce && !last ? RT_MASK_VALID : RT_MASK_ALL;
        }
      slots[k] = taken;
      slots[nb + k] = v;
      remaining = rest;
    }
  gint r = want (c, dst, e->type);
  RtInstr *in = emit (c, rt__k_pick, e, guard, r, -1, -1);
  in->k = nb;
  in->aux = slots;
  return r;
}

static gint
compile_nullif (Compiler *c, const PlanExpr *e, gint guard, gint dst, GError **error)
{
  gint x = compile_as (c, e->u.call.args[0], e->type, guard, error);
  gint eq = x < 0 ? -1 : cmp_slots (c, e, PLAN_FUNC_EQ, x,
                                    compile (c, e->u.call.args[1], guard, -1, error), guard, -1,
                                    error);
  if (eq < 0)
    return -1;
  gint r = want (c, dst, e->type);
  emit (c, rt__k_nullif, e, guard, r, x, eq);
  return r;
}

static gint
compile_string (Compiler *c, const PlanExpr *e, gint guard, gint dst, GError **error)
{
  PlanFunc f = e->u.call.func;
  guint n = e->u.call.n_args;
  PlanType vt = ptype (PLAN_TYPE_VARCHAR), nat = vt;
  gint s[3] = { -1, -1, -1 };
  RtKernel fn = rt__k_case;
  gint64 k = 0;
  if (f == PLAN_FUNC_CONCAT)
    {
      gint *args = aux_add (c, g_new (gint, n));
      for (guint i = 0; i < n; i++)
        if ((args[i] = compile_as (c, e->u.call.args[i], vt, guard, error)) < 0)
          return -1;
      gint r = want (c, dst, vt);
      RtInstr *in = emit (c, rt__k_concat, e, guard, r, -1, -1);
      in->k = n;
      in->aux = args;
      return cast_slot (c, r, e->type, guard, dst, e, error);
    }
  for (guint i = 0; i < n && i < 3; i++)
    {
      PlanType t = f == PLAN_FUNC_SUBSTRING && i > 0 ? ptype (PLAN_TYPE_BIGINT) : vt;
      if (f == PLAN_FUNC_DATE_FORMAT && i == 0) /* added by nexmark functions */
        t = ptype (PLAN_TYPE_TIMESTAMP);
      else if ((f == PLAN_FUNC_SPLIT_INDEX || f == PLAN_FUNC_REGEXP_EXTRACT) && i == 2)
        t = ptype (PLAN_TYPE_BIGINT);
      if ((s[i] = compile_as (c, e->u.call.args[i], t, guard, error)) < 0)
        return -1;
    }
  switch ((int) f)
    {
    case PLAN_FUNC_UPPER:
      k = 1;
      break;
    case PLAN_FUNC_CHAR_LENGTH:
      fn = rt__k_char_length;
      nat = ptype (PLAN_TYPE_INT);
      break;
    case PLAN_FUNC_SUBSTRING:
      fn = rt__k_substring;
      break;
    case PLAN_FUNC_TRIM:
    case PLAN_FUNC_LTRIM:
    case PLAN_FUNC_RTRIM:
      fn = rt__k_trim;
      k = f == PLAN_FUNC_TRIM ? 0 : f == PLAN_FUNC_LTRIM ? 1 : 2;
      break;
    case PLAN_FUNC_POSITION:
      fn = rt__k_position;
      nat = ptype (PLAN_TYPE_INT);
      break;
    case PLAN_FUNC_REPLACE:
      fn = rt__k_replace;
      break;
    case PLAN_FUNC_DATE_FORMAT: /* added by nexmark functions */
      fn = rt__k_date_format;
      break;
    case PLAN_FUNC_SPLIT_INDEX:
      fn = rt__k_split_index;
      break;
    case PLAN_FUNC_REGEXP_EXTRACT:
      fn = rt__k_regexp_extract;
      break;
    default: /* LOWER */
      break;
    }
  gint r = want (c, dst, nat);
  RtInstr *in = emit (c, fn, e, guard, r, s[0], s[1]);
  in->c = s[2];
  in->k = k;
  return cast_slot (c, r, e->type, guard, dst, e, error);
}

static gint
compile_like (Compiler *c, const PlanExpr *e, gint guard, gint dst, GError **error)
{
  PlanExpr *const *args = e->u.call.args;
  guint n = e->u.call.n_args;
  PlanType vt = ptype (PLAN_TYPE_VARCHAR), bt = ptype (PLAN_TYPE_BOOLEAN);
  gint a = compile_as (c, args[0], vt, guard, error), r;
  if (a < 0)
    return -1;
  if (args[1]->kind == PLAN_EXPR_LITERAL && (n < 3 || args[2]->kind == PLAN_EXPR_LITERAL)
      && args[1]->u.literal.type.kind == PLAN_TYPE_VARCHAR
      && (n < 3 || args[2]->u.literal.type.kind == PLAN_TYPE_VARCHAR))
    {
      const PlanValue *pv = &args[1]->u.literal, *ev = n > 2 ? &args[2]->u.literal : NULL;
      int esc = -1;
      if (pv->is_null || (ev && ev->is_null))
        return cast_slot (c, null_slot (c, bt), e->type, guard, dst, e, error);
      if (ev && strlen (ev->v.s) != 1)
        {
          rt__fail_at (c->p, e, error, "give one character, such as '\\'",
                       "LIKE escape '%s' is not a single character", ev->v.s);
          return -1;
        }
      esc = ev ? (guchar) ev->v.s[0] : -1;
      RtStr ps = { pv->v.s, (guint32) strlen (pv->v.s) };
      if (!rt__like_tokenize (ps, esc, c->p->row, c->p->row2))
        {
          rt__fail_at (c->p, e, error, "escape the escape character itself",
                       "LIKE pattern '%s' ends with its escape character", pv->v.s);
          return -1;
        }
      r = want (c, dst, bt);
      emit (c, rt__k_like_const, e, guard, r, a, -1)->aux =
        aux_add (c, rt__like_pat_new (c->p->row, c->p->row2));
      return r;
    }
  gint b = compile_as (c, args[1], vt, guard, error);
  gint esc = n > 2 && b >= 0 ? compile_as (c, args[2], vt, guard, error) : -1;
  if (b < 0 || (n > 2 && esc < 0))
    return -1;
  r = want (c, dst, bt);
  emit (c, rt__k_like_dyn, e, guard, r, a, b)->c = esc;
  return r;
}

static gint
compile_math (Compiler *c, const PlanExpr *e, gint guard, gint dst, GError **error)
{
  PlanFunc f = e->u.call.func;
  PlanExpr *const *args = e->u.call.args;
  PlanType dt = ptype (PLAN_TYPE_DOUBLE), rt = e->type;
  gint64 digits = 0;
  gint a, r;
  if (f == PLAN_FUNC_ABS)
    return compile_neg_abs (c, e, guard, dst, error);
  if (f != PLAN_FUNC_ROUND && f != PLAN_FUNC_FLOOR && f != PLAN_FUNC_CEIL)
    {
      static const RtF64Fn fns[] = { RT_FN_SQRT, RT_FN_POWER, RT_FN_LN, RT_FN_LOG10, RT_FN_EXP };
      a = compile_as (c, args[0], dt, guard, error);
      gint b = f == PLAN_FUNC_POWER && a >= 0 ? compile_as (c, args[1], dt, guard, error) : -1;
      if (a < 0 || (f == PLAN_FUNC_POWER && b < 0))
        return -1;
      r = want (c, dst, dt);
      emit (c, rt__k_f64_fn, e, guard, r, a, b)->k = fns[f - PLAN_FUNC_SQRT];
      return cast_slot (c, r, rt, guard, dst, e, error);
    }
  if (e->u.call.n_args > 1)
    {
      const PlanExpr *d = args[1];
      PlanTypeKind dk = d->u.literal.type.kind;
      if (d->kind != PLAN_EXPR_LITERAL || d->u.literal.is_null
          || (dk != PLAN_TYPE_INT && dk != PLAN_TYPE_BIGINT))
        return unsupported (c, e, error, "ROUND needs a constant integer number of digits");
      digits = d->u.literal.v.i;
    }
  a = compile (c, args[0], guard, -1, error);
  if (a < 0)
    return -1;
  PlanType at = stype (c, a);
  if (at.kind == PLAN_TYPE_DOUBLE)
    {
      r = want (c, dst, dt);
      if (f == PLAN_FUNC_ROUND)
        emit (c, rt__k_round_f64, e, guard, r, a, -1)->k = digits;
      else
        emit (c, rt__k_f64_fn, e, guard, r, a, -1)->k = f == PLAN_FUNC_FLOOR ? RT_FN_FLOOR
          : RT_FN_CEIL;
    }
  else if (at.kind == PLAN_TYPE_DECIMAL || at.kind == PLAN_TYPE_INT
           || at.kind == PLAN_TYPE_BIGINT)
    {
      PlanType nat = at.kind != PLAN_TYPE_DECIMAL ? ptype (PLAN_TYPE_BIGINT)
        : pdec (18, f == PLAN_FUNC_ROUND ? CLAMP (digits, 0, at.scale) : 0);
      if (rt.kind == PLAN_TYPE_DECIMAL || rt.kind == PLAN_TYPE_BIGINT)
        nat = rt;
      a = i64_view (c, a, guard, args[0], error);
      r = want (c, dst, nat);
      RtInstr *in = emit (c, rt__k_round_i64, e, guard, r, a, -1);
      in->k = digits;
      in->k2 = f == PLAN_FUNC_FLOOR ? 1 : f == PLAN_FUNC_CEIL ? 2 : 0;
    }
  else
    return unsupported (c, e, error, "%s of %s", plan_func_name (f),
                        plan_type_kind_name (at.kind));
  return cast_slot (c, r, rt, guard, dst, e, error);
}

static gint
compile_time (Compiler *c, const PlanExpr *e, gint guard, gint dst, GError **error)
{
  PlanFunc f = e->u.call.func;
  gint r;
  if (f == PLAN_FUNC_CURRENT_TIMESTAMP)
    {
      r = want (c, dst, ptype (PLAN_TYPE_TIMESTAMP));
      emit (c, rt__k_now, e, guard, r, -1, -1);
      return cast_slot (c, r, e->type, guard, dst, e, error);
    }
  gint a = compile (c, e->u.call.args[0], guard, -1, error);
  if (a >= 0 && stype (c, a).kind != PLAN_TYPE_DATE && stype (c, a).kind != PLAN_TYPE_TIMESTAMP)
    a = cast_slot (c, a, ptype (PLAN_TYPE_TIMESTAMP), guard, -1, e, error);
  if (a < 0)
    return -1;
  r = want (c, dst, ptype (PLAN_TYPE_BIGINT));
  RtInstr *in = emit (c, rt__k_extract, e, guard, r, a, -1);
  in->k = f - PLAN_FUNC_EXTRACT_YEAR;
  in->k2 = stype (c, a).kind == PLAN_TYPE_TIMESTAMP;
  return cast_slot (c, r, e->type, guard, dst, e, error);
}

static gboolean
arity_ok (PlanFunc f, guint n)
{
  switch ((int) f)
    {
    case PLAN_FUNC_AND: case PLAN_FUNC_OR: case PLAN_FUNC_IN: case PLAN_FUNC_CASE:
      return n >= 2;
    case PLAN_FUNC_CONCAT: case PLAN_FUNC_COALESCE:
      return n >= 1;
    case PLAN_FUNC_LIKE: case PLAN_FUNC_SUBSTRING: case PLAN_FUNC_REGEXP_EXTRACT:
      return n == 2 || n == 3;
    case PLAN_FUNC_DATE_FORMAT: /* added by nexmark functions */
      return n == 2;
    case PLAN_FUNC_SPLIT_INDEX:
      return n == 3;
    case PLAN_FUNC_ROUND:
      return n == 1 || n == 2;
    case PLAN_FUNC_BETWEEN: case PLAN_FUNC_REPLACE:
      return n == 3;
    case PLAN_FUNC_CURRENT_TIMESTAMP:
      return n == 0;
    case PLAN_FUNC_ADD: case PLAN_FUNC_SUB: case PLAN_FUNC_MUL: case PLAN_FUNC_DIV:
    case PLAN_FUNC_MOD: case PLAN_FUNC_EQ: case PLAN_FUNC_NE: case PLAN_FUNC_LT:
    case PLAN_FUNC_LE: case PLAN_FUNC_GT: case PLAN_FUNC_GE: case PLAN_FUNC_IS_DISTINCT_FROM:
    case PLAN_FUNC_IS_NOT_DISTINCT_FROM: case PLAN_FUNC_NULLIF: case PLAN_FUNC_POSITION:
    case PLAN_FUNC_POWER:
      return n == 2;
    default:
      return n == 1;
    }
}

static gint
compile_call (Compiler *c, const PlanExpr *e, gint guard, gint dst, GError **error)
{
  PlanFunc f = e->u.call.func;
  if (f >= PLAN_FUNC__COUNT || !arity_ok (f, e->u.call.n_args))
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "%s with %u arguments cannot be compiled",
                   f < PLAN_FUNC__COUNT ? plan_func_name (f) : "?", e->u.call.n_args);
      return -1;
    }
  switch (f)
    {
    case PLAN_FUNC_ADD: case PLAN_FUNC_SUB: case PLAN_FUNC_MUL: case PLAN_FUNC_DIV:
    case PLAN_FUNC_MOD:
      return compile_arith (c, e, guard, dst, error);
    case PLAN_FUNC_NEG:
      return compile_neg_abs (c, e, guard, dst, error);
    case PLAN_FUNC_EQ: case PLAN_FUNC_NE: case PLAN_FUNC_LT: case PLAN_FUNC_LE:
    case PLAN_FUNC_GT: case PLAN_FUNC_GE: case PLAN_FUNC_BETWEEN: case PLAN_FUNC_IN:
    case PLAN_FUNC_IS_DISTINCT_FROM: case PLAN_FUNC_IS_NOT_DISTINCT_FROM:
      return compile_compare (c, e, guard, dst, error);
    case PLAN_FUNC_AND: case PLAN_FUNC_OR:
      return compile_logic (c, e, guard, dst, error);
    case PLAN_FUNC_NOT: case PLAN_FUNC_IS_NULL: case PLAN_FUNC_IS_NOT_NULL:
    case PLAN_FUNC_IS_TRUE: case PLAN_FUNC_IS_FALSE:
      return compile_is (c, e, guard, dst, error);
    case PLAN_FUNC_LIKE:
      return compile_like (c, e, guard, dst, error);
    case PLAN_FUNC_CASE: case PLAN_FUNC_COALESCE:
      return compile_case (c, e, guard, dst, error);
    case PLAN_FUNC_NULLIF:
      return compile_nullif (c, e, guard, dst, error);
    case PLAN_FUNC_CAST:
      return cast_slot (c, compile (c, e->u.call.args[0], guard, -1, error), e->type, guard, dst,
                        e, error);
    case PLAN_FUNC_CONCAT: case PLAN_FUNC_UPPER: case PLAN_FUNC_LOWER:
    case PLAN_FUNC_CHAR_LENGTH: case PLAN_FUNC_SUBSTRING: case PLAN_FUNC_TRIM:
    case PLAN_FUNC_LTRIM: case PLAN_FUNC_RTRIM: case PLAN_FUNC_POSITION: case PLAN_FUNC_REPLACE:
    case PLAN_FUNC_DATE_FORMAT: case PLAN_FUNC_SPLIT_INDEX: case PLAN_FUNC_REGEXP_EXTRACT:
      return compile_string (c, e, guard, dst, error);
    case PLAN_FUNC_ABS: case PLAN_FUNC_ROUND: case PLAN_FUNC_FLOOR: case PLAN_FUNC_CEIL:
    case PLAN_FUNC_SQRT: case PLAN_FUNC_POWER: case PLAN_FUNC_LN: case PLAN_FUNC_LOG10:
    case PLAN_FUNC_EXP:
      return compile_math (c, e, guard, dst, error);
    case PLAN_FUNC_EXTRACT_YEAR: case PLAN_FUNC_EXTRACT_MONTH: case PLAN_FUNC_EXTRACT_DAY:
    case PLAN_FUNC_EXTRACT_HOUR: case PLAN_FUNC_EXTRACT_MINUTE: case PLAN_FUNC_EXTRACT_SECOND:
    case PLAN_FUNC_CURRENT_TIMESTAMP:
      return compile_time (c, e, guard, dst, error);
    case PLAN_FUNC__COUNT:
      break;
    }
  return -1;
}

/* Compiles e into a slot of type e->type, written into dst (when given) if e computes. */
static gint
compile (Compiler *c, const PlanExpr *e, gint guard, gint dst, GError **error)
{
  gint s = -1;
  switch (e->kind)
    {
    case PLAN_EXPR_COLUMN:
      s = column_slot (c, e->u.column, c->proj, error);
      break;
    case PLAN_EXPR_LITERAL:
      s = const_slot (c, &e->u.literal);
      break;
    case PLAN_EXPR_CALL:
      s = compile_call (c, e, guard, dst, error);
      break;
    }
  if (s >= 0 && !same_type (stype (c, s), e->type) && e->type.kind != PLAN_TYPE_NULL)
    s = cast_slot (c, s, e->type, guard, dst, e, error);
  return s;
}

/* ---- programs ---------------------------------------------------------------------- */

static PlanType
out_type (RtProgram *p, guint i)
{
  return p->n_exprs ? p->exprs[i]->type : p->input_schema->fields[i].type;
}

static gboolean
compile_outputs (RtProgram *p, GError **error)
{
  Compiler c = { p, p->proj_code, TRUE };
  gboolean reads_str = FALSE, writes_str = FALSE;
  p->identity = p->n_exprs == 0 || p->n_exprs == p->input_schema->n_fields;
  for (guint i = 0; i < p->n_out; i++)
    {
      const PlanExpr *e = p->n_exprs ? p->exprs[i] : NULL;
      gint os, r;
      p->out_slot[i] = -1;
      writes_str |= out_type (p, i).kind == PLAN_TYPE_VARCHAR;
      if (!e || (e->kind == PLAN_EXPR_COLUMN && e->u.column < p->input_schema->n_fields
                 && same_type (e->type, p->input_schema->fields[e->u.column].type)))
        {
          guint j = e ? e->u.column : i;
          if ((p->out_src[i] = column_slot (&c, j, FALSE, error)) < 0)
            return FALSE;
          p->identity &= j == i;
          continue;
        }
      p->identity = FALSE;
      os = slot_add (p, RT_SLOT_OUTPUT, e->type);
      SLOT (p, os)->index = i;
      if ((r = compile (&c, e, -1, os, error)) < 0)
        return FALSE;
      p->out_src[i] = r;
      p->out_slot[i] = r == os ? os : -1;
    }
  for (guint i = 0; i < p->slots->len; i++)
    {
      const RtSlot *s = SLOT (p, i);
      reads_str |= s->role == RT_SLOT_COLUMN && s->type.kind == PLAN_TYPE_VARCHAR && s->gather;
    }
  for (guint i = 0; i < p->n_out; i++)
    reads_str |= SLOT (p, p->out_src[i])->role == RT_SLOT_COLUMN
      && SLOT (p, p->out_src[i])->type.kind == PLAN_TYPE_VARCHAR;
  p->keep_input = reads_str && writes_str;
  return TRUE;
}

RtProgram *
rt_program_new (PlanSchema *input_schema, PlanExpr *filter, guint n_exprs, PlanExpr **exprs,
                GError **error)
{
  g_return_val_if_fail (input_schema != NULL, NULL);
  g_return_val_if_fail (n_exprs == 0 || exprs != NULL, NULL);
  g_autoptr (RtProgram) p = g_new0 (RtProgram, 1);
  guint nf = input_schema->n_fields;
  p->input_schema = plan_schema_ref (input_schema);
  p->filter = filter ? plan_expr_ref (filter) : NULL;
  p->n_exprs = n_exprs;
  p->exprs = g_new0 (PlanExpr *, MAX (n_exprs, 1));
  for (guint i = 0; i < n_exprs; i++)
    p->exprs[i] = plan_expr_ref (exprs[i]);
  p->slots = g_array_new (FALSE, TRUE, sizeof (RtSlot));
  p->filter_code = g_array_new (FALSE, TRUE, sizeof (RtInstr));
  p->proj_code = g_array_new (FALSE, TRUE, sizeof (RtInstr));
  p->aux = g_ptr_array_new_with_free_func (g_free);
  p->proj_strs = g_array_new (FALSE, FALSE, sizeof (gint));
  p->col_slot = g_new (gint, MAX (nf, 1));
  for (guint i = 0; i < nf; i++)
    p->col_slot[i] = -1;
  p->scratch.blocks = g_ptr_array_new_with_free_func (g_free);
  p->scratch.big = g_ptr_array_new_with_free_func (g_free);
  p->row = g_byte_array_new ();
  p->row2 = g_byte_array_new ();
  p->n_out = n_exprs ? n_exprs : nf;
  p->out_src = g_new0 (gint, MAX (p->n_out, 1));
  p->out_slot = g_new0 (gint, MAX (p->n_out, 1));
  p->filter_slot = -1;
  if (filter)
    {
      Compiler c = { p, p->filter_code, FALSE };
      if ((p->filter_slot = compile (&c, filter, -1, -1, error)) < 0)
        return NULL;
      if (stype (&c, p->filter_slot).kind != PLAN_TYPE_BOOLEAN
          && (p->filter_slot = cast_slot (&c, p->filter_slot, ptype (PLAN_TYPE_BOOLEAN), -1, -1,
                                          filter, error)) < 0)
        return NULL;
    }
  if (!compile_outputs (p, error))
    return NULL;
  p->regs = g_new0 (RtReg, MAX (p->slots->len, 1));
  return g_steal_pointer (&p);
}

void
rt_program_free (RtProgram *p)
{
  if (!p)
    return;
  for (guint i = 0; p->slots && i < p->slots->len; i++)
    {
      g_free (SLOT (p, i)->data);
      g_free (SLOT (p, i)->valid);
    }
  g_clear_pointer (&p->slots, g_array_unref);
  g_clear_pointer (&p->filter_code, g_array_unref);
  g_clear_pointer (&p->proj_code, g_array_unref);
  g_clear_pointer (&p->proj_strs, g_array_unref);
  g_clear_pointer (&p->aux, g_ptr_array_unref);
  g_clear_pointer (&p->scratch.blocks, g_ptr_array_unref);
  g_clear_pointer (&p->scratch.big, g_ptr_array_unref);
  g_clear_pointer (&p->row, g_byte_array_unref);
  g_clear_pointer (&p->row2, g_byte_array_unref);
  for (guint i = 0; p->exprs && i < p->n_exprs; i++)
    plan_expr_unref (p->exprs[i]);
  g_free (p->exprs);
  g_clear_pointer (&p->filter, plan_expr_unref);
  g_clear_pointer (&p->input_schema, plan_schema_unref);
  g_clear_pointer (&p->checked, plan_schema_unref);
  g_free (p->col_slot);
  g_free (p->out_src);
  g_free (p->out_slot);
  g_free (p->regs);
  g_free (p->sel);
  g_free (p);
}

/* Fills n rows of a constant slot with its value. */
static void
broadcast (RtSlot *s, RtStr str, guint n)
{
  const PlanValue *v = &s->value;
  memset (s->valid, v->is_null ? 0 : 0xff, nwords (n) * sizeof (guint64));
  if (v->is_null)
    return;
  switch (storage_of (s->type.kind))
    {
    case RT_ST_BOOL:
      memset (s->data, v->v.b ? 1 : 0, n);
      break;
    case RT_ST_I32:
      for (guint i = 0; i < n; i++)
        ((gint32 *) s->data)[i] = (gint32) v->v.i;
      break;
    case RT_ST_I64:
      for (guint i = 0; i < n; i++)
        ((gint64 *) s->data)[i] = v->v.i;
      break;
    case RT_ST_F64:
      for (guint i = 0; i < n; i++)
        ((double *) s->data)[i] = v->v.d;
      break;
    case RT_ST_STR:
      for (guint i = 0; i < n; i++)
        ((RtStr *) s->data)[i] = str;
      break;
    case RT_ST_NONE:
      break;
    }
}

static void
ensure_capacity (RtProgram *p, guint cap)
{
  if (cap <= p->cap)
    return;
  for (guint i = 0; i < p->slots->len; i++)
    {
      RtSlot *s = SLOT (p, i);
      if (s->role == RT_SLOT_OUTPUT || (s->role == RT_SLOT_COLUMN && !s->gather))
        continue;
      g_free (s->data);
      g_free (s->valid);
      s->data = g_malloc0 (cap * storage_size[storage_of (s->type.kind)]);
      s->valid = g_malloc0 (nwords (cap) * sizeof (guint64));
      if (s->role == RT_SLOT_COLUMN)
        continue;
      p->regs[i].data = s->data;
      p->regs[i].valid = s->valid;
      if (s->role == RT_SLOT_CONST)
        {
          RtStr str = empty_str;
          if (s->type.kind == PLAN_TYPE_VARCHAR && !s->value.is_null && s->value.v.s)
            {
              str.ptr = s->value.v.s;
              str.len = (guint32) strlen (s->value.v.s);
            }
          broadcast (s, str, cap);
        }
    }
  g_free (p->sel);
  p->sel = g_new (guint32, cap);
  p->cap = cap;
}

static gboolean
run_code (RtProgram *p, GArray *code, guint n, GError **error)
{
  for (guint i = 0; i < code->len; i++)
    {
      const RtInstr *in = &g_array_index (code, RtInstr, i);
      if (!in->fn (p, in, n, error))
        return FALSE;
    }
  return TRUE;
}

/* Points column slots at the input's vectors, or at their gathered copies. */
static void
bind_columns (RtProgram *p, RtBatch *input, gboolean gathered)
{
  for (guint j = 0; j < p->input_schema->n_fields; j++)
    {
      gint s = p->col_slot[j];
      if (s < 0)
        continue;
      if (gathered && SLOT (p, s)->gather)
        {
          p->regs[s].data = SLOT (p, s)->data;
          p->regs[s].valid = SLOT (p, s)->valid;
        }
      else
        {
          p->regs[s].data = input->cols[j].data;
          p->regs[s].valid = input->cols[j].validity;
        }
    }
}

static gint
run_filter (RtProgram *p, RtBatch *input, guint32 *sel, GError **error)
{
  guint n = input->n_rows, k = 0;
  bind_columns (p, input, FALSE);
  p->out = NULL;
  scratch_reset (&p->scratch);
  if (!run_code (p, p->filter_code, n, error))
    return -1;
  const guint8 *v = p->regs[p->filter_slot].data;
  const guint64 *valid = p->regs[p->filter_slot].valid;
  for (guint w = 0; w < nwords (n); w++)
    {
      guint base = w * 64, m = MIN (64, n - base);
      guint64 vw = valid[w] & tail_mask (n, w);
      if (vw == tail_mask (n, w))
        for (guint j = 0; j < m; j++)
          {
            sel[k] = base + j;
            k += v[base + j] != 0;
          }
      else
        for (guint j = 0; j < m; j++)
          {
            sel[k] = base + j;
            k += (v[base + j] != 0) & (guint) (vw >> j);
          }
    }
  return (gint) k;
}

static void
gather_values (void *dst, const void *src, gsize size, const guint32 *sel, guint n)
{
  switch (size)
    {
    case 1:
      for (guint k = 0; k < n; k++)
        ((guint8 *) dst)[k] = ((const guint8 *) src)[sel[k]];
      break;
    case 4:
      for (guint k = 0; k < n; k++)
        ((guint32 *) dst)[k] = ((const guint32 *) src)[sel[k]];
      break;
    case 8:
      for (guint k = 0; k < n; k++)
        ((guint64 *) dst)[k] = ((const guint64 *) src)[sel[k]];
      break;
    default:
      for (guint k = 0; k < n; k++)
        ((RtStr *) dst)[k] = ((const RtStr *) src)[sel[k]];
      break;
    }
}

/* Copies n values (gathered through sel when given, of n_src rows) and their validity. */
static void
copy_vector (void *dd, guint64 *dv, const void *sd, const guint64 *sv, RtStorage st,
             const guint32 *sel, guint n, guint n_src)
{
  gboolean all = TRUE;
  if (!sel)
    {
      if (st != RT_ST_NONE)
        memcpy (dd, sd, n * storage_size[st]);
      memcpy (dv, sv, nwords (n) * sizeof (guint64));
      return;
    }
  if (st != RT_ST_NONE)
    gather_values (dd, sd, storage_size[st], sel, n);
  for (guint w = 0; w < nwords (n_src) && all; w++)
    all = (sv[w] | ~tail_mask (n_src, w)) == ~G_GUINT64_CONSTANT (0);
  memset (dv, all ? 0xff : 0, nwords (n) * sizeof (guint64));
  for (guint k = 0; !all && k < n; k++)
    dv[k >> 6] |= (guint64) bit (sv, sel[k]) << (k & 63);
}

static gboolean
project (RtProgram *p, RtBatch *input, RtBatch *out, guint n_sel, gboolean all, GError **error)
{
  const guint32 *sel = all ? NULL : p->sel;
  gboolean ok;
  for (guint j = 0; !all && j < p->input_schema->n_fields; j++)
    {
      gint s = p->col_slot[j];
      RtSlot *sl = s >= 0 ? SLOT (p, s) : NULL;
      if (sl && sl->gather)
        copy_vector (sl->data, sl->valid, input->cols[j].data, input->cols[j].validity,
                     storage_of (sl->type.kind), sel, n_sel, input->n_rows);
    }
  bind_columns (p, input, !all);
  for (guint i = 0; i < p->n_out; i++)
    if (p->out_slot[i] >= 0)
      {
        p->regs[p->out_slot[i]].data = out->cols[i].data;
        p->regs[p->out_slot[i]].valid = out->cols[i].validity;
      }
  p->out = out;
  for (guint i = 0; i < p->proj_strs->len; i++)
    {
      RtSlot *s = SLOT (p, g_array_index (p->proj_strs, gint, i));
      RtStr str;
      if (!rt__put_str (p, &str, s->value.v.s, strlen (s->value.v.s), error))
        return p->out = NULL, FALSE;
      broadcast (s, str, n_sel);
    }
  ok = run_code (p, p->proj_code, n_sel, error);
  p->out = NULL;
  if (!ok)
    return FALSE;
  for (guint i = 0; i < p->n_out; i++)
    {
      gint s = p->out_src[i];
      const RtSlot *sl = SLOT (p, s);
      RtVector *ov = &out->cols[i];
      RtStorage st = storage_of (sl->type.kind);
      if (p->out_slot[i] >= 0)
        continue;
      if (sl->role == RT_SLOT_COLUMN)
        copy_vector (ov->data, ov->validity, input->cols[sl->index].data,
                     input->cols[sl->index].validity, st, sel, n_sel, input->n_rows);
      else
        copy_vector (ov->data, ov->validity, p->regs[s].data, p->regs[s].valid, st, NULL, n_sel,
                     n_sel);
    }
  if (all)
    memcpy (out->kinds, input->kinds, n_sel);
  else
    gather_values (out->kinds, input->kinds, 1, sel, n_sel);
  if (p->keep_input)
    rt_batch_keep (out, input);
  return TRUE;
}

static gboolean
schemas_equal (const PlanSchema *a, const PlanSchema *b)
{
  if (a->n_fields != b->n_fields)
    return FALSE;
  for (guint i = 0; i < a->n_fields; i++)
    if (!same_type (a->fields[i].type, b->fields[i].type)
        || g_strcmp0 (a->fields[i].name, b->fields[i].name) != 0)
      return FALSE;
  return TRUE;
}

/* Validates the batch and output schema against the program (the latter once per
 * schema). */
static gboolean
check_shapes (RtProgram *p, RtBatch *input, PlanSchema *out_schema, GError **error)
{
  if (input->n_cols < p->input_schema->n_fields || input->n_rows > input->capacity)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "expression program for %u columns got "
                   "a batch of %u columns and %u rows (capacity %u)",
                   p->input_schema->n_fields, input->n_cols, input->n_rows, input->capacity);
      return FALSE;
    }
  if (out_schema == p->checked)
    return TRUE;
  if (out_schema->n_fields != p->n_out)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "output schema has %u columns, the "
                   "program computes %u", out_schema->n_fields, p->n_out);
      return FALSE;
    }
  for (guint i = 0; i < p->n_out; i++)
    {
      PlanType t = out_type (p, i), o = out_schema->fields[i].type;
      if (storage_of (t.kind) != storage_of (o.kind)
          || (t.kind == PLAN_TYPE_DECIMAL && o.kind == PLAN_TYPE_DECIMAL && t.scale != o.scale))
        {
          g_autofree char *ts = plan_type_to_string (t, FALSE);
          g_autofree char *os = plan_type_to_string (o, FALSE);
          g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "output column %u '%s' is %s but its "
                       "expression gives %s", i, out_schema->fields[i].name, os, ts);
          return FALSE;
        }
    }
  g_clear_pointer (&p->checked, plan_schema_unref);
  p->checked = plan_schema_ref (out_schema);
  p->checked_same = schemas_equal (out_schema, p->input_schema);
  return TRUE;
}

RtBatch *
rt_program_run (RtProgram *p, RtBatch *input, PlanSchema *out_schema, GError **error)
{
  g_return_val_if_fail (p != NULL && input != NULL, NULL);
  g_return_val_if_fail (out_schema != NULL || p->n_exprs == 0, NULL);
  guint n = input->n_rows;
  gint n_sel = (gint) n;
  if (!out_schema)
    out_schema = p->input_schema;
  if (!check_shapes (p, input, out_schema, error))
    return NULL;
  ensure_capacity (p, input->capacity);
  p->now_set = FALSE;
  if (p->filter_slot >= 0 && n > 0 && (n_sel = run_filter (p, input, p->sel, error)) < 0)
    return NULL;
  if (p->identity && (guint) n_sel == n && p->checked_same)
    return rt_batch_ref (input);
  RtBatch *out = rt_batch_new (input->pool, out_schema, input->capacity, error);
  if (!out)
    return NULL;
  if (n_sel > 0 && !project (p, input, out, (guint) n_sel, (guint) n_sel == n, error))
    {
      rt_batch_unref (out);
      return NULL;
    }
  out->n_rows = (guint) n_sel;
  return out;
}

guint
rt_program_filter (RtProgram *p, RtBatch *input, guint32 *sel, GError **error)
{
  g_return_val_if_fail (p != NULL && input != NULL && sel != NULL, 0);
  gint k;
  if (input->n_cols < p->input_schema->n_fields)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "expression program for %u columns got "
                   "a batch of %u columns", p->input_schema->n_fields, input->n_cols);
      return 0;
    }
  if (p->filter_slot < 0 || input->n_rows == 0)
    {
      for (guint i = 0; i < input->n_rows; i++)
        sel[i] = i;
      return input->n_rows;
    }
  ensure_capacity (p, input->capacity);
  p->now_set = FALSE;
  k = run_filter (p, input, sel, error);
  return k < 0 ? 0 : (guint) k;
}
