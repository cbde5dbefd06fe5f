/* test-server.c: `strom serve` end to end. Each case starts a real server on a loopback
 * port picked by the kernel (port 0, read back), on its own thread and main context, with
 * a fresh state dir, and drives it with the remote client and with plain HTTP
 * (SoupSession): pages of results, cancel, the job list after a restart, and the
 * security checks (401, 403, 413, 400, paths outside the allowed directories). No sleeps:
 * every wait is on a condition (the server's readiness, a job's end). */
#include "runtime/gateway/gw-server.h"
#include "runtime/gateway/gw-wire.h" /* the page reader is checked directly too */

#include <glib/gstdio.h>
#include <math.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
  char *dir;             /* owned: temp root */
  char *state_dir;       /* owned */
  GThread *thread;
  GMainContext *ctx;     /* owned by the server thread */
  GMainLoop *loop;
  GwServer *server;
  char *url;             /* owned copy */
  char *token;           /* owned copy */
  GMutex lock;
  GCond cond;
  gboolean ready;
  char *tls_cert;        /* owned, or NULL: plain http */
  char *tls_key;         /* owned */
  gboolean skip;
  const char *variant;   /* the case's data: NULL, "tls" or "idle" */
} Fixture;

static gpointer
server_thread (gpointer data)
{
  Fixture *f = data;
  const char *allow[] = { f->dir, NULL };
  GwServerOptions o = { .listen = "127.0.0.1:0", .state_dir = f->state_dir,
                        .allow_dirs = allow, .tls_cert = f->tls_cert, .tls_key = f->tls_key,
                        .session_idle_s = g_strcmp0 (f->variant, "idle") == 0 ? 1 : 0 };
  g_autoptr (GError) error = NULL;

  g_main_context_push_thread_default (f->ctx);
  f->server = gw_server_new (&o, &error);
  g_assert_no_error (error);
  g_mutex_lock (&f->lock);
  f->url = g_strdup (gw_server_get_url (f->server));
  f->token = g_strdup (gw_server_get_token (f->server));
  f->ready = TRUE;
  g_cond_signal (&f->cond);
  g_mutex_unlock (&f->lock);
  g_main_loop_run (f->loop);
  gw_server_free (f->server);
  f->server = NULL;
  g_main_context_pop_thread_default (f->ctx);
  return NULL;
}

static void
server_start (Fixture *f)
{
  f->ctx = g_main_context_new ();
  f->loop = g_main_loop_new (f->ctx, FALSE);
  f->ready = FALSE;
  f->thread = g_thread_new ("test-server", server_thread, f);
  g_mutex_lock (&f->lock);
  while (!f->ready)
    g_cond_wait (&f->cond, &f->lock);
  g_mutex_unlock (&f->lock);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
server_stop (Fixture *f)
{
  g_main_context_invoke (f->ctx, quit_loop, f->loop);
  g_thread_join (f->thread);
  g_main_loop_unref (f->loop);
  g_main_context_unref (f->ctx);
  g_clear_pointer (&f->url, g_free);
  g_clear_pointer (&f->token, g_free);
}

static void
remove_tree (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_remove (child);
    }
  if (d != NULL)
    g_dir_close (d);
  g_rmdir (path);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("strom-server-XXXXXX", NULL);
  f->state_dir = g_build_filename (f->dir, "state", NULL);
  g_mutex_init (&f->lock);
  g_cond_init (&f->cond);
  f->variant = data;
  if (g_strcmp0 (data, "tls") == 0)
    {
#ifdef __SANITIZE_ADDRESS__
      /* LeakSanitizer (gcc 12) crashes at exit scanning the dynamic TLS block of
       * glib-networking's dlopen'ed GnuTLS module; the module loads with the first
       * certificate, so the sanitizer build skips this case. */
      f->skip = TRUE;
      return;
#endif
      f->tls_cert = g_test_build_filename (G_TEST_DIST, "gateway", "tls-test-cert.pem", NULL);
      f->tls_key = g_test_build_filename (G_TEST_DIST, "gateway", "tls-test-key.pem", NULL);
    }
  server_start (f);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (f->thread != NULL)
    server_stop (f);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->state_dir);
  g_free (f->tls_cert);
  g_free (f->tls_key);
  g_mutex_clear (&f->lock);
  g_cond_clear (&f->cond);
}

/* ---- plain HTTP -------------------------------------------------------------------- */

typedef struct {
  guint status;
  char *body;  /* owned */
} Answer;

static void
answer_clear (Answer *a)
{
  g_clear_pointer (&a->body, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Answer, answer_clear)

/* One request with optional token, extra header and body. */
static Answer
http (Fixture *f, const char *method, const char *path, const char *token,
      const char *header, const char *value, const char *body, gsize body_len)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strconcat (f->url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  SoupMessageHeaders *h = soup_message_get_request_headers (msg);
  Answer a = { 0, NULL };

  if (token != NULL)
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", token);
      soup_message_headers_replace (h, "Authorization", auth);
    }
  if (header != NULL)
    soup_message_headers_replace (h, header, value);
  if (body != NULL)
    {
      g_autoptr (GBytes) b = g_bytes_new (body, body_len);
      soup_message_set_request_body_from_bytes (msg, "application/json", b);
    }
  bytes = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  a.status = soup_message_get_status (msg);
  a.body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return a;
}

static JsonObject *
parse_object (JsonParser *parser, const char *text)
{
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static char *
open_session (Fixture *f)
{
  g_auto (Answer) a = http (f, "POST", "/v1/sessions", f->token, NULL, NULL, "{}", 2);
  g_autoptr (JsonParser) p = json_parser_new ();

  g_assert_cmpuint (a.status, ==, 200);
  return g_strdup (json_object_get_string_member (parse_object (p, a.body), "sessionHandle"));
}

static char *
submit (Fixture *f, const char *session, const char *sql)
{
  g_autofree char *path = g_strdup_printf ("/v1/sessions/%s/statements", session);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *body = NULL;
  g_autoptr (JsonParser) p = json_parser_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "statement");
  json_builder_add_string_value (b, sql);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  body = json_generator_to_data (gen, NULL);
  {
    g_auto (Answer) a = http (f, "POST", path, f->token, NULL, NULL, body, strlen (body));
    if (a.status != 200)
      g_error ("statement failed: %u %s", a.status, a.body);
    return g_strdup (json_object_get_string_member (parse_object (p, a.body),
                                                    "operationHandle"));
  }
}

#define SEQ_TABLE(name, n) \
  "CREATE TABLE " name " (a BIGINT) WITH ('connector' = 'datagen', " \
  "'fields.a.kind' = 'sequence', 'fields.a.start' = '1', 'fields.a.end' = '" n "', " \
  "'rows-per-second' = '100000000')"

/* ---- cases ------------------------------------------------------------------------- */

static void
test_auth (Fixture *f, gconstpointer data)
{
  g_autofree char *token_path = g_build_filename (f->state_dir, "token", NULL);
  struct stat st;

  /* the token: 0600, 256 bits as 64 hex characters */
  g_assert_cmpint (g_stat (token_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpuint (strlen (f->token), ==, 64);
  {
    g_auto (Answer) a = http (f, "GET", "/health", NULL, NULL, NULL, NULL, 0);
    g_assert_cmpuint (a.status, ==, 200);
  }
  {
    g_auto (Answer) a = http (f, "GET", "/v1/jobs", NULL, NULL, NULL, NULL, 0);
    g_assert_cmpuint (a.status, ==, 401);
  }
  {
    g_autofree char *wrong = g_strdup (f->token);
    wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
    g_auto (Answer) a = http (f, "GET", "/v1/jobs", wrong, NULL, NULL, NULL, 0);
    g_assert_cmpuint (a.status, ==, 401);
  }
  {
    g_auto (Answer) a = http (f, "GET", "/metrics", NULL, NULL, NULL, NULL, 0);
    g_assert_cmpuint (a.status, ==, 401);
  }
  {
    g_auto (Answer) a = http (f, "GET", "/metrics", f->token, NULL, NULL, NULL, 0);
    g_assert_cmpuint (a.status, ==, 200);
    g_assert_nonnull (strstr (a.body, "strom_sessions 0\n"));
  }
  {
    g_auto (Answer) a = http (f, "GET", "/v1/jobs", f->token, NULL, NULL, NULL, 0);
    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpstr (a.body, ==, "{\"jobs\":[]}");
  }
}

/* Plain HTTP: 2500 rows, pages of 300: 9 pages (8 full, one of 100) then EOS, a retried
 * token answers the same page, a skipped one is refused. */
static void
test_http_pages (Fixture *f, gconstpointer data)
{
  g_autofree char *session = open_session (f);
  g_autofree char *create = submit (f, session, SEQ_TABLE ("t", "2500"));
  g_autofree char *op = submit (f, session, "SELECT a FROM t");
  guint64 token = 0, rows = 0, sum = 0;
  gboolean eos = FALSE;

  while (!eos)
    {
      g_autofree char *path = g_strdup_printf ("/v1/sessions/%s/operations/%s/result/%"
                                               G_GUINT64_FORMAT "?maxRows=300&waitMs=1000",
                                               session, op, token);
      g_auto (Answer) a = http (f, "GET", path, f->token, NULL, NULL, NULL, 0);
      g_autoptr (JsonParser) p = json_parser_new ();
      JsonObject *o;
      JsonArray *data_rows;

      g_assert_cmpuint (a.status, ==, 200);
      o = parse_object (p, a.body);
      data_rows = json_object_get_array_member (json_object_get_object_member (o, "results"),
                                                "data");
      g_assert_cmpuint (json_array_get_length (data_rows), <=, 300);
      for (guint i = 0; i < json_array_get_length (data_rows); i++)
        {
          JsonObject *row = json_array_get_object_element (data_rows, i);
          g_assert_cmpstr (json_object_get_string_member (row, "kind"), ==, "INSERT");
          sum += (guint64) json_array_get_int_element (
                   json_object_get_array_member (row, "fields"), 0);
          rows++;
        }
      eos = strcmp (json_object_get_string_member (o, "resultType"), "EOS") == 0;
      if (token == 1)
        {
          /* the same token again: the same page */
          g_auto (Answer) again = http (f, "GET", path, f->token, NULL, NULL, NULL, 0);
          g_assert_cmpstr (again.body, ==, a.body);
        }
      token++;
    }
  g_assert_cmpuint (rows, ==, 2500);
  g_assert_cmpuint (sum, ==, 2500 * 2501 / 2);
  {
    g_autofree char *path = g_strdup_printf ("/v1/sessions/%s/operations/%s/result/%"
                                             G_GUINT64_FORMAT, session, op, token + 5);
    g_auto (Answer) a = http (f, "GET", path, f->token, NULL, NULL, NULL, 0);
    g_assert_cmpuint (a.status, ==, 400);
  }
  {
    g_autofree char *path = g_strdup_printf ("/v1/sessions/%s/operations/%s/result/%"
                                             G_GUINT64_FORMAT "?maxRows=1000000", session, op,
                                             token);
    g_auto (Answer) a = http (f, "GET", path, f->token, NULL, NULL, NULL, 0);
    g_assert_cmpuint (a.status, ==, 400);
    g_assert_nonnull (strstr (a.body, "maxRows"));
  }
  {
    g_autofree char *path = g_strdup_printf ("/v1/sessions/%s", session);
    g_autofree char *stmt = g_strdup_printf ("/v1/sessions/%s/statements", session);
    g_auto (Answer) closed = http (f, "DELETE", path, f->token, NULL, NULL, NULL, 0);
    const char *body = "{\"statement\":\"SHOW TABLES\"}";
    g_auto (Answer) a = http (f, "POST", stmt, f->token, NULL, NULL, body, strlen (body));
    g_assert_cmpuint (closed.status, ==, 200);
    g_assert_cmpuint (a.status, ==, 404);
  }
}

/* The remote client: a changelog-free bounded query paged 100 rows at a time. */
static void
test_remote_client (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GwClient) c = gw_remote_client_new (f->url, f->token, &error);
  GwOperation *op;
  guint64 rows = 0, sum = 0;
  gboolean end = FALSE;

  g_assert_no_error (error);
  op = gw_client_execute (c, SEQ_TABLE ("t", "2500"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gw_operation_get_message (op), ==, "Table 't' created.");
  /* the shadow catalog knows the table, for completion */
  g_assert_nonnull (plan_catalog_get_table (gw_client_get_catalog (c), "t"));
  op = gw_client_execute (c, "SELECT a, a * 2 AS b FROM t WHERE a > 1000", &error);
  g_assert_no_error (error);
  g_assert_nonnull (gw_operation_get_job_id (op));
  g_assert_cmpuint (gw_operation_get_schema (op)->n_fields, ==, 2);
  g_assert_cmpint (gw_operation_get_statement (op)->kind, ==, PLAN_STMT_QUERY);
  while (!end)
    {
      g_autoptr (GwPage) page = gw_operation_fetch (op, 100, -1, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (page->rows->len, <=, 100);
      for (guint i = 0; i < page->rows->len; i++)
        {
          GwRow *row = page->rows->pdata[i];
          g_assert_cmpint (row->values[1].v.i, ==, 2 * row->values[0].v.i);
          sum += (guint64) row->values[0].v.i;
          rows++;
        }
      end = page->end;
    }
  g_assert_cmpuint (rows, ==, 1500);
  g_assert_cmpuint (sum, ==, 2500 * 2501 / 2 - 1000 * 1001 / 2);
  g_assert_cmpint (gw_operation_wait (op), ==, GW_STATUS_FINISHED);
  /* a bind error keeps its domain, code and position */
  g_assert_null (gw_client_execute (c, "SELECT nope FROM t", &error));
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_BIND);
  g_assert_true (g_str_has_prefix (error->message, "1:8:"));
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GwClient) c = gw_remote_client_new (f->url, f->token, &error);
  GwOperation *op;
  g_autoptr (GwPage) page = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (gw_client_execute (c, "CREATE TABLE u (a BIGINT) WITH ('connector' = "
                                          "'datagen', 'rows-per-second' = '1000')", &error));
  op = gw_client_execute (c, "SELECT a FROM u", &error);
  g_assert_no_error (error);
  page = gw_operation_fetch (op, 10, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->rows->len, >, 0);
  g_assert_cmpint (gw_operation_get_status (op), ==, GW_STATUS_RUNNING);
  gw_operation_cancel (op);
  g_assert_cmpint (gw_operation_wait (op), ==, GW_STATUS_CANCELLED);
  {
    g_autofree char *path = g_strdup_printf ("/v1/jobs/%s", gw_operation_get_job_id (op));
    g_auto (Answer) a = http (f, "GET", path, f->token, NULL, NULL, NULL, 0);
    g_autoptr (JsonParser) p = json_parser_new ();
    JsonObject *o;

    g_assert_cmpuint (a.status, ==, 200);
    o = parse_object (p, a.body);
    g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "CANCELED");
    g_assert_cmpstr (json_object_get_string_member (o, "sql"), ==, "SELECT a FROM u");
    g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "plan")));
    g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "metrics")));
  }
}

/* A finished job is listed again by a new server on the same state dir. */
static void
test_restart (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *job_id = NULL;

  {
    g_autoptr (GwClient) c = gw_remote_client_new (f->url, f->token, &error);
    GwOperation *op;

    g_assert_no_error (error);
    g_assert_nonnull (gw_client_execute (c, SEQ_TABLE ("t", "10"), &error));
    op = gw_client_execute (c, "SELECT a FROM t", &error);
    g_assert_no_error (error);
    g_assert_cmpint (gw_operation_wait (op), ==, GW_STATUS_FINISHED);
    job_id = g_strdup (gw_operation_get_job_id (op));
  }
  server_stop (f);
  server_start (f);
  {
    g_auto (Answer) a = http (f, "GET", "/v1/jobs", f->token, NULL, NULL, NULL, 0);
    g_autoptr (JsonParser) p = json_parser_new ();
    JsonArray *jobs;
    JsonObject *job;

    g_assert_cmpuint (a.status, ==, 200);
    jobs = json_object_get_array_member (parse_object (p, a.body), "jobs");
    g_assert_cmpuint (json_array_get_length (jobs), ==, 1);
    job = json_array_get_object_element (jobs, 0);
    g_assert_cmpstr (json_object_get_string_member (job, "id"), ==, job_id);
    g_assert_cmpstr (json_object_get_string_member (job, "status"), ==, "FINISHED");
    g_assert_cmpstr (json_object_get_string_member (job, "sql"), ==, "SELECT a FROM t");
  }
  {
    g_autofree char *path = g_strdup_printf ("/v1/jobs/%s/metrics", job_id);
    g_auto (Answer) a = http (f, "GET", path, f->token, NULL, NULL, NULL, 0);
    g_autoptr (JsonParser) p = json_parser_new ();

    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpint (json_object_get_int_member (parse_object (p, a.body), "rows_read"), ==, 10);
  }
}

static void
test_origin (Fixture *f, gconstpointer data)
{
  g_autofree char *host = g_strdup (f->url + strlen ("http://"));
  g_autofree char *same = g_strdup_printf ("http://%s", host);
  const char *path = "/v1/ws/jobs/none/metrics";

  {
    g_auto (Answer) a = http (f, "GET", path, f->token, "Origin", "http://evil.example", NULL, 0);
    g_assert_cmpuint (a.status, ==, 403);
  }
  {
    g_auto (Answer) a = http (f, "GET", path, f->token, "Origin", "http://127.0.0.1:1", NULL, 0);
    g_assert_cmpuint (a.status, ==, 403);
  }
  {
    /* same origin passes the check (and then fails the handshake: not an upgrade) */
    g_auto (Answer) a = http (f, "GET", path, f->token, "Origin", same, NULL, 0);
    g_assert_cmpuint (a.status, !=, 403);
    g_assert_cmpuint (a.status, !=, 401);
  }
}

static void
test_limits (Fixture *f, gconstpointer data)
{
  g_autofree char *session = open_session (f);
  g_autofree char *path = g_strdup_printf ("/v1/sessions/%s/statements", session);
  gsize big_len = 2 * 1024 * 1024;
  g_autofree char *big = g_malloc (big_len);
  GString *deep = g_string_new ("{\"statement\":\"SELECT 1\",\"x\":");

  memset (big, ' ', big_len);
  {
    g_auto (Answer) a = http (f, "POST", path, f->token, NULL, NULL, big, big_len);
    g_assert_cmpuint (a.status, ==, 413);
  }
  for (guint i = 0; i < 100; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 100; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  {
    g_auto (Answer) a = http (f, "POST", path, f->token, NULL, NULL, deep->str, deep->len);
    g_assert_cmpuint (a.status, ==, 400);
    g_assert_nonnull (strstr (a.body, "nests deeper"));
  }
  g_string_free (deep, TRUE);
  /* a chunked body (no Content-Length) is refused before it is read */
  {
    g_autoptr (SoupSession) s = soup_session_new ();
    g_autofree char *uri = g_strconcat (f->url, path, NULL);
    g_autofree char *auth = g_strdup_printf ("Bearer %s", f->token);
    g_autoptr (SoupMessage) msg = soup_message_new ("POST", uri);
    g_autoptr (GInputStream) in = g_memory_input_stream_new_from_data (big, big_len, NULL);
    g_autoptr (GBytes) reply = NULL;
    g_autoptr (GError) error = NULL;

    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                  auth);
    soup_message_set_request_body (msg, "application/json", in, -1);
    reply = soup_session_send_and_read (s, msg, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 411);
  }
}

static void
test_paths (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GwClient) c = gw_remote_client_new (f->url, f->token, &error);
  g_autofree char *inside = g_build_filename (f->dir, "data.csv", NULL);
  g_autofree char *sneaky = g_build_filename (f->dir, "..", "escape.csv", NULL);
  g_autofree char *ok_sql = g_strdup_printf ("CREATE TABLE ok (a INT) WITH ('connector' = "
                                             "'filesystem', 'path' = '%s', 'format' = 'csv')",
                                             inside);
  g_autofree char *sneaky_sql = g_strdup_printf ("CREATE TABLE s (a INT) WITH ('connector' = "
                                                 "'filesystem', 'path' = '%s', 'format' = "
                                                 "'csv')", sneaky);

  g_assert_no_error (error);
  g_assert_null (gw_client_execute (c, "CREATE TABLE pw (a VARCHAR) WITH ('connector' = "
                                       "'filesystem', 'path' = '/etc/passwd', 'format' = 'csv')",
                                    &error));
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "outside the directories"));
  g_clear_error (&error);
  g_assert_null (gw_client_execute (c, sneaky_sql, &error));
  g_assert_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_nonnull (gw_client_execute (c, ok_sql, &error));
  g_assert_no_error (error);
}

/* 50 sessions on 50 threads, 20 queries each: every answer right, none lost. */
#define LOAD_SESSIONS 50
#define LOAD_QUERIES 20

typedef struct {
  Fixture *f;
  guint index;
  guint correct;
} LoadArgs;

static gpointer
load_worker (gpointer data)
{
  LoadArgs *args = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GwClient) c = gw_remote_client_new (args->f->url, args->f->token, &error);

  g_assert_no_error (error);
  g_assert_nonnull (gw_client_execute (c, SEQ_TABLE ("t", "100"), &error));
  for (guint q = 0; q < LOAD_QUERIES; q++)
    {
      gint64 k = (gint64) ((args->index * LOAD_QUERIES + q) % 100) + 1;
      g_autofree char *sql = g_strdup_printf ("SELECT a * 3 AS x FROM t WHERE a = %"
                                              G_GINT64_FORMAT, k);
      GwOperation *op = gw_client_execute (c, sql, &error);
      g_autoptr (GwPage) page = NULL;

      g_assert_no_error (error);
      page = gw_operation_fetch (op, 1000, -1, &error);
      g_assert_no_error (error);
      while (!page->end)
        {
          g_autoptr (GwPage) more = gw_operation_fetch (op, 1000, -1, &error);
          g_assert_no_error (error);
          for (guint i = 0; i < more->rows->len; i++)
            g_ptr_array_add (page->rows, g_steal_pointer (&more->rows->pdata[i]));
          more->rows->len = 0;
          page->end = more->end;
        }
      if (page->rows->len == 1 && ((GwRow *) page->rows->pdata[0])->values[0].v.i == 3 * k)
        args->correct++;
    }
  return NULL;
}

static void
test_load (Fixture *f, gconstpointer data)
{
  GThread *threads[LOAD_SESSIONS];
  LoadArgs args[LOAD_SESSIONS];
  guint correct = 0;

  for (guint i = 0; i < LOAD_SESSIONS; i++)
    {
      args[i] = (LoadArgs) { f, i, 0 };
      threads[i] = g_thread_new ("load", load_worker, &args[i]);
    }
  for (guint i = 0; i < LOAD_SESSIONS; i++)
    {
      g_thread_join (threads[i]);
      correct += args[i].correct;
    }
  g_assert_cmpuint (correct, ==, LOAD_SESSIONS * LOAD_QUERIES);
}

/* ---- WebSockets -------------------------------------------------------------------- */

typedef struct {
  SoupWebsocketConnection *conn; /* owned */
  GError *error;                 /* owned */
  GPtrArray *messages;           /* owned char* */
  gboolean closed;
  gboolean timed_out;
} WsClient;

static void
ws_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  WsClient *w = data;

  w->conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &w->error);
  if (w->conn == NULL)
    w->closed = TRUE;
}

static void
ws_message (SoupWebsocketConnection *conn, gint type, GBytes *message, gpointer data)
{
  WsClient *w = data;

  g_ptr_array_add (w->messages, g_strndup (g_bytes_get_data (message, NULL),
                                           g_bytes_get_size (message)));
}

static void
ws_closed (SoupWebsocketConnection *conn, gpointer data)
{
  ((WsClient *) data)->closed = TRUE;
}

static gboolean
ws_timeout (gpointer data)
{
  ((WsClient *) data)->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Connects and iterates the default context until n messages arrived or the stream
 * closed; a 20 s guard turns a hang into a failure. */
static void
ws_collect (Fixture *f, const char *path, guint n, WsClient *w)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strconcat (f->url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", uri);
  g_autofree char *auth = g_strdup_printf ("Bearer %s", f->token);
  guint guard = g_timeout_add_seconds (20, ws_timeout, w);

  w->messages = g_ptr_array_new_with_free_func (g_free);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        ws_connected, w);
  while (w->conn == NULL && !w->closed && !w->timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (w->error);
  g_signal_connect (w->conn, "message", G_CALLBACK (ws_message), w);
  g_signal_connect (w->conn, "closed", G_CALLBACK (ws_closed), w);
  while (w->messages->len < n && !w->closed && !w->timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (w->timed_out);
  if (!w->timed_out)
    g_source_remove (guard);
}

static void
ws_client_clear (WsClient *w)
{
  if (w->conn != NULL && soup_websocket_connection_get_state (w->conn)
                         == SOUP_WEBSOCKET_STATE_OPEN)
    {
      soup_websocket_connection_close (w->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      while (!w->closed)
        g_main_context_iteration (NULL, TRUE);
    }
  g_clear_object (&w->conn);
  g_clear_pointer (&w->messages, g_ptr_array_unref);
}

/* A running job's metrics arrive on the WebSocket once a second. */
static void
test_ws_metrics (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GwClient) c = gw_remote_client_new (f->url, f->token, &error);
  g_autofree char *path = NULL;
  WsClient w = { 0 };
  GwOperation *op;

  g_assert_no_error (error);
  g_assert_nonnull (gw_client_execute (c, "CREATE TABLE u (a BIGINT) WITH ('connector' = "
                                          "'datagen', 'rows-per-second' = '1000')", &error));
  op = gw_client_execute (c, "SELECT a FROM u", &error);
  g_assert_no_error (error);
  path = g_strdup_printf ("/v1/ws/jobs/%s/metrics", gw_operation_get_job_id (op));
  ws_collect (f, path, 2, &w);
  g_assert_cmpuint (w.messages->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (JsonParser) p = json_parser_new ();
      JsonObject *m = parse_object (p, w.messages->pdata[i]);
      g_assert_cmpstr (json_object_get_string_member (m, "job"), ==,
                       gw_operation_get_job_id (op));
      g_assert_true (json_object_has_member (m, "operators"));
    }
  ws_client_clear (&w);
  gw_operation_cancel (op);
  g_assert_cmpint (gw_operation_wait (op), ==, GW_STATUS_CANCELLED);
  {
    /* each tick that sent a snapshot also recorded it in the job's history */
    g_autofree char *history = g_strdup_printf ("/v1/jobs/%s/history",
                                                gw_operation_get_job_id (op));
    g_auto (Answer) a = http (f, "GET", history, f->token, NULL, NULL, NULL, 0);
    g_autoptr (JsonParser) p = json_parser_new ();
    JsonArray *h;

    g_assert_cmpuint (a.status, ==, 200);
    h = json_object_get_array_member (parse_object (p, a.body), "history");
    g_assert_cmpuint (json_array_get_length (h), >=, 2);
  }
}

/* A query's rows arrive as pages on the WebSocket, and the stream closes at the end. */
static void
test_ws_rows (Fixture *f, gconstpointer data)
{
  g_autofree char *session = open_session (f);
  g_autofree char *create = submit (f, session, SEQ_TABLE ("t", "2500"));
  g_autofree char *op = submit (f, session, "SELECT a FROM t");
  g_autofree char *path = g_strdup_printf ("/v1/ws/sessions/%s/operations/%s/result",
                                           session, op);
  WsClient w = { 0 };
  guint64 rows = 0, sum = 0;

  ws_collect (f, path, G_MAXUINT, &w);
  g_assert_true (w.closed);
  for (guint i = 0; i < w.messages->len; i++)
    {
      g_autoptr (JsonParser) p = json_parser_new ();
      JsonObject *o = parse_object (p, w.messages->pdata[i]);
      JsonArray *d = json_object_get_array_member (json_object_get_object_member (o, "results"),
                                                   "data");
      for (guint r = 0; r < json_array_get_length (d); r++)
        {
          JsonObject *row = json_array_get_object_element (d, r);
          sum += (guint64) json_array_get_int_element (
                   json_object_get_array_member (row, "fields"), 0);
          rows++;
        }
    }
  g_assert_cmpuint (rows, ==, 2500);
  g_assert_cmpuint (sum, ==, 2500 * 2501 / 2);
  ws_client_clear (&w);
}

/* An INSERT job keeps running after its client closed the session, until cancelled
 * through the jobs route. */
static void
test_outlives_client (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *job_id = NULL;
  g_autofree char *path = NULL;
  gint64 deadline;
  gboolean cancelled = FALSE;

  {
    g_autoptr (GwClient) c = gw_remote_client_new (f->url, f->token, &error);
    GwOperation *op;

    g_assert_no_error (error);
    g_assert_nonnull (gw_client_execute (c, "CREATE TABLE u (a BIGINT) WITH ('connector' = "
                                            "'datagen', 'rows-per-second' = '1000')", &error));
    g_assert_nonnull (gw_client_execute (c, "CREATE TABLE sink (a BIGINT) WITH ('connector' = "
                                            "'blackhole')", &error));
    op = gw_client_execute (c, "INSERT INTO sink SELECT a FROM u", &error);
    g_assert_no_error (error);
    job_id = g_strdup (gw_operation_get_job_id (op));
  }
  path = g_strdup_printf ("/v1/jobs/%s", job_id);
  {
    g_auto (Answer) a = http (f, "GET", path, f->token, NULL, NULL, NULL, 0);
    g_autoptr (JsonParser) p = json_parser_new ();
    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (parse_object (p, a.body), "status"), ==,
                     "RUNNING");
  }
  {
    g_autofree char *cancel = g_strdup_printf ("/v1/jobs/%s/cancel", job_id);
    g_auto (Answer) a = http (f, "POST", cancel, f->token, NULL, NULL, "{}", 2);
    g_assert_cmpuint (a.status, ==, 200);
  }
  /* wait for the condition, bounded */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!cancelled && g_get_monotonic_time () < deadline)
    {
      g_auto (Answer) a = http (f, "GET", path, f->token, NULL, NULL, NULL, 0);
      g_autoptr (JsonParser) p = json_parser_new ();
      cancelled = g_strcmp0 (json_object_get_string_member (parse_object (p, a.body), "status"),
                             "CANCELED") == 0;
    }
  g_assert_true (cancelled);
}

/* The compact page text round-trips awkward values through the fast reader and agrees
 * with json-glib's reading of the same text. */
static void
test_wire (void)
{
  g_autoptr (PlanSchema) schema = plan_schema_new (6);
  const char *text_value = "a\"b\\c\nd\t\x01 \xc3\xa9 \xf0\x9f\x98\x80";
  const double doubles[] = { 0.1, -1e300, NAN, INFINITY };
  GString *page = g_string_new ("{\"resultType\":\"EOS\",\"results\":{\"columns\":[],"
                                "\"rowFormat\":\"JSON\",\"data\":[");
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) gw_row_free);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonArray *data;
  gboolean end = FALSE;

  plan_schema_set_field (schema, 0, "s", plan_type_make (PLAN_TYPE_VARCHAR, TRUE));
  plan_schema_set_field (schema, 1, "d", plan_type_make (PLAN_TYPE_DOUBLE, TRUE));
  plan_schema_set_field (schema, 2, "i", plan_type_make (PLAN_TYPE_BIGINT, TRUE));
  plan_schema_set_field (schema, 3, "b", plan_type_make (PLAN_TYPE_BOOLEAN, TRUE));
  plan_schema_set_field (schema, 4, "n", plan_type_make (PLAN_TYPE_INT, TRUE));
  plan_schema_set_field (schema, 5, "m", plan_type_decimal (10, 2, TRUE));
  for (guint r = 0; r < G_N_ELEMENTS (doubles); r++)
    {
      GwRow row = { r == 1 ? RT_ROW_UPDATE_BEFORE : RT_ROW_INSERT, 6, NULL };
      PlanValue v[6];

      memset (v, 0, sizeof v);
      for (guint c = 0; c < 6; c++)
        v[c].type = schema->fields[c].type;
      v[0].v.s = (char *) text_value;
      v[1].v.d = doubles[r];
      v[2].v.i = G_MININT64 + r;
      v[3].v.b = r % 2;
      v[4].is_null = TRUE;
      v[5].v.i = 12345;
      row.values = v;
      if (r > 0)
        g_string_append_c (page, ',');
      gw__wire_append_row (page, &row);
    }
  g_string_append (page, "]}}");
  g_assert_true (gw__wire_scan_page (page->str, page->len, schema, rows, &end));
  g_assert_true (end);
  g_assert_cmpuint (rows->len, ==, 4);
  json_parser_load_from_data (parser, page->str, -1, NULL);
  data = json_object_get_array_member (json_object_get_object_member (
           json_node_get_object (json_parser_get_root (parser)), "results"), "data");
  for (guint r = 0; r < 4; r++)
    {
      GwRow *row = rows->pdata[r];
      g_autoptr (GError) error = NULL;
      GwRow *slow = gw__wire_parse_row (json_array_get_element (data, r), schema, &error);

      g_assert_no_error (error);
      g_assert_cmpint (row->kind, ==, r == 1 ? RT_ROW_UPDATE_BEFORE : RT_ROW_INSERT);
      g_assert_cmpstr (row->values[0].v.s, ==, text_value);
      g_assert_cmpstr (slow->values[0].v.s, ==, text_value);
      if (r == 2)
        g_assert_true (isnan (row->values[1].v.d) && isnan (slow->values[1].v.d));
      else
        {
          g_assert_true (row->values[1].v.d == doubles[r]);
          g_assert_true (slow->values[1].v.d == doubles[r]);
        }
      g_assert_cmpint (row->values[2].v.i, ==, G_MININT64 + r);
      g_assert_cmpint (slow->values[2].v.i, ==, G_MININT64 + r);
      g_assert_cmpint (row->values[3].v.b, ==, r % 2);
      g_assert_true (row->values[4].is_null && slow->values[4].is_null);
      g_assert_cmpint (row->values[5].v.i, ==, 12345);
      g_assert_cmpint (row->values[5].type.scale, ==, 2);
      gw_row_free (slow);
    }
  g_string_free (page, TRUE);
}

/* Escapes another JSON writer may use, and text not in the compact form (refused, so the
 * caller falls back to json-glib). */
static void
test_wire_escapes (void)
{
  g_autoptr (PlanSchema) schema = plan_schema_new (6);
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) gw_row_free);
  gboolean end = FALSE;

  plan_schema_set_field (schema, 0, "s", plan_type_make (PLAN_TYPE_VARCHAR, TRUE));
  plan_schema_set_field (schema, 1, "d", plan_type_make (PLAN_TYPE_DOUBLE, TRUE));
  plan_schema_set_field (schema, 2, "i", plan_type_make (PLAN_TYPE_BIGINT, TRUE));
  plan_schema_set_field (schema, 3, "b", plan_type_make (PLAN_TYPE_BOOLEAN, TRUE));
  plan_schema_set_field (schema, 4, "n", plan_type_make (PLAN_TYPE_INT, TRUE));
  plan_schema_set_field (schema, 5, "m", plan_type_decimal (10, 2, TRUE));
  {
    const char *escaped = "{\"resultType\":\"PAYLOAD\",\"results\":{\"columns\":[],"
                          "\"rowFormat\":\"JSON\",\"data\":[{\"kind\":\"DELETE\","
                          "\"fields\":[\"\\ud83d\\ude00\\u00e9\",null,1,false,2,3]}]}}";
    g_assert_true (gw__wire_scan_page (escaped, strlen (escaped), schema, rows, &end));
    g_assert_false (end);
    g_assert_cmpuint (rows->len, ==, 1);
    g_assert_cmpstr (((GwRow *) rows->pdata[0])->values[0].v.s, ==, "\xf0\x9f\x98\x80\xc3\xa9");
    g_assert_cmpint (((GwRow *) rows->pdata[0])->kind, ==, RT_ROW_DELETE);
  }
  {
    const char *spaced = "{ \"resultType\": \"EOS\" }";
    g_assert_false (gw__wire_scan_page (spaced, strlen (spaced), schema, rows, &end));
  }
  g_assert_cmpuint (rows->len, ==, 1);
}

/* With a certificate the server speaks https only; the remote client trusts it through
 * STROM_TLS_CA_FILE (set in main) and works as over http. */
static void
test_tls (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GwClient) c = NULL;
  g_autofree char *plain = NULL;
  GwOperation *op;

  if (f->skip)
    {
      g_test_skip ("TLS is not checked in the sanitizer build (see fixture_setup)");
      return;
    }
  g_assert_true (g_str_has_prefix (f->url, "https://"));
  plain = g_strdup_printf ("http://127.0.0.1:%s", strrchr (f->url, ':') + 1);
  c = gw_remote_client_new (f->url, f->token, &error);
  g_assert_no_error (error);
  g_assert_nonnull (gw_client_execute (c, SEQ_TABLE ("t", "10"), &error));
  op = gw_client_execute (c, "SELECT a FROM t", &error);
  g_assert_no_error (error);
  g_assert_cmpint (gw_operation_wait (op), ==, GW_STATUS_FINISHED);
  {
    g_autoptr (GwClient) no = gw_remote_client_new (plain, f->token, &error);
    g_assert_null (no);
    g_assert_nonnull (error);
  }
}

/* Stopping the server with a job running cancels it and records it: after a restart it
 * is listed as CANCELED with its SQL. */
static void
test_stop_records (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GwClient) c = gw_remote_client_new (f->url, f->token, &error);
  g_autofree char *job_id = NULL;
  GwOperation *op;

  g_assert_no_error (error);
  g_assert_nonnull (gw_client_execute (c, "CREATE TABLE u (a BIGINT) WITH ('connector' = "
                                          "'datagen', 'rows-per-second' = '1000')", &error));
  g_assert_nonnull (gw_client_execute (c, "CREATE TABLE sink (a BIGINT) WITH ('connector' = "
                                          "'blackhole')", &error));
  op = gw_client_execute (c, "INSERT INTO sink SELECT a FROM u", &error);
  g_assert_no_error (error);
  job_id = g_strdup (gw_operation_get_job_id (op));
  server_stop (f);
  server_start (f);
  {
    g_autofree char *path = g_strdup_printf ("/v1/jobs/%s", job_id);
    g_auto (Answer) a = http (f, "GET", path, f->token, NULL, NULL, NULL, 0);
    g_autoptr (JsonParser) p = json_parser_new ();
    JsonObject *o;

    g_assert_cmpuint (a.status, ==, 200);
    o = parse_object (p, a.body);
    g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "CANCELED");
    g_assert_cmpstr (json_object_get_string_member (o, "sql"), ==,
                     "INSERT INTO sink SELECT a FROM u");
    g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "plan")));
  }
  /* the old server is gone (the new one has another port): a clear error, no crash */
  g_assert_null (gw_client_execute (c, "SHOW TABLES", &error));
  g_assert_error (error, GW_ERROR, GW_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "Cannot reach"));
}

/* A session nobody uses is closed after the idle timeout (1 s here): its routes answer
 * 404 then. The wait is on that condition, bounded. */
static void
test_idle (Fixture *f, gconstpointer data)
{
  g_autofree char *session = open_session (f);
  g_autofree char *path = g_strdup_printf ("/v1/sessions/%s", session);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint status = 200;

  {
    g_auto (Answer) a = http (f, "GET", path, f->token, NULL, NULL, NULL, 0);
    g_assert_cmpuint (a.status, ==, 200);
  }
  while (status == 200 && g_get_monotonic_time () < deadline)
    {
      /* /metrics does not touch the session, so it can go idle meanwhile */
      g_auto (Answer) m = http (f, "GET", "/metrics", f->token, NULL, NULL, NULL, 0);
      if (strstr (m.body, "strom_sessions 0\n") != NULL)
        status = 404;
    }
  {
    g_auto (Answer) a = http (f, "GET", path, f->token, NULL, NULL, NULL, 0);
    g_assert_cmpuint (a.status, ==, 404);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  {
    g_autofree char *ca = g_test_build_filename (G_TEST_DIST, "gateway", "tls-test-cert.pem",
                                                 NULL);
    g_setenv ("STROM_TLS_CA_FILE", ca, TRUE);
  }
  g_test_add_func ("/gateway/server/wire", test_wire);
  g_test_add_func ("/gateway/server/wire-escapes", test_wire_escapes);
  g_test_add ("/gateway/server/tls", Fixture, "tls", fixture_setup, test_tls, fixture_teardown);
  g_test_add ("/gateway/server/idle", Fixture, "idle", fixture_setup, test_idle,
              fixture_teardown);
#define ADD(path, fn) \
  g_test_add ("/gateway/server/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("auth", test_auth);
  ADD ("http-pages", test_http_pages);
  ADD ("remote-client", test_remote_client);
  ADD ("cancel", test_cancel);
  ADD ("restart", test_restart);
  ADD ("stop-records", test_stop_records);
  ADD ("origin", test_origin);
  ADD ("limits", test_limits);
  ADD ("paths", test_paths);
  ADD ("outlives-client", test_outlives_client);
  ADD ("ws-metrics", test_ws_metrics);
  ADD ("ws-rows", test_ws_rows);
  ADD ("load", test_load);
  return g_test_run ();
}
