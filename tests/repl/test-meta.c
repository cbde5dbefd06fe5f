/* test-meta.c: meta-command parsing, suggestions and variables, and the plain-language
 * plan lines, on a hand-built physical plan.
 *
 * Expected texts are worked out by hand from the rules in repl/README.md. */
#include "repl/repl-private.h"

#include "plans/plan-json.h"

#include <glib/gstdio.h>
#include <string.h>

static void
test_parse (void)
{
  g_autofree char *name = NULL;
  g_autofree char *arg = NULL;
  char *n2 = NULL, *a2 = NULL;

  g_assert_true (repl_meta_parse ("\\set  format   csv  ", &name, &arg));
  g_assert_cmpstr (name, ==, "\\set");
  g_assert_cmpstr (arg, ==, "format   csv");
  g_assert_true (repl_meta_parse ("  \\q", &n2, &a2));
  g_assert_cmpstr (n2, ==, "\\q");
  g_assert_cmpstr (a2, ==, "");
  g_free (n2);
  g_free (a2);
  n2 = a2 = NULL;
  g_assert_false (repl_meta_parse ("select 1", &n2, &a2));
  g_assert_null (n2);
  g_assert_true (repl_meta_parse ("\\plan\tx.png SELECT 1;", &n2, &a2));
  g_assert_cmpstr (n2, ==, "\\plan");
  g_assert_cmpstr (a2, ==, "x.png SELECT 1;");
  g_free (n2);
  g_free (a2);
}

static void
test_distance (void)
{
  g_assert_cmpuint (repl_edit_distance ("kitten", "sitting"), ==, 3);
  g_assert_cmpuint (repl_edit_distance ("\\jbos", "\\jobs"), ==, 2);
  g_assert_cmpuint (repl_edit_distance ("ABC", "abc"), ==, 0);
  g_assert_cmpuint (repl_edit_distance ("", "abc"), ==, 3);
  g_assert_cmpuint (repl_edit_distance ("abc", ""), ==, 3);
}

static void
test_suggest (void)
{
  static const char *const words[] = { "format", "timing", NULL };

  g_assert_cmpstr (repl_meta_suggest ("\\jbos"), ==, "\\jobs");
  g_assert_cmpstr (repl_meta_suggest ("\\expalin"), ==, "\\explain");
  g_assert_cmpstr (repl_meta_suggest ("\\qiut"), ==, "\\quit");
  g_assert_cmpstr (repl_meta_suggest ("\\cell"), ==, "\\cells");
  g_assert_null (repl_meta_suggest ("\\zzzzzzzz"));
  g_assert_cmpstr (repl_suggest ("fromat", words), ==, "format");
  g_assert_null (repl_suggest ("xyz", words));
}

static void
test_table (void)
{
  static const char *const expected[] = {
    "\\?", "\\help", "\\quit", "\\timing", "\\set", "\\unset", "\\jobs", "\\job", "\\cancel",
    "\\connect", "\\explain", "\\plan", "\\cells", "\\rerun", "\\edit", "\\save", "\\open",
    "\\export", NULL,
  };
  guint n = 0;
  const ReplMetaInfo *infos = repl_meta_commands (&n);

  g_assert_cmpuint (n, ==, g_strv_length ((char **) expected));
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpstr (infos[i].name, ==, expected[i]);
      g_assert_true (infos[i].summary[0] != '\0');
    }
  g_assert_cmpstr (repl_meta_lookup ("\\q")->name, ==, "\\quit");
  g_assert_null (repl_meta_lookup ("\\nope"));
}

static void
test_variables (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GwClient) client = gw_client_new_embedded (&error);
  g_autoptr (ReplShell) shell = NULL;

  g_assert_no_error (error);
  shell = repl_shell_new (client, REPL_FORMAT_TABLE);
  g_assert_cmpint (repl__meta_run (shell, "\\set format csv"), ==, REPL_META_CONTINUE);
  g_assert_cmpint (shell->format, ==, REPL_FORMAT_CSV);
  repl__meta_run (shell, "\\set format yaml"); /* refused: stays csv */
  g_assert_cmpint (shell->format, ==, REPL_FORMAT_CSV);
  repl__meta_run (shell, "\\unset format");
  g_assert_cmpint (shell->format, ==, REPL_FORMAT_TABLE);
  repl__meta_run (shell, "\\set timing on");
  g_assert_true (shell->timing);
  repl__meta_run (shell, "\\timing");
  g_assert_false (shell->timing);
  repl__meta_run (shell, "\\set fromat json"); /* unknown variable: nothing changes */
  g_assert_cmpint (shell->format, ==, REPL_FORMAT_TABLE);
  repl__meta_run (shell, "\\set format live");
  g_assert_cmpint (shell->format, ==, REPL_FORMAT_LIVE);
  g_assert_true (shell->pager); /* on by default, as in psql */
  repl__meta_run (shell, "\\set pager off");
  g_assert_false (shell->pager);
  repl__meta_run (shell, "\\set pager sometimes"); /* refused: stays off */
  g_assert_false (shell->pager);
  repl__meta_run (shell, "\\unset pager");
  g_assert_true (shell->pager);
  g_assert_cmpint (repl__meta_run (shell, "\\q"), ==, REPL_META_QUIT);
  g_assert_cmpint (repl__meta_run (shell, "\\quit"), ==, REPL_META_QUIT);
  g_assert_cmpint (repl__meta_run (shell, "\\jbos"), ==, REPL_META_CONTINUE);
}

/* ---- the plan in words ----------------------------------------------------------------- */

static PlanType
ty (PlanTypeKind kind)
{
  PlanType type = { kind, 0, 0, TRUE };

  return type;
}

static PlanSchema *
schema_id_v (void)
{
  PlanSchema *schema = plan_schema_new (2);

  plan_schema_set_field (schema, 0, "id", ty (PLAN_TYPE_BIGINT));
  plan_schema_set_field (schema, 1, "v", ty (PLAN_TYPE_INT));
  return schema;
}

/* Source g (x2, filter v > 3) -hash(id)-> Calc (x3) -gather-> Limit 5 (x1)
 * -chained-> Sink collect (x1). */
static PlanPhysPlan *
hand_plan (void)
{
  PlanSpan span = { 0 };
  g_autoptr (PlanTable) table = plan_table_new ("g", schema_id_v (), span);
  PlanPhysNode *source = plan_phys_node_new (PLAN_PHYS_SOURCE, schema_id_v (), span, 2);
  PlanPhysNode *calc, *limit, *sink;
  PlanExpr *args[2];
  PlanValue three = { ty (PLAN_TYPE_INT), FALSE, { .i = 3 } };
  guint key = 0;

  source->u.source.table = plan_table_ref (table);
  source->u.source.n_columns = 2;
  source->u.source.columns = g_new (guint, 2);
  source->u.source.columns[0] = 0;
  source->u.source.columns[1] = 1;
  args[0] = plan_expr_column (1, ty (PLAN_TYPE_INT), span);
  args[1] = plan_expr_literal (&three, span);
  source->u.source.filter = plan_expr_call (PLAN_FUNC_GT, ty (PLAN_TYPE_BOOLEAN), 2, args,
                                            span);
  calc = plan_phys_node_new (PLAN_PHYS_CALC, schema_id_v (), span, 3);
  calc->u.calc.n_exprs = 1;
  calc->u.calc.exprs = g_new (PlanExpr *, 1);
  calc->u.calc.exprs[0] = plan_expr_column (0, ty (PLAN_TYPE_BIGINT), span);
  plan_phys_node_add_input (calc, source, PLAN_EXCHANGE_HASH, 1, &key);
  limit = plan_phys_node_new (PLAN_PHYS_LIMIT, schema_id_v (), span, 1);
  limit->u.limit.limit = 5;
  plan_phys_node_add_input (limit, calc, PLAN_EXCHANGE_GATHER, 0, NULL);
  sink = plan_phys_node_new (PLAN_PHYS_SINK, schema_id_v (), span, 1);
  sink->u.sink.sink = PLAN_SINK_COLLECT;
  sink->chained = TRUE;
  plan_phys_node_add_input (sink, limit, PLAN_EXCHANGE_FORWARD, 0, NULL);
  return plan_phys_plan_new (sink);
}

static void
test_describe (void)
{
  g_autoptr (PlanPhysPlan) plan = hand_plan ();
  g_autofree char *text = repl_plan_describe (plan);

  g_assert_cmpstr (text, ==,
    "[0] Source: g, 2 subtasks. Rows: each of its 2 subtasks reads its own share of 'g'. "
    "State: its read position only. Emits rows as it reads them, only those where v > 3; "
    "a batch leaves when full or after pipeline.buffer-timeout.\n"
    "[1] Calc, 3 subtasks. Rows: hashed by (id): equal keys meet in one subtask. State: "
    "none, each row stands alone. Emits each row as soon as it arrives, computing 1 "
    "column.\n"
    "[2] Limit, 1 subtask. Rows: gathered: the rows of all 3 input subtasks come to one "
    "subtask. State: a count of the rows passed so far. Emits the first 5 rows as they "
    "come, then stops its inputs.\n"
    "[3] Sink: collect, 1 subtask. Rows: from its input in the same thread (chained). "
    "State: a queue of rows waiting for the client to fetch them. Emits nothing "
    "downstream: rows go to the client as they arrive.\n");
}

static void
test_tree (void)
{
  g_autoptr (PlanPhysPlan) plan = hand_plan ();
  g_autofree char *text = repl_plan_tree (plan);

  g_assert_cmpstr (text, ==,
    "Sink: collect (x1)\n"
    "`-[chained]- Limit (x1)\n"
    "   `-[gather]- Calc (x3)\n"
    "      `-[hash]- Source: g (x2)\n");
}

static void
test_render_dot (void)
{
  g_autoptr (PlanPhysPlan) plan = hand_plan ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strom-meta-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "plan.dot", NULL);
  g_autofree char *text = NULL;
  g_autofree char *expected = plan_phys_to_dot (plan);

  g_assert_no_error (error);
  g_assert_true (repl__plan_render (plan, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, expected);
  g_assert_true (g_str_has_prefix (text, "digraph"));
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/repl/meta/parse", test_parse);
  g_test_add_func ("/repl/meta/edit-distance", test_distance);
  g_test_add_func ("/repl/meta/suggest", test_suggest);
  g_test_add_func ("/repl/meta/table", test_table);
  g_test_add_func ("/repl/meta/variables", test_variables);
  g_test_add_func ("/repl/plan/describe", test_describe);
  g_test_add_func ("/repl/plan/tree", test_tree);
  g_test_add_func ("/repl/plan/render-dot", test_render_dot);
  return g_test_run ();
}
