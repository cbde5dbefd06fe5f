/* studio-screenshot.h: renders a realized widget to a PNG file without user interaction
 * (for `strom-studio --screenshot` and the documentation). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Snapshots widget through a GtkWidgetPaintable, renders the node with the widget's own
 * GSK renderer into a texture and saves it as PNG. The widget must be realized (shown in
 * a mapped window). */
gboolean studio_screenshot_save (GtkWidget *widget, const char *path, GError **error);

G_END_DECLS
