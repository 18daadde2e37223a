#!/usr/bin/env bash
# vpcctl end to end: a real vpcd, a topology built with /usr/bin/aws, and build/vpcctl's
# trace and reach reports, exit statuses, settings from the environment and ~/.aws-style files,
# error reporting, stats (this vpcd has no data plane; as root a second vpcd with its data plane
# and two pinging instances checks the counters vpcctl prints), and (release build) a valgrind
# run without leaks or errors.
#
#   vpc 10.96.0.0/16
#    └─ subnet 10.96.1.0/24 (us-east-1a)
#         ├─ A 10.96.1.10   default SG (all traffic from the group itself)
#         ├─ B 10.96.1.20   default SG
#         └─ C 10.96.1.30   SG "closed": no ingress rule, later tcp 22 from 10.96.1.0/24
#
# usage: tests/e2e/run-vpcctl.sh [path/to/vpcd]   (vpcctl is taken from the same directory)
# The last line is "N passed, N failed"; the exit status is non-zero on any failure.
cd "$(dirname "$0")/../.."
export VPCD_BIN=${1:-build/vpcd}
VPCCTL=$(dirname "$VPCD_BIN")/vpcctl
source tests/e2e/lib.sh
if [ ! -x "$VPCD_BIN" ] || [ ! -x "$VPCCTL" ]; then
  echo "no vpcd or vpcctl binary next to $VPCD_BIN"; echo "0 passed, 1 failed"; exit 1
fi
vpcd_start

# vpcctl as the aws CLI would run in a clean shell for account 000000000000.
ctl() {
  AWS_ACCESS_KEY_ID=${CTL_KEY:-test} AWS_SECRET_ACCESS_KEY=${CTL_SECRET:-test} \
    AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    "$VPCCTL" --endpoint-url "$ENDPOINT" "$@"
}
# expect_rc DESC RC CMD...: the command exits with RC; stdout in $OUT, stderr in $ERR.
expect_rc() {
  local desc=$1 want=$2; shift 2
  OUT=$("$@" 2>"$VPCD_STATE/err"); local rc=$?
  ERR=$(cat "$VPCD_STATE/err")
  if [ "$rc" -eq "$want" ]; then ok "$desc (exit $rc)"
  else fail "$desc: expected exit $want, got $rc: $OUT $ERR"; fi
}
# expect_line DESC LINE TEXT: TEXT has a line equal to LINE.
expect_line() {
  if printf '%s\n' "$3" | grep -qxF -- "$2"; then ok "$1"
  else fail "$1: no line [$2] in:"; printf '%s\n' "$3"; fi
}
ARROW=$'\u2192'

# ---- the topology
VPC=$(awsx ec2 create-vpc --cidr-block 10.96.0.0/16 --query Vpc.VpcId)
SUB=$(awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.96.1.0/24 --availability-zone us-east-1a --query Subnet.SubnetId)
DEF_SG=$(awsx ec2 describe-security-groups --filters Name=vpc-id,Values="$VPC" Name=group-name,Values=default --query 'SecurityGroups[0].GroupId')
CLOSED=$(awsx ec2 create-security-group --group-name closed --description "no ingress" --vpc-id "$VPC" --query GroupId)
run() { awsx ec2 run-instances --image-id ami-0abcdef1234567890 --instance-type t3.micro --subnet-id "$SUB" "$@" \
          --query 'Instances[0].[InstanceId,NetworkInterfaces[0].NetworkInterfaceId]'; }
read -r A ENI_A <<<"$(run --private-ip-address 10.96.1.10)"
read -r B ENI_B <<<"$(run --private-ip-address 10.96.1.20)"
read -r C ENI_C <<<"$(run --private-ip-address 10.96.1.30 --security-group-ids "$CLOSED")"
expect_match "three instances" '^i-[0-9a-f]{17} i-[0-9a-f]{17} i-[0-9a-f]{17}$' "$A $B $C"
expect_match "their interfaces" '^eni-[0-9a-f]{17} eni-[0-9a-f]{17} eni-[0-9a-f]{17}$' "$ENI_A $ENI_B $ENI_C"

# ---- trace: a path found, both directions, hop by hop
expect_rc "trace A to B port 22" 0 ctl trace "$A" "$B" --port 22
expect_line "headline" "$A $ARROW $B tcp port 22: path found" "$OUT"
expect_line "forward header" "forward path: tcp 10.96.1.10:49152 $ARROW 10.96.1.20:22" "$OUT"
expect_line "hop 1 is the source instance" "    1  $A" "$OUT"
expect_line "hop 2 its interface" "    2  $ENI_A" "$OUT"
expect_match "SG egress rule named" "    3  $DEF_SG egress rule sgr-[0-9a-f]{17} all traffic to 0.0.0.0/0 allow" "$OUT"
expect_match "SG ingress rule names the group" "    4  $DEF_SG ingress rule sgr-[0-9a-f]{17} all traffic from $DEF_SG allow" "$OUT"
expect_line "destination interface" "    5  $ENI_B" "$OUT"
expect_line "destination instance" "    6  $B" "$OUT"
expect_line "return header" "return path: tcp 10.96.1.20:22 $ARROW 10.96.1.10:49152" "$OUT"
expect_line "return SG as tracked reply" "    3  $DEF_SG allow (reply of a tracked flow)" "$OUT"
expect_line "return ends at A" "    6  $A" "$OUT"
expect_eq "nothing on stderr" "" "$ERR"

# ---- trace: blocked by the destination's security group
expect_rc "trace A to C port 22 is blocked" 1 ctl trace "$A" "$C" --port 22
expect_line "blocked headline" "$A $ARROW $C tcp port 22: not reachable" "$OUT"
expect_line "blocked at C's interface" "blocked at $ENI_C: ENI_SG_RULES_MISMATCH" "$OUT"
expect_line "direction" "    direction           ingress" "$OUT"
expect_line "the group named" "    security groups     $CLOSED" "$OUT"
expect_line "the instance named" "    attached to         $C" "$OUT"
expect_line "the subnet named" "    subnet              $SUB" "$OUT"
expect_eq "no return path printed" "0" "$(printf '%s\n' "$OUT" | grep -c '^return path')"

expect_rc "trace --json blocked" 1 ctl trace "$A" "$C" --port 22 --json
expect_eq "json verdict and code" "False ENI_SG_RULES_MISMATCH $ENI_C 3 0" "$(printf '%s' "$OUT" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
e = d["explanations"][0]
print(d["networkPathFound"], e["explanationCode"], e["component"]["id"], len(d["forward"]), len(d["return"]))')"

# ---- trace to an address (DestinationIp) and over udp
expect_rc "trace A to 10.96.1.20 udp 53" 0 ctl trace "$A" 10.96.1.20 --proto udp --port 53
expect_line "address headline" "$A $ARROW 10.96.1.20 udp port 53: path found" "$OUT"
expect_line "address reaches B" "    6  $B" "$OUT"

# ---- reach: the matrix
expect_rc "reach tcp 22" 0 ctl reach --port 22
expect_match "matrix headline" "^reachability, tcp port 22: 3 instances" "$OUT"
expect_eq "matrix has one row per instance" "3" "$(printf '%s\n' "$OUT" | grep -c '  i-')"
expect_rc "reach --json" 0 ctl reach --port 22 --json
expect_eq "matrix cells" "A>B=True A>C=False C>A=False B>A=True diag=True" "$(printf '%s' "$OUT" | A=$A B=$B C=$C /usr/bin/python3 -c '
import json, os, sys
d = json.load(sys.stdin)
ids = [i["instanceId"] for i in d["instances"]]
row = {r["instanceId"]: r["reachable"] for r in d["rows"]}
a, b, c = os.environ["A"], os.environ["B"], os.environ["C"]
cell = lambda s, t: row[s][ids.index(t)]
print("A>B=%s A>C=%s C>A=%s B>A=%s diag=%s" % (cell(a, b), cell(a, c), cell(c, a), cell(b, a),
      all(cell(i, i) for i in ids)))')"
# The text matrix lists instances by id (one region here); A reaches itself and B, not C.
expect_rc "reach tcp 22 again" 0 ctl reach --port 22
SORTED=($(printf '%s\n' "$A" "$B" "$C" | sort))
CELLS=""; ROW=0
for k in 0 1 2; do
  if [ "${SORTED[$k]}" = "$C" ]; then CELLS+=" ."; else CELLS+=" +"; fi
  [ "${SORTED[$k]}" = "$A" ] && ROW=$((k + 1))
done
expect_line "text row of A" "$(printf '%2d  %-19s  %-9s  %-10s %s' "$ROW" "$A" us-east-1 10.96.1.10 "$CELLS")" "$OUT"

# ---- opening the group changes the verdict, and the rule shows on the path
awsx ec2 authorize-security-group-ingress --group-id "$CLOSED" --protocol tcp --port 22 --cidr 10.96.1.0/24 >/dev/null
expect_rc "trace A to C after the rule" 0 ctl trace "$A" "$C" --port 22
expect_match "the new rule admits it" "    4  $CLOSED ingress rule sgr-[0-9a-f]{17} tcp 22 from 10.96.1.0/24 allow" "$OUT"
expect_rc "other ports still blocked" 1 ctl trace "$A" "$C" --port 23

# ---- trace cleans up after itself
expect_eq "no paths left" "0" "$(awsx ec2 describe-network-insights-paths --query 'length(NetworkInsightsPaths)')"
expect_eq "no analyses left" "0" "$(awsx ec2 describe-network-insights-analyses --query 'length(NetworkInsightsAnalyses)')"

# ---- settings as the aws CLI reads them
printf '[e2e]\naws_access_key_id = 111111111111key\naws_secret_access_key = secret1\n' >"$VPCD_STATE/credentials"
printf '[profile e2e]\nregion = us-east-1\nendpoint_url = %s\n' "$ENDPOINT" >"$VPCD_STATE/config"
expect_rc "profile from files (other account)" 0 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
  AWS_SHARED_CREDENTIALS_FILE="$VPCD_STATE/credentials" AWS_CONFIG_FILE="$VPCD_STATE/config" \
  "$VPCCTL" --profile e2e reach
expect_match "account 111111111111 has no instances" "^reachability, tcp: 0 instances" "$OUT"
expect_rc "endpoint and keys from the environment" 0 env AWS_ENDPOINT_URL="$ENDPOINT" \
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_CONFIG_FILE=/dev/null \
  AWS_SHARED_CREDENTIALS_FILE=/dev/null "$VPCCTL" reach
expect_match "same account as awsx" "^reachability, tcp: 3 instances" "$OUT"

# ---- errors: AWS's code and message on stderr, exit 2
expect_rc "unknown instance" 2 ctl trace i-00000000000000000 "$B"
expect_match "error names the code" "^vpcctl: An error occurred \(InvalidInstanceID.NotFound\) when calling the CreateNetworkInsightsPath operation: " "$ERR"
CTL_SECRET=wrong expect_rc "wrong secret" 2 ctl reach
expect_match "signature refused" "\(SignatureDoesNotMatch\)" "$ERR"
expect_rc "unknown command" 2 ctl frobnicate
expect_rc "trace needs two ids" 2 ctl trace "$A"
expect_rc "bad protocol" 2 ctl trace "$A" "$B" --proto sctp
expect_rc "help" 0 "$VPCCTL" help trace
expect_match "help text" "^usage: vpcctl trace SRC DST" "$OUT"
expect_rc "nothing listening" 2 ctl --endpoint-url http://127.0.0.1:1 reach
expect_match "connection error" "^vpcctl: Could not connect to the endpoint URL" "$ERR"

# ---- stats: this vpcd runs without a data plane, so it has its request count only
# Every request counts, the metrics GETs too: curl's reading is N, vpcctl's next one N + 1.
N_API=$(curl -sf "$ENDPOINT/_vpcd/metrics" | awk '$1 == "vpcd_api_requests_total" { print $2 }')
expect_match "metrics have the request count" '^[0-9]+$' "$N_API"
expect_rc "stats without a data plane" 0 ctl stats
expect_eq "stats text without a data plane" "api requests: $((N_API + 1))
data plane: off (no counters)" "$OUT"
expect_eq "stats: nothing on stderr" "" "$ERR"
expect_rc "stats --json --all without a data plane" 0 ctl stats --json --all
expect_eq "stats json without a data plane" "$((N_API + 2)) False None None None" "$(printf '%s' "$OUT" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["apiRequests"], d["dataPlane"], d["frames"], d["answers"], d["drops"])')"
# stats signs nothing: no credentials anywhere, the endpoint from the environment.
expect_rc "stats without credentials" 0 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
  -u AWS_PROFILE AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  AWS_ENDPOINT_URL="$ENDPOINT" "$VPCCTL" stats
expect_eq "stats without credentials reads this vpcd" "api requests: $((N_API + 3))" "$(printf '%s\n' "$OUT" | head -1)"
expect_rc "stats where vpcd is not" 2 ctl --endpoint-url "$ENDPOINT/nowhere" stats
expect_eq "stats names the refusal" "vpcctl: $ENDPOINT/nowhere/_vpcd/metrics answered HTTP 401 (is the endpoint a vpcd?)" "$ERR"
expect_rc "stats with nothing listening" 2 ctl --endpoint-url http://127.0.0.1:1 stats
expect_match "stats connection error" '^vpcctl: Could not connect to the endpoint URL: "http://127.0.0.1:1/_vpcd/metrics"' "$ERR"
expect_rc "stats takes no arguments" 2 ctl stats extra
expect_rc "--all is for stats only" 2 ctl reach --all
expect_rc "help stats" 0 "$VPCCTL" help stats
expect_match "stats help text" '^usage: vpcctl stats \[--json\] \[--all\]' "$OUT"

# ---- no leaks or memory errors (valgrind cannot run an ASan build)
if command -v valgrind >/dev/null 2>&1 && ! ldd "$VPCCTL" | grep -q libasan; then
  VG="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
  expect_rc "valgrind: trace blocked" 1 env AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null $VG "$VPCCTL" \
    --endpoint-url "$ENDPOINT" trace "$A" "$C" --port 23 --json
  expect_rc "valgrind: reach" 0 env AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null $VG "$VPCCTL" \
    --endpoint-url "$ENDPOINT" reach
  expect_rc "valgrind: API error" 2 env AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null $VG "$VPCCTL" \
    --endpoint-url "$ENDPOINT" trace i-00000000000000000 "$B"
  expect_rc "valgrind: stats --json" 0 env AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    $VG "$VPCCTL" --endpoint-url "$ENDPOINT" stats --json
fi

# ---- stats with a data plane (root only): a second vpcd on its own port and state, two
# instances in one subnet, real pings between their namespaces, and the numbers vpcctl prints.
#
#   vpc 10.98.0.0/16 (on the second vpcd)
#    └─ subnet 10.98.1.0/24
#         ├─ P 10.98.1.10  default SG
#         └─ Q 10.98.1.20  default SG; later its rule for the group itself is revoked
DP_PID= DP_STATE= DP_ENDPOINT= DP_IDS=()
dp_stop() {
  if [ -n "$DP_PID" ]; then
    # --dev: a reset removes every namespace of this vpcd, even after a failure half-way.
    curl -s -m 20 -X POST "$DP_ENDPOINT/_vpcd/reset" >/dev/null 2>&1
    kill "$DP_PID" 2>/dev/null; wait "$DP_PID" 2>/dev/null
    if grep -q "ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer" "$DP_STATE/log"; then
      echo "FAIL sanitizer report in the data-plane vpcd's log:"; cat "$DP_STATE/log"
      E2E_FAIL=$((E2E_FAIL + 1))
    fi
    DP_PID=
  fi
  local id
  for id in "${DP_IDS[@]}"; do
    [ -e "/run/netns/$id" ] && ip netns delete "$id" && echo "cleanup: removed namespace $id"
  done
  DP_IDS=()
  [ -n "$DP_STATE" ] && rm -rf "$DP_STATE"
  DP_STATE=
}
trap 'dp_stop; vpcd_stop' EXIT
dpaws() { ENDPOINT=$DP_ENDPOINT awsx "$@"; }
dpctl() { ENDPOINT=$DP_ENDPOINT ctl "$@"; }
dp_metrics() { curl -sf "$DP_ENDPOINT/_vpcd/metrics"; }
# check_stats BEFORE FORMAT ALL REPORT AFTER: the report vpcctl printed (FORMAT text or json,
# ALL 1 for --all) agrees with the raw metrics read just before and just after it: every count
# within [before, after], the API count exactly before + 1, a row for every series non-zero
# before (for --all: every series) and none for a series still zero after (unless --all), rows
# by count (largest first, then name), totals the sums. Prints "ok" or what disagrees.
check_stats() {
  /usr/bin/python3 - "$@" <<'PY'
import json, re, sys
def raw(path):
    out = {}
    for line in open(path):
        if not line.strip() or line.startswith("#"):
            continue
        key, _, val = line.rstrip("\n").rpartition(" ")
        m = re.fullmatch(r'([a-z_]+)(?:\{(.*)\})?', key)
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        out[(m.group(1), tuple(sorted(labels.items())))] = int(val)
    return out
before, fmt, all_rows = raw(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
report, after = open(sys.argv[4]).read(), raw(sys.argv[5])
def series(name, **labels):
    return (name, tuple(sorted(labels.items())))
# The report, as {series: count}, rows in the order printed, and the totals.
got, reason_rows, eni_rows, totals = {}, [], [], {}
if fmt == "json":
    d = json.loads(report)
    got[series("vpcd_api_requests_total")] = d["apiRequests"]
    for k in ("rx", "tx"):
        got[series("vpcd_dp_frames_total", direction=k)] = d["frames"][k]
    for k, v in d["answers"].items():
        got[series("vpcd_dp_answers_total", kind=k)] = v
    for r in d["drops"]["byReason"]:
        reason_rows.append((series("vpcd_dp_drops_total", reason=r["reason"]), r["count"]))
    for r in d["drops"]["byInterface"]:
        eni_rows.append((series("vpcd_dp_eni_drops_total", eni=r["networkInterfaceId"],
                                instance=r["instanceId"] or ""), r["count"]))
    totals["reason"] = d["drops"]["total"]
else:
    section = None
    for line in report.splitlines():
        if m := re.fullmatch(r"api requests: (\d+)", line):
            got[series("vpcd_api_requests_total")] = int(m.group(1))
        elif m := re.fullmatch(r"frames: rx (\d+), tx (\d+)", line):
            got[series("vpcd_dp_frames_total", direction="rx")] = int(m.group(1))
            got[series("vpcd_dp_frames_total", direction="tx")] = int(m.group(2))
        elif line.startswith("answers: "):
            for part in line[len("answers: "):].split(", "):
                k, v = part.split(" ")
                got[series("vpcd_dp_answers_total", kind=k)] = int(v)
        elif m := re.fullmatch(r"drops by (reason|interface): (\d+)", line):
            section = m.group(1)
            totals[section] = int(m.group(2))
        elif section == "reason" and (m := re.fullmatch(r" +(\d+)  (\S+)", line)):
            reason_rows.append((series("vpcd_dp_drops_total", reason=m.group(2)), int(m.group(1))))
        elif section == "interface" and (m := re.fullmatch(r" +(\d+)  (\S+)  (\S+)", line)):
            inst = "" if m.group(3) == "-" else m.group(3)
            eni_rows.append((series("vpcd_dp_eni_drops_total", eni=m.group(2), instance=inst),
                             int(m.group(1))))
        else:
            sys.exit(print(f"unexpected line [{line}]"))
problems = []
for rows, name, total in ((reason_rows, "vpcd_dp_drops_total", "reason"),
                          (eni_rows, "vpcd_dp_eni_drops_total", "interface")):
    got.update(rows)
    order = sorted(rows, key=lambda r: (-r[1], str(r[0][1])))
    if [r[1] for r in rows] != [r[1] for r in order]:
        problems.append(f"{name} rows not by count: {rows}")
    listed = {r[0] for r in rows}
    for k in before.keys() | after.keys():
        if k[0] == name and k in before and (all_rows or before[k] > 0) and k not in listed:
            problems.append(f"{k} is not listed")
        if k[0] == name and not all_rows and after.get(k, 0) == 0 and k in listed:
            problems.append(f"{k} is zero but listed")
    if total in totals and totals[total] != sum(r[1] for r in rows):
        problems.append(f"{total} total {totals[total]} is not the sum of its rows")
for k, v in got.items():
    if k not in after:
        problems.append(f"{k} is not in the metrics")
    elif not before.get(k, 0) <= v <= after[k]:
        problems.append(f"{k} = {v}, outside [{before.get(k, 0)}, {after[k]}]")
api = series("vpcd_api_requests_total")
if got.get(api) != before[api] + 1:
    problems.append(f"api requests {got.get(api)}, not {before[api] + 1}")
print("; ".join(problems) or "ok")
PY
}
# stats_now text|json [--all]: runs vpcctl stats (--json for json) between two raw readings and
# checks them; the report is left in $OUT, stderr in $ERR.
stats_now() {
  local fmt=$1 all=0 desc="stats $*"; shift
  [ "${1:-}" = --all ] && all=1
  dp_metrics >"$DP_STATE/before"
  [ "$fmt" = json ] && set -- --json "$@"
  dpctl stats "$@" >"$DP_STATE/report" 2>"$DP_STATE/err"; local rc=$?
  dp_metrics >"$DP_STATE/after"
  OUT=$(cat "$DP_STATE/report"); ERR=$(cat "$DP_STATE/err")
  if [ "$rc" -ne 0 ]; then fail "$desc: exit $rc: $ERR"; return; fi
  expect_eq "$desc agrees with the metrics" "ok" \
    "$(check_stats "$DP_STATE/before" "$fmt" "$all" "$DP_STATE/report" "$DP_STATE/after")"
}
# ping_q DESC: P pings Q twice; the output is in $PING. A namespace that is gone is named: a vpcd
# starting its data plane on this host removes every instance namespace it does not own.
ping_q() {
  local id
  for id in "$P" "$Q"; do
    [ -e "/run/netns/$id" ] || fail "$1: the namespace of $id is gone (another vpcd with a data plane started on this host?)"
  done
  PING=$(ip netns exec "$P" ping -c2 -W1 10.98.1.20 2>&1)
}
# jget EXPR: evaluates EXPR on the JSON object in $OUT (as d).
jget() { printf '%s' "$OUT" | /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP stats with a data plane: needs root (network namespaces)"
else
  DP_STATE=$(mktemp -d /tmp/vpcd-e2e-dp.XXXXXX)
  DP_PORT=$(free_port)
  DP_ENDPOINT=http://127.0.0.1:$DP_PORT
  "$VPCD_BIN" --listen "127.0.0.1:$DP_PORT" --state "$DP_STATE/db" --dev >"$DP_STATE/log" 2>&1 &
  DP_PID=$!
  for _ in $(seq 1 200); do
    grep -q "serving the EC2 API" "$DP_STATE/log" 2>/dev/null && break
    sleep 0.05
  done
  if ! grep -q "data plane on" "$DP_STATE/log"; then
    fail "the second vpcd is not serving with its data plane: $(cat "$DP_STATE/log")"
  else
    ok "second vpcd with its data plane on $DP_ENDPOINT"
    stats_now text
    expect_match "no instances: no interface rows" $'drops by interface: 0$' "$OUT"

    DP_VPC=$(dpaws ec2 create-vpc --cidr-block 10.98.0.0/16 --query Vpc.VpcId)
    DP_SUB=$(dpaws ec2 create-subnet --vpc-id "$DP_VPC" --cidr-block 10.98.1.0/24 --query Subnet.SubnetId)
    DP_SG=$(dpaws ec2 describe-security-groups --filters Name=vpc-id,Values="$DP_VPC" Name=group-name,Values=default --query 'SecurityGroups[0].GroupId')
    dprun() { dpaws ec2 run-instances --image-id ami-0abcdef1234567890 --instance-type t3.micro --subnet-id "$DP_SUB" "$@" \
                --query 'Instances[0].[InstanceId,NetworkInterfaces[0].NetworkInterfaceId]'; }
    read -r P ENI_P <<<"$(dprun --private-ip-address 10.98.1.10)"
    [ -n "${P:-}" ] && DP_IDS+=("$P")
    read -r Q ENI_Q <<<"$(dprun --private-ip-address 10.98.1.20)"
    [ -n "${Q:-}" ] && DP_IDS+=("$Q")
    expect_match "two instances with interfaces" '^i-[0-9a-f]{17} eni-[0-9a-f]{17} i-[0-9a-f]{17} eni-[0-9a-f]{17}$' "${P:-} ${ENI_P:-} ${Q:-} ${ENI_Q:-}"
    expect_eq "their namespaces" "2" "$(ls /run/netns | grep -cxE "${P:-none}|${Q:-none}")"

    stats_now json --all
    expect_eq "--all lists every reason vpcd counts" \
      "$(grep -c '^vpcd_dp_drops_total{' "$DP_STATE/after")" "$(jget 'len(d["drops"]["byReason"])')"
    expect_eq "--all lists both interfaces with their instances" "$ENI_P $P,$ENI_Q $Q" \
      "$(jget '",".join(e["networkInterfaceId"] + " " + e["instanceId"] for e in sorted(d["drops"]["byInterface"], key=lambda e: e["instanceId"] != "'"$P"'"))')"
    J0=$OUT

    # ---- a ping that arrives: P asks vpcd for Q's address (ARP), so does Q for P's on the way
    # back; two requests and two replies forwarded: 6 frames sent by vpcd.
    ping_q "P pings Q"
    expect_match "P pings Q" "2 packets transmitted, 2 received" "$PING"
    stats_now json
    J1=$OUT
    DELTAS=$(J0=$J0 J1=$J1 /usr/bin/python3 -c '
import json, os
a, b = json.loads(os.environ["J0"]), json.loads(os.environ["J1"])
print(b["frames"]["tx"] - a["frames"]["tx"], b["frames"]["rx"] - a["frames"]["rx"] >= 6,
      b["answers"]["arp"] - a["answers"]["arp"], b["answers"]["router_ping"] - a["answers"]["router_ping"])')
    expect_eq "ping: tx +6, rx +6 or more, arp answers +2, router pings +0" "6 True 2 0" "$DELTAS"
    stats_now text
    expect_match "text frames line" $'\nframes: rx [0-9]+, tx [0-9]+\n' "$OUT"

    # ---- a ping that does not: Q's group no longer admits the group itself, so Q's interface
    # drops both echo requests (ENI_SG_RULES_MISMATCH), counted against P's, the sender.
    dpaws ec2 revoke-security-group-ingress --group-id "$DP_SG" \
      --ip-permissions "IpProtocol=-1,UserIdGroupPairs=[{GroupId=$DP_SG}]" >/dev/null
    stats_now json --all
    J2=$OUT
    ping_q "P's ping is lost now"
    expect_match "P's ping is lost now" "2 packets transmitted, 0 received" "$PING"
    stats_now json --all
    J3=$OUT
    DELTAS=$(J2=$J2 J3=$J3 P=$P /usr/bin/python3 -c '
import json, os
a, b = json.loads(os.environ["J2"]), json.loads(os.environ["J3"])
r = lambda d, k: {x["reason"]: x["count"] for x in d["drops"]["byReason"]}[k]
e = lambda d, i: {x["instanceId"]: x["count"] for x in d["drops"]["byInterface"]}[i]
print(r(b, "ENI_SG_RULES_MISMATCH") - r(a, "ENI_SG_RULES_MISMATCH"), e(b, os.environ["P"]) - e(a, os.environ["P"]) >= 2,
      b["frames"]["tx"] - a["frames"]["tx"])')
    expect_eq "lost ping: 2 SG drops, at least 2 more for P, nothing sent" "2 True 0" "$DELTAS"
    stats_now text
    expect_match "text row for the SG drops" $'\n +2  ENI_SG_RULES_MISMATCH\n' "$OUT"
    expect_match "text row for P's interface" $'\n +[0-9]+  '"$ENI_P  $P"$'(\n|$)' "$OUT"
    expect_eq "stats: nothing on stderr" "" "$ERR"

    # ---- terminated instances take their namespaces and their rows with them
    dpaws ec2 terminate-instances --instance-ids "$P" "$Q" >/dev/null
    for _ in $(seq 1 100); do
      [ -e "/run/netns/$P" ] || [ -e "/run/netns/$Q" ] || break
      sleep 0.1
    done
    expect_eq "namespaces gone after terminate" "0" "$(ls /run/netns | grep -cxE "$P|$Q")"
    stats_now json --all
    expect_eq "no interface rows once terminated" "0" "$(jget 'len(d["drops"]["byInterface"])')"
    if command -v valgrind >/dev/null 2>&1 && ! ldd "$VPCCTL" | grep -q libasan; then
      expect_rc "valgrind: stats --all" 0 env -i valgrind -q --leak-check=full \
        --errors-for-leak-kinds=definite,indirect --error-exitcode=99 "$VPCCTL" \
        --endpoint-url "$DP_ENDPOINT" stats --all
    fi
  fi
  dp_stop
  expect_eq "no namespace of the second vpcd left" "0" "$(ls /run/netns | grep -cxE "${P:-none}|${Q:-none}")"
fi

vpcd_stop
e2e_summary
