/* studio-application.c: the application object: command-line options, app actions, and
 * the --screenshot mode.
 *
 * --screenshot opens the window as usual (the views only lay out and draw in a mapped
 * window), waits until the requested view has something to show (the monitor waits for
 * a few metrics snapshots of the job it starts), renders the view to PNG and quits. It
 * needs a display, which under CI is Xvfb (xvfb-run). */
#include "studio-application.h"

#include <gtksourceview/gtksource.h>
#include "studio-screenshot.h"
#include "studio-window.h"

#define SHOT_TIMEOUT_MS 20000
#define SHOT_SNAPSHOTS 3

struct _StudioApplication {
  AdwApplication parent_instance;
  char *screenshot;      /* owned, nullable: --screenshot FILE */
  char *view;            /* owned, nullable: --view NAME */
  int status;
  StudioWindow *window;  /* borrowed, the --screenshot window */
  gint64 shot_started;
  guint shot_frames;
};

G_DEFINE_FINAL_TYPE (StudioApplication, studio_application, ADW_TYPE_APPLICATION)

static const GOptionEntry entries[] = {
  { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    "Render a view to a PNG file and quit", "FILE.png" },
  { "view", 0, 0, G_OPTION_ARG_STRING, NULL,
    "The view to show: designer, plan or monitor", "VIEW" },
  { NULL }
};

static void
fail (StudioApplication *self, const char *message)
{
  g_printerr ("strom-studio: %s\n", message);
  self->status = 1;
  g_application_quit (G_APPLICATION (self));
}

static gboolean
shot_ready (StudioApplication *self)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (self->window)))
    return FALSE;
  /* a few snapshots of a running job, or the last one of a job that has ended */
  if (g_strcmp0 (self->view, "monitor") == 0
      && studio_window_get_n_snapshots (self->window) < SHOT_SNAPSHOTS
      && (studio_window_get_n_snapshots (self->window) == 0
          || studio_window_is_monitoring (self->window)))
    return FALSE;
  return ++self->shot_frames > 3; /* a few ticks after mapping: layout has settled */
}

static gboolean
shot_tick (gpointer data)
{
  StudioApplication *self = data;
  g_autoptr (GError) error = NULL;

  if (!shot_ready (self))
    {
      if (g_get_monotonic_time () - self->shot_started > SHOT_TIMEOUT_MS * 1000)
        {
          fail (self, "the view was not ready within 20 s; no screenshot taken");
          return G_SOURCE_REMOVE;
        }
      return G_SOURCE_CONTINUE;
    }
  if (!studio_screenshot_save (GTK_WIDGET (self->window), self->screenshot, &error))
    fail (self, error->message);
  else
    g_application_quit (G_APPLICATION (self));
  return G_SOURCE_REMOVE;
}

static void
start_screenshot (StudioApplication *self, StudioWindow *window)
{
  const char *view = self->view ? self->view : "designer";
  g_autoptr (GError) error = NULL;

  if (g_strcmp0 (view, "designer") != 0 && g_strcmp0 (view, "plan") != 0
      && g_strcmp0 (view, "monitor") != 0)
    {
      fail (self, "--view must be designer, plan or monitor");
      return;
    }
  self->window = window;
  studio_window_set_view (window, view);
  if (g_strcmp0 (view, "monitor") == 0 && !studio_window_run (window, &error))
    {
      fail (self, error->message);
      return;
    }
  if (g_strcmp0 (view, "designer") == 0)
    {
      /* the second node selected shows the inspector at work */
      StudioPipeline *pipeline = studio_window_get_pipeline (window);
      if (studio_pipeline_get_n_nodes (pipeline) > 1)
        studio_canvas_select (studio_window_get_canvas (window),
                              studio_pipeline_get_node (pipeline, 1)->id);
    }
  else if (g_strcmp0 (view, "plan") == 0)
    {
      /* show one operator's details too: the middle one of the chain */
      const StudioPlanLayout *layout = studio_plan_view_get_layout (
        studio_window_get_plan_view (window));
      if (layout != NULL && layout->boxes->len > 0)
        studio_window_show_plan_node (window, layout->boxes->len / 2);
    }
  self->shot_started = g_get_monotonic_time ();
  g_application_hold (G_APPLICATION (self));
  g_timeout_add_full (G_PRIORITY_DEFAULT, 100, shot_tick, self,
                      (GDestroyNotify) g_application_release);
}

static void
open_window (StudioApplication *self, GFile *file)
{
  StudioWindow *window = studio_window_new (GTK_APPLICATION (self));
  g_autoptr (GError) error = NULL;

  if (file != NULL)
    {
      g_autofree char *path = g_file_get_path (file);
      if (!studio_window_open_file (window, path, &error))
        {
          g_autofree char *msg = g_strdup_printf ("%s: %s", path, error->message);
          if (self->screenshot != NULL)
            {
              gtk_window_destroy (GTK_WINDOW (window));
              fail (self, msg);
              return;
            }
          studio_window_toast (window, msg);
        }
    }
  gtk_window_present (GTK_WINDOW (window));
  if (self->screenshot != NULL)
    start_screenshot (self, window);
}

static void
studio_application_activate (GApplication *app)
{
  open_window (STUDIO_APPLICATION (app), NULL);
}

static void
studio_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  for (int i = 0; i < n_files; i++)
    open_window (STUDIO_APPLICATION (app), files[i]);
}

static int
studio_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  StudioApplication *self = STUDIO_APPLICATION (app);

  g_variant_dict_lookup (options, "screenshot", "^ay", &self->screenshot);
  g_variant_dict_lookup (options, "view", "s", &self->view);
  if (self->view != NULL && self->screenshot == NULL)
    {
      g_printerr ("strom-studio: --view goes with --screenshot FILE.png\n");
      return 2;
    }
  return -1;
}

static void
action_quit (GSimpleAction *action, GVariant *param, gpointer app)
{
  g_application_quit (G_APPLICATION (app));
}

static void
action_about (GSimpleAction *action, GVariant *param, gpointer app)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (app));
  GtkWidget *about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                                   "application-name", "strom studio",
                                   "application-icon", STUDIO_APP_ID,
                                   "version", "0.1.0",
                                   "license-type", GTK_LICENSE_MIT_X11,
                                   "transient-for", parent, NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
studio_application_startup (GApplication *app)
{
  static const GActionEntry actions[] = {
    { "quit", action_quit, NULL, NULL, NULL, { 0 } },
    { "about", action_about, NULL, NULL, NULL, { 0 } },
  };
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (studio_application_parent_class)->startup (app);
  gtk_source_init ();
  g_action_map_add_action_entries (G_ACTION_MAP (app), actions, G_N_ELEMENTS (actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

static void
studio_application_finalize (GObject *object)
{
  StudioApplication *self = STUDIO_APPLICATION (object);
  g_free (self->screenshot);
  g_free (self->view);
  G_OBJECT_CLASS (studio_application_parent_class)->finalize (object);
}

static void
studio_application_class_init (StudioApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = studio_application_finalize;
  app_class->activate = studio_application_activate;
  app_class->open = studio_application_open;
  app_class->startup = studio_application_startup;
  app_class->handle_local_options = studio_application_handle_local_options;
}

static void
studio_application_init (StudioApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self),
                                                     "[NOTEBOOK.strom | FILE.sql]");
}

StudioApplication *
studio_application_new (void)
{
  /* NON_UNIQUE: every invocation is its own instance, so --screenshot works without a
   * session bus and never hands its work to an already running studio. */
  return g_object_new (STUDIO_TYPE_APPLICATION, "application-id", STUDIO_APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE, NULL);
}

int
studio_application_get_status (StudioApplication *self)
{
  g_return_val_if_fail (STUDIO_IS_APPLICATION (self), 1);
  return self->status;
}
