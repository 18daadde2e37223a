#!/usr/bin/env bash
# vpcctl end to end: a real vpcd, a topology built with /usr/bin/aws, and build/vpcctl's
# trace and reach reports, exit statuses, settings from the environment and ~/.aws-style files,
# error reporting, and (release build) a valgrind run without leaks or errors.
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
fi

vpcd_stop
e2e_summary
