/* plan-expr.c: schemas and bound scalar expressions: construction, reference counting,
 * function names, SQL-ish rendering, structural equality, and column collection/remapping.
 *
 * Expressions are small immutable trees shared by reference count between the logical
 * plan, the rewrite passes and the physical plan; a rewrite builds a new node and refs
 * the untouched children. One table describes every function (its stable JSON name and
 * how it prints), so adding a function is one row plus the engine's kernel. Rendering
 * parenthesises operator operands that are operators themselves ("(a > 1) AND (b < 2)"),
 * which is always unambiguous without a precedence table. */
#include "plan-expr.h"

#include <math.h>
#include <string.h>

/* ---- schemas -------------------------------------------------------------------------- */

PlanSchema *
plan_schema_new (guint n_fields)
{
  PlanSchema *schema = g_new0 (PlanSchema, 1);

  schema->ref_count = 1;
  schema->n_fields = n_fields;
  schema->fields = g_new0 (PlanField, n_fields ? n_fields : 1);
  return schema;
}

PlanSchema *
plan_schema_ref (PlanSchema *schema)
{
  g_return_val_if_fail (schema != NULL, NULL);
  g_atomic_int_inc (&schema->ref_count);
  return schema;
}

void
plan_schema_unref (PlanSchema *schema)
{
  if (schema == NULL || !g_atomic_int_dec_and_test (&schema->ref_count))
    return;
  for (guint i = 0; i < schema->n_fields; i++)
    g_free (schema->fields[i].name);
  g_free (schema->fields);
  g_free (schema);
}

void
plan_schema_set_field (PlanSchema *schema, guint i, const char *name, PlanType type)
{
  g_return_if_fail (schema != NULL && i < schema->n_fields);
  g_free (schema->fields[i].name);
  schema->fields[i].name = g_strdup (name);
  schema->fields[i].type = type;
}

int
plan_schema_find (const PlanSchema *schema, const char *name)
{
  g_return_val_if_fail (schema != NULL && name != NULL, -1);
  for (guint i = 0; i < schema->n_fields; i++)
    if (schema->fields[i].name && g_ascii_strcasecmp (schema->fields[i].name, name) == 0)
      return (int) i;
  return -1;
}

/* ---- construction --------------------------------------------------------------------- */

static PlanExpr *
expr_alloc (PlanExprKind kind, PlanType type, PlanSpan span)
{
  PlanExpr *expr = g_new0 (PlanExpr, 1);

  expr->ref_count = 1;
  expr->kind = kind;
  expr->type = type;
  expr->span = span;
  return expr;
}

PlanExpr *
plan_expr_column (guint column, PlanType type, PlanSpan span)
{
  PlanExpr *expr = expr_alloc (PLAN_EXPR_COLUMN, type, span);

  expr->u.column = column;
  return expr;
}

PlanExpr *
plan_expr_literal (PlanValue *value, PlanSpan span)
{
  PlanExpr *expr;

  g_return_val_if_fail (value != NULL, NULL);
  expr = expr_alloc (PLAN_EXPR_LITERAL, value->type, span);
  expr->u.literal = *value;
  if (value->type.kind == PLAN_TYPE_VARCHAR && !value->is_null && value->v.s == NULL)
    expr->u.literal.v.s = g_strdup ("");
  if (value->type.kind == PLAN_TYPE_VARCHAR)
    value->v.s = NULL; /* the string now belongs to the expression */
  return expr;
}

PlanExpr *
plan_expr_call (PlanFunc func, PlanType type, guint n_args, PlanExpr **args, PlanSpan span)
{
  PlanExpr *expr = expr_alloc (PLAN_EXPR_CALL, type, span);

  expr->u.call.func = func;
  expr->u.call.n_args = n_args;
  expr->u.call.args = g_new0 (PlanExpr *, n_args ? n_args : 1);
  if (n_args)
    memcpy (expr->u.call.args, args, n_args * sizeof (PlanExpr *));
  return expr;
}

PlanExpr *
plan_expr_ref (PlanExpr *expr)
{
  g_return_val_if_fail (expr != NULL, NULL);
  g_atomic_int_inc (&expr->ref_count);
  return expr;
}

void
plan_expr_unref (PlanExpr *expr)
{
  if (expr == NULL || !g_atomic_int_dec_and_test (&expr->ref_count))
    return;
  switch (expr->kind)
    {
    case PLAN_EXPR_LITERAL:
      plan_value_clear (&expr->u.literal);
      break;
    case PLAN_EXPR_CALL:
      for (guint i = 0; i < expr->u.call.n_args; i++)
        plan_expr_unref (expr->u.call.args[i]);
      g_free (expr->u.call.args);
      break;
    case PLAN_EXPR_COLUMN:
    default:
      break;
    }
  g_free (expr);
}

/* ---- function table ------------------------------------------------------------------- */

typedef enum {
  FORM_FUNCTION, /* NAME(a, b) */
  FORM_INFIX,    /* a OP b (chained for n args) */
  FORM_PREFIX,   /* OP a */
  FORM_POSTFIX,  /* a OP */
  FORM_SPECIAL,  /* own printer */
} FuncForm;

static const struct {
  const char *name; /* stable JSON name */
  const char *sql;  /* operator text or SQL function name */
  FuncForm form;
} funcs[PLAN_FUNC__COUNT] = {
  [PLAN_FUNC_ADD] = { "ADD", "+", FORM_INFIX },
  [PLAN_FUNC_SUB] = { "SUB", "-", FORM_INFIX },
  [PLAN_FUNC_MUL] = { "MUL", "*", FORM_INFIX },
  [PLAN_FUNC_DIV] = { "DIV", "/", FORM_INFIX },
  [PLAN_FUNC_MOD] = { "MOD", "MOD", FORM_FUNCTION },
  [PLAN_FUNC_NEG] = { "NEG", "-", FORM_PREFIX },
  [PLAN_FUNC_EQ] = { "EQ", "=", FORM_INFIX },
  [PLAN_FUNC_NE] = { "NE", "<>", FORM_INFIX },
  [PLAN_FUNC_LT] = { "LT", "<", FORM_INFIX },
  [PLAN_FUNC_LE] = { "LE", "<=", FORM_INFIX },
  [PLAN_FUNC_GT] = { "GT", ">", FORM_INFIX },
  [PLAN_FUNC_GE] = { "GE", ">=", FORM_INFIX },
  [PLAN_FUNC_AND] = { "AND", "AND", FORM_INFIX },
  [PLAN_FUNC_OR] = { "OR", "OR", FORM_INFIX },
  [PLAN_FUNC_NOT] = { "NOT", "NOT ", FORM_PREFIX },
  [PLAN_FUNC_IS_NULL] = { "IS_NULL", "IS NULL", FORM_POSTFIX },
  [PLAN_FUNC_IS_NOT_NULL] = { "IS_NOT_NULL", "IS NOT NULL", FORM_POSTFIX },
  [PLAN_FUNC_IS_TRUE] = { "IS_TRUE", "IS TRUE", FORM_POSTFIX },
  [PLAN_FUNC_IS_FALSE] = { "IS_FALSE", "IS FALSE", FORM_POSTFIX },
  [PLAN_FUNC_IS_DISTINCT_FROM] = { "IS_DISTINCT_FROM", "IS DISTINCT FROM", FORM_INFIX },
  [PLAN_FUNC_IS_NOT_DISTINCT_FROM] = { "IS_NOT_DISTINCT_FROM", "IS NOT DISTINCT FROM",
                                       FORM_INFIX },
  [PLAN_FUNC_BETWEEN] = { "BETWEEN", "BETWEEN", FORM_SPECIAL },
  [PLAN_FUNC_IN] = { "IN", "IN", FORM_SPECIAL },
  [PLAN_FUNC_LIKE] = { "LIKE", "LIKE", FORM_SPECIAL },
  [PLAN_FUNC_CASE] = { "CASE", "CASE", FORM_SPECIAL },
  [PLAN_FUNC_CAST] = { "CAST", "CAST", FORM_SPECIAL },
  [PLAN_FUNC_COALESCE] = { "COALESCE", "COALESCE", FORM_FUNCTION },
  [PLAN_FUNC_NULLIF] = { "NULLIF", "NULLIF", FORM_FUNCTION },
  [PLAN_FUNC_CONCAT] = { "CONCAT", "||", FORM_INFIX },
  [PLAN_FUNC_UPPER] = { "UPPER", "UPPER", FORM_FUNCTION },
  [PLAN_FUNC_LOWER] = { "LOWER", "LOWER", FORM_FUNCTION },
  [PLAN_FUNC_CHAR_LENGTH] = { "CHAR_LENGTH", "CHAR_LENGTH", FORM_FUNCTION },
  [PLAN_FUNC_SUBSTRING] = { "SUBSTRING", "SUBSTRING", FORM_FUNCTION },
  [PLAN_FUNC_TRIM] = { "TRIM", "TRIM", FORM_FUNCTION },
  [PLAN_FUNC_LTRIM] = { "LTRIM", "LTRIM", FORM_FUNCTION },
  [PLAN_FUNC_RTRIM] = { "RTRIM", "RTRIM", FORM_FUNCTION },
  [PLAN_FUNC_POSITION] = { "POSITION", "POSITION", FORM_SPECIAL },
  [PLAN_FUNC_REPLACE] = { "REPLACE", "REPLACE", FORM_FUNCTION },
  [PLAN_FUNC_ABS] = { "ABS", "ABS", FORM_FUNCTION },
  [PLAN_FUNC_ROUND] = { "ROUND", "ROUND", FORM_FUNCTION },
  [PLAN_FUNC_FLOOR] = { "FLOOR", "FLOOR", FORM_FUNCTION },
  [PLAN_FUNC_CEIL] = { "CEIL", "CEIL", FORM_FUNCTION },
  [PLAN_FUNC_SQRT] = { "SQRT", "SQRT", FORM_FUNCTION },
  [PLAN_FUNC_POWER] = { "POWER", "POWER", FORM_FUNCTION },
  [PLAN_FUNC_LN] = { "LN", "LN", FORM_FUNCTION },
  [PLAN_FUNC_LOG10] = { "LOG10", "LOG10", FORM_FUNCTION },
  [PLAN_FUNC_EXP] = { "EXP", "EXP", FORM_FUNCTION },
  [PLAN_FUNC_EXTRACT_YEAR] = { "EXTRACT_YEAR", "YEAR", FORM_SPECIAL },
  [PLAN_FUNC_EXTRACT_MONTH] = { "EXTRACT_MONTH", "MONTH", FORM_SPECIAL },
  [PLAN_FUNC_EXTRACT_DAY] = { "EXTRACT_DAY", "DAY", FORM_SPECIAL },
  [PLAN_FUNC_EXTRACT_HOUR] = { "EXTRACT_HOUR", "HOUR", FORM_SPECIAL },
  [PLAN_FUNC_EXTRACT_MINUTE] = { "EXTRACT_MINUTE", "MINUTE", FORM_SPECIAL },
  [PLAN_FUNC_EXTRACT_SECOND] = { "EXTRACT_SECOND", "SECOND", FORM_SPECIAL },
  [PLAN_FUNC_CURRENT_TIMESTAMP] = { "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP", FORM_SPECIAL },
  [PLAN_FUNC_DATE_FORMAT] = { "DATE_FORMAT", "DATE_FORMAT", FORM_FUNCTION },
  [PLAN_FUNC_SPLIT_INDEX] = { "SPLIT_INDEX", "SPLIT_INDEX", FORM_FUNCTION },
  [PLAN_FUNC_REGEXP_EXTRACT] = { "REGEXP_EXTRACT", "REGEXP_EXTRACT", FORM_FUNCTION },
};

const char *
plan_func_name (PlanFunc func)
{
  if ((guint) func >= PLAN_FUNC__COUNT)
    return "UNKNOWN";
  return funcs[func].name;
}

gboolean
plan_func_from_name (const char *name, PlanFunc *out)
{
  g_return_val_if_fail (name != NULL, FALSE);
  for (guint i = 0; i < PLAN_FUNC__COUNT; i++)
    if (funcs[i].name && g_ascii_strcasecmp (funcs[i].name, name) == 0)
      {
        if (out)
          *out = (PlanFunc) i;
        return TRUE;
      }
  return FALSE;
}

/* ---- rendering ------------------------------------------------------------------------ */

static void append_expr (GString *out, const PlanExpr *expr, const PlanSchema *schema);

static gboolean
is_operator (const PlanExpr *expr)
{
  if (expr->kind != PLAN_EXPR_CALL || (guint) expr->u.call.func >= PLAN_FUNC__COUNT)
    return FALSE;
  if (expr->u.call.func == PLAN_FUNC_BETWEEN || expr->u.call.func == PLAN_FUNC_IN
      || expr->u.call.func == PLAN_FUNC_LIKE)
    return TRUE;
  return funcs[expr->u.call.func].form == FORM_INFIX
         || funcs[expr->u.call.func].form == FORM_PREFIX
         || funcs[expr->u.call.func].form == FORM_POSTFIX;
}

/* An operand of an operator: parenthesised when it is an operator itself. */
static void
append_operand (GString *out, const PlanExpr *expr, const PlanSchema *schema)
{
  gboolean paren = is_operator (expr);

  if (paren)
    g_string_append_c (out, '(');
  append_expr (out, expr, schema);
  if (paren)
    g_string_append_c (out, ')');
}

static void
append_literal (GString *out, const PlanValue *value)
{
  g_autofree char *text = plan_value_to_string (value, TRUE);

  if (!value->is_null)
    {
      switch (value->type.kind)
        {
        case PLAN_TYPE_DATE:
          g_string_append_printf (out, "DATE '%s'", text);
          return;
        case PLAN_TYPE_TIMESTAMP:
          g_string_append_printf (out, "TIMESTAMP '%s'", text);
          return;
        case PLAN_TYPE_INTERVAL:
          g_string_append_printf (out, "INTERVAL '%s' DAY TO SECOND",
                                  text[0] == '+' ? text + 1 : text);
          return;
        case PLAN_TYPE_NULL:
        case PLAN_TYPE_BOOLEAN:
        case PLAN_TYPE_INT:
        case PLAN_TYPE_BIGINT:
        case PLAN_TYPE_DOUBLE:
        case PLAN_TYPE_DECIMAL:
        case PLAN_TYPE_VARCHAR:
        default:
          break;
        }
    }
  g_string_append (out, text);
}

static void
append_args (GString *out, const PlanExpr *expr, guint from, const PlanSchema *schema)
{
  for (guint i = from; i < expr->u.call.n_args; i++)
    {
      if (i > from)
        g_string_append (out, ", ");
      append_expr (out, expr->u.call.args[i], schema);
    }
}

static void
append_case (GString *out, const PlanExpr *expr, const PlanSchema *schema)
{
  guint n = expr->u.call.n_args, i;

  g_string_append (out, "CASE");
  for (i = 0; i + 1 < n; i += 2)
    {
      g_string_append (out, " WHEN ");
      append_expr (out, expr->u.call.args[i], schema);
      g_string_append (out, " THEN ");
      append_expr (out, expr->u.call.args[i + 1], schema);
    }
  if (i < n)
    {
      g_string_append (out, " ELSE ");
      append_expr (out, expr->u.call.args[i], schema);
    }
  g_string_append (out, " END");
}

/* The calls that are neither plain functions nor plain operators. */
static void
append_special (GString *out, const PlanExpr *expr, const PlanSchema *schema)
{
  PlanExpr *const *a = expr->u.call.args;
  guint n = expr->u.call.n_args;
  PlanFunc f = expr->u.call.func;

  if (f == PLAN_FUNC_CASE)
    append_case (out, expr, schema);
  else if (f == PLAN_FUNC_CAST && n == 1)
    {
      g_autofree char *type = plan_type_to_string (expr->type, FALSE);

      g_string_append (out, "CAST(");
      append_expr (out, a[0], schema);
      g_string_append_printf (out, " AS %s)", type);
    }
  else if (f == PLAN_FUNC_BETWEEN && n == 3)
    {
      append_operand (out, a[0], schema);
      g_string_append (out, " BETWEEN ");
      append_operand (out, a[1], schema);
      g_string_append (out, " AND ");
      append_operand (out, a[2], schema);
    }
  else if (f == PLAN_FUNC_IN && n >= 1)
    {
      append_operand (out, a[0], schema);
      g_string_append (out, " IN (");
      append_args (out, expr, 1, schema);
      g_string_append_c (out, ')');
    }
  else if (f == PLAN_FUNC_LIKE && (n == 2 || n == 3))
    {
      append_operand (out, a[0], schema);
      g_string_append (out, " LIKE ");
      append_operand (out, a[1], schema);
      if (n == 3)
        {
          g_string_append (out, " ESCAPE ");
          append_operand (out, a[2], schema);
        }
    }
  else if (f == PLAN_FUNC_POSITION && n == 2)
    {
      g_string_append (out, "POSITION(");
      append_operand (out, a[0], schema);
      g_string_append (out, " IN ");
      append_operand (out, a[1], schema);
      g_string_append_c (out, ')');
    }
  else if (f >= PLAN_FUNC_EXTRACT_YEAR && f <= PLAN_FUNC_EXTRACT_SECOND && n == 1)
    {
      g_string_append_printf (out, "EXTRACT(%s FROM ", funcs[f].sql);
      append_expr (out, a[0], schema);
      g_string_append_c (out, ')');
    }
  else if (f == PLAN_FUNC_CURRENT_TIMESTAMP && n == 0)
    g_string_append (out, "CURRENT_TIMESTAMP");
  else
    {
      /* Arity the printer does not expect: show the call plainly rather than guess. */
      g_string_append_printf (out, "%s(", funcs[f].name);
      append_args (out, expr, 0, schema);
      g_string_append_c (out, ')');
    }
}

static void
append_call (GString *out, const PlanExpr *expr, const PlanSchema *schema)
{
  PlanFunc f = expr->u.call.func;
  guint n = expr->u.call.n_args;

  if ((guint) f >= PLAN_FUNC__COUNT)
    {
      g_string_append_printf (out, "UNKNOWN_%u(", (guint) f);
      append_args (out, expr, 0, schema);
      g_string_append_c (out, ')');
      return;
    }
  if (funcs[f].form == FORM_SPECIAL)
    append_special (out, expr, schema);
  else if (funcs[f].form == FORM_INFIX && n >= 2)
    {
      for (guint i = 0; i < n; i++)
        {
          if (i > 0)
            g_string_append_printf (out, " %s ", funcs[f].sql);
          append_operand (out, expr->u.call.args[i], schema);
        }
    }
  else if (funcs[f].form == FORM_PREFIX && n == 1)
    {
      const PlanExpr *arg = expr->u.call.args[0];
      g_autofree char *inner = plan_expr_to_string (arg, schema);
      gboolean paren = is_operator (arg) || inner[0] == '-';

      g_string_append (out, funcs[f].sql);
      g_string_append_printf (out, paren ? "(%s)" : "%s", inner);
    }
  else if (funcs[f].form == FORM_POSTFIX && n == 1)
    {
      append_operand (out, expr->u.call.args[0], schema);
      g_string_append_printf (out, " %s", funcs[f].sql);
    }
  else
    {
      g_string_append_printf (out, "%s(", funcs[f].form == FORM_FUNCTION ? funcs[f].sql
                                                                         : funcs[f].name);
      append_args (out, expr, 0, schema);
      g_string_append_c (out, ')');
    }
}

static void
append_expr (GString *out, const PlanExpr *expr, const PlanSchema *schema)
{
  switch (expr->kind)
    {
    case PLAN_EXPR_COLUMN:
      if (schema && expr->u.column < schema->n_fields && schema->fields[expr->u.column].name)
        g_string_append (out, schema->fields[expr->u.column].name);
      else
        g_string_append_printf (out, "$%u", expr->u.column);
      break;
    case PLAN_EXPR_LITERAL:
      append_literal (out, &expr->u.literal);
      break;
    case PLAN_EXPR_CALL:
      append_call (out, expr, schema);
      break;
    default:
      g_string_append (out, "?");
      break;
    }
}

char *
plan_expr_to_string (const PlanExpr *expr, const PlanSchema *schema)
{
  GString *out;

  g_return_val_if_fail (expr != NULL, NULL);
  out = g_string_new (NULL);
  append_expr (out, expr, schema);
  return g_string_free (out, FALSE);
}

/* ---- equality, columns ---------------------------------------------------------------- */

static gboolean
value_equal (const PlanValue *a, const PlanValue *b)
{
  if (!plan_type_equal (a->type, b->type) || !a->is_null != !b->is_null)
    return FALSE;
  if (a->is_null)
    return TRUE;
  switch (a->type.kind)
    {
    case PLAN_TYPE_NULL:
      return TRUE;
    case PLAN_TYPE_BOOLEAN:
      return !a->v.b == !b->v.b;
    case PLAN_TYPE_DOUBLE:
      return a->v.d == b->v.d ? signbit (a->v.d) == signbit (b->v.d)
                              : (isnan (a->v.d) && isnan (b->v.d));
    case PLAN_TYPE_VARCHAR:
      return g_strcmp0 (a->v.s, b->v.s) == 0;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
    default:
      return a->v.i == b->v.i;
    }
}

gboolean
plan_expr_equal (const PlanExpr *a, const PlanExpr *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL || a->kind != b->kind || !plan_type_equal (a->type, b->type))
    return FALSE;
  switch (a->kind)
    {
    case PLAN_EXPR_COLUMN:
      return a->u.column == b->u.column;
    case PLAN_EXPR_LITERAL:
      return value_equal (&a->u.literal, &b->u.literal);
    case PLAN_EXPR_CALL:
      if (a->u.call.func != b->u.call.func || a->u.call.n_args != b->u.call.n_args)
        return FALSE;
      for (guint i = 0; i < a->u.call.n_args; i++)
        if (!plan_expr_equal (a->u.call.args[i], b->u.call.args[i]))
          return FALSE;
      return TRUE;
    default:
      return FALSE;
    }
}

/* Appends each column index the expression reads, once, in order of first appearance. */
void
plan_expr_collect_columns (const PlanExpr *expr, GArray *out_guint)
{
  g_return_if_fail (expr != NULL && out_guint != NULL);
  if (expr->kind == PLAN_EXPR_COLUMN)
    {
      for (guint i = 0; i < out_guint->len; i++)
        if (g_array_index (out_guint, guint, i) == expr->u.column)
          return;
      g_array_append_val (out_guint, expr->u.column);
    }
  else if (expr->kind == PLAN_EXPR_CALL)
    for (guint i = 0; i < expr->u.call.n_args; i++)
      plan_expr_collect_columns (expr->u.call.args[i], out_guint);
}

PlanExpr *
plan_expr_remap_columns (const PlanExpr *expr, const guint *map)
{
  g_return_val_if_fail (expr != NULL && map != NULL, NULL);
  switch (expr->kind)
    {
    case PLAN_EXPR_COLUMN:
      if (map[expr->u.column] == G_MAXUINT)
        g_critical ("plan_expr_remap_columns: column %u has no mapping", expr->u.column);
      return plan_expr_column (map[expr->u.column], expr->type, expr->span);
    case PLAN_EXPR_CALL:
      {
        guint n = expr->u.call.n_args;
        g_autofree PlanExpr **args = g_new0 (PlanExpr *, n ? n : 1);

        for (guint i = 0; i < n; i++)
          args[i] = plan_expr_remap_columns (expr->u.call.args[i], map);
        return plan_expr_call (expr->u.call.func, expr->type, n, args, expr->span);
      }
    case PLAN_EXPR_LITERAL:
    default:
      return plan_expr_ref ((PlanExpr *) expr);
    }
}

gboolean
plan_expr_is_constant (const PlanExpr *expr)
{
  g_return_val_if_fail (expr != NULL, FALSE);
  switch (expr->kind)
    {
    case PLAN_EXPR_LITERAL:
      return TRUE;
    case PLAN_EXPR_CALL:
      if (expr->u.call.func == PLAN_FUNC_CURRENT_TIMESTAMP)
        return FALSE;
      for (guint i = 0; i < expr->u.call.n_args; i++)
        if (!plan_expr_is_constant (expr->u.call.args[i]))
          return FALSE;
      return TRUE;
    case PLAN_EXPR_COLUMN:
    default:
      return FALSE;
    }
}
