/* rt-types.h: forward declarations and small enums of the engine. */
#pragma once

#include <glib.h>
#include "plans/plan-node.h"

G_BEGIN_DECLS

typedef struct _RtMemPool RtMemPool;
typedef struct _RtBatch RtBatch;
typedef struct _RtChannel RtChannel;
typedef struct _RtOperator RtOperator;
typedef struct _RtOperatorClass RtOperatorClass;
typedef struct _RtOpContext RtOpContext;
typedef struct _RtProgram RtProgram;
typedef struct _RtTask RtTask;
typedef struct _RtJob RtJob;

#define RT_ERROR (rt_error_quark ())
GQuark rt_error_quark (void);

typedef enum {
  RT_ERROR_MEMORY,    /* managed memory exhausted */
  RT_ERROR_CONNECTOR, /* bad connector options, unreadable file */
  RT_ERROR_DATA,      /* bad record (file:line:column in the message) */
  RT_ERROR_EVAL,      /* division by zero, bad cast, overflow */
  RT_ERROR_CANCELLED,
  RT_ERROR_INTERNAL,
  RT_ERROR_CHECKPOINT, /* added by checkpoints: no usable checkpoint, state unreadable */
} RtErrorCode;

/* Hot-path results: no GError allocation unless RT_ERROR. */
typedef enum {
  RT_OK = 0,  /* keep going */
  RT_DONE,    /* this operator/source has nothing more to do (end of input, limit hit) */
  RT_WAIT,    /* a source has nothing now; ctx->wake_at_us says when to ask again */
  RT_FAIL,    /* error set */
} RtResult;

/* Row kinds of a changelog (Flink's RowKind). */
typedef enum {
  RT_ROW_INSERT = 0,        /* +I */
  RT_ROW_UPDATE_BEFORE = 1, /* -U */
  RT_ROW_UPDATE_AFTER = 2,  /* +U */
  RT_ROW_DELETE = 3,        /* -D */
} RtRowKind;

const char *rt_row_kind_short (RtRowKind kind); /* "+I", "-U", "+U", "-D" */

/* added by checkpoints: GLib's GMutex is futex-based, which ThreadSanitizer cannot see,
 * so with -fsanitize=thread every hand-off under a mutex (a pool block recycled, a batch
 * queued, a checkpoint's files acknowledged) would look like a race. The engine locks
 * through these wrappers, which tell TSan about the acquire/release they imply; without
 * TSan they are the plain GLib calls. */
#if defined(__SANITIZE_THREAD__)
void __tsan_acquire (void *addr);
void __tsan_release (void *addr);
#define RT_TSAN_ACQUIRE(m) __tsan_acquire (m)
#define RT_TSAN_RELEASE(m) __tsan_release (m)
#else
#define RT_TSAN_ACQUIRE(m) ((void) 0)
#define RT_TSAN_RELEASE(m) ((void) 0)
#endif

static inline void
rt_mutex_lock (GMutex *m)
{
  g_mutex_lock (m);
  RT_TSAN_ACQUIRE (m);
}

static inline void
rt_mutex_unlock (GMutex *m)
{
  RT_TSAN_RELEASE (m);
  g_mutex_unlock (m);
}

static inline void
rt_cond_wait (GCond *c, GMutex *m)
{
  RT_TSAN_RELEASE (m);
  g_cond_wait (c, m);
  RT_TSAN_ACQUIRE (m);
}

static inline gboolean
rt_cond_wait_until (GCond *c, GMutex *m, gint64 end_time)
{
  gboolean r;

  RT_TSAN_RELEASE (m);
  r = g_cond_wait_until (c, m, end_time);
  RT_TSAN_ACQUIRE (m);
  return r;
}

G_END_DECLS
