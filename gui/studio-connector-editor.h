/* studio-connector-editor.h: the inspector's part for a connector node (a source or sink
 * defining its own table): the column list, the connector's options one "key = value" per
 * line, and an optional WATERMARK FOR text, with a hint naming the options the connector
 * accepts. The table's name stays in the inspector's main entry.
 *
 * Signals: "changed" () when the user edits any field, "apply" () on Enter in an entry or
 * the Apply button (the options view takes Enter as a new line). */
#pragma once

#include <gtk/gtk.h>
#include "studio-pipeline.h"

G_BEGIN_DECLS

#define STUDIO_TYPE_CONNECTOR_EDITOR (studio_connector_editor_get_type ())
G_DECLARE_FINAL_TYPE (StudioConnectorEditor, studio_connector_editor, STUDIO,
                      CONNECTOR_EDITOR, GtkBox)

GtkWidget *studio_connector_editor_new (void);
/* Shows node n's definition (n a connector node; NULL clears), emitting nothing. */
void studio_connector_editor_set_node (StudioConnectorEditor *self, const StudioNode *n);
/* Sets the fields as if typed (NULL: unchanged) and emits "changed" once. */
void studio_connector_editor_set_texts (StudioConnectorEditor *self, const char *columns,
                                        const char *options, const char *watermark);
/* The fields' current texts; newly allocated. */
char *studio_connector_editor_dup_columns (StudioConnectorEditor *self);
char *studio_connector_editor_dup_options (StudioConnectorEditor *self);
char *studio_connector_editor_dup_watermark (StudioConnectorEditor *self);
/* Marks the fields with problem (NULL: clears) as the error style and tooltip. */
void studio_connector_editor_set_problem (StudioConnectorEditor *self, const char *problem);
/* The problem last set, or NULL; borrowed. */
const char *studio_connector_editor_get_problem (StudioConnectorEditor *self);

G_END_DECLS
