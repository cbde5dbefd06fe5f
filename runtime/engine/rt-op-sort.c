/* rt-op-sort.c: ORDER BY (DESIGN.md 4.5): the external merge sort of batch mode, its Top-N
 * variant, and the streaming Top-N that emits a changelog.
 *
 * Batch mode. Input batches are kept by reference (no copy) with a row reference per row,
 * except sparse ones (a few hundred narrow rows in a pool block), whose rows are copied
 * into large dense batches; their bytes, and the row references with the sort's scratch
 * buffer (heap memory), count against the operator's share of the managed-memory budget
 * (half of it: the other half stays for the batches in flight upstream). The references
 * are sorted by a radix partition on the first key's prefix, then a merge sort per bucket
 * (sort_rows), and the rows gathered in that order a column at a time. When the share is
 * full, the references are sorted, the rows are written in that order to a run file
 * (rt-spill.c: LZ4-compressed blocks in a private temporary directory) and the batches go
 * back to the pool. At the end of input, an operator that never spilled sorts in memory
 * and emits; one that spilled merges all runs with the k-way merge of rt-extsort.h (shared
 * with the join's sorter), reading each run a batch at a time, so memory stays at one
 * batch per run. The rows still held become the last run without being written: sorted,
 * and gathered a batch at a time as the merge reads them (keep_last_run), when what the
 * share has left covers the merge's batches; else they are written as a run too. Ties
 * keep input order (the comparison ends with the arrival position, and earlier runs win,
 * the one kept in memory being the latest), so the sort is stable. Run files and the
 * directory are removed as soon as the merge has read them, and by close() on cancel or
 * failure. Value comparison and key prefixes come from rt-extsort.h too.
 *
 * Top-N (a limit): rows past offset + limit can never be emitted, so once the held rows
 * are more than twice that many they are sorted and only the best offset + limit are kept
 * (copied into fresh batches); a run never holds more than that many rows either.
 *
 * Streaming Top-N (the node is `updating`): after every input batch the held rows are
 * sorted and the rows ranked offset .. offset + limit - 1 compared with those emitted
 * before, by arrival sequence number: a row that left gets -D, a row that entered +I.
 * Insert-only input keeps only the best offset + limit rows; an updating input (Top-N over
 * a GROUP BY) keeps every live row, and its -U/-D rows remove an equal live row first.
 * That re-sort per batch is simple and exact, and fine for the small N of a Top-N; a
 * sorted state structure would be the next step for large ones. */
#include "rt-operator.h"
#include "rt-checkpoint.h"
#include "rt-extsort.h"

typedef struct {
  guint64 prefix; /* the first key, normalised so unsigned order is the sort order */
  guint64 prefix2; /* the second key, likewise (0 with one key) */
  guint32 b : 31; /* index into batches */
  guint32 null0 : 1; /* the first key is NULL (its prefix may equal a value's) */
  guint32 r;      /* row in that batch */
  guint64 seq;    /* arrival number (stability; streaming Top-N identity) */
} RowRef;

typedef struct {
  RtOperator base;
  PlanSort sort;            /* owned copy of the node's payload */
  PlanSchema *schema;       /* owned ref */
  gboolean streaming;       /* changelog Top-N */
  gboolean input_updating;  /* streaming: the input has -U/-D rows, so keep every row */
  gboolean use_prefix2;     /* the first key's prefix is the whole key: equal prefixes of
                             * rows both NULL or both not are a tie, so prefix2 decides */
  gsize share;              /* bytes of held batches before a run spills */
  GPtrArray *batches;       /* owned refs */
  GArray *rows;             /* RowRef, live rows */
  gsize held_bytes;
  gboolean *col_null;       /* owned, per column: some held row is NULL there (the gather
                             * reads validity bits only then: a random read less a row) */
  guint64 next_seq;
  char *spill_dir;          /* owned, nullable */
  GPtrArray *runs;          /* RtRunFile*, owned */
  guint64 spilled;          /* compressed bytes written to run files (atomic: EXPLAIN
                             * ANALYZE reads it from another thread) */
  GHashTable *emitted;      /* streaming: seq -> RowRef* (owned) currently emitted */
  RtBatch *out;             /* owned: streaming: the changelog output being filled */
  RtPicks picks;            /* batch mode, merging runs: the output batch being chosen */
  RtBatch *dense;           /* borrowed (the last of batches): being filled with copies of
                             * sparse input batches; NULL: none open */
  guint64 out_rank;         /* rows of the final order passed so far (offset/limit) */
} RtSort;

/* ---- comparing rows ------------------------------------------------------------------ */

/* Order of row ra of a and row rb of b under the sort keys (0: tie); rt-extsort.h has it,
 * shared with the merge of parallel sorts (rt-op-sort-merge.c). */
static int
compare_rows (const PlanSort *s, const RtBatch *a, guint ra, const RtBatch *b, guint rb)
{
  return rt__sort_compare_rows (s, a, ra, b, rb);
}

/* Whether a key of this type is all in its prefix (so equal prefixes are equal keys, NULL
 * aside): every fixed-width type; not strings, compared beyond their first 8 bytes. */
static gboolean
prefix_is_whole (PlanTypeKind kind)
{
  switch (kind)
    {
    case PLAN_TYPE_BOOLEAN:
    case PLAN_TYPE_INT:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
    case PLAN_TYPE_DOUBLE:
      return TRUE;
    case PLAN_TYPE_VARCHAR:
    case PLAN_TYPE_NULL:
    default:
      return FALSE;
    }
}

/* The reference to row r of batch (index bi in batches) with its prefixes. */
static RowRef
make_ref (const RtSort *st, const RtBatch *batch, guint32 bi, guint r, guint64 seq)
{
  RowRef ref = { rt__sort_key_prefix (&st->sort, batch, r, 0), 0, bi, 0, r, seq };

  if (st->use_prefix2)
    {
      ref.prefix2 = rt__sort_key_prefix (&st->sort, batch, r, 1);
      ref.null0 = !rt_vec_is_valid (&batch->cols[st->sort.keys[0]], r);
    }
  return ref;
}

static int
compare_refs (gconstpointer pa, gconstpointer pb, gpointer data)
{
  const RtSort *st = data;
  const RowRef *a = pa, *b = pb;
  int c;

  if (a->prefix != b->prefix)
    return a->prefix < b->prefix ? -1 : 1;
  if (st->use_prefix2 && a->null0 == b->null0 && a->prefix2 != b->prefix2)
    return a->prefix2 < b->prefix2 ? -1 : 1; /* the first keys tie */
  c = compare_rows (&st->sort, st->batches->pdata[a->b], a->r, st->batches->pdata[b->b],
                        b->r);

  if (c != 0)
    return c;
  return (a->seq > b->seq) - (a->seq < b->seq); /* stable: arrival order */
}

static inline gboolean
ref_less (const RtSort *st, const RowRef *a, const RowRef *b)
{
  if (a->prefix != b->prefix)
    return a->prefix < b->prefix;
  if (st->use_prefix2 && a->null0 == b->null0 && a->prefix2 != b->prefix2)
    return a->prefix2 < b->prefix2;
  return compare_refs (a, b, (gpointer) st) < 0;
}

/* Merges src[lo .. mid) and src[mid .. hi) into dst[lo .. hi). */
static void
merge_pair (const RtSort *st, const RowRef *src, RowRef *dst, gsize lo, gsize mid, gsize hi)
{
  gsize i = lo, j = mid, k = lo;

  if (mid >= hi || !ref_less (st, &src[mid], &src[mid - 1]))
    {
      memcpy (dst + lo, src + lo, (hi - lo) * sizeof *src); /* already in order */
      return;
    }
  while (i < mid && j < hi)
    dst[k++] = ref_less (st, &src[j], &src[i]) ? src[j++] : src[i++];
  while (i < mid)
    dst[k++] = src[i++];
  while (j < hi)
    dst[k++] = src[j++];
}

/* Bottom-up merge sort of v[0 .. n), tmp as the other buffer: insertion sort of runs of
 * 16, then merge passes that alternate between the two buffers. RowRefs move by
 * assignment and the prefix comparison is inlined, several times faster than a generic
 * sort copying elements with memcpy through a comparator call for every pair. The order
 * is total (arrival number last), so stability needs no care here. */
static void
merge_sort (const RtSort *st, RowRef *v, RowRef *tmp, gsize n)
{
  RowRef *src = v, *dst = tmp, *swap;

  for (gsize lo = 0; lo < n; lo += 16)
    for (gsize a = lo + 1; a < MIN (lo + 16, n); a++)
      {
        RowRef x = v[a];
        gsize b = a;

        for (; b > lo && ref_less (st, &x, &v[b - 1]); b--)
          v[b] = v[b - 1];
        v[b] = x;
      }
  for (gsize width = 16; width < n; width *= 2)
    {
      for (gsize lo = 0; lo < n; lo += 2 * width)
        merge_pair (st, src, dst, lo, MIN (lo + width, n), MIN (lo + 2 * width, n));
      swap = src;
      src = dst;
      dst = swap;
    }
  if (src != v)
    memcpy (v, src, n * sizeof *v);
}

/* Below this many rows the merge sort runs alone; above, the rows are first distributed by
 * the high bits of their prefix into buckets. */
#define RADIX_MIN 4096
#define RADIX_MAX_BITS 12 /* 4096 buckets: their heads stay in the cache and the TLB */
#define RADIX_SPLIT 256   /* a bucket of more rows than this is split again */

/* Sorts many rows: one counting pass and one scatter by the top bits of (prefix - smallest
 * prefix), then each bucket on its own. A bucket's rows have prefixes in one range and the
 * ranges follow each other, so bucket order agrees with ref_less, and within a bucket the
 * merge sort (whose order is total) decides. The buckets are small enough to be sorted in
 * the cache, where the merge sort over millions of rows passed over the whole array some
 * 20 times. The number of buckets follows the rows (about 16 rows a bucket, at most 2^12),
 * and a bucket still holding more than RADIX_SPLIT rows is split again the same way over
 * its own, narrower range, so many rows or skewed keys still end in small buckets. A key
 * whose prefixes are all equal leaves one bucket: the merge sort as before. */
static void
radix_sort (const RtSort *st, RowRef *v, RowRef *tmp, gsize n)
{
  g_autofree gsize *start = NULL;
  guint64 lo = G_MAXUINT64, hi = 0;
  guint shift = 0, bits = 4, n_buckets;

  for (gsize i = 0; i < n; i++)
    {
      lo = MIN (lo, v[i].prefix);
      hi = MAX (hi, v[i].prefix);
    }
  if (lo == hi)
    {
      merge_sort (st, v, tmp, n);
      return;
    }
  while (bits < RADIX_MAX_BITS && ((gsize) 16 << bits) < n)
    bits++;
  while (((hi - lo) >> shift) >= (G_GUINT64_CONSTANT (1) << bits))
    shift++;
  n_buckets = (guint) ((hi - lo) >> shift) + 1;
  start = g_new0 (gsize, n_buckets + 1);
  for (gsize i = 0; i < n; i++)
    start[((v[i].prefix - lo) >> shift) + 1]++;
  for (guint b = 0; b < n_buckets; b++)
    start[b + 1] += start[b];
  for (gsize i = 0; i < n; i++) /* into tmp; start[b] ends at bucket b's end */
    tmp[start[(v[i].prefix - lo) >> shift]++] = v[i];
  for (guint b = 0; b < n_buckets; b++) /* start[b] is now bucket b + 1's start */
    {
      gsize from = b == 0 ? 0 : start[b - 1], len = start[b] - from;

      if (len > RADIX_SPLIT && shift > 0) /* crowded: split it again, finer */
        radix_sort (st, tmp + from, v + from, len);
      else if (len > 1)
        merge_sort (st, tmp + from, v + from, len); /* sorted in tmp, v as scratch */
    }
  memcpy (v, tmp, n * sizeof *v);
}

static void
sort_rows (RtSort *st)
{
  g_autofree RowRef *tmp = NULL;

  if (st->rows->len < 2)
    return;
  tmp = g_new (RowRef, st->rows->len);
  if (st->rows->len >= RADIX_MIN)
    radix_sort (st, (RowRef *) st->rows->data, tmp, st->rows->len);
  else
    merge_sort (st, (RowRef *) st->rows->data, tmp, st->rows->len);
}

/* ---- holding input ------------------------------------------------------------------- */

/* Bytes a row takes in a batch besides its strings: values, kind, validity (rounded up). */
static gsize
row_bytes (const PlanSchema *schema)
{
  gsize n = 1 + schema->n_fields;

  for (guint c = 0; c < schema->n_fields; c++)
    n += plan_type_storage_size (schema->fields[c].type.kind);
  return n;
}

/* Whether column c of batch holds a NULL in its rows. */
static gboolean
has_null (const RtBatch *batch, guint c)
{
  const guint64 *v = batch->cols[c].validity;
  guint full = batch->n_rows / 64, rest = batch->n_rows % 64;

  for (guint w = 0; w < full; w++)
    if (v[w] != G_MAXUINT64)
      return TRUE;
  return rest > 0 && (v[full] & ((G_GUINT64_CONSTANT (1) << rest) - 1))
                     != (G_GUINT64_CONSTANT (1) << rest) - 1;
}

/* Holds batch by reference when it is full enough; a sparse one (an input batch of a few
 * hundred narrow rows fills little of its pool block: 64 bytes a row for two BIGINTs in a
 * 32 KiB block of 512) is copied into large dense batches and goes back to the pool. That
 * keeps four times as many rows in the share before a run spills, and the gather of the
 * sorted rows touches a quarter of the memory. */
static gboolean
hold_batch (RtSort *st, RtBatch *batch, GError **error)
{
  gsize rb = row_bytes (st->schema);
  guint done = 0;

  for (guint c = 0; c < batch->n_cols; c++)
    st->col_null[c] = st->col_null[c] || has_null (batch, c);
  if (batch->block_size <= 2 * rb * batch->n_rows)
    {
      guint32 bi = st->batches->len;

      g_ptr_array_add (st->batches, rt_batch_ref (batch));
      for (guint r = 0; r < batch->n_rows; r++)
        {
          RowRef ref = make_ref (st, batch, bi, r, st->next_seq++);
          g_array_append_val (st->rows, ref);
        }
      st->held_bytes += rt__batch_held_bytes (batch);
    }
  while (done < batch->n_rows && batch->block_size > 2 * rb * batch->n_rows)
    {
      RtBatch *d = st->dense;
      gsize before;
      guint n, first;

      if (d == NULL || d->n_rows == d->capacity)
        {
          /* about a sixteenth of the share, between 32 KiB and 2 MiB (a huge page) */
          gsize bytes = CLAMP (st->share / 16, (gsize) 32 << 10, (gsize) 2 << 20);
          guint cap = (guint) ((bytes - 4096) / rb / 64 * 64);

          if ((d = rt_batch_new (st->base.ctx->pool, st->schema,
                                 MAX (cap, MAX (st->base.ctx->batch_size, 1u)), error)) == NULL)
            return FALSE;
          g_ptr_array_add (st->batches, d);
          st->dense = d;
          st->held_bytes += rt__batch_held_bytes (d);
        }
      before = rt__batch_held_bytes (d);
      first = d->n_rows;
      n = MIN (d->capacity - d->n_rows, batch->n_rows - done);
      if (!rt_batch_append_rows (d, batch, NULL, done, n, error))
        return FALSE;
      st->held_bytes += rt__batch_held_bytes (d) - before; /* string pages */
      for (guint r = 0; r < n; r++)
        {
          RowRef ref = make_ref (st, d, st->batches->len - 1, first + r, st->next_seq++);
          g_array_append_val (st->rows, ref);
        }
      done += n;
    }
  /* the row references and the merge sort's second buffer are heap, not pool, memory;
   * counting them here keeps them bounded by the share as well */
  st->held_bytes += 2 * sizeof (RowRef) * batch->n_rows;
  return TRUE;
}

static void
release_held (RtSort *st)
{
  st->dense = NULL;
  g_ptr_array_set_size (st->batches, 0);
  g_array_set_size (st->rows, 0);
  st->held_bytes = 0;
  memset (st->col_null, 0, sizeof (gboolean) * MAX (st->schema->n_fields, 1u));
}

/* Copies the first n rows (in rows order) into fresh batches and drops the old ones; the
 * RowRefs keep their seq. */
static gboolean
compact (RtSort *st, guint n, GError **error)
{
  g_autoptr (GPtrArray) fresh = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_batch_unref);
  guint cap = MAX (st->base.ctx->batch_size, 1u);
  RtBatch *cur = NULL;

  for (guint i = 0; i < n; i++)
    {
      RowRef *ref = &g_array_index (st->rows, RowRef, i);

      if (cur == NULL || cur->n_rows == cur->capacity)
        {
          if ((cur = rt_batch_new (st->base.ctx->pool, st->schema, cap, error)) == NULL)
            return FALSE;
          g_ptr_array_add (fresh, cur);
        }
      if (!rt_batch_append_row (cur, st->batches->pdata[ref->b], ref->r, error))
        return FALSE;
      ref->b = fresh->len - 1;
      ref->r = cur->n_rows - 1;
    }
  g_array_set_size (st->rows, n);
  g_ptr_array_set_size (st->batches, 0);
  st->dense = NULL;
  st->held_bytes = 0;
  for (guint i = 0; i < fresh->len; i++)
    {
      g_ptr_array_add (st->batches, rt_batch_ref (fresh->pdata[i]));
      st->held_bytes += rt__batch_held_bytes (fresh->pdata[i]);
    }
  st->held_bytes += 2 * sizeof (RowRef) * n;
  return TRUE;
}

/* Rows a Top-N can ever emit (offset + limit), or G_MAXUINT without a limit. */
static guint
keep_rows (const RtSort *st)
{
  gint64 k;

  if (st->sort.limit < 0)
    return G_MAXUINT;
  k = st->sort.limit > G_MAXINT64 - st->sort.offset ? G_MAXINT64
      : st->sort.limit + st->sort.offset;
  return (guint) MIN (k, (gint64) G_MAXUINT - 1);
}

/* ---- spilling ------------------------------------------------------------------------ */

/* Appends the rows refs[0 .. m) to dst (which has room), a column at a time: each pass is
 * a loop of independent loads, so many of the cache misses of gathering sorted rows from
 * all over the held batches are under way at once; the validity bits are read only for a
 * column that has NULLs. */
static gboolean
gather_rows (RtSort *st, RtBatch *dst, const RowRef *refs, guint m, GError **error)
{
  RtBatch *const *bs = (RtBatch *const *) st->batches->pdata;
  guint at = dst->n_rows;

  for (guint c = 0; c < dst->n_cols; c++)
    {
      RtVector *dv = &dst->cols[c];
      gsize w = plan_type_storage_size (dv->kind);

      if (!st->col_null[c] && (w == 8 || w == 4))
        {
          for (guint i = 0; i < m; i++)
            {
              if (w == 8)
                ((gint64 *) dv->data)[at + i]
                  = ((const gint64 *) bs[refs[i].b]->cols[c].data)[refs[i].r];
              else
                ((gint32 *) dv->data)[at + i]
                  = ((const gint32 *) bs[refs[i].b]->cols[c].data)[refs[i].r];
            }
          continue;
        }
      for (guint i = 0; i < m; i++)
        {
          const RtVector *sv = &bs[refs[i].b]->cols[c];
          guint r = refs[i].r;

          if (!rt_vec_is_valid (sv, r))
            rt_vec_set_null (dv, at + i); /* a fresh batch starts all valid */
          else if (dv->kind == PLAN_TYPE_VARCHAR)
            {
              RtStr x = ((const RtStr *) sv->data)[r];

              if ((((RtStr *) dv->data)[at + i] = rt_batch_intern (dst, x.ptr, x.len,
                                                                    error)).ptr == NULL)
                return FALSE;
            }
          else if (w == 8)
            ((gint64 *) dv->data)[at + i] = ((const gint64 *) sv->data)[r];
          else if (w == 4)
            ((gint32 *) dv->data)[at + i] = ((const gint32 *) sv->data)[r];
          else
            memcpy ((char *) dv->data + w * (at + i), (const char *) sv->data + w * r, w);
        }
    }
  dst->n_rows = at + m; /* kinds: a fresh batch's are all +I */
  return TRUE;
}


static gboolean
cancelled (RtSort *st, GError **error)
{
  if (st->base.ctx->cancelled == NULL || g_atomic_int_get (st->base.ctx->cancelled) == 0)
    return FALSE;
  g_set_error (error, RT_ERROR, RT_ERROR_CANCELLED, "The sort was cancelled");
  return TRUE;
}

static void
add_spilled (RtSort *st, guint64 bytes)
{
  __atomic_add_fetch (&st->spilled, bytes, __ATOMIC_RELAXED);
}

guint64
rt_op_sort_get_spilled_bytes (RtOperator *op)
{
  return __atomic_load_n (&((RtSort *) op)->spilled, __ATOMIC_RELAXED);
}

/* Sorts the held rows and writes them (at most keep_rows of them) as one run. */
static gboolean
spill_run (RtSort *st, GError **error)
{
  guint n = MIN (st->rows->len, keep_rows (st)), cap = MAX (st->base.ctx->batch_size, 1u);
  RtRunFile *run;

  if (st->spill_dir == NULL && (st->spill_dir = rt__run_dir_new ("strom-sort", error)) == NULL)
    return FALSE;
  if ((run = rt__run_file_new (st->spill_dir, error)) == NULL)
    return FALSE;
  g_ptr_array_add (st->runs, run);
  sort_rows (st);
  for (guint i = 0; i < n; i += cap) /* gathered a batch at a time, then written in order */
    {
      g_autoptr (RtBatch) chunk = NULL;
      guint m = MIN (cap, n - i);

      if (cancelled (st, error)
          || (chunk = rt_batch_new (st->base.ctx->pool, st->schema, cap, error)) == NULL
          || !gather_rows (st, chunk, (const RowRef *) st->rows->data + i, m, error))
        return FALSE;
      for (guint r = 0; r < m; r++)
        if (!rt__run_file_write (run, chunk, r, error))
          return FALSE;
    }
  if (!rt__run_file_finish (run, error))
    return FALSE;
  add_spilled (st, rt__run_file_get_bytes (run));
  release_held (st);
  return TRUE;
}

/* The held rows as the last run without writing them: sorted, and gathered a batch at a
 * time as the merge reads them (memory_run_next), straight from the held batches, which
 * stay until the merge is done. That saves writing and reading back the rows of the run
 * still in memory when the input ends. */
typedef struct {
  RtSort *st;
  guint next, n; /* rows [next, n) of st->rows are still to come */
} MemoryRun;

static RtBatch *
memory_run_next (gpointer data, RtMemPool *pool, PlanSchema *schema, guint capacity,
                 GError **error)
{
  MemoryRun *mr = data;
  g_autoptr (RtBatch) out = NULL;
  guint m = MIN (capacity, mr->n - mr->next);

  if (m == 0)
    return NULL;
  if ((out = rt_batch_new (pool, schema, m, error)) == NULL
      || !gather_rows (mr->st, out, (const RowRef *) mr->st->rows->data + mr->next, m, error))
    return NULL;
  mr->next += m;
  return g_steal_pointer (&out);
}

/* Makes the held rows the last run when the merge of every run can read them from memory
 * within what the share has left (else they spill as a run file like the others). */
static gboolean
keep_last_run (RtSort *st)
{
  gsize room = st->share > st->held_bytes ? st->share - st->held_bytes : 0;
  MemoryRun *mr;

  if (rt__run_merge_fan_in (room) < st->runs->len + 1)
    return FALSE;
  sort_rows (st);
  mr = g_new0 (MemoryRun, 1);
  mr->st = st;
  mr->n = MIN (st->rows->len, keep_rows (st));
  g_ptr_array_add (st->runs, rt__run_file_new_source (memory_run_next, mr, g_free, mr->n));
  return TRUE;
}

/* ---- emitting ------------------------------------------------------------------------ */

static RtResult
flush_out (RtSort *st, GError **error)
{
  RtResult r = RT_OK;

  if (st->out != NULL && st->out->n_rows > 0)
    r = rt_op_emit (&st->base, st->out, error);
  g_clear_pointer (&st->out, rt_batch_unref);
  return r;
}

/* Appends row r of src as kind to the output, emitting full batches. */
static RtResult
put_row (RtSort *st, const RtBatch *src, guint r, RtRowKind kind, GError **error)
{
  if (st->out == NULL
      && (st->out = rt_batch_new (st->base.ctx->pool, st->schema,
                                  MAX (st->base.ctx->batch_size, 1u), error)) == NULL)
    return RT_FAIL;
  if (!rt_batch_append_row (st->out, src, r, error))
    return RT_FAIL;
  st->out->kinds[st->out->n_rows - 1] = (guint8) kind;
  if (st->out->n_rows == st->out->capacity)
    return flush_out (st, error);
  return RT_OK;
}

/* Batch mode without spilling: sorts the held rows and emits ranks offset .. offset +
 * limit - 1 of them in fresh batches. */
static RtResult
emit_in_memory (RtSort *st, GError **error)
{
  const RowRef *refs;
  guint n, from, cap = MAX (st->base.ctx->batch_size, 1u);

  sort_rows (st);
  refs = (const RowRef *) st->rows->data;
  n = st->rows->len;
  from = (guint) CLAMP (st->sort.offset, 0, (gint64) n);
  if (st->sort.limit >= 0 && (guint64) st->sort.limit < n - from)
    n = from + (guint) st->sort.limit;
  for (guint i = from; i < n; i += cap)
    {
      g_autoptr (RtBatch) out = rt_batch_new (st->base.ctx->pool, st->schema, cap, error);
      RtResult r;

      if (out == NULL || !gather_rows (st, out, refs + i, MIN (cap, n - i), error))
        return RT_FAIL;
      if ((r = rt_op_emit (&st->base, out, error)) == RT_FAIL)
        return RT_FAIL;
      if (r == RT_DONE) /* downstream needs no more */
        break;
    }
  release_held (st);
  return RT_OK;
}

static void
drop_spill_dir (RtSort *st)
{
  if (st->runs != NULL)
    g_ptr_array_set_size (st->runs, 0); /* closes and deletes the run files */
  rt__run_dir_remove (st->spill_dir);
  g_clear_pointer (&st->spill_dir, g_free);
}

/* ---- merging the runs ---------------------------------------------------------------- */

static int
compare_sorted (const RtBatch *a, guint ra, const RtBatch *b, guint rb, gconstpointer data)
{
  return compare_rows (data, a, ra, b, rb);
}

/* The first key's prefix: a smaller one always sorts first (key_prefix). */
static guint64
sorted_prefix (const RtBatch *batch, guint row, gconstpointer data)
{
  return rt__sort_key_prefix (data, batch, row, 0);
}

/* Emits the merge's rows in order, ranks offset .. offset + limit - 1 of them, picked a
 * batch at a time (rt-extsort.h). */
static RtResult
merge_out (RtSort *st, RtRunMerge *m, GError **error)
{
  const RtBatch *batch;
  guint row, cap = MAX (st->base.ctx->batch_size, 1u);
  guint64 steps = 0;
  RtResult r = RT_OK;

  while (r == RT_OK && rt__run_merge_peek (m, &batch, &row))
    {
      guint64 rank = st->out_rank++;

      if ((++steps & 4095) == 0 && cancelled (st, error))
        return RT_FAIL;
      if (st->sort.limit >= 0 && (gint64) rank >= st->sort.offset + st->sort.limit)
        break;
      if ((gint64) rank >= st->sort.offset
          && rt__picks_add (&st->picks, (RtBatch *) batch, row, cap))
        r = rt__picks_emit (&st->picks, &st->base, st->schema, error);
      if (r != RT_FAIL && !rt__run_merge_advance (m, error))
        return RT_FAIL;
    }
  if (r == RT_OK)
    r = rt__picks_emit (&st->picks, &st->base, st->schema, error);
  rt__picks_clear (&st->picks);
  return r == RT_FAIL ? RT_FAIL : RT_OK;
}

/* Merges the runs (rt-extsort.h), in several passes when there are more than the share
 * can read at once: the earliest runs merge into one new run that takes their place at
 * the front (so ties still keep input order), until the rest fit one final merge into the
 * output. The run files go as soon as the merge has read them. */
static RtResult
merge_runs (RtSort *st, GError **error)
{
  RtRunMergeSpec spec = { st->schema, st->base.ctx->pool, compare_sorted, &st->sort,
                          st->base.ctx->cancelled, "The sort was cancelled", sorted_prefix };
  RtRunMerge *m = NULL;
  RtResult r = RT_FAIL;
  guint64 passes = 0;

  if (rt__run_merge_reduce (&spec, st->runs, st->spill_dir, rt__run_merge_fan_in (st->share),
                            &passes, error)
      && (m = rt__run_merge_new (&spec, (RtRunFile *const *) st->runs->pdata, st->runs->len,
                                 error)) != NULL)
    r = merge_out (st, m, error);
  add_spilled (st, passes);
  rt__run_merge_free (m);
  drop_spill_dir (st); /* the runs first: one kept in memory reads the held rows */
  release_held (st);
  return r; /* merge_out emitted every picked row */
}

/* ---- streaming Top-N ----------------------------------------------------------------- */

/* Removes one live row equal (every column) to row r of batch; FALSE when none is. */
static gboolean
retract_row (RtSort *st, const RtBatch *batch, guint r)
{
  for (guint i = 0; i < st->rows->len; i++)
    {
      const RowRef *ref = &g_array_index (st->rows, RowRef, i);
      const RtBatch *b = st->batches->pdata[ref->b];
      gboolean equal = TRUE;

      for (guint c = 0; c < st->schema->n_fields && equal; c++)
        {
          gboolean na = !rt_vec_is_valid (&b->cols[c], ref->r);
          gboolean nb = !rt_vec_is_valid (&batch->cols[c], r);

          equal = na == nb
                  && (na || rt__sort_compare_values (&b->cols[c], ref->r, &batch->cols[c], r)
                            == 0);
        }
      if (equal)
        {
          g_array_remove_index (st->rows, i);
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
in_window (const RtSort *st, guint rank)
{
  return (gint64) rank >= st->sort.offset
         && (gint64) rank < st->sort.offset + st->sort.limit;
}

/* Emits -D for emitted rows no longer ranked in the window, +I for rows new to it. */
static RtResult
emit_changes (RtSort *st, GError **error)
{
  g_autoptr (GHashTable) now = g_hash_table_new (g_int64_hash, g_int64_equal);
  GHashTableIter it;
  gpointer key, value;

  sort_rows (st);
  for (guint i = 0; i < st->rows->len && (gint64) i < st->sort.offset + st->sort.limit; i++)
    if (in_window (st, i))
      {
        RowRef *ref = &g_array_index (st->rows, RowRef, i);
        g_hash_table_add (now, &ref->seq);
      }
  g_hash_table_iter_init (&it, st->emitted);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (!g_hash_table_contains (now, key))
      {
        const RowRef *old = value;

        if (put_row (st, st->batches->pdata[old->b], old->r, RT_ROW_DELETE, error) == RT_FAIL)
          return RT_FAIL;
        g_hash_table_iter_remove (&it);
      }
  for (guint i = 0; i < st->rows->len && (gint64) i < st->sort.offset + st->sort.limit; i++)
    {
      RowRef *ref = &g_array_index (st->rows, RowRef, i);

      if (!in_window (st, i) || g_hash_table_contains (st->emitted, &ref->seq))
        continue;
      if (put_row (st, st->batches->pdata[ref->b], ref->r, RT_ROW_INSERT, error) == RT_FAIL)
        return RT_FAIL;
      RowRef *copy = g_memdup2 (ref, sizeof *ref);
      g_hash_table_insert (st->emitted, &copy->seq, copy);
    }
  return flush_out (st, error);
}

/* After emitting: drop rows that can never be ranked again (insert-only input) and
 * compact when most held rows are dead, re-pointing the emitted rows. */
static gboolean
stream_compact (RtSort *st, gboolean insert_only, GError **error)
{
  g_autoptr (GHashTable) by_seq = NULL;
  guint held = 0;

  if (insert_only && st->rows->len > keep_rows (st))
    g_array_set_size (st->rows, keep_rows (st));
  for (guint i = 0; i < st->batches->len; i++)
    held += ((RtBatch *) st->batches->pdata[i])->n_rows;
  if (held <= 2 * st->rows->len + st->base.ctx->batch_size)
    return TRUE;
  /* every emitted row is live (a retracted one was just deleted), so it moves too */
  if (!compact (st, st->rows->len, error))
    return FALSE;
  by_seq = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < st->rows->len; i++)
    {
      RowRef *ref = &g_array_index (st->rows, RowRef, i);
      g_hash_table_insert (by_seq, &ref->seq, ref);
    }
  {
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init (&it, st->emitted);
    while (g_hash_table_iter_next (&it, NULL, &value))
      {
        RowRef *old = value;
        const RowRef *cur = g_hash_table_lookup (by_seq, &old->seq);

        g_assert (cur != NULL);
        old->b = cur->b;
        old->r = cur->r;
      }
  }
  return TRUE;
}

static RtResult
stream_process (RtSort *st, RtBatch *batch, GError **error)
{
  guint32 bi = st->batches->len;

  g_ptr_array_add (st->batches, rt_batch_ref (batch));
  for (guint r = 0; r < batch->n_rows; r++)
    {
      RowRef ref = make_ref (st, batch, bi, r, st->next_seq++);

      if (batch->kinds[r] == RT_ROW_INSERT || batch->kinds[r] == RT_ROW_UPDATE_AFTER)
        g_array_append_val (st->rows, ref);
      else
        retract_row (st, batch, r);
    }
  if (emit_changes (st, error) == RT_FAIL)
    return RT_FAIL;
  return stream_compact (st, !st->input_updating, error) ? RT_OK : RT_FAIL;
}

/* ---- the operator -------------------------------------------------------------------- */

static RtResult
sort_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtSort *st = (RtSort *) op;
  guint keep = keep_rows (st);

  if (st->streaming)
    return stream_process (st, batch, error);
  if (!hold_batch (st, batch, error))
    return RT_FAIL;
  /* Top-N: keep only the rows that can still be emitted, while that is a small part. */
  if (keep != G_MAXUINT && st->rows->len >= 2 * (gsize) keep + op->ctx->batch_size)
    {
      sort_rows (st);
      if (!compact (st, keep, error))
        return RT_FAIL;
    }
  if (st->held_bytes > st->share && !spill_run (st, error))
    return RT_FAIL;
  return RT_OK;
}

static RtResult
sort_finish (RtOperator *op, GError **error)
{
  RtSort *st = (RtSort *) op;

  if (st->streaming)
    return RT_OK;
  if (st->runs->len == 0)
    return emit_in_memory (st, error);
  if (st->rows->len > 0 && !keep_last_run (st) && !spill_run (st, error))
    return RT_FAIL;
  return merge_runs (st, error);
}

static gboolean
sort_open (RtOperator *op, GError **error)
{
  RtSort *st = (RtSort *) op;

  /* per subtask: parallel local sorts (before a sort merge) split the half between them */
  st->share = MAX (rt_mem_pool_get_budget (op->ctx->pool) / 2 / MAX (op->ctx->parallelism, 1u),
                   (gsize) RT_PAGE_SIZE * 2);
  return TRUE;
}

static void
sort_close (RtOperator *op)
{
  RtSort *st = (RtSort *) op;

  g_clear_pointer (&st->out, rt_batch_unref);
  rt__picks_clear (&st->picks);
  g_clear_pointer (&st->batches, g_ptr_array_unref);
  g_clear_pointer (&st->rows, g_array_unref);
  g_clear_pointer (&st->col_null, g_free);
  drop_spill_dir (st);
  g_clear_pointer (&st->runs, g_ptr_array_unref);
  g_clear_pointer (&st->emitted, g_hash_table_unref);
  g_clear_pointer (&st->schema, plan_schema_unref);
  plan_sort_clear (&st->sort);
}

static const RtOperatorClass sort_class = {
  .name = "Sort",
  .instance_size = sizeof (RtSort),
  .open = sort_open,
  .process = sort_process,
  .finish = sort_finish,
  .close = sort_close,
};

/* ---- checkpoints (streaming Top-N only) ---------------------------------------------- *
 * The batch sort takes no checkpoints (batch jobs have none), so it keeps a class without
 * snapshot and a checkpointed job refuses it. The streaming Top-N is global (one subtask):
 * its state is one list entry with the arrival counter and every live row with its
 * arrival number and whether it is emitted now. At a barrier nothing is held back (each
 * input batch is answered in full) and the emitted rows are a subset of the live ones. */

static gboolean
stream_snapshot (RtOperator *op, gint64 id, RtStateOut *out, GError **error)
{
  RtSort *st = (RtSort *) op;

  rt_state_begin (out, RT_STATE_LIST);
  rt_state_put_u64 (out, st->next_seq);
  rt_state_put_u64 (out, st->rows->len);
  for (guint i = 0; i < st->rows->len; i++)
    {
      const RowRef *ref = &g_array_index (st->rows, RowRef, i);
      const RtBatch *b = st->batches->pdata[ref->b];

      rt_state_put_u64 (out, ref->seq);
      rt_state_put_u64 (out, g_hash_table_contains (st->emitted, &ref->seq) ? 1 : 0);
      for (guint c = 0; c < st->schema->n_fields; c++)
        {
          PlanValue v;

          rt_batch_get_value (b, c, ref->r, &v);
          rt_state_put_value (out, &v);
          plan_value_clear (&v);
        }
    }
  rt_state_end (out);
  return TRUE;
}

/* Reads one live row into the last held batch (a new one when it is full). */
static gboolean
restore_row (RtSort *st, RtStateIn *in, GError **error)
{
  guint n = st->schema->n_fields;
  g_autofree PlanValue *vals = g_new0 (PlanValue, n + 1);
  RtBatch *cur = st->batches->len > 0 ? st->batches->pdata[st->batches->len - 1] : NULL;
  guint64 seq = 0, emitted = 0;
  gboolean ok;

  ok = rt_state_get_u64 (in, &seq) && rt_state_get_u64 (in, &emitted);
  for (guint c = 0; c < n && ok; c++)
    ok = rt_state_get_value (in, &vals[c]);
  if (ok && (cur == NULL || cur->n_rows == cur->capacity))
    {
      cur = rt_batch_new (st->base.ctx->pool, st->schema, MAX (st->base.ctx->batch_size, 1u),
                          error);
      if (cur != NULL)
        g_ptr_array_add (st->batches, cur);
      ok = cur != NULL;
    }
  ok = ok && rt_batch_append_values (cur, vals, error);
  if (ok)
    {
      RowRef ref = make_ref (st, cur, st->batches->len - 1, cur->n_rows - 1, seq);

      g_array_append_val (st->rows, ref);
      if (emitted)
        {
          RowRef *copy = g_memdup2 (&ref, sizeof ref);
          g_hash_table_insert (st->emitted, &copy->seq, copy);
        }
    }
  for (guint c = 0; c < n; c++)
    plan_value_clear (&vals[c]);
  return ok;
}

static gboolean
stream_restore (RtOperator *op, RtStateIn *in, GError **error)
{
  RtSort *st = (RtSort *) op;

  while (rt_state_next (in, NULL))
    {
      guint64 next_seq = 0, n = 0;

      if (!rt_state_get_u64 (in, &next_seq) || !rt_state_get_u64 (in, &n))
        return rt_state_malformed (in, op, error);
      st->next_seq = MAX (st->next_seq, next_seq);
      for (guint64 i = 0; i < n; i++)
        if (!restore_row (st, in, error))
          return error != NULL && *error != NULL ? FALSE : rt_state_malformed (in, op, error);
    }
  sort_rows (st);
  return TRUE;
}

static const RtOperatorClass stream_sort_class = {
  .name = "Sort",
  .instance_size = sizeof (RtSort),
  .open = sort_open,
  .process = sort_process,
  .finish = sort_finish,
  .close = sort_close,
  .snapshot = stream_snapshot, /* added by checkpoints */
  .restore = stream_restore,
};

RtOperator *
rt_op_sort_new (const PlanPhysNode *node, GError **error)
{
  RtSort *st;

  g_return_val_if_fail (node != NULL, NULL);
  if (node->kind != PLAN_PHYS_SORT || node->n_inputs != 1
      || (node->updating && node->u.sort.limit < 0))
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "internal error: a sort operator needs "
                   "a SORT node with one input (and a limit when it streams)");
      return NULL;
    }
  st = (RtSort *) rt_operator_new (node->updating ? &stream_sort_class : &sort_class,
                                  node->id);
  plan_sort_copy (&st->sort, &node->u.sort);
  st->schema = plan_schema_ref (node->schema);
  st->streaming = node->updating;
  st->input_updating = node->inputs[0].node->updating;
  st->use_prefix2 = st->sort.n_keys >= 2
                    && prefix_is_whole (node->schema->fields[st->sort.keys[0]].type.kind);
  st->batches = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_batch_unref);
  st->rows = g_array_new (FALSE, FALSE, sizeof (RowRef));
  st->col_null = g_new0 (gboolean, MAX (node->schema->n_fields, 1u));
  st->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) rt__run_file_free);
  st->emitted = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  return &st->base;
}
