/* studio-pipeline.h: the designer's pipeline model, a small graph of nodes (source,
 * filter, project, aggregate, sink) joined by edges from an output port to an input port.
 *
 * The model is a GObject with signals and no GTK dependency, so tests drive it without a
 * display and the canvas and the SQL editor are two observers of one object. Every
 * change that a user would want to take back goes through the undo stack. */
#pragma once

#include <glib-object.h>
#include "plans/plan-catalog.h"

G_BEGIN_DECLS

typedef enum {
  STUDIO_NODE_SOURCE,    /* text: a catalog table */
  STUDIO_NODE_FILTER,    /* text: the condition */
  STUDIO_NODE_PROJECT,   /* text: the select list ("a, b * 2 AS c") */
  STUDIO_NODE_AGGREGATE, /* text: the aggregate calls; group_by: the keys ("" none) */
  STUDIO_NODE_SINK,      /* text: the sink table, "" collects rows to the client */
} StudioNodeKind;

const char *studio_node_kind_name (StudioNodeKind kind);   /* "source", "filter", ... */
gboolean studio_node_kind_from_name (const char *name, StudioNodeKind *out);
const char *studio_node_kind_title (StudioNodeKind kind);  /* "Source", "Filter", ... */
/* Every kind has one input port except sources and one output port except sinks. */
gboolean studio_node_kind_has_input (StudioNodeKind kind);
gboolean studio_node_kind_has_output (StudioNodeKind kind);

/* A node as the model keeps it; borrowed from the model, valid until the next change. */
typedef struct {
  guint id;          /* unique within the pipeline, never reused */
  StudioNodeKind kind;
  double x, y;       /* top-left corner on the canvas, in canvas units */
  char *text;        /* owned: see StudioNodeKind */
  char *group_by;    /* owned: AGGREGATE only, else "" */
} StudioNode;

typedef struct {
  guint from;        /* node id (its output port) */
  guint to;          /* node id (its input port) */
} StudioEdge;

#define STUDIO_PIPELINE_ERROR (studio_pipeline_error_quark ())
GQuark studio_pipeline_error_quark (void);
typedef enum {
  STUDIO_PIPELINE_ERROR_CONNECT,     /* the connection was refused; message says why */
  STUDIO_PIPELINE_ERROR_INCOMPLETE,  /* no SQL: the pipeline has no complete chain */
  STUDIO_PIPELINE_ERROR_UNSUPPORTED, /* SQL whose shape has no canvas nodes yet */
} StudioPipelineError;

#define STUDIO_TYPE_PIPELINE (studio_pipeline_get_type ())
G_DECLARE_FINAL_TYPE (StudioPipeline, studio_pipeline, STUDIO, PIPELINE, GObject)

/* Signals: "node-added" (guint id), "node-removed" (guint id), "edge-added" (guint from,
 * guint to), "edge-removed" (guint from, guint to), "node-changed" (guint id: text or
 * position), and "changed" once after any change, undo and redo included. */
StudioPipeline *studio_pipeline_new (void);

guint studio_pipeline_get_n_nodes (StudioPipeline *self);
const StudioNode *studio_pipeline_get_node (StudioPipeline *self, guint index);
const StudioNode *studio_pipeline_lookup (StudioPipeline *self, guint id); /* NULL: none */
guint studio_pipeline_get_n_edges (StudioPipeline *self);
const StudioEdge *studio_pipeline_get_edge (StudioPipeline *self, guint index);
/* The node feeding id's input port, or 0 (ids start at 1). */
guint studio_pipeline_get_input (StudioPipeline *self, guint id);

/* Editing; each records one undo step. Returns the new node's id. */
guint studio_pipeline_add_node (StudioPipeline *self, StudioNodeKind kind, const char *text,
                                double x, double y);
gboolean studio_pipeline_remove_node (StudioPipeline *self, guint id);
/* Refuses (FALSE + STUDIO_PIPELINE_ERROR_CONNECT) a port that does not exist, a second
 * edge into one input, a self loop and a cycle. */
gboolean studio_pipeline_connect (StudioPipeline *self, guint from, guint to, GError **error);
gboolean studio_pipeline_disconnect (StudioPipeline *self, guint from, guint to);
void studio_pipeline_set_text (StudioPipeline *self, guint id, const char *text,
                               const char *group_by);
/* Moves a node. record: TRUE records an undo step (do it once at the start of a drag). */
void studio_pipeline_move_node (StudioPipeline *self, guint id, double x, double y,
                                gboolean record);
void studio_pipeline_clear (StudioPipeline *self);

gboolean studio_pipeline_can_undo (StudioPipeline *self);
gboolean studio_pipeline_can_redo (StudioPipeline *self);
gboolean studio_pipeline_undo (StudioPipeline *self);
gboolean studio_pipeline_redo (StudioPipeline *self);

/* ---- SQL (studio-pipeline-sql.c) --------------------------------------------------- */

/* The SQL of the chain that ends in the first sink (or, without a sink, the first node
 * with no consumer): "INSERT INTO t SELECT ... FROM s WHERE ..." when the chain has
 * SQL's fixed shape (filters, then one project or aggregate), pipe syntax otherwise. A
 * sink with an empty table gives a bare query. Newly allocated. */
char *studio_pipeline_to_sql (StudioPipeline *self, GError **error);

/* Replaces the pipeline with the nodes of one SELECT or INSERT bound against catalog
 * (one undo step). Nodes are laid out left to right. On error the model is unchanged. */
gboolean studio_pipeline_load_sql (StudioPipeline *self, PlanCatalog *catalog,
                                   const char *sql, GError **error);

G_END_DECLS
