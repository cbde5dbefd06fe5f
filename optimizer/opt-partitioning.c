/* opt-partitioning.c: the hash partitioning a physical node's output already has, one of
 * the "interesting properties" of Graefe's and Flink's optimizers. A HASH exchange routes
 * each row by the values of some columns; the node that receives it, and the nodes
 * chained after it at the same parallelism, keep every row in the subtask those values
 * chose as long as the columns survive. A consumer that needs rows grouped by a superset
 * of those columns then needs no exchange of its own: the batch aggregate over the output
 * of a join on k, grouped by k, runs in the join's tasks (opt-physical.c).
 *
 * Only what is certain is reported: an aggregate's and a keyed join's HASH inputs, through
 * CALCs whose projections pass the columns on unchanged. A LEFT join keeps its left keys
 * (NULL-padded rows have real left keys), a RIGHT join its right keys, a FULL join
 * neither. Anything else reports no partitioning. */
#include "opt-private.h"

/* out[i] = the output column of calc that is input column cols[i]; FALSE when one is not
 * passed on as is. */
static gboolean
through_calc (const PlanPhysNode *calc, guint *cols, guint n)
{
  if (calc->u.calc.n_exprs == 0)
    return TRUE; /* a filter only: the same columns */
  for (guint i = 0; i < n; i++)
    {
      gboolean found = FALSE;

      for (guint e = 0; e < calc->u.calc.n_exprs && !found; e++)
        {
          const PlanExpr *x = calc->u.calc.exprs[e];

          if (x->kind == PLAN_EXPR_COLUMN && x->u.column == cols[i])
            {
              cols[i] = e;
              found = TRUE;
            }
        }
      if (!found)
        return FALSE;
    }
  return TRUE;
}

static guint
join_partitioning (const PlanPhysNode *n, guint *cols, guint max)
{
  const PlanJoin *j = &n->u.join;
  gboolean left = j->type == PLAN_JOIN_INNER || j->type == PLAN_JOIN_LEFT;
  guint n_left = n->inputs[0].node->schema->n_fields;

  if (n->n_inputs != 2 || n->inputs[0].exchange != PLAN_EXCHANGE_HASH
      || n->inputs[1].exchange != PLAN_EXCHANGE_HASH || j->n_keys == 0 || j->n_keys > max
      || (!left && j->type != PLAN_JOIN_RIGHT))
    return 0;
  for (guint k = 0; k < j->n_keys; k++)
    cols[k] = left ? j->left_keys[k] : n_left + j->right_keys[k];
  return j->n_keys;
}

guint
opt__hash_partitioning (const PlanPhysNode *n, guint *cols, guint max)
{
  guint count;

  switch (n->kind)
    {
    case PLAN_PHYS_AGGREGATE:
      {
        const PlanAggregate *a = &n->u.aggregate;
        const PlanPhysInput *in = &n->inputs[0];

        if (n->n_inputs != 1 || in->exchange != PLAN_EXCHANGE_HASH || in->n_keys > max)
          return 0;
        /* output column i is group key i, input column a->keys[i] */
        for (guint e = 0; e < in->n_keys; e++)
          {
            guint i = 0;

            while (i < a->n_keys && a->keys[i] != in->keys[e])
              i++;
            if (i == a->n_keys)
              return 0;
            cols[e] = i;
          }
        return in->n_keys;
      }
    case PLAN_PHYS_HASH_JOIN:
    case PLAN_PHYS_SORT_MERGE_JOIN:
    case PLAN_PHYS_JOIN:
      return join_partitioning (n, cols, max);
    case PLAN_PHYS_CALC:
      if (n->n_inputs != 1 || !n->chained)
        return 0;
      count = opt__hash_partitioning (n->inputs[0].node, cols, max);
      return count > 0 && through_calc (n, cols, count) ? count : 0;
    case PLAN_PHYS_SOURCE:
    case PLAN_PHYS_VALUES:
    case PLAN_PHYS_LIMIT:
    case PLAN_PHYS_SINK:
    case PLAN_PHYS_NESTED_LOOP_JOIN:
    case PLAN_PHYS_SORT:
    case PLAN_PHYS_WINDOW:
    case PLAN_PHYS_WINDOW_AGGREGATE:
    case PLAN_PHYS_UNION:
    case PLAN_PHYS_RANK:
    case PLAN_PHYS_INTERVAL_JOIN:
    case PLAN_PHYS_WINDOW_JOIN:
    case PLAN_PHYS_LOOKUP_JOIN:
    case PLAN_PHYS_LOCAL_AGGREGATE:
    default:
      return 0;
    }
}

gboolean
opt__partitioned_within (const PlanPhysNode *input, const guint *keys, guint n_keys)
{
  guint cols[16];
  guint count = opt__hash_partitioning (input, cols, G_N_ELEMENTS (cols));

  if (count == 0)
    return FALSE;
  for (guint i = 0; i < count; i++)
    {
      gboolean found = FALSE;

      for (guint k = 0; k < n_keys && !found; k++)
        found = keys[k] == cols[i];
      if (!found)
        return FALSE;
    }
  return TRUE;
}
