/* rt-agg-spill.c: hash-partitioned spilling for batch operators over their managed-memory
 * share (DESIGN.md 4.2: "when an operator's share is full it spills to disk (batch mode)").
 *
 * The group aggregate (rt-op-aggregate.c) is the first user: once its groups fill its
 * share, the rows of the groups not in memory go to the partitions of a spill set by a
 * hash of their key, and each partition is aggregated on its own after the input ends
 * (and partitioned again, one level deeper, when it still does not fit).
 *
 * The files themselves are the run files of the external sort (rt-spill.c): rows encoded
 * one by one, LZ4-compressed in blocks, read back as batches, deleted when freed. This
 * module only adds the fan-out (files made on first use, so a partition that gets no row
 * costs nothing) and remembers the level each partition was written at, so the caller can
 * pick another hash for the next level. */
#include "rt-agg-spill.h"
#include "rt-operator.h"

struct _RtSpillFile {
  RtRunFile *run;       /* owned */
  guint level;
};

struct _RtSpillSet {
  const char *dir;      /* borrowed */
  guint level;
  RtRunFile *parts[RT_SPILL_FANOUT]; /* owned, NULL until first written */
};

RtSpillSet *
rt__spill_set_new (const char *dir, guint level)
{
  RtSpillSet *set = g_new0 (RtSpillSet, 1);

  set->dir = dir;
  set->level = level;
  return set;
}

gboolean
rt__spill_set_write (RtSpillSet *set, guint part, const RtBatch *batch, guint row,
                     GError **error)
{
  g_return_val_if_fail (part < RT_SPILL_FANOUT, FALSE);
  if (set->parts[part] == NULL && (set->parts[part] = rt__run_file_new (set->dir, error)) == NULL)
    return FALSE;
  return rt__run_file_write (set->parts[part], batch, row, error);
}

gboolean
rt__spill_set_finish (RtSpillSet *set, GPtrArray *out, guint64 *bytes, GError **error)
{
  gboolean ok = TRUE;

  for (guint i = 0; i < RT_SPILL_FANOUT && ok; i++)
    {
      RtSpillFile *file;

      if (set->parts[i] == NULL)
        continue;
      if (!(ok = rt__run_file_finish (set->parts[i], error)))
        break;
      *bytes += rt__run_file_get_bytes (set->parts[i]);
      file = g_new0 (RtSpillFile, 1);
      file->run = g_steal_pointer (&set->parts[i]);
      file->level = set->level;
      g_ptr_array_add (out, file);
    }
  rt__spill_set_free (set);
  return ok;
}

void
rt__spill_set_free (RtSpillSet *set)
{
  if (set == NULL)
    return;
  for (guint i = 0; i < RT_SPILL_FANOUT; i++)
    rt__run_file_free (set->parts[i]);
  g_free (set);
}

guint
rt__spill_file_get_level (const RtSpillFile *file)
{
  return file->level;
}

RtBatch *
rt__spill_file_read (RtSpillFile *file, RtMemPool *pool, PlanSchema *schema, guint capacity,
                     GError **error)
{
  return rt__run_file_read (file->run, pool, schema, capacity, error);
}

void
rt__spill_file_free (RtSpillFile *file)
{
  if (file == NULL)
    return;
  rt__run_file_free (file->run);
  g_free (file);
}

/* ---- budget charging (rt-agg-spill.h) -------------------------------------------------- */

gboolean
rt__agg_charge (RtOpContext *ctx, GPtrArray *chunks, gsize *share, gsize *state_bytes,
                gsize extra, gboolean force)
{
  gsize budget = rt_mem_pool_get_budget (ctx->pool);

  if (*share == 0)
    *share = MAX (budget / 2 / MAX (ctx->parallelism, 1), 4 * RT_AGG_CHUNK);
  while (*state_bytes + extra > chunks->len * RT_AGG_CHUNK)
    {
      void *block = NULL;

      if ((chunks->len + 1) * RT_AGG_CHUNK <= *share
          && rt_mem_pool_get_used (ctx->pool) + RT_AGG_CHUNK <= budget / 2)
        block = rt_mem_alloc (ctx->pool, RT_AGG_CHUNK, NULL, NULL);
      if (block == NULL && !force)
        return FALSE;
      if (block == NULL)
        break;
      g_ptr_array_add (chunks, block);
    }
  *state_bytes += extra;
  return TRUE;
}

void
rt__agg_release_charge (RtMemPool *pool, GPtrArray *chunks, gsize *state_bytes)
{
  for (guint i = 0; i < chunks->len; i++)
    rt_mem_free (pool, chunks->pdata[i], RT_AGG_CHUNK);
  g_ptr_array_set_size (chunks, 0);
  *state_bytes = 0;
}
