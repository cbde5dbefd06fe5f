/* repl-private.h: the shell's insides, shared by the files of repl/ only.
 *
 * repl-shell.c owns the statement loop and the terminal, repl-meta.c the backslash
 * commands; both work on the ReplShell below. */
#pragma once

#include "repl.h"

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
ReplCell *repl__cell_new (guint number, const char *source);
void repl__cell_free (ReplCell *cell);

/* \save, \open and \export; each prints what it did or why it could not. */
void repl__save (ReplShell *shell, const char *path);
void repl__open (ReplShell *shell, const char *path);
void repl__export (ReplShell *shell, const char *path);

/* Writes the plan to path: .dot as DOT text, .png/.svg through Graphviz's dot. FALSE
 * when that cannot be done (no dot installed, say). */
gboolean repl__plan_render (const PlanPhysPlan *plan, const char *path, GError **error);

/* Runs a backslash command line. */
ReplMetaResult repl__meta_run (ReplShell *shell, const char *line);

G_END_DECLS
