/* gw-server-store.c: the server's job history in SQLite (STATE_DIR/jobs.db).
 *
 * Jobs live in memory while the server runs; when one ends, its row (SQL, physical plan,
 * final status and metrics) is written here, and while it runs its metrics snapshot is
 * appended once a second, so a GUI can replay a job's history and `GET /v1/jobs` still
 * lists finished jobs after a restart. Only the main loop touches the connection. WAL
 * mode keeps a reader (sqlite3 on the file) from blocking the server. */
#include "gw-server-private.h"

#include <json-glib/json-glib.h>

static const char schema_sql[] =
  "PRAGMA journal_mode=WAL;"
  "CREATE TABLE IF NOT EXISTS jobs ("
  "  id TEXT PRIMARY KEY, session TEXT, sql TEXT, status TEXT, plan_json TEXT,"
  "  submitted_ms INTEGER, ended_ms INTEGER, final_metrics TEXT);"
  "CREATE TABLE IF NOT EXISTS job_metrics ("
  "  job_id TEXT, t_ms INTEGER, metrics TEXT);"
  "CREATE INDEX IF NOT EXISTS job_metrics_job ON job_metrics (job_id, t_ms);";

gboolean
gw__srv_store_open (GwServer *server, GError **error)
{
  g_autofree char *path = g_build_filename (server->state_dir, "jobs.db", NULL);
  char *message = NULL;

  if (sqlite3_open (path, &server->db) != SQLITE_OK
      || sqlite3_exec (server->db, schema_sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "Cannot open the job store %s: %s. Check the --state-dir permissions.", path,
                   message != NULL ? message : sqlite3_errmsg (server->db));
      sqlite3_free (message);
      return FALSE;
    }
  sqlite3_busy_timeout (server->db, 2000);
  return TRUE;
}

void
gw__srv_store_close (GwServer *server)
{
  g_clear_pointer (&server->db, sqlite3_close);
}

void
gw__srv_store_save_job (GwServer *server, const GwSrvJob *job)
{
  sqlite3_stmt *st = NULL;

  if (server->db == NULL)
    return;
  sqlite3_prepare_v2 (server->db,
                      "INSERT OR REPLACE INTO jobs VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                      -1, &st, NULL);
  sqlite3_bind_text (st, 1, job->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, job->session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 3, job->sql, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 4, gw_status_name (job->status), -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 5, job->plan_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 6, job->submitted_ms);
  sqlite3_bind_int64 (st, 7, job->ended_ms);
  sqlite3_bind_text (st, 8, job->final_metrics, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (st) != SQLITE_DONE)
    g_warning ("strom serve: cannot record job %s: %s", job->id, sqlite3_errmsg (server->db));
  sqlite3_finalize (st);
}

void
gw__srv_store_add_metrics (GwServer *server, const char *job_id, gint64 t_ms,
                           const char *json)
{
  sqlite3_stmt *st = NULL;

  if (server->db == NULL)
    return;
  sqlite3_prepare_v2 (server->db, "INSERT INTO job_metrics VALUES (?1, ?2, ?3)", -1, &st, NULL);
  sqlite3_bind_text (st, 1, job_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 2, t_ms);
  sqlite3_bind_text (st, 3, json, -1, SQLITE_TRANSIENT);
  sqlite3_step (st);
  sqlite3_finalize (st);
}

static void
add_text (JsonBuilder *b, const char *name, sqlite3_stmt *st, int col)
{
  json_builder_set_member_name (b, name);
  if (sqlite3_column_type (st, col) == SQLITE_NULL)
    json_builder_add_null_value (b);
  else
    json_builder_add_string_value (b, (const char *) sqlite3_column_text (st, col));
}

static void
add_raw_json (JsonBuilder *b, const char *name, sqlite3_stmt *st, int col)
{
  g_autoptr (JsonParser) p = json_parser_new ();
  const char *text = (const char *) sqlite3_column_text (st, col);

  json_builder_set_member_name (b, name);
  if (text != NULL && json_parser_load_from_data (p, text, -1, NULL))
    json_builder_add_value (b, json_node_copy (json_parser_get_root (p)));
  else
    json_builder_add_null_value (b);
}

/* id, session, sql, status, plan_json, submitted_ms, ended_ms, final_metrics */
static void
add_job_object (JsonBuilder *b, sqlite3_stmt *st, gboolean detail)
{
  json_builder_begin_object (b);
  add_text (b, "id", st, 0);
  add_text (b, "session", st, 1);
  add_text (b, "sql", st, 2);
  add_text (b, "status", st, 3);
  json_builder_set_member_name (b, "submitted_ms");
  json_builder_add_int_value (b, sqlite3_column_int64 (st, 5));
  json_builder_set_member_name (b, "ended_ms");
  json_builder_add_int_value (b, sqlite3_column_int64 (st, 6));
  json_builder_set_member_name (b, "persisted");
  json_builder_add_boolean_value (b, TRUE);
  if (detail)
    {
      add_raw_json (b, "plan", st, 4);
      add_raw_json (b, "metrics", st, 7);
    }
  json_builder_end_object (b);
}

void
gw__srv_store_list_jobs (GwServer *server, JsonBuilder *b, GHashTable *live)
{
  sqlite3_stmt *st = NULL;

  if (server->db == NULL)
    return;
  sqlite3_prepare_v2 (server->db, "SELECT * FROM jobs ORDER BY submitted_ms, id", -1, &st, NULL);
  while (sqlite3_step (st) == SQLITE_ROW)
    if (!g_hash_table_contains (live, sqlite3_column_text (st, 0)))
      add_job_object (b, st, FALSE);
  sqlite3_finalize (st);
}

char *
gw__srv_store_dup_job_json (GwServer *server, const char *id)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  sqlite3_stmt *st = NULL;
  gboolean found;

  if (server->db == NULL)
    return NULL;
  sqlite3_prepare_v2 (server->db, "SELECT * FROM jobs WHERE id = ?1", -1, &st, NULL);
  sqlite3_bind_text (st, 1, id, -1, SQLITE_TRANSIENT);
  found = sqlite3_step (st) == SQLITE_ROW;
  if (found)
    add_job_object (b, st, TRUE);
  sqlite3_finalize (st);
  return found ? gw__json_builder_to_string (b) : NULL;
}

char *
gw__srv_store_dup_final_metrics (GwServer *server, const char *id)
{
  sqlite3_stmt *st = NULL;
  char *out = NULL;

  if (server->db == NULL)
    return NULL;
  sqlite3_prepare_v2 (server->db, "SELECT final_metrics FROM jobs WHERE id = ?1", -1, &st, NULL);
  sqlite3_bind_text (st, 1, id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (st) == SQLITE_ROW && sqlite3_column_text (st, 0) != NULL)
    out = g_strdup ((const char *) sqlite3_column_text (st, 0));
  sqlite3_finalize (st);
  return out;
}

char *
gw__srv_store_dup_history_json (GwServer *server, const char *id)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  sqlite3_stmt *st = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "history");
  json_builder_begin_array (b);
  if (server->db != NULL)
    {
      sqlite3_prepare_v2 (server->db, "SELECT t_ms, metrics FROM job_metrics WHERE job_id = ?1"
                          " ORDER BY t_ms", -1, &st, NULL);
      sqlite3_bind_text (st, 1, id, -1, SQLITE_TRANSIENT);
      while (sqlite3_step (st) == SQLITE_ROW)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "t_ms");
          json_builder_add_int_value (b, sqlite3_column_int64 (st, 0));
          add_raw_json (b, "metrics", st, 1);
          json_builder_end_object (b);
        }
      sqlite3_finalize (st);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return gw__json_builder_to_string (b);
}
