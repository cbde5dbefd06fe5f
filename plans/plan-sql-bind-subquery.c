/* plan-sql-bind-subquery.c: simple subquery decorrelation in WHERE, done while binding, so
 * the optimizer and the engine only ever see joins and aggregates.
 *
 * Each top-level conjunct of a WHERE of one of these forms is rewritten (the shapes of
 * TPC-H Q4, Q17, Q20, Q21/Q22 without their inequalities):
 *   x IN (SELECT y FROM ...)            outer JOIN (SELECT DISTINCT y ...) ON x = y
 *   EXISTS (SELECT .. WHERE i = o ..)   outer JOIN (SELECT DISTINCT i ... ) ON o = i
 *   NOT EXISTS (same)                   outer LEFT JOIN (SELECT DISTINCT i ...) ON o = i
 *                                       WHERE i IS NULL (an anti join)
 *   x op (SELECT agg(..) .. WHERE i = o) outer JOIN (SELECT i, agg(..) ... GROUP BY i)
 *                                       ON o = i WHERE x op agg
 * DISTINCT keeps a semi join from multiplying outer rows. A correlated subquery may tie
 * itself to the outer query only by equalities between one of its expressions and one of
 * the outer query's (the correlation becomes the join key); its other conditions filter
 * the subquery before the join. A scalar subquery without correlation is an aggregate of
 * one row joined to every outer row. A column reference inside a subquery means the
 * subquery's column when it has one of that name (SQL's scoping), else the outer
 * query's.
 *
 * Refused with a message: NOT IN (its NULL semantics make it a different join; NOT EXISTS
 * says what is usually meant), correlation by anything but equality, a scalar subquery
 * with COUNT (it is 0, not NULL, for an outer row without partners, which the join
 * cannot produce), subqueries anywhere else in an expression. The rest of the WHERE is
 * bound as before, as a FILTER below the joins. */
#include "plan-sql-private.h"

#include <string.h>

/* ---- the AST ----------------------------------------------------------------------------- */

static void
split_and (const PlanAstExpr *e, GPtrArray *out)
{
  if (e->kind == PLAN_AST_BINARY && e->op == PLAN_AST_OP_AND)
    {
      split_and (e->left, out);
      split_and (e->right, out);
    }
  else
    g_ptr_array_add (out, (gpointer) e);
}

static gboolean
is_comparison (PlanAstOp op)
{
  return op == PLAN_AST_OP_EQ || op == PLAN_AST_OP_NE || op == PLAN_AST_OP_LT
         || op == PLAN_AST_OP_LE || op == PLAN_AST_OP_GT || op == PLAN_AST_OP_GE;
}

static gboolean
is_not_exists (const PlanAstExpr *e)
{
  return e->kind == PLAN_AST_UNARY && e->op == PLAN_AST_OP_NOT && e->left != NULL
         && e->left->kind == PLAN_AST_EXISTS;
}

/* A conjunct this file rewrites. */
static gboolean
is_subquery_form (const PlanAstExpr *e)
{
  if (e->kind == PLAN_AST_IN && e->query != NULL)
    return TRUE;
  if (e->kind == PLAN_AST_EXISTS || is_not_exists (e))
    return TRUE;
  return e->kind == PLAN_AST_BINARY && is_comparison (e->op)
         && ((e->left->kind == PLAN_AST_SUBQUERY) != (e->right->kind == PLAN_AST_SUBQUERY));
}

static gboolean
resolves_in (const PlanSqlRel *rel, const PlanAstExpr *col)
{
  for (guint i = 0; i < rel->cols->len; i++)
    {
      const PlanSqlCol *c = plan__rel_col (rel, i);

      if (plan__qualifier_matches (c, col->qualifier)
          && g_ascii_strcasecmp (c->name, col->name) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Whether e reads columns of the subquery (*in) and of the outer query (*out). A name
 * neither knows counts as the subquery's, whose binding then reports it. */
static void
refs (const PlanAstExpr *e, const PlanSqlRel *inner, const PlanSqlRel *outer, gboolean *in,
      gboolean *out)
{
  if (e == NULL)
    return;
  if (e->kind == PLAN_AST_COLUMN)
    {
      if (!resolves_in (inner, e) && resolves_in (outer, e))
        *out = TRUE;
      else
        *in = TRUE;
      return;
    }
  refs (e->left, inner, outer, in, out);
  refs (e->right, inner, outer, in, out);
  refs (e->escape, inner, outer, in, out);
  refs (e->filter, inner, outer, in, out);
  for (guint i = 0; i < e->args.n; i++)
    refs (e->args.items[i], inner, outer, in, out);
}

static gboolean
calls_count (const PlanAstExpr *e)
{
  if (e == NULL || e->kind == PLAN_AST_SUBQUERY)
    return FALSE;
  if (e->kind == PLAN_AST_CALL && e->name != NULL && strcmp (e->name, "COUNT") == 0)
    return TRUE;
  if (calls_count (e->left) || calls_count (e->right) || calls_count (e->escape))
    return TRUE;
  for (guint i = 0; i < e->args.n; i++)
    if (calls_count (e->args.items[i]))
      return TRUE;
  return FALSE;
}

/* ---- plan building ----------------------------------------------------------------------- */

/* node's columns, then exprs (taken), under a PROJECT (takes node). */
static PlanNode *
project_plus (PlanNode *node, guint n_keep, PlanExpr **exprs, guint n_exprs, PlanSpan span)
{
  PlanSchema *schema = plan_schema_new (n_keep + n_exprs);
  PlanNode *p;

  for (guint i = 0; i < n_keep; i++)
    plan_schema_set_field (schema, i, node->schema->fields[i].name, node->schema->fields[i].type);
  for (guint i = 0; i < n_exprs; i++)
    {
      g_autofree char *name = g_strdup_printf ("$sq%u", i);

      plan_schema_set_field (schema, n_keep + i, name, exprs[i]->type);
    }
  p = plan_node_new (PLAN_NODE_PROJECT, schema, span, 1, &node);
  p->u.project.n_exprs = n_keep + n_exprs;
  p->u.project.exprs = g_new0 (PlanExpr *, n_keep + n_exprs + 1);
  for (guint i = 0; i < n_keep; i++)
    p->u.project.exprs[i] = plan_expr_column (i, node->schema->fields[i].type, span);
  for (guint i = 0; i < n_exprs; i++)
    p->u.project.exprs[n_keep + i] = exprs[i];
  return p;
}

/* SELECT DISTINCT over all of node's columns (takes node). */
static PlanNode *
distinct (PlanNode *node, PlanSpan span)
{
  guint n = node->schema->n_fields;
  PlanNode *agg = plan_node_new (PLAN_NODE_AGGREGATE, plan_schema_ref (node->schema), span, 1,
                                 &node);

  agg->u.aggregate.n_keys = n;
  agg->u.aggregate.keys = g_new0 (guint, n + 1);
  for (guint i = 0; i < n; i++)
    agg->u.aggregate.keys[i] = i;
  return agg;
}

/* left JOIN right on left columns lk[k] = right columns k (takes both). */
static PlanNode *
join (PlanNode *left, PlanNode *right, PlanJoinType type, guint n_keys, guint first_left_key,
      PlanSpan span)
{
  PlanNode *in[2] = { left, right };
  PlanNode *j = plan_node_new (PLAN_NODE_JOIN, plan_join_schema (left->schema, right->schema,
                                                                 type), span, 2, in);

  j->u.join.type = type;
  j->u.join.n_keys = n_keys;
  j->u.join.left_keys = g_new0 (guint, n_keys + 1);
  j->u.join.right_keys = g_new0 (guint, n_keys + 1);
  for (guint k = 0; k < n_keys; k++)
    {
      j->u.join.left_keys[k] = first_left_key + k;
      j->u.join.right_keys[k] = k;
    }
  return j;
}

/* rel's columns (names and all) over joined, whose first columns are rel's; rel is freed. */
static PlanSqlRel *
restore (PlanSqlRel *rel, PlanNode *joined, PlanSpan span)
{
  guint n = rel->cols->len;
  PlanNode *p = plan_node_new (PLAN_NODE_PROJECT, plan_schema_ref (rel->node->schema), span, 1,
                               &joined);
  PlanSqlRel *out;

  p->u.project.n_exprs = n;
  p->u.project.exprs = g_new0 (PlanExpr *, n + 1);
  for (guint i = 0; i < n; i++)
    p->u.project.exprs[i] = plan_expr_column (i, joined->schema->fields[i].type, span);
  out = plan__rel_new (p, rel->desc);
  for (guint i = 0; i < n; i++)
    {
      const PlanSqlCol *c = plan__rel_col (rel, i);
      PlanSqlCol copy = { g_strdup (c->qualifier), g_strdup (c->name), c->type, c->span };

      g_array_append_val (out->cols, copy);
    }
  plan__rel_free (rel);
  return out;
}

static PlanNode *
filter_node (PlanNode *node, PlanExpr *cond, PlanSpan span)
{
  PlanNode *f = plan_node_new (PLAN_NODE_FILTER, plan_schema_ref (node->schema), span, 1, &node);

  f->u.filter.condition = cond;
  return f;
}

/* ---- the correlation ---------------------------------------------------------------------- */

typedef struct {
  GPtrArray *inner_keys; /* PlanAstExpr* (borrowed): the subquery's side of each equality */
  GPtrArray *outer_keys; /* PlanAstExpr* (borrowed): the outer query's side */
  GPtrArray *outer_only; /* PlanAstExpr* conditions reading the outer query only */
} Correlation;

static void
correlation_clear (Correlation *c)
{
  g_ptr_array_unref (c->inner_keys);
  g_ptr_array_unref (c->outer_keys);
  g_ptr_array_unref (c->outer_only);
}

/* Splits the subquery's WHERE: its own conditions filter inner (returned, or NULL with an
 * error); equalities with the outer query go to corr. */
static PlanSqlRel *
split_where (PlanSqlBinder *b, const PlanAstQuery *q, PlanSqlRel *inner, const PlanSqlRel *outer,
             Correlation *corr)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new ();

  corr->inner_keys = g_ptr_array_new ();
  corr->outer_keys = g_ptr_array_new ();
  corr->outer_only = g_ptr_array_new ();
  if (q->where != NULL)
    split_and (q->where, parts);
  for (guint i = 0; i < parts->len && inner != NULL; i++)
    {
      const PlanAstExpr *p = parts->pdata[i];
      gboolean in = FALSE, out = FALSE, lin = FALSE, lout = FALSE, rin = FALSE, rout = FALSE;

      refs (p, inner, outer, &in, &out);
      if (!out) /* the subquery's own condition, which may hold a subquery itself */
        {
          inner = plan__bind_where (b, inner, p, p->span);
          continue;
        }
      if (!in)
        {
          g_ptr_array_add (corr->outer_only, (gpointer) p);
          continue;
        }
      if (p->kind == PLAN_AST_BINARY && p->op == PLAN_AST_OP_EQ)
        {
          refs (p->left, inner, outer, &lin, &lout);
          refs (p->right, inner, outer, &rin, &rout);
        }
      if (lin && !lout && rout && !rin)
        {
          g_ptr_array_add (corr->inner_keys, p->left);
          g_ptr_array_add (corr->outer_keys, p->right);
        }
      else if (rin && !rout && lout && !lin)
        {
          g_ptr_array_add (corr->inner_keys, p->right);
          g_ptr_array_add (corr->outer_keys, p->left);
        }
      else
        {
          plan__rel_free (inner);
          return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, p->span,
                              "This condition ties the subquery to the outer query other than "
                              "by an equality between their columns; only equalities "
                              "(inner.x = outer.y) can be decorrelated. Rewrite it as a join");
        }
    }
  return inner;
}

static gboolean
check_simple (PlanSqlBinder *b, const PlanAstQuery *q, PlanSpan span)
{
  if (q->kind == PLAN_AST_Q_SELECT && q->from != NULL && q->group_by.n == 0 && q->having == NULL)
    return TRUE;
  plan__bfail (b, PLAN_ERROR_UNSUPPORTED, span, "Only a plain SELECT ... FROM ... [WHERE ...] "
               "subquery (no GROUP BY, HAVING, set operations, ORDER BY or LIMIT) can be "
               "decorrelated here; rewrite the subquery as a join");
  return FALSE;
}

/* Binds the outer and inner key expressions and unifies each pair; outer_e and inner_e get
 * n new refs each. FALSE with an error. */
static gboolean
bind_keys (PlanSqlBinder *b, const PlanSqlRel *outer, const PlanSqlRel *inner,
           const Correlation *corr, PlanExpr **outer_e, PlanExpr **inner_e)
{
  for (guint k = 0; k < corr->outer_keys->len; k++)
    {
      const PlanAstExpr *o = corr->outer_keys->pdata[k];
      PlanExpr *args[2] = { plan__bind_expr (b, outer, o), NULL };
      PlanType t;

      if (args[0] == NULL
          || (args[1] = plan__bind_expr (b, inner, corr->inner_keys->pdata[k])) == NULL
          || !plan__unify (b, args, 2, NULL, o->span, PLAN_TYPE_BOOLEAN, &t))
        {
          if (args[0] != NULL && args[1] == NULL)
            plan_expr_unref (args[0]);
          plan__free_exprs (outer_e, k);
          plan__free_exprs (inner_e, k);
          return FALSE;
        }
      outer_e[k] = args[0];
      inner_e[k] = args[1];
    }
  return TRUE;
}

/* ---- the rewrites -------------------------------------------------------------------------- */

static PlanSqlRel *
fail_rel (PlanSqlRel *rel)
{
  plan__rel_free (rel);
  return NULL;
}

/* x IN (SELECT y ...): a join with the distinct values of y. */
static PlanSqlRel *
rewrite_in (PlanSqlBinder *b, PlanSqlRel *rel, const PlanAstExpr *c)
{
  guint n = rel->cols->len;
  PlanExpr *args[2] = { NULL, NULL };
  PlanNode *outer, *right;
  PlanSqlRel *sub;
  PlanType t;

  if (c->negated)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, c->op_span, "NOT IN (subquery) is not "
                        "supported: it is empty as soon as the subquery yields a NULL. Write "
                        "NOT EXISTS (SELECT ... WHERE y = x), which is what is usually meant"),
           fail_rel (rel);
  if ((sub = plan__bind_query_rel (b, c->query)) == NULL)
    return fail_rel (rel);
  if (sub->cols->len != 1)
    {
      plan__bfail (b, PLAN_ERROR_BIND, c->query->span, "The subquery of IN must return one "
                   "column; it returns %u", sub->cols->len);
      plan__rel_free (sub);
      return fail_rel (rel);
    }
  args[1] = plan_expr_column (0, sub->node->schema->fields[0].type, c->span);
  if ((args[0] = plan__bind_expr (b, rel, c->left)) == NULL
      || !plan__unify (b, args, 2, NULL, c->op_span, PLAN_TYPE_BOOLEAN, &t))
    {
      if (args[0] == NULL)
        plan_expr_unref (args[1]);
      plan__rel_free (sub);
      return fail_rel (rel);
    }
  outer = project_plus (plan_node_ref (rel->node), n, &args[0], 1, c->span);
  right = distinct (project_plus (plan_node_ref (sub->node), 0, &args[1], 1, c->span), c->span);
  plan__rel_free (sub);
  return restore (rel, join (outer, right, PLAN_JOIN_INNER, 1, n, c->span), c->span);
}

/* [NOT] EXISTS (SELECT ... WHERE inner = outer ...): a semi (anti) join with the distinct
 * inner keys. */
static PlanSqlRel *
rewrite_exists (PlanSqlBinder *b, PlanSqlRel *rel, const PlanAstExpr *c)
{
  gboolean negated = is_not_exists (c);
  const PlanAstExpr *e = negated ? c->left : c;
  const PlanAstQuery *q = e->query;
  guint n = rel->cols->len, k;
  g_autofree PlanExpr **outer_e = NULL, **inner_e = NULL;
  Correlation corr;
  PlanSqlRel *inner;
  PlanNode *joined, *right;

  if (!check_simple (b, q, e->span) || (inner = plan__bind_from (b, q->from)) == NULL)
    return fail_rel (rel);
  inner = split_where (b, q, inner, rel, &corr);
  k = corr.outer_keys->len;
  if (inner != NULL && (k == 0 || (negated && corr.outer_only->len > 0)))
    {
      plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->span, k == 0
                   ? "EXISTS is decorrelated through an equality between the subquery and the "
                     "outer query (WHERE inner.x = outer.y); this one has none"
                   : "NOT EXISTS with a condition on the outer query alone inside it is not "
                     "supported; move that condition out of the subquery");
      g_clear_pointer (&inner, plan__rel_free);
    }
  for (guint i = 0; inner != NULL && rel != NULL && i < corr.outer_only->len; i++)
    rel = plan__bind_filter_rel (b, rel, corr.outer_only->pdata[i],
                                 ((PlanAstExpr *) corr.outer_only->pdata[i])->span);
  outer_e = g_new0 (PlanExpr *, k + 1);
  inner_e = g_new0 (PlanExpr *, k + 1);
  if (inner == NULL || rel == NULL || !bind_keys (b, rel, inner, &corr, outer_e, inner_e))
    {
      correlation_clear (&corr);
      g_clear_pointer (&inner, plan__rel_free);
      return rel != NULL ? fail_rel (rel) : NULL;
    }
  correlation_clear (&corr);
  right = distinct (project_plus (plan_node_ref (inner->node), 0, inner_e, k, e->span), e->span);
  plan__rel_free (inner);
  joined = join (project_plus (plan_node_ref (rel->node), n, outer_e, k, e->span), right,
                 negated ? PLAN_JOIN_LEFT : PLAN_JOIN_INNER, k, n, e->span);
  if (negated)
    {
      PlanExpr *col = plan_expr_column (n + k, joined->schema->fields[n + k].type, e->span);

      joined = filter_node (joined, plan_expr_call (PLAN_FUNC_IS_NULL,
                                                    plan_type_make (PLAN_TYPE_BOOLEAN, FALSE),
                                                    1, &col, c->span), c->span);
    }
  return restore (rel, joined, c->span);
}

static PlanFunc
comparison_func (PlanAstOp op, gboolean flip)
{
  if (op == PLAN_AST_OP_NE)
    return PLAN_FUNC_NE;
  if (op == PLAN_AST_OP_LT)
    return flip ? PLAN_FUNC_GT : PLAN_FUNC_LT;
  if (op == PLAN_AST_OP_LE)
    return flip ? PLAN_FUNC_GE : PLAN_FUNC_LE;
  if (op == PLAN_AST_OP_GT)
    return flip ? PLAN_FUNC_LT : PLAN_FUNC_GT;
  if (op == PLAN_AST_OP_GE)
    return flip ? PLAN_FUNC_LE : PLAN_FUNC_GE;
  return PLAN_FUNC_EQ;
}

/* The aggregate's output (k keys then the value) with key i cast to the type of inner_e[i]
 * (the type unified with the outer key). Takes agg. */
static PlanNode *
cast_keys (PlanNode *agg, PlanExpr *const *inner_e, guint k, PlanSpan span)
{
  g_autofree PlanExpr **exprs = g_new0 (PlanExpr *, k + 2);

  for (guint i = 0; i <= k; i++)
    {
      PlanType have = agg->schema->fields[i].type;

      exprs[i] = plan_expr_column (i, have, span);
      if (i < k && (have.kind != inner_e[i]->type.kind || have.scale != inner_e[i]->type.scale
                    || have.precision != inner_e[i]->type.precision))
        exprs[i] = plan_expr_call (PLAN_FUNC_CAST, inner_e[i]->type, 1, &exprs[i], span);
    }
  return project_plus (agg, 0, exprs, k + 1, span);
}

static gboolean
check_scalar (PlanSqlBinder *b, const PlanAstQuery *q, PlanSpan span)
{
  const PlanAstSelectItem *item = q->items.n == 1 ? q->items.items[0] : NULL;

  if (!check_simple (b, q, span))
    return FALSE;
  if (item == NULL || item->expr->kind == PLAN_AST_STAR)
    return plan__bfail (b, PLAN_ERROR_BIND, q->select_span, "A scalar subquery must select "
                        "one value") != NULL;
  if (plan__find_aggregate (item->expr) == NULL)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, item->span, "A scalar subquery compared "
                        "in WHERE is decorrelated when it computes an aggregate (SUM, AVG, "
                        "MIN, MAX); rewrite this one as a join") != NULL;
  if (calls_count (item->expr))
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, item->span, "A scalar subquery with "
                        "COUNT cannot be decorrelated into a join (COUNT of no rows is 0, "
                        "not a missing row); rewrite it with a LEFT JOIN and COALESCE")
           != NULL;
  return TRUE;
}

/* x op (SELECT agg(...) FROM ... WHERE inner = outer ...): a join with the aggregate
 * grouped by the inner keys, then the comparison. */
static PlanSqlRel *
rewrite_scalar (PlanSqlBinder *b, PlanSqlRel *rel, const PlanAstExpr *c)
{
  gboolean sub_left = c->left->kind == PLAN_AST_SUBQUERY;
  const PlanAstExpr *sq = sub_left ? c->left : c->right, *other = sub_left ? c->right : c->left;
  const PlanAstQuery *q = sq->query;
  guint n = rel->cols->len, k = 0, v;
  g_autofree PlanExpr **outer_e = NULL, **inner_e = NULL;
  PlanExpr *args[2] = { NULL, NULL };
  PlanSqlRel *inner = NULL, *agg;
  PlanAstList group_by;
  PlanNode *joined;
  Correlation corr;
  PlanType t;

  if (!check_scalar (b, q, sq->span) || (inner = plan__bind_from (b, q->from)) == NULL)
    return fail_rel (rel);
  inner = split_where (b, q, inner, rel, &corr);
  k = corr.outer_keys->len;
  if (inner != NULL && corr.outer_only->len > 0)
    {
      plan__bfail (b, PLAN_ERROR_UNSUPPORTED, sq->span, "A condition on the outer query alone "
                   "inside a scalar subquery is not supported; move it out of the subquery");
      g_clear_pointer (&inner, plan__rel_free);
    }
  outer_e = g_new0 (PlanExpr *, k + 1);
  inner_e = g_new0 (PlanExpr *, k + 1);
  if (inner == NULL || !bind_keys (b, rel, inner, &corr, outer_e, inner_e))
    {
      correlation_clear (&corr);
      g_clear_pointer (&inner, plan__rel_free);
      return fail_rel (rel);
    }
  group_by.n = k;
  group_by.items = corr.inner_keys->pdata;
  agg = plan__bind_aggregate_rel (b, inner, &q->items, &group_by, q->select_span);
  correlation_clear (&corr);
  if (agg == NULL)
    {
      plan__free_exprs (outer_e, k);
      plan__free_exprs (inner_e, k);
      return fail_rel (rel);
    }
  joined = join (project_plus (plan_node_ref (rel->node), n, outer_e, k, c->span),
                 cast_keys (plan_node_ref (agg->node), inner_e, k, c->span), PLAN_JOIN_INNER,
                 k, n, c->span);
  plan__free_exprs (inner_e, k);
  plan__rel_free (agg);
  v = n + k + k;
  args[1] = plan_expr_column (v, joined->schema->fields[v].type, c->span);
  if ((args[0] = plan__bind_expr (b, rel, other)) == NULL
      || !plan__unify (b, args, 2, NULL, c->op_span, PLAN_TYPE_BOOLEAN, &t))
    {
      if (args[0] == NULL)
        plan_expr_unref (args[1]);
      plan_node_unref (joined);
      return fail_rel (rel);
    }
  joined = filter_node (joined, plan_expr_call (comparison_func (c->op, sub_left),
                                                plan_type_make (PLAN_TYPE_BOOLEAN, t.nullable),
                                                2, args, c->span), c->span);
  return restore (rel, joined, c->span);
}

/* ---- WHERE ----------------------------------------------------------------------------- */

PlanSqlRel *
plan__bind_where (PlanSqlBinder *b, PlanSqlRel *rel, const PlanAstExpr *where, PlanSpan span)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new ();
  gboolean any = FALSE;

  split_and (where, parts);
  for (guint i = 0; i < parts->len; i++)
    any |= is_subquery_form (parts->pdata[i]);
  if (!any)
    return plan__bind_filter_rel (b, rel, where, span);
  for (guint i = 0; i < parts->len && rel != NULL; i++)
    if (!is_subquery_form (parts->pdata[i]))
      rel = plan__bind_filter_rel (b, rel, parts->pdata[i], span);
  for (guint i = 0; i < parts->len && rel != NULL; i++)
    {
      const PlanAstExpr *c = parts->pdata[i];

      if (!is_subquery_form (c))
        continue;
      if (c->kind == PLAN_AST_IN)
        rel = rewrite_in (b, rel, c);
      else if (c->kind == PLAN_AST_BINARY)
        rel = rewrite_scalar (b, rel, c);
      else
        rel = rewrite_exists (b, rel, c);
    }
  return rel;
}
