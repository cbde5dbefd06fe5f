/* rt-expr-private.h: what the three files of the expression module share: rt-expr.c (the
 * compiler and the program runtime), rt-expr-kernels.c (arithmetic, comparison, logic,
 * casts, math and time) and rt-expr-string.c (output strings, text functions, LIKE,
 * numbers as text). It holds the program, slot and instruction layout, the small helpers
 * that kernels call inside their loops (static inline here, so the split costs no
 * inlining), and the kernels and helpers one file calls in another. Included only by
 * those three files. */
#pragma once

#include "rt-operator.h"
#include "plans/plan-numeric.h"

G_BEGIN_DECLS

/* Slots, instructions, guards and the two phases are described at the top of rt-expr.c. */

/* How a type's values are stored in a vector, and the size of one value. */
typedef enum { RT_ST_NONE, RT_ST_BOOL, RT_ST_I32, RT_ST_I64, RT_ST_F64, RT_ST_STR } RtStorage;

static const gsize storage_size[] = { 1, 1, 4, 8, 8, sizeof (RtStr) };

typedef enum { RT_SLOT_COLUMN, RT_SLOT_CONST, RT_SLOT_TEMP, RT_SLOT_OUTPUT } RtSlotRole;

typedef struct {
  RtSlotRole role;
  PlanType type;
  guint index;      /* COLUMN: input column; OUTPUT: output column */
  gboolean gather;  /* COLUMN: read by projection instructions (gathered under a selection) */
  gboolean proj;    /* CONST: read by the projections */
  PlanValue value;  /* CONST; a string is borrowed from the program's expressions */
  void *data;       /* owned: capacity values (TEMP, CONST, gathered COLUMN) */
  guint64 *valid;   /* owned: one bit per row */
} RtSlot;

typedef struct {
  void *data;
  guint64 *valid;
} RtReg;

/* A kernel runs one instruction over rows [0, n) of the bound slots. RtKernelFn is the
 * function type, so that one line can declare several kernels. */
typedef struct _RtInstr RtInstr;
typedef gboolean RtKernelFn (RtProgram *p, const RtInstr *in, guint n, GError **error);
typedef RtKernelFn *RtKernel;

struct _RtInstr {
  RtKernel fn;
  const PlanExpr *expr; /* borrowed from the program's roots: for error messages */
  gint dst, a, b, c;    /* slots, -1 when unused */
  gint guard;           /* slot whose validity bits are the rows that matter, or -1 */
  gint64 k, k2;         /* immediates: modes, scale shifts, limits */
  gpointer aux;         /* borrowed from program->aux */
};

/* The string arena of the filter phase: bump allocation in fixed blocks, emptied per
 * batch. */
typedef struct {
  GPtrArray *blocks; /* owned: SCRATCH_BLOCK bytes each (rt-expr-string.c) */
  GPtrArray *big;    /* owned: oversized strings, freed at reset */
  guint cur;
  gsize pos;
} RtScratch;

/* Empties the arena; rt__put_str (rt-expr-string.c) allocates from it. */
static inline void
scratch_reset (RtScratch *s)
{
  s->cur = 0;
  s->pos = 0;
  g_ptr_array_set_size (s->big, 0);
}

struct _RtProgram {
  PlanSchema *input_schema; /* owned ref */
  PlanExpr *filter;         /* owned ref, nullable */
  guint n_exprs;
  PlanExpr **exprs;         /* owned refs */
  GArray *slots;            /* RtSlot */
  GArray *filter_code;      /* RtInstr */
  GArray *proj_code;        /* RtInstr */
  GPtrArray *aux;           /* owned blobs that instructions point to */
  gint *col_slot;           /* owned: input column -> slot, or -1 */
  gint filter_slot;         /* -1: no filter */
  guint n_out;
  gint *out_src;            /* owned: output column -> slot holding its values */
  gint *out_slot;           /* owned: output column -> RT_SLOT_OUTPUT written in place, or -1 */
  GArray *proj_strs;        /* gint: VARCHAR constants of the projections */
  gboolean keep_input;
  gboolean identity;        /* outputs are the input columns in order */
  PlanSchema *checked;      /* owned ref: last out_schema validated */
  gboolean checked_same;    /* ... and whether it equals the input schema */
  /* run-time state, reused by every batch */
  guint cap;
  RtReg *regs;              /* owned: per slot, bound for the current phase */
  guint32 *sel;             /* owned: cap entries */
  RtBatch *out;             /* borrowed during the projection phase */
  RtScratch scratch;
  GByteArray *row;          /* owned: a string under construction */
  GByteArray *row2;         /* owned: LIKE patterns compiled per row */
  gint64 now_ms;
  gboolean now_set;
};

/* Shorthand of the kernels and the runtime: a slot's description, and its values and
 * validity bits as bound for the current phase (DATA and VALID need `p` in scope). */
#define SLOT(p, i) (&g_array_index ((p)->slots, RtSlot, (i)))
#define DATA(s, T) ((T *) p->regs[(s)].data)
#define VALID(s) (p->regs[(s)].valid)

static inline RtStorage
storage_of (PlanTypeKind kind)
{
  switch (kind)
    {
    case PLAN_TYPE_NULL:
      return RT_ST_NONE;
    case PLAN_TYPE_BOOLEAN:
      return RT_ST_BOOL;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_DATE:
      return RT_ST_I32;
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      return RT_ST_I64;
    case PLAN_TYPE_DOUBLE:
      return RT_ST_F64;
    case PLAN_TYPE_VARCHAR:
      return RT_ST_STR;
    }
  return RT_ST_NONE;
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

static const RtStr empty_str = { "", 0 };

/* Immediates (RtInstr.k) of rt__k_is, rt__k_mask and rt__k_f64_fn. */
typedef enum { RT_IS_NULL, RT_IS_NOT_NULL, RT_IS_TRUE, RT_IS_FALSE } RtIsMode;
typedef enum {
  RT_MASK_TRUE, RT_MASK_NOT_FALSE, RT_MASK_NOT_TRUE, RT_MASK_VALID, RT_MASK_ALL
} RtMaskMode;
typedef enum {
  RT_FN_FLOOR, RT_FN_CEIL, RT_FN_SQRT, RT_FN_LN, RT_FN_LOG10, RT_FN_EXP, RT_FN_POWER
} RtF64Fn;

/* A LIKE pattern compiled once (rt-expr-string.c). */
typedef struct _RtLikePat RtLikePat;

/* ---- rt-expr-kernels.c */

/* Fails with RT_ERROR_EVAL: "<what> in '<expression>' at LINE:COL; <hint>". */
gboolean rt__fail_at (RtProgram *p, const PlanExpr *e, GError **error, const char *hint,
                      const char *fmt, ...) G_GNUC_PRINTF (5, 6);
/* dst validity = AND of a, b, c (those >= 0) and the guard, word by word. */
void rt__valid_and (RtProgram *p, const RtInstr *in, guint n);

/* + - * by [operator ADD, SUB, MUL][storage I32, I64, F64][b is a constant]. */
extern const RtKernel rt__arith_tab[3][3][2];
/* = <> < <= > >= by [storage BOOL, I32, I64, F64][operator EQ .. GE][b is a constant]. */
extern const RtKernel rt__cmp_tab[4][6][2];

/* The other kernels the compiler emits; the comment at each definition says what its
 * operands and immediates are. */
RtKernelFn rt__k_div_i32, rt__k_mod_i32, rt__k_div_i64, rt__k_mod_i64;
RtKernelFn rt__k_div_f64, rt__k_mod_f64, rt__k_neg, rt__k_abs;
RtKernelFn rt__k_check_prec, rt__k_dec_muldiv, rt__k_cmp_str;
RtKernelFn rt__k_and_or, rt__k_not, rt__k_is, rt__k_distinct;
RtKernelFn rt__k_mask, rt__k_pick, rt__k_nullif;
RtKernelFn rt__k_i32_to_i64, rt__k_i64_to_i32, rt__k_int_to_f64, rt__k_f64_to_int;
RtKernelFn rt__k_bool_to_num, rt__k_num_to_bool, rt__k_date_to_ts, rt__k_ts_to_date;
RtKernelFn rt__k_dec_rescale, rt__k_dec_to_int, rt__k_dec_to_f64, rt__k_f64_to_dec;
RtKernelFn rt__k_f64_fn, rt__k_round_f64, rt__k_round_i64, rt__k_extract, rt__k_now;

/* ---- rt-expr-string.c */

/* Stores a copy of a result string in the output batch's arena (projection phase) or in
 * the scratch arena (filter phase). */
gboolean rt__put_str (RtProgram *p, RtStr *dst, const char *ptr, gsize len, GError **error);
/* A cell of a slot as SQL shows it, for messages. Newly allocated. */
char *rt__slot_text (RtProgram *p, gint s, guint row);
/* LIKE patterns: tokenized, then compiled into one g_free-able block. */
gboolean rt__like_tokenize (RtStr pat, int esc, GByteArray *bytes, GByteArray *toks);
RtLikePat *rt__like_pat_new (GByteArray *bytes, GByteArray *toks);

RtKernelFn rt__k_to_str, rt__k_from_str;
RtKernelFn rt__k_concat, rt__k_case, rt__k_char_length, rt__k_substring;
RtKernelFn rt__k_trim, rt__k_position, rt__k_replace;
RtKernelFn rt__k_like_const, rt__k_like_dyn;

/* ---- rt-expr-nexmark.c (added by nexmark functions) */

/* DATE_FORMAT (a TIMESTAMP, b pattern), SPLIT_INDEX (a, b separator, c BIGINT index),
 * REGEXP_EXTRACT (a, b regex, c BIGINT group or -1). */
RtKernelFn rt__k_date_format, rt__k_split_index, rt__k_regexp_extract;

G_END_DECLS
