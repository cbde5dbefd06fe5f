/* studio-canvas.c: draws a StudioPipeline and turns pointer gestures into model edits.
 *
 * The canvas keeps no graph of its own: it draws whatever the model holds, redraws on
 * the model's "changed" and "node-changed" signals, and every edit goes through the
 * model's API (so undo, the SQL editor and tests see the same thing). Editing is also
 * exposed as widget actions, which is how the palette, shortcuts and tests drive it.
 *
 * One drag gesture does three jobs, chosen by where it starts: on an output port it
 * draws a new connection, on a connected input port it picks that connection up again
 * (Node-RED's way to rewire), on a node body it moves the node. */
#include "studio-canvas.h"

#define W STUDIO_CANVAS_NODE_W
#define H STUDIO_CANVAS_NODE_H
#define PORT_R 6.0
#define HEADER_H 22.0

typedef enum { DRAG_NONE, DRAG_MOVE, DRAG_CONNECT } DragMode;

struct _StudioCanvas {
  GtkWidget parent_instance;
  StudioPipeline *pipeline;   /* owned ref */
  guint selected;
  DragMode mode;
  guint drag_node;            /* moved node, or the connection's upstream node */
  double drag_x0, drag_y0;    /* node position (MOVE) or gesture start (CONNECT) */
  double cur_x, cur_y;        /* pointer during CONNECT */
  gboolean moved;             /* MOVE recorded its undo step */
};

G_DEFINE_FINAL_TYPE (StudioCanvas, studio_canvas, GTK_TYPE_WIDGET)

enum { SELECTION_CHANGED, ERROR, N_SIGNALS };
static guint signals[N_SIGNALS];

static const double kind_rgb[][3] = {
  [STUDIO_NODE_SOURCE] = { 0.20, 0.60, 0.35 },
  [STUDIO_NODE_FILTER] = { 0.90, 0.56, 0.10 },
  [STUDIO_NODE_PROJECT] = { 0.21, 0.52, 0.89 },
  [STUDIO_NODE_AGGREGATE] = { 0.57, 0.33, 0.72 },
  [STUDIO_NODE_SINK] = { 0.80, 0.24, 0.24 },
};

/* ---- drawing ------------------------------------------------------------------------ */

static void
rounded_rect (cairo_t *cr, double x, double y, double w, double h, double r)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

static void
draw_wire (cairo_t *cr, double x0, double y0, double x1, double y1)
{
  double dx = MAX (40.0, ABS (x1 - x0) / 2);
  cairo_move_to (cr, x0, y0);
  cairo_curve_to (cr, x0 + dx, y0, x1 - dx, y1, x1, y1);
  cairo_stroke (cr);
}

static void
draw_text (StudioCanvas *self, cairo_t *cr, const char *text, double x, double y, double w,
           gboolean bold, double r, double g, double b)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  g_autofree char *markup = g_markup_printf_escaped (bold ? "<b>%s</b>" : "%s", text);

  pango_layout_set_markup (layout, markup, -1);
  pango_layout_set_width (layout, (int) (w * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  cairo_set_source_rgb (cr, r, g, b);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

static const char *
node_body (const StudioNode *n)
{
  if (n->kind == STUDIO_NODE_SINK && *n->text == '\0')
    return "collect to client";
  if (*n->text == '\0')
    return "(not set)";
  return n->text;
}

static void
draw_node (StudioCanvas *self, cairo_t *cr, const StudioNode *n)
{
  const double *c = kind_rgb[n->kind];
  gboolean sel = n->id == self->selected;
  char title[64];

  rounded_rect (cr, n->x, n->y, W, H, 8);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, sel ? 0.21 : 0.6, sel ? 0.52 : 0.6, sel ? 0.89 : 0.6);
  cairo_set_line_width (cr, sel ? 3 : 1);
  cairo_stroke (cr);
  cairo_save (cr);
  rounded_rect (cr, n->x, n->y, W, H, 8);
  cairo_clip (cr);
  cairo_rectangle (cr, n->x, n->y, W, HEADER_H);
  cairo_set_source_rgb (cr, c[0], c[1], c[2]);
  cairo_fill (cr);
  cairo_restore (cr);
  g_snprintf (title, sizeof title, "%s  #%u", studio_node_kind_title (n->kind), n->id);
  draw_text (self, cr, title, n->x + 8, n->y + 3, W - 16, TRUE, 1, 1, 1);
  draw_text (self, cr, node_body (n), n->x + 8, n->y + HEADER_H + 4, W - 16, FALSE,
             0.15, 0.15, 0.15);
  if (n->kind == STUDIO_NODE_AGGREGATE && *n->group_by != '\0')
    {
      g_autofree char *g = g_strdup_printf ("by %s", n->group_by);
      draw_text (self, cr, g, n->x + 8, n->y + HEADER_H + 22, W - 16, FALSE, 0.4, 0.4, 0.4);
    }
  cairo_set_line_width (cr, 1.5);
  if (studio_node_kind_has_input (n->kind))
    {
      cairo_new_path (cr);
      cairo_arc (cr, n->x, n->y + H / 2, PORT_R, 0, 2 * G_PI);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_fill_preserve (cr);
      cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
      cairo_stroke (cr);
    }
  if (studio_node_kind_has_output (n->kind))
    {
      cairo_new_path (cr);
      cairo_arc (cr, n->x + W, n->y + H / 2, PORT_R, 0, 2 * G_PI);
      cairo_set_source_rgb (cr, c[0], c[1], c[2]);
      cairo_fill_preserve (cr);
      cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
      cairo_stroke (cr);
    }
}

static void
draw_grid (cairo_t *cr, int w, int h)
{
  cairo_set_source_rgb (cr, 0.975, 0.975, 0.97);
  cairo_paint (cr);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.10);
  for (int x = 0; x < w; x += 24)
    for (int y = 0; y < h; y += 24)
      cairo_rectangle (cr, x, y, 1.5, 1.5);
  cairo_fill (cr);
}

static void
draw_empty_hint (StudioCanvas *self, cairo_t *cr, int w, int h)
{
  draw_text (self, cr, "Drag tables and transforms from the palette onto the canvas,\n"
                       "then drag from an output port (right) to an input port (left).",
             24, 24, w - 48, FALSE, 0.45, 0.45, 0.45);
}

static void
studio_canvas_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  StudioCanvas *self = STUDIO_CANVAS (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));

  draw_grid (cr, w, h);
  if (self->pipeline == NULL || studio_pipeline_get_n_nodes (self->pipeline) == 0)
    draw_empty_hint (self, cr, w, h);
  if (self->pipeline != NULL)
    {
      cairo_set_line_width (cr, 2.5);
      cairo_set_source_rgb (cr, 0.45, 0.45, 0.5);
      for (guint i = 0; i < studio_pipeline_get_n_edges (self->pipeline); i++)
        {
          const StudioEdge *e = studio_pipeline_get_edge (self->pipeline, i);
          const StudioNode *a = studio_pipeline_lookup (self->pipeline, e->from);
          const StudioNode *b = studio_pipeline_lookup (self->pipeline, e->to);
          draw_wire (cr, a->x + W, a->y + H / 2, b->x, b->y + H / 2);
        }
      if (self->mode == DRAG_CONNECT)
        {
          const StudioNode *a = studio_pipeline_lookup (self->pipeline, self->drag_node);
          cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);
          cairo_set_dash (cr, (double[]){ 6, 4 }, 2, 0);
          draw_wire (cr, a->x + W, a->y + H / 2, self->cur_x, self->cur_y);
          cairo_set_dash (cr, NULL, 0, 0);
        }
      for (guint i = 0; i < studio_pipeline_get_n_nodes (self->pipeline); i++)
        draw_node (self, cr, studio_pipeline_get_node (self->pipeline, i));
    }
  cairo_destroy (cr);
}

static void
studio_canvas_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                       int *minimum, int *natural, int *min_baseline, int *nat_baseline)
{
  StudioCanvas *self = STUDIO_CANVAS (widget);
  double extent = 0;

  for (guint i = 0; self->pipeline != NULL && i < studio_pipeline_get_n_nodes (self->pipeline);
       i++)
    {
      const StudioNode *n = studio_pipeline_get_node (self->pipeline, i);
      extent = MAX (extent, orientation == GTK_ORIENTATION_HORIZONTAL ? n->x + W : n->y + H);
    }
  *minimum = (int) extent + 40;
  *natural = MAX (*minimum, 400);
}

/* ---- hit testing -------------------------------------------------------------------- */

typedef enum { HIT_NONE, HIT_BODY, HIT_IN_PORT, HIT_OUT_PORT } HitKind;

static HitKind
hit (StudioCanvas *self, double x, double y, guint *out_id)
{
  guint n_nodes = self->pipeline != NULL ? studio_pipeline_get_n_nodes (self->pipeline) : 0;
  double slop = PORT_R + 4;

  /* topmost first: nodes drawn later are on top */
  for (guint i = n_nodes; i-- > 0;)
    {
      const StudioNode *n = studio_pipeline_get_node (self->pipeline, i);
      *out_id = n->id;
      if (studio_node_kind_has_output (n->kind) && ABS (x - (n->x + W)) <= slop
          && ABS (y - (n->y + H / 2)) <= slop)
        return HIT_OUT_PORT;
      if (studio_node_kind_has_input (n->kind) && ABS (x - n->x) <= slop
          && ABS (y - (n->y + H / 2)) <= slop)
        return HIT_IN_PORT;
      if (x >= n->x && x <= n->x + W && y >= n->y && y <= n->y + H)
        return HIT_BODY;
    }
  *out_id = 0;
  return HIT_NONE;
}

guint
studio_canvas_node_at (StudioCanvas *self, double x, double y)
{
  guint id;
  g_return_val_if_fail (STUDIO_IS_CANVAS (self), 0);
  return hit (self, x, y, &id) == HIT_NONE ? 0 : id;
}

/* ---- gestures ----------------------------------------------------------------------- */

static void
report_error (StudioCanvas *self, const GError *error)
{
  g_signal_emit (self, signals[ERROR], 0, error->message);
}

static void
drag_begin (GtkGestureDrag *gesture, double x, double y, StudioCanvas *self)
{
  guint id;
  HitKind k = hit (self, x, y, &id);

  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->mode = DRAG_NONE;
  self->cur_x = x;
  self->cur_y = y;
  if (k == HIT_OUT_PORT)
    {
      self->mode = DRAG_CONNECT;
      self->drag_node = id;
    }
  else if (k == HIT_IN_PORT && studio_pipeline_get_input (self->pipeline, id) != 0)
    {
      guint from = studio_pipeline_get_input (self->pipeline, id);
      studio_pipeline_disconnect (self->pipeline, from, id);
      self->mode = DRAG_CONNECT;
      self->drag_node = from;
    }
  else if (k == HIT_BODY || k == HIT_IN_PORT)
    {
      const StudioNode *n = studio_pipeline_lookup (self->pipeline, id);
      self->mode = DRAG_MOVE;
      self->drag_node = id;
      self->drag_x0 = n->x;
      self->drag_y0 = n->y;
      self->moved = FALSE;
      studio_canvas_select (self, id);
    }
  else
    studio_canvas_select (self, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_update (GtkGestureDrag *gesture, double dx, double dy, StudioCanvas *self)
{
  double sx, sy;

  gtk_gesture_drag_get_start_point (gesture, &sx, &sy);
  if (self->mode == DRAG_MOVE && (self->moved || ABS (dx) + ABS (dy) > 2))
    {
      /* snap to an 8-point grid, never into negative space */
      double nx = MAX (0, round ((self->drag_x0 + dx) / 8) * 8);
      double ny = MAX (0, round ((self->drag_y0 + dy) / 8) * 8);
      studio_pipeline_move_node (self->pipeline, self->drag_node, nx, ny, !self->moved);
      self->moved = TRUE;
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
  else if (self->mode == DRAG_CONNECT)
    {
      self->cur_x = sx + dx;
      self->cur_y = sy + dy;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
drag_end (GtkGestureDrag *gesture, double dx, double dy, StudioCanvas *self)
{
  if (self->mode == DRAG_CONNECT)
    {
      guint target = studio_canvas_node_at (self, self->cur_x, self->cur_y);
      g_autoptr (GError) error = NULL;
      if (target != 0 && target != self->drag_node
          && !studio_pipeline_connect (self->pipeline, self->drag_node, target, &error))
        report_error (self, error);
    }
  self->mode = DRAG_NONE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- actions ------------------------------------------------------------------------ */

static guint
add_node_spec (StudioCanvas *self, const char *spec, double x, double y)
{
  g_auto (GStrv) parts = g_strsplit (spec, ":", 2);
  StudioNodeKind kind;
  guint id;

  if (parts[0] == NULL || !studio_node_kind_from_name (parts[0], &kind))
    {
      g_autoptr (GError) error = g_error_new (STUDIO_PIPELINE_ERROR,
                                              STUDIO_PIPELINE_ERROR_UNSUPPORTED,
                                              "Unknown node kind in '%s'", spec);
      report_error (self, error);
      return 0;
    }
  id = studio_pipeline_add_node (self->pipeline, kind, parts[1], x, y);
  studio_canvas_select (self, id);
  return id;
}

/* Where a node added without a position goes: right of the rightmost node. */
static void
next_free_spot (StudioCanvas *self, double *x, double *y)
{
  *x = 40;
  *y = 60;
  for (guint i = 0; i < studio_pipeline_get_n_nodes (self->pipeline); i++)
    {
      const StudioNode *n = studio_pipeline_get_node (self->pipeline, i);
      if (n->x + W + 40 > *x)
        {
          *x = n->x + W + 40;
          *y = n->y;
        }
    }
}

static void
action_add_node (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioCanvas *self = STUDIO_CANVAS (widget);
  double x, y;

  next_free_spot (self, &x, &y);
  add_node_spec (self, g_variant_get_string (param, NULL), x, y);
}

static void
action_connect (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioCanvas *self = STUDIO_CANVAS (widget);
  g_autoptr (GError) error = NULL;
  guint from, to;

  g_variant_get (param, "(uu)", &from, &to);
  if (!studio_pipeline_connect (self->pipeline, from, to, &error))
    report_error (self, error);
}

static void
action_select (GtkWidget *widget, const char *name, GVariant *param)
{
  studio_canvas_select (STUDIO_CANVAS (widget), g_variant_get_uint32 (param));
}

static void
action_delete (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioCanvas *self = STUDIO_CANVAS (widget);
  guint id = self->selected;

  if (id == 0)
    return;
  studio_canvas_select (self, 0);
  studio_pipeline_remove_node (self->pipeline, id);
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, StudioCanvas *self)
{
  if (!G_VALUE_HOLDS_STRING (value) || self->pipeline == NULL)
    return FALSE;
  return add_node_spec (self, g_value_get_string (value), MAX (0, x - W / 2),
                        MAX (0, y - H / 2)) != 0;
}

/* ---- object ------------------------------------------------------------------------- */

static void
on_model_changed (StudioCanvas *self)
{
  if (self->selected != 0 && studio_pipeline_lookup (self->pipeline, self->selected) == NULL)
    studio_canvas_select (self, 0);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
studio_canvas_set_pipeline (StudioCanvas *self, StudioPipeline *pipeline)
{
  g_return_if_fail (STUDIO_IS_CANVAS (self));
  if (self->pipeline != NULL)
    g_signal_handlers_disconnect_by_data (self->pipeline, self);
  g_set_object (&self->pipeline, pipeline);
  if (pipeline != NULL)
    {
      g_signal_connect_swapped (pipeline, "changed", G_CALLBACK (on_model_changed), self);
      g_signal_connect_swapped (pipeline, "node-changed", G_CALLBACK (gtk_widget_queue_draw),
                                self);
    }
  self->selected = 0;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

StudioPipeline *
studio_canvas_get_pipeline (StudioCanvas *self)
{
  g_return_val_if_fail (STUDIO_IS_CANVAS (self), NULL);
  return self->pipeline;
}

guint
studio_canvas_get_selected (StudioCanvas *self)
{
  g_return_val_if_fail (STUDIO_IS_CANVAS (self), 0);
  return self->selected;
}

void
studio_canvas_select (StudioCanvas *self, guint id)
{
  g_return_if_fail (STUDIO_IS_CANVAS (self));
  if (self->selected == id)
    return;
  self->selected = id;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "canvas.delete", id != 0);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
studio_canvas_dispose (GObject *object)
{
  StudioCanvas *self = STUDIO_CANVAS (object);
  if (self->pipeline != NULL)
    g_signal_handlers_disconnect_by_data (self->pipeline, self);
  g_clear_object (&self->pipeline);
  G_OBJECT_CLASS (studio_canvas_parent_class)->dispose (object);
}

static void
studio_canvas_class_init (StudioCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = studio_canvas_dispose;
  widget_class->snapshot = studio_canvas_snapshot;
  widget_class->measure = studio_canvas_measure;

  signals[SELECTION_CHANGED] = g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 0);
  signals[ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "canvas.add-node", "s", action_add_node);
  gtk_widget_class_install_action (widget_class, "canvas.connect", "(uu)", action_connect);
  gtk_widget_class_install_action (widget_class, "canvas.select", "u", action_select);
  gtk_widget_class_install_action (widget_class, "canvas.delete", NULL, action_delete);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "canvas.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_BackSpace, 0, "canvas.delete",
                                       NULL);
  gtk_widget_class_set_css_name (widget_class, "studio-canvas");
}

static void
studio_canvas_init (StudioCanvas *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_STRING, GDK_ACTION_COPY);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "canvas.delete", FALSE);
}

GtkWidget *
studio_canvas_new (void)
{
  return g_object_new (STUDIO_TYPE_CANVAS, NULL);
}
