/* studio-results.h: a job's result rows as a GListStore for a GtkColumnView.
 *
 * Each row is a GtkStringList of its values as text, so a column's factory reads string
 * i of its row. Changelogs are applied as they come: +I and +U append, -U and -D remove
 * the first row with equal values (the engine retracts rows it emitted earlier). Rows
 * are turned into text in the worker thread that fetches them (studio_results_rows_new)
 * and applied to the store in the main context (studio_results_apply). */
#pragma once

#include <gtk/gtk.h>
#include "runtime/gateway/gw-client.h"

G_BEGIN_DECLS

/* A fetched row as text: kind, and n values (owned). */
typedef struct {
  RtRowKind kind;
  GStrv values;
} StudioResultRow;

/* Rows of page as text, in order (GPtrArray of StudioResultRow, owns them). Thread-safe. */
GPtrArray *studio_results_rows_new (GPtrArray *gw_rows);
/* Applies one changelog row to store (of GtkStringList). Returns FALSE when a -U/-D
 * found no equal row (the store is left as it is). */
gboolean studio_results_apply (GListStore *store, RtRowKind kind, const char *const *values);
/* Sets the column view's columns to schema's field names (removing old ones). */
void studio_results_set_columns (GtkColumnView *view, const PlanSchema *schema);

G_END_DECLS
