/* plan-json.h: physical plans to and from JSON, and the logical/physical plan printers
 * (indented text for EXPLAIN, Graphviz DOT for \plan and the GUI). The JSON form
 * round-trips: plan_phys_from_json (plan_phys_to_json (p)) prints the same JSON. */
#pragma once

#include "plan-node.h"

G_BEGIN_DECLS

char *plan_phys_to_json (const PlanPhysPlan *plan, gboolean pretty);
/* Tables referenced by the JSON are rebuilt from the JSON itself (schema + options), so a
 * plan can travel to a remote server without its catalog. */
PlanPhysPlan *plan_phys_from_json (const char *json, GError **error);

char *plan_expr_to_json_string (const PlanExpr *expr);

/* EXPLAIN text: one node per line, indented by depth, with schema and key properties. */
char *plan_node_explain (const PlanNode *root);
char *plan_phys_explain (const PlanPhysPlan *plan);
char *plan_phys_to_dot (const PlanPhysPlan *plan);

/* added by explain (plan-explain-json.c) */
/* The optimizer's size estimate of a node's output in bytes (< 0 unknown); passed in so
 * the writers below need nothing from the optimizer. May be NULL. */
typedef double (*PlanEstBytesFunc) (const PlanPhysNode *node);

/* What one operator did in an EXPLAIN ANALYZE run, indexed by node id. */
typedef struct {
  gboolean known;        /* FALSE: no metrics for this node */
  guint64 rows_in;       /* summed over subtasks */
  guint64 rows_out;      /* summed over subtasks; a sink's are its rows in */
  gint64 busy_us;        /* busy time of the task chain(s) running it; < 0 unknown */
  gint64 spilled_bytes;  /* < 0: the operator does not report spilling */
} PlanOpActual;

/* EXPLAIN JSON: one document {"logical", "optimized", "physical", "nodes"}; "nodes" has
 * per physical operator its estimates, for joins the strategies weighed, and with actual
 * (n_actual entries, nullable) the measured values too. Newly allocated. */
char *plan_explain_json (const PlanNode *ast, const PlanNode *optimized,
                         const PlanPhysPlan *plan, PlanEstBytesFunc est_bytes,
                         const PlanOpActual *actual, guint n_actual, gint64 elapsed_us);
/* EXPLAIN DOT: one node per operator (operator, parallelism, strategy, est. rows), edges
 * labelled with their exchange. */
char *plan_explain_dot (const PlanPhysPlan *plan);
/* EXPLAIN ANALYZE text: the physical tree with estimated and actual values per operator. */
char *plan_explain_analyze_text (const PlanPhysPlan *plan, const PlanOpActual *actual,
                                 guint n_actual, gint64 elapsed_us);
/* FALSE with the first unbounded source's table name when a source never ends. */
gboolean plan_phys_is_bounded (const PlanPhysPlan *plan, const char **unbounded_table);
/* added by automatic runtime mode: whether table's source ends (filesystem, datagen with
 * 'number-of-rows', nexmark with 'events.num'), and whether every scan of a logical plan
 * reads such a table; 'execution.runtime-mode' = 'automatic' runs batch exactly then. */
gboolean plan_table_is_bounded (const PlanTable *table);
gboolean plan_node_is_bounded (const PlanNode *logical);

G_END_DECLS
