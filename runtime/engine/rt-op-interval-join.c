/* rt-op-interval-join.c: the interval join, Flink's time-windowed (interval) join:
 *   FROM l JOIN r ON l.k = r.k AND l.ts BETWEEN r.ts + lower AND r.ts + upper
 *
 * Both inputs are insert-only and HASH-partitioned on the keys, as for the regular
 * streaming join, and the row state, key bytes, residual matching and output are that
 * join's (rt-join-private.h). The condition's time bounds (plan_join_interval_bounds) only
 * decide how long a row is kept: a left row at lt can be matched by right rows at
 * lt - upper .. lt - lower, so once the watermark reaches lt - lower no right row that is
 * not late can match it and it goes; a right row at rt goes when the watermark reaches
 * rt + upper. Each side has an index of its rows by that expiry time (a GTree of time ->
 * entries), so a watermark releases exactly the rows it expires, in time order.
 *
 * Output is insert-only: a match is emitted once, when its second row arrives; for outer
 * joins a preserved row that leaves the state without ever having matched is emitted
 * NULL-filled at that moment (or at once, when it arrives already too late to be kept).
 * Matching itself uses the whole residual, bounds included, so a late row still joins
 * with what is kept, as in Flink.
 *
 * Output rows carry both time columns, which stay time attributes. A result can hold a
 * left time up to -lower behind the watermark, and a right time up to upper behind it, so
 * the operator passes the watermark on held back by max(-lower, upper, 0) (Flink's
 * getMaxOutputDelay); a window downstream then sees no result as late.
 *
 * Checkpoints: keyed entries, one per (side, join key) in the key group the HASH exchange
 * routes the key by, with the key's distinct rows, their count and match count; the expiry
 * index is derived again from each row's time. The input watermark goes in too, as one
 * keyed entry per key group this subtask owns (at a barrier every subtask has seen the
 * same watermarks, the barrier being aligned behind them on every channel), so that after
 * a restore, at any parallelism, rows the uninterrupted run would not have kept are not
 * kept either, and the watermarks the sources send again from the start do not count
 * until they pass it. */
#include "rt-join-private.h"
#include "rt-checkpoint.h"
#include "rt-channel.h"
#include "rt-window-private.h"

typedef struct {
  GBytes *key; /* owned */
  GBytes *row; /* owned */
} Entry;

typedef struct {
  RtJoin j;                /* first: the rt__join_* helpers take the operator as RtJoin */
  PlanIntervalBounds b;
  gint64 delay;            /* watermark hold-back, ms */
  gint64 watermark;        /* last input watermark */
  GTree *expiry[2];        /* per side: expiry time (gint64*) -> GPtrArray of Entry* */
} RtIntervalJoin;

static void
entry_free (gpointer p)
{
  Entry *e = p;

  g_bytes_unref (e->key);
  g_bytes_unref (e->row);
  g_free (e);
}

static gint
compare_time (gconstpointer a, gconstpointer b, gpointer unused)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  (void) unused;
  return x < y ? -1 : x > y;
}

static void
add_expiry (RtIntervalJoin *ij, guint side, gint64 at, GBytes *key, GBytes *row)
{
  GPtrArray *list = g_tree_lookup (ij->expiry[side], &at);
  Entry *e = g_new (Entry, 1);

  if (list == NULL)
    {
      gint64 *k = g_new (gint64, 1);

      *k = at;
      list = g_ptr_array_new_with_free_func (entry_free);
      g_tree_insert (ij->expiry[side], k, list);
    }
  e->key = g_bytes_ref (key);
  e->row = g_bytes_ref (row);
  g_ptr_array_add (list, e);
}

/* The time until which a row of side at time t is kept (it goes once wm >= this). */
static gint64
expiry_of (const RtIntervalJoin *ij, guint side, gint64 t)
{
  return side == 0 ? t - ij->b.lower_ms : t + ij->b.upper_ms;
}

static gboolean
emit_null_filled (RtIntervalJoin *ij, guint side, const PlanValue *vals, gint64 times,
                  GError **error)
{
  return rt__join_emit (&ij->j, side == 0 ? vals : NULL, side == 1 ? vals : NULL,
                        RT_ROW_INSERT, times, error);
}

static gboolean
join_row (RtIntervalJoin *ij, guint s, const PlanValue *vals, GError **error)
{
  RtJoin *j = &ij->j;
  const PlanValue *t = &vals[s == 0 ? ij->b.left_time : ij->b.right_time];
  g_autoptr (GBytes) key = rt__join_key (j, s, vals);
  g_autoptr (GBytes) row = NULL;
  g_autoptr (GPtrArray) matches = g_ptr_array_new ();
  gboolean other_outer = rt__join_preserves (j, 1 - s);
  gint64 n_matches = 0, expires;
  RtJoinRec *rec;

  if (key == NULL || t->is_null) /* matches nothing, ever */
    return !rt__join_preserves (j, s) || emit_null_filled (ij, s, vals, 1, error);
  if (!rt__join_matches (j, s, vals, g_hash_table_lookup (j->state[1 - s], key), matches,
                         error))
    return FALSE;
  for (guint i = 0; i < matches->len; i++)
    {
      RtJoinRec *m = matches->pdata[i];

      if (other_outer)
        m->matches++;
      n_matches += m->count;
      if (!rt__join_emit (j, s == 0 ? vals : m->vals, s == 0 ? m->vals : vals,
                          RT_ROW_INSERT, m->count, error))
        return FALSE;
    }
  expires = expiry_of (ij, s, t->v.i);
  if (ij->watermark != RT_WATERMARK_NONE && expires <= ij->watermark)
    {
      /* too late to be matched by anything still to come: not kept */
      return n_matches > 0 || !rt__join_preserves (j, s)
             || emit_null_filled (ij, s, vals, 1, error);
    }
  row = rt__join_row_bytes (vals, j->side[s]->n_fields);
  rec = rt__join_lookup (j, s, key, row, vals, TRUE);
  rec->count++;
  rec->matches += n_matches;
  add_expiry (ij, s, expires, key, row);
  return TRUE;
}

static RtResult
ij_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtIntervalJoin *ij = (RtIntervalJoin *) op;
  guint s = input == 0 ? 0 : 1;

  for (guint r = 0; r < batch->n_rows; r++)
    {
      PlanValue *vals;
      gboolean ok;

      if (batch->kinds[r] != RT_ROW_INSERT && batch->kinds[r] != RT_ROW_UPDATE_AFTER)
        {
          g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "plan error: the interval join "
                       "got a retraction; its inputs must be insert-only");
          return RT_FAIL;
        }
      vals = rt__join_read_row (batch, r);
      ok = join_row (ij, s, vals, error);
      rt__join_free_row (vals, batch->n_cols);
      if (!ok)
        return RT_FAIL;
    }
  return rt__join_flush (&ij->j, error);
}

static gboolean
first_time (gpointer key, gpointer value, gpointer data)
{
  *(gint64 **) data = key;
  return TRUE;
}

/* Drops side's rows whose expiry time is <= wm, in time order; an outer side's rows that
 * never matched go out NULL-filled. */
static gboolean
expire_side (RtIntervalJoin *ij, guint side, gint64 wm, GError **error)
{
  RtJoin *j = &ij->j;

  for (;;)
    {
      gint64 *at = NULL, key;
      g_autoptr (GPtrArray) list = NULL;

      g_tree_foreach (ij->expiry[side], first_time, &at);
      if (at == NULL || *at > wm)
        return TRUE;
      key = *at;
      list = g_ptr_array_ref (g_tree_lookup (ij->expiry[side], &key));
      g_tree_remove (ij->expiry[side], &key);
      for (guint i = 0; i < list->len; i++)
        {
          Entry *e = list->pdata[i];
          RtJoinRec *rec = rt__join_lookup (j, side, e->key, e->row, NULL, FALSE);

          if (rec == NULL)
            continue; /* a duplicate row: gone with its first entry */
          if (rt__join_preserves (j, side) && rec->matches == 0
              && !emit_null_filled (ij, side, rec->vals, rec->count, error))
            return FALSE;
          rt__join_remove (j, side, e->key, e->row);
        }
    }
}

static RtResult
ij_on_event (RtOperator *op, const RtEvent *event, guint input, GError **error)
{
  RtIntervalJoin *ij = (RtIntervalJoin *) op;

  if (event->kind != RT_EVENT_WATERMARK || event->value <= ij->watermark)
    return RT_OK;
  ij->watermark = event->value;
  if (!expire_side (ij, 0, ij->watermark, error) || !expire_side (ij, 1, ij->watermark, error))
    return RT_FAIL;
  return rt__join_flush (&ij->j, error);
}

/* The watermark passed on: held back by the largest distance a result's time can have
 * behind the input watermark. */
static gint64
ij_output_watermark (RtOperator *op, gint64 wm)
{
  RtIntervalJoin *ij = (RtIntervalJoin *) op;

  wm = MAX (wm, ij->watermark); /* after a restore, the sources start from the beginning */
  if (wm == RT_WATERMARK_MAX || wm == RT_WATERMARK_NONE || wm < G_MININT64 + ij->delay)
    return wm;
  return wm - ij->delay;
}

/* End of input: every row left expires (the final watermark may not have come through
 * when a LIMIT stopped the job or a test drives the operator alone). */
static RtResult
ij_finish (RtOperator *op, GError **error)
{
  RtIntervalJoin *ij = (RtIntervalJoin *) op;

  ij->watermark = RT_WATERMARK_MAX;
  if (!expire_side (ij, 0, RT_WATERMARK_MAX, error)
      || !expire_side (ij, 1, RT_WATERMARK_MAX, error))
    return RT_FAIL;
  return rt__join_flush (&ij->j, error);
}

static void
ij_close (RtOperator *op)
{
  RtIntervalJoin *ij = (RtIntervalJoin *) op;

  for (guint s = 0; s < 2; s++)
    g_clear_pointer (&ij->expiry[s], g_tree_destroy);
  rt__join_close (op);
}

/* ---- checkpoints -------------------------------------------------------------------- */

enum { TAG_WATERMARK, TAG_ROWS };

/* Writes the entries of the buckets (join key -> rows) in `buckets` of side s. */
static gboolean
snapshot_chunk (RtIntervalJoin *ij, guint s, GPtrArray *buckets, RtStateOut *out,
                GError **error)
{
  RtJoin *j = &ij->j;
  const guint *keys = s == 0 ? j->join.left_keys : j->join.right_keys;
  g_autoptr (RtBatch) batch = NULL;
  guint n = j->side[s]->n_fields;

  if (buckets->len == 0)
    return TRUE;
  /* one representative row per key: the key group comes from its key columns */
  if ((batch = rt_batch_new (j->base.ctx->pool, j->side[s], buckets->len, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < buckets->len; i++)
    {
      GHashTableIter it;
      gpointer rec;

      g_hash_table_iter_init (&it, buckets->pdata[i]);
      if (!g_hash_table_iter_next (&it, NULL, &rec)
          || !rt_batch_append_values (batch, ((RtJoinRec *) rec)->vals, error))
        return FALSE;
    }
  for (guint i = 0; i < buckets->len; i++)
    {
      GHashTableIter it;
      gpointer rec;

      rt_state_begin (out, rt_key_group_of_row (batch, i, keys, j->join.n_keys));
      rt_state_put_u64 (out, TAG_ROWS);
      rt_state_put_u64 (out, s);
      rt_state_put_u64 (out, g_hash_table_size (buckets->pdata[i]));
      g_hash_table_iter_init (&it, buckets->pdata[i]);
      while (g_hash_table_iter_next (&it, NULL, &rec))
        {
          const RtJoinRec *r = rec;

          rt_state_put_i64 (out, r->count);
          rt_state_put_i64 (out, r->matches);
          for (guint c = 0; c < n; c++)
            rt_state_put_value (out, &r->vals[c]);
        }
      rt_state_end (out);
    }
  g_ptr_array_set_size (buckets, 0);
  return TRUE;
}

static gboolean
ij_snapshot (RtOperator *op, gint64 id, RtStateOut *out, GError **error)
{
  RtIntervalJoin *ij = (RtIntervalJoin *) op;
  guint chunk = MAX (op->ctx->batch_size, 1u);
  g_autoptr (GPtrArray) buckets = g_ptr_array_new ();

  for (guint kg = 0; kg < RT_MAX_PARALLELISM; kg++)
    if (rt_key_group_to_subtask (kg, op->ctx->parallelism) == op->ctx->subtask)
      {
        rt_state_begin (out, kg);
        rt_state_put_u64 (out, TAG_WATERMARK);
        rt_state_put_i64 (out, ij->watermark);
        rt_state_end (out);
      }
  for (guint s = 0; s < 2; s++)
    {
      GHashTableIter it;
      gpointer bucket;

      g_hash_table_iter_init (&it, ij->j.state[s]);
      while (g_hash_table_iter_next (&it, NULL, &bucket))
        {
          g_ptr_array_add (buckets, bucket);
          if (buckets->len == chunk && !snapshot_chunk (ij, s, buckets, out, error))
            return FALSE;
        }
      if (!snapshot_chunk (ij, s, buckets, out, error))
        return FALSE;
    }
  return TRUE;
}

/* Reads one stored row of side s back into the state and the expiry index. */
static gboolean
restore_rec (RtIntervalJoin *ij, guint s, RtStateIn *in)
{
  RtJoin *j = &ij->j;
  guint n = j->side[s]->n_fields;
  PlanValue *vals = g_new0 (PlanValue, n + 1);
  const PlanValue *t;
  g_autoptr (GBytes) key = NULL;
  g_autoptr (GBytes) row = NULL;
  gint64 count = 0, matches = 0;
  RtJoinRec *rec;
  gboolean ok;

  ok = rt_state_get_i64 (in, &count) && rt_state_get_i64 (in, &matches) && count > 0;
  for (guint c = 0; c < n && ok; c++)
    ok = rt_state_get_value (in, &vals[c]);
  t = &vals[s == 0 ? ij->b.left_time : ij->b.right_time];
  /* rows with a NULL key or time are never kept */
  ok = ok && !t->is_null && (key = rt__join_key (j, s, vals)) != NULL;
  if (ok)
    {
      row = rt__join_row_bytes (vals, n);
      rec = rt__join_lookup (j, s, key, row, vals, TRUE);
      if (rec->count == 0)
        add_expiry (ij, s, expiry_of (ij, s, t->v.i), key, row);
      rec->count += count;
      rec->matches = matches;
    }
  rt__join_free_row (vals, n);
  return ok;
}

static gboolean
ij_restore (RtOperator *op, RtStateIn *in, GError **error)
{
  RtIntervalJoin *ij = (RtIntervalJoin *) op;
  gint64 wm = RT_WATERMARK_MAX;
  gboolean any_wm = FALSE;
  guint kg;

  while (rt_state_next (in, &kg))
    {
      guint64 tag = 0, s = 0, n = 0;
      gint64 v = 0;

      if (kg >= RT_MAX_PARALLELISM || !rt_state_get_u64 (in, &tag) || tag > TAG_ROWS)
        return rt_state_malformed (in, op, error);
      if (tag == TAG_WATERMARK)
        {
          if (!rt_state_get_i64 (in, &v))
            return rt_state_malformed (in, op, error);
          wm = MIN (wm, v);
          any_wm = TRUE;
          continue;
        }
      if (!rt_state_get_u64 (in, &s) || s > 1 || !rt_state_get_u64 (in, &n))
        return rt_state_malformed (in, op, error);
      for (guint64 i = 0; i < n; i++)
        if (!restore_rec (ij, (guint) s, in))
          return rt_state_malformed (in, op, error);
    }
  if (any_wm)
    ij->watermark = wm;
  return TRUE;
}

static const RtOperatorClass interval_join_class = {
  .name = "IntervalJoin",
  .instance_size = sizeof (RtIntervalJoin),
  .process = ij_process,
  .on_event = ij_on_event,
  .finish = ij_finish,
  .close = ij_close,
  .output_watermark = ij_output_watermark,
  .snapshot = ij_snapshot,
  .restore = ij_restore,
};

RtOperator *
rt_op_interval_join_new (const PlanPhysNode *node, GError **error)
{
  RtIntervalJoin *ij;

  g_return_val_if_fail (node != NULL, NULL);
  ij = (RtIntervalJoin *) rt_operator_new (&interval_join_class, node->id);
  for (guint s = 0; s < 2; s++)
    ij->expiry[s] = g_tree_new_full (compare_time, NULL, g_free,
                                     (GDestroyNotify) g_ptr_array_unref);
  ij->watermark = RT_WATERMARK_NONE;
  if (!rt__join_init (&ij->j, node, error))
    {
      rt_operator_free (&ij->j.base);
      return NULL;
    }
  if (!plan_join_interval_bounds (&node->u.join, node->inputs[0].node->schema->n_fields,
                                  &ij->b))
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "plan error: the interval join at "
                   "%u:%u has no time bounds in its condition", node->span.line,
                   node->span.col);
      rt_operator_free (&ij->j.base);
      return NULL;
    }
  ij->delay = MAX (0, MAX (-ij->b.lower_ms, ij->b.upper_ms));
  return &ij->j.base;
}
