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
  double label_w;        /* the width dot gave the label, points (0: no label) */
} StudioPlanArrow;

typedef struct {
  PlanPhysPlan *plan;    /* owned ref */
  double width, height;  /* of the whole drawing, points */
  GArray *boxes;         /* owned: StudioPlanBox, one per physical node, by id */
  GArray *arrows;        /* owned: StudioPlanArrow, one per input edge */
} StudioPlanLayout;

/* Lays out plan (referenced). NULL with an error when Graphviz fails. */
StudioPlanLayout *studio_plan_layout_new (PlanPhysPlan *plan, GError **error);
/* The same with room left beside every arrow for extra_lines more lines of label (the
 * monitor's metrics under the exchange). The arrows' label fields stay the exchange. */
StudioPlanLayout *studio_plan_layout_new_full (PlanPhysPlan *plan, guint extra_lines,
                                               GError **error);
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
  double latency_p50_ms;            /* < 0: unknown */
  gboolean has_watermark;           /* current_watermark is set */
  gint64 current_watermark;         /* event time, ms (min over subtasks) */
  double out_queue_fill;            /* its task's output queues, 0..1, fullest subtask's;
                                     * < 0: unknown */
  gint chained_to;                  /* the input it runs chained to (no channel), -1: none */
} StudioOpState;

/* One checkpoint from the history of the metrics JSON. */
typedef struct {
  gint64 id;             /* -1: none */
  gboolean savepoint;
  double duration_ms;
  double alignment_ms;
  gint64 size;           /* bytes of state written */
  char *path;            /* owned, nullable */
  char *failure;         /* owned, nullable: why it failed */
} StudioCheckpointStats;

/* The "checkpoints" object of a job that has a checkpoint coordinator. */
typedef struct {
  gint64 completed, failed, restarts;
  char *restored_from;                   /* owned, nullable */
  char *directory;                       /* owned, nullable */
  guint n_history;                       /* entries the snapshot listed */
  StudioCheckpointStats last_completed;  /* newest COMPLETED in the history (id -1: none) */
  StudioCheckpointStats last_failed;     /* newest FAILED in the history (id -1: none) */
  gint64 in_progress_id;                 /* newest IN_PROGRESS, -1: none */
} StudioCheckpointSummary;

typedef struct {
  char *status;          /* owned: "RUNNING", "FINISHED", ... */
  gint64 elapsed_ms;
  guint n_ops;
  StudioOpState *ops;    /* owned: one per physical node, by id */
  StudioCheckpointSummary *checkpoints; /* owned; NULL: the job has no checkpoints (no
                                         * counts, no history, not restored) */
  gint64 taken_ms;       /* wall clock when the snapshot was read, ms since the epoch */
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
/* The monitor's text for the checkpoint statistics, several lines ("Checkpoints: 3
 * completed, ...", "Last completed: #4, ...", "Last failure: #3, <reason>"); NULL when
 * summary is NULL (a job without checkpoints shows nothing). */
char *studio_checkpoint_summary_text (const StudioCheckpointSummary *summary);
/* The metrics lines of the edge from -> to (without the exchange): rows/s out of from
 * and its channel fill (the producer task's output queues; "chained" when to runs in
 * from's task), the watermark lag of to (now_ms minus its current watermark, or "no
 * watermark") and to's latency p50/p99 when measured. NULL when ids are out of range. */
char *studio_monitor_edge_text (const StudioMonitorState *state, guint from, guint to,
                                gint64 now_ms);

/* ---- studio-plan-explain.c: what a clicked operator adds ---- */

/* The alternatives EXPLAIN JSON (plan_explain_json) recorded for operator id, one per
 * line ("  chosen:   repartition, cost 1.2 kB moved", "  rejected: broadcast, cost ...
 * (reason)"); for an operator that weighed none a one-line note; NULL when id is not in
 * the JSON. Newly allocated. */
char *studio_plan_alternatives_text (const char *explain_json, guint id);
/* The byte range of sql (the text plan was compiled from) operator id came from, its
 * parentheses balanced; FALSE when the operator has no source span. */
gboolean studio_plan_node_sql_range (const PlanPhysPlan *plan, guint id, const char *sql,
                                     guint *start, guint *end);

G_END_DECLS
