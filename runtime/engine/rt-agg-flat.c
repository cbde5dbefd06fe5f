/* rt-agg-flat.c: the fast path of the batch group aggregate (DESIGN.md 4.5, 4.2): GROUP BY
 * in batch mode over an insert-only input, when the keys are fixed-width values or strings
 * and the calls are COUNT, SUM, AVG, MIN, MAX over numbers (rt__agg_flat_supports says
 * exactly which). Everything else runs on the general operator of rt-op-aggregate.c,
 * chosen once when the operator is made; both give the same rows.
 *
 * Why a second operator: the general one keeps a GHashTable of GBytes keys, a heap struct
 * of PlanValue accumulators per group and reads every cell as a PlanValue, which costs
 * several mallocs and hundreds of bytes per group. Here a group is one fixed-width row of
 * 64-bit words, stored in pages of FLAT_PAGE_ROWS rows:
 *
 *   [NULL mask] [one word per key] [a pointer per VARCHAR key] [the first value of each
 *   DOUBLE key] [accumulators]
 *
 * A key word holds the value widened to 64 bits (a DOUBLE by its bits, -0.0 as 0.0, a
 * NULL as 0 with its mask bit set) or, for a VARCHAR, a hash of its bytes; the bytes
 * themselves go to an arena and the row points to them (a 32-bit length, then the bytes).
 * Two keys are equal when their key words are equal and, for strings, their bytes too.
 *
 * The table is open addressing with linear probing over a power-of-two array of 64-bit
 * slots: the high 32 bits of the key's hash (which also pick the home slot), and the
 * group's number + 1 (0 marks an empty slot). Growing doubles the array and moves the
 * slots without rehashing any key. Groups are numbered in order of arrival and emitted in
 * that order.
 *
 * A batch is processed a column at a time: the key words of all rows, then their hashes,
 * then one probe per row giving the row's group (new groups inserted), then one loop per
 * aggregate call over the rows that pass its FILTER and have a non-NULL argument.
 *
 * Memory follows the general operator exactly: the pages, the slot array and the string
 * arena are charged to the operator's share of the managed-memory pool (half the budget
 * over the parallelism) as pool blocks of RT_AGG_CHUNK held for accounting; when a new group
 * does not fit, the groups in memory keep aggregating and the rows of every other group
 * go, hash-partitioned, to LZ4 spill files (rt-agg-spill.c). At the end of input the
 * groups in memory are emitted and freed, then each spill file is aggregated the same way
 * one level deeper with another partition seed (up to FLAT_MAX_LEVEL levels; beyond that a
 * partition is aggregated over its share). Spill files are deleted once read and in close.
 * Batch mode takes no checkpoints, so the operator has no snapshot hooks. */
#include "rt-agg-flat.h"
#include "rt-agg-spill.h"
#include "plans/plan-numeric.h"

#include <string.h>

#define FLAT_PAGE_SHIFT 10
#define FLAT_PAGE_ROWS (1u << FLAT_PAGE_SHIFT)
#define FLAT_MAX_LEVEL 6
#define FLAT_ARENA_CHUNK ((gsize) 64 * 1024)
#define FLAT_MIN_SLOTS ((gsize) 1024)

typedef enum {
  ACC_COUNT,       /* COUNT(*), COUNT(x): [count] */
  ACC_SUM_INT,     /* SUM/AVG of integers and scaled decimals: [sum, count] */
  ACC_SUM_DOUBLE,  /* SUM/AVG of DOUBLE: [sum (bits), count] */
  ACC_MIN_INT,     /* [value, seen] */
  ACC_MAX_INT,
  ACC_MIN_DOUBLE,  /* [value (bits), seen] */
  ACC_MAX_DOUBLE,
} FlatAccKind;

typedef struct {
  RtOperator base;
  PlanAggregate agg;        /* owned copy of the node's payload */
  PlanSchema *in_schema;    /* owned ref */
  PlanSchema *out_schema;   /* owned ref */
  FlatAccKind *kinds;       /* n_aggs */
  guint *offs;              /* n_aggs: word offset of each accumulator in a row */
  guint n_words;            /* key words compared as a whole: the NULL mask, then keys */
  guint n_str;              /* VARCHAR keys */
  guint *str_keys;          /* n_str: their key numbers */
  guint n_dbl;              /* DOUBLE keys, whose first value is kept as it came */
  guint *dbl_keys;          /* n_dbl: their key numbers */
  guint row_words;
  /* the table */
  guint64 *slots;           /* cap slots, or NULL before the first group */
  gsize cap;
  guint n_groups;
  guint64 **pages;          /* n_pages pages of FLAT_PAGE_ROWS rows */
  guint n_pages;
  GPtrArray *arena;         /* owned blocks holding the string keys */
  char *arena_pos;
  gsize arena_left;
  /* per-batch scratch */
  guint scratch_rows;
  guint64 *kw;              /* scratch_rows * n_words key words */
  guint64 *hashes;
  guint64 **rowp;           /* the group row of each input row; NULL: spilled */
  guint32 *sel;
  gint64 *ivals;
  double *dvals;
  /* under the budget */
  guint64 n_out;
  gsize share;
  gsize state_bytes;
  GPtrArray *chunks;        /* owned: pool blocks held against state_bytes */
  char *spill_dir;          /* owned: made at the first spill */
  RtSpillSet *spill;        /* owned, or NULL while nothing spills */
  gboolean full;            /* a new group found no room: every new group spills, from
                             * that row on until the spill set ends */
  guint level;
  GPtrArray *pending;       /* owned: RtSpillFile* still to aggregate */
  guint64 spilled_bytes;
} RtFlatAgg;

static const RtOperatorClass flat_class;

/* ---- which aggregates ---------------------------------------------------------------- */

static gboolean
fixed_kind (PlanTypeKind k)
{
  return k == PLAN_TYPE_BOOLEAN || k == PLAN_TYPE_INT || k == PLAN_TYPE_BIGINT
         || k == PLAN_TYPE_DOUBLE || k == PLAN_TYPE_DECIMAL || k == PLAN_TYPE_DATE
         || k == PLAN_TYPE_TIMESTAMP || k == PLAN_TYPE_INTERVAL;
}

static gboolean
call_supported (const PlanAggCall *c, const PlanSchema *in)
{
  PlanTypeKind arg, out = c->type.kind;

  if (c->distinct || (c->filter >= 0 && (guint) c->filter >= in->n_fields))
    return FALSE;
  if (c->func == PLAN_AGG_COUNT_STAR)
    return out == PLAN_TYPE_BIGINT;
  if (c->arg < 0 || (guint) c->arg >= in->n_fields)
    return FALSE;
  arg = in->fields[c->arg].type.kind;
  switch (c->func)
    {
    case PLAN_AGG_COUNT:
      return out == PLAN_TYPE_BIGINT;
    case PLAN_AGG_SUM:
    case PLAN_AGG_AVG:
      /* the general operator sums DOUBLE apart and reads the result by the output type */
      return fixed_kind (arg) && arg != PLAN_TYPE_BOOLEAN && fixed_kind (out)
             && (arg == PLAN_TYPE_DOUBLE) == (out == PLAN_TYPE_DOUBLE);
    case PLAN_AGG_MIN:
    case PLAN_AGG_MAX:
      return fixed_kind (arg) && out == arg;
    case PLAN_AGG_COUNT_STAR:
    default:
      return FALSE;
    }
}

gboolean
rt__agg_flat_supports (const PlanPhysNode *node)
{
  const PlanAggregate *agg = &node->u.aggregate;
  const PlanSchema *in = node->inputs[0].node->schema;

  if (node->updating || node->inputs[0].node->updating || agg->n_keys > 64)
    return FALSE;
  for (guint k = 0; k < agg->n_keys; k++)
    {
      PlanTypeKind kind;

      if (agg->keys[k] >= in->n_fields)
        return FALSE;
      kind = in->fields[agg->keys[k]].type.kind;
      if (!fixed_kind (kind) && kind != PLAN_TYPE_VARCHAR)
        return FALSE;
    }
  for (guint j = 0; j < agg->n_aggs; j++)
    if (!call_supported (&agg->aggs[j], in))
      return FALSE;
  return TRUE;
}

/* ---- hashing and rows ---------------------------------------------------------------- */

static inline guint64
mix64 (guint64 h)
{
  h ^= h >> 33;
  h *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  h ^= h >> 33;
  h *= G_GUINT64_CONSTANT (0xc4ceb9fe1a85ec53);
  h ^= h >> 33;
  return h;
}

static inline guint64 *
row_of (const RtFlatAgg *a, guint gid)
{
  return a->pages[gid >> FLAT_PAGE_SHIFT] + (gsize) (gid & (FLAT_PAGE_ROWS - 1)) * a->row_words;
}

/* The spill partition of a hash at a level (another seed per level, so a spilled
 * partition splits again one level deeper). */
static guint
partition_of (guint64 h, guint level)
{
  return (guint) (mix64 (h ^ ((level + 1) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)))
                  % RT_SPILL_FANOUT);
}

/* Key word k of every row of b: the value widened to 64 bits, a string's hash, 0 for NULL
 * (and the row's mask bit). */
static void
key_column (RtFlatAgg *a, const RtBatch *b, guint k, guint n)
{
  const RtVector *v = &b->cols[a->agg.keys[k]];
  guint w = a->n_words;
  guint64 *kw = a->kw + 1 + k;

  switch (v->kind)
    {
    case PLAN_TYPE_BOOLEAN:
      for (guint r = 0; r < n; r++)
        kw[(gsize) r * w] = ((const guint8 *) v->data)[r] != 0;
      break;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_DATE:
      for (guint r = 0; r < n; r++)
        kw[(gsize) r * w] = (guint64) (gint64) ((const gint32 *) v->data)[r];
      break;
    case PLAN_TYPE_DOUBLE:
      for (guint r = 0; r < n; r++)
        {
          double d = ((const double *) v->data)[r];

          if (d == 0.0)
            d = 0.0; /* -0.0 groups with 0.0 */
          memcpy (&kw[(gsize) r * w], &d, sizeof d);
        }
      break;
    case PLAN_TYPE_VARCHAR:
      for (guint r = 0; r < n; r++)
        {
          RtStr s = ((const RtStr *) v->data)[r];

          kw[(gsize) r * w] = rt_vec_is_valid (v, r) ? rt_hash_data (s.ptr, s.len) : 0;
        }
      break;
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
    case PLAN_TYPE_NULL:
    default:
      for (guint r = 0; r < n; r++)
        kw[(gsize) r * w] = ((const guint64 *) v->data)[r];
      break;
    }
  for (guint r = 0; r < n; r++)
    if (!rt_vec_is_valid (v, r))
      {
        kw[(gsize) r * w] = 0;
        a->kw[(gsize) r * w] |= G_GUINT64_CONSTANT (1) << k;
      }
}

/* Key words and hashes of every row of b. */
static void
hash_batch (RtFlatAgg *a, const RtBatch *b, guint n)
{
  guint w = a->n_words;

  for (guint r = 0; r < n && w > 0; r++)
    a->kw[(gsize) r * w] = 0;
  for (guint k = 0; k < a->agg.n_keys; k++)
    key_column (a, b, k, n);
  for (guint r = 0; r < n; r++)
    {
      const guint64 *key = a->kw + (gsize) r * w;
      guint64 h = G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);

      for (guint i = 0; i < w; i++)
        {
          h = (h ^ key[i]) * G_GUINT64_CONSTANT (0x9ddfea08eb382d69);
          h ^= h >> 29;
        }
      a->hashes[r] = mix64 (h);
    }
}

static inline gboolean
words_equal (const guint64 *x, const guint64 *y, guint n)
{
  for (guint i = 0; i < n; i++)
    if (x[i] != y[i])
      return FALSE;
  return TRUE;
}

static gboolean
strings_equal (const RtFlatAgg *a, const guint64 *row, const RtBatch *b, guint r)
{
  for (guint s = 0; s < a->n_str; s++)
    {
      guint k = a->str_keys[s];
      const char *p = (const char *) (guintptr) row[a->n_words + s];
      RtStr x;
      guint32 len;

      if ((row[0] >> k) & 1)
        continue; /* NULL in both: the masks are equal */
      x = RT_VEC (b, a->agg.keys[k], RtStr)[r];
      memcpy (&len, p, sizeof len);
      if (len != x.len || memcmp (p + sizeof len, x.ptr, len) != 0)
        return FALSE;
    }
  return TRUE;
}

/* ---- memory ---------------------------------------------------------------------------- */

/* Charges extra bytes to the share (rt__agg_charge). */
static gboolean
charge (RtFlatAgg *a, gsize extra, gboolean force)
{
  return rt__agg_charge (a->base.ctx, a->chunks, &a->share, &a->state_bytes, extra, force);
}

static void
release_charge (RtFlatAgg *a)
{
  rt__agg_release_charge (a->base.ctx->pool, a->chunks, &a->state_bytes);
}

/* Doubles the slot array (or makes the first one), moving every slot. */
static void
grow_slots (RtFlatAgg *a)
{
  gsize cap = a->cap ? a->cap * 2 : FLAT_MIN_SLOTS, mask = cap - 1;
  guint64 *slots = rt_mem_table_alloc0 (cap * sizeof (guint64));

  for (gsize i = 0; i < a->cap; i++)
    {
      guint64 s = a->slots[i];
      gsize j;

      if (s == 0)
        continue;
      for (j = (s >> 32) & mask; slots[j] != 0; j = (j + 1) & mask)
        ;
      slots[j] = s;
    }
  g_free (a->slots);
  a->slots = slots;
  a->cap = cap;
}

/* Bytes the string keys of row r need in the arena. */
static gsize
string_bytes (const RtFlatAgg *a, const RtBatch *b, guint r)
{
  gsize n = 0;

  for (guint s = 0; s < a->n_str; s++)
    {
      const RtVector *v = &b->cols[a->agg.keys[a->str_keys[s]]];

      if (rt_vec_is_valid (v, r))
        n += sizeof (guint32) + ((const RtStr *) v->data)[r].len;
    }
  return n;
}

/* Makes room for one more group (whose strings take str bytes): a page, a larger slot
 * array, an arena block, each charged first. FALSE when the share cannot take them. */
static gboolean
make_room (RtFlatAgg *a, gsize str)
{
  gboolean page = a->n_groups == a->n_pages * FLAT_PAGE_ROWS;
  gboolean grow = a->cap == 0 || (gsize) (a->n_groups + 1) * 4 > a->cap * 3;
  gboolean block = str > a->arena_left;
  gsize block_size = MAX (FLAT_ARENA_CHUNK, str);
  gsize extra = (page ? (gsize) FLAT_PAGE_ROWS * a->row_words * sizeof (guint64) : 0)
                + (grow ? MAX (a->cap, FLAT_MIN_SLOTS) * sizeof (guint64) : 0)
                + (block ? block_size : 0);

  if (extra > 0 && !charge (a, extra, a->level >= FLAT_MAX_LEVEL))
    return FALSE;
  if (page)
    {
      a->pages = g_renew (guint64 *, a->pages, a->n_pages + 1);
      a->pages[a->n_pages++] = g_new (guint64, (gsize) FLAT_PAGE_ROWS * a->row_words);
    }
  if (grow)
    grow_slots (a);
  if (block)
    {
      a->arena_pos = g_malloc (block_size);
      a->arena_left = block_size;
      g_ptr_array_add (a->arena, a->arena_pos);
    }
  return TRUE;
}

/* A new group for row r of b with the given key words, in the empty slot at i. */
static guint64 *
insert_group (RtFlatAgg *a, const RtBatch *b, guint r, const guint64 *key, gsize i,
              guint64 h)
{
  guint gid = a->n_groups++;
  guint64 *row = row_of (a, gid);

  memcpy (row, key, a->n_words * sizeof (guint64));
  for (guint s = 0; s < a->n_str; s++)
    {
      const RtVector *v = &b->cols[a->agg.keys[a->str_keys[s]]];
      RtStr x;
      guint32 len;

      row[a->n_words + s] = 0;
      if (!rt_vec_is_valid (v, r))
        continue;
      x = ((const RtStr *) v->data)[r];
      len = x.len;
      memcpy (a->arena_pos, &len, sizeof len);
      memcpy (a->arena_pos + sizeof len, x.ptr, len);
      row[a->n_words + s] = (guint64) (guintptr) a->arena_pos;
      a->arena_pos += sizeof len + len;
      a->arena_left -= sizeof len + len;
    }
  for (guint d = 0; d < a->n_dbl; d++) /* the output shows -0.0 if the first row had it */
    {
      const RtVector *v = &b->cols[a->agg.keys[a->dbl_keys[d]]];

      row[a->n_words + a->n_str + d] = ((const guint64 *) v->data)[r];
    }
  memset (row + a->n_words + a->n_str + a->n_dbl, 0,
          (a->row_words - a->n_words - a->n_str - a->n_dbl) * sizeof (guint64));
  a->slots[i] = (h >> 32 << 32) | ((guint64) gid + 1);
  return row;
}

/* The group row of row r of b, inserting a new group if there is room; NULL when the
 * row's group is not in memory and cannot be added (the row is to be spilled). */
static guint64 *
find_or_insert (RtFlatAgg *a, const RtBatch *b, guint r)
{
  const guint64 *key = a->kw + (gsize) r * a->n_words;
  guint64 h = a->hashes[r];
  guint32 tag = (guint32) (h >> 32);
  gsize mask = a->cap - 1, i = tag & mask;

  while (a->cap > 0 && a->slots[i] != 0)
    {
      guint64 s = a->slots[i];

      if ((guint32) (s >> 32) == tag)
        {
          guint64 *row = row_of (a, (guint) (s & G_MAXUINT32) - 1);

          if (words_equal (row, key, a->n_words)
              && (a->n_str == 0 || strings_equal (a, row, b, r)))
            return row;
        }
      i = (i + 1) & mask;
    }
  /* Once one group is refused, every new group after it is: whether the pool has room
   * changes with other threads, and a group must be all in memory or all on disk. */
  if (a->full || a->spill != NULL || a->n_groups == G_MAXUINT32 - 1
      || !make_room (a, a->n_str ? string_bytes (a, b, r) : 0))
    {
      a->full = TRUE;
      return NULL;
    }
  mask = a->cap - 1; /* the array may have grown: find the empty slot again */
  for (i = tag & mask; a->slots[i] != 0; i = (i + 1) & mask)
    ;
  return insert_group (a, b, r, key, i, h);
}

/* The group row of every row of b (NULL: to spill). The table is far larger than the
 * caches, so a probe would wait for memory twice (slot, then row). Group prefetching
 * hides that: first every row's home slot is fetched, then the group row of the first
 * slot with the row's tag on its probe sequence, and only then are the rows probed, while
 * the batch's slots and rows sit in the cache. */
static void
probe_batch (RtFlatAgg *a, const RtBatch *b, guint n)
{
  if (a->cap > 0)
    {
      gsize mask = a->cap - 1;

      for (guint r = 0; r < n; r++)
        __builtin_prefetch (&a->slots[(a->hashes[r] >> 32) & mask]);
      for (guint r = 0; r < n; r++)
        {
          guint64 h = a->hashes[r], s;

          for (gsize i = (h >> 32) & mask; (s = a->slots[i]) != 0; i = (i + 1) & mask)
            if ((s >> 32) == (h >> 32))
              {
                __builtin_prefetch (row_of (a, (guint) (s & G_MAXUINT32) - 1), 1);
                break;
              }
        }
    }
  for (guint r = 0; r < n; r++)
    a->rowp[r] = find_or_insert (a, b, r);
}

/* ---- accumulating ---------------------------------------------------------------------- */

/* Row numbers of b (in sel) whose group is in memory and that call c takes: its FILTER is
 * TRUE and its argument not NULL. Returns their count. */
static guint
select_rows (RtFlatAgg *a, const PlanAggCall *c, const RtBatch *b, guint n)
{
  const RtVector *f = c->filter >= 0 ? &b->cols[c->filter] : NULL;
  const RtVector *v = c->arg >= 0 && c->func != PLAN_AGG_COUNT_STAR ? &b->cols[c->arg] : NULL;
  guint m = 0;

  for (guint r = 0; r < n; r++)
    {
      if (a->rowp[r] == NULL)
        continue;
      if (f != NULL && (!rt_vec_is_valid (f, r) || !((const guint8 *) f->data)[r]))
        continue;
      if (v != NULL && !rt_vec_is_valid (v, r))
        continue;
      a->sel[m++] = r;
    }
  return m;
}

/* The selected values of column v as 64-bit integers. */
static void
load_ints (RtFlatAgg *a, const RtVector *v, guint m)
{
  switch (v->kind)
    {
    case PLAN_TYPE_BOOLEAN:
      for (guint i = 0; i < m; i++)
        a->ivals[i] = ((const guint8 *) v->data)[a->sel[i]] != 0;
      break;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_DATE:
      for (guint i = 0; i < m; i++)
        a->ivals[i] = ((const gint32 *) v->data)[a->sel[i]];
      break;
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_DOUBLE:
    case PLAN_TYPE_VARCHAR:
    default:
      for (guint i = 0; i < m; i++)
        a->ivals[i] = ((const gint64 *) v->data)[a->sel[i]];
      break;
    }
}

static void
load_doubles (RtFlatAgg *a, const RtVector *v, guint m)
{
  for (guint i = 0; i < m; i++)
    a->dvals[i] = ((const double *) v->data)[a->sel[i]];
}

/* SUM/AVG of the m selected integers (a->ivals) into the accumulators at off. */
static gboolean
sum_ints (RtFlatAgg *a, const PlanAggCall *c, guint off, guint m, GError **error)
{
  for (guint i = 0; i < m; i++)
    {
      guint64 *w = a->rowp[a->sel[i]] + off;
      gint64 sum;

      if (__builtin_add_overflow ((gint64) w[0], a->ivals[i], &sum))
        {
          g_set_error (error, RT_ERROR, RT_ERROR_EVAL, "%s overflowed BIGINT",
                       plan_agg_func_name (c->func));
          return FALSE;
        }
      w[0] = (guint64) sum;
      w[1]++;
    }
  return TRUE;
}

/* Folds the selected rows into call j's accumulators. */
static gboolean
update_call (RtFlatAgg *a, guint j, const RtBatch *b, guint n, GError **error)
{
  const PlanAggCall *c = &a->agg.aggs[j];
  guint off = a->offs[j], m = select_rows (a, c, b, n);
  guint64 **rowp = a->rowp;
  const guint32 *sel = a->sel;

  if (a->kinds[j] == ACC_COUNT)
    {
      for (guint i = 0; i < m; i++)
        rowp[sel[i]][off]++;
      return TRUE;
    }
  if (a->kinds[j] == ACC_SUM_DOUBLE || a->kinds[j] == ACC_MIN_DOUBLE
      || a->kinds[j] == ACC_MAX_DOUBLE)
    load_doubles (a, &b->cols[c->arg], m);
  else
    load_ints (a, &b->cols[c->arg], m);
  switch (a->kinds[j])
    {
    case ACC_SUM_INT:
      return sum_ints (a, c, off, m, error);
    case ACC_SUM_DOUBLE:
      for (guint i = 0; i < m; i++)
        {
          guint64 *w = rowp[sel[i]] + off;
          double d;

          memcpy (&d, w, sizeof d);
          d += a->dvals[i];
          memcpy (w, &d, sizeof d);
          w[1]++;
        }
      break;
    case ACC_MIN_INT:
    case ACC_MAX_INT:
      for (guint i = 0; i < m; i++)
        {
          guint64 *w = rowp[sel[i]] + off;
          gint64 x = a->ivals[i];

          if (!w[1] || (a->kinds[j] == ACC_MIN_INT ? x < (gint64) w[0] : x > (gint64) w[0]))
            {
              w[0] = (guint64) x;
              w[1] = 1;
            }
        }
      break;
    case ACC_COUNT:
    case ACC_MIN_DOUBLE:
    case ACC_MAX_DOUBLE:
    default:
      for (guint i = 0; i < m; i++)
        {
          guint64 *w = rowp[sel[i]] + off;
          double x = a->dvals[i], best;

          memcpy (&best, w, sizeof best);
          if (!w[1] || (a->kinds[j] == ACC_MIN_DOUBLE ? x < best : x > best))
            {
              memcpy (w, &x, sizeof x);
              w[1] = 1;
            }
        }
      break;
    }
  return TRUE;
}

/* Room in the scratch arrays for n rows. */
static void
ensure_scratch (RtFlatAgg *a, guint n)
{
  if (n <= a->scratch_rows)
    return;
  a->scratch_rows = MAX (n, 1024);
  g_free (a->kw);
  g_free (a->hashes);
  g_free (a->rowp);
  g_free (a->sel);
  g_free (a->ivals);
  g_free (a->dvals);
  a->kw = g_new (guint64, (gsize) a->scratch_rows * MAX (a->n_words, 1));
  a->hashes = g_new (guint64, a->scratch_rows);
  a->rowp = g_new (guint64 *, a->scratch_rows);
  a->sel = g_new (guint32, a->scratch_rows);
  a->ivals = g_new (gint64, a->scratch_rows);
  a->dvals = g_new (double, a->scratch_rows);
}

/* Row r of b to the spill file of its partition, starting a spill set if needed. */
static gboolean
spill_row (RtFlatAgg *a, const RtBatch *b, guint r, GError **error)
{
  if (a->spill == NULL)
    {
      if (a->spill_dir == NULL
          && (a->spill_dir = rt__run_dir_new ("strom-agg", error)) == NULL)
        return FALSE;
      a->spill = rt__spill_set_new (a->spill_dir, a->level);
      charge (a, RT_SPILL_SET_BYTES, TRUE); /* its write buffers */
    }
  return rt__spill_set_write (a->spill, partition_of (a->hashes[r], a->level), b, r, error);
}

static RtResult
process_batch (RtFlatAgg *a, const RtBatch *b, GError **error)
{
  guint n = b->n_rows;

  for (guint r = 0; r < n; r++)
    if (b->kinds[r] != RT_ROW_INSERT && b->kinds[r] != RT_ROW_UPDATE_AFTER)
      {
        g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "the batch group aggregate got a "
                     "retraction although its input was planned as insert-only");
        return RT_FAIL;
      }
  ensure_scratch (a, n);
  hash_batch (a, b, n);
  probe_batch (a, b, n);
  for (guint r = 0; r < n; r++)
    if (a->rowp[r] == NULL && !spill_row (a, b, r, error))
      return RT_FAIL;
  for (guint j = 0; j < a->agg.n_aggs; j++)
    if (!update_call (a, j, b, n, error))
      return RT_FAIL;
  return RT_OK;
}

static RtResult
flat_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  (void) input;
  return process_batch ((RtFlatAgg *) op, batch, error);
}

/* ---- output ---------------------------------------------------------------------------- */

static void
put_int (RtVector *v, guint r, gint64 x)
{
  switch (v->kind)
    {
    case PLAN_TYPE_BOOLEAN:
      ((guint8 *) v->data)[r] = x != 0;
      break;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_DATE:
      ((gint32 *) v->data)[r] = (gint32) x;
      break;
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_DOUBLE:
    case PLAN_TYPE_VARCHAR:
    default:
      ((gint64 *) v->data)[r] = x;
      break;
    }
}

/* AVG of a scaled decimal: sum * 10^(out - in) / count, rounded half away from zero. */
static gint64
decimal_avg (gint64 sum, guint in_scale, guint out_scale, gint64 count)
{
  __int128 num = (__int128) sum * plan_num_pow10_128 (out_scale - in_scale);

  return (gint64) plan_num_div_round (num, count);
}

/* The result of call j of the group in row into row r of v. */
static void
put_result (const RtFlatAgg *a, guint j, const guint64 *row, RtVector *v, guint r)
{
  const PlanAggCall *c = &a->agg.aggs[j];
  const guint64 *w = row + a->offs[j];
  gint64 count;
  double d;

  if (a->kinds[j] == ACC_COUNT) /* one word: no count after it */
    {
      put_int (v, r, (gint64) w[0]);
      return;
    }
  count = (gint64) w[1];
  if (count == 0)
    {
      rt_vec_set_null (v, r); /* no value: SUM, AVG, MIN, MAX are NULL */
      return;
    }
  memcpy (&d, w, sizeof d);
  switch (a->kinds[j])
    {
    case ACC_SUM_INT:
      if (c->func == PLAN_AGG_SUM)
        put_int (v, r, (gint64) w[0]);
      else if (c->type.kind == PLAN_TYPE_DECIMAL)
        put_int (v, r, decimal_avg ((gint64) w[0], a->in_schema->fields[c->arg].type.scale,
                                    c->type.scale, count));
      else
        put_int (v, r, (gint64) w[0] / count); /* Flink: integer AVG truncates */
      break;
    case ACC_SUM_DOUBLE:
      ((double *) v->data)[r] = c->func == PLAN_AGG_SUM ? d : d / (double) count;
      break;
    case ACC_MIN_DOUBLE:
    case ACC_MAX_DOUBLE:
      ((double *) v->data)[r] = d;
      break;
    case ACC_COUNT:
    case ACC_MIN_INT:
    case ACC_MAX_INT:
    default:
      put_int (v, r, (gint64) w[0]);
      break;
    }
}

/* Key k of the group in row into row r of out. */
static gboolean
put_key (const RtFlatAgg *a, guint k, const guint64 *row, RtBatch *out, guint r,
         GError **error)
{
  RtVector *v = &out->cols[k];
  GError *local = NULL;
  const char *p;
  guint32 len;

  if ((row[0] >> k) & 1)
    {
      rt_vec_set_null (v, r);
      return TRUE;
    }
  if (v->kind == PLAN_TYPE_DOUBLE)
    {
      for (guint d = 0; d < a->n_dbl; d++)
        if (a->dbl_keys[d] == k)
          memcpy ((double *) v->data + r, &row[a->n_words + a->n_str + d], sizeof (double));
    }
  else if (v->kind != PLAN_TYPE_VARCHAR)
    put_int (v, r, (gint64) row[1 + k]);
  else
    {
      for (guint s = 0; s < a->n_str; s++)
        if (a->str_keys[s] == k)
          {
            p = (const char *) (guintptr) row[a->n_words + s];
            memcpy (&len, p, sizeof len);
            ((RtStr *) v->data)[r] = rt_batch_intern (out, p + sizeof len, len, &local);
            if (local != NULL)
              {
                g_propagate_error (error, local);
                return FALSE;
              }
          }
    }
  return TRUE;
}

/* Emits groups [from, from + n) as one batch of +I rows. */
static RtResult
emit_range (RtFlatAgg *a, guint from, guint n, const guint64 *only, GError **error)
{
  g_autoptr (RtBatch) out = rt_batch_new (a->base.ctx->pool, a->out_schema, MAX (n, 1), error);

  if (out == NULL)
    return RT_FAIL;
  for (guint i = 0; i < n; i++)
    {
      const guint64 *row = only != NULL ? only : row_of (a, from + i);

      for (guint k = 0; k < a->agg.n_keys; k++)
        if (!put_key (a, k, row, out, i, error))
          return RT_FAIL;
      for (guint j = 0; j < a->agg.n_aggs; j++)
        put_result (a, j, row, &out->cols[a->agg.n_keys + j], i);
    }
  out->n_rows = n;
  a->n_out += n;
  return rt_op_emit (&a->base, out, error);
}

static void
clear_table (RtFlatAgg *a)
{
  for (guint p = 0; p < a->n_pages; p++)
    g_free (a->pages[p]);
  g_clear_pointer (&a->pages, g_free);
  a->n_pages = 0;
  g_clear_pointer (&a->slots, g_free);
  a->cap = 0;
  a->n_groups = 0;
  g_ptr_array_set_size (a->arena, 0);
  a->arena_pos = NULL;
  a->arena_left = 0;
}

/* The final row of every group in memory, in order of arrival; then they are freed. */
static RtResult
emit_groups (RtFlatAgg *a, GError **error)
{
  guint cap = a->base.ctx->batch_size ? a->base.ctx->batch_size : 1024;

  for (guint from = 0; from < a->n_groups; from += cap)
    if (emit_range (a, from, MIN (cap, a->n_groups - from), NULL, error) == RT_FAIL)
      return RT_FAIL;
  clear_table (a);
  release_charge (a);
  return RT_OK;
}

/* ---- end of input ---------------------------------------------------------------------- */

static gboolean
end_spill (RtFlatAgg *a, GError **error)
{
  RtSpillSet *set = g_steal_pointer (&a->spill);

  a->full = FALSE;
  return set == NULL || rt__spill_set_finish (set, a->pending, &a->spilled_bytes, error);
}

static gboolean
check_cancelled (RtFlatAgg *a, GError **error)
{
  if (a->base.ctx->cancelled == NULL || !g_atomic_int_get (a->base.ctx->cancelled))
    return TRUE;
  g_set_error (error, RT_ERROR, RT_ERROR_CANCELLED, "aggregation cancelled");
  return FALSE;
}

/* Aggregates the rows of one spill file (which it frees) one level deeper. */
static RtResult
aggregate_file (RtFlatAgg *a, RtSpillFile *file, GError **error)
{
  guint cap = a->base.ctx->batch_size ? a->base.ctx->batch_size : 1024;
  RtResult res = RT_OK;
  GError *local = NULL;
  RtBatch *b;

  a->level = rt__spill_file_get_level (file) + 1;
  while (res == RT_OK
         && (b = rt__spill_file_read (file, a->base.ctx->pool, a->in_schema, cap, &local)))
    {
      res = process_batch (a, b, &local);
      rt_batch_unref (b);
      if (res == RT_OK && !check_cancelled (a, &local))
        res = RT_FAIL;
    }
  rt__spill_file_free (file);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return RT_FAIL;
    }
  return res;
}

static RtResult
flat_finish (RtOperator *op, GError **error)
{
  RtFlatAgg *a = (RtFlatAgg *) op;

  if (emit_groups (a, error) == RT_FAIL || !end_spill (a, error))
    return RT_FAIL;
  while (a->pending->len > 0)
    {
      RtSpillFile *file = g_ptr_array_steal_index (a->pending, a->pending->len - 1);

      if (aggregate_file (a, file, error) == RT_FAIL || emit_groups (a, error) == RT_FAIL
          || !end_spill (a, error))
        return RT_FAIL;
    }
  if (a->agg.n_keys == 0 && a->n_out == 0)
    {
      /* a global aggregate over no rows still has one row: COUNT 0, the others NULL */
      g_autofree guint64 *zero = g_new0 (guint64, a->row_words + 1);

      return emit_range (a, 0, 1, zero, error);
    }
  return RT_OK;
}

static void
flat_close (RtOperator *op)
{
  RtFlatAgg *a = (RtFlatAgg *) op;

  if (a->arena != NULL)
    clear_table (a);
  g_clear_pointer (&a->arena, g_ptr_array_unref);
  if (a->chunks != NULL && a->chunks->len > 0)
    release_charge (a);
  g_clear_pointer (&a->chunks, g_ptr_array_unref);
  g_clear_pointer (&a->spill, rt__spill_set_free);
  g_clear_pointer (&a->pending, g_ptr_array_unref); /* deletes the files not yet read */
  rt__run_dir_remove (a->spill_dir);
  g_clear_pointer (&a->spill_dir, g_free);
  g_clear_pointer (&a->kw, g_free);
  g_clear_pointer (&a->hashes, g_free);
  g_clear_pointer (&a->rowp, g_free);
  g_clear_pointer (&a->sel, g_free);
  g_clear_pointer (&a->ivals, g_free);
  g_clear_pointer (&a->dvals, g_free);
  g_clear_pointer (&a->kinds, g_free);
  g_clear_pointer (&a->offs, g_free);
  g_clear_pointer (&a->str_keys, g_free);
  g_clear_pointer (&a->dbl_keys, g_free);
  plan_aggregate_clear (&a->agg);
  g_clear_pointer (&a->in_schema, plan_schema_unref);
  g_clear_pointer (&a->out_schema, plan_schema_unref);
}

static const RtOperatorClass flat_class = {
  .name = "GroupAggregate", /* the same operator to EXPLAIN ANALYZE and the metrics */
  .instance_size = sizeof (RtFlatAgg),
  .process = flat_process,
  .finish = flat_finish,
  .close = flat_close,
};

/* The accumulator kind of call c (which call_supported accepted). */
static FlatAccKind
acc_kind (const PlanAggCall *c, const PlanSchema *in)
{
  gboolean dbl = c->arg >= 0 && in->fields[c->arg].type.kind == PLAN_TYPE_DOUBLE;

  switch (c->func)
    {
    case PLAN_AGG_SUM:
    case PLAN_AGG_AVG:
      return dbl ? ACC_SUM_DOUBLE : ACC_SUM_INT;
    case PLAN_AGG_MIN:
      return dbl ? ACC_MIN_DOUBLE : ACC_MIN_INT;
    case PLAN_AGG_MAX:
      return dbl ? ACC_MAX_DOUBLE : ACC_MAX_INT;
    case PLAN_AGG_COUNT_STAR:
    case PLAN_AGG_COUNT:
    default:
      return ACC_COUNT;
    }
}

RtOperator *
rt__agg_flat_new (const PlanPhysNode *node, GError **error)
{
  RtFlatAgg *a;
  guint off;

  g_return_val_if_fail (node != NULL && rt__agg_flat_supports (node), NULL);
  (void) error;
  a = (RtFlatAgg *) rt_operator_new (&flat_class, node->id);
  plan_aggregate_copy (&a->agg, &node->u.aggregate);
  a->in_schema = plan_schema_ref (node->inputs[0].node->schema);
  a->out_schema = plan_schema_ref (node->schema);
  a->n_words = a->agg.n_keys > 0 ? 1 + a->agg.n_keys : 0;
  a->str_keys = g_new0 (guint, a->agg.n_keys + 1);
  a->dbl_keys = g_new0 (guint, a->agg.n_keys + 1);
  for (guint k = 0; k < a->agg.n_keys; k++)
    if (a->in_schema->fields[a->agg.keys[k]].type.kind == PLAN_TYPE_VARCHAR)
      a->str_keys[a->n_str++] = k;
    else if (a->in_schema->fields[a->agg.keys[k]].type.kind == PLAN_TYPE_DOUBLE)
      a->dbl_keys[a->n_dbl++] = k;
  a->kinds = g_new0 (FlatAccKind, a->agg.n_aggs + 1);
  a->offs = g_new0 (guint, a->agg.n_aggs + 1);
  off = a->n_words + a->n_str + a->n_dbl;
  for (guint j = 0; j < a->agg.n_aggs; j++)
    {
      a->kinds[j] = acc_kind (&a->agg.aggs[j], a->in_schema);
      a->offs[j] = off;
      off += a->kinds[j] == ACC_COUNT ? 1 : 2;
    }
  a->row_words = MAX (off, 1);
  a->arena = g_ptr_array_new_with_free_func (g_free);
  a->chunks = g_ptr_array_new ();
  a->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) rt__spill_file_free);
  return &a->base;
}

gboolean
rt__agg_flat_get_spilled_bytes (RtOperator *op, guint64 *bytes)
{
  if (op == NULL || op->klass != &flat_class)
    return FALSE;
  *bytes = ((RtFlatAgg *) op)->spilled_bytes;
  return TRUE;
}
