/* rt-channel.h: bounded single-producer/single-consumer channels with credit-based flow
 * control, the wake-up object tasks park on, and the output writer that partitions a
 * task's output over its channels (DESIGN.md 4.3). */
#pragma once

#include "rt-operator.h"

G_BEGIN_DECLS

/* Something a task can park on: its own inputs arriving, output credit coming back, a
 * mail, or cancellation all signal it. One per task. */
typedef struct _RtNotify RtNotify;
RtNotify *rt_notify_new (void);
void rt_notify_free (RtNotify *notify);
/* Parks until signalled or deadline_us (monotonic; -1 none). The caller must have
 * called rt_notify_prepare and re-checked its condition in between. */
void rt_notify_prepare (RtNotify *notify);
void rt_notify_cancel_prepare (RtNotify *notify);
void rt_notify_wait (RtNotify *notify, gint64 deadline_us);
void rt_notify_signal (RtNotify *notify);
/* TRUE while the owner is parked or about to park (tests, metrics). */
gboolean rt_notify_is_parked (RtNotify *notify);

typedef enum {
  RT_ELEM_BATCH,
  RT_ELEM_EVENT,
} RtElemKind;

typedef struct {
  RtElemKind kind;
  RtBatch *batch; /* owned ref while in the ring */
  RtEvent event;
} RtElement;

/* A ring of `credits` slots. producer/consumer notifies are borrowed and outlive it. */
RtChannel *rt_channel_new (guint credits, RtNotify *producer, RtNotify *consumer);
void rt_channel_free (RtChannel *channel); /* unrefs batches still queued */
/* Non-blocking. Push takes the element's batch ref on success. */
gboolean rt_channel_try_push (RtChannel *channel, RtElement *elem);
gboolean rt_channel_try_pop (RtChannel *channel, RtElement *out);
guint rt_channel_get_fill (RtChannel *channel);   /* queued elements (racy, metrics) */
guint rt_channel_get_credits (RtChannel *channel);
/* The consumer is gone (LIMIT satisfied, failure): pushes are discarded from now on. */
void rt_channel_close (RtChannel *channel);
gboolean rt_channel_is_closed (RtChannel *channel);

/* Time spent waiting for credit: the finished waits plus the one in progress, so a task
 * that stays blocked shows as backpressured while it is blocked, not only afterwards.
 * Written by its task thread; read racily by metric snapshots. */
typedef struct {
  gint64 total_us;
  gint64 since_us; /* start of the wait in progress, 0 when not waiting */
} RtBlockClock;

static inline void
rt_block_clock_start (RtBlockClock *c, gint64 now)
{
  __atomic_store_n (&c->since_us, now, __ATOMIC_RELAXED);
}

static inline void
rt_block_clock_stop (RtBlockClock *c, gint64 now)
{
  __atomic_store_n (&c->total_us, c->total_us + (now - c->since_us), __ATOMIC_RELAXED);
  __atomic_store_n (&c->since_us, 0, __ATOMIC_RELAXED);
}

static inline gint64
rt_block_clock_read (const RtBlockClock *c, gint64 now)
{
  gint64 since = __atomic_load_n (&c->since_us, __ATOMIC_RELAXED);
  gint64 total = __atomic_load_n (&c->total_us, __ATOMIC_RELAXED);

  return total + (since != 0 && now > since ? now - since : 0);
}

/* Blocking push used by writers: spins briefly, then parks on the producer's notify.
 * Returns FALSE (element dropped, ref released) when the channel is closed or *cancelled
 * becomes non-zero. `clock` (may be NULL) accounts the time spent without credit. */
gboolean rt_channel_push (RtChannel *channel, RtElement *elem, volatile gint *cancelled,
                          RtBlockClock *clock);

/* ---- output writer ----------------------------------------------------------------- */

typedef struct _RtWriter RtWriter;

/* A writer distributes one producer subtask's output over n channels (one per consumer
 * subtask) by the exchange kind. Rows are accumulated into batches of batch_size and a
 * batch is flushed when full or when it has waited timeout_us (0: at once after each
 * emit; -1: only when full). key columns for HASH. max_parallelism is the number of key
 * groups. */
RtWriter *rt_writer_new (PlanExchangeKind exchange, guint n_channels, RtChannel **channels,
                         PlanSchema *schema, RtMemPool *pool, guint batch_size,
                         gint64 timeout_us, const guint *keys, guint n_keys,
                         volatile gint *cancelled);
void rt_writer_free (RtWriter *writer);
/* Sends a batch (borrowed). RT_DONE when every channel is closed (nobody listens). */
RtResult rt_writer_emit (RtWriter *writer, RtBatch *batch, GError **error);
/* Flushes pending rows and sends an event to every channel. */
RtResult rt_writer_event (RtWriter *writer, const RtEvent *event, GError **error);
/* Flushes batches whose timeout expired at now_us; returns the next deadline or -1. */
RtResult rt_writer_flush_due (RtWriter *writer, gint64 now_us, gint64 *next_deadline_us,
                              GError **error);
RtResult rt_writer_flush (RtWriter *writer, GError **error);
/* Time blocked without credit up to now_us, including a wait in progress. */
gint64 rt_writer_get_blocked_us (RtWriter *writer, gint64 now_us);
/* Queue fill of the writer's channels as a share of credits, 0..1 (max over channels). */
double rt_writer_get_fill (RtWriter *writer);

/* Key group of a row's key columns (murmur-style hash mod max_parallelism), and the
 * subtask owning a key group, as in Flink's KeyGroupRangeAssignment. */
#define RT_MAX_PARALLELISM 128
guint rt_key_group_of_row (const RtBatch *batch, guint row, const guint *keys, guint n_keys);
guint rt_key_group_to_subtask (guint key_group, guint parallelism);

G_END_DECLS
