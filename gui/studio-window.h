/* studio-window.h: the strom-studio main window: designer (palette, canvas, inspector,
 * SQL editor), plan view and monitor over one pipeline and one gateway client.
 *
 * Window actions: win.undo, win.redo, win.apply-sql (SQL editor -> canvas), win.run,
 * win.cancel, win.view ("designer" | "plan" | "monitor"), win.savepoint, win.export,
 * win.save-design. Shortcuts are in the .ui. */
#pragma once

#include "studio-connector-editor.h"
#include <adwaita.h>
#include "studio-canvas.h"
#include "studio-plan-view.h"

G_BEGIN_DECLS

#define STUDIO_TYPE_WINDOW (studio_window_get_type ())
G_DECLARE_FINAL_TYPE (StudioWindow, studio_window, STUDIO, WINDOW, AdwApplicationWindow)

StudioWindow *studio_window_new (GtkApplication *app);
/* Opens a notebook (.strom) or an SQL script: runs its DDL and SET statements on the
 * window's client and puts its last SELECT / INSERT on the canvas. */
gboolean studio_window_open_file (StudioWindow *self, const char *path, GError **error);
/* Runs the DDL in script and loads its last query, as for a file. */
gboolean studio_window_load_script (StudioWindow *self, const char *script, GError **error);
void studio_window_set_view (StudioWindow *self, const char *name);
/* Runs pipelines on a `strom serve` instance from now on (token NULL or "": the local
 * server's token file), as the connection popover's Connect does. */
gboolean studio_window_connect (StudioWindow *self, const char *url, const char *token,
                                GError **error);
StudioPipeline *studio_window_get_pipeline (StudioWindow *self);   /* borrowed */
StudioCanvas *studio_window_get_canvas (StudioWindow *self);       /* borrowed */
/* The running job's result rows (GtkStringList items), changelogs applied. Borrowed. */
GListModel *studio_window_get_results (StudioWindow *self);
GtkEditable *studio_window_get_inspector_entry (StudioWindow *self); /* borrowed */
GtkEditable *studio_window_get_inspector_group_entry (StudioWindow *self); /* borrowed */
/* The inspector's connector fields (shown for a connector node); borrowed. */
StudioConnectorEditor *studio_window_get_connector_editor (StudioWindow *self);
StudioPlanView *studio_window_get_plan_view (StudioWindow *self);  /* borrowed */
/* The SQL editor's buffer (win.apply-sql reads it). Borrowed. */
GtkTextBuffer *studio_window_get_sql_buffer (StudioWindow *self);
/* Starts the pipeline as a job and the monitor's polling; FALSE with an error when the
 * pipeline has no SQL or the gateway refuses it. */
gboolean studio_window_run (StudioWindow *self, GError **error);
/* Selects physical node id in the Plan view and shows its details (as a click does):
 * its fields, the SQL it came from (also selected in the SQL editor) and the
 * alternatives the optimizer rejected with their costs. */
void studio_window_show_plan_node (StudioWindow *self, guint id);
const char *studio_window_get_plan_details (StudioWindow *self);
/* Shows a short message over the window (errors the user should see). */
void studio_window_toast (StudioWindow *self, const char *message);
/* Metrics snapshots the monitor has applied so far (for --screenshot and tests). */
guint studio_window_get_n_snapshots (StudioWindow *self);
/* Whether the monitor still polls a job (FALSE once the job ended and its rows are in). */
gboolean studio_window_is_monitoring (StudioWindow *self);
/* The monitor's checkpoint statistics as shown (studio_checkpoint_summary_text of the
 * last snapshot), or NULL while none are shown (no job, or a job without checkpoints). */
const char *studio_window_get_checkpoint_text (StudioWindow *self);
/* The monitor's graph (its state is the shown snapshot) and its status line. Borrowed. */
StudioPlanView *studio_window_get_monitor_view (StudioWindow *self);
const char *studio_window_get_monitor_status (StudioWindow *self);
/* What the last STOP JOB ... WITH SAVEPOINT (win.savepoint, taken by the next metrics
 * poll) answered, or NULL before any. */
const char *studio_window_get_savepoint_message (StudioWindow *self);
/* Exports the visible view (designer canvas, plan or monitor graph) to a .png or .svg. */
gboolean studio_window_export_view (StudioWindow *self, const char *path, GError **error);
/* Saves the pipeline as a design cell of the notebook at path (created when missing);
 * win.save-design saves into the notebook the window opened, else asks for one. */
gboolean studio_window_save_design (StudioWindow *self, const char *path, GError **error);

G_END_DECLS
