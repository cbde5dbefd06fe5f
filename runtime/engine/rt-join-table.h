/* rt-join-table.h: the build-side table of the batch hash join (rt-op-hash-join.c), laid
 * out for probing a whole batch at a time. Internal to the engine; used by
 * rt-op-hash-join.c and, as the two sides' state, by the streaming join
 * (rt-op-join-flat.c).
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

/* ---- the streaming join's side state (added by streaming join) ---------------------- *
 * A table of side `side`'s rows probed by the other side; streaming: rows can be removed,
 * strings are kept on the heap and copied into output batches, rows with a NULL key are
 * never stored, and a preserved side keeps a match counter per row (rt-op-join-flat.c). */
RtJoinTable *rt__join_table_new_side (RtJoin *j, guint side, gboolean streaming);
/* The (probe row, stored row id) pairs of probe rows [from, to) that match (key and
 * residual), in probe row order; the arrays belong to the table until its next call. */
gboolean rt__join_table_pairs (RtJoinTable *t, RtBatch *probe, guint from, guint to,
                               const guint32 **pr, const guint32 **br, guint *n,
                               GError **error);
/* Removes one stored row equal to row r of batch (the table's side) in every column;
 * FALSE when there is none (or its key is NULL). Streaming tables only. */
gboolean rt__join_table_remove_row (RtJoinTable *t, const RtBatch *batch, guint r);
/* The match counter of stored row id (tables of a preserved side). */
gint64 *rt__join_table_matches (RtJoinTable *t, guint32 id);
/* Appends n output rows of kind: probe rows pr with stored rows br (a NULL list
 * NULL-fills its side; probe may then be NULL too). */
gboolean rt__join_table_emit (RtJoinTable *t, RtBatch *probe, const guint32 *pr,
                              const guint32 *br, guint n, RtRowKind kind, GError **error);
guint64 rt__join_table_get_live (const RtJoinTable *t);
/* The next live rows from *cursor (0 at first) as a batch of the side's schema (strings
 * its own) with their ids in *ids (the table's until its next call); NULL at the end or
 * with error set. */
RtBatch *rt__join_table_next_live (RtJoinTable *t, guint64 *cursor, const guint32 **ids,
                                   GError **error);
/* Moves the live rows into fresh storage when removed rows outnumber them (ids change). */
gboolean rt__join_table_compact (RtJoinTable *t, GError **error);

G_END_DECLS
