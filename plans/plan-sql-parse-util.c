/* plan-sql-parse-util.c: the recursive-descent parser's primitives (plan-sql-parser.c and
 * plan-sql-parse-expr.c use them): looking at and taking tokens, keywords and the words
 * reserved as names, errors that say what was expected where and point at the token,
 * nesting limits, and lists and names. Kept apart so the two parser files hold grammar
 * only. */
#include "plan-sql-private.h"

#include <string.h>

/* Words that end an expression or a FROM item, so they are never taken as an implicit
 * alias or a bare column name (write them in backticks to use them as names). */
static const char *const reserved[] = {
  "ALL", "AND", "AS", "BETWEEN", "BY", "CASE", "CROSS", "DISTINCT", "ELSE", "END",
  "ESCAPE", "EXCEPT", "EXISTS", "FALSE", "FETCH", "FOR", "FROM", "FULL", "GROUP", "HAVING",
  "IN", "INNER", "INTERSECT", "INTO", "IS", "JOIN", "LATERAL", "LEFT", "LIKE", "LIMIT",
  "MINUS", "NATURAL", "NOT", "NULL", "OFFSET", "ON", "OR", "ORDER", "OUTER", "RIGHT",
  "SELECT", "TABLE", "THEN", "TRUE", "UNION", "USING", "VALUES", "WHEN", "WHERE", "WINDOW",
  "WITH",
};

/* ---- token helpers ----------------------------------------------------------------- */

const PlanToken *
plan__peek (PlanSqlParser *p)
{
  return &p->toks[p->pos];
}

const PlanToken *
plan__peek_at (PlanSqlParser *p, guint k)
{
  return &p->toks[MIN (p->pos + k, p->n_toks - 1)];
}

const PlanToken *
plan__advance (PlanSqlParser *p)
{
  const PlanToken *t = plan__peek (p);
  if (t->kind != PLAN_TOK_EOF)
    p->pos++;
  return t;
}

gboolean
plan__tok_is_kw (PlanSqlParser *p, const PlanToken *t, const char *kw)
{
  gsize len = t->span.end - t->span.start;
  return t->kind == PLAN_TOK_IDENT && strlen (kw) == len
         && g_ascii_strncasecmp (p->script + t->span.start, kw, len) == 0;
}

gboolean
plan__is_kw (PlanSqlParser *p, const char *kw)
{
  return plan__tok_is_kw (p, plan__peek (p), kw);
}

gboolean
plan__accept_kw (PlanSqlParser *p, const char *kw)
{
  if (!plan__is_kw (p, kw))
    return FALSE;
  plan__advance (p);
  return TRUE;
}

gboolean
plan__accept (PlanSqlParser *p, PlanTokKind kind)
{
  if (plan__peek (p)->kind != kind)
    return FALSE;
  plan__advance (p);
  return TRUE;
}

gboolean
plan__tok_is_reserved (PlanSqlParser *p, const PlanToken *t)
{
  for (guint i = 0; i < G_N_ELEMENTS (reserved); i++)
    if (plan__tok_is_kw (p, t, reserved[i]))
      return TRUE;
  return FALSE;
}

/* A span from start's first byte to the end of the last consumed token. */
PlanSpan
plan__span_from (PlanSqlParser *p, const PlanToken *start)
{
  PlanSpan s = start->span;
  const PlanToken *last = p->pos > 0 ? &p->toks[p->pos - 1] : start;
  s.end = MAX (last->span.end, s.start);
  return s;
}

char *
plan__tok_text (PlanSqlParser *p, const PlanToken *t)
{
  return plan__sql_token_value (p->arena, p->script, t);
}

char *
plan__tok_upper (PlanSqlParser *p, const PlanToken *t)
{
  char *s = plan__tok_text (p, t);
  for (char *c = s; *c != '\0'; c++)
    *c = g_ascii_toupper (*c);
  return s;
}

char *
plan__describe_token (PlanSqlParser *p, const PlanToken *t)
{
  const char *text = p->script + t->span.start;
  int len = (int) (t->span.end - t->span.start);
  const char *dots = len > 30 ? "..." : "";

  len = MIN (len, 30);
  switch (t->kind)
    {
    case PLAN_TOK_EOF:
      return g_strdup ("end of input");
    case PLAN_TOK_STRING:
      return g_strdup_printf ("string %.*s%s", len, text, dots);
    case PLAN_TOK_INTEGER:
    case PLAN_TOK_DECIMAL:
    case PLAN_TOK_FLOAT:
      return g_strdup_printf ("number %.*s%s", len, text, dots);
    case PLAN_TOK_QUOTED_IDENT:
      return g_strdup_printf ("identifier %.*s%s", len, text, dots);
    case PLAN_TOK_IDENT:
    case PLAN_TOK_COMMA: case PLAN_TOK_DOT: case PLAN_TOK_SEMICOLON: case PLAN_TOK_LPAREN:
    case PLAN_TOK_RPAREN: case PLAN_TOK_LBRACKET: case PLAN_TOK_RBRACKET: case PLAN_TOK_PLUS:
    case PLAN_TOK_MINUS: case PLAN_TOK_STAR: case PLAN_TOK_SLASH: case PLAN_TOK_PERCENT:
    case PLAN_TOK_EQ: case PLAN_TOK_NE: case PLAN_TOK_LT: case PLAN_TOK_LE: case PLAN_TOK_GT:
    case PLAN_TOK_GE: case PLAN_TOK_CONCAT: case PLAN_TOK_PIPE: case PLAN_TOK_ARROW:
    default:
      return g_strdup_printf ("'%.*s%s'", len, text, dots);
    }
}

/* ---- errors ------------------------------------------------------------------------ */

gpointer
plan__fail_at (PlanSqlParser *p, PlanSpan span, PlanErrorCode code, const char *format, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  if (p->error != NULL)
    return NULL;
  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  plan__sql_error (&p->error, code, span, "%s", msg);
  return NULL;
}

/* "Expected <what>, found <the next token>", at the next token. */
gpointer
plan__fail_expected (PlanSqlParser *p, const char *what)
{
  g_autofree char *found = plan__describe_token (p, plan__peek (p));
  return plan__fail_at (p, plan__peek (p)->span, PLAN_ERROR_SYNTAX, "Expected %s, found %s",
                        what, found);
}

gboolean
plan__expect (PlanSqlParser *p, PlanTokKind kind, const char *what)
{
  if (plan__accept (p, kind))
    return TRUE;
  plan__fail_expected (p, what);
  return FALSE;
}

gboolean
plan__expect_kw (PlanSqlParser *p, const char *kw)
{
  g_autofree char *what = NULL;
  if (plan__accept_kw (p, kw))
    return TRUE;
  what = g_strdup_printf ("%s", kw);
  plan__fail_expected (p, what);
  return FALSE;
}

gboolean
plan__enter (PlanSqlParser *p, const char *what)
{
  if (++p->depth <= PLAN_SQL_MAX_NESTING)
    return TRUE;
  plan__fail_at (p, plan__peek (p)->span, PLAN_ERROR_SYNTAX,
                 "%s nested too deeply (more than %d levels)", what, PLAN_SQL_MAX_NESTING);
  return FALSE;
}

void
plan__leave (PlanSqlParser *p)
{
  p->depth--;
}

/* ---- lists and names --------------------------------------------------------------- */

PlanAstList
plan__list_take (PlanSqlParser *p, GPtrArray *items)
{
  PlanAstList list = { items->len, NULL };
  if (items->len > 0)
    {
      list.items = plan__sql_arena_alloc (p->arena, sizeof (gpointer) * items->len);
      memcpy (list.items, items->pdata, sizeof (gpointer) * items->len);
    }
  return list;
}

gboolean
plan__is_name_token (PlanSqlParser *p, const PlanToken *t)
{
  return t->kind == PLAN_TOK_QUOTED_IDENT
         || (t->kind == PLAN_TOK_IDENT && !plan__tok_is_reserved (p, t));
}

/* An identifier: any word or a quoted name; reserved words only when allow_reserved. */
PlanAstName *
plan__parse_name (PlanSqlParser *p, const char *what, gboolean allow_reserved)
{
  const PlanToken *t = plan__peek (p);
  PlanAstName *n;

  if (!(t->kind == PLAN_TOK_QUOTED_IDENT || (t->kind == PLAN_TOK_IDENT && allow_reserved)
        || plan__is_name_token (p, t)))
    return plan__fail_expected (p, what);
  plan__advance (p);
  n = plan__sql_arena_alloc (p->arena, sizeof *n);
  n->name = plan__tok_text (p, t);
  n->span = t->span;
  return n;
}

/* ( name, name, ... ) */
gboolean
plan__parse_name_list (PlanSqlParser *p, const char *what, PlanAstList *out)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new ();
  if (!plan__expect (p, PLAN_TOK_LPAREN, "'('"))
    return FALSE;
  do
    {
      PlanAstName *n = plan__parse_name (p, what, FALSE);
      if (n == NULL)
        return FALSE;
      g_ptr_array_add (items, n);
    }
  while (plan__accept (p, PLAN_TOK_COMMA));
  if (!plan__expect (p, PLAN_TOK_RPAREN, "',' or ')'"))
    return FALSE;
  *out = plan__list_take (p, items);
  return TRUE;
}

gboolean
plan__parse_integer (PlanSqlParser *p, const char *what, gint64 *out)
{
  const PlanToken *t = plan__peek (p);
  g_autofree char *text = NULL;
  if (t->kind != PLAN_TOK_INTEGER)
    return plan__fail_expected (p, what) != NULL;
  text = g_strndup (p->script + t->span.start, t->span.end - t->span.start);
  if (!g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, out, NULL))
    return plan__fail_at (p, t->span, PLAN_ERROR_SYNTAX, "Number %s is too large", text) != NULL;
  plan__advance (p);
  return TRUE;
}

