/* rt-extsort.c: the external sorter on key columns (see rt-extsort.h).
 *
 * The shape follows the batch-mode ORDER BY in rt-op-sort.c, cut down to what a join needs
 * and written as a reusable object rather than an operator: ascending keys only, no limit,
 * no changelog. Held rows are references (a 64-bit key prefix, batch, row, arrival number)
 * so sorting compares mostly inside one array; the first key's prefix is ordered so that
 * unsigned comparison agrees with the key order, and only equal prefixes look at the
 * batches. Spilled runs are read back a page-sized batch at a time, so reading costs two
 * pages per run whatever the run's size; the fan-in of one merge pass is what the share
 * allows, and earlier runs are merged first when there are more.
 *
 * The sorter counts its own bytes against the share it was given; it never waits for or
 * fails on the pool for holding input (the batches come already allocated), only the
 * batches it reads back from runs are new pool allocations. */
#include "rt-extsort.h"

#include <math.h>
#include <string.h>

typedef struct {
  guint64 prefix;
  guint32 b;
  guint32 r;
  guint64 seq;
} Ref;

typedef struct {
  RtRunFile *run;  /* borrowed from s->runs */
  RtBatch *batch;  /* owned */
  guint pos;
  guint index;     /* run number: ties go to the earlier run (stable) */
} Input;

struct _RtExtSort {
  PlanSchema *schema;    /* owned ref */
  guint n_keys;
  guint *keys;           /* owned */
  gboolean prefix_exact; /* one integer-like key: equal prefixes mean equal keys */
  RtMemPool *pool;       /* borrowed */
  gsize share;
  volatile gint *cancelled; /* borrowed, nullable */
  GPtrArray *batches;    /* owned refs of held batches */
  GArray *refs;          /* Ref */
  gsize held;
  guint64 seq;
  char *dir;             /* owned, nullable: the run directory */
  GPtrArray *runs;       /* owned RtRunFile* */
  guint64 spilled;
  guint n_runs_written;
  /* reading */
  gboolean finished;
  gsize next;            /* in-memory: index into refs */
  Input *heap;           /* owned: spilled: the merge heap */
  guint n_heap;
};

/* ---- comparing ----------------------------------------------------------------------- */

static int
compare_value (const RtVector *va, guint ra, const RtVector *vb, guint rb)
{
  switch (va->kind)
    {
    case PLAN_TYPE_BOOLEAN:
      return (int) (((const guint8 *) va->data)[ra] != 0)
             - (int) (((const guint8 *) vb->data)[rb] != 0);
    case PLAN_TYPE_INT:
    case PLAN_TYPE_DATE:
      {
        gint32 x = ((const gint32 *) va->data)[ra], y = ((const gint32 *) vb->data)[rb];
        return (x > y) - (x < y);
      }
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      {
        gint64 x = ((const gint64 *) va->data)[ra], y = ((const gint64 *) vb->data)[rb];
        return (x > y) - (x < y);
      }
    case PLAN_TYPE_DOUBLE:
      {
        double x = ((const double *) va->data)[ra], y = ((const double *) vb->data)[rb];

        if (x < y)
          return -1;
        if (x > y)
          return 1;
        return isnan (x) - isnan (y);
      }
    case PLAN_TYPE_VARCHAR:
      {
        RtStr x = ((const RtStr *) va->data)[ra], y = ((const RtStr *) vb->data)[rb];
        int c = memcmp (x.ptr, y.ptr, MIN (x.len, y.len));

        return c != 0 ? c : (x.len > y.len) - (x.len < y.len);
      }
    case PLAN_TYPE_NULL:
    default:
      return 0;
    }
}

int
rt__ext_sort_compare (guint n, const RtBatch *a, const guint *ka, guint ra, const RtBatch *b,
                      const guint *kb, guint rb)
{
  for (guint k = 0; k < n; k++)
    {
      const RtVector *va = &a->cols[ka[k]], *vb = &b->cols[kb[k]];
      gboolean na = !rt_vec_is_valid (va, ra), nb = !rt_vec_is_valid (vb, rb);
      int c;

      if (na || nb)
        {
          if (na && nb)
            continue;
          return na ? -1 : 1;
        }
      if ((c = compare_value (va, ra, vb, rb)) != 0)
        return c;
    }
  return 0;
}

/* The first key as an unsigned number in key order (NULL first). */
static guint64
prefix_of (const RtExtSort *s, const RtBatch *batch, guint r)
{
  const RtVector *v = &batch->cols[s->keys[0]];
  guint64 x = 0;

  if (!rt_vec_is_valid (v, r))
    return 0;
  switch (v->kind)
    {
    case PLAN_TYPE_BOOLEAN:
      return 1 + (((const guint8 *) v->data)[r] != 0);
    case PLAN_TYPE_INT:
    case PLAN_TYPE_DATE:
      x = (guint64) (gint64) ((const gint32 *) v->data)[r] ^ G_GUINT64_CONSTANT (1) << 63;
      break;
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      x = (guint64) ((const gint64 *) v->data)[r] ^ G_GUINT64_CONSTANT (1) << 63;
      break;
    case PLAN_TYPE_DOUBLE:
      {
        double d = ((const double *) v->data)[r];

        if (d == 0.0)
          d = 0.0;
        if (isnan (d))
          d = NAN;
        memcpy (&x, &d, sizeof x);
        x = (x >> 63) ? ~x : x | G_GUINT64_CONSTANT (1) << 63;
        break;
      }
    case PLAN_TYPE_VARCHAR:
      {
        RtStr str = ((const RtStr *) v->data)[r];

        for (guint i = 0; i < 8; i++)
          x = x << 8 | (i < str.len ? (guint8) str.ptr[i] : 0);
        break;
      }
    case PLAN_TYPE_NULL:
    default:
      break;
    }
  /* 0 is NULL's: a real value never maps there (it would only lose the tie to NULL, and
   * the full comparison settles equal prefixes anyway) */
  return x == 0 ? 1 : x;
}

static inline gboolean
ref_less (const RtExtSort *s, const Ref *a, const Ref *b)
{
  int c;

  if (a->prefix != b->prefix)
    return a->prefix < b->prefix;
  if (s->prefix_exact && a->prefix > 1) /* 0 and 1 are shared by NULL and the minimum */
    return a->seq < b->seq;
  c = rt__ext_sort_compare (s->n_keys, s->batches->pdata[a->b], s->keys, a->r,
                            s->batches->pdata[b->b], s->keys, b->r);
  return c != 0 ? c < 0 : a->seq < b->seq;
}

/* Bottom-up merge sort: insertion sort of runs of 16, then merge passes alternating
 * between v and tmp. */
static void
sort_refs (const RtExtSort *s, Ref *v, gsize n)
{
  g_autofree Ref *tmp = n > 16 ? g_new (Ref, n) : NULL;
  Ref *src = v, *dst = tmp;

  for (gsize lo = 0; lo < n; lo += 16)
    for (gsize a = lo + 1; a < MIN (lo + 16, n); a++)
      {
        Ref x = v[a];
        gsize b = a;

        for (; b > lo && ref_less (s, &x, &v[b - 1]); b--)
          v[b] = v[b - 1];
        v[b] = x;
      }
  for (gsize width = 16; width < n; width *= 2)
    {
      for (gsize lo = 0; lo < n; lo += 2 * width)
        {
          gsize mid = MIN (lo + width, n), hi = MIN (lo + 2 * width, n), i = lo, j = mid, k = lo;

          if (mid >= hi || !ref_less (s, &src[mid], &src[mid - 1]))
            {
              memcpy (dst + lo, src + lo, (hi - lo) * sizeof *src); /* already in order */
              continue;
            }
          while (i < mid && j < hi)
            dst[k++] = ref_less (s, &src[j], &src[i]) ? src[j++] : src[i++];
          while (i < mid)
            dst[k++] = src[i++];
          while (j < hi)
            dst[k++] = src[j++];
        }
      Ref *swap = src;
      src = dst;
      dst = swap;
    }
  if (src != v)
    memcpy (v, src, n * sizeof *v);
}

/* ---- holding and spilling ------------------------------------------------------------ */

RtExtSort *
rt__ext_sort_new (PlanSchema *schema, guint n_keys, const guint *keys, RtMemPool *pool,
                  gsize share, volatile gint *cancelled)
{
  RtExtSort *s = g_new0 (RtExtSort, 1);

  g_return_val_if_fail (n_keys > 0, NULL);
  s->schema = plan_schema_ref (schema);
  s->n_keys = n_keys;
  s->keys = g_memdup2 (keys, n_keys * sizeof *keys);
  switch (schema->fields[keys[0]].type.kind)
    {
    case PLAN_TYPE_INT:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      s->prefix_exact = n_keys == 1; /* the prefix is the value itself (NULL: 0, value >= 1) */
      break;
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_BOOLEAN:
    case PLAN_TYPE_DOUBLE:
    case PLAN_TYPE_VARCHAR:
    default:
      break;
    }
  s->pool = pool;
  s->share = MAX (share, (gsize) 4 * RT_PAGE_SIZE);
  s->cancelled = cancelled;
  s->batches = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_batch_unref);
  s->refs = g_array_new (FALSE, FALSE, sizeof (Ref));
  s->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) rt__run_file_free);
  return s;
}

static gsize
batch_bytes (const RtBatch *b)
{
  gsize n = b->block_size;

  for (GSList *l = b->arena_pages; l != NULL; l = l->next)
    n += *(const gsize *) l->data;
  for (guint i = 0; b->keep != NULL && i < b->keep->len; i++)
    n += ((const RtBatch *) b->keep->pdata[i])->block_size;
  return n;
}

static gboolean
check_cancel (const RtExtSort *s, GError **error)
{
  if (s->cancelled == NULL || g_atomic_int_get (s->cancelled) == 0)
    return TRUE;
  g_set_error (error, RT_ERROR, RT_ERROR_CANCELLED, "The join's sort was cancelled");
  return FALSE;
}

/* Sorts the held rows into a new run and lets the batches go. */
static gboolean
spill_run (RtExtSort *s, GError **error)
{
  RtRunFile *run;

  if (s->dir == NULL && (s->dir = rt__run_dir_new ("strom-join", error)) == NULL)
    return FALSE;
  if ((run = rt__run_file_new (s->dir, error)) == NULL)
    return FALSE;
  g_ptr_array_add (s->runs, run);
  sort_refs (s, (Ref *) s->refs->data, s->refs->len);
  for (guint i = 0; i < s->refs->len; i++)
    {
      const Ref *ref = &g_array_index (s->refs, Ref, i);

      if ((i & 4095) == 0 && !check_cancel (s, error))
        return FALSE;
      if (!rt__run_file_write (run, s->batches->pdata[ref->b], ref->r, error))
        return FALSE;
    }
  if (!rt__run_file_finish (run, error))
    return FALSE;
  s->spilled += rt__run_file_get_bytes (run);
  s->n_runs_written++;
  g_ptr_array_set_size (s->batches, 0);
  g_array_set_size (s->refs, 0);
  s->held = 0;
  return TRUE;
}

gboolean
rt__ext_sort_add (RtExtSort *s, RtBatch *batch, const guint32 *sel, guint n_sel,
                  GError **error)
{
  guint n = sel != NULL ? n_sel : batch->n_rows;
  guint32 bi;

  g_return_val_if_fail (!s->finished, FALSE);
  if (n == 0)
    return TRUE;
  bi = s->batches->len;
  g_ptr_array_add (s->batches, rt_batch_ref (batch));
  for (guint i = 0; i < n; i++)
    {
      guint r = sel != NULL ? sel[i] : i;
      Ref ref = { prefix_of (s, batch, r), bi, r, s->seq++ };

      g_array_append_val (s->refs, ref);
    }
  /* references and the sort's second buffer are heap memory, bounded by the share too */
  s->held += batch_bytes (batch) + 2 * sizeof (Ref) * n;
  return s->held <= s->share || spill_run (s, error);
}

/* ---- reading ------------------------------------------------------------------------- */

static guint
read_capacity (const RtExtSort *s)
{
  gsize width = 1 + 8;

  for (guint c = 0; c < s->schema->n_fields; c++)
    width += plan_type_storage_size (s->schema->fields[c].type.kind);
  return (guint) CLAMP ((RT_PAGE_SIZE - 2048) / width, 16, 1024);
}

static gboolean
input_less (const RtExtSort *s, const Input *a, const Input *b)
{
  int c = rt__ext_sort_compare (s->n_keys, a->batch, s->keys, a->pos, b->batch, s->keys,
                                b->pos);

  return c != 0 ? c < 0 : a->index < b->index;
}

static void
sift_down (const RtExtSort *s, Input *heap, guint n, guint i)
{
  for (;;)
    {
      guint l = 2 * i + 1, m = i;
      Input tmp;

      if (l < n && input_less (s, &heap[l], &heap[m]))
        m = l;
      if (l + 1 < n && input_less (s, &heap[l + 1], &heap[m]))
        m = l + 1;
      if (m == i)
        return;
      tmp = heap[i];
      heap[i] = heap[m];
      heap[m] = tmp;
      i = m;
    }
}

/* Next batch of in's run; FALSE at its end (error unset) or on failure. */
static gboolean
refill (RtExtSort *s, Input *in, GError **error)
{
  g_clear_pointer (&in->batch, rt_batch_unref);
  in->pos = 0;
  in->batch = rt__run_file_read (in->run, s->pool, s->schema, read_capacity (s), error);
  return in->batch != NULL;
}

/* Opens runs [0, n) into a heap; FALSE with error on failure. */
static gboolean
heap_open (RtExtSort *s, guint n, Input **out_heap, guint *out_n, GError **error)
{
  Input *heap = g_new0 (Input, MAX (n, 1u));
  guint k = 0;

  for (guint i = 0; i < n; i++)
    {
      GError *local = NULL;

      heap[k] = (Input) { s->runs->pdata[i], NULL, 0, i };
      if (refill (s, &heap[k], &local))
        k++;
      else if (local != NULL)
        {
          g_propagate_error (error, local);
          for (guint j = 0; j < k; j++)
            rt_batch_unref (heap[j].batch);
          g_free (heap);
          return FALSE;
        }
    }
  for (guint i = k; i > 0; i--)
    sift_down (s, heap, k, i - 1);
  *out_heap = heap;
  *out_n = k;
  return TRUE;
}

/* Moves the heap's top on by one row; FALSE with error on failure. */
static gboolean
heap_advance (RtExtSort *s, Input *heap, guint *n, GError **error)
{
  Input *top = &heap[0];
  GError *local = NULL;

  if (++top->pos == top->batch->n_rows && !refill (s, top, &local))
    {
      if (local != NULL)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      heap[0] = heap[*n - 1];
      heap[--*n].batch = NULL;
    }
  sift_down (s, heap, *n, 0);
  return TRUE;
}

static void
heap_free (Input *heap, guint n)
{
  for (guint i = 0; i < n; i++)
    g_clear_pointer (&heap[i].batch, rt_batch_unref);
  g_free (heap);
}

/* Merges the first n runs into one run that takes their place. */
static gboolean
merge_pass (RtExtSort *s, guint n, GError **error)
{
  RtRunFile *merged = rt__run_file_new (s->dir, error);
  Input *heap = NULL;
  guint k = 0;
  guint64 steps = 0;
  gboolean ok;

  if (merged == NULL)
    return FALSE;
  ok = heap_open (s, n, &heap, &k, error);
  while (ok && k > 0)
    {
      if ((++steps & 4095) == 0 && !check_cancel (s, error))
        ok = FALSE;
      else
        ok = rt__run_file_write (merged, heap[0].batch, heap[0].pos, error)
             && heap_advance (s, heap, &k, error);
    }
  if (heap != NULL)
    heap_free (heap, k);
  ok = ok && rt__run_file_finish (merged, error);
  if (ok)
    s->spilled += rt__run_file_get_bytes (merged);
  g_ptr_array_remove_range (s->runs, 0, n);
  g_ptr_array_insert (s->runs, 0, merged);
  return ok;
}

gboolean
rt__ext_sort_finish (RtExtSort *s, GError **error)
{
  guint fan_in;

  g_return_val_if_fail (!s->finished, FALSE);
  if (s->runs->len == 0)
    {
      sort_refs (s, (Ref *) s->refs->data, s->refs->len);
      s->finished = TRUE;
      return TRUE;
    }
  if (s->refs->len > 0 && !spill_run (s, error))
    return FALSE;
  fan_in = (guint) MAX (s->share / (2 * RT_PAGE_SIZE), 3u) - 1;
  while (s->runs->len > fan_in)
    if (!merge_pass (s, fan_in, error))
      return FALSE;
  if (!heap_open (s, s->runs->len, &s->heap, &s->n_heap, error))
    return FALSE;
  s->finished = TRUE;
  return TRUE;
}

gboolean
rt__ext_sort_peek (RtExtSort *s, const RtBatch **batch, guint *row)
{
  g_return_val_if_fail (s->finished, FALSE);
  if (s->heap != NULL)
    {
      if (s->n_heap == 0)
        return FALSE;
      *batch = s->heap[0].batch;
      *row = s->heap[0].pos;
      return TRUE;
    }
  if (s->next >= s->refs->len)
    return FALSE;
  {
    const Ref *ref = &g_array_index (s->refs, Ref, s->next);

    *batch = s->batches->pdata[ref->b];
    *row = ref->r;
  }
  return TRUE;
}

gboolean
rt__ext_sort_advance (RtExtSort *s, GError **error)
{
  g_return_val_if_fail (s->finished, FALSE);
  if (s->heap != NULL)
    return s->n_heap == 0 || heap_advance (s, s->heap, &s->n_heap, error);
  if (s->next < s->refs->len)
    s->next++;
  return TRUE;
}

guint64
rt__ext_sort_get_spilled_bytes (const RtExtSort *s)
{
  return s->spilled;
}

guint
rt__ext_sort_get_runs (const RtExtSort *s)
{
  return s->n_runs_written;
}

void
rt__ext_sort_free (RtExtSort *s)
{
  if (s == NULL)
    return;
  if (s->heap != NULL)
    heap_free (s->heap, s->n_heap);
  g_ptr_array_unref (s->batches);
  g_array_unref (s->refs);
  g_ptr_array_unref (s->runs); /* closes and deletes the run files */
  rt__run_dir_remove (s->dir);
  g_free (s->dir);
  g_free (s->keys);
  plan_schema_unref (s->schema);
  g_free (s);
}
