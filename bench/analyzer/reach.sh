#!/usr/bin/env bash
# `vpcctl reach` end to end over 1,000 instances (1,000,000 pairs): a real vpcd (SigV4 on),
# the network built through boto3, then the wall time of `build/vpcctl reach` (the API call,
# the analysis of every pair in vpcd, the 1 MB reply, parsing and printing).
#   Four VPCs of 250 instances each attached to a TGW, three of them routing 10.0.0.0/8 to it,
#   every default group opened to 10.0.0.0/8 for tcp 443. The fourth VPC has no route to the
#   TGW, so 625,000 of the 1,000,000 cells are reachable (750^2 + 250^2).
# usage: bench/analyzer/reach.sh [RUNS]   prints one RESULT line with the median seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-3}
STATE=$(mktemp -d /tmp/vpcd-reach.XXXXXX)
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
build/vpcd --listen "127.0.0.1:$PORT" --state "$STATE/db" --no-dataplane --no-fsync \
  --quota subnets-per-vpc=1000 >"$STATE/log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$STATE"' EXIT
for _ in $(seq 1 200); do
  curl -sf "http://127.0.0.1:$PORT/_vpcd/health" >/dev/null 2>&1 && break
  sleep 0.05
done
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
ENDPOINT=http://127.0.0.1:$PORT /usr/bin/python3 - <<'PY'
import os, boto3
ec2 = boto3.client("ec2", endpoint_url=os.environ["ENDPOINT"])
tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
for v in range(4):
    vpc = ec2.create_vpc(CidrBlock=f"10.{v}.0.0/16")["Vpc"]
    vid = vpc["VpcId"]
    sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vid]},
                                               {"Name": "group-name", "Values": ["default"]}])
    sgid = sg["SecurityGroups"][0]["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sgid, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    subnets = []
    for k in range(3):
        subnets.append(ec2.create_subnet(VpcId=vid, CidrBlock=f"10.{v}.{k}.0/24",
                                         AvailabilityZone="us-east-1" + "abc"[k])["Subnet"]["SubnetId"])
    ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vid, SubnetIds=subnets)
    rtb = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vid]}])["RouteTables"][0]
    if v < 3:  # the fourth VPC has no route to the hub: it reaches only itself
        ec2.create_route(RouteTableId=rtb["RouteTableId"], DestinationCidrBlock="10.0.0.0/8",
                         TransitGatewayId=tgw)
    for k, n in ((0, 84), (1, 83), (2, 83)):
        ec2.run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=n, MaxCount=n,
                          SubnetId=subnets[k])
n = sum(len(r["Instances"]) for r in ec2.describe_instances()["Reservations"])
print(f"built 4 VPCs, 12 subnets, {n} instances")
PY
times=()
for run in $(seq 1 "$RUNS"); do
  start=$(date +%s.%N)
  build/vpcctl --endpoint-url "http://127.0.0.1:$PORT" reach --port 443 >"$STATE/reach.txt"
  end=$(date +%s.%N)
  t=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')
  read -r cells reachable < <(awk 'NR > 2 { for (i = 5; i <= NF; i++) { n++; if ($i == "+") r++ } }
                                   END { print n + 0, r + 0 }' "$STATE/reach.txt")
  echo "  run $run: ${t}s ($cells cells, $reachable reachable)"
  times+=("$t")
done
median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
echo "RESULT reach_s=$median instances=1000"
