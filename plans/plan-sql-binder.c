/* plan-sql-binder.c: binds a parsed statement against the catalog into a typed logical
 * plan (plan-node.h): names resolved case-insensitively, types checked, implicit
 * conversions made explicit as PLAN_FUNC_CAST, views expanded, and every node and
 * expression given the span of the text it came from. This file holds the relations, the
 * FROM clause, SELECT, pipe steps, VALUES, WITH and the statements (INSERT, DDL, EXPLAIN);
 * expressions, their types and coercions, and the function table are in
 * plan-sql-bind-expr.c.
 *
 * Binding works on "relations": a plan node plus the names its columns are known by
 * (qualifier and column name), which the plan's schemas alone cannot carry. Aggregation
 * (GROUP BY, HAVING, DISTINCT, |> AGGREGATE) is bound in plan-sql-bind-agg.c. Valid SQL
 * that strom cannot run yet (joins, ...) is refused here with
 * PLAN_ERROR_UNSUPPORTED at the clause, so the user learns what to change. The catalog is
 * only read: applying DDL is the caller's job when the statement runs. */
#include "plan-sql-private.h"

#include <math.h>
#include <string.h>

/* A WITH query in scope (PlanSqlBinder.ctes). */
typedef struct {
  const char *name; /* borrowed from the AST */
  PlanSqlRel *rel;  /* owned */
} BindCte;

gpointer
plan__bfail (PlanSqlBinder *b, PlanErrorCode code, PlanSpan span, const char *format, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  plan__sql_error (b->error, code, span, "%s", msg);
  return NULL;
}

/* ---- relations --------------------------------------------------------------------- */

static void
bind_col_clear (gpointer data)
{
  PlanSqlCol *c = data;
  g_free (c->qualifier);
  g_free (c->name);
}

PlanSqlRel *
plan__rel_new (PlanNode *node, const char *desc)
{
  PlanSqlRel *rel = g_new0 (PlanSqlRel, 1);
  rel->node = node;
  rel->cols = g_array_new (FALSE, TRUE, sizeof (PlanSqlCol));
  g_array_set_clear_func (rel->cols, bind_col_clear);
  rel->desc = g_strdup (desc);
  return rel;
}

static void
rel_free (PlanSqlRel *rel)
{
  if (rel == NULL)
    return;
  if (rel->node != NULL)
    plan_node_unref (rel->node);
  g_array_unref (rel->cols);
  g_free (rel->desc);
  g_free (rel);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PlanSqlRel, rel_free)

static void
rel_add (PlanSqlRel *rel, const char *qualifier, const char *name, PlanType type, PlanSpan span)
{
  PlanSqlCol c = { g_strdup (qualifier), g_strdup (name), type, span };
  g_array_append_val (rel->cols, c);
}

PlanSqlCol *
plan__rel_col (const PlanSqlRel *rel, guint i)
{
  return &g_array_index (rel->cols, PlanSqlCol, i);
}

/* A relation over node (ref taken) whose columns are the schema's, all qualified. */
static PlanSqlRel *
rel_from_node (PlanNode *node, const char *qualifier, const char *desc, PlanSpan span)
{
  PlanSqlRel *rel = plan__rel_new (node, desc);
  for (guint i = 0; i < node->schema->n_fields; i++)
    rel_add (rel, qualifier, node->schema->fields[i].name, node->schema->fields[i].type, span);
  return rel;
}

static void
rel_requalify (PlanSqlRel *rel, const char *qualifier, const char *desc)
{
  for (guint i = 0; i < rel->cols->len; i++)
    {
      g_free (plan__rel_col (rel, i)->qualifier);
      plan__rel_col (rel, i)->qualifier = g_strdup (qualifier);
    }
  g_free (rel->desc);
  rel->desc = g_strdup (desc);
}

static PlanSchema *
schema_of (const PlanSqlRel *rel)
{
  PlanSchema *schema = plan_schema_new (rel->cols->len);
  for (guint i = 0; i < rel->cols->len; i++)
    plan_schema_set_field (schema, i, plan__rel_col (rel, i)->name, plan__rel_col (rel, i)->type);
  return schema;
}

/* Replaces rel's node by a new node of kind over it (same schema). */
static PlanNode *
rel_stack (PlanSqlRel *rel, PlanNodeKind kind, PlanSpan span)
{
  PlanNode *input = rel->node;
  rel->node = plan_node_new (kind, plan_schema_ref (input->schema), span, 1, &input);
  return rel->node;
}

const char *
plan__rel_desc (const PlanSqlRel *rel)
{
  return rel->desc != NULL ? rel->desc : "the input";
}

/* ---- queries ----------------------------------------------------------------------- */

static PlanSqlRel *bind_query (PlanSqlBinder *b, const PlanAstQuery *q);

static PlanSqlRel *
lookup_cte (PlanSqlBinder *b, const PlanAstFrom *f)
{
  for (guint i = b->ctes != NULL ? b->ctes->len : 0; i > 0; i--)
    {
      BindCte *cte = b->ctes->pdata[i - 1];
      if (g_ascii_strcasecmp (cte->name, f->name) == 0)
        {
          g_autofree char *desc = g_strdup_printf ("WITH query '%s'", cte->name);
          PlanSqlRel *rel = plan__rel_new (plan_node_ref (cte->rel->node), desc);
          for (guint c = 0; c < cte->rel->cols->len; c++)
            rel_add (rel, f->alias != NULL ? f->alias : cte->name,
                     plan__rel_col (cte->rel, c)->name, plan__rel_col (cte->rel, c)->type, f->span);
          return rel;
        }
    }
  return NULL;
}

static gpointer
table_not_found (PlanSqlBinder *b, const char *name, PlanSpan span, const char *what)
{
  g_auto (GStrv) tables = plan_catalog_list_tables (b->catalog);
  g_auto (GStrv) views = plan_catalog_list_views (b->catalog);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  const char *best;

  for (guint i = 0; tables[i] != NULL; i++)
    g_ptr_array_add (names, tables[i]);
  for (guint i = 0; views[i] != NULL; i++)
    g_ptr_array_add (names, views[i]);
  for (guint i = 0; b->ctes != NULL && i < b->ctes->len; i++)
    g_ptr_array_add (names, (char *) ((BindCte *) b->ctes->pdata[i])->name);
  best = plan__sql_closest (name, (const char *const *) names->pdata, names->len);
  if (best != NULL)
    return plan__bfail (b, PLAN_ERROR_CATALOG, span, "%s '%s' not found. Did you mean '%s'?", what,
                        name, best);
  return plan__bfail (b, PLAN_ERROR_CATALOG, span, "%s '%s' not found; SHOW TABLES lists the "
                      "tables and CREATE TABLE makes one", what, name);
}

/* A view's plan without a collect sink on top (in case the caller stored one). */
static PlanNode *
view_body (PlanNode *plan)
{
  if (plan->kind == PLAN_NODE_SINK && plan->u.sink.table == NULL && plan->n_inputs == 1)
    return plan->inputs[0];
  return plan;
}

static PlanSqlRel *
bind_table_ref (PlanSqlBinder *b, const PlanAstFrom *f)
{
  const char *qualifier = f->alias != NULL ? f->alias : f->name;
  g_autofree char *desc = NULL;
  PlanSqlRel *rel;
  PlanTable *table;
  PlanNode *view, *node;

  if (f->system_time != NULL)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, f->system_time->span,
                        "FOR SYSTEM_TIME AS OF is only supported on the right side of a "
                        "JOIN (a lookup join)"); /* changed by lookup joins */
  if ((rel = lookup_cte (b, f)) != NULL)
    return rel;
  if ((table = plan_catalog_get_table (b->catalog, f->name)) != NULL)
    {
      PlanSchema *schema = table->schema;
      desc = g_strdup_printf ("table '%s'", table->name);
      node = plan_node_new (PLAN_NODE_SCAN, plan_schema_ref (schema), f->span, 0, NULL);
      node->u.scan.table = plan_table_ref (table);
      node->u.scan.n_columns = schema->n_fields;
      node->u.scan.columns = g_new (guint, schema->n_fields + 1);
      for (guint i = 0; i < schema->n_fields; i++)
        node->u.scan.columns[i] = i;
      /* added by windows: a table's computed columns are a PROJECT over its scan */
      return plan__add_computed_columns (b, rel_from_node (node, qualifier, desc, f->span),
                                         table);
    }
  if ((view = plan_catalog_get_view (b->catalog, f->name, NULL)) != NULL)
    {
      desc = g_strdup_printf ("view '%s'", f->name);
      return rel_from_node (plan_node_ref (view_body (view)), qualifier, desc, f->span);
    }
  return table_not_found (b, f->name, f->name_span, "Table");
}

static const char *const window_tvfs[] = { "TUMBLE", "HOP", "CUMULATE", "SESSION" };

static PlanSqlRel *
bind_from (PlanSqlBinder *b, const PlanAstFrom *f)
{
  PlanSqlRel *rel = NULL;

  switch (f->kind)
    {
    case PLAN_AST_FROM_TABLE:
      rel = bind_table_ref (b, f);
      break;
    case PLAN_AST_FROM_SUBQUERY:
      if ((rel = bind_query (b, f->query)) != NULL)
        {
          g_autofree char *desc = f->alias ? g_strdup_printf ("subquery '%s'", f->alias) : NULL;
          rel_requalify (rel, f->alias, desc);
        }
      break;
    case PLAN_AST_FROM_JOIN: /* added by joins: plan-sql-bind-join.c */
      rel = plan__bind_join (b, NULL, f);
      break;
    case PLAN_AST_FROM_TVF:
    default:
      for (guint i = 0; i < G_N_ELEMENTS (window_tvfs); i++)
        if (strcmp (f->call->name, window_tvfs[i]) == 0)
          return plan__bind_window_tvf (b, f); /* added by windows */
      return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, f->span,
                          "Table function %s is not supported yet", f->call->name);
    }
  if (rel != NULL && f->column_aliases.n > 0)
    {
      if (f->column_aliases.n != rel->cols->len)
        {
          plan__bfail (b, PLAN_ERROR_BIND, f->span, "%u column aliases given for %u columns",
                       f->column_aliases.n, rel->cols->len);
          return rel_free (rel), NULL;
        }
      for (guint i = 0; i < rel->cols->len; i++)
        {
          const PlanAstName *alias = f->column_aliases.items[i];
          g_free (plan__rel_col (rel, i)->name);
          plan__rel_col (rel, i)->name = g_strdup (alias->name);
        }
    }
  return rel;
}

/* added by joins: for plan-sql-bind-join.c */
PlanSqlRel *
plan__bind_from (PlanSqlBinder *b, const PlanAstFrom *f)
{
  return bind_from (b, f);
}

void
plan__rel_free (PlanSqlRel *rel)
{
  rel_free (rel);
}

static PlanSqlRel *
bind_filter (PlanSqlBinder *b, PlanSqlRel *rel, const PlanAstExpr *cond, PlanSpan span)
{
  PlanExpr *c = plan__bind_expr (b, rel, cond);

  if (c != NULL && c->type.kind == PLAN_TYPE_NULL)
    c = plan__coerce (b, c, plan_type_make (PLAN_TYPE_BOOLEAN, TRUE));
  if (c != NULL && c->type.kind != PLAN_TYPE_BOOLEAN)
    {
      plan__bfail (b, PLAN_ERROR_BIND, c->span, "WHERE needs a BOOLEAN condition, got %s",
                   plan__tname (c->type).s);
      g_clear_pointer (&c, plan_expr_unref);
    }
  if (c == NULL)
    return rel_free (rel), NULL;
  rel_stack (rel, PLAN_NODE_FILTER, span)->u.filter.condition = c;
  return rel;
}

static PlanSqlRel *
bind_limit (PlanSqlRel *rel, gint64 limit, gint64 offset, PlanSpan span)
{
  PlanNode *node = rel_stack (rel, PLAN_NODE_LIMIT, span);
  node->u.limit.limit = limit;
  node->u.limit.offset = offset;
  return rel;
}

/* Expands and binds select items over scope (NULL: no FROM) into exprs and cols. */
static gboolean
bind_items (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstList *items, GPtrArray *exprs,
            PlanSqlRel *out)
{
  for (guint i = 0; i < items->n; i++)
    {
      const PlanAstSelectItem *item = items->items[i];
      const PlanAstExpr *e = item->expr;
      PlanExpr *x;
      g_autofree char *name = NULL;

      if (e->kind == PLAN_AST_STAR)
        {
          if (scope == NULL)
            return plan__bfail (b, PLAN_ERROR_BIND, e->span, "SELECT * needs a FROM clause")
                   != NULL;
          if (!plan__check_qualifier (b, scope, e->qualifier, e->span))
            return FALSE;
          for (guint c = 0; c < scope->cols->len; c++)
            if (plan__qualifier_matches (plan__rel_col (scope, c), e->qualifier)
                && strcmp (plan__rel_col (scope, c)->name, "$rownum") != 0) /* added by rank */
              {
                const PlanSqlCol *col = plan__rel_col (scope, c);
                g_ptr_array_add (exprs, plan_expr_column (c, col->type, e->span));
                rel_add (out, col->qualifier, col->name, col->type, item->span);
              }
          continue;
        }
      if ((x = plan__bind_expr (b, scope, e)) == NULL)
        return FALSE;
      if (x->type.kind == PLAN_TYPE_NULL)
        {
          plan_expr_unref (x);
          return plan__bfail (b, PLAN_ERROR_BIND, e->span, "NULL needs a type here; write "
                              "CAST(NULL AS <type>)") != NULL;
        }
      if (item->alias != NULL)
        name = g_strdup (item->alias);
      else if (e->kind == PLAN_AST_COLUMN) /* ROW types: "id" for person.id */
        name = g_strdup (plan__row_item_name (plan__rel_col (scope, x->u.column)->name));
      else
        name = g_strdup_printf ("EXPR$%u", exprs->len);
      g_ptr_array_add (exprs, x);
      rel_add (out, NULL, name, x->type, item->span);
    }
  return TRUE;
}

/* A PROJECT of items over rel (consumed). has_scope FALSE: rel is the empty row of a
 * SELECT without FROM. n_keep: the first n_keep input columns come first, with their
 * qualifiers (EXTEND keeps them all; |> AGGREGATE keeps the group keys). */
static PlanSqlRel *
bind_project (PlanSqlBinder *b, PlanSqlRel *rel, gboolean has_scope, const PlanAstList *items,
              PlanSpan span, guint n_keep)
{
  g_autoptr (GPtrArray) exprs = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  gboolean extend = n_keep > 0;
  g_autoptr (PlanSqlRel) out = plan__rel_new (NULL, extend ? rel->desc : NULL);
  PlanNode *node;

  if (extend)
    for (guint i = 0; i < n_keep; i++)
      {
        const PlanSqlCol *c = plan__rel_col (rel, i);
        g_ptr_array_add (exprs, plan_expr_column (i, c->type, span));
        rel_add (out, c->qualifier, c->name, c->type, c->span);
      }
  if (!bind_items (b, has_scope ? rel : NULL, items, exprs, out))
    return rel_free (rel), NULL;
  if (!extend)
    for (guint i = 0; i < out->cols->len; i++)
      g_clear_pointer (&plan__rel_col (out, i)->qualifier, g_free);
  node = plan_node_new (PLAN_NODE_PROJECT, schema_of (out), span, 1, &rel->node);
  rel->node = NULL;
  rel_free (rel);
  node->u.project.n_exprs = exprs->len;
  node->u.project.exprs = (PlanExpr **) g_ptr_array_steal (exprs, NULL);
  out->node = node;
  return g_steal_pointer (&out);
}

/* The one empty row a SELECT without FROM projects from. */
static PlanSqlRel *
empty_row (PlanSpan span)
{
  PlanNode *node = plan_node_new (PLAN_NODE_VALUES, plan_schema_new (0), span, 0, NULL);
  node->u.values.n_rows = 1;
  return plan__rel_new (node, NULL);
}

static gboolean
is_plain_star (const PlanAstList *items)
{
  const PlanAstSelectItem *item = items->n == 1 ? items->items[0] : NULL;
  return item != NULL && item->expr->kind == PLAN_AST_STAR && item->expr->qualifier == NULL;
}

/* SELECT DISTINCT: an AGGREGATE grouping by every column, with no calls. */
static PlanSqlRel *
bind_distinct (PlanSqlRel *rel, PlanSpan span)
{
  PlanNode *node = rel_stack (rel, PLAN_NODE_AGGREGATE, span);
  guint n = node->schema->n_fields;

  node->u.aggregate.n_keys = n;
  node->u.aggregate.keys = g_new0 (guint, n + 1);
  for (guint i = 0; i < n; i++)
    node->u.aggregate.keys[i] = i;
  return rel;
}

/* GROUP BY / aggregates (plan-sql-bind-agg.c builds PROJECT -> AGGREGATE), then HAVING as
 * a FILTER and the select list as a PROJECT over keys and results. pipe: |> AGGREGATE,
 * whose output is the keys followed by the items. Consumes rel. */
static PlanSqlRel *
bind_aggregate (PlanSqlBinder *b, PlanSqlRel *rel, const PlanAstList *items,
                const PlanAstList *group_by, const PlanAstExpr *having, PlanSpan span,
                gboolean pipe)
{
  g_autoptr (GPtrArray) key_cols = g_ptr_array_new ();
  PlanNode *agg = plan__agg_begin (b, rel, items, group_by, having, span, key_cols);
  PlanSqlRel *out;

  if (agg == NULL)
    {
      plan__agg_end (b);
      return rel_free (rel), NULL;
    }
  out = plan__rel_new (agg, NULL);
  for (guint i = 0; i < agg->schema->n_fields; i++)
    {
      const PlanSqlCol *src = i < key_cols->len ? key_cols->pdata[i] : NULL;
      rel_add (out, src ? src->qualifier : NULL, agg->schema->fields[i].name,
               agg->schema->fields[i].type, span);
    }
  if (having != NULL)
    out = bind_filter (b, out, having, having->span);
  if (out != NULL)
    out = bind_project (b, out, TRUE, items, span, pipe ? agg->u.aggregate.n_keys : 0);
  plan__agg_end (b);
  rel_free (rel); /* after the select list: aggregate binding probes its columns */
  return out;
}

static PlanSqlRel *
bind_select (PlanSqlBinder *b, const PlanAstQuery *q)
{
  PlanSqlRel *rel;
  const PlanAstExpr *agg;
  PlanAstList legacy_keys = { 0 }; /* added by legacy windows */

  rel = q->from != NULL ? bind_from (b, q->from) : empty_row (q->select_span);
  if (rel == NULL)
    return NULL;
  if (q->where != NULL && (agg = plan__find_aggregate (q->where)) != NULL)
    {
      rel_free (rel);
      return plan__bfail (b, PLAN_ERROR_BIND, agg->span, "Aggregate functions are not allowed "
                          "in WHERE; filter groups with HAVING instead");
    }
  if (q->where != NULL /* added by subqueries: IN / EXISTS / scalar subqueries become joins */
      && (rel = plan__bind_where (b, rel, q->where, q->where_span)) == NULL)
    return NULL;
  if (q->group_by.n > 0 /* added by legacy windows: GROUP BY TUMBLE(ts, ...) */
      && plan__legacy_window_begin (b, &rel, &q->group_by, &legacy_keys))
    {
      if (rel != NULL)
        rel = bind_aggregate (b, rel, &q->items, &legacy_keys, q->having, q->select_span,
                              FALSE);
      plan__legacy_window_end (b);
    }
  else if (q->group_by.n > 0 || q->having != NULL || plan__items_have_aggregate (&q->items))
    rel = bind_aggregate (b, rel, &q->items, &q->group_by, q->having, q->select_span, FALSE);
  else if (q->from != NULL && plan__items_have_over (&q->items)) /* added by rank */
    {
      if ((rel = plan__rank_begin (b, rel, &q->items)) != NULL)
        rel = bind_project (b, rel, TRUE, &q->items, q->select_span, 0);
      plan__rank_end (b);
    }
  else if (!(q->from != NULL && is_plain_star (&q->items))) /* SELECT * needs no PROJECT */
    rel = bind_project (b, rel, q->from != NULL, &q->items, q->select_span, 0);
  if (rel != NULL && q->distinct)
    rel = bind_distinct (rel, q->distinct_span);
  return rel;
}

static PlanSqlRel *
bind_pipe_step (PlanSqlBinder *b, PlanSqlRel *rel, const PlanAstQuery *s)
{
  static const char *const refused[] = {
    [PLAN_AST_PIPE_ORDER_BY] = "ORDER BY",
  };

  switch (s->pipe)
    {
    case PLAN_AST_PIPE_WHERE:
      return bind_filter (b, rel, s->where, s->op_span);
    case PLAN_AST_PIPE_SELECT:
      if (plan__items_have_aggregate (&s->items))
        rel = bind_aggregate (b, rel, &s->items, &s->group_by, NULL, s->op_span, FALSE);
      else
        rel = bind_project (b, rel, TRUE, &s->items, s->op_span, 0);
      return rel != NULL && s->distinct ? bind_distinct (rel, s->distinct_span) : rel;
    case PLAN_AST_PIPE_AGGREGATE:
      return bind_aggregate (b, rel, &s->items, &s->group_by, NULL, s->op_span, TRUE);
    case PLAN_AST_PIPE_EXTEND:
      if (plan__items_have_over (&s->items)) /* added by rank: ROW_NUMBER() OVER */
        {
          guint n_keep = rel->cols->len;

          if ((rel = plan__rank_begin (b, rel, &s->items)) != NULL)
            rel = bind_project (b, rel, TRUE, &s->items, s->op_span, n_keep);
          plan__rank_end (b);
          return rel;
        }
      return bind_project (b, rel, TRUE, &s->items, s->op_span, rel->cols->len);
    case PLAN_AST_PIPE_LIMIT:
      if (plan__sort_take_limit (rel, s->limit, s->offset)) /* added by sort: Top-N */
        return rel;
      return bind_limit (rel, s->limit, s->offset, s->op_span);
    case PLAN_AST_PIPE_AS:
      {
        g_autofree char *desc = g_strdup_printf ("'%s'", s->alias);
        rel_requalify (rel, s->alias, desc);
        return rel;
      }
    case PLAN_AST_PIPE_JOIN: /* added by joins */
      return plan__bind_join (b, rel, s->from);
    case PLAN_AST_PIPE_ORDER_BY: /* added by sort */
      return plan__bind_order_by (b, rel, s);
    default:
      rel_free (rel);
      return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, s->op_span, "%s is not supported yet",
                          refused[s->pipe]);
    }
}

/* A pipe chain, walked iteratively: it can be as long as PLAN_SQL_MAX_HEIGHT. */
static PlanSqlRel *
bind_pipe (PlanSqlBinder *b, const PlanAstQuery *q)
{
  g_autoptr (GPtrArray) steps = g_ptr_array_new ();
  PlanSqlRel *rel;

  for (; q->kind == PLAN_AST_Q_PIPE; q = q->left)
    g_ptr_array_add (steps, (gpointer) q);
  if ((rel = bind_query (b, q)) == NULL)
    return NULL;
  for (guint i = steps->len; i > 0 && rel != NULL; i--)
    rel = bind_pipe_step (b, rel, steps->pdata[i - 1]);
  return rel;
}

/* Folds a literal, or a CAST of one, to a value of the cast's type. */
static gboolean
fold_constant (const PlanExpr *e, PlanValue *out)
{
  const PlanValue *in;
  PlanType t = e->type;
  guint from_scale = 0;

  if (e->kind == PLAN_EXPR_LITERAL)
    return plan_value_copy (out, &e->u.literal), TRUE;
  if (e->kind != PLAN_EXPR_CALL || e->u.call.func != PLAN_FUNC_CAST
      || e->u.call.args[0]->kind != PLAN_EXPR_LITERAL)
    return FALSE;
  in = &e->u.call.args[0]->u.literal;
  *out = (PlanValue) { .type = t, .is_null = in->is_null };
  if (in->is_null)
    return TRUE;
  if (in->type.kind == PLAN_TYPE_DECIMAL)
    from_scale = in->type.scale;
  switch (t.kind)
    {
    case PLAN_TYPE_BIGINT:
      out->v.i = in->v.i;
      return in->type.kind == PLAN_TYPE_INT;
    case PLAN_TYPE_DOUBLE:
      out->v.d = (double) in->v.i / pow (10, from_scale);
      return in->type.kind == PLAN_TYPE_INT || in->type.kind == PLAN_TYPE_BIGINT
             || in->type.kind == PLAN_TYPE_DECIMAL;
    case PLAN_TYPE_DECIMAL:
      out->v.i = in->v.i;
      for (guint s = from_scale; s < t.scale; s++)
        if (__builtin_mul_overflow (out->v.i, 10, &out->v.i))
          return FALSE;
      return plan__is_numeric (in->type) && in->type.kind != PLAN_TYPE_DOUBLE
             && from_scale <= t.scale;
    case PLAN_TYPE_TIMESTAMP:
      if (in->type.kind == PLAN_TYPE_DATE)
        return (out->v.i = in->v.i * 86400000), TRUE;
      return in->type.kind == PLAN_TYPE_VARCHAR
             && plan_parse_timestamp (in->v.s, strlen (in->v.s), &out->v.i);
    case PLAN_TYPE_DATE:
      {
        gint32 days;
        gboolean ok = in->type.kind == PLAN_TYPE_VARCHAR
                      && plan_parse_date (in->v.s, strlen (in->v.s), &days);
        out->v.i = ok ? days : 0;
        return ok;
      }
    case PLAN_TYPE_NULL: case PLAN_TYPE_BOOLEAN: case PLAN_TYPE_INT: case PLAN_TYPE_VARCHAR:
    case PLAN_TYPE_INTERVAL:
    default:
      return FALSE;
    }
}

static PlanSqlRel *
bind_values (PlanSqlBinder *b, const PlanAstQuery *q)
{
  guint n_rows = q->rows.n, n_cols = ((PlanAstList *) q->rows.items[0])->n;
  g_autofree PlanExpr **cells = g_new0 (PlanExpr *, n_rows * n_cols + 1);
  g_autofree PlanExpr **column = g_new0 (PlanExpr *, n_rows);
  PlanSqlRel *rel = NULL;
  PlanSchema *schema = plan_schema_new (n_cols);
  PlanValue *values = g_new0 (PlanValue, n_rows * n_cols + 1);

  for (guint r = 0; r < n_rows; r++)
    {
      const PlanAstList *row = q->rows.items[r];
      if (row->n != n_cols)
        {
          plan__bfail (b, PLAN_ERROR_BIND, ((PlanAstExpr *) row->items[0])->span,
                       "Row %u of VALUES has %u values, the first row has %u", r + 1, row->n,
                       n_cols);
          goto out;
        }
      for (guint c = 0; c < n_cols; c++)
        if ((cells[r * n_cols + c] = plan__bind_expr (b, NULL, row->items[c])) == NULL)
          goto out;
    }
  for (guint c = 0; c < n_cols; c++)
    {
      PlanType t;
      g_autofree char *name = g_strdup_printf ("EXPR$%u", c);
      for (guint r = 0; r < n_rows; r++)
        column[r] = g_steal_pointer (&cells[r * n_cols + c]);
      if (!plan__unify (b, column, n_rows, "VALUES", q->span, PLAN_TYPE_NULL, &t))
        goto out;
      plan_schema_set_field (schema, c, name, t);
      for (guint r = 0; r < n_rows; r++)
        {
          gboolean ok = fold_constant (column[r], &values[r * n_cols + c]);
          if (!ok)
            plan__bfail (b, PLAN_ERROR_UNSUPPORTED, column[r]->span,
                         "VALUES rows must hold constants for now");
          values[r * n_cols + c].type = t;
          g_clear_pointer (&column[r], plan_expr_unref);
          if (!ok)
            {
              plan__free_exprs (column, n_rows);
              goto out;
            }
        }
    }
  rel = rel_from_node (plan_node_new (PLAN_NODE_VALUES, plan_schema_ref (schema), q->span, 0,
                                      NULL), NULL, NULL, q->span);
  rel->node->u.values.n_rows = n_rows;
  rel->node->u.values.values = g_steal_pointer (&values);
out:
  plan__free_exprs (cells, n_rows * n_cols);
  if (values != NULL)
    {
      for (guint i = 0; i < n_rows * n_cols; i++)
        plan_value_clear (&values[i]);
      g_free (values);
    }
  plan_schema_unref (schema);
  return rel;
}

static PlanSqlRel *
bind_with (PlanSqlBinder *b, const PlanAstQuery *q)
{
  guint pushed = 0;
  PlanSqlRel *rel = NULL;

  if (q->recursive)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, q->span, "WITH RECURSIVE is not supported yet");
  if (b->ctes == NULL)
    b->ctes = g_ptr_array_new ();
  for (guint i = 0; i < q->ctes.n; i++, pushed++)
    {
      const PlanAstCte *c = q->ctes.items[i];
      BindCte *cte;
      PlanSqlRel *body = bind_query (b, c->query);
      if (body == NULL)
        goto out;
      if (c->columns.n > 0)
        {
          if (c->columns.n != body->cols->len)
            {
              plan__bfail (b, PLAN_ERROR_BIND, c->span, "%u column names given for %u columns",
                           c->columns.n, body->cols->len);
              rel_free (body);
              goto out;
            }
          for (guint k = 0; k < c->columns.n; k++)
            {
              const PlanAstName *name = c->columns.items[k];
              g_free (plan__rel_col (body, k)->name);
              plan__rel_col (body, k)->name = g_strdup (name->name);
            }
          /* the node's schema must carry the new names too */
          {
            PlanNode *input = body->node;
            g_autoptr (GPtrArray) ex = g_ptr_array_new ();
            for (guint k = 0; k < body->cols->len; k++)
              g_ptr_array_add (ex, plan_expr_column (k, plan__rel_col (body, k)->type, c->span));
            body->node = plan_node_new (PLAN_NODE_PROJECT, schema_of (body), c->span, 1, &input);
            body->node->u.project.n_exprs = ex->len;
            body->node->u.project.exprs = (PlanExpr **) g_ptr_array_steal (ex, NULL);
          }
        }
      cte = g_new0 (BindCte, 1);
      cte->name = c->name;
      cte->rel = body;
      g_ptr_array_add (b->ctes, cte);
    }
  rel = bind_query (b, q->left);
out:
  for (; pushed > 0; pushed--)
    {
      BindCte *cte = g_ptr_array_steal_index (b->ctes, b->ctes->len - 1);
      rel_free (cte->rel);
      g_free (cte);
    }
  return rel;
}

static PlanSqlRel *
bind_query (PlanSqlBinder *b, const PlanAstQuery *q)
{
  switch (q->kind)
    {
    case PLAN_AST_Q_SELECT:
      return bind_select (b, q);
    case PLAN_AST_Q_FROM:
      return bind_from (b, q->from);
    case PLAN_AST_Q_VALUES:
      return bind_values (b, q);
    case PLAN_AST_Q_SETOP:
      if (strcmp (q->setop, "UNION") == 0) /* added by rank: plan-sql-bind-rank.c */
        return plan__bind_setop (b, q);
      while (q->left->kind == PLAN_AST_Q_SETOP)
        q = q->left; /* report the first set operation of the chain */
      {
        g_autofree char *text = plan__sql_ast_slice (b->ast, q->op_span);
        g_autofree char *kw = g_ascii_strup (text, -1);
        return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, q->op_span, "%s is not supported yet", kw);
      }
    case PLAN_AST_Q_WITH:
      return bind_with (b, q);
    case PLAN_AST_Q_PIPE:
    default:
      return bind_pipe (b, q);
    }
}

/* ---- statements -------------------------------------------------------------------- */

/* The sink of a query or INSERT over rel's node (rel consumed). */
static PlanNode *
make_sink (PlanSqlRel *rel, PlanTable *table, PlanSpan span)
{
  PlanNode *input = rel->node;
  PlanNode *sink = plan_node_new (PLAN_NODE_SINK, plan_schema_ref (input->schema), span, 1,
                                  &input);
  sink->u.sink.table = table != NULL ? plan_table_ref (table) : NULL;
  rel->node = NULL;
  rel_free (rel);
  return sink;
}

static gboolean
assignable (PlanType from, PlanType to)
{
  return from.kind == PLAN_TYPE_NULL || from.kind == to.kind
         || (plan__is_numeric (from) && plan__is_numeric (to))
         || (from.kind == PLAN_TYPE_DATE && to.kind == PLAN_TYPE_TIMESTAMP)
         || (from.kind == PLAN_TYPE_VARCHAR && plan__is_temporal (to));
}

static gint
find_table_column (PlanSqlBinder *b, PlanTable *table, const PlanAstName *n)
{
  g_autofree const char **names = g_new0 (const char *, table->schema->n_fields + 1);
  const char *best;
  int i = plan_schema_find (table->schema, n->name);

  if (i >= 0)
    return i;
  for (guint k = 0; k < table->schema->n_fields; k++)
    names[k] = table->schema->fields[k].name;
  best = plan__sql_closest (n->name, names, table->schema->n_fields);
  if (best != NULL)
    plan__bfail (b, PLAN_ERROR_BIND, n->span, "Column '%s' not found in table '%s'. Did you mean "
                 "'%s'?", n->name, table->name, best);
  else
    plan__bfail (b, PLAN_ERROR_BIND, n->span, "Column '%s' not found in table '%s'", n->name,
                 table->name);
  return -1;
}

/* source[j]: the query column written to table column j, or -1. */
static gboolean
insert_mapping (PlanSqlBinder *b, const PlanAstStmt *s, PlanTable *table, const PlanSqlRel *rel,
                gint *source)
{
  guint n_table = table->schema->n_fields;
  guint n_target = s->insert_columns.n > 0 ? s->insert_columns.n : n_table;

  for (guint j = 0; j < n_table; j++)
    source[j] = s->insert_columns.n > 0 ? -1 : (gint) j;
  for (guint i = 0; i < s->insert_columns.n; i++)
    {
      const PlanAstName *n = s->insert_columns.items[i];
      gint j = find_table_column (b, table, n);
      if (j < 0)
        return FALSE;
      if (source[j] >= 0)
        return plan__bfail (b, PLAN_ERROR_BIND, n->span, "Column '%s' is listed twice", n->name)
               != NULL;
      source[j] = (gint) i;
    }
  if (rel->cols->len != n_target)
    {
      g_autoptr (GString) want = g_string_new (NULL), got = g_string_new (NULL);
      for (guint j = 0, k = 0; j < n_table; j++)
        if (source[j] >= 0)
          g_string_append_printf (want, "%s%s", k++ ? ", " : "", table->schema->fields[j].name);
      for (guint i = 0; i < rel->cols->len; i++)
        g_string_append_printf (got, "%s%s", i ? ", " : "", plan__rel_col (rel, i)->name);
      return plan__bfail (b, PLAN_ERROR_BIND, s->query->span, "INSERT INTO %s expects %u column%s "
                          "(%s) but the query gives %u (%s)", table->name, n_target,
                          n_target == 1 ? "" : "s", want->str, rel->cols->len, got->str) != NULL;
    }
  return TRUE;
}

/* The query's columns cast to the table's types, in table order (query consumed). */
static PlanSqlRel *
insert_project (PlanSqlBinder *b, const PlanAstStmt *s, PlanTable *table, PlanSqlRel *query)
{
  guint n = table->schema->n_fields;
  g_autoptr (PlanSqlRel) rel = query;
  g_autofree gint *source = g_new0 (gint, n + 1);
  g_autoptr (GPtrArray) exprs = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  g_autoptr (PlanSqlRel) out = plan__rel_new (NULL, NULL);
  gboolean identity = rel->cols->len == n;

  if (!insert_mapping (b, s, table, rel, source))
    return NULL;
  for (guint j = 0; j < n; j++)
    {
      const PlanField *f = &table->schema->fields[j];
      const PlanSqlCol *c = source[j] >= 0 ? plan__rel_col (rel, (guint) source[j]) : NULL;
      PlanExpr *x;
      if (c == NULL && !f->type.nullable)
        return plan__bfail (b, PLAN_ERROR_BIND, s->name_span, "Column '%s' of table '%s' is NOT "
                            "NULL but the INSERT gives it no value", f->name, table->name);
      if (c != NULL && !assignable (c->type, f->type))
        return plan__bfail (b, PLAN_ERROR_BIND, c->span, "Column '%s' of table '%s' is %s, but the "
                            "query gives %s (column %d, '%s'); CAST it", f->name, table->name,
                            plan__tname (f->type).s, plan__tname (c->type).s, source[j] + 1,
                            c->name);
      if (c == NULL)
        x = plan__null_literal (f->type, s->query->span);
      else if ((x = plan__coerce (b, plan_expr_column ((guint) source[j], c->type, c->span),
                                  f->type)) == NULL)
        return NULL;
      identity = identity && x->kind == PLAN_EXPR_COLUMN && x->u.column == j
                 && strcmp (plan__rel_col (rel, j)->name, f->name) == 0;
      rel_add (out, NULL, f->name, x->type, s->query->span);
      g_ptr_array_add (exprs, x);
    }
  if (identity)
    return g_steal_pointer (&rel);
  out->node = plan_node_new (PLAN_NODE_PROJECT, schema_of (out), s->query->span, 1, &rel->node);
  out->node->u.project.n_exprs = exprs->len;
  out->node->u.project.exprs = (PlanExpr **) g_ptr_array_steal (exprs, NULL);
  rel->node = NULL;
  return g_steal_pointer (&out);
}

static gboolean
bind_insert (PlanSqlBinder *b, const PlanAstStmt *s, PlanStatement *stmt)
{
  PlanTable *table = plan_catalog_get_table (b->catalog, s->name);
  PlanSqlRel *rel;

  if (table == NULL)
    {
      if (plan_catalog_get_view (b->catalog, s->name, NULL) != NULL)
        return plan__bfail (b, PLAN_ERROR_BIND, s->name_span, "Cannot INSERT INTO view '%s': "
                            "INSERT needs a table", s->name) != NULL;
      return table_not_found (b, s->name, s->name_span, "Table") != NULL;
    }
  if ((rel = bind_query (b, s->query)) == NULL
      || (rel = insert_project (b, s, table, rel)) == NULL)
    return FALSE;
  stmt->plan = make_sink (rel, table, s->span);
  stmt->name = g_strdup (table->name);
  return TRUE;
}

static gboolean
name_taken (PlanSqlBinder *b, const PlanAstStmt *s, const char *what)
{
  gboolean is_view = plan_catalog_get_view (b->catalog, s->name, NULL) != NULL;
  if (s->if_exists || (!is_view && plan_catalog_get_table (b->catalog, s->name) == NULL))
    return FALSE;
  plan__bfail (b, PLAN_ERROR_CATALOG, s->name_span, "A %s named '%s' already exists; use CREATE %s "
               "IF NOT EXISTS, or DROP it first", is_view ? "view" : "table", s->name, what);
  return TRUE;
}

static gboolean
bind_watermark (PlanSqlBinder *b, const PlanAstWatermark *w, PlanTable *table, GHashTable *seen)
{
  g_autoptr (PlanSqlRel) rel = NULL;
  g_autoptr (PlanExpr) x = NULL;
  g_autofree char *key = NULL, *text = NULL;
  PlanAstName n = { w->column, w->column_span };
  gint col;

  if (plan__is_computed_column (table, w->column)) /* added by ROW types: Nexmark's dateTime */
    return plan__bind_computed_watermark (b, w, table, seen);
  col = find_table_column (b, table, &n);

  if (col < 0)
    return FALSE;
  if (g_hash_table_size (seen) > 0)
    return plan__bfail (b, PLAN_ERROR_BIND, w->span, "A table can have only one WATERMARK") != NULL;
  g_hash_table_add (seen, w->column);
  if (table->schema->fields[col].type.kind != PLAN_TYPE_TIMESTAMP)
    return plan__bfail (b, PLAN_ERROR_BIND, w->column_span, "WATERMARK FOR '%s' needs a "
                        "TIMESTAMP(3) column, but '%s' is %s", w->column, w->column,
                        plan__tname (table->schema->fields[col].type).s) != NULL;
  key = g_strdup_printf ("table '%s'", table->name);
  rel = plan__rel_new (NULL, key); /* a scope of the table's columns, with no plan under it */
  for (guint i = 0; i < table->schema->n_fields; i++)
    rel_add (rel, table->name, table->schema->fields[i].name, table->schema->fields[i].type,
             w->span);
  g_clear_pointer (&key, g_free);
  if ((x = plan__bind_expr (b, rel, w->expr)) == NULL)
    return FALSE;
  if (x->type.kind != PLAN_TYPE_TIMESTAMP)
    return plan__bfail (b, PLAN_ERROR_BIND, w->expr->span, "The WATERMARK expression must be a "
                        "TIMESTAMP(3), got %s", plan__tname (x->type).s) != NULL;
  key = g_strdup_printf ("__watermark.%s", table->schema->fields[col].name);
  text = plan__sql_ast_slice (b->ast, w->expr->span);
  plan_table_add_option (table, key, text);
  return TRUE;
}

static gboolean
bind_columns (PlanSqlBinder *b, const PlanAstStmt *s, PlanSchema *schema)
{
  for (guint i = 0, k = 0; i < s->columns.n; i++)
    {
      const PlanAstColumnDef *c = s->columns.items[i];
      PlanType t;
      if (c->computed != NULL)
        continue; /* added by windows: plan__bind_computed_columns */
      if (plan_schema_find (schema, c->name) >= 0)
        return plan__bfail (b, PLAN_ERROR_BIND, c->span, "Column '%s' is defined twice", c->name)
               != NULL;
      if (!plan__bind_type (b, c->type, !c->not_null, &t))
        return FALSE;
      plan_schema_set_field (schema, k++, c->name, t);
    }
  for (guint i = 0; i < s->primary_key.n; i++)
    {
      const PlanAstName *n = s->primary_key.items[i];
      int k = plan_schema_find (schema, n->name);
      if (k < 0)
        return plan__bfail (b, PLAN_ERROR_BIND, n->span, "PRIMARY KEY column '%s' is not a column "
                            "of the table", n->name) != NULL;
      schema->fields[k].type.nullable = FALSE; /* key columns are NOT NULL, as in Flink */
    }
  return TRUE;
}

static gboolean
bind_create_table (PlanSqlBinder *b, const PlanAstStmt *s, PlanStatement *stmt)
{
  g_autoptr (PlanSchema) schema = NULL;
  g_autoptr (PlanTable) table = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (name_taken (b, s, "TABLE"))
    return FALSE;
  if (!plan__row_bind_columns (b, s, &schema)) /* added by ROW types: flattened */
    return FALSE;
  if (schema == NULL)
    {
      schema = plan_schema_new (plan__n_physical_columns (s)); /* windows: computed apart */
      if (!bind_columns (b, s, schema))
        return FALSE;
    }
  table = plan_table_new (s->name, g_steal_pointer (&schema), s->span);
  table->ddl = g_strdup (b->ast->text);
  for (guint i = 0; i < s->options.n; i++)
    {
      const PlanAstOption *o = s->options.items[i];
      if (plan_table_get_option (table, o->key) != NULL)
        return plan__bfail (b, PLAN_ERROR_BIND, o->span, "Option '%s' is given twice", o->key)
               != NULL;
      plan_table_add_option (table, o->key, o->value);
    }
  if (!plan__bind_partition_columns (b, s, table)) /* added by partitioned sinks */
    return FALSE;
  if (!plan__bind_computed_columns (b, s, table)) /* added by windows */
    return FALSE;
  if (!plan__row_finish_table (b, s, table)) /* added by ROW types */
    return FALSE;
  for (guint i = 0; i < s->watermarks.n; i++)
    if (!bind_watermark (b, s->watermarks.items[i], table, seen))
      return FALSE;
  stmt->table = g_steal_pointer (&table);
  stmt->name = g_strdup (s->name);
  return TRUE;
}

static gboolean
bind_drop (PlanSqlBinder *b, const PlanAstStmt *s, PlanStatement *stmt)
{
  gboolean view = s->kind == PLAN_STMT_DROP_VIEW;
  gboolean is_table = plan_catalog_get_table (b->catalog, s->name) != NULL;
  gboolean is_view = plan_catalog_get_view (b->catalog, s->name, NULL) != NULL;

  stmt->name = g_strdup (s->name);
  if (view ? is_view : is_table)
    return TRUE;
  if (view ? is_table : is_view)
    return plan__bfail (b, PLAN_ERROR_CATALOG, s->name_span, "'%s' is a %s; use DROP %s", s->name,
                        view ? "table" : "view", view ? "TABLE" : "VIEW") != NULL;
  if (s->if_exists)
    return TRUE;
  return table_not_found (b, s->name, s->name_span, view ? "View" : "Table") != NULL;
}

static gboolean
bind_describe (PlanSqlBinder *b, const PlanAstStmt *s, PlanStatement *stmt)
{
  PlanTable *table = plan_catalog_get_table (b->catalog, s->name);
  PlanNode *view;

  stmt->name = g_strdup (s->name);
  stmt->value = g_strdup (s->value); /* added by statistics: "EXTENDED" or NULL */
  if (table != NULL)
    {
      stmt->table = plan__describe_table (b, table); /* added by windows: computed columns */
      return stmt->table != NULL;
    }
  if ((view = plan_catalog_get_view (b->catalog, s->name, NULL)) == NULL)
    return table_not_found (b, s->name, s->name_span, "Table") != NULL;
  view = view_body (view);
  stmt->table = plan_table_new (s->name, plan_schema_ref (view->schema), view->span);
  return TRUE;
}

static gboolean bind_statement (PlanSqlBinder *b, const PlanAstStmt *s, PlanStatement *stmt);

static gboolean
bind_explain (PlanSqlBinder *b, const PlanAstStmt *s, PlanStatement *stmt)
{
  PlanStatement inner = { 0 };
  gboolean ok;

  if (s->unsupported_what != NULL)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, s->unsupported_span, "%s is not supported yet",
                        s->unsupported_what) != NULL;
  if (s->inner->kind != PLAN_STMT_QUERY && s->inner->kind != PLAN_STMT_INSERT)
    return plan__bfail (b, PLAN_ERROR_BIND, s->inner->span,
                        "EXPLAIN works on SELECT and INSERT statements") != NULL;
  ok = bind_statement (b, s->inner, &inner);
  stmt->plan = g_steal_pointer (&inner.plan);
  stmt->explain_of = s->inner->kind;
  stmt->explain_flags = s->explain_flags;
  g_free (inner.name);
  return ok;
}

static gboolean
bind_statement (PlanSqlBinder *b, const PlanAstStmt *s, PlanStatement *stmt)
{
  PlanSqlRel *rel;

  switch (s->kind)
    {
    case PLAN_STMT_QUERY:
      if ((rel = bind_query (b, s->query)) == NULL)
        return FALSE;
      stmt->plan = make_sink (rel, NULL, s->span);
      return TRUE;
    case PLAN_STMT_INSERT:
      return bind_insert (b, s, stmt);
    case PLAN_STMT_CREATE_TABLE:
      return bind_create_table (b, s, stmt);
    case PLAN_STMT_CREATE_VIEW:
      if (name_taken (b, s, "VIEW") || (rel = bind_query (b, s->query)) == NULL)
        return FALSE;
      stmt->plan = plan_node_ref (rel->node);
      stmt->name = g_strdup (s->name);
      rel_free (rel);
      return TRUE;
    case PLAN_STMT_DROP_TABLE:
    case PLAN_STMT_DROP_VIEW:
      return bind_drop (b, s, stmt);
    case PLAN_STMT_SET:
    case PLAN_STMT_RESET:
      stmt->key = g_strdup (s->key);
      stmt->value = g_strdup (s->value);
      return TRUE;
    case PLAN_STMT_DESCRIBE:
      return bind_describe (b, s, stmt);
    case PLAN_STMT_EXPLAIN:
      return bind_explain (b, s, stmt);
    case PLAN_STMT_STOP_JOB: /* added by checkpoints */
      stmt->name = g_strdup (s->name);
      stmt->value = g_strdup (s->value);
      return TRUE;
    case PLAN_STMT_ANALYZE: /* added by statistics: plan-sql-bind-analyze.c */
      return plan__bind_analyze (b, s, stmt);
    case PLAN_STMT_SHOW_TABLES:
    case PLAN_STMT_SHOW_VIEWS:
    default:
      return TRUE;
    }
}

PlanStatement *
plan_sql_bind (PlanCatalog *catalog, const PlanAst *ast, GError **error)
{
  PlanSqlBinder b = { catalog, ast, error, NULL };
  g_autoptr (PlanStatement) stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (catalog != NULL && ast != NULL, NULL);
  stmt = g_new0 (PlanStatement, 1);
  stmt->kind = ast->stmt->kind;
  stmt->span = ast->span;
  stmt->text = g_strdup (ast->text);
  stmt->if_exists = ast->stmt->if_exists;
  ok = bind_statement (&b, ast->stmt, stmt);
  g_clear_pointer (&b.ctes, g_ptr_array_unref);
  return ok ? g_steal_pointer (&stmt) : NULL;
}

void
plan_statement_free (PlanStatement *stmt)
{
  if (stmt == NULL)
    return;
  g_free (stmt->text);
  g_clear_pointer (&stmt->plan, plan_node_unref);
  g_clear_pointer (&stmt->table, plan_table_unref);
  g_free (stmt->name);
  g_free (stmt->key);
  g_free (stmt->value);
  g_free (stmt);
}

PlanStatement *
plan_sql_compile_one (PlanCatalog *catalog, const char *sql, GError **error)
{
  g_autoptr (GPtrArray) asts = NULL;
  PlanAst *first;

  g_return_val_if_fail (catalog != NULL && sql != NULL, NULL);
  if ((asts = plan_sql_parse (sql, error)) == NULL)
    return NULL;
  if (asts->len != 1)
    {
      if (asts->len == 0)
        plan__sql_error (error, PLAN_ERROR_SYNTAX, (PlanSpan) { 0, 0, 1, 1 },
                         "Expected a statement, found none");
      else
        plan__sql_error (error, PLAN_ERROR_SYNTAX, plan_ast_get_span (asts->pdata[1]),
                         "Expected one statement, found %u", asts->len);
      return NULL;
    }
  first = asts->pdata[0];
  return plan_sql_bind (catalog, first, error);
}

/* added by subqueries: the helpers plan-sql-bind-subquery.c needs */
PlanSqlRel *
plan__bind_query_rel (PlanSqlBinder *b, const PlanAstQuery *q)
{
  return bind_query (b, q);
}

PlanSqlRel *
plan__bind_filter_rel (PlanSqlBinder *b, PlanSqlRel *rel, const PlanAstExpr *cond, PlanSpan span)
{
  return bind_filter (b, rel, cond, span);
}

PlanSqlRel *
plan__bind_aggregate_rel (PlanSqlBinder *b, PlanSqlRel *rel, const PlanAstList *items,
                          const PlanAstList *group_by, PlanSpan span)
{
  return bind_aggregate (b, rel, items, group_by, NULL, span, TRUE);
}
