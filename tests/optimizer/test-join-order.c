/* test-join-order.c: the join-reorder pass on a Q5-shaped star: a fact table of 3000 rows
 * joined to dimensions a (100 rows, 10 groups) and b (50 rows), written so that the fact
 * table meets b first. Without statistics the written order stays and EXPLAIN says which
 * key has none. With ANALYZE, worked out by hand: a.grp = 3 keeps 100 / 10 = 10 rows of a;
 * (fact JOIN b) has 3000 * 50 / max(50, 50) = 3000 rows, (fact JOIN a) 3000 * 10 / max(100,
 * 10) = 300, all three 300; so (fact JOIN a) JOIN b costs 300 + 300 = 600 against 3000 +
 * 300 = 3300 as written. The results equal SQLite's either way; a residual over two inputs
 * lands on the join that has both. Then TPC-H Q5 on generated data, by actual rows. */
#include "optimizer/opt-stats-private.h"
#include "runtime/gateway/gw-client.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

static char *dir;

static void
run (GwClient *client, const char *sql)
{
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (gw_client_execute (client, sql, &error));
  g_assert_no_error (error);
}

static const char *const tables[] = { "fact", "a", "b" };

static GwClient *
star_client (sqlite3 **db)
{
  GwClient *client = gw_client_new_embedded (NULL);
  GString *csv[3] = { g_string_new ("id,a_id,b_id\n"), g_string_new ("a_id,grp\n"),
                      g_string_new ("b_id,name\n") };
  const char *cols[] = { "id INT, a_id INT, b_id INT", "a_id INT, grp INT",
                         "b_id INT, name VARCHAR" };

  g_assert_cmpint (sqlite3_open (":memory:", db), ==, SQLITE_OK);
  sqlite3_exec (*db, "CREATE TABLE fact (id, a_id, b_id); CREATE TABLE a (a_id, grp);"
                     "CREATE TABLE b (b_id, name)", NULL, NULL, NULL);
  for (guint i = 0; i < 3000; i++)
    {
      g_autofree char *ins = g_strdup_printf ("INSERT INTO fact VALUES (%u, %u, %u)", i,
                                              i % 100, (i * 7) % 50);

      g_string_append_printf (csv[0], "%u,%u,%u\n", i, i % 100, (i * 7) % 50);
      sqlite3_exec (*db, ins, NULL, NULL, NULL);
    }
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *ins = g_strdup_printf ("INSERT INTO a VALUES (%u, %u)", i, i % 10);

      g_string_append_printf (csv[1], "%u,%u\n", i, i % 10);
      sqlite3_exec (*db, ins, NULL, NULL, NULL);
    }
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *ins = g_strdup_printf ("INSERT INTO b VALUES (%u, 'b%u')", i, i);

      g_string_append_printf (csv[2], "%u,b%u\n", i, i);
      sqlite3_exec (*db, ins, NULL, NULL, NULL);
    }
  for (guint t = 0; t < 3; t++)
    {
      g_autofree char *file = g_strdup_printf ("%s.csv", tables[t]);
      g_autofree char *path = g_build_filename (dir, file, NULL);
      g_autofree char *ddl = NULL;

      g_assert_true (g_file_set_contents (path, csv[t]->str, -1, NULL));
      g_string_free (csv[t], TRUE);
      ddl = g_strdup_printf ("CREATE TABLE %s (%s) WITH ('connector' = 'filesystem', 'path' "
                             "= '%s', 'format' = 'csv', 'csv.header' = 'true')", tables[t],
                             cols[t], path);
      run (client, ddl);
    }
  run (client, "SET 'execution.runtime-mode' = 'batch'");
  run (client, "SET 'parallelism.default' = '2'");
  return client;
}

static const char query[] =
  "SELECT fact.id, b.name FROM fact, b, a WHERE fact.b_id = b.b_id AND fact.a_id = a.a_id "
  "AND a.grp = 3";

static gint
cmp_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static GPtrArray *
strom_rows (GwClient *client, const char *sql)
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

          g_ptr_array_add (out, g_strdup_printf ("%" G_GINT64_FORMAT "|%s", row->values[0].v.i,
                                                 row->values[1].v.s));
        }
    }
  g_ptr_array_sort (out, cmp_strings);
  return out;
}

static GPtrArray *
sqlite_rows (sqlite3 *db, const char *sql)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *st = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  while (sqlite3_step (st) == SQLITE_ROW)
    g_ptr_array_add (out, g_strdup_printf ("%lld|%s", (long long) sqlite3_column_int64 (st, 0),
                                           sqlite3_column_text (st, 1)));
  sqlite3_finalize (st);
  g_ptr_array_sort (out, cmp_strings);
  return out;
}

static void
assert_same_rows_of (GwClient *client, sqlite3 *db, const char *sql, guint expected)
{
  g_autoptr (GPtrArray) mine = strom_rows (client, sql), theirs = sqlite_rows (db, sql);

  g_assert_cmpuint (mine->len, ==, theirs->len);
  g_assert_cmpuint (mine->len, ==, expected);
  for (guint i = 0; i < mine->len; i++)
    g_assert_cmpstr (mine->pdata[i], ==, theirs->pdata[i]);
}

static void
assert_same_rows (GwClient *client, sqlite3 *db)
{
  assert_same_rows_of (client, db, query, 300); /* grp 3: 10 a rows, 30 fact rows each */
}

static char *
explain (GwClient *client)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = g_strconcat ("EXPLAIN ESTIMATED_COST ", query, NULL);
  GwOperation *op = gw_client_execute (client, sql, &error);

  g_assert_no_error (error);
  return g_strdup (gw_operation_get_message (op));
}

/* EXPLAIN JSON's "join_order" entry for query (there is one join tree). */
static JsonObject *
join_order_json (GwClient *client, JsonNode **root)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = g_strconcat ("EXPLAIN JSON ", query, NULL);
  GwOperation *op = gw_client_execute (client, sql, &error);
  JsonArray *arr;

  g_assert_no_error (error);
  *root = json_from_string (gw_operation_get_message (op), &error);
  g_assert_no_error (error);
  arr = json_object_get_array_member (json_node_get_object (*root), "join_order");
  g_assert_cmpuint (json_array_get_length (arr), ==, 1);
  return json_array_get_object_element (arr, 0);
}

static void
test_star (void)
{
  sqlite3 *db = NULL;
  g_autoptr (GwClient) client = star_client (&db);
  g_autofree char *before = NULL, *after = NULL;
  g_autoptr (JsonNode) kept = NULL, chosen = NULL;
  JsonObject *o;

  opt_stats_open (NULL, NULL);
  before = explain (client);
  /* without statistics the written order stays, and EXPLAIN says why */
  g_assert_nonnull (strstr (before, "== Join Order ==\njoin order: as written; no statistics "
                                    "for fact.b_id = b.b_id (ANALYZE TABLE lets the optimizer "
                                    "choose the order)\n"));
  o = join_order_json (client, &kept);
  g_assert_cmpstr (json_object_get_string_member (o, "decision"), ==, "as-written");
  g_assert_cmpstr (json_object_get_string_member (o, "reason"), ==,
                   "no statistics for fact.b_id = b.b_id (ANALYZE TABLE lets the optimizer "
                   "choose the order)");
  assert_same_rows (client, db);
  run (client, "ANALYZE TABLE fact");
  run (client, "ANALYZE TABLE a");
  run (client, "ANALYZE TABLE b");
  after = explain (client);
  g_assert_nonnull (strstr (after, "== Join Order ==\njoin order: ((fact JOIN a) JOIN b), "
                                   "est. cost 600 rows of intermediate results; as written: "
                                   "((fact JOIN b) JOIN a), est. cost 3300\n"));
  o = join_order_json (client, &chosen);
  g_assert_cmpstr (json_object_get_string_member (o, "decision"), ==, "reordered");
  g_assert_cmpstr (json_object_get_string_member (o, "chosen"), ==, "((fact JOIN a) JOIN b)");
  g_assert_cmpfloat (json_object_get_double_member (o, "chosen_cost"), ==, 600);
  g_assert_cmpstr (json_object_get_string_member (o, "written"), ==, "((fact JOIN b) JOIN a)");
  g_assert_cmpfloat (json_object_get_double_member (o, "written_cost"), ==, 3300);
  assert_same_rows (client, db);
  /* a condition over a and b lands on the join that has both (the top one). With a.grp = 3
   * the fact rows are i = 3 + 10 j, whose b_id = (21 + 20 j) % 50 cycles through 21, 41, 11,
   * 31, 1: all but the 60 rows with b_id 1 pass 3 + b_id > 6 */
  assert_same_rows_of (client, db, "SELECT fact.id, b.name FROM fact, b, a WHERE fact.b_id = "
                       "b.b_id AND fact.a_id = a.a_id AND a.grp = 3 AND a.grp + b.b_id > 6",
                       240);
  sqlite3_close (db);
}

/* The pass alone: the plan it returns verifies, and disabling it keeps the written order. */
static void
test_disabled (void)
{
  sqlite3 *db = NULL;
  g_autoptr (GwClient) client = star_client (&db);
  g_autofree char *text = NULL;

  opt_stats_open (NULL, NULL);
  run (client, "ANALYZE TABLE fact");
  run (client, "ANALYZE TABLE a");
  run (client, "ANALYZE TABLE b");
  run (client, "SET 'table.optimizer.disabled-passes' = 'join-reorder'");
  text = explain (client);
  g_assert_null (strstr (text, "== Join Order =="));
  g_assert_nonnull (strstr (text, "join-reorder         disabled"));
  assert_same_rows (client, db);
  sqlite3_close (db);
}

/* ---- TPC-H Q5 ---------------------------------------------------------------------------- */

static char *
replace (const char *text, const char *from, const char *to)
{
  g_auto (GStrv) parts = g_strsplit (text, from, -1);

  return g_strjoinv (to, parts);
}

/* The largest "actual rows=N" of the joins in EXPLAIN ANALYZE text, and the top join's (the
 * first listed). */
static void
join_actuals (const char *text, guint64 *max, guint64 *top)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  gboolean first = TRUE;

  *max = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *at = strstr (lines[i], "actual rows=");
      guint64 n;

      if (strstr (lines[i], "Join [") == NULL || at == NULL)
        continue;
      n = g_ascii_strtoull (at + strlen ("actual rows="), NULL, 10);
      *max = MAX (*max, n);
      if (first)
        *top = n;
      first = FALSE;
    }
}

static char *
q5_explain (GwClient *client, const char *q5)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = g_strconcat ("EXPLAIN ANALYZE ", q5, NULL);
  GwOperation *op = gw_client_execute (client, sql, &error);

  g_assert_no_error (error);
  return g_strdup (gw_operation_get_message (op));
}

/* Q5 over TPC-H-shaped data at scale 0.01 with statistics: the chosen order joins region,
 * nation, supplier and customer before the fact tables, so no join result comes near the
 * 9,000 rows of (customer JOIN orders) JOIN lineitem as written (checked on actual rows,
 * from EXPLAIN ANALYZE); the top join's rows are the same either way (Q5's result, reordered,
 * is checked against SQLite by tests/integration/test-tpch). */
static void
test_tpch_q5 (void)
{
  const char *gen = g_getenv ("TPCH_GEN"), *root = g_getenv ("STROM_SOURCE_ROOT");
  g_autofree char *tdir = NULL, *ddl = NULL, *q5 = NULL, *abs = NULL, *prefix = NULL;
  g_autofree char *ddl_path = NULL, *q5_path = NULL, *chosen = NULL, *written = NULL;
  static const char *const names[] = { "region", "nation", "supplier", "customer", "part",
                                       "partsupp", "orders", "lineitem" };
  g_autoptr (GwClient) tpch = NULL;
  g_auto (GStrv) stmts = NULL;
  guint64 max_chosen, top_chosen = 0, max_written, top_written = 0;
  int status = 0;

  if (gen == NULL || root == NULL)
    {
      g_test_skip ("TPCH_GEN or STROM_SOURCE_ROOT not set");
      return;
    }
  tdir = g_build_filename (dir, "tpch", NULL);
  g_assert_cmpint (g_mkdir (tdir, 0700), ==, 0);
  {
    const char *argv[] = { gen, "--scale", "0.01", "--dir", tdir, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                                 NULL, &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  ddl_path = g_build_filename (root, "share", "tpch", "ddl.sql", NULL);
  q5_path = g_build_filename (root, "share", "tpch", "q5.sql", NULL);
  g_assert_true (g_file_get_contents (ddl_path, &ddl, NULL, NULL));
  g_assert_true (g_file_get_contents (q5_path, &q5, NULL, NULL));
  g_strstrip (q5);
  q5[strlen (q5) - 1] = '\0'; /* the ';' */
  prefix = g_strdup_printf ("'path' = '%s/", tdir);
  abs = replace (ddl, "'path' = '", prefix);
  stmts = g_strsplit (abs, ";\n", -1);
  tpch = gw_client_new_embedded (NULL);
  for (guint i = 0; stmts[i] != NULL; i++)
    if (strstr (stmts[i], "CREATE TABLE") != NULL)
      run (tpch, stmts[i]);
  run (tpch, "SET 'execution.runtime-mode' = 'batch'");
  run (tpch, "SET 'parallelism.default' = '2'");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *analyze = g_strdup_printf ("ANALYZE TABLE %s", names[i]);

      run (tpch, analyze);
    }
  chosen = q5_explain (tpch, q5);
  run (tpch, "SET 'table.optimizer.disabled-passes' = 'join-reorder'");
  written = q5_explain (tpch, q5);
  join_actuals (chosen, &max_chosen, &top_chosen);
  join_actuals (written, &max_written, &top_written);
  g_test_message ("largest join result: %" G_GUINT64_FORMAT " rows chosen, %" G_GUINT64_FORMAT
                  " as written", max_chosen, max_written);
  g_assert_cmpuint (max_written, >, 4 * max_chosen);
  g_assert_cmpuint (top_chosen, ==, top_written);
  g_assert_cmpuint (top_chosen, >, 0);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *file = g_strdup_printf ("%s.csv", names[i]);
      g_autofree char *path = g_build_filename (tdir, file, NULL);

      g_remove (path);
    }
  g_rmdir (tdir);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("strom-join-order-XXXXXX", NULL);
  g_test_add_func ("/optimizer/join-order/star", test_star);
  g_test_add_func ("/optimizer/join-order/disabled", test_disabled);
  g_test_add_func ("/optimizer/join-order/tpch-q5", test_tpch_q5);
  rc = g_test_run ();
  opt_stats_close ();
  for (guint t = 0; t < 3; t++)
    {
      g_autofree char *file = g_strdup_printf ("%s.csv", tables[t]);
      g_autofree char *path = g_build_filename (dir, file, NULL);

      g_remove (path);
    }
  g_rmdir (dir);
  g_free (dir);
  return rc;
}
