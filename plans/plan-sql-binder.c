/* plan-sql-binder.c: binds a parsed statement against the catalog into a typed logical
 * plan (plan-node.h): names resolved case-insensitively, types checked, implicit
 * conversions made explicit as PLAN_FUNC_CAST, views expanded, and every node and
 * expression given the span of the text it came from.
 *
 * Binding works on "relations": a plan node plus the names its columns are known by
 * (qualifier and column name), which the plan's schemas alone cannot carry. The type
 * rules follow Flink (numeric promotion INT < BIGINT < DECIMAL < DOUBLE, integer division
 * for integers, DECIMAL precision capped at 18 as the engine stores scaled 64-bit
 * integers). Arguments of arithmetic and comparisons are cast to one common type, except
 * TIMESTAMP +/- INTERVAL, whose arguments keep their types. Valid SQL that strom cannot
 * run yet (GROUP BY, joins, ...) is refused here with PLAN_ERROR_UNSUPPORTED at the
 * clause, so the user learns what to change. The catalog is only read: applying DDL is
 * the caller's job when the statement runs. */
#include "plan-sql-private.h"

#include <math.h>
#include <string.h>

typedef struct {
  char *qualifier; /* owned, nullable */
  char *name;      /* owned */
  PlanType type;
  PlanSpan span;   /* where the column was made (select item, table reference) */
} BindCol;

typedef struct {
  PlanNode *node; /* owned ref */
  GArray *cols;   /* BindCol */
  char *desc;     /* owned, nullable: "table 'bid'" for messages; NULL is "the input" */
} BindRel;

typedef struct {
  const char *name; /* borrowed from the AST */
  BindRel *rel;     /* owned */
} BindCte;

typedef struct {
  PlanCatalog *catalog;
  const PlanAst *ast;
  GError **error;
  GPtrArray *ctes; /* BindCte*, owned; innermost last */
} Binder;

static gpointer
bfail (Binder *b, PlanErrorCode code, PlanSpan span, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

static gpointer
bfail (Binder *b, PlanErrorCode code, PlanSpan span, const char *format, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  plan__sql_error (b->error, code, span, "%s", msg);
  return NULL;
}

/* ---- relations --------------------------------------------------------------------- */

static void
bind_col_clear (gpointer data)
{
  BindCol *c = data;
  g_free (c->qualifier);
  g_free (c->name);
}

static BindRel *
rel_new (PlanNode *node, const char *desc)
{
  BindRel *rel = g_new0 (BindRel, 1);
  rel->node = node;
  rel->cols = g_array_new (FALSE, TRUE, sizeof (BindCol));
  g_array_set_clear_func (rel->cols, bind_col_clear);
  rel->desc = g_strdup (desc);
  return rel;
}

static void
rel_free (BindRel *rel)
{
  if (rel == NULL)
    return;
  if (rel->node != NULL)
    plan_node_unref (rel->node);
  g_array_unref (rel->cols);
  g_free (rel->desc);
  g_free (rel);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BindRel, rel_free)

static void
rel_add (BindRel *rel, const char *qualifier, const char *name, PlanType type, PlanSpan span)
{
  BindCol c = { g_strdup (qualifier), g_strdup (name), type, span };
  g_array_append_val (rel->cols, c);
}

static BindCol *
rel_col (const BindRel *rel, guint i)
{
  return &g_array_index (rel->cols, BindCol, i);
}

/* A relation over node (ref taken) whose columns are the schema's, all qualified. */
static BindRel *
rel_from_node (PlanNode *node, const char *qualifier, const char *desc, PlanSpan span)
{
  BindRel *rel = rel_new (node, desc);
  for (guint i = 0; i < node->schema->n_fields; i++)
    rel_add (rel, qualifier, node->schema->fields[i].name, node->schema->fields[i].type, span);
  return rel;
}

static void
rel_requalify (BindRel *rel, const char *qualifier, const char *desc)
{
  for (guint i = 0; i < rel->cols->len; i++)
    {
      g_free (rel_col (rel, i)->qualifier);
      rel_col (rel, i)->qualifier = g_strdup (qualifier);
    }
  g_free (rel->desc);
  rel->desc = g_strdup (desc);
}

static PlanSchema *
schema_of (const BindRel *rel)
{
  PlanSchema *schema = plan_schema_new (rel->cols->len);
  for (guint i = 0; i < rel->cols->len; i++)
    plan_schema_set_field (schema, i, rel_col (rel, i)->name, rel_col (rel, i)->type);
  return schema;
}

/* Replaces rel's node by a new node of kind over it (same schema). */
static PlanNode *
rel_stack (BindRel *rel, PlanNodeKind kind, PlanSpan span)
{
  PlanNode *input = rel->node;
  rel->node = plan_node_new (kind, plan_schema_ref (input->schema), span, 1, &input);
  return rel->node;
}

static const char *
rel_desc (const BindRel *rel)
{
  return rel->desc != NULL ? rel->desc : "the input";
}

/* ---- types ------------------------------------------------------------------------- */

static gboolean
is_numeric (PlanType t)
{
  return plan_type_is_numeric (t.kind);
}

static gboolean
is_temporal (PlanType t)
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

/* A type's name for messages, by value: tname (t).s lives until the end of the full
 * expression that calls tname, which is all a message needs (and is thread-safe). */
typedef struct {
  char s[48];
} TypeName;

static TypeName
tname (PlanType t)
{
  TypeName n;
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

static PlanExpr *
null_literal (PlanType t, PlanSpan span)
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
static PlanExpr *
coerce (Binder *b, PlanExpr *e, PlanType t)
{
  PlanExpr *cast;

  if (e->type.kind == PLAN_TYPE_NULL)
    {
      cast = null_literal (t, e->span);
      plan_expr_unref (e);
      return cast;
    }
  t.nullable = e->type.nullable;
  if (same_type (e->type, t))
    return e;
  if (is_string_literal (e) && is_temporal (t))
    {
      const char *s = e->u.literal.v.s;
      gint64 ms;
      gint32 days;
      gboolean ok = t.kind == PLAN_TYPE_DATE ? plan_parse_date (s, strlen (s), &days)
                                             : plan_parse_timestamp (s, strlen (s), &ms);
      if (!ok)
        {
          bfail (b, PLAN_ERROR_BIND, e->span, "'%s' is not a valid %s: write it as '%s'", s,
                 tname (t).s, t.kind == PLAN_TYPE_DATE ? "YYYY-MM-DD"
                                                        : "YYYY-MM-DD HH:MM:SS[.fff]");
          plan_expr_unref (e);
          return NULL;
        }
    }
  cast = plan_expr_call (PLAN_FUNC_CAST, t, 1, &e, e->span);
  return cast;
}

static void
free_exprs (PlanExpr **args, guint n)
{
  for (guint i = 0; i < n; i++)
    if (args[i] != NULL)
      plan_expr_unref (args[i]);
}

/* Casts args to one common type. what NULL means a comparison ("Cannot compare A with
 * B"); otherwise "Cannot mix A and B in <what>". When every arg is an untyped NULL the
 * type is fallback (PLAN_TYPE_NULL: an error asking for a CAST). On failure every arg is
 * released. */
static gboolean
unify (Binder *b, PlanExpr **args, guint n, const char *what, PlanSpan span,
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
      else if (is_numeric (cur) && is_numeric (t))
        cur = numeric_common (cur, t);
      else if (cur.kind == t.kind)
        cur_literal = cur_literal && literal;
      else if (is_temporal (cur) && t.kind == PLAN_TYPE_VARCHAR && literal)
        ;
      else if (cur.kind == PLAN_TYPE_VARCHAR && cur_literal && is_temporal (t))
        cur = t;
      else if (is_temporal (cur) && is_temporal (t))
        cur = plan_type_make (PLAN_TYPE_TIMESTAMP, FALSE);
      else
        {
          if (what == NULL)
            bfail (b, PLAN_ERROR_BIND, span, "Cannot compare %s with %s", tname (cur).s,
                   tname (t).s);
          else
            bfail (b, PLAN_ERROR_BIND, span, "Cannot mix %s and %s in %s", tname (cur).s,
                   tname (t).s, what);
          free_exprs (args, n);
          return FALSE;
        }
    }
  if (cur.kind == PLAN_TYPE_NULL)
    {
      if (fallback == PLAN_TYPE_NULL)
        {
          bfail (b, PLAN_ERROR_BIND, span,
                 "%s needs a value that is not NULL to know its type; "
                 "write CAST(NULL AS <type>)", what != NULL ? what : "The comparison");
          free_exprs (args, n);
          return FALSE;
        }
      cur = plan_type_make (fallback, TRUE);
    }
  cur.nullable = nullable;
  for (guint i = 0; i < n; i++)
    if ((args[i] = coerce (b, args[i], cur)) == NULL)
      {
        free_exprs (args, n);
        return FALSE;
      }
  *out = cur;
  return TRUE;
}

/* Maps a spelled type to a PlanType. */
static gboolean
bind_type (Binder *b, const PlanAstType *t, gboolean nullable, PlanType *out)
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
          return bfail (b, PLAN_ERROR_UNSUPPORTED, t->span,
                        "DECIMAL(%d, %d) is not supported yet: the precision is at most 18",
                        p, s) != NULL;
        if (p < 1 || s > p)
          return bfail (b, PLAN_ERROR_BIND, t->span,
                        "DECIMAL(%d, %d) is invalid: the scale must be between 0 and the "
                        "precision", p, s) != NULL;
        *out = plan_type_decimal ((guint) p, (guint) s, nullable);
        return TRUE;
      }
    }
  for (guint i = 0; i < G_N_ELEMENTS (later); i++)
    if (strcmp (t->name, later[i]) == 0)
      return bfail (b, PLAN_ERROR_UNSUPPORTED, t->span, "Type %s is not supported yet",
                    t->name) != NULL;
  best = plan__sql_closest (t->name, candidates, G_N_ELEMENTS (names));
  if (best != NULL)
    return bfail (b, PLAN_ERROR_BIND, t->span, "Unknown type '%s'. Did you mean '%s'?",
                  t->name, best) != NULL;
  return bfail (b, PLAN_ERROR_BIND, t->span, "Unknown type '%s'", t->name) != NULL;
}

/* ---- literals ---------------------------------------------------------------------- */

static PlanExpr *
bind_number (Binder *b, const PlanAstExpr *e)
{
  PlanValue v = { 0 };
  const char *text = e->text;

  if (e->kind == PLAN_AST_INTEGER)
    {
      if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &v.v.i, NULL))
        return bfail (b, PLAN_ERROR_BIND, e->span,
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
    return bfail (b, PLAN_ERROR_BIND, e->span, "Number %s is out of range for DOUBLE", text);
  v.type = plan_type_make (PLAN_TYPE_DOUBLE, FALSE);
  return plan_expr_literal (&v, e->span);
}

static PlanExpr *
bind_interval (Binder *b, const PlanAstExpr *e)
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
    return bfail (b, PLAN_ERROR_UNSUPPORTED, e->span,
                  "INTERVAL ... %s TO %s is not supported yet; write the interval in one "
                  "unit, such as INTERVAL '90' MINUTE", e->unit, e->to_unit);
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (strcmp (e->unit, units[i].unit) == 0)
      factor = units[i].ms;
  if (factor == 0 && (strcmp (e->unit, "YEAR") == 0 || strcmp (e->unit, "MONTH") == 0))
    return bfail (b, PLAN_ERROR_UNSUPPORTED, e->span,
                  "Year-month intervals (INTERVAL ... %s) are not supported yet", e->unit);
  if (factor == 0)
    return bfail (b, PLAN_ERROR_UNSUPPORTED, e->span,
                  "INTERVAL unit %s is not supported; use SECOND, MINUTE, HOUR or DAY",
                  e->unit);
  if (!plan_parse_decimal (e->text, strlen (e->text), 3, &thousandths)
      || __builtin_mul_overflow (thousandths, factor, &v.v.i))
    return bfail (b, PLAN_ERROR_BIND, e->span,
                  "'%s' is not a valid interval value: write a number such as '5' or '1.5'",
                  e->text);
  v.v.i /= 1000;
  if (e->negated)
    v.v.i = -v.v.i;
  v.type = plan_type_make (PLAN_TYPE_INTERVAL, FALSE);
  return plan_expr_literal (&v, e->span);
}

static PlanExpr *
bind_literal (Binder *b, const PlanAstExpr *e)
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
        return bfail (b, PLAN_ERROR_BIND, e->span, "'%s' is not a valid %s: write it as '%s'",
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

static PlanExpr *bind_expr (Binder *b, const BindRel *scope, const PlanAstExpr *e);
static PlanExpr *bind_call (Binder *b, const BindRel *scope, const PlanAstExpr *e);

static gboolean
qualifier_matches (const BindCol *c, const char *qualifier)
{
  return qualifier == NULL
         || (c->qualifier != NULL && g_ascii_strcasecmp (c->qualifier, qualifier) == 0);
}

static gboolean
check_qualifier (Binder *b, const BindRel *scope, const char *qualifier, PlanSpan span)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  const char *best;

  if (qualifier == NULL)
    return TRUE;
  for (guint i = 0; i < scope->cols->len; i++)
    {
      if (qualifier_matches (rel_col (scope, i), qualifier))
        return TRUE;
      if (rel_col (scope, i)->qualifier != NULL)
        g_ptr_array_add (names, rel_col (scope, i)->qualifier);
    }
  best = plan__sql_closest (qualifier, (const char *const *) names->pdata, names->len);
  if (best != NULL)
    return bfail (b, PLAN_ERROR_BIND, span,
                  "Table or alias '%s' not found in the FROM clause. Did you mean '%s'?",
                  qualifier, best) != NULL;
  return bfail (b, PLAN_ERROR_BIND, span, "Table or alias '%s' not found in the FROM clause",
                qualifier) != NULL;
}

static gboolean
column_not_found (Binder *b, const BindRel *scope, const PlanAstExpr *e)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  g_autoptr (GString) list = g_string_new (NULL);
  const char *best;

  for (guint i = 0; i < scope->cols->len; i++)
    if (qualifier_matches (rel_col (scope, i), e->qualifier))
      {
        g_ptr_array_add (names, rel_col (scope, i)->name);
        if (names->len <= 8)
          g_string_append_printf (list, "%s%s", names->len > 1 ? ", " : "",
                                  rel_col (scope, i)->name);
      }
  if (names->len > 8)
    g_string_append (list, ", ...");
  best = plan__sql_closest (e->name, (const char *const *) names->pdata, names->len);
  if (best != NULL)
    return bfail (b, PLAN_ERROR_BIND, e->span, "Column '%s' not found in %s. Did you mean "
                  "'%s'?", e->name, rel_desc (scope), best) != NULL;
  return bfail (b, PLAN_ERROR_BIND, e->span, "Column '%s' not found in %s (columns: %s)",
                e->name, rel_desc (scope), list->str) != NULL;
}

static gboolean
resolve_column (Binder *b, const BindRel *scope, const PlanAstExpr *e, guint *out)
{
  guint found = 0, first = 0;

  if (scope == NULL)
    return bfail (b, PLAN_ERROR_BIND, e->span,
                  "Column '%s' not found: the query has no FROM clause", e->name) != NULL;
  if (!check_qualifier (b, scope, e->qualifier, e->span))
    return FALSE;
  for (guint i = 0; i < scope->cols->len; i++)
    {
      const BindCol *c = rel_col (scope, i);
      if (qualifier_matches (c, e->qualifier) && g_ascii_strcasecmp (c->name, e->name) == 0)
        {
          if (found++ == 0)
            first = i;
        }
    }
  if (found == 0)
    return column_not_found (b, scope, e);
  if (found > 1)
    return bfail (b, PLAN_ERROR_BIND, e->span, "Column '%s' is ambiguous: %u columns of %s "
                  "have that name; qualify it or rename one with AS", e->name, found,
                  rel_desc (scope)) != NULL;
  *out = first;
  return TRUE;
}

static PlanExpr *
bind_column (Binder *b, const BindRel *scope, const PlanAstExpr *e)
{
  guint i = 0;
  if (!resolve_column (b, scope, e, &i))
    return NULL;
  return plan_expr_column (i, rel_col (scope, i)->type, e->span);
}

/* A BOOLEAN operand for what (AND, NOT, WHEN ...); an untyped NULL becomes BOOLEAN. */
static PlanExpr *
need_boolean (Binder *b, PlanExpr *x, const char *what)
{
  if (x == NULL)
    return NULL;
  if (x->type.kind == PLAN_TYPE_NULL)
    return coerce (b, x, plan_type_make (PLAN_TYPE_BOOLEAN, TRUE));
  if (x->type.kind == PLAN_TYPE_BOOLEAN)
    return x;
  bfail (b, PLAN_ERROR_BIND, x->span, "%s needs a BOOLEAN operand, got %s", what,
         tname (x->type).s);
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
bind_arith (Binder *b, const PlanAstExpr *e, PlanExpr *l, PlanExpr *r)
{
  static const PlanFunc funcs[] = {
    [PLAN_AST_OP_ADD] = PLAN_FUNC_ADD, [PLAN_AST_OP_SUB] = PLAN_FUNC_SUB,
    [PLAN_AST_OP_MUL] = PLAN_FUNC_MUL, [PLAN_AST_OP_DIV] = PLAN_FUNC_DIV,
    [PLAN_AST_OP_MOD] = PLAN_FUNC_MOD,
  };
  PlanType lt, rt, arg, result;
  gboolean additive = e->op == PLAN_AST_OP_ADD || e->op == PLAN_AST_OP_SUB;

  if (l->type.kind == PLAN_TYPE_NULL && r->type.kind == PLAN_TYPE_NULL)
    l = coerce (b, l, plan_type_make (PLAN_TYPE_INT, TRUE));
  if (l->type.kind == PLAN_TYPE_NULL)
    l = coerce (b, l, r->type);
  if (r->type.kind == PLAN_TYPE_NULL)
    r = coerce (b, r, l->type);
  lt = l->type;
  rt = r->type;
  if (is_numeric (lt) && is_numeric (rt))
    {
      result = arith_type (e->op, lt, rt, &arg);
      l = coerce (b, l, arg);
      r = coerce (b, r, arg);
      return call2 (funcs[e->op], result, l, r, e->span);
    }
  result = plan_type_make (PLAN_TYPE_TIMESTAMP, lt.nullable || rt.nullable);
  if (e->op == PLAN_AST_OP_ADD && lt.kind == PLAN_TYPE_INTERVAL && is_temporal (rt))
    {
      PlanExpr *swap = l; /* INTERVAL + TIMESTAMP is TIMESTAMP + INTERVAL */
      l = r, r = swap, lt = l->type, rt = r->type;
    }
  if (additive && is_temporal (lt) && rt.kind == PLAN_TYPE_INTERVAL)
    return call2 (funcs[e->op], result, coerce (b, l, result), r, e->span);
  if (additive && lt.kind == PLAN_TYPE_INTERVAL && rt.kind == PLAN_TYPE_INTERVAL)
    return call2 (funcs[e->op], with_null (lt, result.nullable), l, r, e->span);
  bfail (b, PLAN_ERROR_BIND, e->op_span, "Cannot apply '%s' to %s and %s", op_text (e->op),
         tname (lt).s, tname (rt).s);
  plan_expr_unref (l);
  plan_expr_unref (r);
  return NULL;
}

static PlanExpr *
bind_binary (Binder *b, const BindRel *scope, const PlanAstExpr *e)
{
  static const PlanFunc cmp[] = {
    [PLAN_AST_OP_EQ] = PLAN_FUNC_EQ, [PLAN_AST_OP_NE] = PLAN_FUNC_NE,
    [PLAN_AST_OP_LT] = PLAN_FUNC_LT, [PLAN_AST_OP_LE] = PLAN_FUNC_LE,
    [PLAN_AST_OP_GT] = PLAN_FUNC_GT, [PLAN_AST_OP_GE] = PLAN_FUNC_GE,
  };
  PlanExpr *args[2] = { NULL, NULL };
  PlanType t;

  if ((args[0] = bind_expr (b, scope, e->left)) == NULL)
    return NULL;
  if ((args[1] = bind_expr (b, scope, e->right)) == NULL)
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
            bfail (b, PLAN_ERROR_BIND, e->op_span, "Operator '||' needs VARCHAR operands, got "
                   "%s; use CAST(... AS VARCHAR)", tname (args[i]->type).s);
            free_exprs (args, 2);
            return NULL;
          }
      t = plan_type_make (PLAN_TYPE_VARCHAR, args[0]->type.nullable || args[1]->type.nullable);
      args[0] = coerce (b, args[0], t);
      args[1] = coerce (b, args[1], t);
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
      if (!unify (b, args, 2, NULL, e->op_span, PLAN_TYPE_BOOLEAN, &t))
        return NULL;
      return plan_expr_call (cmp[e->op], plan_type_make (PLAN_TYPE_BOOLEAN, t.nullable), 2,
                             args, e->span);
    case PLAN_AST_OP_NEG: case PLAN_AST_OP_PLUS: case PLAN_AST_OP_NOT:
    default:
      g_assert_not_reached ();
    }
}

static PlanExpr *
bind_unary (Binder *b, const BindRel *scope, const PlanAstExpr *e)
{
  PlanExpr *x = bind_expr (b, scope, e->left);

  if (x == NULL)
    return NULL;
  if (e->op == PLAN_AST_OP_NOT)
    {
      if ((x = need_boolean (b, x, "NOT")) == NULL)
        return NULL;
      return call2 (PLAN_FUNC_NOT, x->type, x, NULL, e->span);
    }
  if (x->type.kind == PLAN_TYPE_NULL)
    x = coerce (b, x, plan_type_make (PLAN_TYPE_INT, TRUE));
  if (!is_numeric (x->type) && x->type.kind != PLAN_TYPE_INTERVAL)
    {
      bfail (b, PLAN_ERROR_BIND, e->op_span, "Cannot apply unary '%s' to %s", op_text (e->op),
             tname (x->type).s);
      plan_expr_unref (x);
      return NULL;
    }
  if (e->op == PLAN_AST_OP_PLUS)
    return x;
  return call2 (PLAN_FUNC_NEG, x->type, x, NULL, e->span);
}

static PlanExpr *
bind_is (Binder *b, const BindRel *scope, const PlanAstExpr *e)
{
  PlanType not_null = plan_type_make (PLAN_TYPE_BOOLEAN, FALSE), t;
  PlanExpr *args[2] = { bind_expr (b, scope, e->left), NULL };
  PlanExpr *r;
  gboolean negate = e->is_kind == PLAN_AST_IS_NOT_TRUE || e->is_kind == PLAN_AST_IS_NOT_FALSE;

  if (args[0] == NULL)
    return NULL;
  switch (e->is_kind)
    {
    case PLAN_AST_IS_NULL:
    case PLAN_AST_IS_NOT_NULL:
      if (args[0]->type.kind == PLAN_TYPE_NULL)
        args[0] = coerce (b, args[0], plan_type_make (PLAN_TYPE_BOOLEAN, TRUE));
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
      if ((args[1] = bind_expr (b, scope, e->right)) == NULL)
        return plan_expr_unref (args[0]), NULL;
      if (!unify (b, args, 2, NULL, e->op_span, PLAN_TYPE_BOOLEAN, &t))
        return NULL;
      return plan_expr_call (e->is_kind == PLAN_AST_IS_DISTINCT_FROM
                               ? PLAN_FUNC_IS_DISTINCT_FROM : PLAN_FUNC_IS_NOT_DISTINCT_FROM,
                             not_null, 2, args, e->span);
    }
}

/* Binds e->left followed by the args of e into a new array (n_out elements). */
static PlanExpr **
bind_operand_list (Binder *b, const BindRel *scope, const PlanAstExpr *e, guint *n_out)
{
  guint n = e->args.n + 1;
  PlanExpr **args = g_new0 (PlanExpr *, n);

  for (guint i = 0; i < n; i++)
    {
      const PlanAstExpr *a = i == 0 ? e->left : e->args.items[i - 1];
      if ((args[i] = bind_expr (b, scope, a)) == NULL)
        {
          free_exprs (args, i);
          g_free (args);
          return NULL;
        }
    }
  *n_out = n;
  return args;
}

/* x [NOT] BETWEEN lo AND hi, x [NOT] IN (...) */
static PlanExpr *
bind_between_in (Binder *b, const BindRel *scope, const PlanAstExpr *e)
{
  g_autofree PlanExpr **args = NULL;
  PlanExpr *r;
  PlanType t;
  guint n;

  if (e->query != NULL)
    return bfail (b, PLAN_ERROR_UNSUPPORTED, e->op_span,
                  "IN (SELECT ...) subqueries are not supported yet");
  if ((args = bind_operand_list (b, scope, e, &n)) == NULL)
    return NULL;
  if (!unify (b, args, n, NULL, e->op_span, PLAN_TYPE_BOOLEAN, &t))
    return NULL;
  r = plan_expr_call (e->kind == PLAN_AST_BETWEEN ? PLAN_FUNC_BETWEEN : PLAN_FUNC_IN,
                      plan_type_make (PLAN_TYPE_BOOLEAN, t.nullable), n, args, e->span);
  return e->negated ? call2 (PLAN_FUNC_NOT, r->type, r, NULL, e->span) : r;
}

/* VARCHAR arguments for what; untyped NULLs become VARCHAR. Releases args on failure. */
static gboolean
need_strings (Binder *b, PlanExpr **args, guint n, const char *what)
{
  for (guint i = 0; i < n; i++)
    {
      if (args[i]->type.kind == PLAN_TYPE_NULL)
        args[i] = coerce (b, args[i], plan_type_make (PLAN_TYPE_VARCHAR, TRUE));
      if (args[i]->type.kind != PLAN_TYPE_VARCHAR)
        {
          bfail (b, PLAN_ERROR_BIND, args[i]->span, "%s needs a VARCHAR argument, got %s",
                 what, tname (args[i]->type).s);
          free_exprs (args, n);
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
bind_like (Binder *b, const BindRel *scope, const PlanAstExpr *e)
{
  PlanExpr *args[3] = { NULL, NULL, NULL };
  guint n = e->escape != NULL ? 3 : 2;
  PlanExpr *r;

  for (guint i = 0; i < n; i++)
    if ((args[i] = bind_expr (b, scope, i == 0 ? e->left : i == 1 ? e->right : e->escape))
        == NULL)
      return free_exprs (args, i), NULL;
  if (!need_strings (b, args, n, "LIKE"))
    return NULL;
  if (n == 3 && (!is_string_literal (args[2]) || g_utf8_strlen (args[2]->u.literal.v.s, -1) != 1))
    {
      bfail (b, PLAN_ERROR_BIND, args[2]->span, "ESCAPE needs a string of one character");
      free_exprs (args, n);
      return NULL;
    }
  r = plan_expr_call (PLAN_FUNC_LIKE, plan_type_make (PLAN_TYPE_BOOLEAN, any_nullable (args, n)),
                      n, args, e->span);
  return e->negated ? call2 (PLAN_FUNC_NOT, r->type, r, NULL, e->span) : r;
}

static PlanExpr *
bind_case (Binder *b, const BindRel *scope, const PlanAstExpr *e)
{
  guint n_pairs = e->args.n / 2, n = e->args.n + (e->escape != NULL);
  g_autofree PlanExpr **args = g_new0 (PlanExpr *, n);
  g_autofree PlanExpr **results = g_new0 (PlanExpr *, n_pairs + 1);
  g_autoptr (PlanExpr) operand = NULL;
  PlanType t;
  guint n_results = 0;

  if (e->left != NULL && (operand = bind_expr (b, scope, e->left)) == NULL)
    return NULL;
  for (guint i = 0; i < n; i++)
    {
      const PlanAstExpr *a = i < e->args.n ? e->args.items[i] : e->escape;
      PlanExpr *x = bind_expr (b, scope, a);
      if (x != NULL && i % 2 == 0 && i < e->args.n && operand != NULL)
        {
          PlanExpr *pair[2] = { plan_expr_ref (operand), x };
          x = unify (b, pair, 2, NULL, a->span, PLAN_TYPE_BOOLEAN, &t)
                ? plan_expr_call (PLAN_FUNC_EQ, plan_type_make (PLAN_TYPE_BOOLEAN, t.nullable),
                                  2, pair, a->span)
                : NULL;
        }
      else if (x != NULL && i % 2 == 0 && i < e->args.n)
        x = need_boolean (b, x, "WHEN");
      if (x == NULL)
        return free_exprs (args, i), NULL;
      args[i] = x;
      if (i % 2 == 1 || i == e->args.n)
        results[n_results++] = x;
    }
  if (!unify (b, results, n_results, "CASE", e->span, PLAN_TYPE_NULL, &t))
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
  if ((is_numeric (from) || from.kind == PLAN_TYPE_BOOLEAN)
      && (is_numeric (to) || to.kind == PLAN_TYPE_BOOLEAN))
    return TRUE;
  return is_temporal (from) && is_temporal (to);
}

static PlanExpr *
bind_cast (Binder *b, const BindRel *scope, const PlanAstExpr *e)
{
  PlanExpr *x;
  PlanType t;

  if (e->is_try)
    return bfail (b, PLAN_ERROR_UNSUPPORTED, e->op_span, "TRY_CAST is not supported yet");
  if (!bind_type (b, e->type, TRUE, &t) || (x = bind_expr (b, scope, e->left)) == NULL)
    return NULL;
  if (!castable (x->type, t))
    {
      bfail (b, PLAN_ERROR_BIND, e->span, "Cannot cast %s to %s", tname (x->type).s,
             tname (t).s);
      plan_expr_unref (x);
      return NULL;
    }
  if (x->type.kind == PLAN_TYPE_NULL || is_string_literal (x))
    return coerce (b, x, t); /* typed NULL, or a checked DATE/TIMESTAMP text */
  t.nullable = x->type.nullable;
  if (same_type (x->type, t))
    return x;
  return call2 (PLAN_FUNC_CAST, t, x, NULL, e->span);
}

static PlanExpr *
bind_expr (Binder *b, const BindRel *scope, const PlanAstExpr *e)
{
  switch (e->kind)
    {
    case PLAN_AST_COLUMN:
      return bind_column (b, scope, e);
    case PLAN_AST_STAR:
      return bfail (b, PLAN_ERROR_BIND, e->span, "'*' is only allowed in the SELECT list");
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
      return bfail (b, PLAN_ERROR_UNSUPPORTED, e->span,
                    "Subqueries in expressions are not supported yet");
    case PLAN_AST_TABLE_ARG:
    case PLAN_AST_DESCRIPTOR:
    case PLAN_AST_NAMED_ARG:
    default:
      return bfail (b, PLAN_ERROR_BIND, e->span,
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
need_int (Binder *b, PlanExpr *x, const char *what)
{
  if (x->type.kind == PLAN_TYPE_INT || x->type.kind == PLAN_TYPE_BIGINT
      || x->type.kind == PLAN_TYPE_NULL)
    return coerce (b, x, plan_type_make (PLAN_TYPE_INT, x->type.nullable));
  bfail (b, PLAN_ERROR_BIND, x->span, "%s needs an integer argument, got %s", what,
         tname (x->type).s);
  plan_expr_unref (x);
  return NULL;
}

static PlanExpr *
need_number (Binder *b, PlanExpr *x, const char *what)
{
  if (x->type.kind == PLAN_TYPE_NULL)
    return coerce (b, x, plan_type_make (PLAN_TYPE_DOUBLE, TRUE));
  if (is_numeric (x->type))
    return x;
  bfail (b, PLAN_ERROR_BIND, x->span, "%s needs a numeric argument, got %s", what,
         tname (x->type).s);
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
type_call (Binder *b, const PlanAstExpr *e, guint fi, PlanExpr **args, guint n)
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
        return free_exprs (args + 1, n - 1), NULL;
      for (guint i = 1; i < n; i++)
        if ((args[i] = need_int (b, args[i], name)) == NULL)
          return free_exprs (args, n), NULL;
      t = plan_type_make (PLAN_TYPE_VARCHAR, nullable);
      break;
    case RULE_COALESCE:
    case RULE_NULLIF:
      if (!unify (b, args, n, name, e->span, PLAN_TYPE_NULL, &t))
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
        return free_exprs (args, n), NULL;
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
            || (args[i] = coerce (b, args[i], t)) == NULL)
          return free_exprs (args, n), NULL;
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
        args[0] = coerce (b, args[0], plan_type_make (PLAN_TYPE_TIMESTAMP, TRUE));
      if (args[0] == NULL)
        return NULL;
      if (args[0]->type.kind != PLAN_TYPE_TIMESTAMP)
        {
          bfail (b, PLAN_ERROR_BIND, args[0]->span, "%s needs a TIMESTAMP or DATE, got %s",
                 e->unit != NULL ? "EXTRACT" : name, tname (args[0]->type).s);
          return free_exprs (args, n), NULL;
        }
      t = plan_type_make (PLAN_TYPE_BIGINT, nullable);
      break;
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
check_call (Binder *b, const PlanAstExpr *e, gint *fi)
{
  const char *candidates[G_N_ELEMENTS (functions) + G_N_ELEMENTS (aggregates)];
  const char *name = e->name;
  const char *best;
  guint n = e->args.n;

  for (guint i = 0; i < G_N_ELEMENTS (window_functions); i++)
    if (strcmp (name, window_functions[i]) == 0)
      return bfail (b, PLAN_ERROR_UNSUPPORTED, e->span, "%s() OVER (...) is not supported yet",
                    name) != NULL;
  for (guint i = 0; i < G_N_ELEMENTS (aggregates); i++)
    if (strcmp (name, aggregates[i]) == 0 && !e->over)
      return bfail (b, PLAN_ERROR_UNSUPPORTED, e->span,
                    "Aggregate function %s is not supported yet", name) != NULL;
  if (e->over)
    return bfail (b, PLAN_ERROR_UNSUPPORTED, e->over_span,
                  "OVER windows are not supported yet") != NULL;
  if (strcmp (name, "EXTRACT") == 0)
    {
      static const char *const units[] = { "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND" };
      for (guint i = 0; i < G_N_ELEMENTS (units); i++)
        if (strcmp (e->unit, units[i]) == 0)
          name = units[i];
      if (name == e->name)
        return bfail (b, PLAN_ERROR_UNSUPPORTED, e->span,
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
        return bfail (b, PLAN_ERROR_BIND, e->span, "Function '%s' not found. Did you mean "
                      "'%s'?", name, best) != NULL;
      return bfail (b, PLAN_ERROR_BIND, e->span, "Function '%s' not found", name) != NULL;
    }
  if (e->distinct || e->star_arg || e->filter != NULL)
    return bfail (b, PLAN_ERROR_BIND, e->span, "%s is not an aggregate function: it takes no "
                  "%s", name, e->filter != NULL ? "FILTER" : e->star_arg ? "*" : "DISTINCT")
           != NULL;
  if (e->trim_chars != NULL)
    return bfail (b, PLAN_ERROR_UNSUPPORTED, e->trim_chars->span,
                  "TRIM with characters to remove is not supported yet (spaces only)") != NULL;
  if (n < functions[*fi].min_args || n > functions[*fi].max_args)
    {
      guint lo = functions[*fi].min_args, hi = functions[*fi].max_args;
      g_autofree char *want = lo == hi ? g_strdup_printf ("%u", lo)
                              : hi == 255 ? g_strdup_printf ("at least %u", lo)
                              : g_strdup_printf ("%u to %u", lo, hi);
      return bfail (b, PLAN_ERROR_BIND, e->span, "%s takes %s argument%s, got %u", name, want,
                    hi == 1 && lo == 1 ? "" : "s", n) != NULL;
    }
  return TRUE;
}

static PlanExpr *
bind_call (Binder *b, const BindRel *scope, const PlanAstExpr *e)
{
  g_autofree PlanExpr **args = NULL;
  gint fi;

  if (!check_call (b, e, &fi))
    return NULL;
  args = g_new0 (PlanExpr *, e->args.n + 1);
  for (guint i = 0; i < e->args.n; i++)
    if ((args[i] = bind_expr (b, scope, e->args.items[i])) == NULL)
      return free_exprs (args, i), NULL;
  return type_call (b, e, (guint) fi, args, e->args.n);
}

/* ---- queries ----------------------------------------------------------------------- */

static BindRel *bind_query (Binder *b, const PlanAstQuery *q);

static BindRel *
lookup_cte (Binder *b, const PlanAstFrom *f)
{
  for (guint i = b->ctes != NULL ? b->ctes->len : 0; i > 0; i--)
    {
      BindCte *cte = b->ctes->pdata[i - 1];
      if (g_ascii_strcasecmp (cte->name, f->name) == 0)
        {
          g_autofree char *desc = g_strdup_printf ("WITH query '%s'", cte->name);
          BindRel *rel = rel_new (plan_node_ref (cte->rel->node), desc);
          for (guint c = 0; c < cte->rel->cols->len; c++)
            rel_add (rel, f->alias != NULL ? f->alias : cte->name, rel_col (cte->rel, c)->name,
                     rel_col (cte->rel, c)->type, f->span);
          return rel;
        }
    }
  return NULL;
}

static gpointer
table_not_found (Binder *b, const char *name, PlanSpan span, const char *what)
{
  g_auto (GStrv) tables = plan_catalog_list_tables (b->catalog);
  g_auto (GStrv) views = plan_catalog_list_views (b->catalog);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  const char *best;

  for (guint i = 0; tables[i] != NULL; i++)
    g_ptr_array_add (names, tables[i]);
  for (guint i = 0; views[i] != NULL; i++)
    g_ptr_array_add (names, views[i]);
  for (guint i = 0; b->ctes != NULL && i < b->ctes->len; i++)
    g_ptr_array_add (names, (char *) ((BindCte *) b->ctes->pdata[i])->name);
  best = plan__sql_closest (name, (const char *const *) names->pdata, names->len);
  if (best != NULL)
    return bfail (b, PLAN_ERROR_CATALOG, span, "%s '%s' not found. Did you mean '%s'?", what,
                  name, best);
  return bfail (b, PLAN_ERROR_CATALOG, span, "%s '%s' not found; SHOW TABLES lists the tables "
                "and CREATE TABLE makes one", what, name);
}

/* A view's plan without a collect sink on top (in case the caller stored one). */
static PlanNode *
view_body (PlanNode *plan)
{
  if (plan->kind == PLAN_NODE_SINK && plan->u.sink.table == NULL && plan->n_inputs == 1)
    return plan->inputs[0];
  return plan;
}

static BindRel *
bind_table_ref (Binder *b, const PlanAstFrom *f)
{
  const char *qualifier = f->alias != NULL ? f->alias : f->name;
  g_autofree char *desc = NULL;
  BindRel *rel;
  PlanTable *table;
  PlanNode *view, *node;

  if (f->system_time != NULL)
    return bfail (b, PLAN_ERROR_UNSUPPORTED, f->system_time->span,
                  "FOR SYSTEM_TIME AS OF (lookup joins) is not supported yet");
  if ((rel = lookup_cte (b, f)) != NULL)
    return rel;
  if ((table = plan_catalog_get_table (b->catalog, f->name)) != NULL)
    {
      PlanSchema *schema = table->schema;
      desc = g_strdup_printf ("table '%s'", table->name);
      node = plan_node_new (PLAN_NODE_SCAN, plan_schema_ref (schema), f->span, 0, NULL);
      node->u.scan.table = plan_table_ref (table);
      node->u.scan.n_columns = schema->n_fields;
      node->u.scan.columns = g_new (guint, schema->n_fields + 1);
      for (guint i = 0; i < schema->n_fields; i++)
        node->u.scan.columns[i] = i;
      return rel_from_node (node, qualifier, desc, f->span);
    }
  if ((view = plan_catalog_get_view (b->catalog, f->name, NULL)) != NULL)
    {
      desc = g_strdup_printf ("view '%s'", f->name);
      return rel_from_node (plan_node_ref (view_body (view)), qualifier, desc, f->span);
    }
  return table_not_found (b, f->name, f->name_span, "Table");
}

static const char *const window_tvfs[] = { "TUMBLE", "HOP", "CUMULATE", "SESSION" };

static BindRel *
bind_from (Binder *b, const PlanAstFrom *f)
{
  BindRel *rel = NULL;

  switch (f->kind)
    {
    case PLAN_AST_FROM_TABLE:
      rel = bind_table_ref (b, f);
      break;
    case PLAN_AST_FROM_SUBQUERY:
      if ((rel = bind_query (b, f->query)) != NULL)
        {
          g_autofree char *desc = f->alias ? g_strdup_printf ("subquery '%s'", f->alias) : NULL;
          rel_requalify (rel, f->alias, desc);
        }
      break;
    case PLAN_AST_FROM_JOIN:
      while (f->left != NULL && f->left->kind == PLAN_AST_FROM_JOIN)
        f = f->left; /* report the first join of the chain */
      if (f->join == PLAN_AST_JOIN_COMMA)
        return bfail (b, PLAN_ERROR_UNSUPPORTED, f->join_span,
                      "Joins (FROM a, b) are not supported yet");
      {
        g_autofree char *text = plan__sql_ast_slice (b->ast, f->join_span);
        g_autofree char *kw = g_ascii_strup (text, -1);
        return bfail (b, PLAN_ERROR_UNSUPPORTED, f->join_span, "%s is not supported yet", kw);
      }
    case PLAN_AST_FROM_TVF:
    default:
      for (guint i = 0; i < G_N_ELEMENTS (window_tvfs); i++)
        if (strcmp (f->call->name, window_tvfs[i]) == 0)
          return bfail (b, PLAN_ERROR_UNSUPPORTED, f->span,
                        "Window TVF %s is not supported yet", f->call->name);
      return bfail (b, PLAN_ERROR_UNSUPPORTED, f->span,
                    "Table function %s is not supported yet", f->call->name);
    }
  if (rel != NULL && f->column_aliases.n > 0)
    {
      if (f->column_aliases.n != rel->cols->len)
        {
          bfail (b, PLAN_ERROR_BIND, f->span, "%u column aliases given for %u columns",
                 f->column_aliases.n, rel->cols->len);
          return rel_free (rel), NULL;
        }
      for (guint i = 0; i < rel->cols->len; i++)
        {
          g_free (rel_col (rel, i)->name);
          rel_col (rel, i)->name = g_strdup (((PlanAstName *) f->column_aliases.items[i])->name);
        }
    }
  return rel;
}

static BindRel *
bind_filter (Binder *b, BindRel *rel, const PlanAstExpr *cond, PlanSpan span)
{
  PlanExpr *c = bind_expr (b, rel, cond);

  if (c != NULL && c->type.kind == PLAN_TYPE_NULL)
    c = coerce (b, c, plan_type_make (PLAN_TYPE_BOOLEAN, TRUE));
  if (c != NULL && c->type.kind != PLAN_TYPE_BOOLEAN)
    {
      bfail (b, PLAN_ERROR_BIND, c->span, "WHERE needs a BOOLEAN condition, got %s",
             tname (c->type).s);
      g_clear_pointer (&c, plan_expr_unref);
    }
  if (c == NULL)
    return rel_free (rel), NULL;
  rel_stack (rel, PLAN_NODE_FILTER, span)->u.filter.condition = c;
  return rel;
}

static BindRel *
bind_limit (BindRel *rel, gint64 limit, gint64 offset, PlanSpan span)
{
  PlanNode *node = rel_stack (rel, PLAN_NODE_LIMIT, span);
  node->u.limit.limit = limit;
  node->u.limit.offset = offset;
  return rel;
}

/* Expands and binds select items over scope (NULL: no FROM) into exprs and cols. */
static gboolean
bind_items (Binder *b, const BindRel *scope, const PlanAstList *items, GPtrArray *exprs,
            BindRel *out)
{
  for (guint i = 0; i < items->n; i++)
    {
      const PlanAstSelectItem *item = items->items[i];
      const PlanAstExpr *e = item->expr;
      PlanExpr *x;
      g_autofree char *name = NULL;

      if (e->kind == PLAN_AST_STAR)
        {
          if (scope == NULL)
            return bfail (b, PLAN_ERROR_BIND, e->span, "SELECT * needs a FROM clause") != NULL;
          if (!check_qualifier (b, scope, e->qualifier, e->span))
            return FALSE;
          for (guint c = 0; c < scope->cols->len; c++)
            if (qualifier_matches (rel_col (scope, c), e->qualifier))
              {
                const BindCol *col = rel_col (scope, c);
                g_ptr_array_add (exprs, plan_expr_column (c, col->type, e->span));
                rel_add (out, col->qualifier, col->name, col->type, item->span);
              }
          continue;
        }
      if ((x = bind_expr (b, scope, e)) == NULL)
        return FALSE;
      if (x->type.kind == PLAN_TYPE_NULL)
        {
          plan_expr_unref (x);
          return bfail (b, PLAN_ERROR_BIND, e->span, "NULL needs a type here; write "
                        "CAST(NULL AS <type>)") != NULL;
        }
      if (item->alias != NULL)
        name = g_strdup (item->alias);
      else if (e->kind == PLAN_AST_COLUMN)
        name = g_strdup (rel_col (scope, x->u.column)->name);
      else
        name = g_strdup_printf ("EXPR$%u", exprs->len);
      g_ptr_array_add (exprs, x);
      rel_add (out, NULL, name, x->type, item->span);
    }
  return TRUE;
}

/* A PROJECT of items over rel (consumed). has_scope FALSE: rel is the empty row of a
 * SELECT without FROM. extend: EXTEND keeps every input column, with its qualifier. */
static BindRel *
bind_project (Binder *b, BindRel *rel, gboolean has_scope, const PlanAstList *items,
              PlanSpan span, gboolean extend)
{
  g_autoptr (GPtrArray) exprs = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  g_autoptr (BindRel) out = rel_new (NULL, extend ? rel->desc : NULL);
  PlanNode *node;

  if (extend)
    for (guint i = 0; i < rel->cols->len; i++)
      {
        const BindCol *c = rel_col (rel, i);
        g_ptr_array_add (exprs, plan_expr_column (i, c->type, span));
        rel_add (out, c->qualifier, c->name, c->type, c->span);
      }
  if (!bind_items (b, has_scope ? rel : NULL, items, exprs, out))
    return rel_free (rel), NULL;
  if (!extend)
    for (guint i = 0; i < out->cols->len; i++)
      g_clear_pointer (&rel_col (out, i)->qualifier, g_free);
  node = plan_node_new (PLAN_NODE_PROJECT, schema_of (out), span, 1, &rel->node);
  rel->node = NULL;
  rel_free (rel);
  node->u.project.n_exprs = exprs->len;
  node->u.project.exprs = (PlanExpr **) g_ptr_array_steal (exprs, NULL);
  out->node = node;
  return g_steal_pointer (&out);
}

/* The one empty row a SELECT without FROM projects from. */
static BindRel *
empty_row (PlanSpan span)
{
  PlanNode *node = plan_node_new (PLAN_NODE_VALUES, plan_schema_new (0), span, 0, NULL);
  node->u.values.n_rows = 1;
  return rel_new (node, NULL);
}

static gboolean
is_plain_star (const PlanAstList *items)
{
  const PlanAstSelectItem *item = items->n == 1 ? items->items[0] : NULL;
  return item != NULL && item->expr->kind == PLAN_AST_STAR && item->expr->qualifier == NULL;
}

static BindRel *
bind_select (Binder *b, const PlanAstQuery *q)
{
  BindRel *rel;

  if (q->distinct)
    return bfail (b, PLAN_ERROR_UNSUPPORTED, q->distinct_span,
                  "SELECT DISTINCT is not supported yet");
  rel = q->from != NULL ? bind_from (b, q->from) : empty_row (q->select_span);
  if (rel == NULL)
    return NULL;
  if (q->where != NULL && (rel = bind_filter (b, rel, q->where, q->where_span)) == NULL)
    return NULL;
  if (q->group_by.n > 0 || q->having != NULL)
    {
      rel_free (rel);
      if (q->group_by.n > 0)
        return bfail (b, PLAN_ERROR_UNSUPPORTED, q->group_span,
                      "GROUP BY is not supported yet");
      return bfail (b, PLAN_ERROR_UNSUPPORTED, q->having_span, "HAVING is not supported yet");
    }
  if (q->from != NULL && is_plain_star (&q->items))
    return rel; /* SELECT * needs no PROJECT */
  return bind_project (b, rel, q->from != NULL, &q->items, q->select_span, FALSE);
}

static BindRel *
bind_pipe_step (Binder *b, BindRel *rel, const PlanAstQuery *s)
{
  static const char *const refused[] = {
    [PLAN_AST_PIPE_ORDER_BY] = "ORDER BY", [PLAN_AST_PIPE_AGGREGATE] = "AGGREGATE",
  };

  switch (s->pipe)
    {
    case PLAN_AST_PIPE_WHERE:
      return bind_filter (b, rel, s->where, s->op_span);
    case PLAN_AST_PIPE_SELECT:
      if (s->distinct)
        {
          rel_free (rel);
          return bfail (b, PLAN_ERROR_UNSUPPORTED, s->distinct_span,
                        "SELECT DISTINCT is not supported yet");
        }
      return bind_project (b, rel, TRUE, &s->items, s->op_span, FALSE);
    case PLAN_AST_PIPE_EXTEND:
      return bind_project (b, rel, TRUE, &s->items, s->op_span, TRUE);
    case PLAN_AST_PIPE_LIMIT:
      return bind_limit (rel, s->limit, s->offset, s->op_span);
    case PLAN_AST_PIPE_AS:
      {
        g_autofree char *desc = g_strdup_printf ("'%s'", s->alias);
        rel_requalify (rel, s->alias, desc);
        return rel;
      }
    case PLAN_AST_PIPE_JOIN:
      rel_free (rel);
      return bind_from (b, s->from);
    case PLAN_AST_PIPE_ORDER_BY:
    case PLAN_AST_PIPE_AGGREGATE:
    default:
      rel_free (rel);
      return bfail (b, PLAN_ERROR_UNSUPPORTED, s->op_span, "%s is not supported yet",
                    refused[s->pipe]);
    }
}

/* A pipe chain, walked iteratively: it can be as long as PLAN_SQL_MAX_HEIGHT. */
static BindRel *
bind_pipe (Binder *b, const PlanAstQuery *q)
{
  g_autoptr (GPtrArray) steps = g_ptr_array_new ();
  BindRel *rel;

  for (; q->kind == PLAN_AST_Q_PIPE; q = q->left)
    g_ptr_array_add (steps, (gpointer) q);
  if ((rel = bind_query (b, q)) == NULL)
    return NULL;
  for (guint i = steps->len; i > 0 && rel != NULL; i--)
    rel = bind_pipe_step (b, rel, steps->pdata[i - 1]);
  return rel;
}

/* Folds a literal, or a CAST of one, to a value of the cast's type. */
static gboolean
fold_constant (const PlanExpr *e, PlanValue *out)
{
  const PlanValue *in;
  PlanType t = e->type;
  guint from_scale = 0;

  if (e->kind == PLAN_EXPR_LITERAL)
    return plan_value_copy (out, &e->u.literal), TRUE;
  if (e->kind != PLAN_EXPR_CALL || e->u.call.func != PLAN_FUNC_CAST
      || e->u.call.args[0]->kind != PLAN_EXPR_LITERAL)
    return FALSE;
  in = &e->u.call.args[0]->u.literal;
  *out = (PlanValue) { .type = t, .is_null = in->is_null };
  if (in->is_null)
    return TRUE;
  if (in->type.kind == PLAN_TYPE_DECIMAL)
    from_scale = in->type.scale;
  switch (t.kind)
    {
    case PLAN_TYPE_BIGINT:
      out->v.i = in->v.i;
      return in->type.kind == PLAN_TYPE_INT;
    case PLAN_TYPE_DOUBLE:
      out->v.d = (double) in->v.i / pow (10, from_scale);
      return in->type.kind == PLAN_TYPE_INT || in->type.kind == PLAN_TYPE_BIGINT
             || in->type.kind == PLAN_TYPE_DECIMAL;
    case PLAN_TYPE_DECIMAL:
      out->v.i = in->v.i;
      for (guint s = from_scale; s < t.scale; s++)
        if (__builtin_mul_overflow (out->v.i, 10, &out->v.i))
          return FALSE;
      return is_numeric (in->type) && in->type.kind != PLAN_TYPE_DOUBLE
             && from_scale <= t.scale;
    case PLAN_TYPE_TIMESTAMP:
      if (in->type.kind == PLAN_TYPE_DATE)
        return (out->v.i = in->v.i * 86400000), TRUE;
      return in->type.kind == PLAN_TYPE_VARCHAR
             && plan_parse_timestamp (in->v.s, strlen (in->v.s), &out->v.i);
    case PLAN_TYPE_DATE:
      {
        gint32 days;
        gboolean ok = in->type.kind == PLAN_TYPE_VARCHAR
                      && plan_parse_date (in->v.s, strlen (in->v.s), &days);
        out->v.i = ok ? days : 0;
        return ok;
      }
    case PLAN_TYPE_NULL: case PLAN_TYPE_BOOLEAN: case PLAN_TYPE_INT: case PLAN_TYPE_VARCHAR:
    case PLAN_TYPE_INTERVAL:
    default:
      return FALSE;
    }
}

static BindRel *
bind_values (Binder *b, const PlanAstQuery *q)
{
  guint n_rows = q->rows.n, n_cols = ((PlanAstList *) q->rows.items[0])->n;
  g_autofree PlanExpr **cells = g_new0 (PlanExpr *, n_rows * n_cols + 1);
  g_autofree PlanExpr **column = g_new0 (PlanExpr *, n_rows);
  BindRel *rel = NULL;
  PlanSchema *schema = plan_schema_new (n_cols);
  PlanValue *values = g_new0 (PlanValue, n_rows * n_cols + 1);

  for (guint r = 0; r < n_rows; r++)
    {
      const PlanAstList *row = q->rows.items[r];
      if (row->n != n_cols)
        {
          bfail (b, PLAN_ERROR_BIND, ((PlanAstExpr *) row->items[0])->span,
                 "Row %u of VALUES has %u values, the first row has %u", r + 1, row->n, n_cols);
          goto out;
        }
      for (guint c = 0; c < n_cols; c++)
        if ((cells[r * n_cols + c] = bind_expr (b, NULL, row->items[c])) == NULL)
          goto out;
    }
  for (guint c = 0; c < n_cols; c++)
    {
      PlanType t;
      g_autofree char *name = g_strdup_printf ("EXPR$%u", c);
      for (guint r = 0; r < n_rows; r++)
        column[r] = g_steal_pointer (&cells[r * n_cols + c]);
      if (!unify (b, column, n_rows, "VALUES", q->span, PLAN_TYPE_NULL, &t))
        goto out;
      plan_schema_set_field (schema, c, name, t);
      for (guint r = 0; r < n_rows; r++)
        {
          gboolean ok = fold_constant (column[r], &values[r * n_cols + c]);
          if (!ok)
            bfail (b, PLAN_ERROR_UNSUPPORTED, column[r]->span,
                   "VALUES rows must hold constants for now");
          values[r * n_cols + c].type = t;
          g_clear_pointer (&column[r], plan_expr_unref);
          if (!ok)
            {
              free_exprs (column, n_rows);
              goto out;
            }
        }
    }
  rel = rel_from_node (plan_node_new (PLAN_NODE_VALUES, plan_schema_ref (schema), q->span, 0,
                                      NULL), NULL, NULL, q->span);
  rel->node->u.values.n_rows = n_rows;
  rel->node->u.values.values = g_steal_pointer (&values);
out:
  free_exprs (cells, n_rows * n_cols);
  if (values != NULL)
    {
      for (guint i = 0; i < n_rows * n_cols; i++)
        plan_value_clear (&values[i]);
      g_free (values);
    }
  plan_schema_unref (schema);
  return rel;
}

static BindRel *
bind_with (Binder *b, const PlanAstQuery *q)
{
  guint pushed = 0;
  BindRel *rel = NULL;

  if (q->recursive)
    return bfail (b, PLAN_ERROR_UNSUPPORTED, q->span, "WITH RECURSIVE is not supported yet");
  if (b->ctes == NULL)
    b->ctes = g_ptr_array_new ();
  for (guint i = 0; i < q->ctes.n; i++, pushed++)
    {
      const PlanAstCte *c = q->ctes.items[i];
      BindCte *cte;
      BindRel *body = bind_query (b, c->query);
      if (body == NULL)
        goto out;
      if (c->columns.n > 0)
        {
          if (c->columns.n != body->cols->len)
            {
              bfail (b, PLAN_ERROR_BIND, c->span, "%u column names given for %u columns",
                     c->columns.n, body->cols->len);
              rel_free (body);
              goto out;
            }
          for (guint k = 0; k < c->columns.n; k++)
            {
              g_free (rel_col (body, k)->name);
              rel_col (body, k)->name = g_strdup (((PlanAstName *) c->columns.items[k])->name);
            }
          /* the node's schema must carry the new names too */
          {
            PlanNode *input = body->node;
            g_autoptr (GPtrArray) ex = g_ptr_array_new ();
            for (guint k = 0; k < body->cols->len; k++)
              g_ptr_array_add (ex, plan_expr_column (k, rel_col (body, k)->type, c->span));
            body->node = plan_node_new (PLAN_NODE_PROJECT, schema_of (body), c->span, 1, &input);
            body->node->u.project.n_exprs = ex->len;
            body->node->u.project.exprs = (PlanExpr **) g_ptr_array_steal (ex, NULL);
          }
        }
      cte = g_new0 (BindCte, 1);
      cte->name = c->name;
      cte->rel = body;
      g_ptr_array_add (b->ctes, cte);
    }
  rel = bind_query (b, q->left);
out:
  for (; pushed > 0; pushed--)
    {
      BindCte *cte = g_ptr_array_steal_index (b->ctes, b->ctes->len - 1);
      rel_free (cte->rel);
      g_free (cte);
    }
  return rel;
}

static BindRel *
bind_query (Binder *b, const PlanAstQuery *q)
{
  switch (q->kind)
    {
    case PLAN_AST_Q_SELECT:
      return bind_select (b, q);
    case PLAN_AST_Q_FROM:
      return bind_from (b, q->from);
    case PLAN_AST_Q_VALUES:
      return bind_values (b, q);
    case PLAN_AST_Q_SETOP:
      while (q->left->kind == PLAN_AST_Q_SETOP)
        q = q->left; /* report the first set operation of the chain */
      {
        g_autofree char *text = plan__sql_ast_slice (b->ast, q->op_span);
        g_autofree char *kw = g_ascii_strup (text, -1);
        return bfail (b, PLAN_ERROR_UNSUPPORTED, q->op_span, "%s is not supported yet", kw);
      }
    case PLAN_AST_Q_WITH:
      return bind_with (b, q);
    case PLAN_AST_Q_PIPE:
    default:
      return bind_pipe (b, q);
    }
}

/* ---- statements -------------------------------------------------------------------- */

/* The sink of a query or INSERT over rel's node (rel consumed). */
static PlanNode *
make_sink (BindRel *rel, PlanTable *table, PlanSpan span)
{
  PlanNode *input = rel->node;
  PlanNode *sink = plan_node_new (PLAN_NODE_SINK, plan_schema_ref (input->schema), span, 1,
                                  &input);
  sink->u.sink.table = table != NULL ? plan_table_ref (table) : NULL;
  rel->node = NULL;
  rel_free (rel);
  return sink;
}

static gboolean
assignable (PlanType from, PlanType to)
{
  return from.kind == PLAN_TYPE_NULL || from.kind == to.kind
         || (is_numeric (from) && is_numeric (to))
         || (from.kind == PLAN_TYPE_DATE && to.kind == PLAN_TYPE_TIMESTAMP)
         || (from.kind == PLAN_TYPE_VARCHAR && is_temporal (to));
}

static gint
find_table_column (Binder *b, PlanTable *table, const PlanAstName *n)
{
  g_autofree const char **names = g_new0 (const char *, table->schema->n_fields + 1);
  const char *best;
  int i = plan_schema_find (table->schema, n->name);

  if (i >= 0)
    return i;
  for (guint k = 0; k < table->schema->n_fields; k++)
    names[k] = table->schema->fields[k].name;
  best = plan__sql_closest (n->name, names, table->schema->n_fields);
  if (best != NULL)
    bfail (b, PLAN_ERROR_BIND, n->span, "Column '%s' not found in table '%s'. Did you mean "
           "'%s'?", n->name, table->name, best);
  else
    bfail (b, PLAN_ERROR_BIND, n->span, "Column '%s' not found in table '%s'", n->name,
           table->name);
  return -1;
}

/* source[j]: the query column written to table column j, or -1. */
static gboolean
insert_mapping (Binder *b, const PlanAstStmt *s, PlanTable *table, const BindRel *rel,
                gint *source)
{
  guint n_table = table->schema->n_fields;
  guint n_target = s->insert_columns.n > 0 ? s->insert_columns.n : n_table;

  for (guint j = 0; j < n_table; j++)
    source[j] = s->insert_columns.n > 0 ? -1 : (gint) j;
  for (guint i = 0; i < s->insert_columns.n; i++)
    {
      const PlanAstName *n = s->insert_columns.items[i];
      gint j = find_table_column (b, table, n);
      if (j < 0)
        return FALSE;
      if (source[j] >= 0)
        return bfail (b, PLAN_ERROR_BIND, n->span, "Column '%s' is listed twice", n->name)
               != NULL;
      source[j] = (gint) i;
    }
  if (rel->cols->len != n_target)
    {
      g_autoptr (GString) want = g_string_new (NULL), got = g_string_new (NULL);
      for (guint j = 0, k = 0; j < n_table; j++)
        if (source[j] >= 0)
          g_string_append_printf (want, "%s%s", k++ ? ", " : "", table->schema->fields[j].name);
      for (guint i = 0; i < rel->cols->len; i++)
        g_string_append_printf (got, "%s%s", i ? ", " : "", rel_col (rel, i)->name);
      return bfail (b, PLAN_ERROR_BIND, s->query->span, "INSERT INTO %s expects %u column%s "
                    "(%s) but the query gives %u (%s)", table->name, n_target,
                    n_target == 1 ? "" : "s", want->str, rel->cols->len, got->str) != NULL;
    }
  return TRUE;
}

/* The query's columns cast to the table's types, in table order (query consumed). */
static BindRel *
insert_project (Binder *b, const PlanAstStmt *s, PlanTable *table, BindRel *query)
{
  guint n = table->schema->n_fields;
  g_autoptr (BindRel) rel = query;
  g_autofree gint *source = g_new0 (gint, n + 1);
  g_autoptr (GPtrArray) exprs = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  g_autoptr (BindRel) out = rel_new (NULL, NULL);
  gboolean identity = rel->cols->len == n;

  if (!insert_mapping (b, s, table, rel, source))
    return NULL;
  for (guint j = 0; j < n; j++)
    {
      const PlanField *f = &table->schema->fields[j];
      const BindCol *c = source[j] >= 0 ? rel_col (rel, (guint) source[j]) : NULL;
      PlanExpr *x;
      if (c == NULL && !f->type.nullable)
        return bfail (b, PLAN_ERROR_BIND, s->name_span, "Column '%s' of table '%s' is NOT "
                      "NULL but the INSERT gives it no value", f->name, table->name);
      if (c != NULL && !assignable (c->type, f->type))
        return bfail (b, PLAN_ERROR_BIND, c->span, "Column '%s' of table '%s' is %s, but the "
                      "query gives %s (column %d, '%s'); CAST it", f->name, table->name,
                      tname (f->type).s, tname (c->type).s, source[j] + 1, c->name);
      if (c == NULL)
        x = null_literal (f->type, s->query->span);
      else if ((x = coerce (b, plan_expr_column ((guint) source[j], c->type, c->span),
                            f->type)) == NULL)
        return NULL;
      identity = identity && x->kind == PLAN_EXPR_COLUMN && x->u.column == j
                 && strcmp (rel_col (rel, j)->name, f->name) == 0;
      rel_add (out, NULL, f->name, x->type, s->query->span);
      g_ptr_array_add (exprs, x);
    }
  if (identity)
    return g_steal_pointer (&rel);
  out->node = plan_node_new (PLAN_NODE_PROJECT, schema_of (out), s->query->span, 1, &rel->node);
  out->node->u.project.n_exprs = exprs->len;
  out->node->u.project.exprs = (PlanExpr **) g_ptr_array_steal (exprs, NULL);
  rel->node = NULL;
  return g_steal_pointer (&out);
}

static gboolean
bind_insert (Binder *b, const PlanAstStmt *s, PlanStatement *stmt)
{
  PlanTable *table = plan_catalog_get_table (b->catalog, s->name);
  BindRel *rel;

  if (table == NULL)
    {
      if (plan_catalog_get_view (b->catalog, s->name, NULL) != NULL)
        return bfail (b, PLAN_ERROR_BIND, s->name_span, "Cannot INSERT INTO view '%s': "
                      "INSERT needs a table", s->name) != NULL;
      return table_not_found (b, s->name, s->name_span, "Table") != NULL;
    }
  if ((rel = bind_query (b, s->query)) == NULL
      || (rel = insert_project (b, s, table, rel)) == NULL)
    return FALSE;
  stmt->plan = make_sink (rel, table, s->span);
  stmt->name = g_strdup (table->name);
  return TRUE;
}

static gboolean
name_taken (Binder *b, const PlanAstStmt *s, const char *what)
{
  gboolean is_view = plan_catalog_get_view (b->catalog, s->name, NULL) != NULL;
  if (s->if_exists || (!is_view && plan_catalog_get_table (b->catalog, s->name) == NULL))
    return FALSE;
  bfail (b, PLAN_ERROR_CATALOG, s->name_span, "A %s named '%s' already exists; use CREATE %s "
         "IF NOT EXISTS, or DROP it first", is_view ? "view" : "table", s->name, what);
  return TRUE;
}

static gboolean
bind_watermark (Binder *b, const PlanAstWatermark *w, PlanTable *table, GHashTable *seen)
{
  g_autoptr (BindRel) rel = NULL;
  g_autoptr (PlanExpr) x = NULL;
  g_autofree char *key = NULL, *text = NULL;
  PlanAstName n = { w->column, w->column_span };
  gint col = find_table_column (b, table, &n);

  if (col < 0)
    return FALSE;
  if (g_hash_table_size (seen) > 0)
    return bfail (b, PLAN_ERROR_BIND, w->span, "A table can have only one WATERMARK") != NULL;
  g_hash_table_add (seen, w->column);
  if (table->schema->fields[col].type.kind != PLAN_TYPE_TIMESTAMP)
    return bfail (b, PLAN_ERROR_BIND, w->column_span, "WATERMARK FOR '%s' needs a TIMESTAMP(3) "
                  "column, but '%s' is %s", w->column, w->column,
                  tname (table->schema->fields[col].type).s) != NULL;
  key = g_strdup_printf ("table '%s'", table->name);
  rel = rel_new (NULL, key); /* a scope of the table's columns, with no plan under it */
  for (guint i = 0; i < table->schema->n_fields; i++)
    rel_add (rel, table->name, table->schema->fields[i].name, table->schema->fields[i].type,
             w->span);
  g_clear_pointer (&key, g_free);
  if ((x = bind_expr (b, rel, w->expr)) == NULL)
    return FALSE;
  if (x->type.kind != PLAN_TYPE_TIMESTAMP)
    return bfail (b, PLAN_ERROR_BIND, w->expr->span, "The WATERMARK expression must be a "
                  "TIMESTAMP(3), got %s", tname (x->type).s) != NULL;
  key = g_strdup_printf ("__watermark.%s", table->schema->fields[col].name);
  text = plan__sql_ast_slice (b->ast, w->expr->span);
  plan_table_add_option (table, key, text);
  return TRUE;
}

static gboolean
bind_columns (Binder *b, const PlanAstStmt *s, PlanSchema *schema)
{
  for (guint i = 0; i < s->columns.n; i++)
    {
      const PlanAstColumnDef *c = s->columns.items[i];
      PlanType t;
      if (c->computed != NULL)
        return bfail (b, PLAN_ERROR_UNSUPPORTED, c->span,
                      "Computed columns are not supported yet") != NULL;
      if (plan_schema_find (schema, c->name) >= 0)
        return bfail (b, PLAN_ERROR_BIND, c->span, "Column '%s' is defined twice", c->name)
               != NULL;
      if (!bind_type (b, c->type, !c->not_null, &t))
        return FALSE;
      plan_schema_set_field (schema, i, c->name, t);
    }
  for (guint i = 0; i < s->primary_key.n; i++)
    {
      const PlanAstName *n = s->primary_key.items[i];
      int k = plan_schema_find (schema, n->name);
      if (k < 0)
        return bfail (b, PLAN_ERROR_BIND, n->span, "PRIMARY KEY column '%s' is not a column "
                      "of the table", n->name) != NULL;
      schema->fields[k].type.nullable = FALSE; /* key columns are NOT NULL, as in Flink */
    }
  return TRUE;
}

static gboolean
bind_create_table (Binder *b, const PlanAstStmt *s, PlanStatement *stmt)
{
  g_autoptr (PlanSchema) schema = NULL;
  g_autoptr (PlanTable) table = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (name_taken (b, s, "TABLE"))
    return FALSE;
  schema = plan_schema_new (s->columns.n);
  if (!bind_columns (b, s, schema))
    return FALSE;
  table = plan_table_new (s->name, g_steal_pointer (&schema), s->span);
  table->ddl = g_strdup (b->ast->text);
  for (guint i = 0; i < s->options.n; i++)
    {
      const PlanAstOption *o = s->options.items[i];
      if (plan_table_get_option (table, o->key) != NULL)
        return bfail (b, PLAN_ERROR_BIND, o->span, "Option '%s' is given twice", o->key)
               != NULL;
      plan_table_add_option (table, o->key, o->value);
    }
  for (guint i = 0; i < s->watermarks.n; i++)
    if (!bind_watermark (b, s->watermarks.items[i], table, seen))
      return FALSE;
  stmt->table = g_steal_pointer (&table);
  stmt->name = g_strdup (s->name);
  return TRUE;
}

static gboolean
bind_drop (Binder *b, const PlanAstStmt *s, PlanStatement *stmt)
{
  gboolean view = s->kind == PLAN_STMT_DROP_VIEW;
  gboolean is_table = plan_catalog_get_table (b->catalog, s->name) != NULL;
  gboolean is_view = plan_catalog_get_view (b->catalog, s->name, NULL) != NULL;

  stmt->name = g_strdup (s->name);
  if (view ? is_view : is_table)
    return TRUE;
  if (view ? is_table : is_view)
    return bfail (b, PLAN_ERROR_CATALOG, s->name_span, "'%s' is a %s; use DROP %s", s->name,
                  view ? "table" : "view", view ? "TABLE" : "VIEW") != NULL;
  if (s->if_exists)
    return TRUE;
  return table_not_found (b, s->name, s->name_span, view ? "View" : "Table") != NULL;
}

static gboolean
bind_describe (Binder *b, const PlanAstStmt *s, PlanStatement *stmt)
{
  PlanTable *table = plan_catalog_get_table (b->catalog, s->name);
  PlanNode *view;

  stmt->name = g_strdup (s->name);
  if (table != NULL)
    {
      stmt->table = plan_table_ref (table);
      return TRUE;
    }
  if ((view = plan_catalog_get_view (b->catalog, s->name, NULL)) == NULL)
    return table_not_found (b, s->name, s->name_span, "Table") != NULL;
  view = view_body (view);
  stmt->table = plan_table_new (s->name, plan_schema_ref (view->schema), view->span);
  return TRUE;
}

static gboolean bind_statement (Binder *b, const PlanAstStmt *s, PlanStatement *stmt);

static gboolean
bind_explain (Binder *b, const PlanAstStmt *s, PlanStatement *stmt)
{
  PlanStatement inner = { 0 };
  gboolean ok;

  if (s->unsupported_what != NULL)
    return bfail (b, PLAN_ERROR_UNSUPPORTED, s->unsupported_span, "%s is not supported yet",
                  s->unsupported_what) != NULL;
  if (s->inner->kind != PLAN_STMT_QUERY && s->inner->kind != PLAN_STMT_INSERT)
    return bfail (b, PLAN_ERROR_BIND, s->inner->span,
                  "EXPLAIN works on SELECT and INSERT statements") != NULL;
  ok = bind_statement (b, s->inner, &inner);
  stmt->plan = g_steal_pointer (&inner.plan);
  stmt->explain_of = s->inner->kind;
  stmt->explain_flags = s->explain_flags;
  g_free (inner.name);
  return ok;
}

static gboolean
bind_statement (Binder *b, const PlanAstStmt *s, PlanStatement *stmt)
{
  BindRel *rel;

  switch (s->kind)
    {
    case PLAN_STMT_QUERY:
      if ((rel = bind_query (b, s->query)) == NULL)
        return FALSE;
      stmt->plan = make_sink (rel, NULL, s->span);
      return TRUE;
    case PLAN_STMT_INSERT:
      return bind_insert (b, s, stmt);
    case PLAN_STMT_CREATE_TABLE:
      return bind_create_table (b, s, stmt);
    case PLAN_STMT_CREATE_VIEW:
      if (name_taken (b, s, "VIEW") || (rel = bind_query (b, s->query)) == NULL)
        return FALSE;
      stmt->plan = plan_node_ref (rel->node);
      stmt->name = g_strdup (s->name);
      rel_free (rel);
      return TRUE;
    case PLAN_STMT_DROP_TABLE:
    case PLAN_STMT_DROP_VIEW:
      return bind_drop (b, s, stmt);
    case PLAN_STMT_SET:
    case PLAN_STMT_RESET:
      stmt->key = g_strdup (s->key);
      stmt->value = g_strdup (s->value);
      return TRUE;
    case PLAN_STMT_DESCRIBE:
      return bind_describe (b, s, stmt);
    case PLAN_STMT_EXPLAIN:
      return bind_explain (b, s, stmt);
    case PLAN_STMT_SHOW_TABLES:
    case PLAN_STMT_SHOW_VIEWS:
    default:
      return TRUE;
    }
}

PlanStatement *
plan_sql_bind (PlanCatalog *catalog, const PlanAst *ast, GError **error)
{
  Binder b = { catalog, ast, error, NULL };
  g_autoptr (PlanStatement) stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (catalog != NULL && ast != NULL, NULL);
  stmt = g_new0 (PlanStatement, 1);
  stmt->kind = ast->stmt->kind;
  stmt->span = ast->span;
  stmt->text = g_strdup (ast->text);
  stmt->if_exists = ast->stmt->if_exists;
  ok = bind_statement (&b, ast->stmt, stmt);
  g_clear_pointer (&b.ctes, g_ptr_array_unref);
  return ok ? g_steal_pointer (&stmt) : NULL;
}

void
plan_statement_free (PlanStatement *stmt)
{
  if (stmt == NULL)
    return;
  g_free (stmt->text);
  g_clear_pointer (&stmt->plan, plan_node_unref);
  g_clear_pointer (&stmt->table, plan_table_unref);
  g_free (stmt->name);
  g_free (stmt->key);
  g_free (stmt->value);
  g_free (stmt);
}

PlanStatement *
plan_sql_compile_one (PlanCatalog *catalog, const char *sql, GError **error)
{
  g_autoptr (GPtrArray) asts = NULL;
  PlanAst *first;

  g_return_val_if_fail (catalog != NULL && sql != NULL, NULL);
  if ((asts = plan_sql_parse (sql, error)) == NULL)
    return NULL;
  if (asts->len != 1)
    {
      if (asts->len == 0)
        plan__sql_error (error, PLAN_ERROR_SYNTAX, (PlanSpan) { 0, 0, 1, 1 },
                         "Expected a statement, found none");
      else
        plan__sql_error (error, PLAN_ERROR_SYNTAX, plan_ast_get_span (asts->pdata[1]),
                         "Expected one statement, found %u", asts->len);
      return NULL;
    }
  first = asts->pdata[0];
  return plan_sql_bind (catalog, first, error);
}
