/* test-join.c: binding of joins (plans/plan-sql-bind-join.c, plans/plan-join.c): join
 * types, equi-keys and residual split from ON, ON conjuncts pushed below the side they
 * read, USING (each column once), comma and CROSS joins, aliases and qualified columns,
 * chains of joins, subqueries in FROM, hints, and the errors with their positions. The
 * expected column numbers are worked out by hand from the tables below. */
#include "plans/plan-sql.h"
#include "plan-test-util.h"

#include <string.h>

typedef struct {
  PlanCatalog *catalog;
} Fixture;

/* a: 0 id, 1 name, 2 v      b: 0 id, 1 a_id, 2 w      c: 0 id, 1 b_id, 2 big */
static const char *const setup_sql =
  "CREATE TABLE a (id INT NOT NULL, name VARCHAR, v BIGINT) WITH ('connector' = 'x');\n"
  "CREATE TABLE b (id INT, a_id INT, w BIGINT) WITH ('connector' = 'x');\n"
  "CREATE TABLE c (id INT, b_id INT, big BIGINT) WITH ('connector' = 'x');";

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

static void
compile_fails (Fixture *f, const char *sql, guint line, guint col, const char *needle)
{
  plan_test_compile_fails_at (f->catalog, sql, line, col, needle);
}

/* The first JOIN below the root, walking single-input nodes. */
static const PlanNode *
find_join (const PlanNode *n)
{
  while (n->kind != PLAN_NODE_JOIN)
    {
      g_assert_cmpuint (n->n_inputs, ==, 1);
      n = n->inputs[0];
    }
  return n;
}

static void
test_inner_keys (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt =
    compile_ok (f, "SELECT * FROM a JOIN b ON a.id = b.a_id");
  const PlanNode *j = find_join (stmt->plan);

  g_assert_cmpint (j->u.join.type, ==, PLAN_JOIN_INNER);
  g_assert_cmpuint (j->u.join.n_keys, ==, 1);
  g_assert_cmpuint (j->u.join.left_keys[0], ==, 0);  /* a.id */
  g_assert_cmpuint (j->u.join.right_keys[0], ==, 1); /* b.a_id */
  g_assert_null (j->u.join.residual);
  g_assert_cmpuint (j->schema->n_fields, ==, 6);
  g_assert_cmpstr (j->schema->fields[3].name, ==, "id");
  g_assert_cmpint (j->inputs[0]->kind, ==, PLAN_NODE_SCAN);
  g_assert_cmpint (j->inputs[1]->kind, ==, PLAN_NODE_SCAN);
  /* SELECT * keeps both id columns */
  g_assert_cmpuint (stmt->plan->schema->n_fields, ==, 6);
}

static void
test_residual_and_pushed_on (Fixture *f, gconstpointer data)
{
  /* b.w > 5 reads the right side only: below the right input of the inner join; a.v < b.w
   * reads both sides: residual over the output columns (a.v = 2, b.w = 5). */
  g_autoptr (PlanStatement) stmt =
    compile_ok (f, "SELECT a.name FROM a INNER JOIN b ON b.a_id = a.id AND a.v < b.w "
                   "AND b.w > 5");
  const PlanNode *j = find_join (stmt->plan);
  const PlanExpr *r = j->u.join.residual;

  g_assert_cmpuint (j->u.join.n_keys, ==, 1);
  g_assert_cmpuint (j->u.join.left_keys[0], ==, 0);
  g_assert_cmpuint (j->u.join.right_keys[0], ==, 1);
  g_assert_nonnull (r);
  g_assert_cmpint (r->u.call.func, ==, PLAN_FUNC_LT);
  g_assert_cmpuint (r->u.call.args[0]->u.column, ==, 2);
  g_assert_cmpuint (r->u.call.args[1]->u.column, ==, 5);
  g_assert_cmpint (j->inputs[1]->kind, ==, PLAN_NODE_FILTER);
  /* on the right input, b.w is column 2 */
  g_assert_cmpuint (j->inputs[1]->u.filter.condition->u.call.args[0]->u.column, ==, 2);
  g_assert_cmpint (j->inputs[0]->kind, ==, PLAN_NODE_SCAN);
}

static void
test_expression_keys (Fixture *f, gconstpointer data)
{
  /* a.v BIGINT = b.id INT: b.id is cast to BIGINT, so the key is an expression: it becomes
   * a computed column appended to each side (a: column 3, b: column 3), and a PROJECT
   * above drops them again. a.id = b.a_id stays a plain key (0 = 1); a.v < b.w + 1 stays
   * residual, over the wider output: a.v is 2, b.w moves from 5 to 6. */
  g_autoptr (PlanStatement) stmt =
    compile_ok (f, "SELECT * FROM a JOIN b ON a.v = b.id AND a.id = b.a_id AND a.v < b.w + 1");
  const PlanNode *top = stmt->plan->inputs[0], *j = find_join (stmt->plan);
  const PlanExpr *r = j->u.join.residual;

  g_assert_cmpint (top->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpuint (top->schema->n_fields, ==, 6);
  g_assert_cmpuint (top->u.project.exprs[3]->u.column, ==, 4); /* b.id */
  g_assert_cmpuint (j->u.join.n_keys, ==, 2);
  g_assert_cmpuint (j->u.join.left_keys[0], ==, 3);
  g_assert_cmpuint (j->u.join.right_keys[0], ==, 3);
  g_assert_cmpuint (j->u.join.left_keys[1], ==, 0);
  g_assert_cmpuint (j->u.join.right_keys[1], ==, 1);
  g_assert_cmpint (j->inputs[1]->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpint (j->inputs[1]->u.project.exprs[3]->u.call.func, ==, PLAN_FUNC_CAST);
  g_assert_nonnull (r);
  g_assert_cmpuint (r->u.call.args[0]->u.column, ==, 2);
  g_assert_cmpint (r->u.call.args[1]->kind, ==, PLAN_EXPR_CALL);
}

static void
test_left_join_keeps_preserved_filter (Fixture *f, gconstpointer data)
{
  /* LEFT JOIN: a.v > 1 is on the preserved side, so it must stay in the join (residual);
   * b.w > 1 filters the NULL-filled side and may go below it. */
  g_autoptr (PlanStatement) stmt =
    compile_ok (f, "SELECT * FROM a LEFT OUTER JOIN b ON a.id = b.a_id AND a.v > 1 AND b.w > 1");
  const PlanNode *j = find_join (stmt->plan);

  g_assert_cmpint (j->u.join.type, ==, PLAN_JOIN_LEFT);
  g_assert_nonnull (j->u.join.residual);
  g_assert_cmpint (j->u.join.residual->u.call.func, ==, PLAN_FUNC_GT);
  g_assert_cmpuint (j->u.join.residual->u.call.args[0]->u.column, ==, 2);
  g_assert_cmpint (j->inputs[0]->kind, ==, PLAN_NODE_SCAN);
  g_assert_cmpint (j->inputs[1]->kind, ==, PLAN_NODE_FILTER);
  /* the right side's columns become nullable; the left keeps a.id NOT NULL */
  g_assert_false (j->schema->fields[0].type.nullable);
  g_assert_true (j->schema->fields[3].type.nullable);
}

static void
test_right_full_nullability (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) r = compile_ok (f, "SELECT * FROM a RIGHT JOIN b ON a.id = b.a_id");
  g_autoptr (PlanStatement) fl = compile_ok (f, "SELECT * FROM a FULL OUTER JOIN b ON a.id = b.id");

  g_assert_cmpint (find_join (r->plan)->u.join.type, ==, PLAN_JOIN_RIGHT);
  g_assert_true (find_join (r->plan)->schema->fields[0].type.nullable);
  g_assert_cmpint (find_join (fl->plan)->u.join.type, ==, PLAN_JOIN_FULL);
  g_assert_true (find_join (fl->plan)->schema->fields[0].type.nullable);
  g_assert_cmpuint (find_join (fl->plan)->u.join.right_keys[0], ==, 0);
}

static void
test_using (Fixture *f, gconstpointer data)
{
  /* USING (id): a's columns, then b's without id: id, name, v, a_id, w */
  g_autoptr (PlanStatement) stmt = compile_ok (f, "SELECT * FROM a JOIN b USING (id)");
  const PlanNode *top = stmt->plan->inputs[0];
  const PlanNode *j = find_join (stmt->plan);

  g_assert_cmpuint (stmt->plan->schema->n_fields, ==, 5);
  g_assert_cmpstr (stmt->plan->schema->fields[0].name, ==, "id");
  g_assert_cmpstr (stmt->plan->schema->fields[3].name, ==, "a_id");
  g_assert_cmpint (top->kind, ==, PLAN_NODE_PROJECT);
  g_assert_cmpuint (j->u.join.n_keys, ==, 1);
  g_assert_cmpuint (j->u.join.left_keys[0], ==, 0);
  g_assert_cmpuint (j->u.join.right_keys[0], ==, 0);
  /* a bare id is no longer ambiguous */
  {
    g_autoptr (PlanStatement) s2 = compile_ok (f, "SELECT id, w FROM a JOIN b USING (id)");
    g_assert_cmpuint (s2->plan->schema->n_fields, ==, 2);
  }
}

static void
test_using_full_coalesces (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt = compile_ok (f, "SELECT id FROM b FULL JOIN c USING (id)");
  const PlanNode *n = stmt->plan;

  /* SINK -> PROJECT(id) -> PROJECT(COALESCE(b.id, c.id), ...) -> JOIN */
  while (n->kind != PLAN_NODE_PROJECT || n->inputs[0]->kind != PLAN_NODE_JOIN)
    n = n->inputs[0];
  g_assert_cmpint (n->u.project.exprs[0]->kind, ==, PLAN_EXPR_CALL);
  g_assert_cmpint (n->u.project.exprs[0]->u.call.func, ==, PLAN_FUNC_COALESCE);
}

static void
test_comma_and_cross (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) comma = compile_ok (f, "SELECT a.id FROM a, b WHERE a.id = b.a_id");
  g_autoptr (PlanStatement) cross = compile_ok (f, "SELECT * FROM a CROSS JOIN b");
  const PlanNode *j = find_join (comma->plan);

  /* the WHERE stays a FILTER above the join until the optimizer pushes it */
  g_assert_cmpuint (j->u.join.n_keys, ==, 0);
  g_assert_null (j->u.join.residual);
  g_assert_cmpuint (find_join (cross->plan)->u.join.n_keys, ==, 0);
  g_assert_cmpuint (cross->plan->schema->n_fields, ==, 6);
}

static void
test_aliases_chain_subquery (Fixture *f, gconstpointer data)
{
  /* (x JOIN y) JOIN z: the outer join's left is the inner join (6 columns), so z.b_id = y.id
   * is a key on left column 3 and right column 1. */
  g_autoptr (PlanStatement) stmt =
    compile_ok (f, "SELECT x.name, z.big FROM a AS x JOIN b y ON x.id = y.a_id "
                   "LEFT JOIN (SELECT id, b_id, big FROM c WHERE big > 0) AS z ON z.b_id = y.id");
  const PlanNode *outer = find_join (stmt->plan);

  g_assert_cmpint (outer->u.join.type, ==, PLAN_JOIN_LEFT);
  g_assert_cmpuint (outer->u.join.left_keys[0], ==, 3);
  g_assert_cmpuint (outer->u.join.right_keys[0], ==, 1);
  g_assert_cmpint (outer->inputs[0]->kind, ==, PLAN_NODE_JOIN);
  g_assert_cmpuint (outer->schema->n_fields, ==, 9);
  g_assert_cmpuint (stmt->plan->schema->n_fields, ==, 2);
}

static void
test_pipe_join (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) stmt = compile_ok (f, "FROM a |> JOIN b ON a.id = b.a_id |> "
                                                  "SELECT a.name, b.w");
  const PlanNode *j = find_join (stmt->plan);

  g_assert_cmpuint (j->u.join.n_keys, ==, 1);
  g_assert_cmpuint (stmt->plan->schema->n_fields, ==, 2);
}

static void
test_hints (Fixture *f, gconstpointer data)
{
  g_autoptr (PlanStatement) bc =
    compile_ok (f, "SELECT /*+ BROADCAST(b) */ * FROM a JOIN b ON a.id = b.a_id");
  g_autoptr (PlanStatement) sh =
    compile_ok (f, "SELECT /*+ SHUFFLE_HASH(x) */ * FROM a x JOIN b ON x.id = b.a_id");
  g_autoptr (PlanStatement) none = compile_ok (f, "SELECT * FROM a JOIN b ON a.id = b.a_id");
  /* the table's name works as well as its alias */
  g_autoptr (PlanStatement) named =
    compile_ok (f, "SELECT /*+ BROADCAST(a) */ * FROM a x JOIN b y ON x.id = y.a_id");

  g_assert_cmpint (find_join (bc->plan)->u.join.hint, ==, PLAN_JOIN_HINT_BROADCAST);
  g_assert_cmpuint (find_join (bc->plan)->u.join.hint_side, ==, 1);
  g_assert_cmpint (find_join (sh->plan)->u.join.hint, ==, PLAN_JOIN_HINT_SHUFFLE_HASH);
  g_assert_cmpuint (find_join (sh->plan)->u.join.hint_side, ==, 0);
  g_assert_cmpint (find_join (none->plan)->u.join.hint, ==, PLAN_JOIN_HINT_NONE);
  g_assert_cmpint (find_join (named->plan)->u.join.hint, ==, PLAN_JOIN_HINT_BROADCAST);
  g_assert_cmpuint (find_join (named->plan)->u.join.hint_side, ==, 0);
}

static void
test_errors (Fixture *f, gconstpointer data)
{
  /* "id" is on both sides: the error points at the bare reference (line 2, column 8) */
  compile_fails (f, "SELECT name,\n       id FROM a JOIN b ON a.id = b.a_id", 2, 8,
                 "Column 'id' is ambiguous");
  compile_fails (f, "SELECT * FROM a JOIN b ON id = a_id", 1, 27, "Column 'id' is ambiguous");
  compile_fails (f, "SELECT * FROM a JOIN b ON a.id = q.a_id", 1, 34, "q");
  compile_fails (f, "SELECT * FROM a JOIN b USING (name)", 1, 31,
                 "Column 'name' in USING is not a column of the right side");
  compile_fails (f, "SELECT * FROM a JOIN b ON a.v", 1, 27, "ON needs a BOOLEAN condition");
  compile_fails (f, "SELECT * FROM a JOIN nope ON TRUE", 1, 22, "Table 'nope' not found");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/plans/join/inner-keys", test_inner_keys);
  ADD ("/plans/join/residual-and-pushed-on", test_residual_and_pushed_on);
  ADD ("/plans/join/expression-keys", test_expression_keys);
  ADD ("/plans/join/left-keeps-preserved-filter", test_left_join_keeps_preserved_filter);
  ADD ("/plans/join/right-full-nullability", test_right_full_nullability);
  ADD ("/plans/join/using", test_using);
  ADD ("/plans/join/using-full-coalesces", test_using_full_coalesces);
  ADD ("/plans/join/comma-and-cross", test_comma_and_cross);
  ADD ("/plans/join/aliases-chain-subquery", test_aliases_chain_subquery);
  ADD ("/plans/join/pipe", test_pipe_join);
  ADD ("/plans/join/hints", test_hints);
  ADD ("/plans/join/errors", test_errors);
#undef ADD
  return g_test_run ();
}
