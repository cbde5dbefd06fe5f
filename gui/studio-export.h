/* studio-export.h: any view to a PNG or SVG file (the header bar's Export). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Renders widget to path, PNG or SVG by the name's suffix (.png, .svg). The widget's
 * render node is drawn with cairo, so the SVG is vector graphics (text stays text
 * outlines, lines stay lines). A mapped widget is drawn with its children at its size; an
 * unmapped one (headless) draws its own content at its natural size. */
gboolean studio_export_widget (GtkWidget *widget, const char *path, GError **error);

G_END_DECLS
