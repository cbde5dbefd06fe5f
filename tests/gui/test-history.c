/* test-history.c: the monitor's metric history (issue 7). The ring is driven with
 * hand-written metrics snapshots (one operator rate each, so a replayed state says which
 * snapshot it came from); the slider is driven under a display (skipped without one):
 * live it shows every new snapshot, dragged back it replays the old one while new ones
 * keep being recorded, and at the right end it is live again. */
#include <gtksourceview/gtksource.h>
#include "studio-history-bar.h"
#include "studio-test-util.h"

static gboolean have_display;

/* Source: orders -> Sink: collect, one subtask each, not chained: operators 0 and 1. */
static PlanPhysPlan *
tiny_plan (PlanCatalog *catalog)
{
  PlanTable *orders = plan_catalog_get_table (catalog, "orders");
  PlanPhysNode *src = plan_phys_node_new (PLAN_PHYS_SOURCE, plan_schema_ref (orders->schema),
                                          (PlanSpan) { 0 }, 1);
  PlanPhysNode *sink = plan_phys_node_new (PLAN_PHYS_SINK, plan_schema_ref (orders->schema),
                                           (PlanSpan) { 0 }, 1);

  src->u.source.table = plan_table_ref (orders);
  sink->u.sink.sink = PLAN_SINK_COLLECT;
  plan_phys_node_add_input (sink, src, PLAN_EXCHANGE_FORWARD, 0, NULL);
  return plan_phys_plan_new (sink);
}

/* Snapshot k: the source reads 100 * k rows/s, the job has run k seconds. */
static char *
snapshot_json (guint k)
{
  return g_strdup_printf (
    "{\"job\": \"j1\", \"status\": \"RUNNING\", \"elapsed_ms\": %u, \"tasks\": ["
    "{\"name\": \"Source: orders\", \"subtask\": 0, \"busy_ms_per_s\": 100,"
    " \"idle_ms_per_s\": 900, \"backpressured_ms_per_s\": 0, \"out_queue_fill\": 0},"
    "{\"name\": \"Sink: collect\", \"subtask\": 0, \"busy_ms_per_s\": 100,"
    " \"idle_ms_per_s\": 900, \"backpressured_ms_per_s\": 0, \"out_queue_fill\": 0}],"
    "\"operators\": ["
    "{\"id\": 0, \"name\": \"Source: orders\", \"rows_per_s\": %u, \"latency_p50_ms\": -1,"
    " \"latency_p99_ms\": -1},"
    "{\"id\": 1, \"name\": \"Sink: collect\", \"rows_per_s\": 0, \"latency_p50_ms\": -1,"
    " \"latency_p99_ms\": -1}]}", k * 1000, 100 * k);
}

static void
push (StudioMetricHistory *h, guint k)
{
  g_autofree char *json = snapshot_json (k);
  studio_metric_history_push (h, json, 1700000000000 + 500 * (gint64) k);
}

static void
test_ring (void)
{
  PlanCatalog *catalog = studio_test_catalog ();
  g_autoptr (PlanPhysPlan) plan = tiny_plan (catalog);
  g_autoptr (StudioMetricHistory) h = studio_metric_history_new (3);
  g_autoptr (GError) error = NULL;
  gint64 taken = 0;

  g_assert_cmpuint (studio_metric_history_get_length (h), ==, 0);
  g_assert_null (studio_metric_history_get_json (h, 0, NULL));
  for (guint k = 1; k <= 5; k++)
    push (h, k);
  /* bounded: the three newest, oldest first */
  g_assert_cmpuint (studio_metric_history_get_length (h), ==, 3);
  g_assert_cmpuint (studio_metric_history_get_n_pushed (h), ==, 5);
  g_assert_nonnull (strstr (studio_metric_history_get_json (h, 0, &taken), "\"elapsed_ms\": 3000"));
  g_assert_cmpint (taken, ==, 1700000001500);
  g_assert_nonnull (strstr (studio_metric_history_get_json (h, 2, NULL), "\"elapsed_ms\": 5000"));
  g_assert_null (studio_metric_history_get_json (h, 3, NULL));
  /* a replayed state is snapshot 4's, with its own time */
  {
    g_autoptr (StudioMonitorState) st = studio_metric_history_dup_state (h, plan, 1, &error);
    g_assert_no_error (error);
    g_assert_cmpint (st->elapsed_ms, ==, 4000);
    g_assert_cmpfloat (st->ops[0].rows_per_s, ==, 400);
    g_assert_cmpint (st->taken_ms, ==, 1700000002000);
  }
  g_assert_null (studio_metric_history_dup_state (h, plan, 7, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  studio_metric_history_clear (h);
  g_assert_cmpuint (studio_metric_history_get_length (h), ==, 0);
  plan_catalog_free (catalog);
}

static StudioMonitorState *
state_of (PlanPhysPlan *plan, guint k)
{
  g_autofree char *json = snapshot_json (k);
  g_autoptr (GError) error = NULL;
  StudioMonitorState *st = studio_monitor_state_new (plan, json, &error);

  g_assert_no_error (error);
  st->taken_ms = 1700000000000 + 500 * (gint64) k; /* as if polled every 0.5 s */
  return st;
}

static void
bar_push (StudioHistoryBar *bar, PlanPhysPlan *plan, guint k)
{
  g_autofree char *json = snapshot_json (k);
  studio_history_bar_push (bar, json, state_of (plan, k));
}

static double
shown_rate (GtkWidget *view)
{
  const StudioMonitorState *st = studio_plan_view_get_state (STUDIO_PLAN_VIEW (view));
  g_assert_nonnull (st);
  return st->ops[0].rows_per_s;
}

static void
test_slider (void)
{
  PlanCatalog *catalog;
  g_autoptr (PlanPhysPlan) plan = NULL;
  g_autoptr (GError) error = NULL;
  GtkWidget *view, *bar;
  GtkRange *scale;

  if (!have_display)
    {
      g_test_skip ("no display: run under xvfb-run");
      return;
    }
  catalog = studio_test_catalog ();
  plan = tiny_plan (catalog);
  view = g_object_ref_sink (studio_plan_view_new ());
  bar = g_object_ref_sink (studio_history_bar_new ());
  studio_plan_view_set_layout (STUDIO_PLAN_VIEW (view), studio_plan_layout_new (plan, &error),
                               NULL);
  g_assert_no_error (error);
  studio_history_bar_set_target (STUDIO_HISTORY_BAR (bar), STUDIO_PLAN_VIEW (view), plan);
  scale = studio_history_bar_get_scale (STUDIO_HISTORY_BAR (bar));
  g_assert_cmpstr (studio_history_bar_get_text (STUDIO_HISTORY_BAR (bar)), ==,
                   "No metrics yet");
  for (guint k = 1; k <= 3; k++)
    bar_push (STUDIO_HISTORY_BAR (bar), plan, k);
  /* live: the newest is shown and the slider sits at the right end */
  g_assert_true (studio_history_bar_is_live (STUDIO_HISTORY_BAR (bar)));
  g_assert_cmpfloat (shown_rate (view), ==, 300);
  g_assert_cmpfloat (gtk_range_get_value (scale), ==, 2);
  g_assert_cmpstr (studio_history_bar_get_text (STUDIO_HISTORY_BAR (bar)), ==,
                   "Live (3 snapshots kept)");
  /* dragging to the left end replays snapshot 1 */
  gtk_range_set_value (scale, 0);
  g_assert_false (studio_history_bar_is_live (STUDIO_HISTORY_BAR (bar)));
  g_assert_cmpfloat (shown_rate (view), ==, 100);
  /* a new snapshot is recorded, not shown; the label counts it (1.5 s after the first) */
  bar_push (STUDIO_HISTORY_BAR (bar), plan, 4);
  g_assert_cmpfloat (shown_rate (view), ==, 100);
  g_assert_cmpfloat (gtk_range_get_value (scale), ==, 0);
  g_assert_cmpstr (studio_history_bar_get_text (STUDIO_HISTORY_BAR (bar)), ==,
                   "Snapshot 1 of 4, 1.5 s ago");
  /* snapshot 2, then the right end: live again, the newest */
  gtk_range_set_value (scale, 1);
  g_assert_cmpfloat (shown_rate (view), ==, 200);
  gtk_range_set_value (scale, 3);
  g_assert_true (studio_history_bar_is_live (STUDIO_HISTORY_BAR (bar)));
  g_assert_cmpfloat (shown_rate (view), ==, 400);
  bar_push (STUDIO_HISTORY_BAR (bar), plan, 5);
  g_assert_cmpfloat (shown_rate (view), ==, 500);
  g_assert_cmpfloat (gtk_range_get_value (scale), ==, 4);
  g_assert_finalize_object (bar);
  g_assert_finalize_object (view);
  plan_catalog_free (catalog);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  have_display = gtk_init_check ();
  g_test_add_func ("/gui/metric-history/ring", test_ring);
  g_test_add_func ("/gui/metric-history/slider", test_slider);
  return g_test_run ();
}
