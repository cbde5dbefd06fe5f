/* rt-window-private.h: event time inside the engine (rt-op-window.c), shared with the task
 * loop (rt-task.c), the job builder (rt-job.c) and the engine's tests: the watermark valve
 * that combines the watermarks of a task's input channels, and the watermark assigner
 * that a source's chain gets when its table declares WATERMARK FOR. */
#pragma once

#include "rt-operator.h"

G_BEGIN_DECLS

#define RT_WATERMARK_NONE G_MININT64 /* no watermark yet */
#define RT_WATERMARK_MAX G_MAXINT64  /* end of input: every window fires */

/* Flink's StatusWatermarkValve: a task's watermark is the minimum over its input channels
 * that are active (neither idle nor ended). An ended channel counts as MAX; an idle one is
 * left out until a row or a watermark arrives on it again; when every channel not ended
 * is idle, the valve is idle and the watermark is the largest any idle channel reached.
 * A MAX watermark (a source's last) ends its channel, so it cannot carry the output past
 * an idle input that may still send rows. The output never goes back. Each call returns TRUE when the output advanced, with the new
 * value in *out. */
typedef struct _RtWmValve RtWmValve;
RtWmValve *rt__wm_valve_new (guint n_inputs);
void rt__wm_valve_free (RtWmValve *valve);
gboolean rt__wm_valve_watermark (RtWmValve *valve, guint input, gint64 wm, gint64 *out);
gboolean rt__wm_valve_idle (RtWmValve *valve, guint input, gint64 *out);
void rt__wm_valve_active (RtWmValve *valve, guint input); /* a row arrived on input */
gboolean rt__wm_valve_ended (RtWmValve *valve, guint input, gint64 *out);
gint64 rt__wm_valve_get (const RtWmValve *valve);
gboolean rt__wm_valve_is_idle (const RtWmValve *valve); /* every open input idle */

/* The watermark assigner chained right after a source whose table has a WATERMARK FOR
 * clause: it evaluates the WATERMARK expression over every batch the source emits and
 * keeps the largest value (bounded out-of-orderness: max rowtime minus the delay). The
 * task emits that value periodically (rt__wm_assigner_current). It passes batches on
 * untouched and uncounted (its metrics are the source's). *out is NULL, without an error,
 * when the table has no watermark or the source does not read the columns it needs. */
gboolean rt__wm_assigner_new (const PlanPhysNode *source, RtOperator **out, GError **error);
gint64 rt__wm_assigner_current (RtOperator *assigner);

/* added by allowed lateness (rt-window-late.c): the fired windows a window aggregate keeps
 * while node's allowed_lateness_ms lasts. fire: aggregates a window's rows (rows: a ref is
 * taken) as the watermark wm fires it, emits +I rows through owner and keeps what it needs;
 * row: a row behind the watermark for the window ending at end: updates that window (-U/+U,
 * or +I for a new group) or, past its cleanup time, counts it dropped; advance: at a new
 * watermark, fires windows with delayed late rows and forgets those past cleanup. */
typedef struct _RtWindowLate RtWindowLate;
RtWindowLate *rt__window_late_new (const PlanPhysNode *node, PlanPhysNode *inner);
void rt__window_late_free (RtWindowLate *late);
RtResult rt__window_late_fire (RtWindowLate *late, RtOperator *owner, gint64 end,
                               GPtrArray *rows, gint64 wm, GError **error);
RtResult rt__window_late_row (RtWindowLate *late, RtOperator *owner, gint64 end,
                              RtBatch *batch, guint r, gint64 wm, GError **error);
RtResult rt__window_late_advance (RtWindowLate *late, RtOperator *owner, gint64 wm,
                                  GError **error);
/* Checkpoints of the kept windows: snapshot writes each kept row as a keyed entry (tag
 * RT_WINDOW_LATE_FIRED or _PENDING, the window end, the row's values; key group from the
 * input key columns in_keys); restore_row takes one back (one: a one-row batch), and
 * restored, after the last, rebuilds each window's last emitted results. */
/* The window aggregate's (rt-op-window.c) keyed state entry for row r of b: tag, window
 * end, the row's values, in the key group of its key columns. */
void rt__window_snap_row (RtStateOut *out, const guint *keys, guint n_keys, guint64 tag,
                          gint64 end, RtBatch *b, guint r);
#define RT_WINDOW_LATE_FIRED 3
#define RT_WINDOW_LATE_PENDING 4
void rt__window_late_snapshot (RtWindowLate *late, const guint *in_keys, guint n_in_keys,
                               RtStateOut *out);
gboolean rt__window_late_restore_row (RtWindowLate *late, RtOperator *owner, guint64 tag,
                                      gint64 end, RtBatch *one, GError **error);
gboolean rt__window_late_restored (RtWindowLate *late, RtOperator *owner, GError **error);

/* added by incremental window aggregation (rt-window-acc.c): per (window, group key)
 * accumulators updated as rows arrive, for the window aggregates whose calls plain numbers
 * can hold (supported: no allowed lateness, no DISTINCT, insert-only input, fixed-width
 * arguments, no DOUBLE SUM/AVG over SESSION windows). add: row r (not late) into its window; fire_until: emits, in end
 * order, every window whose end - 1 the watermark wm has reached, through owner, and frees
 * it. Snapshots write one keyed entry per group (tag RT_WINDOW_ACC_GROUP, the window end,
 * the key values, the accumulators); restore_group reads one back after its tag and end. */
typedef struct _RtWinAcc RtWinAcc;
#define RT_WINDOW_ACC_GROUP 5
gboolean rt__win_acc_supported (const PlanPhysNode *node);
RtWinAcc *rt__win_acc_new (const PlanPhysNode *node);
void rt__win_acc_free (RtWinAcc *acc);
gboolean rt__win_acc_add (RtWinAcc *acc, const RtBatch *batch, guint r, GError **error);
/* rt__win_acc_add for the rows listed in rows[0..n) of batch, in that order. */
gboolean rt__win_acc_add_batch (RtWinAcc *acc, const RtBatch *batch, const guint32 *rows,
                                guint n, GError **error);
RtResult rt__win_acc_fire_until (RtWinAcc *acc, RtOperator *owner, gint64 wm,
                                 GError **error);
void rt__win_acc_snapshot (RtWinAcc *acc, RtStateOut *out);
gboolean rt__win_acc_restore_group (RtWinAcc *acc, RtOperator *owner, RtStateIn *in,
                                    guint kg, gint64 end, GError **error);
/* SESSION windows: one accumulator group per open session (group_new from its first row;
 * kg G_MAXUINT: from the row), merged when sessions merge; emit writes the merged bounds
 * into the row's window_start and window_end. Entries: tag RT_WINDOW_ACC_SESSION. */
typedef struct _RtWinAccGroup RtWinAccGroup;
#define RT_WINDOW_ACC_SESSION 6
RtWinAccGroup *rt__win_acc_group_new (RtWinAcc *acc, const RtBatch *batch, guint r, guint kg);
void rt__win_acc_group_free (RtWinAccGroup *group);
gboolean rt__win_acc_group_add (RtWinAcc *acc, RtWinAccGroup *group, const RtBatch *batch,
                                guint r, GError **error);
gboolean rt__win_acc_group_merge (RtWinAcc *acc, RtWinAccGroup *into,
                                  const RtWinAccGroup *from, GError **error);
RtResult rt__win_acc_group_emit (RtWinAcc *acc, RtOperator *owner, RtWinAccGroup *group,
                                 gint64 start, gint64 end, GError **error);
RtResult rt__win_acc_flush (RtWinAcc *acc, RtOperator *owner, GError **error);
void rt__win_acc_group_snapshot (RtWinAcc *acc, const RtWinAccGroup *group, guint64 tag,
                                 gint64 start, gint64 end, RtStateOut *out);
RtWinAccGroup *rt__win_acc_group_restore (RtWinAcc *acc, RtOperator *owner, RtStateIn *in,
                                          guint kg, RtBatch *one, gint64 *start,
                                          GError **error);

/* added by shared slices (rt-window-acc.c): HOP windows of size and slide (offset) made
 * of slices; add then takes rows whose window_end is their slice's end, fire_until merges
 * each window's slices. Snapshot entries are tagged RT_WINDOW_ACC_SLICE (restore_group
 * reads them back the same way). set_fired: the watermark a restore brings back (windows
 * up to it fired before the checkpoint). link_slices (rt-op-window.c): called by the job
 * builder for each operator added to a chain (ops[index]); turns slices on for a window
 * aggregate whose HOP TVF runs chained in front, when nothing between them or in the
 * aggregate reads the window columns otherwise than as its window_start/window_end keys. */
#define RT_WINDOW_ACC_SLICE 7
void rt__win_acc_set_slices (RtWinAcc *acc, gint64 slide, gint64 size, gint64 offset);
void rt__win_acc_set_fired (RtWinAcc *acc, gint64 wm);
void rt__window_link_slices (RtOperator *op, GPtrArray *ops, guint index,
                             const PlanPhysPlan *plan);
/* What each input column of the window aggregate agg is: the window_start, window_end or
 * window_time of window (the WINDOW below it), followed through the CALCs in between, or
 * another column. NULL when a node on the way is not a CALC, or a filter or an expression
 * reads a window column instead of passing it on (a processing-time window's values there
 * are provisional). Newly allocated, one per input column. */
enum { RT_WINDOW_COL_OTHER, RT_WINDOW_COL_START, RT_WINDOW_COL_END, RT_WINDOW_COL_TIME };
guint8 *rt__window_column_roles (const PlanPhysNode *agg, const PlanPhysNode *window);

G_END_DECLS
