/* rt-sink-sqlite.c: the 'jdbc' sink connector, writing a SQLite table exactly once
 * (DESIGN.md 4.7), in the shape of Flink's JDBC connector:
 *
 *   CREATE TABLE t (k BIGINT, c BIGINT, PRIMARY KEY (k) NOT ENFORCED)
 *   WITH ('connector' = 'jdbc', 'url' = 'jdbc:sqlite:/path/to/file.db', 'table-name' = 'x')
 *
 * With a primary key it is an upsert sink, as Flink's: +I and +U rows are upserted by the
 * key (INSERT .. ON CONFLICT DO UPDATE), -D rows delete the key, -U rows are ignored (the
 * +U that follows overwrites). Without one it is append-only (+I rows only; the optimizer
 * refuses an updating input). The SQLite table is created when missing, with the strom
 * table's column types and key.
 *
 * Exactly once, two phases like the filesystem sink (rt-sink-fs.c): the rows of the
 * current epoch are staged in memory, encoded (one byte array in append mode; in upsert
 * mode only the last row per key, since nothing but the last one survives an upsert). At
 * a checkpoint barrier the epoch becomes pending, and the snapshot writes the pending
 * epochs. When the checkpoint completes (notify_complete) each pending epoch up to it is
 * applied in ONE SQLite transaction that also inserts the marker (sink id, origin subtask,
 * checkpoint id) into the table strom_commits; an epoch whose marker exists is skipped, so
 * applying one twice changes nothing. A restore applies the pending epochs of the restored
 * checkpoint (the crash may have come before or after their commit: the marker decides).
 * RT_CHECKPOINT_FINAL (the job ended normally) applies everything staged.
 *
 * Each subtask writes ONE list entry per snapshot: its sink id, its subtask, the
 * checkpoint, and all its pending epochs in order. One entry rather than one per epoch,
 * because list entries are dealt round robin on restore: epochs of one origin could land
 * on two subtasks and be applied out of order, and an upsert applied out of order leaves
 * an older value. The entry also carries the sink id through restores when nothing is
 * pending: a restored subtask adopts the id of the first entry it gets (a subtask that
 * gets none, after scaling up, draws a new one). Checkpoint ids only grow within a job, so
 * (sink id, subtask, checkpoint id) never repeats; when a restore goes back behind commits
 * this sink id already made (an older savepoint, a damaged newest checkpoint), the
 * subtask draws a new id so that its new epochs are not mistaken for applied ones.
 *
 * The database runs with synchronous=FULL, and busy_timeout ('connection.max-retry-
 * timeout', 60 s by default) lets parallel subtasks writing one file wait for each other;
 * write transactions start with BEGIN IMMEDIATE so two writers never deadlock upgrading
 * their locks. Values map to SQLite as: BOOLEAN, INT, BIGINT and INTERVAL (ms) integers,
 * DOUBLE reals, VARCHAR text, DECIMAL, DATE and TIMESTAMP text as strom prints them. */
#include "rt-source-private.h"
#include "rt-checkpoint.h"

#include <sqlite3.h>
#include <string.h>

#define ENTRY_VERSION 1
#define COMMITS_TABLE "strom_commits"

typedef struct {
  gint64 checkpoint; /* the barrier it became pending at; RT_CHECKPOINT_FINAL at the end */
  guint64 n_rows;
  GBytes *rows;      /* owned: encoded rows */
} SqlEpoch;

typedef struct {
  RtOperator base;
  sqlite3 *db;             /* owned */
  char *path;              /* owned: the database file, for messages */
  char *table_name;        /* owned: the SQLite table */
  char *sink_id;           /* owned */
  guint subtask;
  gboolean upsert;         /* the table has a PRIMARY KEY */
  PlanSchema *schema;      /* owned ref: the rows' columns */
  guint n_keys;
  guint *keys;             /* owned: key columns */
  sqlite3_stmt *write_st;  /* owned: INSERT (append) or the upsert */
  sqlite3_stmt *delete_st; /* owned: upsert mode only */
  sqlite3_stmt *find_st;   /* owned: is a marker there */
  sqlite3_stmt *mark_st;   /* owned: insert a marker */
  GByteArray *stage;       /* owned: append mode, the current epoch's rows */
  GHashTable *stage_keys;  /* owned: upsert mode, key bytes -> row bytes (GBytes) */
  guint64 stage_rows;      /* append mode */
  GPtrArray *pending;      /* owned SqlEpoch*, oldest first */
  GByteArray *scratch;     /* owned */
} RtSqliteSink;

/* A decoded cell; str points into the epoch's bytes. */
typedef struct {
  gboolean is_null;
  gint64 i;
  double d;
  const char *str;
  guint32 len;
} SqlCell;

static void
epoch_free (SqlEpoch *e)
{
  g_bytes_unref (e->rows);
  g_free (e);
}

static gboolean
db_error (RtSqliteSink *self, GError **error, const char *what)
{
  g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR,
               "The jdbc sink cannot %s table '%s' in %s: %s", what, self->table_name,
               self->path, self->db != NULL ? sqlite3_errmsg (self->db) : "out of memory");
  return FALSE;
}

/* ---- encoding ----------------------------------------------------------------------- */

static void
put_u32 (GByteArray *out, guint32 v)
{
  guint32 le = GUINT32_TO_LE (v);

  g_byte_array_append (out, (const guint8 *) &le, 4);
}

static void
put_u64 (GByteArray *out, guint64 v)
{
  guint64 le = GUINT64_TO_LE (v);

  g_byte_array_append (out, (const guint8 *) &le, 8);
}

/* A cell: a presence byte, then its value (little-endian; strings length-prefixed). */
static void
encode_cell (GByteArray *out, const RtVector *v, guint row)
{
  guint8 present = rt_vec_is_valid (v, row) ? 1 : 0;
  double d;

  g_byte_array_append (out, &present, 1);
  if (!present)
    return;
  switch (v->kind)
    {
    case PLAN_TYPE_BOOLEAN:
      g_byte_array_append (out, &((const guint8 *) v->data)[row], 1);
      break;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_DATE:
      put_u32 (out, (guint32) ((const gint32 *) v->data)[row]);
      break;
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      put_u64 (out, (guint64) ((const gint64 *) v->data)[row]);
      break;
    case PLAN_TYPE_DOUBLE:
      d = ((const double *) v->data)[row];
      {
        guint64 bits;

        memcpy (&bits, &d, 8);
        put_u64 (out, bits);
      }
      break;
    case PLAN_TYPE_VARCHAR:
      {
        const RtStr *s = &((const RtStr *) v->data)[row];

        put_u32 (out, s->len);
        g_byte_array_append (out, (const guint8 *) s->ptr, s->len);
      }
      break;
    case PLAN_TYPE_NULL:
    default:
      break;
    }
}

/* A row: its kind, then every cell. */
static void
encode_row (GByteArray *out, const RtBatch *batch, guint row)
{
  g_byte_array_append (out, &batch->kinds[row], 1);
  for (guint c = 0; c < batch->n_cols; c++)
    encode_cell (out, &batch->cols[c], row);
}

typedef struct {
  const guint8 *p, *end;
} Reader;

static gboolean
get_raw (Reader *r, void *dst, gsize n)
{
  if ((gsize) (r->end - r->p) < n)
    return FALSE;
  memcpy (dst, r->p, n);
  r->p += n;
  return TRUE;
}

static gboolean
decode_cell (Reader *r, PlanTypeKind kind, SqlCell *cell)
{
  guint8 present, b;
  guint32 u32;
  guint64 u64;

  memset (cell, 0, sizeof *cell);
  if (!get_raw (r, &present, 1))
    return FALSE;
  cell->is_null = !present;
  if (!present)
    return TRUE;
  switch (kind)
    {
    case PLAN_TYPE_BOOLEAN:
      if (!get_raw (r, &b, 1))
        return FALSE;
      cell->i = b != 0;
      return TRUE;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_DATE:
      if (!get_raw (r, &u32, 4))
        return FALSE;
      cell->i = (gint32) GUINT32_FROM_LE (u32);
      return TRUE;
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
    case PLAN_TYPE_DOUBLE:
      if (!get_raw (r, &u64, 8))
        return FALSE;
      u64 = GUINT64_FROM_LE (u64);
      cell->i = (gint64) u64;
      memcpy (&cell->d, &u64, 8);
      return TRUE;
    case PLAN_TYPE_VARCHAR:
      if (!get_raw (r, &u32, 4))
        return FALSE;
      cell->len = GUINT32_FROM_LE (u32);
      if ((gsize) (r->end - r->p) < cell->len)
        return FALSE;
      cell->str = (const char *) r->p;
      r->p += cell->len;
      return TRUE;
    case PLAN_TYPE_NULL:
    default:
      cell->is_null = TRUE;
      return TRUE;
    }
}

/* ---- staging ------------------------------------------------------------------------ */

static RtResult
sqlite_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtSqliteSink *self = (RtSqliteSink *) op;

  for (guint r = 0; r < batch->n_rows; r++)
    {
      RtRowKind kind = (RtRowKind) batch->kinds[r];

      if (!self->upsert)
        {
          if (kind != RT_ROW_INSERT)
            {
              g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR,
                           "The jdbc sink of table '%s' is append-only (it has no PRIMARY "
                           "KEY) but received a %s row; declare PRIMARY KEY (...) NOT "
                           "ENFORCED to write updates", self->table_name,
                           rt_row_kind_short (kind));
              return RT_FAIL;
            }
          encode_row (self->stage, batch, r);
          self->stage_rows++;
          continue;
        }
      if (kind == RT_ROW_UPDATE_BEFORE)
        continue; /* the +U after it overwrites the key */
      g_byte_array_set_size (self->scratch, 0);
      for (guint k = 0; k < self->n_keys; k++)
        encode_cell (self->scratch, &batch->cols[self->keys[k]], r);
      {
        GBytes *key = g_bytes_new (self->scratch->data, self->scratch->len);

        g_byte_array_set_size (self->scratch, 0);
        encode_row (self->scratch, batch, r);
        g_hash_table_replace (self->stage_keys, key,
                              g_bytes_new (self->scratch->data, self->scratch->len));
      }
    }
  return RT_OK;
}

/* The current epoch becomes pending at checkpoint (nothing when it holds no rows). */
static void
seal_current (RtSqliteSink *self, gint64 checkpoint)
{
  SqlEpoch *e;

  if (self->upsert && g_hash_table_size (self->stage_keys) > 0)
    {
      GHashTableIter it;
      gpointer value;
      GByteArray *all = g_byte_array_new ();

      e = g_new0 (SqlEpoch, 1);
      e->n_rows = g_hash_table_size (self->stage_keys);
      g_hash_table_iter_init (&it, self->stage_keys);
      while (g_hash_table_iter_next (&it, NULL, &value))
        {
          gsize len;
          const guint8 *data = g_bytes_get_data (value, &len);

          g_byte_array_append (all, data, (guint) len);
        }
      g_hash_table_remove_all (self->stage_keys);
      e->rows = g_byte_array_free_to_bytes (all);
    }
  else if (!self->upsert && self->stage_rows > 0)
    {
      e = g_new0 (SqlEpoch, 1);
      e->n_rows = self->stage_rows;
      e->rows = g_byte_array_free_to_bytes (self->stage);
      self->stage = g_byte_array_new ();
      self->stage_rows = 0;
    }
  else
    return;
  e->checkpoint = checkpoint;
  g_ptr_array_add (self->pending, e);
}

/* ---- applying an epoch -------------------------------------------------------------- */

static void
bind_cell (sqlite3_stmt *st, int param, PlanType type, const SqlCell *cell)
{
  char buf[64];

  if (cell->is_null)
    {
      sqlite3_bind_null (st, param);
      return;
    }
  switch (type.kind)
    {
    case PLAN_TYPE_BOOLEAN:
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_INTERVAL:
      sqlite3_bind_int64 (st, param, cell->i);
      return;
    case PLAN_TYPE_DOUBLE:
      sqlite3_bind_double (st, param, cell->d);
      return;
    case PLAN_TYPE_VARCHAR:
      sqlite3_bind_text (st, param, cell->str, (int) cell->len, SQLITE_STATIC);
      return;
    case PLAN_TYPE_DECIMAL:
      plan_format_decimal (cell->i, type.scale, buf, sizeof buf);
      break;
    case PLAN_TYPE_DATE:
      plan_format_date ((gint32) cell->i, buf, sizeof buf);
      break;
    case PLAN_TYPE_TIMESTAMP:
      plan_format_timestamp (cell->i, buf, sizeof buf);
      break;
    case PLAN_TYPE_NULL:
    default:
      sqlite3_bind_null (st, param);
      return;
    }
  sqlite3_bind_text (st, param, buf, -1, SQLITE_TRANSIENT);
}

/* Writes one encoded row: an insert, an upsert or a delete by key. */
static gboolean
apply_row (RtSqliteSink *self, Reader *r, SqlCell *cells, GError **error)
{
  guint8 kind;
  sqlite3_stmt *st;
  guint n = self->schema->n_fields;

  if (!get_raw (r, &kind, 1))
    goto bad;
  for (guint c = 0; c < n; c++)
    if (!decode_cell (r, self->schema->fields[c].type.kind, &cells[c]))
      goto bad;
  if (kind == RT_ROW_DELETE)
    {
      st = self->delete_st;
      for (guint k = 0; k < self->n_keys; k++)
        bind_cell (st, (int) k + 1, self->schema->fields[self->keys[k]].type,
                   &cells[self->keys[k]]);
    }
  else
    {
      st = self->write_st;
      for (guint c = 0; c < n; c++)
        bind_cell (st, (int) c + 1, self->schema->fields[c].type, &cells[c]);
    }
  if (sqlite3_step (st) != SQLITE_DONE)
    {
      sqlite3_reset (st);
      return db_error (self, error, "write to");
    }
  sqlite3_reset (st);
  sqlite3_clear_bindings (st);
  return TRUE;
bad:
  g_set_error (error, RT_ERROR, RT_ERROR_CHECKPOINT,
               "The jdbc sink of table '%s' found a damaged staged row", self->table_name);
  return FALSE;
}

static gboolean
marker_exists (RtSqliteSink *self, const char *sink_id, guint origin, gint64 checkpoint,
               gboolean *exists, GError **error)
{
  int rc;

  sqlite3_bind_text (self->find_st, 1, sink_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (self->find_st, 2, origin);
  sqlite3_bind_int64 (self->find_st, 3, checkpoint);
  rc = sqlite3_step (self->find_st);
  sqlite3_reset (self->find_st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return db_error (self, error, "read the commit markers of");
  *exists = rc == SQLITE_ROW;
  return TRUE;
}

static gboolean
exec_sql (RtSqliteSink *self, const char *sql, const char *what, GError **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return db_error (self, error, what);
  return TRUE;
}

/* Applies an epoch in one transaction with its marker; skipped when the marker exists. */
static gboolean
apply_epoch (RtSqliteSink *self, const char *sink_id, guint origin, gint64 checkpoint,
             const guint8 *rows, gsize len, guint64 n_rows, GError **error)
{
  g_autofree SqlCell *cells = g_new (SqlCell, self->schema->n_fields);
  Reader r = { rows, rows + len };
  gboolean exists = FALSE;

  if (!exec_sql (self, "BEGIN IMMEDIATE", "start a transaction on", error))
    return FALSE;
  if (!marker_exists (self, sink_id, origin, checkpoint, &exists, error))
    goto fail;
  if (exists)
    return exec_sql (self, "ROLLBACK", "end a transaction on", error);
  for (guint64 i = 0; i < n_rows; i++)
    if (!apply_row (self, &r, cells, error))
      goto fail;
  sqlite3_bind_text (self->mark_st, 1, sink_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (self->mark_st, 2, origin);
  sqlite3_bind_int64 (self->mark_st, 3, checkpoint);
  sqlite3_bind_text (self->mark_st, 4, self->table_name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (self->mark_st, 5, (gint64) n_rows);
  if (sqlite3_step (self->mark_st) != SQLITE_DONE)
    {
      sqlite3_reset (self->mark_st);
      db_error (self, error, "record the commit of");
      goto fail;
    }
  sqlite3_reset (self->mark_st);
  if (!exec_sql (self, "COMMIT", "commit to", error))
    goto fail;
  return TRUE;
fail:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/* ---- checkpoint hooks --------------------------------------------------------------- */

static gboolean
sqlite_snapshot (RtOperator *op, gint64 id, RtStateOut *out, GError **error)
{
  RtSqliteSink *self = (RtSqliteSink *) op;

  seal_current (self, id);
  rt_state_begin (out, RT_STATE_LIST);
  rt_state_put_u64 (out, ENTRY_VERSION);
  rt_state_put_string (out, self->sink_id);
  rt_state_put_u64 (out, self->subtask);
  rt_state_put_i64 (out, id);
  rt_state_put_u64 (out, self->pending->len);
  for (guint i = 0; i < self->pending->len; i++)
    {
      SqlEpoch *e = self->pending->pdata[i];
      gsize len;
      const void *data = g_bytes_get_data (e->rows, &len);

      rt_state_put_i64 (out, e->checkpoint);
      rt_state_put_u64 (out, e->n_rows);
      rt_state_put_bytes (out, data, len);
    }
  rt_state_end (out);
  return TRUE;
}

static gboolean
sqlite_notify_complete (RtOperator *op, gint64 id, GError **error)
{
  RtSqliteSink *self = (RtSqliteSink *) op;

  if (id == RT_CHECKPOINT_FINAL)
    seal_current (self, id);
  while (self->pending->len > 0)
    {
      SqlEpoch *e = self->pending->pdata[0];
      gsize len;
      const guint8 *data = g_bytes_get_data (e->rows, &len);

      if (e->checkpoint > id)
        break;
      if (!apply_epoch (self, self->sink_id, self->subtask, e->checkpoint, data, len,
                        e->n_rows, error))
        return FALSE;
      g_ptr_array_remove_index (self->pending, 0);
    }
  return TRUE;
}

/* Reads one subtask's entry and applies its pending epochs (in their order). */
static gboolean
restore_entry (RtSqliteSink *self, RtStateIn *in, char **sink_id, gint64 *checkpoint,
               GError **error)
{
  guint64 version, origin, n_epochs;

  if (!rt_state_get_u64 (in, &version) || version != ENTRY_VERSION
      || !rt_state_get_string (in, sink_id) || *sink_id == NULL
      || !rt_state_get_u64 (in, &origin) || !rt_state_get_i64 (in, checkpoint)
      || !rt_state_get_u64 (in, &n_epochs))
    return rt_state_malformed (in, &self->base, error);
  for (guint64 i = 0; i < n_epochs; i++)
    {
      gint64 epoch_id;
      guint64 n_rows;
      const guint8 *data;
      gsize len;

      if (!rt_state_get_i64 (in, &epoch_id) || !rt_state_get_u64 (in, &n_rows)
          || !rt_state_get_bytes (in, &data, &len))
        return rt_state_malformed (in, &self->base, error);
      /* the restored checkpoint completed: what it staged is applied now, once */
      if (!apply_epoch (self, *sink_id, (guint) origin, epoch_id, data, len, n_rows, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
sqlite_restore (RtOperator *op, RtStateIn *in, GError **error)
{
  RtSqliteSink *self = (RtSqliteSink *) op;
  gboolean adopted = FALSE;
  gint64 restored = 0;
  sqlite3_stmt *st = NULL;
  int rc;

  while (rt_state_next (in, NULL))
    {
      g_autofree char *sink_id = NULL;
      gint64 checkpoint = 0;

      if (!restore_entry (self, in, &sink_id, &checkpoint, error))
        return FALSE;
      if (!adopted)
        {
          g_free (self->sink_id);
          self->sink_id = g_steal_pointer (&sink_id);
          restored = checkpoint;
          adopted = TRUE;
        }
    }
  if (!adopted)
    return TRUE; /* a new subtask (scaled up): its own new id */
  /* commits of this id after the restored checkpoint: the restore went back in time */
  if (sqlite3_prepare_v2 (self->db, "SELECT 1 FROM " COMMITS_TABLE " WHERE sink_id = ?1 "
                          "AND checkpoint_id > ?2 LIMIT 1", -1, &st, NULL) != SQLITE_OK)
    return db_error (self, error, "read the commit markers of");
  sqlite3_bind_text (st, 1, self->sink_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 2, restored);
  rc = sqlite3_step (st);
  sqlite3_finalize (st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return db_error (self, error, "read the commit markers of");
  if (rc == SQLITE_ROW)
    {
      g_free (self->sink_id);
      self->sink_id = g_uuid_string_random ();
    }
  return TRUE;
}

static void
sqlite_close (RtOperator *op)
{
  RtSqliteSink *self = (RtSqliteSink *) op;

  g_clear_pointer (&self->write_st, sqlite3_finalize);
  g_clear_pointer (&self->delete_st, sqlite3_finalize);
  g_clear_pointer (&self->find_st, sqlite3_finalize);
  g_clear_pointer (&self->mark_st, sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->stage, g_byte_array_unref);
  g_clear_pointer (&self->stage_keys, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->scratch, g_byte_array_unref);
  g_clear_pointer (&self->schema, plan_schema_unref);
  g_clear_pointer (&self->keys, g_free);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->table_name, g_free);
  g_clear_pointer (&self->sink_id, g_free);
}

static const RtOperatorClass sqlite_class = {
  .name = "jdbc",
  .instance_size = sizeof (RtSqliteSink),
  .process = sqlite_process,
  .close = sqlite_close,
  .snapshot = sqlite_snapshot,
  .restore = sqlite_restore,
  .notify_complete = sqlite_notify_complete,
};

/* ---- the database ------------------------------------------------------------------- */

/* "name" with inner quotes doubled, appended to s. */
static void
append_ident (GString *s, const char *name)
{
  g_string_append_c (s, '"');
  for (const char *p = name; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
}

static void
append_column_list (GString *s, const PlanSchema *schema, const guint *cols, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (s, ", ");
      append_ident (s, schema->fields[cols != NULL ? cols[i] : i].name);
    }
}

/* CREATE TABLE IF NOT EXISTS with strom's type names, which give SQLite the affinity that
 * matches (INT.. integer, DOUBLE real, VARCHAR text, DECIMAL/DATE/TIMESTAMP numeric). */
static char *
create_table_sql (RtSqliteSink *self)
{
  GString *s = g_string_new ("CREATE TABLE IF NOT EXISTS ");

  append_ident (s, self->table_name);
  g_string_append (s, " (");
  for (guint c = 0; c < self->schema->n_fields; c++)
    {
      g_autofree char *type = plan_type_to_string (self->schema->fields[c].type, TRUE);

      if (c > 0)
        g_string_append (s, ", ");
      append_ident (s, self->schema->fields[c].name);
      g_string_append_printf (s, " %s", type);
    }
  if (self->upsert)
    {
      g_string_append (s, ", PRIMARY KEY (");
      append_column_list (s, self->schema, self->keys, self->n_keys);
      g_string_append_c (s, ')');
    }
  g_string_append (s, ")");
  return g_string_free (s, FALSE);
}

/* INSERT (append) or INSERT .. ON CONFLICT (key) DO UPDATE (upsert). */
static char *
write_sql (RtSqliteSink *self)
{
  GString *s = g_string_new ("INSERT INTO ");
  gboolean any = FALSE;

  append_ident (s, self->table_name);
  g_string_append (s, " (");
  append_column_list (s, self->schema, NULL, self->schema->n_fields);
  g_string_append (s, ") VALUES (");
  for (guint c = 0; c < self->schema->n_fields; c++)
    g_string_append_printf (s, "%s?%u", c > 0 ? ", " : "", c + 1);
  g_string_append_c (s, ')');
  if (!self->upsert)
    return g_string_free (s, FALSE);
  g_string_append (s, " ON CONFLICT (");
  append_column_list (s, self->schema, self->keys, self->n_keys);
  g_string_append (s, ") DO ");
  for (guint c = 0; c < self->schema->n_fields; c++)
    {
      gboolean is_key = FALSE;

      for (guint k = 0; k < self->n_keys; k++)
        is_key = is_key || self->keys[k] == c;
      if (is_key)
        continue;
      g_string_append (s, any ? ", " : "UPDATE SET ");
      append_ident (s, self->schema->fields[c].name);
      g_string_append (s, " = excluded.");
      append_ident (s, self->schema->fields[c].name);
      any = TRUE;
    }
  if (!any)
    g_string_append (s, "NOTHING");
  return g_string_free (s, FALSE);
}

static char *
delete_sql (RtSqliteSink *self)
{
  GString *s = g_string_new ("DELETE FROM ");

  append_ident (s, self->table_name);
  for (guint k = 0; k < self->n_keys; k++)
    {
      g_string_append (s, k == 0 ? " WHERE " : " AND ");
      append_ident (s, self->schema->fields[self->keys[k]].name);
      g_string_append_printf (s, " = ?%u", k + 1);
    }
  return g_string_free (s, FALSE);
}

static gboolean
prepare (RtSqliteSink *self, const char *sql, sqlite3_stmt **st, GError **error)
{
  if (sqlite3_prepare_v2 (self->db, sql, -1, st, NULL) == SQLITE_OK)
    return TRUE;
  g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR,
               "The jdbc sink cannot write table '%s' in %s: %s. %s", self->table_name,
               self->path, sqlite3_errmsg (self->db),
               self->upsert ? "The existing SQLite table needs the strom table's columns and "
                              "a PRIMARY KEY or UNIQUE index on its key columns; fix it or "
                              "drop it and strom creates it"
                            : "The existing SQLite table needs the strom table's columns; "
                              "fix it or drop it and strom creates it");
  return FALSE;
}

/* Opens the file, creates the tables when missing and prepares the statements. */
static gboolean
open_database (RtSqliteSink *self, gboolean uri, gint64 busy_ms, GError **error)
{
  g_autofree char *create = create_table_sql (self);
  g_autofree char *write = write_sql (self);
  g_autofree char *del = self->upsert ? delete_sql (self) : NULL;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | (uri ? SQLITE_OPEN_URI : 0);

  if (sqlite3_open_v2 (self->path, &self->db, flags, NULL) != SQLITE_OK)
    return db_error (self, error, "open the database for");
  sqlite3_busy_timeout (self->db, (int) MIN (busy_ms, G_MAXINT));
  if (!exec_sql (self, "PRAGMA synchronous = FULL", "set up the database of", error)
      || !exec_sql (self, "CREATE TABLE IF NOT EXISTS " COMMITS_TABLE " (sink_id TEXT NOT "
                    "NULL, subtask INTEGER NOT NULL, checkpoint_id INTEGER NOT NULL, "
                    "table_name TEXT, rows INTEGER, committed_at TEXT DEFAULT "
                    "(strftime('%Y-%m-%d %H:%M:%f', 'now')), PRIMARY KEY (sink_id, subtask, "
                    "checkpoint_id))", "create the commit markers of", error)
      || !exec_sql (self, create, "create", error))
    return FALSE;
  return prepare (self, write, &self->write_st, error)
         && (del == NULL || prepare (self, del, &self->delete_st, error))
         && prepare (self, "SELECT 1 FROM " COMMITS_TABLE " WHERE sink_id = ?1 AND "
                     "subtask = ?2 AND checkpoint_id = ?3", &self->find_st, error)
         && prepare (self, "INSERT INTO " COMMITS_TABLE " (sink_id, subtask, checkpoint_id, "
                     "table_name, rows) VALUES (?1, ?2, ?3, ?4, ?5)", &self->mark_st, error);
}

/* ---- options ------------------------------------------------------------------------ */

static const char *const sqlite_known[] = {
  "connector", "url", "table-name", "driver", "connection.max-retry-timeout",
  "sink.parallelism", NULL,
};

/* The file of 'url' = 'jdbc:sqlite:<file>' (newly allocated), or NULL with error. */
static char *
url_path (const PlanTable *table, const char *url, gboolean *uri, GError **error)
{
  const char *prefix = "jdbc:sqlite:";
  const char *rest;

  if (url == NULL || *url == '\0')
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR, "Missing option 'url' for table '%s': "
                   "a jdbc sink needs 'url' = 'jdbc:sqlite:/path/to/file.db'", table->name);
      return NULL;
    }
  if (!g_str_has_prefix (url, prefix))
    {
      rt__option_error (error, table, "url", url, "strom's jdbc connector writes SQLite "
                        "databases only: use 'jdbc:sqlite:/path/to/file.db'");
      return NULL;
    }
  rest = url + strlen (prefix);
  if (*rest == '\0' || strcmp (rest, ":memory:") == 0 || strstr (rest, "mode=memory") != NULL)
    {
      rt__option_error (error, table, "url", url, "the sink needs a database file (an "
                        "in-memory database vanishes with the job): use "
                        "'jdbc:sqlite:/path/to/file.db'");
      return NULL;
    }
  *uri = g_str_has_prefix (rest, "file:");
  return g_strdup (rest);
}

static gboolean
check_options (const PlanTable *table, gint64 *busy_ms, GError **error)
{
  const char *driver = plan_table_get_option (table, "driver");
  const char *timeout = plan_table_get_option (table, "connection.max-retry-timeout");
  const char *name = plan_table_get_option (table, "table-name");

  if (!rt__options_check_known (table, "jdbc", sqlite_known, NULL, error))
    return FALSE;
  if (driver != NULL && strcmp (driver, "org.sqlite.JDBC") != 0)
    return rt__option_error (error, table, "driver", driver, "strom's jdbc connector talks "
                             "to SQLite only: leave 'driver' out or use 'org.sqlite.JDBC'");
  if (name != NULL && *name == '\0')
    return rt__option_error (error, table, "table-name", name, "a SQLite table name, or "
                             "leave it out to use the strom table's name");
  *busy_ms = 60000;
  if (timeout != NULL
      && !rt__option_duration (table, "connection.max-retry-timeout", timeout, busy_ms, error))
    return FALSE;
  return TRUE;
}

RtOperator *
rt__sink_sqlite_new (const PlanPhysNode *node, guint subtask, GError **error)
{
  const PlanTable *table = node->u.sink.table;
  const char *name = plan_table_get_option (table, "table-name");
  g_autofree char *path = NULL;
  gboolean uri = FALSE;
  gint64 busy_ms = 0;
  RtSqliteSink *self;

  if (!check_options (table, &busy_ms, error)
      || (path = url_path (table, plan_table_get_option (table, "url"), &uri, error)) == NULL)
    return NULL;
  self = (RtSqliteSink *) rt_operator_new (&sqlite_class, node->id);
  self->path = g_steal_pointer (&path);
  self->table_name = g_strdup (name != NULL ? name : table->name);
  self->sink_id = g_uuid_string_random ();
  self->subtask = subtask;
  self->schema = plan_schema_ref (node->schema);
  self->keys = plan_table_dup_primary_key (table, &self->n_keys);
  self->upsert = self->keys != NULL;
  self->stage = g_byte_array_new ();
  self->stage_keys = g_hash_table_new_full (rt_bytes_hash, g_bytes_equal,
                                            (GDestroyNotify) g_bytes_unref,
                                            (GDestroyNotify) g_bytes_unref);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) epoch_free);
  self->scratch = g_byte_array_new ();
  if (!open_database (self, uri, busy_ms, error))
    {
      rt_operator_free (&self->base);
      return NULL;
    }
  return &self->base;
}
