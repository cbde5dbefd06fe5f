/* test-print.c: the REPL's result formats on hand-built rows, no engine involved.
 *
 * Every expected text below was worked out by hand from the format rules in
 * repl/README.md (column widths, alignment, quoting, escaping). */
#include "repl/repl.h"

#include <json-glib/json-glib.h>
#include <math.h>

/* 2024-01-02 03:04:05.006 UTC: 19724 days (54 years with 13 leap days, plus one) since
 * 1970-01-01, times 86400000, plus 3 h 4 min 5.006 s. */
#define TS_2024_01_02 G_GINT64_CONSTANT (1704164645006)
#define DAYS_2024_01_02 19724

/* ---- builders ---------------------------------------------------------------------- */

typedef struct {
  const char *name;
  PlanType type;
} Col;

static PlanSchema *
schema_of (const Col *cols, guint n)
{
  PlanSchema *schema = plan_schema_new (n);

  for (guint i = 0; i < n; i++)
    plan_schema_set_field (schema, i, cols[i].name, cols[i].type);
  return schema;
}

static PlanType
ty (PlanTypeKind kind)
{
  PlanType type = { kind, 0, kind == PLAN_TYPE_TIMESTAMP ? 3 : 0, TRUE };

  return type;
}

static PlanType
ty_decimal (guint precision, guint scale)
{
  PlanType type = { PLAN_TYPE_DECIMAL, precision, scale, TRUE };

  return type;
}

static PlanValue
v_null (PlanTypeKind kind)
{
  PlanValue value = { ty (kind), TRUE, { 0 } };

  return value;
}

static PlanValue
v_int (PlanTypeKind kind, gint64 i)
{
  PlanValue value = { ty (kind), FALSE, { .i = i } };

  return value;
}

static PlanValue
v_dec (guint precision, guint scale, gint64 scaled)
{
  PlanValue value = { ty_decimal (precision, scale), FALSE, { .i = scaled } };

  return value;
}

static PlanValue
v_str (const char *s)
{
  PlanValue value = { ty (PLAN_TYPE_VARCHAR), FALSE, { .s = (char *) s } };

  return value;
}

static PlanValue
v_bool (gboolean b)
{
  PlanValue value = { ty (PLAN_TYPE_BOOLEAN), FALSE, { .b = b } };

  return value;
}

static PlanValue
v_double (double d)
{
  PlanValue value = { ty (PLAN_TYPE_DOUBLE), FALSE, { .d = d } };

  return value;
}

/* Feeds rows (n_rows * n_cols values, kinds[] or all +I) and returns all the text. */
static char *
print_rows (ReplFormat format, gboolean changelog, guint max_rows, const Col *cols,
            guint n_cols, PlanValue *values, const RtRowKind *kinds, guint n_rows)
{
  g_autoptr (PlanSchema) schema = schema_of (cols, n_cols);
  g_autoptr (ReplPrinter) printer = repl_printer_new (format, schema, changelog);
  GString *out = g_string_new (NULL);

  if (max_rows > 0)
    repl_printer_set_max_rows (printer, max_rows);
  for (guint r = 0; r < n_rows; r++)
    {
      GwRow row = { kinds != NULL ? kinds[r] : RT_ROW_INSERT, n_cols, values + r * n_cols };

      repl_printer_add_row (printer, &row, out);
    }
  g_assert_cmpuint (repl_printer_get_n_rows (printer), ==, n_rows);
  repl_printer_finish (printer, out);
  return g_string_free (out, FALSE);
}

/* ---- table ------------------------------------------------------------------------- */

static void
test_table_basic (void)
{
  const Col cols[] = {
    { "id", ty (PLAN_TYPE_INT) },
    { "name", ty (PLAN_TYPE_VARCHAR) },
    { "price", ty_decimal (6, 2) },
  };
  PlanValue values[] = {
    v_int (PLAN_TYPE_INT, 1), v_str ("Alice"), v_dec (6, 2, 1250),
    v_int (PLAN_TYPE_INT, 22), v_null (PLAN_TYPE_VARCHAR), v_dec (6, 2, -305),
    v_int (PLAN_TYPE_INT, 333), v_str ("Bob, \"the\" builder"), v_null (PLAN_TYPE_DECIMAL),
  };
  g_autofree char *text = print_rows (REPL_FORMAT_TABLE, FALSE, 0, cols, 3, values, NULL, 3);

  g_assert_cmpstr (text, ==,
                   "+-----+--------------------+--------+\n"
                   "|  id | name               |  price |\n"
                   "+-----+--------------------+--------+\n"
                   "|   1 | Alice              |  12.50 |\n"
                   "|  22 | <NULL>             |  -3.05 |\n"
                   "| 333 | Bob, \"the\" builder | <NULL> |\n"
                   "+-----+--------------------+--------+\n"
                   "3 rows in set\n");
}

static void
test_table_unicode (void)
{
  const Col cols[] = {
    { "city", ty (PLAN_TYPE_VARCHAR) },
    { "n", ty (PLAN_TYPE_BIGINT) },
  };
  PlanValue values[] = {
    v_str ("Z\u00fcrich"), v_int (PLAN_TYPE_BIGINT, 5),
    v_str ("\u6771\u4eac"), v_int (PLAN_TYPE_BIGINT, G_GINT64_CONSTANT (12345678901)),
    v_str ("a\tb"), v_null (PLAN_TYPE_BIGINT),
    v_str ("Cafe\u0301"), v_int (PLAN_TYPE_BIGINT, 0),
    v_str ("x\xffy"), v_int (PLAN_TYPE_BIGINT, -7),
  };
  g_autofree char *text = print_rows (REPL_FORMAT_TABLE, FALSE, 0, cols, 2, values, NULL, 5);

  /* 東京 is two wide characters (4 columns); the combining accent takes none; the tab
   * is shown as \t; the invalid byte as U+FFFD */
  g_assert_cmpstr (text, ==,
                   "+--------+-------------+\n"
                   "| city   |           n |\n"
                   "+--------+-------------+\n"
                   "| Z\u00fcrich |           5 |\n"
                   "| \u6771\u4eac   | 12345678901 |\n"
                   "| a\\tb   |      <NULL> |\n"
                   "| Cafe\u0301   |           0 |\n"
                   "| x\ufffdy    |          -7 |\n"
                   "+--------+-------------+\n"
                   "5 rows in set\n");
}

static void
test_table_one_row (void)
{
  const Col cols[] = { { "x", ty (PLAN_TYPE_BOOLEAN) } };
  PlanValue values[] = { v_bool (TRUE) };
  g_autofree char *text = print_rows (REPL_FORMAT_TABLE, FALSE, 0, cols, 1, values, NULL, 1);

  g_assert_cmpstr (text, ==,
                   "+------+\n"
                   "| x    |\n"
                   "+------+\n"
                   "| TRUE |\n"
                   "+------+\n"
                   "1 row in set\n");
}

static void
test_table_empty (void)
{
  const Col cols[] = { { "a", ty (PLAN_TYPE_INT) }, { "b", ty (PLAN_TYPE_VARCHAR) } };
  g_autofree char *text = print_rows (REPL_FORMAT_TABLE, FALSE, 0, cols, 2, NULL, NULL, 0);

  g_assert_cmpstr (text, ==,
                   "+---+---+\n"
                   "| a | b |\n"
                   "+---+---+\n"
                   "0 rows in set\n");
}

static void
test_table_doubles (void)
{
  const Col cols[] = { { "d", ty (PLAN_TYPE_DOUBLE) } };
  PlanValue values[] = {
    v_double (3.5), v_double (100), v_double (0.1), v_double (-0.25), v_double (1e300),
    v_double (NAN),
  };
  g_autofree char *text = print_rows (REPL_FORMAT_TABLE, FALSE, 0, cols, 1, values, NULL, 6);

  /* shortest text that reads back the same double, always with a point or exponent */
  g_assert_cmpstr (text, ==,
                   "+--------+\n"
                   "|      d |\n"
                   "+--------+\n"
                   "|    3.5 |\n"
                   "|  100.0 |\n"
                   "|    0.1 |\n"
                   "|  -0.25 |\n"
                   "| 1e+300 |\n"
                   "|    NaN |\n"
                   "+--------+\n"
                   "6 rows in set\n");
}

/* A changelog result shown as a table is the materialized result. */
static void
test_table_changelog (void)
{
  const Col cols[] = { { "word", ty (PLAN_TYPE_VARCHAR) }, { "cnt", ty (PLAN_TYPE_BIGINT) } };
  PlanValue values[] = {
    v_str ("a"), v_int (PLAN_TYPE_BIGINT, 1),
    v_str ("b"), v_int (PLAN_TYPE_BIGINT, 1),
    v_str ("a"), v_int (PLAN_TYPE_BIGINT, 1),
    v_str ("a"), v_int (PLAN_TYPE_BIGINT, 2),
    v_str ("b"), v_int (PLAN_TYPE_BIGINT, 1),
    v_str ("c"), v_int (PLAN_TYPE_BIGINT, 1),
    v_str ("c"), v_int (PLAN_TYPE_BIGINT, 1),
    v_str ("c"), v_int (PLAN_TYPE_BIGINT, 1),
    v_str ("z"), v_int (PLAN_TYPE_BIGINT, 9), /* retracts nothing: ignored */
  };
  const RtRowKind kinds[] = {
    RT_ROW_INSERT, RT_ROW_INSERT, RT_ROW_UPDATE_BEFORE, RT_ROW_UPDATE_AFTER, RT_ROW_DELETE,
    RT_ROW_INSERT, RT_ROW_INSERT, RT_ROW_DELETE, RT_ROW_DELETE,
  };
  g_autofree char *text = print_rows (REPL_FORMAT_TABLE, TRUE, 0, cols, 2, values, kinds, 9);

  g_assert_cmpstr (text, ==,
                   "+------+-----+\n"
                   "| word | cnt |\n"
                   "+------+-----+\n"
                   "| a    |   2 |\n"
                   "| c    |   1 |\n"
                   "+------+-----+\n"
                   "2 rows in set\n");
}

static void
test_table_max_rows (void)
{
  const Col cols[] = { { "n", ty (PLAN_TYPE_INT) } };
  PlanValue values[] = {
    v_int (PLAN_TYPE_INT, 1), v_int (PLAN_TYPE_INT, 2), v_int (PLAN_TYPE_INT, 300),
  };
  g_autofree char *text = print_rows (REPL_FORMAT_TABLE, FALSE, 2, cols, 1, values, NULL, 3);

  g_assert_cmpstr (text, ==,
                   "+---+\n"
                   "| n |\n"
                   "+---+\n"
                   "| 1 |\n"
                   "| 2 |\n"
                   "+---+\n"
                   "3 rows in set (only the first 2 are shown; --format csv or json prints "
                   "every row)\n");
}

/* ---- changelog --------------------------------------------------------------------- */

static void
test_changelog_basic (void)
{
  const Col cols[] = { { "name", ty (PLAN_TYPE_VARCHAR) }, { "cnt", ty (PLAN_TYPE_BIGINT) } };
  PlanValue values[] = {
    v_str ("Bob"), v_int (PLAN_TYPE_BIGINT, 1),
    v_str ("Bob"), v_int (PLAN_TYPE_BIGINT, 1),
    v_str ("Bob"), v_int (PLAN_TYPE_BIGINT, 2),
    v_str ("abcdefghijklmnopqrstuvwxyz0123456789"), v_null (PLAN_TYPE_BIGINT),
    /* 16 wide characters (32 columns): 13 fit before "..." in 30 columns */
    v_str ("\u6771\u6771\u6771\u6771\u6771\u6771\u6771\u6771"
           "\u6771\u6771\u6771\u6771\u6771\u6771\u6771\u6771"),
    v_int (PLAN_TYPE_BIGINT, -1),
    v_str ("Bob"), v_int (PLAN_TYPE_BIGINT, 2),
  };
  const RtRowKind kinds[] = {
    RT_ROW_INSERT, RT_ROW_UPDATE_BEFORE, RT_ROW_UPDATE_AFTER, RT_ROW_INSERT, RT_ROW_INSERT,
    RT_ROW_DELETE,
  };
  g_autofree char *text = print_rows (REPL_FORMAT_CHANGELOG, TRUE, 0, cols, 2, values,
                                      kinds, 6);

  g_assert_cmpstr (text, ==,
                   "+----+--------------------------------+----------------------+\n"
                   "| op | name                           |                  cnt |\n"
                   "+----+--------------------------------+----------------------+\n"
                   "| +I | Bob                            |                    1 |\n"
                   "| -U | Bob                            |                    1 |\n"
                   "| +U | Bob                            |                    2 |\n"
                   "| +I | abcdefghijklmnopqrstuvwxyz0... |               <NULL> |\n"
                   "| +I | \u6771\u6771\u6771\u6771\u6771\u6771\u6771\u6771\u6771\u6771"
                   "\u6771\u6771\u6771...  |                   -1 |\n"
                   "| -D | Bob                            |                    2 |\n"
                   "+----+--------------------------------+----------------------+\n"
                   "Received a total of 6 rows\n");
}

static void
test_changelog_empty (void)
{
  const Col cols[] = { { "ok", ty (PLAN_TYPE_BOOLEAN) }, { "amount", ty_decimal (4, 1) } };
  g_autofree char *text = print_rows (REPL_FORMAT_CHANGELOG, FALSE, 0, cols, 2, NULL,
                                      NULL, 0);

  /* BOOLEAN needs 6 columns for <NULL>; DECIMAL(4, 1) -999.9 also needs 6 */
  g_assert_cmpstr (text, ==,
                   "+----+--------+--------+\n"
                   "| op | ok     | amount |\n"
                   "+----+--------+--------+\n"
                   "Received a total of 0 rows\n");
}

/* ---- csv --------------------------------------------------------------------------- */

static void
test_csv_basic (void)
{
  const Col cols[] = {
    { "id", ty (PLAN_TYPE_INT) }, { "name", ty (PLAN_TYPE_VARCHAR) },
    { "ok", ty (PLAN_TYPE_BOOLEAN) }, { "ts", ty (PLAN_TYPE_TIMESTAMP) },
    { "d", ty (PLAN_TYPE_DOUBLE) },
  };
  PlanValue values[] = {
    v_int (PLAN_TYPE_INT, 1), v_str ("plain"), v_bool (TRUE),
    v_int (PLAN_TYPE_TIMESTAMP, TS_2024_01_02), v_double (3.5),
    v_int (PLAN_TYPE_INT, 2), v_str ("a,b"), v_bool (FALSE), v_null (PLAN_TYPE_TIMESTAMP),
    v_double (-0.25),
    v_null (PLAN_TYPE_INT), v_str ("say \"hi\""), v_null (PLAN_TYPE_BOOLEAN),
    v_null (PLAN_TYPE_TIMESTAMP), v_null (PLAN_TYPE_DOUBLE),
    v_int (PLAN_TYPE_INT, 4), v_str ("line1\nline2\r"), v_null (PLAN_TYPE_BOOLEAN),
    v_null (PLAN_TYPE_TIMESTAMP), v_null (PLAN_TYPE_DOUBLE),
    v_int (PLAN_TYPE_INT, 5), v_str (""), v_null (PLAN_TYPE_BOOLEAN),
    v_null (PLAN_TYPE_TIMESTAMP), v_null (PLAN_TYPE_DOUBLE),
    v_int (PLAN_TYPE_INT, 6), v_str ("\u00e9t\u00e9 \u6771"), v_null (PLAN_TYPE_BOOLEAN),
    v_null (PLAN_TYPE_TIMESTAMP), v_double (100),
  };
  g_autofree char *text = print_rows (REPL_FORMAT_CSV, FALSE, 0, cols, 5, values, NULL, 6);

  g_assert_cmpstr (text, ==,
                   "id,name,ok,ts,d\n"
                   "1,plain,true,2024-01-02 03:04:05.006,3.5\n"
                   "2,\"a,b\",false,,-0.25\n"
                   ",\"say \"\"hi\"\"\",,,\n"
                   "4,\"line1\nline2\r\",,,\n"
                   "5,\"\",,,\n"
                   "6,\u00e9t\u00e9 \u6771,,,100.0\n");
}

static void
test_csv_header_only (void)
{
  const Col cols[] = { { "id", ty (PLAN_TYPE_INT) }, { "x \"y\", z", ty (PLAN_TYPE_DATE) } };
  g_autofree char *text = print_rows (REPL_FORMAT_CSV, FALSE, 0, cols, 2, NULL, NULL, 0);

  g_assert_cmpstr (text, ==, "id,\"x \"\"y\"\", z\"\n");
}

static void
test_csv_changelog (void)
{
  const Col cols[] = { { "k", ty (PLAN_TYPE_VARCHAR) }, { "day", ty (PLAN_TYPE_DATE) } };
  PlanValue values[] = {
    v_str ("a"), v_int (PLAN_TYPE_DATE, DAYS_2024_01_02),
    v_str ("a"), v_int (PLAN_TYPE_DATE, DAYS_2024_01_02),
    v_str ("a"), v_int (PLAN_TYPE_DATE, 0),
  };
  const RtRowKind kinds[] = { RT_ROW_INSERT, RT_ROW_UPDATE_BEFORE, RT_ROW_UPDATE_AFTER };
  g_autofree char *text = print_rows (REPL_FORMAT_CSV, TRUE, 0, cols, 2, values, kinds, 3);

  g_assert_cmpstr (text, ==,
                   "op,k,day\n"
                   "+I,a,2024-01-02\n"
                   "-U,a,2024-01-02\n"
                   "+U,a,1970-01-01\n");
}

/* ---- json -------------------------------------------------------------------------- */

/* Each line must be a JSON object that json-glib reads back. */
static void
assert_json_lines (const char *text, guint n_lines)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, n_lines + 1);
  g_assert_cmpstr (lines[n_lines], ==, "");
  for (guint i = 0; i < n_lines; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GError) error = NULL;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
    }
}

static void
test_json_basic (void)
{
  const Col cols[] = {
    { "id", ty (PLAN_TYPE_BIGINT) }, { "name", ty (PLAN_TYPE_VARCHAR) },
    { "ok", ty (PLAN_TYPE_BOOLEAN) }, { "price", ty_decimal (6, 2) },
    { "d", ty (PLAN_TYPE_DOUBLE) }, { "ts", ty (PLAN_TYPE_TIMESTAMP) },
    { "day", ty (PLAN_TYPE_DATE) },
  };
  PlanValue values[] = {
    v_int (PLAN_TYPE_BIGINT, 1), v_str ("Zo\u00eb \"q\" \\\n\t\x01"), v_bool (TRUE),
    v_dec (6, 2, 1250), v_double (100), v_int (PLAN_TYPE_TIMESTAMP, TS_2024_01_02),
    v_int (PLAN_TYPE_DATE, DAYS_2024_01_02),
    v_null (PLAN_TYPE_BIGINT), v_null (PLAN_TYPE_VARCHAR), v_null (PLAN_TYPE_BOOLEAN),
    v_null (PLAN_TYPE_DECIMAL), v_null (PLAN_TYPE_DOUBLE), v_null (PLAN_TYPE_TIMESTAMP),
    v_null (PLAN_TYPE_DATE),
    v_int (PLAN_TYPE_BIGINT, G_MININT64), v_str ("bad\xff"), v_bool (FALSE),
    v_dec (6, 2, -5), v_double (INFINITY), v_null (PLAN_TYPE_TIMESTAMP),
    v_null (PLAN_TYPE_DATE),
  };
  g_autofree char *text = print_rows (REPL_FORMAT_JSON, FALSE, 0, cols, 7, values, NULL, 3);

  g_assert_cmpstr (text, ==,
                   "{\"id\":1,\"name\":\"Zo\u00eb \\\"q\\\" \\\\\\n\\t\\u0001\",\"ok\":true,"
                   "\"price\":12.50,\"d\":100.0,\"ts\":\"2024-01-02 03:04:05.006\","
                   "\"day\":\"2024-01-02\"}\n"
                   "{\"id\":null,\"name\":null,\"ok\":null,\"price\":null,\"d\":null,"
                   "\"ts\":null,\"day\":null}\n"
                   "{\"id\":-9223372036854775808,\"name\":\"bad\ufffd\",\"ok\":false,"
                   "\"price\":-0.05,\"d\":\"Infinity\",\"ts\":null,\"day\":null}\n");
  assert_json_lines (text, 3);
}

static void
test_json_changelog (void)
{
  const Col cols[] = { { "k", ty (PLAN_TYPE_VARCHAR) }, { "n", ty (PLAN_TYPE_INT) } };
  PlanValue values[] = {
    v_str ("a"), v_int (PLAN_TYPE_INT, 1),
    v_str ("a"), v_int (PLAN_TYPE_INT, 1),
  };
  const RtRowKind kinds[] = { RT_ROW_INSERT, RT_ROW_DELETE };
  g_autofree char *text = print_rows (REPL_FORMAT_JSON, TRUE, 0, cols, 2, values, kinds, 2);

  g_assert_cmpstr (text, ==,
                   "{\"op\":\"+I\",\"k\":\"a\",\"n\":1}\n"
                   "{\"op\":\"-D\",\"k\":\"a\",\"n\":1}\n");
  assert_json_lines (text, 2);
}

static void
test_json_empty (void)
{
  const Col cols[] = { { "k", ty (PLAN_TYPE_VARCHAR) } };
  g_autofree char *text = print_rows (REPL_FORMAT_JSON, FALSE, 0, cols, 1, NULL, NULL, 0);

  g_assert_cmpstr (text, ==, "");
}

/* ---- small helpers ------------------------------------------------------------------- */

static void
test_format_names (void)
{
  ReplFormat format = REPL_FORMAT_TABLE;

  g_assert_true (repl_format_from_string ("csv", &format));
  g_assert_cmpint (format, ==, REPL_FORMAT_CSV);
  g_assert_true (repl_format_from_string ("ChangeLog", &format));
  g_assert_cmpint (format, ==, REPL_FORMAT_CHANGELOG);
  g_assert_true (repl_format_from_string ("json", &format));
  g_assert_cmpint (format, ==, REPL_FORMAT_JSON);
  g_assert_true (repl_format_from_string ("table", &format));
  g_assert_cmpint (format, ==, REPL_FORMAT_TABLE);
  g_assert_false (repl_format_from_string ("xml", &format));
  g_assert_false (repl_format_from_string ("", &format));
  g_assert_cmpint (format, ==, REPL_FORMAT_TABLE);
  g_assert_cmpstr (repl_format_name (REPL_FORMAT_CHANGELOG), ==, "changelog");
  g_assert_true (repl_format_from_string ("LIVE", &format));
  g_assert_cmpint (format, ==, REPL_FORMAT_LIVE);
  g_assert_cmpstr (repl_format_name (REPL_FORMAT_LIVE), ==, "live");
}

/* ---- live ------------------------------------------------------------------------------ */

static void
feed (ReplPrinter *printer, guint n_cols, PlanValue *values, const RtRowKind *kinds,
      guint n_rows)
{
  g_autoptr (GString) unused = g_string_new (NULL);

  for (guint r = 0; r < n_rows; r++)
    {
      GwRow row = { kinds[r], n_cols, values + r * n_cols };

      repl_printer_add_row (printer, &row, unused);
    }
  g_assert_cmpuint (unused->len, ==, 0); /* live prints only frames */
}

/* A changelog applied to the view: +U after -U takes the old row's place; frames show
 * the last rows that fit, and widths never shrink. */
static void
test_live_frames (void)
{
  const Col cols[] = { { "k", ty (PLAN_TYPE_VARCHAR) }, { "n", ty (PLAN_TYPE_BIGINT) } };
  g_autoptr (PlanSchema) schema = schema_of (cols, 2);
  g_autoptr (ReplPrinter) printer = repl_printer_new (REPL_FORMAT_LIVE, schema, TRUE);
  g_autoptr (GString) out = g_string_new (NULL);
  PlanValue first[] = {
    v_str ("a"), v_int (PLAN_TYPE_BIGINT, 1),
    v_str ("b"), v_int (PLAN_TYPE_BIGINT, 1),
    v_str ("a"), v_int (PLAN_TYPE_BIGINT, 1),
    v_str ("a"), v_int (PLAN_TYPE_BIGINT, 10),
  };
  const RtRowKind first_kinds[] = {
    RT_ROW_INSERT, RT_ROW_INSERT, RT_ROW_UPDATE_BEFORE, RT_ROW_UPDATE_AFTER,
  };
  PlanValue second[] = {
    v_str ("a"), v_int (PLAN_TYPE_BIGINT, 10),
    v_str ("a"), v_int (PLAN_TYPE_BIGINT, 2),
    v_str ("c"), v_int (PLAN_TYPE_BIGINT, 1),
  };
  const RtRowKind second_kinds[] = {
    RT_ROW_UPDATE_BEFORE, RT_ROW_UPDATE_AFTER, RT_ROW_INSERT,
  };

  feed (printer, 2, first, first_kinds, 4);
  g_assert_cmpuint (repl_printer_get_n_live (printer), ==, 2);
  /* a keeps its place before b; n is 2 wide for "10" */
  g_assert_cmpuint (repl_printer_render_frame (printer, out, 10, 0), ==, 2);
  g_assert_cmpstr (out->str, ==,
                   "+---+----+\n"
                   "| k |  n |\n"
                   "+---+----+\n"
                   "| a | 10 |\n"
                   "| b |  1 |\n"
                   "+---+----+\n");
  feed (printer, 2, second, second_kinds, 3);
  g_string_truncate (out, 0);
  /* only the last two of three rows fit; n stays 2 wide though 10 is gone */
  g_assert_cmpuint (repl_printer_render_frame (printer, out, 2, 0), ==, 2);
  g_assert_cmpstr (out->str, ==,
                   "+---+----+\n"
                   "| k |  n |\n"
                   "+---+----+\n"
                   "| b |  1 |\n"
                   "| c |  1 |\n"
                   "+---+----+\n");
  g_string_truncate (out, 0);
  /* lines cut to 6 columns */
  repl_printer_render_frame (printer, out, 1, 6);
  g_assert_cmpstr (out->str, ==, "+---+-\n| k | \n+---+-\n| c | \n+---+-\n");
  g_string_truncate (out, 0);
  /* the end: the same table the table format prints */
  repl_printer_finish (printer, out);
  g_assert_cmpstr (out->str, ==,
                   "+---+---+\n"
                   "| k | n |\n"
                   "+---+---+\n"
                   "| a | 2 |\n"
                   "| b | 1 |\n"
                   "| c | 1 |\n"
                   "+---+---+\n"
                   "3 rows in set\n");
}

/* An append-only live result at its cap drops its oldest rows (a tenth of the cap at a
 * time), so the view keeps moving. */
static void
test_live_cap (void)
{
  const Col cols[] = { { "id", ty (PLAN_TYPE_INT) } };
  g_autoptr (PlanSchema) schema = schema_of (cols, 1);
  g_autoptr (ReplPrinter) printer = repl_printer_new (REPL_FORMAT_LIVE, schema, FALSE);
  g_autoptr (GString) out = g_string_new (NULL);
  PlanValue values[12];
  RtRowKind kinds[12];

  for (guint i = 0; i < 12; i++)
    {
      values[i] = v_int (PLAN_TYPE_INT, i + 1);
      kinds[i] = RT_ROW_INSERT;
    }
  repl_printer_set_max_rows (printer, 10);
  feed (printer, 1, values, kinds, 12);
  /* rows 11 and 12 each pushed out the oldest: 3..12 are left */
  g_assert_cmpuint (repl_printer_get_n_live (printer), ==, 10);
  repl_printer_render_frame (printer, out, 2, 0);
  g_assert_cmpstr (out->str, ==, "+----+\n| id |\n+----+\n| 11 |\n| 12 |\n+----+\n");
  g_string_truncate (out, 0);
  repl_printer_finish (printer, out);
  g_assert_true (g_str_has_prefix (out->str, "+----+\n| id |\n+----+\n|  3 |\n"));
  g_assert_true (g_str_has_suffix (out->str, "| 12 |\n+----+\n12 rows in set (only the last "
                                   "10 are shown; --format csv or json prints every row)\n"));
}

static void
test_live_status (void)
{
  g_autoptr (GString) line = g_string_new (NULL);

  repl_format_live_status (line, 42, 30, 1234.4, NULL, 3250000);
  g_assert_cmpstr (line->str, ==, "42 rows (the last 30 shown), 1234 rows/s, watermark -, 3.2 s");
  g_string_truncate (line, 0);
  repl_format_live_status (line, 1, 1, -1, "2024-01-02 03:04:05.006", 0);
  g_assert_cmpstr (line->str, ==, "1 row, - rows/s, watermark 2024-01-02 03:04:05.006, 0.0 s");
}

static void
test_progress (void)
{
  g_autoptr (GString) line = g_string_new (NULL);

  repl_format_progress (line, 12345, 1500000);
  g_assert_cmpstr (line->str, ==, "rows read 12345, 8230 rows/s, elapsed 1.5 s");
  g_string_truncate (line, 0);
  repl_format_progress (line, 0, 0);
  g_assert_cmpstr (line->str, ==, "rows read 0, elapsed 0.0 s");
  g_string_truncate (line, 0);
  repl_format_progress (line, 7, 61990000);
  g_assert_cmpstr (line->str, ==, "rows read 7, 0 rows/s, elapsed 61.9 s");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/repl/print/table/basic", test_table_basic);
  g_test_add_func ("/repl/print/table/unicode", test_table_unicode);
  g_test_add_func ("/repl/print/table/one-row", test_table_one_row);
  g_test_add_func ("/repl/print/table/empty", test_table_empty);
  g_test_add_func ("/repl/print/table/doubles", test_table_doubles);
  g_test_add_func ("/repl/print/table/changelog", test_table_changelog);
  g_test_add_func ("/repl/print/table/max-rows", test_table_max_rows);
  g_test_add_func ("/repl/print/changelog/basic", test_changelog_basic);
  g_test_add_func ("/repl/print/changelog/empty", test_changelog_empty);
  g_test_add_func ("/repl/print/csv/basic", test_csv_basic);
  g_test_add_func ("/repl/print/csv/header-only", test_csv_header_only);
  g_test_add_func ("/repl/print/csv/changelog", test_csv_changelog);
  g_test_add_func ("/repl/print/json/basic", test_json_basic);
  g_test_add_func ("/repl/print/json/changelog", test_json_changelog);
  g_test_add_func ("/repl/print/json/empty", test_json_empty);
  g_test_add_func ("/repl/print/format-names", test_format_names);
  g_test_add_func ("/repl/print/progress", test_progress);
  g_test_add_func ("/repl/print/live/frames", test_live_frames);
  g_test_add_func ("/repl/print/live/cap", test_live_cap);
  g_test_add_func ("/repl/print/live/status", test_live_status);
  return g_test_run ();
}
