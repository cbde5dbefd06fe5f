/* rt-op-lookup-join.c: the lookup join, Flink's processing-time temporal join
 *   FROM s JOIN dim FOR SYSTEM_TIME AS OF s.proc AS d ON s.k = d.k      (INNER or LEFT)
 * against a filesystem table.
 *
 * Input 1 is the table's bounded scan, broadcast to every subtask (opt-window-join.c). Its
 * rows go into a hash table by join key (rt-join-private.h's row state) while the task
 * leaves input 0, the stream, unread (paused_inputs), as the batch hash join does; once
 * the table has ended each stream row looks its key up as it arrives and its matches (or,
 * for LEFT, the row NULL-filled) go out at once, insert-only.
 *
 * Reloading: with 'lookup.join.cache.ttl' (or 'lookup.cache.ttl') the table is read again
 * when a lookup finds it older than the TTL, which is when Flink's cache expires too (on
 * access). The reload reads the table's file(s) itself, through the same source and
 * projection operators the plan has below input 1 (rebuilt here, at parallelism 1: every
 * subtask reads the whole table), into a fresh hash table. Without the option the table is
 * loaded once. The clock is rt_proctime_now_ms (tests set it).
 *
 * Checkpoints: the operator keeps no state of its own. Every attempt reads the table
 * again whole through input 1 before it probes (the tasks below input 1 are replayable,
 * rt-job.c: they take no part in checkpoints, their end does not stop them, and after a
 * restore they start from the beginning), so a restored job joins the replayed stream
 * rows against the table as it is then, which is what a processing-time lookup means. */
#include "rt-join-private.h"
#include "plans/plan-catalog.h"

#include <string.h>

typedef struct {
  RtJoin j;             /* first: the rt__join_* helpers take the operator as RtJoin */
  PlanPhysNode *table_input; /* owned ref: input 1, the table's scan */
  gint64 ttl_ms;        /* 0: never reload */
  gint64 loaded_at;     /* clock when the table was (re)loaded */
  gboolean loaded;
  GPtrArray *pending;   /* owned RtBatch refs of input 0 before the table ended */
} RtLookupJoin;

static void
insert_row (RtJoin *j, const PlanValue *vals)
{
  g_autoptr (GBytes) key = rt__join_key (j, 1, vals);
  g_autoptr (GBytes) row = NULL;

  if (key == NULL)
    return; /* a NULL key is never looked up */
  row = rt__join_row_bytes (vals, j->side[1]->n_fields);
  rt__join_lookup (j, 1, key, row, vals, TRUE)->count++;
}

static void
insert_batch (RtJoin *j, const RtBatch *batch)
{
  for (guint r = 0; r < batch->n_rows; r++)
    {
      PlanValue *vals = rt__join_read_row (batch, r);

      insert_row (j, vals);
      rt__join_free_row (vals, batch->n_cols);
    }
}

static RtResult
collect_reload (void *data, RtBatch *batch, GError **error)
{
  insert_batch (data, batch);
  return RT_OK;
}

/* Reads the table again into a fresh hash table: the SOURCE below input 1 and the CALCs
 * above it, rebuilt as one chain at parallelism 1. */
static gboolean
reload (RtLookupJoin *lj, GError **error)
{
  RtJoin *j = &lj->j;
  g_autoptr (GPtrArray) chain = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                 rt_operator_free);
  RtOpContext ctx = *j->base.ctx;
  const PlanPhysNode *n;
  RtResult r = RT_OK;
  gboolean ok = TRUE;

  ctx.subtask = 0;
  ctx.parallelism = 1;
  ctx.bounded_only = TRUE;
  for (n = lj->table_input; n->kind == PLAN_PHYS_CALC; n = n->inputs[0].node)
    {
      RtOperator *calc = rt_op_calc_new (n, error);

      if (calc == NULL)
        return FALSE;
      g_ptr_array_insert (chain, 0, calc);
    }
  {
    RtOperator *src = rt_source_new (n, 0, 1, error);

    if (src == NULL)
      return FALSE;
    g_ptr_array_insert (chain, 0, src);
  }
  for (guint i = 0; i < chain->len; i++)
    {
      RtOperator *op = chain->pdata[i];

      op->ctx = &ctx;
      op->next = i + 1 < chain->len ? chain->pdata[i + 1] : NULL;
      op->sink_fn = collect_reload;
      op->sink_data = j;
    }
  g_hash_table_remove_all (j->state[1]);
  for (guint i = 0; i < chain->len && ok; i++)
    {
      RtOperator *op = chain->pdata[i];

      ok = op->klass->open == NULL || op->klass->open (op, error);
    }
  while (ok && r != RT_DONE)
    {
      RtOperator *src = chain->pdata[0];

      r = src->klass->produce (src, error);
      ok = r != RT_FAIL;
    }
  for (guint i = 0; i < chain->len && ok; i++)
    {
      RtOperator *op = chain->pdata[i];

      ok = op->klass->finish == NULL || op->klass->finish (op, error) != RT_FAIL;
    }
  return ok;
}

static RtResult
probe_batch (RtLookupJoin *lj, RtBatch *batch, GError **error)
{
  RtJoin *j = &lj->j;
  gint64 now = rt_proctime_now_ms ();

  if (lj->ttl_ms > 0 && now - lj->loaded_at >= lj->ttl_ms)
    {
      if (!reload (lj, error))
        return RT_FAIL;
      lj->loaded_at = now;
    }
  for (guint r = 0; r < batch->n_rows; r++)
    {
      PlanValue *vals = rt__join_read_row (batch, r);
      g_autoptr (GBytes) key = rt__join_key (j, 0, vals);
      g_autoptr (GPtrArray) matches = g_ptr_array_new ();
      gboolean ok = key == NULL
                    || rt__join_matches (j, 0, vals, g_hash_table_lookup (j->state[1], key),
                                         matches, error);

      for (guint i = 0; ok && i < matches->len; i++)
        ok = rt__join_emit (j, vals, ((RtJoinRec *) matches->pdata[i])->vals,
                            (RtRowKind) batch->kinds[r],
                            ((RtJoinRec *) matches->pdata[i])->count, error);
      if (ok && matches->len == 0 && rt__join_preserves (j, 0))
        ok = rt__join_emit (j, vals, NULL, (RtRowKind) batch->kinds[r], 1, error);
      rt__join_free_row (vals, batch->n_cols);
      if (!ok)
        return RT_FAIL;
    }
  return rt__join_flush (j, error);
}

static gboolean
lj_open (RtOperator *op, GError **error)
{
  op->paused_inputs = 1u << 0; /* the stream waits until the table is in */
  return TRUE;
}

static RtResult
table_loaded (RtLookupJoin *lj, GError **error)
{
  g_autoptr (GPtrArray) pending = g_steal_pointer (&lj->pending);

  lj->loaded = TRUE;
  lj->loaded_at = rt_proctime_now_ms ();
  lj->j.base.paused_inputs = 0;
  for (guint i = 0; pending != NULL && i < pending->len; i++)
    if (probe_batch (lj, pending->pdata[i], error) == RT_FAIL)
      return RT_FAIL;
  return RT_OK;
}

static RtResult
lj_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtLookupJoin *lj = (RtLookupJoin *) op;

  if (input != 0)
    {
      insert_batch (&lj->j, batch);
      return RT_OK;
    }
  if (lj->loaded)
    return probe_batch (lj, batch, error);
  if (lj->pending == NULL) /* handed in anyway (tests driving the operator) */
    lj->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_batch_unref);
  g_ptr_array_add (lj->pending, rt_batch_ref (batch));
  return RT_OK;
}

static RtResult
lj_on_event (RtOperator *op, const RtEvent *event, guint input, GError **error)
{
  RtLookupJoin *lj = (RtLookupJoin *) op;

  if (event->kind == RT_EVENT_END_OF_INPUT && input == 1 && !lj->loaded)
    return table_loaded (lj, error);
  return RT_OK;
}

static RtResult
lj_finish (RtOperator *op, GError **error)
{
  RtLookupJoin *lj = (RtLookupJoin *) op;

  if (!lj->loaded && table_loaded (lj, error) == RT_FAIL)
    return RT_FAIL;
  return rt__join_flush (&lj->j, error);
}

static void
lj_close (RtOperator *op)
{
  RtLookupJoin *lj = (RtLookupJoin *) op;

  g_clear_pointer (&lj->pending, g_ptr_array_unref);
  g_clear_pointer (&lj->table_input, plan_phys_node_unref);
  rt__join_close (op);
}

static const RtOperatorClass lookup_join_class = {
  .name = "LookupJoin",
  .instance_size = sizeof (RtLookupJoin),
  .open = lj_open,
  .process = lj_process,
  .on_event = lj_on_event,
  .finish = lj_finish,
  .close = lj_close,
  .stateless = TRUE, /* the table comes again through input 1 on every attempt */
};

/* The table under input 1 (through its CALCs). */
static const PlanTable *
table_of (const PlanPhysNode *n)
{
  while (n->kind == PLAN_PHYS_CALC && n->n_inputs == 1)
    n = n->inputs[0].node;
  return n->kind == PLAN_PHYS_SOURCE ? n->u.source.table : NULL;
}

RtOperator *
rt_op_lookup_join_new (const PlanPhysNode *node, GError **error)
{
  const PlanTable *table;
  const char *ttl, *key = "lookup.join.cache.ttl";
  RtLookupJoin *lj;
  gint64 us = 0;

  g_return_val_if_fail (node != NULL, NULL);
  table = node->n_inputs == 2 ? table_of (node->inputs[1].node) : NULL;
  if (table == NULL || (node->u.join.type != PLAN_JOIN_INNER
                        && node->u.join.type != PLAN_JOIN_LEFT))
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "plan error: the lookup join at "
                   "%u:%u needs a table scan as its right input and an INNER or LEFT type",
                   node->span.line, node->span.col);
      return NULL;
    }
  if ((ttl = plan_table_get_option (table, key)) == NULL)
    ttl = plan_table_get_option (table, key = "lookup.cache.ttl");
  if (ttl != NULL && (!plan_parse_duration_us (ttl, &us) || us < 0))
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR, "Table '%s': '%s' = '%s' is not a "
                   "duration; write one such as '10 min' (or remove it: the table is then "
                   "loaded once)", table->name, key, ttl);
      return NULL;
    }
  lj = (RtLookupJoin *) rt_operator_new (&lookup_join_class, node->id);
  lj->table_input = plan_phys_node_ref (node->inputs[1].node);
  lj->ttl_ms = us / 1000;
  if (!rt__join_init (&lj->j, node, error))
    {
      rt_operator_free (&lj->j.base);
      return NULL;
    }
  return &lj->j.base;
}
