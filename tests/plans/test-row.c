/* test-row.c: ROW types by flattening (plans/plan-row.c), a WATERMARK on a computed column
 * over ROW fields, and the typing of the Nexmark functions (plan-sql-bind-func.c).
 * Expected column positions are counted by hand from the DDL below: event_type is 0,
 * person.id 1, person.name 2, person.dateTime 3, bid.price 4, bid.dateTime 5, and the
 * computed ts comes last at 6. */
#include "plan-test-util.h"

#define DDL \
  "CREATE TABLE nx (\n" \
  "  event_type INT,\n" \
  "  person ROW<id BIGINT NULL, name VARCHAR, dateTime TIMESTAMP(3) WITHOUT TIME ZONE>,\n" \
  "  bid ROW(price BIGINT NOT NULL, `dateTime` TIMESTAMP(3)),\n" \
  "  ts AS CASE WHEN event_type = 0 THEN person.dateTime ELSE bid.dateTime END,\n" \
  "  WATERMARK FOR ts AS ts - INTERVAL '4' SECOND\n" \
  ") WITH ('connector' = 'nexmark')"

/* The first PROJECT from the top of stmt's plan. */
static const PlanNode *
top_project (const PlanStatement *stmt)
{
  const PlanNode *n = stmt->plan;

  while (n != NULL && n->kind != PLAN_NODE_PROJECT)
    n = n->n_inputs > 0 ? n->inputs[0] : NULL;
  g_assert_nonnull (n);
  return n;
}

static void
test_flatten (void)
{
  g_autoptr (PlanCatalog) catalog = plan_test_catalog_new (DDL);
  PlanTable *t = plan_catalog_get_table (catalog, "nx");
  static const char *const names[] = { "event_type", "person.id", "person.name",
                                        "person.dateTime", "bid.price", "bid.dateTime" };
  g_autofree char *row = NULL;
  const char *type = NULL;
  gboolean first = FALSE;

  g_assert_cmpuint (t->schema->n_fields, ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpstr (t->schema->fields[i].name, ==, names[i]);
  g_assert_cmpint (t->schema->fields[4].type.kind, ==, PLAN_TYPE_BIGINT);
  g_assert_true (t->schema->fields[4].type.nullable); /* a NULL row has NULL fields */
  g_assert_cmpint (t->schema->fields[5].type.kind, ==, PLAN_TYPE_TIMESTAMP);
  g_assert_false (plan_table_row_column (t, 0, &row, &type, &first));
  g_assert_true (plan_table_row_column (t, 1, &row, &type, &first));
  g_assert_cmpstr (row, ==, "person");
  g_assert_cmpstr (type, ==, "ROW<`id` BIGINT, `name` VARCHAR, `dateTime` TIMESTAMP(3)>");
  g_assert_true (first);
  g_clear_pointer (&row, g_free);
  g_assert_true (plan_table_row_column (t, 5, &row, &type, &first));
  g_assert_cmpstr (row, ==, "bid");
  g_assert_cmpstr (type, ==, "ROW<`price` BIGINT NOT NULL, `dateTime` TIMESTAMP(3)>");
  g_assert_false (first);
}

static void
test_describe (void)
{
  g_autoptr (PlanCatalog) catalog = plan_test_catalog_new (DDL);
  g_autoptr (PlanStatement) stmt = plan_test_compile_ok (catalog, "DESCRIBE nx");
  g_autofree char *row = NULL;
  const char *type = NULL;
  gboolean first = FALSE;

  /* the computed ts is declared last, so it follows the flattened fields */
  g_assert_cmpuint (stmt->table->schema->n_fields, ==, 7);
  g_assert_cmpstr (stmt->table->schema->fields[6].name, ==, "ts");
  g_assert_true (plan_table_row_column (stmt->table, 4, &row, &type, &first));
  g_assert_cmpstr (row, ==, "bid");
  g_assert_true (first);
  g_assert_nonnull (plan_table_get_option (stmt->table, "__watermark.ts"));
}

static void
test_field_access (void)
{
  g_autoptr (PlanCatalog) catalog = plan_test_catalog_new (DDL);
  g_autoptr (PlanStatement) a = plan_test_compile_ok (
    catalog, "SELECT t0.person.id, t.person.name, t.bid.price + 1 AS p FROM nx AS t0, nx t "
    "WHERE t0.event_type = t.event_type");
  g_autoptr (PlanStatement) b = NULL;
  const PlanNode *p = top_project (a);

  g_assert_cmpstr (p->schema->fields[0].name, ==, "id");
  g_assert_cmpstr (p->schema->fields[1].name, ==, "name");
  g_assert_cmpstr (p->schema->fields[2].name, ==, "p");
  g_assert_cmpint (p->schema->fields[0].type.kind, ==, PLAN_TYPE_BIGINT);
  g_assert_cmpint (p->schema->fields[1].type.kind, ==, PLAN_TYPE_VARCHAR);
  /* with one table in FROM the table may be left out */
  b = plan_test_compile_ok (catalog, "SELECT person.id, nx.bid.price FROM nx "
                            "WHERE event_type = 0");
  p = top_project (b);
  g_assert_cmpint (p->u.project.exprs[0]->kind, ==, PLAN_EXPR_COLUMN);
  g_assert_cmpuint (p->u.project.exprs[0]->u.column, ==, 1);
  g_assert_cmpuint (p->u.project.exprs[1]->u.column, ==, 4);
}

static void
test_errors (void)
{
  g_autoptr (PlanCatalog) catalog = plan_test_catalog_new (DDL);

  plan_test_compile_fails_at (catalog, "SELECT person FROM nx", 1, 8,
                              "'person' is a ROW");
  plan_test_compile_fails_at (catalog, "SELECT person.age FROM nx", 1, 8,
                              "Table or alias 'person' not found");
  plan_test_compile_fails_at (catalog, "SELECT bid.price FROM nx a, nx b", 1, 8,
                              "'bid.price' is ambiguous");
  plan_test_compile_fails_at (catalog, "CREATE TABLE r (x ROW<a ROW<b INT>>) "
                              "WITH ('connector' = 'nexmark')", 1, 19,
                              "Nested ROW types inside a ROW are not supported yet");
  plan_test_compile_fails_at (catalog, "CREATE TABLE r (x ROW<a INT, a BIGINT>) "
                              "WITH ('connector' = 'nexmark')", 1, 19,
                              "a field name is used twice");
  plan_test_compile_fails_at (catalog, "CREATE TABLE r (x ROW<a BIGNT>) "
                              "WITH ('connector' = 'nexmark')", 1, 19,
                              "Did you mean 'BIGINT'?");
  plan_test_compile_fails_at (catalog, "CREATE TABLE r (x ROW()) "
                              "WITH ('connector' = 'nexmark')", 1, 19,
                              "a ROW needs at least one field");
  plan_test_compile_fails_at (catalog, "CREATE TABLE r (x ROW<a INT>, `x.a` INT) "
                              "WITH ('connector' = 'nexmark')", 1, 31,
                              "Column 'x.a' is defined twice");
}

/* The computed rowtime over ROW fields is a time attribute for window TVFs. */
static void
test_computed_rowtime (void)
{
  g_autoptr (PlanCatalog) catalog = plan_test_catalog_new (DDL);
  g_autoptr (PlanStatement) stmt = plan_test_compile_ok (
    catalog, "SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE nx, DESCRIPTOR(ts), "
    "INTERVAL '10' SECOND)) GROUP BY window_start, window_end");

  g_assert_nonnull (stmt->plan);
  plan_test_compile_fails_at (catalog, "SELECT * FROM TABLE(TUMBLE(TABLE nx, "
                              "DESCRIPTOR(event_type), INTERVAL '10' SECOND))", 1, 49,
                              "event_type");
}

static PlanExpr *
select_expr (PlanCatalog *catalog, const char *expr, PlanStatement **keep)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM nx", expr);

  *keep = plan_test_compile_ok (catalog, sql);
  return top_project (*keep)->u.project.exprs[0];
}

static void
test_functions (void)
{
  g_autoptr (PlanCatalog) catalog = plan_test_catalog_new (DDL);
  g_autoptr (PlanStatement) s1 = NULL, s2 = NULL, s3 = NULL, s4 = NULL, s5 = NULL;
  PlanExpr *e;

  e = select_expr (catalog, "DATE_FORMAT(ts, 'yyyy-MM-dd')", &s1);
  g_assert_cmpint (e->u.call.func, ==, PLAN_FUNC_DATE_FORMAT);
  g_assert_cmpint (e->type.kind, ==, PLAN_TYPE_VARCHAR);
  e = select_expr (catalog, "SPLIT_INDEX('a/b', '/', 1)", &s2);
  g_assert_cmpint (e->type.kind, ==, PLAN_TYPE_VARCHAR);
  g_assert_true (e->type.nullable); /* out of range gives NULL */
  e = select_expr (catalog, "INSTR(person.name, 'ul')", &s3);
  g_assert_cmpint (e->u.call.func, ==, PLAN_FUNC_POSITION); /* POSITION('ul' IN name) */
  g_assert_cmpint (e->type.kind, ==, PLAN_TYPE_INT);
  g_assert_cmpint (e->u.call.args[0]->kind, ==, PLAN_EXPR_LITERAL);
  g_assert_cmpint (e->u.call.args[1]->kind, ==, PLAN_EXPR_COLUMN);
  e = select_expr (catalog, "REGEXP_EXTRACT(person.name, '(a)(b)', 2)", &s4);
  g_assert_cmpint (e->u.call.n_args, ==, 3);
  e = select_expr (catalog, "DATE_FORMAT('2024-01-02 03:04:05', 'HH')", &s5);
  g_assert_cmpint (e->u.call.args[0]->type.kind, ==, PLAN_TYPE_TIMESTAMP);
  plan_test_compile_fails_at (catalog, "SELECT DATE_FORMAT(event_type, 'yyyy') FROM nx", 1, 20,
                              "DATE_FORMAT needs a TIMESTAMP as argument 1, got INT");
  plan_test_compile_fails_at (catalog, "SELECT SPLIT_INDEX('a', '/', 'x') FROM nx", 1, 30,
                              "SPLIT_INDEX needs an integer as argument 3");
  plan_test_compile_fails_at (catalog, "SELECT REGEXP_EXTRACT('a') FROM nx", 1, 8,
                              "REGEXP_EXTRACT takes 2 to 3 arguments, got 1");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plans/row/flatten", test_flatten);
  g_test_add_func ("/plans/row/describe", test_describe);
  g_test_add_func ("/plans/row/field-access", test_field_access);
  g_test_add_func ("/plans/row/errors", test_errors);
  g_test_add_func ("/plans/row/computed-rowtime", test_computed_rowtime);
  g_test_add_func ("/plans/row/functions", test_functions);
  return g_test_run ();
}
