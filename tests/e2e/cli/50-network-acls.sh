# Network ACLs through the aws CLI: default and custom ACLs, entries, associations, filters,
# Terraform's call patterns, errors and cross-account isolation. Sourced by run-cli.sh.

# The entries of one ACL, one "egress rule protocol action cidr [from-to] [type/code]" per line.
nacl_entries() {
  awsx ec2 describe-network-acls --network-acl-ids "$1" --query \
    'NetworkAcls[0].Entries[].[Egress,RuleNumber,Protocol,RuleAction,CidrBlock||Ipv6CidrBlock,join(`-`,[to_string(PortRange.From),to_string(PortRange.To)]),join(`/`,[to_string(IcmpTypeCode.Type),to_string(IcmpTypeCode.Code)])]' |
    tr '\t' ' ' | sed -e 's/ null-null//' -e 's| null/null||'
}

DEFAULT_RULES='True 100 -1 allow 0.0.0.0/0
True 32767 -1 deny 0.0.0.0/0
False 100 -1 allow 0.0.0.0/0
False 32767 -1 deny 0.0.0.0/0'

# ---- the default VPC's default ACL holds its three default subnets ----
expect_ok "describe default vpc" awsx ec2 describe-vpcs --filters Name=is-default,Values=true \
  --query 'Vpcs[0].VpcId'
DVPC=$OUT
expect_ok "default vpc's default acl" awsx ec2 describe-network-acls \
  --filters Name=default,Values=true Name=vpc-id,Values="$DVPC" \
  --query 'NetworkAcls[].[NetworkAclId,IsDefault,VpcId,OwnerId,length(Associations)]'
expect_match "default vpc acl fields" "^acl-[0-9a-f]{17}	True	$DVPC	000000000000	3$" "$OUT"
DVPC_ACL=${OUT%%	*}
expect_eq "default vpc acl entries" "$DEFAULT_RULES" "$(nacl_entries "$DVPC_ACL")"

# ---- a new VPC gets a default ACL: 100 allow and the * deny in each direction ----
export REGION=us-west-2
expect_ok "create vpc" awsx ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId
VPC=$OUT
expect_ok "default acl by default=true + vpc-id (Terraform)" awsx ec2 describe-network-acls \
  --filters Name=default,Values=true Name=vpc-id,Values="$VPC" --query 'NetworkAcls[].NetworkAclId'
DACL=$OUT
expect_match "one default acl" '^acl-[0-9a-f]{17}$' "$DACL"
expect_eq "default acl entries" "$DEFAULT_RULES" "$(nacl_entries "$DACL")"
expect_ok "default acl flags" awsx ec2 describe-network-acls --network-acl-ids "$DACL" \
  --query 'NetworkAcls[0].[IsDefault,VpcId,OwnerId,length(Associations),length(Tags)]'
expect_eq "default acl flags values" "True	$VPC	000000000000	0	0" "$OUT"

# ---- IPv6 VPC: 101 allow ::/0 and the 32768 deny in each direction ----
expect_ok "create ipv6 vpc" awsx ec2 create-vpc --cidr-block 10.1.0.0/16 \
  --amazon-provided-ipv6-cidr-block --query Vpc.VpcId
VPC6=$OUT
expect_ok "ipv6 vpc default acl" awsx ec2 describe-network-acls \
  --filters Name=default,Values=true Name=vpc-id,Values="$VPC6" --query 'NetworkAcls[0].NetworkAclId'
DACL6=$OUT
expect_eq "ipv6 default acl entries" 'True 100 -1 allow 0.0.0.0/0
True 101 -1 allow ::/0
True 32767 -1 deny 0.0.0.0/0
True 32768 -1 deny ::/0
False 100 -1 allow 0.0.0.0/0
False 101 -1 allow ::/0
False 32767 -1 deny 0.0.0.0/0
False 32768 -1 deny ::/0' "$(nacl_entries "$DACL6")"

# ---- custom ACL: tags on create, only the * denies, no association ----
expect_ok "create custom acl" awsx ec2 create-network-acl --vpc-id "$VPC" \
  --tag-specifications 'ResourceType=network-acl,Tags=[{Key=Name,Value=web}]' \
  --query 'NetworkAcl.[NetworkAclId,IsDefault,VpcId,length(Associations),Tags[0].Value]'
expect_match "custom acl reply" "^acl-[0-9a-f]{17}	False	$VPC	0	web$" "$OUT"
ACL=${OUT%%	*}
expect_eq "custom acl entries" 'True 32767 -1 deny 0.0.0.0/0
False 32767 -1 deny 0.0.0.0/0' "$(nacl_entries "$ACL")"
expect_ok "custom acl in ipv6 vpc" awsx ec2 create-network-acl --vpc-id "$VPC6" \
  --query NetworkAcl.NetworkAclId
ACL6=$OUT
expect_eq "custom ipv6 acl entries" 'True 32767 -1 deny 0.0.0.0/0
True 32768 -1 deny ::/0
False 32767 -1 deny 0.0.0.0/0
False 32768 -1 deny ::/0' "$(nacl_entries "$ACL6")"
expect_ok "filter tag:Name" awsx ec2 describe-network-acls --filters Name=tag:Name,Values=web \
  --query 'NetworkAcls[].NetworkAclId'
expect_eq "filter tag:Name finds it" "$ACL" "$OUT"
expect_ok "filter default=false + vpc-id" awsx ec2 describe-network-acls \
  --filters Name=default,Values=false Name=vpc-id,Values="$VPC" --query 'NetworkAcls[].NetworkAclId'
expect_eq "filter default=false" "$ACL" "$OUT"
expect_ok "filter network-acl-id + owner-id" awsx ec2 describe-network-acls \
  --filters Name=network-acl-id,Values="$ACL" Name=owner-id,Values=000000000000 \
  --query 'NetworkAcls[].NetworkAclId'
expect_eq "filter network-acl-id" "$ACL" "$OUT"
expect_ok "create-tags on acl" awsx ec2 create-tags --resources "$ACL" --tags Key=env,Value=prod
expect_ok "filter tag-key" awsx ec2 describe-network-acls --filters Name=tag-key,Values=env \
  --query 'NetworkAcls[].NetworkAclId'
expect_eq "filter tag-key finds it" "$ACL" "$OUT"

# ---- entries: every protocol form, canonical CIDRs ----
expect_ok "tcp entry (CIDR canonicalised)" awsx ec2 create-network-acl-entry --network-acl-id "$ACL" \
  --ingress --rule-number 100 --protocol tcp --rule-action allow --cidr-block 10.9.8.7/16 \
  --port-range From=80,To=80
expect_eq "create-network-acl-entry prints nothing" "" "$OUT"
expect_ok "udp entry egress" awsx ec2 create-network-acl-entry --network-acl-id "$ACL" \
  --egress --rule-number 110 --protocol 17 --rule-action deny --cidr-block 192.168.0.0/24 \
  --port-range From=1024,To=65535
expect_ok "icmp entry" awsx ec2 create-network-acl-entry --network-acl-id "$ACL" \
  --ingress --rule-number 120 --protocol icmp --rule-action allow --cidr-block 0.0.0.0/0 \
  --icmp-type-code Type=3,Code=4
expect_ok "icmpv6 entry with IPv6 CIDR" awsx ec2 create-network-acl-entry --network-acl-id "$ACL" \
  --ingress --rule-number 130 --protocol 58 --rule-action allow --ipv6-cidr-block 2001:db8::1/32 \
  --icmp-type-code Type=128,Code=-1
expect_ok "all-protocol entry with a port range (ignored)" awsx ec2 create-network-acl-entry \
  --network-acl-id "$ACL" --egress --rule-number 200 --protocol=-1 --rule-action allow \
  --cidr-block 0.0.0.0/0 --port-range From=0,To=0
expect_ok "protocol all" awsx ec2 create-network-acl-entry --network-acl-id "$ACL" --egress \
  --rule-number 210 --protocol all --rule-action deny --ipv6-cidr-block ::/0
expect_ok "icmpv6 with IPv4 CIDR needs no type" awsx ec2 create-network-acl-entry \
  --network-acl-id "$ACL" --egress --rule-number 220 --protocol 58 --rule-action allow \
  --cidr-block 10.0.0.0/8
expect_eq "custom acl entries after creates" 'True 110 17 deny 192.168.0.0/24 1024-65535
True 200 -1 allow 0.0.0.0/0
True 210 -1 deny ::/0
True 220 58 allow 10.0.0.0/8
True 32767 -1 deny 0.0.0.0/0
False 100 6 allow 10.9.0.0/16 80-80
False 120 1 allow 0.0.0.0/0 3/4
False 130 58 allow 2001:db8::/32 128/-1
False 32767 -1 deny 0.0.0.0/0' "$(nacl_entries "$ACL")"

# ---- entry filters ----
for f in entry.rule-number=120 entry.protocol=tcp entry.protocol=6 entry.port-range.from=1024 \
  entry.port-range.to=65535 entry.cidr=10.9.0.0/16 entry.ipv6-cidr=2001:db8::/32 \
  entry.icmp.type=3 entry.icmp.code=4; do
  expect_ok "filter $f" awsx ec2 describe-network-acls \
    --filters Name=vpc-id,Values="$VPC" "Name=${f%%=*},Values=${f#*=}" --query 'NetworkAcls[].NetworkAclId'
  expect_eq "filter $f matches the custom acl only" "$ACL" "$(echo "$OUT" | tr '\t' ' ')"
done
for f in entry.rule-action=deny entry.egress=true entry.egress=false entry.protocol=-1; do
  expect_ok "filter $f" awsx ec2 describe-network-acls \
    --filters Name=vpc-id,Values="$VPC" "Name=${f%%=*},Values=${f#*=}" --query 'length(NetworkAcls)'
  expect_eq "filter $f matches both acls (the * rules count)" "2" "$OUT"
done
expect_ok "filter entry.rule-number=32767 matches both" awsx ec2 describe-network-acls \
  --filters Name=vpc-id,Values="$VPC" Name=entry.rule-number,Values=32767 \
  --query 'length(NetworkAcls)'
expect_eq "both acls have the * deny" "2" "$OUT"
expect_ok "filter entry.cidr with no match" awsx ec2 describe-network-acls \
  --filters Name=vpc-id,Values="$VPC" Name=entry.cidr,Values=10.9.8.7/16 --query 'length(NetworkAcls)'
expect_eq "filter values match exactly" "0" "$OUT"
expect_err InvalidParameterValue "unknown filter" awsx ec2 describe-network-acls \
  --filters Name=entry.bogus,Values=1

# ---- replace and delete entries ----
expect_ok "replace entry 100" awsx ec2 replace-network-acl-entry --network-acl-id "$ACL" \
  --ingress --rule-number 100 --protocol tcp --rule-action deny --cidr-block 10.9.0.0/16 \
  --port-range From=443,To=443
expect_ok "delete entry 220 egress" awsx ec2 delete-network-acl-entry --network-acl-id "$ACL" \
  --egress --rule-number 220
expect_ok "delete entry 210 egress" awsx ec2 delete-network-acl-entry --network-acl-id "$ACL" \
  --egress --rule-number 210
expect_eq "entries after replace/delete" 'True 110 17 deny 192.168.0.0/24 1024-65535
True 200 -1 allow 0.0.0.0/0
True 32767 -1 deny 0.0.0.0/0
False 100 6 deny 10.9.0.0/16 443-443
False 120 1 allow 0.0.0.0/0 3/4
False 130 58 allow 2001:db8::/32 128/-1
False 32767 -1 deny 0.0.0.0/0' "$(nacl_entries "$ACL")"

# ---- bad entries ----
entry() { awsx ec2 create-network-acl-entry --network-acl-id "$ACL" "$@"; }
expect_err InvalidParameterValue "rule number 0" entry --ingress --rule-number 0 --protocol=-1 \
  --rule-action allow --cidr-block 0.0.0.0/0
expect_err InvalidParameterValue "rule number 32767" entry --ingress --rule-number 32767 \
  --protocol=-1 --rule-action allow --cidr-block 0.0.0.0/0
expect_err InvalidParameterValue "rule number 40000" entry --ingress --rule-number 40000 \
  --protocol=-1 --rule-action allow --cidr-block 0.0.0.0/0
expect_err NetworkAclEntryAlreadyExists "duplicate rule number" entry --ingress --rule-number 100 \
  --protocol=-1 --rule-action allow --cidr-block 0.0.0.0/0
expect_ok "same number in the other direction is fine" entry --egress --rule-number 100 \
  --protocol=-1 --rule-action allow --cidr-block 0.0.0.0/0
expect_err InvalidNetworkAclEntry.NotFound "replace missing entry" awsx ec2 replace-network-acl-entry \
  --network-acl-id "$ACL" --ingress --rule-number 555 --protocol=-1 --rule-action allow \
  --cidr-block 0.0.0.0/0
expect_err InvalidNetworkAclEntry.NotFound "delete missing entry" awsx ec2 delete-network-acl-entry \
  --network-acl-id "$ACL" --ingress --rule-number 555
expect_err InvalidNetworkAclEntry.NotFound "delete entry in the wrong direction" \
  awsx ec2 delete-network-acl-entry --network-acl-id "$ACL" --egress --rule-number 120
expect_err MissingParameter "tcp without port range" entry --ingress --rule-number 300 \
  --protocol tcp --rule-action allow --cidr-block 0.0.0.0/0
expect_err InvalidParameterValue "port out of range" entry --ingress --rule-number 300 \
  --protocol udp --rule-action allow --cidr-block 0.0.0.0/0 --port-range From=1,To=70000
expect_err MissingParameter "icmp without type/code" entry --ingress --rule-number 300 \
  --protocol icmp --rule-action allow --cidr-block 0.0.0.0/0
expect_err MissingParameter "icmpv6 + IPv6 without type/code" entry --ingress --rule-number 300 \
  --protocol 58 --rule-action allow --ipv6-cidr-block ::/0
expect_err InvalidParameterValue "bad CIDR" entry --ingress --rule-number 300 --protocol=-1 \
  --rule-action allow --cidr-block 10.0.0.300/16
expect_err InvalidParameterValue "IPv4 CIDR as IPv6" entry --ingress --rule-number 300 --protocol=-1 \
  --rule-action allow --ipv6-cidr-block 10.0.0.0/16
expect_err InvalidParameterCombination "both CidrBlock and Ipv6CidrBlock" entry --ingress \
  --rule-number 300 --protocol=-1 --rule-action allow --cidr-block 0.0.0.0/0 --ipv6-cidr-block ::/0
expect_err MissingParameter "no CIDR" entry --ingress --rule-number 300 --protocol=-1 \
  --rule-action allow
expect_err InvalidParameterValue "bad protocol" entry --ingress --rule-number 300 --protocol sctpx \
  --rule-action allow --cidr-block 0.0.0.0/0
expect_err InvalidParameterValue "protocol 256" entry --ingress --rule-number 300 --protocol 256 \
  --rule-action allow --cidr-block 0.0.0.0/0
expect_err InvalidParameterValue "bad rule action" entry --ingress --rule-number 300 --protocol=-1 \
  --rule-action permit --cidr-block 0.0.0.0/0
expect_err InvalidNetworkAclID.NotFound "entry on unknown acl" awsx ec2 create-network-acl-entry \
  --network-acl-id acl-0123456789abcdef0 --ingress --rule-number 300 --protocol=-1 \
  --rule-action allow --cidr-block 0.0.0.0/0
expect_eq "failed calls changed nothing" 'True 100 -1 allow 0.0.0.0/0
True 110 17 deny 192.168.0.0/24 1024-65535
True 200 -1 allow 0.0.0.0/0
True 32767 -1 deny 0.0.0.0/0
False 100 6 deny 10.9.0.0/16 443-443
False 120 1 allow 0.0.0.0/0 3/4
False 130 58 allow 2001:db8::/32 128/-1
False 32767 -1 deny 0.0.0.0/0' "$(nacl_entries "$ACL")"

# ---- quota: 20 rules per direction and family, the * deny included ----
expect_ok "acl for quota" awsx ec2 create-network-acl --vpc-id "$VPC" --query NetworkAcl.NetworkAclId
QACL=$OUT
quota_ok=0
for n in $(seq 1 19); do
  awsx ec2 create-network-acl-entry --network-acl-id "$QACL" --ingress --rule-number "$n" \
    --protocol=-1 --rule-action allow --cidr-block "10.0.$n.0/24" >/dev/null && quota_ok=$((quota_ok + 1))
done
expect_eq "19 ingress IPv4 rules fit" 19 "$quota_ok"
expect_err NetworkAclEntryLimitExceeded "20th ingress IPv4 rule" awsx ec2 create-network-acl-entry \
  --network-acl-id "$QACL" --ingress --rule-number 20 --protocol=-1 --rule-action allow \
  --cidr-block 10.0.20.0/24
expect_ok "ingress IPv6 rule still fits" awsx ec2 create-network-acl-entry --network-acl-id "$QACL" \
  --ingress --rule-number 20 --protocol=-1 --rule-action allow --ipv6-cidr-block ::/0
expect_ok "egress IPv4 rule still fits" awsx ec2 create-network-acl-entry --network-acl-id "$QACL" \
  --egress --rule-number 20 --protocol=-1 --rule-action allow --cidr-block 0.0.0.0/0
expect_ok "replace within a full direction" awsx ec2 replace-network-acl-entry \
  --network-acl-id "$QACL" --ingress --rule-number 19 --protocol=-1 --rule-action deny \
  --cidr-block 10.0.19.0/24
expect_ok "delete quota acl" awsx ec2 delete-network-acl --network-acl-id "$QACL"

# ---- Terraform's aws_default_network_acl adoption: remove every entry, then re-create ----
expect_ok "adopt: delete ingress 100" awsx ec2 delete-network-acl-entry --network-acl-id "$DACL" \
  --ingress --rule-number 100
expect_ok "adopt: delete egress 100" awsx ec2 delete-network-acl-entry --network-acl-id "$DACL" \
  --egress --rule-number 100
expect_eq "default acl emptied: only * denies" 'True 32767 -1 deny 0.0.0.0/0
False 32767 -1 deny 0.0.0.0/0' "$(nacl_entries "$DACL")"
expect_ok "adopt: create ingress 100" awsx ec2 create-network-acl-entry --network-acl-id "$DACL" \
  --ingress --rule-number 100 --protocol=-1 --rule-action allow --cidr-block 0.0.0.0/0 \
  --port-range From=0,To=0
expect_ok "adopt: create egress 100" awsx ec2 create-network-acl-entry --network-acl-id "$DACL" \
  --egress --rule-number 100 --protocol=-1 --rule-action allow --cidr-block 0.0.0.0/0 \
  --port-range From=0,To=0
expect_eq "default acl back to its rules" "$DEFAULT_RULES" "$(nacl_entries "$DACL")"
expect_ok "default acl still default" awsx ec2 describe-network-acls \
  --filters Name=default,Values=true Name=vpc-id,Values="$VPC" --query 'NetworkAcls[].NetworkAclId'
expect_eq "default acl unchanged id" "$DACL" "$OUT"

# ---- subnets and associations (Terraform's aws_network_acl subnet_ids) ----
expect_ok "create subnet" awsx ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.1.0/24 \
  --query Subnet.SubnetId
SUBNET=$OUT
expect_ok "subnet's acl by association.subnet-id" awsx ec2 describe-network-acls \
  --filters Name=association.subnet-id,Values="$SUBNET" \
  --query 'NetworkAcls[].[NetworkAclId,Associations[?SubnetId==`'"$SUBNET"'`].NetworkAclAssociationId|[0]]'
expect_match "new subnet uses the default acl" "^$DACL	aclassoc-[0-9a-f]{17}$" "$OUT"
ASSOC=${OUT#*	}
expect_ok "filter association.association-id" awsx ec2 describe-network-acls \
  --filters Name=association.association-id,Values="$ASSOC" --query 'NetworkAcls[].NetworkAclId'
expect_eq "association.association-id finds the default acl" "$DACL" "$OUT"
expect_ok "filter association.network-acl-id" awsx ec2 describe-network-acls \
  --filters Name=association.network-acl-id,Values="$DACL" --query 'NetworkAcls[].NetworkAclId'
expect_eq "association.network-acl-id" "$DACL" "$OUT"
expect_ok "move subnet to custom acl" awsx ec2 replace-network-acl-association \
  --association-id "$ASSOC" --network-acl-id "$ACL" --query NewAssociationId
NEWASSOC=$OUT
expect_match "new association id" '^aclassoc-[0-9a-f]{17}$' "$NEWASSOC"
[ "$NEWASSOC" != "$ASSOC" ] && ok "association id changed" || fail "association id did not change"
expect_ok "custom acl holds the subnet" awsx ec2 describe-network-acls --network-acl-ids "$ACL" \
  --query 'NetworkAcls[0].Associations[].[NetworkAclAssociationId,NetworkAclId,SubnetId]'
expect_eq "custom acl association" "$NEWASSOC	$ACL	$SUBNET" "$OUT"
expect_ok "default acl lost the subnet" awsx ec2 describe-network-acls --network-acl-ids "$DACL" \
  --query 'length(NetworkAcls[0].Associations)'
expect_eq "default acl has no association" "0" "$OUT"
expect_err InvalidAssociationID.NotFound "old association id is gone" \
  awsx ec2 replace-network-acl-association --association-id "$ASSOC" --network-acl-id "$DACL"
expect_err DependencyViolation "delete associated acl" awsx ec2 delete-network-acl \
  --network-acl-id "$ACL"
expect_err InvalidParameterValue "delete default acl" awsx ec2 delete-network-acl \
  --network-acl-id "$DACL"
expect_err InvalidParameterValue "acl of another vpc" awsx ec2 replace-network-acl-association \
  --association-id "$NEWASSOC" --network-acl-id "$ACL6"
expect_err InvalidAssociationID.NotFound "unknown association" \
  awsx ec2 replace-network-acl-association --association-id aclassoc-0123456789abcdef0 \
  --network-acl-id "$ACL"
expect_ok "move subnet back to the default acl" awsx ec2 replace-network-acl-association \
  --association-id "$NEWASSOC" --network-acl-id "$DACL" --query NewAssociationId
BACK=$OUT
expect_ok "subnet back on the default acl" awsx ec2 describe-network-acls \
  --filters Name=association.subnet-id,Values="$SUBNET" \
  --query 'NetworkAcls[].[NetworkAclId,Associations[0].NetworkAclAssociationId]'
expect_eq "default acl association" "$DACL	$BACK" "$OUT"
expect_ok "delete subnet" awsx ec2 delete-subnet --subnet-id "$SUBNET"
expect_ok "association gone with the subnet" awsx ec2 describe-network-acls \
  --filters Name=association.subnet-id,Values="$SUBNET" --query 'length(NetworkAcls)'
expect_eq "no acl references the deleted subnet" "0" "$OUT"

# ---- paging: the region now holds 5 ACLs; a sixth makes a second page ----
expect_ok "acl for paging" awsx ec2 create-network-acl --vpc-id "$VPC" --query NetworkAcl.NetworkAclId
PACL=$OUT
expect_ok "first page of 5" awsx ec2 describe-network-acls --max-results 5 \
  --query '[length(NetworkAcls),NextToken]'
expect_match "first page has 5 and a token" '^5	[0-9a-f]{16}$' "$OUT"
TOKEN=${OUT#*	}
expect_ok "second page" awsx ec2 describe-network-acls --max-results 5 --next-token "$TOKEN" \
  --query '[length(NetworkAcls),NextToken]'
expect_eq "second page has the last one and no token" "1	None" "$OUT"
expect_ok "auto-paginated page size 5" awsx ec2 describe-network-acls --page-size 5 \
  --query 'NetworkAcls[].NetworkAclId'
expect_eq "all 6 acls across pages" "6" "$(echo $OUT | wc -w)"
expect_err InvalidPaginationToken "bad next token" awsx ec2 describe-network-acls --max-results 5 \
  --next-token nonsense
expect_ok "delete paging acl" awsx ec2 delete-network-acl --network-acl-id "$PACL"

# ---- ids: malformed, unknown, other accounts ----
expect_err InvalidNetworkAclId.Malformed "malformed acl id" awsx ec2 describe-network-acls \
  --network-acl-ids acl-xyz
expect_err InvalidNetworkAclId.Malformed "delete malformed acl id" awsx ec2 delete-network-acl \
  --network-acl-id vpc-0123456789abcdef0
expect_err InvalidNetworkAclID.NotFound "unknown acl id" awsx ec2 describe-network-acls \
  --network-acl-ids acl-0123456789abcdef0
expect_err InvalidVpcID.NotFound "acl in unknown vpc" awsx ec2 create-network-acl \
  --vpc-id vpc-0123456789abcdef0
expect_err MissingParameter "create-network-acl without vpc" awsx ec2 create-network-acl \
  --vpc-id ""
expect_err InvalidNetworkAclID.NotFound "other account cannot describe" aws_acct1 ec2 \
  describe-network-acls --network-acl-ids "$ACL"
expect_err InvalidNetworkAclID.NotFound "other account cannot delete" aws_acct1 ec2 \
  delete-network-acl --network-acl-id "$ACL"
expect_err InvalidNetworkAclID.NotFound "other account cannot add entries" aws_acct1 ec2 \
  create-network-acl-entry --network-acl-id "$ACL" --ingress --rule-number 300 --protocol=-1 \
  --rule-action allow --cidr-block 0.0.0.0/0
expect_err InvalidNetworkAclID.NotFound "other account cannot delete entries" aws_acct1 ec2 \
  delete-network-acl-entry --network-acl-id "$ACL" --ingress --rule-number 100
expect_err InvalidVpcID.NotFound "other account cannot create in the vpc" aws_acct1 ec2 \
  create-network-acl --vpc-id "$VPC"
expect_ok "other account sees only its own acls" aws_acct1 ec2 describe-network-acls \
  --filters Name=vpc-id,Values="$VPC" --query 'length(NetworkAcls)'
expect_eq "no acl of the vpc for another account" "0" "$OUT"
REGION=eu-west-1 expect_err InvalidNetworkAclID.NotFound "other region cannot see it" awsx ec2 \
  describe-network-acls --network-acl-ids "$ACL"

# ---- clean up: custom acls go, then their VPCs ----
expect_ok "delete custom acl" awsx ec2 delete-network-acl --network-acl-id "$ACL"
expect_err InvalidNetworkAclID.NotFound "deleted acl is gone" awsx ec2 describe-network-acls \
  --network-acl-ids "$ACL"
expect_err DependencyViolation "vpc with a custom acl cannot be deleted" awsx ec2 delete-vpc \
  --vpc-id "$VPC6"
expect_ok "delete ipv6 custom acl" awsx ec2 delete-network-acl --network-acl-id "$ACL6"
expect_ok "delete vpc" awsx ec2 delete-vpc --vpc-id "$VPC"
expect_ok "delete ipv6 vpc" awsx ec2 delete-vpc --vpc-id "$VPC6"
expect_err InvalidNetworkAclID.NotFound "default acl went with its vpc" awsx ec2 \
  describe-network-acls --network-acl-ids "$DACL"
unset REGION
