/* test-oracle.c: GROUP BY results checked against SQLite. Each query runs through the
 * embedded gateway (gw_client_*); its changelog is applied (+I/+U add a row, -U/-D take
 * one away) to get the final table, which must equal, as a sorted multiset of rows,
 * SQLite's answer to the same query over the same rows. The rows reach SQLite by reading
 * the table back through strom with a plain SELECT * (no aggregation involved), so both
 * sides see exactly the same values; DECIMAL values travel as their scaled integers
 * (cents), which SQLite sums and compares exactly.
 *
 * Data: share/examples/data/orders.csv, and a generated CSV (fixed seed) in a temporary
 * directory with a few thousand rows, NULLs included, run at parallelism 1 and 3 so the
 * hash exchange and several aggregate subtasks are exercised. A query over an aggregate
 * (GROUP BY of a GROUP BY result) checks that retractions flow through a second aggregate. */
#include "runtime/gateway/gw-client.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

static gint
cmp_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* One value as text: NULL, integers (DECIMAL as its scaled integer), doubles, strings. */
static char *
value_text (const PlanValue *v)
{
  if (v->is_null)
    return g_strdup ("NULL");
  switch (v->type.kind)
    {
    case PLAN_TYPE_VARCHAR:
      return g_strdup_printf ("'%s'", v->v.s);
    case PLAN_TYPE_DOUBLE:
      return g_strdup_printf ("%.6f", v->v.d);
    case PLAN_TYPE_BOOLEAN:
      return g_strdup (v->v.b ? "1" : "0");
    case PLAN_TYPE_NULL: case PLAN_TYPE_INT: case PLAN_TYPE_BIGINT: case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_DATE: case PLAN_TYPE_TIMESTAMP: case PLAN_TYPE_INTERVAL:
    default:
      return g_strdup_printf ("%" G_GINT64_FORMAT, v->v.i);
    }
}

static char *
row_text (const GwRow *row)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < row->n_values; i++)
    {
      g_autofree char *t = value_text (&row->values[i]);
      g_string_append_printf (s, "%s%s", i ? "|" : "", t);
    }
  return g_string_free (s, FALSE);
}

static void
run_ok (GwClient *client, const char *sql)
{
  g_autoptr (GError) error = NULL;
  GwOperation *op = gw_client_execute (client, sql, &error);

  g_assert_no_error (error);
  g_assert_nonnull (op);
}

/* All rows of a query (changelog applied), sorted. */
static GPtrArray *
strom_rows (GwClient *client, const char *sql, GPtrArray *raw_rows)
{
  g_autoptr (GError) error = NULL;
  GwOperation *op = gw_client_execute (client, sql, &error);
  g_autoptr (GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
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
          char *text = row_text (row);
          gint64 n = GPOINTER_TO_SIZE (g_hash_table_lookup (counts, text));
          gboolean add = row->kind == RT_ROW_INSERT || row->kind == RT_ROW_UPDATE_AFTER;

          if (raw_rows != NULL)
            g_ptr_array_add (raw_rows, row);
          if (raw_rows != NULL)
            page->rows->pdata[i] = NULL; /* moved */
          g_assert_true (add || n > 0); /* never retract a row that is not there */
          g_hash_table_replace (counts, text, GSIZE_TO_POINTER ((gsize) (n + (add ? 1 : -1))));
        }
    }
  {
    GHashTableIter it;
    gpointer key, value;

    g_hash_table_iter_init (&it, counts);
    while (g_hash_table_iter_next (&it, &key, &value))
      for (gsize k = 0; k < GPOINTER_TO_SIZE (value); k++)
        g_ptr_array_add (out, g_strdup (key));
  }
  g_ptr_array_sort (out, cmp_strings);
  return out;
}

/* The rows of sql in SQLite's order, one "a|b|c" text line each (NULL, 'text', %.6f
 * floats, integers). */
static GPtrArray *
sqlite_rows_in_order (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *st = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  int rc;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      GString *s = g_string_new (NULL);

      for (int c = 0; c < sqlite3_column_count (st); c++)
        {
          int type = sqlite3_column_type (st, c);

          g_string_append (s, c ? "|" : "");
          if (type == SQLITE_NULL)
            g_string_append (s, "NULL");
          else if (type == SQLITE_TEXT)
            g_string_append_printf (s, "'%s'", sqlite3_column_text (st, c));
          else if (type == SQLITE_FLOAT)
            g_string_append_printf (s, "%.6f", sqlite3_column_double (st, c));
          else
            g_string_append_printf (s, "%lld", (long long) sqlite3_column_int64 (st, c));
        }
      g_ptr_array_add (out, g_string_free (s, FALSE));
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (st);
  return out;
}

/* The rows of sql as sqlite_rows_in_order gives them, sorted for an unordered comparison. */
static GPtrArray *
sqlite_rows (sqlite3 *db, const char *sql)
{
  GPtrArray *out = sqlite_rows_in_order (db, sql);

  g_ptr_array_sort (out, cmp_strings);
  return out;
}

/* Copies every row of strom's `table` into SQLite's table of the same name. */
static void
load_sqlite (GwClient *client, sqlite3 *db, const char *table, const char *ddl)
{
  g_autofree char *select = g_strdup_printf ("SELECT * FROM %s", table);
  g_autoptr (GPtrArray) raw = g_ptr_array_new_with_free_func ((GDestroyNotify) gw_row_free);
  g_autoptr (GPtrArray) ignored = strom_rows (client, select, raw);
  g_autofree char *insert = NULL;
  GString *marks = g_string_new (NULL);
  sqlite3_stmt *st = NULL;

  g_assert_cmpint (sqlite3_exec (db, ddl, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpuint (raw->len, >, 0);
  for (guint c = 0; c < ((GwRow *) raw->pdata[0])->n_values; c++)
    g_string_append (marks, c ? ", ?" : "?");
  insert = g_strdup_printf ("INSERT INTO %s VALUES (%s)", table, marks->str);
  g_string_free (marks, TRUE);
  g_assert_cmpint (sqlite3_prepare_v2 (db, insert, -1, &st, NULL), ==, SQLITE_OK);
  for (guint r = 0; r < raw->len; r++)
    {
      const GwRow *row = raw->pdata[r];

      for (guint c = 0; c < row->n_values; c++)
        {
          const PlanValue *v = &row->values[c];

          if (v->is_null)
            sqlite3_bind_null (st, (int) c + 1);
          else if (v->type.kind == PLAN_TYPE_VARCHAR)
            sqlite3_bind_text (st, (int) c + 1, v->v.s, -1, SQLITE_TRANSIENT);
          else if (v->type.kind == PLAN_TYPE_DOUBLE)
            sqlite3_bind_double (st, (int) c + 1, v->v.d);
          else
            sqlite3_bind_int64 (st, (int) c + 1, v->v.i);
        }
      g_assert_cmpint (sqlite3_step (st), ==, SQLITE_DONE);
      sqlite3_reset (st);
    }
  sqlite3_finalize (st);
}

typedef struct {
  const char *strom;
  const char *sqlite; /* NULL: the same text */
} Query;

static void
compare (GwClient *client, sqlite3 *db, const Query *q)
{
  g_autoptr (GPtrArray) got = strom_rows (client, q->strom, NULL);
  g_autoptr (GPtrArray) want = sqlite_rows (db, q->sqlite ? q->sqlite : q->strom);

  g_test_message ("query: %s", q->strom);
  g_assert_cmpuint (want->len, >, 0);
  for (guint i = 0; i < MIN (got->len, want->len); i++)
    g_assert_cmpstr (got->pdata[i], ==, want->pdata[i]);
  g_assert_cmpuint (got->len, ==, want->len);
}

/* Integer AVG as Flink computes it (truncating); SQLite's integer division truncates too. */
#define SQLITE_AVG(x) "SUM(" x ") / COUNT(" x ")"

static const Query orders_queries[] = {
  { "SELECT customer, COUNT(*), SUM(qty), MAX(amount), MIN(amount) FROM orders "
    "GROUP BY customer" },
  { "SELECT status, COUNT(DISTINCT customer), COUNT(amount) FROM orders GROUP BY status" },
  { "SELECT customer, AVG(qty) FROM orders GROUP BY customer",
    "SELECT customer, " SQLITE_AVG ("qty") " FROM orders GROUP BY customer" },
  { "SELECT COUNT(*), SUM(amount) FILTER (WHERE status = 'shipped') FROM orders" },
};

static void
test_orders (void)
{
  g_autoptr (GwClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *ddl = NULL;
  sqlite3 *db = NULL;

  client = gw_client_new_embedded (&error);
  g_assert_no_error (error);
  ddl = g_strdup_printf (
    "CREATE TABLE orders (order_id INT, customer VARCHAR, amount DECIMAL(10, 2), qty INT, "
    "ordered_at TIMESTAMP(3), status VARCHAR) WITH ('connector' = 'filesystem', "
    "'path' = '%s/share/examples/data/orders.csv', 'format' = 'csv', 'csv.header' = 'true')",
    g_getenv ("STROM_SOURCE_ROOT"));
  run_ok (client, ddl);
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  load_sqlite (client, db, "orders", "CREATE TABLE orders (order_id INTEGER, customer TEXT, "
               "amount INTEGER, qty INTEGER, ordered_at INTEGER, status TEXT)");
  for (guint p = 1; p <= 2; p++)
    {
      g_autofree char *set = g_strdup_printf ("SET 'parallelism.default' = '%u'", p);
      run_ok (client, set);
      for (guint i = 0; i < G_N_ELEMENTS (orders_queries); i++)
        compare (client, db, &orders_queries[i]);
    }
  sqlite3_close (db);
}

/* rows of: id, g (one of 37 names), k (0..6), v (0..99 or NULL), amt (cents, or NULL) */
static char *
write_generated (const char *dir, guint n_rows)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20240301);
  g_autoptr (GString) text = g_string_new ("id,g,k,v,amt\n");
  char *path = g_build_filename (dir, "gen.csv", NULL);
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < n_rows; i++)
    {
      gint32 v = g_rand_int_range (rand, 0, 100), amt = g_rand_int_range (rand, 0, 100000);
      gboolean v_null = g_rand_int_range (rand, 0, 20) == 0;
      gboolean amt_null = g_rand_int_range (rand, 0, 25) == 0;

      g_string_append_printf (text, "%u,name%02d,%d,", i, g_rand_int_range (rand, 0, 37),
                              g_rand_int_range (rand, 0, 7));
      if (!v_null)
        g_string_append_printf (text, "%d", v);
      g_string_append_c (text, ',');
      if (!amt_null)
        g_string_append_printf (text, "%d.%02d", amt / 100, amt % 100);
      g_string_append_c (text, '\n');
    }
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, &error));
  g_assert_no_error (error);
  return path;
}

static const Query generated_queries[] = {
  { "SELECT g, COUNT(*), SUM(v), MIN(v), MAX(v), COUNT(v), COUNT(DISTINCT k) FROM gen "
    "GROUP BY g" },
  { "SELECT g, k, SUM(amt), MAX(amt), COUNT(amt) FROM gen GROUP BY g, k" },
  { "SELECT k, COUNT(*) FILTER (WHERE v > 50), AVG(v) FROM gen GROUP BY k "
    "HAVING COUNT(*) > 10",
    "SELECT k, COUNT(*) FILTER (WHERE v > 50), " SQLITE_AVG ("v") " FROM gen GROUP BY k "
    "HAVING COUNT(*) > 10" },
  { "SELECT COUNT(*), SUM(v), MIN(g), MAX(g), SUM(amt) FROM gen" },
  { "SELECT DISTINCT g, k FROM gen WHERE v > 90" },
  { "SELECT k + 1, COUNT(*) FROM gen WHERE amt > 500 GROUP BY k + 1",
    "SELECT k + 1, COUNT(*) FROM gen WHERE amt > 50000 GROUP BY k + 1" }, /* cents */
  /* a GROUP BY over a GROUP BY: the inner one's -U/+U rows retract from the outer one */
  { "SELECT n, COUNT(*) FROM (SELECT g, COUNT(*) AS n FROM gen GROUP BY g) GROUP BY n" },
  { "SELECT g, COUNT(*) FROM gen GROUP BY g HAVING MIN(v) > 0 AND MAX(v) < 99" },
};

/* The generated table (4,000 rows) as `gen` in a new embedded client, where set_sql is run
 * next, and in a new in-memory SQLite database (returned); the caller closes the database
 * and removes path and dir. */
static sqlite3 *
open_generated (const char *set_sql, GwClient **client, char **dir, char **path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *ddl = NULL;
  sqlite3 *db = NULL;

  *dir = g_dir_make_tmp ("strom-oracle-XXXXXX", &error);
  g_assert_no_error (error);
  *path = write_generated (*dir, 4000);
  *client = gw_client_new_embedded (&error);
  g_assert_no_error (error);
  ddl = g_strdup_printf ("CREATE TABLE gen (id INT, g VARCHAR, k INT, v INT, "
                         "amt DECIMAL(10, 2)) WITH ('connector' = 'filesystem', "
                         "'path' = '%s', 'format' = 'csv', 'csv.header' = 'true')", *path);
  run_ok (*client, ddl);
  run_ok (*client, set_sql);
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  load_sqlite (*client, db, "gen", "CREATE TABLE gen (id INTEGER, g TEXT, k INTEGER, "
               "v INTEGER, amt INTEGER)");
  return db;
}

static void
test_generated (void)
{
  g_autoptr (GwClient) client = NULL;
  g_autofree char *dir = NULL, *path = NULL;
  /* a small batch size: many batches, many updates */
  sqlite3 *db = open_generated ("SET 'execution.batch-size' = '64'", &client, &dir, &path);

  for (guint p = 1; p <= 3; p += 2)
    {
      g_autofree char *set = g_strdup_printf ("SET 'parallelism.default' = '%u'", p);
      run_ok (client, set);
      for (guint i = 0; i < G_N_ELEMENTS (generated_queries); i++)
        compare (client, db, &generated_queries[i]);
    }
  sqlite3_close (db);
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* added by joins: joins of orders.csv with customers.csv (some customers without orders,
 * some orders without a customer, an empty city), and self-joins of the generated table;
 * streaming (changelog applied) and batch mode, parallelism 1 and 3. */
static const Query join_queries[] = {
  { "SELECT o.order_id, c.city FROM orders o JOIN customers c ON o.customer = c.customer" },
  { "SELECT o.order_id, o.qty, c.customer, c.tier FROM orders o LEFT JOIN customers c "
    "ON o.customer = c.customer AND o.qty > 1" },
  { "SELECT o.order_id, c.customer FROM orders o RIGHT OUTER JOIN customers c "
    "ON o.customer = c.customer AND c.tier = 'gold'" },
  { "SELECT o.order_id, o.status, c.customer, c.city FROM orders o FULL OUTER JOIN customers c "
    "ON o.customer = c.customer AND o.qty > 1" },
  { "SELECT customer, order_id, tier FROM orders JOIN customers USING (customer)" },
  { "SELECT customer, order_id, city FROM orders FULL JOIN customers USING (customer)" },
  { "SELECT o.order_id, c.tier FROM orders o, customers c "
    "WHERE o.customer = c.customer AND c.tier <> 'gold' AND o.amount > 10",
    "SELECT o.order_id, c.tier FROM orders o, customers c "
    "WHERE o.customer = c.customer AND c.tier <> 'gold' AND o.amount > 1000" }, /* cents */
  { "SELECT o.order_id, c.customer FROM orders o JOIN customers c "
    "ON o.customer < c.customer AND o.order_id > 9" },
  { "SELECT o.order_id, c.city FROM orders o LEFT JOIN customers c ON c.city IS NULL" },
  /* WHERE filters that NULL-filled rows fail (the outer join becomes inner / LEFT), and
   * one they pass (it stays outer) */
  { "SELECT o.order_id, c.city FROM orders o LEFT JOIN customers c "
    "ON o.customer = c.customer WHERE c.tier = 'gold'" },
  { "SELECT o.order_id, c.customer FROM orders o FULL JOIN customers c "
    "ON o.customer = c.customer WHERE o.qty > 1" },
  { "SELECT o.order_id, c.customer FROM orders o FULL JOIN customers c "
    "ON o.customer = c.customer WHERE c.city IS NULL OR o.qty IS NULL" },
  /* changelog input: the GROUP BY's -U/+U rows retract joined rows */
  { "SELECT c.customer, c.city, t.n FROM customers c LEFT JOIN "
    "(SELECT customer, COUNT(*) AS n FROM orders GROUP BY customer) AS t "
    "ON c.customer = t.customer" },
  /* a GROUP BY over an outer join's retractions */
  { "SELECT c.city, COUNT(*), SUM(o.qty) FROM orders o LEFT JOIN customers c "
    "ON o.customer = c.customer GROUP BY c.city" },
  { "SELECT a.order_id, b.order_id, c.city FROM orders a JOIN orders b ON a.customer = "
    "b.customer AND a.order_id < b.order_id JOIN customers c ON c.customer = b.customer" },
};

static const Query gen_join_queries[] = {
  { "SELECT a.id, b.id FROM gen a JOIN gen b ON a.g = b.g AND a.k = b.k "
    "WHERE a.v > 95 AND b.v < 3" },
  { "SELECT a.id, b.id, b.v FROM (SELECT * FROM gen WHERE v > 97) a LEFT JOIN "
    "(SELECT * FROM gen WHERE v < 2) b ON a.g = b.g" },
  { "SELECT a.id, b.id FROM (SELECT * FROM gen WHERE v = 7) a FULL JOIN "
    "(SELECT * FROM gen WHERE v = 8) b ON a.g = b.g AND a.k = b.k AND a.amt < b.amt" },
  { "SELECT t.g, t.n, u.m FROM (SELECT g, COUNT(*) AS n FROM gen GROUP BY g) t JOIN "
    "(SELECT g, MAX(v) AS m FROM gen WHERE k = 3 GROUP BY g) u ON t.g = u.g" },
  /* an expression key (k + 1) beside a plain one, and an outer join on an expression */
  { "SELECT a.id, b.id FROM (SELECT * FROM gen WHERE v > 95) a JOIN "
    "(SELECT * FROM gen WHERE v < 4) b ON a.k + 1 = b.k AND a.g = b.g" },
  { "SELECT a.id, b.id FROM (SELECT * FROM gen WHERE v > 96) a LEFT JOIN "
    "(SELECT * FROM gen WHERE v < 3) b ON UPPER(a.g) = UPPER(b.g) AND a.k = b.k + 2" },
};

static void
test_joins (void)
{
  g_autoptr (GwClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strom-oracle-XXXXXX", &error);
  g_autofree char *ddl = NULL, *ddl2 = NULL, *ddl3 = NULL, *path = NULL;
  const char *root = g_getenv ("STROM_SOURCE_ROOT");
  sqlite3 *db = NULL;

  g_assert_no_error (error);
  path = write_generated (dir, 2000);
  client = gw_client_new_embedded (&error);
  g_assert_no_error (error);
  ddl = g_strdup_printf (
    "CREATE TABLE orders (order_id INT, customer VARCHAR, amount DECIMAL(10, 2), qty INT, "
    "ordered_at TIMESTAMP(3), status VARCHAR) WITH ('connector' = 'filesystem', "
    "'path' = '%s/share/examples/data/orders.csv', 'format' = 'csv', 'csv.header' = 'true')",
    root);
  ddl2 = g_strdup_printf (
    "CREATE TABLE customers (customer VARCHAR, city VARCHAR, tier VARCHAR) WITH ("
    "'connector' = 'filesystem', 'path' = '%s/share/examples/data/customers.csv', "
    "'format' = 'csv', 'csv.header' = 'true')", root);
  ddl3 = g_strdup_printf ("CREATE TABLE gen (id INT, g VARCHAR, k INT, v INT, "
                          "amt DECIMAL(10, 2)) WITH ('connector' = 'filesystem', "
                          "'path' = '%s', 'format' = 'csv', 'csv.header' = 'true')", path);
  run_ok (client, ddl);
  run_ok (client, ddl2);
  run_ok (client, ddl3);
  run_ok (client, "SET 'execution.batch-size' = '16'");
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  load_sqlite (client, db, "orders", "CREATE TABLE orders (order_id INTEGER, customer TEXT, "
               "amount INTEGER, qty INTEGER, ordered_at INTEGER, status TEXT)");
  load_sqlite (client, db, "customers", "CREATE TABLE customers (customer TEXT, city TEXT, "
               "tier TEXT)");
  load_sqlite (client, db, "gen", "CREATE TABLE gen (id INTEGER, g TEXT, k INTEGER, "
               "v INTEGER, amt INTEGER)");
  for (guint m = 0; m < 2; m++)
    for (guint p = 1; p <= 3; p += 2)
      {
        g_autofree char *set = g_strdup_printf ("SET 'parallelism.default' = '%u'", p);

        run_ok (client, m == 0 ? "SET 'execution.runtime-mode' = 'streaming'"
                               : "SET 'execution.runtime-mode' = 'batch'");
        run_ok (client, set);
        for (guint i = 0; i < G_N_ELEMENTS (join_queries); i++)
          compare (client, db, &join_queries[i]);
        for (guint i = 0; i < G_N_ELEMENTS (gen_join_queries); i++)
          compare (client, db, &gen_join_queries[i]);
      }
  sqlite3_close (db);
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* added by sort: ORDER BY in batch mode, compared row by row in order (every ORDER BY ends
 * with a unique key, so the order is total and SQLite's must be the same); both default
 * to NULLs first ascending and last descending, as Flink. */
static void
compare_in_order (GwClient *client, sqlite3 *db, const Query *q)
{
  g_autoptr (GPtrArray) raw = g_ptr_array_new_with_free_func ((GDestroyNotify) gw_row_free);
  g_autoptr (GPtrArray) ignored = strom_rows (client, q->strom, raw);
  g_autoptr (GPtrArray) want = sqlite_rows_in_order (db, q->sqlite ? q->sqlite : q->strom);

  g_test_message ("query: %s", q->strom);
  g_assert_cmpuint (want->len, >, 0);
  for (guint i = 0; i < MIN (raw->len, want->len); i++)
    {
      g_autofree char *got = row_text (raw->pdata[i]);
      g_assert_cmpstr (got, ==, want->pdata[i]);
    }
  g_assert_cmpuint (raw->len, ==, want->len);
}

static const Query order_queries[] = {
  { "SELECT id, g, v FROM gen ORDER BY v DESC, id" },
  { "SELECT id, g, amt FROM gen ORDER BY g DESC, amt NULLS LAST, id" },
  { "SELECT id, v FROM gen ORDER BY v, id LIMIT 25 OFFSET 10" },
  { "SELECT g, COUNT(*) AS n, SUM(v) AS s FROM gen GROUP BY g ORDER BY n DESC, g LIMIT 10" },
  { "SELECT id, v, k FROM gen ORDER BY v * k DESC NULLS FIRST, id LIMIT 50" },
  { "SELECT k, id FROM gen WHERE v > 80 ORDER BY 1, 2 DESC" },
  { "FROM gen |> WHERE k = 3 |> ORDER BY amt DESC, id |> LIMIT 7 |> SELECT id, amt",
    "SELECT id, amt FROM gen WHERE k = 3 ORDER BY amt DESC, id LIMIT 7" },
};

static void
test_order_by (void)
{
  g_autoptr (GwClient) client = NULL;
  g_autofree char *dir = NULL, *path = NULL;
  sqlite3 *db = open_generated ("SET 'execution.runtime-mode' = 'batch'", &client, &dir,
                                &path);

  for (guint p = 1; p <= 3; p += 2)
    {
      g_autofree char *set = g_strdup_printf ("SET 'parallelism.default' = '%u'", p);
      run_ok (client, set);
      run_ok (client, p == 1 ? "SET 'execution.batch-size' = '64'"
                             : "SET 'execution.batch-size' = '1024'");
      for (guint i = 0; i < G_N_ELEMENTS (order_queries); i++)
        compare_in_order (client, db, &order_queries[i]);
    }
  sqlite3_close (db);
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* An ORDER BY of far more than the managed memory: the sort spills and merges its runs. */
static void
test_order_by_spill (void)
{
  static const Query q = { "SELECT id, g, v, amt FROM big ORDER BY g, v DESC, id" };
  g_autoptr (GwClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strom-oracle-XXXXXX", &error);
  g_autofree char *path = NULL, *ddl = NULL;
  sqlite3 *db = NULL;

  g_assert_no_error (error);
  path = write_generated (dir, 60000);
  client = gw_client_new_embedded (&error);
  g_assert_no_error (error);
  ddl = g_strdup_printf ("CREATE TABLE big (id INT, g VARCHAR, k INT, v INT, "
                         "amt DECIMAL(10, 2)) WITH ('connector' = 'filesystem', "
                         "'path' = '%s', 'format' = 'csv', 'csv.header' = 'true')", path);
  run_ok (client, ddl);
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  load_sqlite (client, db, "big", "CREATE TABLE big (id INTEGER, g TEXT, k INTEGER, "
               "v INTEGER, amt INTEGER)");
  run_ok (client, "SET 'execution.runtime-mode' = 'batch'");
  run_ok (client, "SET 'parallelism.default' = '1'");
  run_ok (client, "SET 'taskmanager.memory.managed.size' = '1 mb'");
  compare_in_order (client, db, &q);
  sqlite3_close (db);
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* added by join strategy: the batch sort-merge join, chosen by hint (SQLite reads the
 * hint as a comment) over the data of test_joins, at parallelism 1 and 3: every join kind,
 * residual conditions, USING, NULL keys (orders without a customer), many duplicates per
 * key (k has 7 values), two keys. */
static const Query merge_join_queries[] = {
  { "SELECT /*+ SHUFFLE_MERGE(c) */ o.order_id, c.city FROM orders o JOIN customers c "
    "ON o.customer = c.customer" },
  { "SELECT /*+ SHUFFLE_MERGE(c) */ o.order_id, o.qty, c.customer, c.tier FROM orders o "
    "LEFT JOIN customers c ON o.customer = c.customer AND o.qty > 1" },
  { "SELECT /*+ SHUFFLE_MERGE(o) */ o.order_id, c.customer FROM orders o RIGHT OUTER JOIN "
    "customers c ON o.customer = c.customer AND c.tier = 'gold'" },
  { "SELECT /*+ SHUFFLE_MERGE(c) */ o.order_id, o.status, c.customer, c.city FROM orders o "
    "FULL OUTER JOIN customers c ON o.customer = c.customer AND o.qty > 1" },
  { "SELECT /*+ SHUFFLE_MERGE(customers) */ customer, order_id, city FROM orders "
    "FULL JOIN customers USING (customer)" },
  { "SELECT /*+ SHUFFLE_MERGE(b) */ a.id, b.id FROM gen a JOIN gen b ON a.k = b.k "
    "WHERE a.v = 7 AND b.v = 8" },
  { "SELECT /*+ SHUFFLE_MERGE(b) */ a.id, b.id FROM (SELECT * FROM gen WHERE v = 7) a "
    "FULL JOIN (SELECT * FROM gen WHERE v = 8) b ON a.g = b.g AND a.k = b.k "
    "AND a.amt < b.amt" },
  { "SELECT /*+ SHUFFLE_MERGE(b) */ a.id, b.id, b.v FROM (SELECT * FROM gen WHERE v > 97) a "
    "LEFT JOIN (SELECT * FROM gen WHERE v < 2) b ON a.g = b.g" },
  { "SELECT /*+ NEST_LOOP(b) */ a.id, b.id FROM (SELECT * FROM gen WHERE v > 95) a "
    "RIGHT JOIN (SELECT * FROM gen WHERE v < 4) b ON a.g = b.g AND a.k = b.k" },
};

static void
test_merge_joins (void)
{
  g_autoptr (GwClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strom-oracle-XXXXXX", &error);
  g_autofree char *ddl = NULL, *ddl2 = NULL, *ddl3 = NULL, *path = NULL;
  const char *root = g_getenv ("STROM_SOURCE_ROOT");
  sqlite3 *db = NULL;

  g_assert_no_error (error);
  path = write_generated (dir, 2000);
  client = gw_client_new_embedded (&error);
  g_assert_no_error (error);
  ddl = g_strdup_printf (
    "CREATE TABLE orders (order_id INT, customer VARCHAR, amount DECIMAL(10, 2), qty INT, "
    "ordered_at TIMESTAMP(3), status VARCHAR) WITH ('connector' = 'filesystem', "
    "'path' = '%s/share/examples/data/orders.csv', 'format' = 'csv', 'csv.header' = 'true')",
    root);
  ddl2 = g_strdup_printf (
    "CREATE TABLE customers (customer VARCHAR, city VARCHAR, tier VARCHAR) WITH ("
    "'connector' = 'filesystem', 'path' = '%s/share/examples/data/customers.csv', "
    "'format' = 'csv', 'csv.header' = 'true')", root);
  ddl3 = g_strdup_printf ("CREATE TABLE gen (id INT, g VARCHAR, k INT, v INT, "
                          "amt DECIMAL(10, 2)) WITH ('connector' = 'filesystem', "
                          "'path' = '%s', 'format' = 'csv', 'csv.header' = 'true')", path);
  run_ok (client, ddl);
  run_ok (client, ddl2);
  run_ok (client, ddl3);
  run_ok (client, "SET 'execution.batch-size' = '16'");
  run_ok (client, "SET 'execution.runtime-mode' = 'batch'");
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  load_sqlite (client, db, "orders", "CREATE TABLE orders (order_id INTEGER, customer TEXT, "
               "amount INTEGER, qty INTEGER, ordered_at INTEGER, status TEXT)");
  load_sqlite (client, db, "customers", "CREATE TABLE customers (customer TEXT, city TEXT, "
               "tier TEXT)");
  load_sqlite (client, db, "gen", "CREATE TABLE gen (id INTEGER, g TEXT, k INTEGER, "
               "v INTEGER, amt INTEGER)");
  for (guint p = 1; p <= 3; p += 2)
    {
      g_autofree char *set = g_strdup_printf ("SET 'parallelism.default' = '%u'", p);

      run_ok (client, set);
      for (guint i = 0; i < G_N_ELEMENTS (merge_join_queries); i++)
        compare (client, db, &merge_join_queries[i]);
    }
  sqlite3_close (db);
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A join of 200,000 x 200,000 rows under 4 MB of managed memory (two input channels of 8
 * batches take about 1 MB of it): the optimizer itself picks the sort-merge join (the
 * build side, about 2.6 MB by its estimate, does not fit the 2 MB share), whose sorts
 * spill; then the same join as a hash join by hint, which spills as a hybrid hash join.
 * Both results equal SQLite's. */
static void
test_merge_join_spill (void)
{
  static const Query q = { "SELECT a.id, a.g, a.v, b.id, b.g, b.amt FROM big a FULL JOIN "
                           "big b ON a.id = b.id AND a.v > 50" };
  static const Query hq = { "SELECT /*+ SHUFFLE_HASH(b) */ a.id, a.g, a.v, b.id, b.g, b.amt "
                            "FROM big a FULL JOIN big b ON a.id = b.id AND a.v > 50" };
  g_autoptr (GwClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strom-oracle-XXXXXX", &error);
  g_autofree char *path = NULL, *ddl = NULL, *explain_sql = NULL;
  sqlite3 *db = NULL;
  GwOperation *op;

  g_assert_no_error (error);
  path = write_generated (dir, 200000);
  client = gw_client_new_embedded (&error);
  g_assert_no_error (error);
  ddl = g_strdup_printf ("CREATE TABLE big (id INT, g VARCHAR, k INT, v INT, "
                         "amt DECIMAL(10, 2)) WITH ('connector' = 'filesystem', "
                         "'path' = '%s', 'format' = 'csv', 'csv.header' = 'true')", path);
  run_ok (client, ddl);
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  load_sqlite (client, db, "big", "CREATE TABLE big (id INTEGER, g TEXT, k INTEGER, "
               "v INTEGER, amt INTEGER)");
  /* without it SQLite's FULL JOIN is a nested loop over 200,000 x 200,000 rows */
  g_assert_cmpint (sqlite3_exec (db, "CREATE INDEX big_id ON big (id)", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  run_ok (client, "SET 'execution.runtime-mode' = 'batch'");
  run_ok (client, "SET 'parallelism.default' = '1'");
  run_ok (client, "SET 'taskmanager.memory.managed.size' = '4 mb'");
  explain_sql = g_strdup_printf ("EXPLAIN %s", q.strom);
  op = gw_client_execute (client, explain_sql, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (gw_operation_get_message (op),
                            "SortMergeJoin(joinType=[FullOuterJoin]"));
  compare (client, db, &q);
  g_free (explain_sql);
  explain_sql = g_strdup_printf ("EXPLAIN %s", hq.strom);
  op = gw_client_execute (client, explain_sql, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (gw_operation_get_message (op), "HashJoin(joinType=[FullOuterJoin]"));
  compare (client, db, &hq);
  sqlite3_close (db);
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* added by rank: Top-N and deduplication through ROW_NUMBER() (ties broken by id so the
 * answer is unique), a Top-N over a GROUP BY (an updating input), and UNION [ALL] with a
 * type unified by a CAST; streaming (changelog applied) at parallelism 1 and 3, and batch
 * mode. SQLite has the same window functions and set operations; amt is in cents there, so
 * an INT unified with amt's DECIMAL is multiplied by 100 on SQLite's side. */
static const Query rank_queries[] = {
  { "SELECT g, id, v, rn FROM (SELECT g, id, v, ROW_NUMBER() OVER (PARTITION BY g ORDER BY "
    "v DESC NULLS LAST, id) AS rn FROM gen) WHERE rn <= 3" },
  { "SELECT g, id FROM (SELECT g, id, v, ROW_NUMBER() OVER (PARTITION BY g ORDER BY v, id) "
    "AS rn FROM gen WHERE k <> 2) WHERE rn < 3" },
  { "SELECT k, id, g FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY id) AS rn "
    "FROM gen) WHERE rn = 1" },
  { "SELECT k, id, amt FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY id DESC) "
    "AS rn FROM gen) WHERE rn = 1" },
  { "SELECT k, g, n, rn FROM (SELECT k, g, n, ROW_NUMBER() OVER (PARTITION BY k ORDER BY "
    "n DESC, g) AS rn FROM (SELECT k, g, COUNT(*) AS n FROM gen GROUP BY k, g)) WHERE rn <= 2" },
  { "SELECT g, v FROM gen WHERE k = 1 UNION ALL SELECT g, k FROM gen WHERE v > 95 "
    "UNION ALL SELECT g, id FROM gen WHERE id < 5" },
  { "SELECT id, amt FROM gen WHERE k = 2 UNION ALL SELECT id, v FROM gen WHERE k = 3",
    "SELECT id, amt FROM gen WHERE k = 2 UNION ALL SELECT id, v * 100 FROM gen WHERE k = 3" },
  { "SELECT k FROM gen WHERE v > 50 UNION SELECT v FROM gen WHERE v < 3" },
  { "SELECT g, COUNT(*), SUM(v) FROM (SELECT g, v FROM gen WHERE k < 3 UNION ALL "
    "SELECT g, v FROM gen WHERE k > 4) AS u GROUP BY g" },
  /* an updating branch (a GROUP BY) in a union, and a Top-N over a union */
  { "SELECT k, COUNT(*) FROM gen GROUP BY k UNION ALL SELECT v, 1 FROM gen WHERE v > 97" },
  { "SELECT g, id FROM (SELECT g, id, ROW_NUMBER() OVER (PARTITION BY g ORDER BY id DESC) "
    "AS rn FROM (SELECT g, id FROM gen WHERE k = 1 UNION ALL SELECT g, id + 10000 FROM gen "
    "WHERE k = 2)) WHERE rn <= 2" },
};

static void
test_rank (void)
{
  g_autoptr (GwClient) client = NULL;
  g_autofree char *dir = NULL, *path = NULL;
  sqlite3 *db = open_generated ("SET 'execution.batch-size' = '64'", &client, &dir, &path);
  static const char *const modes[] = {
    "SET 'parallelism.default' = '1'", "SET 'parallelism.default' = '3'",
    "SET 'execution.runtime-mode' = 'batch'",
  };

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      run_ok (client, modes[m]);
      for (guint i = 0; i < G_N_ELEMENTS (rank_queries); i++)
        compare (client, db, &rank_queries[i]);
    }
  sqlite3_close (db);
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* added by interval joins: two generated event tables whose times run forward 1 s per row
 * with up to 20 s of disorder, and a WATERMARK 41 s behind, so no row is ever late and the
 * interval join's state expiry must not change the answer. SQLite gets the same rows (times
 * as epoch ms) and the bounds in ms. Also legacy group windows, as integer division. */
static char *
write_events (const char *dir, const char *name, guint32 seed, guint n_rows)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr (GString) text = g_string_new ("id,k,v,ts\n");
  g_autofree char *file = g_strdup_printf ("%s.csv", name);
  char *path = g_build_filename (dir, file, NULL);
  g_autoptr (GError) error = NULL;
  gint64 base = 1704103200000; /* 2024-01-01 10:00:00 UTC */

  for (guint i = 0; i < n_rows; i++)
    {
      gint64 ts = base + (gint64) i * 1000 + g_rand_int_range (rand, -20000, 20001);
      g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (ts / 1000);
      g_autofree char *text_ts = g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");

      g_string_append_printf (text, "%u,%d,%d,%s.%03d\n", i, g_rand_int_range (rand, 0, 20),
                              g_rand_int_range (rand, 0, 100), text_ts, (int) (ts % 1000));
    }
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, &error));
  g_assert_no_error (error);
  return path;
}

static const Query interval_join_queries[] = {
  { "SELECT a.id, b.id FROM ev_a a JOIN ev_b b ON a.k = b.k "
    "AND a.ts BETWEEN b.ts - INTERVAL '5' SECOND AND b.ts + INTERVAL '2' SECOND",
    "SELECT a.id, b.id FROM ev_a a JOIN ev_b b ON a.k = b.k "
    "AND a.ts BETWEEN b.ts - 5000 AND b.ts + 2000" },
  { "SELECT a.id, a.v, b.id FROM ev_a a LEFT JOIN ev_b b ON a.k = b.k "
    "AND a.ts >= b.ts - INTERVAL '5' SECOND AND a.ts < b.ts + INTERVAL '2' SECOND",
    "SELECT a.id, a.v, b.id FROM ev_a a LEFT JOIN ev_b b ON a.k = b.k "
    "AND a.ts >= b.ts - 5000 AND a.ts < b.ts + 2000" },
  { "SELECT a.id, b.id, b.v FROM ev_a a FULL JOIN ev_b b ON a.k = b.k "
    "AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '3' SECOND",
    "SELECT a.id, b.id, b.v FROM ev_a a FULL JOIN ev_b b ON a.k = b.k "
    "AND b.ts BETWEEN a.ts AND a.ts + 3000" },
  { "SELECT a.id, b.id FROM ev_a a RIGHT JOIN ev_b b ON a.k = b.k AND a.v < b.v "
    "AND a.ts > b.ts - INTERVAL '4' SECOND AND a.ts <= b.ts",
    "SELECT a.id, b.id FROM ev_a a RIGHT JOIN ev_b b ON a.k = b.k AND a.v < b.v "
    "AND a.ts > b.ts - 4000 AND a.ts <= b.ts" },
  { "SELECT TUMBLE_START(ts, INTERVAL '10' SECOND), k, COUNT(*), SUM(v) FROM ev_a "
    "GROUP BY TUMBLE(ts, INTERVAL '10' SECOND), k",
    "SELECT ts / 10000 * 10000, k, COUNT(*), SUM(v) FROM ev_a GROUP BY ts / 10000, k" },
  { "SELECT TUMBLE_END(ts, INTERVAL '1' MINUTE), COUNT(*), MAX(v) FROM ev_b "
    "WHERE v > 10 GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE)",
    "SELECT ts / 60000 * 60000 + 60000, COUNT(*), MAX(v) FROM ev_b WHERE v > 10 "
    "GROUP BY ts / 60000" },
};

static void
test_interval_joins (void)
{
  g_autoptr (GwClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strom-oracle-XXXXXX", &error);
  g_autofree char *path_a = NULL, *path_b = NULL;
  sqlite3 *db = NULL;

  g_assert_no_error (error);
  path_a = write_events (dir, "ev_a", 7, 1500);
  path_b = write_events (dir, "ev_b", 8, 1500);
  client = gw_client_new_embedded (&error);
  g_assert_no_error (error);
  for (guint t = 0; t < 2; t++)
    {
      g_autofree char *ddl = g_strdup_printf (
        "CREATE TABLE ev_%c (id INT, k INT, v INT, ts TIMESTAMP(3), "
        "WATERMARK FOR ts AS ts - INTERVAL '41' SECOND) WITH ('connector' = 'filesystem', "
        "'path' = '%s', 'format' = 'csv', 'csv.header' = 'true')", t == 0 ? 'a' : 'b',
        t == 0 ? path_a : path_b);

      run_ok (client, ddl);
    }
  run_ok (client, "SET 'execution.batch-size' = '32'");
  run_ok (client, "SET 'pipeline.auto-watermark-interval' = '0'");
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  load_sqlite (client, db, "ev_a", "CREATE TABLE ev_a (id INTEGER, k INTEGER, v INTEGER, "
               "ts INTEGER)");
  load_sqlite (client, db, "ev_b", "CREATE TABLE ev_b (id INTEGER, k INTEGER, v INTEGER, "
               "ts INTEGER)");
  for (guint p = 1; p <= 3; p += 2)
    {
      g_autofree char *set = g_strdup_printf ("SET 'parallelism.default' = '%u'", p);

      run_ok (client, set);
      for (guint i = 0; i < G_N_ELEMENTS (interval_join_queries); i++)
        compare (client, db, &interval_join_queries[i]);
    }
  sqlite3_close (db);
  g_assert_cmpint (g_remove (path_a), ==, 0);
  g_assert_cmpint (g_remove (path_b), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/integration/oracle/joins", test_joins); /* added by joins */
  g_test_add_func ("/integration/oracle/orders", test_orders);
  g_test_add_func ("/integration/oracle/generated", test_generated);
  g_test_add_func ("/integration/oracle/order-by", test_order_by); /* added by sort */
  g_test_add_func ("/integration/oracle/order-by-spill", test_order_by_spill);
  g_test_add_func ("/integration/oracle/merge-joins", test_merge_joins); /* join strategy */
  g_test_add_func ("/integration/oracle/merge-join-spill", test_merge_join_spill);
  g_test_add_func ("/integration/oracle/rank", test_rank); /* added by rank */
  g_test_add_func ("/integration/oracle/interval-joins", test_interval_joins); /* interval joins */
  return g_test_run ();
}
