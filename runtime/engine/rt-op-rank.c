/* rt-op-rank.c: ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) with a rownum bound
 * (DESIGN.md 4.5): Top-N per partition and deduplication, Flink's Rank and Deduplicate.
 *
 * State is one entry per partition key in a hash table (keyed state: a row's partition
 * decides its subtask through the HASH exchange in front, and each entry knows its key
 * group for snapshots). It lives on the GLib heap, not in the managed pool. A partition
 * holds its rows sorted by the window's ORDER BY, ties in arrival order (each row has an
 * arrival number). Rows are copied out of the input batches into one allocation per row
 * (values and string bytes together), so no input batch stays alive for one kept row; a
 * row that cannot enter a full insert-only partition is freed at once, before any output
 * is considered (most rows of a Top-N over a long stream).
 *
 * Streaming (the node is `updating`): for every input row, the partition's first `limit`
 * rows are noted, the row is added (+I/+U) or an equal row removed (-U/-D), and the new
 * first rows compared with the old ones by identity. With the rownum column, each position
 * whose row changed gets -U old/+U new (or +I/-D where only one side exists), since a row's
 * number is part of it; without it, rows that left get -D and rows that entered +I, or a
 * -U/+U pair for a Top-1 (deduplication keeping the last row per key). An insert-only input
 * lets the partition forget rows past the limit, which can never come back; an updating
 * input keeps every row, since a retraction may bring one back into the top. Ordered by
 * processing time ascending (first_row), arrival order is the order: a new row always goes
 * last, so kept rows never leave and the output is insert-only; descending (last_row), a
 * new row always goes first.
 *
 * Batch (not updating): the same state is filled, then every partition's first rows are
 * emitted once, as inserts, at the end of the input.
 *
 * Checkpoints: each partition is one keyed entry (its key group is the one the HASH
 * exchange computed for the row that created it), holding its rows with their arrival
 * numbers, so a job restores at another parallelism with each partition where its rows
 * now arrive. */
#include "rt-operator.h"
#include "rt-channel.h"
#include "rt-checkpoint.h"

#include <string.h>

/* One kept row, a single allocation: this header, its values, then its strings' bytes
 * (each NUL-terminated), which the VARCHAR values point into. */
typedef struct {
  guint64 seq;       /* arrival number: ties and identity */
  PlanValue *values; /* in the block: the input columns */
  guint8 mark;       /* scratch of emit_changes, 0 between rows */
} RankRow;

typedef struct {
  GPtrArray *rows;   /* RankRow* (owned), sorted */
  guint key_group;   /* of the partition key, as the HASH exchange computes it */
} Partition;

typedef struct {
  RtOperator base;
  PlanRank rank;        /* owned copy of the node's payload */
  PlanSchema *schema;   /* owned ref: output */
  guint n_in;           /* input columns */
  gboolean streaming;   /* emit a changelog as rows arrive */
  gboolean keep_all;    /* updating input: keep rows past the limit */
  GHashTable *parts;    /* owned: key bytes (GBytes) -> Partition* */
  guint64 next_seq;
  RtBatch *out;         /* owned: output being filled */
  GPtrArray *dead;      /* RankRow* removed while the current row is processed */
} RtRank;

static void
row_free (RankRow *row, guint n)
{
  g_free (row); /* values and strings are in the same block */
}

/* A block for n values and bytes of strings; *strings is where the strings go. */
static RankRow *
row_alloc (guint n, gsize bytes, char **strings)
{
  RankRow *row = g_malloc0 (sizeof (RankRow) + n * sizeof (PlanValue) + bytes);

  row->values = (PlanValue *) (row + 1);
  *strings = (char *) (row->values + n);
  return row;
}

/* Row r of batch copied out as one block. */
static RankRow *
row_read (const RtRank *rk, const RtBatch *batch, guint r)
{
  gsize bytes = 0;
  char *pos;
  RankRow *row;

  for (guint c = 0; c < rk->n_in; c++)
    if (batch->cols[c].kind == PLAN_TYPE_VARCHAR && rt_vec_is_valid (&batch->cols[c], r))
      bytes += RT_VEC (batch, c, RtStr)[r].len + 1;
  row = row_alloc (rk->n_in, bytes, &pos);
  for (guint c = 0; c < rk->n_in; c++)
    {
      PlanValue *v = &row->values[c];
      const RtVector *vec = &batch->cols[c];

      v->type = batch->schema->fields[c].type;
      if (!rt_vec_is_valid (vec, r) || vec->kind == PLAN_TYPE_NULL)
        v->is_null = TRUE;
      else if (vec->kind == PLAN_TYPE_VARCHAR)
        {
          RtStr s = RT_VEC (batch, c, RtStr)[r];

          memcpy (pos, s.ptr, s.len);
          pos[s.len] = '\0';
          v->v.s = pos;
          pos += s.len + 1;
        }
      else
        rt_batch_get_value (batch, c, r, v); /* fixed width: nothing allocated */
    }
  return row;
}

/* values (n of them, taken: cleared here) packed into one block. */
static RankRow *
row_pack (PlanValue *values, guint n)
{
  gsize bytes = 0;
  char *pos;
  RankRow *row;

  for (guint c = 0; c < n; c++)
    if (!values[c].is_null && values[c].type.kind == PLAN_TYPE_VARCHAR && values[c].v.s)
      bytes += strlen (values[c].v.s) + 1;
  row = row_alloc (n, bytes, &pos);
  for (guint c = 0; c < n; c++)
    {
      row->values[c] = values[c];
      if (!values[c].is_null && values[c].type.kind == PLAN_TYPE_VARCHAR && values[c].v.s)
        {
          gsize len = strlen (values[c].v.s);

          memcpy (pos, values[c].v.s, len + 1);
          row->values[c].v.s = pos;
          pos += len + 1;
        }
      plan_value_clear (&values[c]);
    }
  return row;
}

static void
free_rows (GPtrArray *rows, guint n)
{
  for (guint i = 0; i < rows->len; i++)
    row_free (rows->pdata[i], n);
  g_ptr_array_set_size (rows, 0);
}

/* ---- values --------------------------------------------------------------------------- */

static int
compare_values (const PlanValue *a, const PlanValue *b)
{
  switch (a->type.kind)
    {
    case PLAN_TYPE_BOOLEAN:
      return (int) (a->v.b != 0) - (int) (b->v.b != 0);
    case PLAN_TYPE_DOUBLE:
      return (a->v.d > b->v.d) - (a->v.d < b->v.d);
    case PLAN_TYPE_VARCHAR:
      return strcmp (a->v.s ? a->v.s : "", b->v.s ? b->v.s : "");
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      return (a->v.i > b->v.i) - (a->v.i < b->v.i);
    case PLAN_TYPE_NULL:
    default:
      return 0;
    }
}

static gboolean
values_equal (const PlanValue *a, const PlanValue *b, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      if (a[i].is_null != b[i].is_null)
        return FALSE;
      if (!a[i].is_null && compare_values (&a[i], &b[i]) != 0)
        return FALSE;
    }
  return TRUE;
}

/* The window's order between two rows, ties by arrival. */
static int
compare_rows (const RtRank *rk, const RankRow *a, const RankRow *b)
{
  const PlanSort *s = &rk->rank.order;

  for (guint k = 0; k < s->n_keys; k++)
    {
      const PlanValue *x = &a->values[s->keys[k]], *y = &b->values[s->keys[k]];
      int c;

      if (x->is_null || y->is_null)
        {
          if (x->is_null && y->is_null)
            continue;
          return (x->is_null ? -1 : 1) * (s->nulls_first[k] ? 1 : -1);
        }
      c = compare_values (x, y);
      if (c != 0)
        return s->descending[k] ? -c : c;
    }
  return (a->seq > b->seq) - (a->seq < b->seq);
}

/* The partition key of a row as bytes: per column a NULL flag, then the value. */
static GBytes *
partition_key (const RtRank *rk, const PlanValue *values)
{
  GByteArray *key = g_byte_array_new ();

  for (guint k = 0; k < rk->rank.n_partition; k++)
    {
      const PlanValue *v = &values[rk->rank.partition[k]];
      guint8 flag = v->is_null ? 0 : 1;

      g_byte_array_append (key, &flag, 1);
      if (v->is_null)
        continue;
      if (v->type.kind == PLAN_TYPE_VARCHAR)
        {
          guint32 len = v->v.s ? (guint32) strlen (v->v.s) : 0;

          g_byte_array_append (key, (const guint8 *) &len, sizeof len);
          g_byte_array_append (key, (const guint8 *) v->v.s, len);
        }
      else if (v->type.kind == PLAN_TYPE_DOUBLE)
        g_byte_array_append (key, (const guint8 *) &v->v.d, sizeof v->v.d);
      else if (v->type.kind == PLAN_TYPE_BOOLEAN)
        {
          guint8 b = v->v.b != 0;

          g_byte_array_append (key, &b, 1);
        }
      else
        g_byte_array_append (key, (const guint8 *) &v->v.i, sizeof v->v.i);
    }
  return g_byte_array_free_to_bytes (key);
}

/* ---- output --------------------------------------------------------------------------- */

static RtResult
flush_out (RtRank *rk, GError **error)
{
  RtResult r = RT_OK;

  if (rk->out != NULL && rk->out->n_rows > 0)
    r = rt_op_emit (&rk->base, rk->out, error);
  g_clear_pointer (&rk->out, rt_batch_unref);
  return r;
}

static RtResult
put_row (RtRank *rk, const RankRow *row, guint64 rownum, RtRowKind kind, GError **error)
{
  PlanValue *values = g_newa (PlanValue, rk->n_in + 1);

  if (rk->out == NULL
      && (rk->out = rt_batch_new (rk->base.ctx->pool, rk->schema,
                                  MAX (rk->base.ctx->batch_size, 1u), error)) == NULL)
    return RT_FAIL;
  memcpy (values, row->values, rk->n_in * sizeof (PlanValue));
  if (rk->rank.rownum)
    {
      memset (&values[rk->n_in], 0, sizeof (PlanValue));
      values[rk->n_in].type = plan_type_make (PLAN_TYPE_BIGINT, FALSE);
      values[rk->n_in].v.i = (gint64) rownum;
    }
  if (!rt_batch_append_values (rk->out, values, error))
    return RT_FAIL;
  rk->out->kinds[rk->out->n_rows - 1] = (guint8) kind;
  if (rk->out->n_rows == rk->out->capacity)
    return flush_out (rk, error);
  return RT_OK;
}

/* ---- state changes -------------------------------------------------------------------- */

static guint
kept (const RtRank *rk, const Partition *p)
{
  return rk->rank.limit < 0 ? p->rows->len : MIN ((guint64) p->rows->len, (guint64) rk->rank.limit);
}

/* Adds row (taken) at its place in the order. */
static void
add_row (RtRank *rk, Partition *p, RankRow *row)
{
  guint lo = 0, hi = p->rows->len;

  if (rk->rank.first_row)
    lo = hi; /* arrival order is the order */
  else if (rk->rank.last_row)
    hi = 0;  /* the latest arrival comes first */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (compare_rows (rk, p->rows->pdata[mid], row) <= 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  g_ptr_array_insert (p->rows, (gint) lo, row);
  if (!rk->keep_all && rk->rank.limit >= 0)
    while (p->rows->len > (guint64) rk->rank.limit)
      g_ptr_array_add (rk->dead, g_ptr_array_steal_index (p->rows, p->rows->len - 1));
}

/* Removes the first row equal to values; FALSE when there is none (a retraction of a row
 * that was never kept: past the limit of an insert-only partition, or a stray one). */
static gboolean
remove_row (RtRank *rk, Partition *p, const PlanValue *values)
{
  for (guint i = 0; i < p->rows->len; i++)
    {
      RankRow *row = p->rows->pdata[i];

      if (values_equal (row->values, values, rk->n_in))
        {
          g_ptr_array_add (rk->dead, g_ptr_array_steal_index (p->rows, i));
          return TRUE;
        }
    }
  return FALSE;
}

/* Emits what changed among the first rows: before (n_before of them) against p's now. */
static RtResult
emit_changes (RtRank *rk, RankRow **before, guint n_before, const Partition *p, GError **error)
{
  guint n_after = kept (rk, p);
  RankRow **after = (RankRow **) p->rows->pdata;
  RtResult r = RT_OK;

  if (rk->rank.rownum)
    {
      for (guint i = 0; i < MAX (n_before, n_after) && r == RT_OK; i++)
        {
          RankRow *o = i < n_before ? before[i] : NULL, *n = i < n_after ? after[i] : NULL;

          if (o == n)
            continue;
          if (o != NULL)
            r = put_row (rk, o, i + 1, n ? RT_ROW_UPDATE_BEFORE : RT_ROW_DELETE, error);
          if (n != NULL && r == RT_OK)
            r = put_row (rk, n, i + 1, o ? RT_ROW_UPDATE_AFTER : RT_ROW_INSERT, error);
        }
      return r;
    }
  /* Linear in the limit: mark 1 = was kept, 2 = was and is, 0 on an after row = entered. */
  for (guint i = 0; i < n_before; i++)
    before[i]->mark = 1;
  for (guint j = 0; j < n_after; j++)
    if (after[j]->mark == 1)
      after[j]->mark = 2;
  for (guint i = 0; i < n_before && r == RT_OK; i++)
    if (before[i]->mark == 1)
      r = put_row (rk, before[i], 0, rk->rank.limit == 1 && n_after == 1
                   ? RT_ROW_UPDATE_BEFORE : RT_ROW_DELETE, error);
  for (guint j = 0; j < n_after && r == RT_OK; j++)
    if (after[j]->mark == 0)
      r = put_row (rk, after[j], 0, rk->rank.limit == 1 && n_before == 1
                   ? RT_ROW_UPDATE_AFTER : RT_ROW_INSERT, error);
  for (guint i = 0; i < n_before; i++)
    before[i]->mark = 0;
  return r;
}

/* The partition of values; a new one gets the key group of row r of batch (or kg, when
 * batch is NULL: a restore). */
static Partition *
partition_of (RtRank *rk, const PlanValue *values, const RtBatch *batch, guint r, guint kg)
{
  GBytes *key = partition_key (rk, values);
  Partition *p = g_hash_table_lookup (rk->parts, key);

  if (p != NULL)
    {
      g_bytes_unref (key);
      return p;
    }
  p = g_new0 (Partition, 1);
  p->rows = g_ptr_array_new ();
  p->key_group = batch == NULL ? kg : rt_key_group_of_row (batch, r, rk->rank.partition,
                                                           rk->rank.n_partition);
  g_hash_table_insert (rk->parts, key, p);
  return p;
}

/* Whether a new row (its key columns read, seq after every other) can be dropped unseen:
 * an insert-only partition already full whose last kept row it would not beat. */
static gboolean
cannot_enter (const RtRank *rk, const Partition *p, const RankRow *row)
{
  if (rk->keep_all || rk->rank.limit < 0 || rk->rank.last_row
      || p->rows->len < (guint64) rk->rank.limit)
    return FALSE;
  return rk->rank.first_row || compare_rows (rk, p->rows->pdata[p->rows->len - 1], row) <= 0;
}

/* One input row: state change, then (streaming) the changes of the first rows. */
static RtResult
process_row (RtRank *rk, const RtBatch *batch, guint r, GError **error)
{
  RtRowKind kind = (RtRowKind) batch->kinds[r];
  RankRow *row = row_read (rk, batch, r);
  g_autofree RankRow **before = NULL;
  Partition *p;
  guint n_before;
  RtResult res = RT_OK;

  p = partition_of (rk, row->values, batch, r, 0);
  row->seq = rk->next_seq;
  if ((kind == RT_ROW_INSERT || kind == RT_ROW_UPDATE_AFTER) && cannot_enter (rk, p, row))
    {
      row_free (row, rk->n_in);
      return RT_OK;
    }
  n_before = kept (rk, p);
  if (rk->streaming)
    before = g_memdup2 (p->rows->pdata, MAX (n_before, 1) * sizeof (RankRow *));
  if (kind == RT_ROW_INSERT || kind == RT_ROW_UPDATE_AFTER)
    {
      row->seq = rk->next_seq++;
      add_row (rk, p, row);
    }
  else
    {
      remove_row (rk, p, row->values);
      row_free (row, rk->n_in);
    }
  if (rk->streaming)
    res = emit_changes (rk, before, n_before, p, error);
  for (guint i = 0; i < rk->dead->len; i++)
    row_free (rk->dead->pdata[i], rk->n_in);
  g_ptr_array_set_size (rk->dead, 0);
  return res;
}

/* ---- operator ------------------------------------------------------------------------- */

static RtResult
rank_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtRank *rk = (RtRank *) op;
  RtResult r = RT_OK;

  (void) input;
  for (guint i = 0; i < batch->n_rows && r == RT_OK; i++)
    r = process_row (rk, batch, i, error);
  if (r == RT_OK)
    r = flush_out (rk, error);
  return r;
}

static RtResult
rank_finish (RtOperator *op, GError **error)
{
  RtRank *rk = (RtRank *) op;
  GHashTableIter it;
  gpointer value;
  RtResult r = RT_OK;

  if (!rk->streaming)
    {
      g_hash_table_iter_init (&it, rk->parts);
      while (r == RT_OK && g_hash_table_iter_next (&it, NULL, &value))
        {
          Partition *p = value;

          for (guint i = 0; i < kept (rk, p) && r == RT_OK; i++)
            r = put_row (rk, p->rows->pdata[i], i + 1, RT_ROW_INSERT, error);
        }
    }
  return r == RT_OK ? flush_out (rk, error) : r;
}

/* ---- checkpoints ------------------------------------------------------------------------ */

/* One entry per partition, in its key group: the row count, then per row its arrival
 * number and values, in the partition's order. */
static gboolean
rank_snapshot (RtOperator *op, gint64 id, RtStateOut *out, GError **error)
{
  RtRank *rk = (RtRank *) op;
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, rk->parts);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      Partition *p = value;

      if (p->rows->len == 0)
        continue;
      rt_state_begin (out, p->key_group);
      rt_state_put_u64 (out, p->rows->len);
      for (guint i = 0; i < p->rows->len; i++)
        {
          const RankRow *row = p->rows->pdata[i];

          rt_state_put_u64 (out, row->seq);
          for (guint c = 0; c < rk->n_in; c++)
            rt_state_put_value (out, &row->values[c]);
        }
      rt_state_end (out);
    }
  return TRUE;
}

static gboolean
restore_partition (RtRank *rk, RtStateIn *in, guint kg)
{
  guint64 n;
  Partition *p = NULL;

  if (!rt_state_get_u64 (in, &n))
    return FALSE;
  for (guint64 i = 0; i < n; i++)
    {
      g_autofree PlanValue *values = g_new0 (PlanValue, MAX (rk->n_in, 1));
      guint64 seq;
      gboolean ok = rt_state_get_u64 (in, &seq);
      RankRow *row;

      for (guint c = 0; c < rk->n_in && ok; c++)
        ok = rt_state_get_value (in, &values[c]);
      row = row_pack (values, rk->n_in); /* clears values, also the read part of a bad one */
      row->seq = seq;
      if (!ok)
        {
          row_free (row, rk->n_in);
          return FALSE;
        }
      if (p == NULL)
        p = partition_of (rk, row->values, NULL, 0, kg);
      g_ptr_array_add (p->rows, row); /* already in order */
      rk->next_seq = MAX (rk->next_seq, row->seq + 1);
    }
  return TRUE;
}

static gboolean
rank_restore (RtOperator *op, RtStateIn *in, GError **error)
{
  RtRank *rk = (RtRank *) op;
  guint kg;

  while (rt_state_next (in, &kg))
    if (kg >= RT_MAX_PARALLELISM || !restore_partition (rk, in, kg))
      return rt_state_malformed (in, op, error);
  return TRUE;
}

static void
partition_free (gpointer data, gpointer user)
{
  Partition *p = data;

  free_rows (p->rows, GPOINTER_TO_UINT (user));
  g_ptr_array_unref (p->rows);
  g_free (p);
}

static void
rank_close (RtOperator *op)
{
  RtRank *rk = (RtRank *) op;

  if (rk->parts != NULL)
    {
      GHashTableIter it;
      gpointer value;

      g_hash_table_iter_init (&it, rk->parts);
      while (g_hash_table_iter_next (&it, NULL, &value))
        partition_free (value, GUINT_TO_POINTER (rk->n_in));
      g_clear_pointer (&rk->parts, g_hash_table_unref);
    }
  if (rk->dead != NULL)
    free_rows (rk->dead, rk->n_in);
  g_clear_pointer (&rk->dead, g_ptr_array_unref);
  g_clear_pointer (&rk->out, rt_batch_unref);
  g_clear_pointer (&rk->schema, plan_schema_unref);
  plan_rank_clear (&rk->rank);
}

static const RtOperatorClass rank_class = {
  .name = "Rank",
  .instance_size = sizeof (RtRank),
  .process = rank_process,
  .finish = rank_finish,
  .close = rank_close,
  .snapshot = rank_snapshot,
  .restore = rank_restore,
};

RtOperator *
rt_op_rank_new (const PlanPhysNode *node, GError **error)
{
  RtRank *rk;

  g_return_val_if_fail (node != NULL, NULL);
  if (node->kind != PLAN_PHYS_RANK || node->n_inputs != 1
      || node->schema->n_fields != node->inputs[0].node->schema->n_fields
                                   + (node->u.rank.rownum ? 1 : 0))
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "internal error: a rank operator needs "
                   "a RANK node with one input and its input's columns");
      return NULL;
    }
  rk = (RtRank *) rt_operator_new (&rank_class, node->id);
  plan_rank_copy (&rk->rank, &node->u.rank);
  rk->schema = plan_schema_ref (node->schema);
  rk->n_in = node->inputs[0].node->schema->n_fields;
  rk->streaming = node->updating || node->u.rank.first_row;
  rk->keep_all = node->inputs[0].node->updating;
  rk->parts = g_hash_table_new_full (rt_bytes_hash, g_bytes_equal,
                                     (GDestroyNotify) g_bytes_unref, NULL);
  rk->dead = g_ptr_array_new ();
  return &rk->base;
}
