/* studio-pipeline.c: the designer's pipeline graph and its undo history.
 *
 * The graph is tiny (tens, at most hundreds of nodes), so undo keeps whole copies of the
 * node and edge arrays instead of inverse operations: one snapshot per user action is
 * cheap at this size and can never drift out of step with the editing code. Observers
 * listen to fine-grained signals (node-added, edge-removed, ...) and to "changed", which
 * fires once per action, undo and redo included. */
#include "studio-pipeline.h"
#include "plans/plan-node.h"
#include "plans/plan-expr.h"
#include <string.h>

#define MAX_UNDO 200

typedef struct {
  GArray *nodes; /* owned: StudioNode, texts owned */
  GArray *edges; /* owned: StudioEdge */
  guint next_id;
} Snapshot;

struct _StudioPipeline {
  GObject parent_instance;
  GArray *nodes;      /* owned: StudioNode, texts owned */
  GArray *edges;      /* owned: StudioEdge */
  guint next_id;
  GPtrArray *undo;    /* owned: Snapshot*, newest last */
  GPtrArray *redo;    /* owned: Snapshot*, newest last */
  PlanCatalog *catalog; /* borrowed, or NULL */
};

G_DEFINE_FINAL_TYPE (StudioPipeline, studio_pipeline, G_TYPE_OBJECT)
G_DEFINE_QUARK (studio-pipeline-error-quark, studio_pipeline_error)

enum { NODE_ADDED, NODE_REMOVED, EDGE_ADDED, EDGE_REMOVED, NODE_CHANGED, CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const struct {
  const char *name;
  const char *title;
} kinds[] = {
  [STUDIO_NODE_SOURCE] = { "source", "Source" },
  [STUDIO_NODE_FILTER] = { "filter", "Filter" },
  [STUDIO_NODE_PROJECT] = { "project", "Project" },
  [STUDIO_NODE_AGGREGATE] = { "aggregate", "Aggregate" },
  [STUDIO_NODE_SINK] = { "sink", "Sink" },
  [STUDIO_NODE_WINDOW] = { "window", "Window" },
  [STUDIO_NODE_JOIN] = { "join", "Join" },
  [STUDIO_NODE_UNION] = { "union", "Union" },
  [STUDIO_NODE_TOPN] = { "topn", "Top-N" },
  [STUDIO_NODE_DEDUP] = { "dedup", "Dedup" },
};

const char *
studio_node_kind_name (StudioNodeKind kind)
{
  g_return_val_if_fail (kind <= STUDIO_NODE_LAST, "?");
  return kinds[kind].name;
}

const char *
studio_node_kind_title (StudioNodeKind kind)
{
  g_return_val_if_fail (kind <= STUDIO_NODE_LAST, "?");
  return kinds[kind].title;
}

gboolean
studio_node_kind_from_name (const char *name, StudioNodeKind *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_ascii_strcasecmp (name, kinds[i].name) == 0)
      {
        *out = (StudioNodeKind) i;
        return TRUE;
      }
  return FALSE;
}

gboolean
studio_node_kind_has_input (StudioNodeKind kind)
{
  return kind != STUDIO_NODE_SOURCE;
}

guint
studio_node_kind_n_inputs (StudioNodeKind kind)
{
  if (kind == STUDIO_NODE_SOURCE)
    return 0;
  return kind == STUDIO_NODE_JOIN || kind == STUDIO_NODE_UNION ? 2 : 1;
}

gboolean
studio_node_kind_has_group (StudioNodeKind kind)
{
  return kind == STUDIO_NODE_AGGREGATE || kind == STUDIO_NODE_JOIN || kind == STUDIO_NODE_TOPN
         || kind == STUDIO_NODE_DEDUP;
}

gboolean
studio_node_kind_has_output (StudioNodeKind kind)
{
  return kind != STUDIO_NODE_SINK;
}

/* ---- node arrays and snapshots --------------------------------------------------- */

static void
node_clear (gpointer data)
{
  StudioNode *n = data;
  g_clear_pointer (&n->text, g_free);
  g_clear_pointer (&n->group_by, g_free);
  g_clear_pointer (&n->connector, g_free);
  g_clear_pointer (&n->columns, g_free);
  g_clear_pointer (&n->options, g_free);
  g_clear_pointer (&n->watermark, g_free);
}

/* Gives n its own copies of its strings (a struct copy shares them); NULL becomes "". */
static void
node_dup_strings (StudioNode *n)
{
  n->text = g_strdup (n->text != NULL ? n->text : "");
  n->group_by = g_strdup (n->group_by != NULL ? n->group_by : "");
  n->connector = g_strdup (n->connector != NULL ? n->connector : "");
  n->columns = g_strdup (n->columns != NULL ? n->columns : "");
  n->options = g_strdup (n->options != NULL ? n->options : "");
  n->watermark = g_strdup (n->watermark != NULL ? n->watermark : "");
}

static GArray *
node_array_new (void)
{
  GArray *a = g_array_new (FALSE, TRUE, sizeof (StudioNode));
  g_array_set_clear_func (a, node_clear);
  return a;
}

static GArray *
node_array_copy (GArray *src)
{
  GArray *a = node_array_new ();
  for (guint i = 0; i < src->len; i++)
    {
      StudioNode n = g_array_index (src, StudioNode, i);
      node_dup_strings (&n);
      g_array_append_val (a, n);
    }
  return a;
}

static GArray *
edge_array_copy (GArray *src)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (StudioEdge));
  g_array_append_vals (a, src->data, src->len);
  return a;
}

static void
snapshot_free (gpointer data)
{
  Snapshot *s = data;
  g_array_unref (s->nodes);
  g_array_unref (s->edges);
  g_free (s);
}

static Snapshot *
snapshot_take (StudioPipeline *self)
{
  Snapshot *s = g_new0 (Snapshot, 1);
  s->nodes = node_array_copy (self->nodes);
  s->edges = edge_array_copy (self->edges);
  s->next_id = self->next_id;
  return s;
}

static void
snapshot_restore (StudioPipeline *self, Snapshot *s)
{
  g_array_unref (self->nodes);
  g_array_unref (self->edges);
  self->nodes = g_steal_pointer (&s->nodes);
  self->edges = g_steal_pointer (&s->edges);
  self->next_id = s->next_id;
  g_free (s);
}

/* Called before every recorded change. */
static void
record (StudioPipeline *self)
{
  g_ptr_array_add (self->undo, snapshot_take (self));
  if (self->undo->len > MAX_UNDO)
    g_ptr_array_remove_index (self->undo, 0);
  g_ptr_array_set_size (self->redo, 0);
}

static void
emit_changed (StudioPipeline *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

/* ---- GObject --------------------------------------------------------------------- */

static void
studio_pipeline_finalize (GObject *object)
{
  StudioPipeline *self = STUDIO_PIPELINE (object);
  g_array_unref (self->nodes);
  g_array_unref (self->edges);
  g_ptr_array_unref (self->undo);
  g_ptr_array_unref (self->redo);
  G_OBJECT_CLASS (studio_pipeline_parent_class)->finalize (object);
}

static void
studio_pipeline_class_init (StudioPipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->finalize = studio_pipeline_finalize;

  signals[NODE_ADDED] = g_signal_new ("node-added", G_TYPE_FROM_CLASS (klass),
                                      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                      G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[NODE_REMOVED] = g_signal_new ("node-removed", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[EDGE_ADDED] = g_signal_new ("edge-added", G_TYPE_FROM_CLASS (klass),
                                      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                      G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
  signals[EDGE_REMOVED] = g_signal_new ("edge-removed", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
  signals[NODE_CHANGED] = g_signal_new ("node-changed", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
studio_pipeline_init (StudioPipeline *self)
{
  self->nodes = node_array_new ();
  self->edges = g_array_new (FALSE, FALSE, sizeof (StudioEdge));
  self->next_id = 1;
  self->undo = g_ptr_array_new_with_free_func (snapshot_free);
  self->redo = g_ptr_array_new_with_free_func (snapshot_free);
}

StudioPipeline *
studio_pipeline_new (void)
{
  return g_object_new (STUDIO_TYPE_PIPELINE, NULL);
}

/* ---- queries --------------------------------------------------------------------- */

guint
studio_pipeline_get_n_nodes (StudioPipeline *self)
{
  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), 0);
  return self->nodes->len;
}

const StudioNode *
studio_pipeline_get_node (StudioPipeline *self, guint index)
{
  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), NULL);
  g_return_val_if_fail (index < self->nodes->len, NULL);
  return &g_array_index (self->nodes, StudioNode, index);
}

static gint
node_index (StudioPipeline *self, guint id)
{
  for (guint i = 0; i < self->nodes->len; i++)
    if (g_array_index (self->nodes, StudioNode, i).id == id)
      return (gint) i;
  return -1;
}

const StudioNode *
studio_pipeline_lookup (StudioPipeline *self, guint id)
{
  gint i;
  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), NULL);
  i = node_index (self, id);
  return i < 0 ? NULL : &g_array_index (self->nodes, StudioNode, i);
}

guint
studio_pipeline_get_n_edges (StudioPipeline *self)
{
  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), 0);
  return self->edges->len;
}

const StudioEdge *
studio_pipeline_get_edge (StudioPipeline *self, guint index)
{
  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), NULL);
  g_return_val_if_fail (index < self->edges->len, NULL);
  return &g_array_index (self->edges, StudioEdge, index);
}

guint
studio_pipeline_get_input_port (StudioPipeline *self, guint id, guint port)
{
  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), 0);
  for (guint i = 0; i < self->edges->len; i++)
    {
      const StudioEdge *e = &g_array_index (self->edges, StudioEdge, i);
      if (e->to == id && e->port == port)
        return e->from;
    }
  return 0;
}

guint
studio_pipeline_get_input (StudioPipeline *self, guint id)
{
  return studio_pipeline_get_input_port (self, id, 0);
}

/* The first input port of id with no edge, or G_MAXUINT when all are taken. */
static guint
free_port (StudioPipeline *self, const StudioNode *n)
{
  for (guint p = 0; p < studio_node_kind_n_inputs (n->kind); p++)
    if (studio_pipeline_get_input_port (self, n->id, p) == 0)
      return p;
  return G_MAXUINT;
}

/* ---- editing --------------------------------------------------------------------- */

guint
studio_pipeline_add_node (StudioPipeline *self, StudioNodeKind kind, const char *text,
                          double x, double y)
{
  StudioNode n = { 0 };

  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), 0);
  g_return_val_if_fail (kind <= STUDIO_NODE_LAST, 0);
  record (self);
  n.id = self->next_id++;
  n.kind = kind;
  n.x = x;
  n.y = y;
  n.text = (char *) text;
  node_dup_strings (&n);
  g_array_append_val (self->nodes, n);
  g_signal_emit (self, signals[NODE_ADDED], 0, n.id);
  emit_changed (self);
  return n.id;
}

gboolean
studio_pipeline_remove_node (StudioPipeline *self, guint id)
{
  gint i;

  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), FALSE);
  i = node_index (self, id);
  if (i < 0)
    return FALSE;
  record (self);
  for (guint e = self->edges->len; e-- > 0;)
    {
      StudioEdge edge = g_array_index (self->edges, StudioEdge, e);
      if (edge.from == id || edge.to == id)
        {
          g_array_remove_index (self->edges, e);
          g_signal_emit (self, signals[EDGE_REMOVED], 0, edge.from, edge.to);
        }
    }
  g_array_remove_index (self->nodes, (guint) i);
  g_signal_emit (self, signals[NODE_REMOVED], 0, id);
  emit_changed (self);
  return TRUE;
}

/* TRUE when to can reach from by following edges downstream (connecting would loop). */
static gboolean
reaches (StudioPipeline *self, guint start, guint target)
{
  if (start == target)
    return TRUE;
  for (guint i = 0; i < self->edges->len; i++)
    {
      StudioEdge e = g_array_index (self->edges, StudioEdge, i);
      if (e.from == start && reaches (self, e.to, target))
        return TRUE;
    }
  return FALSE;
}

void
studio_pipeline_set_catalog (StudioPipeline *self, PlanCatalog *catalog)
{
  g_return_if_fail (STUDIO_IS_PIPELINE (self));
  self->catalog = catalog;
}

PlanCatalog *
studio_pipeline_get_catalog (StudioPipeline *self)
{
  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), NULL);
  return self->catalog;
}

/* The columns node b needs from the input on port, as a NULL-terminated list of names. */
static GStrv
needed_columns (const StudioNode *b, guint port)
{
  GStrvBuilder *sb = g_strv_builder_new ();
  GStrv out;

  if (b->kind == STUDIO_NODE_WINDOW && strchr (b->text, '(') != NULL)
    {
      g_auto (GStrv) args = g_strsplit_set (strchr (b->text, '(') + 1, ",)", 2);
      if (args[0] != NULL && *g_strstrip (args[0]) != '\0')
        g_strv_builder_add (sb, args[0]);
    }
  else if (b->kind == STUDIO_NODE_JOIN)
    {
      g_auto (GStrv) pairs = g_strsplit (b->group_by, ",", -1);
      for (guint i = 0; pairs[i] != NULL; i++)
        {
          g_auto (GStrv) lr = g_strsplit (pairs[i], "=", 2);
          if (lr[0] != NULL && lr[1] != NULL)
            g_strv_builder_add (sb, g_strstrip (lr[port == 0 ? 0 : 1]));
        }
    }
  out = g_strv_builder_end (sb);
  g_strv_builder_unref (sb);
  return out;
}

/* Whether a's table has the columns b needs on port; a reason when not. */
static char *
schema_problem (StudioPipeline *self, const StudioNode *a, const StudioNode *b, guint port)
{
  g_autoptr (PlanCatalog) overlay = NULL;
  PlanTable *t;
  g_auto (GStrv) need = NULL;

  if (self->catalog == NULL || a->kind != STUDIO_NODE_SOURCE)
    return NULL;
  /* a connector node's table is in the copy, in place of a session table of its name */
  overlay = studio_pipeline_dup_catalog (self, self->catalog);
  t = plan_catalog_get_table (overlay, a->text);
  if (t == NULL)
    return NULL;
  need = needed_columns (b, port);
  for (guint i = 0; need[i] != NULL; i++)
    if (*need[i] != '\0' && plan_schema_find (t->schema, need[i]) < 0)
      return g_strdup_printf ("table %s has no column '%s' (the %s's %s)", a->text, need[i],
                              b->kind == STUDIO_NODE_JOIN ? "join" : "window",
                              b->kind == STUDIO_NODE_JOIN ? "key" : "time column");
  return NULL;
}

static gboolean
check_connect (StudioPipeline *self, guint from, guint to, GError **error)
{
  g_autofree char *schema_why = NULL;
  const StudioNode *a = studio_pipeline_lookup (self, from);
  const StudioNode *b = studio_pipeline_lookup (self, to);
  const char *why = NULL;

  if (a == NULL || b == NULL)
    why = "one of the nodes does not exist";
  else if (from == to)
    why = "a node cannot feed itself";
  else if (!studio_node_kind_has_output (a->kind))
    why = "a sink has no output port; connect from its upstream node instead";
  else if (!studio_node_kind_has_input (b->kind))
    why = "a source has no input port; it reads a table";
  else if (free_port (self, b) == G_MAXUINT)
    why = b->kind == STUDIO_NODE_JOIN
            ? "both of the join's input ports are connected; delete one connection first"
            : b->kind == STUDIO_NODE_UNION
            ? "both of the union's input ports are connected; delete one connection first"
            : "the input port is already connected; delete that connection first";
  else if (reaches (self, to, from))
    why = "the connection would make a cycle";
  else if ((schema_why = schema_problem (self, a, b, free_port (self, b))) != NULL)
    why = schema_why;
  if (why == NULL)
    return TRUE;
  g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_CONNECT,
               "Cannot connect node %u to node %u: %s", from, to, why);
  return FALSE;
}

gboolean
studio_pipeline_connect (StudioPipeline *self, guint from, guint to, GError **error)
{
  StudioEdge e = { from, to, 0 };

  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), FALSE);
  if (!check_connect (self, from, to, error))
    return FALSE;
  e.port = free_port (self, studio_pipeline_lookup (self, to));
  record (self);
  g_array_append_val (self->edges, e);
  g_signal_emit (self, signals[EDGE_ADDED], 0, from, to);
  emit_changed (self);
  return TRUE;
}

gboolean
studio_pipeline_disconnect (StudioPipeline *self, guint from, guint to)
{
  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), FALSE);
  for (guint i = 0; i < self->edges->len; i++)
    {
      StudioEdge e = g_array_index (self->edges, StudioEdge, i);
      if (e.from == from && e.to == to)
        {
          record (self);
          g_array_remove_index (self->edges, i);
          g_signal_emit (self, signals[EDGE_REMOVED], 0, from, to);
          emit_changed (self);
          return TRUE;
        }
    }
  return FALSE;
}

void
studio_pipeline_set_text (StudioPipeline *self, guint id, const char *text,
                          const char *group_by)
{
  gint i;
  StudioNode *n;

  g_return_if_fail (STUDIO_IS_PIPELINE (self));
  i = node_index (self, id);
  g_return_if_fail (i >= 0);
  n = &g_array_index (self->nodes, StudioNode, i);
  if (g_strcmp0 (n->text, text) == 0
      && (group_by == NULL || g_strcmp0 (n->group_by, group_by) == 0))
    return;
  record (self);
  n = &g_array_index (self->nodes, StudioNode, i);
  g_free (n->text);
  n->text = g_strdup (text != NULL ? text : "");
  if (group_by != NULL)
    {
      g_free (n->group_by);
      n->group_by = g_strdup (group_by);
    }
  g_signal_emit (self, signals[NODE_CHANGED], 0, id);
  emit_changed (self);
}

guint
studio_pipeline_add_connector (StudioPipeline *self, StudioNodeKind kind,
                               const char *connector, double x, double y)
{
  guint id;
  StudioNode *n;

  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), 0);
  g_return_val_if_fail (kind == STUDIO_NODE_SOURCE || kind == STUDIO_NODE_SINK, 0);
  g_return_val_if_fail (connector != NULL && *connector != '\0', 0);
  record (self);
  id = self->next_id;
  {
    g_autofree char *name = g_strdup_printf ("%s_%u", connector, id);
    g_autofree char *clean = g_strdelimit (g_strdup (name), "-.", '_');
    StudioNode c = { .id = self->next_id++, .kind = kind, .x = x, .y = y, .text = clean,
                     .connector = (char *) connector };
    node_dup_strings (&c);
    g_array_append_val (self->nodes, c);
  }
  n = &g_array_index (self->nodes, StudioNode, self->nodes->len - 1);
  if (g_str_equal (connector, "filesystem"))
    {
      g_free (n->options);
      n->options = g_strdup ("path = \nformat = csv");
    }
  g_signal_emit (self, signals[NODE_ADDED], 0, id);
  emit_changed (self);
  return id;
}

static void
replace_string (char **field, const char *value)
{
  if (value == NULL)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

void
studio_pipeline_set_connector (StudioPipeline *self, guint id, const char *name,
                               const char *columns, const char *options,
                               const char *watermark)
{
  gint i;
  StudioNode *n;

  g_return_if_fail (STUDIO_IS_PIPELINE (self));
  i = node_index (self, id);
  g_return_if_fail (i >= 0);
  n = &g_array_index (self->nodes, StudioNode, i);
  if ((name == NULL || g_str_equal (n->text, name))
      && (columns == NULL || g_str_equal (n->columns, columns))
      && (options == NULL || g_str_equal (n->options, options))
      && (watermark == NULL || g_str_equal (n->watermark, watermark)))
    return;
  record (self);
  n = &g_array_index (self->nodes, StudioNode, i);
  replace_string (&n->text, name);
  replace_string (&n->columns, columns);
  replace_string (&n->options, options);
  replace_string (&n->watermark, watermark);
  g_signal_emit (self, signals[NODE_CHANGED], 0, id);
  emit_changed (self);
}

void
studio_pipeline_move_node (StudioPipeline *self, guint id, double x, double y, gboolean rec)
{
  gint i;
  StudioNode *n;

  g_return_if_fail (STUDIO_IS_PIPELINE (self));
  i = node_index (self, id);
  g_return_if_fail (i >= 0);
  if (rec)
    record (self);
  n = &g_array_index (self->nodes, StudioNode, i);
  n->x = x;
  n->y = y;
  g_signal_emit (self, signals[NODE_CHANGED], 0, id);
}

void
studio_pipeline_clear (StudioPipeline *self)
{
  g_return_if_fail (STUDIO_IS_PIPELINE (self));
  record (self);
  g_array_set_size (self->edges, 0);
  g_array_set_size (self->nodes, 0);
  emit_changed (self);
}

/* ---- clipboard ------------------------------------------------------------------- */

static gboolean
id_in (const guint *ids, guint n, guint id)
{
  for (guint i = 0; i < n; i++)
    if (ids[i] == id)
      return TRUE;
  return FALSE;
}

StudioPipeline *
studio_pipeline_copy_nodes (StudioPipeline *self, const guint *ids, guint n)
{
  StudioPipeline *clip;

  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), NULL);
  clip = studio_pipeline_new ();
  for (guint i = 0; i < self->nodes->len; i++)
    {
      StudioNode c = g_array_index (self->nodes, StudioNode, i);
      if (!id_in (ids, n, c.id))
        continue;
      node_dup_strings (&c);
      g_array_append_val (clip->nodes, c);
      clip->next_id = MAX (clip->next_id, c.id + 1);
    }
  for (guint i = 0; i < self->edges->len; i++)
    {
      StudioEdge e = g_array_index (self->edges, StudioEdge, i);
      if (id_in (ids, n, e.from) && id_in (ids, n, e.to))
        g_array_append_val (clip->edges, e);
    }
  return clip;
}

static guint
map_id (StudioPipeline *clip, GArray *new_ids, guint old)
{
  for (guint i = 0; i < clip->nodes->len; i++)
    if (g_array_index (clip->nodes, StudioNode, i).id == old)
      return g_array_index (new_ids, guint, i);
  return 0;
}

/* Whether a connector node of self defines a table named name. */
static gboolean
table_defined (StudioPipeline *self, const char *name)
{
  for (guint i = 0; i < self->nodes->len; i++)
    {
      const StudioNode *n = &g_array_index (self->nodes, StudioNode, i);
      if (studio_node_is_connector (n) && g_ascii_strcasecmp (n->text, name) == 0)
        return TRUE;
    }
  return FALSE;
}

GArray *
studio_pipeline_paste (StudioPipeline *self, StudioPipeline *clip, double dx, double dy)
{
  GArray *new_ids = g_array_new (FALSE, FALSE, sizeof (guint));

  g_return_val_if_fail (STUDIO_IS_PIPELINE (self) && STUDIO_IS_PIPELINE (clip), new_ids);
  if (clip->nodes->len == 0)
    return new_ids;
  record (self);
  for (guint i = 0; i < clip->nodes->len; i++)
    {
      StudioNode c = g_array_index (clip->nodes, StudioNode, i);
      c.id = self->next_id++;
      c.x = MAX (0, c.x + dx);
      c.y = MAX (0, c.y + dy);
      node_dup_strings (&c);
      if (studio_node_is_connector (&c) && table_defined (self, c.text))
        {
          /* a pasted connector node defines a table of its own */
          char *fresh = g_strdup_printf ("%s_%u", c.text, c.id);
          g_free (c.text);
          c.text = fresh;
        }
      g_array_append_val (self->nodes, c);
      g_array_append_val (new_ids, c.id);
      g_signal_emit (self, signals[NODE_ADDED], 0, c.id);
    }
  for (guint i = 0; i < clip->edges->len; i++)
    {
      StudioEdge e = g_array_index (clip->edges, StudioEdge, i);
      e.from = map_id (clip, new_ids, e.from);
      e.to = map_id (clip, new_ids, e.to);
      g_array_append_val (self->edges, e);
      g_signal_emit (self, signals[EDGE_ADDED], 0, e.from, e.to);
    }
  emit_changed (self);
  return new_ids;
}

void
studio_pipeline_remove_nodes (StudioPipeline *self, const guint *ids, guint n)
{
  g_return_if_fail (STUDIO_IS_PIPELINE (self));
  if (n == 0)
    return;
  record (self);
  for (guint e = self->edges->len; e-- > 0;)
    {
      StudioEdge edge = g_array_index (self->edges, StudioEdge, e);
      if (id_in (ids, n, edge.from) || id_in (ids, n, edge.to))
        {
          g_array_remove_index (self->edges, e);
          g_signal_emit (self, signals[EDGE_REMOVED], 0, edge.from, edge.to);
        }
    }
  for (guint i = self->nodes->len; i-- > 0;)
    {
      guint id = g_array_index (self->nodes, StudioNode, i).id;
      if (id_in (ids, n, id))
        {
          g_array_remove_index (self->nodes, i);
          g_signal_emit (self, signals[NODE_REMOVED], 0, id);
        }
    }
  emit_changed (self);
}

void
studio_pipeline_set_positions (StudioPipeline *self, const guint *ids, const double *xs,
                               const double *ys, guint n)
{
  g_return_if_fail (STUDIO_IS_PIPELINE (self));
  if (n == 0)
    return;
  record (self);
  for (guint i = 0; i < n; i++)
    {
      gint k = node_index (self, ids[i]);
      if (k < 0)
        continue;
      g_array_index (self->nodes, StudioNode, k).x = xs[i];
      g_array_index (self->nodes, StudioNode, k).y = ys[i];
      g_signal_emit (self, signals[NODE_CHANGED], 0, ids[i]);
    }
  emit_changed (self);
}

/* ---- undo / redo ----------------------------------------------------------------- */

gboolean
studio_pipeline_can_undo (StudioPipeline *self)
{
  return self->undo->len > 0;
}

gboolean
studio_pipeline_can_redo (StudioPipeline *self)
{
  return self->redo->len > 0;
}

static gboolean
step (StudioPipeline *self, GPtrArray *from, GPtrArray *to)
{
  Snapshot *s;

  if (from->len == 0)
    return FALSE;
  s = g_ptr_array_steal_index (from, from->len - 1);
  g_ptr_array_add (to, snapshot_take (self));
  snapshot_restore (self, s);
  emit_changed (self);
  return TRUE;
}

gboolean
studio_pipeline_undo (StudioPipeline *self)
{
  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), FALSE);
  return step (self, self->undo, self->redo);
}

gboolean
studio_pipeline_redo (StudioPipeline *self)
{
  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), FALSE);
  return step (self, self->redo, self->undo);
}

/* Used by studio-pipeline-sql.c to swap in a whole graph as one undo step. */
void studio__pipeline_replace (StudioPipeline *self, GArray *nodes, GArray *edges);

void
studio__pipeline_replace (StudioPipeline *self, GArray *nodes, GArray *edges)
{
  guint max_id = 0;

  record (self);
  g_array_unref (self->nodes);
  g_array_unref (self->edges);
  self->nodes = nodes;
  g_array_set_clear_func (self->nodes, node_clear);
  self->edges = edges;
  for (guint i = 0; i < nodes->len; i++)
    {
      StudioNode *n = &g_array_index (nodes, StudioNode, i);
      if (n->connector == NULL) /* the loader fills only what it knows */
        {
          n->connector = g_strdup ("");
          n->columns = g_strdup ("");
          n->options = g_strdup ("");
          n->watermark = g_strdup ("");
        }
    }
  for (guint i = 0; i < nodes->len; i++)
    max_id = MAX (max_id, g_array_index (nodes, StudioNode, i).id);
  self->next_id = MAX (self->next_id, max_id + 1);
  emit_changed (self);
}
