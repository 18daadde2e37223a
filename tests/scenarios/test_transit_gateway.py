"""Transit gateway designs (reference 10): centralized router, isolated VPCs, isolated VPCs with
shared services, blackholes, missing return routes, the AZ restriction, unassociated
attachments, NACLs on the TGW subnets, and TGW peering across regions."""
import pytest

from harness import Expect as E
from harness import registry, run

SCENARIOS = []
scenario = registry(SCENARIOS)


def spoke(w, tgw, cidr, az="a", routes=("10.0.0.0/8",), region="us-east-1"):
    """A VPC with one subnet holding an instance (<net>.0.10, admitting all of 10.0.0.0/8) and
    the VPC's TGW attachment; the main table sends `routes` to the TGW."""
    v = w.vpc(cidr, region=region)
    net = cidr.rsplit(".", 2)[0]
    sn = w.subnet(v, f"{net}.0.0/24", az)
    sg = w.open_sg(v, "10.0.0.0/8")
    i = w.instance(sn, f"{net}.0.10", sg)
    att = w.tgw_attach(tgw, v, sn)
    rtb = w.main_rtb(v)
    for cidr_ in routes:
        w.route(rtb, cidr_, tgw)
    return {"vpc": v, "subnet": sn, "sg": sg, "i": i, "att": att, "rtb": rtb}


def named(**spokes):
    """Flattens {name: spoke} into endpoints: name -> instance, att_<name>, rtb_<name>."""
    ep = {}
    for name, s in spokes.items():
        ep[name] = s["i"]
        ep[f"att_{name}"] = s["att"]
        ep[f"rtb_{name}"] = s["rtb"]
    return ep


@scenario(
    E("a", "b", fwd=("rtb_a", "rt", "b"), ret=("rtb_b", "rt", "a")),
    E("b", "c", port=443, fwd=("rt",), ret=("rt",)),
    E("c", "a", proto="udp", port=514, fwd=("rt",)),
)
def tgw_centralized_router(w):
    """Every attachment associates with and propagates into the TGW's default route table:
    every VPC reaches every other (B sits in another AZ)."""
    tgw = w.tgw(defaults=True)
    ep = named(a=spoke(w, tgw, "10.1.0.0/16"), b=spoke(w, tgw, "10.2.0.0/16", az="b"),
               c=spoke(w, tgw, "10.3.0.0/16"))
    ep["rt"] = w.tgw_default_rtb(tgw)
    return ep


@scenario(
    E("a", "b", found=False, code="TGW_RTB_CANNOT_ROUTE", at=("rt_a",), fwd=("rtb_a",)),
    E("b", "c", found=False, code="TGW_RTB_CANNOT_ROUTE", at=("rt_b",)),
    E("c", "a", found=False, code="TGW_RTB_CANNOT_ROUTE", at=("rt_c",)),
)
def tgw_isolated_vpcs(w):
    """Isolated VPCs: each attachment associates with its own table, which holds only that
    VPC's own propagated CIDR."""
    tgw = w.tgw()
    ep = named(a=spoke(w, tgw, "10.1.0.0/16"), b=spoke(w, tgw, "10.2.0.0/16"),
               c=spoke(w, tgw, "10.3.0.0/16"))
    for n in "abc":
        rt = ep[f"rt_{n}"] = w.tgw_rtb(tgw)
        w.tgw_assoc(rt, ep[f"att_{n}"])
        w.tgw_prop(rt, ep[f"att_{n}"])
    return ep


@scenario(
    E("a", "s", fwd=("rt_spokes", "s"), ret=("rt_shared", "a")),
    E("s", "b", port=443, fwd=("rt_shared", "b"), ret=("rt_spokes", "s")),
    E("b", "s", proto="udp", port=53),
    E("a", "b", found=False, code="TGW_RTB_CANNOT_ROUTE", at=("rt_spokes",)),
    E("b", "a", found=False, code="TGW_RTB_CANNOT_ROUTE", at=("rt_spokes",)),
)
def tgw_isolated_vpcs_with_shared_services(w):
    """Spokes A and B associate with a table into which only the shared-services VPC S
    propagates; S's table has both spokes: spokes reach S, not each other."""
    tgw = w.tgw()
    ep = named(a=spoke(w, tgw, "10.1.0.0/16"), b=spoke(w, tgw, "10.2.0.0/16", az="b"),
               s=spoke(w, tgw, "10.9.0.0/16"))
    spokes, shared = w.tgw_rtb(tgw), w.tgw_rtb(tgw)
    for n in "ab":
        w.tgw_assoc(spokes, ep[f"att_{n}"])
        w.tgw_prop(shared, ep[f"att_{n}"])
    w.tgw_assoc(shared, ep["att_s"])
    w.tgw_prop(spokes, ep["att_s"])
    ep.update(rt_spokes=spokes, rt_shared=shared)
    return ep


@scenario(
    E("a", "b", found=False, code="TGW_RTB_BAD_STATE_ROUTE", at=("rt",)),
    E("a", "c", fwd=("rt",)),
    # B's packets pass, but the replies to 10.2.0.0/16 meet the blackhole.
    E("b", "c", found=False, code="TGW_RTB_BAD_STATE_ROUTE", on="return", at=("rt",),
      fwd=("rt", "c")),
)
def tgw_blackhole_route(w):
    """A static blackhole for B's CIDR hides its propagated route in the default table."""
    tgw = w.tgw(defaults=True)
    ep = named(a=spoke(w, tgw, "10.1.0.0/16"), b=spoke(w, tgw, "10.2.0.0/16"),
               c=spoke(w, tgw, "10.3.0.0/16"))
    ep["rt"] = w.tgw_default_rtb(tgw)
    w.tgw_route(ep["rt"], "10.2.0.0/16")
    return ep


@scenario(
    E("a", "b", found=False, code="TGW_RTB_BAD_STATE_ROUTE", at=("rt",), fwd=("rtb_a",)),
    E("a", "c", fwd=("rt", "c"), ret=("rt",)),
)
def tgw_route_to_deleted_attachment(w):
    """A static route to B's attachment turns blackhole when the attachment is deleted."""
    tgw = w.tgw()
    ep = named(a=spoke(w, tgw, "10.1.0.0/16"), b=spoke(w, tgw, "10.2.0.0/16"),
               c=spoke(w, tgw, "10.3.0.0/16"))
    rt = ep["rt"] = w.tgw_rtb(tgw)
    for n in "ac":
        w.tgw_assoc(rt, ep[f"att_{n}"])
        w.tgw_prop(rt, ep[f"att_{n}"])
    w.tgw_route(rt, "10.2.0.0/16", ep["att_b"])
    w.of(tgw).delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=ep["att_b"])
    routes = w.of(tgw).search_transit_gateway_routes(
        TransitGatewayRouteTableId=rt,
        Filters=[{"Name": "route-search.exact-match", "Values": ["10.2.0.0/16"]}])["Routes"]
    assert [(r["Type"], r["State"]) for r in routes] == [("static", "blackhole")]
    return ep


@scenario(
    E("a", "b", found=False, code="TGW_RTB_CANNOT_ROUTE", on="return", at=("rt_b",),
      fwd=("rt_a", "b"), ret=("rtb_b", "att_b")),
    E("b", "a", found=False, code="TGW_RTB_CANNOT_ROUTE", at=("rt_b",)),
)
def tgw_missing_return_route(w):
    """A's table has B's CIDR (propagated), but B's table lacks A's: the reply has no TGW
    route back."""
    tgw = w.tgw()
    ep = named(a=spoke(w, tgw, "10.1.0.0/16"), b=spoke(w, tgw, "10.2.0.0/16"))
    ra, rb = w.tgw_rtb(tgw), w.tgw_rtb(tgw)
    w.tgw_assoc(ra, ep["att_a"])
    w.tgw_assoc(rb, ep["att_b"])
    w.tgw_prop(ra, ep["att_b"])
    ep.update(rt_a=ra, rt_b=rb)
    return ep


@scenario(
    E("a", "b", found=False, code="NO_ROUTE_TO_DESTINATION", on="return", at=("rtb_b",),
      fwd=("rt", "b")),
    E("b", "a", found=False, code="NO_ROUTE_TO_DESTINATION", at=("rtb_b",)),
)
def tgw_missing_vpc_return_route(w):
    """The TGW routes both ways, but B's subnet table has no route to A through the TGW."""
    tgw = w.tgw(defaults=True)
    ep = named(a=spoke(w, tgw, "10.1.0.0/16"), b=spoke(w, tgw, "10.2.0.0/16", routes=()))
    ep["rt"] = w.tgw_default_rtb(tgw)
    return ep


@scenario(
    E("a_b", "b", found=False, code="TGW_ROUTE_AZ_RESTRICTION", fwd=("a_b", "rtb_a")),
    E("b", "a_b", found=False, code="TGW_ROUTE_AZ_RESTRICTION", on="return", fwd=("rt", "a_b")),
    E("a", "b", fwd=("rt", "b"), ret=("rt", "a")),
    E("b", "a", port=443),
)
def tgw_az_restriction(w):
    """A's attachment has a subnet in us-east-1a only; A's instance in us-east-1b routes to the
    TGW but cannot reach it (and cannot answer through it)."""
    tgw = w.tgw(defaults=True)
    a = spoke(w, tgw, "10.1.0.0/16")
    ep = named(a=a, b=spoke(w, tgw, "10.2.0.0/16"))
    sub_b = w.subnet(a["vpc"], "10.1.1.0/24", az="b")
    ep["a_b"] = w.instance(sub_b, "10.1.1.10", a["sg"])
    ep["rt"] = w.tgw_default_rtb(tgw)
    return ep


@scenario(
    E("b", "a", found=False, code="TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION", at=("att_b",),
      fwd=("rtb_b",)),
    E("a", "b", found=False, code="TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION", on="return",
      at=("att_b",), fwd=("rt", "b")),
)
def tgw_attachment_without_association(w):
    """Both VPCs propagate into one table, but only A's attachment is associated with it."""
    tgw = w.tgw()
    ep = named(a=spoke(w, tgw, "10.1.0.0/16"), b=spoke(w, tgw, "10.2.0.0/16"))
    rt = ep["rt"] = w.tgw_rtb(tgw)
    w.tgw_assoc(rt, ep["att_a"])
    w.tgw_prop(rt, ep["att_a"])
    w.tgw_prop(rt, ep["att_b"])
    return ep


@scenario(
    E("a", "b", found=False, code="SUBNET_ACL_RESTRICTION", at=("acl",), rule=32767,
      direction="egress", fwd=("rt",)),
    E("b", "a", found=False, code="SUBNET_ACL_RESTRICTION", at=("acl",), rule=32767,
      direction="ingress"),
    E("a", "c", fwd=("rt", "c")),
)
def tgw_subnet_nacl(w):
    """B's attachment lives in a dedicated /28 whose custom NACL has only the * deny rules:
    packets leaving the TGW ENI there, and packets entering it, are dropped (reference 10.9)."""
    tgw = w.tgw(defaults=True)
    ep = named(a=spoke(w, tgw, "10.1.0.0/16"), c=spoke(w, tgw, "10.3.0.0/16"))
    vb = w.vpc("10.2.0.0/16")
    work, tgw_sub = w.subnet(vb, "10.2.0.0/24"), w.subnet(vb, "10.2.15.0/28")
    ep["b"] = w.instance(work, "10.2.0.10", w.open_sg(vb, "10.0.0.0/8"))
    w.tgw_attach(tgw, vb, tgw_sub)
    w.route(w.main_rtb(vb), "10.0.0.0/8", tgw)
    ep["acl"] = w.nacl(vb, [tgw_sub], [])
    ep["rt"] = w.tgw_default_rtb(tgw)
    return ep


def tgw_peering(w, peer_route_back=True):
    """TGW 1 in us-east-1 with VPC A 10.1.0.0/16, TGW 2 in eu-west-1 with VPC B 10.2.0.0/16,
    peered; each side's table has its VPC propagated and a static route to the other VPC over
    the peering attachment, which is associated with it."""
    t1, t2 = w.tgw(), w.tgw(region="eu-west-1")
    a = spoke(w, t1, "10.1.0.0/16")
    b = spoke(w, t2, "10.2.0.0/16", region="eu-west-1")
    p1, p2 = w.tgw_peer(t1, t2)
    rt1, rt2 = w.tgw_rtb(t1), w.tgw_rtb(t2)
    for rt, s, p in ((rt1, a, p1), (rt2, b, p2)):
        w.tgw_assoc(rt, s["att"])
        w.tgw_prop(rt, s["att"])
        w.tgw_assoc(rt, p)
    w.tgw_route(rt1, "10.2.0.0/16", p1)
    if peer_route_back:
        w.tgw_route(rt2, "10.1.0.0/16", p2)
    ep = named(a=a, b=b)
    ep.update(rt1=rt1, rt2=rt2, peer1=p1, peer2=p2)
    return ep


@scenario(
    E("a", "b", by_ip=True, fwd=("rtb_a", "rt1", "rt2", "b"), ret=("rtb_b", "rt2", "rt1", "a")),
    E("b", "a", by_ip=True, port=443, fwd=("rt2", "rt1"), ret=("rt1", "rt2")),
)
def tgw_peering_across_regions(w):
    """TGW peering us-east-1 <-> eu-west-1 with static routes on both sides."""
    return tgw_peering(w)


@scenario(
    E("a", "b", by_ip=True, found=False, code="TGW_RTB_CANNOT_ROUTE", on="return", at=("rt2",),
      fwd=("rt1", "rt2", "b")),
    E("b", "a", by_ip=True, found=False, code="TGW_RTB_CANNOT_ROUTE", at=("rt2",)),
)
def tgw_peering_missing_static_route(w):
    """The eu-west-1 side forgot its static route back to A."""
    return tgw_peering(w, peer_route_back=False)


@pytest.mark.parametrize("sc", SCENARIOS, ids=lambda s: s.name)
def test_scenario(world, sc):
    run(world, sc)
