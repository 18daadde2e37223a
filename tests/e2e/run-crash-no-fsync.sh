#!/usr/bin/env bash
# The crash-consistency test (run-crash.sh) with vpcd --no-fsync: a commit is then a journal
# write that is not synced, which must still survive every SIGKILL (only a host crash may
# lose it). usage: tests/e2e/run-crash-no-fsync.sh [path/to/vpcd] [driver options]
set -u
cd "$(dirname "$0")/../.."
VPCD_BIN=${1:-build/vpcd}
shift $(($# > 0 ? 1 : 0))
exec tests/e2e/run-crash.sh "$VPCD_BIN" --vpcd-arg=--no-fsync "$@"
