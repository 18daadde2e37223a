# Internet gateways and egress-only internet gateways through /usr/bin/aws.
# Sourced by tests/e2e/run-cli.sh after vpcd_start.

gw_in() { local r=$1; shift; REGION=$r awsx "$@"; }

# ---- The default VPC comes with an attached gateway.
DEF_VPC=$(awsx ec2 describe-vpcs --filters Name=is-default,Values=true --query 'Vpcs[0].VpcId')
expect_ok "default igw" awsx ec2 describe-internet-gateways --filters Name=attachment.vpc-id,Values="$DEF_VPC" \
  --query 'InternetGateways[].[InternetGatewayId,Attachments[0].State,Attachments[0].VpcId,OwnerId]'
DEF_IGW=$(echo "$OUT" | cut -f1)
expect_match "igw id is AWS-shaped" '^igw-[0-9a-f]{17}$' "$DEF_IGW"
expect_eq "attached as available" "available	$DEF_VPC	000000000000" "$(echo "$OUT" | cut -f2-)"

# ---- Create, attach, describe.
expect_ok "create igw with tags" awsx ec2 create-internet-gateway \
  --tag-specifications 'ResourceType=internet-gateway,Tags=[{Key=Name,Value=gw1}]' \
  --query 'InternetGateway.[InternetGatewayId,length(Attachments),OwnerId,Tags[0].Value]'
IGW=$(echo "$OUT" | cut -f1)
expect_eq "new igw is detached" "0	000000000000	gw1" "$(echo "$OUT" | cut -f2-)"
expect_ok "create vpc" awsx ec2 create-vpc --cidr-block 10.1.0.0/16 --amazon-provided-ipv6-cidr-block --query Vpc.VpcId
VPC=$OUT
expect_ok "attach" awsx ec2 attach-internet-gateway --internet-gateway-id "$IGW" --vpc-id "$VPC"
expect_ok "describe attached" awsx ec2 describe-internet-gateways --internet-gateway-ids "$IGW" \
  --query 'InternetGateways[0].Attachments[].[VpcId,State]'
expect_eq "attachment available" "$VPC	available" "$OUT"

# ---- Attachment rules.
expect_err Resource.AlreadyAssociated "attach twice" awsx ec2 attach-internet-gateway --internet-gateway-id "$IGW" --vpc-id "$VPC"
err=$(awsx ec2 attach-internet-gateway --internet-gateway-id "$IGW" --vpc-id "$DEF_VPC" 2>&1)
expect_match "already-attached message" "resource $IGW is already attached to network $VPC" "$err"
expect_ok "second igw" awsx ec2 create-internet-gateway --query InternetGateway.InternetGatewayId
IGW2=$OUT
expect_err Resource.AlreadyAssociated "second igw on the same vpc" awsx ec2 attach-internet-gateway --internet-gateway-id "$IGW2" --vpc-id "$VPC"
expect_err InvalidVpcID.NotFound "attach to a missing vpc" awsx ec2 attach-internet-gateway --internet-gateway-id "$IGW2" --vpc-id vpc-0123456789abcdef0
expect_err InvalidVpcID.Malformed "attach to a malformed vpc id" awsx ec2 attach-internet-gateway --internet-gateway-id "$IGW2" --vpc-id vpc-x
expect_err InvalidInternetGatewayID.NotFound "attach a missing igw" awsx ec2 attach-internet-gateway --internet-gateway-id igw-0123456789abcdef0 --vpc-id "$VPC"
expect_err InvalidInternetGatewayId.Malformed "malformed igw id" awsx ec2 attach-internet-gateway --internet-gateway-id gw-1 --vpc-id "$VPC"
expect_err DependencyViolation "delete an attached igw" awsx ec2 delete-internet-gateway --internet-gateway-id "$IGW"
err=$(awsx ec2 delete-internet-gateway --internet-gateway-id "$IGW" 2>&1)
expect_match "dependency message" "The internetGateway '$IGW' has dependencies and cannot be deleted" "$err"
expect_err DependencyViolation "delete a vpc with an attached igw" awsx ec2 delete-vpc --vpc-id "$VPC"
expect_err Gateway.NotAttached "detach from another vpc" awsx ec2 detach-internet-gateway --internet-gateway-id "$IGW" --vpc-id "$DEF_VPC"
err=$(awsx ec2 detach-internet-gateway --internet-gateway-id "$IGW2" --vpc-id "$VPC" 2>&1)
expect_match "not-attached message" "resource $IGW2 is not attached to network $VPC" "$err"

# ---- Filters.
ig_count() { awsx ec2 describe-internet-gateways --filters "$@" --query 'length(InternetGateways)'; }
expect_eq "filter internet-gateway-id" "1" "$(ig_count Name=internet-gateway-id,Values="$IGW")"
expect_eq "filter attachment.vpc-id" "$IGW" "$(awsx ec2 describe-internet-gateways --filters Name=attachment.vpc-id,Values="$VPC" --query 'InternetGateways[].InternetGatewayId')"
expect_eq "filter attachment.state" "2" "$(ig_count Name=attachment.state,Values=available)"
expect_eq "filter owner-id" "3" "$(ig_count Name=owner-id,Values=000000000000)"
expect_eq "filter tag:Name" "$IGW" "$(awsx ec2 describe-internet-gateways --filters Name=tag:Name,Values=gw1 --query 'InternetGateways[].InternetGatewayId')"
expect_eq "filter tag-key" "1" "$(ig_count Name=tag-key,Values=Name)"
expect_err InvalidParameterValue "unknown filter" awsx ec2 describe-internet-gateways --filters Name=size,Values=big
expect_ok "paging" awsx ec2 describe-internet-gateways --no-paginate --max-results 5 --query 'length(InternetGateways)'
expect_eq "all three fit one page" "3" "$OUT"

# ---- Isolation.
expect_err InvalidInternetGatewayID.NotFound "foreign account cannot see" aws_acct1 ec2 describe-internet-gateways --internet-gateway-ids "$IGW"
expect_err InvalidInternetGatewayID.NotFound "foreign account cannot detach" aws_acct1 ec2 detach-internet-gateway --internet-gateway-id "$IGW" --vpc-id "$VPC"
expect_ok "foreign igw" aws_acct1 ec2 create-internet-gateway --query InternetGateway.InternetGatewayId
FOREIGN_IGW=$OUT
expect_err InvalidVpcID.NotFound "foreign account cannot attach to our vpc" aws_acct1 ec2 attach-internet-gateway --internet-gateway-id "$FOREIGN_IGW" --vpc-id "$VPC"
expect_err InvalidInternetGatewayID.NotFound "other region cannot see" gw_in us-west-2 ec2 describe-internet-gateways --internet-gateway-ids "$IGW"

# ---- Detach and delete.
expect_ok "detach" awsx ec2 detach-internet-gateway --internet-gateway-id "$IGW" --vpc-id "$VPC"
expect_ok "detached igw has no attachments" awsx ec2 describe-internet-gateways --internet-gateway-ids "$IGW" --query 'length(InternetGateways[0].Attachments)'
expect_eq "no attachments" "0" "$OUT"
expect_err Gateway.NotAttached "detach twice" awsx ec2 detach-internet-gateway --internet-gateway-id "$IGW" --vpc-id "$VPC"
expect_ok "attach the other one now" awsx ec2 attach-internet-gateway --internet-gateway-id "$IGW2" --vpc-id "$VPC"
expect_ok "detach it again" awsx ec2 detach-internet-gateway --internet-gateway-id "$IGW2" --vpc-id "$VPC"
expect_ok "delete" awsx ec2 delete-internet-gateway --internet-gateway-id "$IGW"
expect_err InvalidInternetGatewayID.NotFound "deleted igw is gone" awsx ec2 describe-internet-gateways --internet-gateway-ids "$IGW"
expect_err InvalidInternetGatewayID.NotFound "delete twice" awsx ec2 delete-internet-gateway --internet-gateway-id "$IGW"
expect_ok "delete the other" awsx ec2 delete-internet-gateway --internet-gateway-id "$IGW2"

# ---- Quota: 5 per region, the default VPC's gateway included.
R=ap-southeast-2
for i in 1 2 3 4; do
  expect_ok "igw $i of 4 in $R" gw_in $R ec2 create-internet-gateway --query InternetGateway.InternetGatewayId
done
expect_err InternetGatewayLimitExceeded "sixth igw in $R" gw_in $R ec2 create-internet-gateway

# ---- Egress-only internet gateways.
expect_ok "create eigw" awsx ec2 create-egress-only-internet-gateway --vpc-id "$VPC" --client-token tok-1 \
  --tag-specifications 'ResourceType=egress-only-internet-gateway,Tags=[{Key=Name,Value=e1}]' \
  --query '[ClientToken,EgressOnlyInternetGateway.EgressOnlyInternetGatewayId,EgressOnlyInternetGateway.Attachments[0].State,EgressOnlyInternetGateway.Attachments[0].VpcId,EgressOnlyInternetGateway.Tags[0].Value]'
EIGW=$(echo "$OUT" | cut -f2)
expect_match "eigw id is AWS-shaped" '^eigw-[0-9a-f]{17}$' "$EIGW"
expect_eq "eigw reply" "tok-1	attached	$VPC	e1" "$(echo "$OUT" | cut -f1,3-)"
expect_ok "retry with the same token" awsx ec2 create-egress-only-internet-gateway --vpc-id "$VPC" --client-token tok-1 \
  --query 'EgressOnlyInternetGateway.EgressOnlyInternetGatewayId'
expect_eq "same gateway back" "$EIGW" "$OUT"
expect_err IdempotentParameterMismatch "same token, other vpc" awsx ec2 create-egress-only-internet-gateway --vpc-id "$DEF_VPC" --client-token tok-1
expect_err Resource.AlreadyAssociated "second eigw on the vpc" awsx ec2 create-egress-only-internet-gateway --vpc-id "$VPC"
expect_err InvalidVpcID.NotFound "eigw in a missing vpc" awsx ec2 create-egress-only-internet-gateway --vpc-id vpc-0123456789abcdef0
expect_ok "describe eigw" awsx ec2 describe-egress-only-internet-gateways --egress-only-internet-gateway-ids "$EIGW" \
  --query 'EgressOnlyInternetGateways[0].[Attachments[0].State,Attachments[0].VpcId]'
expect_eq "describe eigw fields" "attached	$VPC" "$OUT"
eg_count() { awsx ec2 describe-egress-only-internet-gateways --filters "$@" --query 'length(EgressOnlyInternetGateways)'; }
expect_eq "filter tag:Name" "1" "$(eg_count Name=tag:Name,Values=e1)"
expect_eq "filter tag-key miss" "0" "$(eg_count Name=tag-key,Values=nope)"
expect_eq "filter eigw id" "1" "$(eg_count Name=egress-only-internet-gateway-id,Values="$EIGW")"
expect_eq "filter attachment.vpc-id" "1" "$(eg_count Name=attachment.vpc-id,Values="$VPC")"
expect_err InvalidEgressOnlyInternetGatewayId.NotFound "foreign account cannot see the eigw" aws_acct1 ec2 describe-egress-only-internet-gateways --egress-only-internet-gateway-ids "$EIGW"
expect_err InvalidEgressOnlyInternetGatewayId.NotFound "foreign account cannot delete the eigw" aws_acct1 ec2 delete-egress-only-internet-gateway --egress-only-internet-gateway-id "$EIGW"
expect_err DependencyViolation "delete a vpc with an eigw" awsx ec2 delete-vpc --vpc-id "$VPC"
expect_ok "delete eigw" awsx ec2 delete-egress-only-internet-gateway --egress-only-internet-gateway-id "$EIGW" --query ReturnCode
expect_eq "returnCode true" "True" "$OUT"
expect_err InvalidEgressOnlyInternetGatewayId.NotFound "delete a missing eigw" awsx ec2 delete-egress-only-internet-gateway --egress-only-internet-gateway-id "$EIGW"
expect_err InvalidEgressOnlyInternetGatewayId.Malformed "malformed eigw id" awsx ec2 delete-egress-only-internet-gateway --egress-only-internet-gateway-id eigw-nothex
expect_ok "vpc deletes once its gateways are gone" awsx ec2 delete-vpc --vpc-id "$VPC"
