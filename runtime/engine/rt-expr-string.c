/* rt-expr-string.c: the text side of compiled expression programs (rt-expr.c): where
 * result strings go (the output batch's arena, or the program's scratch arena during the
 * filter), numbers rendered as text and parsed from it (Java's Double.toString, CAST to
 * and from VARCHAR), the string functions and LIKE.
 *
 * These kernels work row by row on variable-length data, share the per-row byte buffers
 * and the arenas, and none of them is on the arithmetic fast path, so they live apart
 * from the numeric kernels (rt-expr-kernels.c). The digit and parsing rules themselves
 * (Double.toString, text to INT / DOUBLE / DECIMAL / BOOLEAN) are plans/plan-numeric.c's,
 * shared with constant folding, which must compute exactly what these kernels compute. */
#include "rt-expr-private.h"

#include <math.h>
#include <string.h>

#define SCRATCH_BLOCK (64 * 1024)

/* ---- output strings ---------------------------------------------------------------- */

static char *
scratch_alloc (RtScratch *s, gsize len)
{
  if (len > SCRATCH_BLOCK / 4)
    {
      char *b = g_malloc (len);
      g_ptr_array_add (s->big, b);
      return b;
    }
  for (;;)
    {
      if (s->cur == s->blocks->len)
        g_ptr_array_add (s->blocks, g_malloc (SCRATCH_BLOCK));
      if (s->pos + len <= SCRATCH_BLOCK)
        {
          char *r = (char *) s->blocks->pdata[s->cur] + s->pos;
          s->pos += len;
          return r;
        }
      s->cur++;
      s->pos = 0;
    }
}

/* Stores a copy of len bytes: in the output batch's arena during the projection phase,
 * in the program's scratch arena during the filter phase. */
gboolean
rt__put_str (RtProgram *p, RtStr *dst, const char *ptr, gsize len, GError **error)
{
  if (len == 0)
    {
      dst->ptr = "";
      dst->len = 0;
      return TRUE;
    }
  if (len > G_MAXUINT32)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_EVAL, "string of %" G_GSIZE_FORMAT
                   " bytes is longer than the 4 GiB a value may hold", len);
      return FALSE;
    }
  if (p->out)
    {
      GError *local = NULL;
      *dst = rt_batch_intern (p->out, ptr, len, &local);
      if (local)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      return TRUE;
    }
  char *b = scratch_alloc (&p->scratch, len);
  memcpy (b, ptr, len);
  dst->ptr = b;
  dst->len = (guint32) len;
  return TRUE;
}

/* ---- numbers as text ---------------------------------------------------------------- */

/* Renders a non-string cell as CAST(x AS VARCHAR) does. */
static void
value_text (PlanType type, const void *data, guint row, char *buf, gsize size)
{
  switch (type.kind)
    {
    case PLAN_TYPE_NULL:
      g_strlcpy (buf, "NULL", size);
      break;
    case PLAN_TYPE_BOOLEAN:
      g_strlcpy (buf, ((const guint8 *) data)[row] ? "TRUE" : "FALSE", size);
      break;
    case PLAN_TYPE_INT:
      g_snprintf (buf, size, "%d", ((const gint32 *) data)[row]);
      break;
    case PLAN_TYPE_DATE:
      plan_format_date (((const gint32 *) data)[row], buf, size);
      break;
    case PLAN_TYPE_BIGINT:
      g_snprintf (buf, size, "%" G_GINT64_FORMAT, ((const gint64 *) data)[row]);
      break;
    case PLAN_TYPE_DECIMAL:
      plan_format_decimal (((const gint64 *) data)[row], type.scale, buf, size);
      break;
    case PLAN_TYPE_TIMESTAMP:
      plan_format_timestamp (((const gint64 *) data)[row], buf, size);
      break;
    case PLAN_TYPE_INTERVAL:
      plan_num_format_interval (((const gint64 *) data)[row], buf, size);
      break;
    case PLAN_TYPE_DOUBLE:
      plan_num_format_double (((const double *) data)[row], buf, size);
      break;
    case PLAN_TYPE_VARCHAR:
      g_strlcpy (buf, "?", size);
      break;
    }
}

/* A cell of a slot as SQL shows it, for messages. Newly allocated. */
char *
rt__slot_text (RtProgram *p, gint s, guint row)
{
  const RtSlot *sl = SLOT (p, s);
  char buf[64];
  if (!bit (VALID (s), row))
    return g_strdup ("NULL");
  if (sl->type.kind == PLAN_TYPE_VARCHAR)
    return g_strdup_printf ("'%.*s'", (int) MIN (DATA (s, RtStr)[row].len, 200),
                            DATA (s, RtStr)[row].ptr);
  value_text (sl->type, p->regs[s].data, row, buf, sizeof buf);
  return g_strdup (buf);
}

/* ---- casts to and from text -------------------------------------------------------- */

gboolean
rt__k_to_str (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const RtSlot *src = SLOT (p, in->a);
  RtStr *r = DATA (in->dst, RtStr);
  rt__valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      char buf[64];
      r[i] = empty_str;
      if (!bit (VALID (in->dst), i))
        continue;
      value_text (src->type, p->regs[in->a].data, i, buf, sizeof buf);
      if (!rt__put_str (p, &r[i], buf, strlen (buf), error))
        return FALSE;
    }
  return TRUE;
}

static PlanNumParse
parse_into (PlanType t, const char *s, gsize len, void *data, guint i)
{
  gint64 v = 0;
  gboolean b;
  PlanNumParse res;
  switch (t.kind)
    {
    case PLAN_TYPE_BOOLEAN:
      if (!plan_num_parse_bool (s, len, &b))
        return PLAN_NUM_BAD;
      ((guint8 *) data)[i] = b ? 1 : 0;
      return PLAN_NUM_OK;
    case PLAN_TYPE_INT:
      res = plan_num_parse_int64 (s, len, &v);
      if (res == PLAN_NUM_OK && (v < G_MININT32 || v > G_MAXINT32))
        res = PLAN_NUM_RANGE;
      ((gint32 *) data)[i] = (gint32) v;
      return res;
    case PLAN_TYPE_BIGINT:
      return plan_num_parse_int64 (s, len, &((gint64 *) data)[i]);
    case PLAN_TYPE_DOUBLE:
      return plan_num_parse_double (s, len, &((double *) data)[i]);
    case PLAN_TYPE_DECIMAL:
      return plan_dec_parse (s, len, t.scale, plan_dec_limit (t.precision),
                             &((gint64 *) data)[i]);
    case PLAN_TYPE_DATE:
      return plan_parse_date (s, len, &((gint32 *) data)[i]) ? PLAN_NUM_OK : PLAN_NUM_BAD;
    case PLAN_TYPE_TIMESTAMP:
      return plan_parse_timestamp (s, len, &((gint64 *) data)[i]) ? PLAN_NUM_OK : PLAN_NUM_BAD;
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_VARCHAR:
    case PLAN_TYPE_INTERVAL:
      break;
    }
  return PLAN_NUM_BAD;
}

static const char *
parse_hint (PlanTypeKind kind)
{
  switch (kind)
    {
    case PLAN_TYPE_BOOLEAN:
      return "expected TRUE, FALSE, T, F, YES, NO, 1 or 0";
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
      return "expected an integer such as -42";
    case PLAN_TYPE_DOUBLE:
    case PLAN_TYPE_DECIMAL:
      return "expected a number such as -4.2 or 1e3";
    case PLAN_TYPE_DATE:
      return "expected a date as YYYY-MM-DD";
    case PLAN_TYPE_TIMESTAMP:
      return "expected a timestamp as YYYY-MM-DD HH:MM:SS[.fff]";
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_VARCHAR:
    case PLAN_TYPE_INTERVAL:
      break;
    }
  return NULL;
}

gboolean
rt__k_from_str (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const RtStr *a = DATA (in->a, RtStr);
  PlanType t = SLOT (p, in->dst)->type;
  rt__valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      const char *s = a[i].ptr;
      gsize len = a[i].len;
      PlanNumParse res;
      if (!bit (VALID (in->dst), i))
        continue;
      plan_num_trim (&s, &len);
      if ((res = parse_into (t, s, len, p->regs[in->dst].data, i)) != PLAN_NUM_OK)
        {
          g_autofree char *type = plan_type_to_string (t, FALSE);
          g_autofree char *v = rt__slot_text (p, in->a, i);
          return rt__fail_at (p, in->expr, error, res == PLAN_NUM_RANGE ? "cast to a wider type"
                              : parse_hint (t.kind), "cannot cast %s to %s%s", v, type,
                              res == PLAN_NUM_RANGE ? ": out of range" : "");
        }
    }
  return TRUE;
}

/* ---- string kernels ---------------------------------------------------------------- */

static inline guint
utf8_len (guchar c)
{
  return c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
    : (c & 0xf8) == 0xf0 ? 4 : 1;
}

static gint64
utf8_count (RtStr s)
{
  gint64 n = 0;
  for (guint32 j = 0; j < s.len; j++)
    n += ((guchar) s.ptr[j] & 0xc0) != 0x80;
  return n;
}

/* Byte offset of character `chars` (clamped to the end). */
static gsize
utf8_offset (RtStr s, gint64 chars)
{
  gsize o = 0;
  for (gint64 c = 0; c < chars && o < s.len; c++)
    o = MIN (o + utf8_len ((guchar) s.ptr[o]), s.len);
  return o;
}

static gsize
find_bytes (RtStr hay, gsize from, RtStr needle)
{
  if (needle.len == 0)
    return from;
  for (gsize i = from; i + needle.len <= hay.len; i++)
    {
      const char *c = memchr (hay.ptr + i, needle.ptr[0], hay.len - needle.len + 1 - i);
      if (!c)
        break;
      i = (gsize) (c - hay.ptr);
      if (memcmp (c, needle.ptr, needle.len) == 0)
        return i;
    }
  return G_MAXSIZE;
}

/* Validity for kernels with arguments listed in aux (k of them) plus the guard. */
static void
valid_and_list (RtProgram *p, const RtInstr *in, guint n)
{
  const gint *args = in->aux;
  for (guint w = 0; w < nwords (n); w++)
    {
      guint64 m = in->guard >= 0 ? VALID (in->guard)[w] : ~G_GUINT64_CONSTANT (0);
      for (gint64 k = 0; k < in->k; k++)
        m &= VALID (args[k])[w];
      VALID (in->dst)[w] = m;
    }
}

gboolean
rt__k_concat (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const gint *args = in->aux;
  RtStr *r = DATA (in->dst, RtStr);
  valid_and_list (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      r[i] = empty_str;
      if (!bit (VALID (in->dst), i))
        continue;
      g_byte_array_set_size (p->row, 0);
      for (gint64 k = 0; k < in->k; k++)
        {
          RtStr s = DATA (args[k], RtStr)[i];
          if (s.len)
            g_byte_array_append (p->row, (const guint8 *) s.ptr, s.len);
        }
      if (!rt__put_str (p, &r[i], (const char *) p->row->data, p->row->len, error))
        return FALSE;
    }
  return TRUE;
}

/* UPPER (k = 1) and LOWER (k = 0): ASCII in place, other text through GLib's Unicode
 * tables; text that would not change is referenced, not copied. */
gboolean
rt__k_case (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const RtStr *a = DATA (in->a, RtStr);
  RtStr *r = DATA (in->dst, RtStr);
  rt__valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      RtStr s = a[i];
      gboolean ascii = TRUE, change = FALSE;
      r[i] = empty_str;
      if (!bit (VALID (in->dst), i))
        continue;
      for (guint32 j = 0; j < s.len; j++)
        {
          guchar c = (guchar) s.ptr[j];
          ascii &= c < 0x80;
          change |= in->k ? (c >= 'a' && c <= 'z') : (c >= 'A' && c <= 'Z');
        }
      if (ascii && !change)
        r[i] = s;
      else if (!ascii && g_utf8_validate_len (s.ptr, s.len, NULL))
        {
          g_autofree char *m = in->k ? g_utf8_strup (s.ptr, s.len) : g_utf8_strdown (s.ptr, s.len);
          if (!rt__put_str (p, &r[i], m, strlen (m), error))
            return FALSE;
        }
      else
        {
          g_byte_array_set_size (p->row, s.len);
          for (guint32 j = 0; j < s.len; j++)
            p->row->data[j] = in->k ? g_ascii_toupper (s.ptr[j]) : g_ascii_tolower (s.ptr[j]);
          if (!rt__put_str (p, &r[i], (const char *) p->row->data, s.len, error))
            return FALSE;
        }
    }
  return TRUE;
}

gboolean
rt__k_char_length (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const RtStr *a = DATA (in->a, RtStr);
  gint32 *r = DATA (in->dst, gint32);
  rt__valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    r[i] = bit (VALID (in->dst), i) ? (gint32) utf8_count (a[i]) : 0;
  return TRUE;
}

/* SUBSTRING(s, start [, len]) in characters, as Flink: start 0 means 1, a negative start
 * counts from the end, a negative length gives NULL. The result points into s. */
gboolean
rt__k_substring (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const RtStr *a = DATA (in->a, RtStr);
  const gint64 *pos = DATA (in->b, gint64);
  RtStr *r = DATA (in->dst, RtStr);
  rt__valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      gint64 nch, start, end, len = in->c >= 0 ? DATA (in->c, gint64)[i] : G_MAXINT64;
      r[i] = empty_str;
      if (!bit (VALID (in->dst), i))
        continue;
      if (len < 0)
        {
          VALID (in->dst)[i >> 6] &= ~(G_GUINT64_CONSTANT (1) << (i & 63));
          continue;
        }
      nch = utf8_count (a[i]);
      start = pos[i] > 0 ? pos[i] - 1 : pos[i] < 0 ? MAX (nch + pos[i], 0) : 0;
      if (start >= nch)
        continue;
      end = nch - start < len ? nch : start + len;
      gsize bs = utf8_offset (a[i], start), be = utf8_offset (a[i], end);
      r[i].ptr = a[i].ptr + bs;
      r[i].len = (guint32) (be - bs);
    }
  return TRUE;
}

/* TRIM (k = 0), LTRIM (1), RTRIM (2) of spaces; the result points into the argument. */
gboolean
rt__k_trim (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const RtStr *a = DATA (in->a, RtStr);
  RtStr *r = DATA (in->dst, RtStr);
  rt__valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      RtStr s = bit (VALID (in->dst), i) ? a[i] : empty_str;
      if (in->k != 2)
        while (s.len > 0 && s.ptr[0] == ' ')
          s.ptr++, s.len--;
      if (in->k != 1)
        while (s.len > 0 && s.ptr[s.len - 1] == ' ')
          s.len--;
      r[i] = s;
    }
  return TRUE;
}

/* POSITION(needle IN haystack): 1-based character index, 0 when absent. */
gboolean
rt__k_position (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const RtStr *needle = DATA (in->a, RtStr), *hay = DATA (in->b, RtStr);
  gint32 *r = DATA (in->dst, gint32);
  rt__valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      gsize at = bit (VALID (in->dst), i) ? find_bytes (hay[i], 0, needle[i]) : G_MAXSIZE;
      RtStr before = { hay[i].ptr, (guint32) at };
      r[i] = at == G_MAXSIZE ? 0 : (gint32) utf8_count (before) + 1;
    }
  return TRUE;
}

gboolean
rt__k_replace (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const RtStr *a = DATA (in->a, RtStr), *from = DATA (in->b, RtStr), *to = DATA (in->c, RtStr);
  RtStr *r = DATA (in->dst, RtStr);
  rt__valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      gsize at, done = 0;
      r[i] = bit (VALID (in->dst), i) ? a[i] : empty_str;
      if (!bit (VALID (in->dst), i) || from[i].len == 0
          || (at = find_bytes (a[i], 0, from[i])) == G_MAXSIZE)
        continue;
      g_byte_array_set_size (p->row, 0);
      for (; at != G_MAXSIZE; at = find_bytes (a[i], done, from[i]))
        {
          g_byte_array_append (p->row, (const guint8 *) a[i].ptr + done, at - done);
          if (to[i].len)
            g_byte_array_append (p->row, (const guint8 *) to[i].ptr, to[i].len);
          done = at + from[i].len;
        }
      g_byte_array_append (p->row, (const guint8 *) a[i].ptr + done, a[i].len - done);
      if (!rt__put_str (p, &r[i], (const char *) p->row->data, p->row->len, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- LIKE -------------------------------------------------------------------------- */

enum { TOK_LIT, TOK_ONE, TOK_ANY };
typedef enum { LIKE_EXACT, LIKE_PREFIX, LIKE_SUFFIX, LIKE_CONTAINS, LIKE_GENERAL } LikeKind;

/* A pattern compiled once: bytes[i] is a literal byte where toks[i] is TOK_LIT; runs of
 * % are collapsed. Patterns with only a literal and % at its ends take a fast path. */
struct _RtLikePat {
  LikeKind kind;
  gsize n;
  RtStr lit;      /* the literal of the fast kinds (points into bytes) */
  char *bytes;    /* n */
  guint8 *toks;   /* n */
};

/* Tokenizes pat with escape byte esc (-1: none) into bytes/toks; FALSE when the
 * pattern ends in the escape character. */
gboolean
rt__like_tokenize (RtStr pat, int esc, GByteArray *bytes, GByteArray *toks)
{
  g_byte_array_set_size (bytes, 0);
  g_byte_array_set_size (toks, 0);
  for (guint32 i = 0; i < pat.len; i++)
    {
      guint8 c = (guint8) pat.ptr[i], t = TOK_LIT;
      if (esc >= 0 && c == esc)
        {
          if (++i == pat.len)
            return FALSE;
          c = (guint8) pat.ptr[i];
        }
      else if (c == '%')
        t = TOK_ANY;
      else if (c == '_')
        t = TOK_ONE;
      if (t == TOK_ANY && toks->len && toks->data[toks->len - 1] == TOK_ANY)
        continue;
      g_byte_array_append (bytes, &c, 1);
      g_byte_array_append (toks, &t, 1);
    }
  return TRUE;
}

static gboolean
like_general (RtStr s, const char *pb, const guint8 *pk, gsize pn)
{
  gsize si = 0, pi = 0, star_pi = G_MAXSIZE, star_si = 0;
  while (si < s.len)
    {
      if (pi < pn && pk[pi] == TOK_ANY)
        {
          star_pi = ++pi;
          star_si = si;
          continue;
        }
      if (pi < pn && (pk[pi] == TOK_ONE || pb[pi] == s.ptr[si]))
        {
          si = pk[pi] == TOK_ONE ? MIN (si + utf8_len ((guchar) s.ptr[si]), s.len) : si + 1;
          pi++;
          continue;
        }
      if (star_pi == G_MAXSIZE)
        return FALSE;
      star_si = MIN (star_si + utf8_len ((guchar) s.ptr[star_si]), s.len);
      si = star_si;
      pi = star_pi;
    }
  while (pi < pn && pk[pi] == TOK_ANY)
    pi++;
  return pi == pn;
}

/* One g_free-able block: the struct, then the bytes, then the tokens. */
RtLikePat *
rt__like_pat_new (GByteArray *bytes, GByteArray *toks)
{
  gsize n = bytes->len;
  RtLikePat *lp = g_malloc0 (sizeof (RtLikePat) + 2 * n + 1);
  guint n_any = 0, n_one = 0;
  lp->n = n;
  lp->bytes = (char *) (lp + 1);
  lp->toks = (guint8 *) lp->bytes + n;
  if (n)
    {
      memcpy (lp->bytes, bytes->data, n);
      memcpy (lp->toks, toks->data, n);
    }
  for (gsize i = 0; i < lp->n; i++)
    {
      n_any += lp->toks[i] == TOK_ANY;
      n_one += lp->toks[i] == TOK_ONE;
    }
  gboolean first = lp->n && lp->toks[0] == TOK_ANY;
  gboolean last = lp->n && lp->toks[lp->n - 1] == TOK_ANY;
  lp->kind = LIKE_GENERAL;
  lp->lit.ptr = lp->bytes + first;
  lp->lit.len = (guint32) (lp->n - first - (last && lp->n > 1));
  if (n_one == 0 && n_any == 0)
    lp->kind = LIKE_EXACT;
  else if (n_one == 0 && n_any == 1 && first && last)
    lp->kind = LIKE_CONTAINS;
  else if (n_one == 0 && n_any == 1)
    lp->kind = first ? LIKE_SUFFIX : LIKE_PREFIX;
  else if (n_one == 0 && n_any == 2 && first && last)
    lp->kind = LIKE_CONTAINS;
  return lp;
}

static gboolean
like_match (const RtLikePat *lp, RtStr s)
{
  RtStr l = lp->lit;
  switch (lp->kind)
    {
    case LIKE_EXACT:
      return s.len == l.len && (l.len == 0 || memcmp (s.ptr, l.ptr, l.len) == 0);
    case LIKE_PREFIX:
      return s.len >= l.len && (l.len == 0 || memcmp (s.ptr, l.ptr, l.len) == 0);
    case LIKE_SUFFIX:
      return s.len >= l.len && (l.len == 0 || memcmp (s.ptr + s.len - l.len, l.ptr, l.len) == 0);
    case LIKE_CONTAINS:
      return find_bytes (s, 0, l) != G_MAXSIZE;
    case LIKE_GENERAL:
      break;
    }
  return like_general (s, lp->bytes, lp->toks, lp->n);
}

gboolean
rt__k_like_const (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const RtStr *a = DATA (in->a, RtStr);
  guint8 *r = DATA (in->dst, guint8);
  rt__valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    r[i] = bit (VALID (in->dst), i) && like_match (in->aux, a[i]);
  return TRUE;
}

/* LIKE with a pattern (b) and escape (c, or -1) that vary per row. */
gboolean
rt__k_like_dyn (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const RtStr *a = DATA (in->a, RtStr), *pat = DATA (in->b, RtStr);
  guint8 *r = DATA (in->dst, guint8);
  rt__valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      int esc = -1;
      r[i] = 0;
      if (!bit (VALID (in->dst), i))
        continue;
      if (in->c >= 0)
        {
          RtStr e = DATA (in->c, RtStr)[i];
          if (e.len != 1)
            return rt__fail_at (p, in->expr, error, "give one character, such as '\\'",
                                "LIKE escape '%.*s' is not a single character", (int) e.len, e.ptr);
          esc = (guchar) e.ptr[0];
        }
      if (!rt__like_tokenize (pat[i], esc, p->row, p->row2))
        return rt__fail_at (p, in->expr, error, "escape the escape character itself",
                            "LIKE pattern '%.*s' ends with its escape character",
                            (int) pat[i].len, pat[i].ptr);
      r[i] = like_general (a[i], (const char *) p->row->data, p->row2->data, p->row->len);
    }
  return TRUE;
}
