/* studio-plan-view.c: the plan view and the monitor's graph, one widget for both.
 *
 * Graphviz computed where everything goes (studio-plan-layout.c); this widget only
 * draws boxes, Bezier edges and labels from those numbers with cairo, so hit testing is
 * a rectangle test against the same numbers and every node stays clickable. With a
 * monitor state set, boxes are filled in Flink's colours and edges carry the texts of
 * studio_monitor_edge_text (rows/s, channel fill, watermark lag, latency), centred on
 * the spot dot kept for the label (the monitor's layout asks for room for them). */
#include "studio-plan-view.h"

#define MARGIN 16.0

struct _StudioPlanView {
  GtkWidget parent_instance;
  StudioPlanLayout *layout;   /* owned, nullable */
  StudioMonitorState *state;  /* owned, nullable */
  char *message;              /* owned, nullable: shown when there is no layout */
  gint selected;              /* physical node id, -1 none */
};

G_DEFINE_FINAL_TYPE (StudioPlanView, studio_plan_view, GTK_TYPE_WIDGET)

enum { NODE_ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
show_text (StudioPlanView *self, cairo_t *cr, const char *markup, double x, double y,
           double w, PangoAlignment align)
{
  PangoLayout *pl = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  pango_layout_set_markup (pl, markup, -1);
  if (w > 0)
    {
      pango_layout_set_width (pl, (int) (w * PANGO_SCALE));
      pango_layout_set_ellipsize (pl, PANGO_ELLIPSIZE_END);
    }
  pango_layout_set_alignment (pl, align);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, pl);
  g_object_unref (pl);
}

/* Like show_text, with the text's middle line at y. */
static void
show_text_centred (StudioPlanView *self, cairo_t *cr, const char *markup, double x, double y,
                   double w)
{
  PangoLayout *pl = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  int pw, ph;

  pango_layout_set_markup (pl, markup, -1);
  pango_layout_set_width (pl, (int) (w * PANGO_SCALE));
  pango_layout_set_ellipsize (pl, PANGO_ELLIPSIZE_END);
  pango_layout_get_pixel_size (pl, &pw, &ph);
  cairo_move_to (cr, x, y - ph / 2.0);
  pango_cairo_show_layout (cr, pl);
  g_object_unref (pl);
}

static const StudioOpState *
op_state (StudioPlanView *self, guint id)
{
  if (self->state == NULL || id >= self->state->n_ops)
    return NULL;
  return &self->state->ops[id];
}

static void
draw_arrow (StudioPlanView *self, cairo_t *cr, const StudioPlanArrow *a)
{
  const double *p = a->points;
  g_autofree char *metrics = NULL;
  g_autofree char *label = NULL;
  g_autofree char *markup = NULL;

  if (a->n_points < 4)
    return;
  cairo_set_source_rgb (cr, 0.42, 0.42, 0.46);
  cairo_set_line_width (cr, 1.8);
  cairo_move_to (cr, p[0], p[1]);
  for (guint k = 1; k + 2 < a->n_points; k += 3)
    cairo_curve_to (cr, p[2 * k], p[2 * k + 1], p[2 * k + 2], p[2 * k + 3], p[2 * k + 4],
                    p[2 * k + 5]);
  cairo_stroke (cr);
  {
    /* arrow head along the last segment */
    guint n = a->n_points;
    double x1 = p[2 * (n - 1)], y1 = p[2 * (n - 1) + 1];
    double x0 = p[2 * (n - 4)], y0 = p[2 * (n - 4) + 1];
    double ang = atan2 (y1 - y0, x1 - x0);
    cairo_move_to (cr, x1, y1);
    cairo_line_to (cr, x1 - 10 * cos (ang - 0.4), y1 - 10 * sin (ang - 0.4));
    cairo_line_to (cr, x1 - 10 * cos (ang + 0.4), y1 - 10 * sin (ang + 0.4));
    cairo_close_path (cr);
    cairo_fill (cr);
  }
  if (self->state != NULL)
    metrics = studio_monitor_edge_text (self->state, a->from, a->to, self->state->taken_ms);
  label = metrics != NULL ? g_strdup_printf ("%s\n%s", a->label, metrics) : g_strdup (a->label);
  markup = g_markup_printf_escaped ("<small>%s</small>", label);
  cairo_set_source_rgb (cr, 0.25, 0.25, 0.3);
  {
    /* beside the middle of the edge, where dot left room for the label */
    guint mid = (a->n_points / 2) * 2;
    double x = MAX (p[mid] + 10, a->label_x - a->label_w / 2);
    show_text_centred (self, cr, markup, x, a->label_y, MAX (a->label_w, 120));
  }
}

static void
draw_box (StudioPlanView *self, cairo_t *cr, const StudioPlanBox *b)
{
  const StudioOpState *op = op_state (self, b->id);
  gboolean sel = (gint) b->id == self->selected;
  double rgb[3] = { 1, 1, 1 };
  gboolean dark;
  g_autofree char *markup = NULL;

  if (self->state != NULL)
    studio_load_color (op, rgb);
  dark = 0.3 * rgb[0] + 0.59 * rgb[1] + 0.11 * rgb[2] < 0.6;
  cairo_rectangle (cr, b->x, b->y, b->w, b->h);
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
  cairo_fill_preserve (cr);
  if (op != NULL && op->cause)
    cairo_set_source_rgb (cr, 0.95, 0.75, 0.05);
  else if (sel)
    cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);
  else
    cairo_set_source_rgb (cr, 0.35, 0.35, 0.38);
  cairo_set_line_width (cr, (sel || (op != NULL && op->cause)) ? 4 : 1.2);
  cairo_stroke (cr);
  if (op != NULL && op->load != STUDIO_LOAD_UNKNOWN)
    markup = g_markup_printf_escaped ("<b>%s</b>\n<small>busy %.0f%%, backpressured "
                                      "%.0f%%%s</small>", b->title, op->busy * 100,
                                      op->backpressured * 100, op->cause ? ", CAUSE" : "");
  else
    markup = g_markup_printf_escaped ("<b>%s</b>\n<small>%s</small>", b->title, b->subtitle);
  if (dark)
    cairo_set_source_rgb (cr, 1, 1, 1);
  else
    cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  show_text (self, cr, markup, b->x + 6, b->y + b->h / 2 - 16, b->w - 12, PANGO_ALIGN_CENTER);
}

static void
draw_legend (StudioPlanView *self, cairo_t *cr, double y)
{
  static const struct { const char *name; StudioOpState op; } keys[] = {
    { "idle", { .idle = 1, .load = STUDIO_LOAD_IDLE } },
    { "busy", { .busy = 1, .load = STUDIO_LOAD_BUSY } },
    { "backpressured", { .backpressured = 1, .load = STUDIO_LOAD_BACKPRESSURED } },
  };
  double x = MARGIN;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      double rgb[3];
      studio_load_color (&keys[i].op, rgb);
      cairo_rectangle (cr, x, y, 14, 14);
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
      show_text (self, cr, keys[i].name, x + 20, y - 2, -1, PANGO_ALIGN_LEFT);
      x += 130;
    }
  cairo_rectangle (cr, x + 1.5, y + 1.5, 11, 11);
  cairo_set_source_rgb (cr, 0.95, 0.75, 0.05);
  cairo_set_line_width (cr, 3);
  cairo_stroke (cr);
  cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
  show_text (self, cr, "cause of backpressure", x + 20, y - 2, -1, PANGO_ALIGN_LEFT);
  x += 200;
  if (self->state != NULL)
    {
      g_autofree char *s = g_markup_printf_escaped ("job %s, %.1f s", self->state->status,
                                                    self->state->elapsed_ms / 1000.0);
      show_text (self, cr, s, x + 20, y - 2, -1, PANGO_ALIGN_LEFT);
    }
}

static void
studio_plan_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  StudioPlanView *self = STUDIO_PLAN_VIEW (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));

  cairo_set_source_rgb (cr, 0.985, 0.985, 0.98);
  cairo_paint (cr);
  if (self->layout == NULL)
    {
      g_autofree char *m = g_markup_escape_text (self->message ? self->message
                                                               : "No plan yet.", -1);
      cairo_set_source_rgb (cr, 0.4, 0.4, 0.4);
      show_text (self, cr, m, 24, 24, w - 48, PANGO_ALIGN_LEFT);
      cairo_destroy (cr);
      return;
    }
  cairo_translate (cr, MARGIN, MARGIN + (self->state != NULL ? 28 : 0));
  for (guint i = 0; i < self->layout->arrows->len; i++)
    draw_arrow (self, cr, &g_array_index (self->layout->arrows, StudioPlanArrow, i));
  for (guint i = 0; i < self->layout->boxes->len; i++)
    draw_box (self, cr, &g_array_index (self->layout->boxes, StudioPlanBox, i));
  cairo_identity_matrix (cr);
  if (self->state != NULL)
    draw_legend (self, cr, 10);
  cairo_destroy (cr);
}

static void
studio_plan_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                          int *minimum, int *natural, int *min_baseline, int *nat_baseline)
{
  StudioPlanView *self = STUDIO_PLAN_VIEW (widget);
  double size = 200;

  if (self->layout != NULL)
    size = (orientation == GTK_ORIENTATION_HORIZONTAL ? self->layout->width
                                                      : self->layout->height + 28)
           + 2 * MARGIN;
  *minimum = *natural = (int) size;
}

static void
on_pressed (GtkGestureClick *click, int n_press, double x, double y, StudioPlanView *self)
{
  gint i;

  if (self->layout == NULL)
    return;
  i = studio_plan_layout_hit (self->layout, x - MARGIN,
                              y - MARGIN - (self->state != NULL ? 28 : 0));
  if (i < 0)
    return;
  studio_plan_view_select (self, (gint) g_array_index (self->layout->boxes, StudioPlanBox,
                                                       i).id);
  g_signal_emit (self, signals[NODE_ACTIVATED], 0,
                 g_array_index (self->layout->boxes, StudioPlanBox, i).id);
}

void
studio_plan_view_set_layout (StudioPlanView *self, StudioPlanLayout *layout,
                             const char *message)
{
  g_return_if_fail (STUDIO_IS_PLAN_VIEW (self));
  g_clear_pointer (&self->layout, studio_plan_layout_free);
  g_clear_pointer (&self->state, studio_monitor_state_free);
  self->layout = layout;
  g_free (self->message);
  self->message = g_strdup (message);
  self->selected = -1;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

const StudioPlanLayout *
studio_plan_view_get_layout (StudioPlanView *self)
{
  g_return_val_if_fail (STUDIO_IS_PLAN_VIEW (self), NULL);
  return self->layout;
}

void
studio_plan_view_set_state (StudioPlanView *self, StudioMonitorState *state)
{
  g_return_if_fail (STUDIO_IS_PLAN_VIEW (self));
  g_clear_pointer (&self->state, studio_monitor_state_free);
  self->state = state;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

const StudioMonitorState *
studio_plan_view_get_state (StudioPlanView *self)
{
  g_return_val_if_fail (STUDIO_IS_PLAN_VIEW (self), NULL);
  return self->state;
}

gint
studio_plan_view_get_selected (StudioPlanView *self)
{
  g_return_val_if_fail (STUDIO_IS_PLAN_VIEW (self), -1);
  return self->selected;
}

void
studio_plan_view_select (StudioPlanView *self, gint id)
{
  g_return_if_fail (STUDIO_IS_PLAN_VIEW (self));
  self->selected = id;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
studio_plan_view_finalize (GObject *object)
{
  StudioPlanView *self = STUDIO_PLAN_VIEW (object);
  studio_plan_layout_free (self->layout);
  studio_monitor_state_free (self->state);
  g_free (self->message);
  G_OBJECT_CLASS (studio_plan_view_parent_class)->finalize (object);
}

static void
studio_plan_view_class_init (StudioPlanViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = studio_plan_view_finalize;
  widget_class->snapshot = studio_plan_view_snapshot;
  widget_class->measure = studio_plan_view_measure;
  signals[NODE_ACTIVATED] = g_signal_new ("node-activated", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_UINT);
  gtk_widget_class_set_css_name (widget_class, "studio-plan-view");
}

static void
studio_plan_view_init (StudioPlanView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  self->selected = -1;
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

GtkWidget *
studio_plan_view_new (void)
{
  return g_object_new (STUDIO_TYPE_PLAN_VIEW, NULL);
}
