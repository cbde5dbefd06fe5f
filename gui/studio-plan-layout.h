/* studio-plan-layout.h: a physical plan laid out by Graphviz (libgvc, dot), as plain
 * boxes and arrows in points, and the monitor's per-operator metrics model.
 *
 * Neither part touches GTK: the plan view and the monitor draw from these structures,
 * and tests check them without a display. */
#pragma once

#include <glib.h>
#include "plans/plan-json.h"

G_BEGIN_DECLS

typedef struct {
  guint id;              /* the physical node's id */
  double x, y, w, h;     /* top-left corner and size, points, y down */
  char *title;           /* owned: "Source: orders", "Calc", ... */
  char *subtitle;        /* owned: "parallelism 2, chained" */
  char *details;         /* owned: several lines for the details pane */
} StudioPlanBox;

typedef struct {
  guint from, to;        /* node ids: from feeds to */
  char *label;           /* owned: the exchange ("FORWARD", "HASH[customer]") */
  guint n_points;        /* cubic Bezier control points: 1 + 3k, points, y down */
  double *points;        /* owned: x0 y0 x1 y1 ... */
  double label_x, label_y;
} StudioPlanArrow;

typedef struct {
  PlanPhysPlan *plan;    /* owned ref */
  double width, height;  /* of the whole drawing, points */
  GArray *boxes;         /* owned: StudioPlanBox, one per physical node, by id */
  GArray *arrows;        /* owned: StudioPlanArrow, one per input edge */
} StudioPlanLayout;

/* Lays out plan (referenced). NULL with an error when Graphviz fails. */
StudioPlanLayout *studio_plan_layout_new (PlanPhysPlan *plan, GError **error);
void studio_plan_layout_free (StudioPlanLayout *layout);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StudioPlanLayout, studio_plan_layout_free)
/* Index of the box under (x, y), or -1. */
gint studio_plan_layout_hit (const StudioPlanLayout *layout, double x, double y);

/* ---- monitor model (studio-monitor-model.c) ---------------------------------------- */

typedef enum {
  STUDIO_LOAD_UNKNOWN,        /* no metrics yet */
  STUDIO_LOAD_IDLE,
  STUDIO_LOAD_BUSY,
  STUDIO_LOAD_BACKPRESSURED,
} StudioLoad;

typedef struct {
  guint id;
  double busy, idle, backpressured; /* fractions of wall time, 0..1, over its subtasks */
  double rows_per_s;                /* rows out per second */
  guint64 rows_out;
  double latency_p99_ms;            /* < 0: unknown */
  StudioLoad load;
  gboolean cause;                   /* the operator causing backpressure upstream */
} StudioOpState;

typedef struct {
  char *status;          /* owned: "RUNNING", "FINISHED", ... */
  gint64 elapsed_ms;
  guint n_ops;
  StudioOpState *ops;    /* owned: one per physical node, by id */
} StudioMonitorState;

/* Builds the state of every operator of plan from one metrics snapshot in the JSON of
 * gw_operation_dup_metrics_json. Tasks map to operators through chains computed the way
 * the engine names its tasks ("Source: t -> Calc"). NULL with an error on bad JSON. */
StudioMonitorState *studio_monitor_state_new (const PlanPhysPlan *plan, const char *json,
                                              GError **error);
void studio_monitor_state_free (StudioMonitorState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StudioMonitorState, studio_monitor_state_free)
const char *studio_load_name (StudioLoad load); /* "idle", "busy", ... */
/* Flink's colours: idle blue through busy red, backpressured dark grey. RGB 0..1. */
void studio_load_color (const StudioOpState *op, double rgb[3]);

G_END_DECLS
