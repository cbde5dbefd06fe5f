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

G_END_DECLS
