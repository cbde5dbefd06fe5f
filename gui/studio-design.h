/* studio-design.h: designs saved as cells of a .strom notebook and loaded back.
 *
 * A design is one notebook cell: a header comment, a comment with the canvas positions,
 * and the pipeline's SQL, so the REPL runs the cell as the query it is and the studio
 * restores the canvas as it was drawn:
 *
 *   -- strom-studio design
 *   -- layout: 1@24,48 2@204,96 3@384,48
 *   INSERT INTO console SELECT ... FROM orders WHERE ...;
 *
 * Positions are by node id in the order SQL -> canvas numbers nodes (sources first,
 * each node before its consumer), which is the order the saved SQL gives back. */
#pragma once

#include "studio-pipeline.h"

G_BEGIN_DECLS

#define STUDIO_DESIGN_HEADER "-- strom-studio design"

/* The cell text of the pipeline (its SQL must print); newly allocated. */
char *studio_design_cell_text (StudioPipeline *pipeline, GError **error);
/* Whether a cell's source is a design. */
gboolean studio_design_is_cell (const char *source);
/* Replaces the pipeline with the design in source (SQL bound against catalog) and puts
 * the nodes where the layout line says (one undo step for the load, none for the
 * positions). */
gboolean studio_design_load_cell (StudioPipeline *pipeline, PlanCatalog *catalog,
                                  const char *source, GError **error);
/* Saves the pipeline into the notebook at path (created when missing): replaces the
 * notebook's last design cell, or appends one. */
gboolean studio_design_save (StudioPipeline *pipeline, const char *path, GError **error);
/* The source of the notebook's last design cell (newly allocated), or NULL without one
 * (error set only when the notebook cannot be read). */
char *studio_design_find (const char *path, GError **error);

G_END_DECLS
