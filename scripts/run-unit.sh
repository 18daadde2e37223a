#!/usr/bin/env bash
# Runs each unit-test binary and sums the "N passed, N failed" lines they print last.
set -u
total_pass=0; total_fail=0; broken=0
for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  last=$(printf '%s\n' "$out" | tail -n 1)
  if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    total_pass=$((total_pass + BASH_REMATCH[1])); total_fail=$((total_fail + BASH_REMATCH[2]))
  else
    broken=$((broken + 1))
  fi
  if [ $rc -ne 0 ]; then printf '%s\n' "$out"; echo "FAIL $t (exit $rc)"; broken=$((broken + 1)); else echo "ok   $t: $last"; fi
done
echo "unit: $total_pass passed, $total_fail failed"
[ $total_fail -eq 0 ] && [ $broken -eq 0 ]
