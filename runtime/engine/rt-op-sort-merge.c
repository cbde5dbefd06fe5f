/* rt-op-sort-merge.c: the last step of a parallel ORDER BY in batch mode: one subtask merges
 * the sorted streams of the p local sorts before it (DESIGN.md 4.5).
 *
 * The optimizer splits a full sort over a wide input into a SORT in each input subtask
 * (rt-op-sort.c, spilling under its share) and this single merge, connected by a MERGE
 * exchange: a GATHER whose channels stay apart, each producer subtask arriving as an input
 * of its own (input index = producer subtask, rt-job.c). So the merge knows which stream
 * a batch belongs to, and it needs no sort of its own: a row can go out as soon as every
 * stream that has not ended has shown its next row, since each stream only rises from
 * there.
 *
 * Memory stays at about one batch per input: an input that has a batch waiting is paused
 * (RtOperator.paused_inputs), so the task leaves its channel alone and the producer waits
 * for credit, which is the ordinary backpressure; it is resumed once its batch is used up.
 * Only the first 31 inputs can be paused one by one (bit 31 stands for all later inputs),
 * so inputs from 31 on are never paused; their batches queue here instead, which is still
 * correct, only not bounded by one batch.
 *
 * The order is the sort's own (rt__sort_compare_rows in rt-extsort.h: every key ascending
 * or descending, NULLs first or last), and rows that tie go in input order: lower producer
 * subtask first, and within one stream the order the local sort gave, so the result is
 * deterministic and stable with respect to the local sorts. An input that sends nothing
 * simply ends. Batch jobs take no checkpoints, so the merge has no snapshot hooks (a
 * checkpointed job refuses it). */
#include "rt-operator.h"
#include "rt-extsort.h"

typedef struct {
  RtBatch *batch;   /* owned ref: the batch being read, NULL when none has arrived */
  guint row;        /* its next row */
  guint64 key;      /* the first key's prefix of that row (rt__sort_key_prefix) */
  GQueue waiting;   /* owned refs: batches after it (inputs from 31 on only) */
  gboolean ended;
} MergeInput;

typedef struct {
  RtOperator base;
  PlanSort sort;        /* owned copy of the node's payload */
  PlanSchema *schema;   /* owned ref */
  guint n_inputs;       /* the producer's parallelism */
  MergeInput *inputs;   /* owned, n_inputs */
  RtPicks picks;        /* the output batch being chosen, gathered when full */
  gboolean stopped;     /* downstream wants no more rows (RT_DONE) */
  guint64 steps;        /* rows merged (polls cancellation every 4096) */
} RtSortMerge;

/* ---- inputs -------------------------------------------------------------------------- */

static void
set_paused (RtSortMerge *sm, guint input, gboolean paused)
{
  guint32 bit;

  if (input >= 31)
    return;
  bit = (guint32) 1 << input;
  if (paused)
    sm->base.paused_inputs |= bit;
  else
    sm->base.paused_inputs &= ~bit;
}

/* Moves input i past its current row: to its next batch, or resumes reading it. */
static void
advance_input (RtSortMerge *sm, guint i)
{
  MergeInput *in = &sm->inputs[i];

  if (++in->row < in->batch->n_rows)
    {
      in->key = rt__sort_key_prefix (&sm->sort, in->batch, in->row, 0);
      return;
    }
  g_clear_pointer (&in->batch, rt_batch_unref);
  in->row = 0;
  in->batch = g_queue_pop_head (&in->waiting);
  if (in->batch == NULL)
    set_paused (sm, i, FALSE);
  else
    in->key = rt__sort_key_prefix (&sm->sort, in->batch, 0, 0);
}

/* The input whose current row goes out next: G_MAXUINT when a stream that has not ended
 * has no row yet (wait for it), or when every stream is used up (*all_done set). */
static guint
next_input (const RtSortMerge *sm, gboolean *all_done)
{
  guint best = G_MAXUINT;

  *all_done = FALSE;
  for (guint i = 0; i < sm->n_inputs; i++)
    {
      const MergeInput *in = &sm->inputs[i];

      if (in->batch == NULL)
        {
          if (!in->ended)
            return G_MAXUINT;
          continue;
        }
      /* strictly smaller: on a tie the lower input keeps it; the prefixes decide unless
       * they are equal */
      if (best == G_MAXUINT
          || (in->key != sm->inputs[best].key ? in->key < sm->inputs[best].key
              : rt__sort_compare_rows (&sm->sort, in->batch, in->row, sm->inputs[best].batch,
                                       sm->inputs[best].row) < 0))
        best = i;
    }
  *all_done = best == G_MAXUINT;
  return best;
}

/* ---- output -------------------------------------------------------------------------- */

static RtResult
flush_out (RtSortMerge *sm, GError **error)
{
  RtResult r = rt__picks_emit (&sm->picks, &sm->base, sm->schema, error);

  if (r == RT_DONE)
    sm->stopped = TRUE;
  return r;
}

static RtResult
put_row (RtSortMerge *sm, RtBatch *src, guint row, GError **error)
{
  if (rt__picks_add (&sm->picks, src, row, MAX (sm->base.ctx->batch_size, 1u)))
    return flush_out (sm, error);
  return RT_OK;
}

static gboolean
cancelled (RtSortMerge *sm, GError **error)
{
  if (sm->base.ctx->cancelled == NULL || g_atomic_int_get (sm->base.ctx->cancelled) == 0)
    return FALSE;
  g_set_error (error, RT_ERROR, RT_ERROR_CANCELLED, "The sort was cancelled");
  return TRUE;
}

/* Emits rows in order while every open stream has its next row at hand. */
static RtResult
merge (RtSortMerge *sm, GError **error)
{
  gboolean all_done = FALSE;

  while (!sm->stopped)
    {
      guint i = next_input (sm, &all_done);
      RtResult r;

      if (i == G_MAXUINT)
        break;
      if ((++sm->steps & 4095) == 0 && cancelled (sm, error))
        return RT_FAIL;
      r = put_row (sm, sm->inputs[i].batch, sm->inputs[i].row, error);
      if (r == RT_FAIL)
        return RT_FAIL;
      advance_input (sm, i);
    }
  return sm->stopped ? RT_DONE : RT_OK;
}

/* ---- the operator -------------------------------------------------------------------- */

static gboolean
check_input (RtSortMerge *sm, guint input, GError **error)
{
  if (input < sm->n_inputs)
    return TRUE;
  g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "internal error: the sort merge of node %u "
               "got input %u of %u; a MERGE exchange numbers the producer subtasks",
               sm->base.node_id, input, sm->n_inputs);
  return FALSE;
}

static RtResult
sort_merge_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtSortMerge *sm = (RtSortMerge *) op;
  MergeInput *in;

  if (!check_input (sm, input, error))
    return RT_FAIL;
  if (sm->stopped)
    return RT_DONE;
  if (batch->n_rows == 0)
    return RT_OK;
  in = &sm->inputs[input];
  if (in->batch == NULL)
    {
      in->batch = rt_batch_ref (batch);
      in->row = 0;
      in->key = rt__sort_key_prefix (&sm->sort, batch, 0, 0);
    }
  else
    g_queue_push_tail (&in->waiting, rt_batch_ref (batch));
  set_paused (sm, input, TRUE);
  return merge (sm, error);
}

static RtResult
sort_merge_on_event (RtOperator *op, const RtEvent *event, guint input, GError **error)
{
  RtSortMerge *sm = (RtSortMerge *) op;

  if (event->kind != RT_EVENT_END_OF_INPUT)
    return RT_OK;
  if (!check_input (sm, input, error))
    return RT_FAIL;
  sm->inputs[input].ended = TRUE;
  return merge (sm, error) == RT_FAIL ? RT_FAIL : RT_OK;
}

/* Every input has ended (the task tells the last one only through finish). */
static RtResult
sort_merge_finish (RtOperator *op, GError **error)
{
  RtSortMerge *sm = (RtSortMerge *) op;

  for (guint i = 0; i < sm->n_inputs; i++)
    sm->inputs[i].ended = TRUE;
  if (merge (sm, error) == RT_FAIL)
    return RT_FAIL;
  if (sm->stopped)
    {
      rt__picks_clear (&sm->picks);
      return RT_OK;
    }
  return flush_out (sm, error) == RT_FAIL ? RT_FAIL : RT_OK;
}

static void
sort_merge_close (RtOperator *op)
{
  RtSortMerge *sm = (RtSortMerge *) op;

  for (guint i = 0; sm->inputs != NULL && i < sm->n_inputs; i++)
    {
      g_clear_pointer (&sm->inputs[i].batch, rt_batch_unref);
      g_queue_clear_full (&sm->inputs[i].waiting, (GDestroyNotify) rt_batch_unref);
    }
  g_clear_pointer (&sm->inputs, g_free);
  rt__picks_clear (&sm->picks);
  g_clear_pointer (&sm->schema, plan_schema_unref);
  plan_sort_clear (&sm->sort);
}

static const RtOperatorClass sort_merge_class = {
  .name = "SortedMerge",
  .instance_size = sizeof (RtSortMerge),
  .process = sort_merge_process,
  .on_event = sort_merge_on_event,
  .finish = sort_merge_finish,
  .close = sort_merge_close,
};

RtOperator *
rt_op_sort_merge_new (const PlanPhysNode *node, GError **error)
{
  RtSortMerge *sm;

  g_return_val_if_fail (node != NULL, NULL);
  if (node->kind != PLAN_PHYS_SORT || node->n_inputs != 1 || node->parallelism != 1
      || node->updating || node->u.sort.limit >= 0
      || node->inputs[0].exchange != PLAN_EXCHANGE_MERGE)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "internal error: a sort merge needs a "
                   "SORT node without a limit, with parallelism 1 and one input over a MERGE "
                   "exchange (node %u)", node->id);
      return NULL;
    }
  sm = (RtSortMerge *) rt_operator_new (&sort_merge_class, node->id);
  plan_sort_copy (&sm->sort, &node->u.sort);
  sm->schema = plan_schema_ref (node->schema);
  sm->n_inputs = MAX (node->inputs[0].node->parallelism, 1u);
  sm->inputs = g_new0 (MergeInput, sm->n_inputs);
  for (guint i = 0; i < sm->n_inputs; i++)
    g_queue_init (&sm->inputs[i].waiting);
  return &sm->base;
}
