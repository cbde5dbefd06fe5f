/* gw-server.c: `strom serve`: HTTP routes, security, the job registry's tick, WebSockets.
 *
 * Routes (JSON unless said; every one but /health needs "Authorization: Bearer TOKEN"):
 *   GET    /health                                          {"status":"ok"}
 *   GET    /metrics                                         Prometheus text
 *   GET    /v1/info
 *   POST   /v1/sessions                                     {"sessionHandle"}
 *   GET    /v1/sessions/{s}       DELETE /v1/sessions/{s}   POST .../heartbeat
 *   POST   /v1/sessions/{s}/statements {"statement"}        {"operationHandle", ...}
 *   GET    /v1/sessions/{s}/operations/{o}/status[?waitMs]
 *   POST   /v1/sessions/{s}/operations/{o}/cancel   DELETE .../close
 *   GET    /v1/sessions/{s}/operations/{o}/result/{token}[?maxRows&waitMs]
 *   GET    /v1/jobs   /v1/jobs/{id}   /v1/jobs/{id}/metrics   /v1/jobs/{id}/history
 *   POST   /v1/jobs/{id}/cancel   (also PATCH /v1/jobs/{id}, Flink's form)
 *   WS     /v1/ws/jobs/{id}/metrics                 a metrics snapshot each second
 *   WS     /v1/ws/sessions/{s}/operations/{o}/result    result pages as rows arrive
 * The session routes follow Flink's SQL Gateway v1 so its users and tools recognise them.
 *
 * Security is enforced in one early handler, which runs once the headers are read and
 * before any body is buffered or any handler runs: the token (compared in constant time),
 * the body size (413 from Content-Length; 411 for a chunked body), and, for WebSocket upgrades, the Origin (403
 * unless it names this server). Session work runs on per-session threads
 * (gw-server-session.c); job history goes to SQLite (gw-server-store.c). */
#include "gw-server-private.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_LISTEN "127.0.0.1:8081"
#define DEFAULT_MAX_BODY (1024 * 1024)
#define DEFAULT_MAX_PAGE_ROWS 10000
#define MAX_JSON_DEPTH 32

char *gw__srv_random_hex (guint n_bytes);

/* A live WebSocket subscription: a job's metrics, or an operation's rows. */
typedef struct {
  gint ref_count;
  GwServer *server;               /* borrowed */
  SoupWebsocketConnection *conn;  /* owned */
  char *job_id;                   /* owned: metrics stream */
  char *session_id;               /* owned: rows stream */
  char *op_handle;                /* owned */
  GSource *poll;                  /* owned: rows stream poll */
  gboolean pending;               /* a fetch is queued */
  gboolean closed;
} GwSrvWs;

/* ---- helpers ----------------------------------------------------------------------- */

char *
gw__srv_random_hex (guint n_bytes)
{
  guint8 buf[64];
  GString *s = g_string_new (NULL);
  gsize got = 0;

  g_assert (n_bytes <= sizeof buf);
  while (got < n_bytes)
    {
      ssize_t r = getrandom (buf + got, n_bytes - got, 0);
      if (r < 0 && errno != EINTR)
        g_error ("getrandom failed: %s", g_strerror (errno));
      got += r > 0 ? (gsize) r : 0;
    }
  for (guint i = 0; i < n_bytes; i++)
    g_string_append_printf (s, "%02x", buf[i]);
  return g_string_free (s, FALSE);
}

void
gw__srv_respond (SoupServerMessage *msg, guint status, char *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, json,
                                    strlen (json));
}

void
gw__srv_respond_error (SoupServerMessage *msg, guint status, GQuark domain, int code,
                       const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  gw__srv_respond (msg, status, gw__wire_error_json (domain, code, message));
}

static gboolean
token_equal (const char *want, const char *got)
{
  gsize n = strlen (want), m = strlen (got);
  guint8 diff = n != m;

  /* constant time in the token's length: every byte is compared whatever differs */
  for (gsize i = 0; i < n; i++)
    diff |= (guint8) want[i] ^ (guint8) (i < m ? got[i] : 0);
  return diff == 0;
}

/* ---- token and directories --------------------------------------------------------- */

static char *
load_or_create_token (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_autofree char *fresh = NULL;
  struct stat st;
  int fd;

  if (g_stat (path, &st) == 0)
    {
      if ((st.st_mode & 077) != 0)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                       "The token file %s is readable by others; run chmod 600 on it.", path);
          return NULL;
        }
      if (!g_file_get_contents (path, &text, NULL, error))
        return NULL;
      g_strstrip (text);
      if (strlen (text) < 32)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "The token in %s is shorter than 32 characters (128 bits); delete the "
                       "file and strom serve will make a new one.", path);
          return NULL;
        }
      return g_steal_pointer (&text);
    }
  fresh = gw__srv_random_hex (32); /* 256 bits */
  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0 || write (fd, fresh, strlen (fresh)) != (ssize_t) strlen (fresh)
      || write (fd, "\n", 1) != 1)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "Cannot create the token file %s: %s", path, g_strerror (errno));
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  close (fd);
  return g_steal_pointer (&fresh);
}

static char *
resolve_dir (const char *dir)
{
  char *real = realpath (dir, NULL);
  char *out = g_strdup (real != NULL ? real : dir);

  free (real);
  return out;
}

/* The absolute, symlink-free form of a path that may not exist yet: the longest existing
 * ancestor is resolved and the rest appended. */
static char *
resolve_path (const char *path)
{
  g_autofree char *abs = g_canonicalize_filename (path, NULL);
  g_autofree char *dir = g_path_get_dirname (abs);
  g_autofree char *base = g_path_get_basename (abs);
  char *real = realpath (abs, NULL);
  char *out;

  if (real != NULL)
    {
      out = g_strdup (real);
      free (real);
      return out;
    }
  if (strcmp (dir, abs) == 0)
    return g_strdup (abs);
  {
    g_autofree char *parent = resolve_path (dir);
    return g_build_filename (parent, base, NULL);
  }
}

static gboolean
path_allowed (GwServer *server, const char *path)
{
  g_autofree char *real = resolve_path (path);

  for (guint i = 0; server->allow_dirs[i] != NULL; i++)
    {
      const char *d = server->allow_dirs[i];
      gsize n = strlen (d);
      if (strncmp (real, d, n) == 0 && (real[n] == '/' || real[n] == '\0'
                                        || (n > 0 && d[n - 1] == '/')))
        return TRUE;
    }
  return FALSE;
}

static gboolean
option_is_path (const char *key)
{
  return strcmp (key, "path") == 0 || g_str_has_suffix (key, ".path")
         || strcmp (key, "url") == 0 || strcmp (key, "database") == 0
         || g_str_has_suffix (key, ".dir") || strcmp (key, "file") == 0;
}

gboolean
gw__srv_check_table (const PlanTable *table, gpointer user_data, GError **error)
{
  GwServer *server = user_data;

  for (guint i = 0; table->options != NULL && i + 1 < table->options->len; i += 2)
    {
      const char *key = table->options->pdata[i];
      const char *value = table->options->pdata[i + 1];
      const char *path = value;

      if (!option_is_path (key) || value == NULL)
        continue;
      if (g_str_has_prefix (value, "file://"))
        path = value + 7;
      else if (g_str_has_prefix (value, "sqlite:"))
        path = value + 7;
      else if (strstr (value, "://") != NULL)
        continue; /* a network address, not a file */
      if (!path_allowed (server, path))
        {
          g_set_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED,
                       "%u:%u: Table '%s': the %s '%s' is outside the directories this server "
                       "may use (the state dir and those given with strom serve --allow-dir).",
                       MAX (table->span.line, 1u), MAX (table->span.col, 1u), table->name, key,
                       value);
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- the early handler: token, body size, Origin ---------------------------------- */

/* TRUE when a WebSocket upgrade's Origin (if any) names this very server, as its Host
 * header does: a page served elsewhere must not drive the API from a user's browser. */
static gboolean
origin_allowed (GwServer *server, SoupMessageHeaders *h)
{
  const char *origin = soup_message_headers_get_one (h, "Origin");
  const char *host = soup_message_headers_get_one (h, "Host");
  g_autoptr (GUri) uri = NULL;
  g_autofree char *from = NULL, *to = NULL;
  int port;

  if (origin == NULL)
    return TRUE; /* not a browser */
  uri = g_uri_parse (origin, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || host == NULL || g_uri_get_host (uri) == NULL)
    return FALSE;
  port = g_uri_get_port (uri);
  if (port < 0)
    port = g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
  from = g_strdup_printf ("%s:%d", g_uri_get_host (uri), port);
  to = strchr (host, ':') != NULL ? g_strdup (host)
       : g_strdup_printf ("%s:%d", host, soup_server_is_https (server->soup) ? 443 : 80);
  return g_ascii_strcasecmp (from, to) == 0;
}

static void
early_handler (SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
               gpointer data)
{
  GwServer *server = data;
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  gboolean ws = g_str_has_prefix (path, "/v1/ws/");

  server->n_requests++;
  if (strcmp (path, "/health") == 0)
    return;
  if (server->token != NULL)
    {
      const char *auth = soup_message_headers_get_one (h, "Authorization");
      const char *got = NULL;

      if (auth != NULL && g_ascii_strncasecmp (auth, "Bearer ", 7) == 0)
        got = auth + 7;
      else if (ws && query != NULL)
        got = g_hash_table_lookup (query, "access_token"); /* browsers can't set headers */
      if (got == NULL || !token_equal (server->token, got))
        {
          server->n_unauthorized++;
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "WWW-Authenticate", "Bearer realm=\"strom\"");
          gw__srv_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, GW_ERROR, GW_ERROR_FAILED,
                                 "A bearer token is required: send 'Authorization: Bearer "
                                 "TOKEN' with the token from the server's token file.");
          return;
        }
    }
  /* A chunked body's size is known only once it has been read: refuse it, so the limit
     holds before a byte of the body is buffered. */
  if (soup_message_headers_get_encoding (h) == SOUP_ENCODING_CHUNKED)
    {
      gw__srv_respond_error (msg, SOUP_STATUS_LENGTH_REQUIRED, GW_ERROR, GW_ERROR_FAILED,
                             "Send the request body with a Content-Length header; chunked "
                             "request bodies are refused (the limit is %" G_GSIZE_FORMAT
                             " bytes).", server->max_body);
      return;
    }
  if (soup_message_headers_get_encoding (h) == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (h) > (goffset) server->max_body)
    {
      gw__srv_respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, GW_ERROR,
                             GW_ERROR_FAILED, "The request body is larger than %" G_GSIZE_FORMAT
                             " bytes.", server->max_body);
      return;
    }
  if (ws && !origin_allowed (server, h))
    gw__srv_respond_error (msg, SOUP_STATUS_FORBIDDEN, GW_ERROR, GW_ERROR_FAILED,
                           "WebSocket connections from another origin are refused.");
}

/* ---- jobs routes ------------------------------------------------------------------- */

GwSrvJob *
gw__srv_find_job_locked (GwServer *server, const char *id)
{
  for (guint i = 0; i < server->jobs->len; i++)
    {
      GwSrvJob *job = server->jobs->pdata[i];
      if (strcmp (job->id, id) == 0)
        return job;
    }
  return NULL;
}

static GwStatus
job_status_locked (GwSrvJob *job)
{
  return job->op != NULL && job->ended_ms == 0 ? gw_operation_get_status (job->op) : job->status;
}

static void
add_json_member (JsonBuilder *b, const char *name, const char *json)
{
  g_autoptr (JsonParser) p = json_parser_new ();

  json_builder_set_member_name (b, name);
  if (json != NULL && json_parser_load_from_data (p, json, -1, NULL))
    json_builder_add_value (b, json_node_copy (json_parser_get_root (p)));
  else
    json_builder_add_null_value (b);
}

static void
add_live_job (JsonBuilder *b, GwSrvJob *job, gboolean detail)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, job->id);
  json_builder_set_member_name (b, "session");
  json_builder_add_string_value (b, job->session_id);
  json_builder_set_member_name (b, "sql");
  json_builder_add_string_value (b, job->sql);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, gw_status_name (job_status_locked (job)));
  json_builder_set_member_name (b, "submitted_ms");
  json_builder_add_int_value (b, job->submitted_ms);
  json_builder_set_member_name (b, "ended_ms");
  json_builder_add_int_value (b, job->ended_ms);
  json_builder_set_member_name (b, "persisted");
  json_builder_add_boolean_value (b, job->persisted);
  if (detail)
    {
      g_autofree char *metrics = job->op != NULL && job->ended_ms == 0
                                 ? gw_operation_dup_metrics_json (job->op)
                                 : g_strdup (job->final_metrics);
      add_json_member (b, "plan", job->plan_json);
      add_json_member (b, "metrics", metrics);
    }
  json_builder_end_object (b);
}

static void
list_jobs (GwServer *server, SoupServerMessage *msg)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GHashTable) live = g_hash_table_new (g_str_hash, g_str_equal);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "jobs");
  json_builder_begin_array (b);
  g_mutex_lock (&server->lock);
  for (guint i = 0; i < server->jobs->len; i++)
    g_hash_table_add (live, ((GwSrvJob *) server->jobs->pdata[i])->id);
  gw__srv_store_list_jobs (server, b, live); /* earlier runs first */
  for (guint i = 0; i < server->jobs->len; i++)
    add_live_job (b, server->jobs->pdata[i], FALSE);
  g_mutex_unlock (&server->lock);
  json_builder_end_array (b);
  json_builder_end_object (b);
  gw__srv_respond (msg, SOUP_STATUS_OK, gw__json_builder_to_string (b));
}

static void
job_route (GwServer *server, SoupServerMessage *msg, const char *id, const char *what)
{
  const char *method = soup_server_message_get_method (msg);
  char *json = NULL;
  GwSrvJob *job;

  g_mutex_lock (&server->lock);
  job = gw__srv_find_job_locked (server, id);
  if (what == NULL && strcmp (method, "GET") == 0 && job != NULL)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      add_live_job (b, job, TRUE);
      json = gw__json_builder_to_string (b);
    }
  else if (g_strcmp0 (what, "metrics") == 0 && job != NULL)
    json = job->op != NULL && job->ended_ms == 0 ? gw_operation_dup_metrics_json (job->op)
                                                 : g_strdup (job->final_metrics);
  else if (((g_strcmp0 (what, "cancel") == 0 && strcmp (method, "POST") == 0)
            || (what == NULL && strcmp (method, "PATCH") == 0)) && job != NULL)
    {
      if (job->op != NULL && job->ended_ms == 0)
        gw_operation_cancel (job->op);
      json = g_strdup ("{\"status\":\"CANCELING\"}");
    }
  g_mutex_unlock (&server->lock);
  if (json == NULL && what == NULL && strcmp (method, "GET") == 0)
    json = gw__srv_store_dup_job_json (server, id);
  else if (json == NULL && g_strcmp0 (what, "metrics") == 0)
    json = gw__srv_store_dup_final_metrics (server, id);
  else if (json == NULL && g_strcmp0 (what, "history") == 0)
    json = gw__srv_store_dup_history_json (server, id);
  if (json != NULL)
    gw__srv_respond (msg, SOUP_STATUS_OK, json);
  else
    gw__srv_respond_error (msg, SOUP_STATUS_NOT_FOUND, GW_ERROR, GW_ERROR_NOT_FOUND,
                           "No job '%s' (or no route %s for it); GET /v1/jobs lists them.",
                           id, method);
}

/* ---- Prometheus -------------------------------------------------------------------- */

static void
prom_label (GString *out, const char *value)
{
  for (const char *p = value != NULL ? value : ""; *p != '\0'; p++)
    if (*p == '\\' || *p == '"')
      g_string_append_printf (out, "\\%c", *p);
    else if (*p == '\n')
      g_string_append (out, "\\n");
    else
      g_string_append_c (out, *p);
}

static void
prom_job (GString *out, const char *job_id, const char *metrics_json)
{
  g_autoptr (JsonParser) p = json_parser_new ();
  JsonObject *m;
  JsonArray *ops, *tasks;

  if (metrics_json == NULL || !json_parser_load_from_data (p, metrics_json, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p)))
    return;
  m = json_node_get_object (json_parser_get_root (p));
  g_string_append_printf (out, "strom_job_rows_read{job=\"%s\"} %" G_GINT64_FORMAT "\n", job_id,
                          json_object_get_int_member_with_default (m, "rows_read", 0));
  ops = json_object_has_member (m, "operators") ? json_object_get_array_member (m, "operators")
                                                : NULL;
  for (guint i = 0; ops != NULL && i < json_array_get_length (ops); i++)
    {
      JsonObject *o = json_array_get_object_element (ops, i);
      const char *metric[] = { "rows_in", "rows_out", "rows_per_s", "rows_dropped" };
      for (guint k = 0; k < G_N_ELEMENTS (metric); k++)
        {
          g_string_append_printf (out, "strom_operator_%s{job=\"%s\",operator=\"%" G_GINT64_FORMAT
                                  "\",name=\"", metric[k], job_id,
                                  json_object_get_int_member_with_default (o, "id", 0));
          prom_label (out, gw__json_get_string (o, "name"));
          g_string_append_printf (out, "\"} %g\n",
                                  json_object_get_double_member_with_default (o, metric[k], 0));
        }
    }
  tasks = json_object_has_member (m, "tasks") ? json_object_get_array_member (m, "tasks") : NULL;
  for (guint i = 0; tasks != NULL && i < json_array_get_length (tasks); i++)
    {
      JsonObject *t = json_array_get_object_element (tasks, i);
      const char *metric[] = { "busy_ms_per_s", "idle_ms_per_s", "backpressured_ms_per_s" };
      for (guint k = 0; k < G_N_ELEMENTS (metric); k++)
        {
          g_string_append_printf (out, "strom_task_%s{job=\"%s\",task=\"", metric[k], job_id);
          prom_label (out, gw__json_get_string (t, "name"));
          g_string_append_printf (out, "\",subtask=\"%" G_GINT64_FORMAT "\"} %g\n",
                                  json_object_get_int_member_with_default (t, "subtask", 0),
                                  json_object_get_double_member_with_default (t, metric[k], 0));
        }
    }
}

static void
prometheus (GwServer *server, SoupServerMessage *msg)
{
  GString *out = g_string_new (NULL);
  guint counts[GW_STATUS_FAILED + 1] = { 0 };

  g_string_append_printf (out, "# TYPE strom_sessions gauge\nstrom_sessions %u\n"
                          "# TYPE strom_sessions_closing gauge\nstrom_sessions_closing %u\n",
                          g_hash_table_size (server->sessions), server->closing->len);
  g_string_append_printf (out, "# TYPE strom_http_requests_total counter\n"
                          "strom_http_requests_total %" G_GUINT64_FORMAT "\n"
                          "# TYPE strom_http_unauthorized_total counter\n"
                          "strom_http_unauthorized_total %" G_GUINT64_FORMAT "\n",
                          server->n_requests, server->n_unauthorized);
  g_mutex_lock (&server->lock);
  for (guint i = 0; i < server->jobs->len; i++)
    counts[job_status_locked (server->jobs->pdata[i])]++;
  g_string_append (out, "# TYPE strom_jobs gauge\n");
  for (guint s = 0; s <= GW_STATUS_FAILED; s++)
    g_string_append_printf (out, "strom_jobs{status=\"%s\"} %u\n", gw_status_name (s), counts[s]);
  g_string_append (out, "# TYPE strom_job_rows_read gauge\n# TYPE strom_operator_rows_out gauge\n"
                   "# TYPE strom_task_busy_ms_per_s gauge\n");
  for (guint i = 0; i < server->jobs->len; i++)
    {
      GwSrvJob *job = server->jobs->pdata[i];
      if (job->op != NULL && job->ended_ms == 0)
        {
          g_autofree char *m = gw_operation_dup_metrics_json (job->op);
          prom_job (out, job->id, m);
        }
    }
  g_mutex_unlock (&server->lock);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain; version=0.0.4", SOUP_MEMORY_TAKE,
                                    out->str, out->len);
  g_string_free (out, FALSE);
}

/* ---- the request handler ----------------------------------------------------------- */

static void
sessions_route (GwServer *server, SoupServerMessage *msg, char **parts, GHashTable *query)
{
  const char *method = soup_server_message_get_method (msg);
  GwSrvSession *session;

  if (parts[2] == NULL)
    {
      if (strcmp (method, "POST") != 0)
        {
          gw__srv_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, GW_ERROR, GW_ERROR_FAILED,
                                 "Open a session with POST /v1/sessions.");
          return;
        }
      session = gw__srv_session_new (server);
      g_hash_table_insert (server->sessions, (gpointer) gw__srv_session_get_id (session),
                           session);
      gw__srv_respond (msg, SOUP_STATUS_OK,
                       g_strdup_printf ("{\"sessionHandle\":\"%s\"}",
                                        gw__srv_session_get_id (session)));
      return;
    }
  session = g_hash_table_lookup (server->sessions, parts[2]);
  if (session == NULL)
    {
      gw__srv_respond_error (msg, SOUP_STATUS_NOT_FOUND, GW_ERROR, GW_ERROR_NOT_FOUND,
                             "No session '%s': it was closed, or the server restarted; open a "
                             "new one.", parts[2]);
      return;
    }
  if (parts[3] == NULL && strcmp (method, "DELETE") == 0)
    {
      g_hash_table_steal (server->sessions, parts[2]);
      gw__srv_session_close (session);
      g_ptr_array_add (server->closing, session);
      gw__srv_respond (msg, SOUP_STATUS_OK, g_strdup ("{\"status\":\"CLOSED\"}"));
      return;
    }
  gw__srv_session_handle (session, msg, parts + 3, query);
}

static void
handler (SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
         gpointer data)
{
  GwServer *server = data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  const char *method = soup_server_message_get_method (msg);
  g_auto (GStrv) parts = g_strsplit (path + (path[0] == '/'), "/", 8);
  guint n = g_strv_length (parts);

  if (server->verbose)
    g_printerr ("strom serve: %s %s\n", method, path);
  if ((gsize) body->length > server->max_body)
    {
      gw__srv_respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, GW_ERROR,
                             GW_ERROR_FAILED, "The request body is larger than %" G_GSIZE_FORMAT
                             " bytes.", server->max_body);
      return;
    }
  if (body->length > 0 && !gw__json_depth_ok (body->data, (gsize) body->length,
                                              server->max_depth))
    {
      gw__srv_respond_error (msg, SOUP_STATUS_BAD_REQUEST, GW_ERROR, GW_ERROR_FAILED,
                             "The request's JSON nests deeper than %u levels.",
                             server->max_depth);
      return;
    }
  if (strcmp (path, "/health") == 0)
    gw__srv_respond (msg, SOUP_STATUS_OK, g_strdup ("{\"status\":\"ok\"}"));
  else if (strcmp (path, "/metrics") == 0)
    prometheus (server, msg);
  else if (n == 2 && strcmp (parts[0], "v1") == 0 && strcmp (parts[1], "info") == 0)
    gw__srv_respond (msg, SOUP_STATUS_OK,
                     g_strdup ("{\"productName\":\"strom\",\"version\":\"0.1.0\"}"));
  else if (n >= 2 && strcmp (parts[0], "v1") == 0 && strcmp (parts[1], "sessions") == 0)
    sessions_route (server, msg, parts, query);
  else if (n == 2 && strcmp (parts[0], "v1") == 0 && strcmp (parts[1], "jobs") == 0)
    list_jobs (server, msg);
  else if ((n == 3 || n == 4) && strcmp (parts[0], "v1") == 0 && strcmp (parts[1], "jobs") == 0)
    job_route (server, msg, parts[2], parts[3]);
  else
    gw__srv_respond_error (msg, SOUP_STATUS_NOT_FOUND, GW_ERROR, GW_ERROR_NOT_FOUND,
                           "No route %s %s.", method, path);
}

/* ---- WebSockets -------------------------------------------------------------------- */

static GwSrvWs *
ws_ref (GwSrvWs *ws)
{
  g_atomic_int_inc (&ws->ref_count);
  return ws;
}

static void
ws_unref (GwSrvWs *ws)
{
  if (!g_atomic_int_dec_and_test (&ws->ref_count))
    return;
  if (ws->poll != NULL)
    {
      g_source_destroy (ws->poll);
      g_source_unref (ws->poll);
    }
  g_clear_object (&ws->conn);
  g_free (ws->job_id);
  g_free (ws->session_id);
  g_free (ws->op_handle);
  g_free (ws);
}

static void
ws_close (GwSrvWs *ws)
{
  if (ws->closed)
    return;
  ws->closed = TRUE;
  if (soup_websocket_connection_get_state (ws->conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (ws->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  if (g_ptr_array_remove (ws->server->ws, ws))
    ws_unref (ws);
}

static void
ws_on_closed (SoupWebsocketConnection *conn, gpointer data)
{
  ws_close (data);
}

static void
ws_rows_done (char *page_json, gboolean end, gpointer data)
{
  GwSrvWs *ws = data;

  ws->pending = FALSE;
  if (!ws->closed && page_json != NULL && *page_json != '\0')
    soup_websocket_connection_send_text (ws->conn, page_json);
  if (!ws->closed && (end || page_json == NULL))
    ws_close (ws);
  g_free (page_json);
  ws_unref (ws);
}

static gboolean
ws_rows_poll (gpointer data)
{
  GwSrvWs *ws = data;
  GwSrvSession *session = g_hash_table_lookup (ws->server->sessions, ws->session_id);

  if (ws->closed)
    return G_SOURCE_CONTINUE;
  if (session == NULL)
    {
      ws_close (ws);
      return G_SOURCE_CONTINUE;
    }
  if (!ws->pending)
    {
      ws->pending = TRUE;
      gw__srv_session_stream (session, ws->op_handle, 1000, ws_rows_done, ws_ref (ws));
    }
  return G_SOURCE_CONTINUE;
}

static void
ws_handler (SoupServer *soup, SoupServerMessage *msg, const char *path,
            SoupWebsocketConnection *conn, gpointer data)
{
  GwServer *server = data;
  g_auto (GStrv) parts = g_strsplit (path + 1, "/", 8);
  guint n = g_strv_length (parts);
  GwSrvWs *ws = g_new0 (GwSrvWs, 1);

  ws->ref_count = 1;
  ws->server = server;
  ws->conn = g_object_ref (conn);
  g_ptr_array_add (server->ws, ws);
  g_signal_connect (conn, "closed", G_CALLBACK (ws_on_closed), ws);
  if (n == 5 && strcmp (parts[2], "jobs") == 0 && strcmp (parts[4], "metrics") == 0)
    ws->job_id = g_strdup (parts[3]); /* the tick sends the snapshots */
  else if (n == 7 && strcmp (parts[2], "sessions") == 0 && strcmp (parts[6], "result") == 0)
    {
      ws->session_id = g_strdup (parts[3]);
      ws->op_handle = g_strdup (parts[5]);
      ws->poll = g_timeout_source_new (50);
      g_source_set_callback (ws->poll, ws_rows_poll, ws, NULL);
      g_source_attach (ws->poll, server->ctx);
    }
  else
    {
      soup_websocket_connection_send_text (conn, "{\"errors\":[\"No such stream.\"]}");
      ws_close (ws);
    }
}

/* ---- the tick: metrics history, ended jobs, closing sessions ----------------------- */

static void
tick_ws (GwServer *server, const char *job_id, const char *metrics, gboolean ended)
{
  for (guint i = 0; i < server->ws->len; i++)
    {
      GwSrvWs *ws = server->ws->pdata[i];
      if (ws->job_id == NULL || strcmp (ws->job_id, job_id) != 0 || ws->closed)
        continue;
      soup_websocket_connection_send_text (ws->conn, metrics);
      if (ended)
        {
          ws_close (ws);
          i--;
        }
    }
}

static void
tick_jobs (GwServer *server)
{
  gint64 now = g_get_real_time () / 1000;
  g_autoptr (GPtrArray) save = g_ptr_array_new ();

  g_mutex_lock (&server->lock);
  for (guint i = 0; i < server->jobs->len; i++)
    {
      GwSrvJob *job = server->jobs->pdata[i];
      g_autofree char *metrics = NULL;

      if (job->op != NULL && job->ended_ms == 0)
        {
          job->status = gw_operation_get_status (job->op);
          metrics = gw_operation_dup_metrics_json (job->op);
          gw__srv_store_add_metrics (server, job->id, now, metrics);
          if (job->status != GW_STATUS_CREATED && job->status != GW_STATUS_RUNNING)
            {
              job->ended_ms = now;
              job->final_metrics = g_strdup (metrics);
            }
          tick_ws (server, job->id, metrics, job->ended_ms != 0);
        }
      if (job->ended_ms != 0 && !job->persisted)
        g_ptr_array_add (save, job);
    }
  for (guint i = 0; i < save->len; i++)
    {
      GwSrvJob *job = save->pdata[i];
      gw__srv_store_save_job (server, job);
      job->persisted = TRUE;
    }
  g_mutex_unlock (&server->lock);
}

static void free_job (GwSrvJob *job);

/* Jobs whose session is gone and whose record is in SQLite leave memory: the store
 * answers for them from now on, so a long-running server does not grow with its history. */
static void
drop_recorded_jobs (GwServer *server)
{
  g_mutex_lock (&server->lock);
  for (guint i = 0; i < server->jobs->len; i++)
    {
      GwSrvJob *job = server->jobs->pdata[i];
      if (job->op != NULL || !job->persisted)
        continue;
      g_ptr_array_remove_index (server->jobs, i--);
      free_job (job);
    }
  g_mutex_unlock (&server->lock);
}

/* Sessions nobody used for session_idle_us are closed as if the client had (Flink's
 * sql-gateway.session.idle-timeout; clients send heartbeats or statements). */
static void
close_idle_sessions (GwServer *server)
{
  gint64 now = g_get_monotonic_time ();
  GHashTableIter it;
  GwSrvSession *session;

  g_hash_table_iter_init (&it, server->sessions);
  while (g_hash_table_iter_next (&it, NULL, (gpointer *) &session))
    if (now - gw__srv_session_get_last_used (session) > server->session_idle_us)
      {
        g_hash_table_iter_steal (&it);
        gw__srv_session_close (session);
        g_ptr_array_add (server->closing, session);
      }
}

static gboolean
tick (gpointer data)
{
  GwServer *server = data;
  gboolean freed = FALSE;

  tick_jobs (server);
  close_idle_sessions (server);
  for (guint i = 0; i < server->closing->len; i++)
    {
      GwSrvSession *session = server->closing->pdata[i];
      if (gw__srv_session_has_live_jobs (session))
        continue;
      g_ptr_array_remove_index (server->closing, i--);
      gw__srv_session_free (session);
      freed = TRUE;
    }
  if (freed)
    {
      tick_jobs (server); /* records what do_quit ended */
      drop_recorded_jobs (server);
    }
  return G_SOURCE_CONTINUE;
}

/* ---- life cycle -------------------------------------------------------------------- */

static GSocketAddress *
parse_listen (const char *listen, gboolean *loopback, GError **error)
{
  const char *colon = strrchr (listen, ':');
  g_autofree char *host = NULL;
  g_autoptr (GInetAddress) addr = NULL;
  char *end = NULL;
  guint64 port;

  if (colon == NULL)
    goto bad;
  host = g_strndup (listen, (gsize) (colon - listen));
  if (host[0] == '[' && host[strlen (host) - 1] == ']')
    {
      memmove (host, host + 1, strlen (host) - 2);
      host[strlen (host) - 2] = '\0';
    }
  port = g_ascii_strtoull (colon + 1, &end, 10);
  if (end == colon + 1 || *end != '\0' || port > 65535)
    goto bad;
  addr = strcmp (host, "localhost") == 0 ? g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4)
                                         : g_inet_address_new_from_string (host);
  if (addr == NULL)
    goto bad;
  *loopback = g_inet_address_get_is_loopback (addr);
  return g_inet_socket_address_new (addr, (guint16) port);
bad:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "--listen '%s' is not HOST:PORT with an IP address (e.g. 127.0.0.1:8081).", listen);
  return NULL;
}

static gboolean
setup_security (GwServer *server, const GwServerOptions *o, gboolean loopback, GError **error)
{
  g_autofree char *token_file = NULL;
  GPtrArray *dirs = g_ptr_array_new ();

  g_ptr_array_add (dirs, resolve_dir (server->state_dir));
  for (guint i = 0; o->allow_dirs != NULL && o->allow_dirs[i] != NULL; i++)
    g_ptr_array_add (dirs, resolve_dir (o->allow_dirs[i]));
  g_ptr_array_add (dirs, NULL);
  server->allow_dirs = (char **) g_ptr_array_free (dirs, FALSE);
  if (o->no_auth)
    {
      if (!loopback)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                       "Refusing to listen on a non-loopback address without a token: drop "
                       "--no-auth, or listen on 127.0.0.1.");
          return FALSE;
        }
      return TRUE;
    }
  token_file = o->token_file != NULL ? g_strdup (o->token_file)
                                     : g_build_filename (server->state_dir, "token", NULL);
  server->token = load_or_create_token (token_file, error);
  if (server->token == NULL)
    return FALSE;
  server->token_file = g_steal_pointer (&token_file);
  if ((o->tls_cert != NULL) != (o->tls_key != NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Give both --tls-cert and --tls-key, or neither.");
      return FALSE;
    }
  if (o->tls_cert != NULL)
    {
      g_autoptr (GTlsCertificate) cert = g_tls_certificate_new_from_files (o->tls_cert,
                                                                          o->tls_key, error);
      if (cert == NULL)
        return FALSE;
      soup_server_set_tls_certificate (server->soup, cert);
    }
  return TRUE;
}

static gboolean
start_listening (GwServer *server, GSocketAddress *addr, gboolean tls, GError **error)
{
  GSList *uris;
  GUri *uri;

  g_autoptr (GSocket) sock = g_socket_new (g_socket_address_get_family (addr),
                                           G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);

  /* our own socket for a deeper accept queue than GSocket's default of 10: many clients
   * connecting at once must wait, not be reset */
  if (sock == NULL)
    return FALSE;
  g_socket_set_listen_backlog (sock, 512);
  if (!g_socket_bind (sock, addr, TRUE, error) || !g_socket_listen (sock, error)
      || !soup_server_listen_socket (server->soup, sock, tls ? SOUP_SERVER_LISTEN_HTTPS : 0,
                                     error))
    return FALSE;
  uris = soup_server_get_uris (server->soup);
  uri = uris->data;
  server->port = (guint) g_uri_get_port (uri);
  server->url = g_strdup_printf ("%s://%s:%u", tls ? "https" : "http",
                                 g_uri_get_host (uri), server->port);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return TRUE;
}

GwServer *
gw_server_new (const GwServerOptions *options, GError **error)
{
  g_autoptr (GwServer) server = g_new0 (GwServer, 1);
  g_autoptr (GSocketAddress) addr = NULL;
  gboolean loopback = FALSE;

  server->ctx = g_main_context_ref_thread_default ();
  g_mutex_init (&server->lock);
  server->jobs = g_ptr_array_new ();
  server->closing = g_ptr_array_new ();
  server->ws = g_ptr_array_new ();
  server->sessions = g_hash_table_new (g_str_hash, g_str_equal);
  server->max_body = options->max_body > 0 ? options->max_body : DEFAULT_MAX_BODY;
  server->max_page_rows = options->max_page_rows > 0 ? options->max_page_rows
                                                     : DEFAULT_MAX_PAGE_ROWS;
  server->max_depth = MAX_JSON_DEPTH;
  server->session_idle_us = (gint64) (options->session_idle_s > 0 ? options->session_idle_s
                                                                   : 24 * 3600) * G_USEC_PER_SEC;
  server->verbose = options->verbose;
  server->state_dir = options->state_dir != NULL
                      ? g_strdup (options->state_dir)
                      : g_build_filename (g_get_user_state_dir (), "strom", NULL);
  server->soup = soup_server_new ("server-header", "strom/0.1 ", NULL);
  addr = parse_listen (options->listen != NULL ? options->listen : DEFAULT_LISTEN, &loopback,
                       error);
  if (addr == NULL)
    return NULL;
  if (g_mkdir_with_parents (server->state_dir, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "Cannot create the state dir %s: %s", server->state_dir, g_strerror (errno));
      return NULL;
    }
  if (!setup_security (server, options, loopback, error) || !gw__srv_store_open (server, error))
    return NULL;
  soup_server_add_early_handler (server->soup, NULL, early_handler, server, NULL);
  soup_server_add_early_handler (server->soup, "/v1/ws", early_handler, server, NULL);
  soup_server_add_handler (server->soup, NULL, handler, server, NULL);
  soup_server_add_websocket_handler (server->soup, "/v1/ws", NULL, NULL, ws_handler, server,
                                     NULL);
  if (!start_listening (server, addr, options->tls_cert != NULL, error))
    return NULL;
  server->tick = g_timeout_source_new (1000);
  g_source_set_callback (server->tick, tick, server, NULL);
  g_source_attach (server->tick, server->ctx);
  return g_steal_pointer (&server);
}

guint
gw_server_get_port (GwServer *server)
{
  return server->port;
}

const char *
gw_server_get_url (GwServer *server)
{
  return server->url;
}

const char *
gw_server_get_token (GwServer *server)
{
  return server->token;
}

static void
free_job (GwSrvJob *job)
{
  g_free (job->id);
  g_free (job->session_id);
  g_free (job->sql);
  g_free (job->plan_json);
  g_free (job->final_metrics);
  g_free (job);
}

void
gw_server_free (GwServer *server)
{
  GHashTableIter it;
  gpointer session;

  if (server == NULL)
    return;
  if (server->tick != NULL)
    {
      g_source_destroy (server->tick);
      g_source_unref (server->tick);
    }
  while (server->ws->len > 0)
    ws_close (server->ws->pdata[0]);
  /* sessions first, while their connections can still be answered */
  g_hash_table_iter_init (&it, server->sessions);
  while (g_hash_table_iter_next (&it, NULL, &session))
    g_ptr_array_add (server->closing, session);
  g_hash_table_remove_all (server->sessions);
  for (guint i = 0; i < server->closing->len; i++)
    gw__srv_session_free (server->closing->pdata[i]);
  g_ptr_array_set_size (server->closing, 0);
  for (guint i = 0; i < server->jobs->len; i++)
    {
      GwSrvJob *job = server->jobs->pdata[i];
      if (!job->persisted)
        gw__srv_store_save_job (server, job);
      free_job (job);
    }
  if (server->soup != NULL)
    soup_server_disconnect (server->soup);
  g_clear_object (&server->soup);
  gw__srv_store_close (server);
  g_ptr_array_unref (server->jobs);
  g_ptr_array_unref (server->closing);
  g_ptr_array_unref (server->ws);
  g_hash_table_unref (server->sessions);
  g_mutex_clear (&server->lock);
  g_strfreev (server->allow_dirs);
  g_free (server->token);
  g_free (server->token_file);
  g_free (server->state_dir);
  g_free (server->url);
  g_main_context_unref (server->ctx);
  g_free (server);
}

/* ---- strom serve ------------------------------------------------------------------- */

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

int
gw_server_main (int argc, char **argv)
{
  g_autofree char *listen = NULL, *token_file = NULL, *state_dir = NULL;
  g_autofree char *cert = NULL, *key = NULL;
  g_auto (GStrv) allow = NULL;
  gboolean no_auth = FALSE, verbose = FALSE;
  gint idle_s = 0;
  const GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, "Address to listen on (default "
      DEFAULT_LISTEN "; port 0 picks a free one)", "HOST:PORT" },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      "Bearer token file (default STATE_DIR/token, created 0600)", "FILE" },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
      "Job history and token (default $XDG_STATE_HOME/strom)", "DIR" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, "Serve HTTPS with this PEM certificate",
      "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &key, "The certificate's PEM private key", "FILE" },
    { "allow-dir", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &allow,
      "A directory tables may read and write (repeatable; the state dir always)", "DIR" },
    { "no-auth", 0, 0, G_OPTION_ARG_NONE, &no_auth, "No token (loopback addresses only)", NULL },
    { "session-timeout", 0, 0, G_OPTION_ARG_INT, &idle_s,
      "Close a session unused this many seconds (default 86400)", "SECONDS" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log each request on stderr", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- run strom as a server");
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GwServer) server = NULL;
  GwServerOptions o = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "strom serve: %s\nTry 'strom serve --help'.\n", error->message);
      return 1;
    }
  o.listen = listen;
  o.token_file = token_file;
  o.state_dir = state_dir;
  o.tls_cert = cert;
  o.tls_key = key;
  o.allow_dirs = (const char *const *) allow;
  o.no_auth = no_auth;
  o.verbose = verbose;
  o.session_idle_s = (guint) MAX (idle_s, 0);
  server = gw_server_new (&o, &error);
  if (server == NULL)
    {
      fprintf (stderr, "strom serve: %s\n", error->message);
      return 1;
    }
  printf ("Listening on %s\n", gw_server_get_url (server));
  fflush (stdout);
  if (server->token_file != NULL)
    fprintf (stderr, "strom serve: connect with: strom --connect %s --token-file %s\n",
             server->url, server->token_file);
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_main_loop_run (loop);
  fprintf (stderr, "strom serve: stopping\n");
  return 0;
}
