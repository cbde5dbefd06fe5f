/* studio-export.c: a view to PNG or SVG.
 *
 * Both formats go through one path: the widget's render node (what GTK would draw) is
 * replayed with gsk_render_node_draw onto a cairo surface, an image surface for PNG or
 * an SVG surface for SVG. Replaying the node, rather than reading pixels back from the
 * renderer as --screenshot does, is what gives a vector SVG, and it needs no display
 * connection for a widget that is not shown, so the export is testable headless. */
#include "studio-export.h"

#include <cairo-svg.h>

typedef enum { EXPORT_PNG, EXPORT_SVG } ExportFormat;

static gboolean
format_of (const char *path, ExportFormat *format, GError **error)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (g_str_has_suffix (lower, ".png"))
    *format = EXPORT_PNG;
  else if (g_str_has_suffix (lower, ".svg"))
    *format = EXPORT_SVG;
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot export to %s: name the file .png or .svg", path);
      return FALSE;
    }
  return TRUE;
}

/* The node to draw and its size. */
static GskRenderNode *
widget_node (GtkWidget *widget, int *w, int *h)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();

  *w = gtk_widget_get_width (widget);
  *h = gtk_widget_get_height (widget);
  if (gtk_widget_get_mapped (widget) && *w > 0 && *h > 0)
    {
      g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
      gdk_paintable_snapshot (paintable, snapshot, *w, *h);
    }
  else if (gtk_widget_get_parent (widget) == NULL)
    {
      /* not in a window: lay it out alone at its natural size, then let it draw */
      gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, NULL, w, NULL, NULL);
      gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, *w, NULL, h, NULL, NULL);
      gtk_widget_size_allocate (widget, &(GtkAllocation) { 0, 0, *w, *h }, -1);
      GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
    }
  else
    *w = *h = 0; /* in a window but not shown: nothing to draw yet */
  return gtk_snapshot_free_to_node (snapshot);
}

static gboolean
check_cairo (cairo_status_t status, const char *path, GError **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               "Cannot write %s (%s): check that its folder exists and is writable", path,
               cairo_status_to_string (status));
  return FALSE;
}

gboolean
studio_export_widget (GtkWidget *widget, const char *path, GError **error)
{
  g_autoptr (GskRenderNode) node = NULL;
  ExportFormat format;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  int w, h;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  if (!format_of (path, &format, error))
    return FALSE;
  node = widget_node (widget, &w, &h);
  if (node == NULL || w <= 0 || h <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "The view drew nothing: show it (and a pipeline in it) first");
      return FALSE;
    }
  if (format == EXPORT_SVG)
    surface = cairo_svg_surface_create (path, w, h);
  else
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cr = cairo_create (surface);
  if (format == EXPORT_PNG)
    {
      cairo_set_source_rgb (cr, 1, 1, 1); /* a viewer's dark background is no backdrop */
      cairo_paint (cr);
    }
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  if (format == EXPORT_PNG)
    status = cairo_surface_write_to_png (surface, path);
  else
    {
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);
  return check_cairo (status, path, error);
}
