"""Managed prefix lists through boto3: lifecycle, versions, validation, references, isolation."""
import re

import botocore.exceptions
import pytest

from conftest import error_code


def create(ec2, name="pl", family="IPv4", max_entries=5, entries=(), tags=None):
    kw = {"PrefixListName": name, "AddressFamily": family, "MaxEntries": max_entries,
          "Entries": [dict(e) for e in entries]}
    if tags:
        kw["TagSpecifications"] = [{"ResourceType": "prefix-list",
                                    "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
    return ec2.create_managed_prefix_list(**kw)["PrefixList"]


def entries_of(ec2, pl_id, **kw):
    return [(e["Cidr"], e.get("Description")) for e in
            ec2.get_managed_prefix_list_entries(PrefixListId=pl_id, **kw)["Entries"]]


def expect_error(code, fn, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn(**kw)
    assert error_code(e) == code, e.value.response["Error"]
    return e.value.response["Error"]["Message"]


def test_create_describe_shape(vpcd):
    ec2 = vpcd.client(region="us-west-2")
    pl = create(ec2, name="corp", entries=[{"Cidr": "10.0.0.1/8", "Description": "office"},
                                           {"Cidr": "192.168.1.0/24"}], tags={"Name": "c"})
    assert re.fullmatch(r"pl-[0-9a-f]{17}", pl["PrefixListId"])
    assert pl["AddressFamily"] == "IPv4"
    assert pl["State"] == "create-complete"
    assert pl["PrefixListName"] == "corp"
    assert pl["MaxEntries"] == 5
    assert pl["Version"] == 1
    assert pl["OwnerId"] == "000000000000"
    assert pl["PrefixListArn"] == \
        f"arn:aws:ec2:us-west-2:000000000000:prefix-list/{pl['PrefixListId']}"
    assert pl["Tags"] == [{"Key": "Name", "Value": "c"}]
    got = ec2.describe_managed_prefix_lists(PrefixListIds=[pl["PrefixListId"]])["PrefixLists"]
    assert got == [pl]
    assert entries_of(ec2, pl["PrefixListId"]) == [("10.0.0.0/8", "office"),
                                                   ("192.168.1.0/24", None)]
    for flt in ({"Name": "prefix-list-name", "Values": ["co*"]},
                {"Name": "owner-id", "Values": ["000000000000"]},
                {"Name": "prefix-list-id", "Values": [pl["PrefixListId"]]},
                {"Name": "tag:Name", "Values": ["c"]},
                {"Name": "tag-key", "Values": ["Name"]}):
        res = ec2.describe_managed_prefix_lists(Filters=[flt])["PrefixLists"]
        assert [p["PrefixListId"] for p in res] == [pl["PrefixListId"]], flt
    assert ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": ["nope"]}])["PrefixLists"] == []
    ec2.delete_managed_prefix_list(PrefixListId=pl["PrefixListId"])


def test_versions_and_modify(vpcd):
    ec2 = vpcd.client(region="us-west-2")
    pl = create(ec2, entries=[{"Cidr": "10.0.0.0/8"}])
    pid = pl["PrefixListId"]
    r = ec2.modify_managed_prefix_list(PrefixListId=pid, CurrentVersion=1,
                                       AddEntries=[{"Cidr": "11.0.0.0/8", "Description": "b"}])
    assert (r["PrefixList"]["Version"], r["PrefixList"]["State"]) == (2, "modify-complete")
    msg = expect_error("PrefixListVersionMismatch", ec2.modify_managed_prefix_list,
                       PrefixListId=pid, CurrentVersion=1, AddEntries=[{"Cidr": "12.0.0.0/8"}])
    assert "incorrect version" in msg
    # Name and size changes keep the version; entries are not touched.
    r = ec2.modify_managed_prefix_list(PrefixListId=pid, PrefixListName="renamed")
    assert (r["PrefixList"]["PrefixListName"], r["PrefixList"]["Version"]) == ("renamed", 2)
    r = ec2.modify_managed_prefix_list(PrefixListId=pid, MaxEntries=3)
    assert (r["PrefixList"]["MaxEntries"], r["PrefixList"]["Version"]) == (3, 2)
    # Terraform changes a description by removing then re-adding the CIDR.
    ec2.modify_managed_prefix_list(PrefixListId=pid, CurrentVersion=2,
                                   RemoveEntries=[{"Cidr": "11.0.0.0/8"}])
    ec2.modify_managed_prefix_list(PrefixListId=pid, CurrentVersion=3,
                                   AddEntries=[{"Cidr": "11.0.0.0/8", "Description": "new"}])
    assert entries_of(ec2, pid) == [("10.0.0.0/8", None), ("11.0.0.0/8", "new")]
    assert entries_of(ec2, pid, TargetVersion=1) == [("10.0.0.0/8", None)]
    assert entries_of(ec2, pid, TargetVersion=2) == [("10.0.0.0/8", None), ("11.0.0.0/8", "b")]
    assert entries_of(ec2, pid, TargetVersion=3) == [("10.0.0.0/8", None)]
    expect_error("InvalidParameterValue", ec2.get_managed_prefix_list_entries,
                 PrefixListId=pid, TargetVersion=5)
    r = ec2.restore_managed_prefix_list_version(PrefixListId=pid, PreviousVersion=2,
                                                CurrentVersion=4)
    assert (r["PrefixList"]["Version"], r["PrefixList"]["State"]) == (5, "restore-complete")
    assert entries_of(ec2, pid) == [("10.0.0.0/8", None), ("11.0.0.0/8", "b")]
    expect_error("PrefixListVersionMismatch", ec2.restore_managed_prefix_list_version,
                 PrefixListId=pid, PreviousVersion=1, CurrentVersion=4)
    ec2.delete_managed_prefix_list(PrefixListId=pid)


def test_modify_errors_change_nothing(vpcd):
    ec2 = vpcd.client(region="us-west-2")
    pid = create(ec2, max_entries=2, entries=[{"Cidr": "10.0.0.0/8"}])["PrefixListId"]
    cases = [
        ("InvalidParameterValue", {"RemoveEntries": [{"Cidr": "12.0.0.0/8"}]}),
        ("InvalidParameterValue", {"AddEntries": [{"Cidr": "10.0.0.0/8"}]}),
        ("InvalidParameterValue", {"AddEntries": [{"Cidr": "10.0.0.0/8"}],
                                   "RemoveEntries": [{"Cidr": "10.0.0.0/8"}]}),
        ("InvalidParameterValue", {"AddEntries": [{"Cidr": "11.0.0.0/8"},
                                                  {"Cidr": "12.0.0.0/8"}]}),
        ("InvalidParameterValue", {"AddEntries": [{"Cidr": "::/0"}]}),
        ("InvalidParameterValue", {"AddEntries": [{"Cidr": "11.0.0.0/8"},
                                                  {"Cidr": "11.0.0.0/8"}]}),
        ("InvalidParameterValue", {"AddEntries": [{"Cidr": "11.0.0.0/8",
                                                   "Description": "d" * 256}]}),
        ("InvalidParameterCombination", {"AddEntries": [{"Cidr": "11.0.0.0/8"}],
                                         "MaxEntries": 4}),
        ("InvalidParameterValue", {"MaxEntries": 0}),
        ("InvalidParameterValue", {"MaxEntries": 1001}),
        ("InvalidParameterValue", {"PrefixListName": "com.amazonaws.x"}),
        ("InvalidParameterValue", {"AddEntries": [{"Cidr": f"10.{i}.0.0/16"}
                                                  for i in range(101)]}),
    ]
    for code, kw in cases:
        expect_error(code, ec2.modify_managed_prefix_list, PrefixListId=pid, **kw)
    pl = ec2.describe_managed_prefix_lists(PrefixListIds=[pid])["PrefixLists"][0]
    assert (pl["Version"], pl["MaxEntries"], pl["PrefixListName"], pl["State"]) == \
        (1, 2, "pl", "create-complete")
    assert entries_of(ec2, pid) == [("10.0.0.0/8", None)]
    expect_error("InvalidPrefixListID.NotFound", ec2.modify_managed_prefix_list,
                 PrefixListId="pl-0123456789abcdef0", PrefixListName="x")
    expect_error("InvalidPrefixListId.Malformed", ec2.modify_managed_prefix_list,
                 PrefixListId="pl-zz", PrefixListName="x")
    ec2.delete_managed_prefix_list(PrefixListId=pid)


@pytest.mark.parametrize("kw", [
    {"Entries": [{"Cidr": "2001:db8::/32"}]},
    {"Entries": [{"Cidr": "10.0.0.0/33"}]},
    {"Entries": [{"Cidr": "10.0.0.0"}]},
    {"Entries": [{"Cidr": "not-a-cidr"}]},
    {"Entries": [{"Cidr": "0000:0000:0000:0000:0000:ffff:255.255.255.255/128x"}]},
    {"Entries": [{"Cidr": "10.0.0.0/8"}, {"Cidr": "10.0.0.1/8"}]},
    {"MaxEntries": 1, "Entries": [{"Cidr": "10.0.0.0/8"}, {"Cidr": "11.0.0.0/8"}]},
    {"MaxEntries": 0},
    {"MaxEntries": 1001},
    {"MaxEntries": -3},
    {"AddressFamily": "ipv4"},
    {"PrefixListName": "com.amazonaws.us-east-1.s3"},
    {"PrefixListName": "x" * 256},
    {"MaxEntries": 1000, "Entries": [{"Cidr": f"10.{i // 256}.{i % 256}.0/24"}
                                     for i in range(101)]},
])
def test_create_validation(vpcd, kw):
    ec2 = vpcd.client(region="eu-central-1")
    args = {"PrefixListName": "bad", "AddressFamily": "IPv4", "MaxEntries": 5, **kw}
    expect_error("InvalidParameterValue", ec2.create_managed_prefix_list, **args)
    assert ec2.describe_managed_prefix_lists()["PrefixLists"] == []


def test_ipv6_and_full_list(vpcd):
    ec2 = vpcd.client(region="eu-central-1")
    pl = create(ec2, family="IPv6", max_entries=2, entries=[{"Cidr": "2001:DB8:0::1/48"}])
    assert entries_of(ec2, pl["PrefixListId"]) == [("2001:db8::/48", None)]
    expect_error("InvalidParameterValue", ec2.modify_managed_prefix_list,
                 PrefixListId=pl["PrefixListId"], AddEntries=[{"Cidr": "10.0.0.0/8"}])
    ec2.delete_managed_prefix_list(PrefixListId=pl["PrefixListId"])
    big = create(ec2, max_entries=1000, entries=[{"Cidr": f"10.0.{i}.0/24"} for i in range(100)])
    for base in range(1, 10):
        ec2.modify_managed_prefix_list(
            PrefixListId=big["PrefixListId"],
            AddEntries=[{"Cidr": f"10.{base}.{i}.0/24"} for i in range(100)])
    # Paging through 1,000 entries, 100 at a time.
    seen, token = [], None
    while True:
        kw = {"NextToken": token} if token else {}
        page = ec2.get_managed_prefix_list_entries(PrefixListId=big["PrefixListId"],
                                                   MaxResults=100, **kw)
        seen += [e["Cidr"] for e in page["Entries"]]
        token = page.get("NextToken")
        if not token:
            break
    assert len(seen) == 1000 and len(set(seen)) == 1000
    expect_error("InvalidParameterValue", ec2.modify_managed_prefix_list,
                 PrefixListId=big["PrefixListId"], AddEntries=[{"Cidr": "11.0.0.0/8"}])
    expect_error("InvalidParameterValue", ec2.get_managed_prefix_list_entries,
                 PrefixListId=big["PrefixListId"], MaxResults=101)
    expect_error("InvalidPaginationToken", ec2.get_managed_prefix_list_entries,
                 PrefixListId=big["PrefixListId"], NextToken="zz")
    ec2.delete_managed_prefix_list(PrefixListId=big["PrefixListId"])


def test_quota(vpcd):
    ec2 = vpcd.client(region="ap-southeast-2")
    ids = [create(ec2, name=f"q{i}", max_entries=1)["PrefixListId"] for i in range(100)]
    expect_error("ResourceLimitExceeded", ec2.create_managed_prefix_list,
                 PrefixListName="q100", AddressFamily="IPv4", MaxEntries=1)
    # Paging with the documented bounds (1..100).
    page = ec2.describe_managed_prefix_lists(MaxResults=60)
    assert len(page["PrefixLists"]) == 60 and page["NextToken"]
    rest = ec2.describe_managed_prefix_lists(MaxResults=60, NextToken=page["NextToken"])
    assert len(rest["PrefixLists"]) == 40 and "NextToken" not in rest
    assert [p["PrefixListId"] for p in page["PrefixLists"] + rest["PrefixLists"]] == ids
    expect_error("InvalidParameterValue", ec2.describe_managed_prefix_lists, MaxResults=101)
    for i in ids:
        ec2.delete_managed_prefix_list(PrefixListId=i)


def test_references_block_delete(vpcd):
    ec2 = vpcd.client(region="us-west-1")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    sg = ec2.create_security_group(GroupName="web", Description="web",
                                   VpcId=vpc["VpcId"])["GroupId"]
    pid = create(ec2, max_entries=10, entries=[{"Cidr": "10.0.0.0/8"}])["PrefixListId"]
    perm = [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
             "PrefixListIds": [{"PrefixListId": pid}]}]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=perm + [
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    expect_error("DependencyViolation", ec2.delete_managed_prefix_list, PrefixListId=pid)
    assoc = ec2.get_managed_prefix_list_associations(PrefixListId=pid)
    assert assoc["PrefixListAssociations"] == [{"ResourceId": sg,
                                               "ResourceOwner": "000000000000"}]
    # The rule weighs max entries; with the SSH rule, 60 entries no longer fit in 60 rules.
    expect_error("InvalidParameterValue", ec2.modify_managed_prefix_list,
                 PrefixListId=pid, MaxEntries=60)
    ec2.modify_managed_prefix_list(PrefixListId=pid, MaxEntries=59)
    ec2.revoke_security_group_ingress(GroupId=sg, IpPermissions=perm)
    # A route weighs the list's max entries too, against 50 routes: 59 would not fit.
    ec2.modify_managed_prefix_list(PrefixListId=pid, MaxEntries=10)

    rtb = ec2.create_route_table(VpcId=vpc["VpcId"])["RouteTable"]["RouteTableId"]
    igw = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc["VpcId"]]}]
    )["InternetGateways"][0]["InternetGatewayId"]
    ec2.create_route(RouteTableId=rtb, DestinationPrefixListId=pid, GatewayId=igw)
    expect_error("DependencyViolation", ec2.delete_managed_prefix_list, PrefixListId=pid)
    expect_error("InvalidParameterValue", ec2.modify_managed_prefix_list,
                 PrefixListId=pid, MaxEntries=51)
    assoc = ec2.get_managed_prefix_list_associations(PrefixListId=pid)
    assert [a["ResourceId"] for a in assoc["PrefixListAssociations"]] == [rtb]
    ec2.delete_route(RouteTableId=rtb, DestinationPrefixListId=pid)
    r = ec2.delete_managed_prefix_list(PrefixListId=pid)["PrefixList"]
    assert (r["PrefixListId"], r["State"]) == (pid, "delete-complete")
    expect_error("InvalidPrefixListID.NotFound", ec2.describe_managed_prefix_lists,
                 PrefixListIds=[pid])
    expect_error("InvalidPrefixListID.NotFound", ec2.delete_managed_prefix_list,
                 PrefixListId=pid)
    ec2.delete_route_table(RouteTableId=rtb)
    ec2.delete_security_group(GroupId=sg)


def test_cross_account_and_region_isolation(vpcd):
    ec2 = vpcd.client(region="us-east-2")
    pid = create(ec2, entries=[{"Cidr": "10.0.0.0/8"}])["PrefixListId"]
    other = vpcd.client(account="111111111111", region="us-east-2")
    for fn, kw in ((other.describe_managed_prefix_lists, {"PrefixListIds": [pid]}),
                   (other.get_managed_prefix_list_entries, {"PrefixListId": pid}),
                   (other.get_managed_prefix_list_associations, {"PrefixListId": pid}),
                   (other.modify_managed_prefix_list, {"PrefixListId": pid,
                                                       "PrefixListName": "x"}),
                   (other.delete_managed_prefix_list, {"PrefixListId": pid}),
                   (vpcd.client(region="eu-west-3").describe_managed_prefix_lists,
                    {"PrefixListIds": [pid]})):
        expect_error("InvalidPrefixListID.NotFound", fn, **kw)
    assert other.describe_managed_prefix_lists()["PrefixLists"] == []
    assert ec2.describe_managed_prefix_lists()["PrefixLists"][0]["PrefixListName"] == "pl"
    ec2.delete_managed_prefix_list(PrefixListId=pid)


def test_describe_prefix_lists_is_empty(vpcd):
    ec2 = vpcd.client(region="us-east-2")
    assert ec2.describe_prefix_lists()["PrefixLists"] == []
    assert ec2.describe_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.us-east-2.s3"]}]
    )["PrefixLists"] == []
    expect_error("InvalidPrefixListID.NotFound", ec2.describe_prefix_lists,
                 PrefixListIds=["pl-63a5400a"])
    expect_error("InvalidPrefixListId.Malformed", ec2.describe_prefix_lists,
                 PrefixListIds=["s3"])
    expect_error("InvalidParameterValue", ec2.describe_prefix_lists,
                 Filters=[{"Name": "bogus", "Values": ["x"]}])


def test_survives_restart(vpcd):
    ec2 = vpcd.client(region="sa-east-1")
    pid = create(ec2, name="keep", entries=[{"Cidr": "10.0.0.0/8", "Description": "a"}],
                 tags={"k": "v"})["PrefixListId"]
    ec2.modify_managed_prefix_list(PrefixListId=pid, CurrentVersion=1,
                                   AddEntries=[{"Cidr": "11.0.0.0/8"}],
                                   RemoveEntries=[{"Cidr": "10.0.0.0/8"}])
    before = ec2.describe_managed_prefix_lists(PrefixListIds=[pid])["PrefixLists"]
    vpcd.stop()
    vpcd.start()
    ec2 = vpcd.client(region="sa-east-1")
    assert ec2.describe_managed_prefix_lists(PrefixListIds=[pid])["PrefixLists"] == before
    assert entries_of(ec2, pid) == [("11.0.0.0/8", None)]
    assert entries_of(ec2, pid, TargetVersion=1) == [("10.0.0.0/8", "a")]
    ec2.delete_managed_prefix_list(PrefixListId=pid)
