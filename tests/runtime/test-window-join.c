/* test-window-join.c: the window join (runtime/engine/rt-op-window-join.c) driven
 * directly, its recognition (plans/plan-window-join.c, optimizer/opt-window-join.c)
 * through the binder and the optimizer, and a FULL window join run through the embedded
 * gateway on CSV files and compared with SQLite's answer on the same rows.
 *
 * Operator rows: each side (id INT, ws TIMESTAMP, we TIMESTAMP), the keys ws, we, id in
 * that order (window bounds first, as the optimizer orders them). Timestamps print as
 * epoch ms. A window [ws, we) fires when the watermark reaches we - 1; a row arriving for
 * a window that has fired is late. Every expected row is worked out by hand. */
#include "runtime/engine/rt-operator.h"
#include "runtime/gateway/gw-client.h"
#include "rt-test-util.h"
#include "../plans/plan-test-util.h"
#include "optimizer/opt.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

typedef struct {
  RtMemPool *pool;
  RtOpContext ctx;
  PlanSchema *side[2];
  PlanPhysNode *inputs[2]; /* VALUES nodes, only for their schemas */
  RtOperator *op;
  GPtrArray *out;          /* "+I 1 0 10 1 0 10" per emitted row */
  guint next;              /* first output row not yet checked */
} Fixture;

static RtResult
collect (void *data, RtBatch *batch, GError **error)
{
  Fixture *f = data;

  rt_test_collect_lines (f->out, batch, TRUE);
  return RT_OK;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  PlanType ts = plan_type_make (PLAN_TYPE_TIMESTAMP, FALSE);

  ts.scale = 3;
  f->pool = rt_mem_pool_new (8 * 1024 * 1024);
  f->ctx = (RtOpContext) { .pool = f->pool, .parallelism = 1, .batch_size = 4 };
  for (guint s = 0; s < 2; s++)
    {
      f->side[s] = plan_schema_new (3);
      plan_schema_set_field (f->side[s], 0, "id", plan_type_make (PLAN_TYPE_INT, TRUE));
      plan_schema_set_field (f->side[s], 1, "window_start", ts);
      plan_schema_set_field (f->side[s], 2, "window_end", ts);
      f->inputs[s] = plan_phys_node_new (PLAN_PHYS_VALUES, plan_schema_ref (f->side[s]),
                                         (PlanSpan) { 0 }, 1);
    }
  f->out = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  rt_operator_free (f->op);
  for (guint s = 0; s < 2; s++)
    {
      plan_phys_node_unref (f->inputs[s]);
      plan_schema_unref (f->side[s]);
    }
  g_ptr_array_unref (f->out);
  g_assert_cmpuint (rt_mem_pool_get_used (f->pool), ==, 0);
  rt_mem_pool_free (f->pool);
}

static void
make_op (Fixture *f, PlanJoinType type)
{
  g_autoptr (PlanPhysNode) node = NULL;
  g_autoptr (GError) error = NULL;
  const guint keys[3] = { 1, 2, 0 };

  node = plan_phys_node_new (PLAN_PHYS_WINDOW_JOIN,
                             plan_join_schema (f->side[0], f->side[1], type), (PlanSpan) { 0 },
                             1);
  for (guint s = 0; s < 2; s++)
    plan_phys_node_add_input (node, plan_phys_node_ref (f->inputs[s]), PLAN_EXCHANGE_HASH, 3,
                              keys);
  node->u.join.type = type;
  node->u.join.n_keys = 3;
  node->u.join.left_keys = g_memdup2 (keys, sizeof keys);
  node->u.join.right_keys = g_memdup2 (keys, sizeof keys);
  f->op = rt_op_window_join_new (node, &error);
  g_assert_no_error (error);
  f->op->ctx = &f->ctx;
  f->op->sink_fn = collect;
  f->op->sink_data = f;
}

/* One row: id (G_MININT: NULL) and its window [ws, ws + 10). */
typedef struct {
  gint id;
  gint64 ws;
} Row;

static void
feed (Fixture *f, guint input, const Row *rows, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtBatch) b = rt_batch_new (f->pool, f->side[input], 16, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      PlanValue v[3] = {
        { .type = f->side[input]->fields[0].type, .is_null = rows[i].id == G_MININT,
          .v.i = rows[i].id },
        { .type = f->side[input]->fields[1].type, .v.i = rows[i].ws },
        { .type = f->side[input]->fields[2].type, .v.i = rows[i].ws + 10 },
      };

      g_assert_true (rt_batch_append_values (b, v, &error));
      b->kinds[i] = RT_ROW_INSERT;
    }
  g_assert_cmpint (f->op->klass->process (f->op, b, input, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static void
watermark (Fixture *f, gint64 wm)
{
  g_autoptr (GError) error = NULL;
  RtEvent ev = { RT_EVENT_WATERMARK, wm, 0 };

  g_assert_cmpint (f->op->klass->on_event (f->op, &ev, 0, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static void
finish (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (f->op->klass->finish (f->op, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The rows emitted since the last check must be exactly want (NULL-terminated) as a set:
 * a window's results come in hash order. */
static void
expect (Fixture *f, const char *const *want)
{
  g_autoptr (GPtrArray) got = g_ptr_array_new ();
  g_autoptr (GPtrArray) exp = g_ptr_array_new ();

  for (guint i = f->next; i < f->out->len; i++)
    g_ptr_array_add (got, f->out->pdata[i]);
  for (guint i = 0; want[i] != NULL; i++)
    g_ptr_array_add (exp, (gpointer) want[i]);
  g_ptr_array_sort (got, cmp_str);
  g_ptr_array_sort (exp, cmp_str);
  g_assert_cmpuint (got->len, ==, exp->len);
  for (guint i = 0; i < got->len; i++)
    g_assert_cmpstr (got->pdata[i], ==, exp->pdata[i]);
  f->next = f->out->len;
}

#define FEED(f, input, ...) \
  do { \
    const Row rows_[] = { __VA_ARGS__ }; \
    feed (f, input, rows_, G_N_ELEMENTS (rows_)); \
  } while (0)
#define EXPECT(f, ...) \
  do { \
    const char *const want_[] = { __VA_ARGS__, NULL }; \
    expect (f, want_); \
  } while (0)
#define EXPECT_NONE(f) expect (f, (const char *const[]) { NULL })

/* Nothing is emitted before the window fires; rows come in out of window order. */
static void
test_inner (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_JOIN_INNER);
  FEED (f, 0, { 1, 10 }, { 1, 0 }, { 2, 0 });
  FEED (f, 1, { 1, 0 }, { 1, 10 }, { 1, 0 }, { 3, 0 });
  EXPECT_NONE (f);
  watermark (f, 8);    /* window [0, 10) fires at 9 */
  EXPECT_NONE (f);
  watermark (f, 9);    /* left (1, 0) meets both right (1, 0) copies; 2 and 3 alone */
  EXPECT (f, "+I 1 0 10 1 0 10", "+I 1 0 10 1 0 10");
  FEED (f, 0, { 1, 10 });
  watermark (f, 30);   /* [10, 20): two left (1, 10) rows x one right */
  EXPECT (f, "+I 1 10 20 1 10 20", "+I 1 10 20 1 10 20");
  g_assert_cmpuint (f->op->late_records_dropped, ==, 0);
  finish (f);
  EXPECT_NONE (f);
}

/* A row whose window has fired is dropped and counted; one of a later window is kept. */
static void
test_late (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_JOIN_INNER);
  FEED (f, 0, { 5, 20 });
  watermark (f, 19);       /* [0, 10) and [10, 20) have fired (empty) */
  FEED (f, 1, { 5, 10 }, { 5, 0 }, { 5, 20 });
  g_assert_cmpuint (f->op->late_records_dropped, ==, 2);
  FEED (f, 0, { 5, 10 });  /* late too */
  g_assert_cmpuint (f->op->late_records_dropped, ==, 3);
  EXPECT_NONE (f);
  watermark (f, 28);
  EXPECT_NONE (f);
  watermark (f, 29);
  EXPECT (f, "+I 5 20 30 5 20 30");
}

static void
test_left_outer (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_JOIN_LEFT);
  FEED (f, 0, { 1, 0 }, { 2, 0 }, { G_MININT, 0 }, { 4, 10 });
  FEED (f, 1, { 2, 0 }, { 3, 0 }, { 4, 0 });
  watermark (f, 9);    /* 1 and NULL unmatched; right 3 and 4 are not preserved */
  EXPECT (f, "+I 1 0 10 NULL NULL NULL", "+I 2 0 10 2 0 10", "+I NULL 0 10 NULL NULL NULL");
  finish (f);          /* (4, 10) had no partner in its own window */
  EXPECT (f, "+I 4 10 20 NULL NULL NULL");
}

static void
test_right_outer (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_JOIN_RIGHT);
  FEED (f, 1, { 7, 0 }, { 7, 0 }, { 8, 0 }, { G_MININT, 0 });
  FEED (f, 0, { 8, 0 }, { 9, 0 });
  watermark (f, 100);
  EXPECT (f, "+I NULL NULL NULL 7 0 10", "+I NULL NULL NULL 7 0 10", "+I 8 0 10 8 0 10",
          "+I NULL NULL NULL NULL 0 10");
}

/* FULL: both sides' unmatched rows; windows fire in end order, only once. */
static void
test_full_outer (Fixture *f, gconstpointer data)
{
  make_op (f, PLAN_JOIN_FULL);
  FEED (f, 0, { 1, 20 }, { 1, 0 });
  FEED (f, 1, { 2, 0 }, { 1, 20 }, { 3, 10 });
  watermark (f, 19);
  EXPECT (f, "+I 1 0 10 NULL NULL NULL", "+I NULL NULL NULL 2 0 10",
          "+I NULL NULL NULL 3 10 20");
  watermark (f, 19);
  EXPECT_NONE (f);
  finish (f);
  EXPECT (f, "+I 1 20 30 1 20 30");
  finish (f);
  EXPECT_NONE (f);
}

/* ---- planning ------------------------------------------------------------------------ */

static const char *const setup_sql =
  "CREATE TABLE a (k INT, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) "
  "WITH ('connector' = 'datagen');\n"
  "CREATE TABLE b (k INT, w INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) "
  "WITH ('connector' = 'datagen');";

#define TUMBLE_A "TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '10' SECOND))"

/* The join node of the physical plan of sql. */
static PlanPhysKind
plan_kind (PlanCatalog *catalog, const char *sql, char **explain)
{
  g_autoptr (PlanStatement) stmt = plan_test_compile_ok (catalog, sql);
  g_autoptr (GError) error = NULL;
  g_autoptr (OptResult) opt = opt_optimize (stmt->plan, NULL, &error);
  const PlanPhysNode *n;

  g_assert_no_error (error);
  for (n = opt_result_get_physical (opt)->root; n->n_inputs == 1; n = n->inputs[0].node)
    ;
  g_assert_cmpuint (n->n_inputs, ==, 2);
  if (n->kind == PLAN_PHYS_WINDOW_JOIN)
    {
      const PlanSchema *l = n->inputs[0].node->schema;
      /* window_start then window_end (named s and e in the aggregate case) */
      const char *s = l->fields[n->u.join.left_keys[0]].name;
      const char *e = l->fields[n->u.join.left_keys[1]].name;

      g_assert_true (strcmp (s, "window_start") == 0 || strcmp (s, "s") == 0);
      g_assert_true (strcmp (e, "window_end") == 0 || strcmp (e, "e") == 0);
      g_assert_false (n->updating);
    }
  if (explain != NULL)
    *explain = plan_phys_explain (opt_result_get_physical (opt));
  return n->kind;
}

static void
test_recognise (void)
{
  g_autoptr (PlanCatalog) catalog = plan_test_catalog_new (setup_sql);
  g_autofree char *explain = NULL;

  /* keys in any order, with an equi-key besides the window bounds */
  g_assert_cmpint (plan_kind (catalog, "SELECT L.k, L.v, R.w FROM " TUMBLE_A " L FULL JOIN "
                              "TABLE(TUMBLE(TABLE b, DESCRIPTOR(ts), INTERVAL '10' SECOND)) R "
                              "ON L.k = R.k AND L.window_end = R.window_end AND "
                              "L.window_start = R.window_start", &explain), ==,
                   PLAN_PHYS_WINDOW_JOIN);
  g_assert_nonnull (strstr (explain, "WindowJoin(joinType=[FullOuterJoin]"));
  g_assert_nonnull (strstr (explain, "leftWindow=[win_start=[window_start], "
                            "win_end=[window_end]]"));
  /* two window aggregates (Nexmark q8's shape) */
  g_assert_cmpint (plan_kind (catalog, "SELECT * FROM (SELECT k, window_start AS s, "
                              "window_end AS e FROM " TUMBLE_A " GROUP BY k, window_start, "
                              "window_end) L JOIN (SELECT k, window_start AS s, window_end AS e "
                              "FROM TABLE(TUMBLE(TABLE b, DESCRIPTOR(ts), INTERVAL '10' SECOND)) "
                              "GROUP BY k, window_start, window_end) R ON L.k = R.k AND "
                              "L.s = R.s AND L.e = R.e", NULL), ==, PLAN_PHYS_WINDOW_JOIN);
  /* other windows, a missing bound, or columns that are no window bounds: regular join */
  g_assert_cmpint (plan_kind (catalog, "SELECT L.k FROM " TUMBLE_A " L JOIN "
                              "TABLE(TUMBLE(TABLE b, DESCRIPTOR(ts), INTERVAL '5' SECOND)) R "
                              "ON L.window_end = R.window_end AND "
                              "L.window_start = R.window_start", NULL), ==, PLAN_PHYS_JOIN);
  g_assert_cmpint (plan_kind (catalog, "SELECT L.k FROM " TUMBLE_A " L JOIN "
                              "TABLE(TUMBLE(TABLE b, DESCRIPTOR(ts), INTERVAL '10' SECOND)) R "
                              "ON L.k = R.k AND L.window_start = R.window_start", NULL), ==,
                   PLAN_PHYS_JOIN);
  g_assert_cmpint (plan_kind (catalog, "SELECT L.k FROM " TUMBLE_A " L JOIN "
                              "TABLE(TUMBLE(TABLE b, DESCRIPTOR(ts), INTERVAL '10' SECOND)) R "
                              "ON L.window_start = R.window_end AND "
                              "L.window_end = R.window_start", NULL), ==, PLAN_PHYS_JOIN);
  /* processing-time windows (aggregated, legacy form): no window join */
  g_assert_cmpint (plan_kind (catalog, "SELECT * FROM (SELECT k, TUMBLE_START(p, INTERVAL "
                              "'10' SECOND) AS s, TUMBLE_END(p, INTERVAL '10' SECOND) AS e "
                              "FROM (SELECT k, PROCTIME() AS p FROM a) GROUP BY k, TUMBLE(p, "
                              "INTERVAL '10' SECOND)) L JOIN (SELECT k, TUMBLE_START(p, "
                              "INTERVAL '10' SECOND) AS s, TUMBLE_END(p, INTERVAL '10' SECOND) "
                              "AS e FROM (SELECT k, PROCTIME() AS p FROM b) GROUP BY k, "
                              "TUMBLE(p, INTERVAL '10' SECOND)) R ON L.k = R.k AND L.s = R.s "
                              "AND L.e = R.e", NULL), ==, PLAN_PHYS_JOIN);
}

/* ---- end to end, against SQLite --------------------------------------------------------- */

/* Left and right rows (k, v, seconds after the epoch), out of time order; the 30-second
 * watermark delay makes none of them late, so SQLite's join of the same windows is the
 * exact expected result. Worked by hand: [0, 10): a-x, c-x, f (NULL key) alone, w alone;
 * [10, 20): b-z, d alone, y alone; [20, 30): e-u, n alone: 9 rows. */
static const char *const left_csv =
  "k,v,ts\n1,a,1970-01-01 00:00:03\n2,b,1970-01-01 00:00:12\n1,c,1970-01-01 00:00:08\n"
  "3,d,1970-01-01 00:00:15\n1,e,1970-01-01 00:00:25\n,f,1970-01-01 00:00:05\n";
static const char *const right_csv =
  "k,v,ts\n1,x,1970-01-01 00:00:01\n1,y,1970-01-01 00:00:14\n2,z,1970-01-01 00:00:19\n"
  "4,w,1970-01-01 00:00:05\n1,u,1970-01-01 00:00:27\n,n,1970-01-01 00:00:21\n";

static char *
value_text (const PlanValue *v)
{
  if (v->is_null)
    return g_strdup ("NULL");
  if (v->type.kind == PLAN_TYPE_VARCHAR)
    return g_strdup (v->v.s);
  return g_strdup_printf ("%" G_GINT64_FORMAT, v->v.i);
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
              g_autofree char *t = value_text (&row->values[c]);
              g_string_append_printf (s, "%s%s", c ? "|" : "", t);
            }
          g_ptr_array_add (out, g_string_free (s, FALSE));
        }
    }
  g_ptr_array_sort (out, cmp_str);
  return out;
}

static GPtrArray *
sqlite_rows (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *st = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      GString *s = g_string_new (NULL);

      for (int c = 0; c < sqlite3_column_count (st); c++)
        g_string_append_printf (s, "%s%s", c ? "|" : "",
                                sqlite3_column_type (st, c) == SQLITE_NULL
                                ? "NULL" : (const char *) sqlite3_column_text (st, c));
      g_ptr_array_add (out, g_string_free (s, FALSE));
    }
  sqlite3_finalize (st);
  g_ptr_array_sort (out, cmp_str);
  return out;
}

static void
run_ok (GwClient *client, const char *sql)
{
  g_autoptr (GError) error = NULL;
  GwOperation *op = gw_client_execute (client, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (gw_operation_wait (op), ==, GW_STATUS_FINISHED);
}

static void
test_oracle (gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strom-wjoin-XXXXXX", &error);
  g_autofree char *lpath = g_build_filename (dir, "l.csv", NULL);
  g_autofree char *rpath = g_build_filename (dir, "r.csv", NULL);
  g_autoptr (GwClient) client = NULL;
  g_autoptr (GPtrArray) got = NULL, want = NULL;
  g_autofree char *par = g_strdup_printf ("SET 'parallelism.default' = '%u'",
                                          GPOINTER_TO_UINT (data));
  sqlite3 *db = NULL;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (lpath, left_csv, -1, NULL));
  g_assert_true (g_file_set_contents (rpath, right_csv, -1, NULL));
  client = gw_client_new_embedded (&error);
  g_assert_no_error (error);
  for (guint s = 0; s < 2; s++)
    {
      g_autofree char *ddl = g_strdup_printf (
        "CREATE TABLE %s (k INT, v VARCHAR, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - "
        "INTERVAL '30' SECOND) WITH ('connector' = 'filesystem', 'path' = '%s', "
        "'format' = 'csv', 'csv.header' = 'true')", s == 0 ? "lt" : "rt", s == 0 ? lpath : rpath);
      run_ok (client, ddl);
    }
  run_ok (client, par);
  /* the window join is streaming's: over files the default ('automatic') would run batch,
   * which plans a hash join instead */
  run_ok (client, "SET 'execution.runtime-mode' = 'streaming'");
  got = strom_rows (client, "SELECT L.k, L.v, R.k, R.v, COALESCE(L.window_start, "
                    "R.window_start) FROM TABLE(TUMBLE(TABLE lt, DESCRIPTOR(ts), "
                    "INTERVAL '10' SECOND)) L FULL JOIN TABLE(TUMBLE(TABLE rt, DESCRIPTOR(ts), "
                    "INTERVAL '10' SECOND)) R ON L.k = R.k AND L.window_start = "
                    "R.window_start AND L.window_end = R.window_end");
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
    "CREATE TABLE lt (k, v, t); CREATE TABLE rt (k, v, t);"
    "INSERT INTO lt VALUES (1, 'a', 3), (2, 'b', 12), (1, 'c', 8), (3, 'd', 15), "
    "(1, 'e', 25), (NULL, 'f', 5);"
    "INSERT INTO rt VALUES (1, 'x', 1), (1, 'y', 14), (2, 'z', 19), (4, 'w', 5), "
    "(1, 'u', 27), (NULL, 'n', 21);", NULL, NULL, NULL), ==, SQLITE_OK);
  want = sqlite_rows (db, "SELECT L.k, L.v, R.k, R.v, COALESCE(L.ws, R.ws) * 1000 FROM "
                      "(SELECT *, t / 10 * 10 AS ws FROM lt) L FULL JOIN (SELECT *, "
                      "t / 10 * 10 AS ws FROM rt) R ON L.k = R.k AND L.ws = R.ws");
  sqlite3_close (db);
  g_assert_cmpuint (want->len, ==, 9);
  g_assert_cmpstr (want->pdata[0], ==, "1|a|1|x|0"); /* sorted: a-x first */
  g_assert_cmpuint (got->len, ==, want->len);
  for (guint i = 0; i < got->len; i++)
    g_assert_cmpstr (got->pdata[i], ==, want->pdata[i]);
  g_unlink (lpath);
  g_unlink (rpath);
  g_rmdir (dir);
}

#define ADD(path, fn) \
  g_test_add ("/runtime/window-join/" path, Fixture, NULL, fixture_setup, fn, \
              fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("inner", test_inner);
  ADD ("late", test_late);
  ADD ("left-outer", test_left_outer);
  ADD ("right-outer", test_right_outer);
  ADD ("full-outer", test_full_outer);
  g_test_add_func ("/runtime/window-join/recognise", test_recognise);
  g_test_add_data_func ("/runtime/window-join/oracle/p1", GUINT_TO_POINTER (1), test_oracle);
  g_test_add_data_func ("/runtime/window-join/oracle/p2", GUINT_TO_POINTER (2), test_oracle);
  return g_test_run ();
}
