/* rt-operator.c: operator allocation and the chain hand-off (rt_op_emit).
 *
 * Chained operators call each other directly: emitting is a function call into the next
 * operator's process(), or into the task's output writer for the last one. That keeps
 * pipelining tuple-at-a-time in effect (a batch flows through the whole chain before the
 * next is produced) while the per-row cost stays in vectorised loops. */
#include "rt-operator.h"

RtOperator *
rt_operator_new (const RtOperatorClass *klass, guint node_id)
{
  RtOperator *op;

  g_return_val_if_fail (klass->instance_size >= sizeof (RtOperator), NULL);
  op = g_malloc0 (klass->instance_size);
  op->klass = klass;
  op->node_id = node_id;
  return op;
}

void
rt_operator_free (RtOperator *op)
{
  if (op == NULL)
    return;
  if (op->klass->close != NULL)
    op->klass->close (op);
  g_free (op);
}

RtResult
rt_op_emit (RtOperator *op, RtBatch *batch, GError **error)
{
  if (batch->n_rows == 0)
    return RT_OK;
  op->rows_out += batch->n_rows;
  if (op->next != NULL)
    {
      op->next->rows_in += batch->n_rows;
      return op->next->klass->process (op->next, batch, 0, error);
    }
  if (op->sink_fn != NULL)
    return op->sink_fn (op->sink_data, batch, error);
  return RT_OK;
}
