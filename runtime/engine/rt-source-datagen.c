/* rt-source-datagen.c: the 'datagen' connector, a source of generated rows with Flink's
 * options.
 *
 *   'rows-per-second'          total rate over all subtasks (default 10000); strom
 *                              extensions: '0' means unlimited, and a fraction such
 *                              as '0.1' (a row every 10 s) is allowed
 *   'number-of-rows'           total rows over all subtasks (default: unbounded)
 *   'fields.<col>.kind'        'random' (default) or 'sequence'
 *   'fields.<col>.start'/'end' sequence bounds, both required (INT, BIGINT, DOUBLE,
 *                              DECIMAL, VARCHAR); the source ends when the shortest
 *                              sequence is exhausted or number-of-rows is reached
 *   'fields.<col>.min'/'max'   random range, inclusive (numbers, INTERVAL in ms; strom
 *                              extension: DATE / TIMESTAMP as 'YYYY-MM-DD[ HH:MM:SS]')
 *   'fields.<col>.length'      random VARCHAR length (default 100), hex characters as in
 *                              Flink; 'fields.<col>.var-len' = 'true' draws it from 1..length
 *   'fields.<col>.max-past'    random DATE / TIMESTAMP in [now - max-past, now] (default 0)
 *   'fields.<col>.null-rate'   share of NULLs, 0..1 (default 0)
 *   'seed'                     strom extension: the output is a function of seed and
 *                              parallelism (default 0), so runs are reproducible
 *   'datagen.base-time'        strom extension: a fixed 'now' for max-past, for
 *                              reproducible timestamps ('now' is the local wall clock
 *                              at each batch otherwise, like Flink's LocalDateTime.now())
 *
 * Defaults of random ranges: the whole type for INT, BIGINT and DECIMAL; 0..1 for DOUBLE
 * (Flink's "whole DOUBLE range" is rarely useful); 0..86400000 ms for INTERVAL.
 *
 * Parallel split: the bounded row count T is split into p contiguous shares (the first
 * T % p subtasks get one row more), and sequence values are start + global row index,
 * so subtask i emits a disjoint contiguous range of every sequence. Each (subtask,
 * column) pair has its own xoshiro256** stream derived from the seed, so values do not
 * depend on which other columns are projected. The rate is split evenly; a subtask
 * emits a batch when a twentieth of a second's worth of rows (at least 1, at most a
 * batch) is due and otherwise returns RT_WAIT with ctx->wake_at_us.
 *
 * Columns are generated one vector at a time in tight loops: the generator is meant to
 * be far faster than anything that consumes it, so benchmarks measure the consumer. */
#include "rt-source-private.h"
#include "rt-checkpoint.h" /* added by checkpoints */

#include <math.h>
#include <string.h>

typedef enum {
  DG_RANDOM,
  DG_SEQUENCE,
} DgKind;

typedef struct {
  guint64 s[4];
} DgRng;

/* Raw option values (borrowed from the table) and the parsed generator of one column. */
typedef struct {
  const char *name; /* borrowed from the table schema */
  PlanType type;
  const char *kind_s, *start_s, *end_s, *min_s, *max_s, *length_s, *var_len_s;
  const char *max_past_s, *null_rate_s;

  DgKind kind;
  gint64 min, max;     /* random integer-like range (storage units) */
  double dmin, dmax;   /* random DOUBLE range */
  gint64 start;        /* sequence start (storage units; DECIMAL scaled) */
  double dstart;       /* DOUBLE sequence start */
  gint64 unit;         /* sequence step in storage units (10^scale for DECIMAL) */
  guint64 seq_len;
  gboolean has_max_past;
  gint64 max_past_ms;
  guint length;
  gboolean var_len;
  gboolean all_null;
  guint64 null_threshold; /* a row is NULL when a draw is below it */
} DgSpec;

typedef struct {
  DgSpec *spec; /* borrowed from the source's specs */
  guint out_col;
  DgRng rng;
  DgRng null_rng;
} DgColumn;

typedef struct {
  RtOperator base;
  PlanSchema *schema;  /* owned ref: output schema */
  guint n_specs;
  DgSpec *specs;       /* owned: one per table column */
  guint n_cols;
  DgColumn *cols;      /* owned: one per output column */
  RtSourceFilter filter;
  guint64 next;        /* global index of the next row of this subtask */
  guint64 remaining;   /* rows left; G_MAXUINT64 when unbounded */
  gboolean bounded;
  guint64 total;       /* rows over all subtasks when bounded */
  double rate;         /* rows per second of this subtask; 0: unlimited */
  gint64 t0_us;        /* rate clock origin (monotonic), 0 before the first batch */
  guint64 paced;       /* rows counted against the rate since t0 */
  gboolean has_base_time;
  gint64 base_time_ms;
  gint64 local_offset_ms; /* wall clock to local time */
  char *strbuf;        /* owned scratch for VARCHAR values */
  gsize strbuf_cap;
  GArray *queued;      /* added by checkpoints: DgSplit, restored splits still to read */
} RtDatagenSource;

/* ---- random numbers ---------------------------------------------------------------- */

static inline guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static void
rng_seed (DgRng *rng, guint64 seed, guint subtask, guint column, guint stream)
{
  guint64 x = seed;
  guint64 h = splitmix64 (&x);

  x = h ^ ((guint64) subtask * G_GUINT64_CONSTANT (0xd1342543de82ef95));
  h = splitmix64 (&x);
  x = h ^ ((guint64) (column * 2 + stream) * G_GUINT64_CONSTANT (0xc2b2ae3d27d4eb4f));
  for (guint i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&x);
}

static inline guint64
rotl64 (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna): fast, 256 bits of state, good statistical quality. */
static inline guint64
rng_next (DgRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl64 (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl64 (s[3], 45);
  return result;
}

/* A draw in [0, span) by multiply-shift; span 0 stands for 2^64. */
static inline guint64
rng_below (DgRng *rng, guint64 span)
{
  guint64 r = rng_next (rng);

  if (span == 0)
    return r;
  return (guint64) (((unsigned __int128) r * span) >> 64);
}

/* ---- option parsing ---------------------------------------------------------------- */

static const char *const datagen_known[] = {
  "connector", "rows-per-second", "number-of-rows", "seed", "datagen.base-time",
  "scan.parallelism", NULL,
};

static gboolean
collect_field_option (RtDatagenSource *self, const PlanTable *table, const char *key,
                      const char *value, GError **error)
{
  const char *rest = key + strlen ("fields.");
  const char *dot = strrchr (rest, '.');
  g_autofree char *column = NULL;
  const char *opt;
  DgSpec *spec;
  int index;

  if (dot == NULL || dot == rest)
    return rt__option_error (error, table, key, NULL,
                             "field options look like 'fields.<column>.kind'");
  column = g_strndup (rest, dot - rest);
  opt = dot + 1;
  index = plan_schema_find (table->schema, column);
  if (index < 0)
    return rt__option_error (error, table, key, NULL, "the table has no column '%s'",
                             column);
  spec = &self->specs[index];
  if (strcmp (opt, "kind") == 0)
    spec->kind_s = value;
  else if (strcmp (opt, "start") == 0)
    spec->start_s = value;
  else if (strcmp (opt, "end") == 0)
    spec->end_s = value;
  else if (strcmp (opt, "min") == 0)
    spec->min_s = value;
  else if (strcmp (opt, "max") == 0)
    spec->max_s = value;
  else if (strcmp (opt, "length") == 0)
    spec->length_s = value;
  else if (strcmp (opt, "var-len") == 0)
    spec->var_len_s = value;
  else if (strcmp (opt, "max-past") == 0)
    spec->max_past_s = value;
  else if (strcmp (opt, "null-rate") == 0)
    spec->null_rate_s = value;
  else
    return rt__option_error (error, table, key, NULL,
                             "field options are kind, start, end, min, max, length, "
                             "var-len, max-past and null-rate");
  return TRUE;
}

static gint64
pow10_i64 (guint n)
{
  gint64 p = 1;

  for (guint i = 0; i < n && i < 18; i++)
    p *= 10;
  return p;
}

/* Parses one bound (min, max, start, end) of spec's type into storage units. */
static gboolean
parse_bound (const PlanTable *table, const DgSpec *spec, const char *opt, const char *value,
             gint64 *out, double *dout, GError **error)
{
  g_autofree char *key = g_strdup_printf ("fields.%s.%s", spec->name, opt);
  guint precision;
  gint32 days;
  gint64 limit;

  switch (spec->type.kind)
    {
    case PLAN_TYPE_INT:
      return rt__option_int64 (table, key, value, G_MININT32, G_MAXINT32, out, error);
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_VARCHAR:
    case PLAN_TYPE_INTERVAL:
      return rt__option_int64 (table, key, value, G_MININT64, G_MAXINT64, out, error);
    case PLAN_TYPE_DOUBLE:
      return rt__option_double (table, key, value, dout, error);
    case PLAN_TYPE_DECIMAL:
      precision = spec->type.precision ? spec->type.precision : 18;
      limit = pow10_i64 (precision) - 1;
      if (!plan_parse_decimal (value, strlen (value), spec->type.scale, out)
          || *out > limit || *out < -limit)
        return rt__option_error (error, table, key, value, "expected a DECIMAL(%u, %u)",
                                 precision, spec->type.scale);
      return TRUE;
    case PLAN_TYPE_DATE:
      if (!plan_parse_date (value, strlen (value), &days))
        return rt__option_error (error, table, key, value, "expected a date 'YYYY-MM-DD'");
      *out = days;
      return TRUE;
    case PLAN_TYPE_TIMESTAMP:
      if (!plan_parse_timestamp (value, strlen (value), out))
        return rt__option_error (error, table, key, value,
                                 "expected a timestamp 'YYYY-MM-DD HH:MM:SS'");
      return TRUE;
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_BOOLEAN:
    default:
      return rt__option_error (error, table, key, value, "column '%s' is %s", spec->name,
                               plan_type_kind_name (spec->type.kind));
    }
}

/* Rejects an option that does not apply to the field's kind or type. */
static gboolean
reject_option (const PlanTable *table, const DgSpec *spec, const char *opt,
               const char *value, const char *why, GError **error)
{
  g_autofree char *key = NULL;

  if (value == NULL)
    return TRUE;
  key = g_strdup_printf ("fields.%s.%s", spec->name, opt);
  return rt__option_error (error, table, key, value, "%s", why);
}

static gboolean
finish_sequence (const PlanTable *table, DgSpec *spec, GError **error)
{
  const char *only_random = "it applies to 'random' fields, this one is a 'sequence'";
  gint64 end = 0;
  double dend = 0;

  if (!reject_option (table, spec, "min", spec->min_s, only_random, error)
      || !reject_option (table, spec, "max", spec->max_s, only_random, error)
      || !reject_option (table, spec, "length", spec->length_s, only_random, error)
      || !reject_option (table, spec, "var-len", spec->var_len_s, only_random, error)
      || !reject_option (table, spec, "max-past", spec->max_past_s, only_random, error))
    return FALSE;
  switch (spec->type.kind)
    {
    case PLAN_TYPE_INT: case PLAN_TYPE_BIGINT: case PLAN_TYPE_DOUBLE:
    case PLAN_TYPE_DECIMAL: case PLAN_TYPE_VARCHAR:
      break;
    case PLAN_TYPE_NULL: case PLAN_TYPE_BOOLEAN: case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP: case PLAN_TYPE_INTERVAL:
    default:
      return reject_option (table, spec, "kind", spec->kind_s,
                            "a sequence needs a numeric or VARCHAR column", error);
    }
  if (spec->start_s == NULL || spec->end_s == NULL)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR,
                   "Missing option 'fields.%s.%s' for table '%s': a sequence field needs "
                   "both 'start' and 'end'", spec->name,
                   spec->start_s == NULL ? "start" : "end", table->name);
      return FALSE;
    }
  if (!parse_bound (table, spec, "start", spec->start_s, &spec->start, &spec->dstart, error)
      || !parse_bound (table, spec, "end", spec->end_s, &end, &dend, error))
    return FALSE;
  spec->unit = spec->type.kind == PLAN_TYPE_DECIMAL ? pow10_i64 (spec->type.scale) : 1;
  if (spec->type.kind == PLAN_TYPE_DOUBLE)
    {
      if (dend < spec->dstart)
        return reject_option (table, spec, "end", spec->end_s, "expected end >= start",
                              error);
      spec->seq_len = dend - spec->dstart >= 1e18 ? G_MAXUINT64
                      : (guint64) floor (dend - spec->dstart) + 1;
      return TRUE;
    }
  if (end < spec->start)
    return reject_option (table, spec, "end", spec->end_s, "expected end >= start", error);
  spec->seq_len = ((guint64) end - (guint64) spec->start) / (guint64) spec->unit + 1;
  if (spec->seq_len == 0) /* the whole BIGINT range: 2^64 values */
    spec->seq_len = G_MAXUINT64;
  return TRUE;
}

static gboolean
random_defaults (const PlanTable *table, DgSpec *spec, GError **error)
{
  guint precision = spec->type.precision ? spec->type.precision : 18;
  const char *no_range = "min and max apply to numeric, DATE and TIMESTAMP columns";

  switch (spec->type.kind)
    {
    case PLAN_TYPE_INT:
      spec->min = G_MININT32, spec->max = G_MAXINT32;
      break;
    case PLAN_TYPE_BIGINT:
      spec->min = G_MININT64, spec->max = G_MAXINT64;
      break;
    case PLAN_TYPE_DOUBLE:
      spec->dmin = 0, spec->dmax = 1;
      break;
    case PLAN_TYPE_DECIMAL:
      spec->max = pow10_i64 (precision) - 1, spec->min = -spec->max;
      break;
    case PLAN_TYPE_INTERVAL:
      spec->min = 0, spec->max = 86400000;
      break;
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
      spec->has_max_past = spec->min_s == NULL && spec->max_s == NULL;
      spec->min = spec->type.kind == PLAN_TYPE_DATE ? G_MININT32 : G_MININT64 / 2;
      spec->max = spec->type.kind == PLAN_TYPE_DATE ? G_MAXINT32 : G_MAXINT64 / 2;
      break;
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_BOOLEAN:
    case PLAN_TYPE_VARCHAR:
    default:
      return reject_option (table, spec, "min", spec->min_s, no_range, error)
             && reject_option (table, spec, "max", spec->max_s, no_range, error);
    }
  return TRUE;
}

static gboolean
finish_random (const PlanTable *table, DgSpec *spec, GError **error)
{
  const char *only_seq = "it applies to 'sequence' fields, this one is 'random'";
  const char *only_str = "it applies to VARCHAR columns";
  const char *only_time = "it applies to DATE and TIMESTAMP columns";
  gboolean is_time = spec->type.kind == PLAN_TYPE_DATE
                     || spec->type.kind == PLAN_TYPE_TIMESTAMP;
  gboolean is_str = spec->type.kind == PLAN_TYPE_VARCHAR;
  gint64 v;

  if (!reject_option (table, spec, "start", spec->start_s, only_seq, error)
      || !reject_option (table, spec, "end", spec->end_s, only_seq, error)
      || (!is_str && !reject_option (table, spec, "length", spec->length_s, only_str, error))
      || (!is_str && !reject_option (table, spec, "var-len", spec->var_len_s, only_str,
                                     error))
      || (!is_time && !reject_option (table, spec, "max-past", spec->max_past_s, only_time,
                                      error))
      || !random_defaults (table, spec, error))
    return FALSE;
  if (spec->min_s != NULL
      && !parse_bound (table, spec, "min", spec->min_s, &spec->min, &spec->dmin, error))
    return FALSE;
  if (spec->max_s != NULL
      && !parse_bound (table, spec, "max", spec->max_s, &spec->max, &spec->dmax, error))
    return FALSE;
  if (spec->min > spec->max || spec->dmin > spec->dmax)
    return reject_option (table, spec, "max", spec->max_s, "expected max >= min", error);
  if (spec->max_past_s != NULL)
    {
      g_autofree char *key = g_strdup_printf ("fields.%s.max-past", spec->name);

      if (!spec->has_max_past)
        return rt__option_error (error, table, key, spec->max_past_s,
                                 "use either max-past or min/max");
      if (!rt__option_duration (table, key, spec->max_past_s, &spec->max_past_ms, error))
        return FALSE;
    }
  spec->length = 100;
  if (spec->length_s != NULL)
    {
      g_autofree char *key = g_strdup_printf ("fields.%s.length", spec->name);

      if (!rt__option_int64 (table, key, spec->length_s, 0, 1 << 20, &v, error))
        return FALSE;
      spec->length = (guint) v;
    }
  if (spec->var_len_s != NULL)
    {
      g_autofree char *key = g_strdup_printf ("fields.%s.var-len", spec->name);

      if (!rt__option_bool (table, key, spec->var_len_s, &spec->var_len, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
finish_spec (const PlanTable *table, DgSpec *spec, GError **error)
{
  if (spec->kind_s == NULL || strcmp (spec->kind_s, "random") == 0)
    spec->kind = DG_RANDOM;
  else if (strcmp (spec->kind_s, "sequence") == 0)
    spec->kind = DG_SEQUENCE;
  else
    return reject_option (table, spec, "kind", spec->kind_s,
                          "expected 'random' or 'sequence'", error);
  if (spec->kind == DG_SEQUENCE ? !finish_sequence (table, spec, error)
                                : !finish_random (table, spec, error))
    return FALSE;
  if (spec->null_rate_s != NULL)
    {
      g_autofree char *key = g_strdup_printf ("fields.%s.null-rate", spec->name);
      double rate = 0;

      if (!rt__option_double (table, key, spec->null_rate_s, &rate, error))
        return FALSE;
      if (rate < 0 || rate > 1)
        return rt__option_error (error, table, key, spec->null_rate_s,
                                 "expected a number from 0 to 1");
      if (rate > 0 && !spec->type.nullable)
        return rt__option_error (error, table, key, spec->null_rate_s,
                                 "column '%s' is NOT NULL", spec->name);
      spec->all_null = rate >= 1;
      spec->null_threshold = spec->all_null ? 0 : (guint64) (rate * 18446744073709551616.0);
    }
  return TRUE;
}

/* Reads the table-level options and every field's options; sets the row count. */
static gboolean
datagen_configure (RtDatagenSource *self, const PlanTable *table, guint parallelism,
                   gint64 *seed, GError **error)
{
  double rps = 10000;
  gint64 rows = -1;
  guint64 total = G_MAXUINT64;

  if (!rt__options_check_known (table, "datagen", datagen_known, "fields.", error))
    return FALSE;
  for (guint i = 0; i + 1 < table->options->len; i += 2)
    {
      const char *key = g_ptr_array_index (table->options, i);
      const char *value = g_ptr_array_index (table->options, i + 1);
      gboolean ok = TRUE;

      if (g_str_has_prefix (key, "fields."))
        ok = collect_field_option (self, table, key, value, error);
      else if (strcmp (key, "rows-per-second") == 0)
        {
          ok = rt__option_double (table, key, value, &rps, error);
          if (ok && !(rps >= 0 && rps < 1e15))
            ok = rt__option_error (error, table, key, value,
                                   "expected a rate of rows per second, 0 or more");
        }
      else if (strcmp (key, "number-of-rows") == 0)
        ok = rt__option_int64 (table, key, value, 0, G_MAXINT64, &rows, error);
      else if (strcmp (key, "seed") == 0)
        ok = rt__option_int64 (table, key, value, G_MININT64, G_MAXINT64, seed, error);
      else if (strcmp (key, "datagen.base-time") == 0)
        {
          self->has_base_time = TRUE;
          if (!plan_parse_timestamp (value, strlen (value), &self->base_time_ms))
            ok = rt__option_error (error, table, key, value,
                                   "expected a timestamp 'YYYY-MM-DD HH:MM:SS'");
        }
      if (!ok)
        return FALSE;
    }
  for (guint c = 0; c < self->n_specs; c++)
    {
      if (!finish_spec (table, &self->specs[c], error))
        return FALSE;
      if (self->specs[c].kind == DG_SEQUENCE)
        total = MIN (total, self->specs[c].seq_len);
    }
  if (rows >= 0)
    total = MIN (total, (guint64) rows);
  self->bounded = total != G_MAXUINT64;
  self->total = total;
  self->rate = rps / parallelism;
  return TRUE;
}

/* ---- generation -------------------------------------------------------------------- */

static void
fill_int_range (DgRng *rng_in, RtVector *v, guint n, gint64 min, gint64 max)
{
  DgRng rng = *rng_in;
  guint64 span = (guint64) max - (guint64) min + 1;

  if (plan_type_storage_size (v->kind) == 4)
    {
      gint32 *out = v->data;

      for (guint r = 0; r < n; r++)
        out[r] = (gint32) (min + (gint64) rng_below (&rng, span));
    }
  else
    {
      gint64 *out = v->data;

      for (guint r = 0; r < n; r++)
        out[r] = (gint64) ((guint64) min + rng_below (&rng, span));
    }
  *rng_in = rng;
}

static gboolean
fill_varchar (RtDatagenSource *self, DgColumn *col, RtBatch *batch, guint64 g0, guint n,
              GError **error)
{
  static const char hex[] = "0123456789abcdef";
  DgSpec *spec = col->spec;
  RtStr *out = batch->cols[col->out_col].data;
  GError *local = NULL;

  if (self->strbuf_cap < spec->length + 24)
    {
      self->strbuf_cap = spec->length + 24;
      self->strbuf = g_realloc (self->strbuf, self->strbuf_cap);
    }
  for (guint r = 0; r < n && local == NULL; r++)
    {
      gsize len = spec->length;

      if (spec->kind == DG_SEQUENCE)
        len = g_snprintf (self->strbuf, self->strbuf_cap, "%" G_GINT64_FORMAT,
                          (gint64) ((guint64) spec->start + g0 + r));
      else
        {
          if (spec->var_len && spec->length > 0)
            len = 1 + rng_below (&col->rng, spec->length);
          for (gsize i = 0; i < len; i += 16)
            {
              guint64 bits = rng_next (&col->rng);

              for (gsize j = i; j < len && j < i + 16; j++, bits >>= 4)
                self->strbuf[j] = hex[bits & 15];
            }
        }
      out[r] = rt_batch_intern (batch, self->strbuf, len, &local);
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

static void
fill_sequence (DgColumn *col, RtVector *v, guint64 g0, guint n)
{
  DgSpec *spec = col->spec;

  switch (v->kind)
    {
    case PLAN_TYPE_INT:
      for (guint r = 0; r < n; r++)
        ((gint32 *) v->data)[r] = (gint32) (spec->start + (gint64) (g0 + r));
      break;
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
      for (guint r = 0; r < n; r++)
        ((gint64 *) v->data)[r] = (gint64) ((guint64) spec->start
                                            + (g0 + r) * (guint64) spec->unit);
      break;
    case PLAN_TYPE_DOUBLE:
      for (guint r = 0; r < n; r++)
        ((double *) v->data)[r] = spec->dstart + (double) (g0 + r);
      break;
    case PLAN_TYPE_NULL: case PLAN_TYPE_BOOLEAN: case PLAN_TYPE_VARCHAR:
    case PLAN_TYPE_DATE: case PLAN_TYPE_TIMESTAMP: case PLAN_TYPE_INTERVAL:
    default:
      g_assert_not_reached (); /* rejected by finish_sequence; VARCHAR has its own path */
    }
}

static void
fill_random (RtDatagenSource *self, DgColumn *col, RtVector *v, guint n, gint64 now_ms)
{
  DgSpec *spec = col->spec;
  gint64 base;

  switch (v->kind)
    {
    case PLAN_TYPE_BOOLEAN:
      for (guint r = 0; r < n; r++)
        ((guint8 *) v->data)[r] = (guint8) (rng_next (&col->rng) >> 63);
      break;
    case PLAN_TYPE_DOUBLE:
      {
        DgRng rng = col->rng;
        double *out = v->data;
        double width = spec->dmax - spec->dmin;

        for (guint r = 0; r < n; r++)
          out[r] = spec->dmin + width * ((double) (rng_next (&rng) >> 11) * 0x1.0p-53);
        col->rng = rng;
      }
      break;
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
      if (spec->has_max_past)
        {
          base = self->has_base_time ? self->base_time_ms : now_ms;
          if (v->kind == PLAN_TYPE_DATE)
            {
              base = base >= 0 ? base / 86400000 : -((-base + 86399999) / 86400000);
              fill_int_range (&col->rng, v, n, base - spec->max_past_ms / 86400000, base);
            }
          else
            fill_int_range (&col->rng, v, n, base - spec->max_past_ms, base);
          break;
        }
      fill_int_range (&col->rng, v, n, spec->min, spec->max);
      break;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_INTERVAL:
      fill_int_range (&col->rng, v, n, spec->min, spec->max);
      break;
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_VARCHAR:
    default:
      g_assert_not_reached (); /* VARCHAR has its own path; NULL columns are all NULL */
    }
}

static void
fill_nulls (DgColumn *col, RtVector *v, guint n)
{
  if (col->spec->all_null || v->kind == PLAN_TYPE_NULL)
    {
      for (guint r = 0; r < n; r++)
        rt_vec_set_null (v, r);
      return;
    }
  if (col->spec->null_threshold == 0)
    return;
  for (guint r = 0; r < n; r++)
    if (rng_next (&col->null_rng) < col->spec->null_threshold)
      rt_vec_set_null (v, r);
}

static gboolean
fill_column (RtDatagenSource *self, DgColumn *col, RtBatch *batch, guint64 g0, guint n,
             gint64 now_ms, GError **error)
{
  RtVector *v = &batch->cols[col->out_col];

  if (v->kind == PLAN_TYPE_VARCHAR)
    {
      if (!col->spec->all_null && !fill_varchar (self, col, batch, g0, n, error))
        return FALSE;
    }
  else if (v->kind == PLAN_TYPE_NULL || col->spec->all_null)
    ; /* values are irrelevant */
  else if (col->spec->kind == DG_SEQUENCE)
    fill_sequence (col, v, g0, n);
  else
    fill_random (self, col, v, n, now_ms);
  fill_nulls (col, v, n);
  return TRUE;
}

/* Decides how many rows (*n, at most its input) may go now. FALSE: wait until
 * ctx->wake_at_us. */
static gboolean
datagen_pace (RtDatagenSource *self, RtOpContext *ctx, guint64 *n)
{
  gint64 now = g_get_monotonic_time ();
  guint64 chunk = (guint64) CLAMP (self->rate / 20, 1, (double) ctx->batch_size);
  double burst = MAX (self->rate, (double) chunk);
  guint64 want = MIN (*n, chunk);
  double avail;

  if (self->t0_us == 0)
    self->t0_us = now;
  avail = floor (self->rate * (double) (now - self->t0_us) / 1e6) + 1 - (double) self->paced;
  if (avail > burst)
    {
      /* The consumer held us up: forget the credit beyond a second's worth. */
      self->t0_us += (gint64) ((avail - burst) * 1e6 / self->rate);
      avail = burst;
    }
  if (avail >= (double) want)
    {
      *n = MIN (*n, (guint64) avail);
      self->paced += *n;
      return TRUE;
    }
  ctx->wake_at_us = self->t0_us
                    + (gint64) ceil ((double) (self->paced + want - 1) * 1e6 / self->rate);
  if (ctx->wake_at_us <= now)
    ctx->wake_at_us = now + 1;
  return FALSE;
}

static gboolean next_split (RtDatagenSource *self); /* added by checkpoints */

static RtResult
datagen_produce (RtOperator *op, GError **error)
{
  RtDatagenSource *self = (RtDatagenSource *) op;
  RtOpContext *ctx = op->ctx;
  g_autoptr (RtBatch) batch = NULL;
  guint64 n;
  gint64 now_ms = 0;
  RtResult res;

  if (self->remaining == 0 && !next_split (self))
    return RT_DONE;
  n = MIN (self->remaining, (guint64) ctx->batch_size);
  if (self->rate > 0 && !datagen_pace (self, ctx, &n))
    return RT_WAIT;
  batch = rt_batch_new (ctx->pool, self->schema, ctx->batch_size, error);
  if (batch == NULL)
    return RT_FAIL;
  if (!self->has_base_time)
    now_ms = g_get_real_time () / 1000 + self->local_offset_ms;
  for (guint c = 0; c < self->n_cols; c++)
    if (!fill_column (self, &self->cols[c], batch, self->next, (guint) n, now_ms, error))
      return RT_FAIL;
  batch->n_rows = (guint) n;
  self->next += n;
  if (self->bounded)
    self->remaining -= n;
  op->rows_in += n;
  res = rt__source_emit (op, &self->filter, batch, error);
  if (res == RT_OK && self->remaining == 0 && !next_split (self))
    res = RT_DONE;
  return res;
}

/* ---- checkpoints ------------------------------------------------------------------- *
 * A subtask's rows are a split: the global index of its next row, the rows left and the
 * random streams of its columns. Each split is one list entry, so restoring at another
 * parallelism deals the splits out round robin and a subtask may read several in turn
 * (or none, and end at once). Values depend only on the split, so a restored run emits
 * exactly the rows the failed one had not yet emitted at the checkpoint. */

typedef struct {
  guint64 next, remaining;
  DgRng *rngs; /* owned: rng and null_rng of each column */
} DgSplit;

static void
split_put (RtDatagenSource *self, RtStateOut *out, guint64 next, guint64 remaining,
           const DgRng *rngs)
{
  rt_state_begin (out, RT_STATE_LIST);
  rt_state_put_u64 (out, next);
  rt_state_put_u64 (out, remaining);
  rt_state_put_u64 (out, self->n_cols);
  rt_state_put_bytes (out, rngs, sizeof (DgRng) * 2 * self->n_cols);
  rt_state_end (out);
}

static gboolean
datagen_snapshot (RtOperator *op, gint64 id, RtStateOut *out, GError **error)
{
  RtDatagenSource *self = (RtDatagenSource *) op;
  g_autofree DgRng *rngs = g_new (DgRng, 2 * MAX (self->n_cols, 1u));

  for (guint c = 0; c < self->n_cols; c++)
    {
      rngs[2 * c] = self->cols[c].rng;
      rngs[2 * c + 1] = self->cols[c].null_rng;
    }
  if (self->remaining > 0)
    split_put (self, out, self->next, self->remaining, rngs);
  for (guint i = 0; self->queued != NULL && i < self->queued->len; i++)
    {
      DgSplit *sp = &g_array_index (self->queued, DgSplit, i);
      split_put (self, out, sp->next, sp->remaining, sp->rngs);
    }
  return TRUE;
}

/* Makes the next queued split the current one; FALSE when none is left. */
static gboolean
next_split (RtDatagenSource *self)
{
  DgSplit *sp;

  if (self->queued == NULL || self->queued->len == 0)
    return FALSE;
  sp = &g_array_index (self->queued, DgSplit, 0);
  self->next = sp->next;
  self->remaining = sp->remaining;
  for (guint c = 0; c < self->n_cols; c++)
    {
      self->cols[c].rng = sp->rngs[2 * c];
      self->cols[c].null_rng = sp->rngs[2 * c + 1];
    }
  g_free (sp->rngs);
  g_array_remove_index (self->queued, 0);
  return TRUE;
}

static gboolean
datagen_restore (RtOperator *op, RtStateIn *in, GError **error)
{
  RtDatagenSource *self = (RtDatagenSource *) op;

  if (self->queued == NULL)
    self->queued = g_array_new (FALSE, FALSE, sizeof (DgSplit));
  while (rt_state_next (in, NULL))
    {
      DgSplit sp = { 0 };
      guint64 n_cols = 0;
      const guint8 *data;
      gsize len;

      if (!rt_state_get_u64 (in, &sp.next) || !rt_state_get_u64 (in, &sp.remaining)
          || !rt_state_get_u64 (in, &n_cols) || n_cols != self->n_cols
          || !rt_state_get_bytes (in, &data, &len) || len != sizeof (DgRng) * 2 * n_cols)
        return rt_state_malformed (in, op, error);
      sp.rngs = g_memdup2 (data, MAX (len, 1u));
      g_array_append_val (self->queued, sp);
    }
  self->remaining = 0; /* the restored splits replace this subtask's fresh one */
  next_split (self);
  return TRUE;
}

static void
datagen_close (RtOperator *op)
{
  RtDatagenSource *self = (RtDatagenSource *) op;

  while (self->queued != NULL && self->queued->len > 0)
    {
      g_free (g_array_index (self->queued, DgSplit, 0).rngs);
      g_array_remove_index (self->queued, 0);
    }
  g_clear_pointer (&self->queued, g_array_unref);

  g_clear_pointer (&self->schema, plan_schema_unref);
  g_clear_pointer (&self->specs, g_free);
  g_clear_pointer (&self->cols, g_free);
  g_clear_pointer (&self->strbuf, g_free);
  rt__source_filter_clear (&self->filter);
}

static const RtOperatorClass datagen_class = {
  .name = "datagen",
  .instance_size = sizeof (RtDatagenSource),
  .produce = datagen_produce,
  .close = datagen_close,
  .snapshot = datagen_snapshot, /* added by checkpoints */
  .restore = datagen_restore,
};

static gint64
local_utc_offset_ms (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  return now != NULL ? g_date_time_get_utc_offset (now) / 1000 : 0;
}

RtOperator *
rt__source_datagen_new (const PlanPhysNode *node, guint subtask, guint parallelism,
                        GError **error)
{
  const PlanTable *table = node->u.source.table;
  RtDatagenSource *self;
  gint64 seed = 0;

  self = (RtDatagenSource *) rt_operator_new (&datagen_class, node->id);
  self->schema = plan_schema_ref (node->schema);
  self->n_specs = table->schema->n_fields;
  self->specs = g_new0 (DgSpec, self->n_specs);
  for (guint c = 0; c < self->n_specs; c++)
    {
      self->specs[c].name = table->schema->fields[c].name;
      self->specs[c].type = table->schema->fields[c].type;
    }
  if (!datagen_configure (self, table, parallelism, &seed, error)
      || !rt__source_filter_init (&self->filter, node, error))
    {
      rt_operator_free (&self->base);
      return NULL;
    }
  self->n_cols = node->u.source.n_columns;
  self->cols = g_new0 (DgColumn, self->n_cols);
  for (guint i = 0; i < self->n_cols; i++)
    {
      guint tc = node->u.source.columns[i];

      g_assert (tc < self->n_specs);
      self->cols[i].spec = &self->specs[tc];
      self->cols[i].out_col = i;
      rng_seed (&self->cols[i].rng, (guint64) seed, subtask, tc, 0);
      rng_seed (&self->cols[i].null_rng, (guint64) seed, subtask, tc, 1);
    }
  self->local_offset_ms = local_utc_offset_ms ();
  if (self->bounded)
    rt__source_share (self->total, subtask, parallelism, &self->next,
                      &self->remaining);
  else
    self->remaining = G_MAXUINT64;
  return &self->base;
}
