/* rt-operator.h: the one operator interface (DESIGN.md 4.5).
 *
 * An operator is a struct whose first member is RtOperator, with a class of callbacks.
 * Operators of one chain run on one task thread and hand batches to each other by direct
 * call (rt_op_emit); the last operator of a chain emits into the task's channel writers.
 * Nothing but the owning task thread ever touches an operator. */
#pragma once

#include "rt-batch.h"

G_BEGIN_DECLS

/* added by checkpoints: the state of a snapshot (rt-checkpoint.h) */
typedef struct _RtStateOut RtStateOut;
typedef struct _RtStateIn RtStateIn;
#define RT_CHECKPOINT_FINAL G_MAXINT64

/* In-band control events (between batches). */
typedef enum {
  RT_EVENT_WATERMARK,
  RT_EVENT_BARRIER,
  RT_EVENT_LATENCY_MARKER,
  RT_EVENT_END_OF_INPUT,
  RT_EVENT_IDLE,       /* added by windows: the sending input is idle (value 1) */
} RtEventKind;

typedef struct {
  RtEventKind kind;
  gint64 value;      /* watermark ms, checkpoint id, or marker creation time (us) */
  guint source_id;   /* latency marker: id of the source node that made it */
} RtEvent;

/* What an operator sees of its task. Owned by the task. */
struct _RtOpContext {
  RtMemPool *pool;       /* borrowed */
  guint subtask;         /* 0-based subtask index of this operator */
  guint parallelism;
  guint batch_size;      /* rows per batch (execution.batch-size) */
  gint64 wake_at_us;     /* sources set this before returning RT_WAIT (monotonic us) */
  volatile gint *cancelled; /* borrowed: non-zero once the job is being cancelled */
  gboolean bounded_only; /* batch mode: every source bounded */
};

struct _RtOperator {
  const RtOperatorClass *klass;
  RtOpContext *ctx;      /* borrowed */
  RtOperator *next;      /* chained downstream operator, or NULL: output goes to sink_fn */
  /* the task's output for the chain's last operator */
  RtResult (*sink_fn) (void *sink_data, RtBatch *batch, GError **error);
  void *sink_data;
  guint node_id;         /* PlanPhysNode id */
  /* metrics, written by the task thread only, read racily by metric snapshots */
  guint64 rows_in;
  guint64 rows_out;
  guint64 rows_dropped;  /* bad records skipped (csv.ignore-parse-errors) */
  guint64 late_records_dropped; /* added by windows: rows behind the watermark */
  guint32 paused_inputs; /* added by joins: bit i set (chain head only): the task leaves
                          * input i unread for now (a hash join reads its build side first) */
  gint64 proctime_timer_ms; /* added by the timer service: when the task calls on_proctime
                             * (rt_proctime_now_ms's clock); G_MAXINT64: no timer */
};

struct _RtOperatorClass {
  const char *name;
  gsize instance_size;
  /* All optional except process (non-sources) or produce (sources). */
  gboolean (*open) (RtOperator *op, GError **error);
  /* Consumes a borrowed batch from input `input`. RT_DONE means "I need no more input"
   * (LIMIT reached): the task stops pulling and finishes the chain. */
  RtResult (*process) (RtOperator *op, RtBatch *batch, guint input, GError **error);
  /* Events are forwarded downstream by the task after on_event returns. */
  RtResult (*on_event) (RtOperator *op, const RtEvent *event, guint input, GError **error);
  /* Sources: emit up to one batch. RT_OK (call again), RT_WAIT (rate-limited, set
   * ctx->wake_at_us), RT_DONE (exhausted), RT_FAIL. */
  RtResult (*produce) (RtOperator *op, GError **error);
  /* All inputs ended: emit what is held back. */
  RtResult (*finish) (RtOperator *op, GError **error);
  /* Frees what the operator owns (not the struct, which the task frees). */
  void (*close) (RtOperator *op);
  /* added by checkpoints (rt-checkpoint.h). An operator with state fills snapshot and
   * restore; one without sets stateless. A checkpointed job refuses an operator that has
   * neither. snapshot writes the state as of the barrier of checkpoint_id (all input
   * before it processed, none after); restore (after open, before any input) reads the
   * entries that are this subtask's now; notify_complete tells that checkpoint_id is
   * durable (sinks commit what they staged for it; RT_CHECKPOINT_FINAL: the job ended and
   * everything staged is final). */
  gboolean stateless;
  gboolean (*snapshot) (RtOperator *op, gint64 checkpoint_id, RtStateOut *out,
                        GError **error);
  gboolean (*restore) (RtOperator *op, RtStateIn *in, GError **error);
  gboolean (*notify_complete) (RtOperator *op, gint64 checkpoint_id, GError **error);
  /* added by interval joins: the watermark the operator passes on after on_event saw wm
   * (NULL: wm itself); it must not decrease as wm grows, and keeps MAX as MAX. The task
   * hands the result to the operators after it and downstream. */
  gint64 (*output_watermark) (RtOperator *op, gint64 wm);
  /* added by the timer service: the processing-time timer the operator set in
   * proctime_timer_ms is due (now_ms >= it). The task clears the timer first, so the
   * operator sets it again if it wants another; it may emit. Called between two units of
   * work of the task, also when the task has no input at all (it parks until the timer). */
  RtResult (*on_proctime) (RtOperator *op, gint64 now_ms, GError **error);
};

/* Allocates an operator of klass (zeroed, instance_size bytes). */
RtOperator *rt_operator_new (const RtOperatorClass *klass, guint node_id);
void rt_operator_free (RtOperator *op); /* calls close */

/* Hands a batch (borrowed: the receiver refs it if it keeps it) to the next operator in
 * the chain or to the task output, counting rows_out. Empty batches are not passed on. */
RtResult rt_op_emit (RtOperator *op, RtBatch *batch, GError **error);

/* ---- expression programs (rt-expr.c) ----------------------------------------------- */

/* Compiles bound expressions once into a vectorized program over batches of
 * input_schema: each instruction runs over a whole batch, no per-row tree walk. */
RtProgram *rt_program_new (PlanSchema *input_schema, PlanExpr *filter, guint n_exprs,
                           PlanExpr **exprs, GError **error);
void rt_program_free (RtProgram *program);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtProgram, rt_program_free)
/* Runs the program over input: rows failing the filter (FALSE or NULL) are dropped; the
 * projected columns of the remaining rows go to a new batch of out_schema (returned
 * with one ref; possibly 0 rows). Row kinds are carried over. With no projections (n_exprs
 * 0) the output has the input's columns. */
RtBatch *rt_program_run (RtProgram *program, RtBatch *input, PlanSchema *out_schema,
                         GError **error);
/* Evaluates only the filter: sets sel[i] to the selected row indices; returns count. */
guint rt_program_filter (RtProgram *program, RtBatch *input, guint32 *sel, GError **error);

/* ---- operator constructors --------------------------------------------------------- */

/* Each validates the node's options and fails with a message naming the bad option. */
RtOperator *rt_op_calc_new (const PlanPhysNode *node, GError **error);
RtOperator *rt_op_limit_new (const PlanPhysNode *node, GError **error);
RtOperator *rt_op_values_new (const PlanPhysNode *node, GError **error);
/* Sources by the table's 'connector' option: datagen, filesystem (csv). */
RtOperator *rt_source_new (const PlanPhysNode *node, guint subtask, guint parallelism,
                           GError **error);
/* Sinks: print, blackhole (collect is made by the job, which owns the result queue). */
RtOperator *rt_sink_new (const PlanPhysNode *node, guint subtask, GError **error);

/* added by streaming aggregates: the keyed group aggregate (rt-op-aggregate.c). */
RtOperator *rt_op_aggregate_new (const PlanPhysNode *node, GError **error);

/* added by windows (rt-op-window.c): the window TVF (assigns each row its windows) and the
 * window aggregate (fires a window's groups when the watermark passes its end). */
RtOperator *rt_op_window_new (const PlanPhysNode *node, GError **error);
RtOperator *rt_op_window_aggregate_new (const PlanPhysNode *node, GError **error);

/* added by joins: the streaming join (rt-op-join.c); the batch hash join and nested-loop
 * join (rt-op-hash-join.c), which is told that its build input ended by an on_event
 * END_OF_INPUT with that input's index. */
RtOperator *rt_op_join_new (const PlanPhysNode *node, GError **error);
RtOperator *rt_op_hash_join_new (const PlanPhysNode *node, GError **error);

/* added by batch aggregate spilling: compressed bytes the group aggregate (batch mode)
 * wrote to spill files so far; the job metrics have no field for it yet. */
guint64 rt_op_aggregate_get_spilled_bytes (RtOperator *op);

/* added by sort: ORDER BY / Top-N (rt-op-sort.c): an external merge sort spilling to LZ4
 * run files in batch mode, a changelog Top-N when the node is updating. */
RtOperator *rt_op_sort_new (const PlanPhysNode *node, GError **error);
/* Compressed bytes a batch sort wrote to its run files so far (EXPLAIN ANALYZE). */
guint64 rt_op_sort_get_spilled_bytes (RtOperator *op);

/* added by join strategy: the batch sort-merge join (rt-op-merge-join.c), both inputs
 * sorted by an external sort spilling under the managed memory; and the compressed bytes
 * it spilled so far. */
RtOperator *rt_op_merge_join_new (const PlanPhysNode *node, GError **error);
guint64 rt_op_merge_join_get_spilled_bytes (RtOperator *op);
/* added by join strategy: compressed bytes the batch hash join (hybrid, rt-hash-join-spill.c)
 * wrote to spill files so far. */
guint64 rt_op_hash_join_get_spilled_bytes (RtOperator *op);

/* added by rank: UNION ALL (rt-op-union.c), passing every input's rows on, and ROW_NUMBER()
 * Top-N / deduplication per partition (rt-op-rank.c): a changelog when the node is
 * updating, the kept rows at the end of input otherwise. */
RtOperator *rt_op_union_new (const PlanPhysNode *node, GError **error);
RtOperator *rt_op_rank_new (const PlanPhysNode *node, GError **error);

/* added by interval joins: the interval join (rt-op-interval-join.c), insert-only, each
 * side's rows kept until the watermark passes the time the other side could match them. */
RtOperator *rt_op_interval_join_new (const PlanPhysNode *node, GError **error);

/* added by the lead (hashing): a hash of a GBytes key for GHashTable, mixing 8 bytes at a
 * time (g_bytes_hash's djb2 maps many small integer keys to one value). */
guint rt_bytes_hash (gconstpointer bytes);
guint64 rt_hash_data (const void *data, gsize len);

/* added by window joins: the window join (rt-op-window-join.c), insert-only: each window's
 * rows of both sides are kept until the watermark passes the window's end, then joined. */
RtOperator *rt_op_window_join_new (const PlanPhysNode *node, GError **error);

/* added by processing-time windows (rt-op-proctime-window.c): the window aggregate of a
 * TUMBLE, HOP or CUMULATE over PROCTIME(), windows assigned and fired by the operator's
 * clock; and the clock it reads (ms; NULL: the wall clock), replaceable for tests. */
RtOperator *rt_op_proctime_window_new (const PlanPhysNode *node, GError **error);
void rt_proctime_set_clock (gint64 (*now_ms) (gpointer data), gpointer data);
gint64 rt_proctime_now_ms (void); /* that clock's reading */
/* added by the timer service: whether that clock is the wall clock (a test's clock can
 * jump, so tasks with a timer re-check it every few ms instead of parking until it). */
gboolean rt_proctime_clock_is_wall (void);

/* added by lookup joins (rt-op-lookup-join.c): the lookup join against a bounded table
 * (input 1, read whole before input 0), reloaded on lookup after 'lookup.join.cache.ttl'. */
RtOperator *rt_op_lookup_join_new (const PlanPhysNode *node, GError **error);

/* added by two-phase aggregation (rt-op-local-agg.c): the streaming local aggregate, which
 * folds each input batch into one partial row per group and emits them before taking the
 * next batch, so it never holds rows across a checkpoint barrier (it is stateless). */
RtOperator *rt_op_local_aggregate_new (const PlanPhysNode *node, GError **error);

/* added by sort merge (rt-op-sort-merge.c): the single subtask after a MERGE exchange, which
 * merges the sorted streams of its input's subtasks (each a local SORT) into one order;
 * the node is a SORT with parallelism 1 whose input edge is PLAN_EXCHANGE_MERGE. */
RtOperator *rt_op_sort_merge_new (const PlanPhysNode *node, GError **error);

G_END_DECLS
