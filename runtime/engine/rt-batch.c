/* rt-batch.c: columnar batches (DESIGN.md 4.1).
 *
 * One pool block holds the batch header, the vector descriptors, the row kinds and, per
 * column, the validity bitmap and the values, each 64-byte aligned so loops vectorise.
 * String bytes live in arena pages taken from the pool as needed. When the last ref goes,
 * arena pages and the block return to the pool; the header's magic is set to
 * RT_BATCH_DEAD first so a stale pointer is caught (and ASan poisons the cached block). */
#include "rt-batch.h"

#include <string.h>

#define ALIGN64(x) (((x) + 63u) & ~(gsize) 63u)

GQuark
rt_error_quark (void)
{
  return g_quark_from_static_string ("rt-error-quark");
}

static gsize
batch_layout (PlanSchema *schema, guint capacity, gsize *col_offsets)
{
  gsize words = (capacity + 63u) / 64u;
  gsize off = ALIGN64 (sizeof (RtBatch));

  off += ALIGN64 (sizeof (RtVector) * MAX (schema->n_fields, 1u));
  off += ALIGN64 (capacity); /* kinds */
  for (guint c = 0; c < schema->n_fields; c++)
    {
      col_offsets[c] = off;
      off += ALIGN64 (words * 8);
      off += ALIGN64 (plan_type_storage_size (schema->fields[c].type.kind) * capacity);
    }
  return off;
}

RtBatch *
rt_batch_new (RtMemPool *pool, PlanSchema *schema, guint capacity, GError **error)
{
  g_autofree gsize *offs = g_new (gsize, schema->n_fields + 1);
  gsize words = (capacity + 63u) / 64u;
  gsize need, got;
  char *block;
  RtBatch *b;

  g_return_val_if_fail (capacity > 0, NULL);
  need = batch_layout (schema, capacity, offs);
  block = rt_mem_alloc (pool, need, &got, error);
  if (block == NULL)
    return NULL;
  b = (RtBatch *) block;
  memset (b, 0, sizeof *b);
  b->ref_count = 1;
  b->magic = RT_BATCH_MAGIC;
  b->capacity = capacity;
  b->n_cols = schema->n_fields;
  b->schema = plan_schema_ref (schema);
  b->pool = pool;
  b->block = block;
  b->block_size = got;
  b->cols = (RtVector *) (block + ALIGN64 (sizeof (RtBatch)));
  b->kinds = (guint8 *) b->cols + ALIGN64 (sizeof (RtVector) * MAX (schema->n_fields, 1u));
  memset (b->kinds, RT_ROW_INSERT, capacity);
  for (guint c = 0; c < schema->n_fields; c++)
    {
      RtVector *v = &b->cols[c];

      v->kind = schema->fields[c].type.kind;
      v->validity = (guint64 *) (block + offs[c]);
      v->data = block + offs[c] + ALIGN64 (words * 8);
      memset (v->validity, 0xff, words * 8);
    }
  b->created_us = g_get_monotonic_time ();
  return b;
}

RtBatch *
rt_batch_ref (RtBatch *batch)
{
  g_return_val_if_fail (batch != NULL, NULL);
  if (G_UNLIKELY (batch->magic != RT_BATCH_MAGIC))
    g_error ("rt_batch_ref: batch %p used after it was recycled", (void *) batch);
  g_atomic_int_inc (&batch->ref_count);
  return batch;
}

void
rt_batch_unref (RtBatch *batch)
{
  RtMemPool *pool;

  if (batch == NULL)
    return;
  if (G_UNLIKELY (batch->magic != RT_BATCH_MAGIC))
    g_error ("rt_batch_unref: batch %p used after it was recycled", (void *) batch);
  if (!g_atomic_int_dec_and_test (&batch->ref_count))
    return;
  pool = batch->pool;
  while (batch->arena_pages != NULL)
    {
      gsize *page = batch->arena_pages->data; /* first word: the page's size */

      batch->arena_pages = g_slist_delete_link (batch->arena_pages, batch->arena_pages);
      rt_mem_free (pool, page, page[0]);
    }
  if (batch->keep != NULL)
    g_ptr_array_unref (batch->keep);
  plan_schema_unref (batch->schema);
  batch->magic = RT_BATCH_DEAD;
  rt_mem_free (pool, batch->block, batch->block_size);
}

RtStr
rt_batch_intern (RtBatch *batch, const char *ptr, gsize len, GError **error)
{
  RtStr out = { "", 0 };

  if (len == 0)
    return out;
  if (len > G_MAXUINT32)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_EVAL, "String of %" G_GSIZE_FORMAT
                   " bytes is longer than the 4 GiB a VARCHAR value may hold", len);
      out.ptr = NULL;
      return out;
    }
  if (batch->arena_left < len)
    {
      gsize want = MAX ((gsize) RT_PAGE_SIZE, len + 16), got;
      gsize *page = rt_mem_alloc (batch->pool, want, &got, error);

      if (page == NULL)
        {
          out.ptr = NULL;
          return out;
        }
      page[0] = got;
      batch->arena_pages = g_slist_prepend (batch->arena_pages, page);
      batch->arena_pos = (char *) page + 16;
      batch->arena_left = got - 16;
    }
  memcpy (batch->arena_pos, ptr, len);
  out.ptr = batch->arena_pos;
  out.len = (guint32) len;
  batch->arena_pos += len;
  batch->arena_left -= len;
  return out;
}

void
rt_batch_keep (RtBatch *batch, RtBatch *other)
{
  if (other == batch || other == NULL)
    return;
  if (batch->keep == NULL)
    batch->keep = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_batch_unref);
  for (guint i = 0; i < batch->keep->len; i++)
    if (batch->keep->pdata[i] == other)
      return;
  g_ptr_array_add (batch->keep, rt_batch_ref (other));
}

gboolean
rt_batch_append_row (RtBatch *dst, const RtBatch *src, guint row, GError **error)
{
  guint r = dst->n_rows;

  g_return_val_if_fail (r < dst->capacity, FALSE);
  for (guint c = 0; c < dst->n_cols; c++)
    {
      const RtVector *sv = &src->cols[c];
      RtVector *dv = &dst->cols[c];

      if (!rt_vec_is_valid (sv, row))
        {
          rt_vec_set_null (dv, r);
          continue;
        }
      rt_vec_set_valid (dv, r);
      /* a copy by the type's width, not a memcpy call per value: sorts and joins move
       * millions of rows through here */
      switch (dv->kind)
        {
        case PLAN_TYPE_VARCHAR:
          {
            RtStr s = ((const RtStr *) sv->data)[row];
            RtStr copy = rt_batch_intern (dst, s.ptr, s.len, error);

            if (copy.ptr == NULL)
              return FALSE;
            ((RtStr *) dv->data)[r] = copy;
            break;
          }
        case PLAN_TYPE_BIGINT:
        case PLAN_TYPE_DECIMAL:
        case PLAN_TYPE_TIMESTAMP:
        case PLAN_TYPE_INTERVAL:
        case PLAN_TYPE_DOUBLE:
          G_STATIC_ASSERT (sizeof (gint64) == sizeof (double));
          ((gint64 *) dv->data)[r] = ((const gint64 *) sv->data)[row];
          break;
        case PLAN_TYPE_INT:
        case PLAN_TYPE_DATE:
          ((gint32 *) dv->data)[r] = ((const gint32 *) sv->data)[row];
          break;
        case PLAN_TYPE_BOOLEAN:
        case PLAN_TYPE_NULL:
        default:
          {
            gsize w = plan_type_storage_size (dv->kind);

            memcpy ((char *) dv->data + w * r, (const char *) sv->data + w * row, w);
            break;
          }
        }
    }
  dst->kinds[r] = src->kinds[row];
  dst->n_rows = r + 1;
  return TRUE;
}

/* added by sort and exchange speed-ups: one loop per column and per width, where
 * rt_batch_append_row switches on every value's type; the exchange and the sort move tens
 * of millions of rows through here. Row i comes from srcs[i] (the merges' output) or,
 * when srcs is NULL, from src; inlined into both callers, so the test on srcs is folded
 * away where it is NULL. */
static inline __attribute__ ((always_inline)) gboolean
append_from (RtBatch *dst, const RtBatch *src, RtBatch *const *srcs, const guint32 *rows,
             guint first, guint n, GError **error)
{
  guint at = dst->n_rows;

  g_return_val_if_fail (at + n <= dst->capacity, FALSE);
#define RT_SRC_OF(i) (srcs != NULL ? srcs[i] : src)
#define RT_ROW_OF(i) (rows != NULL ? rows[i] : first + (i))
#define RT_COL_OF(i) (&RT_SRC_OF (i)->cols[c])
  for (guint c = 0; c < dst->n_cols; c++)
    {
      RtVector *dv = &dst->cols[c];
      gsize w = plan_type_storage_size (dv->kind);

      if (dv->kind == PLAN_TYPE_VARCHAR)
        for (guint i = 0; i < n; i++)
          {
            RtStr x = ((const RtStr *) RT_COL_OF (i)->data)[RT_ROW_OF (i)];

            if (rt_vec_is_valid (RT_COL_OF (i), RT_ROW_OF (i))
                && (x = rt_batch_intern (dst, x.ptr, x.len, error)).ptr == NULL)
              return FALSE;
            ((RtStr *) dv->data)[at + i] = x;
          }
      else if (w == 8)
        for (guint i = 0; i < n; i++)
          ((gint64 *) dv->data)[at + i] = ((const gint64 *) RT_COL_OF (i)->data)[RT_ROW_OF (i)];
      else if (w == 4)
        for (guint i = 0; i < n; i++)
          ((gint32 *) dv->data)[at + i] = ((const gint32 *) RT_COL_OF (i)->data)[RT_ROW_OF (i)];
      else
        for (guint i = 0; i < n; i++)
          memcpy ((char *) dv->data + w * (at + i),
                  (const char *) RT_COL_OF (i)->data + w * RT_ROW_OF (i), w);
      for (guint i = 0; i < n; i++)
        if (rt_vec_is_valid (RT_COL_OF (i), RT_ROW_OF (i)))
          rt_vec_set_valid (dv, at + i);
        else
          rt_vec_set_null (dv, at + i);
    }
  for (guint i = 0; i < n; i++)
    dst->kinds[at + i] = RT_SRC_OF (i)->kinds[RT_ROW_OF (i)];
#undef RT_COL_OF
#undef RT_ROW_OF
#undef RT_SRC_OF
  dst->n_rows = at + n;
  return TRUE;
}

gboolean
rt_batch_append_rows (RtBatch *dst, const RtBatch *src, const guint32 *rows, guint first,
                      guint n, GError **error)
{
  return append_from (dst, src, NULL, rows, first, n, error);
}

gboolean
rt_batch_gather (RtBatch *dst, RtBatch *const *srcs, const guint32 *rows, guint n,
                 GError **error)
{
  g_return_val_if_fail (srcs != NULL && rows != NULL, FALSE);
  return append_from (dst, dst, srcs, rows, 0, n, error); /* src unused: srcs is set */
}

void
rt_batch_get_value (const RtBatch *batch, guint col, guint row, PlanValue *out)
{
  const RtVector *v = &batch->cols[col];

  memset (out, 0, sizeof *out);
  out->type = batch->schema->fields[col].type;
  if (!rt_vec_is_valid (v, row))
    {
      out->is_null = TRUE;
      return;
    }
  switch (v->kind)
    {
    case PLAN_TYPE_NULL:
      out->is_null = TRUE;
      break;
    case PLAN_TYPE_BOOLEAN:
      out->v.b = ((const guint8 *) v->data)[row] != 0;
      break;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_DATE:
      out->v.i = ((const gint32 *) v->data)[row];
      break;
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      out->v.i = ((const gint64 *) v->data)[row];
      break;
    case PLAN_TYPE_DOUBLE:
      out->v.d = ((const double *) v->data)[row];
      break;
    case PLAN_TYPE_VARCHAR:
      {
        RtStr s = ((const RtStr *) v->data)[row];
        out->v.s = g_strndup (s.ptr, s.len);
      }
      break;
    }
}

gboolean
rt_batch_append_values (RtBatch *batch, const PlanValue *values, GError **error)
{
  guint r = batch->n_rows;

  g_return_val_if_fail (r < batch->capacity, FALSE);
  for (guint c = 0; c < batch->n_cols; c++)
    {
      RtVector *v = &batch->cols[c];
      const PlanValue *pv = &values[c];

      if (pv->is_null || pv->type.kind == PLAN_TYPE_NULL)
        {
          rt_vec_set_null (v, r);
          continue;
        }
      rt_vec_set_valid (v, r);
      switch (v->kind)
        {
        case PLAN_TYPE_NULL:
          rt_vec_set_null (v, r);
          break;
        case PLAN_TYPE_BOOLEAN:
          ((guint8 *) v->data)[r] = pv->v.b ? 1 : 0;
          break;
        case PLAN_TYPE_INT:
        case PLAN_TYPE_DATE:
          ((gint32 *) v->data)[r] = (gint32) pv->v.i;
          break;
        case PLAN_TYPE_BIGINT:
        case PLAN_TYPE_DECIMAL:
        case PLAN_TYPE_TIMESTAMP:
        case PLAN_TYPE_INTERVAL:
          ((gint64 *) v->data)[r] = pv->v.i;
          break;
        case PLAN_TYPE_DOUBLE:
          ((double *) v->data)[r] = pv->v.d;
          break;
        case PLAN_TYPE_VARCHAR:
          {
            const char *s = pv->v.s != NULL ? pv->v.s : "";
            RtStr st = rt_batch_intern (batch, s, strlen (s), error);

            if (st.ptr == NULL)
              return FALSE;
            ((RtStr *) v->data)[r] = st;
          }
          break;
        }
    }
  batch->kinds[r] = RT_ROW_INSERT;
  batch->n_rows = r + 1;
  return TRUE;
}

const char *
rt_row_kind_short (RtRowKind kind)
{
  static const char *const names[] = { "+I", "-U", "+U", "-D" };

  return (guint) kind < G_N_ELEMENTS (names) ? names[kind] : "?";
}
