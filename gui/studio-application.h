/* studio-application.h: strom-studio's AdwApplication (app id org.strom.Studio).
 * Command line: strom-studio [--screenshot FILE.png --view designer|plan|monitor]
 * [NOTEBOOK.strom | FILE.sql]. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define STUDIO_APP_ID "org.strom.Studio"

#define STUDIO_TYPE_APPLICATION (studio_application_get_type ())
G_DECLARE_FINAL_TYPE (StudioApplication, studio_application, STUDIO, APPLICATION,
                      AdwApplication)

StudioApplication *studio_application_new (void);
/* The exit status for main(): non-zero when a --screenshot run failed. */
int studio_application_get_status (StudioApplication *self);

G_END_DECLS
