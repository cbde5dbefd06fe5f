/* rt-join-table.h: the build-side table of the batch hash join (rt-op-hash-join.c), laid
 * out for probing a whole batch at a time. Internal to the engine; used by
 * rt-op-hash-join.c only (the streaming join keeps rt-op-join.c's PlanValue state, which
 * it needs for retractions).
 *
 * Build rows are copied column by column into fixed-size blocks; an open-addressing index
 * (power-of-two slots, linear probing) maps each distinct key to the newest row with that
 * key, and rows of equal keys are chained through a next index kept beside the rows. A
 * probe batch is hashed column by column, looked up, and the matching pairs are gathered
 * column by column into the join's output batch (RtJoin.out), through the residual
 * condition when there is one. Rows with a NULL key never match; on a preserved build
 * side they are kept (outside the index) so they come out NULL-filled at the end. */
#pragma once

#include "rt-join-private.h"

G_BEGIN_DECLS

typedef struct _RtJoinTable RtJoinTable;

/* Whether the table handles j's key columns: each pair of key columns must compare the
 * same way (both integer-like, both DOUBLE, both BOOLEAN or both VARCHAR); otherwise the
 * join keeps the PlanValue state. Joins without keys (nested loop) are supported. */
gboolean rt__join_table_supports (const RtJoin *j);
/* An empty table for j's build side (j->join.build_side). */
RtJoinTable *rt__join_table_new (RtJoin *j);
void rt__join_table_free (RtJoinTable *t);
/* Copies the rows of a build batch in (FALSE with error past 4 billion rows). */
gboolean rt__join_table_add (RtJoinTable *t, const RtBatch *batch, GError **error);
/* Bytes the table holds on the heap: rows, strings, index. */
gsize rt__join_table_get_bytes (const RtJoinTable *t);
guint64 rt__join_table_get_rows (const RtJoinTable *t);
/* Joins a probe batch against the table, appending to j->out and emitting full batches;
 * a preserved probe row without a match goes out NULL-filled. */
RtResult rt__join_table_probe (RtJoinTable *t, RtBatch *probe, GError **error);
/* Preserved build side: the rows no probe row matched, NULL-filled, into j->out. */
RtResult rt__join_table_emit_unmatched (RtJoinTable *t, GError **error);
/* Hands every stored row back as build-schema batches (of at most the context's batch
 * size, from the pool) to fn, in insertion order; for the switch to the spilling path. */
typedef RtResult (*RtJoinTableReplay) (RtJoin *j, RtBatch *batch, GError **error);
gboolean rt__join_table_replay (RtJoinTable *t, RtJoinTableReplay fn, GError **error);

/* The same for the rows listed in rows[0..n) only (rows NULL: the first n rows). */
gboolean rt__join_table_add_rows (RtJoinTable *t, const RtBatch *batch, const guint32 *rows,
                                  guint n, GError **error);
/* rt__join_table_probe for the rows r with skip[r] == 0 only (skip NULL: every row). */
RtResult rt__join_table_probe_masked (RtJoinTable *t, RtBatch *probe, const guint8 *skip,
                                      GError **error);
/* The key hash of every row of batch (a build batch when build, else a probe batch), the
 * same hash both sides use; *null_key[r] says row r has a NULL key. Both arrays belong to
 * the table and change with its next call. */
const guint64 *rt__join_table_hash (RtJoinTable *t, const RtBatch *batch, gboolean build,
                                    const guint8 **null_key);
/* Drops every row (and the strings' holder), keeping the table's set-up. */
void rt__join_table_clear (RtJoinTable *t);

/* ---- spilling (rt-join-table-spill.c): the hybrid hash join over the table ---------- *
 * Past the operator's memory share the table's rows are split by key hash into
 * RT_JOIN_SPILL_FANOUT partitions; partition 0 stays in a table, the others go to LZ4
 * run files with the probe rows of the same partitions, and each spilled pair is joined
 * on its own at the end (split again, with another hash, while it does not fit). */
#define RT_JOIN_SPILL_FANOUT 8
typedef struct _RtTableSpill RtTableSpill;

/* j->table must be set; share is the operator's memory share in bytes. */
RtTableSpill *rt__table_spill_new (RtJoin *j, gsize share);
void rt__table_spill_free (RtTableSpill *s);
guint64 rt__table_spill_get_bytes (const RtTableSpill *s);
/* A build batch: into j->table, or its partitions' files once spilling. */
RtResult rt__table_spill_build (RtJoin *j, RtBatch *batch, GError **error);
/* A probe batch: probed against j->table, or written to its partitions' files. */
RtResult rt__table_spill_probe (RtJoin *j, RtBatch *batch, GError **error);
/* All input read: the unmatched rows of a preserved build side, then every spilled
 * partition joined on its own; flushes the output. */
RtResult rt__table_spill_finish (RtJoin *j, GError **error);

G_END_DECLS
