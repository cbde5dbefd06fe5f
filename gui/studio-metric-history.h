/* studio-metric-history.h: the running job's metric snapshots, kept for replay.
 *
 * A bounded ring of the raw metrics JSON the monitor polled (with the time each was
 * read): the newest `capacity` snapshots, oldest first. Keeping the JSON rather than
 * parsed states keeps the ring one string per poll, and a replayed state is built by the
 * same parser as a live one, so replay can never show something live did not. */
#pragma once

#include "studio-plan-layout.h"

G_BEGIN_DECLS

typedef struct _StudioMetricHistory StudioMetricHistory;

StudioMetricHistory *studio_metric_history_new (guint capacity);
void studio_metric_history_free (StudioMetricHistory *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StudioMetricHistory, studio_metric_history_free)

/* Appends a snapshot (json copied), dropping the oldest when the ring is full. */
void studio_metric_history_push (StudioMetricHistory *self, const char *json,
                                 gint64 taken_ms);
void studio_metric_history_clear (StudioMetricHistory *self);
guint studio_metric_history_get_length (StudioMetricHistory *self);
guint studio_metric_history_get_capacity (StudioMetricHistory *self);
/* Snapshots pushed since creation or the last clear, dropped ones included. */
guint64 studio_metric_history_get_n_pushed (StudioMetricHistory *self);
/* Snapshot index (0 = oldest kept); borrowed, NULL when out of range. */
const char *studio_metric_history_get_json (StudioMetricHistory *self, guint index,
                                            gint64 *taken_ms);
/* The state of plan's operators at snapshot index, with that snapshot's time. */
StudioMonitorState *studio_metric_history_dup_state (StudioMetricHistory *self,
                                                     const PlanPhysPlan *plan, guint index,
                                                     GError **error);

G_END_DECLS
