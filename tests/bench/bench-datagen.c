/* bench-datagen.c: rows per second of the datagen source on one core, unlimited rate,
 * for the shape of a typical benchmark table (a BIGINT sequence, a random BIGINT with a
 * range and a random DOUBLE), at a few batch sizes. The source should be far faster
 * than anything downstream (target: well over 50M rows/s). */
#include "tests/runtime/source-harness.h"

#include <stdio.h>

typedef struct {
  guint64 rows;
} Count;

static RtResult
count_rows (void *data, RtBatch *batch, GError **error)
{
  ((Count *) data)->rows += batch->n_rows;
  return RT_OK;
}

static double
run_once (PlanPhysNode *node, guint batch_size, guint64 *rows)
{
  RtMemPool *pool = rt_mem_pool_new (64 * 1024 * 1024);
  RtOpContext ctx = { .pool = pool, .parallelism = 1, .batch_size = batch_size };
  GError *error = NULL;
  RtOperator *op = rt_source_new (node, 0, 1, &error);
  Count count = { 0 };
  gint64 start, end;
  RtResult res;

  g_assert_no_error (error);
  op->ctx = &ctx;
  op->sink_fn = count_rows;
  op->sink_data = &count;
  start = g_get_monotonic_time ();
  while ((res = op->klass->produce (op, &error)) == RT_OK)
    ;
  end = g_get_monotonic_time ();
  g_assert_cmpint (res, ==, RT_DONE);
  *rows = count.rows;
  rt_operator_free (op);
  rt_mem_pool_free (pool);
  return (double) (end - start) / 1e6;
}

int
main (int argc, char **argv)
{
  const char *n_rows = argc > 1 ? argv[1] : "100000000";
  g_autoptr (PlanTable) table = table_new ("bid", "id BIGINT; price BIGINT; x DOUBLE");
  g_autoptr (PlanPhysNode) node = NULL;
  const guint batch_sizes[] = { 1024, 4096 };

  plan_table_add_option (table, "connector", "datagen");
  plan_table_add_option (table, "rows-per-second", "0");
  plan_table_add_option (table, "number-of-rows", n_rows);
  plan_table_add_option (table, "fields.id.kind", "sequence");
  plan_table_add_option (table, "fields.id.start", "1");
  plan_table_add_option (table, "fields.id.end", "9000000000000000000");
  plan_table_add_option (table, "fields.price.min", "1");
  plan_table_add_option (table, "fields.price.max", "1000000");
  node = source_node_new (table, NULL, 0, NULL, 1);
  for (guint i = 0; i < G_N_ELEMENTS (batch_sizes); i++)
    {
      guint64 rows = 0;
      double secs = run_once (node, batch_sizes[i], &rows);

      printf ("datagen seq BIGINT + random BIGINT + random DOUBLE, batch %u: "
              "%" G_GUINT64_FORMAT " rows in %.3f s = %.1f M rows/s\n", batch_sizes[i],
              rows, secs, (double) rows / secs / 1e6);
    }
  return 0;
}
