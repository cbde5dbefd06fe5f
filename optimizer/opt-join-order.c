/* opt-join-order.c: the join-reorder pass. A tree of 3 to 6 inner joins (after
 * filter-pushdown has turned WHERE equalities into join keys) is re-planned by dynamic
 * programming over the subsets of its inputs, the shape of System R's and DuckDB's join
 * order optimizers reduced to bushy plans over at most 6 relations (63 subsets).
 *
 * The join graph: the inputs (leaves) of the tree, each key equality an edge between the
 * two leaves it reads, each residual conjunct a predicate over the leaves it reads. The
 * cost of a plan is C_out, the sum of the estimated rows of every join's result (the
 * intermediates a plan materialises, hashes and ships); rows of a subset are the product
 * of its leaves' rows times the selectivity of every edge inside it, 1 / max(ndv) of the
 * two columns (ANALYZE's distinct counts, of at least one of them), and 1/2 for each
 * residual. Only splits joined by an edge are considered, unless no such split exists
 * (then cross products are allowed). The tree is rebuilt only when the best plan is
 * cheaper than the one as written; a PROJECT on top restores the written column order, so
 * the rest of the plan is untouched. The chosen order and both costs are noted in the top
 * join's `alternative`, which EXPLAIN ESTIMATED_COST prints under "== Join Order ==".
 * Joins with hints, outer joins and trees with an input of unknown size are left alone, and
 * so is a tree with a key equality that has no distinct counts from ANALYZE TABLE on either
 * side (the note says which): guessed distinct counts can make the search pick a far worse
 * order than the one written (TPC-H Q5's nation keys joining customers to suppliers). */
#include "optimizer/opt-stats-private.h"

#include <math.h>

#define MAX_LEAVES 6
#define N_SETS (1u << MAX_LEAVES)

typedef struct {
  PlanExpr *expr;   /* owned: over the global columns */
  guint mask;       /* leaves it reads */
} Pred;

typedef struct {
  guint n;
  PlanNode *leaves[MAX_LEAVES]; /* borrowed */
  guint offset[MAX_LEAVES + 1]; /* global column of each leaf's first column */
  GArray *edges;                /* guint pairs: global columns a, b */
  GPtrArray *preds;             /* Pred* */
  double rows[N_SETS];
  double cost[N_SETS];
  guint split[N_SETS];          /* left subset of the best plan; 0 for a leaf */
  gboolean too_big;
  gboolean unknown;
} Graph;

static guint
leaf_of (const Graph *g, guint col)
{
  for (guint i = 0; i + 1 <= g->n; i++)
    if (col < g->offset[i + 1])
      return i;
  return g->n - 1;
}

static gboolean
reorderable (const PlanNode *n)
{
  return n->kind == PLAN_NODE_JOIN && n->u.join.type == PLAN_JOIN_INNER
         && n->u.join.hint == PLAN_JOIN_HINT_NONE;
}

static void
pred_free (gpointer p)
{
  plan_expr_unref (((Pred *) p)->expr);
  g_free (p);
}

static guint
expr_mask (const Graph *g, const PlanExpr *e)
{
  g_autoptr (GArray) cols = g_array_new (FALSE, FALSE, sizeof (guint));
  guint mask = 0;

  plan_expr_collect_columns (e, cols);
  for (guint i = 0; i < cols->len; i++)
    mask |= 1u << leaf_of (g, g_array_index (cols, guint, i));
  return mask;
}

/* Leaves of the tree in column order; base is the global column of node's first column. */
static void
flatten (Graph *g, PlanNode *node, guint base)
{
  const PlanJoin *j;
  guint n_left;

  if (!reorderable (node))
    {
      if (g->n == MAX_LEAVES)
        {
          g->too_big = TRUE;
          return;
        }
      g->leaves[g->n] = node;
      g->offset[g->n] = base;
      g->n++;
      g->offset[g->n] = base + node->schema->n_fields;
      return;
    }
  j = &node->u.join;
  n_left = node->inputs[0]->schema->n_fields;
  flatten (g, node->inputs[0], base);
  flatten (g, node->inputs[1], base + n_left);
  for (guint k = 0; k < j->n_keys; k++)
    {
      guint pair[2] = { base + j->left_keys[k], base + n_left + j->right_keys[k] };

      g_array_append_vals (g->edges, pair, 2);
    }
  if (j->residual != NULL)
    {
      g_autofree guint *map = g_new (guint, node->schema->n_fields);
      g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (
        (GDestroyNotify) plan_expr_unref);

      for (guint i = 0; i < node->schema->n_fields; i++)
        map[i] = base + i;
      opt__split_conjuncts (j->residual, parts);
      for (guint i = 0; i < parts->len; i++)
        {
          Pred *p = g_new0 (Pred, 1);

          p->expr = plan_expr_remap_columns (parts->pdata[i], map);
          g_ptr_array_add (g->preds, p);
        }
    }
}

/* ndv of global column col from ANALYZE; -1 without statistics. */
static double
col_ndv (const Graph *g, guint col)
{
  guint l = leaf_of (g, col);
  OptColInfo ci;

  if (opt__logical_col_info (g->leaves[l], col - g->offset[l], &ci))
    return MAX (ci.ndv, 1);
  return -1;
}

/* The distinct count an equality a = b divides by: the larger of the two columns' counts
 * that are known (the search runs only when one is); else the smaller side's rows, as if
 * it were a key joined by a foreign key. */
static double
edge_ndv (const Graph *g, guint a, guint b)
{
  double na = col_ndv (g, a), nb = col_ndv (g, b);

  if (na > 0 || nb > 0)
    return MAX (na, nb);
  return MAX (MIN (g->rows[1u << leaf_of (g, a)], g->rows[1u << leaf_of (g, b)]), 1);
}

static gboolean
edge_joins (const Graph *g, guint k, guint a, guint b)
{
  guint la = 1u << leaf_of (g, g_array_index (g->edges, guint, 2 * k));
  guint lb = 1u << leaf_of (g, g_array_index (g->edges, guint, 2 * k + 1));

  return ((la & a) && (lb & b)) || ((la & b) && (lb & a));
}

static void
subset_rows (Graph *g, guint full)
{
  for (guint s = 1; s <= full; s++)
    {
      double rows = 1;

      for (guint l = 0; l < g->n; l++)
        if (s & (1u << l))
          rows *= g->rows[1u << l];
      for (guint k = 0; k < g->edges->len / 2; k++)
        {
          guint a = g_array_index (g->edges, guint, 2 * k);
          guint b = g_array_index (g->edges, guint, 2 * k + 1);
          guint m = (1u << leaf_of (g, a)) | (1u << leaf_of (g, b));

          if ((m & s) == m && __builtin_popcount (m) == 2)
            rows /= edge_ndv (g, a, b);
        }
      for (guint i = 0; i < g->preds->len; i++)
        {
          const Pred *p = g->preds->pdata[i];

          if ((p->mask & s) == p->mask && __builtin_popcount (p->mask) > 1)
            rows *= 0.5;
        }
      if (__builtin_popcount (s) > 1)
        g->rows[s] = rows;
    }
}

static gboolean
connected (const Graph *g, guint a, guint b)
{
  for (guint k = 0; k < g->edges->len / 2; k++)
    if (edge_joins (g, k, a, b))
      return TRUE;
  for (guint i = 0; i < g->preds->len; i++)
    {
      const Pred *p = g->preds->pdata[i];

      if ((p->mask & a) && (p->mask & b))
        return TRUE;
    }
  return FALSE;
}

/* Best split of every subset, smallest subsets first. */
static void
dp (Graph *g, guint full, gboolean allow_cross)
{
  for (guint s = 1; s <= full; s++)
    {
      if (__builtin_popcount (s) == 1)
        {
          g->cost[s] = 0;
          g->split[s] = 0;
          continue;
        }
      g->cost[s] = INFINITY;
      for (guint a = (s - 1) & s; a > 0; a = (a - 1) & s)
        {
          guint b = s & ~a;
          double c;

          if (a < b || !isfinite (g->cost[a]) || !isfinite (g->cost[b])
              || (!allow_cross && !connected (g, a, b)))
            continue;
          c = g->cost[a] + g->cost[b] + g->rows[s];
          if (c < g->cost[s])
            {
              g->cost[s] = c;
              /* the larger side left, so the smaller is the natural build side */
              g->split[s] = g->rows[a] >= g->rows[b] ? a : b;
            }
        }
    }
}

/* C_out of the tree as written, and its text. */
static double
written_cost (const Graph *g, const PlanNode *node, guint *leaf, guint *mask, GString *text)
{
  double c;
  guint ml, mr;

  if (!reorderable (node))
    {
      g_string_append (text, node->kind == PLAN_NODE_SCAN ? node->u.scan.table->name : "?");
      *mask = 1u << (*leaf)++;
      return 0;
    }
  g_string_append_c (text, '(');
  c = written_cost (g, node->inputs[0], leaf, &ml, text);
  g_string_append (text, " JOIN ");
  c += written_cost (g, node->inputs[1], leaf, &mr, text);
  g_string_append_c (text, ')');
  *mask = ml | mr;
  return c + g->rows[*mask];
}

static void
order_text (const Graph *g, guint s, GString *text)
{
  if (g->split[s] == 0)
    {
      const PlanNode *leaf = g->leaves[__builtin_ctz (s)];

      g_string_append (text, leaf->kind == PLAN_NODE_SCAN ? leaf->u.scan.table->name : "?");
      return;
    }
  g_string_append_c (text, '(');
  order_text (g, g->split[s], text);
  g_string_append (text, " JOIN ");
  order_text (g, s & ~g->split[s], text);
  g_string_append_c (text, ')');
}

/* The plan of subset s; cols gets its output's global columns in order. A residual goes to
 * the lowest join that has all its inputs; one reading a single input or none (it could
 * not be pushed below the joins) goes to the top one. */
static PlanNode *
build (Graph *g, guint s, GArray *cols, PlanSpan span)
{
  guint a = g->split[s], b = s & ~a, n_left;
  g_autoptr (GArray) lc = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) rc = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GPtrArray) res = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  g_autofree guint *pos = NULL;
  PlanNode *in[2], *join;
  PlanJoin *j;

  if (a == 0)
    {
      guint l = (guint) __builtin_ctz (s);

      for (guint c = g->offset[l]; c < g->offset[l + 1]; c++)
        g_array_append_val (cols, c);
      return plan_node_ref (g->leaves[l]);
    }
  in[0] = build (g, a, lc, span);
  in[1] = build (g, b, rc, span);
  n_left = lc->len;
  join = plan_node_new (PLAN_NODE_JOIN, plan_join_schema (in[0]->schema, in[1]->schema,
                                                          PLAN_JOIN_INNER), span, 2, in);
  j = &join->u.join;
  j->type = PLAN_JOIN_INNER;
  g_array_append_vals (cols, lc->data, lc->len);
  g_array_append_vals (cols, rc->data, rc->len);
  pos = g_new (guint, g->offset[g->n]);
  for (guint i = 0; i < cols->len; i++)
    pos[g_array_index (cols, guint, i)] = i;
  j->left_keys = g_new (guint, g->edges->len / 2 + 1);
  j->right_keys = g_new (guint, g->edges->len / 2 + 1);
  for (guint k = 0; k < g->edges->len / 2; k++)
    {
      guint x = g_array_index (g->edges, guint, 2 * k);
      guint y = g_array_index (g->edges, guint, 2 * k + 1);

      if (!edge_joins (g, k, a, b))
        continue;
      if (!((1u << leaf_of (g, x)) & a))
        {
          guint t = x;

          x = y;
          y = t;
        }
      j->left_keys[j->n_keys] = pos[x];
      j->right_keys[j->n_keys++] = pos[y] - n_left;
    }
  for (guint i = 0; i < g->preds->len; i++)
    {
      const Pred *p = g->preds->pdata[i];

      gboolean here = __builtin_popcount (p->mask) <= 1
                      ? s == (1u << g->n) - 1
                      : (p->mask & s) == p->mask && (p->mask & a) != p->mask
                        && (p->mask & b) != p->mask;

      if (here)
        g_ptr_array_add (res, plan_expr_remap_columns (p->expr, pos));
    }
  j->residual = opt__and_all (res);
  return join;
}

/* The reordered tree under a PROJECT restoring the written column order. */
static PlanNode *
rebuild (Graph *g, PlanNode *root, guint full, char *note)
{
  g_autoptr (GArray) cols = g_array_new (FALSE, FALSE, sizeof (guint));
  PlanNode *tree = build (g, full, cols, root->span), *project;
  g_autofree guint *pos = g_new (guint, cols->len);
  guint n = root->schema->n_fields;

  for (guint i = 0; i < cols->len; i++)
    pos[g_array_index (cols, guint, i)] = i;
  g_free (tree->u.join.alternative);
  tree->u.join.alternative = note;
  project = plan_node_new (PLAN_NODE_PROJECT, plan_schema_ref (root->schema), root->span, 1,
                           &tree);
  project->u.project.n_exprs = n;
  project->u.project.exprs = g_new0 (PlanExpr *, n ? n : 1);
  for (guint i = 0; i < n; i++)
    project->u.project.exprs[i] = plan_expr_column (pos[i], tree->schema->fields[pos[i]].type,
                                                    root->span);
  return project;
}

/* "orders.o_custkey": global column col as EXPLAIN names it. */
static char *
col_name (const Graph *g, guint col)
{
  guint l = leaf_of (g, col);
  const PlanNode *leaf = g->leaves[l];
  const char *name = leaf->schema->fields[col - g->offset[l]].name;

  if (leaf->kind == PLAN_NODE_SCAN)
    return g_strdup_printf ("%s.%s", leaf->u.scan.table->name, name);
  return g_strdup (name);
}

/* The first key equality neither of whose columns has ANALYZE's distinct count, as text;
 * NULL when every one has. Without them the estimates of the other orders are guesses
 * (a foreign key to a key, or a many-to-many join through a small domain like a nation
 * key?) that can pick a far worse order than the one written, so the written one stays. */
static char *
edge_without_stats (const Graph *g)
{
  for (guint k = 0; k < g->edges->len / 2; k++)
    {
      guint a = g_array_index (g->edges, guint, 2 * k);
      guint b = g_array_index (g->edges, guint, 2 * k + 1);

      if (col_ndv (g, a) < 0 && col_ndv (g, b) < 0)
        {
          g_autofree char *na = col_name (g, a), *nb = col_name (g, b);

          return g_strdup_printf ("%s = %s", na, nb);
        }
    }
  return NULL;
}

/* node with note as its alternative (a new node over the same inputs). */
static PlanNode *
with_note (PlanNode *node, char *note)
{
  PlanNode *in[2] = { plan_node_ref (node->inputs[0]), plan_node_ref (node->inputs[1]) };
  PlanNode *copy = opt__node_with_inputs (node, in);

  g_free (copy->u.join.alternative);
  copy->u.join.alternative = note;
  return copy;
}

/* Reorders the join tree rooted at node (an inner join) when that pays; a new ref. */
static PlanNode *
reorder (PlanNode *node)
{
  Graph g = { 0 };
  guint full, leaf = 0, mask = 0;
  g_autoptr (GString) written = g_string_new (NULL), chosen = g_string_new (NULL);
  PlanNode *result = NULL;
  g_autofree char *guess = NULL;
  double wcost;

  g.edges = g_array_new (FALSE, FALSE, sizeof (guint));
  g.preds = g_ptr_array_new_with_free_func (pred_free);
  flatten (&g, node, 0);
  if (!g.too_big && g.n >= 3)
    {
      full = (1u << g.n) - 1;
      for (guint i = 0; i < g.preds->len; i++)
        ((Pred *) g.preds->pdata[i])->mask = expr_mask (&g, ((Pred *) g.preds->pdata[i])->expr);
      for (guint l = 0; l < g.n && !g.unknown; l++)
        g.unknown = (g.rows[1u << l] = opt__logical_rows (g.leaves[l])) < 0;
      if (!g.unknown && (guess = edge_without_stats (&g)) != NULL)
        result = with_note (node, g_strdup_printf ("join order: as written; no statistics for "
                                                   "%s (ANALYZE TABLE lets the optimizer "
                                                   "choose the order)", guess));
      else if (!g.unknown)
        {
          subset_rows (&g, full);
          dp (&g, full, FALSE);
          if (!isfinite (g.cost[full]))
            dp (&g, full, TRUE);
          wcost = written_cost (&g, node, &leaf, &mask, written);
          order_text (&g, full, chosen);
          if (g.cost[full] < wcost * (1 - 1e-9))
            result = rebuild (&g, node, full,
                              g_strdup_printf ("join order: %s, est. cost %.0f rows of "
                                               "intermediate results; as written: %s, est. "
                                               "cost %.0f", chosen->str, g.cost[full],
                                               written->str, wcost));
        }
    }
  g_array_unref (g.edges);
  g_ptr_array_unref (g.preds);
  return result;
}

static PlanNode *reorder_rec (PlanNode *node);

/* The join tree at node with each leaf replaced by its own reordered plan (a new ref). */
static PlanNode *
with_reordered_leaves (PlanNode *node)
{
  PlanNode *in[2];

  if (!reorderable (node))
    return reorder_rec (node);
  in[0] = with_reordered_leaves (node->inputs[0]);
  in[1] = with_reordered_leaves (node->inputs[1]);
  if (in[0] == node->inputs[0] && in[1] == node->inputs[1])
    {
      plan_node_unref (in[0]);
      plan_node_unref (in[1]);
      return plan_node_ref (node);
    }
  return opt__node_with_inputs (node, in);
}

static PlanNode *
reorder_rec (PlanNode *node)
{
  g_autofree PlanNode **inputs = NULL;
  gboolean changed = FALSE;

  if (reorderable (node))
    {
      PlanNode *tree = with_reordered_leaves (node), *r = reorder (tree);

      if (r == NULL)
        return tree;
      plan_node_unref (tree);
      return r;
    }
  inputs = g_new0 (PlanNode *, node->n_inputs + 1);
  for (guint i = 0; i < node->n_inputs; i++)
    {
      inputs[i] = reorder_rec (node->inputs[i]);
      changed |= inputs[i] != node->inputs[i];
    }
  if (!changed)
    {
      for (guint i = 0; i < node->n_inputs; i++)
        plan_node_unref (inputs[i]);
      return plan_node_ref (node);
    }
  return opt__node_with_inputs (node, inputs);
}

PlanNode *
opt_pass_join_reorder (PlanNode *root)
{
  return reorder_rec (root);
}
