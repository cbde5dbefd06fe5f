/* opt-interval-join.c: the physical rule for interval joins (Flink's time-windowed
 * join). In streaming mode a join whose condition bounds a left time column by a right one
 * from both sides (plan_join_interval_bounds: `l.ts BETWEEN r.ts - INTERVAL '1' HOUR AND
 * r.ts`) over two insert-only inputs becomes an INTERVAL_JOIN instead of the regular
 * streaming JOIN. The engine then keeps each row only until the watermark says no row of
 * the other side can still match it, and the output is insert-only even for outer joins
 * (a row's NULL-filled result is emitted once, when it expires unmatched), so the node is
 * not `updating`. Exchanges, parallelism and the payload are the regular join's; the
 * bounds stay in the residual, which does the matching.
 *
 * Both time columns must be time attributes of the inputs (plan_join_is_interval), as in
 * Flink: the state is expired by the watermark, which only bounds the columns it was
 * declared for. Otherwise, and for an updating input, the regular join stays. */
#include "optimizer/opt-private.h"

PlanPhysKind
opt__interval_join_kind (const PlanNode *node, const PlanPhysNode *left,
                         const PlanPhysNode *right)
{
  PlanIntervalBounds b;

  if (left->updating || right->updating)
    return PLAN_PHYS_JOIN;
  if (!plan_join_is_interval (node, &b))
    return PLAN_PHYS_JOIN;
  return PLAN_PHYS_INTERVAL_JOIN;
}
