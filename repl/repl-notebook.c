/* repl-notebook.c: notebooks, the .strom files that keep a session's cells, their runs
 * and what the runs printed.
 *
 * A notebook is an SQLite database, so the GUI and the REPL can have the same one open
 * at once: it is in WAL mode (readers never block the writer), every change is one short
 * transaction, and a busy file is waited for (busy_timeout) rather than failed. A cell's
 * position is taken as MAX(position) + 1 inside its own INSERT, so two writers cannot
 * give two cells one place.
 *
 * Opening never harms a file that is not ours: before anything is written the file must
 * start with SQLite's magic header, pass PRAGMA quick_check and carry strom's
 * application_id (or be an SQLite database with nothing in it). Only then is it switched
 * to WAL or given the schema. The schema version lives in PRAGMA user_version, so a
 * later strom can migrate and an older one can refuse a newer file. */
#include "repl-private.h"

#include <errno.h>
#include <sqlite3.h>
#include <string.h>

#define BUSY_TIMEOUT_MS 5000
#define SQLITE_MAGIC "SQLite format 3"

struct _ReplNotebook {
  sqlite3 *db;  /* owned */
  char *path;   /* owned */
};

static const char schema_sql[] =
  "CREATE TABLE cells ("
  "  id INTEGER PRIMARY KEY,"
  "  position INTEGER NOT NULL UNIQUE,"
  "  source TEXT NOT NULL,"
  "  created_at TEXT NOT NULL,"
  "  updated_at TEXT NOT NULL);"
  "CREATE TABLE runs ("
  "  id INTEGER PRIMARY KEY,"
  "  cell_id INTEGER NOT NULL REFERENCES cells (id) ON DELETE CASCADE,"
  "  status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'cancelled')),"
  "  started_at TEXT NOT NULL,"
  "  ended_at TEXT,"
  "  error TEXT);"
  "CREATE INDEX runs_by_cell ON runs (cell_id, id);"
  "CREATE TABLE outputs ("
  "  id INTEGER PRIMARY KEY,"
  "  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
  "  kind TEXT NOT NULL CHECK (kind IN ('text', 'table', 'plan', 'error')),"
  "  content TEXT NOT NULL,"
  "  cut_bytes INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX outputs_by_run ON outputs (run_id, id);";

G_DEFINE_QUARK (repl-notebook-error-quark, repl_notebook_error)

static char *
now_iso8601 (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format_iso8601 (now);
}

static void
set_sqlite_error (GError **error, ReplNotebook *nb, const char *what)
{
  g_set_error (error, REPL_NOTEBOOK_ERROR, REPL_NOTEBOOK_ERROR_FAILED, "%s: cannot %s: %s",
               nb->path, what, sqlite3_errmsg (nb->db));
}

/* ---- opening ------------------------------------------------------------------------ */

/* One integer from a PRAGMA or query; -1 when it fails. */
static gint64
query_int (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* Checks the first bytes: an existing non-empty file must be an SQLite database. */
static gboolean
check_magic (const char *path, gboolean *empty, GError **error)
{
  char head[16] = { 0 };
  FILE *file = fopen (path, "rb");
  size_t n;

  *empty = TRUE;
  if (file == NULL)
    return TRUE; /* absent: sqlite3_open_v2 says what to do */
  n = fread (head, 1, sizeof head, file);
  fclose (file);
  *empty = n == 0;
  if (n == 0 || (n == sizeof head && memcmp (head, SQLITE_MAGIC, sizeof head) == 0))
    return TRUE;
  g_set_error (error, REPL_NOTEBOOK_ERROR, REPL_NOTEBOOK_ERROR_FOREIGN,
               "%s is not a strom notebook (it is not an SQLite file); it was left as it "
               "was. Open a .strom file, or give a new name to start one", path);
  return FALSE;
}

/* quick_check; FALSE with a CORRUPT error when SQLite finds damage. */
static gboolean
check_intact (ReplNotebook *nb, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *verdict = NULL;
  int rc = sqlite3_prepare_v2 (nb->db, "PRAGMA quick_check", -1, &stmt, NULL);

  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    verdict = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  if (verdict != NULL && strcmp (verdict, "ok") == 0)
    return TRUE;
  g_set_error (error, REPL_NOTEBOOK_ERROR, REPL_NOTEBOOK_ERROR_CORRUPT,
               "%s is damaged (SQLite: %s); it was left as it was. `sqlite3 %s .recover` "
               "may save what is left", nb->path,
               verdict != NULL ? verdict : sqlite3_errmsg (nb->db), nb->path);
  return FALSE;
}

/* Gives an empty database the schema, in one transaction; a second process doing the
 * same at once waits, then finds the schema there. */
static gboolean
create_schema (ReplNotebook *nb, GError **error)
{
  g_autofree char *pragmas = g_strdup_printf ("PRAGMA application_id = %d;"
                                              "PRAGMA user_version = %d;",
                                              REPL_NOTEBOOK_APPLICATION_ID,
                                              REPL_NOTEBOOK_VERSION);

  if (sqlite3_exec (nb->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, nb, "start the notebook");
      return FALSE;
    }
  if (query_int (nb->db, "PRAGMA user_version") == 0
      && (sqlite3_exec (nb->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK
          || sqlite3_exec (nb->db, pragmas, NULL, NULL, NULL) != SQLITE_OK))
    {
      set_sqlite_error (error, nb, "create the notebook's tables");
      sqlite3_exec (nb->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  if (sqlite3_exec (nb->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, nb, "start the notebook");
      return FALSE;
    }
  return TRUE;
}

/* Decides whether the open database is ours, empty (to be made ours) or foreign. */
static gboolean
check_identity (ReplNotebook *nb, gboolean *fresh, GError **error)
{
  gint64 app = query_int (nb->db, "PRAGMA application_id");
  gint64 version = query_int (nb->db, "PRAGMA user_version");
  gint64 objects = query_int (nb->db, "SELECT count(*) FROM sqlite_schema");

  *fresh = FALSE;
  if (app == REPL_NOTEBOOK_APPLICATION_ID && version > REPL_NOTEBOOK_VERSION)
    {
      g_set_error (error, REPL_NOTEBOOK_ERROR, REPL_NOTEBOOK_ERROR_VERSION,
                   "%s was written by a newer strom (notebook format %" G_GINT64_FORMAT
                   ", this one knows up to %d); upgrade strom to open it", nb->path, version,
                   REPL_NOTEBOOK_VERSION);
      return FALSE;
    }
  if (app == REPL_NOTEBOOK_APPLICATION_ID && version >= 1)
    return TRUE;
  if (app == 0 && version == 0 && objects == 0)
    {
      *fresh = TRUE;
      return TRUE;
    }
  g_set_error (error, REPL_NOTEBOOK_ERROR, REPL_NOTEBOOK_ERROR_FOREIGN,
               "%s is an SQLite database but not a strom notebook; it was left as it was. "
               "Give a new file name to start a notebook", nb->path);
  return FALSE;
}

static gboolean
open_checked (ReplNotebook *nb, gboolean create, GError **error)
{
  gboolean empty, fresh;
  int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);

  if (!check_magic (nb->path, &empty, error))
    return FALSE;
  if (!create && !g_file_test (nb->path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, REPL_NOTEBOOK_ERROR, REPL_NOTEBOOK_ERROR_NOT_FOUND,
                   "%s: no such notebook", nb->path);
      return FALSE;
    }
  if (sqlite3_open_v2 (nb->path, &nb->db, flags, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, nb, "open it");
      return FALSE;
    }
  sqlite3_busy_timeout (nb->db, BUSY_TIMEOUT_MS);
  sqlite3_extended_result_codes (nb->db, 1);
  if (!empty && !check_intact (nb, error))
    return FALSE;
  if (!check_identity (nb, &fresh, error))
    return FALSE;
  if (sqlite3_exec (nb->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK
      || sqlite3_exec (nb->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, nb, "set it up");
      return FALSE;
    }
  return !fresh || create_schema (nb, error);
}

ReplNotebook *
repl_notebook_open (const char *path, gboolean create, GError **error)
{
  ReplNotebook *nb;

  g_return_val_if_fail (path != NULL, NULL);
  nb = g_new0 (ReplNotebook, 1);
  nb->path = g_strdup (path);
  if (!open_checked (nb, create, error))
    {
      repl_notebook_free (nb);
      return NULL;
    }
  return nb;
}

void
repl_notebook_free (ReplNotebook *notebook)
{
  if (notebook == NULL)
    return;
  sqlite3_close (notebook->db);
  g_free (notebook->path);
  g_free (notebook);
}

const char *
repl_notebook_get_path (ReplNotebook *notebook)
{
  g_return_val_if_fail (notebook != NULL, NULL);
  return notebook->path;
}

/* ---- cells, runs, outputs --------------------------------------------------------------- */

void
repl_notebook_cell_free (ReplNotebookCell *cell)
{
  if (cell == NULL)
    return;
  g_free (cell->source);
  g_free (cell->created_at);
  g_free (cell->updated_at);
  g_free (cell->status);
  g_free (cell->error);
  g_free (cell->output);
  g_free (cell);
}

static char *
column_dup (sqlite3_stmt *stmt, int i)
{
  const unsigned char *text = sqlite3_column_text (stmt, i);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

/* The outputs of a run, one after another. */
static char *
run_output (ReplNotebook *nb, gint64 run_id)
{
  sqlite3_stmt *stmt = NULL;
  GString *out = g_string_new (NULL);

  if (sqlite3_prepare_v2 (nb->db, "SELECT content, cut_bytes FROM outputs WHERE run_id = ?1 "
                          "ORDER BY id", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, run_id);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_string_append (out, (const char *) sqlite3_column_text (stmt, 0));
          if (sqlite3_column_int64 (stmt, 1) > 0)
            g_string_append_printf (out, "[... %" G_GINT64_FORMAT " more bytes not kept]\n",
                                    (gint64) sqlite3_column_int64 (stmt, 1));
        }
    }
  sqlite3_finalize (stmt);
  return g_string_free (out, FALSE);
}

GPtrArray *
repl_notebook_dup_cells (ReplNotebook *notebook, GError **error)
{
  static const char sql[] =
    "SELECT c.id, c.position, c.source, c.created_at, c.updated_at, r.id, r.status, r.error "
    "FROM cells c LEFT JOIN runs r ON r.id = (SELECT max (id) FROM runs WHERE cell_id = c.id) "
    "ORDER BY c.position";
  g_autoptr (GPtrArray) cells = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (notebook != NULL, NULL);
  if (sqlite3_prepare_v2 (notebook->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, notebook, "read the cells");
      return NULL;
    }
  cells = g_ptr_array_new_with_free_func ((GDestroyNotify) repl_notebook_cell_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ReplNotebookCell *cell = g_new0 (ReplNotebookCell, 1);

      cell->id = sqlite3_column_int64 (stmt, 0);
      cell->position = sqlite3_column_int (stmt, 1);
      cell->source = column_dup (stmt, 2);
      cell->created_at = column_dup (stmt, 3);
      cell->updated_at = column_dup (stmt, 4);
      cell->status = column_dup (stmt, 6);
      cell->error = column_dup (stmt, 7);
      if (sqlite3_column_type (stmt, 5) != SQLITE_NULL)
        cell->output = run_output (notebook, sqlite3_column_int64 (stmt, 5));
      g_ptr_array_add (cells, cell);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, notebook, "read the cells");
      return NULL;
    }
  return g_steal_pointer (&cells);
}

/* Runs one INSERT/UPDATE whose parameters are texts and integers, as given by a format
 * string: 't' text (const char*), 'i' gint64, 'n' NULL. Returns the new row id, or 0. */
static gint64
write_row (ReplNotebook *nb, const char *sql, const char *types, ...)
{
  sqlite3_stmt *stmt = NULL;
  gint64 id = 0;
  va_list args;

  if (sqlite3_prepare_v2 (nb->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return 0;
  va_start (args, types);
  for (int i = 0; types[i] != '\0'; i++)
    {
      if (types[i] == 't')
        sqlite3_bind_text (stmt, i + 1, va_arg (args, const char *), -1, SQLITE_TRANSIENT);
      else if (types[i] == 'i')
        sqlite3_bind_int64 (stmt, i + 1, va_arg (args, gint64));
      else
        sqlite3_bind_null (stmt, i + 1);
    }
  va_end (args);
  if (sqlite3_step (stmt) == SQLITE_DONE)
    id = sqlite3_last_insert_rowid (nb->db);
  sqlite3_finalize (stmt);
  return id;
}

gint64
repl_notebook_add_cell (ReplNotebook *notebook, const char *source, GError **error)
{
  g_autofree char *now = now_iso8601 ();
  gint64 id;

  g_return_val_if_fail (notebook != NULL && source != NULL, 0);
  id = write_row (notebook, "INSERT INTO cells (position, source, created_at, "
                  "updated_at) SELECT coalesce (max (position), 0) + 1, ?1, ?2, ?2 FROM cells",
                  "tt", source, now);
  if (id == 0)
    set_sqlite_error (error, notebook, "save the cell");
  return id;
}

gboolean
repl_notebook_update_cell (ReplNotebook *notebook, gint64 cell_id, const char *source,
                           GError **error)
{
  g_autofree char *now = now_iso8601 ();
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (notebook != NULL && source != NULL, FALSE);
  ok = sqlite3_prepare_v2 (notebook->db, "UPDATE cells SET source = ?1, updated_at = ?2 "
                           "WHERE id = ?3", -1, &stmt, NULL) == SQLITE_OK;
  if (ok)
    {
      sqlite3_bind_text (stmt, 1, source, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, now, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, cell_id);
      ok = sqlite3_step (stmt) == SQLITE_DONE && sqlite3_changes (notebook->db) == 1;
    }
  sqlite3_finalize (stmt);
  if (!ok)
    set_sqlite_error (error, notebook, "save the edited cell");
  return ok;
}

gint64
repl_notebook_begin_run (ReplNotebook *notebook, gint64 cell_id, GError **error)
{
  g_autofree char *now = now_iso8601 ();
  gint64 id;

  g_return_val_if_fail (notebook != NULL, 0);
  id = write_row (notebook, "INSERT INTO runs (cell_id, status, started_at) "
                  "VALUES (?1, 'running', ?2)", "it", cell_id, now);
  if (id == 0)
    set_sqlite_error (error, notebook, "save the run");
  return id;
}

gboolean
repl_notebook_add_output (ReplNotebook *notebook, gint64 run_id, ReplOutputKind kind,
                          const char *content, gsize cut, GError **error)
{
  g_autofree char *kept = NULL;
  gsize len = strlen (content);

  g_return_val_if_fail (notebook != NULL && content != NULL, FALSE);
  if (len > REPL_OUTPUT_MAX)
    {
      const char *end = g_utf8_find_prev_char (content, content + REPL_OUTPUT_MAX + 1);
      gsize keep = end != NULL ? (gsize) (end - content) : 0;

      kept = g_strndup (content, keep);
      cut += len - keep;
      content = kept;
    }
  if (write_row (notebook, "INSERT INTO outputs (run_id, kind, content, cut_bytes) "
                 "VALUES (?1, ?2, ?3, ?4)", "itti", run_id, repl_output_kind_name (kind),
                 content, (gint64) cut) == 0)
    {
      set_sqlite_error (error, notebook, "save the output");
      return FALSE;
    }
  return TRUE;
}

gboolean
repl_notebook_end_run (ReplNotebook *notebook, gint64 run_id, ReplRunStatus status,
                       const char *error_text, GError **error)
{
  g_autofree char *now = now_iso8601 ();
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (notebook != NULL, FALSE);
  ok = sqlite3_prepare_v2 (notebook->db, "UPDATE runs SET status = ?1, ended_at = ?2, "
                           "error = ?3 WHERE id = ?4", -1, &stmt, NULL) == SQLITE_OK;
  if (ok)
    {
      sqlite3_bind_text (stmt, 1, repl_run_status_name (status), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, now, -1, SQLITE_STATIC);
      if (error_text != NULL)
        sqlite3_bind_text (stmt, 3, error_text, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 4, run_id);
      ok = sqlite3_step (stmt) == SQLITE_DONE;
    }
  sqlite3_finalize (stmt);
  if (!ok)
    set_sqlite_error (error, notebook, "save the run's end");
  return ok;
}

gboolean
repl_notebook_save_copy (ReplNotebook *notebook, const char *path, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (notebook != NULL && path != NULL, FALSE);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, REPL_NOTEBOOK_ERROR, REPL_NOTEBOOK_ERROR_FAILED,
                   "%s exists already; choose a new name (or \\open it)", path);
      return FALSE;
    }
  ok = sqlite3_prepare_v2 (notebook->db, "VACUUM INTO ?1", -1, &stmt, NULL) == SQLITE_OK;
  if (ok)
    {
      sqlite3_bind_text (stmt, 1, path, -1, SQLITE_STATIC);
      ok = sqlite3_step (stmt) == SQLITE_DONE;
    }
  sqlite3_finalize (stmt);
  if (!ok)
    g_set_error (error, REPL_NOTEBOOK_ERROR, REPL_NOTEBOOK_ERROR_FAILED,
                 "cannot copy %s to %s: %s", notebook->path, path,
                 sqlite3_errmsg (notebook->db));
  return ok;
}

/* ---- export and restore ------------------------------------------------------------------ */

/* The cell's source, ending with a newline, and with a ';' unless it has one. */
static void
append_source (GString *out, const char *source)
{
  g_autofree char *text = g_strstrip (g_strdup (source));

  g_string_append (out, text);
  if (!g_str_has_suffix (text, ";"))
    g_string_append_c (out, ';');
  g_string_append_c (out, '\n');
}

char *
repl_notebook_format_export (GPtrArray *cells, const char *title, gboolean markdown)
{
  GString *out = g_string_new (NULL);

  if (markdown)
    g_string_append_printf (out, "# %s\n", title);
  else
    g_string_append_printf (out, "-- %s, exported by strom\n", title);
  for (guint i = 0; i < cells->len; i++)
    {
      const ReplNotebookCell *cell = g_ptr_array_index (cells, i);

      if (!markdown)
        {
          g_string_append_printf (out, "\n-- [%u]\n", cell->position);
          append_source (out, cell->source);
          continue;
        }
      g_string_append_printf (out, "\n## [%u]\n\n```sql\n", cell->position);
      append_source (out, cell->source);
      g_string_append (out, "```\n");
      if (cell->status == NULL)
        continue;
      g_string_append_printf (out, "\n%s:\n", strcmp (cell->status, "ok") == 0 ? "Output"
                              : strcmp (cell->status, "failed") == 0 ? "Failed"
                              : strcmp (cell->status, "cancelled") == 0 ? "Cancelled"
                              : "Still running");
      if (cell->output != NULL && cell->output[0] != '\0')
        g_string_append_printf (out, "\n```\n%s%s```\n", cell->output,
                                g_str_has_suffix (cell->output, "\n") ? "" : "\n");
    }
  return g_string_free (out, FALSE);
}

gboolean
repl_notebook_export (GPtrArray *cells, const char *title, const char *path, GError **error)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);
  g_autofree char *text = repl_notebook_format_export (cells, title,
                                                       g_str_has_suffix (lower, ".md"));

  return g_file_set_contents (path, text, -1, error);
}

gboolean
repl_statement_is_ddl (const char *statement)
{
  static const char *const words[] = { "CREATE", "DROP", "SET", "RESET", NULL };
  const char *p = statement;
  gsize len;

  for (;;) /* skip blanks and comments */
    {
      while (g_ascii_isspace (*p))
        p++;
      if (p[0] == '-' && p[1] == '-')
        p += strcspn (p, "\n");
      else if (p[0] == '/' && p[1] == '*' && strstr (p + 2, "*/") != NULL)
        p = strstr (p + 2, "*/") + 2;
      else
        break;
    }
  len = 0;
  while (g_ascii_isalpha (p[len]))
    len++;
  for (guint i = 0; words[i] != NULL; i++)
    if (len == strlen (words[i]) && g_ascii_strncasecmp (p, words[i], len) == 0)
      return TRUE;
  return FALSE;
}
