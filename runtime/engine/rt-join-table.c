/* rt-join-table.c: the batch hash join's build table (see rt-join-table.h).
 *
 * Why this shape: the join used to turn every row into PlanValues and GBytes keys and look
 * each one up in nested GHashTables, which cost several allocations per row on both
 * sides. Here the build rows are copied column by column into blocks of BLOCK_ROWS rows
 * (row id = block << BLOCK_SHIFT | offset), so the per-row cost of the build is one hash
 * and one slot; duplicates of a key are chained through the blocks' next arrays, newest
 * first, so the index holds one slot per distinct key. The slots hold the key itself when
 * it is one fixed-width column (the common case: an integer id) and the 64-bit hash
 * otherwise, in which case a hit is confirmed by comparing the key columns. Probing hashes
 * the whole probe batch first, then looks every row up (prefetching the slots a few rows
 * ahead, since a large table misses the cache on nearly every lookup), then walks the
 * chains into pair lists (probe row, build row) that are gathered column by column.
 *
 * Build strings are interned into one holder batch of the pool, which every output batch
 * with build strings keeps alive (rt_batch_keep), so outputs never point into memory the
 * table frees; probe strings are shared the same way with their probe batch. */
#include "rt-join-table.h"

#include <string.h>

#define BLOCK_SHIFT 12
#define BLOCK_ROWS (1u << BLOCK_SHIFT)
#define BLOCK_MASK (BLOCK_ROWS - 1)
#define MIN_SLOTS 1024u
#define PREFETCH 8
#define SEED G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)

typedef enum { CLS_NONE, CLS_INT, CLS_DOUBLE, CLS_BOOL, CLS_STR } KeyClass;

typedef struct {
  guint32 *next;    /* row id + 1 of the next older row with the same key; 0 ends */
  guint8 *matched;  /* nullable (build side not preserved): a probe row matched it */
  guint8 **data;    /* per column: BLOCK_ROWS values of the column's storage width */
  guint64 **valid;  /* per column: validity bits */
  gint64 *matches;  /* nullable (streaming, preserved side): other-side rows matching it */
  guint64 *dead;    /* nullable (streaming): removed rows, one bit each */
} Block;

typedef struct {
  guint64 key;   /* the key (inline keys) or its hash */
  guint32 head;  /* row id + 1 of the newest row with this key; 0: empty slot */
  guint32 multi; /* 1 once a second row joined the chain: 0 spares probes the next[] read */
} Slot;

struct _RtJoinTable {
  RtJoin *j;            /* borrowed: the owner */
  guint b, p;           /* build and probe side */
  guint n_cols;         /* build columns */
  gsize *width;         /* owned: storage width per build column */
  gboolean *col_null;   /* owned: per build column, some row stored a NULL there */
  gboolean has_str;     /* some build column is VARCHAR */
  gboolean probe_str;   /* some probe column is VARCHAR */
  guint n_keys;
  const guint *bkeys, *pkeys; /* borrowed from j->join */
  KeyClass *cls;        /* owned: per key */
  gboolean inline_key;  /* at most one key, not a string: slots hold it */
  gint key_col, key_probe; /* an integer key of one type on both sides: its build column
                            * and its probe column, which hold the same bits in every
                            * pair, so output copies it from the probe rows (read in order)
                            * instead of the stored rows (a random read more); -1: none */
  gboolean keep_null;   /* preserved build side: rows with a NULL key are stored */
  GPtrArray *blocks;    /* owned Block* */
  guint64 n_rows;
  Slot *slots;          /* owned */
  guint64 mask, used;
  RtBatch *holder;      /* owned, nullable: arena of the build strings */
  gsize str_bytes;
  /* scratch, per probe or build batch */
  guint64 *hash, *keyv;
  guint8 *nullk, *found, *multi;
  guint32 *head;
  guint scratch_cap;
  guint32 *pr, *br;     /* pair lists of chunk rows */
  guint chunk;
  /* the streaming join's side state (rt-op-join-flat.c) */
  gboolean streaming;   /* rows can be removed; strings live on the heap */
  gboolean counts;      /* rows carry match counters (the side is preserved) */
  guint64 n_dead;       /* removed rows still taking room */
  GPtrArray *str_chunks; /* owned (streaming): heap chunks holding the strings */
  char *str_pos;
  gsize str_left;
  guint32 *spr, *sbr;   /* owned (streaming): all pairs of one probe call */
  guint s_n, s_cap;
  /* the arena the blocks' arrays are carved from: slabs of huge pages (rt_mem_table_alloc0)
   * rather than a malloc per array, so the random reads of probing miss the TLB less */
  GPtrArray *slabs;     /* owned: g_free */
  char *slab_pos;
  gsize slab_left, slab_total;
};

/* ---- keys ------------------------------------------------------------------------------ */

static KeyClass
class_of (PlanTypeKind kind)
{
  switch (kind)
    {
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      return CLS_INT;
    case PLAN_TYPE_DOUBLE:
      return CLS_DOUBLE;
    case PLAN_TYPE_BOOLEAN:
      return CLS_BOOL;
    case PLAN_TYPE_VARCHAR:
      return CLS_STR;
    case PLAN_TYPE_NULL:
    default:
      return CLS_NONE;
    }
}

static inline guint64
mix64 (guint64 x)
{
  x ^= x >> 33;
  x *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  x ^= x >> 33;
  x *= G_GUINT64_CONSTANT (0xc4ceb9fe1a85ec53);
  x ^= x >> 33;
  return x;
}

static inline gint64
read_int (const void *data, gsize w, guint r)
{
  switch (w)
    {
    case 1:
      return ((const guint8 *) data)[r];
    case 4:
      return ((const gint32 *) data)[r];
    default:
      return ((const gint64 *) data)[r];
    }
}

/* A fixed-width key value as 64 bits: integers widened, -0.0 folded into 0.0. */
static inline guint64
read_fixed (const void *data, gsize w, KeyClass cls, guint r)
{
  if (cls == CLS_DOUBLE)
    {
      double d = ((const double *) data)[r];
      guint64 bits;

      if (d == 0.0)
        d = 0.0;
      memcpy (&bits, &d, sizeof bits);
      return bits;
    }
  return (guint64) read_int (data, w, r);
}

gboolean
rt__join_table_supports (const RtJoin *j)
{
  for (guint k = 0; k < j->join.n_keys; k++)
    {
      KeyClass l = class_of (j->side[0]->fields[j->join.left_keys[k]].type.kind);
      KeyClass r = class_of (j->side[1]->fields[j->join.right_keys[k]].type.kind);

      if (l == CLS_NONE || l != r)
        return FALSE;
    }
  return TRUE;
}

static void
ensure_scratch (RtJoinTable *t, guint n)
{
  if (n <= t->scratch_cap)
    return;
  t->scratch_cap = MAX (n, t->scratch_cap * 2);
  t->hash = g_renew (guint64, t->hash, t->scratch_cap);
  t->keyv = g_renew (guint64, t->keyv, t->scratch_cap);
  t->nullk = g_renew (guint8, t->nullk, t->scratch_cap);
  t->found = g_renew (guint8, t->found, t->scratch_cap);
  t->multi = g_renew (guint8, t->multi, t->scratch_cap);
  t->head = g_renew (guint32, t->head, t->scratch_cap);
}

/* Hashes the key columns keys of rows [from, to) of batch into t->hash (and the inline key
 * into t->keyv), indexed by row; t->nullk[r] says a key of row r is NULL. */
static void
hash_range (RtJoinTable *t, const RtBatch *batch, const guint *keys, guint from, guint to)
{
  if (to <= from)
    return;
  ensure_scratch (t, batch->n_rows);
  memset (t->nullk + from, 0, to - from);
  if (t->inline_key)
    memset (t->keyv + from, 0, (to - from) * sizeof (guint64));
  for (guint r = from; r < to; r++)
    t->hash[r] = SEED;
  for (guint k = 0; k < t->n_keys; k++)
    {
      const RtVector *v = &batch->cols[keys[k]];
      gsize w = plan_type_storage_size (v->kind);
      KeyClass cls = t->cls[k];

      for (guint r = from; r < to; r++)
        {
          guint64 h;

          if (!rt_vec_is_valid (v, r))
            {
              t->nullk[r] = 1;
              continue;
            }
          if (cls == CLS_STR)
            {
              const RtStr *s = &((const RtStr *) v->data)[r];

              h = rt_hash_data (s->ptr, s->len);
            }
          else if (t->inline_key)
            h = t->keyv[r] = read_fixed (v->data, w, cls, r);
          else
            h = read_fixed (v->data, w, cls, r);
          t->hash[r] = mix64 (t->hash[r] + h);
        }
    }
}

static void
hash_batch (RtJoinTable *t, const RtBatch *batch, const guint *keys)
{
  hash_range (t, batch, keys, 0, batch->n_rows);
}

static inline Block *
block_of (const RtJoinTable *t, guint32 id)
{
  return t->blocks->pdata[id >> BLOCK_SHIFT];
}

/* Whether row r of batch (key columns keys) has the key of stored row id. */
static gboolean
keys_equal (const RtJoinTable *t, const RtBatch *batch, const guint *keys, guint r,
            guint32 id)
{
  const Block *blk = block_of (t, id);
  guint o = id & BLOCK_MASK;

  for (guint k = 0; k < t->n_keys; k++)
    {
      const RtVector *v = &batch->cols[keys[k]];
      guint bc = t->bkeys[k];

      if (t->cls[k] == CLS_STR)
        {
          const RtStr *a = &((const RtStr *) v->data)[r];
          const RtStr *s = &((const RtStr *) blk->data[bc])[o];

          if (a->len != s->len || (a->len > 0 && memcmp (a->ptr, s->ptr, a->len) != 0))
            return FALSE;
        }
      else if (read_fixed (v->data, plan_type_storage_size (v->kind), t->cls[k], r)
               != read_fixed (blk->data[bc], t->width[bc], t->cls[k], o))
        return FALSE;
    }
  return TRUE;
}

/* ---- the table --------------------------------------------------------------------------- */

RtJoinTable *
rt__join_table_new (RtJoin *j)
{
  return rt__join_table_new_side (j, j->join.build_side, FALSE);
}

RtJoinTable *
rt__join_table_new_side (RtJoin *j, guint side, gboolean streaming)
{
  RtJoinTable *t = g_new0 (RtJoinTable, 1);
  PlanSchema *bs, *ps;

  t->j = j;
  t->b = side;
  t->p = 1 - t->b;
  t->streaming = streaming;
  bs = j->side[t->b];
  ps = j->side[t->p];
  t->n_cols = bs->n_fields;
  t->width = g_new0 (gsize, t->n_cols + 1);
  t->col_null = g_new0 (gboolean, t->n_cols + 1);
  for (guint c = 0; c < t->n_cols; c++)
    {
      t->width[c] = plan_type_storage_size (bs->fields[c].type.kind);
      t->has_str |= bs->fields[c].type.kind == PLAN_TYPE_VARCHAR;
    }
  for (guint c = 0; c < ps->n_fields; c++)
    t->probe_str |= ps->fields[c].type.kind == PLAN_TYPE_VARCHAR;
  t->n_keys = j->join.n_keys;
  t->bkeys = t->b == 0 ? j->join.left_keys : j->join.right_keys;
  t->pkeys = t->b == 0 ? j->join.right_keys : j->join.left_keys;
  t->cls = g_new0 (KeyClass, t->n_keys + 1);
  for (guint k = 0; k < t->n_keys; k++)
    t->cls[k] = class_of (bs->fields[t->bkeys[k]].type.kind);
  t->inline_key = t->n_keys == 0 || (t->n_keys == 1 && t->cls[0] != CLS_STR);
  t->key_col = t->key_probe = -1;
  if (t->n_keys == 1 && t->cls[0] == CLS_INT)
    {
      const PlanType *bt = &bs->fields[t->bkeys[0]].type, *pt = &ps->fields[t->pkeys[0]].type;

      if (bt->kind == pt->kind && bt->scale == pt->scale)
        {
          t->key_col = (gint) t->bkeys[0];
          t->key_probe = (gint) t->pkeys[0];
        }
    }
  t->keep_null = !streaming && rt__join_preserves (j, t->b);
  t->counts = streaming && rt__join_preserves (j, t->b);
  if (streaming)
    t->str_chunks = g_ptr_array_new_with_free_func (g_free);
  t->blocks = g_ptr_array_new ();
  t->slabs = g_ptr_array_new_with_free_func (g_free);
  t->mask = MIN_SLOTS - 1;
  t->slots = rt_mem_table_alloc0 (MIN_SLOTS * sizeof (Slot));
  t->chunk = MAX (j->base.ctx->batch_size, 1u);
  t->pr = g_new (guint32, t->chunk);
  t->br = g_new (guint32, t->chunk);
  return t;
}

/* The block's arrays are the arena's, freed with it. */
static void
block_free (Block *blk)
{
  g_free (blk->data);
  g_free (blk->valid);
  g_free (blk);
}

void
rt__join_table_free (RtJoinTable *t)
{
  if (t == NULL)
    return;
  for (guint i = 0; i < t->blocks->len; i++)
    block_free (t->blocks->pdata[i]);
  g_ptr_array_unref (t->blocks);
  g_ptr_array_unref (t->slabs);
  g_clear_pointer (&t->holder, rt_batch_unref);
  g_free (t->slots);
  g_free (t->width);
  g_free (t->col_null);
  g_free (t->cls);
  g_free (t->hash);
  g_free (t->keyv);
  g_free (t->nullk);
  g_free (t->found);
  g_free (t->multi);
  g_free (t->head);
  g_free (t->pr);
  g_free (t->br);
  g_free (t->spr);
  g_free (t->sbr);
  g_clear_pointer (&t->str_chunks, g_ptr_array_unref);
  g_free (t);
}

static gsize
block_bytes (const RtJoinTable *t)
{
  gsize n = sizeof (Block) + BLOCK_ROWS * sizeof (guint32) + (t->keep_null ? BLOCK_ROWS : 0)
            + (t->counts ? BLOCK_ROWS * sizeof (gint64) : 0)
            + (t->streaming ? BLOCK_ROWS / 8 : 0);

  for (guint c = 0; c < t->n_cols; c++)
    n += BLOCK_ROWS * t->width[c] + BLOCK_ROWS / 8 + 2 * sizeof (gpointer);
  return n;
}

gsize
rt__join_table_get_bytes (const RtJoinTable *t)
{
  return t->blocks->len * block_bytes (t) + (t->mask + 1) * sizeof (Slot) + t->str_bytes;
}

guint64
rt__join_table_get_rows (const RtJoinTable *t)
{
  return t->n_rows;
}

/* A zeroed piece of the arena of at least bytes, 64-byte aligned. A new slab is as large as
 * the arena so far, doubling from 64 KiB to 2 MiB (a huge page): a small table takes
 * little, a large one gets slabs of whole huge pages, and at most one slab is unused. */
static void *
arena_take (RtJoinTable *t, gsize bytes)
{
  void *p;

  bytes = (bytes + 63) & ~(gsize) 63;
  if (t->slab_left < bytes)
    {
      gsize size = MAX (bytes, CLAMP (t->slab_total, (gsize) 64 << 10, (gsize) 2 << 20));

      t->slab_pos = rt_mem_table_alloc0 (size);
      t->slab_left = size;
      t->slab_total += size;
      g_ptr_array_add (t->slabs, t->slab_pos);
    }
  p = t->slab_pos;
  t->slab_pos += bytes;
  t->slab_left -= bytes;
  return p;
}

static void
arena_clear (RtJoinTable *t)
{
  g_ptr_array_set_size (t->slabs, 0);
  t->slab_pos = NULL;
  t->slab_left = t->slab_total = 0;
}

static Block *
block_new (RtJoinTable *t)
{
  Block *blk = g_new0 (Block, 1);

  blk->next = arena_take (t, BLOCK_ROWS * sizeof (guint32));
  blk->matched = t->keep_null ? arena_take (t, BLOCK_ROWS) : NULL;
  blk->matches = t->counts ? arena_take (t, BLOCK_ROWS * sizeof (gint64)) : NULL;
  blk->dead = t->streaming ? arena_take (t, BLOCK_ROWS / 8) : NULL;
  blk->data = g_new0 (guint8 *, t->n_cols + 1);
  blk->valid = g_new0 (guint64 *, t->n_cols + 1);
  for (guint c = 0; c < t->n_cols; c++)
    {
      blk->data[c] = arena_take (t, BLOCK_ROWS * t->width[c]);
      blk->valid[c] = arena_take (t, BLOCK_ROWS / 8);
    }
  return blk;
}

/* The slot a key hashes to under mask, from the slot's (stored or recomputed) hash. */
static inline guint64
home_of (const RtJoinTable *t, const Slot *s, guint64 mask)
{
  if (!t->inline_key)
    return s->key & mask;
  if (t->n_keys == 0)
    return SEED & mask;
  return mix64 (SEED + s->key) & mask; /* as hash_range does */
}

/* Doubles the slots, placing every key again by its hash. */
static void
grow (RtJoinTable *t)
{
  guint64 old_n = t->mask + 1, mask = old_n * 2 - 1;
  Slot *old = t->slots, *slots = rt_mem_table_alloc0 (old_n * 2 * sizeof (Slot));

  for (guint64 i = 0; i < old_n; i++)
    {
      guint64 pos;

      if (old[i].head == 0)
        continue;
      pos = home_of (t, &old[i], mask);
      while (slots[pos].head != 0)
        pos = (pos + 1) & mask;
      slots[pos] = old[i];
    }
  g_free (old);
  t->slots = slots;
  t->mask = mask;
}

/* Puts stored row id (row r of batch, hashed into t->hash/keyv) into the index. */
static void
index_row (RtJoinTable *t, const RtBatch *batch, guint r, guint32 id)
{
  guint64 h = t->hash[r], pos;
  Block *blk = block_of (t, id);

  if ((t->used + 1) * 4 > (t->mask + 1) * 3)
    grow (t);
  pos = h & t->mask;
  for (;; pos = (pos + 1) & t->mask)
    {
      Slot *s = &t->slots[pos];

      if (s->head == 0)
        {
          s->key = t->inline_key ? t->keyv[r] : h;
          s->head = id + 1;
          s->multi = 0;
          blk->next[id & BLOCK_MASK] = 0;
          t->used++;
          return;
        }
      if (t->inline_key ? s->key == t->keyv[r]
                        : s->key == h && keys_equal (t, batch, t->bkeys, r, s->head - 1))
        {
          blk->next[id & BLOCK_MASK] = s->head;
          s->head = id + 1;
          s->multi = 1;
          return;
        }
    }
}

/* ---- copying columns --------------------------------------------------------------------- */

/* A copy of a string in the streaming table's heap chunks (freed with the table or when
 * compaction moves the live rows to a new table). */
static RtStr
heap_intern (RtJoinTable *t, const char *ptr, guint32 len)
{
  RtStr out;

  if (t->str_left < len)
    {
      gsize size = MAX ((gsize) 64 * 1024, (gsize) len);

      t->str_pos = g_malloc (size);
      t->str_left = size;
      g_ptr_array_add (t->str_chunks, t->str_pos);
    }
  memcpy (t->str_pos, ptr, len);
  out.ptr = t->str_pos;
  out.len = len;
  t->str_pos += len;
  t->str_left -= len;
  return out;
}

/* Copies column c of rows[0..m) of batch to stored rows base.. (strings into the holder). */
static gboolean
copy_column (RtJoinTable *t, const RtBatch *batch, guint c, const guint32 *rows, guint m,
             guint64 base, GError **error)
{
  const RtVector *v = &batch->cols[c];
  gsize w = t->width[c];

  for (guint i = 0; i < m;)
    {
      guint64 id = base + i;
      Block *blk = block_of (t, (guint32) id);
      guint o = id & BLOCK_MASK, seg = MIN (m - i, BLOCK_ROWS - o);
      guint8 *dst = blk->data[c];
      guint64 *valid = blk->valid[c];

      if (w == 8)
        for (guint k = 0; k < seg; k++)
          ((guint64 *) dst)[o + k] = ((const guint64 *) v->data)[rows[i + k]];
      else if (w == 4)
        for (guint k = 0; k < seg; k++)
          ((guint32 *) dst)[o + k] = ((const guint32 *) v->data)[rows[i + k]];
      else
        for (guint k = 0; k < seg; k++)
          memcpy (dst + (o + k) * w, (const guint8 *) v->data + rows[i + k] * w, w);
      for (guint k = 0; k < seg; k++)
        {
          guint at = o + k;
          gboolean ok = rt_vec_is_valid (v, rows[i + k]);

          if (ok)
            valid[at >> 6] |= G_GUINT64_CONSTANT (1) << (at & 63);
          else
            {
              valid[at >> 6] &= ~(G_GUINT64_CONSTANT (1) << (at & 63));
              t->col_null[c] = TRUE;
            }
          if (v->kind == PLAN_TYPE_VARCHAR)
            {
              RtStr *s = &((RtStr *) dst)[at];

              if (!ok || s->len == 0)
                *s = (RtStr) { "", 0 };
              else
                {
                  t->str_bytes += s->len;
                  *s = t->streaming ? heap_intern (t, s->ptr, s->len)
                                    : rt_batch_intern (t->holder, s->ptr, s->len, error);
                  if (s->ptr == NULL)
                    return FALSE;
                }
            }
        }
      i += seg;
    }
  return TRUE;
}

gboolean
rt__join_table_add_rows (RtJoinTable *t, const RtBatch *batch, const guint32 *rows, guint n,
                         GError **error)
{
  guint m = 0, lo = G_MAXUINT, hi = 0;
  guint64 base = t->n_rows;

  if (n == 0)
    return TRUE;
  for (guint i = 0; i < n; i++) /* hash only the span the rows are in */
    {
      guint r = rows != NULL ? rows[i] : i;

      lo = MIN (lo, r);
      hi = MAX (hi, r + 1);
    }
  hash_range (t, batch, t->bkeys, lo, hi);
  for (guint i = 0; i < n; i++)
    {
      guint r = rows != NULL ? rows[i] : i;

      if (!t->nullk[r] || t->keep_null)
        t->head[m++] = r; /* head is free during a build: it lists the rows kept */
    }
  if (base + m >= G_MAXUINT32)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "The hash join's build side has more "
                   "than 4 billion rows in one subtask; raise the parallelism");
      return FALSE;
    }
  if (t->has_str && !t->streaming && t->holder == NULL
      && (t->holder = rt_batch_new (t->j->base.ctx->pool, t->j->side[t->b], 1, error)) == NULL)
    return FALSE;
  while (((guint64) t->blocks->len << BLOCK_SHIFT) < base + m)
    g_ptr_array_add (t->blocks, block_new (t));
  for (guint c = 0; c < t->n_cols; c++)
    if (!copy_column (t, batch, c, t->head, m, base, error))
      return FALSE;
  t->n_rows += m;
  for (guint i = 0; i < m; i++)
    {
      guint r = t->head[i];
      guint32 id = (guint32) (base + i);

      if (t->nullk[r])
        block_of (t, id)->next[id & BLOCK_MASK] = 0; /* kept, never found */
      else
        index_row (t, batch, r, id);
    }
  return TRUE;
}

/* ---- gathering output ---------------------------------------------------------------------- */

static void
fill_null (RtVector *dv, guint base, guint m)
{
  gsize w = plan_type_storage_size (dv->kind);

  memset ((guint8 *) dv->data + base * w, 0, m * w);
  for (guint k = 0; k < m; k++)
    {
      rt_vec_set_null (dv, base + k);
      if (dv->kind == PLAN_TYPE_VARCHAR)
        ((RtStr *) dv->data)[base + k].ptr = "";
    }
}

static void
gather_probe (RtVector *dv, guint base, const RtVector *sv, const guint32 *pr, guint m)
{
  gsize w = plan_type_storage_size (dv->kind);
  guint8 *d = (guint8 *) dv->data + base * w;

  if (w == 8)
    for (guint k = 0; k < m; k++)
      ((guint64 *) d)[k] = ((const guint64 *) sv->data)[pr[k]];
  else if (w == 4)
    for (guint k = 0; k < m; k++)
      ((guint32 *) d)[k] = ((const guint32 *) sv->data)[pr[k]];
  else if (w == sizeof (RtStr))
    for (guint k = 0; k < m; k++)
      ((RtStr *) d)[k] = ((const RtStr *) sv->data)[pr[k]];
  else
    for (guint k = 0; k < m; k++)
      memcpy (d + k * w, (const guint8 *) sv->data + pr[k] * w, w);
  for (guint k = 0; k < m; k++)
    if (!rt_vec_is_valid (sv, pr[k]))
      rt_vec_set_null (dv, base + k);
}

/* copy_to (nullable): a streaming table's strings are copied into that batch's arena, for
 * a batch that may outlive the rows (the table's strings are its own). */
static gboolean
gather_build (const RtJoinTable *t, RtVector *dv, guint base, guint c, const guint32 *br,
              guint m, RtBatch *copy_to, GError **error)
{
  gsize w = t->width[c];
  guint8 *d = (guint8 *) dv->data + base * w;

  /* one loop per width, and the validity bits read only for a column that has NULLs:
   * each is one more random read per row */
  if (w == 8)
    for (guint k = 0; k < m; k++)
      ((guint64 *) d)[k] = ((const guint64 *) block_of (t, br[k])->data[c])[br[k] & BLOCK_MASK];
  else if (w == 4)
    for (guint k = 0; k < m; k++)
      ((guint32 *) d)[k] = ((const guint32 *) block_of (t, br[k])->data[c])[br[k] & BLOCK_MASK];
  else
    for (guint k = 0; k < m; k++)
      memcpy (d + k * w, block_of (t, br[k])->data[c] + (br[k] & BLOCK_MASK) * w, w);
  for (guint k = 0; t->col_null[c] && k < m; k++)
    {
      guint o = br[k] & BLOCK_MASK;

      if (!((block_of (t, br[k])->valid[c][o >> 6] >> (o & 63)) & 1))
        rt_vec_set_null (dv, base + k);
    }
  if (copy_to != NULL && t->streaming && dv->kind == PLAN_TYPE_VARCHAR)
    for (guint k = 0; k < m; k++)
      {
        RtStr *sp = &((RtStr *) d)[k];

        if (sp->len > 0 && (*sp = rt_batch_intern (copy_to, sp->ptr, sp->len, error)).ptr == NULL)
          return FALSE;
      }
  return TRUE;
}

/* Writes rows base..base+m of dst (the join's output layout, left ++ right): the probe
 * side from probe's rows pr, the build side from stored rows br; a NULL list NULL-fills
 * its side. dst must have room. scratch: dst lives only while the table does not change
 * (a streaming table's strings are then shared, not copied). */
static gboolean
gather_into (RtJoinTable *t, RtBatch *dst, guint base, RtBatch *probe, const guint32 *pr,
             const guint32 *br, guint m, gboolean scratch, GError **error)
{
  guint nl = t->j->side[0]->n_fields;

  for (guint c = 0; c < dst->n_cols; c++)
    {
      guint s = c < nl ? 0 : 1, sc = c < nl ? c : c - nl;
      RtVector *dv = &dst->cols[c];

      if (s == t->p && pr != NULL)
        gather_probe (dv, base, &probe->cols[sc], pr, m);
      else if (s == t->b && br != NULL && pr != NULL && (gint) sc == t->key_col)
        gather_probe (dv, base, &probe->cols[t->key_probe], pr, m); /* equal keys */
      else if (s == t->b && br != NULL)
        {
          if (!gather_build (t, dv, base, sc, br, m, scratch ? NULL : dst, error))
            return FALSE;
        }
      else
        fill_null (dv, base, m);
    }
  if (pr != NULL && t->probe_str)
    rt_batch_keep (dst, probe);
  if (br != NULL && t->holder != NULL)
    rt_batch_keep (dst, t->holder);
  return TRUE;
}

/* Appends n pairs to the join's output as rows of kind (flushing full batches
 * downstream). */
static gboolean
emit_kind (RtJoinTable *t, RtBatch *probe, const guint32 *pr, const guint32 *br, guint n,
           RtRowKind kind, GError **error)
{
  RtJoin *j = t->j;

  for (guint done = 0; done < n;)
    {
      guint m;

      if (j->out != NULL && j->out->n_rows == j->out->capacity
          && rt__join_flush (j, error) == RT_FAIL)
        return FALSE;
      if (j->out == NULL
          && (j->out = rt_batch_new (j->base.ctx->pool, j->out_schema, t->chunk, error)) == NULL)
        return FALSE;
      m = MIN (n - done, j->out->capacity - j->out->n_rows);
      if (!gather_into (t, j->out, j->out->n_rows, probe, pr ? pr + done : NULL,
                        br ? br + done : NULL, m, FALSE, error))
        return FALSE;
      memset (j->out->kinds + j->out->n_rows, (int) kind, m);
      j->out->n_rows += m;
      done += m;
    }
  return TRUE;
}

static gboolean
emit_pairs (RtJoinTable *t, RtBatch *probe, const guint32 *pr, const guint32 *br, guint n,
            GError **error)
{
  return emit_kind (t, probe, pr, br, n, RT_ROW_INSERT, error);
}

/* ---- probing ------------------------------------------------------------------------------- */

/* Asks for the cache lines of stored row id that walking and gathering will read, so the
 * misses of a batch's rows overlap instead of coming one after another. */
static inline void
prefetch_row (const RtJoinTable *t, guint32 id, gboolean multi)
{
  const Block *blk = block_of (t, id);
  guint o = id & BLOCK_MASK;

  if (multi)
    __builtin_prefetch (&blk->next[o]);
  for (guint c = 0; c < t->n_cols && c < 8; c++)
    if ((gint) c != t->key_col) /* copied from the probe row */
      __builtin_prefetch (blk->data[c] + o * t->width[c]);
}

/* The slot of row r's key (hashed, not NULL; key columns keys of batch), or NULL. */
static inline Slot *
find_slot (RtJoinTable *t, const RtBatch *batch, const guint *keys, guint r)
{
  for (guint64 pos = t->hash[r] & t->mask;; pos = (pos + 1) & t->mask)
    {
      Slot *s = &t->slots[pos];

      if (s->head == 0)
        return NULL;
      if (t->inline_key ? s->key == t->keyv[r]
                        : s->key == t->hash[r] && keys_equal (t, batch, keys, r, s->head - 1))
        return s;
    }
}

/* t->head[r] = row id + 1 of the newest stored row with probe row r's key, or 0, for the
 * rows [from, n) (hashed). */
static void
lookup_range (RtJoinTable *t, const RtBatch *probe, guint from, guint n)
{
  for (guint r = from; r < n; r++)
    {
      const Slot *s;

      if (r + PREFETCH < n)
        __builtin_prefetch (&t->slots[t->hash[r + PREFETCH] & t->mask]);
      t->head[r] = 0;
      if (t->nullk[r] || (s = find_slot (t, probe, t->pkeys, r)) == NULL)
        continue;
      t->head[r] = s->head;
      t->multi[r] = (guint8) s->multi;
      prefetch_row (t, s->head - 1, s->multi);
    }
}

/* Keeps the pairs pr/br[0..n) the residual accepts (compacted in place); -1 on error. */
static gint
filter_pairs (RtJoinTable *t, RtBatch *probe, guint n, GError **error)
{
  RtJoin *j = t->j;
  g_autoptr (RtBatch) cand = rt_batch_new (j->base.ctx->pool, j->out_schema, n, error);
  g_autofree guint32 *sel = g_new (guint32, n + 1);
  GError *local = NULL;
  guint kept;

  if (cand == NULL)
    return -1;
  if (!gather_into (t, cand, 0, probe, t->pr, t->br, n, TRUE, error))
    return -1;
  cand->n_rows = n;
  kept = rt_program_filter (j->residual, cand, sel, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return -1;
    }
  for (guint i = 0; i < kept; i++)
    {
      t->pr[i] = t->pr[sel[i]];
      t->br[i] = t->br[sel[i]];
    }
  return (gint) kept;
}

/* Runs the residual (if any) over the n pairs in t->pr/br, marks and emits the kept ones. */
static gboolean
take_pairs (RtJoinTable *t, RtBatch *probe, guint n, GError **error)
{
  gint kept = t->j->residual != NULL ? filter_pairs (t, probe, n, error) : (gint) n;

  if (kept < 0)
    return FALSE;
  for (gint i = 0; i < kept; i++)
    {
      t->found[t->pr[i]] = 1;
      if (t->keep_null)
        block_of (t, t->br[i])->matched[t->br[i] & BLOCK_MASK] = 1;
    }
  return emit_pairs (t, probe, t->pr, t->br, (guint) kept, error);
}

/* Walks every probe row's chain into chunks of pairs. */
static gboolean
walk_chains (RtJoinTable *t, RtBatch *probe, GError **error)
{
  guint n = probe->n_rows, r = 0;
  guint32 cur = t->head[0];

  while (r < n)
    {
      guint np = 0;

      while (r < n && np < t->chunk)
        {
          if (cur == 0)
            {
              if (++r < n)
                cur = t->head[r];
              continue;
            }
          t->pr[np] = r;
          t->br[np] = cur - 1;
          np++;
          cur = t->multi[r] ? block_of (t, cur - 1)->next[(cur - 1) & BLOCK_MASK] : 0;
        }
      if (np > 0 && !take_pairs (t, probe, np, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
rt__join_table_add (RtJoinTable *t, const RtBatch *batch, GError **error)
{
  return rt__join_table_add_rows (t, batch, NULL, batch->n_rows, error);
}

RtResult
rt__join_table_probe (RtJoinTable *t, RtBatch *probe, GError **error)
{
  return rt__join_table_probe_masked (t, probe, NULL, error);
}

RtResult
rt__join_table_probe_masked (RtJoinTable *t, RtBatch *probe, const guint8 *skip,
                             GError **error)
{
  guint n = probe->n_rows, np = 0;

  if (n == 0)
    return RT_OK;
  hash_batch (t, probe, t->pkeys);
  lookup_range (t, probe, 0, n);
  memset (t->found, 0, n);
  for (guint r = 0; skip != NULL && r < n; r++)
    if (skip[r])
      {
        t->head[r] = 0; /* not this call's row: no match, and no NULL-filled row */
        t->found[r] = 1;
      }
  if (!walk_chains (t, probe, error))
    return RT_FAIL;
  if (!rt__join_preserves (t->j, t->p))
    return RT_OK;
  for (guint r = 0; r < n; r++) /* preserved probe rows without a match, NULL-filled */
    {
      if (t->found[r])
        continue;
      t->pr[np++] = r;
      if (np == t->chunk)
        {
          if (!emit_pairs (t, probe, t->pr, NULL, np, error))
            return RT_FAIL;
          np = 0;
        }
    }
  return np == 0 || emit_pairs (t, probe, t->pr, NULL, np, error) ? RT_OK : RT_FAIL;
}

RtResult
rt__join_table_emit_unmatched (RtJoinTable *t, GError **error)
{
  guint nb = 0;

  if (!t->keep_null)
    return RT_OK;
  for (guint64 id = 0; id < t->n_rows; id++)
    {
      if (block_of (t, (guint32) id)->matched[id & BLOCK_MASK])
        continue;
      t->br[nb++] = (guint32) id;
      if (nb == t->chunk)
        {
          if (!emit_pairs (t, NULL, NULL, t->br, nb, error))
            return RT_FAIL;
          nb = 0;
        }
    }
  return nb == 0 || emit_pairs (t, NULL, NULL, t->br, nb, error) ? RT_OK : RT_FAIL;
}

gboolean
rt__join_table_replay (RtJoinTable *t, RtJoinTableReplay fn, GError **error)
{
  RtJoin *j = t->j;

  for (guint64 id = 0; id < t->n_rows;)
    {
      guint m = (guint) MIN ((guint64) t->chunk, t->n_rows - id);
      g_autoptr (RtBatch) batch = rt_batch_new (j->base.ctx->pool, j->side[t->b], m, error);

      if (batch == NULL)
        return FALSE;
      for (guint k = 0; k < m; k++)
        t->br[k] = (guint32) (id + k);
      for (guint c = 0; c < t->n_cols; c++)
        if (!gather_build (t, &batch->cols[c], 0, c, t->br, m, batch, error))
          return FALSE;
      batch->n_rows = m;
      if (t->holder != NULL)
        rt_batch_keep (batch, t->holder);
      if (fn (j, batch, error) == RT_FAIL)
        return FALSE;
      id += m;
    }
  return TRUE;
}

const guint64 *
rt__join_table_hash (RtJoinTable *t, const RtBatch *batch, gboolean build,
                     const guint8 **null_key)
{
  hash_batch (t, batch, build ? t->bkeys : t->pkeys);
  *null_key = t->nullk;
  return t->hash;
}

void
rt__join_table_clear (RtJoinTable *t)
{
  for (guint i = 0; i < t->blocks->len; i++)
    block_free (t->blocks->pdata[i]);
  g_ptr_array_set_size (t->blocks, 0);
  arena_clear (t);
  g_clear_pointer (&t->holder, rt_batch_unref);
  t->str_bytes = 0;
  t->n_rows = 0;
  t->used = 0;
  t->mask = MIN_SLOTS - 1;
  g_free (t->slots);
  t->slots = rt_mem_table_alloc0 (MIN_SLOTS * sizeof (Slot));
}

/* ---- the streaming join's side state ------------------------------------------------------ *
 * A streaming table (rt__join_table_new_side with streaming) holds one side of the regular
 * streaming join (rt-op-join-flat.c): the other side probes it a range of rows at a time
 * (rt__join_table_pairs), retractions remove one equal row (rt__join_table_remove_row),
 * and a preserved side keeps per row how many rows of the other side match it. A removed
 * row is unlinked from its key's chain and marked dead; its room is taken back when dead
 * rows outnumber live ones, by moving the live rows into a fresh table. Strings live in
 * heap chunks of the table and are copied into the output batches, so the state stays
 * out of the managed-memory budget (like Flink's heap state backend) and no output batch
 * points into rows that compaction frees. */

#define COMPACT_MIN_DEAD 4096

static inline gboolean
is_dead (const RtJoinTable *t, guint32 id)
{
  guint o = id & BLOCK_MASK;

  return (block_of (t, id)->dead[o >> 6] >> (o & 63)) & 1;
}

/* Whether row r of batch (the stored side's schema) equals stored row id in every column
 * (NULLs equal, -0.0 equal to 0.0). */
static gboolean
row_equal (const RtJoinTable *t, const RtBatch *batch, guint r, guint32 id)
{
  const Block *blk = block_of (t, id);
  guint o = id & BLOCK_MASK;

  for (guint c = 0; c < t->n_cols; c++)
    {
      const RtVector *v = &batch->cols[c];
      gboolean a = rt_vec_is_valid (v, r), b = (blk->valid[c][o >> 6] >> (o & 63)) & 1;
      gsize w = t->width[c];

      if (a != b)
        return FALSE;
      if (!a)
        continue;
      if (v->kind == PLAN_TYPE_VARCHAR)
        {
          const RtStr *x = &((const RtStr *) v->data)[r];
          const RtStr *y = &((const RtStr *) blk->data[c])[o];

          if (x->len != y->len || (x->len > 0 && memcmp (x->ptr, y->ptr, x->len) != 0))
            return FALSE;
        }
      else if (v->kind == PLAN_TYPE_DOUBLE)
        {
          if (read_fixed (v->data, w, CLS_DOUBLE, r) != read_fixed (blk->data[c], w, CLS_DOUBLE, o))
            return FALSE;
        }
      else if (memcmp ((const guint8 *) v->data + r * w, blk->data[c] + o * w, w) != 0)
        return FALSE;
    }
  return TRUE;
}

/* Empties slot i, moving later slots of the same probe run back so lookups still find
 * them (deletion without tombstones in linear probing). */
static void
delete_slot (RtJoinTable *t, guint64 i)
{
  guint64 j = i;

  for (;;)
    {
      t->slots[i].head = 0;
      for (;;)
        {
          guint64 h;

          j = (j + 1) & t->mask;
          if (t->slots[j].head == 0)
            {
              t->used--;
              return;
            }
          h = home_of (t, &t->slots[j], t->mask);
          if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
            continue; /* its home lies after the hole: it must stay */
          break;
        }
      t->slots[i] = t->slots[j];
      i = j;
    }
}

gboolean
rt__join_table_remove_row (RtJoinTable *t, const RtBatch *batch, guint r)
{
  Slot *s;
  guint32 prev = 0, cur, id;
  guint32 *link;

  g_return_val_if_fail (t->streaming, FALSE);
  hash_range (t, batch, t->bkeys, r, r + 1);
  if (t->nullk[r] || (s = find_slot (t, batch, t->bkeys, r)) == NULL)
    return FALSE;
  for (cur = s->head; cur != 0; prev = cur, cur = block_of (t, cur - 1)->next[(cur - 1) & BLOCK_MASK])
    if (row_equal (t, batch, r, cur - 1))
      break;
  if (cur == 0)
    return FALSE;
  id = cur - 1;
  link = prev == 0 ? &s->head : &block_of (t, prev - 1)->next[(prev - 1) & BLOCK_MASK];
  *link = block_of (t, id)->next[id & BLOCK_MASK];
  if (s->head == 0)
    delete_slot (t, (guint64) (s - t->slots));
  block_of (t, id)->dead[(id & BLOCK_MASK) >> 6] |= G_GUINT64_CONSTANT (1) << (id & 63);
  t->n_dead++;
  return TRUE;
}

gboolean
rt__join_table_pairs (RtJoinTable *t, RtBatch *probe, guint from, guint to,
                      const guint32 **pr, const guint32 **br, guint *n, GError **error)
{
  guint r = from;
  guint32 cur;

  t->s_n = 0;
  *pr = *br = NULL;
  *n = 0;
  if (to <= from)
    return TRUE;
  hash_range (t, probe, t->pkeys, from, to);
  lookup_range (t, probe, from, to);
  cur = t->head[from];
  while (r < to)
    {
      guint np = 0;
      gint kept;

      while (r < to && np < t->chunk)
        {
          if (cur == 0)
            {
              if (++r < to)
                cur = t->head[r];
              continue;
            }
          t->pr[np] = r;
          t->br[np++] = cur - 1;
          cur = t->multi[r] ? block_of (t, cur - 1)->next[(cur - 1) & BLOCK_MASK] : 0;
        }
      kept = np > 0 && t->j->residual != NULL ? filter_pairs (t, probe, np, error) : (gint) np;
      if (kept <= 0)
        {
          if (kept < 0)
            return FALSE;
          continue;
        }
      if (t->s_n + (guint) kept > t->s_cap)
        {
          t->s_cap = MAX (t->s_n + (guint) kept, t->s_cap * 2);
          t->spr = g_renew (guint32, t->spr, t->s_cap);
          t->sbr = g_renew (guint32, t->sbr, t->s_cap);
        }
      memcpy (t->spr + t->s_n, t->pr, kept * sizeof (guint32));
      memcpy (t->sbr + t->s_n, t->br, kept * sizeof (guint32));
      t->s_n += (guint) kept;
    }
  *pr = t->spr;
  *br = t->sbr;
  *n = t->s_n;
  return TRUE;
}

gint64 *
rt__join_table_matches (RtJoinTable *t, guint32 id)
{
  g_return_val_if_fail (t->counts, NULL);
  return &block_of (t, id)->matches[id & BLOCK_MASK];
}

gboolean
rt__join_table_emit (RtJoinTable *t, RtBatch *probe, const guint32 *pr, const guint32 *br,
                     guint n, RtRowKind kind, GError **error)
{
  return emit_kind (t, probe, pr, br, n, kind, error);
}

guint64
rt__join_table_get_live (const RtJoinTable *t)
{
  return t->n_rows - t->n_dead;
}

RtBatch *
rt__join_table_next_live (RtJoinTable *t, guint64 *cursor, const guint32 **ids,
                          GError **error)
{
  RtJoin *j = t->j;
  g_autoptr (RtBatch) batch = NULL;
  guint m = 0;

  for (; *cursor < t->n_rows && m < t->chunk; (*cursor)++)
    if (!t->streaming || !is_dead (t, (guint32) *cursor))
      t->br[m++] = (guint32) *cursor;
  *ids = t->br;
  if (m == 0)
    return NULL;
  if ((batch = rt_batch_new (j->base.ctx->pool, j->side[t->b], m, error)) == NULL)
    return NULL;
  for (guint c = 0; c < t->n_cols; c++)
    if (!gather_build (t, &batch->cols[c], 0, c, t->br, m, batch, error))
      return NULL;
  batch->n_rows = m;
  if (t->holder != NULL)
    rt_batch_keep (batch, t->holder);
  return g_steal_pointer (&batch);
}

gboolean
rt__join_table_compact (RtJoinTable *t, GError **error)
{
  RtJoinTable *fresh, tmp;
  guint64 cursor = 0;
  RtBatch *batch;
  const guint32 *ids;
  GError *local = NULL;

  if (!t->streaming || t->n_dead < COMPACT_MIN_DEAD || t->n_dead * 2 < t->n_rows)
    return TRUE;
  fresh = rt__join_table_new_side (t->j, t->b, TRUE);
  while ((batch = rt__join_table_next_live (t, &cursor, &ids, &local)) != NULL)
    {
      guint64 base = fresh->n_rows;
      gboolean ok = rt__join_table_add_rows (fresh, batch, NULL, batch->n_rows, &local);

      for (guint k = 0; ok && t->counts && k < batch->n_rows; k++)
        *rt__join_table_matches (fresh, (guint32) (base + k)) = *rt__join_table_matches (t, ids[k]);
      rt_batch_unref (batch);
      if (!ok)
        break;
    }
  if (local != NULL)
    {
      rt__join_table_free (fresh);
      g_propagate_error (error, local);
      return FALSE;
    }
  tmp = *t;
  *t = *fresh;
  *fresh = tmp;
  rt__join_table_free (fresh);
  return TRUE;
}
