/* test-explain.c: EXPLAIN JSON / JSON_EXECUTION_PLAN, EXPLAIN DOT and EXPLAIN ANALYZE
 * through the embedded gateway, as a REPL or GUI user would run them.
 *
 * Data: share/examples/data/orders.csv (12 rows). Worked out by hand from the file:
 * status = 'shipped' holds for orders 1, 3, 5, 8, 9, 11 (6 rows); qty >= 3 for orders 2,
 * 5, 6, 9, 10 (qty 3, 4, 10, 3, 25; order 11's qty is NULL): 5 rows. The join test puts
 * the 12-row orders against a 100,000-row datagen table, so orders is the small side that
 * is broadcast, and the rejected repartition moves both sides. */
#include "runtime/gateway/gw-client.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

static GwClient *
client_with_tables (void)
{
  g_autoptr (GError) error = NULL;
  GwClient *client = gw_client_new_embedded (&error);
  const char *root = g_getenv ("STROM_SOURCE_ROOT");
  g_autofree char *ddl = NULL;
  const char *more[] = {
    "CREATE TABLE big (id BIGINT, customer VARCHAR, v DOUBLE) WITH ('connector' = 'datagen', "
    "'number-of-rows' = '100000', 'rows-per-second' = '1000000000')",
    "CREATE TABLE endless (id BIGINT) WITH ('connector' = 'datagen')",
    "SET 'execution.runtime-mode' = 'batch'",
  };

  g_assert_no_error (error);
  g_assert_nonnull (root);
  ddl = g_strdup_printf ("CREATE TABLE orders (order_id INT, customer VARCHAR, "
                         "amount DECIMAL(10, 2), qty INT, ordered_at TIMESTAMP(3), "
                         "status VARCHAR) WITH ('connector' = 'filesystem', "
                         "'path' = '%s/share/examples/data/orders.csv', 'format' = 'csv', "
                         "'csv.header' = 'true')", root);
  g_assert_nonnull (gw_client_execute (client, ddl, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (more); i++)
    {
      g_assert_nonnull (gw_client_execute (client, more[i], &error));
      g_assert_no_error (error);
    }
  return client;
}

/* The EXPLAIN output (the operation's message), borrowed from the client. */
static const char *
explain (GwClient *client, const char *sql)
{
  g_autoptr (GError) error = NULL;
  GwOperation *op = gw_client_execute (client, sql, &error);

  g_assert_no_error (error);
  g_assert_nonnull (op);
  g_assert_nonnull (gw_operation_get_message (op));
  return gw_operation_get_message (op);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr (GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return node;
}

/* The "nodes" entry of the first operator whose "operator" starts with prefix. */
static JsonObject *
find_op (JsonObject *doc, const char *prefix)
{
  JsonArray *nodes = json_object_get_array_member (doc, "nodes");

  for (guint i = 0; i < json_array_get_length (nodes); i++)
    {
      JsonObject *n = json_array_get_object_element (nodes, i);

      if (g_str_has_prefix (json_object_get_string_member (n, "operator"), prefix))
        return n;
    }
  g_assert_not_reached ();
  return NULL;
}

#define JOIN_SQL "SELECT b.id, o.amount FROM big b JOIN orders o ON b.customer = o.customer"

static void
test_json (void)
{
  g_autoptr (GwClient) client = client_with_tables ();
  const char *spellings[] = { "EXPLAIN JSON " JOIN_SQL, "EXPLAIN JSON_EXECUTION_PLAN " JOIN_SQL };

  for (guint s = 0; s < G_N_ELEMENTS (spellings); s++)
    {
      g_autoptr (JsonNode) root = parse_json (explain (client, spellings[s]));
      JsonObject *doc = json_node_get_object (root);
      JsonObject *physical, *big, *orders, *join, *chosen, *rejected;
      JsonArray *alternatives;
      double big_bytes, orders_bytes;

      g_assert_true (json_object_has_member (doc, "logical"));
      g_assert_true (json_object_has_member (doc, "optimized"));
      g_assert_nonnull (strstr (json_object_get_string_member (
                                  json_object_get_object_member (doc, "logical"), "text"),
                                "Join("));
      physical = json_object_get_object_member (doc, "physical");
      g_assert_nonnull (physical);
      /* sources big and orders, the hash join, the projection, the collect sink */
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (physical, "nodes")),
                        ==, 5);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (doc, "nodes")),
                        ==, 5);
      big = find_op (doc, "Source: big");
      orders = find_op (doc, "Source: orders");
      g_assert_cmpfloat (json_object_get_double_member (big, "est_rows"), ==, 100000);
      /* orders.csv is small enough to count: 13 lines, one of them the header */
      g_assert_cmpfloat (json_object_get_double_member (orders, "est_rows"), ==, 12);
      big_bytes = json_object_get_double_member (big, "est_bytes");
      orders_bytes = json_object_get_double_member (orders, "est_bytes");
      g_assert_cmpfloat (orders_bytes, >, 0);
      g_assert_cmpfloat (big_bytes, >, orders_bytes);

      join = json_object_get_object_member (find_op (doc, "HashJoin"), "join");
      g_assert_cmpstr (json_object_get_string_member (join, "strategy"), ==, "broadcast");
      g_assert_cmpstr (json_object_get_string_member (join, "build_side"), ==, "right");
      alternatives = json_object_get_array_member (join, "alternatives");
      g_assert_cmpuint (json_array_get_length (alternatives), ==, 2);
      chosen = json_array_get_object_element (alternatives, 0);
      rejected = json_array_get_object_element (alternatives, 1);
      g_assert_true (json_object_get_boolean_member (chosen, "chosen"));
      g_assert_false (json_object_get_boolean_member (rejected, "chosen"));
      g_assert_cmpstr (json_object_get_string_member (rejected, "strategy"), ==, "repartition");
      g_assert_nonnull (json_object_get_string_member (rejected, "reason"));
      /* repartition moves both sides; broadcast moves orders to every probe subtask */
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (rejected, "cost"),
                                      big_bytes + orders_bytes, 1e-6);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (chosen, "cost"),
                                      orders_bytes * json_object_get_int_member (
                                        find_op (doc, "HashJoin"), "parallelism"), 1e-6);
      g_assert_cmpfloat (json_object_get_double_member (chosen, "cost"), <,
                         json_object_get_double_member (rejected, "cost"));
    }
}

static guint
count_lines_with (const char *text, const char *needle)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i]; i++)
    n += strstr (lines[i], needle) != NULL;
  return n;
}

static void
test_dot (void)
{
  g_autoptr (GwClient) client = client_with_tables ();
  const char *dot = explain (client, "EXPLAIN DOT " JOIN_SQL);
  g_autofree char *dot_bin = g_find_program_in_path ("dot");

  g_assert_true (g_str_has_prefix (dot, "digraph"));
  g_assert_cmpuint (count_lines_with (dot, "[label=\"") - count_lines_with (dot, " -> "), ==, 5);
  g_assert_cmpuint (count_lines_with (dot, " -> "), ==, 4);
  g_assert_nonnull (strstr (dot, "strategy=broadcast"));
  g_assert_nonnull (strstr (dot, "[label=\"BROADCAST\"]"));
  g_assert_nonnull (strstr (dot, "est. rows=100000"));
  if (dot_bin != NULL)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *path = NULL, *out = NULL, *err = NULL;
      int fd = g_file_open_tmp ("strom-explain-XXXXXX.dot", &path, &error);
      int status = -1;
      const char *argv[] = { dot_bin, "-Tsvg", NULL, NULL };

      g_assert_no_error (error);
      close (fd);
      g_assert_true (g_file_set_contents (path, dot, -1, &error));
      argv[2] = path;
      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                   &out, &err, &status, &error));
      g_assert_no_error (error);
      g_remove (path);
      g_assert_true (g_spawn_check_wait_status (status, &error));
      g_assert_no_error (error);
      g_assert_nonnull (strstr (out, "<svg"));
    }
}

/* The line of the operator starting with prefix in the ANALYZE text. */
static char *
analyze_line (const char *text, const char *prefix)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      const char *p = lines[i] + strspn (lines[i], " :+-");

      if (g_str_has_prefix (p, prefix))
        return g_strdup (p);
    }
  g_assert_not_reached ();
  return NULL;
}

static void
test_analyze (void)
{
  g_autoptr (GwClient) client = client_with_tables ();
  const char *text;
  g_autofree char *source = NULL, *calc = NULL, *sink = NULL, *pushed = NULL;

  /* keep the filter in the Calc, so the source reads all 12 rows */
  explain (client, "SET 'table.optimizer.disabled-passes' = 'filter-pushdown'");
  text = explain (client, "EXPLAIN ANALYZE SELECT order_id, amount * qty AS total "
                          "FROM orders WHERE status = 'shipped'");
  source = analyze_line (text, "Source: orders");
  calc = analyze_line (text, "Calc");
  sink = analyze_line (text, "Sink: collect");
  g_assert_nonnull (strstr (source, "actual rows=12,"));
  g_assert_nonnull (strstr (calc, "actual rows=6,"));
  g_assert_nonnull (strstr (sink, "actual rows=6,"));
  g_assert_nonnull (strstr (source, "est. rows="));
  g_assert_nonnull (strstr (source, "busy="));

  /* with the pushdown the source itself drops the other rows */
  explain (client, "RESET 'table.optimizer.disabled-passes'");
  text = explain (client, "EXPLAIN ANALYZE SELECT order_id FROM orders WHERE status = 'shipped'");
  pushed = analyze_line (text, "Source: orders");
  g_assert_nonnull (strstr (pushed, "actual rows=6 (after the pushed-down filter)"));
}

static void
test_analyze_json (void)
{
  g_autoptr (GwClient) client = client_with_tables ();
  g_autoptr (JsonNode) root = NULL;
  JsonObject *doc, *source, *calc;

  explain (client, "SET 'table.optimizer.disabled-passes' = 'filter-pushdown'");
  root = parse_json (explain (client, "EXPLAIN ANALYZE JSON SELECT order_id FROM orders "
                                      "WHERE qty >= 3"));
  doc = json_node_get_object (root);
  source = json_object_get_object_member (find_op (doc, "Source: orders"), "actual");
  calc = json_object_get_object_member (find_op (doc, "Calc"), "actual");
  g_assert_cmpint (json_object_get_int_member (source, "rows"), ==, 12);
  g_assert_cmpint (json_object_get_int_member (calc, "rows_in"), ==, 12);
  g_assert_cmpint (json_object_get_int_member (calc, "rows"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (source, "busy_us"), >=, 0);
  g_assert_true (json_object_has_member (doc, "elapsed_us"));
}

static void
test_analyze_unbounded (void)
{
  g_autoptr (GwClient) client = client_with_tables ();
  g_autoptr (GError) error = NULL;
  GwOperation *op = gw_client_execute (client, "EXPLAIN ANALYZE SELECT id FROM endless", &error);

  g_assert_null (op);
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "unbounded"));
  g_assert_nonnull (strstr (error->message, "'endless'"));
}

/* 200,000 distinct ids (a sequence) grouped under a 4 MiB budget: the aggregate spills,
 * and its output is one row per id; sorted, the sort spills too. */
static void
test_analyze_spill (void)
{
  g_autoptr (GwClient) client = client_with_tables ();
  g_autoptr (JsonNode) root = NULL;
  JsonObject *agg;
  g_autofree char *line = NULL;
  const char *text;

  explain (client, "CREATE TABLE seq (id BIGINT, v DOUBLE) WITH ('connector' = 'datagen', "
                   "'number-of-rows' = '200000', 'rows-per-second' = '1000000000', "
                   "'fields.id.kind' = 'sequence', 'fields.id.start' = '1', "
                   "'fields.id.end' = '200000')");
  explain (client, "SET 'taskmanager.memory.managed.size' = '4mb'");
  text = explain (client, "EXPLAIN ANALYZE SELECT id, SUM(v) AS s FROM seq GROUP BY id");
  line = analyze_line (text, "GroupAggregate");
  g_assert_nonnull (strstr (line, "actual rows=200000,"));
  g_assert_nonnull (strstr (line, "spilled="));
  root = parse_json (explain (client, "EXPLAIN ANALYZE JSON SELECT id, SUM(v) AS s FROM seq "
                                      "GROUP BY id"));
  agg = json_object_get_object_member (find_op (json_node_get_object (root), "GroupAggregate"),
                                       "actual");
  g_assert_cmpint (json_object_get_int_member (agg, "rows"), ==, 200000);
  g_assert_cmpint (json_object_get_int_member (agg, "spilled_bytes"), >, 0);
  /* and an ORDER BY of those rows (about 16 MiB with the sort's row references) */
  g_clear_pointer (&root, json_node_unref);
  root = parse_json (explain (client, "EXPLAIN ANALYZE JSON SELECT id, v FROM seq ORDER BY v"));
  agg = json_object_get_object_member (find_op (json_node_get_object (root), "Sort"), "actual");
  g_assert_cmpint (json_object_get_int_member (agg, "rows"), ==, 200000);
  g_assert_cmpint (json_object_get_int_member (agg, "spilled_bytes"), >, 0);
}

static void
test_text_unchanged (void)
{
  g_autoptr (GwClient) client = client_with_tables ();
  const char *text = explain (client, "EXPLAIN PLAN FOR " JOIN_SQL);

  g_assert_true (g_str_has_prefix (text, "== Abstract Syntax Tree =="));
  g_assert_nonnull (strstr (text, "== Physical Execution Plan =="));
  g_assert_nonnull (strstr (text, "(alternative: repartition"));
}

/* A csv file larger than the optimizer's 64 KiB sample: its rows are estimated from the
 * file size and the sample's mean line length. Every line here is 20 bytes (header
 * included), so the estimate is exact: 10000 rows. */
static void
test_csv_estimate (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GwClient) client = gw_client_new_embedded (&error);
  g_autofree char *dir = g_dir_make_tmp ("strom-est-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "wide.csv", NULL);
  g_autoptr (GString) text = g_string_new ("id_________________\n");
  g_autofree char *ddl = NULL;
  g_autoptr (JsonNode) root = NULL;

  g_assert_no_error (error);
  for (guint i = 0; i < 10000; i++)
    g_string_append_printf (text, "%019u\n", i);
  g_assert_cmpuint (text->len, ==, 20 * 10001);
  g_assert_true (g_file_set_contents (path, text->str, text->len, &error));
  ddl = g_strdup_printf ("CREATE TABLE wide (id BIGINT) WITH ('connector' = 'filesystem', "
                         "'path' = '%s', 'format' = 'csv', 'csv.header' = 'true')", path);
  g_assert_nonnull (gw_client_execute (client, ddl, &error));
  g_assert_no_error (error);
  root = parse_json (explain (client, "EXPLAIN JSON SELECT id FROM wide"));
  g_assert_cmpfloat (json_object_get_double_member (
                       find_op (json_node_get_object (root), "Source: wide"), "est_rows"),
                     ==, 10000);
  g_unlink (path);
  g_rmdir (dir);
}

/* The entry of array member `name` of doc whose string member `key` is `value`. */
static JsonObject *
find_entry (JsonObject *doc, const char *name, const char *key, const char *value)
{
  JsonArray *arr = json_object_get_array_member (doc, name);

  g_assert_nonnull (arr);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonObject *o = json_array_get_object_element (arr, i);

      if (g_strcmp0 (json_object_get_string_member (o, key), value) == 0)
        return o;
    }
  g_assert_not_reached ();
  return NULL;
}

/* The optimizer's reasons as JSON members. orders.csv has 12 data rows and 6 columns (read
 * whole by the file sample, so the estimate is exact); big says 'number-of-rows' = 100000.
 * The grouping by status at parallelism 2: 12 rows can never pay for a local phase; forced
 * to two phases, the global aggregate names its local one. A three-way join before ANALYZE
 * keeps its written order and says so. */
static void
test_json_sections (void)
{
  g_autoptr (GwClient) client = client_with_tables ();
  g_autoptr (JsonNode) before = NULL, after = NULL, agg = NULL, forced = NULL, order = NULL;
  g_autoptr (GError) error = NULL;
  JsonObject *o;

  before = parse_json (explain (client, "EXPLAIN JSON " JOIN_SQL));
  o = find_entry (json_node_get_object (before), "statistics", "table", "orders");
  g_assert_cmpstr (json_object_get_string_member (o, "source"), ==, "file-sample");
  g_assert_cmpfloat (json_object_get_double_member (o, "rows"), ==, 12);
  g_assert_cmpfloat (json_object_get_double_member (o, "file_bytes"), >, 0);
  o = find_entry (json_node_get_object (before), "statistics", "table", "big");
  g_assert_cmpstr (json_object_get_string_member (o, "source"), ==, "connector");
  g_assert_cmpfloat (json_object_get_double_member (o, "rows"), ==, 100000);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_node_get_object (before), "aggregation")), ==, 0);
  order = parse_json (explain (client, "EXPLAIN JSON SELECT b.id FROM big b JOIN orders o ON "
                                       "b.customer = o.customer JOIN orders p ON o.order_id "
                                       "= p.order_id"));
  o = json_array_get_object_element (json_object_get_array_member (
                                       json_node_get_object (order), "join_order"), 0);
  g_assert_cmpstr (json_object_get_string_member (o, "decision"), ==, "as-written");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "reason"),
                                   "no statistics for "));

  g_assert_nonnull (gw_client_execute (client, "ANALYZE TABLE orders", &error));
  g_assert_no_error (error);
  after = parse_json (explain (client, "EXPLAIN JSON " JOIN_SQL));
  o = find_entry (json_node_get_object (after), "statistics", "table", "orders");
  g_assert_cmpstr (json_object_get_string_member (o, "source"), ==, "analyze");
  g_assert_cmpfloat (json_object_get_double_member (o, "rows"), ==, 12);
  g_assert_cmpint (json_object_get_int_member (o, "columns_analyzed"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (o, "columns"), ==, 6);
  g_assert_false (json_object_get_boolean_member (o, "stale"));

  g_assert_nonnull (gw_client_execute (client, "SET 'parallelism.default' = '2'", &error));
  g_assert_no_error (error);
  agg = parse_json (explain (client, "EXPLAIN JSON SELECT status, COUNT(*) FROM orders "
                                     "GROUP BY status"));
  o = json_array_get_object_element (json_object_get_array_member (
                                       json_node_get_object (agg), "aggregation"), 0);
  g_assert_cmpstr (json_object_get_string_member (o, "phases"), ==, "one-phase");
  g_assert_false (json_object_get_boolean_member (o, "forced"));
  g_assert_false (json_object_has_member (o, "local_node"));
  g_assert_nonnull (gw_client_execute (client, "SET 'table.optimizer.agg-phase-strategy' = "
                                       "'TWO_PHASE'", &error));
  g_assert_no_error (error);
  forced = parse_json (explain (client, "EXPLAIN JSON SELECT status, COUNT(*) FROM orders "
                                        "GROUP BY status"));
  o = json_array_get_object_element (json_object_get_array_member (
                                       json_node_get_object (forced), "aggregation"), 0);
  g_assert_cmpstr (json_object_get_string_member (o, "phases"), ==, "two-phase");
  g_assert_true (json_object_get_boolean_member (o, "forced"));
  g_assert_cmpint (json_object_get_int_member (o, "local_node"), !=,
                   json_object_get_int_member (o, "node"));

}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/integration/explain/json", test_json);
  g_test_add_func ("/integration/explain/json-sections", test_json_sections);
  g_test_add_func ("/integration/explain/dot", test_dot);
  g_test_add_func ("/integration/explain/analyze", test_analyze);
  g_test_add_func ("/integration/explain/analyze-json", test_analyze_json);
  g_test_add_func ("/integration/explain/analyze-unbounded", test_analyze_unbounded);
  g_test_add_func ("/integration/explain/analyze-spill", test_analyze_spill);
  g_test_add_func ("/integration/explain/text-unchanged", test_text_unchanged);
  g_test_add_func ("/integration/explain/csv-estimate", test_csv_estimate);
  return g_test_run ();
}
