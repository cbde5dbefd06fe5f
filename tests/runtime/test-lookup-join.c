/* test-lookup-join.c: lookup joins, `JOIN dim FOR SYSTEM_TIME AS OF o.pt AS d ON ...`
 * (plans/plan-sql-bind-lookup.c, optimizer/opt-window-join.c,
 * runtime/engine/rt-op-lookup-join.c), through the embedded gateway on CSV files: inner
 * and left joins with duplicate and missing keys, a NULL key, a condition on the table, at
 * parallelism 1 and 2; the EXPLAIN line; the errors for what is not a processing-time
 * lookup join of a filesystem table; and, driving the operator with a fake clock, the
 * reload after 'lookup.join.cache.ttl'. Expected rows worked out by hand. */
#include "runtime/gateway/gw-client.h"
#include "runtime/engine/rt-operator.h"
#include "optimizer/opt.h"

#include <glib/gstdio.h>
#include <string.h>

/* orders (id, k, ts): 4 has no key; dim (k, name): 20 twice, 40 never looked up */
static const char *const orders_csv =
  "1,10,1970-01-01 00:00:01\n2,20,1970-01-01 00:00:02\n3,30,1970-01-01 00:00:03\n"
  "4,,1970-01-01 00:00:04\n5,10,1970-01-01 00:00:05\n";
static const char *const dim_csv = "10,ten\n20,twenty\n20,twenty-b\n40,forty\n";

typedef struct {
  char *dir, *orders, *dim;
  GwClient *client;
} Fixture;

static void
run_ok (GwClient *client, const char *sql)
{
  g_autoptr (GError) error = NULL;
  GwOperation *op = gw_client_execute (client, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (gw_operation_wait (op), ==, GW_STATUS_FINISHED);
}

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *o = NULL, *d = NULL, *par = NULL;

  f->dir = g_dir_make_tmp ("strom-lookup-XXXXXX", &error);
  g_assert_no_error (error);
  f->orders = g_build_filename (f->dir, "orders.csv", NULL);
  f->dim = g_build_filename (f->dir, "dim.csv", NULL);
  g_assert_true (g_file_set_contents (f->orders, orders_csv, -1, NULL));
  g_assert_true (g_file_set_contents (f->dim, dim_csv, -1, NULL));
  f->client = gw_client_new_embedded (&error);
  g_assert_no_error (error);
  o = g_strdup_printf ("CREATE TABLE orders (id INT, k INT, pt AS PROCTIME(), ts TIMESTAMP(3), "
                       "WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', "
                       "'path' = '%s', 'format' = 'csv')", f->orders);
  d = g_strdup_printf ("CREATE TABLE dim (k INT, name VARCHAR) WITH ('connector' = "
                       "'filesystem', 'path' = '%s', 'format' = 'csv')", f->dim);
  par = g_strdup_printf ("SET 'parallelism.default' = '%u'", GPOINTER_TO_UINT (data));
  run_ok (f->client, o);
  run_ok (f->client, d);
  run_ok (f->client, "CREATE TABLE dg (k INT) WITH ('connector' = 'datagen')");
  run_ok (f->client, par);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->client, gw_client_free);
  g_unlink (f->orders);
  g_unlink (f->dim);
  g_rmdir (f->dir);
  g_free (f->orders);
  g_free (f->dim);
  g_free (f->dir);
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The rows of sql as "a|b" lines, sorted, all of them inserts. */
static GPtrArray *
rows_of (Fixture *f, const char *sql)
{
  g_autoptr (GError) error = NULL;
  GwOperation *op = gw_client_execute (f->client, sql, &error);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  gboolean end = FALSE;

  g_assert_no_error (error);
  while (!end)
    {
      g_autoptr (GwPage) page = gw_operation_fetch (op, 1024, -1, &error);

      g_assert_no_error (error);
      end = page->end;
      for (guint i = 0; i < page->rows->len; i++)
        {
          GwRow *row = page->rows->pdata[i];
          GString *s = g_string_new (NULL);

          g_assert_cmpint (row->kind, ==, RT_ROW_INSERT);
          for (guint c = 0; c < row->n_values; c++)
            {
              g_autofree char *t = plan_value_to_string (&row->values[c], FALSE);
              g_string_append_printf (s, "%s%s", c ? "|" : "", t);
            }
          g_ptr_array_add (out, g_string_free (s, FALSE));
        }
    }
  g_ptr_array_sort (out, cmp_str);
  return out;
}

static void
expect_rows (Fixture *f, const char *sql, const char *const *want)
{
  g_autoptr (GPtrArray) got = rows_of (f, sql);
  guint n = g_strv_length ((char **) want);

  g_test_message ("%s", sql);
  for (guint i = 0; i < MIN (n, got->len); i++)
    g_assert_cmpstr (got->pdata[i], ==, want[i]);
  g_assert_cmpuint (got->len, ==, n);
}

#define JOIN " JOIN dim FOR SYSTEM_TIME AS OF o.pt AS d ON o.k = d.k"

static void
test_inner (Fixture *f, gconstpointer data)
{
  const char *const want[] = { "1|ten", "2|twenty", "2|twenty-b", "5|ten", NULL };
  const char *const filtered[] = { "1|ten", "2|twenty", "5|ten", NULL };

  expect_rows (f, "SELECT o.id, d.name FROM orders AS o" JOIN, want);
  expect_rows (f, "SELECT o.id, d.name FROM orders AS o" JOIN " AND d.name <> 'twenty-b'",
               filtered);
  /* PROCTIME() in a select list of a subquery, as Nexmark q13 has it */
  expect_rows (f, "SELECT o.id, d.name FROM (SELECT id, k, PROCTIME() AS pt FROM orders) o"
               JOIN, want);
}

static void
test_left (Fixture *f, gconstpointer data)
{
  const char *const want[] = { "1|ten", "2|twenty", "2|twenty-b", "3|NULL", "4|NULL",
                               "5|ten", NULL };

  expect_rows (f, "SELECT o.id, d.name FROM orders AS o LEFT" JOIN, want);
}

static void
expect_error (Fixture *f, const char *sql, const char *needle)
{
  g_autoptr (GError) error = NULL;
  GwOperation *op = gw_client_execute (f->client, sql, &error);

  if (op != NULL && error == NULL)
    {
      g_autoptr (GwPage) page = gw_operation_fetch (op, 10, -1, &error);
    }
  g_assert_nonnull (error);
  if (strstr (error->message, needle) == NULL)
    g_error ("'%s' lacks '%s'", error->message, needle);
}

static void
test_explain_and_errors (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  GwOperation *op = gw_client_execute (f->client, "EXPLAIN SELECT o.id, d.name FROM orders "
                                       "AS o" JOIN, &error);
  const char *plan;

  g_assert_no_error (error);
  gw_operation_wait (op);
  plan = gw_operation_get_message (op);
  g_assert_nonnull (plan);
  g_assert_nonnull (strstr (plan, "LookupJoin(joinType=[InnerJoin]"));
  g_assert_nonnull (strstr (plan, "strategy=[broadcast], build=[right]"));
  expect_error (f, "SELECT o.id FROM orders AS o JOIN dim FOR SYSTEM_TIME AS OF o.ts AS d "
                "ON o.k = d.k", "processing-time attribute");
  expect_error (f, "SELECT o.id FROM orders AS o JOIN dg FOR SYSTEM_TIME AS OF o.pt AS d "
                "ON o.k = d.k", "'connector' = 'filesystem'");
  expect_error (f, "SELECT o.id FROM orders AS o RIGHT" JOIN, "INNER or LEFT");
  expect_error (f, "SELECT o.id FROM orders AS o JOIN dim FOR SYSTEM_TIME AS OF o.pt AS d "
                "ON o.k > d.k", "needs an equality");
}

/* ---- reloading after the TTL, with a fake clock ------------------------------------- */

static gint64 fake_now;

static gint64
fake_clock (gpointer data)
{
  return fake_now;
}

typedef struct {
  GPtrArray *out; /* "id|name" */
  guint id_col, name_col;
} Collected;

static RtResult
collect_rows (void *data, RtBatch *batch, GError **error)
{
  Collected *c = data;

  for (guint r = 0; r < batch->n_rows; r++)
    {
      PlanValue id, name;
      g_autofree char *a = NULL, *b = NULL;

      rt_batch_get_value (batch, c->id_col, r, &id);
      rt_batch_get_value (batch, c->name_col, r, &name);
      a = plan_value_to_string (&id, FALSE);
      b = plan_value_to_string (&name, FALSE);
      g_ptr_array_add (c->out, g_strdup_printf ("%s|%s", a, b));
      plan_value_clear (&id);
      plan_value_clear (&name);
    }
  return RT_OK;
}

/* Probes ids 1 and 2 (keys 10 and 20) at time now; the sorted "id|name" rows. */
static GPtrArray *
probe (RtOperator *op, RtMemPool *pool, const PlanSchema *in, Collected *c, gint64 now)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtBatch) b = rt_batch_new (pool, (PlanSchema *) in, 4, &error);
  gint id_col = plan_schema_find (in, "id"), k_col = plan_schema_find (in, "k");

  g_assert_cmpint (id_col, >=, 0);
  g_assert_cmpint (k_col, >=, 0);
  for (gint64 i = 1; i <= 2; i++)
    {
      PlanValue *v = g_new0 (PlanValue, in->n_fields);

      for (guint col = 0; col < in->n_fields; col++)
        {
          v[col].type = in->fields[col].type;
          v[col].is_null = TRUE;
        }
      v[id_col].is_null = v[k_col].is_null = FALSE;
      v[id_col].v.i = i;
      v[k_col].v.i = i * 10;
      g_assert_true (rt_batch_append_values (b, v, &error));
      b->kinds[i - 1] = RT_ROW_INSERT;
      g_free (v);
    }
  fake_now = now;
  g_ptr_array_set_size (c->out, 0);
  g_assert_cmpint (op->klass->process (op, b, 0, &error), ==, RT_OK);
  g_assert_no_error (error);
  g_ptr_array_sort (c->out, cmp_str);
  return c->out;
}

#define ROWS(got, ...) \
  do { \
    const char *const want_[] = { __VA_ARGS__ }; \
    g_assert_cmpuint ((got)->len, ==, G_N_ELEMENTS (want_)); \
    for (guint i_ = 0; i_ < G_N_ELEMENTS (want_); i_++) \
      g_assert_cmpstr ((got)->pdata[i_], ==, want_[i_]); \
  } while (0)

/* 'lookup.join.cache.ttl' = '1 s': the table's input ends empty at 0 ms; a lookup at
 * 500 ms sees it empty, one at 1000 ms reloads the file, a change of the file is seen
 * only by the lookup at 2000 ms (1000 ms after that reload), not at 1500 ms. */
static void
test_ttl_reload (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strom-lookup-XXXXXX", &error);
  g_autofree char *dim = g_build_filename (dir, "dim.csv", NULL);
  g_autofree char *o = NULL, *d = NULL;
  g_autoptr (PlanCatalog) catalog = plan_catalog_new ();
  g_autoptr (PlanStatement) stmt = NULL;
  g_autoptr (OptResult) opt = NULL;
  const PlanPhysPlan *phys;
  const PlanPhysNode *node = NULL;
  RtMemPool *pool = rt_mem_pool_new (8 * 1024 * 1024);
  RtOpContext ctx = { .pool = pool, .parallelism = 1, .batch_size = 8 };
  Collected c = { g_ptr_array_new_with_free_func (g_free), 0, 0 };
  RtEvent end = { RT_EVENT_END_OF_INPUT, 0, 0 };
  RtOperator *op;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (dim, dim_csv, -1, NULL));
  o = g_strdup ("CREATE TABLE orders (id INT, k INT, pt AS PROCTIME()) WITH ('connector' = "
                "'filesystem', 'path' = '/nonexistent', 'format' = 'csv')");
  d = g_strdup_printf ("CREATE TABLE dim (k INT, name VARCHAR) WITH ('connector' = "
                       "'filesystem', 'path' = '%s', 'format' = 'csv', "
                       "'lookup.join.cache.ttl' = '1 s')", dim);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (PlanStatement) ddl = plan_sql_compile_one (catalog, i == 0 ? o : d, &error);

      g_assert_no_error (error);
      g_assert_true (plan_catalog_add_table (catalog, ddl->table, &error));
    }
  stmt = plan_sql_compile_one (catalog, "SELECT o.id, d.name FROM orders AS o LEFT" JOIN,
                               &error);
  g_assert_no_error (error);
  opt = opt_optimize (stmt->plan, NULL, &error);
  g_assert_no_error (error);
  phys = opt_result_get_physical (opt);
  for (guint i = 0; i < phys->nodes->len; i++)
    if (((PlanPhysNode *) phys->nodes->pdata[i])->kind == PLAN_PHYS_LOOKUP_JOIN)
      node = phys->nodes->pdata[i];
  g_assert_nonnull (node);
  c.id_col = (guint) plan_schema_find (node->schema, "id");
  c.name_col = (guint) plan_schema_find (node->schema, "name");
  rt_proctime_set_clock (fake_clock, NULL);
  fake_now = 0;
  op = rt_op_lookup_join_new (node, &error);
  g_assert_no_error (error);
  op->ctx = &ctx;
  op->sink_fn = collect_rows;
  op->sink_data = &c;
  g_assert_true (op->klass->open (op, &error));
  g_assert_cmpuint (op->paused_inputs, ==, 1); /* the stream waits for the table */
  g_assert_cmpint (op->klass->on_event (op, &end, 1, &error), ==, RT_OK);
  g_assert_cmpuint (op->paused_inputs, ==, 0);
  ROWS (probe (op, pool, node->inputs[0].node->schema, &c, 500), "1|NULL", "2|NULL");
  ROWS (probe (op, pool, node->inputs[0].node->schema, &c, 1000), "1|ten", "2|twenty",
        "2|twenty-b");
  g_assert_true (g_file_set_contents (dim, "10,TEN\n30,thirty\n", -1, NULL));
  ROWS (probe (op, pool, node->inputs[0].node->schema, &c, 1500), "1|ten", "2|twenty",
        "2|twenty-b");
  ROWS (probe (op, pool, node->inputs[0].node->schema, &c, 2000), "1|TEN", "2|NULL");
  rt_operator_free (op);
  rt_proctime_set_clock (NULL, NULL);
  g_ptr_array_unref (c.out);
  g_assert_cmpuint (rt_mem_pool_get_used (pool), ==, 0);
  rt_mem_pool_free (pool);
  g_unlink (dim);
  g_rmdir (dir);
}

#define ADD(path, par, fn) \
  g_test_add ("/runtime/lookup-join/" path, Fixture, GUINT_TO_POINTER (par), setup, fn, \
              teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("inner/p1", 1, test_inner);
  ADD ("inner/p2", 2, test_inner);
  ADD ("left/p1", 1, test_left);
  ADD ("left/p2", 2, test_left);
  ADD ("explain-errors", 1, test_explain_and_errors);
  g_test_add_func ("/runtime/lookup-join/ttl-reload", test_ttl_reload);
  return g_test_run ();
}
