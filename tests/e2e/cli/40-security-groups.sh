# Security groups through /usr/bin/aws: default groups, create/describe/delete, rules in every
# form (IpPermissions, legacy flags, rule ids), Terraform's default-egress sequence, group
# references, quotas, paging, bad inputs and account isolation. Sourced by tests/e2e/run-cli.sh.

# sg_perm_json N BASE: one IpPermission for tcp/22 with N /32 CIDRs under BASE (a.b.c).
sg_perm_json() {
  /usr/bin/python3 -c 'import json,sys
n=int(sys.argv[1]); base=sys.argv[2]
print(json.dumps([{"IpProtocol":"tcp","FromPort":22,"ToPort":22,
  "IpRanges":[{"CidrIp":"%s.%d/32" % (base, i)} for i in range(n)]}]))' "$1" "$2"
}

# sg_in REGION ARGS...: awsx in another region.
sg_in() { local r=$1; shift; REGION=$r awsx "$@"; }

# ---- The default VPC's default group, exactly as AWS lays it out.
DEF_VPC=$(awsx ec2 describe-vpcs --filters Name=is-default,Values=true --query 'Vpcs[0].VpcId')
expect_ok "default sg by group-name + vpc-id (Terraform's aws_vpc read)" \
  awsx ec2 describe-security-groups --filters Name=group-name,Values=default Name=vpc-id,Values="$DEF_VPC" \
  --query 'SecurityGroups[].[GroupName,Description,OwnerId,VpcId]'
expect_eq "default sg fields" "default	default VPC security group	000000000000	$DEF_VPC" "$OUT"
DEF_SG=$(awsx ec2 describe-security-groups --filters Name=group-name,Values=default Name=vpc-id,Values="$DEF_VPC" \
  --query 'SecurityGroups[0].GroupId')
expect_match "default sg id is AWS-shaped" '^sg-[0-9a-f]{17}$' "$DEF_SG"
expect_ok "default sg ingress" awsx ec2 describe-security-groups --group-ids "$DEF_SG" \
  --query 'SecurityGroups[0].IpPermissions[].[IpProtocol,UserIdGroupPairs[0].GroupId,UserIdGroupPairs[0].UserId,length(IpRanges)]'
expect_eq "ingress: all traffic from itself" "-1	$DEF_SG	000000000000	0" "$OUT"
expect_ok "default sg egress" awsx ec2 describe-security-groups --group-ids "$DEF_SG" \
  --query 'SecurityGroups[0].IpPermissionsEgress[].[IpProtocol,IpRanges[0].CidrIp,length(Ipv6Ranges)]'
expect_eq "egress: all traffic to 0.0.0.0/0 (no IPv6 in the default VPC)" "-1	0.0.0.0/0	0" "$OUT"
expect_ok "default sg ports are absent for protocol -1" awsx ec2 describe-security-groups \
  --group-ids "$DEF_SG" --query 'SecurityGroups[0].IpPermissionsEgress[0].[FromPort,ToPort]' --output json
expect_eq "no FromPort/ToPort" "[null,null]" "$(echo $OUT | tr -d ' ')"
expect_ok "group-names resolve in the default VPC" awsx ec2 describe-security-groups --group-names default \
  --query 'SecurityGroups[].GroupId'
expect_eq "default by name" "$DEF_SG" "$OUT"
expect_err CannotDelete "delete default sg by id" awsx ec2 delete-security-group --group-id "$DEF_SG"
expect_err CannotDelete "delete default sg by name" awsx ec2 delete-security-group --group-name default
expect_ok "default sg rules by group-id filter" awsx ec2 describe-security-group-rules \
  --filters Name=group-id,Values="$DEF_SG" --query 'SecurityGroupRules[].[IsEgress,IpProtocol,FromPort,ToPort,CidrIpv4||ReferencedGroupInfo.GroupId]'
expect_eq "default sg rules" "False	-1	-1	-1	$DEF_SG
True	-1	-1	-1	0.0.0.0/0" "$OUT"

# ---- A VPC with IPv6: default and new groups also allow ::/0 out.
V6=$(awsx ec2 create-vpc --cidr-block 10.60.0.0/16 --amazon-provided-ipv6-cidr-block --query Vpc.VpcId)
expect_ok "ipv6 vpc default sg egress" awsx ec2 describe-security-groups \
  --filters Name=vpc-id,Values="$V6" Name=group-name,Values=default \
  --query 'SecurityGroups[0].IpPermissionsEgress[0].[IpRanges[0].CidrIp,Ipv6Ranges[0].CidrIpv6]'
expect_eq "default sg of an IPv6 VPC" "0.0.0.0/0	::/0" "$OUT"
expect_ok "create sg in ipv6 vpc" awsx ec2 create-security-group --group-name v6 --description v6 \
  --vpc-id "$V6" --query GroupId
SG6=$OUT
expect_ok "new sg egress in ipv6 vpc" awsx ec2 describe-security-groups --group-ids "$SG6" \
  --query 'SecurityGroups[0].IpPermissionsEgress[0].[IpRanges[0].CidrIp,Ipv6Ranges[0].CidrIpv6]'
expect_eq "new sg allows ::/0 out too" "0.0.0.0/0	::/0" "$OUT"

# ---- Create with tags, read back.
VPC=$(awsx ec2 create-vpc --cidr-block 10.50.0.0/16 --query Vpc.VpcId)
expect_ok "create sg with tags" awsx ec2 create-security-group --group-name web \
  --description "web tier (80/443)" --vpc-id "$VPC" \
  --tag-specifications 'ResourceType=security-group,Tags=[{Key=Name,Value=web},{Key=env,Value=test}]' \
  --query '[GroupId,length(Tags)]'
SG=$(echo "$OUT" | cut -f1)
expect_match "sg id" '^sg-[0-9a-f]{17}$' "$SG"
expect_eq "create reply carries the tags" "2" "$(echo "$OUT" | cut -f2)"
expect_ok "describe new sg" awsx ec2 describe-security-groups --group-ids "$SG" \
  --query 'SecurityGroups[0].[GroupName,Description,VpcId,OwnerId,length(IpPermissions),length(IpPermissionsEgress),length(Tags)]'
expect_eq "new sg fields" "web	web tier (80/443)	$VPC	000000000000	0	1	2" "$OUT"
expect_ok "new sg default egress" awsx ec2 describe-security-groups --group-ids "$SG" \
  --query 'SecurityGroups[0].IpPermissionsEgress[0].[IpProtocol,IpRanges[0].CidrIp,length(Ipv6Ranges)]'
expect_eq "allow all out to 0.0.0.0/0 only" "-1	0.0.0.0/0	0" "$OUT"
expect_ok "filter tag:Name" awsx ec2 describe-security-groups --filters Name=tag:Name,Values=web --query 'SecurityGroups[].GroupId'
expect_eq "tag filter" "$SG" "$OUT"
expect_ok "filter description wildcard" awsx ec2 describe-security-groups \
  --filters 'Name=description,Values=web tier*' Name=owner-id,Values=000000000000 --query 'SecurityGroups[].GroupId'
expect_eq "description filter" "$SG" "$OUT"
expect_ok "filter group-id" awsx ec2 describe-security-groups --filters Name=group-id,Values="$SG" --query 'length(SecurityGroups)'
expect_eq "group-id filter" "1" "$OUT"
expect_ok "vpc has two groups" awsx ec2 describe-security-groups --filters Name=vpc-id,Values="$VPC" \
  --query 'sort(SecurityGroups[].GroupName)' --output json
expect_eq "default + web" '["default","web"]' "$(echo $OUT | tr -d ' ')"
expect_ok "create without vpc-id uses the default VPC" awsx ec2 create-security-group \
  --group-name legacy --description "in the default vpc" --query GroupId
LEGACY=$OUT
expect_ok "legacy group lives in the default VPC" awsx ec2 describe-security-groups --group-names legacy \
  --query 'SecurityGroups[0].[GroupId,VpcId]'
expect_eq "legacy group" "$LEGACY	$DEF_VPC" "$OUT"

# ---- Terraform's aws_security_group create sequence.
expect_ok "tf: revoke default egress 0.0.0.0/0" awsx ec2 revoke-security-group-egress --group-id "$SG" \
  --ip-permissions 'IpProtocol=-1,FromPort=0,ToPort=0,IpRanges=[{CidrIp=0.0.0.0/0}]' --query Return
expect_eq "revoke returns true" "True" "$OUT"
expect_err InvalidPermission.NotFound "tf: revoke ::/0 that does not exist" awsx ec2 revoke-security-group-egress \
  --group-id "$SG" --ip-permissions 'IpProtocol=-1,FromPort=0,ToPort=0,Ipv6Ranges=[{CidrIpv6=::/0}]'
expect_ok "tf: authorize ingress" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=10.0.0.0/8,Description=https}]' \
  --query 'SecurityGroupRules[].[IsEgress,IpProtocol,FromPort,ToPort,CidrIpv4,Description,GroupId,GroupOwnerId]'
expect_eq "ingress rule reply" "False	tcp	443	443	10.0.0.0/8	https	$SG	000000000000" "$OUT"
expect_ok "tf: authorize egress" awsx ec2 authorize-security-group-egress --group-id "$SG" \
  --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=0.0.0.0/0}]' \
  --query 'SecurityGroupRules[0].[IsEgress,SecurityGroupRuleId]'
expect_match "egress rule reply" '^True	sgr-[0-9a-f]{17}$' "$OUT"
EGR=$(echo "$OUT" | cut -f2)
expect_ok "tf: describe rules by group-id" awsx ec2 describe-security-group-rules \
  --filters Name=group-id,Values="$SG" --query 'SecurityGroupRules[].[IsEgress,IpProtocol,FromPort,ToPort,CidrIpv4]'
expect_eq "both rules listed" "False	tcp	443	443	10.0.0.0/8
True	tcp	443	443	0.0.0.0/0" "$OUT"
expect_ok "tf: read back" awsx ec2 describe-security-groups --group-ids "$SG" \
  --query 'SecurityGroups[0].[IpPermissions[0].IpRanges[0].Description,IpPermissionsEgress[0].FromPort,length(IpPermissionsEgress)]'
expect_eq "descriptions and ports" "https	443	1" "$OUT"

# ---- Legacy flags, protocol names and numbers, grouping into IpPermissions.
expect_ok "legacy flags --protocol --port --cidr" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --protocol tcp --port 22 --cidr 192.168.7.9/24 --query 'SecurityGroupRules[0].CidrIpv4'
expect_eq "CIDR canonicalised" "192.168.7.0/24" "$OUT"
expect_ok "second cidr on the same port" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --protocol tcp --port 22 --cidr 172.16.0.0/12
expect_ok "same protocol and ports fold into one IpPermission" awsx ec2 describe-security-groups \
  --group-ids "$SG" --query 'SecurityGroups[0].IpPermissions[?FromPort==`22`].IpRanges[].CidrIp'
expect_eq "two ranges, one permission" "192.168.7.0/24	172.16.0.0/12" "$OUT"
expect_ok "port range" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --protocol udp --port 1000-2000 --cidr 10.1.0.0/16 --query 'SecurityGroupRules[0].[IpProtocol,FromPort,ToPort]'
expect_eq "udp range" "udp	1000	2000" "$OUT"
expect_ok "protocol number 6 is tcp" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --ip-permissions 'IpProtocol=6,FromPort=8080,ToPort=8081,IpRanges=[{CidrIp=10.2.0.0/16}]' \
  --query 'SecurityGroupRules[0].IpProtocol'
expect_eq "6 -> tcp" "tcp" "$OUT"
expect_ok "protocol number 17 is udp" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --ip-permissions 'IpProtocol=17,FromPort=53,ToPort=53,IpRanges=[{CidrIp=10.2.0.0/16}]' \
  --query 'SecurityGroupRules[0].IpProtocol'
expect_eq "17 -> udp" "udp" "$OUT"
expect_ok "icmp echo" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --ip-permissions 'IpProtocol=1,FromPort=8,ToPort=-1,IpRanges=[{CidrIp=10.3.0.0/16}]' \
  --query 'SecurityGroupRules[0].[IpProtocol,FromPort,ToPort]'
expect_eq "1 -> icmp, type 8" "icmp	8	-1" "$OUT"
expect_ok "gre ignores ports" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --ip-permissions 'IpProtocol=47,FromPort=10,ToPort=20,IpRanges=[{CidrIp=10.4.0.0/16}]' \
  --query 'SecurityGroupRules[0].[IpProtocol,FromPort,ToPort]'
expect_eq "47 keeps its number, ports -1" "47	-1	-1" "$OUT"
expect_ok "gre permission has no ports" awsx ec2 describe-security-groups --group-ids "$SG" \
  --query 'SecurityGroups[0].IpPermissions[?IpProtocol==`"47"`].[FromPort,ToPort]' --output json
expect_eq "no FromPort/ToPort for 47" "[[null,null]]" "$(echo $OUT | tr -d ' ')"
expect_ok "upper-case TCP and all" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --ip-permissions 'IpProtocol=TCP,FromPort=9000,ToPort=9000,IpRanges=[{CidrIp=10.5.0.0/16}]' \
  'IpProtocol=all,IpRanges=[{CidrIp=10.6.0.0/16}]' --query 'SecurityGroupRules[].IpProtocol'
expect_eq "TCP -> tcp, all -> -1" "tcp	-1" "$OUT"
expect_ok "ipv6 and icmpv6" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --ip-permissions 'IpProtocol=58,Ipv6Ranges=[{CidrIpv6=2001:DB8::1/64,Description=v6}]' \
  --query 'SecurityGroupRules[0].[IpProtocol,FromPort,ToPort,CidrIpv6,Description]'
expect_eq "icmpv6 without ports is all types" "icmpv6	-1	-1	2001:db8::/64	v6" "$OUT"
expect_ok "filter ip-permission.cidr" awsx ec2 describe-security-groups \
  --filters Name=ip-permission.cidr,Values=172.16.0.0/12 --query 'SecurityGroups[].GroupId'
expect_eq "ingress cidr filter" "$SG" "$OUT"
expect_ok "filter ip-permission.ipv6-cidr" awsx ec2 describe-security-groups \
  --filters Name=ip-permission.ipv6-cidr,Values=2001:db8::/64 --query 'SecurityGroups[].GroupId'
expect_eq "ingress ipv6 filter" "$SG" "$OUT"
expect_ok "filter ip-permission.from-port + protocol" awsx ec2 describe-security-groups \
  --filters Name=ip-permission.from-port,Values=1000 Name=ip-permission.protocol,Values=udp \
  Name=ip-permission.to-port,Values=2000 --query 'SecurityGroups[].GroupId'
expect_eq "port filters" "$SG" "$OUT"
expect_ok "filter egress.ip-permission.cidr" awsx ec2 describe-security-groups \
  --filters Name=egress.ip-permission.cidr,Values=0.0.0.0/0 Name=vpc-id,Values="$VPC" \
  --query 'sort(SecurityGroups[].GroupName)' --output json
expect_eq "egress cidr filter" '["default","web"]' "$(echo $OUT | tr -d ' ')"
expect_ok "ingress cidr filter does not see egress" awsx ec2 describe-security-groups \
  --filters Name=ip-permission.cidr,Values=0.0.0.0/0 Name=vpc-id,Values="$VPC" --query 'length(SecurityGroups)'
expect_eq "no group allows 0.0.0.0/0 in" "0" "$OUT"

# ---- Group references.
expect_ok "create app sg" awsx ec2 create-security-group --group-name app --description app --vpc-id "$VPC" --query GroupId
APP=$OUT
expect_ok "reference app from web (--source-group)" awsx ec2 authorize-security-group-ingress \
  --group-id "$SG" --protocol tcp --port 5432 --source-group "$APP" \
  --query 'SecurityGroupRules[0].[ReferencedGroupInfo.GroupId,ReferencedGroupInfo.UserId]'
expect_eq "referenced group info" "$APP	000000000000" "$OUT"
expect_ok "pair in describe" awsx ec2 describe-security-groups --group-ids "$SG" \
  --query 'SecurityGroups[0].IpPermissions[?FromPort==`5432`].UserIdGroupPairs[].[GroupId,UserId]'
expect_eq "user id group pair" "$APP	000000000000" "$OUT"
expect_ok "reference by GroupName in the same VPC" awsx ec2 authorize-security-group-egress --group-id "$SG" \
  --ip-permissions 'IpProtocol=tcp,FromPort=6379,ToPort=6379,UserIdGroupPairs=[{GroupName=app,Description=redis}]' \
  --query 'SecurityGroupRules[0].[ReferencedGroupInfo.GroupId,Description]'
expect_eq "group name resolved" "$APP	redis" "$OUT"
expect_ok "filter ip-permission.group-id" awsx ec2 describe-security-groups \
  --filters Name=ip-permission.group-id,Values="$APP" --query 'SecurityGroups[].GroupId'
expect_eq "group reference filter" "$SG" "$OUT"
expect_ok "filter egress.ip-permission.group-name" awsx ec2 describe-security-groups \
  --filters Name=egress.ip-permission.group-name,Values=app --query 'SecurityGroups[].GroupId'
expect_eq "egress group-name filter" "$SG" "$OUT"
expect_err DependencyViolation "delete a referenced group" awsx ec2 delete-security-group --group-id "$APP"
expect_ok "self reference is fine" awsx ec2 authorize-security-group-ingress --group-id "$APP" \
  --protocol tcp --port 7000 --source-group "$APP"
expect_err InvalidGroup.NotFound "reference a group of another VPC" awsx ec2 authorize-security-group-ingress \
  --group-id "$SG" --protocol tcp --port 1 --source-group "$LEGACY"
expect_err InvalidGroup.NotFound "reference a missing group" awsx ec2 authorize-security-group-ingress \
  --group-id "$SG" --protocol tcp --port 1 --source-group sg-0123456789abcdef0
expect_err InvalidGroupId.Malformed "reference a malformed group id" awsx ec2 authorize-security-group-ingress \
  --group-id "$SG" --ip-permissions 'IpProtocol=tcp,FromPort=1,ToPort=1,UserIdGroupPairs=[{GroupId=sg-nothex}]'

# ---- Rules by id: describe, modify, update descriptions, revoke.
expect_ok "rule id of 22/192.168.7.0/24" awsx ec2 describe-security-group-rules \
  --filters Name=group-id,Values="$SG" --query 'SecurityGroupRules[?CidrIpv4==`192.168.7.0/24`].SecurityGroupRuleId'
R22=$OUT
expect_match "rule id shape" '^sgr-[0-9a-f]{17}$' "$R22"
expect_ok "describe rule by id" awsx ec2 describe-security-group-rules --security-group-rule-ids "$R22" \
  --query 'SecurityGroupRules[].[GroupId,IpProtocol,FromPort,ToPort,CidrIpv4]'
expect_eq "rule by id" "$SG	tcp	22	22	192.168.7.0/24" "$OUT"
expect_ok "filter security-group-rule-id" awsx ec2 describe-security-group-rules \
  --filters Name=security-group-rule-id,Values="$R22" --query 'length(SecurityGroupRules)'
expect_eq "rule id filter" "1" "$OUT"
expect_ok "modify rule" awsx ec2 modify-security-group-rules --group-id "$SG" --security-group-rules \
  "SecurityGroupRuleId=$R22,SecurityGroupRule={IpProtocol=tcp,FromPort=2222,ToPort=2223,CidrIpv4=192.168.8.0/24,Description=moved}" \
  --query Return
expect_eq "modify returns true" "True" "$OUT"
expect_ok "modified rule keeps its id" awsx ec2 describe-security-group-rules --security-group-rule-ids "$R22" \
  --query 'SecurityGroupRules[].[IpProtocol,FromPort,ToPort,CidrIpv4,Description]'
expect_eq "modified fields" "tcp	2222	2223	192.168.8.0/24	moved" "$OUT"
expect_err InvalidPermission.Duplicate "modify into an existing rule" awsx ec2 modify-security-group-rules \
  --group-id "$SG" --security-group-rules \
  "SecurityGroupRuleId=$R22,SecurityGroupRule={IpProtocol=tcp,FromPort=22,ToPort=22,CidrIpv4=172.16.0.0/12}"
expect_ok "update description by IpPermissions" awsx ec2 update-security-group-rule-descriptions-ingress \
  --group-id "$SG" --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=172.16.0.0/12,Description=office}]' \
  --query Return
expect_ok "description updated" awsx ec2 describe-security-group-rules --filters Name=group-id,Values="$SG" \
  --query 'SecurityGroupRules[?CidrIpv4==`172.16.0.0/12`].Description'
expect_eq "office" "office" "$OUT"
expect_ok "update egress description by rule id" awsx ec2 update-security-group-rule-descriptions-egress \
  --group-id "$SG" --security-group-rule-descriptions "SecurityGroupRuleId=$EGR,Description=all https out"
expect_ok "egress description updated" awsx ec2 describe-security-group-rules --security-group-rule-ids "$EGR" \
  --query 'SecurityGroupRules[0].Description'
expect_eq "egress description" "all https out" "$OUT"
expect_err InvalidPermission.NotFound "update description of a missing rule" awsx ec2 update-security-group-rule-descriptions-ingress \
  --group-id "$SG" --ip-permissions 'IpProtocol=tcp,FromPort=1,ToPort=1,IpRanges=[{CidrIp=1.1.1.1/32,Description=x}]'
expect_ok "revoke by rule id" awsx ec2 revoke-security-group-ingress --group-id "$SG" \
  --security-group-rule-ids "$R22" --query Return
expect_eq "revoke by id returns true" "True" "$OUT"
expect_err InvalidSecurityGroupRuleId.NotFound "revoked rule is gone" awsx ec2 describe-security-group-rules \
  --security-group-rule-ids "$R22"
expect_err InvalidSecurityGroupRuleId.NotFound "revoke unknown rule id" awsx ec2 revoke-security-group-ingress \
  --group-id "$SG" --security-group-rule-ids sgr-0123456789abcdef0
expect_err InvalidSecurityGroupRuleId.NotFound "egress rule id on the ingress side" awsx ec2 revoke-security-group-ingress \
  --group-id "$SG" --security-group-rule-ids "$EGR"
expect_err InvalidSecurityGroupRuleId.Malformed "malformed rule id" awsx ec2 revoke-security-group-ingress \
  --group-id "$SG" --security-group-rule-ids sgr-xyz
expect_ok "revoke with legacy flags" awsx ec2 revoke-security-group-ingress --group-id "$SG" \
  --protocol udp --port 1000-2000 --cidr 10.1.0.0/16
expect_ok "revoke by spec ignores the description" awsx ec2 revoke-security-group-ingress --group-id "$SG" \
  --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=172.16.0.0/12,Description=other}]'

# ---- Tags on rules.
expect_ok "authorize with rule tags" awsx ec2 authorize-security-group-ingress --group-id "$APP" \
  --ip-permissions 'IpProtocol=tcp,FromPort=8000,ToPort=8000,IpRanges=[{CidrIp=10.9.0.0/16}]' \
  --tag-specifications 'ResourceType=security-group-rule,Tags=[{Key=team,Value=blue}]' \
  --query 'SecurityGroupRules[0].[Tags[0].Key,Tags[0].Value]'
expect_eq "rule tags in the reply" "team	blue" "$OUT"
expect_ok "rules by tag filter" awsx ec2 describe-security-group-rules --filters Name=tag:team,Values=blue \
  --query 'SecurityGroupRules[].[GroupId,FromPort]'
expect_eq "tagged rule" "$APP	8000" "$OUT"
expect_err InvalidParameterValue "rule tags with the wrong resource type" awsx ec2 authorize-security-group-ingress \
  --group-id "$APP" --protocol tcp --port 8001 --cidr 10.9.0.0/16 \
  --tag-specifications 'ResourceType=security-group,Tags=[{Key=a,Value=b}]'

# ---- Quotas: 60 rules per direction per family.
QG=$(awsx ec2 create-security-group --group-name quota --description quota --vpc-id "$VPC" --query GroupId)
expect_ok "60 ingress rules in one call" awsx ec2 authorize-security-group-ingress --group-id "$QG" \
  --ip-permissions "$(sg_perm_json 60 10.99.0)" --query 'length(SecurityGroupRules)'
expect_eq "60 rules created" "60" "$OUT"
expect_err RulesPerSecurityGroupLimitExceeded "61st ingress rule" awsx ec2 authorize-security-group-ingress \
  --group-id "$QG" --protocol tcp --port 22 --cidr 10.98.0.1/32
expect_ok "IPv6 rules count separately" awsx ec2 authorize-security-group-ingress --group-id "$QG" \
  --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,Ipv6Ranges=[{CidrIpv6=2001:db8::/48}]'
expect_err RulesPerSecurityGroupLimitExceeded "a group reference counts in IPv4 too" \
  awsx ec2 authorize-security-group-ingress --group-id "$QG" --protocol tcp --port 22 --source-group "$APP"
expect_ok "egress still has room" awsx ec2 authorize-security-group-egress --group-id "$QG" \
  --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=10.98.0.1/32}]'
expect_ok "still 60 IPv4 ingress rules" awsx ec2 describe-security-group-rules \
  --filters Name=group-id,Values="$QG" --query 'length(SecurityGroupRules[?!IsEgress && CidrIpv4])'
expect_eq "failed call added nothing" "60" "$OUT"
expect_err RulesPerSecurityGroupLimitExceeded "61 rules in one call are refused whole" \
  awsx ec2 authorize-security-group-ingress --group-id "$SG6" --ip-permissions "$(sg_perm_json 61 10.97.0)"
expect_ok "nothing added by the refused call" awsx ec2 describe-security-groups --group-ids "$SG6" \
  --query 'length(SecurityGroups[0].IpPermissions)'
expect_eq "all or nothing" "0" "$OUT"

# ---- Paging.
expect_ok "describe-security-groups page of 5" awsx ec2 describe-security-groups --max-results 5 \
  --no-paginate --query '[length(SecurityGroups),NextToken!=`null`]'
expect_eq "5 groups and a token" "5	True" "$OUT"
expect_ok "all groups via the paginator" awsx ec2 describe-security-groups --page-size 5 --query 'SecurityGroups[].GroupId'
PAGED=$(echo "$OUT" | tr '\t' '\n')
expect_ok "all groups in one call" awsx ec2 describe-security-groups --query 'SecurityGroups[].GroupId'
expect_eq "paging returns every group once, in order" "$(echo "$OUT" | tr '\t' '\n')" "$PAGED"
expect_ok "rules paged by 7" awsx ec2 describe-security-group-rules --filters Name=group-id,Values="$QG" \
  --page-size 7 --query 'SecurityGroupRules[].SecurityGroupRuleId'
expect_eq "63 distinct rules across pages" "63" "$(echo "$OUT" | tr '\t' '\n' | sort -u | wc -l)"
expect_ok "rules page of 5" awsx ec2 describe-security-group-rules --max-results 5 --no-paginate \
  --query '[length(SecurityGroupRules),NextToken!=`null`]'
expect_eq "5 rules and a token" "5	True" "$OUT"
expect_err InvalidParameterValue "MaxResults above 1000" awsx ec2 describe-security-groups --max-results 1001 --no-paginate
expect_err InvalidParameterValue "rules MaxResults above 1000" awsx ec2 describe-security-group-rules \
  --max-results 1001 --no-paginate

# ---- Bad inputs, each with AWS's exact code.
expect_err InvalidGroup.Duplicate "duplicate group name in a VPC" awsx ec2 create-security-group \
  --group-name web --description again --vpc-id "$VPC"
expect_ok "same name in another VPC is fine" awsx ec2 create-security-group --group-name web \
  --description "web in v6" --vpc-id "$V6" --query GroupId
WEB6=$OUT
expect_err InvalidGroup.Reserved "name default" awsx ec2 create-security-group --group-name default \
  --description x --vpc-id "$VPC"
expect_err InvalidParameterValue "name starting with sg-" awsx ec2 create-security-group --group-name sg-web \
  --description x --vpc-id "$VPC"
expect_err InvalidParameterValue "name with a bad character" awsx ec2 create-security-group --group-name 'web^1' \
  --description x --vpc-id "$VPC"
expect_err InvalidParameterValue "name longer than 255" awsx ec2 create-security-group \
  --group-name "$(printf 'a%.0s' $(seq 256))" --description x --vpc-id "$VPC"
expect_err MissingParameter "empty description" awsx ec2 create-security-group --group-name nodesc \
  --description "" --vpc-id "$VPC"
expect_err InvalidVpcID.NotFound "unknown vpc" awsx ec2 create-security-group --group-name x --description x \
  --vpc-id vpc-0123456789abcdef0
expect_err InvalidVpcID.Malformed "malformed vpc" awsx ec2 create-security-group --group-name x --description x \
  --vpc-id vpc-zz
expect_err InvalidPermission.Duplicate "duplicate rule" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --protocol tcp --port 443 --cidr 10.0.0.0/8
expect_err InvalidPermission.Duplicate "duplicate of the canonical CIDR" awsx ec2 authorize-security-group-ingress \
  --group-id "$SG" --protocol tcp --port 443 --cidr 10.1.2.3/8
expect_err InvalidParameterValue "same rule twice in one request" awsx ec2 authorize-security-group-ingress \
  --group-id "$SG" --ip-permissions 'IpProtocol=tcp,FromPort=1,ToPort=1,IpRanges=[{CidrIp=9.9.9.9/32},{CidrIp=9.9.9.9/32}]'
expect_err InvalidPermission.NotFound "revoke a missing rule" awsx ec2 revoke-security-group-ingress --group-id "$SG" \
  --protocol tcp --port 444 --cidr 10.0.0.0/8
expect_err InvalidParameterValue "bad CIDR /33" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --protocol tcp --port 1 --cidr 10.0.0.0/33
expect_err InvalidParameterValue "IPv6 CIDR as CidrIp" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --ip-permissions 'IpProtocol=tcp,FromPort=1,ToPort=1,IpRanges=[{CidrIp=::/0}]'
expect_err InvalidParameterValue "IPv4 CIDR in Ipv6Ranges" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --ip-permissions 'IpProtocol=tcp,FromPort=1,ToPort=1,Ipv6Ranges=[{CidrIpv6=10.0.0.0/8}]'
expect_err InvalidParameterValue "from port > to port" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --ip-permissions 'IpProtocol=tcp,FromPort=30,ToPort=20,IpRanges=[{CidrIp=9.9.9.9/32}]'
expect_err InvalidParameterValue "port 70000" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --protocol tcp --port 70000 --cidr 9.9.9.9/32
expect_err InvalidParameterValue "tcp without ports" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --ip-permissions 'IpProtocol=tcp,IpRanges=[{CidrIp=9.9.9.9/32}]'
expect_err InvalidParameterValue "icmp type -1 with a code" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --ip-permissions 'IpProtocol=icmp,FromPort=-1,ToPort=3,IpRanges=[{CidrIp=9.9.9.9/32}]'
expect_err InvalidParameterValue "icmp code 256" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --ip-permissions 'IpProtocol=icmp,FromPort=3,ToPort=256,IpRanges=[{CidrIp=9.9.9.9/32}]'
expect_err InvalidParameterValue "bad protocol name" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --ip-permissions 'IpProtocol=tcpx,FromPort=1,ToPort=1,IpRanges=[{CidrIp=9.9.9.9/32}]'
expect_err InvalidParameterValue "protocol number 256" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --ip-permissions 'IpProtocol=256,IpRanges=[{CidrIp=9.9.9.9/32}]'
expect_err InvalidParameterValue "bad rule description" awsx ec2 authorize-security-group-ingress --group-id "$SG" \
  --ip-permissions 'IpProtocol=tcp,FromPort=1,ToPort=1,IpRanges=[{CidrIp=9.9.9.9/32,Description=bad^desc}]'
expect_err InvalidPrefixListID.NotFound "unknown prefix list" awsx ec2 authorize-security-group-egress --group-id "$SG" \
  --ip-permissions 'IpProtocol=tcp,FromPort=1,ToPort=1,PrefixListIds=[{PrefixListId=pl-0123456789abcdef0}]'
expect_err InvalidPrefixListId.Malformed "malformed prefix list" awsx ec2 authorize-security-group-egress --group-id "$SG" \
  --ip-permissions 'IpProtocol=tcp,FromPort=1,ToPort=1,PrefixListIds=[{PrefixListId=pl-zz}]'
expect_err InvalidGroup.NotFound "unknown group" awsx ec2 describe-security-groups --group-ids sg-0123456789abcdef0
expect_err InvalidGroupId.Malformed "malformed group id" awsx ec2 describe-security-groups --group-ids sg-12
expect_err InvalidGroupId.Malformed "malformed group id on authorize" awsx ec2 authorize-security-group-ingress \
  --group-id bogus --protocol tcp --port 1 --cidr 9.9.9.9/32
expect_err InvalidGroup.NotFound "unknown group name" awsx ec2 describe-security-groups --group-names nosuch
expect_err InvalidGroup.NotFound "delete unknown group" awsx ec2 delete-security-group --group-id sg-0123456789abcdef0
expect_err InvalidParameterValue "unknown filter" awsx ec2 describe-security-groups --filters Name=bogus,Values=x
expect_err InvalidParameterValue "unknown rules filter" awsx ec2 describe-security-group-rules --filters Name=bogus,Values=x

# ---- Prefix-list peers (when the prefix-list family is present).
PL=$(awsx ec2 create-managed-prefix-list --prefix-list-name office --address-family IPv4 --max-entries 10 \
  --query PrefixList.PrefixListId 2>/dev/null)
if [[ $PL == pl-* ]]; then
  expect_ok "prefix-list peer" awsx ec2 authorize-security-group-egress --group-id "$SG" \
    --ip-permissions "IpProtocol=tcp,FromPort=25,ToPort=25,PrefixListIds=[{PrefixListId=$PL,Description=mail}]" \
    --query 'SecurityGroupRules[0].[PrefixListId,Description]'
  expect_eq "prefix list rule" "$PL	mail" "$OUT"
  expect_ok "prefix list in describe" awsx ec2 describe-security-groups --group-ids "$SG" \
    --query 'SecurityGroups[0].IpPermissionsEgress[?FromPort==`25`].PrefixListIds[].PrefixListId'
  expect_eq "prefixListIds" "$PL" "$OUT"
  expect_ok "filter egress.ip-permission.prefix-list-id" awsx ec2 describe-security-groups \
    --filters Name=egress.ip-permission.prefix-list-id,Values="$PL" --query 'SecurityGroups[].GroupId'
  expect_eq "prefix list filter" "$SG" "$OUT"
  # 55 IPv4 rules + a list of max 10 entries would be 65 > 60.
  expect_ok "55 egress rules" awsx ec2 authorize-security-group-egress --group-id "$QG" \
    --ip-permissions "$(sg_perm_json 55 10.96.0)"
  expect_err RulesPerSecurityGroupLimitExceeded "a prefix list counts as its max entries" \
    awsx ec2 authorize-security-group-egress --group-id "$QG" \
    --ip-permissions "IpProtocol=tcp,FromPort=25,ToPort=25,PrefixListIds=[{PrefixListId=$PL}]"
  expect_ok "revoke the prefix-list rule" awsx ec2 revoke-security-group-egress --group-id "$SG" \
    --ip-permissions "IpProtocol=tcp,FromPort=25,ToPort=25,PrefixListIds=[{PrefixListId=$PL}]"
fi

# ---- Isolation: another account sees none of this.
expect_err InvalidGroup.NotFound "acct1 cannot describe acct0's group" aws_acct1 ec2 describe-security-groups --group-ids "$SG"
expect_err InvalidGroup.NotFound "acct1 cannot authorize on acct0's group" aws_acct1 ec2 authorize-security-group-ingress \
  --group-id "$SG" --protocol tcp --port 1 --cidr 9.9.9.9/32
expect_err InvalidGroup.NotFound "acct1 cannot delete acct0's group" aws_acct1 ec2 delete-security-group --group-id "$APP"
expect_err InvalidSecurityGroupRuleId.NotFound "acct1 cannot see acct0's rules" aws_acct1 ec2 describe-security-group-rules \
  --security-group-rule-ids "$EGR"
A1_SG=$(aws_acct1 ec2 create-security-group --group-name web --description "acct1 web" --query GroupId)
expect_match "acct1 may reuse the name in its own default VPC" '^sg-' "$A1_SG"
expect_err InvalidGroup.NotFound "acct1 cannot reference acct0's group" aws_acct1 ec2 authorize-security-group-ingress \
  --group-id "$A1_SG" --ip-permissions "IpProtocol=tcp,FromPort=1,ToPort=1,UserIdGroupPairs=[{GroupId=$APP,UserId=000000000000}]"
expect_ok "acct1 sees only its own groups" aws_acct1 ec2 describe-security-groups --query "length(SecurityGroups[?OwnerId!='111111111111'])"
expect_eq "no foreign groups" "0" "$OUT"
expect_ok "another region has its own default sg" sg_in eu-west-1 ec2 describe-security-groups \
  --group-names default --query 'SecurityGroups[0].GroupId'
expect_match "eu-west-1 default sg" '^sg-' "$OUT"
[ "$OUT" != "$DEF_SG" ] && ok "regions have distinct default groups" || fail "same default sg across regions"

# ---- Delete.
expect_ok "revoke the reference, then delete app" awsx ec2 revoke-security-group-ingress --group-id "$SG" \
  --protocol tcp --port 5432 --source-group "$APP"
expect_ok "revoke the egress reference" awsx ec2 revoke-security-group-egress --group-id "$SG" \
  --ip-permissions "IpProtocol=tcp,FromPort=6379,ToPort=6379,UserIdGroupPairs=[{GroupId=$APP}]"
expect_ok "delete app (self reference does not block)" awsx ec2 delete-security-group --group-id "$APP"
expect_err InvalidGroup.NotFound "deleted group is gone" awsx ec2 describe-security-groups --group-ids "$APP"
expect_ok "delete by name in the default VPC" awsx ec2 delete-security-group --group-name legacy
expect_err InvalidGroup.NotFound "deleted by name" awsx ec2 describe-security-groups --group-names legacy
expect_err DependencyViolation "vpc with groups cannot be deleted" awsx ec2 delete-vpc --vpc-id "$VPC"
for g in "$SG" "$QG"; do expect_ok "delete $g" awsx ec2 delete-security-group --group-id "$g"; done
expect_ok "delete vpc once only its default group is left" awsx ec2 delete-vpc --vpc-id "$VPC"
expect_ok "default group went with the vpc" awsx ec2 describe-security-groups --filters Name=vpc-id,Values="$VPC" \
  --query 'length(SecurityGroups)'
expect_eq "no groups left in the deleted vpc" "0" "$OUT"
for g in "$SG6" "$WEB6"; do awsx ec2 delete-security-group --group-id "$g" >/dev/null; done
expect_ok "delete ipv6 vpc" awsx ec2 delete-vpc --vpc-id "$V6"
