/* rt-op-join.c: the streaming (regular) join, Flink's StreamingJoinOperator (DESIGN.md
 * 4.5), and the row state it shares with the batch hash join (rt-join-private.h).
 *
 * Both inputs arrive HASH-partitioned on the join keys, so every row of one key meets the
 * rows of that key from the other side in this subtask. Each side keeps, per join key,
 * its distinct rows with their multiplicity (a -U/-D removes one copy), so changelog
 * input from an upstream GROUP BY is accepted. A row that adds (+I/+U) is joined with
 * the other side's matching rows and each result goes out as +I; a row that retracts
 * (-U/-D) sends the same results as -D. Outer joins also track, for every stored row, how
 * many rows of the other side match it: a preserved row without matches is emitted
 * NULL-filled, that NULL-filled row is retracted (-D) when its first match arrives and
 * emitted again (+I) when its last match is retracted. Rows with a NULL key never match.
 *
 * The residual condition (non-equi part of ON) is one compiled program run over a batch of
 * candidate pairs, so a key with many rows costs one vectorised pass, not one per pair.
 * Like the group aggregate, state lives on the GLib heap as PlanValues; checkpoints write
 * it per join key tagged with the key's key group (see "checkpoints" below); budgets and
 * TTL come later. rt_op_join_new hands joins whose key columns compare alike to the flat
 * tables of rt-op-join-flat.c (same semantics, a fraction of the cost per row); this
 * state stays for the others and for the interval join. */
#include "rt-join-private.h"
#include "rt-channel.h"
#include "rt-checkpoint.h"

#include <string.h>

/* ---- rows --------------------------------------------------------------------------- */

PlanValue *
rt__join_read_row (const RtBatch *batch, guint r)
{
  PlanValue *vals = g_new0 (PlanValue, batch->n_cols + 1);

  for (guint c = 0; c < batch->n_cols; c++)
    rt_batch_get_value (batch, c, r, &vals[c]);
  return vals;
}

void
rt__join_free_row (PlanValue *vals, guint n)
{
  if (vals == NULL)
    return;
  for (guint c = 0; c < n; c++)
    plan_value_clear (&vals[c]);
  g_free (vals);
}

static void
append_value (GByteArray *out, const PlanValue *v)
{
  guint8 tag = v->is_null ? 0 : 1;

  g_byte_array_append (out, &tag, 1);
  if (v->is_null)
    return;
  switch (v->type.kind)
    {
    case PLAN_TYPE_VARCHAR:
      {
        guint32 len = (guint32) strlen (v->v.s);

        g_byte_array_append (out, (const guint8 *) &len, sizeof len);
        g_byte_array_append (out, (const guint8 *) v->v.s, len);
      }
      break;
    case PLAN_TYPE_DOUBLE:
      {
        double d = v->v.d == 0.0 ? 0.0 : v->v.d;

        g_byte_array_append (out, (const guint8 *) &d, sizeof d);
      }
      break;
    case PLAN_TYPE_BOOLEAN:
      tag = v->v.b ? 1 : 0;
      g_byte_array_append (out, &tag, 1);
      break;
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
    default:
      g_byte_array_append (out, (const guint8 *) &v->v.i, sizeof v->v.i);
      break;
    }
}

GBytes *
rt__join_key (const RtJoin *j, guint side, const PlanValue *vals)
{
  const guint *keys = side == 0 ? j->join.left_keys : j->join.right_keys;
  GByteArray *out = g_byte_array_new ();

  for (guint k = 0; k < j->join.n_keys; k++)
    {
      if (vals[keys[k]].is_null)
        {
          g_byte_array_unref (out);
          return NULL;
        }
      append_value (out, &vals[keys[k]]);
    }
  return g_byte_array_free_to_bytes (out);
}

GBytes *
rt__join_row_bytes (const PlanValue *vals, guint n)
{
  GByteArray *out = g_byte_array_new ();

  for (guint c = 0; c < n; c++)
    append_value (out, &vals[c]);
  return g_byte_array_free_to_bytes (out);
}

/* ---- state -------------------------------------------------------------------------- */

typedef struct {
  RtJoinRec rec;
  guint n_cols;
} Rec;

static void
rec_free (gpointer p)
{
  Rec *r = p;

  rt__join_free_row (r->rec.vals, r->n_cols);
  g_free (r);
}

static void
bucket_free (gpointer p)
{
  g_hash_table_unref (p);
}

RtJoinRec *
rt__join_lookup (RtJoin *j, guint side, GBytes *key, GBytes *row, const PlanValue *vals,
                 gboolean create)
{
  GHashTable *bucket = g_hash_table_lookup (j->state[side], key);
  Rec *r;

  if (bucket == NULL)
    {
      if (!create)
        return NULL;
      bucket = g_hash_table_new_full (rt_bytes_hash, g_bytes_equal,
                                      (GDestroyNotify) g_bytes_unref, rec_free);
      g_hash_table_insert (j->state[side], g_bytes_ref (key), bucket);
    }
  r = g_hash_table_lookup (bucket, row);
  if (r == NULL && create)
    {
      guint n = j->side[side]->n_fields;

      r = g_new0 (Rec, 1);
      r->n_cols = n;
      r->rec.vals = g_new0 (PlanValue, n + 1);
      for (guint c = 0; c < n; c++)
        plan_value_copy (&r->rec.vals[c], &vals[c]);
      g_hash_table_insert (bucket, g_bytes_ref (row), r);
    }
  return r ? &r->rec : NULL;
}

void
rt__join_remove (RtJoin *j, guint side, GBytes *key, GBytes *row)
{
  GHashTable *bucket = g_hash_table_lookup (j->state[side], key);

  if (bucket == NULL)
    return;
  g_hash_table_remove (bucket, row);
  if (g_hash_table_size (bucket) == 0)
    g_hash_table_remove (j->state[side], key);
}

gboolean
rt__join_preserves (const RtJoin *j, guint side)
{
  PlanJoinType t = j->join.type;

  return t == PLAN_JOIN_FULL || (side == 0 ? t == PLAN_JOIN_LEFT : t == PLAN_JOIN_RIGHT);
}

/* ---- matching ----------------------------------------------------------------------- */

/* Runs the residual over pairs (vals with each candidate); appends the ones it keeps. */
static gboolean
filter_pairs (RtJoin *j, guint side, const PlanValue *vals, RtJoinRec **cands, guint n,
              GPtrArray *out, GError **error)
{
  guint nl = j->side[0]->n_fields, nr = j->side[1]->n_fields;
  g_autofree PlanValue *pair = g_new0 (PlanValue, nl + nr + 1);
  g_autoptr (RtBatch) batch = rt_batch_new (j->base.ctx->pool, j->pair_schema, n, error);
  g_autofree guint32 *sel = g_new (guint32, n + 1);
  guint kept;

  if (batch == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      const PlanValue *l = side == 0 ? vals : cands[i]->vals;
      const PlanValue *r = side == 0 ? cands[i]->vals : vals;

      memcpy (pair, l, nl * sizeof (PlanValue));
      memcpy (pair + nl, r, nr * sizeof (PlanValue));
      if (!rt_batch_append_values (batch, pair, error))
        return FALSE;
    }
  kept = rt_program_filter (j->residual, batch, sel, error);
  if (error != NULL && *error != NULL)
    return FALSE;
  for (guint i = 0; i < kept; i++)
    g_ptr_array_add (out, cands[sel[i]]);
  return TRUE;
}

gboolean
rt__join_matches (RtJoin *j, guint side, const PlanValue *vals, GHashTable *bucket,
                  GPtrArray *out, GError **error)
{
  g_autoptr (GPtrArray) cands = NULL;
  guint chunk = MAX (j->base.ctx->batch_size, 1u);
  GHashTableIter it;
  gpointer rec;

  if (bucket == NULL)
    return TRUE;
  g_hash_table_iter_init (&it, bucket);
  if (j->residual == NULL)
    {
      while (g_hash_table_iter_next (&it, NULL, &rec))
        g_ptr_array_add (out, rec);
      return TRUE;
    }
  cands = g_ptr_array_new ();
  while (g_hash_table_iter_next (&it, NULL, &rec))
    g_ptr_array_add (cands, rec);
  for (guint i = 0; i < cands->len; i += chunk)
    if (!filter_pairs (j, side, vals, (RtJoinRec **) cands->pdata + i,
                       MIN (chunk, cands->len - i), out, error))
      return FALSE;
  return TRUE;
}

/* ---- output ------------------------------------------------------------------------- */

RtResult
rt__join_flush (RtJoin *j, GError **error)
{
  RtResult r;

  if (j->out == NULL || j->out->n_rows == 0)
    return RT_OK;
  r = rt_op_emit (&j->base, j->out, error);
  g_clear_pointer (&j->out, rt_batch_unref);
  return r;
}

gboolean
rt__join_emit (RtJoin *j, const PlanValue *left, const PlanValue *right, RtRowKind kind,
               gint64 times, GError **error)
{
  guint nl = j->side[0]->n_fields, nr = j->side[1]->n_fields;
  g_autofree PlanValue *row = g_new0 (PlanValue, nl + nr + 1);

  for (guint c = 0; c < nl + nr; c++)
    {
      const PlanValue *src = c < nl ? (left ? &left[c] : NULL) : (right ? &right[c - nl] : NULL);

      if (src != NULL)
        row[c] = *src;
      else
        {
          row[c].type = j->out_schema->fields[c].type;
          row[c].is_null = TRUE;
        }
    }
  for (gint64 t = 0; t < times; t++)
    {
      if (j->out != NULL && j->out->n_rows == j->out->capacity
          && rt__join_flush (j, error) == RT_FAIL)
        return FALSE;
      if (j->out == NULL
          && (j->out = rt_batch_new (j->base.ctx->pool, j->out_schema,
                                     MAX (j->base.ctx->batch_size, 1u), error)) == NULL)
        return FALSE;
      if (!rt_batch_append_values (j->out, row, error))
        return FALSE;
      j->out->kinds[j->out->n_rows - 1] = (guint8) kind;
    }
  return TRUE;
}

/* ---- set-up ------------------------------------------------------------------------- */

gboolean
rt__join_init (RtJoin *j, const PlanPhysNode *node, GError **error)
{
  if (node->n_inputs != 2)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "plan error: a join needs two inputs");
      return FALSE;
    }
  plan_join_copy (&j->join, &node->u.join);
  for (guint s = 0; s < 2; s++)
    {
      j->side[s] = plan_schema_ref (node->inputs[s].node->schema);
      j->state[s] = g_hash_table_new_full (rt_bytes_hash, g_bytes_equal,
                                           (GDestroyNotify) g_bytes_unref, bucket_free);
    }
  j->pair_schema = plan_join_schema (j->side[0], j->side[1], PLAN_JOIN_INNER);
  j->out_schema = plan_schema_ref (node->schema);
  if (j->join.residual != NULL
      && (j->residual = rt_program_new (j->pair_schema, j->join.residual, 0, NULL, error)) == NULL)
    return FALSE;
  return TRUE;
}

void
rt__join_close (RtOperator *op)
{
  RtJoin *j = (RtJoin *) op;

  plan_join_clear (&j->join);
  for (guint s = 0; s < 2; s++)
    {
      g_clear_pointer (&j->side[s], plan_schema_unref);
      g_clear_pointer (&j->state[s], g_hash_table_unref);
    }
  g_clear_pointer (&j->pair_schema, plan_schema_unref);
  g_clear_pointer (&j->out_schema, plan_schema_unref);
  g_clear_pointer (&j->residual, rt_program_free);
  g_clear_pointer (&j->out, rt_batch_unref);
  g_clear_pointer (&j->pending, g_ptr_array_unref);
}

/* ---- the streaming join ------------------------------------------------------------- */

static gint64
total_count (GPtrArray *recs)
{
  gint64 n = 0;

  for (guint i = 0; i < recs->len; i++)
    n += ((RtJoinRec *) recs->pdata[i])->count;
  return n;
}

/* Emits the joined rows of vals (side s) with each match m, and the NULL-filled changes of
 * the other side: add is +1 for an arriving row, -1 for a retracted one. */
static gboolean
emit_matches (RtJoin *j, guint s, const PlanValue *vals, GPtrArray *matches, gint add,
              GError **error)
{
  guint o = 1 - s;
  gboolean other_outer = rt__join_preserves (j, o);
  RtRowKind kind = add > 0 ? RT_ROW_INSERT : RT_ROW_DELETE;

  for (guint i = 0; i < matches->len; i++)
    {
      RtJoinRec *m = matches->pdata[i];
      const PlanValue *l = s == 0 ? vals : m->vals, *r = s == 0 ? m->vals : vals;

      if (add > 0 && other_outer && m->matches == 0
          && !rt__join_emit (j, o == 0 ? m->vals : NULL, o == 1 ? m->vals : NULL,
                             RT_ROW_DELETE, m->count, error))
        return FALSE;
      m->matches += add;
      if (!rt__join_emit (j, l, r, kind, m->count, error))
        return FALSE;
      if (add < 0 && other_outer && m->matches == 0
          && !rt__join_emit (j, o == 0 ? m->vals : NULL, o == 1 ? m->vals : NULL,
                             RT_ROW_INSERT, m->count, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
join_row (RtJoin *j, guint s, const PlanValue *vals, RtRowKind kind, GError **error)
{
  gboolean add = kind == RT_ROW_INSERT || kind == RT_ROW_UPDATE_AFTER;
  guint n = j->side[s]->n_fields;
  g_autoptr (GBytes) key = rt__join_key (j, s, vals);
  g_autoptr (GBytes) row = NULL;
  g_autoptr (GPtrArray) matches = g_ptr_array_new ();
  RtJoinRec *rec;
  gint64 n_matches;

  if (key == NULL) /* a NULL key matches nothing: only the NULL-filled row, if preserved */
    return !rt__join_preserves (j, s)
           || rt__join_emit (j, s == 0 ? vals : NULL, s == 1 ? vals : NULL,
                             add ? RT_ROW_INSERT : RT_ROW_DELETE, 1, error);
  row = rt__join_row_bytes (vals, n);
  rec = rt__join_lookup (j, s, key, row, vals, add);
  if (!add && rec == NULL)
    return TRUE; /* retracting a row never seen (state expired or never sent): ignore */
  if (!rt__join_matches (j, s, vals, g_hash_table_lookup (j->state[1 - s], key), matches,
                         error))
    return FALSE;
  n_matches = total_count (matches);
  if (n_matches == 0 && rt__join_preserves (j, s)
      && !rt__join_emit (j, s == 0 ? vals : NULL, s == 1 ? vals : NULL,
                         add ? RT_ROW_INSERT : RT_ROW_DELETE, 1, error))
    return FALSE;
  if (!emit_matches (j, s, vals, matches, add ? 1 : -1, error))
    return FALSE;
  rec->matches = n_matches;
  rec->count += add ? 1 : -1;
  if (rec->count <= 0)
    rt__join_remove (j, s, key, row);
  return TRUE;
}

static RtResult
join_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtJoin *j = (RtJoin *) op;
  guint s = input == 0 ? 0 : 1;

  for (guint r = 0; r < batch->n_rows; r++)
    {
      PlanValue *vals = rt__join_read_row (batch, r);
      gboolean ok = join_row (j, s, vals, (RtRowKind) batch->kinds[r], error);

      rt__join_free_row (vals, batch->n_cols);
      if (!ok)
        return RT_FAIL;
    }
  return rt__join_flush (j, error);
}

static RtResult
join_finish (RtOperator *op, GError **error)
{
  return rt__join_flush ((RtJoin *) op, error);
}

/* ---- checkpoints -------------------------------------------------------------------- *
 * Keyed state: one entry per (side, join key), tagged with the key group the HASH exchange
 * routes that key by, holding the key's distinct rows with their count and, for outer
 * joins, how many rows of the other side match each (so a restored subtask retracts and
 * re-emits the NULL-filled rows exactly as the failed one would have). The key group is
 * computed from a stored row's key columns with rt_key_group_of_row, so a batch of
 * representative rows (one per key) is built per chunk of keys; key and row bytes are
 * derived again on restore. Nothing is held back in output at a barrier: process flushes
 * after every batch. */

/* Writes the entries of the buckets in keys/buckets (parallel arrays) of side s. */
static gboolean
snapshot_chunk (RtJoin *j, guint s, GPtrArray *buckets, RtStateOut *out, GError **error)
{
  const guint *keys = s == 0 ? j->join.left_keys : j->join.right_keys;
  g_autoptr (RtBatch) batch = NULL;
  guint n = j->side[s]->n_fields;

  if (buckets->len == 0)
    return TRUE;
  batch = rt_batch_new (j->base.ctx->pool, j->side[s], buckets->len, error);
  if (batch == NULL)
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
      GHashTable *bucket = buckets->pdata[i];
      GHashTableIter it;
      gpointer rec;

      rt_state_begin (out, rt_key_group_of_row (batch, i, keys, j->join.n_keys));
      rt_state_put_u64 (out, s);
      rt_state_put_u64 (out, g_hash_table_size (bucket));
      g_hash_table_iter_init (&it, bucket);
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
join_snapshot (RtOperator *op, gint64 id, RtStateOut *out, GError **error)
{
  RtJoin *j = (RtJoin *) op;
  guint chunk = MAX (op->ctx->batch_size, 1u);
  g_autoptr (GPtrArray) buckets = g_ptr_array_new ();

  for (guint s = 0; s < 2; s++)
    {
      GHashTableIter it;
      gpointer bucket;

      g_hash_table_iter_init (&it, j->state[s]);
      while (g_hash_table_iter_next (&it, NULL, &bucket))
        {
          g_ptr_array_add (buckets, bucket);
          if (buckets->len == chunk && !snapshot_chunk (j, s, buckets, out, error))
            return FALSE;
        }
      if (!snapshot_chunk (j, s, buckets, out, error))
        return FALSE;
    }
  return TRUE;
}

/* Reads one stored row of side s and puts it back into the state. */
static gboolean
restore_rec (RtJoin *j, guint s, RtStateIn *in)
{
  guint n = j->side[s]->n_fields;
  PlanValue *vals = g_new0 (PlanValue, n + 1);
  g_autoptr (GBytes) key = NULL;
  g_autoptr (GBytes) row = NULL;
  gint64 count = 0, matches = 0;
  RtJoinRec *rec;
  gboolean ok;

  ok = rt_state_get_i64 (in, &count) && rt_state_get_i64 (in, &matches) && count > 0;
  for (guint c = 0; c < n && ok; c++)
    ok = rt_state_get_value (in, &vals[c]);
  if (ok && (key = rt__join_key (j, s, vals)) == NULL)
    ok = FALSE; /* rows with a NULL key are never stored */
  if (ok)
    {
      row = rt__join_row_bytes (vals, n);
      rec = rt__join_lookup (j, s, key, row, vals, TRUE);
      rec->count += count;
      rec->matches = matches;
    }
  rt__join_free_row (vals, n);
  return ok;
}

static gboolean
join_restore (RtOperator *op, RtStateIn *in, GError **error)
{
  RtJoin *j = (RtJoin *) op;
  guint kg;

  while (rt_state_next (in, &kg))
    {
      guint64 s = 0, n = 0;

      if (kg >= RT_MAX_PARALLELISM || !rt_state_get_u64 (in, &s) || s > 1
          || !rt_state_get_u64 (in, &n))
        return rt_state_malformed (in, op, error);
      for (guint64 i = 0; i < n; i++)
        if (!restore_rec (j, (guint) s, in))
          return rt_state_malformed (in, op, error);
    }
  return TRUE;
}

static const RtOperatorClass join_class = {
  .name = "Join",
  .instance_size = sizeof (RtJoin),
  .process = join_process,
  .finish = join_finish,
  .close = rt__join_close,
  .snapshot = join_snapshot, /* added by checkpoints */
  .restore = join_restore,
};

RtOperator *
rt_op_join_new (const PlanPhysNode *node, GError **error)
{
  RtOperator *op;

  if (rt__op_join_flat_supports (node))
    return rt__op_join_flat_new (node, error);
  op = rt_operator_new (&join_class, node->id);

  if (!rt__join_init ((RtJoin *) op, node, error))
    {
      rt_operator_free (op);
      return NULL;
    }
  return op;
}
