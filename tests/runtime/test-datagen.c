/* test-datagen.c: the datagen source: exact sequences, bounded counts split over
 * subtasks, determinism by seed, random ranges and lengths, null rates, rate limiting
 * and option errors naming the option and the table. */
#include "source-harness.h"

/* A datagen table "bid" with options key, value, ..., NULL ('rows-per-second' = '0'
 * unless given, so bounded tests never wait). */
static PlanTable *
dg_table (const char *columns, ...)
{
  PlanTable *table = table_new ("bid", columns);
  gboolean has_rate = FALSE;
  const char *key;
  va_list args;

  plan_table_add_option (table, "connector", "datagen");
  va_start (args, columns);
  while ((key = va_arg (args, const char *)) != NULL)
    {
      has_rate |= strcmp (key, "rows-per-second") == 0;
      plan_table_add_option (table, key, va_arg (args, const char *));
    }
  va_end (args);
  if (!has_rate)
    plan_table_add_option (table, "rows-per-second", "0");
  return table;
}

static void
run_ok (PlanTable *table, const guint *cols, guint n_cols, guint subtask, guint parallelism,
        guint batch_size, Rows *rows, RunStats *stats)
{
  g_autoptr (PlanPhysNode) node = source_node_new (table, cols, n_cols, NULL, parallelism);
  GError *error = NULL;

  rows_init (rows);
  g_assert_true (run_source (node, subtask, parallelism, batch_size, rows, stats, &error));
  g_assert_no_error (error);
}

static void
test_sequence_values (void)
{
  g_autoptr (PlanTable) table = dg_table (
    "id BIGINT; n INT; d DOUBLE; s VARCHAR; m DECIMAL(6, 2)",
    "fields.id.kind", "sequence", "fields.id.start", "1", "fields.id.end", "10",
    "fields.n.kind", "sequence", "fields.n.start", "-5", "fields.n.end", "100",
    "fields.d.kind", "sequence", "fields.d.start", "0.5", "fields.d.end", "1000",
    "fields.s.kind", "sequence", "fields.s.start", "100", "fields.s.end", "200",
    "fields.m.kind", "sequence", "fields.m.start", "1", "fields.m.end", "50", NULL);
  const char *const expected[] = {
    "1|-5|0.5|100|1.00", "2|-4|1.5|101|2.00", "3|-3|2.5|102|3.00", "4|-2|3.5|103|4.00",
    "5|-1|4.5|104|5.00", "6|0|5.5|105|6.00", "7|1|6.5|106|7.00", "8|2|7.5|107|8.00",
    "9|3|8.5|108|9.00", "10|4|9.5|109|10.00",
  };
  RunStats stats = { 0 };
  Rows rows;

  /* The shortest sequence (id, 10 values) ends the source. */
  run_ok (table, NULL, 0, 0, 1, 4, &rows, &stats);
  g_assert_cmpuint (rows.n_rows, ==, G_N_ELEMENTS (expected));
  for (guint r = 0; r < rows.n_rows; r++)
    {
      g_autofree char *got = rows_format (&rows, r);

      g_assert_cmpstr (got, ==, expected[r]);
    }
  g_assert_cmpuint (rows.n_batches, ==, 3);   /* 4 + 4 + 2 */
  g_assert_cmpuint (stats.n_calls, ==, 3);    /* the last batch comes with RT_DONE */
  g_assert_cmpuint (stats.rows_out, ==, 10);
  rows_clear (&rows);
}

static void
test_parallel_sequence (void)
{
  g_autoptr (PlanTable) table = dg_table ("id BIGINT; r INT", "fields.id.kind", "sequence",
                                          "fields.id.start", "1", "fields.id.end", "10",
                                          NULL);
  /* 10 rows over 3 subtasks: 4, 3, 3, contiguous. */
  const gint64 first[] = { 1, 5, 8 };
  const guint count[] = { 4, 3, 3 };

  for (guint s = 0; s < 3; s++)
    {
      Rows rows;

      run_ok (table, NULL, 0, s, 3, 1024, &rows, NULL);
      g_assert_cmpuint (rows.n_rows, ==, count[s]);
      for (guint r = 0; r < rows.n_rows; r++)
        g_assert_cmpint (rows_get (&rows, r, 0)->v.i, ==, first[s] + r);
      rows_clear (&rows);
    }
}

static void
test_number_of_rows (void)
{
  g_autoptr (PlanTable) random = dg_table ("a INT; b VARCHAR", "number-of-rows", "10",
                                           "fields.b.length", "3", NULL);
  g_autoptr (PlanTable) shorter = dg_table ("id INT", "number-of-rows", "5",
                                            "fields.id.kind", "sequence",
                                            "fields.id.start", "1", "fields.id.end", "100",
                                            NULL);
  g_autoptr (PlanTable) zero = dg_table ("a INT", "number-of-rows", "0", NULL);
  const guint expected[] = { 3, 3, 2, 2 };
  guint total = 0;
  RunStats stats = { 0 };
  Rows rows;

  for (guint s = 0; s < 4; s++)
    {
      run_ok (random, NULL, 0, s, 4, 1024, &rows, NULL);
      g_assert_cmpuint (rows.n_rows, ==, expected[s]);
      total += rows.n_rows;
      rows_clear (&rows);
    }
  g_assert_cmpuint (total, ==, 10);

  run_ok (shorter, NULL, 0, 0, 1, 1024, &rows, NULL);
  g_assert_cmpuint (rows.n_rows, ==, 5);
  for (guint r = 0; r < 5; r++)
    g_assert_cmpint (rows_get (&rows, r, 0)->v.i, ==, r + 1);
  rows_clear (&rows);

  run_ok (zero, NULL, 0, 0, 1, 1024, &rows, &stats);
  g_assert_cmpuint (rows.n_rows, ==, 0);
  g_assert_cmpuint (stats.n_calls, ==, 1);
  rows_clear (&rows);
}

static gboolean
rows_equal (const Rows *a, guint col_a, const Rows *b, guint col_b)
{
  if (a->n_rows != b->n_rows)
    return FALSE;
  for (guint r = 0; r < a->n_rows; r++)
    {
      g_autofree char *x = plan_value_to_string (rows_get (a, r, col_a), FALSE);
      g_autofree char *y = plan_value_to_string (rows_get (b, r, col_b), FALSE);

      if (strcmp (x, y) != 0)
        return FALSE;
    }
  return TRUE;
}

static void
test_determinism (void)
{
  const char *columns = "a BIGINT; b DOUBLE; c VARCHAR; d INT";
  g_autoptr (PlanTable) s42 = dg_table (columns, "number-of-rows", "500", "seed", "42",
                                        "fields.d.null-rate", "0.3", NULL);
  g_autoptr (PlanTable) s42b = dg_table (columns, "number-of-rows", "500", "seed", "42",
                                         "fields.d.null-rate", "0.3", NULL);
  g_autoptr (PlanTable) s43 = dg_table (columns, "number-of-rows", "500", "seed", "43",
                                        "fields.d.null-rate", "0.3", NULL);
  g_autoptr (PlanTable) s0 = dg_table (columns, "number-of-rows", "500", "seed", "0",
                                       "fields.d.null-rate", "0.3", NULL);
  g_autoptr (PlanTable) dflt = dg_table (columns, "number-of-rows", "500",
                                         "fields.d.null-rate", "0.3", NULL);
  const guint only_c[] = { 2 };
  Rows a, b, c, d, e, f, g1, g2;

  run_ok (s42, NULL, 0, 0, 1, 64, &a, NULL);
  run_ok (s42b, NULL, 0, 0, 1, 1024, &b, NULL);
  run_ok (s43, NULL, 0, 0, 1, 1024, &c, NULL);
  run_ok (s0, NULL, 0, 0, 1, 1024, &d, NULL);
  run_ok (dflt, NULL, 0, 0, 1, 1024, &e, NULL);
  for (guint col = 0; col < 4; col++)
    {
      g_assert_true (rows_equal (&a, col, &b, col)); /* batch size does not matter */
      g_assert_false (rows_equal (&a, col, &c, col));
      g_assert_true (rows_equal (&d, col, &e, col)); /* the default seed is 0 */
    }
  /* Projection does not change a column's values. */
  run_ok (s42, only_c, 1, 0, 1, 1024, &f, NULL);
  g_assert_true (rows_equal (&a, 2, &f, 0));
  /* Subtasks draw from different streams. */
  run_ok (s42, NULL, 0, 0, 2, 1024, &g1, NULL);
  run_ok (s42, NULL, 0, 1, 2, 1024, &g2, NULL);
  g_assert_cmpuint (g1.n_rows, ==, 250);
  g_assert_cmpuint (g2.n_rows, ==, 250);
  g_assert_false (rows_equal (&g1, 0, &g2, 0));
  rows_clear (&a);
  rows_clear (&b);
  rows_clear (&c);
  rows_clear (&d);
  rows_clear (&e);
  rows_clear (&f);
  rows_clear (&g1);
  rows_clear (&g2);
}

static void
test_random_ranges (void)
{
  g_autoptr (PlanTable) table = dg_table (
    "i INT; b BIGINT; d DOUBLE; m DECIMAL(5, 2); s VARCHAR; v VARCHAR; f BOOLEAN; "
    "ts TIMESTAMP(3); dt DATE; iv INTERVAL; dd DOUBLE; ii INT",
    "number-of-rows", "10000",
    "fields.i.min", "-3", "fields.i.max", "3",
    "fields.b.min", "1000000000000", "fields.b.max", "1000000000009",
    "fields.d.min", "1.5", "fields.d.max", "2.5",
    "fields.m.min", "-1.5", "fields.m.max", "1.5",
    "fields.s.length", "7",
    "fields.v.length", "5", "fields.v.var-len", "true",
    "fields.ts.max-past", "1 h", "datagen.base-time", "2024-01-01 12:00:00",
    "fields.dt.max-past", "3 d",
    "fields.iv.min", "0", "fields.iv.max", "10", NULL);
  gint64 ts_lo, ts_hi;
  gint32 day;
  guint seen_i[7] = { 0 }, seen_len[6] = { 0 }, seen_b[10] = { 0 }, seen_f[2] = { 0 };
  guint seen_day[4] = { 0 };
  gboolean ii_negative = FALSE;
  Rows rows;

  g_assert_true (plan_parse_timestamp ("2024-01-01 11:00:00", 19, &ts_lo));
  g_assert_true (plan_parse_timestamp ("2024-01-01 12:00:00", 19, &ts_hi));
  g_assert_true (plan_parse_date ("2024-01-01", 10, &day));
  run_ok (table, NULL, 0, 0, 1, 1024, &rows, NULL);
  g_assert_cmpuint (rows.n_rows, ==, 10000);
  for (guint r = 0; r < rows.n_rows; r++)
    {
      gint64 i = rows_get (&rows, r, 0)->v.i;
      gint64 b = rows_get (&rows, r, 1)->v.i;
      double d = rows_get (&rows, r, 2)->v.d;
      gint64 m = rows_get (&rows, r, 3)->v.i;
      const char *s = rows_get (&rows, r, 4)->v.s;
      const char *v = rows_get (&rows, r, 5)->v.s;
      gint64 ts = rows_get (&rows, r, 7)->v.i;
      gint64 dt = rows_get (&rows, r, 8)->v.i;
      gint64 iv = rows_get (&rows, r, 9)->v.i;
      double dd = rows_get (&rows, r, 10)->v.d;

      g_assert_cmpint (i, >=, -3);
      g_assert_cmpint (i, <=, 3);
      seen_i[i + 3]++;
      g_assert_cmpint (b, >=, G_GINT64_CONSTANT (1000000000000));
      g_assert_cmpint (b, <=, G_GINT64_CONSTANT (1000000000009));
      seen_b[b - G_GINT64_CONSTANT (1000000000000)]++;
      g_assert_cmpfloat (d, >=, 1.5);
      g_assert_cmpfloat (d, <=, 2.5);
      g_assert_cmpint (m, >=, -150);
      g_assert_cmpint (m, <=, 150);
      g_assert_cmpuint (strlen (s), ==, 7);
      for (const char *p = s; *p; p++)
        g_assert_true (g_ascii_isxdigit (*p) && !g_ascii_isupper (*p));
      g_assert_cmpuint (strlen (v), >=, 1);
      g_assert_cmpuint (strlen (v), <=, 5);
      seen_len[strlen (v)]++;
      seen_f[rows_get (&rows, r, 6)->v.b ? 1 : 0]++;
      g_assert_cmpint (ts, >=, ts_lo);
      g_assert_cmpint (ts, <=, ts_hi);
      g_assert_cmpint (dt, >=, day - 3);
      g_assert_cmpint (dt, <=, day);
      seen_day[day - dt]++;
      g_assert_cmpint (iv, >=, 0);
      g_assert_cmpint (iv, <=, 10);
      g_assert_cmpfloat (dd, >=, 0.0); /* DOUBLE default range 0..1 */
      g_assert_cmpfloat (dd, <, 1.0);
      ii_negative |= rows_get (&rows, r, 11)->v.i < 0; /* INT default: the whole type */
    }
  /* 10000 draws over a handful of values reach every one of them. */
  for (guint k = 0; k < 7; k++)
    g_assert_cmpuint (seen_i[k], >, 0);
  for (guint k = 0; k < 10; k++)
    g_assert_cmpuint (seen_b[k], >, 0);
  for (guint k = 1; k <= 5; k++)
    g_assert_cmpuint (seen_len[k], >, 0);
  for (guint k = 0; k < 4; k++)
    g_assert_cmpuint (seen_day[k], >, 0);
  g_assert_cmpuint (seen_f[0], >, 0);
  g_assert_cmpuint (seen_f[1], >, 0);
  g_assert_true (ii_negative);
  rows_clear (&rows);
}

static void
test_null_rate (void)
{
  g_autoptr (PlanTable) table = dg_table (
    "all_null VARCHAR; half BIGINT; never DOUBLE; seq_null INT",
    "number-of-rows", "10000",
    "fields.all_null.null-rate", "1.0", "fields.half.null-rate", "0.5",
    "fields.never.null-rate", "0",
    "fields.seq_null.kind", "sequence", "fields.seq_null.start", "1",
    "fields.seq_null.end", "20000", "fields.seq_null.null-rate", "1", NULL);
  guint nulls[4] = { 0 };
  Rows rows;

  run_ok (table, NULL, 0, 0, 1, 1000, &rows, NULL);
  g_assert_cmpuint (rows.n_rows, ==, 10000);
  for (guint r = 0; r < rows.n_rows; r++)
    for (guint c = 0; c < 4; c++)
      nulls[c] += rows_get (&rows, r, c)->is_null;
  g_assert_cmpuint (nulls[0], ==, 10000);
  g_assert_cmpuint (nulls[1], >, 4500);
  g_assert_cmpuint (nulls[1], <, 5500);
  g_assert_cmpuint (nulls[2], ==, 0);
  g_assert_cmpuint (nulls[3], ==, 10000);
  rows_clear (&rows);
}

static void
test_all_types_default (void)
{
  g_autoptr (PlanTable) table = dg_table (
    "a BOOLEAN; b INT; c BIGINT; d DOUBLE; e DECIMAL(10, 3); f VARCHAR; g DATE; "
    "h TIMESTAMP(3); i INTERVAL", "number-of-rows", "100", NULL);
  Rows rows;

  run_ok (table, NULL, 0, 0, 1, 1024, &rows, NULL);
  g_assert_cmpuint (rows.n_rows, ==, 100);
  for (guint r = 0; r < rows.n_rows; r++)
    {
      gint64 e = rows_get (&rows, r, 4)->v.i;

      g_assert_cmpint (e, >=, -G_GINT64_CONSTANT (9999999999));
      g_assert_cmpint (e, <=, G_GINT64_CONSTANT (9999999999));
      g_assert_cmpuint (strlen (rows_get (&rows, r, 5)->v.s), ==, 100);
      for (guint c = 0; c < 9; c++)
        g_assert_false (rows_get (&rows, r, c)->is_null);
    }
  rows_clear (&rows);
}

static void
test_unbounded (void)
{
  g_autoptr (PlanTable) table = dg_table ("a BIGINT", NULL);
  g_autoptr (PlanPhysNode) node = source_node_new (table, NULL, 0, NULL, 1);
  RtMemPool *pool = rt_mem_pool_new (16 * 1024 * 1024);
  RtOpContext ctx = { .pool = pool, .parallelism = 1, .batch_size = 100 };
  GError *error = NULL;
  RtOperator *op;
  Rows rows;

  rows_init (&rows);
  op = rt_source_new (node, 0, 1, &error);
  g_assert_no_error (error);
  op->ctx = &ctx;
  op->sink_fn = rows_collect;
  op->sink_data = &rows;
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (op->klass->produce (op, &error), ==, RT_OK);
  g_assert_cmpuint (rows.n_rows, ==, 500);
  g_assert_cmpuint (rows.n_batches, ==, 5);
  rt_operator_free (op);
  rows_clear (&rows);
  rt_mem_pool_free (pool);
}

/* At rate rows per second, one row is due at once and the next period_us after it. */
static void
check_rate (const char *rate, gint64 period_us)
{
  g_autoptr (PlanTable) table = dg_table ("a BIGINT", "rows-per-second", rate,
                                          "number-of-rows", "5", NULL);
  g_autoptr (PlanPhysNode) node = source_node_new (table, NULL, 0, NULL, 1);
  RtMemPool *pool = rt_mem_pool_new (16 * 1024 * 1024);
  RtOpContext ctx = { .pool = pool, .parallelism = 1, .batch_size = 1024 };
  GError *error = NULL;
  gint64 before, after;
  RtOperator *op;
  Rows rows;

  rows_init (&rows);
  op = rt_source_new (node, 0, 1, &error);
  g_assert_no_error (error);
  op->ctx = &ctx;
  op->sink_fn = rows_collect;
  op->sink_data = &rows;
  /* One row is due at once; the next one a period after the first. */
  before = g_get_monotonic_time ();
  g_assert_cmpint (op->klass->produce (op, &error), ==, RT_OK);
  after = g_get_monotonic_time ();
  g_assert_cmpuint (rows.n_rows, ==, 1);
  g_assert_cmpint (op->klass->produce (op, &error), ==, RT_WAIT);
  g_assert_cmpint (ctx.wake_at_us, >=, before + period_us);
  g_assert_cmpint (ctx.wake_at_us, <=, after + period_us);
  g_assert_cmpuint (rows.n_rows, ==, 1);
  rt_operator_free (op);
  rows_clear (&rows);
  rt_mem_pool_free (pool);
}

static void
test_rate_limit (void)
{
  check_rate ("1", G_USEC_PER_SEC);
  check_rate ("0.25", 4 * G_USEC_PER_SEC); /* strom extension: a fractional rate */
}

static void
test_filter_pushdown (void)
{
  g_autoptr (PlanTable) table = dg_table ("id INT; x DOUBLE", "fields.id.kind", "sequence",
                                          "fields.id.start", "1", "fields.id.end", "20",
                                          NULL);
  PlanSpan span = { 0 };
  PlanValue fifteen = { .type = plan_type_make (PLAN_TYPE_INT, FALSE), .v.i = 15 };
  PlanExpr *args[2];
  g_autoptr (PlanPhysNode) node = NULL;
  GError *error = NULL;
  RunStats stats = { 0 };
  Rows rows;

  args[0] = plan_expr_column (0, plan_type_make (PLAN_TYPE_INT, TRUE), span);
  args[1] = plan_expr_literal (&fifteen, span);
  node = source_node_new (table, NULL, 0,
                          plan_expr_call (PLAN_FUNC_GT,
                                          plan_type_make (PLAN_TYPE_BOOLEAN, TRUE), 2, args,
                                          span), 1);
  rows_init (&rows);
  g_assert_true (run_source (node, 0, 1, 8, &rows, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rows.n_rows, ==, 5);
  for (guint r = 0; r < 5; r++)
    g_assert_cmpint (rows_get (&rows, r, 0)->v.i, ==, 16 + r);
  g_assert_cmpuint (stats.rows_in, ==, 20);
  g_assert_cmpuint (stats.rows_out, ==, 5);
  rows_clear (&rows);
}

typedef struct {
  const char *columns;
  const char *key, *value, *key2, *value2;
  const char *message;
} OptionCase;

static void
test_option_errors (void)
{
  static const OptionCase cases[] = {
    { "id INT", "fields.id.kind", "rnd", NULL, NULL,
      "Unsupported option 'fields.id.kind' = 'rnd' for table 'bid': expected 'random' or "
      "'sequence'" },
    { "id INT", "fields.nope.kind", "random", NULL, NULL,
      "Unsupported option 'fields.nope.kind' for table 'bid': the table has no column "
      "'nope'" },
    { "id INT", "fields.id.colour", "red", NULL, NULL,
      "Unsupported option 'fields.id.colour' for table 'bid': field options are kind, "
      "start, end, min, max, length, var-len, max-past and null-rate" },
    { "id INT", "rows-per-second", "fast", NULL, NULL,
      "Unsupported option 'rows-per-second' = 'fast' for table 'bid': expected a "
      "finite number" },
    { "id INT", "rows-per-second", "-2", NULL, NULL,
      "Unsupported option 'rows-per-second' = '-2' for table 'bid': expected a rate of "
      "rows per second, 0 or more" },
    { "id INT", "number-of-rows", "-1", NULL, NULL,
      "Unsupported option 'number-of-rows' = '-1' for table 'bid': expected an integer "
      "from 0 to 9223372036854775807" },
    { "id INT", "fields.id.null-rate", "1.5", NULL, NULL,
      "Unsupported option 'fields.id.null-rate' = '1.5' for table 'bid': expected a "
      "number from 0 to 1" },
    { "id INT NOT NULL", "fields.id.null-rate", "0.1", NULL, NULL,
      "Unsupported option 'fields.id.null-rate' = '0.1' for table 'bid': column 'id' is "
      "NOT NULL" },
    { "id INT", "fields.id.kind", "sequence", "fields.id.start", "1",
      "Missing option 'fields.id.end' for table 'bid': a sequence field needs both "
      "'start' and 'end'" },
    { "id INT", "fields.id.kind", "sequence", "fields.id.min", "1",
      "Unsupported option 'fields.id.min' = '1' for table 'bid': it applies to 'random' "
      "fields, this one is a 'sequence'" },
    { "id INT", "fields.id.start", "1", NULL, NULL,
      "Unsupported option 'fields.id.start' = '1' for table 'bid': it applies to "
      "'sequence' fields, this one is 'random'" },
    { "id INT", "fields.id.min", "5", "fields.id.max", "4",
      "Unsupported option 'fields.id.max' = '4' for table 'bid': expected max >= min" },
    { "id INT", "fields.id.max", "3000000000", NULL, NULL,
      "Unsupported option 'fields.id.max' = '3000000000' for table 'bid': expected an "
      "integer from -2147483648 to 2147483647" },
    { "id BIGINT", "fields.id.length", "5", NULL, NULL,
      "Unsupported option 'fields.id.length' = '5' for table 'bid': it applies to VARCHAR "
      "columns" },
    { "id BOOLEAN", "fields.id.kind", "sequence", NULL, NULL,
      "Unsupported option 'fields.id.kind' = 'sequence' for table 'bid': a sequence needs "
      "a numeric or VARCHAR column" },
    { "ts TIMESTAMP(3)", "fields.ts.max-past", "soon", NULL, NULL,
      "Unsupported option 'fields.ts.max-past' = 'soon' for table 'bid': expected a "
      "duration such as '500 ms', '10 s', '5 min', '1 h' or '2 d'" },
    { "id INT", "fields.id.min", "x", NULL, NULL,
      "Unsupported option 'fields.id.min' = 'x' for table 'bid': expected an integer" },
    { "d DOUBLE", "fields.d.max", "1e999", NULL, NULL,
      "Unsupported option 'fields.d.max' = '1e999' for table 'bid': expected a finite "
      "number" },
    { "id INT", "foo", "bar", NULL, NULL,
      "Unsupported option 'foo' for table 'bid': the datagen connector knows "
      "'connector', 'rows-per-second', 'number-of-rows', 'seed', 'datagen.base-time', "
      "'scan.parallelism' and options starting with 'fields.'" },
    { "id INT", "connector", "kafka", NULL, NULL,
      "Unsupported option 'connector' = 'kafka' for table 'bid': strom can read from "
      "'datagen', 'nexmark' and 'filesystem' tables" }, /* nexmark: added by nexmark */
    { "id INT", "datagen.base-time", "yesterday", NULL, NULL,
      "Unsupported option 'datagen.base-time' = 'yesterday' for table 'bid': expected a "
      "timestamp 'YYYY-MM-DD HH:MM:SS'" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const OptionCase *c = &cases[i];
      g_autoptr (PlanTable) table = NULL;
      g_autoptr (PlanPhysNode) node = NULL;
      GError *error = NULL;

      if (c->key2 != NULL)
        table = dg_table (c->columns, c->key, c->value, c->key2, c->value2, NULL);
      else
        table = dg_table (c->columns, c->key, c->value, NULL);
      node = source_node_new (table, NULL, 0, NULL, 1);
      g_test_message ("case %u: %s", i, c->key);
      g_assert_null (rt_source_new (node, 0, 1, &error));
      g_assert_error (error, RT_ERROR, RT_ERROR_CONNECTOR);
      g_assert_cmpstr (error->message, ==, c->message);
      g_clear_error (&error);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/datagen/sequence-values", test_sequence_values);
  g_test_add_func ("/runtime/datagen/parallel-sequence", test_parallel_sequence);
  g_test_add_func ("/runtime/datagen/number-of-rows", test_number_of_rows);
  g_test_add_func ("/runtime/datagen/determinism", test_determinism);
  g_test_add_func ("/runtime/datagen/random-ranges", test_random_ranges);
  g_test_add_func ("/runtime/datagen/null-rate", test_null_rate);
  g_test_add_func ("/runtime/datagen/all-types-default", test_all_types_default);
  g_test_add_func ("/runtime/datagen/unbounded", test_unbounded);
  g_test_add_func ("/runtime/datagen/rate-limit", test_rate_limit);
  g_test_add_func ("/runtime/datagen/filter-pushdown", test_filter_pushdown);
  g_test_add_func ("/runtime/datagen/option-errors", test_option_errors);
  return g_test_run ();
}
