# Elastic IPs, NAT gateways, instances and network interfaces through /usr/bin/aws.
# Sourced by tests/e2e/run-cli.sh after vpcd_start (fresh state: the EIP pool is untouched).
#
#   vpc 10.95.0.0/16 ── igw
#    ├─ public  10.95.1.0/24  (0.0.0.0/0 → igw)   NAT gateway + EIP
#    ├─ private 10.95.2.0/24  (0.0.0.0/0 → nat)   instance 10.95.2.50, private NAT
#    └─ apps    10.95.3.0/24                       3 instances, ENIs

avail() { awsx ec2 describe-subnets --subnet-ids "$1" --query 'Subnets[0].AvailableIpAddressCount'; }
msg_of() { "$@" 2>&1 >/dev/null; }
in_eu() { REGION=eu-west-1 awsx "$@"; }

expect_ok "vpc" awsx ec2 create-vpc --cidr-block 10.95.0.0/16 --query Vpc.VpcId
VPC=$OUT
expect_ok "public subnet" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.95.1.0/24 --availability-zone us-east-1a --query Subnet.SubnetId
PUB=$OUT
expect_ok "private subnet" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.95.2.0/24 --availability-zone us-east-1a --query Subnet.SubnetId
PRIV=$OUT
expect_ok "apps subnet" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.95.3.0/24 --availability-zone us-east-1a --query Subnet.SubnetId
APPS=$OUT
expect_ok "igw" awsx ec2 create-internet-gateway --query InternetGateway.InternetGatewayId
IGW=$OUT
expect_ok "attach igw" awsx ec2 attach-internet-gateway --internet-gateway-id "$IGW" --vpc-id "$VPC"
PUB_RT=$(awsx ec2 create-route-table --vpc-id "$VPC" --query RouteTable.RouteTableId)
PRIV_RT=$(awsx ec2 create-route-table --vpc-id "$VPC" --query RouteTable.RouteTableId)
expect_ok "public default route" awsx ec2 create-route --route-table-id "$PUB_RT" --destination-cidr-block 0.0.0.0/0 --gateway-id "$IGW"
expect_ok "associate public rtb" awsx ec2 associate-route-table --route-table-id "$PUB_RT" --subnet-id "$PUB"
expect_ok "associate private rtb" awsx ec2 associate-route-table --route-table-id "$PRIV_RT" --subnet-id "$PRIV"
DEF_SG=$(awsx ec2 describe-security-groups --filters Name=vpc-id,Values="$VPC" Name=group-name,Values=default --query 'SecurityGroups[0].GroupId')

# ---- Elastic IPs: allocation.
expect_ok "allocate eip" awsx ec2 allocate-address --domain vpc \
  --tag-specifications 'ResourceType=elastic-ip,Tags=[{Key=Name,Value=eip1}]' \
  --query '[AllocationId,PublicIp,Domain,NetworkBorderGroup,PublicIpv4Pool]'
EIP1=$(echo "$OUT" | cut -f1)
expect_match "allocation id is AWS-shaped" '^eipalloc-[0-9a-f]{17}$' "$EIP1"
expect_eq "first pool address, vpc domain" "203.0.113.1	vpc	us-east-1	amazon" "$(echo "$OUT" | cut -f2-)"
expect_ok "describe fresh eip" awsx ec2 describe-addresses --allocation-ids "$EIP1" \
  --query 'Addresses[0].[PublicIp,Domain,Tags[0].Value,AssociationId,InstanceId,NetworkInterfaceId]'
expect_eq "fresh eip is unassociated" "203.0.113.1	vpc	eip1	None	None	None" "$OUT"
expect_ok "another account allocates" aws_acct1 ec2 allocate-address --query PublicIp
expect_eq "pool is shared across accounts" "203.0.113.2" "$OUT"
expect_ok "another region allocates" in_eu ec2 allocate-address --query '[PublicIp,NetworkBorderGroup]'
expect_eq "pool is shared across regions" "203.0.113.3	eu-west-1" "$OUT"
expect_err InvalidAllocationID.NotFound "foreign account cannot see the eip" aws_acct1 ec2 describe-addresses --allocation-ids "$EIP1"
EXTRA=()
for i in 2 3 4 5; do
  EXTRA+=("$(awsx ec2 allocate-address --query AllocationId)")
done
expect_eq "five eips in the region" "5" "$(awsx ec2 describe-addresses --query 'length(Addresses)')"
expect_err AddressLimitExceeded "sixth eip over the quota" awsx ec2 allocate-address
for a in "${EXTRA[@]:2}"; do awsx ec2 release-address --allocation-id "$a"; done
EIP2=${EXTRA[0]}
EIP3=${EXTRA[1]}
EIP2_IP=$(awsx ec2 describe-addresses --allocation-ids "$EIP2" --query 'Addresses[0].PublicIp')
expect_eq "second eip address" "203.0.113.4" "$EIP2_IP"

# ---- Instances: addresses.
expect_ok "run instance with an address" awsx ec2 run-instances --image-id ami-0abcdef1234567890 \
  --instance-type t3.micro --subnet-id "$PRIV" --private-ip-address 10.95.2.50 \
  --tag-specifications 'ResourceType=instance,Tags=[{Key=Name,Value=db}]' 'ResourceType=network-interface,Tags=[{Key=role,Value=db-eni}]' \
  --query '[ReservationId,OwnerId,Instances[0].InstanceId,Instances[0].State.Code,Instances[0].State.Name,Instances[0].PrivateIpAddress,Instances[0].SubnetId,Instances[0].VpcId,Instances[0].Placement.AvailabilityZone,Instances[0].InstanceType,Instances[0].ImageId,Instances[0].Architecture,Instances[0].Tags[0].Value,Instances[0].AmiLaunchIndex]'
DB=$(echo "$OUT" | cut -f3)
expect_match "reservation id" '^r-[0-9a-f]{17}	000000000000	i-[0-9a-f]{17}$' "$(echo "$OUT" | cut -f1-3)"
expect_eq "launched pending with its address" "0	pending	10.95.2.50	$PRIV	$VPC	us-east-1a	t3.micro	ami-0abcdef1234567890	x86_64	db	0" "$(echo "$OUT" | cut -f4-)"
expect_ok "primary interface" awsx ec2 describe-instances --instance-ids "$DB" \
  --query 'Reservations[0].Instances[0].NetworkInterfaces[0].[Attachment.DeviceIndex,Attachment.DeleteOnTermination,Attachment.Status,PrivateIpAddress,Groups[0].GroupId,SourceDestCheck,Status]'
expect_eq "primary eni attached at 0" "0	True	attached	10.95.2.50	$DEF_SG	True	in-use" "$OUT"
DB_ENI=$(awsx ec2 describe-instances --instance-ids "$DB" --query 'Reservations[0].Instances[0].NetworkInterfaces[0].NetworkInterfaceId')
expect_eq "eni tagged at launch" "db-eni" "$(awsx ec2 describe-network-interfaces --network-interface-ids "$DB_ENI" --query 'NetworkInterfaces[0].TagSet[0].Value')"
expect_eq "later read: running" "16	running" "$(awsx ec2 describe-instances --instance-ids "$DB" --query 'Reservations[0].Instances[0].State.[Code,Name]')"
expect_eq "private subnet lost one address" "250" "$(avail "$PRIV")"

expect_err InvalidParameterValue "address outside the subnet" awsx ec2 run-instances --image-id ami-12345678 --subnet-id "$PRIV" --private-ip-address 10.95.9.9
expect_match "outside message" "Address 10.95.9.9 does not fall within the subnet's address range" \
  "$(msg_of awsx ec2 run-instances --image-id ami-12345678 --subnet-id "$PRIV" --private-ip-address 10.95.9.9)"
expect_err InvalidParameterValue "router address base+1" awsx ec2 run-instances --image-id ami-12345678 --subnet-id "$PRIV" --private-ip-address 10.95.2.1
expect_match "reserved message" "Address 10.95.2.1 is in subnet's reserved address range" \
  "$(msg_of awsx ec2 run-instances --image-id ami-12345678 --subnet-id "$PRIV" --private-ip-address 10.95.2.1)"
expect_err InvalidParameterValue "broadcast address" awsx ec2 run-instances --image-id ami-12345678 --subnet-id "$PRIV" --private-ip-address 10.95.2.255
expect_err InvalidIPAddress.InUse "address in use" awsx ec2 run-instances --image-id ami-12345678 --subnet-id "$PRIV" --private-ip-address 10.95.2.50
expect_err InvalidAMIID.Malformed "malformed image id" awsx ec2 run-instances --image-id img-1 --subnet-id "$PRIV"
expect_err InvalidSubnetID.NotFound "missing subnet" awsx ec2 run-instances --image-id ami-12345678 --subnet-id subnet-0123456789abcdef0
expect_eq "failed launches took nothing" "250" "$(avail "$PRIV")"
expect_err DependencyViolation "delete a subnet with an instance" awsx ec2 delete-subnet --subnet-id "$PRIV"

expect_ok "run three" awsx ec2 run-instances --image-id ami-12345678 --subnet-id "$APPS" --count 3 \
  --tag-specifications 'ResourceType=instance,Tags=[{Key=tier,Value=app}]' \
  --query '[ReservationId,length(Instances),join(`,`,Instances[].PrivateIpAddress),join(`,`,Instances[].to_string(AmiLaunchIndex))]'
RES3=$(echo "$OUT" | cut -f1)
expect_eq "three distinct lowest addresses" "3	10.95.3.4,10.95.3.5,10.95.3.6	0,1,2" "$(echo "$OUT" | cut -f2-)"
expect_eq "apps subnet lost three" "248" "$(avail "$APPS")"
APP1=$(awsx ec2 describe-instances --filters Name=private-ip-address,Values=10.95.3.4 --query 'Reservations[0].Instances[0].InstanceId')
APP2=$(awsx ec2 describe-instances --filters Name=private-ip-address,Values=10.95.3.5 --query 'Reservations[0].Instances[0].InstanceId')
APP3=$(awsx ec2 describe-instances --filters Name=private-ip-address,Values=10.95.3.6 --query 'Reservations[0].Instances[0].InstanceId')
expect_match "filter private-ip-address" '^i-' "$APP1"
expect_ok "one reservation groups the launch" awsx ec2 describe-instances --filters Name=reservation-id,Values="$RES3" \
  --query '[length(Reservations),length(Reservations[0].Instances)]'
expect_eq "reservation of three" "1	3" "$OUT"
inst_count() { awsx ec2 describe-instances --filters "$@" --query 'length(Reservations[].Instances[])'; }
expect_eq "filter subnet-id" "3" "$(inst_count Name=subnet-id,Values="$APPS")"
expect_eq "filter vpc-id" "4" "$(inst_count Name=vpc-id,Values="$VPC")"
expect_eq "filter instance-state-name" "4" "$(inst_count Name=instance-state-name,Values=running)"
expect_eq "filter instance-id" "1" "$(inst_count Name=instance-id,Values="$APP2")"
expect_eq "filter tag:tier" "3" "$(inst_count Name=tag:tier,Values=app)"
expect_eq "filter tag-key" "1" "$(inst_count Name=tag-key,Values=Name)"
expect_eq "filter network-interface id" "$DB" "$(awsx ec2 describe-instances --filters Name=network-interface.network-interface-id,Values="$DB_ENI" --query 'Reservations[].Instances[].InstanceId')"
expect_err InvalidParameterValue "unknown instance filter" awsx ec2 describe-instances --filters Name=flavour,Values=x
expect_err InvalidInstanceID.NotFound "unknown instance" awsx ec2 describe-instances --instance-ids i-0123456789abcdef0
expect_err InvalidInstanceID.Malformed "malformed instance id" awsx ec2 describe-instances --instance-ids i-xyz
expect_ok "paging" awsx ec2 describe-instances --no-paginate --max-results 5 --query 'length(Reservations[].Instances[])'
expect_eq "every instance on one page of 5" "4" "$OUT"

# ---- Instances: stop / start / terminate.
expect_ok "stop" awsx ec2 stop-instances --instance-ids "$APP1" \
  --query 'StoppingInstances[0].[InstanceId,CurrentState.Code,CurrentState.Name,PreviousState.Code,PreviousState.Name]'
expect_eq "stopping from running" "$APP1	64	stopping	16	running" "$OUT"
expect_eq "stopped keeps its address" "80	stopped	10.95.3.4" \
  "$(awsx ec2 describe-instances --instance-ids "$APP1" --query 'Reservations[0].Instances[0].[State.Code,State.Name,PrivateIpAddress]')"
expect_eq "stopped still holds its address" "248" "$(avail "$APPS")"
expect_ok "start" awsx ec2 start-instances --instance-ids "$APP1" \
  --query 'StartingInstances[0].[CurrentState.Name,PreviousState.Name]'
expect_eq "pending from stopped" "pending	stopped" "$OUT"
expect_eq "running again" "running" "$(awsx ec2 describe-instances --instance-ids "$APP1" --query 'Reservations[0].Instances[0].State.Name')"
expect_ok "terminate" awsx ec2 terminate-instances --instance-ids "$APP3" \
  --query 'TerminatingInstances[0].[CurrentState.Code,CurrentState.Name,PreviousState.Code,PreviousState.Name]'
expect_eq "shutting-down from running" "32	shutting-down	16	running" "$OUT"
expect_eq "terminated later" "48	terminated" "$(awsx ec2 describe-instances --instance-ids "$APP3" --query 'Reservations[0].Instances[0].State.[Code,Name]')"
expect_eq "terminate frees the primary eni" "249" "$(avail "$APPS")"
expect_err IncorrectInstanceState "stop a terminated instance" awsx ec2 stop-instances --instance-ids "$APP3"
expect_eq "terminate again is a no-op" "terminated	terminated" "$(awsx ec2 terminate-instances --instance-ids "$APP3" --query 'TerminatingInstances[0].[CurrentState.Name,PreviousState.Name]')"
expect_ok "lowest free address is reused" awsx ec2 run-instances --image-id ami-12345678 --subnet-id "$APPS" --query 'Instances[0].[InstanceId,PrivateIpAddress]'
APP4=$(echo "$OUT" | cut -f1)
expect_eq "reused .6" "10.95.3.6" "$(echo "$OUT" | cut -f2)"

# ---- Instances: default subnet, isolation.
expect_ok "launch without a subnet" awsx ec2 run-instances --image-id ami-12345678 \
  --query 'Instances[0].[InstanceId,Placement.AvailabilityZone,InstanceType]'
DEFI=$(echo "$OUT" | cut -f1)
expect_eq "default subnet of the first zone, default type" "us-east-1a	m1.small" "$(echo "$OUT" | cut -f2-)"
DEF_VPC=$(awsx ec2 describe-vpcs --filters Name=is-default,Values=true --query 'Vpcs[0].VpcId')
expect_eq "in the default vpc" "$DEF_VPC" "$(awsx ec2 describe-instances --instance-ids "$DEFI" --query 'Reservations[0].Instances[0].VpcId')"
expect_err InvalidInstanceID.NotFound "foreign account cannot see" aws_acct1 ec2 describe-instances --instance-ids "$DB"
expect_err InvalidInstanceID.NotFound "foreign account cannot terminate" aws_acct1 ec2 terminate-instances --instance-ids "$DB"
expect_eq "foreign account sees none of them" "0" "$(aws_acct1 ec2 describe-instances --filters Name=vpc-id,Values="$VPC" --query 'length(Reservations)')"

# ---- Elastic IPs: association.
expect_ok "associate with an instance" awsx ec2 associate-address --allocation-id "$EIP1" --instance-id "$APP1" --query AssociationId
ASSOC1=$OUT
expect_match "association id" '^eipassoc-[0-9a-f]{17}$' "$ASSOC1"
APP1_ENI=$(awsx ec2 describe-instances --instance-ids "$APP1" --query 'Reservations[0].Instances[0].NetworkInterfaces[0].NetworkInterfaceId')
expect_ok "describe associated" awsx ec2 describe-addresses --allocation-ids "$EIP1" \
  --query 'Addresses[0].[AssociationId,InstanceId,NetworkInterfaceId,NetworkInterfaceOwnerId,PrivateIpAddress,PublicIp]'
expect_eq "association fields" "$ASSOC1	$APP1	$APP1_ENI	000000000000	10.95.3.4	203.0.113.1" "$OUT"
expect_eq "instance shows the public ip" "203.0.113.1" "$(awsx ec2 describe-instances --instance-ids "$APP1" --query 'Reservations[0].Instances[0].PublicIpAddress')"
expect_eq "eni shows the association" "203.0.113.1	$EIP1	$ASSOC1	000000000000" \
  "$(awsx ec2 describe-network-interfaces --network-interface-ids "$APP1_ENI" --query 'NetworkInterfaces[0].Association.[PublicIp,AllocationId,AssociationId,IpOwnerId]')"
addr_count() { awsx ec2 describe-addresses --filters "$@" --query 'length(Addresses)'; }
expect_eq "filter association-id" "1" "$(addr_count Name=association-id,Values="$ASSOC1")"
expect_eq "filter instance-id" "1" "$(addr_count Name=instance-id,Values="$APP1")"
expect_eq "filter network-interface-id" "1" "$(addr_count Name=network-interface-id,Values="$APP1_ENI")"
expect_eq "filter private-ip-address" "1" "$(addr_count Name=private-ip-address,Values=10.95.3.4)"
expect_eq "filter public-ip" "1" "$(addr_count Name=public-ip,Values=203.0.113.1)"
expect_eq "filter domain" "3" "$(addr_count Name=domain,Values=vpc)"
expect_eq "filter tag:Name" "$EIP1" "$(awsx ec2 describe-addresses --filters Name=tag:Name,Values=eip1 --query 'Addresses[].AllocationId')"
expect_eq "by public ip" "$EIP1" "$(awsx ec2 describe-addresses --public-ips 203.0.113.1 --query 'Addresses[].AllocationId')"
expect_err InvalidAddress.NotFound "unknown public ip" awsx ec2 describe-addresses --public-ips 198.51.100.77
expect_err InvalidAddress.Malformed "malformed public ip" awsx ec2 describe-addresses --public-ips 203.0.113
expect_err Resource.AlreadyAssociated "move without reassociation" awsx ec2 associate-address --allocation-id "$EIP1" --instance-id "$APP2"
expect_ok "move with reassociation" awsx ec2 associate-address --allocation-id "$EIP1" --instance-id "$APP2" --allow-reassociation --query AssociationId
ASSOC1=$OUT
expect_eq "now on the second instance" "$APP2" "$(awsx ec2 describe-addresses --allocation-ids "$EIP1" --query 'Addresses[0].InstanceId')"
expect_eq "first instance lost its public ip" "None" "$(awsx ec2 describe-instances --instance-ids "$APP1" --query 'Reservations[0].Instances[0].PublicIpAddress')"
expect_err InvalidIPAddress.InUse "release an associated eip" awsx ec2 release-address --allocation-id "$EIP1"
expect_err DependencyViolation "detach igw with a mapped address" awsx ec2 detach-internet-gateway --internet-gateway-id "$IGW" --vpc-id "$VPC"
expect_match "mapped-address message" "Network $VPC has some mapped public address\(es\)" \
  "$(msg_of awsx ec2 detach-internet-gateway --internet-gateway-id "$IGW" --vpc-id "$VPC")"
expect_ok "disassociate" awsx ec2 disassociate-address --association-id "$ASSOC1"
expect_eq "unassociated again" "None	None	None" "$(awsx ec2 describe-addresses --allocation-ids "$EIP1" --query 'Addresses[0].[AssociationId,InstanceId,NetworkInterfaceId]')"
expect_err InvalidAssociationID.NotFound "disassociate twice" awsx ec2 disassociate-address --association-id "$ASSOC1"
expect_ok "release" awsx ec2 release-address --allocation-id "$EIP1"
expect_err InvalidAllocationID.NotFound "released eip is gone" awsx ec2 describe-addresses --allocation-ids "$EIP1"
expect_err InvalidAllocationID.NotFound "release twice" awsx ec2 release-address --allocation-id "$EIP1"
expect_err InvalidAllocationID.Malformed "malformed allocation id" awsx ec2 release-address --allocation-id eipalloc-zz
NOIGW_VPC=$(awsx ec2 create-vpc --cidr-block 10.96.0.0/16 --query Vpc.VpcId)
NOIGW_SN=$(awsx ec2 create-subnet --vpc-id "$NOIGW_VPC" --cidr-block 10.96.0.0/24 --query Subnet.SubnetId)
NOIGW_ENI=$(awsx ec2 create-network-interface --subnet-id "$NOIGW_SN" --query NetworkInterface.NetworkInterfaceId)
expect_err Gateway.NotAttached "associate in a vpc without igw" awsx ec2 associate-address --allocation-id "$EIP3" --network-interface-id "$NOIGW_ENI"

# ---- NAT gateways.
expect_err MissingParameter "public nat without an eip" awsx ec2 create-nat-gateway --subnet-id "$PUB"
expect_err InvalidAllocationID.NotFound "unknown eip" awsx ec2 create-nat-gateway --subnet-id "$PUB" --allocation-id eipalloc-0123456789abcdef0
expect_err InvalidSubnetID.NotFound "unknown subnet" awsx ec2 create-nat-gateway --subnet-id subnet-0123456789abcdef0 --allocation-id "$EIP2"
expect_ok "create public nat" awsx ec2 create-nat-gateway --subnet-id "$PUB" --allocation-id "$EIP2" \
  --tag-specifications 'ResourceType=natgateway,Tags=[{Key=Name,Value=nat1}]' \
  --query 'NatGateway.[NatGatewayId,State,ConnectivityType,SubnetId,VpcId,NatGatewayAddresses[0].AllocationId,NatGatewayAddresses[0].PublicIp,NatGatewayAddresses[0].PrivateIp,Tags[0].Value]'
NAT=$(echo "$OUT" | cut -f1)
expect_match "nat id" '^nat-[0-9a-f]{17}$' "$NAT"
expect_eq "pending public nat" "pending	public	$PUB	$VPC	$EIP2	203.0.113.4	10.95.1.4	nat1" "$(echo "$OUT" | cut -f2-)"
expect_eq "available on the next read" "available" "$(awsx ec2 describe-nat-gateways --nat-gateway-ids "$NAT" --query 'NatGateways[0].State')"
NAT_ENI=$(awsx ec2 describe-nat-gateways --nat-gateway-ids "$NAT" --query 'NatGateways[0].NatGatewayAddresses[0].NetworkInterfaceId')
expect_ok "nat eni" awsx ec2 describe-network-interfaces --network-interface-ids "$NAT_ENI" \
  --query 'NetworkInterfaces[0].[InterfaceType,RequesterManaged,Description,Status,PrivateIpAddress,Association.PublicIp,length(Groups)]'
expect_eq "requester-managed nat eni" "nat_gateway	True	Interface for NAT Gateway $NAT	in-use	10.95.1.4	203.0.113.4	0" "$OUT"
expect_eq "eip now maps to the nat eni" "$NAT_ENI	10.95.1.4" "$(awsx ec2 describe-addresses --allocation-ids "$EIP2" --query 'Addresses[0].[NetworkInterfaceId,PrivateIpAddress]')"
expect_eq "public subnet lost one address" "250" "$(avail "$PUB")"
expect_err Resource.AlreadyAssociated "eip already used by a nat" awsx ec2 create-nat-gateway --subnet-id "$PUB" --allocation-id "$EIP2"
expect_err InvalidNetworkInterface.InUse "delete the nat eni" awsx ec2 delete-network-interface --network-interface-id "$NAT_ENI"
nat_count() { awsx ec2 describe-nat-gateways --filter "$@" --query 'length(NatGateways)'; }
expect_eq "filter state" "1" "$(nat_count Name=state,Values=available)"
expect_eq "filter subnet-id" "1" "$(nat_count Name=subnet-id,Values="$PUB")"
expect_eq "filter vpc-id" "1" "$(nat_count Name=vpc-id,Values="$VPC")"
expect_eq "filter nat-gateway-id" "1" "$(nat_count Name=nat-gateway-id,Values="$NAT")"
expect_eq "filter tag:Name" "1" "$(nat_count Name=tag:Name,Values=nat1)"
expect_err NatGatewayNotFound "unknown nat" awsx ec2 describe-nat-gateways --nat-gateway-ids nat-0123456789abcdef0

expect_ok "private route to the nat" awsx ec2 create-route --route-table-id "$PRIV_RT" --destination-cidr-block 0.0.0.0/0 --nat-gateway-id "$NAT"
rt_nat() { awsx ec2 describe-route-tables --route-table-ids "$PRIV_RT" --query "RouteTables[0].Routes[?DestinationCidrBlock=='0.0.0.0/0'].[NatGatewayId,State]"; }
expect_eq "nat route active" "$NAT	active" "$(rt_nat)"
expect_err InvalidNatGatewayID.NotFound "route to an unknown nat" awsx ec2 create-route --route-table-id "$PRIV_RT" --destination-cidr-block 10.0.0.0/8 --nat-gateway-id nat-0123456789abcdef0

expect_ok "delete nat" awsx ec2 delete-nat-gateway --nat-gateway-id "$NAT" --query NatGatewayId
expect_eq "delete returns the id" "$NAT" "$OUT"
expect_eq "nat route blackhole" "$NAT	blackhole" "$(rt_nat)"
expect_eq "deleted on the next read, still listed" "deleted	$EIP2	$NAT_ENI" \
  "$(awsx ec2 describe-nat-gateways --nat-gateway-ids "$NAT" --query 'NatGateways[0].[State,NatGatewayAddresses[0].AllocationId,NatGatewayAddresses[0].NetworkInterfaceId]')"
expect_eq "eip disassociated, still allocated" "$EIP2	None" "$(awsx ec2 describe-addresses --allocation-ids "$EIP2" --query 'Addresses[0].[AllocationId,AssociationId]')"
expect_err InvalidNetworkInterfaceID.NotFound "nat eni released" awsx ec2 describe-network-interfaces --network-interface-ids "$NAT_ENI"
expect_eq "public subnet got its address back" "251" "$(avail "$PUB")"
expect_err NatGatewayNotFound "delete a deleted nat" awsx ec2 delete-nat-gateway --nat-gateway-id "$NAT"
expect_match "not-found message" "NAT gateway $NAT was not found" "$(msg_of awsx ec2 delete-nat-gateway --nat-gateway-id "$NAT")"

expect_err InvalidParameterCombination "private nat with an eip" awsx ec2 create-nat-gateway --subnet-id "$PRIV" --connectivity-type private --allocation-id "$EIP2"
expect_ok "private nat" awsx ec2 create-nat-gateway --subnet-id "$PRIV" --connectivity-type private --private-ip-address 10.95.2.200 \
  --query 'NatGateway.[NatGatewayId,ConnectivityType,NatGatewayAddresses[0].PrivateIp,NatGatewayAddresses[0].PublicIp,NatGatewayAddresses[0].AllocationId]'
PNAT=$(echo "$OUT" | cut -f1)
expect_eq "private nat has no public address" "private	10.95.2.200	None	None" "$(echo "$OUT" | cut -f2-)"
expect_ok "replace route to the private nat" awsx ec2 replace-route --route-table-id "$PRIV_RT" --destination-cidr-block 0.0.0.0/0 --nat-gateway-id "$PNAT"
expect_eq "private nat route active" "$PNAT	active" "$(rt_nat)"
expect_ok "client token is idempotent" awsx ec2 create-nat-gateway --subnet-id "$PRIV" --connectivity-type private --client-token tok-95 --query NatGateway.NatGatewayId
TOKNAT=$OUT
expect_eq "same token, same gateway" "$TOKNAT" "$(awsx ec2 create-nat-gateway --subnet-id "$PRIV" --connectivity-type private --client-token tok-95 --query NatGateway.NatGatewayId)"
expect_err IdempotentParameterMismatch "same token, other subnet" awsx ec2 create-nat-gateway --subnet-id "$APPS" --connectivity-type private --client-token tok-95

# ---- Network interfaces.
expect_ok "sg for enis" awsx ec2 create-security-group --group-name eni-sg --description "eni sg" --vpc-id "$VPC" --query GroupId
ENI_SG=$OUT
BEFORE=$(avail "$APPS")
expect_ok "create eni" awsx ec2 create-network-interface --subnet-id "$APPS" --groups "$ENI_SG" --description "spare nic" \
  --tag-specifications 'ResourceType=network-interface,Tags=[{Key=Name,Value=nic1}]' \
  --query 'NetworkInterface.[NetworkInterfaceId,Status,PrivateIpAddress,InterfaceType,RequesterManaged,Groups[0].GroupId,Groups[0].GroupName,Description,SourceDestCheck,AvailabilityZone,TagSet[0].Value,OwnerId]'
ENI=$(echo "$OUT" | cut -f1)
expect_match "eni id" '^eni-[0-9a-f]{17}$' "$ENI"
expect_eq "fresh eni" "available	10.95.3.7	interface	False	$ENI_SG	eni-sg	spare nic	True	us-east-1a	nic1	000000000000" "$(echo "$OUT" | cut -f2-)"
expect_match "mac address" '^02(:[0-9a-f]{2}){5}$' "$(awsx ec2 describe-network-interfaces --network-interface-ids "$ENI" --query 'NetworkInterfaces[0].MacAddress')"
expect_eq "available count down by one" "$((BEFORE - 1))" "$(avail "$APPS")"
expect_err InvalidIPAddress.InUse "eni with a used address" awsx ec2 create-network-interface --subnet-id "$APPS" --private-ip-address 10.95.3.7
expect_ok "eni with an address" awsx ec2 create-network-interface --subnet-id "$APPS" --private-ip-address 10.95.3.100 --query NetworkInterface.[NetworkInterfaceId,PrivateIpAddress]
ENI2=$(echo "$OUT" | cut -f1)
expect_eq "chosen address" "10.95.3.100" "$(echo "$OUT" | cut -f2)"
expect_eq "available count down by two" "$((BEFORE - 2))" "$(avail "$APPS")"
expect_ok "delete free eni" awsx ec2 delete-network-interface --network-interface-id "$ENI2"
expect_eq "address returned" "$((BEFORE - 1))" "$(avail "$APPS")"

expect_ok "modify description" awsx ec2 modify-network-interface-attribute --network-interface-id "$ENI" --description Value=renamed
expect_ok "modify source-dest-check" awsx ec2 modify-network-interface-attribute --network-interface-id "$ENI" --no-source-dest-check
expect_ok "modify groups" awsx ec2 modify-network-interface-attribute --network-interface-id "$ENI" --groups "$ENI_SG" "$DEF_SG"
expect_eq "modified" "renamed	False	$ENI_SG,$DEF_SG" \
  "$(awsx ec2 describe-network-interfaces --network-interface-ids "$ENI" --query 'NetworkInterfaces[0].[Description,SourceDestCheck,join(`,`,Groups[].GroupId)]')"
expect_err InvalidGroup.NotFound "modify to a missing group" awsx ec2 modify-network-interface-attribute --network-interface-id "$ENI" --groups sg-0123456789abcdef0

expect_ok "attach eni" awsx ec2 attach-network-interface --network-interface-id "$ENI" --instance-id "$APP2" --device-index 1 --query AttachmentId
ATT=$OUT
expect_match "attachment id" '^eni-attach-[0-9a-f]{17}$' "$ATT"
expect_eq "attached eni" "in-use	$APP2	1	False	attached" \
  "$(awsx ec2 describe-network-interfaces --network-interface-ids "$ENI" --query 'NetworkInterfaces[0].[Status,Attachment.InstanceId,Attachment.DeviceIndex,Attachment.DeleteOnTermination,Attachment.Status]')"
expect_eq "instance lists two interfaces" "0,1" "$(awsx ec2 describe-instances --instance-ids "$APP2" --query 'join(`,`,Reservations[0].Instances[0].NetworkInterfaces[].to_string(Attachment.DeviceIndex))')"
eni_count() { awsx ec2 describe-network-interfaces --filters "$@" --query 'length(NetworkInterfaces)'; }
expect_eq "filter attachment.instance-id" "2" "$(eni_count Name=attachment.instance-id,Values="$APP2")"
expect_eq "filter group-id" "1" "$(eni_count Name=group-id,Values="$ENI_SG")"
expect_eq "filter subnet-id + status" "4" "$(eni_count Name=subnet-id,Values="$APPS" Name=status,Values=in-use)"
expect_eq "filter private-ip-address" "$ENI" "$(awsx ec2 describe-network-interfaces --filters Name=private-ip-address,Values=10.95.3.7 --query 'NetworkInterfaces[].NetworkInterfaceId')"
expect_eq "filter interface-type" "2" "$(eni_count Name=interface-type,Values=nat_gateway Name=vpc-id,Values="$VPC")"
expect_eq "filter requester-managed" "2" "$(eni_count Name=requester-managed,Values=true Name=subnet-id,Values="$PRIV")"
expect_eq "filter network-interface-id" "1" "$(eni_count Name=network-interface-id,Values="$ENI")"
expect_err InvalidNetworkInterface.InUse "delete an attached eni" awsx ec2 delete-network-interface --network-interface-id "$ENI"
expect_err DependencyViolation "delete an sg used by an eni" awsx ec2 delete-security-group --group-id "$ENI_SG"
expect_err InvalidNetworkInterface.InUse "attach twice" awsx ec2 attach-network-interface --network-interface-id "$ENI" --instance-id "$APP1" --device-index 1
ENI3=$(awsx ec2 create-network-interface --subnet-id "$APPS" --query NetworkInterface.NetworkInterfaceId)
expect_err InvalidParameterValue "device index taken" awsx ec2 attach-network-interface --network-interface-id "$ENI3" --instance-id "$APP1" --device-index 0
expect_err InvalidParameterValue "attach across vpcs" awsx ec2 attach-network-interface --network-interface-id "$NOIGW_ENI" --instance-id "$APP1" --device-index 2
expect_ok "delete the spare eni" awsx ec2 delete-network-interface --network-interface-id "$ENI3"
APP2_ATT0=$(awsx ec2 describe-instances --instance-ids "$APP2" --query 'Reservations[0].Instances[0].NetworkInterfaces[?Attachment.DeviceIndex==`0`].Attachment.AttachmentId')
expect_err OperationNotPermitted "detach the primary eni" awsx ec2 detach-network-interface --attachment-id "$APP2_ATT0"
expect_ok "delete-on-termination" awsx ec2 modify-network-interface-attribute --network-interface-id "$ENI" --attachment AttachmentId="$ATT",DeleteOnTermination=true
expect_eq "delete-on-termination set" "True" "$(awsx ec2 describe-network-interfaces --network-interface-ids "$ENI" --query 'NetworkInterfaces[0].Attachment.DeleteOnTermination')"
expect_ok "route to the eni" awsx ec2 create-route --route-table-id "$PRIV_RT" --destination-cidr-block 192.168.0.0/16 --network-interface-id "$ENI"
rt_eni() { awsx ec2 describe-route-tables --route-table-ids "$PRIV_RT" --query "RouteTables[0].Routes[?DestinationCidrBlock=='192.168.0.0/16'].State"; }
expect_eq "eni route active while attached" "active" "$(rt_eni)"
expect_err InvalidParameterValue "route to an eni of another vpc" awsx ec2 create-route --route-table-id "$PRIV_RT" --destination-cidr-block 172.16.0.0/12 --network-interface-id "$NOIGW_ENI"
expect_ok "detach eni" awsx ec2 detach-network-interface --attachment-id "$ATT"
expect_eq "detached eni available" "available	None" "$(awsx ec2 describe-network-interfaces --network-interface-ids "$ENI" --query 'NetworkInterfaces[0].[Status,Attachment]')"
expect_eq "eni route blackhole once detached" "blackhole" "$(rt_eni)"
expect_err InvalidAttachmentID.NotFound "detach twice" awsx ec2 detach-network-interface --attachment-id "$ATT"
expect_ok "route to an instance" awsx ec2 create-route --route-table-id "$PRIV_RT" --destination-cidr-block 100.64.0.0/10 --instance-id "$APP1"
rt_inst() { awsx ec2 describe-route-tables --route-table-ids "$PRIV_RT" --query "RouteTables[0].Routes[?DestinationCidrBlock=='100.64.0.0/10'].[InstanceId,State]"; }
expect_eq "instance route active" "$APP1	active" "$(rt_inst)"
awsx ec2 stop-instances --instance-ids "$APP1" >/dev/null
expect_eq "stopped instance route blackhole" "$APP1	blackhole" "$(rt_inst)"
expect_ok "delete detached eni" awsx ec2 delete-network-interface --network-interface-id "$ENI"
expect_ok "sg free again" awsx ec2 delete-security-group --group-id "$ENI_SG"
expect_err InvalidNetworkInterfaceID.NotFound "deleted eni" awsx ec2 delete-network-interface --network-interface-id "$ENI"
expect_err InvalidNetworkInterfaceID.Malformed "malformed eni id" awsx ec2 delete-network-interface --network-interface-id eni-q

# ---- Terminating frees delete-on-termination interfaces and leaves the others.
KEEP=$(awsx ec2 create-network-interface --subnet-id "$APPS" --query NetworkInterface.NetworkInterfaceId)
awsx ec2 attach-network-interface --network-interface-id "$KEEP" --instance-id "$APP4" --device-index 1 >/dev/null
BEFORE=$(avail "$APPS")
expect_ok "terminate with a second eni" awsx ec2 terminate-instances --instance-ids "$APP4"
expect_eq "non-dot eni survives detached" "available" "$(awsx ec2 describe-network-interfaces --network-interface-ids "$KEEP" --query 'NetworkInterfaces[0].Status')"
expect_eq "only the primary address returned" "$((BEFORE + 1))" "$(avail "$APPS")"

# ---- Everything survives a restart.
kill "$VPCD_PID"; wait "$VPCD_PID" 2>/dev/null
"$VPCD_BIN" --listen "127.0.0.1:$VPCD_PORT" --state "$VPCD_STATE/db" --credentials "$VPCD_STATE/creds" \
  --no-dataplane >>"$VPCD_STATE/log" 2>&1 &
VPCD_PID=$!
for _ in $(seq 1 100); do curl -sf "$ENDPOINT/_vpcd/health" >/dev/null 2>&1 && break; sleep 0.05; done
expect_eq "instance after restart" "running	10.95.2.50	db" \
  "$(awsx ec2 describe-instances --instance-ids "$DB" --query 'Reservations[0].Instances[0].[State.Name,PrivateIpAddress,Tags[0].Value]')"
expect_eq "nat after restart" "deleted" "$(awsx ec2 describe-nat-gateways --nat-gateway-ids "$NAT" --query 'NatGateways[0].State')"
expect_eq "eip after restart" "203.0.113.4" "$(awsx ec2 describe-addresses --allocation-ids "$EIP2" --query 'Addresses[0].PublicIp')"
expect_eq "subnet counts after restart" "248" "$(avail "$PRIV")"
expect_eq "eni after restart" "$DB	0" "$(awsx ec2 describe-network-interfaces --network-interface-ids "$DB_ENI" --query 'NetworkInterfaces[0].Attachment.[InstanceId,DeviceIndex]')"
expect_ok "allocation continues after restart" awsx ec2 allocate-address --query PublicIp
expect_eq "next free pool address" "203.0.113.1" "$OUT"
