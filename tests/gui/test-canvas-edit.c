/* test-canvas-edit.c: the canvas's editing aids under a display (Xvfb in CI): zoom and
 * pan (the view transform that hit testing undoes), rubber-band and shift-click
 * selection, deleting and copying a multi-selection with its internal edges, and the
 * Graphviz "Arrange" as one undoable step. Also the 200-node redraw figure (printed,
 * never asserted). Expected positions are worked out from the documented formulas. */
#include <gtk/gtk.h>
#include <string.h>
#include "studio-canvas.h"
#include "studio-results.h"

static gboolean have_display;

static gboolean
need_display (void)
{
  if (!have_display)
    g_test_skip ("no display: run under xvfb-run");
  return have_display;
}

/* Four nodes: 1 -> 2 -> 3 in a row at y 60, and 4 alone below. */
static StudioPipeline *
four_nodes (GtkWidget **canvas)
{
  StudioPipeline *p = studio_pipeline_new ();

  studio_pipeline_add_node (p, STUDIO_NODE_SOURCE, "orders", 40, 60);
  studio_pipeline_add_node (p, STUDIO_NODE_FILTER, "amount > 1", 240, 60);
  studio_pipeline_add_node (p, STUDIO_NODE_SINK, "console", 440, 60);
  studio_pipeline_add_node (p, STUDIO_NODE_SOURCE, "clicks", 40, 300);
  g_assert_true (studio_pipeline_connect (p, 1, 2, NULL));
  g_assert_true (studio_pipeline_connect (p, 2, 3, NULL));
  *canvas = g_object_ref_sink (studio_canvas_new ());
  studio_canvas_set_pipeline (STUDIO_CANVAS (*canvas), p);
  return p;
}

static void
test_zoom_pan (void)
{
  GtkWidget *canvas;
  StudioPipeline *p;
  StudioCanvas *c;
  double px, py;

  if (!need_display ())
    return;
  p = four_nodes (&canvas);
  c = STUDIO_CANVAS (canvas);
  g_assert_cmpfloat (studio_canvas_get_zoom (c, NULL, NULL), ==, 1.0);
  /* node 2's body centre is canvas (315, 93): at zoom 1 that is also the widget point */
  g_assert_cmpuint (studio_canvas_node_at (c, 315, 93), ==, 2);

  /* zoom x2 about widget (100, 50): that canvas point stays, so pan = (-100, -50) */
  studio_canvas_zoom_at (c, 2.0, 100, 50);
  g_assert_cmpfloat (studio_canvas_get_zoom (c, &px, &py), ==, 2.0);
  g_assert_cmpfloat (px, ==, -100.0);
  g_assert_cmpfloat (py, ==, -50.0);
  /* canvas (315, 93) -> widget (315 * 2 - 100, 93 * 2 - 50) = (530, 136) */
  g_assert_cmpuint (studio_canvas_node_at (c, 530, 136), ==, 2);
  g_assert_cmpuint (studio_canvas_node_at (c, 315, 93), ==, 0); /* canvas (207.5, 71.5) */

  /* Ctrl+0 resets; zoom-in/out step by 1.25 about the (0-size) widget's centre */
  g_assert_true (gtk_widget_activate_action (canvas, "canvas.zoom-reset", NULL));
  g_assert_cmpfloat (studio_canvas_get_zoom (c, &px, &py), ==, 1.0);
  g_assert_cmpfloat (px, ==, 0.0);
  gtk_widget_activate_action (canvas, "canvas.zoom-in", NULL);
  g_assert_cmpfloat_with_epsilon (studio_canvas_get_zoom (c, NULL, NULL), 1.25, 1e-9);
  gtk_widget_activate_action (canvas, "canvas.zoom-out", NULL);
  g_assert_cmpfloat_with_epsilon (studio_canvas_get_zoom (c, NULL, NULL), 1.0, 1e-9);
  for (int i = 0; i < 20; i++)
    gtk_widget_activate_action (canvas, "canvas.zoom-in", NULL);
  g_assert_cmpfloat (studio_canvas_get_zoom (c, NULL, NULL), ==, 4.0); /* clamped */

  /* pan by (30, -20) at zoom 1: node 1's body (115, 93) is now at widget (145, 73) */
  studio_canvas_set_view (c, 1.0, 30, -20);
  g_assert_cmpuint (studio_canvas_node_at (c, 145, 73), ==, 1);
  g_assert_cmpuint (studio_canvas_node_at (c, 60, 70), ==, 0); /* canvas (30, 90) */
  g_object_unref (canvas);
  g_assert_finalize_object (p);
}

static void
assert_selection (StudioCanvas *c, const guint *want, guint n_want)
{
  guint n;
  const guint *ids = studio_canvas_get_selection (c, &n);

  g_assert_cmpuint (n, ==, n_want);
  for (guint i = 0; i < n_want; i++)
    g_assert_true (studio_canvas_is_selected (c, want[i]));
  for (guint i = 0; i < n; i++)
    g_assert_nonnull (studio_pipeline_lookup (studio_canvas_get_pipeline (c), ids[i]));
}

static void
test_multi_select (void)
{
  GtkWidget *canvas;
  StudioPipeline *p;
  StudioCanvas *c;

  if (!need_display ())
    return;
  p = four_nodes (&canvas);
  c = STUDIO_CANVAS (canvas);
  /* the band (30, 50)-(300, 100) touches node 1 (x 40..190) and node 2 (x 240..390) */
  studio_canvas_select_rect (c, 300, 100, 30, 50, FALSE);
  assert_selection (c, (guint[]){ 1, 2 }, 2);
  /* shift-click adds 4, then takes 1 away */
  studio_canvas_toggle_selected (c, 4);
  assert_selection (c, (guint[]){ 1, 2, 4 }, 3);
  studio_canvas_toggle_selected (c, 1);
  assert_selection (c, (guint[]){ 2, 4 }, 2);
  /* at zoom 0.5 the same widget band covers canvas (60, 100)-(600, 200): nodes 1-3 */
  studio_canvas_set_view (c, 0.5, 0, 0);
  studio_canvas_select_rect (c, 30, 50, 300, 100, FALSE);
  assert_selection (c, (guint[]){ 1, 2, 3 }, 3);

  /* deleting the three: their two edges go, and one undo brings everything back */
  gtk_widget_activate_action (canvas, "canvas.delete", NULL);
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 1);
  g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, 0);
  assert_selection (c, NULL, 0);
  g_assert_true (studio_pipeline_undo (p));
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 4);
  g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, 2);
  g_assert_false (studio_pipeline_can_undo (p) && studio_pipeline_get_n_nodes (p) != 4);
  g_object_unref (canvas);
  g_assert_finalize_object (p);
}

static void
test_copy_paste (void)
{
  GtkWidget *canvas;
  StudioPipeline *p;
  StudioCanvas *c;
  const StudioNode *n;

  if (!need_display ())
    return;
  p = four_nodes (&canvas);
  c = STUDIO_CANVAS (canvas);
  gtk_widget_activate_action (canvas, "canvas.paste", NULL); /* nothing copied yet */
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 4);
  studio_canvas_select (c, 1);
  studio_canvas_toggle_selected (c, 2);
  g_assert_true (gtk_widget_activate_action (canvas, "canvas.copy", NULL));
  g_assert_true (gtk_widget_activate_action (canvas, "canvas.paste", NULL));
  /* two new nodes (ids 5, 6) offset by 32, the internal edge 1->2 copied as 5->6, the
   * edge 2->3 leaving the selection not copied; the pasted nodes are the selection */
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 6);
  g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, 3);
  n = studio_pipeline_lookup (p, 5);
  g_assert_nonnull (n);
  g_assert_cmpint (n->kind, ==, STUDIO_NODE_SOURCE);
  g_assert_cmpstr (n->text, ==, "orders");
  g_assert_cmpfloat (n->x, ==, 72.0);
  g_assert_cmpfloat (n->y, ==, 92.0);
  n = studio_pipeline_lookup (p, 6);
  g_assert_cmpstr (n->text, ==, "amount > 1");
  g_assert_cmpfloat (n->x, ==, 272.0);
  g_assert_cmpuint (studio_pipeline_get_input (p, 6), ==, 5);
  g_assert_cmpuint (studio_pipeline_get_input (p, 3), ==, 2);
  assert_selection (c, (guint[]){ 5, 6 }, 2);
  /* a second paste lands another 32 further */
  gtk_widget_activate_action (canvas, "canvas.paste", NULL);
  g_assert_cmpfloat (studio_pipeline_lookup (p, 7)->x, ==, 104.0);
  g_assert_cmpuint (studio_pipeline_get_input (p, 8), ==, 7);
  /* each paste is one undo step */
  g_assert_true (studio_pipeline_undo (p));
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 6);
  g_assert_true (studio_pipeline_undo (p));
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 4);
  g_assert_cmpuint (studio_pipeline_get_n_edges (p), ==, 2);
  g_object_unref (canvas);
  g_assert_finalize_object (p);
}

static void
test_arrange (void)
{
  GtkWidget *canvas;
  StudioPipeline *p;
  const StudioNode *a, *b, *d;

  if (!need_display ())
    return;
  p = four_nodes (&canvas);
  /* scramble the chain: 3 left of 1 */
  studio_pipeline_move_node (p, 3, 0, 500, TRUE);
  studio_pipeline_move_node (p, 1, 600, 0, TRUE);
  g_assert_true (gtk_widget_activate_action (canvas, "canvas.arrange", NULL));
  a = studio_pipeline_lookup (p, 1);
  b = studio_pipeline_lookup (p, 2);
  d = studio_pipeline_lookup (p, 3);
  /* left to right by rank, one node width (150) plus ranksep 0.6 in (43.2 pt) apart,
   * a straight chain on one line, the leftmost rank at the 40-unit margin */
  g_assert_cmpfloat_with_epsilon (b->x - a->x, 193.2, 1.0);
  g_assert_cmpfloat_with_epsilon (d->x - b->x, 193.2, 1.0);
  g_assert_cmpfloat_with_epsilon (a->y, b->y, 1.0);
  g_assert_cmpfloat_with_epsilon (b->y, d->y, 1.0);
  g_assert_cmpfloat_with_epsilon (a->x, 40.0, 1.0);
  g_assert_cmpfloat_with_epsilon (studio_pipeline_lookup (p, 4)->x, 40.0, 1.0);
  /* node 4 shares rank 0 with node 1, stacked apart by at least a node height */
  g_assert_cmpfloat (ABS (studio_pipeline_lookup (p, 4)->y - a->y), >=,
                     STUDIO_CANVAS_NODE_H);
  /* one undo step puts the scrambled positions back */
  g_assert_true (studio_pipeline_undo (p));
  g_assert_cmpfloat (studio_pipeline_lookup (p, 1)->x, ==, 600.0);
  g_assert_cmpfloat (studio_pipeline_lookup (p, 3)->y, ==, 500.0);
  g_assert_cmpfloat (studio_pipeline_lookup (p, 2)->x, ==, 240.0);
  g_object_unref (canvas);
  g_assert_finalize_object (p);
}

/* 200 nodes in 20 chains of 10; one full snapshot of the canvas and its rasterisation
 * to an image, as a redraw does. The figure is printed, not asserted. */
static void
test_bench_200 (void)
{
  GtkWidget *window, *canvas;
  StudioPipeline *p;
  cairo_surface_t *surface;
  gint64 t0, t1;
  int w, h, tries = 0;
  const int rounds = 5;

  if (!need_display ())
    return;
  p = studio_pipeline_new ();
  for (guint r = 0; r < 20; r++)
    for (guint k = 0; k < 10; k++)
      {
        guint id = studio_pipeline_add_node (p, k == 0 ? STUDIO_NODE_SOURCE
                                                  : k == 9 ? STUDIO_NODE_SINK
                                                           : STUDIO_NODE_FILTER,
                                             k == 0 ? "orders" : "amount > 10",
                                             40 + k * 190.0, 40 + r * 90.0);
        if (k > 0)
          g_assert_true (studio_pipeline_connect (p, id - 1, id, NULL));
      }
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 200);
  window = gtk_window_new ();
  canvas = studio_canvas_new ();
  studio_canvas_set_pipeline (STUDIO_CANVAS (canvas), p);
  gtk_window_set_child (GTK_WINDOW (window), canvas);
  gtk_window_present (GTK_WINDOW (window));
  while (gtk_widget_get_width (canvas) == 0 && tries++ < 10000)
    g_main_context_iteration (NULL, TRUE);
  w = gtk_widget_get_width (canvas);
  h = gtk_widget_get_height (canvas);
  g_assert_cmpint (w, >=, 40 + 10 * 190 - 40);  /* measure asks for all nodes */
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  t0 = g_get_monotonic_time ();
  for (int i = 0; i < rounds; i++)
    {
      GtkSnapshot *snap = gtk_snapshot_new ();
      GskRenderNode *node;
      cairo_t *cr = cairo_create (surface);
      GTK_WIDGET_GET_CLASS (canvas)->snapshot (canvas, snap);
      node = gtk_snapshot_free_to_node (snap);
      g_assert_nonnull (node);
      gsk_render_node_draw (node, cr);
      cairo_destroy (cr);
      gsk_render_node_unref (node);
    }
  t1 = g_get_monotonic_time ();
  g_test_message ("200-node canvas (%dx%d): %.1f ms per full snapshot + raster", w, h,
                  (t1 - t0) / 1000.0 / rounds);
  cairo_surface_destroy (surface);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (p);
}

static void
test_node_problem (void)
{
  GtkWidget *canvas;
  StudioPipeline *p;
  g_autofree char *ok = NULL, *bad = NULL, *fixed = NULL;
  guint w;

  if (!need_display ())
    return;
  canvas = g_object_ref_sink (studio_canvas_new ());
  p = studio_pipeline_new ();
  studio_canvas_set_pipeline (STUDIO_CANVAS (canvas), p);
  gtk_widget_activate_action (canvas, "canvas.add-node", "s", "window:TUMBLE(ts, 10 SECOND)");
  w = studio_canvas_get_selected (STUDIO_CANVAS (canvas));
  ok = studio_canvas_dup_node_problem (STUDIO_CANVAS (canvas), w);
  g_assert_null (ok);
  /* typing a bad interval marks the node with the reason */
  studio_pipeline_set_text (p, w, "TUMBLE(ts, 10 SECONDZ)", NULL);
  bad = studio_canvas_dup_node_problem (STUDIO_CANVAS (canvas), w);
  g_assert_nonnull (bad);
  g_assert_nonnull (strstr (bad, "Bad interval '10 SECONDZ'"));
  studio_pipeline_set_text (p, w, "TUMBLE(ts, 10 SECONDS)", NULL);
  fixed = studio_canvas_dup_node_problem (STUDIO_CANVAS (canvas), w);
  g_assert_null (fixed);
  g_object_unref (canvas);
  g_assert_finalize_object (p);
}

/* Changelog rows on the results store: +I and +U append, -U and -D remove the equal row. */
static void
test_results_changelog (void)
{
  g_autoptr (GListStore) store = g_list_store_new (GTK_TYPE_STRING_LIST);
  GListModel *m = G_LIST_MODEL (store);
  g_autoptr (GtkStringList) row = NULL;

  g_assert_true (studio_results_apply (store, RT_ROW_INSERT, (const char *[]){ "a", "1", NULL }));
  g_assert_true (studio_results_apply (store, RT_ROW_INSERT, (const char *[]){ "b", "1", NULL }));
  g_assert_true (studio_results_apply (store, RT_ROW_UPDATE_BEFORE,
                                       (const char *[]){ "a", "1", NULL }));
  g_assert_true (studio_results_apply (store, RT_ROW_UPDATE_AFTER,
                                       (const char *[]){ "a", "2", NULL }));
  g_assert_cmpuint (g_list_model_get_n_items (m), ==, 2);
  g_assert_true (studio_results_apply (store, RT_ROW_DELETE, (const char *[]){ "b", "1", NULL }));
  /* a retraction of a row that is not there changes nothing */
  g_assert_false (studio_results_apply (store, RT_ROW_DELETE,
                                        (const char *[]){ "zz", "9", NULL }));
  g_assert_cmpuint (g_list_model_get_n_items (m), ==, 1);
  row = g_list_model_get_item (m, 0);
  g_assert_cmpstr (gtk_string_list_get_string (row, 0), ==, "a");
  g_assert_cmpstr (gtk_string_list_get_string (row, 1), ==, "2");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  have_display = gtk_init_check ();
  g_test_add_func ("/gui/canvas-edit/zoom-pan", test_zoom_pan);
  g_test_add_func ("/gui/canvas-edit/multi-select", test_multi_select);
  g_test_add_func ("/gui/canvas-edit/copy-paste", test_copy_paste);
  g_test_add_func ("/gui/canvas-edit/arrange", test_arrange);
  g_test_add_func ("/gui/canvas-edit/node-problem", test_node_problem);
  g_test_add_func ("/gui/canvas-edit/bench-200", test_bench_200);
  g_test_add_func ("/gui/results/changelog", test_results_changelog);
  return g_test_run ();
}
