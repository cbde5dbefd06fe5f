/* gw-wire.c: JSON encoding of result sets and errors for the server and the remote client.
 *
 * The shapes follow Flink's SQL Gateway (columns with a logicalType, rows as {kind,
 * fields}) so its users recognise them, but values travel in the engine's storage form
 * (days, milliseconds, scaled decimals) rather than as text: that makes a row decoded by
 * the remote client bit-identical to the one the embedded client would have produced, and
 * so the REPL prints the same bytes either way. Errors carry their GError domain and code
 * so a parse error reported remotely still shows the caret at the right column. */
#include "gw-wire.h"

#include <math.h>
#include <string.h>

static const char *const kind_names[] = { "INSERT", "UPDATE_BEFORE", "UPDATE_AFTER", "DELETE" };

const char *
gw__row_kind_name (RtRowKind kind)
{
  return (guint) kind < G_N_ELEMENTS (kind_names) ? kind_names[kind] : "INSERT";
}

gboolean
gw__row_kind_parse (const char *name, RtRowKind *out)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (kind_names); i++)
    if (strcmp (name, kind_names[i]) == 0)
      {
        *out = (RtRowKind) i;
        return TRUE;
      }
  return FALSE;
}

void
gw__wire_add_columns (JsonBuilder *b, const PlanSchema *schema)
{
  json_builder_begin_array (b);
  for (guint i = 0; schema != NULL && i < schema->n_fields; i++)
    {
      g_autofree char *type = plan_type_to_string (schema->fields[i].type, FALSE);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, schema->fields[i].name);
      json_builder_set_member_name (b, "logicalType");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, type);
      json_builder_set_member_name (b, "nullable");
      json_builder_add_boolean_value (b, schema->fields[i].type.nullable);
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static gboolean
bad_wire (GError **error, const char *what)
{
  g_set_error (error, GW_ERROR, GW_ERROR_FAILED,
               "The server sent a malformed result (%s); check that client and server are "
               "the same strom version.", what);
  return FALSE;
}

PlanSchema *
gw__wire_parse_columns (JsonArray *columns, GError **error)
{
  guint n = json_array_get_length (columns);
  g_autoptr (PlanSchema) s = plan_schema_new (n);

  for (guint i = 0; i < n; i++)
    {
      JsonObject *col = json_array_get_object_element (columns, i);
      JsonObject *lt = col != NULL && json_object_has_member (col, "logicalType")
                       ? json_object_get_object_member (col, "logicalType") : NULL;
      const char *name = col != NULL ? gw__json_get_string (col, "name") : NULL;
      const char *type_name = lt != NULL ? gw__json_get_string (lt, "type") : NULL;
      PlanType type;

      if (name == NULL || type_name == NULL || !plan_type_from_string (type_name, &type))
        {
          bad_wire (error, "column");
          return NULL;
        }
      type.nullable = json_object_get_boolean_member_with_default (lt, "nullable", TRUE);
      plan_schema_set_field (s, i, name, type);
    }
  return g_steal_pointer (&s);
}

static void
append_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p != '\0'; p++)
    if (*p == '"' || *p == '\\')
      {
        g_string_append_c (out, '\\');
        g_string_append_c (out, (char) *p);
      }
    else if (*p < 0x20)
      g_string_append_printf (out, "\\u%04x", *p);
    else
      g_string_append_c (out, (char) *p);
  g_string_append_c (out, '"');
}

static void
append_value (GString *out, const PlanValue *v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (v->is_null)
    {
      g_string_append (out, "null");
      return;
    }
  switch (v->type.kind)
    {
    case PLAN_TYPE_NULL:
      g_string_append (out, "null");
      break;
    case PLAN_TYPE_BOOLEAN:
      g_string_append (out, v->v.b ? "true" : "false");
      break;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, v->v.i);
      break;
    case PLAN_TYPE_DOUBLE:
      if (isfinite (v->v.d))
        g_string_append (out, g_ascii_dtostr (buf, sizeof buf, v->v.d));
      else
        g_string_append (out, isnan (v->v.d) ? "\"NaN\""
                              : v->v.d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
      break;
    case PLAN_TYPE_VARCHAR:
      append_string (out, v->v.s != NULL ? v->v.s : "");
      break;
    }
}

void
gw__wire_append_row (GString *out, const GwRow *row)
{
  g_string_append_printf (out, "{\"kind\":\"%s\",\"fields\":[", gw__row_kind_name (row->kind));
  for (guint i = 0; i < row->n_values; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_value (out, &row->values[i]);
    }
  g_string_append (out, "]}");
}

static double
parse_double (JsonNode *n)
{
  const char *s;

  if (json_node_get_value_type (n) != G_TYPE_STRING)
    return json_node_get_double (n);
  s = json_node_get_string (n);
  if (strcmp (s, "NaN") == 0)
    return NAN;
  return s[0] == '-' ? -INFINITY : INFINITY;
}

static gboolean
parse_value (JsonNode *n, PlanType type, PlanValue *out)
{
  out->type = type;
  out->is_null = JSON_NODE_HOLDS_NULL (n);
  if (out->is_null)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n))
    return FALSE;
  switch (type.kind)
    {
    case PLAN_TYPE_NULL:
      out->is_null = TRUE;
      return TRUE;
    case PLAN_TYPE_BOOLEAN:
      out->v.b = json_node_get_boolean (n);
      return TRUE;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      out->v.i = json_node_get_int (n);
      return TRUE;
    case PLAN_TYPE_DOUBLE:
      out->v.d = parse_double (n);
      return TRUE;
    case PLAN_TYPE_VARCHAR:
      if (json_node_get_value_type (n) != G_TYPE_STRING)
        return FALSE;
      out->v.s = g_strdup (json_node_get_string (n));
      return TRUE;
    }
  return FALSE;
}

GwRow *
gw__wire_parse_row (JsonNode *node, const PlanSchema *schema, GError **error)
{
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonArray *fields = o != NULL && json_object_has_member (o, "fields")
                      ? json_object_get_array_member (o, "fields") : NULL;
  GwRow *row;

  if (fields == NULL || json_array_get_length (fields) != schema->n_fields)
    {
      bad_wire (error, "row width");
      return NULL;
    }
  row = g_new0 (GwRow, 1);
  row->n_values = schema->n_fields;
  row->values = g_new0 (PlanValue, MAX (row->n_values, 1u));
  if (!gw__row_kind_parse (gw__json_get_string (o, "kind"), &row->kind))
    row->kind = RT_ROW_INSERT;
  for (guint i = 0; i < row->n_values; i++)
    if (!parse_value (json_array_get_element (fields, i), schema->fields[i].type,
                      &row->values[i]))
      {
        gw_row_free (row);
        bad_wire (error, "value");
        return NULL;
      }
  return row;
}

char *
gw__wire_error_json (GQuark domain, int code, const char *message)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "errors");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, message);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "domain");
  json_builder_add_string_value (b, domain != 0 ? g_quark_to_string (domain) : "gw-error-quark");
  json_builder_set_member_name (b, "code");
  json_builder_add_int_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return gw__json_builder_to_string (b);
}

void
gw__wire_set_error (JsonNode *root, guint http_status, GError **error)
{
  JsonObject *o = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root)
                                                                   : NULL;
  JsonObject *e = o != NULL && json_object_has_member (o, "error")
                  ? json_object_get_object_member (o, "error") : NULL;
  const char *domain = e != NULL ? gw__json_get_string (e, "domain") : NULL;
  const char *message = e != NULL ? gw__json_get_string (e, "message") : NULL;

  if (domain != NULL && message != NULL)
    {
      g_set_error_literal (error, g_quark_from_string (domain),
                           (int) json_object_get_int_member_with_default (e, "code", 0),
                           message);
      return;
    }
  g_set_error (error, GW_ERROR, http_status == 404 ? GW_ERROR_NOT_FOUND : GW_ERROR_FAILED,
               "The server answered HTTP %u%s", http_status,
               http_status == 401 ? " (unauthorized): pass the server's token with "
                                    "--token-file" : "");
}

gboolean
gw__json_depth_ok (const char *data, gsize len, guint max_depth)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char ch = data[i];

      if (in_string)
        {
          if (ch == '\\')
            i++;
          else if (ch == '"')
            in_string = FALSE;
        }
      else if (ch == '"')
        in_string = TRUE;
      else if (ch == '[' || ch == '{')
        {
          if (++depth > max_depth)
            return FALSE;
        }
      else if ((ch == ']' || ch == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

char *
gw__json_node_to_string (JsonNode *node)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

char *
gw__json_builder_to_string (JsonBuilder *b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);

  return gw__json_node_to_string (root);
}

const char *
gw__json_get_string (JsonObject *o, const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

/* ---- the fast page reader ---------------------------------------------------------- */

/* A cursor over the compact JSON the server writes for result pages. Every reader
 * returns FALSE on anything unexpected, and the caller falls back to JsonParser: the
 * fast path only has to be right for the exact text page_json writes. */
typedef struct {
  const char *p;
  const char *end;
} Scan;

static gboolean
scan_lit (Scan *s, const char *lit)
{
  gsize n = strlen (lit);

  if ((gsize) (s->end - s->p) < n || memcmp (s->p, lit, n) != 0)
    return FALSE;
  s->p += n;
  return TRUE;
}

static gboolean
scan_hex4 (Scan *s, gunichar *out)
{
  *out = 0;
  if (s->end - s->p < 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (*s->p++);
      if (d < 0)
        return FALSE;
      *out = *out * 16 + (gunichar) d;
    }
  return TRUE;
}

static gboolean
scan_escape (Scan *s, GString *out)
{
  char ch = *s->p++;
  gunichar u, lo;

  switch (ch)
    {
    case '"': case '\\': case '/': g_string_append_c (out, ch); return TRUE;
    case 'b': g_string_append_c (out, '\b'); return TRUE;
    case 'f': g_string_append_c (out, '\f'); return TRUE;
    case 'n': g_string_append_c (out, '\n'); return TRUE;
    case 'r': g_string_append_c (out, '\r'); return TRUE;
    case 't': g_string_append_c (out, '\t'); return TRUE;
    case 'u':
      if (!scan_hex4 (s, &u))
        return FALSE;
      if (u >= 0xd800 && u < 0xdc00)
        {
          if (!scan_lit (s, "\\u") || !scan_hex4 (s, &lo) || lo < 0xdc00 || lo > 0xdfff)
            return FALSE;
          u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        }
      g_string_append_unichar (out, u);
      return TRUE;
    default:
      return FALSE;
    }
}

/* A string after its opening quote; out gets the decoded text. */
static gboolean
scan_string (Scan *s, GString *out)
{
  g_string_truncate (out, 0);
  while (s->p < s->end)
    {
      const char *q = s->p;
      while (q < s->end && *q != '"' && *q != '\\')
        q++;
      g_string_append_len (out, s->p, q - s->p);
      s->p = q;
      if (q >= s->end)
        return FALSE;
      s->p++;
      if (*q == '"')
        return TRUE;
      if (s->p >= s->end || !scan_escape (s, out))
        return FALSE;
    }
  return FALSE;
}

static gboolean
scan_value (Scan *s, PlanType type, PlanValue *v, GString *buf)
{
  char *after = NULL;

  v->type = type;
  if (scan_lit (s, "null"))
    {
      v->is_null = TRUE;
      return TRUE;
    }
  switch (type.kind)
    {
    case PLAN_TYPE_NULL:
      return FALSE;
    case PLAN_TYPE_BOOLEAN:
      v->v.b = scan_lit (s, "true");
      return v->v.b || scan_lit (s, "false");
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      v->v.i = g_ascii_strtoll (s->p, &after, 10);
      break;
    case PLAN_TYPE_DOUBLE:
      if (*s->p == '"')
        {
          s->p++;
          if (!scan_string (s, buf))
            return FALSE;
          v->v.d = strcmp (buf->str, "NaN") == 0 ? NAN
                   : buf->str[0] == '-' ? -INFINITY : INFINITY;
          return TRUE;
        }
      v->v.d = g_ascii_strtod (s->p, &after);
      break;
    case PLAN_TYPE_VARCHAR:
      if (!scan_lit (s, "\"") || !scan_string (s, buf))
        return FALSE;
      v->v.s = g_strndup (buf->str, buf->len);
      return TRUE;
    }
  if (after == NULL || after == s->p || after > s->end)
    return FALSE;
  s->p = after;
  return TRUE;
}

static GwRow *
scan_row (Scan *s, const PlanSchema *schema, GString *buf)
{
  GwRow *row;

  if (!scan_lit (s, "{\"kind\":\"") || !scan_string (s, buf) || !scan_lit (s, ",\"fields\":["))
    return NULL;
  row = g_new0 (GwRow, 1);
  row->n_values = schema->n_fields;
  row->values = g_new0 (PlanValue, MAX (row->n_values, 1u));
  if (!gw__row_kind_parse (buf->str, &row->kind))
    goto fail;
  for (guint i = 0; i < row->n_values; i++)
    if ((i > 0 && !scan_lit (s, ","))
        || !scan_value (s, schema->fields[i].type, &row->values[i], buf))
      goto fail;
  if (scan_lit (s, "]}"))
    return row;
fail:
  gw_row_free (row);
  return NULL;
}

gboolean
gw__wire_scan_page (const char *text, gsize len, const PlanSchema *schema, GPtrArray *rows,
                    gboolean *end)
{
  Scan s = { text, text + len };
  g_autoptr (GString) buf = g_string_new (NULL);
  const char *data;
  guint start = rows->len;

  if (!scan_lit (&s, "{\"resultType\":\"") || !scan_string (&s, buf))
    return FALSE;
  *end = strcmp (buf->str, "EOS") == 0;
  data = g_strstr_len (s.p, s.end - s.p, "],\"rowFormat\":\"JSON\",\"data\":[");
  if (data == NULL)
    return FALSE;
  s.p = data + strlen ("],\"rowFormat\":\"JSON\",\"data\":[");
  while (!scan_lit (&s, "]"))
    {
      GwRow *row;

      if ((rows->len > start && !scan_lit (&s, ",")) || (row = scan_row (&s, schema, buf)) == NULL)
        {
          g_ptr_array_remove_range (rows, start, rows->len - start);
          return FALSE;
        }
      g_ptr_array_add (rows, row);
    }
  return TRUE;
}
