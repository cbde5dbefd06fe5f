/* plan-types.c: the SQL type system of the plan model, scalar values, and the text forms of
 * dates, timestamps, intervals and decimals.
 *
 * Everything here is pure and allocation-light because every layer calls it: the binder
 * for literals, the engine's CSV reader for parsing, the REPL for printing. Calendar
 * arithmetic is proleptic Gregorian in UTC done with integer day counts (no libc time
 * zone functions), so results are the same on every host and for years before 1970.
 * Values print the way Flink's SQL client shows them (TRUE, 1.0E20, +0 00:00:05.000), so
 * a notebook's output reads the same on strom and on a Flink cluster. */
#include "plan-types.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MS_PER_SECOND G_GINT64_CONSTANT (1000)
#define MS_PER_DAY G_GINT64_CONSTANT (86400000)

GQuark
plan_error_quark (void)
{
  return g_quark_from_static_string ("plan-error-quark");
}

/* ---- types ---------------------------------------------------------------------------- */

PlanType
plan_type_make (PlanTypeKind kind, gboolean nullable)
{
  PlanType type = { .kind = kind, .precision = 0, .scale = 0, .nullable = nullable };

  if (kind == PLAN_TYPE_DECIMAL)
    type.precision = 10;
  else if (kind == PLAN_TYPE_TIMESTAMP)
    type.scale = 3;
  else if (kind == PLAN_TYPE_NULL)
    type.nullable = TRUE;
  return type;
}

PlanType
plan_type_decimal (guint precision, guint scale, gboolean nullable)
{
  PlanType type = { .kind = PLAN_TYPE_DECIMAL, .nullable = nullable };

  precision = CLAMP (precision, 1, 18);
  type.precision = (guint8) precision;
  type.scale = (guint8) MIN (scale, precision);
  return type;
}

const char *
plan_type_kind_name (PlanTypeKind kind)
{
  switch (kind)
    {
    case PLAN_TYPE_NULL: return "NULL";
    case PLAN_TYPE_BOOLEAN: return "BOOLEAN";
    case PLAN_TYPE_INT: return "INT";
    case PLAN_TYPE_BIGINT: return "BIGINT";
    case PLAN_TYPE_DOUBLE: return "DOUBLE";
    case PLAN_TYPE_DECIMAL: return "DECIMAL";
    case PLAN_TYPE_VARCHAR: return "VARCHAR";
    case PLAN_TYPE_DATE: return "DATE";
    case PLAN_TYPE_TIMESTAMP: return "TIMESTAMP";
    case PLAN_TYPE_INTERVAL: return "INTERVAL";
    default: return "UNKNOWN";
    }
}

char *
plan_type_to_string (PlanType type, gboolean with_null)
{
  const char *suffix = (with_null && !type.nullable && type.kind != PLAN_TYPE_NULL)
                         ? " NOT NULL" : "";

  switch (type.kind)
    {
    case PLAN_TYPE_DECIMAL:
      return g_strdup_printf ("DECIMAL(%u, %u)%s", type.precision, type.scale, suffix);
    case PLAN_TYPE_TIMESTAMP:
      return g_strdup_printf ("TIMESTAMP(%u)%s", type.scale ? type.scale : 3u, suffix);
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_BOOLEAN:
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DOUBLE:
    case PLAN_TYPE_VARCHAR:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_INTERVAL:
    default:
      return g_strconcat (plan_type_kind_name (type.kind), suffix, NULL);
    }
}

gboolean
plan_type_equal (PlanType a, PlanType b)
{
  if (a.kind != b.kind || !a.nullable != !b.nullable)
    return FALSE;
  if (a.kind == PLAN_TYPE_DECIMAL)
    return a.precision == b.precision && a.scale == b.scale;
  return TRUE;
}

/* Reads an optional "(n)" or "(n, m)" after a type name. Returns the number of integers
 * read (0, 1 or 2), or -1 on malformed text. *p is advanced past it. */
static int
parse_type_params (const char **p, guint *a, guint *b)
{
  const char *s = *p;
  int n = 0;
  guint *slots[2] = { a, b };

  while (*s == ' ')
    s++;
  if (*s != '(')
    return 0;
  s++;
  for (;;)
    {
      char *end;
      guint64 v;

      while (*s == ' ')
        s++;
      if (!g_ascii_isdigit (*s) || n == 2)
        return -1;
      v = g_ascii_strtoull (s, &end, 10);
      if (v > 1000000)
        return -1;
      *slots[n++] = (guint) v;
      s = end;
      while (*s == ' ')
        s++;
      if (*s == ')')
        break;
      if (*s != ',')
        return -1;
      s++;
    }
  *p = s + 1;
  return n;
}

static const struct {
  const char *name;
  PlanTypeKind kind;
} type_names[] = {
  { "NULL", PLAN_TYPE_NULL },       { "BOOLEAN", PLAN_TYPE_BOOLEAN },
  { "BOOL", PLAN_TYPE_BOOLEAN },    { "INTEGER", PLAN_TYPE_INT },
  { "INT", PLAN_TYPE_INT },         { "BIGINT", PLAN_TYPE_BIGINT },
  { "DOUBLE PRECISION", PLAN_TYPE_DOUBLE }, { "DOUBLE", PLAN_TYPE_DOUBLE },
  { "DECIMAL", PLAN_TYPE_DECIMAL }, { "NUMERIC", PLAN_TYPE_DECIMAL },
  { "DEC", PLAN_TYPE_DECIMAL },     { "VARCHAR", PLAN_TYPE_VARCHAR },
  { "STRING", PLAN_TYPE_VARCHAR },  { "CHAR", PLAN_TYPE_VARCHAR },
  { "DATE", PLAN_TYPE_DATE },       { "TIMESTAMP", PLAN_TYPE_TIMESTAMP },
  { "INTERVAL", PLAN_TYPE_INTERVAL },
};

gboolean
plan_type_from_string (const char *text, PlanType *out)
{
  const char *p;
  guint i, a = 0, b = 0;
  int n;
  PlanType type;

  g_return_val_if_fail (text != NULL && out != NULL, FALSE);
  p = text;
  while (*p == ' ')
    p++;
  for (i = 0; i < G_N_ELEMENTS (type_names); i++)
    {
      gsize len = strlen (type_names[i].name);

      if (g_ascii_strncasecmp (p, type_names[i].name, len) == 0
          && !g_ascii_isalnum (p[len]) && p[len] != '_')
        break;
    }
  if (i == G_N_ELEMENTS (type_names))
    return FALSE;
  type = plan_type_make (type_names[i].kind, TRUE);
  p += strlen (type_names[i].name);
  if (type.kind == PLAN_TYPE_INTERVAL)
    {
      /* Accept Flink's qualifiers ("INTERVAL DAY(2) TO SECOND(3)") by skipping them. */
      while (*p && g_ascii_strncasecmp (p, " NOT NULL", 9) != 0)
        p++;
    }
  n = parse_type_params (&p, &a, &b);
  if (n < 0)
    return FALSE;
  if (type.kind == PLAN_TYPE_DECIMAL && n > 0)
    {
      if (a < 1 || a > 18 || (n == 2 && b > a))
        return FALSE;
      type = plan_type_decimal (a, n == 2 ? b : 0, TRUE);
    }
  else if (type.kind == PLAN_TYPE_TIMESTAMP && n > 0)
    {
      if (n != 1 || a > 9)
        return FALSE;
    }
  else if (n > 0 && type.kind != PLAN_TYPE_VARCHAR)
    return FALSE;
  while (*p == ' ')
    p++;
  if (g_ascii_strncasecmp (p, "NOT NULL", 8) == 0)
    {
      if (type.kind == PLAN_TYPE_NULL)
        return FALSE;
      type.nullable = FALSE;
      p += 8;
    }
  else if (g_ascii_strncasecmp (p, "NULL", 4) == 0)
    p += 4;
  while (*p == ' ')
    p++;
  if (*p != '\0')
    return FALSE;
  *out = type;
  return TRUE;
}

gboolean
plan_type_is_numeric (PlanTypeKind kind)
{
  return kind == PLAN_TYPE_INT || kind == PLAN_TYPE_BIGINT || kind == PLAN_TYPE_DOUBLE
         || kind == PLAN_TYPE_DECIMAL;
}

gsize
plan_type_storage_size (PlanTypeKind kind)
{
  /* Mirrors RtStr (runtime/engine/rt-batch.h) without including the engine. */
  struct str_mirror { const char *ptr; guint32 len; };

  switch (kind)
    {
    case PLAN_TYPE_NULL: return 1;
    case PLAN_TYPE_BOOLEAN: return sizeof (guint8);
    case PLAN_TYPE_INT: return sizeof (gint32);
    case PLAN_TYPE_BIGINT: return sizeof (gint64);
    case PLAN_TYPE_DOUBLE: return sizeof (double);
    case PLAN_TYPE_DECIMAL: return sizeof (gint64);
    case PLAN_TYPE_VARCHAR: return sizeof (struct str_mirror);
    case PLAN_TYPE_DATE: return sizeof (gint32);
    case PLAN_TYPE_TIMESTAMP: return sizeof (gint64);
    case PLAN_TYPE_INTERVAL: return sizeof (gint64);
    default: return 8;
    }
}

/* ---- values --------------------------------------------------------------------------- */

void
plan_value_clear (PlanValue *value)
{
  if (value == NULL)
    return;
  /* A NULL VARCHAR may still own a string (set before is_null was); free it either way. */
  if (value->type.kind == PLAN_TYPE_VARCHAR)
    g_free (value->v.s);
  value->v.i = 0;
  value->v.s = NULL;
}

void
plan_value_copy (PlanValue *dest, const PlanValue *src)
{
  *dest = *src;
  if (src->type.kind == PLAN_TYPE_VARCHAR)
    dest->v.s = src->is_null ? g_strdup (src->v.s) : g_strdup (src->v.s ? src->v.s : "");
}

/* Java's Double.toString: the shortest digits that read back to the same double, plain
 * notation for 1e-3 <= |d| < 1e7 and "d.dddEn" otherwise, always with a fraction digit. */
static char *
format_double (double d)
{
  char buf[40], digits[24];
  int prec, exp10, nd = 0;
  const char *p;
  GString *out;

  if (isnan (d))
    return g_strdup ("NaN");
  if (isinf (d))
    return g_strdup (d > 0 ? "Infinity" : "-Infinity");
  if (d == 0)
    return g_strdup (signbit (d) ? "-0.0" : "0.0");
  for (prec = 0; prec < 17; prec++)
    {
      g_snprintf (buf, sizeof buf, "%.*e", prec, d);
      if (g_ascii_strtod (buf, NULL) == d)
        break;
    }
  p = buf;
  out = g_string_new (NULL);
  if (*p == '-')
    {
      g_string_append_c (out, '-');
      p++;
    }
  for (; *p && *p != 'e'; p++)
    if (g_ascii_isdigit (*p))
      digits[nd++] = *p;
  exp10 = atoi (p + 1);
  while (nd > 1 && digits[nd - 1] == '0')
    nd--;
  digits[nd] = '\0';
  if (fabs (d) >= 1e-3 && fabs (d) < 1e7)
    {
      if (exp10 >= 0)
        {
          int i;

          for (i = 0; i <= exp10; i++)
            g_string_append_c (out, i < nd ? digits[i] : '0');
          g_string_append_c (out, '.');
          g_string_append (out, nd > exp10 + 1 ? digits + exp10 + 1 : "0");
        }
      else
        {
          g_string_append (out, "0.");
          for (int i = 0; i < -exp10 - 1; i++)
            g_string_append_c (out, '0');
          g_string_append (out, digits);
        }
    }
  else
    g_string_append_printf (out, "%c.%sE%d", digits[0], nd > 1 ? digits + 1 : "0", exp10);
  return g_string_free (out, FALSE);
}

static void
format_interval (gint64 ms, char *buf, gsize size)
{
  guint64 mag = ms < 0 ? (guint64) 0 - (guint64) ms : (guint64) ms;
  guint64 days = mag / (guint64) MS_PER_DAY, rest = mag % (guint64) MS_PER_DAY;

  g_snprintf (buf, size, "%c%" G_GUINT64_FORMAT " %02u:%02u:%02u.%03u", ms < 0 ? '-' : '+',
              days, (guint) (rest / 3600000), (guint) (rest / 60000 % 60),
              (guint) (rest / 1000 % 60), (guint) (rest % 1000));
}

static char *
quote_string (const char *s)
{
  GString *out = g_string_new ("'");

  for (; *s; s++)
    {
      if (*s == '\'')
        g_string_append_c (out, '\'');
      g_string_append_c (out, *s);
    }
  g_string_append_c (out, '\'');
  return g_string_free (out, FALSE);
}

char *
plan_value_to_string (const PlanValue *value, gboolean quote)
{
  char buf[64];

  g_return_val_if_fail (value != NULL, NULL);
  if (value->is_null || value->type.kind == PLAN_TYPE_NULL)
    return g_strdup ("NULL");
  switch (value->type.kind)
    {
    case PLAN_TYPE_BOOLEAN:
      return g_strdup (value->v.b ? "TRUE" : "FALSE");
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
      return g_strdup_printf ("%" G_GINT64_FORMAT, value->v.i);
    case PLAN_TYPE_DOUBLE:
      return format_double (value->v.d);
    case PLAN_TYPE_DECIMAL:
      plan_format_decimal (value->v.i, value->type.scale, buf, sizeof buf);
      return g_strdup (buf);
    case PLAN_TYPE_VARCHAR:
      return quote ? quote_string (value->v.s ? value->v.s : "")
                   : g_strdup (value->v.s ? value->v.s : "");
    case PLAN_TYPE_DATE:
      plan_format_date ((gint32) value->v.i, buf, sizeof buf);
      return g_strdup (buf);
    case PLAN_TYPE_TIMESTAMP:
      plan_format_timestamp (value->v.i, buf, sizeof buf);
      return g_strdup (buf);
    case PLAN_TYPE_INTERVAL:
      format_interval (value->v.i, buf, sizeof buf);
      return g_strdup (buf);
    case PLAN_TYPE_NULL:
    default:
      return g_strdup ("NULL");
    }
}

/* ---- calendar ------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date. Years are counted from March so
 * the leap day falls at the end of a 400-year era of 146097 days. */
static gint64
days_from_civil (gint64 y, guint m, guint d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
civil_from_days (gint64 z, gint64 *y, guint *m, guint *d)
{
  gint64 era, doe, yoe, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = (guint) (doy - (153 * mp + 2) / 5 + 1);
  *m = (guint) (mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static guint
days_in_month (gint64 y, guint m)
{
  static const guint8 dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  gboolean leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

  return m == 2 && leap ? 29 : dim[m - 1];
}

void
plan_format_date (gint32 days, char *buf, gsize size)
{
  gint64 y;
  guint m, d;

  civil_from_days (days, &y, &m, &d);
  g_snprintf (buf, size, "%04" G_GINT64_FORMAT "-%02u-%02u", y, m, d);
}

void
plan_format_timestamp (gint64 ms, char *buf, gsize size)
{
  gint64 days = ms / MS_PER_DAY, rest = ms % MS_PER_DAY, y;
  guint m, d;

  if (rest < 0)
    {
      rest += MS_PER_DAY;
      days--;
    }
  civil_from_days (days, &y, &m, &d);
  g_snprintf (buf, size, "%04" G_GINT64_FORMAT "-%02u-%02u %02u:%02u:%02u.%03u", y, m, d,
              (guint) (rest / 3600000), (guint) (rest / 60000 % 60),
              (guint) (rest / 1000 % 60), (guint) (rest % 1000));
}

/* Reads exactly n digits at *p into *out. */
static gboolean
read_digits (const char **p, const char *end, guint n, guint *out)
{
  guint v = 0;

  if ((gsize) (end - *p) < n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      v = v * 10 + (guint) ((*p)[i] - '0');
    }
  *p += n;
  *out = v;
  return TRUE;
}

static void
trim_span (const char **text, const char **end)
{
  while (*text < *end && g_ascii_isspace (**text))
    (*text)++;
  while (*end > *text && g_ascii_isspace ((*end)[-1]))
    (*end)--;
}

/* Parses YYYY-MM-DD at *p; advances it. */
static gboolean
parse_ymd (const char **p, const char *end, gint64 *out_days)
{
  guint y, m, d;

  if (!read_digits (p, end, 4, &y) || *p >= end || **p != '-')
    return FALSE;
  (*p)++;
  if (!read_digits (p, end, 2, &m) || *p >= end || **p != '-')
    return FALSE;
  (*p)++;
  if (!read_digits (p, end, 2, &d))
    return FALSE;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month (y, m))
    return FALSE;
  *out_days = days_from_civil (y, m, d);
  return TRUE;
}

gboolean
plan_parse_date (const char *text, gsize len, gint32 *out_days)
{
  const char *end = text + len;
  gint64 days;

  g_return_val_if_fail (text != NULL, FALSE);
  trim_span (&text, &end);
  if (!parse_ymd (&text, end, &days) || text != end)
    return FALSE;
  if (out_days)
    *out_days = (gint32) days;
  return TRUE;
}

/* Parses HH:MM:SS[.f{1,9}] into milliseconds of the day (fraction truncated to ms). */
static gboolean
parse_hms (const char **p, const char *end, gint64 *out_ms)
{
  guint h, mi, s, frac = 0, nfrac = 0;

  if (!read_digits (p, end, 2, &h) || *p >= end || **p != ':')
    return FALSE;
  (*p)++;
  if (!read_digits (p, end, 2, &mi) || *p >= end || **p != ':')
    return FALSE;
  (*p)++;
  if (!read_digits (p, end, 2, &s))
    return FALSE;
  if (h > 23 || mi > 59 || s > 59)
    return FALSE;
  if (*p < end && **p == '.')
    {
      (*p)++;
      while (*p < end && g_ascii_isdigit (**p) && nfrac < 9)
        {
          if (nfrac < 3)
            frac = frac * 10 + (guint) (**p - '0');
          nfrac++;
          (*p)++;
        }
      if (nfrac == 0)
        return FALSE;
      for (guint k = nfrac; k < 3; k++)
        frac *= 10;
    }
  *out_ms = ((gint64) h * 3600 + mi * 60 + s) * MS_PER_SECOND + frac;
  return TRUE;
}

gboolean
plan_parse_timestamp (const char *text, gsize len, gint64 *out_ms)
{
  const char *end = text + len;
  gint64 days, ms = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  trim_span (&text, &end);
  if (!parse_ymd (&text, end, &days))
    return FALSE;
  if (text < end)
    {
      if (*text != ' ' && *text != 'T' && *text != 't')
        return FALSE;
      text++;
      if (!parse_hms (&text, end, &ms) || text != end)
        return FALSE;
    }
  if (out_ms)
    *out_ms = days * MS_PER_DAY + ms;
  return TRUE;
}

/* ---- decimals ------------------------------------------------------------------------- */

gboolean
plan_parse_decimal (const char *text, gsize len, guint scale, gint64 *out)
{
  const char *p = text, *end = text + len;
  gboolean neg = FALSE, any = FALSE, round_up = FALSE;
  guint64 mag = 0;
  guint frac_digits = 0;
  const guint64 limit = (guint64) G_MAXINT64 + 1;

  g_return_val_if_fail (text != NULL, FALSE);
  if (scale > 18)
    return FALSE;
  trim_span (&p, &end);
  if (p < end && (*p == '-' || *p == '+'))
    neg = *p++ == '-';
  for (; p < end && g_ascii_isdigit (*p); p++, any = TRUE)
    {
      if (mag > (limit - (guint64) (*p - '0')) / 10)
        return FALSE;
      mag = mag * 10 + (guint64) (*p - '0');
    }
  if (p < end && *p == '.')
    {
      for (p++; p < end && g_ascii_isdigit (*p); p++, any = TRUE)
        {
          if (frac_digits >= scale)
            {
              /* Extra digits: round half away from zero, like a SQL cast. */
              if (frac_digits++ == scale)
                round_up = *p >= '5';
              continue;
            }
          if (mag > (limit - (guint64) (*p - '0')) / 10)
            return FALSE;
          mag = mag * 10 + (guint64) (*p - '0');
          frac_digits++;
        }
    }
  if (!any || p != end)
    return FALSE;
  for (; frac_digits < scale; frac_digits++)
    {
      if (mag > limit / 10)
        return FALSE;
      mag *= 10;
    }
  mag += round_up;
  if (mag > limit || (!neg && mag == limit))
    return FALSE;
  if (out)
    *out = neg ? (gint64) (0 - mag) : (gint64) mag;
  return TRUE;
}

void
plan_format_decimal (gint64 scaled, guint scale, char *buf, gsize size)
{
  guint64 mag = scaled < 0 ? (guint64) 0 - (guint64) scaled : (guint64) scaled;
  char digits[32];
  int n;

  scale = MIN (scale, 18u); /* DECIMAL's limit; also keeps digits[] in bounds */
  n = g_snprintf (digits, sizeof digits, "%0*" G_GUINT64_FORMAT, (int) scale + 1, mag);
  if (scale == 0)
    g_snprintf (buf, size, "%s%s", scaled < 0 ? "-" : "", digits);
  else
    g_snprintf (buf, size, "%s%.*s.%s", scaled < 0 ? "-" : "", n - (int) scale, digits,
                digits + n - (int) scale);
}
