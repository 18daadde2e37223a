"""CreateTags / DeleteTags / DescribeTags through boto3, across every resource type."""
import botocore.exceptions
import pytest

from conftest import error_code


def expect_error(code, fn, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn(**kw)
    assert error_code(e) == code, e.value.response["Error"]
    return e.value.response["Error"]["Message"]


def tags_of(ec2, rid):
    res = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [rid]}])["Tags"]
    return {t["Key"]: t["Value"] for t in res}


def defaults(ec2):
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    vid = vpc["VpcId"]
    f = [{"Name": "vpc-id", "Values": [vid]}]
    return {
        "vpc": vid,
        "subnet": ec2.describe_subnets(Filters=f)["Subnets"][0]["SubnetId"],
        "route-table": ec2.describe_route_tables(Filters=f)["RouteTables"][0]["RouteTableId"],
        "security-group": ec2.describe_security_groups(Filters=f)["SecurityGroups"][0]["GroupId"],
        "network-acl": ec2.describe_network_acls(Filters=f)["NetworkAcls"][0]["NetworkAclId"],
        "internet-gateway": ec2.describe_internet_gateways(
            Filters=[{"Name": "attachment.vpc-id", "Values": [vid]}]
        )["InternetGateways"][0]["InternetGatewayId"],
    }


def test_every_resource_type(vpcd):
    ec2 = vpcd.client(region="us-west-2")
    ids = defaults(ec2)
    pl = ec2.create_managed_prefix_list(PrefixListName="p", AddressFamily="IPv4",
                                        MaxEntries=1)["PrefixList"]["PrefixListId"]
    ids["prefix-list"] = pl
    eigw = ec2.create_egress_only_internet_gateway(VpcId=ids["vpc"])
    ids["egress-only-internet-gateway"] = \
        eigw["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    assert ec2.create_tags(Resources=list(ids.values()),
                           Tags=[{"Key": "Name", "Value": "x"}])["ResponseMetadata"]
    got = ec2.describe_tags(Filters=[{"Name": "key", "Values": ["Name"]}])["Tags"]
    assert {(t["ResourceType"], t["ResourceId"]) for t in got} == \
        {(k, v) for k, v in ids.items()}
    assert all(t["Value"] == "x" for t in got)
    for rtype, rid in ids.items():
        res = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": [rtype]}])["Tags"]
        assert res == [{"Key": "Name", "ResourceId": rid, "ResourceType": rtype, "Value": "x"}]
    # The tags are on the objects themselves, so every Describe shows and filters them.
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["x"]}])["Vpcs"]
    assert [v["VpcId"] for v in vpcs] == [ids["vpc"]]
    assert vpcs[0]["Tags"] == [{"Key": "Name", "Value": "x"}]
    sgs = ec2.describe_security_groups(Filters=[{"Name": "tag-key", "Values": ["Name"]}])
    assert [g["GroupId"] for g in sgs["SecurityGroups"]] == [ids["security-group"]]
    pls = ec2.describe_managed_prefix_lists(PrefixListIds=[pl])["PrefixLists"]
    assert pls[0]["Tags"] == [{"Key": "Name", "Value": "x"}]
    ec2.delete_tags(Resources=list(ids.values()))
    assert ec2.describe_tags()["Tags"] == []
    ec2.delete_managed_prefix_list(PrefixListId=pl)
    ec2.delete_egress_only_internet_gateway(
        EgressOnlyInternetGatewayId=ids["egress-only-internet-gateway"])


def test_delete_semantics(vpcd):
    ec2 = vpcd.client(region="eu-west-1")
    vpc = defaults(ec2)["vpc"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"},
                                           {"Key": "c", "Value": ""}, {"Key": "d"}])
    assert tags_of(ec2, vpc) == {"a": "1", "b": "2", "c": "", "d": ""}
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "a", "Value": "other"}])
    assert tags_of(ec2, vpc)["a"] == "1"
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "a", "Value": "1"}])
    assert "a" not in tags_of(ec2, vpc)
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "b"}])
    assert "b" not in tags_of(ec2, vpc)
    # An empty value only matches an empty value.
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "e", "Value": "full"}])
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "c", "Value": ""}, {"Key": "e", "Value": ""}])
    assert tags_of(ec2, vpc) == {"d": "", "e": "full"}
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "missing"}])
    ec2.delete_tags(Resources=[vpc])
    assert tags_of(ec2, vpc) == {}


def test_limits_and_validation(vpcd):
    ec2 = vpcd.client(region="eu-west-1")
    ids = defaults(ec2)
    vpc = ids["vpc"]
    fifty = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    expect_error("TagLimitExceeded", ec2.create_tags, Resources=[vpc],
                 Tags=fifty + [{"Key": "k50", "Value": "v"}])
    ec2.create_tags(Resources=[vpc], Tags=fifty)
    expect_error("TagLimitExceeded", ec2.create_tags, Resources=[vpc],
                 Tags=[{"Key": "one-more", "Value": "v"}])
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "k0", "Value": "overwritten"}])
    assert tags_of(ec2, vpc)["k0"] == "overwritten"
    ec2.delete_tags(Resources=[vpc])
    for tags in ([{"Key": "aws:reserved", "Value": "x"}], [{"Key": "k" * 129, "Value": "x"}],
                 [{"Key": "", "Value": "x"}], [{"Key": "k", "Value": "v" * 257}]):
        expect_error("InvalidParameterValue", ec2.create_tags, Resources=[vpc], Tags=tags)
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "k" * 128, "Value": "v" * 256}])
    ec2.delete_tags(Resources=[vpc])
    # All or nothing: a bad id anywhere leaves every resource unchanged.
    for bad, code in (("xyz", "InvalidID"), ("vpc-xyz", "InvalidID"), ("", "InvalidID"),
                      ("i-0123456789abcdef0", "InvalidInstanceID.NotFound"),
                      ("vpc-0123456789abcdef0", "InvalidVpcID.NotFound"),
                      ("subnet-0123456789abcdef0", "InvalidSubnetID.NotFound"),
                      ("rtb-01234567", "InvalidRouteTableID.NotFound"),
                      ("pl-0123456789abcdef0", "InvalidPrefixListID.NotFound")):
        expect_error(code, ec2.create_tags, Resources=[vpc, bad],
                     Tags=[{"Key": "partial", "Value": "x"}])
        expect_error(code, ec2.delete_tags, Resources=[ids["subnet"], bad])
    assert ec2.describe_tags(Filters=[{"Name": "key", "Values": ["partial"]}])["Tags"] == []
    # A 51st tag on one of two resources refuses the whole request.
    ec2.create_tags(Resources=[ids["subnet"]], Tags=fifty)
    expect_error("TagLimitExceeded", ec2.create_tags, Resources=[vpc, ids["subnet"]],
                 Tags=[{"Key": "new", "Value": "v"}])
    assert tags_of(ec2, vpc) == {}
    ec2.delete_tags(Resources=[ids["subnet"]])


def test_cross_account_and_region(vpcd):
    ec2 = vpcd.client(region="ap-northeast-1")
    ids = defaults(ec2)
    ec2.create_tags(Resources=[ids["vpc"], ids["subnet"]], Tags=[{"Key": "own", "Value": "0"}])
    other = vpcd.client(account="111111111111", region="ap-northeast-1")
    expect_error("InvalidVpcID.NotFound", other.create_tags, Resources=[ids["vpc"]],
                 Tags=[{"Key": "evil", "Value": "1"}])
    expect_error("InvalidSubnetID.NotFound", other.delete_tags, Resources=[ids["subnet"]])
    assert other.describe_tags(Filters=[{"Name": "key", "Values": ["own"]}])["Tags"] == []
    elsewhere = vpcd.client(region="ap-northeast-2")
    expect_error("InvalidVpcID.NotFound", elsewhere.create_tags, Resources=[ids["vpc"]],
                 Tags=[{"Key": "evil", "Value": "1"}])
    assert elsewhere.describe_tags()["Tags"] == []
    assert len(ec2.describe_tags(Filters=[{"Name": "key", "Values": ["own"]}])["Tags"]) == 2
    assert tags_of(ec2, ids["vpc"]) == {"own": "0"}


def test_describe_filters_and_paging(vpcd):
    ec2 = vpcd.client(region="ca-central-1")
    ids = defaults(ec2)
    ec2.create_tags(Resources=[ids["vpc"]], Tags=[{"Key": "env", "Value": "prod"},
                                                  {"Key": "team", "Value": "net"}])
    ec2.create_tags(Resources=[ids["subnet"]], Tags=[{"Key": "env", "Value": "dev"},
                                                     {"Key": "tier", "Value": "web"}])

    def find(*filters):
        res = ec2.describe_tags(Filters=[{"Name": n, "Values": v} for n, v in filters])["Tags"]
        return sorted((t["ResourceId"], t["Key"]) for t in res)

    assert find(("key", ["env"])) == sorted([(ids["vpc"], "env"), (ids["subnet"], "env")])
    assert find(("value", ["pro*"])) == [(ids["vpc"], "env")]
    assert find(("key", ["env"]), ("value", ["dev"])) == [(ids["subnet"], "env")]
    assert find(("resource-type", ["subnet"])) == sorted([(ids["subnet"], "env"),
                                                          (ids["subnet"], "tier")])
    assert find(("resource-id", [ids["vpc"], ids["subnet"]]), ("key", ["t*"])) == \
        sorted([(ids["vpc"], "team"), (ids["subnet"], "tier")])
    # tag:<key> selects resources by one of their tags; key narrows to the tags shown.
    assert find(("tag:env", ["prod"])) == sorted([(ids["vpc"], "env"), (ids["vpc"], "team")])
    assert find(("tag:env", ["dev"]), ("key", ["tier"])) == [(ids["subnet"], "tier")]
    assert find(("key", ["none"])) == []
    expect_error("InvalidParameterValue", ec2.describe_tags,
                 Filters=[{"Name": "bogus", "Values": ["x"]}])
    expect_error("InvalidParameterValue", ec2.describe_tags, MaxResults=4)
    expect_error("InvalidParameterValue", ec2.describe_tags, MaxResults=1001)
    expect_error("InvalidPaginationToken", ec2.describe_tags, MaxResults=5, NextToken="bad")

    more = [{"Key": f"m{i}", "Value": str(i)} for i in range(8)]
    ec2.create_tags(Resources=[ids["route-table"]], Tags=more)
    everything = ec2.describe_tags()["Tags"]
    assert len(everything) == 12
    pages, token = [], None
    while True:
        kw = {"NextToken": token} if token else {}
        page = ec2.describe_tags(MaxResults=5, **kw)
        pages.append(page["Tags"])
        token = page.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [5, 5, 2]
    assert [t for p in pages for t in p] == everything
    paginated = [t for p in ec2.get_paginator("describe_tags").paginate(
        PaginationConfig={"PageSize": 5}) for t in p["Tags"]]
    assert paginated == everything
    ec2.delete_tags(Resources=[ids["vpc"], ids["subnet"], ids["route-table"]])


def test_tags_survive_restart(vpcd):
    ec2 = vpcd.client(region="sa-east-1")
    ids = defaults(ec2)
    ec2.create_tags(Resources=[ids["vpc"], ids["network-acl"]],
                    Tags=[{"Key": "Name", "Value": "kept"}])
    vpcd.stop()
    vpcd.start()
    ec2 = vpcd.client(region="sa-east-1")
    assert tags_of(ec2, ids["vpc"]) == {"Name": "kept"}
    assert tags_of(ec2, ids["network-acl"]) == {"Name": "kept"}
    ec2.delete_tags(Resources=[ids["vpc"]], Tags=[{"Key": "Name"}])
    vpcd.stop()
    vpcd.start()
    ec2 = vpcd.client(region="sa-east-1")
    assert tags_of(ec2, ids["vpc"]) == {}
    assert tags_of(ec2, ids["network-acl"]) == {"Name": "kept"}
