/* strom-main.c: the `strom` command line.
 *
 * Parses the options, starts an embedded gateway client and hands over to the shell:
 * `-c SQL` and `-f FILE` may be repeated and run in the order given (so they are
 * collected by option callbacks into one list, which GOption's string arrays would
 * split by kind), stopping at the first error like psql -v ON_ERROR_STOP=1; without
 * them strom is interactive (or runs a piped stdin as a script). Exit status: 0 when
 * everything ran, 1 otherwise.
 *
 * `strom NOTEBOOK.strom` opens (or starts) a notebook and restores its session before the
 * prompt; `strom run NOTEBOOK.strom` runs its cells in order, saving the runs, and exits
 * with 1 at the first failing cell.
 *
 * `strom serve ...` hands the whole command line to the server (runtime/gateway/
 * gw-server.c); `--connect URL` runs everything on such a server through the remote client. */
#include "repl/repl.h"
#include "runtime/gateway/gw-server.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#ifndef STROM_VERSION
#define STROM_VERSION "0.1.0"
#endif

typedef struct {
  gboolean is_file;
  char *text; /* owned: SQL, or a file name */
} StromStep;

static void
strom_step_free (StromStep *step)
{
  g_free (step->text);
  g_free (step);
}

static gboolean
add_step (GPtrArray *steps, gboolean is_file, const char *value)
{
  StromStep *step = g_new0 (StromStep, 1);

  step->is_file = is_file;
  step->text = g_strdup (value);
  g_ptr_array_add (steps, step);
  return TRUE;
}

static gboolean
on_command (const char *option_name, const char *value, gpointer data, GError **error)
{
  return add_step (data, FALSE, value);
}

static gboolean
on_file (const char *option_name, const char *value, gpointer data, GError **error)
{
  return add_step (data, TRUE, value);
}

/* Parses argv; FALSE with a message on stderr for bad usage. */
typedef struct {
  const char *notebook; /* borrowed from argv; NULL: none */
  gboolean run;         /* strom run NOTEBOOK */
} StromNotebookArgs;

/* The words after the options: [run] NOTEBOOK. FALSE with a message for anything else. */
static gboolean
parse_notebook_args (int argc, char **argv, gboolean have_steps, StromNotebookArgs *out)
{
  if (argc <= 1)
    return TRUE;
  out->run = argc == 3 && strcmp (argv[1], "run") == 0;
  if (argc > 3 || (argc == 3 && !out->run) || (argc == 2 && strcmp (argv[1], "run") == 0))
    {
      fprintf (stderr, "strom: expected 'strom NOTEBOOK.strom' or 'strom run NOTEBOOK.strom'"
               "\nTry 'strom --help'.\n");
      return FALSE;
    }
  out->notebook = argv[argc - 1];
  if (have_steps)
    {
      fprintf (stderr, "strom: -c and -f run scripts; open the notebook %s without them\n",
               out->notebook);
      return FALSE;
    }
  return TRUE;
}

/* --connect URL [--token-file FILE] (added by server) */
static char *connect_url;
static char *token_file;

static gboolean
parse_options (int *argc, char ***argv, GPtrArray *steps, ReplFormat *format,
               gboolean *timing, gboolean *version)
{
  g_autofree char *format_name = NULL;
  const GOptionEntry entries[] = {
    { "connect", 0, 0, G_OPTION_ARG_STRING, &connect_url,
      "Run on a `strom serve` instance at URL (http://HOST:PORT) instead of in-process",
      "URL" },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      "The server's token file (default: the local server's, STATE_DIR/token)", "FILE" },
    { "command", 'c', 0, G_OPTION_ARG_CALLBACK, (void *) on_command,
      "Run the SQL statements in SQL (repeatable; runs in order with -f)", "SQL" },
    { "file", 'f', G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, (void *) on_file,
      "Run the SQL script FILE (repeatable)", "FILE" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name,
      "Result format: table (default), csv, json or changelog", "FORMAT" },
    { "timing", 0, 0, G_OPTION_ARG_NONE, timing,
      "Print how long each statement took", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, version, "Print the version and exit", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context =
    g_option_context_new ("[[run] NOTEBOOK.strom] - Flink-style streaming SQL");
  g_autoptr (GError) error = NULL;
  GOptionGroup *group = g_option_group_new ("strom", "strom", "strom options", steps, NULL);

  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);
  g_option_context_set_description (context,
    "Without -c or -f, strom reads statements interactively (or runs standard input as a\n"
    "script when it is not a terminal). Statements end with ';'. Exit status: 0 when\n"
    "every statement ran, 1 at the first error.\n"
    "\n"
    "strom NOTEBOOK.strom opens a notebook (or starts one), re-runs its CREATE/SET cells\n"
    "and saves every cell you run there; strom run NOTEBOOK.strom runs all its cells in\n"
    "order and stops at the first that fails.\n"
    "\n"
    "strom serve runs strom as an HTTP server (see strom serve --help); --connect URL\n"
    "runs statements on such a server instead of in this process.\n");
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      fprintf (stderr, "strom: %s\nTry 'strom --help'.\n", error->message);
      return FALSE;
    }
  if (format_name != NULL && !repl_format_from_string (format_name, format))
    {
      fprintf (stderr, "strom: unknown format '%s'; use table, csv, json or changelog\n",
               format_name);
      return FALSE;
    }
  return TRUE;
}

/* strom [run] NOTEBOOK: returns the exit status. */
static int
run_notebook (ReplShell *shell, const StromNotebookArgs *args)
{
  g_autoptr (GError) error = NULL;
  gboolean existed = g_file_test (args->notebook, G_FILE_TEST_EXISTS);

  if (!repl_shell_open_notebook (shell, args->notebook, !args->run, !args->run, &error))
    {
      fprintf (stderr, "strom: %s\n", error->message);
      return 1;
    }
  if (!existed)
    printf ("New notebook %s: every cell you run is saved there.\n", args->notebook);
  if (args->run)
    return repl_shell_run_notebook (shell) ? 0 : 1;
  return repl_shell_run_interactive (shell);
}

int
main (int argc, char **argv)
{
  g_autoptr (GPtrArray) steps = g_ptr_array_new_with_free_func ((GDestroyNotify) strom_step_free);
  g_autoptr (GwClient) client = NULL;
  g_autoptr (ReplShell) shell = NULL;
  g_autoptr (GError) error = NULL;
  ReplFormat format = REPL_FORMAT_TABLE;
  gboolean timing = FALSE;
  gboolean version = FALSE;
  StromNotebookArgs notebook = { NULL, FALSE };

  setlocale (LC_ALL, "");        /* readline and the terminal want the user's charset */
  setlocale (LC_NUMERIC, "C");   /* numbers always print with a '.' */
  if (argc >= 2 && strcmp (argv[1], "serve") == 0)
    return gw_server_main (argc - 1, argv + 1);
  if (!parse_options (&argc, &argv, steps, &format, &timing, &version)
      || !parse_notebook_args (argc, argv, steps->len > 0, &notebook))
    return 1;
  if (version)
    {
      printf ("strom %s\n", STROM_VERSION);
      return 0;
    }
  client = connect_url != NULL ? gw_remote_client_connect (connect_url, token_file, &error)
                                : gw_client_new_embedded (&error);
  if (client == NULL)
    fprintf (stderr, "strom: cannot start the %s engine: %s\n",
             connect_url != NULL ? "remote" : "embedded", error->message);
  g_clear_pointer (&connect_url, g_free);
  g_clear_pointer (&token_file, g_free);
  if (client == NULL)
    return 1;
  shell = repl_shell_new (client, format);
  repl_shell_set_timing (shell, timing);
  if (notebook.notebook != NULL)
    return run_notebook (shell, &notebook);
  if (steps->len == 0)
    return repl_shell_run_interactive (shell);
  for (guint i = 0; i < steps->len; i++)
    {
      const StromStep *step = g_ptr_array_index (steps, i);
      gboolean ok = step->is_file ? repl_shell_run_file (shell, step->text)
                                  : repl_shell_run_script (shell, step->text, NULL);

      if (!ok)
        return 1;
    }
  return 0;
}
