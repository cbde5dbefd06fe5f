/* rt-sink.c: the 'print' and 'blackhole' sink connectors (rt_sink_new).
 *
 * print writes one line per row the way Flink's print connector does: the row kind in
 * its short form and the values in brackets, "+I[1, Alice, 2.50]", NULL as "null" and
 * booleans as "true"/"false" (Java's Row.toString), other values as strom renders them
 * (plan_value_to_string, strings unquoted; timestamps use a space, not Java's 'T').
 * The prefix follows Flink: "<id>:<subtask+1>> " with 'print-identifier' and
 * parallelism > 1, "<id>> " with an identifier alone, "<subtask+1>> " with parallelism
 * > 1 alone, nothing otherwise. Output goes to stdout, or stderr with 'standard-error' =
 * 'true'. A whole batch is formatted into one buffer and written with one fwrite and one
 * fflush, so lines of parallel subtasks never interleave within a line and a watching
 * user sees each batch as soon as it is processed.
 *
 * blackhole counts the rows and drops them: the sink of throughput benchmarks. With
 * 'throttle.rows-per-second' (a strom extension) it takes rows no faster than that, the
 * slow sink of backpressure experiments. */
#include "rt-source-private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  RtOperator base;
  FILE *out;        /* borrowed: stdout or stderr */
  char *prefix;     /* owned */
  GString *text;    /* owned: the batch being formatted */
} RtPrintSink;

typedef struct {
  RtOperator base;
  guint64 rows;     /* rows swallowed */
  double throttle;  /* added by checkpoints: rows per second it takes at most; 0: no limit */
  gint64 t0_us;     /* when the first row came */
} RtBlackholeSink;

/* ---- print ------------------------------------------------------------------------- */

static void
append_cell (GString *text, const RtBatch *batch, guint col, guint row)
{
  const RtVector *v = &batch->cols[col];
  PlanValue value = { 0 };
  char *s;

  if (!rt_vec_is_valid (v, row))
    {
      g_string_append (text, "null");
      return;
    }
  switch (v->kind)
    {
    case PLAN_TYPE_BOOLEAN:
      g_string_append (text, ((const guint8 *) v->data)[row] ? "true" : "false");
      return;
    case PLAN_TYPE_INT:
      g_string_append_printf (text, "%d", (int) ((const gint32 *) v->data)[row]);
      return;
    case PLAN_TYPE_BIGINT:
      g_string_append_printf (text, "%" G_GINT64_FORMAT, ((const gint64 *) v->data)[row]);
      return;
    case PLAN_TYPE_VARCHAR:
      {
        const RtStr *str = &((const RtStr *) v->data)[row];

        g_string_append_len (text, str->ptr, str->len);
      }
      return;
    case PLAN_TYPE_NULL:
      g_string_append (text, "null");
      return;
    case PLAN_TYPE_DOUBLE:
    case PLAN_TYPE_DECIMAL:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
    default:
      break;
    }
  /* The rest as the plan layer renders them (DECIMAL needs the schema's scale). */
  rt_batch_get_value (batch, col, row, &value);
  s = plan_value_to_string (&value, FALSE);
  g_string_append (text, s);
  g_free (s);
  plan_value_clear (&value);
}

static RtResult
print_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtPrintSink *self = (RtPrintSink *) op;
  GString *text = self->text;

  g_string_truncate (text, 0);
  for (guint r = 0; r < batch->n_rows; r++)
    {
      g_string_append (text, self->prefix);
      g_string_append (text, rt_row_kind_short ((RtRowKind) batch->kinds[r]));
      g_string_append_c (text, '[');
      for (guint c = 0; c < batch->n_cols; c++)
        {
          if (c > 0)
            g_string_append (text, ", ");
          append_cell (text, batch, c, r);
        }
      g_string_append (text, "]\n");
    }
  if (fwrite (text->str, 1, text->len, self->out) != text->len || fflush (self->out) != 0)
    {
      int saved = errno;

      g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR,
                   "The print sink cannot write to standard %s: %s",
                   self->out == stderr ? "error" : "output", g_strerror (saved));
      return RT_FAIL;
    }
  return RT_OK;
}

static void
print_close (RtOperator *op)
{
  RtPrintSink *self = (RtPrintSink *) op;

  g_clear_pointer (&self->prefix, g_free);
  if (self->text != NULL)
    g_string_free (self->text, TRUE);
  self->text = NULL;
}

static const RtOperatorClass print_class = {
  .name = "print",
  .instance_size = sizeof (RtPrintSink),
  .process = print_process,
  .close = print_close,
  .stateless = TRUE, /* added by checkpoints */
};

static const char *const print_known[] = {
  "connector", "print-identifier", "standard-error", "sink.parallelism", NULL,
};

static RtOperator *
print_new (const PlanPhysNode *node, guint subtask, GError **error)
{
  const PlanTable *table = node->u.sink.table;
  const char *id = NULL;
  const char *v;
  gboolean to_stderr = FALSE;
  RtPrintSink *self;

  if (table != NULL)
    {
      if (!rt__options_check_known (table, "print", print_known, NULL, error))
        return NULL;
      id = plan_table_get_option (table, "print-identifier");
      v = plan_table_get_option (table, "standard-error");
      if (v != NULL && !rt__option_bool (table, "standard-error", v, &to_stderr, error))
        return NULL;
    }
  self = (RtPrintSink *) rt_operator_new (&print_class, node->id);
  self->out = to_stderr ? stderr : stdout;
  self->text = g_string_sized_new (4096);
  if (id != NULL && id[0] != '\0')
    self->prefix = node->parallelism > 1 ? g_strdup_printf ("%s:%u> ", id, subtask + 1)
                                         : g_strdup_printf ("%s> ", id);
  else
    self->prefix = node->parallelism > 1 ? g_strdup_printf ("%u> ", subtask + 1)
                                         : g_strdup ("");
  return &self->base;
}

/* ---- blackhole --------------------------------------------------------------------- */

static RtResult
blackhole_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtBlackholeSink *self = (RtBlackholeSink *) op;

  self->rows += batch->n_rows;
  if (self->throttle > 0)
    {
      /* a deliberately slow sink, like a slow external system: the task blocks */
      gint64 now = g_get_monotonic_time (), due;

      if (self->t0_us == 0)
        self->t0_us = now;
      due = self->t0_us + (gint64) ((double) self->rows * 1e6 / self->throttle);
      while (now < due && !g_atomic_int_get (op->ctx->cancelled))
        {
          g_usleep ((gulong) MIN (due - now, 10000));
          now = g_get_monotonic_time ();
        }
    }
  return RT_OK;
}

static const RtOperatorClass blackhole_class = {
  .name = "blackhole",
  .instance_size = sizeof (RtBlackholeSink),
  .process = blackhole_process,
  .stateless = TRUE, /* added by checkpoints */
};

static const char *const blackhole_known[] = {
  "connector", "sink.parallelism", "throttle.rows-per-second", NULL,
};

static RtOperator *
blackhole_new (const PlanPhysNode *node, GError **error)
{
  const PlanTable *table = node->u.sink.table;
  RtBlackholeSink *self;
  const char *v;
  double rate = 0;

  if (table != NULL
      && !rt__options_check_known (table, "blackhole", blackhole_known, NULL, error))
    return NULL;
  /* added by checkpoints: 'throttle.rows-per-second' (a strom extension) makes a slow sink
   * per subtask, for backpressure experiments */
  if (table != NULL && (v = plan_table_get_option (table, "throttle.rows-per-second")) != NULL
      && !rt__option_double (table, "throttle.rows-per-second", v, &rate, error))
    return NULL;
  if (rate < 0)
    {
      rt__option_error (error, table, "throttle.rows-per-second", v,
                        "a number of rows per second, 0 for no limit");
      return NULL;
    }
  self = (RtBlackholeSink *) rt_operator_new (&blackhole_class, node->id);
  self->throttle = rate;
  return &self->base;
}

/* ---- dispatch ---------------------------------------------------------------------- */

RtOperator *
rt_sink_new (const PlanPhysNode *node, guint subtask, GError **error)
{
  g_return_val_if_fail (node != NULL && node->kind == PLAN_PHYS_SINK, NULL);

  switch (node->u.sink.sink)
    {
    case PLAN_SINK_PRINT:
      return print_new (node, subtask, error);
    case PLAN_SINK_BLACKHOLE:
      return blackhole_new (node, error);
    case PLAN_SINK_FILESYSTEM: /* added by checkpoints: rt-sink-fs.c */
      return rt__sink_fs_new (node, subtask, error);
    case PLAN_SINK_JDBC: /* added by jdbc sink: rt-sink-sqlite.c */
      return rt__sink_sqlite_new (node, subtask, error);
    case PLAN_SINK_COLLECT:
    default:
      g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR,
                   "Table '%s' cannot be written yet: strom's sinks are 'print', "
                   "'blackhole' and 'filesystem' (and query results to the client)",
                   node->u.sink.table != NULL ? node->u.sink.table->name : "(result)");
      return NULL;
    }
}
