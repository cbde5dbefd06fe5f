/* plan-types.h: the value types, source spans and forward declarations shared by every
 * layer. The plan model is the bottom of the dependency order (plans <- optimizer <-
 * runtime), so the SQL type system lives here and the engine maps it to storage. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* SQL types of DESIGN.md 4.1. Storage in a batch column (runtime/engine/rt-batch.h):
 *   BOOLEAN   guint8 (0/1)
 *   INT       gint32
 *   BIGINT    gint64
 *   DOUBLE    double
 *   DECIMAL   gint64, the value times 10^scale (precision <= 18)
 *   VARCHAR   RtStr (pointer + length into a batch-owned arena)
 *   DATE      gint32, days since 1970-01-01
 *   TIMESTAMP gint64, milliseconds since 1970-01-01 00:00:00 (TIMESTAMP(3), no zone)
 *   INTERVAL  gint64, milliseconds (day-time intervals)
 * PLAN_TYPE_NULL is the type of an untyped NULL literal before coercion. */
typedef enum {
  PLAN_TYPE_NULL = 0,
  PLAN_TYPE_BOOLEAN,
  PLAN_TYPE_INT,
  PLAN_TYPE_BIGINT,
  PLAN_TYPE_DOUBLE,
  PLAN_TYPE_DECIMAL,
  PLAN_TYPE_VARCHAR,
  PLAN_TYPE_DATE,
  PLAN_TYPE_TIMESTAMP,
  PLAN_TYPE_INTERVAL,
} PlanTypeKind;

typedef struct {
  PlanTypeKind kind;
  guint8 precision; /* DECIMAL precision (1..18); VARCHAR: 0 */
  guint8 scale;     /* DECIMAL scale; TIMESTAMP: 3 */
  gboolean nullable;
} PlanType;

/* A span of SQL source text: byte offsets plus the 1-based line:column of its start. */
typedef struct {
  guint start; /* byte offset of the first character */
  guint end;   /* byte offset one past the last character */
  guint line;  /* 1-based; 0 means "no source" */
  guint col;   /* 1-based, in characters */
} PlanSpan;

/* A scalar constant. VARCHAR owns its string (plan_value_clear frees it). */
typedef struct {
  PlanType type;
  gboolean is_null;
  union {
    gboolean b;
    gint64 i; /* INT, BIGINT, DECIMAL (scaled), DATE, TIMESTAMP, INTERVAL */
    double d;
    char *s;
  } v;
} PlanValue;

typedef struct _PlanSchema PlanSchema;
typedef struct _PlanExpr PlanExpr;
typedef struct _PlanNode PlanNode;
typedef struct _PlanPhysNode PlanPhysNode;
typedef struct _PlanPhysPlan PlanPhysPlan;
typedef struct _PlanTable PlanTable;
typedef struct _PlanCatalog PlanCatalog;
typedef struct _PlanSettings PlanSettings;
typedef struct _PlanStatement PlanStatement;

#define PLAN_ERROR (plan_error_quark ())
GQuark plan_error_quark (void);

typedef enum {
  PLAN_ERROR_SYNTAX,      /* lexer / parser */
  PLAN_ERROR_BIND,        /* unknown name, type mismatch, ... */
  PLAN_ERROR_CATALOG,     /* exists / does not exist */
  PLAN_ERROR_UNSUPPORTED, /* valid SQL strom cannot run yet */
  PLAN_ERROR_JSON,        /* malformed plan JSON */
  PLAN_ERROR_SETTING,     /* bad SET key or value */
} PlanErrorCode;

PlanType plan_type_make (PlanTypeKind kind, gboolean nullable);
PlanType plan_type_decimal (guint precision, guint scale, gboolean nullable);
/* "BIGINT", "DECIMAL(10, 2)", "VARCHAR", "TIMESTAMP(3)"; NOT NULL appended when !nullable
 * and with_null is TRUE. Returns a newly allocated string. */
char *plan_type_to_string (PlanType type, gboolean with_null);
gboolean plan_type_equal (PlanType a, PlanType b);
const char *plan_type_kind_name (PlanTypeKind kind);
/* Parses the output of plan_type_to_string (for plan JSON). */
gboolean plan_type_from_string (const char *text, PlanType *out);
gboolean plan_type_is_numeric (PlanTypeKind kind);
gsize plan_type_storage_size (PlanTypeKind kind);

void plan_value_clear (PlanValue *value);
void plan_value_copy (PlanValue *dest, const PlanValue *src);
/* Renders as SQL shows it: 42, 3.5, 'text' unquoted when quote is FALSE, NULL, TRUE,
 * 2024-01-02 03:04:05.006, DECIMAL with its scale. Newly allocated. */
char *plan_value_to_string (const PlanValue *value, gboolean quote);

/* Formats timestamps (ms since epoch) as YYYY-MM-DD HH:MM:SS.mmm into buf (>= 32 bytes). */
void plan_format_timestamp (gint64 ms, char *buf, gsize size);
void plan_format_date (gint32 days, char *buf, gsize size);
/* Parses 'YYYY-MM-DD[ HH:MM:SS[.fff]]' (also with 'T'); FALSE on bad text. */
gboolean plan_parse_timestamp (const char *text, gsize len, gint64 *out_ms);
gboolean plan_parse_date (const char *text, gsize len, gint32 *out_days);
/* Parses a decimal literal into a value scaled by 10^scale; FALSE on overflow/bad text. */
gboolean plan_parse_decimal (const char *text, gsize len, guint scale, gint64 *out);
void plan_format_decimal (gint64 scaled, guint scale, char *buf, gsize size);

G_END_DECLS
