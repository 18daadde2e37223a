"""Network ACLs through boto3: default and custom ACLs, entries, associations, filters, paging,
Terraform's call patterns, errors, persistence and cross-account isolation."""
import boto3
import botocore.config
import botocore.exceptions
import pytest

from conftest import error_code

ALL4 = "0.0.0.0/0"
ALL6 = "::/0"


def deny(egress, rule=32767, ipv6=False):
    e = {"Egress": egress, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": rule}
    e["Ipv6CidrBlock" if ipv6 else "CidrBlock"] = ALL6 if ipv6 else ALL4
    return e


def allow_all(egress, rule=100, ipv6=False):
    e = {"Egress": egress, "Protocol": "-1", "RuleAction": "allow", "RuleNumber": rule}
    e["Ipv6CidrBlock" if ipv6 else "CidrBlock"] = ALL6 if ipv6 else ALL4
    return e


DEFAULT_ENTRIES = [allow_all(True), deny(True), allow_all(False), deny(False)]
DEFAULT_ENTRIES_V6 = [
    allow_all(True), allow_all(True, 101, True), deny(True), deny(True, 32768, True),
    allow_all(False), allow_all(False, 101, True), deny(False), deny(False, 32768, True),
]


def unvalidated(vpcd, region):
    """A client that sends what botocore would refuse, to see the server's own checks."""
    cfg = botocore.config.Config(parameter_validation=False, retries={"max_attempts": 1})
    return boto3.client("ec2", endpoint_url=vpcd.endpoint, region_name=region,
                        aws_access_key_id="test", aws_secret_access_key="test", config=cfg)


def acl_of(ec2, acl_id):
    return ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0]


def default_acl(ec2, vpc_id):
    acls = ec2.describe_network_acls(Filters=[
        {"Name": "default", "Values": ["true"]},
        {"Name": "vpc-id", "Values": [vpc_id]},
    ])["NetworkAcls"]
    assert len(acls) == 1
    return acls[0]


def ids(acls):
    return sorted(a["NetworkAclId"] for a in acls)


def expect_error(code, fn, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn(**kwargs)
    assert error_code(e) == code, e.value.response["Error"]
    return e.value.response["Error"]["Message"]


@pytest.fixture
def west(vpcd):
    """A client for us-west-2 with one fresh VPC, deleted (with its ACLs) afterwards."""
    ec2 = vpcd.client(region="us-west-2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    yield ec2, vpc
    for a in ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]:
        if not a["IsDefault"]:
            for s in a["Associations"]:
                ec2.delete_subnet(SubnetId=s["SubnetId"])
            ec2.delete_network_acl(NetworkAclId=a["NetworkAclId"])
    for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    ec2.delete_vpc(VpcId=vpc)


def test_default_vpc_default_acl(ec2):
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    acl = default_acl(ec2, vpc["VpcId"])
    assert acl["IsDefault"] is True
    assert acl["OwnerId"] == "000000000000"
    assert acl["Entries"] == DEFAULT_ENTRIES
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
    assert sorted(a["SubnetId"] for a in acl["Associations"]) == sorted(s["SubnetId"] for s in subnets)
    assert len(acl["Associations"]) == 3
    for a in acl["Associations"]:
        assert a["NetworkAclId"] == acl["NetworkAclId"]
        assert a["NetworkAclAssociationId"].startswith("aclassoc-")


def test_new_vpc_default_acl(west):
    ec2, vpc = west
    acl = default_acl(ec2, vpc)
    assert acl["Entries"] == DEFAULT_ENTRIES
    assert acl["VpcId"] == vpc
    assert acl["Associations"] == []
    assert acl["Tags"] == []


def test_ipv6_vpc_default_acl(vpcd):
    ec2 = vpcd.client(region="ca-central-1")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    acl = default_acl(ec2, vpc)
    assert acl["Entries"] == DEFAULT_ENTRIES_V6
    custom = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]
    assert custom["Entries"] == [deny(True), deny(True, 32768, True), deny(False),
                                 deny(False, 32768, True)]
    ec2.delete_network_acl(NetworkAclId=custom["NetworkAclId"])
    ec2.delete_vpc(VpcId=vpc)


def test_ipv6_block_added_later(west):
    """The first IPv6 block gives an unmodified default ACL its ::/0 rules; a modified
    direction is left alone, as AWS documents."""
    ec2, vpc = west
    acl = default_acl(ec2, vpc)["NetworkAclId"]
    ec2.replace_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="allow",
                                  Egress=True, CidrBlock=ALL4, PortRange={"From": 443, "To": 443})
    ec2.associate_vpc_cidr_block(VpcId=vpc, AmazonProvidedIpv6CidrBlock=True)
    entries = acl_of(ec2, acl)["Entries"]
    ingress = [e for e in entries if not e["Egress"]]
    egress = [e for e in entries if e["Egress"]]
    assert ingress == [allow_all(False), allow_all(False, 101, True), deny(False),
                       deny(False, 32768, True)]
    assert [e["RuleNumber"] for e in egress] == [100, 32767, 32768]
    assert egress[0]["Protocol"] == "6"


def test_custom_acl_create_describe_delete(west):
    ec2, vpc = west
    acl = ec2.create_network_acl(VpcId=vpc, TagSpecifications=[
        {"ResourceType": "network-acl", "Tags": [{"Key": "Name", "Value": "web"}]}])["NetworkAcl"]
    acl_id = acl["NetworkAclId"]
    assert acl_id.startswith("acl-") and len(acl_id) == 21
    assert acl["IsDefault"] is False
    assert acl["VpcId"] == vpc
    assert acl["OwnerId"] == "000000000000"
    assert acl["Associations"] == []
    assert acl["Entries"] == [deny(True), deny(False)]
    assert acl["Tags"] == [{"Key": "Name", "Value": "web"}]
    assert acl_of(ec2, acl_id) == acl
    found = ec2.describe_network_acls(Filters=[{"Name": "tag:Name", "Values": ["web"]}])
    assert ids(found["NetworkAcls"]) == [acl_id]
    assert ec2.delete_network_acl(NetworkAclId=acl_id)["ResponseMetadata"]["HTTPStatusCode"] == 200
    expect_error("InvalidNetworkAclID.NotFound", ec2.describe_network_acls, NetworkAclIds=[acl_id])
    expect_error("InvalidNetworkAclID.NotFound", ec2.delete_network_acl, NetworkAclId=acl_id)


def test_entries_every_form(west):
    ec2, vpc = west
    acl_id = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]

    def put(**kw):
        ec2.create_network_acl_entry(NetworkAclId=acl_id, **kw)

    put(RuleNumber=100, Protocol="6", RuleAction="allow", Egress=False, CidrBlock="10.9.8.7/16",
        PortRange={"From": 80, "To": 80})
    put(RuleNumber=110, Protocol="udp", RuleAction="deny", Egress=True, CidrBlock="192.168.0.0/24",
        PortRange={"From": 1024, "To": 65535})
    put(RuleNumber=120, Protocol="icmp", RuleAction="allow", Egress=False, CidrBlock=ALL4,
        IcmpTypeCode={"Type": 3, "Code": 4})
    put(RuleNumber=130, Protocol="58", RuleAction="allow", Egress=False,
        Ipv6CidrBlock="2001:DB8::1/32", IcmpTypeCode={"Type": -1, "Code": -1})
    # Terraform sends PortRange 0-0 for every protocol: ignored where ports mean nothing.
    put(RuleNumber=200, Protocol="-1", RuleAction="allow", Egress=True, CidrBlock=ALL4,
        PortRange={"From": 0, "To": 0})
    put(RuleNumber=210, Protocol="all", RuleAction="deny", Egress=True, Ipv6CidrBlock=ALL6)
    put(RuleNumber=220, Protocol="58", RuleAction="allow", Egress=True, CidrBlock="10.0.0.0/8")
    put(RuleNumber=230, Protocol="47", RuleAction="allow", Egress=True, CidrBlock="10.0.0.0/8",
        PortRange={"From": 1, "To": 2}, IcmpTypeCode={"Type": 1, "Code": 1})
    put(RuleNumber=1, Protocol="TCP", RuleAction="allow", Egress=False, CidrBlock="1.2.3.4/32",
        PortRange={"From": 0, "To": 65535})
    assert acl_of(ec2, acl_id)["Entries"] == [
        {"CidrBlock": "192.168.0.0/24", "Egress": True, "PortRange": {"From": 1024, "To": 65535},
         "Protocol": "17", "RuleAction": "deny", "RuleNumber": 110},
        {"CidrBlock": ALL4, "Egress": True, "Protocol": "-1", "RuleAction": "allow",
         "RuleNumber": 200},
        {"Ipv6CidrBlock": ALL6, "Egress": True, "Protocol": "-1", "RuleAction": "deny",
         "RuleNumber": 210},
        {"CidrBlock": "10.0.0.0/8", "Egress": True, "Protocol": "58", "RuleAction": "allow",
         "RuleNumber": 220},
        {"CidrBlock": "10.0.0.0/8", "Egress": True, "Protocol": "47", "RuleAction": "allow",
         "RuleNumber": 230},
        deny(True),
        {"CidrBlock": "1.2.3.4/32", "Egress": False, "PortRange": {"From": 0, "To": 65535},
         "Protocol": "6", "RuleAction": "allow", "RuleNumber": 1},
        {"CidrBlock": "10.9.0.0/16", "Egress": False, "PortRange": {"From": 80, "To": 80},
         "Protocol": "6", "RuleAction": "allow", "RuleNumber": 100},
        {"CidrBlock": ALL4, "Egress": False, "IcmpTypeCode": {"Code": 4, "Type": 3},
         "Protocol": "1", "RuleAction": "allow", "RuleNumber": 120},
        {"Ipv6CidrBlock": "2001:db8::/32", "Egress": False,
         "IcmpTypeCode": {"Code": -1, "Type": -1}, "Protocol": "58", "RuleAction": "allow",
         "RuleNumber": 130},
        deny(False),
    ]

    ec2.replace_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Protocol="17",
                                  RuleAction="deny", Egress=False, Ipv6CidrBlock="2001:db8::/48",
                                  PortRange={"From": 53, "To": 53})
    ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=110, Egress=True)
    entries = acl_of(ec2, acl_id)["Entries"]
    assert {"Ipv6CidrBlock": "2001:db8::/48", "Egress": False, "PortRange": {"From": 53, "To": 53},
            "Protocol": "17", "RuleAction": "deny", "RuleNumber": 100} in entries
    assert [e["RuleNumber"] for e in entries] == [200, 210, 220, 230, 32767, 1, 100, 120, 130, 32767]


BAD_ENTRIES = [
    ("rule number 0", dict(RuleNumber=0), "InvalidParameterValue"),
    ("rule number 32767", dict(RuleNumber=32767), "InvalidParameterValue"),
    ("rule number 32768", dict(RuleNumber=32768), "InvalidParameterValue"),
    ("rule number 40000", dict(RuleNumber=40000), "InvalidParameterValue"),
    ("rule number -1", dict(RuleNumber=-1), "InvalidParameterValue"),
    ("duplicate", dict(RuleNumber=100), "NetworkAclEntryAlreadyExists"),
    ("tcp without ports", dict(Protocol="6"), "MissingParameter"),
    ("udp without ports", dict(Protocol="udp"), "MissingParameter"),
    ("port above 65535", dict(Protocol="6", PortRange={"From": 1, "To": 65536}),
     "InvalidParameterValue"),
    ("negative port", dict(Protocol="6", PortRange={"From": -1, "To": 80}), "InvalidParameterValue"),
    ("from above to", dict(Protocol="6", PortRange={"From": 90, "To": 80}), "InvalidParameterValue"),
    ("icmp without type", dict(Protocol="1"), "MissingParameter"),
    ("icmpv6 on IPv6 without type", dict(Protocol="58", CidrBlock=None, Ipv6CidrBlock=ALL6),
     "MissingParameter"),
    ("icmp type 256", dict(Protocol="1", IcmpTypeCode={"Type": 256, "Code": 0}),
     "InvalidParameterValue"),
    ("bad protocol name", dict(Protocol="sctpx"), "InvalidParameterValue"),
    ("protocol 256", dict(Protocol="256"), "InvalidParameterValue"),
    ("protocol -2", dict(Protocol="-2"), "InvalidParameterValue"),
    ("bad action", dict(RuleAction="permit"), "InvalidParameterValue"),
    ("bad CIDR", dict(CidrBlock="10.0.0.0/33"), "InvalidParameterValue"),
    ("CIDR without length", dict(CidrBlock="10.0.0.1"), "InvalidParameterValue"),
    ("IPv4 as IPv6 CIDR", dict(CidrBlock=None, Ipv6CidrBlock="10.0.0.0/8"), "InvalidParameterValue"),
    ("both CIDRs", dict(Ipv6CidrBlock=ALL6), "InvalidParameterCombination"),
    ("no CIDR", dict(CidrBlock=None), "MissingParameter"),
    ("unknown acl", dict(NetworkAclId="acl-0123456789abcdef0"), "InvalidNetworkAclID.NotFound"),
    ("malformed acl", dict(NetworkAclId="acl-zzz"), "InvalidNetworkAclId.Malformed"),
]


@pytest.mark.parametrize("kwargs,code", [(k, c) for _, k, c in BAD_ENTRIES],
                         ids=[d for d, _, _ in BAD_ENTRIES])
def test_bad_entries(west, kwargs, code):
    ec2, vpc = west
    acl_id = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Protocol="-1",
                                 RuleAction="allow", Egress=False, CidrBlock=ALL4)
    before = acl_of(ec2, acl_id)
    args = dict(NetworkAclId=acl_id, RuleNumber=300, Protocol="-1", RuleAction="allow",
                Egress=False, CidrBlock=ALL4)
    args.update(kwargs)
    args = {k: v for k, v in args.items() if v is not None}
    expect_error(code, ec2.create_network_acl_entry, **args)
    assert acl_of(ec2, acl_id) == before


def test_duplicate_message_and_missing_entries(west):
    ec2, vpc = west
    acl_id = default_acl(ec2, vpc)["NetworkAclId"]
    msg = expect_error("NetworkAclEntryAlreadyExists", ec2.create_network_acl_entry,
                       NetworkAclId=acl_id, RuleNumber=100, Protocol="-1", RuleAction="allow",
                       Egress=True, CidrBlock=ALL4)
    assert msg == "The network acl entry identified by 100 already exists."
    expect_error("InvalidNetworkAclEntry.NotFound", ec2.replace_network_acl_entry,
                 NetworkAclId=acl_id, RuleNumber=555, Protocol="-1", RuleAction="allow",
                 Egress=True, CidrBlock=ALL4)
    expect_error("InvalidNetworkAclEntry.NotFound", ec2.delete_network_acl_entry,
                 NetworkAclId=acl_id, RuleNumber=555, Egress=True)
    expect_error("InvalidParameterValue", ec2.delete_network_acl_entry,
                 NetworkAclId=acl_id, RuleNumber=32767, Egress=True)
    expect_error("InvalidParameterValue", ec2.replace_network_acl_entry,
                 NetworkAclId=acl_id, RuleNumber=0, Protocol="-1", RuleAction="allow",
                 Egress=True, CidrBlock=ALL4)
    assert acl_of(ec2, acl_id)["Entries"] == DEFAULT_ENTRIES


def test_entry_quota(west):
    ec2, vpc = west
    acl_id = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]

    def put(n, egress=False, ipv6=False):
        cidr = {"Ipv6CidrBlock": f"2001:db8:{n:x}::/48"} if ipv6 else {"CidrBlock": f"10.0.{n}.0/24"}
        ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=n, Protocol="-1",
                                     RuleAction="allow", Egress=egress, **cidr)

    for n in range(1, 20):
        put(n)
    # 20 per direction and family, the "*" deny included.
    expect_error("NetworkAclEntryLimitExceeded", put, n=20)
    put(20, ipv6=True)
    put(20, egress=True)
    ec2.replace_network_acl_entry(NetworkAclId=acl_id, RuleNumber=19, Protocol="-1",
                                  RuleAction="deny", Egress=False, CidrBlock="10.0.19.0/24")
    # Moving a rule to the other family counts there, and frees its slot here.
    ec2.replace_network_acl_entry(NetworkAclId=acl_id, RuleNumber=19, Protocol="-1",
                                  RuleAction="deny", Egress=False, Ipv6CidrBlock=ALL6)
    put(21)
    expect_error("NetworkAclEntryLimitExceeded", put, n=22)
    entries = acl_of(ec2, acl_id)["Entries"]
    assert len([e for e in entries if not e["Egress"] and "CidrBlock" in e]) == 20


def test_acl_quota(vpcd):
    ec2 = vpcd.client(region="sa-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    made = [ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"] for _ in range(199)]
    expect_error("NetworkAclLimitExceeded", ec2.create_network_acl, VpcId=vpc)
    for acl_id in made:
        ec2.delete_network_acl(NetworkAclId=acl_id)
    ec2.delete_vpc(VpcId=vpc)


def test_subnet_associations(west):
    ec2, vpc = west
    dacl = default_acl(ec2, vpc)["NetworkAclId"]
    acl_id = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    other = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]

    # Terraform finds a subnet's current association by association.subnet-id.
    found = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"]
    assert ids(found) == [dacl]
    assoc = [a for a in found[0]["Associations"] if a["SubnetId"] == subnet][0]
    assert assoc["NetworkAclId"] == dacl

    new = ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"],
                                              NetworkAclId=acl_id)["NewAssociationId"]
    assert new.startswith("aclassoc-") and new != assoc["NetworkAclAssociationId"]
    assert acl_of(ec2, acl_id)["Associations"] == [
        {"NetworkAclAssociationId": new, "NetworkAclId": acl_id, "SubnetId": subnet}]
    assert [a["SubnetId"] for a in acl_of(ec2, dacl)["Associations"]] == [other]
    by_assoc = ec2.describe_network_acls(
        Filters=[{"Name": "association.association-id", "Values": [new]}])["NetworkAcls"]
    assert ids(by_assoc) == [acl_id]
    by_acl = ec2.describe_network_acls(
        Filters=[{"Name": "association.network-acl-id", "Values": [acl_id]}])["NetworkAcls"]
    assert ids(by_acl) == [acl_id]
    expect_error("InvalidAssociationID.NotFound", ec2.replace_network_acl_association,
                 AssociationId=assoc["NetworkAclAssociationId"], NetworkAclId=dacl)
    expect_error("InvalidAssociationID.NotFound", ec2.replace_network_acl_association,
                 AssociationId="aclassoc-0123456789abcdef0", NetworkAclId=dacl)
    expect_error("InvalidNetworkAclID.NotFound", ec2.replace_network_acl_association,
                 AssociationId=new, NetworkAclId="acl-0123456789abcdef0")

    msg = expect_error("DependencyViolation", ec2.delete_network_acl, NetworkAclId=acl_id)
    assert msg == f"The networkAcl '{acl_id}' has dependencies and cannot be deleted."
    msg = expect_error("InvalidParameterValue", ec2.delete_network_acl, NetworkAclId=dacl)
    assert msg == f"cannot delete default network ACL {dacl}"

    # Same ACL again: still a fresh association id.
    again = ec2.replace_network_acl_association(AssociationId=new,
                                                NetworkAclId=acl_id)["NewAssociationId"]
    assert again != new
    back = ec2.replace_network_acl_association(AssociationId=again,
                                               NetworkAclId=dacl)["NewAssociationId"]
    assert sorted(a["SubnetId"] for a in acl_of(ec2, dacl)["Associations"]) == sorted([subnet, other])
    assert back in [a["NetworkAclAssociationId"] for a in acl_of(ec2, dacl)["Associations"]]
    assert acl_of(ec2, acl_id)["Associations"] == []
    ec2.delete_network_acl(NetworkAclId=acl_id)
    ec2.delete_subnet(SubnetId=subnet)
    assert [a["SubnetId"] for a in acl_of(ec2, dacl)["Associations"]] == [other]
    assert ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"] == []


def test_association_to_other_vpc(west):
    ec2, vpc = west
    vpc2 = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    foreign = ec2.create_network_acl(VpcId=vpc2)["NetworkAcl"]["NetworkAclId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.3.0/24")["Subnet"]["SubnetId"]
    acl = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"][0]
    assoc = acl["Associations"][0]["NetworkAclAssociationId"]
    expect_error("InvalidParameterValue", ec2.replace_network_acl_association,
                 AssociationId=assoc, NetworkAclId=foreign)
    assert acl_of(ec2, acl["NetworkAclId"])["Associations"][0]["NetworkAclAssociationId"] == assoc
    ec2.delete_network_acl(NetworkAclId=foreign)
    ec2.delete_vpc(VpcId=vpc2)


def test_terraform_default_acl_adoption(west):
    """aws_default_network_acl removes every entry on adoption, then creates the configured ones."""
    ec2, vpc = west
    # aws_vpc reads default_network_acl_id this way.
    dacl = default_acl(ec2, vpc)
    for e in dacl["Entries"]:
        if e["RuleNumber"] in (32767, 32768):  # the provider skips the "*" rules
            continue
        ec2.delete_network_acl_entry(NetworkAclId=dacl["NetworkAclId"],
                                     RuleNumber=e["RuleNumber"], Egress=e["Egress"])
    assert acl_of(ec2, dacl["NetworkAclId"])["Entries"] == [deny(True), deny(False)]
    for egress in (False, True):
        ec2.create_network_acl_entry(NetworkAclId=dacl["NetworkAclId"], RuleNumber=100,
                                     Protocol="-1", RuleAction="allow", Egress=egress,
                                     CidrBlock=ALL4, PortRange={"From": 0, "To": 0})
    after = acl_of(ec2, dacl["NetworkAclId"])
    assert after["Entries"] == DEFAULT_ENTRIES
    assert after["IsDefault"] is True


def test_filters(west):
    ec2, vpc = west
    dacl = default_acl(ec2, vpc)["NetworkAclId"]
    acl_id = ec2.create_network_acl(VpcId=vpc, TagSpecifications=[
        {"ResourceType": "network-acl", "Tags": [{"Key": "team", "Value": "blue"}]}
    ])["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Protocol="6",
                                 RuleAction="allow", Egress=False, CidrBlock="10.9.0.0/16",
                                 PortRange={"From": 22, "To": 23})
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=110, Protocol="1",
                                 RuleAction="deny", Egress=True, Ipv6CidrBlock="2001:db8::/32",
                                 IcmpTypeCode={"Type": 8, "Code": 0})

    def find(name, *values):
        return ids(ec2.describe_network_acls(Filters=[
            {"Name": "vpc-id", "Values": [vpc]}, {"Name": name, "Values": list(values)}
        ])["NetworkAcls"])

    both = sorted([dacl, acl_id])
    assert find("default", "true") == [dacl]
    assert find("default", "false") == [acl_id]
    assert find("network-acl-id", acl_id) == [acl_id]
    assert find("owner-id", "000000000000") == both
    assert find("owner-id", "111111111111") == []
    assert find("tag:team", "blue") == [acl_id]
    assert find("tag-key", "team") == [acl_id]
    assert find("entry.cidr", "10.9.0.0/16") == [acl_id]
    assert find("entry.cidr", "0.0.0.0/0") == both
    assert find("entry.cidr", "10.9.*") == [acl_id]
    assert find("entry.ipv6-cidr", "2001:db8::/32") == [acl_id]
    assert find("entry.egress", "true") == both
    assert find("entry.icmp.type", "8") == [acl_id]
    assert find("entry.icmp.code", "0") == [acl_id]
    assert find("entry.port-range.from", "22") == [acl_id]
    assert find("entry.port-range.to", "23") == [acl_id]
    assert find("entry.protocol", "tcp") == [acl_id]
    assert find("entry.protocol", "6") == [acl_id]
    assert find("entry.protocol", "icmp") == [acl_id]
    assert find("entry.protocol", "-1") == both
    assert find("entry.rule-action", "allow") == both
    assert find("entry.rule-number", "110") == [acl_id]
    assert find("entry.rule-number", "100") == both
    assert find("entry.rule-number", "32767") == both
    assert find("entry.rule-number", "32768") == []
    assert find("association.subnet-id", "subnet-0123456789abcdef0") == []
    expect_error("InvalidParameterValue", ec2.describe_network_acls,
                 Filters=[{"Name": "entry.nope", "Values": ["1"]}])
    expect_error("InvalidParameterValue", ec2.describe_network_acls,
                 Filters=[{"Name": "bogus", "Values": ["1"]}])


def test_paging(vpcd):
    ec2 = vpcd.client(region="eu-north-1")
    vpc = ec2.create_vpc(CidrBlock="10.4.0.0/16")["Vpc"]["VpcId"]
    made = [ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"] for _ in range(6)]
    everything = ids(ec2.describe_network_acls()["NetworkAcls"])
    assert len(everything) == 8  # default VPC's, this VPC's default, 6 custom
    page1 = ec2.describe_network_acls(MaxResults=5)
    assert len(page1["NetworkAcls"]) == 5
    page2 = ec2.describe_network_acls(MaxResults=5, NextToken=page1["NextToken"])
    assert len(page2["NetworkAcls"]) == 3
    assert "NextToken" not in page2
    assert ids(page1["NetworkAcls"] + page2["NetworkAcls"]) == everything
    paged = [a for p in ec2.get_paginator("describe_network_acls").paginate(
        PaginationConfig={"PageSize": 5}) for a in p["NetworkAcls"]]
    assert ids(paged) == everything
    raw = unvalidated(vpcd, "eu-north-1")
    expect_error("InvalidParameterValue", raw.describe_network_acls, MaxResults=4)
    expect_error("InvalidParameterValue", raw.describe_network_acls, MaxResults=1001)
    expect_error("InvalidParameterCombination", ec2.describe_network_acls, MaxResults=5,
                 NetworkAclIds=[made[0]])
    expect_error("InvalidPaginationToken", ec2.describe_network_acls, MaxResults=5,
                 NextToken="garbage")
    assert ids(ec2.describe_network_acls(NetworkAclIds=made[:2])["NetworkAcls"]) == sorted(made[:2])
    for acl_id in made:
        ec2.delete_network_acl(NetworkAclId=acl_id)
    ec2.delete_vpc(VpcId=vpc)


def test_ids_and_vpc_errors(ec2):
    expect_error("InvalidNetworkAclId.Malformed", ec2.describe_network_acls, NetworkAclIds=["acl-xyz"])
    expect_error("InvalidNetworkAclId.Malformed", ec2.describe_network_acls,
                 NetworkAclIds=["vpc-0123456789abcdef0"])
    expect_error("InvalidNetworkAclId.Malformed", ec2.delete_network_acl, NetworkAclId="foo")
    msg = expect_error("InvalidNetworkAclID.NotFound", ec2.describe_network_acls,
                       NetworkAclIds=["acl-0123456789abcdef0"])
    assert msg == "The networkAcl ID 'acl-0123456789abcdef0' does not exist"
    expect_error("InvalidNetworkAclID.NotFound", ec2.delete_network_acl,
                 NetworkAclId="acl-12345678")
    expect_error("InvalidVpcID.NotFound", ec2.create_network_acl, VpcId="vpc-0123456789abcdef0")
    expect_error("InvalidVpcID.Malformed", ec2.create_network_acl, VpcId="vpc-nope")
    expect_error("InvalidParameterValue", ec2.create_network_acl,
                 VpcId=ec2.describe_vpcs()["Vpcs"][0]["VpcId"],
                 TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}])


def test_cross_account_isolation(vpcd):
    mine = vpcd.client(region="ap-southeast-2")
    theirs = vpcd.client(account="111111111111", region="ap-southeast-2")
    vpc = mine.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    acl_id = mine.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    dacl = default_acl(mine, vpc)["NetworkAclId"]
    subnet = mine.create_subnet(VpcId=vpc, CidrBlock="10.7.1.0/24")["Subnet"]["SubnetId"]
    assoc = acl_of(mine, dacl)["Associations"][0]["NetworkAclAssociationId"]

    expect_error("InvalidNetworkAclID.NotFound", theirs.describe_network_acls, NetworkAclIds=[acl_id])
    expect_error("InvalidNetworkAclID.NotFound", theirs.delete_network_acl, NetworkAclId=acl_id)
    expect_error("InvalidNetworkAclID.NotFound", theirs.create_network_acl_entry,
                 NetworkAclId=acl_id, RuleNumber=1, Protocol="-1", RuleAction="allow",
                 Egress=False, CidrBlock=ALL4)
    expect_error("InvalidNetworkAclID.NotFound", theirs.replace_network_acl_entry,
                 NetworkAclId=dacl, RuleNumber=100, Protocol="-1", RuleAction="deny",
                 Egress=False, CidrBlock=ALL4)
    expect_error("InvalidNetworkAclID.NotFound", theirs.delete_network_acl_entry,
                 NetworkAclId=dacl, RuleNumber=100, Egress=False)
    expect_error("InvalidVpcID.NotFound", theirs.create_network_acl, VpcId=vpc)
    their_default = theirs.describe_network_acls()["NetworkAcls"]
    assert acl_id not in ids(their_default) and dacl not in ids(their_default)
    assert all(a["OwnerId"] == "111111111111" for a in their_default)
    their_acl = their_default[0]["NetworkAclId"]
    expect_error("InvalidAssociationID.NotFound", theirs.replace_network_acl_association,
                 AssociationId=assoc, NetworkAclId=their_acl)
    assert theirs.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"] == []
    # Nor from another region of the same account.
    other_region = vpcd.client(region="eu-west-3")
    expect_error("InvalidNetworkAclID.NotFound", other_region.describe_network_acls,
                 NetworkAclIds=[acl_id])
    assert acl_of(mine, dacl)["Entries"] == DEFAULT_ENTRIES
    mine.delete_subnet(SubnetId=subnet)
    mine.delete_network_acl(NetworkAclId=acl_id)
    mine.delete_vpc(VpcId=vpc)


def test_client_token_idempotency(vpcd):
    """Terraform sends a ClientToken; a retry must return the same ACL (older botocore lacks the
    member, so it is added on the wire)."""
    ec2 = vpcd.client(region="eu-central-1")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    vpc2 = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    token = {"value": "tok-1"}

    def add_token(request, **_):
        request.data["ClientToken"] = token["value"]

    ec2.meta.events.register("before-sign.ec2.CreateNetworkAcl", add_token)
    first = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    assert ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"] == first
    expect_error("IdempotentParameterMismatch", ec2.create_network_acl, VpcId=vpc2)
    token["value"] = "tok-2"
    second = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    assert second != first
    token["value"] = "x" * 65
    expect_error("InvalidParameterValue", ec2.create_network_acl, VpcId=vpc)
    ec2.meta.events.unregister("before-sign.ec2.CreateNetworkAcl", add_token)
    assert len(ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]) == 3
    for acl_id in (first, second):
        ec2.delete_network_acl(NetworkAclId=acl_id)
    ec2.delete_vpc(VpcId=vpc)
    ec2.delete_vpc(VpcId=vpc2)


MISSING = [
    ("CreateNetworkAcl", "create_network_acl", {}),
    ("DeleteNetworkAcl", "delete_network_acl", {}),
    ("entry without NetworkAclId", "create_network_acl_entry",
     dict(RuleNumber=1, Protocol="-1", RuleAction="allow", Egress=False, CidrBlock=ALL4)),
    ("entry without RuleNumber", "create_network_acl_entry",
     dict(NetworkAclId="ACL", Protocol="-1", RuleAction="allow", Egress=False, CidrBlock=ALL4)),
    ("entry without Protocol", "create_network_acl_entry",
     dict(NetworkAclId="ACL", RuleNumber=1, RuleAction="allow", Egress=False, CidrBlock=ALL4)),
    ("entry without RuleAction", "create_network_acl_entry",
     dict(NetworkAclId="ACL", RuleNumber=1, Protocol="-1", Egress=False, CidrBlock=ALL4)),
    ("entry without Egress", "replace_network_acl_entry",
     dict(NetworkAclId="ACL", RuleNumber=1, Protocol="-1", RuleAction="allow", CidrBlock=ALL4)),
    ("delete entry without Egress", "delete_network_acl_entry",
     dict(NetworkAclId="ACL", RuleNumber=1)),
    ("replace association without acl", "replace_network_acl_association",
     dict(AssociationId="aclassoc-0123456789abcdef0")),
    ("replace association without id", "replace_network_acl_association",
     dict(NetworkAclId="ACL")),
]


@pytest.mark.parametrize("op,kwargs", [(o, k) for _, o, k in MISSING], ids=[d for d, _, _ in MISSING])
def test_missing_parameters(vpcd, op, kwargs):
    ec2 = vpcd.client(region="us-east-2")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    acl_id = default_acl(ec2, vpc)["NetworkAclId"]
    raw = unvalidated(vpcd, "us-east-2")
    kwargs = {k: acl_id if v == "ACL" else v for k, v in kwargs.items()}
    expect_error("MissingParameter", getattr(raw, op), **kwargs)
    assert acl_of(ec2, acl_id)["Entries"] == DEFAULT_ENTRIES


def test_state_survives_restart(vpcd):
    ec2 = vpcd.client(region="ap-northeast-1")
    vpc = ec2.create_vpc(CidrBlock="10.10.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    acl_id = ec2.create_network_acl(VpcId=vpc, TagSpecifications=[
        {"ResourceType": "network-acl", "Tags": [{"Key": "k", "Value": "v"}]}
    ])["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=5, Protocol="6",
                                 RuleAction="allow", Egress=False, CidrBlock="10.0.0.0/8",
                                 PortRange={"From": 443, "To": 443})
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=6, Protocol="58",
                                 RuleAction="deny", Egress=True, Ipv6CidrBlock="2001:db8::/32",
                                 IcmpTypeCode={"Type": 1, "Code": 2})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.10.1.0/24")["Subnet"]["SubnetId"]
    assoc = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet]}]
    )["NetworkAcls"][0]["Associations"][0]["NetworkAclAssociationId"]
    ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=acl_id)
    before = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]
    vpcd.stop()
    vpcd.start()
    ec2 = vpcd.client(region="ap-northeast-1")
    after = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]
    assert after == before
    assert len(after) == 2
