/* rt-op-join-flat.c: the streaming (regular) join over flat row tables, the path
 * rt_op_join_new takes whenever the key columns of both sides compare alike (integer-like,
 * DOUBLE, BOOLEAN or VARCHAR pairs; rt__join_table_supports). Semantics are those of
 * rt-op-join.c (DESIGN.md 4.5, Flink's StreamingJoinOperator): changelog input on either
 * side, inner, left, right and full joins, the residual condition, NULL-filled rows of a
 * preserved side retracted when their first match arrives and emitted again when the last
 * one goes, rows with a NULL key matching nothing.
 *
 * Why a second path: rt-op-join.c turns every row into PlanValues and GBytes (key and
 * row) and keeps them in a hash table of hash tables, several allocations per row that
 * are freed again when the job ends; a join that keeps every row of an append-only input
 * (Nexmark q7 keeps every bid) spent most of its time there. Here each side is a
 * streaming RtJoinTable (rt-join-table.c): rows copied column by column into blocks,
 * chained per key, looked up a batch at a time, and gathered column by column into the
 * output. Duplicates are separate rows (a -U/-D removes one equal row), so the per-row
 * count of rt-op-join.c is the number of equal rows here.
 *
 * A batch from side s is cut into runs: a run of adding rows (+I/+U) is probed against
 * the other side's table in one call, its results emitted in row order, then its rows
 * stored; a retracting row (-U/-D) removes an equal stored row first and, only if there
 * was one, sends its results as -D (a retraction of a row never seen is ignored, as in
 * rt-op-join.c). Probing reads only the other side's table and storing touches only this
 * side's, so cutting a batch this way gives the results of processing it row by row.
 * For one probe row the output order is: the NULL-filled rows its matches retract, its
 * joined rows, the NULL-filled rows its retraction brings back. */
#include "rt-join-table.h"
#include "rt-checkpoint.h"
#include "rt-channel.h"

#include <string.h>

#define NONE G_MAXUINT32

typedef struct {
  RtJoin j;
  RtJoinTable *t[2];   /* owned: t[s] holds side s, probed by the other side */
  /* the output of one run, in order: probe row (NONE: NULL-filled), stored row (NONE:
   * NULL-filled), kind */
  GArray *epr, *ebr, *ekind;
  /* add_run's scratch, as long as the largest batch: rows to store, their match counts */
  guint32 *rows;
  gint64 *matches;
  guint cap;
} JoinFlat;

/* ---- output ------------------------------------------------------------------------- */

static void
add_entry (JoinFlat *f, guint32 pr, guint32 br, RtRowKind kind)
{
  guint8 k = (guint8) kind;

  g_array_append_val (f->epr, pr);
  g_array_append_val (f->ebr, br);
  g_array_append_val (f->ekind, k);
}

/* Emits the collected entries through t (the probed table), each run of the same shape
 * and kind in one gather. */
static gboolean
flush_entries (JoinFlat *f, RtJoinTable *t, RtBatch *probe, GError **error)
{
  const guint32 *pr = (const guint32 *) (gpointer) f->epr->data;
  const guint32 *br = (const guint32 *) (gpointer) f->ebr->data;
  const guint8 *kind = (const guint8 *) f->ekind->data;
  guint n = f->epr->len;

  for (guint i = 0; i < n;)
    {
      guint e = i + 1;
      gboolean has_p = pr[i] != NONE, has_b = br[i] != NONE;

      while (e < n && kind[e] == kind[i] && (pr[e] != NONE) == has_p && (br[e] != NONE) == has_b)
        e++;
      if (!rt__join_table_emit (t, probe, has_p ? pr + i : NULL, has_b ? br + i : NULL, e - i,
                                (RtRowKind) kind[i], error))
        return FALSE;
      i = e;
    }
  g_array_set_size (f->epr, 0);
  g_array_set_size (f->ebr, 0);
  g_array_set_size (f->ekind, 0);
  return TRUE;
}

/* The results of probe rows [from, to) of side s (all adding when add, else the one
 * retracting row from), pairs pr/br[0..n) in row order, with the NULL-filled changes of
 * outer joins; the match counts of the rows of [from, to) go to own_matches[r - from]. */
static gboolean
emit_results (JoinFlat *f, guint s, RtBatch *b, guint from, guint to, gboolean add,
              const guint32 *pr, const guint32 *br, guint n, gint64 *own_matches,
              GError **error)
{
  RtJoinTable *t = f->t[1 - s];
  gboolean outer_s = rt__join_preserves (&f->j, s), outer_o = rt__join_preserves (&f->j, 1 - s);
  RtRowKind kind = add ? RT_ROW_INSERT : RT_ROW_DELETE;
  guint i = 0;

  if (!outer_s && !outer_o)
    return rt__join_table_emit (t, b, pr, br, n, kind, error);
  for (guint r = from; r < to; r++)
    {
      guint a = i;

      while (i < n && pr[i] == r)
        i++;
      if (own_matches != NULL)
        own_matches[r - from] = i - a;
      if (i == a && outer_s)
        add_entry (f, r, NONE, kind);
      for (guint k = a; outer_o && add && k < i; k++)
        if ((*rt__join_table_matches (t, br[k]))++ == 0)
          add_entry (f, NONE, br[k], RT_ROW_DELETE);
      for (guint k = a; k < i; k++)
        add_entry (f, r, br[k], kind);
      for (guint k = a; outer_o && !add && k < i; k++)
        if (--(*rt__join_table_matches (t, br[k])) == 0)
          add_entry (f, NONE, br[k], RT_ROW_INSERT);
    }
  return flush_entries (f, t, b, error);
}

/* ---- processing --------------------------------------------------------------------- */

/* The tables are made on first use: they size their scratch by the context's batch size,
 * which the task sets after the operator is created. */
static void
ensure_tables (JoinFlat *f)
{
  for (guint s = 0; s < 2; s++)
    if (f->t[s] == NULL)
      f->t[s] = rt__join_table_new_side (&f->j, s, TRUE);
}

static gboolean
has_null_key (const RtJoin *j, guint s, const RtBatch *b, guint r)
{
  const guint *keys = s == 0 ? j->join.left_keys : j->join.right_keys;

  for (guint k = 0; k < j->join.n_keys; k++)
    if (!rt_vec_is_valid (&b->cols[keys[k]], r))
      return TRUE;
  return FALSE;
}

/* Rows [from, to) of side s, all adding: joined, then stored. */
static gboolean
add_run (JoinFlat *f, guint s, RtBatch *b, guint from, guint to, GError **error)
{
  RtJoinTable *own = f->t[s];
  const guint32 *pr, *br;
  guint n, m = 0;
  gint64 *matches = rt__join_preserves (&f->j, s) ? f->matches : NULL;
  guint32 *rows = f->rows;
  guint64 base = rt__join_table_get_rows (own);

  if (!rt__join_table_pairs (f->t[1 - s], b, from, to, &pr, &br, &n, error)
      || !emit_results (f, s, b, from, to, TRUE, pr, br, n, matches, error))
    return FALSE;
  for (guint r = from; r < to; r++)
    if (!has_null_key (&f->j, s, b, r))
      rows[m++] = r;
  if (!rt__join_table_add_rows (own, b, rows, m, error))
    return FALSE;
  for (guint i = 0; matches != NULL && i < m; i++)
    *rt__join_table_matches (own, (guint32) (base + i)) = matches[rows[i] - from];
  return TRUE;
}

/* Row r of side s, retracting. */
static gboolean
retract_row (JoinFlat *f, guint s, RtBatch *b, guint r, GError **error)
{
  const guint32 *pr, *br;
  guint n;

  if (has_null_key (&f->j, s, b, r)) /* never stored: only its NULL-filled row, if kept */
    return !rt__join_preserves (&f->j, s)
           || emit_results (f, s, b, r, r + 1, FALSE, NULL, NULL, 0, NULL, error);
  if (!rt__join_table_remove_row (f->t[s], b, r))
    return TRUE; /* retracting a row never seen (or already gone): ignored */
  return rt__join_table_pairs (f->t[1 - s], b, r, r + 1, &pr, &br, &n, error)
         && emit_results (f, s, b, r, r + 1, FALSE, pr, br, n, NULL, error);
}

static RtResult
flat_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  JoinFlat *f = (JoinFlat *) op;
  guint s = input == 0 ? 0 : 1, n = batch->n_rows;

  ensure_tables (f);
  if (n > f->cap)
    {
      f->cap = n;
      f->rows = g_renew (guint32, f->rows, n);
      f->matches = g_renew (gint64, f->matches, n);
    }
  for (guint r = 0; r < n;)
    {
      RtRowKind k = (RtRowKind) batch->kinds[r];

      if (k == RT_ROW_INSERT || k == RT_ROW_UPDATE_AFTER)
        {
          guint e = r + 1;

          while (e < n && (batch->kinds[e] == RT_ROW_INSERT
                           || batch->kinds[e] == RT_ROW_UPDATE_AFTER))
            e++;
          if (!add_run (f, s, batch, r, e, error))
            return RT_FAIL;
          r = e;
        }
      else if (!retract_row (f, s, batch, r++, error))
        return RT_FAIL;
    }
  if (!rt__join_table_compact (f->t[s], error))
    return RT_FAIL;
  return rt__join_flush (&f->j, error);
}

static RtResult
flat_finish (RtOperator *op, GError **error)
{
  return rt__join_flush (&((JoinFlat *) op)->j, error);
}

static void
flat_close (RtOperator *op)
{
  JoinFlat *f = (JoinFlat *) op;

  for (guint s = 0; s < 2; s++)
    g_clear_pointer (&f->t[s], rt__join_table_free);
  g_clear_pointer (&f->epr, g_array_unref);
  g_clear_pointer (&f->ebr, g_array_unref);
  g_clear_pointer (&f->ekind, g_array_unref);
  g_free (f->rows);
  g_free (f->matches);
  rt__join_close (op);
}

/* ---- checkpoints -------------------------------------------------------------------- *
 * The entry format of rt-op-join.c, one entry per stored row: key group of its join key,
 * side, 1 (rows in the entry), count 1, match count, the row's values. Either operator
 * reads the other's snapshots (an entry of rt-op-join.c with count c becomes c rows). */

static gboolean
snapshot_side (JoinFlat *f, guint s, RtStateOut *out, GError **error)
{
  const guint *keys = s == 0 ? f->j.join.left_keys : f->j.join.right_keys;
  RtJoinTable *t = f->t[s];
  guint64 cursor = 0;
  const guint32 *ids;
  RtBatch *b;
  GError *local = NULL;

  while ((b = rt__join_table_next_live (t, &cursor, &ids, &local)) != NULL)
    {
      for (guint r = 0; r < b->n_rows; r++)
        {
          rt_state_begin (out, rt_key_group_of_row (b, r, keys, f->j.join.n_keys));
          rt_state_put_u64 (out, s);
          rt_state_put_u64 (out, 1);
          rt_state_put_i64 (out, 1);
          rt_state_put_i64 (out, rt__join_preserves (&f->j, s)
                                 ? *rt__join_table_matches (t, ids[r]) : 0);
          for (guint c = 0; c < b->n_cols; c++)
            {
              PlanValue v = { 0 };

              rt_batch_get_value (b, c, r, &v);
              rt_state_put_value (out, &v);
              plan_value_clear (&v);
            }
          rt_state_end (out);
        }
      rt_batch_unref (b);
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

static gboolean
flat_snapshot (RtOperator *op, gint64 id, RtStateOut *out, GError **error)
{
  JoinFlat *f = (JoinFlat *) op;

  ensure_tables (f);
  return snapshot_side (f, 0, out, error) && snapshot_side (f, 1, out, error);
}

/* Rows restored but not yet stored, per side, with their match counts. */
typedef struct {
  RtBatch *batch;
  GArray *matches;
} Pending;

static gboolean
store_pending (JoinFlat *f, guint s, Pending *p, GError **error)
{
  guint64 base = rt__join_table_get_rows (f->t[s]);
  gboolean ok;

  if (p->batch == NULL)
    return TRUE;
  ok = rt__join_table_add_rows (f->t[s], p->batch, NULL, p->batch->n_rows, error);
  for (guint i = 0; ok && rt__join_preserves (&f->j, s) && i < p->batch->n_rows; i++)
    *rt__join_table_matches (f->t[s], (guint32) (base + i))
      = g_array_index (p->matches, gint64, i);
  g_clear_pointer (&p->batch, rt_batch_unref);
  g_array_set_size (p->matches, 0);
  return ok;
}

/* Reads one stored row of side s (count copies of it) into p. */
static gboolean
restore_rec (JoinFlat *f, guint s, RtStateIn *in, Pending *p, GError **error)
{
  guint n = f->j.side[s]->n_fields;
  g_autofree PlanValue *vals = g_new0 (PlanValue, n + 1);
  gint64 count = 0, matches = 0;
  gboolean ok = rt_state_get_i64 (in, &count) && rt_state_get_i64 (in, &matches) && count > 0;
  guint cap = MAX (f->j.base.ctx->batch_size, 1u);

  for (guint c = 0; c < n && ok; c++)
    ok = rt_state_get_value (in, &vals[c]);
  for (gint64 i = 0; ok && i < count; i++)
    {
      if (p->batch != NULL && p->batch->n_rows == p->batch->capacity
          && !store_pending (f, s, p, error))
        ok = FALSE;
      else if (p->batch == NULL
               && (p->batch = rt_batch_new (f->j.base.ctx->pool, f->j.side[s], cap, error)) == NULL)
        ok = FALSE;
      else if (!rt_batch_append_values (p->batch, vals, error))
        ok = FALSE;
      else
        g_array_append_val (p->matches, matches);
    }
  if (ok && p->batch != NULL && has_null_key (&f->j, s, p->batch, p->batch->n_rows - 1))
    ok = FALSE; /* rows with a NULL key are never stored */
  for (guint c = 0; c < n; c++)
    plan_value_clear (&vals[c]);
  return ok;
}

static gboolean
flat_restore (RtOperator *op, RtStateIn *in, GError **error)
{
  JoinFlat *f = (JoinFlat *) op;
  Pending p[2] = { { NULL, g_array_new (FALSE, FALSE, sizeof (gint64)) },
                   { NULL, g_array_new (FALSE, FALSE, sizeof (gint64)) } };
  gboolean ok = TRUE, malformed = FALSE;
  GError *local = NULL;
  guint kg;

  ensure_tables (f);
  while (ok && rt_state_next (in, &kg))
    {
      guint64 s = 0, n = 0;

      if (kg >= RT_MAX_PARALLELISM || !rt_state_get_u64 (in, &s) || s > 1
          || !rt_state_get_u64 (in, &n))
        malformed = TRUE;
      for (guint64 i = 0; !malformed && local == NULL && i < n; i++)
        malformed = !restore_rec (f, (guint) s, in, &p[s], &local) && local == NULL;
      ok = !malformed && local == NULL;
    }
  if (local != NULL)
    g_propagate_error (error, local);
  for (guint s = 0; s < 2; s++)
    {
      if (ok && !store_pending (f, s, &p[s], error))
        ok = FALSE;
      g_clear_pointer (&p[s].batch, rt_batch_unref);
      g_array_unref (p[s].matches);
    }
  if (malformed)
    return rt_state_malformed (in, op, error);
  return ok;
}

static const RtOperatorClass flat_class = {
  .name = "Join",
  .instance_size = sizeof (JoinFlat),
  .process = flat_process,
  .finish = flat_finish,
  .close = flat_close,
  .snapshot = flat_snapshot,
  .restore = flat_restore,
};

RtOperator *
rt__op_join_flat_new (const PlanPhysNode *node, GError **error)
{
  RtOperator *op = rt_operator_new (&flat_class, node->id);
  JoinFlat *f = (JoinFlat *) op;

  f->epr = g_array_new (FALSE, FALSE, sizeof (guint32));
  f->ebr = g_array_new (FALSE, FALSE, sizeof (guint32));
  f->ekind = g_array_new (FALSE, FALSE, sizeof (guint8));
  if (!rt__join_init (&f->j, node, error))
    {
      rt_operator_free (op);
      return NULL;
    }
  return op;
}

gboolean
rt__op_join_flat_supports (const PlanPhysNode *node)
{
  RtJoin probe = { 0 };

  if (node->n_inputs != 2)
    return FALSE;
  probe.join = node->u.join; /* borrowed, read only */
  probe.side[0] = node->inputs[0].node->schema;
  probe.side[1] = node->inputs[1].node->schema;
  return rt__join_table_supports (&probe);
}
