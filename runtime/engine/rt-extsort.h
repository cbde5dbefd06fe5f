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
 * never adds a row with a NULL key. */
#pragma once

#include "rt-spill.h"

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

G_END_DECLS
