/* repl-shell.c: running SQL for the `strom` command: scripts and the interactive loop.
 *
 * Every statement takes the same path: gw_client_execute, then, when the operation has a
 * result set, a fetch loop that hands rows to a ReplPrinter and copies its text to
 * stdout; otherwise the operation's message. The fetch loop waits at most ~100 ms per
 * call so that it can poll the Ctrl-C flag (the SIGINT handler only sets a
 * sig_atomic_t, the one thing a handler may safely do) and redraw the progress line.
 *
 * The interactive loop uses readline's callback interface rather than readline(): the
 * loop owns the select() on the terminal, so a Ctrl-C at the prompt is seen as the same
 * flag and simply clears the input, and readline never installs signal handlers of its
 * own (rl_catch_signals = 0). A statement may span lines; it runs once
 * plan_sql_is_complete says a ';' ended it. History lives in
 * $XDG_STATE_HOME/strom/history, one entry per line with newlines stored as \x01 so a
 * multi-line statement comes back whole.
 *
 * Scripts (-c, -f, piped stdin) are split with plan_sql_parse, so a failing statement's
 * line:col is translated from the statement to the script before it is printed. In a
 * script an INSERT waits for its job, so the statements after it see its rows and a
 * failing job stops the script (Flink's table.dml-sync); interactively it runs on in the
 * background. */
#include "repl-private.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include <readline/readline.h>
#include <readline/history.h>

#define FETCH_ROWS 4096
#define FETCH_WAIT_US (100 * 1000)
#define PROGRESS_AFTER_US G_USEC_PER_SEC
#define HISTORY_KEEP 1000
#define HISTORY_NEWLINE '\001'
#define HISTORY_NEWLINE_S "\001"
#define PROMPT_MORE "...> "

/* Where a statement came from, for error positions. */
typedef struct {
  const char *script;    /* the whole script text */
  const char *name;      /* file name, "<stdin>"; NULL: interactive or -c */
  PlanSpan span;         /* the statement within script; line 0: unknown */
} ReplSource;

typedef struct {
  gint64 start_us;
  gboolean shown;
} ReplProgress;

volatile sig_atomic_t repl__interrupted;

static void
on_sigint (int signo)
{
  (void) signo;
  repl__interrupted = 1;
}

static void
install_sigint_handler (void)
{
  struct sigaction action = { 0 };

  action.sa_handler = on_sigint;
  sigemptyset (&action.sa_mask);
  action.sa_flags = SA_RESTART; /* engine threads may take it: don't break their I/O */
  sigaction (SIGINT, &action, NULL);
}

ReplShell *
repl_shell_new (GwClient *client, ReplFormat format)
{
  ReplShell *shell;

  g_return_val_if_fail (client != NULL, NULL);
  shell = g_new0 (ReplShell, 1);
  shell->client = client;
  shell->format = format;
  shell->progress_ok = isatty (STDOUT_FILENO) && isatty (STDERR_FILENO);
  shell->buffer = g_string_new (NULL);
  shell->pager = TRUE;
  shell->cells = g_ptr_array_new_with_free_func ((GDestroyNotify) repl__cell_free);
  return shell;
}

void
repl_shell_free (ReplShell *shell)
{
  if (shell == NULL)
    return;
  g_string_free (shell->buffer, TRUE);
  g_ptr_array_unref (shell->cells);
  g_clear_pointer (&shell->outputs, g_ptr_array_unref);
  repl_notebook_free (shell->notebook);
  g_free (shell->history_path);
  g_free (shell);
}

void
repl_shell_set_timing (ReplShell *shell, gboolean timing)
{
  g_return_if_fail (shell != NULL);
  shell->timing = timing;
}

/* Messages and timings: stdout, unless stdout carries machine-readable rows. */
static FILE *
info_stream (ReplShell *shell)
{
  return shell->format == REPL_FORMAT_CSV || shell->format == REPL_FORMAT_JSON
         ? stderr : stdout;
}

/* ---- errors ------------------------------------------------------------------------ */

/* The message without its "LINE:COL: " prefix. */
static const char *
strip_position (const GError *error)
{
  guint line, col;
  const char *colon;

  if (!plan_sql_error_position (error, &line, &col))
    return error->message;
  colon = strchr (error->message, ':');
  colon = colon != NULL ? strchr (colon + 1, ':') : NULL;
  if (colon == NULL)
    return error->message;
  colon++;
  while (*colon == ' ')
    colon++;
  return colon;
}

/* error's position is relative to the statement's text; returns a copy relative to the
 * script, or with the statement's start when it has no position of its own. */
static GError *
error_in_script (const GError *error, PlanSpan span)
{
  guint line, col;

  if (span.line == 0)
    return g_error_copy (error);
  if (!plan_sql_error_position (error, &line, &col))
    return g_error_new (error->domain, error->code, "%u:%u: %s", span.line, span.col,
                        error->message);
  if (line == 1)
    col += span.col - 1;
  line += span.line - 1;
  return g_error_new (error->domain, error->code, "%u:%u: %s", line, col,
                      strip_position (error));
}

static void
report_error (ReplShell *shell, const ReplSource *source, const GError *error)
{
  g_autoptr (GError) located = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *formatted = NULL;
  const char *carets;
  guint line, col;

  if (source->name == NULL && !plan_sql_error_position (error, &line, &col))
    g_string_append_printf (out, "ERROR: %s\n", error->message); /* a job's: no caret */
  else if (located = error_in_script (error, source->span),
           !plan_sql_error_position (located, &line, &col))
    {
      if (source->name != NULL)
        g_string_append_printf (out, "%s: %s\n", source->name, located->message);
      else
        g_string_append_printf (out, "ERROR: %s\n", located->message);
    }
  else if (formatted = plan_sql_format_error (source->script, located), source->name == NULL)
    g_string_append (out, formatted);
  else
    {
      g_string_append_printf (out, "%s:%u:%u: %s\n", source->name, line, col,
                              strip_position (located));
      carets = strchr (formatted, '\n'); /* the lines after "ERROR: ..." */
      if (carets != NULL && carets[1] != '\0')
        g_string_append (out, carets + 1);
    }
  if (out->len > 0 && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
  repl__emit (shell, REPL_OUTPUT_ERROR, stderr, out->str);
}

/* ---- output and progress ------------------------------------------------------------ */

static void
progress_clear (ReplProgress *progress)
{
  if (!progress->shown)
    return;
  fputs ("\r\033[K", stderr);
  fflush (stderr);
  progress->shown = FALSE;
}

static void
progress_draw (ReplShell *shell, GwOperation *op, ReplProgress *progress)
{
  g_autoptr (GString) line = NULL;
  gint64 elapsed = g_get_monotonic_time () - progress->start_us;

  if (!shell->progress_ok || elapsed < PROGRESS_AFTER_US)
    return;
  line = g_string_new ("\r");
  repl_format_progress (line, gw_operation_get_rows_read (op), elapsed);
  g_string_append (line, "\033[K");
  fputs (line->str, stderr);
  fflush (stderr);
  progress->shown = TRUE;
}

static void
flush_output (ReplShell *shell, GString *out, ReplProgress *progress)
{
  if (out->len == 0)
    return;
  progress_clear (progress);
  repl__emit (shell, REPL_OUTPUT_TABLE, stdout, out->str);
  g_string_truncate (out, 0);
}

/* ---- running one statement ---------------------------------------------------------- */

/* The format for op's result. live needs a terminal (else: table). The default, table,
 * follows the session's 'sql-client.execution.result-mode' for a job's result, as Flink's
 * SQL client does: 'changelog' prints the changelog, 'table' (the default) shows it live
 * when the session runs interactively on a terminal in streaming mode, 'tableau' as a
 * table. Results without a job (SHOW, DESCRIBE) are always tables. */
static ReplFormat
result_format (ReplShell *shell, GwOperation *op)
{
  PlanSettings *settings = gw_client_get_settings (shell->client);
  const char *mode = settings != NULL
                     ? plan_settings_get (settings, "sql-client.execution.result-mode") : NULL;
  const char *runtime = settings != NULL
                        ? plan_settings_get (settings, "execution.runtime-mode") : NULL;
  gboolean terminal = isatty (STDOUT_FILENO);

  if (shell->format == REPL_FORMAT_LIVE)
    return terminal ? REPL_FORMAT_LIVE : REPL_FORMAT_TABLE;
  if (shell->format != REPL_FORMAT_TABLE)
    return shell->format;
  if (gw_operation_get_job_id (op) == NULL) /* SHOW, DESCRIBE, ...: a table as they are */
    return REPL_FORMAT_TABLE;
  if (g_strcmp0 (mode, "changelog") == 0)
    return REPL_FORMAT_CHANGELOG;
  if (g_strcmp0 (mode, "tableau") != 0 && shell->interactive && terminal
      && g_strcmp0 (runtime, "batch") != 0)
    return REPL_FORMAT_LIVE;
  return REPL_FORMAT_TABLE;
}

/* Fetches and prints a result set until its end, an error or Ctrl-C. */
static gboolean
show_result (ReplShell *shell, GwOperation *op, gboolean *cancelled, GError **error)
{
  g_autoptr (ReplPrinter) printer = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  ReplProgress progress = { g_get_monotonic_time (), FALSE };
  ReplFormat format = result_format (shell, op);
  gboolean ok = TRUE;
  gboolean end = FALSE;

  if (format == REPL_FORMAT_LIVE)
    return repl__show_live (shell, op, cancelled, error) && !*cancelled;
  printer = repl_printer_new (format, gw_operation_get_schema (op),
                              gw_operation_is_changelog (op));
  while (!end)
    {
      g_autoptr (GwPage) page = NULL;

      if (repl__interrupted)
        {
          gw_operation_cancel (op);
          *cancelled = TRUE;
          break;
        }
      page = gw_operation_fetch (op, FETCH_ROWS, FETCH_WAIT_US, error);
      if (page == NULL)
        {
          ok = FALSE;
          break;
        }
      for (guint i = 0; i < page->rows->len; i++)
        repl_printer_add_row (printer, g_ptr_array_index (page->rows, i), out);
      end = page->end;
      flush_output (shell, out, &progress);
      if (!end)
        progress_draw (shell, op, &progress);
    }
  progress_clear (&progress);
  /* a failed table shows nothing (like psql); streamed rows get their closing lines */
  if (ok || format != REPL_FORMAT_TABLE)
    repl_printer_finish (printer, out);
  if (format == REPL_FORMAT_TABLE && out->len > 0)
    repl__emit_result (shell, out->str);
  else
    flush_output (shell, out, &progress);
  return ok && !*cancelled;
}

/* Waits for a job without a result set (an INSERT in a script) to end. */
static gboolean
wait_job (ReplShell *shell, GwOperation *op, gboolean *cancelled, GError **error)
{
  ReplProgress progress = { g_get_monotonic_time (), FALSE };
  GwStatus status;

  while ((status = gw_operation_get_status (op)) == GW_STATUS_CREATED
         || status == GW_STATUS_RUNNING)
    {
      if (repl__interrupted)
        {
          gw_operation_cancel (op);
          *cancelled = TRUE;
          break;
        }
      progress_draw (shell, op, &progress);
      g_usleep (20 * 1000);
    }
  progress_clear (&progress);
  if (*cancelled)
    return FALSE;
  if (status == GW_STATUS_FAILED || status == GW_STATUS_CANCELLED)
    {
      g_autoptr (GwPage) page = gw_operation_fetch (op, 0, 0, error);

      if (page != NULL)
        g_set_error (error, GW_ERROR, GW_ERROR_FAILED, "job %s %s",
                     gw_operation_get_job_id (op), status == GW_STATUS_FAILED
                     ? "failed" : "was cancelled");
      return FALSE;
    }
  return TRUE;
}

static void
print_timing (ReplShell *shell, gint64 elapsed_us)
{
  repl__emitf (shell, REPL_OUTPUT_TEXT, info_stream (shell), "Time: %" G_GINT64_FORMAT
               ".%03d ms\n", elapsed_us / 1000, (int) (elapsed_us % 1000));
}

/* Runs one statement and prints its result; errors go to stderr. */
static gboolean
run_statement (ReplShell *shell, const char *sql, const ReplSource *source)
{
  g_autoptr (GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  gboolean cancelled = FALSE;
  gboolean ok = TRUE;
  GwOperation *op;

  op = gw_client_execute (shell->client, sql, &error);
  if (op == NULL)
    {
      report_error (shell, source, error);
      return FALSE;
    }
  if (gw_operation_get_schema (op) != NULL)
    ok = show_result (shell, op, &cancelled, &error);
  else
    {
      const char *message = gw_operation_get_message (op);
      const PlanStatement *stmt = gw_operation_get_statement (op);
      ReplOutputKind kind = stmt != NULL && stmt->kind == PLAN_STMT_EXPLAIN
                            ? REPL_OUTPUT_PLAN : REPL_OUTPUT_TEXT;

      if (message != NULL && *message != '\0')
        repl__emitf (shell, kind, info_stream (shell), "%s\n", message);
      if (!shell->interactive && gw_operation_get_job_id (op) != NULL)
        ok = wait_job (shell, op, &cancelled, &error);
    }
  if (!ok && !cancelled && error == NULL)
    g_set_error (&error, GW_ERROR, GW_ERROR_FAILED, "the statement failed without a reason");
  shell->cancelled = cancelled;
  if (cancelled)
    repl__emit (shell, REPL_OUTPUT_ERROR, stderr, "Cancelled.\n");
  else if (!ok)
    report_error (shell, source, error);
  else if (shell->timing)
    print_timing (shell, g_get_monotonic_time () - start);
  if (shell->interactive && shell->format != REPL_FORMAT_CSV
      && shell->format != REPL_FORMAT_JSON)
    fputc ('\n', stdout);
  fflush (stdout);
  return ok;
}

/* Runs each statement of script; name as in repl_shell_run_script. */
static gboolean
run_statements (ReplShell *shell, const char *script, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) asts = NULL;
  ReplSource source = { script, name, { 0 } };

  shell->cancelled = FALSE;
  asts = plan_sql_parse (script, &error);
  if (asts == NULL)
    {
      report_error (shell, &source, error);
      return FALSE;
    }
  g_ptr_array_set_free_func (asts, (GDestroyNotify) plan_ast_free);
  for (guint i = 0; i < asts->len; i++)
    {
      const PlanAst *ast = g_ptr_array_index (asts, i);

      if (repl__interrupted && !shell->interactive)
        {
          repl__emit (shell, REPL_OUTPUT_ERROR, stderr, "Cancelled.\n");
          shell->cancelled = TRUE;
          return FALSE;
        }
      source.span = plan_ast_get_span (ast);
      if (!run_statement (shell, plan_ast_get_text (ast), &source))
        return FALSE;
    }
  return TRUE;
}

gboolean
repl__run_sql (ReplShell *shell, const char *sql, const char *name)
{
  return run_statements (shell, sql, name);
}

gboolean
repl_shell_run_script (ReplShell *shell, const char *script, const char *name)
{
  g_return_val_if_fail (shell != NULL && script != NULL, FALSE);

  install_sigint_handler ();
  return run_statements (shell, script, name);
}

gboolean
repl_shell_run_file (ReplShell *shell, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  const char *bad;
  gsize len;

  g_return_val_if_fail (shell != NULL && path != NULL, FALSE);
  if (!g_file_get_contents (path, &text, &len, &error))
    {
      fprintf (stderr, "strom: %s\n", error->message);
      return FALSE;
    }
  if (!g_utf8_validate (text, len, &bad))
    {
      guint line = 1;

      for (const char *p = text; p < bad; p++)
        line += *p == '\n';
      fprintf (stderr, "%s:%u: the file is not UTF-8 text (or holds a NUL byte); "
               "convert it, e.g. with iconv -t UTF-8\n", path, line);
      return FALSE;
    }
  return repl_shell_run_script (shell, text, path);
}

/* ---- history ------------------------------------------------------------------------ */

static void
history_load (ReplShell *shell)
{
  g_autofree char *dir = g_build_filename (g_get_user_state_dir (), "strom", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  guint n, first;

  shell->history_path = g_build_filename (dir, "history", NULL);
  stifle_history (HISTORY_KEEP);
  if (!g_file_get_contents (shell->history_path, &text, NULL, NULL))
    return;
  lines = g_strsplit (text, "\n", -1);
  n = g_strv_length (lines);
  first = n > HISTORY_KEEP ? n - HISTORY_KEEP : 0;
  for (guint i = first; i < n; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      g_strdelimit (lines[i], HISTORY_NEWLINE_S, '\n');
      add_history (lines[i]);
    }
  if (first > HISTORY_KEEP) /* the file has grown to twice what we keep: trim it */
    {
      g_autoptr (GString) kept = g_string_new (NULL);

      for (guint i = first; i < n; i++)
        if (lines[i][0] != '\0')
          {
            g_strdelimit (lines[i], "\n", HISTORY_NEWLINE);
            g_string_append_printf (kept, "%s\n", lines[i]);
          }
      g_file_set_contents (shell->history_path, kept->str, kept->len, NULL);
    }
}

static void
history_append (ReplShell *shell, const char *entry)
{
  HIST_ENTRY *last = history_length > 0 ? history_get (history_base + history_length - 1)
                                        : NULL;
  g_autofree char *dir = NULL;
  g_autofree char *line = NULL;
  FILE *file;

  if (last != NULL && strcmp (last->line, entry) == 0)
    return;
  add_history (entry);
  if (shell->history_path == NULL)
    return;
  dir = g_path_get_dirname (shell->history_path);
  line = g_strdup (entry);
  g_strdelimit (line, "\n", HISTORY_NEWLINE);
  if (g_mkdir_with_parents (dir, 0700) != 0
      || (file = fopen (shell->history_path, "a")) == NULL)
    {
      if (!shell->history_warned)
        fprintf (stderr, "strom: cannot write the history file %s: %s\n",
                 shell->history_path, g_strerror (errno));
      shell->history_warned = TRUE;
      return;
    }
  fprintf (file, "%s\n", line);
  fclose (file);
}

/* ---- completion ------------------------------------------------------------------------ */

static ReplShell *completion_shell; /* the shell of the running interactive loop */
static char **completion_candidates;  /* of the completion in progress */
static guint completion_next;

/* readline's generator: hands out the candidates repl_complete found. */
static char *
next_candidate (const char *text, int state)
{
  (void) text;
  if (state == 0)
    completion_next = 0;
  if (completion_candidates == NULL || completion_candidates[completion_next] == NULL)
    return NULL;
  return strdup (completion_candidates[completion_next++]); /* readline frees it */
}

/* readline's hook: the statement typed so far is the buffer plus this line. */
static char **
complete (const char *text, int start, int end)
{
  g_autoptr (GString) all = g_string_new (completion_shell->buffer->str);
  g_autoptr (ReplCompletion) c = NULL;
  gsize offset;
  char **matches;

  if (all->len > 0)
    g_string_append_c (all, '\n');
  offset = all->len;
  g_string_append (all, rl_line_buffer);
  rl_attempted_completion_over = 1; /* never readline's own file names */
  c = repl_complete (completion_shell->client, all->str, offset + end);
  if (c == NULL || c->start != offset + start)
    return NULL;
  completion_candidates = c->candidates;
  rl_completion_append_character = c->append;
  rl_completion_suppress_append = c->append == '\0';
  matches = rl_completion_matches (text, next_candidate);
  completion_candidates = NULL;
  return matches;
}

/* ---- the interactive loop ----------------------------------------------------------------- */

typedef enum {
  READ_LINE,
  READ_EOF,
  READ_INTERRUPTED,
} ReplRead;

static char *read_result;   /* the line readline's callback handed over (malloc) */
static gboolean read_was_empty; /* Ctrl-C came at an empty line */
static gboolean read_done;

static void
on_line (char *line)
{
  read_result = line;
  read_done = TRUE;
  rl_callback_handler_remove (); /* no prompt until the statement has run */
}

/* Reads one line with readline's callback interface, polling the Ctrl-C flag. */
static ReplRead
read_line (const char *prompt, char **out)
{
  int fd = fileno (rl_instream != NULL ? rl_instream : stdin);

  read_result = NULL;
  read_done = FALSE;
  rl_callback_handler_install (prompt, on_line);
  while (!read_done)
    {
      struct timeval timeout = { 0, FETCH_WAIT_US };
      fd_set fds;
      int ready;

      FD_ZERO (&fds);
      FD_SET (fd, &fds);
      ready = select (fd + 1, &fds, NULL, NULL, &timeout);
      if (repl__interrupted)
        {
          read_was_empty = rl_end == 0;
          repl__interrupted = 0;
          rl_callback_sigcleanup ();  /* leaves a search or a half-typed key sequence */
          rl_free_line_state ();
          rl_point = rl_end;          /* "^C" goes after the text, as a shell shows it */
          rl_redisplay ();
          fputs ("^C", rl_outstream != NULL ? rl_outstream : stdout);
          fflush (rl_outstream != NULL ? rl_outstream : stdout);
          rl_replace_line ("", 1);
          rl_callback_handler_remove (); /* may write a "\r" to leave bracketed paste */
          fputs ("\n", stdout);
          fflush (stdout);
          return READ_INTERRUPTED;
        }
      if (ready > 0)
        rl_callback_read_char ();
      else if (ready < 0 && errno != EINTR)
        {
          rl_callback_handler_remove ();
          return READ_EOF;
        }
    }
  *out = read_result;
  return read_result != NULL ? READ_LINE : READ_EOF;
}

static gboolean
is_quit_word (const char *line)
{
  static const char *const words[] = { "exit", "quit", "exit;", "quit;" };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_ascii_strcasecmp (line, words[i]) == 0)
      return TRUE;
  return FALSE;
}

/* The length of text up to the end of its last ';'-terminated statement. The first
 * terminator is where a prefix first becomes complete (plan_sql_is_complete knows the
 * quotes and comments, and stays TRUE for longer prefixes), then the same for the rest. */
static gsize
complete_length (const char *text)
{
  gsize done = 0;

  while (plan_sql_is_complete (text + done))
    {
      const char *rest = text + done;
      gsize len = 0;

      for (const char *p = strchr (rest, ';'); p != NULL && len == 0; p = strchr (p + 1, ';'))
        {
          g_autofree char *prefix = g_strndup (rest, p + 1 - rest);

          if (plan_sql_is_complete (prefix))
            len = p + 1 - rest;
        }
      if (len == 0)
        break;
      done += len;
    }
  return done;
}

/* TRUE when text holds no statement: only blanks and comments. */
static gboolean
is_blank (const char *text)
{
  g_autoptr (GPtrArray) asts = plan_sql_parse (text, NULL);

  return asts != NULL && asts->len == 0;
}

/* Handles one typed line; FALSE when the user asked to leave. A statement left
 * unfinished after the last ';' stays in the buffer for the next line. */
static gboolean
handle_line (ReplShell *shell, const char *line)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (line));
  g_autofree char *script = NULL;
  gsize n;

  if (trimmed[0] == '\\')
    {
      if (repl_meta_lookup (trimmed) == NULL || strcmp (repl_meta_lookup (trimmed)->name,
                                                        "\\quit") != 0)
        history_append (shell, trimmed); /* as psql: \commands come back with Up too */
      return repl__meta_run (shell, trimmed) == REPL_META_CONTINUE;
    }
  if (shell->buffer->len == 0)
    {
      if (trimmed[0] == '\0')
        return TRUE;
      if (is_quit_word (trimmed))
        return FALSE;
    }
  if (shell->buffer->len > 0)
    g_string_append_c (shell->buffer, '\n');
  g_string_append (shell->buffer, line);
  if (!plan_sql_is_complete (shell->buffer->str))
    return TRUE;
  n = complete_length (shell->buffer->str);
  script = g_strndup (shell->buffer->str, n);
  g_string_erase (shell->buffer, 0, n);
  if (is_blank (shell->buffer->str))
    g_string_truncate (shell->buffer, 0);
  history_append (shell, script);
  repl__run_new_cell (shell, script);
  return TRUE;
}

/* Reads a non-terminal stdin whole and runs it as a script, as psql does. */
static int
run_stdin (ReplShell *shell)
{
  g_autoptr (GString) text = g_string_new (NULL);
  char chunk[65536];
  size_t n;

  while ((n = fread (chunk, 1, sizeof chunk, stdin)) > 0)
    g_string_append_len (text, chunk, n);
  if (ferror (stdin))
    {
      fprintf (stderr, "strom: cannot read standard input: %s\n", g_strerror (errno));
      return 1;
    }
  if (shell->notebook != NULL) /* strom NOTEBOOK < script.sql: the script becomes cells */
    {
      install_sigint_handler ();
      return repl__run_script_as_cells (shell, text->str) ? 0 : 1;
    }
  return repl_shell_run_script (shell, text->str, "<stdin>") ? 0 : 1;
}

int
repl_shell_run_interactive (ReplShell *shell)
{
  gboolean go_on = TRUE;
  guint empty_interrupts = 0;

  g_return_val_if_fail (shell != NULL, 1);
  if (!isatty (STDIN_FILENO))
    return run_stdin (shell);
  install_sigint_handler ();
  rl_readline_name = "strom";
  rl_catch_signals = 0;
  rl_attempted_completion_function = complete;
  rl_completer_word_break_characters = REPL_COMPLETE_BREAKS;
  rl_basic_word_break_characters = REPL_COMPLETE_BREAKS;
  rl_completer_quote_characters = NULL;
  completion_shell = shell;
  shell->interactive = TRUE;
  history_load (shell);
  printf ("strom: type SQL ending with ';', \\? for help, \\q to quit.\n");
  while (go_on)
    {
      char *line = NULL;
      ReplRead got;

      g_autofree char *prompt = g_strdup_printf ("[%u]> ", shell->cells->len + 1);

      repl__interrupted = 0;
      got = read_line (shell->buffer->len == 0 ? prompt : PROMPT_MORE, &line);
      if (got == READ_EOF)
        {
          fputc ('\n', stdout);
          break;
        }
      if (got == READ_INTERRUPTED)
        {
          /* a second Ctrl-C at an empty prompt: the user may be trying to leave */
          empty_interrupts = read_was_empty && shell->buffer->len == 0
                             ? empty_interrupts + 1 : 0;
          if (empty_interrupts == 2)
            {
              fputs ("(Ctrl-C cancels a statement; to quit, type \\q or press Ctrl-D.)\n",
                     stdout);
              empty_interrupts = 0;
            }
          g_string_truncate (shell->buffer, 0);
          continue;
        }
      empty_interrupts = 0;
      go_on = handle_line (shell, line);
      free (line);
    }
  shell->interactive = FALSE;
  completion_shell = NULL;
  rl_clear_history ();
  return 0;
}
