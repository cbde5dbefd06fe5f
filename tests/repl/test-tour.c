/* test-tour.c: share/examples/tour.strom, the guided tour, runs and matches tour.sql.
 *
 * The notebook is made from the script by strom itself (strom NOTEBOOK < SCRIPT turns
 * each "-- [N]" part into a cell and runs it), so both must say the same: the notebook's
 * export is the script, byte for byte. Every run happens in a copy (a run is recorded in
 * the notebook), from the source root, where the tour's relative CSV path points. */
#include "repl/repl.h"

#include <glib/gstdio.h>

#include <sys/wait.h>

/* The path of a file below the source root (owned). */
static char *
source_path (const char *relative)
{
  const char *root = g_getenv ("STROM_SOURCE_ROOT");

  g_assert_nonnull (root);
  return g_build_filename (root, relative, NULL);
}

/* Runs strom with args from the source root, stdin from stdin_path (or none), stdout
 * thrown away (the tour prints thousands of rows); returns the exit status. */
static int
run_strom (const char *const *args, const char *stdin_path, char **err_out)
{
  const char *strom = g_getenv ("STROM_BIN");
  g_autofree char *root = source_path (".");
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *script = NULL;
  int status = 0;

  g_assert_nonnull (strom);
  if (stdin_path != NULL)
    {
      /* the shell gives strom the script on stdin */
      g_ptr_array_add (argv, (char *) "/bin/sh");
      g_ptr_array_add (argv, (char *) "-c");
      g_ptr_array_add (argv, (char *) "exec \"$0\" \"$1\" < \"$2\"");
      g_ptr_array_add (argv, (char *) strom);
      g_ptr_array_add (argv, (char *) args[0]);
      g_ptr_array_add (argv, (char *) stdin_path);
    }
  else
    {
      g_ptr_array_add (argv, (char *) strom);
      for (guint i = 0; args[i] != NULL; i++)
        g_ptr_array_add (argv, (char *) args[i]);
    }
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (root, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, err_out, &status, &error));
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* A fresh directory with a copy of the tour notebook; returns the copy's path. */
static char *
copy_tour (char **dir_out)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tour = source_path ("share/examples/tour.strom");
  g_autofree char *bytes = NULL;
  gsize len;
  char *copy;

  *dir_out = g_dir_make_tmp ("strom-tour-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (tour, &bytes, &len, &error));
  copy = g_build_filename (*dir_out, "tour.strom", NULL);
  g_assert_true (g_file_set_contents (copy, bytes, len, &error));
  return copy;
}

/* The notebook's cells exported as SQL, titled as the tour's file. */
static char *
export_of (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReplNotebook) notebook = repl_notebook_open (path, FALSE, &error);
  g_autoptr (GPtrArray) cells = NULL;

  g_assert_no_error (error);
  cells = repl_notebook_dup_cells (notebook, &error);
  g_assert_no_error (error);
  return repl_notebook_format_export (cells, "tour.strom", FALSE);
}

static void
remove_dir (char *dir, const char *name)
{
  g_autofree char *file = g_build_filename (dir, name, NULL);
  g_autofree char *wal = g_strconcat (file, "-wal", NULL);
  g_autofree char *shm = g_strconcat (file, "-shm", NULL);

  g_unlink (file);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
  g_free (dir);
}

/* strom run share/examples/tour.strom: every cell runs and its run is recorded ok. */
static void
test_run (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = NULL;
  g_autofree char *copy = copy_tour (&dir);
  g_autofree char *err = NULL;
  const char *args[] = { "run", copy, NULL };
  g_autoptr (ReplNotebook) notebook = NULL;
  g_autoptr (GPtrArray) cells = NULL;

  g_assert_cmpint (run_strom (args, NULL, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  notebook = repl_notebook_open (copy, FALSE, &error);
  g_assert_no_error (error);
  cells = repl_notebook_dup_cells (notebook, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cells->len, ==, 26);
  for (guint i = 0; i < cells->len; i++)
    g_assert_cmpstr (((ReplNotebookCell *) g_ptr_array_index (cells, i))->status, ==, "ok");
  g_clear_pointer (&notebook, repl_notebook_free);
  remove_dir (dir, "tour.strom");
}

/* The checked-in notebook holds exactly the cells of tour.sql. */
static void
test_matches_sql (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *sql_path = source_path ("share/examples/tour.sql");
  g_autofree char *sql = NULL;
  char *dir = NULL;
  g_autofree char *copy = copy_tour (&dir);
  g_autofree char *exported = export_of (copy);

  g_assert_true (g_file_get_contents (sql_path, &sql, NULL, &error));
  g_assert_cmpstr (exported, ==, sql);
  remove_dir (dir, "tour.strom");
}

/* strom NOTEBOOK < tour.sql makes the notebook (how tour.strom is made): same cells. */
static void
test_from_sql (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *sql_path = source_path ("share/examples/tour.sql");
  g_autofree char *sql = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strom-tour-XXXXXX", &error);
  g_autofree char *made = g_build_filename (dir, "tour.strom", NULL);
  g_autofree char *exported = NULL;
  g_autofree char *err = NULL;
  const char *args[] = { made, NULL };

  g_assert_no_error (error);
  g_assert_cmpint (run_strom (args, sql_path, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  exported = export_of (made);
  g_assert_true (g_file_get_contents (sql_path, &sql, NULL, &error));
  g_assert_cmpstr (exported, ==, sql);
  remove_dir (g_steal_pointer (&dir), "tour.strom");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/repl/tour/run", test_run);
  g_test_add_func ("/repl/tour/matches-sql", test_matches_sql);
  g_test_add_func ("/repl/tour/from-sql", test_from_sql);
  return g_test_run ();
}
