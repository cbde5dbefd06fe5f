/* studio-canvas.h: the designer's canvas, a view and controller of a StudioPipeline.
 *
 * Actions (usable from menus, shortcuts and tests):
 *   canvas.add-node   "s"    "KIND" or "KIND:TEXT", e.g. "source:orders", "filter:a > 1"
 *   canvas.connect    "(uu)" from node id, to node id
 *   canvas.select     "u"    node id (0: none)
 *   canvas.delete            removes the selected node (Delete key)
 * Signals: "selection-changed" (), "error" (const char *message) when an edit is refused. */
#pragma once

#include <gtk/gtk.h>
#include "studio-pipeline.h"

G_BEGIN_DECLS

#define STUDIO_TYPE_CANVAS (studio_canvas_get_type ())
G_DECLARE_FINAL_TYPE (StudioCanvas, studio_canvas, STUDIO, CANVAS, GtkWidget)

GtkWidget *studio_canvas_new (void);
void studio_canvas_set_pipeline (StudioCanvas *self, StudioPipeline *pipeline);
StudioPipeline *studio_canvas_get_pipeline (StudioCanvas *self);
guint studio_canvas_get_selected (StudioCanvas *self); /* 0: none */
void studio_canvas_select (StudioCanvas *self, guint id);
/* The node whose body or port is at (x, y) in widget coordinates, or 0. */
guint studio_canvas_node_at (StudioCanvas *self, double x, double y);

/* Node size on the canvas, for layout code. */
#define STUDIO_CANVAS_NODE_W 150.0
#define STUDIO_CANVAS_NODE_H 66.0

G_END_DECLS
