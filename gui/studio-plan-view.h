/* studio-plan-view.h: draws a StudioPlanLayout (the optimizer's physical plan as laid out
 * by Graphviz) with cairo, and optionally a StudioMonitorState over it (node colours by
 * busy / idle / backpressured time, edge labels with rows/s, channel fill, watermark lag
 * and latency: studio_monitor_edge_text). A click on a box selects it
 * and emits "node-activated" (guint physical node id). */
#pragma once

#include <gtk/gtk.h>
#include "studio-plan-layout.h"

G_BEGIN_DECLS

#define STUDIO_TYPE_PLAN_VIEW (studio_plan_view_get_type ())
G_DECLARE_FINAL_TYPE (StudioPlanView, studio_plan_view, STUDIO, PLAN_VIEW, GtkWidget)

GtkWidget *studio_plan_view_new (void);
/* Takes ownership of layout (NULL clears the view; message then says why, may be NULL). */
void studio_plan_view_set_layout (StudioPlanView *self, StudioPlanLayout *layout,
                                  const char *message);
const StudioPlanLayout *studio_plan_view_get_layout (StudioPlanView *self); /* borrowed */
/* Takes ownership of state (NULL: plain plan colours). */
void studio_plan_view_set_state (StudioPlanView *self, StudioMonitorState *state);
const StudioMonitorState *studio_plan_view_get_state (StudioPlanView *self);
/* Selected physical node id, or -1. */
gint studio_plan_view_get_selected (StudioPlanView *self);
void studio_plan_view_select (StudioPlanView *self, gint id);

G_END_DECLS
