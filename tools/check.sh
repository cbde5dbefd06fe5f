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
  # an executable that crashed before TAP output still counts as one failure
  crashed=$(grep -cE '^ *[0-9]+/[0-9]+ .*(FAIL|TIMEOUT|ERROR) ' "$d/meson-logs/testlog.txt" 2>/dev/null || true)
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$f" -eq 0 ] && [ "${crashed:-0}" -gt 0 ]; then failed=$((failed + crashed)); fi
done
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
