/* rt-extsort.h: an external sorter on key columns, for operators that need their input in
 * key order under the managed-memory budget (first user: the sort-merge join,
 * rt-op-merge-join.c). Internal to the engine.
 *
 * Rows are added a batch at a time (the batches are held by reference, no copy); when the
 * held bytes pass the caller's share, they are sorted and written as a run file
 * (rt-spill.h: LZ4 blocks in a private directory). After rt__ext_sort_finish the rows come
 * back in ascending key order one at a time through peek/advance: from memory when nothing
 * spilled, else by a k-way merge of the runs (in several passes when there are more runs
 * than the share can read at once). Keys compare ascending; NULL sorts first, but the join
 * never adds a row with a NULL key.
 *
 * The k-way merge of run files is also offered on its own (RtRunMerge, below), ordered by
 * the caller's row comparison, so that ORDER BY (rt-op-sort.c) merges its runs with it. */
#pragma once

#include "rt-spill.h"

#include <math.h>
#include <string.h>

G_BEGIN_DECLS

typedef struct _RtExtSort RtExtSort;

/* A sorter of rows of schema on columns keys[0 .. n_keys) (copied). share is how many pool
 * and heap bytes it may hold; cancelled (borrowed, nullable) is polled while it writes. */
RtExtSort *rt__ext_sort_new (PlanSchema *schema, guint n_keys, const guint *keys,
                             RtMemPool *pool, gsize share, volatile gint *cancelled);
/* Adds rows sel[0 .. n_sel) of batch (all rows when sel is NULL); may spill a run. */
gboolean rt__ext_sort_add (RtExtSort *s, RtBatch *batch, const guint32 *sel, guint n_sel,
                           GError **error);
/* Ends input and prepares reading in order. */
gboolean rt__ext_sort_finish (RtExtSort *s, GError **error);
/* The current row (borrowed: valid until the next advance); FALSE when none is left. */
gboolean rt__ext_sort_peek (RtExtSort *s, const RtBatch **batch, guint *row);
/* Moves to the next row; FALSE with error on failure (not at the end). */
gboolean rt__ext_sort_advance (RtExtSort *s, GError **error);
/* Compressed bytes written to run files so far, and how many runs were written. */
guint64 rt__ext_sort_get_spilled_bytes (const RtExtSort *s);
guint rt__ext_sort_get_runs (const RtExtSort *s);
/* Frees held batches and deletes run files and the directory. NULL is ignored. */
void rt__ext_sort_free (RtExtSort *s);

/* Compares row ra of a on columns ka with row rb of b on columns kb (n keys of the same
 * storage types, ascending, NULL first): < 0, 0, > 0. */
int rt__ext_sort_compare (guint n, const RtBatch *a, const guint *ka, guint ra,
                          const RtBatch *b, const guint *kb, guint rb);

/* ---- pieces shared with ORDER BY (rt-op-sort.c) -------------------------------------- */

/* Pool bytes a held batch keeps alive: its block, arena pages and the batches it keeps. */
gsize rt__batch_held_bytes (const RtBatch *b);

/* Compares value ra of va with value rb of vb (both valid, of one storage type), ascending:
 * < 0, 0, > 0. Doubles put NaN after every number, as Flink does. Inline: the sorts call it
 * for every pair whose prefixes tie. */
static inline int
rt__sort_compare_values (const RtVector *va, guint ra, const RtVector *vb, guint rb)
{
  switch (va->kind)
    {
    case PLAN_TYPE_BOOLEAN:
      return (int) (((const guint8 *) va->data)[ra] != 0)
             - (int) (((const guint8 *) vb->data)[rb] != 0);
    case PLAN_TYPE_INT:
    case PLAN_TYPE_DATE:
      {
        gint32 x = ((const gint32 *) va->data)[ra], y = ((const gint32 *) vb->data)[rb];
        return (x > y) - (x < y);
      }
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      {
        gint64 x = ((const gint64 *) va->data)[ra], y = ((const gint64 *) vb->data)[rb];
        return (x > y) - (x < y);
      }
    case PLAN_TYPE_DOUBLE:
      {
        double x = ((const double *) va->data)[ra], y = ((const double *) vb->data)[rb];

        if (x < y)
          return -1;
        if (x > y)
          return 1;
        return isnan (x) - isnan (y);
      }
    case PLAN_TYPE_VARCHAR:
      {
        RtStr x = ((const RtStr *) va->data)[ra], y = ((const RtStr *) vb->data)[rb];
        int c = memcmp (x.ptr, y.ptr, MIN (x.len, y.len));

        return c != 0 ? c : (x.len > y.len) - (x.len < y.len);
      }
    case PLAN_TYPE_NULL:
    default:
      return 0;
    }
}

/* Value r of v (valid) as a 64-bit number whose unsigned order agrees with the ascending
 * order of the values: a smaller number always sorts first, an equal one needs the full
 * comparison (strings beyond their first 8 bytes). Booleans give 0 and 1. */
static inline guint64
rt__sort_key_bits (const RtVector *v, guint r)
{
  guint64 x = 0;

  switch (v->kind)
    {
    case PLAN_TYPE_BOOLEAN:
      return ((const guint8 *) v->data)[r] != 0;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_DATE:
      return (guint64) (gint64) ((const gint32 *) v->data)[r] ^ G_GUINT64_CONSTANT (1) << 63;
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      return (guint64) ((const gint64 *) v->data)[r] ^ G_GUINT64_CONSTANT (1) << 63;
    case PLAN_TYPE_DOUBLE:
      {
        double d = ((const double *) v->data)[r];

        if (d == 0.0)
          d = 0.0; /* -0.0 equals 0.0 */
        if (isnan (d))
          d = NAN;  /* one NaN, after +Infinity */
        memcpy (&x, &d, sizeof x);
        return (x >> 63) ? ~x : x | G_GUINT64_CONSTANT (1) << 63;
      }
    case PLAN_TYPE_VARCHAR:
      {
        RtStr str = ((const RtStr *) v->data)[r];

        for (guint i = 0; i < 8; i++)
          x = x << 8 | (i < str.len ? (guint8) str.ptr[i] : 0);
        return x;
      }
    case PLAN_TYPE_NULL:
    default:
      return 0;
    }
}

/* ---- merging sorted run files ------------------------------------------------------- *
 * The k-way merge shared by this sorter and ORDER BY (rt-op-sort.c). */

/* Order of row ra of a and row rb of b (< 0, 0, > 0); data is the caller's. */
typedef int (*RtRowCompareFunc) (const RtBatch *a, guint ra, const RtBatch *b, guint rb,
                                 gconstpointer data);

/* What a merge reads and how it orders rows; every pointer is borrowed. */
typedef struct {
  PlanSchema *schema;         /* the runs' rows */
  RtMemPool *pool;            /* for the batches read back, about two pages per run */
  RtRowCompareFunc compare;
  gconstpointer data;         /* passed to compare */
  volatile gint *cancelled;   /* nullable: polled every 4096 rows by rt__run_merge_reduce */
  const char *cancel_message; /* the error's message when it was cancelled */
  /* added by sort speed-ups, nullable: a 64-bit key of a row such that a smaller key always
   * compares smaller (equal keys need compare); the merge keeps each head's and compares
   * those first */
  guint64 (*prefix) (const RtBatch *batch, guint row, gconstpointer data);
} RtRunMergeSpec;

typedef struct _RtRunMerge RtRunMerge;

/* A merge of runs[0 .. n) (finished runs, borrowed: they must outlive the merge) that
 * gives their rows in order, ties to the earlier run (so merging stable runs is stable).
 * spec is copied. NULL with error when reading a run fails. */
RtRunMerge *rt__run_merge_new (const RtRunMergeSpec *spec, RtRunFile *const *runs, guint n,
                               GError **error);
/* The current row (borrowed: valid until the next advance); FALSE when none is left. */
gboolean rt__run_merge_peek (const RtRunMerge *m, const RtBatch **batch, guint *row);
/* Moves to the next row; FALSE with error on failure (not at the end). */
gboolean rt__run_merge_advance (RtRunMerge *m, GError **error);
/* Frees the batches read; the runs stay. NULL is ignored. */
void rt__run_merge_free (RtRunMerge *m);

/* How many runs one merge may read at once with share bytes (one share's worth of two
 * pages is left for the output), at least 2. */
guint rt__run_merge_fan_in (gsize share);
/* Merges runs (an array of RtRunFile* that owns them) until at most fan_in are left: the
 * earliest fan_in runs at a time into a new run in dir that takes their place at the
 * front, so ties keep input order. The merged files are deleted (also on failure). Adds
 * the compressed bytes written to *spilled (nullable). */
gboolean rt__run_merge_reduce (const RtRunMergeSpec *spec, GPtrArray *runs, const char *dir,
                               guint fan_in, guint64 *spilled, GError **error);

/* added by sort speed-ups: key k of row r as a 64-bit number whose unsigned order agrees
 * with the sort order s gives that key: a smaller prefix always sorts first, an equal one
 * needs the full comparison (NULLs take 0 or the maximum, which a value may share). 0 when
 * s has no key k. Used by the sort's references, its run merge and the parallel merge. */
static inline guint64
rt__sort_key_prefix (const PlanSort *s, const RtBatch *batch, guint r, guint k)
{
  const RtVector *v;
  guint64 x;

  if (s->n_keys <= k)
    return 0;
  v = &batch->cols[s->keys[k]];
  if (!rt_vec_is_valid (v, r))
    return s->nulls_first[k] ? 0 : G_MAXUINT64;
  x = rt__sort_key_bits (v, r);
  return s->descending[k] ? ~x : x;
}

/* added by sort merge: the order of ORDER BY (s: its keys, each ascending or descending,
 * NULLs first or last) of row ra of a and row rb of b, both of the sort's input schema:
 * < 0, 0 (a tie), > 0. The one comparison of the sort (rt-op-sort.c) and of the merge of
 * its parallel sorted streams (rt-op-sort-merge.c), so both give the same order. */
static inline int
rt__sort_compare_rows (const PlanSort *s, const RtBatch *a, guint ra, const RtBatch *b,
                       guint rb)
{
  for (guint k = 0; k < s->n_keys; k++)
    {
      const RtVector *va = &a->cols[s->keys[k]], *vb = &b->cols[s->keys[k]];
      gboolean na = !rt_vec_is_valid (va, ra), nb = !rt_vec_is_valid (vb, rb);
      int c;

      if (na || nb)
        {
          if (na && nb)
            continue;
          return (na ? -1 : 1) * (s->nulls_first[k] ? 1 : -1);
        }
      c = rt__sort_compare_values (va, ra, vb, rb);
      if (c != 0)
        return s->descending[k] ? -c : c;
    }
  return 0;
}

/* ---- picking the rows of a merge's output --------------------------------------------- *
 * added by sort merge speed-ups: the rows a merge chose for its next output batch, as
 * (batch, row) pairs, gathered a column at a time once the batch is full (rt_batch_gather)
 * instead of copied one by one as they are chosen. The source batches are held, one
 * reference each while rows of theirs wait, since a merge lets go of a batch once it has
 * read past it. */
typedef struct {
  RtBatch **src;     /* owned array of pointers, the batches kept alive by pinned */
  guint32 *row;      /* owned */
  guint n, cap;
  GPtrArray *pinned; /* owned refs, nullable until the first pick */
  RtBatch *last[2];  /* the two sources pinned last (a merge of two streams alternates) */
} RtPicks;

/* Pins src (and makes room for cap picks); rt__picks_add calls it for a new source. */
void rt__picks_pin (RtPicks *p, RtBatch *src, guint cap);

/* Picks row of src; TRUE when cap rows are picked (emit them then). */
static inline gboolean
rt__picks_add (RtPicks *p, RtBatch *src, guint row, guint cap)
{
  if (G_UNLIKELY ((src != p->last[0] && src != p->last[1]) || p->cap < cap))
    rt__picks_pin (p, src, cap);
  p->src[p->n] = src;
  p->row[p->n] = row;
  return ++p->n >= cap;
}
/* Emits the picked rows from op as one new batch of schema (RT_OK when none are picked;
 * else what rt_op_emit returns, or RT_FAIL) and lets go of their sources. */
typedef struct _RtOperator RtOperator;
RtResult rt__picks_emit (RtPicks *p, RtOperator *op, PlanSchema *schema, GError **error);
/* Drops the picks and frees the arrays (for close and early ends). */
void rt__picks_clear (RtPicks *p);

G_END_DECLS
