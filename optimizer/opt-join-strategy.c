/* opt-join-strategy.c: the join algorithm of a batch equi-join: hash, sort-merge or (by
 * hint) nested loop, after opt-join.c has chosen how rows move (broadcast or repartition)
 * and the build side.
 *
 * Cost model. The unit is bytes processed in one subtask, from the same size estimates as
 * the exchange choice (opt__est_bytes). A broadcast join sees the whole build side in every
 * subtask; a repartitioned one a 1/parallelism share of each input. The memory share M is
 * what the engine gives one join operator: half of 'taskmanager.memory.managed.size' over
 * the parallelism.
 *   hash       = build + probe, when the build side fits M. When it does not, the hash join
 *                could not run (it does not spill): infinite.
 *   sort-merge = left + right + sort (left) + sort (right), both inputs repartitioned;
 *                sort (x) = 0 when the input already arrives sorted on the join keys (a
 *                SORT below, through column-only projections and filters), x when it is
 *                sorted in memory (x fits M / 2, each side's half of the share), 3x when
 *                its runs spill (written once and read back once more).
 * The cheaper one wins, ties going to sort-merge (it needs no hash table). So sort-merge
 * is chosen exactly when the build side does not fit the share, or both inputs are
 * already sorted (then the merge reads each row once, never more than the hash join).
 * The hash join can spill (rt-hash-join-spill.c), but the planner does not plan on it:
 * that is the safety net for estimates that were wrong, and a sort-merge join degrades
 * more gently than a hash join re-partitioning its way through skewed keys. A broadcast
 * join stays a hash join: opt-join.c broadcast the build side because it is small (under
 * the threshold, or cheaper to copy than to repartition the other side) or by hint, and a
 * merge needs both sides partitioned alike. Unknown sizes keep the hash join. Hints:
 * SHUFFLE_MERGE(t) is a repartitioned sort-merge join, NEST_LOOP(t) a nested-loop join
 * building t (the runtime still buckets the build rows by key, so a probe row is only
 * compared with the build rows of its own key, and the equality keys still partition). The
 * rejected algorithms and their costs are appended to the node's alternative text after
 * " | ", which EXPLAIN prints; EXPLAIN JSON lists them under "algorithm_alternatives". */
#include "optimizer/opt-private.h"

#include <math.h>

#define MANAGED_KEY "taskmanager.memory.managed.size"
#define DEFAULT_MANAGED (128.0 * 1024 * 1024)

/* The bytes of a node's output, looking through a SORT or LIMIT whose estimate the byte
 * estimator does not know. */
static double
est_bytes (const PlanPhysNode *n)
{
  double b = opt__est_bytes (n);

  while (b < 0 && (n->kind == PLAN_PHYS_SORT || n->kind == PLAN_PHYS_LIMIT)
         && n->n_inputs == 1)
    {
      n = n->inputs[0].node;
      b = opt__est_bytes (n);
    }
  return b;
}

/* Whether in delivers its rows ascending on keys[0 .. n) (its own columns): a batch SORT
 * whose first n keys are those columns ascending, seen through CALCs that pass the key
 * columns on as bare columns. Order survives the exchange when one subtask produces it. */
static gboolean
sorted_on (const PlanPhysNode *in, guint n, const guint *keys)
{
  g_autofree guint *cols = g_memdup2 (keys, n * sizeof *keys);

  while (in->kind == PLAN_PHYS_CALC && in->n_inputs == 1)
    {
      for (guint k = 0; k < n; k++)
        {
          const PlanExpr *e;

          if (in->u.calc.n_exprs == 0)
            continue; /* identity projection */
          if (cols[k] >= in->u.calc.n_exprs)
            return FALSE;
          e = in->u.calc.exprs[cols[k]];
          if (e->kind != PLAN_EXPR_COLUMN)
            return FALSE;
          cols[k] = e->u.column;
        }
      if (in->inputs[0].exchange != PLAN_EXCHANGE_FORWARD)
        return FALSE;
      in = in->inputs[0].node;
    }
  if (in->kind != PLAN_PHYS_SORT || in->updating || in->parallelism != 1
      || in->u.sort.n_keys < n)
    return FALSE;
  for (guint k = 0; k < n; k++)
    if (in->u.sort.keys[k] != cols[k] || in->u.sort.descending[k])
      return FALSE;
  return TRUE;
}

static double
sort_cost (double x, gboolean sorted, double half_share)
{
  if (sorted)
    return 0;
  return x <= half_share ? x : 3 * x;
}

double
opt__join_share (PlanSettings *settings, guint parallelism)
{
  double managed = DEFAULT_MANAGED;

  if (settings != NULL && plan_settings_get (settings, MANAGED_KEY) != NULL)
    managed = (double) plan_settings_get_bytes (settings, MANAGED_KEY);
  return managed / 2 / MAX (parallelism, 1u);
}

/* The rows as stored (bytes, and a 4-byte chain link each) and the index: 16-byte slots,
 * at least 1024, doubled until the keys fill at most 3/4 of them (every row taken for a
 * key of its own, the worst case). */
double
opt__hash_table_bytes (double bytes, double rows)
{
  double slots = 1024;

  while (slots * 3 < rows * 4)
    slots *= 2;
  return bytes + rows * 4 + slots * 16;
}

void
opt__join_algorithm_costs (const PlanJoin *j, const PlanPhysNode *left,
                           const PlanPhysNode *right, guint parallelism, PlanSettings *settings,
                           OptJoinAlgoCosts *out)
{
  double p = MAX (parallelism, 1u);
  double l = est_bytes (left), r = est_bytes (right);

  *out = (OptJoinAlgoCosts) { 0 };
  out->share = opt__join_share (settings, parallelism);
  out->sorted[0] = sorted_on (left, j->n_keys, j->left_keys);
  out->sorted[1] = sorted_on (right, j->n_keys, j->right_keys);
  out->build = out->hash = out->merge = -1;
  if (l >= 0 && r >= 0)
    {
      gboolean bcast = j->strategy == PLAN_JOIN_STRATEGY_BROADCAST;
      double b = j->build_side == 0 ? l : r, pr = j->build_side == 0 ? r : l;

      out->build = bcast ? b : b / p;
      out->hash = out->build <= out->share ? out->build + pr / p : INFINITY;
      out->merge = (l + r) / p + sort_cost (l / p, out->sorted[0], out->share / 2)
                   + sort_cost (r / p, out->sorted[1], out->share / 2);
    }
  else if (out->sorted[0] && out->sorted[1])
    out->merge = 0; /* unknown sizes, but reading each row once is never beaten */
}

static char *
size_text (double bytes)
{
  if (bytes < 0)
    return g_strdup ("unknown");
  if (isinf (bytes))
    return g_strdup ("infinite");
  return g_format_size_full ((guint64) bytes, G_FORMAT_SIZE_IEC_UNITS);
}

/* Appends " | text" (or text) to the alternative; takes text. */
static void
add_alternative (PlanJoin *j, char *text)
{
  char *joined = j->alternative != NULL ? g_strdup_printf ("%s | %s", j->alternative, text)
                                        : g_strdup (text);

  g_free (j->alternative);
  g_free (text);
  j->alternative = joined;
}

/* Why the winner won, for the text. */
static char *
reason (const OptJoinAlgoCosts *c, gboolean merge_won)
{
  g_autofree char *b = size_text (c->build), *s = size_text (c->share);

  if (merge_won && isinf (c->hash))
    return g_strdup_printf ("the build side (est. %s per subtask) does not fit the memory "
                            "share %s, and the hash join cannot spill", b, s);
  if (merge_won)
    return g_strdup ("both inputs already arrive sorted on the join keys");
  return g_strdup_printf ("the build side (est. %s per subtask) fits the memory share %s", b,
                          s);
}

PlanPhysKind
opt__choose_join_algorithm (PlanJoin *j, const PlanPhysNode *left, const PlanPhysNode *right,
                            guint parallelism, PlanSettings *settings)
{
  OptJoinAlgoCosts c;
  g_autofree char *hc = NULL, *mc = NULL, *why = NULL;

  opt__join_algorithm_costs (j, left, right, parallelism, settings, &c);
  hc = size_text (c.hash);
  mc = size_text (c.merge);
  if (j->hint == PLAN_JOIN_HINT_SHUFFLE_MERGE)
    {
      j->strategy = PLAN_JOIN_STRATEGY_REPARTITION;
      g_clear_pointer (&j->alternative, g_free);
      add_alternative (j, g_strdup_printf ("hash join (est. cost %s) lost to sort-merge "
                                           "(est. cost %s): SHUFFLE_MERGE hint", hc, mc));
      return PLAN_PHYS_SORT_MERGE_JOIN;
    }
  if (j->hint == PLAN_JOIN_HINT_NEST_LOOP)
    {
      add_alternative (j, g_strdup_printf ("hash join (est. cost %s) and sort-merge (est. cost "
                                           "%s) lost to nested loop: NEST_LOOP hint", hc, mc));
      return PLAN_PHYS_NESTED_LOOP_JOIN;
    }
  if (j->strategy == PLAN_JOIN_STRATEGY_BROADCAST)
    {
      add_alternative (j, g_strdup_printf ("sort-merge (est. cost %s) lost: the build side is "
                                           "broadcast (by %s), which a sort-merge join cannot "
                                           "use", mc, j->hint == PLAN_JOIN_HINT_BROADCAST
                                           ? "the BROADCAST hint" : "size"));
      return PLAN_PHYS_HASH_JOIN;
    }
  if (c.merge < 0 || (c.hash >= 0 && c.hash < c.merge) || j->hint == PLAN_JOIN_HINT_SHUFFLE_HASH)
    {
      why = j->hint != PLAN_JOIN_HINT_NONE
            ? g_strdup_printf ("%s hint", plan_join_hint_name (j->hint)) : reason (&c, FALSE);
      add_alternative (j, g_strdup_printf ("sort-merge (est. cost %s) lost to hash join (est. "
                                           "cost %s): %s", mc, hc, why));
      return PLAN_PHYS_HASH_JOIN;
    }
  why = reason (&c, TRUE);
  add_alternative (j, g_strdup_printf ("hash join (est. cost %s) lost to sort-merge (est. "
                                       "cost %s): %s", hc, mc, why));
  return PLAN_PHYS_SORT_MERGE_JOIN;
}
