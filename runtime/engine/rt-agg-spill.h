/* rt-agg-spill.h: hash-partitioned spilling for operators that run out of their
 * managed-memory share in batch mode (first user: the group aggregate, rt-op-aggregate.c).
 * Internal to the engine.
 *
 * A spill set fans rows out to RT_SPILL_FANOUT partitions, each a run file of rt-spill.h
 * (LZ4-compressed blocks, deleted when freed), in a directory the caller owns; finished,
 * each partition becomes a spill file that gives its rows back as batches. */
#pragma once

#include "rt-spill.h"

G_BEGIN_DECLS

/* How many partitions a spill set fans out to. A writing partition holds about two
 * RT_RUN_BLOCKs of heap, so a set holds about RT_SPILL_SET_BYTES. */
#define RT_SPILL_FANOUT 8
#define RT_SPILL_SET_BYTES (RT_SPILL_FANOUT * 2 * RT_RUN_BLOCK)

typedef struct _RtSpillFile RtSpillFile;
typedef struct _RtSpillSet RtSpillSet;

/* A set of partitions in dir (borrowed: it must outlive the set and its files), written
 * at recursion depth level; files are created on first use. */
RtSpillSet *rt__spill_set_new (const char *dir, guint level);
/* Appends row `row` of batch (all columns) to partition part. */
gboolean rt__spill_set_write (RtSpillSet *set, guint part, const RtBatch *batch, guint row,
                              GError **error);
/* Ends writing: every partition written to becomes a spill file appended to out
 * (RtSpillFile*, which out's free function must free); adds the compressed bytes written
 * to *bytes. Frees the set, also on failure. */
gboolean rt__spill_set_finish (RtSpillSet *set, GPtrArray *out, guint64 *bytes,
                               GError **error);
/* Frees a set without reading it: its files are deleted. NULL is ignored. */
void rt__spill_set_free (RtSpillSet *set);

/* Budget charging of the batch aggregates (rt-op-aggregate.c, rt-agg-flat.c): the state's
 * estimated bytes (*state_bytes) are covered by pool blocks of RT_AGG_CHUNK held in chunks
 * for accounting, never touched. *share, set on first use, is half the budget over the
 * parallelism; a block is taken only within it and while the pool stays at most half
 * used, so batches in flight and the other operators keep the rest. FALSE, charging
 * nothing, when a block is needed and cannot be taken; with force the extra bytes are
 * counted anyway, beyond what is held. release frees every block and zeroes the count. */
#define RT_AGG_CHUNK ((gsize) RT_PAGE_SIZE * 8) /* one size class of the pool: 256 KiB */
gboolean rt__agg_charge (RtOpContext *ctx, GPtrArray *chunks, gsize *share, gsize *state_bytes,
                         gsize extra, gboolean force);
void rt__agg_release_charge (RtMemPool *pool, GPtrArray *chunks, gsize *state_bytes);

/* The recursion depth the file was written at. */
guint rt__spill_file_get_level (const RtSpillFile *file);
/* The next batch of up to capacity rows of schema (a new ref); NULL at the end (error
 * unset) or on failure (error set). */
RtBatch *rt__spill_file_read (RtSpillFile *file, RtMemPool *pool, PlanSchema *schema,
                              guint capacity, GError **error);
/* Deletes the file. NULL is ignored. */
void rt__spill_file_free (RtSpillFile *file);

G_END_DECLS
