/* bench-remote.c: what going through `strom serve` costs. An in-process server on a
 * loopback port (its own thread and main context) and the embedded client run the same
 * statements: result rows/s of a bounded 1M-row query, and the time per statement of a
 * session statement (SHOW TABLES) and of a one-row query, so the difference is the added
 * latency of HTTP + JSON + the session thread hand-off. Prints figures; asserts nothing
 * about time (benchmarks never do). */
#include "runtime/gateway/gw-server.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROWS "1000000"
#define N_SHOW 300
#define N_QUERY 100

typedef struct {
  GMainContext *ctx;
  GMainLoop *loop;
  char *state_dir;
  char *url;
  char *token;
  GMutex lock;
  GCond cond;
  gboolean ready;
} Server;

static gpointer
server_thread (gpointer data)
{
  Server *s = data;
  GwServerOptions o = { .listen = "127.0.0.1:0", .state_dir = s->state_dir };
  g_autoptr (GError) error = NULL;
  GwServer *server;

  g_main_context_push_thread_default (s->ctx);
  server = gw_server_new (&o, &error);
  g_assert_no_error (error);
  g_mutex_lock (&s->lock);
  s->url = g_strdup (gw_server_get_url (server));
  s->token = g_strdup (gw_server_get_token (server));
  s->ready = TRUE;
  g_cond_signal (&s->cond);
  g_mutex_unlock (&s->lock);
  g_main_loop_run (s->loop);
  gw_server_free (server);
  g_main_context_pop_thread_default (s->ctx);
  return NULL;
}

static gboolean
quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
run_ok (GwClient *c, const char *sql)
{
  g_autoptr (GError) error = NULL;
  GwOperation *op = gw_client_execute (c, sql, &error);

  g_assert_no_error (error);
  while (gw_operation_get_schema (op) != NULL)
    {
      g_autoptr (GwPage) page = gw_operation_fetch (op, 10000, -1, &error);
      g_assert_no_error (error);
      if (page->end)
        break;
    }
}

static double
rows_per_s (GwClient *c)
{
  g_autoptr (GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  GwOperation *op = gw_client_execute (c, "SELECT a FROM big", &error);
  guint64 rows = 0;
  gboolean end = FALSE;

  g_assert_no_error (error);
  while (!end)
    {
      g_autoptr (GwPage) page = gw_operation_fetch (op, 10000, -1, &error);
      g_assert_no_error (error);
      rows += page->rows->len;
      end = page->end;
    }
  g_assert_cmpuint (rows, ==, 1000000);
  return rows / ((g_get_monotonic_time () - t0) / 1e6);
}

static double
us_per_statement (GwClient *c, const char *sql, guint n)
{
  gint64 t0 = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    run_ok (c, sql);
  return (double) (g_get_monotonic_time () - t0) / n;
}

static void
bench (GwClient *c, const char *name, double out[3])
{
  run_ok (c, "CREATE TABLE big (a BIGINT) WITH ('connector' = 'datagen', 'fields.a.kind' = "
             "'sequence', 'fields.a.start' = '1', 'fields.a.end' = '" ROWS "', "
             "'rows-per-second' = '1000000000')");
  run_ok (c, "CREATE TABLE one (a BIGINT) WITH ('connector' = 'datagen', 'fields.a.kind' = "
             "'sequence', 'fields.a.start' = '1', 'fields.a.end' = '1')");
  out[0] = rows_per_s (c);
  out[1] = us_per_statement (c, "SHOW TABLES", N_SHOW);
  out[2] = us_per_statement (c, "SELECT a FROM one", N_QUERY);
  printf ("%-9s %12.0f rows/s   SHOW TABLES %8.1f us   1-row SELECT %8.1f us\n", name,
          out[0], out[1], out[2]);
}

/* ---- load: 50 sessions x 20 small queries, and the process's memory around it ---- */

#define LOAD_SESSIONS 50
#define LOAD_QUERIES 20

typedef struct {
  Server *s;
  guint index;
  guint correct;
} LoadArgs;

static gpointer
load_worker (gpointer data)
{
  LoadArgs *args = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GwClient) c = gw_remote_client_new (args->s->url, args->s->token, &error);

  g_assert_no_error (error);
  run_ok (c, "CREATE TABLE t (a BIGINT) WITH ('connector' = 'datagen', 'fields.a.kind' = "
             "'sequence', 'fields.a.start' = '1', 'fields.a.end' = '100')");
  for (guint q = 0; q < LOAD_QUERIES; q++)
    {
      gint64 k = (gint64) ((args->index + q) % 100) + 1;
      g_autofree char *sql = g_strdup_printf ("SELECT a FROM t WHERE a = %" G_GINT64_FORMAT, k);
      GwOperation *op = gw_client_execute (c, sql, &error);
      g_autoptr (GwPage) page = NULL;

      g_assert_no_error (error);
      page = gw_operation_fetch (op, 1000, -1, &error);
      g_assert_no_error (error);
      while (!page->end)
        {
          g_autoptr (GwPage) more = gw_operation_fetch (op, 1000, -1, &error);
          g_assert_no_error (error);
          g_ptr_array_extend_and_steal (page->rows, g_steal_pointer (&more->rows));
          more->rows = g_ptr_array_new ();
          page->end = more->end;
        }
      args->correct += page->rows->len == 1
                       && ((GwRow *) page->rows->pdata[0])->values[0].v.i == k;
    }
  return NULL;
}

static long
rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL)
      || (line = strstr (status, "VmRSS:")) == NULL)
    return -1;
  return strtol (line + 6, NULL, 10);
}

/* Waits (bounded, on the condition) until the server freed every closed session. */
static void
wait_sessions_freed (Server *s)
{
  g_autoptr (SoupSession) http = soup_session_new ();
  g_autofree char *uri = g_strconcat (s->url, "/metrics", NULL);
  g_autofree char *auth = g_strdup_printf ("Bearer %s", s->token);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  gboolean done = FALSE;

  while (!done && g_get_monotonic_time () < deadline)
    {
      g_autoptr (SoupMessage) msg = soup_message_new ("GET", uri);
      g_autoptr (GBytes) body = NULL;
      g_autofree char *text = NULL;

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    auth);
      body = soup_session_send_and_read (http, msg, NULL, NULL);
      text = body != NULL ? g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body))
                          : NULL;
      done = text != NULL && strstr (text, "strom_sessions 0\n") != NULL
             && strstr (text, "strom_sessions_closing 0\n") != NULL;
      g_main_context_iteration (NULL, FALSE);
    }
}

static void
load (Server *s)
{
  GThread *threads[LOAD_SESSIONS];
  LoadArgs args[LOAD_SESSIONS];
  long before = rss_kb ();
  gint64 t0 = g_get_monotonic_time ();
  guint correct = 0;

  for (guint i = 0; i < LOAD_SESSIONS; i++)
    {
      args[i] = (LoadArgs) { s, i, 0 };
      threads[i] = g_thread_new ("load", load_worker, &args[i]);
    }
  for (guint i = 0; i < LOAD_SESSIONS; i++)
    {
      g_thread_join (threads[i]);
      correct += args[i].correct;
    }
  printf ("load: %u sessions x %u queries in %.2f s, %u/%u correct; RSS %ld kB before, "
          "%ld kB after", LOAD_SESSIONS, LOAD_QUERIES,
          (g_get_monotonic_time () - t0) / 1e6, correct, LOAD_SESSIONS * LOAD_QUERIES,
          before, rss_kb ());
  wait_sessions_freed (s);
  malloc_trim (0); /* hand freed arenas back, so RSS shows what is still held */
  printf (", %ld kB once the sessions were freed\n", rss_kb ());
}

int
main (int argc, char **argv)
{
  g_autofree char *tmp = g_dir_make_tmp ("strom-bench-remote-XXXXXX", NULL);
  Server s = { 0 };
  GThread *thread;
  double local[3], remote[3];

  s.state_dir = g_build_filename (tmp, "state", NULL);
  s.ctx = g_main_context_new ();
  s.loop = g_main_loop_new (s.ctx, FALSE);
  g_mutex_init (&s.lock);
  g_cond_init (&s.cond);
  thread = g_thread_new ("bench-server", server_thread, &s);
  g_mutex_lock (&s.lock);
  while (!s.ready)
    g_cond_wait (&s.cond, &s.lock);
  g_mutex_unlock (&s.lock);
  {
    g_autoptr (GwClient) embedded = gw_client_new_embedded (NULL);
    bench (embedded, "embedded", local);
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GwClient) c = gw_remote_client_new (s.url, s.token, &error);
    g_assert_no_error (error);
    bench (c, "remote", remote);
  }
  printf ("remote/embedded rows/s: %.2f; added latency: SHOW TABLES %.1f us, "
          "1-row SELECT %.1f us\n", remote[0] / local[0], remote[1] - local[1],
          remote[2] - local[2]);
  load (&s);
  load (&s);
  g_main_context_invoke (s.ctx, quit, s.loop);
  g_thread_join (thread);
  g_main_loop_unref (s.loop);
  g_main_context_unref (s.ctx);
  {
    const char *files[] = { "jobs.db", "jobs.db-wal", "jobs.db-shm", "token" };
    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      {
        g_autofree char *p = g_build_filename (s.state_dir, files[i], NULL);
        g_remove (p);
      }
  }
  g_rmdir (s.state_dir);
  g_rmdir (tmp);
  g_free (s.state_dir);
  g_free (s.url);
  g_free (s.token);
  return 0;
}
