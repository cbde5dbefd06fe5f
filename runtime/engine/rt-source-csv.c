/* rt-source-csv.c: the 'filesystem' connector with 'format' = 'csv', a bounded source.
 *
 * Options (Flink's names): 'path' (a file, or a directory: all its files in name order,
 * skipping names that start with '.' or '_' as Flink does), 'csv.field-delimiter'
 * (default ','; '\t' for a tab), 'csv.quote-character' (default '"'),
 * 'csv.disable-quote-character', 'csv.escape-character' (none by default),
 * 'csv.allow-comments' (lines starting with '#'), 'csv.null-literal',
 * 'csv.ignore-parse-errors'. Strom extension: 'csv.header' = 'true' skips the first
 * record of every file.
 *
 * Parsing follows RFC 4180: quoted fields may hold delimiters, doubled quotes and line
 * breaks; records end at LF or CRLF; blank lines are skipped. An empty field is NULL
 * except for VARCHAR, where it is the empty string unless it equals csv.null-literal.
 * Values are parsed strictly ('12x' is not an INT, a DECIMAL may not have more
 * fractional digits than its scale unless they are zeros, BOOLEAN is true/false in any
 * case, INTERVAL is whole milliseconds). A bad record (syntax, wrong number of fields,
 * unparsable value, NULL in a NOT NULL column) fails the job with FILE:LINE:COLUMN (the
 * physical line, the character column where the field starts), or with
 * 'csv.ignore-parse-errors' = 'true' is skipped and counted in rows_dropped. Unlike
 * Flink, which sets unparsable fields to NULL in that mode, strom drops the whole row:
 * DESIGN.md never lets a bad value pass silently.
 *
 * Reading: one large read() buffer per subtask; records are scanned in place into field
 * spans, and only the projected columns are converted (projection pushdown), straight
 * into the batch vectors. A record is never split: when the scan reaches the end of
 * the buffer, the tail moves to the front and more is read (the buffer doubles for huge
 * records, up to RT_CSV_MAX_RECORD: an unterminated quote must not swallow the memory).
 *
 * Parallel split: a file of at least RT_CSV_SPLIT_MIN bytes per subtask is cut into p
 * equal byte ranges, and subtask i reads the records that start in its range. To find
 * the first record start at or after its range start, a subtask scans the file from the
 * beginning with the same record scanner (without converting anything), which is the
 * only way to stay correct with line breaks inside quotes, and which also yields exact
 * line numbers for messages. Smaller files go whole to one subtask each, round robin. */
#include "rt-source-private.h"
#include "rt-checkpoint.h"
#include "plans/plan-numeric.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RT_CSV_BUFFER_SIZE (1024 * 1024)
#define RT_CSV_SPLIT_MIN (1024 * 1024)
#define RT_CSV_MAX_RECORD (256 * 1024 * 1024) /* the buffer never grows beyond this */

typedef struct {
  gsize at;       /* buffer offset where the field starts (its opening quote, if any) */
  gsize start;    /* first byte of the content */
  gsize len;
  gboolean quoted;
  gboolean escaped; /* content has doubled quotes or escapes to remove */
} CsvField;

typedef enum {
  SCAN_RECORD, /* a record: fields filled */
  SCAN_SKIP,   /* a blank or comment line */
  SCAN_MORE,   /* the buffer ends inside the record: refill and scan again */
  SCAN_EOF,
} ScanResult;

typedef struct {
  gsize start;      /* buffer offset of the record's first byte */
  gsize end;        /* buffer offset after its terminator */
  gsize last_end;   /* buffer offset after the content of the last field */
  guint n_fields;   /* fields found; only the first max_fields are stored */
  guint newlines;   /* LF bytes in [start, end) */
  const char *bad;  /* syntax error, or NULL */
  gsize bad_at;
} CsvRecord;

typedef struct {
  char *path; /* owned */
  gint64 lo;  /* this subtask reads records starting in [lo, hi) */
  gint64 hi;
  gint64 line;        /* added by checkpoints: > 0: restored, lo is a record start on this
                       * physical line (no walk from the file's start) */
  gboolean at_header; /* restored: the header record is still to skip */
} CsvPart;

typedef enum {
  ROW_OK,
  ROW_BAD,  /* bad record, message built only when it is not skipped */
  ROW_FAIL, /* error set (memory) */
} RowResult;

typedef struct {
  RtOperator base;
  PlanTable *table;     /* owned ref */
  PlanSchema *schema;   /* owned ref: output schema */
  guint n_table_cols;
  int *out_index;       /* owned: table column -> output column, or -1 */
  RtSourceFilter filter;
  char delim;
  int quote;            /* -1: quoting disabled */
  int escape;           /* -1: none */
  gboolean comments;
  gboolean header;
  gboolean ignore_errors;
  char *null_literal;   /* owned, nullable */
  gsize null_len;
  guint8 special[256];  /* bytes that stop an unquoted field */
  GArray *parts;        /* owned: CsvPart */
  guint part;
  gboolean done;
  /* the open part */
  int fd;
  gboolean eof;
  gboolean at_header;
  char *buf;            /* owned */
  gsize cap, len, pos;
  gint64 buf_off;       /* file offset of buf[0] */
  gint64 line;          /* physical line of buf[pos], 1-based */
  CsvField *fields;     /* owned: n_table_cols + 1 */
  GString *scratch;     /* owned: unescaped values */
} RtCsvSource;

/* ---- scanning ---------------------------------------------------------------------- */

/* Scans an unquoted stretch from *p to the next delimiter or line end. FALSE when the
 * buffer ends first and more input may follow. */
static gboolean
scan_unquoted (RtCsvSource *self, gsize *pp, CsvField *f, guint *newlines)
{
  const char *b = self->buf;
  gsize p = *pp;
  gsize end = self->len;

  for (;;)
    {
      while (p < end && !self->special[(guchar) b[p]])
        p++;
      if (p >= end)
        {
          if (!self->eof)
            return FALSE;
          break;
        }
      if (b[p] == '\r')
        {
          if (p + 1 >= end && !self->eof)
            return FALSE;
          if (p + 1 >= end || b[p + 1] == '\n')
            break;
          p++; /* a lone CR is data */
          continue;
        }
      if (self->escape >= 0 && b[p] == self->escape)
        {
          if (p + 1 >= end && !self->eof)
            return FALSE;
          f->escaped = TRUE;
          if (p + 1 < end && b[p + 1] == '\n')
            (*newlines)++;
          p = MIN (p + 2, end);
          continue;
        }
      break; /* delimiter or LF */
    }
  *pp = p;
  return TRUE;
}

/* Scans a quoted field whose opening quote is at *pp. FALSE: need more input. */
static gboolean
scan_quoted (RtCsvSource *self, gsize *pp, CsvField *f, CsvRecord *rec)
{
  const char *b = self->buf;
  gsize end = self->len;
  gsize p = *pp + 1;
  char q = (char) self->quote;

  f->quoted = TRUE;
  f->start = p;
  for (;;)
    {
      while (p < end && b[p] != q && (self->escape < 0 || b[p] != self->escape))
        {
          if (b[p] == '\n')
            rec->newlines++;
          p++;
        }
      if (p + 1 >= end && !self->eof)
        return FALSE;
      if (p >= end)
        {
          if (rec->bad == NULL)
            rec->bad = "unterminated quoted field", rec->bad_at = f->at;
          f->len = p - f->start;
          break;
        }
      if (b[p] != q)
        {
          /* escape character inside quotes: the next byte is literal */
          f->escaped = TRUE;
          if (p + 1 < end && b[p + 1] == '\n')
            rec->newlines++;
          p = MIN (p + 2, end);
          continue;
        }
      if (p + 1 < end && b[p + 1] == q)
        {
          f->escaped = TRUE;
          p += 2;
          continue;
        }
      f->len = p - f->start;
      p++;
      break;
    }
  /* After the closing quote only a delimiter or the line end may follow. */
  if (p + 1 >= end && p < end && b[p] == '\r' && !self->eof)
    return FALSE; /* CR LF split by the buffer end */
  if (p < end && b[p] != self->delim && b[p] != '\n'
      && !(b[p] == '\r' && (p + 1 >= end || b[p + 1] == '\n')))
    {
      if (rec->bad == NULL)
        rec->bad = "unexpected character after a closing quote", rec->bad_at = p;
      if (!scan_unquoted (self, &p, f, &rec->newlines))
        return FALSE;
    }
  *pp = p;
  return TRUE;
}

/* Skips blank and comment lines. Returns SCAN_RECORD when a record starts at pos. */
static ScanResult
scan_skippable (RtCsvSource *self, CsvRecord *rec)
{
  const char *b = self->buf;
  gsize p = self->pos;
  gsize end = self->len;
  const char *nl;

  if (b[p] == '\r' && p + 1 >= end)
    {
      if (!self->eof)
        return SCAN_MORE;
      rec->end = end; /* a lone CR at the very end */
      return SCAN_SKIP;
    }
  if (b[p] == '\n' || (b[p] == '\r' && b[p + 1] == '\n'))
    {
      rec->end = p + (b[p] == '\r' ? 2 : 1);
      rec->newlines = 1;
      return SCAN_SKIP;
    }
  if (self->comments && b[p] == '#')
    {
      nl = memchr (b + p, '\n', end - p);
      if (nl == NULL && !self->eof)
        return SCAN_MORE;
      rec->end = nl != NULL ? (gsize) (nl - b) + 1 : end;
      rec->newlines = nl != NULL;
      return SCAN_SKIP;
    }
  return SCAN_RECORD;
}

/* Scans the record at self->pos into self->fields without converting anything. */
static ScanResult
scan_record (RtCsvSource *self, CsvRecord *rec)
{
  const char *b = self->buf;
  gsize p = self->pos;
  gsize end = self->len;
  ScanResult res;

  memset (rec, 0, sizeof *rec);
  rec->start = p;
  if (p >= end)
    return self->eof ? SCAN_EOF : SCAN_MORE;
  res = scan_skippable (self, rec);
  if (res != SCAN_RECORD)
    return res;
  for (;;)
    {
      CsvField f = { .at = p, .start = p };

      if (self->quote >= 0 && p < end && b[p] == self->quote)
        {
          if (!scan_quoted (self, &p, &f, rec))
            return SCAN_MORE;
        }
      else
        {
          if (!scan_unquoted (self, &p, &f, &rec->newlines))
            return SCAN_MORE;
          f.len = p - f.start;
        }
      if (rec->n_fields <= self->n_table_cols)
        self->fields[rec->n_fields] = f;
      rec->n_fields++;
      rec->last_end = p;
      if (p >= end)
        {
          rec->end = end;
          return SCAN_RECORD;
        }
      if (b[p] == self->delim)
        {
          p++;
          continue;
        }
      if (b[p] == '\r')
        p++;
      if (p < end && b[p] == '\n')
        p++, rec->newlines++;
      rec->end = p;
      return SCAN_RECORD;
    }
}

/* ---- reading ----------------------------------------------------------------------- */

static gboolean
csv_refill (RtCsvSource *self, GError **error)
{
  const char *path = g_array_index (self->parts, CsvPart, self->part).path;
  gssize n;

  if (self->pos > 0)
    {
      memmove (self->buf, self->buf + self->pos, self->len - self->pos);
      self->buf_off += (gint64) self->pos;
      self->len -= self->pos;
      self->pos = 0;
    }
  if (self->len == self->cap)
    {
      if (self->cap >= RT_CSV_MAX_RECORD)
        {
          g_set_error (error, RT_ERROR, RT_ERROR_DATA,
                       "%s:%" G_GINT64_FORMAT ":1: a record is longer than %d MiB; is a "
                       "quoted field missing its closing quote?", path, self->line,
                       RT_CSV_MAX_RECORD / (1024 * 1024));
          return FALSE;
        }
      self->cap *= 2;
      self->buf = g_realloc (self->buf, self->cap);
    }
  do
    n = read (self->fd, self->buf + self->len, self->cap - self->len);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      int saved = errno;

      g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR, "Cannot read '%s' for table '%s': %s",
                   path, self->table->name, g_strerror (saved));
      return FALSE;
    }
  if (n == 0)
    self->eof = TRUE;
  self->len += (gsize) n;
  return TRUE;
}

static void
csv_close_part (RtCsvSource *self)
{
  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  self->part++;
}

/* Opens the current part and moves to its first record. */
static gboolean
csv_open_part (RtCsvSource *self, GError **error)
{
  const CsvPart *part = &g_array_index (self->parts, CsvPart, self->part);
  CsvRecord rec;

  self->fd = open (part->path, O_RDONLY | O_CLOEXEC);
  if (self->fd < 0)
    {
      int saved = errno;

      g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR,
                   "Cannot open '%s' for table '%s': %s (check the table's 'path' option)",
                   part->path, self->table->name, g_strerror (saved));
      return FALSE;
    }
  self->eof = FALSE;
  self->len = self->pos = 0;
  self->buf_off = 0;
  self->line = 1;
  self->at_header = self->header && part->lo == 0;
  if (part->line > 0) /* restored from a checkpoint: resume at a known record start */
    {
      if (lseek (self->fd, (off_t) part->lo, SEEK_SET) < 0)
        {
          int saved = errno;

          g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR,
                       "Cannot seek in '%s' for table '%s': %s", part->path,
                       self->table->name, g_strerror (saved));
          return FALSE;
        }
      self->buf_off = part->lo;
      self->line = part->line;
      self->at_header = part->at_header;
      return TRUE;
    }
  if (part->lo == 0)
    return TRUE;
  /* Walk the records before our range (see the comment at the top). */
  for (;;)
    {
      ScanResult res = scan_record (self, &rec);

      if (res == SCAN_MORE)
        {
          if (!csv_refill (self, error))
            return FALSE;
          continue;
        }
      if (res == SCAN_EOF || self->buf_off + (gint64) rec.start >= part->lo)
        return TRUE;
      self->pos = rec.end;
      self->line += rec.newlines;
    }
}

/* ---- values ------------------------------------------------------------------------ */

/* Integers and the slow path of DOUBLE are read as CAST reads them (plans/plan-numeric.c);
 * what is stricter here is said at each function: a field is never trimmed, a DOUBLE that
 * overflows is an error, a DECIMAL takes no exponent and is never rounded. */
static gboolean
parse_int64 (const char *s, gsize n, gint64 *out)
{
  return plan_num_parse_int64 (s, n, out) == PLAN_NUM_OK;
}

static gboolean
parse_double_slow (const char *s, gsize n, double *out)
{
  double v;

  if (n == 0 || g_ascii_isspace (s[0]))
    return FALSE;
  errno = 0;
  if (plan_num_parse_double (s, n, &v) != PLAN_NUM_OK || (errno == ERANGE && isinf (v)))
    return FALSE; /* '1e999' overflows; 'inf' itself is a value */
  *out = v;
  return TRUE;
}

/* Exact fast path for plain decimal numbers with at most 18 significant digits and a
 * small exponent: both the mantissa and the power of ten are exact doubles when the
 * mantissa is below 2^53, so one multiplication or division rounds correctly. */
static gboolean
parse_double (const char *s, gsize n, double *out)
{
  static const double p10[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
    1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
  };
  gboolean neg = FALSE;
  guint64 m = 0;
  int digits = 0, exp10 = 0, any = 0;
  gsize i = 0;

  if (n > 0 && (s[0] == '-' || s[0] == '+'))
    neg = s[i++] == '-';
  for (; i < n && g_ascii_isdigit (s[i]); i++, any++)
    if ((m = m * 10 + (guint64) (s[i] - '0')) != 0 && ++digits > 18)
      return parse_double_slow (s, n, out);
  if (i < n && s[i] == '.')
    for (i++; i < n && g_ascii_isdigit (s[i]); i++, any++, exp10--)
      if ((m = m * 10 + (guint64) (s[i] - '0')) != 0 && ++digits > 18)
        return parse_double_slow (s, n, out);
  if (any == 0 || i < n || m >= (G_GUINT64_CONSTANT (1) << 53) || exp10 < -22)
    return parse_double_slow (s, n, out);
  *out = exp10 < 0 ? (double) m / p10[-exp10] : (double) m;
  if (neg)
    *out = -*out;
  return TRUE;
}

static gboolean
parse_decimal (const char *s, gsize n, guint precision, guint scale, gint64 *out)
{
  gboolean neg = FALSE;
  guint64 v = 0;
  guint int_digits = 0, frac = 0, any = 0;
  gsize i = 0;

  if (n > 0 && (s[0] == '-' || s[0] == '+'))
    neg = s[i++] == '-';
  for (; i < n && g_ascii_isdigit (s[i]); i++, any++)
    {
      if (v == 0 && s[i] == '0')
        continue;
      if (++int_digits > precision - scale)
        return FALSE;
      v = v * 10 + (guint64) (s[i] - '0');
    }
  if (i < n && s[i] == '.')
    for (i++; i < n && g_ascii_isdigit (s[i]); i++, any++)
      {
        if (frac < scale)
          v = v * 10 + (guint64) (s[i] - '0'), frac++;
        else if (s[i] != '0')
          return FALSE; /* more fractional digits than the scale */
      }
  if (any == 0 || i < n)
    return FALSE;
  for (; frac < scale; frac++)
    v *= 10;
  *out = neg ? -(gint64) v : (gint64) v;
  return TRUE;
}

/* The field's text: in the buffer when nothing needs unescaping, else in scratch. */
static const char *
field_text (RtCsvSource *self, const CsvField *f, gsize *len)
{
  const char *s = self->buf + f->start;
  GString *out = self->scratch;

  if (!f->escaped)
    {
      *len = f->len;
      return s;
    }
  g_string_truncate (out, 0);
  for (gsize i = 0; i < f->len; i++)
    {
      if (self->escape >= 0 && s[i] == self->escape && i + 1 < f->len)
        i++;
      else if (f->quoted && s[i] == self->quote && i + 1 < f->len && s[i + 1] == self->quote)
        i++;
      g_string_append_c (out, s[i]);
    }
  *len = out->len;
  return out->str;
}

/* Converts text into row `row` of vector v. FALSE: not a value of the type. */
static gboolean
convert_value (RtBatch *batch, RtVector *v, guint row, PlanType type, const char *s, gsize n,
               GError **error)
{
  gint64 i64 = 0;
  gint32 i32 = 0;

  if (n > 0 && (g_ascii_isspace (s[0]) || g_ascii_isspace (s[n - 1]))
      && type.kind != PLAN_TYPE_VARCHAR)
    return FALSE; /* strict: the plan layer's parsers would trim */
  switch (type.kind)
    {
    case PLAN_TYPE_BOOLEAN:
      if (n == 4 && g_ascii_strncasecmp (s, "true", 4) == 0)
        ((guint8 *) v->data)[row] = 1;
      else if (n == 5 && g_ascii_strncasecmp (s, "false", 5) == 0)
        ((guint8 *) v->data)[row] = 0;
      else
        return FALSE;
      return TRUE;
    case PLAN_TYPE_INT:
      if (!parse_int64 (s, n, &i64) || i64 < G_MININT32 || i64 > G_MAXINT32)
        return FALSE;
      ((gint32 *) v->data)[row] = (gint32) i64;
      return TRUE;
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_INTERVAL:
      return parse_int64 (s, n, &((gint64 *) v->data)[row]);
    case PLAN_TYPE_DOUBLE:
      return parse_double (s, n, &((double *) v->data)[row]);
    case PLAN_TYPE_DECIMAL:
      return parse_decimal (s, n, type.precision ? type.precision : 18, type.scale,
                            &((gint64 *) v->data)[row]);
    case PLAN_TYPE_VARCHAR:
      ((RtStr *) v->data)[row] = rt_batch_intern (batch, s, n, error);
      return TRUE;
    case PLAN_TYPE_DATE:
      if (!plan_parse_date (s, n, &i32))
        return FALSE;
      ((gint32 *) v->data)[row] = i32;
      return TRUE;
    case PLAN_TYPE_TIMESTAMP:
      return plan_parse_timestamp (s, n, &((gint64 *) v->data)[row]);
    case PLAN_TYPE_NULL:
    default:
      return FALSE;
    }
}

/* ---- errors ------------------------------------------------------------------------ */

/* Line and character column of buffer offset `at` inside the record. */
static void
locate (RtCsvSource *self, const CsvRecord *rec, gint64 rec_line, gsize at, gint64 *line,
        guint *col)
{
  gsize line_start = rec->start;

  *line = rec_line;
  for (gsize i = rec->start; i < at; i++)
    if (self->buf[i] == '\n')
      (*line)++, line_start = i + 1;
  *col = 1;
  for (gsize i = line_start; i < at; i++)
    if (((guchar) self->buf[i] & 0xc0) != 0x80)
      (*col)++;
}

static void
bad_row_error (RtCsvSource *self, const CsvRecord *rec, gint64 rec_line, gsize at,
               GError **error, const char *format, ...) G_GNUC_PRINTF (6, 7);

static void
bad_row_error (RtCsvSource *self, const CsvRecord *rec, gint64 rec_line, gsize at,
               GError **error, const char *format, ...)
{
  const char *path = g_array_index (self->parts, CsvPart, self->part).path;
  g_autofree char *what = NULL;
  va_list args;
  gint64 line;
  guint col;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  locate (self, rec, rec_line, at, &line, &col);
  g_set_error (error, RT_ERROR, RT_ERROR_DATA,
               "%s:%" G_GINT64_FORMAT ":%u: %s (set 'csv.ignore-parse-errors' = 'true' to "
               "skip bad rows)", path, line, col, what);
}

static void
bad_value_error (RtCsvSource *self, const CsvRecord *rec, gint64 rec_line, guint tc,
                 const char *s, gsize n, GError **error)
{
  const PlanField *field = &self->table->schema->fields[tc];
  g_autofree char *type = plan_type_to_string (field->type, FALSE);
  g_autofree char *raw = g_strndup (s, MIN (n, 60));
  g_autofree char *shown = g_utf8_make_valid (raw, -1);

  bad_row_error (self, rec, rec_line, self->fields[tc].at, error,
                 "cannot parse '%s%s' as %s for column '%s'", shown, n > 60 ? "..." : "",
                 type, field->name);
}

/* ---- rows -------------------------------------------------------------------------- */

/* Converts the projected fields of a scanned record into row `row` of batch. */
static RowResult
convert_row (RtCsvSource *self, RtBatch *batch, guint row, const CsvRecord *rec,
             gint64 rec_line, GError **error)
{
  GError *local = NULL;

  if (rec->bad != NULL)
    {
      if (!self->ignore_errors)
        bad_row_error (self, rec, rec_line, rec->bad_at, error, "%s", rec->bad);
      return ROW_BAD;
    }
  if (rec->n_fields != self->n_table_cols)
    {
      if (!self->ignore_errors)
        bad_row_error (self, rec, rec_line,
                       rec->n_fields > self->n_table_cols
                       ? self->fields[self->n_table_cols].at : rec->last_end,
                       error, "expected %u fields, found %u", self->n_table_cols,
                       rec->n_fields);
      return ROW_BAD;
    }
  for (guint tc = 0; tc < self->n_table_cols; tc++)
    {
      int o = self->out_index[tc];
      PlanType type;
      RtVector *v;
      const char *s;
      gsize n;

      if (o < 0)
        continue;
      type = self->table->schema->fields[tc].type;
      v = &batch->cols[o];
      s = field_text (self, &self->fields[tc], &n);
      if ((self->null_literal != NULL && n == self->null_len
           && memcmp (s, self->null_literal, n) == 0)
          || (n == 0 && type.kind != PLAN_TYPE_VARCHAR))
        {
          if (!type.nullable)
            {
              if (!self->ignore_errors)
                bad_row_error (self, rec, rec_line, self->fields[tc].at, error,
                               "no value for the NOT NULL column '%s'",
                               self->table->schema->fields[tc].name);
              return ROW_BAD;
            }
          rt_vec_set_null (v, row);
          continue;
        }
      if (!convert_value (batch, v, row, type, s, n, &local))
        {
          if (!self->ignore_errors)
            bad_value_error (self, rec, rec_line, tc, s, n, error);
          return ROW_BAD;
        }
      if (local != NULL)
        {
          g_propagate_error (error, local);
          return ROW_FAIL;
        }
      rt_vec_set_valid (v, row);
    }
  return ROW_OK;
}

/* Reads records into batch until it is full or the input ends. */
static gboolean
fill_batch (RtCsvSource *self, RtBatch *batch, guint limit, GError **error)
{
  guint row = 0;

  while (row < limit && !self->done)
    {
      CsvRecord rec;
      ScanResult res;
      gint64 rec_line;

      if (self->fd < 0)
        {
          if (self->part >= self->parts->len)
            self->done = TRUE;
          else if (!csv_open_part (self, error))
            return FALSE;
          continue;
        }
      res = scan_record (self, &rec);
      if (res == SCAN_MORE)
        {
          if (!csv_refill (self, error))
            return FALSE;
          continue;
        }
      if (res == SCAN_EOF || self->buf_off + (gint64) rec.start
                             >= g_array_index (self->parts, CsvPart, self->part).hi)
        {
          csv_close_part (self);
          continue;
        }
      rec_line = self->line;
      self->pos = rec.end;
      self->line += rec.newlines;
      if (res == SCAN_SKIP)
        continue;
      if (self->at_header)
        {
          self->at_header = FALSE;
          continue;
        }
      self->base.rows_in++;
      switch (convert_row (self, batch, row, &rec, rec_line, error))
        {
        case ROW_OK:
          row++;
          break;
        case ROW_BAD:
          if (!self->ignore_errors)
            return FALSE;
          self->base.rows_dropped++;
          break;
        case ROW_FAIL:
        default:
          return FALSE;
        }
    }
  batch->n_rows = row;
  return TRUE;
}

static RtResult
csv_produce (RtOperator *op, GError **error)
{
  RtCsvSource *self = (RtCsvSource *) op;
  g_autoptr (RtBatch) batch = NULL;
  RtResult res;

  if (self->done)
    return RT_DONE;
  batch = rt_batch_new (op->ctx->pool, self->schema, op->ctx->batch_size, error);
  if (batch == NULL || !fill_batch (self, batch, op->ctx->batch_size, error))
    return RT_FAIL;
  res = rt__source_emit (op, &self->filter, batch, error);
  if (res == RT_OK && self->done)
    res = RT_DONE;
  return res;
}

static void
csv_close (RtOperator *op)
{
  RtCsvSource *self = (RtCsvSource *) op;

  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  if (self->parts != NULL)
    for (guint i = 0; i < self->parts->len; i++)
      g_free (g_array_index (self->parts, CsvPart, i).path);
  g_clear_pointer (&self->parts, g_array_unref);
  g_clear_pointer (&self->table, plan_table_unref);
  g_clear_pointer (&self->schema, plan_schema_unref);
  g_clear_pointer (&self->out_index, g_free);
  g_clear_pointer (&self->null_literal, g_free);
  g_clear_pointer (&self->buf, g_free);
  g_clear_pointer (&self->fields, g_free);
  if (self->scratch != NULL)
    g_string_free (self->scratch, TRUE);
  self->scratch = NULL;
  rt__source_filter_clear (&self->filter);
}

/* ---- checkpoints ------------------------------------------------------------------- *
 * Operator state as list entries: one per part this subtask has still to read, the open
 * one starting at the next record (file offset buf_off + pos, its physical line and
 * whether the header is still to skip), the others as planned; and one with the
 * subtask's record and bad-record counters. Restore replaces the planned parts with the
 * ones it is dealt (round robin, so another parallelism works: a part is read by whoever
 * gets it) and adds up the counters. Records are never split across produce calls, so
 * the offset is always a record start and nothing is skipped or read twice. */

enum { CSV_ENTRY_PART, CSV_ENTRY_COUNTERS };

static void
part_put (RtStateOut *out, const char *path, gint64 lo, gint64 hi, gint64 line,
          gboolean at_header)
{
  rt_state_begin (out, RT_STATE_LIST);
  rt_state_put_u64 (out, CSV_ENTRY_PART);
  rt_state_put_string (out, path);
  rt_state_put_i64 (out, lo);
  rt_state_put_i64 (out, hi);
  rt_state_put_i64 (out, line);
  rt_state_put_u64 (out, at_header ? 1 : 0);
  rt_state_end (out);
}

static gboolean
csv_snapshot (RtOperator *op, gint64 id, RtStateOut *out, GError **error)
{
  RtCsvSource *self = (RtCsvSource *) op;

  for (guint i = self->part; !self->done && i < self->parts->len; i++)
    {
      const CsvPart *p = &g_array_index (self->parts, CsvPart, i);

      if (i == self->part && self->fd >= 0)
        part_put (out, p->path, self->buf_off + (gint64) self->pos, p->hi, self->line,
                  self->at_header);
      else
        part_put (out, p->path, p->lo, p->hi, p->line, p->at_header);
    }
  rt_state_begin (out, RT_STATE_LIST);
  rt_state_put_u64 (out, CSV_ENTRY_COUNTERS);
  rt_state_put_u64 (out, op->rows_in);
  rt_state_put_u64 (out, op->rows_dropped);
  rt_state_end (out);
  return TRUE;
}

static gboolean
csv_restore (RtOperator *op, RtStateIn *in, GError **error)
{
  RtCsvSource *self = (RtCsvSource *) op;

  for (guint i = 0; i < self->parts->len; i++)
    g_free (g_array_index (self->parts, CsvPart, i).path);
  g_array_set_size (self->parts, 0);
  self->part = 0;
  while (rt_state_next (in, NULL))
    {
      CsvPart p = { NULL, 0, 0, 0, FALSE };
      guint64 kind = 0, at_header = 0, rows_in = 0, dropped = 0;

      if (!rt_state_get_u64 (in, &kind))
        return rt_state_malformed (in, op, error);
      if (kind == CSV_ENTRY_COUNTERS)
        {
          if (!rt_state_get_u64 (in, &rows_in) || !rt_state_get_u64 (in, &dropped))
            return rt_state_malformed (in, op, error);
          op->rows_in += rows_in;
          op->rows_dropped += dropped;
          continue;
        }
      if (kind != CSV_ENTRY_PART || !rt_state_get_string (in, &p.path) || p.path == NULL
          || !rt_state_get_i64 (in, &p.lo) || !rt_state_get_i64 (in, &p.hi)
          || !rt_state_get_i64 (in, &p.line) || !rt_state_get_u64 (in, &at_header)
          || p.lo < 0)
        {
          g_free (p.path);
          return rt_state_malformed (in, op, error);
        }
      p.at_header = at_header != 0;
      g_array_append_val (self->parts, p);
    }
  return TRUE;
}

static const RtOperatorClass csv_class = {
  .name = "filesystem-csv",
  .instance_size = sizeof (RtCsvSource),
  .produce = csv_produce,
  .close = csv_close,
  .snapshot = csv_snapshot, /* added by checkpoints */
  .restore = csv_restore,
};

/* ---- construction ------------------------------------------------------------------ */

static const char *const csv_known[] = {
  "connector", "format", "path", "csv.field-delimiter", "csv.quote-character",
  "csv.disable-quote-character", "csv.escape-character", "csv.allow-comments",
  "csv.null-literal", "csv.ignore-parse-errors", "csv.header",
  "lookup.join.cache.ttl", "lookup.cache.ttl", /* added by lookup joins (rt-op-lookup-join.c) */
  NULL,
};

static gboolean
csv_configure (RtCsvSource *self, GError **error)
{
  const PlanTable *t = self->table;
  gboolean no_quote = FALSE;
  const char *v;
  char c;

  if (!rt__options_check_known (t, "filesystem", csv_known, "sink.", error))
    return FALSE;
  self->delim = ',';
  self->quote = '"';
  self->escape = -1;
  if ((v = plan_table_get_option (t, "csv.field-delimiter")) != NULL)
    {
      if (!rt__option_char (t, "csv.field-delimiter", v, &self->delim, error))
        return FALSE;
    }
  if ((v = plan_table_get_option (t, "csv.quote-character")) != NULL)
    {
      if (!rt__option_char (t, "csv.quote-character", v, &c, error))
        return FALSE;
      self->quote = (guchar) c;
    }
  if ((v = plan_table_get_option (t, "csv.disable-quote-character")) != NULL
      && !rt__option_bool (t, "csv.disable-quote-character", v, &no_quote, error))
    return FALSE;
  if (no_quote)
    self->quote = -1;
  if ((v = plan_table_get_option (t, "csv.escape-character")) != NULL)
    {
      if (!rt__option_char (t, "csv.escape-character", v, &c, error))
        return FALSE;
      self->escape = (guchar) c;
    }
  if (((v = plan_table_get_option (t, "csv.allow-comments")) != NULL
       && !rt__option_bool (t, "csv.allow-comments", v, &self->comments, error))
      || ((v = plan_table_get_option (t, "csv.ignore-parse-errors")) != NULL
          && !rt__option_bool (t, "csv.ignore-parse-errors", v, &self->ignore_errors, error))
      || ((v = plan_table_get_option (t, "csv.header")) != NULL
          && !rt__option_bool (t, "csv.header", v, &self->header, error)))
    return FALSE;
  if ((v = plan_table_get_option (t, "csv.null-literal")) != NULL)
    {
      self->null_literal = g_strdup (v);
      self->null_len = strlen (v);
    }
  if (self->quote == self->delim || self->escape == self->delim)
    return rt__option_error (error, t, "csv.field-delimiter", plan_table_get_option (t,
                             "csv.field-delimiter"),
                             "the delimiter must differ from the quote and escape characters");
  self->special[(guchar) self->delim] = 1;
  self->special['\n'] = 1;
  self->special['\r'] = 1;
  if (self->escape >= 0)
    self->special[self->escape] = 1;
  return TRUE;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Lists the files of 'path' (itself, or a directory's files in name order). */
static GPtrArray *
list_files (RtCsvSource *self, const char *path, GError **error)
{
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = NULL;
  GError *local = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR,
                       "Cannot read '%s' for table '%s': no such file or directory (check "
                       "the table's 'path' option)", path, self->table->name);
          return NULL;
        }
      g_ptr_array_add (files, g_strdup (path));
      return g_steal_pointer (&files);
    }
  dir = g_dir_open (path, 0, &local);
  if (dir == NULL)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR, "Cannot list '%s' for table '%s': %s",
                   path, self->table->name, local->message);
      g_error_free (local);
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *full = NULL;

      if (name[0] == '.' || name[0] == '_')
        continue;
      full = g_build_filename (path, name, NULL);
      if (g_file_test (full, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (files, g_steal_pointer (&full));
    }
  g_ptr_array_sort (files, compare_names);
  return g_steal_pointer (&files);
}

/* Decides which byte ranges of which files this subtask reads. */
static gboolean
plan_parts (RtCsvSource *self, const char *path, guint subtask, guint parallelism,
            GError **error)
{
  g_autoptr (GPtrArray) files = list_files (self, path, error);
  guint small = 0;

  if (files == NULL)
    return FALSE;
  self->parts = g_array_new (FALSE, FALSE, sizeof (CsvPart));
  for (guint i = 0; i < files->len; i++)
    {
      const char *file = g_ptr_array_index (files, i);
      CsvPart part = { NULL, 0, G_MAXINT64, 0, FALSE };
      struct stat st;

      if (stat (file, &st) != 0)
        {
          int saved = errno;

          g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR,
                       "Cannot read '%s' for table '%s': %s", file, self->table->name,
                       g_strerror (saved));
          return FALSE;
        }
      if (parallelism > 1 && st.st_size >= (gint64) parallelism * RT_CSV_SPLIT_MIN)
        {
          part.lo = st.st_size / parallelism * subtask;
          if (subtask + 1 < parallelism)
            part.hi = st.st_size / parallelism * (subtask + 1);
        }
      else if (small++ % parallelism != subtask)
        continue;
      part.path = g_strdup (file);
      g_array_append_val (self->parts, part);
    }
  return TRUE;
}

RtOperator *
rt__source_csv_new (const PlanPhysNode *node, guint subtask, guint parallelism,
                    GError **error)
{
  RtCsvSource *self;
  const char *path;

  self = (RtCsvSource *) rt_operator_new (&csv_class, node->id);
  self->fd = -1;
  self->table = plan_table_ref (node->u.source.table);
  self->schema = plan_schema_ref (node->schema);
  self->n_table_cols = self->table->schema->n_fields;
  self->out_index = g_new (int, self->n_table_cols);
  for (guint i = 0; i < self->n_table_cols; i++)
    self->out_index[i] = -1;
  for (guint i = 0; i < node->u.source.n_columns; i++)
    {
      g_assert (node->u.source.columns[i] < self->n_table_cols);
      self->out_index[node->u.source.columns[i]] = (int) i;
    }
  self->fields = g_new0 (CsvField, self->n_table_cols + 1);
  self->scratch = g_string_new (NULL);
  self->cap = RT_CSV_BUFFER_SIZE;
  self->buf = g_malloc (self->cap);
  path = plan_table_get_option (self->table, "path");
  if (path == NULL)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR,
                   "Missing option 'path' for table '%s': the filesystem connector needs "
                   "the file or directory to read", self->table->name);
      goto fail;
    }
  if (!csv_configure (self, error) || !plan_parts (self, path, subtask, parallelism, error)
      || !rt__source_filter_init (&self->filter, node, error))
    goto fail;
  return &self->base;

fail:
  rt_operator_free (&self->base);
  return NULL;
}
