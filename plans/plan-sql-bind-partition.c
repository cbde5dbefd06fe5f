/* plan-sql-bind-partition.c: CREATE TABLE ... PARTITIONED BY (a, b). The parser keeps the
 * clause as the table option '__partitioned_by' = 'a,b' (options are how a table's extras
 * travel everywhere already: the catalog, plan JSON to a remote server, DESCRIBE hiding
 * '__' keys); here the binder checks the names: existing columns, each once, and at least
 * one column left for the files, as Flink requires. The filesystem sink then writes rows
 * under <path>/a=<value>/b=<value>/ without the partition columns
 * (runtime/engine/rt-sink-fs-partition.c). */
#include "plan-sql-private.h"

#include <string.h>

gboolean
plan__bind_partition_columns (PlanSqlBinder *b, const PlanAstStmt *s, const PlanTable *table)
{
  const char *value = plan_table_get_option (table, "__partitioned_by");
  g_auto (GStrv) names = NULL;
  PlanSpan span = s->span;

  if (value == NULL)
    return TRUE;
  for (guint i = 0; i < s->options.n; i++)
    if (strcmp (((const PlanAstOption *) s->options.items[i])->key, "__partitioned_by") == 0)
      span = ((const PlanAstOption *) s->options.items[i])->span;
  names = g_strsplit (value, ",", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (plan_schema_find (table->schema, names[i]) < 0)
        return plan__bfail (b, PLAN_ERROR_BIND, span, "PARTITIONED BY names '%s', which is "
                            "not a column of table '%s'", names[i], table->name) != NULL;
      for (guint k = 0; k < i; k++)
        if (g_ascii_strcasecmp (names[k], names[i]) == 0)
          return plan__bfail (b, PLAN_ERROR_BIND, span, "PARTITIONED BY names '%s' twice",
                              names[i]) != NULL;
    }
  if (g_strv_length (names) >= table->schema->n_fields)
    return plan__bfail (b, PLAN_ERROR_BIND, span, "PARTITIONED BY cannot name every column "
                        "of table '%s': the files need at least one column", table->name)
           != NULL;
  return TRUE;
}
