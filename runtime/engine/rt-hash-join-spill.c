/* rt-hash-join-spill.c: the spilling half of the hybrid hash join (see
 * rt-hash-join-spill.h).
 *
 * The join's hash table holds rows as PlanValues on the GLib heap (rt-op-join.c's row
 * state), so its size is estimated per distinct row (values, key and row bytes, and the
 * table's own overhead) and compared with the operator's share: half the managed budget
 * over the parallelism, as for the batch aggregate. The first time the estimate passes the
 * share, the rows of partitions 1..7 leave the table for their run files (rt-spill.h, LZ4
 * blocks in a private directory) and later build rows of those partitions go straight
 * there; partition 0 stays and keeps being built and probed in memory, which is what makes
 * the join hybrid rather than grace: with a build side slightly over the share most rows
 * never touch the disk. If partition 0 alone overflows, it leaves too.
 *
 * After the build side has ended, probe rows of spilled partitions are written to the
 * probe file of their partition (a NULL key matches nothing, so such a row is NULL-filled
 * at once when its side is preserved, and dropped otherwise). At the end each spilled
 * partition is joined alone: its build file into an empty table, then its probe file
 * against it, then its unmatched build rows when the build side is preserved. A partition
 * whose build rows still do not fit is split again into eight with a hash seeded by the
 * level, up to RT_HASH_SPILL_MAX_LEVEL levels; past that (one key with more rows than the
 * share) it is joined in memory anyway, on the heap, since splitting cannot separate
 * equal keys. Files and the directory are deleted as soon as they have been read, and on
 * close. */
#include "rt-hash-join-spill.h"
#include "rt-join-table.h"
#include "rt-spill.h"

#define RT_HASH_SPILL_MAX_LEVEL 4
#define SPILL_PREFIX "strom-hash-join" /* of the run directory's name */
#define NULL_KEY "\xff" "null" /* rt-op-hash-join.c's key for preserved NULL-key rows */

typedef struct {
  RtRunFile *build[RT_HASH_SPILL_FANOUT]; /* owned, NULL until written */
  RtRunFile *probe[RT_HASH_SPILL_FANOUT];
} Parts;

struct _RtHashSpill {
  gsize share;
  gsize bytes[RT_HASH_SPILL_FANOUT]; /* estimated table bytes per partition */
  gsize total;
  gboolean spilling;
  gboolean resident0;  /* partition 0 is still in the table */
  char *dir;           /* owned, nullable */
  Parts top;           /* level-0 partitions */
  guint64 spilled;
};

/* ---- helpers ------------------------------------------------------------------------- */

static guint
part_of (GBytes *key, guint level)
{
  gsize n;
  const guint8 *p = g_bytes_get_data (key, &n);
  guint64 h = 1469598103934665603u ^ ((guint64) level * 0x9e3779b97f4a7c15u);

  for (gsize i = 0; i < n; i++)
    h = (h ^ p[i]) * 1099511628211u;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdu;
  h ^= h >> 33;
  return (guint) (h % RT_HASH_SPILL_FANOUT);
}

/* The table key of a build row: its join key, the marker for a preserved NULL key, or
 * NULL for a row that can never be emitted (NULL key, side not preserved). */
static GBytes *
build_key (RtJoin *j, const PlanValue *vals)
{
  guint b = j->join.build_side;
  GBytes *key = rt__join_key (j, b, vals);

  if (key == NULL && rt__join_preserves (j, b))
    key = g_bytes_new_static (NULL_KEY, sizeof NULL_KEY - 1);
  return key;
}

/* Inserts one build row into the table; returns the bytes it added (0 for a duplicate). */
static gsize
table_insert (RtJoin *j, GBytes *key, const PlanValue *vals)
{
  guint b = j->join.build_side, n = j->side[b]->n_fields;
  g_autoptr (GBytes) row = rt__join_row_bytes (vals, n);
  RtJoinRec *rec = rt__join_lookup (j, b, key, row, vals, TRUE);
  gsize added = 0;

  if (rec->count == 0)
    added = 2 * g_bytes_get_size (row) + g_bytes_get_size (key) + n * sizeof (PlanValue) + 160;
  rec->count++;
  return added;
}

static gboolean
check_cancel (RtJoin *j, GError **error)
{
  if (j->base.ctx->cancelled == NULL || g_atomic_int_get (j->base.ctx->cancelled) == 0)
    return TRUE;
  g_set_error (error, RT_ERROR, RT_ERROR_CANCELLED, "The hash join was cancelled");
  return FALSE;
}

/* Writes one row given as PlanValues, through a one-row batch that is dropped at once (its
 * string arena would otherwise keep growing). */
static gboolean
write_values (RtJoin *j, RtRunFile **file, const PlanValue *vals, GError **error)
{
  g_autoptr (RtBatch) one = rt_batch_new (j->base.ctx->pool, j->side[j->join.build_side], 1,
                                          error);

  return one != NULL && rt_batch_append_values (one, vals, error)
         && rt__run_file_write_lazy (&j->spill->dir, SPILL_PREFIX, file, one, 0, error);
}

static void
parts_clear (Parts *p)
{
  for (guint i = 0; i < RT_HASH_SPILL_FANOUT; i++)
    {
      g_clear_pointer (&p->build[i], rt__run_file_free);
      g_clear_pointer (&p->probe[i], rt__run_file_free);
    }
}

/* Writes every row of the table whose key is in partition part at level (every row when
 * part is G_MAXUINT: into target[part_of (key)]) to the files of target, and removes them
 * from the table. */
static gboolean
evict (RtJoin *j, guint part, guint level, RtRunFile **target, GError **error)
{
  guint b = j->join.build_side;
  GHashTableIter buckets, rows;
  gpointer key, bucket, rec;

  g_hash_table_iter_init (&buckets, j->state[b]);
  while (g_hash_table_iter_next (&buckets, &key, &bucket))
    {
      guint k = part_of (key, level);

      if (part != G_MAXUINT && k != part)
        continue;
      g_hash_table_iter_init (&rows, bucket);
      while (g_hash_table_iter_next (&rows, NULL, &rec))
        for (gint64 t = 0; t < ((RtJoinRec *) rec)->count; t++)
          if (!write_values (j, &target[k], ((RtJoinRec *) rec)->vals, error))
            return FALSE;
      g_hash_table_iter_remove (&buckets);
    }
  return TRUE;
}

/* Called when the table is over the share. */
static gboolean
start_spilling (RtJoin *j, GError **error)
{
  RtHashSpill *s = j->spill;

  if (!s->spilling)
    {
      for (guint k = 1; k < RT_HASH_SPILL_FANOUT; k++)
        {
          if (!evict (j, k, 0, s->top.build, error))
            return FALSE;
          s->total -= s->bytes[k];
          s->bytes[k] = 0;
        }
      s->spilling = TRUE;
      s->resident0 = TRUE;
    }
  if (s->total > s->share && s->resident0)
    {
      if (!evict (j, 0, 0, s->top.build, error))
        return FALSE;
      s->total = s->bytes[0] = 0;
      s->resident0 = FALSE;
    }
  return TRUE;
}

/* ---- the three phases ---------------------------------------------------------------- */

RtHashSpill *
rt__hash_spill_new (RtJoin *j)
{
  RtHashSpill *s = g_new0 (RtHashSpill, 1);

  s->share = rt__hash_spill_get_share (j);
  return s;
}

void
rt__hash_spill_free (RtHashSpill *s)
{
  if (s == NULL)
    return;
  parts_clear (&s->top);
  rt__run_dir_remove (s->dir);
  g_free (s->dir);
  g_free (s);
}

gboolean
rt__hash_spill_active (const RtJoin *j)
{
  return j->spill != NULL && j->spill->spilling;
}

guint64
rt__hash_spill_get_bytes (const RtJoin *j)
{
  return j->spill != NULL ? j->spill->spilled : 0;
}

gsize
rt__hash_spill_get_share (const RtJoin *j)
{
  RtOpContext *ctx = j->base.ctx;

  return MAX (rt_mem_pool_get_budget (ctx->pool) / 2 / MAX (ctx->parallelism, 1u),
              (gsize) 8 * RT_PAGE_SIZE);
}

RtResult
rt__hash_spill_build_batch (RtJoin *j, RtBatch *batch, GError **error)
{
  RtHashSpill *s = j->spill;

  for (guint r = 0; r < batch->n_rows; r++)
    {
      PlanValue *vals = rt__join_read_row (batch, r);
      g_autoptr (GBytes) key = build_key (j, vals);
      gboolean ok = TRUE;

      if (key != NULL)
        {
          guint k = part_of (key, 0);

          if (s->spilling && (k != 0 || !s->resident0))
            ok = rt__run_file_write_lazy (&s->dir, SPILL_PREFIX, &s->top.build[k], batch, r,
                                          error);
          else
            {
              gsize added = table_insert (j, key, vals);

              s->bytes[k] += added;
              s->total += added;
              if (s->total > s->share)
                ok = start_spilling (j, error);
            }
        }
      rt__join_free_row (vals, batch->n_cols);
      if (!ok)
        return RT_FAIL;
    }
  return RT_OK;
}

/* Probes one row against the table (rt-op-hash-join.c's probe, over the shared state). */
static gboolean
probe_vals (RtJoin *j, const PlanValue *vals, GBytes *key, GError **error)
{
  guint b = j->join.build_side, p = 1 - b;
  g_autoptr (GPtrArray) matches = g_ptr_array_new ();

  if (key != NULL
      && !rt__join_matches (j, p, vals, g_hash_table_lookup (j->state[b], key), matches, error))
    return FALSE;
  if (matches->len == 0)
    return !rt__join_preserves (j, p)
           || rt__join_emit (j, p == 0 ? vals : NULL, p == 1 ? vals : NULL, RT_ROW_INSERT, 1,
                             error);
  for (guint i = 0; i < matches->len; i++)
    {
      RtJoinRec *m = matches->pdata[i];

      m->matches++;
      if (!rt__join_emit (j, p == 0 ? vals : m->vals, p == 0 ? m->vals : vals, RT_ROW_INSERT,
                          m->count, error))
        return FALSE;
    }
  return TRUE;
}

RtResult
rt__hash_spill_probe_batch (RtJoin *j, RtBatch *batch, GError **error)
{
  RtHashSpill *s = j->spill;
  guint p = 1 - j->join.build_side;

  for (guint r = 0; r < batch->n_rows; r++)
    {
      PlanValue *vals = rt__join_read_row (batch, r);
      g_autoptr (GBytes) key = rt__join_key (j, p, vals);
      gboolean ok;

      if (key == NULL || (part_of (key, 0) == 0 && s->resident0))
        ok = probe_vals (j, vals, key, error);
      else
        ok = rt__run_file_write_lazy (&s->dir, SPILL_PREFIX, &s->top.probe[part_of (key, 0)],
                                      batch, r, error);
      rt__join_free_row (vals, batch->n_cols);
      if (!ok)
        return RT_FAIL;
    }
  return rt__join_flush (j, error);
}

/* Preserved build rows that nothing matched, NULL-filled; then the table is emptied. */
static gboolean
drain_table (RtJoin *j, GError **error)
{
  guint b = j->join.build_side;
  GHashTableIter buckets, rows;
  gpointer bucket, rec;

  if (rt__join_preserves (j, b))
    {
      g_hash_table_iter_init (&buckets, j->state[b]);
      while (g_hash_table_iter_next (&buckets, NULL, &bucket))
        {
          g_hash_table_iter_init (&rows, bucket);
          while (g_hash_table_iter_next (&rows, NULL, &rec))
            {
              RtJoinRec *m = rec;

              if (m->matches == 0
                  && !rt__join_emit (j, b == 0 ? m->vals : NULL, b == 1 ? m->vals : NULL,
                                     RT_ROW_INSERT, m->count, error))
                return FALSE;
            }
        }
    }
  g_hash_table_remove_all (j->state[b]);
  return rt__join_flush (j, error) != RT_FAIL;
}

/* Reads the rows of *file of side: into split's files at level (split non-NULL), else build
 * rows into the table (adding to *bytes, stopping after the batch that passes the share
 * while a deeper level is left) or probe rows against it. FALSE with error on failure. */
static gboolean
read_all (RtJoin *j, RtRunFile **file, guint side, guint level, Parts *split,
          gsize *bytes, GError **error)
{
  guint cap = MAX (j->base.ctx->batch_size, 1u);
  GError *local = NULL;
  RtBatch *batch;
  gboolean ok = TRUE;

  if (*file == NULL)
    return TRUE;
  while (ok && (batch = rt__run_file_read (*file, j->base.ctx->pool, j->side[side], cap,
                                           &local)) != NULL)
    {
      for (guint r = 0; r < batch->n_rows && ok; r++)
        {
          PlanValue *vals = rt__join_read_row (batch, r);
          g_autoptr (GBytes) key = side == j->join.build_side ? build_key (j, vals)
                                                              : rt__join_key (j, side, vals);

          if (split != NULL)
            ok = key == NULL
                 || rt__run_file_write_lazy (&j->spill->dir, SPILL_PREFIX,
                                             side == j->join.build_side
                                             ? &split->build[part_of (key, level)]
                                             : &split->probe[part_of (key, level)],
                                             batch, r, error);
          else if (side == j->join.build_side)
            *bytes += key != NULL ? table_insert (j, key, vals) : 0;
          else
            ok = probe_vals (j, vals, key, error);
          rt__join_free_row (vals, batch->n_cols);
        }
      rt_batch_unref (batch);
      ok = ok && check_cancel (j, error) && rt__join_flush (j, error) != RT_FAIL;
      if (ok && split == NULL && side == j->join.build_side && *bytes > j->spill->share
          && level < RT_HASH_SPILL_MAX_LEVEL)
        break; /* over the share: the caller splits this partition */
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return ok;
}

static gboolean join_parts (RtJoin *j, Parts *parts, guint level, GError **error);

/* Joins one spilled partition: build file into the table, probe file against it. */
static gboolean
join_partition (RtJoin *j, RtRunFile **build, RtRunFile **probe, guint level, GError **error)
{
  gsize bytes = 0;
  Parts split = { 0 };
  gboolean ok;

  if (!read_all (j, build, j->join.build_side, level, NULL, &bytes, error))
    return FALSE;
  if (bytes > j->spill->share && level < RT_HASH_SPILL_MAX_LEVEL)
    {
      /* still too big: what is in the table, the rest of the build file and the whole
       * probe file go into eight smaller partitions, hashed another way */
      ok = evict (j, G_MAXUINT, level + 1, split.build, error)
           && read_all (j, build, j->join.build_side, level + 1, &split, NULL, error)
           && read_all (j, probe, 1 - j->join.build_side, level + 1, &split, NULL, error);
      g_clear_pointer (build, rt__run_file_free);
      g_clear_pointer (probe, rt__run_file_free);
      ok = ok && join_parts (j, &split, level + 1, error);
      parts_clear (&split);
      return ok;
    }
  g_clear_pointer (build, rt__run_file_free);
  ok = read_all (j, probe, 1 - j->join.build_side, level, NULL, NULL, error);
  g_clear_pointer (probe, rt__run_file_free);
  return ok && drain_table (j, error);
}

static gboolean
join_parts (RtJoin *j, Parts *parts, guint level, GError **error)
{
  for (guint k = 0; k < RT_HASH_SPILL_FANOUT; k++)
    {
      for (guint f = 0; f < 2; f++)
        {
          RtRunFile *file = f == 0 ? parts->build[k] : parts->probe[k];

          if (file != NULL)
            {
              if (!rt__run_file_finish (file, error))
                return FALSE;
              j->spill->spilled += rt__run_file_get_bytes (file);
            }
        }
      if (!join_partition (j, &parts->build[k], &parts->probe[k], level, error))
        return FALSE;
    }
  return TRUE;
}

RtResult
rt__hash_spill_finish (RtJoin *j, GError **error)
{
  RtHashSpill *s = j->spill;
  gboolean ok;

  /* the resident partition is complete: its unmatched build rows go now */
  ok = drain_table (j, error) && join_parts (j, &s->top, 0, error);
  parts_clear (&s->top);
  rt__run_dir_remove (s->dir);
  g_clear_pointer (&s->dir, g_free);
  if (!ok)
    return RT_FAIL;
  return rt__join_flush (j, error);
}

guint64
rt_op_hash_join_get_spilled_bytes (RtOperator *op)
{
  return rt__hash_spill_get_bytes ((RtJoin *) op)
         + rt__table_spill_get_bytes (((RtJoin *) op)->tspill); /* hash join speed */
}
