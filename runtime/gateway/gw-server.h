/* gw-server.h: `strom serve`, the runtime behind an HTTP/JSON + WebSocket API shaped like
 * Flink's SQL Gateway (v1: sessions, statements, operation results by token) plus job
 * routes, Prometheus /metrics and /health. See gw-server.c for the routes. */
#pragma once

#include "gw-client.h"

G_BEGIN_DECLS

typedef struct _GwServer GwServer;

typedef struct {
  const char *listen;      /* "HOST:PORT"; NULL: 127.0.0.1:8081; port 0 picks a free one */
  const char *state_dir;   /* NULL: $XDG_STATE_HOME/strom */
  const char *token_file;  /* NULL: STATE_DIR/token (created 0600 on first start) */
  gboolean no_auth;        /* loopback only: no token at all */
  const char *tls_cert;    /* PEM files; both or neither */
  const char *tls_key;
  const char *const *allow_dirs; /* NULL-terminated; table paths may lie under these and
                                    the state dir */
  gsize max_body;          /* 0: 1 MiB */
  guint max_page_rows;     /* 0: 10000 */
  guint session_idle_s;    /* a session unused this long is closed; 0: 24 hours */
  gboolean verbose;        /* log requests on stderr */
} GwServerOptions;

/* Creates the state dir, the token and the job store, and listens on the thread-default
 * main context, which must then run. Call every function from that context's thread. */
GwServer *gw_server_new (const GwServerOptions *options, GError **error);
guint gw_server_get_port (GwServer *server);
const char *gw_server_get_url (GwServer *server);     /* e.g. "http://127.0.0.1:8081" */
const char *gw_server_get_token (GwServer *server);   /* NULL with no_auth */
/* Stops listening, cancels running jobs, records them and joins the session threads. */
void gw_server_free (GwServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GwServer, gw_server_free)

/* `strom serve [options]`: argv[0] is "serve". Runs until SIGTERM/SIGINT; exit status. */
int gw_server_main (int argc, char **argv);

G_END_DECLS
