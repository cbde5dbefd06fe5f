/* plan-json.c: physical plans to and from JSON, and the plan printers: EXPLAIN text for
 * logical and physical plans and Graphviz DOT for physical plans.
 *
 * The JSON form is how a plan travels to a remote `strom serve` and how the GUI and tests
 * look at it, so it is self-contained (tables carry their schema, options and DDL) and
 * exact (every type, literal and span is written, and reading it back prints the same
 * text). Reading treats the text as hostile: nesting is bounded before json-glib sees
 * it, every field is type- and range-checked (column indices, keys, input ids, arities),
 * and every error names the JSON path of the offending field, so the engine never runs a
 * plan that could make it read out of bounds.
 *
 * The printers follow Flink's EXPLAIN: one operator per line, children below with ":- "
 * and "+- " branches, properties in brackets; physical lines add parallelism and chaining
 * and show non-forward edges as Exchange lines. */
#include "plan-json.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define MAX_JSON_NESTING 512
#define MAX_EXPR_DEPTH 200
#define MAX_NODES 4096
#define MAX_FIELDS 10000
#define MAX_PARALLELISM 32768
#define MAX_VALUES_SHOWN 10

/* ---- writing -------------------------------------------------------------------------- */

static void
write_span (JsonBuilder *b, PlanSpan span)
{
  if (span.start == 0 && span.end == 0 && span.line == 0 && span.col == 0)
    return;
  json_builder_set_member_name (b, "span");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "start");
  json_builder_add_int_value (b, span.start);
  json_builder_set_member_name (b, "end");
  json_builder_add_int_value (b, span.end);
  json_builder_set_member_name (b, "line");
  json_builder_add_int_value (b, span.line);
  json_builder_set_member_name (b, "col");
  json_builder_add_int_value (b, span.col);
  json_builder_end_object (b);
}

static void
write_type (JsonBuilder *b, PlanType type)
{
  g_autofree char *text = plan_type_to_string (type, TRUE);

  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, text);
}

/* The JSON scalar of a literal: numbers as numbers, DECIMAL as exact text, NULL as null. */
static void
write_value_scalar (JsonBuilder *b, const PlanValue *v)
{
  char buf[64];

  if (v->is_null)
    {
      json_builder_add_null_value (b);
      return;
    }
  switch (v->type.kind)
    {
    case PLAN_TYPE_BOOLEAN:
      json_builder_add_boolean_value (b, v->v.b);
      break;
    case PLAN_TYPE_DOUBLE:
      if (isfinite (v->v.d))
        json_builder_add_double_value (b, v->v.d);
      else
        json_builder_add_string_value (b, isnan (v->v.d) ? "NaN"
                                          : v->v.d > 0 ? "Infinity" : "-Infinity");
      break;
    case PLAN_TYPE_DECIMAL:
      plan_format_decimal (v->v.i, v->type.scale, buf, sizeof buf);
      json_builder_add_string_value (b, buf);
      break;
    case PLAN_TYPE_VARCHAR:
      json_builder_add_string_value (b, v->v.s ? v->v.s : "");
      break;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      json_builder_add_int_value (b, v->v.i);
      break;
    case PLAN_TYPE_NULL:
    default:
      json_builder_add_null_value (b);
      break;
    }
}

static void
write_literal_object (JsonBuilder *b, const PlanValue *v, PlanSpan span)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "literal");
  write_value_scalar (b, v);
  write_type (b, v->type);
  write_span (b, span);
  json_builder_end_object (b);
}

static void
write_expr (JsonBuilder *b, const PlanExpr *e)
{
  if (e->kind == PLAN_EXPR_LITERAL)
    {
      /* The expression's type is the literal's: plan_expr_literal copies it. */
      PlanValue v = e->u.literal;

      v.type = e->type;
      write_literal_object (b, &v, e->span);
      return;
    }
  json_builder_begin_object (b);
  if (e->kind == PLAN_EXPR_COLUMN)
    {
      json_builder_set_member_name (b, "column");
      json_builder_add_int_value (b, e->u.column);
      write_type (b, e->type);
    }
  else
    {
      json_builder_set_member_name (b, "call");
      json_builder_add_string_value (b, plan_func_name (e->u.call.func));
      write_type (b, e->type);
      json_builder_set_member_name (b, "args");
      json_builder_begin_array (b);
      for (guint i = 0; i < e->u.call.n_args; i++)
        write_expr (b, e->u.call.args[i]);
      json_builder_end_array (b);
    }
  write_span (b, e->span);
  json_builder_end_object (b);
}

static void
write_optional_expr (JsonBuilder *b, const char *member, const PlanExpr *e)
{
  json_builder_set_member_name (b, member);
  if (e)
    write_expr (b, e);
  else
    json_builder_add_null_value (b);
}

static void
write_schema (JsonBuilder *b, const PlanSchema *schema)
{
  json_builder_set_member_name (b, "schema");
  json_builder_begin_array (b);
  for (guint i = 0; schema && i < schema->n_fields; i++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, schema->fields[i].name ? schema->fields[i].name : "");
      write_type (b, schema->fields[i].type);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
write_uint_array (JsonBuilder *b, const char *member, const guint *v, guint n)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    json_builder_add_int_value (b, v[i]);
  json_builder_end_array (b);
}

static void
write_table (JsonBuilder *b, const PlanTable *t)
{
  json_builder_set_member_name (b, "table");
  if (t == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, t->name ? t->name : "");
  write_schema (b, t->schema);
  json_builder_set_member_name (b, "options");
  json_builder_begin_object (b);
  for (guint i = 0; t->options && i + 1 < t->options->len; i += 2)
    {
      json_builder_set_member_name (b, g_ptr_array_index (t->options, i));
      json_builder_add_string_value (b, g_ptr_array_index (t->options, i + 1));
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "ddl");
  if (t->ddl)
    json_builder_add_string_value (b, t->ddl);
  else
    json_builder_add_null_value (b);
  write_span (b, t->span);
  json_builder_end_object (b);
}

static void
write_inputs (JsonBuilder *b, const PlanPhysNode *n)
{
  json_builder_set_member_name (b, "inputs");
  json_builder_begin_array (b);
  for (guint i = 0; i < n->n_inputs; i++)
    {
      const PlanPhysInput *in = &n->inputs[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "node");
      json_builder_add_int_value (b, in->node->id);
      json_builder_set_member_name (b, "exchange");
      json_builder_add_string_value (b, plan_exchange_name (in->exchange));
      write_uint_array (b, "keys", in->keys, in->n_keys);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
write_kind_fields (JsonBuilder *b, const PlanPhysNode *n)
{
  switch (n->kind)
    {
    case PLAN_PHYS_SOURCE:
      write_table (b, n->u.source.table);
      write_uint_array (b, "columns", n->u.source.columns, n->u.source.n_columns);
      write_optional_expr (b, "filter", n->u.source.filter);
      break;
    case PLAN_PHYS_VALUES:
      {
        guint width = n->schema ? n->schema->n_fields : 0;

        json_builder_set_member_name (b, "values");
        json_builder_begin_array (b);
        for (guint r = 0; r < n->u.values.n_rows; r++)
          {
            json_builder_begin_array (b);
            for (guint c = 0; c < width; c++)
              write_literal_object (b, &n->u.values.values[r * width + c],
                                    (PlanSpan) { 0 });
            json_builder_end_array (b);
          }
        json_builder_end_array (b);
      }
      break;
    case PLAN_PHYS_CALC:
      write_optional_expr (b, "filter", n->u.calc.filter);
      json_builder_set_member_name (b, "exprs");
      json_builder_begin_array (b);
      for (guint i = 0; i < n->u.calc.n_exprs; i++)
        write_expr (b, n->u.calc.exprs[i]);
      json_builder_end_array (b);
      break;
    case PLAN_PHYS_LIMIT:
      json_builder_set_member_name (b, "limit");
      json_builder_add_int_value (b, n->u.limit.limit);
      json_builder_set_member_name (b, "offset");
      json_builder_add_int_value (b, n->u.limit.offset);
      break;
    case PLAN_PHYS_SINK:
      json_builder_set_member_name (b, "sink");
      json_builder_add_string_value (b, plan_sink_kind_name (n->u.sink.sink));
      write_table (b, n->u.sink.table);
      break;
    default:
      break;
    }
}

static void
write_node (JsonBuilder *b, const PlanPhysNode *n)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, n->id);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, plan_phys_kind_name (n->kind));
  json_builder_set_member_name (b, "parallelism");
  json_builder_add_int_value (b, n->parallelism);
  json_builder_set_member_name (b, "chained");
  json_builder_add_boolean_value (b, n->chained);
  json_builder_set_member_name (b, "est_rows");
  json_builder_add_double_value (b, isfinite (n->est_rows) && n->est_rows >= 0
                                    ? n->est_rows : -1.0);
  write_span (b, n->span);
  write_schema (b, n->schema);
  write_inputs (b, n);
  write_kind_fields (b, n);
  json_builder_end_object (b);
}

static char *
builder_to_string (JsonBuilder *b, gboolean pretty)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);

  json_generator_set_pretty (gen, pretty);
  json_generator_set_indent (gen, 2);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

char *
plan_phys_to_json (const PlanPhysPlan *plan, gboolean pretty)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (plan != NULL, NULL);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "nodes");
  json_builder_begin_array (b);
  for (guint i = 0; i < plan->nodes->len; i++)
    write_node (b, g_ptr_array_index (plan->nodes, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "root");
  json_builder_add_int_value (b, plan->root->id);
  json_builder_end_object (b);
  return builder_to_string (b, pretty);
}

char *
plan_expr_to_json_string (const PlanExpr *expr)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (expr != NULL, NULL);
  write_expr (b, expr);
  return builder_to_string (b, FALSE);
}

/* ---- reading: checked accessors ------------------------------------------------------- */

static gboolean json_fail (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
json_fail (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (PLAN_ERROR, PLAN_ERROR_JSON, format, args));
  va_end (args);
  return FALSE;
}

#define JSON_FAIL json_fail
/* The same, for functions returning a pointer. */
#define JSON_FAIL_NULL(...) (json_fail (__VA_ARGS__), NULL)

static const char *
json_kind_name (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return "null";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "an array";
  switch (json_node_get_value_type (node) == G_TYPE_STRING ? 0
          : json_node_get_value_type (node) == G_TYPE_BOOLEAN ? 1 : 2)
    {
    case 0: return "a string";
    case 1: return "a boolean";
    default: return "a number";
    }
}

static JsonNode *
member (JsonObject *obj, const char *name)
{
  return json_object_has_member (obj, name) ? json_object_get_member (obj, name) : NULL;
}

static gboolean
want_object (JsonNode *node, const char *path, JsonObject **out, GError **error)
{
  if (node == NULL)
    return JSON_FAIL (error, "%s: missing (expected an object)", path);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return JSON_FAIL (error, "%s: expected an object, found %s", path, json_kind_name (node));
  *out = json_node_get_object (node);
  return TRUE;
}

static gboolean
want_array (JsonNode *node, const char *path, guint max, JsonArray **out, GError **error)
{
  if (node == NULL)
    return JSON_FAIL (error, "%s: missing (expected an array)", path);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return JSON_FAIL (error, "%s: expected an array, found %s", path, json_kind_name (node));
  *out = json_node_get_array (node);
  if (json_array_get_length (*out) > max)
    return JSON_FAIL (error, "%s: too many elements (%u, at most %u)", path,
                      json_array_get_length (*out), max);
  return TRUE;
}

static gboolean
want_int (JsonNode *node, const char *path, gint64 min, gint64 max, gint64 *out,
          GError **error)
{
  gint64 v;

  if (node == NULL)
    return JSON_FAIL (error, "%s: missing (expected an integer)", path);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return JSON_FAIL (error, "%s: expected an integer, found %s", path,
                      json_kind_name (node));
  v = json_node_get_int (node);
  if (v < min || v > max)
    return JSON_FAIL (error, "%s: %" G_GINT64_FORMAT " is out of range (%" G_GINT64_FORMAT
                      "..%" G_GINT64_FORMAT ")", path, v, min, max);
  *out = v;
  return TRUE;
}

static gboolean
want_string (JsonNode *node, const char *path, const char **out, GError **error)
{
  if (node == NULL)
    return JSON_FAIL (error, "%s: missing (expected a string)", path);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return JSON_FAIL (error, "%s: expected a string, found %s", path, json_kind_name (node));
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
want_type (JsonObject *obj, const char *path, PlanType *out, GError **error)
{
  g_autofree char *sub = g_strconcat (path, ".type", NULL);
  const char *text;

  if (!want_string (member (obj, "type"), sub, &text, error))
    return FALSE;
  if (!plan_type_from_string (text, out))
    return JSON_FAIL (error, "%s: unknown type '%s'", sub, text);
  return TRUE;
}

static gboolean
read_span (JsonObject *obj, const char *path, PlanSpan *out, GError **error)
{
  static const char *const names[] = { "start", "end", "line", "col" };
  g_autofree char *sub = g_strconcat (path, ".span", NULL);
  JsonObject *span;
  guint *slots[] = { &out->start, &out->end, &out->line, &out->col };

  *out = (PlanSpan) { 0 };
  if (member (obj, "span") == NULL)
    return TRUE;
  if (!want_object (member (obj, "span"), sub, &span, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *p = g_strdup_printf ("%s.%s", sub, names[i]);
      gint64 v;

      if (!want_int (member (span, names[i]), p, 0, G_MAXUINT32, &v, error))
        return FALSE;
      *slots[i] = (guint) v;
    }
  return TRUE;
}

/* ---- reading: literals and expressions ------------------------------------------------ */

static gboolean
read_double (JsonNode *node, const char *path, double *out, GError **error)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);

      if (strcmp (s, "NaN") == 0)
        *out = NAN;
      else if (strcmp (s, "Infinity") == 0)
        *out = INFINITY;
      else if (strcmp (s, "-Infinity") == 0)
        *out = -INFINITY;
      else
        return JSON_FAIL (error, "%s: expected a number, found '%s'", path, s);
      return TRUE;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    *out = json_node_get_double (node);
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    *out = (double) json_node_get_int (node);
  else
    return JSON_FAIL (error, "%s: expected a number, found %s", path, json_kind_name (node));
  return TRUE;
}

static gboolean
read_decimal (JsonNode *node, const char *path, PlanType type, gint64 *out, GError **error)
{
  const char *s;
  guint64 mag, limit = 1;

  if (!want_string (node, path, &s, error))
    return FALSE;
  if (!plan_parse_decimal (s, strlen (s), type.scale, out))
    return JSON_FAIL (error, "%s: '%s' is not a valid DECIMAL(%u, %u)", path, s,
                      type.precision, type.scale);
  for (guint i = 0; i < type.precision; i++)
    limit *= 10;
  mag = *out < 0 ? (guint64) 0 - (guint64) *out : (guint64) *out;
  if (mag >= limit)
    return JSON_FAIL (error, "%s: '%s' has more digits than DECIMAL(%u, %u) allows", path, s,
                      type.precision, type.scale);
  return TRUE;
}

/* Reads the scalar `node` as a value of `type` into *out (which owns any string). */
static gboolean
read_value (JsonNode *node, const char *path, PlanType type, PlanValue *out, GError **error)
{
  gint64 i;
  const char *s;

  *out = (PlanValue) { .type = type };
  if (node == NULL)
    return JSON_FAIL (error, "%s: missing", path);
  if (JSON_NODE_HOLDS_NULL (node))
    {
      out->is_null = TRUE;
      return TRUE;
    }
  switch (type.kind)
    {
    case PLAN_TYPE_NULL:
      return JSON_FAIL (error, "%s: a value of type NULL must be null", path);
    case PLAN_TYPE_BOOLEAN:
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        return JSON_FAIL (error, "%s: expected a boolean, found %s", path,
                          json_kind_name (node));
      out->v.b = json_node_get_boolean (node);
      return TRUE;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_DATE:
      if (!want_int (node, path, G_MININT32, G_MAXINT32, &i, error))
        return FALSE;
      out->v.i = i;
      return TRUE;
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      if (!want_int (node, path, G_MININT64, G_MAXINT64, &i, error))
        return FALSE;
      out->v.i = i;
      return TRUE;
    case PLAN_TYPE_DOUBLE:
      return read_double (node, path, &out->v.d, error);
    case PLAN_TYPE_DECIMAL:
      return read_decimal (node, path, type, &out->v.i, error);
    case PLAN_TYPE_VARCHAR:
      if (!want_string (node, path, &s, error))
        return FALSE;
      out->v.s = g_strdup (s);
      return TRUE;
    default:
      return JSON_FAIL (error, "%s: unsupported type", path);
    }
}

/* Allowed argument counts; G_MAXUINT for "any". */
static void
func_arity (PlanFunc f, guint *min, guint *max)
{
  switch (f)
    {
    case PLAN_FUNC_NEG: case PLAN_FUNC_NOT: case PLAN_FUNC_IS_NULL:
    case PLAN_FUNC_IS_NOT_NULL: case PLAN_FUNC_IS_TRUE: case PLAN_FUNC_IS_FALSE:
    case PLAN_FUNC_CAST: case PLAN_FUNC_UPPER: case PLAN_FUNC_LOWER:
    case PLAN_FUNC_CHAR_LENGTH: case PLAN_FUNC_TRIM: case PLAN_FUNC_LTRIM:
    case PLAN_FUNC_RTRIM: case PLAN_FUNC_ABS: case PLAN_FUNC_FLOOR: case PLAN_FUNC_CEIL:
    case PLAN_FUNC_SQRT: case PLAN_FUNC_LN: case PLAN_FUNC_LOG10: case PLAN_FUNC_EXP:
    case PLAN_FUNC_EXTRACT_YEAR: case PLAN_FUNC_EXTRACT_MONTH: case PLAN_FUNC_EXTRACT_DAY:
    case PLAN_FUNC_EXTRACT_HOUR: case PLAN_FUNC_EXTRACT_MINUTE:
    case PLAN_FUNC_EXTRACT_SECOND:
      *min = *max = 1;
      return;
    case PLAN_FUNC_ADD: case PLAN_FUNC_SUB: case PLAN_FUNC_MUL: case PLAN_FUNC_DIV:
    case PLAN_FUNC_MOD: case PLAN_FUNC_EQ: case PLAN_FUNC_NE: case PLAN_FUNC_LT:
    case PLAN_FUNC_LE: case PLAN_FUNC_GT: case PLAN_FUNC_GE:
    case PLAN_FUNC_IS_DISTINCT_FROM: case PLAN_FUNC_IS_NOT_DISTINCT_FROM:
    case PLAN_FUNC_NULLIF: case PLAN_FUNC_POSITION: case PLAN_FUNC_POWER:
      *min = *max = 2;
      return;
    case PLAN_FUNC_AND: case PLAN_FUNC_OR: case PLAN_FUNC_CONCAT: case PLAN_FUNC_IN:
    case PLAN_FUNC_CASE:
      *min = 2, *max = G_MAXUINT;
      return;
    case PLAN_FUNC_COALESCE:
      *min = 1, *max = G_MAXUINT;
      return;
    case PLAN_FUNC_BETWEEN: case PLAN_FUNC_REPLACE:
      *min = *max = 3;
      return;
    case PLAN_FUNC_LIKE: case PLAN_FUNC_SUBSTRING:
      *min = 2, *max = 3;
      return;
    case PLAN_FUNC_ROUND:
      *min = 1, *max = 2;
      return;
    case PLAN_FUNC_CURRENT_TIMESTAMP:
      *min = *max = 0;
      return;
    case PLAN_FUNC__COUNT:
    default:
      *min = 1, *max = 0;
      return;
    }
}

typedef struct {
  const PlanSchema *input; /* what column references index */
  const char *input_name;  /* "the input", "the source's output" (for messages) */
} ExprScope;

static PlanExpr *read_expr (JsonNode *node, const char *path, guint depth,
                            const ExprScope *scope, GError **error);

static PlanExpr *
read_call (JsonObject *obj, const char *path, PlanType type, PlanSpan span, guint depth,
           const ExprScope *scope, GError **error)
{
  g_autofree char *fpath = g_strconcat (path, ".call", NULL);
  g_autofree char *apath = g_strconcat (path, ".args", NULL);
  const char *name;
  PlanFunc f;
  JsonArray *arr;
  guint n, min, max;
  g_autofree PlanExpr **args = NULL;

  if (!want_string (member (obj, "call"), fpath, &name, error))
    return NULL;
  if (!plan_func_from_name (name, &f))
    return JSON_FAIL_NULL (error, "%s: unknown function '%s'", fpath, name);
  if (!want_array (member (obj, "args"), apath, 10000, &arr, error))
    return NULL;
  n = json_array_get_length (arr);
  func_arity (f, &min, &max);
  if (n < min || n > max)
    return JSON_FAIL_NULL (error, "%s: %s takes %u%s argument(s), found %u", apath, name, min,
                      max == min ? "" : " or more", n);
  args = g_new0 (PlanExpr *, n ? n : 1);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *p = g_strdup_printf ("%s[%u]", apath, i);

      args[i] = read_expr (json_array_get_element (arr, i), p, depth + 1, scope, error);
      if (args[i] == NULL)
        {
          for (guint j = 0; j < i; j++)
            plan_expr_unref (args[j]);
          return NULL;
        }
    }
  return plan_expr_call (f, type, n, args, span);
}

static PlanExpr *
read_expr (JsonNode *node, const char *path, guint depth, const ExprScope *scope,
           GError **error)
{
  JsonObject *obj;
  PlanType type;
  PlanSpan span;
  guint kinds;

  if (depth > MAX_EXPR_DEPTH)
    return JSON_FAIL_NULL (error, "%s: expression nested too deeply (more than %u levels)", path,
                      MAX_EXPR_DEPTH);
  if (!want_object (node, path, &obj, error) || !want_type (obj, path, &type, error)
      || !read_span (obj, path, &span, error))
    return NULL;
  kinds = !!member (obj, "column") + !!member (obj, "literal") + !!member (obj, "call");
  if (kinds != 1)
    return JSON_FAIL_NULL (error, "%s: an expression needs exactly one of \"column\", "
                      "\"literal\" or \"call\"", path);
  if (member (obj, "column"))
    {
      g_autofree char *p = g_strconcat (path, ".column", NULL);
      guint width = scope->input ? scope->input->n_fields : 0;
      gint64 col;

      if (!want_int (member (obj, "column"), p, 0, G_MAXUINT32, &col, error))
        return NULL;
      if ((guint64) col >= width)
        return JSON_FAIL_NULL (error, "%s: column %" G_GINT64_FORMAT " is out of range (%s has %u "
                          "column(s))", p, col, scope->input_name, width);
      if (scope->input->fields[col].type.kind != type.kind)
        return JSON_FAIL_NULL (error, "%s: column %" G_GINT64_FORMAT " is %s in %s, not %s", p,
                          col, plan_type_kind_name (scope->input->fields[col].type.kind),
                          scope->input_name, plan_type_kind_name (type.kind));
      return plan_expr_column ((guint) col, type, span);
    }
  if (member (obj, "literal"))
    {
      g_autofree char *p = g_strconcat (path, ".literal", NULL);
      PlanValue v;

      if (!read_value (member (obj, "literal"), p, type, &v, error))
        return NULL;
      return plan_expr_literal (&v, span);
    }
  return read_call (obj, path, type, span, depth, scope, error);
}

static gboolean
read_optional_expr (JsonObject *obj, const char *name, const char *path,
                    const ExprScope *scope, PlanExpr **out, GError **error)
{
  g_autofree char *p = g_strdup_printf ("%s.%s", path, name);
  JsonNode *node = member (obj, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  *out = read_expr (node, p, 0, scope, error);
  if (*out && (*out)->type.kind != PLAN_TYPE_BOOLEAN)
    {
      plan_expr_unref (*out);
      *out = NULL;
      return JSON_FAIL (error, "%s: a filter must be BOOLEAN", p);
    }
  return *out != NULL;
}

/* ---- reading: schemas, tables ------------------------------------------------------- */

static PlanSchema *
read_schema (JsonNode *node, const char *path, GError **error)
{
  JsonArray *arr;
  g_autoptr (PlanSchema) schema = NULL;

  if (!want_array (node, path, MAX_FIELDS, &arr, error))
    return NULL;
  schema = plan_schema_new (json_array_get_length (arr));
  for (guint i = 0; i < schema->n_fields; i++)
    {
      g_autofree char *p = g_strdup_printf ("%s[%u]", path, i);
      g_autofree char *np = g_strdup_printf ("%s[%u].name", path, i);
      JsonObject *f;
      const char *name;
      PlanType type;

      if (!want_object (json_array_get_element (arr, i), p, &f, error)
          || !want_string (member (f, "name"), np, &name, error)
          || !want_type (f, p, &type, error))
        return NULL;
      plan_schema_set_field (schema, i, name, type);
    }
  return g_steal_pointer (&schema);
}

static gboolean
read_options (JsonObject *tobj, const char *path, PlanTable *table, GError **error)
{
  g_autofree char *p = g_strconcat (path, ".options", NULL);
  JsonObject *opts;
  g_autoptr (GList) names = NULL;

  if (member (tobj, "options") == NULL)
    return TRUE;
  if (!want_object (member (tobj, "options"), p, &opts, error))
    return FALSE;
  names = json_object_get_members (opts);
  for (GList *l = names; l; l = l->next)
    {
      g_autofree char *op = g_strdup_printf ("%s.%s", p, (const char *) l->data);
      const char *value;

      if (!want_string (json_object_get_member (opts, l->data), op, &value, error))
        return FALSE;
      plan_table_add_option (table, l->data, value);
    }
  return TRUE;
}

static gboolean
read_table (JsonObject *obj, const char *path, gboolean required, PlanTable **out,
            GError **error)
{
  g_autofree char *p = g_strconcat (path, ".table", NULL);
  g_autofree char *np = g_strconcat (p, ".name", NULL);
  g_autofree char *sp = g_strconcat (p, ".schema", NULL);
  g_autofree char *dp = g_strconcat (p, ".ddl", NULL);
  JsonNode *node = member (obj, "table"), *ddl;
  JsonObject *tobj;
  const char *name, *ddl_text;
  PlanSchema *schema;
  PlanSpan span;
  g_autoptr (PlanTable) table = NULL;

  *out = NULL;
  if (!required && (node == NULL || JSON_NODE_HOLDS_NULL (node)))
    return TRUE;
  if (!want_object (node, p, &tobj, error) || !want_string (member (tobj, "name"), np, &name,
                                                             error)
      || !read_span (tobj, p, &span, error))
    return FALSE;
  if (name[0] == '\0')
    return JSON_FAIL (error, "%s: a table name cannot be empty", np);
  if ((schema = read_schema (member (tobj, "schema"), sp, error)) == NULL)
    return FALSE;
  table = plan_table_new (name, schema, span);
  if (!read_options (tobj, p, table, error))
    return FALSE;
  ddl = member (tobj, "ddl");
  if (ddl != NULL && !JSON_NODE_HOLDS_NULL (ddl))
    {
      if (!want_string (ddl, dp, &ddl_text, error))
        return FALSE;
      table->ddl = g_strdup (ddl_text);
    }
  *out = g_steal_pointer (&table);
  return TRUE;
}

static guint *
read_uint_array (JsonNode *node, const char *path, guint limit, const char *what,
                 guint *n_out, GError **error)
{
  JsonArray *arr;
  g_autofree guint *v = NULL;

  if (!want_array (node, path, MAX_FIELDS, &arr, error))
    return NULL;
  *n_out = json_array_get_length (arr);
  v = g_new0 (guint, *n_out ? *n_out : 1);
  for (guint i = 0; i < *n_out; i++)
    {
      g_autofree char *p = g_strdup_printf ("%s[%u]", path, i);
      gint64 x;

      if (!want_int (json_array_get_element (arr, i), p, 0, G_MAXUINT32, &x, error))
        return NULL;
      if ((guint64) x >= limit)
        return JSON_FAIL_NULL (error, "%s: column %" G_GINT64_FORMAT " is out of range (%s has %u "
                          "column(s))", p, x, what, limit);
      v[i] = (guint) x;
    }
  return g_steal_pointer (&v);
}

/* ---- reading: nodes ------------------------------------------------------------------- */

typedef struct {
  PlanPhysNode **nodes; /* built so far (owned refs), indexed by id */
  guint n_nodes;        /* how many the JSON lists */
} Reader;

static gboolean
name_lookup (const char *text, const char *(*name_of) (int), int count, int *out)
{
  for (int i = 0; i < count; i++)
    if (strcmp (text, name_of (i)) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

static const char *phys_kind_name_i (int k) { return plan_phys_kind_name ((PlanPhysKind) k); }
static const char *exchange_name_i (int k) { return plan_exchange_name ((PlanExchangeKind) k); }
static const char *sink_name_i (int k) { return plan_sink_kind_name ((PlanSinkKind) k); }

static gboolean
want_enum (JsonNode *node, const char *path, const char *what,
           const char *(*name_of) (int), int count, int *out, GError **error)
{
  const char *text;

  if (!want_string (node, path, &text, error))
    return FALSE;
  if (!name_lookup (text, name_of, count, out))
    {
      g_autoptr (GString) known = g_string_new (NULL);

      for (int i = 0; i < count; i++)
        g_string_append_printf (known, "%s%s", i ? ", " : "", name_of (i));
      return JSON_FAIL (error, "%s: unknown %s '%s' (expected one of %s)", path, what, text,
                        known->str);
    }
  return TRUE;
}

static gboolean
read_one_input (Reader *rd, JsonNode *enode, const char *path, guint index,
                PlanPhysNode *node, GError **error)
{
  g_autofree char *np = g_strconcat (path, ".node", NULL);
  g_autofree char *xp = g_strconcat (path, ".exchange", NULL);
  g_autofree char *kp = g_strconcat (path, ".keys", NULL);
  g_autofree guint *keys = NULL;
  JsonObject *eobj;
  PlanPhysNode *input;
  gint64 id;
  int exchange;
  guint n_keys = 0;

  if (!want_object (enode, path, &eobj, error)
      || !want_int (member (eobj, "node"), np, G_MININT64, G_MAXINT64, &id, error))
    return FALSE;
  if (id < 0 || (guint64) id >= rd->n_nodes)
    return JSON_FAIL (error, "%s: unknown node id %" G_GINT64_FORMAT, np, id);
  if ((guint64) id >= index)
    return JSON_FAIL (error, "%s: node %" G_GINT64_FORMAT " is listed after node %u; inputs "
                      "must come before their consumers", np, id, index);
  input = rd->nodes[id];
  if (!want_enum (member (eobj, "exchange"), xp, "exchange", exchange_name_i,
                  PLAN_EXCHANGE_GATHER + 1, &exchange, error))
    return FALSE;
  if (member (eobj, "keys") != NULL)
    {
      keys = read_uint_array (member (eobj, "keys"), kp, input->schema->n_fields,
                              "the input", &n_keys, error);
      if (keys == NULL)
        return FALSE;
    }
  if (exchange == PLAN_EXCHANGE_HASH && n_keys == 0)
    return JSON_FAIL (error, "%s: a HASH exchange needs at least one key", kp);
  if (exchange == PLAN_EXCHANGE_FORWARD && input->parallelism != node->parallelism)
    return JSON_FAIL (error, "%s: a FORWARD exchange needs equal parallelism on both sides "
                      "(input %u, consumer %u)", xp, input->parallelism, node->parallelism);
  plan_phys_node_add_input (node, plan_phys_node_ref (input), (PlanExchangeKind) exchange,
                            n_keys, keys);
  return TRUE;
}

static gboolean
read_inputs (Reader *rd, JsonObject *obj, const char *path, guint index, PlanPhysNode *node,
             GError **error)
{
  g_autofree char *p = g_strconcat (path, ".inputs", NULL);
  guint want = node->kind == PLAN_PHYS_SOURCE || node->kind == PLAN_PHYS_VALUES ? 0 : 1;
  JsonArray *arr;

  if (!want_array (member (obj, "inputs"), p, 64, &arr, error))
    return FALSE;
  if (json_array_get_length (arr) != want)
    return JSON_FAIL (error, "%s: a %s node takes %u input(s), found %u", p,
                      plan_phys_kind_name (node->kind), want, json_array_get_length (arr));
  for (guint i = 0; i < want; i++)
    {
      g_autofree char *ep = g_strdup_printf ("%s[%u]", p, i);

      if (!read_one_input (rd, json_array_get_element (arr, i), ep, index, node, error))
        return FALSE;
    }
  return TRUE;
}

/* Output column i of node must have the kind `kind` (what produces it). */
static gboolean
check_field_kind (const PlanPhysNode *node, guint i, PlanTypeKind kind, const char *path,
                  GError **error)
{
  if (node->schema->fields[i].type.kind == kind)
    return TRUE;
  return JSON_FAIL (error, "%s: produces %s but the node's schema says column %u is %s", path,
                    plan_type_kind_name (kind), i,
                    plan_type_kind_name (node->schema->fields[i].type.kind));
}

static gboolean
read_source (JsonObject *obj, const char *path, PlanPhysNode *node, GError **error)
{
  g_autofree char *cp = g_strconcat (path, ".columns", NULL);
  ExprScope scope = { node->schema, "the source's output" };
  PlanTable *table;
  guint n;

  if (!read_table (obj, path, TRUE, &table, error))
    return FALSE;
  node->u.source.table = table;
  node->u.source.columns = read_uint_array (member (obj, "columns"), cp,
                                            table->schema->n_fields, "the table", &n, error);
  if (node->u.source.columns == NULL)
    return FALSE;
  node->u.source.n_columns = n;
  if (n != node->schema->n_fields)
    return JSON_FAIL (error, "%s: %u column(s) read but the schema has %u", cp, n,
                      node->schema->n_fields);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *p = g_strdup_printf ("%s[%u]", cp, i);
      PlanTypeKind kind = table->schema->fields[node->u.source.columns[i]].type.kind;

      if (!check_field_kind (node, i, kind, p, error))
        return FALSE;
    }
  return read_optional_expr (obj, "filter", path, &scope, &node->u.source.filter, error);
}

static gboolean
read_values (JsonObject *obj, const char *path, PlanPhysNode *node, GError **error)
{
  g_autofree char *vp = g_strconcat (path, ".values", NULL);
  guint width = node->schema->n_fields, n_rows;
  JsonArray *rows;

  if (!want_array (member (obj, "values"), vp, 100000, &rows, error))
    return FALSE;
  n_rows = json_array_get_length (rows);
  if ((guint64) n_rows * width > 1000000)
    return JSON_FAIL (error, "%s: too many values (%u rows of %u)", vp, n_rows, width);
  node->u.values.values = g_new0 (PlanValue, (gsize) n_rows * width + 1);
  for (guint r = 0; r < n_rows; r++)
    {
      g_autofree char *rp = g_strdup_printf ("%s[%u]", vp, r);
      JsonArray *row;

      if (!want_array (json_array_get_element (rows, r), rp, MAX_FIELDS, &row, error))
        return FALSE;
      if (json_array_get_length (row) != width)
        return JSON_FAIL (error, "%s: %u value(s) but the schema has %u column(s)", rp,
                          json_array_get_length (row), width);
      for (guint c = 0; c < width; c++)
        {
          g_autofree char *p = g_strdup_printf ("%s[%u]", rp, c);
          g_autofree char *lp = g_strconcat (p, ".literal", NULL);
          JsonObject *lit;
          PlanType type;

          if (!want_object (json_array_get_element (row, c), p, &lit, error)
              || !want_type (lit, p, &type, error)
              || !read_value (member (lit, "literal"), lp, type,
                              &node->u.values.values[r * width + c], error))
            return FALSE;
          node->u.values.n_rows = r + 1; /* so a failure frees what was read */
          if (type.kind != PLAN_TYPE_NULL && !check_field_kind (node, c, type.kind, p, error))
            return FALSE;
        }
    }
  node->u.values.n_rows = n_rows;
  return TRUE;
}

static gboolean
read_calc (JsonObject *obj, const char *path, PlanPhysNode *node, GError **error)
{
  g_autofree char *ep = g_strconcat (path, ".exprs", NULL);
  ExprScope scope = { node->inputs[0].node->schema, "the input" };
  JsonArray *arr;
  guint n;

  if (!read_optional_expr (obj, "filter", path, &scope, &node->u.calc.filter, error)
      || !want_array (member (obj, "exprs"), ep, MAX_FIELDS, &arr, error))
    return FALSE;
  n = json_array_get_length (arr);
  if (n != node->schema->n_fields)
    return JSON_FAIL (error, "%s: %u expression(s) but the schema has %u column(s)", ep, n,
                      node->schema->n_fields);
  node->u.calc.exprs = g_new0 (PlanExpr *, n ? n : 1);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *p = g_strdup_printf ("%s[%u]", ep, i);
      PlanExpr *e = read_expr (json_array_get_element (arr, i), p, 0, &scope, error);

      if (e == NULL)
        return FALSE;
      node->u.calc.exprs[node->u.calc.n_exprs++] = e;
      if (!check_field_kind (node, i, e->type.kind, p, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_limit (JsonObject *obj, const char *path, PlanPhysNode *node, GError **error)
{
  g_autofree char *lp = g_strconcat (path, ".limit", NULL);
  g_autofree char *op = g_strconcat (path, ".offset", NULL);
  const PlanSchema *in = node->inputs[0].node->schema;

  if (!want_int (member (obj, "limit"), lp, -1, G_MAXINT64, &node->u.limit.limit, error)
      || !want_int (member (obj, "offset"), op, 0, G_MAXINT64, &node->u.limit.offset, error))
    return FALSE;
  if (in->n_fields != node->schema->n_fields)
    return JSON_FAIL (error, "%s.schema: a LIMIT node has its input's %u column(s), not %u",
                      path, in->n_fields, node->schema->n_fields);
  for (guint i = 0; i < in->n_fields; i++)
    if (!check_field_kind (node, i, in->fields[i].type.kind, path, error))
      return FALSE;
  return TRUE;
}

static gboolean
read_sink (JsonObject *obj, const char *path, PlanPhysNode *node, GError **error)
{
  g_autofree char *sp = g_strconcat (path, ".sink", NULL);
  int sink;

  if (!want_enum (member (obj, "sink"), sp, "sink", sink_name_i, PLAN_SINK_FILESYSTEM + 1,
                  &sink, error))
    return FALSE;
  node->u.sink.sink = (PlanSinkKind) sink;
  return read_table (obj, path, FALSE, &node->u.sink.table, error);
}

static gboolean
read_node_header (JsonObject *obj, const char *path, guint index, PlanPhysKind *kind,
                  gint64 *parallelism, GError **error)
{
  g_autofree char *ip = g_strconcat (path, ".id", NULL);
  g_autofree char *kp = g_strconcat (path, ".kind", NULL);
  g_autofree char *pp = g_strconcat (path, ".parallelism", NULL);
  gint64 id;
  int k;

  if (!want_int (member (obj, "id"), ip, G_MININT64, G_MAXINT64, &id, error))
    return FALSE;
  if (id != index)
    return JSON_FAIL (error, "%s: expected %u (nodes are listed in id order), found %"
                      G_GINT64_FORMAT, ip, index, id);
  if (!want_enum (member (obj, "kind"), kp, "node kind", phys_kind_name_i,
                  PLAN_PHYS_SINK + 1, &k, error)
      || !want_int (member (obj, "parallelism"), pp, 1, MAX_PARALLELISM, parallelism, error))
    return FALSE;
  *kind = (PlanPhysKind) k;
  return TRUE;
}

static gboolean
read_node_flags (JsonObject *obj, const char *path, PlanPhysNode *node, GError **error)
{
  g_autofree char *cp = g_strconcat (path, ".chained", NULL);
  g_autofree char *ep = g_strconcat (path, ".est_rows", NULL);
  JsonNode *chained = member (obj, "chained"), *est = member (obj, "est_rows");

  if (chained != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (chained)
          || json_node_get_value_type (chained) != G_TYPE_BOOLEAN)
        return JSON_FAIL (error, "%s: expected a boolean, found %s", cp,
                          json_kind_name (chained));
      node->chained = json_node_get_boolean (chained);
    }
  if (node->chained && (node->n_inputs == 0
                        || node->inputs[0].exchange != PLAN_EXCHANGE_FORWARD))
    return JSON_FAIL (error, "%s: only a node fed by a FORWARD edge can be chained", cp);
  if (est != NULL && !read_double (est, ep, &node->est_rows, error))
    return FALSE;
  if (!isfinite (node->est_rows) || node->est_rows < 0)
    node->est_rows = -1;
  return TRUE;
}

static PlanPhysNode *
read_node (Reader *rd, JsonNode *jnode, const char *path, guint index, GError **error)
{
  g_autofree char *sp = g_strconcat (path, ".schema", NULL);
  g_autoptr (PlanPhysNode) node = NULL;
  JsonObject *obj;
  PlanPhysKind kind = PLAN_PHYS_SOURCE;
  PlanSpan span;
  PlanSchema *schema;
  gint64 parallelism;
  gboolean ok = FALSE;

  if (!want_object (jnode, path, &obj, error)
      || !read_node_header (obj, path, index, &kind, &parallelism, error)
      || !read_span (obj, path, &span, error)
      || (schema = read_schema (member (obj, "schema"), sp, error)) == NULL)
    return NULL;
  node = plan_phys_node_new (kind, schema, span, (guint) parallelism);
  if (!read_inputs (rd, obj, path, index, node, error)
      || !read_node_flags (obj, path, node, error))
    return NULL;
  switch (kind)
    {
    case PLAN_PHYS_SOURCE: ok = read_source (obj, path, node, error); break;
    case PLAN_PHYS_VALUES: ok = read_values (obj, path, node, error); break;
    case PLAN_PHYS_CALC: ok = read_calc (obj, path, node, error); break;
    case PLAN_PHYS_LIMIT: ok = read_limit (obj, path, node, error); break;
    case PLAN_PHYS_SINK: ok = read_sink (obj, path, node, error); break;
    default: break;
    }
  return ok ? g_steal_pointer (&node) : NULL;
}

/* Rejects nesting deeper than json-glib's recursive parser should be asked to handle. */
static gboolean
check_nesting (const char *json, GError **error)
{
  guint depth = 0, line = 1;
  gboolean in_string = FALSE;

  for (const char *p = json; *p; p++)
    {
      if (*p == '\n')
        line++;
      if (in_string)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '"')
            in_string = FALSE;
        }
      else if (*p == '"')
        in_string = TRUE;
      else if (*p == '{' || *p == '[')
        {
          if (++depth > MAX_JSON_NESTING)
            return JSON_FAIL (error, "line %u: JSON nested more than %u levels deep", line,
                              MAX_JSON_NESTING);
        }
      else if ((*p == '}' || *p == ']') && depth > 0)
        depth--;
    }
  return TRUE;
}

static void
reader_clear (Reader *rd, guint built)
{
  /* Consumers first, so no unref recurses down a chain. */
  while (built > 0)
    plan_phys_node_unref (rd->nodes[--built]);
  g_free (rd->nodes);
}

static PlanPhysPlan *
read_plan (JsonObject *top, GError **error)
{
  Reader rd = { 0 };
  JsonArray *arr;
  PlanPhysPlan *plan = NULL;
  guint built = 0;
  gint64 root;

  if (!want_array (member (top, "nodes"), "nodes", MAX_NODES, &arr, error))
    return NULL;
  rd.n_nodes = json_array_get_length (arr);
  if (rd.n_nodes == 0)
    return JSON_FAIL_NULL (error, "nodes: a plan needs at least one node");
  rd.nodes = g_new0 (PlanPhysNode *, rd.n_nodes);
  for (; built < rd.n_nodes; built++)
    {
      g_autofree char *p = g_strdup_printf ("nodes[%u]", built);

      rd.nodes[built] = read_node (&rd, json_array_get_element (arr, built), p, built, error);
      if (rd.nodes[built] == NULL)
        break;
    }
  if (built == rd.n_nodes
      && want_int (member (top, "root"), "root", 0, rd.n_nodes - 1, &root, error))
    {
      plan = plan_phys_plan_new (plan_phys_node_ref (rd.nodes[root]));
      for (guint i = 0; i < rd.n_nodes && plan->nodes->len != rd.n_nodes; i++)
        if (!g_ptr_array_find (plan->nodes, rd.nodes[i], NULL))
          {
            g_set_error (error, PLAN_ERROR, PLAN_ERROR_JSON, "nodes[%u]: not reachable from "
                         "the root (node %" G_GINT64_FORMAT ")", i, root);
            g_clear_pointer (&plan, plan_phys_plan_unref);
            break;
          }
    }
  reader_clear (&rd, built);
  return plan;
}

PlanPhysPlan *
plan_phys_from_json (const char *json, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local = NULL;
  JsonObject *top;

  if (json == NULL)
    return JSON_FAIL_NULL (error, "no plan JSON given");
  if (!check_nesting (json, error))
    return NULL;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, json, -1, &local))
    return JSON_FAIL_NULL (error, "invalid plan JSON: %s", local->message);
  if (!want_object (json_parser_get_root (parser), "(top level)", &top, error))
    return NULL;
  return read_plan (top, error);
}
