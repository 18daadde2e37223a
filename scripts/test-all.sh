#!/usr/bin/env bash
# `make test`: every suite on the release build and again under ASan+UBSan (the CLI suite under ASan only).
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
step() { echo; echo "=== $1"; }
# Each step reports its wall-clock seconds, so the suite's time can be kept in budget.
run() {
  local name=$1; shift; step "$name"; local t0=$SECONDS
  if "$@"; then echo "--- $name: ok ($((SECONDS - t0)) s)"
  else echo "--- $name: FAILED ($((SECONDS - t0)) s)"; status=1; fi
}

run "build" make -s -j"$(nproc)" all units
run "unit tests" make -s unit
run "build (ASan+UBSan)" make -s -j"$(nproc)" debug
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run "unit tests (ASan+UBSan)" make -s unit-debug
# The CLI suite spends its time in the aws CLI's Python start-up (about 8 minutes of both CPUs),
# so it runs once, under the sanitizers, where it finds the most. It needs no data plane, so it
# runs in the background at low priority while the other suites run (they mostly wait on packets
# and timeouts, and get the CPU first when they need it); its report follows theirs.
cli_out=$(mktemp -d /tmp/vpcd-test-all.XXXXXX)
cli_t0=$SECONDS
( nice -n 15 tests/e2e/run-cli.sh build/debug/vpcd >"$cli_out/log" 2>&1; echo $? >"$cli_out/rc" ) &
cli_pid=$!
for suite in tests/e2e/run-*.sh; do
  [ -e "$suite" ] || continue
  name=$(basename "$suite" .sh)
  [ "$name" = run-cli ] && continue
  run "$name" "$suite" build/vpcd
  run "$name (ASan+UBSan)" "$suite" build/debug/vpcd
done
step "run-cli (ASan+UBSan), in the background since the e2e suites began"
wait "$cli_pid"
cat "$cli_out/log"
if [ "$(cat "$cli_out/rc" 2>/dev/null)" = 0 ]; then
  echo "--- run-cli (ASan+UBSan): ok ($((SECONDS - cli_t0)) s since it started)"
else
  echo "--- run-cli (ASan+UBSan): FAILED ($((SECONDS - cli_t0)) s since it started)"; status=1
fi
rm -rf "$cli_out"
run "fuzz (${FUZZ_SECONDS:-60}s each)" make -s fuzz-run FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
echo
[ $status -eq 0 ] && echo "make test: all suites passed" || echo "make test: FAILURES above"
exit $status
