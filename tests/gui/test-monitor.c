/* test-monitor.c: the monitor's checkpoint statistics and edge labels (issue 7).
 *
 * The model half reads hand-written metrics JSON the way the gateway writes it (see
 * metrics_checkpoints in gw-embedded.c) and checks the parsed summary and the exact
 * texts, worked out by hand from the JSON. The display half (skipped without one) draws
 * the monitor graph with those labels, and runs a job with checkpoints in the window
 * until its statistics show, then renders the window to PNG: GLib's test mode turns any
 * critical warning on the way into a failure. */
#include <glib/gstdio.h>
#include <gtksourceview/gtksource.h>
#include "studio-window.h"
#include "studio-screenshot.h"
#include "studio-test-util.h"

static gboolean have_display;

/* Source: orders -> Calc (chained, one task of parallelism 2), hash to GroupAggregate
 * (2), gathered into Sink: collect (1). Tasks: "Source: orders -> Calc",
 * "GroupAggregate", "Sink: collect". Arrows 0->1 (chained), 1->2, 2->3. */
static PlanPhysPlan *
hand_plan (PlanCatalog *catalog)
{
  PlanTable *orders = plan_catalog_get_table (catalog, "orders");
  PlanSchema *schema = orders->schema;
  PlanPhysNode *src = plan_phys_node_new (PLAN_PHYS_SOURCE, plan_schema_ref (schema),
                                          (PlanSpan) { 0 }, 2);
  PlanPhysNode *calc = plan_phys_node_new (PLAN_PHYS_CALC, plan_schema_ref (schema),
                                           (PlanSpan) { 0 }, 2);
  PlanPhysNode *agg = plan_phys_node_new (PLAN_PHYS_AGGREGATE, plan_schema_ref (schema),
                                          (PlanSpan) { 0 }, 2);
  PlanPhysNode *sink = plan_phys_node_new (PLAN_PHYS_SINK, plan_schema_ref (schema),
                                           (PlanSpan) { 0 }, 1);
  guint key = 1;

  src->u.source.table = plan_table_ref (orders);
  calc->chained = TRUE;
  plan_phys_node_add_input (calc, src, PLAN_EXCHANGE_FORWARD, 0, NULL);
  plan_phys_node_add_input (agg, calc, PLAN_EXCHANGE_HASH, 1, &key);
  sink->u.sink.sink = PLAN_SINK_COLLECT;
  plan_phys_node_add_input (sink, agg, PLAN_EXCHANGE_GATHER, 0, NULL);
  return plan_phys_plan_new (sink);
}

#define NOW_MS G_GINT64_CONSTANT (1700000004000)

/* Queue fill per subtask: source chain 0.25 and 0.75, aggregate 0.1 and 0.3. Watermarks:
 * source and calc at NOW - 4 s, aggregate at NOW - 6.5 s, the sink none. History newest
 * last: 2 completed, 3 failed, 4 completed, 5 in progress. */
static const char checkpoint_json[] =
  "{\"job\": \"j2\", \"status\": \"RUNNING\", \"elapsed_ms\": 9000, \"tasks\": ["
  "{\"name\": \"Source: orders -> Calc\", \"subtask\": 0, \"busy_ms_per_s\": 500,"
  " \"idle_ms_per_s\": 500, \"backpressured_ms_per_s\": 0, \"out_queue_fill\": 0.25},"
  "{\"name\": \"Source: orders -> Calc\", \"subtask\": 1, \"busy_ms_per_s\": 500,"
  " \"idle_ms_per_s\": 500, \"backpressured_ms_per_s\": 0, \"out_queue_fill\": 0.75},"
  "{\"name\": \"GroupAggregate\", \"subtask\": 0, \"busy_ms_per_s\": 700,"
  " \"idle_ms_per_s\": 300, \"backpressured_ms_per_s\": 0, \"out_queue_fill\": 0.1},"
  "{\"name\": \"GroupAggregate\", \"subtask\": 1, \"busy_ms_per_s\": 700,"
  " \"idle_ms_per_s\": 300, \"backpressured_ms_per_s\": 0, \"out_queue_fill\": 0.3},"
  "{\"name\": \"Sink: collect\", \"subtask\": 0, \"busy_ms_per_s\": 100,"
  " \"idle_ms_per_s\": 900, \"backpressured_ms_per_s\": 0, \"out_queue_fill\": 0}],"
  "\"operators\": ["
  "{\"id\": 0, \"name\": \"Source: orders\", \"rows_per_s\": 2000, \"latency_p50_ms\": -1,"
  " \"latency_p99_ms\": -1, \"current_watermark\": 1700000000000},"
  "{\"id\": 1, \"name\": \"Calc\", \"rows_per_s\": 1500, \"latency_p50_ms\": 1.5,"
  " \"latency_p99_ms\": 4, \"current_watermark\": 1700000000000},"
  "{\"id\": 2, \"name\": \"GroupAggregate\", \"rows_per_s\": 300.4, \"latency_p50_ms\": 12,"
  " \"latency_p99_ms\": 250, \"current_watermark\": 1699999997500},"
  "{\"id\": 3, \"name\": \"Sink: collect\", \"rows_per_s\": 0, \"latency_p50_ms\": -1,"
  " \"latency_p99_ms\": -1}],"
  "\"checkpoints\": {\"completed\": 3, \"failed\": 1, \"restarts\": 1,"
  " \"restored_from\": \"/var/chk/j1/chk-7\", \"directory\": \"/var/chk/j2\", \"history\": ["
  "{\"id\": 2, \"status\": \"COMPLETED\", \"savepoint\": false, \"duration_ms\": 35.0,"
  " \"size\": 2048, \"alignment_ms\": 0.5, \"path\": \"/var/chk/j2/chk-2\"},"
  "{\"id\": 3, \"status\": \"FAILED\", \"savepoint\": false, \"duration_ms\": 600000.0,"
  " \"size\": 0, \"alignment_ms\": 0.0, \"failure\": \"Checkpoint 3 expired after 10 min\"},"
  "{\"id\": 4, \"status\": \"COMPLETED\", \"savepoint\": false, \"duration_ms\": 1234.0,"
  " \"size\": 5767168, \"alignment_ms\": 12.0, \"path\": \"/var/chk/j2/chk-4\"},"
  "{\"id\": 5, \"status\": \"IN_PROGRESS\", \"savepoint\": false, \"duration_ms\": 20.0,"
  " \"size\": 0, \"alignment_ms\": 0.0}]},"
  "\"memory\": {\"used\": 0, \"peak\": 0, \"budget\": 0}}";

static StudioMonitorState *
state_from (PlanPhysPlan *plan, const char *json)
{
  g_autoptr (GError) error = NULL;
  StudioMonitorState *st = studio_monitor_state_new (plan, json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (st);
  return st;
}

static void
test_model_checkpoints (void)
{
  g_autoptr (PlanCatalog) catalog = studio_test_catalog ();
  g_autoptr (PlanPhysPlan) plan = hand_plan (catalog);
  g_autoptr (StudioMonitorState) st = state_from (plan, checkpoint_json);
  const StudioCheckpointSummary *c = st->checkpoints;
  g_autofree char *text = NULL;

  g_assert_nonnull (c);
  g_assert_cmpint (c->completed, ==, 3);
  g_assert_cmpint (c->failed, ==, 1);
  g_assert_cmpint (c->restarts, ==, 1);
  g_assert_cmpstr (c->restored_from, ==, "/var/chk/j1/chk-7");
  g_assert_cmpstr (c->directory, ==, "/var/chk/j2");
  g_assert_cmpuint (c->n_history, ==, 4);
  /* the newest completed one is 4, not 2 */
  g_assert_cmpint (c->last_completed.id, ==, 4);
  g_assert_false (c->last_completed.savepoint);
  g_assert_cmpfloat_with_epsilon (c->last_completed.duration_ms, 1234.0, 1e-9);
  g_assert_cmpint (c->last_completed.size, ==, 5767168);
  g_assert_cmpfloat_with_epsilon (c->last_completed.alignment_ms, 12.0, 1e-9);
  g_assert_cmpstr (c->last_completed.path, ==, "/var/chk/j2/chk-4");
  g_assert_null (c->last_completed.failure);
  g_assert_cmpint (c->last_failed.id, ==, 3);
  g_assert_cmpstr (c->last_failed.failure, ==, "Checkpoint 3 expired after 10 min");
  g_assert_cmpint (c->in_progress_id, ==, 5);

  /* 1234 ms = 1.234 s; 5767168 B = 5632 KiB = 5.5 MiB; 12 ms has no decimal */
  text = studio_checkpoint_summary_text (c);
  g_assert_cmpstr (text, ==,
                   "Checkpoints: 3 completed, 1 failed, 1 restart, restored from "
                   "/var/chk/j1/chk-7\n"
                   "Last completed: #4, 1.2 s, 5.5 MiB, alignment 12 ms\n"
                   "Last failure: #3, Checkpoint 3 expired after 10 min\n"
                   "In progress: #5");
}

static void
test_model_no_checkpoints (void)
{
  g_autoptr (PlanCatalog) catalog = studio_test_catalog ();
  g_autoptr (PlanPhysPlan) plan = hand_plan (catalog);
  g_autoptr (StudioMonitorState) none = state_from (plan,
    "{\"status\": \"RUNNING\", \"operators\": [{\"id\": 1, \"rows_per_s\": 1500}]}");
  /* what the gateway writes for a session's job that takes no checkpoints */
  g_autoptr (StudioMonitorState) idle = state_from (plan,
    "{\"checkpoints\": {\"completed\": 0, \"failed\": 0, \"restarts\": 0,"
    " \"directory\": \"/var/chk/j3\", \"history\": []}}");
  g_autoptr (StudioMonitorState) enabled = state_from (plan,
    "{\"checkpoints\": {\"enabled\": true, \"completed\": 0, \"failed\": 0,"
    " \"restarts\": 0, \"history\": []}}");
  g_autoptr (StudioMonitorState) first = state_from (plan,
    "{\"checkpoints\": {\"completed\": 0, \"failed\": 0, \"restarts\": 0, \"history\": ["
    "{\"id\": 1, \"status\": \"IN_PROGRESS\", \"savepoint\": false, \"duration_ms\": 3,"
    " \"size\": 0, \"alignment_ms\": 0}]}}");
  g_autoptr (StudioMonitorState) odd = state_from (plan, "{\"checkpoints\": \"oops\"}");
  g_autofree char *text = NULL, *first_text = NULL;

  /* no object, one with nothing in it, a malformed one: nothing to show */
  g_assert_null (none->checkpoints);
  g_assert_null (studio_checkpoint_summary_text (none->checkpoints));
  g_assert_null (idle->checkpoints);
  g_assert_null (odd->checkpoints);
  /* enabled before its first checkpoint: the counts, nothing completed yet */
  g_assert_nonnull (enabled->checkpoints);
  g_assert_cmpint (enabled->checkpoints->last_completed.id, ==, -1);
  g_assert_cmpint (enabled->checkpoints->last_failed.id, ==, -1);
  g_assert_cmpint (enabled->checkpoints->in_progress_id, ==, -1);
  text = studio_checkpoint_summary_text (enabled->checkpoints);
  g_assert_cmpstr (text, ==, "Checkpoints: 0 completed, 0 failed, 0 restarts\n"
                             "Last completed: none yet");
  /* the first one triggered: it exists, so it shows */
  g_assert_nonnull (first->checkpoints);
  first_text = studio_checkpoint_summary_text (first->checkpoints);
  g_assert_cmpstr (first_text, ==, "Checkpoints: 0 completed, 0 failed, 0 restarts\n"
                                   "Last completed: none yet\nIn progress: #1");
}

/* Only a savepoint left in the history, the failures older than it. */
static void
test_model_savepoint (void)
{
  g_autoptr (PlanCatalog) catalog = studio_test_catalog ();
  g_autoptr (PlanPhysPlan) plan = hand_plan (catalog);
  g_autoptr (StudioMonitorState) st = state_from (plan,
    "{\"checkpoints\": {\"completed\": 12, \"failed\": 2, \"restarts\": 0, \"history\": ["
    "{\"id\": 12, \"status\": \"COMPLETED\", \"savepoint\": true, \"duration_ms\": 8.2,"
    " \"size\": 512, \"alignment_ms\": 0}]}}");
  g_autofree char *text = studio_checkpoint_summary_text (st->checkpoints);

  g_assert_true (st->checkpoints->last_completed.savepoint);
  g_assert_cmpstr (text, ==, "Checkpoints: 12 completed, 2 failed, 0 restarts\n"
                             "Last completed: savepoint #12, 8.2 ms, 512 B, alignment 0.0 ms\n"
                             "Last failure: not in the recent history");
}

static void
assert_edge (const StudioMonitorState *st, guint from, guint to, const char *want)
{
  g_autofree char *text = studio_monitor_edge_text (st, from, to, NOW_MS);
  g_assert_cmpstr (text, ==, want);
}

static void
test_model_edge_labels (void)
{
  g_autoptr (PlanCatalog) catalog = studio_test_catalog ();
  g_autoptr (PlanPhysPlan) plan = hand_plan (catalog);
  g_autoptr (StudioMonitorState) st = state_from (plan, checkpoint_json);
  g_autoptr (StudioMonitorState) bare = state_from (plan,
    "{\"status\": \"RUNNING\", \"operators\": [{\"id\": 1, \"rows_per_s\": 1500}]}");

  /* parsed per operator: the fill is the fullest subtask's, calc shares the source's */
  g_assert_cmpint (st->ops[1].chained_to, ==, 0);
  g_assert_cmpint (st->ops[2].chained_to, ==, -1);
  g_assert_cmpfloat_with_epsilon (st->ops[1].out_queue_fill, 0.75, 1e-9);
  g_assert_cmpfloat_with_epsilon (st->ops[2].out_queue_fill, 0.3, 1e-9);
  g_assert_true (st->ops[2].has_watermark);
  g_assert_cmpint (st->ops[2].current_watermark, ==, G_GINT64_CONSTANT (1699999997500));
  g_assert_false (st->ops[3].has_watermark);
  g_assert_cmpfloat_with_epsilon (st->ops[1].latency_p50_ms, 1.5, 1e-9);
  g_assert_cmpfloat (st->ops[0].latency_p50_ms, <, 0);

  /* chained: no channel, so no fill; calc's watermark 4 s behind, its latency */
  assert_edge (st, 0, 1, "2000 rows/s, chained\nwatermark lag 4.0 s\n"
                         "latency p50 1.5 ms, p99 4.0 ms");
  /* calc's task fill 0.75; the aggregate's watermark 4 s + 2.5 s behind */
  assert_edge (st, 1, 2, "1500 rows/s, fill 75%\nwatermark lag 6.5 s\n"
                         "latency p50 12 ms, p99 250 ms");
  /* 300.4 rows/s, fill 0.3; the sink has no watermark and no latency measured */
  assert_edge (st, 2, 3, "300 rows/s, fill 30%\nno watermark");
  g_assert_null (studio_monitor_edge_text (st, 2, 9, NOW_MS));

  /* 90 min behind; then 2 s ahead of the clock; a p99 alone */
  st->ops[3].has_watermark = TRUE;
  st->ops[3].current_watermark = NOW_MS - 90 * 60 * 1000;
  assert_edge (st, 2, 3, "300 rows/s, fill 30%\nwatermark lag 1.5 h");
  st->ops[3].current_watermark = NOW_MS + 2000;
  st->ops[3].latency_p99_ms = 0.4;
  assert_edge (st, 2, 3, "300 rows/s, fill 30%\nwatermark 2.0 s ahead\nlatency p99 0.4 ms");
  /* a finished bounded input sends the largest watermark: not "292 million years ahead" */
  st->ops[3].current_watermark = G_MAXINT64;
  assert_edge (st, 2, 3, "300 rows/s, fill 30%\nwatermark: end of input\nlatency p99 0.4 ms");

  /* metrics without tasks: no fill to show */
  assert_edge (bare, 1, 2, "1500 rows/s\nno watermark");
}

/* ---- with a display ------------------------------------------------------------------ */

static gboolean
need_display (void)
{
  if (!have_display)
    g_test_skip ("no display: run under xvfb-run");
  return have_display;
}

static gboolean
count_frame (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  guint *frames = data;
  (*frames)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
frames_past (gpointer data)
{
  return *(guint *) data >= 3;
}

/* Waits until widget is mapped, allocated and a few frames were drawn. */
static gboolean
wait_drawn (GtkWidget *widget)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (widget, count_frame, &frames, NULL);
  gboolean ok = studio_test_spin_until (frames_past, &frames);

  gtk_widget_remove_tick_callback (widget, id);
  return ok && gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0;
}

/* Renders widget to a PNG in a temporary folder, loads it back, checks its size. With
 * $STUDIO_TEST_SHOTS set, the PNG is kept there as NAME.png to look at. */
static void
check_screenshot (GtkWidget *widget, const char *name)
{
  g_autoptr (GError) error = NULL;
  const char *keep = g_getenv ("STUDIO_TEST_SHOTS");
  g_autofree char *dir = g_dir_make_tmp ("studio-monitor-XXXXXX", &error);
  g_autofree char *png = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  gboolean saved;

  g_assert_no_error (error);
  png = g_build_filename (dir, "monitor.png", NULL);
  saved = studio_screenshot_save (widget, png, &error);
  g_assert_no_error (error);
  g_assert_true (saved);
  texture = gdk_texture_new_from_filename (png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, gtk_widget_get_width (widget));
  g_assert_cmpint (gdk_texture_get_height (texture), ==, gtk_widget_get_height (widget));
  if (keep != NULL)
    {
      g_autofree char *kept = g_strdup_printf ("%s/%s.png", keep, name);
      g_rename (png, kept);
    }
  g_unlink (png);
  g_rmdir (dir);
}

/* The monitor graph of the hand plan with the checkpoint JSON: labels of several lines
 * on every edge, drawn into a real window and rendered. */
static void
test_view_labels (void)
{
  g_autoptr (PlanCatalog) catalog = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  g_autoptr (GError) error = NULL;
  StudioPlanLayout *layout;
  GtkWidget *window, *view;

  if (!need_display ())
    return;
  catalog = studio_test_catalog ();
  plan = hand_plan (catalog);
  layout = studio_plan_layout_new_full (plan, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (layout->arrows->len, ==, 3);
  window = gtk_window_new ();
  view = studio_plan_view_new ();
  gtk_window_set_child (GTK_WINDOW (window), view);
  studio_plan_view_set_layout (STUDIO_PLAN_VIEW (view), layout, NULL);
  studio_plan_view_set_state (STUDIO_PLAN_VIEW (view), state_from (plan, checkpoint_json));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_drawn (view));
  check_screenshot (view, "monitor-labels");
  g_object_ref (view);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
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

static gboolean
checkpoint_shown (gpointer data)
{
  const char *text = studio_window_get_checkpoint_text (data);
  return text != NULL && strstr (text, "Last completed: #") != NULL;
}

/* A job checkpointing every 100 ms runs in the window (about 4 s of rows) until the
 * monitor shows a completed checkpoint; the shown window is then rendered to PNG. */
static void
test_window_checkpoints (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL, *script = NULL;
  StudioWindow *win;
  const char *text;

  if (!need_display ())
    return;
  dir = g_dir_make_tmp ("studio-chk-XXXXXX", &error);
  g_assert_no_error (error);
  /* checkpoints are streaming's: ticks has a row count, so the default ('automatic') would
   * run batch, which takes none */
  script = g_strdup_printf (
    "SET 'execution.runtime-mode' = 'streaming';\n"
    "SET 'execution.checkpointing.interval' = '100 ms';\n"
    "SET 'state.checkpoints.dir' = '%s';\n"
    "CREATE TABLE ticks (id BIGINT, v INT) WITH ('connector' = 'datagen', "
    "'number-of-rows' = '20000', 'rows-per-second' = '5000');\n"
    "CREATE TABLE sunk (id BIGINT) WITH ('connector' = 'blackhole');\n"
    "INSERT INTO sunk SELECT id FROM ticks WHERE v > 0;\n", dir);
  win = g_object_ref (studio_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (win), 1000, 700);
  g_assert_true (studio_window_load_script (win, script, &error));
  g_assert_no_error (error);
  g_assert_null (studio_window_get_checkpoint_text (win)); /* nothing before a run */
  studio_window_set_view (win, "monitor");
  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (studio_window_run (win, &error));
  g_assert_no_error (error);
  g_assert_true (studio_test_spin_until (checkpoint_shown, win));
  text = studio_window_get_checkpoint_text (win);
  g_assert_true (g_str_has_prefix (text, "Checkpoints: "));
  g_assert_false (g_str_has_prefix (text, "Checkpoints: 0 completed")); /* one completed */
  g_assert_true (wait_drawn (GTK_WIDGET (win)));
  check_screenshot (GTK_WIDGET (win), "monitor-checkpoints");
  g_assert_true (studio_test_spin_until (studio_test_window_alone, win));
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);
  remove_tree (dir);
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
  g_test_add_func ("/gui/monitor-model/checkpoints", test_model_checkpoints);
  g_test_add_func ("/gui/monitor-model/no-checkpoints", test_model_no_checkpoints);
  g_test_add_func ("/gui/monitor-model/savepoint", test_model_savepoint);
  g_test_add_func ("/gui/monitor-model/edge-labels", test_model_edge_labels);
  g_test_add_func ("/gui/monitor/view-labels", test_view_labels);
  g_test_add_func ("/gui/monitor/window-checkpoints", test_window_checkpoints);
  return g_test_run ();
}
