/* repl-print.c: result formatting for the REPL (table, changelog, csv, json).
 *
 * A ReplPrinter is fed the rows of one result as the shell fetches them and appends
 * text to a caller's GString, so the same code serves the terminal and the tests. The
 * streamed formats (csv, json, changelog) write each row at once; changelog therefore
 * takes its column widths from the column types, as Flink's tableau does for streams,
 * and shortens a longer value with "...". The table format needs the widths of every
 * cell, so it keeps the rows (rendered to their display text, one block per row) up to a
 * cap and draws the box at the end. On a changelog result the table keeps the
 * materialized rows: a -U or -D removes an equal earlier row, found through a hash
 * index, which is what a user expects to see of "the result" of an updating query; a +U
 * right after a -U takes the retracted row's place, so an updated row stays where it was.
 * Retracted rows leave holes that are squeezed out once they outnumber the live rows.
 *
 * The live format keeps rows the same way and renders frames of the result as it stands
 * (repl_printer_render_frame, drawn by repl-live.c); at the end it prints what table
 * prints. An append-only live result that reaches the cap drops its oldest rows rather
 * than the newest, since a live view of a stream should keep moving.
 *
 * Display text is made safe for a terminal box: invalid UTF-8 becomes U+FFFD and control
 * characters are escaped (\n, \t, \xNN), and widths count terminal columns (wide CJK
 * characters count two, combining marks none). csv and json write the values
 * themselves, escaped only as their formats require. */
#include "repl.h"

#include <math.h>
#include <string.h>

#define NULL_TEXT "<NULL>"
#define NULL_WIDTH 6
#define VARCHAR_STREAM_WIDTH 30 /* changelog width of VARCHAR columns, as in Flink */

/* A buffered table row: for each column a flag byte ('N' for NULL, 'V' otherwise), the
 * display text and a NUL. The bytes double as the key of the changelog index. */
typedef struct {
  guint hash;
  gsize len;
  char data[];
} ReplRow;

struct _ReplPrinter {
  ReplFormat format;
  PlanSchema *schema;   /* owned ref */
  gboolean changelog;
  gboolean started;     /* header written */
  guint64 n_rows;       /* rows received, every kind */
  guint *widths;        /* owned: changelog column widths, n_fields */
  /* table */
  guint max_rows;
  GPtrArray *rows;      /* owned: ReplRow*, NULL where a row was retracted */
  guint n_live;         /* non-NULL entries of rows */
  guint64 n_dropped;    /* rows past max_rows, not kept */
  GHashTable *index;    /* owned, changelog tables only: ReplRow* (borrowed) -> GArray of
                         * guint positions in rows (owned) */
  guint hole;           /* where the last -U removed a row; G_MAXUINT: none */
  guint *frame_widths;  /* owned, live: the widths of the last frame, n_fields */
  GString *scratch;     /* owned: encoding buffer */
};

#define NO_HOLE G_MAXUINT

gboolean
repl_format_from_string (const char *name, ReplFormat *out)
{
  static const ReplFormat all[] = {
    REPL_FORMAT_TABLE, REPL_FORMAT_CSV, REPL_FORMAT_JSON, REPL_FORMAT_CHANGELOG,
    REPL_FORMAT_LIVE,
  };

  g_return_val_if_fail (out != NULL, FALSE);
  if (name == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    if (g_ascii_strcasecmp (name, repl_format_name (all[i])) == 0)
      {
        *out = all[i];
        return TRUE;
      }
  return FALSE;
}

const char *
repl_format_name (ReplFormat format)
{
  switch (format)
    {
    case REPL_FORMAT_TABLE:
      return "table";
    case REPL_FORMAT_CSV:
      return "csv";
    case REPL_FORMAT_JSON:
      return "json";
    case REPL_FORMAT_CHANGELOG:
      return "changelog";
    case REPL_FORMAT_LIVE:
      return "live";
    }
  return "?";
}

/* ---- value text ------------------------------------------------------------------- */

static gboolean
kind_is_right_aligned (PlanTypeKind kind)
{
  switch (kind)
    {
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DOUBLE:
    case PLAN_TYPE_DECIMAL:
      return TRUE;
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_BOOLEAN:
    case PLAN_TYPE_VARCHAR:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      return FALSE;
    }
  return FALSE;
}

/* The shortest of %.15g..%.17g that reads back as the same double, shown as a floating
 * value (100.0, not 100) the way Flink shows DOUBLE. NaN and infinities as in Java. */
static void
append_double (GString *out, double d)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (d))
    {
      g_string_append (out, "NaN");
      return;
    }
  if (isinf (d))
    {
      g_string_append (out, d > 0 ? "Infinity" : "-Infinity");
      return;
    }
  g_ascii_formatd (buf, sizeof buf, "%.15g", d);
  if (g_ascii_strtod (buf, NULL) != d)
    g_ascii_formatd (buf, sizeof buf, "%.16g", d);
  if (g_ascii_strtod (buf, NULL) != d)
    g_ascii_formatd (buf, sizeof buf, "%.17g", d);
  g_string_append (out, buf);
  if (strpbrk (buf, ".e") == NULL)
    g_string_append (out, ".0");
}

/* Appends the plain text of a non-NULL value: what csv writes and the table shows (before
 * escaping). lower_bool: true/false (csv) rather than TRUE/FALSE (SQL, the table). */
static void
append_value_text (GString *out, const PlanValue *value, gboolean lower_bool)
{
  char *text;

  switch (value->type.kind)
    {
    case PLAN_TYPE_BOOLEAN:
      if (lower_bool)
        g_string_append (out, value->v.b ? "true" : "false");
      else
        g_string_append (out, value->v.b ? "TRUE" : "FALSE");
      return;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, value->v.i);
      return;
    case PLAN_TYPE_DOUBLE:
      append_double (out, value->v.d);
      return;
    case PLAN_TYPE_VARCHAR:
      g_string_append (out, value->v.s != NULL ? value->v.s : "");
      return;
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      break;
    }
  text = plan_value_to_string (value, FALSE);
  g_string_append (out, text);
  g_free (text);
}

/* Appends text for a terminal cell: invalid UTF-8 replaced, control characters escaped. */
static void
append_display (GString *out, const char *text, gssize len)
{
  g_autofree char *valid = NULL;
  const char *end;

  if (len < 0)
    len = strlen (text);
  if (!g_utf8_validate (text, len, NULL))
    {
      valid = g_utf8_make_valid (text, len);
      text = valid;
      len = strlen (valid);
    }
  end = text + len;
  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (g_unichar_iscntrl (c))
        g_string_append_printf (out, "\\x%02X", (guint) c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
}

/* Terminal columns taken by one character of display text. */
static guint
char_width (gunichar c)
{
  if (g_unichar_iszerowidth (c))
    return 0;
  return g_unichar_iswide (c) ? 2 : 1;
}

/* Terminal columns taken by valid UTF-8 text. */
static guint
display_width (const char *text)
{
  guint width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    width += char_width (g_utf8_get_char (p));
  return width;
}

/* ---- boxes -------------------------------------------------------------------------- */

static void
append_spaces (GString *out, guint n)
{
  for (guint i = 0; i < n; i++)
    g_string_append_c (out, ' ');
}

static void
append_border (GString *out, const guint *widths, guint n)
{
  g_string_append_c (out, '+');
  for (guint i = 0; i < n; i++)
    {
      for (guint j = 0; j < widths[i] + 2; j++)
        g_string_append_c (out, '-');
      g_string_append_c (out, '+');
    }
  g_string_append_c (out, '\n');
}

/* Appends " text |" with text padded to width; text must not be wider. */
static void
append_cell (GString *out, const char *text, guint width, gboolean right)
{
  guint pad = width - MIN (width, display_width (text));

  g_string_append_c (out, ' ');
  if (right)
    append_spaces (out, pad);
  g_string_append (out, text);
  if (!right)
    append_spaces (out, pad);
  g_string_append (out, " |");
}

/* Like append_cell, but text wider than width is cut to width - 3 columns plus "...". */
static void
append_cell_fitted (GString *out, const char *text, guint width, gboolean right)
{
  g_autoptr (GString) cut = NULL;
  guint used = 0;

  if (display_width (text) <= width)
    {
      append_cell (out, text, width, right);
      return;
    }
  cut = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      guint w = char_width (g_utf8_get_char (p));

      if (used + w + 3 > width)
        break;
      g_string_append_len (cut, p, g_utf8_next_char (p) - p);
      used += w;
    }
  g_string_append (cut, "...");
  append_cell (out, cut->str, width, right);
}

static void
append_header_names (GString *out, const PlanSchema *schema, const guint *widths,
                     guint offset)
{
  for (guint i = 0; i < schema->n_fields; i++)
    {
      g_autoptr (GString) name = g_string_new (NULL);

      append_display (name, schema->fields[i].name != NULL ? schema->fields[i].name : "", -1);
      append_cell (out, name->str, widths[offset + i],
                   kind_is_right_aligned (schema->fields[i].type.kind));
    }
}

static guint
header_width (const PlanField *field)
{
  g_autoptr (GString) name = g_string_new (NULL);

  append_display (name, field->name != NULL ? field->name : "", -1);
  return display_width (name->str);
}

/* ---- table ---------------------------------------------------------------------------- */

static guint
row_hash (const void *key)
{
  return ((const ReplRow *) key)->hash;
}

static gboolean
row_equal (const void *a, const void *b)
{
  const ReplRow *ra = a, *rb = b;

  return ra->len == rb->len && memcmp (ra->data, rb->data, ra->len) == 0;
}

/* Encodes a row's display text (see ReplRow), hashed with FNV-1a. */
static ReplRow *
row_encode (ReplPrinter *printer, const GwRow *row)
{
  GString *buf = printer->scratch;
  g_autoptr (GString) text = g_string_new (NULL);
  ReplRow *encoded;
  guint hash = 2166136261u;

  g_string_truncate (buf, 0);
  for (guint i = 0; i < printer->schema->n_fields; i++)
    {
      const PlanValue *value = &row->values[i];

      if (value->is_null)
        {
          g_string_append_len (buf, "N", 2); /* the flag and the NUL */
          continue;
        }
      g_string_truncate (text, 0);
      append_value_text (text, value, FALSE);
      g_string_append_c (buf, 'V');
      append_display (buf, text->str, text->len);
      g_string_append_c (buf, '\0');
    }
  encoded = g_malloc (sizeof *encoded + buf->len);
  encoded->len = buf->len;
  memcpy (encoded->data, buf->str, buf->len);
  for (gsize i = 0; i < buf->len; i++)
    hash = (hash ^ (guint8) buf->str[i]) * 16777619u;
  encoded->hash = hash;
  return encoded;
}

/* Squeezes the holes out of rows and, with drop > 0, the oldest drop live rows too (an
 * append-only live result only: it has no index). Positions in the index move along. */
static void
table_compact (ReplPrinter *printer, guint drop)
{
  g_autofree guint *moved = g_new (guint, MAX (printer->rows->len, 1u));
  GHashTableIter iter;
  GArray *positions;
  guint kept = 0;

  for (guint i = 0; i < printer->rows->len; i++)
    {
      ReplRow *row = g_ptr_array_index (printer->rows, i);

      moved[i] = kept;
      if (row != NULL && drop > 0)
        {
          g_free (row);
          drop--;
          printer->n_live--;
          printer->n_dropped++;
          continue;
        }
      if (row != NULL)
        g_ptr_array_index (printer->rows, kept++) = row;
    }
  for (guint i = kept; i < printer->rows->len; i++) /* moved or freed: not to be freed */
    g_ptr_array_index (printer->rows, i) = NULL;
  g_ptr_array_set_size (printer->rows, kept);
  printer->hole = NO_HOLE;
  if (printer->index == NULL)
    return;
  g_hash_table_iter_init (&iter, printer->index);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &positions))
    for (guint i = 0; i < positions->len; i++)
      g_array_index (positions, guint, i) = moved[g_array_index (positions, guint, i)];
}

static void
table_keep (ReplPrinter *printer, ReplRow *encoded, gboolean update_after)
{
  GArray *positions;
  guint pos = printer->rows->len;

  if (printer->n_live >= printer->max_rows && printer->format == REPL_FORMAT_LIVE
      && printer->index == NULL && printer->max_rows > 0)
    table_compact (printer, MAX (printer->max_rows / 10, 1u));
  if (printer->n_live >= printer->max_rows)
    {
      printer->n_dropped++;
      g_free (encoded);
      return;
    }
  if (update_after && printer->hole != NO_HOLE)
    {
      pos = printer->hole;
      g_ptr_array_index (printer->rows, pos) = encoded;
    }
  else
    g_ptr_array_add (printer->rows, encoded);
  printer->hole = NO_HOLE;
  printer->n_live++;
  if (printer->index == NULL)
    return;
  positions = g_hash_table_lookup (printer->index, encoded);
  if (positions == NULL)
    {
      positions = g_array_new (FALSE, FALSE, sizeof (guint));
      g_hash_table_insert (printer->index, encoded, positions);
    }
  g_array_append_val (positions, pos);
}

/* Removes the latest kept row equal to encoded; a row that was never kept (past the cap)
 * is ignored. The index key is the oldest equal row, which goes last. */
static void
table_retract (ReplPrinter *printer, ReplRow *encoded)
{
  GArray *positions = g_hash_table_lookup (printer->index, encoded);
  guint pos;

  g_free (encoded);
  if (positions == NULL)
    return;
  pos = g_array_index (positions, guint, positions->len - 1);
  g_array_set_size (positions, positions->len - 1);
  if (positions->len == 0)
    g_hash_table_remove (printer->index, g_ptr_array_index (printer->rows, pos));
  g_clear_pointer (&g_ptr_array_index (printer->rows, pos), g_free);
  printer->n_live--;
  printer->hole = pos;
}

static void
table_add (ReplPrinter *printer, const GwRow *row)
{
  ReplRow *encoded = row_encode (printer, row);

  if (printer->index != NULL
      && (row->kind == RT_ROW_UPDATE_BEFORE || row->kind == RT_ROW_DELETE))
    {
      printer->hole = NO_HOLE;
      table_retract (printer, encoded);
      if (row->kind == RT_ROW_DELETE)
        printer->hole = NO_HOLE;
    }
  else
    table_keep (printer, encoded, row->kind == RT_ROW_UPDATE_AFTER);
  if (printer->rows->len - printer->n_live > MAX (printer->n_live, 1024u))
    table_compact (printer, 0);
}

/* Column widths of the kept rows and the header. */
static guint *
table_widths (ReplPrinter *printer)
{
  guint n = printer->schema->n_fields;
  guint *widths = g_new0 (guint, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    widths[i] = header_width (&printer->schema->fields[i]);
  for (guint r = 0; r < printer->rows->len; r++)
    {
      const ReplRow *row = g_ptr_array_index (printer->rows, r);
      const char *p;

      if (row == NULL)
        continue;
      p = row->data;
      for (guint i = 0; i < n; i++)
        {
          guint w = *p == 'N' ? NULL_WIDTH : display_width (p + 1);

          widths[i] = MAX (widths[i], w);
          p += strlen (p) + 1;
        }
    }
  return widths;
}

static void
table_append_row (GString *out, const PlanSchema *schema, const ReplRow *row,
                  const guint *widths)
{
  const char *p = row->data;

  g_string_append_c (out, '|');
  for (guint i = 0; i < schema->n_fields; i++)
    {
      append_cell (out, *p == 'N' ? NULL_TEXT : p + 1, widths[i],
                   kind_is_right_aligned (schema->fields[i].type.kind));
      p += strlen (p) + 1;
    }
  g_string_append_c (out, '\n');
}

static void
table_finish (ReplPrinter *printer, GString *out)
{
  const PlanSchema *schema = printer->schema;
  g_autofree guint *widths = table_widths (printer);
  guint64 total = printer->n_live + printer->n_dropped;

  if (schema->n_fields > 0)
    {
      append_border (out, widths, schema->n_fields);
      g_string_append_c (out, '|');
      append_header_names (out, schema, widths, 0);
      g_string_append_c (out, '\n');
      append_border (out, widths, schema->n_fields);
      for (guint r = 0; r < printer->rows->len; r++)
        if (g_ptr_array_index (printer->rows, r) != NULL)
          table_append_row (out, schema, g_ptr_array_index (printer->rows, r), widths);
      if (printer->n_live > 0)
        append_border (out, widths, schema->n_fields);
    }
  g_string_append_printf (out, "%" G_GUINT64_FORMAT " %s in set", total,
                          total == 1 ? "row" : "rows");
  if (printer->n_dropped > 0)
    g_string_append_printf (out, " (only the %s %u are shown; --format csv or json "
                            "prints every row)", printer->format == REPL_FORMAT_LIVE
                            && printer->index == NULL ? "last" : "first", printer->n_live);
  g_string_append_c (out, '\n');
}

/* ---- live frames ---------------------------------------------------------------------- */

/* Appends line (no newline) cut to max_cols terminal columns, then the newline. */
static void
append_cut_line (GString *out, const char *line, gsize len, guint max_cols)
{
  guint used = 0;
  const char *end = line + len;
  const char *p;

  for (p = line; p < end && max_cols > 0; p = g_utf8_next_char (p))
    {
      guint w = char_width (g_utf8_get_char (p));

      if (used + w > max_cols)
        break;
      used += w;
    }
  g_string_append_len (out, line, max_cols > 0 ? p - line : (gssize) len);
  g_string_append_c (out, '\n');
}

guint
repl_printer_render_frame (ReplPrinter *printer, GString *out, guint max_rows,
                           guint max_cols)
{
  const PlanSchema *schema = printer->schema;
  guint n = schema->n_fields;
  g_autoptr (GPtrArray) shown = g_ptr_array_new ();
  g_autoptr (GString) box = g_string_new (NULL);
  const char *line;

  g_return_val_if_fail (printer != NULL && out != NULL, 0);
  if (printer->frame_widths == NULL)
    {
      printer->frame_widths = g_new0 (guint, MAX (n, 1u));
      for (guint i = 0; i < n; i++)
        printer->frame_widths[i] = header_width (&schema->fields[i]);
    }
  /* the last max_rows live rows, newest last */
  for (guint r = printer->rows->len; r > 0 && shown->len < max_rows; r--)
    if (g_ptr_array_index (printer->rows, r - 1) != NULL)
      g_ptr_array_add (shown, g_ptr_array_index (printer->rows, r - 1));
  for (guint k = 0; k < shown->len; k++)
    {
      const char *p = ((const ReplRow *) g_ptr_array_index (shown, k))->data;

      for (guint i = 0; i < n; i++)
        {
          guint w = *p == 'N' ? NULL_WIDTH : display_width (p + 1);

          printer->frame_widths[i] = MAX (printer->frame_widths[i], w);
          p += strlen (p) + 1;
        }
    }
  if (n > 0)
    {
      append_border (box, printer->frame_widths, n);
      g_string_append_c (box, '|');
      append_header_names (box, schema, printer->frame_widths, 0);
      g_string_append_c (box, '\n');
      append_border (box, printer->frame_widths, n);
      for (guint k = shown->len; k > 0; k--)
        table_append_row (box, schema, g_ptr_array_index (shown, k - 1), printer->frame_widths);
      if (shown->len > 0)
        append_border (box, printer->frame_widths, n);
    }
  for (line = box->str; *line != '\0';)
    {
      const char *nl = strchr (line, '\n');

      append_cut_line (out, line, nl - line, max_cols);
      line = nl + 1;
    }
  return shown->len;
}

void
repl_format_live_status (GString *out, guint64 n_rows, guint shown, double rows_per_s,
                         const char *watermark, gint64 elapsed_us)
{
  gint64 tenths = MAX (elapsed_us, 0) / 100000;

  g_string_append_printf (out, "%" G_GUINT64_FORMAT " %s", n_rows, n_rows == 1 ? "row" : "rows");
  if (shown < n_rows)
    g_string_append_printf (out, " (the last %u shown)", shown);
  if (rows_per_s >= 0)
    g_string_append_printf (out, ", %.0f rows/s", rows_per_s);
  else
    g_string_append (out, ", - rows/s");
  g_string_append_printf (out, ", watermark %s, %" G_GINT64_FORMAT ".%d s",
                          watermark != NULL ? watermark : "-", tenths / 10, (int) (tenths % 10));
}

/* ---- changelog ------------------------------------------------------------------------ */

/* Columns a value of this type needs at most (VARCHAR: a cap; longer text is cut). */
static guint
type_width (PlanType type)
{
  switch (type.kind)
    {
    case PLAN_TYPE_NULL:
      return NULL_WIDTH;
    case PLAN_TYPE_BOOLEAN:
      return 5;               /* FALSE */
    case PLAN_TYPE_INT:
      return 11;              /* -2147483648 */
    case PLAN_TYPE_BIGINT:
      return 20;              /* -9223372036854775808 */
    case PLAN_TYPE_DOUBLE:
      return 24;              /* -2.2250738585072014e-308 */
    case PLAN_TYPE_DECIMAL:   /* sign, digits, point, a 0 before the point if scale = p */
      return MAX (type.precision, 1) + (type.scale > 0 ? 2 : 1)
             + (type.scale >= type.precision);
    case PLAN_TYPE_VARCHAR:
      return VARCHAR_STREAM_WIDTH;
    case PLAN_TYPE_DATE:
      return 10;              /* 2024-01-02 */
    case PLAN_TYPE_TIMESTAMP:
      return 23;              /* 2024-01-02 03:04:05.006 */
    case PLAN_TYPE_INTERVAL:
      return 20;
    }
  return VARCHAR_STREAM_WIDTH;
}

static void
changelog_start (ReplPrinter *printer, GString *out)
{
  const PlanSchema *schema = printer->schema;

  if (printer->started)
    return;
  printer->started = TRUE;
  printer->widths = g_new0 (guint, schema->n_fields + 1);
  printer->widths[0] = 2; /* "op", "+I" */
  for (guint i = 0; i < schema->n_fields; i++)
    printer->widths[i + 1] = MAX (MAX (type_width (schema->fields[i].type), NULL_WIDTH),
                                  header_width (&schema->fields[i]));
  append_border (out, printer->widths, schema->n_fields + 1);
  g_string_append (out, "| op |");
  append_header_names (out, schema, printer->widths, 1);
  g_string_append_c (out, '\n');
  append_border (out, printer->widths, schema->n_fields + 1);
}

static void
changelog_add (ReplPrinter *printer, const GwRow *row, GString *out)
{
  const PlanSchema *schema = printer->schema;
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GString) shown = g_string_new (NULL);

  changelog_start (printer, out);
  g_string_append_printf (out, "| %s |", rt_row_kind_short (row->kind));
  for (guint i = 0; i < schema->n_fields; i++)
    {
      const PlanValue *value = &row->values[i];
      gboolean right = kind_is_right_aligned (schema->fields[i].type.kind);

      if (value->is_null)
        {
          append_cell (out, NULL_TEXT, printer->widths[i + 1], right);
          continue;
        }
      g_string_truncate (text, 0);
      g_string_truncate (shown, 0);
      append_value_text (text, value, FALSE);
      append_display (shown, text->str, text->len);
      append_cell_fitted (out, shown->str, printer->widths[i + 1], right);
    }
  g_string_append_c (out, '\n');
}

static void
changelog_finish (ReplPrinter *printer, GString *out)
{
  gboolean had_rows = printer->started;

  changelog_start (printer, out);
  if (had_rows)
    append_border (out, printer->widths, printer->schema->n_fields + 1);
  g_string_append_printf (out, "Received a total of %" G_GUINT64_FORMAT " %s\n",
                          printer->n_rows, printer->n_rows == 1 ? "row" : "rows");
}

/* ---- csv ------------------------------------------------------------------------------ */

/* RFC 4180: quoted when the field has a comma, a quote, CR or LF, quotes doubled. An empty
 * string is written "" so that it differs from NULL, which is an empty field. */
static void
csv_append_field (GString *out, const char *text, gsize len)
{
  gboolean quote = len == 0;

  for (gsize i = 0; i < len && !quote; i++)
    quote = text[i] == ',' || text[i] == '"' || text[i] == '\r' || text[i] == '\n';
  if (!quote)
    {
      g_string_append_len (out, text, len);
      return;
    }
  g_string_append_c (out, '"');
  for (gsize i = 0; i < len; i++)
    {
      if (text[i] == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, text[i]);
    }
  g_string_append_c (out, '"');
}

static void
csv_start (ReplPrinter *printer, GString *out)
{
  const PlanSchema *schema = printer->schema;

  if (printer->started)
    return;
  printer->started = TRUE;
  if (printer->changelog)
    g_string_append (out, schema->n_fields > 0 ? "op," : "op");
  for (guint i = 0; i < schema->n_fields; i++)
    {
      const char *name = schema->fields[i].name != NULL ? schema->fields[i].name : "";

      if (i > 0)
        g_string_append_c (out, ',');
      csv_append_field (out, name, strlen (name));
    }
  g_string_append_c (out, '\n');
}

static void
csv_add (ReplPrinter *printer, const GwRow *row, GString *out)
{
  g_autoptr (GString) text = g_string_new (NULL);

  csv_start (printer, out);
  if (printer->changelog)
    {
      g_string_append (out, rt_row_kind_short (row->kind));
      if (printer->schema->n_fields > 0)
        g_string_append_c (out, ',');
    }
  for (guint i = 0; i < printer->schema->n_fields; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      if (row->values[i].is_null)
        continue;
      g_string_truncate (text, 0);
      append_value_text (text, &row->values[i], TRUE);
      csv_append_field (out, text->str, text->len);
    }
  g_string_append_c (out, '\n');
}

/* ---- json ----------------------------------------------------------------------------- */

/* A JSON string literal of text, made valid UTF-8 first. */
static void
json_append_string (GString *out, const char *text, gssize len)
{
  g_autofree char *valid = NULL;

  if (len < 0)
    len = strlen (text);
  if (!g_utf8_validate (text, len, NULL))
    {
      valid = g_utf8_make_valid (text, len);
      text = valid;
      len = strlen (valid);
    }
  g_string_append_c (out, '"');
  for (gssize i = 0; i < len; i++)
    {
      guchar c = text[i];

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        case '\b':
          g_string_append (out, "\\b");
          break;
        case '\f':
          g_string_append (out, "\\f");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, c);
        }
    }
  g_string_append_c (out, '"');
}

static void
json_append_value (GString *out, const PlanValue *value, GString *scratch)
{
  if (value->is_null)
    {
      g_string_append (out, "null");
      return;
    }
  g_string_truncate (scratch, 0);
  switch (value->type.kind)
    {
    case PLAN_TYPE_BOOLEAN:
      g_string_append (out, value->v.b ? "true" : "false");
      return;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
      append_value_text (out, value, TRUE);
      return;
    case PLAN_TYPE_DOUBLE:
      /* JSON has no NaN or infinity: those go as strings, like "NaN" */
      append_double (scratch, value->v.d);
      if (isfinite (value->v.d))
        g_string_append_len (out, scratch->str, scratch->len);
      else
        json_append_string (out, scratch->str, scratch->len);
      return;
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_VARCHAR:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      break;
    }
  append_value_text (scratch, value, TRUE);
  json_append_string (out, scratch->str, scratch->len);
}

static void
json_add (ReplPrinter *printer, const GwRow *row, GString *out)
{
  const PlanSchema *schema = printer->schema;
  g_autoptr (GString) scratch = g_string_new (NULL);

  g_string_append_c (out, '{');
  if (printer->changelog)
    g_string_append_printf (out, "\"op\":\"%s\"%s", rt_row_kind_short (row->kind),
                            schema->n_fields > 0 ? "," : "");
  for (guint i = 0; i < schema->n_fields; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      json_append_string (out, schema->fields[i].name != NULL ? schema->fields[i].name : "",
                          -1);
      g_string_append_c (out, ':');
      json_append_value (out, &row->values[i], scratch);
    }
  g_string_append (out, "}\n");
}

/* ---- the printer ---------------------------------------------------------------------- */

ReplPrinter *
repl_printer_new (ReplFormat format, PlanSchema *schema, gboolean changelog)
{
  ReplPrinter *printer;

  g_return_val_if_fail (schema != NULL, NULL);
  printer = g_new0 (ReplPrinter, 1);
  printer->format = format;
  printer->schema = plan_schema_ref (schema);
  printer->changelog = changelog;
  printer->max_rows = REPL_TABLE_MAX_ROWS;
  printer->rows = g_ptr_array_new_with_free_func (g_free);
  printer->scratch = g_string_new (NULL);
  printer->hole = NO_HOLE;
  if ((format == REPL_FORMAT_TABLE || format == REPL_FORMAT_LIVE) && changelog)
    printer->index = g_hash_table_new_full (row_hash, row_equal, NULL,
                                            (GDestroyNotify) g_array_unref);
  return printer;
}

void
repl_printer_free (ReplPrinter *printer)
{
  if (printer == NULL)
    return;
  g_clear_pointer (&printer->index, g_hash_table_unref);
  g_ptr_array_unref (printer->rows);
  g_string_free (printer->scratch, TRUE);
  g_free (printer->widths);
  g_free (printer->frame_widths);
  plan_schema_unref (printer->schema);
  g_free (printer);
}

void
repl_printer_set_max_rows (ReplPrinter *printer, guint max_rows)
{
  g_return_if_fail (printer != NULL);
  printer->max_rows = max_rows;
}

guint64
repl_printer_get_n_rows (ReplPrinter *printer)
{
  g_return_val_if_fail (printer != NULL, 0);
  return printer->n_rows;
}

guint
repl_printer_get_n_live (ReplPrinter *printer)
{
  g_return_val_if_fail (printer != NULL, 0);
  return printer->n_live;
}

void
repl_printer_add_row (ReplPrinter *printer, const GwRow *row, GString *out)
{
  g_return_if_fail (printer != NULL && row != NULL && out != NULL);
  g_return_if_fail (row->n_values == printer->schema->n_fields);
  g_return_if_fail (row->values != NULL || row->n_values == 0);

  printer->n_rows++;
  switch (printer->format)
    {
    case REPL_FORMAT_TABLE:
    case REPL_FORMAT_LIVE:
      table_add (printer, row);
      break;
    case REPL_FORMAT_CSV:
      csv_add (printer, row, out);
      break;
    case REPL_FORMAT_JSON:
      json_add (printer, row, out);
      break;
    case REPL_FORMAT_CHANGELOG:
      changelog_add (printer, row, out);
      break;
    }
}

void
repl_printer_finish (ReplPrinter *printer, GString *out)
{
  g_return_if_fail (printer != NULL && out != NULL);

  switch (printer->format)
    {
    case REPL_FORMAT_TABLE:
    case REPL_FORMAT_LIVE:
      table_finish (printer, out);
      break;
    case REPL_FORMAT_CSV:
      csv_start (printer, out);
      break;
    case REPL_FORMAT_JSON:
      break;
    case REPL_FORMAT_CHANGELOG:
      changelog_finish (printer, out);
      break;
    }
}

void
repl_format_progress (GString *out, guint64 rows_read, gint64 elapsed_us)
{
  gint64 tenths = MAX (elapsed_us, 0) / 100000;

  g_string_append_printf (out, "rows read %" G_GUINT64_FORMAT, rows_read);
  if (elapsed_us > 0)
    g_string_append_printf (out, ", %" G_GUINT64_FORMAT " rows/s",
                            (guint64) ((double) rows_read * G_USEC_PER_SEC / elapsed_us));
  g_string_append_printf (out, ", elapsed %" G_GINT64_FORMAT ".%d s", tenths / 10,
                          (int) (tenths % 10));
}
