/* plan-table-key.c: a table's PRIMARY KEY (..) NOT ENFORCED, for the sinks that need it
 * (the jdbc upsert sink: the key it upserts and deletes by).
 *
 * The binder checks the key and marks its columns NOT NULL but keeps no list of them; the
 * table's DDL text is kept though (it travels with the table in plan JSON and the stored
 * catalog), so the key is read back from it by parsing that one statement again. That
 * keeps PlanTable's agreed layout as it is; parsing a CREATE TABLE costs microseconds and
 * happens once per planning and per sink subtask, never per row. */
#include "plan-sql-private.h"

guint *
plan_table_dup_primary_key (const PlanTable *table, guint *n_keys)
{
  g_autoptr (GPtrArray) asts = NULL;
  const PlanAstStmt *s;
  g_autofree guint *keys = NULL;

  g_return_val_if_fail (table != NULL && n_keys != NULL, NULL);
  *n_keys = 0;
  if (table->ddl == NULL)
    return NULL;
  asts = plan_sql_parse (table->ddl, NULL);
  if (asts == NULL || asts->len != 1)
    return NULL;
  g_ptr_array_set_free_func (asts, (GDestroyNotify) plan_ast_free);
  s = ((const PlanAst *) asts->pdata[0])->stmt;
  if (s == NULL || s->kind != PLAN_STMT_CREATE_TABLE || s->primary_key.n == 0)
    return NULL;
  keys = g_new (guint, s->primary_key.n);
  for (guint i = 0; i < s->primary_key.n; i++)
    {
      const PlanAstName *name = s->primary_key.items[i];
      int col = plan_schema_find (table->schema, name->name);

      if (col < 0)
        return NULL; /* the binder refuses such a key: not a table of ours */
      keys[i] = (guint) col;
    }
  *n_keys = s->primary_key.n;
  return g_steal_pointer (&keys);
}
