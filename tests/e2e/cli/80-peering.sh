# VPC peering connections through /usr/bin/aws: same account, cross-account and cross-region.
# Sourced by tests/e2e/run-cli.sh after vpcd_start.
#
#   account 000000000000 us-east-1         account 111111111111    account 222222222222
#   VA 10.10/16 ==pcx1== VB 10.20/16        PX 10.30/16 ==pcx3==    PY 10.40/16
#   VC 10.50/16 --pcx2 (rejected, failed)-- VB          \--pcx4 (failed)-- PZ 10.30.0.0/20
#   VC 10.50/16 ==pcx5 (us-east-1 <-> eu-west-1)== VE 10.60/16 (eu-west-1)

eu() { REGION=eu-west-1 awsx "$@"; }
pcx_q() { awsx ec2 describe-vpc-peering-connections --vpc-peering-connection-ids "$1" --query "VpcPeeringConnections[0].$2"; }
route_state() { # rtb destination
  awsx ec2 describe-route-tables --route-table-ids "$1" --query "RouteTables[0].Routes[?DestinationCidrBlock=='$2'].State"
}
main_rtb() {
  "${@:2}" ec2 describe-route-tables --filters Name=vpc-id,Values="$1" Name=association.main,Values=true \
    --query 'RouteTables[0].RouteTableId'
}

# ---- (a) Same account, same region.
VA=$(awsx ec2 create-vpc --cidr-block 10.10.0.0/16 --query Vpc.VpcId)
VB=$(awsx ec2 create-vpc --cidr-block 10.20.0.0/16 --query Vpc.VpcId)
VC=$(awsx ec2 create-vpc --cidr-block 10.50.0.0/16 --query Vpc.VpcId)
expect_ok "create peering" awsx ec2 create-vpc-peering-connection --vpc-id "$VA" --peer-vpc-id "$VB" \
  --tag-specifications 'ResourceType=vpc-peering-connection,Tags=[{Key=Name,Value=a-b}]' \
  --query 'VpcPeeringConnection.[VpcPeeringConnectionId,Status.Code,Status.Message,Tags[0].Value]'
PCX1=$(echo "$OUT" | cut -f1)
expect_match "pcx id is AWS-shaped" '^pcx-[0-9a-f]{17}$' "$PCX1"
expect_eq "create reply pending" "pending-acceptance	Pending Acceptance by 000000000000	a-b" "$(echo "$OUT" | cut -f2-)"
expect_eq "requester info" "$VA	000000000000	us-east-1	10.10.0.0/16	10.10.0.0/16" \
  "$(pcx_q "$PCX1" 'RequesterVpcInfo.[VpcId,OwnerId,Region,CidrBlock,CidrBlockSet[0].CidrBlock]')"
expect_eq "accepter info has no CIDR before acceptance" "$VB	000000000000	us-east-1	None	None" \
  "$(pcx_q "$PCX1" 'AccepterVpcInfo.[VpcId,OwnerId,Region,CidrBlock,PeeringOptions]')"
expect_match "expiration time 7 days out" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T' "$(pcx_q "$PCX1" ExpirationTime)"
EXP=$(pcx_q "$PCX1" ExpirationTime)
expect_eq "expiry is 7 days after now (±2 min)" "1" \
  "$(/usr/bin/python3 -c "import datetime,sys; e=datetime.datetime.fromisoformat(sys.argv[1].replace('Z','+00:00')); d=(e-datetime.datetime.now(datetime.timezone.utc)).total_seconds()-7*86400; print(int(abs(d)<120))" "$EXP")"

RA=$(main_rtb "$VA" awsx)
RB=$(main_rtb "$VB" awsx)
expect_ok "route to a pending pcx" awsx ec2 create-route --route-table-id "$RA" --destination-cidr-block 10.20.0.0/16 --vpc-peering-connection-id "$PCX1"
expect_eq "route to pending pcx is blackhole" "blackhole" "$(route_state "$RA" 10.20.0.0/16)"
expect_err VpcPeeringConnectionAlreadyExists "second peering for the pair" awsx ec2 create-vpc-peering-connection --vpc-id "$VA" --peer-vpc-id "$VB"
expect_err VpcPeeringConnectionAlreadyExists "reverse direction counts too" awsx ec2 create-vpc-peering-connection --vpc-id "$VB" --peer-vpc-id "$VA"
expect_err OperationNotPermitted "requester cannot add a CIDR while pending" awsx ec2 associate-vpc-cidr-block --vpc-id "$VA" --cidr-block 10.11.0.0/16
expect_err OperationNotPermitted "options only on active peerings" awsx ec2 modify-vpc-peering-connection-options \
  --vpc-peering-connection-id "$PCX1" --requester-peering-connection-options AllowDnsResolutionFromRemoteVpc=true
err=$(awsx ec2 modify-vpc-peering-connection-options --vpc-peering-connection-id "$PCX1" \
  --requester-peering-connection-options AllowDnsResolutionFromRemoteVpc=true 2>&1)
expect_match "not-active message" "Peering $PCX1 is not active. Peering options can be added only to active peerings." "$err"

expect_ok "accept" awsx ec2 accept-vpc-peering-connection --vpc-peering-connection-id "$PCX1" \
  --query 'VpcPeeringConnection.[Status.Code,Status.Message,AccepterVpcInfo.CidrBlock]'
expect_eq "accept reply provisioning" "provisioning	Provisioning	10.20.0.0/16" "$OUT"
expect_eq "active after accept" "active	Active" "$(pcx_q "$PCX1" 'Status.[Code,Message]')"
expect_eq "accepter CIDR and options once active" "10.20.0.0/16	10.20.0.0/16	False	False" \
  "$(pcx_q "$PCX1" 'AccepterVpcInfo.[CidrBlock,CidrBlockSet[0].CidrBlock,PeeringOptions.AllowDnsResolutionFromRemoteVpc,PeeringOptions.AllowEgressFromLocalClassicLinkToRemoteVpc]')"
expect_eq "no expiration time once active" "None" "$(pcx_q "$PCX1" ExpirationTime)"
expect_err InvalidStateTransition "accept twice" awsx ec2 accept-vpc-peering-connection --vpc-peering-connection-id "$PCX1"
expect_eq "route turns active" "active" "$(route_state "$RA" 10.20.0.0/16)"
expect_ok "route back" awsx ec2 create-route --route-table-id "$RB" --destination-cidr-block 10.10.0.0/16 --vpc-peering-connection-id "$PCX1"
expect_eq "route back active" "active" "$(route_state "$RB" 10.10.0.0/16)"
expect_eq "route filter by pcx" "$RA" "$(awsx ec2 describe-route-tables --filters Name=route.vpc-peering-connection-id,Values="$PCX1" Name=vpc-id,Values="$VA" --query 'RouteTables[].RouteTableId')"
RC=$(main_rtb "$VC" awsx)
expect_err InvalidParameterValue "route from a VPC the pcx does not join" awsx ec2 create-route --route-table-id "$RC" --destination-cidr-block 10.20.0.0/16 --vpc-peering-connection-id "$PCX1"
expect_err InvalidVpcPeeringConnectionID.NotFound "route to a missing pcx" awsx ec2 create-route --route-table-id "$RA" --destination-cidr-block 10.99.0.0/16 --vpc-peering-connection-id pcx-0123456789abcdef0
expect_err InvalidVpcPeeringConnectionId.Malformed "route to a malformed pcx" awsx ec2 create-route --route-table-id "$RA" --destination-cidr-block 10.99.0.0/16 --vpc-peering-connection-id pcx-zz

expect_err InvalidVpc.Range "secondary CIDR overlapping the active peer" awsx ec2 associate-vpc-cidr-block --vpc-id "$VA" --cidr-block 10.20.0.0/17
expect_ok "non-overlapping secondary CIDR" awsx ec2 associate-vpc-cidr-block --vpc-id "$VA" --cidr-block 10.11.0.0/16 --query CidrBlockAssociation.CidrBlock
expect_eq "requester CidrBlockSet follows the VPC" "10.10.0.0/16 10.11.0.0/16" "$(pcx_q "$PCX1" 'RequesterVpcInfo.CidrBlockSet[].CidrBlock' | tr '\t' ' ')"

expect_err InvalidVpcPeeringConnectionState.DnsHostnamesDisabled "DNS option needs DNS hostnames" awsx ec2 modify-vpc-peering-connection-options \
  --vpc-peering-connection-id "$PCX1" --requester-peering-connection-options AllowDnsResolutionFromRemoteVpc=true
awsx ec2 modify-vpc-attribute --vpc-id "$VA" --enable-dns-hostnames '{"Value":true}'
awsx ec2 modify-vpc-attribute --vpc-id "$VB" --enable-dns-hostnames '{"Value":true}'
expect_ok "modify both sides (same account)" awsx ec2 modify-vpc-peering-connection-options --vpc-peering-connection-id "$PCX1" \
  --requester-peering-connection-options AllowDnsResolutionFromRemoteVpc=true \
  --accepter-peering-connection-options AllowDnsResolutionFromRemoteVpc=false \
  --query '[RequesterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc,AccepterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc]'
expect_eq "modify reply" "True	False" "$OUT"
expect_eq "options described" "True	False" \
  "$(pcx_q "$PCX1" '[RequesterVpcInfo.PeeringOptions.AllowDnsResolutionFromRemoteVpc,AccepterVpcInfo.PeeringOptions.AllowDnsResolutionFromRemoteVpc]')"

# Security groups may reference the peer VPC's groups once the peering is active.
SGA=$(awsx ec2 create-security-group --group-name sga --description a --vpc-id "$VA" --query GroupId)
SGB=$(awsx ec2 create-security-group --group-name sgb --description b --vpc-id "$VB" --query GroupId)
SGC=$(awsx ec2 create-security-group --group-name sgc --description c --vpc-id "$VC" --query GroupId)
expect_ok "reference the peer VPC's group" awsx ec2 authorize-security-group-ingress --group-id "$SGA" \
  --ip-permissions "IpProtocol=tcp,FromPort=22,ToPort=22,UserIdGroupPairs=[{GroupId=$SGB}]"
expect_eq "peer group rule described" "$SGB	000000000000" \
  "$(awsx ec2 describe-security-groups --group-ids "$SGA" --query 'SecurityGroups[0].IpPermissions[0].UserIdGroupPairs[0].[GroupId,UserId]')"
expect_err InvalidGroup.NotFound "group of an unpeered VPC" awsx ec2 authorize-security-group-ingress --group-id "$SGA" \
  --ip-permissions "IpProtocol=tcp,FromPort=22,ToPort=22,UserIdGroupPairs=[{GroupId=$SGC}]"

# ---- Reject, and an accepter block that overlaps makes a pending request fail.
expect_ok "request VC -> VB" awsx ec2 create-vpc-peering-connection --vpc-id "$VC" --peer-vpc-id "$VB" --query VpcPeeringConnection.VpcPeeringConnectionId
PCX2=$OUT
expect_ok "reject" awsx ec2 reject-vpc-peering-connection --vpc-peering-connection-id "$PCX2" --query Return
expect_eq "reject returns true" "True" "$OUT"
expect_eq "rejected" "rejected	Rejected by 000000000000" "$(pcx_q "$PCX2" 'Status.[Code,Message]')"
expect_err InvalidStateTransition "accept a rejected request" awsx ec2 accept-vpc-peering-connection --vpc-peering-connection-id "$PCX2"
expect_err InvalidStateTransition "delete a rejected request" awsx ec2 delete-vpc-peering-connection --vpc-peering-connection-id "$PCX2"
err=$(awsx ec2 delete-vpc-peering-connection --vpc-peering-connection-id "$PCX2" 2>&1)
expect_match "state transition message" "Invalid state transition for $PCX2, attempted to transition from rejected to deleting" "$err"
expect_ok "a new request after a rejection" awsx ec2 create-vpc-peering-connection --vpc-id "$VC" --peer-vpc-id "$VB" --query VpcPeeringConnection.VpcPeeringConnectionId
PCX2B=$OUT
expect_ok "accepter adds an overlapping block" awsx ec2 associate-vpc-cidr-block --vpc-id "$VB" --cidr-block 10.50.0.0/20
expect_eq "pending request failed" "failed	Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range" "$(pcx_q "$PCX2B" 'Status.[Code,Message]')"
expect_err InvalidStateTransition "failed cannot be accepted" awsx ec2 accept-vpc-peering-connection --vpc-peering-connection-id "$PCX2B"
expect_eq "filter status-code" "$PCX2" "$(awsx ec2 describe-vpc-peering-connections --filters Name=status-code,Values=rejected --query 'VpcPeeringConnections[].VpcPeeringConnectionId')"
expect_eq "filter requester-vpc-info.vpc-id" "2" "$(awsx ec2 describe-vpc-peering-connections --filters Name=requester-vpc-info.vpc-id,Values="$VC" --query 'length(VpcPeeringConnections)')"
expect_eq "filter accepter-vpc-info.cidr-block" "$PCX1" "$(awsx ec2 describe-vpc-peering-connections --filters Name=accepter-vpc-info.cidr-block,Values=10.20.0.0/16 --query 'VpcPeeringConnections[].VpcPeeringConnectionId')"
expect_eq "filter tag:Name" "$PCX1" "$(awsx ec2 describe-vpc-peering-connections --filters Name=tag:Name,Values=a-b --query 'VpcPeeringConnections[].VpcPeeringConnectionId')"
expect_err InvalidParameterValue "unknown filter" awsx ec2 describe-vpc-peering-connections --filters Name=colour,Values=red
expect_err InvalidVpcPeeringConnectionID.NotFound "describe a missing id" awsx ec2 describe-vpc-peering-connections --vpc-peering-connection-ids pcx-0123456789abcdef0
expect_err InvalidVpcPeeringConnectionId.Malformed "describe a malformed id" awsx ec2 describe-vpc-peering-connections --vpc-peering-connection-ids pcx-1

# ---- (b) Cross-account: 111111111111 asks 222222222222.
PX=$(aws_acct1 ec2 create-vpc --cidr-block 10.30.0.0/16 --query Vpc.VpcId)
PY=$(aws_acct2 ec2 create-vpc --cidr-block 10.40.0.0/16 --query Vpc.VpcId)
PZ=$(aws_acct2 ec2 create-vpc --cidr-block 10.30.0.0/20 --query Vpc.VpcId)
expect_ok "cross-account request" aws_acct1 ec2 create-vpc-peering-connection --vpc-id "$PX" --peer-vpc-id "$PY" --peer-owner-id 222222222222 \
  --query 'VpcPeeringConnection.[VpcPeeringConnectionId,Status.Code,AccepterVpcInfo.OwnerId]'
PCX3=$(echo "$OUT" | cut -f1)
expect_eq "cross-account reply" "pending-acceptance	222222222222" "$(echo "$OUT" | cut -f2-)"
expect_ok "accepter sees the same id" aws_acct2 ec2 describe-vpc-peering-connections --vpc-peering-connection-ids "$PCX3" \
  --query 'VpcPeeringConnections[0].[Status.Message,RequesterVpcInfo.OwnerId,RequesterVpcInfo.VpcId,AccepterVpcInfo.OwnerId,AccepterVpcInfo.VpcId]'
expect_eq "accepter view" "Pending Acceptance by 222222222222	111111111111	$PX	222222222222	$PY" "$OUT"
expect_eq "accepter filter accepter-vpc-info.owner-id" "$PCX3" "$(aws_acct2 ec2 describe-vpc-peering-connections --filters Name=accepter-vpc-info.owner-id,Values=222222222222 --query 'VpcPeeringConnections[].VpcPeeringConnectionId')"
expect_err InvalidVpcPeeringConnectionID.NotFound "a third account cannot see it" awsx ec2 describe-vpc-peering-connections --vpc-peering-connection-ids "$PCX3"
expect_err OperationNotPermitted "requester account cannot accept" aws_acct1 ec2 accept-vpc-peering-connection --vpc-peering-connection-id "$PCX3"
err=$(aws_acct1 ec2 accept-vpc-peering-connection --vpc-peering-connection-id "$PCX3" 2>&1)
expect_match "wrong-account message" "User \(111111111111\) cannot accept peering $PCX3" "$err"
expect_err InvalidVpcPeeringConnectionID.NotFound "a third account cannot accept" awsx ec2 accept-vpc-peering-connection --vpc-peering-connection-id "$PCX3"
expect_err DependencyViolation "accepter VPC with a pending request cannot be deleted" aws_acct2 ec2 delete-vpc --vpc-id "$PY"
expect_ok "accepter accepts" aws_acct2 ec2 accept-vpc-peering-connection --vpc-peering-connection-id "$PCX3" --query VpcPeeringConnection.Status.Code
expect_eq "requester sees active with both owners" "active	111111111111	222222222222	10.40.0.0/16" \
  "$(aws_acct1 ec2 describe-vpc-peering-connections --vpc-peering-connection-ids "$PCX3" --query 'VpcPeeringConnections[0].[Status.Code,RequesterVpcInfo.OwnerId,AccepterVpcInfo.OwnerId,AccepterVpcInfo.CidrBlock]')"
awsx_1() { aws_acct1 "$@"; }
awsx_2() { aws_acct2 "$@"; }
RX=$(main_rtb "$PX" awsx_1)
RY=$(main_rtb "$PY" awsx_2)
expect_ok "requester route" aws_acct1 ec2 create-route --route-table-id "$RX" --destination-cidr-block 10.40.0.0/16 --vpc-peering-connection-id "$PCX3"
expect_ok "accepter route" aws_acct2 ec2 create-route --route-table-id "$RY" --destination-cidr-block 10.30.0.0/16 --vpc-peering-connection-id "$PCX3"
expect_eq "accepter route active" "active" "$(aws_acct2 ec2 describe-route-tables --route-table-ids "$RY" --query "RouteTables[0].Routes[?DestinationCidrBlock=='10.30.0.0/16'].State")"
expect_err OperationNotPermitted "requester cannot modify accepter options" aws_acct1 ec2 modify-vpc-peering-connection-options \
  --vpc-peering-connection-id "$PCX3" --accepter-peering-connection-options AllowDnsResolutionFromRemoteVpc=true
err=$(aws_acct1 ec2 modify-vpc-peering-connection-options --vpc-peering-connection-id "$PCX3" --accepter-peering-connection-options AllowDnsResolutionFromRemoteVpc=true 2>&1)
expect_match "wrong-side message" "User 111111111111 does not have permission to modify the accepter side peering options" "$err"
expect_err OperationNotPermitted "accepter cannot modify requester options" aws_acct2 ec2 modify-vpc-peering-connection-options \
  --vpc-peering-connection-id "$PCX3" --requester-peering-connection-options AllowDnsResolutionFromRemoteVpc=false
expect_err InvalidStateTransition "an active peering cannot be rejected" aws_acct2 ec2 reject-vpc-peering-connection --vpc-peering-connection-id "$PCX3"
expect_ok "accepter tags the connection" aws_acct2 ec2 create-tags --resources "$PCX3" --tags Key=side,Value=shared
expect_eq "one tag set for both views" "shared" "$(aws_acct1 ec2 describe-vpc-peering-connections --vpc-peering-connection-ids "$PCX3" --query 'VpcPeeringConnections[0].Tags[?Key==`side`].Value')"
SGX=$(aws_acct1 ec2 create-security-group --group-name sgx --description x --vpc-id "$PX" --query GroupId)
SGY=$(aws_acct2 ec2 create-security-group --group-name sgy --description y --vpc-id "$PY" --query GroupId)
expect_ok "reference a peer account's group" aws_acct1 ec2 authorize-security-group-ingress --group-id "$SGX" \
  --ip-permissions "IpProtocol=tcp,FromPort=443,ToPort=443,UserIdGroupPairs=[{GroupId=$SGY,UserId=222222222222}]"
expect_eq "cross-account pair described" "$SGY	222222222222" \
  "$(aws_acct1 ec2 describe-security-groups --group-ids "$SGX" --query 'SecurityGroups[0].IpPermissions[0].UserIdGroupPairs[0].[GroupId,UserId]')"
expect_ok "overlapping cross-account request" aws_acct1 ec2 create-vpc-peering-connection --vpc-id "$PX" --peer-vpc-id "$PZ" --peer-owner-id 222222222222 \
  --query VpcPeeringConnection.VpcPeeringConnectionId
PCX4=$OUT
expect_eq "overlap -> failed with AWS's message" "failed	Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range" \
  "$(aws_acct1 ec2 describe-vpc-peering-connections --vpc-peering-connection-ids "$PCX4" --query 'VpcPeeringConnections[0].Status.[Code,Message]')"
expect_err InvalidVpcPeeringConnectionID.NotFound "a failed request never reaches the accepter" aws_acct2 ec2 describe-vpc-peering-connections --vpc-peering-connection-ids "$PCX4"
expect_ok "accepter deletes the active peering" aws_acct2 ec2 delete-vpc-peering-connection --vpc-peering-connection-id "$PCX3"
expect_eq "requester sees who deleted it" "deleted	Deleted by 222222222222" \
  "$(aws_acct1 ec2 describe-vpc-peering-connections --vpc-peering-connection-ids "$PCX3" --query 'VpcPeeringConnections[0].Status.[Code,Message]')"
expect_eq "requester route is now blackhole" "blackhole" "$(aws_acct1 ec2 describe-route-tables --route-table-ids "$RX" --query "RouteTables[0].Routes[?DestinationCidrBlock=='10.40.0.0/16'].State")"

# ---- (c) us-east-1 <-> eu-west-1 (a disaster-recovery pair).
VE=$(eu ec2 create-vpc --cidr-block 10.60.0.0/16 --query Vpc.VpcId)
expect_ok "inter-region request" awsx ec2 create-vpc-peering-connection --vpc-id "$VC" --peer-vpc-id "$VE" --peer-region eu-west-1 \
  --query 'VpcPeeringConnection.[VpcPeeringConnectionId,Status.Code,Status.Message,RequesterVpcInfo.Region,AccepterVpcInfo.Region]'
PCX5=$(echo "$OUT" | cut -f1)
expect_eq "inter-region reply is initiating-request" "initiating-request	Initiating Request to 000000000000	us-east-1	eu-west-1" "$(echo "$OUT" | cut -f2-)"
expect_eq "then pending-acceptance" "pending-acceptance" "$(pcx_q "$PCX5" Status.Code)"
expect_ok "visible in the accepter region" eu ec2 describe-vpc-peering-connections --vpc-peering-connection-ids "$PCX5" \
  --query 'VpcPeeringConnections[0].[Status.Code,RequesterVpcInfo.Region,RequesterVpcInfo.VpcId,AccepterVpcInfo.Region,AccepterVpcInfo.VpcId]'
expect_eq "accepter region view" "pending-acceptance	us-east-1	$VC	eu-west-1	$VE" "$OUT"
expect_err OperationNotPermitted "accept in the requester region" awsx ec2 accept-vpc-peering-connection --vpc-peering-connection-id "$PCX5"
err=$(awsx ec2 accept-vpc-peering-connection --vpc-peering-connection-id "$PCX5" 2>&1)
expect_match "wrong-region message" "Incorrect region \(us-east-1\) specified for this request. VPC peering connection $PCX5 must be accepted in region eu-west-1" "$err"
usw2() { REGION=us-west-2 awsx "$@"; }
expect_err InvalidVpcPeeringConnectionID.NotFound "another region does not see it" usw2 ec2 describe-vpc-peering-connections --vpc-peering-connection-ids "$PCX5"
expect_ok "accept in eu-west-1" eu ec2 accept-vpc-peering-connection --vpc-peering-connection-id "$PCX5" --query VpcPeeringConnection.Status.Code
expect_eq "active seen from us-east-1" "active	10.60.0.0/16" "$(pcx_q "$PCX5" '[Status.Code,AccepterVpcInfo.CidrBlock]')"
RE=$(main_rtb "$VE" eu)
expect_ok "route in eu-west-1" eu ec2 create-route --route-table-id "$RE" --destination-cidr-block 10.50.0.0/16 --vpc-peering-connection-id "$PCX5"
expect_eq "eu route active" "active" "$(eu ec2 describe-route-tables --route-table-ids "$RE" --query "RouteTables[0].Routes[?DestinationCidrBlock=='10.50.0.0/16'].State")"
expect_ok "route in us-east-1" awsx ec2 create-route --route-table-id "$RC" --destination-cidr-block 10.60.0.0/16 --vpc-peering-connection-id "$PCX5"
expect_eq "us route active" "active" "$(route_state "$RC" 10.60.0.0/16)"
SGE=$(eu ec2 create-security-group --group-name sge --description e --vpc-id "$VE" --query GroupId)
expect_err InvalidGroup.NotFound "no SG references across regions" awsx ec2 authorize-security-group-ingress --group-id "$SGC" \
  --ip-permissions "IpProtocol=tcp,FromPort=22,ToPort=22,UserIdGroupPairs=[{GroupId=$SGE,UserId=000000000000}]"
expect_err OperationNotPermitted "requester options from the accepter region" eu ec2 modify-vpc-peering-connection-options \
  --vpc-peering-connection-id "$PCX5" --requester-peering-connection-options AllowDnsResolutionFromRemoteVpc=false
eu ec2 delete-security-group --group-id "$SGE"
expect_ok "deleting the accepter VPC" eu ec2 delete-vpc --vpc-id "$VE"
expect_eq "ends its peering" "deleted	Deleted by 000000000000	10.60.0.0/16" "$(pcx_q "$PCX5" '[Status.Code,Status.Message,AccepterVpcInfo.CidrBlock]')"
expect_eq "us route blackhole" "blackhole" "$(route_state "$RC" 10.60.0.0/16)"

# ---- Delete (same account) and paging.
expect_ok "delete the active peering" awsx ec2 delete-vpc-peering-connection --vpc-peering-connection-id "$PCX1" --query Return
expect_eq "delete returns true" "True" "$OUT"
expect_eq "deleted" "deleted	Deleted by 000000000000" "$(pcx_q "$PCX1" 'Status.[Code,Message]')"
expect_eq "routes to a deleted pcx are blackhole" "blackhole blackhole" "$(route_state "$RA" 10.20.0.0/16) $(route_state "$RB" 10.10.0.0/16)"
expect_err InvalidStateTransition "delete twice" awsx ec2 delete-vpc-peering-connection --vpc-peering-connection-id "$PCX1"
expect_ok "a new peering once the old one is deleted" awsx ec2 create-vpc-peering-connection --vpc-id "$VA" --peer-vpc-id "$VB" --query VpcPeeringConnection.Status.Code
expect_eq "new request pending" "pending-acceptance" "$OUT"
expect_ok "another pending request" awsx ec2 create-vpc-peering-connection --vpc-id "$VC" --peer-vpc-id "$VA" --query VpcPeeringConnection.Status.Code
expect_ok "page 1" awsx ec2 describe-vpc-peering-connections --max-results 5 --no-paginate --query '[length(VpcPeeringConnections),NextToken]'
expect_match "5 on the first page with a token" '^5	[0-9a-f]{16}$' "$OUT"
TOKEN=$(echo "$OUT" | cut -f2)
expect_ok "page 2" awsx ec2 describe-vpc-peering-connections --max-results 5 --no-paginate --next-token "$TOKEN" --query '[length(VpcPeeringConnections),NextToken]'
expect_eq "the sixth on the last page" "1	None" "$OUT"
