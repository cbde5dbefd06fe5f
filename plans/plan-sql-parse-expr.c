/* plan-sql-parse-expr.c: the expression half of the SQL parser (plan-sql-parser.c has
 * the token helpers, queries and statements): type names as spelled, literals, operators
 * by precedence (OR < AND < NOT < comparisons, IS, BETWEEN, IN, LIKE < || < + - < * / % <
 * unary sign), CASE, CAST, INTERVAL, the keyword call forms (EXTRACT, SUBSTRING, POSITION,
 * TRIM), function calls with DISTINCT, FILTER and OVER, and subqueries in expressions.
 *
 * Expressions are the largest self-contained part of the grammar, so they have their own
 * file: they reach back only for subqueries (plan__parse_query) and the token helpers of
 * plan-sql-private.h. The parser's bounds hold here too: recursion goes through
 * plan__enter, and every node records its height, so that a long operator chain ends in an
 * error instead of a tree too deep for the passes after the parser. */
#include "plan-sql-private.h"

#include <string.h>

/* ---- types ------------------------------------------------------------------------- */

static gboolean
skip_balanced (PlanSqlParser *p, PlanTokKind open, PlanTokKind close)
{
  guint level = 0;
  do
    {
      const PlanToken *t = plan__advance (p);
      if (t->kind == PLAN_TOK_EOF)
        return plan__fail_expected (p, "the end of the type") != NULL;
      if (t->kind == open)
        level++;
      else if (t->kind == close)
        level--;
    }
  while (level > 0);
  return TRUE;
}

PlanAstType *
plan__parse_type (PlanSqlParser *p)
{
  const PlanToken *start = plan__peek (p);
  PlanAstType *type;
  gint64 v;

  if (start->kind != PLAN_TOK_IDENT)
    return plan__fail_expected (p, "a type name");
  type = plan__sql_arena_alloc (p->arena, sizeof *type);
  type->name = plan__tok_upper (p, plan__advance (p));
  type->precision = type->scale = -1;
  if (strcmp (type->name, "DOUBLE") == 0)
    plan__accept_kw (p, "PRECISION");
  if ((strcmp (type->name, "CHARACTER") == 0 || strcmp (type->name, "CHAR") == 0)
      && plan__accept_kw (p, "VARYING"))
    type->name = "VARCHAR";
  if (plan__is_kw (p, "ARRAY") || plan__is_kw (p, "MULTISET")) /* INT ARRAY */
    type->name = plan__tok_upper (p, plan__advance (p));
  if (plan__peek (p)->kind == PLAN_TOK_LT && !skip_balanced (p, PLAN_TOK_LT, PLAN_TOK_GT))
    return NULL;
  if (plan__peek (p)->kind == PLAN_TOK_LPAREN && strcmp (type->name, "ROW") == 0)
    {
      if (!skip_balanced (p, PLAN_TOK_LPAREN, PLAN_TOK_RPAREN))
        return NULL;
    }
  else if (plan__accept (p, PLAN_TOK_LPAREN))
    {
      if (!plan__parse_integer (p, "a precision", &v))
        return NULL;
      type->precision = (gint) MIN (v, G_MAXINT);
      if (plan__accept (p, PLAN_TOK_COMMA))
        {
          if (!plan__parse_integer (p, "a scale", &v))
            return NULL;
          type->scale = (gint) MIN (v, G_MAXINT);
        }
      if (!plan__expect (p, PLAN_TOK_RPAREN, "')'"))
        return NULL;
    }
  if (strcmp (type->name, "TIMESTAMP") == 0 || strcmp (type->name, "TIME") == 0)
    {
      if (plan__accept_kw (p, "WITHOUT"))
        {
          if (!plan__expect_kw (p, "TIME") || !plan__expect_kw (p, "ZONE"))
            return NULL;
        }
      else if (plan__is_kw (p, "WITH") && plan__tok_is_kw (p, plan__peek_at (p, 1), "LOCAL"))
        {
          plan__advance (p);
          plan__advance (p);
          if (!plan__expect_kw (p, "TIME") || !plan__expect_kw (p, "ZONE"))
            return NULL;
          type->name = "TIMESTAMP_LTZ";
        }
    }
  type->span = plan__span_from (p, start);
  return type;
}

/* ---- expressions ------------------------------------------------------------------- */

PlanAstExpr *
plan__new_expr (PlanSqlParser *p, PlanAstExprKind kind, const PlanToken *start)
{
  PlanAstExpr *e = plan__sql_arena_alloc (p->arena, sizeof *e);
  e->kind = kind;
  e->span = start->span;
  e->op_span = start->span;
  e->height = 1;
  return e;
}

static guint
height_of (const PlanAstExpr *e)
{
  return e != NULL ? e->height : 0;
}

/* Closes e: span up to the last consumed token, height from its children. */
static PlanAstExpr *
finish (PlanSqlParser *p, PlanAstExpr *e, const PlanToken *start)
{
  guint h = MAX (height_of (e->left), height_of (e->right));
  h = MAX (h, MAX (height_of (e->escape), height_of (e->filter)));
  h = MAX (h, height_of (e->trim_chars));
  for (guint i = 0; i < e->args.n; i++)
    h = MAX (h, height_of (e->args.items[i]));
  if (e->query != NULL)
    h = MAX (h, e->query->height);
  e->height = h + 1;
  e->span = plan__span_from (p, start);
  if (e->height > PLAN_SQL_MAX_HEIGHT)
    return plan__fail_at (p, e->span, PLAN_ERROR_SYNTAX,
                          "Expression nested too deeply (more than %d levels)",
                          PLAN_SQL_MAX_HEIGHT);
  return e;
}

static PlanAstExpr *
binary (PlanSqlParser *p, PlanAstOp op, const PlanToken *op_tok, PlanAstExpr *l, PlanAstExpr *r)
{
  PlanAstExpr *e = plan__sql_arena_alloc (p->arena, sizeof *e);
  const PlanToken start = { PLAN_TOK_EOF, l->span };
  e->kind = PLAN_AST_BINARY;
  e->op = op;
  e->op_span = op_tok->span;
  e->left = l;
  e->right = r;
  return finish (p, e, &start);
}

/* Comma-separated expressions up to (not including) ')'; empty when allow_empty. */
gboolean
plan__parse_expr_list (PlanSqlParser *p, PlanAstList *out)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new ();
  do
    {
      PlanAstExpr *e = plan__parse_expr (p);
      if (e == NULL)
        return FALSE;
      g_ptr_array_add (items, e);
    }
  while (plan__accept (p, PLAN_TOK_COMMA));
  *out = plan__list_take (p, items);
  return TRUE;
}

static PlanAstExpr *
parse_case (PlanSqlParser *p, const PlanToken *start)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  PlanAstExpr *e = plan__new_expr (p, PLAN_AST_CASE, start);

  if (!plan__is_kw (p, "WHEN") && (e->left = plan__parse_expr (p)) == NULL)
    return NULL;
  if (!plan__is_kw (p, "WHEN"))
    return plan__fail_expected (p, "WHEN");
  while (plan__accept_kw (p, "WHEN"))
    {
      PlanAstExpr *when, *then;
      if ((when = plan__parse_expr (p)) == NULL || !plan__expect_kw (p, "THEN")
          || (then = plan__parse_expr (p)) == NULL)
        return NULL;
      g_ptr_array_add (args, when);
      g_ptr_array_add (args, then);
    }
  if (plan__accept_kw (p, "ELSE") && (e->escape = plan__parse_expr (p)) == NULL)
    return NULL;
  if (!plan__expect_kw (p, "END"))
    return NULL;
  e->args = plan__list_take (p, args);
  return finish (p, e, start);
}

static PlanAstExpr *
parse_cast (PlanSqlParser *p, const PlanToken *start, gboolean is_try)
{
  PlanAstExpr *e = plan__new_expr (p, PLAN_AST_CAST, start);
  e->is_try = is_try;
  if (!plan__expect (p, PLAN_TOK_LPAREN, "'(' after CAST")
      || (e->left = plan__parse_expr (p)) == NULL || !plan__expect_kw (p, "AS")
      || (e->type = plan__parse_type (p)) == NULL || !plan__expect (p, PLAN_TOK_RPAREN, "')'"))
    return NULL;
  return finish (p, e, start);
}

/* Units of INTERVAL and EXTRACT. */
static gboolean
is_time_unit (PlanSqlParser *p, const PlanToken *t)
{
  static const char *const units[] = {
    "YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND",
    "MICROSECOND", "NANOSECOND", "DOW", "DOY", "EPOCH", "YEARS", "MONTHS", "DAYS", "HOURS",
    "MINUTES", "SECONDS",
  };
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (plan__tok_is_kw (p, t, units[i]))
      return TRUE;
  return FALSE;
}

static PlanAstExpr *
parse_interval (PlanSqlParser *p, const PlanToken *start)
{
  PlanAstExpr *e = plan__new_expr (p, PLAN_AST_INTERVAL, start);
  gboolean negative = FALSE;
  gint64 ignored;

  if (plan__accept (p, PLAN_TOK_MINUS))
    negative = TRUE;
  else
    plan__accept (p, PLAN_TOK_PLUS);
  if (plan__peek (p)->kind != PLAN_TOK_STRING)
    return plan__fail_expected (p, "a quoted interval value such as '5'");
  e->text = plan__tok_text (p, plan__advance (p));
  e->negated = negative;
  if (!is_time_unit (p, plan__peek (p)))
    return plan__fail_expected (p, "an interval unit (SECOND, MINUTE, HOUR or DAY)");
  e->unit = plan__tok_upper (p, plan__advance (p));
  if (plan__accept (p, PLAN_TOK_LPAREN)
      && (!plan__parse_integer (p, "a precision", &ignored)
          || !plan__expect (p, PLAN_TOK_RPAREN, "')'")))
    return NULL;
  if (plan__accept_kw (p, "TO"))
    {
      if (!is_time_unit (p, plan__peek (p)))
        return plan__fail_expected (p, "an interval unit");
      e->to_unit = plan__tok_upper (p, plan__advance (p));
    }
  return finish (p, e, start);
}

static PlanAstExpr *
new_call (PlanSqlParser *p, const char *name, const PlanToken *start)
{
  PlanAstExpr *e = plan__new_expr (p, PLAN_AST_CALL, start);
  e->name = plan__sql_arena_strndup (p->arena, name, strlen (name));
  return e;
}

static PlanAstExpr *
call_of (PlanSqlParser *p, PlanAstExpr *e, const PlanToken *start, PlanAstExpr *a, PlanAstExpr *b,
         PlanAstExpr *c)
{
  PlanAstExpr *items[3] = { a, b, c };
  guint n = c != NULL ? 3 : b != NULL ? 2 : 1;
  e->args.n = n;
  e->args.items = plan__sql_arena_alloc (p->arena, sizeof (gpointer) * n);
  memcpy (e->args.items, items, sizeof (gpointer) * n);
  if (!plan__expect (p, PLAN_TOK_RPAREN, "')'"))
    return NULL;
  return finish (p, e, start);
}

/* EXTRACT(unit FROM x), SUBSTRING(s FROM a FOR b), POSITION(a IN b), TRIM(... FROM s):
 * the SQL-standard call forms with keywords between the arguments. */
static PlanAstExpr *
parse_special_call (PlanSqlParser *p, const PlanToken *start, const char *name)
{
  PlanAstExpr *e = new_call (p, name, start), *a, *b = NULL, *c = NULL;

  plan__advance (p); /* ( */
  if (strcmp (name, "EXTRACT") == 0)
    {
      if (!is_time_unit (p, plan__peek (p)))
        return plan__fail_expected (p, "a time unit such as YEAR or HOUR");
      e->unit = plan__tok_upper (p, plan__advance (p));
      if (!plan__expect_kw (p, "FROM") || (a = plan__parse_expr (p)) == NULL)
        return NULL;
      return call_of (p, e, start, a, NULL, NULL);
    }
  if (strcmp (name, "POSITION") == 0)
    {
      if ((a = plan__parse_concat (p)) == NULL)
        return NULL;
      if (!plan__accept_kw (p, "IN") && !plan__expect (p, PLAN_TOK_COMMA, "IN"))
        return NULL;
      if ((b = plan__parse_expr (p)) == NULL)
        return NULL;
      return call_of (p, e, start, a, b, NULL);
    }
  if (strcmp (name, "TRIM") == 0)
    {
      gboolean mode = TRUE;
      if (plan__accept_kw (p, "LEADING"))
        e->name = "LTRIM";
      else if (plan__accept_kw (p, "TRAILING"))
        e->name = "RTRIM";
      else if (!plan__accept_kw (p, "BOTH"))
        mode = FALSE;
      if (plan__accept_kw (p, "FROM")) /* TRIM(BOTH FROM s) */
        a = plan__parse_expr (p);
      else if ((a = plan__parse_expr (p)) == NULL)
        return NULL;
      else if (plan__accept_kw (p, "FROM")) /* TRIM([mode] chars FROM s) */
        {
          e->trim_chars = a;
          a = plan__parse_expr (p);
        }
      else if (mode)
        return plan__fail_expected (p, "FROM");
      if (a == NULL)
        return NULL;
      return call_of (p, e, start, a, NULL, NULL);
    }
  /* SUBSTRING */
  if ((a = plan__parse_expr (p)) == NULL)
    return NULL;
  if (plan__accept_kw (p, "FROM") || plan__accept (p, PLAN_TOK_COMMA))
    {
      gboolean keyword_form = plan__tok_is_kw (p, &p->toks[p->pos - 1], "FROM");
      if ((b = plan__parse_expr (p)) == NULL)
        return NULL;
      if ((keyword_form ? plan__accept_kw (p, "FOR") : plan__accept (p, PLAN_TOK_COMMA))
          && (c = plan__parse_expr (p)) == NULL)
        return NULL;
    }
  else
    return plan__fail_expected (p, "FROM or ','");
  return call_of (p, e, start, a, b, c);
}

/* A window after OVER: ( ... ), parsed into e's over_* fields by plan-sql-bind-rank.c
 * (added by rank), or a window name. */
static gboolean
skip_over (PlanSqlParser *p, PlanAstExpr *e)
{
  const PlanToken *start = plan__peek (p);
  e->over = TRUE;
  if (plan__peek (p)->kind == PLAN_TOK_LPAREN)
    {
      if (!plan__parse_window_spec (p, e))
        return FALSE;
    }
  else if (plan__parse_name (p, "a window", FALSE) == NULL)
    return FALSE;
  else
    e->over_named = TRUE;
  e->over_span = plan__span_from (p, start);
  return TRUE;
}

static PlanAstExpr *
parse_call_arg (PlanSqlParser *p)
{
  const PlanToken *start = plan__peek (p);
  if (start->kind == PLAN_TOK_IDENT && plan__peek_at (p, 1)->kind == PLAN_TOK_ARROW)
    {
      PlanAstExpr *e = plan__new_expr (p, PLAN_AST_NAMED_ARG, start);
      e->text = plan__tok_upper (p, plan__advance (p));
      plan__advance (p);
      if ((e->left = plan__parse_expr (p)) == NULL)
        return NULL;
      return finish (p, e, start);
    }
  return plan__parse_expr (p);
}

/* added by windows: PARTITION BY name, or PARTITION BY (name, ...), into e->args. */
static gboolean
parse_partition_by (PlanSqlParser *p, PlanAstExpr *e)
{
  g_autoptr (GPtrArray) cols = g_ptr_array_new ();
  gboolean list;

  plan__advance (p);
  plan__advance (p);
  list = plan__accept (p, PLAN_TOK_LPAREN);
  do
    {
      const PlanToken *nt = plan__peek (p);
      PlanAstName *n = plan__parse_name (p, "a column name", FALSE);
      PlanAstExpr *c;

      if (n == NULL)
        return FALSE;
      c = plan__new_expr (p, PLAN_AST_COLUMN, nt);
      c->name = n->name;
      c->span = c->op_span = n->span;
      g_ptr_array_add (cols, c);
    }
  while (list && plan__accept (p, PLAN_TOK_COMMA));
  if (list && !plan__expect (p, PLAN_TOK_RPAREN, "')'"))
    return FALSE;
  e->args = plan__list_take (p, cols);
  return TRUE;
}

PlanAstExpr *
plan__parse_call (PlanSqlParser *p, const PlanToken *start)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  PlanAstExpr *e = new_call (p, "", start);

  e->name = plan__tok_upper (p, start);
  plan__advance (p); /* ( */
  if (plan__accept_kw (p, "DISTINCT"))
    e->distinct = TRUE;
  else
    plan__accept_kw (p, "ALL");
  if (plan__peek (p)->kind == PLAN_TOK_STAR && plan__peek_at (p, 1)->kind == PLAN_TOK_RPAREN)
    {
      plan__advance (p);
      e->star_arg = TRUE;
    }
  else if (plan__peek (p)->kind != PLAN_TOK_RPAREN)
    do
      {
        PlanAstExpr *a = parse_call_arg (p);
        if (a == NULL)
          return NULL;
        g_ptr_array_add (args, a);
      }
    while (plan__accept (p, PLAN_TOK_COMMA));
  if (!plan__expect (p, PLAN_TOK_RPAREN, "',' or ')' in the argument list"))
    return NULL;
  e->args = plan__list_take (p, args);
  if (plan__is_kw (p, "FILTER") && plan__peek_at (p, 1)->kind == PLAN_TOK_LPAREN)
    {
      plan__advance (p);
      plan__advance (p);
      if (!plan__expect_kw (p, "WHERE") || (e->filter = plan__parse_expr (p)) == NULL
          || !plan__expect (p, PLAN_TOK_RPAREN, "')'"))
        return NULL;
    }
  if (plan__accept_kw (p, "OVER") && !skip_over (p, e))
    return NULL;
  return finish (p, e, start);
}

static PlanAstExpr *
parse_literal_word (PlanSqlParser *p, const PlanToken *t)
{
  static const struct {
    const char *word;
    PlanAstExprKind kind;
  } typed[] = { { "DATE", PLAN_AST_DATE }, { "TIMESTAMP", PLAN_AST_TIMESTAMP } };
  PlanAstExpr *e;

  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    if (plan__tok_is_kw (p, t, typed[i].word) && plan__peek_at (p, 1)->kind == PLAN_TOK_STRING)
      {
        e = plan__new_expr (p, typed[i].kind, t);
        plan__advance (p);
        e->text = plan__tok_text (p, plan__advance (p));
        return finish (p, e, t);
      }
  if (plan__tok_is_kw (p, t, "TRUE") || plan__tok_is_kw (p, t, "FALSE"))
    {
      e = plan__new_expr (p, PLAN_AST_BOOL, t);
      e->boolean = plan__tok_is_kw (p, t, "TRUE");
      plan__advance (p);
      return e;
    }
  if (plan__tok_is_kw (p, t, "NULL"))
    {
      plan__advance (p);
      return plan__new_expr (p, PLAN_AST_NULL, t);
    }
  return NULL;
}

/* A word that starts an expression: keyword forms, calls, column references. */
static PlanAstExpr *
parse_word (PlanSqlParser *p, const PlanToken *t)
{
  static const char *const special[] = { "EXTRACT", "SUBSTRING", "POSITION", "TRIM" };
  static const char *const niladic[] = {
    "CURRENT_TIMESTAMP", "LOCALTIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "LOCALTIME",
    "CURRENT_ROW_TIMESTAMP",
  };
  gboolean call = plan__peek_at (p, 1)->kind == PLAN_TOK_LPAREN;
  PlanAstExpr *e;

  if ((e = parse_literal_word (p, t)) != NULL || p->error != NULL)
    return e;
  if (plan__tok_is_kw (p, t, "CASE") || plan__tok_is_kw (p, t, "INTERVAL")
      || plan__tok_is_kw (p, t, "CAST") || plan__tok_is_kw (p, t, "TRY_CAST"))
    {
      plan__advance (p);
      if (plan__tok_is_kw (p, t, "CASE"))
        return parse_case (p, t);
      if (plan__tok_is_kw (p, t, "INTERVAL"))
        return parse_interval (p, t);
      return parse_cast (p, t, plan__tok_is_kw (p, t, "TRY_CAST"));
    }
  if (plan__tok_is_kw (p, t, "EXISTS") && call)
    {
      e = plan__new_expr (p, PLAN_AST_EXISTS, t);
      plan__advance (p);
      plan__advance (p);
      if ((e->query = plan__parse_query (p)) == NULL || !plan__expect (p, PLAN_TOK_RPAREN, "')'"))
        return NULL;
      return finish (p, e, t);
    }
  if (plan__tok_is_kw (p, t, "TABLE") && plan__is_name_token (p, plan__peek_at (p, 1)))
    {
      e = plan__new_expr (p, PLAN_AST_TABLE_ARG, t);
      plan__advance (p);
      e->text = plan__tok_text (p, plan__advance (p));
      /* added by windows: TABLE t PARTITION BY k | (k1, k2), for SESSION; args: COLUMNs */
      if (plan__is_kw (p, "PARTITION") && plan__tok_is_kw (p, plan__peek_at (p, 1), "BY")
          && !parse_partition_by (p, e))
        return NULL;
      return finish (p, e, t);
    }
  for (guint i = 0; i < G_N_ELEMENTS (special) && call; i++)
    if (plan__tok_is_kw (p, t, special[i]))
      {
        plan__advance (p);
        return parse_special_call (p, t, special[i]);
      }
  for (guint i = 0; i < G_N_ELEMENTS (niladic) && !call; i++)
    if (plan__tok_is_kw (p, t, niladic[i]))
      {
        plan__advance (p);
        return finish (p, new_call (p, niladic[i], t), t);
      }
  if (plan__tok_is_reserved (p, t))
    return plan__fail_expected (p, "an expression");
  if (call && plan__tok_is_kw (p, t, "DESCRIPTOR"))
    {
      e = plan__new_expr (p, PLAN_AST_DESCRIPTOR, t);
      plan__advance (p);
      if (!plan__parse_name_list (p, "a column name", &e->args))
        return NULL;
      for (guint i = 0; i < e->args.n; i++)
        {
          PlanAstName *n = e->args.items[i];
          PlanAstExpr *c = plan__new_expr (p, PLAN_AST_COLUMN, t);
          c->name = n->name;
          c->span = c->op_span = n->span;
          e->args.items[i] = c;
        }
      return finish (p, e, t);
    }
  if (call)
    {
      plan__advance (p);
      return plan__parse_call (p, t);
    }
  return NULL; /* a column reference */
}

/* [qualifier.]name or [qualifier.]* */
static PlanAstExpr *
parse_column (PlanSqlParser *p, const PlanToken *t)
{
  PlanAstExpr *e = plan__new_expr (p, PLAN_AST_COLUMN, t);
  e->name = plan__tok_text (p, plan__advance (p));
  while (plan__accept (p, PLAN_TOK_DOT))
    {
      if (plan__accept (p, PLAN_TOK_STAR))
        {
          e->kind = PLAN_AST_STAR;
          e->qualifier = e->name;
          e->name = NULL;
          return finish (p, e, t);
        }
      if (plan__peek (p)->kind != PLAN_TOK_IDENT && plan__peek (p)->kind != PLAN_TOK_QUOTED_IDENT)
        return plan__fail_expected (p, "a column name after '.'");
      if (e->qualifier != NULL) /* added by ROW types: t.row.field is column "row.field" of t */
        {
          const char *field = plan__tok_text (p, plan__advance (p));
          gsize a = strlen (e->name), f = strlen (field);
          char *joined = plan__sql_arena_alloc (p->arena, a + f + 2);

          memcpy (joined, e->name, a);
          joined[a] = '.';
          memcpy (joined + a + 1, field, f + 1);
          e->name = joined;
          continue;
        }
      e->qualifier = e->name;
      e->name = plan__tok_text (p, plan__advance (p));
    }
  return finish (p, e, t);
}

static PlanAstExpr *
parse_paren (PlanSqlParser *p, const PlanToken *t)
{
  PlanAstExpr *e;
  const PlanToken *next = plan__peek_at (p, 1);

  plan__advance (p);
  if (plan__tok_is_kw (p, next, "SELECT") || plan__tok_is_kw (p, next, "WITH")
      || plan__tok_is_kw (p, next, "VALUES"))
    {
      e = plan__new_expr (p, PLAN_AST_SUBQUERY, t);
      if ((e->query = plan__parse_query (p)) == NULL || !plan__expect (p, PLAN_TOK_RPAREN, "')'"))
        return NULL;
      return finish (p, e, t);
    }
  if ((e = plan__parse_expr (p)) == NULL)
    return NULL;
  if (plan__peek (p)->kind == PLAN_TOK_COMMA)
    return plan__fail_at (p, plan__peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                          "Row values such as (a, b) are not supported yet");
  if (!plan__expect (p, PLAN_TOK_RPAREN, "')'"))
    return NULL;
  e->span = plan__span_from (p, t); /* the parentheses belong to the expression's text */
  return e;
}

static PlanAstExpr *
parse_primary (PlanSqlParser *p)
{
  const PlanToken *t = plan__peek (p);
  PlanAstExpr *e;

  switch (t->kind)
    {
    case PLAN_TOK_INTEGER:
    case PLAN_TOK_DECIMAL:
    case PLAN_TOK_FLOAT:
      e = plan__new_expr (p, t->kind == PLAN_TOK_INTEGER ? PLAN_AST_INTEGER
                             : t->kind == PLAN_TOK_DECIMAL ? PLAN_AST_DECIMAL : PLAN_AST_FLOAT, t);
      e->text = plan__tok_text (p, plan__advance (p));
      return e;
    case PLAN_TOK_STRING:
      e = plan__new_expr (p, PLAN_AST_STRING, t);
      e->text = plan__tok_text (p, plan__advance (p));
      return e;
    case PLAN_TOK_LPAREN:
      return parse_paren (p, t);
    case PLAN_TOK_QUOTED_IDENT:
      return parse_column (p, t);
    case PLAN_TOK_IDENT:
      if ((e = parse_word (p, t)) != NULL || p->error != NULL)
        return e;
      return parse_column (p, t);
    case PLAN_TOK_EOF: case PLAN_TOK_COMMA: case PLAN_TOK_DOT: case PLAN_TOK_SEMICOLON:
    case PLAN_TOK_RPAREN: case PLAN_TOK_LBRACKET: case PLAN_TOK_RBRACKET:
    case PLAN_TOK_PLUS: case PLAN_TOK_MINUS: case PLAN_TOK_STAR: case PLAN_TOK_SLASH:
    case PLAN_TOK_PERCENT: case PLAN_TOK_EQ: case PLAN_TOK_NE: case PLAN_TOK_LT:
    case PLAN_TOK_LE: case PLAN_TOK_GT: case PLAN_TOK_GE: case PLAN_TOK_CONCAT:
    case PLAN_TOK_PIPE: case PLAN_TOK_ARROW:
    default:
      return plan__fail_expected (p, "an expression");
    }
}

static PlanAstExpr *
parse_unary (PlanSqlParser *p)
{
  const PlanToken *t = plan__peek (p);
  PlanAstExpr *e, *operand;

  if (t->kind != PLAN_TOK_MINUS && t->kind != PLAN_TOK_PLUS)
    return parse_primary (p);
  if (!plan__enter (p, "Expression"))
    return NULL;
  plan__advance (p);
  operand = parse_unary (p);
  plan__leave (p);
  if (operand == NULL)
    return NULL;
  /* -42 is one literal, so that -2147483648 is an INT and -9223372036854775808 fits */
  if (t->kind == PLAN_TOK_MINUS && operand->text != NULL && operand->text[0] != '-'
      && (operand->kind == PLAN_AST_INTEGER || operand->kind == PLAN_AST_DECIMAL
          || operand->kind == PLAN_AST_FLOAT))
    {
      g_autofree char *negative = g_strconcat ("-", operand->text, NULL);
      operand->text = plan__sql_arena_strndup (p->arena, negative, strlen (negative));
      operand->span = plan__span_from (p, t);
      return operand;
    }
  e = plan__new_expr (p, PLAN_AST_UNARY, t);
  e->op = t->kind == PLAN_TOK_MINUS ? PLAN_AST_OP_NEG : PLAN_AST_OP_PLUS;
  e->left = operand;
  return finish (p, e, t);
}

static PlanAstExpr *
parse_mul (PlanSqlParser *p)
{
  PlanAstExpr *e = parse_unary (p);
  while (e != NULL)
    {
      const PlanToken *t = plan__peek (p);
      PlanAstOp op;
      if (t->kind == PLAN_TOK_STAR)
        op = PLAN_AST_OP_MUL;
      else if (t->kind == PLAN_TOK_SLASH)
        op = PLAN_AST_OP_DIV;
      else if (t->kind == PLAN_TOK_PERCENT)
        op = PLAN_AST_OP_MOD;
      else
        break;
      plan__advance (p);
      PlanAstExpr *r = parse_unary (p);
      e = r != NULL ? binary (p, op, t, e, r) : NULL;
    }
  return e;
}

static PlanAstExpr *
parse_add (PlanSqlParser *p)
{
  PlanAstExpr *e = parse_mul (p);
  while (e != NULL
         && (plan__peek (p)->kind == PLAN_TOK_PLUS || plan__peek (p)->kind == PLAN_TOK_MINUS))
    {
      const PlanToken *t = plan__advance (p);
      PlanAstExpr *r = parse_mul (p);
      e = r != NULL ? binary (p, t->kind == PLAN_TOK_PLUS ? PLAN_AST_OP_ADD : PLAN_AST_OP_SUB,
                              t, e, r)
                    : NULL;
    }
  return e;
}

PlanAstExpr *
plan__parse_concat (PlanSqlParser *p)
{
  PlanAstExpr *e = parse_add (p);
  while (e != NULL && plan__peek (p)->kind == PLAN_TOK_CONCAT)
    {
      const PlanToken *t = plan__advance (p);
      PlanAstExpr *r = parse_add (p);
      e = r != NULL ? binary (p, PLAN_AST_OP_CONCAT, t, e, r) : NULL;
    }
  return e;
}

static PlanAstExpr *
parse_is (PlanSqlParser *p, PlanAstExpr *left, const PlanToken *start)
{
  PlanAstExpr *e = plan__new_expr (p, PLAN_AST_IS, plan__peek (p));
  gboolean not;

  plan__advance (p); /* IS */
  not = plan__accept_kw (p, "NOT");
  e->left = left;
  if (plan__accept_kw (p, "NULL"))
    e->is_kind = not ? PLAN_AST_IS_NOT_NULL : PLAN_AST_IS_NULL;
  else if (plan__accept_kw (p, "TRUE"))
    e->is_kind = not ? PLAN_AST_IS_NOT_TRUE : PLAN_AST_IS_TRUE;
  else if (plan__accept_kw (p, "FALSE"))
    e->is_kind = not ? PLAN_AST_IS_NOT_FALSE : PLAN_AST_IS_FALSE;
  else if (plan__accept_kw (p, "UNKNOWN"))
    e->is_kind = not ? PLAN_AST_IS_NOT_NULL : PLAN_AST_IS_NULL;
  else if (plan__accept_kw (p, "DISTINCT"))
    {
      if (!plan__expect_kw (p, "FROM") || (e->right = plan__parse_concat (p)) == NULL)
        return NULL;
      e->is_kind = not ? PLAN_AST_IS_NOT_DISTINCT_FROM : PLAN_AST_IS_DISTINCT_FROM;
    }
  else
    return plan__fail_expected (p, "NULL, TRUE, FALSE or DISTINCT FROM after IS");
  return finish (p, e, start);
}

/* [NOT] BETWEEN / IN / LIKE after left; the NOT (if any) is already consumed. */
static PlanAstExpr *
parse_negatable (PlanSqlParser *p, PlanAstExpr *left, const PlanToken *start, gboolean negated)
{
  const PlanToken *t = plan__advance (p);
  PlanAstExpr *e = plan__new_expr (p, PLAN_AST_BETWEEN, t);
  PlanAstExpr *lo, *hi;

  e->left = left;
  e->negated = negated;
  if (plan__tok_is_kw (p, t, "BETWEEN"))
    {
      if (!plan__accept_kw (p, "ASYMMETRIC") && plan__is_kw (p, "SYMMETRIC"))
        return plan__fail_at (p, plan__peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                              "BETWEEN SYMMETRIC is not supported yet");
      if ((lo = plan__parse_concat (p)) == NULL || !plan__expect_kw (p, "AND")
          || (hi = plan__parse_concat (p)) == NULL)
        return NULL;
      e->args.n = 2;
      e->args.items = plan__sql_arena_alloc (p->arena, 2 * sizeof (gpointer));
      e->args.items[0] = lo;
      e->args.items[1] = hi;
    }
  else if (plan__tok_is_kw (p, t, "IN"))
    {
      e->kind = PLAN_AST_IN;
      if (!plan__expect (p, PLAN_TOK_LPAREN, "'(' after IN"))
        return NULL;
      if (plan__is_kw (p, "SELECT") || plan__is_kw (p, "WITH") || plan__is_kw (p, "VALUES"))
        e->query = plan__parse_query (p);
      else
        plan__parse_expr_list (p, &e->args);
      if (p->error != NULL || !plan__expect (p, PLAN_TOK_RPAREN, "',' or ')'"))
        return NULL;
    }
  else
    {
      e->kind = PLAN_AST_LIKE;
      if ((e->right = plan__parse_concat (p)) == NULL)
        return NULL;
      if (plan__accept_kw (p, "ESCAPE") && (e->escape = plan__parse_concat (p)) == NULL)
        return NULL;
    }
  return finish (p, e, start);
}

static gboolean
comparison_op (const PlanToken *t, PlanAstOp *op)
{
  switch (t->kind)
    {
    case PLAN_TOK_EQ: *op = PLAN_AST_OP_EQ; return TRUE;
    case PLAN_TOK_NE: *op = PLAN_AST_OP_NE; return TRUE;
    case PLAN_TOK_LT: *op = PLAN_AST_OP_LT; return TRUE;
    case PLAN_TOK_LE: *op = PLAN_AST_OP_LE; return TRUE;
    case PLAN_TOK_GT: *op = PLAN_AST_OP_GT; return TRUE;
    case PLAN_TOK_GE: *op = PLAN_AST_OP_GE; return TRUE;
    case PLAN_TOK_EOF: case PLAN_TOK_IDENT: case PLAN_TOK_QUOTED_IDENT: case PLAN_TOK_INTEGER:
    case PLAN_TOK_DECIMAL: case PLAN_TOK_FLOAT: case PLAN_TOK_STRING: case PLAN_TOK_COMMA:
    case PLAN_TOK_DOT: case PLAN_TOK_SEMICOLON: case PLAN_TOK_LPAREN: case PLAN_TOK_RPAREN:
    case PLAN_TOK_LBRACKET: case PLAN_TOK_RBRACKET: case PLAN_TOK_PLUS: case PLAN_TOK_MINUS:
    case PLAN_TOK_STAR: case PLAN_TOK_SLASH: case PLAN_TOK_PERCENT: case PLAN_TOK_CONCAT:
    case PLAN_TOK_PIPE: case PLAN_TOK_ARROW:
    default:
      return FALSE;
    }
}

/* comparison / IS / BETWEEN / IN / LIKE, left-associative */
static PlanAstExpr *
parse_predicate (PlanSqlParser *p)
{
  const PlanToken *start = plan__peek (p);
  PlanAstExpr *e = plan__parse_concat (p);

  while (e != NULL)
    {
      const PlanToken *t = plan__peek (p);
      const PlanToken *next = plan__peek_at (p, 1);
      PlanAstOp op;
      if (comparison_op (t, &op))
        {
          plan__advance (p);
          PlanAstExpr *r = plan__parse_concat (p);
          e = r != NULL ? binary (p, op, t, e, r) : NULL;
        }
      else if (plan__tok_is_kw (p, t, "IS"))
        e = parse_is (p, e, start);
      else if (plan__tok_is_kw (p, t, "BETWEEN") || plan__tok_is_kw (p, t, "IN")
               || plan__tok_is_kw (p, t, "LIKE"))
        e = parse_negatable (p, e, start, FALSE);
      else if (plan__tok_is_kw (p, t, "NOT")
               && (plan__tok_is_kw (p, next, "BETWEEN") || plan__tok_is_kw (p, next, "IN")
                   || plan__tok_is_kw (p, next, "LIKE")))
        {
          plan__advance (p);
          e = parse_negatable (p, e, start, TRUE);
        }
      else
        break;
    }
  return e;
}

static PlanAstExpr *
parse_not (PlanSqlParser *p)
{
  const PlanToken *t = plan__peek (p);
  PlanAstExpr *e, *operand;

  if (!plan__tok_is_kw (p, t, "NOT"))
    return parse_predicate (p);
  if (!plan__enter (p, "Expression"))
    return NULL;
  plan__advance (p);
  operand = parse_not (p);
  plan__leave (p);
  if (operand == NULL)
    return NULL;
  e = plan__new_expr (p, PLAN_AST_UNARY, t);
  e->op = PLAN_AST_OP_NOT;
  e->left = operand;
  return finish (p, e, t);
}

static PlanAstExpr *
parse_and (PlanSqlParser *p)
{
  PlanAstExpr *e = parse_not (p);
  while (e != NULL && plan__is_kw (p, "AND"))
    {
      const PlanToken *t = plan__advance (p);
      PlanAstExpr *r = parse_not (p);
      e = r != NULL ? binary (p, PLAN_AST_OP_AND, t, e, r) : NULL;
    }
  return e;
}

PlanAstExpr *
plan__parse_expr (PlanSqlParser *p)
{
  PlanAstExpr *e;

  if (!plan__enter (p, "Expression"))
    return NULL;
  e = parse_and (p);
  while (e != NULL && plan__is_kw (p, "OR"))
    {
      const PlanToken *t = plan__advance (p);
      PlanAstExpr *r = parse_and (p);
      e = r != NULL ? binary (p, PLAN_AST_OP_OR, t, e, r) : NULL;
    }
  plan__leave (p);
  return e;
}
