/* test-subquery.c: subquery decorrelation (plans/plan-sql-bind-subquery.c) against SQLite
 * on small tables with the cases that break naive rewrites: duplicate inner keys (a semi
 * join must not repeat outer rows), NULL keys on both sides (they never match; NOT EXISTS
 * keeps an outer row with a NULL key), outer rows without partners for a scalar aggregate
 * (the comparison with NULL drops them), an uncorrelated scalar subquery, nesting, and a
 * subquery on the left of the comparison. Then the plan shape (a JOIN over a distinct
 * AGGREGATE, no subquery left) and the refusals with their positions. */
#include "optimizer/opt-stats-private.h"
#include "runtime/gateway/gw-client.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

static char *dir;
static sqlite3 *db;
static GwClient *client;

/* emp (id, dept, salary); dept (id, name, region): dept 4 has no employees, emp 6 has a
 * NULL dept, dept 5 is listed twice (duplicate inner key). */
static const char emp_csv[] =
  "id,dept,salary\n1,1,100\n2,1,300\n3,2,200\n4,3,50\n5,3,150\n6,,500\n7,2,\n";
static const char dept_csv[] =
  "id,name,region\n1,eng,1\n2,ops,1\n3,art,2\n4,law,2\n5,pay,\n5,pay2,3\n,ghost,1\n";

static void
run (const char *sql)
{
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (gw_client_execute (client, sql, &error));
  g_assert_no_error (error);
}

static void
load (const char *name, const char *csv, const char *strom_cols)
{
  g_autofree char *file = g_strdup_printf ("%s.csv", name);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *ddl = g_strdup_printf ("CREATE TABLE %s (%s) WITH ('connector' = "
                                          "'filesystem', 'path' = '%s', 'format' = 'csv', "
                                          "'csv.header' = 'true')", name, strom_cols, path);
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  g_autofree char *create = g_strdup_printf ("CREATE TABLE %s (%s)", name, lines[0]);

  g_assert_true (g_file_set_contents (path, csv, -1, NULL));
  run (ddl);
  g_assert_cmpint (sqlite3_exec (db, create, NULL, NULL, NULL), ==, SQLITE_OK);
  for (guint l = 1; lines[l] != NULL && lines[l][0] != '\0'; l++)
    {
      g_auto (GStrv) f = g_strsplit (lines[l], ",", -1);
      GString *ins = g_string_new (NULL);

      g_string_printf (ins, "INSERT INTO %s VALUES (", name);
      for (guint c = 0; f[c] != NULL; c++)
        {
          gboolean text = g_ascii_isalpha (f[c][0]);

          g_string_append_printf (ins, "%s%s%s%s", c ? ", " : "", text ? "'" : "",
                                  f[c][0] ? f[c] : "NULL", text ? "'" : "");
        }
      g_string_append (ins, ")");
      g_assert_cmpint (sqlite3_exec (db, ins->str, NULL, NULL, NULL), ==, SQLITE_OK);
      g_string_free (ins, TRUE);
    }
}

static gint
cmp_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static GPtrArray *
strom_rows (const char *sql)
{
  g_autoptr (GError) error = NULL;
  GwOperation *op = gw_client_execute (client, sql, &error);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  gboolean end = FALSE;

  g_assert_no_error (error);
  while (!end)
    {
      g_autoptr (GwPage) page = gw_operation_fetch (op, 1000, -1, &error);

      g_assert_no_error (error);
      end = page->end;
      for (guint i = 0; i < page->rows->len; i++)
        {
          GwRow *row = page->rows->pdata[i];
          GString *s = g_string_new (NULL);

          for (guint c = 0; c < row->n_values; c++)
            {
              double x;
              g_autofree char *t = NULL;

              if (row->values[c].is_null)
                t = g_strdup ("NULL");
              else if (opt__value_number (&row->values[c], &x))
                t = g_strdup_printf ("%.2f", x);
              else
                t = plan_value_to_string (&row->values[c], FALSE);
              g_string_append_printf (s, "%s%s", c ? "|" : "", t);
            }
          g_ptr_array_add (out, g_string_free (s, FALSE));
        }
    }
  g_ptr_array_sort (out, cmp_strings);
  return out;
}

static GPtrArray *
sqlite_rows (const char *sql)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *st = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      GString *s = g_string_new (NULL);

      for (int c = 0; c < sqlite3_column_count (st); c++)
        {
          int type = sqlite3_column_type (st, c);

          g_string_append (s, c ? "|" : "");
          if (type == SQLITE_NULL)
            g_string_append (s, "NULL");
          else if (type == SQLITE_TEXT)
            g_string_append (s, (const char *) sqlite3_column_text (st, c));
          else
            g_string_append_printf (s, "%.2f", sqlite3_column_double (st, c));
        }
      g_ptr_array_add (out, g_string_free (s, FALSE));
    }
  sqlite3_finalize (st);
  g_ptr_array_sort (out, cmp_strings);
  return out;
}

static void
check (const char *sql, guint expected_rows)
{
  g_autoptr (GPtrArray) mine = strom_rows (sql), theirs = sqlite_rows (sql);

  g_assert_cmpuint (theirs->len, ==, expected_rows);
  g_assert_cmpuint (mine->len, ==, theirs->len);
  for (guint i = 0; i < mine->len; i++)
    g_assert_cmpstr (mine->pdata[i], ==, theirs->pdata[i]);
}

/* Expected row counts worked out by hand from the two tables above. */
static void
test_in (void)
{
  /* depts in region 1: 1, 2 (and the NULL id, which matches nothing): emps 1, 2, 3, 7 */
  check ("SELECT id, salary FROM emp WHERE dept IN (SELECT id FROM dept WHERE region = 1)", 4);
  /* dept 5 twice: no duplicates; nobody works in 5 */
  check ("SELECT id FROM emp WHERE dept IN (SELECT id FROM dept WHERE id >= 3)", 2);
  /* an expression on the outer side, a cast between INT and BIGINT */
  check ("SELECT id FROM emp WHERE dept + 1 IN (SELECT CAST(id AS BIGINT) FROM dept)", 6);
}

static void
test_exists (void)
{
  /* depts with an employee: 1, 2, 3 (dept 5 rows have none; the NULL id matches nothing) */
  check ("SELECT id, name FROM dept WHERE EXISTS (SELECT * FROM emp WHERE emp.dept = dept.id)",
         3);
  /* the rest: 4, both 5s and the NULL id */
  check ("SELECT name FROM dept WHERE NOT EXISTS (SELECT * FROM emp WHERE emp.dept = dept.id)",
         4);
  /* with an inner condition: depts with someone earning over 250: 1 */
  check ("SELECT name FROM dept d WHERE EXISTS (SELECT * FROM emp e WHERE e.dept = d.id "
         "AND e.salary > 250)", 1);
  /* with an outer-only condition inside */
  check ("SELECT name FROM dept d WHERE EXISTS (SELECT * FROM emp e WHERE e.dept = d.id "
         "AND d.region = 1)", 2);
}

static void
test_scalar (void)
{
  /* above their department's average: 2 (300 > 200), 5 (150 > 100); 6 has no dept, 7 a
   * NULL salary */
  check ("SELECT id FROM emp e WHERE salary > (SELECT AVG(salary) FROM emp i "
         "WHERE i.dept = e.dept)", 2);
  /* the subquery on the left, MAX: at the maximum of their department: 2, 3, 5 */
  check ("SELECT id FROM emp e WHERE (SELECT MAX(salary) FROM emp i WHERE i.dept = e.dept) "
         "<= salary", 3);
  /* uncorrelated: above the overall average 216.67: 2, 6 */
  check ("SELECT id FROM emp WHERE salary > (SELECT AVG(salary) FROM emp)", 2);
  /* nested: an IN inside a scalar subquery's FROM side */
  check ("SELECT id FROM emp e WHERE salary >= (SELECT 0.5 * SUM(salary) FROM emp i "
         "WHERE i.dept = e.dept AND i.dept IN (SELECT id FROM dept WHERE region = 1))", 2);
}

static void
test_plan_shape (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanStatement) stmt = plan_sql_compile_one (
    gw_client_get_catalog (client),
    "SELECT id FROM emp WHERE dept IN (SELECT id FROM dept)", &error);
  PlanNode *n;

  g_assert_no_error (error);
  /* SINK <- PROJECT (the outer columns) <- JOIN (PROJECT emp + key, AGGREGATE distinct) */
  n = stmt->plan->inputs[0];
  while (n->kind != PLAN_NODE_JOIN)
    {
      g_assert_cmpuint (n->n_inputs, ==, 1);
      n = n->inputs[0];
    }
  g_assert_cmpint (n->u.join.type, ==, PLAN_JOIN_INNER);
  g_assert_cmpuint (n->u.join.n_keys, ==, 1);
  g_assert_cmpint (n->inputs[1]->kind, ==, PLAN_NODE_AGGREGATE);
  g_assert_cmpuint (n->inputs[1]->u.aggregate.n_keys, ==, 1);
  g_assert_cmpuint (n->inputs[1]->u.aggregate.n_aggs, ==, 0);
}

static void
expect_error (const char *sql, gint code, const char *position, const char *part)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (gw_client_execute (client, sql, &error));
  g_assert_error (error, PLAN_ERROR, code);
  g_assert_true (g_str_has_prefix (error->message, position));
  g_assert_nonnull (strstr (error->message, part));
}

static void
test_refusals (void)
{
  expect_error ("SELECT id FROM emp WHERE dept NOT IN (SELECT id FROM dept)",
                PLAN_ERROR_UNSUPPORTED, "1:35: ", "Write NOT EXISTS");
  expect_error ("SELECT id FROM emp e WHERE EXISTS (SELECT * FROM dept d WHERE d.id > e.dept)",
                PLAN_ERROR_UNSUPPORTED, "1:63: ", "only equalities");
  expect_error ("SELECT id FROM emp e WHERE salary > (SELECT COUNT(*) FROM dept d "
                "WHERE d.id = e.dept)", PLAN_ERROR_UNSUPPORTED, "1:45: ", "COUNT");
  expect_error ("SELECT id FROM emp WHERE dept IN (SELECT id, name FROM dept)",
                PLAN_ERROR_BIND, "1:35: ", "must return one column");
  /* elsewhere than a WHERE conjunct: as before */
  expect_error ("SELECT id FROM emp WHERE dept = 1 OR EXISTS (SELECT * FROM dept)",
                PLAN_ERROR_UNSUPPORTED, "1:38: ", "not supported yet");
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("strom-subquery-XXXXXX", NULL);
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  client = gw_client_new_embedded (NULL);
  load ("emp", emp_csv, "id INT, dept INT, salary DECIMAL(8, 2)");
  load ("dept", dept_csv, "id INT, name VARCHAR, region INT");
  run ("SET 'execution.runtime-mode' = 'batch'");
  run ("SET 'parallelism.default' = '2'");
  g_test_add_func ("/optimizer/subquery/in", test_in);
  g_test_add_func ("/optimizer/subquery/exists", test_exists);
  g_test_add_func ("/optimizer/subquery/scalar", test_scalar);
  g_test_add_func ("/optimizer/subquery/plan-shape", test_plan_shape);
  g_test_add_func ("/optimizer/subquery/refusals", test_refusals);
  rc = g_test_run ();
  gw_client_free (client);
  opt_stats_close ();
  sqlite3_close (db);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *file = g_strdup_printf ("%s.csv", i ? "dept" : "emp");
      g_autofree char *path = g_build_filename (dir, file, NULL);

      g_remove (path);
    }
  g_rmdir (dir);
  g_free (dir);
  return rc;
}
