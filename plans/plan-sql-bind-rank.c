/* plan-sql-bind-rank.c: the SQL front end of UNION [ALL] and of ROW_NUMBER() OVER (...),
 * the two relational shapes Flink uses for combining streams and for Top-N and
 * deduplication.
 *
 * UNION. A chain `a UNION ALL b UNION ALL c` becomes one UNION node with three inputs (the
 * engine's union reads any number of inputs, so a chain needs no tree of binary unions).
 * Column i of the result has the least common type of column i of every input, as for CASE
 * branches (plan__unify); an input whose column needs a CAST gets a PROJECT of the casts
 * below the union, so the UNION itself only concatenates rows of equal types. Names come
 * from the first input, as in Flink. UNION without ALL is UNION ALL under a DISTINCT
 * (an AGGREGATE grouping by every column), the same node SELECT DISTINCT makes, so the
 * streaming group aggregate gives it a changelog for free.
 *
 * ROW_NUMBER. Only the form Flink runs is accepted: ROW_NUMBER() OVER (PARTITION BY
 * columns ORDER BY columns) in the select list of a query with FROM. It becomes a RANK
 * node over the FROM (after WHERE) whose output is the input's columns plus a rownum
 * column, without a bound; the select list then binds over that, the call resolving to the
 * rownum column. The enclosing query's `WHERE rownum <= N` is folded into the RANK's limit
 * by the optimizer (optimizer/opt-rank.c), after filter pushdown has brought the filter
 * down onto the RANK. A RANK ordered by a proctime attribute alone is marked first_row
 * (ASC) or last_row (DESC): arrival is then the order, and with `rownum = 1` that is
 * Flink's deduplication, insert-only for the first row. Anything else with OVER is refused
 * with a message naming what works. */
#include "plan-sql-private.h"
#include "plan-node.h"

#include <string.h>

/* ---- parsing OVER ( ... ) -------------------------------------------------------------- */

static gboolean
parse_over_order (PlanSqlParser *p, PlanAstExpr *e)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new ();

  do
    {
      const PlanToken *start = plan__peek (p);
      PlanAstOrderItem *item = plan__sql_arena_alloc (p->arena, sizeof *item);

      if ((item->expr = plan__parse_expr (p)) == NULL)
        return FALSE;
      if (plan__accept_kw (p, "DESC"))
        item->descending = TRUE;
      else
        plan__accept_kw (p, "ASC");
      if (plan__accept_kw (p, "NULLS"))
        {
          if (plan__accept_kw (p, "FIRST"))
            item->nulls = 1;
          else if (plan__expect_kw (p, "LAST"))
            item->nulls = 2;
          else
            return FALSE;
        }
      item->span = plan__span_from (p, start);
      g_ptr_array_add (items, item);
    }
  while (plan__accept (p, PLAN_TOK_COMMA));
  e->over_order = plan__list_take (p, items);
  return TRUE;
}

/* A ROWS/RANGE frame: only its extent is kept (the binder refuses frames). */
static gboolean
skip_frame (PlanSqlParser *p, PlanAstExpr *e)
{
  const PlanToken *start = plan__peek (p);
  guint level = 0;

  while (level > 0 || plan__peek (p)->kind != PLAN_TOK_RPAREN)
    {
      const PlanToken *t = plan__peek (p);

      if (t->kind == PLAN_TOK_EOF || t->kind == PLAN_TOK_SEMICOLON)
        return plan__fail_expected (p, "')' closing the window") != NULL;
      level += t->kind == PLAN_TOK_LPAREN;
      level -= t->kind == PLAN_TOK_RPAREN;
      plan__advance (p);
    }
  e->over_frame_span = plan__span_from (p, start);
  return TRUE;
}

gboolean
plan__parse_window_spec (PlanSqlParser *p, PlanAstExpr *e)
{
  if (!plan__expect (p, PLAN_TOK_LPAREN, "'('"))
    return FALSE;
  if (plan__accept_kw (p, "PARTITION"))
    {
      if (!plan__expect_kw (p, "BY") || !plan__parse_expr_list (p, &e->over_partition))
        return FALSE;
    }
  if (plan__accept_kw (p, "ORDER"))
    {
      if (!plan__expect_kw (p, "BY") || !parse_over_order (p, e))
        return FALSE;
    }
  if ((plan__is_kw (p, "ROWS") || plan__is_kw (p, "RANGE")) && !skip_frame (p, e))
    return FALSE;
  return plan__expect (p, PLAN_TOK_RPAREN, "')' closing the window");
}

/* ---- UNION ----------------------------------------------------------------------------- */

static gboolean
is_union (const PlanAstQuery *q)
{
  return q->kind == PLAN_AST_Q_SETOP && strcmp (q->setop, "UNION") == 0;
}

/* The operands of the chain at q, flattened where that keeps the meaning: an operand that
 * is a UNION ALL always, a UNION (distinct) one when q is a UNION (distinct) too. */
static void
collect_operands (const PlanAstQuery *q, GPtrArray *out)
{
  const PlanAstQuery *sides[2] = { q->left, q->right };

  for (guint i = 0; i < 2; i++)
    if (is_union (sides[i]) && (sides[i]->all || !q->all))
      collect_operands (sides[i], out);
    else
      g_ptr_array_add (out, (gpointer) sides[i]);
}

static void
free_rels (GPtrArray *rels)
{
  for (guint i = 0; i < rels->len; i++)
    plan__rel_free (rels->pdata[i]);
  g_ptr_array_unref (rels);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PlanSqlRel, plan__rel_free)

/* Binds operand q as a subquery without a name (its columns lose their qualifiers). */
static PlanSqlRel *
bind_operand (PlanSqlBinder *b, const PlanAstQuery *q)
{
  PlanAstFrom from = { 0 };

  from.kind = PLAN_AST_FROM_SUBQUERY;
  from.span = q->span;
  from.query = (PlanAstQuery *) q;
  return plan__bind_from (b, &from);
}

/* exprs[k] (one per column, taken) are rel's columns cast to the union's types: a PROJECT
 * over rel's node when any of them is more than a bare column. Returns the input node. */
static PlanNode *
cast_input (PlanSqlRel *rel, PlanExpr **exprs, PlanSchema *schema, PlanSpan span)
{
  gboolean identity = TRUE;
  PlanNode *input = plan_node_ref (rel->node), *project;

  for (guint c = 0; c < schema->n_fields; c++)
    identity = identity && exprs[c]->kind == PLAN_EXPR_COLUMN && exprs[c]->u.column == c;
  if (identity)
    {
      plan__free_exprs (exprs, schema->n_fields);
      g_free (exprs);
      return input;
    }
  project = plan_node_new (PLAN_NODE_PROJECT, plan_schema_ref (schema), span, 1, &input);
  project->u.project.n_exprs = schema->n_fields;
  project->u.project.exprs = exprs;
  return project;
}

/* Unifies column c over every input: casts[k][c] and the type of schema's field c. */
static gboolean
unify_column (PlanSqlBinder *b, GPtrArray *rels, guint c, PlanExpr ***casts,
              PlanSchema *schema, PlanSpan span)
{
  g_autofree PlanExpr **args = g_new0 (PlanExpr *, rels->len);
  g_autofree char *what = NULL;
  const PlanSqlRel *first = rels->pdata[0];
  PlanType t;

  for (guint k = 0; k < rels->len; k++)
    args[k] = plan_expr_column (c, plan__rel_col (rels->pdata[k], c)->type, span);
  what = g_strdup_printf ("column %u ('%s') of UNION", c + 1, plan__rel_col (first, c)->name);
  if (!plan__unify (b, args, rels->len, what, span, PLAN_TYPE_NULL, &t))
    return FALSE;
  for (guint k = 0; k < rels->len; k++)
    casts[k][c] = args[k];
  plan_schema_set_field (schema, c, plan__rel_col (first, c)->name, t);
  return TRUE;
}

/* The UNION node over the bound operands (rels borrowed), with casts where needed. */
static PlanNode *
union_node (PlanSqlBinder *b, GPtrArray *rels, PlanSpan span)
{
  guint n_cols = ((PlanSqlRel *) rels->pdata[0])->cols->len;
  g_autoptr (PlanSchema) schema = plan_schema_new (n_cols);
  g_autofree PlanExpr ***casts = g_new0 (PlanExpr **, rels->len);
  g_autofree PlanNode **inputs = g_new0 (PlanNode *, rels->len);
  gboolean ok = TRUE;

  for (guint k = 0; k < rels->len; k++)
    casts[k] = g_new0 (PlanExpr *, MAX (n_cols, 1));
  for (guint c = 0; c < n_cols && ok; c++)
    ok = unify_column (b, rels, c, casts, schema, span);
  for (guint k = 0; k < rels->len; k++)
    {
      if (ok)
        inputs[k] = cast_input (rels->pdata[k], casts[k], schema, span);
      else
        {
          plan__free_exprs (casts[k], n_cols);
          g_free (casts[k]);
        }
    }
  if (!ok)
    return NULL;
  return plan_node_new (PLAN_NODE_UNION, g_steal_pointer (&schema), span, rels->len, inputs);
}

static PlanNode *
distinct_over (PlanNode *input, PlanSpan span)
{
  guint n = input->schema->n_fields;
  PlanNode *node = plan_node_new (PLAN_NODE_AGGREGATE, plan_schema_ref (input->schema), span,
                                  1, &input);

  node->u.aggregate.n_keys = n;
  node->u.aggregate.keys = g_new0 (guint, n + 1);
  for (guint i = 0; i < n; i++)
    node->u.aggregate.keys[i] = i;
  return node;
}

PlanSqlRel *
plan__bind_setop (PlanSqlBinder *b, const PlanAstQuery *q)
{
  g_autoptr (GPtrArray) operands = g_ptr_array_new ();
  GPtrArray *rels = g_ptr_array_new ();
  PlanSqlRel *first, *out;
  PlanNode *node;

  collect_operands (q, operands);
  for (guint i = 0; i < operands->len; i++)
    {
      PlanSqlRel *rel = bind_operand (b, operands->pdata[i]);

      if (rel == NULL)
        return free_rels (rels), NULL;
      g_ptr_array_add (rels, rel);
      first = rels->pdata[0];
      if (rel->cols->len != first->cols->len)
        {
          const PlanAstQuery *o = operands->pdata[i];

          plan__bfail (b, PLAN_ERROR_BIND, o->span, "Each side of UNION needs the same number "
                       "of columns: the first has %u, this one %u", first->cols->len,
                       rel->cols->len);
          return free_rels (rels), NULL;
        }
    }
  if ((node = union_node (b, rels, q->op_span)) == NULL)
    return free_rels (rels), NULL;
  if (!q->all)
    node = distinct_over (node, q->op_span);
  out = plan__rel_new (node, NULL);
  first = rels->pdata[0];
  for (guint c = 0; c < node->schema->n_fields; c++)
    {
      PlanSqlCol col = { NULL, g_strdup (node->schema->fields[c].name),
                         node->schema->fields[c].type, plan__rel_col (first, c)->span };

      g_array_append_val (out->cols, col);
    }
  free_rels (rels);
  return out;
}

/* ---- ROW_NUMBER() OVER ----------------------------------------------------------------- */

struct _PlanSqlRankCtx {
  const PlanAstExpr *call; /* borrowed: the first OVER call, whose window the others share */
  guint rownum_col;        /* the rownum column of the relation the select list binds over */
};

#define SUPPORTED_OVER \
  "strom supports ROW_NUMBER() OVER (PARTITION BY columns ORDER BY columns) in the select " \
  "list of a query with FROM, filtered by the enclosing query with WHERE rownum <= N " \
  "(Top-N) or rownum = 1 (deduplication)"

/* Every OVER call in e, depth first (iterative: expressions can be deep). */
static void
collect_over (const PlanAstExpr *e, GPtrArray *out)
{
  g_autoptr (GPtrArray) stack = g_ptr_array_new ();

  g_ptr_array_add (stack, (gpointer) e);
  while (stack->len > 0)
    {
      const PlanAstExpr *x = g_ptr_array_steal_index (stack, stack->len - 1);

      if (x == NULL)
        continue;
      if (x->kind == PLAN_AST_CALL && x->over)
        g_ptr_array_add (out, (gpointer) x);
      g_ptr_array_add (stack, x->left);
      g_ptr_array_add (stack, x->right);
      g_ptr_array_add (stack, x->escape);
      g_ptr_array_add (stack, x->filter);
      for (guint i = x->args.n; i > 0; i--)
        g_ptr_array_add (stack, x->args.items[i - 1]);
    }
}

gboolean
plan__items_have_over (const PlanAstList *items)
{
  g_autoptr (GPtrArray) calls = g_ptr_array_new ();

  for (guint i = 0; i < items->n; i++)
    collect_over (((const PlanAstSelectItem *) items->items[i])->expr, calls);
  return calls->len > 0;
}

/* Whether call is a ROW_NUMBER() whose window strom can run; else an error. */
static gboolean
check_over_call (PlanSqlBinder *b, const PlanAstExpr *e)
{
  if (strcmp (e->name, "ROW_NUMBER") != 0 || e->args.n > 0 || e->star_arg || e->distinct)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->span, "%s(...) OVER (...) is not "
                        "supported; %s", e->name, SUPPORTED_OVER) != NULL;
  if (e->over_named)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->over_span, "Named windows (OVER w) are "
                        "not supported; write the window inline: %s", SUPPORTED_OVER) != NULL;
  if (e->over_frame_span.line != 0)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->over_frame_span, "ROW_NUMBER() takes no "
                        "ROWS or RANGE frame; %s", SUPPORTED_OVER) != NULL;
  if (e->over_order.n == 0)
    return plan__bfail (b, PLAN_ERROR_BIND, e->over_span, "ROW_NUMBER() needs ORDER BY in its "
                        "window, as in OVER (PARTITION BY k ORDER BY ts DESC)") != NULL;
  return TRUE;
}

/* Binds a PARTITION BY or ORDER BY item over rel: it must be a column. */
static gboolean
bind_key (PlanSqlBinder *b, const PlanSqlRel *rel, const PlanAstExpr *e, guint *out)
{
  g_autoptr (PlanExpr) x = plan__bind_expr (b, rel, e);

  if (x == NULL)
    return FALSE;
  if (x->kind != PLAN_EXPR_COLUMN)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->span, "PARTITION BY and ORDER BY of "
                        "ROW_NUMBER() take columns; compute this expression as a column in a "
                        "subquery first") != NULL;
  *out = x->u.column;
  return TRUE;
}

/* Whether column col of node is PROCTIME() (a CURRENT_TIMESTAMP computed column), seen
 * through filters and plain column projections. */
static gboolean
is_proctime (const PlanNode *node, guint col)
{
  while (node != NULL)
    {
      if (node->kind == PLAN_NODE_FILTER)
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

/* The RANK payload of call's window over rel. */
static gboolean
bind_window (PlanSqlBinder *b, const PlanSqlRel *rel, const PlanAstExpr *call, PlanRank *r)
{
  guint n = call->over_order.n;

  r->n_partition = call->over_partition.n;
  r->partition = g_new0 (guint, MAX (r->n_partition, 1));
  r->order.n_keys = n;
  r->order.keys = g_new0 (guint, n);
  r->order.descending = g_new0 (gboolean, n);
  r->order.nulls_first = g_new0 (gboolean, n);
  r->order.limit = -1;
  r->limit = -1;
  r->rownum = TRUE;
  for (guint k = 0; k < r->n_partition; k++)
    if (!bind_key (b, rel, call->over_partition.items[k], &r->partition[k]))
      return FALSE;
  for (guint k = 0; k < n; k++)
    {
      const PlanAstOrderItem *item = call->over_order.items[k];

      if (!bind_key (b, rel, item->expr, &r->order.keys[k]))
        return FALSE;
      r->order.descending[k] = item->descending;
      r->order.nulls_first[k] = item->nulls == 0 ? !item->descending : item->nulls == 1;
    }
  /* Ordered by processing time: arrival order is the order (or its reverse). */
  if (n == 1 && is_proctime (rel->node, r->order.keys[0]))
    {
      r->first_row = !r->order.descending[0];
      r->last_row = r->order.descending[0];
    }
  return TRUE;
}

PlanSqlRel *
plan__rank_begin (PlanSqlBinder *b, PlanSqlRel *rel, const PlanAstList *items)
{
  g_autoptr (GPtrArray) calls = g_ptr_array_new ();
  g_autoptr (PlanSqlRel) owned = rel;
  g_autofree char *spec = NULL;
  PlanRank r = { 0 };
  PlanNode *input, *node;
  PlanSqlRel *out;

  for (guint i = 0; i < items->n; i++)
    collect_over (((const PlanAstSelectItem *) items->items[i])->expr, calls);
  for (guint i = 0; i < calls->len; i++)
    {
      const PlanAstExpr *e = calls->pdata[i];
      g_autofree char *other = NULL;

      if (!check_over_call (b, e))
        return NULL;
      if (i == 0)
        {
          spec = plan__sql_ast_slice (b->ast, e->over_span);
          continue;
        }
      other = plan__sql_ast_slice (b->ast, e->over_span);
      if (g_ascii_strcasecmp (spec, other) != 0)
        return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->over_span, "Every ROW_NUMBER() of "
                            "one SELECT needs the same window; write the other in a subquery");
    }
  if (!bind_window (b, rel, calls->pdata[0], &r))
    {
      plan_rank_clear (&r);
      return NULL;
    }
  input = plan_node_ref (rel->node);
  node = plan_node_new (PLAN_NODE_RANK, plan_rank_schema (input->schema, &r),
                        ((const PlanAstExpr *) calls->pdata[0])->span, 1, &input);
  node->u.rank = r;
  out = plan__rel_new (node, rel->desc);
  for (guint i = 0; i < rel->cols->len; i++)
    {
      const PlanSqlCol *c = plan__rel_col (rel, i);
      PlanSqlCol copy = { g_strdup (c->qualifier), g_strdup (c->name), c->type, c->span };

      g_array_append_val (out->cols, copy);
    }
  {
    PlanSqlCol rn = { NULL, g_strdup ("$rownum"), plan_type_make (PLAN_TYPE_BIGINT, FALSE),
                      node->span };

    g_array_append_val (out->cols, rn);
  }
  b->rank = g_new0 (struct _PlanSqlRankCtx, 1);
  b->rank->call = calls->pdata[0];
  b->rank->rownum_col = rel->cols->len;
  return out;
}

void
plan__rank_end (PlanSqlBinder *b)
{
  g_clear_pointer (&b->rank, g_free);
}

PlanExpr *
plan__rank_resolve (PlanSqlBinder *b, const PlanAstExpr *e)
{
  if (b->rank == NULL)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->span, "%s() OVER (...) is not supported "
                        "here; %s", e->name, SUPPORTED_OVER);
  if (!check_over_call (b, e))
    return NULL;
  return plan_expr_column (b->rank->rownum_col, plan_type_make (PLAN_TYPE_BIGINT, FALSE),
                           e->span);
}
