/* repl-live.c: the live table: an updating result redrawn in place (Flink's table mode).
 *
 * The rows go into a ReplPrinter in the live format, which keeps the result as it stands
 * (a changelog applied: +I/+U add a row, -U/-D take one equal row away). The loop fetches
 * with a timeout that ends at the next frame, so rows are taken in as fast as they come
 * while the screen is redrawn at most every FRAME_US (~10 times a second), and Ctrl-C is
 * seen within that time too. A frame is the box with the last rows that fit the
 * terminal, every line cut to its width (a wrapped line would break the redraw), and a
 * status line: the row count, the job's rows/s and its watermark.
 *
 * Redrawing moves the cursor back to the frame's first line and overwrites each line,
 * clearing what is left of it (\033[K) and below the frame (\033[J), rather than
 * clearing first, so the screen does not flicker. Nothing is drawn before FIRST_FRAME_US:
 * a query that is done by then prints its table exactly as the table format does. At the
 * end the frame is replaced by the whole table (paged when tall); after Ctrl-C the last
 * frame stays on the screen, as the rows the user was looking at.
 *
 * While frames are drawn the terminal does not echo what is typed (a typed Enter would
 * move the frame and break the redraw); the keys wait for the next prompt, and Ctrl-C
 * still interrupts (ISIG stays on).
 *
 * The rows/s and the watermark come from the job's metrics JSON: rows/s is the sum of
 * the sources' rows_per_s; the watermark is the operators' "current_watermark" (epoch
 * ms, absent until the first one; "watermark"/"watermark_ms" are read too, and a job-level
 * one wins), the least over the operators that have one, shown as a UTC timestamp, and
 * "-" until there is one. */
#include "repl-private.h"

#include <json-glib/json-glib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define FETCH_ROWS 4096
#define FRAME_US (100 * 1000)
#define FIRST_FRAME_US (200 * 1000)
#define FRAME_EXTRA_LINES 5 /* top border, header, border, bottom border, status */

typedef struct {
  ReplPrinter *printer;  /* borrowed */
  GwOperation *op;       /* borrowed */
  gint64 start_us;
  guint lines;           /* lines of the frame on the screen; 0: none drawn */
  GString *frame;        /* owned: the last frame's text, without escapes */
} ReplLive;

/* An integer or double member as a number; FALSE when absent or not a number. */
static gboolean
member_number (JsonObject *o, const char *name, double *out)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  switch (json_node_get_value_type (node) == G_TYPE_INT64 ? 0
          : json_node_get_value_type (node) == G_TYPE_DOUBLE ? 1 : 2)
    {
    case 0:
      *out = (double) json_node_get_int (node);
      return TRUE;
    case 1:
      *out = json_node_get_double (node);
      return TRUE;
    default:
      return FALSE;
    }
}

/* The watermark of o as text (owned), or NULL: a number is epoch milliseconds (none when
 * negative: engines report "no watermark yet" as a very small value; the largest value
 * is the final watermark at the end of input), a string as is. */
char *
repl__watermark_text (JsonObject *o)
{
  static const char *const names[] = { "watermark", "watermark_ms", "current_watermark" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      JsonNode *node = json_object_get_member (o, names[i]);
      double ms;

      if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
          && json_node_get_value_type (node) == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
      if (member_number (o, names[i], &ms))
        {
          g_autoptr (GDateTime) t = NULL;
          g_autofree char *second = NULL;
          gint64 whole = (gint64) ms;

          if (ms < 0)
            return NULL;
          if (ms >= (double) G_MAXINT64 / 2)
            return g_strdup ("end of input");
          t = g_date_time_new_from_unix_utc (whole / 1000);
          second = t != NULL ? g_date_time_format (t, "%Y-%m-%d %H:%M:%S") : NULL;
          return second != NULL ? g_strdup_printf ("%s.%03d", second, (int) (whole % 1000))
                                : NULL;
        }
    }
  return NULL;
}

/* Reads the job's rows/s (sum over the sources) and watermark from its metrics. */
static void
read_metrics (GwOperation *op, double *rows_per_s, char **watermark)
{
  g_autofree char *text = gw_operation_dup_metrics_json (op);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *m;
  JsonArray *ops;
  double least = G_MAXDOUBLE;

  *rows_per_s = -1;
  *watermark = NULL;
  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  m = json_node_get_object (json_parser_get_root (parser));
  *watermark = repl__watermark_text (m);
  ops = json_object_has_member (m, "operators")
        ? json_object_get_array_member (m, "operators") : NULL;
  for (guint i = 0; ops != NULL && i < json_array_get_length (ops); i++)
    {
      JsonObject *o = json_array_get_object_element (ops, i);
      const char *name = json_object_get_string_member_with_default (o, "name", "");
      double rate, wm;

      if (g_str_has_prefix (name, "Source") && member_number (o, "rows_per_s", &rate))
        *rows_per_s = MAX (*rows_per_s, 0) + rate;
      if (*watermark == NULL
          && (member_number (o, "current_watermark", &wm) || member_number (o, "watermark", &wm)
              || member_number (o, "watermark_ms", &wm))
          && wm >= 0)
        least = MIN (least, wm);
    }
  if (*watermark == NULL && least < G_MAXDOUBLE)
    {
      g_autoptr (JsonObject) w = json_object_new ();

      json_object_set_double_member (w, "watermark", least);
      *watermark = repl__watermark_text (w);
    }
}

/* Moves the cursor back to the first line of the frame on the screen. */
static void
back_to_frame (ReplLive *live, GString *out)
{
  if (live->lines > 0)
    g_string_append_printf (out, "\r\033[%uA", live->lines);
}

static void
draw_frame (ReplLive *live, gboolean running)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GString) status = g_string_new (NULL);
  g_autofree char *watermark = NULL;
  guint rows = 24, cols = 80, shown, max_rows;
  double rows_per_s;

  repl__term_size (&rows, &cols);
  max_rows = rows > FRAME_EXTRA_LINES + 2 ? rows - FRAME_EXTRA_LINES - 2 : 1;
  g_string_truncate (live->frame, 0);
  shown = repl_printer_render_frame (live->printer, live->frame, max_rows, cols - 1);
  read_metrics (live->op, &rows_per_s, &watermark);
  repl_format_live_status (status, repl_printer_get_n_live (live->printer), shown,
                           rows_per_s, watermark,
                           g_get_monotonic_time () - live->start_us);
  g_string_append (status, running ? "; Ctrl-C stops" : "; cancelled");
  if (status->len >= cols)
    g_string_truncate (status, cols - 1);
  g_string_append_printf (live->frame, "%s\n", status->str);
  back_to_frame (live, out);
  live->lines = 0;
  for (const char *line = live->frame->str; *line != '\0'; live->lines++)
    {
      const char *nl = strchr (line, '\n');

      g_string_append_len (out, line, nl - line);
      g_string_append (out, "\033[K\n");
      line = nl + 1;
    }
  g_string_append (out, "\033[J");
  fputs (out->str, stdout);
  fflush (stdout);
}

static void
erase_frame (ReplLive *live)
{
  g_autoptr (GString) out = g_string_new (NULL);

  if (live->lines == 0)
    return;
  back_to_frame (live, out);
  g_string_append (out, "\033[J");
  fputs (out->str, stdout);
  fflush (stdout);
  live->lines = 0;
}

/* Fetches until the end, an error or Ctrl-C, redrawing on the way. */
static gboolean
live_loop (ReplLive *live, gboolean *cancelled, GError **error)
{
  g_autoptr (GString) unused = g_string_new (NULL);
  gint64 next_frame = live->start_us + FIRST_FRAME_US;

  for (;;)
    {
      g_autoptr (GwPage) page = NULL;
      gint64 now = g_get_monotonic_time ();

      if (repl__interrupted)
        {
          gw_operation_cancel (live->op);
          *cancelled = TRUE;
          return FALSE;
        }
      page = gw_operation_fetch (live->op, FETCH_ROWS, CLAMP (next_frame - now, 0, FRAME_US),
                                 error);
      if (page == NULL)
        return FALSE;
      for (guint i = 0; i < page->rows->len; i++)
        repl_printer_add_row (live->printer, g_ptr_array_index (page->rows, i), unused);
      if (page->end)
        return TRUE;
      now = g_get_monotonic_time ();
      if (now >= next_frame)
        {
          draw_frame (live, TRUE);
          next_frame = now + FRAME_US;
        }
    }
}

gboolean
repl__show_live (ReplShell *shell, GwOperation *op, gboolean *cancelled, GError **error)
{
  g_autoptr (ReplPrinter) printer = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  ReplLive live = { 0 };
  struct termios saved;
  gboolean echo_off;
  gboolean ok;

  printer = repl_printer_new (REPL_FORMAT_LIVE, gw_operation_get_schema (op),
                              gw_operation_is_changelog (op));
  live.printer = printer;
  live.op = op;
  live.start_us = g_get_monotonic_time ();
  live.frame = g_string_new (NULL);
  echo_off = isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved) == 0;
  if (echo_off)
    {
      struct termios quiet = saved;

      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSANOW, &quiet);
    }
  ok = live_loop (&live, cancelled, error);
  if (echo_off)
    tcsetattr (STDIN_FILENO, TCSANOW, &saved);
  if (*cancelled)
    {
      /* the last frame stays: what the user was looking at when they stopped it */
      draw_frame (&live, FALSE);
      repl__keep (shell, REPL_OUTPUT_TABLE, live.frame->str);
    }
  else
    {
      erase_frame (&live);
      if (ok)
        {
          repl_printer_finish (printer, out);
          repl__emit_result (shell, out->str);
        }
    }
  g_string_free (live.frame, TRUE);
  return ok;
}
