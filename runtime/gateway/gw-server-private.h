/* gw-server-private.h: the server's structures, shared by gw-server.c (HTTP, routes,
 * security), gw-server-session.c (one worker thread per session) and gw-server-store.c
 * (SQLite job history). Private to the gateway folder. */
#pragma once

#include "gw-server.h"
#include "gw-wire.h"

#include <libsoup/soup.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct _GwSrvSession GwSrvSession;

/* A job submitted through any session, this run. The op pointer is valid while its
 * session's client lives; the tick clears it before the session is freed. */
typedef struct {
  char *id;             /* owned */
  char *session_id;     /* owned */
  char *sql;            /* owned */
  char *plan_json;      /* owned: the physical plan, or NULL */
  gint64 submitted_ms;
  gint64 ended_ms;      /* 0 while running */
  GwOperation *op;      /* borrowed, see above */
  gboolean is_query;    /* a SELECT: cancelled when its session closes */
  GwStatus status;      /* last seen by the tick */
  char *final_metrics;  /* owned, once ended */
  gboolean persisted;
} GwSrvJob;

struct _GwServer {
  GMainContext *ctx;        /* owned ref: the context the server runs on */
  SoupServer *soup;         /* owned */
  char *token;              /* owned; NULL with no_auth */
  char *token_file;         /* owned; NULL with no_auth */
  char *state_dir;          /* owned */
  char **allow_dirs;        /* owned: resolved absolute paths, state dir first */
  char *url;                /* owned */
  guint port;
  gsize max_body;
  guint max_page_rows;
  guint max_depth;
  gint64 session_idle_us;
  gboolean verbose;
  GHashTable *sessions;     /* owned: id -> GwSrvSession*, main thread only */
  GPtrArray *closing;       /* owned GwSrvSession*: closed, waiting for their jobs */
  GMutex lock;              /* guards jobs */
  GPtrArray *jobs;          /* owned GwSrvJob* */
  sqlite3 *db;              /* owned, main thread only */
  GSource *tick;            /* owned */
  GPtrArray *ws;            /* owned GwSrvWs*: live WebSocket subscriptions */
  guint64 n_requests;
  guint64 n_unauthorized;
};

/* gw-server.c */
void gw__srv_respond (SoupServerMessage *msg, guint status, char *json /* taken */);
void gw__srv_respond_error (SoupServerMessage *msg, guint status, GQuark domain, int code,
                            const char *format, ...) G_GNUC_PRINTF (5, 6);
gboolean gw__srv_check_table (const PlanTable *table, gpointer user_data, GError **error);
GwSrvJob *gw__srv_find_job_locked (GwServer *server, const char *id);

/* gw-server-session.c */
GwSrvSession *gw__srv_session_new (GwServer *server);
const char *gw__srv_session_get_id (GwSrvSession *session);
gint64 gw__srv_session_get_last_used (GwSrvSession *session); /* monotonic us */
/* Routes /v1/sessions/{id}/REST... (rest: the path parts after the id). */
void gw__srv_session_handle (GwSrvSession *session, SoupServerMessage *msg,
                             char **rest, GHashTable *query);
/* Closes: cancels its queries; INSERT jobs keep running. */
void gw__srv_session_close (GwSrvSession *session);
gboolean gw__srv_session_has_live_jobs (GwSrvSession *session);
/* Stops the worker (cancelling what still runs) and frees. */
void gw__srv_session_free (GwSrvSession *session);
/* WebSocket row streaming: queues a non-blocking fetch of up to max_rows; done is called
 * on the server's context with the page JSON (owned) or NULL when the operation is gone. */
typedef void (*GwSrvFetchDone) (char *page_json, gboolean end, gpointer user_data);
gboolean gw__srv_session_stream (GwSrvSession *session, const char *op_handle,
                                 guint max_rows, GwSrvFetchDone done, gpointer user_data);

/* gw-server-store.c */
gboolean gw__srv_store_open (GwServer *server, GError **error);
void gw__srv_store_close (GwServer *server);
void gw__srv_store_save_job (GwServer *server, const GwSrvJob *job);
void gw__srv_store_add_metrics (GwServer *server, const char *job_id, gint64 t_ms,
                                const char *json);
/* Appends persisted jobs not in live (ids) to the open JSON array in b. */
void gw__srv_store_list_jobs (GwServer *server, JsonBuilder *b, GHashTable *live);
/* A persisted job as a detail object, or NULL. */
char *gw__srv_store_dup_job_json (GwServer *server, const char *id);
char *gw__srv_store_dup_final_metrics (GwServer *server, const char *id);
char *gw__srv_store_dup_history_json (GwServer *server, const char *id);

G_END_DECLS
