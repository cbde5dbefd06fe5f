/* plan-sql-bind-lookup.c: binds the right side of a lookup join,
 *   FROM s JOIN dim FOR SYSTEM_TIME AS OF s.proc_time [AS] d ON s.k = d.k
 * Flink's processing-time temporal join: each row of s is joined with the rows of dim as
 * they are when the row is processed. The AS OF expression must be a processing-time
 * attribute of the left side (a PROCTIME() column, seen through plain projections and
 * filters); an event-time temporal join (AS OF a rowtime, against a versioned table) is
 * refused with that name. The table must be a filesystem table: the engine reads it whole
 * into a hash table before the first lookup, and again on a lookup once it is older than
 * 'lookup.join.cache.ttl' when the table sets one (runtime/engine/rt-op-lookup-join.c).
 *
 * The join itself is bound as an ordinary JOIN (plan-sql-bind-join.c) and marked with the
 * LOOKUP hint on its right side; the optimizer plans that as a LOOKUP_JOIN
 * (opt-window-join.c), which checks the join type and the equality on the table. */
#include "plan-sql-private.h"

#include <string.h>

/* Whether output column col of node is a processing-time attribute: PROCTIME() (bound as
 * CURRENT_TIMESTAMP) seen through filters, windows' input columns and plain column
 * projections. Also used by the
 * window binders: a processing-time window's time column. */
gboolean
plan__is_proctime (const PlanNode *node, guint col)
{
  while (node != NULL)
    {
      if (node->kind == PLAN_NODE_FILTER || node->kind == PLAN_NODE_LIMIT
          || (node->kind == PLAN_NODE_WINDOW && col < node->inputs[0]->schema->n_fields))
        node = node->inputs[0];
      else if (node->kind == PLAN_NODE_PROJECT && col < node->u.project.n_exprs)
        {
          const PlanExpr *x = node->u.project.exprs[col];

          if (x->kind == PLAN_EXPR_CALL)
            return x->u.call.func == PLAN_FUNC_CURRENT_TIMESTAMP;
          if (x->kind != PLAN_EXPR_COLUMN)
            return FALSE;
          col = x->u.column;
          node = node->inputs[0];
        }
      else
        return FALSE;
    }
  return FALSE;
}

/* The table under a scan, possibly below the PROJECT of its computed columns. */
static const PlanTable *
scanned_table (const PlanNode *node)
{
  if (node->kind == PLAN_NODE_PROJECT)
    node = node->inputs[0];
  return node->kind == PLAN_NODE_SCAN ? node->u.scan.table : NULL;
}

PlanSqlRel *
plan__bind_lookup_side (PlanSqlBinder *b, const PlanSqlRel *left, const PlanAstFrom *f)
{
  const PlanAstFrom *t = f->right;
  PlanAstFrom plain = *t;
  g_autoptr (PlanExpr) asof = NULL;
  const PlanTable *table;
  const char *connector;
  PlanSqlRel *rel;

  if ((asof = plan__bind_expr (b, left, t->system_time)) == NULL)
    return NULL;
  if (asof->kind != PLAN_EXPR_COLUMN || !plan__is_proctime (left->node, asof->u.column))
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, t->system_time->span,
                        "FOR SYSTEM_TIME AS OF must name a processing-time attribute of the "
                        "left side (a PROCTIME() column): event-time temporal joins are not "
                        "supported yet");
  plain.system_time = NULL;
  plain.kind = PLAN_AST_FROM_TABLE;
  if ((rel = plan__bind_from (b, &plain)) == NULL)
    return NULL;
  table = scanned_table (rel->node);
  connector = table != NULL ? plan_table_get_option (table, "connector") : NULL;
  if (connector == NULL || strcmp (connector, "filesystem") != 0)
    {
      plan__rel_free (rel);
      return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, t->name_span, "The table '%s' of a "
                          "lookup join (FOR SYSTEM_TIME AS OF) must be a table with "
                          "'connector' = 'filesystem'", t->name);
    }
  return rel;
}
