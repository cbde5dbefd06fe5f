/* rt-checkpoint-private.h: the checkpoint coordinator and the task's barrier handling,
 * shared by rt-checkpoint.c, rt-state.c, rt-task.c and rt-job.c only. */
#pragma once

#include "rt-checkpoint.h"
#include "rt-job-private.h"

G_BEGIN_DECLS

guint32 rt__crc32c (const void *data, gsize len);
void rt__crc32c_init (void);
guint32 rt__crc32c_portable (const void *data, gsize len); /* the table path, for tests */
gboolean rt__ckpt_hold_end (RtTask *task); /* tests: fail_armed_checkpoint */

RtStateOut *rt__state_out_new (guint node_id, guint subtask, guint parallelism);
void rt__state_out_free (RtStateOut *out);
guint rt__state_out_get_entries (RtStateOut *out);
GBytes *rt__state_out_finish (RtStateOut *out); /* appends the checksum */
gboolean rt__state_file_check (GBytes *bytes, const char *path, guint *node_id,
                               GError **error);
RtStateIn *rt__state_in_new (void);
void rt__state_in_free (RtStateIn *in);
guint rt__state_in_get_entries (RtStateIn *in);
typedef enum { RT_LISTS_DEAL, RT_LISTS_ALL, RT_LISTS_NONE } RtListsMode;
gboolean rt__state_in_add_file (RtStateIn *in, GBytes *bytes, const char *path,
                                guint subtask, guint parallelism, RtListsMode lists,
                                guint *list_index, GError **error);

/* The coordinator: NULL when the job takes no checkpoints and restores nothing. */
RtCkptCoord *rt__ckpt_coord_new (RtJob *job, const RtJobConfig *config, GError **error);
void rt__ckpt_coord_wake (RtCkptCoord *coord); /* the user cancelled: stop waiting */
void rt__ckpt_coord_free (RtCkptCoord *coord); /* stops and joins its thread */
void rt__ckpt_coord_start (RtCkptCoord *coord);
/* Operators without snapshot/restore/stateless make a checkpointed job fail at build. */
gboolean rt__ckpt_check_operator (RtCkptCoord *coord, RtOperator *op, GError **error);
/* After open: hands the operator its restored state, if the job restores. */
gboolean rt__ckpt_restore_operator (RtCkptCoord *coord, RtTask *task, RtOperator *op,
                                    GError **error);
/* A task ended (error: it failed). Under job->lock. */
void rt__ckpt_task_ended (RtCkptCoord *coord, RtTask *task, gboolean failed);
/* Every task of the attempt ended. Under job->lock. TRUE: the coordinator restarts the
 * job (it stays RUNNING); FALSE: the job ends as it is. */
gboolean rt__ckpt_attempt_ended (RtCkptCoord *coord, gboolean failed);

/* Task side. */
gboolean rt__ckpt_input_blocked (RtTask *task, RtTaskInput *in);
RtResult rt__ckpt_on_barrier (RtTask *task, RtTaskInput *in, gint64 id, GError **error);
RtResult rt__ckpt_input_ended (RtTask *task, GError **error);
RtResult rt__ckpt_check_fail_rows (RtTask *task, GError **error);

G_END_DECLS
