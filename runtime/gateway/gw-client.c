/* gw-client.c: the public client API, dispatched through the implementation's vtable so
 * the REPL and the GUI never know whether the runtime is in this process or remote. */
#include "gw-private.h"

GQuark
gw_error_quark (void)
{
  return g_quark_from_static_string ("gw-error-quark");
}

const char *
gw_status_name (GwStatus status)
{
  switch (status)
    {
    case GW_STATUS_CREATED: return "CREATED";
    case GW_STATUS_RUNNING: return "RUNNING";
    case GW_STATUS_FINISHED: return "FINISHED";
    case GW_STATUS_CANCELLED: return "CANCELED";
    case GW_STATUS_FAILED: return "FAILED";
    }
  return "UNKNOWN";
}

void
gw_row_free (GwRow *row)
{
  if (row == NULL)
    return;
  for (guint i = 0; i < row->n_values; i++)
    plan_value_clear (&row->values[i]);
  if (row->values != (PlanValue *) (row + 1)) /* else they share the row's allocation */
    g_free (row->values);
  g_free (row);
}

GwPage *
gw__page_new (void)
{
  GwPage *page = g_new0 (GwPage, 1);

  page->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) gw_row_free);
  return page;
}

void
gw_page_free (GwPage *page)
{
  if (page == NULL)
    return;
  g_ptr_array_unref (page->rows);
  g_free (page);
}

void
gw_client_free (GwClient *client)
{
  if (client != NULL)
    client->klass->free (client);
}

PlanCatalog *
gw_client_get_catalog (GwClient *client)
{
  return client->klass->get_catalog (client);
}

PlanSettings *
gw_client_get_settings (GwClient *client)
{
  return client->klass->get_settings (client);
}

GwOperation *
gw_client_execute (GwClient *client, const char *sql, GError **error)
{
  g_return_val_if_fail (sql != NULL, NULL);
  return client->klass->execute (client, sql, error);
}

char **
gw_client_list_jobs (GwClient *client)
{
  return client->klass->list_jobs (client);
}

GwOperation *
gw_client_get_operation (GwClient *client, const char *job_id)
{
  return client->klass->get_operation (client, job_id);
}

PlanSchema *
gw_operation_get_schema (GwOperation *op)
{
  return op->klass->get_schema (op);
}

const char *
gw_operation_get_message (GwOperation *op)
{
  return op->klass->get_message (op);
}

const char *
gw_operation_get_job_id (GwOperation *op)
{
  return op->klass->get_job_id (op);
}

const PlanStatement *
gw_operation_get_statement (GwOperation *op)
{
  return op->klass->get_statement (op);
}

gboolean
gw_operation_is_changelog (GwOperation *op)
{
  return op->klass->is_changelog (op);
}

GwStatus
gw_operation_get_status (GwOperation *op)
{
  return op->klass->get_status (op);
}

GwPage *
gw_operation_fetch (GwOperation *op, guint max_rows, gint64 timeout_us, GError **error)
{
  return op->klass->fetch (op, max_rows, timeout_us, error);
}

/* The pool of batches made from rows: one per process, as large as memory (these batches
 * hold rows the client already has), created on first use and kept. */
static RtMemPool *
rows_pool (void)
{
  static gsize once;
  static RtMemPool *pool;

  if (g_once_init_enter (&once))
    {
      pool = rt_mem_pool_new (G_MAXSIZE / 4);
      g_once_init_leave (&once, 1);
    }
  return pool;
}

RtBatch *
gw__fetch_batch_from_rows (GwOperation *op, gint64 timeout_us, gboolean *end,
                           GError **error)
{
  g_autoptr (GwPage) page = op->klass->fetch (op, 1024, timeout_us, error);
  PlanSchema *schema = op->klass->get_schema (op);
  RtBatch *batch;

  *end = page == NULL;
  if (page == NULL)
    return NULL;
  *end = page->end;
  if (page->rows->len == 0 || schema == NULL)
    return NULL;
  if ((batch = rt_batch_new (rows_pool (), schema, page->rows->len, error)) == NULL)
    return NULL;
  for (guint i = 0; i < page->rows->len; i++)
    {
      const GwRow *row = page->rows->pdata[i];

      if (!rt_batch_append_values (batch, row->values, error))
        {
          rt_batch_unref (batch);
          return NULL;
        }
      batch->kinds[i] = (guint8) row->kind;
    }
  return batch;
}

RtBatch *
gw_operation_fetch_batch (GwOperation *op, gint64 timeout_us, gboolean *end, GError **error)
{
  gboolean ignored;

  if (end == NULL)
    end = &ignored;
  *end = FALSE;
  if (op->klass->fetch_batch != NULL)
    return op->klass->fetch_batch (op, timeout_us, end, error);
  return gw__fetch_batch_from_rows (op, timeout_us, end, error);
}

void
gw_operation_cancel (GwOperation *op)
{
  op->klass->cancel (op);
}

GwStatus
gw_operation_wait (GwOperation *op)
{
  return op->klass->wait (op);
}

char *
gw_operation_dup_metrics_json (GwOperation *op)
{
  return op->klass->dup_metrics_json (op);
}

guint64
gw_operation_get_rows_read (GwOperation *op)
{
  return op->klass->get_rows_read (op);
}

/* The job ids of ops, oldest first (operations without a job are left out). */
char **
gw__ops_list_jobs (GPtrArray *ops)
{
  GStrvBuilder *b = g_strv_builder_new ();
  char **out;

  for (guint i = 0; i < ops->len; i++)
    {
      const char *job_id = gw_operation_get_job_id (ops->pdata[i]);
      if (job_id != NULL)
        g_strv_builder_add (b, job_id);
    }
  out = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return out;
}

/* The first operation of ops whose job id starts with job_id_prefix, or NULL. */
GwOperation *
gw__ops_find_job (GPtrArray *ops, const char *job_id_prefix)
{
  for (guint i = 0; i < ops->len; i++)
    {
      const char *job_id = gw_operation_get_job_id (ops->pdata[i]);
      if (job_id != NULL && g_str_has_prefix (job_id, job_id_prefix))
        return ops->pdata[i];
    }
  return NULL;
}
