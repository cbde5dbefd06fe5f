/* studio-canvas.h: the designer's canvas, a view and controller of a StudioPipeline.
 *
 * Actions (usable from menus, shortcuts and tests):
 *   canvas.add-node   "s"    "KIND" or "KIND:TEXT", e.g. "source:orders", "filter:a > 1";
 *                            "source@CONNECTOR" / "sink@CONNECTOR" (e.g. "source@datagen")
 *                            add a connector node defining its own table
 *   canvas.connect    "(uu)" from node id, to node id
 *   canvas.select     "u"    node id (0: none)
 *   canvas.delete            removes the selected nodes (Delete key), one undo step
 *   canvas.copy, canvas.paste  the selection with its internal edges (Ctrl+C, Ctrl+V);
 *                            pasted nodes are offset and become the selection
 *   canvas.select-all        Ctrl+A
 *   canvas.arrange           lays the graph out with Graphviz's dot (Ctrl+L), one undo step
 *   canvas.zoom-in, canvas.zoom-out, canvas.zoom-reset   Ctrl+plus, Ctrl+minus, Ctrl+0
 * Pointer: Ctrl+scroll zooms about the pointer, scroll and middle-drag pan, a drag on
 * empty space selects by rubber band, shift-click adds or removes one node.
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

/* Multi-selection; studio_canvas_get_selected is its most recently added node. */
gboolean studio_canvas_is_selected (StudioCanvas *self, guint id);
void studio_canvas_toggle_selected (StudioCanvas *self, guint id);
const guint *studio_canvas_get_selection (StudioCanvas *self, guint *n); /* borrowed */
/* Selects the nodes touched by a rectangle in widget coordinates (extend: add to the
 * current selection), as the rubber band does. */
void studio_canvas_select_rect (StudioCanvas *self, double x0, double y0, double x1,
                                double y1, gboolean extend);
/* View: widget = canvas * zoom + pan. Zoom is clamped to [0.25, 4]. */
void studio_canvas_set_view (StudioCanvas *self, double zoom, double pan_x, double pan_y);
void studio_canvas_zoom_at (StudioCanvas *self, double factor, double x, double y);
double studio_canvas_get_zoom (StudioCanvas *self, double *pan_x, double *pan_y);

/* The message of a node whose properties are invalid (studio_pipeline_check_node: a bad
 * window spec, an unknown column, a type error), or NULL; such nodes are drawn with a red
 * outline and the message below them. */
char *studio_canvas_dup_node_problem (StudioCanvas *self, guint id);
/* Text being typed for node id (the inspector, before Enter): checked and marked on the
 * canvas as if it were the node's. NULL clears it. */
void studio_canvas_set_draft (StudioCanvas *self, guint id, const char *text);
/* The same with the group_by being typed too (NULL: the node's own). */
void studio_canvas_set_draft_full (StudioCanvas *self, guint id, const char *text,
                                   const char *group_by);

/* The same for a connector node: its table name and definition being typed (name NULL
 * clears the draft). */
void studio_canvas_set_draft_connector (StudioCanvas *self, guint id, const char *name,
                                        const char *columns, const char *options,
                                        const char *watermark);

/* Node size on the canvas, for layout code. */
#define STUDIO_CANVAS_NODE_W 150.0
#define STUDIO_CANVAS_NODE_H 66.0

G_END_DECLS
