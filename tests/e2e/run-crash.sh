#!/usr/bin/env bash
# Crash-consistency test: 2,000 mutations while vpcd is SIGKILLed at 20 random points and
# restarted on the same state directory; after every restart each acknowledged mutation must
# be present and the one in flight must be all-or-nothing (see tests/e2e/crash/crash_driver.py).
# usage: tests/e2e/run-crash.sh [path/to/vpcd] [driver options: --seed N --mutations N ...]
# The last line is "N passed, N failed"; the exit status is non-zero on any failure.
set -u
cd "$(dirname "$0")/../.."
VPCD_BIN=${1:-build/vpcd}
shift $(($# > 0 ? 1 : 0))
if [ ! -x "$VPCD_BIN" ]; then
  echo "no vpcd binary at $VPCD_BIN"; echo "0 passed, 1 failed"; exit 1
fi
WORK=$(mktemp -d /tmp/vpcd-crash.XXXXXX)

cleanup() {
  # The driver keeps the pid of the running vpcd in $WORK/pid; only kill that process if it
  # still is our vpcd (its command line names our state directory).
  if [ -f "$WORK/pid" ]; then
    local pid; pid=$(cat "$WORK/pid")
    if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$WORK/state"; then
      kill -9 "$pid" 2>/dev/null
    fi
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

/usr/bin/python3 tests/e2e/crash/crash_driver.py --vpcd "$VPCD_BIN" --workdir "$WORK" "$@"
