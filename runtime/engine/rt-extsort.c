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
 * batches it reads back from runs are new pool allocations.
 *
 * The merge of runs (RtRunMerge, at the end of the file) is ordered by a caller's row
 * comparison rather than by this sorter's keys, so ORDER BY merges its runs with it too;
 * that costs an indirect call per comparison, small next to decoding the rows. */
#include "rt-extsort.h"
#include "rt-operator.h"

typedef struct {
  guint64 prefix;
  guint32 b;
  guint32 r;
  guint64 seq;
} Ref;

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
  RtRunMerge *merge;     /* owned: spilled: the merge of the runs */
};

/* ---- comparing ----------------------------------------------------------------------- */

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
      if ((c = rt__sort_compare_values (va, ra, vb, rb)) != 0)
        return c;
    }
  return 0;
}

/* The first key as an unsigned number in key order (NULL first). */
static guint64
prefix_of (const RtExtSort *s, const RtBatch *batch, guint r)
{
  const RtVector *v = &batch->cols[s->keys[0]];
  guint64 x;

  if (!rt_vec_is_valid (v, r))
    return 0;
  x = rt__sort_key_bits (v, r);
  if (v->kind == PLAN_TYPE_BOOLEAN)
    return 1 + x;
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

gsize
rt__batch_held_bytes (const RtBatch *b)
{
  gsize n = b->block_size;

  for (GSList *l = b->arena_pages; l != NULL; l = l->next)
    n += *(const gsize *) l->data;
  for (guint i = 0; b->keep != NULL && i < b->keep->len; i++)
    n += ((const RtBatch *) b->keep->pdata[i])->block_size;
  return n;
}

#define JOIN_SORT_CANCELLED "The join's sort was cancelled"

/* FALSE with an error carrying message when cancelled (nullable) is set. */
static gboolean
poll_cancel (volatile gint *cancelled, const char *message, GError **error)
{
  if (cancelled == NULL || g_atomic_int_get (cancelled) == 0)
    return TRUE;
  g_set_error_literal (error, RT_ERROR, RT_ERROR_CANCELLED, message);
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

      if ((i & 4095) == 0 && !poll_cancel (s->cancelled, JOIN_SORT_CANCELLED, error))
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
  s->held += rt__batch_held_bytes (batch) + 2 * sizeof (Ref) * n;
  return s->held <= s->share || spill_run (s, error);
}

/* ---- reading ------------------------------------------------------------------------- */

static int
compare_on_keys (const RtBatch *a, guint ra, const RtBatch *b, guint rb, gconstpointer data)
{
  const RtExtSort *s = data;

  return rt__ext_sort_compare (s->n_keys, a, s->keys, ra, b, s->keys, rb);
}

gboolean
rt__ext_sort_finish (RtExtSort *s, GError **error)
{
  RtRunMergeSpec spec = { s->schema, s->pool, compare_on_keys, s, s->cancelled,
                          JOIN_SORT_CANCELLED };

  g_return_val_if_fail (!s->finished, FALSE);
  if (s->runs->len == 0)
    {
      sort_refs (s, (Ref *) s->refs->data, s->refs->len);
      s->finished = TRUE;
      return TRUE;
    }
  if (s->refs->len > 0 && !spill_run (s, error))
    return FALSE;
  if (!rt__run_merge_reduce (&spec, s->runs, s->dir, rt__run_merge_fan_in (s->share),
                             &s->spilled, error))
    return FALSE;
  s->merge = rt__run_merge_new (&spec, (RtRunFile *const *) s->runs->pdata, s->runs->len,
                                error);
  if (s->merge == NULL)
    return FALSE;
  s->finished = TRUE;
  return TRUE;
}

gboolean
rt__ext_sort_peek (RtExtSort *s, const RtBatch **batch, guint *row)
{
  g_return_val_if_fail (s->finished, FALSE);
  if (s->merge != NULL)
    return rt__run_merge_peek (s->merge, batch, row);
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
  if (s->merge != NULL)
    return rt__run_merge_advance (s->merge, error);
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
  rt__run_merge_free (s->merge);
  g_ptr_array_unref (s->batches);
  g_array_unref (s->refs);
  g_ptr_array_unref (s->runs); /* closes and deletes the run files */
  rt__run_dir_remove (s->dir);
  g_free (s->dir);
  g_free (s->keys);
  plan_schema_unref (s->schema);
  g_free (s);
}

/* ---- merging run files ---------------------------------------------------------------- *
 * A binary heap of one input per run, each holding the run's current batch (read a page's
 * worth of rows at a time, so a run costs about two pages whatever its size) and a
 * position in it. The heap orders inputs by their current rows and then by run number, so
 * of equal rows the earlier run's comes first. */

typedef struct {
  RtRunFile *run;  /* borrowed */
  RtBatch *batch;  /* owned: the run's current batch, NULL once it is read */
  guint pos;
  guint index;     /* run number: ties go to the earlier run (stable) */
  guint64 key;     /* spec.prefix of the current row (0 without one) */
} Input;

struct _RtRunMerge {
  RtRunMergeSpec spec;
  guint capacity;  /* rows per batch read from a run */
  Input *heap;     /* owned */
  guint n;         /* inputs not yet at their end */
};

/* Rows per batch read from a run: one pool page of fixed-width values. */
static guint
read_capacity (const PlanSchema *schema)
{
  gsize width = 1 + 8; /* row kind, validity */

  for (guint c = 0; c < schema->n_fields; c++)
    width += plan_type_storage_size (schema->fields[c].type.kind);
  return (guint) CLAMP ((RT_PAGE_SIZE - 2048) / width, 16, 1024);
}

static inline gboolean
input_less (const RtRunMerge *m, const Input *a, const Input *b)
{
  int c;

  if (a->key != b->key)
    return a->key < b->key;
  c = m->spec.compare (a->batch, a->pos, b->batch, b->pos, m->spec.data);

  return c != 0 ? c < 0 : a->index < b->index;
}

static void
sift_down (RtRunMerge *m, guint i)
{
  Input *heap = m->heap;

  for (;;)
    {
      guint l = 2 * i + 1, top = i;
      Input tmp;

      if (l < m->n && input_less (m, &heap[l], &heap[top]))
        top = l;
      if (l + 1 < m->n && input_less (m, &heap[l + 1], &heap[top]))
        top = l + 1;
      if (top == i)
        return;
      tmp = heap[i];
      heap[i] = heap[top];
      heap[top] = tmp;
      i = top;
    }
}

/* Next batch of in's run; FALSE at its end (error unset) or on failure. */
static gboolean
refill (const RtRunMerge *m, Input *in, GError **error)
{
  g_clear_pointer (&in->batch, rt_batch_unref);
  in->pos = 0;
  in->batch = rt__run_file_read (in->run, m->spec.pool, m->spec.schema, m->capacity, error);
  if (in->batch != NULL && m->spec.prefix != NULL)
    in->key = m->spec.prefix (in->batch, 0, m->spec.data);
  return in->batch != NULL;
}

RtRunMerge *
rt__run_merge_new (const RtRunMergeSpec *spec, RtRunFile *const *runs, guint n,
                   GError **error)
{
  RtRunMerge *m = g_new0 (RtRunMerge, 1);

  m->spec = *spec;
  m->capacity = read_capacity (spec->schema);
  m->heap = g_new0 (Input, MAX (n, 1u));
  for (guint i = 0; i < n; i++)
    {
      GError *local = NULL;

      m->heap[m->n] = (Input) { runs[i], NULL, 0, i, 0 };
      if (refill (m, &m->heap[m->n], &local))
        m->n++;
      else if (local != NULL)
        {
          g_propagate_error (error, local);
          rt__run_merge_free (m);
          return NULL;
        }
    }
  for (guint i = m->n; i > 0; i--)
    sift_down (m, i - 1);
  return m;
}

gboolean
rt__run_merge_peek (const RtRunMerge *m, const RtBatch **batch, guint *row)
{
  if (m->n == 0)
    return FALSE;
  *batch = m->heap[0].batch;
  *row = m->heap[0].pos;
  return TRUE;
}

gboolean
rt__run_merge_advance (RtRunMerge *m, GError **error)
{
  Input *top = &m->heap[0];
  GError *local = NULL;

  if (m->n == 0)
    return TRUE;
  if (++top->pos < top->batch->n_rows && m->spec.prefix != NULL)
    top->key = m->spec.prefix (top->batch, top->pos, m->spec.data);
  else if (top->pos == top->batch->n_rows && !refill (m, top, &local))
    {
      if (local != NULL)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      m->heap[0] = m->heap[m->n - 1];
      m->heap[--m->n].batch = NULL; /* moved to the top (or gone when it was the top) */
    }
  sift_down (m, 0);
  return TRUE;
}

void
rt__run_merge_free (RtRunMerge *m)
{
  if (m == NULL)
    return;
  for (guint i = 0; i < m->n; i++)
    g_clear_pointer (&m->heap[i].batch, rt_batch_unref);
  g_free (m->heap);
  g_free (m);
}

guint
rt__run_merge_fan_in (gsize share)
{
  return (guint) MAX (share / (2 * RT_PAGE_SIZE), 3u) - 1;
}

/* Merges runs [0, n) into one new run that takes their place. */
static gboolean
merge_pass (const RtRunMergeSpec *spec, GPtrArray *runs, const char *dir, guint n,
            guint64 *spilled, GError **error)
{
  RtRunFile *merged = rt__run_file_new (dir, error);
  RtRunMerge *m;
  const RtBatch *batch;
  guint row;
  guint64 steps = 0;
  gboolean ok;

  if (merged == NULL)
    return FALSE;
  m = rt__run_merge_new (spec, (RtRunFile *const *) runs->pdata, n, error);
  ok = m != NULL;
  while (ok && rt__run_merge_peek (m, &batch, &row))
    {
      if ((++steps & 4095) == 0 && !poll_cancel (spec->cancelled, spec->cancel_message, error))
        ok = FALSE;
      else
        ok = rt__run_file_write (merged, batch, row, error) && rt__run_merge_advance (m, error);
    }
  rt__run_merge_free (m);
  ok = ok && rt__run_file_finish (merged, error);
  if (ok && spilled != NULL)
    *spilled += rt__run_file_get_bytes (merged);
  g_ptr_array_remove_range (runs, 0, n); /* deletes the merged files */
  g_ptr_array_insert (runs, 0, merged);
  return ok;
}

gboolean
rt__run_merge_reduce (const RtRunMergeSpec *spec, GPtrArray *runs, const char *dir,
                      guint fan_in, guint64 *spilled, GError **error)
{
  g_return_val_if_fail (fan_in >= 2, FALSE);
  while (runs->len > fan_in)
    if (!merge_pass (spec, runs, dir, fan_in, spilled, error))
      return FALSE;
  return TRUE;
}

/* ---- picks ----------------------------------------------------------------------------- */

void
rt__picks_pin (RtPicks *p, RtBatch *src, guint cap)
{
  gboolean held = FALSE;

  if (p->cap < cap)
    {
      p->src = g_renew (RtBatch *, p->src, cap);
      p->row = g_renew (guint32, p->row, cap);
      p->cap = cap;
    }
  if (p->pinned == NULL)
    p->pinned = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_batch_unref);
  /* a merge takes turns among a few batches: the last eight pinned are looked at, and a
   * batch pinned twice is only a reference more */
  for (guint k = p->pinned->len; k > 0 && p->pinned->len - k < 8 && !held; k--)
    held = p->pinned->pdata[k - 1] == src;
  if (!held)
    g_ptr_array_add (p->pinned, rt_batch_ref (src));
  if (src != p->last[0])
    {
      p->last[1] = p->last[0];
      p->last[0] = src;
    }
}

RtResult
rt__picks_emit (RtPicks *p, RtOperator *op, PlanSchema *schema, GError **error)
{
  g_autoptr (RtBatch) out = NULL;
  gboolean ok;

  if (p->n == 0)
    return RT_OK;
  out = rt_batch_new (op->ctx->pool, schema, p->n, error);
  ok = out != NULL && rt_batch_gather (out, p->src, p->row, p->n, error);
  p->n = 0;
  g_ptr_array_set_size (p->pinned, 0);
  p->last[0] = p->last[1] = NULL;
  return ok ? rt_op_emit (op, out, error) : RT_FAIL;
}

void
rt__picks_clear (RtPicks *p)
{
  g_clear_pointer (&p->src, g_free);
  g_clear_pointer (&p->row, g_free);
  g_clear_pointer (&p->pinned, g_ptr_array_unref);
  p->n = p->cap = 0;
  p->last[0] = p->last[1] = NULL;
}
