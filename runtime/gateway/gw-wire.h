/* gw-wire.h: the JSON shapes shared by `strom serve` (gw-server.c) and the remote client
 * (gw-remote.c): result columns, rows with their changelog kind, errors. Private to the
 * gateway folder. */
#pragma once

#include "gw-private.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Flink's names: "INSERT", "UPDATE_BEFORE", "UPDATE_AFTER", "DELETE". */
const char *gw__row_kind_name (RtRowKind kind);
gboolean gw__row_kind_parse (const char *name, RtRowKind *out);

/* [{"name":..., "logicalType":{"type":"BIGINT","nullable":true}}, ...] */
void gw__wire_add_columns (JsonBuilder *b, const PlanSchema *schema);
PlanSchema *gw__wire_parse_columns (JsonArray *columns, GError **error);

/* {"kind":"INSERT","fields":[...]} appended as JSON text (result pages: no node tree).
 * Numbers travel as their storage integers, doubles as JSON numbers (non-finite ones as
 * "NaN", "Infinity", "-Infinity"), text as strings. */
void gw__wire_append_row (GString *out, const GwRow *row);
GwRow *gw__wire_parse_row (JsonNode *node, const PlanSchema *schema, GError **error);
/* Reads a result page in the server's compact form straight into rows (GwRow*), without
 * a JSON tree; FALSE (rows untouched) when the text is not in that form. */
gboolean gw__wire_scan_page (const char *text, gsize len, const PlanSchema *schema,
                             GPtrArray *rows, gboolean *end);

/* {"errors":[message], "error":{"domain":..., "code":..., "message":...}} */
char *gw__wire_error_json (GQuark domain, int code, const char *message);
/* Sets error from an error body (or a generic one naming the HTTP status). */
void gw__wire_set_error (JsonNode *root, guint http_status, GError **error);

/* TRUE when no array/object in the JSON text nests deeper than max_depth. */
gboolean gw__json_depth_ok (const char *data, gsize len, guint max_depth);
char *gw__json_node_to_string (JsonNode *node);
char *gw__json_builder_to_string (JsonBuilder *b);
/* Member helpers that tolerate a missing or mistyped member. */
const char *gw__json_get_string (JsonObject *o, const char *name);

G_END_DECLS
