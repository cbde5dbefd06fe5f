/* rt-job.c: turning a physical plan into tasks and channels, and the job's lifecycle.
 *
 * Nodes marked `chained` join their input's chain; every chain runs as `parallelism`
 * tasks, one thread each. Each non-chained edge becomes one channel per (producer
 * subtask, consumer subtask) pair the exchange needs, and the producer's last operator
 * emits through an RtWriter over those channels. All operators are created and their
 * options validated before any thread starts, so a bad option fails the statement, not a
 * half-started job. The first task failure cancels the rest and becomes the job's error. */
#include "rt-checkpoint-private.h" /* added by checkpoints */
#include "rt-source-private.h" /* added by windows: rt__option_duration */

#include <string.h>

const char *
rt_job_status_name (RtJobStatus status)
{
  switch (status)
    {
    case RT_JOB_CREATED: return "CREATED";
    case RT_JOB_RUNNING: return "RUNNING";
    case RT_JOB_FINISHED: return "FINISHED";
    case RT_JOB_CANCELLED: return "CANCELED";
    case RT_JOB_FAILED: return "FAILED";
    }
  return "UNKNOWN";
}

void
rt_job_config_init (RtJobConfig *c)
{
  memset (c, 0, sizeof *c);
  c->batch_size = 512;
  c->buffer_timeout_us = 100 * 1000;
  c->latency_interval_us = 0;
  c->channel_credits = 8;
  c->result_queue_batches = 16;
  c->watermark_interval_us = 200 * 1000; /* added by windows */
}

/* ---- collect sink ------------------------------------------------------------------
 *
 * Hands result batches to the client's queue (bounded: a full queue blocks the task, so
 * a slow reader backpressures the job). In a checkpointed job the sink holds rows back
 * as Flink's collect sink does for exactly-once: the rows between barriers n-1 and n are
 * sealed at barrier n into job->held and reach the queue only when checkpoint n
 * completed, released by the coordinator's thread right after it committed the
 * checkpoint (the same thread tears a failed attempt down, so a completed checkpoint's
 * rows are always released before a restart and never after). A restart from the newest
 * completed checkpoint therefore shows no row twice and loses none; rows held for a
 * checkpoint that never completed are dropped with the attempt and produced again by the
 * next. Results so arrive up to a checkpoint interval late; at the end of input the sink
 * releases everything. */

typedef struct {
  gint64 epoch;        /* the checkpoint whose barrier sealed it */
  RtBatch *batch;      /* owned ref */
} RtHeld;

typedef struct {
  RtOperator base;
  RtJob *job;
  RtTask *task;
  gboolean hold;       /* checkpointed: deliver per completed checkpoint */
  GQueue open;         /* RtBatch* (owned refs) since the last barrier */
} RtCollect;

static void
held_free (gpointer p)
{
  RtHeld *h = p;

  rt_batch_unref (h->batch);
  g_free (h);
}

/* Whether the results queue has room for a batch of block_size bytes (under the lock):
 * below result_cap batches, or below result_bytes when batches of this size fill it. A
 * bound in bytes as well keeps enough rows between the job and a client that is fetching
 * but only now and then gets a core: with 16 small batches the 100M-row ORDER BY of
 * bench-vs-duckdb stalled on the queue so often that it took 19.4 s; it takes 17.8 s. */
static gboolean
results_room_locked (RtJob *job, gsize block_size)
{
  guint n = g_queue_get_length (&job->results);

  return n < job->result_cap || (n + 1) * block_size <= job->result_bytes;
}

/* Waits while the results queue is full; with batch, then queues it. */
static RtResult
deliver (RtCollect *c, RtBatch *batch)
{
  RtJob *job = c->job;
  gsize size = batch != NULL ? batch->block_size : RT_PAGE_SIZE;
  gint64 t0 = 0;
  for (;;)
    {
      gboolean pushed = FALSE;

      rt_mutex_lock (&job->lock);
      if (results_room_locked (job, size))
        {
          if (batch != NULL)
            {
              g_queue_push_tail (&job->results, rt_batch_ref (batch));
              g_cond_broadcast (&job->changed);
            }
          pushed = TRUE;
        }
      rt_mutex_unlock (&job->lock);
      if (pushed || g_atomic_int_get (&job->cancelled))
        break;
      if (t0 == 0)
        {
          t0 = g_get_monotonic_time ();
          rt_block_clock_start (&c->task->collect_blocked, t0);
        }
      rt_notify_prepare (c->task->notify);
      rt_mutex_lock (&job->lock);
      pushed = results_room_locked (job, size);
      rt_mutex_unlock (&job->lock);
      if (pushed)
        rt_notify_cancel_prepare (c->task->notify);
      else
        rt_notify_wait (c->task->notify, g_get_monotonic_time () + 50 * 1000);
    }
  if (t0 != 0)
    rt_block_clock_stop (&c->task->collect_blocked, g_get_monotonic_time ());
  return RT_OK;
}

static RtResult
collect_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtCollect *c = (RtCollect *) op;

  if (!c->hold)
    return deliver (c, batch);
  /* held rows are not counted against the queue, but a full queue still throttles */
  if (deliver (c, NULL) == RT_OK)
    g_queue_push_tail (&c->open, rt_batch_ref (batch));
  return RT_OK;
}

/* Barrier epoch: what came since the last one waits for that checkpoint. The sink has no
 * state of its own: rows not yet released are produced again after a restore. */
static gboolean
collect_snapshot (RtOperator *op, gint64 epoch, RtStateOut *out, GError **error)
{
  RtCollect *c = (RtCollect *) op;
  RtJob *job = c->job;
  RtBatch *b;

  rt_mutex_lock (&job->lock);
  while ((b = g_queue_pop_head (&c->open)) != NULL)
    {
      RtHeld *h = g_new (RtHeld, 1);

      h->epoch = epoch;
      h->batch = b;
      g_queue_push_tail (&job->held, h);
    }
  rt_mutex_unlock (&job->lock);
  return TRUE;
}

void
rt__job_release_held (RtJob *job, gint64 epoch)
{
  RtHeld *h;

  rt_mutex_lock (&job->lock);
  while ((h = g_queue_peek_head (&job->held)) != NULL && h->epoch <= epoch)
    {
      g_queue_pop_head (&job->held);
      g_queue_push_tail (&job->results, g_steal_pointer (&h->batch));
      g_free (h);
    }
  g_cond_broadcast (&job->changed);
  rt_mutex_unlock (&job->lock);
}

/* End of input: every row is final. */
static RtResult
collect_finish (RtOperator *op, GError **error)
{
  RtCollect *c = (RtCollect *) op;
  RtJob *job = c->job;
  RtBatch *b;

  if (!c->hold)
    return RT_OK;
  rt__job_release_held (job, G_MAXINT64);
  while ((b = g_queue_pop_head (&c->open)) != NULL)
    {
      rt_mutex_lock (&job->lock);
      g_queue_push_tail (&job->results, b);
      g_cond_broadcast (&job->changed);
      rt_mutex_unlock (&job->lock);
    }
  return RT_OK;
}

static void
collect_close (RtOperator *op)
{
  g_queue_clear_full (&((RtCollect *) op)->open, (GDestroyNotify) rt_batch_unref);
}

static const RtOperatorClass collect_class = {
  .name = "Sink: collect",
  .instance_size = sizeof (RtCollect),
  .process = collect_process,
  .finish = collect_finish,
  .close = collect_close,
  .stateless = TRUE, /* added by checkpoints */
  .snapshot = collect_snapshot,
};

RtOperator *
rt__collect_new (RtJob *job, RtTask *task, guint node_id)
{
  RtCollect *c = (RtCollect *) rt_operator_new (&collect_class, node_id);

  c->job = job;
  c->task = task;
  c->hold = job->config.checkpoint_interval_us > 0;
  g_queue_init (&c->open);
  job->result_notify = task->notify;
  return &c->base;
}

/* ---- building ---------------------------------------------------------------------- */

static RtOperator *
make_operator (RtJob *job, RtTask *task, const PlanPhysNode *n, GError **error)
{
  switch (n->kind)
    {
    case PLAN_PHYS_SOURCE:
      return rt_source_new (n, task->subtask, task->parallelism, error);
    case PLAN_PHYS_VALUES:
      return rt_op_values_new (n, error);
    case PLAN_PHYS_CALC:
      return rt_op_calc_new (n, error);
    case PLAN_PHYS_LIMIT:
      return rt_op_limit_new (n, error);
    case PLAN_PHYS_AGGREGATE:
      return rt_op_aggregate_new (n, error);
    case PLAN_PHYS_LOCAL_AGGREGATE: /* added by two-phase aggregation */
      return rt_op_local_aggregate_new (n, error);
    case PLAN_PHYS_JOIN: /* added by joins */
      return rt_op_join_new (n, error);
    case PLAN_PHYS_HASH_JOIN:
    case PLAN_PHYS_NESTED_LOOP_JOIN:
      return rt_op_hash_join_new (n, error);
    case PLAN_PHYS_SORT_MERGE_JOIN: /* added by join strategy */
      return rt_op_merge_join_new (n, error);
    case PLAN_PHYS_INTERVAL_JOIN: /* added by interval joins */
      return rt_op_interval_join_new (n, error);
    case PLAN_PHYS_WINDOW_JOIN: /* added by window joins */
      return rt_op_window_join_new (n, error);
    case PLAN_PHYS_LOOKUP_JOIN: /* added by lookup joins */
      return rt_op_lookup_join_new (n, error);
    case PLAN_PHYS_SORT: /* added by sort */
      if (n->n_inputs == 1 && n->inputs[0].exchange == PLAN_EXCHANGE_MERGE) /* sort merge */
        return rt_op_sort_merge_new (n, error);
      return rt_op_sort_new (n, error);
    case PLAN_PHYS_WINDOW: /* added by windows */
      return rt_op_window_new (n, error);
    case PLAN_PHYS_WINDOW_AGGREGATE:
      if (plan_phys_is_proctime_window (n)) /* added by processing-time windows */
        return rt_op_proctime_window_new (n, error);
      return rt_op_window_aggregate_new (n, error);
    case PLAN_PHYS_UNION: /* added by rank */
      return rt_op_union_new (n, error);
    case PLAN_PHYS_RANK:
      return rt_op_rank_new (n, error);
    case PLAN_PHYS_SINK:
      if (n->u.sink.sink == PLAN_SINK_COLLECT)
        return rt__collect_new (job, task, n->id);
      return rt_sink_new (n, task->subtask, error);
    }
  g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "unknown physical node kind");
  return NULL;
}

static RtResult
writer_sink (void *data, RtBatch *batch, GError **error)
{
  return rt_writer_emit (data, batch, error);
}

typedef struct {
  GArray *nodes;      /* guint node ids, head first */
  guint parallelism;
  guint first_task;   /* index into job->tasks */
} Chain;

static gboolean
build_chains (RtJob *job, GArray *chains, guint *chain_of, GError **error)
{
  GPtrArray *nodes = job->plan->nodes;

  for (guint i = 0; i < nodes->len; i++)
    {
      PlanPhysNode *n = nodes->pdata[i];
      Chain *c;

      if (n->chained && n->n_inputs > 0)
        {
          chain_of[i] = chain_of[n->inputs[0].node->id];
          c = &g_array_index (chains, Chain, chain_of[i]);
          if (c->parallelism != n->parallelism)
            {
              g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL,
                           "plan error: node %u is chained to an input of another parallelism",
                           n->id);
              return FALSE;
            }
        }
      else
        {
          Chain nc = { g_array_new (FALSE, FALSE, sizeof (guint)), MAX (n->parallelism, 1u), 0 };
          chain_of[i] = chains->len;
          g_array_append_val (chains, nc);
          c = &g_array_index (chains, Chain, chain_of[i]);
        }
      g_array_append_val (c->nodes, n->id);
    }
  return TRUE;
}

/* added by windows: a source's watermark assigner (chained after it, see
 * rt-op-window.c) and its idle timeout ('scan.watermark.idle-timeout', else the job's
 * 'table.exec.source.idle-timeout'). */
static gboolean
add_event_time (RtJob *job, RtTask *t, const PlanPhysNode *n, GError **error)
{
  const char *idle = plan_table_get_option (n->u.source.table, "scan.watermark.idle-timeout");
  RtOperator *wm = NULL;
  gint64 ms;

  t->idle_timeout_us = job->config.idle_timeout_us;
  if (idle != NULL)
    {
      if (!rt__option_duration (n->u.source.table, "scan.watermark.idle-timeout", idle, &ms,
                                error))
        return FALSE;
      t->idle_timeout_us = ms * 1000;
    }
  if (!rt__wm_assigner_new (n, &wm, error))
    return FALSE;
  if (wm == NULL)
    return TRUE;
  wm->ctx = &t->ctx;
  ((RtOperator *) t->ops->pdata[t->ops->len - 1])->next = wm;
  g_ptr_array_add (t->ops, wm);
  t->wm_assigner = wm;
  return TRUE;
}

static gboolean
build_tasks (RtJob *job, GArray *chains, GError **error)
{
  for (guint ci = 0; ci < chains->len; ci++)
    {
      Chain *c = &g_array_index (chains, Chain, ci);
      GString *name = g_string_new (NULL);

      for (guint k = 0; k < c->nodes->len; k++)
        {
          guint node = g_array_index (c->nodes, guint, k);
          g_autofree char *l = plan_phys_node_label (job->plan->nodes->pdata[node]);
          g_string_append_printf (name, "%s%s", k > 0 ? " -> " : "", l);
        }
      c->first_task = job->tasks->len;
      for (guint s = 0; s < c->parallelism; s++)
        {
          RtTask *t = rt__task_new (job, name->str, s, c->parallelism);

          t->chain_index = ci;
          g_ptr_array_add (job->tasks, t);
          for (guint k = 0; k < c->nodes->len; k++)
            {
              PlanPhysNode *n = job->plan->nodes->pdata[g_array_index (c->nodes, guint, k)];
              RtOperator *op = make_operator (job, t, n, error);

              if (op == NULL)
                {
                  g_string_free (name, TRUE);
                  return FALSE;
                }
              op->node_id = n->id;
              op->ctx = &t->ctx;
              t->index = job->tasks->len - 1; /* added by checkpoints */
              if (!rt__ckpt_check_operator (job->ckpt, op, error))
                {
                  rt_operator_free (op);
                  g_string_free (name, TRUE);
                  return FALSE;
                }
              if (t->ops->len > 0)
                ((RtOperator *) t->ops->pdata[t->ops->len - 1])->next = op;
              g_ptr_array_add (t->ops, op);
              rt__window_link_slices (op, t->ops, t->ops->len - 1, job->plan); /* slices */
              if (n->kind == PLAN_PHYS_SOURCE && !add_event_time (job, t, n, error))
                {
                  g_string_free (name, TRUE); /* added by windows */
                  return FALSE;
                }
            }
          t->latency = g_new0 (RtHistogram, t->ops->len);
        }
      g_string_free (name, TRUE);
    }
  return TRUE;
}

static void
add_input (RtTask *t, RtChannel *ch, guint input)
{
  t->inputs = g_renew (RtTaskInput, t->inputs, t->n_inputs + 1);
  t->inputs[t->n_inputs].channel = ch;
  t->inputs[t->n_inputs].input = input;
  t->inputs[t->n_inputs].ended = FALSE;
  t->n_inputs++;
}

static gboolean
connect_edge (RtJob *job, GArray *chains, Chain *pc, Chain *cc, const PlanPhysInput *in,
              guint input_index, GError **error)
{
  PlanPhysNode *producer = in->node;
  guint pp = pc->parallelism, cp = cc->parallelism;

  if ((in->exchange == PLAN_EXCHANGE_FORWARD && pp != cp)
      || ((in->exchange == PLAN_EXCHANGE_GATHER || in->exchange == PLAN_EXCHANGE_MERGE)
          && cp != 1))
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL,
                   "plan error: %s exchange from parallelism %u to %u",
                   plan_exchange_name (in->exchange), pp, cp);
      return FALSE;
    }
  for (guint ps = 0; ps < pp; ps++)
    {
      RtTask *pt = job->tasks->pdata[pc->first_task + ps];
      RtOperator *tail = pt->ops->pdata[pt->ops->len - 1];
      g_autoptr (GPtrArray) chs = g_ptr_array_new ();

      if (pt->writer != NULL)
        {
          g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL,
                       "plan error: node %u feeds more than one consumer", producer->id);
          return FALSE;
        }
      for (guint cs = 0; cs < cp; cs++)
        {
          RtTask *ct = job->tasks->pdata[cc->first_task + cs];
          RtChannel *ch;

          if (in->exchange == PLAN_EXCHANGE_FORWARD && cs != ps)
            continue;
          ch = rt_channel_new (job->config.channel_credits, pt->notify, ct->notify);
          g_ptr_array_add (job->channels, ch);
          g_ptr_array_add (chs, ch);
          /* added by sort merge: each producer subtask is an input of its own */
          add_input (ct, ch, in->exchange == PLAN_EXCHANGE_MERGE ? ps : input_index);
        }
      pt->writer = rt_writer_new (in->exchange, chs->len, (RtChannel **) chs->pdata,
                                  producer->schema, job->pool, job->config.batch_size,
                                  job->config.buffer_timeout_us, in->keys, in->n_keys,
                                  &job->cancelled);
      tail->sink_fn = writer_sink;
      tail->sink_data = pt->writer;
    }
  return TRUE;
}

static gboolean
build_edges (RtJob *job, GArray *chains, const guint *chain_of, GError **error)
{
  GPtrArray *nodes = job->plan->nodes;

  for (guint i = 0; i < nodes->len; i++)
    {
      PlanPhysNode *n = nodes->pdata[i];

      for (guint k = 0; k < n->n_inputs; k++)
        {
          Chain *pc, *cc;

          if (k == 0 && n->chained)
            continue;
          pc = &g_array_index (chains, Chain, chain_of[n->inputs[k].node->id]);
          cc = &g_array_index (chains, Chain, chain_of[i]);
          if (g_array_index (cc->nodes, guint, 0) != n->id)
            {
              g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL,
                           "plan error: node %u has an exchange but is not a chain head", n->id);
              return FALSE;
            }
          if (!connect_edge (job, chains, pc, cc, &n->inputs[k], k, error))
            return FALSE;
        }
    }
  return TRUE;
}

static void
free_chains (GArray *chains)
{
  for (guint i = 0; i < chains->len; i++)
    g_array_unref (g_array_index (chains, Chain, i).nodes);
  g_array_unref (chains);
}

RtJob *
rt_job_new (PlanPhysPlan *plan, RtMemPool *pool, const RtJobConfig *config, GError **error)
{
  RtJob *job = g_new0 (RtJob, 1);
  GError *ok_error = NULL;
  gboolean ok;

  job->plan = plan_phys_plan_ref (plan);
  job->pool = pool;
  if (config != NULL)
    job->config = *config;
  else
    rt_job_config_init (&job->config);
  job->config.batch_size = MAX (job->config.batch_size, 1u);
  job->result_cap = MAX (job->config.result_queue_batches, 1u);
  job->result_bytes = MIN (rt_mem_pool_get_budget (pool) / 16, (gsize) 2 << 20);
  job->tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) rt__task_free);
  job->channels = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_channel_free);
  g_mutex_init (&job->lock);
  g_cond_init (&job->changed);
  g_queue_init (&job->results);
  g_queue_init (&job->held); /* added by exactly-once collect */
  job->status = RT_JOB_CREATED;
  /* added by checkpoints: the coordinator first, so building can check the operators */
  if (config != NULL)
    job->config.checkpoint_dir = job->config.savepoint_dir = job->config.restore_path =
      job->config.job_id = NULL; /* borrowed strings: the coordinator copies them */
  job->ckpt = config != NULL ? rt__ckpt_coord_new (job, config, &ok_error) : NULL;
  ok = ok_error == NULL && rt__job_build (job, error);
  if (ok_error != NULL)
    g_propagate_error (error, ok_error);
  if (!ok)
    {
      rt_job_free (job);
      return NULL;
    }
  return job;
}

/* added by lookup joins: marks the tasks of chains whose output only reaches a lookup
 * join's table input (input 1), directly or through other such chains. Nodes come inputs
 * first, so walking them backwards settles a consumer's chain before its producers. */
static void
mark_replayable (RtJob *job, GArray *chains, const guint *chain_of)
{
  GPtrArray *nodes = job->plan->nodes;
  g_autofree gboolean *replayable = g_new0 (gboolean, chains->len);

  for (guint i = nodes->len; i-- > 0;)
    {
      PlanPhysNode *n = nodes->pdata[i];

      for (guint k = 0; k < n->n_inputs; k++)
        if (k > 0 || !n->chained)
          replayable[chain_of[n->inputs[k].node->id]]
            = (n->kind == PLAN_PHYS_LOOKUP_JOIN && k == 1) || replayable[chain_of[i]];
    }
  for (guint c = 0; c < chains->len; c++)
    {
      Chain *ch = &g_array_index (chains, Chain, c);

      for (guint s = 0; s < ch->parallelism; s++)
        ((RtTask *) job->tasks->pdata[ch->first_task + s])->replayable = replayable[c];
    }
}

gboolean
rt__job_build (RtJob *job, GError **error)
{
  GArray *chains = g_array_new (FALSE, FALSE, sizeof (Chain));
  g_autofree guint *chain_of = g_new0 (guint, job->plan->nodes->len);
  gboolean ok;

  ok = build_chains (job, chains, chain_of, error) && build_tasks (job, chains, error)
       && build_edges (job, chains, chain_of, error);
  if (ok)
    mark_replayable (job, chains, chain_of);
  free_chains (chains);
  return ok;
}

gboolean
rt_job_start (RtJob *job, GError **error)
{
  g_return_val_if_fail (job->status == RT_JOB_CREATED, FALSE);
  job->start_us = g_get_monotonic_time ();
  job->snap_us = job->start_us;
  job->status = RT_JOB_RUNNING;
  job->n_running = job->tasks->len;
  job->n_replayable_ended = 0;
  if (job->tasks->len == 0)
    {
      job->status = RT_JOB_FINISHED;
      job->end_us = job->start_us;
      return TRUE;
    }
  rt__ckpt_coord_start (job->ckpt); /* added by checkpoints */
  rt__job_start_threads (job);
  return TRUE;
}

void
rt__job_start_threads (RtJob *job)
{
  for (guint i = 0; i < job->tasks->len; i++)
    {
      RtTask *t = job->tasks->pdata[i];
      g_autofree char *tname = g_strdup_printf ("strom-t%u", i);

      t->thread = g_thread_new (tname, rt__task_thread, t);
    }
}

static void
join_tasks (RtJob *job)
{
  for (guint i = 0; i < job->tasks->len; i++)
    {
      RtTask *t = job->tasks->pdata[i];
      if (t->thread != NULL)
        {
          g_thread_join (t->thread);
          t->thread = NULL;
        }
    }
}

void
rt__job_teardown (RtJob *job)
{
  join_tasks (job);
  rt_mutex_lock (&job->lock);
  g_ptr_array_set_size (job->channels, 0);
  g_ptr_array_set_size (job->tasks, 0);
  job->result_notify = NULL;
  g_queue_clear_full (&job->held, held_free); /* their checkpoints never completed */
  g_clear_pointer (&job->snap_busy, g_free);
  g_clear_pointer (&job->snap_idle, g_free);
  g_clear_pointer (&job->snap_bp, g_free);
  g_clear_pointer (&job->snap_rows, g_free);
  rt_mutex_unlock (&job->lock);
}

static void
wake_all (RtJob *job)
{
  for (guint i = 0; i < job->tasks->len; i++)
    rt_notify_signal (((RtTask *) job->tasks->pdata[i])->notify);
  g_cond_broadcast (&job->changed);
}

/* The job ended well: every operator hears that what it staged is final (sinks commit
 * what they held back for checkpoints). Every task thread has finished. */
static gboolean
commit_final (RtJob *job, GError **error)
{
  for (guint i = 0; i < job->tasks->len; i++)
    {
      RtTask *t = job->tasks->pdata[i];

      for (guint k = 0; k < t->ops->len; k++)
        {
          RtOperator *op = t->ops->pdata[k];

          if (op->klass->notify_complete != NULL
              && !op->klass->notify_complete (op, RT_CHECKPOINT_FINAL, error))
            return FALSE;
        }
    }
  return TRUE;
}

void
rt__job_task_ended (RtJob *job, RtTask *task, GError *error)
{
  rt_mutex_lock (&job->lock);
  if (job->ckpt != NULL) /* added by checkpoints */
    rt__ckpt_task_ended (job->ckpt, task, error != NULL);
  if (task->replayable && error == NULL) /* added by lookup joins */
    job->n_replayable_ended++;
  if (error != NULL)
    {
      if (job->error == NULL)
        job->error = error;
      else
        g_error_free (error);
      g_atomic_int_set (&job->cancelled, 1);
    }
  if (--job->n_running == 0)
    {
      GError *final_error = NULL;

      if (job->error != NULL && job->ckpt != NULL
          && rt__ckpt_attempt_ended (job->ckpt, TRUE))
        {
          job->restarting = TRUE; /* the coordinator starts the next attempt */
          wake_all (job);
          rt_mutex_unlock (&job->lock);
          return;
        }
      if (job->error == NULL && !g_atomic_int_get (&job->cancelled)
          && !commit_final (job, &final_error))
        job->error = final_error;
      job->end_us = g_get_monotonic_time ();
      if (job->error != NULL)
        job->status = RT_JOB_FAILED;
      else if (job->status == RT_JOB_RUNNING && g_atomic_int_get (&job->cancelled))
        job->status = RT_JOB_CANCELLED;
      else
        job->status = RT_JOB_FINISHED;
    }
  /* Wake under the lock: once it is released a waiter may free the job, so the
     unlock is this thread's last touch of it (rt_job_free joins before clearing). */
  if (error != NULL)
    wake_all (job);
  else
    g_cond_broadcast (&job->changed);
  rt_mutex_unlock (&job->lock);
}

void
rt_job_cancel (RtJob *job)
{
  g_atomic_int_set (&job->user_cancelled, 1);
  g_atomic_int_set (&job->cancelled, 1);
  rt_mutex_lock (&job->lock);
  wake_all (job);
  rt_mutex_unlock (&job->lock);
  rt__ckpt_coord_wake (job->ckpt);
}

RtJobStatus
rt_job_wait (RtJob *job)
{
  RtJobStatus s;

  /* added by checkpoints: a failed attempt may be restarted, so wait for the job's end
   * rather than for the current tasks */
  rt_mutex_lock (&job->lock);
  while (job->status == RT_JOB_RUNNING)
    rt_cond_wait (&job->changed, &job->lock);
  s = job->status;
  rt_mutex_unlock (&job->lock);
  join_tasks (job);
  return s;
}

RtJobStatus
rt_job_get_status (RtJob *job)
{
  RtJobStatus s;

  rt_mutex_lock (&job->lock);
  s = job->status;
  rt_mutex_unlock (&job->lock);
  return s;
}

GError *
rt_job_dup_error (RtJob *job)
{
  GError *e;

  rt_mutex_lock (&job->lock);
  e = job->error != NULL ? g_error_copy (job->error) : NULL;
  rt_mutex_unlock (&job->lock);
  return e;
}

PlanPhysPlan *
rt_job_get_plan (RtJob *job)
{
  return job->plan;
}

guint64
rt_job_get_rows_read (RtJob *job)
{
  guint64 n = 0;

  rt_mutex_lock (&job->lock); /* a restart swaps the tasks under it */
  for (guint i = 0; i < job->tasks->len; i++)
    {
      RtTask *t = job->tasks->pdata[i];
      RtOperator *head = t->ops->pdata[0];

      if (head->klass->produce != NULL)
        n += head->rows_out;
    }
  rt_mutex_unlock (&job->lock);
  return n;
}

RtMemPool *
rt_job_get_pool (RtJob *job)
{
  return job->pool;
}

gint64
rt_job_get_start_us (RtJob *job)
{
  return job->start_us;
}

gint64
rt_job_get_end_us (RtJob *job)
{
  return job->end_us;
}

void
rt_job_free (RtJob *job)
{
  if (job == NULL)
    return;
  if (rt_job_get_status (job) == RT_JOB_RUNNING)
    rt_job_cancel (job);
  if (job->status != RT_JOB_CREATED)
    rt_job_wait (job); /* joins every task thread, finished or not */
  rt__ckpt_coord_free (job->ckpt); /* added by checkpoints */
  g_ptr_array_unref (job->channels);
  g_ptr_array_unref (job->tasks);
  g_queue_clear_full (&job->results, (GDestroyNotify) rt_batch_unref);
  g_queue_clear_full (&job->held, held_free);
  g_clear_error (&job->error);
  plan_phys_plan_unref (job->plan);
  g_mutex_clear (&job->lock);
  g_cond_clear (&job->changed);
  g_free (job->snap_busy);
  g_free (job->snap_idle);
  g_free (job->snap_bp);
  g_free (job->snap_rows);
  g_free (job);
}

RtBatch *
rt_job_pop_result (RtJob *job, gint64 timeout_us, gboolean *end)
{
  gint64 deadline = timeout_us < 0 ? -1 : g_get_monotonic_time () + timeout_us;
  RtBatch *b;
  gboolean ended;

  rt_mutex_lock (&job->lock);
  for (;;)
    {
      ended = job->status != RT_JOB_RUNNING && job->status != RT_JOB_CREATED;
      b = g_queue_pop_head (&job->results);
      if (b != NULL || ended || timeout_us == 0)
        break;
      if (deadline < 0)
        rt_cond_wait (&job->changed, &job->lock);
      else if (!rt_cond_wait_until (&job->changed, &job->lock, deadline))
        {
          b = g_queue_pop_head (&job->results);
          break;
        }
    }
  ended = job->status != RT_JOB_RUNNING && job->status != RT_JOB_CREATED;
  *end = ended && g_queue_is_empty (&job->results) && b == NULL;
  if (b != NULL && job->result_notify != NULL) /* under the lock: a restart replaces it */
    rt_notify_signal (job->result_notify);
  rt_mutex_unlock (&job->lock);
  return b;
}

/* ---- metrics ----------------------------------------------------------------------- */

static void
task_times (RtTask *t, gint64 now, guint64 *busy, guint64 *idle, guint64 *bp)
{
  gint64 b = t->busy_us, i = t->idle_us, since = t->state_since_us;
  gint64 p = rt__task_get_bp_us (t, now);

  if (!t->done && since > 0)
    {
      if (g_atomic_int_get (&t->state) == RT_TASK_BUSY)
        b += now - since;
      else
        i += now - since;
    }
  *bp = (guint64) MAX (p, 0);
  *busy = (guint64) MAX (b - p, 0);
  *idle = (guint64) MAX (i, 0);
}

static void
fill_ops (RtJob *job, RtJobMetrics *m, double secs, gboolean advance)
{
  g_autofree gboolean *seen = NULL; /* added by windows */

  m->n_ops = job->plan->nodes->len;
  m->ops = g_new0 (RtOpMetrics, m->n_ops);
  seen = g_new0 (gboolean, m->n_ops + 1);
  for (guint n = 0; n < m->n_ops; n++)
    {
      PlanPhysNode *pn = job->plan->nodes->pdata[n];
      m->ops[n].node_id = n;
      m->ops[n].name = plan_phys_node_label (pn);
      m->ops[n].parallelism = pn->parallelism;
      m->ops[n].current_watermark = RT_WATERMARK_NONE; /* added by windows */
    }
  for (guint ti = 0; ti < job->tasks->len; ti++)
    {
      RtTask *t = job->tasks->pdata[ti];
      for (guint k = 0; k < t->ops->len; k++)
        {
          RtOperator *op = t->ops->pdata[k];
          RtOpMetrics *om = &m->ops[op->node_id];
          gint64 wm;
          om->rows_in += op->rows_in;
          om->rows_out += op->rows_out;
          om->rows_dropped += op->rows_dropped;
          om->late_records_dropped += op->late_records_dropped; /* added by windows */
          wm = __atomic_load_n (&t->watermark, __ATOMIC_RELAXED);
          if (!seen[op->node_id] || wm < om->current_watermark)
            om->current_watermark = wm; /* min over the op's subtasks */
          seen[op->node_id] = TRUE;
          if (k == 0 && op->klass->produce != NULL)
            m->rows_read += op->rows_out;
        }
    }
  if (job->snap_rows == NULL)
    job->snap_rows = g_new0 (guint64, m->n_ops);
  for (guint n = 0; n < m->n_ops; n++)
    {
      RtOpMetrics *om = &m->ops[n];
      RtHistogram merged = { { 0 }, 0 };

      om->rows_out_per_s = secs > 0.001 ? (double) (om->rows_out - job->snap_rows[n]) / secs : 0;
      if (advance)
        job->snap_rows[n] = om->rows_out;
      for (guint ti = 0; ti < job->tasks->len; ti++)
        {
          RtTask *t = job->tasks->pdata[ti];
          for (guint k = 0; k < t->ops->len; k++)
            if (((RtOperator *) t->ops->pdata[k])->node_id == n)
              {
                for (guint b = 0; b < 64 * RT_HIST_SUB; b++)
                  merged.counts[b] += t->latency[k].counts[b];
                merged.total += t->latency[k].total;
              }
        }
      om->latency_p50_ms = rt__histogram_percentile_ms (&merged, 0.50);
      om->latency_p95_ms = rt__histogram_percentile_ms (&merged, 0.95);
      om->latency_p99_ms = rt__histogram_percentile_ms (&merged, 0.99);
    }
}

RtJobMetrics *
rt_job_snapshot_metrics (RtJob *job)
{
  RtJobMetrics *m = g_new0 (RtJobMetrics, 1);
  gint64 now;
  double secs;
  gboolean advance;

  rt_mutex_lock (&job->lock);
  m->status = job->status;
  now = job->end_us != 0 ? job->end_us : g_get_monotonic_time ();
  m->elapsed_us = job->start_us != 0 ? now - job->start_us : 0;
  /* Rates are over the window since the baseline; the baseline moves on once the window
   * is a second long, so snapshots taken in quick succession still see real rates. */
  secs = (double) (now - job->snap_us) / 1e6;
  advance = secs >= 1.0;
  if (job->snap_busy == NULL)
    {
      job->snap_busy = g_new0 (guint64, job->tasks->len);
      job->snap_idle = g_new0 (guint64, job->tasks->len);
      job->snap_bp = g_new0 (guint64, job->tasks->len);
    }
  m->n_tasks = job->tasks->len;
  m->tasks = g_new0 (RtTaskMetrics, m->n_tasks);
  for (guint i = 0; i < m->n_tasks; i++)
    {
      RtTask *t = job->tasks->pdata[i];
      RtTaskMetrics *tm = &m->tasks[i];
      guint64 b, id, bp;

      task_times (t, now, &b, &id, &bp);
      tm->name = g_strdup (t->name);
      tm->subtask = t->subtask;
      tm->parallelism = t->parallelism;
      tm->busy_us = b;
      tm->idle_us = id;
      tm->backpressured_us = bp;
      if (secs > 0.001)
        {
          tm->busy_ms_per_s = MIN (1000.0, (double) (b - MIN (b, job->snap_busy[i])) / 1000.0 / secs);
          tm->idle_ms_per_s = MIN (1000.0, (double) (id - MIN (id, job->snap_idle[i])) / 1000.0 / secs);
          tm->backpressured_ms_per_s =
            MIN (1000.0, (double) (bp - MIN (bp, job->snap_bp[i])) / 1000.0 / secs);
        }
      if (advance)
        {
          job->snap_busy[i] = b;
          job->snap_idle[i] = id;
          job->snap_bp[i] = bp;
        }
      tm->out_queue_fill = t->writer != NULL ? rt_writer_get_fill (t->writer) : 0;
    }
  fill_ops (job, m, secs, advance);
  if (advance)
    job->snap_us = now;
  rt_mutex_unlock (&job->lock);
  return m;
}

void
rt_job_metrics_free (RtJobMetrics *m)
{
  if (m == NULL)
    return;
  for (guint i = 0; i < m->n_tasks; i++)
    g_free (m->tasks[i].name);
  for (guint i = 0; i < m->n_ops; i++)
    g_free (m->ops[i].name);
  g_free (m->tasks);
  g_free (m->ops);
  g_free (m);
}
