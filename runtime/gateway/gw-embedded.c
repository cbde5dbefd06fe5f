/* gw-embedded.c: the in-process client. It owns a session (catalog, settings, the
 * engine's managed-memory pool) and the operations it started. A statement is parsed,
 * bound, and then either applied to the session at once (DDL, SET, SHOW, DESCRIBE,
 * EXPLAIN: those complete with a message or a small result set) or optimized and run as
 * a job on the embedded runtime, whose collect sink feeds gw_operation_fetch. */
#include "runtime/engine/rt-checkpoint.h" /* added by checkpoints */
#include "gw-private.h"

#include "optimizer/opt.h"
#include "runtime/engine/rt-job.h"

#include <json-glib/json-glib.h>

typedef struct {
  GwClient base;
  PlanCatalog *catalog;   /* owned */
  PlanSettings *settings; /* owned */
  GPtrArray *pools;       /* owned RtMemPool*: the current one last; older ones kept for
                             the jobs that still use them */
  gsize pool_budget;
  GPtrArray *ops;         /* owned GwOperation* */
  guint next_job;
  GwTableCheckFunc table_check; /* added by server: may refuse a CREATE TABLE */
  gpointer table_check_data;
} GwEmbedded;

typedef struct {
  GwOperation base;
  GwEmbedded *client;     /* borrowed: owns us */
  PlanStatement *stmt;    /* owned */
  char *message;          /* owned */
  PlanSchema *schema;     /* owned ref or NULL */
  GPtrArray *rows;        /* owned GwRow* for immediate result sets */
  guint next_row;
  RtJob *job;             /* owned or NULL */
  char *job_id;           /* owned */
  RtBatch *cur;           /* owned: the result batch being paged */
  guint cur_row;
  gboolean ended;
} GwEmbeddedOp;

static const GwOperationClass embedded_op_class;

static GwEmbeddedOp *
op_new (GwEmbedded *c, PlanStatement *stmt)
{
  GwEmbeddedOp *op = g_new0 (GwEmbeddedOp, 1);

  op->base.klass = &embedded_op_class;
  op->client = c;
  op->stmt = stmt;
  g_ptr_array_add (c->ops, op);
  return op;
}

static void
op_free (GwEmbeddedOp *op)
{

  if (op->job != NULL)
    rt_job_free (op->job);
  g_clear_pointer (&op->cur, rt_batch_unref);
  if (op->rows != NULL)
    {
      for (guint i = 0; i < op->rows->len; i++)
        gw__row_free (op->rows->pdata[i]);
      g_ptr_array_unref (op->rows);
    }
  if (op->schema != NULL)
    plan_schema_unref (op->schema);
  if (op->stmt != NULL)
    plan_statement_free (op->stmt);
  g_free (op->message);
  g_free (op->job_id);
  g_free (op);
}

/* ---- immediate result sets --------------------------------------------------------- */

static PlanSchema *
text_schema (guint n, const char *const *names)
{
  PlanSchema *s = plan_schema_new (n);

  for (guint i = 0; i < n; i++)
    plan_schema_set_field (s, i, names[i], plan_type_make (PLAN_TYPE_VARCHAR, TRUE));
  return s;
}

static void
add_text_row (GwEmbeddedOp *op, const char *const *cells)
{
  GwRow *row = g_new0 (GwRow, 1);
  guint n = op->schema->n_fields;

  row->kind = RT_ROW_INSERT;
  row->n_values = n;
  row->values = g_new0 (PlanValue, n);
  for (guint i = 0; i < n; i++)
    {
      row->values[i].type = op->schema->fields[i].type;
      row->values[i].is_null = cells[i] == NULL;
      row->values[i].v.s = g_strdup (cells[i]);
    }
  if (op->rows == NULL)
    op->rows = g_ptr_array_new ();
  g_ptr_array_add (op->rows, row);
}

static void
fill_names (GwEmbeddedOp *op, const char *title, char **names)
{
  const char *cols[] = { title };

  op->schema = text_schema (1, cols);
  op->rows = g_ptr_array_new ();
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *cell[] = { names[i] };
      add_text_row (op, cell);
    }
  g_strfreev (names);
}

static void
fill_describe (GwEmbeddedOp *op, PlanTable *table)
{
  const char *cols[] = { "name", "type", "null", "key", "extras", "watermark" };

  op->schema = text_schema (6, cols);
  op->rows = g_ptr_array_new ();
  for (guint i = 0; i < table->schema->n_fields; i++)
    {
      PlanField *f = &table->schema->fields[i];
      g_autofree char *type = plan_type_to_string (f->type, FALSE);
      g_autofree char *wkey = g_strdup_printf ("__watermark.%s", f->name);
      const char *cell[] = { f->name, type, f->type.nullable ? "TRUE" : "FALSE", NULL, NULL,
                             plan_table_get_option (table, wkey) };
      g_autofree char *rowtime = NULL, *ckey = g_strdup_printf ("__computed.%s", f->name);
      g_autofree char *extras = NULL;
      const char *computed = plan_table_get_option (table, ckey);
      g_autofree char *row_name = NULL;
      const char *row_type = NULL;
      gboolean row_first = FALSE;

      /* added by ROW types: a ROW column's flattened fields show as the one ROW column */
      if (plan_table_row_column (table, i, &row_name, &row_type, &row_first))
        {
          const char *rcell[] = { row_name, row_type, "TRUE", NULL, NULL, NULL };

          if (row_first)
            add_text_row (op, rcell);
          continue;
        }
      /* added by windows: time attributes and computed columns, as Flink shows them */
      if (cell[5] != NULL)
        cell[1] = rowtime = g_strdup_printf ("%s *ROWTIME*", type);
      if (computed != NULL && strchr (computed, ':') != NULL)
        {
          computed = strchr (computed, ':') + 1;
          cell[4] = extras = g_strdup_printf ("AS %s", computed);
          if (g_ascii_strcasecmp (computed, "PROCTIME()") == 0)
            cell[1] = "TIMESTAMP_LTZ(3) *PROCTIME*";
        }
      add_text_row (op, cell);
    }
}

static void
fill_settings (GwEmbeddedOp *op, PlanSettings *settings)
{
  const char *cols[] = { "key", "value" };
  char **kv = plan_settings_list (settings);

  op->schema = text_schema (2, cols);
  op->rows = g_ptr_array_new ();
  for (guint i = 0; kv[i] != NULL && kv[i + 1] != NULL; i += 2)
    {
      const char *cell[] = { kv[i], kv[i + 1] };
      add_text_row (op, cell);
    }
  g_strfreev (kv);
}

/* ---- jobs -------------------------------------------------------------------------- */

static RtMemPool *
current_pool (GwEmbedded *c)
{
  gsize budget = (gsize) plan_settings_get_bytes (c->settings, "taskmanager.memory.managed.size");

  if (c->pools->len == 0 || budget != c->pool_budget)
    {
      g_ptr_array_add (c->pools, rt_mem_pool_new (budget));
      c->pool_budget = budget;
    }
  return c->pools->pdata[c->pools->len - 1];
}

/* plan: the job's (for 'automatic' mode: batch when every source ends). Returns TRUE when
 * 'automatic' chose batch mode although a checkpoint interval is set (it takes none). */
static gboolean
job_config (GwEmbedded *c, const PlanPhysPlan *plan, RtJobConfig *cfg)
{
  const char *mode = plan_settings_get (c->settings, "execution.runtime-mode");
  gboolean batch = g_ascii_strcasecmp (mode, "batch") == 0
                   || (g_ascii_strcasecmp (mode, "automatic") == 0
                       && plan_phys_is_bounded (plan, NULL));

  rt_job_config_init (cfg);
  cfg->batch_size = (guint) plan_settings_get_int (c->settings, "execution.batch-size");
  cfg->buffer_timeout_us = plan_settings_get_duration_us (c->settings, "pipeline.buffer-timeout");
  cfg->latency_interval_us =
    plan_settings_get_duration_us (c->settings, "metrics.latency.interval");
  cfg->watermark_interval_us = /* added by windows */
    plan_settings_get_duration_us (c->settings, "pipeline.auto-watermark-interval");
  cfg->idle_timeout_us =
    plan_settings_get_duration_us (c->settings, "table.exec.source.idle-timeout");
  /* added by checkpoints: batch jobs take none, as in Flink */
  if (!batch)
    cfg->checkpoint_interval_us =
      plan_settings_get_duration_us (c->settings, "execution.checkpointing.interval");
  cfg->checkpoint_timeout_us =
    plan_settings_get_duration_us (c->settings, "execution.checkpointing.timeout");
  cfg->checkpoint_min_pause_us =
    plan_settings_get_duration_us (c->settings, "execution.checkpointing.min-pause");
  cfg->checkpoint_at_least_once =
    g_ascii_strcasecmp (plan_settings_get (c->settings, "execution.checkpointing.mode"),
                        "at_least_once") == 0;
  cfg->checkpoints_retained =
    (guint) plan_settings_get_int (c->settings, "state.checkpoints.num-retained");
  cfg->checkpoint_dir = plan_settings_get (c->settings, "state.checkpoints.dir");
  cfg->savepoint_dir = plan_settings_get (c->settings, "state.savepoints.dir");
  cfg->restore_path = plan_settings_get (c->settings, "execution.savepoint.path");
  if (g_ascii_strcasecmp (plan_settings_get (c->settings, "restart-strategy"), "none") != 0)
    cfg->restart_attempts =
      (guint) plan_settings_get_int (c->settings, "restart-strategy.fixed-delay.attempts");
  cfg->restart_delay_us =
    plan_settings_get_duration_us (c->settings, "restart-strategy.fixed-delay.delay");
  return batch && g_ascii_strcasecmp (mode, "automatic") == 0
         && plan_settings_get_duration_us (c->settings, "execution.checkpointing.interval") > 0;
}

static gboolean
start_job (GwEmbedded *c, GwEmbeddedOp *op, GError **error)
{
  g_autoptr (OptResult) opt = opt_optimize (op->stmt->plan, c->settings, error);
  RtJobConfig cfg;
  guint32 r1 = g_random_int (), r2 = g_random_int (), r3 = g_random_int ();
  g_autofree char *job_id = NULL;
  gboolean no_checkpoints;

  if (opt == NULL)
    return FALSE;
  no_checkpoints = job_config (c, opt_result_get_physical (opt), &cfg);
  job_id = g_strdup_printf ("%08x%08x%08x%08x", ++c->next_job, r1, r2, r3);
  cfg.job_id = job_id; /* added by checkpoints: names its checkpoint directory */
  op->job = rt_job_new (opt_result_get_physical (opt), current_pool (c), &cfg, error);
  if (op->job == NULL)
    return FALSE;
  op->job_id = g_steal_pointer (&job_id);
  if (op->stmt->kind == PLAN_STMT_QUERY)
    {
      PlanNode *sink = op->stmt->plan;
      op->schema = plan_schema_ref (sink->schema);
    }
  else
    op->message = g_strdup_printf (
      "Job %s submitted: INSERT INTO %s.%s", op->job_id, op->stmt->plan->u.sink.table->name,
      no_checkpoints ? " Its sources are bounded, so it runs in batch mode and takes no "
                       "checkpoints, although 'execution.checkpointing.interval' is set (as "
                       "in Flink). To checkpoint it, SET 'execution.runtime-mode' = "
                       "'streaming'." : "");
  return rt_job_start (op->job, error);
}

static char *
explain (GwEmbedded *c, PlanStatement *stmt, GError **error)
{
  g_autoptr (OptResult) opt = opt_optimize (stmt->plan, c->settings, error);

  if (opt == NULL)
    return NULL;
  if (gw__explain_is_extended (stmt)) /* added by explain: JSON, DOT, ANALYZE */
    {
      RtJobConfig cfg;

      job_config (c, opt_result_get_physical (opt), &cfg);
      return gw__explain_extended (stmt, opt, current_pool (c), &cfg, error);
    }
  return opt_explain (stmt->plan, opt, stmt->explain_flags);
}

/* added by checkpoints: STOP JOB 'id' [WITH SAVEPOINT]. With a savepoint, waits for it
 * (the job's checkpoint barriers must reach every task) and then cancels the job. */
static gboolean
stop_job (GwEmbedded *c, GwEmbeddedOp *op, GError **error)
{
  GwEmbeddedOp *job = (GwEmbeddedOp *) gw__ops_find_job (c->ops, op->stmt->name);
  g_autofree char *path = NULL;

  if (job == NULL || job->job == NULL)
    {
      g_set_error (error, PLAN_ERROR, PLAN_ERROR_CATALOG,
                   "%u:%u: No job '%s' in this session; \\jobs lists them",
                   op->stmt->span.line, op->stmt->span.col, op->stmt->name);
      return FALSE;
    }
  if (rt_job_get_status (job->job) != RT_JOB_RUNNING)
    {
      g_set_error (error, GW_ERROR, GW_ERROR_FAILED, "Job %s has already ended (%s).",
                   job->job_id, rt_job_status_name (rt_job_get_status (job->job)));
      return FALSE;
    }
  if (op->stmt->value == NULL)
    {
      rt_job_cancel (job->job);
      op->message = g_strdup_printf ("Job %s stopped.", job->job_id);
      return TRUE;
    }
  path = rt_job_stop_with_savepoint (job->job,
                                     plan_settings_get (c->settings, "state.savepoints.dir"),
                                     error);
  if (path == NULL)
    return FALSE;
  op->message = g_strdup_printf ("Job %s stopped with a savepoint at %s\n"
                                 "Resume it with SET 'execution.savepoint.path' = '%s';",
                                 job->job_id, path, path);
  return TRUE;
}

/* Applies a statement that completes at once. FALSE with error when it fails. */
static gboolean
run_immediate (GwEmbedded *c, GwEmbeddedOp *op, GError **error)
{
  PlanStatement *st = op->stmt;

  switch (st->kind)
    {
    case PLAN_STMT_CREATE_TABLE:
      if (c->table_check != NULL && !c->table_check (st->table, c->table_check_data, error))
        return FALSE;
      if (st->if_exists && plan_catalog_get_table (c->catalog, st->table->name) != NULL)
        op->message = g_strdup_printf ("Table '%s' already exists; skipped.", st->table->name);
      else if (!plan_catalog_add_table (c->catalog, st->table, error))
        return FALSE;
      else
        op->message = g_strdup_printf ("Table '%s' created.", st->table->name);
      return TRUE;
    case PLAN_STMT_CREATE_VIEW:
      if (st->if_exists && plan_catalog_get_view (c->catalog, st->name, NULL) != NULL)
        op->message = g_strdup_printf ("View '%s' already exists; skipped.", st->name);
      else if (!plan_catalog_add_view (c->catalog, st->name, st->text, st->plan, error))
        return FALSE;
      else
        op->message = g_strdup_printf ("View '%s' created.", st->name);
      return TRUE;
    case PLAN_STMT_DROP_TABLE:
    case PLAN_STMT_DROP_VIEW:
      if (!plan_catalog_drop (c->catalog, st->name, st->kind == PLAN_STMT_DROP_VIEW,
                              st->if_exists, error))
        return FALSE;
      op->message = g_strdup_printf ("%s '%s' dropped.",
                                     st->kind == PLAN_STMT_DROP_VIEW ? "View" : "Table", st->name);
      return TRUE;
    case PLAN_STMT_SET:
      if (st->key == NULL)
        {
          fill_settings (op, c->settings);
          return TRUE;
        }
      if (!plan_settings_set (c->settings, st->key, st->value, error))
        return FALSE;
      op->message = g_strdup_printf ("Session property '%s' set to '%s'.", st->key, st->value);
      return TRUE;
    case PLAN_STMT_RESET:
      plan_settings_reset (c->settings, st->key);
      op->message = st->key != NULL
                      ? g_strdup_printf ("Session property '%s' reset.", st->key)
                      : g_strdup ("All session properties reset.");
      return TRUE;
    case PLAN_STMT_SHOW_TABLES:
      fill_names (op, "table name", plan_catalog_list_tables (c->catalog));
      return TRUE;
    case PLAN_STMT_SHOW_VIEWS:
      fill_names (op, "view name", plan_catalog_list_views (c->catalog));
      return TRUE;
    case PLAN_STMT_DESCRIBE:
      if (g_strcmp0 (st->value, "EXTENDED") == 0) /* added by statistics: gw-analyze.c */
        {
          op->message = gw__describe_statistics (st->table);
          return TRUE;
        }
      fill_describe (op, st->table);
      return TRUE;
    case PLAN_STMT_EXPLAIN:
      op->message = explain (c, st, error);
      return op->message != NULL;
    case PLAN_STMT_QUERY:
    case PLAN_STMT_INSERT:
      return start_job (c, op, error);
    case PLAN_STMT_STOP_JOB: /* added by checkpoints */
      return stop_job (c, op, error);
    case PLAN_STMT_ANALYZE: /* added by statistics: gw-analyze.c */
      op->message = gw__analyze_table ((GwClient *) c, st, error);
      return op->message != NULL;
    }
  return FALSE;
}

static GwOperation *
embedded_execute (GwClient *client, const char *sql, GError **error)
{
  GwEmbedded *c = (GwEmbedded *) client;
  g_autoptr (GPtrArray) asts = plan_sql_parse (sql, error);
  PlanStatement *stmt;
  GwEmbeddedOp *op;

  if (asts == NULL)
    return NULL;
  if (asts->len != 1)
    {
      g_set_error (error, PLAN_ERROR, PLAN_ERROR_SYNTAX, "1:1: %s",
                   asts->len == 0 ? "Nothing to run: the text holds no statement."
                                  : "Run one statement at a time (the text holds several).");
      return NULL;
    }
  stmt = plan_sql_bind (c->catalog, asts->pdata[0], error);
  if (stmt == NULL)
    return NULL;
  op = op_new (c, stmt);
  if (!run_immediate (c, op, error))
    {
      g_ptr_array_remove (c->ops, op);
      op_free (op);
      return NULL;
    }
  return &op->base;
}

/* ---- operations -------------------------------------------------------------------- */

static PlanSchema *
op_get_schema (GwOperation *base)
{
  return ((GwEmbeddedOp *) base)->schema;
}

static const char *
op_get_message (GwOperation *base)
{
  return ((GwEmbeddedOp *) base)->message;
}

static const char *
op_get_job_id (GwOperation *base)
{
  return ((GwEmbeddedOp *) base)->job_id;
}

static const PlanStatement *
op_get_statement (GwOperation *base)
{
  return ((GwEmbeddedOp *) base)->stmt;
}

static gboolean
op_is_changelog (GwOperation *base)
{
  GwEmbeddedOp *op = (GwEmbeddedOp *) base;
  PlanPhysPlan *plan = op->job != NULL ? rt_job_get_plan (op->job) : NULL;

  /* The sink's input is updating when a GROUP BY (in streaming mode) feeds it. */
  return plan != NULL && plan->root->n_inputs > 0 && plan->root->inputs[0].node->updating;
}

static GwStatus
map_status (RtJobStatus s)
{
  switch (s)
    {
    case RT_JOB_CREATED: return GW_STATUS_CREATED;
    case RT_JOB_RUNNING: return GW_STATUS_RUNNING;
    case RT_JOB_FINISHED: return GW_STATUS_FINISHED;
    case RT_JOB_CANCELLED: return GW_STATUS_CANCELLED;
    case RT_JOB_FAILED: return GW_STATUS_FAILED;
    }
  return GW_STATUS_FAILED;
}

static GwStatus
op_get_status (GwOperation *base)
{
  GwEmbeddedOp *op = (GwEmbeddedOp *) base;

  return op->job != NULL ? map_status (rt_job_get_status (op->job)) : GW_STATUS_FINISHED;
}

static GwRow *
row_from_batch (RtBatch *b, guint r)
{
  /* one allocation for the row and its values (gw_row_free knows): a query's result can
   * be tens of millions of rows */
  GwRow *row = g_malloc0 (sizeof (GwRow) + sizeof (PlanValue) * MAX (b->n_cols, 1u));

  row->kind = (RtRowKind) b->kinds[r];
  row->n_values = b->n_cols;
  row->values = (PlanValue *) (row + 1);
  for (guint c = 0; c < b->n_cols; c++)
    rt_batch_get_value (b, c, r, &row->values[c]);
  return row;
}

/* Whether the job ended failed, with its error then (as fetch reports it). */
static gboolean
job_failed (GwEmbeddedOp *op, GError **error)
{
  g_autoptr (GError) job_error = NULL;

  if (!op->ended || rt_job_get_status (op->job) != RT_JOB_FAILED)
    return FALSE;
  job_error = rt_job_dup_error (op->job);
  g_set_error (error, GW_ERROR, GW_ERROR_FAILED, "%s",
               job_error != NULL ? job_error->message : "the job failed");
  return TRUE;
}

/* Pages a job's result batches into rows; immediate result sets page from op->rows. */
static GwPage *
op_fetch (GwOperation *base, guint max_rows, gint64 timeout_us, GError **error)
{
  GwEmbeddedOp *op = (GwEmbeddedOp *) base;
  GwPage *page = gw__page_new ();

  max_rows = MAX (max_rows, 1u);
  if (op->job == NULL)
    {
      while (op->rows != NULL && op->next_row < op->rows->len && page->rows->len < max_rows)
        {
          g_ptr_array_add (page->rows, op->rows->pdata[op->next_row]);
          op->rows->pdata[op->next_row++] = NULL;
        }
      page->end = op->rows == NULL || op->next_row >= op->rows->len;
      return page;
    }
  while (page->rows->len < max_rows && !op->ended)
    {
      if (op->cur == NULL)
        {
          gboolean end = FALSE;
          /* wait only while the page is still empty */
          op->cur = rt_job_pop_result (op->job, page->rows->len == 0 ? timeout_us : 0, &end);
          op->cur_row = 0;
          if (op->cur == NULL)
            {
              op->ended = end;
              break;
            }
        }
      while (op->cur_row < op->cur->n_rows && page->rows->len < max_rows)
        g_ptr_array_add (page->rows, row_from_batch (op->cur, op->cur_row++));
      if (op->cur_row >= op->cur->n_rows)
        g_clear_pointer (&op->cur, rt_batch_unref);
    }
  page->end = op->ended;
  if (job_failed (op, error))
    {
      gw_page_free (page);
      return NULL;
    }
  return page;
}

/* The job's result batches as they are; a batch partly fetched as rows before gives its
 * other rows in a copy. */
static RtBatch *
op_fetch_batch (GwOperation *base, gint64 timeout_us, gboolean *end, GError **error)
{
  GwEmbeddedOp *op = (GwEmbeddedOp *) base;
  RtBatch *batch = NULL;

  if (op->job == NULL)
    return gw__fetch_batch_from_rows (base, timeout_us, end, error);
  while ((op->cur == NULL || op->cur_row >= op->cur->n_rows) && !op->ended)
    {
      gboolean ended = FALSE;

      g_clear_pointer (&op->cur, rt_batch_unref);
      op->cur_row = 0;
      if ((op->cur = rt_job_pop_result (op->job, timeout_us, &ended)) == NULL)
        {
          op->ended = ended;
          break; /* the end, or the timeout passed */
        }
    }
  if (op->cur != NULL && op->cur_row == 0)
    batch = g_steal_pointer (&op->cur);
  else if (op->cur != NULL)
    {
      guint n = op->cur->n_rows - op->cur_row;

      batch = rt_batch_new (rt_job_get_pool (op->job), op->cur->schema, n, error);
      if (batch == NULL)
        return NULL;
      if (!rt_batch_append_rows (batch, op->cur, NULL, op->cur_row, n, error))
        {
          rt_batch_unref (batch);
          return NULL;
        }
      g_clear_pointer (&op->cur, rt_batch_unref);
    }
  if (batch != NULL)
    return batch;
  *end = op->ended;
  job_failed (op, error);
  return NULL;
}

static void
op_cancel (GwOperation *base)
{
  GwEmbeddedOp *op = (GwEmbeddedOp *) base;

  if (op->job != NULL)
    rt_job_cancel (op->job);
}

static GwStatus
op_wait (GwOperation *base)
{
  GwEmbeddedOp *op = (GwEmbeddedOp *) base;

  if (op->job == NULL)
    return GW_STATUS_FINISHED;
  return map_status (rt_job_wait (op->job));
}

static guint64
op_get_rows_read (GwOperation *base)
{
  GwEmbeddedOp *op = (GwEmbeddedOp *) base;

  return op->job != NULL ? rt_job_get_rows_read (op->job) : 0;
}

static void
add_double (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, v);
}

static void
add_int (JsonBuilder *b, const char *name, gint64 v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, v);
}

static void
add_string (JsonBuilder *b, const char *name, const char *v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, v);
}

static void
metrics_tasks (JsonBuilder *b, RtJobMetrics *m)
{
  json_builder_set_member_name (b, "tasks");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->n_tasks; i++)
    {
      RtTaskMetrics *t = &m->tasks[i];
      json_builder_begin_object (b);
      add_string (b, "name", t->name);
      add_int (b, "subtask", t->subtask);
      add_int (b, "parallelism", t->parallelism);
      add_double (b, "busy_ms_per_s", t->busy_ms_per_s);
      add_double (b, "idle_ms_per_s", t->idle_ms_per_s);
      add_double (b, "backpressured_ms_per_s", t->backpressured_ms_per_s);
      add_double (b, "out_queue_fill", t->out_queue_fill);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
metrics_ops (JsonBuilder *b, RtJobMetrics *m)
{
  json_builder_set_member_name (b, "operators");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->n_ops; i++)
    {
      RtOpMetrics *o = &m->ops[i];
      json_builder_begin_object (b);
      add_int (b, "id", o->node_id);
      add_string (b, "name", o->name);
      add_int (b, "parallelism", o->parallelism);
      add_int (b, "rows_in", (gint64) o->rows_in);
      add_int (b, "rows_out", (gint64) o->rows_out);
      add_double (b, "rows_per_s", o->rows_out_per_s);
      add_int (b, "rows_dropped", (gint64) o->rows_dropped);
      add_double (b, "latency_p50_ms", o->latency_p50_ms);
      add_double (b, "latency_p95_ms", o->latency_p95_ms);
      add_double (b, "latency_p99_ms", o->latency_p99_ms);
      if (o->current_watermark != G_MININT64) /* added by windows: ms, absent before any */
        add_int (b, "current_watermark", o->current_watermark);
      add_int (b, "late_records_dropped", (gint64) o->late_records_dropped);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* added by checkpoints: {"checkpoints": {enabled, completed, failed, restarts,
 * restored_from, directory, history: [{id, status, savepoint, duration_ms, sync_ms, size,
 * alignment_ms, path, failure}]}}, newest last; absent when the job has no coordinator
 * (every session job has one; enabled says whether an interval is set). */
static void
metrics_checkpoints (JsonBuilder *b, RtJob *job)
{
  RtCheckpointMetrics *c = rt_job_get_checkpoint_metrics (job);
  static const char *const status[] = { "IN_PROGRESS", "COMPLETED", "FAILED" };

  if (c == NULL)
    return;
  json_builder_set_member_name (b, "checkpoints");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "enabled"); /* an interval is set (else savepoints only) */
  json_builder_add_boolean_value (b, c->enabled);
  add_int (b, "completed", (gint64) c->n_completed);
  add_int (b, "failed", (gint64) c->n_failed);
  add_int (b, "restarts", c->n_restarts);
  if (c->restored_from != NULL)
    add_string (b, "restored_from", c->restored_from);
  if (c->job_dir != NULL)
    add_string (b, "directory", c->job_dir);
  json_builder_set_member_name (b, "history");
  json_builder_begin_array (b);
  for (guint i = 0; i < c->n_history; i++)
    {
      RtCheckpointStats *s = &c->history[i];

      json_builder_begin_object (b);
      add_int (b, "id", s->id);
      add_string (b, "status", status[s->status]);
      json_builder_set_member_name (b, "savepoint");
      json_builder_add_boolean_value (b, s->savepoint);
      add_double (b, "duration_ms", (double) s->duration_us / 1000.0);
      add_int (b, "size", (gint64) s->state_bytes);
      add_double (b, "alignment_ms", (double) s->alignment_us / 1000.0);
      add_double (b, "sync_ms", (double) s->sync_us / 1000.0);
      if (s->path != NULL)
        add_string (b, "path", s->path);
      if (s->failure != NULL)
        add_string (b, "failure", s->failure);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  rt_checkpoint_metrics_free (c);
}

static char *
op_dup_metrics_json (GwOperation *base)
{
  GwEmbeddedOp *op = (GwEmbeddedOp *) base;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  RtJobMetrics *m;

  if (op->job == NULL)
    return g_strdup ("{}");
  m = rt_job_snapshot_metrics (op->job);
  json_builder_begin_object (b);
  add_string (b, "job", op->job_id);
  add_string (b, "status", gw_status_name (map_status (m->status)));
  add_int (b, "elapsed_ms", m->elapsed_us / 1000);
  add_int (b, "rows_read", (gint64) m->rows_read);
  metrics_tasks (b, m);
  metrics_ops (b, m);
  metrics_checkpoints (b, op->job); /* added by checkpoints */
  json_builder_set_member_name (b, "memory");
  json_builder_begin_object (b);
  add_int (b, "used", (gint64) rt_mem_pool_get_used (rt_job_get_pool (op->job)));
  add_int (b, "peak", (gint64) rt_mem_pool_get_peak (rt_job_get_pool (op->job)));
  add_int (b, "budget", (gint64) rt_mem_pool_get_budget (rt_job_get_pool (op->job)));
  json_builder_end_object (b);
  json_builder_end_object (b);
  rt_job_metrics_free (m);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

static const GwOperationClass embedded_op_class = {
  .get_schema = op_get_schema,
  .get_message = op_get_message,
  .get_job_id = op_get_job_id,
  .get_statement = op_get_statement,
  .is_changelog = op_is_changelog,
  .get_status = op_get_status,
  .fetch = op_fetch,
  .fetch_batch = op_fetch_batch,
  .cancel = op_cancel,
  .wait = op_wait,
  .dup_metrics_json = op_dup_metrics_json,
  .get_rows_read = op_get_rows_read,
};

/* ---- client ------------------------------------------------------------------------ */

static void
embedded_free (GwClient *client)
{
  GwEmbedded *c = (GwEmbedded *) client;

  for (guint i = 0; i < c->ops->len; i++)
    op_free (c->ops->pdata[i]); /* cancels and joins running jobs */
  g_ptr_array_unref (c->ops);
  for (guint i = 0; i < c->pools->len; i++)
    rt_mem_pool_free (c->pools->pdata[i]);
  g_ptr_array_unref (c->pools);
  plan_catalog_free (c->catalog);
  plan_settings_free (c->settings);
  g_free (c);
}

static PlanCatalog *
embedded_get_catalog (GwClient *client)
{
  return ((GwEmbedded *) client)->catalog;
}

static PlanSettings *
embedded_get_settings (GwClient *client)
{
  return ((GwEmbedded *) client)->settings;
}

static char **
embedded_list_jobs (GwClient *client)
{
  return gw__ops_list_jobs (((GwEmbedded *) client)->ops);
}

static GwOperation *
embedded_get_operation (GwClient *client, const char *job_id)
{
  return gw__ops_find_job (((GwEmbedded *) client)->ops, job_id);
}

static const GwClientClass embedded_class = {
  .free = embedded_free,
  .get_catalog = embedded_get_catalog,
  .get_settings = embedded_get_settings,
  .execute = embedded_execute,
  .list_jobs = embedded_list_jobs,
  .get_operation = embedded_get_operation,
};

GwClient *
gw_client_new_embedded (GError **error)
{
  GwEmbedded *c = g_new0 (GwEmbedded, 1);

  c->base.klass = &embedded_class;
  c->catalog = plan_catalog_new ();
  c->settings = plan_settings_new ();
  c->pools = g_ptr_array_new ();
  c->ops = g_ptr_array_new ();
  return &c->base;
}

/* added by server */
void
gw_client_set_table_check (GwClient *client, GwTableCheckFunc check, gpointer user_data)
{
  GwEmbedded *c = (GwEmbedded *) client;

  if (client == NULL || client->klass != &embedded_class)
    return;
  c->table_check = check;
  c->table_check_data = user_data;
}
