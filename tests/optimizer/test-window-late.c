/* test-window-late.c: planning allowed lateness (optimizer/opt-window-late.c): with
 * 'table.exec.emit.late-fire.enabled' = 'true' and 'table.exec.emit.allow-lateness' set,
 * a streaming WINDOW_AGGREGATE carries the lateness and delay in ms and is `updating`; it
 * travels through the plan JSON; without late firing, in batch mode and for SESSION
 * windows nothing changes. Expected values are the settings converted by hand. */
#include "plans/plan-sql.h"
#include "../plans/plan-test-util.h"
#include "plans/plan-catalog.h"
#include "plans/plan-json.h"
#include "optimizer/opt.h"

static const char *const setup_sql =
  "CREATE TABLE bids (auction INT, price INT, ts TIMESTAMP(3),\n"
  "  WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen');";

static const char *const tumble_sql =
  "SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), "
  "INTERVAL '10' SECOND)) GROUP BY window_start, window_end";

static const char *const session_sql =
  "SELECT auction, SESSION_END(ts, INTERVAL '10' SECOND), COUNT(*) FROM bids "
  "GROUP BY auction, SESSION(ts, INTERVAL '10' SECOND)";

/* The window aggregate of sql planned under settings (pairs key, value, ..., NULL): a ref
 * to the node after a JSON round trip, whose text is also checked to be stable. */
static PlanPhysNode *
plan_window_agg (PlanCatalog *catalog, const char *sql, ...)
{
  g_autoptr (PlanSettings) settings = plan_settings_new ();
  g_autoptr (PlanStatement) stmt = plan_test_compile_ok (catalog, sql);
  g_autoptr (GError) error = NULL;
  g_autoptr (OptResult) opt = NULL;
  g_autoptr (PlanPhysPlan) back = NULL;
  g_autofree char *json = NULL, *again = NULL;
  const char *key;
  PlanPhysNode *n;
  va_list ap;

  va_start (ap, sql);
  while ((key = va_arg (ap, const char *)) != NULL)
    {
      g_assert_true (plan_settings_set (settings, key, va_arg (ap, const char *), &error));
      g_assert_no_error (error);
    }
  va_end (ap);
  opt = opt_optimize (stmt->plan, settings, &error);
  g_assert_no_error (error);
  json = plan_phys_to_json (opt_result_get_physical (opt), FALSE);
  back = plan_phys_from_json (json, &error);
  g_assert_no_error (error);
  again = plan_phys_to_json (back, FALSE);
  g_assert_cmpstr (json, ==, again);
  for (n = back->root; n->kind != PLAN_PHYS_WINDOW_AGGREGATE && n->n_inputs > 0;
       n = n->inputs[0].node)
    ;
  g_assert_cmpint (n->kind, ==, PLAN_PHYS_WINDOW_AGGREGATE);
  return plan_phys_node_ref (n);
}

static void
test_lateness (void)
{
  g_autoptr (PlanCatalog) catalog = plan_test_catalog_new (setup_sql);
  g_autoptr (PlanPhysNode) plain = NULL, late = NULL, delayed = NULL, off = NULL;
  g_autoptr (PlanPhysNode) batch = NULL, session = NULL;

  plain = plan_window_agg (catalog, tumble_sql, NULL);
  g_assert_cmpint (plain->u.window_agg.allowed_lateness_ms, ==, 0);
  g_assert_false (plain->updating);

  late = plan_window_agg (catalog, tumble_sql, "table.exec.emit.late-fire.enabled", "true",
                          "table.exec.emit.allow-lateness", "1 min", NULL);
  g_assert_cmpint (late->u.window_agg.allowed_lateness_ms, ==, 60000);
  g_assert_cmpint (late->u.window_agg.late_fire_delay_ms, ==, 0);
  g_assert_true (late->updating);

  delayed = plan_window_agg (catalog, tumble_sql, "table.exec.emit.late-fire.enabled", "TRUE",
                             "table.exec.emit.allow-lateness", "90 s",
                             "table.exec.emit.late-fire.delay", "2500 ms", NULL);
  g_assert_cmpint (delayed->u.window_agg.allowed_lateness_ms, ==, 90000);
  g_assert_cmpint (delayed->u.window_agg.late_fire_delay_ms, ==, 2500);

  /* lateness without late firing, batch mode, SESSION: unchanged */
  off = plan_window_agg (catalog, tumble_sql, "table.exec.emit.allow-lateness", "1 min", NULL);
  g_assert_cmpint (off->u.window_agg.allowed_lateness_ms, ==, 0);
  g_assert_false (off->updating);
  batch = plan_window_agg (catalog, tumble_sql, "execution.runtime-mode", "batch",
                           "table.exec.emit.late-fire.enabled", "true",
                           "table.exec.emit.allow-lateness", "1 min", NULL);
  g_assert_cmpint (batch->u.window_agg.allowed_lateness_ms, ==, 0);
  session = plan_window_agg (catalog, session_sql, "table.exec.emit.late-fire.enabled", "true",
                             "table.exec.emit.allow-lateness", "1 min", NULL);
  g_assert_cmpint (session->u.window_agg.allowed_lateness_ms, ==, 0);
  g_assert_false (session->updating);
}

static void
test_bad_setting (void)
{
  g_autoptr (PlanSettings) settings = plan_settings_new ();
  g_autoptr (GError) error = NULL;

  g_assert_false (plan_settings_set (settings, "table.exec.emit.late-fire.enabled", "yes",
                                     &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "'true' or 'false'"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/optimizer/window-late/lateness", test_lateness);
  g_test_add_func ("/optimizer/window-late/bad-setting", test_bad_setting);
  return g_test_run ();
}
