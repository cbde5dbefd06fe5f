/* studio-results.c: result rows of the running job as a live GtkColumnView model.
 *
 * A retraction names the row by its values, so applying one is a search for the first
 * equal row; result sets shown in the window are small (a page of the newest rows), so a
 * linear search is enough. Text conversion happens in the worker thread so the main
 * context only appends and removes list items. */
#include "studio-results.h"
#include "plans/plan-expr.h"

static void
result_row_free (gpointer data)
{
  StudioResultRow *r = data;
  g_strfreev (r->values);
  g_free (r);
}

GPtrArray *
studio_results_rows_new (GPtrArray *gw_rows)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (result_row_free);

  for (guint i = 0; gw_rows != NULL && i < gw_rows->len; i++)
    {
      const GwRow *g = gw_rows->pdata[i];
      StudioResultRow *r = g_new0 (StudioResultRow, 1);
      r->kind = g->kind;
      r->values = g_new0 (char *, g->n_values + 1);
      for (guint v = 0; v < g->n_values; v++)
        r->values[v] = plan_value_to_string (&g->values[v], FALSE);
      g_ptr_array_add (out, r);
    }
  return out;
}

static gboolean
row_equal (GtkStringList *row, const char *const *values)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (row));

  if (n != g_strv_length ((GStrv) values))
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (row, i), values[i]) != 0)
      return FALSE;
  return TRUE;
}

gboolean
studio_results_apply (GListStore *store, RtRowKind kind, const char *const *values)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  if (kind == RT_ROW_INSERT || kind == RT_ROW_UPDATE_AFTER)
    {
      g_autoptr (GtkStringList) row = gtk_string_list_new (values);
      g_list_store_append (store, row);
      return TRUE;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GtkStringList) row = g_list_model_get_item (G_LIST_MODEL (store), i);
      if (row_equal (row, values))
        {
          g_list_store_remove (store, i);
          return TRUE;
        }
    }
  return FALSE;
}

static void
cell_setup (GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
  GtkWidget *label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
cell_bind (GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
  GtkStringList *row = gtk_list_item_get_item (item);
  guint col = GPOINTER_TO_UINT (data);
  const char *text = col < g_list_model_get_n_items (G_LIST_MODEL (row))
                       ? gtk_string_list_get_string (row, col) : "";
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

void
studio_results_set_columns (GtkColumnView *view, const PlanSchema *schema)
{
  GListModel *cols = gtk_column_view_get_columns (view);

  while (g_list_model_get_n_items (cols) > 0)
    {
      g_autoptr (GtkColumnViewColumn) c = g_list_model_get_item (cols, 0);
      gtk_column_view_remove_column (view, c);
    }
  for (guint i = 0; schema != NULL && i < schema->n_fields; i++)
    {
      GtkListItemFactory *f = gtk_signal_list_item_factory_new ();
      g_autoptr (GtkColumnViewColumn) c = NULL;
      g_signal_connect (f, "setup", G_CALLBACK (cell_setup), NULL);
      g_signal_connect (f, "bind", G_CALLBACK (cell_bind), GUINT_TO_POINTER (i));
      c = gtk_column_view_column_new (schema->fields[i].name, f);
      gtk_column_view_column_set_resizable (c, TRUE);
      gtk_column_view_append_column (view, c);
    }
}
