/* rt-op-local-agg.c: the local phase of a two-phase aggregation in streaming mode
 * (optimizer/opt-two-phase.c). Each input batch is folded into one partial row per group
 * by a fresh batch-mode group aggregate (rt-op-aggregate.c, final rows at finish), whose
 * rows go out at once; the global aggregate after the hash exchange merges the partials
 * (COUNTs summed, SUM, MIN and MAX as themselves).
 *
 * Flushing after every batch is what makes it safe under checkpoints: the task sends a
 * checkpoint barrier downstream before it asks the operators of the chain for their
 * state, so rows an operator still held at a barrier could only go out after it, and a
 * job restored from that checkpoint would lose them. This operator holds nothing between
 * two calls of process, so it has no state to snapshot. The price is that only rows of
 * the same batch are combined ('execution.batch-size' rows, a mini-batch of one input
 * batch); the input must be insert-only, which the optimizer checks. */
#include "rt-operator.h"
#include "rt-types.h"

typedef struct {
  RtOperator base;
  PlanPhysNode *inner_node; /* owned: the same aggregate as a batch-mode AGGREGATE node */
} RtLocalAgg;

static RtResult
forward (void *data, RtBatch *batch, GError **error)
{
  return rt_op_emit (data, batch, error);
}

static RtResult
local_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtLocalAgg *l = (RtLocalAgg *) op;
  RtOperator *inner = rt_op_aggregate_new (l->inner_node, error);
  RtResult r = RT_OK;

  (void) input;
  if (inner == NULL)
    return RT_FAIL;
  inner->ctx = op->ctx;
  inner->sink_fn = forward;
  inner->sink_data = op;
  if (inner->klass->open != NULL && !inner->klass->open (inner, error))
    r = RT_FAIL;
  if (r != RT_FAIL)
    r = inner->klass->process (inner, batch, 0, error);
  if (r != RT_FAIL)
    r = inner->klass->finish (inner, error);
  rt_operator_free (inner);
  return r == RT_FAIL ? RT_FAIL : RT_OK;
}

static void
local_close (RtOperator *op)
{
  g_clear_pointer (&((RtLocalAgg *) op)->inner_node, plan_phys_node_unref);
}

static const RtOperatorClass local_agg_class = {
  .name = "local-aggregate",
  .instance_size = sizeof (RtLocalAgg),
  .process = local_process,
  .close = local_close,
  .stateless = TRUE, /* nothing is held between batches, so nothing at a barrier */
};

RtOperator *
rt_op_local_aggregate_new (const PlanPhysNode *node, GError **error)
{
  PlanPhysNode *inner;
  RtLocalAgg *l;

  g_return_val_if_fail (node != NULL, NULL);
  if (node->kind != PLAN_PHYS_LOCAL_AGGREGATE || node->n_inputs != 1
      || node->schema->n_fields != node->u.aggregate.n_keys + node->u.aggregate.n_aggs)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "local aggregate made from a "
                   "malformed %s node", plan_phys_kind_name (node->kind));
      return NULL;
    }
  inner = plan_phys_node_new (PLAN_PHYS_AGGREGATE, plan_schema_ref (node->schema), node->span,
                              1);
  inner->id = node->id;
  plan_aggregate_copy (&inner->u.aggregate, &node->u.aggregate);
  inner->updating = FALSE; /* final rows only, at finish */
  plan_phys_node_add_input (inner, plan_phys_node_ref (node->inputs[0].node),
                            PLAN_EXCHANGE_FORWARD, 0, NULL);
  l = (RtLocalAgg *) rt_operator_new (&local_agg_class, node->id);
  l->inner_node = inner;
  return &l->base;
}
