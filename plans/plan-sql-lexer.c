/* plan-sql-lexer.c: turns a SQL script into tokens, and holds the small helpers the whole
 * front end shares: the statement arena, positioned errors, "did you mean" suggestions,
 * psql-style error formatting, the REPL's completeness test and the keyword list.
 *
 * The whole script is tokenised up front (scripts are small, and the parser then looks
 * ahead freely). Positions are byte offsets plus 1-based line:column counted in
 * characters, so an error in the third statement of a script names line 3. Keywords are
 * not separate token kinds: a word is a keyword only where the parser asks for one, which
 * keeps Flink's many non-reserved words (year, value, date ...) usable as names. */
#include "plan-sql-private.h"

#include <string.h>

/* ---- arena ------------------------------------------------------------------------- */

#define ARENA_CHUNK 8192

struct _PlanSqlArena {
  GSList *chunks; /* owned: g_malloc'd blocks */
  char *cur;
  gsize left;
};

PlanSqlArena *
plan__sql_arena_new (void)
{
  return g_new0 (PlanSqlArena, 1);
}

void
plan__sql_arena_free (PlanSqlArena *arena)
{
  if (arena == NULL)
    return;
  g_slist_free_full (arena->chunks, g_free);
  g_free (arena);
}

gpointer
plan__sql_arena_alloc (PlanSqlArena *arena, gsize size)
{
  gpointer p;

  size = (size + 15) & ~(gsize) 15;
  if (size > arena->left)
    {
      gsize chunk = MAX (ARENA_CHUNK, size);
      arena->cur = g_malloc0 (chunk);
      arena->left = chunk;
      arena->chunks = g_slist_prepend (arena->chunks, arena->cur);
    }
  p = arena->cur;
  arena->cur += size;
  arena->left -= size;
  return p;
}

char *
plan__sql_arena_strndup (PlanSqlArena *arena, const char *text, gsize len)
{
  char *s = plan__sql_arena_alloc (arena, len + 1);
  memcpy (s, text, len);
  s[len] = '\0';
  return s;
}

/* ---- errors and suggestions -------------------------------------------------------- */

void
plan__sql_error (GError **error, PlanErrorCode code, PlanSpan span, const char *format, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, PLAN_ERROR, code, "%u:%u: %s", MAX (span.line, 1), MAX (span.col, 1),
               msg);
}

/* Optimal string alignment distance (an adjacent swap costs 1), ASCII case folded. */
static guint
edit_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *d = NULL;
  guint result;

  if (la > 64 || lb > 64)
    return G_MAXUINT;
  d = g_new (guint, (la + 1) * (lb + 1));
#define D(i, j) d[(i) * (lb + 1) + (j)]
  for (gsize i = 0; i <= la; i++)
    D (i, 0) = i;
  for (gsize j = 0; j <= lb; j++)
    D (0, j) = j;
  for (gsize i = 1; i <= la; i++)
    for (gsize j = 1; j <= lb; j++)
      {
        guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;
        guint v = MIN (D (i - 1, j) + 1, D (i, j - 1) + 1);
        v = MIN (v, D (i - 1, j - 1) + cost);
        if (i > 1 && j > 1 && g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 2])
            && g_ascii_tolower (a[i - 2]) == g_ascii_tolower (b[j - 1]))
          v = MIN (v, D (i - 2, j - 2) + 1);
        D (i, j) = v;
      }
  result = D (la, lb);
#undef D
  return result;
}

const char *
plan__sql_closest (const char *name, const char *const *candidates, guint n)
{
  gsize len = strlen (name);
  guint limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
  guint best_d = G_MAXUINT;
  const char *best = NULL;

  for (guint i = 0; i < n; i++)
    {
      guint d;
      if (candidates[i] == NULL)
        continue;
      d = edit_distance (name, candidates[i]);
      if (d < best_d)
        {
          best_d = d;
          best = candidates[i];
        }
    }
  if (best == NULL || best_d == 0 || best_d > limit || best_d >= len)
    return NULL;
  return best;
}

/* ---- lexer ------------------------------------------------------------------------- */

typedef struct {
  const char *s;
  gsize pos;
  guint line;
  guint col;
} Lexer;

static void
lx_advance (Lexer *lx, gsize n)
{
  for (gsize i = 0; i < n && lx->s[lx->pos] != '\0'; i++)
    {
      guchar c = (guchar) lx->s[lx->pos++];
      if (c == '\n')
        {
          lx->line++;
          lx->col = 1;
        }
      else if ((c & 0xC0) != 0x80) /* count characters, not UTF-8 continuation bytes */
        lx->col++;
    }
}

static PlanSpan
lx_here (const Lexer *lx)
{
  return (PlanSpan) { lx->pos, lx->pos, lx->line, lx->col };
}

static gboolean
is_ident_start (guchar c)
{
  return g_ascii_isalpha (c) || c == '_' || c >= 0x80;
}

static gboolean
is_ident_char (guchar c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '$' || c >= 0x80;
}

/* Skips blanks and comments; FALSE (with error) on an unterminated block comment. */
static gboolean
lx_skip_space (Lexer *lx, GError **error)
{
  for (;;)
    {
      const char *p = lx->s + lx->pos;
      if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
        lx_advance (lx, 1);
      else if (p[0] == '-' && p[1] == '-')
        {
          while (lx->s[lx->pos] != '\0' && lx->s[lx->pos] != '\n')
            lx_advance (lx, 1);
        }
      else if (p[0] == '/' && p[1] == '*')
        {
          PlanSpan start = lx_here (lx);
          const char *end = strstr (p + 2, "*/");
          if (end == NULL)
            {
              plan__sql_error (error, PLAN_ERROR_SYNTAX, start,
                               "Unterminated comment: add the closing */");
              return FALSE;
            }
          lx_advance (lx, (gsize) (end + 2 - p));
        }
      else
        return TRUE;
    }
}

/* A quoted run ending at the first unpaired quote character q; FALSE if it never ends. */
static gboolean
lx_quoted (Lexer *lx, char q)
{
  lx_advance (lx, 1);
  for (;;)
    {
      char c = lx->s[lx->pos];
      if (c == '\0')
        return FALSE;
      if (c == q && lx->s[lx->pos + 1] == q)
        lx_advance (lx, 2);
      else if (c == q)
        {
          lx_advance (lx, 1);
          return TRUE;
        }
      else
        lx_advance (lx, 1);
    }
}

static gboolean
lx_number (Lexer *lx, PlanToken *tok, GError **error)
{
  const char *s = lx->s;
  gsize p = lx->pos;
  PlanTokKind kind = PLAN_TOK_INTEGER;

  while (g_ascii_isdigit (s[p]))
    p++;
  if (s[p] == '.')
    {
      kind = PLAN_TOK_DECIMAL;
      p++;
      while (g_ascii_isdigit (s[p]))
        p++;
    }
  if (s[p] == 'e' || s[p] == 'E')
    {
      gsize q = p + 1;
      if (s[q] == '+' || s[q] == '-')
        q++;
      if (g_ascii_isdigit (s[q]))
        {
          kind = PLAN_TOK_FLOAT;
          p = q;
          while (g_ascii_isdigit (s[p]))
            p++;
        }
    }
  if (is_ident_char ((guchar) s[p]) || s[p] == '.')
    {
      gsize q = p;
      while (is_ident_char ((guchar) s[q]) || s[q] == '.')
        q++;
      plan__sql_error (error, PLAN_ERROR_SYNTAX, lx_here (lx), "Malformed number '%.*s'",
                       (int) MIN (q - lx->pos, 40), s + lx->pos);
      return FALSE;
    }
  tok->kind = kind;
  lx_advance (lx, p - lx->pos);
  return TRUE;
}

static gboolean
lx_operator (Lexer *lx, PlanToken *tok, GError **error)
{
  static const struct {
    const char *text;
    PlanTokKind kind;
  } ops[] = {
    { "||", PLAN_TOK_CONCAT }, { "|>", PLAN_TOK_PIPE }, { "=>", PLAN_TOK_ARROW },
    { "<>", PLAN_TOK_NE }, { "!=", PLAN_TOK_NE }, { "<=", PLAN_TOK_LE }, { ">=", PLAN_TOK_GE },
    { ",", PLAN_TOK_COMMA }, { ".", PLAN_TOK_DOT }, { ";", PLAN_TOK_SEMICOLON },
    { "(", PLAN_TOK_LPAREN }, { ")", PLAN_TOK_RPAREN }, { "[", PLAN_TOK_LBRACKET },
    { "]", PLAN_TOK_RBRACKET }, { "+", PLAN_TOK_PLUS }, { "-", PLAN_TOK_MINUS },
    { "*", PLAN_TOK_STAR }, { "/", PLAN_TOK_SLASH }, { "%", PLAN_TOK_PERCENT },
    { "=", PLAN_TOK_EQ }, { "<", PLAN_TOK_LT }, { ">", PLAN_TOK_GT },
  };
  const char *p = lx->s + lx->pos;
  guchar c = (guchar) *p;

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      gsize len = strlen (ops[i].text);
      if (strncmp (p, ops[i].text, len) == 0)
        {
          tok->kind = ops[i].kind;
          lx_advance (lx, len);
          return TRUE;
        }
    }
  if (c < 0x20 || c == 0x7f)
    plan__sql_error (error, PLAN_ERROR_SYNTAX, lx_here (lx),
                     "Unexpected control character 0x%02x", c);
  else
    plan__sql_error (error, PLAN_ERROR_SYNTAX, lx_here (lx), "Unexpected character '%c'", c);
  return FALSE;
}

static gboolean
lx_token (Lexer *lx, PlanToken *tok, GError **error)
{
  const char *s = lx->s;
  guchar c = (guchar) s[lx->pos];
  PlanSpan start = lx_here (lx);

  if (c == '\'' || c == '`' || c == '"')
    {
      gboolean is_string = c == '\'';
      if (!lx_quoted (lx, (char) c))
        {
          if (is_string)
            plan__sql_error (error, PLAN_ERROR_SYNTAX, start,
                             "Unterminated string literal: add the closing '");
          else
            plan__sql_error (error, PLAN_ERROR_SYNTAX, start,
                             "Unterminated quoted identifier: add the closing %c", c);
          return FALSE;
        }
      if (!is_string && lx->pos - start.start == 2)
        {
          plan__sql_error (error, PLAN_ERROR_SYNTAX, start, "Empty quoted identifier");
          return FALSE;
        }
      tok->kind = is_string ? PLAN_TOK_STRING : PLAN_TOK_QUOTED_IDENT;
    }
  else if (g_ascii_isdigit (c) || (c == '.' && g_ascii_isdigit (s[lx->pos + 1])))
    {
      if (!lx_number (lx, tok, error))
        return FALSE;
    }
  else if (is_ident_start (c))
    {
      gsize p = lx->pos;
      while (is_ident_char ((guchar) s[p]))
        p++;
      tok->kind = PLAN_TOK_IDENT;
      lx_advance (lx, p - lx->pos);
    }
  else if (!lx_operator (lx, tok, error))
    return FALSE;
  tok->span = start;
  tok->span.end = lx->pos;
  return TRUE;
}

/* Line and column of a byte offset, for errors found before lexing (bad UTF-8). */
static PlanSpan
span_of_offset (const char *script, gsize offset)
{
  Lexer lx = { script, 0, 1, 1 };
  lx_advance (&lx, offset);
  return lx_here (&lx);
}

GArray *
plan__sql_lex (const char *script, GError **error)
{
  g_autoptr (GArray) toks = g_array_new (FALSE, TRUE, sizeof (PlanToken));
  Lexer lx = { script, 0, 1, 1 };
  PlanSpan last_end = { 0, 0, 1, 1 };
  const char *bad;
  PlanToken eof = { PLAN_TOK_EOF, { 0 } };

  if (!g_utf8_validate (script, -1, &bad))
    {
      plan__sql_error (error, PLAN_ERROR_SYNTAX, span_of_offset (script, bad - script),
                       "Invalid UTF-8 byte 0x%02x: save the script as UTF-8",
                       (guchar) *bad);
      return NULL;
    }
  for (;;)
    {
      PlanToken tok = { 0 };
      if (!lx_skip_space (&lx, error))
        return NULL;
      if (script[lx.pos] == '\0')
        break;
      if (!lx_token (&lx, &tok, error))
        return NULL;
      g_array_append_val (toks, tok);
      last_end = lx_here (&lx);
    }
  eof.span = last_end;
  g_array_append_val (toks, eof);
  return g_steal_pointer (&toks);
}

char *
plan__sql_token_value (PlanSqlArena *arena, const char *script, const PlanToken *token)
{
  const char *text = script + token->span.start;
  gsize len = token->span.end - token->span.start;
  char *out, *w;
  char q;

  if (token->kind != PLAN_TOK_STRING && token->kind != PLAN_TOK_QUOTED_IDENT)
    return plan__sql_arena_strndup (arena, text, len);
  q = text[0];
  out = w = plan__sql_arena_alloc (arena, len);
  for (gsize i = 1; i + 1 < len; i++)
    {
      *w++ = text[i];
      if (text[i] == q) /* a doubled quote stands for one */
        i++;
    }
  *w = '\0';
  return out;
}

/* ---- REPL helpers ------------------------------------------------------------------ */

gboolean
plan_sql_is_complete (const char *text)
{
  const char *p;

  g_return_val_if_fail (text != NULL, FALSE);
  for (p = text; *p != '\0'; p++)
    {
      if (*p == ';')
        return TRUE;
      if (*p == '\'' || *p == '"' || *p == '`')
        {
          char q = *p;
          for (p++; *p != '\0' && *p != q; p++)
            ;
          if (*p == '\0')
            return FALSE;
        }
      else if (p[0] == '-' && p[1] == '-')
        {
          for (; *p != '\0' && *p != '\n'; p++)
            ;
          if (*p == '\0')
            return FALSE;
        }
      else if (p[0] == '/' && p[1] == '*')
        {
          const char *end = strstr (p + 2, "*/");
          if (end == NULL)
            return FALSE;
          p = end + 1;
        }
    }
  return FALSE;
}

const char *const *
plan_sql_keywords (void)
{
  static const char *const keywords[] = {
    "ABS", "AGGREGATE", "ALL", "AND", "AS", "ASC", "AVG", "BETWEEN", "BIGINT", "BOOL",
    "BOOLEAN", "BOTH", "BY", "CASE", "CAST", "CEIL", "CEILING", "CHAR", "CHARACTER",
    "CHARACTER_LENGTH", "CHAR_LENGTH", "COALESCE", "COMMENT", "CONCAT", "CONSTRAINT",
    "COUNT", "CREATE", "CROSS", "CUMULATE", "CURRENT_TIMESTAMP", "DATE", "DAY",
    "DAYOFMONTH", "DECIMAL", "DESC", "DESCRIBE", "DESCRIPTOR", "DISTINCT", "DOUBLE", "DROP",
    "ELSE", "END", "ENFORCED", "ESCAPE", "ESTIMATED_COST", "EXCEPT", "EXISTS", "EXP",
    "EXPLAIN", "EXTEND", "EXTRACT", "FALSE", "FETCH", "FIRST", "FLOAT", "FLOOR", "FOR",
    "FROM", "FULL", "GROUP", "HAVING", "HOP", "HOUR", "IF", "IN", "INNER", "INSERT", "INT",
    "INTEGER", "INTERSECT", "INTERVAL", "INTO", "IS", "JOIN", "JSON_EXECUTION_PLAN", "KEY",
    "LAST", "LEADING", "LEFT", "LIKE", "LIMIT", "LN", "LOCAL", "LOCALTIMESTAMP", "LOG10",
    "LOWER", "LTRIM", "MAX", "MIN", "MINUTE", "MOD", "MONTH", "NEXT", "NOT", "NOW", "NULL",
    "NULLIF", "NULLS", "NUMERIC", "OF", "OFFSET", "ON", "ONLY", "OR", "ORDER", "OUTER",
    "OVER", "PARTITION", "PLAN", "PLAN_ADVICE", "POSITION", "POWER", "PRECISION", "PRIMARY",
    "REAL", "RECURSIVE", "REPLACE", "RESET", "RIGHT", "ROUND", "ROW", "ROWS", "RTRIM",
    "SECOND", "SELECT", "SESSION", "SET", "SHOW", "SMALLINT", "SQRT", "STRING", "SUBSTR",
    "SUBSTRING", "SUM", "SYSTEM_TIME", "TABLE", "TABLES", "TEMPORARY", "THEN", "TIME",
    "TIMESTAMP", "TINYINT", "TRAILING", "TRIM", "TRUE", "TRY_CAST", "TUMBLE", "UNION",
    "UNKNOWN", "UPPER", "USING", "VALUES", "VARCHAR", "VARYING", "VIEW", "VIEWS",
    "WATERMARK", "WHEN", "WHERE", "WITH", "YEAR", "ZONE", NULL,
  };
  return keywords;
}

/* ---- error display ----------------------------------------------------------------- */

gboolean
plan_sql_error_position (const GError *error, guint *line, guint *col)
{
  const char *p;
  guint64 l, c;
  char *end;

  if (error == NULL || error->message == NULL || !g_ascii_isdigit (error->message[0]))
    return FALSE;
  p = error->message;
  l = g_ascii_strtoull (p, &end, 10);
  if (*end != ':' || !g_ascii_isdigit (end[1]))
    return FALSE;
  c = g_ascii_strtoull (end + 1, &end, 10);
  if (end[0] != ':' || end[1] != ' ' || l == 0 || c == 0 || l > G_MAXUINT || c > G_MAXUINT)
    return FALSE;
  if (line != NULL)
    *line = (guint) l;
  if (col != NULL)
    *col = (guint) c;
  return TRUE;
}

char *
plan_sql_format_error (const char *script, const GError *error)
{
  GString *out;
  guint line, col;
  const char *msg, *p, *eol;
  g_autofree char *prefix = NULL;

  g_return_val_if_fail (error != NULL, NULL);
  out = g_string_new ("ERROR: ");
  if (!plan_sql_error_position (error, &line, &col) || script == NULL)
    {
      g_string_append_printf (out, "%s\n", error->message);
      return g_string_free (out, FALSE);
    }
  msg = strstr (error->message, ": ") + 2;
  g_string_append_printf (out, "%s\n", msg);
  p = script;
  for (guint l = 1; l < line && p != NULL; l++)
    {
      p = strchr (p, '\n');
      if (p != NULL)
        p++;
    }
  if (p == NULL)
    return g_string_free (out, FALSE);
  eol = strchr (p, '\n');
  if (eol == NULL)
    eol = p + strlen (p);
  if (eol > p && eol[-1] == '\r')
    eol--;
  prefix = g_strdup_printf ("LINE %u: ", line);
  g_string_append_printf (out, "%s%.*s\n", prefix, (int) (eol - p), p);
  for (gsize i = 0; prefix[i] != '\0'; i++)
    g_string_append_c (out, ' ');
  /* one blank per character before the caret; tabs stay tabs so the caret lines up */
  for (guint c = 1; c < col && p < eol; c++)
    {
      g_string_append_c (out, *p == '\t' ? '\t' : ' ');
      p = g_utf8_next_char (p);
    }
  g_string_append (out, "^\n");
  return g_string_free (out, FALSE);
}
