/* rt-spill.h: run files, the spill format of the external merge sort (rt-op-sort.c).
 * Internal to the engine.
 *
 * A run file holds rows written in the order the caller chose (a sorted run) and gives
 * them back in that order as batches. Rows are encoded row by row and compressed with LZ4
 * in blocks of about RT_RUN_BLOCK bytes, so the heap a writer or reader holds is about two
 * blocks whatever the file's size. The file lives in a directory the caller owns and is
 * deleted when the run is freed (also when a job is cancelled mid-way). */
#pragma once

#include "rt-batch.h"

G_BEGIN_DECLS

#define RT_RUN_BLOCK (64 * 1024)

typedef struct _RtRunFile RtRunFile;

/* A private directory for one operator's run files, under g_get_tmp_dir () ($TMPDIR or
 * /tmp). Newly allocated path; remove it with rt__run_dir_remove once its runs are freed. */
char *rt__run_dir_new (const char *prefix, GError **error);
void rt__run_dir_remove (const char *dir);

/* A new, empty run file in dir, open for writing. */
RtRunFile *rt__run_file_new (const char *dir, GError **error);
/* Appends row `row` of batch (every column, and the row kind). */
gboolean rt__run_file_write (RtRunFile *run, const RtBatch *batch, guint row, GError **error);
/* Appends row `row` of batch to *file, first creating the run directory *dir (with
 * rt__run_dir_new (prefix)) and the run file (rt__run_file_new) when they are still NULL;
 * both are then owned by the caller. For spills that write files only once they need them. */
gboolean rt__run_file_write_lazy (char **dir, const char *prefix, RtRunFile **file,
                                  const RtBatch *batch, guint row, GError **error);
/* Ends writing (flushes the last block) and rewinds for reading. */
gboolean rt__run_file_finish (RtRunFile *run, GError **error);
/* The next rows, up to capacity, as a new batch of schema (a new ref); NULL at the end
 * (error unset) or on failure (error set). */
RtBatch *rt__run_file_read (RtRunFile *run, RtMemPool *pool, PlanSchema *schema,
                            guint capacity, GError **error);
guint64 rt__run_file_get_rows (const RtRunFile *run);
guint64 rt__run_file_get_bytes (const RtRunFile *run); /* compressed bytes on disk */
/* Closes and deletes the file; NULL is ignored. */
void rt__run_file_free (RtRunFile *run);

/* added by the in-memory last run: a run whose rows are not in a file but made on demand:
 * rt__run_file_read calls next (data, pool, schema, capacity, error), which returns what
 * it would (a new batch, or NULL at the end or on failure). rows is how many it gives;
 * destroy (nullable) gets data when the run is freed. It is written by no one and holds
 * no bytes on disk, so a merge reads it as one run among its files. */
typedef RtBatch *(*RtRunSourceFunc) (gpointer data, RtMemPool *pool, PlanSchema *schema,
                                     guint capacity, GError **error);
RtRunFile *rt__run_file_new_source (RtRunSourceFunc next, gpointer data,
                                    GDestroyNotify destroy, guint64 rows);

G_END_DECLS
