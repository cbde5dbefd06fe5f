/* repl.h: the `strom` front end. Two parts:
 *
 *   ReplPrinter  turns result rows (GwRow) into text in one of four formats. It writes to
 *                a GString so it can be tested without a terminal or an engine; the shell
 *                copies the text to stdout after every fetched page.
 *   ReplShell    runs SQL through a GwClient: scripts (-c, -f, piped stdin) and the
 *                interactive readline loop, with Ctrl-C cancelling the running statement;
 *                numbered cells, meta-commands (\? ...), completion and notebooks.
 *
 * The pure parts (meta-command parsing and suggestion, completion candidates, the plain-
 * language plan lines, the notebook file) are declared here too so they can be tested
 * without a terminal. */
#pragma once

#include "runtime/gateway/gw-client.h"

G_BEGIN_DECLS

typedef enum {
  REPL_FORMAT_TABLE,     /* boxed table, printed when the result is complete */
  REPL_FORMAT_CSV,       /* RFC 4180, header row first, streamed */
  REPL_FORMAT_JSON,      /* JSON Lines: one object per row, streamed */
  REPL_FORMAT_CHANGELOG, /* boxed rows with an "op" column (+I/-U/+U/-D), streamed */
  REPL_FORMAT_LIVE,      /* the table redrawn in place while the rows change (a terminal) */
} ReplFormat;

/* "table", "csv", "json", "changelog", "live"; FALSE for anything else. */
gboolean repl_format_from_string (const char *name, ReplFormat *out);
const char *repl_format_name (ReplFormat format);

/* ---- result printing --------------------------------------------------------------- */

typedef struct _ReplPrinter ReplPrinter;

/* Default cap on the rows a table keeps in memory before it stops buffering. */
#define REPL_TABLE_MAX_ROWS 200000

/* schema is referenced. changelog: the rows carry -U/+U/-D (gw_operation_is_changelog):
 * csv and json then add an "op" column, and a table shows the materialized result (a -U
 * or -D removes the row it retracts). */
ReplPrinter *repl_printer_new (ReplFormat format, PlanSchema *schema, gboolean changelog);
void repl_printer_free (ReplPrinter *printer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReplPrinter, repl_printer_free)
void repl_printer_set_max_rows (ReplPrinter *printer, guint max_rows);
/* Appends the text for one row to out (the header too, before the first row). A table
 * only buffers the row here. */
void repl_printer_add_row (ReplPrinter *printer, const GwRow *row, GString *out);
/* Appends whatever is still due: the header of an empty result, the buffered table and
 * its "N rows in set" line, the changelog's closing border. Call once, at the end. */
void repl_printer_finish (ReplPrinter *printer, GString *out);
/* Rows received so far (every kind). */
guint64 repl_printer_get_n_rows (ReplPrinter *printer);
/* Table and live: the rows of the result as it stands (retracted rows gone). */
guint repl_printer_get_n_live (ReplPrinter *printer);

/* Live: appends one frame of the result as it stands: the box with the header and the
 * last max_rows rows, every line cut to max_cols terminal columns (0: no cut). Column
 * widths only grow from frame to frame, so the box does not jitter. Returns the rows
 * shown. */
guint repl_printer_render_frame (ReplPrinter *printer, GString *out, guint max_rows,
                                 guint max_cols);
/* The live status line body: "42 rows (the last 30 shown), 1234 rows/s, watermark -,
 * 3.2 s". rows_per_s < 0: not known; watermark NULL: "-". */
void repl_format_live_status (GString *out, guint64 n_rows, guint shown, double rows_per_s,
                              const char *watermark, gint64 elapsed_us);

/* The progress line body: "rows read 12345, 8230 rows/s, elapsed 1.5 s". */
void repl_format_progress (GString *out, guint64 rows_read, gint64 elapsed_us);

/* ---- cells ------------------------------------------------------------------------- */

typedef enum {
  REPL_RUN_RUNNING,
  REPL_RUN_OK,
  REPL_RUN_FAILED,
  REPL_RUN_CANCELLED,
} ReplRunStatus;
/* "running", "ok", "failed", "cancelled" */
const char *repl_run_status_name (ReplRunStatus status);

typedef enum {
  REPL_OUTPUT_TEXT,   /* messages (Table 'x' created.), timings */
  REPL_OUTPUT_TABLE,  /* result rows in the format that was set */
  REPL_OUTPUT_PLAN,   /* \explain, \plan */
  REPL_OUTPUT_ERROR,
} ReplOutputKind;
/* "text", "table", "plan", "error" */
const char *repl_output_kind_name (ReplOutputKind kind);

/* What one output of a cell's run keeps at most; the rest is counted, not kept. */
#define REPL_OUTPUT_MAX (64 * 1024)

/* ---- the shell ----------------------------------------------------------------------- */

typedef struct _ReplShell ReplShell;

/* client is borrowed and must outlive the shell. */
ReplShell *repl_shell_new (GwClient *client, ReplFormat format);
void repl_shell_free (ReplShell *shell);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReplShell, repl_shell_free)
void repl_shell_set_timing (ReplShell *shell, gboolean timing);

/* Runs the statements of script in order and stops at the first error, which goes to
 * stderr: as "NAME:LINE:COL: message" plus the caret lines when name is given (a file),
 * in psql's "ERROR: ..." form otherwise. Ctrl-C cancels the running statement and stops
 * the script. TRUE when every statement ran. */
gboolean repl_shell_run_script (ReplShell *shell, const char *script, const char *name);
/* Reads path (UTF-8 text) and runs it as a script named path. */
gboolean repl_shell_run_file (ReplShell *shell, const char *path);
/* The readline loop until \q, exit, quit or EOF. Returns the process exit status. */
int repl_shell_run_interactive (ReplShell *shell);

/* Opens (or, with create, starts) the notebook at path and makes its cells the session's
 * cells; with restore, re-runs the statements of its cells that change the session
 * (CREATE, DROP, SET, RESET), so its tables and settings are back. From then on every
 * cell that runs is saved there with its run and output. */
gboolean repl_shell_open_notebook (ReplShell *shell, const char *path, gboolean create,
                                   gboolean restore, GError **error);
/* Runs every cell of the open notebook in order, saving the runs, and stops at the first
 * that fails, naming it on stderr (strom run). TRUE when all ran. */
gboolean repl_shell_run_notebook (ReplShell *shell);

/* ---- meta-commands --------------------------------------------------------------------- */

typedef struct {
  const char *name;     /* "\\jobs" */
  const char *args;     /* usage of the arguments, "" when none */
  const char *summary;  /* one line for \? */
} ReplMetaInfo;

/* The commands that work, in \? order; *n_out gets their number. */
const ReplMetaInfo *repl_meta_commands (guint *n_out);
/* The command named name ("\\q" is an alias of "\\quit"); NULL when unknown. */
const ReplMetaInfo *repl_meta_lookup (const char *name);
/* Splits a line "\\name  argument text " into the name (up to the first blank) and the
 * argument with its outer blanks removed ("" when none). FALSE when line does not start
 * with a backslash. Both outputs are newly allocated. */
gboolean repl_meta_parse (const char *line, char **name_out, char **arg_out);
/* Levenshtein distance between two strings, counted in bytes, case-insensitive. */
guint repl_edit_distance (const char *a, const char *b);
/* The known name closest to name, or NULL when none is close (a distance of more than
 * a third of the longer name, at least 2). */
const char *repl_suggest (const char *name, const char *const *known);
/* The meta-command closest to an unknown name ("\\jbos" -> "\\jobs"), or NULL. */
const char *repl_meta_suggest (const char *name);

/* ---- completion ------------------------------------------------------------------------ */

/* Where words end for completion (readline is given the same set). */
#define REPL_COMPLETE_BREAKS " \t\n\"'`@$><=;|&{(,)+*%"

typedef struct {
  char **candidates;  /* owned, NULL-terminated, sorted, no repeats */
  gsize start;        /* byte offset in text of the word they replace */
  char append;        /* what follows a sole candidate: ' ', '\'' or nothing ('\0') */
} ReplCompletion;

/* The candidates for the word that ends at byte point of text, where text is the whole
 * statement typed so far (earlier lines too). client gives the catalog and settings. */
ReplCompletion *repl_complete (GwClient *client, const char *text, gsize point);
void repl_completion_free (ReplCompletion *completion);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReplCompletion, repl_completion_free)

/* ---- notebooks --------------------------------------------------------------------------- */

/* A notebook is an SQLite file (.strom): cells, their runs and the runs' outputs. The
 * GUI opens the same file, so it is in WAL mode and every write is its own short
 * transaction; PRAGMA application_id marks the file as strom's and PRAGMA user_version
 * holds the schema version. */
typedef struct _ReplNotebook ReplNotebook;

#define REPL_NOTEBOOK_VERSION 1
#define REPL_NOTEBOOK_APPLICATION_ID 0x5354524d /* "STRM" */

#define REPL_NOTEBOOK_ERROR (repl_notebook_error_quark ())
GQuark repl_notebook_error_quark (void);
typedef enum {
  REPL_NOTEBOOK_ERROR_NOT_FOUND, /* no such file (and create was not asked for) */
  REPL_NOTEBOOK_ERROR_FOREIGN,   /* some other file or SQLite database: left alone */
  REPL_NOTEBOOK_ERROR_CORRUPT,   /* damaged: left alone */
  REPL_NOTEBOOK_ERROR_VERSION,   /* written by a newer strom */
  REPL_NOTEBOOK_ERROR_FAILED,    /* SQLite refused a read or write */
} ReplNotebookError;

/* A cell as stored, with its last run. */
typedef struct {
  gint64 id;
  guint position;          /* 1-based */
  char *source;            /* owned */
  char *created_at;        /* owned: ISO 8601, UTC */
  char *updated_at;        /* owned */
  char *status;            /* owned, nullable: the last run's status; NULL: never ran */
  char *error;             /* owned, nullable: the last run's error */
  char *output;            /* owned, nullable: the last run's outputs, one after another */
} ReplNotebookCell;
void repl_notebook_cell_free (ReplNotebookCell *cell);

/* Opens the notebook at path; creates it when it does not exist (or is an empty file)
 * and create is TRUE. A file that is not a strom notebook, or is damaged, is refused
 * with an error that says so and is not written to. */
ReplNotebook *repl_notebook_open (const char *path, gboolean create, GError **error);
void repl_notebook_free (ReplNotebook *notebook);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReplNotebook, repl_notebook_free)
const char *repl_notebook_get_path (ReplNotebook *notebook);

/* The cells in position order (ReplNotebookCell*, the array frees them); NULL on error. */
GPtrArray *repl_notebook_dup_cells (ReplNotebook *notebook, GError **error);
/* Appends a cell after the last one; returns its id, 0 on error. */
gint64 repl_notebook_add_cell (ReplNotebook *notebook, const char *source, GError **error);
/* Starts a run of the cell (status running); returns its id, 0 on error. */
gint64 repl_notebook_begin_run (ReplNotebook *notebook, gint64 cell_id, GError **error);
/* Adds one output to a run; content longer than REPL_OUTPUT_MAX is cut (at a character
 * boundary) and the cut bytes, plus cut already made by the caller, are counted. */
gboolean repl_notebook_add_output (ReplNotebook *notebook, gint64 run_id, ReplOutputKind kind,
                                   const char *content, gsize cut, GError **error);
/* Ends a run: its status, the time and the error text (nullable). */
gboolean repl_notebook_end_run (ReplNotebook *notebook, gint64 run_id, ReplRunStatus status,
                                const char *error_text, GError **error);
/* Replaces a cell's source (\edit); its runs stay. */
gboolean repl_notebook_update_cell (ReplNotebook *notebook, gint64 cell_id,
                                    const char *source, GError **error);
/* Writes a copy of the notebook to path, which must not exist yet. */
gboolean repl_notebook_save_copy (ReplNotebook *notebook, const char *path, GError **error);

/* The cells as an SQL script (markdown FALSE) or a Markdown page with each cell's last
 * output (TRUE); title names the notebook. Newly allocated. */
char *repl_notebook_format_export (GPtrArray *cells, const char *title, gboolean markdown);
/* Writes the export to path: Markdown for .md, SQL otherwise. */
gboolean repl_notebook_export (GPtrArray *cells, const char *title, const char *path,
                               GError **error);

/* TRUE when the statement text changes the session when re-run (CREATE, DROP, SET,
 * RESET): the statements a reopened notebook runs again. */
gboolean repl_statement_is_ddl (const char *statement);

/* ---- plans, in words and pictures ------------------------------------------------------ */

/* One line per physical operator in plan order: what it partitions by, what state it
 * holds and when it emits, e.g. "[1] Calc (2 subtasks, chained to its input): ...". */
char *repl_plan_describe (const PlanPhysPlan *plan);
/* The plan as a compact indented tree for the terminal, root first. */
char *repl_plan_tree (const PlanPhysPlan *plan);

G_END_DECLS
