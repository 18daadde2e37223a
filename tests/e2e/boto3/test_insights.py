"""Reachability Analyzer (Network Insights) through boto3: paths, analyses, their shapes and
errors, persistence, and the vendor action DescribeVpcdReachabilityMatrix.

Topology (module fixture `net`), VPC 10.90.0.0/16:

    subnet A 10.90.1.0/24               subnet B 10.90.2.0/24
    +-------------------------------+   +------------------+
    | a (default SG)  b (default SG)|   | d (default SG)   |
    | c (SG "closed": no ingress)   |   |                  |
    +-------------------------------+   +------------------+

Debian's botocore predates FilterAtSource/FilterAtDestination and still marks Destination
required, so those requests add or drop members with a before-call hook, and members the SDK
does not parse are read from the raw XML.
"""
import datetime
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import botocore.config
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import ACCOUNTS, Vpcd, error_code

NS = "{http://ec2.amazonaws.com/doc/2016-11-15/}"
AMI = "ami-0123456789abcdef0"


def err(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    return error_code(e)


class Raw:
    """Keeps the body of the last response the client received."""

    def __init__(self, client):
        self.body = None
        client.meta.events.register("after-call.ec2.*", self)

    def __call__(self, http_response, **kw):
        self.body = http_response.content

    def root(self):
        return ET.fromstring(self.body)


class Extra:
    """Adds (and drops) query members of one operation, for members this botocore lacks."""

    def __init__(self, client, op, add=None, drop=()):
        self.client, self.event = client, f"before-call.ec2.{op}"
        self.add, self.drop = add or {}, drop
        client.meta.events.register(self.event, self)

    def __call__(self, params, **kw):
        for k in self.drop:
            params["body"].pop(k, None)
        params["body"].update(self.add)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.client.meta.events.unregister(self.event, self)


def unvalidated(vpcd):
    key, secret = ACCOUNTS["000000000000"]
    import boto3
    cfg = botocore.config.Config(retries={"max_attempts": 1}, parameter_validation=False)
    return boto3.client("ec2", endpoint_url=vpcd.endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret, config=cfg)


def raw_call(vpcd, action, params, region="us-east-1", account="000000000000"):
    """A signed EC2 Query request for an action boto3 does not know; returns the XML root."""
    body = urllib.parse.urlencode({"Action": action, "Version": "2016-11-15", **params})
    req = AWSRequest(method="POST", url=vpcd.endpoint + "/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(*ACCOUNTS[account]), "ec2", region).add_auth(req)
    http = urllib.request.Request(req.url, data=body.encode(), headers=dict(req.headers),
                                  method="POST")
    with urllib.request.urlopen(http, timeout=120) as r:
        return ET.fromstring(r.read())


def find(node, path):
    """node.find() for a path of EC2 element names ("a/b")."""
    return node.find("/".join(NS + p for p in path.split("/")))


def text(node, path):
    found = find(node, path)
    return None if found is None else found.text


def ids_of(components):
    return [c["Component"]["Id"] for c in components]


@pytest.fixture(scope="module")
def net(vpcd):
    ec2 = vpcd.client()
    vpc = ec2.create_vpc(CidrBlock="10.90.0.0/16")["Vpc"]["VpcId"]
    sa = ec2.create_subnet(VpcId=vpc, CidrBlock="10.90.1.0/24",
                           AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    sb = ec2.create_subnet(VpcId=vpc, CidrBlock="10.90.2.0/24",
                           AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    default_sg = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]},
                 {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
    closed = ec2.create_security_group(VpcId=vpc, GroupName="closed",
                                       Description="egress only")["GroupId"]
    a, b = [i["InstanceId"] for i in ec2.run_instances(
        ImageId=AMI, SubnetId=sa, MinCount=2, MaxCount=2)["Instances"]]
    c = ec2.run_instances(ImageId=AMI, SubnetId=sa, MinCount=1, MaxCount=1,
                          SecurityGroupIds=[closed])["Instances"][0]["InstanceId"]
    d = ec2.run_instances(ImageId=AMI, SubnetId=sb, MinCount=1,
                          MaxCount=1)["Instances"][0]["InstanceId"]
    insts = {i["InstanceId"]: i for r in ec2.describe_instances(
        InstanceIds=[a, b, c, d])["Reservations"] for i in r["Instances"]}
    rtb = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "RouteTables"][0]["RouteTableId"]
    acl = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "NetworkAcls"][0]["NetworkAclId"]
    rules = ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [default_sg]}])["SecurityGroupRules"]
    return {
        "vpc": vpc, "sa": sa, "sb": sb, "sg": default_sg, "closed": closed, "rtb": rtb,
        "acl": acl, "a": a, "b": b, "c": c, "d": d,
        "ip": {k: insts[k]["PrivateIpAddress"] for k in insts},
        "eni": {k: insts[k]["NetworkInterfaces"][0]["NetworkInterfaceId"] for k in insts},
        "sg_in": next(r["SecurityGroupRuleId"] for r in rules if not r["IsEgress"]),
        "sg_out": next(r["SecurityGroupRuleId"] for r in rules if r["IsEgress"]),
    }


def analyze(ec2, path_id, **kw):
    started = ec2.start_network_insights_analysis(NetworkInsightsPathId=path_id, **kw)[
        "NetworkInsightsAnalysis"]
    got = ec2.describe_network_insights_analyses(
        NetworkInsightsAnalysisIds=[started["NetworkInsightsAnalysisId"]])[
        "NetworkInsightsAnalyses"]
    assert len(got) == 1
    return started, got[0]


def drop_analyses(ec2, path_id):
    for a in ec2.describe_network_insights_analyses(NetworkInsightsPathId=path_id)[
            "NetworkInsightsAnalyses"]:
        ec2.delete_network_insights_analysis(
            NetworkInsightsAnalysisId=a["NetworkInsightsAnalysisId"])


def new_path(ec2, src, dst, port=22, **kw):
    return ec2.create_network_insights_path(Source=src, Destination=dst, Protocol="tcp",
                                            DestinationPort=port, **kw)["NetworkInsightsPath"]


# ---- paths ----

def test_path_shape_describe_filters_delete(ec2, net):
    p = ec2.create_network_insights_path(
        Source=net["a"], Destination=net["b"], Protocol="tcp", DestinationPort=443,
        SourceIp=net["ip"][net["a"]],
        TagSpecifications=[{"ResourceType": "network-insights-path",
                            "Tags": [{"Key": "Name", "Value": "a-to-b"}]}])["NetworkInsightsPath"]
    pid = p["NetworkInsightsPathId"]
    assert pid.startswith("nip-") and len(pid) == 21
    acct = "arn:aws:ec2:us-east-1:000000000000:"
    assert p["NetworkInsightsPathArn"] == acct + "network-insights-path/" + pid
    assert p["Source"] == net["a"] and p["Destination"] == net["b"]
    assert p["SourceArn"] == acct + "instance/" + net["a"]
    assert p["DestinationArn"] == acct + "instance/" + net["b"]
    assert p["SourceIp"] == net["ip"][net["a"]] and "DestinationIp" not in p
    assert p["Protocol"] == "tcp" and p["DestinationPort"] == 443
    assert p["Tags"] == [{"Key": "Name", "Value": "a-to-b"}]
    age = datetime.datetime.now(datetime.timezone.utc) - p["CreatedDate"]
    assert abs(age.total_seconds()) < 60

    got = ec2.describe_network_insights_paths(NetworkInsightsPathIds=[pid])["NetworkInsightsPaths"]
    assert got == [p]

    def matching(name, value):
        return [x["NetworkInsightsPathId"] for x in ec2.describe_network_insights_paths(
            Filters=[{"Name": name, "Values": [value]}])["NetworkInsightsPaths"]]
    assert pid in matching("source", net["a"])
    assert pid in matching("destination", net["b"])
    assert pid in matching("destination-port", "443")
    assert pid in matching("protocol", "tcp")
    assert pid in matching("tag:Name", "a-to-b")
    assert pid not in matching("destination", net["a"])
    assert pid not in matching("destination-port", "22")
    assert pid not in matching("protocol", "udp")
    assert err(ec2.describe_network_insights_paths,
               Filters=[{"Name": "bogus", "Values": ["x"]}]) == "InvalidParameterValue"

    assert ec2.delete_network_insights_path(NetworkInsightsPathId=pid)[
        "NetworkInsightsPathId"] == pid
    assert err(ec2.describe_network_insights_paths,
               NetworkInsightsPathIds=[pid]) == "InvalidNetworkInsightsPathId.NotFound"
    assert err(ec2.delete_network_insights_path,
               NetworkInsightsPathId=pid) == "InvalidNetworkInsightsPathId.NotFound"


def test_create_errors(vpcd, ec2, net):
    loose = unvalidated(vpcd)
    assert err(loose.create_network_insights_path, Destination=net["b"],
               Protocol="tcp") == "MissingParameter"
    assert err(loose.create_network_insights_path, Source=net["a"],
               Destination=net["b"]) == "MissingParameter"
    assert err(loose.create_network_insights_path, Source=net["a"],
               Protocol="tcp") == "MissingParameter"
    assert err(ec2.create_network_insights_path, Source="i-0123456789abcdef0",
               Destination=net["b"], Protocol="tcp") == "InvalidInstanceID.NotFound"
    assert err(ec2.create_network_insights_path, Source=net["a"],
               Destination="eni-0123456789abcdef0",
               Protocol="tcp") == "InvalidNetworkInterfaceID.NotFound"
    assert err(ec2.create_network_insights_path, Source=net["a"], Destination=net["b"],
               Protocol="sctp") == "InvalidParameterValue"
    assert err(loose.create_network_insights_path, Source=net["a"], Destination=net["b"],
               Protocol="tcp", DestinationPort=70000) == "InvalidParameterValue"
    assert err(ec2.create_network_insights_path, Source=net["a"], Destination=net["b"],
               Protocol="tcp", SourceIp="10.90.1.300") == "InvalidParameterValue"
    assert err(ec2.create_network_insights_path, Source=net["a"], Destination=net["a"],
               Protocol="tcp") == "InvalidParameterValue"
    with Extra(ec2, "CreateNetworkInsightsPath",
               add={"FilterAtSource.SourceAddress": net["ip"][net["a"]]}):
        assert err(ec2.create_network_insights_path, Source=net["a"], Destination=net["b"],
                   Protocol="tcp", SourceIp=net["ip"][net["a"]]) == "InvalidParameterCombination"
    with Extra(ec2, "CreateNetworkInsightsPath",
               add={"FilterAtDestination.DestinationAddress": net["ip"][net["b"]]}):
        assert err(ec2.create_network_insights_path, Source=net["a"], Destination=net["b"],
                   Protocol="tcp",
                   DestinationIp=net["ip"][net["b"]]) == "InvalidParameterCombination"
    assert err(ec2.describe_network_insights_paths,
               NetworkInsightsPathIds=["nip-0123456789abcdef0"]) == \
        "InvalidNetworkInsightsPathId.NotFound"
    assert err(ec2.describe_network_insights_paths,
               NetworkInsightsPathIds=["nip-xyz"]) == "InvalidNetworkInsightsPathId.Malformed"
    assert err(ec2.start_network_insights_analysis,
               NetworkInsightsPathId="nip-0123456789abcdef0") == \
        "InvalidNetworkInsightsPathId.NotFound"
    assert err(ec2.describe_network_insights_analyses,
               NetworkInsightsAnalysisIds=["nia-0123456789abcdef0"]) == \
        "InvalidNetworkInsightsAnalysisId.NotFound"
    assert err(ec2.delete_network_insights_analysis,
               NetworkInsightsAnalysisId="nia-0123456789abcdef0") == \
        "InvalidNetworkInsightsAnalysisId.NotFound"
    # Another account sees neither the instances nor the paths.
    other = vpcd.client(account="111111111111")
    assert err(other.create_network_insights_path, Source=net["a"], Destination=net["b"],
               Protocol="tcp") == "InvalidInstanceID.NotFound"
    pid = new_path(ec2, net["a"], net["b"])["NetworkInsightsPathId"]
    assert err(other.describe_network_insights_paths,
               NetworkInsightsPathIds=[pid]) == "InvalidNetworkInsightsPathId.NotFound"
    ec2.delete_network_insights_path(NetworkInsightsPathId=pid)


def test_client_token(ec2, net):
    first = new_path(ec2, net["a"], net["b"], ClientToken="path-token")
    again = new_path(ec2, net["a"], net["b"], ClientToken="path-token")
    assert again == first
    assert err(ec2.create_network_insights_path, Source=net["a"], Destination=net["b"],
               Protocol="tcp", DestinationPort=80,
               ClientToken="path-token") == "IdempotentParameterMismatch"
    pid = first["NetworkInsightsPathId"]
    one = ec2.start_network_insights_analysis(NetworkInsightsPathId=pid, ClientToken="run-1")[
        "NetworkInsightsAnalysis"]
    two = ec2.start_network_insights_analysis(NetworkInsightsPathId=pid, ClientToken="run-1")[
        "NetworkInsightsAnalysis"]
    assert two["NetworkInsightsAnalysisId"] == one["NetworkInsightsAnalysisId"]
    assert len(ec2.describe_network_insights_analyses(NetworkInsightsPathId=pid)[
        "NetworkInsightsAnalyses"]) == 1
    ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=one["NetworkInsightsAnalysisId"])
    ec2.delete_network_insights_path(NetworkInsightsPathId=pid)


def test_paging_and_tags(ec2, net):
    tag = [{"ResourceType": "network-insights-path", "Tags": [{"Key": "suite", "Value": "paging"}]}]
    made = [new_path(ec2, net["a"], net["b"], port=1000 + i,
                     TagSpecifications=tag)["NetworkInsightsPathId"] for i in range(5)]
    flt = [{"Name": "tag:suite", "Values": ["paging"]}]
    seen, token, pages = [], None, 0
    while True:
        kw = {"NextToken": token} if token else {}
        r = ec2.describe_network_insights_paths(Filters=flt, MaxResults=2, **kw)
        assert len(r["NetworkInsightsPaths"]) <= 2
        seen += [x["NetworkInsightsPathId"] for x in r["NetworkInsightsPaths"]]
        pages += 1
        token = r.get("NextToken")
        if not token:
            break
    assert seen == made and pages == 3
    assert err(ec2.describe_network_insights_paths, MaxResults=101) == "InvalidParameterValue"
    assert err(ec2.describe_network_insights_paths,
               NextToken="not-a-token") == "InvalidPaginationToken"
    assert err(ec2.describe_network_insights_paths, NetworkInsightsPathIds=made[:1],
               MaxResults=5) == "InvalidParameterCombination"

    ec2.create_tags(Resources=[made[0]], Tags=[{"Key": "env", "Value": "test"}])
    got = ec2.describe_network_insights_paths(NetworkInsightsPathIds=[made[0]])[
        "NetworkInsightsPaths"][0]["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in got) == [("env", "test"), ("suite", "paging")]
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [made[0]]}])["Tags"]
    assert {t["ResourceType"] for t in tags} == {"network-insights-path"}
    ec2.delete_tags(Resources=[made[0]], Tags=[{"Key": "env"}])
    assert ec2.describe_network_insights_paths(
        Filters=[{"Name": "tag-key", "Values": ["env"]}])["NetworkInsightsPaths"] == []

    started, _ = analyze(ec2, made[0], TagSpecifications=[
        {"ResourceType": "network-insights-analysis", "Tags": [{"Key": "run", "Value": "1"}]}])
    assert started["Tags"] == [{"Key": "run", "Value": "1"}]
    aid = started["NetworkInsightsAnalysisId"]
    assert ec2.describe_network_insights_analyses(
        Filters=[{"Name": "tag:run", "Values": ["1"]}])["NetworkInsightsAnalyses"][0][
        "NetworkInsightsAnalysisId"] == aid
    ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=aid)
    for pid in made:
        ec2.delete_network_insights_path(NetworkInsightsPathId=pid)


# ---- analyses ----

def test_same_subnet_found(ec2, net):
    pid = new_path(ec2, net["a"], net["b"])["NetworkInsightsPathId"]
    raw = Raw(ec2)
    started, a = analyze(ec2, pid)
    aid = started["NetworkInsightsAnalysisId"]
    assert aid.startswith("nia-")
    assert started["NetworkInsightsAnalysisArn"] == \
        "arn:aws:ec2:us-east-1:000000000000:network-insights-analysis/" + aid
    assert started["Status"] == "running" and "EndDate" not in started
    assert "NetworkPathFound" not in started
    assert a["Status"] == "succeeded" and a["NetworkPathFound"] is True
    assert a["NetworkInsightsPathId"] == pid and "Explanations" not in a
    # endDate is vpcd's addition to the shape (the SDKs do not parse it).
    assert text(find(raw.root(), "networkInsightsAnalysisSet/item"), "endDate") == \
        text(find(raw.root(), "networkInsightsAnalysisSet/item"), "startDate")
    fwd, ret = a["ForwardPathComponents"], a["ReturnPathComponents"]
    e = net["eni"]
    assert ids_of(fwd) == [net["a"], e[net["a"]], net["sg"], net["sg"], e[net["b"]], net["b"]]
    assert ids_of(ret) == [net["b"], e[net["b"]], net["sg"], net["sg"], e[net["a"]], net["a"]]
    assert [c["SequenceNumber"] for c in fwd] == [1, 2, 3, 4, 5, 6]
    assert all(c["Vpc"]["Id"] == net["vpc"] and c["Subnet"]["Id"] == net["sa"] for c in fwd)
    assert fwd[0]["Component"]["Arn"] == \
        "arn:aws:ec2:us-east-1:000000000000:instance/" + net["a"]
    assert fwd[2]["SecurityGroupRule"] == {"Cidr": "0.0.0.0/0", "Direction": "egress",
                                           "Protocol": "all"}
    assert fwd[3]["SecurityGroupRule"] == {"Direction": "ingress", "SecurityGroupId": net["sg"],
                                           "Protocol": "all"}
    # A reply passes the groups as a tracked flow: no rule is named.
    assert "SecurityGroupRule" not in ret[2] and "SecurityGroupRule" not in ret[3]
    assert fwd[0]["OutboundHeader"] == {
        "DestinationAddresses": [net["ip"][net["b"]] + "/32"],
        "DestinationPortRanges": [{"From": 22, "To": 22}], "Protocol": "6",
        "SourceAddresses": [net["ip"][net["a"]] + "/32"],
        "SourcePortRanges": [{"From": 49152, "To": 49152}]}
    assert fwd[-1]["InboundHeader"] == fwd[0]["OutboundHeader"]
    assert "InboundHeader" not in fwd[0] and "OutboundHeader" not in fwd[-1]
    assert ret[0]["OutboundHeader"]["DestinationPortRanges"] == [{"From": 49152, "To": 49152}]
    # vpcd names the rule as well (a member the SDKs do not know).
    rule_ids = [x.text for x in raw.root().iter(NS + "securityGroupRuleId")]
    assert rule_ids == [net["sg_out"], net["sg_in"]]

    paths = ec2.describe_network_insights_analyses(NetworkInsightsPathId=pid)
    assert [x["NetworkInsightsAnalysisId"] for x in paths["NetworkInsightsAnalyses"]] == [aid]
    ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=aid)
    ec2.delete_network_insights_path(NetworkInsightsPathId=pid)


def test_sg_without_ingress_not_found(ec2, net):
    pid = new_path(ec2, net["a"], net["c"])["NetworkInsightsPathId"]
    _, a = analyze(ec2, pid)
    assert a["Status"] == "succeeded" and a["NetworkPathFound"] is False
    eni_c = net["eni"][net["c"]]
    assert ids_of(a["ForwardPathComponents"]) == [net["a"], net["eni"][net["a"]], net["sg"]]
    assert "ReturnPathComponents" not in a
    (x,) = a["Explanations"]
    assert x["ExplanationCode"] == "ENI_SG_RULES_MISMATCH"
    assert x["Direction"] == "ingress"
    assert x["Component"]["Id"] == eni_c and x["NetworkInterface"]["Id"] == eni_c
    assert [g["Id"] for g in x["SecurityGroups"]] == [net["closed"]]
    assert x["AttachedTo"]["Id"] == net["c"]
    assert x["Vpc"]["Id"] == net["vpc"] and x["Subnet"]["Id"] == net["sa"]
    assert ec2.describe_network_insights_analyses(
        NetworkInsightsPathId=pid, Filters=[{"Name": "path-found", "Values": ["false"]}])[
        "NetworkInsightsAnalyses"][0]["NetworkInsightsAnalysisId"] == \
        a["NetworkInsightsAnalysisId"]
    assert ec2.describe_network_insights_analyses(
        NetworkInsightsPathId=pid, Filters=[{"Name": "path-found", "Values": ["true"]}])[
        "NetworkInsightsAnalyses"] == []
    ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=a["NetworkInsightsAnalysisId"])
    ec2.delete_network_insights_path(NetworkInsightsPathId=pid)


def test_across_subnets_acl_and_route(ec2, net):
    pid = new_path(ec2, net["a"], net["d"], port=80)["NetworkInsightsPathId"]
    _, a = analyze(ec2, pid)
    assert a["NetworkPathFound"] is True
    fwd = a["ForwardPathComponents"]
    e = net["eni"]
    assert ids_of(fwd) == [net["a"], e[net["a"]], net["sg"], net["acl"], net["rtb"], net["acl"],
                           net["sg"], e[net["d"]], net["d"]]
    assert fwd[3]["AclRule"] == {"Cidr": "0.0.0.0/0", "Egress": True, "Protocol": "all",
                                 "RuleAction": "allow", "RuleNumber": 100}
    assert fwd[3]["Subnet"]["Id"] == net["sa"] and fwd[5]["Subnet"]["Id"] == net["sb"]
    assert fwd[5]["AclRule"]["Egress"] is False and fwd[5]["AclRule"]["RuleNumber"] == 100
    assert fwd[4]["RouteTableRoute"] == {"DestinationCidr": "10.90.0.0/16",
                                         "GatewayId": "local", "Origin": "CreateRouteTable",
                                         "State": "active"}
    ret = a["ReturnPathComponents"]
    assert ids_of(ret) == [net["d"], e[net["d"]], net["sg"], net["acl"], net["rtb"], net["acl"],
                           net["sg"], e[net["a"]], net["a"]]

    # Subnet B moves to a NACL without rules: its "*" rule denies the packet coming in.
    ec2_acl = ec2.create_network_acl(VpcId=net["vpc"])["NetworkAcl"]["NetworkAclId"]
    assoc = next(x["NetworkAclAssociationId"] for x in ec2.describe_network_acls(
        NetworkAclIds=[net["acl"]])["NetworkAcls"][0]["Associations"]
        if x["SubnetId"] == net["sb"])
    new_assoc = ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=ec2_acl)[
        "NewAssociationId"]
    try:
        _, b = analyze(ec2, pid)
        assert b["NetworkPathFound"] is False
        assert ids_of(b["ForwardPathComponents"]) == [net["a"], e[net["a"]], net["sg"],
                                                      net["acl"], net["rtb"]]
        (x,) = b["Explanations"]
        assert x["ExplanationCode"] == "SUBNET_ACL_RESTRICTION"
        assert x["Direction"] == "ingress"
        assert x["Acl"]["Id"] == ec2_acl and x["Component"]["Id"] == ec2_acl
        assert x["AclRule"] == {"Cidr": "0.0.0.0/0", "Egress": False, "Protocol": "all",
                                "RuleAction": "deny", "RuleNumber": 32767}
        assert x["Subnet"]["Id"] == net["sb"]
        # The first analysis keeps the answer it got.
        again = ec2.describe_network_insights_analyses(
            NetworkInsightsAnalysisIds=[a["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"]
        assert again == [a]
    finally:
        ec2.replace_network_acl_association(AssociationId=new_assoc, NetworkAclId=net["acl"])
        ec2.delete_network_acl(NetworkAclId=ec2_acl)
    drop_analyses(ec2, pid)
    ec2.delete_network_insights_path(NetworkInsightsPathId=pid)


def test_destination_ip_and_filters(ec2, net):
    raw = Raw(ec2)
    b_ip = net["ip"][net["b"]]
    with Extra(ec2, "CreateNetworkInsightsPath", drop=("Destination",)):
        p = ec2.create_network_insights_path(Source=net["a"], Destination="dropped",
                                             Protocol="tcp", DestinationIp=b_ip)[
            "NetworkInsightsPath"]
    assert "Destination" not in p and "DestinationArn" not in p
    assert p["DestinationIp"] == b_ip and "DestinationPort" not in p
    _, a = analyze(ec2, p["NetworkInsightsPathId"])
    assert a["NetworkPathFound"] is True
    assert ids_of(a["ForwardPathComponents"])[-2:] == [net["eni"][net["b"]], net["b"]]
    ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=a["NetworkInsightsAnalysisId"])
    ec2.delete_network_insights_path(NetworkInsightsPathId=p["NetworkInsightsPathId"])

    members = {
        "FilterAtSource.SourcePortRange.FromPort": "40000",
        "FilterAtSource.SourcePortRange.ToPort": "40010",
        "FilterAtDestination.DestinationAddress": b_ip,
        "FilterAtDestination.DestinationPortRange.FromPort": "8080",
        "FilterAtDestination.DestinationPortRange.ToPort": "8080",
    }
    with Extra(ec2, "CreateNetworkInsightsPath", add=members, drop=("Destination",)):
        p = ec2.create_network_insights_path(Source=net["a"], Destination="dropped",
                                             Protocol="udp")["NetworkInsightsPath"]
    assert "DestinationIp" not in p and p["Protocol"] == "udp"
    fas = find(raw.root(), "networkInsightsPath/filterAtSource")
    assert text(fas, "sourcePortRange/fromPort") == "40000"
    assert text(fas, "sourcePortRange/toPort") == "40010"
    assert text(fas, "destinationAddress") is None
    fad = find(raw.root(), "networkInsightsPath/filterAtDestination")
    assert text(fad, "destinationAddress") == b_ip
    assert text(fad, "destinationPortRange/fromPort") == "8080"
    assert text(fad, "destinationPortRange/toPort") == "8080"
    pid = p["NetworkInsightsPathId"]
    found = ec2.describe_network_insights_paths(Filters=[
        {"Name": "filter-at-source.source-port-range", "Values": ["40000-40010"]}])
    assert [x["NetworkInsightsPathId"] for x in found["NetworkInsightsPaths"]] == [pid]
    found = ec2.describe_network_insights_paths(Filters=[
        {"Name": "filter-at-destination.destination-address", "Values": [b_ip]}])
    assert [x["NetworkInsightsPathId"] for x in found["NetworkInsightsPaths"]] == [pid]
    _, a = analyze(ec2, pid)
    assert a["NetworkPathFound"] is True
    hdr = a["ForwardPathComponents"][0]["OutboundHeader"]
    assert hdr["Protocol"] == "17"
    assert hdr["SourcePortRanges"] == [{"From": 40000, "To": 40000}]
    assert hdr["DestinationPortRanges"] == [{"From": 8080, "To": 8080}]
    assert ids_of(a["ForwardPathComponents"])[-1] == net["b"]
    ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=a["NetworkInsightsAnalysisId"])
    ec2.delete_network_insights_path(NetworkInsightsPathId=pid)


def test_delete_path_with_analyses(ec2, net):
    pid = new_path(ec2, net["a"], net["b"])["NetworkInsightsPathId"]
    started, _ = analyze(ec2, pid)
    aid = started["NetworkInsightsAnalysisId"]
    with pytest.raises(ClientError) as e:
        ec2.delete_network_insights_path(NetworkInsightsPathId=pid)
    assert error_code(e) == "AnalysisExistsForNetworkInsightsPath"
    assert aid in e.value.response["Error"]["Message"]
    assert ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=aid)[
        "NetworkInsightsAnalysisId"] == aid
    assert err(ec2.describe_network_insights_analyses,
               NetworkInsightsAnalysisIds=[aid]) == "InvalidNetworkInsightsAnalysisId.NotFound"
    ec2.delete_network_insights_path(NetworkInsightsPathId=pid)


def test_describe_analyses_narrowing_and_paging(ec2, net):
    pid = new_path(ec2, net["a"], net["b"])["NetworkInsightsPathId"]
    other = new_path(ec2, net["a"], net["c"])["NetworkInsightsPathId"]
    mine = [analyze(ec2, pid)[0]["NetworkInsightsAnalysisId"] for _ in range(3)]
    theirs = analyze(ec2, other)[0]["NetworkInsightsAnalysisId"]
    seen, token = [], None
    while True:
        kw = {"NextToken": token} if token else {}
        r = ec2.describe_network_insights_analyses(NetworkInsightsPathId=pid, MaxResults=2, **kw)
        seen += [x["NetworkInsightsAnalysisId"] for x in r["NetworkInsightsAnalyses"]]
        token = r.get("NextToken")
        if not token:
            break
    assert seen == mine
    status = ec2.describe_network_insights_analyses(
        Filters=[{"Name": "status", "Values": ["succeeded"]}])["NetworkInsightsAnalyses"]
    assert {x["NetworkInsightsAnalysisId"] for x in status} >= set(mine + [theirs])
    assert ec2.describe_network_insights_analyses(
        Filters=[{"Name": "status", "Values": ["failed"]}])["NetworkInsightsAnalyses"] == []
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    earlier = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)
    assert ec2.describe_network_insights_analyses(
        NetworkInsightsPathId=pid, AnalysisStartTime=later)["NetworkInsightsAnalyses"] == []
    assert ec2.describe_network_insights_analyses(
        NetworkInsightsPathId=pid, AnalysisEndTime=earlier)["NetworkInsightsAnalyses"] == []
    assert [x["NetworkInsightsAnalysisId"] for x in ec2.describe_network_insights_analyses(
        AnalysisStartTime=earlier, AnalysisEndTime=later)["NetworkInsightsAnalyses"]
        if x["NetworkInsightsPathId"] in (pid, other)] == mine + [theirs]
    assert err(ec2.describe_network_insights_analyses,
               NetworkInsightsPathId="nip-0123456789abcdef0") == \
        "InvalidNetworkInsightsPathId.NotFound"
    for aid in mine + [theirs]:
        ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=aid)
    ec2.delete_network_insights_path(NetworkInsightsPathId=pid)
    ec2.delete_network_insights_path(NetworkInsightsPathId=other)


def test_failed_when_an_endpoint_is_gone(ec2, net):
    gone = ec2.run_instances(ImageId=AMI, SubnetId=net["sa"], MinCount=1,
                             MaxCount=1)["Instances"][0]["InstanceId"]
    pid = new_path(ec2, net["a"], gone)["NetworkInsightsPathId"]
    ec2.terminate_instances(InstanceIds=[gone])
    _, a = analyze(ec2, pid)
    assert a["Status"] == "failed"
    assert gone in a["StatusMessage"]
    assert "NetworkPathFound" not in a and "ForwardPathComponents" not in a
    assert [x["NetworkInsightsAnalysisId"] for x in ec2.describe_network_insights_analyses(
        NetworkInsightsPathId=pid, Filters=[{"Name": "status", "Values": ["failed"]}])[
        "NetworkInsightsAnalyses"]] == [a["NetworkInsightsAnalysisId"]]
    ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=a["NetworkInsightsAnalysisId"])
    ec2.delete_network_insights_path(NetworkInsightsPathId=pid)


def test_persistence_across_restart(vpcd, net):
    ec2 = vpcd.client()
    with Extra(ec2, "CreateNetworkInsightsPath",
               add={"FilterAtSource.DestinationPortRange.FromPort": "443"}, drop=()):
        p = ec2.create_network_insights_path(
            Source=net["a"], Destination=net["c"], Protocol="tcp",
            TagSpecifications=[{"ResourceType": "network-insights-path",
                                "Tags": [{"Key": "keep", "Value": "yes"}]}])[
            "NetworkInsightsPath"]
    pid = p["NetworkInsightsPathId"]
    _, blocked = analyze(ec2, pid)
    other = new_path(ec2, net["a"], net["d"])["NetworkInsightsPathId"]
    _, found = analyze(ec2, other)
    raw = Raw(ec2)
    ec2.describe_network_insights_paths(NetworkInsightsPathIds=[pid])
    before_xml = find(raw.root(), "networkInsightsPathSet/item/filterAtSource")
    assert text(before_xml, "destinationPortRange/fromPort") == "443"
    vpcd.kill()
    vpcd.start()
    ec2 = vpcd.client()
    raw = Raw(ec2)
    assert ec2.describe_network_insights_paths(NetworkInsightsPathIds=[pid])[
        "NetworkInsightsPaths"] == [p]
    after_xml = find(raw.root(), "networkInsightsPathSet/item/filterAtSource")
    assert ET.tostring(after_xml) == ET.tostring(before_xml)
    for a in (blocked, found):
        assert ec2.describe_network_insights_analyses(
            NetworkInsightsAnalysisIds=[a["NetworkInsightsAnalysisId"]])[
            "NetworkInsightsAnalyses"] == [a]
    assert blocked["Explanations"][0]["ExplanationCode"] == "ENI_SG_RULES_MISMATCH"
    assert found["NetworkPathFound"] is True and len(found["ReturnPathComponents"]) == 9
    drop_analyses(ec2, pid)
    drop_analyses(ec2, other)
    ec2.delete_network_insights_path(NetworkInsightsPathId=pid)
    ec2.delete_network_insights_path(NetworkInsightsPathId=other)


def test_filter_in_arns_and_accounts_echoed(ec2, net):
    pid = new_path(ec2, net["a"], net["b"])["NetworkInsightsPathId"]
    arn = "arn:aws:ec2:us-east-1:000000000000:security-group/" + net["sg"]
    started, a = analyze(ec2, pid, FilterInArns=[arn], AdditionalAccounts=["111111111111"])
    assert started["FilterInArns"] == [arn] and a["FilterInArns"] == [arn]
    assert a["AdditionalAccounts"] == ["111111111111"]
    assert err(ec2.start_network_insights_analysis, NetworkInsightsPathId=pid,
               FilterInArns=[net["sg"]]) == "InvalidParameterValue"
    assert err(ec2.start_network_insights_analysis, NetworkInsightsPathId=pid,
               AdditionalAccounts=["12345"]) == "InvalidParameterValue"
    ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=a["NetworkInsightsAnalysisId"])
    ec2.delete_network_insights_path(NetworkInsightsPathId=pid)


def vpc_with_instance(ec2, cidr, subnet_cidr):
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    sn = ec2.create_subnet(VpcId=vpc, CidrBlock=subnet_cidr,
                           AvailabilityZone=ec2.meta.region_name + "a")["Subnet"]["SubnetId"]
    inst = ec2.run_instances(ImageId=AMI, SubnetId=sn, MinCount=1, MaxCount=1)["Instances"][0]
    rtb = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "RouteTables"][0]["RouteTableId"]
    sg = inst["SecurityGroups"][0]["GroupId"]
    return {"vpc": vpc, "subnet": sn, "inst": inst["InstanceId"], "rtb": rtb, "sg": sg,
            "eni": inst["NetworkInterfaces"][0]["NetworkInterfaceId"]}


def test_peering_route_and_missing_return_route(ec2):
    x = vpc_with_instance(ec2, "10.92.0.0/16", "10.92.1.0/24")
    y = vpc_with_instance(ec2, "10.93.0.0/16", "10.93.1.0/24")
    pcx = ec2.create_vpc_peering_connection(VpcId=x["vpc"], PeerVpcId=y["vpc"])[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    ec2.create_route(RouteTableId=x["rtb"], DestinationCidrBlock="10.93.0.0/16",
                     VpcPeeringConnectionId=pcx)
    ec2.create_route(RouteTableId=y["rtb"], DestinationCidrBlock="10.92.0.0/16",
                     VpcPeeringConnectionId=pcx)
    ec2.authorize_security_group_ingress(GroupId=y["sg"], IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
        "IpRanges": [{"CidrIp": "10.92.0.0/16"}]}])
    pid = new_path(ec2, x["inst"], y["inst"])["NetworkInsightsPathId"]
    _, a = analyze(ec2, pid)
    assert a["NetworkPathFound"] is True
    fwd = a["ForwardPathComponents"]
    ids = ids_of(fwd)
    assert ids[:2] == [x["inst"], x["eni"]] and ids[-2:] == [y["eni"], y["inst"]]
    route = next(c for c in fwd if c["Component"]["Id"] == x["rtb"])
    assert route["RouteTableRoute"] == {"DestinationCidr": "10.93.0.0/16",
                                        "VpcPeeringConnectionId": pcx, "Origin": "CreateRoute",
                                        "State": "active"}
    hop = next(c for c in fwd if c["Component"]["Id"] == pcx)
    assert hop["SourceVpc"]["Id"] == x["vpc"] and hop["DestinationVpc"]["Id"] == y["vpc"]
    assert ids.index(x["rtb"]) < ids.index(pcx)
    sg_in = [c for c in fwd if c["Component"]["Id"] == y["sg"]][-1]
    assert sg_in["SecurityGroupRule"] == {"Cidr": "10.92.0.0/16", "Direction": "ingress",
                                          "PortRange": {"From": 22, "To": 22},
                                          "Protocol": "tcp"}
    assert y["rtb"] in ids_of(a["ReturnPathComponents"])

    # The reply has no way back: blocked on the return path, at y's route table.
    ec2.delete_route(RouteTableId=y["rtb"], DestinationCidrBlock="10.92.0.0/16")
    _, b = analyze(ec2, pid)
    assert b["NetworkPathFound"] is False
    assert ids_of(b["ForwardPathComponents"]) == ids
    assert ids_of(b["ReturnPathComponents"])[:2] == [y["inst"], y["eni"]]
    assert y["rtb"] not in ids_of(b["ReturnPathComponents"])
    (e,) = b["Explanations"]
    assert e["ExplanationCode"] == "NO_ROUTE_TO_DESTINATION"
    assert e["RouteTable"]["Id"] == y["rtb"] and e["Component"]["Id"] == y["rtb"]
    assert e["Vpc"]["Id"] == y["vpc"] and e["Subnet"]["Id"] == y["subnet"]
    assert e["Address"] == ec2.describe_instances(InstanceIds=[x["inst"]])[
        "Reservations"][0]["Instances"][0]["PrivateIpAddress"] + "/32"
    drop_analyses(ec2, pid)
    ec2.delete_network_insights_path(NetworkInsightsPathId=pid)


def test_transit_gateway_route_table_route(vpcd):
    ec2 = vpcd.client(region="us-west-2")  # us-east-1 is at its 5-VPC quota by now
    x = vpc_with_instance(ec2, "10.94.0.0/16", "10.94.1.0/24")
    y = vpc_with_instance(ec2, "10.95.0.0/16", "10.95.1.0/24")
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    att = {}
    for v in (x, y):
        att[v["vpc"]] = ec2.create_transit_gateway_vpc_attachment(
            TransitGatewayId=tgw, VpcId=v["vpc"], SubnetIds=[v["subnet"]])[
            "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    ec2.describe_transit_gateway_attachments()  # lets the attachments become available
    ec2.create_route(RouteTableId=x["rtb"], DestinationCidrBlock="10.95.0.0/16",
                     TransitGatewayId=tgw)
    ec2.create_route(RouteTableId=y["rtb"], DestinationCidrBlock="10.94.0.0/16",
                     TransitGatewayId=tgw)
    ec2.authorize_security_group_ingress(GroupId=y["sg"], IpPermissions=[{
        "IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.94.0.0/16"}]}])
    tgw_rtb = ec2.describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"][0][
        "Options"]["AssociationDefaultRouteTableId"]
    pid = new_path(ec2, x["inst"], y["inst"], port=443)["NetworkInsightsPathId"]
    _, a = analyze(ec2, pid)
    assert a["NetworkPathFound"] is True, a.get("Explanations")
    fwd = a["ForwardPathComponents"]
    ids = ids_of(fwd)
    assert ids[:2] == [x["inst"], x["eni"]] and ids[-2:] == [y["eni"], y["inst"]]
    route = next(c for c in fwd if c["Component"]["Id"] == x["rtb"])
    assert route["RouteTableRoute"]["TransitGatewayId"] == tgw
    hop = next(c for c in fwd if c["Component"]["Id"] == tgw_rtb)
    assert hop["TransitGatewayRouteTableRoute"] == {
        "DestinationCidr": "10.95.0.0/16", "State": "active", "RouteOrigin": "propagated",
        "AttachmentId": att[y["vpc"]], "ResourceId": y["vpc"], "ResourceType": "vpc"}
    assert hop["TransitGateway"]["Id"] == tgw
    assert att[x["vpc"]] in ids and att[y["vpc"]] in ids
    assert ids.index(att[x["vpc"]]) < ids.index(tgw_rtb) < ids.index(att[y["vpc"]])
    ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=a["NetworkInsightsAnalysisId"])
    ec2.delete_network_insights_path(NetworkInsightsPathId=pid)


# ---- DescribeVpcdReachabilityMatrix ----

def matrix(vpcd, **params):
    root = raw_call(vpcd, "DescribeVpcdReachabilityMatrix", params)
    insts = [(text(i, "instanceId"), text(i, "region"), text(i, "privateIpAddress"))
             for i in find(root, "instanceSet").findall(NS + "item")]
    rows = [(text(r, "instanceId"), text(r, "reachable"))
            for r in find(root, "rowSet").findall(NS + "item")]
    return insts, rows


def test_matrix(vpcd, ec2, net):
    eu = vpcd.client(region="eu-west-1")
    far = eu.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    insts, rows = matrix(vpcd, Protocol="tcp", DestinationPort="22")
    order = [i[0] for i in insts]
    assert insts == sorted(insts, key=lambda i: (i[1], i[0]))
    assert (far, "eu-west-1") in [(i[0], i[1]) for i in insts]
    assert [r[0] for r in rows] == order
    assert all(len(r[1]) == len(order) for r in rows)
    ips = {i[0]: i[2] for i in insts}
    assert ips[net["a"]] == net["ip"][net["a"]]
    reach = {(order[i], order[j]): rows[i][1][j] == "1"
             for i in range(len(order)) for j in range(len(order))}
    a, b, c, d = net["a"], net["b"], net["c"], net["d"]
    assert reach[(a, b)] and reach[(b, a)] and reach[(a, d)] and reach[(d, b)]
    assert not reach[(a, c)] and not reach[(c, a)]  # c admits nothing; a admits its group only
    assert reach[(c, c)] and not reach[(a, far)] and not reach[(far, a)]
    # Another account's matrix lists its own instances only.
    root = raw_call(vpcd, "DescribeVpcdReachabilityMatrix", {}, account="111111111111")
    assert find(root, "instanceSet").findall(NS + "item") == []
    assert find(root, "rowSet").findall(NS + "item") == []
    eu.terminate_instances(InstanceIds=[far])
    insts, _ = matrix(vpcd, Protocol="tcp", DestinationPort="22")
    assert far not in [i[0] for i in insts]


def test_matrix_errors(vpcd):
    with pytest.raises(urllib.error.HTTPError) as e:
        raw_call(vpcd, "DescribeVpcdReachabilityMatrix", {"Protocol": "sctp"})
    assert e.value.code == 400
    assert b"<Code>InvalidParameterValue</Code>" in e.value.read()


def test_matrix_thousand_instances():
    """1,000 instances: 1,000 rows of 1,000 characters (a reply over 1 MB), in seconds."""
    d = Vpcd()
    try:
        ec2 = d.client()
        vpc = ec2.create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]
        sn = ec2.create_subnet(VpcId=vpc, CidrBlock="10.91.0.0/22")["Subnet"]["SubnetId"]
        closed = ec2.create_security_group(VpcId=vpc, GroupName="closed",
                                           Description="no ingress")["GroupId"]
        ec2.run_instances(ImageId=AMI, SubnetId=sn, MinCount=999, MaxCount=999)
        lone = ec2.run_instances(ImageId=AMI, SubnetId=sn, MinCount=1, MaxCount=1,
                                 SecurityGroupIds=[closed])["Instances"][0]["InstanceId"]
        body = urllib.parse.urlencode({"Action": "DescribeVpcdReachabilityMatrix",
                                       "Version": "2016-11-15", "Protocol": "tcp",
                                       "DestinationPort": "443"})
        req = AWSRequest(method="POST", url=d.endpoint + "/", data=body, headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        SigV4Auth(Credentials("test", "test"), "ec2", "us-east-1").add_auth(req)
        t0 = time.monotonic()
        with urllib.request.urlopen(urllib.request.Request(
                req.url, data=body.encode(), headers=dict(req.headers), method="POST"),
                timeout=120) as r:
            reply = r.read()
        elapsed = time.monotonic() - t0
        assert len(reply) > 1_000_000
        assert elapsed < 30, elapsed
        root = ET.fromstring(reply)
        order = [text(i, "instanceId") for i in find(root, "instanceSet").findall(NS + "item")]
        rows = [text(r, "reachable") for r in find(root, "rowSet").findall(NS + "item")]
        assert len(order) == 1000 and order == sorted(order) and len(rows) == 1000
        k = order.index(lone)
        # The default group admits its members; the lone instance's group admits nobody, and
        # its members are not in the default group.
        expected = ["".join("1" if i == j or (k not in (i, j)) else "0" for j in range(1000))
                    for i in range(1000)]
        assert rows == expected
    finally:
        d.close()
