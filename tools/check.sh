#!/usr/bin/env bash
# Runs every test in the normal build and in the ASan+UBSan build, and the checkpoint
# tests in a ThreadSanitizer build, then prints one line `N passed, N failed` counting the
# individual GLib test cases (TAP results) of the three runs.
set -u
build=${1:-build}
asan=${2:-build-asan}
status=0

run_suite () { # dir, extra setup args
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" >/dev/null || return 1
  fi
  ninja -C "$dir" || return 1
  meson test -C "$dir" --print-errorlogs --num-processes 2 --timeout-multiplier 4
}

echo "== normal build =="
run_suite "$build" --buildtype=debugoptimized || status=1
echo "== ASan + UBSan build =="
run_suite "$asan" --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
  -Dc_args=-fno-sanitize-recover=all || status=1

# The checkpoint tests once more under ThreadSanitizer (issue 8). Only that test is built:
# the engine's locks tell TSan what GLib's futex mutex hides (rt-types.h); GLib's slice
# allocator is bypassed, and races inside libglib itself (not built with TSan) are
# suppressed (tests/runtime/tsan.supp).
echo "== ThreadSanitizer build: checkpoint tests =="
tsan=${3:-build-tsan}
if { [ -f "$tsan/build.ninja" ] || meson setup "$tsan" --buildtype=debugoptimized \
       -Db_sanitize=thread -Db_lundef=false -Dgui=disabled >/dev/null; } \
   && ninja -C "$tsan" tests/runtime/test-checkpoint; then
  G_SLICE=always-malloc \
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/runtime/tsan.supp" \
    "$tsan/tests/runtime/test-checkpoint" > "$tsan/checkpoint-tap.txt" 2>&1 || status=1
  tail -n 3 "$tsan/checkpoint-tap.txt"
else
  status=1
fi

# Count TAP lines ("ok N" / "not ok N") of every test log of both builds.
passed=0; failed=0
for d in "$build" "$asan"; do
  log="$d/meson-logs/testlog.txt"
  [ -f "$log" ] || { failed=$((failed + 1)); continue; }
  p=$(grep -cE '^ok [0-9]+' "$log"); f=$(grep -cE '^not ok [0-9]+' "$log")
  passed=$((passed + p)); failed=$((failed + f))
done
if [ -f "$tsan/checkpoint-tap.txt" ]; then
  p=$(grep -cE '^ok [0-9]+' "$tsan/checkpoint-tap.txt")
  f=$(grep -cE '^not ok [0-9]+' "$tsan/checkpoint-tap.txt")
  passed=$((passed + p)); failed=$((failed + f))
fi
# A test program that crashed or timed out before reporting its case counts as a failure.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
