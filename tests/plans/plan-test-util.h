/* plan-test-util.h: helpers shared by the SQL-to-plan tests (tests/plans, tests/optimizer):
 * a catalog loaded from CREATE TABLE text, compiling one statement that must succeed, and
 * one that must fail at a given LINE:COL. Static inline so each test executable stays a
 * single translation unit and the meson test definitions need no extra sources. */
#pragma once

#include "plans/plan-sql.h"

#include <string.h>

/* A new catalog holding the tables of setup_sql (CREATE TABLE statements); asserts. */
static inline PlanCatalog *
plan_test_catalog_new (const char *setup_sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) asts = plan_sql_parse (setup_sql, &error);
  PlanCatalog *catalog;

  g_assert_no_error (error);
  catalog = plan_catalog_new ();
  for (guint i = 0; i < asts->len; i++)
    {
      g_autoptr (PlanStatement) stmt = plan_sql_bind (catalog, asts->pdata[i], &error);
      g_assert_no_error (error);
      g_assert_true (plan_catalog_add_table (catalog, stmt->table, &error));
    }
  return catalog;
}

/* Compiles sql, which must succeed; the caller owns the statement. */
static inline PlanStatement *
plan_test_compile_ok (PlanCatalog *catalog, const char *sql)
{
  g_autoptr (GError) error = NULL;
  PlanStatement *stmt = plan_sql_compile_one (catalog, sql, &error);

  g_assert_no_error (error);
  g_assert_nonnull (stmt);
  return stmt;
}

/* Compiling sql fails with a message containing needle, positioned at line:col. */
static inline void
plan_test_compile_fails_at (PlanCatalog *catalog, const char *sql, guint line, guint col,
                            const char *needle)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanStatement) stmt = plan_sql_compile_one (catalog, sql, &error);
  guint l = 0, c = 0;

  g_assert_null (stmt);
  g_assert_nonnull (error);
  if (strstr (error->message, needle) == NULL)
    g_error ("message '%s' lacks '%s'", error->message, needle);
  g_assert_true (plan_sql_error_position (error, &l, &c));
  g_assert_cmpuint (l, ==, line);
  g_assert_cmpuint (c, ==, col);
}
