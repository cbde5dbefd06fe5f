/* opt-join.c: joins in the optimizer: filter pushdown through a JOIN, the verifier's check
 * of one, and the physical strategy.
 *
 * Pushdown: a WHERE conjunct that reads one side only goes below the join when that side
 * is preserved or the join is INNER (filtering the NULL-filled side of an outer join
 * before the join would turn dropped rows into NULL-filled ones, so there it stays
 * above). Over an INNER join, conjuncts reading both sides join the join's condition,
 * which turns `FROM a, b WHERE a.id = b.id` into an equi-join. A conjunct that can never
 * be TRUE on a NULL-filled row (b.x > 3 over a LEFT JOIN b) first turns the outer join into
 * an inner one (or a FULL join into a LEFT or RIGHT one), as Calcite and PostgreSQL do.
 *
 * Strategy. Streaming: the keyed changelog join, both sides HASH-partitioned on the keys
 * (one subtask when there are none). Batch: a hash join that builds the smaller side (by
 * estimated bytes) and probes with the other, either broadcasting the build side to every
 * subtask of the probe side or repartitioning both by the keys. The cost is the bytes
 * moved across subtasks: broadcast ships build * parallelism, repartition ships left +
 * right. Broadcast wins when it is cheaper or the build side is under
 * 'table.optimizer.join.broadcast-threshold' (Flink's setting and default), unless the
 * build side is preserved by an outer join (every subtask would emit its unmatched rows).
 * Spill I/O counts too (added by spill-aware broadcast): when a subtask's hash table
 * (opt__hash_table_bytes: the rows, their chain links and the slots) would not fit the
 * join's memory share, the hybrid hash join writes about 7/8 of its build and probe rows to
 * disk and reads them back, so that path costs 2 x 7/8 x (build + probe) per subtask more.
 * A broadcast build is the whole build side in every subtask, a repartitioned one a share:
 * a build side that fits memory only when repartitioned loses its broadcast (at 100M x 10M
 * rows on two subtasks with 1 GiB managed memory, broadcasting spilled 1 GB and took 28 s,
 * repartitioning spilled nothing and took 16.5 s). And the build itself (added by build
 * cost): every subtask hashes what it receives into its table, a broadcast the whole build
 * side in each of them, so that is build x parallelism bytes built against build bytes
 * repartitioned; a byte built counts as BUILD_WEIGHT bytes moved (a hash and a random
 * slot write and copy per row, against a sequential copy). Calibrated on 20M x 2M rows on
 * two subtasks, where broadcasting moves 61 MiB against 335 MiB and still took 3.27-3.29
 * s against 2.67-2.89 s repartitioned: moving the bytes is the cheap part.
 * Hints BROADCAST(t) and SHUFFLE_HASH(t) override the choice. The losing alternative and
 * its cost stay on the node for EXPLAIN. Without equi-keys a nested-loop join runs at
 * parallelism 1.
 *
 * Estimates are crude on purpose: rows times a per-type width when the row count is known
 * (datagen's number-of-rows, VALUES), else the size of a csv file; a filter halves. */
#include "optimizer/opt-private.h"
#include "optimizer/opt-stats-private.h" /* added by statistics */

#include <glib/gstdio.h>

#define THRESHOLD_KEY "table.optimizer.join.broadcast-threshold"
#define DEFAULT_THRESHOLD (10.0 * 1024 * 1024)
/* added by build cost: what building a hash table of a byte costs, in bytes moved */
#define BUILD_WEIGHT 16.0

/* ---- pushdown -------------------------------------------------------------------------- */

/* Where a WHERE conjunct over the join's output may go: 0 left input, 1 right input,
 * 2 into the join condition, 3 nowhere (stays above). */
static guint
destination (const PlanExpr *e, const PlanNode *join)
{
  g_autoptr (GArray) cols = g_array_new (FALSE, FALSE, sizeof (guint));
  guint n_left = join->inputs[0]->schema->n_fields;
  PlanJoinType type = join->u.join.type;
  gboolean l = FALSE, r = FALSE;

  if (!opt__expr_is_deterministic (e))
    return 3;
  plan_expr_collect_columns (e, cols);
  for (guint i = 0; i < cols->len; i++)
    {
      if (g_array_index (cols, guint, i) < n_left)
        l = TRUE;
      else
        r = TRUE;
    }
  if (l && !r && (type == PLAN_JOIN_INNER || type == PLAN_JOIN_LEFT))
    return 0;
  if (r && !l && (type == PLAN_JOIN_INNER || type == PLAN_JOIN_RIGHT))
    return 1;
  if (l && r && type == PLAN_JOIN_INNER)
    return 2;
  return 3;
}

/* Whether conjunct p is never TRUE when a column of side s (columns lo..hi-1) is NULL: a
 * comparison, LIKE, BETWEEN, IN or IS NOT NULL directly on such a column. */
static gboolean
rejects_nulls (const PlanExpr *p, guint lo, guint hi)
{
  guint n_direct;

  if (p->kind != PLAN_EXPR_CALL)
    return FALSE;
  PlanFunc f = p->u.call.func;
  if (f == PLAN_FUNC_EQ || f == PLAN_FUNC_NE || f == PLAN_FUNC_LT || f == PLAN_FUNC_LE
      || f == PLAN_FUNC_GT || f == PLAN_FUNC_GE || f == PLAN_FUNC_LIKE)
    n_direct = 2;
  else if (f == PLAN_FUNC_BETWEEN || f == PLAN_FUNC_IN || f == PLAN_FUNC_IS_NOT_NULL)
    n_direct = 1;
  else
    return FALSE;
  for (guint i = 0; i < MIN (n_direct, p->u.call.n_args); i++)
    {
      const PlanExpr *a = p->u.call.args[i];

      if (a->kind == PLAN_EXPR_COLUMN && a->u.column >= lo && a->u.column < hi)
        return TRUE;
    }
  return FALSE;
}

/* The join type once a WHERE that rejects NULL-filled rows is applied: a LEFT join whose
 * right columns must not be NULL is an INNER join, and so on (outer-join simplification). */
static PlanJoinType
simplified_type (GPtrArray *parts, const PlanNode *join)
{
  guint n_left = join->inputs[0]->schema->n_fields, n = join->schema->n_fields;
  gboolean no_null_left = FALSE, no_null_right = FALSE;
  PlanJoinType t = join->u.join.type;

  for (guint i = 0; i < parts->len; i++)
    {
      no_null_left |= rejects_nulls (parts->pdata[i], 0, n_left);
      no_null_right |= rejects_nulls (parts->pdata[i], n_left, n);
    }
  if (t == PLAN_JOIN_FULL && no_null_left)
    t = PLAN_JOIN_LEFT;
  else if (t == PLAN_JOIN_FULL && no_null_right)
    t = PLAN_JOIN_RIGHT;
  if ((t == PLAN_JOIN_LEFT && no_null_right) || (t == PLAN_JOIN_RIGHT && no_null_left))
    t = PLAN_JOIN_INNER;
  return t;
}

gboolean
opt__join_can_push (PlanExpr *cond, const PlanNode *join)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);

  opt__split_conjuncts (cond, parts);
  if (simplified_type (parts, join) != join->u.join.type)
    return TRUE;
  for (guint i = 0; i < parts->len; i++)
    if (destination (parts->pdata[i], join) != 3)
      return TRUE;
  return FALSE;
}

PlanNode *
opt__push_through_join (PlanSpan span, PlanExpr *cond, PlanNode *join)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  GPtrArray *dest[4];
  guint n_left = join->inputs[0]->schema->n_fields, n = join->schema->n_fields;
  g_autofree guint *map = g_new (guint, n + 1);
  PlanNode *inputs[2], *result;
  PlanExpr *stay, *into;
  PlanJoin *j;

  PlanJoinType type;

  if (!opt__join_can_push (cond, join))
    return opt__filter_new (span, cond, join);
  opt__split_conjuncts (cond, parts);
  plan_expr_unref (cond);
  if ((type = simplified_type (parts, join)) != join->u.join.type)
    {
      /* the schema stays as it was: its nullable columns are still correct, only wider */
      PlanNode *ins[2] = { plan_node_ref (join->inputs[0]), plan_node_ref (join->inputs[1]) };
      PlanNode *simpler = opt__node_with_inputs (join, ins);

      simpler->u.join.type = type;
      plan_node_unref (join);
      join = simpler;
    }
  for (guint d = 0; d < 4; d++)
    dest[d] = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_expr_unref);
  for (guint i = 0; i < n; i++)
    map[i] = i < n_left ? G_MAXUINT : i - n_left;
  for (guint i = 0; i < parts->len; i++)
    {
      PlanExpr *p = parts->pdata[i];
      guint d = destination (p, join);

      g_ptr_array_add (dest[d], d == 1 ? plan_expr_remap_columns (p, map) : plan_expr_ref (p));
      if (d == 2) /* added by OR derivation (opt-or-derive.c): implied side filters */
        opt__derive_or_filters (p, n_left, n, map, dest[0], dest[1]);
    }
  for (guint s = 0; s < 2; s++)
    {
      PlanExpr *c = opt__and_all (dest[s]);

      inputs[s] = plan_node_ref (join->inputs[s]);
      if (c != NULL)
        inputs[s] = opt__push_filter (span, c, inputs[s]);
    }
  result = opt__node_with_inputs (join, inputs);
  j = &result->u.join;
  if ((into = opt__and_all (dest[2])) != NULL)
    {
      plan_join_add_condition (j, into, n_left);
      plan_expr_unref (into);
    }
  stay = opt__and_all (dest[3]);
  for (guint d = 0; d < 4; d++)
    g_ptr_array_unref (dest[d]);
  plan_node_unref (join);
  return stay ? opt__filter_new (span, stay, result) : result;
}

/* ---- verifier ---------------------------------------------------------------------------- */

static gboolean
join_fail (GError **error, const PlanNode *node, const char *what)
{
  g_set_error (error, OPT_ERROR, OPT_ERROR_INTERNAL, "JOIN node at %u:%u %s", node->span.line,
               node->span.col, what);
  return FALSE;
}

gboolean
opt__verify_join (const PlanNode *node, GError **error)
{
  const PlanJoin *j = &node->u.join;
  const PlanSchema *l = node->inputs[0]->schema, *r = node->inputs[1]->schema;

  if (node->schema->n_fields != l->n_fields + r->n_fields)
    return join_fail (error, node, "does not have the columns of both inputs");
  for (guint k = 0; k < j->n_keys; k++)
    if (j->left_keys[k] >= l->n_fields || j->right_keys[k] >= r->n_fields
        || l->fields[j->left_keys[k]].type.kind != r->fields[j->right_keys[k]].type.kind)
      return join_fail (error, node, "has a key out of range or of two types");
  if (j->residual != NULL)
    {
      g_autoptr (GArray) cols = g_array_new (FALSE, FALSE, sizeof (guint));

      if (j->residual->type.kind != PLAN_TYPE_BOOLEAN)
        return join_fail (error, node, "has a residual condition that is not BOOLEAN");
      plan_expr_collect_columns (j->residual, cols);
      for (guint i = 0; i < cols->len; i++)
        if (g_array_index (cols, guint, i) >= node->schema->n_fields)
          return join_fail (error, node, "has a residual condition reading a missing column");
    }
  return TRUE;
}

/* ---- estimates --------------------------------------------------------------------------- */

static double
type_width (PlanTypeKind kind)
{
  switch (kind)
    {
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_BOOLEAN: return 1;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_DATE: return 4;
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DOUBLE:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL: return 8;
    case PLAN_TYPE_VARCHAR: return 16;
    default: return 8;
    }
}

static double
row_width (const PlanSchema *schema)
{
  double w = 0;

  for (guint i = 0; i < schema->n_fields; i++)
    w += type_width (schema->fields[i].type.kind);
  return MAX (w, 1);
}

/* A csv file's size scaled to the share of columns read; < 0 when not a readable file. */
static double
file_bytes (const PlanPhysNode *src)
{
  const PlanTable *t = src->u.source.table;
  const char *connector = plan_table_get_option (t, "connector");
  const char *path = plan_table_get_option (t, "path");
  GStatBuf st;

  if (connector == NULL || g_ascii_strcasecmp (connector, "filesystem") != 0 || path == NULL
      || g_stat (path, &st) != 0)
    return -1;
  return (double) st.st_size * src->u.source.n_columns / MAX (t->schema->n_fields, 1u);
}

double
opt__est_bytes (const PlanPhysNode *node)
{
  double below;

  if (node->est_rows >= 0)
    return node->est_rows * row_width (node->schema);
  if (node->kind == PLAN_PHYS_SOURCE)
    {
      below = file_bytes (node);
      return below >= 0 && node->u.source.filter != NULL ? below / 2 : below;
    }
  if (node->kind == PLAN_PHYS_CALC && node->n_inputs > 0)
    {
      below = opt__est_bytes (node->inputs[0].node);
      if (below < 0)
        return -1;
      below *= row_width (node->schema) / row_width (node->inputs[0].node->schema);
      return node->u.calc.filter != NULL ? below / 2 : below;
    }
  return -1;
}

/* ---- strategy ---------------------------------------------------------------------------- */

static char *
format_bytes (double bytes)
{
  if (bytes < 0)
    return g_strdup ("unknown");
  return g_format_size_full ((guint64) bytes, G_FORMAT_SIZE_IEC_UNITS);
}

/* The side of a broadcast must not be preserved: each subtask would emit its unmatched rows. */
static gboolean
may_broadcast (PlanJoinType type, guint side)
{
  return type == PLAN_JOIN_INNER || (type == PLAN_JOIN_LEFT && side == 1)
         || (type == PLAN_JOIN_RIGHT && side == 0);
}

typedef struct {
  double bytes[2];
  double threshold;
  guint parallelism;
  double rows[2];      /* added by spill-aware broadcast: < 0 unknown */
  double share;        /* the join's memory share, opt__join_share */
} JoinCosts;

/* The spill I/O, in bytes over all subtasks, of a hash join building side build split
 * into div parts (1: broadcast; the parallelism: repartitioned) and probing a 1 /
 * parallelism share of the other side; 0 when its table fits the share or the sizes are
 * unknown. */
static double
spill_bytes (const JoinCosts *c, guint build, double div)
{
  double b = c->bytes[build], pr = c->bytes[1 - build], p = MAX (c->parallelism, 1u);

  if (b < 0 || pr < 0 || c->rows[build] < 0
      || opt__hash_table_bytes (b / div, c->rows[build] / div) <= c->share)
    return 0;
  return 2 * 7.0 / 8 * (b / div + pr / p) * p;
}

/* Picks strategy and build side for a batch equi-join; fills j->alternative. */
static void
choose_batch (PlanJoin *j, const JoinCosts *c)
{
  double bl = c->bytes[0], br = c->bytes[1];
  gboolean known = bl >= 0 && br >= 0;
  guint build;
  double bcast, repart, bspill = 0, rspill = 0, bbuilt = 0, rbuilt = 0;
  g_autofree char *bc = NULL, *rc = NULL, *bs = NULL, *th = format_bytes (c->threshold);

  if (j->hint != PLAN_JOIN_HINT_NONE)
    build = j->hint_side;
  else if (bl >= 0 && (br < 0 || bl < br))
    build = 0;
  else
    build = 1;
  bcast = c->bytes[build] < 0 ? -1 : c->bytes[build] * c->parallelism;
  repart = known ? bl + br : -1;
  bc = format_bytes (bcast);
  rc = format_bytes (repart);
  bs = format_bytes (c->bytes[build]);
  j->build_side = build;
  if (j->hint == PLAN_JOIN_HINT_BROADCAST && may_broadcast (j->type, build))
    {
      j->strategy = PLAN_JOIN_STRATEGY_BROADCAST;
      j->alternative = g_strdup_printf ("repartition (est. %s moved) lost: BROADCAST hint", rc);
      return;
    }
  if (j->hint == PLAN_JOIN_HINT_SHUFFLE_HASH)
    {
      j->strategy = PLAN_JOIN_STRATEGY_REPARTITION;
      j->alternative = g_strdup_printf ("broadcast (est. %s moved) lost: SHUFFLE_HASH hint", bc);
      return;
    }
  if (!may_broadcast (j->type, build))
    {
      j->strategy = PLAN_JOIN_STRATEGY_REPARTITION;
      j->alternative = g_strdup_printf ("broadcast lost: the %s side is preserved by the %s "
                                        "join%s", build == 0 ? "left" : "right",
                                        plan_join_type_name (j->type),
                                        j->hint == PLAN_JOIN_HINT_BROADCAST
                                        ? " (BROADCAST hint ignored)" : "");
      return;
    }
  if (bcast >= 0 && repart >= 0) /* added by spill-aware broadcast and build cost */
    {
      bspill = spill_bytes (c, build, 1);
      rspill = spill_bytes (c, build, MAX (c->parallelism, 1u));
      bbuilt = c->bytes[build] * MAX (c->parallelism, 1u) * BUILD_WEIGHT;
      rbuilt = c->bytes[build] * BUILD_WEIGHT;
    }
  if (bcast >= 0 && c->bytes[build] > c->threshold && bcast < repart && bspill > rspill
      && bcast + bspill + bbuilt >= repart + rspill + rbuilt) /* broadcast spills more */
    {
      g_autofree char *bsp = format_bytes (bspill), *rsp = format_bytes (rspill);
      g_autofree char *table = format_bytes (opt__hash_table_bytes (c->bytes[build],
                                                                    c->rows[build]));
      g_autofree char *sh = format_bytes (c->share);

      j->strategy = PLAN_JOIN_STRATEGY_REPARTITION;
      j->alternative = g_strdup_printf ("broadcast (est. %s moved + %s spilled) lost to "
                                        "repartition (est. %s moved + %s spilled): a subtask's "
                                        "table of the whole build side (est. %s) does not fit "
                                        "the join's memory share %s", bc, bsp, rc, rsp, table,
                                        sh);
      return;
    }
  if (bcast >= 0 && c->bytes[build] > c->threshold && bcast < repart
      && bcast + bspill + bbuilt >= repart + rspill + rbuilt) /* added by build cost */
    {
      g_autofree char *bb = format_bytes (bbuilt), *rb = format_bytes (rbuilt);

      j->strategy = PLAN_JOIN_STRATEGY_REPARTITION;
      j->alternative = g_strdup_printf ("broadcast (est. %s moved, %s built: the whole build "
                                        "side in each of %u subtasks) lost to repartition "
                                        "(est. %s moved, %s built); a byte built costs %.0f "
                                        "moved", bc, bb, c->parallelism, rc, rb, BUILD_WEIGHT);
      return;
    }
  if (bcast >= 0 && (c->bytes[build] <= c->threshold || (repart >= 0 && bcast < repart)))
    {
      j->strategy = PLAN_JOIN_STRATEGY_BROADCAST;
      if (repart >= 0 && bcast < repart)
        j->alternative = g_strdup_printf ("repartition (est. %s moved) lost to broadcast "
                                          "(est. %s moved)", rc, bc);
      else
        j->alternative = g_strdup_printf ("repartition (est. %s moved) lost: the build side "
                                          "(est. %s) is under the broadcast threshold %s", rc,
                                          bs, th);
      return;
    }
  j->strategy = PLAN_JOIN_STRATEGY_REPARTITION;
  if (bcast < 0)
    j->alternative = g_strdup ("broadcast lost: the build side's size is unknown");
  else
    j->alternative = g_strdup_printf ("broadcast (est. %s moved = %s x %u subtasks) lost to "
                                      "repartition (est. %s moved); build side over the "
                                      "threshold %s", bc, bs, c->parallelism, rc, th);
}

static double
join_rows (const PlanPhysNode *l, const PlanPhysNode *r)
{
  if (l->est_rows < 0 || r->est_rows < 0)
    return -1;
  return MAX (l->est_rows, r->est_rows);
}

/* Both sides by key (HASH), or FORWARD when nothing needs to move. */
static void
add_keyed (PlanPhysNode *join, PlanPhysNode *in, guint n_keys, const guint *keys)
{
  if (join->parallelism == 1 && in->parallelism == 1)
    plan_phys_node_add_input (join, in, PLAN_EXCHANGE_FORWARD, 0, NULL);
  else if (n_keys == 0)
    plan_phys_node_add_input (join, in, PLAN_EXCHANGE_GATHER, 0, NULL);
  else
    plan_phys_node_add_input (join, in, PLAN_EXCHANGE_HASH, n_keys, keys);
}

PlanPhysNode *
opt__plan_join (PlanNode *node, PlanPhysNode *left, PlanPhysNode *right, guint parallelism,
                gboolean streaming, PlanSettings *settings, GError **error)
{
  const PlanJoin *lj = &node->u.join;
  PlanPhysKind kind;
  PlanPhysNode *join;
  PlanJoin j;
  JoinCosts costs = { { opt__est_bytes (left), opt__est_bytes (right) }, DEFAULT_THRESHOLD,
                      parallelism, { left->est_rows, right->est_rows },
                      opt__join_share (settings, parallelism) };

  if (settings != NULL && plan_settings_get (settings, THRESHOLD_KEY) != NULL)
    costs.threshold = (double) plan_settings_get_bytes (settings, THRESHOLD_KEY);
  plan_join_copy (&j, lj);
  g_clear_pointer (&j.alternative, g_free);
  if (lj->hint == PLAN_JOIN_HINT_LOOKUP) /* added by lookup joins */
    {
      plan_join_clear (&j);
      return opt__plan_lookup_join (node, left, right, error);
    }
  if (streaming)
    {
      kind = opt__interval_join_kind (node, left, right); /* added by interval joins */
      if (kind == PLAN_PHYS_JOIN) /* added by window joins */
        kind = opt__window_join_kind (node, left, right, &j);
      j.strategy = lj->n_keys > 0 ? PLAN_JOIN_STRATEGY_STREAMING : PLAN_JOIN_STRATEGY_SINGLE;
      if (lj->hint != PLAN_JOIN_HINT_NONE)
        j.alternative = g_strdup ("hints apply in batch mode only: a streaming join keeps "
                                  "both sides as keyed state");
    }
  else if (lj->n_keys == 0)
    {
      kind = PLAN_PHYS_NESTED_LOOP_JOIN;
      j.strategy = PLAN_JOIN_STRATEGY_SINGLE;
      j.build_side = costs.bytes[0] >= 0 && (costs.bytes[1] < 0 || costs.bytes[0] < costs.bytes[1])
                     ? 0 : 1;
      j.alternative = g_strdup ("hash join lost: the condition has no equality between the "
                                "two sides");
    }
  else
    {
      kind = PLAN_PHYS_HASH_JOIN;
      choose_batch (&j, &costs);
      /* added by join strategy: hash, sort-merge or nested loop (opt-join-strategy.c) */
      kind = opt__choose_join_algorithm (&j, left, right, parallelism, settings);
    }
  join = plan_phys_node_new (kind, plan_schema_ref (node->schema), node->span,
                             j.strategy == PLAN_JOIN_STRATEGY_SINGLE ? 1 : parallelism);
  join->u.join = j;
  join->est_rows = join_rows (left, right);
  join->est_rows = opt__join_est_rows (&j, left, right); /* added by statistics */
  join->updating = streaming && (left->updating || right->updating || lj->type != PLAN_JOIN_INNER);
  if (kind == PLAN_PHYS_INTERVAL_JOIN) /* added by interval joins: insert-only output */
    join->updating = FALSE;
  if (kind == PLAN_PHYS_WINDOW_JOIN) /* added by window joins: insert-only output */
    join->updating = FALSE;
  if (j.strategy == PLAN_JOIN_STRATEGY_BROADCAST)
    {
      PlanPhysNode *probe = j.build_side == 0 ? right : left;

      join->parallelism = probe->parallelism;
      for (guint s = 0; s < 2; s++)
        {
          PlanPhysNode *in = s == 0 ? left : right;

          if (s == j.build_side)
            plan_phys_node_add_input (join, in, in->parallelism == 1 && join->parallelism == 1
                                      ? PLAN_EXCHANGE_FORWARD : PLAN_EXCHANGE_BROADCAST, 0, NULL);
          else
            plan_phys_node_add_input (join, in, PLAN_EXCHANGE_FORWARD, 0, NULL);
        }
      return join;
    }
  add_keyed (join, left, j.n_keys, j.left_keys);
  add_keyed (join, right, j.n_keys, j.right_keys);
  (void) error;
  return join;
}
