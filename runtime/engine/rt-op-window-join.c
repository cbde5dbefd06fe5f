/* rt-op-window-join.c: the window join, Flink's WindowJoin:
 *   FROM TABLE(TUMBLE(TABLE l, ...)) L [LEFT|RIGHT|FULL] JOIN TABLE(TUMBLE(TABLE r, ...)) R
 *     ON L.window_start = R.window_start AND L.window_end = R.window_end AND L.k = R.k
 *
 * Both inputs are insert-only and HASH-partitioned on all the keys, the window bounds
 * included (opt-window-join.c puts window_start and window_end first among them, which is
 * how this operator knows its window_end columns). Rows are not joined as they arrive:
 * each side's rows wait in a tree by window_end, and when the watermark (the minimum of
 * both inputs', combined by the task) reaches window_end - 1 the window fires: its right
 * rows go into a hash table by join key (rt-join-private.h's row state), each left row
 * probes it with the residual, and the window's rows are forgotten. So every result,
 * NULL-filled rows of outer joins included, is emitted exactly once and the output is
 * insert-only; the state holds only windows that have not fired.
 *
 * A row whose window has already fired (window_end - 1 <= the watermark when it arrives)
 * is late: dropped and counted in late_records_dropped (numLateRecordsDropped), as Flink
 * does. The watermark passes on unchanged: results carry their window's bounds, and a
 * window aggregate after the join (grouping by them) sees them before the watermark that
 * would make them late, since they are emitted before the task forwards it.
 *
 * Checkpoints: keyed entries, one per buffered row in the key group of its join keys (as
 * the HASH exchange routes it), plus the input watermark in every key group this subtask
 * owns, as the interval join does: after a restore at any parallelism, the same rows are
 * late as in a run without the failure. */
#include "rt-join-private.h"
#include "rt-checkpoint.h"
#include "rt-channel.h"
#include "rt-window-private.h"

typedef struct {
  RtJoin j;           /* first: the rt__join_* helpers take the operator as RtJoin */
  gint64 watermark;   /* last input watermark */
  GTree *windows[2];  /* per side: window_end (gint64*) -> GPtrArray of PlanValue* rows */
} RtWindowJoin;

typedef struct {
  GPtrArray *rows;    /* PlanValue* of n columns */
  guint n;
} Rows;

static void
rows_free (gpointer p)
{
  Rows *r = p;

  for (guint i = 0; i < r->rows->len; i++)
    rt__join_free_row (r->rows->pdata[i], r->n);
  g_ptr_array_unref (r->rows);
  g_free (r);
}

static gint
compare_time (gconstpointer a, gconstpointer b, gpointer unused)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  (void) unused;
  return x < y ? -1 : x > y;
}

/* The window_end column of side s (key 1, see the header comment). */
static guint
end_col (const RtWindowJoin *wj, guint s)
{
  return s == 0 ? wj->j.join.left_keys[1] : wj->j.join.right_keys[1];
}

/* Keeps vals (taken) in its window of side s. */
static void
add_row (RtWindowJoin *wj, guint s, gint64 end, PlanValue *vals)
{
  Rows *r = g_tree_lookup (wj->windows[s], &end);

  if (r == NULL)
    {
      gint64 *k = g_new (gint64, 1);

      *k = end;
      r = g_new (Rows, 1);
      r->rows = g_ptr_array_new ();
      r->n = wj->j.side[s]->n_fields;
      g_tree_insert (wj->windows[s], k, r);
    }
  g_ptr_array_add (r->rows, vals);
}

static RtResult
wj_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtWindowJoin *wj = (RtWindowJoin *) op;
  guint s = input == 0 ? 0 : 1, ec = end_col (wj, s);

  for (guint r = 0; r < batch->n_rows; r++)
    {
      PlanValue *vals;

      if (batch->kinds[r] != RT_ROW_INSERT && batch->kinds[r] != RT_ROW_UPDATE_AFTER)
        {
          g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "plan error: the window join "
                       "got a retraction; its inputs must be insert-only");
          return RT_FAIL;
        }
      vals = rt__join_read_row (batch, r);
      if (vals[ec].is_null
          || (wj->watermark != RT_WATERMARK_NONE && vals[ec].v.i - 1 <= wj->watermark))
        {
          op->late_records_dropped++;
          rt__join_free_row (vals, batch->n_cols);
          continue;
        }
      add_row (wj, s, vals[ec].v.i, vals);
    }
  return RT_OK;
}

/* The right rows into the row state by key (NULL keys: NULL-filled at once when kept). */
static gboolean
build_right (RtJoin *j, GPtrArray *rows, GError **error)
{
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      const PlanValue *v = rows->pdata[i];
      g_autoptr (GBytes) key = rt__join_key (j, 1, v);
      g_autoptr (GBytes) row = NULL;

      if (key == NULL)
        {
          if (rt__join_preserves (j, 1) && !rt__join_emit (j, NULL, v, RT_ROW_INSERT, 1, error))
            return FALSE;
          continue;
        }
      row = rt__join_row_bytes (v, j->side[1]->n_fields);
      rt__join_lookup (j, 1, key, row, v, TRUE)->count++;
    }
  return TRUE;
}

static gboolean
probe_left (RtJoin *j, const PlanValue *v, GError **error)
{
  g_autoptr (GBytes) key = rt__join_key (j, 0, v);
  g_autoptr (GPtrArray) matches = g_ptr_array_new ();

  if (key != NULL
      && !rt__join_matches (j, 0, v, g_hash_table_lookup (j->state[1], key), matches, error))
    return FALSE;
  for (guint i = 0; i < matches->len; i++)
    {
      RtJoinRec *m = matches->pdata[i];

      m->matches++;
      if (!rt__join_emit (j, v, m->vals, RT_ROW_INSERT, m->count, error))
        return FALSE;
    }
  return matches->len > 0 || !rt__join_preserves (j, 0)
         || rt__join_emit (j, v, NULL, RT_ROW_INSERT, 1, error);
}

/* Joins one window's rows (either list may be NULL) and empties the row state. */
static gboolean
join_window (RtWindowJoin *wj, Rows *left, Rows *right, GError **error)
{
  RtJoin *j = &wj->j;
  gboolean ok = build_right (j, right != NULL ? right->rows : NULL, error);

  for (guint i = 0; ok && left != NULL && i < left->rows->len; i++)
    ok = probe_left (j, left->rows->pdata[i], error);
  if (ok && rt__join_preserves (j, 1))
    {
      GHashTableIter it;
      gpointer bucket;

      g_hash_table_iter_init (&it, j->state[1]);
      while (ok && g_hash_table_iter_next (&it, NULL, &bucket))
        {
          GHashTableIter bi;
          gpointer p;

          g_hash_table_iter_init (&bi, bucket);
          while (ok && g_hash_table_iter_next (&bi, NULL, &p))
            {
              RtJoinRec *rec = p;

              if (rec->matches == 0)
                ok = rt__join_emit (j, NULL, rec->vals, RT_ROW_INSERT, rec->count, error);
            }
        }
    }
  g_hash_table_remove_all (j->state[1]);
  return ok;
}

static gboolean
first_end (gpointer key, gpointer value, gpointer data)
{
  *(gint64 **) data = key;
  return TRUE;
}

/* Fires, in window_end order, every window with end - 1 <= wm. */
static gboolean
fire_until (RtWindowJoin *wj, gint64 wm, GError **error)
{
  for (;;)
    {
      gint64 *at[2] = { NULL, NULL }, end;
      Rows *rows[2] = { NULL, NULL };
      gboolean ok;

      for (guint s = 0; s < 2; s++)
        g_tree_foreach (wj->windows[s], first_end, &at[s]);
      if (at[0] == NULL && at[1] == NULL)
        return TRUE;
      end = at[0] == NULL ? *at[1] : at[1] == NULL ? *at[0] : MIN (*at[0], *at[1]);
      if (end - 1 > wm)
        return TRUE;
      for (guint s = 0; s < 2; s++)
        if ((rows[s] = g_tree_lookup (wj->windows[s], &end)) != NULL)
          g_tree_steal (wj->windows[s], &end); /* the key is freed below */
      ok = join_window (wj, rows[0], rows[1], error);
      for (guint s = 0; s < 2; s++)
        if (rows[s] != NULL)
          {
            g_free (at[s]);
            rows_free (rows[s]);
          }
      if (!ok)
        return FALSE;
    }
}

static RtResult
wj_on_event (RtOperator *op, const RtEvent *event, guint input, GError **error)
{
  RtWindowJoin *wj = (RtWindowJoin *) op;

  (void) input;
  if (event->kind != RT_EVENT_WATERMARK || event->value <= wj->watermark)
    return RT_OK;
  wj->watermark = event->value;
  if (!fire_until (wj, wj->watermark, error))
    return RT_FAIL;
  return rt__join_flush (&wj->j, error);
}

/* End of input: every window left fires (the last watermark may not have come through
 * when a LIMIT stopped the job or a test drives the operator alone). */
static RtResult
wj_finish (RtOperator *op, GError **error)
{
  RtWindowJoin *wj = (RtWindowJoin *) op;

  wj->watermark = RT_WATERMARK_MAX;
  if (!fire_until (wj, RT_WATERMARK_MAX, error))
    return RT_FAIL;
  return rt__join_flush (&wj->j, error);
}

static void
wj_close (RtOperator *op)
{
  RtWindowJoin *wj = (RtWindowJoin *) op;

  for (guint s = 0; s < 2; s++)
    g_clear_pointer (&wj->windows[s], g_tree_destroy);
  rt__join_close (op);
}

/* ---- checkpoints -------------------------------------------------------------------- */

enum { TAG_WATERMARK, TAG_ROW };

typedef struct {
  RtWindowJoin *wj;
  guint side;
  RtStateOut *out;
  GError **error;
  gboolean ok;
} SnapCtx;

/* One window's rows of a side, each an entry in its key group. */
static gboolean
snapshot_window (gpointer key, gpointer value, gpointer data)
{
  SnapCtx *c = data;
  RtJoin *j = &c->wj->j;
  Rows *rows = value;
  const guint *keys = c->side == 0 ? j->join.left_keys : j->join.right_keys;
  g_autoptr (RtBatch) batch = NULL;

  (void) key;
  if ((batch = rt_batch_new (j->base.ctx->pool, j->side[c->side], rows->rows->len,
                             c->error)) == NULL)
    return (c->ok = FALSE), TRUE;
  for (guint i = 0; i < rows->rows->len; i++)
    if (!rt_batch_append_values (batch, rows->rows->pdata[i], c->error))
      return (c->ok = FALSE), TRUE;
  for (guint i = 0; i < rows->rows->len; i++)
    {
      const PlanValue *v = rows->rows->pdata[i];

      rt_state_begin (c->out, rt_key_group_of_row (batch, i, keys, j->join.n_keys));
      rt_state_put_u64 (c->out, TAG_ROW);
      rt_state_put_u64 (c->out, c->side);
      for (guint col = 0; col < rows->n; col++)
        rt_state_put_value (c->out, &v[col]);
      rt_state_end (c->out);
    }
  return FALSE;
}

static gboolean
wj_snapshot (RtOperator *op, gint64 id, RtStateOut *out, GError **error)
{
  RtWindowJoin *wj = (RtWindowJoin *) op;

  (void) id;
  for (guint kg = 0; kg < RT_MAX_PARALLELISM; kg++)
    if (rt_key_group_to_subtask (kg, op->ctx->parallelism) == op->ctx->subtask)
      {
        rt_state_begin (out, kg);
        rt_state_put_u64 (out, TAG_WATERMARK);
        rt_state_put_i64 (out, wj->watermark);
        rt_state_end (out);
      }
  for (guint s = 0; s < 2; s++)
    {
      SnapCtx c = { wj, s, out, error, TRUE };

      g_tree_foreach (wj->windows[s], snapshot_window, &c);
      if (!c.ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
restore_row (RtWindowJoin *wj, guint s, RtStateIn *in)
{
  guint n = wj->j.side[s]->n_fields, ec = end_col (wj, s);
  PlanValue *vals = g_new0 (PlanValue, n + 1);
  gboolean ok = TRUE;

  for (guint c = 0; c < n && ok; c++)
    ok = rt_state_get_value (in, &vals[c]);
  if (!ok || vals[ec].is_null || vals[ec].type.kind != PLAN_TYPE_TIMESTAMP)
    {
      rt__join_free_row (vals, n);
      return FALSE;
    }
  add_row (wj, s, vals[ec].v.i, vals);
  return TRUE;
}

static gboolean
wj_restore (RtOperator *op, RtStateIn *in, GError **error)
{
  RtWindowJoin *wj = (RtWindowJoin *) op;
  gint64 wm = RT_WATERMARK_MAX;
  gboolean any_wm = FALSE;
  guint kg;

  while (rt_state_next (in, &kg))
    {
      guint64 tag = 0, s = 0;
      gint64 v = 0;

      if (kg >= RT_MAX_PARALLELISM || !rt_state_get_u64 (in, &tag) || tag > TAG_ROW)
        return rt_state_malformed (in, op, error);
      if (tag == TAG_WATERMARK)
        {
          if (!rt_state_get_i64 (in, &v))
            return rt_state_malformed (in, op, error);
          wm = MIN (wm, v);
          any_wm = TRUE;
          continue;
        }
      if (!rt_state_get_u64 (in, &s) || s > 1 || !restore_row (wj, (guint) s, in))
        return rt_state_malformed (in, op, error);
    }
  if (any_wm)
    wj->watermark = wm;
  return TRUE;
}

static const RtOperatorClass window_join_class = {
  .name = "WindowJoin",
  .instance_size = sizeof (RtWindowJoin),
  .process = wj_process,
  .on_event = wj_on_event,
  .finish = wj_finish,
  .close = wj_close,
  .snapshot = wj_snapshot,
  .restore = wj_restore,
};

RtOperator *
rt_op_window_join_new (const PlanPhysNode *node, GError **error)
{
  RtWindowJoin *wj;

  g_return_val_if_fail (node != NULL, NULL);
  wj = (RtWindowJoin *) rt_operator_new (&window_join_class, node->id);
  for (guint s = 0; s < 2; s++)
    wj->windows[s] = g_tree_new_full (compare_time, NULL, g_free, rows_free);
  wj->watermark = RT_WATERMARK_NONE;
  if (!rt__join_init (&wj->j, node, error))
    {
      rt_operator_free (&wj->j.base);
      return NULL;
    }
  if (wj->j.join.n_keys < 2
      || wj->j.side[0]->fields[end_col (wj, 0)].type.kind != PLAN_TYPE_TIMESTAMP
      || wj->j.side[1]->fields[end_col (wj, 1)].type.kind != PLAN_TYPE_TIMESTAMP)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "plan error: the window join at %u:%u "
                   "needs window_start and window_end as its first two keys",
                   node->span.line, node->span.col);
      rt_operator_free (&wj->j.base);
      return NULL;
    }
  return &wj->j.base;
}
