/* opt-or-derive.c: filters implied by an OR over both sides of an inner join, the rule
 * PostgreSQL and Calcite apply to TPC-H Q19's shape:
 *   (p.brand = 'A' AND l.qty < 10 AND ...) OR (p.brand = 'B' AND l.qty < 20 AND ...)
 * stays on the join as it is, and also implies, for each side, the OR of that side's part of
 * every branch: (p.brand = 'A' ...) OR (p.brand = 'B' ...) on part, (l.qty < 10 ...) OR
 * (l.qty < 20 ...) on lineitem. Those go below the join, so the join hashes and probes only
 * rows that could pass (a side is filtered only when every branch says something about it
 * alone, else the OR implies nothing for it). Only deterministic conjuncts are used, and
 * only for inner joins (filter-pushdown calls this for conjuncts it adds to an INNER join's
 * condition). The derived filters are redundant by construction, never wrong: each row the
 * join keeps satisfies one branch, hence that branch's part on each side. */
#include "optimizer/opt-stats-private.h"

static void
split_or (PlanExpr *e, GPtrArray *out)
{
  if (e->kind == PLAN_EXPR_CALL && e->u.call.func == PLAN_FUNC_OR && e->u.call.n_args == 2)
    {
      split_or (e->u.call.args[0], out);
      split_or (e->u.call.args[1], out);
    }
  else
    g_ptr_array_add (out, e);
}

/* Whether every column e reads lies in [lo, hi), and it reads one at least. */
static gboolean
reads_only (const PlanExpr *e, guint lo, guint hi)
{
  g_autoptr (GArray) cols = g_array_new (FALSE, FALSE, sizeof (guint));

  plan_expr_collect_columns (e, cols);
  for (guint i = 0; i < cols->len; i++)
    if (g_array_index (cols, guint, i) < lo || g_array_index (cols, guint, i) >= hi)
      return FALSE;
  return cols->len > 0 && opt__expr_is_deterministic (e);
}

/* The OR over branches of each branch's conjuncts on [lo, hi); NULL when a branch has none. */
static PlanExpr *
side_filter (GPtrArray *branches, guint lo, guint hi)
{
  PlanExpr *result = NULL;

  for (guint b = 0; b < branches->len; b++)
    {
      g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (
        (GDestroyNotify) plan_expr_unref);
      g_autoptr (GPtrArray) mine = g_ptr_array_new_with_free_func (
        (GDestroyNotify) plan_expr_unref);
      PlanExpr *branch, *args[2];

      opt__split_conjuncts (branches->pdata[b], parts);
      for (guint i = 0; i < parts->len; i++)
        if (reads_only (parts->pdata[i], lo, hi))
          g_ptr_array_add (mine, plan_expr_ref (parts->pdata[i]));
      if ((branch = opt__and_all (mine)) == NULL)
        {
          g_clear_pointer (&result, plan_expr_unref);
          return NULL;
        }
      if (result == NULL)
        {
          result = branch;
          continue;
        }
      args[0] = result;
      args[1] = branch;
      result = plan_expr_call (PLAN_FUNC_OR, plan_type_make (PLAN_TYPE_BOOLEAN,
                                                             args[0]->type.nullable
                                                             || args[1]->type.nullable),
                               2, args, args[0]->span);
    }
  return result;
}

void
opt__derive_or_filters (PlanExpr *p, guint n_left, guint n, const guint *right_map,
                        GPtrArray *left, GPtrArray *right)
{
  g_autoptr (GPtrArray) branches = g_ptr_array_new ();
  PlanExpr *f;

  if (p->kind != PLAN_EXPR_CALL || p->u.call.func != PLAN_FUNC_OR
      || !opt__expr_is_deterministic (p))
    return;
  split_or (p, branches);
  if ((f = side_filter (branches, 0, n_left)) != NULL)
    g_ptr_array_add (left, f);
  if ((f = side_filter (branches, n_left, n)) != NULL)
    {
      g_ptr_array_add (right, plan_expr_remap_columns (f, right_map));
      plan_expr_unref (f);
    }
}
