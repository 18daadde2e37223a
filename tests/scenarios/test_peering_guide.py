"""The VPC Peering Guide's configurations (reference 9.5): routes to entire VPCs (full access) and
specific routes, including the longest-prefix and response-routing cases with overlapping peers.
Every instance sits in a group admitting all traffic from the peer CIDRs, so routing decides."""
import pytest

from harness import Expect as E
from harness import registry, run

SCENARIOS = []
scenario = registry(SCENARIOS)


def two_vpcs(w, a_routes=True, b_routes=True):
    """A 172.16.0.0/16 and B 10.0.0.0/16 peered by pcx; each routes the other's CIDR to it."""
    va, vb = w.vpc("172.16.0.0/16"), w.vpc("10.0.0.0/16")
    a = w.instance(w.subnet(va, "172.16.0.0/24"), "172.16.0.10", w.open_sg(va, "10.0.0.0/16"))
    b = w.instance(w.subnet(vb, "10.0.0.0/24"), "10.0.0.10", w.open_sg(vb, "172.16.0.0/16"))
    pcx = w.peer(va, vb)
    rtb_a, rtb_b = w.main_rtb(va), w.main_rtb(vb)
    if a_routes:
        w.route(rtb_a, "10.0.0.0/16", pcx)
    if b_routes:
        w.route(rtb_b, "172.16.0.0/16", pcx)
    return {"a": a, "b": b, "pcx": pcx, "rtb_a": rtb_a, "rtb_b": rtb_b}


@scenario(
    E("a", "b", port=22, fwd=("a", "rtb_a", "pcx", "b"), ret=("b", "rtb_b", "pcx", "a")),
    E("b", "a", port=443, fwd=("pcx",), ret=("pcx",)),
    E("a", "b", proto="udp", port=53, fwd=("pcx",)),
)
def full_access_two_vpcs(w):
    """Two VPCs peered together, each routing the whole peer CIDR to the pcx."""
    return two_vpcs(w)


@scenario(
    E("a", "b", found=False, code="NO_ROUTE_TO_DESTINATION", on="return", at=("rtb_b",),
      fwd=("pcx", "b")),
    E("b", "a", found=False, code="NO_ROUTE_TO_DESTINATION", at=("rtb_b",)),
)
def full_access_missing_return_route(w):
    """Only A routes to the pcx: A's packet arrives, B has no route back."""
    return two_vpcs(w, b_routes=False)


@scenario(
    E("a", "b", fwd=("pcx_ab",), ret=("pcx_ab",), fwd_not=("pcx_ac",)),
    E("a", "c", fwd=("pcx_ac",), ret=("pcx_ac",)),
    E("c", "a", port=3306, fwd=("pcx_ac",)),
    E("b", "c", found=False, code="NO_ROUTE_TO_DESTINATION", at=("rtb_b",)),
)
def full_access_one_vpc_two_peers(w):
    """One VPC (A) peered with two VPCs (B, C) that are not peered with each other."""
    va, vb, vc = w.vpc("172.16.0.0/16"), w.vpc("10.0.0.0/16"), w.vpc("10.1.0.0/16")
    a = w.instance(w.subnet(va, "172.16.0.0/24"), "172.16.0.10", w.open_sg(va, "10.0.0.0/8"))
    b = w.instance(w.subnet(vb, "10.0.0.0/24"), "10.0.0.10", w.open_sg(vb))
    c = w.instance(w.subnet(vc, "10.1.0.0/24"), "10.1.0.10", w.open_sg(vc))
    pab, pac = w.peer(va, vb), w.peer(va, vc)
    ra, rb, rc = w.main_rtb(va), w.main_rtb(vb), w.main_rtb(vc)
    w.route(ra, "10.0.0.0/16", pab)
    w.route(ra, "10.1.0.0/16", pac)
    w.route(rb, "172.16.0.0/16", pab)
    w.route(rc, "172.16.0.0/16", pac)
    return {"a": a, "b": b, "c": c, "pcx_ab": pab, "pcx_ac": pac, "rtb_b": rb}


@scenario(
    E("a", "s0", fwd=("pcx0",), ret=("pcx0",)),
    E("a", "s3", port=443, fwd=("pcx3",), ret=("pcx3",), fwd_not=("pcx0", "pcx1", "pcx2")),
    E("s2", "a", fwd=("pcx2",)),
    E("s0", "s1", found=False, code="NO_ROUTE_TO_DESTINATION", at=("rtb_s0",)),
)
def full_access_one_vpc_multiple_peers(w):
    """One VPC (A) peered with four VPCs; each spoke routes only A's CIDR."""
    va = w.vpc("172.16.0.0/16")
    ep = {"a": w.instance(w.subnet(va, "172.16.0.0/24"), "172.16.0.10",
                          w.open_sg(va, "10.0.0.0/8"))}
    ra = w.main_rtb(va)
    for n in range(4):
        v = w.vpc(f"10.{n}.0.0/16")
        ep[f"s{n}"] = w.instance(w.subnet(v, f"10.{n}.0.0/24"), f"10.{n}.0.10", w.open_sg(v))
        pcx = ep[f"pcx{n}"] = w.peer(va, v)
        w.route(ra, f"10.{n}.0.0/16", pcx)
        ep[f"rtb_s{n}"] = w.main_rtb(v)
        w.route(ep[f"rtb_s{n}"], "172.16.0.0/16", pcx)
    return ep


def mesh(w, cidrs):
    """len(cidrs) VPCs, every pair peered and routed: instance i at <cidr>.10."""
    vpcs = [w.vpc(c) for c in cidrs]
    ep = {}
    for i, (v, cidr) in enumerate(zip(vpcs, cidrs)):
        base = cidr.rsplit(".", 2)[0]
        ep[f"i{i}"] = w.instance(w.subnet(v, f"{base}.0.0/24"), f"{base}.0.10", w.open_sg(v))
        ep[f"rtb{i}"] = w.main_rtb(v)
    for i in range(len(vpcs)):
        for j in range(i + 1, len(vpcs)):
            pcx = ep[f"pcx{i}{j}"] = w.peer(vpcs[i], vpcs[j])
            w.route(ep[f"rtb{i}"], cidrs[j], pcx)
            w.route(ep[f"rtb{j}"], cidrs[i], pcx)
    return ep


@scenario(
    E("i0", "i1", fwd=("pcx01",), ret=("pcx01",)),
    E("i1", "i0", fwd=("pcx01",)),
    E("i1", "i2", fwd=("pcx12",), ret=("pcx12",), fwd_not=("pcx01", "pcx02")),
    E("i2", "i1", fwd=("pcx12",)),
    E("i0", "i2", fwd=("pcx02",)),
    E("i2", "i0", fwd=("pcx02",)),
)
def full_access_three_vpcs_mesh(w):
    """Three VPCs peered together: a full mesh needs the three pcx A-B, A-C, B-C."""
    return mesh(w, ["172.16.0.0/16", "10.0.0.0/16", "10.1.0.0/16"])


@scenario(
    E("i0", "i3", fwd=("pcx03",), ret=("pcx03",)),
    E("i3", "i1", fwd=("pcx13",)),
    E("i2", "i3", port=80, fwd=("pcx23",)),
    E("i1", "i2", proto="udp", port=123, fwd=("pcx12",)),
)
def full_access_multiple_vpcs_mesh(w):
    """Multiple VPCs peered together (four, six pcx): every pair over its own pcx."""
    return mesh(w, ["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"])


@scenario(
    E("a", "b", by_ip=True, fwd=("pcx", "b"), ret=("pcx", "a")),
    E("b", "a", by_ip=True, port=443, fwd=("pcx", "a"), ret=("pcx", "b")),
)
def full_access_cross_account(w):
    """Two VPCs of different accounts in one region; the accepter account accepts."""
    va = w.vpc("172.16.0.0/16")
    vb = w.vpc("10.0.0.0/16", account="111111111111")
    a = w.instance(w.subnet(va, "172.16.0.0/24"), "172.16.0.10", w.open_sg(va, "10.0.0.0/16"))
    b = w.instance(w.subnet(vb, "10.0.0.0/24"), "10.0.0.10", w.open_sg(vb, "172.16.0.0/16"))
    pcx = w.peer(va, vb)
    w.route(w.main_rtb(va), "10.0.0.0/16", pcx)
    w.route(w.main_rtb(vb), "172.16.0.0/16", pcx)
    return {"a": a, "b": b, "pcx": pcx}


@scenario(
    E("a", "b", by_ip=True, port=443, fwd=("pcx", "b"), ret=("pcx", "a")),
    E("b", "a", by_ip=True, port=22, fwd=("pcx",)),
)
def full_access_cross_region(w):
    """An inter-region peering us-east-1 <-> eu-west-1 (analyzing it is a vpcd extension)."""
    va = w.vpc("172.16.0.0/16")
    vb = w.vpc("10.0.0.0/16", region="eu-west-1")
    a = w.instance(w.subnet(va, "172.16.0.0/24"), "172.16.0.10", w.open_sg(va, "10.0.0.0/16"))
    b = w.instance(w.subnet(vb, "10.0.0.0/24"), "10.0.0.10", w.open_sg(vb, "172.16.0.0/16"))
    pcx = w.peer(va, vb)
    w.route(w.main_rtb(va), "10.0.0.0/16", pcx)
    w.route(w.main_rtb(vb), "172.16.0.0/16", pcx)
    return {"a": a, "b": b, "pcx": pcx}


def hub_with_overlapping_peers(w):
    """A 172.16.0.0/16 peered with B and C, which both use 10.0.0.0/16 (allowed: neither
    overlaps A). Returns the VPCs and the two pcx; routes are the caller's."""
    va, vb, vc = w.vpc("172.16.0.0/16"), w.vpc("10.0.0.0/16"), w.vpc("10.0.0.0/16")
    return va, vb, vc, w.peer(va, vb), w.peer(va, vc)


@scenario(
    E("b", "a_x", fwd=("pcx_ab", "a_x"), ret=("pcx_ab",), ret_not=("pcx_ac",)),
    E("c", "a_y", fwd=("pcx_ac", "a_y"), ret=("pcx_ac",), ret_not=("pcx_ab",)),
    E("a_x", "b", port=80, fwd=("rtb_x", "pcx_ab")),
    E("a_y", "c", port=80, fwd=("rtb_y", "pcx_ac")),
    E("b", "a_y", found=False, code="NO_ROUTE_TO_DESTINATION", at=("rtb_b",)),
    # A's subnet X sends all of 10.0.0.0/16 to B: C's address 10.0.0.20 is nobody in B.
    E("a_x", "c", found=False, code="NO_POSSIBLE_DESTINATION", at=("vpc_b",), fwd=("pcx_ab",)),
)
def specific_two_vpcs_to_two_subnets(w):
    """Two overlapping VPCs peered to two subnets of one VPC: subnet X's table sends
    10.0.0.0/16 to B, subnet Y's to C; B routes only to X, C only to Y."""
    va, vb, vc, pab, pac = hub_with_overlapping_peers(w)
    sx, sy = w.subnet(va, "172.16.0.0/24"), w.subnet(va, "172.16.1.0/24")
    sg_a = w.open_sg(va, "10.0.0.0/16")
    a_x, a_y = w.instance(sx, "172.16.0.10", sg_a), w.instance(sy, "172.16.1.10", sg_a)
    b = w.instance(w.subnet(vb, "10.0.0.0/24"), "10.0.0.10", w.open_sg(vb, "172.16.0.0/16"))
    c = w.instance(w.subnet(vc, "10.0.0.0/24"), "10.0.0.20", w.open_sg(vc, "172.16.0.0/16"))
    rx, ry = w.rtb(va, sx), w.rtb(va, sy)
    w.route(rx, "10.0.0.0/16", pab)
    w.route(ry, "10.0.0.0/16", pac)
    rb = w.main_rtb(vb)
    w.route(rb, "172.16.0.0/24", pab)
    w.route(w.main_rtb(vc), "172.16.1.0/24", pac)
    return {"a_x": a_x, "a_y": a_y, "b": b, "c": c, "pcx_ab": pab, "pcx_ac": pac,
            "rtb_x": rx, "rtb_y": ry, "rtb_b": rb, "vpc_b": vb}


@scenario(
    E("a", "b", fwd=("rtb_a", "pcx_ab", "b"), ret=("pcx_ab",)),
    E("a", "c", fwd=("rtb_a", "pcx_ac", "c"), ret=("pcx_ac",)),
    E("a", "b_other", found=False, code="NO_ROUTE_TO_DESTINATION", at=("rtb_a",)),
    E("b_other", "a", found=False, code="NO_ROUTE_TO_DESTINATION", on="return", at=("rtb_a",),
      fwd=("pcx_ab", "a")),
)
def specific_one_vpc_to_subnets_in_two_vpcs(w):
    """One VPC peered to specific subnets in two VPCs: A routes only B's 10.0.0.0/24 and C's
    10.1.0.0/24; B's other subnet reaches A but gets no reply."""
    va, vb, vc = w.vpc("172.16.0.0/16"), w.vpc("10.0.0.0/16"), w.vpc("10.1.0.0/16")
    a = w.instance(w.subnet(va, "172.16.0.0/24"), "172.16.0.10", w.open_sg(va, "10.0.0.0/8"))
    sg_b = w.open_sg(vb, "172.16.0.0/16")
    b = w.instance(w.subnet(vb, "10.0.0.0/24"), "10.0.0.10", sg_b)
    b_other = w.instance(w.subnet(vb, "10.0.1.0/24"), "10.0.1.10", sg_b)
    c = w.instance(w.subnet(vc, "10.1.0.0/24"), "10.1.0.10", w.open_sg(vc, "172.16.0.0/16"))
    pab, pac = w.peer(va, vb), w.peer(va, vc)
    ra = w.main_rtb(va)
    w.route(ra, "10.0.0.0/24", pab)
    w.route(ra, "10.1.0.0/24", pac)
    w.route(w.main_rtb(vb), "172.16.0.0/16", pab)
    w.route(w.main_rtb(vc), "172.16.0.0/16", pac)
    return {"a": a, "b": b, "b_other": b_other, "c": c, "pcx_ab": pab, "pcx_ac": pac,
            "rtb_a": ra}


def response_routing(w, fixed):
    """B's subnet 10.0.1.0/24 and C's subnet 10.0.0.0/24 (both VPCs 10.0.0.0/16) reach A.
    Unfixed, A routes all of 10.0.0.0/16 to C; fixed, per-subnet routes send each back."""
    va, vb, vc, pab, pac = hub_with_overlapping_peers(w)
    a = w.instance(w.subnet(va, "172.16.0.0/24"), "172.16.0.10", w.open_sg(va, "10.0.0.0/16"))
    b = w.instance(w.subnet(vb, "10.0.1.0/24"), "10.0.1.66", w.open_sg(vb, "172.16.0.0/16"))
    c = w.instance(w.subnet(vc, "10.0.0.0/24"), "10.0.0.10", w.open_sg(vc, "172.16.0.0/16"))
    ra = w.main_rtb(va)
    if fixed:
        w.route(ra, "10.0.1.0/24", pab)
        w.route(ra, "10.0.0.0/24", pac)
    else:
        w.route(ra, "10.0.0.0/16", pac)
    w.route(w.main_rtb(vb), "172.16.0.0/16", pab)
    w.route(w.main_rtb(vc), "172.16.0.0/16", pac)
    return {"a": a, "b": b, "c": c, "pcx_ab": pab, "pcx_ac": pac, "rtb_a": ra, "vpc_c": vc}


@scenario(
    # No reverse-path forwarding: A's reply to 10.0.1.66 follows A's table into C.
    E("b", "a", found=False, code="NO_POSSIBLE_DESTINATION", on="return", at=("vpc_c",),
      fwd=("pcx_ab", "a"), ret=("rtb_a", "pcx_ac")),
    E("c", "a", fwd=("pcx_ac",), ret=("pcx_ac",)),
    E("a", "b", found=False, code="NO_POSSIBLE_DESTINATION", at=("vpc_c",), fwd=("pcx_ac",)),
)
def specific_response_routing_pitfall(w):
    """The Peering Guide's response-routing problem with overlapping peers."""
    return response_routing(w, fixed=False)


@scenario(
    E("b", "a", fwd=("pcx_ab",), ret=("pcx_ab",), ret_not=("pcx_ac",)),
    E("c", "a", fwd=("pcx_ac",), ret=("pcx_ac",), ret_not=("pcx_ab",)),
    E("a", "b", port=443, fwd=("rtb_a", "pcx_ab")),
    E("a", "c", port=443, fwd=("rtb_a", "pcx_ac")),
)
def specific_response_routing_fixed(w):
    """The fix: A routes each peer's subnet (10.0.1.0/24 to B, 10.0.0.0/24 to C)."""
    return response_routing(w, fixed=True)


@scenario(
    E("a", "b77", fwd=("pcx_ab", "b77"), ret=("pcx_ab",)),
    E("b77", "a", fwd=("pcx_ab",), ret=("pcx_ab",)),
    E("a", "c", fwd=("pcx_ac", "c"), fwd_not=("pcx_ab",)),
    # Everything but 10.0.0.77 goes to C, also the reply to B's other instance.
    E("b78", "a", found=False, code="NO_POSSIBLE_DESTINATION", on="return", at=("vpc_c",),
      fwd=("pcx_ab",), ret=("pcx_ac",)),
    E("a", "b78", found=False, code="NO_POSSIBLE_DESTINATION", at=("vpc_c",), fwd=("pcx_ac",)),
)
def specific_longest_prefix_match(w):
    """One VPC peered with two overlapping VPCs using longest prefix match: A routes
    10.0.0.77/32 to B and 10.0.0.0/16 to C."""
    va, vb, vc, pab, pac = hub_with_overlapping_peers(w)
    a = w.instance(w.subnet(va, "172.16.0.0/24"), "172.16.0.10", w.open_sg(va, "10.0.0.0/16"))
    sb = w.subnet(vb, "10.0.0.0/24")
    sg_b = w.open_sg(vb, "172.16.0.0/16")
    b77, b78 = w.instance(sb, "10.0.0.77", sg_b), w.instance(sb, "10.0.0.78", sg_b)
    c = w.instance(w.subnet(vc, "10.0.0.0/24"), "10.0.0.10", w.open_sg(vc, "172.16.0.0/16"))
    ra = w.main_rtb(va)
    w.route(ra, "10.0.0.77/32", pab)
    w.route(ra, "10.0.0.0/16", pac)
    w.route(w.main_rtb(vb), "172.16.0.0/16", pab)
    w.route(w.main_rtb(vc), "172.16.0.0/16", pac)
    return {"a": a, "b77": b77, "b78": b78, "c": c, "pcx_ab": pab, "pcx_ac": pac, "vpc_c": vc}


@scenario(
    E("a1", "b", fwd=("pcx_ab",), ret=("pcx_ab",)),
    E("a1", "c", fwd=("pcx_ac",), ret=("pcx_ac",)),
    E("b", "a1", fwd=("pcx_ab",)),
    E("c", "a1", fwd=("pcx_ac",)),
    E("b", "a2", found=False, code="NO_ROUTE_TO_DESTINATION", at=("rtb_b",)),
    E("a1", ip="10.0.0.45", found=False, code="NO_ROUTE_TO_DESTINATION", at=("rtb_a",)),
)
def specific_instances_to_instances(w):
    """Instances in one VPC peered to instances in two overlapping VPCs with /32 routes."""
    va, vb, vc, pab, pac = hub_with_overlapping_peers(w)
    sa = w.subnet(va, "172.16.0.0/24")
    sg_a = w.open_sg(va, "10.0.0.0/16")
    a1, a2 = w.instance(sa, "172.16.0.10", sg_a), w.instance(sa, "172.16.0.20", sg_a)
    b = w.instance(w.subnet(vb, "10.0.0.0/24"), "10.0.0.44", w.open_sg(vb, "172.16.0.0/16"))
    c = w.instance(w.subnet(vc, "10.0.0.0/24"), "10.0.0.55", w.open_sg(vc, "172.16.0.0/16"))
    ra, rb = w.main_rtb(va), w.main_rtb(vb)
    w.route(ra, "10.0.0.44/32", pab)
    w.route(ra, "10.0.0.55/32", pac)
    w.route(rb, "172.16.0.10/32", pab)
    w.route(w.main_rtb(vc), "172.16.0.10/32", pac)
    return {"a1": a1, "a2": a2, "b": b, "c": c, "pcx_ab": pab, "pcx_ac": pac,
            "rtb_a": ra, "rtb_b": rb}


@scenario(
    E("b", "a1", fwd=("pcx_ab",), ret=("pcx_ab",)),
    E("c", "a2", fwd=("pcx_ac",), ret=("pcx_ac",)),
    E("b", "a2", found=False, code="NO_ROUTE_TO_DESTINATION", at=("rtb_b",)),
    E("a2", "b", found=False, code="NO_ROUTE_TO_DESTINATION", on="return", at=("rtb_b",),
      fwd=("pcx_ab", "b")),
)
def specific_cidr_blocks(w):
    """Two VPCs peered to a specific CIDR block of one VPC: A has 172.16.0.0/16 and
    172.17.0.0/16; B routes only the first, C only the second."""
    va = w.vpc("172.16.0.0/16", "172.17.0.0/16")
    vb, vc = w.vpc("10.0.0.0/16"), w.vpc("10.1.0.0/16")
    sg_a = w.open_sg(va, "10.0.0.0/8")
    a1 = w.instance(w.subnet(va, "172.16.0.0/24"), "172.16.0.10", sg_a)
    a2 = w.instance(w.subnet(va, "172.17.0.0/24"), "172.17.0.10", sg_a)
    b = w.instance(w.subnet(vb, "10.0.0.0/24"), "10.0.0.10", w.open_sg(vb, "172.16.0.0/12"))
    c = w.instance(w.subnet(vc, "10.1.0.0/24"), "10.1.0.10", w.open_sg(vc, "172.16.0.0/12"))
    pab, pac = w.peer(va, vb), w.peer(va, vc)
    ra, rb = w.main_rtb(va), w.main_rtb(vb)
    w.route(ra, "10.0.0.0/16", pab)
    w.route(ra, "10.1.0.0/16", pac)
    w.route(rb, "172.16.0.0/16", pab)
    w.route(w.main_rtb(vc), "172.17.0.0/16", pac)
    return {"a1": a1, "a2": a2, "b": b, "c": c, "pcx_ab": pab, "pcx_ac": pac, "rtb_b": rb}


@pytest.mark.parametrize("sc", SCENARIOS, ids=lambda s: s.name)
def test_scenario(world, sc):
    run(world, sc)
