/* test-numeric.c: the shared exact-number helpers (plans/plan-numeric.c) that constant
 * folding and the expression engine both call. Every expected value was worked out by
 * hand: DECIMALs are written as their scaled integers (1.25 at scale 2 is 125). */
#include "plans/plan-numeric.h"

#include <math.h>
#include <string.h>

static void
test_pow10 (void)
{
  g_assert_cmpint (plan_num_pow10[0], ==, 1);
  g_assert_cmpint (plan_num_pow10[18], ==, G_GINT64_CONSTANT (1000000000000000000));
  g_assert_cmpint (plan_dec_limit (1), ==, 10);
  g_assert_cmpint (plan_dec_limit (18), ==, G_GINT64_CONSTANT (1000000000000000000));
  g_assert_cmpint (plan_dec_limit (0), ==, 0);
  g_assert_cmpint (plan_dec_limit (19), ==, 0);
  /* 10^20 = 100000000000000000000 and 10^38 through 10^18 x 10^18 x 100 */
  g_assert_true (plan_num_pow10_128 (20) == (__int128) 10000000000 * 10000000000);
  g_assert_true (plan_num_pow10_128 (38) / plan_num_pow10_128 (36) == 100);
  g_assert_true (plan_num_pow10_128 (50) == plan_num_pow10_128 (38));
}

static void
test_round_half_away (void)
{
  /* 25 / 10 = 2.5 -> 3, -25 / 10 -> -3, 24 / 10 -> 2, -24 / 10 -> -2, -26 / 10 -> -3 */
  g_assert_true (plan_num_div_round (25, 10) == 3);
  g_assert_true (plan_num_div_round (-25, 10) == -3);
  g_assert_true (plan_num_div_round (24, 10) == 2);
  g_assert_true (plan_num_div_round (-24, 10) == -2);
  g_assert_true (plan_num_div_round (-26, 10) == -3);
  /* odd divisor: 5 / 3 = 1.67 -> 2; -4 / 3 = -1.33 -> -1 */
  g_assert_true (plan_num_div_round (5, 3) == 2);
  g_assert_true (plan_num_div_round (-4, 3) == -1);
}

static void
test_rescale (void)
{
  gint64 v;
  __int128 w;

  /* -1.235 (scale 3) to scale 2: -1.24; 1.234 -> 1.23; -0.005 -> -0.01 */
  g_assert_true (plan_dec_rescale (-1235, -1, 0, &v));
  g_assert_cmpint (v, ==, -124);
  g_assert_true (plan_dec_rescale (1234, -1, 0, &v));
  g_assert_cmpint (v, ==, 123);
  g_assert_true (plan_dec_rescale (-5, -1, 0, &v));
  g_assert_cmpint (v, ==, -1);
  /* 42 to DECIMAL(5,2) is 4200; to DECIMAL(3,2) it is out of range (4200 >= 1000) */
  g_assert_true (plan_dec_rescale (42, 2, plan_dec_limit (5), &v));
  g_assert_cmpint (v, ==, 4200);
  g_assert_false (plan_dec_rescale (42, 2, plan_dec_limit (3), &v));
  /* shifts above 18 are refused as casts; a shift far below zero gives 0 */
  g_assert_false (plan_dec_rescale (1, 19, 0, &v));
  g_assert_true (plan_dec_rescale (G_MAXINT64, -40, 0, &v));
  g_assert_cmpint (v, ==, 0);
  /* the raw shift overflows 128 bits: 2^63 x 10^38 > 2^127 */
  g_assert_false (plan_dec_shift ((__int128) G_MAXINT64, 38, &w));
  g_assert_true (plan_dec_shift (-7, 1, &w) && w == -70);
}

static void
test_max_precision (void)
{
  gint64 v;
  const gint64 max18 = G_GINT64_CONSTANT (999999999999999999); /* 18 nines */

  /* 18 digits fit DECIMAL(18, s); 19 do not */
  g_assert_true (plan_dec_fits (max18, plan_dec_limit (18)));
  g_assert_true (plan_dec_fits (-max18, plan_dec_limit (18)));
  g_assert_false (plan_dec_fits (max18 + 1, plan_dec_limit (18)));
  g_assert_false (plan_dec_fits (-max18 - 1, plan_dec_limit (18)));
  /* without a limit the int64 range counts, less its most negative value */
  g_assert_true (plan_dec_fits (G_MAXINT64, 0));
  g_assert_false (plan_dec_fits ((__int128) G_MAXINT64 + 1, 0));
  g_assert_false (plan_dec_fits (G_MININT64, 0));
  /* 99999999999999999.9 + 0.1 (scale 1) = 10^17 at scale 1 = 10^18: 19 digits */
  g_assert_false (plan_dec_narrow ((__int128) max18 + 1, plan_dec_limit (18), &v));
  /* text with 18 digits reads; with 19 it is out of range of DECIMAL(18, 0) */
  g_assert_cmpint (plan_dec_parse ("999999999999999999", 18, 0, plan_dec_limit (18), &v), ==,
                   PLAN_NUM_OK);
  g_assert_cmpint (v, ==, max18);
  g_assert_cmpint (plan_dec_parse ("1000000000000000000", 19, 0, plan_dec_limit (18), &v), ==,
                   PLAN_NUM_RANGE);
  /* 0.9999999999999999995 to DECIMAL(18, 18) rounds up to 1.0: 19 digits, out of range */
  g_assert_cmpint (plan_dec_parse ("0.9999999999999999995", 21, 18, plan_dec_limit (18), &v),
                   ==, PLAN_NUM_RANGE);
  g_assert_cmpint (plan_dec_parse ("0.9999999999999999994", 21, 18, plan_dec_limit (18), &v),
                   ==, PLAN_NUM_OK);
  g_assert_cmpint (v, ==, max18);
}

static void
test_multiply_divide (void)
{
  gint64 v;

  /* 1.25 x 0.5 = 0.625 at scale 3; at scale 2 it rounds to 0.63, -0.625 to -0.63 */
  g_assert_true (plan_dec_multiply (125, 5, 0, 0, &v));
  g_assert_cmpint (v, ==, 625);
  g_assert_true (plan_dec_multiply (125, 5, -1, 0, &v));
  g_assert_cmpint (v, ==, 63);
  g_assert_true (plan_dec_multiply (-125, 5, -1, 0, &v));
  g_assert_cmpint (v, ==, -63);
  /* 10^10 x 10^10 = 10^20 does not fit 64 bits */
  g_assert_false (plan_dec_multiply (G_GINT64_CONSTANT (10000000000),
                                     G_GINT64_CONSTANT (10000000000), 0, 0, &v));
  /* 99.99 x 10.00 = 999.9000 fits DECIMAL(7,4) but not DECIMAL(6,4) */
  g_assert_true (plan_dec_multiply (9999, 1000, 0, plan_dec_limit (7), &v));
  g_assert_cmpint (v, ==, 9999000);
  g_assert_false (plan_dec_multiply (9999, 1000, 0, plan_dec_limit (6), &v));
  /* -2.00 / 3 at scale 2 (shift 2 - 2 + 0 = 0): -0.67; 2.00 / -3: -0.67; 1 / 8 at scale 2:
   * 0.125 -> 0.13 */
  g_assert_true (plan_dec_divide (-200, 3, 0, 0, &v));
  g_assert_cmpint (v, ==, -67);
  g_assert_true (plan_dec_divide (200, -3, 0, 0, &v));
  g_assert_cmpint (v, ==, -67);
  g_assert_true (plan_dec_divide (1, 8, 2, 0, &v));
  g_assert_cmpint (v, ==, 13);
  /* division by zero and absurd shifts fail */
  g_assert_false (plan_dec_divide (1, 0, 0, 0, &v));
  g_assert_false (plan_dec_divide (1, 1, 37, 0, &v));
  /* 1 / 3 at scale 18 = 0.333333333333333333 (18 threes) */
  g_assert_true (plan_dec_divide (1, 3, 18, plan_dec_limit (18), &v));
  g_assert_cmpint (v, ==, G_GINT64_CONSTANT (333333333333333333));
}

static void
test_digits (void)
{
  char dig[24];
  int e, k;
  gint64 v;

  /* 0.1 is read back from one digit: "1" x 10^-1 */
  k = plan_num_shortest_digits (0.1, dig, &e);
  g_assert_cmpint (k, ==, 1);
  g_assert_cmpstr (dig, ==, "1");
  g_assert_cmpint (e, ==, -1);
  /* 1.005 (really 1.00499999999999989...) has the shortest form 1.005, so DECIMAL(10,2)
   * gets 1.01, and -1.005 gets -1.01 */
  k = plan_num_shortest_digits (-1.005, dig, &e);
  g_assert_cmpstr (dig, ==, "1005");
  g_assert_cmpint (e, ==, 0);
  g_assert_true (plan_dec_from_digits (dig, k, e - (k - 1), TRUE, 2, plan_dec_limit (10), &v));
  g_assert_cmpint (v, ==, -101);
  /* 1e20 does not fit DECIMAL(10,2) */
  k = plan_num_shortest_digits (1e20, dig, &e);
  g_assert_false (plan_dec_from_digits (dig, k, e - (k - 1), FALSE, 2, plan_dec_limit (10),
                                        &v));
}

static void
check_double_text (double d, const char *want)
{
  char buf[PLAN_NUM_TEXT_SIZE];

  plan_num_format_double (d, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, want);
}

static void
test_format (void)
{
  char buf[64];

  check_double_text (100, "100.0");
  check_double_text (0.001, "0.001");
  check_double_text (-2.5, "-2.5");
  check_double_text (1e7, "1.0E7");
  check_double_text (1.5e-4, "1.5E-4");
  check_double_text (123456.789, "123456.789");
  check_double_text (-0.0, "-0.0");
  check_double_text (NAN, "NaN");
  check_double_text (-INFINITY, "-Infinity");
  check_double_text (-1.7976931348623157e308, "-1.7976931348623157E308");
  /* 1 day, 2 h, 3 min, 4.005 s; and minus 1 ms */
  plan_num_format_interval (93784005, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "+1 02:03:04.005");
  plan_num_format_interval (-1, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "-0 00:00:00.001");
}

static void
test_parse (void)
{
  gint64 i;
  double d;
  gboolean b = FALSE;
  const char *s = "  \t42 \n";
  gsize len = strlen (s);

  plan_num_trim (&s, &len);
  g_assert_cmpuint (len, ==, 2);
  g_assert_cmpint (plan_num_parse_int64 (s, len, &i), ==, PLAN_NUM_OK);
  g_assert_cmpint (i, ==, 42);
  /* the whole int64 range, and one past either end */
  g_assert_cmpint (plan_num_parse_int64 ("-9223372036854775808", 20, &i), ==, PLAN_NUM_OK);
  g_assert_cmpint (i, ==, G_MININT64);
  g_assert_cmpint (plan_num_parse_int64 ("9223372036854775808", 19, &i), ==, PLAN_NUM_RANGE);
  g_assert_cmpint (plan_num_parse_int64 ("-9223372036854775809", 20, &i), ==, PLAN_NUM_RANGE);
  g_assert_cmpint (plan_num_parse_int64 ("-", 1, &i), ==, PLAN_NUM_BAD);
  g_assert_cmpint (plan_num_parse_int64 ("12x", 3, &i), ==, PLAN_NUM_BAD);
  /* doubles: whole text only, no hexadecimal */
  g_assert_cmpint (plan_num_parse_double ("-4.2e1", 6, &d), ==, PLAN_NUM_OK);
  g_assert_cmpfloat (d, ==, -42.0);
  g_assert_cmpint (plan_num_parse_double ("0x10", 4, &d), ==, PLAN_NUM_BAD);
  g_assert_cmpint (plan_num_parse_double ("1.5 ", 4, &d), ==, PLAN_NUM_BAD);
  /* DECIMAL(10,2): -1.235 -> -1.24 (half away from zero), 1.5e1 -> 15.00, .5 -> 0.50 */
  g_assert_cmpint (plan_dec_parse ("-1.235", 6, 2, plan_dec_limit (10), &i), ==, PLAN_NUM_OK);
  g_assert_cmpint (i, ==, -124);
  g_assert_cmpint (plan_dec_parse ("1.5e1", 5, 2, plan_dec_limit (10), &i), ==, PLAN_NUM_OK);
  g_assert_cmpint (i, ==, 1500);
  g_assert_cmpint (plan_dec_parse (".5", 2, 2, plan_dec_limit (10), &i), ==, PLAN_NUM_OK);
  g_assert_cmpint (i, ==, 50);
  g_assert_cmpint (plan_dec_parse ("1e", 2, 2, 0, &i), ==, PLAN_NUM_BAD);
  g_assert_cmpint (plan_dec_parse ("1.2.3", 5, 2, 0, &i), ==, PLAN_NUM_BAD);
  g_assert_cmpint (plan_dec_parse ("123456789", 9, 2, plan_dec_limit (10), &i), ==,
                   PLAN_NUM_RANGE);
  /* booleans */
  g_assert_true (plan_num_parse_bool ("YES", 3, &b) && b);
  g_assert_true (plan_num_parse_bool ("f", 1, &b) && !b);
  g_assert_false (plan_num_parse_bool ("maybe", 5, &b));
}

static void
test_double_to_integer (void)
{
  g_assert_cmpint (plan_num_double_to_integer (-2.9, TRUE), ==, -2);
  g_assert_cmpint (plan_num_double_to_integer (3e9, TRUE), ==, G_MAXINT32);
  g_assert_cmpint (plan_num_double_to_integer (-1e300, FALSE), ==, G_MININT64);
  g_assert_cmpint (plan_num_double_to_integer (NAN, FALSE), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plans/numeric/pow10", test_pow10);
  g_test_add_func ("/plans/numeric/round-half-away", test_round_half_away);
  g_test_add_func ("/plans/numeric/rescale", test_rescale);
  g_test_add_func ("/plans/numeric/max-precision", test_max_precision);
  g_test_add_func ("/plans/numeric/multiply-divide", test_multiply_divide);
  g_test_add_func ("/plans/numeric/digits", test_digits);
  g_test_add_func ("/plans/numeric/format", test_format);
  g_test_add_func ("/plans/numeric/parse", test_parse);
  g_test_add_func ("/plans/numeric/double-to-integer", test_double_to_integer);
  return g_test_run ();
}
