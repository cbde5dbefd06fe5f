/* gw-client.h: the one client interface the REPL and the GUI use to run SQL.
 *
 * A client owns a session (catalog + settings) and the operations it started. The
 * embedded implementation runs jobs in this process; a remote one (strom serve) will
 * implement the same vtable over HTTP, so the shapes here are all plain data that
 * serialises: rows are PlanValues, metrics are JSON text. Every call is made from one
 * thread (the front end's); jobs run on their own threads behind it. */
#pragma once

#include "plans/plan-sql.h"
#include "runtime/engine/rt-batch.h"
#include "runtime/engine/rt-types.h"

G_BEGIN_DECLS

typedef struct _GwClient GwClient;
typedef struct _GwOperation GwOperation;

#define GW_ERROR (gw_error_quark ())
GQuark gw_error_quark (void);
typedef enum {
  GW_ERROR_NOT_FOUND,  /* no such operation or job */
  GW_ERROR_FAILED,     /* the job failed: message is the job's error */
  GW_ERROR_CANCELLED,
  GW_ERROR_TIMEOUT,
} GwErrorCode;

typedef enum {
  GW_STATUS_CREATED,
  GW_STATUS_RUNNING,
  GW_STATUS_FINISHED,
  GW_STATUS_CANCELLED,
  GW_STATUS_FAILED,
} GwStatus;
const char *gw_status_name (GwStatus status); /* "CREATED", "RUNNING", ... */

/* One result row: its changelog kind and schema->n_fields values (owned). */
typedef struct {
  RtRowKind kind;
  guint n_values;
  PlanValue *values; /* owned, n_values */
} GwRow;
/* Frees the values and the row. */
void gw_row_free (GwRow *row);

typedef struct {
  GPtrArray *rows;     /* GwRow*, owned (free func gw_row_free) */
  gboolean end;        /* no more rows will come (job finished, cancelled or failed) */
} GwPage;
void gw_page_free (GwPage *page);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GwPage, gw_page_free)

GwClient *gw_client_new_embedded (GError **error);
void gw_client_free (GwClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GwClient, gw_client_free)

/* Session access for completion and the GUI (embedded: the live catalog). */
PlanCatalog *gw_client_get_catalog (GwClient *client);
PlanSettings *gw_client_get_settings (GwClient *client);

/* Runs one statement (the text may end with ';'). DDL, SET, SHOW, DESCRIBE and EXPLAIN
 * complete at once with a result set or a message; a SELECT or INSERT starts a job and
 * returns while it runs. Errors of parse/bind/plan come back here (PLAN_ERROR, message
 * "LINE:COL: ..."); errors while running come back from gw_operation_fetch. */
GwOperation *gw_client_execute (GwClient *client, const char *sql, GError **error);

/* Job ids of this session's jobs, oldest first; g_strfreev. */
char **gw_client_list_jobs (GwClient *client);
GwOperation *gw_client_get_operation (GwClient *client, const char *job_id);

/* The operation stays owned by the client (freed with it); these borrow. */
PlanSchema *gw_operation_get_schema (GwOperation *op); /* NULL: no result set */
const char *gw_operation_get_message (GwOperation *op); /* e.g. "Table 'bid' created." */
const char *gw_operation_get_job_id (GwOperation *op);  /* NULL: no job */
const PlanStatement *gw_operation_get_statement (GwOperation *op);
gboolean gw_operation_is_changelog (GwOperation *op); /* rows carry -U/+U/-D */
GwStatus gw_operation_get_status (GwOperation *op);
/* Waits up to timeout_us (0: don't wait, -1: forever) for rows, returns up to max_rows.
 * When the job failed, returns NULL with GW_ERROR_FAILED and the job's error. */
GwPage *gw_operation_fetch (GwOperation *op, guint max_rows, gint64 timeout_us,
                            GError **error);
/* added by columnar fetch: the next rows as one columnar batch (row kinds in kinds[]), a
 * new reference for the caller to rt_batch_unref, waiting up to timeout_us as
 * gw_operation_fetch does. On the embedded runtime it is the job's own result batch, no
 * row copied: for programs that read many rows (a benchmark, an export); elsewhere it is
 * a page of at most 1024 rows turned into a batch. It has at least one row; NULL means the
 * end (*end TRUE), the timeout passed (*end FALSE, no error), or the job failed (error as
 * gw_operation_fetch). Rows taken here are not fetched again by gw_operation_fetch, and
 * the other way round. The batch is read-only (the job may share it) and must be
 * released before its client is freed. */
RtBatch *gw_operation_fetch_batch (GwOperation *op, gint64 timeout_us, gboolean *end,
                                   GError **error);
/* Requests cancellation; the job ends CANCELLED soon after. Idempotent. */
void gw_operation_cancel (GwOperation *op);
/* Blocks until the job ended; returns its final status. */
GwStatus gw_operation_wait (GwOperation *op);
/* Metrics snapshot as JSON: {"job":..., "status":..., "elapsed_ms":..., "tasks":[{name,
 * subtask, busy_ms_per_s, idle_ms_per_s, backpressured_ms_per_s}], "operators":[{id,
 * name, parallelism, rows_in, rows_out, rows_per_s, rows_dropped, latency_p50_ms,
 * latency_p95_ms, latency_p99_ms}], "memory":{"used":..,"peak":..,"budget":..}} */
char *gw_operation_dup_metrics_json (GwOperation *op);
/* Total rows read by the sources so far (progress lines). */
guint64 gw_operation_get_rows_read (GwOperation *op);

/* added by server */
/* A check the embedded session runs on every CREATE TABLE before adding the table (the
 * server refuses file paths outside its allowed directories with it). FALSE with error
 * refuses the statement. No effect on a remote client. */
typedef gboolean (*GwTableCheckFunc) (const PlanTable *table, gpointer user_data,
                                      GError **error);
void gw_client_set_table_check (GwClient *client, GwTableCheckFunc check, gpointer user_data);
/* A client of a `strom serve` instance at url (http://HOST:PORT or https://...), with the
 * bearer token (NULL: none). Opens a session on the server; fails when unreachable or the
 * token is refused. For https, $STROM_TLS_CA_FILE names extra certificates to trust. */
GwClient *gw_remote_client_new (const char *url, const char *token, GError **error);
/* The same with the token read from token_file; NULL: $STROM_TOKEN, else the local
 * server's default token file ($XDG_STATE_HOME/strom/token) when it exists. */
GwClient *gw_remote_client_connect (const char *url, const char *token_file, GError **error);

G_END_DECLS
