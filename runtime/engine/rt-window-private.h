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

G_END_DECLS
