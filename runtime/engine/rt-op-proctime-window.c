/* rt-op-proctime-window.c: the processing-time TUMBLE window aggregate, as in
 *   SELECT k, COUNT(*), TUMBLE_START(p, INTERVAL '10' SECOND)
 *   FROM (SELECT *, PROCTIME() AS p FROM t) GROUP BY k, TUMBLE(p, INTERVAL '10' SECOND)
 *
 * Flink assigns a processing-time window when the row reaches the window operator, by that
 * operator's clock, and fires it by a processing-time timer at the window's end; no row is
 * ever late. Here PROCTIME() is computed earlier (in the CALC after the source, once per
 * batch) and the row may wait in channels after that, so the window the TVF gave it is only
 * provisional: this operator assigns the window again from its own clock as the row
 * arrives (overwriting window_start and window_end), which is Flink's semantics. The
 * optimizer routes the rows by the group keys without the window bounds for the same
 * reason (opt-window.c), so each group's windows live in one subtask.
 *
 * Everything else is the event-time window aggregate (rt-op-window.c), driven by the
 * clock instead of the watermark: after every batch and every event this operator sees it
 * hands the inner operator a watermark of now - 1 ms, which fires exactly the windows that
 * ended by now; a row assigned at now belongs to a window ending after now, so it is never
 * late. This happens whenever the operator runs (on input, and on the events that reach
 * it) and by a processing-time timer (on_proctime, the task's timer service) set at the
 * end of the window that has rows, so a window fires on time even when no row or event
 * follows it. Upstream event-time watermarks are not used for firing; they pass on.
 *
 * Only TUMBLE windows: HOP and CUMULATE give a row several windows, which the TVF has
 * already expanded into copies by its own time. Checkpoints: the inner operator's (rows of
 * unfired windows, keyed), so a restored job fires them by the clock as well.
 *
 * The clock is g_get_real_time in ms (the one CURRENT_TIMESTAMP reads); tests replace it
 * with rt_proctime_set_clock so that nothing depends on sleeping. */
#include "rt-operator.h"
#include "rt-window-private.h"

typedef struct {
  RtOperator base;
  RtOperator *inner;   /* owned: the event-time window aggregate */
  guint start_col, end_col;
  gint64 size, offset;
  gint64 now;          /* latest clock reading, ms (never goes back) */
  gint64 fired_to;     /* last watermark handed to inner */
  gint64 max_end;      /* the latest window end given to a row */
  gint64 restored_until; /* windows restored from a checkpoint have all ended by then */
} RtProcWindow;

static gint64 (*clock_fn) (gpointer data);
static gpointer clock_data;

void
rt_proctime_set_clock (gint64 (*now_ms) (gpointer data), gpointer data)
{
  clock_fn = now_ms;
  clock_data = data;
}

gint64
rt_proctime_now_ms (void)
{
  return clock_fn != NULL ? clock_fn (clock_data) : g_get_real_time () / 1000;
}

gboolean
rt_proctime_clock_is_wall (void)
{
  return clock_fn == NULL;
}

static gint64
tick (RtProcWindow *w)
{
  gint64 t = rt_proctime_now_ms ();

  w->now = MAX (w->now, t);
  return w->now;
}

static RtResult
forward (void *data, RtBatch *batch, GError **error)
{
  return rt_op_emit (data, batch, error);
}

static gint64
window_start_of (RtProcWindow *w, gint64 t)
{
  return t - ((t - w->offset) % w->size + w->size) % w->size;
}

/* The timer: at the end of the open window, if it has rows; after a restore, at every
 * window end until the restored windows have all ended (their ends are not known here). */
static void
set_timer (RtProcWindow *w)
{
  gint64 at = G_MAXINT64;

  if (w->max_end - 1 > w->fired_to)
    at = w->max_end;
  if (w->now < w->restored_until)
    at = MIN (at, window_start_of (w, w->now) + w->size);
  w->base.proctime_timer_ms = at;
}

/* Hands inner the watermark now - 1: every window ending by now fires. */
static RtResult
advance (RtProcWindow *w, GError **error)
{
  RtEvent ev = { RT_EVENT_WATERMARK, tick (w) - 1, 0 };
  RtResult r = RT_OK;

  if (ev.value > w->fired_to)
    {
      w->fired_to = ev.value;
      r = w->inner->klass->on_event (w->inner, &ev, 0, error);
    }
  set_timer (w);
  return r;
}

static gboolean
pw_open (RtOperator *op, GError **error)
{
  RtProcWindow *w = (RtProcWindow *) op;

  w->inner->ctx = op->ctx;
  return w->inner->klass->open == NULL || w->inner->klass->open (w->inner, error);
}

static RtResult
pw_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtProcWindow *w = (RtProcWindow *) op;
  g_autoptr (RtBatch) copy = NULL;
  gint64 now = tick (w), start;
  gint64 *starts, *ends;
  RtResult r;

  w->inner->ctx = op->ctx;
  start = window_start_of (w, now);
  w->max_end = MAX (w->max_end, start + w->size);
  if ((copy = rt_batch_new (op->ctx->pool, batch->schema, MAX (batch->n_rows, 1u),
                            error)) == NULL)
    return RT_FAIL;
  for (guint i = 0; i < batch->n_rows; i++)
    if (!rt_batch_append_row (copy, batch, i, error))
      return RT_FAIL;
  starts = RT_VEC (copy, w->start_col, gint64);
  ends = RT_VEC (copy, w->end_col, gint64);
  for (guint i = 0; i < copy->n_rows; i++)
    {
      starts[i] = start;
      ends[i] = start + w->size;
    }
  if ((r = w->inner->klass->process (w->inner, copy, input, error)) == RT_FAIL)
    return RT_FAIL;
  op->late_records_dropped = w->inner->late_records_dropped;
  return advance (w, error) == RT_FAIL ? RT_FAIL : r;
}

static RtResult
pw_on_event (RtOperator *op, const RtEvent *event, guint input, GError **error)
{
  (void) event;
  (void) input;
  return advance ((RtProcWindow *) op, error);
}

/* The timer service: the open window (or a restored one) has ended by now. */
static RtResult
pw_on_proctime (RtOperator *op, gint64 now_ms, GError **error)
{
  return advance ((RtProcWindow *) op, error);
}

static RtResult
pw_finish (RtOperator *op, GError **error)
{
  RtProcWindow *w = (RtProcWindow *) op;

  return w->inner->klass->finish (w->inner, error);
}

static void
pw_close (RtOperator *op)
{
  RtProcWindow *w = (RtProcWindow *) op;

  g_clear_pointer (&w->inner, rt_operator_free);
}

static gboolean
pw_snapshot (RtOperator *op, gint64 id, RtStateOut *out, GError **error)
{
  RtProcWindow *w = (RtProcWindow *) op;

  return w->inner->klass->snapshot (w->inner, id, out, error);
}

static gboolean
pw_restore (RtOperator *op, RtStateIn *in, GError **error)
{
  RtProcWindow *w = (RtProcWindow *) op;

  w->inner->ctx = op->ctx;
  if (!w->inner->klass->restore (w->inner, in, error))
    return FALSE;
  w->restored_until = tick (w) + w->size;
  set_timer (w);
  return TRUE;
}

static const RtOperatorClass proctime_window_class = {
  .name = "ProcTimeWindowAggregate",
  .instance_size = sizeof (RtProcWindow),
  .open = pw_open,
  .process = pw_process,
  .on_event = pw_on_event,
  .finish = pw_finish,
  .close = pw_close,
  .snapshot = pw_snapshot,
  .restore = pw_restore,
  .on_proctime = pw_on_proctime,
};

/* The WINDOW node below the aggregate (plan_phys_is_proctime_window found it). */
static const PlanPhysNode *
window_of (const PlanPhysNode *node)
{
  const PlanPhysNode *n = node->inputs[0].node;

  while (n->kind != PLAN_PHYS_WINDOW && n->n_inputs == 1)
    n = n->inputs[0].node;
  return n->kind == PLAN_PHYS_WINDOW ? n : NULL;
}

RtOperator *
rt_op_proctime_window_new (const PlanPhysNode *node, GError **error)
{
  const PlanPhysNode *win;
  RtOperator *inner;
  RtProcWindow *w;

  g_return_val_if_fail (node != NULL, NULL);
  win = node->kind == PLAN_PHYS_WINDOW_AGGREGATE ? window_of (node) : NULL;
  if (win == NULL || win->u.window.kind != PLAN_WINDOW_TUMBLE)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR, "%u:%u: processing-time windows "
                   "(over a PROCTIME() column) support TUMBLE only; use an event-time "
                   "attribute (WATERMARK FOR) for %s windows", node->span.line,
                   node->span.col, win != NULL ? plan_window_kind_name (win->u.window.kind)
                   : "these");
      return NULL;
    }
  if (node->u.window_agg.allowed_lateness_ms > 0)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR, "%u:%u: allowed lateness has no "
                   "meaning for processing-time windows; RESET "
                   "'table.exec.emit.allow-lateness'", node->span.line, node->span.col);
      return NULL;
    }
  if ((inner = rt_op_window_aggregate_new (node, error)) == NULL)
    return NULL;
  w = (RtProcWindow *) rt_operator_new (&proctime_window_class, node->id);
  w->inner = inner;
  inner->sink_fn = forward;
  inner->sink_data = &w->base;
  w->start_col = node->u.window_agg.agg.keys[node->u.window_agg.start_key];
  w->end_col = node->u.window_agg.agg.keys[node->u.window_agg.end_key];
  w->size = win->u.window.size_ms;
  w->offset = win->u.window.offset_ms;
  w->now = G_MININT64;
  w->fired_to = G_MININT64;
  return &w->base;
}
