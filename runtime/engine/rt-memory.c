/* rt-memory.c: the managed-memory pool (DESIGN.md 4.2).
 *
 * One budget per engine, handed out in blocks of a power-of-two number of RT_PAGE_SIZE
 * pages. Freed blocks go to a free list per size class, so a steady pipeline recycles the
 * same blocks without touching malloc. Cached blocks count against the budget: when a
 * request would pass it, cached blocks of other classes are released first, and only then
 * does the caller wait (a producer that cannot get memory waits for a consumer to recycle
 * a batch, which is backpressure) and finally fail with a message naming the setting.
 *
 * Under ASan, cached blocks are poisoned so a use after recycle is reported at once. */
#include "rt-batch.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define RT_POISON(p, n) ASAN_POISON_MEMORY_REGION ((p), (n))
#define RT_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION ((p), (n))
#else
#define RT_POISON(p, n) ((void) (p), (void) (n))
#define RT_UNPOISON(p, n) ((void) (p), (void) (n))
#endif

#define RT_N_CLASSES 24 /* 32 KiB .. 256 TiB: more than any budget */

struct _RtMemPool {
  GMutex lock;
  GCond freed;
  gsize budget;
  gsize reserved;   /* used + cached */
  gsize used;       /* handed out */
  gsize peak;
  gint64 wait_us;
  guint waiters;    /* threads in g_cond_wait_until */
  void *free_lists[RT_N_CLASSES]; /* cached blocks, linked through their first word */
};

RtMemPool *
rt_mem_pool_new (gsize budget_bytes)
{
  RtMemPool *pool = g_new0 (RtMemPool, 1);

  g_mutex_init (&pool->lock);
  g_cond_init (&pool->freed);
  pool->budget = MAX (budget_bytes, (gsize) RT_PAGE_SIZE * 4);
  pool->wait_us = 10 * G_USEC_PER_SEC;
  return pool;
}

static gsize
class_size (guint cls)
{
  return (gsize) RT_PAGE_SIZE << cls;
}

static guint
class_for (gsize size)
{
  guint cls = 0;

  while (class_size (cls) < size && cls < RT_N_CLASSES - 1)
    cls++;
  return cls;
}

/* 2 MiB: the x86-64 and arm64 huge page. */
#define HUGE_PAGE ((gsize) 2 << 20)

/* bytes (a multiple of HUGE_PAGE) aligned to a huge page and advised onto huge pages,
 * which the kernel gives where it can; NULL when out of memory. */
static void *
huge_alloc (gsize bytes)
{
  void *p = aligned_alloc (HUGE_PAGE, bytes);

#ifdef MADV_HUGEPAGE
  if (p != NULL)
    (void) madvise (p, bytes, MADV_HUGEPAGE); /* advice: refused is fine */
#endif
  return p;
}

/* A fresh block; one of a huge page or more goes on huge pages (a sort reads its held
 * batches in random order, and every TLB miss there is a page walk). NULL when out of
 * memory. */
static void *
block_new (gsize bytes)
{
  return bytes < HUGE_PAGE ? g_try_malloc (bytes) : huge_alloc (bytes); /* a power of two */
}

/* A cached block keeps the link to the next in its first word; the rest is poisoned. */
#define LINK_BYTES 16

static void *
pop_cached_locked (RtMemPool *pool, guint cls)
{
  void *block = pool->free_lists[cls];

  pool->free_lists[cls] = *(void **) block;
  RT_UNPOISON ((char *) block + LINK_BYTES, class_size (cls) - LINK_BYTES);
  return block;
}

static void
release_cached_locked (RtMemPool *pool, guint cls)
{
  void *block = pop_cached_locked (pool, cls);

  pool->reserved -= class_size (cls);
  g_free (block);
}

/* Frees cached blocks (largest first) until need more bytes fit the budget. */
static gboolean
make_room_locked (RtMemPool *pool, gsize need)
{
  for (int cls = RT_N_CLASSES - 1; cls >= 0 && pool->reserved + need > pool->budget; cls--)
    while (pool->free_lists[cls] != NULL && pool->reserved + need > pool->budget)
      release_cached_locked (pool, (guint) cls);
  return pool->reserved + need <= pool->budget;
}

void
rt_mem_pool_free (RtMemPool *pool)
{
  if (pool == NULL)
    return;
  for (guint cls = 0; cls < RT_N_CLASSES; cls++)
    while (pool->free_lists[cls] != NULL)
      release_cached_locked (pool, cls);
  if (pool->used != 0)
    g_critical ("managed memory pool freed with %" G_GSIZE_FORMAT " bytes still in use",
                pool->used);
  g_mutex_clear (&pool->lock);
  g_cond_clear (&pool->freed);
  g_free (pool);
}

void
rt_mem_pool_set_wait_us (RtMemPool *pool, gint64 wait_us)
{
  rt_mutex_lock (&pool->lock);
  pool->wait_us = wait_us;
  rt_mutex_unlock (&pool->lock);
}

void *
rt_mem_alloc (RtMemPool *pool, gsize size, gsize *out_size, GError **error)
{
  guint cls = class_for (size);
  gsize bytes = class_size (cls);
  gint64 deadline = g_get_monotonic_time () + pool->wait_us;
  void *block = NULL;

  rt_mutex_lock (&pool->lock);
  for (;;)
    {
      if (pool->free_lists[cls] != NULL)
        {
          block = pop_cached_locked (pool, cls);
          break;
        }
      if (make_room_locked (pool, bytes))
        {
          block = block_new (bytes);
          if (block != NULL)
            pool->reserved += bytes;
          break;
        }
      pool->waiters++;
      if (!rt_cond_wait_until (&pool->freed, &pool->lock, deadline))
        {
          pool->waiters--;
          break;
        }
      pool->waiters--;
    }
  if (block != NULL)
    {
      pool->used += bytes;
      pool->peak = MAX (pool->peak, pool->used);
    }
  rt_mutex_unlock (&pool->lock);

  if (block == NULL)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_MEMORY,
                   "Managed memory exhausted: %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
                   " bytes in use and %" G_GSIZE_FORMAT " more needed. Raise it with SET "
                   "'taskmanager.memory.managed.size' = '<size>', or lower the parallelism.",
                   pool->used, pool->budget, bytes);
      return NULL;
    }
  if (out_size != NULL)
    *out_size = bytes;
  return block;
}

void
rt_mem_free (RtMemPool *pool, void *block, gsize size)
{
  guint cls = class_for (size);

  if (block == NULL)
    return;
  g_assert (class_size (cls) == size);
  rt_mutex_lock (&pool->lock);
  *(void **) block = pool->free_lists[cls];
  RT_POISON ((char *) block + LINK_BYTES, size - LINK_BYTES);
  pool->free_lists[cls] = block;
  pool->used -= size;
  if (pool->waiters > 0)
    g_cond_broadcast (&pool->freed);
  rt_mutex_unlock (&pool->lock);
}

gsize
rt_mem_pool_get_used (RtMemPool *pool)
{
  gsize v;

  rt_mutex_lock (&pool->lock);
  v = pool->used;
  rt_mutex_unlock (&pool->lock);
  return v;
}

gsize
rt_mem_pool_get_peak (RtMemPool *pool)
{
  gsize v;

  rt_mutex_lock (&pool->lock);
  v = pool->peak;
  rt_mutex_unlock (&pool->lock);
  return v;
}

gsize
rt_mem_pool_get_budget (RtMemPool *pool)
{
  return pool->budget;
}

void *
rt_mem_table_alloc0 (gsize bytes)
{
  void *p;

  bytes = MAX (bytes, (gsize) 1);
  if (bytes < HUGE_PAGE)
    p = g_malloc (bytes);
  else if ((p = huge_alloc ((bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE)) == NULL)
    g_error ("%s: failed to allocate %" G_GSIZE_FORMAT " bytes", G_STRLOC, bytes);
  memset (p, 0, bytes);
  return p;
}
