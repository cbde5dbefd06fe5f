/* rt-operator.c: operator allocation and the chain hand-off (rt_op_emit).
 *
 * Chained operators call each other directly: emitting is a function call into the next
 * operator's process(), or into the task's output writer for the last one. That keeps
 * pipelining tuple-at-a-time in effect (a batch flows through the whole chain before the
 * next is produced) while the per-row cost stays in vectorised loops. */
#include "rt-operator.h"

#include <string.h>

RtOperator *
rt_operator_new (const RtOperatorClass *klass, guint node_id)
{
  RtOperator *op;

  g_return_val_if_fail (klass->instance_size >= sizeof (RtOperator), NULL);
  op = g_malloc0 (klass->instance_size);
  op->klass = klass;
  op->node_id = node_id;
  op->proctime_timer_ms = G_MAXINT64;
  return op;
}

void
rt_operator_free (RtOperator *op)
{
  if (op == NULL)
    return;
  if (op->klass->close != NULL)
    op->klass->close (op);
  g_free (op);
}

RtResult
rt_op_emit (RtOperator *op, RtBatch *batch, GError **error)
{
  if (batch->n_rows == 0)
    return RT_OK;
  op->rows_out += batch->n_rows;
  if (op->next != NULL)
    {
      op->next->rows_in += batch->n_rows;
      return op->next->klass->process (op->next, batch, 0, error);
    }
  if (op->sink_fn != NULL)
    return op->sink_fn (op->sink_data, batch, error);
  return RT_OK;
}

/* ---- hashing keys ------------------------------------------------------------------ */

static inline guint64
mix_word (guint64 w)
{
  w *= G_GUINT64_CONSTANT (0x87c37b91114253d5);
  w = (w << 31) | (w >> 33);
  return w * G_GUINT64_CONSTANT (0x4cf5ad432745937f);
}

/* Words of 8 bytes folded in with a multiply and rotate, the tail zero-padded, the length
 * mixed in, then a 64-bit avalanche so every input bit reaches the low bits GHashTable
 * uses. Keys here are short (encoded group keys), so there is no wider inner loop. */
guint64
rt_hash_data (const void *data, gsize len)
{
  const guint8 *p = data;
  guint64 h = G_GUINT64_CONSTANT (0x9e3779b97f4a7c15) ^ len;
  guint64 w;

  for (; len >= 8; p += 8, len -= 8)
    {
      memcpy (&w, p, 8);
      h ^= mix_word (w);
      h = ((h << 27) | (h >> 37)) * 5 + 0x52dce729;
    }
  if (len > 0)
    {
      w = 0;
      memcpy (&w, p, len);
      h ^= mix_word (w);
    }
  h ^= h >> 33;
  h *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  h ^= h >> 33;
  h *= G_GUINT64_CONSTANT (0xc4ceb9fe1a85ec53);
  h ^= h >> 33;
  return h;
}

guint
rt_bytes_hash (gconstpointer bytes)
{
  gsize len;
  const void *data = g_bytes_get_data ((GBytes *) bytes, &len);

  return (guint) rt_hash_data (data, len);
}
