/* studio-canvas.c: draws a StudioPipeline and turns pointer gestures into model edits.
 *
 * The canvas keeps no graph of its own: it draws whatever the model holds, redraws on
 * the model's "changed" and "node-changed" signals, and every edit goes through the
 * model's API (so undo, the SQL editor and tests see the same thing). Editing is also
 * exposed as widget actions, which is how the palette, shortcuts and tests drive it.
 *
 * One drag gesture does three jobs, chosen by where it starts: on an output port it
 * draws a new connection, on a connected input port it picks that connection up again
 * (Node-RED's way to rewire), on a node body it moves the node (all selected nodes when
 * it is one of them), on empty space it drags a rubber band that selects. The model
 * keeps canvas units; the view maps them to widget pixels by a zoom factor and a pan
 * offset (widget = canvas * zoom + pan), applied once in snapshot and undone once at the
 * top of hit testing, so drawing and picking cannot disagree. */
#include "studio-canvas.h"

#define W STUDIO_CANVAS_NODE_W
#define H STUDIO_CANVAS_NODE_H
#define PORT_R 6.0
#define HEADER_H 22.0

typedef enum { DRAG_NONE, DRAG_MOVE, DRAG_CONNECT, DRAG_RUBBER } DragMode;

#define ZOOM_MIN 0.25
#define ZOOM_MAX 4.0
#define ZOOM_STEP 1.25
#define PASTE_OFFSET 32.0

struct _StudioCanvas {
  GtkWidget parent_instance;
  StudioPipeline *pipeline;   /* owned ref */
  guint selected;
  DragMode mode;
  guint drag_node;            /* moved node, or the connection's upstream node */
  double drag_x0, drag_y0;    /* node position (MOVE) or gesture start (CONNECT) */
  double cur_x, cur_y;        /* pointer during CONNECT */
  gboolean moved;             /* MOVE recorded its undo step */
  GArray *sel;                /* owned: guint ids selected (selected is one of them) */
  GArray *origins;            /* owned: double x, y pairs of sel at the start of a MOVE */
  double zoom, pan_x, pan_y;  /* widget = canvas * zoom + pan */
  double pan_x0, pan_y0;      /* pan at the start of a middle-button drag */
  double rb_x0, rb_y0;        /* rubber band start, widget coordinates */
  gboolean rb_extend;         /* shift held: the band adds to the selection */
  StudioPipeline *clip;       /* owned: copied nodes, or NULL */
  guint hit_port;             /* the input port the last HIT_IN_PORT found */
  guint draft_id;             /* node whose text is being typed in the inspector, or 0 */
  char *draft;                /* owned: that text, checked instead of the model's */
  char *draft_group;          /* owned, nullable: the group_by being typed, likewise */
  char *draft_columns;        /* owned, nullable: a connector node's columns being typed */
  char *draft_options;        /* owned, nullable: its option lines, likewise */
  char *draft_watermark;      /* owned, nullable: its watermark, likewise */
  GHashTable *problems;       /* owned: node id -> owned message or NULL, as checked */
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
  [STUDIO_NODE_WINDOW] = { 0.10, 0.60, 0.65 },
  [STUDIO_NODE_JOIN] = { 0.45, 0.45, 0.20 },
  [STUDIO_NODE_UNION] = { 0.35, 0.55, 0.20 },
  [STUDIO_NODE_TOPN] = { 0.75, 0.35, 0.55 },
  [STUDIO_NODE_DEDUP] = { 0.55, 0.40, 0.30 },
};

/* ---- drawing ------------------------------------------------------------------------ */

/* Canvas y of input port p of a node: ports spread evenly down the left edge. */
static double
in_port_y (const StudioNode *n, guint port)
{
  return n->y + H * (port + 1) / (studio_node_kind_n_inputs (n->kind) + 1);
}

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

/* A node's problem under it: wrapped to at most three lines, the rest ellipsized (the
 * inspector's tooltip has it whole). */
static void
draw_problem (StudioCanvas *self, cairo_t *cr, const char *text, double x, double y)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);

  pango_layout_set_width (layout, (int) ((W + 20) * PANGO_SCALE));
  pango_layout_set_height (layout, -3);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  cairo_set_source_rgb (cr, 0.8, 0.1, 0.1);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

static const char *
node_body (const StudioNode *n)
{
  if (n->kind == STUDIO_NODE_SINK && *n->text == '\0')
    return "collect to client";
  if (n->kind == STUDIO_NODE_UNION)
    return "UNION ALL";
  if (studio_node_is_connector (n))
    return n->text; /* the connector is on the line below */
  if (*n->text == '\0')
    return "(not set)";
  return n->text;
}

/* What is wrong with a node's own properties, or NULL; drawn under the node in red.
 * Checking binds SQL (studio_pipeline_check_node), so answers are kept until the model
 * or the draft changes; borrowed from the cache. */
static const char *
node_problem (StudioCanvas *self, const StudioNode *n)
{
  gpointer found;
  char *problem;

  if (g_hash_table_lookup_extended (self->problems, GUINT_TO_POINTER (n->id), NULL, &found))
    return found;
  if (n->id == self->draft_id && self->draft_columns != NULL)
    {
      StudioNode d = *n;
      d.text = self->draft;
      d.columns = self->draft_columns;
      d.options = self->draft_options;
      d.watermark = self->draft_watermark;
      problem = studio_pipeline_check_node_draft (self->pipeline, &d);
    }
  else
    problem = studio_pipeline_check_node_full (self->pipeline, n->id,
                                               n->id == self->draft_id ? self->draft : NULL,
                                               n->id == self->draft_id ? self->draft_group
                                                                       : NULL);
  g_hash_table_insert (self->problems, GUINT_TO_POINTER (n->id), problem);
  return problem;
}

static void
forget_problems (StudioCanvas *self)
{
  g_hash_table_remove_all (self->problems);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

char *
studio_canvas_dup_node_problem (StudioCanvas *self, guint id)
{
  const StudioNode *n;

  g_return_val_if_fail (STUDIO_IS_CANVAS (self), NULL);
  n = self->pipeline != NULL ? studio_pipeline_lookup (self->pipeline, id) : NULL;
  return n != NULL ? g_strdup (node_problem (self, n)) : NULL;
}

void
studio_canvas_set_draft (StudioCanvas *self, guint id, const char *text)
{
  studio_canvas_set_draft_full (self, id, text, NULL);
}

void
studio_canvas_set_draft_full (StudioCanvas *self, guint id, const char *text,
                              const char *group_by)
{
  g_return_if_fail (STUDIO_IS_CANVAS (self));
  self->draft_id = text != NULL ? id : 0;
  g_free (self->draft);
  self->draft = g_strdup (text);
  g_free (self->draft_group);
  self->draft_group = g_strdup (group_by);
  g_clear_pointer (&self->draft_columns, g_free);
  g_clear_pointer (&self->draft_options, g_free);
  g_clear_pointer (&self->draft_watermark, g_free);
  forget_problems (self);
}

void
studio_canvas_set_draft_connector (StudioCanvas *self, guint id, const char *name,
                                   const char *columns, const char *options,
                                   const char *watermark)
{
  g_return_if_fail (STUDIO_IS_CANVAS (self));
  studio_canvas_set_draft_full (self, id, name, NULL);
  if (name == NULL)
    return;
  self->draft_columns = g_strdup (columns != NULL ? columns : "");
  self->draft_options = g_strdup (options != NULL ? options : "");
  self->draft_watermark = g_strdup (watermark != NULL ? watermark : "");
  forget_problems (self);
}

static void
draw_node (StudioCanvas *self, cairo_t *cr, const StudioNode *n)
{
  const char *problem = node_problem (self, n);
  const double *c = kind_rgb[n->kind];
  gboolean sel = studio_canvas_is_selected (self, n->id);
  char title[64];

  rounded_rect (cr, n->x, n->y, W, H, 8);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, sel ? 0.21 : 0.6, sel ? 0.52 : 0.6, sel ? 0.89 : 0.6);
  cairo_set_line_width (cr, sel ? 3 : 1);
  if (problem != NULL)
    {
      cairo_set_source_rgb (cr, 0.85, 0.1, 0.1);
      cairo_set_line_width (cr, 2.5);
    }
  cairo_stroke (cr);
  if (problem != NULL)
    draw_problem (self, cr, problem, n->x, n->y + H + 4);
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
  if (studio_node_is_connector (n))
    {
      g_autofree char *conn = g_strdup_printf ("new %s table", n->connector);
      draw_text (self, cr, conn, n->x + 8, n->y + HEADER_H + 22, W - 16, FALSE, 0.4, 0.4, 0.4);
    }
  if (studio_node_kind_has_group (n->kind) && *n->group_by != '\0')
    {
      const char *pre = n->kind == STUDIO_NODE_JOIN ? "on"
                        : n->kind == STUDIO_NODE_AGGREGATE ? "by" : "per";
      g_autofree char *g = g_strdup_printf ("%s %s", pre, n->group_by);
      draw_text (self, cr, g, n->x + 8, n->y + HEADER_H + 22, W - 16, FALSE, 0.4, 0.4, 0.4);
    }
  cairo_set_line_width (cr, 1.5);
  for (guint p = 0; p < studio_node_kind_n_inputs (n->kind); p++)
    {
      cairo_new_path (cr);
      cairo_arc (cr, n->x, in_port_y (n, p), PORT_R, 0, 2 * G_PI);
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
draw_rubber (StudioCanvas *self, cairo_t *cr)
{
  double x = MIN (self->rb_x0, self->cur_x), y = MIN (self->rb_y0, self->cur_y);
  cairo_rectangle (cr, x, y, ABS (self->cur_x - self->rb_x0), ABS (self->cur_y - self->rb_y0));
  cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 0.15);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 0.8);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
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
  cairo_save (cr);
  cairo_translate (cr, self->pan_x, self->pan_y);
  cairo_scale (cr, self->zoom, self->zoom);
  if (self->pipeline != NULL)
    {
      cairo_set_line_width (cr, 2.5);
      cairo_set_source_rgb (cr, 0.45, 0.45, 0.5);
      for (guint i = 0; i < studio_pipeline_get_n_edges (self->pipeline); i++)
        {
          const StudioEdge *e = studio_pipeline_get_edge (self->pipeline, i);
          const StudioNode *a = studio_pipeline_lookup (self->pipeline, e->from);
          const StudioNode *b = studio_pipeline_lookup (self->pipeline, e->to);
          draw_wire (cr, a->x + W, a->y + H / 2, b->x, in_port_y (b, e->port));
        }
      if (self->mode == DRAG_CONNECT)
        {
          const StudioNode *a = studio_pipeline_lookup (self->pipeline, self->drag_node);
          cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);
          cairo_set_dash (cr, (double[]){ 6, 4 }, 2, 0);
          draw_wire (cr, a->x + W, a->y + H / 2, (self->cur_x - self->pan_x) / self->zoom,
                     (self->cur_y - self->pan_y) / self->zoom);
          cairo_set_dash (cr, NULL, 0, 0);
        }
      for (guint i = 0; i < studio_pipeline_get_n_nodes (self->pipeline); i++)
        draw_node (self, cr, studio_pipeline_get_node (self->pipeline, i));
    }
  cairo_restore (cr);
  if (self->mode == DRAG_RUBBER)
    draw_rubber (self, cr);
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
  *minimum = (int) (extent * self->zoom + MAX (0, orientation == GTK_ORIENTATION_HORIZONTAL
                                                      ? self->pan_x : self->pan_y)) + 40;
  *natural = MAX (*minimum, 400);
}

/* ---- hit testing -------------------------------------------------------------------- */

typedef enum { HIT_NONE, HIT_BODY, HIT_IN_PORT, HIT_OUT_PORT } HitKind;

static HitKind
hit (StudioCanvas *self, double x, double y, guint *out_id)
{
  guint n_nodes = self->pipeline != NULL ? studio_pipeline_get_n_nodes (self->pipeline) : 0;
  double slop = PORT_R + 4;

  x = (x - self->pan_x) / self->zoom;  /* widget -> canvas units */
  y = (y - self->pan_y) / self->zoom;

  /* topmost first: nodes drawn later are on top */
  for (guint i = n_nodes; i-- > 0;)
    {
      const StudioNode *n = studio_pipeline_get_node (self->pipeline, i);
      *out_id = n->id;
      if (studio_node_kind_has_output (n->kind) && ABS (x - (n->x + W)) <= slop
          && ABS (y - (n->y + H / 2)) <= slop)
        return HIT_OUT_PORT;
      for (guint p = 0; p < studio_node_kind_n_inputs (n->kind); p++)
        if (ABS (x - n->x) <= slop && ABS (y - in_port_y (n, p)) <= slop)
          {
            self->hit_port = p;
            return HIT_IN_PORT;
          }
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

static void selection_changed (StudioCanvas *self);

/* ---- gestures ----------------------------------------------------------------------- */

static void
report_error (StudioCanvas *self, const GError *error)
{
  g_signal_emit (self, signals[ERROR], 0, error->message);
}

static void
take_origins (StudioCanvas *self)
{
  g_array_set_size (self->origins, 0);
  for (guint i = 0; i < self->sel->len; i++)
    {
      const StudioNode *n = studio_pipeline_lookup (self->pipeline,
                                                    g_array_index (self->sel, guint, i));
      double xy[2] = { n != NULL ? n->x : 0, n != NULL ? n->y : 0 };
      g_array_append_vals (self->origins, xy, 2);
    }
}

static void
drag_begin (GtkGestureDrag *gesture, double x, double y, StudioCanvas *self)
{
  GdkModifierType mods = gtk_event_controller_get_current_event_state (
    GTK_EVENT_CONTROLLER (gesture));
  gboolean shift = (mods & GDK_SHIFT_MASK) != 0;
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
  else if (k == HIT_IN_PORT
           && studio_pipeline_get_input_port (self->pipeline, id, self->hit_port) != 0)
    {
      guint from = studio_pipeline_get_input_port (self->pipeline, id, self->hit_port);
      studio_pipeline_disconnect (self->pipeline, from, id);
      self->mode = DRAG_CONNECT;
      self->drag_node = from;
    }
  else if ((k == HIT_BODY || k == HIT_IN_PORT) && shift)
    studio_canvas_toggle_selected (self, id);
  else if (k == HIT_BODY || k == HIT_IN_PORT)
    {
      if (!studio_canvas_is_selected (self, id))
        studio_canvas_select (self, id);
      self->mode = DRAG_MOVE;
      self->drag_node = id;
      self->moved = FALSE;
      take_origins (self);
    }
  else
    {
      self->mode = DRAG_RUBBER;
      self->rb_x0 = x;
      self->rb_y0 = y;
      self->rb_extend = shift;
      if (!shift)
        studio_canvas_select (self, 0);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
move_selection (StudioCanvas *self, double dx, double dy)
{
  for (guint i = 0; i < self->sel->len; i++)
    {
      guint id = g_array_index (self->sel, guint, i);
      /* snap to an 8-point grid, never into negative space */
      double nx = MAX (0, round ((g_array_index (self->origins, double, 2 * i) + dx) / 8) * 8);
      double ny = MAX (0, round ((g_array_index (self->origins, double, 2 * i + 1) + dy) / 8)
                            * 8);
      if (studio_pipeline_lookup (self->pipeline, id) != NULL)
        studio_pipeline_move_node (self->pipeline, id, nx, ny, !self->moved);
      self->moved = TRUE;
    }
}

static void
drag_update (GtkGestureDrag *gesture, double dx, double dy, StudioCanvas *self)
{
  double sx, sy;

  gtk_gesture_drag_get_start_point (gesture, &sx, &sy);
  if (self->mode == DRAG_MOVE && (self->moved || ABS (dx) + ABS (dy) > 2))
    {
      move_selection (self, dx / self->zoom, dy / self->zoom);
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
  else if (self->mode == DRAG_CONNECT || self->mode == DRAG_RUBBER)
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
  else if (self->mode == DRAG_RUBBER)
    studio_canvas_select_rect (self, self->rb_x0, self->rb_y0, self->cur_x, self->cur_y,
                               self->rb_extend);
  self->mode = DRAG_NONE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Middle-button drag pans the view. */
static void
pan_begin (GtkGestureDrag *gesture, double x, double y, StudioCanvas *self)
{
  self->pan_x0 = self->pan_x;
  self->pan_y0 = self->pan_y;
}

static void
pan_update (GtkGestureDrag *gesture, double dx, double dy, StudioCanvas *self)
{
  studio_canvas_set_view (self, self->zoom, self->pan_x0 + dx, self->pan_y0 + dy);
}

/* Ctrl+scroll zooms about the pointer; plain scroll pans (shift: sideways). */
static gboolean
on_scroll (GtkEventControllerScroll *ctl, double dx, double dy, StudioCanvas *self)
{
  GdkModifierType mods = gtk_event_controller_get_current_event_state (
    GTK_EVENT_CONTROLLER (ctl));
  double px = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
  double py = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;

  if (mods & GDK_CONTROL_MASK)
    {
      GdkEvent *ev = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (ctl));
      double ex, ey;
      if (ev != NULL && gdk_event_get_position (ev, &ex, &ey))
        {
          graphene_point_t pt;
          GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
          double tx = 0, ty = 0;
          if (native != NULL)
            gtk_native_get_surface_transform (native, &tx, &ty);
          ex -= tx;
          ey -= ty;
          if (native != NULL
              && gtk_widget_compute_point (GTK_WIDGET (native), GTK_WIDGET (self),
                                           &GRAPHENE_POINT_INIT (ex, ey), &pt))
            {
              px = pt.x;
              py = pt.y;
            }
        }
      studio_canvas_zoom_at (self, dy < 0 ? ZOOM_STEP : 1 / ZOOM_STEP, px, py);
    }
  else if (mods & GDK_SHIFT_MASK)
    studio_canvas_set_view (self, self->zoom, self->pan_x - dy * 40, self->pan_y);
  else
    studio_canvas_set_view (self, self->zoom, self->pan_x - dx * 40, self->pan_y - dy * 40);
  return TRUE;
}

/* ---- actions ------------------------------------------------------------------------ */

static guint
add_node_spec (StudioCanvas *self, const char *spec, double x, double y)
{
  g_auto (GStrv) parts = g_strsplit (spec, ":", 2);
  g_auto (GStrv) conn = g_strsplit (spec, "@", 2);
  StudioNodeKind kind;
  guint id;

  if (conn[0] != NULL && conn[1] != NULL && studio_node_kind_from_name (conn[0], &kind)
      && (kind == STUDIO_NODE_SOURCE || kind == STUDIO_NODE_SINK) && *conn[1] != '\0')
    {
      id = studio_pipeline_add_connector (self->pipeline, kind, conn[1], x, y);
      studio_canvas_select (self, id);
      return id;
    }
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
  g_autoptr (GArray) ids = g_array_copy (self->sel);

  if (ids->len == 0)
    return;
  studio_canvas_select (self, 0);
  studio_pipeline_remove_nodes (self->pipeline, (guint *) ids->data, ids->len);
}

static void
action_copy (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioCanvas *self = STUDIO_CANVAS (widget);

  if (self->sel->len == 0 || self->pipeline == NULL)
    return;
  g_clear_object (&self->clip);
  self->clip = studio_pipeline_copy_nodes (self->pipeline, (guint *) self->sel->data,
                                           self->sel->len);
  gtk_widget_action_set_enabled (widget, "canvas.paste", TRUE);
}

static void
action_paste (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioCanvas *self = STUDIO_CANVAS (widget);
  g_autoptr (GArray) ids = NULL;
  StudioPipeline *again;

  if (self->clip == NULL || self->pipeline == NULL)
    return;
  ids = studio_pipeline_paste (self->pipeline, self->clip, PASTE_OFFSET, PASTE_OFFSET);
  /* a second paste lands one offset further: the clipboard follows the pasted copy */
  again = studio_pipeline_copy_nodes (self->pipeline, (guint *) ids->data, ids->len);
  g_set_object (&self->clip, again);
  g_object_unref (again);
  studio_canvas_select (self, 0);
  for (guint i = 0; i < ids->len; i++)
    studio_canvas_toggle_selected (self, g_array_index (ids, guint, i));
}

static void
action_arrange (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioCanvas *self = STUDIO_CANVAS (widget);
  g_autoptr (GError) error = NULL;

  if (self->pipeline == NULL || studio_pipeline_get_n_nodes (self->pipeline) == 0)
    return;
  if (!studio_pipeline_arrange (self->pipeline, W, H, &error))
    report_error (self, error);
}

static void
action_zoom (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioCanvas *self = STUDIO_CANVAS (widget);
  double cx = gtk_widget_get_width (widget) / 2.0, cy = gtk_widget_get_height (widget) / 2.0;

  if (g_str_equal (name, "canvas.zoom-in"))
    studio_canvas_zoom_at (self, ZOOM_STEP, cx, cy);
  else if (g_str_equal (name, "canvas.zoom-out"))
    studio_canvas_zoom_at (self, 1 / ZOOM_STEP, cx, cy);
  else
    studio_canvas_set_view (self, 1.0, 0, 0);
}

static void
action_select_all (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioCanvas *self = STUDIO_CANVAS (widget);

  studio_canvas_select (self, 0);
  for (guint i = 0; self->pipeline && i < studio_pipeline_get_n_nodes (self->pipeline); i++)
    studio_canvas_toggle_selected (self, studio_pipeline_get_node (self->pipeline, i)->id);
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
  gboolean pruned = FALSE;

  g_hash_table_remove_all (self->problems);
  for (guint i = self->sel->len; i-- > 0;)
    if (studio_pipeline_lookup (self->pipeline, g_array_index (self->sel, guint, i)) == NULL)
      {
        g_array_remove_index (self->sel, i);
        pruned = TRUE;
      }
  if (pruned)
    {
      self->selected = self->sel->len > 0 ? g_array_index (self->sel, guint, 0) : 0;
      selection_changed (self);
    }
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
      g_signal_connect_swapped (pipeline, "node-changed", G_CALLBACK (forget_problems), self);
    }
  self->selected = 0;
  g_array_set_size (self->sel, 0);
  g_hash_table_remove_all (self->problems);
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

static void
selection_changed (StudioCanvas *self)
{
  gboolean any = self->sel->len > 0;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "canvas.delete", any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "canvas.copy", any);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
studio_canvas_select (StudioCanvas *self, guint id)
{
  g_return_if_fail (STUDIO_IS_CANVAS (self));
  if (self->selected == id && self->sel->len == (id != 0 ? 1u : 0u))
    return;
  self->selected = id;
  g_array_set_size (self->sel, 0);
  if (id != 0)
    g_array_append_val (self->sel, id);
  selection_changed (self);
}

gboolean
studio_canvas_is_selected (StudioCanvas *self, guint id)
{
  g_return_val_if_fail (STUDIO_IS_CANVAS (self), FALSE);
  for (guint i = 0; i < self->sel->len; i++)
    if (g_array_index (self->sel, guint, i) == id)
      return TRUE;
  return FALSE;
}

void
studio_canvas_toggle_selected (StudioCanvas *self, guint id)
{
  g_return_if_fail (STUDIO_IS_CANVAS (self));
  for (guint i = 0; i < self->sel->len; i++)
    if (g_array_index (self->sel, guint, i) == id)
      {
        g_array_remove_index (self->sel, i);
        if (self->selected == id)
          self->selected = self->sel->len > 0 ? g_array_index (self->sel, guint, 0) : 0;
        selection_changed (self);
        return;
      }
  if (id == 0)
    return;
  g_array_append_val (self->sel, id);
  self->selected = id;
  selection_changed (self);
}

const guint *
studio_canvas_get_selection (StudioCanvas *self, guint *n)
{
  g_return_val_if_fail (STUDIO_IS_CANVAS (self), NULL);
  *n = self->sel->len;
  return (const guint *) self->sel->data;
}

void
studio_canvas_select_rect (StudioCanvas *self, double x0, double y0, double x1, double y1,
                           gboolean extend)
{
  double ax = (MIN (x0, x1) - self->pan_x) / self->zoom;
  double ay = (MIN (y0, y1) - self->pan_y) / self->zoom;
  double bx = (MAX (x0, x1) - self->pan_x) / self->zoom;
  double by = (MAX (y0, y1) - self->pan_y) / self->zoom;

  g_return_if_fail (STUDIO_IS_CANVAS (self));
  if (!extend)
    studio_canvas_select (self, 0);
  for (guint i = 0; self->pipeline && i < studio_pipeline_get_n_nodes (self->pipeline); i++)
    {
      const StudioNode *n = studio_pipeline_get_node (self->pipeline, i);
      /* a node is taken when the band touches it */
      if (n->x <= bx && n->x + W >= ax && n->y <= by && n->y + H >= ay
          && !studio_canvas_is_selected (self, n->id))
        studio_canvas_toggle_selected (self, n->id);
    }
}

void
studio_canvas_set_view (StudioCanvas *self, double zoom, double pan_x, double pan_y)
{
  g_return_if_fail (STUDIO_IS_CANVAS (self));
  self->zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  self->pan_x = pan_x;
  self->pan_y = pan_y;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
studio_canvas_zoom_at (StudioCanvas *self, double factor, double x, double y)
{
  double z, cx, cy;

  g_return_if_fail (STUDIO_IS_CANVAS (self));
  z = CLAMP (self->zoom * factor, ZOOM_MIN, ZOOM_MAX);
  /* keep the canvas point under (x, y) where it is */
  cx = (x - self->pan_x) / self->zoom;
  cy = (y - self->pan_y) / self->zoom;
  studio_canvas_set_view (self, z, x - cx * z, y - cy * z);
}

double
studio_canvas_get_zoom (StudioCanvas *self, double *pan_x, double *pan_y)
{
  g_return_val_if_fail (STUDIO_IS_CANVAS (self), 1.0);
  if (pan_x != NULL)
    *pan_x = self->pan_x;
  if (pan_y != NULL)
    *pan_y = self->pan_y;
  return self->zoom;
}

static void
studio_canvas_dispose (GObject *object)
{
  StudioCanvas *self = STUDIO_CANVAS (object);
  if (self->pipeline != NULL)
    g_signal_handlers_disconnect_by_data (self->pipeline, self);
  g_clear_object (&self->pipeline);
  g_clear_object (&self->clip);
  g_clear_pointer (&self->draft, g_free);
  g_clear_pointer (&self->draft_group, g_free);
  g_clear_pointer (&self->draft_columns, g_free);
  g_clear_pointer (&self->draft_options, g_free);
  g_clear_pointer (&self->draft_watermark, g_free);
  g_clear_pointer (&self->problems, g_hash_table_unref);
  G_OBJECT_CLASS (studio_canvas_parent_class)->dispose (object);
}

static void
studio_canvas_finalize (GObject *object)
{
  StudioCanvas *self = STUDIO_CANVAS (object);
  g_clear_pointer (&self->sel, g_array_unref);
  g_clear_pointer (&self->origins, g_array_unref);
  G_OBJECT_CLASS (studio_canvas_parent_class)->finalize (object);
}

static void
studio_canvas_class_init (StudioCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = studio_canvas_dispose;
  object_class->finalize = studio_canvas_finalize;
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
  gtk_widget_class_install_action (widget_class, "canvas.copy", NULL, action_copy);
  gtk_widget_class_install_action (widget_class, "canvas.paste", NULL, action_paste);
  gtk_widget_class_install_action (widget_class, "canvas.arrange", NULL, action_arrange);
  gtk_widget_class_install_action (widget_class, "canvas.select-all", NULL, action_select_all);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-in", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-out", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-reset", NULL, action_zoom);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK,
                                       "canvas.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK,
                                       "canvas.paste", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK,
                                       "canvas.select-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK,
                                       "canvas.arrange", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK,
                                       "canvas.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK,
                                       "canvas.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK,
                                       "canvas.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK,
                                       "canvas.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK,
                                       "canvas.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK,
                                       "canvas.zoom-reset", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "canvas.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_BackSpace, 0, "canvas.delete",
                                       NULL);
  gtk_widget_class_set_css_name (widget_class, "studio-canvas");
}

static void
studio_canvas_init (StudioCanvas *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkGesture *pan = gtk_gesture_drag_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (
    GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_STRING, GDK_ACTION_COPY);

  self->sel = g_array_new (FALSE, FALSE, sizeof (guint));
  self->problems = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->origins = g_array_new (FALSE, FALSE, sizeof (double));
  self->zoom = 1.0;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (pan), GDK_BUTTON_MIDDLE);
  g_signal_connect (pan, "drag-begin", G_CALLBACK (pan_begin), self);
  g_signal_connect (pan, "drag-update", G_CALLBACK (pan_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (pan));
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
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
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "canvas.copy", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "canvas.paste", FALSE);
}

GtkWidget *
studio_canvas_new (void)
{
  return g_object_new (STUDIO_TYPE_CANVAS, NULL);
}
