/* test-binder.c: the SQL binder (plans/plan-sql-binder.c): expression types and the
 * implicit casts it makes explicit, literal values, name resolution errors with their
 * suggestions, view expansion, INSERT checks, clauses refused as unsupported with their
 * position, DDL and session statements, and the source spans of nodes and expressions.
 * Expected types follow the rules of the issue (Flink's), worked out by hand. */
#include "plans/plan-sql.h"
#include "plan-test-util.h"

#include <string.h>

typedef struct {
  PlanCatalog *catalog;
} Fixture;

static const char *const setup_sql =
  "CREATE TABLE bid (\n"
  "  auction BIGINT NOT NULL, bidder BIGINT, price BIGINT, channel VARCHAR, url STRING,\n"
  "  date_time TIMESTAMP(3), extra VARCHAR, cost DECIMAL(10, 2), rate DOUBLE, qty INT,\n"
  "  day DATE, flag BOOLEAN,\n"
  "  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND\n"
  ") WITH ('connector' = 'nexmark');\n"
  "CREATE TABLE out (a INT NOT NULL, b DECIMAL(10, 2), c VARCHAR) "
  "WITH ('connector' = 'blackhole');";

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->catalog = plan_test_catalog_new (setup_sql);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  plan_catalog_free (f->catalog);
}

static PlanStatement *
compile_ok (Fixture *f, const char *sql)
{
  return plan_test_compile_ok (f->catalog, sql);
}

/* The first projected expression of SELECT <expr> FROM bid (a new ref). */
static PlanExpr *
select_expr (Fixture *f, const char *expr)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM bid", expr);
  g_autoptr (PlanStatement) stmt = compile_ok (f, sql);
  PlanNode *project = stmt->plan->inputs[0];

  g_assert_cmpint (stmt->plan->kind, ==, PLAN_NODE_SINK);
  g_assert_cmpint (project->kind, ==, PLAN_NODE_PROJECT);
  return plan_expr_ref (project->u.project.exprs[0]);
}

static void
assert_cast (const PlanExpr *e, PlanTypeKind to, PlanExprKind operand_kind)
{
  g_assert_cmpint (e->kind, ==, PLAN_EXPR_CALL);
  g_assert_cmpint (e->u.call.func, ==, PLAN_FUNC_CAST);
  g_assert_cmpint (e->type.kind, ==, to);
  g_assert_cmpint (e->u.call.args[0]->kind, ==, operand_kind);
}

static const struct {
  const char *expr;
  const char *type;
} type_cases[] = {
  { "1 + 2", "INT NOT NULL" },
  { "qty + 1", "INT" },
  { "auction + 1", "BIGINT NOT NULL" },
  { "auction + qty", "BIGINT" },
  { "7 / 2", "INT NOT NULL" },
  { "auction / 2", "BIGINT NOT NULL" },
  { "1.25", "DECIMAL(3, 2) NOT NULL" },
  { "0.05", "DECIMAL(2, 2) NOT NULL" },
  { "1.25 + 1", "DECIMAL(13, 2) NOT NULL" },
  { "cost + 1.5", "DECIMAL(11, 2)" },
  { "cost - cost", "DECIMAL(11, 2)" },
  { "cost * 1.5", "DECIMAL(12, 3)" },
  { "cost * cost * cost * cost", "DECIMAL(18, 8)" },
  { "0.000000001 * 0.0000000001", "DOUBLE NOT NULL" },
  { "cost / 3", "DECIMAL(18, 6)" },
  { "7 / 2.0", "DECIMAL(18, 6) NOT NULL" },
  { "1.1234567 / 3", "DECIMAL(18, 7) NOT NULL" },
  { "cost % 3", "DECIMAL(12, 2)" },
  { "rate + 1", "DOUBLE" },
  { "1.5e3", "DOUBLE NOT NULL" },
  { "cost + rate", "DOUBLE" },
  { "2147483647", "INT NOT NULL" },
  { "2147483648", "BIGINT NOT NULL" },
  { "-2147483648", "INT NOT NULL" },
  { "date_time + INTERVAL '1' SECOND", "TIMESTAMP(3)" },
  { "INTERVAL '1' HOUR + date_time", "TIMESTAMP(3)" },
  { "day - INTERVAL '1' DAY", "TIMESTAMP(3)" },
  { "INTERVAL '1' HOUR - INTERVAL '5' MINUTE", "INTERVAL NOT NULL" },
  { "auction > 1", "BOOLEAN NOT NULL" },
  { "price > 1", "BOOLEAN" },
  { "url IS NULL", "BOOLEAN NOT NULL" },
  { "price IS DISTINCT FROM 3", "BOOLEAN NOT NULL" },
  { "flag IS NOT TRUE", "BOOLEAN NOT NULL" },
  { "price BETWEEN 1 AND 2", "BOOLEAN" },
  { "auction NOT IN (1, 2)", "BOOLEAN NOT NULL" },
  { "url LIKE 'a%'", "BOOLEAN" },
  { "url || 'x'", "VARCHAR" },
  { "'a' || 'b'", "VARCHAR NOT NULL" },
  { "CASE WHEN auction > 1 THEN 1 ELSE 2.5 END", "DECIMAL(11, 1) NOT NULL" },
  { "CASE WHEN auction > 1 THEN 1 END", "INT" },
  { "CASE qty WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END", "VARCHAR NOT NULL" },
  { "COALESCE(url, 'x')", "VARCHAR NOT NULL" },
  { "COALESCE(url, channel)", "VARCHAR" },
  { "NULLIF(auction, 0)", "BIGINT" },
  { "CAST(price AS DECIMAL(5, 2))", "DECIMAL(5, 2)" },
  { "CAST(auction AS STRING)", "VARCHAR NOT NULL" },
  { "CAST(NULL AS INT)", "INT" },
  { "CAST(qty AS TINYINT)", "INT" },
  { "CAST(auction AS FLOAT)", "DOUBLE NOT NULL" },
  { "CAST(auction AS TIMESTAMP)", NULL }, /* not castable: see the error cases */
  { "UPPER(url)", "VARCHAR" },
  { "CHAR_LENGTH('abc')", "INT NOT NULL" },
  { "CHARACTER_LENGTH(url)", "INT" },
  { "SUBSTRING(url FROM 2 FOR 3)", "VARCHAR" },
  { "SUBSTRING('abc', 2)", "VARCHAR NOT NULL" },
  { "POSITION('a' IN url)", "INT" },
  { "REPLACE(url, 'a', 'b')", "VARCHAR" },
  { "CONCAT('a', url, 'c')", "VARCHAR" },
  { "TRIM(url)", "VARCHAR" },
  { "EXTRACT(YEAR FROM date_time)", "BIGINT" },
  { "HOUR(date_time)", "BIGINT" },
  { "YEAR(day)", "BIGINT" },
  { "ROUND(cost, 1)", "DECIMAL(10, 1)" },
  { "ROUND(cost)", "DECIMAL(9, 0)" },
  { "ROUND(rate, 2)", "DOUBLE" },
  { "FLOOR(cost)", "DECIMAL(9, 0)" },
  { "CEILING(qty)", "INT" },
  { "ABS(qty)", "INT" },
  { "SQRT(qty)", "DOUBLE" },
  { "POWER(2, 10)", "DOUBLE NOT NULL" },
  { "LN(rate) + LOG10(rate) + EXP(1)", "DOUBLE" },
  { "MOD(auction, 3)", "BIGINT NOT NULL" },
  { "CURRENT_TIMESTAMP", "TIMESTAMP(3) NOT NULL" },
  { "-qty", "INT" },
  { "NOT flag", "BOOLEAN" },
  { "DATE '2024-01-02'", "DATE NOT NULL" },
  { "TIMESTAMP '2024-01-02 03:04:05.678'", "TIMESTAMP(3) NOT NULL" },
};

static void
test_types (Fixture *f, gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (type_cases); i++)
    {
      g_autoptr (PlanExpr) e = NULL;
      g_autofree char *type = NULL;
      if (type_cases[i].type == NULL)
        continue;
      g_test_message ("expression %s", type_cases[i].expr);
      e = select_expr (f, type_cases[i].expr);
      type = plan_type_to_string (e->type, TRUE);
      g_assert_cmpstr (type, ==, type_cases[i].type);
    }
}

static void
test_literal_values (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt = compile_ok (
    f, "SELECT INTERVAL '1.5' SECOND, INTERVAL '5' MINUTE, INTERVAL '2' HOUR, "
       "INTERVAL '1' DAY, INTERVAL -'3' SECOND, TIMESTAMP '2024-01-02 03:04:05.678', "
       "DATE '2024-01-02', 1.25, 'it''s', -7, TRUE, 2.5e1");
  PlanNode *project = stmt->plan->inputs[0];
  const gint64 ints[] = { 1500, 300000, 7200000, 86400000, -3000, 1704164645678, 19724, 125 };
  PlanExpr **e = project->u.project.exprs;

  g_assert_cmpuint (project->u.project.n_exprs, ==, 12);
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    {
      g_assert_cmpint (e[i]->kind, ==, PLAN_EXPR_LITERAL);
      g_assert_cmpint (e[i]->u.literal.v.i, ==, ints[i]);
    }
  g_assert_cmpint (e[0]->type.kind, ==, PLAN_TYPE_INTERVAL);
  g_assert_cmpint (e[7]->type.scale, ==, 2);
  g_assert_cmpstr (e[8]->u.literal.v.s, ==, "it's");
  g_assert_cmpint (e[9]->u.literal.v.i, ==, -7);
  g_assert_true (e[10]->u.literal.v.b);
  g_assert_cmpfloat (e[11]->u.literal.v.d, ==, 25.0);
  /* a constant-only SELECT is a PROJECT over one empty row */
  g_assert_cmpint (project->inputs[0]->kind, ==, PLAN_NODE_VALUES);
  g_assert_cmpuint (project->inputs[0]->u.values.n_rows, ==, 1);
  g_assert_cmpuint (project->inputs[0]->schema->n_fields, ==, 0);
}

static void
test_coercion (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanExpr) gt = select_expr (f, "auction > 1");
  g_autoptr (PlanExpr) ts = select_expr (f, "date_time > '2024-01-01 00:00:00'");
  g_autoptr (PlanExpr) add = select_expr (f, "cost + qty");
  g_autoptr (PlanExpr) in = select_expr (f, "qty IN (1, 2.5)");
  g_autoptr (PlanExpr) null_cmp = select_expr (f, "url = NULL");
  g_autoptr (PlanExpr) plus_ts = select_expr (f, "INTERVAL '1' SECOND + day");
  g_autoptr (PlanExpr) simple_case = select_expr (f, "CASE qty WHEN 1 THEN 'a' END");
  PlanExpr *when;

  g_assert_cmpint (gt->u.call.func, ==, PLAN_FUNC_GT);
  g_assert_cmpint (gt->u.call.args[0]->kind, ==, PLAN_EXPR_COLUMN);
  assert_cast (gt->u.call.args[1], PLAN_TYPE_BIGINT, PLAN_EXPR_LITERAL);

  assert_cast (ts->u.call.args[1], PLAN_TYPE_TIMESTAMP, PLAN_EXPR_LITERAL);
  g_assert_cmpint (ts->u.call.args[1]->u.call.args[0]->type.kind, ==, PLAN_TYPE_VARCHAR);

  /* DECIMAL(10, 2) + INT: both become DECIMAL(12, 2), the sum is DECIMAL(13, 2) */
  g_assert_cmpint (add->u.call.func, ==, PLAN_FUNC_ADD);
  assert_cast (add->u.call.args[0], PLAN_TYPE_DECIMAL, PLAN_EXPR_COLUMN);
  assert_cast (add->u.call.args[1], PLAN_TYPE_DECIMAL, PLAN_EXPR_COLUMN);
  g_assert_cmpuint (add->u.call.args[0]->type.precision, ==, 12);
  g_assert_cmpuint (add->u.call.args[1]->type.scale, ==, 2);
  g_assert_cmpuint (add->type.precision, ==, 13);

  g_assert_cmpint (in->u.call.func, ==, PLAN_FUNC_IN);
  g_assert_cmpuint (in->u.call.n_args, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      assert_cast (in->u.call.args[i], PLAN_TYPE_DECIMAL,
                   i == 0 ? PLAN_EXPR_COLUMN : PLAN_EXPR_LITERAL);
      g_assert_cmpuint (in->u.call.args[i]->type.precision, ==, 11);
      g_assert_cmpuint (in->u.call.args[i]->type.scale, ==, 1);
    }

  /* an untyped NULL takes the other side's type, as a typed NULL literal */
  g_assert_cmpint (null_cmp->u.call.args[1]->kind, ==, PLAN_EXPR_LITERAL);
  g_assert_true (null_cmp->u.call.args[1]->u.literal.is_null);
  g_assert_cmpint (null_cmp->u.call.args[1]->type.kind, ==, PLAN_TYPE_VARCHAR);

  /* INTERVAL + DATE: the date becomes a TIMESTAMP and comes first */
  g_assert_cmpint (plus_ts->u.call.func, ==, PLAN_FUNC_ADD);
  assert_cast (plus_ts->u.call.args[0], PLAN_TYPE_TIMESTAMP, PLAN_EXPR_COLUMN);
  g_assert_cmpint (plus_ts->u.call.args[1]->type.kind, ==, PLAN_TYPE_INTERVAL);

  /* simple CASE compares the operand with each WHEN value */
  g_assert_cmpint (simple_case->u.call.func, ==, PLAN_FUNC_CASE);
  g_assert_cmpuint (simple_case->u.call.n_args, ==, 2);
  when = simple_case->u.call.args[0];
  g_assert_cmpint (when->u.call.func, ==, PLAN_FUNC_EQ);
  g_assert_cmpint (when->u.call.args[0]->kind, ==, PLAN_EXPR_COLUMN);
  g_assert_cmpint (when->u.call.args[1]->type.kind, ==, PLAN_TYPE_INT);
}

typedef struct {
  const char *sql;
  PlanErrorCode code;
  const char *message;
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "SELECT prise FROM bid", PLAN_ERROR_BIND,
    "1:8: Column 'prise' not found in table 'bid'. Did you mean 'price'?" },
  { "SELECT b.prise FROM bid AS b", PLAN_ERROR_BIND,
    "1:8: Column 'prise' not found in table 'bid'. Did you mean 'price'?" },
  { "SELECT PRISE FROM bid", PLAN_ERROR_BIND,
    "1:8: Column 'PRISE' not found in table 'bid'. Did you mean 'price'?" },
  { "SELECT zzz FROM bid", PLAN_ERROR_BIND,
    "1:8: Column 'zzz' not found in table 'bid' (columns: auction, bidder, price, channel, "
    "url, date_time, extra, cost, ...)" },
  { "SELECT x.price FROM bid AS b", PLAN_ERROR_BIND,
    "1:8: Table or alias 'x' not found in the FROM clause" },
  { "SELECT bb.price FROM bid AS b", PLAN_ERROR_BIND,
    "1:8: Table or alias 'bb' not found in the FROM clause. Did you mean 'b'?" },
  { "SELECT * FROM bdi", PLAN_ERROR_CATALOG, "1:15: Table 'bdi' not found. Did you mean 'bid'?" },
  { "SELECT * FROM nothing_like_it", PLAN_ERROR_CATALOG,
    "1:15: Table 'nothing_like_it' not found; SHOW TABLES lists the tables and CREATE TABLE "
    "makes one" },
  { "SELECT url FROM bid WHERE url = 5", PLAN_ERROR_BIND, "1:31: Cannot compare VARCHAR with INT" },
  { "SELECT 1 FROM bid WHERE date_time < 5", PLAN_ERROR_BIND,
    "1:35: Cannot compare TIMESTAMP(3) with INT" },
  { "SELECT price FROM bid WHERE price", PLAN_ERROR_BIND,
    "1:29: WHERE needs a BOOLEAN condition, got BIGINT" },
  { "SELECT url + 1 FROM bid", PLAN_ERROR_BIND, "1:12: Cannot apply '+' to VARCHAR and INT" },
  { "SELECT UPPER(price) FROM bid", PLAN_ERROR_BIND,
    "1:14: UPPER needs a VARCHAR argument, got BIGINT" },
  { "SELECT FOO(1)", PLAN_ERROR_BIND, "1:8: Function 'FOO' not found" },
  { "SELECT uppr(url) FROM bid", PLAN_ERROR_BIND,
    "1:8: Function 'UPPR' not found. Did you mean 'UPPER'?" },
  { "SELECT UPPER(url, url) FROM bid", PLAN_ERROR_BIND, "1:8: UPPER takes 1 argument, got 2" },
  { "SELECT NULL", PLAN_ERROR_BIND, "1:8: NULL needs a type here; write CAST(NULL AS <type>)" },
  { "SELECT CAST(day AS INT) FROM bid", PLAN_ERROR_BIND, "1:8: Cannot cast DATE to INT" },
  { "SELECT a FROM (SELECT price AS a, url AS a FROM bid) s", PLAN_ERROR_BIND,
    "1:8: Column 'a' is ambiguous: 2 columns of subquery 's' have that name; qualify it or "
    "rename one with AS" },
  { "SELECT * FROM bid WHERE date_time > 'yesterday'", PLAN_ERROR_BIND,
    "1:37: 'yesterday' is not a valid TIMESTAMP(3): write it as 'YYYY-MM-DD HH:MM:SS[.fff]'" },
  { "SELECT DATE '2024-13-01'", PLAN_ERROR_BIND,
    "1:8: '2024-13-01' is not a valid DATE: write it as 'YYYY-MM-DD'" },
  { "SELECT 99999999999999999999", PLAN_ERROR_BIND,
    "1:8: Integer 99999999999999999999 is out of range for BIGINT; write it as a DOUBLE such as "
    "99999999999999999999e0" },
  { "SELECT CAST(1 AS DECIMAL(38, 2))", PLAN_ERROR_UNSUPPORTED,
    "1:18: DECIMAL(38, 2) is not supported yet: the precision is at most 18" },
  { "SELECT CAST(1 AS DECIMAL(2, 5))", PLAN_ERROR_BIND,
    "1:18: DECIMAL(2, 5) is invalid: the scale must be between 0 and the precision" },
  { "SELECT CAST(1 AS STRNG)", PLAN_ERROR_BIND,
    "1:18: Unknown type 'STRNG'. Did you mean 'STRING'?" },
  { "SELECT CAST(1 AS TIME)", PLAN_ERROR_UNSUPPORTED, "1:18: Type TIME is not supported yet" },
  { "SELECT 1 AND TRUE", PLAN_ERROR_BIND, "1:8: AND needs a BOOLEAN operand, got INT" },
  /* both operands wrong: one error, about the first */
  { "SELECT url OR 5 FROM bid", PLAN_ERROR_BIND, "1:8: OR needs a BOOLEAN operand, got VARCHAR" },
  { "SELECT x", PLAN_ERROR_BIND, "1:8: Column 'x' not found: the query has no FROM clause" },
  { "SELECT *", PLAN_ERROR_BIND, "1:8: SELECT * needs a FROM clause" },
  { "SELECT 'a' || 1", PLAN_ERROR_BIND,
    "1:12: Operator '||' needs VARCHAR operands, got INT; use CAST(... AS VARCHAR)" },
  { "SELECT CASE WHEN qty THEN 1 END FROM bid", PLAN_ERROR_BIND,
    "1:18: WHEN needs a BOOLEAN operand, got INT" },
  { "SELECT CASE WHEN flag THEN 1 ELSE 'x' END FROM bid", PLAN_ERROR_BIND,
    "1:8: Cannot mix INT and VARCHAR in CASE" },
  { "SELECT COALESCE(NULL, NULL)", PLAN_ERROR_BIND,
    "1:8: COALESCE needs a value that is not NULL to know its type; write CAST(NULL AS <type>)" },
  { "SELECT SUBSTRING(url, 1.5) FROM bid", PLAN_ERROR_BIND,
    "1:23: SUBSTRING needs an integer argument, got DECIMAL(2, 1)" },
  { "SELECT url LIKE 'a' ESCAPE 'xy' FROM bid", PLAN_ERROR_BIND,
    "1:28: ESCAPE needs a string of one character" },
  { "SELECT YEAR(url) FROM bid", PLAN_ERROR_BIND,
    "1:13: YEAR needs a TIMESTAMP or DATE, got VARCHAR" },
  { "SELECT INTERVAL 'abc' SECOND", PLAN_ERROR_BIND,
    "1:8: 'abc' is not a valid interval value: write a number such as '5' or '1.5'" },
  { "SELECT price FROM bid WHERE bid.*", PLAN_ERROR_BIND,
    "1:29: '*' is only allowed in the SELECT list" },
  { "SELECT a FROM bid AS b (a, b)", PLAN_ERROR_BIND,
    "1:15: 2 column aliases given for 12 columns" },
  /* INSERT */
  { "INSERT INTO out SELECT url, cost, url FROM bid", PLAN_ERROR_BIND,
    "1:24: Column 'a' of table 'out' is INT, but the query gives VARCHAR (column 1, 'url'); "
    "CAST it" },
  { "INSERT INTO out SELECT 1, 2 FROM bid", PLAN_ERROR_BIND,
    "1:17: INSERT INTO out expects 3 columns (a, b, c) but the query gives 2 (EXPR$0, EXPR$1)" },
  { "INSERT INTO out (b) SELECT cost FROM bid", PLAN_ERROR_BIND,
    "1:13: Column 'a' of table 'out' is NOT NULL but the INSERT gives it no value" },
  { "INSERT INTO out (a, x) SELECT 1, 2", PLAN_ERROR_BIND,
    "1:21: Column 'x' not found in table 'out'" },
  { "INSERT INTO out (a, a) SELECT 1, 2", PLAN_ERROR_BIND, "1:21: Column 'a' is listed twice" },
  { "INSERT INTO oute SELECT 1", PLAN_ERROR_CATALOG,
    "1:13: Table 'oute' not found. Did you mean 'out'?" },
  /* DDL and session statements */
  { "CREATE TABLE bid (a INT) WITH ('connector' = 'x')", PLAN_ERROR_CATALOG,
    "1:14: A table named 'bid' already exists; use CREATE TABLE IF NOT EXISTS, or DROP it "
    "first" },
  { "CREATE TABLE t (a INT, A BIGINT) WITH ('k' = 'v')", PLAN_ERROR_BIND,
    "1:24: Column 'A' is defined twice" },
  { "CREATE TABLE t (a INT, ts INT, WATERMARK FOR ts AS ts) WITH ('k' = 'v')", PLAN_ERROR_BIND,
    "1:46: WATERMARK FOR 'ts' needs a TIMESTAMP(3) column, but 'ts' is INT" },
  { "CREATE TABLE t (ts TIMESTAMP, WATERMARK FOR ts AS 5) WITH ('k' = 'v')", PLAN_ERROR_BIND,
    "1:51: The WATERMARK expression must be a TIMESTAMP(3), got INT" },
  { "CREATE TABLE t (ts TIMESTAMP, WATERMARK FOR tss AS ts) WITH ('k' = 'v')", PLAN_ERROR_BIND,
    "1:45: Column 'tss' not found in table 't'. Did you mean 'ts'?" },
  { "CREATE TABLE t (a INT) WITH ('k' = 'v', 'k' = 'w')", PLAN_ERROR_BIND,
    "1:41: Option 'k' is given twice" },
  { "CREATE TABLE t (a INT, PRIMARY KEY (b) NOT ENFORCED) WITH ('k' = 'v')", PLAN_ERROR_BIND,
    "1:37: PRIMARY KEY column 'b' is not a column of the table" },
  { "CREATE TABLE t (a VARCHAR(10), b NUMERIC(20)) WITH ('k' = 'v')", PLAN_ERROR_UNSUPPORTED,
    "1:34: DECIMAL(20, 0) is not supported yet: the precision is at most 18" },
  { "DROP TABLE nope", PLAN_ERROR_CATALOG,
    "1:12: Table 'nope' not found; SHOW TABLES lists the tables and CREATE TABLE makes one" },
  { "DROP VIEW bid", PLAN_ERROR_CATALOG, "1:11: 'bid' is a table; use DROP TABLE" },
  { "DESCRIBE bd", PLAN_ERROR_CATALOG, "1:10: Table 'bd' not found. Did you mean 'bid'?" },
  { "EXPLAIN SHOW TABLES", PLAN_ERROR_BIND,
    "1:9: EXPLAIN works on SELECT and INSERT statements" },
  { "SELECT 1; SELECT 2", PLAN_ERROR_SYNTAX, "1:11: Expected one statement, found 2" },
  { "  -- nothing", PLAN_ERROR_SYNTAX, "1:1: Expected a statement, found none" },
  /* a statement on line 3 reports line 3 */
  { "\n\nSELECT prise FROM bid", PLAN_ERROR_BIND,
    "3:8: Column 'prise' not found in table 'bid'. Did you mean 'price'?" },
};

static void
test_errors (Fixture *f, gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autoptr (GError) error = NULL;
      PlanStatement *stmt = plan_sql_compile_one (f->catalog, error_cases[i].sql, &error);
      g_test_message ("case %u: %s", i, error_cases[i].sql);
      g_assert_null (stmt);
      g_assert_error (error, PLAN_ERROR, (gint) error_cases[i].code);
      g_assert_cmpstr (error->message, ==, error_cases[i].message);
    }
}

static const ErrorCase unsupported_cases[] = {
  /* ORDER BY is bound now: tests/plans/test-sort.c */
  /* joins are bound now: tests/plans/test-join.c */
  /* UNION [ALL] and ROW_NUMBER() are bound now: tests/plans/test-rank.c (added by rank) */
  { "SELECT url FROM bid INTERSECT SELECT url FROM bid", PLAN_ERROR_UNSUPPORTED,
    "1:21: INTERSECT is not supported yet" },
  { "SELECT * FROM TABLE(UNNEST_ROWS(TABLE bid))", /* window TVFs: tests/plans/test-window.c */
    PLAN_ERROR_UNSUPPORTED, "1:15: Table function UNNEST_ROWS is not supported yet" },
  { "SELECT STDDEV(price) FROM bid", PLAN_ERROR_UNSUPPORTED,
    "1:8: Aggregate function STDDEV is not supported yet (strom has COUNT, SUM, AVG, MIN and "
    "MAX)" },
  { "SELECT * FROM bid\n  WHERE price > 1\n  GROUP BY url", PLAN_ERROR_BIND,
    "1:8: '*' cannot be selected from an aggregation; list the GROUP BY columns and "
    "aggregates" },
  { "SELECT RANK() OVER (ORDER BY price) FROM bid", PLAN_ERROR_UNSUPPORTED,
    "1:8: RANK(...) OVER (...) is not supported; strom supports ROW_NUMBER() OVER (PARTITION "
    "BY columns ORDER BY columns) in the select list of a query with FROM, filtered by the "
    "enclosing query with WHERE rownum <= N (Top-N) or rownum = 1 (deduplication)" },
  { "SELECT (SELECT 1)", PLAN_ERROR_UNSUPPORTED,
    "1:8: Subqueries in expressions are not supported yet" },
  /* changed by subqueries: IN (SELECT ...) in WHERE is decorrelated now; NOT IN is not */
  { "SELECT url FROM bid WHERE auction NOT IN (SELECT a FROM out)", PLAN_ERROR_UNSUPPORTED,
    "1:39: NOT IN (subquery) is not supported: it is empty as soon as the subquery yields a "
    "NULL. Write NOT EXISTS (SELECT ... WHERE y = x), which is what is usually meant" },
  { "SELECT url FROM bid WHERE auction = 1 OR auction IN (SELECT a FROM out)",
    PLAN_ERROR_UNSUPPORTED, "1:50: IN (SELECT ...) subqueries are not supported yet" },
  { "SELECT * FROM bid FOR SYSTEM_TIME AS OF date_time", PLAN_ERROR_UNSUPPORTED,
    "1:41: FOR SYSTEM_TIME AS OF is only supported on the right side of a JOIN (a lookup "
    "join)" }, /* changed by lookup joins */
  { "SELECT INTERVAL '1' MONTH", PLAN_ERROR_UNSUPPORTED,
    "1:8: Year-month intervals (INTERVAL ... MONTH) are not supported yet" },
  { "WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r", PLAN_ERROR_UNSUPPORTED,
    "1:1: WITH RECURSIVE is not supported yet" },
  { "SELECT TRY_CAST(url AS INT) FROM bid", PLAN_ERROR_UNSUPPORTED,
    "1:8: TRY_CAST is not supported yet" },
  { "SELECT TRIM(BOTH 'x' FROM url) FROM bid", PLAN_ERROR_UNSUPPORTED,
    "1:18: TRIM with characters to remove is not supported yet (spaces only)" },
  { "SELECT EXTRACT(QUARTER FROM date_time) FROM bid", PLAN_ERROR_UNSUPPORTED,
    "1:8: EXTRACT(QUARTER FROM ...) is not supported yet" },
  { "EXPLAIN CHANGELOG_MODE SELECT 1", PLAN_ERROR_UNSUPPORTED,
    "1:9: EXPLAIN CHANGELOG_MODE is not supported yet" },
};

static void
test_unsupported (Fixture *f, gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (unsupported_cases); i++)
    {
      g_autoptr (GError) error = NULL;
      PlanStatement *stmt = plan_sql_compile_one (f->catalog, unsupported_cases[i].sql, &error);
      g_test_message ("case %u: %s", i, unsupported_cases[i].sql);
      g_assert_null (stmt);
      g_assert_error (error, PLAN_ERROR, (gint) unsupported_cases[i].code);
      g_assert_cmpstr (error->message, ==, unsupported_cases[i].message);
    }
}

static void
assert_span (PlanSpan span, const char *script, const char *text, guint line, guint col)
{
  const char *at = strstr (script, text);
  g_assert_nonnull (at);
  g_assert_cmpuint (span.start, ==, (guint) (at - script));
  g_assert_cmpuint (span.end, ==, (guint) (at - script + strlen (text)));
  g_assert_cmpuint (span.line, ==, line);
  g_assert_cmpuint (span.col, ==, col);
}

static void
test_spans (Fixture *f, gconstpointer data)
{
  const char *script = "SHOW TABLES;\n\n  SELECT price + 1 AS p\n  FROM bid AS b\n"
                       "  WHERE price > 5 LIMIT 3";
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) asts = plan_sql_parse (script, &error);
  g_autoptr (PlanStatement) stmt = NULL;
  PlanNode *sink, *limit, *project, *filter, *scan;
  PlanExpr *cond;

  g_assert_no_error (error);
  stmt = plan_sql_bind (f->catalog, asts->pdata[1], &error);
  g_assert_no_error (error);
  g_assert_cmpint (stmt->kind, ==, PLAN_STMT_QUERY);
  g_assert_cmpstr (stmt->text, ==, "SELECT price + 1 AS p\n  FROM bid AS b\n"
                                   "  WHERE price > 5 LIMIT 3");
  sink = stmt->plan;
  g_assert_cmpint (sink->kind, ==, PLAN_NODE_SINK);
  g_assert_null (sink->u.sink.table);
  assert_span (sink->span, script, stmt->text, 3, 3);
  assert_span (stmt->span, script, stmt->text, 3, 3);
  limit = sink->inputs[0];
  g_assert_cmpint (limit->kind, ==, PLAN_NODE_LIMIT);
  g_assert_cmpint (limit->u.limit.limit, ==, 3);
  g_assert_cmpint (limit->u.limit.offset, ==, 0);
  assert_span (limit->span, script, "LIMIT 3", 5, 19);
  project = limit->inputs[0];
  g_assert_cmpint (project->kind, ==, PLAN_NODE_PROJECT);
  assert_span (project->span, script, "SELECT price + 1 AS p", 3, 3);
  assert_span (project->u.project.exprs[0]->span, script, "price + 1", 3, 10);
  g_assert_cmpstr (project->schema->fields[0].name, ==, "p");
  filter = project->inputs[0];
  g_assert_cmpint (filter->kind, ==, PLAN_NODE_FILTER);
  assert_span (filter->span, script, "WHERE price > 5", 5, 3);
  cond = filter->u.filter.condition;
  assert_span (cond->span, script, "price > 5", 5, 9);
  g_assert_cmpuint (cond->u.call.args[0]->span.line, ==, 5);
  g_assert_cmpuint (cond->u.call.args[0]->span.col, ==, 9);
  g_assert_cmpuint (cond->u.call.args[0]->span.end - cond->u.call.args[0]->span.start, ==, 5);
  g_assert_cmpuint (cond->u.call.args[1]->span.col, ==, 17); /* the cast keeps the 5's span */
  scan = filter->inputs[0];
  g_assert_cmpint (scan->kind, ==, PLAN_NODE_SCAN);
  assert_span (scan->span, script, "bid AS b", 4, 8);
  /* the scan reads every column; pruning and pushdown are the optimizer's */
  g_assert_cmpuint (scan->u.scan.n_columns, ==, 12);
  for (guint i = 0; i < 12; i++)
    g_assert_cmpuint (scan->u.scan.columns[i], ==, i);
  g_assert_null (scan->u.scan.filter);
  g_assert_cmpstr (scan->u.scan.table->name, ==, "bid");
}

static void
test_names (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt = compile_ok (
    f, "SELECT PRICE, Url AS u, price + 1, b.*, `qty` q FROM bid b");
  PlanSchema *s = stmt->plan->schema;

  g_assert_cmpuint (s->n_fields, ==, 4 + 12);
  g_assert_cmpstr (s->fields[0].name, ==, "price"); /* the column's own spelling */
  g_assert_cmpstr (s->fields[1].name, ==, "u");
  g_assert_cmpstr (s->fields[2].name, ==, "EXPR$2");
  g_assert_cmpstr (s->fields[3].name, ==, "auction");
  g_assert_cmpstr (s->fields[14].name, ==, "flag");
  g_assert_cmpstr (s->fields[15].name, ==, "q");
}

static void
test_select_star (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt = compile_ok (f, "select * from BID where flag");
  PlanNode *filter = stmt->plan->inputs[0];

  /* SELECT * adds no PROJECT */
  g_assert_cmpint (filter->kind, ==, PLAN_NODE_FILTER);
  g_assert_cmpint (filter->inputs[0]->kind, ==, PLAN_NODE_SCAN);
  g_assert_cmpuint (stmt->plan->schema->n_fields, ==, 12);
}

static void
add_view (Fixture *f, const char *sql)
{
  g_autoptr (PlanStatement) stmt = compile_ok (f, sql);
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (stmt->kind, ==, PLAN_STMT_CREATE_VIEW);
  g_assert_true (plan_catalog_add_view (f->catalog, stmt->name, stmt->text, stmt->plan, &error));
}

static void
test_views (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) q = NULL, q2 = NULL, desc = NULL;
  g_autoptr (GError) error = NULL;
  PlanNode *view, *project;

  add_view (f, "CREATE VIEW expensive AS SELECT auction, price * 2 AS dbl FROM bid "
               "WHERE price > 100");
  add_view (f, "CREATE TEMPORARY VIEW top AS FROM Expensive |> WHERE dbl > 1000");
  view = plan_catalog_get_view (f->catalog, "expensive", NULL);
  g_assert_cmpint (view->kind, ==, PLAN_NODE_PROJECT); /* a view body carries no sink */

  q = compile_ok (f, "SELECT e.dbl FROM expensive AS e");
  project = q->plan->inputs[0];
  g_assert_cmpint (project->kind, ==, PLAN_NODE_PROJECT);
  g_assert_true (project->inputs[0] == view); /* expanded to the bound plan itself */

  q2 = compile_ok (f, "SELECT auction FROM top");
  project = q2->plan->inputs[0];
  g_assert_cmpint (project->inputs[0]->kind, ==, PLAN_NODE_FILTER);
  g_assert_true (project->inputs[0]->inputs[0] == view);

  g_assert_null (plan_sql_compile_one (f->catalog, "SELECT dbll FROM expensive", &error));
  g_assert_cmpstr (error->message, ==,
                   "1:8: Column 'dbll' not found in view 'expensive'. Did you mean 'dbl'?");
  g_clear_error (&error);
  g_assert_null (plan_sql_compile_one (f->catalog, "CREATE VIEW top AS SELECT 1", &error));
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_CATALOG);
  g_assert_cmpstr (error->message, ==, "1:13: A view named 'top' already exists; use CREATE "
                                       "VIEW IF NOT EXISTS, or DROP it first");
  g_clear_error (&error);
  g_assert_null (plan_sql_compile_one (f->catalog, "INSERT INTO top SELECT 1, 2", &error));
  g_assert_cmpstr (error->message, ==,
                   "1:13: Cannot INSERT INTO view 'top': INSERT needs a table");
  g_clear_error (&error);

  desc = compile_ok (f, "DESC top");
  g_assert_cmpint (desc->kind, ==, PLAN_STMT_DESCRIBE);
  g_assert_cmpuint (desc->table->schema->n_fields, ==, 2);
  g_assert_cmpstr (desc->table->schema->fields[1].name, ==, "dbl");
}

static void
test_insert (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) s1 = compile_ok (f, "INSERT INTO out SELECT qty, price, url FROM bid");
  g_autoptr (PlanStatement) s2 = compile_ok (f, "INSERT INTO out (c, a) SELECT url, auction "
                                                "FROM bid");
  g_autoptr (PlanStatement) s3 = compile_ok (f, "INSERT INTO out SELECT * FROM out");
  PlanTable *out = plan_catalog_get_table (f->catalog, "out");
  PlanNode *sink = s1->plan, *project = sink->inputs[0];
  PlanExpr **e = project->u.project.exprs;

  g_assert_cmpint (s1->kind, ==, PLAN_STMT_INSERT);
  g_assert_cmpint (sink->kind, ==, PLAN_NODE_SINK);
  g_assert_true (sink->u.sink.table == out);
  g_assert_cmpstr (sink->schema->fields[1].name, ==, "b");
  g_assert_cmpint (e[0]->kind, ==, PLAN_EXPR_COLUMN); /* INT into INT: no cast */
  assert_cast (e[1], PLAN_TYPE_DECIMAL, PLAN_EXPR_COLUMN);
  g_assert_cmpuint (e[1]->type.precision, ==, 10);
  g_assert_cmpuint (e[1]->type.scale, ==, 2);
  g_assert_cmpint (e[2]->kind, ==, PLAN_EXPR_COLUMN);

  /* a column list reorders and fills the rest with NULL */
  e = s2->plan->inputs[0]->u.project.exprs;
  assert_cast (e[0], PLAN_TYPE_INT, PLAN_EXPR_COLUMN);
  g_assert_cmpuint (e[0]->u.call.args[0]->u.column, ==, 1);
  g_assert_cmpint (e[1]->kind, ==, PLAN_EXPR_LITERAL);
  g_assert_true (e[1]->u.literal.is_null);
  g_assert_cmpint (e[1]->type.kind, ==, PLAN_TYPE_DECIMAL);
  g_assert_cmpint (e[2]->kind, ==, PLAN_EXPR_COLUMN);
  g_assert_cmpuint (e[2]->u.column, ==, 0);

  /* matching columns need no PROJECT at all */
  g_assert_cmpint (s3->plan->inputs[0]->kind, ==, PLAN_NODE_SCAN);
}

static void
test_values (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt = compile_ok (
    f, "INSERT INTO out VALUES (1, 2.5, 'x'), (-2, NULL, 'y'), (3, 4, NULL)");
  PlanNode *project = stmt->plan->inputs[0], *values = project->inputs[0];
  PlanValue *v = values->u.values.values;

  g_assert_cmpint (values->kind, ==, PLAN_NODE_VALUES);
  g_assert_cmpuint (values->u.values.n_rows, ==, 3);
  /* column 2 unifies DECIMAL(2, 1) and INT into DECIMAL(11, 1) */
  g_assert_cmpint (values->schema->fields[1].type.kind, ==, PLAN_TYPE_DECIMAL);
  g_assert_cmpuint (values->schema->fields[1].type.precision, ==, 11);
  g_assert_cmpint (v[1].v.i, ==, 25);
  g_assert_true (v[4].is_null);
  g_assert_cmpint (v[7].v.i, ==, 40);
  g_assert_cmpint (v[3].v.i, ==, -2);
  g_assert_cmpstr (v[5].v.s, ==, "y");
  g_assert_true (v[8].is_null);
  assert_cast (project->u.project.exprs[1], PLAN_TYPE_DECIMAL, PLAN_EXPR_COLUMN);
}

static void
test_pipe (Fixture *f, gconstpointer data)
{
  const char *sql = "FROM bid |> WHERE price > 1 |> EXTEND price * 2 AS dbl "
                    "|> SELECT dbl, url |> LIMIT 5 OFFSET 2 |> AS z |> WHERE z.dbl > 4";
  g_autoptr (PlanStatement) stmt = compile_ok (f, sql);
  PlanNode *n = stmt->plan->inputs[0];
  const PlanNodeKind kinds[] = {
    PLAN_NODE_FILTER, PLAN_NODE_LIMIT, PLAN_NODE_PROJECT, PLAN_NODE_PROJECT, PLAN_NODE_FILTER,
    PLAN_NODE_SCAN,
  };
  PlanNode *chain[G_N_ELEMENTS (kinds)];

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++, n = n->n_inputs > 0 ? n->inputs[0] : NULL)
    {
      g_assert_nonnull (n);
      g_assert_cmpint (n->kind, ==, kinds[i]);
      chain[i] = n;
    }
  g_assert_cmpint (chain[1]->u.limit.limit, ==, 5);
  g_assert_cmpint (chain[1]->u.limit.offset, ==, 2);
  g_assert_cmpuint (chain[3]->schema->n_fields, ==, 13); /* EXTEND keeps every column */
  g_assert_cmpstr (chain[3]->schema->fields[12].name, ==, "dbl");
  g_assert_cmpuint (chain[2]->schema->n_fields, ==, 2);
  assert_span (chain[4]->span, sql, "WHERE price > 1", 1, 13);
  assert_span (chain[1]->span, sql, "LIMIT 5 OFFSET 2", 1, 78);
  assert_span (stmt->plan->span, sql, sql, 1, 1);
}

static void
test_with (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt = compile_ok (
    f, "WITH big AS (SELECT auction, price FROM bid WHERE price > 100), "
       "ids (id) AS (SELECT auction FROM big) SELECT id FROM ids");
  PlanNode *n = stmt->plan->inputs[0];

  g_assert_cmpint (n->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpstr (n->schema->fields[0].name, ==, "id");
  n = n->inputs[0]; /* the renaming of ids (id) */
  g_assert_cmpint (n->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpstr (n->schema->fields[0].name, ==, "id");
  n = n->inputs[0]; /* SELECT auction FROM big */
  g_assert_cmpint (n->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpint (n->inputs[0]->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpint (n->inputs[0]->inputs[0]->kind, ==, PLAN_NODE_FILTER);
}

static void
test_create_table (Fixture *f, gconstpointer data)
{
  const char *sql =
    "CREATE TEMPORARY TABLE IF NOT EXISTS t (a TINYINT, b SMALLINT, c INTEGER, d FLOAT,\n"
    "  e NUMERIC(5, 1), f CHAR(3), g VARCHAR(20), h TIMESTAMP, i BOOLEAN, j DECIMAL,\n"
    "  k BIGINT NOT NULL, ts TIMESTAMP(3), day DATE,\n"
    "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND, PRIMARY KEY (c) NOT ENFORCED\n"
    ") WITH ('connector' = 'datagen', 'rows-per-second' = '10')";
  const char *types[] = {
    "INT", "INT", "INT NOT NULL", "DOUBLE", "DECIMAL(5, 1)", "VARCHAR", "VARCHAR",
    "TIMESTAMP(3)", "BOOLEAN", "DECIMAL(10, 0)", "BIGINT NOT NULL", "TIMESTAMP(3)", "DATE",
  };
  g_autoptr (PlanStatement) stmt = compile_ok (f, sql);
  PlanTable *t = stmt->table;

  g_assert_cmpint (stmt->kind, ==, PLAN_STMT_CREATE_TABLE);
  g_assert_true (stmt->if_exists);
  g_assert_cmpstr (stmt->name, ==, "t");
  g_assert_cmpstr (t->name, ==, "t");
  g_assert_cmpstr (t->ddl, ==, sql);
  g_assert_cmpuint (t->schema->n_fields, ==, G_N_ELEMENTS (types));
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *type = plan_type_to_string (t->schema->fields[i].type, TRUE);
      g_assert_cmpstr (type, ==, types[i]);
    }
  g_assert_cmpuint (t->options->len, ==, 6);
  g_assert_cmpstr (t->options->pdata[0], ==, "connector");
  g_assert_cmpstr (t->options->pdata[3], ==, "10");
  g_assert_cmpstr (plan_table_get_option (t, "__watermark.ts"), ==, "ts - INTERVAL '5' SECOND");

  /* IF NOT EXISTS binds even when the name is taken; the caller skips it */
  g_clear_pointer (&stmt, plan_statement_free);
  stmt = compile_ok (f, "CREATE TABLE IF NOT EXISTS bid (x INT) WITH ('k' = 'v')");
  g_assert_true (stmt->if_exists);
}

static void
test_session_statements (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) set = compile_ok (f, "SET 'parallelism.default' = '4'");
  g_autoptr (PlanStatement) list = compile_ok (f, "SET");
  g_autoptr (PlanStatement) reset = compile_ok (f, "RESET 'parallelism.default'");
  g_autoptr (PlanStatement) show = compile_ok (f, "show tables");
  g_autoptr (PlanStatement) drop = compile_ok (f, "DROP TABLE IF EXISTS nope");
  g_autoptr (PlanStatement) drop2 = compile_ok (f, "DROP TABLE Out");
  g_autoptr (PlanStatement) describe = compile_ok (f, "DESCRIBE bid");
  g_autoptr (PlanStatement) explain = compile_ok (f, "EXPLAIN ESTIMATED_COST, "
                                                  "JSON_EXECUTION_PLAN SELECT url FROM bid");
  g_autoptr (PlanStatement) explain2 = compile_ok (f, "EXPLAIN PLAN FOR INSERT INTO out "
                                                   "SELECT 1, 2, 'x'");

  g_assert_cmpint (set->kind, ==, PLAN_STMT_SET);
  g_assert_cmpstr (set->key, ==, "parallelism.default");
  g_assert_cmpstr (set->value, ==, "4");
  g_assert_null (list->key);
  g_assert_cmpint (reset->kind, ==, PLAN_STMT_RESET);
  g_assert_cmpstr (reset->key, ==, "parallelism.default");
  g_assert_cmpint (show->kind, ==, PLAN_STMT_SHOW_TABLES);
  g_assert_true (drop->if_exists);
  g_assert_cmpstr (drop2->name, ==, "Out");
  g_assert_cmpint (describe->kind, ==, PLAN_STMT_DESCRIBE);
  g_assert_true (describe->table == plan_catalog_get_table (f->catalog, "bid"));
  g_assert_cmpint (explain->kind, ==, PLAN_STMT_EXPLAIN);
  g_assert_cmpint (explain->explain_of, ==, PLAN_STMT_QUERY);
  g_assert_cmpuint (explain->explain_flags, ==,
                    PLAN_EXPLAIN_ESTIMATED_COST | PLAN_EXPLAIN_JSON);
  g_assert_cmpint (explain->plan->kind, ==, PLAN_NODE_SINK);
  g_assert_cmpint (explain2->explain_of, ==, PLAN_STMT_INSERT);
  g_assert_nonnull (explain2->plan->u.sink.table);
}

/* Random statements that happen to parse must bind or fail cleanly. */
static void
test_bind_soup (Fixture *f, gconstpointer data)
{
  static const char *const words[] = {
    "SELECT", "FROM", "bid", "out", "WHERE", "price", "url", "cost", "date_time", "day", "*",
    ",", "(", ")", "1", "2.5", "'s'", "NULL", "+", "-", "*", "/", "%", "=", "<", "AND", "OR",
    "NOT", "IS", "IN", "BETWEEN", "LIKE", "CASE", "WHEN", "THEN", "END", "CAST", "AS", "INT",
    "|>", "LIMIT", "INTERVAL", "'5'", "SECOND", "UPPER", "COALESCE", "||", "TRUE", "EXTEND",
    "VALUES", "INSERT", "INTO", "b", ".", "qty", "flag", "DATE", "'2024-01-01'",
  };
  guint bound = 0;

  for (guint round = 0; round < 20000; round++)
    {
      guint n = (guint) g_test_rand_int_range (2, 14);
      g_autoptr (GString) text = g_string_new (g_test_rand_bit () ? "SELECT " : "FROM bid |> ");
      g_autoptr (GError) error = NULL;
      g_autoptr (PlanStatement) stmt = NULL;
      for (guint i = 0; i < n; i++)
        g_string_append_printf (text, "%s ",
                                words[g_test_rand_int_range (0, G_N_ELEMENTS (words))]);
      stmt = plan_sql_compile_one (f->catalog, text->str, &error);
      if (stmt == NULL)
        {
          g_assert_nonnull (error);
          g_assert_true (plan_sql_error_position (error, NULL, NULL));
        }
      else
        bound++;
    }
  g_test_message ("%u of 20000 random statements bound", bound);
}

/* A random expression of the dialect, at most depth levels deep. */
static void
random_expr (GString *out, guint depth)
{
  static const char *const leaves[] = {
    "auction", "price", "url", "cost", "rate", "qty", "day", "flag", "date_time", "b.extra",
    "1", "-7", "2.50", "1e3", "'abc'", "'2024-01-02 03:04:05'", "NULL", "TRUE",
    "DATE '2024-01-02'", "INTERVAL '5' SECOND", "CURRENT_TIMESTAMP", "2147483648",
  };
  static const char *const binops[] = {
    "+", "-", "*", "/", "%", "||", "=", "<>", "<", ">=", "AND", "OR",
    "IS DISTINCT FROM", "LIKE",
  };
  static const char *const funcs[] = {
    "UPPER", "CHAR_LENGTH", "ABS", "ROUND", "FLOOR", "SQRT", "YEAR", "COALESCE", "NULLIF",
    "MOD", "POWER", "SUBSTR", "CONCAT", "LTRIM", "COUNT", "NOPE",
  };
  static const char *const types[] = {
    "INT", "BIGINT", "DOUBLE", "DECIMAL(10, 2)", "VARCHAR", "DATE", "TIMESTAMP(3)", "BOOLEAN",
  };
  guint pick = depth == 0 ? 0 : (guint) g_test_rand_int_range (0, 10);

  switch (pick)
    {
    case 0: case 1: case 2:
      g_string_append (out, leaves[g_test_rand_int_range (0, G_N_ELEMENTS (leaves))]);
      break;
    case 3: case 4:
      g_string_append (out, "(");
      random_expr (out, depth - 1);
      g_string_append_printf (out, " %s ", binops[g_test_rand_int_range (0,
                                                                    G_N_ELEMENTS (binops))]);
      random_expr (out, depth - 1);
      g_string_append (out, ")");
      break;
    case 5:
      g_string_append_printf (out, "%s(", funcs[g_test_rand_int_range (0, G_N_ELEMENTS (funcs))]);
      random_expr (out, depth - 1);
      if (g_test_rand_bit ())
        {
          g_string_append (out, ", ");
          random_expr (out, depth - 1);
        }
      g_string_append (out, ")");
      break;
    case 6:
      g_string_append (out, "CASE WHEN ");
      random_expr (out, depth - 1);
      g_string_append (out, " THEN ");
      random_expr (out, depth - 1);
      if (g_test_rand_bit ())
        {
          g_string_append (out, " ELSE ");
          random_expr (out, depth - 1);
        }
      g_string_append (out, " END");
      break;
    case 7:
      g_string_append (out, "CAST(");
      random_expr (out, depth - 1);
      g_string_append_printf (out, " AS %s)",
                              types[g_test_rand_int_range (0, G_N_ELEMENTS (types))]);
      break;
    case 8:
      g_string_append (out, "(");
      random_expr (out, depth - 1);
      g_string_append (out, g_test_rand_bit () ? " IS NOT NULL" : " NOT BETWEEN 1 AND ");
      if (out->str[out->len - 1] == ' ')
        random_expr (out, depth - 1);
      g_string_append (out, ")");
      break;
    default:
      g_string_append (out, g_test_rand_bit () ? "(NOT " : "(- ");
      random_expr (out, depth - 1);
      g_string_append (out, " IN (");
      random_expr (out, depth - 1);
      g_string_append (out, ", 3))");
      break;
    }
}

/* Random well-formed expressions: whatever the types, binding succeeds or fails with one
 * positioned error (fatal warnings catch a second GError set over the first). */
static void
test_random_expressions (Fixture *f, gconstpointer data)
{
  guint bound = 0;

  for (guint round = 0; round < 5000; round++)
    {
      g_autoptr (GString) sql = g_string_new ("SELECT ");
      g_autoptr (GError) error = NULL;
      g_autoptr (PlanStatement) stmt = NULL;
      random_expr (sql, (guint) g_test_rand_int_range (1, 5));
      g_string_append (sql, " AS x, ");
      random_expr (sql, (guint) g_test_rand_int_range (0, 3));
      g_string_append (sql, " FROM bid AS b");
      if (round % 2 == 0)
        {
          g_string_append (sql, " WHERE ");
          random_expr (sql, 3);
        }
      stmt = plan_sql_compile_one (f->catalog, sql->str, &error);
      if (stmt == NULL)
        {
          g_assert_nonnull (error);
          if (error->code != PLAN_ERROR_BIND && error->code != PLAN_ERROR_UNSUPPORTED)
            g_error ("%s: %s", sql->str, error->message);
          g_assert_true (plan_sql_error_position (error, NULL, NULL));
        }
      else
        {
          g_assert_cmpint (stmt->plan->inputs[0]->kind, ==, PLAN_NODE_PROJECT);
          bound++;
        }
    }
  g_test_message ("%u of 5000 random expressions bound", bound);
  g_assert_cmpuint (bound, >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/plans/binder/types", test_types);
  ADD ("/plans/binder/literal-values", test_literal_values);
  ADD ("/plans/binder/coercion", test_coercion);
  ADD ("/plans/binder/errors", test_errors);
  ADD ("/plans/binder/unsupported", test_unsupported);
  ADD ("/plans/binder/spans", test_spans);
  ADD ("/plans/binder/names", test_names);
  ADD ("/plans/binder/select-star", test_select_star);
  ADD ("/plans/binder/views", test_views);
  ADD ("/plans/binder/insert", test_insert);
  ADD ("/plans/binder/values", test_values);
  ADD ("/plans/binder/pipe", test_pipe);
  ADD ("/plans/binder/with", test_with);
  ADD ("/plans/binder/create-table", test_create_table);
  ADD ("/plans/binder/session-statements", test_session_statements);
  ADD ("/plans/binder/random-statements", test_bind_soup);
  ADD ("/plans/binder/random-expressions", test_random_expressions);
#undef ADD
  return g_test_run ();
}
