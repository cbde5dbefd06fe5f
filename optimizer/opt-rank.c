/* opt-rank.c: UNION and RANK (ROW_NUMBER() OVER ...) in the optimizer: the verifier's
 * checks, filter pushdown, projection pruning and physical planning.
 *
 * Pushdown. A filter over a UNION is the same filter over each input, so a copy goes down
 * every branch (where it may reach each scan). Over a RANK, a conjunct that bounds the row
 * number (rownum <= N, rownum < N, rownum = 1, N >= rownum, rownum BETWEEN M AND N)
 * becomes the RANK's limit:
 * this is how `WHERE rownum <= N` turns an unbounded ROW_NUMBER into a Top-N, the rule
 * Flink calls FlinkLogicalRankRule. A bound other than 1 with `=` keeps its conjunct above
 * (the limit only trims what the filter would drop anyway). A conjunct that reads
 * partition columns only may go below the RANK: it keeps or drops whole partitions, so the
 * numbering within the partitions it keeps does not change. Everything else stays above.
 *
 * Pruning. A UNION needs from each input exactly the columns its parent needs, so each
 * input is pruned to that list (opt__prune_to) and the union's schema follows. A RANK needs
 * the parent's columns plus its partition and order keys; when no parent reads rownum, the
 * RANK stops producing it (Flink's "Top-N without row number" output, which changes less).
 *
 * Physical. UNION reads every input through its own edge (FORWARD at equal parallelism,
 * else a rebalance or gather) into one unchained operator, so a union of N branches is one
 * node however long the chain; its output is updating when any input is. RANK is keyed by
 * the partition columns (a HASH exchange; one subtask without them). Streaming, its output
 * is a changelog, except for deduplication ordered by processing time ascending over an
 * insert-only input, where arrival order is the order and a kept row never leaves.
 * Batch, it emits each partition's kept rows once, at the end of its input. */
#include "optimizer/opt-private.h"

#include <string.h>

/* ---- verification ---------------------------------------------------------------------- */

static gboolean
malformed (GError **error, const PlanNode *node, const char *what)
{
  g_set_error (error, OPT_ERROR, OPT_ERROR_INTERNAL,
               "plan verification failed: %s node at %u:%u %s", plan_node_kind_name (node->kind),
               node->span.line, node->span.col, what);
  return FALSE;
}

static gboolean
same_storage (PlanType a, PlanType b)
{
  return a.kind == b.kind
         && (a.kind != PLAN_TYPE_DECIMAL || (a.precision == b.precision && a.scale == b.scale));
}

gboolean
opt__verify_union (const PlanNode *node, GError **error)
{
  if (node->n_inputs < 1)
    return malformed (error, node, "has no inputs");
  for (guint k = 0; k < node->n_inputs; k++)
    {
      const PlanSchema *in = node->inputs[k]->schema;

      if (in->n_fields != node->schema->n_fields)
        return malformed (error, node, "has an input with another number of columns");
      for (guint i = 0; i < in->n_fields; i++)
        if (!same_storage (in->fields[i].type, node->schema->fields[i].type))
          return malformed (error, node, "has an input whose column types differ");
    }
  return TRUE;
}

gboolean
opt__verify_rank (const PlanNode *node, GError **error)
{
  const PlanRank *r = &node->u.rank;
  const PlanSchema *in = node->inputs[0]->schema;

  for (guint k = 0; k < r->n_partition; k++)
    if (r->partition[k] >= in->n_fields)
      return malformed (error, node, "has a partition column out of range");
  for (guint k = 0; k < r->order.n_keys; k++)
    if (r->order.keys[k] >= in->n_fields)
      return malformed (error, node, "has an order column out of range");
  if (r->limit < -1 || r->limit == 0)
    return malformed (error, node, "has a bad limit");
  if (node->schema->n_fields != in->n_fields + (r->rownum ? 1 : 0))
    return malformed (error, node, "has the wrong number of columns");
  for (guint i = 0; i < in->n_fields; i++)
    if (!same_storage (in->fields[i].type, node->schema->fields[i].type))
      return malformed (error, node, "changes a column's type");
  return TRUE;
}

/* ---- pushdown through UNION -------------------------------------------------------------- */

gboolean
opt__union_can_push (PlanExpr *cond, const PlanNode *node)
{
  (void) node;
  return opt__expr_is_deterministic (cond);
}

PlanNode *
opt__push_through_union (PlanSpan span, PlanExpr *cond, PlanNode *node)
{
  g_autofree PlanNode **inputs = g_new0 (PlanNode *, node->n_inputs);
  PlanNode *result;

  for (guint k = 0; k < node->n_inputs; k++)
    inputs[k] = opt__push_filter (span, plan_expr_ref (cond), plan_node_ref (node->inputs[k]));
  result = opt__node_with_inputs (node, inputs);
  plan_expr_unref (cond);
  plan_node_unref (node);
  return result;
}

/* ---- pushdown through RANK ----------------------------------------------------------------- */

static gboolean
is_int_literal (const PlanExpr *e)
{
  return e->kind == PLAN_EXPR_LITERAL && !e->u.literal.is_null
         && (e->u.literal.type.kind == PLAN_TYPE_BIGINT || e->u.literal.type.kind == PLAN_TYPE_INT);
}

/* rownum BETWEEN lo AND hi: bound hi, kept above unless lo <= 1. */
static gint64
between_bound (const PlanExpr *p, guint rownum_col, gboolean *keep)
{
  const PlanExpr *x = p->u.call.args[0], *lo = p->u.call.args[1], *hi = p->u.call.args[2];

  if (x->kind != PLAN_EXPR_COLUMN || x->u.column != rownum_col || !is_int_literal (lo)
      || !is_int_literal (hi) || hi->u.literal.v.i < 1)
    return -1;
  *keep = lo->u.literal.v.i > 1;
  return hi->u.literal.v.i;
}

/* The largest row number conjunct p lets through when it bounds the rownum column
 * (*keep: the conjunct must stay above as well); -1 when it is no such bound. */
static gint64
rank_bound (const PlanExpr *p, guint rownum_col, gboolean *keep)
{
  const PlanExpr *a, *b;
  PlanFunc f;
  gint64 v;

  if (p->kind == PLAN_EXPR_CALL && p->u.call.func == PLAN_FUNC_BETWEEN && p->u.call.n_args == 3)
    return between_bound (p, rownum_col, keep);
  if (p->kind != PLAN_EXPR_CALL || p->u.call.n_args != 2)
    return -1;
  f = p->u.call.func;
  a = p->u.call.args[0];
  b = p->u.call.args[1];
  if (b->kind == PLAN_EXPR_COLUMN && a->kind == PLAN_EXPR_LITERAL)
    {
      const PlanExpr *t = a;
      a = b;
      b = t;
      f = f == PLAN_FUNC_GE ? PLAN_FUNC_LE : f == PLAN_FUNC_GT ? PLAN_FUNC_LT
          : f == PLAN_FUNC_LE ? PLAN_FUNC_GE : f == PLAN_FUNC_LT ? PLAN_FUNC_GT : f;
    }
  if (a->kind != PLAN_EXPR_COLUMN || a->u.column != rownum_col || !is_int_literal (b))
    return -1;
  v = b->u.literal.v.i;
  *keep = FALSE;
  if (f == PLAN_FUNC_LE)
    return v >= 1 ? v : -1;
  if (f == PLAN_FUNC_LT)
    return v >= 2 ? v - 1 : -1;
  if (f == PLAN_FUNC_EQ)
    {
      *keep = v != 1;
      return v >= 1 ? v : -1;
    }
  return -1;
}

static gboolean
reads_only (const PlanExpr *p, const guint *cols, guint n)
{
  g_autoptr (GArray) used = g_array_new (FALSE, FALSE, sizeof (guint));

  if (!opt__expr_is_deterministic (p))
    return FALSE;
  plan_expr_collect_columns (p, used);
  for (guint i = 0; i < used->len; i++)
    {
      gboolean found = FALSE;

      for (guint k = 0; k < n && !found; k++)
        found = cols[k] == g_array_index (used, guint, i);
      if (!found)
        return FALSE;
    }
  return TRUE;
}

gboolean
opt__rank_can_push (PlanExpr *cond, const PlanNode *node)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  const PlanRank *r = &node->u.rank;
  guint rownum_col = node->inputs[0]->schema->n_fields;

  opt__split_conjuncts (cond, parts);
  for (guint i = 0; i < parts->len; i++)
    {
      gboolean keep;
      gint64 bound = r->rownum ? rank_bound (parts->pdata[i], rownum_col, &keep) : -1;

      if ((bound > 0 && (r->limit < 0 || bound < r->limit || !keep))
          || reads_only (parts->pdata[i], r->partition, r->n_partition))
        return TRUE;
    }
  return FALSE;
}

PlanNode *
opt__push_through_rank (PlanSpan span, PlanExpr *cond, PlanNode *node)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  g_autoptr (GPtrArray) below = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  g_autoptr (GPtrArray) above = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  guint rownum_col = node->inputs[0]->schema->n_fields;
  gint64 limit = node->u.rank.limit;
  PlanExpr *cond_below, *cond_above;
  PlanNode *input, *result;

  opt__split_conjuncts (cond, parts);
  plan_expr_unref (cond);
  for (guint i = 0; i < parts->len; i++)
    {
      PlanExpr *p = parts->pdata[i];
      gboolean keep = TRUE;
      gint64 bound = node->u.rank.rownum ? rank_bound (p, rownum_col, &keep) : -1;

      if (bound > 0)
        limit = limit < 0 ? bound : MIN (limit, bound);
      if (bound > 0 && !keep)
        continue;
      if (reads_only (p, node->u.rank.partition, node->u.rank.n_partition))
        g_ptr_array_add (below, plan_expr_ref (p));
      else
        g_ptr_array_add (above, plan_expr_ref (p));
    }
  cond_below = opt__and_all (below);
  cond_above = opt__and_all (above);
  input = plan_node_ref (node->inputs[0]);
  if (cond_below != NULL)
    input = opt__push_filter (span, cond_below, input);
  result = opt__node_with_inputs (node, &input);
  result->u.rank.limit = limit;
  plan_node_unref (node);
  return cond_above != NULL ? opt__filter_new (span, cond_above, result) : result;
}

/* ---- pruning ------------------------------------------------------------------------------- */

static gint
compare_guint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

/* required sorted without duplicates, those below limit only. */
static GArray *
sorted_unique (const GArray *required, guint limit)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < required->len; i++)
    {
      guint c = g_array_index (required, guint, i);
      gboolean seen = FALSE;

      for (guint j = 0; j < out->len && !seen; j++)
        seen = g_array_index (out, guint, j) == c;
      if (!seen && c < limit)
        g_array_append_val (out, c);
    }
  g_array_sort (out, compare_guint);
  return out;
}

PlanNode *
opt__prune_union (PlanNode *node, GArray *required, guint **out_map)
{
  g_autoptr (GArray) keep = sorted_unique (required, node->schema->n_fields);
  g_autofree PlanNode **inputs = g_new0 (PlanNode *, node->n_inputs);
  PlanSchema *schema;
  PlanNode *result;
  guint *map;

  if (keep->len == 0 && node->schema->n_fields > 0)
    {
      guint first = 0; /* a row count still needs rows: keep one column */
      g_array_append_val (keep, first);
    }
  for (guint k = 0; k < node->n_inputs; k++)
    inputs[k] = opt__prune_to (node->inputs[k], keep);
  schema = plan_schema_new (keep->len);
  map = g_new (guint, MAX (node->schema->n_fields, 1));
  for (guint i = 0; i < node->schema->n_fields; i++)
    map[i] = G_MAXUINT;
  for (guint j = 0; j < keep->len; j++)
    {
      const PlanField *f = &node->schema->fields[g_array_index (keep, guint, j)];

      plan_schema_set_field (schema, j, f->name, f->type);
      map[g_array_index (keep, guint, j)] = j;
    }
  result = plan_node_new (PLAN_NODE_UNION, schema, node->span, node->n_inputs, inputs);
  *out_map = map;
  return result;
}

PlanNode *
opt__prune_rank (PlanNode *node, GArray *required, guint **out_map)
{
  const PlanRank *r = &node->u.rank;
  guint n_in = node->inputs[0]->schema->n_fields;
  g_autoptr (GArray) need = g_array_copy (required);
  g_autoptr (GArray) keep = NULL;
  gboolean rownum = FALSE;
  guint *map, *inner;
  PlanNode *input, *result;

  for (guint i = 0; i < required->len; i++)
    rownum = rownum || (r->rownum && g_array_index (required, guint, i) == n_in);
  g_array_append_vals (need, r->partition, r->n_partition);
  g_array_append_vals (need, r->order.keys, r->order.n_keys);
  keep = sorted_unique (need, n_in);
  input = opt__prune_to (node->inputs[0], keep);
  inner = g_new (guint, n_in + 1);
  for (guint i = 0; i <= n_in; i++)
    inner[i] = G_MAXUINT;
  for (guint j = 0; j < keep->len; j++)
    inner[g_array_index (keep, guint, j)] = j;
  if (!rownum && r->limit < 0)
    {
      /* Every row, unnumbered: the RANK does nothing any more. */
      map = g_new (guint, n_in + 2);
      memcpy (map, inner, (n_in + 1) * sizeof (guint));
      g_free (inner);
      *out_map = map;
      return input;
    }
  result = opt__node_with_inputs (node, &input);
  for (guint k = 0; k < r->n_partition; k++)
    result->u.rank.partition[k] = inner[r->partition[k]];
  for (guint k = 0; k < r->order.n_keys; k++)
    result->u.rank.order.keys[k] = inner[r->order.keys[k]];
  result->u.rank.rownum = rownum;
  g_clear_pointer (&result->schema, plan_schema_unref);
  result->schema = plan_rank_schema (input->schema, &result->u.rank);
  map = g_new (guint, n_in + (r->rownum ? 1 : 0) + 1);
  memcpy (map, inner, n_in * sizeof (guint));
  if (r->rownum)
    map[n_in] = rownum ? keep->len : G_MAXUINT;
  g_free (inner);
  *out_map = map;
  return result;
}

/* ---- physical planning --------------------------------------------------------------------- */

PlanPhysNode *
opt__plan_union (PlanNode *node, PlanPhysNode **inputs, guint parallelism)
{
  PlanPhysNode *phys = plan_phys_node_new (PLAN_PHYS_UNION, plan_schema_ref (node->schema),
                                           node->span, parallelism);

  phys->est_rows = 0;
  for (guint k = 0; k < node->n_inputs; k++)
    {
      PlanPhysNode *in = inputs[k];
      PlanExchangeKind ex = in->parallelism == parallelism ? PLAN_EXCHANGE_FORWARD
                            : parallelism == 1 ? PLAN_EXCHANGE_GATHER : PLAN_EXCHANGE_REBALANCE;

      phys->updating = phys->updating || in->updating;
      phys->est_rows = phys->est_rows < 0 || in->est_rows < 0 ? -1
                       : phys->est_rows + in->est_rows;
      plan_phys_node_add_input (phys, in, ex, 0, NULL);
    }
  phys->chained = FALSE;
  return phys;
}

PlanPhysNode *
opt__plan_rank (PlanNode *node, PlanPhysNode *input, guint parallelism, gboolean streaming)
{
  const PlanRank *r = &node->u.rank;
  PlanPhysNode *phys = plan_phys_node_new (PLAN_PHYS_RANK, plan_schema_ref (node->schema),
                                           node->span, r->n_partition > 0 ? parallelism : 1);

  plan_rank_copy (&phys->u.rank, r);
  phys->updating = streaming && (input->updating || !r->first_row);
  phys->est_rows = input->est_rows;
  if (r->n_partition > 0 && (input->parallelism > 1 || phys->parallelism > 1))
    plan_phys_node_add_input (phys, input, PLAN_EXCHANGE_HASH, r->n_partition, r->partition);
  else
    {
      PlanExchangeKind ex = input->parallelism == phys->parallelism ? PLAN_EXCHANGE_FORWARD
                            : PLAN_EXCHANGE_GATHER;

      plan_phys_node_add_input (phys, input, ex, 0, NULL);
      phys->chained = ex == PLAN_EXCHANGE_FORWARD;
    }
  return phys;
}
