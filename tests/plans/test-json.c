/* test-json.c: physical plan JSON (round trip, exact shape, validation of hostile input),
 * topological numbering, and the EXPLAIN / DOT printers of plan-json.c. */
#include "plans/plan-json.h"

#include <json-glib/json-glib.h>
#include <string.h>

static const PlanSpan no_span = { 0 };

static PlanSpan
span (guint start, guint end)
{
  return (PlanSpan) { start, end, 1, start + 1 };
}

static PlanSchema *
schema_of (guint n, ...)
{
  PlanSchema *s = plan_schema_new (n);
  va_list ap;

  va_start (ap, n);
  for (guint i = 0; i < n; i++)
    {
      const char *name = va_arg (ap, const char *);
      const char *type = va_arg (ap, const char *);
      PlanType t;

      g_assert_true (plan_type_from_string (type, &t));
      plan_schema_set_field (s, i, name, t);
    }
  va_end (ap);
  return s;
}

static PlanType
ty (const char *text)
{
  PlanType t;

  g_assert_true (plan_type_from_string (text, &t));
  return t;
}

static PlanExpr *
col (guint i, const char *type)
{
  return plan_expr_column (i, ty (type), span (i, i + 1));
}

static PlanExpr *
lit (PlanValue v)
{
  return plan_expr_literal (&v, no_span);
}

static PlanExpr *
call (PlanFunc f, const char *type, guint n, ...)
{
  PlanExpr *args[8];
  va_list ap;

  va_start (ap, n);
  for (guint i = 0; i < n; i++)
    args[i] = va_arg (ap, PlanExpr *);
  va_end (ap);
  return plan_expr_call (f, ty (type), n, args, span (20, 30));
}

static PlanTable *
make_bid_table (void)
{
  PlanSchema *s = schema_of (9, "auction", "BIGINT NOT NULL", "price", "DECIMAL(10, 2)",
                             "bidder", "VARCHAR", "ts", "TIMESTAMP(3)", "d", "DATE",
                             "ok", "BOOLEAN", "ratio", "DOUBLE", "dur", "INTERVAL", "n", "INT");
  PlanTable *t = plan_table_new ("bid", s, span (0, 40));

  plan_table_add_option (t, "connector", "nexmark");
  plan_table_add_option (t, "rows-per-second", "1000");
  t->ddl = g_strdup ("CREATE TABLE bid (auction BIGINT NOT NULL, ...) WITH ('connector' = "
                     "'nexmark')");
  return t;
}

static PlanPhysNode *
make_source (void)
{
  PlanPhysNode *n = plan_phys_node_new (PLAN_PHYS_SOURCE,
                                        schema_of (4, "auction", "BIGINT NOT NULL", "price",
                                                   "DECIMAL(10, 2)", "bidder", "VARCHAR",
                                                   "ts", "TIMESTAMP(3)"),
                                        span (50, 60), 2);
  guint cols[] = { 0, 1, 2, 3 };

  n->u.source.table = make_bid_table ();
  n->u.source.n_columns = 4;
  n->u.source.columns = g_memdup2 (cols, sizeof cols);
  n->u.source.filter = call (PLAN_FUNC_GT, "BOOLEAN", 2, col (1, "DECIMAL(10, 2)"),
                             lit ((PlanValue) { .type = ty ("DECIMAL(10, 2) NOT NULL"),
                                                .v.i = 100 }));
  n->est_rows = 1000.5;
  return n;
}

/* Every expression kind and literal type, over the source's four columns. */
static PlanPhysNode *
make_calc (PlanPhysNode *input)
{
  PlanPhysNode *n = plan_phys_node_new (PLAN_PHYS_CALC,
    schema_of (10, "auction", "BIGINT NOT NULL", "up", "VARCHAR", "p", "DOUBLE", "band",
               "VARCHAR", "yr", "BIGINT", "later", "TIMESTAMP(3)", "day", "DATE", "flag",
               "BOOLEAN", "r", "DOUBLE", "k", "INT"), span (0, 100), 2);
  PlanExpr **e = g_new0 (PlanExpr *, 10);

  plan_phys_node_add_input (n, input, PLAN_EXCHANGE_FORWARD, 0, NULL);
  n->chained = TRUE;
  n->u.calc.filter = call (PLAN_FUNC_AND, "BOOLEAN", 2,
    call (PLAN_FUNC_IS_NOT_NULL, "BOOLEAN NOT NULL", 1, col (2, "VARCHAR")),
    call (PLAN_FUNC_NOT, "BOOLEAN", 1,
          call (PLAN_FUNC_LIKE, "BOOLEAN", 2, col (2, "VARCHAR"),
                lit ((PlanValue) { .type = ty ("VARCHAR NOT NULL"),
                                   .v.s = g_strdup ("a\"%'\n") }))));
  e[0] = col (0, "BIGINT NOT NULL");
  e[1] = call (PLAN_FUNC_UPPER, "VARCHAR", 1, col (2, "VARCHAR"));
  e[2] = call (PLAN_FUNC_CAST, "DOUBLE", 1, col (1, "DECIMAL(10, 2)"));
  e[3] = call (PLAN_FUNC_CASE, "VARCHAR", 3,
               call (PLAN_FUNC_GT, "BOOLEAN", 2, col (1, "DECIMAL(10, 2)"),
                     lit ((PlanValue) { .type = ty ("DECIMAL(10, 2) NOT NULL"), .v.i = -1050 })),
               lit ((PlanValue) { .type = ty ("VARCHAR NOT NULL"), .v.s = g_strdup ("hi") }),
               lit ((PlanValue) { .type = ty ("VARCHAR"), .is_null = TRUE }));
  e[4] = call (PLAN_FUNC_EXTRACT_YEAR, "BIGINT", 1, col (3, "TIMESTAMP(3)"));
  e[5] = call (PLAN_FUNC_ADD, "TIMESTAMP(3)", 2, col (3, "TIMESTAMP(3)"),
               lit ((PlanValue) { .type = ty ("INTERVAL NOT NULL"), .v.i = 5000 }));
  e[6] = lit ((PlanValue) { .type = ty ("DATE NOT NULL"), .v.i = -25567 });
  e[7] = lit ((PlanValue) { .type = ty ("BOOLEAN NOT NULL"), .v.b = TRUE });
  e[8] = lit ((PlanValue) { .type = ty ("DOUBLE NOT NULL"), .v.d = 0.1 });
  e[9] = call (PLAN_FUNC_COALESCE, "INT", 2,
               lit ((PlanValue) { .type = ty ("NULL"), .is_null = TRUE }),
               lit ((PlanValue) { .type = ty ("INT NOT NULL"), .v.i = -7 }));
  n->u.calc.n_exprs = 10;
  n->u.calc.exprs = e;
  return n;
}

static PlanPhysNode *
make_limit (PlanPhysNode *input, PlanExchangeKind exchange, guint parallelism, gint64 limit,
            gint64 offset)
{
  PlanPhysNode *n = plan_phys_node_new (PLAN_PHYS_LIMIT, plan_schema_ref (input->schema),
                                        no_span, parallelism);
  guint key = 0;

  plan_phys_node_add_input (n, input, exchange, exchange == PLAN_EXCHANGE_HASH ? 1 : 0, &key);
  n->u.limit.limit = limit;
  n->u.limit.offset = offset;
  return n;
}

/* source -FORWARD-> calc -HASH-> limit -REBALANCE-> calc -BROADCAST-> limit -GATHER-> sink */
static PlanPhysPlan *
make_big_plan (void)
{
  PlanPhysNode *limit1 = make_limit (make_calc (make_source ()), PLAN_EXCHANGE_HASH, 4, 100, 5);
  PlanPhysNode *calc2 = plan_phys_node_new (PLAN_PHYS_CALC,
                                            schema_of (2, "a", "BIGINT NOT NULL", "b",
                                                       "VARCHAR"), span (3, 9), 3);
  PlanPhysNode *limit2, *sink;
  PlanTable *print_t;

  plan_phys_node_add_input (calc2, limit1, PLAN_EXCHANGE_REBALANCE, 0, NULL);
  calc2->u.calc.n_exprs = 2;
  calc2->u.calc.exprs = g_new0 (PlanExpr *, 2);
  calc2->u.calc.exprs[0] = col (0, "BIGINT NOT NULL");
  calc2->u.calc.exprs[1] = col (1, "VARCHAR");
  limit2 = make_limit (calc2, PLAN_EXCHANGE_BROADCAST, 2, -1, 0);
  sink = plan_phys_node_new (PLAN_PHYS_SINK, plan_schema_ref (limit2->schema), no_span, 1);
  plan_phys_node_add_input (sink, limit2, PLAN_EXCHANGE_GATHER, 0, NULL);
  print_t = plan_table_new ("print_t", plan_schema_ref (limit2->schema), no_span);
  plan_table_add_option (print_t, "connector", "print");
  sink->u.sink.sink = PLAN_SINK_PRINT;
  sink->u.sink.table = print_t;
  return plan_phys_plan_new (sink);
}

/* VALUES (two rows, one NULL) -FORWARD, chained-> collect sink. */
static PlanPhysPlan *
make_values_plan (void)
{
  PlanSchema *s = schema_of (3, "x", "INT NOT NULL", "y", "VARCHAR", "z", "DECIMAL(5, 2)");
  PlanPhysNode *v = plan_phys_node_new (PLAN_PHYS_VALUES, s, span (0, 30), 1);
  PlanPhysNode *sink;
  PlanValue *vals = g_new0 (PlanValue, 6);

  for (guint r = 0; r < 2; r++)
    {
      vals[r * 3] = (PlanValue) { .type = ty ("INT NOT NULL"), .v.i = (gint64) r + 1 };
      vals[r * 3 + 1] = (PlanValue) { .type = ty ("VARCHAR"), .is_null = r == 1,
                                      .v.s = r == 1 ? NULL : g_strdup ("ünï") };
      vals[r * 3 + 2] = (PlanValue) { .type = ty ("DECIMAL(5, 2)"), .v.i = r ? -1 : 99999 };
    }
  v->u.values.n_rows = 2;
  v->u.values.values = vals;
  sink = plan_phys_node_new (PLAN_PHYS_SINK, plan_schema_ref (s), no_span, 1);
  plan_phys_node_add_input (sink, v, PLAN_EXCHANGE_FORWARD, 0, NULL);
  sink->chained = TRUE;
  sink->u.sink.sink = PLAN_SINK_COLLECT;
  return plan_phys_plan_new (sink);
}

static void
test_numbering (void)
{
  g_autoptr (PlanPhysPlan) plan = make_big_plan ();
  const PlanPhysKind kinds[] = { PLAN_PHYS_SOURCE, PLAN_PHYS_CALC, PLAN_PHYS_LIMIT,
                                 PLAN_PHYS_CALC, PLAN_PHYS_LIMIT, PLAN_PHYS_SINK };

  g_assert_cmpuint (plan->nodes->len, ==, 6);
  for (guint i = 0; i < 6; i++)
    {
      PlanPhysNode *n = g_ptr_array_index (plan->nodes, i);

      g_assert_cmpuint (n->id, ==, i);
      g_assert_cmpint (n->kind, ==, kinds[i]);
    }
  g_assert_true (plan->root == g_ptr_array_index (plan->nodes, 5));
}

/* A diamond: both inputs of the root read the same source, which is numbered once. */
static void
test_numbering_shared (void)
{
  PlanSchema *s = schema_of (1, "a", "INT");
  PlanPhysNode *src = plan_phys_node_new (PLAN_PHYS_VALUES, s, no_span, 1);
  PlanPhysNode *l1 = make_limit (plan_phys_node_ref (src), PLAN_EXCHANGE_FORWARD, 1, 1, 0);
  PlanPhysNode *l2 = make_limit (src, PLAN_EXCHANGE_FORWARD, 1, 2, 0);
  PlanPhysNode *root = plan_phys_node_new (PLAN_PHYS_SINK, plan_schema_ref (s), no_span, 1);
  g_autoptr (PlanPhysPlan) plan = NULL;
  g_autofree char *text = NULL;

  plan_phys_node_add_input (root, l1, PLAN_EXCHANGE_FORWARD, 0, NULL);
  plan_phys_node_add_input (root, l2, PLAN_EXCHANGE_FORWARD, 0, NULL);
  plan = plan_phys_plan_new (root);
  g_assert_cmpuint (plan->nodes->len, ==, 4);
  g_assert_cmpuint (src->id, ==, 0);
  g_assert_cmpuint (l1->id, ==, 1);
  g_assert_cmpuint (l2->id, ==, 2);
  g_assert_cmpuint (root->id, ==, 3);
  text = plan_phys_explain (plan);
  g_assert_cmpstr (text, ==,
                   "Sink(table=[*collect*], fields=[a]) [parallelism=1]\n"
                   ":- Limit(offset=[0], fetch=[1]) [parallelism=1]\n"
                   ":  +- [0]:Values(tuples=[[]], fields=[a]) [parallelism=1]\n"
                   "+- Limit(offset=[0], fetch=[2]) [parallelism=1]\n"
                   "   +- Reused(reference_id=[0])\n");
}

static void
assert_round_trip (PlanPhysPlan *plan, gboolean pretty)
{
  g_autofree char *first = plan_phys_to_json (plan, pretty);
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanPhysPlan) back = plan_phys_from_json (first, &error);
  g_autofree char *second = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (back);
  second = plan_phys_to_json (back, pretty);
  g_assert_cmpstr (first, ==, second);
  g_assert_cmpuint (back->nodes->len, ==, plan->nodes->len);
}

static void
test_round_trip (void)
{
  g_autoptr (PlanPhysPlan) big = make_big_plan ();
  g_autoptr (PlanPhysPlan) values = make_values_plan ();

  assert_round_trip (big, FALSE);
  assert_round_trip (big, TRUE);
  assert_round_trip (values, FALSE);
  assert_round_trip (values, TRUE);
}

/* The re-read plan is the same structure, not only the same text. */
static void
test_round_trip_structure (void)
{
  g_autoptr (PlanPhysPlan) plan = make_big_plan ();
  g_autofree char *json = plan_phys_to_json (plan, FALSE);
  g_autoptr (PlanPhysPlan) back = plan_phys_from_json (json, NULL);
  PlanPhysNode *a, *b;

  g_assert_nonnull (back);
  a = g_ptr_array_index (plan->nodes, 1);
  b = g_ptr_array_index (back->nodes, 1);
  g_assert_cmpuint (b->u.calc.n_exprs, ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      g_assert_true (plan_expr_equal (a->u.calc.exprs[i], b->u.calc.exprs[i]));
      g_assert_cmpuint (b->u.calc.exprs[i]->span.start, ==, a->u.calc.exprs[i]->span.start);
      g_assert_cmpuint (b->u.calc.exprs[i]->span.col, ==, a->u.calc.exprs[i]->span.col);
    }
  g_assert_true (plan_expr_equal (a->u.calc.filter, b->u.calc.filter));
  g_assert_true (b->chained);
  a = g_ptr_array_index (plan->nodes, 0);
  b = g_ptr_array_index (back->nodes, 0);
  g_assert_cmpstr (b->u.source.table->ddl, ==, a->u.source.table->ddl);
  g_assert_cmpstr (plan_table_get_option (b->u.source.table, "rows-per-second"), ==, "1000");
  g_assert_cmpfloat (b->est_rows, ==, 1000.5);
  g_assert_cmpuint (b->span.start, ==, 50);
  b = g_ptr_array_index (back->nodes, 2);
  g_assert_cmpint (b->inputs[0].exchange, ==, PLAN_EXCHANGE_HASH);
  g_assert_cmpuint (b->inputs[0].n_keys, ==, 1);
  g_assert_cmpint (b->u.limit.limit, ==, 100);
  g_assert_cmpint (b->u.limit.offset, ==, 5);
  g_assert_cmpuint (b->parallelism, ==, 4);
  b = back->root;
  g_assert_cmpint (b->u.sink.sink, ==, PLAN_SINK_PRINT);
  g_assert_cmpint (b->inputs[0].exchange, ==, PLAN_EXCHANGE_GATHER);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr (JsonParser) p = json_parser_new ();

  g_assert_true (json_parser_load_from_data (p, text, -1, NULL));
  return json_node_copy (json_parser_get_root (p));
}

static void
test_json_shape (void)
{
  g_autoptr (PlanPhysPlan) plan = make_big_plan ();
  g_autofree char *json = plan_phys_to_json (plan, FALSE);
  g_autoptr (JsonNode) root = parse_json (json);
  JsonObject *top = json_node_get_object (root), *n2, *in, *n0, *table, *n1, *e0;
  JsonArray *nodes = json_object_get_array_member (top, "nodes");

  g_assert_cmpint (json_object_get_int_member (top, "root"), ==, 5);
  g_assert_cmpuint (json_array_get_length (nodes), ==, 6);
  n0 = json_array_get_object_element (nodes, 0);
  g_assert_cmpstr (json_object_get_string_member (n0, "kind"), ==, "SOURCE");
  g_assert_cmpint (json_object_get_int_member (n0, "parallelism"), ==, 2);
  g_assert_false (json_object_get_boolean_member (n0, "chained"));
  table = json_object_get_object_member (n0, "table");
  g_assert_cmpstr (json_object_get_string_member (table, "name"), ==, "bid");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (table,
                                                                                 "options"),
                                                  "connector"), ==, "nexmark");
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (n0,
                                                                                  "schema"),
                                                    0), "type"), ==, "BIGINT NOT NULL");
  n2 = json_array_get_object_element (nodes, 2);
  in = json_array_get_object_element (json_object_get_array_member (n2, "inputs"), 0);
  g_assert_cmpint (json_object_get_int_member (in, "node"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (in, "exchange"), ==, "HASH");
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (in, "keys"), 0),
                   ==, 0);
  n1 = json_array_get_object_element (nodes, 1);
  e0 = json_array_get_object_element (json_object_get_array_member (n1, "exprs"), 0);
  g_assert_cmpint (json_object_get_int_member (e0, "column"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (e0, "type"), ==, "BIGINT NOT NULL");
}

static void
test_expr_json (void)
{
  PlanExpr *args[2] = {
    plan_expr_column (0, ty ("BIGINT NOT NULL"), no_span),
    lit ((PlanValue) { .type = ty ("BIGINT NOT NULL"), .v.i = 1 }),
  };
  g_autoptr (PlanExpr) e = plan_expr_call (PLAN_FUNC_ADD, ty ("BIGINT NOT NULL"), 2, args,
                                           (PlanSpan) { 7, 12, 1, 8 });
  g_autoptr (PlanExpr) d = lit ((PlanValue) { .type = ty ("DECIMAL(10, 2)"), .v.i = -5 });
  g_autofree char *text = plan_expr_to_json_string (e);
  g_autofree char *dtext = plan_expr_to_json_string (d);

  g_assert_cmpstr (text, ==,
                   "{\"call\":\"ADD\",\"type\":\"BIGINT NOT NULL\",\"args\":["
                   "{\"column\":0,\"type\":\"BIGINT NOT NULL\"},"
                   "{\"literal\":1,\"type\":\"BIGINT NOT NULL\"}],"
                   "\"span\":{\"start\":7,\"end\":12,\"line\":1,\"col\":8}}");
  g_assert_cmpstr (dtext, ==, "{\"literal\":\"-0.05\",\"type\":\"DECIMAL(10, 2)\"}");
}

/* ---- malformed input ------------------------------------------------------------------ */

#define BASE_PLAN \
  "{\"nodes\":[" \
  "{\"id\":0,\"kind\":\"VALUES\",\"parallelism\":1,\"chained\":false," \
  "\"schema\":[{\"name\":\"a\",\"type\":\"INT\"}],\"inputs\":[]," \
  "\"values\":[[{\"literal\":1,\"type\":\"INT\"}]]}," \
  "{\"id\":1,\"kind\":\"CALC\",\"parallelism\":1,\"chained\":false," \
  "\"schema\":[{\"name\":\"b\",\"type\":\"INT\"}]," \
  "\"inputs\":[{\"node\":0,\"exchange\":\"FORWARD\",\"keys\":[]}]," \
  "\"filter\":null,\"exprs\":[EXPR]}," \
  "{\"id\":2,\"kind\":\"SINK\",\"parallelism\":1,\"chained\":false," \
  "\"schema\":[{\"name\":\"b\",\"type\":\"INT\"}]," \
  "\"inputs\":[{\"node\":1,\"exchange\":\"FORWARD\",\"keys\":[]}]," \
  "\"sink\":\"COLLECT\",\"table\":null}],\"root\":2}"

/* BASE_PLAN with EXPR set and `from` replaced by `to` (once). */
static char *
variant (const char *from, const char *to)
{
  g_autoptr (GString) s = g_string_new (BASE_PLAN);

  g_string_replace (s, "EXPR", "{\"column\":0,\"type\":\"INT\"}", 1);
  if (from)
    g_assert_cmpuint (g_string_replace (s, from, to, 1), ==, 1);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
assert_json_error (const char *json, const char *message_prefix)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanPhysPlan) plan = plan_phys_from_json (json, &error);

  g_assert_null (plan);
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_JSON);
  if (!g_str_has_prefix (error->message, message_prefix))
    g_error ("expected an error starting with \"%s\", got \"%s\"", message_prefix,
             error->message);
}

static void
test_base_is_valid (void)
{
  g_autofree char *json = variant (NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanPhysPlan) plan = plan_phys_from_json (json, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (plan->nodes->len, ==, 3);
}

static void
test_malformed (void)
{
  struct { const char *from, *to, *message; } cases[] = {
    { "{\"node\":1,", "{\"node\":7,", "nodes[2].inputs[0].node: unknown node id 7" },
    { "{\"node\":0,", "{\"node\":2,",
      "nodes[1].inputs[0].node: node 2 is listed after node 1" },
    { "{\"node\":1,", "{\"node\":\"1\",", "nodes[2].inputs[0].node: expected an integer" },
    { "\"kind\":\"CALC\"", "\"kind\":\"MERGE_JOIN\"",
      "nodes[1].kind: unknown node kind 'MERGE_JOIN'" },
    { "\"parallelism\":1,\"chained\":false,\"schema\":[{\"name\":\"b\"",
      "\"parallelism\":\"two\",\"chained\":false,\"schema\":[{\"name\":\"b\"",
      "nodes[1].parallelism: expected an integer, found a string" },
    { "\"parallelism\":1,\"chained\":false,\"schema\":[{\"name\":\"a\"",
      "\"parallelism\":0,\"chained\":false,\"schema\":[{\"name\":\"a\"",
      "nodes[0].parallelism: 0 is out of range" },
    { "{\"column\":0,\"type\":\"INT\"}", "{\"column\":5,\"type\":\"INT\"}",
      "nodes[1].exprs[0].column: column 5 is out of range" },
    { "{\"column\":0,\"type\":\"INT\"}", "{\"column\":0,\"type\":\"VARCHAR\"}",
      "nodes[1].exprs[0].column: column 0 is INT in the input, not VARCHAR" },
    { "{\"column\":0,\"type\":\"INT\"}", "{\"column\":0,\"type\":\"WIDGET\"}",
      "nodes[1].exprs[0].type: unknown type 'WIDGET'" },
    { "{\"column\":0,\"type\":\"INT\"}", "{\"call\":\"FROB\",\"type\":\"INT\",\"args\":[]}",
      "nodes[1].exprs[0].call: unknown function 'FROB'" },
    { "{\"column\":0,\"type\":\"INT\"}",
      "{\"call\":\"ADD\",\"type\":\"INT\",\"args\":[{\"column\":0,\"type\":\"INT\"}]}",
      "nodes[1].exprs[0].args: ADD takes 2 argument(s), found 1" },
    { "{\"column\":0,\"type\":\"INT\"}", "{\"literal\":\"x\",\"type\":\"INT\"}",
      "nodes[1].exprs[0].literal: expected an integer, found a string" },
    { "{\"column\":0,\"type\":\"INT\"}", "{\"literal\":3000000000,\"type\":\"INT\"}",
      "nodes[1].exprs[0].literal: 3000000000 is out of range" },
    { "{\"column\":0,\"type\":\"INT\"}", "{\"literal\":\"123.4\",\"type\":\"DECIMAL(3, 1)\"}",
      "nodes[1].exprs[0].literal: '123.4' has more digits than DECIMAL(3, 1) allows" },
    { "{\"column\":0,\"type\":\"INT\"}", "{\"column\":0,\"literal\":1,\"type\":\"INT\"}",
      "nodes[1].exprs[0]: an expression needs exactly one of" },
    { "{\"column\":0,\"type\":\"INT\"}", "[]",
      "nodes[1].exprs[0]: expected an object, found an array" },
    { "\"filter\":null", "\"filter\":{\"column\":0,\"type\":\"INT\"}",
      "nodes[1].filter: a filter must be BOOLEAN" },
    { "\"exprs\":[{\"column\":0,\"type\":\"INT\"}]", "\"exprs\":[]",
      "nodes[1].exprs: 0 expression(s) but the schema has 1 column(s)" },
    { "\"exchange\":\"FORWARD\",\"keys\":[]}],\"filter\"",
      "\"exchange\":\"HASH\",\"keys\":[]}],\"filter\"",
      "nodes[1].inputs[0].keys: a HASH exchange needs at least one key" },
    { "\"exchange\":\"FORWARD\",\"keys\":[]}],\"filter\"",
      "\"exchange\":\"HASH\",\"keys\":[3]}],\"filter\"",
      "nodes[1].inputs[0].keys[0]: column 3 is out of range" },
    { "\"exchange\":\"FORWARD\",\"keys\":[]}],\"filter\"",
      "\"exchange\":\"SIDEWAYS\",\"keys\":[]}],\"filter\"",
      "nodes[1].inputs[0].exchange: unknown exchange 'SIDEWAYS'" },
    { "\"inputs\":[],", "\"inputs\":[{\"node\":0,\"exchange\":\"FORWARD\"}],",
      "nodes[0].inputs: a VALUES node takes 0 input(s), found 1" },
    { "\"id\":1,", "\"id\":4,", "nodes[1].id: expected 1" },
    { "\"root\":2", "\"root\":1", "nodes[2]: not reachable from the root" },
    { "\"root\":2", "\"root\":9", "root: 9 is out of range" },
    { ",\"root\":2", "", "root: missing" },
    { "\"values\":[[{\"literal\":1,\"type\":\"INT\"}]]",
      "\"values\":[[{\"literal\":1,\"type\":\"INT\"},{\"literal\":2,\"type\":\"INT\"}]]",
      "nodes[0].values[0]: 2 value(s) but the schema has 1 column(s)" },
    { "\"values\":[[{\"literal\":1,\"type\":\"INT\"}]]",
      "\"values\":[[{\"literal\":\"a\",\"type\":\"VARCHAR\"}]]",
      "nodes[0].values[0][0]: produces VARCHAR but the node's schema says column 0 is INT" },
    { "\"sink\":\"COLLECT\"", "\"sink\":\"CARRIER_PIGEON\"",
      "nodes[2].sink: unknown sink 'CARRIER_PIGEON'" },
    { "\"table\":null}", "\"table\":{\"name\":\"\",\"schema\":[]}}",
      "nodes[2].table.name: a table name cannot be empty" },
    { "\"chained\":false,\"schema\":[{\"name\":\"a\"",
      "\"chained\":true,\"schema\":[{\"name\":\"a\"",
      "nodes[0].chained: only a node fed by a FORWARD edge can be chained" },
    { "[{\"name\":\"b\",\"type\":\"INT\"}],\"inputs\":[{\"node\":1",
      "[{\"name\":\"b\"}],\"inputs\":[{\"node\":1", "nodes[2].schema[0].type: missing" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = variant (cases[i].from, cases[i].to);

      assert_json_error (json, cases[i].message);
    }
  assert_json_error ("not json", "invalid plan JSON");
  assert_json_error ("", "invalid plan JSON");
  assert_json_error ("[]", "(top level): expected an object, found an array");
  assert_json_error ("{\"nodes\":[]}", "nodes: a plan needs at least one node");
  assert_json_error ("{\"root\":0}", "nodes: missing");
  assert_json_error ("{\"nodes\":{}}", "nodes: expected an array, found an object");
  assert_json_error ("{\"nodes\":[5],\"root\":0}", "nodes[0]: expected an object");
  assert_json_error (NULL, "no plan JSON given");
}

static void
test_hostile_nesting (void)
{
  g_autoptr (GString) deep = g_string_new (NULL);
  g_autoptr (GString) expr = g_string_new ("{\"column\":0,\"type\":\"INT\"}");
  g_autofree char *json = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  assert_json_error (deep->str, "line 1: JSON nested more than");
  /* 250 NEG levels: under the JSON nesting limit, over the expression depth limit. */
  for (guint i = 0; i < 250; i++)
    {
      g_string_prepend (expr, "{\"call\":\"NEG\",\"type\":\"INT\",\"args\":[");
      g_string_append (expr, "]}");
    }
  json = variant ("{\"column\":0,\"type\":\"INT\"}", expr->str);
  assert_json_error (json, "nodes[1].exprs[0].args[0].args[0]");
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (PlanPhysPlan) plan = plan_phys_from_json (json, &error);

    g_assert_nonnull (strstr (error->message, "expression nested too deeply"));
  }
}

/* Every prefix of a valid plan, and every single-byte corruption, is refused cleanly or
 * accepted; none may crash or leak (run under ASan). */
static void
test_truncations (void)
{
  g_autoptr (PlanPhysPlan) plan = make_big_plan ();
  g_autofree char *json = plan_phys_to_json (plan, FALSE);
  gsize len = strlen (json);
  const char junk[] = { '0', '9', '"', '}', ']', 'x', '-', ',' };

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autofree char *prefix = g_strndup (json, cut);
      g_autoptr (GError) error = NULL;
      g_autoptr (PlanPhysPlan) p = plan_phys_from_json (prefix, &error);

      g_assert_null (p);
      g_assert_error (error, PLAN_ERROR, PLAN_ERROR_JSON);
    }
  for (gsize at = 0; at < len; at++)
    {
      g_autofree char *copy = g_strdup (json);
      g_autoptr (GError) error = NULL;
      g_autoptr (PlanPhysPlan) p = NULL;

      copy[at] = junk[at % G_N_ELEMENTS (junk)];
      p = plan_phys_from_json (copy, &error);
      g_assert_true ((p == NULL) == (error != NULL));
      if (p)
        {
          g_autofree char *again = plan_phys_to_json (p, FALSE);

          g_assert_nonnull (again);
        }
    }
}

/* A 4000-node chain: numbering, JSON both ways, EXPLAIN and freeing never recurse
 * per node deeply enough to matter, and ids stay in chain order. */
static void
test_long_chain (void)
{
  PlanSchema *s = schema_of (1, "a", "INT");
  PlanPhysNode *n = plan_phys_node_new (PLAN_PHYS_VALUES, s, no_span, 1);
  g_autoptr (PlanPhysPlan) plan = NULL;
  g_autoptr (PlanPhysPlan) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *again = NULL;
  g_autofree char *text = NULL;

  for (guint i = 1; i < 4000; i++)
    n = make_limit (n, PLAN_EXCHANGE_FORWARD, 1, i, 0);
  plan = plan_phys_plan_new (n);
  g_assert_cmpuint (plan->nodes->len, ==, 4000);
  g_assert_cmpuint (plan->root->id, ==, 3999);
  g_assert_cmpint (((PlanPhysNode *) g_ptr_array_index (plan->nodes, 7))->u.limit.limit, ==, 7);
  json = plan_phys_to_json (plan, FALSE);
  back = plan_phys_from_json (json, &error);
  g_assert_no_error (error);
  again = plan_phys_to_json (back, FALSE);
  g_assert_cmpstr (json, ==, again);
  text = plan_phys_explain (back);
  g_assert_true (g_str_has_prefix (text, "Limit(offset=[0], fetch=[3999]) [parallelism=1]\n"));
}

/* ---- printers ------------------------------------------------------------------------- */

static PlanNode *
logical_example (void)
{
  PlanTable *bid = plan_table_new ("bid", schema_of (3, "a", "BIGINT", "b", "VARCHAR", "c",
                                                     "INT"), no_span);
  PlanNode *scan = plan_node_new (PLAN_NODE_SCAN, plan_schema_ref (bid->schema), no_span, 0,
                                  NULL);
  PlanNode *filter, *project, *sink;
  PlanTable *print_t;

  scan->u.scan.table = bid;
  scan->u.scan.n_columns = 3;
  scan->u.scan.columns = g_new0 (guint, 3);
  for (guint i = 0; i < 3; i++)
    scan->u.scan.columns[i] = i;
  filter = plan_node_new (PLAN_NODE_FILTER, plan_schema_ref (scan->schema), no_span, 1, &scan);
  filter->u.filter.condition = call (PLAN_FUNC_GT, "BOOLEAN", 2, col (0, "BIGINT"),
                                     lit ((PlanValue) { .type = ty ("BIGINT"), .v.i = 10 }));
  project = plan_node_new (PLAN_NODE_PROJECT, schema_of (2, "a", "BIGINT", "d", "BIGINT"),
                           no_span, 1, &filter);
  project->u.project.n_exprs = 2;
  project->u.project.exprs = g_new0 (PlanExpr *, 2);
  project->u.project.exprs[0] = col (0, "BIGINT");
  project->u.project.exprs[1] = call (PLAN_FUNC_ADD, "BIGINT", 2, col (0, "BIGINT"),
                                      lit ((PlanValue) { .type = ty ("BIGINT"), .v.i = 1 }));
  sink = plan_node_new (PLAN_NODE_SINK, plan_schema_ref (project->schema), no_span, 1,
                        &project);
  print_t = plan_table_new ("print_t", plan_schema_ref (project->schema), no_span);
  sink->u.sink.table = print_t;
  return sink;
}

static void
test_logical_explain (void)
{
  g_autoptr (PlanNode) root = logical_example ();
  g_autofree char *text = plan_node_explain (root);
  PlanNode *limit_input = plan_node_ref (root);
  g_autoptr (PlanNode) limit = plan_node_new (PLAN_NODE_LIMIT, plan_schema_ref (root->schema),
                                              no_span, 1, &limit_input);
  g_autofree char *ltext = NULL;

  g_assert_cmpstr (text, ==,
                   "Sink(table=[print_t], fields=[a, d])\n"
                   "+- Project(select=[a, a + 1 AS d])\n"
                   "   +- Filter(condition=[a > 10])\n"
                   "      +- TableSourceScan(table=[[bid]], fields=[a, b, c])\n");
  g_assert_cmpint (limit->u.limit.limit, ==, 0); /* plan_node_new zero-fills the union */
  limit->u.limit.limit = 10;
  ltext = plan_node_explain (limit);
  g_assert_true (g_str_has_prefix (ltext, "Limit(offset=[0], fetch=[10])\n+- Sink("));
}

static PlanPhysPlan *
phys_example (PlanExchangeKind top_exchange)
{
  PlanTable *bid = plan_table_new ("bid", schema_of (3, "a", "BIGINT", "b", "VARCHAR", "c",
                                                     "INT"), no_span);
  PlanPhysNode *src = plan_phys_node_new (PLAN_PHYS_SOURCE, plan_schema_ref (bid->schema),
                                          no_span, 2);
  PlanPhysNode *calc = plan_phys_node_new (PLAN_PHYS_CALC, schema_of (2, "a", "BIGINT", "b",
                                                                     "VARCHAR"), no_span, 2);
  PlanPhysNode *sink = plan_phys_node_new (PLAN_PHYS_SINK, plan_schema_ref (calc->schema),
                                           no_span, 1);
  guint key = 1;

  src->u.source.table = bid;
  src->u.source.n_columns = 3;
  src->u.source.columns = g_new0 (guint, 3);
  for (guint i = 0; i < 3; i++)
    src->u.source.columns[i] = i;
  plan_phys_node_add_input (calc, src, PLAN_EXCHANGE_FORWARD, 0, NULL);
  calc->chained = TRUE;
  calc->u.calc.filter = call (PLAN_FUNC_GT, "BOOLEAN", 2, col (0, "BIGINT"),
                              lit ((PlanValue) { .type = ty ("BIGINT"), .v.i = 10 }));
  calc->u.calc.n_exprs = 2;
  calc->u.calc.exprs = g_new0 (PlanExpr *, 2);
  calc->u.calc.exprs[0] = col (0, "BIGINT");
  calc->u.calc.exprs[1] = col (1, "VARCHAR");
  plan_phys_node_add_input (sink, calc, top_exchange, 1, &key);
  sink->u.sink.sink = PLAN_SINK_PRINT;
  sink->u.sink.table = plan_table_new ("print_t", plan_schema_ref (calc->schema), no_span);
  return plan_phys_plan_new (sink);
}

static void
test_phys_explain (void)
{
  g_autoptr (PlanPhysPlan) gather = phys_example (PLAN_EXCHANGE_GATHER);
  g_autoptr (PlanPhysPlan) hash = phys_example (PLAN_EXCHANGE_HASH);
  g_autofree char *text = plan_phys_explain (gather);
  g_autofree char *htext = plan_phys_explain (hash);

  g_assert_cmpstr (text, ==,
                   "Sink(table=[print_t], fields=[a, b]) [parallelism=1]\n"
                   "+- Exchange(distribution=[single])\n"
                   "   +- Calc(select=[a, b], where=[a > 10]) [parallelism=2, chained]\n"
                   "      +- TableSourceScan(table=[[bid]], fields=[a, b, c]) "
                   "[parallelism=2]\n");
  g_assert_nonnull (strstr (htext, "+- Exchange(distribution=[hash[b]])\n"));
}

static void
test_dot (void)
{
  g_autoptr (PlanPhysPlan) plan = phys_example (PLAN_EXCHANGE_HASH);
  g_autofree char *dot = NULL;
  PlanPhysNode *sink = plan->root;
  guint open = 0, close = 0, quotes = 0;

  g_free (sink->u.sink.table->name);
  sink->u.sink.table->name = g_strdup ("we\"ird\\name");
  dot = plan_phys_to_dot (plan);
  g_assert_true (g_str_has_prefix (dot, "digraph plan {\n"));
  g_assert_true (g_str_has_suffix (dot, "}\n"));
  g_assert_nonnull (strstr (dot, "  n0 [label=\"#0 SOURCE\\nTableSourceScan(table=[[bid]], "
                                 "fields=[a, b, c])\\nparallelism=2\"];\n"));
  g_assert_nonnull (strstr (dot, "  n0 -> n1 [label=\"FORWARD (chained)\", style=bold];\n"));
  g_assert_nonnull (strstr (dot, "  n1 -> n2 [label=\"HASH hash[b]\"];\n"));
  g_assert_nonnull (strstr (dot, "we\\\"ird\\\\name"));
  for (const char *p = dot; *p; p++)
    {
      open += *p == '[';
      close += *p == ']';
      if (*p == '\\')
        p++;
      else if (*p == '"')
        quotes++;
    }
  g_assert_cmpuint (open, ==, close);
  g_assert_cmpuint (quotes % 2, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plans/json/numbering", test_numbering);
  g_test_add_func ("/plans/json/numbering-shared", test_numbering_shared);
  g_test_add_func ("/plans/json/round-trip", test_round_trip);
  g_test_add_func ("/plans/json/round-trip-structure", test_round_trip_structure);
  g_test_add_func ("/plans/json/shape", test_json_shape);
  g_test_add_func ("/plans/json/expr", test_expr_json);
  g_test_add_func ("/plans/json/base-valid", test_base_is_valid);
  g_test_add_func ("/plans/json/malformed", test_malformed);
  g_test_add_func ("/plans/json/hostile-nesting", test_hostile_nesting);
  g_test_add_func ("/plans/json/truncations", test_truncations);
  g_test_add_func ("/plans/json/long-chain", test_long_chain);
  g_test_add_func ("/plans/explain/logical", test_logical_explain);
  g_test_add_func ("/plans/explain/physical", test_phys_explain);
  g_test_add_func ("/plans/explain/dot", test_dot);
  return g_test_run ();
}
