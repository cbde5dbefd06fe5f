/* plan-sql-bind-agg.c: binding of aggregation: GROUP BY, HAVING, aggregate calls,
 * SELECT DISTINCT and the pipe step |> AGGREGATE.
 *
 * A grouped query becomes three nodes over its FROM/WHERE relation:
 *   PROJECT (group keys, then every aggregate argument and FILTER condition, deduplicated)
 *   AGGREGATE (keys = the first columns of that projection; one call per distinct aggregate)
 *   [FILTER (HAVING)] PROJECT (the select list, over keys and aggregate results)
 * so that the AGGREGATE itself only ever reads bare columns, as Flink's does after its
 * projection of aggregate inputs. The select list and HAVING are bound with an aggregate
 * context (PlanSqlBinder.agg): plan__bind_expr first asks plan__agg_resolve whether a
 * subexpression is one of the collected aggregate calls, or equals a group key (compared
 * as bound expressions, so `GROUP BY a + 1` matches `a + 1` in the select list); a bare
 * column that is neither is the classic "not in GROUP BY" error. Anything else is bound
 * normally, its children going through the same check.
 *
 * Result types follow Flink: COUNT is BIGINT NOT NULL; SUM of INT or BIGINT is BIGINT,
 * of DECIMAL(p, s) DECIMAL(18, s) (Flink uses precision 38; strom stops at 18), of DOUBLE
 * DOUBLE; AVG keeps an integer argument's type (Flink computes the sum and count as
 * integers and divides with truncation: AVG of INT 1 and 2 is 1), DECIMAL(p, s) gives
 * DECIMAL(18, max(6, s)), DOUBLE gives DOUBLE; MIN and MAX have their argument's type.
 * Every aggregate but COUNT is nullable (a group's values may all be NULL). */
#include "plan-sql-private.h"

#include <string.h>

struct _PlanSqlAggCtx {
  const PlanSqlRel *scope; /* borrowed: the relation the aggregation reads */
  GPtrArray *lower;        /* owned PlanExpr*: the projection below the AGGREGATE */
  guint n_keys;            /* lower[0..n_keys) are the group keys */
  GArray *calls;           /* PlanAggCall, arg and filter index lower */
  GPtrArray *call_names;   /* owned char* per call */
  GHashTable *by_ast;      /* const PlanAstExpr* call -> index + 1 */
};

static const char *const supported[] = { "COUNT", "SUM", "AVG", "MIN", "MAX" };

static gboolean
is_aggregate_name (const char *name)
{
  static const char *const all[] = {
    "COUNT", "SUM", "AVG", "MIN", "MAX", "STDDEV", "STDDEV_POP", "STDDEV_SAMP", "VAR_POP",
    "VAR_SAMP", "VARIANCE", "COLLECT", "LISTAGG", "FIRST_VALUE", "LAST_VALUE", "ARRAY_AGG",
    "BOOL_AND", "BOOL_OR", "APPROX_COUNT_DISTINCT",
  };
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    if (strcmp (name, all[i]) == 0)
      return TRUE;
  return FALSE;
}

gboolean
plan__is_aggregate_call (const PlanAstExpr *e)
{
  return e->kind == PLAN_AST_CALL && !e->over && is_aggregate_name (e->name);
}

/* The first aggregate call in e (not looking into subqueries), or NULL. Iterative over an
 * explicit stack: expression trees are as deep as PLAN_SQL_MAX_HEIGHT. */
const PlanAstExpr *
plan__find_aggregate (const PlanAstExpr *e)
{
  g_autoptr (GPtrArray) stack = g_ptr_array_new ();

  if (e != NULL)
    g_ptr_array_add (stack, (gpointer) e);
  while (stack->len > 0)
    {
      const PlanAstExpr *x = g_ptr_array_steal_index (stack, stack->len - 1);

      if (plan__is_aggregate_call (x))
        return x;
      if (x->left) g_ptr_array_add (stack, x->left);
      if (x->right) g_ptr_array_add (stack, x->right);
      if (x->escape) g_ptr_array_add (stack, x->escape);
      if (x->filter) g_ptr_array_add (stack, x->filter);
      for (guint i = x->args.n; i > 0; i--)
        g_ptr_array_add (stack, x->args.items[i - 1]);
    }
  return NULL;
}

gboolean
plan__items_have_aggregate (const PlanAstList *items)
{
  for (guint i = 0; i < items->n; i++)
    if (plan__find_aggregate (((const PlanAstSelectItem *) items->items[i])->expr) != NULL)
      return TRUE;
  return FALSE;
}

static void
ctx_free (PlanSqlAggCtx *ctx)
{
  if (ctx == NULL)
    return;
  g_ptr_array_unref (ctx->lower);
  g_array_unref (ctx->calls);
  g_ptr_array_unref (ctx->call_names);
  g_hash_table_unref (ctx->by_ast);
  g_free (ctx);
}

void
plan__agg_end (PlanSqlBinder *b)
{
  g_clear_pointer (&b->agg, ctx_free);
}

/* Index of x in lower (added when new; takes x). */
static guint
lower_add (PlanSqlAggCtx *ctx, PlanExpr *x)
{
  for (guint i = ctx->n_keys; i < ctx->lower->len; i++)
    if (plan_expr_equal (ctx->lower->pdata[i], x))
      {
        plan_expr_unref (x);
        return i;
      }
  g_ptr_array_add (ctx->lower, x);
  return ctx->lower->len - 1;
}

/* Binds x with no aggregate context (arguments, keys and probes read the input). */
static PlanExpr *
bind_below (PlanSqlBinder *b, PlanSqlAggCtx *ctx, const PlanAstExpr *e)
{
  PlanSqlAggCtx *saved = b->agg;
  PlanExpr *x;

  b->agg = NULL;
  x = plan__bind_expr (b, ctx->scope, e);
  b->agg = saved;
  return x;
}

static gboolean
agg_result_type (PlanSqlBinder *b, PlanAggFunc f, const PlanAstExpr *e, PlanType t,
                 PlanType *out)
{
  gboolean num = plan__is_numeric (t);

  switch (f)
    {
    case PLAN_AGG_COUNT_STAR: case PLAN_AGG_COUNT:
      *out = plan_type_make (PLAN_TYPE_BIGINT, FALSE);
      return TRUE;
    case PLAN_AGG_SUM: case PLAN_AGG_AVG:
      if (!num)
        return plan__bfail (b, PLAN_ERROR_BIND, e->span, "%s needs a numeric argument, got "
                            "%s", e->name, plan__tname (t).s) != NULL;
      if (t.kind == PLAN_TYPE_DECIMAL)
        *out = plan_type_decimal (18, f == PLAN_AGG_SUM ? t.scale : MAX (6, t.scale), TRUE);
      else if (f == PLAN_AGG_SUM && t.kind == PLAN_TYPE_INT)
        *out = plan_type_make (PLAN_TYPE_BIGINT, TRUE);
      else
        *out = plan_type_make (t.kind, TRUE);
      return TRUE;
    case PLAN_AGG_MIN: case PLAN_AGG_MAX:
    default:
      *out = t;
      out->nullable = TRUE;
      return TRUE;
    }
}

static PlanAggFunc
agg_func_of (const PlanAstExpr *e)
{
  if (strcmp (e->name, "COUNT") == 0)
    return e->star_arg ? PLAN_AGG_COUNT_STAR : PLAN_AGG_COUNT;
  if (strcmp (e->name, "SUM") == 0)
    return PLAN_AGG_SUM;
  if (strcmp (e->name, "AVG") == 0)
    return PLAN_AGG_AVG;
  return strcmp (e->name, "MIN") == 0 ? PLAN_AGG_MIN : PLAN_AGG_MAX;
}

/* Checks the call's shape; binds its argument and FILTER into c. */
static gboolean
bind_call_parts (PlanSqlBinder *b, PlanSqlAggCtx *ctx, const PlanAstExpr *e, PlanAggCall *c)
{
  const PlanAstExpr *nested = NULL;
  PlanType arg_type = plan_type_make (PLAN_TYPE_BIGINT, FALSE);
  gboolean known = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (supported); i++)
    known |= strcmp (e->name, supported[i]) == 0;
  if (!known)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->span,
                        "Aggregate function %s is not supported yet (strom has COUNT, SUM, "
                        "AVG, MIN and MAX)", e->name) != NULL;
  for (guint i = 0; i < e->args.n && nested == NULL; i++)
    nested = plan__find_aggregate (e->args.items[i]);
  if (nested == NULL && e->filter != NULL)
    nested = plan__find_aggregate (e->filter);
  if (nested != NULL)
    return plan__bfail (b, PLAN_ERROR_BIND, nested->span,
                        "Aggregate function calls cannot be nested: %s inside %s",
                        nested->name, e->name) != NULL;
  c->func = agg_func_of (e);
  c->distinct = e->distinct;
  c->arg = c->filter = -1;
  if (c->func != PLAN_AGG_COUNT_STAR)
    {
      PlanExpr *x;

      if (e->args.n != 1)
        return plan__bfail (b, PLAN_ERROR_BIND, e->span, "%s takes one argument, got %u",
                            e->name, e->args.n) != NULL;
      if ((x = bind_below (b, ctx, e->args.items[0])) == NULL)
        return FALSE;
      if (x->type.kind == PLAN_TYPE_NULL)
        {
          plan_expr_unref (x);
          return plan__bfail (b, PLAN_ERROR_BIND, e->span, "%s of an untyped NULL; write "
                              "CAST(NULL AS <type>)", e->name) != NULL;
        }
      arg_type = x->type;
      c->arg = (gint) lower_add (ctx, x);
    }
  if (e->filter != NULL)
    {
      PlanExpr *f = bind_below (b, ctx, e->filter);

      if (f != NULL && f->type.kind != PLAN_TYPE_BOOLEAN)
        {
          plan__bfail (b, PLAN_ERROR_BIND, e->filter->span, "FILTER (WHERE ...) needs a "
                       "BOOLEAN condition, got %s", plan__tname (f->type).s);
          g_clear_pointer (&f, plan_expr_unref);
        }
      if (f == NULL)
        return FALSE;
      c->filter = (gint) lower_add (ctx, f);
    }
  return agg_result_type (b, c->func, e, arg_type, &c->type);
}

static gboolean
collect_call (PlanSqlBinder *b, PlanSqlAggCtx *ctx, const PlanAstExpr *e, const char *alias)
{
  PlanAggCall c = { 0 };

  if (g_hash_table_contains (ctx->by_ast, e))
    return TRUE;
  if (!bind_call_parts (b, ctx, e, &c))
    return FALSE;
  for (guint i = 0; i < ctx->calls->len; i++)
    {
      const PlanAggCall *o = &g_array_index (ctx->calls, PlanAggCall, i);

      if (o->func == c.func && o->distinct == c.distinct && o->arg == c.arg
          && o->filter == c.filter)
        {
          g_hash_table_insert (ctx->by_ast, (gpointer) e, GUINT_TO_POINTER (i + 1));
          return TRUE;
        }
    }
  g_array_append_val (ctx->calls, c);
  g_ptr_array_add (ctx->call_names, alias != NULL ? g_strdup (alias)
                                    : g_strdup_printf ("EXPR$%u", ctx->calls->len - 1));
  g_hash_table_insert (ctx->by_ast, (gpointer) e, GUINT_TO_POINTER (ctx->calls->len));
  return TRUE;
}

/* Collects every aggregate call of e (outermost ones; nested ones are errors). */
static gboolean
collect_calls (PlanSqlBinder *b, PlanSqlAggCtx *ctx, const PlanAstExpr *e, const char *alias)
{
  g_autoptr (GPtrArray) stack = g_ptr_array_new ();

  g_ptr_array_add (stack, (gpointer) e);
  while (stack->len > 0)
    {
      const PlanAstExpr *x = g_ptr_array_steal_index (stack, stack->len - 1);

      if (plan__is_aggregate_call (x))
        {
          if (!collect_call (b, ctx, x, x == e ? alias : NULL))
            return FALSE;
          continue;
        }
      if (x->left) g_ptr_array_add (stack, x->left);
      if (x->right) g_ptr_array_add (stack, x->right);
      if (x->escape) g_ptr_array_add (stack, x->escape);
      for (guint i = x->args.n; i > 0; i--)
        g_ptr_array_add (stack, x->args.items[i - 1]);
    }
  return TRUE;
}

static gboolean
bind_keys (PlanSqlBinder *b, PlanSqlAggCtx *ctx, const PlanAstList *group_by,
           GPtrArray *key_names)
{
  for (guint i = 0; i < group_by->n; i++)
    {
      const PlanAstExpr *e = group_by->items[i];
      const PlanAstExpr *agg = plan__find_aggregate (e);
      PlanExpr *x;
      gboolean dup = FALSE;

      if (agg != NULL)
        return plan__bfail (b, PLAN_ERROR_BIND, agg->span, "Aggregate functions are not "
                            "allowed in GROUP BY") != NULL;
      if ((x = bind_below (b, ctx, e)) == NULL)
        return FALSE;
      for (guint k = 0; k < ctx->lower->len && !dup; k++)
        dup = plan_expr_equal (ctx->lower->pdata[k], x);
      if (dup)
        {
          plan_expr_unref (x);
          continue;
        }
      g_ptr_array_add (key_names, x->kind == PLAN_EXPR_COLUMN
                                  ? g_strdup (plan__rel_col (ctx->scope, x->u.column)->name)
                                  : g_strdup_printf ("EXPR$%u", ctx->lower->len));
      g_ptr_array_add (ctx->lower, x);
    }
  ctx->n_keys = ctx->lower->len;
  return TRUE;
}

/* PROJECT (keys, arguments) -> AGGREGATE, consuming rel's node. */
static PlanNode *
build_nodes (PlanSqlAggCtx *ctx, PlanSqlRel *rel, GPtrArray *key_names, PlanSpan span)
{
  guint n_lower = ctx->lower->len, n_aggs = ctx->calls->len;
  PlanSchema *ls = plan_schema_new (n_lower), *as = plan_schema_new (ctx->n_keys + n_aggs);
  PlanNode *project, *agg;

  for (guint i = 0; i < n_lower; i++)
    {
      g_autofree char *name = i < ctx->n_keys ? g_strdup (key_names->pdata[i])
                                              : g_strdup_printf ("$f%u", i);
      plan_schema_set_field (ls, i, name, ((PlanExpr *) ctx->lower->pdata[i])->type);
    }
  project = plan_node_new (PLAN_NODE_PROJECT, ls, span, 1, &rel->node);
  rel->node = NULL;
  project->u.project.n_exprs = n_lower;
  project->u.project.exprs = g_new0 (PlanExpr *, n_lower + 1);
  for (guint i = 0; i < n_lower; i++)
    project->u.project.exprs[i] = plan_expr_ref (ctx->lower->pdata[i]);
  for (guint i = 0; i < ctx->n_keys; i++)
    plan_schema_set_field (as, i, key_names->pdata[i], ls->fields[i].type);
  for (guint j = 0; j < n_aggs; j++)
    plan_schema_set_field (as, ctx->n_keys + j, ctx->call_names->pdata[j],
                           g_array_index (ctx->calls, PlanAggCall, j).type);
  agg = plan_node_new (PLAN_NODE_AGGREGATE, as, span, 1, &project);
  agg->u.aggregate.n_keys = ctx->n_keys;
  agg->u.aggregate.keys = g_new0 (guint, ctx->n_keys + 1);
  for (guint i = 0; i < ctx->n_keys; i++)
    agg->u.aggregate.keys[i] = i;
  agg->u.aggregate.n_aggs = n_aggs;
  agg->u.aggregate.aggs = g_new0 (PlanAggCall, n_aggs + 1);
  if (n_aggs > 0)
    memcpy (agg->u.aggregate.aggs, ctx->calls->data, n_aggs * sizeof (PlanAggCall));
  return agg;
}

PlanNode *
plan__agg_begin (PlanSqlBinder *b, PlanSqlRel *rel, const PlanAstList *items,
                 const PlanAstList *group_by, const PlanAstExpr *having, PlanSpan span,
                 GPtrArray *out_key_cols)
{
  g_autoptr (GPtrArray) key_names = g_ptr_array_new_with_free_func (g_free);
  PlanSqlAggCtx *ctx = g_new0 (PlanSqlAggCtx, 1);

  ctx->scope = rel;
  ctx->lower = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  ctx->calls = g_array_new (FALSE, TRUE, sizeof (PlanAggCall));
  ctx->call_names = g_ptr_array_new_with_free_func (g_free);
  ctx->by_ast = g_hash_table_new (g_direct_hash, g_direct_equal);
  b->agg = ctx;
  if (!bind_keys (b, ctx, group_by, key_names))
    return NULL;
  for (guint i = 0; i < items->n; i++)
    {
      const PlanAstSelectItem *item = items->items[i];

      if (item->expr->kind == PLAN_AST_STAR)
        return plan__bfail (b, PLAN_ERROR_BIND, item->expr->span, "'*' cannot be selected "
                            "from an aggregation; list the GROUP BY columns and aggregates");
      if (!collect_calls (b, ctx, item->expr, item->alias))
        return NULL;
    }
  if (having != NULL && !collect_calls (b, ctx, having, NULL))
    return NULL;
  /* The keys' source columns, so the caller can keep their qualifiers. */
  for (guint i = 0; i < ctx->n_keys && out_key_cols != NULL; i++)
    {
      const PlanExpr *k = ctx->lower->pdata[i];
      g_ptr_array_add (out_key_cols, k->kind == PLAN_EXPR_COLUMN
                                     ? plan__rel_col (rel, k->u.column) : NULL);
    }
  return build_nodes (ctx, rel, key_names, span);
}

/* See the file comment. *handled FALSE: bind e normally (its children come back here). */
PlanExpr *
plan__agg_resolve (PlanSqlBinder *b, const PlanAstExpr *e, gboolean *handled)
{
  PlanSqlAggCtx *ctx = b->agg;
  gpointer idx = g_hash_table_lookup (ctx->by_ast, e);
  GError **saved_error = b->error;
  g_autoptr (GError) probe_error = NULL;
  PlanExpr *x;

  *handled = TRUE;
  if (idx != NULL)
    {
      guint j = GPOINTER_TO_UINT (idx) - 1;
      return plan_expr_column (ctx->n_keys + j, g_array_index (ctx->calls, PlanAggCall, j).type,
                               e->span);
    }
  if (e->kind != PLAN_AST_COLUMN && e->height < 2)
    return *handled = FALSE, NULL; /* a literal or CURRENT_TIMESTAMP: nothing to match */
  if (ctx->n_keys > 0 || e->kind == PLAN_AST_COLUMN)
    {
      b->error = &probe_error;
      x = bind_below (b, ctx, e);
      b->error = saved_error;
      for (guint i = 0; x != NULL && i < ctx->n_keys; i++)
        if (plan_expr_equal (ctx->lower->pdata[i], x))
          {
            PlanType t = x->type;
            plan_expr_unref (x);
            return plan_expr_column (i, t, e->span);
          }
      g_clear_pointer (&x, plan_expr_unref);
    }
  if (e->kind != PLAN_AST_COLUMN)
    return *handled = FALSE, NULL;
  if (probe_error != NULL)
    return bind_below (b, ctx, e); /* no such column: that error, with its suggestions */
  return plan__bfail (b, PLAN_ERROR_BIND, e->span, "Expression '%s%s%s' is neither in GROUP "
                      "BY nor inside an aggregate; add it to GROUP BY or aggregate it (for "
                      "example MAX(%s))", e->qualifier ? e->qualifier : "",
                      e->qualifier ? "." : "", e->name, e->name);
}
