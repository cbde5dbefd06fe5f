/* studio-history-bar.c: the metric history slider (see the header).
 *
 * The scale's adjustment runs over 0 .. length - 1 and is rebuilt on every push; while
 * live the value follows the newest snapshot. "Live" is a mode, not a position test done
 * on the float value, so a full ring that drops its oldest entry does not make a replay
 * at the last-but-one snapshot jump to live. Pushes and slider moves happen in the main
 * context only (the window applies snapshots there). */
#include "studio-history-bar.h"

struct _StudioHistoryBar {
  GtkWidget parent_instance;
  GtkWidget *box;             /* owned (child) */
  GtkScale *scale;            /* borrowed: in box */
  GtkLabel *label;            /* borrowed: in box */
  StudioMetricHistory *history; /* owned */
  StudioPlanView *view;       /* borrowed, nullable */
  PlanPhysPlan *plan;         /* owned ref, nullable */
  gboolean live;
  gboolean updating;          /* the scale is being set from code */
  guint shown;                /* index shown while not live */
};

G_DEFINE_FINAL_TYPE (StudioHistoryBar, studio_history_bar, GTK_TYPE_WIDGET)

static void
update_label (StudioHistoryBar *self)
{
  guint n = studio_metric_history_get_length (self->history);
  gint64 t_shown = 0, t_last = 0;
  g_autofree char *text = NULL;

  if (n == 0)
    text = g_strdup ("No metrics yet");
  else if (self->live)
    text = g_strdup_printf ("Live (%u snapshots kept)", n);
  else
    {
      studio_metric_history_get_json (self->history, self->shown, &t_shown);
      studio_metric_history_get_json (self->history, n - 1, &t_last);
      text = g_strdup_printf ("Snapshot %u of %u, %.1f s ago", self->shown + 1, n,
                              (double) (t_last - t_shown) / 1000.0);
    }
  gtk_label_set_text (self->label, text);
}

static void
sync_scale (StudioHistoryBar *self)
{
  guint n = studio_metric_history_get_length (self->history);

  self->updating = TRUE;
  gtk_range_set_range (GTK_RANGE (self->scale), 0, MAX (n, 2) - 1);
  gtk_range_set_value (GTK_RANGE (self->scale), self->live ? MAX (n, 1) - 1 : self->shown);
  gtk_widget_set_sensitive (GTK_WIDGET (self->scale), n > 1);
  self->updating = FALSE;
  update_label (self);
}

static void
show_replay (StudioHistoryBar *self)
{
  g_autoptr (GError) error = NULL;
  StudioMonitorState *state;

  if (self->view == NULL || self->plan == NULL)
    return;
  state = studio_metric_history_dup_state (self->history, self->plan, self->shown, &error);
  if (state != NULL)
    studio_plan_view_set_state (self->view, state);
}

void
studio_history_bar_show (StudioHistoryBar *self, guint index)
{
  guint n;

  g_return_if_fail (STUDIO_IS_HISTORY_BAR (self));
  n = studio_metric_history_get_length (self->history);
  if (n == 0)
    return;
  index = MIN (index, n - 1);
  self->live = index == n - 1;
  self->shown = index;
  show_replay (self); /* live too: the newest snapshot, rebuilt */
  sync_scale (self);
}

static void
on_value_changed (GtkRange *range, StudioHistoryBar *self)
{
  double v = gtk_range_get_value (range);

  if (self->updating)
    return;
  studio_history_bar_show (self, (guint) MAX (0, v + 0.5));
}

void
studio_history_bar_push (StudioHistoryBar *self, const char *json, StudioMonitorState *state)
{
  guint64 before;

  g_return_if_fail (STUDIO_IS_HISTORY_BAR (self));
  before = studio_metric_history_get_length (self->history);
  studio_metric_history_push (self->history, json, state != NULL ? state->taken_ms
                                                                 : g_get_real_time () / 1000);
  if (self->live)
    {
      if (self->view != NULL && state != NULL)
        studio_plan_view_set_state (self->view, state);
      else
        studio_monitor_state_free (state);
    }
  else
    {
      /* a full ring dropped its oldest: the replayed snapshot moved down one */
      if (before == studio_metric_history_get_length (self->history) && self->shown > 0)
        self->shown--;
      studio_monitor_state_free (state);
    }
  sync_scale (self);
}

void
studio_history_bar_set_target (StudioHistoryBar *self, StudioPlanView *view,
                               PlanPhysPlan *plan)
{
  g_return_if_fail (STUDIO_IS_HISTORY_BAR (self));
  self->view = view;
  if (plan != NULL)
    plan_phys_plan_ref (plan);
  g_clear_pointer (&self->plan, plan_phys_plan_unref);
  self->plan = plan;
  studio_metric_history_clear (self->history);
  self->live = TRUE;
  self->shown = 0;
  sync_scale (self);
}

gboolean
studio_history_bar_is_live (StudioHistoryBar *self)
{
  g_return_val_if_fail (STUDIO_IS_HISTORY_BAR (self), TRUE);
  return self->live;
}

GtkRange *
studio_history_bar_get_scale (StudioHistoryBar *self)
{
  g_return_val_if_fail (STUDIO_IS_HISTORY_BAR (self), NULL);
  return GTK_RANGE (self->scale);
}

const char *
studio_history_bar_get_text (StudioHistoryBar *self)
{
  g_return_val_if_fail (STUDIO_IS_HISTORY_BAR (self), NULL);
  return gtk_label_get_text (self->label);
}

StudioMetricHistory *
studio_history_bar_get_history (StudioHistoryBar *self)
{
  g_return_val_if_fail (STUDIO_IS_HISTORY_BAR (self), NULL);
  return self->history;
}

static void
studio_history_bar_dispose (GObject *object)
{
  StudioHistoryBar *self = STUDIO_HISTORY_BAR (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);
  self->view = NULL;
  G_OBJECT_CLASS (studio_history_bar_parent_class)->dispose (object);
}

static void
studio_history_bar_finalize (GObject *object)
{
  StudioHistoryBar *self = STUDIO_HISTORY_BAR (object);

  studio_metric_history_free (self->history);
  g_clear_pointer (&self->plan, plan_phys_plan_unref);
  G_OBJECT_CLASS (studio_history_bar_parent_class)->finalize (object);
}

static void
studio_history_bar_class_init (StudioHistoryBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = studio_history_bar_dispose;
  object_class->finalize = studio_history_bar_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
studio_history_bar_init (StudioHistoryBar *self)
{
  GtkWidget *title = gtk_label_new ("History");

  self->history = studio_metric_history_new (STUDIO_HISTORY_DEFAULT_CAPACITY);
  self->live = TRUE;
  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_widget_add_css_class (title, "caption-heading");
  gtk_box_append (GTK_BOX (self->box), title);
  self->scale = GTK_SCALE (gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 1, 1));
  gtk_scale_set_draw_value (self->scale, FALSE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->scale), TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->scale),
                               "Drag to replay the job's metrics; the right end is live");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->scale));
  self->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_width_chars (self->label, 28);
  gtk_label_set_xalign (self->label, 0);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->label));
  g_signal_connect (self->scale, "value-changed", G_CALLBACK (on_value_changed), self);
  sync_scale (self);
}

GtkWidget *
studio_history_bar_new (void)
{
  return g_object_new (STUDIO_TYPE_HISTORY_BAR, NULL);
}
