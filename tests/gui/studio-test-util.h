/* studio-test-util.h: a catalog with the demo's orders, console and clicks tables, shared
 * by the GUI tests (DDL bound and added the way a session does it), and a bounded wait on
 * the main context. */
#pragma once

#include <glib-object.h>
#include "plans/plan-sql.h"

static PlanCatalog *
studio_test_catalog (void)
{
  static const char *ddl[] = {
    "CREATE TABLE orders (order_id INT, customer VARCHAR, amount DECIMAL(10, 2), qty INT, "
    "status VARCHAR) WITH ('connector' = 'filesystem', 'path' = 'orders.csv', "
    "'format' = 'csv')",
    "CREATE TABLE console (order_id INT, customer VARCHAR, amount DECIMAL(10, 2)) "
    "WITH ('connector' = 'print')",
    "CREATE TABLE clicks (user_id INT, price DOUBLE) WITH ('connector' = 'datagen')",
  };
  PlanCatalog *catalog = plan_catalog_new ();

  for (guint i = 0; i < G_N_ELEMENTS (ddl); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (PlanStatement) stmt = plan_sql_compile_one (catalog, ddl[i], &error);
      g_assert_no_error (error);
      g_assert_true (plan_catalog_add_table (catalog, stmt->table, &error));
      g_assert_no_error (error);
    }
  return catalog;
}

static gboolean
studio_test_tick (gpointer data)
{
  return G_SOURCE_CONTINUE; /* wakes g_main_context_iteration at least every 20 ms */
}

/* Spins the default main context until ready (data) holds or 60 s passed; whether it
 * holds. The ticking source matters: the last reference a worker thread drops (a GTask's,
 * say) changes state without waking the context, so an unticked blocking iteration can
 * wait for ever. */
static inline gboolean
studio_test_spin_until (gboolean (*ready) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  guint id = g_timeout_add (20, studio_test_tick, NULL);
  gboolean ok;

  while (!(ok = ready (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  return ok;
}

/* A window (data) is alone when only the test and GTK's toplevel list hold it: no poll
 * task or snapshot of the monitor is in flight. */
static inline gboolean
studio_test_window_alone (gpointer data)
{
  return G_OBJECT (data)->ref_count == 2;
}
