/* rt-window-acc.c: incremental accumulators for the window aggregate (rt-op-window.c), in
 * the shape of Flink's window aggregate: per (window, group key) one accumulator per
 * aggregate call, updated as each row arrives, turned into one +I row when the watermark
 * passes the window's end, then freed.
 *
 * Why a module of its own: the window aggregate first kept every row of a window until it
 * fired and re-aggregated them with a batch instance of the keyed aggregate. With HOP a
 * row lives in size / slide windows, so that kept and copied each row several times and
 * paid the keyed aggregate's generic, PlanValue-based row path at firing. Here a row costs
 * one key encoding and one hash lookup per window, and the accumulators are plain numbers.
 *
 * Only what plain numbers can hold takes this path (rt__win_acc_supported): COUNT(*),
 * COUNT, SUM, AVG, MIN, MAX without DISTINCT, over an insert-only input, with fixed-width
 * arguments; keys of any scalar type. Allowed lateness (rt-window-late.c re-aggregates
 * fired windows from their rows), DISTINCT, and for SESSION windows a DOUBLE SUM/AVG (merged
 * sessions add partial sums, which need not equal one sum in row order) keep the rows path.
 * The results equal the keyed aggregate's exactly: the same sums (overflow is the same
 * error), the same AVG rounding, the same MIN/MAX tie rule (the first extreme seen stays).
 *
 * State: windows by end in a GTree (firing takes them in end order), each an open-addressing
 * table of groups keyed by the encoded key bytes (window_end, and window_start which the end
 * determines, left out). HOP windows share slices where the TVF runs chained in front
 * (rt__window_link_slices in rt-op-window.c decides): each row then comes once, in its
 * slice of one slide, the tree holds slices instead of windows, and a window is its slices
 * merged when it fires (see "shared slices" below). Every group remembers the key group its input row was routed by (the exchange's keys), so
 * a snapshot writes it as a keyed entry (tag RT_WINDOW_ACC_GROUP: end, key values,
 * accumulators) that a restore at any parallelism hands to the subtask now owning that key
 * group. SESSION windows (rt-op-window.c merges them) hold one such group per open session
 * (tag RT_WINDOW_ACC_SESSION), merged when their sessions merge. */
#include "rt-window-private.h"
#include "rt-checkpoint.h"
#include "rt-channel.h"
#include "plans/plan-numeric.h"

#include <string.h>

#define WIN_CACHE 16

typedef struct {
  gint64 count;  /* COUNT; the non-NULL values of SUM/AVG/MIN/MAX */
  gint64 i;      /* SUM/AVG of integers and decimals; MIN/MAX of non-DOUBLE */
  double d;      /* SUM/AVG/MIN/MAX of DOUBLE */
} WinAcc;

/* A group of one window, in one allocation: accs, then keys, then the key bytes. */
typedef struct {
  guint len;
  guint kg;             /* key group of its rows (the exchange's keys) */
  guint n_keys;
  const guint8 *bytes;  /* the encoded key */
  PlanValue *keys;      /* n_keys (strings owned): the output's key columns */
  WinAcc accs[];        /* n_aggs */
} WinGroup;

typedef struct {
  guint hash;
  WinGroup *group;      /* NULL: free slot */
} WinSlot;

/* A window's groups: open addressing, linear probing, at most half full. */
typedef struct {
  gint64 end;
  guint n, mask;
  WinSlot *slots;       /* mask + 1, owned (and the groups in them) */
} WinWindow;

typedef struct {
  PlanAggFunc func;
  gint arg, filter;
  PlanTypeKind arg_kind;
  guint in_scale;       /* DECIMAL AVG: the argument's scale */
  PlanType type;        /* result type */
} WinCall;

struct _RtWinAcc {
  guint n_keys, n_aggs;
  guint *keys;          /* owned: input columns of the group keys */
  guint end_col;        /* input column of window_end (not encoded: the window says it) */
  WinCall *calls;       /* owned */
  guint n_in_keys;
  guint *in_keys;       /* owned: the HASH exchange's key columns */
  PlanSchema *in_schema, *out_schema; /* owned refs */
  GTree *windows;       /* end (gint64*) -> WinWindow*, owned */
  WinWindow *last;      /* the window the last row went to, or NULL */
  WinWindow *recent[WIN_CACHE]; /* windows looked up lately, by a hash of their end (a
                                 * HOP row's windows alternate, so `last` alone misses) */
  guint8 *scratch;      /* owned: the key being encoded */
  gsize scratch_size;
  gboolean skip_start;  /* window_start is not encoded: the end determines it */
  guint start_col;
  guint start_key, end_key; /* positions in keys of window_start and window_end */
  RtBatch *out;         /* owned: being filled at firing */
  /* rt__win_acc_add_batch's per-row scratch (grown to the batch) */
  GByteArray *kbuf;     /* owned: the rows' encoded keys, one after another */
  guint32 *koff, *klen, *khash;
  WinWindow **kwin;
  WinGroup **kcand;
  guint kcap;
  /* shared slices (HOP): slide > 0; the tree's windows are then slices of one slide */
  gint64 slide, size, offset;
  gint64 fired_wm;      /* every window whose end - 1 <= fired_wm has fired */
  const WinGroup **mfirst; /* merging a window: per merged key, its oldest slice's group */
  guint *mhash;
  WinAcc *macc;         /* per merged key, n_aggs accumulators */
  guint *mtab;          /* open addressing: merged key index + 1, 0 free */
  guint mcap, mtab_size, mmask; /* mmask + 1 slots of mtab in use */
};

static gboolean
fixed_kind (PlanTypeKind k)
{
  return k != PLAN_TYPE_NULL && k != PLAN_TYPE_VARCHAR && k <= PLAN_TYPE_INTERVAL;
}

gboolean
rt__win_acc_supported (const PlanPhysNode *node)
{
  const PlanAggregate *agg = &node->u.window_agg.agg;
  const PlanSchema *in = node->inputs[0].node->schema;

  gboolean session = node->u.window_agg.session_gap_ms > 0;

  if (node->u.window_agg.allowed_lateness_ms > 0 || node->inputs[0].node->updating)
    return FALSE;
  for (guint k = 0; k < agg->n_keys; k++)
    if (!fixed_kind (in->fields[agg->keys[k]].type.kind)
        && in->fields[agg->keys[k]].type.kind != PLAN_TYPE_VARCHAR)
      return FALSE;
  for (guint j = 0; j < agg->n_aggs; j++)
    {
      const PlanAggCall *c = &agg->aggs[j];

      if (c->distinct || (guint) c->func > PLAN_AGG_AVG)
        return FALSE;
      if (c->filter >= 0 && in->fields[c->filter].type.kind != PLAN_TYPE_BOOLEAN)
        return FALSE;
      if (c->func != PLAN_AGG_COUNT_STAR && c->func != PLAN_AGG_COUNT
          && (c->arg < 0 || !fixed_kind (in->fields[c->arg].type.kind)))
        return FALSE;
      if ((c->func == PLAN_AGG_SUM || c->func == PLAN_AGG_AVG)
          && in->fields[c->arg].type.kind == PLAN_TYPE_BOOLEAN)
        return FALSE;
      /* merged sessions add partial sums: for DOUBLE not bit-equal to one sum in row order */
      if (session && (c->func == PLAN_AGG_SUM || c->func == PLAN_AGG_AVG)
          && in->fields[c->arg].type.kind == PLAN_TYPE_DOUBLE)
        return FALSE;
    }
  return TRUE;
}

static void
window_free (gpointer p, guint n_keys)
{
  WinWindow *win = p;

  for (guint i = 0; i <= win->mask; i++)
    if (win->slots[i].group != NULL)
      {
        for (guint k = 0; k < n_keys; k++)
          plan_value_clear (&win->slots[i].group->keys[k]);
        g_free (win->slots[i].group);
      }
  g_free (win->slots);
  g_free (win);
}

static gint
compare_end (gconstpointer a, gconstpointer b, gpointer unused)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  (void) unused;
  return x < y ? -1 : x > y;
}

static gboolean
first_window (gpointer key, gpointer value, gpointer data)
{
  *(WinWindow **) data = value;
  return TRUE;
}

RtWinAcc *
rt__win_acc_new (const PlanPhysNode *node)
{
  const PlanAggregate *agg = &node->u.window_agg.agg;
  const PlanSchema *in = node->inputs[0].node->schema;
  RtWinAcc *w = g_new0 (RtWinAcc, 1);

  w->n_keys = agg->n_keys;
  w->n_aggs = agg->n_aggs;
  w->keys = g_new0 (guint, agg->n_keys + 1);
  memcpy (w->keys, agg->keys, sizeof (guint) * agg->n_keys);
  w->end_col = agg->keys[node->u.window_agg.end_key];
  w->calls = g_new0 (WinCall, agg->n_aggs + 1);
  for (guint j = 0; j < agg->n_aggs; j++)
    {
      const PlanAggCall *c = &agg->aggs[j];

      w->calls[j] = (WinCall) { c->func, c->arg, c->filter, PLAN_TYPE_NULL, 0, c->type };
      if (c->arg >= 0)
        {
          w->calls[j].arg_kind = in->fields[c->arg].type.kind;
          w->calls[j].in_scale = in->fields[c->arg].type.scale;
        }
    }
  w->n_in_keys = node->inputs[0].n_keys;
  w->in_keys = g_new0 (guint, w->n_in_keys + 1);
  if (w->n_in_keys > 0)
    memcpy (w->in_keys, node->inputs[0].keys, sizeof (guint) * w->n_in_keys);
  w->in_schema = plan_schema_ref (node->inputs[0].node->schema);
  w->out_schema = plan_schema_ref (node->schema);
  w->windows = g_tree_new_full (compare_end, NULL, g_free, NULL);
  w->scratch_size = 64;
  w->scratch = g_malloc (w->scratch_size);
  w->kbuf = g_byte_array_new ();
  w->start_col = agg->keys[node->u.window_agg.start_key];
  w->start_key = node->u.window_agg.start_key;
  w->end_key = node->u.window_agg.end_key;
  w->skip_start = node->u.window_agg.session_gap_ms == 0;
  w->fired_wm = G_MININT64;
  return w;
}

void
rt__win_acc_free (RtWinAcc *w)
{
  if (w == NULL)
    return;
  while (g_tree_nnodes (w->windows) > 0)
    {
      WinWindow *win = NULL;
      gint64 end;

      g_tree_foreach (w->windows, first_window, &win);
      end = win->end;
      g_tree_remove (w->windows, &end);
      window_free (win, w->n_keys);
    }
  g_tree_destroy (w->windows);
  g_free (w->scratch);
  g_byte_array_unref (w->kbuf);
  g_free (w->koff);
  g_free (w->klen);
  g_free (w->khash);
  g_free (w->kwin);
  g_free (w->kcand);
  g_free (w->mfirst);
  g_free (w->mhash);
  g_free (w->macc);
  g_free (w->mtab);
  g_clear_pointer (&w->out, rt_batch_unref);
  plan_schema_unref (w->in_schema);
  plan_schema_unref (w->out_schema);
  g_free (w->keys);
  g_free (w->calls);
  g_free (w->in_keys);
  g_free (w);
}

/* ---- adding rows -------------------------------------------------------------------- */

/* Room for more bytes at *len in w->scratch. */
static inline void
scratch_reserve (RtWinAcc *w, gsize len, gsize more)
{
  if (len + more > w->scratch_size)
    {
      w->scratch_size = MAX (w->scratch_size * 2, len + more);
      w->scratch = g_realloc (w->scratch, w->scratch_size);
    }
}

/* Encodes row r's key columns (all but window_end, and window_start where the end
 * determines it) into w->scratch: per column a validity byte, then the value (VARCHAR:
 * length, bytes; DOUBLE: -0.0 as 0.0). Returns the length. */
static guint
encode_key (RtWinAcc *w, const RtBatch *b, guint r)
{
  gsize len = 0;

  for (guint k = 0; k < w->n_keys; k++)
    {
      const RtVector *v = &b->cols[w->keys[k]];
      guint8 valid = rt_vec_is_valid (v, r);

      if (w->keys[k] == w->end_col || (w->skip_start && w->keys[k] == w->start_col))
        continue;
      scratch_reserve (w, len, 1 + 8 + sizeof (guint32));
      w->scratch[len++] = valid;
      if (!valid)
        continue;
      if (v->kind == PLAN_TYPE_VARCHAR)
        {
          RtStr s = ((const RtStr *) v->data)[r];

          scratch_reserve (w, len, sizeof s.len + s.len);
          memcpy (w->scratch + len, &s.len, sizeof s.len);
          memcpy (w->scratch + len + sizeof s.len, s.ptr, s.len);
          len += sizeof s.len + s.len;
        }
      else if (v->kind == PLAN_TYPE_DOUBLE)
        {
          double d = ((const double *) v->data)[r];

          if (d == 0.0)
            d = 0.0;
          memcpy (w->scratch + len, &d, sizeof d);
          len += sizeof d;
        }
      else if (v->kind == PLAN_TYPE_INT || v->kind == PLAN_TYPE_DATE)
        {
          memcpy (w->scratch + len, (const gint32 *) v->data + r, 4);
          len += 4;
        }
      else if (v->kind == PLAN_TYPE_BOOLEAN)
        w->scratch[len++] = ((const guint8 *) v->data)[r];
      else
        {
          memcpy (w->scratch + len, (const gint64 *) v->data + r, 8);
          len += 8;
        }
    }
  return (guint) len;
}

/* A hash of short keys: 8-byte words through a multiply-xorshift mix. */
static inline guint
key_hash (const guint8 *p, guint len)
{
  guint64 h = G_GUINT64_CONSTANT (0x9e3779b97f4a7c15) ^ len, x;

  for (; len >= 8; p += 8, len -= 8)
    {
      memcpy (&x, p, 8);
      h = (h ^ x) * G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
      h ^= h >> 32;
    }
  if (len > 0)
    {
      /* the tail assembled in a register, as memcpy into x would on little-endian: a
       * byte-wise store then a word load stalls store forwarding (a fifth of q5) */
      x = 0;
      for (guint i = 0; i < len; i++)
        x |= (guint64) p[i] << (8 * i);
      h = (h ^ x) * G_GUINT64_CONSTANT (0xc4ceb9fe1a85ec53);
    }
  h ^= h >> 29;
  h *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  h ^= h >> 32;
  return (guint) h;
}

static WinWindow *
window_get (RtWinAcc *w, gint64 end)
{
  guint slot = (guint) (((guint64) end * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)) >> 60);
  WinWindow *win;

  if (w->last != NULL && w->last->end == end)
    return w->last;
  if (w->recent[slot] != NULL && w->recent[slot]->end == end)
    return w->last = w->recent[slot];
  win = g_tree_lookup (w->windows, &end);
  if (win == NULL)
    {
      gint64 *key = g_new (gint64, 1);

      *key = end;
      win = g_new0 (WinWindow, 1);
      win->end = end;
      win->mask = 15;
      win->slots = g_new0 (WinSlot, win->mask + 1);
      g_tree_insert (w->windows, key, win);
    }
  w->last = w->recent[slot] = win;
  return win;
}

/* Doubles win's table. */
static void
window_grow (WinWindow *win)
{
  guint mask = win->mask * 2 + 1;
  WinSlot *slots = g_new0 (WinSlot, mask + 1);

  for (guint i = 0; i <= win->mask; i++)
    if (win->slots[i].group != NULL)
      {
        guint at = win->slots[i].hash & mask;

        while (slots[at].group != NULL)
          at = (at + 1) & mask;
        slots[at] = win->slots[i];
      }
  g_free (win->slots);
  win->slots = slots;
  win->mask = mask;
}

/* The group of row r in win whose key (len bytes, hash) is in w->scratch, made with zero
 * accumulators on first use; kg: its key group, or G_MAXUINT to compute it from the row. */
static WinGroup *
group_find (RtWinAcc *w, WinWindow *win, const RtBatch *b, guint r, guint kg, guint len,
            guint hash)
{
  guint at;
  gsize accs = sizeof (WinAcc) * w->n_aggs, keys = sizeof (PlanValue) * w->n_keys;
  WinGroup *g;

  for (at = hash & win->mask; win->slots[at].group != NULL; at = (at + 1) & win->mask)
    {
      g = win->slots[at].group;
      if (win->slots[at].hash == hash && g->len == len && memcmp (g->bytes, w->scratch, len) == 0)
        return g;
    }
  g = g_malloc0 (sizeof (WinGroup) + accs + keys + len);
  g->len = len;
  g->n_keys = w->n_keys;
  g->keys = (PlanValue *) ((guint8 *) g->accs + accs);
  g->bytes = (const guint8 *) g->keys + keys;
  memcpy ((guint8 *) g->keys + keys, w->scratch, len);
  g->kg = kg != G_MAXUINT ? kg
          : rt_key_group_of_row (b, r, w->in_keys, w->n_in_keys) % RT_MAX_PARALLELISM;
  for (guint k = 0; k < w->n_keys; k++)
    rt_batch_get_value (b, w->keys[k], r, &g->keys[k]);
  win->slots[at] = (WinSlot) { hash, g };
  if (++win->n * 2 > win->mask + 1)
    window_grow (win);
  return g;
}

static WinGroup *
group_get (RtWinAcc *w, WinWindow *win, const RtBatch *b, guint r, guint kg)
{
  guint len = encode_key (w, b, r);

  return group_find (w, win, b, r, kg, len, key_hash (w->scratch, len));
}

/* Row r's argument of c as a number: the integer (BOOLEAN 0/1) or, for DOUBLE, *d. */
static gint64
arg_value (const WinCall *c, const RtVector *v, guint r, double *d)
{
  if (c->arg_kind == PLAN_TYPE_BOOLEAN)
    return ((const guint8 *) v->data)[r] != 0;
  if (c->arg_kind == PLAN_TYPE_INT || c->arg_kind == PLAN_TYPE_DATE)
    return ((const gint32 *) v->data)[r];
  if (c->arg_kind == PLAN_TYPE_DOUBLE)
    {
      *d = ((const double *) v->data)[r];
      return 0;
    }
  return ((const gint64 *) v->data)[r];
}

static gboolean
update (const WinCall *c, WinAcc *acc, const RtBatch *b, guint r, GError **error)
{
  const RtVector *v;
  double d = 0;
  gint64 x;

  if (c->filter >= 0)
    {
      const RtVector *f = &b->cols[c->filter];

      if (!rt_vec_is_valid (f, r) || !((const guint8 *) f->data)[r])
        return TRUE;
    }
  if (c->func == PLAN_AGG_COUNT_STAR)
    {
      acc->count++;
      return TRUE;
    }
  v = &b->cols[c->arg];
  if (!rt_vec_is_valid (v, r))
    return TRUE;
  if (c->func == PLAN_AGG_COUNT)
    {
      acc->count++;
      return TRUE;
    }
  x = arg_value (c, v, r, &d);
  if (c->func == PLAN_AGG_MIN || c->func == PLAN_AGG_MAX)
    {
      int cmp = c->arg_kind == PLAN_TYPE_DOUBLE ? (d < acc->d ? -1 : d > acc->d)
                                                : (x < acc->i ? -1 : x > acc->i);

      if (acc->count == 0 || (c->func == PLAN_AGG_MIN ? cmp < 0 : cmp > 0))
        {
          acc->i = x;
          acc->d = d;
        }
      acc->count++;
      return TRUE;
    }
  acc->count++; /* SUM, AVG */
  if (c->arg_kind == PLAN_TYPE_DOUBLE)
    acc->d += d;
  else if (__builtin_add_overflow (acc->i, x, &acc->i))
    {
      g_set_error (error, RT_ERROR, RT_ERROR_EVAL, "%s overflowed BIGINT",
                   plan_agg_func_name (c->func));
      return FALSE;
    }
  return TRUE;
}

static void
batch_scratch (RtWinAcc *w, guint n)
{
  if (n <= w->kcap)
    return;
  w->kcap = MAX (n, w->kcap * 2);
  w->koff = g_renew (guint32, w->koff, w->kcap);
  w->klen = g_renew (guint32, w->klen, w->kcap);
  w->khash = g_renew (guint32, w->khash, w->kcap);
  w->kwin = g_renew (WinWindow *, w->kwin, w->kcap);
  w->kcand = g_renew (WinGroup *, w->kcand, w->kcap);
}

/* The groups of a batch are looked up in three stages a few rows apart rather than one
 * row at a time, so the cache misses of different rows overlap: the windows' tables are
 * far larger than the cache once a window holds many groups (one slot load, then one group
 * load per row), and this lookup was a quarter of Nexmark q5. Stage 1 encodes and hashes
 * row i's key and prefetches its slot; stage 2 (row i - AHEAD) walks to the first slot
 * with an equal hash and prefetches that group; stage 3 (row i - 2 AHEAD) confirms the
 * key and updates, in row order, falling back to the full lookup for new groups, hash
 * collisions and tables that grew in between. */
#define AHEAD 8

static void
stage_hash (RtWinAcc *w, const RtBatch *b, const gint64 *ends, guint i, guint r)
{
  guint len = encode_key (w, b, r);
  WinWindow *win = window_get (w, ends[r]);

  w->koff[i] = w->kbuf->len;
  w->klen[i] = len;
  w->khash[i] = key_hash (w->scratch, len);
  w->kwin[i] = win;
  g_byte_array_append (w->kbuf, w->scratch, len);
  __builtin_prefetch (&win->slots[w->khash[i] & win->mask]);
}

static void
stage_probe (RtWinAcc *w, guint i)
{
  const WinWindow *win = w->kwin[i];
  guint at = w->khash[i] & win->mask;

  while (win->slots[at].group != NULL && win->slots[at].hash != w->khash[i])
    at = (at + 1) & win->mask;
  w->kcand[i] = win->slots[at].group;
  if (w->kcand[i] != NULL)
    __builtin_prefetch (w->kcand[i]);
}

static gboolean
stage_update (RtWinAcc *w, const RtBatch *b, guint i, guint r, GError **error)
{
  guint len = w->klen[i];
  const guint8 *key = w->kbuf->data + w->koff[i];
  WinGroup *g = w->kcand[i];

  if (b->kinds[r] != RT_ROW_INSERT && b->kinds[r] != RT_ROW_UPDATE_AFTER)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "the window aggregate got a "
                   "retraction although its input was planned as insert-only");
      return FALSE;
    }
  if (g == NULL || g->len != len || (len > 0 && memcmp (g->bytes, key, len) != 0))
    {
      scratch_reserve (w, 0, len);
      if (len > 0) /* no keys but the window: nothing encoded, kbuf may have no data */
        memcpy (w->scratch, key, len);
      g = group_find (w, w->kwin[i], b, r, G_MAXUINT, len, w->khash[i]);
    }
  for (guint j = 0; j < w->n_aggs; j++)
    if (!update (&w->calls[j], &g->accs[j], b, r, error))
      return FALSE;
  return TRUE;
}

gboolean
rt__win_acc_add_batch (RtWinAcc *w, const RtBatch *b, const guint32 *rows, guint n,
                       GError **error)
{
  const gint64 *ends = RT_VEC (b, w->end_col, gint64);

  batch_scratch (w, n);
  g_byte_array_set_size (w->kbuf, 0);
  for (guint i = 0; i < n + 2 * AHEAD; i++)
    {
      if (i < n)
        stage_hash (w, b, ends, i, rows[i]);
      if (i >= AHEAD && i - AHEAD < n)
        stage_probe (w, i - AHEAD);
      if (i >= 2 * AHEAD && !stage_update (w, b, i - 2 * AHEAD, rows[i - 2 * AHEAD], error))
        return FALSE;
    }
  return TRUE;
}

gboolean
rt__win_acc_add (RtWinAcc *w, const RtBatch *b, guint r, GError **error)
{
  WinWindow *win = window_get (w, RT_VEC (b, w->end_col, gint64)[r]);
  WinGroup *g = group_get (w, win, b, r, G_MAXUINT);

  if (b->kinds[r] != RT_ROW_INSERT && b->kinds[r] != RT_ROW_UPDATE_AFTER)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "the window aggregate got a "
                   "retraction although its input was planned as insert-only");
      return FALSE;
    }
  for (guint j = 0; j < w->n_aggs; j++)
    if (!update (&w->calls[j], &g->accs[j], b, r, error))
      return FALSE;
  return TRUE;
}

/* ---- firing ------------------------------------------------------------------------- */

/* The result of call c over acc, as the keyed aggregate's result_of gives it. */
static void
result_of (const WinCall *c, const WinAcc *acc, PlanValue *out)
{
  *out = (PlanValue) { .type = c->type };
  switch (c->func)
    {
    case PLAN_AGG_COUNT_STAR:
    case PLAN_AGG_COUNT:
      out->v.i = acc->count;
      return;
    case PLAN_AGG_MIN:
    case PLAN_AGG_MAX:
      out->is_null = acc->count == 0;
      if (c->arg_kind == PLAN_TYPE_DOUBLE)
        out->v.d = acc->d;
      else if (c->arg_kind == PLAN_TYPE_BOOLEAN)
        out->v.b = acc->i != 0;
      else
        out->v.i = acc->i;
      return;
    case PLAN_AGG_SUM:
    case PLAN_AGG_AVG:
    default:
      out->is_null = acc->count == 0;
      if (out->is_null)
        return;
      if (c->type.kind == PLAN_TYPE_DOUBLE)
        out->v.d = c->func == PLAN_AGG_SUM ? acc->d : acc->d / (double) acc->count;
      else if (c->func == PLAN_AGG_SUM)
        out->v.i = acc->i;
      else if (c->type.kind == PLAN_TYPE_DECIMAL)
        out->v.i = (gint64) plan_num_div_round ((__int128) acc->i
                                                * plan_num_pow10_128 (c->type.scale
                                                                      - c->in_scale),
                                                acc->count);
      else
        out->v.i = acc->i / acc->count; /* Flink: integer AVG truncates */
      return;
    }
}

static RtResult
flush (RtWinAcc *w, RtOperator *owner, GError **error)
{
  g_autoptr (RtBatch) out = g_steal_pointer (&w->out);

  return out != NULL ? rt_op_emit (owner, out, error) : RT_OK;
}

/* One output row: keys (borrowed) and accs; bounds (nullable): window_start and window_end
 * to write instead of the keys' own. */
static RtResult
emit_row (RtWinAcc *w, RtOperator *owner, const PlanValue *keys, const WinAcc *accs,
          const gint64 *bounds, GError **error)
{
  g_autofree PlanValue *row = g_new0 (PlanValue, w->n_keys + w->n_aggs + 1);

  if (w->out != NULL && w->out->n_rows == w->out->capacity && flush (w, owner, error) == RT_FAIL)
    return RT_FAIL;
  if (w->out == NULL)
    {
      guint cap = owner->ctx != NULL && owner->ctx->batch_size ? owner->ctx->batch_size : 1024;

      if ((w->out = rt_batch_new (owner->ctx->pool, w->out_schema, cap, error)) == NULL)
        return RT_FAIL;
    }
  for (guint k = 0; k < w->n_keys; k++)
    row[k] = keys[k]; /* borrowed */
  if (bounds != NULL)
    {
      row[w->start_key].is_null = row[w->end_key].is_null = FALSE;
      row[w->start_key].v.i = bounds[0];
      row[w->end_key].v.i = bounds[1];
    }
  for (guint j = 0; j < w->n_aggs; j++)
    result_of (&w->calls[j], &accs[j], &row[w->n_keys + j]); /* no strings: no clear */
  if (!rt_batch_append_values (w->out, row, error))
    return RT_FAIL;
  w->out->kinds[w->out->n_rows - 1] = RT_ROW_INSERT;
  return RT_OK;
}

static RtResult
emit_group (RtWinAcc *w, RtOperator *owner, const WinGroup *g, GError **error)
{
  return emit_row (w, owner, g->keys, g->accs, NULL, error);
}

/* Emits one window's groups (the caller frees them). */
static RtResult
fire_window (RtWinAcc *w, RtOperator *owner, WinWindow *win, GError **error)
{
  for (guint i = 0; i <= win->mask; i++)
    if (win->slots[i].group != NULL
        && emit_group (w, owner, win->slots[i].group, error) == RT_FAIL)
      return RT_FAIL;
  return flush (w, owner, error);
}

static RtResult fire_slices_until (RtWinAcc *w, RtOperator *owner, gint64 wm,
                                   GError **error);

/* Drops win from the tree and the lookup caches, and frees it. */
static void
window_remove (RtWinAcc *w, WinWindow *win)
{
  gint64 end = win->end;

  if (w->last == win)
    w->last = NULL;
  for (guint i = 0; i < WIN_CACHE; i++)
    if (w->recent[i] == win)
      w->recent[i] = NULL;
  g_tree_remove (w->windows, &end);
  window_free (win, w->n_keys);
}

RtResult
rt__win_acc_fire_until (RtWinAcc *w, RtOperator *owner, gint64 wm, GError **error)
{
  if (w->slide > 0)
    return fire_slices_until (w, owner, wm, error);
  for (;;)
    {
      WinWindow *win = NULL;
      RtResult r;

      g_tree_foreach (w->windows, first_window, &win);
      if (win == NULL || win->end - 1 > wm)
        return RT_OK;
      r = fire_window (w, owner, win, error);
      window_remove (w, win);
      if (r == RT_FAIL)
        return RT_FAIL;
    }
}

/* ---- checkpoints -------------------------------------------------------------------- */

/* A group's key values and accumulators, inside an entry. */
static void
put_group (RtWinAcc *w, const WinGroup *g, RtStateOut *out)
{
  for (guint k = 0; k < w->n_keys; k++)
    rt_state_put_value (out, &g->keys[k]);
  for (guint j = 0; j < w->n_aggs; j++)
    {
      rt_state_put_i64 (out, g->accs[j].count);
      rt_state_put_i64 (out, g->accs[j].i);
      rt_state_put_double (out, g->accs[j].d);
    }
}

/* Reads a group's key values into one (emptied first: one row, the other columns NULL). */
static gboolean
read_keys (RtWinAcc *w, RtOperator *owner, RtStateIn *in, RtBatch *one, GError **error)
{
  g_autofree PlanValue *values = g_new0 (PlanValue, w->in_schema->n_fields + 1);
  gboolean ok = TRUE;

  one->n_rows = 0;
  for (guint c = 0; c < w->in_schema->n_fields; c++)
    values[c] = (PlanValue) { .type = w->in_schema->fields[c].type, .is_null = TRUE };
  for (guint k = 0; k < w->n_keys && ok; k++)
    {
      plan_value_clear (&values[w->keys[k]]);
      ok = rt_state_get_value (in, &values[w->keys[k]]);
    }
  ok = ok && rt_batch_append_values (one, values, error);
  for (guint c = 0; c < w->in_schema->n_fields; c++)
    plan_value_clear (&values[c]);
  if (!ok)
    return error != NULL && *error != NULL ? FALSE : rt_state_malformed (in, owner, error);
  return TRUE;
}

static gboolean
read_accs (RtWinAcc *w, RtOperator *owner, RtStateIn *in, WinGroup *g, GError **error)
{
  for (guint j = 0; j < w->n_aggs; j++)
    {
      WinAcc acc;

      if (!rt_state_get_i64 (in, &acc.count) || !rt_state_get_i64 (in, &acc.i)
          || !rt_state_get_double (in, &acc.d))
        return rt_state_malformed (in, owner, error);
      g->accs[j] = acc;
    }
  return TRUE;
}

static gboolean
snap_window (gpointer key, gpointer value, gpointer data)
{
  RtStateOut *out = ((gpointer *) data)[0];
  RtWinAcc *w = ((gpointer *) data)[1];
  WinWindow *win = value;

  for (guint i = 0; i <= win->mask; i++)
    {
      const WinGroup *g = win->slots[i].group;

      if (g == NULL)
        continue;
      rt_state_begin (out, g->kg);
      rt_state_put_u64 (out, w->slide > 0 ? RT_WINDOW_ACC_SLICE : RT_WINDOW_ACC_GROUP);
      rt_state_put_i64 (out, win->end);
      put_group (w, g, out);
      rt_state_end (out);
    }
  return FALSE;
}

void
rt__win_acc_snapshot (RtWinAcc *w, RtStateOut *out)
{
  gpointer data[2] = { out, w };

  g_tree_foreach (w->windows, snap_window, data);
}

/* The rest of a RT_WINDOW_ACC_GROUP entry (after tag and end) in key group kg: the group's
 * keys go through a one-row batch of the input's schema so they encode as rows do. */
gboolean
rt__win_acc_restore_group (RtWinAcc *w, RtOperator *owner, RtStateIn *in, guint kg,
                           gint64 end, GError **error)
{
  g_autoptr (RtBatch) one = NULL;

  if ((one = rt_batch_new (owner->ctx->pool, w->in_schema, 1, error)) == NULL
      || !read_keys (w, owner, in, one, error))
    return FALSE;
  return read_accs (w, owner, in, group_get (w, window_get (w, end), one, 0, kg), error);
}

/* ---- session windows ---------------------------------------------------------------
 * A SESSION window aggregate (rt-op-window.c) keeps its open sessions per partition key and
 * merges them as rows arrive; with accumulators each session holds one group, made from
 * its first row, and merging sessions merges their accumulators in the order the rows path
 * would have aggregated their rows. */

RtWinAccGroup *
rt__win_acc_group_new (RtWinAcc *w, const RtBatch *b, guint r, guint kg)
{
  gsize accs = sizeof (WinAcc) * w->n_aggs, keys = sizeof (PlanValue) * w->n_keys;
  WinGroup *g = g_malloc0 (sizeof (WinGroup) + accs + keys);

  g->n_keys = w->n_keys;
  g->keys = (PlanValue *) ((guint8 *) g->accs + accs);
  g->bytes = (const guint8 *) g->keys + keys;
  g->kg = kg != G_MAXUINT ? kg
          : rt_key_group_of_row (b, r, w->in_keys, w->n_in_keys) % RT_MAX_PARALLELISM;
  for (guint k = 0; k < w->n_keys; k++)
    rt_batch_get_value (b, w->keys[k], r, &g->keys[k]);
  return (RtWinAccGroup *) g;
}

void
rt__win_acc_group_free (RtWinAccGroup *group)
{
  WinGroup *g = (WinGroup *) group;

  if (g == NULL)
    return;
  for (guint k = 0; k < g->n_keys; k++)
    plan_value_clear (&g->keys[k]);
  g_free (g);
}

gboolean
rt__win_acc_group_add (RtWinAcc *w, RtWinAccGroup *group, const RtBatch *b, guint r,
                       GError **error)
{
  WinGroup *g = (WinGroup *) group;

  for (guint j = 0; j < w->n_aggs; j++)
    if (!update (&w->calls[j], &g->accs[j], b, r, error))
      return FALSE;
  return TRUE;
}

/* Adds the accumulators from into into (into's rows came first); no DOUBLE SUM/AVG. */
static gboolean
merge_accs (RtWinAcc *w, WinAcc *into, const WinAcc *from, GError **error)
{
  for (guint j = 0; j < w->n_aggs; j++)
    {
      const WinCall *c = &w->calls[j];
      WinAcc *x = &into[j];
      const WinAcc *y = &from[j];

      if ((c->func == PLAN_AGG_MIN || c->func == PLAN_AGG_MAX) && y->count > 0)
        {
          int cmp = c->arg_kind == PLAN_TYPE_DOUBLE ? (y->d < x->d ? -1 : y->d > x->d)
                                                    : (y->i < x->i ? -1 : y->i > x->i);

          if (x->count == 0 || (c->func == PLAN_AGG_MIN ? cmp < 0 : cmp > 0))
            {
              x->i = y->i;
              x->d = y->d;
            }
        }
      else if ((c->func == PLAN_AGG_SUM || c->func == PLAN_AGG_AVG)
               && __builtin_add_overflow (x->i, y->i, &x->i))
        {
          g_set_error (error, RT_ERROR, RT_ERROR_EVAL, "%s overflowed BIGINT",
                       plan_agg_func_name (c->func));
          return FALSE;
        }
      x->count += y->count;
    }
  return TRUE;
}

/* Adds from's accumulators into into's (into's rows came first). */
gboolean
rt__win_acc_group_merge (RtWinAcc *w, RtWinAccGroup *into_group,
                         const RtWinAccGroup *from_group, GError **error)
{
  return merge_accs (w, ((WinGroup *) into_group)->accs,
                     ((const WinGroup *) from_group)->accs, error);
}

/* Emits the session's row, its window_start and window_end set to the merged bounds; the
 * caller flushes with rt__win_acc_flush. */
RtResult
rt__win_acc_group_emit (RtWinAcc *w, RtOperator *owner, RtWinAccGroup *group, gint64 start,
                        gint64 end, GError **error)
{
  WinGroup *g = (WinGroup *) group;

  g->keys[w->start_key].is_null = g->keys[w->end_key].is_null = FALSE;
  g->keys[w->start_key].v.i = start;
  g->keys[w->end_key].v.i = end;
  return emit_group (w, owner, g, error);
}

RtResult
rt__win_acc_flush (RtWinAcc *w, RtOperator *owner, GError **error)
{
  return flush (w, owner, error);
}

/* A session's entry: after rt_state_begin (its kg) and the caller's tag and end, its
 * start, key values and accumulators. */
void
rt__win_acc_group_snapshot (RtWinAcc *w, const RtWinAccGroup *group, guint64 tag,
                            gint64 start, gint64 end, RtStateOut *out)
{
  const WinGroup *g = (const WinGroup *) group;

  rt_state_begin (out, g->kg);
  rt_state_put_u64 (out, tag);
  rt_state_put_i64 (out, end);
  rt_state_put_i64 (out, start);
  put_group (w, g, out);
  rt_state_end (out);
}

/* Reads the rest of such an entry (after tag and end) in key group kg into a new group;
 * one (a one-row batch of the input's schema, emptied first) gets its key values, so the
 * caller can find the session's partition. */
RtWinAccGroup *
rt__win_acc_group_restore (RtWinAcc *w, RtOperator *owner, RtStateIn *in, guint kg,
                           RtBatch *one, gint64 *start, GError **error)
{
  WinGroup *g;

  if (!rt_state_get_i64 (in, start))
    {
      rt_state_malformed (in, owner, error);
      return NULL;
    }
  if (!read_keys (w, owner, in, one, error))
    return NULL;
  g = (WinGroup *) rt__win_acc_group_new (w, one, 0, kg);
  if (!read_accs (w, owner, in, g, error))
    {
      rt__win_acc_group_free ((RtWinAccGroup *) g);
      return NULL;
    }
  return (RtWinAccGroup *) g;
}

/* ---- shared slices ----------------------------------------------------------------------
 * Flink's slicing window aggregate for HOP: a row belongs to size / slide windows, but to
 * one slice [s, s + slide) of the slide grid, and every window is the union of the size /
 * slide slices it covers. With slices on, the TVF in front emits each row once, in its
 * slice (rt-op-window.c), so a row costs one group update instead of one per window, and
 * the tree holds slices by end. Window [E - size, E) fires when the watermark reaches
 * E - 1: the groups of its slices (ends in (E - size, E]) are merged key by key, oldest
 * slice first, and emitted with the window's bounds; then the slice no later window covers
 * (end E - size + slide) is freed. fired_wm remembers how far windows have fired, so a
 * slice made later by a partly late row (rt-op-window.c adds it when some of its windows
 * are still open) only reaches the windows still to come. Windows without rows are
 * skipped. The merge is exact for the calls slicing is used for (no DOUBLE arguments). */

void
rt__win_acc_set_slices (RtWinAcc *w, gint64 slide, gint64 size, gint64 offset)
{
  w->slide = slide;
  w->size = size;
  w->offset = offset;
}

void
rt__win_acc_set_fired (RtWinAcc *w, gint64 wm)
{
  w->fired_wm = wm;
}

/* Room to merge n keys: the arrays, and a zeroed table (mmask + 1 slots) at most half
 * full. */
static void
merge_reserve (RtWinAcc *w, guint n)
{
  guint size = 16;

  if (n > w->mcap)
    {
      w->mcap = MAX (n, w->mcap * 2);
      w->mfirst = g_renew (const WinGroup *, w->mfirst, w->mcap);
      w->mhash = g_renew (guint, w->mhash, w->mcap);
      w->macc = g_renew (WinAcc, w->macc, (gsize) w->mcap * MAX (w->n_aggs, 1u));
    }
  while (size < 2 * n)
    size *= 2;
  if (size > w->mtab_size)
    {
      g_free (w->mtab);
      w->mtab = g_new (guint, size);
      w->mtab_size = size;
    }
  memset (w->mtab, 0, sizeof (guint) * size);
  w->mmask = size - 1;
}

/* Merges slice into the keys being merged (*n of them). */
static gboolean
merge_slice (RtWinAcc *w, const WinWindow *slice, guint *n, GError **error)
{
  guint mask = w->mmask;

  for (guint i = 0; i <= slice->mask; i++)
    {
      const WinGroup *g = slice->slots[i].group;
      guint h = slice->slots[i].hash, at, idx;

      if (g == NULL)
        continue;
      for (at = h & mask; (idx = w->mtab[at]) != 0; at = (at + 1) & mask)
        {
          const WinGroup *f = w->mfirst[idx - 1];

          if (w->mhash[idx - 1] == h && f->len == g->len
              && memcmp (f->bytes, g->bytes, g->len) == 0)
            break;
        }
      if (idx != 0)
        {
          if (!merge_accs (w, &w->macc[(gsize) (idx - 1) * w->n_aggs], g->accs, error))
            return FALSE;
          continue;
        }
      w->mfirst[*n] = g;
      w->mhash[*n] = h;
      memcpy (&w->macc[(gsize) *n * w->n_aggs], g->accs, sizeof (WinAcc) * w->n_aggs);
      w->mtab[at] = ++*n;
    }
  return TRUE;
}

typedef struct {
  gint64 end;
  GPtrArray *slices;
} SliceWalk;

/* The slices ending by walk->end, oldest first. */
static gboolean
collect_slices (gpointer key, gpointer value, gpointer data)
{
  SliceWalk *walk = data;

  if (((WinWindow *) value)->end > walk->end)
    return TRUE;
  g_ptr_array_add (walk->slices, value);
  return FALSE;
}

/* Fires window [end - size, end) from its slices, then frees the oldest. */
static RtResult
fire_sliced_window (RtWinAcc *w, RtOperator *owner, gint64 end, GError **error)
{
  g_autoptr (GPtrArray) slices = g_ptr_array_new ();
  SliceWalk walk = { end, slices };
  gint64 bounds[2] = { end - w->size, end };
  guint total = 0, n = 0;

  g_tree_foreach (w->windows, collect_slices, &walk);
  for (guint i = 0; i < slices->len; i++)
    total += ((WinWindow *) slices->pdata[i])->n;
  merge_reserve (w, total);
  for (guint i = 0; i < slices->len; i++)
    if (!merge_slice (w, slices->pdata[i], &n, error))
      return RT_FAIL;
  for (guint i = 0; i < n; i++)
    if (emit_row (w, owner, w->mfirst[i]->keys, &w->macc[(gsize) i * w->n_aggs], bounds,
                  error) == RT_FAIL)
      return RT_FAIL;
  for (guint i = 0; i < slices->len; i++)
    if (((WinWindow *) slices->pdata[i])->end <= end - w->size + w->slide)
      window_remove (w, slices->pdata[i]);
  return flush (w, owner, error);
}

/* Fires, in end order, every window with rows whose end - 1 the watermark wm reached and
 * that has not fired yet. */
static RtResult
fire_slices_until (RtWinAcc *w, RtOperator *owner, gint64 wm, GError **error)
{
  gint64 next = G_MININT64; /* the first window end not fired yet */

  if (w->fired_wm > G_MAXINT64 - 2 * w->slide)
    return RT_OK; /* the final watermark came already: every window has fired */
  if (w->fired_wm != G_MININT64)
    {
      gint64 rem = (w->fired_wm + 1 - w->offset) % w->slide;

      next = w->fired_wm + 1 - (rem < 0 ? rem + w->slide : rem) + w->slide;
    }
  for (;;)
    {
      WinWindow *first = NULL;
      gint64 end;

      g_tree_foreach (w->windows, first_window, &first);
      if (first == NULL)
        break;
      end = MAX (first->end, next);
      if (end - 1 > wm)
        break;
      if (fire_sliced_window (w, owner, end, error) == RT_FAIL)
        return RT_FAIL;
      next = end + w->slide;
    }
  w->fired_wm = MAX (w->fired_wm, wm);
  return RT_OK;
}
