/* studio-history-bar.h: the monitor's metric history slider. A horizontal box with a
 * GtkScale over the job's kept snapshots (StudioMetricHistory) and a label saying which
 * one is shown. At the right end it is live: every pushed snapshot goes to the plan view
 * at once; dragged back, the view shows the snapshot under the slider, rebuilt from its
 * JSON, while new ones keep being recorded. */
#pragma once

#include <gtk/gtk.h>
#include "studio-plan-view.h"
#include "studio-metric-history.h"

G_BEGIN_DECLS

#define STUDIO_TYPE_HISTORY_BAR (studio_history_bar_get_type ())
G_DECLARE_FINAL_TYPE (StudioHistoryBar, studio_history_bar, STUDIO, HISTORY_BAR, GtkWidget)

#define STUDIO_HISTORY_DEFAULT_CAPACITY 600  /* 5 minutes of 0.5 s polls */

GtkWidget *studio_history_bar_new (void);
/* The view the snapshots are shown on (borrowed; it must outlive the bar's use) and the
 * plan they belong to (ref taken; NULL clears). Forgets the history. */
void studio_history_bar_set_target (StudioHistoryBar *self, StudioPlanView *view,
                                    PlanPhysPlan *plan);
/* Records a snapshot; shows state (taken) when live, else frees it. */
void studio_history_bar_push (StudioHistoryBar *self, const char *json,
                              StudioMonitorState *state);
gboolean studio_history_bar_is_live (StudioHistoryBar *self);
/* Shows snapshot index (0 = oldest kept); the last index goes live again. */
void studio_history_bar_show (StudioHistoryBar *self, guint index);
GtkRange *studio_history_bar_get_scale (StudioHistoryBar *self);   /* borrowed */
const char *studio_history_bar_get_text (StudioHistoryBar *self);  /* the label */
StudioMetricHistory *studio_history_bar_get_history (StudioHistoryBar *self); /* borrowed */

G_END_DECLS
