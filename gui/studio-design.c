/* studio-design.c: designs as notebook cells (see the header for the format).
 *
 * The cell keeps SQL, not a private graph format: the SQL is the pipeline's meaning and
 * is what the REPL runs, and SQL -> canvas already rebuilds the nodes from it. Only what
 * SQL cannot say, where each node sits, rides along in a comment; a layout line that no
 * longer matches (an edited cell) is ignored node by node, never an error. */
#include "studio-design.h"
#include "repl/repl.h"

#include <stdio.h>
#include <string.h>

#define LAYOUT_PREFIX "-- layout:"

char *
studio_design_cell_text (StudioPipeline *pipeline, GError **error)
{
  g_autofree char *sql = studio_pipeline_to_sql (pipeline, error);
  g_autoptr (GString) out = NULL;

  if (sql == NULL)
    return NULL;
  out = g_string_new (STUDIO_DESIGN_HEADER "\n" LAYOUT_PREFIX);
  for (guint i = 0; i < studio_pipeline_get_n_nodes (pipeline); i++)
    {
      const StudioNode *n = studio_pipeline_get_node (pipeline, i);
      g_string_append_printf (out, " %u@%.0f,%.0f", i + 1, n->x, n->y);
    }
  g_string_append_printf (out, "\n%s;", sql);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
studio_design_is_cell (const char *source)
{
  return source != NULL && g_str_has_prefix (source, STUDIO_DESIGN_HEADER);
}

/* Positions "id@x,y" of the layout line, applied to the nodes that exist without an undo
 * step of their own: they belong to the load. */
static void
apply_layout (StudioPipeline *pipeline, const char *line)
{
  g_auto (GStrv) items = g_strsplit (line + strlen (LAYOUT_PREFIX), " ", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      guint id;
      double x, y;
      if (sscanf (items[i], "%u@%lf,%lf", &id, &x, &y) == 3
          && studio_pipeline_lookup (pipeline, id) != NULL)
        studio_pipeline_move_node (pipeline, id, x, y, FALSE);
    }
}

gboolean
studio_design_load_cell (StudioPipeline *pipeline, PlanCatalog *catalog, const char *source,
                         GError **error)
{
  g_auto (GStrv) lines = g_strsplit (source, "\n", -1);
  g_autoptr (GString) sql = g_string_new (NULL);
  const char *layout = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], LAYOUT_PREFIX))
        layout = lines[i];
      else if (!g_str_has_prefix (lines[i], STUDIO_DESIGN_HEADER))
        g_string_append_printf (sql, "%s%s", sql->len > 0 ? "\n" : "", lines[i]);
    }
  while (sql->len > 0
         && (sql->str[sql->len - 1] == ';' || g_ascii_isspace (sql->str[sql->len - 1])))
    g_string_truncate (sql, sql->len - 1);
  if (!studio_pipeline_load_sql (pipeline, catalog, sql->str, error))
    return FALSE;
  if (layout != NULL)
    apply_layout (pipeline, layout);
  return TRUE;
}

static const ReplNotebookCell *
last_design (GPtrArray *cells)
{
  for (guint i = cells->len; i-- > 0;)
    {
      const ReplNotebookCell *c = cells->pdata[i];
      if (studio_design_is_cell (c->source))
        return c;
    }
  return NULL;
}

gboolean
studio_design_save (StudioPipeline *pipeline, const char *path, GError **error)
{
  g_autofree char *text = studio_design_cell_text (pipeline, error);
  g_autoptr (ReplNotebook) nb = NULL;
  g_autoptr (GPtrArray) cells = NULL;
  const ReplNotebookCell *old;

  if (text == NULL)
    return FALSE;
  nb = repl_notebook_open (path, TRUE, error);
  cells = nb != NULL ? repl_notebook_dup_cells (nb, error) : NULL;
  if (cells == NULL)
    return FALSE;
  old = last_design (cells);
  if (old != NULL)
    return repl_notebook_update_cell (nb, old->id, text, error);
  return repl_notebook_add_cell (nb, text, error) != 0;
}

char *
studio_design_find (const char *path, GError **error)
{
  g_autoptr (ReplNotebook) nb = repl_notebook_open (path, FALSE, error);
  g_autoptr (GPtrArray) cells = nb != NULL ? repl_notebook_dup_cells (nb, error) : NULL;
  const ReplNotebookCell *c;

  if (cells == NULL)
    return NULL;
  c = last_design (cells);
  return c != NULL ? g_strdup (c->source) : NULL;
}
