/* plan-sql-bind-expr.c: the expression half of the binder (plan-sql-binder.c has the
 * relations, queries and statements): column references resolved in a relation, literals
 * typed, operators and predicates type-checked, implicit conversions made explicit as
 * PLAN_FUNC_CAST, spelled SQL types mapped to PlanType, and the table of scalar functions
 * with their typing rules.
 *
 * The type rules follow Flink (numeric promotion INT < BIGINT < DECIMAL < DOUBLE, integer
 * division for integers, DECIMAL precision capped at 18 as the engine stores scaled 64-bit
 * integers). Arguments of arithmetic and comparisons are cast to one common type, except
 * TIMESTAMP +/- INTERVAL, whose arguments keep their types. Typing is self-contained, so it
 * has its own file: it needs from the rest of the binder only a relation's columns
 * (plan__rel_col) and the error helper, and queries and statements reach in for
 * plan__bind_expr, plan__bind_type, plan__coerce, plan__unify and a few small helpers. */
#include "plan-sql-private.h"

#include <math.h>
#include <string.h>

/* ---- types ------------------------------------------------------------------------- */

gboolean
plan__is_numeric (PlanType t)
{
  return plan_type_is_numeric (t.kind);
}

gboolean
plan__is_temporal (PlanType t)
{
  return t.kind == PLAN_TYPE_DATE || t.kind == PLAN_TYPE_TIMESTAMP;
}

static gboolean
same_type (PlanType a, PlanType b)
{
  a.nullable = b.nullable;
  return plan_type_equal (a, b);
}

static PlanType
with_null (PlanType t, gboolean nullable)
{
  t.nullable = nullable;
  return t;
}

PlanSqlTypeName
plan__tname (PlanType t)
{
  PlanSqlTypeName n;
  g_autofree char *text = plan_type_to_string (t, FALSE);
  g_strlcpy (n.s, text, sizeof n.s);
  return n;
}

static void
as_decimal (PlanType t, guint *p, guint *s)
{
  if (t.kind == PLAN_TYPE_DECIMAL)
    {
      *p = t.precision;
      *s = t.scale;
    }
  else
    {
      *p = t.kind == PLAN_TYPE_INT ? 10 : 18;
      *s = 0;
    }
}

/* The narrowest of INT < BIGINT < DECIMAL < DOUBLE holding both. */
static PlanType
numeric_common (PlanType a, PlanType b)
{
  gboolean nullable = a.nullable || b.nullable;
  guint p1, s1, p2, s2, digits, scale;

  if (a.kind == PLAN_TYPE_DOUBLE || b.kind == PLAN_TYPE_DOUBLE)
    return plan_type_make (PLAN_TYPE_DOUBLE, nullable);
  if (a.kind == PLAN_TYPE_DECIMAL || b.kind == PLAN_TYPE_DECIMAL)
    {
      as_decimal (a, &p1, &s1);
      as_decimal (b, &p2, &s2);
      digits = MAX (p1 - s1, p2 - s2);
      scale = MAX (s1, s2);
      return plan_type_decimal (MIN (18, digits + scale), scale, nullable);
    }
  if (a.kind == PLAN_TYPE_BIGINT || b.kind == PLAN_TYPE_BIGINT)
    return plan_type_make (PLAN_TYPE_BIGINT, nullable);
  return plan_type_make (PLAN_TYPE_INT, nullable);
}

PlanExpr *
plan__null_literal (PlanType t, PlanSpan span)
{
  PlanValue v = { 0 };
  v.type = with_null (t, TRUE);
  v.is_null = TRUE;
  return plan_expr_literal (&v, span);
}

static gboolean
is_string_literal (const PlanExpr *e)
{
  return e->kind == PLAN_EXPR_LITERAL && e->type.kind == PLAN_TYPE_VARCHAR
         && !e->u.literal.is_null;
}

/* e as type t (nullability stays e's): unchanged, a typed NULL, or a CAST. Takes e. */
PlanExpr *
plan__coerce (PlanSqlBinder *b, PlanExpr *e, PlanType t)
{
  PlanExpr *cast;

  if (e->type.kind == PLAN_TYPE_NULL)
    {
      cast = plan__null_literal (t, e->span);
      plan_expr_unref (e);
      return cast;
    }
  t.nullable = e->type.nullable;
  if (same_type (e->type, t))
    return e;
  if (is_string_literal (e) && plan__is_temporal (t))
    {
      const char *s = e->u.literal.v.s;
      gint64 ms;
      gint32 days;
      gboolean ok = t.kind == PLAN_TYPE_DATE ? plan_parse_date (s, strlen (s), &days)
                                             : plan_parse_timestamp (s, strlen (s), &ms);
      if (!ok)
        {
          plan__bfail (b, PLAN_ERROR_BIND, e->span, "'%s' is not a valid %s: write it as '%s'", s,
                       plan__tname (t).s, t.kind == PLAN_TYPE_DATE ? "YYYY-MM-DD"
                                                                   : "YYYY-MM-DD HH:MM:SS[.fff]");
          plan_expr_unref (e);
          return NULL;
        }
    }
  cast = plan_expr_call (PLAN_FUNC_CAST, t, 1, &e, e->span);
  return cast;
}

void
plan__free_exprs (PlanExpr **args, guint n)
{
  for (guint i = 0; i < n; i++)
    if (args[i] != NULL)
      plan_expr_unref (args[i]);
}

/* Casts args to one common type. what NULL means a comparison ("Cannot compare A with
 * B"); otherwise "Cannot mix A and B in <what>". When every arg is an untyped NULL the
 * type is fallback (PLAN_TYPE_NULL: an error asking for a CAST). On failure every arg is
 * released. */
gboolean
plan__unify (PlanSqlBinder *b, PlanExpr **args, guint n, const char *what, PlanSpan span,
             PlanTypeKind fallback, PlanType *out)
{
  PlanType cur = plan_type_make (PLAN_TYPE_NULL, TRUE);
  gboolean cur_literal = FALSE, nullable = FALSE;

  for (guint i = 0; i < n; i++)
    {
      PlanType t = args[i]->type;
      gboolean literal = is_string_literal (args[i]);
      nullable = nullable || t.nullable;
      if (t.kind == PLAN_TYPE_NULL)
        continue;
      if (cur.kind == PLAN_TYPE_NULL)
        cur = t, cur_literal = literal;
      else if (plan__is_numeric (cur) && plan__is_numeric (t))
        cur = numeric_common (cur, t);
      else if (cur.kind == t.kind)
        cur_literal = cur_literal && literal;
      else if (plan__is_temporal (cur) && t.kind == PLAN_TYPE_VARCHAR && literal)
        ;
      else if (cur.kind == PLAN_TYPE_VARCHAR && cur_literal && plan__is_temporal (t))
        cur = t;
      else if (plan__is_temporal (cur) && plan__is_temporal (t))
        cur = plan_type_make (PLAN_TYPE_TIMESTAMP, FALSE);
      else
        {
          if (what == NULL)
            plan__bfail (b, PLAN_ERROR_BIND, span, "Cannot compare %s with %s", plan__tname (cur).s,
                         plan__tname (t).s);
          else
            plan__bfail (b, PLAN_ERROR_BIND, span, "Cannot mix %s and %s in %s",
                         plan__tname (cur).s, plan__tname (t).s, what);
          plan__free_exprs (args, n);
          return FALSE;
        }
    }
  if (cur.kind == PLAN_TYPE_NULL)
    {
      if (fallback == PLAN_TYPE_NULL)
        {
          plan__bfail (b, PLAN_ERROR_BIND, span,
                       "%s needs a value that is not NULL to know its type; "
                       "write CAST(NULL AS <type>)", what != NULL ? what : "The comparison");
          plan__free_exprs (args, n);
          return FALSE;
        }
      cur = plan_type_make (fallback, TRUE);
    }
  cur.nullable = nullable;
  for (guint i = 0; i < n; i++)
    if ((args[i] = plan__coerce (b, args[i], cur)) == NULL)
      {
        plan__free_exprs (args, n);
        return FALSE;
      }
  *out = cur;
  return TRUE;
}

/* Maps a spelled type to a PlanType. */
gboolean
plan__bind_type (PlanSqlBinder *b, const PlanAstType *t, gboolean nullable, PlanType *out)
{
  static const struct {
    const char *name;
    PlanTypeKind kind;
  } names[] = {
    { "BOOLEAN", PLAN_TYPE_BOOLEAN }, { "BOOL", PLAN_TYPE_BOOLEAN },
    { "INT", PLAN_TYPE_INT }, { "INTEGER", PLAN_TYPE_INT }, { "TINYINT", PLAN_TYPE_INT },
    { "SMALLINT", PLAN_TYPE_INT }, { "BIGINT", PLAN_TYPE_BIGINT },
    { "DOUBLE", PLAN_TYPE_DOUBLE }, { "FLOAT", PLAN_TYPE_DOUBLE }, { "REAL", PLAN_TYPE_DOUBLE },
    { "DECIMAL", PLAN_TYPE_DECIMAL }, { "DEC", PLAN_TYPE_DECIMAL },
    { "NUMERIC", PLAN_TYPE_DECIMAL }, { "VARCHAR", PLAN_TYPE_VARCHAR },
    { "STRING", PLAN_TYPE_VARCHAR }, { "CHAR", PLAN_TYPE_VARCHAR },
    { "CHARACTER", PLAN_TYPE_VARCHAR }, { "DATE", PLAN_TYPE_DATE },
    { "TIMESTAMP", PLAN_TYPE_TIMESTAMP },
  };
  static const char *const later[] = {
    "TIME", "TIMESTAMP_LTZ", "BYTES", "BINARY", "VARBINARY", "ARRAY", "MAP", "MULTISET",
    "ROW", "RAW", "INTERVAL",
  };
  const char *candidates[G_N_ELEMENTS (names)];
  const char *best;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      candidates[i] = names[i].name;
      if (strcmp (t->name, names[i].name) != 0)
        continue;
      *out = plan_type_make (names[i].kind, nullable);
      if (names[i].kind != PLAN_TYPE_DECIMAL)
        return TRUE;
      {
        gint p = t->precision >= 0 ? t->precision : 10, s = MAX (t->scale, 0);
        if (p > 18)
          return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, t->span,
                              "DECIMAL(%d, %d) is not supported yet: the precision is at most 18",
                              p, s) != NULL;
        if (p < 1 || s > p)
          return plan__bfail (b, PLAN_ERROR_BIND, t->span,
                              "DECIMAL(%d, %d) is invalid: the scale must be between 0 and the "
                              "precision", p, s) != NULL;
        *out = plan_type_decimal ((guint) p, (guint) s, nullable);
        return TRUE;
      }
    }
  for (guint i = 0; i < G_N_ELEMENTS (later); i++)
    if (strcmp (t->name, later[i]) == 0)
      return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, t->span, "Type %s is not supported yet",
                          t->name) != NULL;
  best = plan__sql_closest (t->name, candidates, G_N_ELEMENTS (names));
  if (best != NULL)
    return plan__bfail (b, PLAN_ERROR_BIND, t->span, "Unknown type '%s'. Did you mean '%s'?",
                        t->name, best) != NULL;
  return plan__bfail (b, PLAN_ERROR_BIND, t->span, "Unknown type '%s'", t->name) != NULL;
}

/* ---- literals ---------------------------------------------------------------------- */

static PlanExpr *
bind_number (PlanSqlBinder *b, const PlanAstExpr *e)
{
  PlanValue v = { 0 };
  const char *text = e->text;

  if (e->kind == PLAN_AST_INTEGER)
    {
      if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &v.v.i, NULL))
        return plan__bfail (b, PLAN_ERROR_BIND, e->span,
                            "Integer %s is out of range for BIGINT; write it as a DOUBLE such as "
                            "%se0", text, text);
      v.type = plan_type_make (v.v.i >= G_MININT32 && v.v.i <= G_MAXINT32 ? PLAN_TYPE_INT
                                                                          : PLAN_TYPE_BIGINT,
                               FALSE);
      return plan_expr_literal (&v, e->span);
    }
  if (e->kind == PLAN_AST_DECIMAL)
    {
      const char *p = text + (text[0] == '-');
      const char *dot = strchr (p, '.');
      guint digits = 0, scale = (guint) strlen (dot + 1);
      while (*p == '0' && p < dot)
        p++;
      digits = (guint) (dot - p) + scale;
      if (digits <= 18 && plan_parse_decimal (text, strlen (text), scale, &v.v.i))
        {
          v.type = plan_type_decimal (MAX (digits, 1), scale, FALSE);
          return plan_expr_literal (&v, e->span);
        }
    }
  v.v.d = g_ascii_strtod (text, NULL);
  if (!isfinite (v.v.d))
    return plan__bfail (b, PLAN_ERROR_BIND, e->span, "Number %s is out of range for DOUBLE", text);
  v.type = plan_type_make (PLAN_TYPE_DOUBLE, FALSE);
  return plan_expr_literal (&v, e->span);
}

static PlanExpr *
bind_interval (PlanSqlBinder *b, const PlanAstExpr *e)
{
  static const struct {
    const char *unit;
    gint64 ms;
  } units[] = {
    { "SECOND", 1000 }, { "MINUTE", 60000 }, { "HOUR", 3600000 }, { "DAY", 86400000 },
  };
  PlanValue v = { 0 };
  gint64 thousandths, factor = 0;

  if (e->to_unit != NULL)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->span,
                        "INTERVAL ... %s TO %s is not supported yet; write the interval in one "
                        "unit, such as INTERVAL '90' MINUTE", e->unit, e->to_unit);
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (strcmp (e->unit, units[i].unit) == 0)
      factor = units[i].ms;
  if (factor == 0 && (strcmp (e->unit, "YEAR") == 0 || strcmp (e->unit, "MONTH") == 0))
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->span,
                        "Year-month intervals (INTERVAL ... %s) are not supported yet", e->unit);
  if (factor == 0)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->span,
                        "INTERVAL unit %s is not supported; use SECOND, MINUTE, HOUR or DAY",
                        e->unit);
  if (!plan_parse_decimal (e->text, strlen (e->text), 3, &thousandths)
      || __builtin_mul_overflow (thousandths, factor, &v.v.i))
    return plan__bfail (b, PLAN_ERROR_BIND, e->span,
                        "'%s' is not a valid interval value: write a number such as '5' or '1.5'",
                        e->text);
  v.v.i /= 1000;
  if (e->negated)
    v.v.i = -v.v.i;
  v.type = plan_type_make (PLAN_TYPE_INTERVAL, FALSE);
  return plan_expr_literal (&v, e->span);
}

static PlanExpr *
bind_literal (PlanSqlBinder *b, const PlanAstExpr *e)
{
  PlanValue v = { 0 };

  if (e->kind == PLAN_AST_STRING)
    {
      v.type = plan_type_make (PLAN_TYPE_VARCHAR, FALSE);
      v.v.s = g_strdup (e->text);
    }
  else if (e->kind == PLAN_AST_BOOL)
    {
      v.type = plan_type_make (PLAN_TYPE_BOOLEAN, FALSE);
      v.v.b = e->boolean;
    }
  else if (e->kind == PLAN_AST_NULL)
    {
      v.type = plan_type_make (PLAN_TYPE_NULL, TRUE);
      v.is_null = TRUE;
    }
  else if (e->kind == PLAN_AST_DATE || e->kind == PLAN_AST_TIMESTAMP)
    {
      gint32 days = 0;
      gboolean date = e->kind == PLAN_AST_DATE;
      gboolean ok = date ? plan_parse_date (e->text, strlen (e->text), &days)
                         : plan_parse_timestamp (e->text, strlen (e->text), &v.v.i);
      if (!ok)
        return plan__bfail (b, PLAN_ERROR_BIND, e->span, "'%s' is not a valid %s: write it as '%s'",
                            e->text, date ? "DATE" : "TIMESTAMP",
                            date ? "YYYY-MM-DD" : "YYYY-MM-DD HH:MM:SS[.fff]");
      if (date)
        v.v.i = days;
      v.type = plan_type_make (date ? PLAN_TYPE_DATE : PLAN_TYPE_TIMESTAMP, FALSE);
    }
  else if (e->kind == PLAN_AST_INTERVAL)
    return bind_interval (b, e);
  else
    return bind_number (b, e);
  return plan_expr_literal (&v, e->span);
}

/* ---- expressions ------------------------------------------------------------------- */

static PlanExpr *bind_call (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *e);

gboolean
plan__qualifier_matches (const PlanSqlCol *c, const char *qualifier)
{
  return qualifier == NULL
         || (c->qualifier != NULL && g_ascii_strcasecmp (c->qualifier, qualifier) == 0);
}

gboolean
plan__check_qualifier (PlanSqlBinder *b, const PlanSqlRel *scope, const char *qualifier,
                       PlanSpan span)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  const char *best;

  if (qualifier == NULL)
    return TRUE;
  for (guint i = 0; i < scope->cols->len; i++)
    {
      if (plan__qualifier_matches (plan__rel_col (scope, i), qualifier))
        return TRUE;
      if (plan__rel_col (scope, i)->qualifier != NULL)
        g_ptr_array_add (names, plan__rel_col (scope, i)->qualifier);
    }
  best = plan__sql_closest (qualifier, (const char *const *) names->pdata, names->len);
  if (best != NULL)
    return plan__bfail (b, PLAN_ERROR_BIND, span,
                        "Table or alias '%s' not found in the FROM clause. Did you mean '%s'?",
                        qualifier, best) != NULL;
  return plan__bfail (b, PLAN_ERROR_BIND, span, "Table or alias '%s' not found in the FROM clause",
                      qualifier) != NULL;
}

static gboolean
column_not_found (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *e)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  g_autoptr (GString) list = g_string_new (NULL);
  const char *best;

  if (plan__row_whole_column (b, scope, e)) /* added by ROW types */
    return FALSE;
  for (guint i = 0; i < scope->cols->len; i++)
    if (plan__qualifier_matches (plan__rel_col (scope, i), e->qualifier))
      {
        g_ptr_array_add (names, plan__rel_col (scope, i)->name);
        if (names->len <= 8)
          g_string_append_printf (list, "%s%s", names->len > 1 ? ", " : "",
                                  plan__rel_col (scope, i)->name);
      }
  if (names->len > 8)
    g_string_append (list, ", ...");
  best = plan__sql_closest (e->name, (const char *const *) names->pdata, names->len);
  if (best != NULL)
    return plan__bfail (b, PLAN_ERROR_BIND, e->span, "Column '%s' not found in %s. Did you mean "
                        "'%s'?", e->name, plan__rel_desc (scope), best) != NULL;
  return plan__bfail (b, PLAN_ERROR_BIND, e->span, "Column '%s' not found in %s (columns: %s)",
                      e->name, plan__rel_desc (scope), list->str) != NULL;
}

static gboolean
resolve_column (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *e, guint *out)
{
  guint found = 0, first = 0;

  if (scope == NULL)
    return plan__bfail (b, PLAN_ERROR_BIND, e->span,
                        "Column '%s' not found: the query has no FROM clause", e->name) != NULL;
  if ((found = (guint) plan__row_field_column (b, scope, e, out)) != 0) /* ROW types */
    return found == 1;
  if (!plan__check_qualifier (b, scope, e->qualifier, e->span))
    return FALSE;
  for (guint i = 0; i < scope->cols->len; i++)
    {
      const PlanSqlCol *c = plan__rel_col (scope, i);
      if (plan__qualifier_matches (c, e->qualifier) && g_ascii_strcasecmp (c->name, e->name) == 0)
        {
          if (found++ == 0)
            first = i;
        }
    }
  if (found == 0)
    return column_not_found (b, scope, e);
  if (found > 1)
    return plan__bfail (b, PLAN_ERROR_BIND, e->span, "Column '%s' is ambiguous: %u columns of %s "
                        "have that name; qualify it or rename one with AS", e->name, found,
                        plan__rel_desc (scope)) != NULL;
  *out = first;
  return TRUE;
}

static PlanExpr *
bind_column (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *e)
{
  guint i = 0;
  if (!resolve_column (b, scope, e, &i))
    return NULL;
  return plan_expr_column (i, plan__rel_col (scope, i)->type, e->span);
}

/* A BOOLEAN operand for what (AND, NOT, WHEN ...); an untyped NULL becomes BOOLEAN. */
static PlanExpr *
need_boolean (PlanSqlBinder *b, PlanExpr *x, const char *what)
{
  if (x == NULL)
    return NULL;
  if (x->type.kind == PLAN_TYPE_NULL)
    return plan__coerce (b, x, plan_type_make (PLAN_TYPE_BOOLEAN, TRUE));
  if (x->type.kind == PLAN_TYPE_BOOLEAN)
    return x;
  plan__bfail (b, PLAN_ERROR_BIND, x->span, "%s needs a BOOLEAN operand, got %s", what,
               plan__tname (x->type).s);
  plan_expr_unref (x);
  return NULL;
}

static PlanExpr *
call2 (PlanFunc f, PlanType t, PlanExpr *a, PlanExpr *c, PlanSpan span)
{
  PlanExpr *args[2] = { a, c };
  return plan_expr_call (f, t, c != NULL ? 2 : 1, args, span);
}

static const char *
op_text (PlanAstOp op)
{
  static const char *const texts[] = {
    [PLAN_AST_OP_ADD] = "+", [PLAN_AST_OP_SUB] = "-", [PLAN_AST_OP_MUL] = "*",
    [PLAN_AST_OP_DIV] = "/", [PLAN_AST_OP_MOD] = "%", [PLAN_AST_OP_CONCAT] = "||",
    [PLAN_AST_OP_EQ] = "=", [PLAN_AST_OP_NE] = "<>", [PLAN_AST_OP_LT] = "<",
    [PLAN_AST_OP_LE] = "<=", [PLAN_AST_OP_GT] = ">", [PLAN_AST_OP_GE] = ">=",
    [PLAN_AST_OP_AND] = "AND", [PLAN_AST_OP_OR] = "OR", [PLAN_AST_OP_NEG] = "-",
    [PLAN_AST_OP_PLUS] = "+", [PLAN_AST_OP_NOT] = "NOT",
  };
  return texts[op];
}

/* Result type of numeric l op r; *arg gets the type both arguments are cast to. */
static PlanType
arith_type (PlanAstOp op, PlanType l, PlanType r, PlanType *arg)
{
  gboolean nullable = l.nullable || r.nullable;
  guint p1, s1, p2, s2;

  *arg = numeric_common (l, r);
  if (arg->kind != PLAN_TYPE_DECIMAL)
    return *arg;
  as_decimal (l, &p1, &s1);
  as_decimal (r, &p2, &s2);
  switch (op)
    {
    case PLAN_AST_OP_ADD:
    case PLAN_AST_OP_SUB:
      return plan_type_decimal (MIN (18, MAX (p1 - s1, p2 - s2) + MAX (s1, s2) + 1),
                                MAX (s1, s2), nullable);
    case PLAN_AST_OP_MUL:
      if (s1 + s2 > 18)
        return *arg = plan_type_make (PLAN_TYPE_DOUBLE, nullable);
      return plan_type_decimal (MIN (18, p1 + p2), s1 + s2, nullable);
    case PLAN_AST_OP_DIV:
      return plan_type_decimal (18, MAX (6, s1), nullable);
    case PLAN_AST_OP_MOD: case PLAN_AST_OP_CONCAT: case PLAN_AST_OP_EQ: case PLAN_AST_OP_NE:
    case PLAN_AST_OP_LT: case PLAN_AST_OP_LE: case PLAN_AST_OP_GT: case PLAN_AST_OP_GE:
    case PLAN_AST_OP_AND: case PLAN_AST_OP_OR: case PLAN_AST_OP_NEG: case PLAN_AST_OP_PLUS:
    case PLAN_AST_OP_NOT:
    default:
      return *arg;
    }
}

static PlanExpr *
bind_arith (PlanSqlBinder *b, const PlanAstExpr *e, PlanExpr *l, PlanExpr *r)
{
  static const PlanFunc funcs[] = {
    [PLAN_AST_OP_ADD] = PLAN_FUNC_ADD, [PLAN_AST_OP_SUB] = PLAN_FUNC_SUB,
    [PLAN_AST_OP_MUL] = PLAN_FUNC_MUL, [PLAN_AST_OP_DIV] = PLAN_FUNC_DIV,
    [PLAN_AST_OP_MOD] = PLAN_FUNC_MOD,
  };
  PlanType lt, rt, arg, result;
  gboolean additive = e->op == PLAN_AST_OP_ADD || e->op == PLAN_AST_OP_SUB;

  if (l->type.kind == PLAN_TYPE_NULL && r->type.kind == PLAN_TYPE_NULL)
    l = plan__coerce (b, l, plan_type_make (PLAN_TYPE_INT, TRUE));
  if (l->type.kind == PLAN_TYPE_NULL)
    l = plan__coerce (b, l, r->type);
  if (r->type.kind == PLAN_TYPE_NULL)
    r = plan__coerce (b, r, l->type);
  lt = l->type;
  rt = r->type;
  if (plan__is_numeric (lt) && plan__is_numeric (rt))
    {
      result = arith_type (e->op, lt, rt, &arg);
      l = plan__coerce (b, l, arg);
      r = plan__coerce (b, r, arg);
      return call2 (funcs[e->op], result, l, r, e->span);
    }
  result = plan_type_make (PLAN_TYPE_TIMESTAMP, lt.nullable || rt.nullable);
  if (e->op == PLAN_AST_OP_ADD && lt.kind == PLAN_TYPE_INTERVAL && plan__is_temporal (rt))
    {
      PlanExpr *swap = l; /* INTERVAL + TIMESTAMP is TIMESTAMP + INTERVAL */
      l = r, r = swap, lt = l->type, rt = r->type;
    }
  if (additive && plan__is_temporal (lt) && rt.kind == PLAN_TYPE_INTERVAL)
    return call2 (funcs[e->op], result, plan__coerce (b, l, result), r, e->span);
  if (additive && lt.kind == PLAN_TYPE_INTERVAL && rt.kind == PLAN_TYPE_INTERVAL)
    return call2 (funcs[e->op], with_null (lt, result.nullable), l, r, e->span);
  plan__bfail (b, PLAN_ERROR_BIND, e->op_span, "Cannot apply '%s' to %s and %s", op_text (e->op),
               plan__tname (lt).s, plan__tname (rt).s);
  plan_expr_unref (l);
  plan_expr_unref (r);
  return NULL;
}

static PlanExpr *
bind_binary (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *e)
{
  static const PlanFunc cmp[] = {
    [PLAN_AST_OP_EQ] = PLAN_FUNC_EQ, [PLAN_AST_OP_NE] = PLAN_FUNC_NE,
    [PLAN_AST_OP_LT] = PLAN_FUNC_LT, [PLAN_AST_OP_LE] = PLAN_FUNC_LE,
    [PLAN_AST_OP_GT] = PLAN_FUNC_GT, [PLAN_AST_OP_GE] = PLAN_FUNC_GE,
  };
  PlanExpr *args[2] = { NULL, NULL };
  PlanType t;

  if ((args[0] = plan__bind_expr (b, scope, e->left)) == NULL)
    return NULL;
  if ((args[1] = plan__bind_expr (b, scope, e->right)) == NULL)
    return plan_expr_unref (args[0]), NULL;
  switch (e->op)
    {
    case PLAN_AST_OP_ADD: case PLAN_AST_OP_SUB: case PLAN_AST_OP_MUL: case PLAN_AST_OP_DIV:
    case PLAN_AST_OP_MOD:
      return bind_arith (b, e, args[0], args[1]);
    case PLAN_AST_OP_CONCAT:
      for (guint i = 0; i < 2; i++)
        if (args[i]->type.kind != PLAN_TYPE_VARCHAR && args[i]->type.kind != PLAN_TYPE_NULL)
          {
            plan__bfail (b, PLAN_ERROR_BIND, e->op_span, "Operator '||' needs VARCHAR operands, "
                         "got %s; use CAST(... AS VARCHAR)", plan__tname (args[i]->type).s);
            plan__free_exprs (args, 2);
            return NULL;
          }
      t = plan_type_make (PLAN_TYPE_VARCHAR, args[0]->type.nullable || args[1]->type.nullable);
      args[0] = plan__coerce (b, args[0], t);
      args[1] = plan__coerce (b, args[1], t);
      return plan_expr_call (PLAN_FUNC_CONCAT, t, 2, args, e->span);
    case PLAN_AST_OP_AND:
    case PLAN_AST_OP_OR:
      if ((args[0] = need_boolean (b, args[0], op_text (e->op))) == NULL)
        return plan_expr_unref (args[1]), NULL;
      if ((args[1] = need_boolean (b, args[1], op_text (e->op))) == NULL)
        return plan_expr_unref (args[0]), NULL;
      t = plan_type_make (PLAN_TYPE_BOOLEAN, args[0]->type.nullable || args[1]->type.nullable);
      return plan_expr_call (e->op == PLAN_AST_OP_AND ? PLAN_FUNC_AND : PLAN_FUNC_OR, t, 2,
                             args, e->span);
    case PLAN_AST_OP_EQ: case PLAN_AST_OP_NE: case PLAN_AST_OP_LT: case PLAN_AST_OP_LE:
    case PLAN_AST_OP_GT: case PLAN_AST_OP_GE:
      if (!plan__unify (b, args, 2, NULL, e->op_span, PLAN_TYPE_BOOLEAN, &t))
        return NULL;
      return plan_expr_call (cmp[e->op], plan_type_make (PLAN_TYPE_BOOLEAN, t.nullable), 2,
                             args, e->span);
    case PLAN_AST_OP_NEG: case PLAN_AST_OP_PLUS: case PLAN_AST_OP_NOT:
    default:
      g_assert_not_reached ();
    }
}

static PlanExpr *
bind_unary (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *e)
{
  PlanExpr *x = plan__bind_expr (b, scope, e->left);

  if (x == NULL)
    return NULL;
  if (e->op == PLAN_AST_OP_NOT)
    {
      if ((x = need_boolean (b, x, "NOT")) == NULL)
        return NULL;
      return call2 (PLAN_FUNC_NOT, x->type, x, NULL, e->span);
    }
  if (x->type.kind == PLAN_TYPE_NULL)
    x = plan__coerce (b, x, plan_type_make (PLAN_TYPE_INT, TRUE));
  if (!plan__is_numeric (x->type) && x->type.kind != PLAN_TYPE_INTERVAL)
    {
      plan__bfail (b, PLAN_ERROR_BIND, e->op_span, "Cannot apply unary '%s' to %s", op_text (e->op),
                   plan__tname (x->type).s);
      plan_expr_unref (x);
      return NULL;
    }
  if (e->op == PLAN_AST_OP_PLUS)
    return x;
  return call2 (PLAN_FUNC_NEG, x->type, x, NULL, e->span);
}

static PlanExpr *
bind_is (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *e)
{
  PlanType not_null = plan_type_make (PLAN_TYPE_BOOLEAN, FALSE), t;
  PlanExpr *args[2] = { plan__bind_expr (b, scope, e->left), NULL };
  PlanExpr *r;
  gboolean negate = e->is_kind == PLAN_AST_IS_NOT_TRUE || e->is_kind == PLAN_AST_IS_NOT_FALSE;

  if (args[0] == NULL)
    return NULL;
  switch (e->is_kind)
    {
    case PLAN_AST_IS_NULL:
    case PLAN_AST_IS_NOT_NULL:
      if (args[0]->type.kind == PLAN_TYPE_NULL)
        args[0] = plan__coerce (b, args[0], plan_type_make (PLAN_TYPE_BOOLEAN, TRUE));
      return call2 (e->is_kind == PLAN_AST_IS_NULL ? PLAN_FUNC_IS_NULL : PLAN_FUNC_IS_NOT_NULL,
                    not_null, args[0], NULL, e->span);
    case PLAN_AST_IS_TRUE: case PLAN_AST_IS_NOT_TRUE:
    case PLAN_AST_IS_FALSE: case PLAN_AST_IS_NOT_FALSE:
      if ((args[0] = need_boolean (b, args[0], "IS TRUE / IS FALSE")) == NULL)
        return NULL;
      r = call2 (e->is_kind == PLAN_AST_IS_TRUE || e->is_kind == PLAN_AST_IS_NOT_TRUE
                   ? PLAN_FUNC_IS_TRUE : PLAN_FUNC_IS_FALSE, not_null, args[0], NULL, e->span);
      return negate ? call2 (PLAN_FUNC_NOT, not_null, r, NULL, e->span) : r;
    case PLAN_AST_IS_DISTINCT_FROM:
    case PLAN_AST_IS_NOT_DISTINCT_FROM:
    default:
      if ((args[1] = plan__bind_expr (b, scope, e->right)) == NULL)
        return plan_expr_unref (args[0]), NULL;
      if (!plan__unify (b, args, 2, NULL, e->op_span, PLAN_TYPE_BOOLEAN, &t))
        return NULL;
      return plan_expr_call (e->is_kind == PLAN_AST_IS_DISTINCT_FROM
                               ? PLAN_FUNC_IS_DISTINCT_FROM : PLAN_FUNC_IS_NOT_DISTINCT_FROM,
                             not_null, 2, args, e->span);
    }
}

/* Binds e->left followed by the args of e into a new array (n_out elements). */
static PlanExpr **
bind_operand_list (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *e, guint *n_out)
{
  guint n = e->args.n + 1;
  PlanExpr **args = g_new0 (PlanExpr *, n);

  for (guint i = 0; i < n; i++)
    {
      const PlanAstExpr *a = i == 0 ? e->left : e->args.items[i - 1];
      if ((args[i] = plan__bind_expr (b, scope, a)) == NULL)
        {
          plan__free_exprs (args, i);
          g_free (args);
          return NULL;
        }
    }
  *n_out = n;
  return args;
}

/* x [NOT] BETWEEN lo AND hi, x [NOT] IN (...) */
static PlanExpr *
bind_between_in (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *e)
{
  g_autofree PlanExpr **args = NULL;
  PlanExpr *r;
  PlanType t;
  guint n;

  if (e->query != NULL)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->op_span,
                        "IN (SELECT ...) subqueries are not supported yet");
  if ((args = bind_operand_list (b, scope, e, &n)) == NULL)
    return NULL;
  if (!plan__unify (b, args, n, NULL, e->op_span, PLAN_TYPE_BOOLEAN, &t))
    return NULL;
  r = plan_expr_call (e->kind == PLAN_AST_BETWEEN ? PLAN_FUNC_BETWEEN : PLAN_FUNC_IN,
                      plan_type_make (PLAN_TYPE_BOOLEAN, t.nullable), n, args, e->span);
  return e->negated ? call2 (PLAN_FUNC_NOT, r->type, r, NULL, e->span) : r;
}

/* VARCHAR arguments for what; untyped NULLs become VARCHAR. Releases args on failure. */
static gboolean
need_strings (PlanSqlBinder *b, PlanExpr **args, guint n, const char *what)
{
  for (guint i = 0; i < n; i++)
    {
      if (args[i]->type.kind == PLAN_TYPE_NULL)
        args[i] = plan__coerce (b, args[i], plan_type_make (PLAN_TYPE_VARCHAR, TRUE));
      if (args[i]->type.kind != PLAN_TYPE_VARCHAR)
        {
          plan__bfail (b, PLAN_ERROR_BIND, args[i]->span, "%s needs a VARCHAR argument, got %s",
                       what, plan__tname (args[i]->type).s);
          plan__free_exprs (args, n);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
any_nullable (PlanExpr **args, guint n)
{
  for (guint i = 0; i < n; i++)
    if (args[i]->type.nullable)
      return TRUE;
  return FALSE;
}

static PlanExpr *
bind_like (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *e)
{
  PlanExpr *args[3] = { NULL, NULL, NULL };
  guint n = e->escape != NULL ? 3 : 2;
  PlanExpr *r;

  for (guint i = 0; i < n; i++)
    if ((args[i] = plan__bind_expr (b, scope, i == 0 ? e->left : i == 1 ? e->right : e->escape))
        == NULL)
      return plan__free_exprs (args, i), NULL;
  if (!need_strings (b, args, n, "LIKE"))
    return NULL;
  if (n == 3 && (!is_string_literal (args[2]) || g_utf8_strlen (args[2]->u.literal.v.s, -1) != 1))
    {
      plan__bfail (b, PLAN_ERROR_BIND, args[2]->span, "ESCAPE needs a string of one character");
      plan__free_exprs (args, n);
      return NULL;
    }
  r = plan_expr_call (PLAN_FUNC_LIKE, plan_type_make (PLAN_TYPE_BOOLEAN, any_nullable (args, n)),
                      n, args, e->span);
  return e->negated ? call2 (PLAN_FUNC_NOT, r->type, r, NULL, e->span) : r;
}

static PlanExpr *
bind_case (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *e)
{
  guint n_pairs = e->args.n / 2, n = e->args.n + (e->escape != NULL);
  g_autofree PlanExpr **args = g_new0 (PlanExpr *, n);
  g_autofree PlanExpr **results = g_new0 (PlanExpr *, n_pairs + 1);
  g_autoptr (PlanExpr) operand = NULL;
  PlanType t;
  guint n_results = 0;

  if (e->left != NULL && (operand = plan__bind_expr (b, scope, e->left)) == NULL)
    return NULL;
  for (guint i = 0; i < n; i++)
    {
      const PlanAstExpr *a = i < e->args.n ? e->args.items[i] : e->escape;
      PlanExpr *x = plan__bind_expr (b, scope, a);
      if (x != NULL && i % 2 == 0 && i < e->args.n && operand != NULL)
        {
          PlanExpr *pair[2] = { plan_expr_ref (operand), x };
          x = plan__unify (b, pair, 2, NULL, a->span, PLAN_TYPE_BOOLEAN, &t)
                ? plan_expr_call (PLAN_FUNC_EQ, plan_type_make (PLAN_TYPE_BOOLEAN, t.nullable),
                                  2, pair, a->span)
                : NULL;
        }
      else if (x != NULL && i % 2 == 0 && i < e->args.n)
        x = need_boolean (b, x, "WHEN");
      if (x == NULL)
        return plan__free_exprs (args, i), NULL;
      args[i] = x;
      if (i % 2 == 1 || i == e->args.n)
        results[n_results++] = x;
    }
  if (!plan__unify (b, results, n_results, "CASE", e->span, PLAN_TYPE_NULL, &t))
    {
      for (guint i = 0; i < e->args.n; i += 2)
        plan_expr_unref (args[i]);
      return NULL;
    }
  for (guint i = 0, k = 0; i < n; i++) /* put the coerced results back */
    if (i % 2 == 1 || i == e->args.n)
      args[i] = results[k++];
  if (e->escape == NULL)
    t.nullable = TRUE;
  return plan_expr_call (PLAN_FUNC_CASE, t, n, args, e->span);
}

static gboolean
castable (PlanType from, PlanType to)
{
  if (from.kind == PLAN_TYPE_NULL || from.kind == to.kind)
    return TRUE;
  if (from.kind == PLAN_TYPE_VARCHAR || to.kind == PLAN_TYPE_VARCHAR)
    return TRUE;
  if ((plan__is_numeric (from) || from.kind == PLAN_TYPE_BOOLEAN)
      && (plan__is_numeric (to) || to.kind == PLAN_TYPE_BOOLEAN))
    return TRUE;
  return plan__is_temporal (from) && plan__is_temporal (to);
}

static PlanExpr *
bind_cast (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *e)
{
  PlanExpr *x;
  PlanType t;

  if (e->is_try)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->op_span, "TRY_CAST is not supported yet");
  if (!plan__bind_type (b, e->type, TRUE, &t) || (x = plan__bind_expr (b, scope, e->left)) == NULL)
    return NULL;
  if (!castable (x->type, t))
    {
      plan__bfail (b, PLAN_ERROR_BIND, e->span, "Cannot cast %s to %s", plan__tname (x->type).s,
                   plan__tname (t).s);
      plan_expr_unref (x);
      return NULL;
    }
  if (x->type.kind == PLAN_TYPE_NULL || is_string_literal (x))
    return plan__coerce (b, x, t); /* typed NULL, or a checked DATE/TIMESTAMP text */
  t.nullable = x->type.nullable;
  if (same_type (x->type, t))
    return x;
  return call2 (PLAN_FUNC_CAST, t, x, NULL, e->span);
}

PlanExpr *
plan__bind_expr (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *e)
{
  if (b->agg != NULL)
    {
      gboolean handled;
      PlanExpr *x = plan__agg_resolve (b, e, &handled);

      if (handled)
        return x;
    }
  if (e->kind == PLAN_AST_CALL && e->over) /* added by rank: plan-sql-bind-rank.c */
    return plan__rank_resolve (b, e);
  if (plan__is_legacy_window_call (e)) /* added by legacy windows */
    return plan__legacy_window_resolve (b, scope, e);
  switch (e->kind)
    {
    case PLAN_AST_COLUMN:
      return bind_column (b, scope, e);
    case PLAN_AST_STAR:
      return plan__bfail (b, PLAN_ERROR_BIND, e->span, "'*' is only allowed in the SELECT list");
    case PLAN_AST_INTEGER: case PLAN_AST_DECIMAL: case PLAN_AST_FLOAT: case PLAN_AST_STRING:
    case PLAN_AST_BOOL: case PLAN_AST_NULL: case PLAN_AST_DATE: case PLAN_AST_TIMESTAMP:
    case PLAN_AST_INTERVAL:
      return bind_literal (b, e);
    case PLAN_AST_UNARY:
      return bind_unary (b, scope, e);
    case PLAN_AST_BINARY:
      return bind_binary (b, scope, e);
    case PLAN_AST_IS:
      return bind_is (b, scope, e);
    case PLAN_AST_BETWEEN:
    case PLAN_AST_IN:
      return bind_between_in (b, scope, e);
    case PLAN_AST_LIKE:
      return bind_like (b, scope, e);
    case PLAN_AST_CASE:
      return bind_case (b, scope, e);
    case PLAN_AST_CAST:
      return bind_cast (b, scope, e);
    case PLAN_AST_CALL:
      return bind_call (b, scope, e);
    case PLAN_AST_SUBQUERY:
    case PLAN_AST_EXISTS:
      return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->span,
                          "Subqueries in expressions are not supported yet");
    case PLAN_AST_TABLE_ARG:
    case PLAN_AST_DESCRIPTOR:
    case PLAN_AST_NAMED_ARG:
    default:
      return plan__bfail (b, PLAN_ERROR_BIND, e->span,
                          "This argument form is only allowed in a table function call in FROM");
    }
}

/* ---- functions --------------------------------------------------------------------- */

typedef enum {
  RULE_STRING,    /* VARCHAR... -> VARCHAR */
  RULE_LENGTH,    /* VARCHAR -> INT */
  RULE_POSITION,  /* VARCHAR, VARCHAR -> INT */
  RULE_SUBSTRING, /* VARCHAR, INT [, INT] -> VARCHAR */
  RULE_COALESCE,
  RULE_NULLIF,
  RULE_SAME,      /* numeric -> same type (ABS) */
  RULE_ROUND,
  RULE_FLOOR,     /* FLOOR, CEIL */
  RULE_DOUBLE,    /* numeric... -> DOUBLE */
  RULE_MOD,
  RULE_EXTRACT,   /* DATE/TIMESTAMP -> BIGINT */
  RULE_NOW,
  RULE_DATE_FORMAT, /* added by nexmark functions: TIMESTAMP, VARCHAR -> VARCHAR */
  RULE_SPLIT,       /* VARCHAR, VARCHAR [, INT] -> VARCHAR (SPLIT_INDEX, REGEXP_EXTRACT) */
  RULE_INSTR,       /* INSTR(s, sub) is POSITION(sub IN s) */
} FuncRule;

static const struct {
  const char *name;
  PlanFunc func;
  guint8 min_args, max_args;
  FuncRule rule;
} functions[] = {
  { "UPPER", PLAN_FUNC_UPPER, 1, 1, RULE_STRING },
  { "LOWER", PLAN_FUNC_LOWER, 1, 1, RULE_STRING },
  { "TRIM", PLAN_FUNC_TRIM, 1, 1, RULE_STRING },
  { "LTRIM", PLAN_FUNC_LTRIM, 1, 1, RULE_STRING },
  { "RTRIM", PLAN_FUNC_RTRIM, 1, 1, RULE_STRING },
  { "REPLACE", PLAN_FUNC_REPLACE, 3, 3, RULE_STRING },
  { "CONCAT", PLAN_FUNC_CONCAT, 1, 255, RULE_STRING },
  { "CHAR_LENGTH", PLAN_FUNC_CHAR_LENGTH, 1, 1, RULE_LENGTH },
  { "CHARACTER_LENGTH", PLAN_FUNC_CHAR_LENGTH, 1, 1, RULE_LENGTH },
  { "POSITION", PLAN_FUNC_POSITION, 2, 2, RULE_POSITION },
  { "SUBSTRING", PLAN_FUNC_SUBSTRING, 2, 3, RULE_SUBSTRING },
  { "SUBSTR", PLAN_FUNC_SUBSTRING, 2, 3, RULE_SUBSTRING },
  { "COALESCE", PLAN_FUNC_COALESCE, 1, 255, RULE_COALESCE },
  { "NULLIF", PLAN_FUNC_NULLIF, 2, 2, RULE_NULLIF },
  { "ABS", PLAN_FUNC_ABS, 1, 1, RULE_SAME },
  { "ROUND", PLAN_FUNC_ROUND, 1, 2, RULE_ROUND },
  { "FLOOR", PLAN_FUNC_FLOOR, 1, 1, RULE_FLOOR },
  { "CEIL", PLAN_FUNC_CEIL, 1, 1, RULE_FLOOR },
  { "CEILING", PLAN_FUNC_CEIL, 1, 1, RULE_FLOOR },
  { "SQRT", PLAN_FUNC_SQRT, 1, 1, RULE_DOUBLE },
  { "POWER", PLAN_FUNC_POWER, 2, 2, RULE_DOUBLE },
  { "LN", PLAN_FUNC_LN, 1, 1, RULE_DOUBLE },
  { "LOG10", PLAN_FUNC_LOG10, 1, 1, RULE_DOUBLE },
  { "EXP", PLAN_FUNC_EXP, 1, 1, RULE_DOUBLE },
  { "MOD", PLAN_FUNC_MOD, 2, 2, RULE_MOD },
  { "YEAR", PLAN_FUNC_EXTRACT_YEAR, 1, 1, RULE_EXTRACT },
  { "MONTH", PLAN_FUNC_EXTRACT_MONTH, 1, 1, RULE_EXTRACT },
  { "DAYOFMONTH", PLAN_FUNC_EXTRACT_DAY, 1, 1, RULE_EXTRACT },
  { "DAY", PLAN_FUNC_EXTRACT_DAY, 1, 1, RULE_EXTRACT },
  { "HOUR", PLAN_FUNC_EXTRACT_HOUR, 1, 1, RULE_EXTRACT },
  { "MINUTE", PLAN_FUNC_EXTRACT_MINUTE, 1, 1, RULE_EXTRACT },
  { "SECOND", PLAN_FUNC_EXTRACT_SECOND, 1, 1, RULE_EXTRACT },
  { "CURRENT_TIMESTAMP", PLAN_FUNC_CURRENT_TIMESTAMP, 0, 0, RULE_NOW },
  { "LOCALTIMESTAMP", PLAN_FUNC_CURRENT_TIMESTAMP, 0, 0, RULE_NOW },
  { "NOW", PLAN_FUNC_CURRENT_TIMESTAMP, 0, 0, RULE_NOW },
  { "PROCTIME", PLAN_FUNC_CURRENT_TIMESTAMP, 0, 0, RULE_NOW }, /* added by lookup joins */
  /* added by nexmark functions */
  { "DATE_FORMAT", PLAN_FUNC_DATE_FORMAT, 2, 2, RULE_DATE_FORMAT },
  { "SPLIT_INDEX", PLAN_FUNC_SPLIT_INDEX, 3, 3, RULE_SPLIT },
  { "REGEXP_EXTRACT", PLAN_FUNC_REGEXP_EXTRACT, 2, 3, RULE_SPLIT },
  { "INSTR", PLAN_FUNC_POSITION, 2, 2, RULE_INSTR },
};

static const char *const aggregates[] = {
  "COUNT", "SUM", "AVG", "MIN", "MAX", "STDDEV", "STDDEV_POP", "STDDEV_SAMP", "VAR_POP",
  "VAR_SAMP", "VARIANCE", "COLLECT", "LISTAGG", "FIRST_VALUE", "LAST_VALUE", "ARRAY_AGG",
  "BOOL_AND", "BOOL_OR", "APPROX_COUNT_DISTINCT",
};

/* Functions that only exist with OVER (...). */
static const char *const window_functions[] = {
  "ROW_NUMBER", "RANK", "DENSE_RANK", "PERCENT_RANK", "CUME_DIST", "NTILE", "LAG", "LEAD",
};

/* Integer arguments (SUBSTRING positions, ROUND digits) are cast to INT. */
static PlanExpr *
need_int (PlanSqlBinder *b, PlanExpr *x, const char *what)
{
  if (x->type.kind == PLAN_TYPE_INT || x->type.kind == PLAN_TYPE_BIGINT
      || x->type.kind == PLAN_TYPE_NULL)
    return plan__coerce (b, x, plan_type_make (PLAN_TYPE_INT, x->type.nullable));
  plan__bfail (b, PLAN_ERROR_BIND, x->span, "%s needs an integer argument, got %s", what,
               plan__tname (x->type).s);
  plan_expr_unref (x);
  return NULL;
}

static PlanExpr *
need_number (PlanSqlBinder *b, PlanExpr *x, const char *what)
{
  if (x->type.kind == PLAN_TYPE_NULL)
    return plan__coerce (b, x, plan_type_make (PLAN_TYPE_DOUBLE, TRUE));
  if (plan__is_numeric (x->type))
    return x;
  plan__bfail (b, PLAN_ERROR_BIND, x->span, "%s needs a numeric argument, got %s", what,
               plan__tname (x->type).s);
  plan_expr_unref (x);
  return NULL;
}

/* Result type of ROUND/FLOOR/CEIL on a DECIMAL: the digits kept after the point. */
static PlanType
rounded_type (PlanType t, PlanExpr *digits_arg)
{
  gint64 digits = 0;
  if (t.kind != PLAN_TYPE_DECIMAL)
    return t;
  if (digits_arg != NULL)
    {
      if (digits_arg->kind != PLAN_EXPR_LITERAL || digits_arg->u.literal.is_null)
        return t;
      digits = MAX (digits_arg->u.literal.v.i, 0);
    }
  if (digits >= t.scale)
    return t;
  return plan_type_decimal (MIN (18, t.precision - t.scale + (guint) digits + 1),
                            (guint) digits, t.nullable);
}

/* Types the arguments of a known function (args owned; released on failure). */
static PlanExpr *
type_call (PlanSqlBinder *b, const PlanAstExpr *e, guint fi, PlanExpr **args, guint n)
{
  const char *name = functions[fi].name;
  PlanFunc func = functions[fi].func;
  PlanType t = { 0 };
  gboolean nullable = any_nullable (args, n);

  switch (functions[fi].rule)
    {
    case RULE_STRING:
    case RULE_LENGTH:
    case RULE_POSITION:
      if (!need_strings (b, args, n, name))
        return NULL;
      t = plan_type_make (functions[fi].rule == RULE_STRING ? PLAN_TYPE_VARCHAR : PLAN_TYPE_INT,
                          nullable);
      break;
    case RULE_SUBSTRING:
      if (!need_strings (b, args, 1, name))
        return plan__free_exprs (args + 1, n - 1), NULL;
      for (guint i = 1; i < n; i++)
        if ((args[i] = need_int (b, args[i], name)) == NULL)
          return plan__free_exprs (args, n), NULL;
      t = plan_type_make (PLAN_TYPE_VARCHAR, nullable);
      break;
    case RULE_COALESCE:
    case RULE_NULLIF:
      if (!plan__unify (b, args, n, name, e->span, PLAN_TYPE_NULL, &t))
        return NULL;
      t.nullable = TRUE; /* NULLIF may always give NULL; COALESCE when every arg may */
      for (guint i = 0; i < n && func == PLAN_FUNC_COALESCE; i++)
        t.nullable = t.nullable && args[i]->type.nullable;
      break;
    case RULE_SAME:
    case RULE_ROUND:
    case RULE_FLOOR:
      if ((args[0] = need_number (b, args[0], name)) == NULL
          || (n > 1 && (args[1] = need_int (b, args[1], name)) == NULL))
        return plan__free_exprs (args, n), NULL;
      t = args[0]->type;
      if (functions[fi].rule == RULE_ROUND)
        t = rounded_type (t, n > 1 ? args[1] : NULL);
      else if (functions[fi].rule == RULE_FLOOR)
        t = rounded_type (t, NULL);
      t.nullable = nullable;
      break;
    case RULE_DOUBLE:
      t = plan_type_make (PLAN_TYPE_DOUBLE, nullable);
      for (guint i = 0; i < n; i++)
        if ((args[i] = need_number (b, args[i], name)) == NULL
            || (args[i] = plan__coerce (b, args[i], t)) == NULL)
          return plan__free_exprs (args, n), NULL;
      break;
    case RULE_MOD:
      {
        PlanAstExpr op = *e;
        op.op = PLAN_AST_OP_MOD;
        op.op_span = e->span;
        return bind_arith (b, &op, args[0], args[1]);
      }
    case RULE_EXTRACT:
      if (args[0]->type.kind == PLAN_TYPE_NULL || is_string_literal (args[0])
          || args[0]->type.kind == PLAN_TYPE_DATE)
        args[0] = plan__coerce (b, args[0], plan_type_make (PLAN_TYPE_TIMESTAMP, TRUE));
      if (args[0] == NULL)
        return NULL;
      if (args[0]->type.kind != PLAN_TYPE_TIMESTAMP)
        {
          plan__bfail (b, PLAN_ERROR_BIND, args[0]->span, "%s needs a TIMESTAMP or DATE, got %s",
                       e->unit != NULL ? "EXTRACT" : name, plan__tname (args[0]->type).s);
          return plan__free_exprs (args, n), NULL;
        }
      t = plan_type_make (PLAN_TYPE_BIGINT, nullable);
      break;
    case RULE_DATE_FORMAT: /* added by nexmark functions */
    case RULE_SPLIT:
    case RULE_INSTR:
      return plan__bind_nexmark_call (b, e, func, functions[fi].rule == RULE_INSTR, args, n);
    case RULE_NOW:
    default:
      t = plan_type_make (PLAN_TYPE_TIMESTAMP, FALSE);
      break;
    }
  return plan_expr_call (func, t, n, args, e->span);
}

static gint
find_function (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (functions); i++)
    if (strcmp (functions[i].name, name) == 0)
      return (gint) i;
  return -1;
}

/* Why a call cannot be bound before its arguments are; NULL when it can. */
static gboolean
check_call (PlanSqlBinder *b, const PlanAstExpr *e, gint *fi)
{
  const char *candidates[G_N_ELEMENTS (functions) + G_N_ELEMENTS (aggregates)];
  const char *name = e->name;
  const char *best;
  guint n = e->args.n;

  for (guint i = 0; i < G_N_ELEMENTS (window_functions); i++)
    if (strcmp (name, window_functions[i]) == 0)
      return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->span,
                          "%s() OVER (...) is not supported yet", name) != NULL;
  for (guint i = 0; i < G_N_ELEMENTS (aggregates); i++)
    if (strcmp (name, aggregates[i]) == 0 && !e->over)
      return plan__bfail (b, PLAN_ERROR_BIND, e->span,
                          "Aggregate function %s is not allowed here; aggregates belong in a "
                          "SELECT list, HAVING or |> AGGREGATE", name) != NULL;
  if (e->over)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->over_span,
                        "OVER windows are not supported yet") != NULL;
  if (strcmp (name, "EXTRACT") == 0)
    {
      static const char *const units[] = { "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND" };
      for (guint i = 0; i < G_N_ELEMENTS (units); i++)
        if (strcmp (e->unit, units[i]) == 0)
          name = units[i];
      if (name == e->name)
        return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->span,
                            "EXTRACT(%s FROM ...) is not supported yet", e->unit) != NULL;
    }
  if ((*fi = find_function (name)) < 0)
    {
      for (guint i = 0; i < G_N_ELEMENTS (functions); i++)
        candidates[i] = functions[i].name;
      for (guint i = 0; i < G_N_ELEMENTS (aggregates); i++)
        candidates[G_N_ELEMENTS (functions) + i] = aggregates[i];
      best = plan__sql_closest (name, candidates, G_N_ELEMENTS (candidates));
      if (best != NULL)
        return plan__bfail (b, PLAN_ERROR_BIND, e->span, "Function '%s' not found. Did you mean "
                            "'%s'?", name, best) != NULL;
      return plan__bfail (b, PLAN_ERROR_BIND, e->span, "Function '%s' not found", name) != NULL;
    }
  if (e->distinct || e->star_arg || e->filter != NULL)
    return plan__bfail (b, PLAN_ERROR_BIND, e->span, "%s is not an aggregate function: it takes no "
                        "%s", name, e->filter != NULL ? "FILTER" : e->star_arg ? "*" : "DISTINCT")
           != NULL;
  if (e->trim_chars != NULL)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->trim_chars->span,
                        "TRIM with characters to remove is not supported yet (spaces only)")
           != NULL;
  if (n < functions[*fi].min_args || n > functions[*fi].max_args)
    {
      guint lo = functions[*fi].min_args, hi = functions[*fi].max_args;
      g_autofree char *want = lo == hi ? g_strdup_printf ("%u", lo)
                              : hi == 255 ? g_strdup_printf ("at least %u", lo)
                              : g_strdup_printf ("%u to %u", lo, hi);
      return plan__bfail (b, PLAN_ERROR_BIND, e->span, "%s takes %s argument%s, got %u", name, want,
                          hi == 1 && lo == 1 ? "" : "s", n) != NULL;
    }
  return TRUE;
}

static PlanExpr *
bind_call (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *e)
{
  g_autofree PlanExpr **args = NULL;
  gint fi;

  if (!check_call (b, e, &fi))
    return NULL;
  args = g_new0 (PlanExpr *, e->args.n + 1);
  for (guint i = 0; i < e->args.n; i++)
    if ((args[i] = plan__bind_expr (b, scope, e->args.items[i])) == NULL)
      return plan__free_exprs (args, i), NULL;
  return type_call (b, e, (guint) fi, args, e->args.n);
}
