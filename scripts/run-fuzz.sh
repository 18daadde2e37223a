#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time over its corpus, all at once (each still gets
# its full time budget; together they take one budget of wall clock instead of one each).
# Crashes land in tests/fuzz/crashes/ so they can be kept as regressions.
set -u
seconds=$1; shift
mkdir -p tests/fuzz/crashes
pids=(); names=(); logs=(); works=()
for f in "$@"; do
  name=$(basename "$f")
  corpus=tests/fuzz/corpus/${name#fuzz_}
  mkdir -p "$corpus"
  work=$(mktemp -d)
  cp -r "$corpus"/. "$work"/ 2>/dev/null || true
  log=$(mktemp)
  echo "fuzz $name for ${seconds}s"
  "$f" -max_total_time="$seconds" -artifact_prefix=tests/fuzz/crashes/"$name"- \
    -print_final_stats=1 "$work" >"$log" 2>&1 &
  pids+=($!); names+=("$name"); logs+=("$log"); works+=("$work")
done
status=0
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then echo "--- ${names[$i]}: no findings"
  else echo "--- ${names[$i]}: FAILED"; status=1; fi
  tail -n 12 "${logs[$i]}"
  rm -rf "${works[$i]}" "${logs[$i]}"
done
exit $status
