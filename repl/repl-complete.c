/* repl-complete.c: what Tab may complete to, worked out from the text typed so far.
 *
 * repl_complete looks at the whole statement being typed (earlier lines included) and
 * the word before the cursor, and picks the candidates by context:
 *
 *   \na|                      meta-command names
 *   \open x|  \save  \export  file paths          \set f|  variable names, then values
 *   SET 'pa|                  setting keys (the closing quote follows a sole match)
 *   'path' = '/tm|            file paths, in any WITH (...) option named path
 *   bid.pr|  b.pr|            columns of table or view bid (or of the table aliased b)
 *   anything else             keywords, functions, tables, views, and the columns of
 *                             the tables the statement names
 *
 * It needs no terminal: the readline glue in repl-shell.c only hands over the text and
 * cursor, so the tests drive this function directly. Words break where readline is told
 * to break them (REPL_COMPLETE_BREAKS), so both agree where the word starts; the
 * backslash is not a break, so "\jo" is one word. */
#include "repl-private.h"

#include <string.h>

/* Functions the binder accepts by name (plans/plan-sql-binder.c); keywords that are
 * functions too come from plan_sql_keywords. */
static const char *const functions[] = {
  "ABS", "CEIL", "CEILING", "CHAR_LENGTH", "CHARACTER_LENGTH", "COALESCE", "CONCAT",
  "CURRENT_TIMESTAMP", "DAY", "DAYOFMONTH", "EXP", "FLOOR", "HOUR", "LN", "LOCALTIMESTAMP",
  "LOG10", "LOWER", "LTRIM", "MINUTE", "MOD", "MONTH", "NOW", "NULLIF", "POSITION", "POWER",
  "REPLACE", "ROUND", "RTRIM", "SECOND", "SQRT", "SUBSTR", "SUBSTRING", "TRIM", "UPPER",
  "YEAR", "CAST", "EXTRACT", NULL,
};

static const char *const formats[] = { "table", "live", "changelog", "csv", "json", NULL };

void
repl_completion_free (ReplCompletion *completion)
{
  if (completion == NULL)
    return;
  g_strfreev (completion->candidates);
  g_free (completion);
}

static gboolean
is_break (char c)
{
  return c != '\0' && strchr (REPL_COMPLETE_BREAKS, c) != NULL;
}

/* Adds the words of list that start with prefix (ASCII case-insensitively); keywords
 * take the case of what was typed (upper when nothing or upper case was typed). */
static void
add_prefixed (GPtrArray *out, const char *const *list, const char *prefix, gboolean fold)
{
  gsize len = strlen (prefix);
  gboolean lower = FALSE;

  for (const char *p = prefix; *p != '\0'; p++)
    lower |= g_ascii_islower (*p);
  for (guint i = 0; list != NULL && list[i] != NULL; i++)
    if (g_ascii_strncasecmp (list[i], prefix, len) == 0)
      g_ptr_array_add (out, !fold ? g_strdup (list[i])
                            : lower ? g_ascii_strdown (list[i], -1)
                            : g_ascii_strup (list[i], -1));
}

/* The schema of the table or view called name, or NULL. */
static PlanSchema *
relation_schema (PlanCatalog *catalog, const char *name)
{
  PlanTable *table = plan_catalog_get_table (catalog, name);
  PlanNode *view;

  if (table != NULL)
    return table->schema;
  view = plan_catalog_get_view (catalog, name, NULL);
  return view != NULL ? view->schema : NULL;
}

/* The identifiers of text, in order. */
static GPtrArray *
identifiers (const char *text)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  const char *p = text;

  while (*p != '\0')
    {
      if (*p == '\'')
        {
          for (p++; *p != '\0' && *p != '\''; p++)
            ;
          p += *p != '\0';
        }
      else if (g_ascii_isalpha (*p) || *p == '_')
        {
          const char *start = p;

          while (g_ascii_isalnum (*p) || *p == '_')
            p++;
          g_ptr_array_add (out, g_strndup (start, p - start));
        }
      else
        p++;
    }
  return out;
}

/* The table or view that name stands for in statement: itself, or the relation it
 * aliases ("FROM bid b", "FROM bid AS b"). NULL when neither. */
static PlanSchema *
resolve_relation (PlanCatalog *catalog, const char *statement, const char *name)
{
  g_autoptr (GPtrArray) ids = NULL;
  PlanSchema *schema = relation_schema (catalog, name);

  if (schema != NULL)
    return schema;
  ids = identifiers (statement);
  for (guint i = 1; i < ids->len; i++)
    {
      const char *word = g_ptr_array_index (ids, i);
      const char *before = g_ptr_array_index (ids, i - 1);

      if (g_ascii_strcasecmp (word, name) != 0)
        continue;
      if (g_ascii_strcasecmp (before, "AS") == 0 && i >= 2)
        before = g_ptr_array_index (ids, i - 2);
      if ((schema = relation_schema (catalog, before)) != NULL)
        return schema;
    }
  return NULL;
}

static void
add_columns (GPtrArray *out, const PlanSchema *schema, const char *qualifier,
             const char *prefix)
{
  gsize len = strlen (prefix);

  for (guint i = 0; schema != NULL && i < schema->n_fields; i++)
    if (g_ascii_strncasecmp (schema->fields[i].name, prefix, len) == 0)
      g_ptr_array_add (out, qualifier != NULL
                            ? g_strconcat (qualifier, ".", schema->fields[i].name, NULL)
                            : g_strdup (schema->fields[i].name));
}

/* TRUE when before (the statement's text up to the word being typed) ends with FROM,
 * JOIN, INTO or DESCRIBE and a blank: only a table or view may follow. */
static gboolean
after_relation_keyword (const char *before)
{
  static const char *const keywords[] = { "FROM", "JOIN", "INTO", "DESCRIBE", NULL };
  g_autoptr (GPtrArray) ids = identifiers (before);
  gsize len = strlen (before);
  const char *last;

  if (ids->len == 0 || len == 0 || !g_ascii_isspace (before[len - 1]))
    return FALSE;
  last = g_ptr_array_index (ids, ids->len - 1);
  for (guint i = 0; keywords[i] != NULL; i++)
    if (g_ascii_strcasecmp (last, keywords[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Keywords, functions, tables, views and the columns of the relations the statement
 * names; only tables and views right after FROM, JOIN, INTO and DESCRIBE. */
static void
complete_sql (GPtrArray *out, GwClient *client, const char *statement, const char *before,
              const char *word)
{
  PlanCatalog *catalog = gw_client_get_catalog (client);
  g_auto (GStrv) tables = catalog != NULL ? plan_catalog_list_tables (catalog) : NULL;
  g_auto (GStrv) views = catalog != NULL ? plan_catalog_list_views (catalog) : NULL;
  const char *dot = strrchr (word, '.');
  g_autoptr (GPtrArray) ids = NULL;

  if (dot != NULL)
    {
      g_autofree char *qualifier = g_strndup (word, dot - word);

      if (catalog != NULL)
        add_columns (out, resolve_relation (catalog, statement, qualifier), qualifier,
                     dot + 1);
      return;
    }
  add_prefixed (out, (const char *const *) tables, word, FALSE);
  add_prefixed (out, (const char *const *) views, word, FALSE);
  if (after_relation_keyword (before))
    return;
  add_prefixed (out, plan_sql_keywords (), word, TRUE);
  add_prefixed (out, functions, word, TRUE);
  if (catalog == NULL)
    return;
  ids = identifiers (statement);
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      gboolean seen = FALSE;

      for (guint j = 0; j < i && !seen; j++)
        seen = g_ascii_strcasecmp (id, g_ptr_array_index (ids, j)) == 0;
      if (!seen)
        add_columns (out, relation_schema (catalog, id), NULL, word);
    }
}

/* File names starting with word ("~/" is the home folder); folders end in '/'. */
static void
complete_path (GPtrArray *out, const char *word)
{
  const char *slash = strrchr (word, '/');
  g_autofree char *shown_dir = slash != NULL ? g_strndup (word, slash + 1 - word)
                                             : g_strdup ("");
  const char *base = slash != NULL ? slash + 1 : word;
  g_autofree char *dir = NULL;
  g_autoptr (GDir) listing = NULL;
  const char *name;

  if (g_str_has_prefix (shown_dir, "~/"))
    dir = g_build_filename (g_get_home_dir (), shown_dir + 2, NULL);
  else
    dir = g_strdup (shown_dir[0] != '\0' ? shown_dir : ".");
  listing = g_dir_open (dir, 0, NULL);
  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *full = NULL;

      if (!g_str_has_prefix (name, base) || (name[0] == '.' && base[0] != '.'))
        continue;
      full = g_build_filename (dir, name, NULL);
      g_ptr_array_add (out, g_strconcat (shown_dir, name,
                                         g_file_test (full, G_FILE_TEST_IS_DIR) ? "/" : "",
                                         NULL));
    }
}

/* Where the word before point starts. */
static gsize
word_start (const char *text, gsize point)
{
  gsize start = point;

  while (start > 0 && !is_break (text[start - 1]))
    start--;
  return start;
}

/* TRUE when offset is inside a '...' literal of text (doubled quotes stay inside). */
static gboolean
in_quotes (const char *text, gsize offset)
{
  gboolean inside = FALSE;

  for (gsize i = 0; i < offset; i++)
    if (text[i] == '\'')
      inside = !inside;
  return inside;
}

/* TRUE when text[0..end), blanks at its end skipped, ends with the whole word word. */
static gboolean
ends_with_word (const char *text, gsize end, const char *word)
{
  gsize len = strlen (word);

  while (end > 0 && g_ascii_isspace (text[end - 1]))
    end--;
  if (end < len || g_ascii_strncasecmp (text + end - len, word, len) != 0)
    return FALSE;
  return end == len || !(g_ascii_isalnum (text[end - len - 1]) || text[end - len - 1] == '_');
}

/* Inside a quoted literal whose quote is at quote: setting keys after SET, paths after
 * 'path' =. */
static void
complete_literal (ReplCompletion *c, GPtrArray *out, GwClient *client, const char *text,
                  gsize quote, const char *word)
{
  gsize end = quote;

  if (ends_with_word (text, quote, "SET"))
    {
      PlanSettings *settings = gw_client_get_settings (client);
      g_auto (GStrv) pairs = settings != NULL ? plan_settings_list (settings) : NULL;

      for (guint i = 0; pairs != NULL && pairs[i] != NULL && pairs[i + 1] != NULL; i += 2)
        if (g_str_has_prefix (pairs[i], word))
          g_ptr_array_add (out, g_strdup (pairs[i]));
      c->append = '\'';
      return;
    }
  while (end > 0 && g_ascii_isspace (text[end - 1]))
    end--;
  if (end == 0 || text[end - 1] != '=')
    return;
  end--;
  while (end > 0 && g_ascii_isspace (text[end - 1]))
    end--;
  if (end >= 6 && g_ascii_strncasecmp (text + end - 6, "'path'", 6) == 0)
    {
      complete_path (out, word);
      c->append = '\'';
    }
}

/* A meta-command line: line is its text up to point, word the word being typed. */
static void
complete_meta (ReplCompletion *c, GPtrArray *out, GwClient *client, const char *line,
               const char *word)
{
  static const char *const file_commands[] = { "\\open", "\\save", "\\export", NULL };
  g_auto (GStrv) words = g_strsplit_set (line, " \t", -1);
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  guint n;
  const ReplMetaInfo *metas = repl_meta_commands (&n);

  for (guint i = 1; words[i] != NULL; i++)
    if (words[i][0] != '\0' || words[i + 1] == NULL)
      g_ptr_array_add (args, words[i]);
  if (args->len == 0) /* still typing the command's name */
    {
      for (guint i = 0; i < n; i++)
        if (g_str_has_prefix (metas[i].name, word))
          g_ptr_array_add (out, g_strdup (metas[i].name));
      return;
    }
  if (g_strv_contains (file_commands, words[0]) && repl_meta_lookup (words[0]) != NULL)
    complete_path (out, word);
  else if (strcmp (words[0], "\\set") == 0 || strcmp (words[0], "\\unset") == 0)
    {
      static const char *const variables[] = { "format", "timing", "pager", NULL };
      static const char *const switches[] = { "on", "off", NULL };

      if (args->len == 1)
        add_prefixed (out, variables, word, FALSE);
      else if (args->len == 2 && strcmp (words[0], "\\set") == 0)
        add_prefixed (out, strcmp (args->pdata[0], "format") == 0 ? formats : switches,
                      word, FALSE);
    }
  else if (strcmp (words[0], "\\explain") == 0 || strcmp (words[0], "\\plan") == 0)
    {
      g_autofree char *before = g_strndup (line, strlen (line) - strlen (word));

      complete_sql (out, client, line, before, word);
    }
  else if (strcmp (words[0], "\\help") == 0 && args->len == 1)
    for (guint i = 0; i < n; i++)
      if (g_str_has_prefix (metas[i].name, word))
        g_ptr_array_add (out, g_strdup (metas[i].name));
  c->append = ' ';
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Sorted, without repeats, as a NULL-terminated vector. */
static char **
finish_candidates (GPtrArray *out)
{
  GPtrArray *unique = g_ptr_array_new ();

  g_ptr_array_sort (out, compare_strings);
  for (guint i = 0; i < out->len; i++)
    if (unique->len == 0 || strcmp (unique->pdata[unique->len - 1], out->pdata[i]) != 0)
      g_ptr_array_add (unique, g_strdup (out->pdata[i]));
  g_ptr_array_add (unique, NULL);
  return (char **) g_ptr_array_free (unique, FALSE);
}

ReplCompletion *
repl_complete (GwClient *client, const char *text, gsize point)
{
  ReplCompletion *c = g_new0 (ReplCompletion, 1);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *word = NULL;
  gsize line_start, statement_start, statement_end;
  const char *line;

  g_return_val_if_fail (client != NULL && text != NULL && point <= strlen (text), NULL);
  c->start = word_start (text, point);
  c->append = ' ';
  word = g_strndup (text + c->start, point - c->start);
  line_start = c->start;
  while (line_start > 0 && text[line_start - 1] != '\n')
    line_start--;
  line = text + line_start;
  while (*line == ' ' || *line == '\t')
    line++;
  statement_start = c->start;
  while (statement_start > 0 && text[statement_start - 1] != ';')
    statement_start--;
  statement_end = point;
  while (text[statement_end] != '\0' && text[statement_end] != ';')
    statement_end++;
  if (c->start > 0 && text[c->start - 1] == '\'' && in_quotes (text, c->start))
    complete_literal (c, out, client, text, c->start - 1, word);
  else if (in_quotes (text, c->start))
    ;
  else if (*line == '\\')
    {
      g_autofree char *upto = g_strndup (line, text + point - line);

      complete_meta (c, out, client, upto, word);
    }
  else
    {
      g_autofree char *statement = g_strndup (text + statement_start,
                                              statement_end - statement_start);
      g_autofree char *before = g_strndup (text + statement_start,
                                           c->start - statement_start);

      complete_sql (out, client, statement, before, word);
    }
  if (out->len == 1 && g_str_has_suffix (out->pdata[0], "/"))
    c->append = '\0'; /* a folder: go on typing inside it */
  c->candidates = finish_candidates (out);
  return c;
}
