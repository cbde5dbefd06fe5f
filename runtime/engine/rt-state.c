/* rt-state.c: the bytes of operator state in a checkpoint (rt-checkpoint.h).
 *
 * A state file holds the entries one operator subtask wrote for one checkpoint:
 *
 *   "STROMST2"  magic
 *   u32 node id, u32 subtask, u32 parallelism
 *   entries:    u16 key group (RT_STATE_LIST for list state), u32 length, payload
 *   u32 CRC-32C of everything before it
 *
 * Fixed-width numbers are little-endian host order (strom runs on x86-64 and arm64, both
 * little endian). Inside payloads, integers and lengths are LEB128 varints (signed ones
 * zigzag-coded first): state is mostly small counters and short keys, and the varints
 * halved a keyed count's snapshot (fewer bytes to write, checksum and sync while the
 * task waits). Doubles stay 8 raw bytes. The checksum, also recorded with the file's size in the checkpoint's metadata,
 * is what makes a truncated or bit-flipped file detectable: such a checkpoint is skipped
 * and the previous one restored. Payload fields carry no type tags: an operator reads back
 * exactly what it wrote, in order, and every read is bounds-checked. */
#include "rt-checkpoint-private.h"

#include <string.h>

/* ---- CRC-32C (Castagnoli) -------------------------------------------------------------
 *
 * With SSE 4.2 the CPU's crc32 instruction does 8 bytes per step (several GB/s); without
 * it, slicing-by-8 tables. Either way the result is the same polynomial, so files move
 * between machines. */

static guint32 crc_table[8][256];

static gpointer
crc_init (gpointer unused)
{
  (void) unused;
  for (guint32 i = 0; i < 256; i++)
    {
      guint32 c = i;

      for (int k = 0; k < 8; k++)
        c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      crc_table[0][i] = c;
    }
  for (guint32 i = 0; i < 256; i++)
    for (int t = 1; t < 8; t++)
      crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xFF];
  return NULL;
}

static GOnce crc_once = G_ONCE_INIT;

/* Called by the coordinator before any task thread starts, so the threads only ever take
 * g_once's lock-free path. */
void
rt__crc32c_init (void)
{
  g_once (&crc_once, crc_init, NULL);
}

static guint32
crc_soft (guint32 c, const guint8 *p, gsize len)
{
  for (; len >= 8; p += 8, len -= 8)
    {
      guint32 lo, hi;

      memcpy (&lo, p, 4);
      memcpy (&hi, p + 4, 4);
      lo ^= c;
      c = crc_table[7][lo & 0xFF] ^ crc_table[6][(lo >> 8) & 0xFF]
          ^ crc_table[5][(lo >> 16) & 0xFF] ^ crc_table[4][lo >> 24]
          ^ crc_table[3][hi & 0xFF] ^ crc_table[2][(hi >> 8) & 0xFF]
          ^ crc_table[1][(hi >> 16) & 0xFF] ^ crc_table[0][hi >> 24];
    }
  for (; len > 0; p++, len--)
    c = crc_table[0][(c ^ *p) & 0xFF] ^ (c >> 8);
  return c;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_CRC_HW 1
__attribute__ ((target ("sse4.2"))) static guint32
crc_hw (guint32 c, const guint8 *p, gsize len)
{
  guint64 c64 = c;

  for (; len >= 8; p += 8, len -= 8)
    {
      guint64 w;

      memcpy (&w, p, 8);
      c64 = __builtin_ia32_crc32di (c64, w);
    }
  c = (guint32) c64;
  for (; len > 0; p++, len--)
    c = __builtin_ia32_crc32qi (c, *p);
  return c;
}
#endif

guint32
rt__crc32c (const void *data, gsize len)
{
  guint32 c = 0xFFFFFFFFu;

  g_once (&crc_once, crc_init, NULL);
#ifdef HAVE_CRC_HW
  if (__builtin_cpu_supports ("sse4.2"))
    return crc_hw (c, data, len) ^ 0xFFFFFFFFu;
#endif
  return crc_soft (c, data, len) ^ 0xFFFFFFFFu;
}

guint32
rt__crc32c_portable (const void *data, gsize len)
{
  g_once (&crc_once, crc_init, NULL);
  return crc_soft (0xFFFFFFFFu, data, len) ^ 0xFFFFFFFFu;
}

/* ---- writing ----------------------------------------------------------------------- */

#define STATE_MAGIC "STROMST2"
#define STATE_HEADER (8 + 12)

struct _RtStateOut {
  guint8 *data;      /* owned; NULL once finished */
  gsize len, cap;
  gsize entry_at;    /* offset of the open entry's length field; 0: none open */
  guint n_entries;
};

/* Appends n bytes; the buffer doubles when full (a snapshot is written field by field, so
 * this is the serialisation's inner loop: no function call into GByteArray per field). */
static inline void
put (RtStateOut *out, const void *p, gsize n)
{
  if (G_UNLIKELY (out->len + n > out->cap))
    {
      while (out->len + n > out->cap)
        out->cap *= 2;
      out->data = g_realloc (out->data, out->cap);
    }
  memcpy (out->data + out->len, p, n);
  out->len += n;
}

RtStateOut *
rt__state_out_new (guint node_id, guint subtask, guint parallelism)
{
  RtStateOut *out = g_new0 (RtStateOut, 1);
  guint32 head[3] = { node_id, subtask, parallelism };

  out->cap = 4096;
  out->data = g_malloc (out->cap);
  memcpy (out->data, STATE_MAGIC, 8);
  memcpy (out->data + 8, head, sizeof head);
  out->len = STATE_HEADER;
  return out;
}

void
rt__state_out_free (RtStateOut *out)
{
  if (out == NULL)
    return;
  g_free (out->data);
  g_free (out);
}

guint
rt__state_out_get_entries (RtStateOut *out)
{
  return out->n_entries;
}

GBytes *
rt__state_out_finish (RtStateOut *out)
{
  guint32 crc;
  GBytes *bytes;

  g_return_val_if_fail (out->entry_at == 0, NULL);
  crc = rt__crc32c (out->data, out->len);
  put (out, &crc, sizeof crc);
  bytes = g_bytes_new_take (g_realloc (g_steal_pointer (&out->data), out->len), out->len);
  return bytes;
}

void
rt_state_begin (RtStateOut *out, guint key_group)
{
  guint16 kg = (guint16) key_group;
  guint32 len = 0;

  g_return_if_fail (out->entry_at == 0);
  g_return_if_fail (key_group < RT_MAX_PARALLELISM || key_group == RT_STATE_LIST);
  put (out, &kg, sizeof kg);
  out->entry_at = out->len;
  put (out, &len, sizeof len);
}

void
rt_state_end (RtStateOut *out)
{
  guint32 len;

  g_return_if_fail (out->entry_at != 0);
  len = (guint32) (out->len - out->entry_at - sizeof len);
  memcpy (out->data + out->entry_at, &len, sizeof len);
  out->entry_at = 0;
  out->n_entries++;
}


void
rt_state_put_u64 (RtStateOut *out, guint64 v)
{
  guint8 b[10];
  guint n = 0;

  while (v >= 0x80)
    {
      b[n++] = (guint8) (v | 0x80);
      v >>= 7;
    }
  b[n++] = (guint8) v;
  put (out, b, n);
}

void
rt_state_put_i64 (RtStateOut *out, gint64 v)
{
  rt_state_put_u64 (out, ((guint64) v << 1) ^ (guint64) (v >> 63));
}

void
rt_state_put_double (RtStateOut *out, double v)
{
  put (out, &v, sizeof v);
}

void
rt_state_put_bytes (RtStateOut *out, const void *data, gsize len)
{
  rt_state_put_u64 (out, len);
  if (len > 0)
    put (out, data, len);
}

void
rt_state_put_string (RtStateOut *out, const char *s)
{
  gsize len = s != NULL ? strlen (s) : 0;

  rt_state_put_u64 (out, s != NULL ? len + 1 : 0); /* 0: NULL */
  if (len > 0)
    put (out, s, len);
}

void
rt_state_put_value (RtStateOut *out, const PlanValue *v)
{
  guint8 head[4] = { (guint8) v->type.kind, v->type.precision, v->type.scale,
                     (guint8) ((v->is_null ? 1 : 0) | (v->type.nullable ? 2 : 0)) };

  put (out, head, sizeof head);
  if (v->is_null)
    return;
  switch (v->type.kind)
    {
    case PLAN_TYPE_DOUBLE:
      rt_state_put_double (out, v->v.d);
      return;
    case PLAN_TYPE_VARCHAR:
      rt_state_put_string (out, v->v.s);
      return;
    case PLAN_TYPE_BOOLEAN:
      rt_state_put_i64 (out, v->v.b ? 1 : 0);
      return;
    case PLAN_TYPE_NULL:
      return;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
    default:
      rt_state_put_i64 (out, v->v.i);
      return;
    }
}

/* ---- reading ----------------------------------------------------------------------- */

typedef struct {
  const guint8 *data;
  guint32 len;
  guint16 key_group;
} StateEntry;

struct _RtStateIn {
  GArray *entries;     /* StateEntry, the ones for this subtask */
  guint next;          /* the entry after the current one */
  const guint8 *p, *end; /* the current entry's unread bytes */
  gboolean bad;
};

/* Checks a state file's frame and checksum; sets error naming path when it is damaged. */
gboolean
rt__state_file_check (GBytes *bytes, const char *path, guint *node_id, GError **error)
{
  gsize n;
  const guint8 *d = g_bytes_get_data (bytes, &n);
  guint32 crc, head[3];

  if (n < STATE_HEADER + 4 || memcmp (d, STATE_MAGIC, 8) != 0)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CHECKPOINT,
                   "%s is not a strom state file or is truncated (%zu bytes)", path, n);
      return FALSE;
    }
  memcpy (&crc, d + n - 4, 4);
  if (rt__crc32c (d, n - 4) != crc)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CHECKPOINT,
                   "%s is damaged: its checksum does not match its contents", path);
      return FALSE;
    }
  memcpy (head, d + 8, sizeof head);
  if (node_id != NULL)
    *node_id = head[0];
  return TRUE;
}

RtStateIn *
rt__state_in_new (void)
{
  RtStateIn *in = g_new0 (RtStateIn, 1);

  in->entries = g_array_new (FALSE, FALSE, sizeof (StateEntry));
  return in;
}

void
rt__state_in_free (RtStateIn *in)
{
  if (in == NULL)
    return;
  g_array_unref (in->entries);
  g_free (in);
}

guint
rt__state_in_get_entries (RtStateIn *in)
{
  return in->entries->len;
}

/* Adds the entries of a checked file that belong to subtask of parallelism: keyed ones of
 * its key groups, and list elements as lists says: RT_LISTS_DEAL numbers them from
 * *list_index and deals them round robin, RT_LISTS_ALL takes them all, RT_LISTS_NONE
 * none. FALSE when the file's entries do not frame (error set). */
gboolean
rt__state_in_add_file (RtStateIn *in, GBytes *bytes, const char *path, guint subtask,
                       guint parallelism, RtListsMode lists, guint *list_index,
                       GError **error)
{
  gsize n;
  const guint8 *d = g_bytes_get_data (bytes, &n);
  const guint8 *p = d + STATE_HEADER, *end = d + n - 4;

  while (p < end)
    {
      StateEntry e;

      if (end - p < 6)
        break;
      memcpy (&e.key_group, p, 2);
      memcpy (&e.len, p + 2, 4);
      p += 6;
      if ((gsize) (end - p) < e.len)
        break;
      e.data = p;
      p += e.len;
      if (e.key_group == RT_STATE_LIST)
        {
          if (lists == RT_LISTS_NONE
              || (lists == RT_LISTS_DEAL && (*list_index)++ % parallelism != subtask))
            continue;
        }
      else if (e.key_group >= RT_MAX_PARALLELISM
               || rt_key_group_to_subtask (e.key_group, parallelism) != subtask)
        continue;
      g_array_append_val (in->entries, e);
    }
  if (p != end)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CHECKPOINT, "%s: state entries do not frame", path);
      return FALSE;
    }
  return TRUE;
}

gboolean
rt_state_next (RtStateIn *in, guint *key_group)
{
  StateEntry *e;

  if (in->next >= in->entries->len)
    return FALSE;
  e = &g_array_index (in->entries, StateEntry, in->next++);
  in->p = e->data;
  in->end = e->data + e->len;
  if (key_group != NULL)
    *key_group = e->key_group;
  return TRUE;
}

static gboolean
get (RtStateIn *in, void *dest, gsize n)
{
  if (in->bad || (gsize) (in->end - in->p) < n)
    {
      in->bad = TRUE;
      return FALSE;
    }
  memcpy (dest, in->p, n);
  in->p += n;
  return TRUE;
}

gboolean
rt_state_get_u64 (RtStateIn *in, guint64 *v)
{
  guint64 r = 0;

  for (guint shift = 0; !in->bad && in->p < in->end && shift < 64; shift += 7)
    {
      guint8 b = *in->p++;

      r |= (guint64) (b & 0x7F) << shift;
      if ((b & 0x80) == 0)
        {
          *v = r;
          return TRUE;
        }
    }
  in->bad = TRUE;
  *v = 0;
  return FALSE;
}

gboolean
rt_state_get_i64 (RtStateIn *in, gint64 *v)
{
  guint64 u;

  if (!rt_state_get_u64 (in, &u))
    {
      *v = 0;
      return FALSE;
    }
  *v = (gint64) (u >> 1) ^ -(gint64) (u & 1);
  return TRUE;
}

/* A length that fits what is left of the entry. */
static gboolean
get_len (RtStateIn *in, guint64 *n)
{
  if (!rt_state_get_u64 (in, n))
    return FALSE;
  if (*n > (guint64) (in->end - in->p) + 1)
    {
      in->bad = TRUE;
      return FALSE;
    }
  return TRUE;
}

gboolean
rt_state_get_double (RtStateIn *in, double *v)
{
  return get (in, v, sizeof *v);
}

gboolean
rt_state_get_bytes (RtStateIn *in, const guint8 **data, gsize *len)
{
  guint64 n;

  if (!get_len (in, &n) || (guint64) (in->end - in->p) < n)
    {
      in->bad = TRUE;
      return FALSE;
    }
  *data = in->p;
  *len = (gsize) n;
  in->p += n;
  return TRUE;
}

gboolean
rt_state_get_string (RtStateIn *in, char **s)
{
  guint64 n;

  *s = NULL;
  if (!get_len (in, &n))
    return FALSE;
  if (n-- == 0)
    return TRUE;
  if ((guint64) (in->end - in->p) < n)
    {
      in->bad = TRUE;
      return FALSE;
    }
  *s = g_strndup ((const char *) in->p, (gsize) n);
  in->p += n;
  return TRUE;
}

gboolean
rt_state_get_value (RtStateIn *in, PlanValue *v)
{
  guint8 head[4];

  memset (v, 0, sizeof *v);
  if (!get (in, head, sizeof head) || head[0] > PLAN_TYPE_INTERVAL)
    {
      in->bad = TRUE;
      return FALSE;
    }
  v->type.kind = (PlanTypeKind) head[0];
  v->type.precision = head[1];
  v->type.scale = head[2];
  v->type.nullable = (head[3] & 2) != 0;
  v->is_null = (head[3] & 1) != 0;
  if (v->is_null)
    return TRUE;
  switch (v->type.kind)
    {
    case PLAN_TYPE_DOUBLE:
      return rt_state_get_double (in, &v->v.d);
    case PLAN_TYPE_VARCHAR:
      return rt_state_get_string (in, &v->v.s) && (v->v.s != NULL || (in->bad = TRUE, FALSE));
    case PLAN_TYPE_BOOLEAN:
      {
        gint64 b;

        if (!rt_state_get_i64 (in, &b))
          return FALSE;
        v->v.b = b != 0;
        return TRUE;
      }
    case PLAN_TYPE_NULL:
      return TRUE;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
    default:
      return rt_state_get_i64 (in, &v->v.i);
    }
}

gboolean
rt_state_malformed (RtStateIn *in, RtOperator *op, GError **error)
{
  g_set_error (error, RT_ERROR, RT_ERROR_CHECKPOINT,
               "the checkpointed state of operator %s (node %u) does not parse (entry %u): "
               "the checkpoint was written by another query or another strom version",
               op->klass->name, op->node_id, in->next);
  return FALSE;
}
