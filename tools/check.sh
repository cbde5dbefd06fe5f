#!/usr/bin/env bash
# Runs every test in the normal build and in the ASan+UBSan build, then prints one line
# `N passed, N failed` counting the individual GLib test cases (TAP results) of both runs.
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

# Count TAP lines ("ok N" / "not ok N") of every test log of both builds.
passed=0; failed=0
for d in "$build" "$asan"; do
  log="$d/meson-logs/testlog.txt"
  [ -f "$log" ] || { failed=$((failed + 1)); continue; }
  p=$(grep -cE '^ok [0-9]+' "$log"); f=$(grep -cE '^not ok [0-9]+' "$log")
  passed=$((passed + p)); failed=$((failed + f))
done
# A test program that crashed or timed out before reporting its case counts as a failure.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
