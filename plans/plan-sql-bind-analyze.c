/* plan-sql-bind-analyze.c: binds ANALYZE TABLE t [COMPUTE STATISTICS [FOR ALL COLUMNS |
 * FOR COLUMNS a, b]]. The table must be a catalog table (a view has no data of its own to
 * measure); the columns are checked here, so a typo is reported with its position before
 * anything runs, and handed on as positions in the table's schema. Fields of ROW columns
 * are left out of ALL COLUMNS: they are stored flattened and a query cannot name them one
 * by one. Running the measurement is the gateway's job (it runs a query). */
#include "plan-sql-private.h"

static gboolean
row_field (const PlanTable *table, guint col)
{
  g_autofree char *name = NULL;
  const char *type;
  gboolean first;

  return plan_table_row_column (table, col, &name, &type, &first);
}

gboolean
plan__bind_analyze (PlanSqlBinder *b, const PlanAstStmt *s, PlanStatement *stmt)
{
  PlanTable *table = plan_catalog_get_table (b->catalog, s->name);
  g_autoptr (GString) cols = g_string_new (NULL);

  if (table == NULL)
    {
      if (plan_catalog_get_view (b->catalog, s->name, NULL) != NULL)
        return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, s->name_span,
                            "'%s' is a view; ANALYZE TABLE measures tables. Analyze the "
                            "tables the view reads instead", s->name) != NULL;
      return plan__bfail (b, PLAN_ERROR_CATALOG, s->name_span,
                          "Table '%s' does not exist; SHOW TABLES lists the tables", s->name)
             != NULL;
    }
  stmt->table = plan_table_ref (table);
  stmt->name = g_strdup (table->name);
  if (s->value == NULL)
    return TRUE;
  if (g_strcmp0 (s->value, "ALL") == 0)
    {
      for (guint i = 0; i < table->schema->n_fields; i++)
        if (!row_field (table, i))
          g_string_append_printf (cols, "%s%u", cols->len ? "," : "", i);
    }
  else
    for (guint i = 0; i < s->insert_columns.n; i++)
      {
        const PlanAstName *n = s->insert_columns.items[i];
        int c = plan_schema_find (table->schema, n->name);

        if (c < 0 || row_field (table, (guint) c))
          return plan__bfail (b, PLAN_ERROR_BIND, n->span,
                              "Table '%s' has no column '%s' that ANALYZE can measure; "
                              "DESCRIBE %s lists its columns", table->name, n->name,
                              table->name) != NULL;
        g_string_append_printf (cols, "%s%d", cols->len ? "," : "", c);
      }
  stmt->value = g_strdup (cols->str);
  return TRUE;
}
