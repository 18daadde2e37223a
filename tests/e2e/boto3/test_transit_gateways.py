"""Transit gateways through boto3: route search semantics, propagation, restart, cross-account."""
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import Vpcd, error_code


def err(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    return error_code(e)


def message(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    return e.value.response["Error"]["Message"]


def no_defaults_tgw(ec2):
    return ec2.create_transit_gateway(Options={
        "DefaultRouteTableAssociation": "disable",
        "DefaultRouteTablePropagation": "disable"})["TransitGateway"]["TransitGatewayId"]


def vpc_with_subnet(ec2, cidr, subnet_cidr, az):
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    sn = ec2.create_subnet(VpcId=vpc, CidrBlock=subnet_cidr, AvailabilityZone=az)
    return vpc, sn["Subnet"]["SubnetId"]


def attach(ec2, tgw, vpc, subnets):
    return ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw, VpcId=vpc, SubnetIds=subnets
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]


def search(ec2, rtb, *filters, **kw):
    out = ec2.search_transit_gateway_routes(
        TransitGatewayRouteTableId=rtb,
        Filters=[{"Name": n, "Values": v if isinstance(v, list) else [v]} for n, v in filters],
        **kw)
    return out


def cidrs(ec2, rtb, *filters):
    return [r["DestinationCidrBlock"] for r in search(ec2, rtb, *filters)["Routes"]]


@pytest.fixture(scope="module")
def hub(vpcd):
    """us-east-1: a TGW without defaults, one table, one VPC attachment, overlapping routes."""
    ec2 = vpcd.client()
    tgw = no_defaults_tgw(ec2)
    rtb = ec2.create_transit_gateway_route_table(
        TransitGatewayId=tgw)["TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
    vpc, sn = vpc_with_subnet(ec2, "10.50.0.0/16", "10.50.1.0/24", "us-east-1a")
    att = attach(ec2, tgw, vpc, [sn])
    ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=rtb,
                                              TransitGatewayAttachmentId=att)
    for cidr in ["10.0.1.0/29", "10.0.1.0/31", "10.0.0.0/16", "10.0.1.0/24", "10.0.1.4/30"]:
        ec2.create_transit_gateway_route(TransitGatewayRouteTableId=rtb, DestinationCidrBlock=cidr,
                                         TransitGatewayAttachmentId=att)
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=rtb,
                                     DestinationCidrBlock="192.168.0.0/16", Blackhole=True)
    return {"tgw": tgw, "rtb": rtb, "vpc": vpc, "subnet": sn, "att": att}


def test_doc_example_supernet(ec2, hub):
    """The API reference's example: /29 and /31 in a table, supernet-of 10.0.1.0/30 -> /29."""
    rtb = ec2.create_transit_gateway_route_table(
        TransitGatewayId=hub["tgw"])["TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
    for cidr in ["10.0.1.0/29", "10.0.1.0/31"]:
        ec2.create_transit_gateway_route(TransitGatewayRouteTableId=rtb, DestinationCidrBlock=cidr,
                                         TransitGatewayAttachmentId=hub["att"])
    assert cidrs(ec2, rtb, ("route-search.supernet-of-match", "10.0.1.0/30")) == ["10.0.1.0/29"]
    assert cidrs(ec2, rtb, ("route-search.subnet-of-match", "10.0.1.0/30")) == ["10.0.1.0/31"]


def test_route_search_filters(ec2, hub):
    rtb = hub["rtb"]
    assert cidrs(ec2, rtb, ("route-search.exact-match", "10.0.1.0/24")) == ["10.0.1.0/24"]
    assert cidrs(ec2, rtb, ("route-search.exact-match", "10.0.1.0/25")) == []
    assert cidrs(ec2, rtb, ("route-search.exact-match", ["10.0.1.0/31", "192.168.0.0/16"])) == [
        "10.0.1.0/31", "192.168.0.0/16"]
    assert cidrs(ec2, rtb, ("route-search.supernet-of-match", "10.0.1.0/30")) == [
        "10.0.0.0/16", "10.0.1.0/24", "10.0.1.0/29"]
    assert cidrs(ec2, rtb, ("route-search.subnet-of-match", "10.0.1.0/28")) == [
        "10.0.1.0/29", "10.0.1.0/31", "10.0.1.4/30"]
    assert cidrs(ec2, rtb, ("route-search.subnet-of-match", "10.0.0.0/8")) == [
        "10.0.0.0/16", "10.0.1.0/24", "10.0.1.0/29", "10.0.1.0/31", "10.0.1.4/30"]
    assert cidrs(ec2, rtb, ("route-search.longest-prefix-match", "10.0.1.1/32")) == ["10.0.1.0/31"]
    assert cidrs(ec2, rtb, ("route-search.longest-prefix-match", "10.0.1.5/32")) == ["10.0.1.4/30"]
    assert cidrs(ec2, rtb, ("route-search.longest-prefix-match", "10.0.1.200/32")) == [
        "10.0.1.0/24"]
    assert cidrs(ec2, rtb, ("route-search.longest-prefix-match", "10.0.9.9/32")) == ["10.0.0.0/16"]
    assert cidrs(ec2, rtb, ("route-search.longest-prefix-match", "172.16.0.1/32")) == []
    # Filters combine with AND; values of one filter with OR.
    assert cidrs(ec2, rtb, ("state", "blackhole")) == ["192.168.0.0/16"]
    assert cidrs(ec2, rtb, ("type", "static"), ("state", "active"),
                 ("route-search.supernet-of-match", "10.0.1.0/29")) == [
        "10.0.0.0/16", "10.0.1.0/24", "10.0.1.0/29"]
    assert cidrs(ec2, rtb, ("attachment.transit-gateway-attachment-id", hub["att"]),
                 ("route-search.subnet-of-match", "10.0.1.0/30")) == ["10.0.1.0/31"]
    assert cidrs(ec2, rtb, ("attachment.resource-id", hub["vpc"]),
                 ("route-search.exact-match", "10.0.0.0/16")) == ["10.0.0.0/16"]
    assert cidrs(ec2, rtb, ("attachment.resource-type", "peering")) == []
    assert cidrs(ec2, rtb, ("prefix-list-id", "pl-0123456789abcdef0")) == []
    assert cidrs(ec2, rtb, ("type", "propagated")) == []
    routes = search(ec2, rtb, ("route-search.exact-match", "10.0.1.0/31"))["Routes"]
    assert routes == [{"DestinationCidrBlock": "10.0.1.0/31", "Type": "static", "State": "active",
                       "TransitGatewayAttachments": [{
                           "ResourceId": hub["vpc"], "ResourceType": "vpc",
                           "TransitGatewayAttachmentId": hub["att"]}]}]
    blackhole = search(ec2, rtb, ("state", "blackhole"))["Routes"][0]
    assert "TransitGatewayAttachments" not in blackhole


def test_route_search_paging_and_errors(ec2, hub):
    rtb = hub["rtb"]
    out = search(ec2, rtb, ("type", "static"), MaxResults=5)
    assert len(out["Routes"]) == 5 and out["AdditionalRoutesAvailable"] is True
    out = search(ec2, rtb, ("type", "static"), MaxResults=6)
    assert len(out["Routes"]) == 6 and out["AdditionalRoutesAvailable"] is False
    assert err(ec2.search_transit_gateway_routes, TransitGatewayRouteTableId=rtb,
               Filters=[{"Name": "colour", "Values": ["red"]}]) == "InvalidParameterValue"
    assert err(ec2.search_transit_gateway_routes, TransitGatewayRouteTableId=rtb,
               Filters=[{"Name": "route-search.exact-match", "Values": ["10.0.0.0/33"]}]
               ) == "InvalidParameterValue"
    assert err(ec2.search_transit_gateway_routes, TransitGatewayRouteTableId=rtb,
               Filters=[{"Name": "type", "Values": ["static"]}], MaxResults=1001
               ) == "InvalidParameterValue"
    assert err(ec2.search_transit_gateway_routes,
               TransitGatewayRouteTableId="tgw-rtb-0123456789abcdef0",
               Filters=[{"Name": "type", "Values": ["static"]}]) == "InvalidRouteTableID.NotFound"


def test_describe_paging(ec2, hub):
    made = [ec2.create_transit_gateway_route_table(TransitGatewayId=hub["tgw"])[
        "TransitGatewayRouteTable"]["TransitGatewayRouteTableId"] for _ in range(5)]
    flt = [{"Name": "transit-gateway-id", "Values": [hub["tgw"]]}]
    everything = [t["TransitGatewayRouteTableId"] for t in ec2.describe_transit_gateway_route_tables(
        Filters=flt)["TransitGatewayRouteTables"]]
    assert everything[-5:] == made and len(everything) >= 6
    page1 = ec2.describe_transit_gateway_route_tables(Filters=flt, MaxResults=5)
    page2 = ec2.describe_transit_gateway_route_tables(Filters=flt, MaxResults=5,
                                                      NextToken=page1["NextToken"])
    got = [t["TransitGatewayRouteTableId"] for p in (page1, page2)
           for t in p["TransitGatewayRouteTables"]]
    assert got == everything[:10]
    assert err(ec2.describe_transit_gateways, MaxResults=5,
               TransitGatewayIds=[hub["tgw"]]) == "InvalidParameterCombination"
    arn = ec2.describe_transit_gateways(TransitGatewayIds=[hub["tgw"]])["TransitGateways"][0][
        "TransitGatewayArn"]
    assert arn == f"arn:aws:ec2:us-east-1:000000000000:transit-gateway/{hub['tgw']}"
    for rtb in made:
        out = ec2.delete_transit_gateway_route_table(TransitGatewayRouteTableId=rtb)
        assert out["TransitGatewayRouteTable"]["State"] == "deleting"
    assert err(ec2.delete_transit_gateway_route_table, TransitGatewayRouteTableId=made[0]) == \
        "InvalidRouteTableID.NotFound"


def test_static_route_edits(ec2, hub):
    rtb = hub["rtb"]
    r = ec2.replace_transit_gateway_route(TransitGatewayRouteTableId=rtb,
                                          DestinationCidrBlock="192.168.0.0/16",
                                          TransitGatewayAttachmentId=hub["att"])["Route"]
    assert (r["State"], r["Type"]) == ("active", "static")
    r = ec2.replace_transit_gateway_route(TransitGatewayRouteTableId=rtb,
                                          DestinationCidrBlock="192.168.0.0/16",
                                          Blackhole=True)["Route"]
    assert r["State"] == "blackhole"
    assert err(ec2.replace_transit_gateway_route, TransitGatewayRouteTableId=rtb,
               DestinationCidrBlock="172.31.0.0/16", Blackhole=True) == "InvalidRoute.NotFound"
    assert err(ec2.delete_transit_gateway_route, TransitGatewayRouteTableId=rtb,
               DestinationCidrBlock="172.31.0.0/16") == "InvalidRoute.NotFound"
    assert err(ec2.create_transit_gateway_route, TransitGatewayRouteTableId=rtb,
               DestinationCidrBlock="172.31.0.0/16", Blackhole=True,
               TransitGatewayAttachmentId=hub["att"]) == "InvalidParameterCombination"
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=rtb,
                                     DestinationCidrBlock="2001:db8::/32", Blackhole=True)
    assert cidrs(ec2, rtb, ("route-search.exact-match", "2001:db8::/32")) == ["2001:db8::/32"]
    r = ec2.delete_transit_gateway_route(TransitGatewayRouteTableId=rtb,
                                         DestinationCidrBlock="2001:db8::/32")["Route"]
    assert (r["DestinationCidrBlock"], r["State"]) == ("2001:db8::/32", "deleted")


def test_propagation_follows_vpc(vpcd):
    ec2 = vpcd.client(region="us-west-2")
    tgw = no_defaults_tgw(ec2)
    rtb = ec2.create_transit_gateway_route_table(
        TransitGatewayId=tgw)["TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
    vpc, sn = vpc_with_subnet(ec2, "10.60.0.0/16", "10.60.1.0/24", "us-west-2a")
    att = attach(ec2, tgw, vpc, [sn])
    everything = ("state", ["active", "blackhole"])
    assert cidrs(ec2, rtb, everything) == []
    ec2.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=rtb,
                                                       TransitGatewayAttachmentId=att)
    routes = search(ec2, rtb, everything)["Routes"]
    assert [(r["DestinationCidrBlock"], r["Type"], r["State"]) for r in routes] == [
        ("10.60.0.0/16", "propagated", "active")]
    assoc = ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="10.61.0.0/16")
    assoc_id = assoc["CidrBlockAssociation"]["AssociationId"]
    assert cidrs(ec2, rtb, ("type", "propagated")) == ["10.60.0.0/16", "10.61.0.0/16"]
    ec2.disassociate_vpc_cidr_block(AssociationId=assoc_id)
    assert cidrs(ec2, rtb, ("type", "propagated")) == ["10.60.0.0/16"]

    # A static route hides the propagated one with the same prefix until it is removed.
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=rtb,
                                     DestinationCidrBlock="10.60.0.0/16", Blackhole=True)
    routes = search(ec2, rtb, everything)["Routes"]
    assert [(r["DestinationCidrBlock"], r["Type"], r["State"]) for r in routes] == [
        ("10.60.0.0/16", "static", "blackhole")]
    ec2.delete_transit_gateway_route(TransitGatewayRouteTableId=rtb,
                                     DestinationCidrBlock="10.60.0.0/16")
    assert [(r["Type"], r["State"]) for r in search(ec2, rtb, everything)["Routes"]] == [
        ("propagated", "active")]

    # A second VPC with the same CIDR does not propagate over the first.
    vpc2, sn2 = vpc_with_subnet(ec2, "10.60.0.0/16", "10.60.1.0/24", "us-west-2b")
    att2 = attach(ec2, tgw, vpc2, [sn2])
    ec2.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=rtb,
                                                       TransitGatewayAttachmentId=att2)
    routes = search(ec2, rtb, everything)["Routes"]
    assert [(r["DestinationCidrBlock"], r["TransitGatewayAttachments"][0]["TransitGatewayAttachmentId"])
            for r in routes] == [("10.60.0.0/16", att)]
    props = ec2.get_transit_gateway_route_table_propagations(
        TransitGatewayRouteTableId=rtb)["TransitGatewayRouteTablePropagations"]
    assert [p["TransitGatewayAttachmentId"] for p in props] == [att, att2]

    # Disabling the first lets the second's route through; disabling both empties the table.
    ec2.disable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=rtb,
                                                        TransitGatewayAttachmentId=att)
    routes = search(ec2, rtb, everything)["Routes"]
    assert [r["TransitGatewayAttachments"][0]["ResourceId"] for r in routes] == [vpc2]
    ec2.disable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=rtb,
                                                        TransitGatewayAttachmentId=att2)
    assert cidrs(ec2, rtb, everything) == []
    assert err(ec2.disable_transit_gateway_route_table_propagation, TransitGatewayRouteTableId=rtb,
               TransitGatewayAttachmentId=att2) == "TransitGatewayRouteTablePropagation.NotFound"

    # A deleted attachment stops propagating and its static routes turn blackhole.
    ec2.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=rtb,
                                                       TransitGatewayAttachmentId=att)
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=rtb,
                                     DestinationCidrBlock="0.0.0.0/0",
                                     TransitGatewayAttachmentId=att)
    ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=att)
    routes = search(ec2, rtb, everything)["Routes"]
    assert [(r["DestinationCidrBlock"], r["Type"], r["State"]) for r in routes] == [
        ("0.0.0.0/0", "static", "blackhole")]


def test_restart_keeps_everything(vpcd, hub):
    ec2 = vpcd.client()
    before_routes = search(ec2, hub["rtb"], ("state", ["active", "blackhole"]))["Routes"]
    before_tgw = ec2.describe_transit_gateways(TransitGatewayIds=[hub["tgw"]])["TransitGateways"]
    before_att = ec2.describe_transit_gateway_vpc_attachments(
        TransitGatewayAttachmentIds=[hub["att"]])["TransitGatewayVpcAttachments"]
    before_all = ec2.describe_transit_gateway_attachments()["TransitGatewayAttachments"]
    before_rtbs = ec2.describe_transit_gateway_route_tables()["TransitGatewayRouteTables"]
    vpcd.kill()
    vpcd.start()
    ec2 = vpcd.client()
    assert search(ec2, hub["rtb"], ("state", ["active", "blackhole"]))["Routes"] == before_routes
    assert ec2.describe_transit_gateways(TransitGatewayIds=[hub["tgw"]])["TransitGateways"] == \
        before_tgw
    assert ec2.describe_transit_gateway_vpc_attachments(
        TransitGatewayAttachmentIds=[hub["att"]])["TransitGatewayVpcAttachments"] == before_att
    assert ec2.describe_transit_gateway_attachments()["TransitGatewayAttachments"] == before_all
    assert ec2.describe_transit_gateway_route_tables()["TransitGatewayRouteTables"] == before_rtbs
    assocs = ec2.get_transit_gateway_route_table_associations(
        TransitGatewayRouteTableId=hub["rtb"])["Associations"]
    assert [(a["TransitGatewayAttachmentId"], a["State"]) for a in assocs] == [
        (hub["att"], "associated")]
    enis = ec2.describe_network_interfaces(
        Filters=[{"Name": "subnet-id", "Values": [hub["subnet"]]}])["NetworkInterfaces"]
    assert [e["InterfaceType"] for e in enis] == ["transit_gateway"]


def test_cross_account_attachment(vpcd):
    owner = vpcd.client(account="111111111111")
    spoke = vpcd.client(account="222222222222")
    tgw = owner.create_transit_gateway(Description="shared")["TransitGateway"]
    tgw_id = tgw["TransitGatewayId"]
    default_rtb = owner.describe_transit_gateways(TransitGatewayIds=[tgw_id])[
        "TransitGateways"][0]["Options"]["AssociationDefaultRouteTableId"]
    # No RAM in vpcd: a TGW of the Region is attachable by id but not describable by others.
    assert err(spoke.describe_transit_gateways, TransitGatewayIds=[tgw_id]) == \
        "InvalidTransitGatewayID.NotFound"
    vpc, sn = vpc_with_subnet(spoke, "10.70.0.0/16", "10.70.1.0/24", "us-east-1a")
    att = spoke.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=vpc,
                                                      SubnetIds=[sn])["TransitGatewayVpcAttachment"]
    assert (att["State"], att["VpcOwnerId"]) == ("pendingAcceptance", "222222222222")
    att_id = att["TransitGatewayAttachmentId"]
    seen = owner.describe_transit_gateway_attachments(
        Filters=[{"Name": "resource-owner-id", "Values": ["222222222222"]}])[
        "TransitGatewayAttachments"]
    assert [(a["TransitGatewayAttachmentId"], a["State"], a["TransitGatewayOwnerId"],
             a["ResourceId"]) for a in seen] == [(att_id, "pendingAcceptance", "111111111111", vpc)]
    # Only the TGW owner accepts; nothing is associated or propagated before that.
    assert err(spoke.accept_transit_gateway_vpc_attachment,
               TransitGatewayAttachmentId=att_id) == "InvalidParameterValue"
    assert search(owner, default_rtb, ("type", "propagated"))["Routes"] == []
    assert err(owner.associate_transit_gateway_route_table, TransitGatewayRouteTableId=default_rtb,
               TransitGatewayAttachmentId=att_id) == "IncorrectState"
    rtb_main = spoke.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "RouteTables"][0]["RouteTableId"]
    spoke.create_route(RouteTableId=rtb_main, DestinationCidrBlock="10.0.0.0/8",
                       TransitGatewayId=tgw_id)
    route = [r for r in spoke.describe_route_tables(RouteTableIds=[rtb_main])["RouteTables"][0][
        "Routes"] if r["DestinationCidrBlock"] == "10.0.0.0/8"][0]
    assert route["State"] == "blackhole"  # until the owner accepts

    out = owner.accept_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=att_id)
    assert out["TransitGatewayVpcAttachment"]["State"] == "pending"
    assert spoke.describe_transit_gateway_vpc_attachments(
        TransitGatewayAttachmentIds=[att_id])["TransitGatewayVpcAttachments"][0]["State"] == \
        "available"
    assert err(owner.accept_transit_gateway_vpc_attachment,
               TransitGatewayAttachmentId=att_id) == "IncorrectState"
    routes = search(owner, default_rtb, ("type", "propagated"))["Routes"]
    assert [(r["DestinationCidrBlock"], r["TransitGatewayAttachments"][0]["ResourceId"])
            for r in routes] == [("10.70.0.0/16", vpc)]
    assocs = owner.get_transit_gateway_route_table_associations(
        TransitGatewayRouteTableId=default_rtb,
        Filters=[{"Name": "transit-gateway-attachment-id", "Values": [att_id]}])["Associations"]
    assert [a["ResourceId"] for a in assocs] == [vpc]
    route = [r for r in spoke.describe_route_tables(RouteTableIds=[rtb_main])["RouteTables"][0][
        "Routes"] if r["DestinationCidrBlock"] == "10.0.0.0/8"][0]
    assert (route["TransitGatewayId"], route["State"]) == (tgw_id, "active")

    # Rejection, and auto-accept.
    vpc2, sn2 = vpc_with_subnet(spoke, "10.71.0.0/16", "10.71.1.0/24", "us-east-1b")
    att2 = attach(spoke, tgw_id, vpc2, [sn2])
    out = owner.reject_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=att2)
    assert out["TransitGatewayVpcAttachment"]["State"] == "rejecting"
    assert spoke.describe_transit_gateway_vpc_attachments(
        TransitGatewayAttachmentIds=[att2])["TransitGatewayVpcAttachments"][0]["State"] == "rejected"
    assert spoke.describe_network_interfaces(
        Filters=[{"Name": "vpc-id", "Values": [vpc2]}])["NetworkInterfaces"] == []
    auto = owner.create_transit_gateway(Options={"AutoAcceptSharedAttachments": "enable"})[
        "TransitGateway"]["TransitGatewayId"]
    att3 = spoke.create_transit_gateway_vpc_attachment(TransitGatewayId=auto, VpcId=vpc2,
                                                       SubnetIds=[sn2])["TransitGatewayVpcAttachment"]
    assert att3["State"] == "pending"
    assert spoke.describe_transit_gateway_vpc_attachments(
        TransitGatewayAttachmentIds=[att3["TransitGatewayAttachmentId"]])[
        "TransitGatewayVpcAttachments"][0]["State"] == "available"
    # A TGW of another Region is not attachable.
    eu_tgw = vpcd.client(account="111111111111", region="eu-west-1").create_transit_gateway()[
        "TransitGateway"]["TransitGatewayId"]
    assert err(spoke.create_transit_gateway_vpc_attachment, TransitGatewayId=eu_tgw, VpcId=vpc2,
               SubnetIds=[sn2]) == "InvalidTransitGatewayID.NotFound"
    # The owner cannot delete its TGW while the spoke's attachment lives; either side may delete it.
    assert err(owner.delete_transit_gateway, TransitGatewayId=tgw_id) == "IncorrectState"
    owner.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=att_id)
    assert spoke.describe_transit_gateway_vpc_attachments(
        TransitGatewayAttachmentIds=[att_id])["TransitGatewayVpcAttachments"][0]["State"] == "deleted"
    owner.delete_transit_gateway(TransitGatewayId=tgw_id)


def test_deleted_objects_expire():
    """Deleted TGWs and attachments stay describable for two hours, then vanish."""
    d = Vpcd(["--dev"])
    try:
        ec2 = d.client()
        tgw = no_defaults_tgw(ec2)
        vpc, sn = vpc_with_subnet(ec2, "10.80.0.0/16", "10.80.1.0/24", "us-east-1a")
        att = attach(ec2, tgw, vpc, [sn])
        ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=att)
        ec2.delete_transit_gateway(TransitGatewayId=tgw)
        assert ec2.describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"][0][
            "State"] == "deleted"
        assert err(ec2.create_transit_gateway_route_table, TransitGatewayId=tgw) == \
            "InvalidTransitGatewayID.NotFound"
        assert err(ec2.delete_transit_gateway, TransitGatewayId=tgw) == \
            "InvalidTransitGatewayID.NotFound"
        # The VPC can attach again while the old attachment is only a deleted record.
        tgw2 = no_defaults_tgw(ec2)
        attach(ec2, tgw2, vpc, [sn])
        req = urllib.request.Request(d.endpoint + "/_vpcd/clock?advance=3600", method="POST")
        urllib.request.urlopen(req, timeout=5)
        assert ec2.describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"][0][
            "State"] == "deleted"
        req = urllib.request.Request(d.endpoint + "/_vpcd/clock?advance=3601", method="POST")
        urllib.request.urlopen(req, timeout=5)
        assert err(ec2.describe_transit_gateways, TransitGatewayIds=[tgw]) == \
            "InvalidTransitGatewayID.NotFound"
        assert err(ec2.describe_transit_gateway_vpc_attachments,
                   TransitGatewayAttachmentIds=[att]) == \
            "InvalidTransitGatewayAttachmentID.NotFound"
    finally:
        d.close()


def test_modify_default_tables(vpcd):
    ec2 = vpcd.client(region="eu-central-1")
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    opts = ec2.describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"][0]["Options"]
    rtb = opts["AssociationDefaultRouteTableId"]
    assert opts["PropagationDefaultRouteTableId"] == rtb
    assert err(ec2.delete_transit_gateway_route_table,
               TransitGatewayRouteTableId=rtb) == "IncorrectState"
    out = ec2.modify_transit_gateway(TransitGatewayId=tgw, Options={
        "DefaultRouteTableAssociation": "disable"})["TransitGateway"]["Options"]
    assert "AssociationDefaultRouteTableId" not in out
    assert (out["DefaultRouteTableAssociation"], out["PropagationDefaultRouteTableId"]) == (
        "disable", rtb)
    t = ec2.describe_transit_gateway_route_tables(TransitGatewayRouteTableIds=[rtb])[
        "TransitGatewayRouteTables"][0]
    assert (t["DefaultAssociationRouteTable"], t["DefaultPropagationRouteTable"]) == (False, True)
    out = ec2.modify_transit_gateway(TransitGatewayId=tgw, Options={
        "DefaultRouteTableAssociation": "enable"})["TransitGateway"]["Options"]
    assert out["AssociationDefaultRouteTableId"] == rtb
    other = ec2.create_transit_gateway_route_table(
        TransitGatewayId=tgw)["TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
    out = ec2.modify_transit_gateway(TransitGatewayId=tgw, Options={
        "AssociationDefaultRouteTableId": other,
        "DefaultRouteTablePropagation": "disable"})["TransitGateway"]["Options"]
    assert out["AssociationDefaultRouteTableId"] == other
    assert "PropagationDefaultRouteTableId" not in out
    ec2.delete_transit_gateway_route_table(TransitGatewayRouteTableId=rtb)
    assert err(ec2.modify_transit_gateway, TransitGatewayId=tgw, Options={
        "AssociationDefaultRouteTableId": rtb}) == "InvalidRouteTableID.NotFound"
    assert ec2.describe_transit_gateways(
        Filters=[{"Name": "options.association-default-route-table-id", "Values": [other]}])[
        "TransitGateways"][0]["TransitGatewayId"] == tgw


def test_intra_region_peering_survives_restart(vpcd):
    """Same account, same Region: each side has its own attachment; only the accepter's
    may be accepted."""
    ec2 = vpcd.client(region="sa-east-1")
    t1, t2 = (no_defaults_tgw(ec2) for _ in range(2))
    p = ec2.create_transit_gateway_peering_attachment(
        TransitGatewayId=t1, PeerTransitGatewayId=t2, PeerAccountId="000000000000",
        PeerRegion="sa-east-1")["TransitGatewayPeeringAttachment"]
    req, acc = p["TransitGatewayAttachmentId"], p["AccepterTransitGatewayAttachmentId"]
    assert req != acc
    msg = message(ec2.accept_transit_gateway_peering_attachment, TransitGatewayAttachmentId=req)
    assert msg == f"Cannot accept {req} as the source of the peering request."
    assert err(ec2.create_transit_gateway_peering_attachment, TransitGatewayId=t1,
               PeerTransitGatewayId=t2, PeerAccountId="000000000000",
               PeerRegion="sa-east-1") == "DuplicateTransitGatewayAttachment"
    ec2.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=acc)
    vpcd.kill()
    vpcd.start()
    ec2 = vpcd.client(region="sa-east-1")
    got = ec2.describe_transit_gateway_peering_attachments()["TransitGatewayPeeringAttachments"]
    assert [(a["TransitGatewayAttachmentId"], a["State"], a["RequesterTgwInfo"]["TransitGatewayId"],
             a["AccepterTgwInfo"]["TransitGatewayId"]) for a in got] == [
        (req, "available", t1, t2), (acc, "available", t1, t2)]
    by_tgw = ec2.describe_transit_gateway_attachments(
        Filters=[{"Name": "transit-gateway-id", "Values": [t2]}])["TransitGatewayAttachments"]
    assert [(a["TransitGatewayAttachmentId"], a["ResourceId"], a["ResourceType"]) for a in by_tgw] \
        == [(acc, t1, "peering")]
    ec2.delete_transit_gateway_peering_attachment(TransitGatewayAttachmentId=req)
    states = [a["State"] for a in ec2.describe_transit_gateway_peering_attachments()[
        "TransitGatewayPeeringAttachments"]]
    assert states == ["deleted", "deleted"]
    ec2.delete_transit_gateway(TransitGatewayId=t1)
    ec2.delete_transit_gateway(TransitGatewayId=t2)
