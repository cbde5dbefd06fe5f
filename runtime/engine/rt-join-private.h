/* rt-join-private.h: what the streaming join (rt-op-join.c) and the batch hash join
 * (rt-op-hash-join.c) share: rows held as PlanValues, grouped by the bytes of their join
 * key, matched against the residual condition, and written to the output. Used by those
 * two files and the hash join's batch table (rt-join-table.c, rt-join-table-spill.c). */
#pragma once

#include "rt-operator.h"

G_BEGIN_DECLS

/* One distinct row of a side, with how often it is present and how many rows of the other
 * side currently match it (for the NULL-filled rows of outer joins). */
typedef struct {
  PlanValue *vals; /* owned: the side's columns */
  gint64 count;
  gint64 matches;
} RtJoinRec;

typedef struct {
  RtOperator base;
  PlanJoin join;             /* owned copy of the node's payload */
  PlanSchema *side[2];       /* owned refs: the inputs' schemas */
  PlanSchema *pair_schema;   /* owned: left ++ right with the inputs' types (residual) */
  PlanSchema *out_schema;    /* owned ref */
  RtProgram *residual;       /* owned, nullable */
  GHashTable *state[2];      /* GBytes key -> GHashTable (GBytes row -> RtJoinRec*) */
  RtBatch *out;              /* owned: output being filled */
  /* batch hash join only */
  gboolean build_done;
  GPtrArray *pending;        /* owned RtBatch refs of the probe side before the build ended */
  struct _RtHashSpill *spill; /* added by join strategy: owned, nullable (batch hash join,
                               * rt-hash-join-spill.c) */
  struct _RtJoinTable *table; /* added by hash join speed: owned, nullable: the batch hash
                               * join's build table (rt-join-table.c) */
  struct _RtTableSpill *tspill; /* added by hash join speed: owned, nullable: the table's
                                 * spilling (rt-join-table-spill.c) */
} RtJoin;

typedef struct _RtHashSpill RtHashSpill; /* added by join strategy */

/* Sets up everything but the class; FALSE with error. */
gboolean rt__join_init (RtJoin *j, const PlanPhysNode *node, GError **error);
void rt__join_close (RtOperator *op);
/* The row r of batch as owned PlanValues. */
PlanValue *rt__join_read_row (const RtBatch *batch, guint r);
void rt__join_free_row (PlanValue *vals, guint n);
/* Key bytes of side's row (NULL when a key is NULL: it matches nothing); row bytes. */
GBytes *rt__join_key (const RtJoin *j, guint side, const PlanValue *vals);
GBytes *rt__join_row_bytes (const PlanValue *vals, guint n);
/* The records of other side's bucket that match vals (side `side`) under the residual:
 * RtJoinRec* (borrowed) appended to out. */
gboolean rt__join_matches (RtJoin *j, guint side, const PlanValue *vals, GHashTable *bucket,
                           GPtrArray *out, GError **error);
/* The record of vals in side's state under key (created with count 0 when create). */
RtJoinRec *rt__join_lookup (RtJoin *j, guint side, GBytes *key, GBytes *row,
                            const PlanValue *vals, gboolean create);
/* Removes a record whose count fell to 0. */
void rt__join_remove (RtJoin *j, guint side, GBytes *key, GBytes *row);
/* Appends `times` output rows: left ++ right (NULL: that side NULL-filled). */
gboolean rt__join_emit (RtJoin *j, const PlanValue *left, const PlanValue *right,
                        RtRowKind kind, gint64 times, GError **error);
RtResult rt__join_flush (RtJoin *j, GError **error);
/* Whether side (0 left, 1 right) keeps unmatched rows (NULL-filled on the other side). */
gboolean rt__join_preserves (const RtJoin *j, guint side);

/* added by streaming join: the streaming join over flat tables (rt-op-join-flat.c), which
 * rt_op_join_new picks when the key columns allow (rt__op_join_flat_supports). */
gboolean rt__op_join_flat_supports (const PlanPhysNode *node);
RtOperator *rt__op_join_flat_new (const PlanPhysNode *node, GError **error);

G_END_DECLS
