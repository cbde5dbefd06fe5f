/* bench-csv.c: rows/s and MB/s of the csv source on one core, reading a temporary file
 * of three numeric columns (BIGINT, INT, DOUBLE) from the page cache, all columns and
 * then one projected column (projection pushdown skips the conversion of the others).
 * Target: well over 5M rows/s for all three columns. */
#include "tests/runtime/source-harness.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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
run_once (PlanPhysNode *node, guint64 *rows)
{
  RtMemPool *pool = rt_mem_pool_new (64 * 1024 * 1024);
  RtOpContext ctx = { .pool = pool, .parallelism = 1, .batch_size = 1024 };
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
  g_assert_no_error (error);
  g_assert_cmpint (res, ==, RT_DONE);
  *rows = count.rows;
  rt_operator_free (op);
  rt_mem_pool_free (pool);
  return (double) (end - start) / 1e6;
}

static char *
write_data (guint n, gsize *size)
{
  GString *text = g_string_sized_new ((gsize) n * 24);
  GError *error = NULL;
  char *path;
  guint64 x = 88172645463325252u;
  int fd;

  fd = g_file_open_tmp ("strom-bench-XXXXXX.csv", &path, &error);
  g_assert_no_error (error);
  close (fd);
  for (guint i = 0; i < n; i++)
    {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      g_string_append_printf (text, "%u,%u,%u.%02u\n", i, (guint) (x % 100000),
                              (guint) (x >> 40) % 10000, (guint) (x >> 20) % 100);
    }
  g_file_set_contents (path, text->str, (gssize) text->len, &error);
  g_assert_no_error (error);
  *size = text->len;
  g_string_free (text, TRUE);
  return path;
}

int
main (int argc, char **argv)
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 5000000;
  gsize size = 0;
  g_autofree char *path = write_data (n, &size);
  g_autoptr (PlanTable) table = table_new ("t", "id BIGINT; qty INT; price DOUBLE");
  const guint one[] = { 2 };
  PlanPhysNode *nodes[2];
  const char *names[] = { "all 3 columns", "1 of 3 columns" };

  plan_table_add_option (table, "connector", "filesystem");
  plan_table_add_option (table, "format", "csv");
  plan_table_add_option (table, "path", path);
  nodes[0] = source_node_new (table, NULL, 0, NULL, 1);
  nodes[1] = source_node_new (table, one, 1, NULL, 1);
  for (guint i = 0; i < 2; i++)
    {
      guint64 rows = 0;
      double secs;

      run_once (nodes[i], &rows); /* warm the page cache */
      secs = run_once (nodes[i], &rows);
      g_assert_cmpuint (rows, ==, n);
      printf ("csv %s: %" G_GUINT64_FORMAT " rows, %.1f MB in %.3f s = %.1f M rows/s, "
              "%.0f MB/s\n", names[i], rows, size / 1e6, secs, rows / secs / 1e6,
              size / secs / 1e6);
      plan_phys_node_unref (nodes[i]);
    }
  g_remove (path);
  return 0;
}
