/* plan-numeric.h: exact-number helpers shared by constant folding (optimizer/opt-fold.c)
 * and the expression engine (runtime/engine/rt-expr*.c, rt-source-csv.c).
 *
 * A DECIMAL(p, s) is stored as a 64-bit integer scaled by 10^s with p <= 18 digits; the
 * rules here (rounding half away from zero, what overflows, how text becomes a number and
 * a DOUBLE becomes text) are the engine's, and folding must produce exactly what the
 * engine would, so both call this one copy. Small helpers that kernels call inside their
 * loops are static inline. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* 10^0 .. 10^18, every power of ten an int64 holds. */
extern const gint64 plan_num_pow10[19];

/* 10^precision: one more than the largest scaled magnitude of a DECIMAL(precision); 0
 * outside 1..18 (then only the int64 range limits a value). */
static inline gint64
plan_dec_limit (guint precision)
{
  return precision >= 1 && precision <= 18 ? plan_num_pow10[precision] : 0;
}

/* TRUE when v fits an int64 without its most negative value and, when limit is not 0,
 * |v| < limit. */
static inline gboolean
plan_dec_fits (__int128 v, gint64 limit)
{
  if (v > G_MAXINT64 || v < -G_MAXINT64)
    return FALSE;
  return limit == 0 || (v < limit && v > -limit);
}

/* plan_dec_fits, storing v in *out when it fits. */
static inline gboolean
plan_dec_narrow (__int128 v, gint64 limit, gint64 *out)
{
  if (!plan_dec_fits (v, limit))
    return FALSE;
  *out = (gint64) v;
  return TRUE;
}

/* 10^e as a 128-bit integer, for e <= 38 (larger e gives 10^38). */
__int128 plan_num_pow10_128 (guint e);

/* v / d rounded half away from zero (-2.5 -> -3); d > 0. */
__int128 plan_num_div_round (__int128 v, __int128 d);

/* v times 10^shift, or divided by 10^-shift rounding half away from zero (a shift below
 * -38 gives 0). FALSE when the product overflows 128 bits or shift > 38. */
gboolean plan_dec_shift (__int128 v, int shift, __int128 *out);

/* A DECIMAL rescale as CAST does it: plan_dec_shift checked against limit (10^precision,
 * or 0 for the int64 range). Shifts above 18 are refused. */
gboolean plan_dec_rescale (__int128 v, int shift, gint64 limit, gint64 *out);

/* x * y of scaled values, the product scaled by 10^shift (rounded half away from zero
 * when shift < 0), checked against limit. */
gboolean plan_dec_multiply (gint64 x, gint64 y, int shift, gint64 limit, gint64 *out);

/* x / y of scaled values, the quotient scaled by 10^shift and rounded half away from
 * zero, checked against limit. FALSE also for y == 0 and |shift| > 36. */
gboolean plan_dec_divide (gint64 x, gint64 y, int shift, gint64 limit, gint64 *out);

/* The integer of the k digits dig[0..k) times 10^exp10 (negated when neg), scaled by
 * 10^scale, the dropped digits rounded half up in magnitude; FALSE when it does not fit
 * limit (10^precision, or 0 for the int64 range). */
gboolean plan_dec_from_digits (const char *dig, int k, int exp10, gboolean neg, int scale,
                               gint64 limit, gint64 *out);

/* DOUBLE to INT (to_int) or BIGINT as Java casts: toward zero, saturating, NaN gives 0. */
static inline gint64
plan_num_double_to_integer (double d, gboolean to_int)
{
  if (d != d)
    return 0;
  if (to_int)
    return d >= 2147483647.0 ? G_MAXINT32 : d <= -2147483648.0 ? G_MININT32 : (gint32) d;
  return d >= 9223372036854775807.0 ? G_MAXINT64
         : d <= -9223372036854775808.0 ? G_MININT64 : (gint64) d;
}

/* ---- text -------------------------------------------------------------------------- */

/* What reading text as a number found: a value, not a number, or a number out of range. */
typedef enum { PLAN_NUM_OK, PLAN_NUM_BAD, PLAN_NUM_RANGE } PlanNumParse;

/* Room a formatted number needs, terminator included. */
#define PLAN_NUM_TEXT_SIZE 48

/* The fewest significant digits (1..17) that read back as |d| (finite, not zero): digits
 * gets them without trailing zeros (at least 24 bytes), *exp10 the power of ten of the
 * first, so |d| = d1.d2...dk x 10^exp10. Returns k. */
int plan_num_shortest_digits (double d, char *digits, int *exp10);

/* CAST(d AS VARCHAR) as Java's Double.toString: plain for 1e-3 <= |d| < 1e7 ("100.0",
 * "0.001"), otherwise "d.dddE<n>" ("1.0E10"); "NaN", "Infinity", "-Infinity", "-0.0". */
void plan_num_format_double (double d, char *buf, gsize size);

/* An INTERVAL of ms milliseconds as "+D HH:MM:SS.fff" (sign always shown). */
void plan_num_format_interval (gint64 ms, char *buf, gsize size);

/* s[0..len) without leading and trailing ASCII white space. */
void plan_num_trim (const char **s, gsize *len);

/* true/t/yes/y/1 and false/f/no/n/0 in any case. */
gboolean plan_num_parse_bool (const char *s, gsize len, gboolean *out);

/* [+-]digits into an int64; RANGE when it overflows (the whole range, -2^63 included). */
PlanNumParse plan_num_parse_int64 (const char *s, gsize len, gint64 *out);

/* What g_ascii_strtod reads when it reads the whole text, hexadecimal excepted; the value
 * may be infinite ("1e999", "inf"). */
PlanNumParse plan_num_parse_double (const char *s, gsize len, double *out);

/* [+-]digits[.digits][e[+-]digits] as DECIMAL(limit = 10^precision, scale), the digits
 * beyond the scale rounded half up in magnitude. */
PlanNumParse plan_dec_parse (const char *s, gsize len, int scale, gint64 limit, gint64 *out);

G_END_DECLS
