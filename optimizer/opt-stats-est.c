/* opt-stats-est.c: estimates from statistics: the selectivity of a condition and the rows
 * of sources, filters, joins and aggregates, for physical nodes (the planner's row
 * estimates) and logical ones (join ordering runs before physical planning).
 *
 * Both walks trace an output column down to the table column it is a copy of (through
 * column-only projections and casts, filters, sorts, limits, join sides and group keys)
 * and read that column's statistics; the distinct count is capped by the rows the node is
 * estimated to have, since a filter that keeps 10 rows cannot keep 1,000 distinct values.
 * The model itself is described at the top of opt-stats.c. */
#include "optimizer/opt-stats-private.h"

#include <math.h>

#define UNKNOWN_SELECTIVITY 0.5
#define UNKNOWN_RANGE (1.0 / 3.0)

typedef gboolean (*ColInfoFunc) (gconstpointer node, guint col, OptColInfo *out);

static gboolean
table_col_info (const PlanTable *table, guint col, OptColInfo *out)
{
  g_autoptr (OptTableStats) s = opt_stats_lookup (table);
  const OptColumnStats *c;

  if (s == NULL || col >= s->n_columns || s->columns[col].ndv < 0)
    return FALSE;
  c = &s->columns[col];
  out->ndv = c->ndv;
  out->null_frac = s->rows > 0 ? CLAMP (c->nulls / s->rows, 0, 1) : 0;
  out->has_range = c->has_range;
  out->min = c->min_num;
  out->max = c->max_num;
  return TRUE;
}

/* The column an expression copies (through CASTs); -1 otherwise. */
static gint
bare_column (const PlanExpr *e)
{
  while (e->kind == PLAN_EXPR_CALL && e->u.call.func == PLAN_FUNC_CAST && e->u.call.n_args == 1)
    e = e->u.call.args[0];
  return e->kind == PLAN_EXPR_COLUMN ? (gint) e->u.column : -1;
}

static gboolean
cap (gboolean ok, OptColInfo *out, double rows)
{
  if (ok && rows >= 0 && out->ndv > rows)
    out->ndv = MAX (rows, 1);
  return ok;
}

/* ---- physical ------------------------------------------------------------------------- */

gboolean
opt__phys_col_info (const PlanPhysNode *n, guint col, OptColInfo *out)
{
  gboolean ok = FALSE;
  gint c;

  if (col >= n->schema->n_fields)
    return FALSE;
  if (n->kind == PLAN_PHYS_SOURCE)
    ok = col < n->u.source.n_columns
         && table_col_info (n->u.source.table, n->u.source.columns[col], out);
  else if (n->kind == PLAN_PHYS_CALC)
    ok = col < n->u.calc.n_exprs && (c = bare_column (n->u.calc.exprs[col])) >= 0
         && opt__phys_col_info (n->inputs[0].node, (guint) c, out);
  else if (n->kind == PLAN_PHYS_JOIN || n->kind == PLAN_PHYS_HASH_JOIN
           || n->kind == PLAN_PHYS_NESTED_LOOP_JOIN || n->kind == PLAN_PHYS_SORT_MERGE_JOIN)
    {
      guint n_left = n->inputs[0].node->schema->n_fields;

      ok = col < n_left ? opt__phys_col_info (n->inputs[0].node, col, out)
                        : opt__phys_col_info (n->inputs[1].node, col - n_left, out);
    }
  else if (n->kind == PLAN_PHYS_AGGREGATE || n->kind == PLAN_PHYS_LOCAL_AGGREGATE)
    ok = col < n->u.aggregate.n_keys
         && opt__phys_col_info (n->inputs[0].node, n->u.aggregate.keys[col], out);
  else if (n->kind == PLAN_PHYS_SORT || n->kind == PLAN_PHYS_LIMIT || n->kind == PLAN_PHYS_SINK
           || n->kind == PLAN_PHYS_RANK)
    ok = n->n_inputs > 0 && col < n->inputs[0].node->schema->n_fields
         && opt__phys_col_info (n->inputs[0].node, col, out);
  return cap (ok, out, n->est_rows);
}

/* ---- logical -------------------------------------------------------------------------- */

gboolean
opt__logical_col_info (const PlanNode *n, guint col, OptColInfo *out)
{
  gboolean ok = FALSE;
  gint c;

  if (col >= n->schema->n_fields)
    return FALSE;
  if (n->kind == PLAN_NODE_SCAN)
    ok = col < n->u.scan.n_columns
         && table_col_info (n->u.scan.table, n->u.scan.columns[col], out);
  else if (n->kind == PLAN_NODE_PROJECT)
    ok = (c = bare_column (n->u.project.exprs[col])) >= 0
         && opt__logical_col_info (n->inputs[0], (guint) c, out);
  else if (n->kind == PLAN_NODE_JOIN)
    {
      guint n_left = n->inputs[0]->schema->n_fields;

      ok = col < n_left ? opt__logical_col_info (n->inputs[0], col, out)
                        : opt__logical_col_info (n->inputs[1], col - n_left, out);
    }
  else if (n->kind == PLAN_NODE_AGGREGATE)
    ok = col < n->u.aggregate.n_keys
         && opt__logical_col_info (n->inputs[0], n->u.aggregate.keys[col], out);
  else if (n->kind == PLAN_NODE_FILTER || n->kind == PLAN_NODE_SORT || n->kind == PLAN_NODE_LIMIT
           || n->kind == PLAN_NODE_SINK || n->kind == PLAN_NODE_RANK)
    ok = col < n->inputs[0]->schema->n_fields && opt__logical_col_info (n->inputs[0], col, out);
  return ok && cap (ok, out, opt__logical_rows (n));
}

/* ---- selectivity ---------------------------------------------------------------------- */

typedef struct {
  ColInfoFunc info;
  gconstpointer node;
  gboolean known;
} Sel;

static const PlanValue *
literal_of (const PlanExpr *e)
{
  while (e->kind == PLAN_EXPR_CALL && e->u.call.func == PLAN_FUNC_CAST && e->u.call.n_args == 1)
    e = e->u.call.args[0];
  return e->kind == PLAN_EXPR_LITERAL ? &e->u.literal : NULL;
}

/* Column statistics of e when it is a (cast) column with statistics. */
static gboolean
col_of (Sel *s, const PlanExpr *e, OptColInfo *out)
{
  gint c = bare_column (e);

  return c >= 0 && s->info (s->node, (guint) c, out);
}

/* Share of [min, max] below x (func LT/LE) or above it (GT/GE). */
static double
range_share (const OptColInfo *ci, PlanFunc func, double x)
{
  double below;

  if (ci->max <= ci->min)
    below = x > ci->min ? 1 : (x < ci->min ? 0 : 0.5);
  else
    below = CLAMP ((x - ci->min) / (ci->max - ci->min), 0, 1);
  return func == PLAN_FUNC_LT || func == PLAN_FUNC_LE ? below : 1 - below;
}

static PlanFunc
flipped (PlanFunc f)
{
  if (f == PLAN_FUNC_LT)
    return PLAN_FUNC_GT;
  if (f == PLAN_FUNC_LE)
    return PLAN_FUNC_GE;
  if (f == PLAN_FUNC_GT)
    return PLAN_FUNC_LT;
  if (f == PLAN_FUNC_GE)
    return PLAN_FUNC_LE;
  return f;
}

/* column op literal (either way round), or column = column. */
static double
comparison (Sel *s, const PlanExpr *e)
{
  const PlanExpr *a = e->u.call.args[0], *b = e->u.call.args[1];
  PlanFunc f = e->u.call.func;
  OptColInfo ci, cj;
  const PlanValue *lit;
  double x;

  if (col_of (s, a, &ci) && col_of (s, b, &cj) && f == PLAN_FUNC_EQ)
    {
      s->known = TRUE;
      return 1.0 / MAX (MAX (ci.ndv, cj.ndv), 1);
    }
  if (!col_of (s, a, &ci))
    {
      const PlanExpr *t = a;

      a = b;
      b = t;
      f = flipped (f);
      if (!col_of (s, a, &ci))
        return UNKNOWN_SELECTIVITY;
    }
  lit = literal_of (b);
  s->known = TRUE;
  if (lit != NULL && lit->is_null)
    return 0;
  if (f == PLAN_FUNC_EQ)
    {
      if (lit != NULL && ci.has_range && opt__value_number (lit, &x) && (x < ci.min || x > ci.max))
        return 0;
      return (1 - ci.null_frac) / MAX (ci.ndv, 1);
    }
  if (f == PLAN_FUNC_NE)
    return (1 - ci.null_frac) * (1 - 1.0 / MAX (ci.ndv, 1));
  if (lit != NULL && ci.has_range && opt__value_number (lit, &x))
    return (1 - ci.null_frac) * range_share (&ci, f, x);
  return (1 - ci.null_frac) * UNKNOWN_RANGE;
}

static double
between (Sel *s, const PlanExpr *e)
{
  OptColInfo ci;
  const PlanValue *lo, *hi;
  double l, h;

  if (e->u.call.n_args < 3 || !col_of (s, e->u.call.args[0], &ci))
    return UNKNOWN_SELECTIVITY;
  s->known = TRUE;
  lo = literal_of (e->u.call.args[1]);
  hi = literal_of (e->u.call.args[2]);
  if (!ci.has_range || !opt__value_number (lo, &l) || !opt__value_number (hi, &h))
    return (1 - ci.null_frac) * UNKNOWN_RANGE;
  if (h < l)
    return 0;
  if (ci.max <= ci.min)
    return (1 - ci.null_frac) * (l <= ci.min && ci.min <= h);
  return (1 - ci.null_frac) * CLAMP ((MIN (h, ci.max) - MAX (l, ci.min)) / (ci.max - ci.min),
                                     0, 1);
}

static double
selectivity (Sel *s, const PlanExpr *e)
{
  OptColInfo ci;
  double a, b;
  PlanFunc f;

  if (e->kind != PLAN_EXPR_CALL)
    return UNKNOWN_SELECTIVITY;
  f = e->u.call.func;
  if (f == PLAN_FUNC_AND)
    {
      a = selectivity (s, e->u.call.args[0]);
      return a * selectivity (s, e->u.call.args[1]);
    }
  if (f == PLAN_FUNC_OR)
    {
      a = selectivity (s, e->u.call.args[0]);
      b = selectivity (s, e->u.call.args[1]);
      return a + b - a * b;
    }
  if (f == PLAN_FUNC_NOT)
    return 1 - selectivity (s, e->u.call.args[0]);
  if (f == PLAN_FUNC_EQ || f == PLAN_FUNC_NE || f == PLAN_FUNC_LT || f == PLAN_FUNC_LE
      || f == PLAN_FUNC_GT || f == PLAN_FUNC_GE)
    return comparison (s, e);
  if (f == PLAN_FUNC_BETWEEN)
    return between (s, e);
  if ((f != PLAN_FUNC_IN && f != PLAN_FUNC_IS_NULL && f != PLAN_FUNC_IS_NOT_NULL)
      || !col_of (s, e->u.call.args[0], &ci))
    return UNKNOWN_SELECTIVITY;
  s->known = TRUE;
  if (f == PLAN_FUNC_IN)
    return (1 - ci.null_frac) * MIN (1.0, (e->u.call.n_args - 1) / MAX (ci.ndv, 1));
  return f == PLAN_FUNC_IS_NULL ? ci.null_frac : 1 - ci.null_frac;
}

static double
selectivity_of (const PlanExpr *cond, ColInfoFunc info, gconstpointer node, gboolean *known)
{
  Sel s = { info, node, FALSE };
  double sel = selectivity (&s, cond);

  if (known != NULL)
    *known = s.known;
  return s.known ? CLAMP (sel, 0, 1) : UNKNOWN_SELECTIVITY;
}

double
opt__phys_selectivity (const PlanExpr *cond, const PlanPhysNode *node, gboolean *known)
{
  return selectivity_of (cond, (ColInfoFunc) opt__phys_col_info, node, known);
}

double
opt__logical_selectivity (const PlanExpr *cond, const PlanNode *node, gboolean *known)
{
  return selectivity_of (cond, (ColInfoFunc) opt__logical_col_info, node, known);
}

/* ---- physical estimates --------------------------------------------------------------- */

/* The statistics of a source's columns before its filter: the source with no estimate, so
 * the distinct counts are not capped by the filtered rows. */
static gboolean
unfiltered_source_info (gconstpointer node, guint col, OptColInfo *out)
{
  const PlanPhysNode *src = node;

  return col < src->u.source.n_columns
         && table_col_info (src->u.source.table, src->u.source.columns[col], out);
}

double
opt__source_est_rows (const PlanPhysNode *source, double base_rows)
{
  g_autoptr (OptTableStats) s = opt_stats_lookup (source->u.source.table);
  double rows = s != NULL && s->rows >= 0 ? s->rows : base_rows;

  if (rows < 0 || source->u.source.filter == NULL)
    return rows;
  return rows * selectivity_of (source->u.source.filter, unfiltered_source_info, source, NULL);
}

double
opt__calc_est_rows (const PlanPhysNode *input, const PlanExpr *filter)
{
  if (input->est_rows < 0)
    return -1;
  if (filter == NULL)
    return input->est_rows;
  return input->est_rows * opt__phys_selectivity (filter, input, NULL);
}

/* The distinct count of one side's join key: the product of its columns' counts (the
 * columns taken as independent), at most the side's rows; < 0 when no column has one. */
static double
side_key_ndv (guint n_keys, const guint *keys, ColInfoFunc info, gconstpointer side,
              double rows)
{
  double product = 1;
  gboolean known = FALSE;

  for (guint k = 0; k < n_keys; k++)
    {
      OptColInfo ci;

      if (info (side, keys[k], &ci))
        {
          product *= MAX (ci.ndv, 1);
          known = TRUE;
        }
    }
  if (!known)
    return -1;
  return rows >= 0 ? MIN (product, MAX (rows, 1)) : product;
}

/* The key's distinct count for |L| |R| / ndv: the larger side's (System R's rule, for a
 * composite key too); < 0 when no key column has statistics. */
static double
key_ndv (guint n_keys, const guint *lk, const guint *rk, ColInfoFunc info, gconstpointer l,
         gconstpointer r, double l_rows, double r_rows)
{
  return MAX (side_key_ndv (n_keys, lk, info, l, l_rows),
              side_key_ndv (n_keys, rk, info, r, r_rows));
}

static double
join_rows (PlanJoinType type, double l, double r, double ndv)
{
  double rows;

  if (l < 0 || r < 0)
    return -1;
  if (ndv < 0)
    return MAX (l, r);
  rows = l * r / MAX (ndv, 1);
  switch (type)
    {
    case PLAN_JOIN_LEFT: return MAX (rows, l);
    case PLAN_JOIN_RIGHT: return MAX (rows, r);
    case PLAN_JOIN_FULL: return MAX (rows, l + r);
    case PLAN_JOIN_INNER:
    default: return rows;
    }
}

double
opt__join_est_rows (const PlanJoin *j, const PlanPhysNode *left, const PlanPhysNode *right)
{
  double ndv = key_ndv (j->n_keys, j->left_keys, j->right_keys,
                        (ColInfoFunc) opt__phys_col_info, left, right, left->est_rows,
                        right->est_rows);

  return join_rows (j->type, left->est_rows, right->est_rows, ndv);
}

static double
groups (const PlanAggregate *a, double in_rows, ColInfoFunc info, gconstpointer input)
{
  double product = 1;

  if (a->n_keys == 0)
    return 1;
  if (in_rows < 0)
    return -1;
  for (guint k = 0; k < a->n_keys; k++)
    {
      OptColInfo ci;

      if (!info (input, a->keys[k], &ci))
        return in_rows;
      product *= MAX (ci.ndv, 1) + (ci.null_frac > 0);
    }
  return MIN (product, in_rows);
}

double
opt__agg_est_rows (const PlanAggregate *a, const PlanPhysNode *input)
{
  return groups (a, input->est_rows, (ColInfoFunc) opt__phys_col_info, input);
}

/* ---- logical estimates ---------------------------------------------------------------- */

double
opt__logical_rows (const PlanNode *n)
{
  double rows;

  switch (n->kind)
    {
    case PLAN_NODE_SCAN:
      rows = opt__table_rows (n->u.scan.table);
      if (rows >= 0 && n->u.scan.filter != NULL)
        {
          PlanNode bare = *n; /* the scan without its filter: ndv not yet capped */

          bare.u.scan.filter = NULL;
          rows *= opt__logical_selectivity (n->u.scan.filter, &bare, NULL);
        }
      return rows;
    case PLAN_NODE_VALUES:
      return n->u.values.n_rows;
    case PLAN_NODE_FILTER:
      rows = opt__logical_rows (n->inputs[0]);
      return rows < 0 ? rows
                      : rows * opt__logical_selectivity (n->u.filter.condition, n->inputs[0],
                                                         NULL);
    case PLAN_NODE_LIMIT:
      rows = opt__logical_rows (n->inputs[0]);
      return n->u.limit.limit >= 0 && (rows < 0 || rows > n->u.limit.limit)
             ? (double) n->u.limit.limit : rows;
    case PLAN_NODE_JOIN:
      {
        const PlanJoin *j = &n->u.join;
        double l = opt__logical_rows (n->inputs[0]), r = opt__logical_rows (n->inputs[1]);
        double ndv = key_ndv (j->n_keys, j->left_keys, j->right_keys,
                              (ColInfoFunc) opt__logical_col_info, n->inputs[0], n->inputs[1],
                              l, r);

        return join_rows (j->type, l, r, ndv);
      }
    case PLAN_NODE_AGGREGATE:
      return groups (&n->u.aggregate, opt__logical_rows (n->inputs[0]),
                     (ColInfoFunc) opt__logical_col_info, n->inputs[0]);
    case PLAN_NODE_UNION:
      rows = 0;
      for (guint i = 0; i < n->n_inputs; i++)
        {
          double r = opt__logical_rows (n->inputs[i]);

          if (r < 0)
            return -1;
          rows += r;
        }
      return rows;
    case PLAN_NODE_SORT:
      rows = opt__logical_rows (n->inputs[0]);
      return n->u.sort.limit >= 0 && (rows < 0 || rows > n->u.sort.limit)
             ? (double) n->u.sort.limit : rows;
    case PLAN_NODE_PROJECT:
    case PLAN_NODE_SINK:
    case PLAN_NODE_WINDOW:
    case PLAN_NODE_RANK:
    default:
      return n->n_inputs > 0 ? opt__logical_rows (n->inputs[0]) : -1;
    }
}

/* ---- EXPLAIN -------------------------------------------------------------------------- */

void
opt__collect_tables (PlanNode *n, GPtrArray *tables)
{
  if (n->kind == PLAN_NODE_SCAN && !g_ptr_array_find (tables, n->u.scan.table, NULL))
    g_ptr_array_add (tables, n->u.scan.table);
  for (guint i = 0; i < n->n_inputs; i++)
    opt__collect_tables (n->inputs[i], tables);
}

void
opt__collect_join_order_notes (PlanNode *n, GPtrArray *notes)
{
  for (guint i = 0; i < n->n_inputs; i++)
    opt__collect_join_order_notes (n->inputs[i], notes);
  if (n->kind == PLAN_NODE_JOIN && n->u.join.alternative != NULL
      && g_str_has_prefix (n->u.join.alternative, "join order"))
    g_ptr_array_add (notes, n->u.join.alternative);
}

void
opt__explain_stats (GString *out, PlanNode *logical)
{
  g_autoptr (GPtrArray) tables = g_ptr_array_new ();
  g_autoptr (GPtrArray) notes = g_ptr_array_new ();

  opt__collect_tables (logical, tables);
  if (tables->len > 0)
    g_string_append (out, "\n== Statistics ==\n");
  for (guint i = 0; i < tables->len; i++)
    {
      g_autofree char *line = opt_stats_describe (tables->pdata[i]);

      g_string_append_printf (out, "%s\n", line);
    }
  opt__collect_join_order_notes (logical, notes);
  if (notes->len > 0)
    g_string_append (out, "\n== Join Order ==\n");
  for (guint i = 0; i < notes->len; i++)
    g_string_append_printf (out, "%s\n", (const char *) notes->pdata[i]);
}
