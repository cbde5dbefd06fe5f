/* rt-op-merge-join.c: the batch sort-merge join (DESIGN.md 4.5), for bounded inputs.
 *
 * Both inputs are read as they come (neither waits for the other, unlike the hash join's
 * build side): each row whose join keys are all non-NULL goes into that side's external
 * sorter (rt-extsort.c, spilling LZ4 runs under the operator's share of the managed
 * memory); a row with a NULL key can never match, so it is dropped, or emitted NULL-filled
 * at once when its side is preserved by an outer join. When both inputs have ended the two
 * sorted streams are merged: the smaller key's row is unmatched (NULL-filled when
 * preserved), and on equal keys the right side's rows with that key (the group) are copied
 * into memory and every left row of the key is paired with all of them. The residual
 * condition runs vectorised over a batch of candidate pairs; matched flags per left row
 * and per group row decide the NULL-filled rows of LEFT, RIGHT and FULL joins, so a
 * residual that rejects every pair of a key still preserves both sides' rows.
 *
 * Memory: the operator's share is half the managed budget over the parallelism (as the
 * batch aggregate's); each sorter gets three eighths of it, and the last quarter is left
 * for the merge's own batches (the group, candidate pairs, output). While merging, each
 * sorter holds two pages per run it reads, as many runs as its part allows. A key whose
 * right rows pass a quarter of the share is spilled too: its rows go to a run file, and
 * the key's left rows are copied in chunks of an eighth of the share, each chunk paired
 * with the whole file (which is copied as it is read, since a run file is read once). So
 * even one key with more rows than the budget completes, at the cost of reading its rows
 * once per chunk. Output is plain inserts. */
#include "rt-operator.h"
#include "rt-extsort.h"

#include <string.h>

typedef struct {
  RtOperator base;
  PlanJoin join;             /* owned copy */
  PlanSchema *side[2];       /* owned refs */
  PlanSchema *pair_schema;   /* owned: left ++ right with the inputs' types (residual) */
  PlanSchema *out_schema;    /* owned ref */
  RtProgram *residual;       /* owned, nullable */
  RtExtSort *sorter[2];      /* owned, created at open */
  gsize share;
  RtBatch *out;              /* owned: output being filled */
  RtBatch *pairs;            /* owned: candidate pairs for the residual */
  guint32 *pair_group;       /* owned: group row of each pair */
  guint32 *sel;              /* owned: residual selection */
  GPtrArray *group;          /* owned RtBatch refs: right rows of the current key */
  guint n_group;
  GByteArray *group_matched; /* one byte per group row */
  gboolean left_matched;     /* the current left row matched something */
  guint64 spilled;
  /* a key whose right rows pass a quarter of the share: they go to a run file, read again
   * for each chunk of the key's left rows */
  RtBatch *group_key;        /* owned: the group's first row (key comparisons) */
  gsize group_bytes;         /* pool bytes of the filled group batches */
  RtRunFile *group_file;     /* owned, nullable: the spilled group */
  char *dir;                 /* owned, nullable: its directory */
  guint8 *chunk_matched;     /* borrowed while a chunk runs: matched flag per chunk row */
  guint32 *pair_left;        /* owned: chunk row of each pair */
} RtMergeJoin;

static gboolean
preserves (const RtMergeJoin *m, guint side)
{
  PlanJoinType t = m->join.type;

  return t == PLAN_JOIN_FULL || (side == 0 && t == PLAN_JOIN_LEFT)
         || (side == 1 && t == PLAN_JOIN_RIGHT);
}

static guint
capacity (const RtMergeJoin *m)
{
  return MAX (m->base.ctx->batch_size, 1u);
}

/* ---- output -------------------------------------------------------------------------- */

static RtResult
flush_out (RtMergeJoin *m, GError **error)
{
  RtResult r = RT_OK;

  if (m->out != NULL && m->out->n_rows > 0)
    r = rt_op_emit (&m->base, m->out, error);
  g_clear_pointer (&m->out, rt_batch_unref);
  return r;
}

/* Copies n columns of row r of src (NULL: NULLs) to row at of dst from column off. */
static gboolean
put_cols (RtBatch *dst, guint at, guint off, const RtBatch *src, guint r, guint n,
          GError **error)
{
  for (guint c = 0; c < n; c++)
    {
      RtVector *dv = &dst->cols[off + c];
      const RtVector *sv;
      gsize w;

      if (src == NULL || !rt_vec_is_valid (&src->cols[c], r))
        {
          rt_vec_set_null (dv, at);
          continue;
        }
      sv = &src->cols[c];
      rt_vec_set_valid (dv, at);
      if (dv->kind == PLAN_TYPE_VARCHAR)
        {
          RtStr s = ((const RtStr *) sv->data)[r];
          RtStr copy = rt_batch_intern (dst, s.ptr, s.len, error);

          if (copy.ptr == NULL)
            return FALSE;
          ((RtStr *) dv->data)[at] = copy;
          continue;
        }
      w = plan_type_storage_size (dv->kind);
      memcpy ((char *) dv->data + w * at, (const char *) sv->data + w * r, w);
    }
  return TRUE;
}

/* Appends left row (l, lr) ++ right row (r, rr) to *target (a new batch when NULL). */
static gboolean
append_pair (RtMergeJoin *m, RtBatch **target, const RtBatch *l, guint lr, const RtBatch *r,
             guint rr, GError **error)
{
  RtBatch *b = *target;
  guint at, nl = m->side[0]->n_fields;

  if (b == NULL
      && (b = *target = rt_batch_new (m->base.ctx->pool, m->out_schema, capacity (m), error))
         == NULL)
    return FALSE;
  at = b->n_rows;
  if (!put_cols (b, at, 0, l, lr, nl, error)
      || !put_cols (b, at, nl, r, rr, m->side[1]->n_fields, error))
    return FALSE;
  b->kinds[at] = RT_ROW_INSERT;
  b->n_rows++;
  return TRUE;
}

/* Emits a row of side (batch, r) NULL-filled on the other side. */
static RtResult
emit_unmatched (RtMergeJoin *m, guint side, const RtBatch *batch, guint r, GError **error)
{
  if (!append_pair (m, &m->out, side == 0 ? batch : NULL, r, side == 1 ? batch : NULL, r,
                    error))
    return RT_FAIL;
  return m->out->n_rows == m->out->capacity ? flush_out (m, error) : RT_OK;
}

/* Runs the residual over the pending pairs: marks what matched, moves the chosen rows to
 * the output. */
static RtResult
eval_pairs (RtMergeJoin *m, GError **error)
{
  RtBatch *p = m->pairs;
  GError *local = NULL;
  guint n;

  if (p == NULL || p->n_rows == 0)
    return RT_OK;
  n = rt_program_filter (m->residual, p, m->sel, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return RT_FAIL;
    }
  for (guint i = 0; i < n; i++)
    {
      m->group_matched->data[m->pair_group[m->sel[i]]] = 1;
      m->left_matched = TRUE;
      if (m->chunk_matched != NULL)
        m->chunk_matched[m->pair_left[m->sel[i]]] = 1;
      if (m->out == NULL
          && (m->out = rt_batch_new (m->base.ctx->pool, m->out_schema, capacity (m), error))
             == NULL)
        return RT_FAIL;
      if (!rt_batch_append_row (m->out, p, m->sel[i], error))
        return RT_FAIL;
      if (m->out->n_rows == m->out->capacity && flush_out (m, error) == RT_FAIL)
        return RT_FAIL;
    }
  p->n_rows = 0;
  g_clear_pointer (&m->pairs, rt_batch_unref); /* a fresh one drops the interned strings */
  return RT_OK;
}

/* ---- input --------------------------------------------------------------------------- */

static const guint *
keys_of (const RtMergeJoin *m, guint side)
{
  return side == 0 ? m->join.left_keys : m->join.right_keys;
}

static RtResult
merge_join_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtMergeJoin *m = (RtMergeJoin *) op;
  guint side = input == 0 ? 0 : 1, n = 0;
  const guint *keys = keys_of (m, side);
  g_autofree guint32 *sel = g_new (guint32, MAX (batch->n_rows, 1u));

  for (guint r = 0; r < batch->n_rows; r++)
    {
      gboolean null_key = FALSE;

      for (guint k = 0; k < m->join.n_keys && !null_key; k++)
        null_key = !rt_vec_is_valid (&batch->cols[keys[k]], r);
      if (!null_key)
        sel[n++] = r;
      else if (preserves (m, side) && emit_unmatched (m, side, batch, r, error) == RT_FAIL)
        return RT_FAIL;
    }
  if (!rt__ext_sort_add (m->sorter[side], batch, sel, n, error))
    return RT_FAIL;
  return flush_out (m, error);
}

/* ---- merging ------------------------------------------------------------------------- */

static void
group_clear (RtMergeJoin *m)
{
  g_ptr_array_set_size (m->group, 0);
  g_byte_array_set_size (m->group_matched, 0);
  m->n_group = 0;
  m->group_bytes = 0;
  g_clear_pointer (&m->group_key, rt_batch_unref);
  g_clear_pointer (&m->group_file, rt__run_file_free);
}

static gsize
pool_bytes (const RtBatch *b)
{
  gsize n = b->block_size;

  for (GSList *l = b->arena_pages; l != NULL; l = l->next)
    n += *(const gsize *) l->data;
  return n;
}

static RtRunFile *
new_run (RtMergeJoin *m, GError **error)
{
  if (m->dir == NULL && (m->dir = rt__run_dir_new ("strom-join-group", error)) == NULL)
    return NULL;
  return rt__run_file_new (m->dir, error);
}

/* Moves the group's rows from memory to a run file. */
static gboolean
spill_group (RtMergeJoin *m, GError **error)
{
  if ((m->group_file = new_run (m, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < m->group->len; i++)
    {
      const RtBatch *b = m->group->pdata[i];

      for (guint r = 0; r < b->n_rows; r++)
        if (!rt__run_file_write (m->group_file, b, r, error))
          return FALSE;
    }
  g_ptr_array_set_size (m->group, 0);
  m->group_bytes = 0;
  return TRUE;
}

/* Appends right row (rb, rr) to the group: to its batches, or to its file once spilled. */
static gboolean
group_append (RtMergeJoin *m, const RtBatch *rb, guint rr, GError **error)
{
  RtBatch *last = m->group->len > 0 ? m->group->pdata[m->group->len - 1] : NULL;
  guint8 zero = 0;

  g_byte_array_append (m->group_matched, &zero, 1);
  m->n_group++;
  if (m->group_file != NULL)
    return rt__run_file_write (m->group_file, rb, rr, error);
  if (last == NULL || last->n_rows == last->capacity)
    {
      if (last != NULL && (m->group_bytes += pool_bytes (last)) > m->share / 4)
        {
          if (!spill_group (m, error))
            return FALSE;
          return rt__run_file_write (m->group_file, rb, rr, error);
        }
      if ((last = rt_batch_new (m->base.ctx->pool, m->side[1], capacity (m), error)) == NULL)
        return FALSE;
      g_ptr_array_add (m->group, last);
    }
  return rt_batch_append_row (last, rb, rr, error);
}

static void
group_row (const RtMergeJoin *m, guint g, const RtBatch **batch, guint *row)
{
  guint cap = capacity (m);

  *batch = m->group->pdata[g / cap];
  *row = g % cap;
}

/* Copies the right rows whose key equals the current right row's into the group. */
static gboolean
collect_group (RtMergeJoin *m, GError **error)
{
  const RtBatch *rb;
  guint rr;

  group_clear (m);
  while (rt__ext_sort_peek (m->sorter[1], &rb, &rr))
    {
      if (m->group_key == NULL)
        {
          if ((m->group_key = rt_batch_new (m->base.ctx->pool, m->side[1], 1, error)) == NULL
              || !rt_batch_append_row (m->group_key, rb, rr, error))
            return FALSE;
        }
      else if (rt__ext_sort_compare (m->join.n_keys, m->group_key, m->join.right_keys, 0, rb,
                                     m->join.right_keys, rr) != 0)
        break;
      if (!group_append (m, rb, rr, error) || !rt__ext_sort_advance (m->sorter[1], error))
        return FALSE;
    }
  return m->group_file == NULL || rt__run_file_finish (m->group_file, error);
}

/* Pairs left row (lb, lr), row i of a chunk, with group row g (gb, gr): output at once
 * without a residual, else a candidate for eval_pairs. */
static RtResult
pair_one (RtMergeJoin *m, const RtBatch *lb, guint lr, guint i, const RtBatch *gb, guint gr,
          guint g, GError **error)
{
  if (m->residual == NULL)
    {
      if (!append_pair (m, &m->out, lb, lr, gb, gr, error))
        return RT_FAIL;
      m->group_matched->data[g] = 1;
      m->left_matched = TRUE;
      if (m->chunk_matched != NULL)
        m->chunk_matched[i] = 1;
      return m->out->n_rows == m->out->capacity ? flush_out (m, error) : RT_OK;
    }
  if (!append_pair (m, &m->pairs, lb, lr, gb, gr, error))
    return RT_FAIL;
  m->pair_group[m->pairs->n_rows - 1] = g;
  m->pair_left[m->pairs->n_rows - 1] = i;
  return m->pairs->n_rows == m->pairs->capacity ? eval_pairs (m, error) : RT_OK;
}

/* Pairs left row (lb, lr) with every group row. */
static RtResult
join_left_row (RtMergeJoin *m, const RtBatch *lb, guint lr, GError **error)
{
  m->left_matched = FALSE;
  for (guint g = 0; g < m->n_group; g++)
    {
      const RtBatch *gb;
      guint gr;

      group_row (m, g, &gb, &gr);
      if (pair_one (m, lb, lr, 0, gb, gr, g, error) == RT_FAIL)
        return RT_FAIL;
    }
  /* a preserved left row needs its verdict now, while its batch is still readable */
  if (m->residual != NULL && preserves (m, 0) && eval_pairs (m, error) == RT_FAIL)
    return RT_FAIL;
  if (!m->left_matched && preserves (m, 0))
    return emit_unmatched (m, 0, lb, lr, error);
  return RT_OK;
}

/* Whether the left sorter's current row has the group's key. */
static gboolean
left_in_group (RtMergeJoin *m, const RtBatch **lb, guint *lr)
{
  return rt__ext_sort_peek (m->sorter[0], lb, lr)
         && rt__ext_sort_compare (m->join.n_keys, *lb, m->join.left_keys, *lr, m->group_key,
                                  m->join.right_keys, 0) == 0;
}

/* The next left rows of the group's key, copied into chunk, up to an eighth of the share. */
static gboolean
collect_chunk (RtMergeJoin *m, GPtrArray *chunk, guint *n, GError **error)
{
  const RtBatch *lb;
  guint lr;
  gsize bytes = 0;

  *n = 0;
  while (bytes <= m->share / 8 && left_in_group (m, &lb, &lr))
    {
      RtBatch *last = chunk->len > 0 ? chunk->pdata[chunk->len - 1] : NULL;

      if (last == NULL || last->n_rows == last->capacity)
        {
          if (last != NULL)
            bytes += pool_bytes (last);
          if ((last = rt_batch_new (m->base.ctx->pool, m->side[0], capacity (m), error)) == NULL)
            return FALSE;
          g_ptr_array_add (chunk, last);
        }
      if (!rt_batch_append_row (last, lb, lr, error)
          || !rt__ext_sort_advance (m->sorter[0], error))
        return FALSE;
      (*n)++;
    }
  return TRUE;
}

/* Pairs the n chunk rows with every row of the group file. When keep, the file is copied
 * as it is read, and the copy replaces it (a run file is read once). */
static RtResult
scan_group (RtMergeJoin *m, GPtrArray *chunk, guint n, guint8 *matched, gboolean keep,
            GError **error)
{
  guint cap = capacity (m), g = 0;
  RtRunFile *copy = NULL;
  GError *local = NULL;
  RtBatch *gb;
  RtResult res = RT_OK;

  if (keep && (copy = new_run (m, error)) == NULL)
    return RT_FAIL;
  m->chunk_matched = matched;
  while (res == RT_OK && (gb = rt__run_file_read (m->group_file, m->base.ctx->pool, m->side[1],
                                                  cap, &local)) != NULL)
    {
      for (guint r = 0; r < gb->n_rows && res == RT_OK; r++, g++)
        {
          if (copy != NULL && !rt__run_file_write (copy, gb, r, error))
            res = RT_FAIL;
          for (guint i = 0; i < n && res == RT_OK; i++)
            res = pair_one (m, chunk->pdata[i / cap], i % cap, i, gb, r, g, error);
        }
      rt_batch_unref (gb);
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      res = RT_FAIL;
    }
  if (res == RT_OK && m->residual != NULL)
    res = eval_pairs (m, error);
  m->chunk_matched = NULL;
  g_clear_pointer (&m->group_file, rt__run_file_free);
  m->group_file = copy;
  if (res == RT_OK && copy != NULL && !rt__run_file_finish (copy, error))
    res = RT_FAIL;
  return res;
}

/* A key whose right rows were spilled: the left rows in chunks, each against the file. */
static RtResult
join_key_spilled (RtMergeJoin *m, GError **error)
{
  g_autoptr (GPtrArray) chunk = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_batch_unref);
  guint cap = capacity (m), n = 0;
  const RtBatch *lb;
  guint lr;
  gboolean more = TRUE;

  while (more)
    {
      g_autofree guint8 *matched = NULL;

      g_ptr_array_set_size (chunk, 0);
      if (!collect_chunk (m, chunk, &n, error))
        return RT_FAIL;
      more = left_in_group (m, &lb, &lr);
      matched = g_malloc0 (MAX (n, 1u));
      if (scan_group (m, chunk, n, matched, more || preserves (m, 1), error) == RT_FAIL)
        return RT_FAIL;
      for (guint i = 0; i < n && preserves (m, 0); i++)
        if (!matched[i] && emit_unmatched (m, 0, chunk->pdata[i / cap], i % cap, error)
                           == RT_FAIL)
          return RT_FAIL;
    }
  if (preserves (m, 1))
    {
      GError *local = NULL;
      RtBatch *gb;
      guint g = 0;

      while ((gb = rt__run_file_read (m->group_file, m->base.ctx->pool, m->side[1], cap,
                                      &local)) != NULL)
        {
          RtResult res = RT_OK;

          for (guint r = 0; r < gb->n_rows && res == RT_OK; r++, g++)
            if (m->group_matched->data[g] == 0)
              res = emit_unmatched (m, 1, gb, r, error);
          rt_batch_unref (gb);
          if (res == RT_FAIL)
            return RT_FAIL;
        }
      if (local != NULL)
        {
          g_propagate_error (error, local);
          return RT_FAIL;
        }
    }
  group_clear (m);
  return RT_OK;
}

/* One key present on both sides: the group, then each left row of the key. */
static RtResult
join_key (RtMergeJoin *m, GError **error)
{
  const RtBatch *lb, *gb;
  guint lr, gr;

  if (!collect_group (m, error))
    return RT_FAIL;
  if (m->group_file != NULL)
    return join_key_spilled (m, error);
  while (left_in_group (m, &lb, &lr))
    {
      if (join_left_row (m, lb, lr, error) == RT_FAIL)
        return RT_FAIL;
      if (!rt__ext_sort_advance (m->sorter[0], error))
        return RT_FAIL;
    }
  if (m->residual != NULL && eval_pairs (m, error) == RT_FAIL)
    return RT_FAIL;
  if (preserves (m, 1))
    for (guint g = 0; g < m->n_group; g++)
      if (m->group_matched->data[g] == 0)
        {
          group_row (m, g, &gb, &gr);
          if (emit_unmatched (m, 1, gb, gr, error) == RT_FAIL)
            return RT_FAIL;
        }
  group_clear (m);
  return RT_OK;
}

static RtResult
merge (RtMergeJoin *m, GError **error)
{
  const RtBatch *lb, *rb;
  guint lr, rr;
  guint64 steps = 0;

  for (;;)
    {
      gboolean hl = rt__ext_sort_peek (m->sorter[0], &lb, &lr);
      gboolean hr = rt__ext_sort_peek (m->sorter[1], &rb, &rr);
      int c;
      guint side;

      if (!hl && !hr)
        break;
      if ((++steps & 1023) == 0 && m->base.ctx->cancelled != NULL
          && g_atomic_int_get (m->base.ctx->cancelled) != 0)
        {
          g_set_error (error, RT_ERROR, RT_ERROR_CANCELLED, "The sort-merge join was cancelled");
          return RT_FAIL;
        }
      if (hl && hr)
        c = rt__ext_sort_compare (m->join.n_keys, lb, m->join.left_keys, lr, rb,
                                  m->join.right_keys, rr);
      else
        c = hl ? -1 : 1;
      if (c == 0)
        {
          if (join_key (m, error) == RT_FAIL)
            return RT_FAIL;
          continue;
        }
      side = c < 0 ? 0 : 1;
      if ((!hl || !hr) && !preserves (m, side))
        break; /* only rows of one side are left and nothing keeps them */
      if (preserves (m, side)
          && emit_unmatched (m, side, side == 0 ? lb : rb, side == 0 ? lr : rr, error)
             == RT_FAIL)
        return RT_FAIL;
      if (!rt__ext_sort_advance (m->sorter[side], error))
        return RT_FAIL;
    }
  return flush_out (m, error);
}

static RtResult
merge_join_finish (RtOperator *op, GError **error)
{
  RtMergeJoin *m = (RtMergeJoin *) op;
  RtResult r;

  for (guint s = 0; s < 2; s++)
    if (!rt__ext_sort_finish (m->sorter[s], error))
      return RT_FAIL;
  r = merge (m, error);
  for (guint s = 0; s < 2; s++)
    {
      m->spilled += rt__ext_sort_get_spilled_bytes (m->sorter[s]);
      g_clear_pointer (&m->sorter[s], rt__ext_sort_free); /* run files go at once */
    }
  group_clear (m);
  rt__run_dir_remove (m->dir);
  g_clear_pointer (&m->dir, g_free);
  return r;
}

/* ---- lifecycle ----------------------------------------------------------------------- */

static gboolean
merge_join_open (RtOperator *op, GError **error)
{
  RtMergeJoin *m = (RtMergeJoin *) op;
  RtOpContext *ctx = op->ctx;
  gsize budget = rt_mem_pool_get_budget (ctx->pool);

  m->share = MAX (budget / 2 / MAX (ctx->parallelism, 1u), (gsize) 8 * RT_PAGE_SIZE);
  for (guint s = 0; s < 2; s++)
    m->sorter[s] = rt__ext_sort_new (m->side[s], m->join.n_keys, keys_of (m, s), ctx->pool,
                                     m->share / 8 * 3, ctx->cancelled);
  m->pair_group = g_new (guint32, capacity (m));
  m->pair_left = g_new (guint32, capacity (m));
  m->sel = g_new (guint32, capacity (m));
  (void) error;
  return TRUE;
}

static void
merge_join_close (RtOperator *op)
{
  RtMergeJoin *m = (RtMergeJoin *) op;

  for (guint s = 0; s < 2; s++)
    {
      g_clear_pointer (&m->sorter[s], rt__ext_sort_free);
      g_clear_pointer (&m->side[s], plan_schema_unref);
    }
  g_clear_pointer (&m->out, rt_batch_unref);
  g_clear_pointer (&m->pairs, rt_batch_unref);
  g_clear_pointer (&m->group, g_ptr_array_unref);
  g_clear_pointer (&m->group_matched, g_byte_array_unref);
  g_clear_pointer (&m->pair_group, g_free);
  g_clear_pointer (&m->pair_left, g_free);
  g_clear_pointer (&m->group_key, rt_batch_unref);
  g_clear_pointer (&m->group_file, rt__run_file_free);
  rt__run_dir_remove (m->dir);
  g_clear_pointer (&m->dir, g_free);
  g_clear_pointer (&m->sel, g_free);
  g_clear_pointer (&m->residual, rt_program_free);
  g_clear_pointer (&m->pair_schema, plan_schema_unref);
  g_clear_pointer (&m->out_schema, plan_schema_unref);
  plan_join_clear (&m->join);
}

static const RtOperatorClass merge_join_class = {
  .name = "SortMergeJoin",
  .instance_size = sizeof (RtMergeJoin),
  .open = merge_join_open,
  .process = merge_join_process,
  .finish = merge_join_finish,
  .close = merge_join_close,
};

RtOperator *
rt_op_merge_join_new (const PlanPhysNode *node, GError **error)
{
  RtMergeJoin *m;

  g_return_val_if_fail (node != NULL, NULL);
  if (node->n_inputs != 2 || node->u.join.n_keys == 0)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "internal error: a sort-merge join "
                   "needs two inputs and at least one equality key");
      return NULL;
    }
  m = (RtMergeJoin *) rt_operator_new (&merge_join_class, node->id);
  plan_join_copy (&m->join, &node->u.join);
  for (guint s = 0; s < 2; s++)
    m->side[s] = plan_schema_ref (node->inputs[s].node->schema);
  m->pair_schema = plan_join_schema (m->side[0], m->side[1], PLAN_JOIN_INNER);
  m->out_schema = plan_schema_ref (node->schema);
  m->group = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_batch_unref);
  m->group_matched = g_byte_array_new ();
  if (m->join.residual != NULL
      && (m->residual = rt_program_new (m->pair_schema, m->join.residual, 0, NULL, error))
         == NULL)
    {
      rt_operator_free (&m->base);
      return NULL;
    }
  return &m->base;
}

guint64
rt_op_merge_join_get_spilled_bytes (RtOperator *op)
{
  RtMergeJoin *m = (RtMergeJoin *) op;
  guint64 n = m->spilled;

  for (guint s = 0; s < 2; s++)
    if (m->sorter[s] != NULL)
      n += rt__ext_sort_get_spilled_bytes (m->sorter[s]);
  return n;
}
