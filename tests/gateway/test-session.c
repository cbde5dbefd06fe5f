/* test-session.c: the embedded session end to end: DDL, queries whose rows are fetched in
 * pages or as columnar batches, job status, cancellation of an unbounded query, a failing job's error, metrics,
 * and backpressure from a client that does not fetch. Expected rows worked out by hand
 * from share/examples/data/orders.csv. */
#include "runtime/gateway/gw-client.h"

#include <json-glib/json-glib.h>
#include <string.h>

static char *
orders_ddl (const char *name, const char *file, const char *extra)
{
  return g_strdup_printf (
    "CREATE TABLE %s (order_id INT, customer VARCHAR, amount DECIMAL(10, 2), qty INT, "
    "ordered_at TIMESTAMP(3), status VARCHAR) WITH ('connector' = 'filesystem', "
    "'path' = '%s/share/examples/data/%s', 'format' = 'csv', 'csv.header' = 'true'%s)",
    name, g_getenv ("STROM_SOURCE_ROOT"), file, extra);
}

static GwClient *
client_with_orders (void)
{
  g_autoptr (GError) error = NULL;
  GwClient *c = gw_client_new_embedded (&error);
  g_autofree char *ddl = orders_ddl ("orders", "orders.csv", "");
  GwOperation *op;

  g_assert_no_error (error);
  op = gw_client_execute (c, ddl, &error);
  g_assert_no_error (error);
  g_assert_nonnull (op);
  g_assert_null (gw_operation_get_schema (op));
  g_assert_nonnull (strstr (gw_operation_get_message (op), "orders"));
  return c;
}

/* Fetches every row (pages of `page` rows) and renders each as "v1|v2|..." */
static GPtrArray *
fetch_all (GwOperation *op, guint page_size, GError **error)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);

  for (;;)
    {
      g_autoptr (GwPage) page = gw_operation_fetch (op, page_size, 5 * G_USEC_PER_SEC, error);

      if (page == NULL)
        {
          g_ptr_array_unref (rows);
          return NULL;
        }
      g_assert_cmpuint (page->rows->len, <=, page_size);
      for (guint i = 0; i < page->rows->len; i++)
        {
          GwRow *row = page->rows->pdata[i];
          GString *s = g_string_new (NULL);
          for (guint c = 0; c < row->n_values; c++)
            {
              g_autofree char *v = plan_value_to_string (&row->values[c], FALSE);
              g_string_append_printf (s, "%s%s", c ? "|" : "", v);
            }
          g_ptr_array_add (rows, g_string_free (s, FALSE));
        }
      if (page->end)
        return rows;
    }
}

/* Fetches every remaining row as batches (gw_operation_fetch_batch), rendered as
 * fetch_all renders them; NULL with error when the job failed. */
static GPtrArray *
fetch_all_batches (GwOperation *op, GError **error)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);
  gboolean end = FALSE;

  while (!end)
    {
      g_autoptr (RtBatch) b = gw_operation_fetch_batch (op, 5 * G_USEC_PER_SEC, &end, error);

      if (error != NULL && *error != NULL)
        {
          g_ptr_array_unref (rows);
          return NULL;
        }
      g_assert_true (b != NULL || end); /* five seconds are plenty for these files */
      for (guint r = 0; b != NULL && r < b->n_rows; r++)
        {
          GString *s = g_string_new (NULL);

          g_assert_cmpint (b->kinds[r], ==, RT_ROW_INSERT);
          for (guint c = 0; c < b->n_cols; c++)
            {
              PlanValue v;
              g_autofree char *text = NULL;

              rt_batch_get_value (b, c, r, &v);
              text = plan_value_to_string (&v, FALSE);
              plan_value_clear (&v);
              g_string_append_printf (s, "%s%s", c ? "|" : "", text);
            }
          g_ptr_array_add (rows, g_string_free (s, FALSE));
        }
    }
  return rows;
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
test_query_pages (void)
{
  g_autoptr (GwClient) c = client_with_orders ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  GwOperation *op;
  /* shipped orders: 1, 3, 5, 8, 9, 11; total = amount * qty (NULL qty -> NULL) */
  /* sorted bytewise: "11|" sorts before "1|A" since '1' < '|' */
  const char *want[] = { "11|IVAN|NULL", "1|ALICE|19.99", "3|CAROL|241.00", "5|ALICE|168.00",
                         "8|BOB|31.50", "9|GRACE|266.40" };

  op = gw_client_execute (c, "SELECT order_id, UPPER(customer) AS who, amount * qty AS total "
                             "FROM orders WHERE status = 'shipped'", &error);
  g_assert_no_error (error);
  g_assert_nonnull (op);
  g_assert_nonnull (gw_operation_get_job_id (op));
  g_assert_cmpuint (gw_operation_get_schema (op)->n_fields, ==, 3);
  g_assert_cmpstr (gw_operation_get_schema (op)->fields[1].name, ==, "who");
  rows = fetch_all (op, 2, &error);
  g_assert_no_error (error);
  g_ptr_array_sort (rows, cmp_str);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpstr (rows->pdata[i], ==, want[i]);
  g_assert_cmpint (gw_operation_wait (op), ==, GW_STATUS_FINISHED);
}

/* The same query fetched as batches, after one row fetched as a row (the rest of that
 * batch then comes as a copy); an immediate result set (SHOW TABLES) as a batch made from
 * its rows; a failing job's error through the batch path too. */
static void
test_fetch_batches (void)
{
  g_autoptr (GwClient) c = client_with_orders ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree char *bad = orders_ddl ("bad", "bad_orders.csv", "");
  const char *want[] = { "11|IVAN|NULL", "1|ALICE|19.99", "3|CAROL|241.00", "5|ALICE|168.00",
                         "8|BOB|31.50", "9|GRACE|266.40" };
  GwOperation *op;
  GwPage *first;

  op = gw_client_execute (c, "SELECT order_id, UPPER(customer) AS who, amount * qty AS total "
                             "FROM orders WHERE status = 'shipped'", &error);
  g_assert_no_error (error);
  first = gw_operation_fetch (op, 1, 5 * G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->rows->len, ==, 1);
  rows = fetch_all_batches (op, &error);
  g_assert_no_error (error);
  {
    GwRow *row = first->rows->pdata[0];
    GString *s = g_string_new (NULL);

    for (guint i = 0; i < row->n_values; i++)
      {
        g_autofree char *v = plan_value_to_string (&row->values[i], FALSE);
        g_string_append_printf (s, "%s%s", i ? "|" : "", v);
      }
    g_ptr_array_add (rows, g_string_free (s, FALSE));
  }
  gw_page_free (first);
  g_ptr_array_sort (rows, cmp_str);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpstr (rows->pdata[i], ==, want[i]);
  g_clear_pointer (&rows, g_ptr_array_unref);

  op = gw_client_execute (c, "SHOW TABLES", &error);
  g_assert_no_error (error);
  rows = fetch_all_batches (op, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (rows->pdata[0], ==, "orders");
  g_clear_pointer (&rows, g_ptr_array_unref);

  gw_client_execute (c, bad, &error);
  g_assert_no_error (error);
  op = gw_client_execute (c, "SELECT * FROM bad", &error);
  g_assert_no_error (error);
  rows = fetch_all_batches (op, &error);
  g_assert_null (rows);
  g_assert_error (error, GW_ERROR, GW_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "bad_orders.csv:3:12"));
}

static void
test_ddl_and_show (void)
{
  g_autoptr (GwClient) c = client_with_orders ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  GwOperation *op;

  op = gw_client_execute (c, "CREATE VIEW big AS SELECT order_id FROM orders WHERE amount > 100",
                          &error);
  g_assert_no_error (error);
  op = gw_client_execute (c, "SHOW TABLES", &error);
  g_assert_no_error (error);
  rows = fetch_all (op, 10, &error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (rows->pdata[0], ==, "orders");
  g_clear_pointer (&rows, g_ptr_array_unref);
  op = gw_client_execute (c, "SELECT * FROM big", &error);
  g_assert_no_error (error);
  rows = fetch_all (op, 100, &error);
  g_ptr_array_sort (rows, cmp_str);
  g_assert_cmpuint (rows->len, ==, 3); /* 120.50, 300.00, 150.00 */
  g_assert_cmpstr (rows->pdata[0], ==, "11");
  g_assert_cmpstr (rows->pdata[1], ==, "3");
  g_assert_cmpstr (rows->pdata[2], ==, "7");
  g_clear_pointer (&rows, g_ptr_array_unref);
  op = gw_client_execute (c, "DESCRIBE orders", &error);
  g_assert_no_error (error);
  rows = fetch_all (op, 100, &error);
  g_assert_cmpuint (rows->len, ==, 6);
  g_assert_true (g_str_has_prefix (rows->pdata[2], "amount|DECIMAL(10, 2)|TRUE"));
  g_clear_pointer (&rows, g_ptr_array_unref);
  /* an error names the place */
  op = gw_client_execute (c, "SELECT nope FROM orders", &error);
  g_assert_null (op);
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_BIND);
  g_assert_true (g_str_has_prefix (error->message, "1:8: "));
  g_clear_error (&error);
  op = gw_client_execute (c, "SET 'no.such.key' = '1'", &error);
  g_assert_null (op);
  g_assert_nonnull (error);
}

static void
test_cancel_unbounded (void)
{
  g_autoptr (GwClient) c = gw_client_new_embedded (NULL);
  g_autoptr (GError) error = NULL;
  GwOperation *op;

  gw_client_execute (c, "CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', "
                        "'fields.id.kind' = 'sequence', 'fields.id.start' = '1', "
                        "'fields.id.end' = '9223372036854775806', 'rows-per-second' = '1000')",
                     &error);
  g_assert_no_error (error);
  op = gw_client_execute (c, "SELECT id FROM gen", &error);
  g_assert_no_error (error);
  {
    g_autoptr (GwPage) page = gw_operation_fetch (op, 10, 10 * G_USEC_PER_SEC, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (page->rows->len, >, 0);
    g_assert_false (page->end);
  }
  g_assert_cmpint (gw_operation_get_status (op), ==, GW_STATUS_RUNNING);
  gw_operation_cancel (op);
  g_assert_cmpint (gw_operation_wait (op), ==, GW_STATUS_CANCELLED);
}

static void
test_limit_stops_unbounded (void)
{
  g_autoptr (GwClient) c = gw_client_new_embedded (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  GwOperation *op;

  gw_client_execute (c, "CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', "
                        "'fields.id.kind' = 'random', 'rows-per-second' = '100000')", &error);
  g_assert_no_error (error);
  op = gw_client_execute (c, "SELECT id FROM gen LIMIT 7", &error);
  g_assert_no_error (error);
  rows = fetch_all (op, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 7);
  g_assert_cmpint (gw_operation_wait (op), ==, GW_STATUS_FINISHED);
}

static void
test_failure_reported (void)
{
  g_autoptr (GwClient) c = gw_client_new_embedded (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *ddl = orders_ddl ("bad", "bad_orders.csv", "");
  GwOperation *op;
  GPtrArray *rows;

  gw_client_execute (c, ddl, &error);
  g_assert_no_error (error);
  op = gw_client_execute (c, "SELECT * FROM bad", &error);
  g_assert_no_error (error);
  rows = fetch_all (op, 100, &error);
  g_assert_null (rows);
  g_assert_error (error, GW_ERROR, GW_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "bad_orders.csv:3:12"));
  g_assert_nonnull (strstr (error->message, "three"));
  g_assert_cmpint (gw_operation_get_status (op), ==, GW_STATUS_FAILED);
}

/* A client that never fetches stalls the sources: rows read stay below what the result
 * queue, the channels and the writers can hold, whatever the machine's speed. */
static void
test_backpressure_bounds_reads (void)
{
  g_autoptr (GwClient) c = gw_client_new_embedded (NULL);
  g_autoptr (GError) error = NULL;
  GwOperation *op;
  guint64 read;

  gw_client_execute (c, "SET 'parallelism.default' = '2'", &error);
  g_assert_no_error (error);
  gw_client_execute (c, "CREATE TABLE gen (id BIGINT, x DOUBLE) WITH ('connector' = 'datagen', "
                        "'rows-per-second' = '1000000000')", &error);
  g_assert_no_error (error);
  op = gw_client_execute (c, "SELECT id, x * 2 FROM gen", &error);
  g_assert_no_error (error);
  g_usleep (300 * 1000); /* let it run into the full queue; the bound holds at any time */
  read = gw_operation_get_rows_read (op);
  /* 2 sources x (8 credits + 2 pending) + 64 queued (2 MiB of 32 KiB batches: the queue's
   * bound for the default 128 MB budget) + 2 in hand, 1024 rows each */
  g_assert_cmpuint (read, <=, 86u * 1024u);
  g_assert_cmpint (gw_operation_get_status (op), ==, GW_STATUS_RUNNING);
  {
    g_autofree char *json = gw_operation_dup_metrics_json (op);
    g_autoptr (JsonParser) p = json_parser_new ();
    JsonObject *root;
    JsonArray *tasks;

    g_assert_true (json_parser_load_from_data (p, json, -1, NULL));
    root = json_node_get_object (json_parser_get_root (p));
    g_assert_cmpstr (json_object_get_string_member (root, "status"), ==, "RUNNING");
    tasks = json_object_get_array_member (root, "tasks");
    g_assert_cmpuint (json_array_get_length (tasks), ==, 3); /* 2 sources + the collect */
    /* every task is stuck waiting for credit (the sources) or for the client (the collect
     * sink) right now, and that wait in progress counts as backpressured time */
    for (guint i = 0; i < json_array_get_length (tasks); i++)
      g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (tasks, i),
                                                        "backpressured_ms_per_s"), >, 0.0);
  }
  gw_operation_cancel (op);
  g_assert_cmpint (gw_operation_wait (op), ==, GW_STATUS_CANCELLED);
}

/* Latency markers: with metrics.latency.interval set, every operator downstream of the
 * source reports latency percentiles; busy/idle/backpressured add up to about a second
 * per second per task. */
static void
test_latency_markers (void)
{
  g_autoptr (GwClient) c = gw_client_new_embedded (NULL);
  g_autoptr (GError) error = NULL;
  GwOperation *op;
  double p99 = -1;

  gw_client_execute (c, "SET 'metrics.latency.interval' = '5 ms'", &error);
  g_assert_no_error (error);
  gw_client_execute (c, "SET 'parallelism.default' = '2'", &error);
  g_assert_no_error (error);
  gw_client_execute (c, "CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', "
                        "'rows-per-second' = '20000')", &error);
  g_assert_no_error (error);
  op = gw_client_execute (c, "SELECT id + 1 FROM gen", &error);
  g_assert_no_error (error);
  /* fetch until the collect sink has seen markers (bounded: 200 pages of <= 100 ms) */
  for (int i = 0; i < 200 && p99 < 0; i++)
    {
      g_autoptr (GwPage) page = gw_operation_fetch (op, 100000, 100 * 1000, &error);
      g_autofree char *json = gw_operation_dup_metrics_json (op);
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonArray *ops;

      g_assert_no_error (error);
      g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
      ops = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "operators");
      for (guint k = 0; k < json_array_get_length (ops); k++)
        {
          JsonObject *o = json_array_get_object_element (ops, k);
          if (g_str_has_prefix (json_object_get_string_member (o, "name"), "Sink: collect"))
            p99 = json_object_get_double_member (o, "latency_p99_ms");
        }
    }
  g_assert_cmpfloat (p99, >=, 0.0);
  g_assert_cmpfloat (p99, <, 10000.0);
  gw_operation_cancel (op);
  g_assert_cmpint (gw_operation_wait (op), ==, GW_STATUS_CANCELLED);
}

/* A checkpoint interval with a bounded INSERT under 'automatic': the job runs in batch mode
 * and takes no checkpoints (as in Flink), and the submit message says so and what to do.
 * Streaming mode, or no interval, adds nothing. */
/* Runs sql (an INSERT) to the end; returns its submit message. */
static char *
insert_message (GwClient *c, const char *sql)
{
  g_autoptr (GError) error = NULL;
  GwOperation *op = gw_client_execute (c, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (gw_operation_wait (op), ==, GW_STATUS_FINISHED);
  return g_strdup (gw_operation_get_message (op));
}

static void
test_batch_ignores_checkpoints (void)
{
  g_autoptr (GwClient) c = client_with_orders ();
  g_autoptr (GError) error = NULL;
  const char *insert = "INSERT INTO sink SELECT order_id FROM orders";
  g_autofree char *plain = NULL, *batch = NULL, *streaming = NULL;

  gw_client_execute (c, "CREATE TABLE sink (id INT) WITH ('connector' = 'blackhole')", &error);
  g_assert_no_error (error);
  plain = insert_message (c, insert); /* no interval: no notice */
  g_assert_null (strstr (plain, "checkpoint"));
  gw_client_execute (c, "SET 'execution.checkpointing.interval' = '1 s'", &error);
  g_assert_no_error (error);
  batch = insert_message (c, insert);
  g_assert_nonnull (strstr (batch, "batch mode"));
  g_assert_nonnull (strstr (batch, "no checkpoints"));
  g_assert_nonnull (strstr (batch, "SET 'execution.runtime-mode' = 'streaming'"));
  gw_client_execute (c, "SET 'execution.runtime-mode' = 'streaming'", &error);
  g_assert_no_error (error);
  streaming = insert_message (c, insert);
  g_assert_null (strstr (streaming, "checkpoint"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gateway/session/query-pages", test_query_pages);
  g_test_add_func ("/gateway/session/fetch-batches", test_fetch_batches);
  g_test_add_func ("/gateway/session/ddl-and-show", test_ddl_and_show);
  g_test_add_func ("/gateway/session/cancel-unbounded", test_cancel_unbounded);
  g_test_add_func ("/gateway/session/limit-stops-unbounded", test_limit_stops_unbounded);
  g_test_add_func ("/gateway/session/failure-reported", test_failure_reported);
  g_test_add_func ("/gateway/session/backpressure-bounds-reads", test_backpressure_bounds_reads);
  g_test_add_func ("/gateway/session/latency-markers", test_latency_markers);
  g_test_add_func ("/gateway/session/batch-ignores-checkpoints",
                   test_batch_ignores_checkpoints);
  return g_test_run ();
}
