/* rt-job.h: a running dataflow. A job is built from a physical plan: chains of operators
 * become tasks (one thread per subtask), non-chained edges become channels, and the job
 * tracks its lifecycle (created, running, finished, cancelled, failed), its result queue
 * (for a collect sink) and its metrics. */
#pragma once

#include "rt-channel.h"

G_BEGIN_DECLS

typedef enum {
  RT_JOB_CREATED,
  RT_JOB_RUNNING,
  RT_JOB_FINISHED,
  RT_JOB_CANCELLED,
  RT_JOB_FAILED,
} RtJobStatus;

const char *rt_job_status_name (RtJobStatus status);

typedef struct {
  guint batch_size;          /* rows per batch */
  gint64 buffer_timeout_us;  /* 0: flush each batch at once; -1: only when full */
  gint64 latency_interval_us;/* 0: no latency markers */
  guint channel_credits;     /* ring slots per channel */
  guint result_queue_batches;/* collect sink's bound */
  /* added by windows */
  gint64 watermark_interval_us; /* pipeline.auto-watermark-interval (default 200 ms) */
  gint64 idle_timeout_us;       /* table.exec.source.idle-timeout; 0: never idle */
  /* added by checkpoints (rt-checkpoint.c). Strings are borrowed by rt_job_new, which
   * copies them. */
  gint64 checkpoint_interval_us;   /* execution.checkpointing.interval; 0: none */
  gint64 checkpoint_timeout_us;    /* ...timeout */
  gint64 checkpoint_min_pause_us;  /* ...min-pause */
  gboolean checkpoint_at_least_once; /* ...mode = AT_LEAST_ONCE: barriers not aligned */
  guint checkpoints_retained;      /* state.checkpoints.num-retained */
  const char *checkpoint_dir;      /* state.checkpoints.dir (NULL/"": the default) */
  const char *savepoint_dir;       /* state.savepoints.dir */
  const char *restore_path;        /* execution.savepoint.path, or NULL */
  const char *job_id;              /* names the job's checkpoint directory */
  guint restart_attempts;          /* restart-strategy fixed-delay attempts; 0: none */
  gint64 restart_delay_us;
  /* tests only: fail the first attempt on purpose (RtFailPoint) */
  guint fail_point;
  guint fail_task;                 /* index of the task that fails */
  guint64 fail_after_rows;         /* RT_FAIL_ROWS: rows into that task */
  gint64 fail_checkpoint;          /* the checkpoint id the other points fail at */
  /* tests only, added for asynchronous snapshots: > 0 makes an injected failure or a
   * savepoint certain on a loaded machine, where a job could end before its checkpoints
   * do: RT_FAIL_ROWS fires only once this checkpoint completed, and in the first attempt
   * sources wait at the end of their input (until the attempt fails or is stopped, at
   * most a minute) instead of finishing */
  gint64 fail_armed_checkpoint;
} RtJobConfig;

/* added by checkpoints: where a test makes the first attempt of a job fail. */
typedef enum {
  RT_FAIL_NONE,
  RT_FAIL_ROWS,               /* task fail_task, once fail_after_rows rows went in */
  RT_FAIL_BEFORE_SNAPSHOT,    /* task fail_task, at the barrier, before its snapshot */
  RT_FAIL_AFTER_STATE_FILES,  /* task fail_task, after writing its state, before the ack */
  RT_FAIL_AFTER_METADATA,     /* the job, after the checkpoint committed, before sinks hear */
  RT_FAIL_DURING_SINK_COMMIT, /* a sink, half-way through committing the checkpoint */
  RT_FAIL_AFTER_SINK_COMMIT,  /* a sink, right after committing it */
} RtFailPoint;

void rt_job_config_init (RtJobConfig *config);

/* Builds operators for every subtask (validating connector options) but starts no
 * thread. The pool is borrowed and must outlive the job. */
RtJob *rt_job_new (PlanPhysPlan *plan, RtMemPool *pool, const RtJobConfig *config,
                   GError **error);
void rt_job_free (RtJob *job); /* cancels and joins a running job first */
gboolean rt_job_start (RtJob *job, GError **error);
void rt_job_cancel (RtJob *job);
/* Waits until every task ended; returns the final status. */
RtJobStatus rt_job_wait (RtJob *job);
RtJobStatus rt_job_get_status (RtJob *job);
/* The error of a failed job (copy), or NULL. */
GError *rt_job_dup_error (RtJob *job);
PlanPhysPlan *rt_job_get_plan (RtJob *job);
RtMemPool *rt_job_get_pool (RtJob *job);
gint64 rt_job_get_start_us (RtJob *job);
gint64 rt_job_get_end_us (RtJob *job);   /* 0 while running */

/* Collect sink results: returns a batch ref (rows in arrival order), or NULL when none
 * arrived within timeout_us (0 no wait, -1 forever); *end is TRUE once the job ended and
 * the queue is drained. */
RtBatch *rt_job_pop_result (RtJob *job, gint64 timeout_us, gboolean *end);

/* ---- metrics ----------------------------------------------------------------------- */

typedef struct {
  char *name;        /* owned: "Source: bid -> Calc" */
  guint subtask;
  guint parallelism;
  double busy_ms_per_s;
  double idle_ms_per_s;
  double backpressured_ms_per_s;
  guint64 busy_us, idle_us, backpressured_us; /* cumulative */
  double out_queue_fill; /* 0..1, max over output channels */
} RtTaskMetrics;

typedef struct {
  guint node_id;
  char *name;        /* owned: "Calc", "Source: bid" */
  guint parallelism;
  guint64 rows_in;   /* summed over subtasks */
  guint64 rows_out;
  guint64 rows_dropped;
  double rows_out_per_s;
  double latency_p50_ms, latency_p95_ms, latency_p99_ms; /* < 0: no markers seen */
  /* added by windows */
  gint64 current_watermark;      /* ms, min over subtasks; G_MININT64: none yet */
  guint64 late_records_dropped;  /* Flink's numLateRecordsDropped, summed over subtasks */
} RtOpMetrics;

typedef struct {
  RtJobStatus status;
  gint64 elapsed_us;
  guint n_tasks;
  RtTaskMetrics *tasks;  /* owned */
  guint n_ops;
  RtOpMetrics *ops;      /* owned, by node id */
  guint64 rows_read;     /* rows out of the sources */
} RtJobMetrics;

/* Rows emitted by the sources so far (racy read, for progress lines). */
guint64 rt_job_get_rows_read (RtJob *job);

/* Rates are over a window of one to two seconds ending now (from the job's start for
 * the first second). Safe to call from any thread while the job runs. */
RtJobMetrics *rt_job_snapshot_metrics (RtJob *job);
void rt_job_metrics_free (RtJobMetrics *metrics);

/* added by explain (rt-job-explain.c): bytes the operators of node node_id wrote to spill
 * files, summed over subtasks; -1 when that operator does not report spilling. Call once
 * the job has ended. */
gint64 rt_job_get_op_spilled_bytes (RtJob *job, guint node_id);

G_END_DECLS
