/* test-catalog.c: the session catalog (one case-insensitive namespace for tables and
 * views) and session settings (known keys, validation, typed getters, listing). */
#include "plans/plan-catalog.h"

#include <string.h>

static const PlanSpan no_span = { 0 };

static PlanTable *
make_table (const char *name)
{
  PlanSchema *s = plan_schema_new (1);

  plan_schema_set_field (s, 0, "a", plan_type_make (PLAN_TYPE_INT, TRUE));
  return plan_table_new (name, s, no_span);
}

static PlanNode *
make_view_plan (void)
{
  PlanSchema *s = plan_schema_new (1);
  PlanNode *n;

  plan_schema_set_field (s, 0, "x", plan_type_make (PLAN_TYPE_INT, FALSE));
  n = plan_node_new (PLAN_NODE_VALUES, s, no_span, 0, NULL);
  n->u.values.n_rows = 1;
  n->u.values.values = g_new0 (PlanValue, 1);
  n->u.values.values[0].type = plan_type_make (PLAN_TYPE_INT, FALSE);
  n->u.values.values[0].v.i = 1;
  return n;
}

static void
test_tables (void)
{
  g_autoptr (PlanCatalog) cat = plan_catalog_new ();
  g_autoptr (PlanTable) bid = make_table ("Bid");
  g_autoptr (PlanTable) dup = make_table ("BID");
  g_autoptr (PlanTable) auction = make_table ("auction");
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) names = NULL;

  g_assert_true (plan_catalog_add_table (cat, bid, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bid->ref_count, ==, 2); /* the catalog holds its own reference */
  g_assert_true (plan_catalog_get_table (cat, "bid") == bid);
  g_assert_true (plan_catalog_get_table (cat, "BID") == bid);
  g_assert_null (plan_catalog_get_table (cat, "person"));
  g_assert_null (plan_catalog_get_view (cat, "bid", NULL));

  g_assert_false (plan_catalog_add_table (cat, dup, &error));
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_CATALOG);
  g_assert_cmpstr (error->message, ==,
                   "Table 'Bid' already exists. Drop it first or choose another name.");
  g_clear_error (&error);

  g_assert_true (plan_catalog_add_table (cat, auction, NULL));
  names = plan_catalog_list_tables (cat);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, "auction");
  g_assert_cmpstr (names[1], ==, "Bid");
}

static void
test_views_and_drop (void)
{
  g_autoptr (PlanCatalog) cat = plan_catalog_new ();
  g_autoptr (PlanNode) plan = make_view_plan ();
  g_autoptr (PlanTable) t = make_table ("t");
  g_autoptr (GError) error = NULL;
  const char *sql = NULL;
  g_auto (GStrv) views = NULL;
  g_auto (GStrv) tables = NULL;

  g_assert_true (plan_catalog_add_table (cat, t, NULL));
  g_assert_true (plan_catalog_add_view (cat, "v", "SELECT 1 AS x", plan, &error));
  g_assert_no_error (error);
  g_assert_true (plan_catalog_get_view (cat, "V", &sql) == plan);
  g_assert_cmpstr (sql, ==, "SELECT 1 AS x");
  g_assert_null (plan_catalog_get_table (cat, "v"));

  /* A view may not take a table's name, and the reverse. */
  g_assert_false (plan_catalog_add_view (cat, "T", "SELECT 2", plan, &error));
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_CATALOG);
  g_assert_nonnull (strstr (error->message, "Table 't' already exists"));
  g_clear_error (&error);

  views = plan_catalog_list_views (cat);
  tables = plan_catalog_list_tables (cat);
  g_assert_cmpuint (g_strv_length (views), ==, 1);
  g_assert_cmpstr (views[0], ==, "v");
  g_assert_cmpuint (g_strv_length (tables), ==, 1);

  g_assert_false (plan_catalog_drop (cat, "v", FALSE, FALSE, &error));
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_CATALOG);
  g_assert_cmpstr (error->message, ==, "'v' is a view, not a table. Use DROP VIEW v instead.");
  g_clear_error (&error);
  g_assert_false (plan_catalog_drop (cat, "t", TRUE, TRUE, &error));
  g_assert_nonnull (strstr (error->message, "'t' is a table, not a view"));
  g_clear_error (&error);

  g_assert_false (plan_catalog_drop (cat, "nope", FALSE, FALSE, &error));
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_CATALOG);
  g_assert_nonnull (strstr (error->message, "Table 'nope' does not exist."));
  g_assert_nonnull (strstr (error->message, "DROP TABLE IF EXISTS"));
  g_clear_error (&error);
  g_assert_false (plan_catalog_drop (cat, "nope", TRUE, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "DROP VIEW IF EXISTS"));
  g_clear_error (&error);
  g_assert_true (plan_catalog_drop (cat, "nope", FALSE, TRUE, &error));
  g_assert_no_error (error);

  g_assert_true (plan_catalog_drop (cat, "V", TRUE, FALSE, &error));
  g_assert_null (plan_catalog_get_view (cat, "v", NULL));
  g_assert_cmpint (plan->ref_count, ==, 1);
  g_assert_true (plan_catalog_drop (cat, "T", FALSE, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (t->ref_count, ==, 1);
  /* The name is free again. */
  g_assert_true (plan_catalog_add_view (cat, "t", "SELECT 1 AS x", plan, NULL));
}

static void
test_settings_defaults (void)
{
  g_autoptr (PlanSettings) st = plan_settings_new ();
  g_autofree char *cores = g_strdup_printf ("%u", g_get_num_processors ());

  g_assert_cmpstr (plan_settings_get (st, "parallelism.default"), ==, cores);
  g_assert_cmpint (plan_settings_get_int (st, "parallelism.default"), ==,
                   g_get_num_processors ());
  g_assert_cmpstr (plan_settings_get (st, "pipeline.buffer-timeout"), ==, "100 ms");
  g_assert_cmpint (plan_settings_get_duration_us (st, "pipeline.buffer-timeout"), ==, 100000);
  g_assert_cmpint (plan_settings_get_bytes (st, "taskmanager.memory.managed.size"), ==,
                   128 * 1024 * 1024);
  g_assert_cmpint (plan_settings_get_duration_us (st, "metrics.latency.interval"), ==, 0);
  /* batch exactly when every source is bounded */
  g_assert_cmpstr (plan_settings_get (st, "execution.runtime-mode"), ==, "automatic");
  g_assert_cmpstr (plan_settings_get (st, "sql-client.execution.result-mode"), ==, "table");
  g_assert_cmpstr (plan_settings_get (st, "table.optimizer.disabled-passes"), ==, "");
  g_assert_cmpint (plan_settings_get_int (st, "execution.batch-size"), ==, 512);
  g_assert_null (plan_settings_get (st, "no.such.key"));
}

static void
test_settings_set (void)
{
  g_autoptr (PlanSettings) st = plan_settings_new ();
  struct { const char *text; gint64 us; } durations[] = {
    { "5 ms", 5000 }, { "1s", 1000000 }, { "100ms", 100000 }, { "2 min", 120000000 },
    { "0", 0 }, { "250", 250000 }, { "1 h", G_GINT64_CONSTANT (3600000000) },
  };
  struct { const char *text; gint64 bytes; } sizes[] = {
    { "64m", 64 << 20 }, { "64 mb", 64 << 20 }, { "1g", 1 << 30 }, { "512k", 512 << 10 },
    { "1048576", 1048576 }, { "2 GB", G_GINT64_CONSTANT (2) << 30 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (durations); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_true (plan_settings_set (st, "pipeline.buffer-timeout", durations[i].text,
                                        &error));
      g_assert_no_error (error);
      g_assert_cmpint (plan_settings_get_duration_us (st, "pipeline.buffer-timeout"), ==,
                       durations[i].us);
    }
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_assert_true (plan_settings_set (st, "taskmanager.memory.managed.size", sizes[i].text,
                                        NULL));
      g_assert_cmpint (plan_settings_get_bytes (st, "taskmanager.memory.managed.size"), ==,
                       sizes[i].bytes);
    }
  g_assert_true (plan_settings_set (st, "execution.runtime-mode", "BATCH", NULL));
  g_assert_cmpstr (plan_settings_get (st, "execution.runtime-mode"), ==, "batch");
  g_assert_true (plan_settings_set (st, "sql-client.execution.result-mode", "tableau", NULL));
  g_assert_true (plan_settings_set (st, "parallelism.default", "3", NULL));
  g_assert_cmpint (plan_settings_get_int (st, "parallelism.default"), ==, 3);
  g_assert_true (plan_settings_set (st, "execution.batch-size", "65536", NULL));
  g_assert_true (plan_settings_set (st, "table.optimizer.disabled-passes",
                                    "filter-pushdown,constant-folding", NULL));
  g_assert_cmpstr (plan_settings_get (st, "table.optimizer.disabled-passes"), ==,
                   "filter-pushdown,constant-folding");

  plan_settings_reset (st, "parallelism.default");
  g_assert_cmpint (plan_settings_get_int (st, "parallelism.default"), ==,
                   g_get_num_processors ());
  g_assert_cmpstr (plan_settings_get (st, "execution.runtime-mode"), ==, "batch");
  plan_settings_reset (st, NULL);
  g_assert_cmpstr (plan_settings_get (st, "execution.runtime-mode"), ==, "automatic");
  g_assert_cmpint (plan_settings_get_int (st, "execution.batch-size"), ==, 512);
}

static void
test_settings_errors (void)
{
  g_autoptr (PlanSettings) st = plan_settings_new ();
  struct { const char *key, *value; } bad[] = {
    { "pipeline.buffer-timeout", "soon" }, { "pipeline.buffer-timeout", "-5 ms" },
    { "pipeline.buffer-timeout", "5 parsecs" }, { "taskmanager.memory.managed.size", "0" },
    { "taskmanager.memory.managed.size", "lots" }, { "parallelism.default", "0" },
    { "parallelism.default", "two" }, { "execution.batch-size", "0" },
    { "execution.batch-size", "65537" }, { "execution.runtime-mode", "turbo" },
    { "sql-client.execution.result-mode", "csv" }, { "metrics.latency.interval", "1.5s" },
  };
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *quoted = g_strdup_printf ("'%s'", bad[i].key);

      g_assert_false (plan_settings_set (st, bad[i].key, bad[i].value, &error));
      g_assert_error (error, PLAN_ERROR, PLAN_ERROR_SETTING);
      g_assert_nonnull (strstr (error->message, quoted));
      g_assert_nonnull (strstr (error->message, "expected"));
      g_clear_error (&error);
    }
  /* A refused value leaves the old one in place. */
  g_assert_cmpstr (plan_settings_get (st, "pipeline.buffer-timeout"), ==, "100 ms");
  /* a bad mode names the three allowed ones */
  g_assert_false (plan_settings_set (st, "execution.runtime-mode", "turbo", &error));
  g_assert_nonnull (strstr (error->message, "'streaming', 'batch' or 'automatic'"));
  g_clear_error (&error);
  g_assert_cmpstr (plan_settings_get (st, "execution.runtime-mode"), ==, "automatic");

  g_assert_false (plan_settings_set (st, "pipeline.buffer-timout", "5 ms", &error));
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_SETTING);
  g_assert_true (g_str_has_prefix (error->message, "Unknown setting 'pipeline.buffer-timout'."));
  g_assert_nonnull (strstr (error->message, "Did you mean 'pipeline.buffer-timeout'?"));
  g_assert_nonnull (strstr (error->message, "execution.batch-size"));
  g_assert_nonnull (strstr (error->message, "taskmanager.memory.managed.size"));
  g_clear_error (&error);
  g_assert_false (plan_settings_set (st, "zzz", "1", &error));
  g_assert_null (strstr (error->message, "Did you mean"));
  g_assert_nonnull (strstr (error->message, "Known settings: "));
}

static void
test_settings_list (void)
{
  g_autoptr (PlanSettings) st = plan_settings_new ();
  g_auto (GStrv) list = NULL;
  guint n;
  gboolean seen = FALSE;

  g_assert_true (plan_settings_set (st, "execution.batch-size", "64", NULL));
  list = plan_settings_list (st);
  n = g_strv_length (list);
  g_assert_cmpuint (n, ==, 52); /* 26 keys, each with its value (3 of allowed lateness, 1 of
                                 * two-phase aggregation) */
  for (guint i = 0; i + 2 < n; i += 2)
    g_assert_cmpint (strcmp (list[i], list[i + 2]), <, 0);
  for (guint i = 0; i < n; i += 2)
    if (strcmp (list[i], "execution.batch-size") == 0)
      {
        g_assert_cmpstr (list[i + 1], ==, "64");
        seen = TRUE;
      }
  g_assert_true (seen);
}

static void
test_parse_helpers (void)
{
  gint64 v;

  g_assert_true (plan_parse_duration_us ("3 days", &v));
  g_assert_cmpint (v, ==, G_GINT64_CONSTANT (3) * 86400 * 1000000);
  g_assert_true (plan_parse_duration_us ("1500 us", &v));
  g_assert_cmpint (v, ==, 1500);
  g_assert_true (plan_parse_duration_us ("2500ns", &v));
  g_assert_cmpint (v, ==, 2);
  g_assert_false (plan_parse_duration_us ("", &v));
  g_assert_false (plan_parse_duration_us ("ms", &v));
  g_assert_false (plan_parse_duration_us ("99999999999999999999 d", &v));
  g_assert_true (plan_parse_bytes ("3 bytes", &v));
  g_assert_cmpint (v, ==, 3);
  g_assert_true (plan_parse_bytes ("1t", &v));
  g_assert_cmpint (v, ==, G_GINT64_CONSTANT (1) << 40);
  g_assert_false (plan_parse_bytes ("1 zb", &v));
  g_assert_false (plan_parse_bytes ("9999999999999 tb", &v));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plans/catalog/tables", test_tables);
  g_test_add_func ("/plans/catalog/views-and-drop", test_views_and_drop);
  g_test_add_func ("/plans/catalog/settings-defaults", test_settings_defaults);
  g_test_add_func ("/plans/catalog/settings-set", test_settings_set);
  g_test_add_func ("/plans/catalog/settings-errors", test_settings_errors);
  g_test_add_func ("/plans/catalog/settings-list", test_settings_list);
  g_test_add_func ("/plans/catalog/parse-helpers", test_parse_helpers);
  return g_test_run ();
}
