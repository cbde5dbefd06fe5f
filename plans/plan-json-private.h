/* plan-json-private.h: what plan-json.c (reader) and plan-json-write.c (writer) share. */
#pragma once

#include "plan-node.h"

G_BEGIN_DECLS

/* The JSON name of an aggregate function ("COUNT_STAR" for COUNT(*)); borrowed, static. */
const char *plan_json__agg_call_name (PlanAggFunc f);

G_END_DECLS
