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

G_END_DECLS
