/* rt-op-window.c: event time and windows in the engine (DESIGN.md 4.5, 4.6), in Flink's
 * shape:
 *
 *   source -> watermark assigner   a source whose table says WATERMARK FOR ts AS expr gets
 *                                  this operator chained after it: it keeps the largest
 *                                  value of expr seen (max rowtime minus the delay); the
 *                                  task sends it downstream every
 *                                  'pipeline.auto-watermark-interval', and MAX at the end.
 *   channels                       watermarks travel in-band as RT_EVENT_WATERMARK between
 *                                  the batches; a task's watermark is the minimum over its
 *                                  input channels (the valve below), idle inputs left out.
 *   WINDOW (the TVF)               stateless: each row once per window it falls in, with
 *                                  window_start, window_end and window_time appended.
 *                                  Marked `merged` (a processing-time window's, or a
 *                                  SESSION's), each row once, in a provisional window.
 *   WINDOW_AGGREGATE               accumulates each window's groups (by window_end) until
 *                                  the watermark reaches window_end - 1, then emits one
 *                                  final +I row per group; a row whose window already fired
 *                                  is late: it is dropped and counted
 *                                  (numLateRecordsDropped).
 *   SESSION                        the TVF gives each row [ts, ts + gap); the aggregate
 *                                  keeps open sessions per partition key, merges the ones
 *                                  a row touches (Flink's intersect), and emits each with
 *                                  its merged bounds.
 *
 * Most window aggregates accumulate incrementally (rt-window-acc.c): per (window, group
 * key), or per open session, accumulators updated as rows arrive. Where plain
 * accumulators do not reach (allowed lateness, DISTINCT, an updating input, DOUBLE sums of
 * sessions) the rows are kept instead (in managed-memory batches; a session's rows get the
 * merged bounds at firing) and aggregated at firing by the keyed aggregate
 * (rt-op-aggregate.c) in its batch mode, one short-lived instance per firing: every
 * aggregate function, DISTINCT and FILTER behave exactly as in GROUP BY.
 * Timers are the sorted window ends: a watermark fires
 * every window whose end it has reached, in end order, so results come out in time
 * order. */
#include "rt-window-private.h"
#include "rt-checkpoint.h" /* added by checkpoints */
#include "rt-channel.h"
#include "rt-source-private.h"
#include "plans/plan-catalog.h"
#include "plans/plan-sql.h"

#include <string.h>

/* ---- watermark valve ---------------------------------------------------------------- */

/* CATCHING_UP: active again after idleness but still behind the output, so left out of
 * the minimum until its watermark reaches the output (Flink's "aligned" channels). */
typedef enum { INPUT_ACTIVE, INPUT_IDLE, INPUT_ENDED, INPUT_CATCHING_UP } InputState;

struct _RtWmValve {
  guint n;
  gint64 *wm;      /* per input, RT_WATERMARK_NONE before the first */
  guint8 *state;   /* InputState per input */
  gint64 current;  /* last output */
  gboolean idle;
};

RtWmValve *
rt__wm_valve_new (guint n_inputs)
{
  RtWmValve *v = g_new0 (RtWmValve, 1);

  v->n = n_inputs;
  v->wm = g_new (gint64, MAX (n_inputs, 1u));
  v->state = g_new0 (guint8, MAX (n_inputs, 1u));
  for (guint i = 0; i < n_inputs; i++)
    v->wm[i] = RT_WATERMARK_NONE;
  v->current = RT_WATERMARK_NONE;
  return v;
}

void
rt__wm_valve_free (RtWmValve *v)
{
  if (v == NULL)
    return;
  g_free (v->wm);
  g_free (v->state);
  g_free (v);
}

/* Recomputes the output; TRUE when it advanced. */
static gboolean
valve_update (RtWmValve *v, gint64 *out)
{
  gint64 min = RT_WATERMARK_MAX, max_idle = RT_WATERMARK_NONE;
  gboolean any_active = FALSE, any_idle = FALSE, any_catching_up = FALSE;

  for (guint i = 0; i < v->n; i++)
    if (v->state[i] == INPUT_ACTIVE)
      {
        any_active = TRUE;
        min = MIN (min, v->wm[i]);
      }
    else if (v->state[i] == INPUT_IDLE)
      {
        any_idle = TRUE;
        max_idle = MAX (max_idle, v->wm[i]);
      }
    else if (v->state[i] == INPUT_CATCHING_UP)
      any_catching_up = TRUE;
  if (!any_active && any_catching_up)
    return FALSE; /* nobody aligned to speak for the output yet */
  v->idle = !any_active && any_idle;
  if (v->idle)
    min = max_idle; /* Flink: when all inputs are idle, the highest one counts */
  if (min <= v->current)
    return FALSE;
  v->current = min;
  *out = min;
  return TRUE;
}

gboolean
rt__wm_valve_watermark (RtWmValve *v, guint input, gint64 wm, gint64 *out)
{
  g_return_val_if_fail (input < v->n, FALSE);
  if (v->state[input] == INPUT_ENDED)
    return FALSE;
  if (wm == RT_WATERMARK_MAX)
    return rt__wm_valve_ended (v, input, out); /* the input's final word: as if ended, so
                                                * idle inputs beside it are not skipped */
  v->wm[input] = MAX (v->wm[input], wm);
  if (v->state[input] == INPUT_IDLE)
    v->state[input] = INPUT_CATCHING_UP;
  if (v->state[input] == INPUT_CATCHING_UP && v->wm[input] >= v->current)
    v->state[input] = INPUT_ACTIVE;
  return valve_update (v, out);
}

gboolean
rt__wm_valve_idle (RtWmValve *v, guint input, gint64 *out)
{
  g_return_val_if_fail (input < v->n, FALSE);
  if (v->state[input] == INPUT_ENDED)
    return FALSE;
  v->state[input] = INPUT_IDLE;
  return valve_update (v, out);
}

void
rt__wm_valve_active (RtWmValve *v, guint input)
{
  g_return_if_fail (input < v->n);
  if (v->state[input] == INPUT_IDLE)
    v->state[input] = v->wm[input] >= v->current ? INPUT_ACTIVE : INPUT_CATCHING_UP;
  v->idle = FALSE;
}

gboolean
rt__wm_valve_ended (RtWmValve *v, guint input, gint64 *out)
{
  g_return_val_if_fail (input < v->n, FALSE);
  v->state[input] = INPUT_ENDED;
  v->wm[input] = RT_WATERMARK_MAX;
  return valve_update (v, out);
}

gint64
rt__wm_valve_get (const RtWmValve *v)
{
  return v->current;
}

gboolean
rt__wm_valve_is_idle (const RtWmValve *v)
{
  return v->idle;
}

/* ---- watermark assigner ------------------------------------------------------------- */

typedef struct {
  RtOperator base;
  RtProgram *program;   /* owned: the WATERMARK expression over the source's columns */
  PlanSchema *schema;   /* owned: one TIMESTAMP column */
  gint64 max_wm;
} RtWmAssigner;

static RtResult
assigner_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtWmAssigner *a = (RtWmAssigner *) op;
  g_autoptr (RtBatch) wm = rt_program_run (a->program, batch, a->schema, error);

  if (wm == NULL)
    return RT_FAIL;
  for (guint r = 0; r < wm->n_rows; r++)
    if (rt_vec_is_valid (&wm->cols[0], r))
      a->max_wm = MAX (a->max_wm, RT_VEC (wm, 0, gint64)[r]);
  op->rows_in = 0; /* the source's rows: counted there, not twice */
  if (op->next != NULL)
    {
      op->next->rows_in += batch->n_rows;
      return op->next->klass->process (op->next, batch, 0, error);
    }
  return op->sink_fn != NULL ? op->sink_fn (op->sink_data, batch, error) : RT_OK;
}

static void
assigner_close (RtOperator *op)
{
  RtWmAssigner *a = (RtWmAssigner *) op;

  g_clear_pointer (&a->program, rt_program_free);
  g_clear_pointer (&a->schema, plan_schema_unref);
}

static const RtOperatorClass assigner_class = {
  .name = "WatermarkAssigner",
  .instance_size = sizeof (RtWmAssigner),
  .process = assigner_process,
  .close = assigner_close,
  .stateless = TRUE, /* added by checkpoints */
};

/* The WATERMARK expression of table over its own columns, bound again from its text (the
 * catalog keeps the text, as Flink's does). NULL with an error if it no longer binds. */
static PlanExpr *
bind_watermark_expr (const PlanTable *table, const char *text, GError **error)
{
  g_autoptr (PlanCatalog) catalog = plan_catalog_new ();
  g_autoptr (PlanStatement) stmt = NULL;
  g_autofree char *sql = NULL;
  PlanTable *copy = plan_table_new ("__wm", plan_schema_ref (table->schema), table->span);
  const PlanNode *n;

  for (guint i = 0; i + 1 < table->options->len; i += 2) /* ROW types: computed columns */
    if (g_str_has_prefix (table->options->pdata[i], "__computed."))
      plan_table_add_option (copy, table->options->pdata[i], table->options->pdata[i + 1]);

  if (!plan_catalog_add_table (catalog, copy, error))
    {
      plan_table_unref (copy);
      return NULL;
    }
  plan_table_unref (copy);
  sql = g_strdup_printf ("SELECT %s FROM __wm", text);
  if ((stmt = plan_sql_compile_one (catalog, sql, error)) == NULL)
    return NULL;
  for (n = stmt->plan; n != NULL && n->kind != PLAN_NODE_PROJECT;)
    n = n->n_inputs > 0 ? n->inputs[0] : NULL;
  /* added by ROW types: over computed columns, inline their expressions */
  if (n != NULL && n->u.project.n_exprs == 1 && n->inputs[0]->kind == PLAN_NODE_PROJECT
      && n->inputs[0]->inputs[0]->kind == PLAN_NODE_SCAN)
    return plan_expr_inline_columns (n->u.project.exprs[0], n->inputs[0]->u.project.exprs);
  if (n == NULL || n->u.project.n_exprs != 1 || n->inputs[0]->kind != PLAN_NODE_SCAN)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "the WATERMARK of table '%s' did not "
                   "bind to one expression", table->name);
      return NULL;
    }
  return plan_expr_ref (n->u.project.exprs[0]);
}

gboolean
rt__wm_assigner_new (const PlanPhysNode *source, RtOperator **out, GError **error)
{
  const PlanTable *table = source->u.source.table;
  gint rowtime = plan_table_rowtime (table);
  g_autofree char *key = NULL;
  g_autofree guint *map = NULL;
  g_autoptr (PlanExpr) expr = NULL, remapped = NULL;
  g_autoptr (GArray) used = g_array_new (FALSE, FALSE, sizeof (guint));
  RtWmAssigner *a;
  RtProgram *program;

  *out = NULL;
  for (guint i = 0; rowtime < 0 && i + 1 < table->options->len; i += 2)
    if (g_str_has_prefix (table->options->pdata[i], "__watermark.")) /* ROW types: computed */
      key = g_strdup (table->options->pdata[i]);
  if (rowtime < 0 && key == NULL)
    return TRUE;
  if (key == NULL)
    key = g_strdup_printf ("__watermark.%s", table->schema->fields[rowtime].name);
  if ((expr = bind_watermark_expr (table, plan_table_get_option (table, key), error)) == NULL)
    return FALSE;
  map = g_new (guint, table->schema->n_fields);
  for (guint i = 0; i < table->schema->n_fields; i++)
    map[i] = G_MAXUINT;
  for (guint k = 0; k < source->u.source.n_columns; k++)
    map[source->u.source.columns[k]] = k;
  plan_expr_collect_columns (expr, used);
  for (guint i = 0; i < used->len; i++)
    if (map[g_array_index (used, guint, i)] == G_MAXUINT)
      return TRUE; /* the query does not read the rowtime: only the final watermark */
  remapped = plan_expr_remap_columns (expr, map);
  if ((program = rt_program_new (source->schema, NULL, 1, &remapped, error)) == NULL)
    return FALSE;
  a = (RtWmAssigner *) rt_operator_new (&assigner_class, source->id);
  a->program = program;
  a->schema = plan_schema_new (1);
  plan_schema_set_field (a->schema, 0, "wm", remapped->type);
  a->max_wm = RT_WATERMARK_NONE;
  *out = &a->base;
  return TRUE;
}

gint64
rt__wm_assigner_current (RtOperator *op)
{
  g_return_val_if_fail (op->klass == &assigner_class, RT_WATERMARK_NONE);
  return ((RtWmAssigner *) op)->max_wm;
}

/* ---- window TVF --------------------------------------------------------------------- */

typedef struct {
  RtOperator base;
  PlanWindow w;
  PlanSchema *out_schema; /* owned ref */
  GArray *picks;          /* owned: TvfPick of the batch being processed */
  gboolean sliced;        /* added by shared slices: each row once, in its HOP slice */
} RtWindowTvf;

/* One output row: input row `row` in window [start, end). The TVF first lists its batch's
 * output rows, then copies them column by column (a gather per column, not per cell). */
typedef struct {
  guint row;
  gint64 start, end;
} TvfPick;

/* Floor of ts on the grid of step shifted by offset. */
static gint64
window_floor (gint64 ts, gint64 offset, gint64 step)
{
  gint64 rem = (ts - offset) % step;

  return ts - (rem < 0 ? rem + step : rem);
}

/* Copies n cells of one column from src to dst, gathering rows rows[i].row. */
static void
tvf_gather_column (const RtVector *src, RtVector *dst, const TvfPick *picks, guint n)
{
  gsize w = plan_type_storage_size (src->kind);

  if (w == 8)
    for (guint i = 0; i < n; i++)
      ((guint64 *) dst->data)[i] = ((const guint64 *) src->data)[picks[i].row];
  else if (w == 4)
    for (guint i = 0; i < n; i++)
      ((guint32 *) dst->data)[i] = ((const guint32 *) src->data)[picks[i].row];
  else if (w == sizeof (RtStr) && src->kind == PLAN_TYPE_VARCHAR)
    for (guint i = 0; i < n; i++)
      ((RtStr *) dst->data)[i] = ((const RtStr *) src->data)[picks[i].row];
  else
    for (guint i = 0; i < n; i++)
      memcpy ((char *) dst->data + w * i, (const char *) src->data + w * picks[i].row, w);
  for (guint i = 0; i < n; i++)
    if (!rt_vec_is_valid (src, picks[i].row))
      rt_vec_set_null (dst, i);
}

/* Emits src's rows picks[0 .. n) (n at most a batch) with their windows appended. */
static RtResult
tvf_emit (RtWindowTvf *t, RtBatch *src, const TvfPick *picks, guint n, GError **error)
{
  g_autoptr (RtBatch) out = NULL;
  guint nc = src->n_cols;

  if ((out = rt_batch_new (t->base.ctx->pool, t->out_schema, MAX (n, 1u), error)) == NULL)
    return RT_FAIL;
  rt_batch_keep (out, src); /* strings are shared, not copied */
  for (guint c = 0; c < nc; c++)
    tvf_gather_column (&src->cols[c], &out->cols[c], picks, n);
  for (guint i = 0; i < n; i++)
    {
      RT_VEC (out, nc, gint64)[i] = picks[i].start;
      RT_VEC (out, nc + 1, gint64)[i] = picks[i].end;
      RT_VEC (out, nc + 2, gint64)[i] = picks[i].end - 1;
      out->kinds[i] = src->kinds[picks[i].row];
    }
  out->n_rows = n;
  return rt_op_emit (&t->base, out, error);
}

/* Notes row r of the batch in window [start, end). */
static void
tvf_append (RtWindowTvf *t, guint r, gint64 start, gint64 end)
{
  TvfPick p = { r, start, end };

  g_array_append_val (t->picks, p);
}

static RtResult
tvf_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtWindowTvf *t = (RtWindowTvf *) op;
  const PlanWindow *w = &t->w;
  const gint64 *ts = RT_VEC (batch, w->time_col, gint64);
  guint cap = MAX (t->base.ctx->batch_size, 1u);
  RtResult res = RT_OK;

  for (guint r = 0; r < batch->n_rows; r++)
    {
      gint64 start, end;

      if (!rt_vec_is_valid (&batch->cols[w->time_col], r))
        continue; /* no rowtime, no window */
      if (t->sliced) /* added by shared slices: the aggregate makes the windows */
        {
          start = window_floor (ts[r], w->offset_ms, w->slide_ms);
          tvf_append (t, r, start, start + w->slide_ms);
          continue;
        }
      if (w->merged && w->kind != PLAN_WINDOW_SESSION) /* added by processing-time windows */
        { /* once, in one provisional window: the aggregate above assigns them on arrival */
          start = window_floor (ts[r], w->offset_ms, w->kind == PLAN_WINDOW_CUMULATE
                                                     ? w->size_ms : w->slide_ms);
          end = w->kind == PLAN_WINDOW_CUMULATE
                ? window_floor (ts[r], w->offset_ms, w->slide_ms) + w->slide_ms
                : start + w->size_ms;
          tvf_append (t, r, start, end);
          continue;
        }
      switch (w->kind)
        {
        case PLAN_WINDOW_HOP:
          /* windows [s, s + size) with s on the slide grid and s <= ts < s + size */
          for (start = window_floor (ts[r], w->offset_ms, w->slide_ms) - w->size_ms
                       + w->slide_ms;
               start <= ts[r]; start += w->slide_ms)
            if (ts[r] < start + w->size_ms)
              tvf_append (t, r, start, start + w->size_ms);
          break;
        case PLAN_WINDOW_CUMULATE:
          start = window_floor (ts[r], w->offset_ms, w->size_ms);
          for (end = start + w->slide_ms; end <= start + w->size_ms; end += w->slide_ms)
            if (ts[r] < end)
              tvf_append (t, r, start, end);
          break;
        case PLAN_WINDOW_SESSION: /* provisional: the window aggregate merges them */
          tvf_append (t, r, ts[r], ts[r] + w->size_ms);
          break;
        case PLAN_WINDOW_TUMBLE:
        default:
          start = window_floor (ts[r], w->offset_ms, w->size_ms);
          tvf_append (t, r, start, start + w->size_ms);
          break;
        }
    }
  for (guint i = 0; i < t->picks->len && res != RT_FAIL; i += cap)
    res = tvf_emit (t, batch, &g_array_index (t->picks, TvfPick, i),
                    MIN (cap, t->picks->len - i), error);
  g_array_set_size (t->picks, 0);
  return res; /* the last batch's answer (RT_DONE: a LIMIT downstream is satisfied) */
}

static void
tvf_close (RtOperator *op)
{
  RtWindowTvf *t = (RtWindowTvf *) op;

  g_clear_pointer (&t->picks, g_array_unref);
  g_clear_pointer (&t->out_schema, plan_schema_unref);
}

static const RtOperatorClass tvf_class = {
  .name = "WindowTableFunction",
  .instance_size = sizeof (RtWindowTvf),
  .process = tvf_process,
  .close = tvf_close,
  .stateless = TRUE, /* added by checkpoints */
};

RtOperator *
rt_op_window_new (const PlanPhysNode *node, GError **error)
{
  RtWindowTvf *t;

  g_return_val_if_fail (node != NULL, NULL);
  if (node->kind != PLAN_PHYS_WINDOW || node->n_inputs != 1
      || node->schema->n_fields != node->inputs[0].node->schema->n_fields + 3
      || node->u.window.size_ms <= 0 || node->u.window.slide_ms <= 0)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "window operator made from a "
                   "malformed %s node", plan_phys_kind_name (node->kind));
      return NULL;
    }
  if (node->u.window.kind == PLAN_WINDOW_SESSION && !node->u.window.merged)
    {
      g_set_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED, "%u:%u: SESSION windows only "
                   "work under a window aggregate: GROUP BY window_start, window_end and "
                   "exactly the PARTITION BY columns", node->span.line, node->span.col);
      return NULL;
    }
  t = (RtWindowTvf *) rt_operator_new (&tvf_class, node->id);
  t->w = node->u.window;
  t->out_schema = plan_schema_ref (node->schema);
  t->picks = g_array_new (FALSE, FALSE, sizeof (TvfPick));
  return &t->base;
}

/* ---- window aggregate ---------------------------------------------------------------- */

typedef struct {
  RtOperator base;
  PlanPhysNode *inner_node; /* owned: the batch-mode AGGREGATE each firing runs */
  guint end_col;            /* input column of window_end */
  GTree *windows;           /* window_end (gint64 in a pointer) -> GPtrArray of RtBatch */
  gint64 watermark;
  /* SESSION windows: per group key, the open sessions (merged as rows arrive) */
  gint64 gap;               /* > 0: SESSION */
  guint start_col;          /* input column of window_start */
  guint n_part;
  guint *part_cols;         /* owned: the other key columns (the PARTITION BY ones) */
  GHashTable *sessions;     /* GBytes key -> GPtrArray of Session*, owned */
  RtWindowLate *late;       /* added by allowed lateness: owned, NULL without lateness */
  /* added by checkpoints: the input's schema and the HASH exchange's key columns */
  PlanSchema *in_schema;    /* owned ref */
  guint n_in_keys;
  guint *in_keys;           /* owned */
  RtWinAcc *acc;            /* owned: incremental accumulators (rt-window-acc.c), or NULL:
                             * the rows are kept until the window fires */
  gint64 slide, size;       /* added by shared slices: > 0, rows come in HOP slices */
  GByteArray *scratch;      /* owned: the session key being built */
} RtWindowAgg;

typedef struct {
  gint64 start, end;
  GPtrArray *rows;          /* owned RtBatch refs, rows still carrying provisional windows */
  RtWinAccGroup *acc;       /* owned: instead of rows when the aggregate accumulates */
} Session;

static gint
compare_end (gconstpointer a, gconstpointer b, gpointer unused)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  (void) unused;
  return x < y ? -1 : x > y;
}

/* The buffer of rows for windows ending at end (made on first use). */
static GPtrArray *
window_rows (RtWindowAgg *a, gint64 end)
{
  GPtrArray *rows = g_tree_lookup (a->windows, &end);

  if (rows == NULL)
    {
      gint64 *key = g_new (gint64, 1);

      *key = end;
      rows = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_batch_unref);
      g_tree_insert (a->windows, key, rows);
    }
  return rows;
}

static gboolean
buffer_row (RtWindowAgg *a, GPtrArray *rows, RtBatch *batch, guint r, GError **error)
{
  RtBatch *last = rows->len > 0 ? rows->pdata[rows->len - 1] : NULL;

  if (last == NULL || last->n_rows == last->capacity)
    {
      if ((last = rt_batch_new (a->base.ctx->pool, batch->schema,
                                MAX (a->base.ctx->batch_size, 1u), error)) == NULL)
        return FALSE;
      g_ptr_array_add (rows, last);
    }
  return rt_batch_append_row (last, batch, r, error);
}

/* ---- session windows ---- */

static void
session_free (gpointer p)
{
  Session *s = p;

  g_clear_pointer (&s->rows, g_ptr_array_unref);
  rt__win_acc_group_free (s->acc);
  g_free (s);
}

/* The bytes of row r's partition key: per column a validity byte, then the value. They
 * are built in a->scratch; the GBytes returned borrows them (a lookup key, no copy). */
static GBytes *
session_key (RtWindowAgg *a, const RtBatch *batch, guint r)
{
  GByteArray *key = a->scratch;

  g_byte_array_set_size (key, 0);
  for (guint i = 0; i < a->n_part; i++)
    {
      const RtVector *v = &batch->cols[a->part_cols[i]];
      guint8 valid = rt_vec_is_valid (v, r);

      g_byte_array_append (key, &valid, 1);
      if (!valid)
        continue;
      if (v->kind == PLAN_TYPE_VARCHAR)
        {
          RtStr s = ((const RtStr *) v->data)[r];

          g_byte_array_append (key, (const guint8 *) &s.len, sizeof s.len);
          g_byte_array_append (key, (const guint8 *) s.ptr, s.len);
        }
      else
        {
          gsize w = plan_type_storage_size (v->kind);

          g_byte_array_append (key, (const guint8 *) v->data + w * r, (guint) w);
        }
    }
  return g_bytes_new_static (key->data, key->len);
}

/* Adds row r (provisional window [ts, ts + gap)) to its partition's sessions, merging
 * every session it touches (Flink merges windows that intersect). FALSE: late. */
static gboolean
session_add (RtWindowAgg *a, RtBatch *batch, guint r, gboolean *late, GError **error)
{
  g_autoptr (GBytes) key = session_key (a, batch, r);
  GPtrArray *list = g_hash_table_lookup (a->sessions, key);
  gint64 start = RT_VEC (batch, a->start_col, gint64)[r];
  gint64 end = RT_VEC (batch, a->end_col, gint64)[r];
  Session *into = NULL;

  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func (session_free);
      g_hash_table_insert (a->sessions, g_bytes_new (a->scratch->data, a->scratch->len), list);
    }
  for (gboolean grew = TRUE; grew;)
    {
      grew = FALSE;
      for (guint i = 0; i < list->len; i++)
        {
          Session *s = list->pdata[i];

          if (s->start <= end && start <= s->end && (s->start < start || s->end > end))
            {
              start = MIN (start, s->start);
              end = MAX (end, s->end);
              grew = TRUE;
            }
        }
    }
  *late = end - 1 <= a->watermark;
  if (*late)
    return TRUE;
  for (guint i = 0; i < list->len;)
    {
      Session *s = list->pdata[i];

      if (!(s->start <= end && start <= s->end))
        {
          i++;
          continue;
        }
      if (into == NULL)
        {
          into = s;
          i++;
          continue;
        }
      if (a->acc != NULL && !rt__win_acc_group_merge (a->acc, into->acc, s->acc, error))
        return FALSE;
      for (guint k = 0; s->rows != NULL && k < s->rows->len; k++)
        g_ptr_array_add (into->rows, rt_batch_ref (s->rows->pdata[k]));
      g_ptr_array_remove_index (list, i);
    }
  if (into == NULL)
    {
      into = g_new0 (Session, 1);
      if (a->acc != NULL)
        into->acc = rt__win_acc_group_new (a->acc, batch, r, G_MAXUINT);
      else
        into->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_batch_unref);
      g_ptr_array_add (list, into);
    }
  into->start = start;
  into->end = end;
  if (a->acc != NULL)
    return rt__win_acc_group_add (a->acc, into->acc, batch, r, error);
  return buffer_row (a, into->rows, batch, r, error);
}

static RtResult fire (RtWindowAgg *a, GPtrArray *rows, GError **error);

static gint
compare_session_end (gconstpointer pa, gconstpointer pb)
{
  const Session *x = *(Session *const *) pa, *y = *(Session *const *) pb;

  return x->end < y->end ? -1 : x->end > y->end;
}

/* Fires, in end order, the sessions whose end the watermark has reached: their rows get
 * the merged bounds, then are aggregated like any window's. */
static RtResult
session_fire_until (RtWindowAgg *a, gint64 wm, GError **error)
{
  g_autoptr (GPtrArray) due = g_ptr_array_new_with_free_func (session_free);
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, a->sessions);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      GPtrArray *list = value;

      for (guint i = 0; i < list->len;)
        if (((Session *) list->pdata[i])->end - 1 <= wm)
          g_ptr_array_add (due, g_ptr_array_steal_index (list, i));
        else
          i++;
      if (list->len == 0)
        g_hash_table_iter_remove (&it);
    }
  g_ptr_array_sort (due, compare_session_end);
  for (guint i = 0; i < due->len; i++)
    {
      Session *s = due->pdata[i];

      if (s->acc != NULL)
        {
          if (rt__win_acc_group_emit (a->acc, &a->base, s->acc, s->start, s->end, error)
              == RT_FAIL)
            return RT_FAIL;
          continue;
        }
      for (guint k = 0; k < s->rows->len; k++)
        {
          RtBatch *b = s->rows->pdata[k];

          for (guint r = 0; r < b->n_rows; r++)
            {
              RT_VEC (b, a->start_col, gint64)[r] = s->start;
              RT_VEC (b, a->end_col, gint64)[r] = s->end;
            }
        }
      if (fire (a, s->rows, error) == RT_FAIL)
        return RT_FAIL;
    }
  return a->acc != NULL && rt__win_acc_flush (a->acc, &a->base, error) == RT_FAIL ? RT_FAIL
                                                                                 : RT_OK;
}

static RtResult
winagg_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtWindowAgg *a = (RtWindowAgg *) op;
  const gint64 *ends = RT_VEC (batch, a->end_col, gint64);

  for (guint r = 0; r < batch->n_rows && a->gap > 0; r++)
    {
      gboolean late = FALSE;

      if (!session_add (a, batch, r, &late, error))
        return RT_FAIL;
      op->late_records_dropped += late;
    }
  if (a->gap > 0)
    return RT_OK;
  if (a->acc != NULL)
    {
      g_autofree guint32 *rows = g_new (guint32, batch->n_rows + 1);
      guint n = 0;

      for (guint r = 0; r < batch->n_rows; r++)
        if (a->slide > 0) /* added by shared slices: its windows end at ends[r] + k slide */
          {
            gint64 fired = ends[r] - 1 <= a->watermark
                           ? MIN ((a->watermark - (ends[r] - 1)) / a->slide + 1,
                                  a->size / a->slide) : 0;

            op->late_records_dropped += (guint64) fired; /* one per window that fired */
            if (fired < a->size / a->slide)
              rows[n++] = r;
          }
        else if (ends[r] - 1 <= a->watermark)
          op->late_records_dropped++; /* its window has fired already */
        else
          rows[n++] = r;
      return rt__win_acc_add_batch (a->acc, batch, rows, n, error) ? RT_OK : RT_FAIL;
    }

  for (guint r = 0; r < batch->n_rows; r++)
    {
      if (ends[r] - 1 <= a->watermark)
        {
          if (a->late != NULL) /* added by allowed lateness: rt-window-late.c */
            {
              if (rt__window_late_row (a->late, op, ends[r], batch, r, a->watermark, error)
                  == RT_FAIL)
                return RT_FAIL;
              continue;
            }
          op->late_records_dropped++; /* its window has fired already */
          continue;
        }
      if (!buffer_row (a, window_rows (a, ends[r]), batch, r, error))
        return RT_FAIL;
    }
  return RT_OK;
}

static RtResult
forward_result (void *data, RtBatch *batch, GError **error)
{
  return rt_op_emit (data, batch, error);
}

/* Aggregates the rows of windows ending at one end and emits the results. */
static RtResult
fire (RtWindowAgg *a, GPtrArray *rows, GError **error)
{
  RtOperator *inner = rt_op_aggregate_new (a->inner_node, error);
  RtResult r = RT_OK;

  if (inner == NULL)
    return RT_FAIL;
  inner->ctx = a->base.ctx;
  inner->sink_fn = forward_result;
  inner->sink_data = &a->base;
  if (inner->klass->open != NULL && !inner->klass->open (inner, error))
    r = RT_FAIL;
  for (guint i = 0; i < rows->len && r != RT_FAIL; i++)
    r = inner->klass->process (inner, rows->pdata[i], 0, error);
  if (r != RT_FAIL)
    r = inner->klass->finish (inner, error);
  rt_operator_free (inner);
  return r == RT_FAIL ? RT_FAIL : RT_OK;
}

static gboolean
first_end (gpointer key, gpointer value, gpointer data)
{
  *(gint64 **) data = key;
  return TRUE; /* stop at the first */
}

/* Fires, in end order, every window whose last millisecond the watermark has reached. */
static RtResult
fire_until (RtWindowAgg *a, gint64 wm, GError **error)
{
  for (;;)
    {
      gint64 *end = NULL, key;
      GPtrArray *rows;
      RtResult r;

      g_tree_foreach (a->windows, first_end, &end);
      if (end == NULL || *end - 1 > wm)
        return RT_OK;
      key = *end;
      rows = g_ptr_array_ref (g_tree_lookup (a->windows, &key));
      g_tree_remove (a->windows, &key);
      r = a->late != NULL /* added by allowed lateness */
          ? rt__window_late_fire (a->late, &a->base, key, rows, wm, error)
          : fire (a, rows, error);
      g_ptr_array_unref (rows);
      if (r == RT_FAIL)
        return RT_FAIL;
    }
}

static RtResult
winagg_on_event (RtOperator *op, const RtEvent *event, guint input, GError **error)
{
  RtWindowAgg *a = (RtWindowAgg *) op;

  if (event->kind != RT_EVENT_WATERMARK || event->value <= a->watermark)
    return RT_OK;
  a->watermark = event->value;
  if (a->gap > 0)
    return session_fire_until (a, a->watermark, error);
  if (a->acc != NULL)
    return rt__win_acc_fire_until (a->acc, op, a->watermark, error);
  if (a->late != NULL && fire_until (a, a->watermark, error) == RT_FAIL) /* allowed lateness */
    return RT_FAIL;
  if (a->late != NULL)
    return rt__window_late_advance (a->late, op, a->watermark, error);
  return fire_until (a, a->watermark, error);
}

/* End of input: the final watermark may not have come through (a LIMIT upstream stopped
 * early, or a test drives the operator alone); everything left fires now. */
static RtResult
winagg_finish (RtOperator *op, GError **error)
{
  RtWindowAgg *a = (RtWindowAgg *) op;

  a->watermark = RT_WATERMARK_MAX;
  if (a->gap > 0)
    return session_fire_until (a, RT_WATERMARK_MAX - 1, error);
  if (a->acc != NULL)
    return rt__win_acc_fire_until (a->acc, op, RT_WATERMARK_MAX - 1, error);
  if (a->late != NULL && fire_until (a, RT_WATERMARK_MAX - 1, error) == RT_FAIL)
    return RT_FAIL; /* added by allowed lateness: then delayed late rows, then forget all */
  if (a->late != NULL)
    return rt__window_late_advance (a->late, op, RT_WATERMARK_MAX, error);
  return fire_until (a, RT_WATERMARK_MAX - 1, error);
}

static void
winagg_close (RtOperator *op)
{
  RtWindowAgg *a = (RtWindowAgg *) op;

  g_clear_pointer (&a->windows, g_tree_destroy);
  g_clear_pointer (&a->inner_node, plan_phys_node_unref);
  g_clear_pointer (&a->sessions, g_hash_table_unref);
  g_clear_pointer (&a->part_cols, g_free);
  g_clear_pointer (&a->late, rt__window_late_free); /* added by allowed lateness */
  g_clear_pointer (&a->in_schema, plan_schema_unref); /* added by checkpoints */
  g_clear_pointer (&a->in_keys, g_free);
  g_clear_pointer (&a->acc, rt__win_acc_free);
  g_clear_pointer (&a->scratch, g_byte_array_unref);
}

/* ---- checkpoints (added by checkpoints, rt-checkpoint.h) -----------------------------
 * Keyed entries: per key group this subtask owns, its watermark (tag 0), so a restored
 * operator drops as late exactly the rows the uninterrupted one would have; and every
 * buffered row of a window not yet fired (tag 1: its window end) or of an open session
 * (tag 2), in the key group the HASH exchange routes it by, so windows can move between
 * subtasks. Restore buffers the rows again without lateness checks (they belong to windows
 * that had not fired), then takes the smallest watermark of its key groups. The fired
 * windows allowed lateness keeps are entries of their own (tags 3 and 4, rt-window-late.c).
 */

typedef struct {
  RtWindowAgg *a;
  RtStateOut *out;
  guint tag;
  gint64 end;
} WinSnap;

void
rt__window_snap_row (RtStateOut *out, const guint *keys, guint n_keys, guint64 tag,
                     gint64 end, RtBatch *b, guint r)
{
  guint kg = rt_key_group_of_row (b, r, keys, n_keys) % RT_MAX_PARALLELISM;

  rt_state_begin (out, kg);
  rt_state_put_u64 (out, tag);
  rt_state_put_i64 (out, end);
  for (guint c = 0; c < b->n_cols; c++)
    {
      PlanValue v;

      rt_batch_get_value (b, c, r, &v);
      rt_state_put_value (out, &v);
      plan_value_clear (&v);
    }
  rt_state_end (out);
}

static void
snap_rows (WinSnap *w, GPtrArray *rows)
{
  for (guint i = 0; i < rows->len; i++)
    {
      RtBatch *b = rows->pdata[i];

      for (guint r = 0; r < b->n_rows; r++)
        rt__window_snap_row (w->out, w->a->in_keys, w->a->n_in_keys, w->tag, w->end, b, r);
    }
}

static gboolean
snap_window (gpointer key, gpointer value, gpointer data)
{
  WinSnap *w = data;

  w->end = *(gint64 *) key;
  snap_rows (w, value);
  return FALSE;
}

static gboolean
winagg_snapshot (RtOperator *op, gint64 id, RtStateOut *out, GError **error)
{
  RtWindowAgg *a = (RtWindowAgg *) op;
  WinSnap w = { a, out, 1, 0 };
  GHashTableIter it;
  gpointer value;

  if (a->late != NULL)
    rt__window_late_snapshot (a->late, a->in_keys, a->n_in_keys, out);
  for (guint kg = 0; kg < RT_MAX_PARALLELISM; kg++)
    if (rt_key_group_to_subtask (kg, op->ctx->parallelism) == op->ctx->subtask)
      {
        rt_state_begin (out, kg);
        rt_state_put_u64 (out, 0);
        rt_state_put_i64 (out, a->watermark);
        rt_state_end (out);
      }
  g_tree_foreach (a->windows, snap_window, &w);
  if (a->acc != NULL)
    rt__win_acc_snapshot (a->acc, out);
  w.tag = 2;
  g_hash_table_iter_init (&it, a->sessions);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      GPtrArray *list = value;

      for (guint i = 0; i < list->len; i++)
        {
          Session *s = list->pdata[i];

          if (s->acc != NULL)
            rt__win_acc_group_snapshot (a->acc, s->acc, RT_WINDOW_ACC_SESSION, s->start,
                                        s->end, out);
          else
            snap_rows (&w, s->rows);
        }
    }
  return TRUE;
}

/* A session with accumulators (tag RT_WINDOW_ACC_SESSION, ending at end) back into its
 * partition's open sessions. */
static gboolean
restore_session (RtWindowAgg *a, RtStateIn *in, guint kg, gint64 end, RtBatch *one,
                 GError **error)
{
  gint64 start = 0;
  RtWinAccGroup *g = rt__win_acc_group_restore (a->acc, &a->base, in, kg, one, &start, error);
  g_autoptr (GBytes) key = NULL;
  GPtrArray *list;
  Session *s;

  if (g == NULL)
    return FALSE;
  key = session_key (a, one, 0);
  if ((list = g_hash_table_lookup (a->sessions, key)) == NULL)
    {
      list = g_ptr_array_new_with_free_func (session_free);
      g_hash_table_insert (a->sessions, g_bytes_new (a->scratch->data, a->scratch->len), list);
    }
  s = g_new0 (Session, 1);
  s->start = start;
  s->end = end;
  s->acc = g;
  g_ptr_array_add (list, s);
  return TRUE;
}

static gboolean
winagg_restore (RtOperator *op, RtStateIn *in, GError **error)
{
  RtWindowAgg *a = (RtWindowAgg *) op;
  g_autoptr (RtBatch) one = NULL;
  g_autofree PlanValue *values = g_new0 (PlanValue, a->in_schema->n_fields + 1);
  gint64 wm = RT_WATERMARK_MAX;
  gboolean any_wm = FALSE;
  guint kg = 0;

  if ((one = rt_batch_new (op->ctx->pool, a->in_schema, 1, error)) == NULL)
    return FALSE;
  while (rt_state_next (in, &kg))
    {
      guint64 tag;
      gint64 v;
      gboolean ok = TRUE, late = FALSE;

      if (!rt_state_get_u64 (in, &tag) || !rt_state_get_i64 (in, &v) || tag > 7
          || (tag > 2 && tag < 5 && a->late == NULL)
          || (tag >= 5 && (a->acc == NULL || (tag == 6) != (a->gap > 0)))
          || (tag == 7) != (a->slide > 0 && tag >= 5) /* added by shared slices */
          || (tag == 1 && a->slide > 0)
          || (tag == 2 && a->gap == 0))
        return rt_state_malformed (in, op, error);
      if (tag == RT_WINDOW_ACC_GROUP || tag == RT_WINDOW_ACC_SLICE)
        {
          if (!rt__win_acc_restore_group (a->acc, op, in, kg, v, error))
            return FALSE;
          continue;
        }
      if (tag == RT_WINDOW_ACC_SESSION)
        {
          if (!restore_session (a, in, kg, v, one, error))
            return FALSE;
          continue;
        }
      if (tag == 0)
        {
          wm = MIN (wm, v);
          any_wm = TRUE;
          continue;
        }
      for (guint c = 0; c < a->in_schema->n_fields && ok; c++)
        ok = rt_state_get_value (in, &values[c]);
      one->n_rows = 0;
      ok = ok && rt_batch_append_values (one, values, error);
      for (guint c = 0; c < a->in_schema->n_fields; c++)
        plan_value_clear (&values[c]);
      if (!ok)
        return error != NULL && *error != NULL ? FALSE : rt_state_malformed (in, op, error);
      if (tag == 1 && a->acc != NULL) /* a row kept before: into the accumulators */
        {
          RT_VEC (one, a->end_col, gint64)[0] = v;
          if (!rt__win_acc_add (a->acc, one, 0, error))
            return FALSE;
          continue;
        }
      if (tag > 2 ? !rt__window_late_restore_row (a->late, op, tag, v, one, error)
          : tag == 1 ? !buffer_row (a, window_rows (a, v), one, 0, error)
                     : !session_add (a, one, 0, &late, error))
        return FALSE;
    }
  if (any_wm)
    a->watermark = wm;
  if (any_wm && a->acc != NULL) /* added by shared slices: windows up to wm have fired */
    rt__win_acc_set_fired (a->acc, wm);
  return a->late == NULL || rt__window_late_restored (a->late, op, error);
}

static const RtOperatorClass winagg_class = {
  .name = "WindowAggregate",
  .instance_size = sizeof (RtWindowAgg),
  .process = winagg_process,
  .on_event = winagg_on_event,
  .finish = winagg_finish,
  .close = winagg_close,
  .snapshot = winagg_snapshot, /* added by checkpoints */
  .restore = winagg_restore,
};

RtOperator *
rt_op_window_aggregate_new (const PlanPhysNode *node, GError **error)
{
  const PlanAggregate *agg;
  PlanPhysNode *inner;
  RtWindowAgg *a;

  g_return_val_if_fail (node != NULL, NULL);
  agg = &node->u.window_agg.agg;
  if (node->kind != PLAN_PHYS_WINDOW_AGGREGATE || node->n_inputs != 1
      || node->u.window_agg.end_key >= agg->n_keys)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "window aggregate made from a "
                   "malformed %s node", plan_phys_kind_name (node->kind));
      return NULL;
    }
  inner = plan_phys_node_new (PLAN_PHYS_AGGREGATE, plan_schema_ref (node->schema), node->span,
                              1);
  inner->id = node->id;
  plan_aggregate_copy (&inner->u.aggregate, agg);
  inner->updating = FALSE; /* final rows only, at finish */
  plan_phys_node_add_input (inner, plan_phys_node_ref (node->inputs[0].node),
                            PLAN_EXCHANGE_FORWARD, 0, NULL);
  a = (RtWindowAgg *) rt_operator_new (&winagg_class, node->id);
  a->inner_node = inner;
  a->end_col = agg->keys[node->u.window_agg.end_key];
  a->windows = g_tree_new_full (compare_end, NULL, g_free, (GDestroyNotify) g_ptr_array_unref);
  a->watermark = RT_WATERMARK_NONE;
  a->gap = node->u.window_agg.session_gap_ms;
  a->start_col = agg->keys[node->u.window_agg.start_key];
  a->part_cols = g_new (guint, agg->n_keys);
  for (guint k = 0; k < agg->n_keys; k++)
    if (k != node->u.window_agg.start_key && k != node->u.window_agg.end_key)
      a->part_cols[a->n_part++] = agg->keys[k];
  a->sessions = g_hash_table_new_full (rt_bytes_hash, g_bytes_equal,
                                       (GDestroyNotify) g_bytes_unref,
                                       (GDestroyNotify) g_ptr_array_unref);
  if (node->u.window_agg.allowed_lateness_ms > 0 && a->gap == 0) /* added by allowed lateness */
    a->late = rt__window_late_new (node, inner);
  a->in_schema = plan_schema_ref (node->inputs[0].node->schema); /* added by checkpoints */
  a->n_in_keys = node->inputs[0].n_keys;
  a->in_keys = g_new0 (guint, a->n_in_keys + 1);
  if (a->n_in_keys > 0)
    memcpy (a->in_keys, node->inputs[0].keys, sizeof (guint) * a->n_in_keys);
  if (rt__win_acc_supported (node)) /* added by incremental window aggregation */
    a->acc = rt__win_acc_new (node);
  a->scratch = g_byte_array_new ();
  return &a->base;
}

/* ---- shared slices ------------------------------------------------------------------
 * A window aggregate on incremental accumulators whose HOP TVF runs in the same chain,
 * through CALCs only, shares slices (rt-window-acc.c): the TVF then emits each row once, in
 * its slice, and the aggregate makes the windows. That is only invisible when nothing
 * between them reads window_start, window_end or window_time except to pass them on, the
 * aggregate reads them only as its window_start and window_end keys, the nodes on the way
 * feed nothing else, and no call has a DOUBLE argument (merged partial sums and ties of
 * -0.0 and 0.0 could then differ from one pass in row order). Classes of a column on the
 * way: */
enum {
  COL_PLAIN = RT_WINDOW_COL_OTHER,
  COL_START = RT_WINDOW_COL_START,
  COL_END = RT_WINDOW_COL_END,
  COL_TIME = RT_WINDOW_COL_TIME,
  COL_DERIVED /* computed from a window column */
};

static guint
consumers (const PlanPhysPlan *plan, const PlanPhysNode *node)
{
  guint n = 0;

  for (guint i = 0; i < plan->nodes->len; i++)
    {
      const PlanPhysNode *c = plan->nodes->pdata[i];

      for (guint k = 0; k < c->n_inputs; k++)
        n += c->inputs[k].node == node;
    }
  return n;
}

/* The classes of calc's output columns from those of its input (in); FALSE when its
 * filter reads a window column. */
static gboolean
calc_classes (const PlanPhysNode *calc, const guint8 *in, guint8 *out)
{
  g_autoptr (GArray) cols = g_array_new (FALSE, FALSE, sizeof (guint));

  if (calc->u.calc.filter != NULL)
    plan_expr_collect_columns (calc->u.calc.filter, cols);
  for (guint i = 0; i < cols->len; i++)
    if (in[g_array_index (cols, guint, i)] != COL_PLAIN)
      return FALSE;
  if (calc->u.calc.n_exprs == 0) /* a filter alone: the columns pass unchanged */
    memcpy (out, in, calc->schema->n_fields);
  for (guint c = 0; c < calc->u.calc.n_exprs; c++)
    {
      const PlanExpr *e = calc->u.calc.exprs[c];

      out[c] = COL_PLAIN;
      if (e->kind == PLAN_EXPR_COLUMN)
        {
          out[c] = in[e->u.column];
          continue;
        }
      g_array_set_size (cols, 0);
      plan_expr_collect_columns (e, cols);
      for (guint i = 0; i < cols->len; i++)
        if (in[g_array_index (cols, guint, i)] != COL_PLAIN)
          out[c] = COL_DERIVED;
    }
  return TRUE;
}

/* The classes of the window aggregate agg's input columns, traced down through the CALCs
 * to window (its input's WINDOW); NULL when a node on the way is not a CALC or a filter
 * reads a window column. */
static guint8 *
window_classes (const PlanPhysNode *agg, const PlanPhysNode *window)
{
  g_autoptr (GPtrArray) calcs = g_ptr_array_new ();
  guint8 *cls;

  for (const PlanPhysNode *n = agg->inputs[0].node; n != window; n = n->inputs[0].node)
    {
      if (n->kind != PLAN_PHYS_CALC || n->n_inputs != 1)
        return NULL;
      g_ptr_array_add (calcs, (gpointer) n);
    }
  cls = g_new0 (guint8, window->schema->n_fields);
  cls[window->schema->n_fields - 3] = COL_START;
  cls[window->schema->n_fields - 2] = COL_END;
  cls[window->schema->n_fields - 1] = COL_TIME;
  for (guint i = calcs->len; i-- > 0;)
    {
      const PlanPhysNode *calc = calcs->pdata[i];
      guint8 *next = g_new0 (guint8, calc->schema->n_fields + 1);

      if (!calc_classes (calc, cls, next))
        {
          g_free (next);
          g_free (cls);
          return NULL;
        }
      g_free (cls);
      cls = next;
    }
  return cls;
}

guint8 *
rt__window_column_roles (const PlanPhysNode *agg, const PlanPhysNode *window)
{
  g_autofree guint8 *cls = window_classes (agg, window);

  if (cls == NULL)
    return NULL;
  for (guint c = 0; c < agg->inputs[0].node->schema->n_fields; c++)
    if (cls[c] == COL_DERIVED)
      return NULL;
  return g_steal_pointer (&cls);
}

/* Whether the aggregate node reads its input's window columns (classes cls) only as its
 * window_start and window_end keys, with no DOUBLE argument. */
static gboolean
agg_reads_bounds_only (const PlanPhysNode *node, const guint8 *cls)
{
  const PlanAggregate *agg = &node->u.window_agg.agg;
  const PlanSchema *in = node->inputs[0].node->schema;

  for (guint k = 0; k < agg->n_keys; k++)
    {
      guint want = k == node->u.window_agg.start_key ? COL_START
                   : k == node->u.window_agg.end_key ? COL_END : COL_PLAIN;

      if (cls[agg->keys[k]] != want)
        return FALSE;
    }
  for (guint j = 0; j < agg->n_aggs; j++)
    {
      const PlanAggCall *c = &agg->aggs[j];

      if ((c->arg >= 0 && (cls[c->arg] != COL_PLAIN
                           || in->fields[c->arg].type.kind == PLAN_TYPE_DOUBLE))
          || (c->filter >= 0 && cls[c->filter] != COL_PLAIN))
        return FALSE;
    }
  return TRUE;
}

void
rt__window_link_slices (RtOperator *op, GPtrArray *ops, guint index, const PlanPhysPlan *plan)
{
  RtWindowAgg *a = (RtWindowAgg *) op;
  const PlanPhysNode *node, *n, *window = NULL;
  g_autofree guint8 *cls = NULL;
  RtWindowTvf *tvf = NULL;

  if (op->klass != &winagg_class || a->acc == NULL || a->gap > 0 || a->late != NULL)
    return;
  node = plan->nodes->pdata[op->node_id];
  for (n = node; index-- > 0 && n->n_inputs == 1 && consumers (plan, n->inputs[0].node) == 1;)
    {
      RtOperator *prev = ops->pdata[index];

      n = n->inputs[0].node;
      if (prev->node_id != n->id || !(n->kind == PLAN_PHYS_CALC || n->kind == PLAN_PHYS_WINDOW))
        return;
      if (n->kind == PLAN_PHYS_WINDOW)
        {
          window = n;
          tvf = (RtWindowTvf *) prev;
          break;
        }
    }
  if (window == NULL || tvf->base.klass != &tvf_class || window->u.window.kind != PLAN_WINDOW_HOP
      || window->u.window.merged || window->u.window.size_ms <= window->u.window.slide_ms
      || window->u.window.size_ms % window->u.window.slide_ms != 0)
    return;
  if ((cls = window_classes (node, window)) == NULL || !agg_reads_bounds_only (node, cls))
    return;
  tvf->sliced = TRUE;
  a->slide = window->u.window.slide_ms;
  a->size = window->u.window.size_ms;
  rt__win_acc_set_slices (a->acc, a->slide, a->size, window->u.window.offset_ms);
}
