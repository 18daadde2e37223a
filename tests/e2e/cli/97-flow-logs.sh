# VPC flow logs through /usr/bin/aws: create-flow-logs, describe-flow-logs, delete-flow-logs.
# Sourced by tests/e2e/run-cli.sh after vpcd_start.

expect_ok "create vpc" awsx ec2 create-vpc --cidr-block 10.7.0.0/16 --query Vpc.VpcId
VPC=$OUT
expect_ok "create subnet" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.7.1.0/24 \
  --query Subnet.SubnetId
SUBNET=$OUT

# ---- s3, custom format, tags.
FORMAT='${version} ${vpc-id} ${subnet-id} ${srcaddr} ${dstaddr} ${action} ${flow-direction}'
expect_ok "create s3 flow log" awsx ec2 create-flow-logs --resource-type VPC --resource-ids "$VPC" \
  --traffic-type REJECT --log-destination-type s3 --log-destination arn:aws:s3:::cli-bucket/logs \
  --log-format "$FORMAT" --max-aggregation-interval 60 \
  --tag-specifications 'ResourceType=vpc-flow-log,Tags=[{Key=Name,Value=cli}]' \
  --query '[FlowLogIds[0],length(Unsuccessful)]'
FL1=$(echo "$OUT" | cut -f1)
expect_match "flow log id is AWS-shaped" '^fl-[0-9a-f]{17}$' "$FL1"
expect_eq "no unsuccessful items" "0" "$(echo "$OUT" | cut -f2)"
expect_ok "describe by id" awsx ec2 describe-flow-logs --flow-log-ids "$FL1" \
  --query 'FlowLogs[0].[ResourceId,TrafficType,LogDestinationType,LogDestination,MaxAggregationInterval,FlowLogStatus,DeliverLogsStatus,Tags[0].Value]'
expect_eq "described fields" "$VPC	REJECT	s3	arn:aws:s3:::cli-bucket/logs	60	ACTIVE	SUCCESS	cli" "$OUT"
expect_ok "describe format" awsx ec2 describe-flow-logs --flow-log-ids "$FL1" --query 'FlowLogs[0].LogFormat'
expect_eq "format as given" "$FORMAT" "$OUT"

# ---- cloud-watch-logs with a role, then filters.
expect_ok "create cwl flow log" awsx ec2 create-flow-logs --resource-type Subnet --resource-ids "$SUBNET" \
  --traffic-type ALL --log-group-name /cli/flow \
  --deliver-logs-permission-arn arn:aws:iam::000000000000:role/fl --query 'FlowLogIds[0]'
FL2=$OUT
expect_ok "filter by log group" awsx ec2 describe-flow-logs --filter Name=log-group-name,Values=/cli/flow \
  --query 'FlowLogs[].[FlowLogId,LogDestinationType,DeliverLogsPermissionArn]'
expect_eq "cwl flow log found" "$FL2	cloud-watch-logs	arn:aws:iam::000000000000:role/fl" "$OUT"
expect_ok "filter by resource" awsx ec2 describe-flow-logs --filter Name=resource-id,Values="$VPC" \
  --query 'FlowLogs[].FlowLogId'
expect_eq "vpc flow log found" "$FL1" "$OUT"

# ---- Unsuccessful items and errors.
expect_ok "duplicate and missing vpc" awsx ec2 create-flow-logs --resource-type VPC \
  --resource-ids "$VPC" vpc-0123456789abcdef0 --traffic-type REJECT --log-destination-type s3 \
  --log-destination arn:aws:s3:::cli-bucket/logs --query 'Unsuccessful[].[ResourceId,Error.Code]'
expect_eq "both unsuccessful" "$VPC	FlowLogAlreadyExists
vpc-0123456789abcdef0	InvalidVpcID.NotFound" "$OUT"
expect_err InvalidParameter "bad log format" awsx ec2 create-flow-logs --resource-type VPC \
  --resource-ids "$VPC" --traffic-type ALL --log-destination-type s3 \
  --log-destination arn:aws:s3:::cli-bucket --log-format '${version} ${bogus}'
expect_err InvalidParameter "cwl without a role" awsx ec2 create-flow-logs --resource-type VPC \
  --resource-ids "$VPC" --traffic-type ALL --log-group-name g

# ---- Delete.
expect_ok "delete with one unknown id" awsx ec2 delete-flow-logs --flow-log-ids "$FL1" fl-0123456789abcdef0 \
  --query 'Unsuccessful[].[ResourceId,Error.Code]'
expect_eq "unknown id unsuccessful" "fl-0123456789abcdef0	InvalidFlowLogId.NotFound" "$OUT"
expect_ok "describe after delete" awsx ec2 describe-flow-logs --query 'FlowLogs[].FlowLogId'
expect_eq "only the cwl flow log is left" "$FL2" "$OUT"
expect_ok "describe a deleted id" awsx ec2 describe-flow-logs --flow-log-ids "$FL1" --query 'length(FlowLogs)'
expect_eq "deleted id: empty set" "0" "$OUT"
expect_ok "delete the last" awsx ec2 delete-flow-logs --flow-log-ids "$FL2" --query 'length(Unsuccessful)'
expect_eq "nothing unsuccessful" "0" "$OUT"
