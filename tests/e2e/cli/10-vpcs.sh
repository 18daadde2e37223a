# VPCs, regions, zones, STS, authentication and protocol errors through /usr/bin/aws.
# Sourced by tests/e2e/run-cli.sh after vpcd_start.

# The default VPC appears on first use, exactly as AWS lays it out.
expect_ok "describe default vpc" awsx ec2 describe-vpcs --filters Name=is-default,Values=true \
  --query 'Vpcs[0].[CidrBlock,IsDefault,State,InstanceTenancy]'
expect_eq "default vpc fields" "172.31.0.0/16	True	available	default" "$OUT"
DEFAULT_VPC=$(awsx ec2 describe-vpcs --filters Name=is-default,Values=true --query 'Vpcs[0].VpcId')
expect_match "default vpc id is AWS-shaped" '^vpc-[0-9a-f]{17}$' "$DEFAULT_VPC"
expect_ok "default vpc hostnames on" awsx ec2 describe-vpc-attribute --vpc-id "$DEFAULT_VPC" \
  --attribute enableDnsHostnames --query EnableDnsHostnames.Value
expect_eq "default vpc enableDnsHostnames" "True" "$OUT"

# Create with tags, then read back every field Terraform reads.
expect_ok "create vpc" awsx ec2 create-vpc --cidr-block 10.0.0.1/16 \
  --tag-specifications 'ResourceType=vpc,Tags=[{Key=Name,Value=main},{Key=env,Value=test}]' \
  --query 'Vpc.[VpcId,CidrBlock,State,IsDefault]'
VPC=$(echo "$OUT" | cut -f1)
expect_eq "create vpc canonicalises the CIDR" "10.0.0.0/16	available	False" "$(echo "$OUT" | cut -f2-)"
expect_ok "describe by id" awsx ec2 describe-vpcs --vpc-ids "$VPC" \
  --query 'Vpcs[0].[OwnerId,CidrBlockAssociationSet[0].CidrBlockState.State,length(Tags)]'
expect_eq "owner, association state, tag count" "000000000000	associated	2" "$OUT"
expect_ok "filter tag:Name" awsx ec2 describe-vpcs --filters Name=tag:Name,Values=main --query 'Vpcs[].VpcId'
expect_eq "tag filter finds the vpc" "$VPC" "$OUT"
expect_ok "filter tag-key + cidr" awsx ec2 describe-vpcs \
  --filters Name=tag-key,Values=env Name=cidr,Values=10.0.0.0/16 --query 'length(Vpcs)'
expect_eq "two filters AND" "1" "$OUT"
expect_ok "filter wildcard" awsx ec2 describe-vpcs --filters 'Name=tag:Name,Values=ma*' --query 'length(Vpcs)'
expect_eq "wildcard filter" "1" "$OUT"
expect_ok "filter no match" awsx ec2 describe-vpcs --filters Name=cidr,Values=10.0.0.0/17 --query 'length(Vpcs)'
expect_eq "cidr filter is exact" "0" "$OUT"

# The three attributes Terraform reads on every refresh.
for attr in enableDnsSupport:True enableDnsHostnames:False enableNetworkAddressUsageMetrics:False; do
  name=${attr%%:*}; want=${attr##*:}
  key="$(tr '[:lower:]' '[:upper:]' <<<"${name:0:1}")${name:1}"
  expect_ok "describe-vpc-attribute $name" awsx ec2 describe-vpc-attribute --vpc-id "$VPC" \
    --attribute "$name" --query "$key.Value"
  expect_eq "$name default" "$want" "$OUT"
done
expect_ok "enable dns hostnames" awsx ec2 modify-vpc-attribute --vpc-id "$VPC" --enable-dns-hostnames '{"Value":true}'
expect_ok "read back hostnames" awsx ec2 describe-vpc-attribute --vpc-id "$VPC" --attribute enableDnsHostnames --query EnableDnsHostnames.Value
expect_eq "hostnames now on" "True" "$OUT"
expect_ok "enable NAU metrics" awsx ec2 modify-vpc-attribute --vpc-id "$VPC" --enable-network-address-usage-metrics '{"Value":true}'
expect_ok "read back NAU" awsx ec2 describe-vpc-attribute --vpc-id "$VPC" --attribute enableNetworkAddressUsageMetrics --query EnableNetworkAddressUsageMetrics.Value
expect_eq "NAU now on" "True" "$OUT"

# Secondary CIDRs and the range-family table.
expect_ok "associate secondary 10.1.0.0/16" awsx ec2 associate-vpc-cidr-block --vpc-id "$VPC" \
  --cidr-block 10.1.0.0/16 --query 'CidrBlockAssociation.[CidrBlock,CidrBlockState.State]'
expect_eq "secondary associated" "10.1.0.0/16	associated" "$OUT"
SECONDARY=$(awsx ec2 describe-vpcs --vpc-ids "$VPC" --query 'Vpcs[0].CidrBlockAssociationSet[?CidrBlock==`10.1.0.0/16`].AssociationId')
expect_ok "associate public 100.64.0.0/16" awsx ec2 associate-vpc-cidr-block --vpc-id "$VPC" --cidr-block 100.64.0.0/16
expect_err InvalidVpc.Range "restricted secondary 192.168.0.0/16" awsx ec2 associate-vpc-cidr-block --vpc-id "$VPC" --cidr-block 192.168.0.0/16
expect_err InvalidVpc.Range "restricted secondary 198.19.0.0/16" awsx ec2 associate-vpc-cidr-block --vpc-id "$VPC" --cidr-block 198.19.0.0/16
expect_err InvalidVpc.Range "overlapping secondary" awsx ec2 associate-vpc-cidr-block --vpc-id "$VPC" --cidr-block 10.0.128.0/17
expect_err InvalidVpc.Range "secondary /29" awsx ec2 associate-vpc-cidr-block --vpc-id "$VPC" --cidr-block 10.2.0.0/29
expect_ok "route tables get the new local route" awsx ec2 describe-route-tables \
  --filters Name=vpc-id,Values="$VPC" Name=association.main,Values=true \
  --query 'RouteTables[0].Routes[?GatewayId==`local`].DestinationCidrBlock'
expect_eq "local routes for every block" "10.0.0.0/16	10.1.0.0/16	100.64.0.0/16" "$OUT"
expect_ok "disassociate secondary" awsx ec2 disassociate-vpc-cidr-block --association-id "$SECONDARY"
expect_ok "secondary is gone" awsx ec2 describe-vpcs --vpc-ids "$VPC" --query 'length(Vpcs[0].CidrBlockAssociationSet)'
expect_eq "two blocks left" "2" "$OUT"
PRIMARY=$(awsx ec2 describe-vpcs --vpc-ids "$VPC" --query 'Vpcs[0].CidrBlockAssociationSet[0].AssociationId')
expect_err OperationNotPermitted "disassociate primary" awsx ec2 disassociate-vpc-cidr-block --association-id "$PRIMARY"
expect_err InvalidVpcCidrBlockAssociationID.NotFound "disassociate unknown" awsx ec2 disassociate-vpc-cidr-block --association-id vpc-cidr-assoc-0123456789abcdef0

# Amazon-provided IPv6 is always a /56.
expect_ok "ipv6 vpc" awsx ec2 create-vpc --cidr-block 10.50.0.0/16 --amazon-provided-ipv6-cidr-block \
  --query 'Vpc.[VpcId,Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock]'
V6VPC=$(echo "$OUT" | cut -f1)
expect_match "ipv6 block is a /56" '/56$' "$(echo "$OUT" | cut -f2)"

# Bad inputs.
expect_err InvalidVpc.Range "/29 vpc" awsx ec2 create-vpc --cidr-block 10.9.0.0/29
expect_err InvalidVpc.Range "/15 vpc" awsx ec2 create-vpc --cidr-block 10.0.0.0/15
expect_err InvalidVpc.Range "169.254/16 vpc" awsx ec2 create-vpc --cidr-block 169.254.0.0/16
expect_err InvalidParameterValue "malformed cidr" awsx ec2 create-vpc --cidr-block 10.0.0.300/16
expect_err InvalidParameterValue "cidr without length" awsx ec2 create-vpc --cidr-block 10.0.0.0
expect_err MissingParameter "create-vpc without a cidr" awsx ec2 create-vpc
expect_err InvalidParameterValue "bad tenancy" awsx ec2 create-vpc --cidr-block 10.7.0.0/16 --instance-tenancy sideways
expect_err InvalidVpcID.NotFound "describe missing vpc" awsx ec2 describe-vpcs --vpc-ids vpc-0123456789abcdef0
expect_err InvalidVpcID.Malformed "describe malformed vpc id" awsx ec2 describe-vpcs --vpc-ids vpc-xyz
expect_err InvalidVpcID.NotFound "delete missing vpc" awsx ec2 delete-vpc --vpc-id vpc-0123456789abcdef0
expect_err InvalidParameterCombination "two attributes at once" awsx ec2 modify-vpc-attribute --vpc-id "$VPC" \
  --enable-dns-support '{"Value":true}' --enable-dns-hostnames '{"Value":true}'
expect_ok "disable dns support" awsx ec2 modify-vpc-attribute --vpc-id "$V6VPC" --enable-dns-support '{"Value":false}'
expect_err InvalidParameterValue "hostnames without dns support" awsx ec2 modify-vpc-attribute --vpc-id "$V6VPC" --enable-dns-hostnames '{"Value":true}'
expect_err InvalidParameterValue "unknown attribute" awsx ec2 describe-vpc-attribute --vpc-id "$VPC" --attribute enableMagic
expect_err DefaultVpcAlreadyExists "second default vpc" awsx ec2 create-default-vpc
expect_err UnsupportedTenancy "tenancy to dedicated" awsx ec2 modify-vpc-tenancy --vpc-id "$VPC" --instance-tenancy dedicated
# The CLI itself refuses MaxResults below 5 and hides NextToken, so test above the range here
# and the bad token in the boto3 suite.
expect_err InvalidParameterValue "MaxResults above 1000" awsx ec2 describe-vpcs --max-results 1001 --no-paginate
expect_err InvalidParameterCombination "ids with MaxResults" awsx ec2 describe-vpcs --vpc-ids "$VPC" --max-results 5 --no-paginate
expect_err InvalidParameterValue "unknown filter" awsx ec2 describe-vpcs --filters Name=colour,Values=blue
expect_err DryRunOperation "dry run" awsx ec2 create-vpc --cidr-block 10.8.0.0/16 --dry-run

# Quota: 5 VPCs per region, the default VPC included (us-east-1 holds default, VPC, V6VPC).
expect_ok "fourth vpc" awsx ec2 create-vpc --cidr-block 10.60.0.0/16 --query Vpc.VpcId
V4=$OUT
expect_ok "fifth vpc" awsx ec2 create-vpc --cidr-block 10.61.0.0/16 --query Vpc.VpcId
expect_err VpcLimitExceeded "sixth vpc" awsx ec2 create-vpc --cidr-block 10.62.0.0/16

# Paging: five VPCs, pages of five and a token that resumes where it stopped.
expect_ok "page 1" awsx ec2 describe-vpcs --max-results 5 --no-paginate --query '[length(Vpcs),NextToken]'
expect_eq "full page, no next token" "5	None" "$OUT"
expect_ok "delete one" awsx ec2 delete-vpc --vpc-id "$V4"
expect_err InvalidVpcID.NotFound "deleted vpc is gone" awsx ec2 describe-vpcs --vpc-ids "$V4"
expect_ok "its route tables went with it" awsx ec2 describe-route-tables --filters Name=vpc-id,Values="$V4" --query 'length(RouteTables)'
expect_eq "no route tables left" "0" "$OUT"

# A VPC with a subnet cannot be deleted.
expect_ok "subnet in vpc" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.1.0/24 --query Subnet.SubnetId
SUBNET=$OUT
expect_err DependencyViolation "delete vpc with subnets" awsx ec2 delete-vpc --vpc-id "$VPC"
expect_ok "delete the subnet" awsx ec2 delete-subnet --subnet-id "$SUBNET"
expect_ok "then the vpc" awsx ec2 delete-vpc --vpc-id "$VPC"

# Regions and zones.
expect_ok "describe-regions" awsx ec2 describe-regions --query 'length(Regions)'
expect_eq "every region" "39" "$OUT"
expect_ok "region endpoint" awsx ec2 describe-regions --region-names eu-west-1 --query 'Regions[0].Endpoint'
expect_eq "endpoint" "ec2.eu-west-1.amazonaws.com" "$OUT"
REGION=eu-west-1 expect_ok "zones of eu-west-1" awsx ec2 describe-availability-zones --query 'AvailabilityZones[].[ZoneName,ZoneId]'
expect_eq "three zones with ids" "eu-west-1a	euw1-az1
eu-west-1b	euw1-az2
eu-west-1c	euw1-az3" "$OUT"
REGION=ap-southeast-2 expect_ok "default vpc in another region" awsx ec2 describe-vpcs --query 'Vpcs[0].CidrBlock'
expect_eq "each region has its own default vpc" "172.31.0.0/16" "$OUT"
REGION=mars-north-1 expect_err SignatureDoesNotMatch "unknown region" awsx ec2 describe-vpcs

# Accounts: isolation and STS.
expect_ok "sts get-caller-identity" awsx sts get-caller-identity --query Account
expect_eq "default account" "000000000000" "$OUT"
expect_ok "sts for account 1" aws_acct1 sts get-caller-identity --query Arn
expect_eq "account 1 arn" "arn:aws:iam::111111111111:root" "$OUT"
expect_err InvalidVpcID.NotFound "foreign account's vpc is invisible" aws_acct1 ec2 describe-vpcs --vpc-ids "$V6VPC"
expect_err InvalidVpcID.NotFound "foreign account cannot delete" aws_acct1 ec2 delete-vpc --vpc-id "$V6VPC"
expect_err InvalidVpcID.NotFound "foreign account cannot modify" aws_acct1 ec2 modify-vpc-attribute --vpc-id "$V6VPC" --enable-dns-hostnames '{"Value":true}'
expect_ok "account 1 sees only its default vpc" aws_acct1 ec2 describe-vpcs --query 'length(Vpcs)'
expect_eq "one vpc in account 1" "1" "$OUT"

# Authentication.
ACCOUNT_SECRET=wrong expect_err SignatureDoesNotMatch "bad signature" awsx ec2 describe-vpcs
ACCOUNT_KEY=nobody expect_err AuthFailure "unknown access key" awsx ec2 describe-vpcs
AWS_WRAP="faketime -f -1h" expect_err RequestExpired "request signed an hour ago" awsx ec2 describe-vpcs
AWS_WRAP="faketime -f +20m" expect_err RequestExpired "request signed 20 minutes ahead" awsx ec2 describe-vpcs

# Protocol errors (raw HTTP, the way a broken client would send them).
code_of() { sed -n 's:.*<Code>\(.*\)</Code>.*:\1:p'; }
expect_eq "no credentials" "MissingAuthenticationToken" "$(curl -s -X POST "$ENDPOINT/" -d 'Action=DescribeVpcs' | code_of)"
expect_eq "http status for a bad request" "401" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$ENDPOINT/" -d 'Action=DescribeVpcs')"
