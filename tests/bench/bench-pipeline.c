/* bench-pipeline.c: (2) datagen -> filter -> project -> blackhole through the whole stack
 * (SQL, optimizer, job), rows/s at parallelism 1 (one task thread: one core) and 2.
 * The datagen source is unthrottled ('rows-per-second' = '0'); the filter keeps about
 * half the rows and the projection computes three expressions. */
#include "runtime/gateway/gw-client.h"

#include <stdio.h>

static double
run (guint parallelism, guint batch, guint64 rows)
{
  g_autoptr (GwClient) c = gw_client_new_embedded (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *set = g_strdup_printf ("SET 'parallelism.default' = '%u'", parallelism);
  g_autofree char *set_batch = g_strdup_printf ("SET 'execution.batch-size' = '%u'", batch);
  g_autofree char *ddl = g_strdup_printf (
    "CREATE TABLE gen (id BIGINT, user_id INT, price DOUBLE) WITH ('connector' = 'datagen', "
    "'rows-per-second' = '0', 'number-of-rows' = '%" G_GUINT64_FORMAT "', "
    "'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '%"
    G_GUINT64_FORMAT "', 'fields.user_id.min' = '1', 'fields.user_id.max' = '1000', "
    "'fields.price.min' = '0', 'fields.price.max' = '100')", rows, rows);
  GwOperation *op;
  gint64 t0, t1;

  gw_client_execute (c, set, &error);
  g_assert_no_error (error);
  gw_client_execute (c, set_batch, &error);
  g_assert_no_error (error);
  gw_client_execute (c, ddl, &error);
  g_assert_no_error (error);
  gw_client_execute (c, "CREATE TABLE sink (id BIGINT, gross DOUBLE, bucket INT) "
                        "WITH ('connector' = 'blackhole')", &error);
  g_assert_no_error (error);
  t0 = g_get_monotonic_time ();
  op = gw_client_execute (c, "INSERT INTO sink SELECT id, price * 1.19, user_id % 10 "
                             "FROM gen WHERE price > 50", &error);
  g_assert_no_error (error);
  g_assert (gw_operation_wait (op) == GW_STATUS_FINISHED);
  t1 = g_get_monotonic_time ();
  return (double) rows / ((double) (t1 - t0) / G_USEC_PER_SEC);
}

int
main (void)
{
  guint64 rows = 200u * 1000 * 1000;
  guint sizes[] = { 512, 1024 };

  printf ("datagen -> filter -> project -> blackhole, %" G_GUINT64_FORMAT " rows:\n", rows);
  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      double p1 = run (1, sizes[k], rows), p2 = run (2, sizes[k], rows);

      printf ("  %4u-row batches, parallelism 1 (one core): %.1f M rows/s\n", sizes[k],
              p1 / 1e6);
      printf ("  %4u-row batches, parallelism 2 (two cores): %.1f M rows/s\n", sizes[k],
              p2 / 1e6);
    }
  return 0;
}
