/* repl.h: the `strom` front end. Two parts:
 *
 *   ReplPrinter  turns result rows (GwRow) into text in one of four formats. It writes to
 *                a GString so it can be tested without a terminal or an engine; the shell
 *                copies the text to stdout after every fetched page.
 *   ReplShell    runs SQL through a GwClient: scripts (-c, -f, piped stdin) and the
 *                interactive readline loop, with Ctrl-C cancelling the running statement. */
#pragma once

#include "runtime/gateway/gw-client.h"

G_BEGIN_DECLS

typedef enum {
  REPL_FORMAT_TABLE,     /* boxed table, printed when the result is complete */
  REPL_FORMAT_CSV,       /* RFC 4180, header row first, streamed */
  REPL_FORMAT_JSON,      /* JSON Lines: one object per row, streamed */
  REPL_FORMAT_CHANGELOG, /* boxed rows with an "op" column (+I/-U/+U/-D), streamed */
} ReplFormat;

/* "table", "csv", "json", "changelog"; FALSE for anything else. */
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

/* The progress line body: "rows read 12345, 8230 rows/s, elapsed 1.5 s". */
void repl_format_progress (GString *out, guint64 rows_read, gint64 elapsed_us);

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

G_END_DECLS
