"""Internet gateways and egress-only internet gateways through boto3."""
import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNTS, error_code


def err(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    return error_code(e)


def message(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    return e.value.response["Error"]["Message"]


@pytest.fixture
def eu(vpcd):
    return vpcd.client(region="eu-west-1")


@pytest.fixture(scope="module")
def vpcs(vpcd):
    ec2 = vpcd.client(region="eu-west-1")
    return [ec2.create_vpc(CidrBlock=f"10.{40 + i}.0.0/16")["Vpc"]["VpcId"] for i in range(2)]


def test_default_vpc_gateway(eu):
    vpc = eu.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
    gws = eu.describe_internet_gateways(Filters=[
        {"Name": "attachment.vpc-id", "Values": [vpc["VpcId"]]}])["InternetGateways"]
    assert len(gws) == 1
    assert gws[0]["Attachments"] == [{"State": "available", "VpcId": vpc["VpcId"]}]
    assert gws[0]["OwnerId"] == "000000000000"


def test_igw_lifecycle(eu, vpcs):
    vpc = vpcs[0]
    g = eu.create_internet_gateway(TagSpecifications=[
        {"ResourceType": "internet-gateway", "Tags": [{"Key": "Name", "Value": "x"}]}]
    )["InternetGateway"]
    gid = g["InternetGatewayId"]
    assert g["Attachments"] == []
    assert g["Tags"] == [{"Key": "Name", "Value": "x"}]
    assert g["OwnerId"] == "000000000000"
    eu.attach_internet_gateway(InternetGatewayId=gid, VpcId=vpc)
    d = eu.describe_internet_gateways(InternetGatewayIds=[gid])["InternetGateways"][0]
    assert d["Attachments"] == [{"State": "available", "VpcId": vpc}]
    # Terraform waits on this filter pair.
    found = eu.describe_internet_gateways(Filters=[
        {"Name": "attachment.state", "Values": ["available"]},
        {"Name": "internet-gateway-id", "Values": [gid]}])["InternetGateways"]
    assert len(found) == 1
    assert err(eu.attach_internet_gateway, InternetGatewayId=gid, VpcId=vpc) == \
        "Resource.AlreadyAssociated"
    assert message(eu.attach_internet_gateway, InternetGatewayId=gid, VpcId=vpcs[1]) == \
        f"resource {gid} is already attached to network {vpc}"
    assert err(eu.delete_internet_gateway, InternetGatewayId=gid) == "DependencyViolation"
    assert message(eu.delete_internet_gateway, InternetGatewayId=gid) == \
        f"The internetGateway '{gid}' has dependencies and cannot be deleted."
    assert err(eu.delete_vpc, VpcId=vpc) == "DependencyViolation"
    assert err(eu.detach_internet_gateway, InternetGatewayId=gid, VpcId=vpcs[1]) == \
        "Gateway.NotAttached"
    eu.detach_internet_gateway(InternetGatewayId=gid, VpcId=vpc)
    assert eu.describe_internet_gateways(InternetGatewayIds=[gid])["InternetGateways"][0][
        "Attachments"] == []
    assert message(eu.detach_internet_gateway, InternetGatewayId=gid, VpcId=vpc) == \
        f"resource {gid} is not attached to network {vpc}"
    eu.delete_internet_gateway(InternetGatewayId=gid)
    assert err(eu.describe_internet_gateways, InternetGatewayIds=[gid]) == \
        "InvalidInternetGatewayID.NotFound"
    assert err(eu.delete_internet_gateway, InternetGatewayId=gid) == \
        "InvalidInternetGatewayID.NotFound"


def test_one_igw_per_vpc(eu, vpcs):
    a = eu.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    b = eu.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    eu.attach_internet_gateway(InternetGatewayId=a, VpcId=vpcs[1])
    assert err(eu.attach_internet_gateway, InternetGatewayId=b, VpcId=vpcs[1]) == \
        "Resource.AlreadyAssociated"
    assert err(eu.attach_internet_gateway, InternetGatewayId=b,
               VpcId="vpc-0123456789abcdef0") == "InvalidVpcID.NotFound"
    assert err(eu.attach_internet_gateway, InternetGatewayId="igw-bad", VpcId=vpcs[1]) == \
        "InvalidInternetGatewayId.Malformed"
    assert err(eu.detach_internet_gateway, InternetGatewayId=a,
               VpcId="vpc-0123456789abcdef0") == "InvalidVpcID.NotFound"
    eu.detach_internet_gateway(InternetGatewayId=a, VpcId=vpcs[1])
    eu.attach_internet_gateway(InternetGatewayId=b, VpcId=vpcs[1])
    eu.detach_internet_gateway(InternetGatewayId=b, VpcId=vpcs[1])
    eu.delete_internet_gateway(InternetGatewayId=a)
    eu.delete_internet_gateway(InternetGatewayId=b)


def test_igw_quota(vpcd):
    ec2 = vpcd.client(region="ap-northeast-1")
    made = [ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
            for _ in range(4)]
    assert err(ec2.create_internet_gateway) == "InternetGatewayLimitExceeded"
    ec2.delete_internet_gateway(InternetGatewayId=made[0])
    ec2.create_internet_gateway()


def test_igw_isolation_and_paging(vpcd, eu, vpcs):
    gid = eu.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    other = vpcd.client(account="222222222222", region="eu-west-1")
    assert err(other.describe_internet_gateways, InternetGatewayIds=[gid]) == \
        "InvalidInternetGatewayID.NotFound"
    assert err(other.delete_internet_gateway, InternetGatewayId=gid) == \
        "InvalidInternetGatewayID.NotFound"
    assert err(other.attach_internet_gateway, InternetGatewayId=gid, VpcId=vpcs[0]) == \
        "InvalidInternetGatewayID.NotFound"
    own = other.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    assert err(other.attach_internet_gateway, InternetGatewayId=own, VpcId=vpcs[0]) == \
        "InvalidVpcID.NotFound"
    assert gid not in [g["InternetGatewayId"] for g in
                       other.describe_internet_gateways()["InternetGateways"]]
    assert err(vpcd.client(region="eu-west-2").describe_internet_gateways,
               InternetGatewayIds=[gid]) == "InvalidInternetGatewayID.NotFound"
    # eu-west-1 holds the default gateway and this one.
    page = eu.describe_internet_gateways(MaxResults=5)
    assert len(page["InternetGateways"]) == 2 and "NextToken" not in page
    assert err(eu.describe_internet_gateways, InternetGatewayIds=[gid], MaxResults=5) == \
        "InvalidParameterCombination"
    key, secret = ACCOUNTS["000000000000"]
    raw = boto3.client("ec2", endpoint_url=vpcd.endpoint, region_name="eu-west-1",
                       aws_access_key_id=key, aws_secret_access_key=secret,
                       config=botocore.config.Config(parameter_validation=False,
                                                     retries={"max_attempts": 1}))
    assert err(raw.describe_internet_gateways, MaxResults=2) == "InvalidParameterValue"
    assert err(raw.describe_egress_only_internet_gateways, MaxResults=256) == \
        "InvalidParameterValue"
    eu.delete_internet_gateway(InternetGatewayId=gid)


def test_eigw(vpcd, eu, vpcs):
    vpc = vpcs[0]
    r = eu.create_egress_only_internet_gateway(
        VpcId=vpc, ClientToken="token-a",
        TagSpecifications=[{"ResourceType": "egress-only-internet-gateway",
                            "Tags": [{"Key": "Name", "Value": "e"}]}])
    e = r["EgressOnlyInternetGateway"]
    eid = e["EgressOnlyInternetGatewayId"]
    assert r["ClientToken"] == "token-a"
    assert eid.startswith("eigw-")
    assert e["Attachments"] == [{"State": "attached", "VpcId": vpc}]
    assert e["Tags"] == [{"Key": "Name", "Value": "e"}]
    again = eu.create_egress_only_internet_gateway(VpcId=vpc, ClientToken="token-a")
    assert again["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"] == eid
    assert err(eu.create_egress_only_internet_gateway, VpcId=vpcs[1],
               ClientToken="token-a") == "IdempotentParameterMismatch"
    assert err(eu.create_egress_only_internet_gateway, VpcId=vpc) == \
        "Resource.AlreadyAssociated"
    assert err(eu.create_egress_only_internet_gateway, VpcId="vpc-0123456789abcdef0") == \
        "InvalidVpcID.NotFound"
    d = eu.describe_egress_only_internet_gateways(
        EgressOnlyInternetGatewayIds=[eid])["EgressOnlyInternetGateways"]
    assert d == [e]
    f = eu.describe_egress_only_internet_gateways(Filters=[
        {"Name": "tag:Name", "Values": ["e"]}])["EgressOnlyInternetGateways"]
    assert [x["EgressOnlyInternetGatewayId"] for x in f] == [eid]
    other = vpcd.client(account="111111111111", region="eu-west-1")
    assert err(other.describe_egress_only_internet_gateways,
               EgressOnlyInternetGatewayIds=[eid]) == \
        "InvalidEgressOnlyInternetGatewayId.NotFound"
    assert err(other.create_egress_only_internet_gateway, VpcId=vpc) == "InvalidVpcID.NotFound"
    assert err(eu.delete_vpc, VpcId=vpc) == "DependencyViolation"
    assert eu.delete_egress_only_internet_gateway(
        EgressOnlyInternetGatewayId=eid)["ReturnCode"] is True
    assert err(eu.delete_egress_only_internet_gateway, EgressOnlyInternetGatewayId=eid) == \
        "InvalidEgressOnlyInternetGatewayId.NotFound"
    assert err(eu.delete_egress_only_internet_gateway, EgressOnlyInternetGatewayId="eigw-1") == \
        "InvalidEgressOnlyInternetGatewayId.Malformed"
    assert err(eu.describe_egress_only_internet_gateways,
               EgressOnlyInternetGatewayIds=[eid]) == \
        "InvalidEgressOnlyInternetGatewayId.NotFound"
    # The token is free again once its gateway is gone.
    e2 = eu.create_egress_only_internet_gateway(VpcId=vpcs[1], ClientToken="token-b")
    eu.delete_egress_only_internet_gateway(
        EgressOnlyInternetGatewayId=e2["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"])


def test_persistence_across_restart(vpcd, vpcs):
    eu = vpcd.client(region="eu-west-1")
    gid = eu.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    eu.attach_internet_gateway(InternetGatewayId=gid, VpcId=vpcs[1])
    eid = eu.create_egress_only_internet_gateway(VpcId=vpcs[1], ClientToken="persist")[
        "EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    vpcd.kill()
    vpcd.start()
    eu = vpcd.client(region="eu-west-1")
    g = eu.describe_internet_gateways(InternetGatewayIds=[gid])["InternetGateways"][0]
    assert g["Attachments"] == [{"State": "available", "VpcId": vpcs[1]}]
    again = eu.create_egress_only_internet_gateway(VpcId=vpcs[1], ClientToken="persist")
    assert again["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"] == eid
    eu.detach_internet_gateway(InternetGatewayId=gid, VpcId=vpcs[1])
    eu.delete_internet_gateway(InternetGatewayId=gid)
    eu.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=eid)
    for v in vpcs:
        eu.delete_vpc(VpcId=v)
