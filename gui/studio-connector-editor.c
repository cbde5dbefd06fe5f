/* studio-connector-editor.c: the inspector's fields for a connector node.
 *
 * The widget only holds text: it neither checks nor applies anything itself. The window
 * turns its "changed" into a draft that the canvas checks (so the node is marked while
 * typing, as other nodes are) and its "apply" into one undo step on the model. Options are
 * a multi-line text view rather than a key/value list editor: it is what a user pastes a
 * WITH clause's lines into, and the model keeps the same text. */
#include "studio-connector-editor.h"

struct _StudioConnectorEditor {
  GtkBox parent_instance;
  GtkLabel *hint;           /* borrowed children */
  GtkEntry *columns;
  GtkTextView *options;
  GtkEntry *watermark;
  gboolean quiet;           /* set_node is filling the fields: no "changed" */
  char *problem;            /* owned, nullable */
};

G_DEFINE_FINAL_TYPE (StudioConnectorEditor, studio_connector_editor, GTK_TYPE_BOX)

enum { CHANGED, APPLY, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
on_changed (StudioConnectorEditor *self)
{
  if (!self->quiet)
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_apply (StudioConnectorEditor *self)
{
  g_signal_emit (self, signals[APPLY], 0);
}

static void
studio_connector_editor_finalize (GObject *object)
{
  StudioConnectorEditor *self = STUDIO_CONNECTOR_EDITOR (object);
  g_free (self->problem);
  G_OBJECT_CLASS (studio_connector_editor_parent_class)->finalize (object);
}

static void
studio_connector_editor_class_init (StudioConnectorEditorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = studio_connector_editor_finalize;
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[APPLY] = g_signal_new ("apply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static GtkWidget *
caption (const char *text)
{
  GtkWidget *label = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "caption");
  return label;
}

static void
studio_connector_editor_init (StudioConnectorEditor *self)
{
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *scroll = gtk_scrolled_window_new ();
  GtkWidget *button = gtk_button_new_with_label ("Apply");
  GtkBox *box = GTK_BOX (self);

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (box, 4);
  self->hint = GTK_LABEL (caption (""));
  gtk_label_set_wrap (self->hint, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->hint), "dim-label");
  self->columns = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (self->columns, "id BIGINT, name VARCHAR");
  self->options = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_monospace (self->options, TRUE);
  gtk_text_view_set_wrap_mode (self->options, GTK_WRAP_CHAR);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), GTK_WIDGET (self->options));
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroll), 72);
  gtk_frame_set_child (GTK_FRAME (frame), scroll);
  self->watermark = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (self->watermark, "ts AS ts - INTERVAL '5' SECOND");
  gtk_box_append (box, caption ("Columns"));
  gtk_box_append (box, GTK_WIDGET (self->columns));
  gtk_box_append (box, caption ("Options, one key = value per line"));
  gtk_box_append (box, frame);
  gtk_box_append (box, GTK_WIDGET (self->hint));
  gtk_box_append (box, caption ("WATERMARK FOR (optional)"));
  gtk_box_append (box, GTK_WIDGET (self->watermark));
  gtk_widget_set_halign (button, GTK_ALIGN_END);
  gtk_box_append (box, button);
  g_signal_connect_swapped (self->columns, "changed", G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (self->watermark, "changed", G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->options), "changed",
                            G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (self->columns, "activate", G_CALLBACK (on_apply), self);
  g_signal_connect_swapped (self->watermark, "activate", G_CALLBACK (on_apply), self);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_apply), self);
}

GtkWidget *
studio_connector_editor_new (void)
{
  return g_object_new (STUDIO_TYPE_CONNECTOR_EDITOR, NULL);
}

static void
set_fields (StudioConnectorEditor *self, const char *columns, const char *options,
            const char *watermark)
{
  if (columns != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->columns), columns);
  if (options != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->options), options, -1);
  if (watermark != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->watermark), watermark);
}

void
studio_connector_editor_set_node (StudioConnectorEditor *self, const StudioNode *n)
{
  g_autofree char *hint = NULL;

  g_return_if_fail (STUDIO_IS_CONNECTOR_EDITOR (self));
  self->quiet = TRUE;
  if (n != NULL && studio_node_is_connector (n))
    {
      set_fields (self, n->columns, n->options, n->watermark);
      gtk_entry_set_placeholder_text (self->columns, n->kind == STUDIO_NODE_SINK
                                                       ? "empty: the columns of its input"
                                                       : "id BIGINT, name VARCHAR");
      hint = g_strdup_printf ("'%s' accepts: %s", n->connector,
                              studio_connector_hint (n->connector));
    }
  else
    set_fields (self, "", "", "");
  gtk_label_set_text (self->hint, hint != NULL ? hint : "");
  self->quiet = FALSE;
  studio_connector_editor_set_problem (self, NULL);
}

void
studio_connector_editor_set_texts (StudioConnectorEditor *self, const char *columns,
                                   const char *options, const char *watermark)
{
  g_return_if_fail (STUDIO_IS_CONNECTOR_EDITOR (self));
  self->quiet = TRUE;
  set_fields (self, columns, options, watermark);
  self->quiet = FALSE;
  g_signal_emit (self, signals[CHANGED], 0);
}

char *
studio_connector_editor_dup_columns (StudioConnectorEditor *self)
{
  g_return_val_if_fail (STUDIO_IS_CONNECTOR_EDITOR (self), NULL);
  return g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->columns)));
}

char *
studio_connector_editor_dup_options (StudioConnectorEditor *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (STUDIO_IS_CONNECTOR_EDITOR (self), NULL);
  buffer = gtk_text_view_get_buffer (self->options);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

char *
studio_connector_editor_dup_watermark (StudioConnectorEditor *self)
{
  g_return_val_if_fail (STUDIO_IS_CONNECTOR_EDITOR (self), NULL);
  return g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->watermark)));
}

static void
mark (GtkWidget *w, const char *problem)
{
  if (problem != NULL)
    gtk_widget_add_css_class (w, "error");
  else
    gtk_widget_remove_css_class (w, "error");
  gtk_widget_set_tooltip_text (w, problem);
}

void
studio_connector_editor_set_problem (StudioConnectorEditor *self, const char *problem)
{
  g_return_if_fail (STUDIO_IS_CONNECTOR_EDITOR (self));
  g_free (self->problem);
  self->problem = g_strdup (problem);
  mark (GTK_WIDGET (self->columns), problem);
  mark (GTK_WIDGET (self->options), problem);
  mark (GTK_WIDGET (self->watermark), problem);
}

const char *
studio_connector_editor_get_problem (StudioConnectorEditor *self)
{
  g_return_val_if_fail (STUDIO_IS_CONNECTOR_EDITOR (self), NULL);
  return self->problem;
}
