"""Security groups through boto3: default groups, lifecycle, rules in every form, Terraform's
default-egress sequence, references, rule ids, quotas, paging, persistence and isolation."""
import re

import botocore.exceptions
import pytest

from conftest import Vpcd, error_code

ACCT = "000000000000"


def expect_error(code, fn, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn(**kw)
    assert error_code(e) == code, e.value.response["Error"]
    return e.value.response["Error"]["Message"]


def default_vpc(ec2):
    return ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]


def group(ec2, gid):
    return ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]


def rules_of(ec2, gid):
    return ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [gid]}])["SecurityGroupRules"]


def tcp(port, cidr=None, to=None, **extra):
    p = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port if to is None else to}
    if cidr:
        p["IpRanges"] = [{"CidrIp": cidr}]
    p.update(extra)
    return p


ALL_OUT = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [],
           "PrefixListIds": [], "UserIdGroupPairs": []}


def test_default_group_shape(vpcd):
    ec2 = vpcd.client(region="ap-south-1")
    vpc = default_vpc(ec2)
    sgs = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]},
                                                {"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]
    assert len(sgs) == 1
    g = sgs[0]
    assert re.fullmatch(r"sg-[0-9a-f]{17}", g["GroupId"])
    assert g["GroupName"] == "default"
    assert g["Description"] == "default VPC security group"
    assert g["OwnerId"] == ACCT and g["VpcId"] == vpc
    assert g["IpPermissions"] == [{
        "IpProtocol": "-1", "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [],
        "UserIdGroupPairs": [{"GroupId": g["GroupId"], "UserId": ACCT}]}]
    assert g["IpPermissionsEgress"] == [ALL_OUT]
    by_name = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"]
    assert [s["GroupId"] for s in by_name] == [g["GroupId"]]
    expect_error("CannotDelete", ec2.delete_security_group, GroupId=g["GroupId"])
    msg = expect_error("CannotDelete", ec2.delete_security_group, GroupName="default")
    assert msg == f'the specified group: "{g["GroupId"]}" name: "default" cannot be deleted by a user'
    rules = rules_of(ec2, g["GroupId"])
    assert [(r["IsEgress"], r["IpProtocol"], r["FromPort"], r["ToPort"]) for r in rules] == \
        [(False, "-1", -1, -1), (True, "-1", -1, -1)]
    assert rules[0]["ReferencedGroupInfo"] == {"GroupId": g["GroupId"], "UserId": ACCT}
    assert rules[1]["CidrIpv4"] == "0.0.0.0/0"
    assert all(r["GroupOwnerId"] == ACCT and r["GroupId"] == g["GroupId"] for r in rules)
    assert all(re.fullmatch(r"sgr-[0-9a-f]{17}", r["SecurityGroupRuleId"]) for r in rules)
    # aws_default_security_group adopts the group: it revokes what Describe returned, verbatim,
    # then authorizes its configuration (here: the same rules back).
    ec2.revoke_security_group_ingress(GroupId=g["GroupId"], IpPermissions=g["IpPermissions"])
    ec2.revoke_security_group_egress(GroupId=g["GroupId"], IpPermissions=g["IpPermissionsEgress"])
    empty = group(ec2, g["GroupId"])
    assert empty["IpPermissions"] == [] and empty["IpPermissionsEgress"] == []
    ec2.authorize_security_group_ingress(GroupId=g["GroupId"], IpPermissions=g["IpPermissions"])
    ec2.authorize_security_group_egress(GroupId=g["GroupId"], IpPermissions=g["IpPermissionsEgress"])
    assert group(ec2, g["GroupId"]) == g


def test_ipv6_vpc_groups_allow_ipv6_out(vpcd):
    ec2 = vpcd.client(region="ap-south-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    dflt = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]
    assert [g["GroupName"] for g in dflt] == ["default"]
    v6_out = dict(ALL_OUT, Ipv6Ranges=[{"CidrIpv6": "::/0"}])
    assert dflt[0]["IpPermissionsEgress"] == [v6_out]
    gid = ec2.create_security_group(GroupName="g", Description="g", VpcId=vpc)["GroupId"]
    assert group(ec2, gid)["IpPermissionsEgress"] == [v6_out]
    # Terraform's sequence: both default egress rules exist here, so both revokes succeed.
    ec2.revoke_security_group_egress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "-1", "FromPort": 0, "ToPort": 0, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.revoke_security_group_egress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "-1", "FromPort": 0, "ToPort": 0, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    assert group(ec2, gid)["IpPermissionsEgress"] == []
    ec2.delete_security_group(GroupId=gid)
    ec2.delete_vpc(VpcId=vpc)


def test_create_describe_filters(vpcd):
    ec2 = vpcd.client(region="eu-central-1")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    r = ec2.create_security_group(
        GroupName="web tier", Description="Web: 80,443 (public)", VpcId=vpc,
        TagSpecifications=[{"ResourceType": "security-group",
                            "Tags": [{"Key": "Name", "Value": "web"}, {"Key": "env", "Value": "t"}]}])
    gid = r["GroupId"]
    assert re.fullmatch(r"sg-[0-9a-f]{17}", gid)
    assert r["Tags"] == [{"Key": "Name", "Value": "web"}, {"Key": "env", "Value": "t"}]
    g = group(ec2, gid)
    assert (g["GroupName"], g["Description"], g["VpcId"], g["OwnerId"]) == \
        ("web tier", "Web: 80,443 (public)", vpc, ACCT)
    assert g["IpPermissions"] == [] and g["IpPermissionsEgress"] == [ALL_OUT]
    assert g["Tags"] == r["Tags"]
    untagged = ec2.create_security_group(GroupName="plain", Description="plain", VpcId=vpc)
    assert "Tags" not in untagged
    for flt in ({"Name": "group-id", "Values": [gid]},
                {"Name": "group-name", "Values": ["web*"]},
                {"Name": "description", "Values": ["Web: 80,443 (public)"]},
                {"Name": "tag:env", "Values": ["t"]},
                {"Name": "tag-key", "Values": ["Name"]}):
        got = ec2.describe_security_groups(Filters=[flt, {"Name": "vpc-id", "Values": [vpc]}])
        assert [s["GroupId"] for s in got["SecurityGroups"]] == [gid], flt
    got = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                {"Name": "owner-id", "Values": [ACCT]}])
    assert sorted(s["GroupName"] for s in got["SecurityGroups"]) == ["default", "plain", "web tier"]
    # Without VpcId the group goes to the default VPC, where GroupName resolves.
    legacy = ec2.create_security_group(GroupName="legacy", Description="d")["GroupId"]
    assert group(ec2, legacy)["VpcId"] == default_vpc(ec2)
    assert ec2.describe_security_groups(GroupNames=["legacy"])["SecurityGroups"][0]["GroupId"] == legacy
    both = ec2.describe_security_groups(GroupIds=[gid], GroupNames=["legacy"])["SecurityGroups"]
    assert sorted(s["GroupId"] for s in both) == sorted([gid, legacy])
    # Trailing spaces are dropped from names, as AWS does.
    trimmed = ec2.create_security_group(GroupName="spaced  ", Description="d  ", VpcId=vpc)["GroupId"]
    assert (group(ec2, trimmed)["GroupName"], group(ec2, trimmed)["Description"]) == ("spaced", "d")
    for g2 in (gid, untagged["GroupId"], legacy, trimmed):
        ec2.delete_security_group(GroupId=g2)
    expect_error("InvalidGroup.NotFound", ec2.describe_security_groups, GroupIds=[gid])
    ec2.delete_vpc(VpcId=vpc)


def test_terraform_create_sequence(vpcd):
    ec2 = vpcd.client(region="eu-west-2")
    vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    gid = ec2.create_security_group(GroupName="tf", Description="Managed by Terraform",
                                    VpcId=vpc)["GroupId"]
    assert ec2.revoke_security_group_egress(GroupId=gid, IpPermissions=[
        {"FromPort": 0, "ToPort": 0, "IpProtocol": "-1",
         "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])["Return"] is True
    msg = expect_error("InvalidPermission.NotFound", ec2.revoke_security_group_egress, GroupId=gid,
                       IpPermissions=[{"FromPort": 0, "ToPort": 0, "IpProtocol": "-1",
                                       "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    assert msg == "The specified rule does not exist in this security group."
    ing = ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        tcp(22, IpRanges=[{"CidrIp": "10.0.0.0/8", "Description": "ssh"}])])
    assert ing["Return"] is True
    [rule] = ing["SecurityGroupRules"]
    assert {k: v for k, v in rule.items() if k != "SecurityGroupRuleId"} == {
        "GroupId": gid, "GroupOwnerId": ACCT, "IsEgress": False, "IpProtocol": "tcp",
        "FromPort": 22, "ToPort": 22, "CidrIpv4": "10.0.0.0/8", "Description": "ssh", "Tags": []}
    eg = ec2.authorize_security_group_egress(GroupId=gid, IpPermissions=[tcp(443, "0.0.0.0/0")])
    [erule] = eg["SecurityGroupRules"]
    assert erule["IsEgress"] is True and "Description" not in erule
    got = rules_of(ec2, gid)
    assert [r["SecurityGroupRuleId"] for r in got] == [rule["SecurityGroupRuleId"],
                                                       erule["SecurityGroupRuleId"]]
    assert got[0] == rule
    g = group(ec2, gid)
    assert g["IpPermissions"] == [{"FromPort": 22, "ToPort": 22, "IpProtocol": "tcp",
                                   "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "ssh"}],
                                   "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}]
    assert g["IpPermissionsEgress"] == [{"FromPort": 443, "ToPort": 443, "IpProtocol": "tcp",
                                         "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [],
                                         "PrefixListIds": [], "UserIdGroupPairs": []}]
    # revoke_rules_on_delete: DescribeSecurityGroupRules then Revoke* by rule ids, then delete.
    ec2.revoke_security_group_ingress(GroupId=gid, SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])
    ec2.revoke_security_group_egress(GroupId=gid, SecurityGroupRuleIds=[erule["SecurityGroupRuleId"]])
    assert rules_of(ec2, gid) == []
    ec2.delete_security_group(GroupId=gid)
    expect_error("InvalidGroup.NotFound", ec2.describe_security_groups, GroupIds=[gid])
    ec2.delete_vpc(VpcId=vpc)


def test_protocols_ports_and_grouping(vpcd):
    ec2 = vpcd.client(region="eu-west-3")
    gid = ec2.create_security_group(GroupName="p", Description="p")["GroupId"]
    rules = ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "6", "FromPort": 80, "ToPort": 80,
         "IpRanges": [{"CidrIp": "10.0.0.9/16"}, {"CidrIp": "192.168.0.0/24"}],
         "Ipv6Ranges": [{"CidrIpv6": "2001:DB8:0:0::1/64"}]},
        {"IpProtocol": "17", "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]},
        {"IpProtocol": "icmp", "FromPort": 3, "ToPort": 4, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]},
        {"IpProtocol": "58", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
        {"IpProtocol": "47", "FromPort": 5, "ToPort": 9, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]},
        {"IpProtocol": "all", "IpRanges": [{"CidrIp": "10.9.0.0/16"}]},
        {"IpProtocol": "UDP", "FromPort": 0, "ToPort": 65535, "IpRanges": [{"CidrIp": "10.8.0.0/16"}]},
    ])["SecurityGroupRules"]
    assert [(r["IpProtocol"], r["FromPort"], r["ToPort"],
             r.get("CidrIpv4") or r.get("CidrIpv6")) for r in rules] == [
        ("tcp", 80, 80, "10.0.0.0/16"), ("tcp", 80, 80, "192.168.0.0/24"),
        ("tcp", 80, 80, "2001:db8::/64"), ("udp", 53, 53, "10.0.0.0/16"),
        ("icmp", 3, 4, "10.0.0.0/16"), ("icmpv6", -1, -1, "::/0"), ("47", -1, -1, "10.0.0.0/16"),
        ("-1", -1, -1, "10.9.0.0/16"), ("udp", 0, 65535, "10.8.0.0/16")]
    perms = group(ec2, gid)["IpPermissions"]
    assert perms[0] == {"FromPort": 80, "ToPort": 80, "IpProtocol": "tcp",
                        "IpRanges": [{"CidrIp": "10.0.0.0/16"}, {"CidrIp": "192.168.0.0/24"}],
                        "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/64"}], "PrefixListIds": [],
                        "UserIdGroupPairs": []}
    assert [(p["IpProtocol"], p.get("FromPort"), p.get("ToPort")) for p in perms] == [
        ("tcp", 80, 80), ("udp", 53, 53), ("icmp", 3, 4), ("icmpv6", -1, -1), ("47", None, None),
        ("-1", None, None), ("udp", 0, 65535)]
    # The canonical form of a CIDR is the rule: a non-canonical duplicate is a duplicate.
    msg = expect_error("InvalidPermission.Duplicate", ec2.authorize_security_group_ingress,
                       GroupId=gid, IpPermissions=[tcp(80, "10.0.255.255/16")])
    assert msg == ('the specified rule "peer: 10.0.0.0/16, TCP, from port: 80, to port: 80, '
                   'ALLOW" already exists')
    msg = expect_error("InvalidPermission.Duplicate", ec2.authorize_security_group_ingress,
                       GroupId=gid, IpPermissions=[{"IpProtocol": "-1",
                                                    "IpRanges": [{"CidrIp": "10.9.0.0/16"}]}])
    assert msg == 'the specified rule "peer: 10.9.0.0/16, ALL, ALLOW" already exists'
    # Filters over rules, per direction.
    def ids(*flt):
        return [s["GroupId"] for s in ec2.describe_security_groups(
            Filters=[{"Name": n, "Values": [v]} for n, v in flt])["SecurityGroups"]]
    assert ids(("ip-permission.protocol", "icmpv6")) == [gid]
    assert ids(("ip-permission.from-port", "53"), ("ip-permission.to-port", "53")) == [gid]
    assert ids(("ip-permission.cidr", "192.168.0.0/24")) == [gid]
    assert ids(("ip-permission.ipv6-cidr", "2001:db8::/64")) == [gid]
    assert ids(("ip-permission.cidr", "0.0.0.0/0")) == []
    assert gid in ids(("egress.ip-permission.cidr", "0.0.0.0/0"))
    assert gid in ids(("egress.ip-permission.protocol", "-1"))
    ec2.delete_security_group(GroupId=gid)


def test_legacy_flat_parameters(vpcd):
    ec2 = vpcd.client(region="eu-north-1")
    web = ec2.create_security_group(GroupName="web", Description="w")["GroupId"]
    app = ec2.create_security_group(GroupName="app", Description="a")["GroupId"]
    # GroupName works for ingress in the default VPC, with the flat CidrIp form.
    r = ec2.authorize_security_group_ingress(GroupName="web", IpProtocol="tcp", FromPort=22,
                                             ToPort=22, CidrIp="10.0.0.0/8")
    assert r["SecurityGroupRules"][0]["GroupId"] == web
    r = ec2.authorize_security_group_ingress(GroupId=web, SourceSecurityGroupName="app")
    assert r["SecurityGroupRules"][0]["ReferencedGroupInfo"] == {"GroupId": app, "UserId": ACCT}
    assert r["SecurityGroupRules"][0]["IpProtocol"] == "-1"
    ec2.revoke_security_group_ingress(GroupName="web", IpProtocol="tcp", FromPort=22, ToPort=22,
                                      CidrIp="10.0.0.0/8")
    ec2.revoke_security_group_ingress(GroupId=web, SourceSecurityGroupName="app")
    assert group(ec2, web)["IpPermissions"] == []
    expect_error("InvalidGroup.NotFound", ec2.authorize_security_group_ingress,
                 GroupName="nosuch", IpProtocol="tcp", FromPort=1, ToPort=1, CidrIp="1.1.1.1/32")
    expect_error("InvalidGroup.NotFound", ec2.authorize_security_group_ingress,
                 GroupId=web, SourceSecurityGroupName="nosuch")
    expect_error("MissingParameter", ec2.authorize_security_group_ingress, GroupId=web)
    ec2.delete_security_group(GroupName="web")
    ec2.delete_security_group(GroupName="app")
    expect_error("InvalidGroup.NotFound", ec2.delete_security_group, GroupName="app")


def test_group_references(vpcd):
    ec2 = vpcd.client(region="us-west-1")
    vpc = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    web = ec2.create_security_group(GroupName="web", Description="w", VpcId=vpc)["GroupId"]
    db = ec2.create_security_group(GroupName="db", Description="d", VpcId=vpc)["GroupId"]
    other = ec2.create_security_group(GroupName="other", Description="o")["GroupId"]
    r = ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
        tcp(5432, UserIdGroupPairs=[{"GroupId": web, "Description": "from web"}])])
    assert r["SecurityGroupRules"][0]["ReferencedGroupInfo"] == {"GroupId": web, "UserId": ACCT}
    ec2.authorize_security_group_egress(GroupId=web, IpPermissions=[
        tcp(5432, UserIdGroupPairs=[{"GroupName": "db", "UserId": ACCT}])])
    assert group(ec2, db)["IpPermissions"][0]["UserIdGroupPairs"] == [
        {"Description": "from web", "GroupId": web, "UserId": ACCT}]
    assert group(ec2, web)["IpPermissionsEgress"][1]["UserIdGroupPairs"] == [
        {"GroupId": db, "UserId": ACCT}]
    found = ec2.describe_security_groups(Filters=[
        {"Name": "ip-permission.group-id", "Values": [web]}])["SecurityGroups"]
    assert [g["GroupId"] for g in found] == [db]
    found = ec2.describe_security_groups(Filters=[
        {"Name": "ip-permission.group-name", "Values": ["web"]},
        {"Name": "ip-permission.user-id", "Values": [ACCT]}])["SecurityGroups"]
    assert [g["GroupId"] for g in found] == [db]
    assert ec2.describe_security_groups(Filters=[
        {"Name": "egress.ip-permission.group-id", "Values": [db]}])["SecurityGroups"][0]["GroupId"] == web
    msg = expect_error("DependencyViolation", ec2.delete_security_group, GroupId=web)
    assert msg == f"resource {web} has a dependent object"
    expect_error("DependencyViolation", ec2.delete_security_group, GroupId=db)
    expect_error("InvalidGroup.NotFound", ec2.authorize_security_group_ingress, GroupId=db,
                 IpPermissions=[tcp(1, UserIdGroupPairs=[{"GroupId": other}])])
    expect_error("InvalidGroup.NotFound", ec2.authorize_security_group_ingress, GroupId=db,
                 IpPermissions=[tcp(1, UserIdGroupPairs=[{"GroupId": "sg-0123456789abcdef0"}])])
    expect_error("InvalidGroupId.Malformed", ec2.authorize_security_group_ingress, GroupId=db,
                 IpPermissions=[tcp(1, UserIdGroupPairs=[{"GroupId": "sg-12345"}])])
    expect_error("InvalidGroup.NotFound", ec2.authorize_security_group_ingress, GroupId=db,
                 IpPermissions=[tcp(1, UserIdGroupPairs=[{"GroupName": "other"}])])
    # A self reference does not block deletion.
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
        tcp(1, UserIdGroupPairs=[{"GroupId": db}])])
    ec2.revoke_security_group_egress(GroupId=web, IpPermissions=[
        tcp(5432, UserIdGroupPairs=[{"GroupId": db}])])
    ec2.delete_security_group(GroupId=db)
    ec2.delete_security_group(GroupId=web)
    ec2.delete_security_group(GroupId=other)
    ec2.delete_vpc(VpcId=vpc)


def test_rules_by_id_modify_and_descriptions(vpcd):
    ec2 = vpcd.client(region="ca-central-1")
    gid = ec2.create_security_group(GroupName="r", Description="r")["GroupId"]
    peer = ec2.create_security_group(GroupName="peer", Description="p")["GroupId"]
    created = ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        tcp(22, "10.0.0.0/8"), tcp(80, "10.0.0.0/8")])["SecurityGroupRules"]
    r22, r80 = (r["SecurityGroupRuleId"] for r in created)
    got = ec2.describe_security_group_rules(SecurityGroupRuleIds=[r80])["SecurityGroupRules"]
    assert [r["FromPort"] for r in got] == [80]
    got = ec2.describe_security_group_rules(Filters=[
        {"Name": "security-group-rule-id", "Values": [r22]}])["SecurityGroupRules"]
    assert [r["SecurityGroupRuleId"] for r in got] == [r22]
    assert ec2.modify_security_group_rules(GroupId=gid, SecurityGroupRules=[
        {"SecurityGroupRuleId": r22, "SecurityGroupRule": {
            "IpProtocol": "udp", "FromPort": 500, "ToPort": 501, "CidrIpv4": "172.16.1.1/16",
            "Description": "ike"}}])["Return"] is True
    [m] = ec2.describe_security_group_rules(SecurityGroupRuleIds=[r22])["SecurityGroupRules"]
    assert (m["IpProtocol"], m["FromPort"], m["ToPort"], m["CidrIpv4"], m["Description"]) == \
        ("udp", 500, 501, "172.16.0.0/16", "ike")
    ec2.modify_security_group_rules(GroupId=gid, SecurityGroupRules=[
        {"SecurityGroupRuleId": r22, "SecurityGroupRule": {
            "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "ReferencedGroupId": peer}}])
    [m] = ec2.describe_security_group_rules(SecurityGroupRuleIds=[r22])["SecurityGroupRules"]
    assert m["ReferencedGroupInfo"] == {"GroupId": peer, "UserId": ACCT} and "CidrIpv4" not in m
    expect_error("InvalidPermission.Duplicate", ec2.modify_security_group_rules, GroupId=gid,
                 SecurityGroupRules=[{"SecurityGroupRuleId": r22, "SecurityGroupRule": {
                     "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIpv4": "10.0.0.0/8"}}])
    expect_error("InvalidSecurityGroupRuleId.NotFound", ec2.modify_security_group_rules,
                 GroupId=gid, SecurityGroupRules=[{"SecurityGroupRuleId": "sgr-0123456789abcdef0",
                                                   "SecurityGroupRule": {
                                                       "IpProtocol": "-1", "CidrIpv4": "1.0.0.0/8"}}])
    expect_error("InvalidParameterValue", ec2.modify_security_group_rules, GroupId=gid,
                 SecurityGroupRules=[{"SecurityGroupRuleId": r80, "SecurityGroupRule": {
                     "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIpv4": "300.0.0.0/8"}}])
    # Descriptions: by IpPermissions and by rule id, in both directions.
    ec2.update_security_group_rule_descriptions_ingress(GroupId=gid, IpPermissions=[
        tcp(80, IpRanges=[{"CidrIp": "10.0.0.0/8", "Description": "http"}])])
    egress_id = next(r["SecurityGroupRuleId"] for r in rules_of(ec2, gid) if r["IsEgress"])
    ec2.update_security_group_rule_descriptions_egress(GroupId=gid, SecurityGroupRuleDescriptions=[
        {"SecurityGroupRuleId": egress_id, "Description": "all out"}])
    g = group(ec2, gid)
    assert g["IpPermissions"][1]["IpRanges"] == [{"CidrIp": "10.0.0.0/8", "Description": "http"}]
    assert g["IpPermissionsEgress"][0]["IpRanges"] == [{"CidrIp": "0.0.0.0/0", "Description": "all out"}]
    expect_error("InvalidPermission.NotFound", ec2.update_security_group_rule_descriptions_ingress,
                 GroupId=gid, IpPermissions=[tcp(81, "10.0.0.0/8")])
    expect_error("InvalidSecurityGroupRuleId.NotFound",
                 ec2.update_security_group_rule_descriptions_ingress, GroupId=gid,
                 SecurityGroupRuleDescriptions=[{"SecurityGroupRuleId": egress_id, "Description": "x"}])
    expect_error("InvalidParameterValue", ec2.update_security_group_rule_descriptions_egress,
                 GroupId=gid, SecurityGroupRuleDescriptions=[
                     {"SecurityGroupRuleId": egress_id, "Description": "caf\u00e9"}])
    # Revoke by ids is all or nothing.
    expect_error("InvalidSecurityGroupRuleId.NotFound", ec2.revoke_security_group_ingress,
                 GroupId=gid, SecurityGroupRuleIds=[r80, "sgr-0123456789abcdef0"])
    expect_error("InvalidSecurityGroupRuleId.Malformed", ec2.revoke_security_group_ingress,
                 GroupId=gid, SecurityGroupRuleIds=["sgr-bad"])
    expect_error("InvalidSecurityGroupRuleId.NotFound", ec2.describe_security_group_rules,
                 SecurityGroupRuleIds=["sgr-0123456789abcdef0"])
    expect_error("InvalidSecurityGroupRuleId.Malformed", ec2.describe_security_group_rules,
                 SecurityGroupRuleIds=["rule-1"])
    assert len([r for r in rules_of(ec2, gid) if not r["IsEgress"]]) == 2
    ec2.revoke_security_group_ingress(GroupId=gid, SecurityGroupRuleIds=[r80, r22])
    assert [r["IsEgress"] for r in rules_of(ec2, gid)] == [True]
    ec2.delete_security_group(GroupId=gid)
    ec2.delete_security_group(GroupId=peer)


def test_rule_tags(vpcd):
    ec2 = vpcd.client(region="sa-east-1")
    gid = ec2.create_security_group(GroupName="t", Description="t")["GroupId"]
    r = ec2.authorize_security_group_ingress(
        GroupId=gid, IpPermissions=[tcp(22, "10.0.0.0/8"), tcp(23, "10.0.0.0/8")],
        TagSpecifications=[{"ResourceType": "security-group-rule",
                            "Tags": [{"Key": "team", "Value": "blue"}]}])["SecurityGroupRules"]
    assert [x["Tags"] for x in r] == [[{"Key": "team", "Value": "blue"}]] * 2
    got = ec2.describe_security_group_rules(Filters=[{"Name": "tag:team", "Values": ["blue"]}])
    assert [x["FromPort"] for x in got["SecurityGroupRules"]] == [22, 23]
    got = ec2.describe_security_group_rules(Filters=[{"Name": "tag-key", "Values": ["team"]},
                                                     {"Name": "group-id", "Values": [gid]}])
    assert len(got["SecurityGroupRules"]) == 2
    expect_error("InvalidParameterValue", ec2.authorize_security_group_ingress, GroupId=gid,
                 IpPermissions=[tcp(24, "10.0.0.0/8")],
                 TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}])
    expect_error("InvalidParameterValue", ec2.describe_security_group_rules,
                 Filters=[{"Name": "bogus", "Values": ["x"]}])
    ec2.delete_security_group(GroupId=gid)


def test_rule_quotas(vpcd):
    ec2 = vpcd.client(region="ap-northeast-1")
    gid = ec2.create_security_group(GroupName="q", Description="q")["GroupId"]
    other = ec2.create_security_group(GroupName="o", Description="o")["GroupId"]
    sixty = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
              "IpRanges": [{"CidrIp": f"10.0.{i}.0/24"} for i in range(60)]}]
    assert len(ec2.authorize_security_group_ingress(
        GroupId=gid, IpPermissions=sixty)["SecurityGroupRules"]) == 60
    msg = expect_error("RulesPerSecurityGroupLimitExceeded", ec2.authorize_security_group_ingress,
                       GroupId=gid, IpPermissions=[tcp(22, "10.1.0.0/24")])
    assert msg == "The maximum number of rules per security group has been reached."
    # IPv6 rules are counted apart; a group reference counts in both families.
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        tcp(22, Ipv6Ranges=[{"CidrIpv6": "2001:db8::/32"}])])
    expect_error("RulesPerSecurityGroupLimitExceeded", ec2.authorize_security_group_ingress,
                 GroupId=gid, IpPermissions=[tcp(22, UserIdGroupPairs=[{"GroupId": other}])])
    # Egress has its own 60 (one used by the default rule), and a refused call adds nothing.
    expect_error("RulesPerSecurityGroupLimitExceeded", ec2.authorize_security_group_egress,
                 GroupId=gid, IpPermissions=sixty)
    assert len(group(ec2, gid)["IpPermissionsEgress"]) == 1
    sixty[0]["IpRanges"].pop()
    assert len(ec2.authorize_security_group_egress(
        GroupId=gid, IpPermissions=sixty)["SecurityGroupRules"]) == 59
    # Modifying a rule cannot break the quota either (IPv6 -> IPv4 here).
    v6 = next(r["SecurityGroupRuleId"] for r in rules_of(ec2, gid) if r.get("CidrIpv6"))
    expect_error("RulesPerSecurityGroupLimitExceeded", ec2.modify_security_group_rules, GroupId=gid,
                 SecurityGroupRules=[{"SecurityGroupRuleId": v6, "SecurityGroupRule": {
                     "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIpv4": "10.9.0.0/16"}}])
    ec2.delete_security_group(GroupId=gid)
    ec2.delete_security_group(GroupId=other)


def test_prefix_list_peers(vpcd):
    ec2 = vpcd.client(region="ap-northeast-2")
    gid = ec2.create_security_group(GroupName="pl", Description="pl")["GroupId"]
    pl = ec2.create_managed_prefix_list(PrefixListName="corp", AddressFamily="IPv4", MaxEntries=10,
                                        Entries=[{"Cidr": "10.0.0.0/8"}])["PrefixList"]["PrefixListId"]
    r = ec2.authorize_security_group_egress(GroupId=gid, IpPermissions=[
        tcp(443, PrefixListIds=[{"PrefixListId": pl, "Description": "corp"}])])["SecurityGroupRules"]
    assert (r[0]["PrefixListId"], r[0]["Description"]) == (pl, "corp")
    assert group(ec2, gid)["IpPermissionsEgress"][1]["PrefixListIds"] == [
        {"Description": "corp", "PrefixListId": pl}]
    assert [g["GroupId"] for g in ec2.describe_security_groups(Filters=[
        {"Name": "egress.ip-permission.prefix-list-id", "Values": [pl]}])["SecurityGroups"]] == [gid]
    # 1 default + 10 (the list's max entries) + 49 = 60; one more CIDR is one too many.
    ec2.authorize_security_group_egress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 1, "ToPort": 1,
         "IpRanges": [{"CidrIp": f"10.0.{i}.0/24"} for i in range(49)]}])
    expect_error("RulesPerSecurityGroupLimitExceeded", ec2.authorize_security_group_egress,
                 GroupId=gid, IpPermissions=[tcp(2, "10.1.0.0/24")])
    expect_error("InvalidPrefixListID.NotFound", ec2.authorize_security_group_ingress, GroupId=gid,
                 IpPermissions=[tcp(1, PrefixListIds=[{"PrefixListId": "pl-0123456789abcdef0"}])])
    expect_error("InvalidPrefixListId.Malformed", ec2.authorize_security_group_ingress, GroupId=gid,
                 IpPermissions=[tcp(1, PrefixListIds=[{"PrefixListId": "pl-x"}])])
    ec2.revoke_security_group_egress(GroupId=gid, IpPermissions=[
        tcp(443, PrefixListIds=[{"PrefixListId": pl}])])
    ec2.delete_managed_prefix_list(PrefixListId=pl)
    ec2.delete_security_group(GroupId=gid)


BAD_RULES = [
    ("InvalidParameterValue", tcp(22, "10.0.0.0/33"), "CIDR block 10.0.0.0/33 is malformed"),
    ("InvalidParameterValue", tcp(22, "10.0.0.1"), "CIDR block 10.0.0.1 is malformed"),
    ("InvalidParameterValue", tcp(22, "::/0"), "CIDR block ::/0 is malformed"),
    ("InvalidParameterValue", tcp(22, Ipv6Ranges=[{"CidrIpv6": "10.0.0.0/8"}]),
     "CIDR block 10.0.0.0/8 is malformed"),
    ("InvalidParameterValue", tcp(30, "10.0.0.0/8", to=20), None),
    ("InvalidParameterValue", tcp(70000, "10.0.0.0/8"), "TCP/UDP port (70000) out of range"),
    ("InvalidParameterValue", tcp(-1, "10.0.0.0/8"), "TCP/UDP port (-1) out of range"),
    ("InvalidParameterValue", {"IpProtocol": "udp", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
     "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange."),
    ("InvalidParameterValue", {"IpProtocol": "icmp", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}, None),
    ("InvalidParameterValue", {"IpProtocol": "icmp", "FromPort": -1, "ToPort": 0,
                               "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}, None),
    ("InvalidParameterValue", {"IpProtocol": "icmp", "FromPort": 8, "ToPort": 256,
                               "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}, "ICMP code (256) out of range"),
    ("InvalidParameterValue", {"IpProtocol": "tcpp", "FromPort": 1, "ToPort": 1,
                               "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
     "Invalid value 'tcpp' for IP protocol. Unknown protocol."),
    ("InvalidParameterValue", {"IpProtocol": "256", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}, None),
    ("InvalidParameterValue", {"IpProtocol": "a-very-long-protocol",
                               "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}, None),
    ("InvalidParameterValue", tcp(22, IpRanges=[{"CidrIp": "10.0.0.0/8", "Description": "x" * 256}]),
     None),
    ("InvalidParameterValue", tcp(22, IpRanges=[{"CidrIp": "10.0.0.0/8", "Description": "a<b"}]),
     None),
    ("InvalidParameterValue", tcp(22, IpRanges=[{"CidrIp": "9.9.9.9/32"}, {"CidrIp": "9.9.9.9/32"}]),
     "The same permission must not appear multiple times"),
]


@pytest.mark.parametrize("code,perm,message", BAD_RULES)
def test_bad_rules(vpcd, code, perm, message):
    ec2 = vpcd.client(region="ap-southeast-1")
    gid = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"][0]["GroupId"]
    before = group(ec2, gid)
    msg = expect_error(code, ec2.authorize_security_group_ingress, GroupId=gid, IpPermissions=[perm])
    if message:
        assert msg == message
    assert group(ec2, gid) == before


def test_bad_groups(vpcd):
    ec2 = vpcd.client(region="ap-southeast-2")
    vpc = default_vpc(ec2)
    gid = ec2.create_security_group(GroupName="dup", Description="d")["GroupId"]
    msg = expect_error("InvalidGroup.Duplicate", ec2.create_security_group, GroupName="dup",
                       Description="again")
    assert msg == f"The security group 'dup' already exists for VPC '{vpc}'"
    expect_error("InvalidGroup.Reserved", ec2.create_security_group, GroupName="default",
                 Description="d")
    expect_error("InvalidParameterValue", ec2.create_security_group, GroupName="sg-1", Description="d")
    expect_error("InvalidParameterValue", ec2.create_security_group, GroupName="a" * 256,
                 Description="d")
    expect_error("InvalidParameterValue", ec2.create_security_group, GroupName="caf\u00e9",
                 Description="d")
    expect_error("InvalidParameterValue", ec2.create_security_group, GroupName="ok",
                 Description="tab\there")
    expect_error("MissingParameter", ec2.create_security_group, GroupName="ok", Description="")
    expect_error("InvalidVpcID.NotFound", ec2.create_security_group, GroupName="ok",
                 Description="d", VpcId="vpc-0123456789abcdef0")
    expect_error("InvalidVpcID.Malformed", ec2.create_security_group, GroupName="ok",
                 Description="d", VpcId="vpc-1")
    expect_error("InvalidParameterValue", ec2.create_security_group, GroupName="ok",
                 Description="d", TagSpecifications=[{"ResourceType": "vpc",
                                                      "Tags": [{"Key": "a", "Value": "b"}]}])
    expect_error("InvalidPermission.Duplicate", ec2.authorize_security_group_egress, GroupId=gid,
                 IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    expect_error("InvalidPermission.NotFound", ec2.revoke_security_group_ingress, GroupId=gid,
                 IpPermissions=[tcp(22, "10.0.0.0/8")])
    expect_error("InvalidGroup.NotFound", ec2.describe_security_groups,
                 GroupIds=["sg-0123456789abcdef0"])
    expect_error("InvalidGroupId.Malformed", ec2.describe_security_groups, GroupIds=["sg-xyz"])
    expect_error("InvalidGroupId.Malformed", ec2.delete_security_group, GroupId="foo")
    expect_error("InvalidGroup.NotFound", ec2.delete_security_group, GroupId="sg-0123456789abcdef0")
    expect_error("InvalidGroup.NotFound", ec2.describe_security_groups, GroupNames=["nosuch"])
    expect_error("InvalidGroup.NotFound", ec2.authorize_security_group_egress,
                 GroupId="sg-0123456789abcdef0", IpPermissions=[tcp(1, "1.0.0.0/8")])
    expect_error("InvalidParameterValue", ec2.describe_security_groups,
                 Filters=[{"Name": "ip-permission.bogus", "Values": ["x"]}])
    expect_error("InvalidParameterValue", ec2.describe_security_groups,
                 Filters=[{"Name": "bogus", "Values": ["x"]}])
    expect_error("MissingParameter", ec2.delete_security_group)
    ec2.delete_security_group(GroupId=gid)


def test_group_quota():
    d = Vpcd(extra_args=["--quota", "security-groups-per-region=3"])
    try:
        ec2 = d.client()
        # The default VPC's default group is the first of the three.
        ec2.create_security_group(GroupName="a", Description="a")
        ec2.create_security_group(GroupName="b", Description="b")
        expect_error("SecurityGroupLimitExceeded", ec2.create_security_group, GroupName="c",
                     Description="c")
    finally:
        d.close()


def test_paging(vpcd):
    ec2 = vpcd.client(region="us-east-2")
    made = [ec2.create_security_group(GroupName=f"g{i}", Description="p")["GroupId"] for i in range(11)]
    everything = [g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]]
    assert len(everything) == 12
    seen, token = [], None
    while True:
        kw = {"MaxResults": 5}
        if token:
            kw["NextToken"] = token
        page = ec2.describe_security_groups(**kw)
        assert len(page["SecurityGroups"]) <= 5
        seen += [g["GroupId"] for g in page["SecurityGroups"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == everything
    pager = ec2.get_paginator("describe_security_group_rules")
    rules = [r["SecurityGroupRuleId"] for p in pager.paginate(PaginationConfig={"PageSize": 5})
             for r in p["SecurityGroupRules"]]
    assert len(rules) == 2 + 11 and len(set(rules)) == 13
    assert rules == [r["SecurityGroupRuleId"] for r in
                     ec2.describe_security_group_rules()["SecurityGroupRules"]]
    # botocore refuses MaxResults below 5 itself; above 1000 is the server's to refuse.
    expect_error("InvalidParameterValue", ec2.describe_security_groups, MaxResults=1001)
    expect_error("InvalidParameterValue", ec2.describe_security_group_rules, MaxResults=1001)
    expect_error("InvalidParameterCombination", ec2.describe_security_groups, GroupIds=[made[0]],
                 MaxResults=5)
    expect_error("InvalidPaginationToken", ec2.describe_security_group_rules, MaxResults=5,
                 NextToken="bogus")
    for g in made:
        ec2.delete_security_group(GroupId=g)


def test_cross_account_isolation(vpcd):
    a0 = vpcd.client(region="us-west-2")
    a1 = vpcd.client(account="111111111111", region="us-west-2")
    gid = a0.create_security_group(GroupName="mine", Description="m")["GroupId"]
    rid = a0.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        tcp(22, "10.0.0.0/8")])["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    expect_error("InvalidGroup.NotFound", a1.describe_security_groups, GroupIds=[gid])
    expect_error("InvalidGroup.NotFound", a1.delete_security_group, GroupId=gid)
    expect_error("InvalidGroup.NotFound", a1.authorize_security_group_ingress, GroupId=gid,
                 IpPermissions=[tcp(23, "10.0.0.0/8")])
    expect_error("InvalidGroup.NotFound", a1.revoke_security_group_ingress, GroupId=gid,
                 SecurityGroupRuleIds=[rid])
    expect_error("InvalidGroup.NotFound", a1.modify_security_group_rules, GroupId=gid,
                 SecurityGroupRules=[{"SecurityGroupRuleId": rid, "SecurityGroupRule": {
                     "IpProtocol": "-1", "CidrIpv4": "1.0.0.0/8"}}])
    expect_error("InvalidSecurityGroupRuleId.NotFound", a1.describe_security_group_rules,
                 SecurityGroupRuleIds=[rid])
    theirs = a1.create_security_group(GroupName="mine", Description="same name, other account")
    expect_error("InvalidGroup.NotFound", a1.authorize_security_group_ingress,
                 GroupId=theirs["GroupId"],
                 IpPermissions=[tcp(1, UserIdGroupPairs=[{"GroupId": gid, "UserId": ACCT}])])
    owners = {g["OwnerId"] for g in a1.describe_security_groups()["SecurityGroups"]}
    assert owners == {"111111111111"}
    assert gid not in [r["GroupId"] for r in a1.describe_security_group_rules()["SecurityGroupRules"]]
    # The same group name also lives apart in another region of the same account.
    other_region = vpcd.client(region="us-west-1")
    expect_error("InvalidGroup.NotFound", other_region.describe_security_groups, GroupIds=[gid])
    a0.delete_security_group(GroupId=gid)
    a1.delete_security_group(GroupId=theirs["GroupId"])


def test_delete_vpc_takes_default_group(vpcd):
    ec2 = vpcd.client(region="eu-south-1")
    vpc = ec2.create_vpc(CidrBlock="10.4.0.0/16")["Vpc"]["VpcId"]
    gid = ec2.create_security_group(GroupName="x", Description="x", VpcId=vpc)["GroupId"]
    dflt = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                 {"Name": "group-name", "Values": ["default"]}])
    dflt = dflt["SecurityGroups"][0]["GroupId"]
    # The default group can reference other groups; its rules are editable.
    ec2.authorize_security_group_ingress(GroupId=dflt, IpPermissions=[
        tcp(22, UserIdGroupPairs=[{"GroupId": gid}])])
    expect_error("DependencyViolation", ec2.delete_security_group, GroupId=gid)
    expect_error("DependencyViolation", ec2.delete_vpc, VpcId=vpc)
    ec2.revoke_security_group_ingress(GroupId=dflt, IpPermissions=[
        tcp(22, UserIdGroupPairs=[{"GroupId": gid}])])
    ec2.delete_security_group(GroupId=gid)
    ec2.delete_vpc(VpcId=vpc)
    expect_error("InvalidGroup.NotFound", ec2.describe_security_groups, GroupIds=[dflt])


def test_state_survives_restart():
    d = Vpcd()
    try:
        ec2 = d.client()
        gid = ec2.create_security_group(
            GroupName="keep", Description="kept",
            TagSpecifications=[{"ResourceType": "security-group",
                                "Tags": [{"Key": "k", "Value": "v"}]}])["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=gid, IpPermissions=[
                tcp(22, IpRanges=[{"CidrIp": "10.0.0.0/8", "Description": "ssh"}]),
                {"IpProtocol": "58", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
                tcp(5, UserIdGroupPairs=[{"GroupId": gid}])],
            TagSpecifications=[{"ResourceType": "security-group-rule",
                                "Tags": [{"Key": "r", "Value": "1"}]}])
        before_group, before_rules = group(ec2, gid), rules_of(ec2, gid)
        d.kill()
        d.start()
        ec2 = d.client()
        assert group(ec2, gid) == before_group
        assert rules_of(ec2, gid) == before_rules
    finally:
        d.close()
