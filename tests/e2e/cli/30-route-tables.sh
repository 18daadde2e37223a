# Route tables: tables, routes and their rules, associations, the main table, filters, paging.
# Sourced by run-cli.sh after vpcd started (lib.sh helpers available).

ZERO17=0123456789abcdef0

# ---- setup: a VPC, its main table, an attached IGW ----
expect_ok "rtb: create vpc" awsx ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId
VPC=$OUT
expect_ok "rtb: main table of the vpc (association.main + vpc-id, as Terraform asks)" \
  awsx ec2 describe-route-tables --filters Name=vpc-id,Values="$VPC" Name=association.main,Values=true \
  --query 'RouteTables[].RouteTableId'
MAIN=$OUT
expect_match "rtb: main table id shape" '^rtb-[0-9a-f]{17}$' "$MAIN"
expect_ok "rtb: main table local route" awsx ec2 describe-route-tables --route-table-ids "$MAIN" \
  --query 'RouteTables[0].Routes[0].[DestinationCidrBlock,GatewayId,Origin,State]'
expect_eq "rtb: local route fields" "10.0.0.0/16	local	CreateRouteTable	active" "$OUT"
expect_ok "rtb: main association" awsx ec2 describe-route-tables --route-table-ids "$MAIN" \
  --query 'RouteTables[0].Associations[0].[Main,RouteTableId,AssociationState.State]'
expect_eq "rtb: main association fields" "True	$MAIN	associated" "$OUT"
expect_ok "rtb: main association id" awsx ec2 describe-route-tables --route-table-ids "$MAIN" \
  --query 'RouteTables[0].Associations[0].RouteTableAssociationId'
MAIN_ASSOC=$OUT
expect_match "rtb: main association id shape" '^rtbassoc-[0-9a-f]{17}$' "$MAIN_ASSOC"

expect_ok "rtb: create igw" awsx ec2 create-internet-gateway --query InternetGateway.InternetGatewayId
IGW=$OUT
expect_ok "rtb: attach igw" awsx ec2 attach-internet-gateway --internet-gateway-id "$IGW" --vpc-id "$VPC"
expect_ok "rtb: create detached igw" awsx ec2 create-internet-gateway --query InternetGateway.InternetGatewayId
IGW_LOOSE=$OUT

# ---- CreateRouteTable ----
expect_ok "rtb: create route table with tags" awsx ec2 create-route-table --vpc-id "$VPC" \
  --tag-specifications 'ResourceType=route-table,Tags=[{Key=Name,Value=rt-one}]' \
  --query 'RouteTable.[RouteTableId,VpcId,OwnerId,Tags[0].Value,length(Routes),length(Associations)]'
RT=$(echo "$OUT" | cut -f1)
expect_eq "rtb: create reply" "$RT	$VPC	000000000000	rt-one	1	0" "$OUT"
expect_ok "rtb: new table has the local route" awsx ec2 describe-route-tables --route-table-ids "$RT" \
  --query 'RouteTables[0].Routes[0].[DestinationCidrBlock,GatewayId,Origin,State]'
expect_eq "rtb: new table local route" "10.0.0.0/16	local	CreateRouteTable	active" "$OUT"
expect_ok "rtb: tag filter" awsx ec2 describe-route-tables --filters Name=tag:Name,Values=rt-one \
  --query 'RouteTables[].RouteTableId'
expect_eq "rtb: tag filter finds the table" "$RT" "$OUT"
expect_err InvalidVpcID.NotFound "rtb: create in missing vpc" \
  awsx ec2 create-route-table --vpc-id vpc-$ZERO17
expect_err InvalidVpcID.Malformed "rtb: create in malformed vpc" awsx ec2 create-route-table --vpc-id vpc-zz
expect_err InvalidParameterValue "rtb: tag spec for another resource type" \
  awsx ec2 create-route-table --vpc-id "$VPC" --tag-specifications 'ResourceType=vpc,Tags=[{Key=a,Value=b}]'

# ---- CreateRoute ----
expect_ok "rtb: route 0.0.0.0/0 -> igw" awsx ec2 create-route --route-table-id "$RT" \
  --destination-cidr-block 0.0.0.0/0 --gateway-id "$IGW"
expect_eq "rtb: create-route returns true" "True" "$OUT"
expect_ok "rtb: route with host bits is canonicalised" awsx ec2 create-route --route-table-id "$RT" \
  --destination-cidr-block 192.168.1.7/24 --gateway-id "$IGW"
expect_ok "rtb: describe routes" awsx ec2 describe-route-tables --route-table-ids "$RT" \
  --query 'RouteTables[0].Routes[?DestinationCidrBlock==`192.168.1.0/24`].[GatewayId,Origin,State]'
expect_eq "rtb: canonical route" "$IGW	CreateRoute	active" "$OUT"
expect_ok "rtb: route to a block containing the reserved range" awsx ec2 create-route \
  --route-table-id "$RT" --destination-cidr-block 169.254.0.0/16 --gateway-id "$IGW"
expect_ok "rtb: delete that route" awsx ec2 delete-route --route-table-id "$RT" \
  --destination-cidr-block 169.254.0.0/16
expect_ok "rtb: create eigw" awsx ec2 create-egress-only-internet-gateway --vpc-id "$VPC" \
  --query EgressOnlyInternetGateway.EgressOnlyInternetGatewayId
EIGW=$OUT
expect_ok "rtb: route ::/0 -> eigw" awsx ec2 create-route --route-table-id "$RT" \
  --destination-ipv6-cidr-block ::/0 --egress-only-internet-gateway-id "$EIGW"
expect_ok "rtb: ipv6 route fields" awsx ec2 describe-route-tables --route-table-ids "$RT" \
  --query 'RouteTables[0].Routes[?DestinationIpv6CidrBlock==`::/0`].[EgressOnlyInternetGatewayId,Origin,State]'
expect_eq "rtb: ipv6 route" "$EIGW	CreateRoute	active" "$OUT"

# ---- bad routes, exact codes ----
expect_err RouteAlreadyExists "rtb: duplicate route" awsx ec2 create-route --route-table-id "$RT" \
  --destination-cidr-block 0.0.0.0/0 --gateway-id "$IGW"
expect_err RouteAlreadyExists "rtb: duplicate after canonicalisation" awsx ec2 create-route \
  --route-table-id "$RT" --destination-cidr-block 192.168.1.1/24 --gateway-id "$IGW"
expect_err RouteAlreadyExists "rtb: route to the vpc's own cidr" awsx ec2 create-route \
  --route-table-id "$RT" --destination-cidr-block 10.0.0.0/16 --gateway-id "$IGW"
expect_err InvalidParameterValue "rtb: route more specific than local to an igw" \
  awsx ec2 create-route --route-table-id "$RT" --destination-cidr-block 10.0.1.0/24 --gateway-id "$IGW"
expect_err InvalidInternetGatewayID.NotFound "rtb: route to a missing igw" \
  awsx ec2 create-route --route-table-id "$RT" --destination-cidr-block 10.8.0.0/16 --gateway-id igw-$ZERO17
expect_err InvalidInternetGatewayId.Malformed "rtb: route to a malformed igw id" \
  awsx ec2 create-route --route-table-id "$RT" --destination-cidr-block 10.8.0.0/16 --gateway-id igw-xyz
expect_err InvalidParameterValue "rtb: route to an igw of no network" \
  awsx ec2 create-route --route-table-id "$RT" --destination-cidr-block 10.8.0.0/16 --gateway-id "$IGW_LOOSE"
expect_err InvalidGatewayID.NotFound "rtb: nat id as gateway id" \
  awsx ec2 create-route --route-table-id "$RT" --destination-cidr-block 10.8.0.0/16 --gateway-id nat-$ZERO17
expect_err InvalidGatewayID.NotFound "rtb: missing vgw" \
  awsx ec2 create-route --route-table-id "$RT" --destination-cidr-block 10.8.0.0/16 --gateway-id vgw-$ZERO17
expect_err InvalidNatGatewayID.NotFound "rtb: missing nat gateway" \
  awsx ec2 create-route --route-table-id "$RT" --destination-cidr-block 10.8.0.0/16 --nat-gateway-id nat-$ZERO17
expect_err InvalidInstanceID.NotFound "rtb: missing instance" \
  awsx ec2 create-route --route-table-id "$RT" --destination-cidr-block 10.8.0.0/16 --instance-id i-$ZERO17
expect_err InvalidNetworkInterfaceID.NotFound "rtb: missing eni" awsx ec2 create-route \
  --route-table-id "$RT" --destination-cidr-block 10.8.0.0/16 --network-interface-id eni-$ZERO17
expect_err InvalidVpcPeeringConnectionID.NotFound "rtb: missing peering" awsx ec2 create-route \
  --route-table-id "$RT" --destination-cidr-block 10.8.0.0/16 --vpc-peering-connection-id pcx-$ZERO17
expect_err InvalidTransitGatewayID.NotFound "rtb: missing transit gateway" awsx ec2 create-route \
  --route-table-id "$RT" --destination-cidr-block 10.8.0.0/16 --transit-gateway-id tgw-$ZERO17
expect_err InvalidVpcEndpointId.NotFound "rtb: missing vpc endpoint" awsx ec2 create-route \
  --route-table-id "$RT" --destination-cidr-block 10.8.0.0/16 --vpc-endpoint-id vpce-$ZERO17
expect_err InvalidNatGatewayID.Malformed "rtb: malformed nat gateway id" awsx ec2 create-route \
  --route-table-id "$RT" --destination-cidr-block 10.8.0.0/16 --nat-gateway-id nat-1
expect_err InvalidEgressOnlyInternetGatewayId.NotFound "rtb: missing eigw" awsx ec2 create-route \
  --route-table-id "$RT" --destination-ipv6-cidr-block 2600::/16 --egress-only-internet-gateway-id eigw-$ZERO17
expect_err InvalidParameterValue "rtb: route to 169.254.168.0/22" awsx ec2 create-route \
  --route-table-id "$RT" --destination-cidr-block 169.254.168.0/22 --gateway-id "$IGW"
expect_err InvalidParameterValue "rtb: route inside 169.254.168.0/22" awsx ec2 create-route \
  --route-table-id "$RT" --destination-cidr-block 169.254.169.0/24 --gateway-id "$IGW"
expect_err InvalidParameterValue "rtb: route to fd00:ec2::/32" awsx ec2 create-route \
  --route-table-id "$RT" --destination-ipv6-cidr-block fd00:ec2::/32 --gateway-id "$IGW"
expect_err MissingParameter "rtb: route without target" awsx ec2 create-route \
  --route-table-id "$RT" --destination-cidr-block 10.8.0.0/16
expect_err MissingParameter "rtb: route without destination" awsx ec2 create-route \
  --route-table-id "$RT" --gateway-id "$IGW"
expect_err InvalidParameterCombination "rtb: route with two targets" awsx ec2 create-route \
  --route-table-id "$RT" --destination-ipv6-cidr-block 2600::/16 --gateway-id "$IGW" \
  --egress-only-internet-gateway-id "$EIGW"
expect_err InvalidParameterCombination "rtb: route with two destinations" awsx ec2 create-route \
  --route-table-id "$RT" --destination-cidr-block 10.8.0.0/16 --destination-ipv6-cidr-block 2600::/16 \
  --gateway-id "$IGW"
expect_err InvalidParameterValue "rtb: route with a bad cidr" awsx ec2 create-route \
  --route-table-id "$RT" --destination-cidr-block 10.8.0.0/33 --gateway-id "$IGW"
expect_err InvalidPrefixListID.NotFound "rtb: route to a missing prefix list" awsx ec2 create-route \
  --route-table-id "$RT" --destination-prefix-list-id pl-$ZERO17 --gateway-id "$IGW"
expect_err InvalidRouteTableID.NotFound "rtb: route in a missing table" awsx ec2 create-route \
  --route-table-id rtb-$ZERO17 --destination-cidr-block 10.8.0.0/16 --gateway-id "$IGW"
expect_err InvalidRouteTableId.Malformed "rtb: route in a malformed table id" awsx ec2 create-route \
  --route-table-id rtb-q --destination-cidr-block 10.8.0.0/16 --gateway-id "$IGW"

# ---- prefix-list destination ----
expect_ok "rtb: create prefix list" awsx ec2 create-managed-prefix-list --prefix-list-name rtb-pl \
  --address-family IPv4 --max-entries 5 --entries Cidr=203.0.113.0/24 \
  --query PrefixList.PrefixListId
PL=$OUT
expect_ok "rtb: route to prefix list" awsx ec2 create-route --route-table-id "$RT" \
  --destination-prefix-list-id "$PL" --gateway-id "$IGW"
expect_ok "rtb: filter route.destination-prefix-list-id" awsx ec2 describe-route-tables \
  --filters Name=route.destination-prefix-list-id,Values="$PL" --query 'RouteTables[].RouteTableId'
expect_eq "rtb: prefix-list route found" "$RT" "$OUT"
expect_err RouteAlreadyExists "rtb: duplicate prefix-list route" awsx ec2 create-route \
  --route-table-id "$RT" --destination-prefix-list-id "$PL" --gateway-id "$IGW"
expect_ok "rtb: delete prefix-list route" awsx ec2 delete-route --route-table-id "$RT" \
  --destination-prefix-list-id "$PL"

# ---- ReplaceRoute ----
expect_ok "rtb: replace ::/0 -> igw" awsx ec2 replace-route --route-table-id "$RT" \
  --destination-ipv6-cidr-block ::/0 --gateway-id "$IGW"
expect_ok "rtb: replaced target" awsx ec2 describe-route-tables --route-table-ids "$RT" \
  --query 'RouteTables[0].Routes[?DestinationIpv6CidrBlock==`::/0`].[GatewayId,Origin]'
expect_eq "rtb: ::/0 now igw, origin kept" "$IGW	CreateRoute" "$OUT"
expect_ok "rtb: replace back to eigw" awsx ec2 replace-route --route-table-id "$RT" \
  --destination-ipv6-cidr-block ::/0 --egress-only-internet-gateway-id "$EIGW"
expect_err InvalidParameterValue "rtb: replace a missing route" awsx ec2 replace-route \
  --route-table-id "$RT" --destination-cidr-block 10.9.0.0/16 --gateway-id "$IGW"
expect_err InvalidParameterValue "rtb: local route cannot target an igw" awsx ec2 replace-route \
  --route-table-id "$RT" --destination-cidr-block 10.0.0.0/16 --gateway-id "$IGW"
expect_ok "rtb: local target on the local route" awsx ec2 replace-route --route-table-id "$RT" \
  --destination-cidr-block 10.0.0.0/16 --local-target
expect_err InvalidParameterValue "rtb: local target on a non-local route" awsx ec2 replace-route \
  --route-table-id "$RT" --destination-cidr-block 0.0.0.0/0 --local-target
expect_err InvalidParameterCombination "rtb: local target plus a gateway" awsx ec2 replace-route \
  --route-table-id "$RT" --destination-cidr-block 10.0.0.0/16 --local-target --gateway-id "$IGW"
expect_err MissingParameter "rtb: replace without target" awsx ec2 replace-route \
  --route-table-id "$RT" --destination-cidr-block 0.0.0.0/0

# ---- DeleteRoute ----
expect_ok "rtb: delete route" awsx ec2 delete-route --route-table-id "$RT" \
  --destination-cidr-block 192.168.1.0/24
expect_ok "rtb: route gone" awsx ec2 describe-route-tables --route-table-ids "$RT" \
  --query 'length(RouteTables[0].Routes[?DestinationCidrBlock==`192.168.1.0/24`])'
expect_eq "rtb: no 192.168.1.0/24 left" "0" "$OUT"
expect_err InvalidParameterValue "rtb: delete the local route" awsx ec2 delete-route \
  --route-table-id "$RT" --destination-cidr-block 10.0.0.0/16
expect_err InvalidRoute.NotFound "rtb: delete a missing route" awsx ec2 delete-route \
  --route-table-id "$RT" --destination-cidr-block 10.9.0.0/16
expect_err InvalidRoute.NotFound "rtb: delete a missing ipv6 route" awsx ec2 delete-route \
  --route-table-id "$RT" --destination-ipv6-cidr-block 2600::/16

# ---- route filters ----
expect_ok "rtb: filter route.gateway-id" awsx ec2 describe-route-tables \
  --filters Name=route.gateway-id,Values="$IGW" Name=vpc-id,Values="$VPC" --query 'RouteTables[].RouteTableId'
expect_eq "rtb: route.gateway-id finds RT" "$RT" "$OUT"
expect_ok "rtb: filter route.destination-cidr-block" awsx ec2 describe-route-tables \
  --filters Name=route.destination-cidr-block,Values=0.0.0.0/0 Name=vpc-id,Values="$VPC" \
  --query 'RouteTables[].RouteTableId'
expect_eq "rtb: route.destination-cidr-block finds RT" "$RT" "$OUT"
expect_ok "rtb: filter route.destination-ipv6-cidr-block" awsx ec2 describe-route-tables \
  --filters Name=route.destination-ipv6-cidr-block,Values=::/0 --query 'RouteTables[].RouteTableId'
expect_eq "rtb: ipv6 destination filter" "$RT" "$OUT"
expect_ok "rtb: filter route.egress-only-internet-gateway-id" awsx ec2 describe-route-tables \
  --filters Name=route.egress-only-internet-gateway-id,Values="$EIGW" --query 'RouteTables[].RouteTableId'
expect_eq "rtb: eigw filter" "$RT" "$OUT"
expect_ok "rtb: filter route.origin=CreateRoute" awsx ec2 describe-route-tables \
  --filters Name=route.origin,Values=CreateRoute Name=vpc-id,Values="$VPC" --query 'RouteTables[].RouteTableId'
expect_eq "rtb: route.origin finds RT only" "$RT" "$OUT"
expect_ok "rtb: filter route.gateway-id=local counts both tables" awsx ec2 describe-route-tables \
  --filters Name=route.gateway-id,Values=local Name=vpc-id,Values="$VPC" --query 'length(RouteTables)'
expect_eq "rtb: two tables with a local route" "2" "$OUT"
expect_ok "rtb: filter route-table-id" awsx ec2 describe-route-tables \
  --filters Name=route-table-id,Values="$RT" --query 'RouteTables[].RouteTableId'
expect_eq "rtb: route-table-id filter" "$RT" "$OUT"
expect_ok "rtb: filter owner-id" awsx ec2 describe-route-tables \
  --filters Name=owner-id,Values=000000000000 Name=vpc-id,Values="$VPC" --query 'length(RouteTables)'
expect_eq "rtb: owner-id filter" "2" "$OUT"
expect_err InvalidParameterValue "rtb: unknown filter" awsx ec2 describe-route-tables \
  --filters Name=route.bogus,Values=x

# ---- blackhole after the IGW leaves, active again when it returns ----
expect_ok "rtb: detach igw" awsx ec2 detach-internet-gateway --internet-gateway-id "$IGW" --vpc-id "$VPC"
expect_ok "rtb: route state after detach" awsx ec2 describe-route-tables --route-table-ids "$RT" \
  --query 'RouteTables[0].Routes[?DestinationCidrBlock==`0.0.0.0/0`].State'
expect_eq "rtb: blackhole" "blackhole" "$OUT"
expect_ok "rtb: filter route.state=blackhole" awsx ec2 describe-route-tables \
  --filters Name=route.state,Values=blackhole --query 'RouteTables[].RouteTableId'
expect_eq "rtb: route.state finds RT" "$RT" "$OUT"
expect_ok "rtb: reattach igw" awsx ec2 attach-internet-gateway --internet-gateway-id "$IGW" --vpc-id "$VPC"
expect_ok "rtb: route state after reattach" awsx ec2 describe-route-tables --route-table-ids "$RT" \
  --query 'RouteTables[0].Routes[?DestinationCidrBlock==`0.0.0.0/0`].State'
expect_eq "rtb: active again" "active" "$OUT"

# ---- associations ----
expect_ok "rtb: subnet 1" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.1.0/24 --query Subnet.SubnetId
SN1=$OUT
expect_ok "rtb: subnet 2" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.2.0/24 --query Subnet.SubnetId
SN2=$OUT
expect_ok "rtb: associate subnet 1" awsx ec2 associate-route-table --route-table-id "$RT" \
  --subnet-id "$SN1" --query '[AssociationId,AssociationState.State]'
A1=$(echo "$OUT" | cut -f1)
expect_match "rtb: association reply" '^rtbassoc-[0-9a-f]{17}	associated$' "$OUT"
expect_ok "rtb: association in describe" awsx ec2 describe-route-tables --route-table-ids "$RT" \
  --query 'RouteTables[0].Associations[0].[Main,RouteTableAssociationId,RouteTableId,SubnetId,AssociationState.State]'
expect_eq "rtb: association fields" "False	$A1	$RT	$SN1	associated" "$OUT"
expect_ok "rtb: filter association.subnet-id" awsx ec2 describe-route-tables \
  --filters Name=association.subnet-id,Values="$SN1" --query 'RouteTables[].RouteTableId'
expect_eq "rtb: association.subnet-id finds RT" "$RT" "$OUT"
expect_ok "rtb: filter association.route-table-association-id" awsx ec2 describe-route-tables \
  --filters Name=association.route-table-association-id,Values="$A1" --query 'RouteTables[].RouteTableId'
expect_eq "rtb: association id filter finds RT" "$RT" "$OUT"
expect_ok "rtb: filter association.route-table-id" awsx ec2 describe-route-tables \
  --filters Name=association.route-table-id,Values="$RT" --query 'RouteTables[].RouteTableId'
expect_eq "rtb: association.route-table-id filter" "$RT" "$OUT"
expect_ok "rtb: filter association.main=false" awsx ec2 describe-route-tables \
  --filters Name=association.main,Values=false Name=vpc-id,Values="$VPC" --query 'RouteTables[].RouteTableId'
expect_eq "rtb: association.main=false" "$RT" "$OUT"
expect_err Resource.AlreadyAssociated "rtb: associate a subnet twice" awsx ec2 associate-route-table \
  --route-table-id "$RT" --subnet-id "$SN1"
expect_err Resource.AlreadyAssociated "rtb: associate an associated subnet to the main table" \
  awsx ec2 associate-route-table --route-table-id "$MAIN" --subnet-id "$SN1"
expect_err InvalidSubnetID.NotFound "rtb: associate a missing subnet" awsx ec2 associate-route-table \
  --route-table-id "$RT" --subnet-id subnet-$ZERO17
expect_ok "rtb: a default-vpc subnet" awsx ec2 describe-subnets \
  --filters Name=default-for-az,Values=true --query 'Subnets[0].SubnetId'
DEF_SN=$OUT
expect_err InvalidParameterValue "rtb: associate a subnet of another vpc" \
  awsx ec2 associate-route-table --route-table-id "$RT" --subnet-id "$DEF_SN"
expect_err MissingParameter "rtb: associate without subnet or gateway" \
  awsx ec2 associate-route-table --route-table-id "$RT"
expect_err DependencyViolation "rtb: delete an associated table" awsx ec2 delete-route-table --route-table-id "$RT"
expect_err DependencyViolation "rtb: delete the main table" awsx ec2 delete-route-table --route-table-id "$MAIN"

expect_ok "rtb: move subnet 1 to the main table" awsx ec2 replace-route-table-association \
  --association-id "$A1" --route-table-id "$MAIN" --query '[NewAssociationId,AssociationState.State]'
A2=$(echo "$OUT" | cut -f1)
expect_match "rtb: replace reply" '^rtbassoc-[0-9a-f]{17}	associated$' "$OUT"
expect_ok "rtb: subnet 1 now explicit on main" awsx ec2 describe-route-tables \
  --filters Name=association.subnet-id,Values="$SN1" --query 'RouteTables[].RouteTableId'
expect_eq "rtb: subnet 1 on main" "$MAIN" "$OUT"
expect_err InvalidAssociationID.NotFound "rtb: old association id is gone" \
  awsx ec2 disassociate-route-table --association-id "$A1"
expect_ok "rtb: disassociate subnet 1" awsx ec2 disassociate-route-table --association-id "$A2"
expect_ok "rtb: subnet 1 has no explicit association" awsx ec2 describe-route-tables \
  --filters Name=association.subnet-id,Values="$SN1" --query 'length(RouteTables)'
expect_eq "rtb: no explicit association" "0" "$OUT"
expect_err InvalidParameterValue "rtb: disassociate the main association" \
  awsx ec2 disassociate-route-table --association-id "$MAIN_ASSOC"
expect_err InvalidAssociationID.NotFound "rtb: disassociate a missing association" \
  awsx ec2 disassociate-route-table --association-id rtbassoc-$ZERO17
expect_ok "rtb: associate subnet 2" awsx ec2 associate-route-table --route-table-id "$RT" \
  --subnet-id "$SN2" --query AssociationId
A3=$OUT
expect_ok "rtb: deleting the subnet drops its association" awsx ec2 delete-subnet --subnet-id "$SN2"
expect_ok "rtb: RT has no association left" awsx ec2 describe-route-tables --route-table-ids "$RT" \
  --query 'length(RouteTables[0].Associations)'
expect_eq "rtb: association dropped with the subnet" "0" "$OUT"
expect_err InvalidAssociationID.NotFound "rtb: association of the deleted subnet" \
  awsx ec2 disassociate-route-table --association-id "$A3"

# ---- gateway (edge) association ----
expect_ok "rtb: edge table" awsx ec2 create-route-table --vpc-id "$VPC" --query RouteTable.RouteTableId
EDGE=$OUT
expect_ok "rtb: associate the igw" awsx ec2 associate-route-table --route-table-id "$EDGE" \
  --gateway-id "$IGW" --query '[AssociationId,AssociationState.State]'
EA=$(echo "$OUT" | cut -f1)
expect_ok "rtb: filter association.gateway-id" awsx ec2 describe-route-tables \
  --filters Name=association.gateway-id,Values="$IGW" --query 'RouteTables[].RouteTableId'
expect_eq "rtb: gateway association found" "$EDGE" "$OUT"
expect_err Resource.AlreadyAssociated "rtb: igw associated twice" awsx ec2 associate-route-table \
  --route-table-id "$EDGE" --gateway-id "$IGW"
expect_ok "rtb: disassociate the igw" awsx ec2 disassociate-route-table --association-id "$EA"
expect_err InvalidParameterValue "rtb: table with an igw route cannot be a gateway table" \
  awsx ec2 associate-route-table --route-table-id "$RT" --gateway-id "$IGW"
expect_err InvalidParameterValue "rtb: main table cannot be a gateway table" \
  awsx ec2 associate-route-table --route-table-id "$MAIN" --gateway-id "$IGW"
expect_ok "rtb: delete edge table" awsx ec2 delete-route-table --route-table-id "$EDGE"

# ---- replacing the main association ----
expect_ok "rtb: make RT the main table" awsx ec2 replace-route-table-association \
  --association-id "$MAIN_ASSOC" --route-table-id "$RT" --query NewAssociationId
NEW_MAIN_ASSOC=$OUT
expect_match "rtb: new main association id" '^rtbassoc-[0-9a-f]{17}$' "$NEW_MAIN_ASSOC"
expect_ok "rtb: main table is now RT" awsx ec2 describe-route-tables \
  --filters Name=vpc-id,Values="$VPC" Name=association.main,Values=true --query 'RouteTables[].RouteTableId'
expect_eq "rtb: RT is main" "$RT" "$OUT"
expect_ok "rtb: RT's main association" awsx ec2 describe-route-tables --route-table-ids "$RT" \
  --query 'RouteTables[0].Associations[?Main].RouteTableAssociationId'
expect_eq "rtb: main association moved" "$NEW_MAIN_ASSOC" "$OUT"
expect_err DependencyViolation "rtb: the new main table cannot be deleted" \
  awsx ec2 delete-route-table --route-table-id "$RT"
expect_ok "rtb: the old main table can be deleted" awsx ec2 delete-route-table --route-table-id "$MAIN"
expect_err InvalidRouteTableID.NotFound "rtb: deleted table is gone" \
  awsx ec2 describe-route-tables --route-table-ids "$MAIN"

# ---- local routes follow the VPC's CIDR blocks ----
expect_ok "rtb: second vpc cidr" awsx ec2 associate-vpc-cidr-block --vpc-id "$VPC" --cidr-block 10.1.0.0/16 \
  --query CidrBlockAssociation.AssociationId
CIDR_ASSOC=$OUT
expect_ok "rtb: local route for the new cidr" awsx ec2 describe-route-tables --route-table-ids "$RT" \
  --query 'RouteTables[0].Routes[?DestinationCidrBlock==`10.1.0.0/16`].[GatewayId,Origin,State]'
expect_eq "rtb: new local route" "local	CreateRouteTable	active" "$OUT"
expect_err InvalidParameterValue "rtb: the new local route cannot be deleted" awsx ec2 delete-route \
  --route-table-id "$RT" --destination-cidr-block 10.1.0.0/16
expect_ok "rtb: drop the second cidr" awsx ec2 disassociate-vpc-cidr-block --association-id "$CIDR_ASSOC"
expect_ok "rtb: its local route is gone" awsx ec2 describe-route-tables --route-table-ids "$RT" \
  --query 'length(RouteTables[0].Routes[?DestinationCidrBlock==`10.1.0.0/16`])'
expect_eq "rtb: local route removed" "0" "$OUT"
expect_ok "rtb: ipv6 block" awsx ec2 associate-vpc-cidr-block --vpc-id "$VPC" --amazon-provided-ipv6-cidr-block \
  --query Ipv6CidrBlockAssociation.Ipv6CidrBlock
V6=$OUT
expect_ok "rtb: ipv6 local route" awsx ec2 describe-route-tables --route-table-ids "$RT" \
  --query "RouteTables[0].Routes[?DestinationIpv6CidrBlock=='$V6'].[GatewayId,Origin,State]"
expect_eq "rtb: ipv6 local route fields" "local	CreateRouteTable	active" "$OUT"

# ---- VGW propagation (no VGWs in vpcd yet) ----
expect_err InvalidVpnGatewayID.NotFound "rtb: enable propagation from a missing vgw" \
  awsx ec2 enable-vgw-route-propagation --route-table-id "$RT" --gateway-id vgw-$ZERO17
expect_err InvalidVpnGatewayID.NotFound "rtb: disable propagation from a missing vgw" \
  awsx ec2 disable-vgw-route-propagation --route-table-id "$RT" --gateway-id vgw-$ZERO17
expect_err InvalidRouteTableID.NotFound "rtb: enable propagation on a missing table" \
  awsx ec2 enable-vgw-route-propagation --route-table-id rtb-$ZERO17 --gateway-id vgw-$ZERO17

# ---- paging: MaxResults 5..100 ----
for i in 1 2 3 4 5; do
  awsx ec2 create-route-table --vpc-id "$VPC" --query RouteTable.RouteTableId >/dev/null
done
expect_ok "rtb: count all tables" awsx ec2 describe-route-tables --query 'length(RouteTables)'
TOTAL=$OUT
expect_eq "rtb: default main + RT + 5 new" "7" "$TOTAL"
expect_ok "rtb: first page of 5" awsx ec2 describe-route-tables --max-results 5 --no-paginate \
  --query '[length(RouteTables), NextToken != null]'
expect_eq "rtb: page of 5 with a token" "5	True" "$OUT"
expect_ok "rtb: paginated in pages of 5" awsx ec2 describe-route-tables --page-size 5 \
  --query 'RouteTables[].[RouteTableId]'
expect_eq "rtb: all tables across pages" "$TOTAL" "$(echo "$OUT" | grep -c '^rtb-')"
expect_err InvalidParameterValue "rtb: MaxResults 101" awsx ec2 describe-route-tables --max-results 101 --no-paginate

# ---- another account sees nothing ----
expect_err InvalidRouteTableID.NotFound "rtb: other account describes RT" \
  aws_acct1 ec2 describe-route-tables --route-table-ids "$RT"
expect_ok "rtb: other account filter by id" aws_acct1 ec2 describe-route-tables \
  --filters Name=route-table-id,Values="$RT" --query 'length(RouteTables)'
expect_eq "rtb: nothing visible" "0" "$OUT"
expect_err InvalidRouteTableID.NotFound "rtb: other account adds a route" aws_acct1 ec2 create-route \
  --route-table-id "$RT" --destination-cidr-block 10.8.0.0/16 --gateway-id "$IGW"
expect_err InvalidRouteTableID.NotFound "rtb: other account deletes RT" \
  aws_acct1 ec2 delete-route-table --route-table-id "$RT"
expect_err InvalidVpcID.NotFound "rtb: other account creates a table in our vpc" \
  aws_acct1 ec2 create-route-table --vpc-id "$VPC"
expect_err InvalidAssociationID.NotFound "rtb: other account disassociates our main association" \
  aws_acct1 ec2 disassociate-route-table --association-id "$NEW_MAIN_ASSOC"
