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
  STUDIO_NODE_SOURCE,    /* text: a catalog table, or the table a connector node defines */
  STUDIO_NODE_FILTER,    /* text: the condition */
  STUDIO_NODE_PROJECT,   /* text: the select list ("a, b * 2 AS c") */
  STUDIO_NODE_AGGREGATE, /* text: the aggregate calls; group_by: the keys ("" none) */
  STUDIO_NODE_SINK,      /* text: the sink table (a connector node's own, or a catalog
                          * table), "" collects rows to the client */
  STUDIO_NODE_WINDOW,    /* text: a window TVF spec, right after a source:
                          * "TUMBLE(ts, 10 SECOND)", "HOP(ts, SLIDE, SIZE)",
                          * "CUMULATE(ts, STEP, MAX_SIZE)", "SESSION(ts, GAP)" */
  STUDIO_NODE_JOIN,      /* two inputs (port 0 left, 1 right), each a source; text: the
                          * kind, "inner", "left", "right" or "full"; group_by: the key
                          * pairs "left_col = right_col[, ...]" */
  STUDIO_NODE_UNION,     /* two inputs (port 0, port 1), UNION ALL; text unused */
  STUDIO_NODE_TOPN,      /* text: the order and the bound, "amount DESC LIMIT 3";
                          * group_by: the partition columns ("" one global ranking) */
  STUDIO_NODE_DEDUP,     /* text: the time attribute ordering the duplicates, "pt" keeps
                          * each key's first row, "pt DESC" its last; group_by: the key */
} StudioNodeKind;
#define STUDIO_NODE_LAST STUDIO_NODE_DEDUP

const char *studio_node_kind_name (StudioNodeKind kind);   /* "source", "filter", ... */
gboolean studio_node_kind_from_name (const char *name, StudioNodeKind *out);
const char *studio_node_kind_title (StudioNodeKind kind);  /* "Source", "Filter", ... */
/* Every kind has one input port except sources and one output port except sinks. */
gboolean studio_node_kind_has_input (StudioNodeKind kind);
gboolean studio_node_kind_has_output (StudioNodeKind kind);
guint studio_node_kind_n_inputs (StudioNodeKind kind);   /* 0, 1, or 2 (join, union) */
/* Whether the kind uses group_by (aggregate, join, Top-N, dedup): the inspector's second
 * entry. */
gboolean studio_node_kind_has_group (StudioNodeKind kind);

/* A node as the model keeps it; borrowed from the model, valid until the next change. */
typedef struct {
  guint id;          /* unique within the pipeline, never reused */
  StudioNodeKind kind;
  double x, y;       /* top-left corner on the canvas, in canvas units */
  char *text;        /* owned: see StudioNodeKind */
  char *group_by;    /* owned: see StudioNodeKind, "" where unused */
  /* A connector node, a source or sink that defines its own table (CREATE TABLE text
   * WITH ('connector' = ...)) instead of naming a catalog table; text is then the new
   * table's name. All owned, "" (never NULL after the model made the node) where unused. */
  char *connector;   /* "datagen", "print", ...; "" for a catalog table or other kinds */
  char *columns;     /* the column list, "id BIGINT, name STRING" */
  char *options;     /* one "key = value" per line, without 'connector' */
  char *watermark;   /* "ts AS ts - INTERVAL '5' SECOND" (WATERMARK FOR ...), or "" */
} StudioNode;

typedef struct {
  guint from;        /* node id (its output port) */
  guint to;          /* node id (its input port) */
  guint port;        /* which input port of to: 0, or 1 for a join's right side */
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
guint studio_pipeline_get_input_port (StudioPipeline *self, guint id, guint port);

/* The catalog connections are checked against (borrowed; NULL: structure only). With
 * one, a source feeding a window must have the window's time column and a source
 * feeding a join the join's key columns on its side. */
void studio_pipeline_set_catalog (StudioPipeline *self, PlanCatalog *catalog);
PlanCatalog *studio_pipeline_get_catalog (StudioPipeline *self);

/* Editing; each records one undo step. Returns the new node's id. */
guint studio_pipeline_add_node (StudioPipeline *self, StudioNodeKind kind, const char *text,
                                double x, double y);
gboolean studio_pipeline_remove_node (StudioPipeline *self, guint id);
/* Refuses (FALSE + STUDIO_PIPELINE_ERROR_CONNECT) a port that does not exist, a second
 * edge into one input, a self loop and a cycle. The edge goes to the first free input
 * port of to (a join's left, then right). */
gboolean studio_pipeline_connect (StudioPipeline *self, guint from, guint to, GError **error);
gboolean studio_pipeline_disconnect (StudioPipeline *self, guint from, guint to);
void studio_pipeline_set_text (StudioPipeline *self, guint id, const char *text,
                               const char *group_by);
/* Moves a node. record: TRUE records an undo step (do it once at the start of a drag). */
void studio_pipeline_move_node (StudioPipeline *self, guint id, double x, double y,
                                gboolean record);
void studio_pipeline_clear (StudioPipeline *self);

/* Copies the nodes with the given ids and the edges between them into a new pipeline
 * (a clipboard); ids keep their relative order. */
StudioPipeline *studio_pipeline_copy_nodes (StudioPipeline *self, const guint *ids, guint n);
/* Adds clip's nodes (offset by dx, dy) and its edges as one undo step. Returns the new
 * ids in clip's node order (newly allocated GArray of guint). */
GArray *studio_pipeline_paste (StudioPipeline *self, StudioPipeline *clip, double dx,
                               double dy);
/* Removes n nodes and their edges, one undo step. */
void studio_pipeline_remove_nodes (StudioPipeline *self, const guint *ids, guint n);
/* Moves n nodes at once, one undo step. */
void studio_pipeline_set_positions (StudioPipeline *self, const guint *ids, const double *xs,
                                    const double *ys, guint n);
/* Lays the graph out left to right with Graphviz's dot (studio-plan-layout.c) for nodes
 * of w x h canvas units and applies the positions as one undo step. */
gboolean studio_pipeline_arrange (StudioPipeline *self, double w, double h, GError **error);

gboolean studio_pipeline_can_undo (StudioPipeline *self);
gboolean studio_pipeline_can_redo (StudioPipeline *self);
gboolean studio_pipeline_undo (StudioPipeline *self);
gboolean studio_pipeline_redo (StudioPipeline *self);

/* ---- SQL (studio-pipeline-sql.c) --------------------------------------------------- */

/* The SQL of the chain that ends in the first sink (or, without a sink, the first node
 * with no consumer): "INSERT INTO t SELECT ... FROM s WHERE ..." when the chain has
 * SQL's fixed shape (filters, then one project or aggregate), pipe syntax otherwise. A
 * sink with an empty table gives a bare query. Connector nodes of the chain come first,
 * each as "CREATE TABLE ... WITH (...);\n" (studio-connector.c). Newly allocated. */
char *studio_pipeline_to_sql (StudioPipeline *self, GError **error);

/* Replaces the pipeline with the nodes of one SELECT or INSERT bound against catalog
 * (one undo step), after any CREATE TABLE statements before it: those the query uses
 * become connector nodes (the catalog itself is not changed). Nodes are laid out left to
 * right. On error the model is unchanged. */
gboolean studio_pipeline_load_sql (StudioPipeline *self, PlanCatalog *catalog,
                                   const char *sql, GError **error);

/* Checks a window spec (see STUDIO_NODE_WINDOW) and returns the table function call
 * over table, e.g. "TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))".
 * The error says what is wrong (unknown function, argument count, bad interval). */
char *studio_window_spec_to_sql (const char *spec, const char *table, GError **error);

/* The SQL of the chain that ends in node id (its output, no sink), with id's text
 * replaced by text when text is not NULL. Newly allocated; NULL and an error when the
 * chain is incomplete. */
char *studio_pipeline_to_sql_at (StudioPipeline *self, guint id, const char *text,
                                 GError **error);

/* What is wrong with node id's own properties, or NULL: a bad window spec, or, with a
 * catalog, the binder's message for text (id's text when NULL) over id's input (an
 * unknown column, a type error). A node whose input chain does not compile yet has no
 * problem of its own. Newly allocated. */
char *studio_pipeline_check_node (StudioPipeline *self, guint id, const char *text);
/* The same with group_by (id's when NULL) in place of the node's own as well. */
char *studio_pipeline_check_node_full (StudioPipeline *self, guint id, const char *text,
                                       const char *group_by);

/* ---- connector nodes (studio-connector.c) ------------------------------------------ */

/* Whether n defines its own table through a connector. */
gboolean studio_node_is_connector (const StudioNode *n);
/* The connectors strom's engine has for kind (SOURCE or SINK), NULL-terminated, static. */
const char *const *studio_connector_list (StudioNodeKind kind);
/* The options connector accepts, as a one-line hint for the inspector; static. */
const char *studio_connector_hint (const char *connector);

/* Adds a SOURCE or SINK node for connector, its table named "<connector>_<id>", with no
 * columns yet; one undo step. Returns the id. */
guint studio_pipeline_add_connector (StudioPipeline *self, StudioNodeKind kind,
                                     const char *connector, double x, double y);
/* Sets a connector node's table name and definition (NULL: unchanged), one undo step. */
void studio_pipeline_set_connector (StudioPipeline *self, guint id, const char *name,
                                    const char *columns, const char *options,
                                    const char *watermark);

/* "CREATE TABLE name (columns[, WATERMARK FOR watermark]) WITH ('connector' = ..., ...)"
 * for a connector node; NULL and an error for an option line that is not key = value. */
char *studio_node_table_sql (const StudioNode *n, GError **error);
/* A new catalog for binding the pipeline's SQL: base's tables and views (NULL: none), with
 * each connector node's table (that compiles) in place of a base table of that name. */
PlanCatalog *studio_pipeline_dup_catalog (StudioPipeline *self, PlanCatalog *base);
/* Binds a script of CREATE TABLE statements and a last SELECT or INSERT against a copy of
 * base with those tables added (in place of base's of the same name): the last statement,
 * or NULL with the parser's or binder's error. out_created (nullable) gets the created
 * tables (PlanTable refs, in script order). */
PlanStatement *studio_sql_compile_script (PlanCatalog *base, const char *script,
                                          GPtrArray **out_created, GError **error);
/* What is wrong with a node given whole (draft: a copy of a node of the pipeline, same id,
 * with the properties being typed): studio_pipeline_check_node_full's answer, and for a
 * connector node the binder's message for its CREATE TABLE (naming the part: columns,
 * watermark, options) or the engine's for a bad option value. Newly allocated or NULL. */
char *studio_pipeline_check_node_draft (StudioPipeline *self, const StudioNode *draft);

G_END_DECLS
