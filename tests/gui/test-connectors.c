/* test-connectors.c: connector nodes, sources and sinks that define their own table
 * (CREATE TABLE ... WITH ('connector' = ...)). The model half (SQL printed from nodes, the
 * checks of a bad option value or type, SQL -> pipeline -> SQL, a design cell) runs
 * without a display; the window half (palette spec, inspector fields, marking on the
 * canvas, running datagen -> filter -> blackhole in the monitor) is skipped without one.
 * Expected SQL is written out by hand from the rules in studio-connector.c. */
#include <gtksourceview/gtksource.h>
#include "studio-window.h"
#include "studio-design.h"
#include "studio-export.h"
#include "studio-test-util.h"

#include <string.h>

static gboolean have_display;

static gboolean
need_display (void)
{
  if (!have_display)
    g_test_skip ("no display: run under xvfb-run");
  return have_display;
}

/* datagen -> filter -> print, as the expected script spells it */
static const char *expected_sql =
  "CREATE TABLE gen (id BIGINT, price DOUBLE) WITH ('connector' = 'datagen', "
  "'number-of-rows' = '10', 'rows-per-second' = '5');\n"
  "CREATE TABLE shown (id BIGINT, price DOUBLE) WITH ('connector' = 'print');\n"
  "INSERT INTO shown SELECT * FROM gen WHERE price > 0.5";

static void
build_chain (StudioPipeline *p, guint *src, guint *filter, guint *sink)
{
  g_autoptr (GError) error = NULL;

  *src = studio_pipeline_add_connector (p, STUDIO_NODE_SOURCE, "datagen", 0, 0);
  studio_pipeline_set_connector (p, *src, "gen", "id BIGINT, price DOUBLE",
                                 "number-of-rows = 10\n'rows-per-second' = '5'\n", "");
  *filter = studio_pipeline_add_node (p, STUDIO_NODE_FILTER, "price > 0.5", 200, 0);
  *sink = studio_pipeline_add_connector (p, STUDIO_NODE_SINK, "print", 400, 0);
  studio_pipeline_set_connector (p, *sink, "shown", "id BIGINT, price DOUBLE", NULL, NULL);
  g_assert_true (studio_pipeline_connect (p, *src, *filter, &error));
  g_assert_no_error (error);
  g_assert_true (studio_pipeline_connect (p, *filter, *sink, &error));
  g_assert_no_error (error);
}

static void
test_print_sql (void)
{
  g_autoptr (PlanCatalog) catalog = studio_test_catalog ();
  StudioPipeline *p = studio_pipeline_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = NULL;
  guint src, filter, sink;
  const StudioNode *n;

  studio_pipeline_set_catalog (p, catalog);
  build_chain (p, &src, &filter, &sink);
  n = studio_pipeline_lookup (p, src);
  g_assert_true (studio_node_is_connector (n));
  g_assert_cmpstr (n->connector, ==, "datagen");
  g_assert_false (studio_node_is_connector (studio_pipeline_lookup (p, filter)));
  sql = studio_pipeline_to_sql (p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sql, ==, expected_sql);
  for (guint id = 1; id <= 3; id++)
    {
      g_autofree char *problem = studio_pipeline_check_node (p, id, NULL);
      g_assert_null (problem);
    }
  /* one undo step per edit: undoing the sink's definition gives back its default name */
  g_assert_true (studio_pipeline_undo (p)); /* the second connect */
  g_assert_true (studio_pipeline_undo (p)); /* the first connect */
  g_assert_true (studio_pipeline_undo (p)); /* the sink's definition */
  g_assert_cmpstr (studio_pipeline_lookup (p, sink)->text, ==, "print_3");
  g_assert_cmpstr (studio_pipeline_lookup (p, sink)->columns, ==, "");
  g_assert_finalize_object (p);
}

/* A sink with no columns of its own takes its input's, and a second node defining the
 * same table is marked. */
static void
test_sink_columns (void)
{
  g_autoptr (PlanCatalog) catalog = studio_test_catalog ();
  StudioPipeline *p = studio_pipeline_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = NULL, *problem = NULL, *twin = NULL;
  guint src, agg, sink, other;

  studio_pipeline_set_catalog (p, catalog);
  src = studio_pipeline_add_connector (p, STUDIO_NODE_SOURCE, "datagen", 0, 0);
  studio_pipeline_set_connector (p, src, "gen", "id BIGINT, price DOUBLE", "", "");
  agg = studio_pipeline_add_node (p, STUDIO_NODE_AGGREGATE, "COUNT(*) AS n", 200, 0);
  studio_pipeline_set_text (p, agg, "COUNT(*) AS n", "id");
  sink = studio_pipeline_add_connector (p, STUDIO_NODE_SINK, "print", 400, 0);
  g_assert_true (studio_pipeline_connect (p, src, agg, &error));
  g_assert_true (studio_pipeline_connect (p, agg, sink, &error));
  g_assert_no_error (error);
  sql = studio_pipeline_to_sql (p, &error);
  g_assert_no_error (error);
  /* the sink is node 3, so its table is print_3; COUNT(*) is never NULL */
  g_assert_cmpstr (sql, ==,
                   "CREATE TABLE gen (id BIGINT, price DOUBLE) WITH ('connector' = 'datagen');\n"
                   "CREATE TABLE print_3 (id BIGINT, n BIGINT NOT NULL) "
                   "WITH ('connector' = 'print');\n"
                   "INSERT INTO print_3 SELECT id, COUNT(*) AS n FROM gen GROUP BY id");
  problem = studio_pipeline_check_node (p, sink, NULL);
  g_assert_null (problem);
  other = studio_pipeline_add_connector (p, STUDIO_NODE_SOURCE, "nexmark", 0, 200);
  studio_pipeline_set_connector (p, other, "GEN", "x INT", NULL, NULL);
  twin = studio_pipeline_check_node (p, other, NULL);
  g_assert_cmpstr (twin, ==, "Source node 1 defines a table 'gen' too: rename one of them");
  /* a pasted copy of a connector node gets a table name of its own (node 5: gen_5) */
  {
    StudioPipeline *clip = studio_pipeline_copy_nodes (p, &src, 1);
    g_autoptr (GArray) ids = studio_pipeline_paste (p, clip, 0, 300);
    const StudioNode *copy = studio_pipeline_lookup (p, g_array_index (ids, guint, 0));
    g_assert_cmpuint (copy->id, ==, 5);
    g_assert_cmpstr (copy->text, ==, "gen_5");
    g_assert_cmpstr (copy->columns, ==, "id BIGINT, price DOUBLE");
    g_assert_cmpstr (copy->connector, ==, "datagen");
    g_assert_finalize_object (clip);
  }
  /* a window fed by a connector source without the time column is refused at connect */
  {
    guint win = studio_pipeline_add_node (p, STUDIO_NODE_WINDOW, "TUMBLE(ts, 10 SECOND)", 0,
                                          400);
    g_assert_false (studio_pipeline_connect (p, src, win, &error));
    g_assert_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_CONNECT);
    g_assert_nonnull (strstr (error->message, "table gen has no column 'ts'"));
  }
  g_assert_finalize_object (p);
}

/* The message of node id with the source's definition replaced (draft). */
static char *
draft_problem (StudioPipeline *p, guint id, const char *columns, const char *options,
               const char *watermark)
{
  StudioNode d = *studio_pipeline_lookup (p, id);

  d.columns = (char *) (columns != NULL ? columns : d.columns);
  d.options = (char *) (options != NULL ? options : d.options);
  d.watermark = (char *) (watermark != NULL ? watermark : d.watermark);
  return studio_pipeline_check_node_draft (p, &d);
}

static void
test_invalid (void)
{
  g_autoptr (PlanCatalog) catalog = studio_test_catalog ();
  StudioPipeline *p = studio_pipeline_new ();
  guint src, filter, sink;
  char *m;

  studio_pipeline_set_catalog (p, catalog);
  build_chain (p, &src, &filter, &sink);
  /* the engine refuses the value and names the option and the table */
  m = draft_problem (p, src, NULL, "number-of-rows = abc", NULL);
  g_assert_nonnull (m);
  g_assert_nonnull (strstr (m, "'number-of-rows' = 'abc'"));
  g_assert_nonnull (strstr (m, "gen"));
  g_free (m);
  /* an option datagen does not have */
  m = draft_problem (p, src, NULL, "number-of-rowz = 3", NULL);
  g_assert_nonnull (m);
  g_assert_nonnull (strstr (m, "number-of-rowz"));
  g_free (m);
  /* a type typo: the binder's message, placed in the columns: "id BIGINTT" has the type
   * at character 4 */
  m = draft_problem (p, src, "id BIGINTT, price DOUBLE", NULL, NULL);
  g_assert_nonnull (m);
  g_assert_nonnull (strstr (m, "In the columns at character 4"));
  g_assert_nonnull (strstr (m, "BIGINTT"));
  g_free (m);
  /* a watermark over a column that is not a TIMESTAMP */
  m = draft_problem (p, src, NULL, NULL, "price AS price");
  g_assert_nonnull (m);
  g_assert_nonnull (strstr (m, "In the watermark at character 1"));
  g_free (m);
  /* an option line that is no key = value */
  m = draft_problem (p, src, NULL, "number-of-rows 10", NULL);
  g_assert_nonnull (m);
  g_assert_nonnull (strstr (m, "Option line 1"));
  g_free (m);
  /* no columns yet */
  m = draft_problem (p, src, "", NULL, NULL);
  g_assert_cmpstr (m, ==, "The table needs columns, e.g. id BIGINT, name VARCHAR");
  g_free (m);
  /* a sink whose columns do not fit the query: the binder's INSERT message */
  studio_pipeline_set_connector (p, sink, NULL, "id BIGINT", NULL, NULL);
  m = studio_pipeline_check_node (p, sink, NULL);
  g_assert_nonnull (m);
  g_free (m);
  /* the committed bad value is the node's own problem, not the SQL's */
  studio_pipeline_set_connector (p, src, NULL, NULL, "number-of-rows = abc", NULL);
  m = studio_pipeline_check_node (p, src, NULL);
  g_assert_nonnull (strstr (m, "'number-of-rows' = 'abc'"));
  g_free (m);
  g_assert_finalize_object (p);
}

static const char *round_trip_sql =
  "CREATE TABLE bids (id BIGINT, price DOUBLE, ts TIMESTAMP(3), "
  "WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'datagen', "
  "'number-of-rows' = '100', 'fields.id.min' = '1', 'fields.id.max' = '9');\n"
  "CREATE TABLE hole (id BIGINT, n BIGINT NOT NULL) WITH ('connector' = 'blackhole');\n"
  "INSERT INTO hole SELECT id, COUNT(*) AS n FROM bids WHERE price > 10 GROUP BY id";

static void
test_round_trip (void)
{
  g_autoptr (PlanCatalog) catalog = studio_test_catalog ();
  StudioPipeline *p = studio_pipeline_new ();
  StudioPipeline *q = studio_pipeline_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = NULL, *cell = NULL, *again = NULL;
  const StudioNode *n;

  studio_pipeline_set_catalog (p, catalog);
  g_assert_true (studio_pipeline_load_sql (p, catalog, round_trip_sql, &error));
  g_assert_no_error (error);
  /* source, filter, aggregate, sink */
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 4);
  n = studio_pipeline_get_node (p, 0);
  g_assert_cmpint (n->kind, ==, STUDIO_NODE_SOURCE);
  g_assert_cmpstr (n->text, ==, "bids");
  g_assert_cmpstr (n->connector, ==, "datagen");
  g_assert_cmpstr (n->columns, ==, "id BIGINT, price DOUBLE, ts TIMESTAMP(3)");
  g_assert_cmpstr (n->options, ==, "number-of-rows = 100\nfields.id.min = 1\nfields.id.max = 9");
  g_assert_cmpstr (n->watermark, ==, "ts AS ts - INTERVAL '5' SECOND");
  n = studio_pipeline_get_node (p, 3);
  g_assert_cmpint (n->kind, ==, STUDIO_NODE_SINK);
  g_assert_cmpstr (n->connector, ==, "blackhole");
  g_assert_cmpstr (n->columns, ==, "id BIGINT, n BIGINT NOT NULL");
  g_assert_cmpstr (n->options, ==, "");
  /* the session catalog is untouched: the tables live in the nodes */
  g_assert_null (plan_catalog_get_table (catalog, "bids"));
  sql = studio_pipeline_to_sql (p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sql, ==, round_trip_sql);
  /* a catalog table keeps being a catalog source next to a connector sink */
  g_assert_true (studio_pipeline_load_sql (
    p, catalog, "CREATE TABLE hole2 (order_id INT) WITH ('connector' = 'blackhole');\n"
                "INSERT INTO hole2 SELECT order_id FROM orders", &error));
  g_assert_no_error (error);
  g_assert_false (studio_node_is_connector (studio_pipeline_get_node (p, 0)));
  g_assert_true (studio_node_is_connector (studio_pipeline_get_node (p, 2)));
  /* a design cell keeps the connector nodes */
  g_assert_true (studio_pipeline_undo (p));
  cell = studio_design_cell_text (p, &error);
  g_assert_no_error (error);
  g_assert_true (studio_design_load_cell (q, catalog, cell, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (studio_pipeline_get_n_nodes (q), ==, 4);
  g_assert_cmpstr (studio_pipeline_get_node (q, 0)->connector, ==, "datagen");
  again = studio_pipeline_to_sql (q, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, round_trip_sql);
  /* a script statement that is not CREATE TABLE is refused with its number */
  g_assert_false (studio_pipeline_load_sql (
    q, catalog, "SET 'parallelism.default' = '2';\nSELECT * FROM orders", &error));
  g_assert_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_UNSUPPORTED);
  g_assert_finalize_object (p);
  g_assert_finalize_object (q);
}

/* ---- the window ---- */

static gboolean
job_finished (gpointer data)
{
  return studio_window_get_n_snapshots (data) >= 1
         && strstr (studio_window_get_monitor_status (data), "FINISHED") != NULL;
}

static char *
editor_text (StudioWindow *win)
{
  GtkTextBuffer *b = studio_window_get_sql_buffer (win);
  GtkTextIter s, e;

  gtk_text_buffer_get_bounds (b, &s, &e);
  return gtk_text_buffer_get_text (b, &s, &e, FALSE);
}

static gboolean
shown (gpointer widget)
{
  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0;
}

/* Counts calls: a few turns of the main context, for a redraw after a change. */
static gboolean
some_frames (gpointer data)
{
  return ++*(guint *) data > 10;
}

/* With $STUDIO_TEST_SHOTS set, the window is kept as a PNG there to look at. */
static void
keep_shot (StudioWindow *win, const char *name)
{
  const char *dir = g_getenv ("STUDIO_TEST_SHOTS");
  g_autofree char *path = dir != NULL ? g_build_filename (dir, name, NULL) : NULL;
  g_autoptr (GError) error = NULL;

  if (path == NULL)
    return;
  g_assert_true (studio_test_spin_until (shown, studio_window_get_canvas (win)));
  g_assert_true (studio_test_spin_until (some_frames, &(guint) { 0 }));
  studio_export_widget (adw_application_window_get_content (ADW_APPLICATION_WINDOW (win)),
                        path, &error);
  g_assert_no_error (error);
}

/* Selects node id and types its table's name and definition into the inspector. */
static void
inspect (StudioWindow *win, guint id, const char *name, const char *columns,
         const char *options)
{
  StudioCanvas *canvas = studio_window_get_canvas (win);
  StudioConnectorEditor *ed = studio_window_get_connector_editor (win);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.select", "u", id));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (ed)));
  gtk_editable_set_text (studio_window_get_inspector_entry (win), name);
  studio_connector_editor_set_texts (ed, columns, options, NULL);
}

/* Runs the window's pipeline twice (the second run replaces the tables the first one
 * created), then types a script into the SQL editor. */
static void
run_and_apply_sql (StudioWindow *win)
{
  g_autoptr (GError) error = NULL;
  StudioPipeline *p = studio_window_get_pipeline (win);
  const StudioMonitorState *st;

  for (guint run = 0; run < 2; run++)
    {
      g_assert_true (studio_window_run (win, &error));
      g_assert_no_error (error);
      g_assert_true (studio_test_spin_until (job_finished, win));
      st = studio_plan_view_get_state (studio_window_get_monitor_view (win));
      g_assert_nonnull (st);
      g_assert_cmpuint (st->n_ops, >=, 2);
      g_assert_cmpuint (st->ops[0].rows_out, >, 0);
      /* ids 101..500 pass the filter (pushed into the source or not) and reach the sink */
      g_assert_nonnull (strstr (studio_window_get_monitor_status (win),
                                "FINISHED, 400 rows read"));
      g_assert_true (studio_test_spin_until (studio_test_window_alone, win));
    }
  /* the SQL editor's script becomes connector nodes on the canvas */
  gtk_text_buffer_set_text (studio_window_get_sql_buffer (win), round_trip_sql, -1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.apply-sql", NULL));
  g_assert_cmpuint (studio_pipeline_get_n_nodes (p), ==, 4);
  g_assert_cmpstr (studio_pipeline_get_node (p, 0)->connector, ==, "datagen");
  g_assert_cmpstr (studio_pipeline_get_node (p, 3)->connector, ==, "blackhole");
}

static void
test_window (void)
{
  g_autofree char *text = NULL, *problem = NULL;
  const char *expected =
    "CREATE TABLE gen (id BIGINT, price DOUBLE) WITH ('connector' = 'datagen', "
    "'number-of-rows' = '500', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', "
    "'fields.id.end' = '500');\n"
    "CREATE TABLE hole (id BIGINT, price DOUBLE) WITH ('connector' = 'blackhole');\n"
    "INSERT INTO hole SELECT * FROM gen WHERE id > 100;\n";
  StudioWindow *win;
  StudioCanvas *canvas;
  StudioConnectorEditor *ed;

  if (!need_display ())
    return;
  win = g_object_ref (studio_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (win), 1100, 720);
  gtk_window_present (GTK_WINDOW (win));
  canvas = studio_window_get_canvas (win);
  ed = studio_window_get_connector_editor (win);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.add-node", "s",
                                             "source@datagen"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.add-node", "s",
                                             "filter:id > 100"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.add-node", "s",
                                             "sink@blackhole"));
  g_assert_cmpstr (studio_pipeline_lookup (studio_window_get_pipeline (win), 1)->text, ==,
                   "datagen_1");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.connect", "(uu)",
                                             1, 2));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.connect", "(uu)",
                                             2, 3));
  /* a new source has no columns yet: the SQL pane says what to do */
  text = editor_text (win);
  g_assert_cmpstr (text, ==, "-- Source node 1 needs columns such as id BIGINT, name VARCHAR: "
                             "select it and type one in the inspector\n");
  g_clear_pointer (&text, g_free);
  /* a bad value typed into the options marks the node and the fields while typing */
  inspect (win, 1, "gen", "id BIGINT, price DOUBLE", "number-of-rows = abc");
  problem = studio_canvas_dup_node_problem (canvas, 1);
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem, "'number-of-rows' = 'abc'"));
  g_assert_cmpstr (studio_connector_editor_get_problem (ed), ==, problem);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (studio_window_get_inspector_entry (win)),
                                           "error"));
  keep_shot (win, "connector-invalid.png");
  studio_connector_editor_set_texts (ed, NULL, "number-of-rows = 500\n"
                                     "fields.id.kind = sequence\nfields.id.start = 1\n"
                                     "fields.id.end = 500", NULL);
  g_assert_null (studio_connector_editor_get_problem (ed));
  g_signal_emit_by_name (ed, "apply");
  inspect (win, 3, "hole", "id BIGINT, price DOUBLE", "");
  g_signal_emit_by_name (ed, "apply");
  text = editor_text (win);
  g_assert_cmpstr (text, ==, expected);
  g_clear_pointer (&problem, g_free);
  problem = studio_canvas_dup_node_problem (canvas, 3);
  g_assert_null (problem);
  /* the filter node shows no inspector connector fields */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.select", "u", 2));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (ed)));
  /* the plan view shows the pipeline's plan: the script's tables bind in a copy */
  g_assert_nonnull (studio_plan_view_get_layout (studio_window_get_plan_view (win)));
  run_and_apply_sql (win);
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
  g_test_add_func ("/gui/connectors/print-sql", test_print_sql);
  g_test_add_func ("/gui/connectors/invalid", test_invalid);
  g_test_add_func ("/gui/connectors/sink-columns", test_sink_columns);
  g_test_add_func ("/gui/connectors/round-trip", test_round_trip);
  g_test_add_func ("/gui/connectors/window", test_window);
  return g_test_run ();
}
