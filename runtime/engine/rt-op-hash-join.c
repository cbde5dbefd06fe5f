/* rt-op-hash-join.c: the batch hash join and the nested-loop join (DESIGN.md 4.5), for
 * bounded inputs in batch mode.
 *
 * The optimizer names a build side (the smaller one by its estimate, or the hinted one).
 * Its rows go into a hash table by join key; once the build input has ended (the task
 * tells the operator with an END_OF_INPUT event for that input), each probe row looks up
 * its key, runs the residual over the candidates, and emits the joined rows at once.
 * Until then the operator asks its task not to read the probe input (paused_inputs), so
 * the probe side waits under backpressure; probe batches handed in anyway (tests that
 * drive the operator directly) are held by reference and probed when the build ends. A
 * preserved probe row without a match goes out NULL-filled right away; preserved build
 * rows that nothing matched go out NULL-filled at the end. With a broadcast build side the
 * optimizer never lets the build side be a preserved one, since every subtask holds all of
 * it. Without equi-keys (the nested-loop join) every row has the same empty key, so each
 * probe row is compared with all build rows.
 *
 * Output is plain inserts. The build side goes into a table laid out for probing whole
 * batches (rt-join-table.c); past the operator's memory share it spills by key partition
 * (a hybrid hash join, rt-join-table-spill.c). Key types the table cannot compare (a pair
 * of key columns of different kinds) keep rt-op-join.c's row state, which spills the same
 * way through rt-hash-join-spill.c (changed by join strategy). */
#include "rt-join-private.h"
#include "rt-hash-join-spill.h" /* added by join strategy: spilling (hybrid hash join) */
#include "rt-join-table.h"

static gboolean
insert_build (RtJoin *j, const PlanValue *vals)
{
  guint b = j->join.build_side;
  g_autoptr (GBytes) key = rt__join_key (j, b, vals);
  g_autoptr (GBytes) row = NULL;
  RtJoinRec *rec;

  if (key == NULL)
    {
      /* A NULL key matches nothing; a preserved build row is still emitted at the end. */
      if (!rt__join_preserves (j, b))
        return TRUE;
      key = g_bytes_new_static ("\xff" "null", 5); /* never produced by a real key */
    }
  row = rt__join_row_bytes (vals, j->side[b]->n_fields);
  rec = rt__join_lookup (j, b, key, row, vals, TRUE);
  rec->count++;
  return TRUE;
}

static gboolean
probe_row (RtJoin *j, const PlanValue *vals, GError **error)
{
  guint b = j->join.build_side, p = 1 - b;
  g_autoptr (GBytes) key = rt__join_key (j, p, vals);
  g_autoptr (GPtrArray) matches = g_ptr_array_new ();

  if (key != NULL
      && !rt__join_matches (j, p, vals, g_hash_table_lookup (j->state[b], key), matches, error))
    return FALSE;
  if (matches->len == 0)
    return !rt__join_preserves (j, p)
           || rt__join_emit (j, p == 0 ? vals : NULL, p == 1 ? vals : NULL, RT_ROW_INSERT, 1,
                             error);
  for (guint i = 0; i < matches->len; i++)
    {
      RtJoinRec *m = matches->pdata[i];

      m->matches++;
      if (!rt__join_emit (j, p == 0 ? vals : m->vals, p == 0 ? m->vals : vals, RT_ROW_INSERT,
                          m->count, error))
        return FALSE;
    }
  return TRUE;
}

static RtResult
probe_batch (RtJoin *j, RtBatch *batch, GError **error)
{
  if (j->table != NULL) /* the table, maybe spilling */
    return rt__table_spill_probe (j, batch, error);
  if (rt__hash_spill_active (j)) /* added by join strategy */
    return rt__hash_spill_probe_batch (j, batch, error);
  for (guint r = 0; r < batch->n_rows; r++)
    {
      PlanValue *vals = rt__join_read_row (batch, r);
      gboolean ok = probe_row (j, vals, error);

      rt__join_free_row (vals, batch->n_cols);
      if (!ok)
        return RT_FAIL;
    }
  return rt__join_flush (j, error);
}

static gboolean
hash_join_open (RtOperator *op, GError **error)
{
  RtJoin *j = (RtJoin *) op;

  /* The task reads the build input alone until it ends (see rt-task.c), so probe batches
   * wait in their channels, under backpressure, instead of piling up here. */
  op->paused_inputs = 1u << (1 - j->join.build_side);
  if (rt__join_table_supports (j))
    {
      j->table = rt__join_table_new (j);
      if (j->join.n_keys > 0)
        j->tspill = rt__table_spill_new (j, rt__hash_spill_get_share (j));
    }
  else if (j->join.n_keys > 0) /* added by join strategy: spill past the memory share */
    j->spill = rt__hash_spill_new (j);
  return TRUE;
}

static RtResult
build_ended (RtJoin *j, GError **error)
{
  g_autoptr (GPtrArray) pending = g_steal_pointer (&j->pending);

  j->build_done = TRUE;
  j->base.paused_inputs = 0;
  for (guint i = 0; pending != NULL && i < pending->len; i++)
    if (probe_batch (j, pending->pdata[i], error) == RT_FAIL)
      return RT_FAIL;
  return RT_OK;
}

static RtResult
hash_join_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtJoin *j = (RtJoin *) op;
  guint side = input == 0 ? 0 : 1;

  if (side != j->join.build_side)
    {
      if (j->build_done)
        return probe_batch (j, batch, error);
      if (j->pending == NULL)
        j->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_batch_unref);
      g_ptr_array_add (j->pending, rt_batch_ref (batch));
      return RT_OK;
    }
  if (j->table != NULL)
    return rt__table_spill_build (j, batch, error);
  if (j->spill != NULL) /* added by join strategy */
    return rt__hash_spill_build_batch (j, batch, error);
  for (guint r = 0; r < batch->n_rows; r++)
    {
      PlanValue *vals = rt__join_read_row (batch, r);

      insert_build (j, vals);
      rt__join_free_row (vals, batch->n_cols);
    }
  return RT_OK;
}

static RtResult
hash_join_event (RtOperator *op, const RtEvent *event, guint input, GError **error)
{
  RtJoin *j = (RtJoin *) op;

  if (event->kind == RT_EVENT_END_OF_INPUT && input == j->join.build_side && !j->build_done)
    return build_ended (j, error);
  return RT_OK;
}

/* Preserved build rows that no probe row matched, NULL-filled. */
static gboolean
emit_unmatched (RtJoin *j, GError **error)
{
  guint b = j->join.build_side;
  GHashTableIter buckets, rows;
  gpointer bucket, rec;

  g_hash_table_iter_init (&buckets, j->state[b]);
  while (g_hash_table_iter_next (&buckets, NULL, &bucket))
    {
      g_hash_table_iter_init (&rows, bucket);
      while (g_hash_table_iter_next (&rows, NULL, &rec))
        {
          RtJoinRec *m = rec;

          if (m->matches == 0
              && !rt__join_emit (j, b == 0 ? m->vals : NULL, b == 1 ? m->vals : NULL,
                                 RT_ROW_INSERT, m->count, error))
            return FALSE;
        }
    }
  return TRUE;
}

static RtResult
hash_join_finish (RtOperator *op, GError **error)
{
  RtJoin *j = (RtJoin *) op;

  if (!j->build_done && build_ended (j, error) == RT_FAIL)
    return RT_FAIL;
  if (j->table != NULL)
    return rt__table_spill_finish (j, error);
  if (rt__hash_spill_active (j)) /* added by join strategy */
    return rt__hash_spill_finish (j, error);
  if (rt__join_preserves (j, j->join.build_side) && !emit_unmatched (j, error))
    return RT_FAIL;
  return rt__join_flush (j, error);
}

/* added by join strategy: frees the spilling state too */
static void
hash_join_close (RtOperator *op)
{
  RtJoin *j = (RtJoin *) op;

  g_clear_pointer (&j->spill, rt__hash_spill_free);
  g_clear_pointer (&j->tspill, rt__table_spill_free);
  g_clear_pointer (&j->table, rt__join_table_free);
  rt__join_close (op);
}

static const RtOperatorClass hash_join_class = {
  .name = "HashJoin",
  .instance_size = sizeof (RtJoin),
  .open = hash_join_open,
  .process = hash_join_process,
  .on_event = hash_join_event,
  .finish = hash_join_finish,
  .close = hash_join_close, /* changed by join strategy */
};

RtOperator *
rt_op_hash_join_new (const PlanPhysNode *node, GError **error)
{
  RtOperator *op = rt_operator_new (&hash_join_class, node->id);

  if (!rt__join_init ((RtJoin *) op, node, error))
    {
      rt_operator_free (op);
      return NULL;
    }
  return op;
}
