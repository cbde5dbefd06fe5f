/* rt-window-late.c: allowed lateness for the window aggregate (rt-op-window.c), Flink's
 * table.exec.emit.allow-lateness with late firing on.
 *
 * Without lateness a window's rows are aggregated once, when the watermark passes its
 * end, and dropped. With it, the window aggregate hands each firing here instead: the
 * window's rows are aggregated the same way (a short-lived batch-mode group aggregate,
 * as rt-op-window.c does), the results go out as +I, and both the rows and the emitted
 * results are kept until the watermark passes end - 1 + lateness (Flink's cleanup time).
 * A late row for a window still kept joins its rows, and the window is aggregated again:
 * a group whose result changed sends -U with the old row and +U with the new one, a new
 * group +I, an unchanged one nothing (Flink's AggregateWindowOperator with retractions). A
 * late row whose window is past its cleanup time is dropped and counted
 * (numLateRecordsDropped), as before; one for a window that never fired (it had no rows)
 * but is within lateness fires that window with +I.
 *
 * Late firing happens at every late row when the delay is 0; with a delay the changed
 * windows fire together at the next watermark (or at the end of input), which stands in
 * for Flink's processing-time late-fire timer: the engine's operators have no
 * processing-time timers yet. Re-aggregating a window's rows costs a pass over them per
 * firing; late rows are the exception, so that is the simple and exact choice. Windows are
 * kept in a GTree by end, so expiry and delayed firing run in end order.
 *
 * Checkpoints: a kept window is its rows, split into those its last firing aggregated and
 * those still waiting for a delayed firing. Each row is a keyed entry in the key group of
 * its input key, so windows split between subtasks on a rescaled restore; the results last
 * emitted are not stored but aggregated again from the first kind of rows when the restore
 * is done (the aggregation is deterministic, and a subtask gets every row of its groups). */
#include "rt-window-private.h"
#include "rt-checkpoint.h"

#include <string.h>

/* One result row as emitted. */
typedef struct {
  guint n;
  PlanValue vals[];
} ResultRow;

typedef struct {
  gint64 end;
  GPtrArray *rows;      /* owned RtBatch refs: every row of the window so far */
  GHashTable *results;  /* owned: group key text -> ResultRow last emitted */
  gboolean dirty;       /* rows arrived since the last firing (delay > 0) */
  guint64 n_rows;       /* rows in rows */
  guint64 n_fired;      /* the first n_fired of them were aggregated at the last firing */
  GPtrArray *pending;   /* owned RtBatch refs, while restoring only: rows after n_fired */
} LateWindow;

struct _RtWindowLate {
  PlanPhysNode *inner;  /* owned ref: the batch-mode AGGREGATE of one firing */
  PlanSchema *schema;   /* owned ref: the output */
  guint n_keys;         /* output columns 0 .. n_keys - 1 are the group key */
  gint64 lateness, delay;
  GTree *windows;       /* window end (gint64*) -> LateWindow* */
  GPtrArray *fired;     /* owned ResultRow*: the results of the firing under way */
  RtBatch *out;         /* owned: output being filled */
};

static void
result_row_free (gpointer p)
{
  ResultRow *row = p;

  if (row == NULL)
    return;
  for (guint c = 0; c < row->n; c++)
    plan_value_clear (&row->vals[c]);
  g_free (row);
}

static void
late_window_free (gpointer p)
{
  LateWindow *w = p;

  g_ptr_array_unref (w->rows);
  g_hash_table_unref (w->results);
  g_clear_pointer (&w->pending, g_ptr_array_unref);
  g_free (w);
}

static gint
compare_end (gconstpointer a, gconstpointer b, gpointer unused)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  (void) unused;
  return x < y ? -1 : x > y;
}

RtWindowLate *
rt__window_late_new (const PlanPhysNode *node, PlanPhysNode *inner)
{
  RtWindowLate *l = g_new0 (RtWindowLate, 1);

  l->inner = plan_phys_node_ref (inner);
  l->schema = plan_schema_ref (node->schema);
  l->n_keys = node->u.window_agg.agg.n_keys;
  l->lateness = node->u.window_agg.allowed_lateness_ms;
  l->delay = node->u.window_agg.late_fire_delay_ms;
  l->windows = g_tree_new_full (compare_end, NULL, g_free, late_window_free);
  return l;
}

void
rt__window_late_free (RtWindowLate *l)
{
  if (l == NULL)
    return;
  plan_phys_node_unref (l->inner);
  plan_schema_unref (l->schema);
  g_tree_destroy (l->windows);
  g_clear_pointer (&l->fired, g_ptr_array_unref);
  g_clear_pointer (&l->out, rt_batch_unref);
  g_free (l);
}

/* The first n values of a row as text: per value, N for NULL or its length and text. */
static char *
row_text (const PlanValue *vals, guint n)
{
  GString *s = g_string_new (NULL);

  for (guint c = 0; c < n; c++)
    {
      g_autofree char *t = vals[c].is_null ? NULL : plan_value_to_string (&vals[c], FALSE);

      if (t == NULL)
        g_string_append (s, "N;");
      else
        g_string_append_printf (s, "%zu:%s;", strlen (t), t);
    }
  return g_string_free (s, FALSE);
}

static gboolean
rows_equal (const ResultRow *a, const ResultRow *b)
{
  g_autofree char *x = row_text (a->vals, a->n);
  g_autofree char *y = row_text (b->vals, b->n);

  return strcmp (x, y) == 0;
}

static RtResult
capture (void *data, RtBatch *batch, GError **error)
{
  RtWindowLate *l = data;

  for (guint r = 0; r < batch->n_rows; r++)
    {
      ResultRow *row = g_malloc0 (sizeof (ResultRow) + batch->n_cols * sizeof (PlanValue));

      row->n = batch->n_cols;
      for (guint c = 0; c < batch->n_cols; c++)
        rt_batch_get_value (batch, c, r, &row->vals[c]);
      g_ptr_array_add (l->fired, row);
    }
  return RT_OK;
}

/* Aggregates rows into l->fired (a new array of result rows). */
static gboolean
aggregate (RtWindowLate *l, RtOperator *owner, GPtrArray *rows, GError **error)
{
  RtOperator *inner = rt_op_aggregate_new (l->inner, error);
  RtResult r = RT_OK;

  if (inner == NULL)
    return FALSE;
  g_clear_pointer (&l->fired, g_ptr_array_unref);
  l->fired = g_ptr_array_new_with_free_func (result_row_free);
  inner->ctx = owner->ctx;
  inner->sink_fn = capture;
  inner->sink_data = l;
  if (inner->klass->open != NULL && !inner->klass->open (inner, error))
    r = RT_FAIL;
  for (guint i = 0; i < rows->len && r != RT_FAIL; i++)
    r = inner->klass->process (inner, rows->pdata[i], 0, error);
  if (r != RT_FAIL)
    r = inner->klass->finish (inner, error);
  rt_operator_free (inner);
  return r != RT_FAIL;
}

static RtResult
flush (RtWindowLate *l, RtOperator *owner, GError **error)
{
  g_autoptr (RtBatch) out = g_steal_pointer (&l->out);

  return out != NULL ? rt_op_emit (owner, out, error) : RT_OK;
}

static gboolean
emit (RtWindowLate *l, RtOperator *owner, const ResultRow *row, RtRowKind kind,
      GError **error)
{
  if (l->out != NULL && l->out->n_rows == l->out->capacity && flush (l, owner, error) == RT_FAIL)
    return FALSE;
  if (l->out == NULL
      && (l->out = rt_batch_new (owner->ctx->pool, l->schema,
                                 MAX (owner->ctx->batch_size, 1u), error)) == NULL)
    return FALSE;
  if (!rt_batch_append_values (l->out, row->vals, error))
    return FALSE;
  l->out->kinds[l->out->n_rows - 1] = (guint8) kind;
  return TRUE;
}

/* Aggregates w's rows again and emits what changed against the results last emitted. */
static gboolean
refire (RtWindowLate *l, RtOperator *owner, LateWindow *w, GError **error)
{
  w->dirty = FALSE;
  w->n_fired = w->n_rows;
  if (!aggregate (l, owner, w->rows, error))
    return FALSE;
  for (guint i = 0; i < l->fired->len; i++)
    {
      ResultRow *now = g_steal_pointer (&l->fired->pdata[i]);
      char *key = row_text (now->vals, MIN (l->n_keys, now->n));
      const ResultRow *before = g_hash_table_lookup (w->results, key);
      gboolean ok = TRUE;

      if (before == NULL)
        ok = emit (l, owner, now, RT_ROW_INSERT, error);
      else if (!rows_equal (before, now))
        ok = emit (l, owner, before, RT_ROW_UPDATE_BEFORE, error)
             && emit (l, owner, now, RT_ROW_UPDATE_AFTER, error);
      g_hash_table_replace (w->results, key, now); /* frees before and its key */
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* A kept window for end, with rows (a new ref; NULL: none yet). */
static LateWindow *
window_new (RtWindowLate *l, gint64 end, GPtrArray *rows)
{
  LateWindow *w = g_new0 (LateWindow, 1);
  gint64 *key = g_new (gint64, 1);

  w->end = end;
  w->rows = rows != NULL ? g_ptr_array_ref (rows)
            : g_ptr_array_new_with_free_func ((GDestroyNotify) rt_batch_unref);
  w->results = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, result_row_free);
  for (guint i = 0; i < w->rows->len; i++)
    w->n_rows += ((RtBatch *) w->rows->pdata[i])->n_rows;
  *key = end;
  g_tree_insert (l->windows, key, w);
  return w;
}

RtResult
rt__window_late_fire (RtWindowLate *l, RtOperator *owner, gint64 end, GPtrArray *rows,
                      gint64 wm, GError **error)
{
  LateWindow *w = window_new (l, end, rows);

  if (!refire (l, owner, w, error))
    return RT_FAIL;
  if (end - 1 + l->lateness <= wm) /* already past its cleanup time: nothing to keep */
    g_tree_remove (l->windows, &end);
  return flush (l, owner, error);
}

/* Appends row r of batch to rows. */
static gboolean
keep_row (RtOperator *owner, GPtrArray *rows, RtBatch *batch, guint r, GError **error)
{
  RtBatch *last = rows->len > 0 ? rows->pdata[rows->len - 1] : NULL;

  if (last == NULL || last->n_rows == last->capacity)
    {
      if ((last = rt_batch_new (owner->ctx->pool, batch->schema,
                                MAX (owner->ctx->batch_size, 1u), error)) == NULL)
        return FALSE;
      g_ptr_array_add (rows, last);
    }
  return rt_batch_append_row (last, batch, r, error);
}

RtResult
rt__window_late_row (RtWindowLate *l, RtOperator *owner, gint64 end, RtBatch *batch, guint r,
                     gint64 wm, GError **error)
{
  LateWindow *w;

  if (end - 1 + l->lateness <= wm)
    {
      owner->late_records_dropped++; /* past the window's cleanup time */
      return RT_OK;
    }
  if ((w = g_tree_lookup (l->windows, &end)) == NULL)
    w = window_new (l, end, NULL); /* it never fired: no rows until now */
  if (!keep_row (owner, w->rows, batch, r, error))
    return RT_FAIL;
  w->n_rows++;
  if (l->delay > 0)
    {
      w->dirty = TRUE;
      return RT_OK;
    }
  return refire (l, owner, w, error) ? flush (l, owner, error) : RT_FAIL;
}

static gboolean
collect_dirty (gpointer key, gpointer value, gpointer data)
{
  if (((LateWindow *) value)->dirty)
    g_ptr_array_add (data, value);
  return FALSE;
}

static gboolean
first_window (gpointer key, gpointer value, gpointer data)
{
  *(LateWindow **) data = value;
  return TRUE;
}

RtResult
rt__window_late_advance (RtWindowLate *l, RtOperator *owner, gint64 wm, GError **error)
{
  g_autoptr (GPtrArray) dirty = g_ptr_array_new ();

  g_tree_foreach (l->windows, collect_dirty, dirty);
  for (guint i = 0; i < dirty->len; i++)
    if (!refire (l, owner, dirty->pdata[i], error))
      return RT_FAIL;
  for (;;)
    {
      LateWindow *w = NULL;
      gint64 end;

      g_tree_foreach (l->windows, first_window, &w);
      if (w == NULL || w->end - 1 + l->lateness > wm)
        break;
      end = w->end;
      g_tree_remove (l->windows, &end);
    }
  return flush (l, owner, error);
}

/* ---- checkpoints ---------------------------------------------------------------------- */

typedef struct {
  RtStateOut *out;
  const guint *keys;
  guint n_keys;
} LateSnap;

static gboolean
snap_window (gpointer key, gpointer value, gpointer data)
{
  LateWindow *w = value;
  LateSnap *sn = data;
  guint64 n = 0;

  for (guint i = 0; i < w->rows->len; i++)
    {
      RtBatch *b = w->rows->pdata[i];

      for (guint r = 0; r < b->n_rows; r++, n++)
        rt__window_snap_row (sn->out, sn->keys, sn->n_keys,
                             n < w->n_fired ? RT_WINDOW_LATE_FIRED : RT_WINDOW_LATE_PENDING,
                             w->end, b, r);
    }
  return FALSE;
}

void
rt__window_late_snapshot (RtWindowLate *l, const guint *in_keys, guint n_in_keys,
                          RtStateOut *out)
{
  LateSnap sn = { out, in_keys, n_in_keys };

  g_tree_foreach (l->windows, snap_window, &sn);
}

gboolean
rt__window_late_restore_row (RtWindowLate *l, RtOperator *owner, guint64 tag, gint64 end,
                             RtBatch *one, GError **error)
{
  LateWindow *w = g_tree_lookup (l->windows, &end);

  if (w == NULL)
    w = window_new (l, end, NULL);
  if (tag == RT_WINDOW_LATE_FIRED)
    {
      if (!keep_row (owner, w->rows, one, 0, error))
        return FALSE;
      w->n_rows++;
      w->n_fired++;
      return TRUE;
    }
  if (w->pending == NULL)
    w->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_batch_unref);
  return keep_row (owner, w->pending, one, 0, error);
}

typedef struct {
  RtWindowLate *l;
  RtOperator *owner;
  GError **error;
  gboolean ok;
} LateDone;

/* Rebuilds a restored window's results from its fired rows, then queues the others. */
static gboolean
restored_window (gpointer key, gpointer value, gpointer data)
{
  LateWindow *w = value;
  LateDone *d = data;
  g_autoptr (GPtrArray) pending = g_steal_pointer (&w->pending);

  if (w->n_fired > 0)
    {
      if (!aggregate (d->l, d->owner, w->rows, d->error))
        return !(d->ok = FALSE);
      for (guint i = 0; i < d->l->fired->len; i++)
        {
          ResultRow *row = g_steal_pointer (&d->l->fired->pdata[i]);

          g_hash_table_replace (w->results, row_text (row->vals, MIN (d->l->n_keys, row->n)),
                                row);
        }
    }
  for (guint i = 0; pending != NULL && i < pending->len; i++)
    {
      RtBatch *b = pending->pdata[i];

      for (guint r = 0; r < b->n_rows; r++)
        if (!keep_row (d->owner, w->rows, b, r, d->error))
          return !(d->ok = FALSE);
      w->n_rows += b->n_rows;
      w->dirty = TRUE;
    }
  return FALSE;
}

gboolean
rt__window_late_restored (RtWindowLate *l, RtOperator *owner, GError **error)
{
  LateDone d = { l, owner, error, TRUE };

  g_tree_foreach (l->windows, restored_window, &d);
  g_clear_pointer (&l->fired, g_ptr_array_unref);
  return d.ok;
}
