/* test-studio-io.c: what leaves the studio: views exported as PNG and SVG (checked by
 * the files' signatures and sizes), designs saved as notebook cells and loaded back
 * (model and window), and the monitor's savepoint button stopping a running job with
 * STOP JOB '<id>' WITH SAVEPOINT through the gateway client. The model round trip runs
 * without a display; the rest is skipped without one. */
#include <glib/gstdio.h>
#include <gtksourceview/gtksource.h>
#include "studio-window.h"
#include "studio-export.h"
#include "studio-design.h"
#include "repl/repl.h"
#include "optimizer/opt.h"
#include "runtime/gateway/gw-server.h"
#include "studio-test-util.h"

static gboolean have_display;

static gboolean
need_display (void)
{
  if (!have_display)
    g_test_skip ("no display: run under xvfb-run");
  return have_display;
}

/* With $STUDIO_TEST_SHOTS set, exported files are copied there to look at. */
static void
keep (const char *path, const char *name)
{
  const char *dir = g_getenv ("STUDIO_TEST_SHOTS");
  g_autofree char *data = NULL;
  gsize len;

  if (dir != NULL && g_file_get_contents (path, &data, &len, NULL))
    {
      g_autofree char *to = g_build_filename (dir, name, NULL);
      g_file_set_contents (to, data, (gssize) len, NULL);
    }
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (path);
}

static guint32
be32 (const guchar *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* A PNG: the 8-byte signature, then the IHDR chunk with width and height. */
static void
assert_png (const char *path, int w, int h)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_cmpuint (len, >, 33);
  g_assert_cmpmem (data, 8, "\x89PNG\r\n\x1a\n", 8);
  g_assert_cmpmem (data + 12, 4, "IHDR", 4);
  g_assert_cmpuint (be32 ((const guchar *) data + 16), ==, (guint32) w);
  g_assert_cmpuint (be32 ((const guchar *) data + 20), ==, (guint32) h);
}

/* An SVG of the given size in points with some drawing in it. */
static void
assert_svg (const char *path, int w, int h)
{
  g_autofree char *data = NULL;
  g_autofree char *size = g_strdup_printf ("viewBox=\"0 0 %d %d\"", w, h);
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_true (g_str_has_prefix (data, "<?xml"));
  g_assert_nonnull (strstr (data, "<svg"));
  g_assert_nonnull (strstr (data, size));
  g_assert_nonnull (strstr (data, "<path"));
  g_assert_true (g_str_has_suffix (g_strchomp (data), "</svg>"));
  g_assert_cmpuint (len, >, 2000);
}

/* The plan view of a filter query, never shown: exported at its natural size. Run in a
 * subprocess: an SVG export leaves cairo's process-wide caches holding the recordings of
 * later drawings (in another test, that window's), which LeakSanitizer then reports as
 * indirect leaks under the suppressed font-cache roots; alone, the export is leak-free. */
static void export_headless (void);

static void
test_export_headless (void)
{
  if (!need_display ())
    return;
  g_test_trap_subprocess ("/gui/io/export-headless/subprocess", 0,
                          G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
export_headless (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanStatement) stmt = NULL;
  g_autofree char *dir = NULL, *png = NULL, *svg = NULL, *bad = NULL;
  PlanCatalog *catalog;
  GtkWidget *view;
  PlanPhysPlan *plan;
  int w, h;

  if (!g_test_subprocess ())
    {
      g_test_skip ("runs as /gui/io/export-headless's subprocess");
      return;
    }
  catalog = studio_test_catalog ();
  stmt = plan_sql_compile_one (catalog, "SELECT order_id FROM orders WHERE qty > 1", &error);
  g_assert_no_error (error);
  {
    g_autoptr (OptResult) result = opt_optimize (stmt->plan, NULL, &error);
    g_assert_no_error (error);
    plan = plan_phys_plan_ref (opt_result_get_physical (result));
  }
  view = g_object_ref_sink (studio_plan_view_new ());
  studio_plan_view_set_layout (STUDIO_PLAN_VIEW (view), studio_plan_layout_new (plan, &error),
                               NULL);
  g_assert_no_error (error);
  gtk_widget_measure (view, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &w, NULL, NULL);
  gtk_widget_measure (view, GTK_ORIENTATION_VERTICAL, w, NULL, &h, NULL, NULL);
  g_assert_cmpint (w, >, 50);
  g_assert_cmpint (h, >, 50);
  dir = g_dir_make_tmp ("studio-export-XXXXXX", &error);
  png = g_build_filename (dir, "plan.png", NULL);
  svg = g_build_filename (dir, "plan.SVG", NULL); /* the suffix in any case */
  bad = g_build_filename (dir, "plan.gif", NULL);
  g_assert_true (studio_export_widget (view, png, &error));
  g_assert_no_error (error);
  assert_png (png, w, h);
  g_assert_true (studio_export_widget (view, svg, &error));
  g_assert_no_error (error);
  keep (png, "export-plan.png");
  keep (svg, "export-plan.svg");
  assert_svg (svg, w, h);
  g_assert_false (studio_export_widget (view, bad, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
  g_assert_finalize_object (view);
  plan_phys_plan_unref (plan);
  plan_catalog_free (catalog);
  remove_tree (dir);
}

static const char *ddl[] = {
  "CREATE TABLE orders (order_id INT, customer VARCHAR, amount DECIMAL(10, 2), qty INT, "
  "status VARCHAR) WITH ('connector' = 'filesystem', 'path' = 'orders.csv', "
  "'format' = 'csv')",
  "CREATE TABLE clicks (user_id INT, price DOUBLE) WITH ('connector' = 'datagen')",
};

/* A join on the canvas, moved around, saved into a notebook with DDL cells, loaded into
 * a fresh pipeline: same nodes, edges and positions; saving again replaces the cell. */
static void
test_design_round_trip (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("studio-design-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "design.strom", NULL);
  g_autofree char *cell = NULL, *cell2 = NULL;
  PlanCatalog *catalog = studio_test_catalog ();
  StudioPipeline *p = studio_pipeline_new ();
  StudioPipeline *q = studio_pipeline_new ();
  const char *sql = "SELECT * FROM orders INNER JOIN clicks ON orders.order_id = clicks.user_id "
                    "WHERE price > 1";

  {
    g_autoptr (ReplNotebook) nb = repl_notebook_open (path, TRUE, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < G_N_ELEMENTS (ddl); i++)
      g_assert_cmpint (repl_notebook_add_cell (nb, ddl[i], &error), >, 0);
  }
  g_assert_true (studio_pipeline_load_sql (p, catalog, sql, &error));
  g_assert_no_error (error);
  studio_pipeline_move_node (p, 3, 333, 222, TRUE);
  studio_pipeline_move_node (p, 1, 11, 7, TRUE);
  g_assert_true (studio_design_save (p, path, &error));
  g_assert_no_error (error);
  cell = studio_design_find (path, &error);
  g_assert_no_error (error);
  g_assert_true (studio_design_is_cell (cell));
  g_assert_true (g_str_has_prefix (cell, "-- strom-studio design\n-- layout: 1@11,7 "));
  g_assert_nonnull (strstr (cell, " 3@333,222 "));
  g_assert_true (g_str_has_suffix (cell, "\nSELECT * FROM orders INNER JOIN clicks ON "
                                         "orders.order_id = clicks.user_id WHERE price > 1;"));
  /* the cell runs as the query it is */
  {
    g_autoptr (PlanStatement) stmt = plan_sql_compile_one (catalog, cell, &error);
    g_assert_no_error (error);
    g_assert_cmpint (stmt->kind, ==, PLAN_STMT_QUERY);
  }
  g_assert_true (studio_design_load_cell (q, catalog, cell, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (studio_pipeline_get_n_nodes (q), ==, studio_pipeline_get_n_nodes (p));
  g_assert_cmpuint (studio_pipeline_get_n_edges (q), ==, studio_pipeline_get_n_edges (p));
  for (guint i = 0; i < studio_pipeline_get_n_nodes (p); i++)
    {
      const StudioNode *a = studio_pipeline_get_node (p, i), *b = studio_pipeline_get_node (q, i);
      g_assert_cmpint (a->kind, ==, b->kind);
      g_assert_cmpstr (a->text, ==, b->text);
      g_assert_cmpstr (a->group_by, ==, b->group_by);
      g_assert_cmpfloat (a->x, ==, b->x);
      g_assert_cmpfloat (a->y, ==, b->y);
      for (guint port = 0; port < 2; port++)
        g_assert_cmpuint (studio_pipeline_get_input_port (p, a->id, port), ==,
                          studio_pipeline_get_input_port (q, b->id, port));
    }
  g_assert_cmpfloat (studio_pipeline_lookup (q, 3)->x, ==, 333);
  /* loading was one undo step, positions included */
  g_assert_true (studio_pipeline_undo (q));
  g_assert_cmpuint (studio_pipeline_get_n_nodes (q), ==, 0);
  /* saving again replaces the design cell: still three cells */
  studio_pipeline_set_text (p, 4, "price > 2", NULL);
  g_assert_true (studio_design_save (p, path, &error));
  {
    g_autoptr (ReplNotebook) nb = repl_notebook_open (path, FALSE, &error);
    g_autoptr (GPtrArray) cells = repl_notebook_dup_cells (nb, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (cells->len, ==, G_N_ELEMENTS (ddl) + 1);
  }
  cell2 = studio_design_find (path, &error);
  g_assert_nonnull (strstr (cell2, "WHERE price > 2;"));
  g_assert_finalize_object (p);
  g_assert_finalize_object (q);
  plan_catalog_free (catalog);
  remove_tree (dir);
}

static gboolean
canvas_shown (gpointer widget)
{
  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0;
}

/* The window opens the notebook: DDL run, the design on the canvas where it was; the
 * shown views export (as PNG: an SVG export here would trip LeakSanitizer in the later
 * tests, see export-headless); saving goes back into that notebook. */
static void
test_window_notebook_export (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL, *path = NULL, *png = NULL, *designer_png = NULL, *cell = NULL;
  StudioWindow *win;
  StudioPipeline *p;

  if (!need_display ())
    return;
  dir = g_dir_make_tmp ("studio-nb-XXXXXX", &error);
  path = g_build_filename (dir, "demo.strom", NULL);
  {
    g_autoptr (ReplNotebook) nb = repl_notebook_open (path, TRUE, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < G_N_ELEMENTS (ddl); i++)
      repl_notebook_add_cell (nb, ddl[i], &error);
    repl_notebook_add_cell (nb, "-- strom-studio design\n-- layout: 1@40,300 2@260,300 "
                                "3@480,300\nSELECT user_id, price FROM clicks "
                                "WHERE price > 5;", &error);
    repl_notebook_add_cell (nb, "SELECT * FROM orders", &error); /* a later plain query */
    g_assert_no_error (error);
  }
  win = g_object_ref (studio_window_new (NULL));
  g_assert_true (studio_window_open_file (win, path, &error));
  g_assert_no_error (error);
  p = studio_window_get_pipeline (win);
  /* the design, not the last query, is on the canvas, where it was drawn */
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 4);
  g_assert_cmpstr (studio_pipeline_get_node (p, 0)->text, ==, "clicks");
  g_assert_cmpstr (studio_pipeline_get_node (p, 1)->text, ==, "price > 5");
  g_assert_cmpfloat (studio_pipeline_get_node (p, 1)->x, ==, 260);
  g_assert_cmpfloat (studio_pipeline_get_node (p, 2)->y, ==, 300);
  /* a nudge, saved back into the same notebook */
  studio_pipeline_move_node (p, 1, 50, 310, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.save-design", NULL));
  cell = studio_design_find (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (cell, "-- layout: 1@50,310 2@260,300"));
  /* export the plan view of the shown window, both formats */
  png = g_build_filename (dir, "plan.png", NULL);
  designer_png = g_build_filename (dir, "designer.png", NULL); /* SVG: see export-headless */
  gtk_window_set_default_size (GTK_WINDOW (win), 900, 600);
  gtk_window_present (GTK_WINDOW (win));
  studio_window_set_view (win, "designer");
  g_assert_true (studio_test_spin_until (canvas_shown, studio_window_get_canvas (win)));
  g_assert_true (studio_window_export_view (win, designer_png, &error));
  g_assert_no_error (error);
  {
    g_autofree char *data = NULL;
    g_assert_true (g_file_get_contents (designer_png, &data, NULL, NULL));
    g_assert_cmpmem (data, 4, "\x89PNG", 4);
  }
  studio_window_set_view (win, "plan");
  g_assert_true (studio_test_spin_until (canvas_shown, studio_window_get_plan_view (win)));
  g_assert_true (studio_window_export_view (win, png, &error));
  g_assert_no_error (error);
  {
    g_autofree char *data = NULL;
    g_assert_true (g_file_get_contents (png, &data, NULL, NULL));
    g_assert_cmpmem (data, 4, "\x89PNG", 4);
  }
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);
  remove_tree (dir);
}

static gboolean
has_snapshot (gpointer data)
{
  return studio_window_get_n_snapshots (data) > 0;
}

static gboolean
savepoint_answered (gpointer data)
{
  return studio_window_get_savepoint_message (data) != NULL;
}

/* An endless job checkpointing to a folder: the savepoint button stops it with a
 * savepoint, and the gateway's answer names the savepoint's path. */
static void
test_savepoint_button (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL, *script = NULL;
  StudioWindow *win;
  const char *msg;

  if (!need_display ())
    return;
  dir = g_dir_make_tmp ("studio-sp-XXXXXX", &error);
  script = g_strdup_printf (
    "SET 'execution.checkpointing.interval' = '200 ms';\n"
    "SET 'state.checkpoints.dir' = '%s/chk';\n"
    "SET 'state.savepoints.dir' = '%s/sp';\n"
    "CREATE TABLE ticks (id BIGINT, v INT) WITH ('connector' = 'datagen', "
    "'rows-per-second' = '2000');\n"
    "CREATE TABLE sunk (v INT, n BIGINT) WITH ('connector' = 'blackhole');\n"
    "INSERT INTO sunk SELECT v, COUNT(*) AS n FROM ticks GROUP BY v;\n", dir, dir);
  win = g_object_ref (studio_window_new (NULL));
  g_assert_true (studio_window_load_script (win, script, &error));
  g_assert_no_error (error);
  /* without a job the button only says so */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.savepoint", NULL));
  g_assert_null (studio_window_get_savepoint_message (win));
  g_assert_true (studio_window_run (win, &error));
  g_assert_no_error (error);
  g_assert_true (studio_test_spin_until (has_snapshot, win));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.savepoint", NULL));
  g_assert_true (studio_test_spin_until (savepoint_answered, win));
  msg = studio_window_get_savepoint_message (win);
  g_assert_nonnull (strstr (msg, "stopped with a savepoint at"));
  g_assert_nonnull (strstr (msg, dir));
  g_assert_true (studio_test_spin_until (studio_test_window_alone, win));
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);
  remove_tree (dir);
}

static gboolean
job_finished (gpointer data)
{
  return studio_window_get_n_snapshots (data) >= 1
         && strstr (studio_window_get_monitor_status (data), "FINISHED") != NULL;
}

/* streaming, set explicitly: gen has a row count, so the default ('automatic') would run
 * batch, whose aggregate emits 10 final rows instead of the changelog counted below */
static const char *group_by_script =
  "SET 'execution.runtime-mode' = 'streaming';\n"
  "CREATE TABLE gen (k INT, v BIGINT) WITH ('connector' = 'datagen', "
  "'number-of-rows' = '1000', 'fields.k.min' = '1', 'fields.k.max' = '10');\n"
  "CREATE TABLE hole (k INT, n BIGINT) WITH ('connector' = 'blackhole');\n"
  "INSERT INTO hole SELECT k, COUNT(*) AS n FROM gen GROUP BY k;\n";

/* The report: datagen -> GROUP BY -> blackhole showed 0 rows in the monitor while the
 * CLI counted them. A bounded job that ends before much polling, so the last snapshot is
 * the final one: the source read every row, the aggregate emitted its changelog (10 keys:
 * the first row of a key is +I, every later one -U and +U, so 2 * 1000 - 10 rows), and
 * the status line counts the rows read. */
static void
test_monitor_group_by_blackhole (void)
{
  g_autoptr (GError) error = NULL;
  StudioWindow *win;
  const StudioMonitorState *st;

  if (!need_display ())
    return;
  win = g_object_ref (studio_window_new (NULL));
  g_assert_true (studio_window_load_script (win, group_by_script, &error));
  g_assert_no_error (error);
  g_assert_true (studio_window_run (win, &error));
  g_assert_no_error (error);
  g_assert_true (studio_test_spin_until (job_finished, win));
  st = studio_plan_view_get_state (studio_window_get_monitor_view (win));
  g_assert_nonnull (st);
  g_assert_cmpuint (st->n_ops, ==, 3); /* source, aggregate, sink */
  g_assert_cmpuint (st->ops[0].rows_out, ==, 1000);
  g_assert_cmpuint (st->ops[1].rows_out, ==, 1990);
  g_assert_nonnull (strstr (studio_window_get_monitor_status (win), "FINISHED, 1000 rows read"));
  g_assert_true (studio_test_spin_until (studio_test_window_alone, win));
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);
}

/* ---- the same job on a strom serve instance ---- */

typedef struct {
  char *state_dir;
  GMainContext *ctx;
  GMainLoop *loop;
  GThread *thread;
  GMutex lock;
  GCond cond;
  char *url, *token;   /* set once the server listens */
} Server;

static gpointer
server_thread (gpointer data)
{
  Server *sv = data;
  GwServerOptions o = { .listen = "127.0.0.1:0", .state_dir = sv->state_dir };
  g_autoptr (GError) error = NULL;
  GwServer *server;

  g_main_context_push_thread_default (sv->ctx);
  server = gw_server_new (&o, &error);
  g_assert_no_error (error);
  g_mutex_lock (&sv->lock);
  sv->url = g_strdup (gw_server_get_url (server));
  sv->token = g_strdup (gw_server_get_token (server));
  g_cond_signal (&sv->cond);
  g_mutex_unlock (&sv->lock);
  g_main_loop_run (sv->loop);
  gw_server_free (server);
  g_main_context_pop_thread_default (sv->ctx);
  return NULL;
}

static gboolean
quit_loop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

/* The report's job on a strom serve instance: the remote client's metrics reach the
 * monitor the same way (by HTTP). */
static void
test_monitor_remote (void)
{
  g_autoptr (GError) error = NULL;
  Server sv = { 0 };
  StudioWindow *win;
  const StudioMonitorState *st;

  if (!need_display ())
    return;
  sv.state_dir = g_dir_make_tmp ("studio-srv-XXXXXX", &error);
  sv.ctx = g_main_context_new ();
  sv.loop = g_main_loop_new (sv.ctx, FALSE);
  g_mutex_lock (&sv.lock);
  sv.thread = g_thread_new ("studio-test-server", server_thread, &sv);
  while (sv.url == NULL)
    g_cond_wait (&sv.cond, &sv.lock);
  g_mutex_unlock (&sv.lock);

  win = g_object_ref (studio_window_new (NULL));
  g_assert_true (studio_window_connect (win, sv.url, sv.token, &error));
  g_assert_no_error (error);
  g_assert_true (studio_window_load_script (win, group_by_script, &error));
  g_assert_no_error (error);
  g_assert_true (studio_window_run (win, &error));
  g_assert_no_error (error);
  g_assert_true (studio_test_spin_until (job_finished, win));
  st = studio_plan_view_get_state (studio_window_get_monitor_view (win));
  g_assert_nonnull (st);
  g_assert_cmpuint (st->n_ops, ==, 3);
  g_assert_cmpuint (st->ops[0].rows_out, ==, 1000);
  g_assert_cmpuint (st->ops[1].rows_out, ==, 1990);
  g_assert_nonnull (strstr (studio_window_get_monitor_status (win), "FINISHED, 1000 rows read"));
  g_assert_true (studio_test_spin_until (studio_test_window_alone, win));
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);

  g_main_context_invoke (sv.ctx, quit_loop, sv.loop);
  g_thread_join (sv.thread);
  g_main_loop_unref (sv.loop);
  g_main_context_unref (sv.ctx);
  g_free (sv.url);
  g_free (sv.token);
  remove_tree (sv.state_dir);
  g_free (sv.state_dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  have_display = gtk_init_check ();
  if (have_display)
    {
      adw_init ();
      gtk_source_init ();
    }
  g_test_add_func ("/gui/io/export-headless", test_export_headless);
  g_test_add_func ("/gui/io/export-headless/subprocess", export_headless);
  g_test_add_func ("/gui/io/design-round-trip", test_design_round_trip);
  g_test_add_func ("/gui/io/window-notebook-export", test_window_notebook_export);
  g_test_add_func ("/gui/io/savepoint-button", test_savepoint_button);
  g_test_add_func ("/gui/io/monitor-group-by-blackhole", test_monitor_group_by_blackhole);
  g_test_add_func ("/gui/io/monitor-remote", test_monitor_remote);
  return g_test_run ();
}
