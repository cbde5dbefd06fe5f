/* rt-op-union.c: UNION ALL (DESIGN.md 4.5): the rows of every input, passed on unchanged
 * with their row kinds.
 *
 * The optimizer has already cast every input to the union's column types, so there is
 * nothing to convert: a batch from any input is handed on as it is (by reference, no
 * copy). The operator runs at the head of its own chain with one channel per input edge;
 * the task merges the inputs, takes the minimum of their watermarks and ends the operator
 * when every input has ended, so none of that needs code here. */
#include "rt-operator.h"

static RtResult
union_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  (void) input;
  return rt_op_emit (op, batch, error);
}

static const RtOperatorClass union_class = {
  .name = "Union",
  .instance_size = sizeof (RtOperator),
  .process = union_process,
  .stateless = TRUE,
};

RtOperator *
rt_op_union_new (const PlanPhysNode *node, GError **error)
{
  g_return_val_if_fail (node != NULL, NULL);
  if (node->kind != PLAN_PHYS_UNION || node->n_inputs == 0)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "internal error: a union operator "
                   "needs a UNION node with inputs");
      return NULL;
    }
  for (guint k = 0; k < node->n_inputs; k++)
    if (node->inputs[k].node->schema->n_fields != node->schema->n_fields)
      {
        g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "internal error: input %u of a "
                     "union has %u columns instead of %u", k,
                     node->inputs[k].node->schema->n_fields, node->schema->n_fields);
        return NULL;
      }
  return rt_operator_new (&union_class, node->id);
}
