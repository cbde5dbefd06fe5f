/* rt-job-explain.c: per-operator figures of a job that the metrics snapshot has no field
 * for, read for EXPLAIN ANALYZE once the job has ended. Kept apart from rt-job.c so the
 * job's main file stays about running jobs; it reads the tasks' operator lists, which only
 * the job's own files may see (rt-job-private.h). Today that is the spilled bytes of the
 * group aggregate, the one operator with a public getter for them. */
#include "rt-job-private.h"

#include "rt-operator.h"

#include <string.h>

gint64
rt_job_get_op_spilled_bytes (RtJob *job, guint node_id)
{
  gint64 total = -1;

  g_return_val_if_fail (job != NULL, -1);
  for (guint t = 0; t < job->tasks->len; t++)
    {
      RtTask *task = job->tasks->pdata[t];

      for (guint k = 0; k < task->ops->len; k++)
        {
          RtOperator *op = task->ops->pdata[k];

          if (op->node_id != node_id || op->klass->name == NULL)
            continue;
          if (strcmp (op->klass->name, "SortMergeJoin") == 0) /* added by join strategy */
            total = MAX (total, 0) + (gint64) rt_op_merge_join_get_spilled_bytes (op);
          if (strcmp (op->klass->name, "HashJoin") == 0)
            total = MAX (total, 0) + (gint64) rt_op_hash_join_get_spilled_bytes (op);
          if (strcmp (op->klass->name, "Sort") == 0)
            total = MAX (total, 0) + (gint64) rt_op_sort_get_spilled_bytes (op);
          if (strcmp (op->klass->name, "GroupAggregate") != 0)
            continue;
          total = MAX (total, 0) + (gint64) rt_op_aggregate_get_spilled_bytes (op);
        }
    }
  return total;
}
