"""VPCs through boto3: paging, filters, isolation between accounts, restart durability."""
import botocore.exceptions
import pytest

from conftest import Vpcd, error_code


def test_paging_walks_every_vpc_once(vpcd):
    ec2 = vpcd.client(region="sa-east-1")
    made = [ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"] for i in range(4)]
    seen, token = [], None
    while True:
        kw = {"MaxResults": 5}
        if token:
            kw["NextToken"] = token
        page = ec2.describe_vpcs(**kw)
        seen += [v["VpcId"] for v in page["Vpcs"]]
        token = page.get("NextToken")
        if not token:
            break
    assert len(seen) == 5 and len(set(seen)) == 5
    assert set(made) <= set(seen)
    paginator = ec2.get_paginator("describe_vpcs")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 5}))
    assert sum(len(p["Vpcs"]) for p in pages) == 5


def test_bad_next_token(vpcd):
    ec2 = vpcd.client(region="sa-east-1")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpcs(MaxResults=5, NextToken="not-a-token")
    assert error_code(e) == "InvalidPaginationToken"


def test_accounts_are_isolated(vpcd):
    a = vpcd.client(account="111111111111", region="eu-north-1")
    b = vpcd.client(account="222222222222", region="eu-north-1")
    vpc = a.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]
    assert vpc["OwnerId"] == "111111111111"
    for call in (lambda: b.describe_vpcs(VpcIds=[vpc["VpcId"]]),
                 lambda: b.delete_vpc(VpcId=vpc["VpcId"]),
                 lambda: b.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.10.1.0/24")):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_code(e) == "InvalidVpcID.NotFound"
    ids = [v["VpcId"] for v in b.describe_vpcs()["Vpcs"]]
    assert vpc["VpcId"] not in ids and len(ids) == 1
    assert vpcd.client(account="222222222222", service="sts").get_caller_identity()[
        "Account"] == "222222222222"


def test_state_survives_restart(vpcd):
    ec2 = vpcd.client(region="ca-central-1")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16",
                         TagSpecifications=[{"ResourceType": "vpc",
                                             "Tags": [{"Key": "Name", "Value": "kept"}]}])["Vpc"]
    ec2.associate_vpc_cidr_block(VpcId=vpc["VpcId"], CidrBlock="10.31.0.0/16")
    vpcd.kill()
    vpcd.start()
    got = vpcd.client(region="ca-central-1").describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]
    assert [c["CidrBlock"] for c in got["CidrBlockAssociationSet"]] == ["10.30.0.0/16",
                                                                        "10.31.0.0/16"]
    assert got["Tags"] == [{"Key": "Name", "Value": "kept"}]


def test_dev_mode_selects_account_by_key():
    d = Vpcd(extra_args=["--dev"])
    try:
        import boto3
        ec2 = boto3.client("ec2", endpoint_url=d.endpoint, region_name="us-west-2",
                           aws_access_key_id="333333333333", aws_secret_access_key="anything")
        assert ec2.describe_vpcs()["Vpcs"][0]["OwnerId"] == "333333333333"
        import urllib.request
        req = urllib.request.Request(d.endpoint + "/_vpcd/reset", method="POST")
        assert urllib.request.urlopen(req).status == 200
    finally:
        d.close()
