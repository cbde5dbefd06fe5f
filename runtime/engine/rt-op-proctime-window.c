/* rt-op-proctime-window.c: the processing-time window aggregate (TUMBLE, HOP, CUMULATE), as
 *   SELECT k, COUNT(*), TUMBLE_START(p, INTERVAL '10' SECOND)
 *   FROM (SELECT *, PROCTIME() AS p FROM t) GROUP BY k, TUMBLE(p, INTERVAL '10' SECOND)
 * or TABLE(HOP(TABLE t, DESCRIPTOR(p), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) grouped
 * by k, window_start, window_end.
 *
 * Flink assigns a processing-time window when the row reaches the window operator, by that
 * operator's clock, and fires it by a processing-time timer at the window's end; no row is
 * ever late. Here PROCTIME() is computed earlier (in the CALC after the source, once per
 * batch) and the row may wait in channels after that, so the window the TVF gave it is only
 * provisional: this operator assigns the windows again from its own clock as the row
 * arrives (window_start, window_end, and window_time where the aggregate's input carries
 * it), which is Flink's semantics. A HOP or CUMULATE gives a row several windows; the
 * optimizer marks the TVF below `merged` (opt-window.c) so that it passes each row through
 * once, and this operator makes the copies, one per window of the arrival time (a HOP of
 * size / slide windows, a CUMULATE of the steps not yet ended in its current window). The
 * rows are routed by the group keys without the window bounds for the same reason
 * (opt-window.c), so each group's windows live in one subtask, and each row crosses the
 * exchange once. A TVF not so marked (shared by another consumer) would have expanded the
 * rows already: a HOP or CUMULATE is refused then, as SESSION is always.
 *
 * Everything else is the event-time window aggregate (rt-op-window.c), driven by the
 * clock instead of the watermark: after every batch and every event this operator sees it
 * hands the inner operator a watermark of now - 1 ms, which fires exactly the windows that
 * ended by now; a row assigned at now belongs only to windows ending after now, so it is
 * never late, and the results equal an event-time window over the arrival times. This
 * happens whenever the operator runs (on input, and on the events that reach it) and by a
 * processing-time timer (on_proctime, the task's timer service) set at the next window end
 * after now while some window with rows is open, so each window fires on time even when
 * no row or event follows it. Upstream event-time watermarks are not used for firing; they
 * pass on. A whole batch arrives at one clock reading, so its rows share their windows.
 *
 * Checkpoints: the inner operator's (rows or accumulators of unfired windows, keyed), so a
 * restored job fires them by the clock as well: their ends are not known here, so after a
 * restore the timer is set at every window end until the longest window has passed.
 *
 * The clock is g_get_real_time in ms (the one CURRENT_TIMESTAMP reads); tests replace it
 * with rt_proctime_set_clock so that nothing depends on sleeping. */
#include "rt-operator.h"
#include "rt-window-private.h"

typedef struct {
  RtOperator base;
  RtOperator *inner;   /* owned: the event-time window aggregate */
  PlanWindowKind kind;
  guint n_cols;
  guint8 *roles;       /* owned: RT_WINDOW_COL_* per input column */
  gint64 size, slide, offset; /* CUMULATE: slide is the step, size the max size */
  gint64 *starts, *ends; /* owned: the windows of one arrival time (max_windows) */
  guint max_windows;
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

/* Floor of t on the grid of step shifted by offset. */
static gint64
grid_floor (gint64 t, gint64 offset, gint64 step)
{
  return t - ((t - offset) % step + step) % step;
}

/* The first window end after t: every end lies on the grid of the slide (TUMBLE: the
 * size), since a HOP's size and a CUMULATE's max size are multiples of it. */
static gint64
next_end (RtProcWindow *w, gint64 t)
{
  return grid_floor (t, w->offset, w->slide) + w->slide;
}

/* The windows a row arriving at t belongs to, into w->starts and w->ends; their number. */
static guint
windows_at (RtProcWindow *w, gint64 t)
{
  guint n = 0;
  gint64 s, e;

  switch (w->kind)
    {
    case PLAN_WINDOW_HOP: /* [s, s + size) with s on the slide grid, s <= t < s + size */
      for (s = grid_floor (t, w->offset, w->slide) - w->size + w->slide; s <= t; s += w->slide)
        if (t < s + w->size && n < w->max_windows)
          {
            w->starts[n] = s;
            w->ends[n++] = s + w->size;
          }
      break;
    case PLAN_WINDOW_CUMULATE: /* [s, e) with s on the size grid, e a step after, t < e */
      s = grid_floor (t, w->offset, w->size);
      for (e = s + w->slide; e <= s + w->size; e += w->slide)
        if (t < e && n < w->max_windows)
          {
            w->starts[n] = s;
            w->ends[n++] = e;
          }
      break;
    case PLAN_WINDOW_TUMBLE:
    case PLAN_WINDOW_SESSION: /* refused when made */
    default:
      w->starts[0] = grid_floor (t, w->offset, w->size);
      w->ends[n++] = w->starts[0] + w->size;
      break;
    }
  return n;
}

/* The timer: at the next window end while a window with rows is open; after a restore, at
 * every window end until the restored windows have all ended (their ends are not known
 * here). */
static void
set_timer (RtProcWindow *w)
{
  w->base.proctime_timer_ms = w->max_end > w->now || w->now < w->restored_until
                              ? next_end (w, w->now) : G_MAXINT64;
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

/* A copy of batch with every row in window [start, end) (NULL with an error). */
static RtBatch *
copy_in_window (RtProcWindow *w, RtBatch *batch, gint64 start, gint64 end, GError **error)
{
  g_autoptr (RtBatch) copy = rt_batch_new (w->base.ctx->pool, batch->schema,
                                           MAX (batch->n_rows, 1u), error);

  if (copy == NULL)
    return NULL;
  for (guint i = 0; i < batch->n_rows; i++)
    if (!rt_batch_append_row (copy, batch, i, error))
      return NULL;
  for (guint c = 0; c < w->n_cols; c++)
    {
      gint64 v = w->roles[c] == RT_WINDOW_COL_START ? start
                 : w->roles[c] == RT_WINDOW_COL_END ? end : end - 1;

      if (w->roles[c] == RT_WINDOW_COL_OTHER)
        continue;
      for (guint i = 0; i < copy->n_rows; i++)
        {
          RT_VEC (copy, c, gint64)[i] = v;
          rt_vec_set_valid (&copy->cols[c], i);
        }
    }
  return g_steal_pointer (&copy);
}

/* The rows arrive now: a copy of the batch per window of now goes to inner. */
static RtResult
pw_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtProcWindow *w = (RtProcWindow *) op;
  guint n = batch->n_rows > 0 ? windows_at (w, tick (w)) : 0;
  RtResult r = RT_OK;

  w->inner->ctx = op->ctx;
  for (guint i = 0; i < n && r == RT_OK; i++)
    {
      g_autoptr (RtBatch) copy = copy_in_window (w, batch, w->starts[i], w->ends[i], error);

      w->max_end = MAX (w->max_end, w->ends[i]);
      if (copy == NULL)
        return RT_FAIL;
      if ((r = w->inner->klass->process (w->inner, copy, input, error)) == RT_FAIL)
        return RT_FAIL;
    }
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
  g_clear_pointer (&w->roles, g_free);
  g_clear_pointer (&w->starts, g_free);
  g_clear_pointer (&w->ends, g_free);
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
  w->base.proctime_timer_ms = w->now; /* windows that ended while the job was down: now */
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

/* node's WINDOW, and in *roles its input columns' (rt__window_column_roles); NULL with an
 * error unless node is a window aggregate this operator can run. */
static const PlanPhysNode *
check_window (const PlanPhysNode *node, guint8 **roles, GError **error)
{
  const PlanPhysNode *win = node->kind == PLAN_PHYS_WINDOW_AGGREGATE ? window_of (node) : NULL;
  PlanWindowKind kind = win != NULL ? win->u.window.kind : PLAN_WINDOW_SESSION;

  if (kind == PLAN_WINDOW_SESSION)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR, "%u:%u: processing-time windows "
                   "(over a PROCTIME() column) support TUMBLE, HOP and CUMULATE; use an "
                   "event-time attribute (WATERMARK FOR) for %s windows", node->span.line,
                   node->span.col, win != NULL ? plan_window_kind_name (kind) : "these");
      return NULL;
    }
  if (kind != PLAN_WINDOW_TUMBLE && !win->u.window.merged)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR, "%u:%u: this processing-time %s "
                   "window's rows are also read elsewhere in the query, so its window "
                   "aggregate cannot assign them on arrival; compute the %s once (one window "
                   "aggregate over it) or use an event-time attribute (WATERMARK FOR)",
                   node->span.line, node->span.col, plan_window_kind_name (kind),
                   plan_window_kind_name (kind));
      return NULL;
    }
  if (node->u.window_agg.allowed_lateness_ms > 0)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR, "%u:%u: allowed lateness has no "
                   "meaning for processing-time windows; RESET "
                   "'table.exec.emit.allow-lateness'", node->span.line, node->span.col);
      return NULL;
    }
  if ((*roles = rt__window_column_roles (node, win)) == NULL)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR, "%u:%u: a processing-time window's "
                   "window_start, window_end and window_time are known only in its window "
                   "aggregate, but the query filters on them or computes with them before "
                   "grouping; group by them first and filter in an outer query (or HAVING)",
                   node->span.line, node->span.col);
      return NULL;
    }
  return win;
}

RtOperator *
rt_op_proctime_window_new (const PlanPhysNode *node, GError **error)
{
  const PlanPhysNode *win;
  RtOperator *inner;
  RtProcWindow *w;
  guint start_col, end_col;
  guint8 *roles;

  g_return_val_if_fail (node != NULL, NULL);
  if ((win = check_window (node, &roles, error)) == NULL)
    return NULL;
  if ((inner = rt_op_window_aggregate_new (node, error)) == NULL)
    {
      g_free (roles);
      return NULL;
    }
  w = (RtProcWindow *) rt_operator_new (&proctime_window_class, node->id);
  w->inner = inner;
  inner->sink_fn = forward;
  inner->sink_data = &w->base;
  start_col = node->u.window_agg.agg.keys[node->u.window_agg.start_key];
  end_col = node->u.window_agg.agg.keys[node->u.window_agg.end_key];
  w->n_cols = node->inputs[0].node->schema->n_fields;
  w->roles = roles; /* the keys are the bounds, whatever the trace found */
  w->roles[start_col] = RT_WINDOW_COL_START;
  w->roles[end_col] = RT_WINDOW_COL_END;
  w->kind = win->u.window.kind;
  w->size = win->u.window.size_ms;
  w->slide = w->kind == PLAN_WINDOW_TUMBLE ? w->size : win->u.window.slide_ms;
  w->offset = win->u.window.offset_ms;
  w->max_windows = w->kind == PLAN_WINDOW_TUMBLE ? 1 : (guint) MAX (w->size / w->slide, 1);
  w->starts = g_new (gint64, w->max_windows);
  w->ends = g_new (gint64, w->max_windows);
  w->now = G_MININT64;
  w->fired_to = G_MININT64;
  w->max_end = G_MININT64;
  w->restored_until = G_MININT64;
  return &w->base;
}
