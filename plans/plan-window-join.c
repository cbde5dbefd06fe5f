/* plan-window-join.c: recognising a window join (Flink's WindowJoin) in a logical JOIN:
 *   FROM (window TVF or window aggregate) L JOIN (the same window) R
 *     ON L.window_start = R.window_start AND L.window_end = R.window_end [AND L.k = R.k]
 * Both sides' window_start and window_end columns are followed down (through filters,
 * plain column projections, limits and the keys of an aggregate grouped by them) to a
 * WINDOW node; the two WINDOW nodes must describe the same windows (kind, size, slide,
 * offset; TUMBLE, HOP or CUMULATE: a session window's bounds are only known after its
 * merge). The equalities are ordinary join keys, so the exchange hashes by them and the
 * matching needs nothing new; the engine only has to know which key is window_end, and
 * the optimizer says so by putting the window_start and window_end keys first.
 *
 * It lives in plans/ because the optimizer (choosing the operator) and EXPLAIN (the
 * WindowJoin line) ask it. */
#include "plan-node.h"

/* Follows output column col of node down to a WINDOW node; through an AGGREGATE only by
 * its grouping keys. */
static gboolean
trace (const PlanNode *node, guint col, const PlanNode **window, guint *window_col)
{
  for (;;)
    {
      const PlanExpr *e;

      if (node->kind == PLAN_NODE_WINDOW)
        {
          *window = node;
          *window_col = col;
          return TRUE;
        }
      if (node->kind == PLAN_NODE_PROJECT)
        {
          e = node->u.project.exprs[col];
          if (e->kind != PLAN_EXPR_COLUMN)
            return FALSE;
          col = e->u.column;
        }
      else if (node->kind == PLAN_NODE_AGGREGATE)
        {
          if (col >= node->u.aggregate.n_keys)
            return FALSE;
          col = node->u.aggregate.keys[col];
        }
      else if (node->kind != PLAN_NODE_FILTER && node->kind != PLAN_NODE_LIMIT)
        return FALSE;
      node = node->inputs[0];
    }
}

/* Which window column (0 start, 1 end) output column col of node is, or -1. */
static gint
window_column (const PlanNode *node, guint col, const PlanNode **window)
{
  guint wc, n_in;

  if (!trace (node, col, window, &wc))
    return -1;
  n_in = (*window)->inputs[0]->schema->n_fields;
  if (wc == n_in)
    return 0;
  if (wc == n_in + 1)
    return 1;
  return -1;
}

static gboolean
same_windows (const PlanWindow *a, const PlanWindow *b)
{
  return a->kind == b->kind && a->kind != PLAN_WINDOW_SESSION && a->size_ms == b->size_ms
         && a->slide_ms == b->slide_ms && a->offset_ms == b->offset_ms;
}

gboolean
plan_join_window_keys (const PlanNode *join, guint *start_key, guint *end_key)
{
  const PlanNode *lw = NULL, *rw = NULL;
  gint found[2] = { -1, -1 };

  if (join->kind != PLAN_NODE_JOIN || join->n_inputs != 2)
    return FALSE;
  for (guint k = 0; k < join->u.join.n_keys; k++)
    {
      const PlanNode *a, *b;
      gint ca = window_column (join->inputs[0], join->u.join.left_keys[k], &a);
      gint cb = window_column (join->inputs[1], join->u.join.right_keys[k], &b);

      if (ca < 0 || ca != cb || found[ca] >= 0)
        continue;
      if ((lw != NULL && lw != a) || (rw != NULL && rw != b))
        continue; /* another window than the first key's */
      lw = a;
      rw = b;
      found[ca] = (gint) k;
    }
  if (found[0] < 0 || found[1] < 0 || !same_windows (&lw->u.window, &rw->u.window))
    return FALSE;
  if (start_key != NULL)
    *start_key = (guint) found[0];
  if (end_key != NULL)
    *end_key = (guint) found[1];
  return TRUE;
}

void
plan_window_join_describe (GString *out, const PlanPhysNode *n)
{
  const PlanSchema *l = n->inputs[0].node->schema, *r = n->inputs[1].node->schema;
  const PlanJoin *j = &n->u.join;
  gsize at;

  plan_join_describe (out, "WindowJoin", j, l, r, n->schema);
  if (j->n_keys < 2 || (at = out->len) == 0 || out->str[at - 1] != ')')
    return;
  /* keys 0 and 1 are window_start and window_end (the optimizer ordered them so) */
  g_string_truncate (out, at - 1);
  g_string_append_printf (out, ", leftWindow=[win_start=[%s], win_end=[%s]], "
                          "rightWindow=[win_start=[%s], win_end=[%s]])",
                          l->fields[j->left_keys[0]].name, l->fields[j->left_keys[1]].name,
                          r->fields[j->right_keys[0]].name, r->fields[j->right_keys[1]].name);
}
