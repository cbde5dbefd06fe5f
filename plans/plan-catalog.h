/* plan-catalog.h: the session catalog (tables and views by name) and session settings
 * (SET 'key' = 'value'), with the keys strom knows and their validation. */
#pragma once

#include "plan-node.h"

G_BEGIN_DECLS

PlanCatalog *plan_catalog_new (void);
void plan_catalog_free (PlanCatalog *catalog);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PlanCatalog, plan_catalog_free)

/* FALSE with PLAN_ERROR_CATALOG when the name is taken (tables and views share a space). */
gboolean plan_catalog_add_table (PlanCatalog *catalog, PlanTable *table, GError **error);
/* A view is its SQL text plus its bound plan; the plan is referenced. */
gboolean plan_catalog_add_view (PlanCatalog *catalog, const char *name, const char *sql,
                                PlanNode *plan, GError **error);
gboolean plan_catalog_drop (PlanCatalog *catalog, const char *name, gboolean is_view,
                            gboolean if_exists, GError **error);
/* Borrowed; NULL when absent. Names compare case-insensitively. */
PlanTable *plan_catalog_get_table (PlanCatalog *catalog, const char *name);
PlanNode *plan_catalog_get_view (PlanCatalog *catalog, const char *name,
                                 const char **out_sql);
/* Sorted names; caller frees with g_strfreev. */
char **plan_catalog_list_tables (PlanCatalog *catalog);
char **plan_catalog_list_views (PlanCatalog *catalog);

/* ---- settings ---------------------------------------------------------------------- */

/* Known keys (Flink's names): parallelism.default, pipeline.buffer-timeout,
 * taskmanager.memory.managed.size, metrics.latency.interval, execution.runtime-mode,
 * sql-client.execution.result-mode, table.optimizer.disabled-passes (comma list),
 * execution.batch-size (rows per batch). Unknown keys are refused with the list of known
 * ones, as a user would want from a typo. */
PlanSettings *plan_settings_new (void);
void plan_settings_free (PlanSettings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PlanSettings, plan_settings_free)
gboolean plan_settings_set (PlanSettings *settings, const char *key, const char *value,
                            GError **error);
void plan_settings_reset (PlanSettings *settings, const char *key); /* NULL: all */
/* Current value (set or default) as text; borrowed. NULL for unknown keys. */
const char *plan_settings_get (PlanSettings *settings, const char *key);
gint64 plan_settings_get_int (PlanSettings *settings, const char *key);
/* Durations like '100 ms', '1s', '5 min', '0'; returns microseconds. */
gint64 plan_settings_get_duration_us (PlanSettings *settings, const char *key);
/* Sizes like '64m', '128 mb', '1g', '1048576'; returns bytes. */
gint64 plan_settings_get_bytes (PlanSettings *settings, const char *key);
/* Keys in order, for SET without arguments: (key, value) pairs; g_strfreev. */
char **plan_settings_list (PlanSettings *settings);
gboolean plan_parse_duration_us (const char *text, gint64 *out_us);
gboolean plan_parse_bytes (const char *text, gint64 *out_bytes);

G_END_DECLS
