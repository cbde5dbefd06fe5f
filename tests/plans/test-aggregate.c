/* test-aggregate.c: binding of aggregation (plans/plan-sql-bind-agg.c): the PROJECT ->
 * AGGREGATE -> [FILTER] -> PROJECT shape of GROUP BY, HAVING, DISTINCT, global and pipe
 * aggregation, the aggregate calls' payload (function, DISTINCT, argument, FILTER column,
 * result type by Flink's rules) and the errors with their positions. Expected values are
 * worked out by hand from the table below. */
#include "plans/plan-sql.h"
#include "plan-test-util.h"

typedef struct {
  PlanCatalog *catalog;
} Fixture;

/* Columns: 0 auction, 1 bidder, 2 price, 3 url, 4 qty, 5 cost, 6 rate, 7 flag */
static const char *const setup_sql =
  "CREATE TABLE bid (auction BIGINT NOT NULL, bidder BIGINT, price BIGINT, url VARCHAR,\n"
  "  qty INT, cost DECIMAL(10, 2), rate DOUBLE, flag BOOLEAN) WITH ('connector' = 'x');";

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

/* The AGGREGATE under SINK -> PROJECT [-> FILTER]. */
static const PlanNode *
find_aggregate (const PlanStatement *stmt)
{
  const PlanNode *n = stmt->plan;

  while (n->kind != PLAN_NODE_AGGREGATE)
    {
      g_assert_cmpuint (n->n_inputs, ==, 1);
      n = n->inputs[0];
    }
  return n;
}

static void
test_group_by_shape (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt =
    compile_ok (f, "SELECT url, COUNT(*) AS n, SUM(price) AS s FROM bid GROUP BY url");
  const PlanNode *top = stmt->plan->inputs[0], *agg, *lower;
  const PlanAggregate *a;

  g_assert_cmpint (top->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpstr (stmt->plan->schema->fields[0].name, ==, "url");
  g_assert_cmpstr (stmt->plan->schema->fields[1].name, ==, "n");
  g_assert_cmpstr (stmt->plan->schema->fields[2].name, ==, "s");
  agg = top->inputs[0];
  g_assert_cmpint (agg->kind, ==, PLAN_NODE_AGGREGATE);
  a = &agg->u.aggregate;
  g_assert_cmpuint (a->n_keys, ==, 1);
  g_assert_cmpuint (a->keys[0], ==, 0);
  g_assert_cmpuint (a->n_aggs, ==, 2);
  g_assert_cmpint (a->aggs[0].func, ==, PLAN_AGG_COUNT_STAR);
  g_assert_cmpint (a->aggs[0].arg, ==, -1);
  g_assert_cmpint (a->aggs[0].type.kind, ==, PLAN_TYPE_BIGINT);
  g_assert_false (a->aggs[0].type.nullable);
  g_assert_cmpint (a->aggs[1].func, ==, PLAN_AGG_SUM);
  g_assert_cmpint (a->aggs[1].arg, ==, 1);
  g_assert_cmpint (a->aggs[1].filter, ==, -1);
  g_assert_cmpint (a->aggs[1].type.kind, ==, PLAN_TYPE_BIGINT);
  g_assert_true (a->aggs[1].type.nullable);
  g_assert_cmpuint (agg->schema->n_fields, ==, 3);
  /* below: the keys, then the arguments, as bare columns of the scan */
  lower = agg->inputs[0];
  g_assert_cmpint (lower->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpuint (lower->u.project.n_exprs, ==, 2);
  g_assert_cmpuint (lower->u.project.exprs[0]->u.column, ==, 3);
  g_assert_cmpuint (lower->u.project.exprs[1]->u.column, ==, 2);
  g_assert_cmpint (lower->inputs[0]->kind, ==, PLAN_NODE_SCAN);
  /* the select list reads the aggregate's columns in order */
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (top->u.project.exprs[i]->kind, ==, PLAN_EXPR_COLUMN);
      g_assert_cmpuint (top->u.project.exprs[i]->u.column, ==, i);
    }
}

typedef struct {
  const char *call;
  PlanTypeKind kind;
  guint precision, scale;
  gboolean nullable;
} TypeCase;

static const TypeCase type_cases[] = {
  { "COUNT(url)", PLAN_TYPE_BIGINT, 0, 0, FALSE },
  { "COUNT(DISTINCT url)", PLAN_TYPE_BIGINT, 0, 0, FALSE },
  { "SUM(qty)", PLAN_TYPE_BIGINT, 0, 0, TRUE },
  { "SUM(price)", PLAN_TYPE_BIGINT, 0, 0, TRUE },
  { "SUM(cost)", PLAN_TYPE_DECIMAL, 18, 2, TRUE },
  { "SUM(rate)", PLAN_TYPE_DOUBLE, 0, 0, TRUE },
  { "AVG(qty)", PLAN_TYPE_INT, 0, 0, TRUE },       /* Flink: integer AVG stays integer */
  { "AVG(price)", PLAN_TYPE_BIGINT, 0, 0, TRUE },
  { "AVG(cost)", PLAN_TYPE_DECIMAL, 18, 6, TRUE }, /* scale max(6, 2) */
  { "AVG(rate)", PLAN_TYPE_DOUBLE, 0, 0, TRUE },
  { "MIN(url)", PLAN_TYPE_VARCHAR, 0, 0, TRUE },
  { "MAX(auction)", PLAN_TYPE_BIGINT, 0, 0, TRUE },
  { "MAX(cost)", PLAN_TYPE_DECIMAL, 10, 2, TRUE },
};

static void
test_result_types (Fixture *f, gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (type_cases); i++)
    {
      const TypeCase *c = &type_cases[i];
      g_autofree char *sql = g_strdup_printf ("SELECT %s AS x FROM bid", c->call);
      g_autoptr (PlanStatement) stmt = compile_ok (f, sql);
      PlanType t = stmt->plan->schema->fields[0].type;

      g_test_message ("case %s", c->call);
      g_assert_cmpint (t.kind, ==, c->kind);
      g_assert_cmpint (t.nullable, ==, c->nullable);
      if (c->kind == PLAN_TYPE_DECIMAL)
        {
          g_assert_cmpuint (t.precision, ==, c->precision);
          g_assert_cmpuint (t.scale, ==, c->scale);
        }
    }
}

static void
test_distinct_filter_dedup (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt = compile_ok (
    f, "SELECT COUNT(DISTINCT bidder), SUM(price) FILTER (WHERE price > 10), COUNT(*),\n"
       "  COUNT(*) + 1 FROM bid GROUP BY auction");
  const PlanNode *agg = find_aggregate (stmt), *lower = agg->inputs[0];
  const PlanAggregate *a = &agg->u.aggregate;

  /* COUNT(*) is computed once and read twice */
  g_assert_cmpuint (a->n_aggs, ==, 3);
  g_assert_true (a->aggs[0].distinct);
  g_assert_cmpint (a->aggs[0].func, ==, PLAN_AGG_COUNT);
  g_assert_false (a->aggs[1].distinct);
  /* lower: auction, bidder, price, price > 10 */
  g_assert_cmpuint (lower->u.project.n_exprs, ==, 4);
  g_assert_cmpint (a->aggs[0].arg, ==, 1);
  g_assert_cmpint (a->aggs[1].arg, ==, 2);
  g_assert_cmpint (a->aggs[1].filter, ==, 3);
  g_assert_cmpint (lower->schema->fields[3].type.kind, ==, PLAN_TYPE_BOOLEAN);
  g_assert_cmpint (a->aggs[2].func, ==, PLAN_AGG_COUNT_STAR);
  g_assert_cmpuint (stmt->plan->schema->n_fields, ==, 4);
}

static void
test_having (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt =
    compile_ok (f, "SELECT url FROM bid GROUP BY url HAVING COUNT(*) > 2 AND url <> 'a'");
  const PlanNode *top = stmt->plan->inputs[0], *filter = top->inputs[0];

  g_assert_cmpint (filter->kind, ==, PLAN_NODE_FILTER);
  g_assert_cmpint (filter->inputs[0]->kind, ==, PLAN_NODE_AGGREGATE);
  /* HAVING's COUNT(*) is computed though not selected: url, COUNT(*) */
  g_assert_cmpuint (filter->inputs[0]->schema->n_fields, ==, 2);
  g_assert_cmpuint (top->u.project.n_exprs, ==, 1);
}

static void
test_group_by_expression (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt =
    compile_ok (f, "SELECT price + 1 AS p, MAX(url) FROM bid GROUP BY price + 1");
  const PlanNode *top = stmt->plan->inputs[0];

  g_assert_cmpint (top->u.project.exprs[0]->kind, ==, PLAN_EXPR_COLUMN);
  g_assert_cmpuint (top->u.project.exprs[0]->u.column, ==, 0);
  g_assert_cmpint (find_aggregate (stmt)->inputs[0]->u.project.exprs[0]->kind, ==,
                   PLAN_EXPR_CALL);
}

static void
test_select_distinct (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt = compile_ok (f, "SELECT DISTINCT url, qty FROM bid");
  const PlanNode *agg = stmt->plan->inputs[0];

  g_assert_cmpint (agg->kind, ==, PLAN_NODE_AGGREGATE);
  g_assert_cmpuint (agg->u.aggregate.n_keys, ==, 2);
  g_assert_cmpuint (agg->u.aggregate.n_aggs, ==, 0);
  g_assert_cmpint (agg->inputs[0]->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpstr (stmt->plan->schema->fields[1].name, ==, "qty");
}

static void
test_global_and_pipe (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) global = compile_ok (f, "SELECT COUNT(*) AS n FROM bid");
  g_autoptr (PlanStatement) pipe =
    compile_ok (f, "FROM bid |> AGGREGATE COUNT(*) AS n, SUM(qty) AS q GROUP BY url");

  g_assert_cmpuint (find_aggregate (global)->u.aggregate.n_keys, ==, 0);
  g_assert_cmpuint (find_aggregate (global)->u.aggregate.n_aggs, ==, 1);
  /* |> AGGREGATE: the keys come first, then the items */
  g_assert_cmpuint (pipe->plan->schema->n_fields, ==, 3);
  g_assert_cmpstr (pipe->plan->schema->fields[0].name, ==, "url");
  g_assert_cmpstr (pipe->plan->schema->fields[1].name, ==, "n");
  g_assert_cmpstr (pipe->plan->schema->fields[2].name, ==, "q");
}

typedef struct {
  const char *sql;
  PlanErrorCode code;
  const char *message;
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "SELECT url, price FROM bid GROUP BY url", PLAN_ERROR_BIND,
    "1:13: Expression 'price' is neither in GROUP BY nor inside an aggregate; add it to "
    "GROUP BY or aggregate it (for example MAX(price))" },
  { "SELECT url FROM bid WHERE COUNT(*) > 1", PLAN_ERROR_BIND,
    "1:27: Aggregate functions are not allowed in WHERE; filter groups with HAVING instead" },
  { "SELECT SUM(COUNT(*)) FROM bid", PLAN_ERROR_BIND,
    "1:12: Aggregate function calls cannot be nested: COUNT inside SUM" },
  { "SELECT SUM(url) FROM bid", PLAN_ERROR_BIND,
    "1:8: SUM needs a numeric argument, got VARCHAR" },
  { "SELECT COUNT(*) FROM bid GROUP BY COUNT(*)", PLAN_ERROR_BIND,
    "1:35: Aggregate functions are not allowed in GROUP BY" },
  { "SELECT COUNT(*) FILTER (WHERE url) FROM bid", PLAN_ERROR_BIND,
    "1:31: FILTER (WHERE ...) needs a BOOLEAN condition, got VARCHAR" },
  { "FROM bid |> EXTEND COUNT(*) AS n", PLAN_ERROR_BIND,
    "1:20: Aggregate function COUNT is not allowed here; aggregates belong in a SELECT list, "
    "HAVING or |> AGGREGATE" },
  { "SELECT url FROM bid GROUP BY qty HAVING price > 1", PLAN_ERROR_BIND,
    "1:41: Expression 'price' is neither in GROUP BY nor inside an aggregate; add it to "
    "GROUP BY or aggregate it (for example MAX(price))" },
  { "SELECT nope FROM bid GROUP BY url", PLAN_ERROR_BIND,
    "1:8: Column 'nope' not found in table 'bid' (columns: auction, bidder, price, url, qty, "
    "cost, rate, flag)" },
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/plans/aggregate/group-by-shape", test_group_by_shape);
  ADD ("/plans/aggregate/result-types", test_result_types);
  ADD ("/plans/aggregate/distinct-filter-dedup", test_distinct_filter_dedup);
  ADD ("/plans/aggregate/having", test_having);
  ADD ("/plans/aggregate/group-by-expression", test_group_by_expression);
  ADD ("/plans/aggregate/select-distinct", test_select_distinct);
  ADD ("/plans/aggregate/global-and-pipe", test_global_and_pipe);
  ADD ("/plans/aggregate/errors", test_errors);
  return g_test_run ();
}
