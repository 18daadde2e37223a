"""Route tables through boto3: tables, routes and their rules, associations, the main table,
filters, paging, persistence and account isolation."""
import botocore.config
import botocore.exceptions
import boto3
import pytest

from conftest import ACCOUNTS, error_code

Z17 = "0123456789abcdef0"


def make_vpc(ec2, cidr="10.0.0.0/16"):
    return ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]


def main_table(ec2, vpc_id):
    tables = ec2.describe_route_tables(Filters=[
        {"Name": "association.main", "Values": ["true"]},
        {"Name": "vpc-id", "Values": [vpc_id]},
    ])["RouteTables"]
    assert len(tables) == 1
    return tables[0]


def table(ec2, rtb_id):
    return ec2.describe_route_tables(RouteTableIds=[rtb_id])["RouteTables"][0]


def route_to(ec2, rtb_id, **dest):
    (key, value), = dest.items()
    return [r for r in table(ec2, rtb_id)["Routes"] if r.get(key) == value]


def attached_igw(ec2, vpc_id):
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    return igw


def expect_error(code, fn, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn(**kw)
    assert error_code(e) == code, e.value.response["Error"]
    return e.value.response["Error"]["Message"]


def test_main_table_of_a_new_vpc(vpcd):
    ec2 = vpcd.client(region="us-east-1")
    vpc = make_vpc(ec2)
    main = main_table(ec2, vpc)
    assert main["VpcId"] == vpc
    assert main["OwnerId"] == "000000000000"
    assert main["RouteTableId"].startswith("rtb-") and len(main["RouteTableId"]) == 21
    assert main["Routes"] == [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local",
                               "Origin": "CreateRouteTable", "State": "active"}]
    assoc, = main["Associations"]
    assert assoc["Main"] is True
    assert assoc["RouteTableId"] == main["RouteTableId"]
    assert assoc["RouteTableAssociationId"].startswith("rtbassoc-")
    assert assoc["AssociationState"] == {"State": "associated"}
    assert "SubnetId" not in assoc and "GatewayId" not in assoc
    assert main["PropagatingVgws"] == []
    assert main["Tags"] == []


def test_default_vpc_main_table_routes_to_its_igw(vpcd):
    ec2 = vpcd.client(region="us-east-1")
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    igw = ec2.describe_internet_gateways(Filters=[
        {"Name": "attachment.vpc-id", "Values": [default_vpc["VpcId"]]}])["InternetGateways"][0]
    main = main_table(ec2, default_vpc["VpcId"])
    assert main["Routes"] == [
        {"DestinationCidrBlock": "172.31.0.0/16", "GatewayId": "local",
         "Origin": "CreateRouteTable", "State": "active"},
        {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw["InternetGatewayId"],
         "Origin": "CreateRoute", "State": "active"},
    ]


def test_create_routes_and_describe(vpcd):
    ec2 = vpcd.client(region="eu-west-1")
    vpc = make_vpc(ec2)
    igw = attached_igw(ec2, vpc)
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vpc)[
        "EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    rt = ec2.create_route_table(VpcId=vpc, TagSpecifications=[
        {"ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": "public"}]}])["RouteTable"]
    rtb = rt["RouteTableId"]
    assert rt["VpcId"] == vpc
    assert rt["Tags"] == [{"Key": "Name", "Value": "public"}]
    assert rt["Associations"] == []
    assert rt["Routes"] == [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local",
                             "Origin": "CreateRouteTable", "State": "active"}]
    assert ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0",
                            GatewayId=igw)["Return"] is True
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="198.51.100.77/24", GatewayId=igw)
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock="::/0",
                     EgressOnlyInternetGatewayId=eigw)
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock="2001:db8::1/32", GatewayId=igw)
    assert table(ec2, rtb)["Routes"] == [
        {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local",
         "Origin": "CreateRouteTable", "State": "active"},
        {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw, "Origin": "CreateRoute",
         "State": "active"},
        {"DestinationCidrBlock": "198.51.100.0/24", "GatewayId": igw, "Origin": "CreateRoute",
         "State": "active"},
        {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": eigw,
         "Origin": "CreateRoute", "State": "active"},
        {"DestinationIpv6CidrBlock": "2001:db8::/32", "GatewayId": igw, "Origin": "CreateRoute",
         "State": "active"},
    ]
    pl = ec2.create_managed_prefix_list(PrefixListName="rtb-pl", AddressFamily="IPv4",
                                        MaxEntries=5, Entries=[{"Cidr": "203.0.113.0/24"}])
    pl_id = pl["PrefixList"]["PrefixListId"]
    ec2.create_route(RouteTableId=rtb, DestinationPrefixListId=pl_id, GatewayId=igw)
    assert route_to(ec2, rtb, DestinationPrefixListId=pl_id) == [
        {"DestinationPrefixListId": pl_id, "GatewayId": igw, "Origin": "CreateRoute",
         "State": "active"}]
    ec2.delete_route(RouteTableId=rtb, DestinationPrefixListId=pl_id)
    assert route_to(ec2, rtb, DestinationPrefixListId=pl_id) == []


@pytest.fixture(scope="module")
def net(vpcd):
    """A VPC in ap-southeast-2 with an attached IGW, an unattached IGW, an EIGW, a custom table
    holding 0.0.0.0/0 -> igw, and two subnets."""
    ec2 = vpcd.client(region="ap-southeast-2")
    vpc = make_vpc(ec2)
    igw = attached_igw(ec2, vpc)
    loose = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vpc)[
        "EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    sn1 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    sn2 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    return dict(ec2=ec2, vpc=vpc, igw=igw, loose=loose, eigw=eigw, rtb=rtb, sn1=sn1, sn2=sn2,
                main=main_table(ec2, vpc)["RouteTableId"])


BAD_ROUTES = [
    # (code, destination, target)
    ("RouteAlreadyExists", {"DestinationCidrBlock": "0.0.0.0/0"}, {"GatewayId": "$igw"}),
    ("RouteAlreadyExists", {"DestinationCidrBlock": "10.0.0.0/16"}, {"GatewayId": "$igw"}),
    ("InvalidParameterValue", {"DestinationCidrBlock": "10.0.1.0/24"}, {"GatewayId": "$igw"}),
    ("InvalidParameterValue", {"DestinationCidrBlock": "10.0.0.0/17"}, {"GatewayId": "$igw"}),
    ("InvalidInternetGatewayID.NotFound", {"DestinationCidrBlock": "10.8.0.0/16"},
     {"GatewayId": "igw-" + Z17}),
    ("InvalidInternetGatewayId.Malformed", {"DestinationCidrBlock": "10.8.0.0/16"},
     {"GatewayId": "igw-xyz"}),
    ("InvalidParameterValue", {"DestinationCidrBlock": "10.8.0.0/16"}, {"GatewayId": "$loose"}),
    ("InvalidGatewayID.NotFound", {"DestinationCidrBlock": "10.8.0.0/16"},
     {"GatewayId": "nat-" + Z17}),
    ("InvalidGatewayID.NotFound", {"DestinationCidrBlock": "10.8.0.0/16"},
     {"GatewayId": "vgw-" + Z17}),
    ("InvalidNatGatewayID.NotFound", {"DestinationCidrBlock": "10.8.0.0/16"},
     {"NatGatewayId": "nat-" + Z17}),
    ("InvalidNatGatewayID.Malformed", {"DestinationCidrBlock": "10.8.0.0/16"},
     {"NatGatewayId": "nat-1"}),
    ("InvalidInstanceID.NotFound", {"DestinationCidrBlock": "10.8.0.0/16"},
     {"InstanceId": "i-" + Z17}),
    ("InvalidNetworkInterfaceID.NotFound", {"DestinationCidrBlock": "10.8.0.0/16"},
     {"NetworkInterfaceId": "eni-" + Z17}),
    ("InvalidVpcPeeringConnectionID.NotFound", {"DestinationCidrBlock": "10.8.0.0/16"},
     {"VpcPeeringConnectionId": "pcx-" + Z17}),
    ("InvalidTransitGatewayID.NotFound", {"DestinationCidrBlock": "10.8.0.0/16"},
     {"TransitGatewayId": "tgw-" + Z17}),
    ("InvalidVpcEndpointId.NotFound", {"DestinationCidrBlock": "10.8.0.0/16"},
     {"VpcEndpointId": "vpce-" + Z17}),
    ("InvalidEgressOnlyInternetGatewayId.NotFound", {"DestinationIpv6CidrBlock": "2600::/16"},
     {"EgressOnlyInternetGatewayId": "eigw-" + Z17}),
    ("InvalidParameterValue", {"DestinationCidrBlock": "169.254.168.0/22"}, {"GatewayId": "$igw"}),
    ("InvalidParameterValue", {"DestinationCidrBlock": "169.254.169.254/32"},
     {"GatewayId": "$igw"}),
    ("InvalidParameterValue", {"DestinationIpv6CidrBlock": "fd00:ec2::/32"},
     {"GatewayId": "$igw"}),
    ("InvalidParameterValue", {"DestinationIpv6CidrBlock": "fd00:ec2::254/128"},
     {"GatewayId": "$igw"}),
    ("InvalidParameterValue", {"DestinationCidrBlock": "10.8.0.0/33"}, {"GatewayId": "$igw"}),
    ("InvalidParameterValue", {"DestinationCidrBlock": "not-a-cidr"}, {"GatewayId": "$igw"}),
    ("MissingParameter", {"DestinationCidrBlock": "10.8.0.0/16"}, {}),
    ("MissingParameter", {}, {"GatewayId": "$igw"}),
    ("InvalidParameterCombination", {"DestinationIpv6CidrBlock": "2600::/16"},
     {"GatewayId": "$igw", "EgressOnlyInternetGatewayId": "$eigw"}),
    ("InvalidParameterCombination",
     {"DestinationCidrBlock": "10.8.0.0/16", "DestinationIpv6CidrBlock": "2600::/16"},
     {"GatewayId": "$igw"}),
    ("InvalidPrefixListID.NotFound", {"DestinationPrefixListId": "pl-" + Z17},
     {"GatewayId": "$igw"}),
]


@pytest.mark.parametrize("code,dest,target", BAD_ROUTES)
def test_bad_routes(net, code, dest, target):
    ec2 = net["ec2"]
    target = {k: net[v[1:]] if v.startswith("$") else v for k, v in target.items()}
    expect_error(code, ec2.create_route, RouteTableId=net["rtb"], **dest, **target)
    assert [r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock")
            for r in table(ec2, net["rtb"])["Routes"]] == ["10.0.0.0/16", "0.0.0.0/0"]


def test_bad_route_messages(net):
    ec2 = net["ec2"]
    msg = expect_error("RouteAlreadyExists", ec2.create_route, RouteTableId=net["rtb"],
                       DestinationCidrBlock="10.0.0.0/16", GatewayId=net["igw"])
    assert msg == "The route identified by 10.0.0.0/16 already exists."
    msg = expect_error("InvalidParameterValue", ec2.create_route, RouteTableId=net["rtb"],
                       DestinationCidrBlock="10.8.0.0/16", GatewayId=net["loose"])
    assert msg == (f"route table {net['rtb']} and network gateway {net['loose']} "
                   "belong to different networks")
    msg = expect_error("InvalidParameterValue", ec2.delete_route, RouteTableId=net["rtb"],
                       DestinationCidrBlock="10.0.0.0/16")
    assert msg == f"cannot remove local route 10.0.0.0/16 in route table {net['rtb']}"
    msg = expect_error("InvalidRoute.NotFound", ec2.delete_route, RouteTableId=net["rtb"],
                       DestinationCidrBlock="10.9.0.0/16")
    assert msg == f"no route with destination-cidr-block 10.9.0.0/16 in route table {net['rtb']}"
    msg = expect_error("DependencyViolation", ec2.delete_route_table, RouteTableId=net["main"])
    assert msg == f"The routeTable '{net['main']}' has dependencies and cannot be deleted."


def test_missing_and_malformed_tables(net):
    ec2 = net["ec2"]
    expect_error("InvalidRouteTableID.NotFound", ec2.create_route, RouteTableId="rtb-" + Z17,
                 DestinationCidrBlock="10.8.0.0/16", GatewayId=net["igw"])
    expect_error("InvalidRouteTableId.Malformed", ec2.create_route, RouteTableId="rtb-zz",
                 DestinationCidrBlock="10.8.0.0/16", GatewayId=net["igw"])
    expect_error("InvalidRouteTableID.NotFound", ec2.describe_route_tables,
                 RouteTableIds=["rtb-" + Z17])
    expect_error("InvalidRouteTableID.NotFound", ec2.delete_route_table, RouteTableId="rtb-" + Z17)
    expect_error("InvalidVpcID.NotFound", ec2.create_route_table, VpcId="vpc-" + Z17)


def test_replace_route(net):
    ec2 = net["ec2"]
    rtb = net["rtb"]
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock="::/0",
                     EgressOnlyInternetGatewayId=net["eigw"])
    ec2.replace_route(RouteTableId=rtb, DestinationIpv6CidrBlock="::/0", GatewayId=net["igw"])
    assert route_to(ec2, rtb, DestinationIpv6CidrBlock="::/0") == [
        {"DestinationIpv6CidrBlock": "::/0", "GatewayId": net["igw"], "Origin": "CreateRoute",
         "State": "active"}]
    expect_error("InvalidParameterValue", ec2.replace_route, RouteTableId=rtb,
                 DestinationCidrBlock="10.9.0.0/16", GatewayId=net["igw"])
    expect_error("InvalidParameterValue", ec2.replace_route, RouteTableId=rtb,
                 DestinationCidrBlock="10.0.0.0/16", GatewayId=net["igw"])
    expect_error("InvalidParameterValue", ec2.replace_route, RouteTableId=rtb,
                 DestinationCidrBlock="0.0.0.0/0", LocalTarget=True)
    expect_error("InvalidParameterCombination", ec2.replace_route, RouteTableId=rtb,
                 DestinationCidrBlock="10.0.0.0/16", LocalTarget=True, GatewayId=net["igw"])
    expect_error("InvalidNetworkInterfaceID.NotFound", ec2.replace_route, RouteTableId=rtb,
                 DestinationCidrBlock="10.0.0.0/16", NetworkInterfaceId="eni-" + Z17)
    ec2.replace_route(RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/16", LocalTarget=True)
    assert route_to(ec2, rtb, DestinationCidrBlock="10.0.0.0/16")[0]["GatewayId"] == "local"
    ec2.delete_route(RouteTableId=rtb, DestinationIpv6CidrBlock="::/0")
    assert route_to(ec2, rtb, DestinationIpv6CidrBlock="::/0") == []
    expect_error("InvalidRoute.NotFound", ec2.delete_route, RouteTableId=rtb,
                 DestinationIpv6CidrBlock="::/0")


def test_associations(net):
    ec2 = net["ec2"]
    rtb, main, sn1 = net["rtb"], net["main"], net["sn1"]
    reply = ec2.associate_route_table(RouteTableId=rtb, SubnetId=sn1)
    a1 = reply["AssociationId"]
    assert a1.startswith("rtbassoc-")
    assert reply["AssociationState"] == {"State": "associated"}
    assert table(ec2, rtb)["Associations"] == [{
        "Main": False, "RouteTableAssociationId": a1, "RouteTableId": rtb, "SubnetId": sn1,
        "AssociationState": {"State": "associated"}}]
    # Terraform's aws_route_table_association waiter.
    found = ec2.describe_route_tables(Filters=[
        {"Name": "association.route-table-association-id", "Values": [a1]}])["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [rtb]
    expect_error("Resource.AlreadyAssociated", ec2.associate_route_table, RouteTableId=rtb,
                 SubnetId=sn1)
    expect_error("Resource.AlreadyAssociated", ec2.associate_route_table, RouteTableId=main,
                 SubnetId=sn1)
    default_sn = ec2.describe_subnets(Filters=[
        {"Name": "default-for-az", "Values": ["true"]}])["Subnets"][0]["SubnetId"]
    expect_error("InvalidParameterValue", ec2.associate_route_table, RouteTableId=rtb,
                 SubnetId=default_sn)
    expect_error("InvalidSubnetID.NotFound", ec2.associate_route_table, RouteTableId=rtb,
                 SubnetId="subnet-" + Z17)
    expect_error("MissingParameter", ec2.associate_route_table, RouteTableId=rtb)
    expect_error("InvalidParameterCombination", ec2.associate_route_table, RouteTableId=rtb,
                 SubnetId=net["sn2"], GatewayId=net["igw"])
    expect_error("DependencyViolation", ec2.delete_route_table, RouteTableId=rtb)
    expect_error("DependencyViolation", ec2.delete_route_table, RouteTableId=main)

    reply = ec2.replace_route_table_association(AssociationId=a1, RouteTableId=main)
    a2 = reply["NewAssociationId"]
    assert a2 != a1 and reply["AssociationState"] == {"State": "associated"}
    found = ec2.describe_route_tables(Filters=[
        {"Name": "association.subnet-id", "Values": [sn1]}])["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [main]
    expect_error("InvalidAssociationID.NotFound", ec2.disassociate_route_table, AssociationId=a1)
    ec2.disassociate_route_table(AssociationId=a2)
    assert ec2.describe_route_tables(Filters=[
        {"Name": "association.subnet-id", "Values": [sn1]}])["RouteTables"] == []
    main_assoc = table(ec2, main)["Associations"][0]["RouteTableAssociationId"]
    expect_error("InvalidParameterValue", ec2.disassociate_route_table, AssociationId=main_assoc)
    expect_error("InvalidAssociationID.NotFound", ec2.disassociate_route_table,
                 AssociationId="rtbassoc-" + Z17)
    assert table(ec2, rtb)["Associations"] == []


def test_gateway_association(net):
    ec2 = net["ec2"]
    edge = ec2.create_route_table(VpcId=net["vpc"])["RouteTable"]["RouteTableId"]
    reply = ec2.associate_route_table(RouteTableId=edge, GatewayId=net["igw"])
    assoc = table(ec2, edge)["Associations"]
    assert assoc == [{"Main": False, "RouteTableAssociationId": reply["AssociationId"],
                      "RouteTableId": edge, "GatewayId": net["igw"],
                      "AssociationState": {"State": "associated"}}]
    found = ec2.describe_route_tables(Filters=[
        {"Name": "association.gateway-id", "Values": [net["igw"]]}])["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [edge]
    expect_error("Resource.AlreadyAssociated", ec2.associate_route_table, RouteTableId=edge,
                 GatewayId=net["igw"])
    expect_error("InvalidParameterValue", ec2.associate_route_table, RouteTableId=edge,
                 SubnetId=net["sn2"])
    expect_error("InvalidParameterValue", ec2.create_route, RouteTableId=edge,
                 DestinationCidrBlock="0.0.0.0/0", GatewayId=net["igw"])
    ec2.disassociate_route_table(AssociationId=reply["AssociationId"])
    expect_error("InvalidParameterValue", ec2.associate_route_table, RouteTableId=net["rtb"],
                 GatewayId=net["igw"])
    expect_error("InvalidParameterValue", ec2.associate_route_table, RouteTableId=net["main"],
                 GatewayId=net["igw"])
    expect_error("InvalidParameterValue", ec2.associate_route_table, RouteTableId=edge,
                 GatewayId=net["loose"])
    ec2.delete_route_table(RouteTableId=edge)


def test_blackhole_after_detach(net):
    ec2 = net["ec2"]
    ec2.detach_internet_gateway(InternetGatewayId=net["igw"], VpcId=net["vpc"])
    try:
        assert route_to(ec2, net["rtb"], DestinationCidrBlock="0.0.0.0/0")[0]["State"] == "blackhole"
        found = ec2.describe_route_tables(Filters=[
            {"Name": "route.state", "Values": ["blackhole"]}])["RouteTables"]
        assert [t["RouteTableId"] for t in found] == [net["rtb"]]
    finally:
        ec2.attach_internet_gateway(InternetGatewayId=net["igw"], VpcId=net["vpc"])
    assert route_to(ec2, net["rtb"], DestinationCidrBlock="0.0.0.0/0")[0]["State"] == "active"
    # A route to a deleted egress-only gateway is a blackhole too.
    ec2.create_route(RouteTableId=net["rtb"], DestinationIpv6CidrBlock="2600::/16",
                     EgressOnlyInternetGatewayId=net["eigw"])
    ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=net["eigw"])
    assert route_to(ec2, net["rtb"], DestinationIpv6CidrBlock="2600::/16")[0]["State"] == "blackhole"
    ec2.delete_route(RouteTableId=net["rtb"], DestinationIpv6CidrBlock="2600::/16")
    net["eigw"] = ec2.create_egress_only_internet_gateway(VpcId=net["vpc"])[
        "EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]


FILTERS = [
    ("route-table-id", "$rtb", ["$rtb"]),
    ("route.destination-cidr-block", "0.0.0.0/0", ["$rtb"]),
    ("route.gateway-id", "$igw", ["$rtb"]),
    ("route.gateway-id", "local", ["$main", "$rtb"]),
    ("route.origin", "CreateRoute", ["$rtb"]),
    ("route.origin", "CreateRouteTable", ["$main", "$rtb"]),
    ("route.state", "active", ["$main", "$rtb"]),
    ("association.main", "true", ["$main"]),
    ("owner-id", "000000000000", ["$main", "$rtb"]),
    ("route.nat-gateway-id", "nat-" + Z17, []),
    ("route.transit-gateway-id", "tgw-*", []),
    ("route.vpc-peering-connection-id", "pcx-*", []),
    ("route.instance-id", "i-*", []),
    ("route.egress-only-internet-gateway-id", "eigw-*", []),
    ("route.destination-ipv6-cidr-block", "::/0", []),
    ("route.destination-prefix-list-id", "pl-*", []),
    ("association.subnet-id", "subnet-*", []),
    ("association.route-table-id", "$main", ["$main"]),
]


@pytest.mark.parametrize("name,value,want", FILTERS)
def test_filters(net, name, value, want):
    ec2 = net["ec2"]
    sub = lambda v: net[v[1:]] if v.startswith("$") else v  # noqa: E731
    found = ec2.describe_route_tables(Filters=[
        {"Name": name, "Values": [sub(value)]},
        {"Name": "vpc-id", "Values": [net["vpc"]]}])["RouteTables"]
    assert sorted(t["RouteTableId"] for t in found) == sorted(sub(w) for w in want)


def test_unknown_filter(net):
    expect_error("InvalidParameterValue", net["ec2"].describe_route_tables,
                 Filters=[{"Name": "route.bogus", "Values": ["x"]}])


def test_tag_filters(vpcd):
    ec2 = vpcd.client(region="sa-east-1")
    vpc = make_vpc(ec2)
    rtb = ec2.create_route_table(VpcId=vpc, TagSpecifications=[
        {"ResourceType": "route-table", "Tags": [{"Key": "tier", "Value": "db"}]}])[
        "RouteTable"]["RouteTableId"]
    for f in ({"Name": "tag:tier", "Values": ["db"]}, {"Name": "tag-key", "Values": ["tier"]}):
        assert [t["RouteTableId"] for t in ec2.describe_route_tables(Filters=[f])["RouteTables"]] \
            == [rtb]
    expect_error("InvalidParameterValue", ec2.create_route_table, VpcId=vpc, TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}])


def test_replace_main_association(vpcd):
    ec2 = vpcd.client(region="ca-central-1")
    vpc = make_vpc(ec2)
    old_main = main_table(ec2, vpc)
    old_assoc = old_main["Associations"][0]["RouteTableAssociationId"]
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    reply = ec2.replace_route_table_association(AssociationId=old_assoc, RouteTableId=rtb)
    new_assoc = reply["NewAssociationId"]
    assert new_assoc.startswith("rtbassoc-") and new_assoc != old_assoc
    assert reply["AssociationState"] == {"State": "associated"}
    new_main = main_table(ec2, vpc)
    assert new_main["RouteTableId"] == rtb
    assert new_main["Associations"] == [{
        "Main": True, "RouteTableAssociationId": new_assoc, "RouteTableId": rtb,
        "AssociationState": {"State": "associated"}}]
    assert table(ec2, old_main["RouteTableId"])["Associations"] == []
    expect_error("DependencyViolation", ec2.delete_route_table, RouteTableId=rtb)
    ec2.delete_route_table(RouteTableId=old_main["RouteTableId"])
    # A table of another VPC cannot take the association; the VPC can still be deleted with
    # its new main table.
    other = make_vpc(ec2, "10.1.0.0/16")
    foreign = ec2.create_route_table(VpcId=other)["RouteTable"]["RouteTableId"]
    expect_error("InvalidParameterValue", ec2.replace_route_table_association,
                 AssociationId=new_assoc, RouteTableId=foreign)
    ec2.delete_route_table(RouteTableId=foreign)
    ec2.delete_vpc(VpcId=other)
    ec2.delete_vpc(VpcId=vpc)
    expect_error("InvalidRouteTableID.NotFound", ec2.describe_route_tables, RouteTableIds=[rtb])


def test_local_routes_follow_vpc_cidrs(vpcd):
    ec2 = vpcd.client(region="eu-central-1")
    vpc = make_vpc(ec2)
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    main = main_table(ec2, vpc)["RouteTableId"]
    assoc = ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="10.1.0.0/16")[
        "CidrBlockAssociation"]["AssociationId"]
    for t in (rtb, main):
        assert route_to(ec2, t, DestinationCidrBlock="10.1.0.0/16") == [
            {"DestinationCidrBlock": "10.1.0.0/16", "GatewayId": "local",
             "Origin": "CreateRouteTable", "State": "active"}]
    expect_error("InvalidParameterValue", ec2.delete_route, RouteTableId=rtb,
                 DestinationCidrBlock="10.1.0.0/16")
    ec2.disassociate_vpc_cidr_block(AssociationId=assoc)
    assert route_to(ec2, rtb, DestinationCidrBlock="10.1.0.0/16") == []
    v6 = ec2.associate_vpc_cidr_block(VpcId=vpc, AmazonProvidedIpv6CidrBlock=True)[
        "Ipv6CidrBlockAssociation"]
    for t in (rtb, main):
        assert route_to(ec2, t, DestinationIpv6CidrBlock=v6["Ipv6CidrBlock"]) == [
            {"DestinationIpv6CidrBlock": v6["Ipv6CidrBlock"], "GatewayId": "local",
             "Origin": "CreateRouteTable", "State": "active"}]
    # New tables start with every local route.
    fresh = ec2.create_route_table(VpcId=vpc)["RouteTable"]
    assert [r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock")
            for r in fresh["Routes"]] == ["10.0.0.0/16", v6["Ipv6CidrBlock"]]
    ec2.delete_route_table(RouteTableId=fresh["RouteTableId"])


def test_vgw_propagation(net):
    ec2 = net["ec2"]
    for fn in (ec2.enable_vgw_route_propagation, ec2.disable_vgw_route_propagation):
        expect_error("InvalidVpnGatewayID.NotFound", fn, RouteTableId=net["rtb"],
                     GatewayId="vgw-" + Z17)
        expect_error("InvalidRouteTableID.NotFound", fn, RouteTableId="rtb-" + Z17,
                     GatewayId="vgw-" + Z17)


def test_paging(vpcd):
    ec2 = vpcd.client(region="us-west-2")
    vpc = make_vpc(ec2)
    made = [ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"] for _ in range(6)]
    everything = [t["RouteTableId"] for t in ec2.describe_route_tables()["RouteTables"]]
    assert len(everything) == 2 + 6  # two main tables (default VPC and ours) + 6
    assert everything[-6:] == made
    page = ec2.describe_route_tables(MaxResults=5)
    assert len(page["RouteTables"]) == 5 and page["NextToken"]
    seen = [t["RouteTableId"] for t in page["RouteTables"]]
    while page.get("NextToken"):
        page = ec2.describe_route_tables(MaxResults=5, NextToken=page["NextToken"])
        seen += [t["RouteTableId"] for t in page["RouteTables"]]
    assert seen == everything
    paged = [t["RouteTableId"] for p in ec2.get_paginator("describe_route_tables").paginate(
        PaginationConfig={"PageSize": 5}) for t in p["RouteTables"]]
    assert paged == everything
    key, secret = ACCOUNTS["000000000000"]
    raw = boto3.client("ec2", endpoint_url=vpcd.endpoint, region_name="us-west-2",
                       aws_access_key_id=key, aws_secret_access_key=secret,
                       config=botocore.config.Config(parameter_validation=False,
                                                     retries={"max_attempts": 1}))
    for bad in (4, 101):
        expect_error("InvalidParameterValue", raw.describe_route_tables, MaxResults=bad)
    expect_error("InvalidParameterCombination", ec2.describe_route_tables, MaxResults=5,
                 RouteTableIds=[made[0]])


def test_client_token_is_idempotent(vpcd):
    ec2 = vpcd.client(region="eu-north-1")
    vpc = make_vpc(ec2)
    other = make_vpc(ec2, "10.1.0.0/16")
    state = {}

    def add_token(params, **_):
        # botocore's model here predates CreateRouteTable's ClientToken: add it on the wire.
        params["body"]["ClientToken"] = state["token"]

    ec2.meta.events.register("before-call.ec2.CreateRouteTable", add_token)
    state["token"] = "tok-1"
    first = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    again = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    assert again == first
    expect_error("IdempotentParameterMismatch", ec2.create_route_table, VpcId=other)
    state["token"] = "tok-2"
    assert ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"] != first


def test_other_account_sees_nothing(vpcd, net):
    other = vpcd.client(account="111111111111", region="ap-southeast-2")
    rtb = net["rtb"]
    expect_error("InvalidRouteTableID.NotFound", other.describe_route_tables, RouteTableIds=[rtb])
    assert other.describe_route_tables(Filters=[
        {"Name": "route-table-id", "Values": [rtb]}])["RouteTables"] == []
    expect_error("InvalidRouteTableID.NotFound", other.create_route, RouteTableId=rtb,
                 DestinationCidrBlock="10.8.0.0/16", GatewayId=net["igw"])
    expect_error("InvalidRouteTableID.NotFound", other.delete_route, RouteTableId=rtb,
                 DestinationCidrBlock="0.0.0.0/0")
    expect_error("InvalidRouteTableID.NotFound", other.delete_route_table, RouteTableId=rtb)
    expect_error("InvalidRouteTableID.NotFound", other.associate_route_table, RouteTableId=rtb,
                 SubnetId=net["sn2"])
    expect_error("InvalidVpcID.NotFound", other.create_route_table, VpcId=net["vpc"])
    main_assoc = table(net["ec2"], net["main"])["Associations"][0]["RouteTableAssociationId"]
    expect_error("InvalidAssociationID.NotFound", other.disassociate_route_table,
                 AssociationId=main_assoc)
    own = other.describe_route_tables()["RouteTables"]
    assert [t["OwnerId"] for t in own] == ["111111111111"]
    # Its own default VPC's table cannot route to the first account's gateway either.
    expect_error("InvalidInternetGatewayID.NotFound", other.create_route,
                 RouteTableId=own[0]["RouteTableId"], DestinationCidrBlock="10.8.0.0/16",
                 GatewayId=net["igw"])


def test_state_survives_restart(vpcd, net):
    """Runs last: restarts the daemon and expects every table exactly as before."""
    ec2 = net["ec2"]
    sn_assoc = ec2.associate_route_table(RouteTableId=net["rtb"], SubnetId=net["sn2"])
    ec2.create_route(RouteTableId=net["rtb"], DestinationIpv6CidrBlock="::/0",
                     EgressOnlyInternetGatewayId=net["eigw"])
    before = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [net["vpc"]]}])
    vpcd.stop()
    vpcd.start()
    after = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [net["vpc"]]}])
    assert after["RouteTables"] == before["RouteTables"]
    ec2.disassociate_route_table(AssociationId=sn_assoc["AssociationId"])


def test_prefix_list_route_counts_its_max_entries(vpcd):
    """AWS counts a prefix-list route as the list's MaxEntries against the 50-route quota."""
    ec2 = vpcd.client(region="sa-east-1")
    vpc = make_vpc(ec2, "10.9.0.0/16")
    igw = attached_igw(ec2, vpc)
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    pl = ec2.create_managed_prefix_list(PrefixListName="weighty", AddressFamily="IPv4",
                                        MaxEntries=45)["PrefixList"]["PrefixListId"]
    ec2.create_route(RouteTableId=rtb, DestinationPrefixListId=pl, GatewayId=igw)
    for i in range(5):
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock=f"198.51.100.{i * 8}/29",
                         GatewayId=igw)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="198.51.100.64/29", GatewayId=igw)
    assert error_code(e) == "RouteLimitExceeded"
    # IPv6 routes count separately.
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock="2001:db8::/32", GatewayId=igw)
