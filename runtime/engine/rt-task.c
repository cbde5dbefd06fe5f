/* rt-task.c: a task runs one subtask of a chain of operators on its own thread
 * (DESIGN.md 4.4).
 *
 * The loop is a mailbox loop: between two units of work it runs the mails posted by
 * other threads (so nothing but this thread touches operator state), then does one step:
 * a source produces one batch, or one element is taken from the inputs (round robin, so
 * no input starves). When there is nothing to do the task parks on its RtNotify until
 * input, credit, a mail, cancellation or the next buffer-timeout flush wakes it.
 *
 * Time is accounted as Flink does: idle while parked without input, backpressured while
 * the writer or the collect sink waits for credit, busy otherwise. */
#include "rt-checkpoint-private.h" /* added by checkpoints */

#include <math.h>

/* ---- latency histogram ------------------------------------------------------------- */

void
rt__histogram_add (RtHistogram *h, gint64 us)
{
  guint64 v = us < 0 ? 0 : (guint64) us;
  guint idx;

  if (v < RT_HIST_SUB)
    idx = (guint) v;
  else
    {
      guint msb = 63 - (guint) __builtin_clzll (v);   /* >= 4 */
      guint sub = (guint) ((v >> (msb - 4)) & (RT_HIST_SUB - 1));
      idx = (msb - 3) * RT_HIST_SUB + sub;
    }
  h->counts[MIN (idx, 64 * RT_HIST_SUB - 1)]++;
  h->total++;
}

static double
bucket_upper_us (guint idx)
{
  guint group = idx / RT_HIST_SUB, sub = idx % RT_HIST_SUB;

  if (group == 0)
    return sub + 1;
  return ldexp ((double) (RT_HIST_SUB + sub + 1), (int) group - 1);
}

double
rt__histogram_percentile_ms (const RtHistogram *h, double p)
{
  guint64 want, seen = 0;

  if (h->total == 0)
    return -1;
  want = (guint64) ceil (p * (double) h->total);
  want = MAX (want, 1u);
  for (guint i = 0; i < 64 * RT_HIST_SUB; i++)
    {
      seen += h->counts[i];
      if (seen >= want)
        return bucket_upper_us (i) / 1000.0;
    }
  return -1;
}

/* ---- task -------------------------------------------------------------------------- */

RtTask *
rt__task_new (RtJob *job, const char *name, guint subtask, guint parallelism)
{
  RtTask *t = g_new0 (RtTask, 1);

  t->job = job;
  t->name = g_strdup (name);
  t->subtask = subtask;
  t->parallelism = parallelism;
  t->ops = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_operator_free);
  t->notify = rt_notify_new ();
  g_mutex_init (&t->mail_lock);
  g_queue_init (&t->mails);
  t->ctx.pool = job->pool;
  t->ctx.subtask = subtask;
  t->ctx.parallelism = parallelism;
  t->ctx.batch_size = job->config.batch_size;
  t->ctx.cancelled = &job->cancelled;
  t->watermark = RT_WATERMARK_NONE; /* added by windows */
  return t;
}

/* added by checkpointed operators: a mail still queued when its task is freed (the task
 * ended, or a restart tore it down, before running it) frees its payload too; every
 * poster (rt-checkpoint.c) passes g_malloc'd data or NULL. */
static void
mail_free (gpointer p)
{
  RtMail *m = p;

  g_free (m->data);
  g_free (m);
}

void
rt__task_free (RtTask *t)
{
  if (t == NULL)
    return;
  g_ptr_array_unref (t->ops);
  g_free (t->inputs);
  rt_writer_free (t->writer);
  rt_notify_free (t->notify);
  g_clear_error (&t->error);
  g_queue_clear_full (&t->mails, mail_free);
  g_mutex_clear (&t->mail_lock);
  g_free (t->latency);
  rt__wm_valve_free (t->valve); /* added by windows */
  g_free (t->name);
  g_free (t);
}

void
rt__task_post_mail (RtTask *t, void (*fn) (RtTask *, gpointer), gpointer data)
{
  RtMail *m = g_new (RtMail, 1);

  m->fn = fn;
  m->data = data;
  rt_mutex_lock (&t->mail_lock);
  g_queue_push_tail (&t->mails, m);
  g_atomic_int_set (&t->has_mail, 1);
  rt_mutex_unlock (&t->mail_lock);
  rt_notify_signal (t->notify);
}

static void
run_mails (RtTask *t)
{
  if (!g_atomic_int_get (&t->has_mail))
    return;
  for (;;)
    {
      RtMail *m;

      rt_mutex_lock (&t->mail_lock);
      m = g_queue_pop_head (&t->mails);
      if (m == NULL)
        g_atomic_int_set (&t->has_mail, 0);
      rt_mutex_unlock (&t->mail_lock);
      if (m == NULL)
        return;
      m->fn (t, m->data);
      g_free (m);
    }
}

gint64
rt__task_get_bp_us (RtTask *t, gint64 now_us)
{
  return rt_block_clock_read (&t->collect_blocked, now_us)
         + (t->writer != NULL ? rt_writer_get_blocked_us (t->writer, now_us) : 0);
}

static RtOperator *
head_op (RtTask *t)
{
  return t->ops->pdata[0];
}

/* Sends an event to every operator's on_event in chain order, then downstream. */
static RtResult
forward_event (RtTask *t, const RtEvent *ev, guint input, GError **error)
{
  gint64 now = g_get_monotonic_time ();
  RtEvent held; /* added by interval joins: a watermark an operator holds back */

  for (guint i = 0; i < t->ops->len; i++)
    {
      RtOperator *op = t->ops->pdata[i];

      if (ev->kind == RT_EVENT_LATENCY_MARKER)
        rt__histogram_add (&t->latency[i], now - ev->value);
      if (op->klass->on_event != NULL
          && op->klass->on_event (op, ev, i == 0 ? input : 0, error) == RT_FAIL)
        return RT_FAIL;
      if (ev->kind == RT_EVENT_WATERMARK && op->klass->output_watermark != NULL)
        {
          held = *ev;
          held.value = op->klass->output_watermark (op, ev->value);
          ev = &held;
        }
    }
  if (t->writer != NULL)
    return rt_writer_event (t->writer, ev, error);
  return RT_OK;
}

/* All input consumed (or no more wanted): finish every operator, flush, tell downstream. */
static RtResult
finish_chain (RtTask *t, GError **error)
{
  RtEvent eoi = { RT_EVENT_END_OF_INPUT, 0, 0 };

  for (guint i = 0; i < t->ops->len; i++)
    {
      RtOperator *op = t->ops->pdata[i];

      if (op->klass->finish != NULL && op->klass->finish (op, error) == RT_FAIL)
        return RT_FAIL;
    }
  for (guint i = 0; i < t->n_inputs; i++)
    rt_channel_close (t->inputs[i].channel);
  if (t->writer != NULL && rt_writer_event (t->writer, &eoi, error) == RT_FAIL)
    return RT_FAIL;
  return RT_DONE;
}

/* added by runtime modes: all input ended (a source's, or the last channel's). As
 * finish_chain, but each operator in chain order first gets the final watermark, and
 * downstream gets it after all of them finished: what an operator emits on finishing (a
 * batch join's unmatched rows, every row of a merge join) then comes ahead of the final
 * watermark instead of behind it, where a window would drop it as late. */
static RtResult
end_chain (RtTask *t, GError **error)
{
  RtEvent wm = { RT_EVENT_WATERMARK, RT_WATERMARK_MAX, 0 };
  RtEvent eoi = { RT_EVENT_END_OF_INPUT, 0, 0 };
  gboolean send = t->watermark < RT_WATERMARK_MAX;

  if (send)
    __atomic_store_n (&t->watermark, RT_WATERMARK_MAX, __ATOMIC_RELAXED);
  for (guint i = 0; i < t->ops->len; i++)
    {
      RtOperator *op = t->ops->pdata[i];

      if (send && op->klass->on_event != NULL
          && op->klass->on_event (op, &wm, 0, error) == RT_FAIL)
        return RT_FAIL;
      if (op->klass->finish != NULL && op->klass->finish (op, error) == RT_FAIL)
        return RT_FAIL;
    }
  for (guint i = 0; i < t->n_inputs; i++)
    rt_channel_close (t->inputs[i].channel);
  if (t->writer != NULL && send && rt_writer_event (t->writer, &wm, error) == RT_FAIL)
    return RT_FAIL;
  if (t->writer != NULL && rt_writer_event (t->writer, &eoi, error) == RT_FAIL)
    return RT_FAIL;
  return RT_DONE;
}

/* ---- event time (added by windows; the operators are in rt-op-window.c) ------------- */

/* Sends watermark wm through the chain and downstream, if it is ahead of the last one. */
static RtResult
emit_watermark (RtTask *t, gint64 wm, GError **error)
{
  RtEvent ev = { RT_EVENT_WATERMARK, wm, 0 };

  if (wm <= t->watermark)
    return RT_OK;
  __atomic_store_n (&t->watermark, wm, __ATOMIC_RELAXED);
  return forward_event (t, &ev, 0, error);
}

/* A source's periodic watermark and idleness, around one produce step: `before` is the
 * source's rows_out before it. Lowers *park_until to the next time either is due. */
static RtResult
source_event_time (RtTask *t, guint64 before, gint64 *park_until, GError **error)
{
  gint64 now = g_get_monotonic_time (), interval = t->job->config.watermark_interval_us;
  gint64 due = -1;

  if (head_op (t)->rows_out != before || t->last_data_us == 0)
    {
      t->last_data_us = now;
      t->idle = FALSE;
    }
  if (t->wm_assigner != NULL)
    {
      /* interval 0 (a strom extension): after every batch, which makes runs repeatable */
      if (interval <= 0 || now >= t->next_wm_us)
        {
          t->next_wm_us = now + interval;
          if (emit_watermark (t, rt__wm_assigner_current (t->wm_assigner), error) == RT_FAIL)
            return RT_FAIL;
        }
      if (interval > 0)
        due = t->next_wm_us;
    }
  if (t->idle_timeout_us > 0 && !t->idle)
    {
      if (now - t->last_data_us >= t->idle_timeout_us)
        {
          RtEvent ev = { RT_EVENT_IDLE, 1, 0 };

          t->idle = TRUE;
          if (forward_event (t, &ev, 0, error) == RT_FAIL)
            return RT_FAIL;
        }
      else if (due < 0 || t->last_data_us + t->idle_timeout_us < due)
        due = t->last_data_us + t->idle_timeout_us;
    }
  if (due >= 0 && (*park_until < 0 || due < *park_until))
    *park_until = due;
  return RT_OK;
}

/* Watermark, idleness and end of input of one input channel, through the valve. */
static RtResult
input_event_time (RtTask *t, RtTaskInput *in, const RtEvent *ev, GError **error)
{
  guint i = (guint) (in - t->inputs);
  gint64 wm;
  gboolean advanced = FALSE;

  if (t->valve == NULL)
    t->valve = rt__wm_valve_new (t->n_inputs);
  if (ev->kind == RT_EVENT_WATERMARK)
    advanced = rt__wm_valve_watermark (t->valve, i, ev->value, &wm);
  else if (ev->kind == RT_EVENT_IDLE)
    {
      advanced = rt__wm_valve_idle (t->valve, i, &wm);
      if (rt__wm_valve_is_idle (t->valve) && forward_event (t, ev, 0, error) == RT_FAIL)
        return RT_FAIL;
    }
  else if (ev->kind == RT_EVENT_END_OF_INPUT)
    advanced = rt__wm_valve_ended (t->valve, i, &wm);
  if (advanced && wm == RT_WATERMARK_MAX) /* added by runtime modes: every input gave its */
    return RT_OK; /* final word (ends follow): end_chain sends it after the operators */
  return advanced ? emit_watermark (t, wm, error) : RT_OK;
}

static RtResult
step_source (RtTask *t, gint64 *park_until, GError **error)
{
  RtOperator *src = head_op (t);
  gint64 interval = t->job->config.latency_interval_us;
  guint64 before;
  RtResult r;

  if (interval > 0)
    {
      gint64 now = g_get_monotonic_time ();

      if (now >= t->next_marker_us)
        {
          RtEvent m = { RT_EVENT_LATENCY_MARKER, now, src->node_id };

          t->next_marker_us = now + interval;
          if (forward_event (t, &m, 0, error) == RT_FAIL)
            return RT_FAIL;
        }
    }
  before = src->rows_out; /* added by windows */
  r = t->end_held_since_us > 0 ? RT_DONE : src->klass->produce (src, error);
  switch (r)
    {
    case RT_OK:
      return source_event_time (t, before, park_until, error) == RT_FAIL ? RT_FAIL : RT_OK;
    case RT_WAIT:
      *park_until = src->ctx->wake_at_us;
      if (interval > 0 && (*park_until < 0 || t->next_marker_us < *park_until))
        *park_until = t->next_marker_us;
      if (source_event_time (t, before, park_until, error) == RT_FAIL)
        return RT_FAIL;
      return RT_WAIT;
    case RT_DONE:
      if (rt__ckpt_hold_end (t)) /* tests: wait for the injected failure */
        {
          *park_until = g_get_monotonic_time () + 1000;
          return RT_WAIT;
        }
      /* added by windows: a bounded source ends with the final watermark (runtime modes:
       * after its operators finished) */
      return end_chain (t, error);
    case RT_FAIL:
      return RT_FAIL;
    }
  return RT_FAIL;
}

static RtResult
handle_element (RtTask *t, RtTaskInput *in, RtElement *e, GError **error)
{
  RtOperator *head = head_op (t);
  RtResult r = RT_OK;

  if (e->kind == RT_ELEM_BATCH)
    {
      if (t->valve != NULL) /* added by windows: rows make an idle input active again */
        rt__wm_valve_active (t->valve, (guint) (in - t->inputs));
      head->rows_in += e->batch->n_rows;
      r = head->klass->process (head, e->batch, in->input, error);
      rt_batch_unref (e->batch);
      if (r == RT_DONE)
        return finish_chain (t, error);
      return r;
    }
  if (e->event.kind == RT_EVENT_WATERMARK || e->event.kind == RT_EVENT_IDLE)
    return input_event_time (t, in, &e->event, error); /* added by windows */
  if (e->event.kind == RT_EVENT_BARRIER) /* added by checkpoints */
    return rt__ckpt_on_barrier (t, in, e->event.value, error);
  if (e->event.kind == RT_EVENT_END_OF_INPUT)
    {
      in->ended = TRUE;
      if (input_event_time (t, in, &e->event, error) == RT_FAIL) /* added by windows */
        return RT_FAIL;
      if (++t->n_ended == t->n_inputs)
        return end_chain (t, error); /* runtime modes: was finish_chain */
      if (rt__ckpt_input_ended (t, error) == RT_FAIL) /* added by checkpoints */
        return RT_FAIL;
      /* added by joins: the head learns when every channel of one input has ended */
      for (guint i = 0; i < t->n_inputs; i++)
        if (t->inputs[i].input == in->input && !t->inputs[i].ended)
          return RT_OK;
      if (head->klass->on_event != NULL)
        return head->klass->on_event (head, &e->event, in->input, error) == RT_FAIL
               ? RT_FAIL : RT_OK;
      return RT_OK;
    }
  return forward_event (t, &e->event, in->input, error);
}

static RtResult
step_inputs (RtTask *t, gint64 *park_until, GError **error)
{
  for (guint k = 0; k < t->n_inputs; k++)
    {
      guint i = (t->next_input + k) % t->n_inputs;
      RtTaskInput *in = &t->inputs[i];
      RtElement e;

      if (in->ended || (head_op (t)->paused_inputs >> MIN (in->input, 31u) & 1) /* joins */
          || rt__ckpt_input_blocked (t, in) /* checkpoints: aligning */
          || !rt_channel_try_pop (in->channel, &e))
        continue;
      t->next_input = i + 1;
      return handle_element (t, in, &e, error);
    }
  *park_until = -1;
  return RT_WAIT;
}

/* added by the timer service: calls on_proctime of each operator of the chain whose
 * processing-time timer is due; sets *due_us (monotonic; -1: none) to when the task must
 * look again: at the earliest timer by the wall clock, every 5 ms with a test's clock. */
static RtResult
proctime_timers (RtTask *t, gint64 *due_us, GError **error)
{
  gint64 now_ms = G_MININT64;

  *due_us = -1;
  for (guint i = 0; i < t->ops->len; i++)
    {
      RtOperator *op = t->ops->pdata[i];
      gint64 wait_us, due;

      if (op->klass->on_proctime == NULL || op->proctime_timer_ms == G_MAXINT64)
        continue;
      if (now_ms == G_MININT64)
        now_ms = rt_proctime_now_ms ();
      if (now_ms >= op->proctime_timer_ms)
        {
          op->proctime_timer_ms = G_MAXINT64;
          if (op->klass->on_proctime (op, now_ms, error) == RT_FAIL)
            return RT_FAIL;
          if (op->proctime_timer_ms == G_MAXINT64)
            continue;
        }
      wait_us = rt_proctime_clock_is_wall () ? (op->proctime_timer_ms - now_ms) * 1000 : 5000;
      due = g_get_monotonic_time () + CLAMP (wait_us, 0, G_MAXINT64 / 4);
      if (*due_us < 0 || due < *due_us)
        *due_us = due;
    }
  return RT_OK;
}

RtResult
rt__task_step (RtTask *t, gint64 *park_until_us, GError **error)
{
  RtResult r;
  gint64 next_flush = -1;

  run_mails (t);
  if (g_atomic_int_get (&t->job->cancelled))
    return RT_DONE;
  if (rt__ckpt_check_fail_rows (t, error) == RT_FAIL) /* added by checkpoints */
    return RT_FAIL;
  *park_until_us = -1;
  if (head_op (t)->klass->produce != NULL)
    r = step_source (t, park_until_us, error);
  else
    r = step_inputs (t, park_until_us, error);
  if (r == RT_OK || r == RT_WAIT)
    {
      if (t->writer != NULL)
        {
          RtResult fr = rt_writer_flush_due (t->writer, g_get_monotonic_time (), &next_flush,
                                             error);
          if (fr == RT_DONE && head_op (t)->klass->produce != NULL)
            return finish_chain (t, error); /* nobody downstream wants more */
        }
      if (r == RT_WAIT && next_flush >= 0 && (*park_until_us < 0 || next_flush < *park_until_us))
        *park_until_us = next_flush;
    }
  if (r == RT_OK || r == RT_WAIT) /* added by the timer service */
    {
      gint64 due;

      if (proctime_timers (t, &due, error) == RT_FAIL)
        return RT_FAIL;
      if (r == RT_WAIT && due >= 0 && (*park_until_us < 0 || due < *park_until_us))
        *park_until_us = due;
    }
  return r;
}

static void
set_state (RtTask *t, RtTaskState s, gint64 now)
{
  gint64 spent = now - t->state_since_us;

  if (g_atomic_int_get (&t->state) == RT_TASK_BUSY)
    t->busy_us += spent;
  else
    t->idle_us += spent;
  t->state_since_us = now;
  g_atomic_int_set (&t->state, s);
}

static gboolean
has_input (RtTask *t)
{
  for (guint i = 0; i < t->n_inputs; i++)
    if (!t->inputs[i].ended && rt_channel_get_fill (t->inputs[i].channel) > 0
        && !(head_op (t)->paused_inputs >> MIN (t->inputs[i].input, 31u) & 1) /* joins */
        && !rt__ckpt_input_blocked (t, &t->inputs[i])) /* checkpoints */
      return TRUE;
  return g_atomic_int_get (&t->has_mail) || g_atomic_int_get (&t->job->cancelled);
}

gpointer
rt__task_thread (gpointer data)
{
  RtTask *t = data;
  GError *error = NULL;
  RtResult r = RT_OK;

  t->state_since_us = g_get_monotonic_time ();
  t->next_marker_us = t->state_since_us;
  for (guint i = 0; i < t->ops->len && r != RT_FAIL; i++)
    {
      RtOperator *op = t->ops->pdata[i];
      if (op->klass->open != NULL && !op->klass->open (op, &error))
        r = RT_FAIL;
      else if (!rt__ckpt_restore_operator (t->job->ckpt, t, op, &error)) /* checkpoints */
        r = RT_FAIL;
    }
  while (r != RT_FAIL && r != RT_DONE)
    {
      gint64 park_until = -1;

      r = rt__task_step (t, &park_until, &error);
      if (r != RT_WAIT)
        continue;
      rt_notify_prepare (t->notify);
      if (has_input (t) || (park_until >= 0 && park_until <= g_get_monotonic_time ()))
        {
          rt_notify_cancel_prepare (t->notify);
          continue;
        }
      set_state (t, RT_TASK_IDLE, g_get_monotonic_time ());
      rt_notify_wait (t->notify, park_until);
      set_state (t, RT_TASK_BUSY, g_get_monotonic_time ());
    }
  set_state (t, RT_TASK_BUSY, g_get_monotonic_time ());
  /* A failing or cancelled task must not leave producers waiting on its inputs. */
  for (guint i = 0; i < t->n_inputs; i++)
    rt_channel_close (t->inputs[i].channel);
  t->done = TRUE;
  rt__job_task_ended (t->job, t, r == RT_FAIL ? error : NULL);
  if (r != RT_FAIL)
    g_clear_error (&error);
  return NULL;
}
