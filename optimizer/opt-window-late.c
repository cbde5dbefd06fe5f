/* opt-window-late.c: allowed lateness for window aggregates, Flink's
 *   SET 'table.exec.emit.late-fire.enabled' = 'true';
 *   SET 'table.exec.emit.allow-lateness' = '1 min';
 *   SET 'table.exec.emit.late-fire.delay' = '0';      -- optional
 * In streaming mode, with both of the first two set, a planned WINDOW_AGGREGATE keeps each
 * fired window until the watermark passes its end + lateness and answers a late row with
 * a retraction pair, so its output becomes `updating`. Without them, or in batch mode
 * (the final watermark fires every window exactly once), or for SESSION windows (a late
 * row there could merge fired sessions, which is not done yet), nothing changes: late rows
 * are dropped and counted as before. The engine part is rt-window-late.c. */
#include "optimizer/opt-private.h"

#include <string.h>

PlanPhysNode *
opt__window_late_fire (PlanPhysNode *agg, PlanSettings *settings, gboolean streaming)
{
  const char *enabled;
  gint64 lateness_us;

  if (agg == NULL || settings == NULL || !streaming
      || agg->kind != PLAN_PHYS_WINDOW_AGGREGATE || agg->u.window_agg.session_gap_ms > 0)
    return agg;
  enabled = plan_settings_get (settings, "table.exec.emit.late-fire.enabled");
  lateness_us = plan_settings_get_duration_us (settings, "table.exec.emit.allow-lateness");
  if (enabled == NULL || strcmp (enabled, "true") != 0 || lateness_us < 1000)
    return agg;
  agg->u.window_agg.allowed_lateness_ms = lateness_us / 1000;
  agg->u.window_agg.late_fire_delay_ms
    = plan_settings_get_duration_us (settings, "table.exec.emit.late-fire.delay") / 1000;
  agg->updating = TRUE;
  return agg;
}
