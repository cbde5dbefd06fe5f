/* studio-test-util.h: a catalog with the demo's orders, console and clicks tables, shared
 * by the GUI tests (DDL bound and added the way a session does it). */
#pragma once

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
