/* plan-sql-parser.c: a hand-written recursive-descent parser from tokens to the AST of
 * plan-sql-private.h, for the Flink SQL dialect of DESIGN.md section 3 plus pipe syntax.
 *
 * Hand-written rather than generated so that each error can say what was expected where
 * ("Expected a table name after FROM, found end of input") and point at the token. The
 * parser accepts more than the binder can run (GROUP BY, joins, set operations, window
 * TVFs, aggregates): those are valid SQL, so refusing them belongs to the binder, with
 * a position and "not supported yet". Recursion is bounded (PLAN_SQL_MAX_NESTING) and
 * every tree records its height (PLAN_SQL_MAX_HEIGHT), so hostile input gets an error,
 * never a stack overflow. All nodes go to the statement's arena. */
#include "plan-sql-private.h"

#include <string.h>

typedef struct {
  const char *script;
  const PlanToken *toks;
  guint n_toks;
  guint pos;
  PlanSqlArena *arena; /* the current statement's */
  guint depth;
  GError *error;       /* owned: the first error */
} Parser;

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

static const PlanToken *
peek (Parser *p)
{
  return &p->toks[p->pos];
}

static const PlanToken *
peek_at (Parser *p, guint k)
{
  return &p->toks[MIN (p->pos + k, p->n_toks - 1)];
}

static const PlanToken *
advance (Parser *p)
{
  const PlanToken *t = peek (p);
  if (t->kind != PLAN_TOK_EOF)
    p->pos++;
  return t;
}

static gboolean
tok_is_kw (Parser *p, const PlanToken *t, const char *kw)
{
  gsize len = t->span.end - t->span.start;
  return t->kind == PLAN_TOK_IDENT && strlen (kw) == len
         && g_ascii_strncasecmp (p->script + t->span.start, kw, len) == 0;
}

static gboolean
is_kw (Parser *p, const char *kw)
{
  return tok_is_kw (p, peek (p), kw);
}

static gboolean
accept_kw (Parser *p, const char *kw)
{
  if (!is_kw (p, kw))
    return FALSE;
  advance (p);
  return TRUE;
}

static gboolean
accept (Parser *p, PlanTokKind kind)
{
  if (peek (p)->kind != kind)
    return FALSE;
  advance (p);
  return TRUE;
}

static gboolean
tok_is_reserved (Parser *p, const PlanToken *t)
{
  for (guint i = 0; i < G_N_ELEMENTS (reserved); i++)
    if (tok_is_kw (p, t, reserved[i]))
      return TRUE;
  return FALSE;
}

/* A span from start's first byte to the end of the last consumed token. */
static PlanSpan
span_from (Parser *p, const PlanToken *start)
{
  PlanSpan s = start->span;
  const PlanToken *last = p->pos > 0 ? &p->toks[p->pos - 1] : start;
  s.end = MAX (last->span.end, s.start);
  return s;
}

static char *
tok_text (Parser *p, const PlanToken *t)
{
  return plan__sql_token_value (p->arena, p->script, t);
}

static char *
tok_upper (Parser *p, const PlanToken *t)
{
  char *s = tok_text (p, t);
  for (char *c = s; *c != '\0'; c++)
    *c = g_ascii_toupper (*c);
  return s;
}

static char *
describe (Parser *p, const PlanToken *t)
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

static gpointer
fail_at (Parser *p, PlanSpan span, PlanErrorCode code, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

static gpointer
fail_at (Parser *p, PlanSpan span, PlanErrorCode code, const char *format, ...)
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
static gpointer
fail_expected (Parser *p, const char *what)
{
  g_autofree char *found = describe (p, peek (p));
  return fail_at (p, peek (p)->span, PLAN_ERROR_SYNTAX, "Expected %s, found %s", what, found);
}

static gboolean
expect (Parser *p, PlanTokKind kind, const char *what)
{
  if (accept (p, kind))
    return TRUE;
  fail_expected (p, what);
  return FALSE;
}

static gboolean
expect_kw (Parser *p, const char *kw)
{
  g_autofree char *what = NULL;
  if (accept_kw (p, kw))
    return TRUE;
  what = g_strdup_printf ("%s", kw);
  fail_expected (p, what);
  return FALSE;
}

static gboolean
enter (Parser *p, const char *what)
{
  if (++p->depth <= PLAN_SQL_MAX_NESTING)
    return TRUE;
  fail_at (p, peek (p)->span, PLAN_ERROR_SYNTAX, "%s nested too deeply (more than %d levels)",
           what, PLAN_SQL_MAX_NESTING);
  return FALSE;
}

static void
leave (Parser *p)
{
  p->depth--;
}

/* ---- lists and names --------------------------------------------------------------- */

static PlanAstList
list_take (Parser *p, GPtrArray *items)
{
  PlanAstList list = { items->len, NULL };
  if (items->len > 0)
    {
      list.items = plan__sql_arena_alloc (p->arena, sizeof (gpointer) * items->len);
      memcpy (list.items, items->pdata, sizeof (gpointer) * items->len);
    }
  return list;
}

static gboolean
is_name_token (Parser *p, const PlanToken *t)
{
  return t->kind == PLAN_TOK_QUOTED_IDENT
         || (t->kind == PLAN_TOK_IDENT && !tok_is_reserved (p, t));
}

/* An identifier: any word or a quoted name; reserved words only when allow_reserved. */
static PlanAstName *
parse_name (Parser *p, const char *what, gboolean allow_reserved)
{
  const PlanToken *t = peek (p);
  PlanAstName *n;

  if (!(t->kind == PLAN_TOK_QUOTED_IDENT || (t->kind == PLAN_TOK_IDENT && allow_reserved)
        || is_name_token (p, t)))
    return fail_expected (p, what);
  advance (p);
  n = plan__sql_arena_alloc (p->arena, sizeof *n);
  n->name = tok_text (p, t);
  n->span = t->span;
  return n;
}

/* ( name, name, ... ) */
static gboolean
parse_name_list (Parser *p, const char *what, PlanAstList *out)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new ();
  if (!expect (p, PLAN_TOK_LPAREN, "'('"))
    return FALSE;
  do
    {
      PlanAstName *n = parse_name (p, what, FALSE);
      if (n == NULL)
        return FALSE;
      g_ptr_array_add (items, n);
    }
  while (accept (p, PLAN_TOK_COMMA));
  if (!expect (p, PLAN_TOK_RPAREN, "',' or ')'"))
    return FALSE;
  *out = list_take (p, items);
  return TRUE;
}

static gboolean
parse_integer (Parser *p, const char *what, gint64 *out)
{
  const PlanToken *t = peek (p);
  g_autofree char *text = NULL;
  if (t->kind != PLAN_TOK_INTEGER)
    return fail_expected (p, what) != NULL;
  text = g_strndup (p->script + t->span.start, t->span.end - t->span.start);
  if (!g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, out, NULL))
    return fail_at (p, t->span, PLAN_ERROR_SYNTAX, "Number %s is too large", text) != NULL;
  advance (p);
  return TRUE;
}

/* ---- types ------------------------------------------------------------------------- */

static gboolean
skip_balanced (Parser *p, PlanTokKind open, PlanTokKind close)
{
  guint level = 0;
  do
    {
      const PlanToken *t = advance (p);
      if (t->kind == PLAN_TOK_EOF)
        return fail_expected (p, "the end of the type") != NULL;
      if (t->kind == open)
        level++;
      else if (t->kind == close)
        level--;
    }
  while (level > 0);
  return TRUE;
}

static PlanAstType *
parse_type (Parser *p)
{
  const PlanToken *start = peek (p);
  PlanAstType *type;
  gint64 v;

  if (start->kind != PLAN_TOK_IDENT)
    return fail_expected (p, "a type name");
  type = plan__sql_arena_alloc (p->arena, sizeof *type);
  type->name = tok_upper (p, advance (p));
  type->precision = type->scale = -1;
  if (strcmp (type->name, "DOUBLE") == 0)
    accept_kw (p, "PRECISION");
  if ((strcmp (type->name, "CHARACTER") == 0 || strcmp (type->name, "CHAR") == 0)
      && accept_kw (p, "VARYING"))
    type->name = "VARCHAR";
  if (is_kw (p, "ARRAY") || is_kw (p, "MULTISET")) /* INT ARRAY */
    type->name = tok_upper (p, advance (p));
  if (peek (p)->kind == PLAN_TOK_LT && !skip_balanced (p, PLAN_TOK_LT, PLAN_TOK_GT))
    return NULL;
  if (peek (p)->kind == PLAN_TOK_LPAREN && strcmp (type->name, "ROW") == 0)
    {
      if (!skip_balanced (p, PLAN_TOK_LPAREN, PLAN_TOK_RPAREN))
        return NULL;
    }
  else if (accept (p, PLAN_TOK_LPAREN))
    {
      if (!parse_integer (p, "a precision", &v))
        return NULL;
      type->precision = (gint) MIN (v, G_MAXINT);
      if (accept (p, PLAN_TOK_COMMA))
        {
          if (!parse_integer (p, "a scale", &v))
            return NULL;
          type->scale = (gint) MIN (v, G_MAXINT);
        }
      if (!expect (p, PLAN_TOK_RPAREN, "')'"))
        return NULL;
    }
  if (strcmp (type->name, "TIMESTAMP") == 0 || strcmp (type->name, "TIME") == 0)
    {
      if (accept_kw (p, "WITHOUT"))
        {
          if (!expect_kw (p, "TIME") || !expect_kw (p, "ZONE"))
            return NULL;
        }
      else if (is_kw (p, "WITH") && tok_is_kw (p, peek_at (p, 1), "LOCAL"))
        {
          advance (p);
          advance (p);
          if (!expect_kw (p, "TIME") || !expect_kw (p, "ZONE"))
            return NULL;
          type->name = "TIMESTAMP_LTZ";
        }
    }
  type->span = span_from (p, start);
  return type;
}

/* ---- expressions ------------------------------------------------------------------- */

static PlanAstExpr *parse_expr (Parser *p);
static PlanAstExpr *parse_concat (Parser *p);
static PlanAstQuery *parse_query (Parser *p);

static PlanAstExpr *
new_expr (Parser *p, PlanAstExprKind kind, const PlanToken *start)
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
finish (Parser *p, PlanAstExpr *e, const PlanToken *start)
{
  guint h = MAX (height_of (e->left), height_of (e->right));
  h = MAX (h, MAX (height_of (e->escape), height_of (e->filter)));
  h = MAX (h, height_of (e->trim_chars));
  for (guint i = 0; i < e->args.n; i++)
    h = MAX (h, height_of (e->args.items[i]));
  if (e->query != NULL)
    h = MAX (h, e->query->height);
  e->height = h + 1;
  e->span = span_from (p, start);
  if (e->height > PLAN_SQL_MAX_HEIGHT)
    return fail_at (p, e->span, PLAN_ERROR_SYNTAX,
                    "Expression nested too deeply (more than %d levels)",
                    PLAN_SQL_MAX_HEIGHT);
  return e;
}

static PlanAstExpr *
binary (Parser *p, PlanAstOp op, const PlanToken *op_tok, PlanAstExpr *l, PlanAstExpr *r)
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
static gboolean
parse_expr_list (Parser *p, PlanAstList *out)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new ();
  do
    {
      PlanAstExpr *e = parse_expr (p);
      if (e == NULL)
        return FALSE;
      g_ptr_array_add (items, e);
    }
  while (accept (p, PLAN_TOK_COMMA));
  *out = list_take (p, items);
  return TRUE;
}

static PlanAstExpr *
parse_case (Parser *p, const PlanToken *start)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  PlanAstExpr *e = new_expr (p, PLAN_AST_CASE, start);

  if (!is_kw (p, "WHEN") && (e->left = parse_expr (p)) == NULL)
    return NULL;
  if (!is_kw (p, "WHEN"))
    return fail_expected (p, "WHEN");
  while (accept_kw (p, "WHEN"))
    {
      PlanAstExpr *when, *then;
      if ((when = parse_expr (p)) == NULL || !expect_kw (p, "THEN")
          || (then = parse_expr (p)) == NULL)
        return NULL;
      g_ptr_array_add (args, when);
      g_ptr_array_add (args, then);
    }
  if (accept_kw (p, "ELSE") && (e->escape = parse_expr (p)) == NULL)
    return NULL;
  if (!expect_kw (p, "END"))
    return NULL;
  e->args = list_take (p, args);
  return finish (p, e, start);
}

static PlanAstExpr *
parse_cast (Parser *p, const PlanToken *start, gboolean is_try)
{
  PlanAstExpr *e = new_expr (p, PLAN_AST_CAST, start);
  e->is_try = is_try;
  if (!expect (p, PLAN_TOK_LPAREN, "'(' after CAST") || (e->left = parse_expr (p)) == NULL
      || !expect_kw (p, "AS") || (e->type = parse_type (p)) == NULL
      || !expect (p, PLAN_TOK_RPAREN, "')'"))
    return NULL;
  return finish (p, e, start);
}

/* Units of INTERVAL and EXTRACT. */
static gboolean
is_time_unit (Parser *p, const PlanToken *t)
{
  static const char *const units[] = {
    "YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND",
    "MICROSECOND", "NANOSECOND", "DOW", "DOY", "EPOCH", "YEARS", "MONTHS", "DAYS", "HOURS",
    "MINUTES", "SECONDS",
  };
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (tok_is_kw (p, t, units[i]))
      return TRUE;
  return FALSE;
}

static PlanAstExpr *
parse_interval (Parser *p, const PlanToken *start)
{
  PlanAstExpr *e = new_expr (p, PLAN_AST_INTERVAL, start);
  gboolean negative = FALSE;
  gint64 ignored;

  if (accept (p, PLAN_TOK_MINUS))
    negative = TRUE;
  else
    accept (p, PLAN_TOK_PLUS);
  if (peek (p)->kind != PLAN_TOK_STRING)
    return fail_expected (p, "a quoted interval value such as '5'");
  e->text = tok_text (p, advance (p));
  e->negated = negative;
  if (!is_time_unit (p, peek (p)))
    return fail_expected (p, "an interval unit (SECOND, MINUTE, HOUR or DAY)");
  e->unit = tok_upper (p, advance (p));
  if (accept (p, PLAN_TOK_LPAREN)
      && (!parse_integer (p, "a precision", &ignored) || !expect (p, PLAN_TOK_RPAREN, "')'")))
    return NULL;
  if (accept_kw (p, "TO"))
    {
      if (!is_time_unit (p, peek (p)))
        return fail_expected (p, "an interval unit");
      e->to_unit = tok_upper (p, advance (p));
    }
  return finish (p, e, start);
}

static PlanAstExpr *
new_call (Parser *p, const char *name, const PlanToken *start)
{
  PlanAstExpr *e = new_expr (p, PLAN_AST_CALL, start);
  e->name = plan__sql_arena_strndup (p->arena, name, strlen (name));
  return e;
}

static PlanAstExpr *
call_of (Parser *p, PlanAstExpr *e, const PlanToken *start, PlanAstExpr *a, PlanAstExpr *b,
         PlanAstExpr *c)
{
  PlanAstExpr *items[3] = { a, b, c };
  guint n = c != NULL ? 3 : b != NULL ? 2 : 1;
  e->args.n = n;
  e->args.items = plan__sql_arena_alloc (p->arena, sizeof (gpointer) * n);
  memcpy (e->args.items, items, sizeof (gpointer) * n);
  if (!expect (p, PLAN_TOK_RPAREN, "')'"))
    return NULL;
  return finish (p, e, start);
}

/* EXTRACT(unit FROM x), SUBSTRING(s FROM a FOR b), POSITION(a IN b), TRIM(... FROM s):
 * the SQL-standard call forms with keywords between the arguments. */
static PlanAstExpr *
parse_special_call (Parser *p, const PlanToken *start, const char *name)
{
  PlanAstExpr *e = new_call (p, name, start), *a, *b = NULL, *c = NULL;

  advance (p); /* ( */
  if (strcmp (name, "EXTRACT") == 0)
    {
      if (!is_time_unit (p, peek (p)))
        return fail_expected (p, "a time unit such as YEAR or HOUR");
      e->unit = tok_upper (p, advance (p));
      if (!expect_kw (p, "FROM") || (a = parse_expr (p)) == NULL)
        return NULL;
      return call_of (p, e, start, a, NULL, NULL);
    }
  if (strcmp (name, "POSITION") == 0)
    {
      if ((a = parse_concat (p)) == NULL)
        return NULL;
      if (!accept_kw (p, "IN") && !expect (p, PLAN_TOK_COMMA, "IN"))
        return NULL;
      if ((b = parse_expr (p)) == NULL)
        return NULL;
      return call_of (p, e, start, a, b, NULL);
    }
  if (strcmp (name, "TRIM") == 0)
    {
      gboolean mode = TRUE;
      if (accept_kw (p, "LEADING"))
        e->name = "LTRIM";
      else if (accept_kw (p, "TRAILING"))
        e->name = "RTRIM";
      else if (!accept_kw (p, "BOTH"))
        mode = FALSE;
      if (accept_kw (p, "FROM")) /* TRIM(BOTH FROM s) */
        a = parse_expr (p);
      else if ((a = parse_expr (p)) == NULL)
        return NULL;
      else if (accept_kw (p, "FROM")) /* TRIM([mode] chars FROM s) */
        {
          e->trim_chars = a;
          a = parse_expr (p);
        }
      else if (mode)
        return fail_expected (p, "FROM");
      if (a == NULL)
        return NULL;
      return call_of (p, e, start, a, NULL, NULL);
    }
  /* SUBSTRING */
  if ((a = parse_expr (p)) == NULL)
    return NULL;
  if (accept_kw (p, "FROM") || accept (p, PLAN_TOK_COMMA))
    {
      gboolean keyword_form = tok_is_kw (p, &p->toks[p->pos - 1], "FROM");
      if ((b = parse_expr (p)) == NULL)
        return NULL;
      if ((keyword_form ? accept_kw (p, "FOR") : accept (p, PLAN_TOK_COMMA))
          && (c = parse_expr (p)) == NULL)
        return NULL;
    }
  else
    return fail_expected (p, "FROM or ','");
  return call_of (p, e, start, a, b, c);
}

/* Skips a window specification after OVER: ( ... ) or a window name. The binder refuses
 * OVER for now, so only its extent matters. */
static gboolean
skip_over (Parser *p, PlanAstExpr *e)
{
  const PlanToken *start = peek (p);
  e->over = TRUE;
  if (peek (p)->kind == PLAN_TOK_LPAREN)
    {
      guint level = 0;
      do
        {
          const PlanToken *t = advance (p);
          if (t->kind == PLAN_TOK_EOF || t->kind == PLAN_TOK_SEMICOLON)
            return fail_expected (p, "')' closing the window") != NULL;
          level += t->kind == PLAN_TOK_LPAREN;
          level -= t->kind == PLAN_TOK_RPAREN;
        }
      while (level > 0);
    }
  else if (parse_name (p, "a window", FALSE) == NULL)
    return FALSE;
  e->over_span = span_from (p, start);
  return TRUE;
}

static PlanAstExpr *
parse_call_arg (Parser *p)
{
  const PlanToken *start = peek (p);
  if (start->kind == PLAN_TOK_IDENT && peek_at (p, 1)->kind == PLAN_TOK_ARROW)
    {
      PlanAstExpr *e = new_expr (p, PLAN_AST_NAMED_ARG, start);
      e->text = tok_upper (p, advance (p));
      advance (p);
      if ((e->left = parse_expr (p)) == NULL)
        return NULL;
      return finish (p, e, start);
    }
  return parse_expr (p);
}

static PlanAstExpr *
parse_call (Parser *p, const PlanToken *start)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  PlanAstExpr *e = new_call (p, "", start);

  e->name = tok_upper (p, start);
  advance (p); /* ( */
  if (accept_kw (p, "DISTINCT"))
    e->distinct = TRUE;
  else
    accept_kw (p, "ALL");
  if (peek (p)->kind == PLAN_TOK_STAR && peek_at (p, 1)->kind == PLAN_TOK_RPAREN)
    {
      advance (p);
      e->star_arg = TRUE;
    }
  else if (peek (p)->kind != PLAN_TOK_RPAREN)
    do
      {
        PlanAstExpr *a = parse_call_arg (p);
        if (a == NULL)
          return NULL;
        g_ptr_array_add (args, a);
      }
    while (accept (p, PLAN_TOK_COMMA));
  if (!expect (p, PLAN_TOK_RPAREN, "',' or ')' in the argument list"))
    return NULL;
  e->args = list_take (p, args);
  if (is_kw (p, "FILTER") && peek_at (p, 1)->kind == PLAN_TOK_LPAREN)
    {
      advance (p);
      advance (p);
      if (!expect_kw (p, "WHERE") || (e->filter = parse_expr (p)) == NULL
          || !expect (p, PLAN_TOK_RPAREN, "')'"))
        return NULL;
    }
  if (accept_kw (p, "OVER") && !skip_over (p, e))
    return NULL;
  return finish (p, e, start);
}

static PlanAstExpr *
parse_literal_word (Parser *p, const PlanToken *t)
{
  static const struct {
    const char *word;
    PlanAstExprKind kind;
  } typed[] = { { "DATE", PLAN_AST_DATE }, { "TIMESTAMP", PLAN_AST_TIMESTAMP } };
  PlanAstExpr *e;

  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    if (tok_is_kw (p, t, typed[i].word) && peek_at (p, 1)->kind == PLAN_TOK_STRING)
      {
        e = new_expr (p, typed[i].kind, t);
        advance (p);
        e->text = tok_text (p, advance (p));
        return finish (p, e, t);
      }
  if (tok_is_kw (p, t, "TRUE") || tok_is_kw (p, t, "FALSE"))
    {
      e = new_expr (p, PLAN_AST_BOOL, t);
      e->boolean = tok_is_kw (p, t, "TRUE");
      advance (p);
      return e;
    }
  if (tok_is_kw (p, t, "NULL"))
    {
      advance (p);
      return new_expr (p, PLAN_AST_NULL, t);
    }
  return NULL;
}

/* A word that starts an expression: keyword forms, calls, column references. */
static PlanAstExpr *
parse_word (Parser *p, const PlanToken *t)
{
  static const char *const special[] = { "EXTRACT", "SUBSTRING", "POSITION", "TRIM" };
  static const char *const niladic[] = {
    "CURRENT_TIMESTAMP", "LOCALTIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "LOCALTIME",
    "CURRENT_ROW_TIMESTAMP",
  };
  gboolean call = peek_at (p, 1)->kind == PLAN_TOK_LPAREN;
  PlanAstExpr *e;

  if ((e = parse_literal_word (p, t)) != NULL || p->error != NULL)
    return e;
  if (tok_is_kw (p, t, "CASE") || tok_is_kw (p, t, "INTERVAL") || tok_is_kw (p, t, "CAST")
      || tok_is_kw (p, t, "TRY_CAST"))
    {
      advance (p);
      if (tok_is_kw (p, t, "CASE"))
        return parse_case (p, t);
      if (tok_is_kw (p, t, "INTERVAL"))
        return parse_interval (p, t);
      return parse_cast (p, t, tok_is_kw (p, t, "TRY_CAST"));
    }
  if (tok_is_kw (p, t, "EXISTS") && call)
    {
      e = new_expr (p, PLAN_AST_EXISTS, t);
      advance (p);
      advance (p);
      if ((e->query = parse_query (p)) == NULL || !expect (p, PLAN_TOK_RPAREN, "')'"))
        return NULL;
      return finish (p, e, t);
    }
  if (tok_is_kw (p, t, "TABLE") && is_name_token (p, peek_at (p, 1)))
    {
      e = new_expr (p, PLAN_AST_TABLE_ARG, t);
      advance (p);
      e->text = tok_text (p, advance (p));
      return finish (p, e, t);
    }
  for (guint i = 0; i < G_N_ELEMENTS (special) && call; i++)
    if (tok_is_kw (p, t, special[i]))
      {
        advance (p);
        return parse_special_call (p, t, special[i]);
      }
  for (guint i = 0; i < G_N_ELEMENTS (niladic) && !call; i++)
    if (tok_is_kw (p, t, niladic[i]))
      {
        advance (p);
        return finish (p, new_call (p, niladic[i], t), t);
      }
  if (tok_is_reserved (p, t))
    return fail_expected (p, "an expression");
  if (call && tok_is_kw (p, t, "DESCRIPTOR"))
    {
      e = new_expr (p, PLAN_AST_DESCRIPTOR, t);
      advance (p);
      if (!parse_name_list (p, "a column name", &e->args))
        return NULL;
      for (guint i = 0; i < e->args.n; i++)
        {
          PlanAstName *n = e->args.items[i];
          PlanAstExpr *c = new_expr (p, PLAN_AST_COLUMN, t);
          c->name = n->name;
          c->span = c->op_span = n->span;
          e->args.items[i] = c;
        }
      return finish (p, e, t);
    }
  if (call)
    {
      advance (p);
      return parse_call (p, t);
    }
  return NULL; /* a column reference */
}

/* [qualifier.]name or [qualifier.]* */
static PlanAstExpr *
parse_column (Parser *p, const PlanToken *t)
{
  PlanAstExpr *e = new_expr (p, PLAN_AST_COLUMN, t);
  e->name = tok_text (p, advance (p));
  while (accept (p, PLAN_TOK_DOT))
    {
      if (accept (p, PLAN_TOK_STAR))
        {
          e->kind = PLAN_AST_STAR;
          e->qualifier = e->name;
          e->name = NULL;
          return finish (p, e, t);
        }
      if (e->qualifier != NULL)
        return fail_at (p, peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                        "Nested field access is not supported yet");
      if (peek (p)->kind != PLAN_TOK_IDENT && peek (p)->kind != PLAN_TOK_QUOTED_IDENT)
        return fail_expected (p, "a column name after '.'");
      e->qualifier = e->name;
      e->name = tok_text (p, advance (p));
    }
  return finish (p, e, t);
}

static PlanAstExpr *
parse_paren (Parser *p, const PlanToken *t)
{
  PlanAstExpr *e;
  const PlanToken *next = peek_at (p, 1);

  advance (p);
  if (tok_is_kw (p, next, "SELECT") || tok_is_kw (p, next, "WITH")
      || tok_is_kw (p, next, "VALUES"))
    {
      e = new_expr (p, PLAN_AST_SUBQUERY, t);
      if ((e->query = parse_query (p)) == NULL || !expect (p, PLAN_TOK_RPAREN, "')'"))
        return NULL;
      return finish (p, e, t);
    }
  if ((e = parse_expr (p)) == NULL)
    return NULL;
  if (peek (p)->kind == PLAN_TOK_COMMA)
    return fail_at (p, peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                    "Row values such as (a, b) are not supported yet");
  if (!expect (p, PLAN_TOK_RPAREN, "')'"))
    return NULL;
  e->span = span_from (p, t); /* the parentheses belong to the expression's text */
  return e;
}

static PlanAstExpr *
parse_primary (Parser *p)
{
  const PlanToken *t = peek (p);
  PlanAstExpr *e;

  switch (t->kind)
    {
    case PLAN_TOK_INTEGER:
    case PLAN_TOK_DECIMAL:
    case PLAN_TOK_FLOAT:
      e = new_expr (p, t->kind == PLAN_TOK_INTEGER ? PLAN_AST_INTEGER
                       : t->kind == PLAN_TOK_DECIMAL ? PLAN_AST_DECIMAL : PLAN_AST_FLOAT, t);
      e->text = tok_text (p, advance (p));
      return e;
    case PLAN_TOK_STRING:
      e = new_expr (p, PLAN_AST_STRING, t);
      e->text = tok_text (p, advance (p));
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
      return fail_expected (p, "an expression");
    }
}

static PlanAstExpr *
parse_unary (Parser *p)
{
  const PlanToken *t = peek (p);
  PlanAstExpr *e, *operand;

  if (t->kind != PLAN_TOK_MINUS && t->kind != PLAN_TOK_PLUS)
    return parse_primary (p);
  if (!enter (p, "Expression"))
    return NULL;
  advance (p);
  operand = parse_unary (p);
  leave (p);
  if (operand == NULL)
    return NULL;
  /* -42 is one literal, so that -2147483648 is an INT and -9223372036854775808 fits */
  if (t->kind == PLAN_TOK_MINUS && operand->text != NULL && operand->text[0] != '-'
      && (operand->kind == PLAN_AST_INTEGER || operand->kind == PLAN_AST_DECIMAL
          || operand->kind == PLAN_AST_FLOAT))
    {
      g_autofree char *negative = g_strconcat ("-", operand->text, NULL);
      operand->text = plan__sql_arena_strndup (p->arena, negative, strlen (negative));
      operand->span = span_from (p, t);
      return operand;
    }
  e = new_expr (p, PLAN_AST_UNARY, t);
  e->op = t->kind == PLAN_TOK_MINUS ? PLAN_AST_OP_NEG : PLAN_AST_OP_PLUS;
  e->left = operand;
  return finish (p, e, t);
}

static PlanAstExpr *
parse_mul (Parser *p)
{
  PlanAstExpr *e = parse_unary (p);
  while (e != NULL)
    {
      const PlanToken *t = peek (p);
      PlanAstOp op;
      if (t->kind == PLAN_TOK_STAR)
        op = PLAN_AST_OP_MUL;
      else if (t->kind == PLAN_TOK_SLASH)
        op = PLAN_AST_OP_DIV;
      else if (t->kind == PLAN_TOK_PERCENT)
        op = PLAN_AST_OP_MOD;
      else
        break;
      advance (p);
      PlanAstExpr *r = parse_unary (p);
      e = r != NULL ? binary (p, op, t, e, r) : NULL;
    }
  return e;
}

static PlanAstExpr *
parse_add (Parser *p)
{
  PlanAstExpr *e = parse_mul (p);
  while (e != NULL && (peek (p)->kind == PLAN_TOK_PLUS || peek (p)->kind == PLAN_TOK_MINUS))
    {
      const PlanToken *t = advance (p);
      PlanAstExpr *r = parse_mul (p);
      e = r != NULL ? binary (p, t->kind == PLAN_TOK_PLUS ? PLAN_AST_OP_ADD : PLAN_AST_OP_SUB,
                              t, e, r)
                    : NULL;
    }
  return e;
}

static PlanAstExpr *
parse_concat (Parser *p)
{
  PlanAstExpr *e = parse_add (p);
  while (e != NULL && peek (p)->kind == PLAN_TOK_CONCAT)
    {
      const PlanToken *t = advance (p);
      PlanAstExpr *r = parse_add (p);
      e = r != NULL ? binary (p, PLAN_AST_OP_CONCAT, t, e, r) : NULL;
    }
  return e;
}

static PlanAstExpr *
parse_is (Parser *p, PlanAstExpr *left, const PlanToken *start)
{
  PlanAstExpr *e = new_expr (p, PLAN_AST_IS, peek (p));
  gboolean not;

  advance (p); /* IS */
  not = accept_kw (p, "NOT");
  e->left = left;
  if (accept_kw (p, "NULL"))
    e->is_kind = not ? PLAN_AST_IS_NOT_NULL : PLAN_AST_IS_NULL;
  else if (accept_kw (p, "TRUE"))
    e->is_kind = not ? PLAN_AST_IS_NOT_TRUE : PLAN_AST_IS_TRUE;
  else if (accept_kw (p, "FALSE"))
    e->is_kind = not ? PLAN_AST_IS_NOT_FALSE : PLAN_AST_IS_FALSE;
  else if (accept_kw (p, "UNKNOWN"))
    e->is_kind = not ? PLAN_AST_IS_NOT_NULL : PLAN_AST_IS_NULL;
  else if (accept_kw (p, "DISTINCT"))
    {
      if (!expect_kw (p, "FROM") || (e->right = parse_concat (p)) == NULL)
        return NULL;
      e->is_kind = not ? PLAN_AST_IS_NOT_DISTINCT_FROM : PLAN_AST_IS_DISTINCT_FROM;
    }
  else
    return fail_expected (p, "NULL, TRUE, FALSE or DISTINCT FROM after IS");
  return finish (p, e, start);
}

/* [NOT] BETWEEN / IN / LIKE after left; the NOT (if any) is already consumed. */
static PlanAstExpr *
parse_negatable (Parser *p, PlanAstExpr *left, const PlanToken *start, gboolean negated)
{
  const PlanToken *t = advance (p);
  PlanAstExpr *e = new_expr (p, PLAN_AST_BETWEEN, t);
  PlanAstExpr *lo, *hi;

  e->left = left;
  e->negated = negated;
  if (tok_is_kw (p, t, "BETWEEN"))
    {
      if (!accept_kw (p, "ASYMMETRIC") && is_kw (p, "SYMMETRIC"))
        return fail_at (p, peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                        "BETWEEN SYMMETRIC is not supported yet");
      if ((lo = parse_concat (p)) == NULL || !expect_kw (p, "AND")
          || (hi = parse_concat (p)) == NULL)
        return NULL;
      e->args.n = 2;
      e->args.items = plan__sql_arena_alloc (p->arena, 2 * sizeof (gpointer));
      e->args.items[0] = lo;
      e->args.items[1] = hi;
    }
  else if (tok_is_kw (p, t, "IN"))
    {
      e->kind = PLAN_AST_IN;
      if (!expect (p, PLAN_TOK_LPAREN, "'(' after IN"))
        return NULL;
      if (is_kw (p, "SELECT") || is_kw (p, "WITH") || is_kw (p, "VALUES"))
        e->query = parse_query (p);
      else
        parse_expr_list (p, &e->args);
      if (p->error != NULL || !expect (p, PLAN_TOK_RPAREN, "',' or ')'"))
        return NULL;
    }
  else
    {
      e->kind = PLAN_AST_LIKE;
      if ((e->right = parse_concat (p)) == NULL)
        return NULL;
      if (accept_kw (p, "ESCAPE") && (e->escape = parse_concat (p)) == NULL)
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
parse_predicate (Parser *p)
{
  const PlanToken *start = peek (p);
  PlanAstExpr *e = parse_concat (p);

  while (e != NULL)
    {
      const PlanToken *t = peek (p);
      const PlanToken *next = peek_at (p, 1);
      PlanAstOp op;
      if (comparison_op (t, &op))
        {
          advance (p);
          PlanAstExpr *r = parse_concat (p);
          e = r != NULL ? binary (p, op, t, e, r) : NULL;
        }
      else if (tok_is_kw (p, t, "IS"))
        e = parse_is (p, e, start);
      else if (tok_is_kw (p, t, "BETWEEN") || tok_is_kw (p, t, "IN")
               || tok_is_kw (p, t, "LIKE"))
        e = parse_negatable (p, e, start, FALSE);
      else if (tok_is_kw (p, t, "NOT")
               && (tok_is_kw (p, next, "BETWEEN") || tok_is_kw (p, next, "IN")
                   || tok_is_kw (p, next, "LIKE")))
        {
          advance (p);
          e = parse_negatable (p, e, start, TRUE);
        }
      else
        break;
    }
  return e;
}

static PlanAstExpr *
parse_not (Parser *p)
{
  const PlanToken *t = peek (p);
  PlanAstExpr *e, *operand;

  if (!tok_is_kw (p, t, "NOT"))
    return parse_predicate (p);
  if (!enter (p, "Expression"))
    return NULL;
  advance (p);
  operand = parse_not (p);
  leave (p);
  if (operand == NULL)
    return NULL;
  e = new_expr (p, PLAN_AST_UNARY, t);
  e->op = PLAN_AST_OP_NOT;
  e->left = operand;
  return finish (p, e, t);
}

static PlanAstExpr *
parse_and (Parser *p)
{
  PlanAstExpr *e = parse_not (p);
  while (e != NULL && is_kw (p, "AND"))
    {
      const PlanToken *t = advance (p);
      PlanAstExpr *r = parse_not (p);
      e = r != NULL ? binary (p, PLAN_AST_OP_AND, t, e, r) : NULL;
    }
  return e;
}

static PlanAstExpr *
parse_expr (Parser *p)
{
  PlanAstExpr *e;

  if (!enter (p, "Expression"))
    return NULL;
  e = parse_and (p);
  while (e != NULL && is_kw (p, "OR"))
    {
      const PlanToken *t = advance (p);
      PlanAstExpr *r = parse_and (p);
      e = r != NULL ? binary (p, PLAN_AST_OP_OR, t, e, r) : NULL;
    }
  leave (p);
  return e;
}

/* ---- queries ----------------------------------------------------------------------- */

static PlanAstQuery *
new_query (Parser *p, PlanAstQueryKind kind, const PlanToken *start)
{
  PlanAstQuery *q = plan__sql_arena_alloc (p->arena, sizeof *q);
  q->kind = kind;
  q->span = start->span;
  q->height = 1;
  q->limit = -1;
  return q;
}

static PlanAstQuery *
finish_query (Parser *p, PlanAstQuery *q, PlanSpan start, guint child_height)
{
  const PlanToken t = { PLAN_TOK_EOF, start };
  q->span = span_from (p, &t);
  q->height = child_height + 1;
  if (q->height > PLAN_SQL_MAX_HEIGHT)
    return fail_at (p, q->span, PLAN_ERROR_SYNTAX,
                    "Query nested too deeply (more than %d steps)", PLAN_SQL_MAX_HEIGHT);
  return q;
}

/* [AS] alias, where a bare word counts only when it is not reserved. */
static gboolean
parse_alias (Parser *p, char **alias)
{
  PlanAstName *n;
  if (accept_kw (p, "AS"))
    {
      if ((n = parse_name (p, "an alias after AS", FALSE)) == NULL)
        return FALSE;
      *alias = n->name;
    }
  else if (is_name_token (p, peek (p)))
    *alias = tok_text (p, advance (p));
  return TRUE;
}

static gboolean
parse_select_items (Parser *p, PlanAstList *out)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new ();
  do
    {
      const PlanToken *start = peek (p);
      PlanAstSelectItem *item = plan__sql_arena_alloc (p->arena, sizeof *item);
      if (start->kind == PLAN_TOK_STAR)
        {
          item->expr = new_expr (p, PLAN_AST_STAR, advance (p));
        }
      else
        {
          if (tok_is_kw (p, start, "FROM") && items->len > 0)
            return fail_at (p, p->toks[p->pos - 1].span, PLAN_ERROR_SYNTAX,
                            "Unexpected ',' before FROM: remove the trailing comma") != NULL;
          if ((item->expr = parse_expr (p)) == NULL)
            return FALSE;
          if (item->expr->kind != PLAN_AST_STAR && !parse_alias (p, &item->alias))
            return FALSE;
        }
      item->span = span_from (p, start);
      g_ptr_array_add (items, item);
    }
  while (accept (p, PLAN_TOK_COMMA));
  *out = list_take (p, items);
  return TRUE;
}

static PlanAstFrom *parse_from_item (Parser *p);

static PlanAstFrom *
new_from (Parser *p, PlanAstFromKind kind, const PlanToken *start)
{
  PlanAstFrom *f = plan__sql_arena_alloc (p->arena, sizeof *f);
  f->kind = kind;
  f->span = start->span;
  f->height = 1;
  return f;
}

static PlanAstFrom *
parse_from_primary (Parser *p)
{
  const PlanToken *start = peek (p);
  PlanAstFrom *f;

  if (start->kind == PLAN_TOK_LPAREN)
    {
      const PlanToken *next = peek_at (p, 1);
      advance (p);
      if (tok_is_kw (p, next, "SELECT") || tok_is_kw (p, next, "WITH")
          || tok_is_kw (p, next, "VALUES") || tok_is_kw (p, next, "FROM")
          || next->kind == PLAN_TOK_LPAREN)
        {
          f = new_from (p, PLAN_AST_FROM_SUBQUERY, start);
          if ((f->query = parse_query (p)) == NULL || !expect (p, PLAN_TOK_RPAREN, "')'"))
            return NULL;
          f->height = f->query->height + 1;
        }
      else if ((f = parse_from_item (p)) == NULL || !expect (p, PLAN_TOK_RPAREN, "')'"))
        return NULL;
    }
  else if ((tok_is_kw (p, start, "TABLE") || tok_is_kw (p, start, "LATERAL"))
           && (peek_at (p, 1)->kind == PLAN_TOK_LPAREN || tok_is_kw (p, start, "LATERAL")))
    {
      f = new_from (p, PLAN_AST_FROM_TVF, start);
      advance (p);
      if (tok_is_kw (p, start, "LATERAL") && !expect_kw (p, "TABLE"))
        return NULL;
      if (!expect (p, PLAN_TOK_LPAREN, "'('"))
        return NULL;
      if (peek (p)->kind != PLAN_TOK_IDENT || peek_at (p, 1)->kind != PLAN_TOK_LPAREN)
        return fail_expected (p, "a table function call such as TUMBLE(...)");
      if ((f->call = parse_call (p, advance (p))) == NULL
          || !expect (p, PLAN_TOK_RPAREN, "')'"))
        return NULL;
    }
  else
    {
      GString *name;
      if (!is_name_token (p, start))
        return fail_expected (p, "a table name after FROM");
      f = new_from (p, PLAN_AST_FROM_TABLE, start);
      name = g_string_new (tok_text (p, advance (p)));
      while (accept (p, PLAN_TOK_DOT))
        {
          PlanAstName *part = parse_name (p, "a name after '.'", TRUE);
          if (part == NULL)
            return g_string_free (name, TRUE), NULL;
          g_string_append_printf (name, ".%s", part->name);
        }
      f->name = plan__sql_arena_strndup (p->arena, name->str, name->len);
      g_string_free (name, TRUE);
      f->name_span = span_from (p, start);
      if (is_kw (p, "FOR") && tok_is_kw (p, peek_at (p, 1), "SYSTEM_TIME"))
        {
          advance (p);
          advance (p);
          if (!expect_kw (p, "AS") || !expect_kw (p, "OF")
              || (f->system_time = parse_concat (p)) == NULL)
            return NULL;
        }
    }
  if (!parse_alias (p, &f->alias))
    return NULL;
  if (f->alias != NULL && peek (p)->kind == PLAN_TOK_LPAREN
      && !parse_name_list (p, "a column alias", &f->column_aliases))
    return NULL;
  f->span = span_from (p, start);
  return f;
}

/* Join keywords at the current token; FALSE when none start here. */
static gboolean
parse_join_kind (Parser *p, PlanAstJoinKind *kind)
{
  if (accept (p, PLAN_TOK_COMMA))
    *kind = PLAN_AST_JOIN_COMMA;
  else if (accept_kw (p, "JOIN"))
    *kind = PLAN_AST_JOIN_INNER;
  else if (is_kw (p, "INNER") || is_kw (p, "CROSS"))
    {
      *kind = is_kw (p, "INNER") ? PLAN_AST_JOIN_INNER : PLAN_AST_JOIN_CROSS;
      advance (p);
      return expect_kw (p, "JOIN");
    }
  else if (is_kw (p, "LEFT") || is_kw (p, "RIGHT") || is_kw (p, "FULL"))
    {
      *kind = is_kw (p, "LEFT") ? PLAN_AST_JOIN_LEFT
              : is_kw (p, "RIGHT") ? PLAN_AST_JOIN_RIGHT : PLAN_AST_JOIN_FULL;
      advance (p);
      accept_kw (p, "OUTER");
      return expect_kw (p, "JOIN");
    }
  else
    return FALSE;
  return TRUE;
}

/* The tail of a join after its keywords: right side and ON / USING. */
static PlanAstFrom *
parse_join_rest (Parser *p, PlanAstFrom *left, PlanAstJoinKind kind, const PlanToken *kw,
                 const PlanToken *start)
{
  PlanAstFrom *j = new_from (p, PLAN_AST_FROM_JOIN, start);
  j->join = kind;
  j->join_span = span_from (p, kw);
  j->left = left;
  if ((j->right = parse_from_primary (p)) == NULL)
    return NULL;
  if (kind != PLAN_AST_JOIN_CROSS && kind != PLAN_AST_JOIN_COMMA)
    {
      if (accept_kw (p, "ON"))
        {
          if ((j->on = parse_expr (p)) == NULL)
            return NULL;
        }
      else if (accept_kw (p, "USING"))
        {
          if (!parse_name_list (p, "a column name", &j->using_cols))
            return NULL;
        }
      else
        return fail_expected (p, "ON or USING after the joined table");
    }
  j->height = MAX (left != NULL ? left->height : 0, j->right->height) + 1;
  j->span = span_from (p, start);
  if (j->height > PLAN_SQL_MAX_HEIGHT)
    return fail_at (p, j->span, PLAN_ERROR_SYNTAX, "Too many joins (more than %d)",
                    PLAN_SQL_MAX_HEIGHT);
  return j;
}

static PlanAstFrom *
parse_from_item (Parser *p)
{
  const PlanToken *start = peek (p);
  PlanAstFrom *f;

  if (!enter (p, "Query"))
    return NULL;
  f = parse_from_primary (p);
  while (f != NULL)
    {
      const PlanToken *kw = peek (p);
      PlanAstJoinKind kind;
      if (!parse_join_kind (p, &kind))
        break;
      if (p->error != NULL)
        return NULL;
      f = parse_join_rest (p, f, kind, kw, start);
    }
  leave (p);
  return f;
}

static gboolean
parse_group_by (Parser *p, PlanAstQuery *q)
{
  const PlanToken *start = peek (p);
  if (!accept_kw (p, "GROUP"))
    return TRUE;
  if (!expect_kw (p, "BY") || !parse_expr_list (p, &q->group_by))
    return FALSE;
  q->group_span = span_from (p, start);
  return TRUE;
}

static PlanAstQuery *
parse_select (Parser *p)
{
  const PlanToken *start = advance (p); /* SELECT */
  PlanAstQuery *q = new_query (p, PLAN_AST_Q_SELECT, start);
  guint h = 0;

  if (is_kw (p, "DISTINCT"))
    {
      q->distinct = TRUE;
      q->distinct_span = advance (p)->span;
    }
  else
    accept_kw (p, "ALL");
  if (!parse_select_items (p, &q->items))
    return NULL;
  q->select_span = span_from (p, start);
  if (accept_kw (p, "FROM"))
    {
      if ((q->from = parse_from_item (p)) == NULL)
        return NULL;
      h = q->from->height;
    }
  if (is_kw (p, "WHERE"))
    {
      const PlanToken *w = advance (p);
      if ((q->where = parse_expr (p)) == NULL)
        return NULL;
      q->where_span = span_from (p, w);
    }
  if (!parse_group_by (p, q))
    return NULL;
  if (is_kw (p, "HAVING"))
    {
      const PlanToken *w = advance (p);
      if ((q->having = parse_expr (p)) == NULL)
        return NULL;
      q->having_span = span_from (p, w);
    }
  if (is_kw (p, "WINDOW"))
    return fail_at (p, peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                    "Named windows (WINDOW) are not supported yet");
  return finish_query (p, q, start->span, h);
}

static PlanAstQuery *
parse_values (Parser *p)
{
  const PlanToken *start = advance (p); /* VALUES */
  PlanAstQuery *q = new_query (p, PLAN_AST_Q_VALUES, start);
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  do
    {
      PlanAstList *row = plan__sql_arena_alloc (p->arena, sizeof *row);
      if (!expect (p, PLAN_TOK_LPAREN, "'(' starting a row of VALUES")
          || !parse_expr_list (p, row) || !expect (p, PLAN_TOK_RPAREN, "',' or ')'"))
        return NULL;
      g_ptr_array_add (rows, row);
    }
  while (accept (p, PLAN_TOK_COMMA));
  q->rows = list_take (p, rows);
  return finish_query (p, q, start->span, 0);
}

static PlanAstQuery *
parse_query_term (Parser *p)
{
  const PlanToken *start = peek (p);
  PlanAstQuery *q;

  if (tok_is_kw (p, start, "SELECT"))
    return parse_select (p);
  if (tok_is_kw (p, start, "VALUES"))
    return parse_values (p);
  if (tok_is_kw (p, start, "FROM"))
    {
      advance (p);
      q = new_query (p, PLAN_AST_Q_FROM, start);
      if ((q->from = parse_from_item (p)) == NULL)
        return NULL;
      if (is_kw (p, "WHERE") || is_kw (p, "SELECT") || is_kw (p, "GROUP"))
        return fail_at (p, peek (p)->span, PLAN_ERROR_SYNTAX,
                        "Expected '|>' before %s: a query that starts with FROM continues "
                        "with |> steps", is_kw (p, "WHERE") ? "WHERE"
                                          : is_kw (p, "SELECT") ? "SELECT" : "GROUP");
      return finish_query (p, q, start->span, q->from->height);
    }
  if (start->kind == PLAN_TOK_LPAREN)
    {
      advance (p);
      if ((q = parse_query (p)) == NULL || !expect (p, PLAN_TOK_RPAREN, "')'"))
        return NULL;
      return q;
    }
  return fail_expected (p, "SELECT, FROM or VALUES");
}

static PlanAstQuery *
parse_setops (Parser *p)
{
  const PlanToken *start = peek (p);
  PlanAstQuery *q = parse_query_term (p);

  while (q != NULL
         && (is_kw (p, "UNION") || is_kw (p, "INTERSECT") || is_kw (p, "EXCEPT")
             || is_kw (p, "MINUS")))
    {
      const PlanToken *op = advance (p);
      PlanAstQuery *s = new_query (p, PLAN_AST_Q_SETOP, start);
      s->setop = tok_upper (p, op);
      if (strcmp (s->setop, "MINUS") == 0)
        s->setop = "EXCEPT";
      s->all = accept_kw (p, "ALL");
      if (!s->all)
        accept_kw (p, "DISTINCT");
      s->op_span = span_from (p, op);
      s->left = q;
      if ((s->right = parse_query_term (p)) == NULL)
        return NULL;
      q = finish_query (p, s, start->span, MAX (s->left->height, s->right->height));
    }
  return q;
}

static PlanAstQuery *
new_pipe (Parser *p, PlanAstQuery *input, PlanAstPipeKind kind, const PlanToken *op)
{
  PlanAstQuery *q = new_query (p, PLAN_AST_Q_PIPE, op);
  q->pipe = kind;
  q->left = input;
  q->span = input->span;
  return q;
}

static gboolean
parse_order_items (Parser *p, PlanAstList *out)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new ();
  if (!expect_kw (p, "BY"))
    return FALSE;
  do
    {
      const PlanToken *start = peek (p);
      PlanAstOrderItem *item = plan__sql_arena_alloc (p->arena, sizeof *item);
      if ((item->expr = parse_expr (p)) == NULL)
        return FALSE;
      if (accept_kw (p, "DESC"))
        item->descending = TRUE;
      else
        accept_kw (p, "ASC");
      if (accept_kw (p, "NULLS") && !accept_kw (p, "FIRST") && !expect_kw (p, "LAST"))
        return FALSE;
      item->span = span_from (p, start);
      g_ptr_array_add (items, item);
    }
  while (accept (p, PLAN_TOK_COMMA));
  *out = list_take (p, items);
  return TRUE;
}

/* LIMIT n [OFFSET m], OFFSET m [ROWS] [FETCH FIRST n ROWS ONLY], FETCH FIRST ... */
static gboolean
parse_limit (Parser *p, PlanAstQuery *q)
{
  gboolean any = FALSE;
  if (accept_kw (p, "LIMIT"))
    {
      if (!parse_integer (p, "a row count after LIMIT", &q->limit))
        return FALSE;
      any = TRUE;
    }
  if (accept_kw (p, "OFFSET"))
    {
      if (!parse_integer (p, "a row count after OFFSET", &q->offset))
        return FALSE;
      if (!accept_kw (p, "ROWS"))
        accept_kw (p, "ROW");
      any = TRUE;
    }
  if (q->limit < 0 && accept_kw (p, "FETCH"))
    {
      if (!accept_kw (p, "FIRST") && !expect_kw (p, "NEXT"))
        return FALSE;
      if (!parse_integer (p, "a row count after FETCH FIRST", &q->limit))
        return FALSE;
      if ((!accept_kw (p, "ROWS") && !accept_kw (p, "ROW") && !expect_kw (p, "ROWS"))
          || !expect_kw (p, "ONLY"))
        return FALSE;
      any = TRUE;
    }
  return any || fail_expected (p, "LIMIT") != NULL;
}

/* ORDER BY and LIMIT of plain SQL become pipe steps over the query before them. */
static PlanAstQuery *
parse_modifiers (Parser *p, PlanAstQuery *q)
{
  if (is_kw (p, "ORDER"))
    {
      const PlanToken *op = advance (p);
      PlanAstQuery *s = new_pipe (p, q, PLAN_AST_PIPE_ORDER_BY, op);
      if (!parse_order_items (p, &s->order))
        return NULL;
      s->op_span = span_from (p, op);
      if ((q = finish_query (p, s, q->span, q->height)) == NULL)
        return NULL;
    }
  if (is_kw (p, "LIMIT") || is_kw (p, "OFFSET") || is_kw (p, "FETCH"))
    {
      const PlanToken *op = peek (p);
      PlanAstQuery *s = new_pipe (p, q, PLAN_AST_PIPE_LIMIT, op);
      if (!parse_limit (p, s))
        return NULL;
      s->op_span = span_from (p, op);
      q = finish_query (p, s, q->span, q->height);
    }
  return q;
}

static gboolean
parse_pipe_body (Parser *p, PlanAstQuery *s, const PlanToken *op)
{
  switch (s->pipe)
    {
    case PLAN_AST_PIPE_WHERE:
      return (s->where = parse_expr (p)) != NULL;
    case PLAN_AST_PIPE_SELECT:
      if (is_kw (p, "DISTINCT"))
        {
          s->distinct = TRUE;
          s->distinct_span = advance (p)->span;
        }
      else
        accept_kw (p, "ALL");
      return parse_select_items (p, &s->items);
    case PLAN_AST_PIPE_EXTEND:
      return parse_select_items (p, &s->items);
    case PLAN_AST_PIPE_AGGREGATE:
      if (!is_kw (p, "GROUP") && !parse_select_items (p, &s->items))
        return FALSE;
      return parse_group_by (p, s);
    case PLAN_AST_PIPE_ORDER_BY:
      return parse_order_items (p, &s->order);
    case PLAN_AST_PIPE_LIMIT:
      p->pos--; /* parse_limit wants the LIMIT keyword */
      return parse_limit (p, s);
    case PLAN_AST_PIPE_AS:
      {
        PlanAstName *n = parse_name (p, "an alias after AS", FALSE);
        s->alias = n != NULL ? n->name : NULL;
        return n != NULL;
      }
    case PLAN_AST_PIPE_JOIN:
      {
        PlanAstJoinKind kind;
        p->pos--;
        if (!parse_join_kind (p, &kind) || kind == PLAN_AST_JOIN_COMMA)
          return fail_expected (p, "JOIN") != NULL;
        return (s->from = parse_join_rest (p, NULL, kind, op, op)) != NULL;
      }
    default:
      return FALSE;
    }
}

/* One |> step over input. */
static PlanAstQuery *
parse_pipe_step (Parser *p, PlanAstQuery *input)
{
  static const struct {
    const char *word;
    PlanAstPipeKind kind;
  } steps[] = {
    { "WHERE", PLAN_AST_PIPE_WHERE }, { "SELECT", PLAN_AST_PIPE_SELECT },
    { "EXTEND", PLAN_AST_PIPE_EXTEND }, { "LIMIT", PLAN_AST_PIPE_LIMIT },
    { "ORDER", PLAN_AST_PIPE_ORDER_BY }, { "AGGREGATE", PLAN_AST_PIPE_AGGREGATE },
    { "AS", PLAN_AST_PIPE_AS }, { "JOIN", PLAN_AST_PIPE_JOIN },
    { "INNER", PLAN_AST_PIPE_JOIN }, { "LEFT", PLAN_AST_PIPE_JOIN },
    { "RIGHT", PLAN_AST_PIPE_JOIN }, { "FULL", PLAN_AST_PIPE_JOIN },
    { "CROSS", PLAN_AST_PIPE_JOIN },
  };
  const PlanToken *op = peek (p);
  PlanAstQuery *s = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (steps) && s == NULL; i++)
    if (tok_is_kw (p, op, steps[i].word))
      s = new_pipe (p, input, steps[i].kind, op);
  if (s == NULL)
    return fail_expected (p, "a pipe operator (WHERE, SELECT, EXTEND, AGGREGATE, ORDER BY, "
                             "LIMIT, AS or JOIN) after |>");
  advance (p);
  if (!parse_pipe_body (p, s, op))
    return NULL;
  s->op_span = span_from (p, op);
  return finish_query (p, s, input->span, input->height);
}

static PlanAstQuery *
parse_with (Parser *p, const PlanToken *start)
{
  PlanAstQuery *q = new_query (p, PLAN_AST_Q_WITH, start);
  g_autoptr (GPtrArray) ctes = g_ptr_array_new ();
  guint h = 0;

  q->recursive = accept_kw (p, "RECURSIVE");
  do
    {
      PlanAstCte *cte = plan__sql_arena_alloc (p->arena, sizeof *cte);
      PlanAstName *n = parse_name (p, "a name for the WITH query", FALSE);
      if (n == NULL)
        return NULL;
      cte->name = n->name;
      cte->span = n->span;
      if (peek (p)->kind == PLAN_TOK_LPAREN
          && !parse_name_list (p, "a column name", &cte->columns))
        return NULL;
      if (!expect_kw (p, "AS") || !expect (p, PLAN_TOK_LPAREN, "'('")
          || (cte->query = parse_query (p)) == NULL || !expect (p, PLAN_TOK_RPAREN, "')'"))
        return NULL;
      h = MAX (h, cte->query->height);
      g_ptr_array_add (ctes, cte);
    }
  while (accept (p, PLAN_TOK_COMMA));
  q->ctes = list_take (p, ctes);
  if ((q->left = parse_query (p)) == NULL)
    return NULL;
  return finish_query (p, q, start->span, MAX (h, q->left->height));
}

static PlanAstQuery *
parse_query (Parser *p)
{
  const PlanToken *start = peek (p);
  PlanAstQuery *q;

  if (!enter (p, "Query"))
    return NULL;
  if (accept_kw (p, "WITH"))
    q = parse_with (p, start);
  else
    {
      q = parse_setops (p);
      if (q != NULL)
        q = parse_modifiers (p, q);
      while (q != NULL && accept (p, PLAN_TOK_PIPE))
        q = parse_pipe_step (p, q);
    }
  leave (p);
  return q;
}

/* ---- statements -------------------------------------------------------------------- */

static PlanAstStmt *
new_stmt (Parser *p, PlanStmtKind kind)
{
  PlanAstStmt *s = plan__sql_arena_alloc (p->arena, sizeof *s);
  s->kind = kind;
  return s;
}

static gboolean
parse_if (Parser *p, gboolean not)
{
  if (!accept_kw (p, "IF"))
    return FALSE;
  if (not && !expect_kw (p, "NOT"))
    return FALSE;
  return expect_kw (p, "EXISTS");
}

/* A possibly dotted object name; its text joined with '.'. */
static gboolean
parse_object_name (Parser *p, PlanAstStmt *s, const char *what)
{
  const PlanToken *start = peek (p);
  PlanAstName *n = parse_name (p, what, FALSE);
  GString *name;

  if (n == NULL)
    return FALSE;
  name = g_string_new (n->name);
  while (accept (p, PLAN_TOK_DOT))
    {
      if ((n = parse_name (p, "a name after '.'", TRUE)) == NULL)
        return g_string_free (name, TRUE), FALSE;
      g_string_append_printf (name, ".%s", n->name);
    }
  s->name = plan__sql_arena_strndup (p->arena, name->str, name->len);
  g_string_free (name, TRUE);
  s->name_span = span_from (p, start);
  return TRUE;
}

static gboolean
parse_column_def (Parser *p, GPtrArray *columns)
{
  const PlanToken *start = peek (p);
  PlanAstColumnDef *c = plan__sql_arena_alloc (p->arena, sizeof *c);
  PlanAstName *n = parse_name (p, "a column name", FALSE);

  if (n == NULL)
    return FALSE;
  c->name = n->name;
  if (accept_kw (p, "AS"))
    {
      if ((c->computed = parse_expr (p)) == NULL)
        return FALSE;
    }
  else
    {
      if ((c->type = parse_type (p)) == NULL)
        return FALSE;
      if (accept_kw (p, "NOT"))
        {
          if (!expect_kw (p, "NULL"))
            return FALSE;
          c->not_null = TRUE;
        }
      else
        accept_kw (p, "NULL");
      if (is_kw (p, "METADATA"))
        return fail_at (p, peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                        "METADATA columns are not supported yet") != NULL;
      if (is_kw (p, "PRIMARY"))
        return fail_at (p, peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                        "Write the primary key as a table constraint: "
                        "PRIMARY KEY (%s) NOT ENFORCED", c->name) != NULL;
    }
  if (is_kw (p, "COMMENT") && peek_at (p, 1)->kind == PLAN_TOK_STRING)
    p->pos += 2;
  c->span = span_from (p, start);
  g_ptr_array_add (columns, c);
  return TRUE;
}

static gboolean
parse_table_constraint (Parser *p, PlanAstStmt *s, GPtrArray *watermarks)
{
  const PlanToken *start = peek (p);

  if (accept_kw (p, "WATERMARK"))
    {
      PlanAstWatermark *w = plan__sql_arena_alloc (p->arena, sizeof *w);
      PlanAstName *n;
      if (!expect_kw (p, "FOR") || (n = parse_name (p, "a column name", FALSE)) == NULL
          || !expect_kw (p, "AS") || (w->expr = parse_expr (p)) == NULL)
        return FALSE;
      w->column = n->name;
      w->column_span = n->span;
      w->span = span_from (p, start);
      g_ptr_array_add (watermarks, w);
      return TRUE;
    }
  if (accept_kw (p, "CONSTRAINT") && parse_name (p, "a constraint name", FALSE) == NULL)
    return FALSE;
  if (!expect_kw (p, "PRIMARY") || !expect_kw (p, "KEY")
      || !parse_name_list (p, "a column name", &s->primary_key))
    return FALSE;
  if (!is_kw (p, "NOT"))
    return fail_at (p, peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                    "Flink only supports PRIMARY KEY ... NOT ENFORCED: add NOT ENFORCED")
           != NULL;
  advance (p);
  if (!expect_kw (p, "ENFORCED"))
    return FALSE;
  s->primary_key_span = span_from (p, start);
  return TRUE;
}

static gboolean
parse_options (Parser *p, PlanAstStmt *s)
{
  g_autoptr (GPtrArray) options = g_ptr_array_new ();
  if (!expect_kw (p, "WITH") || !expect (p, PLAN_TOK_LPAREN, "'(' after WITH"))
    return FALSE;
  do
    {
      const PlanToken *start = peek (p);
      PlanAstOption *o = plan__sql_arena_alloc (p->arena, sizeof *o);
      if (start->kind != PLAN_TOK_STRING)
        return fail_expected (p, "a quoted option key such as 'connector'") != NULL;
      o->key = tok_text (p, advance (p));
      if (!expect (p, PLAN_TOK_EQ, "'='"))
        return FALSE;
      if (peek (p)->kind != PLAN_TOK_STRING)
        return fail_expected (p, "a quoted option value") != NULL;
      o->value = tok_text (p, advance (p));
      o->span = span_from (p, start);
      g_ptr_array_add (options, o);
    }
  while (accept (p, PLAN_TOK_COMMA));
  if (!expect (p, PLAN_TOK_RPAREN, "',' or ')'"))
    return FALSE;
  s->options = list_take (p, options);
  return TRUE;
}

static PlanAstStmt *
parse_create_table (Parser *p)
{
  PlanAstStmt *s = new_stmt (p, PLAN_STMT_CREATE_TABLE);
  g_autoptr (GPtrArray) columns = g_ptr_array_new ();
  g_autoptr (GPtrArray) watermarks = g_ptr_array_new ();

  s->if_exists = parse_if (p, TRUE);
  if (p->error != NULL || !parse_object_name (p, s, "a table name"))
    return NULL;
  if (is_kw (p, "AS") || is_kw (p, "LIKE"))
    return fail_at (p, peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                    "CREATE TABLE ... %s is not supported yet; list the columns",
                    is_kw (p, "AS") ? "AS" : "LIKE");
  if (!expect (p, PLAN_TOK_LPAREN, "'(' and the column list"))
    return NULL;
  do
    {
      gboolean ok;
      if (is_kw (p, "WATERMARK") || is_kw (p, "PRIMARY") || is_kw (p, "CONSTRAINT"))
        ok = parse_table_constraint (p, s, watermarks);
      else
        ok = parse_column_def (p, columns);
      if (!ok)
        return NULL;
    }
  while (accept (p, PLAN_TOK_COMMA));
  if (!expect (p, PLAN_TOK_RPAREN, "',' or ')'"))
    return NULL;
  s->columns = list_take (p, columns);
  s->watermarks = list_take (p, watermarks);
  if (is_kw (p, "COMMENT") && peek_at (p, 1)->kind == PLAN_TOK_STRING)
    p->pos += 2;
  if (is_kw (p, "PARTITIONED"))
    return fail_at (p, peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                    "PARTITIONED BY is not supported yet");
  if (!parse_options (p, s))
    return NULL;
  return s;
}

static PlanAstStmt *
parse_create (Parser *p)
{
  PlanAstStmt *s;
  gboolean temporary = accept_kw (p, "TEMPORARY");

  if (accept_kw (p, "TABLE"))
    {
      if ((s = parse_create_table (p)) != NULL)
        s->temporary = temporary;
      return s;
    }
  if (!accept_kw (p, "VIEW"))
    return fail_expected (p, "TABLE or VIEW after CREATE");
  s = new_stmt (p, PLAN_STMT_CREATE_VIEW);
  s->temporary = temporary;
  s->if_exists = parse_if (p, TRUE);
  if (p->error != NULL || !parse_object_name (p, s, "a view name"))
    return NULL;
  if (peek (p)->kind == PLAN_TOK_LPAREN)
    return fail_at (p, peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                    "Column names after the view name are not supported yet; "
                    "use aliases in the query");
  if (!expect_kw (p, "AS") || (s->query = parse_query (p)) == NULL)
    return NULL;
  return s;
}

static PlanAstStmt *
parse_insert (Parser *p)
{
  PlanAstStmt *s = new_stmt (p, PLAN_STMT_INSERT);

  if (is_kw (p, "OVERWRITE"))
    return fail_at (p, peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                    "INSERT OVERWRITE is not supported yet");
  if (!expect_kw (p, "INTO") || !parse_object_name (p, s, "a table name after INSERT INTO"))
    return NULL;
  if (peek (p)->kind == PLAN_TOK_LPAREN
      && !parse_name_list (p, "a column name", &s->insert_columns))
    return NULL;
  if ((s->query = parse_query (p)) == NULL)
    return NULL;
  return s;
}

/* SET 'key' = 'value' accepts an unquoted value too (SET 'parallelism.default' = 4). */
static PlanAstStmt *
parse_set (Parser *p, PlanStmtKind kind)
{
  PlanAstStmt *s = new_stmt (p, kind);
  const PlanToken *t = peek (p);

  if (t->kind == PLAN_TOK_EOF || t->kind == PLAN_TOK_SEMICOLON)
    return s;
  if (t->kind == PLAN_TOK_STRING || t->kind == PLAN_TOK_IDENT
      || t->kind == PLAN_TOK_QUOTED_IDENT)
    {
      const PlanToken *start = t;
      if (t->kind == PLAN_TOK_STRING)
        s->key = tok_text (p, advance (p));
      else
        {
          while (peek (p)->kind == PLAN_TOK_IDENT || peek (p)->kind == PLAN_TOK_DOT
                 || peek (p)->kind == PLAN_TOK_MINUS)
            advance (p);
          s->key = plan__sql_arena_strndup (p->arena, p->script + start->span.start,
                                            span_from (p, start).end - start->span.start);
        }
    }
  else
    return fail_expected (p, "a quoted key such as 'parallelism.default'");
  if (kind == PLAN_STMT_RESET)
    return s;
  if (!expect (p, PLAN_TOK_EQ, "'=' after the key"))
    return NULL;
  t = peek (p);
  if (t->kind == PLAN_TOK_STRING || t->kind == PLAN_TOK_INTEGER || t->kind == PLAN_TOK_DECIMAL
      || t->kind == PLAN_TOK_IDENT)
    s->value = tok_text (p, advance (p));
  else
    return fail_expected (p, "a quoted value");
  return s;
}

static PlanAstStmt *parse_statement (Parser *p);

static PlanAstStmt *
parse_explain (Parser *p)
{
  static const struct {
    const char *word;
    guint flag;
  } details[] = {
    { "ESTIMATED_COST", PLAN_EXPLAIN_ESTIMATED_COST },
    { "JSON_EXECUTION_PLAN", PLAN_EXPLAIN_JSON },
    { "PLAN_ADVICE", PLAN_EXPLAIN_PLAN_ADVICE },
    { "CHANGELOG_MODE", 0 },
  };
  PlanAstStmt *s = new_stmt (p, PLAN_STMT_EXPLAIN);

  if (accept_kw (p, "PLAN"))
    {
      if (!expect_kw (p, "FOR"))
        return NULL;
    }
  else
    {
      gboolean found;
      do
        {
          found = FALSE;
          for (guint i = 0; i < G_N_ELEMENTS (details) && !found; i++)
            if (is_kw (p, details[i].word))
              {
                if (details[i].flag == 0)
                  {
                    s->unsupported_span = peek (p)->span;
                    s->unsupported_what = "EXPLAIN CHANGELOG_MODE";
                  }
                s->explain_flags |= details[i].flag;
                advance (p);
                found = TRUE;
              }
        }
      while (found && accept (p, PLAN_TOK_COMMA));
    }
  if ((s->inner = parse_statement (p)) == NULL)
    return NULL;
  return s;
}

static PlanAstStmt *
parse_show (Parser *p)
{
  const PlanToken *t = peek (p);
  if (accept_kw (p, "TABLES"))
    return new_stmt (p, PLAN_STMT_SHOW_TABLES);
  if (accept_kw (p, "VIEWS"))
    return new_stmt (p, PLAN_STMT_SHOW_VIEWS);
  if (t->kind == PLAN_TOK_IDENT)
    {
      g_autofree char *word = g_ascii_strup (p->script + t->span.start,
                                             t->span.end - t->span.start);
      return fail_at (p, t->span, PLAN_ERROR_UNSUPPORTED,
                      "SHOW %s is not supported yet (SHOW TABLES and SHOW VIEWS are)", word);
    }
  return fail_expected (p, "TABLES or VIEWS after SHOW");
}

static PlanAstStmt *
parse_drop (Parser *p)
{
  PlanAstStmt *s;
  accept_kw (p, "TEMPORARY");
  if (accept_kw (p, "TABLE"))
    s = new_stmt (p, PLAN_STMT_DROP_TABLE);
  else if (accept_kw (p, "VIEW"))
    s = new_stmt (p, PLAN_STMT_DROP_VIEW);
  else
    return fail_expected (p, "TABLE or VIEW after DROP");
  s->if_exists = parse_if (p, FALSE);
  if (p->error != NULL
      || !parse_object_name (p, s, s->kind == PLAN_STMT_DROP_VIEW ? "a view name"
                                                                  : "a table name"))
    return NULL;
  return s;
}

static PlanAstStmt *
unknown_statement (Parser *p)
{
  static const char *const starts[] = {
    "SELECT", "FROM", "WITH", "VALUES", "INSERT", "CREATE", "DROP", "SET", "RESET", "SHOW",
    "DESCRIBE", "DESC", "EXPLAIN",
  };
  const PlanToken *t = peek (p);
  g_autofree char *found = describe (p, t);
  const char *best = NULL;

  if (t->kind == PLAN_TOK_IDENT)
    {
      g_autofree char *word = g_strndup (p->script + t->span.start,
                                         t->span.end - t->span.start);
      best = plan__sql_closest (word, starts, G_N_ELEMENTS (starts));
    }
  if (best != NULL)
    return fail_at (p, t->span, PLAN_ERROR_SYNTAX,
                    "Unknown statement %s. Did you mean %s?", found, best);
  return fail_at (p, t->span, PLAN_ERROR_SYNTAX,
                  "Expected a statement (SELECT, INSERT, CREATE, DROP, SET, RESET, SHOW, "
                  "DESCRIBE or EXPLAIN), found %s", found);
}

static PlanAstStmt *
parse_statement (Parser *p)
{
  const PlanToken *start = peek (p);
  PlanAstStmt *s = NULL;

  if (is_kw (p, "SELECT") || is_kw (p, "FROM") || is_kw (p, "WITH") || is_kw (p, "VALUES")
      || start->kind == PLAN_TOK_LPAREN)
    {
      s = new_stmt (p, PLAN_STMT_QUERY);
      if ((s->query = parse_query (p)) == NULL)
        return NULL;
    }
  else if (accept_kw (p, "INSERT"))
    s = parse_insert (p);
  else if (accept_kw (p, "CREATE"))
    s = parse_create (p);
  else if (accept_kw (p, "DROP"))
    s = parse_drop (p);
  else if (accept_kw (p, "SET"))
    s = parse_set (p, PLAN_STMT_SET);
  else if (accept_kw (p, "RESET"))
    s = parse_set (p, PLAN_STMT_RESET);
  else if (accept_kw (p, "SHOW"))
    s = parse_show (p);
  else if (accept_kw (p, "DESCRIBE") || accept_kw (p, "DESC"))
    {
      s = new_stmt (p, PLAN_STMT_DESCRIBE);
      if (!parse_object_name (p, s, "a table name"))
        return NULL;
    }
  else if (accept_kw (p, "EXPLAIN"))
    s = parse_explain (p);
  else
    return unknown_statement (p);
  if (s != NULL)
    s->span = span_from (p, start);
  return s;
}

/* ---- script ------------------------------------------------------------------------ */

void
plan_ast_free (PlanAst *ast)
{
  if (ast == NULL)
    return;
  plan__sql_arena_free (ast->arena);
  g_free (ast);
}

const char *
plan_ast_get_text (const PlanAst *ast)
{
  g_return_val_if_fail (ast != NULL, NULL);
  return ast->text;
}

PlanSpan
plan_ast_get_span (const PlanAst *ast)
{
  PlanSpan none = { 0 };
  g_return_val_if_fail (ast != NULL, none);
  return ast->span;
}

char *
plan__sql_ast_slice (const PlanAst *ast, PlanSpan span)
{
  gsize len = strlen (ast->text);
  gsize from = span.start >= ast->span.start ? span.start - ast->span.start : 0;
  gsize to = span.end >= ast->span.start ? span.end - ast->span.start : 0;
  from = MIN (from, len);
  to = CLAMP (to, from, len);
  return g_strndup (ast->text + from, to - from);
}

/* One statement from the current token; NULL with p->error set on failure. */
static PlanAst *
parse_one (Parser *p)
{
  const PlanToken *start = peek (p);
  PlanAst *ast = g_new0 (PlanAst, 1);

  ast->arena = p->arena = plan__sql_arena_new ();
  p->depth = 0;
  ast->stmt = parse_statement (p);
  if (ast->stmt == NULL && p->error == NULL)
    fail_at (p, start->span, PLAN_ERROR_SYNTAX, "Could not parse the statement");
  if (ast->stmt != NULL && peek (p)->kind != PLAN_TOK_SEMICOLON
      && peek (p)->kind != PLAN_TOK_EOF)
    {
      if (peek (p)->kind == PLAN_TOK_RPAREN)
        fail_at (p, peek (p)->span, PLAN_ERROR_SYNTAX, "Unmatched ')'");
      else
        fail_expected (p, "';' or the end of the statement");
    }
  if (p->error != NULL)
    {
      plan_ast_free (ast);
      return NULL;
    }
  ast->span = span_from (p, start);
  ast->text = plan__sql_arena_strndup (ast->arena, p->script + ast->span.start,
                                       ast->span.end - ast->span.start);
  return ast;
}

GPtrArray *
plan_sql_parse (const char *script, GError **error)
{
  g_autoptr (GPtrArray) out = NULL;
  g_autoptr (GArray) toks = NULL;
  Parser p = { 0 };

  g_return_val_if_fail (script != NULL, NULL);
  if ((toks = plan__sql_lex (script, error)) == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_ast_free);
  p.script = script;
  p.toks = (const PlanToken *) toks->data;
  p.n_toks = toks->len;
  for (;;)
    {
      PlanAst *ast;
      while (accept (&p, PLAN_TOK_SEMICOLON))
        ;
      if (peek (&p)->kind == PLAN_TOK_EOF)
        break;
      if ((ast = parse_one (&p)) == NULL)
        {
          g_propagate_error (error, p.error);
          return NULL;
        }
      g_ptr_array_add (out, ast);
    }
  return g_steal_pointer (&out);
}
