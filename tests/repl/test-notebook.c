/* test-notebook.c: notebook files: save and reopen, the output cap, export, files that
 * are not ours (foreign, damaged, newer), two connections at once, and the shell's use
 * of a notebook (cells saved as they run, \rerun, \save, restoring a session).
 *
 * Expected texts are worked out by hand from repl/README.md. */
#include "repl/repl-private.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

typedef struct {
  char *dir;
  char *path; /* dir/test.strom, not created */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("strom-notebook-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "test.strom", NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr (GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (f->dir, name, NULL);

      g_unlink (file);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

/* One integer from the file, through a connection of our own. */
static gint64
peek_int (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
test_save_reopen (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReplNotebook) nb = repl_notebook_open (f->path, TRUE, &error);
  g_autoptr (GPtrArray) cells = NULL;
  const ReplNotebookCell *c;
  gint64 a, b, run;

  g_assert_no_error (error);
  a = repl_notebook_add_cell (nb, "CREATE TABLE t (x INT);", &error);
  b = repl_notebook_add_cell (nb, "SELECT y FROM t;", &error);
  g_assert_cmpint (a, >, 0);
  g_assert_cmpint (b, >, a);
  run = repl_notebook_begin_run (nb, a, &error);
  g_assert_true (repl_notebook_add_output (nb, run, REPL_OUTPUT_TEXT, "Table 't' created.\n", 0,
                                           &error));
  g_assert_true (repl_notebook_end_run (nb, run, REPL_RUN_OK, NULL, &error));
  run = repl_notebook_begin_run (nb, b, &error);
  g_assert_true (repl_notebook_end_run (nb, run, REPL_RUN_FAILED, "no column y", &error));
  g_assert_no_error (error);
  g_clear_pointer (&nb, repl_notebook_free);

  nb = repl_notebook_open (f->path, FALSE, &error);
  g_assert_no_error (error);
  cells = repl_notebook_dup_cells (nb, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cells->len, ==, 2);
  c = g_ptr_array_index (cells, 0);
  g_assert_cmpint (c->id, ==, a);
  g_assert_cmpuint (c->position, ==, 1);
  g_assert_cmpstr (c->source, ==, "CREATE TABLE t (x INT);");
  g_assert_cmpstr (c->status, ==, "ok");
  g_assert_null (c->error);
  g_assert_cmpstr (c->output, ==, "Table 't' created.\n");
  g_assert_nonnull (c->created_at);
  c = g_ptr_array_index (cells, 1);
  g_assert_cmpuint (c->position, ==, 2);
  g_assert_cmpstr (c->status, ==, "failed");
  g_assert_cmpstr (c->error, ==, "no column y");
  g_assert_cmpstr (c->output, ==, "");
  g_clear_pointer (&nb, repl_notebook_free);
  g_assert_cmpint (peek_int (f->path, "PRAGMA user_version"), ==, REPL_NOTEBOOK_VERSION);
  g_assert_cmpint (peek_int (f->path, "PRAGMA application_id"), ==, 0x5354524d);
  /* WAL is a property of the file: the header's read and write versions are 2 */
  g_assert_cmpint (peek_int (f->path, "SELECT count(*) FROM pragma_journal_mode "
                             "WHERE journal_mode = 'wal'"), ==, 1);
}

static void
test_missing (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReplNotebook) nb = repl_notebook_open (f->path, FALSE, &error);

  g_assert_null (nb);
  g_assert_error (error, REPL_NOTEBOOK_ERROR, REPL_NOTEBOOK_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

static void
test_output_cap (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReplNotebook) nb = repl_notebook_open (f->path, TRUE, &error);
  g_autofree char *big = g_strnfill (70000, 'x');
  g_autoptr (GPtrArray) cells = NULL;
  const ReplNotebookCell *c;
  gint64 cell, run;

  cell = repl_notebook_add_cell (nb, "SELECT 1;", &error);
  run = repl_notebook_begin_run (nb, cell, &error);
  /* 70000 bytes, 10 already cut by the caller: 65536 kept, 4464 + 10 counted */
  g_assert_true (repl_notebook_add_output (nb, run, REPL_OUTPUT_TABLE, big, 10, &error));
  g_assert_true (repl_notebook_end_run (nb, run, REPL_RUN_OK, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&nb, repl_notebook_free);
  g_assert_cmpint (peek_int (f->path, "SELECT length (content) FROM outputs"), ==, 65536);
  g_assert_cmpint (peek_int (f->path, "SELECT cut_bytes FROM outputs"), ==, 4474);
  nb = repl_notebook_open (f->path, FALSE, &error);
  cells = repl_notebook_dup_cells (nb, &error);
  c = g_ptr_array_index (cells, 0);
  g_assert_true (g_str_has_suffix (c->output, "x[... 4474 more bytes not kept]\n"));
}

static ReplNotebookCell *
cell_of (guint position, const char *source, const char *status, const char *output)
{
  ReplNotebookCell *cell = g_new0 (ReplNotebookCell, 1);

  cell->position = position;
  cell->source = g_strdup (source);
  cell->status = g_strdup (status);
  cell->output = g_strdup (output);
  return cell;
}

static void
test_export (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) cells =
    g_ptr_array_new_with_free_func ((GDestroyNotify) repl_notebook_cell_free);
  g_autofree char *sql = NULL;
  g_autofree char *md = NULL;
  g_autofree char *md_path = g_build_filename (f->dir, "out.MD", NULL);
  g_autofree char *written = NULL;
  g_autoptr (GError) error = NULL;

  g_ptr_array_add (cells, cell_of (1, "CREATE TABLE t (x INT)", "ok", "Table 't' created.\n"));
  g_ptr_array_add (cells, cell_of (2, "  SELECT y\nFROM t;\n", "failed", "ERROR: no y"));
  g_ptr_array_add (cells, cell_of (3, "SELECT 1;", NULL, NULL));
  sql = repl_notebook_format_export (cells, "demo.strom", FALSE);
  g_assert_cmpstr (sql, ==,
                   "-- demo.strom, exported by strom\n"
                   "\n-- [1]\nCREATE TABLE t (x INT);\n"
                   "\n-- [2]\nSELECT y\nFROM t;\n"
                   "\n-- [3]\nSELECT 1;\n");
  md = repl_notebook_format_export (cells, "demo.strom", TRUE);
  g_assert_cmpstr (md, ==,
                   "# demo.strom\n"
                   "\n## [1]\n\n```sql\nCREATE TABLE t (x INT);\n```\n"
                   "\nOutput:\n\n```\nTable 't' created.\n```\n"
                   "\n## [2]\n\n```sql\nSELECT y\nFROM t;\n```\n"
                   "\nFailed:\n\n```\nERROR: no y\n```\n"
                   "\n## [3]\n\n```sql\nSELECT 1;\n```\n");
  /* the suffix picks the format, in any case */
  g_assert_true (repl_notebook_export (cells, "demo.strom", md_path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (md_path, &written, NULL, NULL));
  g_assert_cmpstr (written, ==, md);
}

/* Opening path must fail with code and leave its bytes and its folder as they were. */
static void
assert_refused_untouched (Fixture *f, const char *path, int code)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  gsize len_before, len_after;
  ReplNotebook *nb;

  g_assert_true (g_file_get_contents (path, &before, &len_before, NULL));
  nb = repl_notebook_open (path, TRUE, &error);
  g_assert_null (nb);
  g_assert_error (error, REPL_NOTEBOOK_ERROR, code);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "left as it was"));
  g_assert_true (g_file_get_contents (path, &after, &len_after, NULL));
  g_assert_cmpuint (len_after, ==, len_before);
  g_assert_true (memcmp (before, after, len_before) == 0);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
}

static void
test_foreign (Fixture *f, gconstpointer data)
{
  g_autofree char *text = g_build_filename (f->dir, "notes.strom", NULL);
  g_autofree char *other = g_build_filename (f->dir, "other.db", NULL);
  sqlite3 *db = NULL;

  g_assert_true (g_file_set_contents (text, "hello, this is not a database\n", -1, NULL));
  assert_refused_untouched (f, text, REPL_NOTEBOOK_ERROR_FOREIGN);
  g_assert_cmpint (sqlite3_open (other, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE accounts (id INT); INSERT INTO accounts "
                                 "VALUES (1)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  assert_refused_untouched (f, other, REPL_NOTEBOOK_ERROR_FOREIGN);
}

static void
test_corrupt (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReplNotebook) nb = repl_notebook_open (f->path, TRUE, &error);
  g_autofree char *bytes = NULL;
  gint64 page;
  gsize len;

  for (guint i = 0; i < 20; i++)
    repl_notebook_add_cell (nb, "SELECT 'some text to fill the pages with';", &error);
  g_assert_no_error (error);
  g_clear_pointer (&nb, repl_notebook_free);
  page = peek_int (f->path, "PRAGMA page_size");
  g_assert_true (g_file_get_contents (f->path, &bytes, &len, NULL));
  g_assert_cmpuint (len, >=, 3 * page);
  memset (bytes + page, 0xab, page); /* page 2: the root of the cells table */
  g_assert_true (g_file_set_contents (f->path, bytes, len, NULL));
  assert_refused_untouched (f, f->path, REPL_NOTEBOOK_ERROR_CORRUPT);
}

static void
test_newer (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  ReplNotebook *nb = repl_notebook_open (f->path, TRUE, &error);
  sqlite3 *db = NULL;

  repl_notebook_free (nb);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);
  nb = repl_notebook_open (f->path, FALSE, &error);
  g_assert_null (nb);
  g_assert_error (error, REPL_NOTEBOOK_ERROR, REPL_NOTEBOOK_ERROR_VERSION);
  g_assert_cmpint (peek_int (f->path, "PRAGMA user_version"), ==, 99);
}

static void
test_concurrent (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReplNotebook) a = repl_notebook_open (f->path, TRUE, &error);
  g_autoptr (ReplNotebook) b = repl_notebook_open (f->path, TRUE, &error);
  g_autoptr (GPtrArray) seen_by_b = NULL;
  g_autoptr (GPtrArray) seen_by_a = NULL;
  gint64 cell_a, cell_b, run;

  g_assert_no_error (error);
  cell_a = repl_notebook_add_cell (a, "SELECT 1;", &error);
  run = repl_notebook_begin_run (a, cell_a, &error);
  seen_by_b = repl_notebook_dup_cells (b, &error);
  g_assert_cmpuint (seen_by_b->len, ==, 1);
  g_assert_cmpstr (((ReplNotebookCell *) seen_by_b->pdata[0])->status, ==, "running");
  cell_b = repl_notebook_add_cell (b, "SELECT 2;", &error);
  g_assert_true (repl_notebook_end_run (a, run, REPL_RUN_OK, NULL, &error));
  g_assert_no_error (error);
  seen_by_a = repl_notebook_dup_cells (a, &error);
  g_assert_cmpuint (seen_by_a->len, ==, 2);
  g_assert_cmpint (((ReplNotebookCell *) seen_by_a->pdata[1])->id, ==, cell_b);
  g_assert_cmpuint (((ReplNotebookCell *) seen_by_a->pdata[1])->position, ==, 2);
  g_assert_cmpstr (((ReplNotebookCell *) seen_by_a->pdata[0])->status, ==, "ok");
}

static void
test_is_ddl (void)
{
  g_assert_true (repl_statement_is_ddl ("CREATE TABLE t (a INT)"));
  g_assert_true (repl_statement_is_ddl ("  -- a comment\n  create view v AS SELECT 1"));
  g_assert_true (repl_statement_is_ddl ("/* c */ SET 'parallelism.default' = '1'"));
  g_assert_true (repl_statement_is_ddl ("reset"));
  g_assert_true (repl_statement_is_ddl ("DROP TABLE t"));
  g_assert_false (repl_statement_is_ddl ("SELECT 1"));
  g_assert_false (repl_statement_is_ddl ("INSERT INTO t SELECT 1"));
  g_assert_false (repl_statement_is_ddl ("SETTLE")); /* a whole word only */
}

/* ---- the shell with a notebook ------------------------------------------------------------- */

static void
test_shell_rerun_restore (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  GwClient *client = gw_client_new_embedded (&error);
  ReplShell *shell = repl_shell_new (client, REPL_FORMAT_TABLE);
  g_autoptr (GPtrArray) cells = NULL;
  const ReplNotebookCell *c;
  ReplNotebook *nb;

  g_assert_true (repl_shell_open_notebook (shell, f->path, TRUE, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (repl__run_new_cell (shell, "CREATE TABLE t (a INT) WITH ('connector' = "
                                     "'datagen', 'number-of-rows' = '2');"));
  g_assert_true (repl__run_new_cell (shell, "SELECT 1 AS x;"));
  g_assert_false (repl__run_new_cell (shell, "SELECT nope FROM t;"));
  g_assert_true (repl__rerun_cell (shell, g_ptr_array_index (shell->cells, 1)));
  repl_shell_free (shell);
  gw_client_free (client);
  g_assert_cmpint (peek_int (f->path, "SELECT count(*) FROM runs WHERE cell_id = 2"), ==, 2);

  /* a new session: the CREATE cell runs again, the SELECTs do not */
  client = gw_client_new_embedded (&error);
  shell = repl_shell_new (client, REPL_FORMAT_TABLE);
  g_assert_null (plan_catalog_get_table (gw_client_get_catalog (client), "t"));
  g_assert_true (repl_shell_open_notebook (shell, f->path, FALSE, TRUE, &error));
  g_assert_nonnull (plan_catalog_get_table (gw_client_get_catalog (client), "t"));
  g_assert_cmpuint (shell->cells->len, ==, 3);
  g_assert_cmpint (peek_int (f->path, "SELECT count(*) FROM runs"), ==, 4);
  nb = repl_notebook_open (f->path, FALSE, &error);
  cells = repl_notebook_dup_cells (nb, &error);
  c = g_ptr_array_index (cells, 1);
  g_assert_cmpstr (c->status, ==, "ok");
  g_assert_cmpstr (c->output, ==, "+---+\n| x |\n+---+\n| 1 |\n+---+\n1 row in set\n");
  c = g_ptr_array_index (cells, 2);
  g_assert_cmpstr (c->status, ==, "failed");
  g_assert_true (g_str_has_prefix (c->error, "ERROR: Column 'nope' not found"));
  repl_notebook_free (nb);
  repl_shell_free (shell);
  gw_client_free (client);
}

static void
test_shell_save_run (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  GwClient *client = gw_client_new_embedded (&error);
  ReplShell *shell = repl_shell_new (client, REPL_FORMAT_CSV);

  /* cells before a notebook exists are written when it is saved; later ones as they run */
  g_assert_true (repl__run_new_cell (shell, "SELECT 1 AS a;"));
  g_assert_true (repl__run_new_cell (shell, "SELECT 2 AS b;"));
  repl__save (shell, f->path);
  g_assert_nonnull (shell->notebook);
  g_assert_false (repl__run_new_cell (shell, "SELECT c FROM nowhere;"));
  repl_shell_free (shell);
  gw_client_free (client);
  g_assert_cmpint (peek_int (f->path, "SELECT count(*) FROM cells"), ==, 3);
  g_assert_cmpint (peek_int (f->path, "SELECT max (position) FROM cells"), ==, 3);

  /* strom run: the third cell fails */
  client = gw_client_new_embedded (&error);
  shell = repl_shell_new (client, REPL_FORMAT_CSV);
  g_assert_true (repl_shell_open_notebook (shell, f->path, FALSE, FALSE, &error));
  g_assert_false (repl_shell_run_notebook (shell));
  g_assert_cmpint (((ReplCell *) shell->cells->pdata[0])->status, ==, REPL_RUN_OK);
  g_assert_cmpint (((ReplCell *) shell->cells->pdata[2])->status, ==, REPL_RUN_FAILED);
  repl_shell_free (shell);
  gw_client_free (client);
  /* 2 runs from the session (marked at \save) + 1 failed, then 3 from strom run */
  g_assert_cmpint (peek_int (f->path, "SELECT count(*) FROM runs"), ==, 6);
  g_assert_cmpint (peek_int (f->path, "SELECT count(*) FROM outputs WHERE kind = 'table' AND "
                             "content = 'a\n1\n'"), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/repl/notebook/save-reopen", test_save_reopen);
  ADD ("/repl/notebook/missing", test_missing);
  ADD ("/repl/notebook/output-cap", test_output_cap);
  ADD ("/repl/notebook/export", test_export);
  ADD ("/repl/notebook/foreign", test_foreign);
  ADD ("/repl/notebook/corrupt", test_corrupt);
  ADD ("/repl/notebook/newer-version", test_newer);
  ADD ("/repl/notebook/concurrent", test_concurrent);
  g_test_add_func ("/repl/notebook/is-ddl", test_is_ddl);
  ADD ("/repl/notebook/shell-rerun-restore", test_shell_rerun_restore);
  ADD ("/repl/notebook/shell-save-run", test_shell_save_run);
  return g_test_run ();
}
