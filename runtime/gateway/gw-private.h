/* gw-private.h: the client and operation vtables. gw-client.c dispatches the public API
 * through them; gw-embedded.c is the in-process implementation and a remote one (strom
 * serve) fills the same tables over HTTP. */
#pragma once

#include "gw-client.h"

G_BEGIN_DECLS

typedef struct {
  void (*free) (GwClient *client);
  PlanCatalog *(*get_catalog) (GwClient *client);
  PlanSettings *(*get_settings) (GwClient *client);
  GwOperation *(*execute) (GwClient *client, const char *sql, GError **error);
  char **(*list_jobs) (GwClient *client);
  GwOperation *(*get_operation) (GwClient *client, const char *job_id);
} GwClientClass;

typedef struct {
  PlanSchema *(*get_schema) (GwOperation *op);
  const char *(*get_message) (GwOperation *op);
  const char *(*get_job_id) (GwOperation *op);
  const PlanStatement *(*get_statement) (GwOperation *op);
  gboolean (*is_changelog) (GwOperation *op);
  GwStatus (*get_status) (GwOperation *op);
  GwPage *(*fetch) (GwOperation *op, guint max_rows, gint64 timeout_us, GError **error);
  /* added by columnar fetch, nullable: gw_operation_fetch_batch (else from fetch's rows) */
  RtBatch *(*fetch_batch) (GwOperation *op, gint64 timeout_us, gboolean *end,
                           GError **error);
  void (*cancel) (GwOperation *op);
  GwStatus (*wait) (GwOperation *op);
  char *(*dup_metrics_json) (GwOperation *op);
  guint64 (*get_rows_read) (GwOperation *op);
} GwOperationClass;

struct _GwClient {
  const GwClientClass *klass;
};

struct _GwOperation {
  const GwOperationClass *klass;
};

#define gw__row_free gw_row_free
GwPage *gw__page_new (void);
/* added by columnar fetch: gw_operation_fetch_batch from a page of fetch's rows (for an
 * operation without a columnar path of its own, or an immediate result set). */
RtBatch *gw__fetch_batch_from_rows (GwOperation *op, gint64 timeout_us, gboolean *end,
                                    GError **error);

/* added by explain (gw-explain.c): EXPLAIN JSON / DOT / ANALYZE. The OptResult and pool are
 * borrowed; ANALYZE runs the plan as a job on the pool. */
#include "optimizer/opt.h"
#include "runtime/engine/rt-job.h"
gboolean gw__explain_is_extended (const PlanStatement *stmt);
char *gw__explain_extended (PlanStatement *stmt, OptResult *opt, RtMemPool *pool,
                            const RtJobConfig *cfg, GError **error);

/* added by gateway dedup: helpers shared by the embedded and the remote client. ops holds
 * their operations (structs that start with a GwOperation). */
char **gw__ops_list_jobs (GPtrArray *ops);
GwOperation *gw__ops_find_job (GPtrArray *ops, const char *job_id_prefix);

/* added by statistics (gw-analyze.c): runs ANALYZE TABLE (stmt->kind PLAN_STMT_ANALYZE)
 * as a batch query through client and stores the figures for the optimizer; the message
 * to show, or NULL with error. */
char *gw__analyze_table (GwClient *client, const PlanStatement *stmt, GError **error);
/* DESCRIBE EXTENDED t: where the table's row estimate comes from, then per column its type
 * and ANALYZE's distinct count, NULL count, MIN and MAX ("-" when not analyzed). */
char *gw__describe_statistics (const PlanTable *table);

G_END_DECLS
