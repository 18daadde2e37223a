#!/usr/bin/env bash
# Builds vpcd and the benchmarks, runs them and prints one summary table (medians of runs).
#   bench/api: requests/s and p50/p99 latency of a CreateVpc / DescribeVpcs / CreateSubnet /
#   CreateRoute / AuthorizeSecurityGroupIngress mix over keep-alive connections with SigV4,
#   for each durability setting (fsync per commit, the default; --no-fsync) and client count.
# Environment: BENCH_SECONDS (5), BENCH_WARMUP (1), BENCH_RUNS (3), BENCH_CLIENTS ("1 8"),
#   BENCH_DURABILITY ("fsync no-fsync"), BENCH_STATE_DIR (/var/tmp; must be a real disk for the
#   fsync figures to mean anything), APIBENCH_ARGS (extra apibench flags), VPCD_BIN.
#   bench/analyzer: single-path analyses per second and the 1,000-instance reachability matrix
#   on a 100-VPC / 2,000-subnet / 20,000-route / 10-TGW-table network (ANBENCH_SECONDS, 3).
#   bench/scale: a 10,000-VPC / 100,000-route network: startup from SQLite, memory, and one
#   route change until the data plane's new view is published.
#   bench/lpm: IPv4 LPM lookups/s of vpcd against DPDK's rte_fib (and rte_lpm) in one process,
#   on a 1,000-route VPC-like table and a 500,000-prefix table, random and in-table addresses
#   (BENCH_RUNS runs inside one lpmbench process, medians). Needs Debian's libdpdk-dev, which
#   this script installs when missing; vpcd itself never links DPDK.
#   bench/pipeline: the conntrack hit path and pipeline_run() on 2,000,000 tracked flows.
#   bench/e2e (root): iperf3 UDP 64-byte and TCP between instances over a peering and a TGW,
#   against a kernel router namespace with nftables conntrack (installs nftables if missing).
# Raw output of every run goes to build/bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${BENCH_SECONDS:-5}
WARMUP=${BENCH_WARMUP:-1}
RUNS=${BENCH_RUNS:-3}
CLIENTS=${BENCH_CLIENTS:-"1 8"}
DURABILITY=${BENCH_DURABILITY:-"fsync no-fsync"}
STATE_BASE=${BENCH_STATE_DIR:-/var/tmp}
VPCD_BIN=${VPCD_BIN:-build/vpcd}
RESULTS=build/bench/results

make -s all
make -s -C bench/api
make -s -C bench/analyzer
make -s -C bench/pipeline
mkdir -p "$RESULTS"
rm -f "$RESULTS"/api-*.txt

QUOTAS=(--quota vpcs-per-region=1000000 --quota subnets-per-vpc=100000
        --quota routes-per-table=100000 --quota rules-per-security-group=100000
        --quota internet-gateways-per-region=1000000 --quota security-groups-per-region=1000000
        --quota route-tables-per-vpc=100000)

VPCD_PID=
STATE=
stop_vpcd() {
  if [ -n "$VPCD_PID" ]; then
    kill "$VPCD_PID" 2>/dev/null || true
    wait "$VPCD_PID" 2>/dev/null || true
    VPCD_PID=
  fi
  if [ -n "$STATE" ]; then rm -rf "$STATE"; STATE=; fi
}
trap stop_vpcd EXIT

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_vpcd DURABILITY: a fresh vpcd on a fresh state directory, so runs are independent.
start_vpcd() {
  local flags=()
  [ "$1" = no-fsync ] && flags+=(--no-fsync)
  STATE=$(mktemp -d "$STATE_BASE/vpcd-bench.XXXXXX")
  PORT=$(free_port)
  "$VPCD_BIN" --listen "127.0.0.1:$PORT" --state "$STATE/db" --no-dataplane "${QUOTAS[@]}" \
    ${flags[@]+"${flags[@]}"} >"$STATE/log" 2>&1 &
  VPCD_PID=$!
  for _ in $(seq 1 200); do
    curl -sf "http://127.0.0.1:$PORT/_vpcd/health" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "vpcd did not start:"; cat "$STATE/log"; exit 1
}

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p"; }
# row MEASURE VALUE TARGET MET: printed now and again in the one summary table at the end.
SUMMARY=()
row() {
  local line
  line=$(printf '%-46s %12s %12s   %s' "$1" "$2" "$3" "$4")
  SUMMARY+=("$line")
  echo "$line"
}
BENCH_T0=$SECONDS

echo "bench/api: $RUNS run(s) x ${SECONDS_PER_RUN}s (after ${WARMUP}s warm-up) per configuration," \
  "$(nproc) CPU(s), state in $STATE_BASE ($(df -T "$STATE_BASE" | awk 'NR==2 {print $2}'))," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
ROWS=(); API_ROWS=()
for dur in $DURABILITY; do
  for c in $CLIENTS; do
    rps=(); p50=(); p99=(); errs=()
    for run in $(seq 1 "$RUNS"); do
      start_vpcd "$dur"
      out="$RESULTS/api-$dur-c$c-run$run.txt"
      # shellcheck disable=SC2086
      build/bench/apibench --port "$PORT" --clients "$c" --seconds "$SECONDS_PER_RUN" \
        --warmup "$WARMUP" ${APIBENCH_ARGS:-} >"$out"
      stop_vpcd
      line=$(grep '^RESULT' "$out")
      rps+=("$(echo "$line" | field rps)")
      p50+=("$(echo "$line" | field p50_ms)")
      p99+=("$(echo "$line" | field p99_ms)")
      errs+=("$(echo "$line" | field errors)")
      echo "  $dur clients=$c run $run: $line" | sed 's/RESULT //'
    done
    m_rps=$(printf '%s\n' "${rps[@]}" | median)
    m_p50=$(printf '%s\n' "${p50[@]}" | median)
    m_p99=$(printf '%s\n' "${p99[@]}" | median)
    m_err=$(printf '%s\n' "${errs[@]}" | median)
    met=$(awk -v r="$m_rps" -v p="$m_p99" 'BEGIN {print (r >= 20000 && p < 2) ? "yes" : "no"}')
    ROWS+=("$(printf '%-9s %7s %10s %9s %9s %8s   %s' "$dur" "$c" "$m_rps" "$m_p50" "$m_p99" \
      "$m_err" "$met")")
    API_ROWS+=("$dur $c $m_rps $m_p99 $met")
  done
done

echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other processes compete for the same 2 CPUs)"
echo "bench/api summary (medians of $RUNS runs; target >= 20000 req/s with p99 < 2 ms)"
printf '%-9s %7s %10s %9s %9s %8s   %s\n' durability clients "req/s" "p50 ms" "p99 ms" errors \
  "target met"
printf '%s\n' "${ROWS[@]}"
for r in "${API_ROWS[@]}"; do
  read -r dur c rps p99 met <<<"$r"
  SUMMARY+=("$(printf '%-46s %12s %12s   %s' "api req/s, $dur, $c client(s) (p99 $p99 ms)" "$rps" \
    ">= 20000" "$met")")
done

echo
echo "bench/analyzer: $RUNS run(s)"
a_rate=(); a_mat=(); a_snap=()
for run in $(seq 1 "$RUNS"); do
  out="$RESULTS/analyzer-run$run.txt"
  build/bench/anbench "${ANBENCH_SECONDS:-3}" 1000 >"$out"
  line=$(grep '^RESULT' "$out")
  echo "  run $run: $line" | sed 's/RESULT //'
  a_rate+=("$(echo "$line" | field analyses_per_s)")
  a_mat+=("$(echo "$line" | field matrix_s)")
  a_snap+=("$(echo "$line" | field snapshot_ms)")
done
m_rate=$(printf '%s\n' "${a_rate[@]}" | median)
m_mat=$(printf '%s\n' "${a_mat[@]}" | median)
m_snap=$(printf '%s\n' "${a_snap[@]}" | median)
echo "bench/analyzer summary (medians of $RUNS runs, one core)"
row "single-path analyses per second" "$m_rate" ">= 100000" \
  "$(awk -v v="$m_rate" 'BEGIN {print (v >= 100000) ? "yes" : "no"}')"
row "1,000-instance matrix (s)" "$m_mat" "< 10" \
  "$(awk -v v="$m_mat" 'BEGIN {print (v < 10) ? "yes" : "no"}')"
row "snapshot compile (ms)" "$m_snap" "-" "-"
reach=$(bench/analyzer/reach.sh "$RUNS" | tee "$RESULTS/reach.txt" | grep '^RESULT' | field reach_s)
row "vpcctl reach, 1,000 instances (s)" "$reach" "< 10" \
  "$(awk -v v="$reach" 'BEGIN {print (v < 10) ? "yes" : "no"}')"

echo
p_rate=(); p_slow=(); p_bytes=()
for run in $(seq 1 "$RUNS"); do
  line=$(build/bench/plbench "${ANBENCH_SECONDS:-3}" | tee "$RESULTS/pipeline-run$run.txt" | grep '^RESULT')
  echo "  pipeline run $run: $line" | sed 's/RESULT //'
  p_rate+=("$(echo "$line" | field mpps)")
  p_slow+=("$(echo "$line" | field slow_mpps)")
  p_bytes+=("$(echo "$line" | field bytes_per_flow)")
done
m_prate=$(printf '%s\n' "${p_rate[@]}" | median)
m_pslow=$(printf '%s\n' "${p_slow[@]}" | median)
m_pbytes=$(printf '%s\n' "${p_bytes[@]}" | median)
echo "bench/pipeline summary (median of $RUNS runs, one core, established flows, 10,000 routes,"
echo "200 SG rules, 1,000,000 connections tracked at both ENIs = 2,000,000 tracked flows)"
row "fast path decisions (Mpps)" "$m_prate" ">= 10" \
  "$(awk -v v="$m_prate" 'BEGIN {print (v >= 10) ? "yes" : "no"}')"
row "pipeline_run per packet (Mpps)" "$m_pslow" "-" "-"
row "bytes per tracked flow" "$m_pbytes" "<= 128" \
  "$(awk -v v="$m_pbytes" 'BEGIN {print (v <= 128) ? "yes" : "no"}')"

echo
make -s -C bench/scale
s_start=(); s_change=(); s_mem=()
for run in $(seq 1 "$RUNS"); do
  line=$(build/bench/scbench "$STATE_BASE/vpcd-scbench.$$" | tee "$RESULTS/scale-run$run.txt" | grep '^RESULT')
  echo "  scale run $run: $line" | sed 's/RESULT //'
  s_start+=("$(echo "$line" | field startup_s)")
  s_change+=("$(echo "$line" | field route_change_ms)")
  s_mem+=("$(echo "$line" | field memory_mib)")
done
m_start=$(printf '%s\n' "${s_start[@]}" | median)
m_change=$(printf '%s\n' "${s_change[@]}" | median)
m_mem=$(printf '%s\n' "${s_mem[@]}" | median)
echo "bench/scale summary (median of $RUNS runs: 10,000 VPCs, 100,000 routes, through dp_sync())"
row "startup: load + publish (s)" "$m_start" "< 2" \
  "$(awk -v v="$m_start" 'BEGIN {print (v < 2) ? "yes" : "no"}')"
row "one route change published (ms)" "$m_change" "< 1" \
  "$(awk -v v="$m_change" 'BEGIN {print (v < 1) ? "yes" : "no"}')"
row "model + snapshot memory (MiB)" "$m_mem" "-" "-"

echo
# DPDK is the benchmark's dependency only (bench/lpm/Makefile builds nothing without it).
if ! pkg-config --exists libdpdk; then
  apt-get install -y libdpdk-dev >/dev/null 2>&1 || echo "bench/lpm: apt-get install libdpdk-dev failed"
fi
if pkg-config --exists libdpdk; then
  make -s -C bench/lpm
  rm -f "$RESULTS/lpm-rows.txt"
  # A disagreement between the structures on any address exits non-zero and stops the run.
  build/bench/lpmbench "$RUNS" >"$RESULTS/lpm.txt"
  grep -E '^(eal|table|UPDATE)' "$RESULTS/lpm.txt" | sed 's/^/  /'
  echo "bench/lpm summary (medians of $RUNS runs, one core, batches of 64, Mlookups/s of CPU time;"
  echo "issue 7 target: vpcd >= rte_fib in every row, vpc1k table under 1 MiB)"
  printf '%-8s %-7s %10s %10s %10s %12s %12s   %s\n' table addrs vpcd rte_fib rte_lpm \
    "vpcd bytes" "fib bytes" "target met"
  grep '^RESULT' "$RESULTS/lpm.txt" | while read -r line; do
    tbl=$(echo "$line" | field table); adr=$(echo "$line" | field addrs)
    v=$(echo "$line" | field vpcd_mlps); f=$(echo "$line" | field rte_fib_mlps)
    l=$(echo "$line" | field rte_lpm_mlps); vb=$(echo "$line" | field vpcd_bytes)
    fb=$(echo "$line" | field rte_fib_bytes)
    met=$(awk -v v="$v" -v f="$f" -v b="$vb" -v t="$tbl" \
      'BEGIN {print (v >= f && (t != "vpc1k" || b < 1048576)) ? "yes" : "no"}')
    printf '%-8s %-7s %10s %10s %10s %12s %12s   %s\n' "$tbl" "$adr" "$v" "$f" "$l" "$vb" "$fb" "$met"
    echo "$tbl $adr $v $f $vb $met" >>"$RESULTS/lpm-rows.txt"
  done
  while read -r tbl adr v f vb met; do
    SUMMARY+=("$(printf '%-46s %12s %12s   %s' "lpm $tbl $adr (M lookups/s; $vb bytes)" "$v" \
      ">= $f" "$met")")
  done <"$RESULTS/lpm-rows.txt"
else
  echo "bench/lpm: skipped (libdpdk-dev not installed)"
fi

echo
if [ "$(id -u)" -eq 0 ]; then
  command -v nft >/dev/null 2>&1 || apt-get install -y -qq nftables >/dev/null 2>&1 || true
  # Real packets between instance namespaces and through a kernel router, in one run.
  bench/e2e/e2ebench.py "$RUNS" "${E2E_SECONDS:-3}" | tee "$RESULTS/e2e.txt"
  k_udp=$(grep '^RESULT path=kernel' "$RESULTS/e2e.txt" | field udp64_kpps)
  k_tcp=$(grep '^RESULT path=kernel' "$RESULTS/e2e.txt" | field tcp_gbps)
  row "e2e kernel router: 64-byte UDP (kpps)" "$k_udp" "-" "-"
  row "e2e kernel router: TCP (Gbit/s)" "$k_tcp" "-" "-"
  for path in peering tgw; do
    u=$(grep "^RESULT path=$path" "$RESULTS/e2e.txt" | field udp64_kpps)
    t=$(grep "^RESULT path=$path" "$RESULTS/e2e.txt" | field tcp_gbps)
    row "e2e $path: 64-byte UDP (kpps)" "$u" ">= 2x $k_udp" \
      "$(awk -v v="$u" -v k="$k_udp" 'BEGIN {print (v >= 2 * k) ? "yes" : "no"}')"
    row "e2e $path: TCP (Gbit/s)" "$t" ">= $k_tcp" \
      "$(awk -v v="$t" -v k="$k_tcp" 'BEGIN {print (v >= k) ? "yes" : "no"}')"
  done
else
  echo "bench/e2e: skipped (needs root for network namespaces)"
fi

total_min=$(awk -v s=$((SECONDS - BENCH_T0)) 'BEGIN {printf "%.1f", s / 60}')
echo
echo "=== make bench summary (medians of $RUNS runs; raw output in $RESULTS/)"
printf '%-46s %12s %12s   %s\n' measure value target "target met"
printf '%s\n' "${SUMMARY[@]}"
printf '%-46s %12s %12s   %s\n' "make bench, all of it (minutes)" "$total_min" "< 10" \
  "$(awk -v v="$total_min" 'BEGIN {print (v < 10) ? "yes" : "no"}')"
