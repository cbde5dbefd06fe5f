/* studio-plan-layout.c: the physical plan laid out by Graphviz's dot through libgvc.
 *
 * Graphviz only places things here; it never draws. Boxes get a fixed size estimated
 * from their text, dot ranks them left to right and routes the edges, and the result is
 * copied into plain arrays (points, y pointing down) so that the plan view can draw with
 * its own toolkit and keep every node clickable, and so that tests can count boxes
 * without a display. libgvc is not thread-safe: call this from one thread. */
#include "studio-plan-layout.h"
#include "studio-pipeline.h"

#include <gio/gio.h>
#include <graphviz/gvc.h>
#include <string.h>

#define CHAR_W 8.4   /* points per character of the (bold) box title, a generous estimate */
#define PAD_W 28.0
#define BOX_H 56.0

static char *
exchange_text (const PlanPhysInput *in)
{
  GString *s = g_string_new (plan_exchange_name (in->exchange));
  if (in->n_keys > 0)
    {
      g_string_append_c (s, '[');
      for (guint k = 0; k < in->n_keys; k++)
        g_string_append_printf (s, "%s%s", k > 0 ? ", " : "",
                                in->node->schema->fields[in->keys[k]].name);
      g_string_append_c (s, ']');
    }
  return g_string_free (s, FALSE);
}

static void
append_exprs (GString *s, const PlanPhysNode *n)
{
  const PlanSchema *in = n->n_inputs > 0 ? n->inputs[0].node->schema : NULL;

  if (n->kind == PLAN_PHYS_SOURCE && n->u.source.filter != NULL)
    {
      g_autofree char *f = plan_expr_to_string (n->u.source.filter, n->schema);
      g_string_append_printf (s, "Pushed filter: %s\n", f);
    }
  if (n->kind == PLAN_PHYS_CALC)
    {
      if (n->u.calc.filter != NULL)
        {
          g_autofree char *f = plan_expr_to_string (n->u.calc.filter, in);
          g_string_append_printf (s, "Filter: %s\n", f);
        }
      g_string_append (s, "Projection: ");
      for (guint i = 0; i < n->u.calc.n_exprs; i++)
        {
          g_autofree char *e = plan_expr_to_string (n->u.calc.exprs[i], in);
          g_string_append_printf (s, "%s%s AS %s", i > 0 ? ", " : "", e,
                                  n->schema->fields[i].name);
        }
      g_string_append_c (s, '\n');
    }
}

static char *
details_text (const PlanPhysNode *n, const char *title)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "Operator: %s (id %u)\n", title, n->id);
  g_string_append_printf (s, "Parallelism: %u\n", n->parallelism);
  g_string_append_printf (s, "Chained: %s\n", n->chained ? "yes, runs in its input's task"
                                                         : "no, a task of its own");
  for (guint i = 0; i < n->n_inputs; i++)
    {
      g_autofree char *ex = exchange_text (&n->inputs[i]);
      g_autofree char *from = plan_phys_node_label (n->inputs[i].node);
      g_string_append_printf (s, "Input %u: %s from %s (id %u)\n", i, ex, from,
                              n->inputs[i].node->id);
    }
  if (n->est_rows >= 0)
    g_string_append_printf (s, "Estimated rows: %.0f\n", n->est_rows);
  else
    g_string_append (s, "Estimated rows: unknown\n");
  if (n->updating)
    g_string_append (s, "Output: updating (-U/+U/-D rows)\n");
  append_exprs (s, n);
  g_string_append (s, "Schema:\n");
  for (guint i = 0; i < n->schema->n_fields; i++)
    {
      g_autofree char *t = plan_type_to_string (n->schema->fields[i].type, TRUE);
      g_string_append_printf (s, "  %s %s\n", n->schema->fields[i].name, t);
    }
  if (n->span.line != 0)
    g_string_append_printf (s, "From SQL at line %u, column %u\n", n->span.line, n->span.col);
  return g_string_free (s, FALSE);
}

static void
box_clear (gpointer data)
{
  StudioPlanBox *b = data;
  g_free (b->title);
  g_free (b->subtitle);
  g_free (b->details);
}

static void
arrow_clear (gpointer data)
{
  StudioPlanArrow *a = data;
  g_free (a->label);
  g_free (a->points);
}

static void
set_num (void *obj, const char *name, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  agsafeset (obj, (char *) name, g_ascii_formatd (buf, sizeof buf, "%.3f", v), (char *) "");
}

/* Adds one graph node per plan node; box sizes come from the text estimate. */
static void
add_nodes (StudioPlanLayout *layout, Agraph_t *g, Agnode_t **gn)
{
  for (guint i = 0; i < layout->plan->nodes->len; i++)
    {
      const PlanPhysNode *n = layout->plan->nodes->pdata[i];
      StudioPlanBox b = { 0 };
      char name[32];
      size_t chars;

      b.id = n->id;
      b.title = plan_phys_node_label (n);
      b.subtitle = g_strdup_printf ("parallelism %u%s", n->parallelism,
                                    n->chained ? ", chained" : "");
      b.details = details_text (n, b.title);
      chars = MAX (strlen (b.title), strlen (b.subtitle));
      b.w = MAX (230.0, chars * CHAR_W + PAD_W); /* room for the monitor's line */
      b.h = BOX_H;
      g_array_append_val (layout->boxes, b);

      g_snprintf (name, sizeof name, "n%u", n->id);
      gn[i] = agnode (g, name, TRUE);
      set_num (gn[i], "width", b.w / 72.0);
      set_num (gn[i], "height", b.h / 72.0);
    }
}

static void
read_arrow (StudioPlanArrow *a, Agedge_t *e, double top)
{
  GArray *pts = g_array_new (FALSE, FALSE, sizeof (double));

  if (ED_spl (e) != NULL && ED_spl (e)->size > 0)
    {
      bezier *bz = &ED_spl (e)->list[0];
      for (int k = 0; k < bz->size; k++)
        {
          double xy[2] = { bz->list[k].x, top - bz->list[k].y };
          g_array_append_vals (pts, xy, 2);
        }
      if (bz->eflag)
        {
          /* a straight last segment to the arrow's tip: a Bezier with equal controls */
          double tip[2] = { bz->ep.x, top - bz->ep.y };
          for (int k = 0; k < 3; k++)
            g_array_append_vals (pts, tip, 2);
        }
    }
  if (ED_label (e) != NULL)
    {
      a->label_x = ED_label (e)->pos.x;
      a->label_y = top - ED_label (e)->pos.y;
      a->label_w = ED_label (e)->dimen.x;
    }
  a->n_points = pts->len / 2;
  a->points = (double *) (void *) g_array_free (pts, FALSE);
}

/* Graphviz sizes an edge label from its text: extra_lines lines as wide as the monitor's
 * widest ("latency p50 ..., p99 ...") make dot leave room for the metrics. */
static void
add_edges (StudioPlanLayout *layout, Agraph_t *g, Agnode_t **gn, GPtrArray *edges,
           guint extra_lines)
{
  for (guint i = 0; i < layout->plan->nodes->len; i++)
    {
      const PlanPhysNode *n = layout->plan->nodes->pdata[i];
      for (guint k = 0; k < n->n_inputs; k++)
        {
          StudioPlanArrow a = { 0 };
          Agedge_t *e = agedge (g, gn[n->inputs[k].node->id], gn[i], NULL, TRUE);
          a.from = n->inputs[k].node->id;
          a.to = n->id;
          g_autoptr (GString) room = NULL;
          a.label = exchange_text (&n->inputs[k]);
          room = g_string_new (a.label);
          for (guint l = 0; l < extra_lines; l++)
            g_string_append (room, "\\nlatency p50 100 ms, p99 100 ms");
          agsafeset (e, (char *) "label", room->str, (char *) "");
          g_array_append_val (layout->arrows, a);
          g_ptr_array_add (edges, e);
        }
    }
}

static void
read_layout (StudioPlanLayout *layout, Agraph_t *g, Agnode_t **gn, GPtrArray *edges)
{
  boxf bb = GD_bb (g);
  double top = bb.UR.y;

  layout->width = bb.UR.x - bb.LL.x + 16;
  layout->height = bb.UR.y - bb.LL.y + 16;
  for (guint i = 0; i < layout->boxes->len; i++)
    {
      StudioPlanBox *b = &g_array_index (layout->boxes, StudioPlanBox, i);
      b->w = ND_width (gn[i]) * 72.0;
      b->h = ND_height (gn[i]) * 72.0;
      b->x = ND_coord (gn[i]).x - b->w / 2 - bb.LL.x + 8;
      b->y = top - ND_coord (gn[i]).y - b->h / 2 + 8;
    }
  for (guint i = 0; i < layout->arrows->len; i++)
    {
      StudioPlanArrow *a = &g_array_index (layout->arrows, StudioPlanArrow, i);
      read_arrow (a, edges->pdata[i], top);
      for (guint k = 0; k < a->n_points; k++)
        {
          a->points[2 * k] += 8 - bb.LL.x;
          a->points[2 * k + 1] += 8;
        }
      a->label_x += 8 - bb.LL.x;
      a->label_y += 8;
    }
}

/* One Graphviz context for the whole process: libgvc 2.43's text-size cache (pango
 * plugin) keeps a pointer into the first context, so freeing a context and making a new
 * one reads freed memory. Reachable until exit, never freed. */
static GVC_t *
get_gvc (void)
{
  static GVC_t *gvc;
  if (g_once_init_enter (&gvc))
    g_once_init_leave (&gvc, gvContext ());
  return gvc;
}

StudioPlanLayout *
studio_plan_layout_new (PlanPhysPlan *plan, GError **error)
{
  return studio_plan_layout_new_full (plan, 0, error);
}

StudioPlanLayout *
studio_plan_layout_new_full (PlanPhysPlan *plan, guint extra_lines, GError **error)
{
  g_autoptr (StudioPlanLayout) layout = g_new0 (StudioPlanLayout, 1);
  g_autofree Agnode_t **gn = NULL;
  g_autoptr (GPtrArray) edges = g_ptr_array_new ();
  GVC_t *gvc;
  Agraph_t *g;
  int rc;

  g_return_val_if_fail (plan != NULL, NULL);
  layout->plan = plan_phys_plan_ref (plan);
  layout->boxes = g_array_new (FALSE, TRUE, sizeof (StudioPlanBox));
  g_array_set_clear_func (layout->boxes, box_clear);
  layout->arrows = g_array_new (FALSE, TRUE, sizeof (StudioPlanArrow));
  g_array_set_clear_func (layout->arrows, arrow_clear);
  gn = g_new0 (Agnode_t *, plan->nodes->len);

  gvc = get_gvc ();
  g = agopen ((char *) "plan", Agdirected, NULL);
  agsafeset (g, (char *) "rankdir", (char *) "TB", (char *) "");
  agsafeset (g, (char *) "nodesep", (char *) "0.45", (char *) "");
  agsafeset (g, (char *) "ranksep", (char *) "0.75", (char *) "");
  agattr (g, AGNODE, (char *) "shape", (char *) "box");
  agattr (g, AGNODE, (char *) "fixedsize", (char *) "true");
  agattr (g, AGNODE, (char *) "label", (char *) "");
  agattr (g, AGEDGE, (char *) "fontsize", (char *) "11");
  add_nodes (layout, g, gn);
  add_edges (layout, g, gn, edges, extra_lines);
  rc = gvLayout (gvc, g, "dot");
  if (rc == 0)
    {
      read_layout (layout, g, gn, edges);
      gvFreeLayout (gvc, g);
    }
  agclose (g);
  if (rc != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "Graphviz could not lay out the plan: is the dot layout plugin "
                           "installed (libgvc6's plugins, then `dot -c` as root)?");
      return NULL;
    }
  return g_steal_pointer (&layout);
}

/* The designer's "Arrange": the pipeline graph laid out left to right by dot, positions
 * turned from Graphviz's points (y up, centres) into canvas units (y down, corners). */
gboolean
studio_pipeline_arrange (StudioPipeline *p, double w, double h, GError **error)
{
  guint n = studio_pipeline_get_n_nodes (p);
  g_autofree Agnode_t **gn = g_new0 (Agnode_t *, n + 1);
  g_autofree guint *ids = g_new0 (guint, n + 1);
  g_autofree double *xs = g_new0 (double, n + 1);
  g_autofree double *ys = g_new0 (double, n + 1);
  char wbuf[32], hbuf[32];
  GVC_t *gvc = get_gvc ();
  Agraph_t *g;
  double top = 0;
  int rc;

  g = agopen ((char *) "pipeline", Agdirected, NULL);
  agsafeset (g, (char *) "rankdir", (char *) "LR", (char *) "");
  agsafeset (g, (char *) "nodesep", (char *) "0.4", (char *) "");
  agsafeset (g, (char *) "ranksep", (char *) "0.6", (char *) "");
  g_ascii_dtostr (wbuf, sizeof wbuf, w / 72.0);
  g_ascii_dtostr (hbuf, sizeof hbuf, h / 72.0);
  agattr (g, AGNODE, (char *) "shape", (char *) "box");
  agattr (g, AGNODE, (char *) "fixedsize", (char *) "true");
  agattr (g, AGNODE, (char *) "label", (char *) "");
  agattr (g, AGNODE, (char *) "width", wbuf);
  agattr (g, AGNODE, (char *) "height", hbuf);
  for (guint i = 0; i < n; i++)
    {
      char name[16];
      ids[i] = studio_pipeline_get_node (p, i)->id;
      g_snprintf (name, sizeof name, "n%u", ids[i]);
      gn[i] = agnode (g, name, TRUE);
    }
  for (guint i = 0; i < studio_pipeline_get_n_edges (p); i++)
    {
      const StudioEdge *e = studio_pipeline_get_edge (p, i);
      Agnode_t *a = NULL, *b = NULL;
      for (guint k = 0; k < n; k++)
        {
          if (ids[k] == e->from)
            a = gn[k];
          if (ids[k] == e->to)
            b = gn[k];
        }
      if (a != NULL && b != NULL)
        agedge (g, a, b, NULL, TRUE);
    }
  rc = gvLayout (gvc, g, "dot");
  if (rc == 0)
    {
      top = GD_bb (g).UR.y;
      for (guint i = 0; i < n; i++)
        {
          xs[i] = 40 + ND_coord (gn[i]).x - w / 2;
          ys[i] = 40 + (top - ND_coord (gn[i]).y) - h / 2;
        }
      gvFreeLayout (gvc, g);
    }
  agclose (g);
  if (rc != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "Graphviz could not lay out the pipeline: is the dot layout "
                           "plugin installed (libgvc6's plugins, then `dot -c` as root)?");
      return FALSE;
    }
  studio_pipeline_set_positions (p, ids, xs, ys, n);
  return TRUE;
}

void
studio_plan_layout_free (StudioPlanLayout *layout)
{
  if (layout == NULL)
    return;
  g_clear_pointer (&layout->plan, plan_phys_plan_unref);
  g_clear_pointer (&layout->boxes, g_array_unref);
  g_clear_pointer (&layout->arrows, g_array_unref);
  g_free (layout);
}

gint
studio_plan_layout_hit (const StudioPlanLayout *layout, double x, double y)
{
  for (guint i = 0; i < layout->boxes->len; i++)
    {
      const StudioPlanBox *b = &g_array_index (layout->boxes, StudioPlanBox, i);
      if (x >= b->x && x <= b->x + b->w && y >= b->y && y <= b->y + b->h)
        return (gint) i;
    }
  return -1;
}
