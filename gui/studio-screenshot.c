/* studio-screenshot.c: a widget to PNG, through GTK's own rendering path.
 *
 * GtkWidgetPaintable records what the widget would draw into a GtkSnapshot; the render
 * node that gives is rendered by the window's GskRenderer into a GdkTexture, which GDK
 * saves as PNG. The result is exactly what the screen shows, at the widget's size,
 * without reading back any pixels from the display server. */
#include "studio-screenshot.h"

gboolean
studio_screenshot_save (GtkWidget *widget, const char *path, GError **error)
{
  g_autoptr (GdkPaintable) paintable = NULL;
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GtkNative *native;
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  native = gtk_widget_get_native (widget);
  if (native == NULL || gtk_native_get_renderer (native) == NULL || w <= 0 || h <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                   "Cannot take a screenshot: the window is not shown yet");
      return FALSE;
    }
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The view drew nothing");
      return FALSE;
    }
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Cannot write %s: check that its folder exists and is writable", path);
      return FALSE;
    }
  return TRUE;
}
