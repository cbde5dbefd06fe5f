/* test-sort-merge.c: the merge of parallel sorted streams (runtime/engine/rt-op-sort-merge.c)
 * and the plan shape that uses it.
 *
 * First the operator alone, fed by hand as the task would feed it: batches tagged with
 * their producer subtask, END_OF_INPUT per subtask, finish at the end. It must wait until
 * every open stream has shown its next row, pause a stream that has a batch waiting and
 * resume it when the batch is used up, put ties in producer order, follow the sort's
 * NULL placement, DESC and second key, and cope with a producer that sends nothing.
 * Then whole jobs compiled from SQL at parallelism 2 and 3 over CSV files whose rows are
 * listed here (each small file goes whole to one subtask, so a subtask can be empty),
 * with the expected order worked out by hand, the plan shape (local SORT chained after the
 * scan, MERGE exchange into one subtask), and EXPLAIN; and a job whose local sorts spill
 * under a small budget, checked for order and completeness. */
#include "runtime/engine/rt-operator.h"
#include "runtime/engine/rt-job.h"
#include "rt-test-util.h"
#include "optimizer/opt.h"
#include "plans/plan-sql.h"
#include "plans/plan-json.h"

#include <glib/gstdio.h>
#include <string.h>

static char *tmp_root; /* TMPDIR for the whole test: CSV files and spill files go here */

/* ---- the operator alone --------------------------------------------------------------- */

typedef struct {
  RtMemPool *pool;
  RtOpContext ctx;
  gint cancel;
  PlanSchema *schema;  /* k INT, s VARCHAR (both nullable) */
  PlanPhysNode *input; /* a VALUES node of parallelism 3, for its schema and parallelism */
  PlanPhysNode *node;  /* the SORT after a MERGE exchange */
  RtOperator *op;
  GPtrArray *out;      /* "+I k s" per emitted row */
} Fixture;

static RtResult
collect (void *data, RtBatch *batch, GError **error)
{
  Fixture *f = data;

  rt_test_collect_lines (f->out, batch, FALSE);
  return RT_OK;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->pool = rt_mem_pool_new (4 * 1024 * 1024);
  f->ctx = (RtOpContext) { .pool = f->pool, .parallelism = 1, .batch_size = 2,
                           .cancelled = &f->cancel, .bounded_only = TRUE };
  f->schema = plan_schema_new (2);
  plan_schema_set_field (f->schema, 0, "k", plan_type_make (PLAN_TYPE_INT, TRUE));
  plan_schema_set_field (f->schema, 1, "s", plan_type_make (PLAN_TYPE_VARCHAR, TRUE));
  f->input = plan_phys_node_new (PLAN_PHYS_VALUES, plan_schema_ref (f->schema),
                                 (PlanSpan) { 0 }, 3);
  f->out = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  rt_operator_free (f->op);
  g_clear_pointer (&f->node, plan_phys_node_unref);
  plan_phys_node_unref (f->input);
  plan_schema_unref (f->schema);
  g_ptr_array_unref (f->out);
  g_assert_cmpuint (rt_mem_pool_get_used (f->pool), ==, 0);
  rt_mem_pool_free (f->pool);
}

/* keys: "k+", "s-", "k+l" ... column, + ASC / - DESC, then f/l for NULLS FIRST/LAST
 * (default: Flink's, first for ASC, last for DESC). */
static void
make_merge (Fixture *f, const char *const *keys)
{
  g_autoptr (GError) error = NULL;
  guint n = g_strv_length ((char **) keys);
  PlanSort *s;

  f->node = plan_phys_node_new (PLAN_PHYS_SORT, plan_schema_ref (f->schema), (PlanSpan) { 0 },
                                1);
  plan_phys_node_add_input (f->node, plan_phys_node_ref (f->input), PLAN_EXCHANGE_MERGE, 0,
                            NULL);
  s = &f->node->u.sort;
  s->n_keys = n;
  s->keys = g_new0 (guint, n);
  s->descending = g_new0 (gboolean, n);
  s->nulls_first = g_new0 (gboolean, n);
  for (guint i = 0; i < n; i++)
    {
      s->keys[i] = keys[i][0] == 'k' ? 0 : 1;
      s->descending[i] = keys[i][1] == '-';
      s->nulls_first[i] = keys[i][2] ? keys[i][2] == 'f' : !s->descending[i];
    }
  s->limit = -1;
  f->op = rt_op_sort_merge_new (f->node, &error);
  g_assert_no_error (error);
  f->op->ctx = &f->ctx;
  f->op->sink_fn = collect;
  f->op->sink_data = f;
  g_assert_true (f->op->klass->open == NULL || f->op->klass->open (f->op, &error));
  g_assert_no_error (error);
}

/* Rows "k|s" ("-" for NULL), one batch from producer subtask `input`. */
static void
feed (Fixture *f, guint input, const char *const *rows)
{
  g_autoptr (GError) error = NULL;
  guint n = g_strv_length ((char **) rows);
  g_autoptr (RtBatch) b = rt_batch_new (f->pool, f->schema, MAX (n, 1u), &error);

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      g_auto (GStrv) parts = g_strsplit (rows[i], "|", 2);
      PlanValue v[2] = { { .type = f->schema->fields[0].type },
                         { .type = f->schema->fields[1].type } };

      v[0].is_null = strcmp (parts[0], "-") == 0;
      v[0].v.i = g_ascii_strtoll (parts[0], NULL, 10);
      v[1].is_null = strcmp (parts[1], "-") == 0;
      v[1].v.s = parts[1];
      g_assert_true (rt_batch_append_values (b, v, &error));
    }
  g_assert_cmpint (f->op->klass->process (f->op, b, input, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static void
end_input (Fixture *f, guint input)
{
  g_autoptr (GError) error = NULL;
  RtEvent eoi = { RT_EVENT_END_OF_INPUT, 0, 0 };

  g_assert_cmpint (f->op->klass->on_event (f->op, &eoi, input, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static void
finish (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (f->op->klass->finish (f->op, &error), ==, RT_OK);
  g_assert_no_error (error);
}

static void
assert_out (Fixture *f, const char *const *expected)
{
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < MIN (n, f->out->len); i++)
    g_assert_cmpstr (f->out->pdata[i], ==, expected[i]);
  g_assert_cmpuint (f->out->len, ==, n);
}

/* k ASC (NULLS FIRST), three producers, the third sends nothing. Nothing can go out while a
 * stream has shown no row; a stream with a batch waiting is paused until it is used up. */
static void
test_waits_and_pauses (Fixture *f, gconstpointer data)
{
  const char *const keys[] = { "k+", NULL };
  const char *const a1[] = { "-|a0", "1|a1", "4|a4", NULL }, *const a2[] = { "9|a9", NULL };
  const char *const b1[] = { "2|b2", "4|b4", NULL }, *const b2[] = { "5|b5", NULL };
  const char *const first[] = { "+I NULL a0", "+I 1 a1", "+I 2 b2", "+I 4 a4", NULL };
  const char *const all[] = { "+I NULL a0", "+I 1 a1", "+I 2 b2", "+I 4 a4", "+I 4 b4",
                              "+I 5 b5", "+I 9 a9", NULL };

  make_merge (f, keys);
  feed (f, 0, a1);
  g_assert_cmpuint (f->out->len, ==, 0); /* inputs 1 and 2 have shown nothing yet */
  g_assert_cmphex (f->op->paused_inputs, ==, 0x1);
  end_input (f, 2); /* the empty producer */
  g_assert_cmpuint (f->out->len, ==, 0);
  feed (f, 1, b1);
  /* NULL a0, 1 a1, 2 b2 go out, then 4 a4 ties 4 b4 and goes first (input 0), which uses
   * up input 0's batch: the merge stops there with b4 waiting, input 1 paused, input 0
   * resumed. Output batches hold 2 rows, so two went out whole. */
  g_assert_cmphex (f->op->paused_inputs, ==, 0x2);
  assert_out (f, first);
  feed (f, 0, a2);
  feed (f, 1, b2);
  end_input (f, 1);
  finish (f);
  assert_out (f, all);
  g_assert_cmphex (f->op->paused_inputs, ==, 0);
}

/* Ties across producers: lower producer first, each producer's own order kept (the s
 * values show it). DESC puts NULL last by default. */
static void
test_ties_desc (Fixture *f, gconstpointer data)
{
  const char *const keys[] = { "k-", NULL };
  const char *const in0[] = { "7|p", "3|q", "3|r", "-|s", NULL };
  const char *const in1[] = { "7|x", "3|y", "-|z", NULL };
  const char *const in2[] = { "8|m", "3|n", NULL };
  const char *const want[] = { "+I 8 m", "+I 7 p", "+I 7 x", "+I 3 q", "+I 3 r", "+I 3 y",
                               "+I 3 n", "+I NULL s", "+I NULL z", NULL };

  make_merge (f, keys);
  feed (f, 2, in2);
  feed (f, 1, in1);
  feed (f, 0, in0);
  finish (f);
  assert_out (f, want);
}

/* Two keys: s DESC NULLS FIRST, then k ASC NULLS LAST; one producer ends without rows. */
static void
test_two_keys_nulls (Fixture *f, gconstpointer data)
{
  const char *const keys[] = { "s-f", "k+l", NULL };
  /* each list in this order: NULL s first, then s descending, ties by k with NULL last */
  const char *const in0[] = { "2|-", "-|-", "1|b", "5|b", "-|b", "0|a", NULL };
  const char *const in2[] = { "1|-", "3|c", "4|b", "9|a", NULL };
  const char *const want[] = { "+I 1 NULL", "+I 2 NULL", "+I NULL NULL", "+I 3 c",
                               "+I 1 b", "+I 4 b", "+I 5 b", "+I NULL b", "+I 0 a", "+I 9 a",
                               NULL };

  make_merge (f, keys);
  end_input (f, 1);
  feed (f, 0, in0);
  feed (f, 2, in2);
  end_input (f, 0);
  finish (f);
  assert_out (f, want);
}

/* Every producer empty: no rows, no batch left behind. */
static void
test_all_empty (Fixture *f, gconstpointer data)
{
  const char *const keys[] = { "k+", NULL };
  const char *const none[] = { NULL };

  make_merge (f, keys);
  end_input (f, 0);
  end_input (f, 2);
  finish (f);
  assert_out (f, none);
}

/* ---- whole jobs from SQL -------------------------------------------------------------- */

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static OptResult *
optimize (const char *ddl_sql, const char *sql, const char *parallelism)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanCatalog) catalog = plan_catalog_new ();
  g_autoptr (PlanSettings) settings = plan_settings_new ();
  g_autoptr (PlanStatement) ddl = NULL, stmt = NULL;
  OptResult *r;

  ddl = plan_sql_compile_one (catalog, ddl_sql, &error);
  g_assert_no_error (error);
  g_assert_true (plan_catalog_add_table (catalog, ddl->table, &error));
  g_assert_true (plan_settings_set (settings, "execution.runtime-mode", "batch", &error));
  g_assert_true (plan_settings_set (settings, "parallelism.default", parallelism, &error));
  stmt = plan_sql_compile_one (catalog, sql, &error);
  g_assert_no_error (error);
  r = opt_optimize (stmt->plan, settings, &error);
  g_assert_no_error (error);
  return r;
}

/* Runs the plan on a pool of budget bytes (exceeding it fails at once) and returns its
 * rows as lines; the batches go to check when it is not NULL. */
static GPtrArray *
run_plan (PlanPhysPlan *plan, gsize budget, void (*check) (const RtBatch *b, gpointer data),
          gpointer data)
{
  g_autoptr (GError) error = NULL;
  RtMemPool *pool = rt_mem_pool_new (budget);
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  RtJob *job;
  gboolean end = FALSE;

  rt_mem_pool_set_wait_us (pool, 0);
  job = rt_job_new (plan, pool, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (rt_job_start (job, &error));
  g_assert_no_error (error);
  while (!end)
    {
      RtBatch *b = rt_job_pop_result (job, -1, &end);

      if (b == NULL)
        continue;
      if (check != NULL)
        check (b, data);
      else
        rt_test_collect_lines (lines, b, FALSE);
      rt_batch_unref (b);
    }
  g_assert_cmpint (rt_job_wait (job), ==, RT_JOB_FINISHED);
  rt_job_free (job);
  g_assert_cmpuint (rt_mem_pool_get_used (pool), ==, 0);
  rt_mem_pool_free (pool);
  return lines;
}

/* The shape: SORT (parallelism 1) <- MERGE <- SORT (parallelism p, chained) <- scan. */
static void
assert_merge_shape (OptResult *r, guint p)
{
  const PlanPhysNode *merge = opt_result_get_physical (r)->root->inputs[0].node, *local;

  g_assert_cmpint (merge->kind, ==, PLAN_PHYS_SORT);
  g_assert_cmpuint (merge->parallelism, ==, 1);
  g_assert_cmpint (merge->u.sort.limit, ==, -1);
  g_assert_cmpint (merge->inputs[0].exchange, ==, PLAN_EXCHANGE_MERGE);
  local = merge->inputs[0].node;
  g_assert_cmpint (local->kind, ==, PLAN_PHYS_SORT);
  g_assert_cmpuint (local->parallelism, ==, p);
  g_assert_true (local->chained);
  g_assert_cmpint (local->u.sort.limit, ==, -1);
  g_assert_cmpint (local->inputs[0].node->kind, ==, PLAN_PHYS_SOURCE);
}

/* Two files, one per subtask at parallelism 2 (a.csv to subtask 0, b.csv to 1), so both
 * local sorts have rows; at parallelism 3 the third subtask reads nothing. Order: v DESC
 * (NULLs last), then k ASC (NULLs first). By hand, all rows:
 *   v 30: k 1 (a), 2 (b)        v 20: k NULL (b), 3 (a), 3 (b), 5 (a)
 *   v 10: k 4 (b)               v NULL: k NULL (a), 6 (b)
 * The two rows (3, 20) are equal in every column, so their order does not show. */
static const char *const sql_want[] = {
  "+I 1 30", "+I 2 30", "+I NULL 20", "+I 3 20", "+I 3 20", "+I 5 20", "+I 4 10",
  "+I NULL NULL", "+I 6 NULL", NULL };

static void
test_sql (gconstpointer data)
{
  const char *parallelism = data;
  g_autofree char *dir = g_build_filename (tmp_root, "csv", NULL);
  g_autofree char *ddl = NULL;
  g_autoptr (OptResult) r = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  guint n = g_strv_length ((char **) sql_want);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  write_file (dir, "a.csv", "k,v\n5,20\n,\n1,30\n3,20\n");
  write_file (dir, "b.csv", "k,v\n3,20\n6,\n4,10\n,20\n2,30\n");
  ddl = g_strdup_printf ("CREATE TABLE t (k BIGINT, v BIGINT) WITH ('connector' = "
                         "'filesystem', 'path' = '%s', 'format' = 'csv', "
                         "'csv.header' = 'true')", dir);
  r = optimize (ddl, "SELECT k, v FROM t ORDER BY v DESC, k", parallelism);
  assert_merge_shape (r, (guint) g_ascii_strtoull (parallelism, NULL, 10));
  lines = run_plan (opt_result_get_physical (r), 8 * 1024 * 1024, NULL, NULL);
  for (guint i = 0; i < MIN (n, lines->len); i++)
    g_assert_cmpstr (lines->pdata[i], ==, sql_want[i]);
  g_assert_cmpuint (lines->len, ==, n);
}

/* EXPLAIN names the merge and the ordered exchange under it, the local sort below. */
static void
test_explain (void)
{
  g_autoptr (OptResult) r = optimize ("CREATE TABLE g (k BIGINT, v BIGINT) WITH "
                                      "('connector' = 'datagen', 'number-of-rows' = '10')",
                                      "SELECT k, v FROM g ORDER BY v DESC, k", "2");
  g_autofree char *text = plan_phys_explain (opt_result_get_physical (r));
  const char *merge, *exchange, *local;

  merge = strstr (text, "SortedMerge(orderBy=[v DESC NULLS LAST, k ASC NULLS FIRST]) "
                        "[parallelism=1");
  exchange = strstr (text, "Exchange(distribution=[single, ordered])");
  local = strstr (text, "Sort(orderBy=[v DESC NULLS LAST, k ASC NULLS FIRST]) "
                        "[parallelism=2, chained");
  g_assert_nonnull (merge);
  g_assert_nonnull (exchange);
  g_assert_nonnull (local);
  g_assert_true (merge < exchange && exchange < local);
}

/* The MERGE exchange survives the plan's JSON (a remote job gets its plan that way). */
static void
test_json_round_trip (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OptResult) r = optimize ("CREATE TABLE g (k BIGINT, v BIGINT) WITH "
                                      "('connector' = 'datagen', 'number-of-rows' = '10')",
                                      "SELECT k, v FROM g ORDER BY v", "2");
  g_autofree char *json = plan_phys_to_json (opt_result_get_physical (r), FALSE);
  g_autofree char *again = NULL;
  g_autoptr (PlanPhysPlan) back = NULL;

  g_assert_nonnull (strstr (json, "\"MERGE\""));
  back = plan_phys_from_json (json, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->root->inputs[0].node->inputs[0].exchange, ==, PLAN_EXCHANGE_MERGE);
  again = plan_phys_to_json (back, FALSE);
  g_assert_cmpstr (json, ==, again);
}

/* A Top-N keeps its local Top-N + GATHER, and parallelism 1 keeps the single sort. */
static void
test_shapes_unchanged (void)
{
  const char *ddl = "CREATE TABLE g (k BIGINT, v BIGINT) WITH ('connector' = 'datagen', "
                    "'number-of-rows' = '10')";
  g_autoptr (OptResult) top = optimize (ddl, "SELECT k FROM g ORDER BY k LIMIT 3", "2");
  g_autoptr (OptResult) one = optimize (ddl, "SELECT k FROM g ORDER BY k", "1");
  const PlanPhysNode *sort = opt_result_get_physical (top)->root->inputs[0].node;

  g_assert_cmpint (sort->inputs[0].exchange, ==, PLAN_EXCHANGE_GATHER);
  g_assert_cmpint (sort->u.sort.limit, ==, 3);
  sort = opt_result_get_physical (one)->root->inputs[0].node;
  g_assert_cmpint (sort->kind, ==, PLAN_PHYS_SORT);
  g_assert_cmpint (sort->inputs[0].exchange, ==, PLAN_EXCHANGE_FORWARD);
  g_assert_cmpint (sort->inputs[0].node->kind, ==, PLAN_PHYS_SOURCE);
}

/* ---- spilling ------------------------------------------------------------------------- */

#define SPILL_ROWS 120000

typedef struct {
  guint64 rows;
  guint64 sum_k, sum_k2;  /* k is the sequence 1 .. SPILL_ROWS: sums tell it is complete */
  gboolean have_prev, ordered;
  gboolean prev_null;
  gint64 prev_v, prev_k;
} SpillCheck;

/* Order under test: v ASC NULLS FIRST, then k DESC (k never NULL). */
static void
spill_check (const RtBatch *b, gpointer data)
{
  SpillCheck *c = data;

  for (guint r = 0; r < b->n_rows; r++)
    {
      gboolean null = !rt_vec_is_valid (&b->cols[1], r);
      gint64 k = RT_VEC (b, 0, gint64)[r], v = RT_VEC (b, 1, gint64)[r];

      if (c->have_prev)
        {
          int order = c->prev_null != null ? (c->prev_null ? -1 : 1)
                      : !null && c->prev_v != v ? (c->prev_v < v ? -1 : 1)
                      : (c->prev_k > k ? -1 : c->prev_k < k ? 1 : 0);
          if (order >= 0)
            c->ordered = FALSE; /* k is unique, so no two rows tie */
        }
      c->have_prev = TRUE;
      c->prev_null = null;
      c->prev_v = v;
      c->prev_k = k;
      c->rows++;
      c->sum_k += (guint64) k;
      c->sum_k2 += (guint64) k * (guint64) k;
    }
}

/* 120,000 rows at parallelism 2 on a 2 MiB pool: each local sort's share is a quarter of it
 * (half the budget split over 2 subtasks), and its 60,000 rows hold about 4.8 MB (16 bytes
 * of values and 64 of references each), so both spill several runs; the merge then reads
 * their two streams. Spill directories are gone afterwards. */
static void
test_spill (void)
{
  const char *ddl = "CREATE TABLE g (k BIGINT, v BIGINT) WITH ('connector' = 'datagen', "
                    "'number-of-rows' = '120000', 'fields.k.kind' = 'sequence', "
                    "'fields.k.start' = '1', 'fields.k.end' = '120000', "
                    "'fields.v.min' = '0', 'fields.v.max' = '500', "
                    "'fields.v.null-rate' = '0.01', 'rows-per-second' = '0')";
  g_autoptr (OptResult) r = optimize (ddl, "SELECT k, v FROM g ORDER BY v NULLS FIRST, k DESC",
                                      "2");
  g_autoptr (GPtrArray) lines = NULL;
  g_autoptr (GDir) dir = NULL;
  SpillCheck c = { .ordered = TRUE };
  guint64 n = SPILL_ROWS;

  assert_merge_shape (r, 2);
  lines = run_plan (opt_result_get_physical (r), 2 * 1024 * 1024, spill_check, &c);
  g_assert_true (c.ordered);
  g_assert_cmpuint (c.rows, ==, n);
  g_assert_cmpuint (c.sum_k, ==, n * (n + 1) / 2);
  g_assert_cmpuint (c.sum_k2, ==, n * (n + 1) * (2 * n + 1) / 6);
  dir = g_dir_open (tmp_root, 0, NULL);
  for (const char *name; dir != NULL && (name = g_dir_read_name (dir)) != NULL;)
    g_assert_false (g_str_has_prefix (name, "strom-sort"));
}

int
main (int argc, char **argv)
{
  int status;

  /* not g_dir_make_tmp: that would make GLib cache the old TMPDIR */
  tmp_root = g_build_filename (g_getenv ("TMPDIR") ? g_getenv ("TMPDIR") : "/tmp",
                               "strom-test-sort-merge-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (tmp_root));
  g_setenv ("TMPDIR", tmp_root, TRUE); /* before GLib first reads it */
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/runtime/sort-merge/waits-and-pauses", test_waits_and_pauses);
  ADD ("/runtime/sort-merge/ties-desc", test_ties_desc);
  ADD ("/runtime/sort-merge/two-keys-nulls", test_two_keys_nulls);
  ADD ("/runtime/sort-merge/all-empty", test_all_empty);
  g_test_add_data_func ("/runtime/sort-merge/sql-parallel-2", "2", test_sql);
  g_test_add_data_func ("/runtime/sort-merge/sql-parallel-3", "3", test_sql);
  g_test_add_func ("/runtime/sort-merge/explain", test_explain);
  g_test_add_func ("/runtime/sort-merge/json-round-trip", test_json_round_trip);
  g_test_add_func ("/runtime/sort-merge/shapes-unchanged", test_shapes_unchanged);
  g_test_add_func ("/runtime/sort-merge/spill", test_spill);
  status = g_test_run ();
  {
    g_autofree char *csv = g_build_filename (tmp_root, "csv", NULL);
    g_autofree char *a = g_build_filename (csv, "a.csv", NULL);
    g_autofree char *b = g_build_filename (csv, "b.csv", NULL);

    g_unlink (a);
    g_unlink (b);
    g_rmdir (csv);
  }
  g_rmdir (tmp_root);
  g_free (tmp_root);
  return status;
}
