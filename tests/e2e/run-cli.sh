#!/usr/bin/env bash
# aws CLI end-to-end suite: each tests/e2e/cli/*.sh runs against its own fresh vpcd, two files
# at a time (the CLI's Python start-up dominates, and the files share nothing).
# usage: tests/e2e/run-cli.sh [path/to/vpcd]
cd "$(dirname "$0")/../.."
export VPCD_BIN=${1:-build/vpcd}
out=$(mktemp -d /tmp/vpcd-cli.XXXXXX)
trap 'rm -rf "$out"' EXIT
# Longest first (by how many CLI calls a file makes), so the two jobs end together.
for f in tests/e2e/cli/*.sh; do echo "$(grep -c 'awsx\|aws_acct' "$f") $f"; done | sort -rn |
  cut -d' ' -f2 | xargs -P "${CLI_JOBS:-2}" -I{} bash -c \
  'f={}; bash -c "source tests/e2e/lib.sh; vpcd_start; source \"\$0\"; vpcd_stop; e2e_summary" "$f" \
     >"'"$out"'/$(basename "$f").log" 2>&1'
pass=0; failed=0
for log in "$out"/*.log; do
  echo "## $(basename "$log" .log)"
  grep -v '^ok ' "$log"
  last=$(tail -n 1 "$log")
  if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    pass=$((pass + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
  else
    failed=$((failed + 1))
  fi
done
echo "cli: $pass passed, $failed failed"
[ $failed -eq 0 ]
