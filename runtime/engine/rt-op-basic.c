/* rt-op-basic.c: the small operators: LIMIT/OFFSET and VALUES.
 *
 * LIMIT returns RT_DONE once it has passed its rows, which makes the task finish its
 * chain and close its input channels: upstream writers then see nobody listening and
 * their sources stop, so `SELECT * FROM unbounded LIMIT 10` ends. */
#include "rt-operator.h"
#include "rt-checkpoint.h"

typedef struct {
  RtOperator base;
  PlanSchema *schema; /* owned ref */
  gint64 skip;        /* offset rows still to skip */
  gint64 left;        /* rows still to pass; < 0 unlimited */
  gint64 offset, limit; /* added by checkpoints: the node's (limit < 0: none) */
} RtLimit;

static RtResult
limit_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtLimit *l = (RtLimit *) op;
  guint from = 0, to = batch->n_rows;
  RtResult r;

  if (l->left == 0)
    return RT_DONE;
  if (l->skip > 0)
    {
      from = (guint) MIN ((gint64) to, l->skip);
      l->skip -= from;
    }
  if (l->left > 0 && (gint64) (to - from) > l->left)
    to = from + (guint) l->left;
  if (from == 0 && to == batch->n_rows)
    r = rt_op_emit (op, batch, error);
  else if (to > from)
    {
      g_autoptr (RtBatch) out = rt_batch_new (op->ctx->pool, l->schema, to - from, error);

      if (out == NULL)
        return RT_FAIL;
      for (guint i = from; i < to; i++)
        if (!rt_batch_append_row (out, batch, i, error))
          return RT_FAIL;
      r = rt_op_emit (op, out, error);
    }
  else
    r = RT_OK;
  if (l->left > 0)
    l->left -= to - from;
  if (r == RT_OK && l->left == 0)
    return RT_DONE;
  return r;
}

static void
limit_close (RtOperator *op)
{
  g_clear_pointer (&((RtLimit *) op)->schema, plan_schema_unref);
}

/* Checkpoints: operator state, one list entry per subtask with the rows it skipped and
 * passed so far. Restore adds up the entries it is dealt (a LIMIT normally runs as one
 * subtask, so that is the one entry) and computes what is still to skip and pass. */
static gboolean
limit_snapshot (RtOperator *op, gint64 id, RtStateOut *out, GError **error)
{
  RtLimit *l = (RtLimit *) op;

  rt_state_begin (out, RT_STATE_LIST);
  rt_state_put_i64 (out, MAX (l->offset, 0) - l->skip);
  rt_state_put_i64 (out, l->limit < 0 ? 0 : l->limit - l->left);
  rt_state_end (out);
  return TRUE;
}

static gboolean
limit_restore (RtOperator *op, RtStateIn *in, GError **error)
{
  RtLimit *l = (RtLimit *) op;
  gint64 skipped = 0, passed = 0;

  while (rt_state_next (in, NULL))
    {
      gint64 s, p;

      if (!rt_state_get_i64 (in, &s) || !rt_state_get_i64 (in, &p) || s < 0 || p < 0)
        return rt_state_malformed (in, op, error);
      skipped += s;
      passed += p;
    }
  l->skip = MAX (MAX (l->offset, 0) - skipped, 0);
  if (l->limit >= 0)
    l->left = MAX (l->limit - passed, 0);
  return TRUE;
}

static const RtOperatorClass limit_class = {
  .name = "Limit",
  .instance_size = sizeof (RtLimit),
  .process = limit_process,
  .close = limit_close,
  .snapshot = limit_snapshot, /* added by checkpoints */
  .restore = limit_restore,
};

RtOperator *
rt_op_limit_new (const PlanPhysNode *node, GError **error)
{
  RtLimit *l = (RtLimit *) rt_operator_new (&limit_class, node->id);

  l->schema = plan_schema_ref (node->schema);
  l->skip = MAX (node->u.limit.offset, 0);
  l->left = node->u.limit.limit;
  l->offset = node->u.limit.offset;
  l->limit = node->u.limit.limit;
  return &l->base;
}

typedef struct {
  RtOperator base;
  const PlanPhysNode *node; /* borrowed: the plan outlives the job */
  gboolean done;
} RtValues;

static RtResult
values_produce (RtOperator *op, GError **error)
{
  RtValues *v = (RtValues *) op;
  const PlanPhysNode *n = v->node;
  guint ncols = n->schema->n_fields;

  if (v->done || op->ctx->subtask != 0 || n->u.values.n_rows == 0)
    return RT_DONE;
  v->done = TRUE;
  for (guint start = 0; start < n->u.values.n_rows; start += op->ctx->batch_size)
    {
      guint cnt = MIN (op->ctx->batch_size, n->u.values.n_rows - start);
      g_autoptr (RtBatch) b = rt_batch_new (op->ctx->pool, n->schema, cnt, error);

      if (b == NULL)
        return RT_FAIL;
      for (guint r = 0; r < cnt; r++)
        if (!rt_batch_append_values (b, &n->u.values.values[(start + r) * ncols], error))
          return RT_FAIL;
      if (ncols == 0)
        b->n_rows = cnt;
      switch (rt_op_emit (op, b, error))
        {
        case RT_OK:
        case RT_WAIT:
          break;
        case RT_DONE:
          return RT_DONE;
        case RT_FAIL:
          return RT_FAIL;
        }
    }
  return RT_DONE;
}

/* Checkpoints: VALUES is stateless in effect. It emits every row in its first produce
 * call and then ends, and barriers are injected only between produce calls; once a task
 * has ended no checkpoint completes any more, so every completed checkpoint saw VALUES
 * before it emitted anything, and a restored VALUES must emit everything again. */
static const RtOperatorClass values_class = {
  .name = "Values",
  .instance_size = sizeof (RtValues),
  .produce = values_produce,
  .stateless = TRUE, /* added by checkpoints */
};

RtOperator *
rt_op_values_new (const PlanPhysNode *node, GError **error)
{
  RtValues *v = (RtValues *) rt_operator_new (&values_class, node->id);

  v->node = node;
  return &v->base;
}
