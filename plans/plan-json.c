/* plan-json.c: physical plans from JSON (writing them is in plan-json-write.c; the
 * printers for EXPLAIN and DOT are in plan-explain.c).
 *
 * The JSON form is how a plan travels to a remote `strom serve` and how the GUI and tests
 * look at it, so it is self-contained (tables carry their schema, options and DDL) and
 * exact (every type, literal and span is written, and reading it back prints the same
 * text). Reading treats the text as hostile: nesting is bounded before json-glib sees
 * it, every field is type- and range-checked (column indices, keys, input ids, arities),
 * and every error names the JSON path of the offending field, so the engine never runs a
 * plan that could make it read out of bounds. */
#include "plan-json.h"
#include "plan-json-private.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define MAX_JSON_NESTING 512
#define MAX_EXPR_DEPTH 200
#define MAX_NODES 4096
#define MAX_FIELDS 10000
#define MAX_PARALLELISM 32768

/* ---- reading: checked accessors ------------------------------------------------------- */

/* Every reader gets the JSON path of its parent plus, when it reads a member, the member's
 * name; the two are joined only when an error is reported. */
static gboolean fail_at (GError **error, const char *path, const char *name,
                         const char *format, ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail_at (GError **error, const char *path, const char *name, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, PLAN_ERROR, PLAN_ERROR_JSON, "%s%s%s: %s", path, name ? "." : "",
               name ? name : "", message);
  return FALSE;
}

/* The same, for functions returning a pointer. */
#define FAIL_NULL(...) (fail_at (__VA_ARGS__), NULL)

static const char *
json_kind_name (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return "null";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "an array";
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return "a string";
  return json_node_get_value_type (node) == G_TYPE_BOOLEAN ? "a boolean" : "a number";
}

static JsonNode *
member (JsonObject *obj, const char *name)
{
  return json_object_has_member (obj, name) ? json_object_get_member (obj, name) : NULL;
}

static gboolean
holds (JsonNode *node, GType type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
want_object (JsonNode *node, const char *path, const char *name, JsonObject **out,
             GError **error)
{
  if (node == NULL)
    return fail_at (error, path, name, "missing (expected an object)");
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail_at (error, path, name, "expected an object, found %s", json_kind_name (node));
  *out = json_node_get_object (node);
  return TRUE;
}

static gboolean
want_array (JsonNode *node, const char *path, const char *name, guint max, JsonArray **out,
            GError **error)
{
  if (node == NULL)
    return fail_at (error, path, name, "missing (expected an array)");
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail_at (error, path, name, "expected an array, found %s", json_kind_name (node));
  *out = json_node_get_array (node);
  if (json_array_get_length (*out) > max)
    return fail_at (error, path, name, "too many elements (%u, at most %u)",
                    json_array_get_length (*out), max);
  return TRUE;
}

static gboolean
want_int (JsonNode *node, const char *path, const char *name, gint64 min, gint64 max,
          gint64 *out, GError **error)
{
  if (node == NULL)
    return fail_at (error, path, name, "missing (expected an integer)");
  if (!holds (node, G_TYPE_INT64))
    return fail_at (error, path, name, "expected an integer, found %s", json_kind_name (node));
  *out = json_node_get_int (node);
  if (*out < min || *out > max)
    return fail_at (error, path, name, "%" G_GINT64_FORMAT " is out of range (%"
                    G_GINT64_FORMAT "..%" G_GINT64_FORMAT ")", *out, min, max);
  return TRUE;
}

static gboolean
want_string (JsonNode *node, const char *path, const char *name, const char **out,
             GError **error)
{
  if (node == NULL)
    return fail_at (error, path, name, "missing (expected a string)");
  if (!holds (node, G_TYPE_STRING))
    return fail_at (error, path, name, "expected a string, found %s", json_kind_name (node));
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
want_type (JsonObject *obj, const char *path, PlanType *out, GError **error)
{
  const char *text;

  if (!want_string (member (obj, "type"), path, "type", &text, error))
    return FALSE;
  if (!plan_type_from_string (text, out))
    return fail_at (error, path, "type", "unknown type '%s'", text);
  return TRUE;
}

static gboolean
want_enum (JsonNode *node, const char *path, const char *name,
           const char *(*name_of) (int), int count, int *out, GError **error)
{
  g_autoptr (GString) known = g_string_new (NULL);
  const char *text;

  if (!want_string (node, path, name, &text, error))
    return FALSE;
  for (*out = 0; *out < count; (*out)++)
    if (strcmp (text, name_of (*out)) == 0)
      return TRUE;
  for (int i = 0; i < count; i++)
    g_string_append_printf (known, "%s%s", i ? ", " : "", name_of (i));
  return fail_at (error, path, name, "unknown %s '%s' (expected one of %s)",
                  strcmp (name, "kind") == 0 ? "node kind" : name, text, known->str);
}

static gboolean
read_span (JsonObject *obj, const char *path, PlanSpan *out, GError **error)
{
  static const char *const names[] = { "start", "end", "line", "col" };
  guint *slots[] = { &out->start, &out->end, &out->line, &out->col };
  g_autofree char *sub = NULL;
  JsonObject *span;

  *out = (PlanSpan) { 0 };
  if (member (obj, "span") == NULL)
    return TRUE;
  if (!want_object (member (obj, "span"), path, "span", &span, error))
    return FALSE;
  sub = g_strconcat (path, ".span", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      gint64 v;

      if (!want_int (member (span, names[i]), sub, names[i], 0, G_MAXUINT32, &v, error))
        return FALSE;
      *slots[i] = (guint) v;
    }
  return TRUE;
}

/* ---- reading: literals and expressions ------------------------------------------------ */

static gboolean
read_double (JsonNode *node, const char *path, const char *name, double *out,
             GError **error)
{
  const char *s = holds (node, G_TYPE_STRING) ? json_node_get_string (node) : "";

  if (holds (node, G_TYPE_DOUBLE))
    *out = json_node_get_double (node);
  else if (holds (node, G_TYPE_INT64))
    *out = (double) json_node_get_int (node);
  else if (strcmp (s, "NaN") == 0)
    *out = NAN;
  else if (strcmp (s, "Infinity") == 0 || strcmp (s, "-Infinity") == 0)
    *out = s[0] == '-' ? -INFINITY : INFINITY;
  else
    return fail_at (error, path, name, "expected a number, found %s", json_kind_name (node));
  return TRUE;
}

static gboolean
read_decimal (JsonNode *node, const char *path, PlanType type, gint64 *out, GError **error)
{
  const char *s;
  guint64 mag, limit = 1;

  if (!want_string (node, path, "literal", &s, error))
    return FALSE;
  if (!plan_parse_decimal (s, strlen (s), type.scale, out))
    return fail_at (error, path, "literal", "'%s' is not a valid DECIMAL(%u, %u)", s,
                    type.precision, type.scale);
  for (guint i = 0; i < type.precision; i++)
    limit *= 10;
  mag = *out < 0 ? (guint64) 0 - (guint64) *out : (guint64) *out;
  if (mag >= limit)
    return fail_at (error, path, "literal", "'%s' has more digits than DECIMAL(%u, %u) allows",
                    s, type.precision, type.scale);
  return TRUE;
}

/* Reads obj's "literal" as a value of obj's "type" into *out (which owns any string). */
static gboolean
read_literal (JsonObject *obj, const char *path, PlanValue *out, GError **error)
{
  JsonNode *node = member (obj, "literal");
  gint64 i;
  const char *s;

  *out = (PlanValue) { 0 };
  if (!want_type (obj, path, &out->type, error))
    return FALSE;
  if (node == NULL)
    return fail_at (error, path, "literal", "missing");
  if (JSON_NODE_HOLDS_NULL (node))
    return out->is_null = TRUE;
  switch (out->type.kind)
    {
    case PLAN_TYPE_NULL:
      return fail_at (error, path, "literal", "a value of type NULL must be null");
    case PLAN_TYPE_BOOLEAN:
      if (!holds (node, G_TYPE_BOOLEAN))
        return fail_at (error, path, "literal", "expected a boolean, found %s",
                        json_kind_name (node));
      out->v.b = json_node_get_boolean (node);
      return TRUE;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_DATE:
      if (!want_int (node, path, "literal", G_MININT32, G_MAXINT32, &i, error))
        return FALSE;
      return out->v.i = i, TRUE;
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      return want_int (node, path, "literal", G_MININT64, G_MAXINT64, &out->v.i, error);
    case PLAN_TYPE_DOUBLE:
      return read_double (node, path, "literal", &out->v.d, error);
    case PLAN_TYPE_DECIMAL:
      return read_decimal (node, path, out->type, &out->v.i, error);
    case PLAN_TYPE_VARCHAR:
      if (!want_string (node, path, "literal", &s, error))
        return FALSE;
      out->v.s = g_strdup (s);
      return TRUE;
    default:
      return fail_at (error, path, "literal", "unsupported type");
    }
}

/* Argument counts per function, in PlanFunc order: a digit is an exact count; N is two or
 * more, M one or more, L two or three, R one or two. */
static const char arity_codes[] =
  "222221" "222222"         /* ADD SUB MUL DIV MOD NEG, EQ NE LT LE GT GE */
  "NN1" "1111" "22"         /* AND OR NOT, IS_NULL .. IS_FALSE, IS_[NOT_]DISTINCT_FROM */
  "3NLN1M2"                 /* BETWEEN IN LIKE CASE CAST COALESCE NULLIF */
  "N111L11123"              /* CONCAT UPPER LOWER CHAR_LENGTH SUBSTRING TRIM LTRIM RTRIM
                             * POSITION REPLACE */
  "1R1112111" "111111" "0"  /* ABS .. EXP, EXTRACT_*, CURRENT_TIMESTAMP */
  "23L";                    /* added by nexmark functions: DATE_FORMAT SPLIT_INDEX
                             * REGEXP_EXTRACT */
G_STATIC_ASSERT (sizeof arity_codes == PLAN_FUNC__COUNT + 1);

static void
func_arity (PlanFunc f, guint *min, guint *max)
{
  char c = (guint) f < PLAN_FUNC__COUNT ? arity_codes[f] : 'X';

  *min = c == 'M' || c == 'R' ? 1 : c == 'N' || c == 'L' ? 2 : (guint) (c - '0');
  *max = c == 'M' || c == 'N' ? G_MAXUINT : c == 'L' ? 3 : c == 'R' ? 2 : *min;
  if (c == 'X')
    *min = 1, *max = 0;
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
  const char *name;
  PlanFunc f;
  JsonArray *arr;
  guint n, min, max;
  g_autofree PlanExpr **args = NULL;

  if (!want_string (member (obj, "call"), path, "call", &name, error))
    return NULL;
  if (!plan_func_from_name (name, &f))
    return FAIL_NULL (error, path, "call", "unknown function '%s'", name);
  if (!want_array (member (obj, "args"), path, "args", 10000, &arr, error))
    return NULL;
  n = json_array_get_length (arr);
  func_arity (f, &min, &max);
  if (n < min || n > max)
    return FAIL_NULL (error, path, "args", "%s takes %u%s argument(s), found %u", name, min,
                      max == min ? "" : " or more", n);
  args = g_new0 (PlanExpr *, n ? n : 1);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *p = g_strdup_printf ("%s.args[%u]", path, i);

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
read_column (JsonObject *obj, const char *path, PlanType type, PlanSpan span,
             const ExprScope *scope, GError **error)
{
  guint width = scope->input ? scope->input->n_fields : 0;
  gint64 col;

  if (!want_int (member (obj, "column"), path, "column", 0, G_MAXUINT32, &col, error))
    return NULL;
  if ((guint64) col >= width)
    return FAIL_NULL (error, path, "column", "column %" G_GINT64_FORMAT " is out of range "
                      "(%s has %u column(s))", col, scope->input_name, width);
  if (scope->input->fields[col].type.kind != type.kind)
    return FAIL_NULL (error, path, "column", "column %" G_GINT64_FORMAT " is %s in %s, not %s",
                      col, plan_type_kind_name (scope->input->fields[col].type.kind),
                      scope->input_name, plan_type_kind_name (type.kind));
  return plan_expr_column ((guint) col, type, span);
}

static PlanExpr *
read_expr (JsonNode *node, const char *path, guint depth, const ExprScope *scope,
           GError **error)
{
  JsonObject *obj;
  PlanType type;
  PlanSpan span;
  PlanValue v;

  if (depth > MAX_EXPR_DEPTH)
    return FAIL_NULL (error, path, NULL, "expression nested too deeply (more than %u levels)",
                      MAX_EXPR_DEPTH);
  if (!want_object (node, path, NULL, &obj, error) || !want_type (obj, path, &type, error)
      || !read_span (obj, path, &span, error))
    return NULL;
  if (!!member (obj, "column") + !!member (obj, "literal") + !!member (obj, "call") != 1)
    return FAIL_NULL (error, path, NULL, "an expression needs exactly one of \"column\", "
                      "\"literal\" or \"call\"");
  if (member (obj, "column"))
    return read_column (obj, path, type, span, scope, error);
  if (member (obj, "call"))
    return read_call (obj, path, type, span, depth, scope, error);
  return read_literal (obj, path, &v, error) ? plan_expr_literal (&v, span) : NULL;
}

static gboolean
read_optional_expr (JsonObject *obj, const char *name, const char *path,
                    const ExprScope *scope, PlanExpr **out, GError **error)
{
  g_autofree char *p = NULL;
  JsonNode *node = member (obj, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  p = g_strdup_printf ("%s.%s", path, name);
  *out = read_expr (node, p, 0, scope, error);
  if (*out && (*out)->type.kind != PLAN_TYPE_BOOLEAN)
    {
      g_clear_pointer (out, plan_expr_unref);
      return fail_at (error, p, NULL, "a filter must be BOOLEAN");
    }
  return *out != NULL;
}

/* ---- reading: schemas, tables --------------------------------------------------------- */

static PlanSchema *
read_schema (JsonObject *obj, const char *path, GError **error)
{
  JsonArray *arr;
  g_autoptr (PlanSchema) schema = NULL;

  if (!want_array (member (obj, "schema"), path, "schema", MAX_FIELDS, &arr, error))
    return NULL;
  schema = plan_schema_new (json_array_get_length (arr));
  for (guint i = 0; i < schema->n_fields; i++)
    {
      g_autofree char *p = g_strdup_printf ("%s.schema[%u]", path, i);
      JsonObject *f;
      const char *name;
      PlanType type;

      if (!want_object (json_array_get_element (arr, i), p, NULL, &f, error)
          || !want_string (member (f, "name"), p, "name", &name, error)
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
  g_autoptr (GList) names = NULL;
  JsonObject *opts;

  if (member (tobj, "options") == NULL)
    return TRUE;
  if (!want_object (member (tobj, "options"), path, "options", &opts, error))
    return FALSE;
  names = json_object_get_members (opts);
  for (GList *l = names; l; l = l->next)
    {
      const char *value;

      if (!want_string (json_object_get_member (opts, l->data), p, l->data, &value, error))
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
  JsonNode *node = member (obj, "table"), *ddl;
  JsonObject *tobj;
  const char *name, *ddl_text;
  PlanSchema *schema;
  PlanSpan span;
  g_autoptr (PlanTable) table = NULL;

  *out = NULL;
  if (!required && (node == NULL || JSON_NODE_HOLDS_NULL (node)))
    return TRUE;
  if (!want_object (node, path, "table", &tobj, error)
      || !want_string (member (tobj, "name"), p, "name", &name, error)
      || !read_span (tobj, p, &span, error))
    return FALSE;
  if (name[0] == '\0')
    return fail_at (error, p, "name", "a table name cannot be empty");
  if ((schema = read_schema (tobj, p, error)) == NULL)
    return FALSE;
  table = plan_table_new (name, schema, span);
  if (!read_options (tobj, p, table, error))
    return FALSE;
  ddl = member (tobj, "ddl");
  if (ddl != NULL && !JSON_NODE_HOLDS_NULL (ddl))
    {
      if (!want_string (ddl, p, "ddl", &ddl_text, error))
        return FALSE;
      table->ddl = g_strdup (ddl_text);
    }
  *out = g_steal_pointer (&table);
  return TRUE;
}

/* Column indices below limit, from obj's member `name`; `what` names what they index. */
static guint *
read_columns (JsonObject *obj, const char *path, const char *name, guint limit,
              const char *what, guint *n_out, GError **error)
{
  JsonArray *arr;
  g_autofree guint *v = NULL;

  if (!want_array (member (obj, name), path, name, MAX_FIELDS, &arr, error))
    return NULL;
  *n_out = json_array_get_length (arr);
  v = g_new0 (guint, *n_out ? *n_out : 1);
  for (guint i = 0; i < *n_out; i++)
    {
      g_autofree char *p = g_strdup_printf ("%s.%s[%u]", path, name, i);
      gint64 x;

      if (!want_int (json_array_get_element (arr, i), p, NULL, 0, G_MAXUINT32, &x, error))
        return NULL;
      if ((guint64) x >= limit)
        return FAIL_NULL (error, p, NULL, "column %" G_GINT64_FORMAT " is out of range (%s "
                          "has %u column(s))", x, what, limit);
      v[i] = (guint) x;
    }
  return g_steal_pointer (&v);
}

/* ---- reading: nodes ------------------------------------------------------------------- */

typedef struct {
  PlanPhysNode **nodes; /* built so far (owned refs), indexed by id */
  guint n_nodes;        /* how many the JSON lists */
} Reader;

static const char *phys_kind_name_i (int k) { return plan_phys_kind_name ((PlanPhysKind) k); }
static const char *exchange_name_i (int k) { return plan_exchange_name ((PlanExchangeKind) k); }
static const char *sink_name_i (int k) { return plan_sink_kind_name ((PlanSinkKind) k); }

static gboolean
read_one_input (Reader *rd, JsonNode *enode, const char *path, guint index,
                PlanPhysNode *node, GError **error)
{
  g_autofree guint *keys = NULL;
  JsonObject *eobj;
  PlanPhysNode *input;
  gint64 id;
  int exchange;
  guint n_keys = 0;

  if (!want_object (enode, path, NULL, &eobj, error)
      || !want_int (member (eobj, "node"), path, "node", G_MININT64, G_MAXINT64, &id, error))
    return FALSE;
  if (id < 0 || (guint64) id >= rd->n_nodes)
    return fail_at (error, path, "node", "unknown node id %" G_GINT64_FORMAT, id);
  if ((guint64) id >= index)
    return fail_at (error, path, "node", "node %" G_GINT64_FORMAT " is listed after node %u; "
                    "inputs must come before their consumers", id, index);
  input = rd->nodes[id];
  if (!want_enum (member (eobj, "exchange"), path, "exchange", exchange_name_i,
                  PLAN_EXCHANGE_MERGE + 1, &exchange, error)) /* sort merge */
    return FALSE;
  if (member (eobj, "keys") != NULL
      && !(keys = read_columns (eobj, path, "keys", input->schema->n_fields, "the input",
                                &n_keys, error)))
    return FALSE;
  if (exchange == PLAN_EXCHANGE_HASH && n_keys == 0)
    return fail_at (error, path, "keys", "a HASH exchange needs at least one key");
  if (exchange == PLAN_EXCHANGE_FORWARD && input->parallelism != node->parallelism)
    return fail_at (error, path, "exchange", "a FORWARD exchange needs equal parallelism on "
                    "both sides (input %u, consumer %u)", input->parallelism,
                    node->parallelism);
  plan_phys_node_add_input (node, plan_phys_node_ref (input), (PlanExchangeKind) exchange,
                            n_keys, keys);
  return TRUE;
}

static gboolean
read_inputs (Reader *rd, JsonObject *obj, const char *path, guint index, PlanPhysNode *node,
             GError **error)
{
  guint want = node->kind == PLAN_PHYS_SOURCE || node->kind == PLAN_PHYS_VALUES ? 0 : 1;
  JsonArray *arr;

  if (node->kind == PLAN_PHYS_JOIN || node->kind == PLAN_PHYS_HASH_JOIN /* added by joins */
      || node->kind == PLAN_PHYS_NESTED_LOOP_JOIN
      || node->kind == PLAN_PHYS_SORT_MERGE_JOIN /* added by join strategy */
      || node->kind == PLAN_PHYS_INTERVAL_JOIN /* added by interval joins */
      || node->kind == PLAN_PHYS_WINDOW_JOIN /* added by window joins */
      || node->kind == PLAN_PHYS_LOOKUP_JOIN /* added by lookup joins */)
    want = 2;

  if (!want_array (member (obj, "inputs"), path, "inputs", 64, &arr, error))
    return FALSE;
  if (node->kind == PLAN_PHYS_UNION && json_array_get_length (arr) > 0) /* added by rank */
    want = json_array_get_length (arr);
  if (json_array_get_length (arr) != want)
    return fail_at (error, path, "inputs", "a %s node takes %u input(s), found %u",
                    plan_phys_kind_name (node->kind), want, json_array_get_length (arr));
  for (guint i = 0; i < want; i++)
    {
      g_autofree char *ep = g_strdup_printf ("%s.inputs[%u]", path, i);

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
  return fail_at (error, path, NULL, "produces %s but the node's schema says column %u is %s",
                  plan_type_kind_name (kind), i,
                  plan_type_kind_name (node->schema->fields[i].type.kind));
}

static gboolean
read_source (JsonObject *obj, const char *path, PlanPhysNode *node, GError **error)
{
  ExprScope scope = { node->schema, "the source's output" };
  PlanTable *table;
  guint n;

  if (!read_table (obj, path, TRUE, &table, error))
    return FALSE;
  node->u.source.table = table;
  node->u.source.columns = read_columns (obj, path, "columns", table->schema->n_fields,
                                         "the table", &n, error);
  if (node->u.source.columns == NULL)
    return FALSE;
  node->u.source.n_columns = n;
  if (n != node->schema->n_fields)
    return fail_at (error, path, "columns", "%u column(s) read but the schema has %u", n,
                    node->schema->n_fields);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *p = g_strdup_printf ("%s.columns[%u]", path, i);
      PlanTypeKind kind = table->schema->fields[node->u.source.columns[i]].type.kind;

      if (!check_field_kind (node, i, kind, p, error))
        return FALSE;
    }
  return read_optional_expr (obj, "filter", path, &scope, &node->u.source.filter, error);
}

static gboolean
read_values (JsonObject *obj, const char *path, PlanPhysNode *node, GError **error)
{
  guint width = node->schema->n_fields, n_rows;
  JsonArray *rows;

  if (!want_array (member (obj, "values"), path, "values", 100000, &rows, error))
    return FALSE;
  n_rows = json_array_get_length (rows);
  if ((guint64) n_rows * width > 1000000)
    return fail_at (error, path, "values", "too many values (%u rows of %u)", n_rows, width);
  node->u.values.values = g_new0 (PlanValue, (gsize) n_rows * width + 1);
  for (guint r = 0; r < n_rows; r++)
    {
      g_autofree char *rp = g_strdup_printf ("%s.values[%u]", path, r);
      JsonArray *row;

      if (!want_array (json_array_get_element (rows, r), rp, NULL, MAX_FIELDS, &row, error))
        return FALSE;
      if (json_array_get_length (row) != width)
        return fail_at (error, rp, NULL, "%u value(s) but the schema has %u column(s)",
                        json_array_get_length (row), width);
      for (guint c = 0; c < width; c++)
        {
          g_autofree char *p = g_strdup_printf ("%s[%u]", rp, c);
          PlanValue *v = &node->u.values.values[r * width + c];
          JsonObject *lit;

          if (!want_object (json_array_get_element (row, c), p, NULL, &lit, error)
              || !read_literal (lit, p, v, error))
            return FALSE;
          node->u.values.n_rows = r + 1; /* so a failure frees what was read */
          if (v->type.kind != PLAN_TYPE_NULL && !check_field_kind (node, c, v->type.kind, p,
                                                                   error))
            return FALSE;
        }
    }
  node->u.values.n_rows = n_rows;
  return TRUE;
}

static gboolean
read_calc (JsonObject *obj, const char *path, PlanPhysNode *node, GError **error)
{
  ExprScope scope = { node->inputs[0].node->schema, "the input" };
  JsonArray *arr;
  guint n;

  if (!read_optional_expr (obj, "filter", path, &scope, &node->u.calc.filter, error)
      || !want_array (member (obj, "exprs"), path, "exprs", MAX_FIELDS, &arr, error))
    return FALSE;
  n = json_array_get_length (arr);
  if (n != node->schema->n_fields)
    return fail_at (error, path, "exprs", "%u expression(s) but the schema has %u column(s)",
                    n, node->schema->n_fields);
  node->u.calc.exprs = g_new0 (PlanExpr *, n ? n : 1);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *p = g_strdup_printf ("%s.exprs[%u]", path, i);
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
  const PlanSchema *in = node->inputs[0].node->schema;

  if (!want_int (member (obj, "limit"), path, "limit", -1, G_MAXINT64, &node->u.limit.limit,
                 error)
      || !want_int (member (obj, "offset"), path, "offset", 0, G_MAXINT64,
                    &node->u.limit.offset, error))
    return FALSE;
  if (in->n_fields != node->schema->n_fields)
    return fail_at (error, path, "schema", "a LIMIT node has its input's %u column(s), not %u",
                    in->n_fields, node->schema->n_fields);
  for (guint i = 0; i < in->n_fields; i++)
    if (!check_field_kind (node, i, in->fields[i].type.kind, path, error))
      return FALSE;
  return TRUE;
}

static gboolean
read_sink (JsonObject *obj, const char *path, PlanPhysNode *node, GError **error)
{
  int sink;

  if (!want_enum (member (obj, "sink"), path, "sink", sink_name_i, PLAN_SINK_JDBC + 1,
                  &sink, error))
    return FALSE;
  node->u.sink.sink = (PlanSinkKind) sink;
  return read_table (obj, path, FALSE, &node->u.sink.table, error);
}

static const char *agg_name_i (int k) { return plan_json__agg_call_name ((PlanAggFunc) k); }

static gboolean
read_agg_call (JsonNode *jn, const char *path, const PlanSchema *in, PlanAggCall *c,
               GError **error)
{
  JsonObject *o;
  JsonNode *distinct;
  gint64 arg, filter;
  int f;

  if (!want_object (jn, path, NULL, &o, error)
      || !want_enum (member (o, "func"), path, "func", agg_name_i, PLAN_AGG_AVG + 1, &f, error)
      || !want_int (member (o, "arg"), path, "arg", -1, (gint64) in->n_fields - 1, &arg, error)
      || !want_int (member (o, "filter"), path, "filter", -1, (gint64) in->n_fields - 1,
                    &filter, error)
      || !want_type (o, path, &c->type, error))
    return FALSE;
  c->func = (PlanAggFunc) f;
  c->arg = (gint) arg;
  c->filter = (gint) filter;
  distinct = member (o, "distinct");
  if (distinct != NULL && !holds (distinct, G_TYPE_BOOLEAN))
    return fail_at (error, path, "distinct", "expected a boolean, found %s",
                    json_kind_name (distinct));
  c->distinct = distinct != NULL && json_node_get_boolean (distinct);
  if ((c->func == PLAN_AGG_COUNT_STAR) != (arg < 0))
    return fail_at (error, path, "arg", "COUNT_STAR takes no argument (-1); every other "
                    "function needs an input column");
  if (filter >= 0 && in->fields[filter].type.kind != PLAN_TYPE_BOOLEAN)
    return fail_at (error, path, "filter", "column %" G_GINT64_FORMAT " is %s, a FILTER "
                    "column must be BOOLEAN", filter,
                    plan_type_kind_name (in->fields[filter].type.kind));
  return TRUE;
}

/* added by sort: n booleans from obj's member `name`, into a new array. */
static gboolean *
read_bools (JsonObject *obj, const char *path, const char *name, guint n, GError **error)
{
  JsonArray *arr;
  g_autofree gboolean *v = g_new0 (gboolean, MAX (n, 1));

  if (!want_array (member (obj, name), path, name, MAX_FIELDS, &arr, error))
    return NULL;
  if (json_array_get_length (arr) != n)
    return FAIL_NULL (error, path, name, "expected %u boolean(s), one per sort key", n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *e = json_array_get_element (arr, i);

      if (!holds (e, G_TYPE_BOOLEAN))
        return FAIL_NULL (error, path, name, "expected booleans, found %s", json_kind_name (e));
      v[i] = json_node_get_boolean (e);
    }
  return g_steal_pointer (&v);
}

static gboolean
read_sort (JsonObject *obj, const char *path, PlanPhysNode *node, GError **error)
{
  const PlanSchema *in = node->inputs[0].node->schema;
  PlanSort *s = &node->u.sort;

  if ((s->keys = read_columns (obj, path, "sort_keys", in->n_fields, "the input", &s->n_keys,
                               error)) == NULL
      || (s->descending = read_bools (obj, path, "descending", s->n_keys, error)) == NULL
      || (s->nulls_first = read_bools (obj, path, "nulls_first", s->n_keys, error)) == NULL
      || !want_int (member (obj, "limit"), path, "limit", -1, G_MAXINT64, &s->limit, error)
      || !want_int (member (obj, "offset"), path, "offset", 0, G_MAXINT64, &s->offset, error))
    return FALSE;
  if (in->n_fields != node->schema->n_fields)
    return fail_at (error, path, "schema", "a SORT node has its input's %u column(s), not %u",
                    in->n_fields, node->schema->n_fields);
  for (guint i = 0; i < in->n_fields; i++)
    if (!check_field_kind (node, i, in->fields[i].type.kind, path, error))
      return FALSE;
  return TRUE;
}

/* added by rank: a UNION's inputs all have its column types. */
static gboolean
read_union (const char *path, PlanPhysNode *node, GError **error)
{
  for (guint k = 0; k < node->n_inputs; k++)
    {
      const PlanSchema *in = node->inputs[k].node->schema;

      if (in->n_fields != node->schema->n_fields)
        return fail_at (error, path, "inputs", "input %u of a UNION has %u column(s), not %u",
                        k, in->n_fields, node->schema->n_fields);
      for (guint i = 0; i < in->n_fields; i++)
        if (!check_field_kind (node, i, in->fields[i].type.kind, path, error))
          return FALSE;
    }
  return TRUE;
}

/* added by rank: "partition", the sort members of SORT, "rank_limit", "rownum",
 * "first_row", "last_row". */
static gboolean
read_rank (JsonObject *obj, const char *path, PlanPhysNode *node, GError **error)
{
  const PlanSchema *in = node->inputs[0].node->schema;
  PlanRank *r = &node->u.rank;
  gint64 rownum, first_row, last_row;

  r->order.limit = -1;
  if ((r->partition = read_columns (obj, path, "partition", in->n_fields, "the input",
                                    &r->n_partition, error)) == NULL
      || (r->order.keys = read_columns (obj, path, "sort_keys", in->n_fields, "the input",
                                        &r->order.n_keys, error)) == NULL
      || (r->order.descending = read_bools (obj, path, "descending", r->order.n_keys,
                                            error)) == NULL
      || (r->order.nulls_first = read_bools (obj, path, "nulls_first", r->order.n_keys,
                                             error)) == NULL
      || !want_int (member (obj, "rank_limit"), path, "rank_limit", -1, G_MAXINT64, &r->limit,
                    error)
      || !want_int (member (obj, "rownum"), path, "rownum", 0, 1, &rownum, error)
      || !want_int (member (obj, "first_row"), path, "first_row", 0, 1, &first_row, error)
      || !want_int (member (obj, "last_row"), path, "last_row", 0, 1, &last_row, error))
    return FALSE;
  r->rownum = rownum != 0;
  r->first_row = first_row != 0;
  r->last_row = last_row != 0 && !r->first_row;
  if (node->schema->n_fields != in->n_fields + (r->rownum ? 1 : 0))
    return fail_at (error, path, "schema", "a RANK node has its input's %u column(s)%s, not %u",
                    in->n_fields, r->rownum ? " and rownum" : "", node->schema->n_fields);
  for (guint i = 0; i < in->n_fields; i++)
    if (!check_field_kind (node, i, in->fields[i].type.kind, path, error))
      return FALSE;
  return !r->rownum || check_field_kind (node, in->n_fields, PLAN_TYPE_BIGINT, path, error);
}

/* added by windows: "window" (TUMBLE, HOP, CUMULATE), "time_col", "size_ms", "slide_ms",
 * "offset_ms". */
static gboolean
read_window (JsonObject *obj, const char *path, PlanPhysNode *node, GError **error)
{
  const PlanSchema *in = node->inputs[0].node->schema;
  PlanWindow *w = &node->u.window;
  const char *kind;
  gint64 col, size, slide, offset, merged;
  g_autofree guint *part = NULL;
  guint n_part = 0;

  if (!want_string (member (obj, "window"), path, "window", &kind, error)
      || !want_int (member (obj, "time_col"), path, "time_col", 0, (gint64) in->n_fields - 1,
                    &col, error)
      || !want_int (member (obj, "size_ms"), path, "size_ms", 1, G_MAXINT64, &size, error)
      || !want_int (member (obj, "slide_ms"), path, "slide_ms", 1, size, &slide, error)
      || !want_int (member (obj, "offset_ms"), path, "offset_ms", 0, G_MAXINT64, &offset,
                    error)
      || !want_int (member (obj, "merged"), path, "merged", 0, 1, &merged, error)
      || (part = read_columns (obj, path, "partition", in->n_fields, "the input", &n_part,
                               error)) == NULL)
    return FALSE;
  if (n_part > PLAN_WINDOW_MAX_PARTITION)
    return fail_at (error, path, "partition", "at most %d columns", PLAN_WINDOW_MAX_PARTITION);
  for (w->kind = PLAN_WINDOW_TUMBLE; w->kind <= PLAN_WINDOW_SESSION; w->kind++)
    if (strcmp (kind, plan_window_kind_name (w->kind)) == 0)
      break;
  if (w->kind > PLAN_WINDOW_SESSION)
    return fail_at (error, path, "window", "unknown window '%s' (TUMBLE, HOP, CUMULATE or "
                    "SESSION)", kind);
  w->n_partition = n_part;
  memcpy (w->partition, part, n_part * sizeof (guint));
  w->merged = merged != 0;
  if (in->fields[col].type.kind != PLAN_TYPE_TIMESTAMP
      || node->schema->n_fields != in->n_fields + 3)
    return fail_at (error, path, "time_col", "the window needs a TIMESTAMP column and adds "
                    "three columns to its input's");
  w->time_col = (guint) col;
  w->size_ms = size;
  w->slide_ms = slide;
  w->offset_ms = offset;
  return TRUE;
}

static gboolean read_aggregate (JsonObject *obj, const char *path, PlanPhysNode *node,
                                GError **error);

/* added by windows: an AGGREGATE's fields plus "window_start_key" and "window_end_key". */
static gboolean
read_window_agg (JsonObject *obj, const char *path, PlanPhysNode *node, GError **error)
{
  PlanAggregate agg;
  gint64 start, end;

  /* u.window_agg.agg and u.aggregate are the same PlanAggregate at the union's start */
  if (!read_aggregate (obj, path, node, error))
    return FALSE;
  agg = node->u.aggregate;
  node->u.window_agg.agg = agg;
  if (!want_int (member (obj, "window_start_key"), path, "window_start_key", 0,
                 (gint64) agg.n_keys - 1, &start, error)
      || !want_int (member (obj, "window_end_key"), path, "window_end_key", 0,
                    (gint64) agg.n_keys - 1, &end, error))
    return FALSE;
  node->u.window_agg.start_key = (guint) start;
  node->u.window_agg.end_key = (guint) end;
  if (!want_int (member (obj, "session_gap_ms"), path, "session_gap_ms", 0, G_MAXINT64,
                 &node->u.window_agg.session_gap_ms, error))
    return FALSE;
  /* added by allowed lateness: both absent when there is none */
  if (member (obj, "allowed_lateness_ms") != NULL
      && (!want_int (member (obj, "allowed_lateness_ms"), path, "allowed_lateness_ms", 1,
                     G_MAXINT64 / 2, &node->u.window_agg.allowed_lateness_ms, error)
          || !want_int (member (obj, "late_fire_delay_ms"), path, "late_fire_delay_ms", 0,
                        G_MAXINT64 / 2, &node->u.window_agg.late_fire_delay_ms, error)))
    return FALSE;
  return TRUE;
}

static gboolean
read_aggregate (JsonObject *obj, const char *path, PlanPhysNode *node, GError **error)
{
  const PlanSchema *in = node->inputs[0].node->schema;
  PlanAggregate *a = &node->u.aggregate;
  JsonArray *arr;
  guint n;

  if ((a->keys = read_columns (obj, path, "group_keys", in->n_fields, "the input", &n,
                               error)) == NULL)
    return FALSE;
  a->n_keys = n;
  if (!want_array (member (obj, "aggs"), path, "aggs", MAX_FIELDS, &arr, error))
    return FALSE;
  n = json_array_get_length (arr);
  if (a->n_keys + n != node->schema->n_fields)
    return fail_at (error, path, "aggs", "%u key(s) and %u aggregate(s) but the schema has "
                    "%u column(s)", a->n_keys, n, node->schema->n_fields);
  for (guint i = 0; i < a->n_keys; i++)
    if (!check_field_kind (node, i, in->fields[a->keys[i]].type.kind, path, error))
      return FALSE;
  a->aggs = g_new0 (PlanAggCall, n ? n : 1);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *p = g_strdup_printf ("%s.aggs[%u]", path, i);

      if (!read_agg_call (json_array_get_element (arr, i), p, in, &a->aggs[i], error))
        return FALSE;
      a->n_aggs = i + 1;
      if (!check_field_kind (node, a->n_keys + i, a->aggs[i].type.kind, p, error))
        return FALSE;
    }
  return TRUE;
}

/* added by joins: "join_type", "left_keys", "right_keys", "residual" (over left ++ right),
 * "strategy", "build_side". */
static const char *join_type_i (int k) { return plan_join_type_name ((PlanJoinType) k); }
static const char *
join_strategy_i (int k)
{
  return plan_join_strategy_name ((PlanJoinStrategy) k);
}

static gboolean
read_join (JsonObject *obj, const char *path, PlanPhysNode *node, GError **error)
{
  const PlanSchema *l = node->inputs[0].node->schema, *r = node->inputs[1].node->schema;
  g_autoptr (PlanSchema) pair = plan_join_schema (l, r, PLAN_JOIN_INNER);
  ExprScope scope = { pair, "the joined inputs" };
  PlanJoin *j = &node->u.join;
  guint nl = 0, nr = 0;
  int type = 0, strategy = 0;
  gint64 build = 0;

  if (!want_enum (member (obj, "join_type"), path, "join_type", join_type_i,
                  PLAN_JOIN_FULL + 1, &type, error)
      || !want_enum (member (obj, "strategy"), path, "strategy", join_strategy_i,
                     PLAN_JOIN_STRATEGY_SINGLE + 1, &strategy, error)
      || !want_int (member (obj, "build_side"), path, "build_side", 0, 1, &build, error))
    return FALSE;
  j->type = (PlanJoinType) type;
  j->strategy = (PlanJoinStrategy) strategy;
  j->build_side = (guint) build;
  if (node->schema->n_fields != pair->n_fields)
    return fail_at (error, path, "schema", "a join has the %u column(s) of its inputs, not %u",
                    pair->n_fields, node->schema->n_fields);
  if ((j->left_keys = read_columns (obj, path, "left_keys", l->n_fields, "the left input", &nl,
                                    error)) == NULL
      || (j->right_keys = read_columns (obj, path, "right_keys", r->n_fields,
                                        "the right input", &nr, error)) == NULL)
    return FALSE;
  if (nl != nr)
    return fail_at (error, path, "right_keys", "%u left key(s) but %u right key(s)", nl, nr);
  j->n_keys = nl;
  for (guint k = 0; k < nl; k++)
    if (l->fields[j->left_keys[k]].type.kind != r->fields[j->right_keys[k]].type.kind)
      return fail_at (error, path, "right_keys", "key %u compares columns of two types", k);
  return read_optional_expr (obj, "residual", path, &scope, &j->residual, error);
}

static gboolean
read_node_header (JsonObject *obj, const char *path, guint index, PlanPhysKind *kind,
                  gint64 *parallelism, GError **error)
{
  gint64 id;
  int k;

  if (!want_int (member (obj, "id"), path, "id", G_MININT64, G_MAXINT64, &id, error))
    return FALSE;
  if (id != index)
    return fail_at (error, path, "id", "expected %u (nodes are listed in id order), found %"
                    G_GINT64_FORMAT, index, id);
  if (!want_enum (member (obj, "kind"), path, "kind", phys_kind_name_i,
                  PLAN_PHYS_LOCAL_AGGREGATE + 1 /* ..., lookup joins, local aggregate */, &k,
                  error)
      || !want_int (member (obj, "parallelism"), path, "parallelism", 1, MAX_PARALLELISM,
                    parallelism, error))
    return FALSE;
  *kind = (PlanPhysKind) k;
  return TRUE;
}

static gboolean
read_node_flags (JsonObject *obj, const char *path, PlanPhysNode *node, GError **error)
{
  JsonNode *chained = member (obj, "chained"), *est = member (obj, "est_rows");
  JsonNode *updating = member (obj, "updating");

  if (chained != NULL)
    {
      if (!holds (chained, G_TYPE_BOOLEAN))
        return fail_at (error, path, "chained", "expected a boolean, found %s",
                        json_kind_name (chained));
      node->chained = json_node_get_boolean (chained);
    }
  if (node->chained && (node->n_inputs == 0
                        || node->inputs[0].exchange != PLAN_EXCHANGE_FORWARD))
    return fail_at (error, path, "chained", "only a node fed by a FORWARD edge can be chained");
  if (est != NULL && !read_double (est, path, "est_rows", &node->est_rows, error))
    return FALSE;
  if (updating != NULL)
    {
      if (!holds (updating, G_TYPE_BOOLEAN))
        return fail_at (error, path, "updating", "expected a boolean, found %s",
                        json_kind_name (updating));
      node->updating = json_node_get_boolean (updating);
    }
  if (!isfinite (node->est_rows) || node->est_rows < 0)
    node->est_rows = -1;
  return TRUE;
}

static PlanPhysNode *
read_node (Reader *rd, JsonNode *jnode, const char *path, guint index, GError **error)
{
  g_autoptr (PlanPhysNode) node = NULL;
  JsonObject *obj;
  PlanPhysKind kind = PLAN_PHYS_SOURCE;
  PlanSpan span;
  PlanSchema *schema;
  gint64 parallelism;
  gboolean ok = FALSE;

  if (!want_object (jnode, path, NULL, &obj, error)
      || !read_node_header (obj, path, index, &kind, &parallelism, error)
      || !read_span (obj, path, &span, error)
      || (schema = read_schema (obj, path, error)) == NULL)
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
    case PLAN_PHYS_AGGREGATE: ok = read_aggregate (obj, path, node, error); break;
    case PLAN_PHYS_LOCAL_AGGREGATE: /* added by two-phase aggregation */
      ok = read_aggregate (obj, path, node, error);
      break;
    case PLAN_PHYS_JOIN: /* added by joins */
    case PLAN_PHYS_HASH_JOIN:
    case PLAN_PHYS_NESTED_LOOP_JOIN:
    case PLAN_PHYS_SORT_MERGE_JOIN: /* added by join strategy */
    case PLAN_PHYS_INTERVAL_JOIN: /* added by interval joins */
    case PLAN_PHYS_WINDOW_JOIN: /* added by window joins */
    case PLAN_PHYS_LOOKUP_JOIN: /* added by lookup joins */
      ok = read_join (obj, path, node, error);
      break;
    case PLAN_PHYS_SORT: ok = read_sort (obj, path, node, error); break; /* added by sort */
    case PLAN_PHYS_WINDOW: ok = read_window (obj, path, node, error); break; /* windows */
    case PLAN_PHYS_WINDOW_AGGREGATE: ok = read_window_agg (obj, path, node, error); break;
    case PLAN_PHYS_UNION: ok = read_union (path, node, error); break; /* added by rank */
    case PLAN_PHYS_RANK: ok = read_rank (obj, path, node, error); break;
    default: /* added by sort: kinds listed before SORT that have no reader here yet */
      fail_at (error, path, "kind", "%s nodes cannot be read from JSON yet",
               plan_phys_kind_name (kind));
      break;
    }
  return ok ? g_steal_pointer (&node) : NULL;
}

/* Rejects nesting deeper than json-glib's recursive parser should be asked to handle. */
static gboolean
check_nesting (const char *json, GError **error)
{
  guint depth = 0, line = 1;
  gboolean in_string = FALSE;
  char where[32];

  for (const char *p = json; *p; p++)
    {
      line += *p == '\n';
      if (in_string && *p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '"')
        in_string = !in_string;
      else if (!in_string && (*p == '{' || *p == '[') && ++depth > MAX_JSON_NESTING)
        {
          g_snprintf (where, sizeof where, "line %u", line);
          return fail_at (error, where, NULL, "JSON nested more than %u levels deep",
                          MAX_JSON_NESTING);
        }
      else if (!in_string && (*p == '}' || *p == ']') && depth > 0)
        depth--;
    }
  return TRUE;
}

static PlanPhysPlan *
read_plan (JsonObject *top, GError **error)
{
  g_autofree PlanPhysNode **nodes = NULL;
  Reader rd = { 0 };
  JsonArray *arr;
  PlanPhysPlan *plan = NULL;
  guint built = 0;
  gint64 root;

  if (!want_array (member (top, "nodes"), "nodes", NULL, MAX_NODES, &arr, error))
    return NULL;
  rd.n_nodes = json_array_get_length (arr);
  if (rd.n_nodes == 0)
    return FAIL_NULL (error, "nodes", NULL, "a plan needs at least one node");
  rd.nodes = nodes = g_new0 (PlanPhysNode *, rd.n_nodes);
  for (; built < rd.n_nodes; built++)
    {
      g_autofree char *p = g_strdup_printf ("nodes[%u]", built);

      if (!(nodes[built] = read_node (&rd, json_array_get_element (arr, built), p, built,
                                      error)))
        break;
    }
  if (built == rd.n_nodes
      && want_int (member (top, "root"), "root", NULL, 0, rd.n_nodes - 1, &root, error))
    {
      plan = plan_phys_plan_new (plan_phys_node_ref (nodes[root]));
      for (guint i = 0; i < rd.n_nodes && plan->nodes->len != rd.n_nodes; i++)
        if (!g_ptr_array_find (plan->nodes, nodes[i], NULL))
          {
            g_autofree char *p = g_strdup_printf ("nodes[%u]", i);

            g_clear_pointer (&plan, plan_phys_plan_unref);
            fail_at (error, p, NULL, "not reachable from the root (node %" G_GINT64_FORMAT ")",
                     root);
            break;
          }
    }
  /* Consumers first, so no unref recurses down a chain. */
  while (built > 0)
    plan_phys_node_unref (nodes[--built]);
  return plan;
}

PlanPhysPlan *
plan_phys_from_json (const char *json, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local = NULL;
  JsonObject *top;

  if (json == NULL)
    return g_set_error (error, PLAN_ERROR, PLAN_ERROR_JSON, "no plan JSON given"), NULL;
  if (!check_nesting (json, error))
    return NULL;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, json, -1, &local))
    return g_set_error (error, PLAN_ERROR, PLAN_ERROR_JSON, "invalid plan JSON: %s",
                        local->message), NULL;
  if (json_parser_get_root (parser) == NULL)
    return g_set_error (error, PLAN_ERROR, PLAN_ERROR_JSON, "invalid plan JSON: the text is "
                        "empty"), NULL;
  if (!want_object (json_parser_get_root (parser), "(top level)", NULL, &top, error))
    return NULL;
  return read_plan (top, error);
}
