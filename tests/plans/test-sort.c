/* test-sort.c: binding of ORDER BY (plans/plan-sql-bind-sort.c): keys by output column,
 * alias, ordinal and expression; ASC/DESC with Flink's NULL placement (ASC NULLS FIRST,
 * DESC NULLS LAST) unless written; LIMIT after ORDER BY folded into a Top-N; and the
 * errors with their line:column. Expected values are worked out by hand from the table. */
#include "plans/plan-sql.h"
#include "plan-test-util.h"

typedef struct {
  PlanCatalog *catalog;
} Fixture;

/* Columns: 0 auction, 1 bidder, 2 price, 3 url */
static const char *const setup_sql =
  "CREATE TABLE bid (auction BIGINT NOT NULL, bidder BIGINT, price BIGINT, url VARCHAR)\n"
  "  WITH ('connector' = 'x');";

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

/* The first SORT below the root, following first inputs. */
static const PlanNode *
find_sort (const PlanStatement *stmt)
{
  const PlanNode *n = stmt->plan;

  while (n->kind != PLAN_NODE_SORT)
    {
      g_assert_cmpuint (n->n_inputs, >=, 1);
      n = n->inputs[0];
    }
  return n;
}

static void
assert_key (const PlanSort *s, guint k, guint col, gboolean desc, gboolean nulls_first)
{
  g_assert_cmpuint (k, <, s->n_keys);
  g_assert_cmpuint (s->keys[k], ==, col);
  g_assert_cmpint (s->descending[k], ==, desc);
  g_assert_cmpint (s->nulls_first[k], ==, nulls_first);
}

static void
test_columns_and_defaults (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt =
    compile_ok (f, "SELECT url, price FROM bid ORDER BY price DESC, url");
  const PlanNode *sort = stmt->plan->inputs[0];

  g_assert_cmpint (sort->kind, ==, PLAN_NODE_SORT);
  g_assert_cmpint (sort->inputs[0]->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpuint (sort->schema->n_fields, ==, 2);
  g_assert_cmpuint (sort->u.sort.n_keys, ==, 2);
  assert_key (&sort->u.sort, 0, 1, TRUE, FALSE);  /* DESC: NULLS LAST */
  assert_key (&sort->u.sort, 1, 0, FALSE, TRUE);  /* ASC: NULLS FIRST */
  g_assert_cmpint (sort->u.sort.limit, ==, -1);
  g_assert_cmpuint (sort->span.line, ==, 1);
  g_assert_cmpuint (sort->span.col, ==, 28);
}

static void
test_ordinals_and_nulls (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt =
    compile_ok (f, "SELECT url, price FROM bid ORDER BY 2 NULLS FIRST, 1 DESC NULLS FIRST, "
                "2 DESC NULLS LAST, 1 ASC NULLS LAST");
  const PlanSort *s = &find_sort (stmt)->u.sort;

  g_assert_cmpuint (s->n_keys, ==, 4);
  assert_key (s, 0, 1, FALSE, TRUE);
  assert_key (s, 1, 0, TRUE, TRUE);
  assert_key (s, 2, 1, TRUE, FALSE);
  assert_key (s, 3, 0, FALSE, FALSE);
}

static void
test_alias_and_star (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) a = compile_ok (f, "SELECT price * 2 AS p2, url FROM bid ORDER BY p2");
  g_autoptr (PlanStatement) b = compile_ok (f, "SELECT * FROM bid ORDER BY url DESC");
  const PlanNode *sb = find_sort (b);

  assert_key (&find_sort (a)->u.sort, 0, 0, FALSE, TRUE);
  assert_key (&sb->u.sort, 0, 3, TRUE, FALSE);
  g_assert_cmpint (sb->inputs[0]->kind, ==, PLAN_NODE_SCAN);
  g_assert_cmpuint (sb->schema->n_fields, ==, 4);
}

/* ORDER BY price + 1: PROJECT (url, price, price + 1) -> SORT on column 2 -> PROJECT back
 * to (url, price). */
static void
test_expression_key (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt =
    compile_ok (f, "SELECT url, price FROM bid ORDER BY price + 1 DESC");
  const PlanNode *top = stmt->plan->inputs[0], *sort, *below;

  g_assert_cmpint (top->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpuint (top->schema->n_fields, ==, 2);
  g_assert_cmpstr (top->schema->fields[0].name, ==, "url");
  g_assert_cmpstr (top->schema->fields[1].name, ==, "price");
  sort = top->inputs[0];
  g_assert_cmpint (sort->kind, ==, PLAN_NODE_SORT);
  g_assert_cmpuint (sort->schema->n_fields, ==, 3);
  assert_key (&sort->u.sort, 0, 2, TRUE, FALSE);
  below = sort->inputs[0];
  g_assert_cmpint (below->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpuint (below->u.project.n_exprs, ==, 3);
  g_assert_cmpint (below->u.project.exprs[2]->kind, ==, PLAN_EXPR_CALL);
  g_assert_cmpint (below->schema->fields[2].type.kind, ==, PLAN_TYPE_BIGINT);
}

static void
test_top_n (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) a =
    compile_ok (f, "SELECT url FROM bid ORDER BY url LIMIT 5 OFFSET 2");
  g_autoptr (PlanStatement) b = compile_ok (f, "FROM bid |> ORDER BY price |> LIMIT 3");
  g_autoptr (PlanStatement) c = compile_ok (f, "SELECT url FROM bid LIMIT 4");
  g_autoptr (PlanStatement) d =
    compile_ok (f, "SELECT url, COUNT(*) AS n FROM bid GROUP BY url ORDER BY n DESC LIMIT 3");
  g_autoptr (PlanStatement) e =
    compile_ok (f, "SELECT url FROM bid ORDER BY CHAR_LENGTH(url) LIMIT 2");
  const PlanNode *n;

  /* the LIMIT moves into the SORT: no LIMIT node is left */
  n = a->plan->inputs[0];
  g_assert_cmpint (n->kind, ==, PLAN_NODE_SORT);
  g_assert_cmpint (n->u.sort.limit, ==, 5);
  g_assert_cmpint (n->u.sort.offset, ==, 2);
  n = b->plan->inputs[0];
  g_assert_cmpint (n->kind, ==, PLAN_NODE_SORT);
  g_assert_cmpint (n->u.sort.limit, ==, 3);
  g_assert_cmpint (n->u.sort.offset, ==, 0);
  assert_key (&n->u.sort, 0, 2, FALSE, TRUE);
  /* no ORDER BY: a plain LIMIT */
  g_assert_cmpint (c->plan->inputs[0]->kind, ==, PLAN_NODE_LIMIT);
  /* after GROUP BY, by the alias of an aggregate */
  n = d->plan->inputs[0];
  g_assert_cmpint (n->kind, ==, PLAN_NODE_SORT);
  assert_key (&n->u.sort, 0, 1, TRUE, FALSE);
  g_assert_cmpint (n->u.sort.limit, ==, 3);
  /* an expression key: PROJECT -> SORT (with the limit) -> PROJECT */
  n = e->plan->inputs[0];
  g_assert_cmpint (n->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpint (n->inputs[0]->kind, ==, PLAN_NODE_SORT);
  g_assert_cmpint (n->inputs[0]->u.sort.limit, ==, 2);
}

typedef struct {
  const char *sql;
  PlanErrorCode code;
  const char *message;
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "SELECT url FROM bid ORDER BY 3", PLAN_ERROR_BIND,
    "1:30: ORDER BY position 3 is out of range: the query has 1 column; write a position "
    "from 1 to 1 or a column name" },
  { "SELECT url, price\nFROM bid\nORDER BY price, 0", PLAN_ERROR_BIND,
    "3:17: ORDER BY position 0 is out of range: the query has 2 columns; write a position "
    "from 1 to 2 or a column name" },
  { "SELECT url\nFROM bid\nORDER BY nope", PLAN_ERROR_BIND,
    "3:10: Column 'nope' not found in the input (columns: url). ORDER BY can use only "
    "columns of the select list for now: add it there" },
  { "SELECT url FROM bid ORDER BY NULL", PLAN_ERROR_BIND,
    "1:30: ORDER BY NULL orders nothing; remove it or write an expression that depends on "
    "the row" },
  { "SELECT url FROM bid ORDER BY url NULLS", PLAN_ERROR_SYNTAX, NULL },
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
      if (error_cases[i].message != NULL)
        g_assert_cmpstr (error->message, ==, error_cases[i].message);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/plans/sort/columns-and-defaults", test_columns_and_defaults);
  ADD ("/plans/sort/ordinals-and-nulls", test_ordinals_and_nulls);
  ADD ("/plans/sort/alias-and-star", test_alias_and_star);
  ADD ("/plans/sort/expression-key", test_expression_key);
  ADD ("/plans/sort/top-n", test_top_n);
  ADD ("/plans/sort/errors", test_errors);
  return g_test_run ();
}
