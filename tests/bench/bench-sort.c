/* bench-sort.c: rows per second of the sort operator (rt-op-sort.c) on one core, driven
 * directly with 1024-row batches of (k BIGINT random, p VARCHAR of 16 bytes): an in-memory
 * sort (budget well above the data) and an external one (budget a tenth of the data, so
 * it spills LZ4 runs and merges them), then SQLite's ORDER BY on the same rows in memory
 * for a ratio, and the process's peak resident memory (VmHWM from /proc/self/status).
 * Times are CPU seconds of the process (single-threaded work), so a busy machine does not
 * distort them; the time to make the input batches is measured apart and subtracted.
 * The spilling sort runs first, so the VmHWM printed after it is its own peak resident
 * memory (the budget plus a fixed overhead). Figures are printed, never asserted.
 * STROM_BENCH_SORT_ROWS overrides the row count (default 4M). */
#include "runtime/engine/rt-operator.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define BATCH 1024

/* CPU time of the process in microseconds: everything here is single-threaded, and CPU
 * time stays meaningful on a loaded machine where wall time does not. */
static gint64
cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static guint64 out_rows;

static RtResult
count_rows (void *data, RtBatch *batch, GError **error)
{
  out_rows += batch->n_rows;
  return RT_OK;
}

static guint64
next_key (guint64 *seed)
{
  *seed = *seed * 6364136223846793005u + 1442695040888963407u;
  return *seed >> 20;
}

static PlanSchema *
make_schema (void)
{
  PlanSchema *schema = plan_schema_new (2);

  plan_schema_set_field (schema, 0, "k", plan_type_make (PLAN_TYPE_BIGINT, FALSE));
  plan_schema_set_field (schema, 1, "p", plan_type_make (PLAN_TYPE_VARCHAR, FALSE));
  return schema;
}

static long
vm_hwm_kb (void)
{
  g_autofree char *text = NULL;
  const char *at;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL)
      || (at = strstr (text, "VmHWM:")) == NULL)
    return -1;
  return strtol (at + 6, NULL, 10);
}

/* Seconds to make the input batches alone (strings formatted, interned), so the sort's
 * own time can be told apart: SQLite's is measured without its inserts too. */
static double
run_generate (guint64 n_rows)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanSchema) schema = make_schema ();
  RtMemPool *pool = rt_mem_pool_new (64 * 1024 * 1024);
  guint64 seed = 7;
  gint64 t0 = cpu_us ();

  for (guint64 done = 0; done < n_rows; done += BATCH)
    {
      g_autoptr (RtBatch) b = rt_batch_new (pool, schema, BATCH, &error);
      char text[17];

      for (guint r = 0; r < BATCH; r++)
        {
          guint64 k = next_key (&seed);

          g_snprintf (text, sizeof text, "%016" G_GINT64_MODIFIER "x", k * 31);
          RT_VEC (b, 0, gint64)[r] = (gint64) k;
          RT_VEC (b, 1, RtStr)[r] = rt_batch_intern (b, text, 16, &error);
        }
      b->n_rows = BATCH;
    }
  t0 = cpu_us () - t0;
  rt_mem_pool_free (pool);
  return t0 / 1e6;
}

/* Sorts n_rows rows under a pool of budget bytes; returns seconds. */
static double
run_sort (guint64 n_rows, gsize budget, gsize *peak)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanSchema) schema = make_schema ();
  RtMemPool *pool = rt_mem_pool_new (budget);
  RtOpContext ctx = { .pool = pool, .parallelism = 1, .batch_size = BATCH,
                      .bounded_only = TRUE };
  PlanPhysNode *input = plan_phys_node_new (PLAN_PHYS_VALUES, plan_schema_ref (schema),
                                            (PlanSpan) { 0 }, 1);
  PlanPhysNode *node = plan_phys_node_new (PLAN_PHYS_SORT, plan_schema_ref (schema),
                                           (PlanSpan) { 0 }, 1);
  RtOperator *op;
  guint64 seed = 7;
  gint64 t0;

  plan_phys_node_add_input (node, plan_phys_node_ref (input), PLAN_EXCHANGE_FORWARD, 0, NULL);
  node->u.sort.n_keys = 1;
  node->u.sort.keys = g_new0 (guint, 1);
  node->u.sort.descending = g_new0 (gboolean, 1);
  node->u.sort.nulls_first = g_new0 (gboolean, 1);
  node->u.sort.limit = -1;
  op = rt_op_sort_new (node, &error);
  g_assert_no_error (error);
  op->ctx = &ctx;
  op->sink_fn = count_rows;
  g_assert_true (op->klass->open (op, &error));
  out_rows = 0;
  t0 = cpu_us ();
  for (guint64 done = 0; done < n_rows; done += BATCH)
    {
      g_autoptr (RtBatch) b = rt_batch_new (pool, schema, BATCH, &error);
      char text[17];

      g_assert_no_error (error);
      for (guint r = 0; r < BATCH; r++)
        {
          guint64 k = next_key (&seed);

          g_snprintf (text, sizeof text, "%016" G_GINT64_MODIFIER "x", k * 31);
          RT_VEC (b, 0, gint64)[r] = (gint64) k;
          RT_VEC (b, 1, RtStr)[r] = rt_batch_intern (b, text, 16, &error);
        }
      b->n_rows = BATCH;
      g_assert_cmpint (op->klass->process (op, b, 0, &error), ==, RT_OK);
    }
  g_assert_cmpint (op->klass->finish (op, &error), ==, RT_OK);
  g_assert_no_error (error);
  t0 = cpu_us () - t0;
  g_assert_cmpuint (out_rows, ==, (n_rows + BATCH - 1) / BATCH * BATCH);
  *peak = rt_mem_pool_get_peak (pool);
  rt_operator_free (op);
  plan_phys_node_unref (node);
  plan_phys_node_unref (input);
  rt_mem_pool_free (pool);
  return t0 / 1e6;
}

static double
run_sqlite (guint64 n_rows)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  guint64 seed = 7, n = 0;
  gint64 t0;
  char text[17];

  sqlite3_open (":memory:", &db);
  sqlite3_exec (db, "CREATE TABLE t (k INTEGER, p TEXT); BEGIN", NULL, NULL, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO t VALUES (?, ?)", -1, &st, NULL);
  for (guint64 i = 0; i < (n_rows + BATCH - 1) / BATCH * BATCH; i++)
    {
      guint64 k = next_key (&seed);

      g_snprintf (text, sizeof text, "%016" G_GINT64_MODIFIER "x", k * 31);
      sqlite3_bind_int64 (st, 1, (sqlite3_int64) k);
      sqlite3_bind_text (st, 2, text, 16, SQLITE_TRANSIENT);
      sqlite3_step (st);
      sqlite3_reset (st);
    }
  sqlite3_finalize (st);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  t0 = cpu_us ();
  sqlite3_prepare_v2 (db, "SELECT k, p FROM t ORDER BY k", -1, &st, NULL);
  while (sqlite3_step (st) == SQLITE_ROW)
    n++;
  sqlite3_finalize (st);
  t0 = cpu_us () - t0;
  sqlite3_close (db);
  g_assert_cmpuint (n, >, 0);
  return t0 / 1e6;
}

int
main (int argc, char **argv)
{
  const char *env = g_getenv ("STROM_BENCH_SORT_ROWS");
  guint64 n = env != NULL ? g_ascii_strtoull (env, NULL, 10) : 4000000;
  /* about 64 bytes of pool per row (block, arena), so the data is about n * 64 bytes */
  gsize data_bytes = (gsize) n * 64, peak = 0;
  double t_mem, t_spill, t_sqlite;
  long hwm_mem, hwm_spill;

  double t_gen = run_generate (n);

  printf ("making the input: %.2f s (subtracted below)\n", t_gen);
  t_spill = run_sort (n, data_bytes / 10, &peak) - t_gen;
  hwm_spill = vm_hwm_kb ();
  printf ("sort spilling  : %8.2f M rows/s (budget %" G_GSIZE_FORMAT " MiB, pool peak %"
          G_GSIZE_FORMAT " MiB, %.2f s), VmHWM %ld MiB (process peak so far)\n",
          n / t_spill / 1e6, (data_bytes / 10) >> 20, peak >> 20, t_spill, hwm_spill / 1024);
  t_mem = run_sort (n, data_bytes * 4, &peak) - t_gen; /* the share is half the budget */
  hwm_mem = vm_hwm_kb ();
  printf ("sort in memory : %8.2f M rows/s (%" G_GUINT64_FORMAT " rows, %.2f s, pool peak %"
          G_GSIZE_FORMAT " MiB), VmHWM %ld MiB (process peak so far)\n", n / t_mem / 1e6, n,
          t_mem, peak >> 20, hwm_mem / 1024);
  t_sqlite = run_sqlite (n);
  printf ("sqlite ORDER BY: %8.2f M rows/s (in-memory table), strom in-memory is %.2fx\n",
          n / t_sqlite / 1e6, t_sqlite / t_mem);
  return 0;
}
