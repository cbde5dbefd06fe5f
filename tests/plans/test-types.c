/* test-types.c: SQL types, values, calendar and decimal text forms (plan-types.c), and
 * the expression helpers of plan-expr.c. Expected values are worked out by hand in the
 * comments next to them. */
#include "plans/plan-expr.h"

#include <math.h>
#include <string.h>

static const PlanSpan no_span = { 0 };

static void
test_type_strings (void)
{
  struct { PlanType type; const char *text; } cases[] = {
    { plan_type_make (PLAN_TYPE_BOOLEAN, TRUE), "BOOLEAN" },
    { plan_type_make (PLAN_TYPE_INT, FALSE), "INT NOT NULL" },
    { plan_type_make (PLAN_TYPE_BIGINT, FALSE), "BIGINT NOT NULL" },
    { plan_type_make (PLAN_TYPE_DOUBLE, TRUE), "DOUBLE" },
    { plan_type_decimal (10, 2, FALSE), "DECIMAL(10, 2) NOT NULL" },
    { plan_type_make (PLAN_TYPE_VARCHAR, TRUE), "VARCHAR" },
    { plan_type_make (PLAN_TYPE_DATE, TRUE), "DATE" },
    { plan_type_make (PLAN_TYPE_TIMESTAMP, TRUE), "TIMESTAMP(3)" },
    { plan_type_make (PLAN_TYPE_INTERVAL, FALSE), "INTERVAL NOT NULL" },
    { plan_type_make (PLAN_TYPE_NULL, TRUE), "NULL" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = plan_type_to_string (cases[i].type, TRUE);
      PlanType back;

      g_assert_cmpstr (text, ==, cases[i].text);
      g_assert_true (plan_type_from_string (text, &back));
      g_assert_true (plan_type_equal (back, cases[i].type));
    }
  {
    g_autofree char *plain = plan_type_to_string (plan_type_make (PLAN_TYPE_INT, FALSE), FALSE);
    PlanType t;

    g_assert_cmpstr (plain, ==, "INT");
    g_assert_true (plan_type_from_string ("decimal(5,1)", &t));
    g_assert_cmpint (t.kind, ==, PLAN_TYPE_DECIMAL);
    g_assert_cmpint (t.precision, ==, 5);
    g_assert_cmpint (t.scale, ==, 1);
    g_assert_true (t.nullable);
    g_assert_true (plan_type_from_string ("STRING NOT NULL", &t));
    g_assert_cmpint (t.kind, ==, PLAN_TYPE_VARCHAR);
    g_assert_false (t.nullable);
    g_assert_false (plan_type_from_string ("DECIMAL(20, 2)", &t));
    g_assert_false (plan_type_from_string ("DECIMAL(5, 6)", &t));
    g_assert_false (plan_type_from_string ("INT(3)", &t));
    g_assert_false (plan_type_from_string ("FLOATY", &t));
    g_assert_false (plan_type_from_string ("INT NOT NULL junk", &t));
    g_assert_false (plan_type_from_string ("", &t));
  }
  g_assert_false (plan_type_equal (plan_type_decimal (10, 2, TRUE),
                                   plan_type_decimal (10, 3, TRUE)));
  g_assert_false (plan_type_equal (plan_type_make (PLAN_TYPE_INT, TRUE),
                                   plan_type_make (PLAN_TYPE_INT, FALSE)));
  g_assert_true (plan_type_is_numeric (PLAN_TYPE_DECIMAL));
  g_assert_false (plan_type_is_numeric (PLAN_TYPE_VARCHAR));
  g_assert_cmpuint (plan_type_storage_size (PLAN_TYPE_INT), ==, 4);
  g_assert_cmpuint (plan_type_storage_size (PLAN_TYPE_TIMESTAMP), ==, 8);
  g_assert_cmpuint (plan_type_storage_size (PLAN_TYPE_BOOLEAN), ==, 1);
}

static void
check_date (const char *text, gint32 days)
{
  gint32 parsed = G_MININT32;
  char buf[32];

  g_assert_true (plan_parse_date (text, strlen (text), &parsed));
  g_assert_cmpint (parsed, ==, days);
  plan_format_date (days, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, text);
}

static void
test_dates (void)
{
  gint32 d;

  check_date ("1970-01-01", 0);
  check_date ("1969-12-31", -1);
  /* 30 years of 365 days plus 7 leap days (1972 ... 1996), then Jan 31 + Feb 29. */
  check_date ("2000-01-01", 10957);
  check_date ("2000-03-01", 10957 + 31 + 29);
  /* 70 years back with 17 leap days (1904 ... 1968; 1900 is not leap), then Jan + Feb. */
  check_date ("1900-01-01", -25567);
  check_date ("1900-03-01", -25567 + 31 + 28);
  /* 0001-01-01 is day 1 of the proleptic calendar; 1970-01-01 is day 719163. */
  check_date ("0001-01-01", -719162);
  g_assert_true (plan_parse_date ("2000-02-29", 10, &d));
  g_assert_false (plan_parse_date ("1900-02-29", 10, &d));
  g_assert_false (plan_parse_date ("2023-02-29", 10, &d));
  g_assert_false (plan_parse_date ("2023-13-01", 10, &d));
  g_assert_false (plan_parse_date ("2023-00-10", 10, &d));
  g_assert_false (plan_parse_date ("2023-1-01", 9, &d));
  g_assert_false (plan_parse_date ("2023-01-01x", 11, &d));
  g_assert_false (plan_parse_date ("", 0, &d));
}

static void
check_ts (const char *text, gint64 ms)
{
  gint64 parsed = G_MININT64;

  g_assert_true (plan_parse_timestamp (text, strlen (text), &parsed));
  g_assert_cmpint (parsed, ==, ms);
}

static void
test_timestamps (void)
{
  /* 2024-01-01 is 54 * 365 + 13 leap days = 19723 days after the epoch. */
  const gint64 jan2 = (gint64) 19724 * 86400000;
  const gint64 t = jan2 + (3 * 3600 + 4 * 60 + 5) * 1000 + 6;
  char buf[32];
  gint64 ms;

  check_ts ("1970-01-01 00:00:00", 0);
  check_ts ("2024-01-02 03:04:05.006", t);
  check_ts ("2024-01-02T03:04:05.006", t);
  check_ts ("2024-01-02 03:04:05.006999999", t); /* truncated, not rounded */
  check_ts ("2024-01-02 03:04:05.5", jan2 + 11045 * 1000 + 500);
  check_ts ("2024-01-02", jan2);
  check_ts ("1969-12-31 23:59:59.999", -1);
  check_ts ("1900-01-01 12:00:00", (gint64) -25567 * 86400000 + 12 * 3600000);
  plan_format_timestamp (t, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "2024-01-02 03:04:05.006");
  plan_format_timestamp (-1, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "1969-12-31 23:59:59.999");
  plan_format_timestamp ((gint64) -25567 * 86400000 - 1000, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "1899-12-31 23:59:59.000");
  plan_format_timestamp (0, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "1970-01-01 00:00:00.000");
  g_assert_false (plan_parse_timestamp ("2024-01-02 24:00:00", 19, &ms));
  g_assert_false (plan_parse_timestamp ("2024-01-02 03:60:00", 19, &ms));
  g_assert_false (plan_parse_timestamp ("2024-01-02 03:04", 16, &ms));
  g_assert_false (plan_parse_timestamp ("2024-01-02 03:04:05.", 20, &ms));
  g_assert_false (plan_parse_timestamp ("2024-01-02X03:04:05", 19, &ms));
  g_assert_false (plan_parse_timestamp ("2024-01-02 03:04:05.1234567890", 30, &ms));
  g_assert_false (plan_parse_timestamp ("yesterday", 9, &ms));
  /* Only len bytes count: the tail after them is ignored. */
  g_assert_true (plan_parse_timestamp ("2024-01-02 03:04:05zzz", 19, &ms));
  g_assert_cmpint (ms, ==, t - 6);
}

static void
test_decimals (void)
{
  gint64 v;
  char buf[64];

  g_assert_true (plan_parse_decimal ("12.34", 5, 2, &v));
  g_assert_cmpint (v, ==, 1234);
  g_assert_true (plan_parse_decimal ("-0.5", 4, 2, &v));
  g_assert_cmpint (v, ==, -50);
  g_assert_true (plan_parse_decimal ("7", 1, 3, &v));
  g_assert_cmpint (v, ==, 7000);
  g_assert_true (plan_parse_decimal (".25", 3, 2, &v));
  g_assert_cmpint (v, ==, 25);
  g_assert_true (plan_parse_decimal ("1.005", 5, 2, &v)); /* half away from zero */
  g_assert_cmpint (v, ==, 101);
  g_assert_true (plan_parse_decimal ("-1.005", 6, 2, &v));
  g_assert_cmpint (v, ==, -101);
  g_assert_true (plan_parse_decimal ("1.004", 5, 2, &v));
  g_assert_cmpint (v, ==, 100);
  g_assert_true (plan_parse_decimal ("9223372036854775807", 19, 0, &v));
  g_assert_cmpint (v, ==, G_MAXINT64);
  g_assert_true (plan_parse_decimal ("-9223372036854775808", 20, 0, &v));
  g_assert_cmpint (v, ==, G_MININT64);
  g_assert_false (plan_parse_decimal ("9223372036854775808", 19, 0, &v));
  g_assert_false (plan_parse_decimal ("99999999999999999999", 20, 0, &v));
  g_assert_false (plan_parse_decimal ("1e5", 3, 0, &v));
  g_assert_false (plan_parse_decimal ("", 0, 0, &v));
  g_assert_false (plan_parse_decimal ("-", 1, 0, &v));
  g_assert_false (plan_parse_decimal ("1.2.3", 5, 2, &v));

  plan_format_decimal (1234, 2, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "12.34");
  plan_format_decimal (-5, 2, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "-0.05");
  plan_format_decimal (7, 3, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "0.007");
  plan_format_decimal (0, 0, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "0");
  plan_format_decimal (100, 0, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "100");
  plan_format_decimal (G_MININT64, 0, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "-9223372036854775808");
}

static char *
double_text (double d)
{
  PlanValue v = { .type = plan_type_make (PLAN_TYPE_DOUBLE, TRUE), .v.d = d };

  return plan_value_to_string (&v, FALSE);
}

static void
test_double_text (void)
{
  struct { double d; const char *text; } cases[] = {
    { 0.1, "0.1" }, { 1.0, "1.0" }, { 1e20, "1.0E20" }, { -2.5, "-2.5" },
    { 100.0, "100.0" }, { 1234567.0, "1234567.0" }, { 1e7, "1.0E7" },
    { 0.001, "0.001" }, { 0.0001, "1.0E-4" }, { 123456789.0, "1.23456789E8" },
    { 1.0 / 3.0, "0.3333333333333333" }, { 0.0, "0.0" }, { -0.0, "-0.0" },
    { 2.5e-10, "2.5E-10" }, { INFINITY, "Infinity" }, { -INFINITY, "-Infinity" },
    { NAN, "NaN" }, { 12.375, "12.375" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = double_text (cases[i].d);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
check_value (PlanValue v, gboolean quote, const char *expected)
{
  g_autofree char *text = plan_value_to_string (&v, quote);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_value_text (void)
{
  PlanValue s = { .type = plan_type_make (PLAN_TYPE_VARCHAR, TRUE) };
  PlanValue copy;

  check_value ((PlanValue) { .type = plan_type_make (PLAN_TYPE_BOOLEAN, TRUE), .v.b = TRUE },
               FALSE, "TRUE");
  check_value ((PlanValue) { .type = plan_type_make (PLAN_TYPE_BOOLEAN, TRUE) }, FALSE,
               "FALSE");
  check_value ((PlanValue) { .type = plan_type_make (PLAN_TYPE_INT, TRUE), .v.i = -42 },
               FALSE, "-42");
  check_value ((PlanValue) { .type = plan_type_decimal (10, 2, TRUE), .v.i = 1234 }, FALSE,
               "12.34");
  check_value ((PlanValue) { .type = plan_type_decimal (10, 3, TRUE), .v.i = 5 }, FALSE,
               "0.005");
  check_value ((PlanValue) { .type = plan_type_make (PLAN_TYPE_DATE, TRUE), .v.i = 10957 },
               FALSE, "2000-01-01");
  check_value ((PlanValue) { .type = plan_type_make (PLAN_TYPE_TIMESTAMP, TRUE),
                             .v.i = 1500 }, FALSE, "1970-01-01 00:00:01.500");
  check_value ((PlanValue) { .type = plan_type_make (PLAN_TYPE_INTERVAL, TRUE),
                             .v.i = 5000 }, FALSE, "+0 00:00:05.000");
  /* 1 day, 1 h, 1 min, 1 s, 1 ms = 86400000 + 3600000 + 60000 + 1000 + 1 = 90061001. */
  check_value ((PlanValue) { .type = plan_type_make (PLAN_TYPE_INTERVAL, TRUE),
                             .v.i = -90061001 }, FALSE, "-1 01:01:01.001");
  check_value ((PlanValue) { .type = plan_type_make (PLAN_TYPE_INT, TRUE), .is_null = TRUE },
               TRUE, "NULL");
  check_value ((PlanValue) { .type = plan_type_make (PLAN_TYPE_NULL, TRUE), .is_null = TRUE },
               FALSE, "NULL");
  s.v.s = g_strdup ("it's");
  check_value (s, FALSE, "it's");
  check_value (s, TRUE, "'it''s'");
  plan_value_copy (&copy, &s);
  g_assert_true (copy.v.s != s.v.s);
  g_assert_cmpstr (copy.v.s, ==, "it's");
  plan_value_clear (&s);
  plan_value_clear (&copy);
  g_assert_null (copy.v.s);
  g_assert_cmpint (PLAN_ERROR, !=, 0);
  /* A NULL VARCHAR that still carries a string: copy and clear own it (ASan checks). */
  s.is_null = TRUE;
  s.v.s = g_strdup ("stale");
  plan_value_copy (&copy, &s);
  g_assert_true (copy.v.s != s.v.s);
  check_value (copy, TRUE, "NULL");
  plan_value_clear (&s);
  plan_value_clear (&copy);
}

/* ---- expressions ---------------------------------------------------------------------- */

static PlanSchema *
make_schema (void)
{
  PlanSchema *s = plan_schema_new (3);

  plan_schema_set_field (s, 0, "price", plan_type_make (PLAN_TYPE_BIGINT, FALSE));
  plan_schema_set_field (s, 1, "name", plan_type_make (PLAN_TYPE_VARCHAR, TRUE));
  plan_schema_set_field (s, 2, "ts", plan_type_make (PLAN_TYPE_TIMESTAMP, TRUE));
  return s;
}

static PlanExpr *
col (guint i, PlanTypeKind kind)
{
  return plan_expr_column (i, plan_type_make (kind, TRUE), no_span);
}

static PlanExpr *
int_lit (gint64 v)
{
  PlanValue value = { .type = plan_type_make (PLAN_TYPE_BIGINT, FALSE), .v.i = v };

  return plan_expr_literal (&value, no_span);
}

static PlanExpr *
str_lit (const char *s)
{
  PlanValue value = { .type = plan_type_make (PLAN_TYPE_VARCHAR, FALSE), .v.s = g_strdup (s) };

  return plan_expr_literal (&value, no_span);
}

static PlanExpr *
call (PlanFunc f, PlanTypeKind kind, guint n, ...)
{
  PlanExpr *args[8];
  va_list ap;

  va_start (ap, n);
  for (guint i = 0; i < n; i++)
    args[i] = va_arg (ap, PlanExpr *);
  va_end (ap);
  return plan_expr_call (f, plan_type_make (kind, TRUE), n, args, no_span);
}

static void
check_expr (PlanExpr *e, const PlanSchema *schema, const char *expected)
{
  g_autofree char *text = plan_expr_to_string (e, schema);

  g_assert_cmpstr (text, ==, expected);
  plan_expr_unref (e);
}

static void
test_expr_to_string (void)
{
  g_autoptr (PlanSchema) s = make_schema ();

  check_expr (call (PLAN_FUNC_AND, PLAN_TYPE_BOOLEAN, 2,
                    call (PLAN_FUNC_GT, PLAN_TYPE_BOOLEAN, 2, col (0, PLAN_TYPE_BIGINT),
                          int_lit (100)),
                    call (PLAN_FUNC_IS_NOT_NULL, PLAN_TYPE_BOOLEAN, 1,
                          col (1, PLAN_TYPE_VARCHAR))),
              s, "(price > 100) AND (name IS NOT NULL)");
  check_expr (call (PLAN_FUNC_MUL, PLAN_TYPE_BIGINT, 2,
                    call (PLAN_FUNC_ADD, PLAN_TYPE_BIGINT, 2, col (0, PLAN_TYPE_BIGINT),
                          int_lit (1)), int_lit (2)),
              NULL, "($0 + 1) * 2");
  check_expr (call (PLAN_FUNC_UPPER, PLAN_TYPE_VARCHAR, 1, col (1, PLAN_TYPE_VARCHAR)), s,
              "UPPER(name)");
  check_expr (plan_expr_call (PLAN_FUNC_CAST, plan_type_make (PLAN_TYPE_BIGINT, FALSE), 1,
                              (PlanExpr *[]) { col (1, PLAN_TYPE_VARCHAR) }, no_span),
              s, "CAST(name AS BIGINT)");
  check_expr (call (PLAN_FUNC_CASE, PLAN_TYPE_VARCHAR, 3,
                    call (PLAN_FUNC_LT, PLAN_TYPE_BOOLEAN, 2, col (0, PLAN_TYPE_BIGINT),
                          int_lit (0)),
                    str_lit ("neg"), str_lit ("it's")),
              s, "CASE WHEN price < 0 THEN 'neg' ELSE 'it''s' END");
  check_expr (call (PLAN_FUNC_NEG, PLAN_TYPE_BIGINT, 1, int_lit (-3)), NULL, "-(-3)");
  check_expr (call (PLAN_FUNC_NOT, PLAN_TYPE_BOOLEAN, 1,
                    call (PLAN_FUNC_IS_NULL, PLAN_TYPE_BOOLEAN, 1, col (1, PLAN_TYPE_VARCHAR))),
              s, "NOT (name IS NULL)");
  check_expr (call (PLAN_FUNC_BETWEEN, PLAN_TYPE_BOOLEAN, 3, col (0, PLAN_TYPE_BIGINT),
                    int_lit (1), int_lit (9)), s, "price BETWEEN 1 AND 9");
  check_expr (call (PLAN_FUNC_IN, PLAN_TYPE_BOOLEAN, 3, col (0, PLAN_TYPE_BIGINT),
                    int_lit (1), int_lit (2)), s, "price IN (1, 2)");
  check_expr (call (PLAN_FUNC_LIKE, PLAN_TYPE_BOOLEAN, 2, col (1, PLAN_TYPE_VARCHAR),
                    str_lit ("a%")), s, "name LIKE 'a%'");
  check_expr (call (PLAN_FUNC_EXTRACT_YEAR, PLAN_TYPE_BIGINT, 1,
                    col (2, PLAN_TYPE_TIMESTAMP)), s, "EXTRACT(YEAR FROM ts)");
  check_expr (call (PLAN_FUNC_COALESCE, PLAN_TYPE_VARCHAR, 2, col (1, PLAN_TYPE_VARCHAR),
                    str_lit ("")), s, "COALESCE(name, '')");
  check_expr (call (PLAN_FUNC_CURRENT_TIMESTAMP, PLAN_TYPE_TIMESTAMP, 0), s,
              "CURRENT_TIMESTAMP");
  check_expr (col (7, PLAN_TYPE_INT), s, "$7"); /* out of the schema: by index */
}

static void
test_expr_funcs (void)
{
  for (guint f = 0; f < PLAN_FUNC__COUNT; f++)
    {
      PlanFunc back = PLAN_FUNC__COUNT;
      const char *name = plan_func_name ((PlanFunc) f);

      g_assert_nonnull (name);
      g_assert_cmpstr (name, !=, "UNKNOWN");
      g_assert_true (plan_func_from_name (name, &back));
      g_assert_cmpuint (back, ==, f);
    }
  g_assert_cmpstr (plan_func_name (PLAN_FUNC_ADD), ==, "ADD");
  g_assert_cmpstr (plan_func_name (PLAN_FUNC_IS_NOT_NULL), ==, "IS_NOT_NULL");
  g_assert_false (plan_func_from_name ("FROBNICATE", NULL));
}

static void
test_expr_equal_and_columns (void)
{
  g_autoptr (PlanExpr) a = call (PLAN_FUNC_ADD, PLAN_TYPE_BIGINT, 2,
                                 col (2, PLAN_TYPE_BIGINT),
                                 call (PLAN_FUNC_MUL, PLAN_TYPE_BIGINT, 2,
                                       col (0, PLAN_TYPE_BIGINT), col (2, PLAN_TYPE_BIGINT)));
  g_autoptr (PlanExpr) b = call (PLAN_FUNC_ADD, PLAN_TYPE_BIGINT, 2,
                                 col (2, PLAN_TYPE_BIGINT),
                                 call (PLAN_FUNC_MUL, PLAN_TYPE_BIGINT, 2,
                                       col (0, PLAN_TYPE_BIGINT), col (2, PLAN_TYPE_BIGINT)));
  g_autoptr (PlanExpr) c = call (PLAN_FUNC_ADD, PLAN_TYPE_BIGINT, 2,
                                 col (2, PLAN_TYPE_BIGINT), int_lit (1));
  g_autoptr (GArray) cols = g_array_new (FALSE, FALSE, sizeof (guint));
  const guint map[3] = { 5, G_MAXUINT, 1 };
  g_autoptr (PlanExpr) r = NULL;
  g_autofree char *text = NULL;
  g_autoptr (PlanExpr) lit = int_lit (4);
  g_autoptr (PlanExpr) s1 = str_lit ("x");
  g_autoptr (PlanExpr) s2 = str_lit ("y");

  g_assert_true (plan_expr_equal (a, b));
  g_assert_false (plan_expr_equal (a, c));
  g_assert_false (plan_expr_equal (s1, s2));
  plan_expr_collect_columns (a, cols);
  g_assert_cmpuint (cols->len, ==, 2); /* 2 then 0, each once */
  g_assert_cmpuint (g_array_index (cols, guint, 0), ==, 2);
  g_assert_cmpuint (g_array_index (cols, guint, 1), ==, 0);
  r = plan_expr_remap_columns (a, map);
  text = plan_expr_to_string (r, NULL);
  g_assert_cmpstr (text, ==, "$1 + ($5 * $1)");
  g_assert_false (plan_expr_is_constant (a));
  g_assert_true (plan_expr_is_constant (lit));
  {
    g_autoptr (PlanExpr) k = call (PLAN_FUNC_ADD, PLAN_TYPE_BIGINT, 2, int_lit (1),
                                   int_lit (2));
    g_autoptr (PlanExpr) now = call (PLAN_FUNC_CURRENT_TIMESTAMP, PLAN_TYPE_TIMESTAMP, 0);

    g_assert_true (plan_expr_is_constant (k));
    g_assert_false (plan_expr_is_constant (now));
  }
}

static void
test_schema (void)
{
  g_autoptr (PlanSchema) s = make_schema ();
  PlanSchema *ref = plan_schema_ref (s);

  g_assert_cmpint (plan_schema_find (s, "NAME"), ==, 1);
  g_assert_cmpint (plan_schema_find (s, "Price"), ==, 0);
  g_assert_cmpint (plan_schema_find (s, "nope"), ==, -1);
  g_assert_cmpint (s->ref_count, ==, 2);
  plan_schema_unref (ref);
  g_assert_cmpint (s->ref_count, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plans/types/type-strings", test_type_strings);
  g_test_add_func ("/plans/types/dates", test_dates);
  g_test_add_func ("/plans/types/timestamps", test_timestamps);
  g_test_add_func ("/plans/types/decimals", test_decimals);
  g_test_add_func ("/plans/types/double-text", test_double_text);
  g_test_add_func ("/plans/types/value-text", test_value_text);
  g_test_add_func ("/plans/types/schema", test_schema);
  g_test_add_func ("/plans/types/expr-to-string", test_expr_to_string);
  g_test_add_func ("/plans/types/expr-func-names", test_expr_funcs);
  g_test_add_func ("/plans/types/expr-equal-columns", test_expr_equal_and_columns);
  return g_test_run ();
}
