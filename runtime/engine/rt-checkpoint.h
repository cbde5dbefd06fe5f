/* rt-checkpoint.h: exactly-once checkpoints (DESIGN.md 4.7): the state an operator writes
 * and reads back, and the job's checkpoint statistics.
 *
 * An operator takes part by filling the snapshot/restore hooks of its class
 * (rt-operator.h). Its state is a sequence of entries, each either keyed (tagged with the
 * key group of the keys it holds, rt_key_group_of_row) or a list element (operator state,
 * such as a source's split or a sink's pending commit). On restore an operator is handed
 * only the entries that are now its own: keyed entries of the key groups its subtask owns
 * at the new parallelism, and list elements: its own at the same parallelism, else dealt
 * round robin over the subtasks, so a job
 * can be restored at another parallelism. */
#pragma once

#include "rt-operator.h"

G_BEGIN_DECLS

#define RT_STATE_LIST 0xFFFFu /* the key group of list (non-keyed) entries */

/* ---- writing a snapshot ------------------------------------------------------------ */

/* Starts an entry: key_group in [0, RT_MAX_PARALLELISM) or RT_STATE_LIST. */
void rt_state_begin (RtStateOut *out, guint key_group);
void rt_state_put_u64 (RtStateOut *out, guint64 v);
void rt_state_put_i64 (RtStateOut *out, gint64 v);
void rt_state_put_double (RtStateOut *out, double v);
void rt_state_put_bytes (RtStateOut *out, const void *data, gsize len);
void rt_state_put_string (RtStateOut *out, const char *s); /* NULL allowed */
void rt_state_put_value (RtStateOut *out, const PlanValue *v);
void rt_state_end (RtStateOut *out);

/* ---- reading it back --------------------------------------------------------------- */

/* Moves to the next entry meant for this subtask; FALSE when there is none left. */
gboolean rt_state_next (RtStateIn *in, guint *key_group);
/* Each returns FALSE (and marks the input bad) when the entry has no such field left. */
gboolean rt_state_get_u64 (RtStateIn *in, guint64 *v);
gboolean rt_state_get_i64 (RtStateIn *in, gint64 *v);
gboolean rt_state_get_double (RtStateIn *in, double *v);
/* Borrowed pointer into the entry, valid during restore. */
gboolean rt_state_get_bytes (RtStateIn *in, const guint8 **data, gsize *len);
gboolean rt_state_get_string (RtStateIn *in, char **s); /* newly allocated, or NULL */
gboolean rt_state_get_value (RtStateIn *in, PlanValue *v); /* owned copy */
/* Sets error for an entry that did not parse, naming the operator. */
gboolean rt_state_malformed (RtStateIn *in, RtOperator *op, GError **error);

/* ---- statistics -------------------------------------------------------------------- */

typedef enum {
  RT_CHECKPOINT_IN_PROGRESS,
  RT_CHECKPOINT_COMPLETED,
  RT_CHECKPOINT_FAILED,
} RtCheckpointStatus;

typedef struct {
  gint64 id;
  RtCheckpointStatus status;
  gboolean savepoint;
  gint64 trigger_us;      /* wall clock (g_get_real_time) */
  gint64 duration_us;     /* trigger to completion (or failure) */
  guint64 state_bytes;    /* bytes of state files written */
  gint64 alignment_us;    /* longest barrier alignment of any task */
  char *failure;          /* owned: why it failed, or NULL */
  char *path;             /* owned: its directory */
  gint64 sync_us;         /* longest synchronous part of any task's snapshot: the time
                           * the task stopped processing to serialise its state (the
                           * writing is asynchronous, in duration_us only) */
} RtCheckpointStats;

typedef struct {
  gboolean enabled;
  guint64 n_completed, n_failed;
  guint n_restarts;
  guint n_history;
  RtCheckpointStats *history;  /* owned, newest last, at most RT_CHECKPOINT_HISTORY */
  gint64 last_completed_id;    /* 0: none */
  char *last_completed_path;   /* owned or NULL */
  char *restored_from;         /* owned: the checkpoint the job started from, or NULL */
  char *job_dir;               /* owned: where this job's checkpoints go, or NULL */
} RtCheckpointMetrics;

#define RT_CHECKPOINT_HISTORY 10

void rt_checkpoint_metrics_free (RtCheckpointMetrics *m);

/* ---- the job's side ---------------------------------------------------------------- */

/* Checkpoint statistics of a job; NULL when it takes no checkpoints. Any thread. */
RtCheckpointMetrics *rt_job_get_checkpoint_metrics (RtJob *job);
/* Takes a savepoint (into dir, or state.savepoints.dir when NULL), waits for it and,
 * once it completed, cancels the job: Flink's STOP WITH SAVEPOINT. Returns the
 * savepoint's directory (newly allocated) or NULL with error. */
char *rt_job_stop_with_savepoint (RtJob *job, const char *dir, GError **error);
/* Waits until checkpoint `id` or a later one completed, or the job ended (FALSE). For
 * tests and tools. */
gboolean rt_job_wait_checkpoint (RtJob *job, gint64 id, gint64 timeout_us);

G_END_DECLS
