# Transit gateways through /usr/bin/aws: a segmented hub (prod / non-prod / shared services),
# an inter-Region peering, VPC routes to a TGW, and the errors AWS gives.
# Sourced by tests/e2e/run-cli.sh after vpcd_start.
#
#            prod-rt: learns shared only        shared-rt: learns prod + non-prod
#   prod VPC ──┐                                            ┌── eu-west-1 TGW (peer)
#              ├── hub TGW (us-east-1, no defaults) ── peering
#   nonprod ───┤        nonprod-rt: learns shared only
#   shared  ───┘

# ---- Create: options and defaults.
expect_ok "create tgw with defaults" awsx ec2 create-transit-gateway --description dflt \
  --query 'TransitGateway.[TransitGatewayId,State,Options.AmazonSideAsn,Options.AutoAcceptSharedAttachments,Options.DefaultRouteTableAssociation,Options.DefaultRouteTablePropagation,Options.VpnEcmpSupport,Options.DnsSupport,Options.MulticastSupport]'
DFLT=$(echo "$OUT" | cut -f1)
expect_match "tgw id is AWS-shaped" '^tgw-[0-9a-f]{17}$' "$DFLT"
expect_eq "create answers pending with AWS defaults" "pending	64512	disable	enable	enable	enable	enable	disable" "$(echo "$OUT" | cut -f2-)"
expect_ok "describe default tgw" awsx ec2 describe-transit-gateways --transit-gateway-ids "$DFLT" \
  --query 'TransitGateways[0].[State,Options.AssociationDefaultRouteTableId,Options.PropagationDefaultRouteTableId,OwnerId,Description]'
DFLT_RTB=$(echo "$OUT" | cut -f2)
expect_match "default route table id" '^tgw-rtb-[0-9a-f]{17}$' "$DFLT_RTB"
expect_eq "available, one table for both defaults" "available	$DFLT_RTB	$DFLT_RTB	000000000000	dflt" "$OUT"
expect_ok "default table flags" awsx ec2 describe-transit-gateway-route-tables \
  --filters Name=transit-gateway-id,Values="$DFLT" \
  --query 'TransitGatewayRouteTables[].[TransitGatewayRouteTableId,DefaultAssociationRouteTable,DefaultPropagationRouteTable,State]'
expect_eq "default table flagged" "$DFLT_RTB	True	True	available" "$OUT"

expect_ok "create hub tgw without defaults" awsx ec2 create-transit-gateway --description hub \
  --options AmazonSideAsn=64600,DefaultRouteTableAssociation=disable,DefaultRouteTablePropagation=disable,AutoAcceptSharedAttachments=enable,DnsSupport=disable,VpnEcmpSupport=disable,TransitGatewayCidrBlocks=10.99.0.0/24 \
  --tag-specifications 'ResourceType=transit-gateway,Tags=[{Key=Name,Value=hub}]' \
  --query 'TransitGateway.[TransitGatewayId,Options.AmazonSideAsn,Options.AutoAcceptSharedAttachments,Options.DnsSupport,Options.VpnEcmpSupport,join(`,`,Options.TransitGatewayCidrBlocks),Tags[0].Value,Options.AssociationDefaultRouteTableId]'
HUB=$(echo "$OUT" | cut -f1)
expect_eq "hub options echoed, no default table" "64600	enable	disable	disable	10.99.0.0/24	hub	None" "$(echo "$OUT" | cut -f2-)"
expect_eq "no route table for the hub" "0" "$(awsx ec2 describe-transit-gateway-route-tables --filters Name=transit-gateway-id,Values="$HUB" --query 'length(TransitGatewayRouteTables)')"
expect_err InvalidParameterValue "asn out of range" awsx ec2 create-transit-gateway --options AmazonSideAsn=65535
expect_err InvalidParameterValue "link-local tgw cidr" awsx ec2 create-transit-gateway --options TransitGatewayCidrBlocks=169.254.0.0/24
expect_err InvalidParameterValue "tgw cidr longer than /24" awsx ec2 create-transit-gateway --options TransitGatewayCidrBlocks=10.98.0.0/25

# ---- Describe filters.
tgw_ids() { awsx ec2 describe-transit-gateways --filters "$@" --query 'TransitGateways[].TransitGatewayId'; }
expect_eq "filter options.amazon-side-asn" "$HUB" "$(tgw_ids Name=options.amazon-side-asn,Values=64600)"
expect_eq "filter options.default-route-table-association" "$HUB" "$(tgw_ids Name=options.default-route-table-association,Values=disable)"
expect_eq "filter options.association-default-route-table-id" "$DFLT" "$(tgw_ids Name=options.association-default-route-table-id,Values="$DFLT_RTB")"
expect_eq "filter state+owner" "$DFLT	$HUB" "$(tgw_ids Name=state,Values=available Name=owner-id,Values=000000000000)"
expect_eq "filter tag" "$HUB" "$(tgw_ids Name=tag:Name,Values=hub)"
expect_err InvalidParameterValue "unknown tgw filter" awsx ec2 describe-transit-gateways --filters Name=size,Values=1
expect_err InvalidTransitGatewayID.NotFound "describe a missing tgw" awsx ec2 describe-transit-gateways --transit-gateway-ids tgw-0123456789abcdef0
expect_err InvalidTransitGatewayID.Malformed "describe a malformed tgw id" awsx ec2 describe-transit-gateways --transit-gateway-ids tgw-x

# ---- Modify.
expect_ok "modify hub" awsx ec2 modify-transit-gateway --transit-gateway-id "$HUB" --description hub2 \
  --options DnsSupport=enable,AddTransitGatewayCidrBlocks=10.99.1.0/24,RemoveTransitGatewayCidrBlocks=10.99.0.0/24 \
  --query 'TransitGateway.[State,Description,Options.DnsSupport,join(`,`,Options.TransitGatewayCidrBlocks)]'
expect_eq "modify answer" "modifying	hub2	enable	10.99.1.0/24" "$OUT"

# ---- Spokes.
mkvpc() { awsx ec2 create-vpc --cidr-block "$1" --query Vpc.VpcId; }
mksub() { awsx ec2 create-subnet --vpc-id "$1" --cidr-block "$2" --availability-zone "$3" --query Subnet.SubnetId; }
PROD=$(mkvpc 10.10.0.0/16); NONPROD=$(mkvpc 10.20.0.0/16); SHARED=$(mkvpc 10.30.0.0/16)
PROD_A=$(mksub "$PROD" 10.10.1.0/24 us-east-1a); PROD_B=$(mksub "$PROD" 10.10.2.0/24 us-east-1b)
PROD_A2=$(mksub "$PROD" 10.10.3.0/24 us-east-1a)
NP_A=$(mksub "$NONPROD" 10.20.1.0/24 us-east-1a)
SH_A=$(mksub "$SHARED" 10.30.1.0/24 us-east-1a)

expect_err DuplicateSubnetsInSameZone "two subnets in one zone" awsx ec2 create-transit-gateway-vpc-attachment \
  --transit-gateway-id "$HUB" --vpc-id "$PROD" --subnet-ids "$PROD_A" "$PROD_A2"
err=$(awsx ec2 create-transit-gateway-vpc-attachment --transit-gateway-id "$HUB" --vpc-id "$PROD" --subnet-ids "$PROD_A" "$PROD_A2" 2>&1)
expect_match "duplicate zone message" "Duplicate Subnets for same AZ" "$err"
expect_err InvalidParameterValue "subnet of another vpc" awsx ec2 create-transit-gateway-vpc-attachment \
  --transit-gateway-id "$HUB" --vpc-id "$PROD" --subnet-ids "$NP_A"
expect_err InvalidTransitGatewayID.NotFound "attach to a missing tgw" awsx ec2 create-transit-gateway-vpc-attachment \
  --transit-gateway-id tgw-0123456789abcdef0 --vpc-id "$PROD" --subnet-ids "$PROD_A"

expect_ok "attach prod" awsx ec2 create-transit-gateway-vpc-attachment --transit-gateway-id "$HUB" --vpc-id "$PROD" \
  --subnet-ids "$PROD_A" "$PROD_B" --options ApplianceModeSupport=enable,Ipv6Support=disable \
  --tag-specifications 'ResourceType=transit-gateway-attachment,Tags=[{Key=Name,Value=prod}]' \
  --query 'TransitGatewayVpcAttachment.[TransitGatewayAttachmentId,State,VpcOwnerId,join(`,`,SubnetIds),Options.ApplianceModeSupport,Options.DnsSupport,Tags[0].Value]'
PROD_ATT=$(echo "$OUT" | cut -f1)
expect_match "attachment id is AWS-shaped" '^tgw-attach-[0-9a-f]{17}$' "$PROD_ATT"
expect_eq "prod attachment answer" "pending	000000000000	$PROD_A,$PROD_B	enable	enable	prod" "$(echo "$OUT" | cut -f2-)"
expect_err DuplicateTransitGatewayAttachment "second attachment of the vpc" awsx ec2 create-transit-gateway-vpc-attachment \
  --transit-gateway-id "$HUB" --vpc-id "$PROD" --subnet-ids "$PROD_A"
expect_ok "tgw enis" awsx ec2 describe-network-interfaces --filters Name=vpc-id,Values="$PROD" \
  --query 'NetworkInterfaces[].[InterfaceType,RequesterManaged,Description]'
expect_eq "one requester-managed eni per subnet" "transit_gateway	True	Network Interface for Transit Gateway Attachment $PROD_ATT
transit_gateway	True	Network Interface for Transit Gateway Attachment $PROD_ATT" "$OUT"
expect_err DependencyViolation "subnet with a tgw eni" awsx ec2 delete-subnet --subnet-id "$PROD_B"

NP_ATT=$(awsx ec2 create-transit-gateway-vpc-attachment --transit-gateway-id "$HUB" --vpc-id "$NONPROD" --subnet-ids "$NP_A" --query TransitGatewayVpcAttachment.TransitGatewayAttachmentId)
SH_ATT=$(awsx ec2 create-transit-gateway-vpc-attachment --transit-gateway-id "$HUB" --vpc-id "$SHARED" --subnet-ids "$SH_A" --query TransitGatewayVpcAttachment.TransitGatewayAttachmentId)
expect_ok "describe vpc attachments" awsx ec2 describe-transit-gateway-vpc-attachments \
  --filters Name=transit-gateway-id,Values="$HUB" --query 'TransitGatewayVpcAttachments[].[TransitGatewayAttachmentId,VpcId,State]'
expect_eq "three available attachments" "$PROD_ATT	$PROD	available
$NP_ATT	$NONPROD	available
$SH_ATT	$SHARED	available" "$OUT"
expect_ok "describe attachments by vpc" awsx ec2 describe-transit-gateway-attachments \
  --filters Name=resource-id,Values="$SHARED" Name=resource-type,Values=vpc \
  --query 'TransitGatewayAttachments[].[TransitGatewayAttachmentId,TransitGatewayOwnerId,ResourceOwnerId,State,Association]'
expect_eq "shared attachment, not associated" "$SH_ATT	000000000000	000000000000	available	None" "$OUT"

# ---- Modify subnets: remove one zone, add it back.
expect_ok "remove a subnet" awsx ec2 modify-transit-gateway-vpc-attachment --transit-gateway-attachment-id "$PROD_ATT" \
  --remove-subnet-ids "$PROD_B" --query 'TransitGatewayVpcAttachment.[State,join(`,`,SubnetIds)]'
expect_eq "modifying, one subnet" "modifying	$PROD_A" "$OUT"
expect_eq "eni released" "1" "$(awsx ec2 describe-network-interfaces --filters Name=vpc-id,Values="$PROD" --query 'length(NetworkInterfaces)')"
expect_err DuplicateSubnetsInSameZone "add a second subnet in a zone" awsx ec2 modify-transit-gateway-vpc-attachment \
  --transit-gateway-attachment-id "$PROD_ATT" --add-subnet-ids "$PROD_A2"
expect_ok "add it back" awsx ec2 modify-transit-gateway-vpc-attachment --transit-gateway-attachment-id "$PROD_ATT" \
  --add-subnet-ids "$PROD_B" --query 'join(`,`,TransitGatewayVpcAttachment.SubnetIds)'
expect_eq "two subnets again" "$PROD_A,$PROD_B" "$OUT"

# ---- Segmentation: one table per segment.
mkrt() { awsx ec2 create-transit-gateway-route-table --transit-gateway-id "$HUB" \
  --tag-specifications "ResourceType=transit-gateway-route-table,Tags=[{Key=Name,Value=$1}]" \
  --query TransitGatewayRouteTable.TransitGatewayRouteTableId; }
PROD_RT=$(mkrt prod-rt); NP_RT=$(mkrt nonprod-rt); SH_RT=$(mkrt shared-rt)
expect_match "route table id is AWS-shaped" '^tgw-rtb-[0-9a-f]{17}$' "$PROD_RT"
expect_ok "associate prod" awsx ec2 associate-transit-gateway-route-table --transit-gateway-route-table-id "$PROD_RT" \
  --transit-gateway-attachment-id "$PROD_ATT" --query 'Association.[TransitGatewayRouteTableId,TransitGatewayAttachmentId,ResourceId,ResourceType,State]'
expect_eq "association answer" "$PROD_RT	$PROD_ATT	$PROD	vpc	associating" "$OUT"
expect_ok "associate nonprod" awsx ec2 associate-transit-gateway-route-table --transit-gateway-route-table-id "$NP_RT" --transit-gateway-attachment-id "$NP_ATT"
expect_ok "associate shared" awsx ec2 associate-transit-gateway-route-table --transit-gateway-route-table-id "$SH_RT" --transit-gateway-attachment-id "$SH_ATT"
expect_err Resource.AlreadyAssociated "second association" awsx ec2 associate-transit-gateway-route-table \
  --transit-gateway-route-table-id "$NP_RT" --transit-gateway-attachment-id "$PROD_ATT"
err=$(awsx ec2 associate-transit-gateway-route-table --transit-gateway-route-table-id "$NP_RT" --transit-gateway-attachment-id "$PROD_ATT" 2>&1)
expect_match "already-associated message" "Transit Gateway Attachment $PROD_ATT is already associated to a route table" "$err"

expect_ok "shared propagates to prod-rt" awsx ec2 enable-transit-gateway-route-table-propagation \
  --transit-gateway-route-table-id "$PROD_RT" --transit-gateway-attachment-id "$SH_ATT" --query 'Propagation.[ResourceId,State]'
expect_eq "propagation answer" "$SHARED	enabling" "$OUT"
expect_ok "shared propagates to nonprod-rt" awsx ec2 enable-transit-gateway-route-table-propagation --transit-gateway-route-table-id "$NP_RT" --transit-gateway-attachment-id "$SH_ATT"
expect_ok "prod propagates to shared-rt" awsx ec2 enable-transit-gateway-route-table-propagation --transit-gateway-route-table-id "$SH_RT" --transit-gateway-attachment-id "$PROD_ATT"
expect_ok "nonprod propagates to shared-rt" awsx ec2 enable-transit-gateway-route-table-propagation --transit-gateway-route-table-id "$SH_RT" --transit-gateway-attachment-id "$NP_ATT"
expect_ok "blackhole non-prod from prod" awsx ec2 create-transit-gateway-route --transit-gateway-route-table-id "$PROD_RT" \
  --destination-cidr-block 10.20.0.0/16 --blackhole --query 'Route.[DestinationCidrBlock,Type,State,TransitGatewayAttachments]'
expect_eq "blackhole route answer" "10.20.0.0/16	static	blackhole	None" "$OUT"

routes() { awsx ec2 search-transit-gateway-routes --transit-gateway-route-table-id "$1" \
  --filters Name=state,Values=active,blackhole \
  --query 'Routes[].[DestinationCidrBlock,Type,State,TransitGatewayAttachments[0].ResourceId]'; }
expect_eq "prod-rt: shared services only, non-prod blackholed" "10.20.0.0/16	static	blackhole	None
10.30.0.0/16	propagated	active	$SHARED" "$(routes "$PROD_RT")"
expect_eq "nonprod-rt: shared services only" "10.30.0.0/16	propagated	active	$SHARED" "$(routes "$NP_RT")"
expect_eq "shared-rt: both spokes" "10.10.0.0/16	propagated	active	$PROD
10.20.0.0/16	propagated	active	$NONPROD" "$(routes "$SH_RT")"
expect_eq "associations of shared-rt" "$SH_ATT	$SHARED	vpc	associated" \
  "$(awsx ec2 get-transit-gateway-route-table-associations --transit-gateway-route-table-id "$SH_RT" --query 'Associations[].[TransitGatewayAttachmentId,ResourceId,ResourceType,State]')"
expect_eq "propagations of shared-rt" "$PROD_ATT	enabled
$NP_ATT	enabled" \
  "$(awsx ec2 get-transit-gateway-route-table-propagations --transit-gateway-route-table-id "$SH_RT" --query 'TransitGatewayRouteTablePropagations[].[TransitGatewayAttachmentId,State]')"
expect_eq "propagations filtered" "$NP_ATT" \
  "$(awsx ec2 get-transit-gateway-route-table-propagations --transit-gateway-route-table-id "$SH_RT" --filters Name=resource-id,Values="$NONPROD" --query 'TransitGatewayRouteTablePropagations[].TransitGatewayAttachmentId')"
expect_eq "attachment propagations" "$PROD_RT	$NP_RT" \
  "$(awsx ec2 get-transit-gateway-attachment-propagations --transit-gateway-attachment-id "$SH_ATT" --query 'TransitGatewayAttachmentPropagations[].TransitGatewayRouteTableId')"
expect_eq "association shows on the attachment" "$PROD_RT	associated" \
  "$(awsx ec2 describe-transit-gateway-attachments --transit-gateway-attachment-ids "$PROD_ATT" --query 'TransitGatewayAttachments[0].Association.[TransitGatewayRouteTableId,State]')"
expect_err TransitGatewayRouteTablePropagation.Duplicate "propagation twice" awsx ec2 enable-transit-gateway-route-table-propagation \
  --transit-gateway-route-table-id "$SH_RT" --transit-gateway-attachment-id "$NP_ATT"
expect_err RouteAlreadyExists "same static route twice" awsx ec2 create-transit-gateway-route --transit-gateway-route-table-id "$PROD_RT" \
  --destination-cidr-block 10.20.0.0/16 --blackhole
expect_err IncorrectState "delete an associated route table" awsx ec2 delete-transit-gateway-route-table --transit-gateway-route-table-id "$SH_RT"
expect_err IncorrectState "delete a tgw with attachments" awsx ec2 delete-transit-gateway --transit-gateway-id "$HUB"
err=$(awsx ec2 delete-transit-gateway --transit-gateway-id "$HUB" 2>&1)
expect_match "attachments message" "$HUB has non-deleted Transit Gateway Attachments: tgw-attach-" "$err"

# ---- A route to another TGW's attachment.
OTHER_ATT=$(awsx ec2 create-transit-gateway-vpc-attachment --transit-gateway-id "$DFLT" --vpc-id "$NONPROD" --subnet-ids "$NP_A" --query TransitGatewayVpcAttachment.TransitGatewayAttachmentId)
expect_err InvalidTransitGatewayAttachmentID.NotFound "route to another tgw's attachment" awsx ec2 create-transit-gateway-route \
  --transit-gateway-route-table-id "$PROD_RT" --destination-cidr-block 192.168.0.0/16 --transit-gateway-attachment-id "$OTHER_ATT"
expect_eq "default tgw: associated and propagated by default" "$DFLT_RTB	10.20.0.0/16	propagated" \
  "$(awsx ec2 describe-transit-gateway-attachments --transit-gateway-attachment-ids "$OTHER_ATT" --query 'TransitGatewayAttachments[0].Association.TransitGatewayRouteTableId')	$(awsx ec2 search-transit-gateway-routes --transit-gateway-route-table-id "$DFLT_RTB" --filters Name=type,Values=propagated --query 'Routes[].[DestinationCidrBlock,Type]')"

# ---- VPC routes to the TGW.
PROD_MAIN=$(awsx ec2 describe-route-tables --filters Name=vpc-id,Values="$PROD" Name=association.main,Values=true --query 'RouteTables[0].RouteTableId')
expect_ok "vpc route to the tgw" awsx ec2 create-route --route-table-id "$PROD_MAIN" --destination-cidr-block 10.0.0.0/8 --transit-gateway-id "$HUB"
expect_eq "vpc route active" "$HUB	active" "$(awsx ec2 describe-route-tables --route-table-ids "$PROD_MAIN" --query 'RouteTables[0].Routes[?DestinationCidrBlock==`10.0.0.0/8`].[TransitGatewayId,State]')"
DEF_VPC=$(awsx ec2 describe-vpcs --filters Name=is-default,Values=true --query 'Vpcs[0].VpcId')
DEF_MAIN=$(awsx ec2 describe-route-tables --filters Name=vpc-id,Values="$DEF_VPC" Name=association.main,Values=true --query 'RouteTables[0].RouteTableId')
expect_err InvalidTransitGatewayID.NotFound "vpc route to a tgw without attachment" awsx ec2 create-route \
  --route-table-id "$DEF_MAIN" --destination-cidr-block 10.0.0.0/8 --transit-gateway-id "$HUB"
expect_err InvalidTransitGatewayID.Malformed "vpc route to a malformed tgw" awsx ec2 create-route \
  --route-table-id "$DEF_MAIN" --destination-cidr-block 10.0.0.0/8 --transit-gateway-id tgw-zz

# ---- (e) Peering us-east-1 <-> eu-west-1.
eu() { REGION=eu-west-1 awsx "$@"; }
EU=$(REGION=eu-west-1 awsx ec2 create-transit-gateway --description eu --options AmazonSideAsn=64700 --query TransitGateway.TransitGatewayId)
EU_RTB=$(REGION=eu-west-1 awsx ec2 describe-transit-gateways --transit-gateway-ids "$EU" --query 'TransitGateways[0].Options.AssociationDefaultRouteTableId')
expect_err InvalidTransitGatewayID.NotFound "peer tgw in the wrong region" awsx ec2 create-transit-gateway-peering-attachment \
  --transit-gateway-id "$HUB" --peer-transit-gateway-id "$EU" --peer-account-id 000000000000 --peer-region us-east-1
expect_ok "request peering" awsx ec2 create-transit-gateway-peering-attachment --transit-gateway-id "$HUB" \
  --peer-transit-gateway-id "$EU" --peer-account-id 000000000000 --peer-region eu-west-1 \
  --tag-specifications 'ResourceType=transit-gateway-attachment,Tags=[{Key=Name,Value=hub-eu}]' \
  --query 'TransitGatewayPeeringAttachment.[TransitGatewayAttachmentId,AccepterTransitGatewayAttachmentId,State,RequesterTgwInfo.TransitGatewayId,RequesterTgwInfo.Region,AccepterTgwInfo.TransitGatewayId,AccepterTgwInfo.Region,AccepterTgwInfo.OwnerId]'
PEER_US=$(echo "$OUT" | cut -f1); PEER_EU=$(echo "$OUT" | cut -f2)
expect_match "accepter side has its own id" '^tgw-attach-[0-9a-f]{17}$' "$PEER_EU"
expect_eq "peering request answer" "initiatingRequest	$HUB	us-east-1	$EU	eu-west-1	000000000000" "$(echo "$OUT" | cut -f3-)"
expect_eq "requester sees pendingAcceptance" "pendingAcceptance	pendingAcceptance" \
  "$(awsx ec2 describe-transit-gateway-peering-attachments --transit-gateway-attachment-ids "$PEER_US" --query 'TransitGatewayPeeringAttachments[0].[State,Status.Code]')"
expect_err InvalidParameterValue "accept from the requester side" awsx ec2 accept-transit-gateway-peering-attachment --transit-gateway-attachment-id "$PEER_US"
err=$(awsx ec2 accept-transit-gateway-peering-attachment --transit-gateway-attachment-id "$PEER_US" 2>&1)
expect_match "requester-side message" "Cannot accept $PEER_US as the source of the peering request" "$err"
expect_eq "accepter side seen in eu-west-1" "$PEER_EU	$HUB	us-east-1	pendingAcceptance" \
  "$(REGION=eu-west-1 awsx ec2 describe-transit-gateway-peering-attachments --filters Name=transit-gateway-id,Values="$EU" --query 'TransitGatewayPeeringAttachments[].[TransitGatewayAttachmentId,RequesterTgwInfo.TransitGatewayId,RequesterTgwInfo.Region,State]')"
expect_ok "accept in eu-west-1" eu ec2 accept-transit-gateway-peering-attachment --transit-gateway-attachment-id "$PEER_EU" --query TransitGatewayPeeringAttachment.State
expect_eq "accept answer" "pending" "$OUT"
expect_eq "available on the requester side" "available" \
  "$(awsx ec2 describe-transit-gateway-attachments --transit-gateway-attachment-ids "$PEER_US" --query 'TransitGatewayAttachments[0].State')"
expect_eq "peering as an attachment" "peering	$EU	000000000000	None" \
  "$(awsx ec2 describe-transit-gateway-attachments --filters Name=resource-type,Values=peering --query 'TransitGatewayAttachments[].[ResourceType,ResourceId,ResourceOwnerId,Association]')"
expect_eq "eu side associated with its default table" "$EU_RTB" \
  "$(REGION=eu-west-1 awsx ec2 describe-transit-gateway-attachments --transit-gateway-attachment-ids "$PEER_EU" --query 'TransitGatewayAttachments[0].Association.TransitGatewayRouteTableId')"
expect_err InvalidParameterValue "no propagation over peering" awsx ec2 enable-transit-gateway-route-table-propagation \
  --transit-gateway-route-table-id "$SH_RT" --transit-gateway-attachment-id "$PEER_US"
expect_ok "associate peering with shared-rt" awsx ec2 associate-transit-gateway-route-table --transit-gateway-route-table-id "$SH_RT" --transit-gateway-attachment-id "$PEER_US"
expect_ok "us route to eu" awsx ec2 create-transit-gateway-route --transit-gateway-route-table-id "$PROD_RT" \
  --destination-cidr-block 172.16.0.0/16 --transit-gateway-attachment-id "$PEER_US"
expect_ok "eu route to us" eu ec2 create-transit-gateway-route --transit-gateway-route-table-id "$EU_RTB" --destination-cidr-block 10.0.0.0/8 --transit-gateway-attachment-id "$PEER_EU" --query Route.State
expect_eq "eu route active" "active" "$OUT"
expect_eq "us static route over peering" "172.16.0.0/16	static	active	$PEER_US	$EU	peering" \
  "$(awsx ec2 search-transit-gateway-routes --transit-gateway-route-table-id "$PROD_RT" --filters Name=type,Values=static Name=attachment.resource-type,Values=peering \
     --query 'Routes[].[DestinationCidrBlock,Type,State,TransitGatewayAttachments[0].TransitGatewayAttachmentId,TransitGatewayAttachments[0].ResourceId,TransitGatewayAttachments[0].ResourceType]')"
expect_eq "eu static route over peering" "10.0.0.0/8	$HUB	peering" \
  "$(REGION=eu-west-1 awsx ec2 search-transit-gateway-routes --transit-gateway-route-table-id "$EU_RTB" --filters Name=route-search.exact-match,Values=10.0.0.0/8 \
     --query 'Routes[].[DestinationCidrBlock,TransitGatewayAttachments[0].ResourceId,TransitGatewayAttachments[0].ResourceType]')"
expect_err IncorrectState "delete a tgw with a peering" eu ec2 delete-transit-gateway --transit-gateway-id "$EU"

# ---- Teardown: the peering from the eu side, routes turn blackhole, deleted objects linger.
expect_ok "delete peering from eu" eu ec2 delete-transit-gateway-peering-attachment --transit-gateway-attachment-id "$PEER_EU" --query TransitGatewayPeeringAttachment.State
expect_eq "deleting" "deleting" "$OUT"
expect_eq "both sides deleted" "deleted" "$(awsx ec2 describe-transit-gateway-peering-attachments --transit-gateway-attachment-ids "$PEER_US" --query 'TransitGatewayPeeringAttachments[0].State')"
expect_eq "route to the deleted peering is blackhole" "172.16.0.0/16	blackhole" \
  "$(awsx ec2 search-transit-gateway-routes --transit-gateway-route-table-id "$PROD_RT" --filters Name=route-search.exact-match,Values=172.16.0.0/16 --query 'Routes[].[DestinationCidrBlock,State]')"
expect_ok "delete prod attachment" awsx ec2 delete-transit-gateway-vpc-attachment --transit-gateway-attachment-id "$PROD_ATT" --query TransitGatewayVpcAttachment.State
expect_eq "prod attachment deleting" "deleting" "$OUT"
expect_eq "vpc route to the tgw turns blackhole" "blackhole" "$(awsx ec2 describe-route-tables --route-table-ids "$PROD_MAIN" --query 'RouteTables[0].Routes[?DestinationCidrBlock==`10.0.0.0/8`].State')"
expect_eq "prod enis released" "0" "$(awsx ec2 describe-network-interfaces --filters Name=vpc-id,Values="$PROD" --query 'length(NetworkInterfaces)')"
expect_eq "prod routes gone from shared-rt" "10.20.0.0/16" "$(awsx ec2 search-transit-gateway-routes --transit-gateway-route-table-id "$SH_RT" --filters Name=type,Values=propagated --query 'Routes[].DestinationCidrBlock')"
expect_err InvalidTransitGatewayAttachmentID.NotFound "delete it twice" awsx ec2 delete-transit-gateway-vpc-attachment --transit-gateway-attachment-id "$PROD_ATT"
for a in "$NP_ATT" "$SH_ATT"; do awsx ec2 delete-transit-gateway-vpc-attachment --transit-gateway-attachment-id "$a" >/dev/null; done
expect_ok "delete hub" awsx ec2 delete-transit-gateway --transit-gateway-id "$HUB" --query TransitGateway.State
expect_eq "hub deleting" "deleting" "$OUT"
expect_eq "hub stays describable as deleted" "deleted" "$(awsx ec2 describe-transit-gateways --transit-gateway-ids "$HUB" --query 'TransitGateways[0].State')"
expect_eq "its route tables are gone" "0" "$(awsx ec2 describe-transit-gateway-route-tables --filters Name=transit-gateway-id,Values="$HUB" --query 'length(TransitGatewayRouteTables)')"
expect_err InvalidTransitGatewayID.NotFound "deleted hub takes no attachments" awsx ec2 create-transit-gateway-vpc-attachment \
  --transit-gateway-id "$HUB" --vpc-id "$SHARED" --subnet-ids "$SH_A"
