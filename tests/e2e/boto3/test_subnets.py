"""Subnets through boto3: create/describe/modify/delete, IPv6, default subnets, errors,
paging, isolation and persistence across a restart."""
import ipaddress

import botocore.config
import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNTS, error_code


def v6sub(block, n):
    net = ipaddress.ip_network(block)
    return str(next(s for i, s in enumerate(net.subnets(new_prefix=64)) if i == n))


def raw_client(vpcd, region="us-east-1"):
    """A client that skips botocore's parameter validation, to reach the server's checks."""
    key, secret = ACCOUNTS["000000000000"]
    cfg = botocore.config.Config(retries={"max_attempts": 1}, parameter_validation=False)
    return boto3.client("ec2", endpoint_url=vpcd.endpoint, region_name=region,
                        aws_access_key_id=key, aws_secret_access_key=secret, config=cfg)


def err(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    return error_code(e)


@pytest.fixture(scope="module")
def vpc(vpcd):
    ec2 = vpcd.client(region="us-west-2")
    v = ec2.create_vpc(CidrBlock="10.20.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
    return v["VpcId"], v["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]


@pytest.fixture
def west(vpcd):
    return vpcd.client(region="us-west-2")


def test_default_subnets(ec2):
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    subs = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
    got = sorted((s["CidrBlock"], s["AvailabilityZone"]) for s in subs)
    assert got == [("172.31.0.0/20", "us-east-1a"), ("172.31.16.0/20", "us-east-1b"),
                   ("172.31.32.0/20", "us-east-1c")]
    for s in subs:
        assert s["DefaultForAz"] is True
        assert s["MapPublicIpOnLaunch"] is True
        assert s["AvailableIpAddressCount"] == 4091
        assert s["State"] == "available"


def test_create_fields_terraform_reads(west, vpc):
    vpc_id, _ = vpc
    s = west.create_subnet(VpcId=vpc_id, CidrBlock="10.20.1.0/24", AvailabilityZone="us-west-2b",
                           TagSpecifications=[{"ResourceType": "subnet",
                                               "Tags": [{"Key": "Name", "Value": "a"}]}])["Subnet"]
    sid = s["SubnetId"]
    d = west.describe_subnets(SubnetIds=[sid])["Subnets"][0]
    for got in (s, d):
        assert got["CidrBlock"] == "10.20.1.0/24"
        assert got["AvailableIpAddressCount"] == 251
        assert got["AvailabilityZone"] == "us-west-2b"
        assert got["AvailabilityZoneId"] == "usw2-az2"
        assert got["State"] == "available"
        assert got["OwnerId"] == "000000000000"
        assert got["VpcId"] == vpc_id
        assert got["DefaultForAz"] is False
        assert got["MapPublicIpOnLaunch"] is False
        assert got["MapCustomerOwnedIpOnLaunch"] is False
        assert got["AssignIpv6AddressOnCreation"] is False
        assert got["EnableDns64"] is False
        assert got["Ipv6Native"] is False
        assert got["Ipv6CidrBlockAssociationSet"] == []
        assert got["SubnetArn"] == f"arn:aws:ec2:us-west-2:000000000000:subnet/{sid}"
        assert got["PrivateDnsNameOptionsOnLaunch"] == {
            "HostnameType": "ip-name", "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False}
        assert got["Tags"] == [{"Key": "Name", "Value": "a"}]
        assert "EnableLniAtDeviceIndex" not in got
    west.delete_subnet(SubnetId=sid)


def test_available_counts(west, vpc):
    vpc_id, _ = vpc
    s28 = west.create_subnet(VpcId=vpc_id, CidrBlock="10.20.2.0/28")["Subnet"]
    s20 = west.create_subnet(VpcId=vpc_id, CidrBlock="10.20.16.0/20")["Subnet"]
    assert s28["AvailableIpAddressCount"] == 11
    assert s20["AvailableIpAddressCount"] == 4091
    assert s28["AvailabilityZone"] == "us-west-2a"
    west.delete_subnet(SubnetId=s28["SubnetId"])
    west.delete_subnet(SubnetId=s20["SubnetId"])


def test_modify_one_attribute_per_call(west, vpc):
    vpc_id, block = vpc
    sid = west.create_subnet(VpcId=vpc_id, CidrBlock="10.20.3.0/24",
                             Ipv6CidrBlock=v6sub(block, 3))["Subnet"]["SubnetId"]

    def read():
        return west.describe_subnets(SubnetIds=[sid])["Subnets"][0]

    west.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": True})
    assert read()["MapPublicIpOnLaunch"] is True
    west.modify_subnet_attribute(SubnetId=sid, AssignIpv6AddressOnCreation={"Value": True})
    assert read()["AssignIpv6AddressOnCreation"] is True
    west.modify_subnet_attribute(SubnetId=sid, EnableDns64={"Value": True})
    assert read()["EnableDns64"] is True
    west.modify_subnet_attribute(SubnetId=sid, PrivateDnsHostnameTypeOnLaunch="resource-name")
    west.modify_subnet_attribute(SubnetId=sid,
                                 EnableResourceNameDnsARecordOnLaunch={"Value": True})
    west.modify_subnet_attribute(SubnetId=sid,
                                 EnableResourceNameDnsAAAARecordOnLaunch={"Value": True})
    assert read()["PrivateDnsNameOptionsOnLaunch"] == {
        "HostnameType": "resource-name", "EnableResourceNameDnsARecord": True,
        "EnableResourceNameDnsAAAARecord": True}
    west.modify_subnet_attribute(SubnetId=sid, EnableLniAtDeviceIndex=1)
    assert read()["EnableLniAtDeviceIndex"] == 1
    west.modify_subnet_attribute(SubnetId=sid, DisableLniAtDeviceIndex={"Value": True})
    assert "EnableLniAtDeviceIndex" not in read()
    west.modify_subnet_attribute(SubnetId=sid, MapCustomerOwnedIpOnLaunch={"Value": False})
    assert read()["MapCustomerOwnedIpOnLaunch"] is False
    assert err(west.modify_subnet_attribute, SubnetId=sid,
               MapCustomerOwnedIpOnLaunch={"Value": True}) == "MissingParameter"
    assert err(west.modify_subnet_attribute, SubnetId=sid, MapPublicIpOnLaunch={"Value": True},
               EnableDns64={"Value": False}) == "InvalidParameterCombination"
    assert err(west.modify_subnet_attribute, SubnetId=sid) == "MissingParameter"
    assert err(west.modify_subnet_attribute, SubnetId=sid,
               PrivateDnsHostnameTypeOnLaunch="bogus") == "InvalidParameterValue"
    west.modify_subnet_attribute(SubnetId=sid, AssignIpv6AddressOnCreation={"Value": False})
    west.delete_subnet(SubnetId=sid)


def test_ipv4_only_attribute_rules(west, vpc):
    vpc_id, _ = vpc
    sid = west.create_subnet(VpcId=vpc_id, CidrBlock="10.20.4.0/24")["Subnet"]["SubnetId"]
    for attr in ("EnableDns64", "AssignIpv6AddressOnCreation",
                 "EnableResourceNameDnsAAAARecordOnLaunch"):
        assert err(west.modify_subnet_attribute, SubnetId=sid,
                   **{attr: {"Value": True}}) == "InvalidParameterValue"
    west.delete_subnet(SubnetId=sid)


def test_ipv6_association(west, vpc):
    vpc_id, block = vpc
    sid = west.create_subnet(VpcId=vpc_id, CidrBlock="10.20.5.0/24")["Subnet"]["SubnetId"]
    r = west.associate_subnet_cidr_block(SubnetId=sid, Ipv6CidrBlock=v6sub(block, 5))
    assoc = r["Ipv6CidrBlockAssociation"]
    assert r["SubnetId"] == sid
    assert assoc["Ipv6CidrBlock"] == v6sub(block, 5)
    assert assoc["Ipv6CidrBlockState"]["State"] == "associated"
    assert assoc["AssociationId"].startswith("subnet-cidr-assoc-")
    d = west.describe_subnets(SubnetIds=[sid])["Subnets"][0]
    assert d["Ipv6CidrBlockAssociationSet"] == [assoc]
    found = west.describe_subnets(Filters=[
        {"Name": "ipv6-cidr-block-association.association-id",
         "Values": [assoc["AssociationId"]]}])["Subnets"]
    assert [s["SubnetId"] for s in found] == [sid]
    assert err(west.associate_subnet_cidr_block, SubnetId=sid,
               Ipv6CidrBlock=v6sub(block, 6)) == "CidrLimitExceeded"
    r = west.disassociate_subnet_cidr_block(AssociationId=assoc["AssociationId"])
    assert r["SubnetId"] == sid
    assert r["Ipv6CidrBlockAssociation"]["AssociationId"] == assoc["AssociationId"]
    assert west.describe_subnets(SubnetIds=[sid])["Subnets"][0][
        "Ipv6CidrBlockAssociationSet"] == []
    assert err(west.disassociate_subnet_cidr_block,
               AssociationId=assoc["AssociationId"]) == \
        "InvalidSubnetCidrBlockAssociationID.NotFound"
    assert err(west.disassociate_subnet_cidr_block, AssociationId="nope") == \
        "InvalidSubnetCidrBlockAssociationId.Malformed"
    west.delete_subnet(SubnetId=sid)


def test_ipv6_only_subnet(west, vpc):
    vpc_id, block = vpc
    s = west.create_subnet(VpcId=vpc_id, Ipv6Native=True, Ipv6CidrBlock=v6sub(block, 7),
                           AvailabilityZoneId="usw2-az3")["Subnet"]
    assert "CidrBlock" not in s
    assert s["Ipv6Native"] is True
    assert s["AvailableIpAddressCount"] == 0
    assert s["AssignIpv6AddressOnCreation"] is True
    assert s["AvailabilityZone"] == "us-west-2c"
    assert s["PrivateDnsNameOptionsOnLaunch"]["HostnameType"] == "resource-name"
    assoc = s["Ipv6CidrBlockAssociationSet"][0]["AssociationId"]
    assert err(west.disassociate_subnet_cidr_block, AssociationId=assoc) == \
        "InvalidCidrBlock.InUse"
    assert err(west.modify_subnet_attribute, SubnetId=s["SubnetId"],
               AssignIpv6AddressOnCreation={"Value": False}) == "InvalidParameterValue"
    assert err(west.modify_subnet_attribute, SubnetId=s["SubnetId"],
               MapPublicIpOnLaunch={"Value": True}) == "InvalidParameterValue"
    west.delete_subnet(SubnetId=s["SubnetId"])


@pytest.mark.parametrize("cidr,code", [
    ("10.20.200.0/29", "InvalidSubnet.Range"),
    ("10.20.0.0/15", "InvalidSubnet.Range"),
    ("10.30.3.0/24", "InvalidSubnet.Range"),
    ("10.20.0.0/33", "InvalidParameterValue"),
    ("10.20.0.256/24", "InvalidParameterValue"),
    ("", "MissingParameter"),
])
def test_bad_cidrs(west, vpc, cidr, code):
    assert err(west.create_subnet, VpcId=vpc[0], CidrBlock=cidr) == code


def test_overlap_and_messages(west, vpc):
    vpc_id, block = vpc
    sid = west.create_subnet(VpcId=vpc_id, CidrBlock="10.20.8.0/24",
                             Ipv6CidrBlock=v6sub(block, 8))["Subnet"]["SubnetId"]
    with pytest.raises(ClientError) as e:
        west.create_subnet(VpcId=vpc_id, CidrBlock="10.20.8.0/25")
    assert error_code(e) == "InvalidSubnet.Conflict"
    assert e.value.response["Error"]["Message"] == \
        "The CIDR '10.20.8.0/25' conflicts with another subnet"
    with pytest.raises(ClientError) as e:
        west.create_subnet(VpcId=vpc_id, CidrBlock="10.30.3.0/24")
    assert e.value.response["Error"]["Message"] == "The CIDR '10.30.3.0/24' is invalid."
    assert err(west.create_subnet, VpcId=vpc_id, CidrBlock="10.20.9.0/24",
               Ipv6CidrBlock=v6sub(block, 8)) == "InvalidSubnet.Conflict"
    assert err(west.create_subnet, VpcId=vpc_id, CidrBlock="10.20.9.0/24",
               Ipv6CidrBlock="2001:db8::/64") == "InvalidSubnet.Range"
    with pytest.raises(ClientError) as e:
        west.create_subnet(VpcId=vpc_id, CidrBlock="10.20.9.0/24", AvailabilityZone="us-west-2d")
    assert error_code(e) == "InvalidParameterValue"
    assert e.value.response["Error"]["Message"] == (
        "Value (us-west-2d) for parameter availabilityZone is invalid. Subnets can currently "
        "only be created in the following availability zones: us-west-2a, us-west-2b, "
        "us-west-2c.")
    assert err(west.create_subnet, VpcId=vpc_id, CidrBlock="10.20.9.0/24",
               AvailabilityZone="us-west-2a", AvailabilityZoneId="usw2-az1") == \
        "InvalidParameterCombination"
    west.delete_subnet(SubnetId=sid)


def test_delete_vpc_with_subnets(west):
    v = west.create_vpc(CidrBlock="10.21.0.0/16")["Vpc"]["VpcId"]
    sid = west.create_subnet(VpcId=v, CidrBlock="10.21.0.0/24")["Subnet"]["SubnetId"]
    assert err(west.delete_vpc, VpcId=v) == "DependencyViolation"
    west.delete_subnet(SubnetId=sid)
    west.delete_vpc(VpcId=v)


def test_ids_and_isolation(vpcd, west, vpc):
    sid = west.create_subnet(VpcId=vpc[0], CidrBlock="10.20.10.0/24")["Subnet"]["SubnetId"]
    other = vpcd.client(account="111111111111", region="us-west-2")
    assert err(other.describe_subnets, SubnetIds=[sid]) == "InvalidSubnetID.NotFound"
    assert err(other.delete_subnet, SubnetId=sid) == "InvalidSubnetID.NotFound"
    assert err(other.modify_subnet_attribute, SubnetId=sid,
               MapPublicIpOnLaunch={"Value": True}) == "InvalidSubnetID.NotFound"
    assert err(other.create_subnet, VpcId=vpc[0], CidrBlock="10.20.11.0/24") == \
        "InvalidVpcID.NotFound"
    assert sid not in [s["SubnetId"] for s in other.describe_subnets()["Subnets"]]
    assert err(west.describe_subnets, SubnetIds=["subnet-12"]) == "InvalidSubnetID.Malformed"
    assert err(west.delete_subnet, SubnetId="sn-0123") == "InvalidSubnetID.Malformed"
    assert err(west.describe_subnets, SubnetIds=["subnet-0123456789abcdef0"]) == \
        "InvalidSubnetID.NotFound"
    east = vpcd.client(region="us-east-1")
    assert err(east.describe_subnets, SubnetIds=[sid]) == "InvalidSubnetID.NotFound"
    west.delete_subnet(SubnetId=sid)


def test_paging_and_filters(vpcd, west, vpc):
    vpc_id, _ = vpc
    ids = [west.create_subnet(VpcId=vpc_id, CidrBlock=f"10.20.{100 + i}.0/24",
                              TagSpecifications=[{"ResourceType": "subnet",
                                                  "Tags": [{"Key": "page", "Value": str(i)}]}]
                              )["Subnet"]["SubnetId"] for i in range(7)]
    flt = [{"Name": "tag-key", "Values": ["page"]}]
    first = west.describe_subnets(Filters=flt, MaxResults=5)
    assert len(first["Subnets"]) == 5
    second = west.describe_subnets(Filters=flt, MaxResults=5, NextToken=first["NextToken"])
    assert "NextToken" not in second
    assert [s["SubnetId"] for s in first["Subnets"] + second["Subnets"]] == ids
    pages = west.get_paginator("describe_subnets").paginate(
        Filters=flt, PaginationConfig={"PageSize": 5})
    assert sum(len(p["Subnets"]) for p in pages) == 7
    raw = raw_client(vpcd, "us-west-2")
    assert err(raw.describe_subnets, MaxResults=4) == "InvalidParameterValue"
    assert err(raw.describe_subnets, MaxResults=1001) == "InvalidParameterValue"
    assert err(west.describe_subnets, NextToken="garbage") == "InvalidPaginationToken"

    def count(*filters):
        return len(west.describe_subnets(Filters=list(filters))["Subnets"])

    assert count({"Name": "tag:page", "Values": ["3", "4"]}) == 2
    assert count({"Name": "cidr-block", "Values": ["10.20.10?.0/24"]}) == 7
    assert count({"Name": "available-ip-address-count", "Values": ["251"]},
                 {"Name": "tag-key", "Values": ["page"]}) == 7
    assert count({"Name": "availability-zone-id", "Values": ["usw2-az1"]},
                 {"Name": "tag-key", "Values": ["page"]}) == 7
    assert count({"Name": "default-for-az", "Values": ["false"]},
                 {"Name": "vpc-id", "Values": [vpc_id]}) >= 7
    assert err(west.describe_subnets, Filters=[{"Name": "nope", "Values": ["x"]}]) == \
        "InvalidParameterValue"
    for sid in ids:
        west.delete_subnet(SubnetId=sid)


def test_create_default_subnet(vpcd):
    ec2 = vpcd.client(region="ca-central-1")
    subs = {s["AvailabilityZone"]: s for s in ec2.describe_subnets(
        Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]}
    assert sorted(s["CidrBlock"] for s in subs.values()) == \
        ["172.31.0.0/20", "172.31.16.0/20", "172.31.32.0/20"]
    assert err(ec2.create_default_subnet, AvailabilityZone="ca-central-1a") == \
        "DefaultSubnetAlreadyExistsInAvailabilityZone"
    ec2.delete_subnet(SubnetId=subs["ca-central-1a"]["SubnetId"])
    s = ec2.create_default_subnet(AvailabilityZone="ca-central-1a")["Subnet"]
    assert (s["CidrBlock"], s["AvailabilityZone"], s["DefaultForAz"],
            s["MapPublicIpOnLaunch"], s["VpcId"]) == \
        ("172.31.0.0/20", "ca-central-1a", True, True, subs["ca-central-1b"]["VpcId"])
    # The lowest free /20: a user subnet now sits where zone b's default subnet was.
    ec2.delete_subnet(SubnetId=subs["ca-central-1b"]["SubnetId"])
    user = ec2.create_subnet(VpcId=s["VpcId"], CidrBlock="172.31.16.0/24")["Subnet"]
    s2 = ec2.create_default_subnet(AvailabilityZone="cac1-az2")["Subnet"]
    assert (s2["CidrBlock"], s2["AvailabilityZone"]) == ("172.31.48.0/20", "ca-central-1b")
    assert err(ec2.create_default_subnet, AvailabilityZone="ca-central-1z") == \
        "InvalidParameterValue"
    ec2.delete_subnet(SubnetId=user["SubnetId"])


def test_create_default_subnet_without_default_vpc(vpcd):
    ec2 = vpcd.client(region="sa-east-1")
    v = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [v["VpcId"]]}])[
            "Subnets"]:
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    for g in ec2.describe_internet_gateways(Filters=[
            {"Name": "attachment.vpc-id", "Values": [v["VpcId"]]}])["InternetGateways"]:
        ec2.detach_internet_gateway(InternetGatewayId=g["InternetGatewayId"], VpcId=v["VpcId"])
        ec2.delete_internet_gateway(InternetGatewayId=g["InternetGatewayId"])
    ec2.delete_vpc(VpcId=v["VpcId"])
    assert err(ec2.create_default_subnet, AvailabilityZone="sa-east-1a") == \
        "DefaultVpcDoesNotExist"


def test_persistence_across_restart(vpcd, west, vpc):
    vpc_id, block = vpc
    s = west.create_subnet(VpcId=vpc_id, CidrBlock="10.20.50.0/24", Ipv6CidrBlock=v6sub(block, 50),
                           TagSpecifications=[{"ResourceType": "subnet",
                                               "Tags": [{"Key": "keep", "Value": "me"}]}]
                           )["Subnet"]
    west.modify_subnet_attribute(SubnetId=s["SubnetId"], MapPublicIpOnLaunch={"Value": True})
    west.modify_subnet_attribute(SubnetId=s["SubnetId"], EnableLniAtDeviceIndex=2)
    before = west.describe_subnets(SubnetIds=[s["SubnetId"]])["Subnets"][0]
    vpcd.kill()
    vpcd.start()
    after = vpcd.client(region="us-west-2").describe_subnets(
        SubnetIds=[s["SubnetId"]])["Subnets"][0]
    assert after == before
    assert after["MapPublicIpOnLaunch"] is True
    assert after["EnableLniAtDeviceIndex"] == 2
    vpcd.client(region="us-west-2").delete_subnet(SubnetId=s["SubnetId"])
