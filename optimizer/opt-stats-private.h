/* opt-stats-private.h: the estimates made of table statistics (opt-stats.c, opt-stats-est.c),
 * join ordering (opt-join-order.c) and two-phase aggregation (opt-two-phase.c), shared by
 * the optimizer's files and its tests. Not installed. */
#pragma once

#include "optimizer/opt-private.h"

G_BEGIN_DECLS

/* What is known of one column where a plan node produces it. ndv < 0: nothing. */
typedef struct {
  double ndv;        /* distinct non-NULL values, at most the node's rows */
  double null_frac;  /* share of rows that are NULL */
  gboolean has_range;
  double min, max;   /* on the axis of opt__value_number */
} OptColInfo;

/* A value as a number on the axis ranges are measured on (DECIMAL unscaled, DATE days,
 * TIMESTAMP ms); FALSE for text, booleans and NULL. */
gboolean opt__value_number (const PlanValue *v, double *out);

/* Rows of a table: ANALYZE's count, datagen's or nexmark's options, a csv file's sampled
 * estimate; -1 unknown. */
double opt__table_rows (const PlanTable *table);

/* The statistics of column col of a physical / logical node; FALSE when none. */
gboolean opt__phys_col_info (const PlanPhysNode *node, guint col, OptColInfo *out);
gboolean opt__logical_col_info (const PlanNode *node, guint col, OptColInfo *out);

/* Share of rows cond (over node's output columns) keeps, from the columns' statistics;
 * 0.5 when none of its columns has any (*known FALSE). */
double opt__phys_selectivity (const PlanExpr *cond, const PlanPhysNode *node, gboolean *known);
double opt__logical_selectivity (const PlanExpr *cond, const PlanNode *node, gboolean *known);

/* Physical estimates, the hooks of opt-physical.c and opt-join.c: a source's rows (its
 * table's statistics replace base_rows, then its pushed filter); rows a CALC's filter keeps
 * of its input; rows of a join (|L| |R| / max ndv of a key; MAX (|L|, |R|) when no key has
 * statistics); groups of an aggregate (the keys' distinct counts; the input's rows when
 * unknown). All < 0 when unknown. */
double opt__source_est_rows (const PlanPhysNode *source, double base_rows);
double opt__calc_est_rows (const PlanPhysNode *input, const PlanExpr *filter);
double opt__join_est_rows (const PlanJoin *j, const PlanPhysNode *left,
                           const PlanPhysNode *right);
double opt__agg_est_rows (const PlanAggregate *a, const PlanPhysNode *input);

/* Logical estimate of a node's rows (join ordering); -1 unknown. */
double opt__logical_rows (const PlanNode *node);

/* Where a table's row estimate comes from (EXPLAIN's Statistics, text and JSON). */
typedef enum {
  OPT_STATS_ANALYZE,      /* ANALYZE TABLE's figures, current */
  OPT_STATS_FILE_SAMPLE,  /* a filesystem table: file size and a sample of its lines */
  OPT_STATS_CONNECTOR,    /* the connector's options ('number-of-rows', 'events.num') */
  OPT_STATS_UNKNOWN,
} OptStatsOrigin;

typedef struct {
  OptStatsOrigin origin;
  double rows;                /* -1: unknown */
  gboolean stale;             /* ANALYZE's figures exist but the file changed since */
  gint64 analyzed_at;         /* ANALYZE: unix seconds */
  guint n_columns_analyzed, n_columns; /* ANALYZE: columns with statistics, of all */
  double file_bytes;          /* FILE_SAMPLE: the file's size; -1 otherwise */
} OptStatsSource;

void opt__stats_source (const PlanTable *table, OptStatsSource *out);
const char *opt__stats_origin_name (OptStatsOrigin origin); /* "analyze", ... */

/* EXPLAIN: the "== Statistics ==" section (where each source's estimate came from) and the
 * join-order notes of the rewritten plan, appended to out. */
void opt__explain_stats (GString *out, PlanNode *logical);
/* The tables scanned under n (borrowed, each once), and the join-order notes of its joins
 * (borrowed strings, PlanJoin.alternative), appended in plan order. */
void opt__collect_tables (PlanNode *n, GPtrArray *tables);
void opt__collect_join_order_notes (PlanNode *n, GPtrArray *notes);

/* opt-join-order.c: the join-reorder pass. */
PlanNode *opt_pass_join_reorder (PlanNode *root);

/* opt-two-phase.c: whether splitting aggregate a over input into local and global phases
 * pays (batch_size: rows per batch, 0 the default; reason: why, newly allocated); the two
 * phases (global over local, taking input; a CALC on top when there is an AVG) or NULL
 * when the strategy setting or the estimates keep one phase; EXPLAIN's "== Aggregation =="
 * section. */
gboolean opt__two_phase_pays (const PlanAggregate *a, const PlanPhysNode *input,
                              guint batch_size, gboolean streaming, char **reason);
PlanPhysNode *opt__plan_two_phase (PlanNode *node, PlanPhysNode *input, guint parallelism,
                                   gboolean streaming, PlanSettings *settings);
void opt__explain_aggregation (GString *out, const PlanPhysPlan *plan);
/* The decision behind each aggregate of plan, in node order (EXPLAIN text and JSON). */
typedef struct {
  guint node;         /* the (global or only) aggregate's id */
  guint local;        /* the local phase's id; 0 for one phase */
  gboolean forced;    /* the strategy setting overrode the estimate */
  char *reason;       /* owned */
} OptAggDecision;
GArray *opt__aggregation_decisions (const PlanPhysPlan *plan); /* of OptAggDecision */

/* opt-or-derive.c: for p, an OR over both sides of an inner join (output columns 0 ..
 * n_left - 1 left, n_left .. n - 1 right), appends to left and right the filters it implies
 * on each side (right's remapped by right_map to the right input's columns); nothing when
 * a side has no part in some branch. */
void opt__derive_or_filters (PlanExpr *p, guint n_left, guint n, const guint *right_map,
                             GPtrArray *left, GPtrArray *right);

G_END_DECLS
