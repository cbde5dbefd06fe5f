/* studio-main.c: strom-studio's entry point; everything else is in StudioApplication. */
#include "studio-application.h"

int
main (int argc, char **argv)
{
  g_autoptr (StudioApplication) app = studio_application_new ();
  int rc = g_application_run (G_APPLICATION (app), argc, argv);
  return rc != 0 ? rc : studio_application_get_status (app);
}
