# Managed prefix lists and the generic tag actions through /usr/bin/aws.
# Sourced by tests/e2e/run-cli.sh after vpcd_start.

# ---- managed prefix lists ----

expect_ok "create prefix list" awsx ec2 create-managed-prefix-list --prefix-list-name corp \
  --address-family IPv4 --max-entries 5 \
  --entries Cidr=10.0.0.1/8,Description=office Cidr=192.168.1.0/24 \
  --tag-specifications 'ResourceType=prefix-list,Tags=[{Key=Name,Value=corp-pl},{Key=env,Value=test}]' \
  --query 'PrefixList.[PrefixListId,State,Version,MaxEntries,AddressFamily,PrefixListName,OwnerId,length(Tags)]'
PL=$(echo "$OUT" | cut -f1)
expect_match "prefix list id is AWS-shaped" '^pl-[0-9a-f]{17}$' "$PL"
expect_eq "created fields" "create-complete	1	5	IPv4	corp	000000000000	2" "$(echo "$OUT" | cut -f2-)"
expect_ok "describe by id" awsx ec2 describe-managed-prefix-lists --prefix-list-ids "$PL" \
  --query 'PrefixLists[0].PrefixListArn'
expect_eq "arn" "arn:aws:ec2:us-east-1:000000000000:prefix-list/$PL" "$OUT"
expect_ok "entries canonicalised" awsx ec2 get-managed-prefix-list-entries --prefix-list-id "$PL" \
  --query 'Entries[].[Cidr,Description]'
expect_eq "entries" "10.0.0.0/8	office
192.168.1.0/24	None" "$OUT"

expect_ok "filter prefix-list-name" awsx ec2 describe-managed-prefix-lists \
  --filters Name=prefix-list-name,Values=corp --query 'PrefixLists[].PrefixListId'
expect_eq "name filter" "$PL" "$OUT"
expect_ok "filter owner-id + prefix-list-id" awsx ec2 describe-managed-prefix-lists \
  --filters Name=owner-id,Values=000000000000 Name=prefix-list-id,Values="$PL" --query 'length(PrefixLists)'
expect_eq "owner filter" "1" "$OUT"
expect_ok "filter tag:Name" awsx ec2 describe-managed-prefix-lists \
  --filters Name=tag:Name,Values=corp-* --query 'PrefixLists[].PrefixListId'
expect_eq "tag filter" "$PL" "$OUT"
expect_ok "filter no match" awsx ec2 describe-managed-prefix-lists \
  --filters Name=prefix-list-name,Values=other --query 'length(PrefixLists)'
expect_eq "no match" "0" "$OUT"
expect_err InvalidParameterValue "unknown filter" awsx ec2 describe-managed-prefix-lists \
  --filters Name=bogus,Values=x
expect_err InvalidPrefixListID.NotFound "describe unknown id" awsx ec2 describe-managed-prefix-lists \
  --prefix-list-ids pl-0123456789abcdef0
expect_err InvalidPrefixListId.Malformed "describe malformed id" awsx ec2 describe-managed-prefix-lists \
  --prefix-list-ids pl-nothex

# Modify: entries make new versions, names and sizes do not.
expect_ok "add entry" awsx ec2 modify-managed-prefix-list --prefix-list-id "$PL" --current-version 1 \
  --add-entries Cidr=172.16.0.0/12,Description=dc --query 'PrefixList.[Version,State]'
expect_eq "version 2, modify-complete" "2	modify-complete" "$OUT"
expect_err PrefixListVersionMismatch "stale current version" awsx ec2 modify-managed-prefix-list \
  --prefix-list-id "$PL" --current-version 1 --add-entries Cidr=172.20.0.0/16
expect_ok "rename" awsx ec2 modify-managed-prefix-list --prefix-list-id "$PL" --prefix-list-name corp2 \
  --query 'PrefixList.[PrefixListName,Version]'
expect_eq "rename keeps the version" "corp2	2" "$OUT"
expect_ok "remove entry" awsx ec2 modify-managed-prefix-list --prefix-list-id "$PL" --current-version 2 \
  --remove-entries Cidr=192.168.1.0/24 --query 'PrefixList.Version'
expect_eq "version 3" "3" "$OUT"
expect_ok "current entries" awsx ec2 get-managed-prefix-list-entries --prefix-list-id "$PL" --query 'Entries[].Cidr'
expect_eq "entries of version 3" "10.0.0.0/8	172.16.0.0/12" "$OUT"
expect_ok "entries of version 1" awsx ec2 get-managed-prefix-list-entries --prefix-list-id "$PL" \
  --target-version 1 --query 'Entries[].Cidr'
expect_eq "version 1 is kept" "10.0.0.0/8	192.168.1.0/24" "$OUT"
expect_err InvalidParameterValue "target version 9 does not exist" awsx ec2 get-managed-prefix-list-entries \
  --prefix-list-id "$PL" --target-version 9
expect_ok "entries page 1" awsx ec2 get-managed-prefix-list-entries --prefix-list-id "$PL" --max-results 1 --output json
expect_match "page 1 has a token" '"NextToken": "[0-9a-f]{16}"' "$OUT"
TOKEN=$(echo "$OUT" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["NextToken"])')
expect_ok "entries page 2" awsx ec2 get-managed-prefix-list-entries --prefix-list-id "$PL" --max-results 1 \
  --next-token "$TOKEN" --query 'Entries[].Cidr'
expect_eq "page 2" "172.16.0.0/12" "$OUT"

expect_err InvalidParameterValue "remove a missing CIDR" awsx ec2 modify-managed-prefix-list \
  --prefix-list-id "$PL" --remove-entries Cidr=10.9.0.0/16
expect_err InvalidParameterValue "add an existing CIDR" awsx ec2 modify-managed-prefix-list \
  --prefix-list-id "$PL" --add-entries Cidr=10.0.0.0/8
expect_err InvalidParameterValue "add and remove the same CIDR" awsx ec2 modify-managed-prefix-list \
  --prefix-list-id "$PL" --add-entries Cidr=10.0.0.0/8,Description=x --remove-entries Cidr=10.0.0.0/8
expect_err InvalidParameterCombination "entries and max entries together" awsx ec2 modify-managed-prefix-list \
  --prefix-list-id "$PL" --add-entries Cidr=10.5.0.0/16 --max-entries 10
expect_err InvalidParameterValue "max entries below the entry count" awsx ec2 modify-managed-prefix-list \
  --prefix-list-id "$PL" --max-entries 1
expect_err InvalidParameterValue "add an IPv6 CIDR to an IPv4 list" awsx ec2 modify-managed-prefix-list \
  --prefix-list-id "$PL" --add-entries Cidr=2001:db8::/32
expect_err InvalidParameterValue "add past max entries" awsx ec2 modify-managed-prefix-list \
  --prefix-list-id "$PL" --add-entries Cidr=10.1.0.0/16 Cidr=10.2.0.0/16 Cidr=10.3.0.0/16 Cidr=10.4.0.0/16
expect_ok "failed modifies changed nothing" awsx ec2 describe-managed-prefix-lists --prefix-list-ids "$PL" \
  --query 'PrefixLists[0].[Version,MaxEntries]'
expect_eq "still version 3, 5 entries max" "3	5" "$OUT"
expect_ok "resize" awsx ec2 modify-managed-prefix-list --prefix-list-id "$PL" --max-entries 20 \
  --query 'PrefixList.[MaxEntries,Version]'
expect_eq "resized, same version" "20	3" "$OUT"
expect_ok "restore version 1" awsx ec2 restore-managed-prefix-list-version --prefix-list-id "$PL" \
  --previous-version 1 --current-version 3 --query 'PrefixList.[Version,State]'
expect_eq "restore makes version 4" "4	restore-complete" "$OUT"
expect_ok "restored entries" awsx ec2 get-managed-prefix-list-entries --prefix-list-id "$PL" \
  --query 'Entries[].[Cidr,Description]'
expect_eq "entries of version 1 again" "10.0.0.0/8	office
192.168.1.0/24	None" "$OUT"

# Create-time validation.
expect_err InvalidParameterValue "IPv6 CIDR in an IPv4 list" awsx ec2 create-managed-prefix-list \
  --prefix-list-name bad --address-family IPv4 --max-entries 5 --entries Cidr=2001:db8::/32
expect_err InvalidParameterValue "IPv4 CIDR in an IPv6 list" awsx ec2 create-managed-prefix-list \
  --prefix-list-name bad --address-family IPv6 --max-entries 5 --entries Cidr=10.0.0.0/8
expect_err InvalidParameterValue "bad CIDR" awsx ec2 create-managed-prefix-list \
  --prefix-list-name bad --address-family IPv4 --max-entries 5 --entries Cidr=10.0.0.300/8
expect_err InvalidParameterValue "CIDR without a length" awsx ec2 create-managed-prefix-list \
  --prefix-list-name bad --address-family IPv4 --max-entries 5 --entries Cidr=10.0.0.0
expect_err InvalidParameterValue "more entries than max entries" awsx ec2 create-managed-prefix-list \
  --prefix-list-name bad --address-family IPv4 --max-entries 1 --entries Cidr=10.0.0.0/8 Cidr=11.0.0.0/8
expect_err InvalidParameterValue "duplicate CIDRs" awsx ec2 create-managed-prefix-list \
  --prefix-list-name bad --address-family IPv4 --max-entries 5 --entries Cidr=10.0.0.0/8 Cidr=10.1.0.0/8
expect_err InvalidParameterValue "bad address family" awsx ec2 create-managed-prefix-list \
  --prefix-list-name bad --address-family IPv5 --max-entries 5
expect_err InvalidParameterValue "max entries 0" awsx ec2 create-managed-prefix-list \
  --prefix-list-name bad --address-family IPv4 --max-entries 0
expect_err InvalidParameterValue "max entries 1001" awsx ec2 create-managed-prefix-list \
  --prefix-list-name bad --address-family IPv4 --max-entries 1001
expect_err InvalidParameterValue "reserved name" awsx ec2 create-managed-prefix-list \
  --prefix-list-name com.amazonaws.us-east-1.s3 --address-family IPv4 --max-entries 5
expect_err InvalidParameterValue "name over 255 characters" awsx ec2 create-managed-prefix-list \
  --prefix-list-name "$(printf 'n%.0s' $(seq 256))" --address-family IPv4 --max-entries 5
expect_err InvalidParameterValue "wrong tag resource type" awsx ec2 create-managed-prefix-list \
  --prefix-list-name bad --address-family IPv4 --max-entries 5 \
  --tag-specifications 'ResourceType=vpc,Tags=[{Key=a,Value=b}]'
expect_ok "only one list exists" awsx ec2 describe-managed-prefix-lists --query 'length(PrefixLists)'
expect_eq "failed creates left nothing" "1" "$OUT"

expect_ok "create IPv6 list" awsx ec2 create-managed-prefix-list --prefix-list-name v6 \
  --address-family IPv6 --max-entries 2 --entries Cidr=2001:DB8:0:0::1/32 --query 'PrefixList.PrefixListId'
PL6=$OUT
expect_ok "IPv6 entries canonicalised" awsx ec2 get-managed-prefix-list-entries --prefix-list-id "$PL6" \
  --query 'Entries[].Cidr'
expect_eq "IPv6 entry" "2001:db8::/32" "$OUT"
expect_ok "list page 1" awsx ec2 describe-managed-prefix-lists --max-results 1 --output json
expect_match "list page 1 has a token" '"NextToken"' "$OUT"

# Other accounts and regions do not see the list.
expect_err InvalidPrefixListID.NotFound "other account describe" aws_acct1 ec2 describe-managed-prefix-lists \
  --prefix-list-ids "$PL"
expect_err InvalidPrefixListID.NotFound "other account modify" aws_acct1 ec2 modify-managed-prefix-list \
  --prefix-list-id "$PL" --prefix-list-name stolen
expect_err InvalidPrefixListID.NotFound "other account delete" aws_acct1 ec2 delete-managed-prefix-list \
  --prefix-list-id "$PL"
expect_err InvalidPrefixListID.NotFound "other account entries" aws_acct1 ec2 get-managed-prefix-list-entries \
  --prefix-list-id "$PL"
expect_ok "other account lists nothing" aws_acct1 ec2 describe-managed-prefix-lists --query 'length(PrefixLists)'
expect_eq "other account sees none" "0" "$OUT"
REGION=eu-west-1 expect_err InvalidPrefixListID.NotFound "other region describe" awsx ec2 \
  describe-managed-prefix-lists --prefix-list-ids "$PL"

# References block deletion: a security-group rule and a route.
DEFAULT_VPC=$(awsx ec2 describe-vpcs --filters Name=is-default,Values=true --query 'Vpcs[0].VpcId')
DEFAULT_SG=$(awsx ec2 describe-security-groups --filters Name=vpc-id,Values="$DEFAULT_VPC" \
  Name=group-name,Values=default --query 'SecurityGroups[0].GroupId')
MAIN_RTB=$(awsx ec2 describe-route-tables --filters Name=vpc-id,Values="$DEFAULT_VPC" \
  Name=association.main,Values=true --query 'RouteTables[0].RouteTableId')
DEFAULT_IGW=$(awsx ec2 describe-internet-gateways --filters Name=attachment.vpc-id,Values="$DEFAULT_VPC" \
  --query 'InternetGateways[0].InternetGatewayId')
expect_ok "sg rule referencing the list" awsx ec2 authorize-security-group-ingress --group-id "$DEFAULT_SG" \
  --ip-permissions "IpProtocol=tcp,FromPort=443,ToPort=443,PrefixListIds=[{PrefixListId=$PL}]"
expect_err DependencyViolation "delete refused while an sg rule uses it" awsx ec2 delete-managed-prefix-list \
  --prefix-list-id "$PL"
expect_ok "associations list the group" awsx ec2 get-managed-prefix-list-associations --prefix-list-id "$PL" \
  --query 'PrefixListAssociations[].[ResourceId,ResourceOwner]'
expect_eq "association" "$DEFAULT_SG	000000000000" "$OUT"
expect_err InvalidParameterValue "grow past the group's rule quota" awsx ec2 modify-managed-prefix-list \
  --prefix-list-id "$PL" --max-entries 60
expect_ok "revoke the sg rule" awsx ec2 revoke-security-group-ingress --group-id "$DEFAULT_SG" \
  --ip-permissions "IpProtocol=tcp,FromPort=443,ToPort=443,PrefixListIds=[{PrefixListId=$PL}]"
expect_ok "route to the list" awsx ec2 create-route --route-table-id "$MAIN_RTB" \
  --destination-prefix-list-id "$PL" --gateway-id "$DEFAULT_IGW"
expect_err DependencyViolation "delete refused while a route uses it" awsx ec2 delete-managed-prefix-list \
  --prefix-list-id "$PL"
expect_ok "associations list the route table" awsx ec2 get-managed-prefix-list-associations \
  --prefix-list-id "$PL" --query 'PrefixListAssociations[].ResourceId'
expect_eq "route table association" "$MAIN_RTB" "$OUT"
expect_ok "delete the route" awsx ec2 delete-route --route-table-id "$MAIN_RTB" --destination-prefix-list-id "$PL"
expect_ok "delete the list" awsx ec2 delete-managed-prefix-list --prefix-list-id "$PL" --query 'PrefixList.State'
expect_eq "delete reply state" "delete-complete" "$OUT"
expect_err InvalidPrefixListID.NotFound "deleted list is gone" awsx ec2 describe-managed-prefix-lists \
  --prefix-list-ids "$PL"
expect_err InvalidPrefixListID.NotFound "delete twice" awsx ec2 delete-managed-prefix-list --prefix-list-id "$PL"
expect_ok "delete the IPv6 list" awsx ec2 delete-managed-prefix-list --prefix-list-id "$PL6"

# AWS-managed service lists: vpcd runs no AWS services, so there are none.
expect_ok "describe-prefix-lists" awsx ec2 describe-prefix-lists --query 'length(PrefixLists)'
expect_eq "no AWS-managed lists" "0" "$OUT"
expect_err InvalidPrefixListID.NotFound "describe-prefix-lists unknown id" awsx ec2 describe-prefix-lists \
  --prefix-list-ids pl-63a5400a
expect_err InvalidPrefixListId.Malformed "describe-prefix-lists malformed id" awsx ec2 describe-prefix-lists \
  --prefix-list-ids bogus

# ---- tags ----

DEFAULT_SUBNET=$(awsx ec2 describe-subnets --filters Name=vpc-id,Values="$DEFAULT_VPC" \
  --query 'Subnets[0].SubnetId')
expect_ok "tag vpc, subnet and route table" awsx ec2 create-tags \
  --resources "$DEFAULT_VPC" "$DEFAULT_SUBNET" "$MAIN_RTB" --tags Key=Name,Value=dflt Key=team,Value=net
expect_ok "describe-tags by resource-id" awsx ec2 describe-tags \
  --filters Name=resource-id,Values="$DEFAULT_SUBNET" --query 'Tags[].[ResourceType,Key,Value]'
expect_eq "subnet tags" "subnet	Name	dflt
subnet	team	net" "$OUT"
expect_ok "describe-tags by key" awsx ec2 describe-tags --filters Name=key,Values=team --query 'length(Tags)'
expect_eq "three resources carry team" "3" "$OUT"
expect_ok "describe-tags by resource-type" awsx ec2 describe-tags \
  --filters Name=resource-type,Values=route-table --query 'Tags[].[ResourceId,Key]'
expect_eq "route table tags" "$MAIN_RTB	Name
$MAIN_RTB	team" "$OUT"
expect_ok "describe-tags by value + type" awsx ec2 describe-tags \
  --filters Name=value,Values=dflt Name=resource-type,Values=vpc --query 'Tags[].ResourceId'
expect_eq "vpc with Name=dflt" "$DEFAULT_VPC" "$OUT"
expect_ok "describe-tags tag:<key>" awsx ec2 describe-tags \
  --filters Name=tag:Name,Values=dflt Name=key,Values=team --query 'length(Tags)'
expect_eq "tag:Name narrows resources" "3" "$OUT"
expect_err InvalidParameterValue "describe-tags unknown filter" awsx ec2 describe-tags \
  --filters Name=bogus,Values=x
expect_ok "describe-tags page 1" awsx ec2 describe-tags --max-results 5 --output json
expect_match "page 1 has a token" '"NextToken": "[0-9a-f]{24}"' "$OUT"
TOKEN=$(echo "$OUT" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["NextToken"])')
expect_ok "describe-tags page 2" awsx ec2 describe-tags --max-results 5 --next-token "$TOKEN" \
  --query 'Tags[].[ResourceId,Key]'
expect_eq "page 2 holds the last tag" "$MAIN_RTB	team" "$OUT"
expect_err InvalidParameterValue "describe-tags max-results 4" awsx ec2 describe-tags --max-results 4
expect_err InvalidPaginationToken "describe-tags bad token" awsx ec2 describe-tags --max-results 5 \
  --next-token nope
expect_ok "tags show in describe-vpcs" awsx ec2 describe-vpcs --filters Name=tag:Name,Values=dflt \
  --query 'Vpcs[].VpcId'
expect_eq "tag:Name on describe-vpcs" "$DEFAULT_VPC" "$OUT"
expect_ok "tag-key on describe-subnets" awsx ec2 describe-subnets --filters Name=tag-key,Values=team \
  --query 'Subnets[].SubnetId'
expect_eq "tag-key on describe-subnets" "$DEFAULT_SUBNET" "$OUT"
expect_ok "overwrite a value" awsx ec2 create-tags --resources "$DEFAULT_VPC" --tags Key=Name,Value=renamed
expect_ok "read overwritten value" awsx ec2 describe-vpcs --vpc-ids "$DEFAULT_VPC" \
  --query 'Vpcs[0].Tags[?Key==`Name`].Value'
expect_eq "overwritten" "renamed" "$OUT"

# DeleteTags: by key, by key+value, everything.
expect_ok "delete by key" awsx ec2 delete-tags --resources "$DEFAULT_SUBNET" --tags Key=team
expect_ok "subnet keys after delete by key" awsx ec2 describe-tags \
  --filters Name=resource-id,Values="$DEFAULT_SUBNET" --query 'Tags[].Key'
expect_eq "team gone" "Name" "$OUT"
expect_ok "delete by key with another value" awsx ec2 delete-tags --resources "$MAIN_RTB" \
  --tags Key=team,Value=other
expect_ok "mismatched value kept" awsx ec2 describe-tags --filters Name=resource-id,Values="$MAIN_RTB" \
  Name=key,Values=team --query 'Tags[].Value'
expect_eq "team=net kept" "net" "$OUT"
expect_ok "delete by key with its value" awsx ec2 delete-tags --resources "$MAIN_RTB" --tags Key=team,Value=net
expect_ok "matching value removed" awsx ec2 describe-tags --filters Name=resource-id,Values="$MAIN_RTB" \
  --query 'Tags[].Key'
expect_eq "only Name left" "Name" "$OUT"
expect_ok "empty value tag" awsx ec2 create-tags --resources "$MAIN_RTB" --tags Key=blank,Value=
expect_ok "delete with an empty value" awsx ec2 delete-tags --resources "$MAIN_RTB" --tags Key=blank,Value=
expect_ok "empty value matched" awsx ec2 describe-tags --filters Name=resource-id,Values="$MAIN_RTB" \
  Name=key,Values=blank --query 'length(Tags)'
expect_eq "blank deleted" "0" "$OUT"
expect_ok "delete all tags" awsx ec2 delete-tags --resources "$DEFAULT_VPC" "$MAIN_RTB"
expect_ok "no tags left on vpc and rtb" awsx ec2 describe-tags \
  --filters Name=resource-id,Values="$DEFAULT_VPC","$MAIN_RTB" --query 'length(Tags)'
expect_eq "all deleted" "0" "$OUT"
expect_ok "delete-tags on an untagged resource" awsx ec2 delete-tags --resources "$DEFAULT_VPC" --tags Key=none

# Limits and bad ids.
FIFTY=$(for i in $(seq 1 50); do printf 'Key=k%d,Value=v ' "$i"; done)
# shellcheck disable=SC2086
expect_err TagLimitExceeded "51 tags" awsx ec2 create-tags --resources "$DEFAULT_VPC" --tags $FIFTY Key=k51,Value=v
# shellcheck disable=SC2086
expect_ok "50 tags" awsx ec2 create-tags --resources "$DEFAULT_VPC" --tags $FIFTY
expect_err TagLimitExceeded "a 51st tag" awsx ec2 create-tags --resources "$DEFAULT_VPC" --tags Key=more,Value=v
expect_ok "overwriting at the limit is fine" awsx ec2 create-tags --resources "$DEFAULT_VPC" --tags Key=k1,Value=w
expect_ok "delete the 50" awsx ec2 delete-tags --resources "$DEFAULT_VPC"
expect_err InvalidParameterValue "aws: prefix" awsx ec2 create-tags --resources "$DEFAULT_VPC" \
  --tags Key=aws:cloudformation:stack-name,Value=x
expect_err InvalidParameterValue "key over 128 characters" awsx ec2 create-tags --resources "$DEFAULT_VPC" \
  --tags "Key=$(printf 'k%.0s' $(seq 129)),Value=x"
expect_err InvalidParameterValue "value over 256 characters" awsx ec2 create-tags --resources "$DEFAULT_VPC" \
  --tags "Key=k,Value=$(printf 'v%.0s' $(seq 257))"
expect_err InvalidID "malformed id" awsx ec2 create-tags --resources xyz --tags Key=a,Value=b
expect_err InvalidID "known prefix, bad hex" awsx ec2 create-tags --resources vpc-xyz --tags Key=a,Value=b
expect_err InvalidVpcID.NotFound "unknown vpc" awsx ec2 create-tags --resources vpc-0123456789abcdef0 \
  --tags Key=a,Value=b
expect_err InvalidSubnetID.NotFound "unknown subnet on delete" awsx ec2 delete-tags \
  --resources subnet-0123456789abcdef0
expect_err InvalidVpcID.NotFound "all or nothing" awsx ec2 create-tags \
  --resources "$DEFAULT_VPC" vpc-0123456789abcdef0 --tags Key=partial,Value=x
expect_ok "first resource untouched" awsx ec2 describe-tags --filters Name=key,Values=partial --query 'length(Tags)'
expect_eq "nothing tagged" "0" "$OUT"
expect_err InvalidVpcID.NotFound "other account tags our vpc" aws_acct1 ec2 create-tags \
  --resources "$DEFAULT_VPC" --tags Key=a,Value=b
expect_err InvalidVpcID.NotFound "other account untags our vpc" aws_acct1 ec2 delete-tags \
  --resources "$DEFAULT_VPC"
expect_ok "tag for the isolation check" awsx ec2 create-tags --resources "$DEFAULT_VPC" --tags Key=mine,Value=1
expect_ok "other account describe-tags" aws_acct1 ec2 describe-tags --filters Name=key,Values=mine \
  --query 'length(Tags)'
expect_eq "other account sees none of our tags" "0" "$OUT"
