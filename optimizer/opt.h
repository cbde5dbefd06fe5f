/* opt.h: the optimizer. Logical rewrite passes (a table of named passes, each timed,
 * verified after it runs, and skippable through 'table.optimizer.disabled-passes'),
 * then physical planning: operator choice, parallelism, exchanges and chaining. */
#pragma once

#include "plans/plan-catalog.h"
#include "plans/plan-json.h"

G_BEGIN_DECLS

typedef struct _OptResult OptResult;

/* One rewrite pass as it ran: for EXPLAIN and tests. */
typedef struct {
  const char *name;    /* static: "filter-pushdown", ... */
  gboolean ran;        /* FALSE when disabled by the setting */
  gboolean changed;    /* the plan differs after it */
  gint64 duration_us;
} OptPassRun;

/* Optimizes a bound logical plan (its root is a SINK). Borrowed inputs. */
OptResult *opt_optimize (PlanNode *logical, PlanSettings *settings, GError **error);
void opt_result_free (OptResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OptResult, opt_result_free)

PlanNode *opt_result_get_logical (OptResult *result);       /* borrowed: after rewrites */
PlanPhysPlan *opt_result_get_physical (OptResult *result);  /* borrowed */
guint opt_result_get_n_passes (OptResult *result);
const OptPassRun *opt_result_get_pass (OptResult *result, guint i);

/* EXPLAIN text in Flink's layout: "== Abstract Syntax Tree ==", "== Optimized Logical
 * Plan ==", "== Physical Execution Plan ==" sections, then the passes with their times
 * when flags has PLAN_EXPLAIN_ESTIMATED_COST. With PLAN_EXPLAIN_JSON, the physical plan's
 * JSON instead of the third section. Newly allocated. */
char *opt_explain (PlanNode *original, OptResult *result, guint flags);
/* added by EXPLAIN JSON sections (opt-explain-json.c): json (plan_explain_json's document)
 * with the members "statistics", "join_order" and "aggregation" added; newly allocated. */
char *opt_explain_json_add_sections (OptResult *result, const char *json);

/* Names of the rewrite passes in order (static, NULL-terminated). */
const char *const *opt_pass_names (void);

/* Exposed for tests: the individual passes (each returns a new ref, possibly the same
 * node when nothing changed) and the plan verifier. */
PlanNode *opt_pass_filter_pushdown (PlanNode *root);
PlanNode *opt_pass_projection_pruning (PlanNode *root);
PlanNode *opt_pass_merge_filters (PlanNode *root);
gboolean opt_verify_plan (PlanNode *root, GError **error);
PlanPhysPlan *opt_physical_plan (PlanNode *logical, PlanSettings *settings, GError **error);

/* added by optimizer */
/* Errors of the optimizer itself (settings and connectors use PLAN_ERROR codes). */
#define OPT_ERROR (opt_error_quark ())
GQuark opt_error_quark (void);

typedef enum {
  OPT_ERROR_INTERNAL, /* a rewrite broke the plan, or it was invalid before: a strom bug */
} OptErrorCode;

/* added by constant folding */
/* Folds every sub-expression whose arguments are all literals into one literal, as the
 * engine would compute it (see opt-fold.c); a FILTER whose condition folds to TRUE goes. */
PlanNode *opt_pass_constant_folding (PlanNode *root);

/* added by explain: the optimizer's estimate of a physical node's output in bytes (< 0
 * unknown), the figure its join costs are made of; for EXPLAIN JSON (opt-join.c). */
double opt__est_bytes (const PlanPhysNode *node);

/* added by statistics (opt-stats.c): what ANALYZE TABLE measured, kept in a SQLite store per
 * process (in memory unless opt_stats_open names a file), keyed by the table's name and a
 * fingerprint of its definition. ndv < 0: the column was not analyzed. min/max as text (as
 * SQL shows them) and, for numbers, dates and timestamps, as numbers (DECIMAL unscaled, DATE
 * days since 1970, TIMESTAMP ms). */
typedef struct {
  double ndv;       /* distinct non-NULL values */
  double nulls;     /* NULL values */
  char *min_text;   /* owned, nullable */
  char *max_text;   /* owned, nullable */
  gboolean has_range;
  double min_num, max_num;
} OptColumnStats;

typedef struct {
  double rows;
  guint n_columns;          /* the table's schema fields */
  OptColumnStats *columns;  /* owned, n_columns */
  gint64 analyzed_at;       /* unix seconds */
} OptTableStats;

OptTableStats *opt_table_stats_new (guint n_columns); /* rows -1, every ndv -1 */
void opt_table_stats_free (OptTableStats *stats);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OptTableStats, opt_table_stats_free)
/* Sets one column's figures; min/max (nullable, borrowed) as the query returned them. */
void opt_column_stats_set (OptColumnStats *column, double ndv, double nulls,
                           const PlanValue *min, const PlanValue *max);
/* Stores stats (n_columns must be the table's) for table, replacing the row count and the
 * analyzed columns (ndv >= 0); other columns keep earlier figures. */
gboolean opt_stats_put (const PlanTable *table, const OptTableStats *stats, GError **error);
/* The table's statistics (newly allocated), or NULL when it has none or they are stale
 * (a filesystem table whose file changed size or time since ANALYZE). */
OptTableStats *opt_stats_lookup (const PlanTable *table);
/* One line saying where the table's row estimate comes from; newly allocated. */
char *opt_stats_describe (const PlanTable *table);
/* Opens the store at path (NULL: a new in-memory one), closing the current one. */
gboolean opt_stats_open (const char *path, GError **error);
void opt_stats_close (void);

G_END_DECLS
