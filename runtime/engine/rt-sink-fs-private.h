/* rt-sink-fs-private.h: what the filesystem sink (rt-sink-fs.c) uses of its partitioning
 * (rt-sink-fs-partition.c): PARTITIONED BY columns, the partition directory of a row, and
 * the _SUCCESS partition commit. Used by those two files only. */
#pragma once

#include "rt-operator.h"

G_BEGIN_DECLS

typedef struct _RtFsParts RtFsParts;

/* *out NULL (and TRUE) when table is not partitioned; FALSE with error for bad options. On
 * failure *out may be set: free it. */
gboolean rt__fs_parts_new (const PlanTable *table, const PlanSchema *input, RtFsParts **out,
                           GError **error);
void rt__fs_parts_free (RtFsParts *parts);
gboolean rt__fs_parts_is_partition_col (const RtFsParts *parts, guint col);
/* "dt=2024-01-01/hm=10%3A00" for row r (borrowed: valid until the next call); *same
 * (nullable) says whether it is the previous call's partition. Remembers the partition. */
const char *rt__fs_parts_dir (RtFsParts *parts, const RtBatch *batch, guint r,
                              gboolean *same);
/* Writes _SUCCESS into each partition under root that is complete by the watermark or the
 * clock (every one when final); parts may be NULL. */
gboolean rt__fs_parts_commit (RtFsParts *parts, const char *root, gint64 watermark,
                              gboolean final, GError **error);

G_END_DECLS
