/* test-channel.c: credits, order, backpressure and close semantics of SPSC channels, and
 * the writer's partitioners. */
#include "runtime/engine/rt-channel.h"

#include <string.h>

static PlanSchema *
int_schema (void)
{
  PlanSchema *s = plan_schema_new (1);

  plan_schema_set_field (s, 0, "x", plan_type_make (PLAN_TYPE_BIGINT, FALSE));
  return s;
}

static RtBatch *
make_batch (RtMemPool *pool, PlanSchema *s, gint64 first, guint n)
{
  RtBatch *b = rt_batch_new (pool, s, MAX (n, 1u), NULL);

  for (guint i = 0; i < n; i++)
    RT_VEC (b, 0, gint64)[i] = first + i;
  b->n_rows = n;
  return b;
}

static void
test_credit (void)
{
  RtNotify *p = rt_notify_new (), *c = rt_notify_new ();
  RtChannel *ch = rt_channel_new (4, p, c);
  RtElement e;

  for (gint64 i = 0; i < 4; i++)
    {
      RtElement in = { RT_ELEM_EVENT, NULL, { RT_EVENT_WATERMARK, i, 0 } };
      g_assert_true (rt_channel_try_push (ch, &in));
    }
  {
    RtElement in = { RT_ELEM_EVENT, NULL, { RT_EVENT_WATERMARK, 99, 0 } };
    g_assert_false (rt_channel_try_push (ch, &in)); /* no credit left */
    g_assert_cmpuint (rt_channel_get_fill (ch), ==, 4);
    g_assert_true (rt_channel_try_pop (ch, &e));
    g_assert_cmpint (e.event.value, ==, 0);
    g_assert_true (rt_channel_try_push (ch, &in)); /* the pop returned one credit */
  }
  for (gint64 want = 1; want < 4; want++)
    {
      g_assert_true (rt_channel_try_pop (ch, &e));
      g_assert_cmpint (e.event.value, ==, want);
    }
  g_assert_true (rt_channel_try_pop (ch, &e));
  g_assert_cmpint (e.event.value, ==, 99);
  g_assert_false (rt_channel_try_pop (ch, &e));
  rt_channel_free (ch);
  rt_notify_free (p);
  rt_notify_free (c);
}

typedef struct {
  RtChannel *ch;
  RtMemPool *pool;
  PlanSchema *schema;
  guint n_batches;
  gint pushed;
  RtBlockClock blocked;
  volatile gint cancelled;
} Producer;

static gpointer
producer_thread (gpointer data)
{
  Producer *pr = data;

  for (guint i = 0; i < pr->n_batches; i++)
    {
      RtElement e = { RT_ELEM_BATCH, make_batch (pr->pool, pr->schema, (gint64) i * 16, 16), { 0 } };
      if (!rt_channel_push (pr->ch, &e, &pr->cancelled, &pr->blocked))
        break;
      g_atomic_int_inc (&pr->pushed);
    }
  return NULL;
}

/* A consumer that does not pop stalls the producer at exactly `credits` elements; once it
 * drains, every row arrives in order and the producer completes. */
static void
test_backpressure (void)
{
  g_autoptr (PlanSchema) s = int_schema ();
  RtMemPool *pool = rt_mem_pool_new (64 << 20);
  RtNotify *pn = rt_notify_new (), *cn = rt_notify_new ();
  Producer pr = { rt_channel_new (3, pn, cn), pool, s, 2000, 0, { 0, 0 }, 0 };
  GThread *th = g_thread_new ("producer", producer_thread, &pr);
  gint64 next = 0;
  guint got = 0;

  /* wait (bounded) until the producer parks for lack of credit */
  for (int i = 0; i < 20000 && !rt_notify_is_parked (pn); i++)
    g_usleep (100);
  g_assert_true (rt_notify_is_parked (pn));
  /* the wait in progress already counts as blocked time */
  g_assert_cmpint (pr.blocked.since_us, >, 0);
  g_assert_cmpint (rt_block_clock_read (&pr.blocked, g_get_monotonic_time () + 1000), >=, 1000);
  g_assert_cmpint (g_atomic_int_get (&pr.pushed), ==, 3);
  g_assert_cmpuint (rt_channel_get_fill (pr.ch), ==, 3);

  while (got < pr.n_batches)
    {
      RtElement e;

      if (!rt_channel_try_pop (pr.ch, &e))
        {
          rt_notify_prepare (cn);
          if (rt_channel_get_fill (pr.ch) == 0)
            rt_notify_wait (cn, g_get_monotonic_time () + G_USEC_PER_SEC);
          else
            rt_notify_cancel_prepare (cn);
          continue;
        }
      g_assert_cmpuint (e.batch->n_rows, ==, 16);
      for (guint r = 0; r < 16; r++)
        g_assert_cmpint (RT_VEC (e.batch, 0, gint64)[r], ==, next++);
      rt_batch_unref (e.batch);
      got++;
    }
  g_thread_join (th);
  g_assert_cmpint (pr.pushed, ==, 2000);
  g_assert_cmpint (pr.blocked.total_us, >, 0);
  g_assert_cmpint (pr.blocked.since_us, ==, 0);
  g_assert_cmpuint (rt_mem_pool_get_used (pool), ==, 0);
  rt_channel_free (pr.ch);
  rt_notify_free (pn);
  rt_notify_free (cn);
  rt_mem_pool_free (pool);
}

/* Closing the consumer end releases a blocked producer and drops its element. */
static void
test_close_releases_producer (void)
{
  g_autoptr (PlanSchema) s = int_schema ();
  RtMemPool *pool = rt_mem_pool_new (16 << 20);
  RtNotify *pn = rt_notify_new (), *cn = rt_notify_new ();
  Producer pr = { rt_channel_new (2, pn, cn), pool, s, 100, 0, { 0, 0 }, 0 };
  GThread *th = g_thread_new ("producer", producer_thread, &pr);

  for (int i = 0; i < 20000 && !rt_notify_is_parked (pn); i++)
    g_usleep (100);
  rt_channel_close (pr.ch);
  g_thread_join (th); /* must return: no deadlock */
  g_assert_cmpint (pr.pushed, ==, 2);
  rt_channel_free (pr.ch); /* frees the two queued batches */
  g_assert_cmpuint (rt_mem_pool_get_used (pool), ==, 0);
  rt_notify_free (pn);
  rt_notify_free (cn);
  rt_mem_pool_free (pool);
}

/* HASH sends every row to exactly one target, the same key always to the same target;
 * BROADCAST to all; small batches are merged until flushed. */
static void
test_writer_partitioners (void)
{
  g_autoptr (PlanSchema) s = int_schema ();
  RtMemPool *pool = rt_mem_pool_new (16 << 20);
  RtNotify *pn = rt_notify_new (), *cn = rt_notify_new ();
  RtChannel *chs[3];
  guint key = 0;
  RtWriter *w;
  guint seen[3] = { 0 }, total = 0;
  GHashTable *where = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  for (int i = 0; i < 3; i++)
    chs[i] = rt_channel_new (64, pn, cn);
  w = rt_writer_new (PLAN_EXCHANGE_HASH, 3, chs, s, pool, 64, -1, &key, 1, NULL);
  for (int round = 0; round < 2; round++) /* every key twice */
    {
      g_autoptr (RtBatch) b = make_batch (pool, s, 0, 500);
      g_assert_cmpint (rt_writer_emit (w, b, NULL), ==, RT_OK);
    }
  g_assert_cmpint (rt_writer_flush (w, NULL), ==, RT_OK);
  for (int i = 0; i < 3; i++)
    {
      RtElement e;
      while (rt_channel_try_pop (chs[i], &e))
        {
          for (guint r = 0; r < e.batch->n_rows; r++)
            {
              gint64 k = RT_VEC (e.batch, 0, gint64)[r];
              gpointer prev = g_hash_table_lookup (where, &k);
              if (prev != NULL)
                g_assert_cmpint (GPOINTER_TO_INT (prev), ==, i + 1);
              else
                g_hash_table_insert (where, g_memdup2 (&k, sizeof k), GINT_TO_POINTER (i + 1));
            }
          seen[i] += e.batch->n_rows;
          total += e.batch->n_rows;
          rt_batch_unref (e.batch);
        }
    }
  g_assert_cmpuint (total, ==, 1000);
  for (int i = 0; i < 3; i++)
    g_assert_cmpuint (seen[i], >, 0); /* 500 keys spread over 3 targets */
  rt_writer_free (w);
  g_hash_table_unref (where);

  w = rt_writer_new (PLAN_EXCHANGE_BROADCAST, 3, chs, s, pool, 64, -1, NULL, 0, NULL);
  {
    g_autoptr (RtBatch) b = make_batch (pool, s, 7, 5);
    rt_writer_emit (w, b, NULL);
    for (int i = 0; i < 3; i++)
      g_assert_cmpuint (rt_channel_get_fill (chs[i]), ==, 0); /* 5 rows: buffered */
    rt_writer_flush (w, NULL);
    for (int i = 0; i < 3; i++)
      {
        RtElement e;
        g_assert_true (rt_channel_try_pop (chs[i], &e));
        g_assert_cmpuint (e.batch->n_rows, ==, 5);
        g_assert_cmpint (RT_VEC (e.batch, 0, gint64)[4], ==, 11);
        rt_batch_unref (e.batch);
      }
  }
  rt_writer_free (w);
  for (int i = 0; i < 3; i++)
    rt_channel_free (chs[i]);
  g_assert_cmpuint (rt_mem_pool_get_used (pool), ==, 0);
  rt_notify_free (pn);
  rt_notify_free (cn);
  rt_mem_pool_free (pool);
}

/* The buffer timeout flushes a partly filled batch once it has waited long enough. */
static void
test_writer_timeout (void)
{
  g_autoptr (PlanSchema) s = int_schema ();
  RtMemPool *pool = rt_mem_pool_new (16 << 20);
  RtNotify *pn = rt_notify_new (), *cn = rt_notify_new ();
  RtChannel *ch = rt_channel_new (8, pn, cn);
  RtWriter *w = rt_writer_new (PLAN_EXCHANGE_FORWARD, 1, &ch, s, pool, 1024, 5000, NULL, 0, NULL);
  RtBatch *b = make_batch (pool, s, 0, 10);
  gint64 next = 0, now = g_get_monotonic_time ();

  rt_writer_emit (w, b, NULL);
  rt_batch_unref (b);
  rt_writer_flush_due (w, now, &next, NULL);
  g_assert_cmpuint (rt_channel_get_fill (ch), ==, 0);
  g_assert_cmpint (next, >, now - 1);
  rt_writer_flush_due (w, next, &next, NULL); /* at the deadline */
  g_assert_cmpuint (rt_channel_get_fill (ch), ==, 1);
  g_assert_cmpint (next, ==, -1);
  rt_writer_free (w);
  rt_channel_free (ch);
  rt_notify_free (pn);
  rt_notify_free (cn);
  rt_mem_pool_free (pool);
}

static void
test_memory_budget (void)
{
  g_autoptr (PlanSchema) s = int_schema ();
  RtMemPool *pool = rt_mem_pool_new (4 * RT_PAGE_SIZE);
  g_autoptr (GError) error = NULL;
  RtBatch *held[4];
  RtBatch *extra;

  rt_mem_pool_set_wait_us (pool, 1000);
  for (int i = 0; i < 4; i++)
    held[i] = rt_batch_new (pool, s, 1024, NULL);
  extra = rt_batch_new (pool, s, 1024, &error);
  g_assert_null (extra);
  g_assert_error (error, RT_ERROR, RT_ERROR_MEMORY);
  g_assert_nonnull (strstr (error->message, "taskmanager.memory.managed.size"));
  rt_batch_unref (held[0]);
  extra = rt_batch_new (pool, s, 1024, NULL); /* recycled block */
  g_assert_nonnull (extra);
  g_assert_true (extra == held[0]);
  rt_batch_unref (extra);
  for (int i = 1; i < 4; i++)
    rt_batch_unref (held[i]);
  g_assert_cmpuint (rt_mem_pool_get_used (pool), ==, 0);
  g_assert_cmpuint (rt_mem_pool_get_peak (pool), ==, 4 * RT_PAGE_SIZE);
  rt_mem_pool_free (pool);
}

/* rt_batch_append_rows against rt_batch_append_row, the row-at-a-time reference: a batch
 * of every storage width (BIGINT, INT, BOOLEAN, VARCHAR), NULLs in each column and mixed
 * row kinds, appended by a row list (out of order, a row twice) and by a range, after a
 * row already in the destination. Every cell and kind must come out the same. */
static void
test_append_rows (void)
{
  RtMemPool *pool = rt_mem_pool_new (4 << 20);
  PlanSchema *s = plan_schema_new (4);
  g_autoptr (RtBatch) src = NULL, a = NULL, b = NULL;
  const guint32 list[] = { 5, 0, 3, 3, 1 };
  const char *words[] = { "alpha", "", "a longer string than sixteen bytes", "x", "yz", "q" };

  plan_schema_set_field (s, 0, "l", plan_type_make (PLAN_TYPE_BIGINT, TRUE));
  plan_schema_set_field (s, 1, "i", plan_type_make (PLAN_TYPE_INT, TRUE));
  plan_schema_set_field (s, 2, "b", plan_type_make (PLAN_TYPE_BOOLEAN, TRUE));
  plan_schema_set_field (s, 3, "s", plan_type_make (PLAN_TYPE_VARCHAR, TRUE));
  src = rt_batch_new (pool, s, 8, NULL);
  for (guint r = 0; r < 6; r++)
    {
      RT_VEC (src, 0, gint64)[r] = G_GINT64_CONSTANT (1) << (40 + r);
      RT_VEC (src, 1, gint32)[r] = -7 * (gint32) r;
      RT_VEC (src, 2, guint8)[r] = r % 2;
      RT_VEC (src, 3, RtStr)[r] = rt_batch_intern (src, words[r], strlen (words[r]), NULL);
      src->kinds[r] = (guint8) (r % 4); /* +I -U +U -D */
    }
  for (guint c = 0; c < 4; c++) /* a NULL in every column: rows 1, 3, 5, 1 */
    rt_vec_set_null (&src->cols[c], (c * 2 + 1) % 6);
  src->n_rows = 6;
  a = rt_batch_new (pool, s, 16, NULL);
  b = rt_batch_new (pool, s, 16, NULL);
  g_assert_true (rt_batch_append_row (a, src, 2, NULL)); /* something there already */
  g_assert_true (rt_batch_append_row (b, src, 2, NULL));
  g_assert_true (rt_batch_append_rows (a, src, list, 0, G_N_ELEMENTS (list), NULL));
  for (guint i = 0; i < G_N_ELEMENTS (list); i++)
    g_assert_true (rt_batch_append_row (b, src, list[i], NULL));
  g_assert_true (rt_batch_append_rows (a, src, NULL, 2, 3, NULL)); /* rows 2, 3, 4 */
  for (guint r = 2; r < 5; r++)
    g_assert_true (rt_batch_append_row (b, src, r, NULL));
  g_assert_cmpuint (a->n_rows, ==, 9);
  g_assert_cmpuint (b->n_rows, ==, 9);
  for (guint r = 0; r < 9; r++)
    {
      g_assert_cmpuint (a->kinds[r], ==, b->kinds[r]);
      for (guint c = 0; c < 4; c++)
        {
          PlanValue x, y;
          g_autofree char *tx = NULL, *ty = NULL;

          rt_batch_get_value (a, c, r, &x);
          rt_batch_get_value (b, c, r, &y);
          tx = plan_value_to_string (&x, FALSE);
          ty = plan_value_to_string (&y, FALSE);
          g_assert_cmpint (x.is_null, ==, y.is_null);
          g_assert_cmpstr (tx, ==, ty);
          plan_value_clear (&x);
          plan_value_clear (&y);
        }
    }
  /* the strings were copied: they do not point into src's arena */
  g_assert_true (RT_VEC (a, 3, RtStr)[1].ptr != RT_VEC (src, 3, RtStr)[5].ptr);
  g_clear_pointer (&src, rt_batch_unref);
  g_clear_pointer (&a, rt_batch_unref);
  g_clear_pointer (&b, rt_batch_unref);
  plan_schema_unref (s);
  g_assert_cmpuint (rt_mem_pool_get_used (pool), ==, 0);
  rt_mem_pool_free (pool);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/channel/credit", test_credit);
  g_test_add_func ("/runtime/channel/backpressure", test_backpressure);
  g_test_add_func ("/runtime/channel/close-releases-producer", test_close_releases_producer);
  g_test_add_func ("/runtime/channel/writer-partitioners", test_writer_partitioners);
  g_test_add_func ("/runtime/channel/writer-timeout", test_writer_timeout);
  g_test_add_func ("/runtime/memory/budget", test_memory_budget);
  g_test_add_func ("/runtime/channel/append-rows", test_append_rows);
  return g_test_run ();
}
