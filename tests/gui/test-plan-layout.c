/* test-plan-layout.c: the plan view's model (Graphviz layout of a physical plan) and the
 * monitor's model (metrics JSON -> per-operator load), without a display. */
#include "studio-plan-layout.h"
#include "studio-test-util.h"
#include "optimizer/opt.h"

static PlanPhysPlan *
optimize (PlanCatalog *catalog, const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanStatement) stmt = plan_sql_compile_one (catalog, sql, &error);
  g_autoptr (PlanSettings) settings = plan_settings_new ();
  g_autoptr (OptResult) result = NULL;

  g_assert_no_error (error);
  result = opt_optimize (stmt->plan, settings, &error);
  g_assert_no_error (error);
  return plan_phys_plan_ref (opt_result_get_physical (result));
}

static void
check_layout (PlanPhysPlan *plan)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StudioPlanLayout) layout = studio_plan_layout_new (plan, &error);
  guint n_inputs = 0;

  g_assert_no_error (error);
  /* one box per physical operator, in id order, one arrow per input edge */
  g_assert_cmpuint (layout->boxes->len, ==, plan->nodes->len);
  for (guint i = 0; i < plan->nodes->len; i++)
    {
      const StudioPlanBox *b = &g_array_index (layout->boxes, StudioPlanBox, i);
      const PlanPhysNode *n = plan->nodes->pdata[i];
      g_autofree char *label = plan_phys_node_label (n);
      n_inputs += n->n_inputs;
      g_assert_cmpuint (b->id, ==, n->id);
      g_assert_cmpstr (b->title, ==, label);
      g_assert_true (b->w > 0 && b->h > 0);
      g_assert_true (b->x >= 0 && b->y >= 0);
      g_assert_true (b->x + b->w <= layout->width && b->y + b->h <= layout->height);
      /* the box is clickable: its centre hits it */
      g_assert_cmpint (studio_plan_layout_hit (layout, b->x + b->w / 2, b->y + b->h / 2), ==,
                       (gint) i);
      for (guint j = 0; j < i; j++)
        {
          const StudioPlanBox *o = &g_array_index (layout->boxes, StudioPlanBox, j);
          gboolean apart = b->x >= o->x + o->w || o->x >= b->x + b->w
                           || b->y >= o->y + o->h || o->y >= b->y + b->h;
          g_assert_true (apart);
        }
    }
  g_assert_cmpuint (layout->arrows->len, ==, n_inputs);
  for (guint i = 0; i < layout->arrows->len; i++)
    {
      const StudioPlanArrow *a = &g_array_index (layout->arrows, StudioPlanArrow, i);
      g_assert_cmpuint (a->n_points, >=, 4);
      g_assert_cmpuint ((a->n_points - 1) % 3, ==, 0);
    }
  g_assert_cmpint (studio_plan_layout_hit (layout, -5, -5), ==, -1);
}

static void
test_layout_aggregate (void)
{
  g_autoptr (PlanCatalog) catalog = studio_test_catalog ();
  g_autoptr (PlanPhysPlan) plan = optimize (catalog,
    "SELECT customer, COUNT(*) AS n FROM orders WHERE qty > 1 GROUP BY customer");

  /* at least source, aggregate and sink, whatever the optimizer chains */
  g_assert_cmpuint (plan->nodes->len, >=, 3);
  check_layout (plan);
}

static void
test_layout_insert (void)
{
  g_autoptr (PlanCatalog) catalog = studio_test_catalog ();
  g_autoptr (PlanPhysPlan) plan = optimize (catalog,
    "INSERT INTO console SELECT order_id, customer, amount FROM orders WHERE amount > 10");

  check_layout (plan);
}

/* A hand-built plan: Source: orders -> Calc (chained, one task), hash to GroupAggregate,
 * gathered into Sink: collect. The engine names its three tasks after those chains. */
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

/* A slow sink: it is busy, everything upstream waits on it. */
static const char slow_sink_json[] =
  "{\"job\": \"j1\", \"status\": \"RUNNING\", \"elapsed_ms\": 2500, \"tasks\": ["
  "{\"name\": \"Source: orders -> Calc\", \"subtask\": 0, \"busy_ms_per_s\": 100,"
  " \"idle_ms_per_s\": 0, \"backpressured_ms_per_s\": 900},"
  "{\"name\": \"Source: orders -> Calc\", \"subtask\": 1, \"busy_ms_per_s\": 50,"
  " \"idle_ms_per_s\": 50, \"backpressured_ms_per_s\": 900},"
  "{\"name\": \"GroupAggregate\", \"subtask\": 0, \"busy_ms_per_s\": 200,"
  " \"idle_ms_per_s\": 0, \"backpressured_ms_per_s\": 800},"
  "{\"name\": \"GroupAggregate\", \"subtask\": 1, \"busy_ms_per_s\": 200,"
  " \"idle_ms_per_s\": 0, \"backpressured_ms_per_s\": 800},"
  "{\"name\": \"Sink: collect\", \"subtask\": 0, \"busy_ms_per_s\": 980,"
  " \"idle_ms_per_s\": 20, \"backpressured_ms_per_s\": 0}],"
  "\"operators\": [{\"id\": 2, \"name\": \"GroupAggregate\", \"rows_per_s\": 1234.5,"
  " \"rows_out\": 5000, \"latency_p99_ms\": 7.5}]}";

static void
test_monitor_slow_sink (void)
{
  g_autoptr (PlanCatalog) catalog = studio_test_catalog ();
  g_autoptr (PlanPhysPlan) plan = hand_plan (catalog);
  g_autoptr (GError) error = NULL;
  g_autoptr (StudioMonitorState) st = studio_monitor_state_new (plan, slow_sink_json, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (st->status, ==, "RUNNING");
  g_assert_cmpint (st->elapsed_ms, ==, 2500);
  g_assert_cmpuint (st->n_ops, ==, 4);
  /* source and calc share their task: (0.1 + 0.05) / 2 busy, 0.9 backpressured */
  g_assert_cmpfloat_with_epsilon (st->ops[0].busy, 0.075, 1e-9);
  g_assert_cmpfloat_with_epsilon (st->ops[1].backpressured, 0.9, 1e-9);
  g_assert_cmpint (st->ops[0].load, ==, STUDIO_LOAD_BACKPRESSURED);
  g_assert_cmpint (st->ops[1].load, ==, STUDIO_LOAD_BACKPRESSURED);
  g_assert_cmpint (st->ops[2].load, ==, STUDIO_LOAD_BACKPRESSURED);
  g_assert_cmpint (st->ops[3].load, ==, STUDIO_LOAD_BUSY);
  /* the sink is the cause, nobody else */
  g_assert_true (st->ops[3].cause);
  g_assert_false (st->ops[0].cause || st->ops[1].cause || st->ops[2].cause);
  g_assert_cmpfloat_with_epsilon (st->ops[2].rows_per_s, 1234.5, 1e-9);
  g_assert_cmpuint (st->ops[2].rows_out, ==, 5000);
  g_assert_cmpfloat_with_epsilon (st->ops[2].latency_p99_ms, 7.5, 1e-9);
}

static void
test_monitor_colours (void)
{
  StudioOpState idle = { .idle = 1, .load = STUDIO_LOAD_IDLE };
  StudioOpState busy = { .busy = 1, .load = STUDIO_LOAD_BUSY };
  StudioOpState bp = { .backpressured = 1, .load = STUDIO_LOAD_BACKPRESSURED };
  double c[3];

  studio_load_color (&idle, c);
  g_assert_true (c[2] > c[0]);          /* blue */
  studio_load_color (&busy, c);
  g_assert_true (c[0] > c[2] + 0.3);    /* red */
  studio_load_color (&bp, c);
  g_assert_true (c[0] < 0.3 && c[1] < 0.3 && c[2] < 0.3); /* near black */
}

static void
test_monitor_bad_json (void)
{
  g_autoptr (PlanCatalog) catalog = studio_test_catalog ();
  g_autoptr (PlanPhysPlan) plan = hand_plan (catalog);
  g_autoptr (GError) error = NULL;
  g_autoptr (StudioMonitorState) st = studio_monitor_state_new (plan, "{\"tasks\": [", &error);

  g_assert_null (st);
  g_assert_nonnull (error);
}

/* The Plan view's alternatives text from hand-written EXPLAIN JSON nodes. */
static void
test_alternatives_text (void)
{
  const char *json =
    "{\"nodes\": [{\"id\": 3, \"join\": {\"type\": \"inner\", \"cost_unit\": "
    "\"bytes moved\", \"alternatives\": ["
    "{\"strategy\": \"repartition\", \"cost\": 2048, \"chosen\": true},"
    "{\"strategy\": \"broadcast\", \"cost\": 8192, \"chosen\": false, "
    "\"reason\": \"build side too big\"}],"
    "\"algorithm_alternatives\": [{\"strategy\": \"sort-merge\", \"cost\": null, "
    "\"chosen\": false, \"reason\": \"hash join fits\"}]}},"
    "{\"id\": 1, \"operator\": \"Calc\"}]}";
  g_autofree char *join = studio_plan_alternatives_text (json, 3);
  g_autofree char *calc = studio_plan_alternatives_text (json, 1);
  g_autofree char *none = studio_plan_alternatives_text (json, 9);
  g_autofree char *bad = studio_plan_alternatives_text ("{nope", 1);

  /* SI units: 2048 bytes is 2.0 kB, 8192 is 8.2 kB */
  g_assert_cmpstr (join, ==, "Alternatives (cost: bytes moved):\n"
                             "  chosen:   repartition, cost 2.0 kB moved\n"
                             "  rejected: broadcast, cost 8.2 kB moved (build side too big)\n"
                             "  rejected: sort-merge (hash join fits)");
  g_assert_cmpstr (calc, ==, "Alternatives: none weighed for this operator (only joins "
                             "choose a strategy by cost).");
  g_assert_null (none);
  g_assert_null (bad);
}

/* The SQL range of an operator: its span, parentheses balanced. */
static void
test_sql_range (void)
{
  g_autoptr (PlanCatalog) catalog = studio_test_catalog ();
  g_autoptr (GError) error = NULL;
  const char *sql = "SELECT order_id FROM orders WHERE qty > 1";
  g_autoptr (PlanStatement) stmt = plan_sql_compile_one (catalog, sql, &error);
  g_autoptr (OptResult) result = opt_optimize (stmt->plan, NULL, &error);
  PlanPhysPlan *plan;
  guint start = 0, end = 0;

  g_assert_no_error (error);
  plan = opt_result_get_physical (result);
  /* the source came from the table name in FROM */
  for (guint i = 0; i < plan->nodes->len; i++)
    {
      const PlanPhysNode *n = plan->nodes->pdata[i];
      if (n->kind != PLAN_PHYS_SOURCE)
        continue;
      g_assert_true (studio_plan_node_sql_range (plan, n->id, sql, &start, &end));
      g_assert_cmpuint (start, ==, 21);
      g_assert_cmpuint (end, ==, 27);
    }
  g_assert_false (studio_plan_node_sql_range (plan, 99, sql, &start, &end));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gui/plan-layout/aggregate", test_layout_aggregate);
  g_test_add_func ("/gui/plan-layout/insert", test_layout_insert);
  g_test_add_func ("/gui/monitor-model/slow-sink", test_monitor_slow_sink);
  g_test_add_func ("/gui/monitor-model/colours", test_monitor_colours);
  g_test_add_func ("/gui/monitor-model/bad-json", test_monitor_bad_json);
  g_test_add_func ("/gui/plan-explain/alternatives", test_alternatives_text);
  g_test_add_func ("/gui/plan-explain/sql-range", test_sql_range);
  return g_test_run ();
}
