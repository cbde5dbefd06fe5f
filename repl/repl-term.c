/* repl-term.c: handing the terminal to another program: the pager and the editor.
 *
 * A table taller (or wider) than the terminal goes through $PAGER, `less -FRSX` by
 * default, as psql does: -F leaves at once when it fits after all, -R passes colours,
 * -S cuts long lines instead of folding the box, -X keeps the table on the screen after
 * `q`. Only when stdout is a terminal and `\set pager` is on; an empty $PAGER means no
 * pager. The pager runs through /bin/sh (popen), so "less -FRSX" or a pipeline works as
 * in psql. While it runs SIGPIPE is ignored (quitting the pager early must not kill
 * strom) and a Ctrl-C meant for the pager is forgotten afterwards.
 *
 * \edit writes the cell to a temporary .sql file and runs "$EDITOR FILE" through the
 * shell with the terminal as its stdin and stdout, then reads the file back. */
#include "repl-private.h"

#include <glib/gstdio.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGER_DEFAULT "less -FRSX"
#define EDITOR_DEFAULT "vi"

gboolean
repl__term_size (guint *rows, guint *cols)
{
  struct winsize size = { 0 };

  if (!isatty (STDOUT_FILENO))
    return FALSE;
  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) != 0 || size.ws_row == 0 || size.ws_col == 0)
    {
      size.ws_row = 24;
      size.ws_col = 80;
    }
  *rows = size.ws_row;
  *cols = size.ws_col;
  return TRUE;
}

/* TRUE when text has more lines than rows - 1 (the prompt needs one) or a line wider
 * than cols. */
static gboolean
too_big (const char *text, guint rows, guint cols)
{
  guint lines = 0;

  for (const char *line = text; *line != '\0';)
    {
      const char *nl = strchr (line, '\n');
      const char *end = nl != NULL ? nl : line + strlen (line);

      if (++lines >= rows || g_utf8_strlen (line, end - line) > (glong) cols)
        return TRUE;
      line = nl != NULL ? nl + 1 : end;
    }
  return FALSE;
}

/* Writes text through the pager command; FALSE when it could not be started. */
static gboolean
run_pager (const char *command, const char *text)
{
  struct sigaction ignore = { 0 }, old_pipe;
  FILE *pipe;
  int status;

  fflush (stdout);
  ignore.sa_handler = SIG_IGN;
  sigemptyset (&ignore.sa_mask);
  sigaction (SIGPIPE, &ignore, &old_pipe);
  pipe = popen (command, "w");
  if (pipe != NULL)
    {
      fputs (text, pipe); /* EPIPE when the user quit early: fine */
      status = pclose (pipe);
    }
  sigaction (SIGPIPE, &old_pipe, NULL);
  repl__interrupted = 0;   /* a Ctrl-C in the pager was the pager's */
  if (pipe == NULL)
    return FALSE;
  /* 127: the shell found no such command (it said so on stderr) */
  return !(WIFEXITED (status) && WEXITSTATUS (status) == 127);
}

void
repl__emit_result (ReplShell *shell, const char *text)
{
  const char *command = g_getenv ("PAGER");
  guint rows, cols;

  if (command == NULL)
    command = PAGER_DEFAULT;
  if (!shell->pager || !shell->interactive || command[0] == '\0'
      || !repl__term_size (&rows, &cols) || !too_big (text, rows, cols))
    {
      repl__emit (shell, REPL_OUTPUT_TABLE, stdout, text);
      return;
    }
  repl__keep (shell, REPL_OUTPUT_TABLE, text);
  if (run_pager (command, text))
    return;
  if (!shell->pager_warned)
    fprintf (stderr, "strom: the pager '%s' could not run; set PAGER, or \\set pager off\n",
             command);
  shell->pager_warned = TRUE;
  fputs (text, stdout);
  fflush (stdout);
}

char *
repl__edit_text (const char *text, GError **error)
{
  const char *editor = g_getenv ("EDITOR");
  g_autofree char *path = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *script = NULL;
  const char *argv[] = { "/bin/sh", "-c", NULL, "strom-edit", NULL, NULL };
  int fd, status = 0;

  if (editor == NULL || editor[0] == '\0')
    editor = g_getenv ("VISUAL");
  if (editor == NULL || editor[0] == '\0')
    editor = EDITOR_DEFAULT;
  fd = g_file_open_tmp ("strom-cell-XXXXXX.sql", &path, error);
  if (fd < 0)
    return NULL;
  close (fd);
  /* the shell splits EDITOR into words ("emacs -nw"); the file is passed as $1 */
  script = g_strdup_printf ("exec %s \"$1\"", editor);
  argv[2] = script;
  argv[4] = path;
  fflush (stdout);
  if (g_file_set_contents (path, text, -1, error)
      && g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL,
                       NULL, NULL, &status, error))
    {
      if (!g_spawn_check_wait_status (status, NULL))
        g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                     "the editor '%s' failed (set EDITOR to the one you use)", editor);
      else
        g_file_get_contents (path, &edited, NULL, error);
    }
  repl__interrupted = 0; /* a Ctrl-C in the editor was the editor's */
  g_unlink (path);
  return g_steal_pointer (&edited);
}
