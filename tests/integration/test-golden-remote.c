/* test-golden-remote.c: the golden SQL scripts again, through `strom --connect` against a
 * `strom serve` this test starts (port 0, read back from its "Listening on URL" line,
 * state in a temp dir, run from the source root with the source root allowed, so the
 * scripts' relative data paths mean the same files). stdout must equal NAME.out byte for
 * byte, as embedded (test-golden.c), and NAME.err lines must appear on stderr: the remote
 * client must be indistinguishable from the embedded one. At the end the server gets
 * SIGTERM and must exit 0.
 *
 * Skipped: scripts whose output the server itself prints (the print connector writes on
 * the server's stdout, as Flink's print sink writes to the TaskManager's log). */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

static const char *source_root;
static const char *strom_bin;
static char *url;
static char *token_file;

static const char *const server_side_output[] = { "print_sink", NULL };

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
  const char *argv[] = { strom_bin, "--connect", url, "--token-file", token_file,
                         "--format", "csv", "-f", sql, NULL };
  int status = 0;

  if (g_strv_contains (server_side_output, name))
    {
      g_test_skip ("the print sink writes on the server's stdout");
      return;
    }
  g_assert_true (g_file_get_contents (out_path, &expected, NULL, &error));
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
    g_error ("%s: strom --connect failed:\n%s", name, err);
  if (g_strcmp0 (out, expected) != 0)
    g_error ("%s: remote output differs.\n--- expected\n%s--- got\n%s", name, expected, out);
}

static gint
cmp_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Starts strom serve and reads its URL from the first line it prints (a blocking read:
 * the line is the readiness condition). */
static GSubprocess *
start_server (const char *state_dir)
{
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  GSubprocess *server;

  g_subprocess_launcher_set_cwd (launcher, source_root);
  server = g_subprocess_launcher_spawn (launcher, &error, strom_bin, "serve", "--listen",
                                        "127.0.0.1:0", "--state-dir", state_dir, "--allow-dir",
                                        source_root, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Listening on "));
  url = g_strdup (line + strlen ("Listening on "));
  return server;
}

int
main (int argc, char **argv)
{
  g_autoptr (GDir) dir = NULL;
  g_autofree char *golden = NULL;
  g_autofree char *tmp = NULL, *state_dir = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GSubprocess) server = NULL;
  g_autoptr (GError) error = NULL;
  const char *entry;
  int result;

  g_test_init (&argc, &argv, NULL);
  source_root = g_getenv ("STROM_SOURCE_ROOT");
  strom_bin = g_getenv ("STROM_BIN");
  g_assert_nonnull (source_root);
  g_assert_nonnull (strom_bin);
  tmp = g_dir_make_tmp ("strom-golden-remote-XXXXXX", NULL);
  state_dir = g_build_filename (tmp, "state", NULL);
  token_file = g_build_filename (state_dir, "token", NULL);
  server = start_server (state_dir);
  golden = g_build_filename (source_root, "tests", "integration", "golden", NULL);
  dir = g_dir_open (golden, 0, NULL);
  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (entry, ".sql"))
      {
        g_autofree char *base = g_strndup (entry, strlen (entry) - 4);
        g_autofree char *out = g_strdup_printf ("%s/%s.out", golden, base);
        if (g_file_test (out, G_FILE_TEST_EXISTS))
          g_ptr_array_add (names, g_steal_pointer (&base));
      }
  g_ptr_array_sort (names, cmp_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/integration/golden-remote/%s",
                                               (char *) names->pdata[i]);
      g_test_add_data_func (path, names->pdata[i], run_script);
    }
  result = g_test_run ();
  g_subprocess_send_signal (server, SIGTERM);
  g_assert_true (g_subprocess_wait (server, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (server));
  g_assert_cmpint (g_subprocess_get_exit_status (server), ==, 0);
  {
    const char *files[] = { "jobs.db", "jobs.db-wal", "jobs.db-shm", "token" };
    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      {
        g_autofree char *p = g_build_filename (state_dir, files[i], NULL);
        g_remove (p);
      }
    g_rmdir (state_dir);
    g_rmdir (tmp);
  }
  g_free (url);
  g_free (token_file);
  return result;
}
