/* bench-channel.c: (1) rows/s through one channel between two threads, and per-row
 * latency p50/p99 at 1M rows/s with buffer timeouts 0, 1 and 10 ms.
 *
 * Throughput: the producer emits full 1024-row BIGINT batches through an RtWriter
 * (FORWARD) into one channel; the consumer pops, reads every value and recycles the batch.
 * Latency: the producer paces itself to 1M rows/s, stamping each row with the time it was
 * due; rows go out in small groups (as a rate-limited source would emit them), so the
 * writer's buffer timeout decides how long they wait before the hand-off. The consumer
 * records now - stamp for every row. */
#include "runtime/engine/rt-channel.h"
#include "runtime/engine/rt-job-private.h"

#include <stdio.h>

typedef struct {
  RtChannel *ch;
  RtWriter *w;
  RtMemPool *pool;
  PlanSchema *schema;
  guint64 rows;
  gint64 rate;        /* rows/s; 0 = as fast as possible */
  gint64 timeout_us;
  volatile gint stop;
} Bench;

static gpointer
producer (gpointer data)
{
  Bench *b = data;
  gint64 start = g_get_monotonic_time ();
  guint64 sent = 0;

  while (sent < b->rows)
    {
      guint n = 1024;
      RtBatch *batch;
      gint64 now = g_get_monotonic_time (), next_flush;

      if (b->rate > 0)
        {
          guint64 due = (guint64) ((now - start) * b->rate / G_USEC_PER_SEC);
          if (due <= sent)
            {
              rt_writer_flush_due (b->w, now, &next_flush, NULL);
              continue; /* spin until the next row is due */
            }
          n = (guint) MIN (MIN (due - sent, 1024u), b->rows - sent);
        }
      else
        n = (guint) MIN (1024u, b->rows - sent);
      batch = rt_batch_new (b->pool, b->schema, 1024, NULL);
      for (guint i = 0; i < n; i++)
        RT_VEC (batch, 0, gint64)[i] =
          b->rate > 0 ? start + (gint64) ((sent + i) * G_USEC_PER_SEC / (guint64) b->rate) : (gint64) (sent + i);
      batch->n_rows = n;
      rt_writer_emit (b->w, batch, NULL);
      rt_batch_unref (batch);
      sent += n;
      rt_writer_flush_due (b->w, g_get_monotonic_time (), &next_flush, NULL);
    }
  rt_writer_flush (b->w, NULL);
  {
    RtEvent eoi = { RT_EVENT_END_OF_INPUT, 0, 0 };
    rt_writer_event (b->w, &eoi, NULL);
  }
  return NULL;
}

static void
run (guint64 rows, gint64 rate, gint64 timeout_us, guint batch, double *out_rows_per_s,
     RtHistogram *hist)
{
  RtNotify *pn = rt_notify_new (), *cn = rt_notify_new ();
  PlanSchema *s = plan_schema_new (1);
  Bench b = { 0 };
  GThread *th;
  gint64 t0, t1;
  guint64 got = 0, sum = 0;

  plan_schema_set_field (s, 0, "x", plan_type_make (PLAN_TYPE_BIGINT, FALSE));
  b.pool = rt_mem_pool_new (64 << 20);
  b.schema = s;
  b.ch = rt_channel_new (8, pn, cn);
  b.w = rt_writer_new (PLAN_EXCHANGE_FORWARD, 1, &b.ch, s, b.pool, batch, timeout_us, NULL, 0,
                       NULL);
  b.rows = rows;
  b.rate = rate;
  t0 = g_get_monotonic_time ();
  th = g_thread_new ("producer", producer, &b);
  for (;;)
    {
      RtElement e;

      if (!rt_channel_try_pop (b.ch, &e))
        {
          rt_notify_prepare (cn);
          if (rt_channel_get_fill (b.ch) == 0)
            rt_notify_wait (cn, -1);
          else
            rt_notify_cancel_prepare (cn);
          continue;
        }
      if (e.kind == RT_ELEM_EVENT)
        break;
      {
        const gint64 *v = RT_VEC (e.batch, 0, gint64);
        if (hist != NULL)
          {
            gint64 now = g_get_monotonic_time ();
            for (guint i = 0; i < e.batch->n_rows; i++)
              rt__histogram_add (hist, now - v[i]);
          }
        else
          for (guint i = 0; i < e.batch->n_rows; i++)
            sum += (guint64) v[i];
      }
      got += e.batch->n_rows;
      rt_batch_unref (e.batch);
    }
  t1 = g_get_monotonic_time ();
  g_thread_join (th);
  g_assert (got == rows);
  if (hist == NULL)
    g_assert (sum == rows * (rows - 1) / 2);
  *out_rows_per_s = (double) rows / ((double) (t1 - t0) / G_USEC_PER_SEC);
  rt_writer_free (b.w);
  rt_channel_free (b.ch);
  rt_mem_pool_free (b.pool);
  rt_notify_free (pn);
  rt_notify_free (cn);
  plan_schema_unref (s);
}

int
main (void)
{
  double rps;
  gint64 timeouts[] = { 0, 1000, 10000 };

  guint sizes[] = { 1024, 512, 256 };

  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      run (200u * 1000 * 1000, 0, 100000, sizes[k], &rps, NULL);
      printf ("channel throughput: %.1f M rows/s (200M BIGINT rows, %u-row batches, "
              "2 threads)\n", rps / 1e6, sizes[k]);
    }
  /* At 1M rows/s a 1024-row batch fills in 1.02 ms, so the 1 ms timeout flushes it and
   * the first row of each batch waits the whole timeout; a 512-row batch fills in 0.51
   * ms and leaves on its own. Percentiles are bucket upper bounds (1/16 of a power of
   * two: 64 us near 1 ms, 32 us near 0.5 ms). */
  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    for (guint i = 0; i < G_N_ELEMENTS (timeouts); i++)
      {
        RtHistogram *h = g_new0 (RtHistogram, 1);

        run (3u * 1000 * 1000, 1000 * 1000, timeouts[i], sizes[k], &rps, h);
        printf ("latency at 1M rows/s, %4u-row batches, buffer timeout %2" G_GINT64_FORMAT
                " ms: p50 %.3f ms, p99 %.3f ms (%.2f M rows/s delivered)\n", sizes[k],
                timeouts[i] / 1000, rt__histogram_percentile_ms (h, 0.50),
                rt__histogram_percentile_ms (h, 0.99), rps / 1e6);
        g_free (h);
      }
  return 0;
}
