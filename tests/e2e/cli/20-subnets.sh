# Subnets through /usr/bin/aws: default subnets, CIDR rules, zones, IPv6, attributes,
# CreateDefaultSubnet, filters, paging and isolation. Sourced by tests/e2e/run-cli.sh.

# sn_in REGION ARGS...: awsx in another region.
sn_in() { local r=$1; shift; REGION=$r awsx "$@"; }

# sn_v6sub BLOCK N: the N-th /64 of an IPv6 block.
sn_v6sub() {
  /usr/bin/python3 -c 'import ipaddress,sys; n=ipaddress.ip_network(sys.argv[1]); print(next(x for i,x in enumerate(n.subnets(new_prefix=64)) if i==int(sys.argv[2])))' "$1" "$2"
}

# ---- The default VPC's three default subnets, one /20 per zone, public on launch.
DEF_VPC=$(awsx ec2 describe-vpcs --filters Name=is-default,Values=true --query 'Vpcs[0].VpcId')
expect_ok "default subnets" awsx ec2 describe-subnets --filters Name=vpc-id,Values="$DEF_VPC" \
  --query 'Subnets[].[CidrBlock,AvailabilityZone,DefaultForAz,MapPublicIpOnLaunch,AvailableIpAddressCount]'
expect_eq "default subnet layout" "172.31.0.0/20	us-east-1a	True	True	4091
172.31.16.0/20	us-east-1b	True	True	4091
172.31.32.0/20	us-east-1c	True	True	4091" "$OUT"
expect_ok "default-for-az filter" awsx ec2 describe-subnets --filters Name=default-for-az,Values=true \
  --query 'length(Subnets)'
expect_eq "three default subnets" "3" "$OUT"
expect_ok "defaultForAz alias" awsx ec2 describe-subnets --filters Name=defaultForAz,Values=true \
  Name=availabilityZone,Values=us-east-1b --query 'Subnets[].CidrBlock'
expect_eq "camelCase filter names" "172.31.16.0/20" "$OUT"
expect_ok "default subnets in eu-west-1" sn_in eu-west-1 ec2 describe-subnets \
  --filters Name=default-for-az,Values=true --query 'Subnets[].[AvailabilityZone,AvailabilityZoneId]'
expect_eq "zones follow the region" "eu-west-1a	euw1-az1
eu-west-1b	euw1-az2
eu-west-1c	euw1-az3" "$OUT"

# ---- Create: every field Terraform reads.
expect_ok "create vpc with ipv6" awsx ec2 create-vpc --cidr-block 10.0.0.0/16 \
  --amazon-provided-ipv6-cidr-block --query 'Vpc.[VpcId,Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock]'
VPC=$(echo "$OUT" | cut -f1)
V6=$(echo "$OUT" | cut -f2)
expect_match "vpc has a /56" '/56$' "$V6"
expect_ok "create subnet" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.1.0/24 \
  --availability-zone us-east-1a \
  --tag-specifications 'ResourceType=subnet,Tags=[{Key=Name,Value=web},{Key=tier,Value=front}]' \
  --query 'Subnet.[SubnetId,State,CidrBlock,AvailableIpAddressCount,AvailabilityZone,AvailabilityZoneId,DefaultForAz,MapPublicIpOnLaunch,AssignIpv6AddressOnCreation,Ipv6Native,EnableDns64,OwnerId,VpcId]'
SN1=$(echo "$OUT" | cut -f1)
expect_match "subnet id is AWS-shaped" '^subnet-[0-9a-f]{17}$' "$SN1"
expect_eq "create reply" "available	10.0.1.0/24	251	us-east-1a	use1-az1	False	False	False	False	False	000000000000	$VPC" \
  "$(echo "$OUT" | cut -f2-)"
expect_ok "describe subnet" awsx ec2 describe-subnets --subnet-ids "$SN1" \
  --query 'Subnets[0].[SubnetArn,PrivateDnsNameOptionsOnLaunch.HostnameType,PrivateDnsNameOptionsOnLaunch.EnableResourceNameDnsARecord,PrivateDnsNameOptionsOnLaunch.EnableResourceNameDnsAAAARecord,MapCustomerOwnedIpOnLaunch,length(Ipv6CidrBlockAssociationSet),length(Tags)]'
expect_eq "describe fields" "arn:aws:ec2:us-east-1:000000000000:subnet/$SN1	ip-name	False	False	False	0	2" "$OUT"
expect_ok "lni index omitted when unset" awsx ec2 describe-subnets --subnet-ids "$SN1" \
  --query 'Subnets[0].EnableLniAtDeviceIndex'
expect_eq "no EnableLniAtDeviceIndex" "None" "$OUT"

expect_ok "create /28 by zone id" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.2.0/28 \
  --availability-zone-id use1-az2 --query 'Subnet.[SubnetId,AvailableIpAddressCount,AvailabilityZone]'
SN28=$(echo "$OUT" | cut -f1)
expect_eq "/28 has 11 usable addresses, zone by id" "11	us-east-1b" "$(echo "$OUT" | cut -f2-)"
expect_ok "create without zone" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.3.77/24 \
  --query 'Subnet.[SubnetId,CidrBlock,AvailabilityZone]'
SN3=$(echo "$OUT" | cut -f1)
expect_eq "CIDR canonicalised, first zone" "10.0.3.0/24	us-east-1a" "$(echo "$OUT" | cut -f2-)"
expect_ok "create /16 (whole vpc range is allowed size)" awsx ec2 create-vpc --cidr-block 10.8.0.0/16 --query Vpc.VpcId
VPC2=$OUT
expect_ok "subnet the size of its vpc" awsx ec2 create-subnet --vpc-id "$VPC2" --cidr-block 10.8.0.0/16 \
  --query 'Subnet.[SubnetId,AvailableIpAddressCount]'
SN16=$(echo "$OUT" | cut -f1)
expect_eq "/16 count" "65531" "$(echo "$OUT" | cut -f2)"

# ---- Bad inputs.
expect_err InvalidSubnet.Conflict "overlapping subnet" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.1.128/25
expect_err InvalidSubnet.Conflict "subnet containing another" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.0.0/22
expect_err InvalidSubnet.Range "subnet outside the vpc" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.30.3.0/24
expect_err InvalidSubnet.Range "/29 subnet" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.9.0/29
expect_err InvalidSubnet.Range "/15 subnet" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.0.0/15
expect_err InvalidParameterValue "malformed cidr" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.9.0/33
expect_err InvalidParameterValue "not a cidr" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block banana
expect_err InvalidParameterValue "unknown zone" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.9.0/24 --availability-zone us-east-1z
expect_err InvalidParameterValue "zone of another region" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.9.0/24 --availability-zone eu-west-1a
expect_err InvalidParameterValue "unknown zone id" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.9.0/24 --availability-zone-id use1-az9
err=$(awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.9.0/24 --availability-zone us-east-1z 2>&1)
expect_match "zone message lists the zones" 'Subnets can currently only be created in the following availability zones: us-east-1a, us-east-1b, us-east-1c' "$err"
err=$(awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.30.3.0/24 2>&1)
expect_match "range message" "The CIDR '10.30.3.0/24' is invalid" "$err"
err=$(awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.1.0/24 2>&1)
expect_match "conflict message" "The CIDR '10.0.1.0/24' conflicts with another subnet" "$err"
expect_err InvalidVpcID.NotFound "missing vpc" awsx ec2 create-subnet --vpc-id vpc-0123456789abcdef0 --cidr-block 10.0.9.0/24
expect_err InvalidVpcID.Malformed "malformed vpc id" awsx ec2 create-subnet --vpc-id vpc-nothex --cidr-block 10.0.9.0/24
expect_err MissingParameter "no cidr" awsx ec2 create-subnet --vpc-id "$VPC"
expect_err InvalidParameterValue "tags for another resource type" awsx ec2 create-subnet --vpc-id "$VPC" \
  --cidr-block 10.0.9.0/24 --tag-specifications 'ResourceType=vpc,Tags=[{Key=a,Value=b}]'

# ---- IPv6: dual-stack, IPv6-only, and the /64 rules.
V6A=$(sn_v6sub "$V6" 1)
V6B=$(sn_v6sub "$V6" 2)
V6C=$(sn_v6sub "$V6" 3)
expect_ok "dual-stack subnet" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.4.0/24 \
  --ipv6-cidr-block "$V6A" --query 'Subnet.[SubnetId,Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock,Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlockState.State]'
SN6=$(echo "$OUT" | cut -f1)
expect_eq "ipv6 block associated" "$V6A	associated" "$(echo "$OUT" | cut -f2-)"
expect_ok "ipv6 association id shape" awsx ec2 describe-subnets --subnet-ids "$SN6" \
  --query 'Subnets[0].Ipv6CidrBlockAssociationSet[0].AssociationId'
expect_match "subnet-cidr-assoc id" '^subnet-cidr-assoc-[0-9a-f]{17}$' "$OUT"
expect_err InvalidSubnet.Conflict "same /64 twice" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.5.0/24 --ipv6-cidr-block "$V6A"
expect_err InvalidSubnet.Range "ipv6 outside the vpc block" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.5.0/24 --ipv6-cidr-block 2001:db8::/64
expect_err InvalidSubnet.Range "ipv6 /60" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.5.0/24 --ipv6-cidr-block "${V6%/56}/60"
expect_err InvalidParameterValue "malformed ipv6" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.5.0/24 --ipv6-cidr-block 2001:zz::/64
expect_err InvalidParameterValue "ipv6 in a vpc without ipv6" awsx ec2 create-subnet --vpc-id "$DEF_VPC" --cidr-block 172.31.48.0/24 --ipv6-cidr-block "$V6B"
expect_ok "ipv6-only subnet" awsx ec2 create-subnet --vpc-id "$VPC" --ipv6-native --ipv6-cidr-block "$V6B" \
  --availability-zone us-east-1c \
  --query 'Subnet.[SubnetId,Ipv6Native,AssignIpv6AddressOnCreation,AvailableIpAddressCount,PrivateDnsNameOptionsOnLaunch.HostnameType,CidrBlock]'
SNV6ONLY=$(echo "$OUT" | cut -f1)
expect_eq "ipv6-only fields (no CidrBlock)" "True	True	0	resource-name	None" "$(echo "$OUT" | cut -f2-)"
expect_err InvalidParameterCombination "ipv6-native with an ipv4 cidr" awsx ec2 create-subnet --vpc-id "$VPC" --ipv6-native --cidr-block 10.0.5.0/24 --ipv6-cidr-block "$V6C"
expect_err InvalidParameterCombination "ipv6-native without an ipv6 block" awsx ec2 create-subnet --vpc-id "$VPC" --ipv6-native

# ---- Terraform's flow: ModifySubnetAttribute one attribute per call, describe after each.
expect_ok "map public ip on" awsx ec2 modify-subnet-attribute --subnet-id "$SN1" --map-public-ip-on-launch
expect_ok "read back" awsx ec2 describe-subnets --subnet-ids "$SN1" --query 'Subnets[0].MapPublicIpOnLaunch'
expect_eq "MapPublicIpOnLaunch" "True" "$OUT"
expect_ok "hostname type resource-name" awsx ec2 modify-subnet-attribute --subnet-id "$SN1" --private-dns-hostname-type-on-launch resource-name
expect_ok "dns A record on" awsx ec2 modify-subnet-attribute --subnet-id "$SN1" --enable-resource-name-dns-a-record-on-launch
expect_ok "lni index 1" awsx ec2 modify-subnet-attribute --subnet-id "$SN1" --enable-lni-at-device-index 1
expect_ok "read back all" awsx ec2 describe-subnets --subnet-ids "$SN1" \
  --query 'Subnets[0].[PrivateDnsNameOptionsOnLaunch.HostnameType,PrivateDnsNameOptionsOnLaunch.EnableResourceNameDnsARecord,EnableLniAtDeviceIndex]'
expect_eq "attributes stuck" "resource-name	True	1" "$OUT"
expect_ok "disable lni" awsx ec2 modify-subnet-attribute --subnet-id "$SN1" --disable-lni-at-device-index
expect_ok "map public ip off" awsx ec2 modify-subnet-attribute --subnet-id "$SN1" --no-map-public-ip-on-launch
expect_ok "read back again" awsx ec2 describe-subnets --subnet-ids "$SN1" \
  --query 'Subnets[0].[MapPublicIpOnLaunch,EnableLniAtDeviceIndex]'
expect_eq "off again, lni unset" "False	None" "$OUT"
expect_err InvalidParameterValue "dns64 needs ipv6" awsx ec2 modify-subnet-attribute --subnet-id "$SN1" --enable-dns64
expect_err InvalidParameterValue "assign ipv6 needs ipv6" awsx ec2 modify-subnet-attribute --subnet-id "$SN1" --assign-ipv6-address-on-creation
expect_err InvalidParameterValue "bad hostname type" awsx ec2 modify-subnet-attribute --subnet-id "$SN1" --private-dns-hostname-type-on-launch fqdn
expect_err InvalidParameterValue "lni index 0" awsx ec2 modify-subnet-attribute --subnet-id "$SN1" --enable-lni-at-device-index 0
expect_err InvalidParameterCombination "two attributes at once" awsx ec2 modify-subnet-attribute --subnet-id "$SN1" --map-public-ip-on-launch --enable-dns64
expect_err MissingParameter "no attribute" awsx ec2 modify-subnet-attribute --subnet-id "$SN1"
expect_err InvalidParameterValue "ip-name on ipv6-only" awsx ec2 modify-subnet-attribute --subnet-id "$SNV6ONLY" --private-dns-hostname-type-on-launch ip-name
expect_ok "dns64 on dual-stack" awsx ec2 modify-subnet-attribute --subnet-id "$SN6" --enable-dns64
expect_ok "assign ipv6 on dual-stack" awsx ec2 modify-subnet-attribute --subnet-id "$SN6" --assign-ipv6-address-on-creation
expect_ok "AAAA on dual-stack" awsx ec2 modify-subnet-attribute --subnet-id "$SN6" --enable-resource-name-dns-aaaa-record-on-launch
expect_ok "read dual-stack" awsx ec2 describe-subnets --subnet-ids "$SN6" \
  --query 'Subnets[0].[EnableDns64,AssignIpv6AddressOnCreation,PrivateDnsNameOptionsOnLaunch.EnableResourceNameDnsAAAARecord]'
expect_eq "dual-stack attributes" "True	True	True" "$OUT"

# ---- AssociateSubnetCidrBlock / DisassociateSubnetCidrBlock.
expect_ok "associate ipv6" awsx ec2 associate-subnet-cidr-block --subnet-id "$SN1" --ipv6-cidr-block "$V6C" \
  --query '[SubnetId,Ipv6CidrBlockAssociation.Ipv6CidrBlock,Ipv6CidrBlockAssociation.Ipv6CidrBlockState.State,Ipv6CidrBlockAssociation.AssociationId]'
ASSOC=$(echo "$OUT" | cut -f4)
expect_eq "associate reply" "$SN1	$V6C	associated" "$(echo "$OUT" | cut -f1-3)"
expect_ok "describe shows it" awsx ec2 describe-subnets --subnet-ids "$SN1" \
  --query 'Subnets[0].Ipv6CidrBlockAssociationSet[0].[AssociationId,Ipv6CidrBlock]'
expect_eq "association in describe" "$ASSOC	$V6C" "$OUT"
expect_err CidrLimitExceeded "one ipv6 block per subnet" awsx ec2 associate-subnet-cidr-block --subnet-id "$SN1" --ipv6-cidr-block "$(sn_v6sub "$V6" 9)"
expect_err InvalidSubnet.Conflict "block of another subnet" awsx ec2 associate-subnet-cidr-block --subnet-id "$SN3" --ipv6-cidr-block "$V6A"
expect_err InvalidSubnet.Range "block outside the vpc" awsx ec2 associate-subnet-cidr-block --subnet-id "$SN3" --ipv6-cidr-block 2001:db8::/64
expect_err InvalidParameterValue "vpc without ipv6" awsx ec2 associate-subnet-cidr-block --subnet-id "$SN16" --ipv6-cidr-block "$(sn_v6sub "$V6" 9)"
expect_ok "assign ipv6 now allowed" awsx ec2 modify-subnet-attribute --subnet-id "$SN1" --assign-ipv6-address-on-creation
expect_err InvalidCidrBlock.InUse "disassociate while assign-ipv6 is on" awsx ec2 disassociate-subnet-cidr-block --association-id "$ASSOC"
expect_ok "assign ipv6 off" awsx ec2 modify-subnet-attribute --subnet-id "$SN1" --no-assign-ipv6-address-on-creation
expect_ok "disassociate" awsx ec2 disassociate-subnet-cidr-block --association-id "$ASSOC" \
  --query '[SubnetId,Ipv6CidrBlockAssociation.AssociationId,Ipv6CidrBlockAssociation.Ipv6CidrBlock]'
expect_eq "disassociate reply" "$SN1	$ASSOC	$V6C" "$OUT"
expect_ok "gone from describe" awsx ec2 describe-subnets --subnet-ids "$SN1" --query 'length(Subnets[0].Ipv6CidrBlockAssociationSet)'
expect_eq "no ipv6 left" "0" "$OUT"
expect_err InvalidSubnetCidrBlockAssociationID.NotFound "disassociate twice" awsx ec2 disassociate-subnet-cidr-block --association-id "$ASSOC"
expect_err InvalidSubnetCidrBlockAssociationId.Malformed "malformed association id" awsx ec2 disassociate-subnet-cidr-block --association-id subnet-cidr-assoc-xyz
expect_ok "block is free again" awsx ec2 associate-subnet-cidr-block --subnet-id "$SN3" --ipv6-cidr-block "$V6C"

# ---- Filters.
sn_count() { awsx ec2 describe-subnets --filters "$@" --query 'length(Subnets)'; }
expect_eq "filter vpc-id" "5" "$(sn_count Name=vpc-id,Values="$VPC")"
expect_eq "filter cidr-block" "$SN1" "$(awsx ec2 describe-subnets --filters Name=cidr-block,Values=10.0.1.0/24 --query 'Subnets[].SubnetId')"
expect_eq "filter cidr alias" "1" "$(sn_count Name=cidr,Values=10.0.2.0/28)"
expect_eq "filter cidrBlock alias" "1" "$(sn_count Name=cidrBlock,Values=10.0.2.0/28)"
expect_eq "filter availability-zone" "3" "$(sn_count Name=vpc-id,Values="$VPC" Name=availability-zone,Values=us-east-1a)"
expect_eq "filter availability-zone-id" "$SN28" "$(awsx ec2 describe-subnets --filters Name=vpc-id,Values="$VPC" Name=availability-zone-id,Values=use1-az2 --query 'Subnets[].SubnetId')"
expect_eq "filter subnet-id" "1" "$(sn_count Name=subnet-id,Values="$SN6")"
expect_eq "filter tag:Name" "$SN1" "$(awsx ec2 describe-subnets --filters Name=tag:Name,Values=web --query 'Subnets[].SubnetId')"
expect_eq "filter tag-key" "1" "$(sn_count Name=tag-key,Values=tier)"
expect_eq "filter state" "5" "$(sn_count Name=vpc-id,Values="$VPC" Name=state,Values=available)"
expect_eq "filter owner-id" "5" "$(sn_count Name=vpc-id,Values="$VPC" Name=owner-id,Values=000000000000)"
expect_eq "filter ipv6-native" "$SNV6ONLY" "$(awsx ec2 describe-subnets --filters Name=ipv6-native,Values=true --query 'Subnets[].SubnetId')"
expect_eq "filter ipv6 block" "$SN6" "$(awsx ec2 describe-subnets --filters Name=ipv6-cidr-block-association.ipv6-cidr-block,Values="$V6A" --query 'Subnets[].SubnetId')"
expect_eq "filter ipv6 association state" "3" "$(sn_count Name=vpc-id,Values="$VPC" Name=ipv6-cidr-block-association.state,Values=associated)"
expect_eq "filter available-ip-address-count" "11" "$(awsx ec2 describe-subnets --filters Name=available-ip-address-count,Values=11 --query 'Subnets[0].AvailableIpAddressCount')"
expect_eq "filter subnet-arn" "$SN1" "$(awsx ec2 describe-subnets --filters Name=subnet-arn,Values="arn:aws:ec2:us-east-1:000000000000:subnet/$SN1" --query 'Subnets[].SubnetId')"
expect_eq "filter map-public-ip-on-launch" "3" "$(sn_count Name=map-public-ip-on-launch,Values=true)"
expect_eq "filter wildcard" "3" "$(sn_count 'Name=cidr-block,Values=10.0.?.0/24')"
expect_eq "filter values OR" "2" "$(sn_count Name=cidr-block,Values=10.0.1.0/24,10.0.2.0/28)"
expect_err InvalidParameterValue "unknown filter" awsx ec2 describe-subnets --filters Name=colour,Values=red

# ---- Paging.
expect_ok "first page" awsx ec2 describe-subnets --no-paginate --max-results 5 --query '[length(Subnets),NextToken]'
TOKEN=$(echo "$OUT" | cut -f2)
expect_eq "five per page" "5" "$(echo "$OUT" | cut -f1)"
expect_ok "second page" awsx ec2 describe-subnets --no-paginate --max-results 5 --next-token "$TOKEN" --query 'length(Subnets)'
expect_eq "rest on page two (3 default + 6 created = 9)" "4" "$OUT"
expect_ok "auto-pagination sees all" awsx ec2 describe-subnets --page-size 5 --query 'Subnets[].SubnetId'
expect_eq "all nine" "9" "$(echo $OUT | wc -w)"
expect_err InvalidParameterCombination "ids with MaxResults" awsx ec2 describe-subnets --no-paginate --subnet-ids "$SN1" --max-results 5

# ---- Ids and isolation.
expect_err InvalidSubnetID.Malformed "malformed id" awsx ec2 describe-subnets --subnet-ids subnet-zzz
expect_err InvalidSubnetID.Malformed "malformed id on delete" awsx ec2 delete-subnet --subnet-id notasubnet
expect_err InvalidSubnetID.NotFound "unknown id" awsx ec2 describe-subnets --subnet-ids subnet-0123456789abcdef0
expect_err InvalidSubnetID.NotFound "foreign account cannot see" aws_acct1 ec2 describe-subnets --subnet-ids "$SN1"
expect_err InvalidSubnetID.NotFound "foreign account cannot delete" aws_acct1 ec2 delete-subnet --subnet-id "$SN1"
expect_err InvalidSubnetID.NotFound "foreign account cannot modify" aws_acct1 ec2 modify-subnet-attribute --subnet-id "$SN1" --map-public-ip-on-launch
expect_err InvalidVpcID.NotFound "foreign account cannot create in our vpc" aws_acct1 ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.9.0/24
expect_ok "foreign account sees only its own" aws_acct1 ec2 describe-subnets --query 'Subnets[].CidrBlock'
expect_eq "account 1 has its own default subnets" "172.31.0.0/20	172.31.16.0/20	172.31.32.0/20" "$OUT"
expect_err InvalidSubnetID.NotFound "other region cannot see" sn_in us-west-2 ec2 describe-subnets --subnet-ids "$SN1"

# ---- Deletion.
expect_err DependencyViolation "delete vpc with subnets" awsx ec2 delete-vpc --vpc-id "$VPC2"
expect_ok "delete subnet" awsx ec2 delete-subnet --subnet-id "$SN16"
expect_err InvalidSubnetID.NotFound "deleted subnet is gone" awsx ec2 describe-subnets --subnet-ids "$SN16"
expect_err InvalidSubnetID.NotFound "delete twice" awsx ec2 delete-subnet --subnet-id "$SN16"
expect_ok "now the vpc deletes" awsx ec2 delete-vpc --vpc-id "$VPC2"

# ---- CreateDefaultSubnet.
DEF_B=$(awsx ec2 describe-subnets --filters Name=default-for-az,Values=true Name=availability-zone,Values=us-east-1b --query 'Subnets[0].SubnetId')
expect_err DefaultSubnetAlreadyExistsInAvailabilityZone "zone already has one" awsx ec2 create-default-subnet --availability-zone us-east-1a
expect_err InvalidParameterValue "default subnet in a bad zone" awsx ec2 create-default-subnet --availability-zone us-east-1q
expect_ok "delete default subnet b" awsx ec2 delete-subnet --subnet-id "$DEF_B"
expect_ok "recreate it" awsx ec2 create-default-subnet --availability-zone us-east-1b \
  --query 'Subnet.[CidrBlock,AvailabilityZone,DefaultForAz,MapPublicIpOnLaunch,VpcId,AvailableIpAddressCount]'
expect_eq "lowest free /20, default and public" "172.31.16.0/20	us-east-1b	True	True	$DEF_VPC	4091" "$OUT"
# A region whose default VPC was deleted has nowhere to put a default subnet.
R=eu-west-2
rx() { sn_in "$R" "$@"; }
RVPC=$(rx ec2 describe-vpcs --filters Name=is-default,Values=true --query 'Vpcs[0].VpcId')
for s in $(rx ec2 describe-subnets --filters Name=vpc-id,Values="$RVPC" --query 'Subnets[].SubnetId'); do
  rx ec2 delete-subnet --subnet-id "$s" >/dev/null
done
RIGW=$(rx ec2 describe-internet-gateways --filters Name=attachment.vpc-id,Values="$RVPC" --query 'InternetGateways[0].InternetGatewayId')
rx ec2 detach-internet-gateway --internet-gateway-id "$RIGW" --vpc-id "$RVPC" >/dev/null
expect_ok "delete default vpc in $R" rx ec2 delete-vpc --vpc-id "$RVPC"
expect_err DefaultVpcDoesNotExist "no default vpc" rx ec2 create-default-subnet --availability-zone eu-west-2a
