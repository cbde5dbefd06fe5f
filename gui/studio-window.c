/* studio-window.c: the main window, which ties one StudioPipeline to its views.
 *
 * The pipeline model is the single source of truth. The canvas edits it; its "changed"
 * signal regenerates the SQL in the editor and re-plans the Plan view. Typing in the SQL
 * editor goes the other way after a short pause (or at once with Ctrl+Enter): the text
 * is parsed and bound by the real SQL front end and replaces the model, and while that
 * happens the editor is not rewritten under the user's cursor.
 *
 * The monitor polls the running job's metrics off the main thread (a GTask in a worker
 * thread builds the per-operator state from the gateway's JSON) and hands the result to
 * the main context with g_main_context_invoke, so a slow snapshot never stalls drawing. */
#include "studio-window.h"
#include "studio-results.h"
#include "studio-history-bar.h"
#include "studio-export.h"
#include "studio-design.h"

#include <gtksourceview/gtksource.h>
#include "optimizer/opt.h"
#include "repl/repl.h"
#include "studio-resources.h"

#define POLL_MS 500
#define SQL_PAUSE_MS 700

struct _StudioWindow {
  AdwApplicationWindow parent_instance;

  /* template children, borrowed */
  AdwToastOverlay *toast_overlay;
  AdwViewStack *stack;
  GtkMenuButton *connection_button;
  GtkCheckButton *embedded_check;
  GtkCheckButton *remote_check;
  GtkEntry *remote_url;
  GtkPasswordEntry *remote_token;
  GtkButton *connect_button;
  GtkListBox *palette;
  StudioCanvas *canvas;
  GtkLabel *inspector_title;
  GtkEntry *text_entry;
  GtkEntry *group_entry;
  StudioConnectorEditor *connector_editor; /* made in init, after group_entry */
  GtkSourceView *sql_view;
  GtkLabel *sql_status;
  StudioPlanView *plan_view;
  GtkLabel *plan_details;
  StudioPlanView *monitor_view;
  GtkLabel *monitor_status;
  GtkLabel *checkpoint_label;  /* the job's checkpoint statistics; hidden without them */
  StudioHistoryBar *history_bar; /* the metric history slider over monitor_view */
  GtkColumnView *results_view;
  GListStore *results;         /* owned: GtkStringList rows of the running job */

  GwClient *client;           /* owned; freed in finalize, after any metrics task */
  gboolean remote;            /* client is a strom serve connection */
  StudioPipeline *pipeline;   /* owned */
  gboolean syncing;           /* the editor is being rewritten from the model */
  gboolean from_sql;          /* the model is being replaced from the editor */
  guint sql_timeout_id;
  GwOperation *op;            /* borrowed from client: the monitored job */
  PlanPhysPlan *monitor_plan; /* owned ref, nullable */
  guint poll_id;
  gboolean poll_in_flight;     /* a worker is calling the operation: hands off */
  gboolean cancel_requested;   /* cancel at the next poll (one was in flight) */
  guint n_snapshots;
  guint64 result_rows;
  gboolean savepoint_requested; /* STOP JOB ... WITH SAVEPOINT at the next poll */
  char *savepoint_message;      /* owned, nullable: what the last one answered */
  char *notebook_path;          /* owned, nullable: the notebook designs are saved to */
  PlanPhysPlan *shown_plan;     /* owned ref, nullable: the Plan view's plan */
  char *plan_sql_text;          /* owned, nullable: the SQL it was compiled from */
  char *plan_explain;           /* owned, nullable: its EXPLAIN JSON */
};

G_DEFINE_FINAL_TYPE (StudioWindow, studio_window, ADW_TYPE_APPLICATION_WINDOW)

static void
toast (StudioWindow *self, const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

void
studio_window_toast (StudioWindow *self, const char *message)
{
  g_return_if_fail (STUDIO_IS_WINDOW (self));
  toast (self, message);
}

/* ---- palette ------------------------------------------------------------------------ */

static void
palette_add_header (StudioWindow *self, const char *title)
{
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *row = gtk_list_box_row_new ();

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_margin_top (label, 10);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_append (self->palette, row);
}

static void
palette_add_item (StudioWindow *self, const char *title, const char *spec)
{
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkDragSource *source = gtk_drag_source_new ();
  GdkContentProvider *content = gdk_content_provider_new_typed (G_TYPE_STRING, spec);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  gtk_widget_set_tooltip_text (row, "Drag onto the canvas, or press Enter to add");
  g_object_set_data_full (G_OBJECT (row), "spec", g_strdup (spec), g_free);
  gtk_drag_source_set_content (source, content);
  gtk_drag_source_set_actions (source, GDK_ACTION_COPY);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (source));
  g_object_unref (content);
  gtk_list_box_append (self->palette, row);
}

/* "datagen (new table)": a connector node that defines its own table. */
static void
palette_add_connectors (StudioWindow *self, StudioNodeKind kind)
{
  const char *const *list = studio_connector_list (kind);

  for (guint i = 0; list[i] != NULL; i++)
    {
      g_autofree char *spec = g_strdup_printf ("%s@%s", studio_node_kind_name (kind), list[i]);
      g_autofree char *title = g_strdup_printf ("%s (new table)", list[i]);
      palette_add_item (self, title, spec);
    }
}

static void
palette_rebuild (StudioWindow *self)
{
  PlanCatalog *catalog = gw_client_get_catalog (self->client);
  g_auto (GStrv) tables = plan_catalog_list_tables (catalog);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->palette))) != NULL)
    gtk_list_box_remove (self->palette, child);
  palette_add_header (self, "Sources");
  palette_add_connectors (self, STUDIO_NODE_SOURCE);
  for (guint i = 0; tables[i] != NULL; i++)
    {
      g_autofree char *spec = g_strdup_printf ("source:%s", tables[i]);
      palette_add_item (self, tables[i], spec);
    }
  if (tables[0] == NULL)
    palette_add_header (self, "(no catalog tables yet)");
  palette_add_header (self, "Transforms");
  palette_add_item (self, "Filter", "filter");
  palette_add_item (self, "Project", "project");
  palette_add_item (self, "Aggregate", "aggregate:COUNT(*) AS n");
  palette_add_item (self, "Join (inner)", "join:inner");
  palette_add_item (self, "Join (left)", "join:left");
  palette_add_item (self, "Join (full)", "join:full");
  palette_add_item (self, "Union all", "union");
  palette_add_item (self, "Top-N", "topn:amount DESC LIMIT 3");
  palette_add_item (self, "Dedup (first row)", "dedup:pt");
  palette_add_header (self, "Windows (right after a source)");
  palette_add_item (self, "Tumble", "window:TUMBLE(ts, 10 SECOND)");
  palette_add_item (self, "Hop", "window:HOP(ts, 5 SECOND, 10 SECOND)");
  palette_add_item (self, "Cumulate", "window:CUMULATE(ts, 10 SECOND, 1 MINUTE)");
  palette_add_item (self, "Session", "window:SESSION(ts, 5 SECOND)");
  palette_add_header (self, "Sinks");
  palette_add_item (self, "Collect to client", "sink");
  palette_add_connectors (self, STUDIO_NODE_SINK);
  for (guint i = 0; tables[i] != NULL; i++)
    {
      PlanTable *t = plan_catalog_get_table (catalog, tables[i]);
      const char *conn = t != NULL ? plan_table_get_option (t, "connector") : NULL;
      g_autofree char *spec = g_strdup_printf ("sink:%s", tables[i]);
      g_autofree char *title = g_strdup_printf ("%s (%s)", tables[i], conn ? conn : "?");
      palette_add_item (self, title, spec);
    }
}

static void
on_palette_activated (GtkListBox *box, GtkListBoxRow *row, StudioWindow *self)
{
  const char *spec = g_object_get_data (G_OBJECT (row), "spec");
  if (spec != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self->canvas), "canvas.add-node", "s", spec);
}

/* ---- plan view ---------------------------------------------------------------------- */

/* The optimized physical plan of sql, or NULL with an error. */
static PlanPhysPlan *
plan_sql_explained (StudioWindow *self, const char *sql, char **explain_json, GError **error)
{
  g_autoptr (PlanStatement) stmt = NULL;
  g_autoptr (OptResult) result = NULL;

  /* the script's CREATE TABLEs (connector nodes) bind into a copy of the catalog */
  stmt = studio_sql_compile_script (gw_client_get_catalog (self->client), sql, NULL, error);
  if (stmt == NULL)
    return NULL;
  if (stmt->plan == NULL || (stmt->kind != PLAN_STMT_QUERY && stmt->kind != PLAN_STMT_INSERT))
    {
      g_set_error_literal (error, PLAN_ERROR, 0, "Only SELECT and INSERT have a plan to show");
      return NULL;
    }
  result = opt_optimize (stmt->plan, gw_client_get_settings (self->client), error);
  if (result == NULL)
    return NULL;
  if (explain_json != NULL)
    *explain_json = plan_explain_json (stmt->plan, opt_result_get_logical (result),
                                       opt_result_get_physical (result), opt__est_bytes,
                                       NULL, 0, 0);
  return plan_phys_plan_ref (opt_result_get_physical (result));
}

static PlanPhysPlan *
plan_sql (StudioWindow *self, const char *sql, GError **error)
{
  return plan_sql_explained (self, sql, NULL, error);
}

static void
update_plan (StudioWindow *self, const char *sql, const char *why_not)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  StudioPlanLayout *layout = NULL;

  gtk_label_set_text (self->plan_details, "Click an operator to see its details.");
  if (sql == NULL)
    {
      studio_plan_view_set_layout (self->plan_view, NULL, why_not);
      return;
    }
  g_clear_pointer (&self->plan_explain, g_free);
  g_clear_pointer (&self->plan_sql_text, g_free);
  g_clear_pointer (&self->shown_plan, plan_phys_plan_unref);
  plan = plan_sql_explained (self, sql, &self->plan_explain, &error);
  if (plan != NULL)
    {
      self->plan_sql_text = g_strdup (sql);
      self->shown_plan = plan_phys_plan_ref (plan);
      layout = studio_plan_layout_new (plan, &error);
    }
  studio_plan_view_set_layout (self->plan_view, layout, error ? error->message : NULL);
}

static char *dup_editor_text (StudioWindow *self);

/* Selects the SQL operator id came from in the editor; returns that text, or NULL. The
 * plan was compiled from plan_sql_text, which the editor shows unless the user typed
 * something the canvas printed differently: then the fragment is looked up by text. */
static char *
highlight_sql (StudioWindow *self, guint id)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->sql_view));
  g_autofree char *text = NULL, *fragment = NULL;
  const char *at;
  guint start, end;
  GtkTextIter a, b;

  if (self->shown_plan == NULL || self->plan_sql_text == NULL
      || !studio_plan_node_sql_range (self->shown_plan, id, self->plan_sql_text, &start, &end))
    return NULL;
  fragment = g_strndup (self->plan_sql_text + start, end - start);
  text = dup_editor_text (self);
  at = g_str_has_prefix (text, self->plan_sql_text) ? text + start : strstr (text, fragment);
  if (at == NULL)
    return g_steal_pointer (&fragment);
  gtk_text_buffer_get_iter_at_offset (buffer, &a, (gint) g_utf8_pointer_to_offset (text, at));
  gtk_text_buffer_get_iter_at_offset (buffer, &b, (gint) g_utf8_pointer_to_offset (
                                                    text, at + strlen (fragment)));
  gtk_text_buffer_select_range (buffer, &a, &b);
  return g_steal_pointer (&fragment);
}

static void
show_plan_details (StudioWindow *self, const StudioPlanBox *b)
{
  g_autofree char *alternatives = studio_plan_alternatives_text (self->plan_explain, b->id);
  g_autofree char *fragment = highlight_sql (self, b->id);
  g_autoptr (GString) s = g_string_new (b->details);

  if (fragment != NULL)
    g_string_append_printf (s, "SQL (selected in the editor): %s\n", fragment);
  if (alternatives != NULL)
    g_string_append_printf (s, "%s\n", alternatives);
  gtk_label_set_text (self->plan_details, g_strchomp (s->str));
}

static void
on_plan_node (StudioPlanView *view, guint id, StudioWindow *self)
{
  const StudioPlanLayout *layout = studio_plan_view_get_layout (view);
  const StudioMonitorState *st = studio_plan_view_get_state (view);

  for (guint i = 0; layout != NULL && i < layout->boxes->len; i++)
    {
      const StudioPlanBox *b = &g_array_index (layout->boxes, StudioPlanBox, i);
      if (b->id != id)
        continue;
      if (view == self->plan_view)
        show_plan_details (self, b);
      else if (st != NULL && id < st->n_ops)
        {
          g_autofree char *s = g_strdup_printf (
            "%s: %s, busy %.0f%%, idle %.0f%%, backpressured %.0f%%, %.0f rows/s, "
            "%" G_GUINT64_FORMAT " rows out", b->title, studio_load_name (st->ops[id].load),
            st->ops[id].busy * 100, st->ops[id].idle * 100, st->ops[id].backpressured * 100,
            st->ops[id].rows_per_s, st->ops[id].rows_out);
          gtk_label_set_text (self->monitor_status, s);
        }
    }
}

const char *
studio_window_get_plan_details (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), NULL);
  return gtk_label_get_text (self->plan_details);
}

void
studio_window_show_plan_node (StudioWindow *self, guint id)
{
  g_return_if_fail (STUDIO_IS_WINDOW (self));
  studio_plan_view_select (self->plan_view, (gint) id);
  on_plan_node (self->plan_view, id, self);
}

/* ---- model <-> SQL editor ----------------------------------------------------------- */

static void
update_actions (StudioWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo",
                                 studio_pipeline_can_undo (self->pipeline));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.redo",
                                 studio_pipeline_can_redo (self->pipeline));
}

static void
set_editor_text (StudioWindow *self, const char *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->sql_view));
  self->syncing = TRUE;
  gtk_text_buffer_set_text (buffer, text, -1);
  self->syncing = FALSE;
}

static void on_selection_changed (StudioWindow *self);

static void
on_pipeline_changed (StudioWindow *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = studio_pipeline_to_sql (self->pipeline, &error);

  update_actions (self);
  if (!self->from_sql)
    {
      g_autofree char *text = sql ? g_strdup_printf ("%s;\n", sql)
                                  : g_strdup_printf ("-- %s\n", error->message);
      set_editor_text (self, text);
    }
  gtk_label_set_text (self->sql_status, sql ? "" : error->message);
  update_plan (self, sql, error ? error->message : NULL);
  on_selection_changed (self);
}

static char *
dup_editor_text (StudioWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->sql_view));
  GtkTextIter start, end;
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

GtkTextBuffer *
studio_window_get_sql_buffer (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), NULL);
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->sql_view));
}

static gboolean
apply_sql (StudioWindow *self, GError **error)
{
  g_autofree char *text = dup_editor_text (self);
  gboolean ok;

  g_clear_handle_id (&self->sql_timeout_id, g_source_remove);
  self->from_sql = TRUE;
  ok = studio_pipeline_load_sql (self->pipeline, gw_client_get_catalog (self->client), text,
                                 error);
  self->from_sql = FALSE;
  if (!ok)
    {
      g_autofree char *shown = (*error)->domain == PLAN_ERROR
                                 ? plan_sql_format_error (text, *error)
                                 : g_strdup ((*error)->message);
      gtk_label_set_text (self->sql_status, g_strchomp (shown));
    }
  else
    gtk_label_set_text (self->sql_status, "The canvas follows the SQL.");
  return ok;
}

static gboolean
on_sql_pause (gpointer data)
{
  StudioWindow *self = data;
  g_autoptr (GError) error = NULL;

  self->sql_timeout_id = 0;
  apply_sql (self, &error);
  return G_SOURCE_REMOVE;
}

static void
on_buffer_changed (GtkTextBuffer *buffer, StudioWindow *self)
{
  if (self->syncing)
    return;
  g_clear_handle_id (&self->sql_timeout_id, g_source_remove);
  self->sql_timeout_id = g_timeout_add (SQL_PAUSE_MS, on_sql_pause, self);
}

/* ---- inspector ---------------------------------------------------------------------- */

static void
on_selection_changed (StudioWindow *self)
{
  guint id = studio_canvas_get_selected (self->canvas);
  const StudioNode *n = id ? studio_pipeline_lookup (self->pipeline, id) : NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->text_entry), n != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->group_entry),
                          n != NULL && studio_node_kind_has_group (n->kind));
  gtk_widget_set_visible (GTK_WIDGET (self->connector_editor), studio_node_is_connector (n));
  studio_connector_editor_set_node (self->connector_editor, n);
  gtk_entry_set_placeholder_text (self->text_entry, studio_node_is_connector (n)
                                                      ? "the new table's name"
                                                      : "condition, columns or table");
  studio_canvas_set_draft (self->canvas, 0, NULL);
  if (n == NULL)
    {
      gtk_label_set_text (self->inspector_title, "Select a node to edit it");
      gtk_editable_set_text (GTK_EDITABLE (self->text_entry), "");
      return;
    }
  {
    g_autofree char *title = g_strdup_printf ("%s #%u (Enter applies)",
                                              studio_node_kind_title (n->kind), n->id);
    g_autofree char *text = g_strdup (n->text);
    g_autofree char *group = g_strdup (n->group_by);
    gtk_label_set_text (self->inspector_title, title);
    gtk_editable_set_text (GTK_EDITABLE (self->text_entry), text);
    gtk_editable_set_text (GTK_EDITABLE (self->group_entry), group);
    gtk_entry_set_placeholder_text (self->group_entry,
                                    n->kind == STUDIO_NODE_JOIN ? "keys: left_col = right_col"
                                    : n->kind == STUDIO_NODE_AGGREGATE ? "GROUP BY keys"
                                    : "PARTITION BY columns");
  }
}

static void
on_inspector_activate (GtkEntry *entry, StudioWindow *self)
{
  guint id = studio_canvas_get_selected (self->canvas);
  const StudioNode *n = id ? studio_pipeline_lookup (self->pipeline, id) : NULL;
  g_autofree char *text = NULL;

  if (n == NULL)
    return;
  text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->text_entry)));
  studio_canvas_set_draft (self->canvas, 0, NULL);
  if (studio_node_is_connector (n))
    {
      g_autofree char *columns = studio_connector_editor_dup_columns (self->connector_editor);
      g_autofree char *options = studio_connector_editor_dup_options (self->connector_editor);
      g_autofree char *wm = studio_connector_editor_dup_watermark (self->connector_editor);
      studio_pipeline_set_connector (self->pipeline, id, g_strstrip (text),
                                     g_strstrip (columns), options, g_strstrip (wm));
      return;
    }
  studio_pipeline_set_text (self->pipeline, id, g_strstrip (text),
                            studio_node_kind_has_group (n->kind)
                              ? gtk_editable_get_text (GTK_EDITABLE (self->group_entry))
                              : NULL);
}

/* Validation as you type: the draft text is checked by the canvas, which marks the node;
 * the entry gets the error style and the message as its tooltip. */
static void
mark_entry (GtkEntry *entry, const char *problem)
{
  if (problem != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (entry), problem);
}

/* Either entry changed: both texts are the draft (the group entry only where the kind
 * has one); the problem marks both entries. */
static void
on_inspector_changed (GtkEditable *entry, StudioWindow *self)
{
  guint id = studio_canvas_get_selected (self->canvas);
  const StudioNode *n = id ? studio_pipeline_lookup (self->pipeline, id) : NULL;
  g_autofree char *problem = NULL;
  gboolean group;

  if (n == NULL)
    return;
  if (studio_node_is_connector (n))
    {
      g_autofree char *columns = studio_connector_editor_dup_columns (self->connector_editor);
      g_autofree char *options = studio_connector_editor_dup_options (self->connector_editor);
      g_autofree char *wm = studio_connector_editor_dup_watermark (self->connector_editor);
      studio_canvas_set_draft_connector (self->canvas, id,
                                         gtk_editable_get_text (GTK_EDITABLE (self->text_entry)),
                                         columns, options, wm);
      problem = studio_canvas_dup_node_problem (self->canvas, id);
      mark_entry (self->text_entry, problem);
      studio_connector_editor_set_problem (self->connector_editor, problem);
      return;
    }
  group = studio_node_kind_has_group (n->kind);
  studio_canvas_set_draft_full (self->canvas, id,
                                gtk_editable_get_text (GTK_EDITABLE (self->text_entry)),
                                group ? gtk_editable_get_text (GTK_EDITABLE (self->group_entry))
                                      : NULL);
  problem = studio_canvas_dup_node_problem (self->canvas, id);
  mark_entry (self->text_entry, problem);
  mark_entry (self->group_entry, group ? problem : NULL);
}

GtkEditable *
studio_window_get_inspector_group_entry (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), NULL);
  return GTK_EDITABLE (self->group_entry);
}

StudioConnectorEditor *
studio_window_get_connector_editor (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), NULL);
  return self->connector_editor;
}

GtkEditable *
studio_window_get_inspector_entry (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), NULL);
  return GTK_EDITABLE (self->text_entry);
}

static void
on_canvas_error (StudioCanvas *canvas, const char *message, StudioWindow *self)
{
  toast (self, message);
}

/* ---- monitor ------------------------------------------------------------------------ */

/* While a poll task is in flight the worker is the only caller of the client's operation
 * calls (the remote client's HTTP session is not thread-safe, and the gateway API is
 * single-threaded), so the main thread hands requests such as cancel to the next poll. */
typedef struct {
  GwOperation *op;       /* borrowed: the client outlives the task (it holds the window) */
  PlanPhysPlan *plan;    /* owned ref */
  GMainContext *context; /* owned ref: where the window lives */
  gboolean cancel;       /* cancel the job first */
  GwClient *client;      /* borrowed, as op: for STOP JOB ... WITH SAVEPOINT */
  gboolean savepoint;    /* stop the job with a savepoint first */
} PollData;

typedef struct {
  StudioWindow *window;        /* owned ref */
  PlanPhysPlan *plan;          /* owned ref: the state belongs to this plan */
  StudioMonitorState *state;   /* owned, nullable */
  GwStatus status;
  guint64 rows_read;
  guint new_rows;
  GPtrArray *rows;             /* owned, nullable: StudioResultRow, fetched this poll */
  char *error;                 /* owned, nullable: the job's failure */
  char *json;                  /* owned, nullable: the metrics, for the history */
  char *savepoint;             /* owned, nullable: the answer to STOP JOB ... SAVEPOINT */
  gboolean rows_done;          /* every result row has been fetched (or there are none) */
} Snapshot;

static void
poll_data_free (gpointer data)
{
  PollData *p = data;
  plan_phys_plan_unref (p->plan);
  g_main_context_unref (p->context);
  g_free (p);
}

static void
snapshot_free (gpointer data)
{
  Snapshot *s = data;
  g_object_unref (s->window);
  studio_monitor_state_free (s->state);
  plan_phys_plan_unref (s->plan);
  g_clear_pointer (&s->rows, g_ptr_array_unref);
  g_free (s->error);
  g_free (s->json);
  g_free (s->savepoint);
  g_free (s);
}

static void
update_monitor_status (StudioWindow *self, GwStatus status, guint64 rows_read)
{
  g_autoptr (GString) s = g_string_new (NULL);

  g_string_printf (s, "Job %s: %s, %" G_GUINT64_FORMAT " rows read",
                   self->op ? gw_operation_get_job_id (self->op) : "?",
                   gw_status_name (status), rows_read);
  if (self->op != NULL && gw_operation_get_schema (self->op) != NULL)
    g_string_append_printf (s, ", %" G_GUINT64_FORMAT " result rows", self->result_rows);
  gtk_label_set_text (self->monitor_status, s->str);
}

/* Shows the checkpoint statistics, or hides the label for a job without checkpoints. */
static void
show_checkpoints (StudioWindow *self, const StudioCheckpointSummary *summary)
{
  g_autofree char *text = studio_checkpoint_summary_text (summary);

  gtk_label_set_text (self->checkpoint_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->checkpoint_label), text != NULL);
}

/* Main context: installs a snapshot built by the worker. */
static gboolean
apply_snapshot (gpointer data)
{
  Snapshot *s = data;
  StudioWindow *self = s->window;

  if (s->plan != self->monitor_plan)
    return G_SOURCE_REMOVE; /* a snapshot of a job that was replaced meanwhile */
  self->result_rows += s->new_rows;
  for (guint i = 0; s->rows != NULL && i < s->rows->len; i++)
    {
      const StudioResultRow *r = s->rows->pdata[i];
      studio_results_apply (self->results, r->kind, (const char *const *) r->values);
    }
  if (s->state != NULL)
    {
      show_checkpoints (self, s->state->checkpoints);
      studio_history_bar_push (self->history_bar, s->json, g_steal_pointer (&s->state));
      self->n_snapshots++;
    }
  if (s->savepoint != NULL)
    {
      g_free (self->savepoint_message);
      self->savepoint_message = g_strdup (s->savepoint);
      toast (self, s->savepoint);
    }
  update_monitor_status (self, s->status, s->rows_read);
  if (s->error != NULL)
    toast (self, s->error);
  /* a finished job may still have rows queued: poll until the last page said so */
  if (s->status != GW_STATUS_CREATED && s->status != GW_STATUS_RUNNING && s->rows_done)
    g_clear_handle_id (&self->poll_id, g_source_remove);
  return G_SOURCE_REMOVE;
}

/* Worker thread: STOP JOB '<id>' WITH SAVEPOINT through the client (it waits for the
 * savepoint, so never on the main thread); the gateway's answer or error as text. */
static char *
stop_with_savepoint (GwClient *client, GwOperation *op)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("STOP JOB '%s' WITH SAVEPOINT",
                                          gw_operation_get_job_id (op));
  GwOperation *stop = gw_client_execute (client, sql, &error);

  if (stop == NULL)
    return g_strdup_printf ("Savepoint failed: %s", error->message);
  gw_operation_wait (stop);
  return g_strdup (gw_operation_get_message (stop) != NULL ? gw_operation_get_message (stop)
                                                          : "Savepoint requested.");
}

/* Worker thread: every call on the operation for one poll, then the hand-over. Result
 * rows are drained without waiting so a collecting job never stalls on a full queue. */
static void
poll_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  PollData *p = task_data;
  Snapshot *s = g_new0 (Snapshot, 1);
  g_autofree char *json = NULL;

  if (p->cancel)
    gw_operation_cancel (p->op);
  if (p->savepoint)
    s->savepoint = stop_with_savepoint (p->client, p->op);
  /* the status first: rows emitted after the fetch below then belong to a job that was
   * still running, and the next poll fetches them */
  s->status = gw_operation_get_status (p->op);
  s->rows_done = TRUE;
  if (gw_operation_get_schema (p->op) != NULL)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GwPage) page = gw_operation_fetch (p->op, 10000, 0, &error);
      s->new_rows = page != NULL ? page->rows->len : 0;
      s->rows = page != NULL ? studio_results_rows_new (page->rows) : NULL;
      s->error = error != NULL ? g_strdup (error->message) : NULL;
      s->rows_done = page == NULL || page->end;
    }
  s->rows_read = gw_operation_get_rows_read (p->op);
  json = gw_operation_dup_metrics_json (p->op);
  s->window = g_object_ref (source);
  s->plan = plan_phys_plan_ref (p->plan);
  s->state = studio_monitor_state_new (p->plan, json, NULL);
  s->json = g_steal_pointer (&json);
  /* the application's main loop owns the context, so this queues apply_snapshot there */
  g_main_context_invoke_full (p->context, G_PRIORITY_DEFAULT, apply_snapshot, s,
                              snapshot_free);
  g_task_return_boolean (task, TRUE);
}

static void
poll_done (GObject *source, GAsyncResult *result, gpointer data)
{
  STUDIO_WINDOW (source)->poll_in_flight = FALSE;
}

static gboolean
on_poll (gpointer data)
{
  StudioWindow *self = data;
  PollData *p;
  g_autoptr (GTask) task = NULL;

  if (self->op == NULL)
    {
      self->poll_id = 0;
      return G_SOURCE_REMOVE;
    }
  if (self->poll_in_flight)
    return G_SOURCE_CONTINUE; /* a slow snapshot: skip a beat, never queue up */
  p = g_new0 (PollData, 1);
  p->op = self->op;
  p->plan = plan_phys_plan_ref (self->monitor_plan);
  p->context = g_main_context_ref_thread_default ();
  p->cancel = self->cancel_requested;
  self->cancel_requested = FALSE;
  p->client = self->client;
  p->savepoint = self->savepoint_requested;
  self->savepoint_requested = FALSE;
  task = g_task_new (self, NULL, poll_done, NULL);
  g_task_set_task_data (task, p, poll_data_free);
  self->poll_in_flight = TRUE;
  g_task_run_in_thread (task, poll_thread);
  return G_SOURCE_CONTINUE;
}

/* Runs the pipeline's script in the session: each connector node's CREATE TABLE (the
 * node's definition replaces a session table of that name, say the previous run's),
 * then the query, whose operation is returned. */
static GwOperation *
execute_script (StudioWindow *self, const char *sql, GError **error)
{
  PlanCatalog *catalog = gw_client_get_catalog (self->client);
  g_autoptr (GPtrArray) asts = plan_sql_parse (sql, error);
  g_autoptr (GPtrArray) created = NULL;
  g_autoptr (PlanStatement) last = NULL;

  if (asts == NULL)
    return NULL;
  g_ptr_array_set_free_func (asts, (GDestroyNotify) plan_ast_free);
  if ((last = studio_sql_compile_script (catalog, sql, &created, error)) == NULL)
    return NULL;
  for (guint i = 0; i < created->len; i++)
    {
      const PlanTable *t = created->pdata[i];
      if (catalog != NULL && plan_catalog_get_table (catalog, t->name) != NULL)
        {
          g_autofree char *drop = g_strdup_printf ("DROP TABLE %s", t->name);
          if (gw_client_execute (self->client, drop, error) == NULL)
            return NULL;
        }
    }
  for (guint i = 0; i + 1 < asts->len; i++)
    if (gw_client_execute (self->client, plan_ast_get_text (asts->pdata[i]), error) == NULL)
      return NULL;
  return gw_client_execute (self->client, plan_ast_get_text (asts->pdata[asts->len - 1]),
                            error);
}

gboolean
studio_window_run (StudioWindow *self, GError **error)
{
  g_autofree char *sql = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  StudioPlanLayout *layout;
  GwOperation *op;

  g_return_val_if_fail (STUDIO_IS_WINDOW (self), FALSE);
  if (self->poll_in_flight)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           "The monitor is reading metrics; press Run again in a moment");
      return FALSE;
    }
  sql = studio_pipeline_to_sql (self->pipeline, error);
  if (sql == NULL || (plan = plan_sql (self, sql, error)) == NULL)
    return FALSE;
  layout = studio_plan_layout_new_full (plan, 3, error); /* room for the edge metrics */
  if (layout == NULL)
    return FALSE;
  op = execute_script (self, sql, error);
  if (op == NULL)
    {
      studio_plan_layout_free (layout);
      return FALSE;
    }
  if (self->op != NULL)
    gw_operation_cancel (self->op);
  self->op = op;
  self->cancel_requested = FALSE;
  self->result_rows = 0;
  self->n_snapshots = 0;
  g_list_store_remove_all (self->results);
  studio_results_set_columns (self->results_view, gw_operation_get_schema (op));
  /* a job writing to a table has no rows to show: the graph gets the room */
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->results_view)),
                          gw_operation_get_schema (op) != NULL);
  g_clear_pointer (&self->monitor_plan, plan_phys_plan_unref);
  self->monitor_plan = g_steal_pointer (&plan);
  studio_plan_view_set_layout (self->monitor_view, layout, NULL);
  studio_history_bar_set_target (self->history_bar, self->monitor_view, self->monitor_plan);
  show_checkpoints (self, NULL);
  if (self->poll_id == 0)
    self->poll_id = g_timeout_add (POLL_MS, on_poll, self);
  update_monitor_status (self, GW_STATUS_RUNNING, 0);
  return TRUE;
}

GListModel *
studio_window_get_results (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->results);
}

gboolean
studio_window_is_monitoring (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), FALSE);
  return self->poll_id != 0 || self->poll_in_flight;
}

guint
studio_window_get_n_snapshots (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), 0);
  return self->n_snapshots;
}

const char *
studio_window_get_checkpoint_text (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), NULL);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->checkpoint_label)))
    return NULL;
  return gtk_label_get_text (self->checkpoint_label);
}

/* ---- files -------------------------------------------------------------------------- */

static gboolean
run_statement (StudioWindow *self, const PlanAst *ast, char **last_query, GError **error)
{
  g_autoptr (PlanStatement) stmt = plan_sql_bind (gw_client_get_catalog (self->client), ast,
                                                  error);
  if (stmt == NULL)
    return FALSE;
  if (stmt->kind == PLAN_STMT_QUERY || stmt->kind == PLAN_STMT_INSERT)
    {
      g_free (*last_query);
      *last_query = g_strdup (plan_ast_get_text (ast));
      return TRUE;
    }
  if (stmt->kind == PLAN_STMT_EXPLAIN || stmt->kind == PLAN_STMT_SHOW_TABLES
      || stmt->kind == PLAN_STMT_SHOW_VIEWS || stmt->kind == PLAN_STMT_DESCRIBE)
    return TRUE;
  return gw_client_execute (self->client, plan_ast_get_text (ast), error) != NULL;
}

static gboolean
run_script (StudioWindow *self, const char *script, char **last_query, GError **error)
{
  g_autoptr (GPtrArray) asts = plan_sql_parse (script, error);

  if (asts == NULL)
    return FALSE;
  g_ptr_array_set_free_func (asts, (GDestroyNotify) plan_ast_free);
  for (guint i = 0; i < asts->len; i++)
    if (!run_statement (self, asts->pdata[i], last_query, error))
      return FALSE;
  return TRUE;
}

gboolean
studio_window_load_script (StudioWindow *self, const char *script, GError **error)
{
  g_autofree char *last = NULL;
  gboolean ok = run_script (self, script, &last, error);

  palette_rebuild (self);
  if (!ok)
    return FALSE;
  if (last == NULL)
    return TRUE;
  set_editor_text (self, last);
  return apply_sql (self, error);
}

/* A design cell onto the canvas: its SQL in the editor, its nodes where they were. */
static gboolean
load_design (StudioWindow *self, const char *design, GError **error)
{
  gboolean ok;

  self->from_sql = TRUE;
  ok = studio_design_load_cell (self->pipeline, gw_client_get_catalog (self->client), design,
                                error);
  self->from_sql = FALSE;
  if (ok)
    on_pipeline_changed (self); /* the editor shows the design's SQL */
  return ok;
}

gboolean
studio_window_open_file (StudioWindow *self, const char *path, GError **error)
{
  g_autoptr (GString) script = g_string_new (NULL);
  g_autofree char *design = NULL;

  g_return_val_if_fail (STUDIO_IS_WINDOW (self), FALSE);
  if (g_str_has_suffix (path, ".strom"))
    {
      g_autoptr (ReplNotebook) nb = repl_notebook_open (path, FALSE, error);
      g_autoptr (GPtrArray) cells = nb ? repl_notebook_dup_cells (nb, error) : NULL;
      if (cells == NULL)
        return FALSE;
      for (guint i = 0; i < cells->len; i++)
        {
          const ReplNotebookCell *cell = cells->pdata[i];
          /* meta-commands (\plan ...) are the REPL's, not SQL */
          g_autofree char *src = g_strstrip (g_strdup (cell->source));
          if (src[0] == '\\' || src[0] == '\0')
            continue;
          if (studio_design_is_cell (src))
            {
              g_free (design); /* the last design wins; it goes on the canvas */
              design = g_strdup (src);
              continue;
            }
          g_string_append_printf (script, "%s%s\n", src, g_str_has_suffix (src, ";") ? "" : ";");
        }
    }
  else
    {
      g_autofree char *text = NULL;
      if (!g_file_get_contents (path, &text, NULL, error))
        return FALSE;
      g_string_append (script, text);
    }
  gtk_window_set_title (GTK_WINDOW (self), path);
  if (g_str_has_suffix (path, ".strom"))
    {
      g_free (self->notebook_path);
      self->notebook_path = g_strdup (path);
    }
  if (!studio_window_load_script (self, script->str, error))
    return FALSE;
  return design == NULL || load_design (self, design, error);
}

/* ---- actions ------------------------------------------------------------------------ */

static void
action_undo (GtkWidget *widget, const char *name, GVariant *param)
{
  studio_pipeline_undo (STUDIO_WINDOW (widget)->pipeline);
}

static void
action_redo (GtkWidget *widget, const char *name, GVariant *param)
{
  studio_pipeline_redo (STUDIO_WINDOW (widget)->pipeline);
}

/* win.canvas "s": forwards to the canvas's own action of that name (arrange, zoom-in,
 * ...), so header-bar buttons outside the canvas can reach them. */
static void
action_canvas (GtkWidget *widget, const char *name, GVariant *param)
{
  g_autofree char *full = g_strconcat ("canvas.", g_variant_get_string (param, NULL), NULL);
  gtk_widget_activate_action (GTK_WIDGET (STUDIO_WINDOW (widget)->canvas), full, NULL);
}

static void
action_apply_sql (GtkWidget *widget, const char *name, GVariant *param)
{
  g_autoptr (GError) error = NULL;
  if (!apply_sql (STUDIO_WINDOW (widget), &error))
    toast (STUDIO_WINDOW (widget), "The SQL does not map to a pipeline; see below the editor");
}

static void
action_run (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioWindow *self = STUDIO_WINDOW (widget);
  g_autoptr (GError) error = NULL;

  if (!studio_window_run (self, &error))
    toast (self, error->message);
  else
    studio_window_set_view (self, "monitor");
}

static void
action_cancel (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioWindow *self = STUDIO_WINDOW (widget);
  if (self->op == NULL)
    return;
  if (self->poll_in_flight)
    self->cancel_requested = TRUE;
  else
    gw_operation_cancel (self->op);
}

/* The savepoint is taken by the next poll's worker, the only caller of the client while
 * a job is monitored. */
static void
action_savepoint (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioWindow *self = STUDIO_WINDOW (widget);

  if (self->op == NULL || gw_operation_get_job_id (self->op) == NULL)
    {
      toast (self, "No running job: press Run (F5) first");
      return;
    }
  self->savepoint_requested = TRUE;
  toast (self, "Taking a savepoint, then stopping the job...");
}

StudioPlanView *
studio_window_get_monitor_view (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), NULL);
  return self->monitor_view;
}

const char *
studio_window_get_monitor_status (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), NULL);
  return gtk_label_get_text (self->monitor_status);
}

const char *
studio_window_get_savepoint_message (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), NULL);
  return self->savepoint_message;
}

gboolean
studio_window_export_view (StudioWindow *self, const char *path, GError **error)
{
  const char *view;
  GtkWidget *widget;

  g_return_val_if_fail (STUDIO_IS_WINDOW (self), FALSE);
  view = adw_view_stack_get_visible_child_name (self->stack);
  widget = g_strcmp0 (view, "plan") == 0      ? GTK_WIDGET (self->plan_view)
           : g_strcmp0 (view, "monitor") == 0 ? GTK_WIDGET (self->monitor_view)
                                              : GTK_WIDGET (self->canvas);
  return studio_export_widget (widget, path, error);
}

static void
on_export_response (GtkNativeDialog *dialog, int response, StudioWindow *self)
{
  g_autoptr (GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  path = file != NULL ? g_file_get_path (file) : NULL;
  if (path != NULL && g_object_get_data (G_OBJECT (dialog), "design") != NULL)
    {
      if (!studio_design_save (self->pipeline, path, &error))
        toast (self, error->message);
      else
        {
          g_free (self->notebook_path);
          self->notebook_path = g_strdup (path);
          toast (self, "Design saved into the notebook");
        }
    }
  else if (path != NULL && !studio_window_export_view (self, path, &error))
    toast (self, error->message);
  g_object_unref (dialog);
}

static void
save_dialog (StudioWindow *self, const char *title, const char *name, gboolean design)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (
    title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE, "_Save", "_Cancel");

  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  if (design)
    g_object_set_data (G_OBJECT (dialog), "design", GINT_TO_POINTER (1));
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
action_export (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioWindow *self = STUDIO_WINDOW (widget);
  g_autofree char *file = g_strdup_printf ("%s.svg",
                                           adw_view_stack_get_visible_child_name (self->stack));

  save_dialog (self, "Export the view (.png or .svg)", file, FALSE);
}

gboolean
studio_window_save_design (StudioWindow *self, const char *path, GError **error)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), FALSE);
  if (!studio_design_save (self->pipeline, path, error))
    return FALSE;
  if (g_strcmp0 (path, self->notebook_path) != 0)
    {
      g_free (self->notebook_path);
      self->notebook_path = g_strdup (path);
    }
  return TRUE;
}

/* Into the notebook the window opened, else one the user names. */
static void
action_save_design (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioWindow *self = STUDIO_WINDOW (widget);
  g_autoptr (GError) error = NULL;

  if (self->notebook_path == NULL)
    save_dialog (self, "Save the design into a notebook", "design.strom", TRUE);
  else if (!studio_window_save_design (self, self->notebook_path, &error))
    toast (self, error->message);
  else
    toast (self, "Design saved into the notebook");
}

static void
action_view (GtkWidget *widget, const char *name, GVariant *param)
{
  studio_window_set_view (STUDIO_WINDOW (widget), g_variant_get_string (param, NULL));
}

/* ---- object ------------------------------------------------------------------------- */

void
studio_window_set_view (StudioWindow *self, const char *name)
{
  g_return_if_fail (STUDIO_IS_WINDOW (self));
  if (adw_view_stack_get_child_by_name (self->stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->stack, name);
}

StudioPipeline *
studio_window_get_pipeline (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), NULL);
  return self->pipeline;
}

StudioCanvas *
studio_window_get_canvas (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), NULL);
  return self->canvas;
}

StudioPlanView *
studio_window_get_plan_view (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), NULL);
  return self->plan_view;
}

static void
setup_sql_view (StudioWindow *self)
{
  GtkSourceLanguageManager *lm = gtk_source_language_manager_get_default ();
  GtkSourceLanguage *sql = gtk_source_language_manager_get_language (lm, "sql");
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (
                                                 GTK_TEXT_VIEW (self->sql_view)));

  if (sql != NULL)
    gtk_source_buffer_set_language (buffer, sql);
  gtk_source_buffer_set_highlight_syntax (buffer, TRUE);
  g_signal_connect (buffer, "changed", G_CALLBACK (on_buffer_changed), self);
}

/* Replaces the client; FALSE (and client freed) while a metrics poll owns the old one. */
static gboolean
switch_client (StudioWindow *self, GwClient *client, gboolean remote, const char *label)
{
  if (self->poll_in_flight)
    {
      gw_client_free (client);
      toast (self, "The monitor is reading metrics; try again in a moment");
      return FALSE;
    }
  g_clear_handle_id (&self->poll_id, g_source_remove);
  self->op = NULL;
  g_clear_pointer (&self->monitor_plan, plan_phys_plan_unref);
  studio_plan_view_set_layout (self->monitor_view, NULL, NULL);
  studio_history_bar_set_target (self->history_bar, self->monitor_view, NULL);
  show_checkpoints (self, NULL);
  gw_client_free (self->client);
  self->client = client;
  studio_pipeline_set_catalog (self->pipeline, gw_client_get_catalog (client));
  self->remote = remote;
  gtk_menu_button_set_label (self->connection_button, label);
  gtk_label_set_text (self->monitor_status, "Press Run (F5) to start the pipeline.");
  palette_rebuild (self);
  on_pipeline_changed (self); /* re-plan against the new session's catalog */
  return TRUE;
}

gboolean
studio_window_connect (StudioWindow *self, const char *url, const char *token,
                       GError **error)
{
  g_autofree char *label = NULL;
  GwClient *client;

  g_return_val_if_fail (STUDIO_IS_WINDOW (self), FALSE);
  /* synchronous: the connect is one short request to the server */
  client = token != NULL && *token != '\0' ? gw_remote_client_new (url, token, error)
                                           : gw_remote_client_connect (url, NULL, error);
  if (client == NULL)
    return FALSE;
  label = g_strdup_printf ("Remote: %s", url);
  if (!switch_client (self, client, TRUE, label))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   "The monitor is reading metrics; connect again in a moment");
      return FALSE;
    }
  gtk_check_button_set_active (self->remote_check, TRUE);
  return TRUE;
}

static void
on_connect_clicked (GtkButton *button, StudioWindow *self)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->remote_url));
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->remote_token));
  g_autoptr (GError) error = NULL;

  if (*url == '\0')
    {
      toast (self, "Type the server's URL first, e.g. http://127.0.0.1:8083");
      return;
    }
  if (!studio_window_connect (self, url, token, &error))
    {
      g_autofree char *msg = g_strdup_printf ("Cannot connect to %s: %s", url, error->message);
      toast (self, msg);
      gtk_check_button_set_active (self->embedded_check, !self->remote);
    }
}

static void
on_embedded_toggled (GtkCheckButton *check, StudioWindow *self)
{
  g_autoptr (GError) error = NULL;
  GwClient *client;

  if (!gtk_check_button_get_active (check) || !self->remote)
    return;
  client = gw_client_new_embedded (&error);
  if (client == NULL)
    toast (self, error->message);
  else
    switch_client (self, client, FALSE, "Embedded");
}

static void
setup_connection (StudioWindow *self)
{
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->remote_check),
                               "Run on a strom serve instance: type its URL and press "
                               "Connect");
  g_signal_connect (self->connect_button, "clicked", G_CALLBACK (on_connect_clicked), self);
  g_signal_connect (self->embedded_check, "toggled", G_CALLBACK (on_embedded_toggled), self);
}

static void
studio_window_dispose (GObject *object)
{
  StudioWindow *self = STUDIO_WINDOW (object);

  g_clear_handle_id (&self->sql_timeout_id, g_source_remove);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (self->canvas != NULL)
    studio_canvas_set_pipeline (self->canvas, NULL);
  if (self->pipeline != NULL)
    g_signal_handlers_disconnect_by_data (self->pipeline, self);
  /* with a poll in flight the worker owns the operation; the client, freed once the
   * task let go of the window, ends the job then */
  if (self->op != NULL && !self->poll_in_flight)
    gw_operation_cancel (self->op);
  gtk_widget_dispose_template (GTK_WIDGET (self), STUDIO_TYPE_WINDOW);
  G_OBJECT_CLASS (studio_window_parent_class)->dispose (object);
}

static void
studio_window_finalize (GObject *object)
{
  StudioWindow *self = STUDIO_WINDOW (object);

  g_clear_object (&self->pipeline);
  g_clear_object (&self->results);
  g_clear_pointer (&self->monitor_plan, plan_phys_plan_unref);
  g_free (self->savepoint_message);
  g_free (self->notebook_path);
  g_clear_pointer (&self->shown_plan, plan_phys_plan_unref);
  g_free (self->plan_sql_text);
  g_free (self->plan_explain);
  /* metrics tasks hold a ref on the window, so none is running now */
  g_clear_pointer (&self->client, gw_client_free);
  G_OBJECT_CLASS (studio_window_parent_class)->finalize (object);
}

static void
studio_window_class_init (StudioWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = studio_window_dispose;
  object_class->finalize = studio_window_finalize;

  /* referencing the resource keeps its object file, and its registration, in the link */
  (void) studio_get_resource ();
  g_type_ensure (STUDIO_TYPE_CANVAS);
  g_type_ensure (STUDIO_TYPE_PLAN_VIEW);
  g_type_ensure (STUDIO_TYPE_HISTORY_BAR);
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/strom/Studio/studio-window.ui");
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, connection_button);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, embedded_check);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, remote_check);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, remote_token);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, connect_button);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, remote_url);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, palette);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, canvas);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, inspector_title);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, text_entry);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, group_entry);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, sql_view);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, sql_status);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, plan_view);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, plan_details);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, monitor_view);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, monitor_status);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, checkpoint_label);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, history_bar);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, results_view);

  gtk_widget_class_install_action (widget_class, "win.undo", NULL, action_undo);
  gtk_widget_class_install_action (widget_class, "win.redo", NULL, action_redo);
  gtk_widget_class_install_action (widget_class, "win.apply-sql", NULL, action_apply_sql);
  gtk_widget_class_install_action (widget_class, "win.run", NULL, action_run);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, action_cancel);
  gtk_widget_class_install_action (widget_class, "win.view", "s", action_view);
  gtk_widget_class_install_action (widget_class, "win.canvas", "s", action_canvas);
  gtk_widget_class_install_action (widget_class, "win.savepoint", NULL, action_savepoint);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, action_export);
  gtk_widget_class_install_action (widget_class, "win.save-design", NULL,
                                   action_save_design);
}

static void
studio_window_init (StudioWindow *self)
{
  g_autoptr (GError) error = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->client = gw_client_new_embedded (&error);
  if (self->client == NULL)
    g_error ("strom-studio: the embedded gateway did not start: %s", error->message);
  self->results = g_list_store_new (GTK_TYPE_STRING_LIST);
  {
    GtkNoSelection *sel = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->results)));
    gtk_column_view_set_model (self->results_view, GTK_SELECTION_MODEL (sel));
    g_object_unref (sel);
  }
  self->connector_editor = STUDIO_CONNECTOR_EDITOR (studio_connector_editor_new ());
  gtk_widget_set_visible (GTK_WIDGET (self->connector_editor), FALSE);
  gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (GTK_WIDGET (self->group_entry))),
                              GTK_WIDGET (self->connector_editor),
                              GTK_WIDGET (self->group_entry));
  g_signal_connect (self->connector_editor, "changed", G_CALLBACK (on_inspector_changed), self);
  g_signal_connect (self->connector_editor, "apply", G_CALLBACK (on_inspector_activate), self);
  self->pipeline = studio_pipeline_new ();
  studio_pipeline_set_catalog (self->pipeline, gw_client_get_catalog (self->client));
  studio_canvas_set_pipeline (self->canvas, self->pipeline);
  g_signal_connect_swapped (self->pipeline, "changed", G_CALLBACK (on_pipeline_changed), self);
  g_signal_connect_swapped (self->pipeline, "node-changed", G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (self->canvas, "selection-changed",
                            G_CALLBACK (on_selection_changed), self);
  g_signal_connect (self->canvas, "error", G_CALLBACK (on_canvas_error), self);
  g_signal_connect (self->palette, "row-activated", G_CALLBACK (on_palette_activated), self);
  g_signal_connect (self->text_entry, "activate", G_CALLBACK (on_inspector_activate), self);
  g_signal_connect (self->text_entry, "changed", G_CALLBACK (on_inspector_changed), self);
  g_signal_connect (self->group_entry, "activate", G_CALLBACK (on_inspector_activate), self);
  g_signal_connect (self->group_entry, "changed", G_CALLBACK (on_inspector_changed), self);
  g_signal_connect (self->plan_view, "node-activated", G_CALLBACK (on_plan_node), self);
  g_signal_connect (self->monitor_view, "node-activated", G_CALLBACK (on_plan_node), self);
  setup_sql_view (self);
  setup_connection (self);
  palette_rebuild (self);
  on_pipeline_changed (self);
}

StudioWindow *
studio_window_new (GtkApplication *app)
{
  return g_object_new (STUDIO_TYPE_WINDOW, "application", app, NULL);
}
