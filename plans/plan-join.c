/* plan-join.c: the JOIN payload shared by the logical JOIN node and the physical joins:
 * names, copying, the output schema, and splitting a join condition into equi-keys and a
 * residual.
 *
 * Splitting lives here rather than in the binder because two places need it: the binder
 * (ON and USING) and the optimizer's filter pushdown, which turns WHERE conjuncts over a
 * comma join into keys of the join below. Only `left column = right column` of one
 * storage type becomes a key, so both sides hash a key to the same key group without a
 * conversion; anything else (casts, expressions, inequalities) stays in the residual. */
#include "plan-node.h"

const char *
plan_join_type_name (PlanJoinType type)
{
  switch (type)
    {
    case PLAN_JOIN_INNER: return "INNER";
    case PLAN_JOIN_LEFT: return "LEFT";
    case PLAN_JOIN_RIGHT: return "RIGHT";
    case PLAN_JOIN_FULL: return "FULL";
    default: return "UNKNOWN";
    }
}

const char *
plan_join_strategy_name (PlanJoinStrategy strategy)
{
  switch (strategy)
    {
    case PLAN_JOIN_STRATEGY_NONE: return "none";
    case PLAN_JOIN_STRATEGY_STREAMING: return "streaming";
    case PLAN_JOIN_STRATEGY_BROADCAST: return "broadcast";
    case PLAN_JOIN_STRATEGY_REPARTITION: return "repartition";
    case PLAN_JOIN_STRATEGY_SINGLE: return "single";
    default: return "unknown";
    }
}

/* added by join strategy */
const char *
plan_join_hint_name (PlanJoinHint hint)
{
  switch (hint)
    {
    case PLAN_JOIN_HINT_NONE: return "NONE";
    case PLAN_JOIN_HINT_BROADCAST: return "BROADCAST";
    case PLAN_JOIN_HINT_SHUFFLE_HASH: return "SHUFFLE_HASH";
    case PLAN_JOIN_HINT_SHUFFLE_MERGE: return "SHUFFLE_MERGE";
    case PLAN_JOIN_HINT_NEST_LOOP: return "NEST_LOOP";
    case PLAN_JOIN_HINT_LOOKUP: return "LOOKUP"; /* added by lookup joins */
    default: return "UNKNOWN";
    }
}

void
plan_join_copy (PlanJoin *dest, const PlanJoin *src)
{
  *dest = *src;
  dest->left_keys = src->n_keys ? g_memdup2 (src->left_keys, src->n_keys * sizeof (guint)) : NULL;
  dest->right_keys = src->n_keys ? g_memdup2 (src->right_keys, src->n_keys * sizeof (guint))
                                 : NULL;
  dest->residual = src->residual ? plan_expr_ref (src->residual) : NULL;
  dest->alternative = g_strdup (src->alternative);
}

void
plan_join_clear (PlanJoin *join)
{
  g_clear_pointer (&join->left_keys, g_free);
  g_clear_pointer (&join->right_keys, g_free);
  g_clear_pointer (&join->residual, plan_expr_unref);
  g_clear_pointer (&join->alternative, g_free);
  join->n_keys = 0;
}

PlanSchema *
plan_join_schema (const PlanSchema *left, const PlanSchema *right, PlanJoinType type)
{
  PlanSchema *schema = plan_schema_new (left->n_fields + right->n_fields);
  gboolean null_left = type == PLAN_JOIN_RIGHT || type == PLAN_JOIN_FULL;
  gboolean null_right = type == PLAN_JOIN_LEFT || type == PLAN_JOIN_FULL;

  for (guint i = 0; i < left->n_fields; i++)
    {
      PlanType t = left->fields[i].type;

      t.nullable |= null_left;
      plan_schema_set_field (schema, i, left->fields[i].name, t);
    }
  for (guint i = 0; i < right->n_fields; i++)
    {
      PlanType t = right->fields[i].type;

      t.nullable |= null_right;
      plan_schema_set_field (schema, left->n_fields + i, right->fields[i].name, t);
    }
  return schema;
}

static gboolean
same_storage (PlanType a, PlanType b)
{
  return a.kind == b.kind && (a.kind != PLAN_TYPE_DECIMAL || a.scale == b.scale);
}

/* When e is `column = column` with one column on each side, the pair (left, right). */
static gboolean
as_key (const PlanExpr *e, guint n_left, guint *left, guint *right)
{
  const PlanExpr *a, *b;

  if (e->kind != PLAN_EXPR_CALL || e->u.call.func != PLAN_FUNC_EQ || e->u.call.n_args != 2)
    return FALSE;
  a = e->u.call.args[0];
  b = e->u.call.args[1];
  if (a->kind != PLAN_EXPR_COLUMN || b->kind != PLAN_EXPR_COLUMN || !same_storage (a->type,
                                                                                      b->type))
    return FALSE;
  if (a->u.column < n_left && b->u.column >= n_left)
    {
      *left = a->u.column;
      *right = b->u.column - n_left;
      return TRUE;
    }
  if (b->u.column < n_left && a->u.column >= n_left)
    {
      *left = b->u.column;
      *right = a->u.column - n_left;
      return TRUE;
    }
  return FALSE;
}

static void
add_residual (PlanJoin *join, PlanExpr *e)
{
  PlanExpr *args[2];

  if (join->residual == NULL)
    {
      join->residual = plan_expr_ref (e);
      return;
    }
  args[0] = join->residual;
  args[1] = plan_expr_ref (e);
  join->residual = plan_expr_call (PLAN_FUNC_AND,
                                   plan_type_make (PLAN_TYPE_BOOLEAN, args[0]->type.nullable
                                                   || args[1]->type.nullable),
                                   2, args, e->span);
}

void
plan_join_add_condition (PlanJoin *join, PlanExpr *cond, guint n_left)
{
  guint l, r;

  if (cond->kind == PLAN_EXPR_CALL && cond->u.call.func == PLAN_FUNC_AND)
    {
      for (guint i = 0; i < cond->u.call.n_args; i++)
        plan_join_add_condition (join, cond->u.call.args[i], n_left);
      return;
    }
  if (as_key (cond, n_left, &l, &r))
    {
      join->left_keys = g_renew (guint, join->left_keys, join->n_keys + 1);
      join->right_keys = g_renew (guint, join->right_keys, join->n_keys + 1);
      join->left_keys[join->n_keys] = l;
      join->right_keys[join->n_keys] = r;
      join->n_keys++;
      return;
    }
  if (cond->kind == PLAN_EXPR_LITERAL && !cond->u.literal.is_null
      && cond->type.kind == PLAN_TYPE_BOOLEAN && cond->u.literal.v.b)
    return; /* ON TRUE */
  add_residual (join, cond);
}

static const char *
flink_join_type (PlanJoinType type)
{
  switch (type)
    {
    case PLAN_JOIN_LEFT: return "LeftOuterJoin";
    case PLAN_JOIN_RIGHT: return "RightOuterJoin";
    case PLAN_JOIN_FULL: return "FullOuterJoin";
    case PLAN_JOIN_INNER:
    default:
      return "InnerJoin";
    }
}

void
plan_join_describe (GString *out, const char *name, const PlanJoin *j, const PlanSchema *left,
                    const PlanSchema *right, const PlanSchema *schema)
{
  g_string_append_printf (out, "%s(joinType=[%s]", name, flink_join_type (j->type));
  if (j->n_keys > 0)
    {
      g_string_append (out, ", keys=[");
      for (guint k = 0; k < j->n_keys; k++)
        g_string_append_printf (out, "%s%s = %s", k ? ", " : "",
                                left->fields[j->left_keys[k]].name,
                                right->fields[j->right_keys[k]].name);
      g_string_append_c (out, ']');
    }
  if (j->residual != NULL)
    {
      g_autofree char *text = plan_expr_to_string (j->residual, schema);

      g_string_append_printf (out, ", where=[%s]", text);
    }
  if (j->strategy != PLAN_JOIN_STRATEGY_NONE)
    g_string_append_printf (out, ", strategy=[%s]", plan_join_strategy_name (j->strategy));
  if (j->strategy == PLAN_JOIN_STRATEGY_BROADCAST || j->strategy == PLAN_JOIN_STRATEGY_REPARTITION
      || (j->strategy == PLAN_JOIN_STRATEGY_SINGLE && j->hint != PLAN_JOIN_HINT_NONE))
    g_string_append_printf (out, ", build=[%s]", j->build_side == 0 ? "left" : "right");
  if (j->strategy == PLAN_JOIN_STRATEGY_NONE && j->hint != PLAN_JOIN_HINT_NONE)
    g_string_append_printf (out, ", hint=[%s(%s)]",
                            plan_join_hint_name (j->hint), /* changed by join strategy */
                            j->hint_side == 0 ? "left" : "right");
  g_string_append_c (out, ')');
}
