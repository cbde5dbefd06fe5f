/* rt-hash-join-spill.h: spilling for the batch hash join (rt-op-hash-join.c), which makes
 * it a hybrid hash join. Internal to the engine; used by rt-op-hash-join.c only, for joins
 * whose key types keep the PlanValue row state (others spill through
 * rt-join-table-spill.c, the same scheme over the batch table).
 *
 * While the build side fits the operator's share of the managed memory nothing changes:
 * rows go into the join's hash table (RtJoin.state). Past the share, build rows are split
 * by a hash of their key into RT_HASH_SPILL_FANOUT partitions; partition 0 stays in memory
 * (the hybrid part, until it alone overflows), the others go to LZ4 run files with the
 * probe rows of the same partitions, and each spilled pair is joined on its own once the
 * input ends (split again, with another hash, when a partition's build rows still do not
 * fit). */
#pragma once

#include "rt-join-private.h"

G_BEGIN_DECLS

#define RT_HASH_SPILL_FANOUT 8

/* Spilling state of j (NULL-safe getters below); made when the operator opens. */
RtHashSpill *rt__hash_spill_new (RtJoin *j);
void rt__hash_spill_free (RtHashSpill *spill);
/* Whether some partitions of the build side are on disk (probe rows must be routed). */
gboolean rt__hash_spill_active (const RtJoin *j);
guint64 rt__hash_spill_get_bytes (const RtJoin *j);
/* The operator's share of the managed memory, in bytes: half the budget over the
 * parallelism, at least eight pages. */
gsize rt__hash_spill_get_share (const RtJoin *j);
/* Adds the rows of a build batch: into the table, or to a partition file once spilling. */
RtResult rt__hash_spill_build_batch (RtJoin *j, RtBatch *batch, GError **error);
/* Spilling: probes rows of the resident partition, writes the others to their files. */
RtResult rt__hash_spill_probe_batch (RtJoin *j, RtBatch *batch, GError **error);
/* Spilling, all input read: the resident partition's unmatched build rows, then every
 * spilled partition joined on its own; flushes the output. */
RtResult rt__hash_spill_finish (RtJoin *j, GError **error);

G_END_DECLS
