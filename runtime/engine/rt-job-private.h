/* rt-job-private.h: job and task bodies, shared by rt-job.c and rt-task.c only. */
#pragma once

#include "rt-job.h"

typedef struct _RtCkptCoord RtCkptCoord; /* added by checkpoints */

G_BEGIN_DECLS

#include "rt-window-private.h" /* added by windows */

/* Latency histogram: 64 powers of two of microseconds, 16 linear steps in each. */
#define RT_HIST_SUB 16
typedef struct {
  guint64 counts[64 * RT_HIST_SUB];
  guint64 total;
} RtHistogram;

void rt__histogram_add (RtHistogram *h, gint64 us);
double rt__histogram_percentile_ms (const RtHistogram *h, double p);

typedef struct {
  RtChannel *channel; /* owned by the job */
  guint input;        /* input index at the chain head */
  gboolean ended;
  gint64 barrier;     /* added by checkpoints: the last checkpoint barrier seen on it */
} RtTaskInput;

typedef struct {
  void (*fn) (RtTask *task, gpointer data);
  gpointer data;
} RtMail;

typedef enum { RT_TASK_BUSY, RT_TASK_IDLE } RtTaskState;

struct _RtTask {
  RtJob *job;          /* borrowed: owns us */
  char *name;          /* owned */
  guint chain_index;
  guint subtask;
  guint parallelism;
  GPtrArray *ops;      /* owned RtOperator*, head first */
  RtTaskInput *inputs; /* owned */
  guint n_inputs;
  guint n_ended;
  guint next_input;
  RtWriter *writer;    /* owned, NULL when the chain ends in a sink */
  RtNotify *notify;    /* owned */
  RtOpContext ctx;
  GThread *thread;
  gboolean done;
  GError *error;       /* owned */
  /* mailbox */
  GMutex mail_lock;
  GQueue mails;        /* RtMail* */
  gint has_mail;
  /* time accounting (written by the task thread, read racily by snapshots) */
  gint64 busy_us, idle_us;
  RtBlockClock collect_blocked; /* the collect sink waiting for the client */
  gint state;          /* RtTaskState, atomic */
  gint64 state_since_us;
  gint64 next_marker_us;
  RtHistogram *latency; /* owned: one per op */
  /* added by windows: event time (rt-op-window.c) */
  RtOperator *wm_assigner; /* borrowed from ops: the source's WATERMARK, NULL: none */
  RtWmValve *valve;        /* owned, lazily made: the watermark over the input channels */
  gint64 watermark;        /* the chain's current watermark (ms), G_MININT64 before any */
  gint64 next_wm_us;       /* sources: when the next periodic watermark is due */
  gint64 idle_timeout_us;  /* sources: idle after this long without rows; 0 never */
  gint64 last_data_us;     /* sources: when rows were last produced */
  gboolean idle;           /* sources: an IDLE event has been sent since the last rows */
  /* added by checkpoints (rt-checkpoint.c) */
  guint index;             /* in job->tasks */
  gint64 ckpt_aligning;    /* the checkpoint whose barriers are being aligned; 0: none */
  gint64 ckpt_align_start_us;
  gint64 ckpt_last;        /* the last checkpoint this task snapshotted */
  GError *ckpt_error;      /* owned: a failure in a checkpoint mail, fails the task */
  gint64 end_held_since_us;/* tests (fail_armed_checkpoint): the source's input ended at
                            * this time and the task waits for the injected failure */
  gboolean replayable;     /* added by lookup joins: the task only feeds a lookup join's
                            * table, which every attempt reads again whole: it takes no
                            * part in checkpoints and its end does not stop them */
};

struct _RtJob {
  PlanPhysPlan *plan;  /* owned ref */
  RtMemPool *pool;     /* borrowed */
  RtJobConfig config;
  GPtrArray *tasks;    /* owned RtTask* */
  GPtrArray *channels; /* owned RtChannel* */
  gint cancelled;      /* atomic */
  GMutex lock;
  GCond changed;
  RtJobStatus status;  /* under lock */
  GError *error;       /* under lock: first failure */
  guint n_running;     /* under lock */
  guint n_replayable_ended; /* under lock: replayable tasks that finished this attempt */
  gint64 start_us, end_us;
  /* collect results */
  GQueue results;      /* RtBatch* refs, under lock */
  guint result_cap;    /* batches the queue holds at least (config.result_queue_batches) */
  gsize result_bytes;  /* and more while they take at most this many bytes: a sixteenth of
                        * the budget, up to 2 MiB (Flink's collect-sink.batch-size.max) */
  RtNotify *result_notify; /* owned: the collect task parks on its own notify */
  /* previous snapshot, for rates */
  gint64 snap_us;
  guint64 *snap_busy, *snap_idle, *snap_bp, *snap_rows;
  /* added by checkpoints */
  RtCkptCoord *ckpt;   /* owned, NULL without checkpoints */
  guint attempt;       /* 0 first, +1 per restart */
  gint user_cancelled; /* atomic: rt_job_cancel, as opposed to a failed attempt's stop */
  gboolean restarting; /* under lock: an attempt failed and the coordinator restarts */
  /* added by exactly-once collect: result batches sealed at a barrier, waiting for their
   * checkpoint to complete (RtHeld*, oldest first, under lock) */
  GQueue held;
};

/* added by checkpoints: (re)builds chains, tasks and channels from job->plan. */
gboolean rt__job_build (RtJob *job, GError **error);
void rt__job_start_threads (RtJob *job);
/* Joins the task threads and frees tasks and channels (all tasks must have ended). */
void rt__job_teardown (RtJob *job);

/* Task thread body and the single step used by tests. */
RtTask *rt__task_new (RtJob *job, const char *name, guint subtask, guint parallelism);
void rt__task_free (RtTask *task);
gpointer rt__task_thread (gpointer data);
/* One unit of work: a source batch, or one input element. RT_WAIT: nothing to do until
 * *park_until_us (-1: until signalled). RT_DONE: the task is finished. */
RtResult rt__task_step (RtTask *task, gint64 *park_until_us, GError **error);
void rt__task_post_mail (RtTask *task, void (*fn) (RtTask *, gpointer), gpointer data);
void rt__job_task_ended (RtJob *job, RtTask *task, GError *error);
gint64 rt__task_get_bp_us (RtTask *task, gint64 now_us);

/* The collect sink operator (rt-job.c) */
RtOperator *rt__collect_new (RtJob *job, RtTask *task, guint node_id);
/* added by exactly-once collect: checkpoint `epoch` completed: the collect rows it sealed
 * go to the results queue (the coordinator's thread, no lock held). */
void rt__job_release_held (RtJob *job, gint64 epoch);

G_END_DECLS
