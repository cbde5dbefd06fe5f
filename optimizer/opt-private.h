/* opt-private.h: what the optimizer's files share and the tests may reach: the pass table
 * type, the pass driver with an injectable table, and the node/expression builders the
 * rewrite passes use. Not installed; include only from optimizer/ and tests/optimizer/. */
#pragma once

#include "optimizer/opt.h"

G_BEGIN_DECLS

/* One row of the pass table: a name (static) and a function that returns a new ref to the
 * rewritten plan, or a new ref to the same root when nothing changed. */
typedef PlanNode *(*OptPassFunc) (PlanNode *root);

typedef struct {
  const char *name;
  OptPassFunc run;
} OptPass;

/* The passes of opt_optimize, in order, and their number. */
const OptPass *opt__passes (guint *n_passes);

/* Runs passes over root (borrowed) as opt_optimize does: names in disabled (a comma list,
 * may be NULL) are skipped, each pass is timed and the plan verified after it. Appends one
 * OptPassRun per pass to runs. Returns a new ref to the rewritten plan, or NULL with error
 * (PLAN_ERROR_SETTING for an unknown name in disabled, OPT_ERROR_INTERNAL when a pass
 * breaks the plan). Tests use it with a table holding a deliberately broken pass. */
PlanNode *opt__run_passes (PlanNode *root, const OptPass *passes, guint n_passes,
                           const char *disabled, GArray *runs, GError **error);

/* ---- builders (opt-rewrite.c) ----------------------------------------------------------- */

/* The smallest span covering both (either may be empty: line 0). */
PlanSpan opt__span_union (PlanSpan a, PlanSpan b);
/* AND of two boolean expressions; takes both refs. */
PlanExpr *opt__expr_and (PlanExpr *first, PlanExpr *second);
/* Appends the conjuncts of cond (refs) to out: AND trees are flattened. */
void opt__split_conjuncts (PlanExpr *cond, GPtrArray *out);
/* ANDs the expressions of parts (stealing their refs) left to right; NULL when empty. */
PlanExpr *opt__and_all (GPtrArray *parts);
/* FALSE when the expression calls CURRENT_TIMESTAMP anywhere. */
gboolean opt__expr_is_deterministic (const PlanExpr *expr);
/* A copy of expr where column i is replaced by (a ref of) exprs[i]. */
PlanExpr *opt__expr_substitute (const PlanExpr *expr, PlanExpr *const *exprs);
/* A copy of node (same kind, schema, span and payload) over new inputs; takes the input
 * refs, which must be node->n_inputs of them. */
PlanNode *opt__node_with_inputs (const PlanNode *node, PlanNode **inputs);
/* A FILTER over input (its schema is input's); takes condition and input. */
PlanNode *opt__filter_new (PlanSpan span, PlanExpr *condition, PlanNode *input);

/* added by joins */
/* push_filter of opt-rewrite.c: a filter on cond over input, as deep as it may go (takes
 * both). */
PlanNode *opt__push_filter (PlanSpan span, PlanExpr *cond, PlanNode *input);
/* opt-join.c: filter pushdown through a JOIN (takes cond and join), whether any of cond
 * would move, the verifier's check of a JOIN, and the physical join strategy (takes the
 * planned inputs). */
PlanNode *opt__push_through_join (PlanSpan span, PlanExpr *cond, PlanNode *join);
gboolean opt__join_can_push (PlanExpr *cond, const PlanNode *join);
gboolean opt__verify_join (const PlanNode *node, GError **error);
PlanPhysNode *opt__plan_join (PlanNode *join, PlanPhysNode *left, PlanPhysNode *right,
                              guint parallelism, gboolean streaming, PlanSettings *settings,
                              GError **error);
/* Estimated size in bytes of a physical node's output; < 0 unknown. */
double opt__est_bytes (const PlanPhysNode *node);

/* added by join strategy (opt-join-strategy.c): the costs of the join algorithms of a batch
 * equi-join, in bytes processed per subtask (< 0 unknown, INFINITY impossible), and the
 * choice, which may turn a broadcast into a repartition and adds the rejected algorithms
 * to j->alternative. */
typedef struct {
  double hash;       /* build + probe; INFINITY when the build side does not fit */
  double merge;      /* both sides read, plus their sorts */
  double build;      /* build-side bytes one subtask holds */
  double share;      /* managed memory of one join operator */
  gboolean sorted[2]; /* the input arrives sorted on its join keys */
} OptJoinAlgoCosts;
/* added by spill-aware broadcast: the managed memory one join operator gets (half of
 * 'taskmanager.memory.managed.size' over the parallelism), and the bytes the runtime's
 * hash table (rt-join-table.c) takes for rows build rows of bytes bytes. */
double opt__join_share (PlanSettings *settings, guint parallelism);
double opt__hash_table_bytes (double bytes, double rows);
void opt__join_algorithm_costs (const PlanJoin *j, const PlanPhysNode *left,
                                const PlanPhysNode *right, guint parallelism,
                                PlanSettings *settings, OptJoinAlgoCosts *out);
PlanPhysKind opt__choose_join_algorithm (PlanJoin *j, const PlanPhysNode *left,
                                         const PlanPhysNode *right, guint parallelism,
                                         PlanSettings *settings);

/* added by windows (opt-window.c): the verifier's check of a WINDOW node; the physical
 * WINDOW over its planned input (takes it); whether an AGGREGATE groups by a window's
 * start and end (their positions among the keys); and the WINDOW_AGGREGATE (takes input). */
gboolean opt__verify_window (const PlanNode *node, GError **error);
PlanPhysNode *opt__plan_window (PlanNode *node, PlanPhysNode *input);
gboolean opt__window_agg_keys (const PlanNode *agg, guint *start_key, guint *end_key);
PlanPhysNode *opt__plan_window_aggregate (PlanNode *node, PlanPhysNode *input,
                                          guint parallelism, guint start_key, guint end_key);

/* added by rank (opt-rank.c): UNION and RANK in the verifier, filter pushdown (each takes
 * cond and node), projection pruning (a new node and the old -> new column map, owned) and
 * physical planning (takes the planned inputs). opt__prune_to (opt-rewrite.c): node's subtree
 * pruned so that its output is exactly node's columns cols, in that order. */
gboolean opt__verify_union (const PlanNode *node, GError **error);
gboolean opt__verify_rank (const PlanNode *node, GError **error);
gboolean opt__union_can_push (PlanExpr *cond, const PlanNode *node);
PlanNode *opt__push_through_union (PlanSpan span, PlanExpr *cond, PlanNode *node);
gboolean opt__rank_can_push (PlanExpr *cond, const PlanNode *node);
PlanNode *opt__push_through_rank (PlanSpan span, PlanExpr *cond, PlanNode *node);
PlanNode *opt__prune_to (PlanNode *node, GArray *cols);
PlanNode *opt__prune_union (PlanNode *node, GArray *required, guint **out_map);
PlanNode *opt__prune_rank (PlanNode *node, GArray *required, guint **out_map);
PlanPhysNode *opt__plan_union (PlanNode *node, PlanPhysNode **inputs, guint parallelism);
PlanPhysNode *opt__plan_rank (PlanNode *node, PlanPhysNode *input, guint parallelism,
                              gboolean streaming);

/* added by interval joins (opt-interval-join.c): the physical kind of a streaming JOIN,
 * INTERVAL_JOIN when its condition has time bounds and both inputs are insert-only. */
PlanPhysKind opt__interval_join_kind (const PlanNode *node, const PlanPhysNode *left,
                                      const PlanPhysNode *right);

/* added by allowed lateness (opt-window-late.c): agg (a WINDOW_AGGREGATE, returned)
 * with the lateness and late-fire delay of the session settings, updating when set. */
PlanPhysNode *opt__window_late_fire (PlanPhysNode *agg, PlanSettings *settings,
                                     gboolean streaming);

/* added by window joins (opt-window-join.c): WINDOW_JOIN (with j's window_start and
 * window_end keys moved first) when a streaming JOIN of insert-only inputs equates both
 * sides' window bounds, else JOIN; and the LOOKUP_JOIN of a join the binder marked with
 * the LOOKUP hint (NULL with error when it cannot be one). */
PlanPhysKind opt__window_join_kind (const PlanNode *node, const PlanPhysNode *left,
                                    const PlanPhysNode *right, PlanJoin *j);
PlanPhysNode *opt__plan_lookup_join (PlanNode *node, PlanPhysNode *left,
                                     PlanPhysNode *right, GError **error);

/* added by interesting properties (opt-partitioning.c): the output columns (at most max,
 * into cols) that n's output is hash-partitioned on, or 0 when none is certain; and
 * whether input's rows are partitioned on a subset of keys (its columns), so that rows
 * equal on keys already share a subtask. */
guint opt__hash_partitioning (const PlanPhysNode *n, guint *cols, guint max);
gboolean opt__partitioned_within (const PlanPhysNode *input, const guint *keys,
                                  guint n_keys);

G_END_DECLS
