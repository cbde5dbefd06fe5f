/* repl-private.h: the shell's insides, shared by the files of repl/ only.
 *
 * repl-shell.c owns the statement loop and the terminal, repl-meta.c the backslash
 * commands; both work on the ReplShell below. */
#pragma once

#include "repl.h"

#include <json-glib/json-glib.h>

#include <signal.h>
#include <stdio.h>

G_BEGIN_DECLS

/* A cell: one piece of input that ran, numbered as its prompt was ([3]>). */
typedef struct {
  guint number;           /* 1-based */
  char *source;           /* owned: the SQL as typed */
  gint64 notebook_id;     /* cells.id in the shell's notebook; 0: not saved */
  ReplRunStatus status;   /* of the last run */
  guint n_runs;
} ReplCell;

struct _ReplShell {
  GwClient *client;        /* borrowed */
  ReplFormat format;
  gboolean timing;
  gboolean interactive;    /* in the readline loop */
  gboolean progress_ok;    /* stdout and stderr are terminals */
  GString *buffer;         /* owned: the statement being typed */
  char *history_path;      /* owned; NULL: no history file */
  gboolean history_warned;
  GPtrArray *cells;        /* owned: ReplCell*, in number order */
  GPtrArray *outputs;      /* owned while a cell runs (ReplOutput*), else NULL */
  gboolean cancelled;      /* the last statement was cancelled with Ctrl-C */
  ReplNotebook *notebook;  /* owned, nullable: where cells are saved as they run */
  gboolean notebook_warned;
  gboolean pager;          /* \set pager: tall tables go through $PAGER on a terminal */
  gboolean pager_warned;
};

/* What a running cell printed, kept for its notebook run. */
typedef struct {
  ReplOutputKind kind;
  GString *text;           /* owned, at most REPL_OUTPUT_MAX bytes */
  gsize cut;               /* bytes not kept */
} ReplOutput;

typedef enum {
  REPL_META_CONTINUE,
  REPL_META_QUIT,
} ReplMetaResult;

/* Set by the SIGINT handler (repl-shell.c); polled at least every 100 ms while a
 * statement runs and at the prompt. */
extern volatile sig_atomic_t repl__interrupted;

/* Keeps text as output of the running cell, if any, without printing it. */
void repl__keep (ReplShell *shell, ReplOutputKind kind, const char *text);
/* Writes text to stream and keeps it as output of the running cell, if any. */
void repl__emit (ReplShell *shell, ReplOutputKind kind, FILE *stream, const char *text);
void repl__emitf (ReplShell *shell, ReplOutputKind kind, FILE *stream, const char *format,
                  ...) G_GNUC_PRINTF (4, 5);
/* Runs SQL (one or more statements) without making a cell; errors name name when given
 * (as repl_shell_run_script). Sets shell->cancelled. */
gboolean repl__run_sql (ReplShell *shell, const char *sql, const char *name);
/* Makes the next cell from source, runs it and saves it in the notebook, if one is open. */
gboolean repl__run_new_cell (ReplShell *shell, const char *source);
/* Runs an existing cell again: a new run of the same cell. */
gboolean repl__rerun_cell (ReplShell *shell, ReplCell *cell);
/* \edit: opens the cell in the editor; edited text replaces its source and runs as a
 * new run of the cell. */
void repl__edit_cell (ReplShell *shell, ReplCell *cell);
/* Runs a script piped into a notebook: each cell of the script (split at the "-- [N]"
 * lines an .sql export has, else one per statement) is added and run, in order, up to
 * the first that fails. TRUE when all ran. */
gboolean repl__run_script_as_cells (ReplShell *shell, const char *script);
ReplCell *repl__cell_new (guint number, const char *source);
void repl__cell_free (ReplCell *cell);

/* \save, \open and \export; each prints what it did or why it could not. */
void repl__save (ReplShell *shell, const char *path);
void repl__open (ReplShell *shell, const char *path);
void repl__export (ReplShell *shell, const char *path);

/* Writes the plan to path: .dot as DOT text, .png/.svg through Graphviz's dot. FALSE
 * when that cannot be done (no dot installed, say). */
gboolean repl__plan_render (const PlanPhysPlan *plan, const char *path, GError **error);

/* ---- the terminal (repl-term.c) ---- */

/* The terminal's size from stdout (rows, columns); FALSE when stdout is no terminal. */
gboolean repl__term_size (guint *rows, guint *cols);
/* A result's text for the terminal: through the pager when the shell's pager is on,
 * stdout is a terminal and the text is taller or wider than it; else written. Kept as
 * the running cell's output either way. */
void repl__emit_result (ReplShell *shell, const char *text);
/* Lets the user edit text in $EDITOR ($VISUAL, else vi); the edited text (owned), or
 * NULL with error when the editor could not run or failed. */
char *repl__edit_text (const char *text, GError **error);

/* ---- the live view (repl-live.c) ---- */

/* Fetches the result of op and redraws it in place, at most ~10 times a second, with a
 * status line; at the end prints it as a table, on Ctrl-C (sets *cancelled) leaves the
 * last frame. FALSE when the job failed (error set) or was cancelled. */
gboolean repl__show_live (ReplShell *shell, GwOperation *op, gboolean *cancelled,
                          GError **error);

/* Runs a backslash command line. */
ReplMetaResult repl__meta_run (ReplShell *shell, const char *line);

/* repl-live.c: an operator's (or job's) watermark from its metrics JSON, as text (owned),
 * or NULL when it has none yet. */
char *repl__watermark_text (JsonObject *o);

G_END_DECLS
