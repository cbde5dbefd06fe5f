/* test-csv.c: the filesystem/csv source: RFC 4180 quoting, NULLs, headers, comments,
 * strict value parsing, bad-row policies with exact FILE:LINE:COLUMN messages,
 * projection and filter pushdown, and the parallel byte-range split. Expected values
 * are written out by hand from the input text. */
#include "source-harness.h"

#include <glib/gstdio.h>

static char *tmp_dir;

static char *
write_file (const char *name, const char *content, gssize len)
{
  char *path = g_build_filename (tmp_dir, name, NULL);
  GError *error = NULL;

  g_file_set_contents (path, content, len, &error);
  g_assert_no_error (error);
  return path;
}

/* A csv table over path with extra options given as key, value, ..., NULL. */
static PlanTable *
csv_table (const char *columns, const char *path, ...)
{
  PlanTable *table = table_new ("t", columns);
  const char *key;
  va_list args;

  plan_table_add_option (table, "connector", "filesystem");
  plan_table_add_option (table, "path", path);
  plan_table_add_option (table, "format", "csv");
  va_start (args, path);
  while ((key = va_arg (args, const char *)) != NULL)
    plan_table_add_option (table, key, va_arg (args, const char *));
  va_end (args);
  return table;
}

/* Reads the whole table with one subtask; asserts success; returns the rows. */
static void
read_all (PlanTable *table, guint batch_size, Rows *rows, RunStats *stats)
{
  g_autoptr (PlanPhysNode) node = source_node_new (table, NULL, 0, NULL, 1);
  GError *error = NULL;

  rows_init (rows);
  g_assert_true (run_source (node, 0, 1, batch_size, rows, stats, &error));
  g_assert_no_error (error);
}

static void
assert_rows (const Rows *rows, const char *const *expected)
{
  guint n = g_strv_length ((char **) expected);

  for (guint r = 0; r < MIN (n, rows->n_rows); r++)
    {
      g_autofree char *got = rows_format (rows, r);

      g_assert_cmpstr (got, ==, expected[r]);
    }
  g_assert_cmpuint (rows->n_rows, ==, n);
}

/* Reads a table expected to fail; returns the error message (owned). */
static char *
read_failing (PlanTable *table, gint code)
{
  g_autoptr (PlanPhysNode) node = source_node_new (table, NULL, 0, NULL, 1);
  GError *error = NULL;
  Rows rows;
  char *message;

  rows_init (&rows);
  g_assert_false (run_source (node, 0, 1, 1024, &rows, NULL, &error));
  g_assert_error (error, RT_ERROR, code);
  message = g_strdup (error->message);
  g_error_free (error);
  rows_clear (&rows);
  return message;
}

static void
test_basic (void)
{
  g_autofree char *path = write_file ("basic.csv",
    "id,name,price,ok,ts\n"
    "1,Alice,2.50,true,2024-01-02 03:04:05.006\n"
    "2,\"Smith, Bob\",10,FALSE,2024-02-29 00:00:00\n"
    "3,\"say \"\"hi\"\"\",,True,\n"
    "4,\"two\nlines\",-0.5,,2024-01-01\n"
    "5,,1.00,false,2024-12-31 23:59:59.999\n", -1);
  g_autoptr (PlanTable) table = csv_table (
    "id INT; name VARCHAR; price DECIMAL(5, 2); ok BOOLEAN; ts TIMESTAMP(3)", path,
    "csv.header", "true", NULL);
  const char *const expected[] = {
    "1|Alice|2.50|TRUE|2024-01-02 03:04:05.006",
    "2|Smith, Bob|10.00|FALSE|2024-02-29 00:00:00.000",
    "3|say \"hi\"|NULL|TRUE|NULL",
    "4|two\nlines|-0.50|NULL|2024-01-01 00:00:00.000",
    "5||1.00|FALSE|2024-12-31 23:59:59.999",
    NULL,
  };
  RunStats stats = { 0 };
  Rows rows;

  read_all (table, 1024, &rows, &stats);
  assert_rows (&rows, expected);
  /* The empty VARCHAR is '', not NULL. */
  g_assert_false (rows_get (&rows, 4, 1)->is_null);
  g_assert_true (rows_get (&rows, 2, 2)->is_null);
  g_assert_cmpuint (stats.rows_in, ==, 5);
  g_assert_cmpuint (stats.rows_out, ==, 5);
  g_assert_cmpuint (stats.rows_dropped, ==, 0);
  rows_clear (&rows);
}

static void
test_line_endings_and_comments (void)
{
  g_autofree char *path = write_file ("crlf.csv",
    "# a comment with a \"quote, and a comma\r\n"
    "1,x\r\n"
    "\r\n"
    "# another\r\n"
    "\n"
    "2,\"y\r\nz\"\r\n"
    "3,w", -1);
  g_autoptr (PlanTable) table = csv_table ("a INT; b VARCHAR", path,
                                           "csv.allow-comments", "true", NULL);
  const char *const expected[] = { "1|x", "2|y\r\nz", "3|w", NULL };
  Rows rows;

  read_all (table, 1024, &rows, NULL);
  assert_rows (&rows, expected);
  rows_clear (&rows);
}

static void
test_delimiter_quote_null_literal (void)
{
  g_autofree char *path = write_file ("tab.csv",
    "1\tNA\t'a\tb'\n"
    "NA\tc\t''\n"
    "2\t'NA'\t'it''s'\n", -1);
  g_autoptr (PlanTable) table = csv_table ("a INT; b VARCHAR; c VARCHAR", path,
                                           "csv.field-delimiter", "\\t",
                                           "csv.quote-character", "'",
                                           "csv.null-literal", "NA", NULL);
  const char *const expected[] = { "1|NULL|a\tb", "NULL|c|", "2|NULL|it's", NULL };
  Rows rows;

  read_all (table, 1024, &rows, NULL);
  assert_rows (&rows, expected);
  g_assert_false (rows_get (&rows, 1, 2)->is_null);
  rows_clear (&rows);
}

static void
test_escape_character (void)
{
  g_autofree char *path = write_file ("escape.csv",
    "a\\,b,\"x\\\"y\"\n"
    "plain,\"\"\n", -1);
  g_autoptr (PlanTable) table = csv_table ("a VARCHAR; b VARCHAR", path,
                                           "csv.escape-character", "\\", NULL);
  const char *const expected[] = { "a,b|x\"y", "plain|", NULL };
  Rows rows;

  read_all (table, 1024, &rows, NULL);
  assert_rows (&rows, expected);
  rows_clear (&rows);
}

static void
test_no_quoting (void)
{
  g_autofree char *path = write_file ("noquote.csv", "\"a,b\n", -1);
  g_autoptr (PlanTable) table = csv_table ("a VARCHAR; b VARCHAR", path,
                                           "csv.disable-quote-character", "true", NULL);
  const char *const expected[] = { "\"a|b", NULL };
  Rows rows;

  read_all (table, 1024, &rows, NULL);
  assert_rows (&rows, expected);
  rows_clear (&rows);
}

static void
test_bad_value_fails (void)
{
  g_autofree char *path = write_file ("bad.csv", "id,price\n1,10\n2,abc\n", -1);
  g_autoptr (PlanTable) table = csv_table ("id INT; price INT", path, "csv.header", "true",
                                           NULL);
  g_autofree char *message = read_failing (table, RT_ERROR_DATA);
  g_autofree char *expected = g_strdup_printf (
    "%s:3:3: cannot parse 'abc' as INT for column 'price' (set "
    "'csv.ignore-parse-errors' = 'true' to skip bad rows)", path);

  g_assert_cmpstr (message, ==, expected);
}

static void
test_bad_value_position (void)
{
  g_autofree char *p1 = write_file ("pos1.csv", "0,ok,1\n1,\"a\nb\",x\n", -1);
  g_autofree char *p2 = write_file ("pos2.csv", "\"\xc3\xa9\",\xc3\xa9,5\n", -1);
  g_autofree char *p3 = write_file ("pos3.csv", "1,2.5\n", -1);
  g_autoptr (PlanTable) t1 = csv_table ("a INT; b VARCHAR; c INT", p1, NULL);
  g_autoptr (PlanTable) t2 = csv_table ("a VARCHAR; b INT; c INT", p2, NULL);
  g_autoptr (PlanTable) t3 = csv_table ("a INT; amount DECIMAL(10, 0)", p3, NULL);
  g_autofree char *m1 = read_failing (t1, RT_ERROR_DATA);
  g_autofree char *m2 = read_failing (t2, RT_ERROR_DATA);
  g_autofree char *m3 = read_failing (t3, RT_ERROR_DATA);
  g_autofree char *e1 = NULL, *e2 = NULL, *e3 = NULL;

  /* The record starts on line 2; field c is on line 3 after the quoted line break. */
  e1 = g_strdup_printf ("%s:3:4: cannot parse 'x' as INT for column 'c' (set "
                        "'csv.ignore-parse-errors' = 'true' to skip bad rows)", p1);
  g_assert_cmpstr (m1, ==, e1);
  /* Columns count characters: the two-byte e-acute is one column. */
  e2 = g_strdup_printf ("%s:1:5: cannot parse '\xc3\xa9' as INT for column 'b' (set "
                        "'csv.ignore-parse-errors' = 'true' to skip bad rows)", p2);
  g_assert_cmpstr (m2, ==, e2);
  e3 = g_strdup_printf ("%s:1:3: cannot parse '2.5' as DECIMAL(10, 0) for column 'amount' "
                        "(set 'csv.ignore-parse-errors' = 'true' to skip bad rows)", p3);
  g_assert_cmpstr (m3, ==, e3);
}

static void
test_field_count (void)
{
  g_autofree char *p1 = write_file ("few.csv", "1,2\n3\n", -1);
  g_autofree char *p2 = write_file ("many.csv", "1,2,3\n", -1);
  g_autoptr (PlanTable) t1 = csv_table ("a INT; b INT", p1, NULL);
  g_autoptr (PlanTable) t2 = csv_table ("a INT; b INT", p2, NULL);
  g_autofree char *m1 = read_failing (t1, RT_ERROR_DATA);
  g_autofree char *m2 = read_failing (t2, RT_ERROR_DATA);
  g_autofree char *e1 = NULL, *e2 = NULL;

  /* Too few: the column just after the last field; too many: where the extra starts. */
  e1 = g_strdup_printf ("%s:2:2: expected 2 fields, found 1 (set "
                        "'csv.ignore-parse-errors' = 'true' to skip bad rows)", p1);
  e2 = g_strdup_printf ("%s:1:5: expected 2 fields, found 3 (set "
                        "'csv.ignore-parse-errors' = 'true' to skip bad rows)", p2);
  g_assert_cmpstr (m1, ==, e1);
  g_assert_cmpstr (m2, ==, e2);
}

static void
test_syntax_errors (void)
{
  g_autofree char *p1 = write_file ("unterminated.csv", "0,\"ok\"\n1,\"abc\n2,3\n", -1);
  g_autofree char *p2 = write_file ("after-quote.csv", "1,\"ab\"c\n", -1);
  g_autoptr (PlanTable) t1 = csv_table ("a INT; b VARCHAR", p1, NULL);
  g_autoptr (PlanTable) t2 = csv_table ("a INT; b VARCHAR", p2, NULL);
  g_autofree char *m1 = read_failing (t1, RT_ERROR_DATA);
  g_autofree char *m2 = read_failing (t2, RT_ERROR_DATA);
  g_autofree char *e1 = NULL, *e2 = NULL;

  e1 = g_strdup_printf ("%s:2:3: unterminated quoted field (set "
                        "'csv.ignore-parse-errors' = 'true' to skip bad rows)", p1);
  e2 = g_strdup_printf ("%s:1:7: unexpected character after a closing quote (set "
                        "'csv.ignore-parse-errors' = 'true' to skip bad rows)", p2);
  g_assert_cmpstr (m1, ==, e1);
  g_assert_cmpstr (m2, ==, e2);
}

static void
test_not_null_column (void)
{
  g_autofree char *path = write_file ("notnull.csv", "1,2\n,3\n", -1);
  g_autoptr (PlanTable) table = csv_table ("a INT NOT NULL; b INT", path, NULL);
  g_autofree char *message = read_failing (table, RT_ERROR_DATA);
  g_autofree char *expected = g_strdup_printf (
    "%s:2:1: no value for the NOT NULL column 'a' (set 'csv.ignore-parse-errors' = "
    "'true' to skip bad rows)", path);

  g_assert_cmpstr (message, ==, expected);
}

static void
test_ignore_parse_errors (void)
{
  g_autofree char *path = write_file ("skip.csv",
    "1,2\n"
    "x,3\n"        /* bad value */
    "4\n"          /* too few fields */
    "5,6,7\n"      /* too many */
    "8,9\n"
    "\"u\"v,1\n"   /* text after a closing quote */
    ",10\n", -1);  /* empty INT: NULL, a good row */
  g_autoptr (PlanTable) table = csv_table ("a INT; b INT", path,
                                           "csv.ignore-parse-errors", "true", NULL);
  const char *const expected[] = { "1|2", "8|9", "NULL|10", NULL };
  RunStats stats = { 0 };
  Rows rows;

  read_all (table, 2, &rows, &stats);
  assert_rows (&rows, expected);
  g_assert_cmpuint (stats.rows_dropped, ==, 4);
  g_assert_cmpuint (stats.rows_in, ==, 7);
  g_assert_cmpuint (stats.rows_out, ==, 3);
  rows_clear (&rows);
}

typedef struct {
  const char *type;
  const char *text;
  const char *expected; /* NULL: must fail */
} TypeCase;

static void
test_strict_types (void)
{
  static const TypeCase cases[] = {
    { "INT", "12x", NULL },
    { "INT", "2147483648", NULL },
    { "INT", " 12", NULL },
    { "INT", "12 ", NULL },
    { "INT", "1.0", NULL },
    { "INT", "-", NULL },
    { "INT", "-2147483648", "-2147483648" },
    { "INT", "+7", "7" },
    { "BIGINT", "9223372036854775808", NULL },
    { "BIGINT", "-9223372036854775808", "-9223372036854775808" },
    { "DOUBLE", "1.5.2", NULL },
    { "DOUBLE", "abc", NULL },
    { "DOUBLE", "1e999", NULL },
    { "DOUBLE", "0x10", NULL },
    { "DOUBLE", "1e3", "1000.0" },
    { "DOUBLE", "-0.25", "-0.25" },
    { "DOUBLE", "3.14159", "3.14159" },
    { "DOUBLE", ".5", "0.5" },
    { "DECIMAL(10, 2)", "1.234", NULL },
    { "DECIMAL(10, 2)", "1.230", "1.23" },
    { "DECIMAL(4, 2)", "123.4", NULL },
    { "DECIMAL(4, 2)", "-12.5", "-12.50" },
    { "DECIMAL(4, 2)", "1e2", NULL },
    { "BOOLEAN", "yes", NULL },
    { "BOOLEAN", "TRUE", "TRUE" },
    { "BOOLEAN", "fAlSe", "FALSE" },
    { "DATE", "2024-02-30", NULL },
    { "DATE", " 2024-01-01", NULL },
    { "DATE", "2024-02-29", "2024-02-29" },
    { "TIMESTAMP(3)", "2024-01-01 25:00:00", NULL },
    { "TIMESTAMP(3)", "2024-01-01T10:00:00.5", "2024-01-01 10:00:00.500" },
    { "INTERVAL", "90000", "+0 00:01:30.000" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("type%u.csv", i);
      g_autofree char *content = g_strdup_printf ("%s\n", cases[i].text);
      g_autofree char *path = write_file (name, content, -1);
      g_autofree char *columns = g_strdup_printf ("v %s", cases[i].type);
      g_autoptr (PlanTable) table = csv_table (columns, path, NULL);

      g_test_message ("%s '%s'", cases[i].type, cases[i].text);
      if (cases[i].expected == NULL)
        {
          g_autofree char *message = read_failing (table, RT_ERROR_DATA);

          g_assert_true (strstr (message, ":1:1: cannot parse '") != NULL);
        }
      else
        {
          const char *const expected[] = { cases[i].expected, NULL };
          Rows rows;

          read_all (table, 1024, &rows, NULL);
          assert_rows (&rows, expected);
          rows_clear (&rows);
        }
    }
}

static void
test_double_precision (void)
{
  g_autofree char *path = write_file ("doubles.csv",
    "0.1\n2.2250738585072014e-308\n12345678901234567890\n123456.789012345678\n", -1);
  g_autoptr (PlanTable) table = csv_table ("v DOUBLE", path, NULL);
  Rows rows;

  read_all (table, 1024, &rows, NULL);
  g_assert_cmpuint (rows.n_rows, ==, 4);
  g_assert_true (rows_get (&rows, 0, 0)->v.d == 0.1);
  g_assert_true (rows_get (&rows, 1, 0)->v.d == 2.2250738585072014e-308);
  g_assert_true (rows_get (&rows, 2, 0)->v.d == 12345678901234567890.0);
  g_assert_true (rows_get (&rows, 3, 0)->v.d == 123456.789012345678);
  rows_clear (&rows);
}

static void
test_projection_pushdown (void)
{
  /* Column c is garbage but not read, so it must not be converted. */
  g_autofree char *path = write_file ("proj.csv", "1,x,bad\n2,\"y\"\"\",alsobad\n", -1);
  g_autoptr (PlanTable) table = csv_table ("a INT; b VARCHAR; c INT", path, NULL);
  const guint cols[] = { 1, 0 };
  g_autoptr (PlanPhysNode) node = source_node_new (table, cols, 2, NULL, 1);
  const char *const expected[] = { "x|1", "y\"|2", NULL };
  GError *error = NULL;
  Rows rows;

  rows_init (&rows);
  g_assert_true (run_source (node, 0, 1, 1024, &rows, NULL, &error));
  g_assert_no_error (error);
  assert_rows (&rows, expected);
  g_assert_cmpuint (rows.n_cols, ==, 2);
  rows_clear (&rows);
}

static void
test_filter_pushdown (void)
{
  g_autofree char *path = write_file ("filter.csv",
                                      "1,a,5\n2,b,20\n3,c,15\n4,d,\n5,e,11\n", -1);
  g_autoptr (PlanTable) table = csv_table ("id INT; name VARCHAR; v INT", path, NULL);
  const guint cols[] = { 0, 2 };
  PlanSpan span = { 0 };
  PlanValue ten = { .type = plan_type_make (PLAN_TYPE_INT, FALSE), .v.i = 10 };
  PlanExpr *args[2];
  PlanExpr *filter;
  g_autoptr (PlanPhysNode) node = NULL;
  const char *const expected[] = { "2|20", "3|15", "5|11", NULL };
  RunStats stats = { 0 };
  GError *error = NULL;
  Rows rows;

  /* v > 10 over the output columns (id, v): v is output column 1. */
  args[0] = plan_expr_column (1, plan_type_make (PLAN_TYPE_INT, TRUE), span);
  args[1] = plan_expr_literal (&ten, span);
  filter = plan_expr_call (PLAN_FUNC_GT, plan_type_make (PLAN_TYPE_BOOLEAN, TRUE), 2, args,
                           span);
  node = source_node_new (table, cols, 2, filter, 1);
  rows_init (&rows);
  g_assert_true (run_source (node, 0, 1, 2, &rows, &stats, &error));
  g_assert_no_error (error);
  assert_rows (&rows, expected);
  g_assert_cmpuint (stats.rows_in, ==, 5);
  g_assert_cmpuint (stats.rows_out, ==, 3);
  rows_clear (&rows);
}

static void
test_batches (void)
{
  g_autofree char *path = write_file ("batches.csv", "1\n2\n3\n4\n5\n", -1);
  g_autoptr (PlanTable) table = csv_table ("a BIGINT", path, NULL);
  const char *const expected[] = { "1", "2", "3", "4", "5", NULL };
  Rows rows;

  read_all (table, 2, &rows, NULL);
  assert_rows (&rows, expected);
  g_assert_cmpuint (rows.n_batches, ==, 3);
  rows_clear (&rows);
}

static void
test_long_record (void)
{
  gsize big = 3 * 1024 * 1024;
  GString *content = g_string_new ("1,short\n2,\"");
  g_autofree char *path = NULL;
  g_autoptr (PlanTable) table = NULL;
  Rows rows;

  for (gsize i = 0; i < big; i++)
    g_string_append_c (content, i % 1000 == 999 ? '\n' : 'a' + (char) (i % 26));
  g_string_append (content, "\"\n3,end\n");
  path = write_file ("long.csv", content->str, (gssize) content->len);
  g_string_free (content, TRUE);
  table = csv_table ("a INT; b VARCHAR", path, NULL);
  read_all (table, 1024, &rows, NULL);
  g_assert_cmpuint (rows.n_rows, ==, 3);
  g_assert_cmpuint (strlen (rows_get (&rows, 1, 1)->v.s), ==, big);
  g_assert_cmpint (rows_get (&rows, 1, 1)->v.s[26], ==, 'a');
  g_assert_cmpint (rows_get (&rows, 1, 1)->v.s[999], ==, '\n');
  g_assert_cmpstr (rows_get (&rows, 2, 1)->v.s, ==, "end");
  rows_clear (&rows);
}

/* Writes a header and n rows "i,<name>,i*3"; every 1000th name is quoted and holds a
 * line break and a delimiter, so a naive split at a line start would go wrong. */
static char *
write_big_file (const char *name, guint n, gint64 bad_row)
{
  GString *content = g_string_new ("id,name,triple\n");
  char *path;

  for (guint i = 0; i < n; i++)
    {
      if ((gint64) i == bad_row)
        g_string_append_printf (content, "%u,bad,notanumber\n", i);
      else if (i % 1000 == 0)
        g_string_append_printf (content, "%u,\"row\n%u, \"\"quoted\"\"\",%u\n", i, i, i * 3);
      else
        g_string_append_printf (content, "%u,row %u,%u\n", i, i, i * 3);
    }
  path = write_file (name, content->str, (gssize) content->len);
  g_string_free (content, TRUE);
  return path;
}

static void
check_parallel (const char *path, guint n, guint parallelism)
{
  g_autoptr (PlanTable) table = csv_table ("id INT; name VARCHAR; triple INT", path,
                                           "csv.header", "true", NULL);
  g_autoptr (PlanPhysNode) node = source_node_new (table, NULL, 0, NULL, parallelism);
  g_autofree guint8 *seen = g_new0 (guint8, n);
  guint total = 0;

  for (guint s = 0; s < parallelism; s++)
    {
      GError *error = NULL;
      Rows rows;

      rows_init (&rows);
      g_assert_true (run_source (node, s, parallelism, 1024, &rows, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (rows.n_rows, >, n / parallelism / 2); /* really split */
      for (guint r = 0; r < rows.n_rows; r++)
        {
          gint64 id = rows_get (&rows, r, 0)->v.i;
          g_autofree char *name = NULL;

          g_assert_cmpint (id, >=, 0);
          g_assert_cmpint (id, <, n);
          g_assert_cmpuint (seen[id], ==, 0);
          seen[id] = 1;
          g_assert_cmpint (rows_get (&rows, r, 2)->v.i, ==, id * 3);
          name = id % 1000 == 0
                 ? g_strdup_printf ("row\n%" G_GINT64_FORMAT ", \"quoted\"", id)
                 : g_strdup_printf ("row %" G_GINT64_FORMAT, id);
          g_assert_cmpstr (rows_get (&rows, r, 1)->v.s, ==, name);
        }
      total += rows.n_rows;
      rows_clear (&rows);
    }
  g_assert_cmpuint (total, ==, n);
}

static void
test_parallel_split (void)
{
  const guint n = 200000; /* about 4.5 MB: big enough to split three ways */
  g_autofree char *path = write_big_file ("big.csv", n, -1);

  check_parallel (path, n, 2);
  check_parallel (path, n, 3);
}

static void
test_parallel_error_line (void)
{
  const guint n = 150000;
  const guint bad = n - 10;
  g_autofree char *path = write_big_file ("bigbad.csv", n, bad);
  g_autoptr (PlanTable) table = csv_table ("id INT; name VARCHAR; triple INT", path,
                                           "csv.header", "true", NULL);
  g_autoptr (PlanPhysNode) node = source_node_new (table, NULL, 0, NULL, 2);
  g_autofree char *expected = NULL;
  GError *error = NULL;
  Rows rows;
  guint line;

  /* Line of row i: 1 header line, i earlier rows, one extra line for each earlier
   * multiple of 1000 (0, 1000, ..., bad - bad % 1000 when it is below bad). */
  line = 1 + bad + 1 + (bad + 999) / 1000;
  expected = g_strdup_printf ("%s:%u:%u: cannot parse 'notanumber' as INT for column "
                              "'triple' (set 'csv.ignore-parse-errors' = 'true' to skip "
                              "bad rows)", path, line, (guint) strlen ("149990,bad,") + 1);
  rows_init (&rows);
  g_assert_true (run_source (node, 0, 2, 1024, &rows, NULL, &error));
  g_assert_no_error (error);
  rows_clear (&rows);
  rows_init (&rows);
  g_assert_false (run_source (node, 1, 2, 1024, &rows, NULL, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_DATA);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  rows_clear (&rows);
}

/* Random text with every tricky construct (quotes holding line breaks, CRLF, doubled
 * quotes, comments, blank lines, bad rows) must give the same rows, in total, whether
 * one subtask reads it or two or three split it by byte ranges. */
static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static GPtrArray *
read_sorted (PlanTable *table, guint parallelism, guint64 *dropped)
{
  g_autoptr (PlanPhysNode) node = source_node_new (table, NULL, 0, NULL, parallelism);
  GPtrArray *all = g_ptr_array_new_with_free_func (g_free);

  *dropped = 0;
  for (guint s = 0; s < parallelism; s++)
    {
      RunStats stats = { 0 };
      GError *error = NULL;
      Rows rows;

      rows_init (&rows);
      g_assert_true (run_source (node, s, parallelism, 1000, &rows, &stats, &error));
      g_assert_no_error (error);
      for (guint r = 0; r < rows.n_rows; r++)
        g_ptr_array_add (all, rows_format (&rows, r));
      *dropped += stats.rows_dropped;
      rows_clear (&rows);
    }
  g_ptr_array_sort (all, compare_strings);
  return all;
}

static void
append_random_field (GString *out, GRand *rand, guint row)
{
  switch (g_rand_int_range (rand, 0, 6))
    {
    case 0:
      g_string_append_printf (out, "\"q%u\n#x,\"\"y\"\"\r\nz\"", row);
      break;
    case 1:
      g_string_append (out, "\"\"");
      break;
    case 2:
      g_string_append_printf (out, "plain %u", g_rand_int (rand));
      break;
    default:
      g_string_append_printf (out, "w%u", row);
      break;
    }
}

static void
test_parallel_matches_serial (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  GString *content = g_string_new ("id,a,b\r\n");
  g_autofree char *path = NULL;
  g_autoptr (PlanTable) table = NULL;
  g_autoptr (GPtrArray) serial = NULL;
  guint64 serial_dropped, dropped;
  guint bad = 0;

  for (guint row = 0; content->len < 3 * 1024 * 1024 + 500000; row++)
    {
      guint what = g_rand_int_range (rand, 0, 100);

      if (what == 0)
        g_string_append (content, "# comment \"with a quote\n");
      else if (what == 1)
        g_string_append (content, "\r\n");
      else if (what == 2)
        {
          g_string_append_printf (content, "%u,too,many,fields\n", row);
          bad++;
        }
      else
        {
          g_string_append_printf (content, "%u,", row);
          append_random_field (content, rand, row);
          g_string_append_c (content, ',');
          append_random_field (content, rand, row);
          g_string_append (content, what % 2 ? "\r\n" : "\n");
        }
    }
  path = write_file ("random.csv", content->str, (gssize) content->len);
  g_string_free (content, TRUE);
  table = csv_table ("id INT; a VARCHAR; b VARCHAR", path, "csv.header", "true",
                     "csv.allow-comments", "true", "csv.ignore-parse-errors", "true", NULL);
  serial = read_sorted (table, 1, &serial_dropped);
  g_assert_cmpuint (serial_dropped, ==, bad);
  g_assert_cmpuint (serial->len, >, 100000);
  for (guint p = 2; p <= 3; p++)
    {
      g_autoptr (GPtrArray) split = read_sorted (table, p, &dropped);

      g_assert_cmpuint (dropped, ==, bad);
      g_assert_cmpuint (split->len, ==, serial->len);
      for (guint i = 0; i < serial->len; i++)
        g_assert_cmpstr (g_ptr_array_index (split, i), ==, g_ptr_array_index (serial, i));
    }
}

static void
test_parallel_small_file (void)
{
  g_autofree char *path = write_file ("small.csv", "1\n2\n3\n", -1);
  g_autoptr (PlanTable) table = csv_table ("a INT", path, NULL);
  g_autoptr (PlanPhysNode) node = source_node_new (table, NULL, 0, NULL, 2);
  GError *error = NULL;
  Rows r0, r1;

  rows_init (&r0);
  rows_init (&r1);
  g_assert_true (run_source (node, 0, 2, 1024, &r0, NULL, &error));
  g_assert_true (run_source (node, 1, 2, 1024, &r1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r0.n_rows, ==, 3);
  g_assert_cmpuint (r1.n_rows, ==, 0);
  rows_clear (&r0);
  rows_clear (&r1);
}

static void
test_directory (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "dir", NULL);
  g_autofree char *a = g_build_filename (dir, "a.csv", NULL);
  g_autofree char *b = g_build_filename (dir, "b.csv", NULL);
  g_autofree char *hidden = g_build_filename (dir, ".hidden", NULL);
  g_autofree char *marker = g_build_filename (dir, "_SUCCESS", NULL);
  g_autoptr (PlanTable) table = NULL;
  const char *const expected[] = { "1|a", "2|b", "3|c", NULL };
  Rows rows;

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (b, "n,s\n3,c\n", -1, NULL));
  g_assert_true (g_file_set_contents (a, "n,s\n1,a\n2,b\n", -1, NULL));
  g_assert_true (g_file_set_contents (hidden, "garbage\n", -1, NULL));
  g_assert_true (g_file_set_contents (marker, "", -1, NULL));
  table = csv_table ("n INT; s VARCHAR", dir, "csv.header", "true", NULL);
  read_all (table, 1024, &rows, NULL);
  assert_rows (&rows, expected);
  rows_clear (&rows);
  g_remove (a);
  g_remove (b);
  g_remove (hidden);
  g_remove (marker);
  g_rmdir (dir);
}

static void
test_missing_file (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "does-not-exist.csv", NULL);
  g_autoptr (PlanTable) table = csv_table ("a INT", path, NULL);
  g_autoptr (PlanTable) no_path = table_new ("t", "a INT");
  g_autoptr (PlanPhysNode) node = source_node_new (table, NULL, 0, NULL, 1);
  g_autoptr (PlanPhysNode) node2 = NULL;
  g_autofree char *expected = g_strdup_printf (
    "Cannot read '%s' for table 't': no such file or directory (check the table's "
    "'path' option)", path);
  GError *error = NULL;

  g_assert_null (rt_source_new (node, 0, 1, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_CONNECTOR);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  plan_table_add_option (no_path, "connector", "filesystem");
  plan_table_add_option (no_path, "format", "csv");
  node2 = source_node_new (no_path, NULL, 0, NULL, 1);
  g_assert_null (rt_source_new (node2, 0, 1, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_CONNECTOR);
  g_assert_true (g_str_has_prefix (error->message, "Missing option 'path' for table 't'"));
  g_clear_error (&error);
}

static void
expect_option_error (const char *key, const char *value, const char *expected_prefix)
{
  g_autofree char *path = write_file ("opt.csv", "1\n", -1);
  g_autoptr (PlanTable) table = csv_table ("a INT", path, key, value, NULL);
  g_autoptr (PlanPhysNode) node = source_node_new (table, NULL, 0, NULL, 1);
  GError *error = NULL;

  g_assert_null (rt_source_new (node, 0, 1, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_CONNECTOR);
  if (!g_str_has_prefix (error->message, expected_prefix))
    g_error ("message '%s' does not start with '%s'", error->message, expected_prefix);
  g_clear_error (&error);
}

static void
test_bad_options (void)
{
  expect_option_error ("csv.delimiter", ";",
                       "Unsupported option 'csv.delimiter' for table 't': the filesystem "
                       "connector knows 'connector', 'format', 'path'");
  expect_option_error ("csv.header", "yes",
                       "Unsupported option 'csv.header' = 'yes' for table 't': expected "
                       "'true' or 'false'");
  expect_option_error ("csv.field-delimiter", ";;",
                       "Unsupported option 'csv.field-delimiter' = ';;' for table 't': "
                       "expected a single character");
  expect_option_error ("format", "json",
                       "Unsupported option 'format' = 'json' for table 't'");
  expect_option_error ("csv.quote-character", ",",
                       "Unsupported option 'csv.field-delimiter'");
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("strom-test-csv-XXXXXX", &error);
  g_assert_no_error (error);
  g_test_add_func ("/runtime/csv/basic", test_basic);
  g_test_add_func ("/runtime/csv/line-endings-comments", test_line_endings_and_comments);
  g_test_add_func ("/runtime/csv/delimiter-quote-null-literal",
                   test_delimiter_quote_null_literal);
  g_test_add_func ("/runtime/csv/escape-character", test_escape_character);
  g_test_add_func ("/runtime/csv/no-quoting", test_no_quoting);
  g_test_add_func ("/runtime/csv/bad-value-fails", test_bad_value_fails);
  g_test_add_func ("/runtime/csv/bad-value-position", test_bad_value_position);
  g_test_add_func ("/runtime/csv/field-count", test_field_count);
  g_test_add_func ("/runtime/csv/syntax-errors", test_syntax_errors);
  g_test_add_func ("/runtime/csv/not-null-column", test_not_null_column);
  g_test_add_func ("/runtime/csv/ignore-parse-errors", test_ignore_parse_errors);
  g_test_add_func ("/runtime/csv/strict-types", test_strict_types);
  g_test_add_func ("/runtime/csv/double-precision", test_double_precision);
  g_test_add_func ("/runtime/csv/projection-pushdown", test_projection_pushdown);
  g_test_add_func ("/runtime/csv/filter-pushdown", test_filter_pushdown);
  g_test_add_func ("/runtime/csv/batches", test_batches);
  g_test_add_func ("/runtime/csv/long-record", test_long_record);
  g_test_add_func ("/runtime/csv/parallel-split", test_parallel_split);
  g_test_add_func ("/runtime/csv/parallel-error-line", test_parallel_error_line);
  g_test_add_func ("/runtime/csv/parallel-matches-serial", test_parallel_matches_serial);
  g_test_add_func ("/runtime/csv/parallel-small-file", test_parallel_small_file);
  g_test_add_func ("/runtime/csv/directory", test_directory);
  g_test_add_func ("/runtime/csv/missing-file", test_missing_file);
  g_test_add_func ("/runtime/csv/bad-options", test_bad_options);
  status = g_test_run ();
  {
    g_autoptr (GDir) dir = g_dir_open (tmp_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *p = g_build_filename (tmp_dir, name, NULL);

        g_remove (p);
      }
  }
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
