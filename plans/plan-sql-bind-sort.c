/* plan-sql-bind-sort.c: binding ORDER BY (and the LIMIT that may follow it) to a SORT node.
 *
 * ORDER BY arrives as a pipe step over the query before it (plan-sql-parser.c), so its
 * scope is that query's output: select-list aliases and output column names resolve as
 * ordinary columns, and `ORDER BY 2` is the second output column. A key that is a plain
 * output column is sorted on directly; any other expression is computed by a PROJECT
 * (every column plus the extra keys) below the SORT and dropped again by a PROJECT above
 * it, so the SORT itself only ever compares input columns and keeps the query's schema.
 *
 * NULLs follow Flink: ascending puts them first, descending last, unless NULLS FIRST or
 * NULLS LAST says otherwise. A LIMIT step right over a SORT makes it a Top-N: the limit and
 * offset move into the SORT and no LIMIT node is made. Whether a sort can
 * run at all (streaming mode allows only Top-N) is decided by the optimizer, which knows
 * the runtime mode. */
#include "plan-sql-private.h"

#include <string.h>

static PlanSchema *
schema_of_rel (const PlanSqlRel *rel, guint n)
{
  PlanSchema *schema = plan_schema_new (n);

  for (guint i = 0; i < n; i++)
    plan_schema_set_field (schema, i, plan__rel_col (rel, i)->name,
                           plan__rel_col (rel, i)->type);
  return schema;
}

/* `ORDER BY <integer>`: the 0-based output column, or -1 with an error. */
static gint
bind_ordinal (PlanSqlBinder *b, const PlanSqlRel *rel, const PlanAstExpr *e)
{
  gint64 pos = g_ascii_strtoll (e->text, NULL, 10);

  if (pos < 1 || pos > (gint64) rel->cols->len)
    {
      plan__bfail (b, PLAN_ERROR_BIND, e->span, "ORDER BY position %s is out of range: the "
                   "query has %u column%s; write a position from 1 to %u or a column name",
                   e->text, rel->cols->len, rel->cols->len == 1 ? "" : "s", rel->cols->len);
      return -1;
    }
  return (gint) pos - 1;
}

/* Binds one key: a column of rel (returned), or an expression appended to extra (its
 * column number is rel's width plus its index there). -1 on error. */
static gint
bind_key (PlanSqlBinder *b, const PlanSqlRel *rel, const PlanAstExpr *e, GPtrArray *extra)
{
  PlanExpr *x;

  if (e->kind == PLAN_AST_INTEGER)
    return bind_ordinal (b, rel, e);
  if ((x = plan__bind_expr (b, rel, e)) == NULL)
    {
      /* ORDER BY sees the query's output only (see the top of the file): say so */
      if (b->error != NULL && *b->error != NULL && (*b->error)->code == PLAN_ERROR_BIND
          && e->kind == PLAN_AST_COLUMN && strstr ((*b->error)->message, "not found") != NULL)
        {
          char *old = (*b->error)->message;

          (*b->error)->message = g_strconcat (old, ". ORDER BY can use only columns of the "
                                              "select list for now: add it there", NULL);
          g_free (old);
        }
      return -1;
    }
  if (x->type.kind == PLAN_TYPE_NULL)
    {
      plan_expr_unref (x);
      plan__bfail (b, PLAN_ERROR_BIND, e->span, "ORDER BY NULL orders nothing; remove it "
                   "or write an expression that depends on the row");
      return -1;
    }
  if (x->kind == PLAN_EXPR_COLUMN)
    {
      gint c = (gint) x->u.column;

      plan_expr_unref (x);
      return c;
    }
  g_ptr_array_add (extra, x);
  return (gint) (rel->cols->len + extra->len - 1);
}

/* PROJECT over node: its first n_cols columns, then the extra expressions (taken). */
static PlanNode *
project_with (PlanNode *node, const PlanSqlRel *rel, guint n_cols, GPtrArray *extra,
              PlanSpan span)
{
  guint n = n_cols + (extra != NULL ? extra->len : 0);
  PlanSchema *schema = schema_of_rel (rel, n_cols);
  PlanSchema *wide = plan_schema_new (n);
  PlanNode *project;

  for (guint i = 0; i < n_cols; i++)
    plan_schema_set_field (wide, i, schema->fields[i].name, schema->fields[i].type);
  for (guint j = 0; extra != NULL && j < extra->len; j++)
    {
      g_autofree char *name = g_strdup_printf ("$sort%u", j);
      plan_schema_set_field (wide, n_cols + j, name, ((PlanExpr *) extra->pdata[j])->type);
    }
  plan_schema_unref (schema);
  project = plan_node_new (PLAN_NODE_PROJECT, wide, span, 1, &node);
  project->u.project.n_exprs = n;
  project->u.project.exprs = g_new0 (PlanExpr *, MAX (n, 1));
  for (guint i = 0; i < n_cols; i++)
    project->u.project.exprs[i] = plan_expr_column (i, plan__rel_col (rel, i)->type, span);
  for (guint j = 0; extra != NULL && j < extra->len; j++)
    project->u.project.exprs[n_cols + j] = g_steal_pointer (&extra->pdata[j]);
  return project;
}

PlanSqlRel *
plan__bind_order_by (PlanSqlBinder *b, PlanSqlRel *rel, const PlanAstQuery *s)
{
  const PlanAstList *order = &s->order;
  g_autoptr (GPtrArray) extra = g_ptr_array_new_with_free_func (
    (GDestroyNotify) plan_expr_unref);
  guint n_cols = rel->cols->len, n = order->n;
  PlanSort sort = { n, g_new0 (guint, MAX (n, 1)), g_new0 (gboolean, MAX (n, 1)),
                    g_new0 (gboolean, MAX (n, 1)), -1, 0 };
  PlanNode *input, *node;

  for (guint k = 0; k < n; k++)
    {
      const PlanAstOrderItem *item = order->items[k];
      gint c = bind_key (b, rel, item->expr, extra);

      if (c < 0)
        {
          plan_sort_clear (&sort);
          plan__rel_free (rel);
          return NULL;
        }
      sort.keys[k] = (guint) c;
      sort.descending[k] = item->descending;
      sort.nulls_first[k] = item->nulls == 0 ? !item->descending : item->nulls == 1;
    }
  input = g_steal_pointer (&rel->node);
  if (extra->len > 0)
    input = project_with (input, rel, n_cols, extra, s->op_span);
  node = plan_node_new (PLAN_NODE_SORT, plan_schema_ref (input->schema), s->op_span, 1, &input);
  node->u.sort = sort;
  if (extra->len > 0)
    node = project_with (node, rel, n_cols, NULL, s->op_span);
  rel->node = node;
  return rel;
}

gboolean
plan__sort_take_limit (PlanSqlRel *rel, gint64 limit, gint64 offset)
{
  PlanNode *node = rel->node;

  /* ORDER BY <expr> puts a PROJECT over the SORT; look through it. The nodes are still
   * private to the binder here, so changing the SORT in place is safe. */
  if (node->kind == PLAN_NODE_PROJECT && node->inputs[0]->kind == PLAN_NODE_SORT
      && node->inputs[0]->ref_count == 1)
    node = node->inputs[0];
  if (node->kind != PLAN_NODE_SORT || node->ref_count != 1 || node->u.sort.limit >= 0
      || node->u.sort.offset > 0 || limit < 0)
    return FALSE;
  node->u.sort.limit = limit;
  node->u.sort.offset = offset;
  return TRUE;
}
