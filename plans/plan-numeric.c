/* plan-numeric.c: the one copy of the exact-number rules that constant folding and the
 * expression engine share: powers of ten, DECIMAL rescaling, multiplication and division
 * in 128 bits with rounding half away from zero, overflow checks against a precision,
 * numbers read from text, and DOUBLE written as Java's Double.toString writes it.
 *
 * It lives in plans/ because dependencies point from the runtime to the optimizer to the
 * plans: this is the lowest layer both callers see. The functions work on single values
 * and report failure with a result, never a GError: the engine calls them per row and
 * words its own messages (with the expression and position), and folding simply leaves
 * an expression unfolded when a rule fails here. */
#include "plans/plan-numeric.h"

#include <math.h>
#include <string.h>

const gint64 plan_num_pow10[19] = {
  1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
  1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
  100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
  1000000000000000000LL,
};

/* ---- exact numbers ----------------------------------------------------------------- */

__int128
plan_num_pow10_128 (guint e)
{
  const __int128 e18 = plan_num_pow10[18];

  e = MIN (e, 38);
  if (e <= 18)
    return plan_num_pow10[e];
  if (e <= 36)
    return e18 * plan_num_pow10[e - 18];
  return e18 * e18 * plan_num_pow10[e - 36];
}

__int128
plan_num_div_round (__int128 v, __int128 d)
{
  __int128 q = v / d, r = v % d;
  __int128 ar = r < 0 ? -r : r;

  if (ar >= d - ar)
    q += v < 0 ? -1 : 1;
  return q;
}

gboolean
plan_dec_shift (__int128 v, int shift, __int128 *out)
{
  if (shift >= 0)
    return shift <= 38 && !__builtin_mul_overflow (v, plan_num_pow10_128 ((guint) shift), out);
  *out = shift < -38 ? 0 : plan_num_div_round (v, plan_num_pow10_128 ((guint) -shift));
  return TRUE;
}

gboolean
plan_dec_rescale (__int128 v, int shift, gint64 limit, gint64 *out)
{
  __int128 r;

  return shift <= 18 && plan_dec_shift (v, shift, &r) && plan_dec_narrow (r, limit, out);
}

gboolean
plan_dec_multiply (gint64 x, gint64 y, int shift, gint64 limit, gint64 *out)
{
  __int128 r;

  return plan_dec_shift ((__int128) x * y, shift, &r) && plan_dec_narrow (r, limit, out);
}

gboolean
plan_dec_divide (gint64 x, gint64 y, int shift, gint64 limit, gint64 *out)
{
  __int128 num, den;

  if (y == 0 || shift > 36 || shift < -36)
    return FALSE;
  if (__builtin_mul_overflow ((__int128) x, shift >= 0 ? plan_num_pow10_128 ((guint) shift) : 1,
                              &num)
      || __builtin_mul_overflow ((__int128) y,
                                 shift < 0 ? plan_num_pow10_128 ((guint) -shift) : 1, &den))
    return FALSE;
  if (den < 0)
    {
      den = -den;
      num = -num;
    }
  return plan_dec_narrow (plan_num_div_round (num, den), limit, out);
}

gboolean
plan_dec_from_digits (const char *dig, int k, int exp10, gboolean neg, int scale,
                      gint64 limit, gint64 *out)
{
  int shift = exp10 + scale;
  int keep = shift >= 0 ? k : k + shift;
  __int128 v = 0;

  for (int i = 0; i < keep; i++)
    if ((v = v * 10 + (dig[i] - '0')) > G_MAXINT64)
      return FALSE;
  for (int i = 0; i < shift && v != 0; i++)
    if ((v *= 10) > G_MAXINT64)
      return FALSE;
  if (keep >= 0 && keep < k && dig[keep] >= '5')
    v++;
  return plan_dec_narrow (neg ? -v : v, limit, out);
}

/* ---- numbers as text --------------------------------------------------------------- */

int
plan_num_shortest_digits (double d, char *digits, int *exp10)
{
  char buf[40], fmt[16];
  int lo = 1, hi = 17, k = 0;
  const char *s;

  d = fabs (d);
  while (lo < hi) /* the precision that round-trips, by bisection */
    {
      int mid = (lo + hi) / 2;

      g_snprintf (fmt, sizeof fmt, "%%.%de", mid - 1);
      g_ascii_formatd (buf, sizeof buf, fmt, d);
      if (g_ascii_strtod (buf, NULL) == d)
        hi = mid;
      else
        lo = mid + 1;
    }
  g_snprintf (fmt, sizeof fmt, "%%.%de", lo - 1);
  g_ascii_formatd (buf, sizeof buf, fmt, d);
  for (s = buf; *s && *s != 'e'; s++)
    if (g_ascii_isdigit (*s) && k < 23)
      digits[k++] = *s;
  *exp10 = *s ? (int) g_ascii_strtoll (s + 1, NULL, 10) : 0;
  while (k > 1 && digits[k - 1] == '0')
    k--;
  digits[k] = '\0';
  return k;
}

void
plan_num_format_double (double d, char *buf, gsize size)
{
  char dig[24], out[PLAN_NUM_TEXT_SIZE];
  int e, k, o = 0;

  if (isnan (d) || isinf (d) || d == 0)
    {
      g_strlcpy (buf, isnan (d) ? "NaN" : isinf (d) ? (d > 0 ? "Infinity" : "-Infinity")
                 : signbit (d) ? "-0.0" : "0.0", size);
      return;
    }
  k = plan_num_shortest_digits (d, dig, &e);
  if (d < 0)
    out[o++] = '-';
  if (fabs (d) >= 1e-3 && fabs (d) < 1e7) /* e is -3..6: at most 3 + 17 + 4 characters */
    {
      for (int i = 0; i <= e; i++)
        out[o++] = i < k ? dig[i] : '0';
      if (e < 0)
        out[o++] = '0';
      out[o++] = '.';
      for (int i = e + 1; i < 0; i++)
        out[o++] = '0';
      for (int i = MAX (e + 1, 0); i < k; i++)
        out[o++] = dig[i];
      if (k <= e + 1)
        out[o++] = '0';
      out[o] = '\0';
    }
  else
    {
      out[o++] = dig[0];
      out[o++] = '.';
      for (int i = 1; i < k; i++)
        out[o++] = dig[i];
      if (k == 1)
        out[o++] = '0';
      g_snprintf (out + o, sizeof out - (gsize) o, "E%d", e);
    }
  g_strlcpy (buf, out, size);
}

void
plan_num_format_interval (gint64 ms, char *buf, gsize size)
{
  guint64 a = ms < 0 ? 0 - (guint64) ms : (guint64) ms;

  g_snprintf (buf, size, "%c%" G_GUINT64_FORMAT " %02u:%02u:%02u.%03u", ms < 0 ? '-' : '+',
              a / 86400000, (guint) (a / 3600000 % 24), (guint) (a / 60000 % 60),
              (guint) (a / 1000 % 60), (guint) (a % 1000));
}

/* ---- text as numbers --------------------------------------------------------------- */

void
plan_num_trim (const char **s, gsize *len)
{
  while (*len > 0 && g_ascii_isspace ((*s)[0]))
    (*s)++, (*len)--;
  while (*len > 0 && g_ascii_isspace ((*s)[*len - 1]))
    (*len)--;
}

gboolean
plan_num_parse_bool (const char *s, gsize len, gboolean *out)
{
  static const char *const yes[] = { "true", "t", "yes", "y", "1" };
  static const char *const no[] = { "false", "f", "no", "n", "0" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      if (strlen (yes[i]) == len && g_ascii_strncasecmp (s, yes[i], len) == 0)
        return *out = TRUE, TRUE;
      if (strlen (no[i]) == len && g_ascii_strncasecmp (s, no[i], len) == 0)
        return *out = FALSE, TRUE;
    }
  return FALSE;
}

PlanNumParse
plan_num_parse_int64 (const char *s, gsize len, gint64 *out)
{
  gsize i = 0;
  gboolean neg = FALSE, range = FALSE;
  gint64 v = 0;

  if (i < len && (s[i] == '+' || s[i] == '-'))
    neg = s[i++] == '-';
  if (i == len)
    return PLAN_NUM_BAD;
  for (; i < len; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return PLAN_NUM_BAD;
      range |= __builtin_mul_overflow (v, 10, &v);
      range |= neg ? __builtin_sub_overflow (v, s[i] - '0', &v)
                   : __builtin_add_overflow (v, s[i] - '0', &v);
    }
  *out = v;
  return range ? PLAN_NUM_RANGE : PLAN_NUM_OK;
}

PlanNumParse
plan_num_parse_double (const char *s, gsize len, double *out)
{
  char small[64], *end;
  g_autofree char *big = NULL;
  char *text = small;

  if (len == 0 || memchr (s, 'x', len) || memchr (s, 'X', len))
    return PLAN_NUM_BAD;
  if (len >= sizeof small)
    text = big = g_malloc (len + 1);
  memcpy (text, s, len);
  text[len] = '\0';
  *out = g_ascii_strtod (text, &end);
  return end == text + len ? PLAN_NUM_OK : PLAN_NUM_BAD;
}

/* The exponent part "e[+-]digits" at s[*i] (clamped to +-100000), if there is one. */
static gboolean
parse_exponent (const char *s, gsize len, gsize *i, int *exp10)
{
  gboolean neg = FALSE;
  gsize start;

  *exp10 = 0;
  if (*i == len || (s[*i] != 'e' && s[*i] != 'E'))
    return TRUE;
  if (++*i < len && (s[*i] == '+' || s[*i] == '-'))
    neg = s[(*i)++] == '-';
  for (start = *i; *i < len && g_ascii_isdigit (s[*i]); (*i)++)
    *exp10 = MIN (*exp10 * 10 + (s[*i] - '0'), 100000);
  if (*i == start)
    return FALSE;
  *exp10 = neg ? -*exp10 : *exp10;
  return TRUE;
}

PlanNumParse
plan_dec_parse (const char *s, gsize len, int scale, gint64 limit, gint64 *out)
{
  char small[64];
  g_autofree char *big = NULL;
  char *dig = small;
  gsize i = 0;
  int k = 0, frac = 0, exp10 = 0;
  gboolean neg = FALSE, dot = FALSE;

  if (len >= sizeof small)
    dig = big = g_malloc (len + 1);
  if (i < len && (s[i] == '+' || s[i] == '-'))
    neg = s[i++] == '-';
  for (; i < len; i++)
    if (g_ascii_isdigit (s[i]))
      {
        dig[k++] = s[i];
        frac += dot;
      }
    else if (s[i] == '.' && !dot)
      dot = TRUE;
    else
      break;
  if (k == 0 || !parse_exponent (s, len, &i, &exp10) || i != len)
    return PLAN_NUM_BAD;
  return plan_dec_from_digits (dig, k, exp10 - frac, neg, scale, limit, out)
         ? PLAN_NUM_OK : PLAN_NUM_RANGE;
}
