/* test-designer.c: the designer under a display (Xvfb in CI): window aggregates and joins
 * typed into the SQL editor come back onto the canvas as nodes and edges, union, Top-N
 * and dedup nodes added through the canvas's actions print SQL the session binds, and
 * the inspector checks column names as they are typed. Skipped without a display. */
#include <glib/gstdio.h>
#include <gtksourceview/gtksource.h>
#include "studio-window.h"

static gboolean have_display;

static gboolean
need_display (void)
{
  if (!have_display)
    g_test_skip ("no display: run under xvfb-run");
  return have_display;
}

static const char *ddl =
  "CREATE TABLE orders (order_id INT, customer VARCHAR, amount DECIMAL(10, 2), qty INT, "
  "status VARCHAR) WITH ('connector' = 'filesystem', 'path' = 'orders.csv', "
  "'format' = 'csv');\n"
  "CREATE TABLE clicks (user_id INT, price DOUBLE) WITH ('connector' = 'datagen');\n"
  "CREATE TABLE bids (auction INT, price DOUBLE, bidder VARCHAR, ts TIMESTAMP(3), "
  "pt AS PROCTIME(), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) "
  "WITH ('connector' = 'datagen');\n";

static StudioWindow *
new_window (void)
{
  StudioWindow *win = g_object_ref (studio_window_new (NULL));
  g_autoptr (GError) error = NULL;

  g_assert_true (studio_window_load_script (win, ddl, &error));
  g_assert_no_error (error);
  return win;
}

/* Types sql into the editor and applies it as Ctrl+Enter does. */
static void
type_sql (StudioWindow *win, const char *sql)
{
  gtk_text_buffer_set_text (studio_window_get_sql_buffer (win), sql, -1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.apply-sql", NULL));
}

static void
assert_kinds (StudioPipeline *p, const StudioNodeKind *kinds, guint n)
{
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (studio_pipeline_get_node (p, i)->kind, ==, kinds[i]);
}

static void
test_sql_editor_window_join (void)
{
  StudioWindow *win;
  StudioPipeline *p;
  const StudioNodeKind win_kinds[] = { STUDIO_NODE_SOURCE, STUDIO_NODE_WINDOW,
                                       STUDIO_NODE_AGGREGATE, STUDIO_NODE_SINK };
  const StudioNodeKind join_kinds[] = { STUDIO_NODE_SOURCE, STUDIO_NODE_SOURCE,
                                        STUDIO_NODE_JOIN, STUDIO_NODE_PROJECT,
                                        STUDIO_NODE_SINK };

  if (!need_display ())
    return;
  win = new_window ();
  p = studio_window_get_pipeline (win);
  type_sql (win, "SELECT window_start, window_end, auction, COUNT(*) AS n FROM "
                 "TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' MINUTE, "
                 "INTERVAL '5' MINUTE)) GROUP BY window_start, window_end, auction");
  assert_kinds (p, win_kinds, G_N_ELEMENTS (win_kinds));
  g_assert_cmpstr (studio_pipeline_get_node (p, 0)->text, ==, "bids");
  g_assert_cmpstr (studio_pipeline_get_node (p, 1)->text, ==, "HOP(ts, 1 MINUTE, 5 MINUTE)");
  g_assert_cmpstr (studio_pipeline_get_node (p, 2)->text, ==, "COUNT(*) AS n");
  g_assert_cmpstr (studio_pipeline_get_node (p, 2)->group_by, ==, "auction");
  g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, 3);
  for (guint id = 2; id <= 4; id++)
    g_assert_cmpuint (studio_pipeline_get_input (p, id), ==, id - 1);

  type_sql (win, "SELECT order_id, price FROM orders LEFT JOIN clicks "
                 "ON orders.order_id = clicks.user_id");
  assert_kinds (p, join_kinds, G_N_ELEMENTS (join_kinds));
  g_assert_cmpstr (studio_pipeline_get_node (p, 2)->text, ==, "left");
  g_assert_cmpstr (studio_pipeline_get_node (p, 2)->group_by, ==, "order_id = user_id");
  g_assert_cmpstr (studio_pipeline_get_node (p, 3)->text, ==, "order_id, price");
  g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, 4);
  g_assert_cmpuint (studio_pipeline_get_input_port (p, 3, 0), ==, 1);
  g_assert_cmpuint (studio_pipeline_get_input_port (p, 3, 1), ==, 2);
  g_assert_cmpuint (studio_pipeline_get_input (p, 4), ==, 3);
  g_assert_cmpuint (studio_pipeline_get_input (p, 5), ==, 4);
  /* the plan view follows: one box per physical operator */
  {
    const StudioPlanLayout *layout = studio_plan_view_get_layout (
                                       studio_window_get_plan_view (win));
    g_assert_nonnull (layout);
    g_assert_cmpuint (layout->boxes->len, ==, layout->plan->nodes->len);
  }
  /* undo goes back to the window aggregate */
  g_assert_true (studio_pipeline_undo (p));
  assert_kinds (p, win_kinds, G_N_ELEMENTS (win_kinds));
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);
}

static void
test_palette_shapes (void)
{
  StudioWindow *win;
  StudioPipeline *p;
  GtkWidget *canvas;
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = NULL;

  if (!need_display ())
    return;
  win = new_window ();
  p = studio_window_get_pipeline (win);
  canvas = GTK_WIDGET (studio_window_get_canvas (win));
  studio_pipeline_clear (p);
  gtk_widget_activate_action (canvas, "canvas.add-node", "s", "source:clicks");     /* 1 */
  gtk_widget_activate_action (canvas, "canvas.add-node", "s", "source:bids");       /* 2 */
  gtk_widget_activate_action (canvas, "canvas.add-node", "s", "dedup:pt");          /* 3 */
  gtk_widget_activate_action (canvas, "canvas.add-node", "s", "project:auction, price"); /* 4 */
  gtk_widget_activate_action (canvas, "canvas.add-node", "s", "union");             /* 5 */
  gtk_widget_activate_action (canvas, "canvas.add-node", "s",
                              "topn:price DESC LIMIT 5");                           /* 6 */
  gtk_widget_activate_action (canvas, "canvas.add-node", "s", "sink");              /* 7 */
  studio_pipeline_set_text (p, 3, "pt", "bidder");
  gtk_widget_activate_action (canvas, "canvas.connect", "(uu)", 2, 3);
  gtk_widget_activate_action (canvas, "canvas.connect", "(uu)", 3, 4);
  gtk_widget_activate_action (canvas, "canvas.connect", "(uu)", 1, 5);
  gtk_widget_activate_action (canvas, "canvas.connect", "(uu)", 4, 5);
  gtk_widget_activate_action (canvas, "canvas.connect", "(uu)", 5, 6);
  gtk_widget_activate_action (canvas, "canvas.connect", "(uu)", 6, 7);
  g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, 6);
  sql = studio_pipeline_to_sql (p, &error);
  g_assert_no_error (error);
  /* the dedup side is in pipe syntax (a projection after it), so it is parenthesized */
  g_assert_cmpstr (sql, ==, "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY price DESC) "
                            "AS rownum FROM (SELECT * FROM clicks UNION ALL (FROM bids |> "
                            "EXTEND ROW_NUMBER() OVER (PARTITION BY bidder ORDER BY pt) AS "
                            "rownum |> WHERE rownum = 1 |> SELECT auction, price))) "
                            "WHERE rownum <= 5");
  /* the window planned it: the plan view has a layout for it */
  g_assert_nonnull (studio_plan_view_get_layout (studio_window_get_plan_view (win)));
  /* every node is fine */
  for (guint id = 1; id <= 7; id++)
    {
      g_autofree char *problem = studio_canvas_dup_node_problem (STUDIO_CANVAS (canvas), id);
      g_assert_null (problem);
    }
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);
}

static void
test_inspector_columns (void)
{
  StudioWindow *win;
  StudioPipeline *p;
  StudioCanvas *canvas;
  GtkEditable *entry, *group;
  g_autofree char *problem = NULL;

  if (!need_display ())
    return;
  win = new_window ();
  p = studio_window_get_pipeline (win);
  canvas = studio_window_get_canvas (win);
  entry = studio_window_get_inspector_entry (win);
  type_sql (win, "SELECT order_id, amount FROM orders WHERE qty > 2");
  g_assert_cmpint (studio_pipeline_get_node (p, 1)->kind, ==, STUDIO_NODE_FILTER);
  studio_canvas_select (canvas, 2);
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "qty > 2");
  /* an unknown column marks the node and the entry while typing */
  gtk_editable_set_text (entry, "quantity > 2");
  problem = studio_canvas_dup_node_problem (canvas, 2);
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem, "quantity"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (entry), "error"));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (entry)), ==, problem);
  g_assert_cmpstr (studio_pipeline_lookup (p, 2)->text, ==, "qty > 2"); /* not applied */
  /* fixed: the mark goes */
  gtk_editable_set_text (entry, "qty > 3");
  g_clear_pointer (&problem, g_free);
  problem = studio_canvas_dup_node_problem (canvas, 2);
  g_assert_null (problem);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (entry), "error"));
  /* the projection after it is checked against the filter's output */
  studio_canvas_select (canvas, 3);
  gtk_editable_set_text (entry, "order_id, amount, nope");
  problem = studio_canvas_dup_node_problem (canvas, 3);
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem, "nope"));
  /* an aggregate's GROUP BY keys are checked while typed too, in their own entry */
  type_sql (win, "SELECT customer, COUNT(*) AS n FROM orders GROUP BY customer");
  g_assert_cmpint (studio_pipeline_lookup (p, 2)->kind, ==, STUDIO_NODE_AGGREGATE);
  studio_canvas_select (canvas, 2);
  group = studio_window_get_inspector_group_entry (win);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (group)));
  g_assert_cmpstr (gtk_editable_get_text (group), ==, "customer");
  gtk_editable_set_text (group, "customer, region");
  g_clear_pointer (&problem, g_free);
  problem = studio_canvas_dup_node_problem (canvas, 2);
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem, "region"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (group), "error"));
  gtk_editable_set_text (group, "customer, status");
  g_clear_pointer (&problem, g_free);
  problem = studio_canvas_dup_node_problem (canvas, 2);
  g_assert_null (problem);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (group), "error"));
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);
}

static guint
box_titled (const StudioPlanLayout *layout, const char *prefix)
{
  for (guint i = 0; i < layout->boxes->len; i++)
    {
      const StudioPlanBox *b = &g_array_index (layout->boxes, StudioPlanBox, i);
      if (g_str_has_prefix (b->title, prefix))
        return b->id;
    }
  g_assert_not_reached ();
}

static char *
selected_sql (StudioWindow *win)
{
  GtkTextBuffer *buffer = studio_window_get_sql_buffer (win);
  GtkTextIter a, b;

  if (!gtk_text_buffer_get_selection_bounds (buffer, &a, &b))
    return NULL;
  return gtk_text_buffer_get_text (buffer, &a, &b, FALSE);
}

/* A batch join: clicking it lists the strategies weighed with their costs; clicking an
 * operator selects the SQL it came from in the editor. */
static void
test_plan_node_details (void)
{
  StudioWindow *win;
  const StudioPlanLayout *layout;
  g_autoptr (GError) error = NULL;
  g_autofree char *sel = NULL, *sel2 = NULL;
  const char *details;

  if (!need_display ())
    return;
  win = g_object_ref (studio_window_new (NULL));
  g_assert_true (studio_window_load_script (win, "SET 'execution.runtime-mode' = 'batch';",
                                            &error));
  g_assert_true (studio_window_load_script (win, ddl, &error));
  g_assert_no_error (error);
  type_sql (win, "SELECT * FROM orders INNER JOIN clicks ON orders.order_id = clicks.user_id "
                 "WHERE price > 1");
  layout = studio_plan_view_get_layout (studio_window_get_plan_view (win));
  g_assert_nonnull (layout);
  studio_window_show_plan_node (win, box_titled (layout, "HashJoin"));
  details = studio_window_get_plan_details (win);
  g_test_message ("%s", details);
  g_assert_nonnull (strstr (details, "Alternatives (cost: bytes moved):\n  chosen:   "));
  g_assert_nonnull (strstr (details, "\n  rejected: "));
  sel = selected_sql (win);
  g_test_message ("join selects: %s", sel);
  g_assert_nonnull (sel);
  g_assert_nonnull (strstr (sel, "JOIN"));
  /* a source weighs nothing and selects its table */
  studio_window_show_plan_node (win, box_titled (layout, "Source: clicks"));
  details = studio_window_get_plan_details (win);
  g_assert_nonnull (strstr (details, "Alternatives: none weighed for this operator"));
  sel2 = selected_sql (win);
  g_assert_cmpstr (sel2, ==, "clicks");
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
  g_test_add_func ("/gui/designer/sql-editor-window-join", test_sql_editor_window_join);
  g_test_add_func ("/gui/designer/palette-shapes", test_palette_shapes);
  g_test_add_func ("/gui/designer/inspector-columns", test_inspector_columns);
  g_test_add_func ("/gui/designer/plan-node-details", test_plan_node_details);
  return g_test_run ();
}
