/* repl-cells.c: the shell's cells and what they printed.
 *
 * Every piece of SQL typed at the prompt becomes a numbered cell ([3]>), so that it can
 * be listed (\cells), run again (\rerun 3) and saved in a notebook. All output goes
 * through repl__emit, which writes to the terminal and, while a cell runs, also keeps a
 * copy per kind (text, table, plan, error) for the cell's run; each copy is capped at
 * REPL_OUTPUT_MAX bytes so that an unbounded query cannot fill memory through it.
 *
 * With a notebook open, a cell is saved before it runs (so a crash still leaves the
 * source), its run is opened as "running" and closed with the status, the error text
 * and the kept outputs. A notebook that cannot be written to is reported once and the
 * session goes on: losing the record must not stop the work. */
#include "repl-private.h"

#include <string.h>

const char *
repl_run_status_name (ReplRunStatus status)
{
  switch (status)
    {
    case REPL_RUN_RUNNING:
      return "running";
    case REPL_RUN_OK:
      return "ok";
    case REPL_RUN_FAILED:
      return "failed";
    case REPL_RUN_CANCELLED:
      return "cancelled";
    }
  return "?";
}

const char *
repl_output_kind_name (ReplOutputKind kind)
{
  switch (kind)
    {
    case REPL_OUTPUT_TEXT:
      return "text";
    case REPL_OUTPUT_TABLE:
      return "table";
    case REPL_OUTPUT_PLAN:
      return "plan";
    case REPL_OUTPUT_ERROR:
      return "error";
    }
  return "?";
}

static void
output_free (ReplOutput *output)
{
  g_string_free (output->text, TRUE);
  g_free (output);
}

/* Appends text to the running cell's last output of that kind (a new one when the kind
 * changes), up to the cap. */
static void
keep_output (ReplShell *shell, ReplOutputKind kind, const char *text)
{
  ReplOutput *last = NULL;
  gsize len = strlen (text);
  gsize room;

  if (shell->outputs->len > 0)
    last = g_ptr_array_index (shell->outputs, shell->outputs->len - 1);
  if (last == NULL || last->kind != kind)
    {
      last = g_new0 (ReplOutput, 1);
      last->kind = kind;
      last->text = g_string_new (NULL);
      g_ptr_array_add (shell->outputs, last);
    }
  room = REPL_OUTPUT_MAX - MIN (last->text->len, REPL_OUTPUT_MAX);
  if (len > room)
    {
      /* cut at a character boundary so the kept text stays UTF-8 */
      const char *end = g_utf8_find_prev_char (text, text + room + 1);
      gsize keep = end != NULL ? (gsize) (end - text) : 0;

      g_string_append_len (last->text, text, keep);
      last->cut += len - keep;
      return;
    }
  g_string_append (last->text, text);
}

void
repl__keep (ReplShell *shell, ReplOutputKind kind, const char *text)
{
  if (shell->outputs != NULL)
    keep_output (shell, kind, text);
}

void
repl__emit (ReplShell *shell, ReplOutputKind kind, FILE *stream, const char *text)
{
  fputs (text, stream);
  fflush (stream);
  if (shell->outputs != NULL)
    keep_output (shell, kind, text);
}

void
repl__emitf (ReplShell *shell, ReplOutputKind kind, FILE *stream, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  repl__emit (shell, kind, stream, text);
}

ReplCell *
repl__cell_new (guint number, const char *source)
{
  ReplCell *cell = g_new0 (ReplCell, 1);

  cell->number = number;
  cell->source = g_strdup (source);
  cell->status = REPL_RUN_RUNNING;
  return cell;
}

void
repl__cell_free (ReplCell *cell)
{
  if (cell == NULL)
    return;
  g_free (cell->source);
  g_free (cell);
}

static void
notebook_warn (ReplShell *shell, const GError *error)
{
  if (!shell->notebook_warned)
    fprintf (stderr, "strom: %s (cells are no longer saved)\n", error->message);
  shell->notebook_warned = TRUE;
}

/* Saves the cell (if new) and opens its run; 0 without a notebook or on error. */
static gint64
notebook_begin (ReplShell *shell, ReplCell *cell)
{
  g_autoptr (GError) error = NULL;
  gint64 run;

  if (shell->notebook == NULL)
    return 0;
  if (cell->notebook_id == 0)
    cell->notebook_id = repl_notebook_add_cell (shell->notebook, cell->source, &error);
  run = cell->notebook_id != 0
        ? repl_notebook_begin_run (shell->notebook, cell->notebook_id, &error) : 0;
  if (run == 0)
    notebook_warn (shell, error);
  return run;
}

static void
notebook_end (ReplShell *shell, gint64 run, ReplRunStatus status)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) errors = g_string_new (NULL);
  gboolean ok = TRUE;

  if (run == 0)
    return;
  for (guint i = 0; i < shell->outputs->len && ok; i++)
    {
      const ReplOutput *o = g_ptr_array_index (shell->outputs, i);

      if (o->kind == REPL_OUTPUT_ERROR)
        g_string_append (errors, o->text->str);
      ok = repl_notebook_add_output (shell->notebook, run, o->kind, o->text->str, o->cut,
                                     &error);
    }
  if (ok)
    ok = repl_notebook_end_run (shell->notebook, run, status,
                                errors->len > 0 ? g_strstrip (errors->str) : NULL, &error);
  if (!ok)
    notebook_warn (shell, error);
}

/* Runs the cell's source with its output kept, records the status and saves the run.
 * name: how errors name the cell (strom run), or NULL. */
static gboolean
run_cell (ReplShell *shell, ReplCell *cell, const char *name)
{
  gboolean ok;
  gint64 run;

  g_clear_pointer (&shell->outputs, g_ptr_array_unref);
  shell->outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) output_free);
  cell->status = REPL_RUN_RUNNING;
  cell->n_runs++;
  run = notebook_begin (shell, cell);
  ok = repl__run_sql (shell, cell->source, name);
  cell->status = ok ? REPL_RUN_OK : shell->cancelled ? REPL_RUN_CANCELLED : REPL_RUN_FAILED;
  notebook_end (shell, run, cell->status);
  g_clear_pointer (&shell->outputs, g_ptr_array_unref);
  return ok;
}

gboolean
repl__run_new_cell (ReplShell *shell, const char *source)
{
  ReplCell *cell = repl__cell_new (shell->cells->len + 1, source);

  g_ptr_array_add (shell->cells, cell);
  return run_cell (shell, cell, NULL);
}

gboolean
repl__rerun_cell (ReplShell *shell, ReplCell *cell)
{
  return run_cell (shell, cell, NULL);
}

void
repl__edit_cell (ReplShell *shell, ReplCell *cell)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *edited = repl__edit_text (cell->source, &error);
  g_autofree char *trimmed = NULL;

  if (edited == NULL)
    {
      fprintf (stderr, "\\edit: %s; cell [%u] is unchanged\n", error->message, cell->number);
      return;
    }
  trimmed = g_strstrip (g_strdup (edited));
  if (trimmed[0] == '\0')
    {
      fprintf (stderr, "\\edit: the edited text is empty; cell [%u] is unchanged\n",
               cell->number);
      return;
    }
  if (strcmp (trimmed, cell->source) == 0)
    {
      printf ("Cell [%u] is unchanged; \\rerun %u runs it again.\n", cell->number,
              cell->number);
      return;
    }
  g_free (cell->source);
  cell->source = g_steal_pointer (&trimmed);
  if (shell->notebook != NULL && cell->notebook_id != 0
      && !repl_notebook_update_cell (shell->notebook, cell->notebook_id, cell->source,
                                     &error))
    notebook_warn (shell, error);
  printf ("[%u]> %s\n", cell->number, cell->source);
  run_cell (shell, cell, NULL);
}

/* TRUE when line is a cell marker of an .sql export: "-- [N]". */
static gboolean
is_cell_marker (const char *line, gsize len)
{
  gsize i = 4;

  if (len < 6 || strncmp (line, "-- [", 4) != 0)
    return FALSE;
  while (i < len && g_ascii_isdigit (line[i]))
    i++;
  while (len > i + 1 && g_ascii_isspace (line[len - 1]))
    len--;
  return i > 4 && i + 1 == len && line[i] == ']';
}

/* The cells of a script: the text between "-- [N]" lines when it has them (text before
 * the first one only when it holds a statement), else one cell per statement. */
static GPtrArray *
split_cells (const char *script)
{
  GPtrArray *cells = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) chunk = g_string_new (NULL);
  gboolean marked = FALSE;
  const char *line = script;

  while (*line != '\0')
    {
      gsize len = strcspn (line, "\n");

      if (is_cell_marker (line, len))
        {
          g_autoptr (GPtrArray) asts = plan_sql_parse (chunk->str, NULL);

          if (asts != NULL)
            g_ptr_array_set_free_func (asts, (GDestroyNotify) plan_ast_free);
          if (marked || asts == NULL || asts->len > 0)
            g_ptr_array_add (cells, g_strstrip (g_strdup (chunk->str)));
          g_string_truncate (chunk, 0);
          marked = TRUE;
        }
      else
        g_string_append_len (chunk, line, len + (line[len] == '\n'));
      line += len + (line[len] == '\n');
    }
  if (marked)
    {
      g_ptr_array_add (cells, g_strstrip (g_strdup (chunk->str)));
      return cells;
    }
  {
    g_autoptr (GPtrArray) asts = plan_sql_parse (script, NULL);

    for (guint i = 0; asts != NULL && i < asts->len; i++)
      g_ptr_array_add (cells, g_strdup (plan_ast_get_text (g_ptr_array_index (asts, i))));
    if (asts == NULL) /* let the run report the syntax error */
      g_ptr_array_add (cells, g_strstrip (g_strdup (script)));
    if (asts != NULL)
      g_ptr_array_set_free_func (asts, (GDestroyNotify) plan_ast_free);
  }
  return cells;
}

gboolean
repl__run_script_as_cells (ReplShell *shell, const char *script)
{
  g_autoptr (GPtrArray) sources = split_cells (script);

  for (guint i = 0; i < sources->len; i++)
    {
      const char *source = g_ptr_array_index (sources, i);
      ReplCell *cell;
      g_autofree char *name = NULL;

      if (source[0] == '\0')
        continue;
      cell = repl__cell_new (shell->cells->len + 1, source);
      g_ptr_array_add (shell->cells, cell);
      name = g_strdup_printf ("cell [%u]", cell->number);
      if (!run_cell (shell, cell, name))
        {
          fprintf (stderr, "strom: cell [%u] %s; stopped there\n", cell->number,
                   cell->status == REPL_RUN_CANCELLED ? "was cancelled" : "failed");
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- notebooks ---------------------------------------------------------------------------- */

static ReplRunStatus
status_from_name (const char *name)
{
  if (g_strcmp0 (name, "ok") == 0)
    return REPL_RUN_OK;
  if (g_strcmp0 (name, "failed") == 0)
    return REPL_RUN_FAILED;
  if (g_strcmp0 (name, "cancelled") == 0)
    return REPL_RUN_CANCELLED;
  return REPL_RUN_RUNNING;
}

/* Re-runs the statements of the cells that change the session; returns how many. */
static guint
restore_session (ReplShell *shell)
{
  guint n = 0;

  for (guint i = 0; i < shell->cells->len; i++)
    {
      const ReplCell *cell = g_ptr_array_index (shell->cells, i);
      g_autoptr (GPtrArray) asts = plan_sql_parse (cell->source, NULL);
      g_autofree char *name = g_strdup_printf ("cell [%u]", cell->number);

      if (asts == NULL)
        continue;
      g_ptr_array_set_free_func (asts, (GDestroyNotify) plan_ast_free);
      for (guint k = 0; k < asts->len; k++)
        {
          const char *text = plan_ast_get_text (g_ptr_array_index (asts, k));

          if (!repl_statement_is_ddl (text))
            continue;
          repl__run_sql (shell, text, name);
          n++;
        }
    }
  return n;
}

gboolean
repl_shell_open_notebook (ReplShell *shell, const char *path, gboolean create,
                          gboolean restore, GError **error)
{
  g_autoptr (ReplNotebook) notebook = NULL;
  g_autoptr (GPtrArray) stored = NULL;

  g_return_val_if_fail (shell != NULL && path != NULL, FALSE);
  notebook = repl_notebook_open (path, create, error);
  if (notebook == NULL || (stored = repl_notebook_dup_cells (notebook, error)) == NULL)
    return FALSE;
  g_ptr_array_set_size (shell->cells, 0);
  for (guint i = 0; i < stored->len; i++)
    {
      const ReplNotebookCell *s = g_ptr_array_index (stored, i);
      ReplCell *cell = repl__cell_new (i + 1, s->source);

      cell->notebook_id = s->id;
      cell->status = status_from_name (s->status);
      cell->n_runs = s->status != NULL ? 1 : 0;
      g_ptr_array_add (shell->cells, cell);
    }
  repl_notebook_free (shell->notebook);
  shell->notebook = g_steal_pointer (&notebook);
  shell->notebook_warned = FALSE;
  if (restore && shell->cells->len > 0)
    {
      guint n = restore_session (shell);

      printf ("Notebook %s: %u %s; re-ran %u %s to restore the session.\n", path,
              shell->cells->len, shell->cells->len == 1 ? "cell" : "cells", n,
              n == 1 ? "statement" : "statements");
    }
  return TRUE;
}

gboolean
repl_shell_run_notebook (ReplShell *shell)
{
  g_return_val_if_fail (shell != NULL && shell->notebook != NULL, FALSE);
  for (guint i = 0; i < shell->cells->len; i++)
    {
      ReplCell *cell = g_ptr_array_index (shell->cells, i);
      g_autofree char *name = g_strdup_printf ("%s [%u]",
                                               repl_notebook_get_path (shell->notebook),
                                               cell->number);

      if (!run_cell (shell, cell, name))
        {
          fprintf (stderr, "strom: cell [%u] of %s %s; stopped there\n", cell->number,
                   repl_notebook_get_path (shell->notebook),
                   cell->status == REPL_RUN_CANCELLED ? "was cancelled" : "failed");
          return FALSE;
        }
    }
  return TRUE;
}

/* Starts a notebook at path from the session's cells (their sources and last status). */
static gboolean
save_session (ReplShell *shell, const char *path, GError **error)
{
  g_autoptr (ReplNotebook) notebook = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, REPL_NOTEBOOK_ERROR, REPL_NOTEBOOK_ERROR_FAILED,
                   "%s exists already; choose a new name (or \\open it)", path);
      return FALSE;
    }
  notebook = repl_notebook_open (path, TRUE, error);
  if (notebook == NULL)
    return FALSE;
  for (guint i = 0; i < shell->cells->len; i++)
    {
      ReplCell *cell = g_ptr_array_index (shell->cells, i);
      gint64 run;

      cell->notebook_id = repl_notebook_add_cell (notebook, cell->source, error);
      if (cell->notebook_id == 0)
        return FALSE;
      if (cell->n_runs == 0)
        continue;
      run = repl_notebook_begin_run (notebook, cell->notebook_id, error);
      if (run == 0 || !repl_notebook_end_run (notebook, run, cell->status, NULL, error))
        return FALSE;
    }
  repl_notebook_free (shell->notebook);
  shell->notebook = g_steal_pointer (&notebook);
  shell->notebook_warned = FALSE;
  return TRUE;
}

void
repl__save (ReplShell *shell, const char *path)
{
  g_autoptr (GError) error = NULL;

  if (path[0] == '\0'
      || (shell->notebook != NULL && strcmp (path, repl_notebook_get_path (shell->notebook)) == 0))
    {
      if (shell->notebook != NULL)
        printf ("Every cell is saved in %s as it runs.\n",
                repl_notebook_get_path (shell->notebook));
      else
        fputs ("\\save: no notebook is open; give a file: \\save NAME.strom\n", stderr);
      return;
    }
  if (shell->notebook != NULL)
    {
      g_autofree char *old = g_strdup (repl_notebook_get_path (shell->notebook));

      if (!repl_notebook_save_copy (shell->notebook, path, &error)
          || !repl_shell_open_notebook (shell, path, FALSE, FALSE, &error))
        fprintf (stderr, "\\save: %s\n", error->message);
      else
        printf ("Saved %s as %s; cells now go to %s.\n", old, path, path);
      return;
    }
  if (!save_session (shell, path, &error))
    fprintf (stderr, "\\save: %s\n", error->message);
  else
    printf ("Saved %u cells in %s; the next ones are saved as they run.\n", shell->cells->len,
            path);
}

void
repl__open (ReplShell *shell, const char *path)
{
  g_autoptr (GError) error = NULL;
  gboolean existed = g_file_test (path, G_FILE_TEST_EXISTS);

  if (path[0] == '\0')
    {
      fputs ("\\open: give a notebook file: \\open NAME.strom\n", stderr);
      return;
    }
  if (!repl_shell_open_notebook (shell, path, TRUE, TRUE, &error))
    fprintf (stderr, "\\open: %s\n", error->message);
  else if (!existed)
    printf ("Started the notebook %s; cells are saved there as they run.\n", path);
  else if (shell->cells->len == 0)
    printf ("Opened %s; it has no cells yet.\n", path);
}

void
repl__export (ReplShell *shell, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) cells = NULL;
  g_autofree char *lower = g_ascii_strdown (path, -1);
  g_autofree char *title = NULL;

  if (!g_str_has_suffix (lower, ".sql") && !g_str_has_suffix (lower, ".md"))
    {
      fputs ("\\export: give a file ending in .sql (a script) or .md (a page with the "
             "outputs)\n", stderr);
      return;
    }
  if (shell->notebook != NULL)
    {
      cells = repl_notebook_dup_cells (shell->notebook, &error);
      title = g_path_get_basename (repl_notebook_get_path (shell->notebook));
    }
  else
    {
      cells = g_ptr_array_new_with_free_func ((GDestroyNotify) repl_notebook_cell_free);
      title = g_strdup ("strom session");
      for (guint i = 0; i < shell->cells->len; i++)
        {
          const ReplCell *cell = g_ptr_array_index (shell->cells, i);
          ReplNotebookCell *out = g_new0 (ReplNotebookCell, 1);

          out->position = cell->number;
          out->source = g_strdup (cell->source);
          if (cell->n_runs > 0)
            out->status = g_strdup (repl_run_status_name (cell->status));
          g_ptr_array_add (cells, out);
        }
    }
  if (cells == NULL || !repl_notebook_export (cells, title, path, &error))
    fprintf (stderr, "\\export: %s\n", error->message);
  else
    printf ("Exported %u cells to %s.\n", cells->len, path);
}
