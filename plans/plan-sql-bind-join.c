/* plan-sql-bind-join.c: binds joins in FROM (`a [INNER|LEFT|RIGHT|FULL [OUTER]] JOIN b ON
 * c`, `JOIN ... USING (cols)`, CROSS JOIN, comma lists, and the pipe step |> JOIN) into a
 * logical JOIN node (plan-node.h) over the two sides.
 *
 * The joined relation keeps every column of both sides with its qualifier, so `a.id` and
 * `b.id` resolve and a bare `id` found on both sides is reported as ambiguous with its
 * position. The ON condition is bound over both sides' columns, then split: conjuncts that
 * read one side only and may run before the join (either side of an INNER join, the
 * NULL-filled side of an outer join) become filters below it; `l.x = r.y` conjuncts become
 * equi-keys; what remains is the residual. USING compares the named columns and, like
 * SQLite, shows each of them once (from the left, coalesced for FULL joins), followed by
 * the right side's other columns. Equalities of expressions (a.v = b.id + 1, or columns of
 * two types, where one side gets a CAST) become keys too: the expressions are computed as
 * extra columns of each side and a projection above the join drops them again. Hints
 * BROADCAST(t) and SHUFFLE_HASH(t) in a hint comment (slash, star, plus) anywhere in the
 * statement attach to the joins whose direct input is t (an alias or a table name); the
 * optimizer (opt-join.c) reads them. */
#include "plan-sql-private.h"

#include <string.h>

static void
rel_add (PlanSqlRel *rel, const PlanSqlCol *like, PlanType type)
{
  PlanSqlCol c = { g_strdup (like->qualifier), g_strdup (like->name), type, like->span };
  g_array_append_val (rel->cols, c);
}

/* ---- hints ----------------------------------------------------------------------------- */

/* Whether name is the side's alias (its columns' qualifier) or the table it reads. */
static gboolean
side_has_qualifier (const PlanSqlRel *rel, const char *name)
{
  g_autofree char *desc = g_strdup_printf ("table '%s'", name);

  if (rel->desc != NULL && g_ascii_strcasecmp (rel->desc, desc) == 0)
    return TRUE;
  for (guint i = 0; i < rel->cols->len; i++)
    {
      const char *q = plan__rel_col (rel, i)->qualifier;
      if (q != NULL && g_ascii_strcasecmp (q, name) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Scans one hint body ("BROADCAST(a, b) SHUFFLE_HASH(c)") for the first table of a side. */
static gboolean
scan_hint_body (const char *body, const PlanSqlRel *const sides[2], const gboolean direct[2],
                PlanJoin *join)
{
  g_auto (GStrv) words = NULL;
  PlanJoinHint current = PLAN_JOIN_HINT_NONE;

  words = g_strsplit_set (body, " \t\n\r(),", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *w = words[i];

      if (*w == '\0')
        continue;
      if (g_ascii_strcasecmp (w, "BROADCAST") == 0)
        current = PLAN_JOIN_HINT_BROADCAST;
      else if (g_ascii_strcasecmp (w, "SHUFFLE_HASH") == 0)
        current = PLAN_JOIN_HINT_SHUFFLE_HASH;
      else if (g_ascii_strcasecmp (w, "SHUFFLE_MERGE") == 0) /* added by join strategy */
        current = PLAN_JOIN_HINT_SHUFFLE_MERGE;
      else if (g_ascii_strcasecmp (w, "NEST_LOOP") == 0)
        current = PLAN_JOIN_HINT_NEST_LOOP;
      else if (current != PLAN_JOIN_HINT_NONE)
        for (guint s = 0; s < 2; s++)
          if (direct[s] && side_has_qualifier (sides[s], w))
            {
              join->hint = current;
              join->hint_side = s;
              return TRUE;
            }
    }
  return FALSE;
}

static void
apply_hints (PlanSqlBinder *b, const PlanSqlRel *left, const PlanSqlRel *right,
             const gboolean direct[2], PlanJoin *join)
{
  const PlanSqlRel *const sides[2] = { left, right };
  const char *text = b->ast->text;

  for (const char *p = text ? strstr (text, "/*+") : NULL; p != NULL; p = strstr (p + 3, "/*+"))
    {
      const char *end = strstr (p + 3, "*/");
      g_autofree char *body = NULL;

      if (end == NULL)
        return;
      body = g_strndup (p + 3, end - (p + 3));
      if (scan_hint_body (body, sides, direct, join))
        return;
    }
}

/* ---- condition ------------------------------------------------------------------------- */

static void
split_conjuncts (PlanExpr *cond, GPtrArray *out)
{
  if (cond->kind == PLAN_EXPR_CALL && cond->u.call.func == PLAN_FUNC_AND)
    for (guint i = 0; i < cond->u.call.n_args; i++)
      split_conjuncts (cond->u.call.args[i], out);
  else
    g_ptr_array_add (out, plan_expr_ref (cond));
}

static gboolean
calls_now (const PlanExpr *e)
{
  if (e->kind != PLAN_EXPR_CALL)
    return FALSE;
  if (e->u.call.func == PLAN_FUNC_CURRENT_TIMESTAMP)
    return TRUE;
  for (guint i = 0; i < e->u.call.n_args; i++)
    if (calls_now (e->u.call.args[i]))
      return TRUE;
  return FALSE;
}

/* 0: left only, 1: right only, 2: both or none (stays at the join). */
static guint
conjunct_side (const PlanExpr *e, guint n_left)
{
  g_autoptr (GArray) cols = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean l = FALSE, r = FALSE;

  plan_expr_collect_columns (e, cols);
  for (guint i = 0; i < cols->len; i++)
    {
      if (g_array_index (cols, guint, i) < n_left)
        l = TRUE;
      else
        r = TRUE;
    }
  if (calls_now (e) || l == r)
    return 2;
  return l ? 0 : 1;
}

static PlanNode *
filter_over (PlanNode *input, PlanExpr *cond)
{
  PlanNode *node = plan_node_new (PLAN_NODE_FILTER, plan_schema_ref (input->schema), cond->span,
                                  1, &input);
  node->u.filter.condition = cond;
  return node;
}

/* AND of parts (refs stolen), NULL when empty. */
static PlanExpr *
and_all (GPtrArray *parts)
{
  PlanExpr *out = NULL;

  for (guint i = 0; i < parts->len; i++)
    {
      PlanExpr *p = parts->pdata[i], *args[2] = { out, p };

      out = out == NULL ? p
            : plan_expr_call (PLAN_FUNC_AND, plan_type_make (PLAN_TYPE_BOOLEAN,
                                                             out->type.nullable
                                                             || p->type.nullable),
                              2, args, p->span);
    }
  g_ptr_array_set_free_func (parts, NULL);
  g_ptr_array_set_size (parts, 0);
  return out;
}

/* `left expression = right expression` (not two plain columns, which plan_join_add_condition
 * takes): the two sides, borrowed. The binder has cast both to one type already. */
static gboolean
expr_key (const PlanExpr *p, guint n_left, PlanExpr **l, PlanExpr **r)
{
  PlanExpr *a, *c;
  guint sa, sc;

  if (p->kind != PLAN_EXPR_CALL || p->u.call.func != PLAN_FUNC_EQ || p->u.call.n_args != 2
      || calls_now (p))
    return FALSE;
  a = p->u.call.args[0];
  c = p->u.call.args[1];
  if ((a->kind == PLAN_EXPR_COLUMN && c->kind == PLAN_EXPR_COLUMN)
      || a->type.kind != c->type.kind
      || (a->type.kind == PLAN_TYPE_DECIMAL && a->type.scale != c->type.scale))
    return FALSE;
  sa = conjunct_side (a, n_left);
  sc = conjunct_side (c, n_left);
  if (sa == 0 && sc == 1)
    *l = a, *r = c;
  else if (sa == 1 && sc == 0)
    *l = c, *r = a;
  else
    return FALSE;
  return TRUE;
}

/* input's columns followed by extras (refs stolen): computed join keys. */
static PlanNode *
extend (PlanNode *input, GPtrArray *extras)
{
  guint n = input->schema->n_fields, m = extras->len;
  PlanSchema *schema = plan_schema_new (n + m);
  PlanNode *node;
  PlanExpr **exprs = g_new0 (PlanExpr *, n + m + 1);

  for (guint i = 0; i < n; i++)
    {
      plan_schema_set_field (schema, i, input->schema->fields[i].name,
                             input->schema->fields[i].type);
      exprs[i] = plan_expr_column (i, input->schema->fields[i].type, input->span);
    }
  for (guint k = 0; k < m; k++)
    {
      g_autofree char *name = g_strdup_printf ("$key%u", k);

      exprs[n + k] = extras->pdata[k];
      plan_schema_set_field (schema, n + k, name, exprs[n + k]->type);
    }
  g_ptr_array_set_free_func (extras, NULL);
  g_ptr_array_set_size (extras, 0);
  node = plan_node_new (PLAN_NODE_PROJECT, schema, input->span, 1, &input);
  node->u.project.n_exprs = n + m;
  node->u.project.exprs = exprs;
  return node;
}

/* Turns the expression equalities of stay into computed key columns appended to the sides
 * (n_extra[s] of them); what is left of stay joins the residual, remapped to the wider
 * join output. */
static void
add_keys (GPtrArray *stay, PlanNode **inputs, PlanJoin *join, const guint *map,
          guint *n_extra)
{
  guint n_left = inputs[0]->schema->n_fields, n_right = inputs[1]->schema->n_fields;
  g_autoptr (GPtrArray) extra_l = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  g_autoptr (GPtrArray) extra_r = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  g_autoptr (GPtrArray) rest = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  g_autofree guint *shift = g_new (guint, n_left + n_right + 1);
  PlanExpr *l, *r, *cond;

  for (guint i = 0; i < stay->len; i++)
    if (expr_key (stay->pdata[i], n_left, &l, &r))
      {
        g_ptr_array_add (extra_l, plan_expr_ref (l));
        g_ptr_array_add (extra_r, plan_expr_remap_columns (r, map));
      }
    else
      g_ptr_array_add (rest, plan_expr_ref (stay->pdata[i]));
  n_extra[0] = n_extra[1] = extra_l->len;
  for (guint i = 0; i < n_left + n_right; i++)
    shift[i] = i < n_left ? i : i + n_extra[0];
  for (guint k = 0; k < n_extra[0]; k++)
    {
      guint lk = n_left + k, rk = n_right + k;

      join->left_keys = g_renew (guint, join->left_keys, join->n_keys + 1);
      join->right_keys = g_renew (guint, join->right_keys, join->n_keys + 1);
      join->left_keys[join->n_keys] = lk;
      join->right_keys[join->n_keys] = rk;
      join->n_keys++;
    }
  if (n_extra[0] > 0)
    {
      inputs[0] = extend (inputs[0], extra_l);
      inputs[1] = extend (inputs[1], extra_r);
    }
  if ((cond = and_all (rest)) != NULL)
    {
      PlanExpr *moved = n_extra[0] > 0 ? plan_expr_remap_columns (cond, shift)
                                       : plan_expr_ref (cond);

      plan_join_add_condition (join, moved, n_left + n_extra[0]);
      plan_expr_unref (moved);
      plan_expr_unref (cond);
    }
}

/* Splits cond (taken) into filters under the sides (inputs[0..1] replaced) and the join's
 * keys and residual; n_extra gets the computed key columns added to each side. */
static void
place_condition (PlanExpr *cond, PlanJoinType type, PlanNode **inputs, PlanJoin *join,
                 guint *n_extra)
{
  guint n_left = inputs[0]->schema->n_fields, n_right = inputs[1]->schema->n_fields;
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  g_autoptr (GPtrArray) left_parts = NULL;
  g_autoptr (GPtrArray) right_parts = NULL;
  GPtrArray *side[2];
  g_autoptr (GPtrArray) stay = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  g_autofree guint *map = g_new (guint, n_left + n_right + 1);
  side[0] = left_parts = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  side[1] = right_parts = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  for (guint i = 0; i < n_left + n_right; i++)
    map[i] = i < n_left ? G_MAXUINT : i - n_left;
  split_conjuncts (cond, parts);
  plan_expr_unref (cond);
  for (guint i = 0; i < parts->len; i++)
    {
      PlanExpr *p = parts->pdata[i];
      guint s = conjunct_side (p, n_left);

      /* An ON conjunct may filter a side early unless that side is preserved. */
      if (s == 0 && (type == PLAN_JOIN_INNER || type == PLAN_JOIN_RIGHT))
        g_ptr_array_add (side[0], plan_expr_ref (p));
      else if (s == 1 && (type == PLAN_JOIN_INNER || type == PLAN_JOIN_LEFT))
        g_ptr_array_add (side[1], plan_expr_remap_columns (p, map));
      else
        g_ptr_array_add (stay, plan_expr_ref (p));
    }
  for (guint s = 0; s < 2; s++)
    if (side[s]->len > 0)
      inputs[s] = filter_over (inputs[s], and_all (side[s]));
  add_keys (stay, inputs, join, map, n_extra);
}

/* Drops the computed key columns again: the join's output as the user wrote it. */
static PlanNode *
drop_keys (PlanNode *join, guint n_left, guint n_right, const guint *n_extra)
{
  PlanSchema *schema = plan_schema_new (n_left + n_right);
  PlanExpr **exprs = g_new0 (PlanExpr *, n_left + n_right + 1);
  PlanNode *node;

  for (guint i = 0; i < n_left + n_right; i++)
    {
      guint from = i < n_left ? i : i + n_extra[0];
      const PlanField *fl = &join->schema->fields[from];

      plan_schema_set_field (schema, i, fl->name, fl->type);
      exprs[i] = plan_expr_column (from, fl->type, join->span);
    }
  node = plan_node_new (PLAN_NODE_PROJECT, schema, join->span, 1, &join);
  node->u.project.n_exprs = n_left + n_right;
  node->u.project.exprs = exprs;
  return node;
}

static gboolean
bind_on (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *on, PlanExpr **out)
{
  PlanExpr *c = plan__bind_expr (b, scope, on);

  if (c != NULL && c->type.kind == PLAN_TYPE_NULL)
    c = plan__coerce (b, c, plan_type_make (PLAN_TYPE_BOOLEAN, TRUE));
  if (c != NULL && c->type.kind != PLAN_TYPE_BOOLEAN)
    {
      plan__bfail (b, PLAN_ERROR_BIND, c->span, "ON needs a BOOLEAN condition, got %s",
                   plan__tname (c->type).s);
      g_clear_pointer (&c, plan_expr_unref);
    }
  *out = c;
  return c != NULL;
}

/* ---- USING ------------------------------------------------------------------------------- */

/* The one column of side named name, or -1 with an error. */
static gint
using_column (PlanSqlBinder *b, const PlanSqlRel *side, const PlanAstName *name,
              const char *which)
{
  gint found = -1;

  for (guint i = 0; i < side->cols->len; i++)
    if (g_ascii_strcasecmp (plan__rel_col (side, i)->name, name->name) == 0)
      {
        if (found >= 0)
          {
            plan__bfail (b, PLAN_ERROR_BIND, name->span, "Column '%s' in USING is ambiguous: "
                         "the %s side of the join has it more than once; use ON instead",
                         name->name, which);
            return -1;
          }
        found = (gint) i;
      }
  if (found < 0)
    plan__bfail (b, PLAN_ERROR_BIND, name->span, "Column '%s' in USING is not a column of the "
                 "%s side of the join (%s)", name->name, which, plan__rel_desc (side));
  return found;
}

/* The equalities of USING into *cond; lcols/rcols get the column pairs. */
static gboolean
bind_using (PlanSqlBinder *b, const PlanSqlRel *left, const PlanSqlRel *right,
            const PlanAstFrom *f, GArray *lcols, GArray *rcols, PlanExpr **cond)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  guint n_left = left->cols->len;

  for (guint i = 0; i < f->using_cols.n; i++)
    {
      const PlanAstName *name = f->using_cols.items[i];
      gint l = using_column (b, left, name, "left"), r;
      PlanExpr *args[2];
      PlanType t;

      if (l < 0 || (r = using_column (b, right, name, "right")) < 0)
        return FALSE;
      args[0] = plan_expr_column ((guint) l, plan__rel_col (left, l)->type, name->span);
      args[1] = plan_expr_column (n_left + (guint) r, plan__rel_col (right, r)->type,
                                  name->span);
      if (!plan__unify (b, args, 2, NULL, name->span, PLAN_TYPE_BOOLEAN, &t))
        return FALSE;
      g_ptr_array_add (parts, plan_expr_call (PLAN_FUNC_EQ, plan_type_make (PLAN_TYPE_BOOLEAN,
                                                                             t.nullable),
                                              2, args, name->span));
      g_array_append_val (lcols, l);
      g_array_append_val (rcols, r);
    }
  *cond = and_all (parts);
  return TRUE;
}

static gboolean
in_array (const GArray *a, guint v, guint *at)
{
  for (guint i = 0; i < a->len; i++)
    if (g_array_index (a, guint, i) == v)
      {
        *at = i;
        return TRUE;
      }
  return FALSE;
}

/* USING's output over the join rel: each USING column once, then the right's others. */
static PlanSqlRel *
using_project (PlanSqlRel *joined, guint n_left, PlanJoinType type, const GArray *lcols,
               const GArray *rcols, PlanSpan span)
{
  g_autoptr (GPtrArray) exprs = g_ptr_array_new ();
  PlanSqlRel *out = plan__rel_new (NULL, joined->desc);
  PlanSchema *schema;
  PlanNode *node;
  guint at;

  for (guint i = 0; i < joined->cols->len; i++)
    {
      PlanSqlCol *c = plan__rel_col (joined, i);
      PlanExpr *e;

      if (i >= n_left && in_array (rcols, i - n_left, &at))
        continue;
      e = plan_expr_column (i, c->type, span);
      if (i < n_left && in_array (lcols, i, &at) && type != PLAN_JOIN_INNER
          && type != PLAN_JOIN_LEFT)
        {
          guint r = n_left + g_array_index (rcols, guint, at);
          PlanSqlCol *rc = plan__rel_col (joined, r);
          PlanExpr *args[2] = { e, plan_expr_column (r, rc->type, span) };
          PlanType t = c->type;

          t.nullable = type == PLAN_JOIN_RIGHT ? rc->type.nullable : TRUE;
          if (type == PLAN_JOIN_RIGHT)
            {
              plan_expr_unref (args[0]);
              e = args[1];
            }
          else if (plan_type_equal (c->type, rc->type))
            e = plan_expr_call (PLAN_FUNC_COALESCE, t, 2, args, span);
          else
            plan_expr_unref (args[1]); /* different types: keep the left one */
          rel_add (out, c, e->type);
        }
      else
        rel_add (out, c, c->type);
      g_ptr_array_add (exprs, e);
    }
  schema = plan_schema_new (out->cols->len);
  for (guint i = 0; i < out->cols->len; i++)
    plan_schema_set_field (schema, i, plan__rel_col (out, i)->name, plan__rel_col (out, i)->type);
  node = plan_node_new (PLAN_NODE_PROJECT, schema, span, 1, &joined->node);
  joined->node = NULL;
  node->u.project.n_exprs = exprs->len;
  node->u.project.exprs = (PlanExpr **) g_ptr_array_steal (exprs, NULL);
  out->node = node;
  plan__rel_free (joined);
  return out;
}

/* ---- the join ----------------------------------------------------------------------------- */

static PlanJoinType
join_type (PlanAstJoinKind kind)
{
  switch (kind)
    {
    case PLAN_AST_JOIN_LEFT: return PLAN_JOIN_LEFT;
    case PLAN_AST_JOIN_RIGHT: return PLAN_JOIN_RIGHT;
    case PLAN_AST_JOIN_FULL: return PLAN_JOIN_FULL;
    case PLAN_AST_JOIN_INNER:
    case PLAN_AST_JOIN_CROSS:
    case PLAN_AST_JOIN_COMMA:
    default:
      return PLAN_JOIN_INNER;
    }
}

/* The relation of both sides' columns over node, typed as the join's output. */
static PlanSqlRel *
joined_rel (PlanNode *node, const PlanSqlRel *left, const PlanSqlRel *right)
{
  PlanSqlRel *rel = plan__rel_new (node, "the joined tables");
  guint n_left = left->cols->len;

  for (guint i = 0; i < node->schema->n_fields; i++)
    rel_add (rel, i < n_left ? plan__rel_col (left, i) : plan__rel_col (right, i - n_left),
             node->schema->fields[i].type);
  return rel;
}

/* Binds the condition and builds the node; takes left and right. */
static PlanSqlRel *
make_join (PlanSqlBinder *b, PlanSqlRel *left, PlanSqlRel *right, const PlanAstFrom *f,
           gboolean left_direct)
{
  PlanJoinType type = join_type (f->join);
  g_autoptr (GArray) lcols = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) rcols = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean direct[2] = { left_direct, f->right->kind != PLAN_AST_FROM_JOIN };
  PlanSqlRel *scope, *out;
  PlanExpr *cond = NULL;
  PlanNode *inputs[2], *node;
  PlanJoin join = { 0 };
  guint n_extra[2] = { 0, 0 };
  gboolean ok;

  join.type = type;
  scope = plan__rel_new (NULL, "the joined tables"); /* both sides' columns, input types: for ON */
  for (guint i = 0; i < left->cols->len; i++)
    rel_add (scope, plan__rel_col (left, i), plan__rel_col (left, i)->type);
  for (guint i = 0; i < right->cols->len; i++)
    rel_add (scope, plan__rel_col (right, i), plan__rel_col (right, i)->type);
  if (f->on != NULL)
    ok = bind_on (b, scope, f->on, &cond);
  else
    ok = bind_using (b, left, right, f, lcols, rcols, &cond);
  plan__rel_free (scope);
  if (!ok)
    {
      plan__rel_free (left);
      plan__rel_free (right);
      return NULL;
    }
  apply_hints (b, left, right, direct, &join);
  if (f->right->kind == PLAN_AST_FROM_TABLE && f->right->system_time != NULL)
    {
      join.hint = PLAN_JOIN_HINT_LOOKUP; /* added by lookup joins (plan-sql-bind-lookup.c) */
      join.hint_side = 1;
    }
  inputs[0] = plan_node_ref (left->node);
  inputs[1] = plan_node_ref (right->node);
  if (cond != NULL)
    place_condition (cond, type, inputs, &join, n_extra);
  node = plan_node_new (PLAN_NODE_JOIN, plan_join_schema (inputs[0]->schema, inputs[1]->schema,
                                                          type), f->span, 2, inputs);
  node->u.join = join;
  if (n_extra[0] + n_extra[1] > 0)
    node = drop_keys (node, left->cols->len, right->cols->len, n_extra);
  out = joined_rel (node, left, right);
  if (f->using_cols.n > 0)
    out = using_project (out, left->cols->len, type, lcols, rcols, f->span);
  plan__rel_free (left);
  plan__rel_free (right);
  return out;
}

PlanSqlRel *
plan__bind_join (PlanSqlBinder *b, PlanSqlRel *left, const PlanAstFrom *f)
{
  gboolean left_direct = left == NULL && f->left->kind != PLAN_AST_FROM_JOIN;
  PlanSqlRel *right;

  if (left == NULL && (left = plan__bind_from (b, f->left)) == NULL)
    return NULL;
  if (f->right->kind == PLAN_AST_FROM_TABLE && f->right->system_time != NULL)
    right = plan__bind_lookup_side (b, left, f); /* added by lookup joins */
  else
    right = plan__bind_from (b, f->right);
  if (right == NULL)
    {
      plan__rel_free (left);
      return NULL;
    }
  return make_join (b, left, right, f, left_direct);
}
