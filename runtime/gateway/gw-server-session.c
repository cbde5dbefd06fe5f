/* gw-server-session.c: one server session = one embedded client driven by its own worker
 * thread.
 *
 * The gateway client API must be called from a single thread, and fetching results may
 * wait (long polling, like Flink's result tokens), so the HTTP handlers never call it on
 * the server's main loop: they pause the message, queue a work item to the session's
 * thread, and the thread posts the answer back to the main context, which completes the
 * message. Sessions thus run in parallel while each session's calls stay ordered. Job
 * status and metrics snapshots are thread-safe in the engine and are read by the main
 * loop directly (gw-server.c). */
#include "gw-server-private.h"

#include "optimizer/opt.h"
#include "plans/plan-json.h"

#include <string.h>

typedef enum {
  WORK_EXECUTE,
  WORK_FETCH,
  WORK_STATUS,
  WORK_CANCEL,
  WORK_CLOSE_OP,
  WORK_CLOSE,
  WORK_STREAM,
  WORK_QUIT,
} WorkKind;

typedef struct {
  WorkKind kind;
  GwSrvSession *session;  /* borrowed */
  SoupServerMessage *msg; /* owned ref, or NULL */
  char *sql;              /* owned */
  char *handle;           /* owned */
  guint64 token;
  guint max_rows;
  gint64 wait_ms;
  guint status;           /* the answer */
  char *body;             /* owned: the answer's JSON */
  gboolean end;
  GwSrvFetchDone done;
  gpointer done_data;
} Work;

typedef struct {
  char *handle;           /* owned */
  GwOperation *op;        /* borrowed from the client */
  guint64 next_token;
  char *last_page;        /* owned: answer for next_token - 1 (a retried fetch) */
} SrvOp;

struct _GwSrvSession {
  GwServer *server;       /* borrowed */
  char *id;               /* owned */
  GwClient *client;       /* owned; worker thread only */
  GHashTable *ops;        /* owned handle -> SrvOp*; worker thread only */
  GThread *thread;        /* owned */
  GAsyncQueue *queue;     /* owned Work* */
  gint64 last_used;       /* main thread: monotonic us of the last request */
};

char *gw__srv_random_hex (guint n_bytes);

static void
srv_op_free (SrvOp *op)
{
  g_free (op->handle);
  g_free (op->last_page);
  g_free (op);
}

static void
work_free (Work *w)
{
  g_clear_object (&w->msg);
  g_free (w->sql);
  g_free (w->handle);
  g_free (w->body);
  g_free (w);
}

/* ---- answers ----------------------------------------------------------------------- */

static void
set_error (Work *w, guint status, const GError *error)
{
  w->status = status;
  w->body = gw__wire_error_json (error->domain, error->code, error->message);
}

static void
set_not_found (Work *w, const char *what, const char *id)
{
  g_autofree char *message = g_strdup_printf ("No %s '%s' in session %s.", what, id,
                                              w->session->id);
  w->status = SOUP_STATUS_NOT_FOUND;
  w->body = gw__wire_error_json (GW_ERROR, GW_ERROR_NOT_FOUND, message);
}

static char *
plan_json_for (GwSrvSession *s, GwOperation *op)
{
  const PlanStatement *st = gw_operation_get_statement (op);
  g_autoptr (OptResult) opt = NULL;

  if (st == NULL || st->plan == NULL)
    return NULL;
  opt = opt_optimize (st->plan, gw_client_get_settings (s->client), NULL);
  return opt != NULL ? plan_phys_to_json (opt_result_get_physical (opt), FALSE) : NULL;
}

static void
register_job (GwSrvSession *s, GwOperation *op, const char *sql)
{
  GwSrvJob *job = g_new0 (GwSrvJob, 1);
  const PlanStatement *st = gw_operation_get_statement (op);

  job->id = g_strdup (gw_operation_get_job_id (op));
  job->session_id = g_strdup (s->id);
  job->sql = g_strdup (st != NULL && st->text != NULL ? st->text : sql);
  job->plan_json = plan_json_for (s, op);
  job->submitted_ms = g_get_real_time () / 1000;
  job->op = op;
  job->is_query = st != NULL && st->kind == PLAN_STMT_QUERY;
  job->status = GW_STATUS_RUNNING;
  g_mutex_lock (&s->server->lock);
  g_ptr_array_add (s->server->jobs, job);
  g_mutex_unlock (&s->server->lock);
}

static void
do_execute (GwSrvSession *s, Work *w)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  GwOperation *op = gw_client_execute (s->client, w->sql, &error);
  SrvOp *sop;

  if (op == NULL)
    {
      set_error (w, SOUP_STATUS_BAD_REQUEST, error);
      return;
    }
  sop = g_new0 (SrvOp, 1);
  sop->handle = gw__srv_random_hex (16);
  sop->op = op;
  g_hash_table_insert (s->ops, sop->handle, sop);
  if (gw_operation_get_job_id (op) != NULL)
    register_job (s, op, w->sql);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "operationHandle");
  json_builder_add_string_value (b, sop->handle);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, gw_operation_get_message (op));
  json_builder_set_member_name (b, "jobId");
  json_builder_add_string_value (b, gw_operation_get_job_id (op));
  json_builder_set_member_name (b, "changelog");
  json_builder_add_boolean_value (b, gw_operation_is_changelog (op));
  if (gw_operation_get_schema (op) != NULL)
    {
      json_builder_set_member_name (b, "columns");
      gw__wire_add_columns (b, gw_operation_get_schema (op));
    }
  json_builder_end_object (b);
  w->status = SOUP_STATUS_OK;
  w->body = gw__json_builder_to_string (b);
}

/* A result page in Flink's shape. Written as text rather than through a JsonBuilder:
 * this is the path every result row takes. */
static char *
page_json (GwSrvSession *s, SrvOp *sop, GwPage *page, guint64 token)
{
  GString *out = g_string_sized_new (256 + page->rows->len * 24);
  g_autoptr (JsonBuilder) cb = json_builder_new ();
  const char *job_id = gw_operation_get_job_id (sop->op);
  PlanSchema *schema = gw_operation_get_schema (sop->op);
  g_autofree char *columns = NULL;

  gw__wire_add_columns (cb, schema);
  columns = gw__json_builder_to_string (cb);
  g_string_append_printf (out, "{\"resultType\":\"%s\",\"isQueryResult\":%s,\"jobID\":",
                          page->end ? "EOS" : page->rows->len > 0 ? "PAYLOAD" : "NOT_READY",
                          job_id != NULL && schema != NULL ? "true" : "false");
  if (job_id != NULL) /* hex: nothing to escape */
    g_string_append_printf (out, "\"%s\"", job_id);
  else
    g_string_append (out, "null");
  g_string_append_printf (out, ",\"resultKind\":\"%s\",\"results\":{\"columns\":%s,"
                          "\"rowFormat\":\"JSON\",\"data\":[",
                          schema != NULL ? "SUCCESS_WITH_CONTENT" : "SUCCESS", columns);
  for (guint i = 0; i < page->rows->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      gw__wire_append_row (out, page->rows->pdata[i]);
    }
  g_string_append (out, "]}");
  if (!page->end)
    g_string_append_printf (out, ",\"nextResultUri\":\"/v1/sessions/%s/operations/%s/result/%"
                            G_GUINT64_FORMAT "\"", s->id, sop->handle, token + 1);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

static void
do_fetch (GwSrvSession *s, Work *w)
{
  SrvOp *sop = g_hash_table_lookup (s->ops, w->handle);
  g_autoptr (GError) error = NULL;
  g_autoptr (GwPage) page = NULL;

  if (sop == NULL)
    {
      set_not_found (w, "operation", w->handle);
      return;
    }
  if (sop->next_token > 0 && w->token == sop->next_token - 1 && sop->last_page != NULL)
    {
      w->status = SOUP_STATUS_OK;
      w->body = g_strdup (sop->last_page);
      return;
    }
  if (w->token != sop->next_token)
    {
      g_autofree char *m = g_strdup_printf ("Result token %" G_GUINT64_FORMAT " is out of order:"
                                            " fetch token %" G_GUINT64_FORMAT " next.",
                                            w->token, sop->next_token);
      w->status = SOUP_STATUS_BAD_REQUEST;
      w->body = gw__wire_error_json (GW_ERROR, GW_ERROR_NOT_FOUND, m);
      return;
    }
  page = gw_operation_fetch (sop->op, w->max_rows, w->wait_ms * 1000, &error);
  if (page == NULL)
    {
      set_error (w, SOUP_STATUS_INTERNAL_SERVER_ERROR, error);
      return;
    }
  g_free (sop->last_page);
  sop->last_page = page_json (s, sop, page, w->token);
  sop->next_token++;
  w->status = SOUP_STATUS_OK;
  w->body = g_strdup (sop->last_page);
}

static gboolean
status_ended (GwStatus st)
{
  return st == GW_STATUS_FINISHED || st == GW_STATUS_CANCELLED || st == GW_STATUS_FAILED;
}

static void
do_status (GwSrvSession *s, Work *w)
{
  SrvOp *sop = g_hash_table_lookup (s->ops, w->handle);
  gint64 deadline = g_get_monotonic_time () + w->wait_ms * 1000;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  GwStatus st;

  if (sop == NULL)
    {
      set_not_found (w, "operation", w->handle);
      return;
    }
  /* A bounded wait for the end (server side, so a client polls once per wait_ms). The
   * engine has no timed wait on a job, hence the short steps. */
  while (!status_ended (st = gw_operation_get_status (sop->op))
         && g_get_monotonic_time () < deadline)
    g_usleep (2000);
  if (w->kind == WORK_CANCEL)
    {
      gw_operation_cancel (sop->op);
      st = gw_operation_get_status (sop->op);
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, gw_status_name (st));
  json_builder_set_member_name (b, "rowsRead");
  json_builder_add_int_value (b, (gint64) gw_operation_get_rows_read (sop->op));
  json_builder_end_object (b);
  w->status = SOUP_STATUS_OK;
  w->body = gw__json_builder_to_string (b);
}

static void
do_close_op (GwSrvSession *s, Work *w)
{
  SrvOp *sop = g_hash_table_lookup (s->ops, w->handle);

  if (sop == NULL)
    {
      set_not_found (w, "operation", w->handle);
      return;
    }
  if (!status_ended (gw_operation_get_status (sop->op)))
    gw_operation_cancel (sop->op);
  g_hash_table_remove (s->ops, w->handle);
  w->status = SOUP_STATUS_OK;
  w->body = g_strdup ("{\"status\":\"CLOSED\"}");
}

/* Closing a session cancels its queries (nobody will read their rows); INSERT jobs keep
 * running, as jobs outlive the client that submitted them. */
static void
do_close (GwSrvSession *s, Work *w)
{
  GHashTableIter it;
  SrvOp *sop;

  g_hash_table_iter_init (&it, s->ops);
  while (g_hash_table_iter_next (&it, NULL, (gpointer *) &sop))
    {
      const PlanStatement *st = gw_operation_get_statement (sop->op);
      if (st != NULL && st->kind == PLAN_STMT_QUERY)
        gw_operation_cancel (sop->op);
    }
  w->status = SOUP_STATUS_OK;
  w->body = g_strdup ("{\"status\":\"CLOSED\"}");
}

static void
do_stream (GwSrvSession *s, Work *w)
{
  SrvOp *sop = g_hash_table_lookup (s->ops, w->handle);
  g_autoptr (GError) error = NULL;
  g_autoptr (GwPage) page = NULL;

  if (sop == NULL)
    return;
  page = gw_operation_fetch (sop->op, w->max_rows, 0, &error);
  if (page == NULL)
    {
      w->body = gw__wire_error_json (error->domain, error->code, error->message);
      w->end = TRUE;
      return;
    }
  w->end = page->end;
  if (page->rows->len > 0 || page->end)
    w->body = page_json (s, sop, page, sop->next_token);
  else
    w->body = g_strdup ("");
}

/* Records what the session's jobs ended as, then frees the client (which cancels and
 * joins anything still running). */
static void
do_quit (GwSrvSession *s)
{
  GwServer *server = s->server;

  g_mutex_lock (&server->lock);
  for (guint i = 0; i < server->jobs->len; i++)
    {
      GwSrvJob *job = server->jobs->pdata[i];
      if (job->op == NULL || strcmp (job->session_id, s->id) != 0)
        continue;
      gw_operation_cancel (job->op);
      job->status = gw_operation_wait (job->op);
      if (job->final_metrics == NULL)
        job->final_metrics = gw_operation_dup_metrics_json (job->op);
      if (job->ended_ms == 0)
        job->ended_ms = g_get_real_time () / 1000;
      job->op = NULL;
    }
  g_mutex_unlock (&server->lock);
  g_hash_table_remove_all (s->ops);
  g_clear_pointer (&s->client, gw_client_free);
}

static gboolean
finish_work (gpointer data)
{
  Work *w = data;

  if (w->kind == WORK_STREAM)
    {
      if (w->done != NULL)
        w->done (g_steal_pointer (&w->body), w->end, w->done_data);
    }
  else if (w->msg != NULL)
    {
      gw__srv_respond (w->msg, w->status, g_steal_pointer (&w->body));
      soup_server_message_unpause (w->msg);
    }
  work_free (w);
  return G_SOURCE_REMOVE;
}

static gpointer
worker (gpointer data)
{
  GwSrvSession *s = data;

  for (;;)
    {
      Work *w = g_async_queue_pop (s->queue);

      switch (w->kind)
        {
        case WORK_EXECUTE: do_execute (s, w); break;
        case WORK_FETCH: do_fetch (s, w); break;
        case WORK_STATUS:
        case WORK_CANCEL: do_status (s, w); break;
        case WORK_CLOSE_OP: do_close_op (s, w); break;
        case WORK_CLOSE: do_close (s, w); break;
        case WORK_STREAM: do_stream (s, w); break;
        case WORK_QUIT:
          do_quit (s);
          work_free (w);
          return NULL;
        }
      g_main_context_invoke (s->server->ctx, finish_work, w);
    }
}

/* ---- the main-loop side ------------------------------------------------------------ */

GwSrvSession *
gw__srv_session_new (GwServer *server)
{
  GwSrvSession *s = g_new0 (GwSrvSession, 1);

  s->server = server;
  s->id = gw__srv_random_hex (16);
  s->client = gw_client_new_embedded (NULL);
  gw_client_set_table_check (s->client, gw__srv_check_table, server);
  s->ops = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) srv_op_free);
  s->queue = g_async_queue_new ();
  s->thread = g_thread_new ("strom-session", worker, s);
  s->last_used = g_get_monotonic_time ();
  return s;
}

gint64
gw__srv_session_get_last_used (GwSrvSession *session)
{
  return session->last_used;
}

const char *
gw__srv_session_get_id (GwSrvSession *session)
{
  return session->id;
}

static void
post (GwSrvSession *s, Work *w)
{
  w->session = s;
  if (w->msg != NULL)
    soup_server_message_pause (w->msg);
  g_async_queue_push (s->queue, w);
}

static Work *
work_new (WorkKind kind, SoupServerMessage *msg)
{
  Work *w = g_new0 (Work, 1);

  w->kind = kind;
  w->msg = msg != NULL ? g_object_ref (msg) : NULL;
  return w;
}

static gint64
query_int (GHashTable *query, const char *name, gint64 fallback)
{
  const char *v = query != NULL ? g_hash_table_lookup (query, name) : NULL;
  char *end = NULL;
  gint64 n;

  if (v == NULL || *v == '\0')
    return fallback;
  n = g_ascii_strtoll (v, &end, 10);
  return end != NULL && *end == '\0' && n >= 0 ? n : -1;
}

/* POST .../statements with {"statement": "..."}. */
static void
handle_statement (GwSrvSession *s, SoupServerMessage *msg)
{
  g_autoptr (GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  const char *sql = NULL;
  Work *w;

  if (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                  (gssize) g_bytes_get_size (body), NULL)
      && (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    sql = gw__json_get_string (json_node_get_object (root), "statement");
  if (sql == NULL)
    {
      gw__srv_respond_error (msg, SOUP_STATUS_BAD_REQUEST, GW_ERROR, GW_ERROR_FAILED,
                             "The body must be a JSON object {\"statement\": \"SQL\"}.");
      return;
    }
  w = work_new (WORK_EXECUTE, msg);
  w->sql = g_strdup (sql);
  post (s, w);
}

static void
handle_result (GwSrvSession *s, SoupServerMessage *msg, const char *handle,
               const char *token, GHashTable *query)
{
  gint64 max_rows = query_int (query, "maxRows", 1000);
  gint64 wait_ms = query_int (query, "waitMs", 0);
  char *end = NULL;
  guint64 t = g_ascii_strtoull (token, &end, 10);
  Work *w;

  if (end == NULL || *end != '\0' || *token == '\0')
    {
      gw__srv_respond_error (msg, SOUP_STATUS_BAD_REQUEST, GW_ERROR, GW_ERROR_FAILED,
                             "The result token '%s' is not a number.", token);
      return;
    }
  if (max_rows < 1 || max_rows > s->server->max_page_rows || wait_ms < 0 || wait_ms > 60000)
    {
      gw__srv_respond_error (msg, SOUP_STATUS_BAD_REQUEST, GW_ERROR, GW_ERROR_FAILED,
                             "maxRows must be 1..%u and waitMs 0..60000.",
                             s->server->max_page_rows);
      return;
    }
  w = work_new (WORK_FETCH, msg);
  w->handle = g_strdup (handle);
  w->token = t;
  w->max_rows = (guint) max_rows;
  w->wait_ms = wait_ms;
  post (s, w);
}

static void
handle_operation (GwSrvSession *s, SoupServerMessage *msg, char **rest, GHashTable *query)
{
  const char *method = soup_server_message_get_method (msg);
  guint n = g_strv_length (rest);
  Work *w = NULL;

  if (n == 4 && strcmp (rest[2], "result") == 0 && strcmp (method, "GET") == 0)
    {
      handle_result (s, msg, rest[1], rest[3], query);
      return;
    }
  if (n == 3 && strcmp (rest[2], "status") == 0 && strcmp (method, "GET") == 0)
    {
      gint64 wait_ms = query_int (query, "waitMs", 0);
      w = work_new (WORK_STATUS, msg);
      w->wait_ms = CLAMP (wait_ms, 0, 10000);
    }
  else if (n == 3 && strcmp (rest[2], "cancel") == 0 && strcmp (method, "POST") == 0)
    w = work_new (WORK_CANCEL, msg);
  else if (n == 3 && strcmp (rest[2], "close") == 0 && strcmp (method, "DELETE") == 0)
    w = work_new (WORK_CLOSE_OP, msg);
  if (w == NULL)
    {
      gw__srv_respond_error (msg, SOUP_STATUS_NOT_FOUND, GW_ERROR, GW_ERROR_NOT_FOUND,
                             "No route %s %s.", method,
                             g_uri_get_path (soup_server_message_get_uri (msg)));
      return;
    }
  w->handle = g_strdup (rest[1]);
  post (s, w);
}

void
gw__srv_session_handle (GwSrvSession *session, SoupServerMessage *msg, char **rest,
                        GHashTable *query)
{
  const char *method = soup_server_message_get_method (msg);

  session->last_used = g_get_monotonic_time ();
  if (rest[0] == NULL && strcmp (method, "GET") == 0)
    {
      g_autofree char *json = g_strdup_printf ("{\"sessionHandle\":\"%s\"}", session->id);
      gw__srv_respond (msg, SOUP_STATUS_OK, g_steal_pointer (&json));
    }
  else if (rest[0] != NULL && rest[1] == NULL && strcmp (rest[0], "heartbeat") == 0
           && strcmp (method, "POST") == 0)
    gw__srv_respond (msg, SOUP_STATUS_OK, g_strdup ("{}"));
  else if (rest[0] != NULL && rest[1] == NULL && strcmp (rest[0], "statements") == 0
           && strcmp (method, "POST") == 0)
    handle_statement (session, msg);
  else if (rest[0] != NULL && strcmp (rest[0], "operations") == 0 && rest[1] != NULL)
    handle_operation (session, msg, rest, query);
  else
    gw__srv_respond_error (msg, SOUP_STATUS_NOT_FOUND, GW_ERROR, GW_ERROR_NOT_FOUND,
                           "No route %s %s.", method,
                           g_uri_get_path (soup_server_message_get_uri (msg)));
}

void
gw__srv_session_close (GwSrvSession *session)
{
  post (session, work_new (WORK_CLOSE, NULL));
}

gboolean
gw__srv_session_has_live_jobs (GwSrvSession *session)
{
  gboolean live = FALSE;

  g_mutex_lock (&session->server->lock);
  for (guint i = 0; i < session->server->jobs->len && !live; i++)
    {
      GwSrvJob *job = session->server->jobs->pdata[i];
      live = job->op != NULL && job->ended_ms == 0 && strcmp (job->session_id, session->id) == 0;
    }
  g_mutex_unlock (&session->server->lock);
  return live;
}

gboolean
gw__srv_session_stream (GwSrvSession *session, const char *op_handle, guint max_rows,
                        GwSrvFetchDone done, gpointer user_data)
{
  Work *w = work_new (WORK_STREAM, NULL);

  w->handle = g_strdup (op_handle);
  w->max_rows = max_rows;
  w->done = done;
  w->done_data = user_data;
  post (session, w);
  return TRUE;
}

void
gw__srv_session_free (GwSrvSession *session)
{
  if (session == NULL)
    return;
  post (session, work_new (WORK_QUIT, NULL));
  g_thread_join (session->thread);
  /* answers the worker posted before quitting are still queued on the main context */
  while (g_main_context_iteration (session->server->ctx, FALSE))
    ;
  g_async_queue_unref (session->queue);
  g_hash_table_unref (session->ops);
  g_free (session->id);
  g_free (session);
}
