"""The Peering Guide's unsupported configurations (overlapping CIDRs, transitive peering, edge to
edge through a gateway), peerings that are not active, and security groups that reference a
peer VPC's group (same region: allowed; across regions: refused at the API)."""
import pytest
from botocore.exceptions import ClientError

from harness import INTERNET_HOST
from harness import Expect as E
from harness import perms, registry, run

SCENARIOS = []
scenario = registry(SCENARIOS)


def api_error(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    return e.value.response["Error"]["Code"]


@scenario(
    E("a", ip="10.2.0.10", found=False, code="NO_ROUTE_TO_DESTINATION", at=("rtb_a",)),
    # B's 10.0.1.10 is inside A's own CIDR: A's local route keeps it, and no subnet of A has it.
    E("a", ip="10.0.1.10", found=False, code="NO_POSSIBLE_DESTINATION", at=("vpc_a",)),
)
def invalid_overlapping_cidrs(w):
    """A 10.0.0.0/16 with B 10.0.0.0/16 (identical), and with C 10.2.0.0/16 whose secondary
    10.0.128.0/17 overlaps A: both requests fail at once, and a route to a failed pcx is
    refused."""
    va = w.vpc("10.0.0.0/16")
    vb = w.vpc("10.0.0.0/16")
    vc = w.vpc("10.2.0.0/16", "10.0.128.0/17")
    a = w.instance(w.subnet(va, "10.0.0.0/24"), "10.0.0.10", w.open_sg(va))
    w.instance(w.subnet(vb, "10.0.1.0/24"), "10.0.1.10", w.open_sg(vb))
    w.instance(w.subnet(vc, "10.2.0.0/24"), "10.2.0.10", w.open_sg(vc))
    rtb_a = w.main_rtb(va)
    for peer in (vb, vc):
        pcx = w.peer(va, peer, accept=False)
        assert w.pcx_state(pcx) == "failed"
        assert api_error(w.of(peer).accept_vpc_peering_connection,
                         VpcPeeringConnectionId=pcx) == "InvalidStateTransition"
        assert api_error(w.of(va).create_route, RouteTableId=rtb_a,
                         DestinationCidrBlock="10.2.0.0/16", VpcPeeringConnectionId=pcx) == \
            "InvalidVpcPeeringConnectionID.NotFound"
    return {"a": a, "rtb_a": rtb_a, "vpc_a": va}


@scenario(
    E("b", "c", found=False, code="PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", at=("pcx_ab",),
      fwd=("rtb_b",), fwd_not=("pcx_ac",)),
    E("c", "b", found=False, code="PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", at=("pcx_ac",)),
    E("b", "a", fwd=("pcx_ab",), ret=("pcx_ab",)),
    E("c", "a", fwd=("pcx_ac",), ret=("pcx_ac",)),
)
def invalid_transitive_peering(w):
    """A peered with B and with C; B and C route each other's CIDR to A, which routes them on:
    peering is not transitive, a packet entering A over a pcx must be addressed into A."""
    va, vb, vc = w.vpc("172.16.0.0/16"), w.vpc("10.0.0.0/16"), w.vpc("10.1.0.0/16")
    a = w.instance(w.subnet(va, "172.16.0.0/24"), "172.16.0.10", w.open_sg(va))
    b = w.instance(w.subnet(vb, "10.0.0.0/24"), "10.0.0.10", w.open_sg(vb))
    c = w.instance(w.subnet(vc, "10.1.0.0/24"), "10.1.0.10", w.open_sg(vc))
    pab, pac = w.peer(va, vb), w.peer(va, vc)
    ra, rb, rc = w.main_rtb(va), w.main_rtb(vb), w.main_rtb(vc)
    w.route(ra, "10.0.0.0/16", pab)
    w.route(ra, "10.1.0.0/16", pac)
    for cidr in ("172.16.0.0/16", "10.1.0.0/16"):
        w.route(rb, cidr, pab)
    for cidr in ("172.16.0.0/16", "10.0.0.0/16"):
        w.route(rc, cidr, pac)
    return {"a": a, "b": b, "c": c, "pcx_ab": pab, "pcx_ac": pac, "rtb_b": rb}


@scenario(
    E("b", ip=INTERNET_HOST, port=443, found=False, code="PCX_REQUIRES_ADDRESS_IN_VPC_CIDR",
      at=("pcx",), fwd=("rtb_b",), fwd_not=("igw",)),
    E("a", ip=INTERNET_HOST, port=443, fwd=("igw",), ret=("igw",)),
    E("b", "a", port=443, fwd=("pcx",), ret=("pcx",)),
)
def invalid_edge_to_edge_igw(w):
    """B sends 0.0.0.0/0 to the pcx hoping to use A's internet gateway."""
    va, vb = w.vpc("172.16.0.0/16"), w.vpc("10.0.0.0/16")
    igw = w.igw(va)
    a = w.instance(w.subnet(va, "172.16.0.0/24"), "172.16.0.10", w.open_sg(va))
    w.eip(a)
    b = w.instance(w.subnet(vb, "10.0.0.0/24"), "10.0.0.10", w.open_sg(vb))
    pcx = w.peer(va, vb)
    ra = w.main_rtb(va)
    w.route(ra, "0.0.0.0/0", igw)
    w.route(ra, "10.0.0.0/16", pcx)
    w.route(w.main_rtb(vb), "0.0.0.0/0", pcx)
    return {"a": a, "b": b, "igw": igw, "pcx": pcx, "rtb_b": w.main_rtb(vb)}


@scenario(
    E("b", ip=INTERNET_HOST, port=443, found=False, code="PCX_REQUIRES_ADDRESS_IN_VPC_CIDR",
      at=("pcx",), fwd_not=("nat",)),
    E("a", ip=INTERNET_HOST, port=443, fwd=("nat", "igw"), ret=("igw", "nat")),
)
def invalid_edge_to_edge_nat(w):
    """B sends 0.0.0.0/0 to the pcx hoping to use A's NAT gateway; A's own private subnet
    uses it."""
    va, vb = w.vpc("172.16.0.0/16"), w.vpc("10.0.0.0/16")
    pub, priv = w.subnet(va, "172.16.0.0/24"), w.subnet(va, "172.16.1.0/24")
    igw = w.igw(va)
    w.route(w.rtb(va, pub), "0.0.0.0/0", igw)
    nat = w.nat(pub)
    a = w.instance(priv, "172.16.1.10", w.open_sg(va))
    b = w.instance(w.subnet(vb, "10.0.0.0/24"), "10.0.0.10", w.open_sg(vb))
    pcx = w.peer(va, vb)
    ra = w.main_rtb(va)
    w.route(ra, "0.0.0.0/0", nat)
    w.route(ra, "10.0.0.0/16", pcx)
    w.route(w.main_rtb(vb), "0.0.0.0/0", pcx)
    return {"a": a, "b": b, "igw": igw, "nat": nat, "pcx": pcx}


@scenario(
    E("b", "d", found=False, code="PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", at=("pcx",),
      fwd_not=("tgw",)),
    E("a", "d", fwd=("tgw",), ret=("tgw",)),
)
def invalid_edge_to_edge_tgw(w):
    """A is attached to a transit gateway that reaches D; B routes D's CIDR to the pcx."""
    va, vb, vd = w.vpc("172.16.0.0/16"), w.vpc("10.0.0.0/16"), w.vpc("10.9.0.0/16")
    sa, sd = w.subnet(va, "172.16.0.0/24"), w.subnet(vd, "10.9.0.0/24")
    a = w.instance(sa, "172.16.0.10", w.open_sg(va))
    b = w.instance(w.subnet(vb, "10.0.0.0/24"), "10.0.0.10", w.open_sg(vb))
    d = w.instance(sd, "10.9.0.10", w.open_sg(vd))
    tgw = w.tgw(defaults=True)
    w.tgw_attach(tgw, va, sa)
    w.tgw_attach(tgw, vd, sd)
    pcx = w.peer(va, vb)
    ra = w.main_rtb(va)
    w.route(ra, "10.9.0.0/16", tgw)
    w.route(ra, "10.0.0.0/16", pcx)
    w.route(w.main_rtb(vd), "172.16.0.0/16", tgw)
    rb = w.main_rtb(vb)
    for cidr in ("172.16.0.0/16", "10.9.0.0/16"):
        w.route(rb, cidr, pcx)
    return {"a": a, "b": b, "d": d, "pcx": pcx, "tgw": tgw}


@scenario(
    E("a", "b", found=False, code="BAD_STATE_ROUTE", at=("rtb_a",)),
)
def peering_pending_acceptance(w):
    """A route to a pcx still pending acceptance is a blackhole."""
    va, vb = w.vpc("172.16.0.0/16"), w.vpc("10.0.0.0/16")
    a = w.instance(w.subnet(va, "172.16.0.0/24"), "172.16.0.10", w.open_sg(va))
    b = w.instance(w.subnet(vb, "10.0.0.0/24"), "10.0.0.10", w.open_sg(vb))
    pcx = w.peer(va, vb, accept=False)
    assert w.pcx_state(pcx) == "pending-acceptance"
    ra = w.main_rtb(va)
    w.route(ra, "10.0.0.0/16", pcx)
    assert w.route_state(ra, "10.0.0.0/16") == ["blackhole"]
    return {"a": a, "b": b, "rtb_a": ra}


@scenario(
    E("a", "b", found=False, code="BAD_STATE_ROUTE", at=("rtb_a",)),
    E("b", "a", found=False, code="BAD_STATE_ROUTE", at=("rtb_b",)),
)
def peering_deleted(w):
    """Both sides routed over an active pcx, then it is deleted: both routes turn blackhole."""
    va, vb = w.vpc("172.16.0.0/16"), w.vpc("10.0.0.0/16")
    a = w.instance(w.subnet(va, "172.16.0.0/24"), "172.16.0.10", w.open_sg(va))
    b = w.instance(w.subnet(vb, "10.0.0.0/24"), "10.0.0.10", w.open_sg(vb))
    pcx = w.peer(va, vb)
    ra, rb = w.main_rtb(va), w.main_rtb(vb)
    w.route(ra, "10.0.0.0/16", pcx)
    w.route(rb, "172.16.0.0/16", pcx)
    w.of(vb).delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert w.route_state(ra, "10.0.0.0/16") == ["blackhole"]
    assert w.route_state(rb, "172.16.0.0/16") == ["blackhole"]
    return {"a": a, "b": b, "rtb_a": ra, "rtb_b": rb}


def peered_pair(w, region_b="us-east-1", account_b="000000000000"):
    va = w.vpc("172.16.0.0/16")
    vb = w.vpc("10.0.0.0/16", region=region_b, account=account_b)
    sa, sb = w.subnet(va, "172.16.0.0/24"), w.subnet(vb, "10.0.0.0/24")
    pcx = w.peer(va, vb)
    w.route(w.main_rtb(va), "10.0.0.0/16", pcx)
    w.route(w.main_rtb(vb), "172.16.0.0/16", pcx)
    return va, vb, sa, sb, pcx


@scenario(
    E("b1", "a", port=22, fwd=("pcx", "a"), ret=("pcx",)),
    E("b2", "a", port=22, found=False, code="ENI_SG_RULES_MISMATCH", at=("a", "sg_a"),
      direction="ingress", fwd=("pcx",)),
    E("b1", "a", port=80, found=False, code="ENI_SG_RULES_MISMATCH", at=("a", "sg_a"),
      direction="ingress"),
)
def sg_references_peer_group_same_region(w):
    """A's group admits tcp 22 from a group of the peer VPC B (same region, active pcx)."""
    va, vb, sa, sb, pcx = peered_pair(w)
    web, other = w.sg(vb, "web"), w.sg(vb, "other")
    sg_a = w.sg(va, "ssh-from-peer", ingress=[("tcp", 22, 22, web)])
    a = w.instance(sa, "172.16.0.10", sg_a)
    b1, b2 = w.instance(sb, "10.0.0.10", web), w.instance(sb, "10.0.0.20", other)
    return {"a": a, "b1": b1, "b2": b2, "pcx": pcx, "sg_a": sg_a}


@scenario(
    E("b", "a", by_ip=True, port=22, fwd=("pcx", "a"), ret=("pcx",)),
    E("b", "a", by_ip=True, port=23, found=False, code="ENI_SG_RULES_MISMATCH",
      at=("a", "sg_a"), direction="ingress"),
)
def sg_references_peer_group_cross_region(w):
    """Across regions a peer's group cannot be referenced (InvalidGroup.NotFound, with or
    without its owner); the peer's CIDR can."""
    va, vb, sa, sb, pcx = peered_pair(w, region_b="eu-west-1")
    sg_b = w.sg(vb, "web")
    sg_a = w.sg(va, "ssh-from-peer")
    for peer in (sg_b, (sg_b, "000000000000")):
        rule = [("tcp", 22, 22, peer)]
        assert api_error(w.of(va).authorize_security_group_ingress, GroupId=sg_a,
                         IpPermissions=perms(rule)) == "InvalidGroup.NotFound"
    w.of(va).authorize_security_group_ingress(
        GroupId=sg_a, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                      "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
    a = w.instance(sa, "172.16.0.10", sg_a)
    b = w.instance(sb, "10.0.0.10", sg_b)
    return {"a": a, "b": b, "pcx": pcx, "sg_a": sg_a}


@scenario(
    E("b1", ip="172.16.0.10", port=22, fwd=("pcx",), ret=("pcx",)),
    E("b2", ip="172.16.0.10", port=22, found=False, code="ENI_SG_RULES_MISMATCH",
      at=("sg_a",), direction="ingress"),
)
def sg_references_peer_group_cross_account(w):
    """Same region, the peer VPC in another account: the rule names account/group."""
    va, vb, sa, sb, pcx = peered_pair(w, account_b="111111111111")
    web, other = w.sg(vb, "web"), w.sg(vb, "other")
    sg_a = w.sg(va, "ssh-from-peer", ingress=[("tcp", 22, 22, (web, "111111111111"))])
    w.instance(sa, "172.16.0.10", sg_a)
    b1, b2 = w.instance(sb, "10.0.0.10", web), w.instance(sb, "10.0.0.20", other)
    return {"b1": b1, "b2": b2, "pcx": pcx, "sg_a": sg_a}


@pytest.mark.parametrize("sc", SCENARIOS, ids=lambda s: s.name)
def test_scenario(world, sc):
    run(world, sc)
