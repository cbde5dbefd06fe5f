/* rt-batch.h: columnar batches, the unit that moves between operators and threads.
 *
 * A batch holds up to `capacity` rows: one vector per column (fixed-width values, a
 * validity bitmap), a row-kind byte per row, and an arena for string bytes. All of it is
 * one block from the managed memory pool plus arena pages, returned to the pool when the
 * last reference is dropped. Batches are written by one thread, then handed on
 * read-only; a batch must not be changed after it has been emitted.
 *
 * The struct is public to the engine and gateway because every operator's inner loop
 * reads it directly; only rt-batch.c and rt-memory.c allocate or free its memory. */
#pragma once

#include "rt-types.h"

G_BEGIN_DECLS

/* A string value: bytes (not NUL-terminated) owned by some batch's arena, or static. */
typedef struct {
  const char *ptr;
  guint32 len;
} RtStr;

typedef struct {
  PlanTypeKind kind;
  void *data;         /* capacity values of plan_type_storage_size (kind) bytes */
  guint64 *validity;  /* bit r set = row r is not NULL */
} RtVector;

#define RT_BATCH_MAGIC 0x5354524fu  /* "STRO" while live */
#define RT_BATCH_DEAD  0xdeadba7cu  /* after recycle: any use is a bug */

struct _RtBatch {
  gint ref_count;
  guint32 magic;
  guint n_rows;
  guint capacity;
  guint n_cols;
  PlanSchema *schema; /* owned ref */
  RtVector *cols;     /* in the block */
  guint8 *kinds;      /* in the block: RtRowKind per row */
  RtMemPool *pool;    /* borrowed: outlives every batch */
  /* private to rt-batch.c */
  void *block;
  gsize block_size;
  GSList *arena_pages; /* owned pages */
  char *arena_pos;
  gsize arena_left;
  GPtrArray *keep;     /* owned refs of batches whose arenas our strings point into */
  gint64 created_us;   /* monotonic time when allocated (latency markers) */
};

/* Allocates a batch for schema with room for capacity rows, all rows valid, all kinds
 * +I, n_rows = 0. Waits for managed memory up to the pool's timeout, then fails with
 * RT_ERROR_MEMORY and a message saying which setting to raise. */
RtBatch *rt_batch_new (RtMemPool *pool, PlanSchema *schema, guint capacity, GError **error);
RtBatch *rt_batch_ref (RtBatch *batch);
void rt_batch_unref (RtBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtBatch, rt_batch_unref)

/* Copies len bytes into the batch's arena; returns the RtStr to store. */
RtStr rt_batch_intern (RtBatch *batch, const char *ptr, gsize len, GError **error);
/* Makes batch keep `other` alive, so it may store RtStr pointing into other's arena. */
void rt_batch_keep (RtBatch *batch, RtBatch *other);
/* Appends row `row` of src (same column types) at the end of dst; strings are copied.
 * dst must have room. */
gboolean rt_batch_append_row (RtBatch *dst, const RtBatch *src, guint row, GError **error);
/* added by sort and exchange speed-ups: appends n rows of src to dst, which must have room:
 * rows[0 .. n) when rows is given, else first .. first + n - 1. The same as n calls of
 * rt_batch_append_row, done a column at a time. */
gboolean rt_batch_append_rows (RtBatch *dst, const RtBatch *src, const guint32 *rows,
                               guint first, guint n, GError **error);
/* added by sort merge speed-ups: appends row rows[i] of srcs[i] for i in [0, n) to dst,
 * which must have room; the same as n calls of rt_batch_append_row, a column at a time. */
gboolean rt_batch_gather (RtBatch *dst, RtBatch *const *srcs, const guint32 *rows, guint n,
                          GError **error);

static inline gboolean
rt_vec_is_valid (const RtVector *v, guint row)
{
  return (v->validity[row >> 6] >> (row & 63)) & 1;
}

static inline void
rt_vec_set_null (RtVector *v, guint row)
{
  v->validity[row >> 6] &= ~(G_GUINT64_CONSTANT (1) << (row & 63));
}

static inline void
rt_vec_set_valid (RtVector *v, guint row)
{
  v->validity[row >> 6] |= G_GUINT64_CONSTANT (1) << (row & 63);
}

#define RT_VEC(batch, col, ctype) ((ctype *) (batch)->cols[(col)].data)

/* A value of one cell as a PlanValue (strings copied), for the gateway and tests. */
void rt_batch_get_value (const RtBatch *batch, guint col, guint row, PlanValue *out);
/* Appends a row from PlanValues (types must match the schema). For tests, VALUES, and
 * slow paths. */
gboolean rt_batch_append_values (RtBatch *batch, const PlanValue *values, GError **error);

/* ---- managed memory ---------------------------------------------------------------- */

/* One budget per engine, in bytes, handed out in pages of RT_PAGE_SIZE (blocks of a
 * power-of-two number of pages). Freed blocks are kept on per-size free lists, so a
 * steady pipeline recycles the same memory without malloc. */
#define RT_PAGE_SIZE (32 * 1024)

RtMemPool *rt_mem_pool_new (gsize budget_bytes);
void rt_mem_pool_free (RtMemPool *pool);
/* How long an allocation waits for memory before failing (default 10 s). */
void rt_mem_pool_set_wait_us (RtMemPool *pool, gint64 wait_us);
/* Returns a block of at least size bytes, or NULL with RT_ERROR_MEMORY. */
void *rt_mem_alloc (RtMemPool *pool, gsize size, gsize *out_size, GError **error);
void rt_mem_free (RtMemPool *pool, void *block, gsize size);
gsize rt_mem_pool_get_used (RtMemPool *pool);
gsize rt_mem_pool_get_peak (RtMemPool *pool);
gsize rt_mem_pool_get_budget (RtMemPool *pool);

/* A zeroed array for a large table (hash slots, a join table's rows), freed with g_free.
 * It is written to zero at once: memory first read fresh maps the zero page and costs a
 * copy-on-write fault and a TLB flush on every core at the first write. From 2 MiB it is
 * on huge pages where the kernel gives them, so random probes miss the TLB less often. */
void *rt_mem_table_alloc0 (gsize bytes);

G_END_DECLS
