/* rt-join-table-spill.c: the hybrid hash join over the batch hash join's build table
 * (rt-join-table.h), for build sides past the operator's memory share.
 *
 * Why this shape: the table is one index over all its rows, so it cannot give back a
 * partition in place. The first time it passes the share, its rows are read back once
 * (rt__join_table_replay) and routed by a hash of their key: partition 0 into a fresh
 * table that takes its place, partitions 1..7 into LZ4 run files (rt-spill.h, in a
 * private directory). Later build rows go the same way, so with a build side slightly
 * over the share most rows never touch the disk; if partition 0 alone passes the share,
 * it goes to its file too. Probe rows of partition 0 are probed at once while it is
 * resident; the others (and all of them once it is not) go to the probe file of their
 * partition. At the end each spilled partition is joined alone: its build file into the
 * emptied table, then its probe file against it, then its unmatched build rows when the
 * build side is preserved. A partition that still does not fit is split again into eight
 * with a hash mixed with the level, up to MAX_LEVEL levels; past that (one key with more
 * rows than the share) it is joined in memory anyway, since splitting cannot separate
 * equal keys. The partition of a row comes from the same key hash both sides use, taken
 * from its top bits (the index uses the low ones). A row with a NULL key belongs to
 * partition 0: it matches nothing, but a preserved one must still come out NULL-filled.
 * Files and the directory are deleted as soon as they have been read, and on close. */
#include "rt-join-table.h"
#include "rt-spill.h"

#define MAX_LEVEL 4
#define SPILL_PREFIX "strom-hash-join" /* of the run directory's name */

typedef struct {
  RtRunFile *build[RT_JOIN_SPILL_FANOUT]; /* owned, NULL until written */
  RtRunFile *probe[RT_JOIN_SPILL_FANOUT];
} Parts;

struct _RtTableSpill {
  gsize share;
  gboolean spilling;
  gboolean resident0;  /* partition 0 is in j->table */
  char *dir;           /* owned, nullable */
  Parts top;
  guint64 spilled;
  guint8 *part;        /* owned scratch: partition per row */
  guint32 *rows;       /* owned scratch: rows kept in memory */
  guint8 *skip;        /* owned scratch: probe rows not probed now */
  guint cap;
  /* where rt__join_table_replay's rows go (see route_replayed) */
  Parts *route_parts;
  guint route_level;
  RtJoinTable *route_keep;
};

RtTableSpill *
rt__table_spill_new (RtJoin *j, gsize share)
{
  RtTableSpill *s = g_new0 (RtTableSpill, 1);

  (void) j;
  s->share = share;
  return s;
}

static void
parts_clear (Parts *p)
{
  for (guint i = 0; i < RT_JOIN_SPILL_FANOUT; i++)
    {
      g_clear_pointer (&p->build[i], rt__run_file_free);
      g_clear_pointer (&p->probe[i], rt__run_file_free);
    }
}

void
rt__table_spill_free (RtTableSpill *s)
{
  if (s == NULL)
    return;
  parts_clear (&s->top);
  rt__run_dir_remove (s->dir);
  g_free (s->dir);
  g_free (s->part);
  g_free (s->rows);
  g_free (s->skip);
  g_free (s);
}

guint64
rt__table_spill_get_bytes (const RtTableSpill *s)
{
  return s != NULL ? s->spilled : 0;
}

/* ---- routing ------------------------------------------------------------------------------- */

static void
ensure_scratch (RtTableSpill *s, guint n)
{
  if (n <= s->cap)
    return;
  s->cap = MAX (n, s->cap * 2);
  s->part = g_renew (guint8, s->part, s->cap);
  s->rows = g_renew (guint32, s->rows, s->cap);
  s->skip = g_renew (guint8, s->skip, s->cap);
}

/* s->part[r] = the partition at level of every row of batch (a build batch when build);
 * G_MAXUINT8 for a build row that can never be emitted (NULL key, side not preserved). */
static void
partition_rows (RtJoin *j, const RtBatch *batch, gboolean build, guint level)
{
  RtTableSpill *s = j->tspill;
  const guint8 *nullk;
  const guint64 *hash = rt__join_table_hash (j->table, batch, build, &nullk);
  gboolean keep_null = !build || rt__join_preserves (j, j->join.build_side);

  ensure_scratch (s, batch->n_rows);
  for (guint r = 0; r < batch->n_rows; r++)
    {
      guint64 h = hash[r];

      if (nullk[r])
        {
          s->part[r] = keep_null ? 0 : G_MAXUINT8;
          continue;
        }
      if (level > 0) /* another split of the same keys: mix the hash with the level */
        {
          h += (guint64) level * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
          h ^= h >> 31;
          h *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
          h ^= h >> 29;
        }
      s->part[r] = (guint8) (h >> 61);
    }
}

/* Routes the rows of a build batch to parts at level; rows of partition 0 go into keep
 * instead when keep is not NULL. */
static gboolean
route_build (RtJoin *j, const RtBatch *batch, Parts *parts, guint level, RtJoinTable *keep,
             GError **error)
{
  RtTableSpill *s = j->tspill;
  guint m = 0;

  partition_rows (j, batch, TRUE, level);
  for (guint r = 0; r < batch->n_rows; r++)
    {
      guint k = s->part[r];

      if (k == G_MAXUINT8)
        continue;
      if (k == 0 && keep != NULL)
        s->rows[m++] = r;
      else if (!rt__run_file_write_lazy (&s->dir, SPILL_PREFIX, &parts->build[k], batch, r,
                                         error))
        return FALSE;
    }
  return m == 0 || rt__join_table_add_rows (keep, batch, s->rows, m, error);
}

static RtResult
route_replayed (RtJoin *j, RtBatch *batch, GError **error)
{
  RtTableSpill *s = j->tspill;

  return route_build (j, batch, s->route_parts, s->route_level, s->route_keep, error)
         ? RT_OK : RT_FAIL;
}

/* Moves every row of j->table to parts at level (partition 0 into keep when not NULL) and
 * empties j->table. */
static gboolean
evict_table (RtJoin *j, Parts *parts, guint level, RtJoinTable *keep, GError **error)
{
  RtTableSpill *s = j->tspill;
  gboolean ok;

  s->route_parts = parts;
  s->route_level = level;
  s->route_keep = keep;
  ok = rt__join_table_replay (j->table, route_replayed, error);
  rt__join_table_clear (j->table);
  return ok;
}

/* The table passed the share: split it (partition 0 stays, in a fresh table), or, when
 * only partition 0 is left in memory, send that to its file too. */
static gboolean
overflow (RtJoin *j, GError **error)
{
  RtTableSpill *s = j->tspill;

  if (!s->spilling)
    {
      RtJoinTable *keep = rt__join_table_new (j);

      s->spilling = TRUE;
      s->resident0 = TRUE;
      if (!evict_table (j, &s->top, 0, keep, error))
        {
          rt__join_table_free (keep);
          return FALSE;
        }
      rt__join_table_free (j->table);
      j->table = keep;
    }
  if (s->resident0 && rt__join_table_get_bytes (j->table) > s->share)
    {
      s->resident0 = FALSE;
      return evict_table (j, &s->top, 0, NULL, error);
    }
  return TRUE;
}

RtResult
rt__table_spill_build (RtJoin *j, RtBatch *batch, GError **error)
{
  RtTableSpill *s = j->tspill;

  if (s == NULL || !s->spilling)
    {
      if (!rt__join_table_add (j->table, batch, error))
        return RT_FAIL;
    }
  else if (!route_build (j, batch, &s->top, 0, s->resident0 ? j->table : NULL, error))
    return RT_FAIL;
  if (s != NULL && (s->resident0 || !s->spilling)
      && rt__join_table_get_bytes (j->table) > s->share && !overflow (j, error))
    return RT_FAIL;
  return RT_OK;
}

RtResult
rt__table_spill_probe (RtJoin *j, RtBatch *batch, GError **error)
{
  RtTableSpill *s = j->tspill;
  gboolean any = FALSE;

  if (s == NULL || !s->spilling)
    return rt__join_table_probe (j->table, batch, error) == RT_FAIL
           ? RT_FAIL : rt__join_flush (j, error);
  partition_rows (j, batch, FALSE, 0);
  for (guint r = 0; r < batch->n_rows; r++)
    {
      guint k = s->part[r];

      s->skip[r] = !(k == 0 && s->resident0);
      any |= !s->skip[r];
      if (s->skip[r]
          && !rt__run_file_write_lazy (&s->dir, SPILL_PREFIX, &s->top.probe[k], batch, r, error))
        return RT_FAIL;
    }
  if (any && rt__join_table_probe_masked (j->table, batch, s->skip, error) == RT_FAIL)
    return RT_FAIL;
  return rt__join_flush (j, error);
}

/* ---- joining the spilled partitions ------------------------------------------------------ */

static gboolean
check_cancel (RtJoin *j, GError **error)
{
  if (j->base.ctx->cancelled == NULL || g_atomic_int_get (j->base.ctx->cancelled) == 0)
    return TRUE;
  g_set_error (error, RT_ERROR, RT_ERROR_CANCELLED, "The hash join was cancelled");
  return FALSE;
}

/* The next batch of *file (NULL at its end, or on error with *failed set). */
static RtBatch *
next_batch (RtJoin *j, RtRunFile *file, guint side, gboolean *failed, GError **error)
{
  GError *local = NULL;
  RtBatch *batch;

  if (file == NULL)
    return NULL;
  batch = rt__run_file_read (file, j->base.ctx->pool, j->side[side],
                             MAX (j->base.ctx->batch_size, 1u), &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      *failed = TRUE;
    }
  return batch;
}

/* Routes the rows of a probe batch to split's probe files at level. */
static gboolean
route_probe (RtJoin *j, const RtBatch *batch, Parts *split, guint level, GError **error)
{
  RtTableSpill *s = j->tspill;

  partition_rows (j, batch, FALSE, level);
  for (guint r = 0; r < batch->n_rows; r++)
    if (!rt__run_file_write_lazy (&s->dir, SPILL_PREFIX, &split->probe[s->part[r]], batch, r,
                                  error))
      return FALSE;
  return TRUE;
}

static gboolean join_parts (RtJoin *j, Parts *parts, guint level, GError **error);

/* The build file did not fit: the table's rows, the rest of the build file and the whole
 * probe file go into eight smaller partitions at level + 1, joined one by one. */
static gboolean
split_partition (RtJoin *j, RtRunFile *build, RtRunFile *probe, guint level, GError **error)
{
  Parts split = { 0 };
  gboolean ok, failed = FALSE;
  RtBatch *batch;

  ok = evict_table (j, &split, level + 1, NULL, error);
  while (ok && (batch = next_batch (j, build, j->join.build_side, &failed, error)) != NULL)
    {
      ok = route_build (j, batch, &split, level + 1, NULL, error);
      rt_batch_unref (batch);
    }
  while (ok && !failed && (batch = next_batch (j, probe, 1 - j->join.build_side, &failed,
                                               error)) != NULL)
    {
      ok = route_probe (j, batch, &split, level + 1, error);
      rt_batch_unref (batch);
    }
  ok = ok && !failed && join_parts (j, &split, level + 1, error);
  parts_clear (&split);
  return ok;
}

/* Joins one spilled partition (both files are freed by the caller). */
static gboolean
join_partition (RtJoin *j, RtRunFile *build, RtRunFile *probe, guint level, GError **error)
{
  gboolean ok = TRUE, failed = FALSE;
  RtBatch *batch;

  rt__join_table_clear (j->table);
  while (ok && (batch = next_batch (j, build, j->join.build_side, &failed, error)) != NULL)
    {
      ok = rt__join_table_add (j->table, batch, error) && check_cancel (j, error);
      rt_batch_unref (batch);
      if (ok && level < MAX_LEVEL && rt__join_table_get_bytes (j->table) > j->tspill->share)
        return split_partition (j, build, probe, level, error);
    }
  while (ok && !failed && (batch = next_batch (j, probe, 1 - j->join.build_side, &failed,
                                               error)) != NULL)
    {
      ok = rt__join_table_probe (j->table, batch, error) != RT_FAIL
           && rt__join_flush (j, error) != RT_FAIL && check_cancel (j, error);
      rt_batch_unref (batch);
    }
  ok = ok && !failed && rt__join_table_emit_unmatched (j->table, error) != RT_FAIL
       && rt__join_flush (j, error) != RT_FAIL;
  rt__join_table_clear (j->table);
  return ok;
}

static gboolean
join_parts (RtJoin *j, Parts *parts, guint level, GError **error)
{
  for (guint k = 0; k < RT_JOIN_SPILL_FANOUT; k++)
    {
      gboolean ok = TRUE;

      for (guint f = 0; f < 2 && ok; f++)
        {
          RtRunFile *file = f == 0 ? parts->build[k] : parts->probe[k];

          if (file != NULL && (ok = rt__run_file_finish (file, error)))
            j->tspill->spilled += rt__run_file_get_bytes (file);
        }
      /* a partition without build rows still has probe rows to NULL-fill */
      ok = ok && (parts->build[k] == NULL && parts->probe[k] == NULL
                  ? TRUE : join_partition (j, parts->build[k], parts->probe[k], level, error));
      g_clear_pointer (&parts->build[k], rt__run_file_free);
      g_clear_pointer (&parts->probe[k], rt__run_file_free);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

RtResult
rt__table_spill_finish (RtJoin *j, GError **error)
{
  RtTableSpill *s = j->tspill;
  gboolean ok;

  /* the resident rows (everything when nothing spilled) are complete: unmatched ones go */
  if (rt__join_table_emit_unmatched (j->table, error) == RT_FAIL)
    return RT_FAIL;
  if (s == NULL || !s->spilling)
    return rt__join_flush (j, error);
  ok = rt__join_flush (j, error) != RT_FAIL && join_parts (j, &s->top, 0, error);
  parts_clear (&s->top);
  rt__run_dir_remove (s->dir);
  g_clear_pointer (&s->dir, g_free);
  if (!ok)
    return RT_FAIL;
  return rt__join_flush (j, error);
}
