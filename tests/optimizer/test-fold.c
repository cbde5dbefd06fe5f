/* test-fold.c: the constant-folding pass (optimizer/opt-fold.c). Most plans come from SQL
 * through the binder, so the literals carry the types the binder gives (DECIMAL precision
 * and scale above all); the rest are built by hand. Every expected value was worked out on
 * paper from the engine's rules (runtime/engine/rt-expr*.c). */
#include "optimizer/opt-private.h"
#include "plans/plan-sql.h"

#include <string.h>

static PlanCatalog *catalog;

/* ---- binding and folding ------------------------------------------------------------- */

static PlanStatement *
bind (const char *sql)
{
  g_autoptr (GError) error = NULL;
  PlanStatement *stmt = plan_sql_compile_one (catalog, sql, &error);

  g_assert_no_error (error);
  g_assert_nonnull (stmt);
  return stmt;
}

/* Folds plan (borrowed): the result must pass the verifier and plan must be unchanged. */
static PlanNode *
fold (PlanNode *plan)
{
  g_autofree char *before = plan_node_explain (plan);
  g_autofree char *after = NULL;
  g_autoptr (GError) error = NULL;
  PlanNode *folded = opt_pass_constant_folding (plan);

  g_assert_nonnull (folded);
  g_assert_true (opt_verify_plan (folded, &error));
  g_assert_no_error (error);
  after = plan_node_explain (plan);
  g_assert_cmpstr (before, ==, after);
  return folded;
}

/* The expression of SELECT <expr> AS x [from] after folding (a new ref); *original, when
 * given, gets the bound one. */
static PlanExpr *
fold_select (const char *expr, const char *from, PlanExpr **original)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s AS x%s", expr, from ? from : "");
  g_autoptr (PlanStatement) stmt = bind (sql);
  g_autoptr (PlanNode) folded = fold (stmt->plan);
  PlanNode *project = folded->inputs[0];

  g_assert_cmpint (project->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpuint (project->u.project.n_exprs, ==, 1);
  if (original)
    *original = plan_expr_ref (stmt->plan->inputs[0]->u.project.exprs[0]);
  return plan_expr_ref (project->u.project.exprs[0]);
}

#define FOLD(expr) fold_select ((expr), NULL, NULL)
#define FOLD_T(expr) fold_select ((expr), " FROM t", NULL)

/* ---- building by hand ---------------------------------------------------------------- */

static PlanSpan
span_at (guint col)
{
  return (PlanSpan) { col - 1, col + 3, 1, col };
}

static PlanType
ty (PlanTypeKind kind)
{
  return plan_type_make (kind, TRUE);
}

static PlanExpr *
col (guint i, PlanTypeKind kind)
{
  return plan_expr_column (i, ty (kind), span_at (30 + i));
}

static PlanExpr *
lit_int (PlanTypeKind kind, gint64 v)
{
  PlanValue value = { .type = plan_type_make (kind, FALSE), .v.i = v };

  return plan_expr_literal (&value, span_at (40));
}

static PlanExpr *
lit_bool (gboolean b)
{
  PlanValue value = { .type = plan_type_make (PLAN_TYPE_BOOLEAN, FALSE), .v.b = b };

  return plan_expr_literal (&value, span_at (41));
}

static PlanExpr *
call (PlanFunc func, PlanTypeKind kind, guint n, PlanExpr *a, PlanExpr *b, PlanExpr *c)
{
  PlanExpr *args[3] = { a, b, c };

  return plan_expr_call (func, ty (kind), n, args, span_at (50));
}

/* A scan of every column of table. */
static PlanNode *
scan_new (PlanTable *table)
{
  PlanSchema *schema = plan_schema_new (table->schema->n_fields);
  PlanNode *scan;

  for (guint i = 0; i < schema->n_fields; i++)
    plan_schema_set_field (schema, i, table->schema->fields[i].name,
                           table->schema->fields[i].type);
  scan = plan_node_new (PLAN_NODE_SCAN, schema, span_at (20), 0, NULL);
  scan->u.scan.table = plan_table_ref (table);
  scan->u.scan.n_columns = schema->n_fields;
  scan->u.scan.columns = g_new (guint, schema->n_fields);
  for (guint i = 0; i < schema->n_fields; i++)
    scan->u.scan.columns[i] = i;
  return scan;
}

/* SINK <- PROJECT (expr AS x) <- input; takes expr and input. */
static PlanNode *
project_plan (PlanExpr *expr, PlanNode *input)
{
  PlanSchema *schema = plan_schema_new (1);
  PlanNode *project, *sink;

  plan_schema_set_field (schema, 0, "x", expr->type);
  project = plan_node_new (PLAN_NODE_PROJECT, schema, span_at (8), 1, &input);
  project->u.project.n_exprs = 1;
  project->u.project.exprs = g_new (PlanExpr *, 1);
  project->u.project.exprs[0] = expr;
  sink = plan_node_new (PLAN_NODE_SINK, plan_schema_ref (schema), span_at (1), 1, &project);
  return sink;
}

/* expr (taken) over a scan of t, folded (a new ref). */
static PlanExpr *
fold_over_t (PlanExpr *expr)
{
  g_autoptr (PlanNode) plan = project_plan (expr, scan_new (plan_catalog_get_table (catalog,
                                                                                     "t")));
  g_autoptr (PlanNode) folded = fold (plan);

  return plan_expr_ref (folded->inputs[0]->u.project.exprs[0]);
}

/* ---- assertions ---------------------------------------------------------------------- */

static void
assert_literal (const PlanExpr *e, PlanTypeKind kind)
{
  g_assert_nonnull (e);
  g_assert_cmpint (e->kind, ==, PLAN_EXPR_LITERAL);
  g_assert_cmpint (e->type.kind, ==, kind);
  g_assert_cmpint (e->u.literal.type.kind, ==, kind);
  g_assert_false (e->u.literal.is_null);
}

static void
assert_int (const PlanExpr *e, PlanTypeKind kind, gint64 v)
{
  assert_literal (e, kind);
  g_assert_cmpint (e->u.literal.v.i, ==, v);
}

static void
assert_decimal (const PlanExpr *e, guint precision, guint scale, gint64 scaled)
{
  assert_int (e, PLAN_TYPE_DECIMAL, scaled);
  g_assert_cmpuint (e->type.precision, ==, precision);
  g_assert_cmpuint (e->type.scale, ==, scale);
  g_assert_cmpuint (e->u.literal.type.precision, ==, precision);
  g_assert_cmpuint (e->u.literal.type.scale, ==, scale);
}

static void
assert_double (const PlanExpr *e, double v)
{
  assert_literal (e, PLAN_TYPE_DOUBLE);
  g_assert_cmpfloat (e->u.literal.v.d, ==, v);
}

static void
assert_string (const PlanExpr *e, const char *s)
{
  assert_literal (e, PLAN_TYPE_VARCHAR);
  g_assert_cmpstr (e->u.literal.v.s, ==, s);
}

static void
assert_bool (const PlanExpr *e, gboolean b)
{
  assert_literal (e, PLAN_TYPE_BOOLEAN);
  g_assert_cmpint (!e->u.literal.v.b, ==, !b);
}

static void
assert_null (const PlanExpr *e, PlanTypeKind kind)
{
  g_assert_nonnull (e);
  g_assert_cmpint (e->kind, ==, PLAN_EXPR_LITERAL);
  g_assert_true (e->u.literal.is_null);
  g_assert_cmpint (e->type.kind, ==, kind);
}

static void
assert_call (const PlanExpr *e, PlanFunc func, guint n_args)
{
  g_assert_nonnull (e);
  g_assert_cmpint (e->kind, ==, PLAN_EXPR_CALL);
  g_assert_cmpint (e->u.call.func, ==, func);
  g_assert_cmpuint (e->u.call.n_args, ==, n_args);
}

static void
assert_column (const PlanExpr *e, guint column)
{
  g_assert_nonnull (e);
  g_assert_cmpint (e->kind, ==, PLAN_EXPR_COLUMN);
  g_assert_cmpuint (e->u.column, ==, column);
}

/* FOLD (sql) is a literal of kind with value v. */
#define CHECK_INT(sql, kind, v)                                                            \
  do                                                                                       \
    {                                                                                      \
      g_autoptr (PlanExpr) x_ = FOLD (sql);                                                \
      assert_int (x_, kind, v);                                                            \
    }                                                                                      \
  while (0)

#define CHECK_DECIMAL(sql, p, s, v)                                                        \
  do                                                                                       \
    {                                                                                      \
      g_autoptr (PlanExpr) x_ = FOLD (sql);                                                \
      assert_decimal (x_, p, s, v);                                                        \
    }                                                                                      \
  while (0)

#define CHECK_DOUBLE(sql, v)                                                               \
  do                                                                                       \
    {                                                                                      \
      g_autoptr (PlanExpr) x_ = FOLD (sql);                                                \
      assert_double (x_, v);                                                               \
    }                                                                                      \
  while (0)

#define CHECK_STRING(sql, v)                                                               \
  do                                                                                       \
    {                                                                                      \
      g_autoptr (PlanExpr) x_ = FOLD (sql);                                                \
      assert_string (x_, v);                                                               \
    }                                                                                      \
  while (0)

#define CHECK_BOOL(sql, v)                                                                 \
  do                                                                                       \
    {                                                                                      \
      g_autoptr (PlanExpr) x_ = FOLD (sql);                                                \
      assert_bool (x_, v);                                                                 \
    }                                                                                      \
  while (0)

#define CHECK_NULL(sql, kind)                                                              \
  do                                                                                       \
    {                                                                                      \
      g_autoptr (PlanExpr) x_ = FOLD (sql);                                                \
      assert_null (x_, kind);                                                              \
    }                                                                                      \
  while (0)

/* FOLD (sql) stays a call of func whose two arguments folded to literals. */
#define CHECK_STAYS(sql, func)                                                             \
  do                                                                                       \
    {                                                                                      \
      g_autoptr (PlanExpr) x_ = FOLD (sql);                                                \
      assert_call (x_, func, 2);                                                           \
      g_assert_cmpint (x_->u.call.args[0]->kind, ==, PLAN_EXPR_LITERAL);                   \
      g_assert_cmpint (x_->u.call.args[1]->kind, ==, PLAN_EXPR_LITERAL);                   \
    }                                                                                      \
  while (0)

/* ---- arithmetic ---------------------------------------------------------------------- */

static void
test_integer (void)
{
  CHECK_INT ("1 + 2", PLAN_TYPE_INT, 3);
  CHECK_INT ("2147483647 - 1", PLAN_TYPE_INT, 2147483646);
  CHECK_INT ("6 * -7", PLAN_TYPE_INT, -42);
  CHECK_INT ("7 / 2", PLAN_TYPE_INT, 3);    /* integer division truncates */
  CHECK_INT ("-7 / 2", PLAN_TYPE_INT, -3);  /* toward zero */
  CHECK_INT ("7 % -3", PLAN_TYPE_INT, 1);   /* the sign of the dividend */
  CHECK_INT ("-7 % 3", PLAN_TYPE_INT, -1);
  CHECK_INT ("5 % -1", PLAN_TYPE_INT, 0);
  CHECK_INT ("-(-5)", PLAN_TYPE_INT, 5);
  /* 3000000000 is a BIGINT literal, so 2 becomes CAST(2 AS BIGINT) first */
  CHECK_INT ("3000000000 * 2", PLAN_TYPE_BIGINT, 6000000000);
  CHECK_INT ("9223372036854775807 - 7", PLAN_TYPE_BIGINT, G_GINT64_CONSTANT (9223372036854775800));
}

static void
test_integer_overflow (void)
{
  CHECK_STAYS ("2147483647 + 1", PLAN_FUNC_ADD);
  CHECK_STAYS ("-2147483647 - 2", PLAN_FUNC_SUB);
  CHECK_STAYS ("65536 * 32768", PLAN_FUNC_MUL);  /* 2^31 */
  CHECK_STAYS ("CAST(-2147483648 AS INT) / -1", PLAN_FUNC_DIV);
  CHECK_STAYS ("9223372036854775807 + 1", PLAN_FUNC_ADD);
  CHECK_STAYS ("9223372036854775807 * 2", PLAN_FUNC_MUL);
  {
    g_autoptr (PlanExpr) x = FOLD ("-CAST(-2147483648 AS INT)");

    assert_call (x, PLAN_FUNC_NEG, 1);
    assert_int (x->u.call.args[0], PLAN_TYPE_INT, G_MININT32);
  }
  {
    g_autoptr (PlanExpr) x = FOLD ("2147483647 + 1");

    assert_int (x->u.call.args[0], PLAN_TYPE_INT, 2147483647);
    assert_int (x->u.call.args[1], PLAN_TYPE_INT, 1);
  }
}

static void
test_division_by_zero (void)
{
  PlanExpr *original = NULL;
  g_autoptr (PlanExpr) x = fold_select ("1 / 0", NULL, &original);

  /* left for the engine, which reports the error at the expression's position */
  assert_call (x, PLAN_FUNC_DIV, 2);
  g_assert_true (x == original);
  g_assert_cmpuint (x->span.line, ==, 1);
  g_assert_cmpuint (x->span.col, ==, 8);
  plan_expr_unref (original);
  CHECK_STAYS ("7 % 0", PLAN_FUNC_MOD);
  CHECK_STAYS ("1.5 / 0", PLAN_FUNC_DIV);    /* DECIMAL */
  CHECK_STAYS ("1.5 % 0.0", PLAN_FUNC_MOD);
  CHECK_STAYS ("1e0 / 0e0", PLAN_FUNC_DIV);  /* DOUBLE: an error in the engine too */
  CHECK_STAYS ("1e0 % 0e0", PLAN_FUNC_MOD);
  CHECK_STAYS ("3000000000 / 0", PLAN_FUNC_DIV);
}

static void
test_decimal (void)
{
  /* 1.5 is DECIMAL(2, 1), 2.25 DECIMAL(3, 2): both become DECIMAL(3, 2) (150 and 225) and
   * the product is DECIMAL(2 + 3, 1 + 2): 33750 at scale 4 is 3.375 at scale 3 */
  CHECK_DECIMAL ("1.5 * 2.25", 5, 3, 3375);
  /* 2 as DECIMAL(10, 0); the sum is DECIMAL(max(1, 10) + 2 + 1, 2) */
  CHECK_DECIMAL ("1.50 + 2", 13, 2, 350);
  /* DECIMAL(1, 1) + DECIMAL(1, 1) is DECIMAL(2, 1): exactly 0.3 */
  CHECK_DECIMAL ("0.1 + 0.2", 2, 1, 3);
  CHECK_DECIMAL ("0.1 - 0.25", 3, 2, -15);
  /* quotients are DECIMAL(18, max(6, scale of the dividend)) */
  CHECK_DECIMAL ("7 / 2.0", 18, 6, 3500000);
  CHECK_DECIMAL ("2 / 3.0", 18, 6, 666667);   /* 0.6666666... rounds up */
  CHECK_DECIMAL ("1 / 3.0", 18, 6, 333333);   /* 0.3333333... rounds down */
  CHECK_DECIMAL ("-2 / 3.0", 18, 6, -666667);
  /* 0.000001 / 2 = 0.0000005: a tie at scale 6, rounded half away from zero */
  CHECK_DECIMAL ("0.000001 / 2", 18, 6, 1);
  CHECK_DECIMAL ("-0.000001 / 2", 18, 6, -1);
  /* MOD keeps the common type DECIMAL(11, 1): 10.5 % 3.0 = 1.5 */
  CHECK_DECIMAL ("10.5 % 3", 11, 1, 15);
  CHECK_DECIMAL ("-(2.50)", 3, 2, -250);
}

static void
test_decimal_overflow (void)
{
  /* 999999999999999999 + 1 needs 19 digits; the sum is DECIMAL(18, 0) */
  CHECK_STAYS ("CAST(999999999999999999 AS DECIMAL(18, 0)) + CAST(1 AS DECIMAL(18, 0))",
               PLAN_FUNC_ADD);
  /* about 10^20 */
  CHECK_STAYS ("CAST(9999999999 AS DECIMAL(18, 0)) * CAST(9999999999 AS DECIMAL(18, 0))",
               PLAN_FUNC_MUL);
  {
    /* 123.45 does not fit DECIMAL(4, 2): the CAST stays for the engine to report */
    g_autoptr (PlanExpr) x = FOLD ("CAST(123.45 AS DECIMAL(4, 2))");

    assert_call (x, PLAN_FUNC_CAST, 1);
    assert_decimal (x->u.call.args[0], 5, 2, 12345);
  }
}

static void
test_double (void)
{
  CHECK_DOUBLE ("1.5e0 * 2e0", 3.0);
  CHECK_DOUBLE ("1e0 / 4e0", 0.25);
  CHECK_DOUBLE ("5.5e0 % 2e0", 1.5);
  CHECK_DOUBLE ("-(2.5e0)", -2.5);
  CHECK_DOUBLE ("0.1e0 + 0.2e0", 0.1 + 0.2); /* binary: not 0.3 */
  /* an infinite result is left to the engine */
  CHECK_STAYS ("1e308 * 10e0", PLAN_FUNC_MUL);
}

/* ---- casts ----------------------------------------------------------------------------- */

static void
test_cast_numeric (void)
{
  CHECK_DOUBLE ("CAST(1.19 AS DOUBLE)", 1.19);
  CHECK_DOUBLE ("CAST(3 AS DOUBLE)", 3.0);
  CHECK_INT ("CAST(7 AS BIGINT)", PLAN_TYPE_BIGINT, 7);
  CHECK_INT ("CAST(2.9e0 AS INT)", PLAN_TYPE_INT, 2);    /* DOUBLE truncates */
  CHECK_INT ("CAST(-2.9e0 AS INT)", PLAN_TYPE_INT, -2);
  CHECK_INT ("CAST(1e10 AS INT)", PLAN_TYPE_INT, G_MAXINT32); /* ... and saturates */
  CHECK_INT ("CAST(-1e19 AS BIGINT)", PLAN_TYPE_BIGINT, G_MININT64);
  CHECK_INT ("CAST(2.99 AS INT)", PLAN_TYPE_INT, 2);     /* DECIMAL truncates too */
  CHECK_INT ("CAST(-2.99 AS BIGINT)", PLAN_TYPE_BIGINT, -2);
  CHECK_DECIMAL ("CAST(2.345 AS DECIMAL(4, 2))", 4, 2, 235);   /* rescaling rounds half up */
  CHECK_DECIMAL ("CAST(-2.345 AS DECIMAL(4, 2))", 4, 2, -235); /* away from zero */
  CHECK_DECIMAL ("CAST(2.344 AS DECIMAL(4, 2))", 4, 2, 234);
  CHECK_DECIMAL ("CAST(42 AS DECIMAL(5, 2))", 5, 2, 4200);
  /* a DOUBLE goes through its shortest decimal form, 2.675, before rounding, although the
   * binary value is 2.67499999999999982236431605997495353221893310546875 */
  CHECK_DECIMAL ("CAST(2.675e0 AS DECIMAL(5, 2))", 5, 2, 268);
  CHECK_DECIMAL ("CAST(-0.125e0 AS DECIMAL(4, 2))", 4, 2, -13);
  CHECK_INT ("CAST(TRUE AS INT)", PLAN_TYPE_INT, 1);
  CHECK_BOOL ("CAST(2 AS BOOLEAN)", TRUE);
  CHECK_BOOL ("CAST(0.00 AS BOOLEAN)", FALSE);
  {
    g_autoptr (PlanExpr) x = FOLD ("CAST(3000000000 AS INT)"); /* out of range */

    assert_call (x, PLAN_FUNC_CAST, 1);
  }
}

static void
test_cast_text (void)
{
  CHECK_INT ("CAST(' 42 ' AS INT)", PLAN_TYPE_INT, 42);  /* trimmed */
  CHECK_INT ("CAST('+7' AS BIGINT)", PLAN_TYPE_BIGINT, 7);
  CHECK_DOUBLE ("CAST(' -12.5 ' AS DOUBLE)", -12.5);
  CHECK_DECIMAL ("CAST('1.005' AS DECIMAL(5, 2))", 5, 2, 101);
  CHECK_DECIMAL ("CAST('1e2' AS DECIMAL(5, 1))", 5, 1, 1000);
  CHECK_BOOL ("CAST('yes' AS BOOLEAN)", TRUE);
  CHECK_BOOL ("CAST('F' AS BOOLEAN)", FALSE);
  /* 2024-01-02: 54 years of 365 days since 1970 plus 13 leap days, plus one */
  CHECK_INT ("CAST('2024-01-02' AS DATE)", PLAN_TYPE_DATE, 19724);
  /* 19724 days, 3 h, 4 min, 5.006 s in milliseconds */
  CHECK_INT ("CAST('2024-01-02 03:04:05.006' AS TIMESTAMP(3))", PLAN_TYPE_TIMESTAMP,
             G_GINT64_CONSTANT (1704164645006));
  CHECK_STRING ("CAST(42 AS VARCHAR)", "42");
  CHECK_STRING ("CAST(-1.50 AS VARCHAR)", "-1.50");
  CHECK_STRING ("CAST(TRUE AS VARCHAR)", "TRUE");
  CHECK_STRING ("CAST(DATE '2024-01-02' AS VARCHAR)", "2024-01-02");
  CHECK_STRING ("CAST(TIMESTAMP '2024-01-02 03:04:05' AS VARCHAR)", "2024-01-02 03:04:05.000");
  /* DOUBLE as Java prints it */
  CHECK_STRING ("CAST(100e0 AS VARCHAR)", "100.0");
  CHECK_STRING ("CAST(0.001e0 AS VARCHAR)", "0.001");
  CHECK_STRING ("CAST(123.456e0 AS VARCHAR)", "123.456");
  CHECK_STRING ("CAST(1e7 AS VARCHAR)", "1.0E7");
  CHECK_STRING ("CAST(1.5e10 AS VARCHAR)", "1.5E10");
  CHECK_STRING ("CAST(1e-4 AS VARCHAR)", "1.0E-4");
  /* text the engine would refuse stays a CAST */
  const char *const bad[] = {
    "CAST('abc' AS INT)", "CAST('3000000000' AS INT)", "CAST('0x10' AS DOUBLE)",
    "CAST('maybe' AS BOOLEAN)", "CAST('123.456' AS DECIMAL(4, 2))",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (PlanExpr) x = FOLD (bad[i]);

      assert_call (x, PLAN_FUNC_CAST, 1);
      assert_literal (x->u.call.args[0], PLAN_TYPE_VARCHAR);
    }
}

static void
test_cast_temporal (void)
{
  CHECK_INT ("CAST(DATE '2024-01-02' AS TIMESTAMP(3))", PLAN_TYPE_TIMESTAMP,
             G_GINT64_CONSTANT (19724) * 86400000);
  /* one millisecond before 1970 is on day -1 (floor, not truncation) */
  CHECK_INT ("CAST(TIMESTAMP '1969-12-31 23:59:59.999' AS DATE)", PLAN_TYPE_DATE, -1);
}

/* ---- NULL ------------------------------------------------------------------------------ */

static void
test_null (void)
{
  CHECK_NULL ("CAST(NULL AS INT) + 1", PLAN_TYPE_INT);
  CHECK_NULL ("1.5 * CAST(NULL AS DECIMAL(3, 1))", PLAN_TYPE_DECIMAL);
  CHECK_NULL ("-CAST(NULL AS DOUBLE)", PLAN_TYPE_DOUBLE);
  CHECK_NULL ("1 = NULL", PLAN_TYPE_BOOLEAN);
  CHECK_NULL ("CAST(CAST(NULL AS INT) AS VARCHAR)", PLAN_TYPE_VARCHAR);
  CHECK_NULL ("UPPER(CAST(NULL AS VARCHAR))", PLAN_TYPE_VARCHAR);
  CHECK_NULL ("'a' || NULL", PLAN_TYPE_VARCHAR);
  CHECK_NULL ("NOT CAST(NULL AS BOOLEAN)", PLAN_TYPE_BOOLEAN);
  CHECK_NULL ("COALESCE(CAST(NULL AS INT), CAST(NULL AS INT))", PLAN_TYPE_INT);
  CHECK_NULL ("CASE WHEN NULL THEN 1 END", PLAN_TYPE_INT);
  /* a NULL divisor is no division by zero */
  CHECK_NULL ("1 / CAST(NULL AS INT)", PLAN_TYPE_INT);
  CHECK_BOOL ("NULL IS NULL", TRUE);
  CHECK_BOOL ("CAST(NULL AS INT) IS NOT NULL", FALSE);
  CHECK_BOOL ("1 IS NULL", FALSE);
  CHECK_BOOL ("'a' IS NOT NULL", TRUE);
}

/* ---- comparisons and logic --------------------------------------------------------------- */

static void
test_compare (void)
{
  CHECK_BOOL ("1 < 2", TRUE);
  CHECK_BOOL ("2 <= 1", FALSE);
  CHECK_BOOL ("3 <> 3", FALSE);
  CHECK_BOOL ("3000000000 > 2", TRUE);
  CHECK_BOOL ("1.10 = 1.1", TRUE);   /* both DECIMAL(3, 2): 110 = 110 */
  CHECK_BOOL ("0.5 >= 0.25", TRUE);
  CHECK_BOOL ("1e0 <> 1e0", FALSE);
  CHECK_BOOL ("'abc' < 'abd'", TRUE);
  CHECK_BOOL ("'ab' < 'abc'", TRUE);  /* a prefix sorts first */
  CHECK_BOOL ("'b' > 'abc'", TRUE);
  CHECK_BOOL ("'Z' < 'a'", TRUE);     /* bytewise */
  CHECK_BOOL ("DATE '2024-01-02' > DATE '2024-01-01'", TRUE);
  CHECK_BOOL ("TRUE > FALSE", TRUE);
}

static void
test_logic (void)
{
  CHECK_NULL ("TRUE AND NULL", PLAN_TYPE_BOOLEAN);
  CHECK_BOOL ("FALSE AND NULL", FALSE);
  CHECK_BOOL ("NULL AND FALSE", FALSE);
  CHECK_BOOL ("TRUE OR NULL", TRUE);
  CHECK_NULL ("NULL OR FALSE", PLAN_TYPE_BOOLEAN);
  CHECK_BOOL ("TRUE AND TRUE", TRUE);
  CHECK_BOOL ("FALSE OR FALSE", FALSE);
  CHECK_BOOL ("NOT TRUE", FALSE);
  CHECK_BOOL ("(1 > 2) IS TRUE", FALSE);
  CHECK_BOOL ("(1 > 2) IS NOT TRUE", TRUE);
  CHECK_BOOL ("CAST(NULL AS BOOLEAN) IS FALSE", FALSE);
  CHECK_BOOL ("1 < 2 AND 'a' < 'b' AND NOT (3 = 4)", TRUE);
}

static void
test_logic_partial (void)
{
  g_autoptr (PlanExpr) and_false = FOLD_T ("h AND FALSE");
  g_autoptr (PlanExpr) or_true = FOLD_T ("a > 1 OR TRUE");
  g_autoptr (PlanExpr) true_and = FOLD_T ("TRUE AND h");
  g_autoptr (PlanExpr) false_or = FOLD_T ("FALSE OR h");
  g_autoptr (PlanExpr) and_true = FOLD_T ("a > 1 AND 2 > 1");
  g_autoptr (PlanExpr) first_false = FOLD_T ("FALSE AND a / 0 > 1");
  g_autoptr (PlanExpr) may_fail = FOLD_T ("a / 0 > 1 AND FALSE");
  g_autoptr (PlanExpr) with_null = FOLD_T ("h AND NULL");

  assert_bool (and_false, FALSE);
  assert_bool (or_true, TRUE);
  assert_column (true_and, 7);
  assert_column (false_or, 7);
  assert_call (and_true, PLAN_FUNC_GT, 2);
  assert_column (and_true->u.call.args[0], 0);
  /* the engine never evaluates what follows FALSE, so it cannot fail there */
  assert_bool (first_false, FALSE);
  /* but a / 0 runs first and fails: the AND stays for the engine to report it */
  assert_call (may_fail, PLAN_FUNC_AND, 2);
  assert_bool (may_fail->u.call.args[1], FALSE);
  /* h AND NULL depends on h */
  assert_call (with_null, PLAN_FUNC_AND, 2);
  assert_null (with_null->u.call.args[1], PLAN_TYPE_BOOLEAN);
}

/* AND with more than two operands (as other passes build them), by hand over t. */
static void
test_logic_n_ary (void)
{
  PlanExpr *args[4] = { col (7, PLAN_TYPE_BOOLEAN), lit_bool (TRUE),
                        call (PLAN_FUNC_GT, PLAN_TYPE_BOOLEAN, 2, col (0, PLAN_TYPE_INT),
                              lit_int (PLAN_TYPE_INT, 1), NULL),
                        lit_bool (TRUE) };
  g_autoptr (PlanExpr) dropped = fold_over_t (plan_expr_call (PLAN_FUNC_AND,
                                                              ty (PLAN_TYPE_BOOLEAN), 4, args,
                                                              span_at (60)));
  PlanExpr *div = call (PLAN_FUNC_GT, PLAN_TYPE_BOOLEAN, 2,
                        call (PLAN_FUNC_DIV, PLAN_TYPE_INT, 2, col (0, PLAN_TYPE_INT),
                              lit_int (PLAN_TYPE_INT, 0), NULL),
                        lit_int (PLAN_TYPE_INT, 1), NULL);
  PlanExpr *args2[3] = { div, lit_bool (FALSE), col (7, PLAN_TYPE_BOOLEAN) };
  g_autoptr (PlanExpr) cut = fold_over_t (plan_expr_call (PLAN_FUNC_AND, ty (PLAN_TYPE_BOOLEAN),
                                                          3, args2, span_at (60)));

  /* h AND TRUE AND a > 1 AND TRUE: the TRUEs go */
  assert_call (dropped, PLAN_FUNC_AND, 2);
  assert_column (dropped->u.call.args[0], 7);
  assert_call (dropped->u.call.args[1], PLAN_FUNC_GT, 2);
  g_assert_cmpuint (dropped->span.col, ==, 60);
  /* a / 0 > 1 AND FALSE AND h: h is never evaluated and goes; the division stays */
  assert_call (cut, PLAN_FUNC_AND, 2);
  assert_call (cut->u.call.args[0], PLAN_FUNC_GT, 2);
  assert_bool (cut->u.call.args[1], FALSE);
}

/* TRUE AND x becomes x only when x is BOOLEAN: an untyped NULL column stays wrapped. */
static void
test_logic_needs_boolean (void)
{
  PlanSchema *schema = plan_schema_new (1);
  g_autoptr (PlanTable) table = NULL;
  g_autoptr (PlanNode) plan = NULL, folded = NULL;
  PlanExpr *cond;

  plan_schema_set_field (schema, 0, "n", ty (PLAN_TYPE_NULL));
  table = plan_table_new ("nulls", schema, span_at (1));
  cond = call (PLAN_FUNC_AND, PLAN_TYPE_BOOLEAN, 2, lit_bool (TRUE), col (0, PLAN_TYPE_NULL),
               NULL);
  plan = project_plan (cond, scan_new (table));
  folded = fold (plan);
  g_assert_true (folded == plan);
}

/* ---- CASE, COALESCE, strings ------------------------------------------------------------ */

static void
test_case (void)
{
  PlanExpr *original = NULL;
  g_autoptr (PlanExpr) a = fold_select ("CASE WHEN 1 = 1 THEN 'a' ELSE 'b' END", NULL,
                                        &original);
  g_autoptr (PlanExpr) pairs = FOLD_T ("CASE WHEN a > 1 THEN 1 WHEN FALSE THEN 2 "
                                       "WHEN TRUE THEN 3 ELSE 4 END");
  g_autoptr (PlanExpr) first_goes = FOLD_T ("CASE WHEN FALSE THEN 1 WHEN a > 1 THEN 2 END");
  g_autoptr (PlanExpr) to_column = FOLD_T ("CASE WHEN 2 > 1 THEN a ELSE 0 END");

  assert_string (a, "a");
  g_assert_cmpuint (a->span.start, ==, original->span.start); /* the CASE's span */
  g_assert_cmpuint (a->span.end, ==, original->span.end);
  plan_expr_unref (original);
  CHECK_STRING ("CASE WHEN 1 = 2 THEN 'a' ELSE 'b' END", "b");
  CHECK_STRING ("CASE WHEN NULL THEN 'a' WHEN TRUE THEN 'c' ELSE 'b' END", "c");
  /* the branches are DECIMAL(11, 1) after the binder: 1 is 1.0 */
  CHECK_DECIMAL ("CASE WHEN TRUE THEN 1 ELSE 2.5 END", 11, 1, 10);
  /* WHEN FALSE goes; WHEN TRUE becomes the ELSE and what follows it goes */
  assert_call (pairs, PLAN_FUNC_CASE, 3);
  assert_call (pairs->u.call.args[0], PLAN_FUNC_GT, 2);
  assert_int (pairs->u.call.args[1], PLAN_TYPE_INT, 1);
  assert_int (pairs->u.call.args[2], PLAN_TYPE_INT, 3);
  assert_call (first_goes, PLAN_FUNC_CASE, 2);
  assert_int (first_goes->u.call.args[1], PLAN_TYPE_INT, 2);
  assert_column (to_column, 0);
}

static void
test_coalesce (void)
{
  g_autoptr (PlanExpr) leading = FOLD_T ("COALESCE(NULL, NULL, a, 1)");
  g_autoptr (PlanExpr) literal = FOLD_T ("COALESCE(NULL, 2, a)");
  g_autoptr (PlanExpr) column = FOLD_T ("COALESCE(NULL, a)");
  g_autoptr (PlanExpr) tail = FOLD_T ("COALESCE(a, 1, a / 0)");

  assert_call (leading, PLAN_FUNC_COALESCE, 2);
  assert_column (leading->u.call.args[0], 0);
  assert_int (leading->u.call.args[1], PLAN_TYPE_INT, 1);
  assert_int (literal, PLAN_TYPE_INT, 2);
  assert_column (column, 0);
  /* nothing after a non-NULL literal is ever evaluated */
  assert_call (tail, PLAN_FUNC_COALESCE, 2);
  assert_int (tail->u.call.args[1], PLAN_TYPE_INT, 1);
}

static void
test_strings (void)
{
  g_autoptr (PlanExpr) column = FOLD_T ("UPPER(c)");

  CHECK_STRING ("UPPER('abc')", "ABC");
  CHECK_STRING ("LOWER('AbC')", "abc");
  CHECK_STRING ("LOWER('ÄBc')", "äbc");
  CHECK_STRING ("UPPER('straße')", "STRASSE"); /* Unicode's full case mapping */
  CHECK_INT ("CHAR_LENGTH('héllo')", PLAN_TYPE_INT, 5); /* characters, not bytes */
  CHECK_INT ("CHAR_LENGTH('')", PLAN_TYPE_INT, 0);
  CHECK_STRING ("CONCAT('a', 'b', 'c')", "abc");
  CHECK_STRING ("'x' || 'y' || CAST(1 + 1 AS VARCHAR)", "xy2");
  assert_call (column, PLAN_FUNC_UPPER, 1);
}

/* ---- plans ------------------------------------------------------------------------------ */

static void
test_current_timestamp (void)
{
  g_autoptr (PlanStatement) stmt = bind ("SELECT CURRENT_TIMESTAMP AS n, "
                                         "CAST(CURRENT_TIMESTAMP AS DATE) AS d, "
                                         "CURRENT_TIMESTAMP IS NULL AS y "
                                         "FROM t");
  g_autoptr (PlanNode) folded = fold (stmt->plan);
  g_autoptr (PlanExpr) later = FOLD ("CURRENT_TIMESTAMP > TIMESTAMP '2024-01-01 00:00:00'");

  /* nothing here is constant: the same plan comes back */
  g_assert_true (folded == stmt->plan);
  assert_call (later, PLAN_FUNC_GT, 2);
  assert_call (later->u.call.args[0], PLAN_FUNC_CURRENT_TIMESTAMP, 0);
}

static void
test_filter_true (void)
{
  g_autoptr (PlanStatement) stmt = bind ("SELECT a FROM t WHERE 1 = 1");
  g_autoptr (PlanNode) folded = fold (stmt->plan);
  PlanNode *project = folded->inputs[0];

  g_assert_cmpint (stmt->plan->inputs[0]->inputs[0]->kind, ==, PLAN_NODE_FILTER);
  g_assert_cmpint (project->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpint (project->inputs[0]->kind, ==, PLAN_NODE_SCAN);
  /* the scan is shared, not copied */
  g_assert_true (project->inputs[0] == stmt->plan->inputs[0]->inputs[0]->inputs[0]);
}

static void
test_filter_partly (void)
{
  g_autoptr (PlanStatement) stmt = bind ("SELECT a FROM t WHERE 1 = 1 AND a > 2 + 3");
  g_autoptr (PlanNode) folded = fold (stmt->plan);
  PlanNode *filter = folded->inputs[0]->inputs[0];
  const PlanExpr *cond;

  g_assert_cmpint (filter->kind, ==, PLAN_NODE_FILTER);
  cond = filter->u.filter.condition;
  assert_call (cond, PLAN_FUNC_GT, 2);
  assert_column (cond->u.call.args[0], 0);
  assert_int (cond->u.call.args[1], PLAN_TYPE_INT, 5);
  g_assert_true (filter->span.col == stmt->plan->inputs[0]->inputs[0]->span.col);
}

static void
test_filter_false_or_null (void)
{
  const char *const sql[] = { "SELECT a FROM t WHERE 1 = 2", "SELECT a FROM t WHERE 1 = NULL" };

  for (guint i = 0; i < G_N_ELEMENTS (sql); i++)
    {
      g_autoptr (PlanStatement) stmt = bind (sql[i]);
      g_autoptr (PlanNode) folded = fold (stmt->plan);
      PlanNode *filter = folded->inputs[0]->inputs[0];

      g_assert_cmpint (filter->kind, ==, PLAN_NODE_FILTER);
      if (i == 0)
        assert_bool (filter->u.filter.condition, FALSE);
      else
        assert_null (filter->u.filter.condition, PLAN_TYPE_BOOLEAN);
      g_assert_cmpint (filter->inputs[0]->kind, ==, PLAN_NODE_SCAN);
    }
}

/* A pushed scan filter folds too; TRUE removes it. */
static void
test_scan_filter (void)
{
  PlanNode *scan = scan_new (plan_catalog_get_table (catalog, "t"));
  g_autoptr (PlanNode) plan = NULL, folded = NULL;

  scan->u.scan.filter = call (PLAN_FUNC_LT, PLAN_TYPE_BOOLEAN, 2, lit_int (PLAN_TYPE_INT, 1),
                              lit_int (PLAN_TYPE_INT, 2), NULL);
  plan = project_plan (col (0, PLAN_TYPE_INT), scan);
  folded = fold (plan);
  g_assert_cmpint (folded->inputs[0]->inputs[0]->kind, ==, PLAN_NODE_SCAN);
  g_assert_null (folded->inputs[0]->inputs[0]->u.scan.filter);
  g_assert_nonnull (plan->inputs[0]->inputs[0]->u.scan.filter);
}

static void
test_spans (void)
{
  PlanExpr *original = NULL;
  g_autoptr (PlanExpr) x = fold_select ("1 + 2", NULL, &original);

  /* "SELECT 1 + 2 AS x": the literal spans "1 + 2", bytes 7 to 12, line 1 column 8 */
  assert_int (x, PLAN_TYPE_INT, 3);
  g_assert_cmpuint (x->span.start, ==, 7);
  g_assert_cmpuint (x->span.end, ==, 12);
  g_assert_cmpuint (x->span.line, ==, 1);
  g_assert_cmpuint (x->span.col, ==, 8);
  g_assert_cmpuint (original->span.start, ==, x->span.start);
  g_assert_cmpuint (original->span.end, ==, x->span.end);
  assert_call (original, PLAN_FUNC_ADD, 2); /* the bound plan is untouched */
  plan_expr_unref (original);
}

static void
test_unchanged_is_shared (void)
{
  g_autoptr (PlanStatement) stmt = bind ("SELECT a + 1 AS x, c FROM t WHERE a > 10 LIMIT 5");
  g_autoptr (PlanNode) folded = fold (stmt->plan);

  g_assert_true (folded == stmt->plan);
}

/* The pass runs first in opt_optimize and can be switched off by name. */
static void
test_disabled (void)
{
  g_autoptr (PlanStatement) stmt = bind ("SELECT a + (1 + 2) AS x FROM t");
  g_autoptr (PlanSettings) on = plan_settings_new ();
  g_autoptr (PlanSettings) off = plan_settings_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (OptResult) folded = NULL, kept = NULL;
  PlanNode *logical;

  g_assert_true (plan_settings_set (off, "table.optimizer.disabled-passes", "constant-folding",
                                    &error));
  g_assert_no_error (error);
  folded = opt_optimize (stmt->plan, on, &error);
  g_assert_no_error (error);
  kept = opt_optimize (stmt->plan, off, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (opt_pass_names ()[0], ==, "constant-folding");
  g_assert_cmpstr (opt_result_get_pass (folded, 0)->name, ==, "constant-folding");
  g_assert_true (opt_result_get_pass (folded, 0)->ran);
  g_assert_true (opt_result_get_pass (folded, 0)->changed);
  logical = opt_result_get_logical (folded);
  assert_int (logical->inputs[0]->u.project.exprs[0]->u.call.args[1], PLAN_TYPE_INT, 3);

  g_assert_false (opt_result_get_pass (kept, 0)->ran);
  logical = opt_result_get_logical (kept);
  assert_call (logical->inputs[0]->u.project.exprs[0]->u.call.args[1], PLAN_FUNC_ADD, 2);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanStatement) ddl = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  catalog = plan_catalog_new ();
  ddl = plan_sql_compile_one (catalog, "CREATE TABLE t (a INT, b BIGINT, c VARCHAR, d DOUBLE, "
                              "e DECIMAL(10, 2), f DATE, g TIMESTAMP(3), h BOOLEAN) "
                              "WITH ('connector' = 'datagen')", &error);
  g_assert_no_error (error);
  g_assert_true (plan_catalog_add_table (catalog, ddl->table, &error));

  g_test_add_func ("/optimizer/fold/integer", test_integer);
  g_test_add_func ("/optimizer/fold/integer-overflow", test_integer_overflow);
  g_test_add_func ("/optimizer/fold/division-by-zero", test_division_by_zero);
  g_test_add_func ("/optimizer/fold/decimal", test_decimal);
  g_test_add_func ("/optimizer/fold/decimal-overflow", test_decimal_overflow);
  g_test_add_func ("/optimizer/fold/double", test_double);
  g_test_add_func ("/optimizer/fold/cast-numeric", test_cast_numeric);
  g_test_add_func ("/optimizer/fold/cast-text", test_cast_text);
  g_test_add_func ("/optimizer/fold/cast-temporal", test_cast_temporal);
  g_test_add_func ("/optimizer/fold/null", test_null);
  g_test_add_func ("/optimizer/fold/compare", test_compare);
  g_test_add_func ("/optimizer/fold/logic", test_logic);
  g_test_add_func ("/optimizer/fold/logic-partial", test_logic_partial);
  g_test_add_func ("/optimizer/fold/logic-n-ary", test_logic_n_ary);
  g_test_add_func ("/optimizer/fold/logic-needs-boolean", test_logic_needs_boolean);
  g_test_add_func ("/optimizer/fold/case", test_case);
  g_test_add_func ("/optimizer/fold/coalesce", test_coalesce);
  g_test_add_func ("/optimizer/fold/strings", test_strings);
  g_test_add_func ("/optimizer/fold/current-timestamp", test_current_timestamp);
  g_test_add_func ("/optimizer/fold/filter-true", test_filter_true);
  g_test_add_func ("/optimizer/fold/filter-partly", test_filter_partly);
  g_test_add_func ("/optimizer/fold/filter-false-or-null", test_filter_false_or_null);
  g_test_add_func ("/optimizer/fold/scan-filter", test_scan_filter);
  g_test_add_func ("/optimizer/fold/spans", test_spans);
  g_test_add_func ("/optimizer/fold/unchanged-is-shared", test_unchanged_is_shared);
  g_test_add_func ("/optimizer/fold/disabled", test_disabled);
  status = g_test_run ();
  plan_catalog_free (catalog);
  return status;
}
