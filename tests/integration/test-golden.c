/* test-golden.c: golden end-to-end SQL scripts. Each tests/integration/golden/NAME.sql
 * runs through the real `strom` binary (`strom --format csv -f NAME.sql`, from the source
 * root so data paths are relative to it); its stdout must equal NAME.out byte for byte.
 * When NAME.err exists, the run must fail (non-zero exit) and stderr must contain every
 * line of NAME.err. Expected files are written by hand or from SQLite on the same data,
 * never copied from strom's output. One GLib test case per script. */
#include <glib.h>
#include <string.h>

static const char *source_root;
static const char *strom_bin;

static void
run_script (gconstpointer data)
{
  const char *name = data;
  g_autofree char *dir = g_build_filename (source_root, "tests", "integration", "golden", NULL);
  g_autofree char *sql = g_strdup_printf ("%s/%s.sql", dir, name);
  g_autofree char *out_path = g_strdup_printf ("%s/%s.out", dir, name);
  g_autofree char *err_path = g_strdup_printf ("%s/%s.err", dir, name);
  g_autofree char *expected = NULL, *expected_err = NULL, *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  const char *argv[] = { strom_bin, "--format", "csv", "-f", sql, NULL };
  int status = 0;

  g_assert_true (g_file_get_contents (out_path, &expected, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_sync (source_root, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (g_file_get_contents (err_path, &expected_err, NULL, NULL))
    {
      g_auto (GStrv) lines = g_strsplit (expected_err, "\n", -1);

      g_assert_false (g_spawn_check_wait_status (status, NULL));
      for (guint i = 0; lines[i] != NULL; i++)
        if (lines[i][0] != '\0' && strstr (err, lines[i]) == NULL)
          g_error ("%s: stderr lacks the line\n  %s\nstderr was:\n%s", name, lines[i], err);
    }
  else if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s: strom failed:\n%s", name, err);
  if (g_strcmp0 (out, expected) != 0)
    g_error ("%s: output differs.\n--- expected\n%s--- got\n%s", name, expected, out);
}

static gint
cmp_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

int
main (int argc, char **argv)
{
  g_autoptr (GDir) dir = NULL;
  g_autofree char *golden = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  g_test_init (&argc, &argv, NULL);
  source_root = g_getenv ("STROM_SOURCE_ROOT");
  strom_bin = g_getenv ("STROM_BIN");
  g_assert_nonnull (source_root);
  g_assert_nonnull (strom_bin);
  golden = g_build_filename (source_root, "tests", "integration", "golden", NULL);
  dir = g_dir_open (golden, 0, NULL);
  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (entry, ".sql"))
      g_ptr_array_add (names, g_strndup (entry, strlen (entry) - 4));
  g_ptr_array_sort (names, cmp_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/integration/golden/%s", (char *) names->pdata[i]);
      g_test_add_data_func (path, names->pdata[i], run_script);
    }
  return g_test_run ();
}
