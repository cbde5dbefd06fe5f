/* rt-channel.c: SPSC rings with credits, parking, and the partitioning output writer.
 *
 * A channel is a ring of `credits` slots between exactly one producer subtask and one
 * consumer subtask. The producer owns `tail`, the consumer owns `head`; each publishes
 * with a release store and reads the other's index with an acquire load, so the hot path
 * takes no lock. A free slot is a credit: a producer with none first spins a little
 * (the consumer is usually about to pop), then parks on its task's RtNotify. Whoever
 * changes the ring checks, after a full fence, whether the other side is parked and only
 * then pays for the mutex and condition variable (a wake costs tens of microseconds, a
 * fence a few nanoseconds). That is Dekker's handshake: each side stores its own flag or
 * index before it loads the other's, so one of them always sees the other.
 *
 * The writer accumulates rows per target channel into pooled batches and flushes them
 * when full or when the buffer timeout passes (Flink's buffer timeout); a big batch on a
 * one-target edge is handed on by reference without a copy. */
#include "rt-channel.h"

#include <string.h>

#define SPIN_TRIES 64

struct _RtNotify {
  GMutex lock;
  GCond cond;
  gint parked;     /* atomic: the owner is about to wait or waiting */
  gboolean signal; /* under lock */
};

RtNotify *
rt_notify_new (void)
{
  RtNotify *n = g_new0 (RtNotify, 1);

  g_mutex_init (&n->lock);
  g_cond_init (&n->cond);
  return n;
}

void
rt_notify_free (RtNotify *notify)
{
  if (notify == NULL)
    return;
  g_mutex_clear (&notify->lock);
  g_cond_clear (&notify->cond);
  g_free (notify);
}

void
rt_notify_prepare (RtNotify *notify)
{
  g_atomic_int_set (&notify->parked, 1);
  __atomic_thread_fence (__ATOMIC_SEQ_CST);
}

void
rt_notify_cancel_prepare (RtNotify *notify)
{
  g_atomic_int_set (&notify->parked, 0);
}

void
rt_notify_wait (RtNotify *notify, gint64 deadline_us)
{
  rt_mutex_lock (&notify->lock);
  while (!notify->signal)
    {
      if (deadline_us < 0)
        rt_cond_wait (&notify->cond, &notify->lock);
      else if (!rt_cond_wait_until (&notify->cond, &notify->lock, deadline_us))
        break;
    }
  notify->signal = FALSE;
  rt_mutex_unlock (&notify->lock);
  g_atomic_int_set (&notify->parked, 0);
}

void
rt_notify_signal (RtNotify *notify)
{
  __atomic_thread_fence (__ATOMIC_SEQ_CST);
  if (!g_atomic_int_get (&notify->parked))
    return;
  rt_mutex_lock (&notify->lock);
  notify->signal = TRUE;
  g_cond_signal (&notify->cond);
  rt_mutex_unlock (&notify->lock);
}

gboolean
rt_notify_is_parked (RtNotify *notify)
{
  return g_atomic_int_get (&notify->parked) != 0;
}

struct _RtChannel {
  /* producer side */
  guint64 tail __attribute__ ((aligned (64)));
  RtNotify *producer;
  /* consumer side */
  guint64 head __attribute__ ((aligned (64)));
  RtNotify *consumer;
  /* shared, read-mostly */
  guint credits __attribute__ ((aligned (64)));
  gint closed;
  RtElement *slots;
};

RtChannel *
rt_channel_new (guint credits, RtNotify *producer, RtNotify *consumer)
{
  RtChannel *ch = g_aligned_alloc0 (1, sizeof (RtChannel), 64);

  ch->credits = MAX (credits, 1u);
  ch->slots = g_new0 (RtElement, ch->credits);
  ch->producer = producer;
  ch->consumer = consumer;
  return ch;
}

void
rt_channel_free (RtChannel *channel)
{
  if (channel == NULL)
    return;
  /* Drain without rt_channel_try_pop: its wake-up would touch notifies that the tasks
   * owning them may already have freed. */
  for (guint64 i = channel->head; i < channel->tail; i++)
    {
      RtElement *e = &channel->slots[i % channel->credits];
      if (e->kind == RT_ELEM_BATCH)
        rt_batch_unref (e->batch);
    }
  g_free (channel->slots);
  g_aligned_free (channel);
}

gboolean
rt_channel_try_push (RtChannel *ch, RtElement *elem)
{
  guint64 tail = ch->tail;
  guint64 head = __atomic_load_n (&ch->head, __ATOMIC_ACQUIRE);

  if (tail - head >= ch->credits)
    return FALSE;
  ch->slots[tail % ch->credits] = *elem;
  __atomic_store_n (&ch->tail, tail + 1, __ATOMIC_RELEASE);
  rt_notify_signal (ch->consumer);
  return TRUE;
}

gboolean
rt_channel_try_pop (RtChannel *ch, RtElement *out)
{
  guint64 head = ch->head;
  guint64 tail = __atomic_load_n (&ch->tail, __ATOMIC_ACQUIRE);

  if (head == tail)
    return FALSE;
  *out = ch->slots[head % ch->credits];
  __atomic_store_n (&ch->head, head + 1, __ATOMIC_RELEASE);
  rt_notify_signal (ch->producer);
  return TRUE;
}

guint
rt_channel_get_fill (RtChannel *ch)
{
  guint64 tail = __atomic_load_n (&ch->tail, __ATOMIC_ACQUIRE);
  guint64 head = __atomic_load_n (&ch->head, __ATOMIC_ACQUIRE);

  return (guint) (tail - head);
}

guint
rt_channel_get_credits (RtChannel *ch)
{
  return ch->credits;
}

void
rt_channel_close (RtChannel *ch)
{
  g_atomic_int_set (&ch->closed, 1);
  g_atomic_int_set (&ch->producer->parked, 1);
  rt_notify_signal (ch->producer);
}

gboolean
rt_channel_is_closed (RtChannel *ch)
{
  return g_atomic_int_get (&ch->closed) != 0;
}

static void
drop_element (RtElement *elem)
{
  if (elem->kind == RT_ELEM_BATCH)
    rt_batch_unref (elem->batch);
}

gboolean
rt_channel_push (RtChannel *ch, RtElement *elem, volatile gint *cancelled, RtBlockClock *clock)
{
  gint64 t0 = 0;

  for (guint spin = 0;; spin++)
    {
      if (rt_channel_is_closed (ch) || (cancelled != NULL && g_atomic_int_get (cancelled)))
        break;
      if (rt_channel_try_push (ch, elem))
        {
          if (t0 != 0 && clock != NULL)
            rt_block_clock_stop (clock, g_get_monotonic_time ());
          return TRUE;
        }
      if (t0 == 0)
        {
          t0 = g_get_monotonic_time ();
          if (clock != NULL)
            rt_block_clock_start (clock, t0);
        }
      if (spin < SPIN_TRIES)
        {
#if defined(__x86_64__) || defined(__i386__)
          __builtin_ia32_pause ();
#endif
          continue;
        }
      rt_notify_prepare (ch->producer);
      if (rt_channel_get_fill (ch) < ch->credits || rt_channel_is_closed (ch))
        {
          rt_notify_cancel_prepare (ch->producer);
          continue;
        }
      /* A bounded wait so a cancellation flag is seen even without a signal. */
      rt_notify_wait (ch->producer, g_get_monotonic_time () + 50 * 1000);
    }
  if (t0 != 0 && clock != NULL)
    rt_block_clock_stop (clock, g_get_monotonic_time ());
  drop_element (elem);
  return FALSE;
}

/* ---- key groups -------------------------------------------------------------------- */

static inline guint64
mix64 (guint64 x)
{
  x ^= x >> 33;
  x *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  x ^= x >> 33;
  x *= G_GUINT64_CONSTANT (0xc4ceb9fe1a85ec53);
  x ^= x >> 33;
  return x;
}

guint
rt_key_group_of_row (const RtBatch *batch, guint row, const guint *keys, guint n_keys)
{
  guint64 h = 0x9e3779b97f4a7c15u;

  for (guint k = 0; k < n_keys; k++)
    {
      const RtVector *v = &batch->cols[keys[k]];
      guint64 x = 0;

      if (!rt_vec_is_valid (v, row))
        x = 0x6e756c6cu; /* all NULLs hash alike */
      else
        switch (v->kind)
          {
          case PLAN_TYPE_BOOLEAN:
            x = ((const guint8 *) v->data)[row];
            break;
          case PLAN_TYPE_INT:
          case PLAN_TYPE_DATE:
            x = (guint64) (gint64) ((const gint32 *) v->data)[row];
            break;
          case PLAN_TYPE_BIGINT:
          case PLAN_TYPE_DECIMAL:
          case PLAN_TYPE_TIMESTAMP:
          case PLAN_TYPE_INTERVAL:
            x = (guint64) ((const gint64 *) v->data)[row];
            break;
          case PLAN_TYPE_DOUBLE:
            {
              double d = ((const double *) v->data)[row];
              if (d == 0.0)
                d = 0.0; /* -0.0 and 0.0 are one key */
              memcpy (&x, &d, sizeof x);
            }
            break;
          case PLAN_TYPE_VARCHAR:
            {
              RtStr s = ((const RtStr *) v->data)[row];
              guint64 sh = 1469598103934665603u;
              for (guint32 i = 0; i < s.len; i++)
                sh = (sh ^ (guint8) s.ptr[i]) * 1099511628211u;
              x = sh;
            }
            break;
          case PLAN_TYPE_NULL:
            break;
          }
      h = mix64 (h ^ x) + k;
    }
  return (guint) (mix64 (h) % RT_MAX_PARALLELISM);
}

guint
rt_key_group_to_subtask (guint key_group, guint parallelism)
{
  return key_group * parallelism / RT_MAX_PARALLELISM;
}

/* ---- writer ------------------------------------------------------------------------ */

typedef struct {
  RtChannel *channel;  /* borrowed */
  RtBatch *pending;    /* owned, NULL when nothing is buffered */
  gint64 first_us;     /* when the first pending row was added */
} RtTarget;

struct _RtWriter {
  PlanExchangeKind exchange;
  guint n_targets;
  RtTarget *targets;
  PlanSchema *schema; /* owned ref */
  RtMemPool *pool;
  guint batch_size;
  gint64 timeout_us;
  guint *keys;
  guint n_keys;
  guint next_rr;
  volatile gint *cancelled;
  RtBlockClock blocked;
  guint32 *scratch; /* per-row targets for HASH */
};

RtWriter *
rt_writer_new (PlanExchangeKind exchange, guint n_channels, RtChannel **channels,
               PlanSchema *schema, RtMemPool *pool, guint batch_size, gint64 timeout_us,
               const guint *keys, guint n_keys, volatile gint *cancelled)
{
  RtWriter *w = g_new0 (RtWriter, 1);

  w->exchange = exchange;
  w->n_targets = n_channels;
  w->targets = g_new0 (RtTarget, n_channels);
  for (guint i = 0; i < n_channels; i++)
    w->targets[i].channel = channels[i];
  w->schema = plan_schema_ref (schema);
  w->pool = pool;
  w->batch_size = MAX (batch_size, 1u);
  w->timeout_us = timeout_us;
  w->keys = n_keys > 0 ? g_memdup2 (keys, sizeof (guint) * n_keys) : NULL;
  w->n_keys = n_keys;
  w->cancelled = cancelled;
  return w;
}

void
rt_writer_free (RtWriter *w)
{
  if (w == NULL)
    return;
  for (guint i = 0; i < w->n_targets; i++)
    g_clear_pointer (&w->targets[i].pending, rt_batch_unref);
  g_free (w->targets);
  plan_schema_unref (w->schema);
  g_free (w->keys);
  g_free (w->scratch);
  g_free (w);
}

static gboolean
all_closed (RtWriter *w)
{
  for (guint i = 0; i < w->n_targets; i++)
    if (!rt_channel_is_closed (w->targets[i].channel))
      return FALSE;
  return TRUE;
}

/* Sends a batch ref (taken) to one target, after what is pending there. */
static void
send_batch (RtWriter *w, RtTarget *t, RtBatch *batch)
{
  RtElement e = { RT_ELEM_BATCH, batch, { 0 } };

  rt_channel_push (t->channel, &e, w->cancelled, &w->blocked);
}

static void
flush_target (RtWriter *w, RtTarget *t)
{
  RtBatch *b = t->pending;

  if (b == NULL)
    return;
  t->pending = NULL;
  send_batch (w, t, b);
}

static gboolean
append_rows (RtWriter *w, RtTarget *t, RtBatch *src, const guint32 *rows, guint n,
             GError **error)
{
  for (guint i = 0; i < n;)
    {
      guint m;

      if (t->pending == NULL)
        {
          t->pending = rt_batch_new (w->pool, w->schema, w->batch_size, error);
          if (t->pending == NULL)
            return FALSE;
          t->first_us = g_get_monotonic_time ();
        }
      m = MIN (n - i, t->pending->capacity - t->pending->n_rows);
      if (!rt_batch_append_rows (t->pending, src, rows != NULL ? rows + i : NULL, i, m, error))
        return FALSE;
      i += m;
      if (t->pending->n_rows == t->pending->capacity)
        flush_target (w, t);
    }
  return TRUE;
}

static gboolean
emit_one_target (RtWriter *w, RtTarget *t, RtBatch *batch, GError **error)
{
  /* Large batches travel by reference; small ones are merged to amortise the hand-off. */
  if (batch->n_rows >= w->batch_size / 4 || w->timeout_us == 0)
    {
      flush_target (w, t);
      send_batch (w, t, rt_batch_ref (batch));
      return TRUE;
    }
  return append_rows (w, t, batch, NULL, batch->n_rows, error);
}

static gboolean
emit_hash (RtWriter *w, RtBatch *batch, GError **error)
{
  g_autofree guint32 *rows = g_new (guint32, batch->n_rows);
  g_autofree guint *counts = g_new0 (guint, w->n_targets + 1);
  g_autofree guint32 *dest = g_new (guint32, batch->n_rows);

  /* counting sort of the rows by target, so each target gets its rows in order */
  for (guint r = 0; r < batch->n_rows; r++)
    {
      guint kg = rt_key_group_of_row (batch, r, w->keys, w->n_keys);
      dest[r] = rt_key_group_to_subtask (kg, w->n_targets);
      counts[dest[r] + 1]++;
    }
  for (guint i = 0; i < w->n_targets; i++)
    counts[i + 1] += counts[i];
  {
    g_autofree guint *pos = g_memdup2 (counts, sizeof (guint) * (w->n_targets + 1));
    for (guint r = 0; r < batch->n_rows; r++)
      rows[pos[dest[r]]++] = r;
  }
  for (guint i = 0; i < w->n_targets; i++)
    if (!append_rows (w, &w->targets[i], batch, rows + counts[i], counts[i + 1] - counts[i],
                      error))
      return FALSE;
  if (w->timeout_us == 0)
    for (guint i = 0; i < w->n_targets; i++)
      flush_target (w, &w->targets[i]);
  return TRUE;
}

RtResult
rt_writer_emit (RtWriter *w, RtBatch *batch, GError **error)
{
  gboolean ok = TRUE;

  if (batch->n_rows == 0)
    return RT_OK;
  switch (w->exchange)
    {
    case PLAN_EXCHANGE_FORWARD:
    case PLAN_EXCHANGE_GATHER:
    case PLAN_EXCHANGE_MERGE: /* added by sort merge */
      ok = emit_one_target (w, &w->targets[0], batch, error);
      break;
    case PLAN_EXCHANGE_REBALANCE:
      /* round robin by batch: rows keep their batch, the load evens out */
      ok = emit_one_target (w, &w->targets[w->next_rr++ % w->n_targets], batch, error);
      break;
    case PLAN_EXCHANGE_BROADCAST:
      for (guint i = 0; i < w->n_targets && ok; i++)
        ok = emit_one_target (w, &w->targets[i], batch, error);
      break;
    case PLAN_EXCHANGE_HASH:
      ok = emit_hash (w, batch, error);
      break;
    }
  if (!ok)
    return RT_FAIL;
  return all_closed (w) ? RT_DONE : RT_OK;
}

RtResult
rt_writer_flush (RtWriter *w, GError **error)
{
  for (guint i = 0; i < w->n_targets; i++)
    flush_target (w, &w->targets[i]);
  return all_closed (w) ? RT_DONE : RT_OK;
}

RtResult
rt_writer_event (RtWriter *w, const RtEvent *event, GError **error)
{
  for (guint i = 0; i < w->n_targets; i++)
    {
      RtElement e = { RT_ELEM_EVENT, NULL, *event };

      flush_target (w, &w->targets[i]);
      rt_channel_push (w->targets[i].channel, &e, w->cancelled, &w->blocked);
    }
  return all_closed (w) ? RT_DONE : RT_OK;
}

RtResult
rt_writer_flush_due (RtWriter *w, gint64 now_us, gint64 *next_deadline_us, GError **error)
{
  gint64 next = -1;

  for (guint i = 0; i < w->n_targets; i++)
    {
      RtTarget *t = &w->targets[i];

      if (t->pending == NULL || w->timeout_us < 0)
        continue;
      if (now_us - t->first_us >= w->timeout_us)
        flush_target (w, t);
      else if (next < 0 || t->first_us + w->timeout_us < next)
        next = t->first_us + w->timeout_us;
    }
  *next_deadline_us = next;
  return all_closed (w) ? RT_DONE : RT_OK;
}

gint64
rt_writer_get_blocked_us (RtWriter *w, gint64 now_us)
{
  return rt_block_clock_read (&w->blocked, now_us);
}

double
rt_writer_get_fill (RtWriter *w)
{
  double fill = 0;

  for (guint i = 0; i < w->n_targets; i++)
    {
      RtChannel *ch = w->targets[i].channel;
      fill = MAX (fill, (double) rt_channel_get_fill (ch) / rt_channel_get_credits (ch));
    }
  return fill;
}
