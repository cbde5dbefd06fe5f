/* rt-agg-flat.h: the flat fast path of the batch group aggregate (rt-agg-flat.c), chosen
 * by rt_op_aggregate_new when the aggregate's keys and calls allow it. Internal to the
 * engine (and its tests, which compare the two paths). */
#pragma once

#include "rt-operator.h"

G_BEGIN_DECLS

/* TRUE when node (a valid AGGREGATE node) can run on the flat path: batch mode (not
 * updating) over an insert-only input, at most 64 keys of fixed-width types or VARCHAR,
 * and only COUNT, SUM, AVG, MIN, MAX without DISTINCT over numeric, date/time or boolean
 * arguments (MIN/MAX of VARCHAR is not). FILTER (WHERE ...) is allowed. */
gboolean rt__agg_flat_supports (const PlanPhysNode *node);
/* The flat aggregate for node; node must pass rt__agg_flat_supports. */
RtOperator *rt__agg_flat_new (const PlanPhysNode *node, GError **error);
/* When op is a flat aggregate: sets *bytes to the compressed bytes it spilled and returns
 * TRUE; FALSE for any other operator. */
gboolean rt__agg_flat_get_spilled_bytes (RtOperator *op, guint64 *bytes);

/* The general group aggregate of rt-op-aggregate.c, never the flat path (for tests that
 * compare both). node must be a valid AGGREGATE node. */
RtOperator *rt__agg_generic_new (const PlanPhysNode *node);

G_END_DECLS
