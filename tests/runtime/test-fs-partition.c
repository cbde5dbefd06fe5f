/* test-fs-partition.c: PARTITIONED BY tables: the binder's checks of the clause
 * (plans/plan-sql-bind-partition.c) and the filesystem sink's partition directories and
 * _SUCCESS commits (runtime/engine/rt-sink-fs-partition.c), driven directly. Directory
 * names and commit decisions are worked out by hand. */
#include "runtime/engine/rt-sink-fs-private.h"
#include "../plans/plan-test-util.h"

#include <glib/gstdio.h>

static void
test_binder (void)
{
  g_autoptr (PlanCatalog) catalog = plan_catalog_new ();
  g_autoptr (PlanStatement) ok = plan_test_compile_ok (
    catalog, "CREATE TABLE s (a INT, dt STRING, hm STRING) PARTITIONED BY (dt, hm) "
    "WITH ('connector' = 'filesystem', 'path' = '/tmp/x', 'format' = 'csv')");

  g_assert_cmpstr (plan_table_get_option (ok->table, "__partitioned_by"), ==, "dt,hm");
  plan_test_compile_fails_at (catalog, "CREATE TABLE s (a INT, dt STRING) PARTITIONED BY "
                              "(nope) WITH ('connector' = 'filesystem')", 1, 35,
                              "'nope', which is not a column");
  plan_test_compile_fails_at (catalog, "CREATE TABLE s (a INT, dt STRING) PARTITIONED BY "
                              "(dt, DT) WITH ('connector' = 'filesystem')", 1, 35, "twice");
  plan_test_compile_fails_at (catalog, "CREATE TABLE s (dt STRING) PARTITIONED BY (dt) "
                              "WITH ('connector' = 'filesystem')", 1, 28, "every column");
}

typedef struct {
  PlanTable *table;
  PlanSchema *schema;
  RtMemPool *pool;
  RtBatch *batch;
  char *root;
} Fixture;

/* Table (a INT, dt VARCHAR, hm VARCHAR) PARTITIONED BY (dt, hm) with the options given
 * (key, value, ..., NULL), and a batch of rows (a, dt, hm). */
static void
setup (Fixture *f, const char *const *options, const char *const (*rows)[2], guint n)
{
  g_autoptr (GError) error = NULL;
  PlanType vc = plan_type_make (PLAN_TYPE_VARCHAR, TRUE);

  f->schema = plan_schema_new (3);
  plan_schema_set_field (f->schema, 0, "a", plan_type_make (PLAN_TYPE_INT, TRUE));
  plan_schema_set_field (f->schema, 1, "dt", vc);
  plan_schema_set_field (f->schema, 2, "hm", vc);
  f->table = plan_table_new ("s", plan_schema_ref (f->schema), (PlanSpan) { 0 });
  plan_table_add_option (f->table, "__partitioned_by", "dt,hm");
  for (guint i = 0; options[i] != NULL; i += 2)
    plan_table_add_option (f->table, options[i], options[i + 1]);
  f->pool = rt_mem_pool_new (4 * 1024 * 1024);
  f->batch = rt_batch_new (f->pool, f->schema, 8, &error);
  g_assert_no_error (error);
  for (guint r = 0; r < n; r++)
    {
      PlanValue v[3] = {
        { .type = f->schema->fields[0].type, .v.i = (gint64) r },
        { .type = vc, .is_null = rows[r][0] == NULL, .v.s = (char *) rows[r][0] },
        { .type = vc, .is_null = rows[r][1] == NULL, .v.s = (char *) rows[r][1] },
      };

      g_assert_true (rt_batch_append_values (f->batch, v, &error));
    }
  f->root = g_dir_make_tmp ("strom-fspart-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture *f)
{
  rt_batch_unref (f->batch);
  rt_mem_pool_free (f->pool);
  plan_table_unref (f->table);
  plan_schema_unref (f->schema);
  g_free (f->root);
}

static gboolean
has_success (Fixture *f, const char *rel)
{
  g_autofree char *path = g_build_filename (f->root, rel, "_SUCCESS", NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static void
remove_tree (Fixture *f, const char *const *rels, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *s = g_build_filename (f->root, rels[i], "_SUCCESS", NULL);
      g_autofree char *d = g_build_filename (f->root, rels[i], NULL);
      g_autofree char *up = g_path_get_dirname (d);

      g_unlink (s);
      g_rmdir (d);
      g_rmdir (up);
    }
  g_rmdir (f->root);
}

/* Hive-style escaped directories; partition-time commit by the watermark: 10:00 is due at
 * 10:01:00 with a one-minute delay, 10:01 at 10:02:00; the end commits everything. */
static void
test_partition_time (void)
{
  static const char *const opts[] = {
    "sink.partition-commit.trigger", "partition-time", "sink.partition-commit.delay", "1 min",
    "sink.partition-commit.policy.kind", "success-file",
    "partition.time-extractor.timestamp-pattern", "$dt $hm:00", NULL };
  static const char *const rows[][2] = {
    { "2024-01-02", "10:00" }, { "2024-01-02", "10:01" }, { "2024-01-02", "10:00" },
    { NULL, "a/b" }, { NULL, "a/b" },
  };
  static const char *const want[] = {
    "dt=2024-01-02/hm=10%3A00", "dt=2024-01-02/hm=10%3A01", "dt=2024-01-02/hm=10%3A00",
    "dt=__DEFAULT_PARTITION__/hm=a%2Fb", "dt=__DEFAULT_PARTITION__/hm=a%2Fb",
  };
  g_autoptr (GError) error = NULL;
  Fixture f = { 0 };
  RtFsParts *parts = NULL;
  gint64 ten_one; /* 2024-01-02 10:01:00 */

  setup (&f, opts, rows, G_N_ELEMENTS (rows));
  g_assert_true (rt__fs_parts_new (f.table, f.schema, &parts, &error));
  g_assert_no_error (error);
  g_assert_nonnull (parts);
  g_assert_false (rt__fs_parts_is_partition_col (parts, 0));
  g_assert_true (rt__fs_parts_is_partition_col (parts, 2));
  for (guint r = 0; r < G_N_ELEMENTS (rows); r++)
    {
      gboolean same = TRUE;
      const char *dir = rt__fs_parts_dir (parts, f.batch, r, &same);
      g_autofree char *full = g_build_filename (f.root, dir, NULL);

      g_assert_cmpstr (dir, ==, want[r]);
      g_assert_cmpint (same, ==, r == 4); /* only the last row repeats its predecessor's */
      g_assert_cmpint (g_mkdir_with_parents (full, 0755), ==, 0);
    }
  g_assert_true (plan_parse_timestamp ("2024-01-02 10:01:00", 19, &ten_one));
  g_assert_true (rt__fs_parts_commit (parts, f.root, ten_one - 1, FALSE, &error));
  g_assert_false (has_success (&f, want[0]));
  g_assert_true (rt__fs_parts_commit (parts, f.root, ten_one, FALSE, &error));
  g_assert_true (has_success (&f, want[0]));
  g_assert_false (has_success (&f, want[1]));
  g_assert_false (has_success (&f, want[3])); /* no time: only at the end */
  g_assert_true (rt__fs_parts_commit (parts, f.root, ten_one, TRUE, &error));
  g_assert_true (has_success (&f, want[1]));
  g_assert_true (has_success (&f, want[3]));
  rt__fs_parts_free (parts);
  remove_tree (&f, want, G_N_ELEMENTS (want) - 1);
  teardown (&f);
}

static void
test_bad_options (void)
{
  static const char *const policy[] = { "sink.partition-commit.policy.kind", "metastore", NULL };
  static const char *const trigger[] = { "sink.partition-commit.trigger", "never", NULL };
  static const char *const rows[][2] = { { "d", "h" } };
  const char *const *cases[] = { policy, trigger };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      Fixture f = { 0 };
      RtFsParts *parts = NULL;

      setup (&f, cases[i], rows, 1);
      g_assert_false (rt__fs_parts_new (f.table, f.schema, &parts, &error));
      g_assert_error (error, RT_ERROR, RT_ERROR_CONNECTOR);
      g_assert_nonnull (strstr (error->message, cases[i][0]));
      rt__fs_parts_free (parts);
      g_rmdir (f.root);
      teardown (&f);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/fs-partition/binder", test_binder);
  g_test_add_func ("/runtime/fs-partition/partition-time", test_partition_time);
  g_test_add_func ("/runtime/fs-partition/bad-options", test_bad_options);
  return g_test_run ();
}
