/* rt-expr.c: compiles bound expressions (PlanExpr trees) once into flat vectorized
 * programs and runs them over whole batches (DESIGN.md 4.1).
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
#include "rt-operator.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

typedef enum { ST_NONE, ST_BOOL, ST_I32, ST_I64, ST_F64, ST_STR } Storage;

static const gsize storage_size[] = { 1, 1, 4, 8, 8, sizeof (RtStr) };

typedef enum { SLOT_COLUMN, SLOT_CONST, SLOT_TEMP, SLOT_OUTPUT } SlotRole;

typedef struct {
  SlotRole role;
  PlanType type;
  guint index;      /* COLUMN: input column; OUTPUT: output column */
  gboolean gather;  /* COLUMN: read by projection instructions (gathered under a selection) */
  gboolean proj;    /* CONST: read by the projections */
  PlanValue value;  /* CONST; a string is borrowed from the program's expressions */
  void *data;       /* owned: capacity values (TEMP, CONST, gathered COLUMN) */
  guint64 *valid;   /* owned: one bit per row */
} Slot;

typedef struct {
  void *data;
  guint64 *valid;
} Reg;

typedef struct _Instr Instr;
typedef gboolean (*Kernel) (RtProgram *p, const Instr *in, guint n, GError **error);

struct _Instr {
  Kernel fn;
  const PlanExpr *expr; /* borrowed from the program's roots: for error messages */
  gint dst, a, b, c;    /* slots, -1 when unused */
  gint guard;           /* slot whose validity bits are the rows that matter, or -1 */
  gint64 k, k2;         /* immediates: modes, scale shifts, limits */
  gpointer aux;         /* borrowed from program->aux */
};

#define SCRATCH_BLOCK (64 * 1024)

typedef struct {
  GPtrArray *blocks; /* owned: SCRATCH_BLOCK bytes each */
  GPtrArray *big;    /* owned: oversized strings, freed at reset */
  guint cur;
  gsize pos;
} Scratch;

struct _RtProgram {
  PlanSchema *input_schema; /* owned ref */
  PlanExpr *filter;         /* owned ref, nullable */
  guint n_exprs;
  PlanExpr **exprs;         /* owned refs */
  GArray *slots;            /* Slot */
  GArray *filter_code;      /* Instr */
  GArray *proj_code;        /* Instr */
  GPtrArray *aux;           /* owned blobs that instructions point to */
  gint *col_slot;           /* owned: input column -> slot, or -1 */
  gint filter_slot;         /* -1: no filter */
  guint n_out;
  gint *out_src;            /* owned: output column -> slot holding its values */
  gint *out_slot;           /* owned: output column -> SLOT_OUTPUT written in place, or -1 */
  GArray *proj_strs;        /* gint: VARCHAR constants of the projections */
  gboolean keep_input;
  gboolean identity;        /* outputs are the input columns in order */
  PlanSchema *checked;      /* owned ref: last out_schema validated */
  gboolean checked_same;    /* ... and whether it equals the input schema */
  /* run-time state, reused by every batch */
  guint cap;
  Reg *regs;                /* owned: per slot, bound for the current phase */
  guint32 *sel;             /* owned: cap entries */
  RtBatch *out;             /* borrowed during the projection phase */
  Scratch scratch;
  GByteArray *row;          /* owned: a string under construction */
  GByteArray *row2;         /* owned: LIKE patterns compiled per row */
  gint64 now_ms;
  gboolean now_set;
};

#define SLOT(p, i) (&g_array_index ((p)->slots, Slot, (i)))
#define DATA(s, T) ((T *) p->regs[(s)].data)
#define VALID(s) (p->regs[(s)].valid)

static Storage
storage_of (PlanTypeKind kind)
{
  switch (kind)
    {
    case PLAN_TYPE_NULL:
      return ST_NONE;
    case PLAN_TYPE_BOOLEAN:
      return ST_BOOL;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_DATE:
      return ST_I32;
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      return ST_I64;
    case PLAN_TYPE_DOUBLE:
      return ST_F64;
    case PLAN_TYPE_VARCHAR:
      return ST_STR;
    }
  return ST_NONE;
}

static inline guint
nwords (guint n)
{
  return (n + 63) / 64;
}

static inline gboolean
bit (const guint64 *v, guint i)
{
  return (v[i >> 6] >> (i & 63)) & 1;
}

/* The bits of word w that are rows below n. */
static inline guint64
tail_mask (guint n, guint w)
{
  guint rem = n - w * 64;
  return rem >= 64 ? ~G_GUINT64_CONSTANT (0) : (G_GUINT64_CONSTANT (1) << rem) - 1;
}

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

static const gint64 pow10_tab[19] = {
  1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
  1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
  100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
  1000000000000000000LL,
};

/* Largest magnitude + 1 of DECIMAL(precision): 10^precision (0 for 19+: int64 only). */
static gint64
dec_limit (guint precision)
{
  return precision >= 1 && precision <= 18 ? pow10_tab[precision] : 0;
}

static __int128
pow10_128 (guint e)
{
  __int128 v = 1;
  for (guint i = 0; i < e && i < 38; i++)
    v *= 10;
  return v;
}

/* v / d rounded half away from zero; d > 0. */
static __int128
div_round (__int128 v, __int128 d)
{
  __int128 q = v / d, r = v % d;
  __int128 ar = r < 0 ? -r : r;
  if (ar >= d - ar)
    q += v < 0 ? -1 : 1;
  return q;
}

/* Multiplies by 10^shift, or divides by 10^-shift rounding half up. FALSE on overflow. */
static gboolean
rescale128 (__int128 v, gint shift, __int128 *out)
{
  if (shift >= 0)
    return !__builtin_mul_overflow (v, pow10_128 (shift), out) && shift <= 38;
  *out = -shift > 38 ? 0 : div_round (v, pow10_128 (-shift));
  return TRUE;
}

static gboolean
fits_dec (__int128 v, gint64 limit)
{
  if (v > G_MAXINT64 || v < -G_MAXINT64)
    return FALSE;
  return limit == 0 || (v < limit && v > -limit);
}

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
static gboolean G_GNUC_PRINTF (5, 6)
fail_at (RtProgram *p, const PlanExpr *e, GError **error, const char *hint, const char *fmt,
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

static void format_double (double d, char *buf, gsize size);

static char *slot_text (RtProgram *p, gint s, guint row);

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
fail_overflow (RtProgram *p, const Instr *in, guint row, GError **error)
{
  g_autofree char *type = plan_type_to_string (in->expr->type, FALSE);
  g_autofree char *a = in->a >= 0 ? slot_text (p, in->a, row) : g_strdup ("");
  g_autofree char *b = in->b >= 0 ? slot_text (p, in->b, row) : g_strdup ("");
  g_autofree char *what = in->b >= 0 ? g_strdup_printf ("%s %s %s", a, op_symbol (in->expr), b)
    : g_strdup_printf ("%s(%s)", op_symbol (in->expr), a);
  PlanTypeKind k = in->expr->type.kind;
  return fail_at (p, in->expr, error, k == PLAN_TYPE_INT ? "cast the operands to BIGINT"
                  : k == PLAN_TYPE_DECIMAL ? "cast the operands to a DECIMAL with more digits"
                  " or to DOUBLE" : "cast the operands to DOUBLE (approximate) for a wider range",
                  "%s overflow computing %s", type, what);
}

static gboolean
fail_div_zero (RtProgram *p, const Instr *in, GError **error)
{
  return fail_at (p, in->expr, error, "use NULLIF(divisor, 0) to get NULL instead",
                  "division by zero");
}

static gboolean
fail_range (RtProgram *p, const Instr *in, guint row, GError **error)
{
  g_autofree char *type = plan_type_to_string (SLOT (p, in->dst)->type, FALSE);
  g_autofree char *v = slot_text (p, in->a, row);
  return fail_at (p, in->expr, error, "cast to a wider type first",
                  "value %s is out of range for %s", v, type);
}

/* ---- validity and strings ---------------------------------------------------------- */

/* dst validity = AND of a, b, c (those >= 0) and the guard, word by word. */
static void
valid_and (RtProgram *p, const Instr *in, guint n)
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

static void
scratch_reset (Scratch *s)
{
  s->cur = 0;
  s->pos = 0;
  g_ptr_array_set_size (s->big, 0);
}

static char *
scratch_alloc (Scratch *s, gsize len)
{
  if (len > SCRATCH_BLOCK / 4)
    {
      char *b = g_malloc (len);
      g_ptr_array_add (s->big, b);
      return b;
    }
  for (;;)
    {
      if (s->cur == s->blocks->len)
        g_ptr_array_add (s->blocks, g_malloc (SCRATCH_BLOCK));
      if (s->pos + len <= SCRATCH_BLOCK)
        {
          char *r = (char *) s->blocks->pdata[s->cur] + s->pos;
          s->pos += len;
          return r;
        }
      s->cur++;
      s->pos = 0;
    }
}

/* Stores a copy of len bytes: in the output batch's arena during the projection phase,
 * in the program's scratch arena during the filter phase. */
static gboolean
put_str (RtProgram *p, RtStr *dst, const char *ptr, gsize len, GError **error)
{
  if (len == 0)
    {
      dst->ptr = "";
      dst->len = 0;
      return TRUE;
    }
  if (len > G_MAXUINT32)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_EVAL, "string of %" G_GSIZE_FORMAT
                   " bytes is longer than the 4 GiB a value may hold", len);
      return FALSE;
    }
  if (p->out)
    {
      GError *local = NULL;
      *dst = rt_batch_intern (p->out, ptr, len, &local);
      if (local)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      return TRUE;
    }
  char *b = scratch_alloc (&p->scratch, len);
  memcpy (b, ptr, len);
  dst->ptr = b;
  dst->len = (guint32) len;
  return TRUE;
}

static const RtStr empty_str = { "", 0 };

/* ---- arithmetic kernels -------------------------------------------------------------
 * Kernels are generated per storage type and operand shape: _vv reads two vectors, _vs
 * a vector and a broadcast constant (read once). The value loop runs over every row
 * (branch-free, so the compiler can vectorize it) and only an overflow seen somewhere
 * sends a kernel back over the valid rows to find out whether it matters. */

#define OVF_KERNEL(NAME, T, BUILTIN, Y)                                                \
  static gboolean                                                                      \
  NAME (RtProgram *p, const Instr *in, guint n, GError **error)                        \
  {                                                                                    \
    const T *restrict a = DATA (in->a, T);                                             \
    const T *restrict b = DATA (in->b, T);                                             \
    T *restrict r = DATA (in->dst, T);                                                 \
    const T b0 = b[0];                                                                 \
    gboolean o = FALSE;                                                                \
    (void) b0;                                                                         \
    FOR_ROWS (n, o |= BUILTIN (a[i], Y, &r[i]));                                       \
    valid_and (p, in, n);                                                              \
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
  NAME (RtProgram *p, const Instr *in, guint n, GError **error)                        \
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
    valid_and (p, in, n);                                                              \
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
  NAME (RtProgram *p, const Instr *in, guint n, GError **error)                        \
  {                                                                                    \
    const double *restrict a = DATA (in->a, double);                                   \
    const double *restrict b = DATA (in->b, double);                                   \
    double *restrict r = DATA (in->dst, double);                                       \
    const double b0 = b[0];                                                            \
    (void) b0;                                                                         \
    FOR_ROWS (n, r[i] = a[i] OP Y);                                                    \
    valid_and (p, in, n);                                                              \
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
  static gboolean                                                                      \
  NAME (RtProgram *p, const Instr *in, guint n, GError **error)                        \
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
    valid_and (p, in, n);                                                              \
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

DIV_KERNEL (k_div_i32, gint32, sdiv32, G_MININT32)
DIV_KERNEL (k_mod_i32, gint32, smod32, 0)
DIV_KERNEL (k_div_i64, gint64, sdiv64, G_MININT64)
DIV_KERNEL (k_mod_i64, gint64, smod64, 0)
DIV_KERNEL (k_div_f64, double, fdiv, 0)
DIV_KERNEL (k_mod_f64, double, fmod0, 0)

static gboolean
k_neg (RtProgram *p, const Instr *in, guint n, GError **error)
{
  gboolean o = FALSE;
  switch (storage_of (SLOT (p, in->dst)->type.kind))
    {
    case ST_I32:
      for (guint i = 0; i < n; i++)
        o |= __builtin_sub_overflow (0, DATA (in->a, gint32)[i], &DATA (in->dst, gint32)[i]);
      break;
    case ST_I64:
      for (guint i = 0; i < n; i++)
        o |= __builtin_sub_overflow ((gint64) 0, DATA (in->a, gint64)[i],
                                     &DATA (in->dst, gint64)[i]);
      break;
    case ST_F64:
      for (guint i = 0; i < n; i++)
        DATA (in->dst, double)[i] = -DATA (in->a, double)[i];
      break;
    case ST_NONE:
    case ST_BOOL:
    case ST_STR:
      break;
    }
  valid_and (p, in, n);
  for (guint i = 0; o && i < n; i++)
    {
      gboolean min = storage_of (SLOT (p, in->dst)->type.kind) == ST_I32
        ? DATA (in->a, gint32)[i] == G_MININT32 : DATA (in->a, gint64)[i] == G_MININT64;
      if (min && bit (VALID (in->dst), i))
        return fail_overflow (p, in, i, error);
    }
  return TRUE;
}

/* ABS: k selects i32 / i64 / f64 storage. */
static gboolean
k_abs (RtProgram *p, const Instr *in, guint n, GError **error)
{
  valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      if (in->k == ST_F64)
        DATA (in->dst, double)[i] = fabs (DATA (in->a, double)[i]);
      else if (in->k == ST_I32)
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
static gboolean
k_check_prec (RtProgram *p, const Instr *in, guint n, GError **error)
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
        g_autofree char *v = slot_text (p, in->a, i);
        return fail_at (p, in->expr, error, "cast the operands to a DECIMAL with more digits",
                        "%s overflow: the result %s has too many digits", type, v);
      }
  return TRUE;
}

/* DECIMAL * and /: k = scale shift, k2 = 10^precision of the result (0: int64 only). */
static gboolean
k_dec_muldiv (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const gint64 *a = DATA (in->a, gint64), *b = DATA (in->b, gint64);
  gint64 *r = DATA (in->dst, gint64);
  gboolean div = in->expr->u.call.func == PLAN_FUNC_DIV;
  __int128 up = in->k >= 0 ? pow10_128 ((guint) in->k) : 1;
  __int128 down = in->k < 0 ? pow10_128 ((guint) -in->k) : 1;
  valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      __int128 v;
      gboolean ok = TRUE;
      r[i] = 0;
      if (!bit (VALID (in->dst), i))
        continue;
      if (!div)
        ok = rescale128 ((__int128) a[i] * b[i], (gint) in->k, &v);
      else if (b[i] == 0)
        return fail_div_zero (p, in, error);
      else
        {
          __int128 num, den = (__int128) b[i] * down;
          ok = !__builtin_mul_overflow ((__int128) a[i], up, &num);
          if (den < 0)
            {
              den = -den;
              num = -num;
            }
          v = ok ? div_round (num, den) : 0;
        }
      if (!ok || !fits_dec (v, in->k2))
        return fail_overflow (p, in, i, error);
      r[i] = (gint64) v;
    }
  return TRUE;
}

/* ---- comparison kernels ------------------------------------------------------------ */

#define CMP_KERNEL(NAME, T, OP, Y)                                                     \
  static gboolean                                                                      \
  NAME (RtProgram *p, const Instr *in, guint n, GError **error)                        \
  {                                                                                    \
    const T *restrict a = DATA (in->a, T);                                             \
    const T *restrict b = DATA (in->b, T);                                             \
    guint8 *restrict r = DATA (in->dst, guint8);                                       \
    const T b0 = b[0];                                                                 \
    (void) b0;                                                                         \
    FOR_ROWS (n, r[i] = a[i] OP Y);                                                    \
    valid_and (p, in, n);                                                              \
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

static inline int
str_cmp (RtStr a, RtStr b)
{
  guint32 m = MIN (a.len, b.len);
  int c = m ? memcmp (a.ptr, b.ptr, m) : 0;
  return c ? c : (a.len > b.len) - (a.len < b.len);
}

/* Strings compare bytewise (UTF-8 byte order is code point order); k is the operator
 * (PLAN_FUNC_EQ .. PLAN_FUNC_GE). Only valid rows are dereferenced. */
static gboolean
k_cmp_str (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const RtStr *a = DATA (in->a, RtStr), *b = DATA (in->b, RtStr);
  guint8 *r = DATA (in->dst, guint8);
  valid_and (p, in, n);
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
static gboolean
k_and_or (RtProgram *p, const Instr *in, guint n, GError **error)
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

static gboolean
k_not (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const guint8 *a = DATA (in->a, guint8);
  guint8 *r = DATA (in->dst, guint8);
  for (guint i = 0; i < n; i++)
    r[i] = !a[i];
  valid_and (p, in, n);
  return TRUE;
}

typedef enum { IS_NULL, IS_NOT_NULL, IS_TRUE, IS_FALSE } IsMode;

/* IS [NOT] NULL, IS TRUE, IS FALSE: never NULL themselves. */
static gboolean
k_is (RtProgram *p, const Instr *in, guint n, GError **error)
{
  guint8 *r = DATA (in->dst, guint8);
  for (guint w = 0; w < nwords (n); w++)
    {
      guint m = MIN (64, n - w * 64);
      guint64 va = VALID (in->a)[w], res = 0;
      guint64 t = in->k >= IS_TRUE ? pack64 (DATA (in->a, guint8) + w * 64, m) : 0;
      switch ((IsMode) in->k)
        {
        case IS_NULL:
          res = ~va;
          break;
        case IS_NOT_NULL:
          res = va;
          break;
        case IS_TRUE:
          res = va & t;
          break;
        case IS_FALSE:
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
static gboolean
k_distinct (RtProgram *p, const Instr *in, guint n, GError **error)
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

typedef enum { MASK_TRUE, MASK_NOT_FALSE, MASK_NOT_TRUE, MASK_VALID, MASK_ALL } MaskMode;

/* Computes a row mask into dst's validity bits: the rows of the guard (all rows when
 * none) where a is TRUE / not FALSE / not TRUE / not NULL. When c >= 0 it also gets the
 * guard's rows outside the mask (the rows still to be decided by later CASE branches). */
static gboolean
k_mask (RtProgram *p, const Instr *in, guint n, GError **error)
{
  for (guint w = 0; w < nwords (n); w++)
    {
      guint m = MIN (64, n - w * 64);
      guint64 g = (in->guard >= 0 ? VALID (in->guard)[w] : ~G_GUINT64_CONSTANT (0))
        & tail_mask (n, w);
      guint64 va = in->a >= 0 ? VALID (in->a)[w] : 0, t = 0, res = 0;
      if (in->k <= MASK_NOT_TRUE)
        t = pack64 (DATA (in->a, guint8) + w * 64, m);
      switch ((MaskMode) in->k)
        {
        case MASK_TRUE:
          res = va & t;
          break;
        case MASK_NOT_FALSE:
          res = ~(va & ~t);
          break;
        case MASK_NOT_TRUE:
          res = ~(va & t);
          break;
        case MASK_VALID:
          res = va;
          break;
        case MASK_ALL:
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
static gboolean
k_pick (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const gint *slots = in->aux;
  Storage st = storage_of (SLOT (p, in->dst)->type.kind);
  void *d = p->regs[in->dst].data;
  guint64 *dv = VALID (in->dst);
  memset (dv, 0, nwords (n) * sizeof (guint64));
  if (st == ST_STR)
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
static gboolean
k_nullif (RtProgram *p, const Instr *in, guint n, GError **error)
{
  Storage st = storage_of (SLOT (p, in->dst)->type.kind);
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

/* ---- numbers as text ---------------------------------------------------------------- */

/* The fewest significant digits that read back as |d| (finite, non-zero): fills digits
 * with "d1d2...dk" (no trailing zeros) and *exp10 with e, |d| = d1.d2...dk x 10^e. */
static int
shortest_digits (double d, char *digits, int *exp10)
{
  char buf[40], fmt[16];
  int lo = 1, hi = 17, k = 0;
  d = fabs (d);
  while (lo < hi)
    {
      int mid = (lo + hi) / 2;
      g_snprintf (fmt, sizeof fmt, "%%.%de", mid - 1);
      g_ascii_formatd (buf, sizeof buf, fmt, d);
      if (g_ascii_strtod (buf, NULL) == d)
        hi = mid;
      else
        lo = mid + 1;
    }
  g_snprintf (fmt, sizeof fmt, "%%.%de", lo - 1);
  g_ascii_formatd (buf, sizeof buf, fmt, d);
  const char *s = buf;
  for (; *s && *s != 'e'; s++)
    if (g_ascii_isdigit (*s))
      digits[k++] = *s;
  *exp10 = *s ? atoi (s + 1) : 0;
  while (k > 1 && digits[k - 1] == '0')
    k--;
  digits[k] = 0;
  return k;
}

/* Java's Double.toString: plain notation for 1e-3 <= |d| < 1e7 ("1.0", "0.001"),
 * otherwise d.dddE<exp> ("1.0E10"); "NaN", "Infinity". */
static void
format_double (double d, char *buf, gsize size)
{
  char dig[24], out[48];
  int e, o = 0;
  if (isnan (d) || isinf (d) || d == 0)
    {
      g_strlcpy (buf, isnan (d) ? "NaN" : isinf (d) ? (d > 0 ? "Infinity" : "-Infinity")
                 : signbit (d) ? "-0.0" : "0.0", size);
      return;
    }
  int k = shortest_digits (d, dig, &e);
  if (d < 0)
    out[o++] = '-';
  if (fabs (d) >= 1e-3 && fabs (d) < 1e7)
    {
      for (int i = 0; i <= e; i++)
        out[o++] = i < k ? dig[i] : '0';
      if (e < 0)
        out[o++] = '0';
      out[o++] = '.';
      for (int i = e + 1; i < 0; i++)
        out[o++] = '0';
      for (int i = MAX (e + 1, 0); i < k; i++)
        out[o++] = dig[i];
      if (k <= e + 1)
        out[o++] = '0';
      out[o] = 0;
    }
  else
    {
      out[o++] = dig[0];
      out[o++] = '.';
      for (int i = 1; i < k; i++)
        out[o++] = dig[i];
      if (k == 1)
        out[o++] = '0';
      g_snprintf (out + o, sizeof out - o, "E%d", e);
    }
  g_strlcpy (buf, out, size);
}

/* The integer of the k digits times 10^exp10 (negated when neg), scaled by 10^scale with
 * the dropped digits rounded half up. FALSE when the result does not fit limit (10^p, or
 * 0 for the int64 range). */
static gboolean
digits_to_scaled (const char *dig, int k, int exp10, gboolean neg, int scale, gint64 limit,
                  gint64 *out)
{
  int shift = exp10 + scale;
  int keep = shift >= 0 ? k : k + shift;
  __int128 v = 0;
  for (int i = 0; i < keep; i++)
    if ((v = v * 10 + (dig[i] - '0')) > G_MAXINT64)
      return FALSE;
  for (int i = 0; i < shift && v != 0; i++)
    if ((v *= 10) > G_MAXINT64)
      return FALSE;
  if (keep >= 0 && keep < k && dig[keep] >= '5')
    v++;
  if (neg)
    v = -v;
  if (!fits_dec (v, limit))
    return FALSE;
  *out = (gint64) v;
  return TRUE;
}

typedef enum { PARSE_OK, PARSE_BAD, PARSE_RANGE } ParseResult;

/* [+-]digits[.digits][e[+-]digits] into DECIMAL(limit, scale) with half-up rounding. */
static ParseResult
parse_decimal_text (RtProgram *p, const char *s, gsize len, int scale, gint64 limit,
                    gint64 *out)
{
  gsize i = 0;
  gboolean neg = FALSE, dot = FALSE;
  int frac = 0, exp10 = 0;
  g_byte_array_set_size (p->row2, 0);
  if (i < len && (s[i] == '+' || s[i] == '-'))
    neg = s[i++] == '-';
  for (; i < len; i++)
    {
      if (g_ascii_isdigit (s[i]))
        {
          g_byte_array_append (p->row2, (const guint8 *) &s[i], 1);
          frac += dot;
        }
      else if (s[i] == '.' && !dot)
        dot = TRUE;
      else
        break;
    }
  if (p->row2->len == 0)
    return PARSE_BAD;
  if (i < len && (s[i] == 'e' || s[i] == 'E'))
    {
      gboolean eneg = FALSE;
      gsize start;
      if (++i < len && (s[i] == '+' || s[i] == '-'))
        eneg = s[i++] == '-';
      for (start = i; i < len && g_ascii_isdigit (s[i]); i++)
        exp10 = MIN (exp10 * 10 + (s[i] - '0'), 100000);
      if (i == start)
        return PARSE_BAD;
      exp10 = eneg ? -exp10 : exp10;
    }
  if (i != len)
    return PARSE_BAD;
  return digits_to_scaled ((const char *) p->row2->data, (int) p->row2->len, exp10 - frac, neg,
                           scale, limit, out) ? PARSE_OK : PARSE_RANGE;
}

static ParseResult
parse_i64 (const char *s, gsize len, gint64 *out)
{
  gsize i = 0;
  gboolean neg = FALSE, range = FALSE;
  gint64 v = 0;
  if (i < len && (s[i] == '+' || s[i] == '-'))
    neg = s[i++] == '-';
  if (i == len)
    return PARSE_BAD;
  for (; i < len; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return PARSE_BAD;
      range |= __builtin_mul_overflow (v, 10, &v);
      range |= neg ? __builtin_sub_overflow (v, s[i] - '0', &v)
        : __builtin_add_overflow (v, s[i] - '0', &v);
    }
  *out = v;
  return range ? PARSE_RANGE : PARSE_OK;
}

static ParseResult
parse_double (RtProgram *p, const char *s, gsize len, double *out)
{
  char *end;
  if (len == 0 || memchr (s, 'x', len) || memchr (s, 'X', len))
    return PARSE_BAD;
  g_byte_array_set_size (p->row2, 0);
  g_byte_array_append (p->row2, (const guint8 *) s, len);
  g_byte_array_append (p->row2, (const guint8 *) "", 1);
  *out = g_ascii_strtod ((const char *) p->row2->data, &end);
  return end == (const char *) p->row2->data + len ? PARSE_OK : PARSE_BAD;
}

static ParseResult
parse_bool (const char *s, gsize len, guint8 *out)
{
  static const char *const yes[] = { "true", "t", "yes", "y", "1" };
  static const char *const no[] = { "false", "f", "no", "n", "0" };
  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      if (strlen (yes[i]) == len && g_ascii_strncasecmp (s, yes[i], len) == 0)
        return *out = 1, PARSE_OK;
      if (strlen (no[i]) == len && g_ascii_strncasecmp (s, no[i], len) == 0)
        return *out = 0, PARSE_OK;
    }
  return PARSE_BAD;
}

/* Renders a non-string cell as CAST(x AS VARCHAR) does. */
static void
value_text (PlanType type, const void *data, guint row, char *buf, gsize size)
{
  gint64 v = 0;
  switch (type.kind)
    {
    case PLAN_TYPE_NULL:
      g_strlcpy (buf, "NULL", size);
      break;
    case PLAN_TYPE_BOOLEAN:
      g_strlcpy (buf, ((const guint8 *) data)[row] ? "TRUE" : "FALSE", size);
      break;
    case PLAN_TYPE_INT:
      g_snprintf (buf, size, "%d", ((const gint32 *) data)[row]);
      break;
    case PLAN_TYPE_DATE:
      plan_format_date (((const gint32 *) data)[row], buf, size);
      break;
    case PLAN_TYPE_BIGINT:
      g_snprintf (buf, size, "%" G_GINT64_FORMAT, ((const gint64 *) data)[row]);
      break;
    case PLAN_TYPE_DECIMAL:
      plan_format_decimal (((const gint64 *) data)[row], type.scale, buf, size);
      break;
    case PLAN_TYPE_TIMESTAMP:
      plan_format_timestamp (((const gint64 *) data)[row], buf, size);
      break;
    case PLAN_TYPE_INTERVAL:
      v = ((const gint64 *) data)[row];
      {
        guint64 a = v < 0 ? 0 - (guint64) v : (guint64) v;
        g_snprintf (buf, size, "%c%" G_GUINT64_FORMAT " %02u:%02u:%02u.%03u", v < 0 ? '-' : '+',
                    a / 86400000, (guint) (a / 3600000 % 24), (guint) (a / 60000 % 60),
                    (guint) (a / 1000 % 60), (guint) (a % 1000));
      }
      break;
    case PLAN_TYPE_DOUBLE:
      format_double (((const double *) data)[row], buf, size);
      break;
    case PLAN_TYPE_VARCHAR:
      g_strlcpy (buf, "?", size);
      break;
    }
}

/* A cell of a slot as SQL shows it, for messages. Newly allocated. */
static char *
slot_text (RtProgram *p, gint s, guint row)
{
  const Slot *sl = SLOT (p, s);
  char buf[64];
  if (!bit (VALID (s), row))
    return g_strdup ("NULL");
  if (sl->type.kind == PLAN_TYPE_VARCHAR)
    return g_strdup_printf ("'%.*s'", (int) MIN (DATA (s, RtStr)[row].len, 200),
                            DATA (s, RtStr)[row].ptr);
  value_text (sl->type, p->regs[s].data, row, buf, sizeof buf);
  return g_strdup (buf);
}

/* ---- cast kernels ------------------------------------------------------------------ */

static gboolean
k_i32_to_i64 (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const gint32 *restrict a = DATA (in->a, gint32);
  gint64 *restrict r = DATA (in->dst, gint64);
  for (guint i = 0; i < n; i++)
    r[i] = a[i];
  valid_and (p, in, n);
  return TRUE;
}

static gboolean
k_i64_to_i32 (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const gint64 *restrict a = DATA (in->a, gint64);
  gint32 *restrict r = DATA (in->dst, gint32);
  gboolean bad = FALSE;
  for (guint i = 0; i < n; i++)
    {
      bad |= a[i] < G_MININT32 || a[i] > G_MAXINT32;
      r[i] = (gint32) a[i];
    }
  valid_and (p, in, n);
  for (guint i = 0; bad && i < n; i++)
    if ((a[i] < G_MININT32 || a[i] > G_MAXINT32) && bit (VALID (in->dst), i))
      return fail_range (p, in, i, error);
  return TRUE;
}

/* Integers (k = storage of a) to DOUBLE. */
static gboolean
k_int_to_f64 (RtProgram *p, const Instr *in, guint n, GError **error)
{
  double *restrict r = DATA (in->dst, double);
  if (in->k == ST_I32)
    for (guint i = 0; i < n; i++)
      r[i] = DATA (in->a, gint32)[i];
  else
    for (guint i = 0; i < n; i++)
      r[i] = (double) DATA (in->a, gint64)[i];
  valid_and (p, in, n);
  return TRUE;
}

/* DOUBLE to integers as Java casts: truncate toward zero, saturate, NaN gives 0. */
static gboolean
k_f64_to_int (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const double *restrict a = DATA (in->a, double);
  for (guint i = 0; i < n; i++)
    {
      double d = a[i];
      if (in->k == ST_I32)
        DATA (in->dst, gint32)[i] = isnan (d) ? 0 : d >= 2147483647.0 ? G_MAXINT32
          : d <= -2147483648.0 ? G_MININT32 : (gint32) d;
      else
        DATA (in->dst, gint64)[i] = isnan (d) ? 0 : d >= 9223372036854775807.0 ? G_MAXINT64
          : d <= -9223372036854775808.0 ? G_MININT64 : (gint64) d;
    }
  valid_and (p, in, n);
  return TRUE;
}

/* BOOLEAN to numbers: k = storage of dst, k2 = the value of TRUE (10^scale). */
static gboolean
k_bool_to_num (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const guint8 *a = DATA (in->a, guint8);
  for (guint i = 0; i < n; i++)
    {
      gint64 v = a[i] ? in->k2 : 0;
      if (in->k == ST_I32)
        DATA (in->dst, gint32)[i] = (gint32) v;
      else if (in->k == ST_I64)
        DATA (in->dst, gint64)[i] = v;
      else
        DATA (in->dst, double)[i] = (double) v;
    }
  valid_and (p, in, n);
  return TRUE;
}

/* Numbers (k = storage of a) to BOOLEAN: non-zero is TRUE. */
static gboolean
k_num_to_bool (RtProgram *p, const Instr *in, guint n, GError **error)
{
  guint8 *r = DATA (in->dst, guint8);
  for (guint i = 0; i < n; i++)
    r[i] = in->k == ST_I32 ? DATA (in->a, gint32)[i] != 0
      : in->k == ST_I64 ? DATA (in->a, gint64)[i] != 0 : DATA (in->a, double)[i] != 0;
  valid_and (p, in, n);
  return TRUE;
}

/* i64 (BIGINT or DECIMAL) to DECIMAL: k = scale shift, k2 = 10^precision. */
static gboolean
k_dec_rescale (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const gint64 *restrict a = DATA (in->a, gint64);
  gint64 *restrict r = DATA (in->dst, gint64);
  const gint64 lim = in->k2;
  gboolean bad = FALSE;
  if (in->k >= 0)
    {
      const gint64 f = pow10_tab[MIN (in->k, 18)];
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
        rescale128 (a[i], (gint) in->k, &v);
        r[i] = (gint64) v;
        bad |= lim && (r[i] >= lim || r[i] <= -lim);
      }
  valid_and (p, in, n);
  for (guint i = 0; bad && i < n; i++)
    {
      __int128 v;
      if (bit (VALID (in->dst), i) && (!rescale128 (a[i], (gint) in->k, &v) || !fits_dec (v, lim)))
        return fail_range (p, in, i, error);
    }
  return TRUE;
}

/* DECIMAL (k = 10^scale) to integers (k2 = storage of dst), truncating toward zero. */
static gboolean
k_dec_to_int (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const gint64 *restrict a = DATA (in->a, gint64);
  valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      gint64 v = a[i] / in->k;
      if (in->k2 == ST_I64)
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

static gboolean
k_dec_to_f64 (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const gint64 *restrict a = DATA (in->a, gint64);
  double *restrict r = DATA (in->dst, double);
  const double f = (double) in->k;
  for (guint i = 0; i < n; i++)
    r[i] = (double) a[i] / f;
  valid_and (p, in, n);
  return TRUE;
}

/* DOUBLE to DECIMAL(k2 = 10^precision, k = scale), half up on the shortest decimal form. */
static gboolean
k_f64_to_dec (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const double *a = DATA (in->a, double);
  gint64 *r = DATA (in->dst, gint64);
  valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      char dig[24];
      int e, k;
      r[i] = 0;
      if (!bit (VALID (in->dst), i) || a[i] == 0)
        continue;
      if (!isfinite (a[i]))
        return fail_range (p, in, i, error);
      k = shortest_digits (a[i], dig, &e);
      if (!digits_to_scaled (dig, k, e - (k - 1), a[i] < 0, (int) in->k, in->k2, &r[i]))
        return fail_range (p, in, i, error);
    }
  return TRUE;
}

static gboolean
k_date_to_ts (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const gint32 *restrict a = DATA (in->a, gint32);
  gint64 *restrict r = DATA (in->dst, gint64);
  for (guint i = 0; i < n; i++)
    r[i] = (gint64) a[i] * 86400000;
  valid_and (p, in, n);
  return TRUE;
}

static gboolean
k_ts_to_date (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const gint64 *restrict a = DATA (in->a, gint64);
  gint32 *restrict r = DATA (in->dst, gint32);
  for (guint i = 0; i < n; i++)
    r[i] = (gint32) floor_div (a[i], 86400000);
  valid_and (p, in, n);
  return TRUE;
}

static gboolean
k_to_str (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const Slot *src = SLOT (p, in->a);
  RtStr *r = DATA (in->dst, RtStr);
  valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      char buf[64];
      r[i] = empty_str;
      if (!bit (VALID (in->dst), i))
        continue;
      value_text (src->type, p->regs[in->a].data, i, buf, sizeof buf);
      if (!put_str (p, &r[i], buf, strlen (buf), error))
        return FALSE;
    }
  return TRUE;
}

static void
trim_space (const char **s, gsize *len)
{
  while (*len > 0 && g_ascii_isspace ((*s)[0]))
    (*s)++, (*len)--;
  while (*len > 0 && g_ascii_isspace ((*s)[*len - 1]))
    (*len)--;
}

static ParseResult
parse_into (RtProgram *p, PlanType t, const char *s, gsize len, void *data, guint i)
{
  gint64 v;
  ParseResult res;
  switch (t.kind)
    {
    case PLAN_TYPE_BOOLEAN:
      return parse_bool (s, len, &((guint8 *) data)[i]);
    case PLAN_TYPE_INT:
      if ((res = parse_i64 (s, len, &v)) == PARSE_OK && (v < G_MININT32 || v > G_MAXINT32))
        res = PARSE_RANGE;
      ((gint32 *) data)[i] = (gint32) v;
      return res;
    case PLAN_TYPE_BIGINT:
      return parse_i64 (s, len, &((gint64 *) data)[i]);
    case PLAN_TYPE_DOUBLE:
      return parse_double (p, s, len, &((double *) data)[i]);
    case PLAN_TYPE_DECIMAL:
      return parse_decimal_text (p, s, len, t.scale, dec_limit (t.precision),
                                 &((gint64 *) data)[i]);
    case PLAN_TYPE_DATE:
      return plan_parse_date (s, len, &((gint32 *) data)[i]) ? PARSE_OK : PARSE_BAD;
    case PLAN_TYPE_TIMESTAMP:
      return plan_parse_timestamp (s, len, &((gint64 *) data)[i]) ? PARSE_OK : PARSE_BAD;
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_VARCHAR:
    case PLAN_TYPE_INTERVAL:
      break;
    }
  return PARSE_BAD;
}

static const char *
parse_hint (PlanTypeKind kind)
{
  switch (kind)
    {
    case PLAN_TYPE_BOOLEAN:
      return "expected TRUE, FALSE, T, F, YES, NO, 1 or 0";
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
      return "expected an integer such as -42";
    case PLAN_TYPE_DOUBLE:
    case PLAN_TYPE_DECIMAL:
      return "expected a number such as -4.2 or 1e3";
    case PLAN_TYPE_DATE:
      return "expected a date as YYYY-MM-DD";
    case PLAN_TYPE_TIMESTAMP:
      return "expected a timestamp as YYYY-MM-DD HH:MM:SS[.fff]";
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_VARCHAR:
    case PLAN_TYPE_INTERVAL:
      break;
    }
  return NULL;
}

static gboolean
k_from_str (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const RtStr *a = DATA (in->a, RtStr);
  PlanType t = SLOT (p, in->dst)->type;
  valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      const char *s = a[i].ptr;
      gsize len = a[i].len;
      ParseResult res;
      if (!bit (VALID (in->dst), i))
        continue;
      trim_space (&s, &len);
      if ((res = parse_into (p, t, s, len, p->regs[in->dst].data, i)) != PARSE_OK)
        {
          g_autofree char *type = plan_type_to_string (t, FALSE);
          g_autofree char *v = slot_text (p, in->a, i);
          return fail_at (p, in->expr, error, res == PARSE_RANGE ? "cast to a wider type"
                          : parse_hint (t.kind), "cannot cast %s to %s%s", v, type,
                          res == PARSE_RANGE ? ": out of range" : "");
        }
    }
  return TRUE;
}

/* ---- string kernels ---------------------------------------------------------------- */

static inline guint
utf8_len (guchar c)
{
  return c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
    : (c & 0xf8) == 0xf0 ? 4 : 1;
}

static gint64
utf8_count (RtStr s)
{
  gint64 n = 0;
  for (guint32 j = 0; j < s.len; j++)
    n += ((guchar) s.ptr[j] & 0xc0) != 0x80;
  return n;
}

/* Byte offset of character `chars` (clamped to the end). */
static gsize
utf8_offset (RtStr s, gint64 chars)
{
  gsize o = 0;
  for (gint64 c = 0; c < chars && o < s.len; c++)
    o = MIN (o + utf8_len ((guchar) s.ptr[o]), s.len);
  return o;
}

static gsize
find_bytes (RtStr hay, gsize from, RtStr needle)
{
  if (needle.len == 0)
    return from;
  for (gsize i = from; i + needle.len <= hay.len; i++)
    {
      const char *c = memchr (hay.ptr + i, needle.ptr[0], hay.len - needle.len + 1 - i);
      if (!c)
        break;
      i = (gsize) (c - hay.ptr);
      if (memcmp (c, needle.ptr, needle.len) == 0)
        return i;
    }
  return G_MAXSIZE;
}

/* Validity for kernels with arguments listed in aux (k of them) plus the guard. */
static void
valid_and_list (RtProgram *p, const Instr *in, guint n)
{
  const gint *args = in->aux;
  for (guint w = 0; w < nwords (n); w++)
    {
      guint64 m = in->guard >= 0 ? VALID (in->guard)[w] : ~G_GUINT64_CONSTANT (0);
      for (gint64 k = 0; k < in->k; k++)
        m &= VALID (args[k])[w];
      VALID (in->dst)[w] = m;
    }
}

static gboolean
k_concat (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const gint *args = in->aux;
  RtStr *r = DATA (in->dst, RtStr);
  valid_and_list (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      r[i] = empty_str;
      if (!bit (VALID (in->dst), i))
        continue;
      g_byte_array_set_size (p->row, 0);
      for (gint64 k = 0; k < in->k; k++)
        {
          RtStr s = DATA (args[k], RtStr)[i];
          if (s.len)
            g_byte_array_append (p->row, (const guint8 *) s.ptr, s.len);
        }
      if (!put_str (p, &r[i], (const char *) p->row->data, p->row->len, error))
        return FALSE;
    }
  return TRUE;
}

/* UPPER (k = 1) and LOWER (k = 0): ASCII in place, other text through GLib's Unicode
 * tables; text that would not change is referenced, not copied. */
static gboolean
k_case (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const RtStr *a = DATA (in->a, RtStr);
  RtStr *r = DATA (in->dst, RtStr);
  valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      RtStr s = a[i];
      gboolean ascii = TRUE, change = FALSE;
      r[i] = empty_str;
      if (!bit (VALID (in->dst), i))
        continue;
      for (guint32 j = 0; j < s.len; j++)
        {
          guchar c = (guchar) s.ptr[j];
          ascii &= c < 0x80;
          change |= in->k ? (c >= 'a' && c <= 'z') : (c >= 'A' && c <= 'Z');
        }
      if (ascii && !change)
        r[i] = s;
      else if (!ascii && g_utf8_validate_len (s.ptr, s.len, NULL))
        {
          g_autofree char *m = in->k ? g_utf8_strup (s.ptr, s.len) : g_utf8_strdown (s.ptr, s.len);
          if (!put_str (p, &r[i], m, strlen (m), error))
            return FALSE;
        }
      else
        {
          g_byte_array_set_size (p->row, s.len);
          for (guint32 j = 0; j < s.len; j++)
            p->row->data[j] = in->k ? g_ascii_toupper (s.ptr[j]) : g_ascii_tolower (s.ptr[j]);
          if (!put_str (p, &r[i], (const char *) p->row->data, s.len, error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
k_char_length (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const RtStr *a = DATA (in->a, RtStr);
  gint32 *r = DATA (in->dst, gint32);
  valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    r[i] = bit (VALID (in->dst), i) ? (gint32) utf8_count (a[i]) : 0;
  return TRUE;
}

/* SUBSTRING(s, start [, len]) in characters, as Flink: start 0 means 1, a negative start
 * counts from the end, a negative length gives NULL. The result points into s. */
static gboolean
k_substring (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const RtStr *a = DATA (in->a, RtStr);
  const gint64 *pos = DATA (in->b, gint64);
  RtStr *r = DATA (in->dst, RtStr);
  valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      gint64 nch, start, end, len = in->c >= 0 ? DATA (in->c, gint64)[i] : G_MAXINT64;
      r[i] = empty_str;
      if (!bit (VALID (in->dst), i))
        continue;
      if (len < 0)
        {
          VALID (in->dst)[i >> 6] &= ~(G_GUINT64_CONSTANT (1) << (i & 63));
          continue;
        }
      nch = utf8_count (a[i]);
      start = pos[i] > 0 ? pos[i] - 1 : pos[i] < 0 ? MAX (nch + pos[i], 0) : 0;
      if (start >= nch)
        continue;
      end = nch - start < len ? nch : start + len;
      gsize bs = utf8_offset (a[i], start), be = utf8_offset (a[i], end);
      r[i].ptr = a[i].ptr + bs;
      r[i].len = (guint32) (be - bs);
    }
  return TRUE;
}

/* TRIM (k = 0), LTRIM (1), RTRIM (2) of spaces; the result points into the argument. */
static gboolean
k_trim (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const RtStr *a = DATA (in->a, RtStr);
  RtStr *r = DATA (in->dst, RtStr);
  valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      RtStr s = bit (VALID (in->dst), i) ? a[i] : empty_str;
      if (in->k != 2)
        while (s.len > 0 && s.ptr[0] == ' ')
          s.ptr++, s.len--;
      if (in->k != 1)
        while (s.len > 0 && s.ptr[s.len - 1] == ' ')
          s.len--;
      r[i] = s;
    }
  return TRUE;
}

/* POSITION(needle IN haystack): 1-based character index, 0 when absent. */
static gboolean
k_position (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const RtStr *needle = DATA (in->a, RtStr), *hay = DATA (in->b, RtStr);
  gint32 *r = DATA (in->dst, gint32);
  valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      gsize at = bit (VALID (in->dst), i) ? find_bytes (hay[i], 0, needle[i]) : G_MAXSIZE;
      RtStr before = { hay[i].ptr, (guint32) at };
      r[i] = at == G_MAXSIZE ? 0 : (gint32) utf8_count (before) + 1;
    }
  return TRUE;
}

static gboolean
k_replace (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const RtStr *a = DATA (in->a, RtStr), *from = DATA (in->b, RtStr), *to = DATA (in->c, RtStr);
  RtStr *r = DATA (in->dst, RtStr);
  valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      gsize at, done = 0;
      r[i] = bit (VALID (in->dst), i) ? a[i] : empty_str;
      if (!bit (VALID (in->dst), i) || from[i].len == 0
          || (at = find_bytes (a[i], 0, from[i])) == G_MAXSIZE)
        continue;
      g_byte_array_set_size (p->row, 0);
      for (; at != G_MAXSIZE; at = find_bytes (a[i], done, from[i]))
        {
          g_byte_array_append (p->row, (const guint8 *) a[i].ptr + done, at - done);
          if (to[i].len)
            g_byte_array_append (p->row, (const guint8 *) to[i].ptr, to[i].len);
          done = at + from[i].len;
        }
      g_byte_array_append (p->row, (const guint8 *) a[i].ptr + done, a[i].len - done);
      if (!put_str (p, &r[i], (const char *) p->row->data, p->row->len, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- LIKE -------------------------------------------------------------------------- */

enum { TOK_LIT, TOK_ONE, TOK_ANY };
typedef enum { LIKE_EXACT, LIKE_PREFIX, LIKE_SUFFIX, LIKE_CONTAINS, LIKE_GENERAL } LikeKind;

/* A pattern compiled once: bytes[i] is a literal byte where toks[i] is TOK_LIT; runs of
 * % are collapsed. Patterns with only a literal and % at its ends take a fast path. */
typedef struct {
  LikeKind kind;
  gsize n;
  RtStr lit;      /* the literal of the fast kinds (points into bytes) */
  char *bytes;    /* n */
  guint8 *toks;   /* n */
} LikePat;

/* Tokenizes pat with escape byte esc (-1: none) into bytes/toks; FALSE when the
 * pattern ends in the escape character. */
static gboolean
like_tokenize (RtStr pat, int esc, GByteArray *bytes, GByteArray *toks)
{
  g_byte_array_set_size (bytes, 0);
  g_byte_array_set_size (toks, 0);
  for (guint32 i = 0; i < pat.len; i++)
    {
      guint8 c = (guint8) pat.ptr[i], t = TOK_LIT;
      if (esc >= 0 && c == esc)
        {
          if (++i == pat.len)
            return FALSE;
          c = (guint8) pat.ptr[i];
        }
      else if (c == '%')
        t = TOK_ANY;
      else if (c == '_')
        t = TOK_ONE;
      if (t == TOK_ANY && toks->len && toks->data[toks->len - 1] == TOK_ANY)
        continue;
      g_byte_array_append (bytes, &c, 1);
      g_byte_array_append (toks, &t, 1);
    }
  return TRUE;
}

static gboolean
like_general (RtStr s, const char *pb, const guint8 *pk, gsize pn)
{
  gsize si = 0, pi = 0, star_pi = G_MAXSIZE, star_si = 0;
  while (si < s.len)
    {
      if (pi < pn && pk[pi] == TOK_ANY)
        {
          star_pi = ++pi;
          star_si = si;
          continue;
        }
      if (pi < pn && (pk[pi] == TOK_ONE || pb[pi] == s.ptr[si]))
        {
          si = pk[pi] == TOK_ONE ? MIN (si + utf8_len ((guchar) s.ptr[si]), s.len) : si + 1;
          pi++;
          continue;
        }
      if (star_pi == G_MAXSIZE)
        return FALSE;
      star_si = MIN (star_si + utf8_len ((guchar) s.ptr[star_si]), s.len);
      si = star_si;
      pi = star_pi;
    }
  while (pi < pn && pk[pi] == TOK_ANY)
    pi++;
  return pi == pn;
}

/* One g_free-able block: the struct, then the bytes, then the tokens. */
static LikePat *
like_pat_new (GByteArray *bytes, GByteArray *toks)
{
  gsize n = bytes->len;
  LikePat *lp = g_malloc0 (sizeof (LikePat) + 2 * n + 1);
  guint n_any = 0, n_one = 0;
  lp->n = n;
  lp->bytes = (char *) (lp + 1);
  lp->toks = (guint8 *) lp->bytes + n;
  if (n)
    {
      memcpy (lp->bytes, bytes->data, n);
      memcpy (lp->toks, toks->data, n);
    }
  for (gsize i = 0; i < lp->n; i++)
    {
      n_any += lp->toks[i] == TOK_ANY;
      n_one += lp->toks[i] == TOK_ONE;
    }
  gboolean first = lp->n && lp->toks[0] == TOK_ANY;
  gboolean last = lp->n && lp->toks[lp->n - 1] == TOK_ANY;
  lp->kind = LIKE_GENERAL;
  lp->lit.ptr = lp->bytes + first;
  lp->lit.len = (guint32) (lp->n - first - (last && lp->n > 1));
  if (n_one == 0 && n_any == 0)
    lp->kind = LIKE_EXACT;
  else if (n_one == 0 && n_any == 1 && first && last)
    lp->kind = LIKE_CONTAINS;
  else if (n_one == 0 && n_any == 1)
    lp->kind = first ? LIKE_SUFFIX : LIKE_PREFIX;
  else if (n_one == 0 && n_any == 2 && first && last)
    lp->kind = LIKE_CONTAINS;
  return lp;
}

static gboolean
like_match (const LikePat *lp, RtStr s)
{
  RtStr l = lp->lit;
  switch (lp->kind)
    {
    case LIKE_EXACT:
      return s.len == l.len && (l.len == 0 || memcmp (s.ptr, l.ptr, l.len) == 0);
    case LIKE_PREFIX:
      return s.len >= l.len && (l.len == 0 || memcmp (s.ptr, l.ptr, l.len) == 0);
    case LIKE_SUFFIX:
      return s.len >= l.len && (l.len == 0 || memcmp (s.ptr + s.len - l.len, l.ptr, l.len) == 0);
    case LIKE_CONTAINS:
      return find_bytes (s, 0, l) != G_MAXSIZE;
    case LIKE_GENERAL:
      break;
    }
  return like_general (s, lp->bytes, lp->toks, lp->n);
}

static gboolean
k_like_const (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const RtStr *a = DATA (in->a, RtStr);
  guint8 *r = DATA (in->dst, guint8);
  valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    r[i] = bit (VALID (in->dst), i) && like_match (in->aux, a[i]);
  return TRUE;
}

/* LIKE with a pattern (b) and escape (c, or -1) that vary per row. */
static gboolean
k_like_dyn (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const RtStr *a = DATA (in->a, RtStr), *pat = DATA (in->b, RtStr);
  guint8 *r = DATA (in->dst, guint8);
  valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      int esc = -1;
      r[i] = 0;
      if (!bit (VALID (in->dst), i))
        continue;
      if (in->c >= 0)
        {
          RtStr e = DATA (in->c, RtStr)[i];
          if (e.len != 1)
            return fail_at (p, in->expr, error, "give one character, such as '\\'",
                            "LIKE escape '%.*s' is not a single character", (int) e.len, e.ptr);
          esc = (guchar) e.ptr[0];
        }
      if (!like_tokenize (pat[i], esc, p->row, p->row2))
        return fail_at (p, in->expr, error, "escape the escape character itself",
                        "LIKE pattern '%.*s' ends with its escape character",
                        (int) pat[i].len, pat[i].ptr);
      r[i] = like_general (a[i], (const char *) p->row->data, p->row2->data, p->row->len);
    }
  return TRUE;
}

/* ---- math and time kernels --------------------------------------------------------- */

typedef enum { FN_FLOOR, FN_CEIL, FN_SQRT, FN_LN, FN_LOG10, FN_EXP, FN_POWER } F64Fn;

static gboolean
k_f64_fn (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const double *restrict a = DATA (in->a, double);
  double *restrict r = DATA (in->dst, double);
  switch ((F64Fn) in->k)
    {
    case FN_FLOOR:
      for (guint i = 0; i < n; i++)
        r[i] = floor (a[i]);
      break;
    case FN_CEIL:
      for (guint i = 0; i < n; i++)
        r[i] = ceil (a[i]);
      break;
    case FN_SQRT:
      for (guint i = 0; i < n; i++)
        r[i] = sqrt (a[i]);
      break;
    case FN_LN:
      for (guint i = 0; i < n; i++)
        r[i] = log (a[i]);
      break;
    case FN_LOG10:
      for (guint i = 0; i < n; i++)
        r[i] = log10 (a[i]);
      break;
    case FN_EXP:
      for (guint i = 0; i < n; i++)
        r[i] = exp (a[i]);
      break;
    case FN_POWER:
      for (guint i = 0; i < n; i++)
        r[i] = pow (a[i], DATA (in->b, double)[i]);
      break;
    }
  valid_and (p, in, n);
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
  k = shortest_digits (x, dig, &e);
  if (!digits_to_scaled (dig, k, e - (k - 1), x < 0, (int) d, 0, &scaled))
    return x;
  return d > 0 ? (double) scaled / (double) pow10_tab[d] : (double) scaled * pow10_tab[-d];
}

static gboolean
k_round_f64 (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const double *a = DATA (in->a, double);
  double *r = DATA (in->dst, double);
  for (guint i = 0; i < n; i++)
    r[i] = round_double (a[i], in->k);
  valid_and (p, in, n);
  return TRUE;
}

/* ROUND of i64 values with scale s (DECIMAL, or 0 for BIGINT) to k digits, stored with
 * the destination's scale; half up. FLOOR (k2 = 1) and CEIL (k2 = 2) round to 0 digits
 * toward -inf / +inf instead. */
static gboolean
k_round_i64 (RtProgram *p, const Instr *in, guint n, GError **error)
{
  const gint64 *a = DATA (in->a, gint64);
  gint64 *r = DATA (in->dst, gint64);
  gint s = SLOT (p, in->a)->type.kind == PLAN_TYPE_DECIMAL ? SLOT (p, in->a)->type.scale : 0;
  const Slot *d = SLOT (p, in->dst);
  gint sr = d->type.kind == PLAN_TYPE_DECIMAL ? d->type.scale : 0;
  gint64 lim = d->type.kind == PLAN_TYPE_DECIMAL ? dec_limit (d->type.precision) : 0;
  valid_and (p, in, n);
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
          __int128 f = pow10_128 ((guint) s), q = v / f, rem = v % f;
          v = q + (in->k2 == 1 ? -(rem < 0) : (rem > 0));
          at = 0;
        }
      else if (!in->k2 && in->k < s)
        {
          ok = rescale128 (v, (gint) in->k - s, &v);
          at = (gint) in->k;
        }
      if (!ok || !rescale128 (v, sr - at, &v) || !fits_dec (v, lim))
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
static gboolean
k_extract (RtProgram *p, const Instr *in, guint n, GError **error)
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
  valid_and (p, in, n);
  return TRUE;
}

/* CURRENT_TIMESTAMP: local wall-clock time, read once per batch. */
static gboolean
k_now (RtProgram *p, const Instr *in, guint n, GError **error)
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
  valid_and (p, in, n);
  return TRUE;
}

/* ---- compiler ---------------------------------------------------------------------- */

typedef struct {
  RtProgram *p;
  GArray *code;   /* borrowed: the phase's instruction list */
  gboolean proj;  /* compiling the projections (not the filter) */
} Compiler;

static gint compile (Compiler *c, const PlanExpr *e, gint guard, gint dst, GError **error);

static gint
slot_add (RtProgram *p, SlotRole role, PlanType type)
{
  Slot s = { 0 };
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
  return SLOT (c->p, s)->role == SLOT_CONST;
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
  return dst >= 0 && same_type (stype (c, dst), t) ? dst : slot_add (c->p, SLOT_TEMP, t);
}

static Instr *
emit (Compiler *c, Kernel fn, const PlanExpr *e, gint guard, gint dst, gint a, gint b)
{
  Instr in = { .fn = fn, .expr = e, .dst = dst, .a = a, .b = b, .c = -1, .guard = guard };
  g_array_append_val (c->code, in);
  return &g_array_index (c->code, Instr, c->code->len - 1);
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
  gint s = slot_add (c->p, SLOT_CONST, v->type);
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
      gint s = slot_add (p, SLOT_COLUMN, p->input_schema->fields[j].type);
      SLOT (p, s)->index = j;
      p->col_slot[j] = s;
    }
  if (gather)
    SLOT (p, p->col_slot[j])->gather = TRUE;
  return p->col_slot[j];
}

/* The kernel converting from -> to and its immediates, or NULL when there is no cast. */
static Kernel
cast_kernel (PlanType from, PlanType to, gint64 *k, gint64 *k2)
{
  PlanTypeKind fk = from.kind, tk = to.kind;
  Storage ts = storage_of (tk);
  gboolean f_int = fk == PLAN_TYPE_INT || fk == PLAN_TYPE_BIGINT;
  gboolean t_int = tk == PLAN_TYPE_INT || tk == PLAN_TYPE_BIGINT;
  if (fk == PLAN_TYPE_VARCHAR)
    return tk != PLAN_TYPE_INTERVAL && tk != PLAN_TYPE_NULL ? k_from_str : NULL;
  if (tk == PLAN_TYPE_VARCHAR)
    return k_to_str;
  if (fk == PLAN_TYPE_BOOLEAN && (t_int || tk == PLAN_TYPE_DOUBLE || tk == PLAN_TYPE_DECIMAL))
    {
      *k = ts;
      *k2 = tk == PLAN_TYPE_DECIMAL ? pow10_tab[MIN (to.scale, 18)] : 1;
      return k_bool_to_num;
    }
  if (tk == PLAN_TYPE_BOOLEAN && (f_int || fk == PLAN_TYPE_DECIMAL || fk == PLAN_TYPE_DOUBLE))
    {
      *k = storage_of (fk);
      return k_num_to_bool;
    }
  if (fk == PLAN_TYPE_INT && tk == PLAN_TYPE_BIGINT)
    return k_i32_to_i64;
  if (fk == PLAN_TYPE_BIGINT && tk == PLAN_TYPE_INT)
    return k_i64_to_i32;
  if (fk == PLAN_TYPE_DATE && tk == PLAN_TYPE_TIMESTAMP)
    return k_date_to_ts;
  if (fk == PLAN_TYPE_TIMESTAMP && tk == PLAN_TYPE_DATE)
    return k_ts_to_date;
  if (f_int && tk == PLAN_TYPE_DOUBLE)
    return *k = storage_of (fk), k_int_to_f64;
  if (fk == PLAN_TYPE_DOUBLE && t_int)
    return *k = ts, k_f64_to_int;
  if (fk == PLAN_TYPE_DECIMAL && (t_int || tk == PLAN_TYPE_DOUBLE))
    {
      *k = pow10_tab[MIN (from.scale, 18)];
      *k2 = ts;
      return t_int ? k_dec_to_int : k_dec_to_f64;
    }
  if ((f_int || fk == PLAN_TYPE_DECIMAL || fk == PLAN_TYPE_DOUBLE) && tk == PLAN_TYPE_DECIMAL)
    {
      *k = fk == PLAN_TYPE_DOUBLE ? to.scale
        : (gint64) to.scale - (fk == PLAN_TYPE_DECIMAL ? from.scale : 0);
      *k2 = dec_limit (to.precision);
      return fk == PLAN_TYPE_DOUBLE ? k_f64_to_dec : k_dec_rescale;
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
  Kernel fn = cast_kernel (from, to, &k, &k2);
  if (!fn)
    {
      g_autofree char *f = plan_type_to_string (from, FALSE);
      g_autofree char *t = plan_type_to_string (to, FALSE);
      return unsupported (c, e, error, "cannot cast %s to %s", f, t);
    }
  if (from.kind == PLAN_TYPE_INT && fn == k_dec_rescale)
    src = cast_slot (c, src, ptype (PLAN_TYPE_BIGINT), guard, -1, e, error);
  gint r = want (c, dst, to);
  Instr *in = emit (c, fn, e, guard, r, src, -1);
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

static const Kernel arith_tab[3][3][2] = {
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

static const Kernel cmp_tab[4][6][2] = { { CMP_ROW (b8) }, { CMP_ROW (i32) },
                                         { CMP_ROW (i64) }, { CMP_ROW (f64) } };

/* a OP b over slots of the storage of rt (I32, I64 or F64). */
static gint
emit_arith (Compiler *c, const PlanExpr *e, PlanFunc f, gint a, gint b, gint guard, gint dst,
            PlanType rt)
{
  Storage st = storage_of (rt.kind);
  guint si = st == ST_I32 ? 0 : st == ST_I64 ? 1 : 2;
  Kernel fn;
  if (a < 0 || b < 0)
    return -1;
  if ((f == PLAN_FUNC_ADD || f == PLAN_FUNC_MUL) && is_const (c, a) && !is_const (c, b))
    {
      gint t = a;
      a = b;
      b = t;
    }
  if (f == PLAN_FUNC_DIV)
    fn = si == 0 ? k_div_i32 : si == 1 ? k_div_i64 : k_div_f64;
  else if (f == PLAN_FUNC_MOD)
    fn = si == 0 ? k_mod_i32 : si == 1 ? k_mod_i64 : k_mod_f64;
  else
    fn = arith_tab[f - PLAN_FUNC_ADD][si][is_const (c, b)];
  gint r = want (c, dst, rt);
  emit (c, fn, e, guard, r, a, b);
  return r;
}

/* A slot as 64-bit integers: BIGINT, DECIMAL, TIMESTAMP, INTERVAL as they are, INT
 * widened, DATE as a TIMESTAMP. */
static gint
i64_view (Compiler *c, gint s, gint guard, const PlanExpr *e, GError **error)
{
  if (s < 0 || storage_of (stype (c, s).kind) == ST_I64)
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
      if (r >= 0 && dec_limit (rt.precision))
        emit (c, k_check_prec, e, guard, -1, r, -1)->k = dec_limit (rt.precision);
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
  Instr *in = emit (c, k_dec_muldiv, e, guard, r, s[0], s[1]);
  in->k = f == PLAN_FUNC_MUL ? rt.scale - (sc[0] + sc[1]) : rt.scale - sc[0] + sc[1];
  in->k2 = dec_limit (rt.precision);
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
  Storage st = storage_of (rt.kind);
  if (st != ST_I32 && st != ST_I64 && st != ST_F64)
    return unsupported (c, e, error, "%s of %s", plan_func_name (e->u.call.func),
                        plan_type_kind_name (rt.kind));
  gint a = compile_as (c, e->u.call.args[0], rt, guard, error);
  if (a < 0)
    return -1;
  gint r = want (c, dst, rt);
  emit (c, e->u.call.func == PLAN_FUNC_NEG ? k_neg : k_abs, e, guard, r, a, -1)->k = st;
  return r;
}

static int
numeric_rank (PlanTypeKind k)
{
  return k == PLAN_TYPE_INT ? 1 : k == PLAN_TYPE_BIGINT ? 2 : k == PLAN_TYPE_DECIMAL ? 3
    : k == PLAN_TYPE_DOUBLE ? 4 : 0;
}

static gboolean
common_type (PlanType a, PlanType b, PlanType *out)
{
  int ra = numeric_rank (a.kind), rb = numeric_rank (b.kind);
  *out = a.kind == PLAN_TYPE_NULL || a.kind == PLAN_TYPE_VARCHAR ? b : a;
  if (a.kind == b.kind || a.kind == PLAN_TYPE_NULL || b.kind == PLAN_TYPE_NULL
      || a.kind == PLAN_TYPE_VARCHAR || b.kind == PLAN_TYPE_VARCHAR)
    {
      if (a.kind == b.kind && a.kind == PLAN_TYPE_DECIMAL && a.scale != b.scale)
        *out = pdec (18, MAX (a.scale, b.scale));
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
  Storage st = storage_of (t.kind);
  gint r = want (c, dst, ptype (PLAN_TYPE_BOOLEAN));
  if (st == ST_STR)
    emit (c, k_cmp_str, e, guard, r, a, b)->k = op;
  else
    {
      guint si = st == ST_I32 ? 1 : st == ST_I64 ? 2 : st == ST_F64 ? 3 : 0;
      emit (c, cmp_tab[si][op - PLAN_FUNC_EQ][is_const (c, b)], e, guard, r, a, b);
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
  emit (c, k_and_or, e, guard, r, a, b)->k = is_or;
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
          g = slot_add (c->p, SLOT_TEMP, bt);
          emit (c, k_mask, e, guard, g, acc, -1)->k = is_or ? MASK_NOT_TRUE : MASK_NOT_FALSE;
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
    emit (c, k_not, e, guard, r, a, -1);
  else
    emit (c, k_is, e, guard, r, a, -1)->k = f == PLAN_FUNC_IS_NULL ? IS_NULL
      : f == PLAN_FUNC_IS_NOT_NULL ? IS_NOT_NULL : f == PLAN_FUNC_IS_TRUE ? IS_TRUE : IS_FALSE;
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
  Instr *in = emit (c, k_distinct, e, guard, r, ne, x);
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
      gint taken = slot_add (c->p, SLOT_TEMP, bt);
      gint rest = last ? -1 : slot_add (c->p, SLOT_TEMP, bt);
      gint v;
      if (!coalesce && !is_else)
        {
          gint cond = compile_as (c, e->u.call.args[2 * k], bt, remaining, error);
          if (cond < 0)
            return -1;
          Instr *in = emit (c, k_mask, e, remaining, taken, cond, -1);
          in->c = rest;
          in->k = MASK_TRUE;
        }
      v = compile_as (c, val, e->type, coalesce || is_else ? remaining
                      : can_fail (val) ? taken : guard, error);
      if (v < 0)
        return -1;
      if (coalesce || is_else)
        {
          Instr *in = emit (c, k_mask, e, remaining, taken, coalesce && !last ? v : -1, -1);
          in->c = rest;
          in->k = coalesce && !last ? MASK_VALID : MASK_ALL;
        }
      slots[k] = taken;
      slots[nb + k] = v;
      remaining = rest;
    }
  gint r = want (c, dst, e->type);
  Instr *in = emit (c, k_pick, e, guard, r, -1, -1);
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
  emit (c, k_nullif, e, guard, r, x, eq);
  return r;
}

static gint
compile_string (Compiler *c, const PlanExpr *e, gint guard, gint dst, GError **error)
{
  PlanFunc f = e->u.call.func;
  guint n = e->u.call.n_args;
  PlanType vt = ptype (PLAN_TYPE_VARCHAR), nat = vt;
  gint s[3] = { -1, -1, -1 };
  Kernel fn = k_case;
  gint64 k = 0;
  if (f == PLAN_FUNC_CONCAT)
    {
      gint *args = aux_add (c, g_new (gint, n));
      for (guint i = 0; i < n; i++)
        if ((args[i] = compile_as (c, e->u.call.args[i], vt, guard, error)) < 0)
          return -1;
      gint r = want (c, dst, vt);
      Instr *in = emit (c, k_concat, e, guard, r, -1, -1);
      in->k = n;
      in->aux = args;
      return cast_slot (c, r, e->type, guard, dst, e, error);
    }
  for (guint i = 0; i < n && i < 3; i++)
    {
      PlanType t = f == PLAN_FUNC_SUBSTRING && i > 0 ? ptype (PLAN_TYPE_BIGINT) : vt;
      if ((s[i] = compile_as (c, e->u.call.args[i], t, guard, error)) < 0)
        return -1;
    }
  switch ((int) f)
    {
    case PLAN_FUNC_UPPER:
      k = 1;
      break;
    case PLAN_FUNC_CHAR_LENGTH:
      fn = k_char_length;
      nat = ptype (PLAN_TYPE_INT);
      break;
    case PLAN_FUNC_SUBSTRING:
      fn = k_substring;
      break;
    case PLAN_FUNC_TRIM:
    case PLAN_FUNC_LTRIM:
    case PLAN_FUNC_RTRIM:
      fn = k_trim;
      k = f == PLAN_FUNC_TRIM ? 0 : f == PLAN_FUNC_LTRIM ? 1 : 2;
      break;
    case PLAN_FUNC_POSITION:
      fn = k_position;
      nat = ptype (PLAN_TYPE_INT);
      break;
    case PLAN_FUNC_REPLACE:
      fn = k_replace;
      break;
    default: /* LOWER */
      break;
    }
  gint r = want (c, dst, nat);
  Instr *in = emit (c, fn, e, guard, r, s[0], s[1]);
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
          fail_at (c->p, e, error, "give one character, such as '\\'",
                   "LIKE escape '%s' is not a single character", ev->v.s);
          return -1;
        }
      esc = ev ? (guchar) ev->v.s[0] : -1;
      RtStr ps = { pv->v.s, (guint32) strlen (pv->v.s) };
      if (!like_tokenize (ps, esc, c->p->row, c->p->row2))
        {
          fail_at (c->p, e, error, "escape the escape character itself",
                   "LIKE pattern '%s' ends with its escape character", pv->v.s);
          return -1;
        }
      r = want (c, dst, bt);
      emit (c, k_like_const, e, guard, r, a, -1)->aux =
        aux_add (c, like_pat_new (c->p->row, c->p->row2));
      return r;
    }
  gint b = compile_as (c, args[1], vt, guard, error);
  gint esc = n > 2 && b >= 0 ? compile_as (c, args[2], vt, guard, error) : -1;
  if (b < 0 || (n > 2 && esc < 0))
    return -1;
  r = want (c, dst, bt);
  emit (c, k_like_dyn, e, guard, r, a, b)->c = esc;
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
      static const F64Fn fns[] = { FN_SQRT, FN_POWER, FN_LN, FN_LOG10, FN_EXP };
      a = compile_as (c, args[0], dt, guard, error);
      gint b = f == PLAN_FUNC_POWER && a >= 0 ? compile_as (c, args[1], dt, guard, error) : -1;
      if (a < 0 || (f == PLAN_FUNC_POWER && b < 0))
        return -1;
      r = want (c, dst, dt);
      emit (c, k_f64_fn, e, guard, r, a, b)->k = fns[f - PLAN_FUNC_SQRT];
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
        emit (c, k_round_f64, e, guard, r, a, -1)->k = digits;
      else
        emit (c, k_f64_fn, e, guard, r, a, -1)->k = f == PLAN_FUNC_FLOOR ? FN_FLOOR : FN_CEIL;
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
      Instr *in = emit (c, k_round_i64, e, guard, r, a, -1);
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
      emit (c, k_now, e, guard, r, -1, -1);
      return cast_slot (c, r, e->type, guard, dst, e, error);
    }
  gint a = compile (c, e->u.call.args[0], guard, -1, error);
  if (a >= 0 && stype (c, a).kind != PLAN_TYPE_DATE && stype (c, a).kind != PLAN_TYPE_TIMESTAMP)
    a = cast_slot (c, a, ptype (PLAN_TYPE_TIMESTAMP), guard, -1, e, error);
  if (a < 0)
    return -1;
  r = want (c, dst, ptype (PLAN_TYPE_BIGINT));
  Instr *in = emit (c, k_extract, e, guard, r, a, -1);
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
    case PLAN_FUNC_LIKE: case PLAN_FUNC_SUBSTRING:
      return n == 2 || n == 3;
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
      os = slot_add (p, SLOT_OUTPUT, e->type);
      SLOT (p, os)->index = i;
      if ((r = compile (&c, e, -1, os, error)) < 0)
        return FALSE;
      p->out_src[i] = r;
      p->out_slot[i] = r == os ? os : -1;
    }
  for (guint i = 0; i < p->slots->len; i++)
    {
      const Slot *s = SLOT (p, i);
      reads_str |= s->role == SLOT_COLUMN && s->type.kind == PLAN_TYPE_VARCHAR && s->gather;
    }
  for (guint i = 0; i < p->n_out; i++)
    reads_str |= SLOT (p, p->out_src[i])->role == SLOT_COLUMN
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
  p->slots = g_array_new (FALSE, TRUE, sizeof (Slot));
  p->filter_code = g_array_new (FALSE, TRUE, sizeof (Instr));
  p->proj_code = g_array_new (FALSE, TRUE, sizeof (Instr));
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
  p->regs = g_new0 (Reg, MAX (p->slots->len, 1));
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
broadcast (Slot *s, RtStr str, guint n)
{
  const PlanValue *v = &s->value;
  memset (s->valid, v->is_null ? 0 : 0xff, nwords (n) * sizeof (guint64));
  if (v->is_null)
    return;
  switch (storage_of (s->type.kind))
    {
    case ST_BOOL:
      memset (s->data, v->v.b ? 1 : 0, n);
      break;
    case ST_I32:
      for (guint i = 0; i < n; i++)
        ((gint32 *) s->data)[i] = (gint32) v->v.i;
      break;
    case ST_I64:
      for (guint i = 0; i < n; i++)
        ((gint64 *) s->data)[i] = v->v.i;
      break;
    case ST_F64:
      for (guint i = 0; i < n; i++)
        ((double *) s->data)[i] = v->v.d;
      break;
    case ST_STR:
      for (guint i = 0; i < n; i++)
        ((RtStr *) s->data)[i] = str;
      break;
    case ST_NONE:
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
      Slot *s = SLOT (p, i);
      if (s->role == SLOT_OUTPUT || (s->role == SLOT_COLUMN && !s->gather))
        continue;
      g_free (s->data);
      g_free (s->valid);
      s->data = g_malloc0 (cap * storage_size[storage_of (s->type.kind)]);
      s->valid = g_malloc0 (nwords (cap) * sizeof (guint64));
      if (s->role == SLOT_COLUMN)
        continue;
      p->regs[i].data = s->data;
      p->regs[i].valid = s->valid;
      if (s->role == SLOT_CONST)
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
      const Instr *in = &g_array_index (code, Instr, i);
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
copy_vector (void *dd, guint64 *dv, const void *sd, const guint64 *sv, Storage st,
             const guint32 *sel, guint n, guint n_src)
{
  gboolean all = TRUE;
  if (!sel)
    {
      if (st != ST_NONE)
        memcpy (dd, sd, n * storage_size[st]);
      memcpy (dv, sv, nwords (n) * sizeof (guint64));
      return;
    }
  if (st != ST_NONE)
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
      Slot *sl = s >= 0 ? SLOT (p, s) : NULL;
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
      Slot *s = SLOT (p, g_array_index (p->proj_strs, gint, i));
      RtStr str;
      if (!put_str (p, &str, s->value.v.s, strlen (s->value.v.s), error))
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
      const Slot *sl = SLOT (p, s);
      RtVector *ov = &out->cols[i];
      Storage st = storage_of (sl->type.kind);
      if (p->out_slot[i] >= 0)
        continue;
      if (sl->role == SLOT_COLUMN)
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
