/* test-or-derive.c: filters implied by an OR over both sides of an inner join
 * (optimizer/opt-or-derive.c), on TPC-H Q19's shape over two small tables: the plan keeps
 * the OR on the join and filters each scan with the OR of its own parts; a side some branch
 * says nothing about gets no filter; outer joins get none; the rows equal SQLite's. */
#include "optimizer/opt-stats-private.h"
#include "runtime/gateway/gw-client.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

static char *dir;
static sqlite3 *db;
static GwClient *client;

/* item (id, part, qty); part (id, brand, size): by hand, the rows of the query below are
 * items 1 (A, qty 5 < 10, size 1 < 3), 4 (B, qty 25 > 20, size 8 > 5) and 6 (A, qty 2) */
static const char item_csv[] = "id,part,qty\n1,1,5\n2,1,15\n3,2,5\n4,3,25\n5,3,10\n6,4,2\n";
static const char part_csv[] = "id,brand,size\n1,A,1\n2,C,1\n3,B,8\n4,A,2\n";

static const char query[] =
  "SELECT item.id FROM item, part WHERE item.part = part.id AND "
  "((part.brand = 'A' AND item.qty < 10 AND part.size < 3) OR "
  "(part.brand = 'B' AND item.qty > 20 AND part.size > 5))";

static void
run (const char *sql)
{
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (gw_client_execute (client, sql, &error));
  g_assert_no_error (error);
}

static void
load (const char *name, const char *csv, const char *cols, const char *lite)
{
  g_autofree char *file = g_strdup_printf ("%s.csv", name);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *ddl = g_strdup_printf ("CREATE TABLE %s (%s) WITH ('connector' = "
                                          "'filesystem', 'path' = '%s', 'format' = 'csv', "
                                          "'csv.header' = 'true')", name, cols, path);

  g_assert_true (g_file_set_contents (path, csv, -1, NULL));
  run (ddl);
  g_assert_cmpint (sqlite3_exec (db, lite, NULL, NULL, NULL), ==, SQLITE_OK);
}

static PlanPhysPlan *
plan_of (const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanStatement) stmt = plan_sql_compile_one (gw_client_get_catalog (client), sql,
                                                         &error);
  g_autoptr (OptResult) opt = NULL;

  g_assert_no_error (error);
  opt = opt_optimize (stmt->plan, gw_client_get_settings (client), &error);
  g_assert_no_error (error);
  return plan_phys_plan_ref (opt_result_get_physical (opt));
}

/* The source of table name in plan (the test fails when there is none). */
static const PlanPhysNode *
source_of (const PlanPhysPlan *plan, const char *name)
{
  for (guint i = 0; i < plan->nodes->len; i++)
    {
      const PlanPhysNode *n = plan->nodes->pdata[i];

      if (n->kind == PLAN_PHYS_SOURCE && strcmp (n->u.source.table->name, name) == 0)
        return n;
    }
  g_assert_not_reached ();
}

static const PlanPhysNode *
join_of (const PlanPhysPlan *plan)
{
  for (guint i = 0; i < plan->nodes->len; i++)
    if (((PlanPhysNode *) plan->nodes->pdata[i])->kind == PLAN_PHYS_HASH_JOIN)
      return plan->nodes->pdata[i];
  g_assert_not_reached ();
}

static char *
filter_text (const PlanPhysNode *src)
{
  g_assert_nonnull (src->u.source.filter);
  return plan_expr_to_string (src->u.source.filter, src->schema);
}

static void
test_plan (void)
{
  g_autoptr (PlanPhysPlan) plan = plan_of (query), partial = NULL, outer = NULL;
  g_autofree char *items = filter_text (source_of (plan, "item"));
  g_autofree char *parts = filter_text (source_of (plan, "part"));

  g_assert_cmpstr (items, ==, "(qty < 10) OR (qty > 20)");
  g_assert_cmpstr (parts, ==, "((brand = 'A') AND (size < 3)) OR ((brand = 'B') AND "
                              "(size > 5))");
  g_assert_nonnull (join_of (plan)->u.join.residual); /* the OR itself stays */
  /* the second branch has no item part: no item filter can be derived */
  partial = plan_of ("SELECT item.id FROM item, part WHERE item.part = part.id AND "
                     "((part.brand = 'A' AND item.qty < 10) OR part.brand = 'B')");
  g_assert_null (source_of (partial, "item")->u.source.filter);
  g_assert_nonnull (source_of (partial, "part")->u.source.filter);
  /* a LEFT join keeps its preserved side unfiltered */
  outer = plan_of ("SELECT item.id FROM item LEFT JOIN part ON item.part = part.id AND "
                   "((part.brand = 'A' AND item.qty < 10) OR (part.brand = 'B' AND "
                   "item.qty > 20))");
  g_assert_null (source_of (outer, "item")->u.source.filter);
}

static gint
cmp_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
test_rows (void)
{
  g_autoptr (GError) error = NULL;
  GwOperation *op = gw_client_execute (client, query, &error);
  g_autoptr (GPtrArray) mine = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) theirs = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *st = NULL;
  gboolean end = FALSE;

  g_assert_no_error (error);
  while (!end)
    {
      g_autoptr (GwPage) page = gw_operation_fetch (op, 100, -1, &error);

      g_assert_no_error (error);
      end = page->end;
      for (guint i = 0; i < page->rows->len; i++)
        g_ptr_array_add (mine, g_strdup_printf ("%" G_GINT64_FORMAT,
                                                ((GwRow *) page->rows->pdata[i])->values[0].v.i));
    }
  g_assert_cmpint (sqlite3_prepare_v2 (db, query, -1, &st, NULL), ==, SQLITE_OK);
  while (sqlite3_step (st) == SQLITE_ROW)
    g_ptr_array_add (theirs, g_strdup_printf ("%lld", (long long) sqlite3_column_int64 (st, 0)));
  sqlite3_finalize (st);
  g_ptr_array_sort (mine, cmp_strings);
  g_ptr_array_sort (theirs, cmp_strings);
  g_assert_cmpuint (theirs->len, ==, 3);
  g_assert_cmpuint (mine->len, ==, theirs->len);
  for (guint i = 0; i < mine->len; i++)
    g_assert_cmpstr (mine->pdata[i], ==, theirs->pdata[i]);
  g_assert_cmpstr (theirs->pdata[0], ==, "1");
  g_assert_cmpstr (theirs->pdata[1], ==, "4");
  g_assert_cmpstr (theirs->pdata[2], ==, "6");
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("strom-or-derive-XXXXXX", NULL);
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  client = gw_client_new_embedded (NULL);
  load ("item", item_csv, "id INT, part INT, qty INT",
        "CREATE TABLE item (id, part, qty); INSERT INTO item VALUES (1, 1, 5), (2, 1, 15), "
        "(3, 2, 5), (4, 3, 25), (5, 3, 10), (6, 4, 2)");
  load ("part", part_csv, "id INT, brand VARCHAR, size INT",
        "CREATE TABLE part (id, brand, size); INSERT INTO part VALUES (1, 'A', 1), "
        "(2, 'C', 1), (3, 'B', 8), (4, 'A', 2)");
  run ("SET 'execution.runtime-mode' = 'batch'");
  run ("SET 'parallelism.default' = '2'");
  g_test_add_func ("/optimizer/or-derive/plan", test_plan);
  g_test_add_func ("/optimizer/or-derive/rows", test_rows);
  rc = g_test_run ();
  gw_client_free (client);
  opt_stats_close ();
  sqlite3_close (db);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *file = g_strdup_printf ("%s.csv", i ? "part" : "item");
      g_autofree char *path = g_build_filename (dir, file, NULL);

      g_remove (path);
    }
  g_rmdir (dir);
  g_free (dir);
  return rc;
}
