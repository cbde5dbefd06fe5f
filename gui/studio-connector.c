/* studio-connector.c: connector nodes, sources and sinks that define their own table.
 *
 * A connector node stands for one CREATE TABLE ... WITH ('connector' = ...) statement:
 * the node keeps the parts a user edits (name, column list, option lines, watermark) as
 * text, and the statement is assembled from them whenever it is needed, so the model
 * holds no second representation that could drift from the SQL. Checking a node compiles
 * that statement with the real binder (a type typo, a bad watermark) and then builds the
 * engine's own source or sink operator from the bound table, because the engine, not the
 * binder, validates option values ('number-of-rows' = 'abc') and does so when the
 * operator is constructed, before any thread runs. Sinks that touch the file system or a
 * database when constructed (filesystem, jdbc) are only bound, never built, here.
 *
 * The SQL direction needs tables that exist only in the text: a script's CREATE TABLEs
 * are bound into a copy of the session catalog (studio_sql_compile_script), never into
 * the session's own, so looking at SQL in the designer changes nothing in the session. */
#include "studio-pipeline.h"
#include "plans/plan-sql.h"
#include "runtime/engine/rt-operator.h"

#include <string.h>

static const char *const source_connectors[] = { "datagen", "filesystem", "nexmark", NULL };
static const char *const sink_connectors[] = { "print", "blackhole", "filesystem", "jdbc",
                                               NULL };

static const struct {
  const char *connector;
  const char *hint;
} hints[] = {
  { "datagen", "number-of-rows, rows-per-second, seed, fields.<col>.kind|min|max|length|"
               "start|end" },
  { "filesystem", "path, format (csv), csv.header, csv.field-delimiter, csv.null-literal, "
                  "csv.ignore-parse-errors" },
  { "nexmark", "events.num, first-event.rate, next-event.rate, seed, rate.limited" },
  { "print", "print-identifier, standard-error, sink.parallelism" },
  { "blackhole", "sink.parallelism, throttle.rows-per-second" },
  { "jdbc", "url (a SQLite file), table-name, sink.parallelism" },
};

gboolean
studio_node_is_connector (const StudioNode *n)
{
  return n != NULL && (n->kind == STUDIO_NODE_SOURCE || n->kind == STUDIO_NODE_SINK)
         && n->connector != NULL && *n->connector != '\0';
}

const char *const *
studio_connector_list (StudioNodeKind kind)
{
  return kind == STUDIO_NODE_SINK ? sink_connectors : source_connectors;
}

const char *
studio_connector_hint (const char *connector)
{
  for (guint i = 0; connector != NULL && i < G_N_ELEMENTS (hints); i++)
    if (g_str_equal (connector, hints[i].connector))
      return hints[i].hint;
  return "";
}

static gboolean
is_listed (const char *const *list, const char *name)
{
  for (guint i = 0; list[i] != NULL; i++)
    if (g_str_equal (list[i], name))
      return TRUE;
  return FALSE;
}

/* ---- the CREATE TABLE text ------------------------------------------------------------ */

/* Where each part the user typed starts in the generated statement, to turn the binder's
 * position into one the user can find. */
typedef struct {
  guint name, columns, watermark, options, end;
} Parts;

static void
append_quoted (GString *out, const char *s)
{
  g_string_append_c (out, '\'');
  for (; *s != '\0'; s++)
    {
      if (*s == '\'')
        g_string_append_c (out, '\'');
      g_string_append_c (out, *s);
    }
  g_string_append_c (out, '\'');
}

/* "key = value" with optional quotes around either side, as typed in the inspector. */
static char *
unquote (char *s)
{
  gsize n;

  g_strstrip (s);
  n = strlen (s);
  if (n >= 2 && s[0] == '\'' && s[n - 1] == '\'')
    {
      memmove (s, s + 1, n - 2);
      s[n - 2] = '\0';
    }
  return s;
}

static gboolean
append_options (GString *out, const char *options, GError **error)
{
  g_auto (GStrv) lines = g_strsplit (options, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *eq = strchr (lines[i], '=');
      char *key, *value;

      if (*g_strstrip (lines[i]) == '\0')
        continue;
      if (eq == NULL || eq == lines[i])
        {
          g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
                       "Option line %u ('%s') is not key = value, e.g. number-of-rows = 100",
                       i + 1, lines[i]);
          return FALSE;
        }
      *eq = '\0';
      key = unquote (lines[i]);
      value = unquote (eq + 1);
      g_string_append (out, ", ");
      append_quoted (out, key);
      g_string_append (out, " = ");
      append_quoted (out, value);
    }
  return TRUE;
}

static char *
table_sql (const StudioNode *n, Parts *parts, GError **error)
{
  g_autoptr (GString) out = g_string_new ("CREATE TABLE ");

  parts->name = out->len;
  g_string_append_printf (out, "%s (", n->text);
  parts->columns = out->len;
  g_string_append (out, n->columns);
  parts->watermark = G_MAXUINT;
  if (n->watermark != NULL && *n->watermark != '\0')
    {
      g_string_append (out, ", WATERMARK FOR ");
      parts->watermark = out->len;
      g_string_append (out, n->watermark);
    }
  g_string_append (out, ") WITH (");
  parts->options = out->len;
  g_string_append (out, "'connector' = ");
  append_quoted (out, n->connector);
  if (!append_options (out, n->options != NULL ? n->options : "", error))
    return NULL;
  g_string_append (out, ")");
  parts->end = out->len;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
studio_node_table_sql (const StudioNode *n, GError **error)
{
  Parts parts;

  g_return_val_if_fail (studio_node_is_connector (n), NULL);
  return table_sql (n, &parts, error);
}

/* The bound table of a connector node, or NULL (error: the binder's, position kept). */
static PlanTable *
node_table (const StudioNode *n, Parts *parts, GError **error)
{
  g_autofree char *sql = table_sql (n, parts, error);
  g_autoptr (PlanCatalog) empty = NULL;
  g_autoptr (PlanStatement) stmt = NULL;

  if (sql == NULL)
    return NULL;
  empty = plan_catalog_new ();
  stmt = plan_sql_compile_one (empty, sql, error);
  if (stmt == NULL)
    return NULL;
  if (stmt->kind != PLAN_STMT_CREATE_TABLE)
    {
      g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
                   "The table name '%s' is not a plain name", n->text);
      return NULL;
    }
  return plan_table_ref (stmt->table);
}

/* ---- catalogs ------------------------------------------------------------------------- */

static void
copy_catalog (PlanCatalog *to, PlanCatalog *base, GPtrArray *shadowed)
{
  g_auto (GStrv) tables = base != NULL ? plan_catalog_list_tables (base) : NULL;
  g_auto (GStrv) views = base != NULL ? plan_catalog_list_views (base) : NULL;

  for (guint i = 0; tables != NULL && tables[i] != NULL; i++)
    {
      gboolean hidden = FALSE;
      for (guint k = 0; shadowed != NULL && k < shadowed->len; k++)
        hidden |= g_ascii_strcasecmp (shadowed->pdata[k], tables[i]) == 0;
      if (!hidden)
        plan_catalog_add_table (to, plan_catalog_get_table (base, tables[i]), NULL);
    }
  for (guint i = 0; views != NULL && views[i] != NULL; i++)
    {
      const char *sql = NULL;
      PlanNode *plan = plan_catalog_get_view (base, views[i], &sql);
      if (plan != NULL)
        plan_catalog_add_view (to, views[i], sql, plan, NULL);
    }
}

PlanCatalog *
studio_pipeline_dup_catalog (StudioPipeline *self, PlanCatalog *base)
{
  PlanCatalog *out = plan_catalog_new ();
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  g_autoptr (GPtrArray) tables = g_ptr_array_new_with_free_func (
    (GDestroyNotify) plan_table_unref);

  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), out);
  for (guint i = 0; i < studio_pipeline_get_n_nodes (self); i++)
    {
      const StudioNode *n = studio_pipeline_get_node (self, i);
      Parts parts;
      PlanTable *t;
      if (!studio_node_is_connector (n) || (t = node_table (n, &parts, NULL)) == NULL)
        continue;
      g_ptr_array_add (names, t->name);
      g_ptr_array_add (tables, t);
    }
  copy_catalog (out, base, names);
  for (guint i = 0; i < tables->len; i++)
    plan_catalog_add_table (out, tables->pdata[i], NULL); /* a duplicate name: the first */
  return out;
}

PlanStatement *
studio_sql_compile_script (PlanCatalog *base, const char *script, GPtrArray **out_created,
                           GError **error)
{
  g_autoptr (GPtrArray) asts = plan_sql_parse (script, error);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) created = g_ptr_array_new_with_free_func (
    (GDestroyNotify) plan_table_unref);
  g_autoptr (PlanCatalog) catalog = NULL;
  PlanStatement *last = NULL;

  if (asts == NULL)
    return NULL;
  g_ptr_array_set_free_func (asts, (GDestroyNotify) plan_ast_free);
  if (asts->len == 0)
    {
      g_set_error_literal (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
                           "The SQL is empty: write a SELECT or INSERT INTO ... SELECT");
      return NULL;
    }
  /* the names a script creates shadow the session's tables of that name */
  for (guint i = 0; i + 1 < asts->len; i++)
    {
      g_autoptr (PlanCatalog) probe = plan_catalog_new ();
      g_autoptr (PlanStatement) st = plan_sql_bind (probe, asts->pdata[i], NULL);
      if (st != NULL && st->kind == PLAN_STMT_CREATE_TABLE)
        g_ptr_array_add (names, g_strdup (st->table->name));
    }
  catalog = plan_catalog_new ();
  copy_catalog (catalog, base, names);
  for (guint i = 0; i < asts->len; i++)
    {
      g_autoptr (PlanStatement) st = plan_sql_bind (catalog, asts->pdata[i], error);
      if (st == NULL)
        return NULL;
      if (i + 1 == asts->len)
        last = g_steal_pointer (&st);
      else if (st->kind != PLAN_STMT_CREATE_TABLE)
        {
          g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_UNSUPPORTED,
                       "Statement %u of the SQL is not a CREATE TABLE: the designer's SQL is "
                       "CREATE TABLE statements and then one SELECT or INSERT", i + 1);
          return NULL;
        }
      else if (!plan_catalog_add_table (catalog, st->table, error))
        return NULL;
      else
        g_ptr_array_add (created, plan_table_ref (st->table));
    }
  if (out_created != NULL)
    *out_created = g_steal_pointer (&created);
  return last;
}

/* ---- checks --------------------------------------------------------------------------- */

/* Builds the engine's operator for the table and drops it again: the engine validates a
 * connector's options (names and values) in the constructor. */
static gboolean
engine_accepts (const StudioNode *n, PlanTable *table, GError **error)
{
  g_autoptr (PlanPhysNode) node = NULL;
  RtOperator *op;

  if (n->kind == STUDIO_NODE_SINK
      && (g_str_equal (n->connector, "filesystem") || g_str_equal (n->connector, "jdbc")))
    return TRUE; /* constructing these creates directories or opens databases */
  if (n->kind == STUDIO_NODE_SOURCE)
    {
      node = plan_phys_node_new (PLAN_PHYS_SOURCE, plan_schema_ref (table->schema),
                                 table->span, 1);
      node->u.source.table = plan_table_ref (table);
      node->u.source.n_columns = table->schema->n_fields;
      node->u.source.columns = g_new (guint, MAX (1, table->schema->n_fields));
      for (guint i = 0; i < table->schema->n_fields; i++)
        node->u.source.columns[i] = i;
      op = rt_source_new (node, 0, 1, error);
    }
  else
    {
      node = plan_phys_node_new (PLAN_PHYS_SINK, plan_schema_ref (table->schema),
                                 table->span, 1);
      node->u.sink.table = plan_table_ref (table);
      node->u.sink.sink = g_str_equal (n->connector, "print") ? PLAN_SINK_PRINT
                                                                : PLAN_SINK_BLACKHOLE;
      op = rt_sink_new (node, 0, error);
    }
  if (op == NULL)
    return FALSE;
  rt_operator_free (op);
  return TRUE;
}

/* The binder's message with its position told as a place in the part the user typed. */
static char *
placed_message (const Parts *parts, const GError *error)
{
  const char *m = error->message, *p = m;
  guint line = 0, col = 0, at;
  const char *part;
  guint from;

  while (g_ascii_isdigit (*p) || *p == ':')
    p++;
  if (*p == ' ')
    p++;
  if (!plan_sql_error_position (error, &line, &col) || line != 1 || col == 0)
    return g_strdup (p > m && p[-1] == ' ' ? p : m);
  at = col - 1;
  if (at >= parts->options)
    part = "options", from = parts->options;
  else if (parts->watermark != G_MAXUINT && at >= parts->watermark)
    part = "watermark", from = parts->watermark;
  else if (at >= parts->columns)
    part = "columns", from = parts->columns;
  else
    part = "table name", from = parts->name;
  if (g_str_equal (part, "options"))
    return g_strdup_printf ("In the options: %s", p);
  return g_strdup_printf ("In the %s at character %u: %s", part, at - from + 1, p);
}

/* What is wrong with a connector node (draft), or NULL. */
char *studio__connector_problem (const StudioNode *draft);

char *
studio__connector_problem (const StudioNode *n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanTable) table = NULL;
  Parts parts;

  if (!is_listed (studio_connector_list (n->kind), n->connector))
    return g_strdup_printf ("Unknown %s connector '%s': strom has %s", n->kind ==
                            STUDIO_NODE_SINK ? "sink" : "source", n->connector,
                            n->kind == STUDIO_NODE_SINK ? "print, blackhole, filesystem, jdbc"
                                                        : "datagen, filesystem, nexmark");
  if (*n->text == '\0')
    return g_strdup ("The table needs a name: type one in the inspector");
  {
    g_autofree char *cols = g_strstrip (g_strdup (n->columns));
    if (*cols == '\0')
      return g_strdup ("The table needs columns, e.g. id BIGINT, name VARCHAR");
  }
  table = node_table (n, &parts, &error);
  if (table == NULL)
    return error->domain == PLAN_ERROR ? placed_message (&parts, error)
                                       : g_strdup (error->message);
  if (!engine_accepts (n, table, &error))
    return g_strdup (error->message);
  return NULL;
}

/* ---- table -> node (for SQL -> canvas) ------------------------------------------------ */

/* The connector node fields of a table a script created; FALSE (error) for a table the
 * inspector cannot show (computed or ROW columns, partitions). */
gboolean studio__node_fields_from_table (const PlanTable *t, char **connector, char **columns,
                                         char **options, char **watermark, GError **error);

gboolean
studio__node_fields_from_table (const PlanTable *t, char **connector, char **columns,
                                char **options, char **watermark, GError **error)
{
  g_autoptr (GString) cols = g_string_new (NULL);
  g_autoptr (GString) opts = g_string_new (NULL);
  g_autoptr (GString) wm = g_string_new (NULL);
  g_autofree guint *key = NULL;
  guint n_keys = 0;

  for (guint i = 0; i < t->schema->n_fields; i++)
    {
      g_autofree char *type = plan_type_to_string (t->schema->fields[i].type, TRUE);
      g_autofree char *row = NULL;
      const char *row_type = NULL;
      gboolean first = FALSE;
      if (plan_table_row_column (t, i, &row, &row_type, &first))
        goto unsupported;
      g_string_append_printf (cols, "%s%s %s", i > 0 ? ", " : "", t->schema->fields[i].name,
                              type);
    }
  key = plan_table_dup_primary_key (t, &n_keys);
  for (guint k = 0; k < n_keys; k++)
    g_string_append_printf (cols, "%s%s", k == 0 ? ", PRIMARY KEY (" : ", ",
                            t->schema->fields[key[k]].name);
  if (n_keys > 0)
    g_string_append (cols, ") NOT ENFORCED");
  for (guint i = 0; i + 1 < t->options->len; i += 2)
    {
      const char *k = t->options->pdata[i], *v = t->options->pdata[i + 1];
      if (g_str_has_prefix (k, "__watermark."))
        g_string_append_printf (wm, "%s AS %s", k + strlen ("__watermark."), v);
      else if (g_str_has_prefix (k, "__"))
        goto unsupported;
      else if (!g_str_equal (k, "connector"))
        g_string_append_printf (opts, "%s%s = %s", opts->len > 0 ? "\n" : "", k, v);
    }
  *connector = g_strdup (plan_table_get_option (t, "connector"));
  *columns = g_string_free (g_steal_pointer (&cols), FALSE);
  *options = g_string_free (g_steal_pointer (&opts), FALSE);
  *watermark = g_string_free (g_steal_pointer (&wm), FALSE);
  return TRUE;

unsupported:
  g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_UNSUPPORTED,
               "Table '%s' has computed, ROW or partition columns, which a connector node "
               "cannot show yet: create it in a notebook cell and use it as a catalog table",
               t->name);
  return FALSE;
}
