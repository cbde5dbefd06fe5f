/* rt-state.c: the bytes of operator state in a checkpoint (rt-checkpoint.h).
 *
 * A state file holds the entries one operator subtask wrote for one checkpoint:
 *
 *   "STROMST1"  magic
 *   u32 node id, u32 subtask, u32 parallelism
 *   entries:    u16 key group (RT_STATE_LIST for list state), u32 length, payload
 *   u32 CRC-32C of everything before it
 *
 * Numbers are little-endian host order (strom runs on x86-64 and arm64, both little
 * endian). The checksum, also recorded with the file's size in the checkpoint's metadata,
 * is what makes a truncated or bit-flipped file detectable: such a checkpoint is skipped
 * and the previous one restored. Payload fields carry no type tags: an operator reads back
 * exactly what it wrote, in order, and every read is bounds-checked. */
#include "rt-checkpoint-private.h"

#include <string.h>

/* ---- CRC-32C (Castagnoli), table-driven --------------------------------------------- */

static guint32 crc_table[256];

static gpointer
crc_init (gpointer unused)
{
  (void) unused;
  for (guint32 i = 0; i < 256; i++)
    {
      guint32 c = i;

      for (int k = 0; k < 8; k++)
        c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      crc_table[i] = c;
    }
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

guint32
rt__crc32c (const void *data, gsize len)
{
  const guint8 *p = data;
  guint32 c = 0xFFFFFFFFu;

  g_once (&crc_once, crc_init, NULL);
  for (gsize i = 0; i < len; i++)
    c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

/* ---- writing ----------------------------------------------------------------------- */

#define STATE_MAGIC "STROMST1"
#define STATE_HEADER (8 + 12)

struct _RtStateOut {
  GByteArray *buf;
  gsize entry_at;    /* offset of the open entry's length field; 0: none open */
  guint n_entries;
};

RtStateOut *
rt__state_out_new (guint node_id, guint subtask, guint parallelism)
{
  RtStateOut *out = g_new0 (RtStateOut, 1);
  guint32 head[3] = { node_id, subtask, parallelism };

  out->buf = g_byte_array_new ();
  g_byte_array_append (out->buf, (const guint8 *) STATE_MAGIC, 8);
  g_byte_array_append (out->buf, (const guint8 *) head, sizeof head);
  return out;
}

void
rt__state_out_free (RtStateOut *out)
{
  if (out == NULL)
    return;
  g_byte_array_unref (out->buf);
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

  g_return_val_if_fail (out->entry_at == 0, NULL);
  crc = rt__crc32c (out->buf->data, out->buf->len);
  g_byte_array_append (out->buf, (const guint8 *) &crc, sizeof crc);
  return g_bytes_new (out->buf->data, out->buf->len);
}

void
rt_state_begin (RtStateOut *out, guint key_group)
{
  guint16 kg = (guint16) key_group;
  guint32 len = 0;

  g_return_if_fail (out->entry_at == 0);
  g_return_if_fail (key_group < RT_MAX_PARALLELISM || key_group == RT_STATE_LIST);
  g_byte_array_append (out->buf, (const guint8 *) &kg, sizeof kg);
  out->entry_at = out->buf->len;
  g_byte_array_append (out->buf, (const guint8 *) &len, sizeof len);
}

void
rt_state_end (RtStateOut *out)
{
  guint32 len;

  g_return_if_fail (out->entry_at != 0);
  len = (guint32) (out->buf->len - out->entry_at - sizeof len);
  memcpy (out->buf->data + out->entry_at, &len, sizeof len);
  out->entry_at = 0;
  out->n_entries++;
}

static void
put (RtStateOut *out, const void *p, gsize n)
{
  g_byte_array_append (out->buf, p, (guint) n);
}

void
rt_state_put_u64 (RtStateOut *out, guint64 v)
{
  put (out, &v, sizeof v);
}

void
rt_state_put_i64 (RtStateOut *out, gint64 v)
{
  put (out, &v, sizeof v);
}

void
rt_state_put_double (RtStateOut *out, double v)
{
  put (out, &v, sizeof v);
}

void
rt_state_put_bytes (RtStateOut *out, const void *data, gsize len)
{
  guint32 n = (guint32) len;

  put (out, &n, sizeof n);
  if (len > 0)
    put (out, data, len);
}

void
rt_state_put_string (RtStateOut *out, const char *s)
{
  guint32 none = G_MAXUINT32;

  if (s == NULL)
    put (out, &none, sizeof none);
  else
    rt_state_put_bytes (out, s, strlen (s));
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
  return get (in, v, sizeof *v);
}

gboolean
rt_state_get_i64 (RtStateIn *in, gint64 *v)
{
  return get (in, v, sizeof *v);
}

gboolean
rt_state_get_double (RtStateIn *in, double *v)
{
  return get (in, v, sizeof *v);
}

gboolean
rt_state_get_bytes (RtStateIn *in, const guint8 **data, gsize *len)
{
  guint32 n;

  if (!get (in, &n, sizeof n) || n == G_MAXUINT32 || (gsize) (in->end - in->p) < n)
    {
      in->bad = TRUE;
      return FALSE;
    }
  *data = in->p;
  *len = n;
  in->p += n;
  return TRUE;
}

gboolean
rt_state_get_string (RtStateIn *in, char **s)
{
  guint32 n;

  *s = NULL;
  if (!get (in, &n, sizeof n))
    return FALSE;
  if (n == G_MAXUINT32)
    return TRUE;
  if ((gsize) (in->end - in->p) < n)
    {
      in->bad = TRUE;
      return FALSE;
    }
  *s = g_strndup ((const char *) in->p, n);
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
