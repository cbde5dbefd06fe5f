/* test-canvas.c: the widgets under a display (Xvfb in CI): building a pipeline through
 * the canvas's actions, SQL typed into the window reaching the canvas, the plan view's
 * one box per operator, and that widgets, models and the window are finalized. Each test
 * is skipped when there is no display. */
#include <glib/gstdio.h>
#include <gtksourceview/gtksource.h>
#include "studio-window.h"
#include "repl/repl.h"
#include "studio-test-util.h"

static gboolean have_display;

static gboolean
need_display (void)
{
  if (!have_display)
    g_test_skip ("no display: run under xvfb-run");
  return have_display;
}

static void
test_canvas_actions (void)
{
  GtkWidget *canvas;
  StudioPipeline *p;
  g_autofree char *sql = NULL;
  g_autoptr (GError) error = NULL;

  if (!need_display ())
    return;
  canvas = g_object_ref_sink (studio_canvas_new ());
  p = studio_pipeline_new ();
  studio_canvas_set_pipeline (STUDIO_CANVAS (canvas), p);
  g_assert_true (gtk_widget_activate_action (canvas, "canvas.add-node", "s", "source:orders"));
  gtk_widget_activate_action (canvas, "canvas.add-node", "s", "filter:amount > 10");
  gtk_widget_activate_action (canvas, "canvas.add-node", "s",
                              "project:order_id, customer, amount");
  gtk_widget_activate_action (canvas, "canvas.add-node", "s", "sink:console");
  g_assert_cmpuint (studio_canvas_get_selected (STUDIO_CANVAS (canvas)), ==, 4);
  for (guint id = 1; id < 4; id++)
    gtk_widget_activate_action (canvas, "canvas.connect", "(uu)", id, id + 1);
  sql = studio_pipeline_to_sql (p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sql, ==, "INSERT INTO console SELECT order_id, customer, amount "
                            "FROM orders WHERE amount > 10");
  /* nodes are placed left to right without overlapping */
  g_assert_cmpfloat (studio_pipeline_lookup (p, 2)->x, >=,
                     studio_pipeline_lookup (p, 1)->x + STUDIO_CANVAS_NODE_W);

  /* delete the selected filter: its edges go too; undo brings all back */
  gtk_widget_activate_action (canvas, "canvas.select", "u", 2);
  gtk_widget_activate_action (canvas, "canvas.delete", NULL);
  g_assert_null (studio_pipeline_lookup (p, 2));
  g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, 1);
  g_assert_cmpuint (studio_canvas_get_selected (STUDIO_CANVAS (canvas)), ==, 0);
  g_assert_true (studio_pipeline_undo (p));
  g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, 3);

  /* hit testing finds a node by its body */
  {
    const StudioNode *n = studio_pipeline_lookup (p, 3);
    g_assert_cmpuint (studio_canvas_node_at (STUDIO_CANVAS (canvas), n->x + 20, n->y + 30),
                      ==, 3);
  }
  g_object_unref (canvas);
  g_assert_finalize_object (p);
}

static void
store_message (StudioCanvas *canvas, const char *message, char **out)
{
  g_free (*out);
  *out = g_strdup (message);
}

static void
test_canvas_refusal (void)
{
  GtkWidget *canvas;
  StudioPipeline *p;
  g_autofree char *message = NULL;

  if (!need_display ())
    return;
  canvas = g_object_ref_sink (studio_canvas_new ());
  p = studio_pipeline_new ();
  studio_canvas_set_pipeline (STUDIO_CANVAS (canvas), p);
  g_signal_connect (canvas, "error", G_CALLBACK (store_message), &message);
  gtk_widget_activate_action (canvas, "canvas.add-node", "s", "sink:console");
  gtk_widget_activate_action (canvas, "canvas.add-node", "s", "source:orders");
  gtk_widget_activate_action (canvas, "canvas.connect", "(uu)", 1, 2);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "sink has no output port"));
  g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, 0);
  g_clear_pointer (&message, g_free);
  gtk_widget_activate_action (canvas, "canvas.add-node", "s", "bogus");
  g_assert_nonnull (message);
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 2);
  g_object_unref (canvas);
  g_assert_finalize_object (p);
}

static const char demo_script[] =
  "CREATE TABLE orders (order_id INT, customer VARCHAR, amount DECIMAL(10, 2), qty INT) "
  "WITH ('connector' = 'filesystem', 'path' = 'orders.csv', 'format' = 'csv');\n"
  "CREATE TABLE console (order_id INT, amount DECIMAL(10, 2)) WITH ('connector' = 'print');\n"
  "INSERT INTO console SELECT order_id, amount FROM orders WHERE qty > 2;\n";

static void
test_window_sql_to_canvas (void)
{
  StudioWindow *win;
  StudioPipeline *p;
  const StudioPlanLayout *layout;
  g_autoptr (GError) error = NULL;

  if (!need_display ())
    return;
  win = g_object_ref (studio_window_new (NULL));
  g_assert_true (studio_window_load_script (win, demo_script, &error));
  g_assert_no_error (error);
  p = studio_window_get_pipeline (win);
  /* the script's INSERT is on the canvas: source, filter, project, sink */
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 4);
  g_assert_cmpstr (studio_pipeline_get_node (p, 1)->text, ==, "qty > 2");
  g_assert_cmpstr (studio_pipeline_get_node (p, 3)->text, ==, "console");

  /* the plan view shows the optimized plan: one box per physical operator */
  layout = studio_plan_view_get_layout (studio_window_get_plan_view (win));
  g_assert_nonnull (layout);
  g_assert_cmpuint (layout->boxes->len, ==, layout->plan->nodes->len);

  /* new SQL replaces the canvas, and the plan follows */
  g_assert_true (studio_window_load_script (win, "SELECT customer, COUNT(*) AS n FROM orders "
                                                 "GROUP BY customer", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 3);
  g_assert_cmpint (studio_pipeline_get_node (p, 1)->kind, ==, STUDIO_NODE_AGGREGATE);
  g_assert_cmpstr (studio_pipeline_get_node (p, 1)->group_by, ==, "customer");
  layout = studio_plan_view_get_layout (studio_window_get_plan_view (win));
  g_assert_nonnull (layout);
  g_assert_cmpuint (layout->boxes->len, ==, layout->plan->nodes->len);

  /* a statement with no canvas form is refused and leaves the canvas alone */
  g_assert_false (studio_window_load_script (win, "SELECT * FROM orders LIMIT 1", &error));
  g_assert_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_UNSUPPORTED);
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 3);

  /* the header bar's Arrange reaches the canvas: one undo step, chain left to right */
  studio_pipeline_move_node (p, studio_pipeline_get_node (p, 0)->id, 900, 400, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.canvas", "s", "arrange"));
  g_assert_cmpfloat (studio_pipeline_get_node (p, 0)->x, <, studio_pipeline_get_node (p, 1)->x);
  g_assert_cmpfloat (studio_pipeline_get_node (p, 1)->x, <, studio_pipeline_get_node (p, 2)->x);
  g_assert_true (studio_pipeline_undo (p));
  g_assert_cmpfloat (studio_pipeline_get_node (p, 0)->x, ==, 900.0);

  /* the inspector validates a window spec as it is typed, before Enter */
  {
    StudioCanvas *canvas = studio_window_get_canvas (win);
    GtkEditable *entry = studio_window_get_inspector_entry (win);
    g_autofree char *problem = NULL;
    guint w;
    gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.add-node", "s",
                                "window:TUMBLE(ts, 10 SECOND)");
    w = studio_canvas_get_selected (canvas);
    g_assert_cmpint (studio_pipeline_lookup (p, w)->kind, ==, STUDIO_NODE_WINDOW);
    gtk_editable_set_text (entry, "TUMBLE(ts, 10 SECCOND)");
    problem = studio_canvas_dup_node_problem (canvas, w);
    g_assert_nonnull (problem);
    g_assert_nonnull (strstr (problem, "Bad interval '10 SECCOND'"));
    g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (entry), "error"));
    g_assert_cmpstr (studio_pipeline_lookup (p, w)->text, ==, "TUMBLE(ts, 10 SECOND)");
    gtk_editable_set_text (entry, "TUMBLE(ts, 10 MINUTES)");
    g_clear_pointer (&problem, g_free);
    problem = studio_canvas_dup_node_problem (canvas, w);
    g_assert_null (problem);
    g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (entry), "error"));
  }

  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);
}

static void
test_window_open_notebook (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  StudioWindow *win;
  StudioPipeline *p;
  g_autoptr (GError) error = NULL;

  if (!need_display ())
    return;
  dir = g_dir_make_tmp ("studio-test-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "demo.strom", NULL);
  {
    g_autoptr (ReplNotebook) nb = repl_notebook_open (path, TRUE, &error);
    g_assert_no_error (error);
    /* one cell per statement, the way the REPL stores them; a meta-command is skipped */
    g_assert_cmpint (repl_notebook_add_cell (nb, "CREATE TABLE orders (order_id INT, qty INT) "
                                             "WITH ('connector' = 'datagen');", &error), >, 0);
    g_assert_cmpint (repl_notebook_add_cell (nb, "\\timing on", &error), >, 0);
    g_assert_cmpint (repl_notebook_add_cell (nb, "SELECT order_id FROM orders WHERE qty > 1",
                                             &error), >, 0);
    g_assert_no_error (error);
  }
  win = g_object_ref (studio_window_new (NULL));
  g_assert_true (studio_window_open_file (win, path, &error));
  g_assert_no_error (error);
  p = studio_window_get_pipeline (win);
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 4);
  g_assert_cmpstr (studio_pipeline_get_node (p, 0)->text, ==, "orders");
  g_assert_cmpstr (studio_pipeline_get_node (p, 2)->text, ==, "order_id");
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);
  g_remove (path);
  {
    /* SQLite's WAL side files, if any */
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_remove (wal);
    g_remove (shm);
  }
  g_rmdir (dir);
}

static gboolean
monitored (gpointer win)
{
  /* one snapshot applied, and the window is ours alone again (no task in flight) */
  return studio_window_get_n_snapshots (win) > 0 && studio_test_window_alone (win);
}

static void
test_window_monitor (void)
{
  StudioWindow *win;
  g_autoptr (GError) error = NULL;

  if (!need_display ())
    return;
  win = g_object_ref (studio_window_new (NULL));
  g_assert_true (studio_window_load_script (win,
    "CREATE TABLE ticks (id BIGINT, v INT) WITH ('connector' = 'datagen', "
    "'number-of-rows' = '1000');\n"
    "CREATE TABLE sunk (id BIGINT) WITH ('connector' = 'blackhole');\n"
    "INSERT INTO sunk SELECT id FROM ticks WHERE v > 0;\n", &error));
  g_assert_no_error (error);
  g_assert_true (studio_window_run (win, &error));
  g_assert_no_error (error);
  /* snapshots are built by a worker and applied in the main context */
  g_assert_true (studio_test_spin_until (monitored, win));
  g_assert_cmpuint (studio_window_get_n_snapshots (win), >=, 1);
  /* no checkpoint interval set: the monitor shows no checkpoint statistics */
  g_assert_null (studio_window_get_checkpoint_text (win));
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);
}

static void
test_plan_view_finalize (void)
{
  g_autoptr (PlanCatalog) catalog = NULL;
  g_autoptr (PlanStatement) stmt = NULL;
  g_autoptr (GError) error = NULL;
  GtkWidget *view;
  PlanPhysNode *sink;
  g_autoptr (PlanPhysPlan) plan = NULL;
  int min = 0, nat = 0;

  if (!need_display ())
    return;
  catalog = studio_test_catalog ();
  view = g_object_ref_sink (studio_plan_view_new ());
  sink = plan_phys_node_new (PLAN_PHYS_SINK, plan_schema_ref (
                               plan_catalog_get_table (catalog, "orders")->schema),
                             (PlanSpan) { 0 }, 1);
  plan = plan_phys_plan_new (sink);
  studio_plan_view_set_layout (STUDIO_PLAN_VIEW (view), studio_plan_layout_new (plan, &error),
                               NULL);
  g_assert_no_error (error);
  gtk_widget_measure (view, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  g_assert_cmpint (min, >, 0);
  g_assert_cmpint (studio_plan_view_get_selected (STUDIO_PLAN_VIEW (view)), ==, -1);
  g_assert_finalize_object (view);
}

static gboolean
results_are (GListModel *m, const char *const *want, guint n_want)
{
  if (g_list_model_get_n_items (m) != n_want)
    return FALSE;
  for (guint i = 0; i < n_want; i++)
    {
      gboolean found = FALSE;
      for (guint k = 0; k < n_want && !found; k++)
        {
          g_autoptr (GtkStringList) row = g_list_model_get_item (m, k);
          found = g_strcmp0 (gtk_string_list_get_string (row, 0), want[2 * i]) == 0
                  && g_strcmp0 (gtk_string_list_get_string (row, 1), want[2 * i + 1]) == 0;
        }
      if (!found)
        return FALSE;
    }
  return TRUE;
}

static gboolean
results_complete (gpointer model)
{
  static const char *want[] = { "1", "3", "2", "3", "3", "2" };
  return results_are (model, want, 3);
}

/* An updating aggregate run in the window: its -U/+U changelog, fetched by the worker,
 * ends as one row per auction in the results column view's model. bids.csv by hand:
 * auction 1 has alice, carol, frank; 2 has bob, erin, hank; 3 has dave, gina. */
static void
test_window_results (void)
{
  StudioWindow *win;
  GListModel *results;
  g_autoptr (GError) error = NULL;
  g_autofree char *csv = NULL, *script = NULL;

  if (!need_display ())
    return;
  csv = g_build_filename (g_getenv ("STROM_SOURCE_ROOT") ? g_getenv ("STROM_SOURCE_ROOT")
                                                           : ".",
                          "tests", "integration", "golden", "bids.csv", NULL);
  script = g_strdup_printf (
    "CREATE TABLE bids (auction INT, bidder VARCHAR, price DECIMAL(10, 2), ts TIMESTAMP(3)) "
    "WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'csv', "
    "'csv.header' = 'true');\n"
    "SELECT auction, COUNT(*) AS n FROM bids GROUP BY auction;\n", csv);
  win = g_object_ref (studio_window_new (NULL));
  g_assert_true (studio_window_load_script (win, script, &error));
  g_assert_no_error (error);
  g_assert_true (studio_window_run (win, &error));
  g_assert_no_error (error);
  results = studio_window_get_results (win);
  /* the counts only grow, so the expected set appears only once every row is in */
  g_assert_true (studio_test_spin_until (results_complete, results));
  /* wait for the poll task to give its window reference back */
  g_assert_true (studio_test_spin_until (studio_test_window_alone, win));
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);
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
  g_test_add_func ("/gui/canvas/actions", test_canvas_actions);
  g_test_add_func ("/gui/canvas/refusal", test_canvas_refusal);
  g_test_add_func ("/gui/window/sql-to-canvas", test_window_sql_to_canvas);
  g_test_add_func ("/gui/window/open-notebook", test_window_open_notebook);
  g_test_add_func ("/gui/window/monitor", test_window_monitor);
  g_test_add_func ("/gui/plan-view/finalize", test_plan_view_finalize);
  g_test_add_func ("/gui/window/results", test_window_results);
  return g_test_run ();
}
