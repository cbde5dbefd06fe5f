/* rt-source-private.h: what the connector files of the engine share (rt-source.c,
 * rt-source-datagen.c, rt-source-csv.c, rt-sink.c). Not installed, not used outside
 * runtime/engine. */
#pragma once

#include "rt-operator.h"

G_BEGIN_DECLS

/* The pushed-down filter of a source: compiled once, run over each batch before it is
 * emitted. Rows that fail it are removed from the batch in place. */
typedef struct {
  RtProgram *program; /* owned, NULL when the node has no filter */
  guint32 *sel;       /* owned scratch: selected row indices */
  guint sel_cap;
} RtSourceFilter;

gboolean rt__source_filter_init (RtSourceFilter *filter, const PlanPhysNode *node,
                                 GError **error);
void rt__source_filter_clear (RtSourceFilter *filter);
/* Applies the filter to batch (owned by the caller, not yet emitted) and emits what is
 * left through rt_op_emit. Empty batches are not emitted (RT_OK). */
RtResult rt__source_emit (RtOperator *op, RtSourceFilter *filter, RtBatch *batch,
                          GError **error);

/* Subtask `subtask` of `parallelism` gets rows [*offset, *offset + *count) of total. */
void rt__source_share (guint64 total, guint subtask, guint parallelism, guint64 *offset,
                       guint64 *count);

/* Option helpers: each parses `value` strictly and on failure sets RT_ERROR_CONNECTOR
 * "Unsupported option 'KEY' = 'VALUE' for table 'T': <what was expected>". */
gboolean rt__option_error (GError **error, const PlanTable *table, const char *key,
                           const char *value, const char *format, ...) G_GNUC_PRINTF (5, 6);
gboolean rt__option_int64 (const PlanTable *table, const char *key, const char *value,
                           gint64 min, gint64 max, gint64 *out, GError **error);
gboolean rt__option_double (const PlanTable *table, const char *key, const char *value,
                            double *out, GError **error);
gboolean rt__option_bool (const PlanTable *table, const char *key, const char *value,
                          gboolean *out, GError **error);
/* Durations as Flink writes them: '500 ms', '5s', '10 min', '2 h', '1 d'; a bare number
 * is milliseconds. */
gboolean rt__option_duration (const PlanTable *table, const char *key, const char *value,
                              gint64 *out_ms, GError **error);
/* One character: 'x', or the escapes '\t', '\\' and U&'\0009'-style already decoded by
 * the parser; a NUL-free value of exactly one byte. */
gboolean rt__option_char (const PlanTable *table, const char *key, const char *value,
                          char *out, GError **error);
/* Fails on the first option key for which known (NULL-terminated list of exact keys)
 * has no entry and accept_prefix (may be NULL) does not match. */
gboolean rt__options_check_known (const PlanTable *table, const char *connector,
                                  const char *const *known, const char *accept_prefix,
                                  GError **error);

RtOperator *rt__source_datagen_new (const PlanPhysNode *node, guint subtask,
                                    guint parallelism, GError **error);
RtOperator *rt__source_csv_new (const PlanPhysNode *node, guint subtask, guint parallelism,
                                GError **error);
/* added by nexmark (rt-source-nexmark.c) */
RtOperator *rt__source_nexmark_new (const PlanPhysNode *node, guint subtask,
                                    guint parallelism, GError **error);

/* added by checkpoints: the exactly-once filesystem sink (rt-sink-fs.c) */
RtOperator *rt__sink_fs_new (const PlanPhysNode *node, guint subtask, GError **error);

/* added by jdbc sink: the exactly-once SQLite sink, 'connector' = 'jdbc' (rt-sink-sqlite.c) */
RtOperator *rt__sink_sqlite_new (const PlanPhysNode *node, guint subtask, GError **error);

G_END_DECLS
