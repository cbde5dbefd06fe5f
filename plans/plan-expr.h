/* plan-expr.h: bound, typed scalar expressions and schemas.
 *
 * Plan structures are immutable, reference-counted read-only data once built (PostgreSQL
 * keeps plan trees read-only for the same reason: many readers, no locks). Their bodies
 * are public so that the optimizer and the engine's expression compiler can walk them
 * without an accessor per field; nobody writes a field after construction. */
#pragma once

#include "plan-types.h"

G_BEGIN_DECLS

typedef struct {
  char *name; /* owned */
  PlanType type;
} PlanField;

struct _PlanSchema {
  gint ref_count;
  guint n_fields;
  PlanField *fields; /* owned, n_fields */
};

PlanSchema *plan_schema_new (guint n_fields);  /* fields zeroed; fill before sharing */
PlanSchema *plan_schema_ref (PlanSchema *schema);
void plan_schema_unref (PlanSchema *schema);
void plan_schema_set_field (PlanSchema *schema, guint i, const char *name, PlanType type);
/* Case-insensitive lookup; -1 when absent. */
int plan_schema_find (const PlanSchema *schema, const char *name);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PlanSchema, plan_schema_unref)

typedef enum {
  PLAN_EXPR_COLUMN,  /* input column by index */
  PLAN_EXPR_LITERAL, /* constant */
  PLAN_EXPR_CALL,    /* operator or function applied to args */
} PlanExprKind;

/* Every operator and function. CASE and CAST are calls too:
 *   PLAN_FUNC_CASE args: when1, then1, when2, then2, ..., [else]; n_args odd => has else.
 *   PLAN_FUNC_CAST args: the operand; the target type is expr->type.
 * Arithmetic and comparison args are already coerced to a common type by the binder
 * (implicit casts are explicit PLAN_FUNC_CAST nodes), so the engine never guesses. */
typedef enum {
  /* arithmetic */
  PLAN_FUNC_ADD, PLAN_FUNC_SUB, PLAN_FUNC_MUL, PLAN_FUNC_DIV, PLAN_FUNC_MOD, PLAN_FUNC_NEG,
  /* comparison */
  PLAN_FUNC_EQ, PLAN_FUNC_NE, PLAN_FUNC_LT, PLAN_FUNC_LE, PLAN_FUNC_GT, PLAN_FUNC_GE,
  /* boolean logic, three-valued */
  PLAN_FUNC_AND, PLAN_FUNC_OR, PLAN_FUNC_NOT,
  PLAN_FUNC_IS_NULL, PLAN_FUNC_IS_NOT_NULL,
  PLAN_FUNC_IS_TRUE, PLAN_FUNC_IS_FALSE,
  PLAN_FUNC_IS_DISTINCT_FROM, PLAN_FUNC_IS_NOT_DISTINCT_FROM,
  PLAN_FUNC_BETWEEN,  /* args: x, lo, hi (symmetric=false) */
  PLAN_FUNC_IN,       /* args: x, v1, v2, ... */
  PLAN_FUNC_LIKE,     /* args: x, pattern [, escape] */
  PLAN_FUNC_CASE,
  PLAN_FUNC_CAST,
  PLAN_FUNC_COALESCE,
  PLAN_FUNC_NULLIF,
  /* strings */
  PLAN_FUNC_CONCAT,   /* || and CONCAT(...) */
  PLAN_FUNC_UPPER, PLAN_FUNC_LOWER, PLAN_FUNC_CHAR_LENGTH,
  PLAN_FUNC_SUBSTRING,  /* args: s, start [, length] (1-based) */
  PLAN_FUNC_TRIM, PLAN_FUNC_LTRIM, PLAN_FUNC_RTRIM,
  PLAN_FUNC_POSITION,   /* args: needle, haystack */
  PLAN_FUNC_REPLACE,    /* args: s, from, to */
  /* math */
  PLAN_FUNC_ABS, PLAN_FUNC_ROUND /* x [, digits] */, PLAN_FUNC_FLOOR, PLAN_FUNC_CEIL,
  PLAN_FUNC_SQRT, PLAN_FUNC_POWER, PLAN_FUNC_LN, PLAN_FUNC_LOG10, PLAN_FUNC_EXP,
  /* time */
  PLAN_FUNC_EXTRACT_YEAR, PLAN_FUNC_EXTRACT_MONTH, PLAN_FUNC_EXTRACT_DAY,
  PLAN_FUNC_EXTRACT_HOUR, PLAN_FUNC_EXTRACT_MINUTE, PLAN_FUNC_EXTRACT_SECOND,
  PLAN_FUNC_CURRENT_TIMESTAMP, /* no args; evaluated once per batch */
  /* added by nexmark functions (runtime/engine/rt-expr-nexmark.c) */
  PLAN_FUNC_DATE_FORMAT,    /* args: TIMESTAMP, VARCHAR Java-style pattern */
  PLAN_FUNC_SPLIT_INDEX,    /* args: s, separator, INT 0-based index */
  PLAN_FUNC_REGEXP_EXTRACT, /* args: s, regex [, INT group (default 0: the whole match)] */
  PLAN_FUNC__COUNT
} PlanFunc;

struct _PlanExpr {
  gint ref_count;
  PlanExprKind kind;
  PlanType type;
  PlanSpan span;
  union {
    guint column;      /* PLAN_EXPR_COLUMN: index into the input schema */
    PlanValue literal; /* PLAN_EXPR_LITERAL */
    struct {
      PlanFunc func;
      guint n_args;
      PlanExpr **args; /* owned refs */
    } call;
  } u;
};

PlanExpr *plan_expr_column (guint column, PlanType type, PlanSpan span);
/* Takes ownership of value's string, if any. */
PlanExpr *plan_expr_literal (PlanValue *value, PlanSpan span);
/* Takes ownership of the args (the array itself is copied). */
PlanExpr *plan_expr_call (PlanFunc func, PlanType type, guint n_args, PlanExpr **args,
                          PlanSpan span);
PlanExpr *plan_expr_ref (PlanExpr *expr);
void plan_expr_unref (PlanExpr *expr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PlanExpr, plan_expr_unref)

const char *plan_func_name (PlanFunc func); /* "ADD", "UPPER", ... stable, used in JSON */
gboolean plan_func_from_name (const char *name, PlanFunc *out);
/* SQL-ish rendering with column names from schema (NULL: $0, $1 ...). Newly allocated. */
char *plan_expr_to_string (const PlanExpr *expr, const PlanSchema *schema);
gboolean plan_expr_equal (const PlanExpr *a, const PlanExpr *b);
/* Calls fn on every column index the expression reads. */
void plan_expr_collect_columns (const PlanExpr *expr, GArray *out_guint);
/* A copy with column i replaced by map[i] (map[i] == G_MAXUINT is a bug). */
PlanExpr *plan_expr_remap_columns (const PlanExpr *expr, const guint *map);
gboolean plan_expr_is_constant (const PlanExpr *expr);

/* added by ROW types (plan-row.c): a copy of expr with each column i replaced by exprs[i]
 * (a ref; inlines a computed column's expression into one over the physical columns). */
PlanExpr *plan_expr_inline_columns (const PlanExpr *expr, PlanExpr *const *exprs);

G_END_DECLS
