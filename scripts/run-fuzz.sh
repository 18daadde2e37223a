#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time over its corpus; crashes land in
# tests/fuzz/crashes/ so they can be kept as regressions.
set -eu
seconds=$1; shift
mkdir -p tests/fuzz/crashes
for f in "$@"; do
  name=$(basename "$f")
  corpus=tests/fuzz/corpus/${name#fuzz_}
  mkdir -p "$corpus"
  work=$(mktemp -d)
  cp -r "$corpus"/. "$work"/ 2>/dev/null || true
  echo "fuzz $name for ${seconds}s"
  "$f" -max_total_time="$seconds" -artifact_prefix=tests/fuzz/crashes/"$name"- -print_final_stats=1 "$work" 2>&1 | tail -n 12
  rm -rf "$work"
done
