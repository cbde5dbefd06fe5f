/* gw-remote.c: the gateway client over HTTP, for `strom --connect URL` and \connect.
 *
 * It fills the same vtable as the embedded client, so the REPL and the GUI cannot tell
 * them apart: statements go to a session on a `strom serve` instance (gw-server.c), rows
 * come back in pages by result token, and errors carry their original domain and code so
 * they print exactly as they would locally. Calls are synchronous libsoup requests made
 * in the caller's thread (the gateway API is single-threaded anyway); a fetch that may
 * wait becomes a bounded long poll (waitMs) so Ctrl-C stays responsive.
 *
 * The front ends also read the session's catalog and settings (completion, \plan) and
 * each operation's bound statement. The client therefore keeps a shadow embedded session
 * that never runs a job: once the server has accepted a DDL, SET or RESET statement, the
 * same statement is applied to the shadow, and queries are bound against it locally. */
#include "gw-wire.h"

#include <libsoup/soup.h>
#include <string.h>

#define MAX_WAIT_MS 1000

typedef struct {
  GwClient base;
  SoupSession *http;    /* owned */
  char *url;            /* owned: no trailing '/' */
  char *auth;           /* owned: "Bearer TOKEN", or NULL */
  char *session;        /* owned: the server's session handle */
  GwClient *shadow;     /* owned: embedded, never runs a job */
  GPtrArray *ops;       /* owned GwRemoteOp* */
} GwRemote;

typedef struct {
  GwOperation base;
  GwRemote *client;     /* borrowed: owns us */
  char *handle;         /* owned */
  char *message;        /* owned */
  char *job_id;         /* owned */
  PlanSchema *schema;   /* owned ref or NULL */
  gboolean changelog;
  PlanStatement *stmt;  /* owned: bound locally, or NULL */
  const PlanStatement *shadow_stmt; /* borrowed from the shadow session */
  guint64 token;
  gboolean ended;
  GError *failed;       /* owned: the job's error once it failed */
  GwStatus status;
  gboolean status_final;
  guint64 rows_read;
} GwRemoteOp;

static const GwOperationClass remote_op_class;

/* ---- HTTP -------------------------------------------------------------------------- */

/* Sends one request; returns the answer's bytes and sets *status, or NULL with error when
 * the server cannot be reached. */
static GBytes *
call_raw (GwRemote *c, const char *method, const char *path, const char *body, guint *status,
          GError **error)
{
  g_autofree char *uri = g_strconcat (c->url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr (GError) local = NULL;
  GBytes *answer;

  if (msg == NULL)
    {
      g_set_error (error, GW_ERROR, GW_ERROR_FAILED, "'%s' is not a valid server URL.", uri);
      return NULL;
    }
  if (c->auth != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                  c->auth);
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = soup_session_send_and_read (c->http, msg, NULL, &local);
  if (answer == NULL)
    {
      g_set_error (error, GW_ERROR, GW_ERROR_FAILED,
                   "Cannot reach the strom server at %s: %s. Is `strom serve` running there?",
                   c->url, local->message);
      return NULL;
    }
  *status = soup_message_get_status (msg);
  return answer;
}

/* Parses an answer; NULL with error for an error status (the server's error when it sent
 * one) or a body that is not JSON. */
static JsonNode *
parse_answer (GBytes *answer, guint status, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root = NULL;

  if (g_bytes_get_size (answer) > 0
      && json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL),
                                     (gssize) g_bytes_get_size (answer), NULL))
    root = json_parser_get_root (parser);
  if (status != SOUP_STATUS_OK || root == NULL)
    {
      gw__wire_set_error (root, status, error);
      return NULL;
    }
  return json_node_copy (root);
}

/* Sends one request; returns the parsed JSON answer, or NULL with error. */
static JsonNode *
call (GwRemote *c, const char *method, const char *path, const char *body, GError **error)
{
  guint status = 0;
  g_autoptr (GBytes) answer = call_raw (c, method, path, body, &status, error);

  return answer != NULL ? parse_answer (answer, status, error) : NULL;
}

static char *
session_path (GwRemote *c, const char *format, ...) G_GNUC_PRINTF (2, 3);

static char *
session_path (GwRemote *c, const char *format, ...)
{
  g_autofree char *rest = NULL;
  va_list ap;

  va_start (ap, format);
  rest = g_strdup_vprintf (format, ap);
  va_end (ap);
  return g_strdup_printf ("/v1/sessions/%s%s", c->session, rest);
}

static GwStatus
parse_status (const char *name)
{
  for (GwStatus s = GW_STATUS_CREATED; s <= GW_STATUS_FAILED; s++)
    if (g_strcmp0 (name, gw_status_name (s)) == 0)
      return s;
  return GW_STATUS_FAILED;
}

/* ---- operations -------------------------------------------------------------------- */

static void
op_free (GwRemoteOp *op)
{
  g_free (op->handle);
  g_free (op->message);
  g_free (op->job_id);
  if (op->schema != NULL)
    plan_schema_unref (op->schema);
  if (op->stmt != NULL)
    plan_statement_free (op->stmt);
  g_clear_error (&op->failed);
  g_free (op);
}

static PlanSchema *
op_get_schema (GwOperation *base)
{
  return ((GwRemoteOp *) base)->schema;
}

static const char *
op_get_message (GwOperation *base)
{
  return ((GwRemoteOp *) base)->message;
}

static const char *
op_get_job_id (GwOperation *base)
{
  return ((GwRemoteOp *) base)->job_id;
}

static const PlanStatement *
op_get_statement (GwOperation *base)
{
  GwRemoteOp *op = (GwRemoteOp *) base;

  return op->stmt != NULL ? op->stmt : op->shadow_stmt;
}

static gboolean
op_is_changelog (GwOperation *base)
{
  return ((GwRemoteOp *) base)->changelog;
}

static gboolean
status_ended (GwStatus s)
{
  return s == GW_STATUS_FINISHED || s == GW_STATUS_CANCELLED || s == GW_STATUS_FAILED;
}

static GwStatus
refresh_status (GwRemoteOp *op, guint wait_ms)
{
  g_autofree char *path = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *o;

  if (op->job_id == NULL)
    return GW_STATUS_FINISHED;
  if (op->status_final)
    return op->status;
  path = session_path (op->client, "/operations/%s/status?waitMs=%u", op->handle, wait_ms);
  root = call (op->client, "GET", path, NULL, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return op->status; /* unreachable: keep the last known */
  o = json_node_get_object (root);
  op->status = parse_status (gw__json_get_string (o, "status"));
  op->rows_read = (guint64) json_object_get_int_member_with_default (o, "rowsRead", 0);
  op->status_final = status_ended (op->status);
  return op->status;
}

static GwStatus
op_get_status (GwOperation *base)
{
  return refresh_status ((GwRemoteOp *) base, 0);
}

static guint64
op_get_rows_read (GwOperation *base)
{
  GwRemoteOp *op = (GwRemoteOp *) base;

  refresh_status (op, 0);
  return op->rows_read;
}

/* Reads one result page answer into page; FALSE when malformed. */
static gboolean
read_page (GwRemoteOp *op, JsonNode *root, GwPage *page, GError **error)
{
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonObject *results = o != NULL && json_object_has_member (o, "results")
                        ? json_object_get_object_member (o, "results") : NULL;
  JsonArray *data = results != NULL && json_object_has_member (results, "data")
                    ? json_object_get_array_member (results, "data") : NULL;

  if (data == NULL)
    {
      g_set_error (error, GW_ERROR, GW_ERROR_FAILED, "The server sent a malformed result page.");
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      GwRow *row = gw__wire_parse_row (json_array_get_element (data, i), op->schema, error);
      if (row == NULL)
        return FALSE;
      g_ptr_array_add (page->rows, row);
    }
  page->end = g_strcmp0 (gw__json_get_string (o, "resultType"), "EOS") == 0;
  return TRUE;
}

/* One GET of the next result page into page; FALSE with error. */
static gboolean
fetch_once (GwRemoteOp *op, guint max_rows, guint wait_ms, GwPage *page, GError **error)
{
  g_autofree char *path = session_path (op->client, "/operations/%s/result/%" G_GUINT64_FORMAT
                                        "?maxRows=%u&waitMs=%u", op->handle, op->token,
                                        max_rows, wait_ms);
  g_autoptr (GError) local = NULL;
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (JsonNode) root = NULL;
  guint status = 0;
  gsize len = 0;
  const char *text;

  answer = call_raw (op->client, "GET", path, NULL, &status, error);
  if (answer == NULL)
    return FALSE;
  text = g_bytes_get_data (answer, &len);
  if (status == SOUP_STATUS_OK
      && gw__wire_scan_page (text, len, op->schema, page->rows, &page->end))
    {
      op->token++;
      return TRUE;
    }
  root = parse_answer (answer, status, &local);
  if (root == NULL)
    {
      if (g_error_matches (local, GW_ERROR, GW_ERROR_FAILED) && op->job_id != NULL
          && refresh_status (op, 0) == GW_STATUS_FAILED)
        {
          op->failed = g_error_copy (local);
          op->ended = TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  op->token++;
  return read_page (op, root, page, error);
}

static GwPage *
op_fetch (GwOperation *base, guint max_rows, gint64 timeout_us, GError **error)
{
  GwRemoteOp *op = (GwRemoteOp *) base;
  g_autoptr (GwPage) page = gw__page_new ();
  gint64 deadline = timeout_us < 0 ? G_MAXINT64 : g_get_monotonic_time () + timeout_us;

  if (op->failed != NULL)
    {
      g_propagate_error (error, g_error_copy (op->failed));
      return NULL;
    }
  if (op->schema == NULL || op->ended)
    {
      page->end = TRUE;
      return g_steal_pointer (&page);
    }
  max_rows = CLAMP (max_rows, 1u, 10000u);
  for (;;)
    {
      gint64 left = deadline - g_get_monotonic_time ();

      if (!fetch_once (op, max_rows, (guint) CLAMP (left / 1000, 0, MAX_WAIT_MS), page, error))
        return NULL;
      op->ended = page->end;
      if (page->rows->len > 0 || page->end || g_get_monotonic_time () >= deadline)
        return g_steal_pointer (&page);
    }
}

static void
op_cancel (GwOperation *base)
{
  GwRemoteOp *op = (GwRemoteOp *) base;
  g_autofree char *path = NULL;
  g_autoptr (JsonNode) root = NULL;

  if (op->job_id == NULL || op->status_final)
    return;
  path = session_path (op->client, "/operations/%s/cancel", op->handle);
  root = call (op->client, "POST", path, "{}", NULL);
}

static GwStatus
op_wait (GwOperation *base)
{
  GwRemoteOp *op = (GwRemoteOp *) base;
  GwStatus s;

  while (!status_ended (s = refresh_status (op, MAX_WAIT_MS)))
    ;
  return s;
}

static char *
op_dup_metrics_json (GwOperation *base)
{
  GwRemoteOp *op = (GwRemoteOp *) base;
  g_autofree char *path = NULL;
  g_autoptr (JsonNode) root = NULL;

  if (op->job_id == NULL)
    return g_strdup ("{}");
  path = g_strdup_printf ("/v1/jobs/%s/metrics", op->job_id);
  root = call (op->client, "GET", path, NULL, NULL);
  return root != NULL ? gw__json_node_to_string (root) : g_strdup ("{}");
}

static const GwOperationClass remote_op_class = {
  .get_schema = op_get_schema,
  .get_message = op_get_message,
  .get_job_id = op_get_job_id,
  .get_statement = op_get_statement,
  .is_changelog = op_is_changelog,
  .get_status = op_get_status,
  .fetch = op_fetch,
  .cancel = op_cancel,
  .wait = op_wait,
  .dup_metrics_json = op_dup_metrics_json,
  .get_rows_read = op_get_rows_read,
};

/* ---- client ------------------------------------------------------------------------ */

/* Mirrors an accepted statement in the shadow session (see the top of the file). */
static void
shadow_apply (GwRemote *c, GwRemoteOp *op, const char *sql)
{
  g_autoptr (GPtrArray) asts = plan_sql_parse (sql, NULL);
  PlanStatement *stmt;
  GwOperation *shadow_op;

  if (asts == NULL || asts->len != 1)
    return;
  stmt = plan_sql_bind (gw_client_get_catalog (c->shadow), asts->pdata[0], NULL);
  if (stmt == NULL)
    return;
  switch (stmt->kind)
    {
    case PLAN_STMT_CREATE_TABLE:
    case PLAN_STMT_CREATE_VIEW:
    case PLAN_STMT_DROP_TABLE:
    case PLAN_STMT_DROP_VIEW:
    case PLAN_STMT_SET:
    case PLAN_STMT_RESET:
      plan_statement_free (stmt);
      shadow_op = gw_client_execute (c->shadow, sql, NULL);
      op->shadow_stmt = shadow_op != NULL ? gw_operation_get_statement (shadow_op) : NULL;
      return;
    case PLAN_STMT_SHOW_TABLES:
    case PLAN_STMT_SHOW_VIEWS:
    case PLAN_STMT_DESCRIBE:
    case PLAN_STMT_EXPLAIN:
    case PLAN_STMT_QUERY:
    case PLAN_STMT_INSERT:
    case PLAN_STMT_STOP_JOB: /* added by checkpoints */
    case PLAN_STMT_ANALYZE: /* added by statistics: runs on the server */
      op->stmt = stmt;
      return;
    }
  plan_statement_free (stmt);
}

static GwOperation *
remote_execute (GwClient *client, const char *sql, GError **error)
{
  GwRemote *c = (GwRemote *) client;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *body = NULL;
  g_autofree char *path = session_path (c, "/statements");
  g_autoptr (JsonNode) root = NULL;
  JsonObject *o;
  GwRemoteOp *op;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "statement");
  json_builder_add_string_value (b, sql);
  json_builder_end_object (b);
  body = gw__json_builder_to_string (b);
  root = call (c, "POST", path, body, error);
  if (root == NULL)
    return NULL;
  o = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (o == NULL || gw__json_get_string (o, "operationHandle") == NULL)
    {
      g_set_error (error, GW_ERROR, GW_ERROR_FAILED, "The server sent a malformed answer.");
      return NULL;
    }
  op = g_new0 (GwRemoteOp, 1);
  op->base.klass = &remote_op_class;
  op->client = c;
  op->handle = g_strdup (gw__json_get_string (o, "operationHandle"));
  op->message = g_strdup (gw__json_get_string (o, "message"));
  op->job_id = g_strdup (gw__json_get_string (o, "jobId"));
  op->changelog = json_object_get_boolean_member_with_default (o, "changelog", FALSE);
  op->status = op->job_id != NULL ? GW_STATUS_RUNNING : GW_STATUS_FINISHED;
  if (json_object_has_member (o, "columns")
      && (op->schema = gw__wire_parse_columns (json_object_get_array_member (o, "columns"),
                                               error)) == NULL)
    {
      op_free (op);
      return NULL;
    }
  shadow_apply (c, op, sql);
  g_ptr_array_add (c->ops, op);
  return &op->base;
}

static void
remote_free (GwClient *client)
{
  GwRemote *c = (GwRemote *) client;

  if (c->session != NULL)
    {
      g_autofree char *path = session_path (c, "%s", "");
      g_autoptr (JsonNode) root = call (c, "DELETE", path, NULL, NULL);
    }
  g_ptr_array_unref (c->ops);
  gw_client_free (c->shadow);
  g_clear_object (&c->http);
  g_free (c->url);
  g_free (c->auth);
  g_free (c->session);
  g_free (c);
}

static PlanCatalog *
remote_get_catalog (GwClient *client)
{
  return gw_client_get_catalog (((GwRemote *) client)->shadow);
}

static PlanSettings *
remote_get_settings (GwClient *client)
{
  return gw_client_get_settings (((GwRemote *) client)->shadow);
}

static char **
remote_list_jobs (GwClient *client)
{
  return gw__ops_list_jobs (((GwRemote *) client)->ops);
}

static GwOperation *
remote_get_operation (GwClient *client, const char *job_id)
{
  return gw__ops_find_job (((GwRemote *) client)->ops, job_id);
}

static const GwClientClass remote_class = {
  .free = remote_free,
  .get_catalog = remote_get_catalog,
  .get_settings = remote_get_settings,
  .execute = remote_execute,
  .list_jobs = remote_list_jobs,
  .get_operation = remote_get_operation,
};

GwClient *
gw_remote_client_new (const char *url, const char *token, GError **error)
{
  GwRemote *c = g_new0 (GwRemote, 1);
  g_autoptr (JsonNode) root = NULL;
  const char *handle;

  g_return_val_if_fail (url != NULL, NULL);
  c->base.klass = &remote_class;
  c->url = g_strdup (url);
  while (g_str_has_suffix (c->url, "/"))
    c->url[strlen (c->url) - 1] = '\0';
  c->auth = token != NULL ? g_strdup_printf ("Bearer %s", token) : NULL;
  c->http = soup_session_new_with_options ("user-agent", "strom", "timeout", 120, NULL);
  if (g_getenv ("STROM_TLS_CA_FILE") != NULL)
    {
      /* a private CA (or a self-signed server certificate) to trust for https URLs */
      g_autoptr (GTlsDatabase) db = g_tls_file_database_new (g_getenv ("STROM_TLS_CA_FILE"),
                                                             error);
      if (db == NULL)
        {
          gw_client_free (&c->base);
          return NULL;
        }
      soup_session_set_tls_database (c->http, db);
    }
  c->shadow = gw_client_new_embedded (NULL);
  c->ops = g_ptr_array_new_with_free_func ((GDestroyNotify) op_free);
  root = call (c, "POST", "/v1/sessions", "{}", error);
  handle = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
           ? gw__json_get_string (json_node_get_object (root), "sessionHandle") : NULL;
  if (handle == NULL)
    {
      if (root != NULL)
        g_set_error (error, GW_ERROR, GW_ERROR_FAILED, "%s did not open a session.", url);
      gw_client_free (&c->base);
      return NULL;
    }
  c->session = g_strdup (handle);
  return &c->base;
}

GwClient *
gw_remote_client_connect (const char *url, const char *token_file, GError **error)
{
  g_autofree char *fallback = g_build_filename (g_get_user_state_dir (), "strom", "token", NULL);
  g_autofree char *token = NULL;

  if (token_file != NULL || (g_getenv ("STROM_TOKEN") == NULL
                             && g_file_test (fallback, G_FILE_TEST_EXISTS)))
    {
      const char *path = token_file != NULL ? token_file : fallback;
      g_autoptr (GError) local = NULL;

      if (!g_file_get_contents (path, &token, NULL, &local))
        {
          g_set_error (error, GW_ERROR, GW_ERROR_FAILED, "Cannot read the token file: %s",
                       local->message);
          return NULL;
        }
      g_strstrip (token);
    }
  else
    token = g_strdup (g_getenv ("STROM_TOKEN"));
  return gw_remote_client_new (url, token, error);
}
