/* test-parser.c: the SQL lexer and parser (plans/plan-sql-lexer.c, plan-sql-parser.c):
 * statement splitting, the AST shape (precedence, literals, pipe steps, DDL), positioned
 * syntax errors, psql-style error display, and hostile input (deep nesting, random bytes
 * and random token soup) that must end in an error, never a crash. */
#include "plans/plan-sql-private.h"

#include <string.h>

static GPtrArray *
parse_ok (const char *sql)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *asts = plan_sql_parse (sql, &error);
  g_assert_no_error (error);
  g_assert_nonnull (asts);
  return asts;
}

/* The only statement of sql. */
static PlanAstStmt *
stmt_of (GPtrArray *asts)
{
  g_assert_cmpuint (asts->len, ==, 1);
  return ((PlanAst *) asts->pdata[0])->stmt;
}

static PlanAstExpr *
first_item (PlanAstStmt *s)
{
  g_assert_cmpint (s->query->kind, ==, PLAN_AST_Q_SELECT);
  return ((PlanAstSelectItem *) s->query->items.items[0])->expr;
}

static void
test_empty (void)
{
  const char *scripts[] = { "", "   \n\t ", "-- only a comment", "/* block */ ;; ; -- x\n" };

  for (guint i = 0; i < G_N_ELEMENTS (scripts); i++)
    {
      g_autoptr (GPtrArray) asts = parse_ok (scripts[i]);
      g_assert_cmpuint (asts->len, ==, 0);
    }
}

static void
test_split (void)
{
  g_autoptr (GPtrArray) asts = parse_ok ("select 1;\n  SELECT 'a;b' ; -- c;\nSHOW TABLES");
  PlanSpan span;

  g_assert_cmpuint (asts->len, ==, 3);
  g_assert_cmpstr (plan_ast_get_text (asts->pdata[0]), ==, "select 1");
  g_assert_cmpstr (plan_ast_get_text (asts->pdata[1]), ==, "SELECT 'a;b'");
  g_assert_cmpstr (plan_ast_get_text (asts->pdata[2]), ==, "SHOW TABLES");
  span = plan_ast_get_span (asts->pdata[1]);
  g_assert_cmpuint (span.line, ==, 2);
  g_assert_cmpuint (span.col, ==, 3);
  g_assert_cmpuint (span.start, ==, 12);
  g_assert_cmpuint (span.end, ==, 24);
  span = plan_ast_get_span (asts->pdata[2]);
  g_assert_cmpuint (span.line, ==, 3);
  g_assert_cmpuint (span.col, ==, 1);
  g_assert_cmpint (((PlanAst *) asts->pdata[2])->stmt->kind, ==, PLAN_STMT_SHOW_TABLES);
}

static void
test_precedence (void)
{
  g_autoptr (GPtrArray) asts = parse_ok ("SELECT a OR b AND NOT c = 1 + 2 * 3 || 'x'");
  PlanAstExpr *e = first_item (stmt_of (asts)), *and, *not, *eq, *cat, *add;

  g_assert_cmpint (e->kind, ==, PLAN_AST_BINARY);
  g_assert_cmpint (e->op, ==, PLAN_AST_OP_OR);
  g_assert_cmpstr (e->left->name, ==, "a");
  and = e->right;
  g_assert_cmpint (and->op, ==, PLAN_AST_OP_AND);
  g_assert_cmpstr (and->left->name, ==, "b");
  not = and->right;
  g_assert_cmpint (not->kind, ==, PLAN_AST_UNARY);
  g_assert_cmpint (not->op, ==, PLAN_AST_OP_NOT);
  eq = not->left;
  g_assert_cmpint (eq->op, ==, PLAN_AST_OP_EQ);
  g_assert_cmpstr (eq->left->name, ==, "c");
  cat = eq->right;
  g_assert_cmpint (cat->op, ==, PLAN_AST_OP_CONCAT);
  g_assert_cmpint (cat->right->kind, ==, PLAN_AST_STRING);
  add = cat->left;
  g_assert_cmpint (add->op, ==, PLAN_AST_OP_ADD);
  g_assert_cmpint (add->right->op, ==, PLAN_AST_OP_MUL);
  g_assert_cmpstr (add->right->left->text, ==, "2");
  /* the whole expression's span, and the operator's */
  g_assert_cmpuint (e->span.start, ==, 7);
  g_assert_cmpuint (e->span.end, ==, 42);
  g_assert_cmpuint (e->op_span.col, ==, 10);
  g_assert_cmpuint (add->op_span.col, ==, 29);
}

static void
test_predicates (void)
{
  g_autoptr (GPtrArray) asts = parse_ok (
    "SELECT x BETWEEN 1 AND 2 AND y, NOT a IN (1, 2), a NOT LIKE 'x%' ESCAPE '!', "
    "b IS NOT DISTINCT FROM c, d IS NOT NULL, - - 5, -5, -(1.5)");
  PlanAstQuery *q = stmt_of (asts)->query;
  PlanAstExpr *e[8];

  g_assert_cmpuint (q->items.n, ==, 8);
  for (guint i = 0; i < 8; i++)
    e[i] = ((PlanAstSelectItem *) q->items.items[i])->expr;
  g_assert_cmpint (e[0]->op, ==, PLAN_AST_OP_AND);
  g_assert_cmpint (e[0]->left->kind, ==, PLAN_AST_BETWEEN);
  g_assert_cmpuint (e[0]->left->args.n, ==, 2);
  g_assert_cmpint (e[1]->kind, ==, PLAN_AST_UNARY);
  g_assert_cmpint (e[1]->left->kind, ==, PLAN_AST_IN);
  g_assert_false (e[1]->left->negated);
  g_assert_cmpuint (e[1]->left->args.n, ==, 2);
  g_assert_cmpint (e[2]->kind, ==, PLAN_AST_LIKE);
  g_assert_true (e[2]->negated);
  g_assert_cmpstr (e[2]->escape->text, ==, "!");
  g_assert_cmpint (e[3]->kind, ==, PLAN_AST_IS);
  g_assert_cmpint (e[3]->is_kind, ==, PLAN_AST_IS_NOT_DISTINCT_FROM);
  g_assert_cmpint (e[4]->is_kind, ==, PLAN_AST_IS_NOT_NULL);
  /* a minus sign before a number folds into the literal, once */
  g_assert_cmpint (e[5]->kind, ==, PLAN_AST_UNARY);
  g_assert_cmpstr (e[5]->left->text, ==, "-5");
  g_assert_cmpint (e[6]->kind, ==, PLAN_AST_INTEGER);
  g_assert_cmpstr (e[6]->text, ==, "-5");
  g_assert_cmpint (e[7]->kind, ==, PLAN_AST_DECIMAL);
  g_assert_cmpstr (e[7]->text, ==, "-1.5");
}

static void
test_literals_and_calls (void)
{
  g_autoptr (GPtrArray) asts = parse_ok (
    "SELECT 'it''s', 1.5e3, .5, DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05.678', "
    "INTERVAL '5' SECOND, TRUE, NULL, SUBSTRING(s FROM 2 FOR 3), POSITION('a' IN s), "
    "TRIM(LEADING FROM s), EXTRACT(YEAR FROM ts), CAST(x AS DECIMAL(10, 2)), "
    "CASE x WHEN 1 THEN 'a' ELSE 'b' END, COUNT(DISTINCT x), CURRENT_TIMESTAMP, "
    "\"Quoted Name\", `back``tick`, t.*");
  PlanAstQuery *q = stmt_of (asts)->query;
  PlanAstExpr *e[19];

  g_assert_cmpuint (q->items.n, ==, 19);
  for (guint i = 0; i < 19; i++)
    e[i] = ((PlanAstSelectItem *) q->items.items[i])->expr;
  g_assert_cmpint (e[0]->kind, ==, PLAN_AST_STRING);
  g_assert_cmpstr (e[0]->text, ==, "it's");
  g_assert_cmpint (e[1]->kind, ==, PLAN_AST_FLOAT);
  g_assert_cmpint (e[2]->kind, ==, PLAN_AST_DECIMAL);
  g_assert_cmpint (e[3]->kind, ==, PLAN_AST_DATE);
  g_assert_cmpstr (e[4]->text, ==, "2024-01-02 03:04:05.678");
  g_assert_cmpint (e[5]->kind, ==, PLAN_AST_INTERVAL);
  g_assert_cmpstr (e[5]->unit, ==, "SECOND");
  g_assert_true (e[6]->kind == PLAN_AST_BOOL && e[6]->boolean);
  g_assert_cmpint (e[7]->kind, ==, PLAN_AST_NULL);
  g_assert_cmpstr (e[8]->name, ==, "SUBSTRING");
  g_assert_cmpuint (e[8]->args.n, ==, 3);
  g_assert_cmpstr (e[9]->name, ==, "POSITION");
  g_assert_cmpstr (((PlanAstExpr *) e[9]->args.items[1])->name, ==, "s");
  g_assert_cmpstr (e[10]->name, ==, "LTRIM");
  g_assert_cmpstr (e[11]->name, ==, "EXTRACT");
  g_assert_cmpstr (e[11]->unit, ==, "YEAR");
  g_assert_cmpint (e[12]->kind, ==, PLAN_AST_CAST);
  g_assert_cmpstr (e[12]->type->name, ==, "DECIMAL");
  g_assert_cmpint (e[12]->type->precision, ==, 10);
  g_assert_cmpint (e[12]->type->scale, ==, 2);
  g_assert_cmpint (e[13]->kind, ==, PLAN_AST_CASE);
  g_assert_nonnull (e[13]->left);
  g_assert_cmpuint (e[13]->args.n, ==, 2);
  g_assert_nonnull (e[13]->escape);
  g_assert_true (e[14]->distinct);
  g_assert_cmpstr (e[15]->name, ==, "CURRENT_TIMESTAMP");
  g_assert_cmpstr (e[16]->name, ==, "Quoted Name");
  g_assert_cmpstr (e[17]->name, ==, "back`tick");
  g_assert_cmpint (e[18]->kind, ==, PLAN_AST_STAR);
  g_assert_cmpstr (e[18]->qualifier, ==, "t");
}

static void
test_select_clauses (void)
{
  /* clauses the binder refuses for now must still parse */
  const char *sql =
    "select distinct a, count(*) AS n from bid b join person p on b.x = p.y "
    "where a > 1 group by a having count(*) > 2 order by n desc limit 10 offset 5";
  g_autoptr (GPtrArray) asts = parse_ok (sql);
  PlanAstQuery *limit = stmt_of (asts)->query, *order, *select;

  g_assert_cmpint (limit->kind, ==, PLAN_AST_Q_PIPE);
  g_assert_cmpint (limit->pipe, ==, PLAN_AST_PIPE_LIMIT);
  g_assert_cmpint (limit->limit, ==, 10);
  g_assert_cmpint (limit->offset, ==, 5);
  order = limit->left;
  g_assert_cmpint (order->pipe, ==, PLAN_AST_PIPE_ORDER_BY);
  g_assert_true (((PlanAstOrderItem *) order->order.items[0])->descending);
  select = order->left;
  g_assert_cmpint (select->kind, ==, PLAN_AST_Q_SELECT);
  g_assert_true (select->distinct);
  g_assert_cmpint (select->from->kind, ==, PLAN_AST_FROM_JOIN);
  g_assert_cmpstr (select->from->left->alias, ==, "b");
  g_assert_cmpuint (select->group_by.n, ==, 1);
  g_assert_nonnull (select->having);
  g_assert_cmpuint (select->group_span.col, ==, 84);

  g_clear_pointer (&asts, g_ptr_array_unref);
  asts = parse_ok ("SELECT a FROM t UNION ALL SELECT a FROM u FETCH FIRST 3 ROWS ONLY; "
                   "SELECT * FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' "
                   "SECOND)); SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) FROM t; "
                   "WITH x AS (SELECT 1) SELECT * FROM x; VALUES (1, 'a'), (2, 'b')");
  g_assert_cmpuint (asts->len, ==, 5);
  g_assert_cmpint (((PlanAst *) asts->pdata[0])->stmt->query->left->kind, ==, PLAN_AST_Q_SETOP);
  g_assert_cmpint (((PlanAst *) asts->pdata[1])->stmt->query->from->kind, ==,
                   PLAN_AST_FROM_TVF);
  g_assert_cmpint (((PlanAst *) asts->pdata[3])->stmt->query->kind, ==, PLAN_AST_Q_WITH);
  g_assert_cmpuint (((PlanAst *) asts->pdata[4])->stmt->query->rows.n, ==, 2);
}

static void
test_pipe (void)
{
  const char *sql = "FROM t AS x |> WHERE a > 1 |> SELECT a, b + 1 AS c |> LIMIT 3";
  g_autoptr (GPtrArray) asts = parse_ok (sql);
  PlanAstQuery *limit = stmt_of (asts)->query, *select, *where, *from;
  g_autoptr (GPtrArray) after_select = NULL;

  g_assert_cmpint (limit->pipe, ==, PLAN_AST_PIPE_LIMIT);
  g_assert_cmpint (limit->limit, ==, 3);
  select = limit->left;
  g_assert_cmpint (select->pipe, ==, PLAN_AST_PIPE_SELECT);
  g_assert_cmpuint (select->items.n, ==, 2);
  where = select->left;
  g_assert_cmpint (where->pipe, ==, PLAN_AST_PIPE_WHERE);
  g_assert_cmpuint (where->op_span.col, ==, 16);
  g_assert_cmpuint (where->op_span.end - where->op_span.start, ==, strlen ("WHERE a > 1"));
  from = where->left;
  g_assert_cmpint (from->kind, ==, PLAN_AST_Q_FROM);
  g_assert_cmpstr (from->from->alias, ==, "x");
  g_assert_cmpuint (limit->span.end, ==, strlen (sql));

  after_select = parse_ok ("SELECT a FROM t WHERE a > 0 |> WHERE a < 9 |> AGGREGATE COUNT(*) "
                           "GROUP BY a");
  g_assert_cmpint (stmt_of (after_select)->query->pipe, ==, PLAN_AST_PIPE_AGGREGATE);
  g_assert_cmpint (stmt_of (after_select)->query->left->left->kind, ==, PLAN_AST_Q_SELECT);
}

static void
test_ddl (void)
{
  const char *sql =
    "CREATE TABLE IF NOT EXISTS bid (\n"
    "  auction BIGINT NOT NULL, price DECIMAL(10, 2), url STRING,\n"
    "  ts TIMESTAMP(3),\n"
    "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,\n"
    "  PRIMARY KEY (auction) NOT ENFORCED\n"
    ") WITH ('connector' = 'nexmark', 'rate' = '1000')";
  g_autoptr (GPtrArray) asts = parse_ok (sql);
  PlanAstStmt *s = stmt_of (asts);
  PlanAstColumnDef *c;
  PlanAstWatermark *w;
  PlanAstOption *o;

  g_assert_cmpint (s->kind, ==, PLAN_STMT_CREATE_TABLE);
  g_assert_true (s->if_exists);
  g_assert_cmpstr (s->name, ==, "bid");
  g_assert_cmpuint (s->columns.n, ==, 4);
  c = s->columns.items[0];
  g_assert_true (c->not_null);
  g_assert_cmpstr (c->type->name, ==, "BIGINT");
  c = s->columns.items[3];
  g_assert_cmpstr (c->type->name, ==, "TIMESTAMP");
  g_assert_cmpint (c->type->precision, ==, 3);
  g_assert_cmpuint (c->span.line, ==, 3);
  w = s->watermarks.items[0];
  g_assert_cmpstr (w->column, ==, "ts");
  g_assert_cmpuint (w->expr->span.line, ==, 4);
  g_assert_cmpuint (w->expr->span.col, ==, 23);
  g_assert_cmpuint (s->primary_key.n, ==, 1);
  g_assert_cmpuint (s->options.n, ==, 2);
  o = s->options.items[1];
  g_assert_cmpstr (o->key, ==, "rate");
  g_assert_cmpstr (o->value, ==, "1000");
  g_assert_cmpstr (plan_ast_get_text (asts->pdata[0]), ==, sql);
}

static void
test_statements (void)
{
  g_autoptr (GPtrArray) asts = parse_ok (
    "create temporary view if not exists v as select 1;"
    "DROP TABLE IF EXISTS t; drop view v;"
    "INSERT INTO out (a, b) SELECT x, y FROM t;"
    "SET 'parallelism.default' = '4'; SET; SET table.exec.mini-batch.enabled = true;"
    "RESET 'k'; RESET; SHOW VIEWS; DESCRIBE t; DESC t;"
    "EXPLAIN PLAN FOR SELECT 1; EXPLAIN ESTIMATED_COST, JSON_EXECUTION_PLAN SELECT 1;"
    "EXPLAIN INSERT INTO out SELECT 1");
  PlanAstStmt *s[15];
  const PlanStmtKind kinds[15] = {
    PLAN_STMT_CREATE_VIEW, PLAN_STMT_DROP_TABLE, PLAN_STMT_DROP_VIEW, PLAN_STMT_INSERT,
    PLAN_STMT_SET, PLAN_STMT_SET, PLAN_STMT_SET, PLAN_STMT_RESET, PLAN_STMT_RESET,
    PLAN_STMT_SHOW_VIEWS, PLAN_STMT_DESCRIBE, PLAN_STMT_DESCRIBE, PLAN_STMT_EXPLAIN,
    PLAN_STMT_EXPLAIN, PLAN_STMT_EXPLAIN,
  };

  g_assert_cmpuint (asts->len, ==, 15);
  for (guint i = 0; i < 15; i++)
    {
      s[i] = ((PlanAst *) asts->pdata[i])->stmt;
      g_assert_cmpint (s[i]->kind, ==, kinds[i]);
    }
  g_assert_true (s[0]->temporary && s[0]->if_exists);
  g_assert_true (s[1]->if_exists);
  g_assert_false (s[2]->if_exists);
  g_assert_cmpstr (s[3]->name, ==, "out");
  g_assert_cmpuint (s[3]->insert_columns.n, ==, 2);
  g_assert_cmpstr (s[4]->key, ==, "parallelism.default");
  g_assert_cmpstr (s[4]->value, ==, "4");
  g_assert_null (s[5]->key);
  g_assert_cmpstr (s[6]->key, ==, "table.exec.mini-batch.enabled");
  g_assert_cmpstr (s[6]->value, ==, "true");
  g_assert_cmpstr (s[7]->key, ==, "k");
  g_assert_null (s[8]->key);
  g_assert_cmpstr (s[11]->name, ==, "t");
  g_assert_cmpuint (s[12]->explain_flags, ==, 0);
  g_assert_cmpint (s[12]->inner->kind, ==, PLAN_STMT_QUERY);
  g_assert_cmpuint (s[13]->explain_flags, ==, PLAN_EXPLAIN_ESTIMATED_COST | PLAN_EXPLAIN_JSON);
  g_assert_cmpint (s[14]->inner->kind, ==, PLAN_STMT_INSERT);
}

typedef struct {
  const char *sql;
  PlanErrorCode code;
  const char *message; /* with its "LINE:COL: " */
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "SELECT a FROM", PLAN_ERROR_SYNTAX,
    "1:14: Expected a table name after FROM, found end of input" },
  { "SELECT a FROM WHERE a > 1", PLAN_ERROR_SYNTAX,
    "1:15: Expected a table name after FROM, found 'WHERE'" },
  { "SELECT 'abc FROM t", PLAN_ERROR_SYNTAX,
    "1:8: Unterminated string literal: add the closing '" },
  { "SELECT a FROM t WHERE a # 2", PLAN_ERROR_SYNTAX, "1:25: Unexpected character '#'" },
  { "SELECT a, FROM t", PLAN_ERROR_SYNTAX,
    "1:9: Unexpected ',' before FROM: remove the trailing comma" },
  { "SELECT a,, b FROM t", PLAN_ERROR_SYNTAX, "1:10: Expected an expression, found ','" },
  { "SELECT 1;\n\nSELECT a FROM t WHERE", PLAN_ERROR_SYNTAX,
    "3:22: Expected an expression, found end of input" },
  { "SELECT (1 + 2 FROM t", PLAN_ERROR_SYNTAX, "1:15: Expected ')', found 'FROM'" },
  { "SELEC a FROM t", PLAN_ERROR_SYNTAX, "1:1: Unknown statement 'SELEC'. Did you mean SELECT?" },
  { "CREATE TABLE t (a INT) WITH ('connector' 'x')", PLAN_ERROR_SYNTAX,
    "1:42: Expected '=', found string 'x'" },
  { "SELECT 1; /* never closed", PLAN_ERROR_SYNTAX,
    "1:11: Unterminated comment: add the closing */" },
  { "SELECT `abc FROM t", PLAN_ERROR_SYNTAX,
    "1:8: Unterminated quoted identifier: add the closing `" },
  { "SELECT 12abc", PLAN_ERROR_SYNTAX, "1:8: Malformed number '12abc'" },
  { "SELECT a FROM t LIMIT x", PLAN_ERROR_SYNTAX,
    "1:23: Expected a row count after LIMIT, found 'x'" },
  { "FROM t |> FILTER a > 1", PLAN_ERROR_SYNTAX,
    "1:11: Expected a pipe operator (WHERE, SELECT, EXTEND, AGGREGATE, ORDER BY, LIMIT, AS or "
    "JOIN) after |>, found 'FILTER'" },
  { "SELECT a FROM t u v", PLAN_ERROR_SYNTAX,
    "1:19: Expected ';' or the end of the statement, found 'v'" },
  { "SELECT a FROM t)", PLAN_ERROR_SYNTAX, "1:16: Unmatched ')'" },
  { "DROP INDEX i", PLAN_ERROR_SYNTAX, "1:6: Expected TABLE or VIEW after DROP, found 'INDEX'" },
  { "SELECT CAST(a INT) FROM t", PLAN_ERROR_SYNTAX, "1:15: Expected AS, found 'INT'" },
  { "SELECT CASE WHEN a THEN 1 FROM t", PLAN_ERROR_SYNTAX, "1:27: Expected END, found 'FROM'" },
  { "SELECT a IS 5 FROM t", PLAN_ERROR_SYNTAX,
    "1:13: Expected NULL, TRUE, FALSE or DISTINCT FROM after IS, found number 5" },
  { "SELECT '\xff'", PLAN_ERROR_SYNTAX, "1:9: Invalid UTF-8 byte 0xff: save the script as UTF-8" },
  { "FROM t WHERE a", PLAN_ERROR_SYNTAX,
    "1:8: Expected '|>' before WHERE: a query that starts with FROM continues with |> steps" },
  { "SET 'a' 'b'", PLAN_ERROR_SYNTAX, "1:9: Expected '=' after the key, found string 'b'" },
  { "SELECT \x01", PLAN_ERROR_SYNTAX, "1:8: Unexpected control character 0x01" },
  /* columns count characters, not bytes */
  { "SELECT 'é', # ", PLAN_ERROR_SYNTAX, "1:13: Unexpected character '#'" },
  { "INSERT INTO t (a, b SELECT 1", PLAN_ERROR_SYNTAX,
    "1:21: Expected ',' or ')', found 'SELECT'" },
  { "CREATE TABLE t (a INT, PRIMARY KEY (a)) WITH ('k'='v')", PLAN_ERROR_UNSUPPORTED,
    "1:39: Flink only supports PRIMARY KEY ... NOT ENFORCED: add NOT ENFORCED" },
  { "SHOW JOBS", PLAN_ERROR_UNSUPPORTED,
    "1:6: SHOW JOBS is not supported yet (SHOW TABLES and SHOW VIEWS are)" },
  { "SELECT 1 +", PLAN_ERROR_SYNTAX, "1:11: Expected an expression, found end of input" },
  { "SELECT a FROM t WHERE x IN 1, 2", PLAN_ERROR_SYNTAX,
    "1:28: Expected '(' after IN, found number 1" },
};

static void
test_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autoptr (GError) error = NULL;
      GPtrArray *asts = plan_sql_parse (error_cases[i].sql, &error);
      g_test_message ("case %u: %s", i, error_cases[i].sql);
      g_assert_null (asts);
      g_assert_error (error, PLAN_ERROR, (gint) error_cases[i].code);
      g_assert_cmpstr (error->message, ==, error_cases[i].message);
    }
}

static void
test_error_without_gerror (void)
{
  /* a caller that passes no GError still gets NULL */
  g_assert_null (plan_sql_parse ("SELECT FROM", NULL));
  g_assert_null (plan_sql_parse ("SELECT 'x", NULL));
}

static void
expect_too_deep (const char *sql, const char *message_part)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *asts = plan_sql_parse (sql, &error);
  guint line, col;

  g_assert_null (asts);
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_SYNTAX);
  g_assert_nonnull (strstr (error->message, message_part));
  g_assert_true (plan_sql_error_position (error, &line, &col));
  g_assert_cmpuint (line, ==, 1);
}

/* head + open * n + middle + close * n */
static char *
nest (const char *head, const char *open, guint n, const char *middle, const char *close)
{
  GString *out = g_string_new (head);
  for (guint i = 0; i < n; i++)
    g_string_append (out, open);
  g_string_append (out, middle);
  for (guint i = 0; i < n && close != NULL; i++)
    g_string_append (out, close);
  return g_string_free (out, FALSE);
}

static void
test_deep_nesting (void)
{
  const guint n = 100000;
  g_autofree char *parens = nest ("SELECT ", "(", n, "1", ")");
  g_autofree char *nots = nest ("SELECT ", "NOT ", n, "TRUE", NULL);
  g_autofree char *minus = nest ("SELECT ", "- ", n, "1", NULL);
  g_autofree char *plus = nest ("SELECT 1", "+1", 5000, "", NULL);
  g_autofree char *ands = nest ("SELECT TRUE", " AND TRUE", 5000, "", NULL);
  g_autofree char *subq = nest ("SELECT * FROM ", "(SELECT * FROM ", 5000, "t", ")");
  g_autofree char *pipes = nest ("FROM t", " |> WHERE TRUE", 5000, "", NULL);
  g_autofree char *joins = nest ("SELECT * FROM t", " JOIN u ON TRUE", 5000, "", NULL);
  g_autofree char *unions = nest ("SELECT 1", " UNION SELECT 1", 5000, "", NULL);
  g_autofree char *cases = nest ("SELECT ", "CASE WHEN TRUE THEN ", 5000, "1", " END");
  g_autofree char *calls = nest ("SELECT ", "ABS(", 5000, "1", ")");
  g_autofree char *flat = nest ("SELECT 1", ", 1", 20000, "", NULL);
  g_autoptr (GPtrArray) ok = NULL;

  expect_too_deep (parens, "Expression nested too deeply (more than 200 levels)");
  expect_too_deep (nots, "Expression nested too deeply (more than 200 levels)");
  expect_too_deep (minus, "Expression nested too deeply (more than 200 levels)");
  expect_too_deep (plus, "Expression nested too deeply (more than 1000 levels)");
  expect_too_deep (ands, "Expression nested too deeply (more than 1000 levels)");
  expect_too_deep (subq, "Query nested too deeply (more than 200 levels)");
  expect_too_deep (pipes, "Query nested too deeply (more than 1000 steps)");
  expect_too_deep (joins, "Too many joins (more than 1000)");
  expect_too_deep (unions, "Query nested too deeply (more than 1000 steps)");
  expect_too_deep (cases, "nested too deeply");
  expect_too_deep (calls, "nested too deeply");
  /* wide is fine, only deep is refused */
  ok = parse_ok (flat);
  g_assert_cmpuint (stmt_of (ok)->query->items.n, ==, 20001);
}

static void
check_error_or_asts (const char *text, GPtrArray *asts, GError *error)
{
  guint line, col;
  if (asts == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == PLAN_ERROR);
      g_assert_true (plan_sql_error_position (error, &line, &col));
      g_assert_cmpuint (line, >=, 1);
      g_free (plan_sql_format_error (text, error));
    }
  else
    {
      g_assert_null (error);
      g_ptr_array_unref (asts);
    }
}

static void
test_random_bytes (void)
{
  for (guint round = 0; round < 3000; round++)
    {
      guint len = (guint) g_test_rand_int_range (0, 120);
      g_autofree char *text = g_malloc (len + 1);
      g_autoptr (GError) error = NULL;
      GPtrArray *asts;
      for (guint i = 0; i < len; i++)
        text[i] = (char) g_test_rand_int_range (1, 256);
      text[len] = '\0';
      asts = plan_sql_parse (text, &error);
      check_error_or_asts (text, asts, error);
      plan_sql_is_complete (text);
    }
}

static void
test_token_soup (void)
{
  static const char *const words[] = {
    "SELECT", "FROM", "WHERE", "t", "a", "b.c", "*", ",", "(", ")", "1", "2.5", "'s'", "+",
    "-", "/", "=", "<>", "AND", "OR", "NOT", "IS", "NULL", "IN", "BETWEEN", "LIKE", "CASE",
    "WHEN", "THEN", "ELSE", "END", "CAST", "AS", "INT", "|>", "LIMIT", "GROUP", "BY", "JOIN",
    "ON", "UNION", "ALL", ";", "INTERVAL", "'5'", "SECOND", "EXTRACT", "YEAR", "TABLE",
    "CREATE", "VIEW", "INSERT", "INTO", "VALUES", "WITH", "--", "\n", "`q`", "ORDER", "DESC",
  };
  for (guint round = 0; round < 5000; round++)
    {
      guint n = (guint) g_test_rand_int_range (1, 25);
      g_autoptr (GString) text = g_string_new (NULL);
      g_autoptr (GError) error = NULL;
      GPtrArray *asts;
      for (guint i = 0; i < n; i++)
        g_string_append_printf (text, "%s ",
                                words[g_test_rand_int_range (0, G_N_ELEMENTS (words))]);
      asts = plan_sql_parse (text->str, &error);
      check_error_or_asts (text->str, asts, error);
    }
}

static void
test_is_complete (void)
{
  g_assert_false (plan_sql_is_complete (""));
  g_assert_false (plan_sql_is_complete ("SELECT 1"));
  g_assert_true (plan_sql_is_complete ("SELECT 1;"));
  g_assert_true (plan_sql_is_complete ("SELECT 1;\nSELECT"));
  g_assert_false (plan_sql_is_complete ("SELECT ';'"));
  g_assert_false (plan_sql_is_complete ("SELECT 'it''s;"));
  g_assert_true (plan_sql_is_complete ("SELECT 'it''s';"));
  g_assert_false (plan_sql_is_complete ("SELECT `a;b`"));
  g_assert_false (plan_sql_is_complete ("SELECT \"a;b\""));
  g_assert_false (plan_sql_is_complete ("SELECT 1 -- done;"));
  g_assert_true (plan_sql_is_complete ("SELECT 1 -- done;\n;"));
  g_assert_false (plan_sql_is_complete ("SELECT /* ; */ 1"));
  g_assert_false (plan_sql_is_complete ("SELECT /* ; 1"));
  g_assert_true (plan_sql_is_complete ("SELECT /* ; */ 1;"));
}

static void
test_format_error (void)
{
  const char *script = "SELECT 1;\n\tSELECT prise FROM bid;";
  g_autoptr (GError) error = g_error_new (PLAN_ERROR, PLAN_ERROR_BIND,
                                          "2:9: Column 'prise' not found");
  g_autoptr (GError) plain = g_error_new (PLAN_ERROR, PLAN_ERROR_BIND, "no position here");
  g_autoptr (GError) parse_error = NULL;
  g_autofree char *text = plan_sql_format_error (script, error);
  g_autofree char *text2 = plan_sql_format_error (script, plain);
  g_autofree char *text3 = NULL;
  guint line = 0, col = 0;

  g_assert_cmpstr (text, ==,
                   "ERROR: Column 'prise' not found\n"
                   "LINE 2: \tSELECT prise FROM bid;\n"
                   "        \t       ^\n");
  g_assert_cmpstr (text2, ==, "ERROR: no position here\n");
  g_assert_true (plan_sql_error_position (error, &line, &col));
  g_assert_cmpuint (line, ==, 2);
  g_assert_cmpuint (col, ==, 9);
  g_assert_false (plan_sql_error_position (plain, NULL, NULL));

  /* an error at the end of the input points just past the last token */
  g_assert_null (plan_sql_parse ("SELECT a\nFROM  ", &parse_error));
  text3 = plan_sql_format_error ("SELECT a\nFROM  ", parse_error);
  g_assert_cmpstr (text3, ==,
                   "ERROR: Expected a table name after FROM, found end of input\n"
                   "LINE 2: FROM  \n"
                   "            ^\n");
}

static void
test_keywords (void)
{
  const char *const *kw = plan_sql_keywords ();
  gboolean select = FALSE, watermark = FALSE;
  guint n = 0;

  for (; kw[n] != NULL; n++)
    {
      select = select || strcmp (kw[n], "SELECT") == 0;
      watermark = watermark || strcmp (kw[n], "WATERMARK") == 0;
      if (n > 0)
        g_assert_cmpint (strcmp (kw[n - 1], kw[n]), <, 0); /* sorted, no duplicates */
    }
  g_assert_true (select && watermark);
  g_assert_cmpuint (n, >, 50);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plans/parser/empty", test_empty);
  g_test_add_func ("/plans/parser/split", test_split);
  g_test_add_func ("/plans/parser/precedence", test_precedence);
  g_test_add_func ("/plans/parser/predicates", test_predicates);
  g_test_add_func ("/plans/parser/literals-and-calls", test_literals_and_calls);
  g_test_add_func ("/plans/parser/select-clauses", test_select_clauses);
  g_test_add_func ("/plans/parser/pipe", test_pipe);
  g_test_add_func ("/plans/parser/ddl", test_ddl);
  g_test_add_func ("/plans/parser/statements", test_statements);
  g_test_add_func ("/plans/parser/error-position", test_errors);
  g_test_add_func ("/plans/parser/error-without-gerror", test_error_without_gerror);
  g_test_add_func ("/plans/parser/deep-nesting", test_deep_nesting);
  g_test_add_func ("/plans/parser/random-bytes", test_random_bytes);
  g_test_add_func ("/plans/parser/token-soup", test_token_soup);
  g_test_add_func ("/plans/parser/is-complete", test_is_complete);
  g_test_add_func ("/plans/parser/format-error", test_format_error);
  g_test_add_func ("/plans/parser/keywords", test_keywords);
  return g_test_run ();
}
