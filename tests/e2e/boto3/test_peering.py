"""VPC peering connections through boto3: expiry, filters, paging, restart, cross-region."""
import datetime
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import Vpcd, error_code


def err(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    return error_code(e)


def advance(vpcd, seconds):
    req = urllib.request.Request(f"{vpcd.endpoint}/_vpcd/clock?advance={seconds}", method="POST")
    urllib.request.urlopen(req, timeout=5).read()


def describe(ec2, pcx_id):
    return ec2.describe_vpc_peering_connections(
        VpcPeeringConnectionIds=[pcx_id])["VpcPeeringConnections"][0]


def ids(ec2, **kw):
    return [p["VpcPeeringConnectionId"]
            for p in ec2.describe_vpc_peering_connections(**kw)["VpcPeeringConnections"]]


@pytest.fixture
def dev():
    d = Vpcd(extra_args=["--dev"])
    yield d
    d.close()


def test_pending_request_expires_after_7_days(dev):
    ec2 = dev.client()
    a = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    b = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    p = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"]
    pid = p["VpcPeeringConnectionId"]
    created = datetime.datetime.now(datetime.timezone.utc)
    exp = p["ExpirationTime"]
    assert abs((exp - created).total_seconds() - 7 * 86400) < 120
    rtb = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [a]}])["RouteTables"][0]
    ec2.create_route(RouteTableId=rtb["RouteTableId"], DestinationCidrBlock="10.2.0.0/16",
                     VpcPeeringConnectionId=pid)

    advance(dev, 604799)  # one second before the deadline: still pending
    assert describe(ec2, pid)["Status"] == {"Code": "pending-acceptance",
                                            "Message": "Pending Acceptance by 000000000000"}
    advance(dev, 2)
    got = describe(ec2, pid)
    assert got["Status"] == {"Code": "expired", "Message": "Expired"}
    assert got["ExpirationTime"] == exp
    assert ids(ec2, Filters=[{"Name": "status-code", "Values": ["expired"]}]) == [pid]
    assert err(ec2.accept_vpc_peering_connection, VpcPeeringConnectionId=pid) == \
        "InvalidStateTransition"
    assert err(ec2.delete_vpc_peering_connection, VpcPeeringConnectionId=pid) == \
        "InvalidStateTransition"
    routes = ec2.describe_route_tables(RouteTableIds=[rtb["RouteTableId"]])["RouteTables"][0]
    assert [r["State"] for r in routes["Routes"] if r.get("VpcPeeringConnectionId") == pid] == \
        ["blackhole"]
    # An expired request no longer blocks the pair.
    p2 = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"]
    assert p2["Status"]["Code"] == "pending-acceptance"

    # Expired connections stay describable for 2 days, then disappear.
    advance(dev, 2 * 86400 - 10)
    assert describe(ec2, pid)["Status"]["Code"] == "expired"
    advance(dev, 20)
    assert err(ec2.describe_vpc_peering_connections, VpcPeeringConnectionIds=[pid]) == \
        "InvalidVpcPeeringConnectionID.NotFound"
    assert pid not in ids(ec2)


def test_deleted_visible_for_two_hours(dev):
    ec2 = dev.client()
    a = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    b = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    pid = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pid)
    ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pid)
    advance(dev, 7200 - 30)
    assert describe(ec2, pid)["Status"]["Code"] == "deleted"
    advance(dev, 60)
    assert pid not in ids(ec2)


def test_rejected_windows_differ_by_side(dev):
    req = dev.client("111111111111")
    acc = dev.client("222222222222")
    a = req.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    b = acc.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    pid = req.create_vpc_peering_connection(VpcId=a, PeerVpcId=b, PeerOwnerId="222222222222")[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    acc.reject_vpc_peering_connection(VpcPeeringConnectionId=pid)
    assert describe(req, pid)["Status"] == {"Code": "rejected",
                                            "Message": "Rejected by 222222222222"}
    advance(dev, 7300)  # past 2 hours: the accepter no longer sees it, the requester does
    assert pid not in ids(acc)
    assert describe(req, pid)["Status"]["Code"] == "rejected"


@pytest.fixture(scope="module")
def world(vpcd):
    """Account 0 in us-east-1: the default VPC and four more; peerings among them."""
    ec2 = vpcd.client()
    vpcs = [ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0][
        "VpcId"]]
    for i in range(4):
        vpcs.append(ec2.create_vpc(CidrBlock=f"10.{i + 1}.0.0/16")["Vpc"]["VpcId"])
    return vpcs


def test_filters(vpcd, world):
    ec2 = vpcd.client()
    acct2 = vpcd.client("222222222222")
    peer = acct2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    tagged = ec2.create_vpc_peering_connection(
        VpcId=world[1], PeerVpcId=world[2],
        TagSpecifications=[{"ResourceType": "vpc-peering-connection",
                            "Tags": [{"Key": "env", "Value": "prod"}]}])["VpcPeeringConnection"]
    active = tagged["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=active)
    cross = ec2.create_vpc_peering_connection(VpcId=world[1], PeerVpcId=peer,
                                              PeerOwnerId="222222222222")["VpcPeeringConnection"]
    pending = cross["VpcPeeringConnectionId"]

    def f(name, *values):
        return sorted(ids(ec2, Filters=[{"Name": name, "Values": list(values)}]))

    assert f("status-code", "active") == [active]
    assert f("status-code", "pending-acceptance") == [pending]
    assert f("status-message", "Pending Acceptance by 222222222222") == [pending]
    assert f("requester-vpc-info.vpc-id", world[1]) == sorted([active, pending])
    assert f("requester-vpc-info.cidr-block", "10.1.0.0/16") == sorted([active, pending])
    assert f("requester-vpc-info.owner-id", "000000000000") == sorted([active, pending])
    assert f("accepter-vpc-info.owner-id", "222222222222") == [pending]
    assert f("accepter-vpc-info.vpc-id", world[2]) == [active]
    assert f("accepter-vpc-info.cidr-block", "10.2.0.0/16") == [active]
    # The accepter's blocks are not known before acceptance, so they do not match either.
    assert f("accepter-vpc-info.cidr-block", "10.99.0.0/16") == []
    assert f("vpc-peering-connection-id", pending) == [pending]
    assert f("tag:env", "prod") == [active]
    assert f("tag-key", "env") == [active]
    exp = cross["ExpirationTime"].strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert f("expiration-time", exp) == [pending]
    assert f("status-code", "pending-*") == [pending]  # values are globs, as on AWS
    both = ids(ec2, Filters=[{"Name": "status-code", "Values": ["active"]},
                             {"Name": "tag:env", "Values": ["prod"]}])
    assert both == [active]
    assert err(ec2.describe_vpc_peering_connections,
               Filters=[{"Name": "size", "Values": ["x"]}]) == "InvalidParameterValue"
    # The accepter account filters its own view of the same object.
    assert ids(acct2, Filters=[{"Name": "accepter-vpc-info.owner-id",
                                "Values": ["222222222222"]}]) == [pending]
    ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pending)
    ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=active)


def test_paging(vpcd, world):
    ec2 = vpcd.client()
    before = set(ids(ec2))
    made = []
    for i, j in [(0, 1), (0, 2), (0, 3), (0, 4), (1, 3), (1, 4), (2, 3)]:
        p = ec2.create_vpc_peering_connection(VpcId=world[i], PeerVpcId=world[j])
        made.append(p["VpcPeeringConnection"]["VpcPeeringConnectionId"])
    seen, token, pages = [], None, 0
    while True:
        kw = {"MaxResults": 5, **({"NextToken": token} if token else {})}
        page = ec2.describe_vpc_peering_connections(**kw)
        assert len(page["VpcPeeringConnections"]) <= 5
        seen += [p["VpcPeeringConnectionId"] for p in page["VpcPeeringConnections"]]
        pages += 1
        token = page.get("NextToken")
        if not token:
            break
    assert pages >= 2
    assert len(seen) == len(set(seen))
    assert set(seen) == before | set(made)
    assert [p for p in seen if p in made] == made  # creation order
    paginated = [p["VpcPeeringConnectionId"]
                 for page in ec2.get_paginator("describe_vpc_peering_connections").paginate(
                     PaginationConfig={"PageSize": 5})
                 for p in page["VpcPeeringConnections"]]
    assert paginated == seen
    assert err(ec2.describe_vpc_peering_connections, NextToken="zz") == "InvalidPaginationToken"
    for p in made:
        ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=p)


def test_cross_region_view(vpcd):
    us = vpcd.client("111111111111", "us-east-1")
    eu = vpcd.client("111111111111", "eu-west-1")
    a = us.create_vpc(CidrBlock="10.50.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    b = eu.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    p = us.create_vpc_peering_connection(VpcId=a, PeerVpcId=b, PeerRegion="eu-west-1")[
        "VpcPeeringConnection"]
    pid = p["VpcPeeringConnectionId"]
    assert p["Status"]["Code"] == "initiating-request"
    assert p["RequesterVpcInfo"]["Region"] == "us-east-1"
    assert p["AccepterVpcInfo"] == {"OwnerId": "111111111111", "VpcId": b, "Region": "eu-west-1"}
    ipv6 = us.describe_vpcs(VpcIds=[a])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0][
        "Ipv6CidrBlock"]
    assert p["RequesterVpcInfo"]["Ipv6CidrBlockSet"] == [{"Ipv6CidrBlock": ipv6}]
    assert err(us.accept_vpc_peering_connection, VpcPeeringConnectionId=pid) == \
        "OperationNotPermitted"
    assert err(eu.delete_vpc_peering_connection, VpcPeeringConnectionId=pid) == \
        "OperationNotPermitted"  # only the requester deletes a pending request
    got = eu.accept_vpc_peering_connection(VpcPeeringConnectionId=pid)["VpcPeeringConnection"]
    assert got["Status"]["Code"] == "provisioning"
    seen_us, seen_eu = describe(us, pid), describe(eu, pid)
    assert seen_us == seen_eu
    assert seen_us["Status"]["Code"] == "active"
    assert seen_us["AccepterVpcInfo"]["CidrBlockSet"] == [{"CidrBlock": "10.60.0.0/16"}]
    assert seen_us["RequesterVpcInfo"]["Region"] == "us-east-1"
    assert seen_us["AccepterVpcInfo"]["Region"] == "eu-west-1"
    # Each region modifies only its own side.
    for vpc, c in ((a, us), (b, eu)):
        c.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    r = eu.modify_vpc_peering_connection_options(
        VpcPeeringConnectionId=pid,
        AccepterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True})
    assert r["AccepterPeeringConnectionOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
    assert "RequesterPeeringConnectionOptions" not in r
    assert err(eu.modify_vpc_peering_connection_options, VpcPeeringConnectionId=pid,
               RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True}) == \
        "OperationNotPermitted"
    assert describe(us, pid)["AccepterVpcInfo"]["PeeringOptions"][
        "AllowDnsResolutionFromRemoteVpc"] is True
    us.delete_vpc_peering_connection(VpcPeeringConnectionId=pid)
    assert describe(eu, pid)["Status"] == {"Code": "deleted",
                                           "Message": "Deleted by 111111111111"}


def test_restart_keeps_both_views(tmp_path):
    d = Vpcd()
    try:
        req, acc = d.client("111111111111"), d.client("222222222222", "eu-west-1")
        a = req.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
        b = acc.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
        p = req.create_vpc_peering_connection(
            VpcId=a, PeerVpcId=b, PeerOwnerId="222222222222", PeerRegion="eu-west-1",
            TagSpecifications=[{"ResourceType": "vpc-peering-connection",
                                "Tags": [{"Key": "Name", "Value": "dr"}]}])
        pid = p["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        pending = req.create_vpc_peering_connection(
            VpcId=a, PeerVpcId=req.describe_vpcs(
                Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"])
        pending_id = pending["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        acc.accept_vpc_peering_connection(VpcPeeringConnectionId=pid)
        acc.modify_vpc_attribute(VpcId=b, EnableDnsHostnames={"Value": True})
        req.modify_vpc_attribute(VpcId=a, EnableDnsHostnames={"Value": True})
        acc.modify_vpc_peering_connection_options(
            VpcPeeringConnectionId=pid,
            AccepterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True})
        rtb = acc.describe_route_tables(
            Filters=[{"Name": "vpc-id", "Values": [b]}])["RouteTables"][0]["RouteTableId"]
        acc.create_route(RouteTableId=rtb, DestinationCidrBlock="10.1.0.0/16",
                         VpcPeeringConnectionId=pid)
        before_req, before_acc = describe(req, pid), describe(acc, pid)
        before_pending = describe(req, pending_id)
        d.stop()
        d.start()
        req, acc = d.client("111111111111"), d.client("222222222222", "eu-west-1")
        assert describe(req, pid) == before_req
        assert describe(acc, pid) == before_acc
        assert describe(req, pending_id) == before_pending
        assert before_acc["Tags"] == [{"Key": "Name", "Value": "dr"}]
        assert before_acc["AccepterVpcInfo"]["PeeringOptions"][
            "AllowDnsResolutionFromRemoteVpc"] is True
        routes = acc.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
        assert [r["State"] for r in routes if r.get("VpcPeeringConnectionId") == pid] == ["active"]
        # The restored objects still obey the rules.
        assert err(req.accept_vpc_peering_connection, VpcPeeringConnectionId=pid) == \
            "OperationNotPermitted"
        req.delete_vpc_peering_connection(VpcPeeringConnectionId=pid)
        d.stop()
        d.start()
        acc = d.client("222222222222", "eu-west-1")
        assert describe(acc, pid)["Status"] == {"Code": "deleted",
                                                "Message": "Deleted by 111111111111"}
        assert describe(acc, pid)["AccepterVpcInfo"]["CidrBlock"] == "10.2.0.0/16"
    finally:
        d.close()


def test_active_quota_per_vpc():
    d = Vpcd(extra_args=["--quota", "peerings-per-vpc=1"])
    try:
        ec2 = d.client()
        a, b, c = (ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"] for i in (1, 2, 3))
        p1 = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"]
        p2 = ec2.create_vpc_peering_connection(VpcId=c, PeerVpcId=a)["VpcPeeringConnection"]
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=p1["VpcPeeringConnectionId"])
        assert err(ec2.accept_vpc_peering_connection,
                   VpcPeeringConnectionId=p2["VpcPeeringConnectionId"]) == \
            "ActiveVpcPeeringConnectionPerVpcLimitExceeded"
        assert err(ec2.create_vpc_peering_connection, VpcId=a, PeerVpcId=c) == \
            "VpcPeeringConnectionAlreadyExists"
        assert err(ec2.create_vpc_peering_connection, VpcId=b, PeerVpcId=c) == \
            "ActiveVpcPeeringConnectionPerVpcLimitExceeded"
        # Deleting the active one frees the slot.
        ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=p1["VpcPeeringConnectionId"])
        got = ec2.accept_vpc_peering_connection(
            VpcPeeringConnectionId=p2["VpcPeeringConnectionId"])["VpcPeeringConnection"]
        assert got["Status"]["Code"] == "provisioning"
    finally:
        d.close()


def test_validation(vpcd, world):
    ec2 = vpcd.client()
    assert err(ec2.create_vpc_peering_connection, VpcId=world[1]) == "MissingParameter"
    assert err(ec2.create_vpc_peering_connection, VpcId="vpc-0123456789abcdef0",
               PeerVpcId=world[2]) == "InvalidVpcID.NotFound"
    assert err(ec2.create_vpc_peering_connection, VpcId=world[1], PeerVpcId=world[2],
               PeerRegion="mars-1") == "InvalidParameterValue"
    assert err(ec2.create_vpc_peering_connection, VpcId=world[1], PeerVpcId=world[2],
               PeerOwnerId="12") == "InvalidParameterValue"
    # A peer VPC that does not exist (in that account) fails like an overlap.
    p = ec2.create_vpc_peering_connection(VpcId=world[1], PeerVpcId=world[2],
                                          PeerOwnerId="111111111111")["VpcPeeringConnection"]
    assert describe(ec2, p["VpcPeeringConnectionId"])["Status"]["Code"] == "failed"
    assert err(ec2.delete_vpc_peering_connection,
               VpcPeeringConnectionId=p["VpcPeeringConnectionId"]) == "InvalidStateTransition"
    assert err(ec2.accept_vpc_peering_connection,
               VpcPeeringConnectionId="pcx-0123456789abcdef0") == \
        "InvalidVpcPeeringConnectionID.NotFound"
    assert err(ec2.reject_vpc_peering_connection, VpcPeeringConnectionId="pcx-1") == \
        "InvalidVpcPeeringConnectionId.Malformed"
    assert err(ec2.create_vpc_peering_connection, VpcId=world[1], PeerVpcId=world[2],
               TagSpecifications=[{"ResourceType": "vpc",
                                   "Tags": [{"Key": "a", "Value": "b"}]}]) == \
        "InvalidParameterValue"
