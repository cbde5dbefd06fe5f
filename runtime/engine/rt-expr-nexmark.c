/* rt-expr-nexmark.c: the kernels of the scalar functions the Nexmark queries use beyond
 * the core set (DATE_FORMAT, SPLIT_INDEX, REGEXP_EXTRACT; INSTR is POSITION), with
 * Flink's semantics. They run like every kernel of rt-expr.c: one call per batch, NULL
 * in any argument gives NULL, and results the function itself makes NULL (an index out of
 * range, no match) clear the result's validity bit.
 *
 *   DATE_FORMAT(ts, pattern): Java DateTimeFormatter / SimpleDateFormat letters: y (yyyy,
 *     yy), M (M, MM, MMM Jan, MMMM January), d, H, h, m, s, S (fraction digits), a (AM/PM),
 *     E (EEE Mon, EEEE Monday), D (day of year); 'quoted text' and '' for a quote; other
 *     non-letters are copied. An unknown letter fails the query with its position, as
 *     Flink's formatter throws. The pattern is read per row (it is nearly always a
 *     constant and short, so this costs little next to the formatting).
 *   SPLIT_INDEX(s, sep, i): the i-th (0-based) piece of s split at every occurrence of the
 *     whole separator, empty pieces kept (Flink's splitByWholeSeparatorPreserveAllTokens);
 *     NULL when i < 0 or out of range, or s is empty; an empty separator leaves s whole.
 *   REGEXP_EXTRACT(s, re [, g]): group g (0: the whole match, the default) of the first
 *     match; NULL without a match, for a bad regex or a group out of range. Regexes are
 *     PCRE (GRegex), which agrees with Java's for the usual constructs; a batch compiles
 *     each distinct pattern once (the usual case: one per batch). */
#include "rt-expr-private.h"

#include <string.h>

static inline void
clear_bit (guint64 *valid, guint i)
{
  valid[i >> 6] &= ~(G_GUINT64_CONSTANT (1) << (i & 63));
}

/* ---- DATE_FORMAT --------------------------------------------------------------------- */

static const char *const month_names[] = {
  "January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December",
};
static const char *const day_names[] = {
  "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

typedef struct {
  gint64 year;
  gint month, day, hour, minute, second, ms, yday, wday; /* wday 0 = Monday */
} Civil;

/* Days since 1970-01-01 to a proleptic Gregorian date (era arithmetic: 400-year cycles
 * of 146097 days, years starting in March so the leap day is last). */
static void
civil_from_ms (gint64 ms, Civil *c)
{
  gint64 days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
  gint64 rem = ms - days * 86400000;
  gint64 z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;
  static const gint cum[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
  gboolean leap;

  c->day = (gint) (doy - (153 * mp + 2) / 5 + 1);
  c->month = (gint) (mp < 10 ? mp + 3 : mp - 9);
  c->year = yoe + era * 400 + (c->month <= 2);
  leap = (c->year % 4 == 0 && c->year % 100 != 0) || c->year % 400 == 0;
  c->yday = cum[c->month - 1] + c->day + (leap && c->month > 2);
  c->wday = (gint) (((days % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday */
  c->hour = (gint) (rem / 3600000);
  c->minute = (gint) (rem / 60000 % 60);
  c->second = (gint) (rem / 1000 % 60);
  c->ms = (gint) (rem % 1000);
}

/* v in decimal, zero-padded to width digits (a '-' first when negative). */
static void
put_num (GByteArray *out, gint64 v, guint width)
{
  char buf[32];
  guint64 u = v < 0 ? -(guint64) v : (guint64) v;
  int pos = sizeof buf;

  do
    {
      buf[--pos] = (char) ('0' + u % 10);
      u /= 10;
    }
  while (u > 0 || (guint) (sizeof buf - (gsize) pos) < MIN (width, 20u));
  if (v < 0)
    buf[--pos] = '-';
  g_byte_array_append (out, (const guint8 *) buf + pos, (guint) (sizeof buf - (gsize) pos));
}

static void
put_text (GByteArray *out, const char *text, gsize len)
{
  g_byte_array_append (out, (const guint8 *) text, (guint) len);
}

/* One run of `count` copies of `letter`; FALSE for a letter that is not supported. */
static gboolean
format_field (GByteArray *out, const Civil *c, char letter, guint count)
{
  switch (letter)
    {
    case 'y':
      put_num (out, count == 2 ? c->year % 100 : c->year, count);
      return TRUE;
    case 'M':
      if (count >= 3)
        put_text (out, month_names[c->month - 1], count == 3 ? 3
                  : strlen (month_names[c->month - 1]));
      else
        put_num (out, c->month, count);
      return TRUE;
    case 'E':
      put_text (out, day_names[c->wday], count <= 3 ? 3 : strlen (day_names[c->wday]));
      return TRUE;
    case 'd': put_num (out, c->day, count); return TRUE;
    case 'D': put_num (out, c->yday, count); return TRUE;
    case 'H': put_num (out, c->hour, count); return TRUE;
    case 'h': put_num (out, c->hour % 12 == 0 ? 12 : c->hour % 12, count); return TRUE;
    case 'm': put_num (out, c->minute, count); return TRUE;
    case 's': put_num (out, c->second, count); return TRUE;
    case 'a': put_text (out, c->hour < 12 ? "AM" : "PM", 2); return TRUE;
    case 'S':
      {
        gint64 v = c->ms;
        guint digits = MIN (count, 3u);

        for (guint k = digits; k < 3; k++)
          v /= 10;
        put_num (out, v, digits);
        for (guint k = 3; k < count; k++)
          put_text (out, "0", 1);
      }
      return TRUE;
    default:
      return FALSE;
    }
}

/* Formats ms by pattern into out; FALSE with *bad set to an unsupported letter. */
static gboolean
date_format (GByteArray *out, gint64 ms, RtStr pat, char *bad)
{
  Civil c;
  guint32 i = 0;

  civil_from_ms (ms, &c);
  g_byte_array_set_size (out, 0);
  while (i < pat.len)
    {
      char ch = pat.ptr[i];
      guint32 j = i + 1;

      if (ch == '\'')
        {
          if (j < pat.len && pat.ptr[j] == '\'')
            {
              put_text (out, "'", 1);
              i = j + 1;
              continue;
            }
          for (; j < pat.len; j++)
            {
              if (pat.ptr[j] == '\'' && j + 1 < pat.len && pat.ptr[j + 1] == '\'')
                put_text (out, "'", 1), j++;
              else if (pat.ptr[j] == '\'')
                break;
              else
                put_text (out, pat.ptr + j, 1);
            }
          i = j + 1;
          continue;
        }
      if (!g_ascii_isalpha (ch))
        {
          put_text (out, &ch, 1);
          i++;
          continue;
        }
      while (j < pat.len && pat.ptr[j] == ch)
        j++;
      if (!format_field (out, &c, ch, j - i))
        {
          *bad = ch;
          return FALSE;
        }
      i = j;
    }
  return TRUE;
}

gboolean
rt__k_date_format (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const gint64 *ts = DATA (in->a, gint64);
  const RtStr *pat = DATA (in->b, RtStr);
  RtStr *r = DATA (in->dst, RtStr);
  char bad = 0;

  rt__valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      r[i] = empty_str;
      if (!bit (VALID (in->dst), i))
        continue;
      if (!date_format (p->row, ts[i], pat[i], &bad))
        return rt__fail_at (p, in->expr, error, "use the letters y M d H h m s S a E D, and "
                            "quote text as 'text'", "DATE_FORMAT pattern letter '%c' is not "
                            "supported", bad);
      if (!rt__put_str (p, &r[i], (const char *) p->row->data, p->row->len, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- SPLIT_INDEX --------------------------------------------------------------------- */

/* Byte offset of needle in hay at or after from, or G_MAXSIZE. */
static gsize
find_from (RtStr hay, gsize from, RtStr needle)
{
  const char *at;

  if (needle.len == 0 || hay.len < needle.len)
    return G_MAXSIZE;
  while (from + needle.len <= hay.len
         && (at = memchr (hay.ptr + from, needle.ptr[0], hay.len - needle.len + 1 - from)))
    {
      if (memcmp (at, needle.ptr, needle.len) == 0)
        return (gsize) (at - hay.ptr);
      from = (gsize) (at - hay.ptr) + 1;
    }
  return G_MAXSIZE;
}

gboolean
rt__k_split_index (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const RtStr *s = DATA (in->a, RtStr), *sep = DATA (in->b, RtStr);
  const gint64 *idx = DATA (in->c, gint64);
  RtStr *r = DATA (in->dst, RtStr);

  rt__valid_and (p, in, n);
  for (guint i = 0; i < n; i++)
    {
      gsize start = 0, at;
      gint64 k = idx[i];

      r[i] = empty_str;
      if (!bit (VALID (in->dst), i))
        continue;
      if (k < 0 || s[i].len == 0)
        {
          clear_bit (VALID (in->dst), i);
          continue;
        }
      for (; k > 0; k--)
        {
          if ((at = find_from (s[i], start, sep[i])) == G_MAXSIZE)
            break;
          start = at + sep[i].len;
        }
      if (k > 0)
        {
          clear_bit (VALID (in->dst), i);
          continue;
        }
      at = find_from (s[i], start, sep[i]);
      if (at == G_MAXSIZE)
        at = s[i].len;
      if (!rt__put_str (p, &r[i], s[i].ptr + start, at - start, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- REGEXP_EXTRACT ------------------------------------------------------------------ */

gboolean
rt__k_regexp_extract (RtProgram *p, const RtInstr *in, guint n, GError **error)
{
  const RtStr *s = DATA (in->a, RtStr), *re = DATA (in->b, RtStr);
  const gint64 *group = in->c >= 0 ? DATA (in->c, gint64) : NULL;
  RtStr *r = DATA (in->dst, RtStr);
  g_autoptr (GRegex) regex = NULL;
  g_autofree char *pattern = NULL;
  gboolean ok = TRUE;

  rt__valid_and (p, in, n);
  for (guint i = 0; i < n && ok; i++)
    {
      g_autoptr (GMatchInfo) match = NULL;
      gint64 g = group != NULL ? group[i] : 0;
      gint from = -1, to = -1;

      r[i] = empty_str;
      if (!bit (VALID (in->dst), i))
        continue;
      if (pattern == NULL || strlen (pattern) != re[i].len
          || memcmp (pattern, re[i].ptr, re[i].len) != 0)
        {
          g_clear_pointer (&regex, g_regex_unref);
          g_free (pattern);
          pattern = g_strndup (re[i].ptr, re[i].len);
          regex = g_regex_new (pattern, G_REGEX_RAW, 0, NULL);
        }
      if (regex == NULL || g < 0 || g > g_regex_get_capture_count (regex)
          || !g_regex_match_full (regex, s[i].len > 0 ? s[i].ptr : "", s[i].len, 0, 0,
                                  &match, NULL)
          || !g_match_info_fetch_pos (match, (gint) g, &from, &to) || from < 0)
        {
          clear_bit (VALID (in->dst), i);
          continue;
        }
      ok = rt__put_str (p, &r[i], s[i].ptr + from, (gsize) (to - from), error);
    }
  return ok;
}
