"""Centralized designs behind a transit gateway: an inspection VPC with one appliance per AZ
(appliance mode on and off, source/destination check), and centralized egress through a NAT
gateway in a shared egress VPC."""
import pytest

from harness import INTERNET_HOST
from harness import Expect as E
from harness import registry, run

SCENARIOS = []
scenario = registry(SCENARIOS)


def spoke(w, tgw, cidr, az):
    """A spoke VPC: one subnet with an instance (<net>.0.10) and the TGW attachment; the main
    table sends 0.0.0.0/0 to the TGW."""
    v = w.vpc(cidr)
    net = cidr.rsplit(".", 2)[0]
    sn = w.subnet(v, f"{net}.0.0/24", az)
    i = w.instance(sn, f"{net}.0.10", w.open_sg(v, "10.0.0.0/8"))
    att = w.tgw_attach(tgw, v, sn)
    w.route(w.main_rtb(v), "0.0.0.0/0", tgw)
    return i, att


def inspection(w, appliance_mode, src_dst_check=False):
    """Spokes A (10.1.0.0/16, us-east-1a) and B (10.2.0.0/16, us-east-1b) send everything to the
    TGW, whose spoke table sends 0.0.0.0/0 to the inspection VPC (10.100.0.0/16). There, the TGW
    subnet of each AZ routes 0.0.0.0/0 to that AZ's appliance ENI, and the appliance subnets
    route 0.0.0.0/0 back to the TGW, where the inspection table has the spokes propagated."""
    tgw = w.tgw()
    a, att_a = spoke(w, tgw, "10.1.0.0/16", "a")
    b, att_b = spoke(w, tgw, "10.2.0.0/16", "b")
    vi = w.vpc("10.100.0.0/16")
    tgw_sub = {az: w.subnet(vi, f"10.100.0.{16 * n}/28", az) for n, az in enumerate("ab")}
    appl_sub = {az: w.subnet(vi, f"10.100.{n + 1}.0/24", az) for n, az in enumerate("ab")}
    sg = w.open_sg(vi, "10.0.0.0/8")
    appl = {az: w.instance(appl_sub[az], f"10.100.{n + 1}.10", sg, src_dst_check=src_dst_check)
            for n, az in enumerate("ab")}
    for az in "ab":
        w.route(w.rtb(vi, tgw_sub[az]), "0.0.0.0/0", w.enis[appl[az]])
    att_i = w.tgw_attach(tgw, vi, tgw_sub["a"], tgw_sub["b"], appliance=appliance_mode)
    w.route(w.rtb(vi, *appl_sub.values()), "0.0.0.0/0", tgw)
    rt_spokes, rt_insp = w.tgw_rtb(tgw), w.tgw_rtb(tgw)
    for att in (att_a, att_b):
        w.tgw_assoc(rt_spokes, att)
        w.tgw_prop(rt_insp, att)
    w.tgw_route(rt_spokes, "0.0.0.0/0", att_i)
    w.tgw_assoc(rt_insp, att_i)
    return {"a": a, "b": b, "appl_a": appl["a"], "appl_b": appl["b"], "att_i": att_i,
            "rt_spokes": rt_spokes, "rt_insp": rt_insp}


@scenario(
    E("a", "b", port=443, fwd=("rt_spokes", "rt_insp", "b"), ret=("rt_spokes", "rt_insp", "a"),
      same_on_both=("appl_a", "appl_b")),
    E("b", "a", port=22, same_on_both=("appl_a", "appl_b")),
    E("a", "b", proto="udp", port=4789, same_on_both=("appl_a", "appl_b")),
)
def appliance_mode_on(w):
    """Appliance mode on the inspection attachment: both directions of a flow pass the same
    appliance, whichever AZ the flow hash picked."""
    return inspection(w, appliance_mode=True)


@scenario(
    # Without appliance mode the TGW stays in the sender's AZ: A's packets go to the us-east-1a
    # appliance, B's replies to the us-east-1b one (the asymmetry stateful appliances break on).
    E("a", "b", port=443, fwd=("rt_spokes", "appl_a", "rt_insp", "b"), fwd_not=("appl_b",),
      ret=("rt_spokes", "appl_b", "rt_insp", "a"), ret_not=("appl_a",)),
    E("b", "a", port=443, fwd=("appl_b",), fwd_not=("appl_a",), ret=("appl_a",),
      ret_not=("appl_b",)),
)
def appliance_mode_off(w):
    """The same inspection design without appliance mode."""
    return inspection(w, appliance_mode=False)


@scenario(
    E("a", "b", port=443, found=False, code="ENI_SOURCE_DEST_CHECK_RESTRICTION",
      at=("appl_a",), fwd=("rt_spokes",)),
    E("b", "a", port=443, found=False, code="ENI_SOURCE_DEST_CHECK_RESTRICTION",
      at=("appl_b",)),
)
def appliance_source_dest_check_on(w):
    """The appliances keep their source/destination check: they may not receive packets
    addressed to others."""
    return inspection(w, appliance_mode=False, src_dst_check=True)


def central_egress(w, route_back=True):
    """Spokes A (10.1.0.0/16) and B (10.2.0.0/16) send 0.0.0.0/0 to the TGW. The spoke table
    sends 0.0.0.0/0 to the egress VPC (192.168.0.0/16) and blackholes 10.0.0.0/8; the egress
    table has the spokes propagated. In the egress VPC the TGW subnet routes 0.0.0.0/0 to a NAT
    gateway, whose public subnet routes 0.0.0.0/0 to the internet gateway and (route_back)
    10.0.0.0/8 to the TGW."""
    tgw = w.tgw()
    a, att_a = spoke(w, tgw, "10.1.0.0/16", "a")
    b, att_b = spoke(w, tgw, "10.2.0.0/16", "a")
    ve = w.vpc("192.168.0.0/16")
    tgw_sub, pub = w.subnet(ve, "192.168.0.0/28"), w.subnet(ve, "192.168.1.0/24")
    igw = w.igw(ve)
    att_e = w.tgw_attach(tgw, ve, tgw_sub)
    rt_pub = w.rtb(ve, pub)
    w.route(rt_pub, "0.0.0.0/0", igw)
    if route_back:
        w.route(rt_pub, "10.0.0.0/8", tgw)
    nat = w.nat(pub)
    w.route(w.rtb(ve, tgw_sub), "0.0.0.0/0", nat)
    rt_spokes, rt_egress = w.tgw_rtb(tgw), w.tgw_rtb(tgw)
    for att in (att_a, att_b):
        w.tgw_assoc(rt_spokes, att)
        w.tgw_prop(rt_egress, att)
    w.tgw_route(rt_spokes, "0.0.0.0/0", att_e)
    w.tgw_route(rt_spokes, "10.0.0.0/8")
    w.tgw_assoc(rt_egress, att_e)
    return {"a": a, "b": b, "nat": nat, "igw": igw, "rt_pub": rt_pub, "rt_spokes": rt_spokes,
            "rt_egress": rt_egress}


@scenario(
    E("a", ip=INTERNET_HOST, port=443, fwd=("rt_spokes", "nat", "igw"),
      ret=("igw", "nat", "rt_egress", "a")),
    E("b", ip=INTERNET_HOST, port=80, fwd=("nat", "igw"), ret=("nat", "b")),
    E("a", "b", found=False, code="TGW_RTB_BAD_STATE_ROUTE", at=("rt_spokes",), fwd_not=("nat",)),
)
def centralized_egress(w):
    """Centralized egress through a NAT gateway in a shared egress VPC."""
    return central_egress(w)


@scenario(
    # The NAT gateway translates the reply back to 10.1.0.10, and the public subnet's only
    # matching route is 0.0.0.0/0 to the internet gateway, which refuses private destinations.
    E("a", ip=INTERNET_HOST, port=443, found=False,
      code="IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS", on="return", at=("igw",),
      fwd=("nat", "igw"), ret=("igw", "nat", "rt_pub")),
)
def centralized_egress_without_route_back(w):
    """The egress VPC's public subnet has no route back to the TGW for the spokes."""
    return central_egress(w, route_back=False)


@pytest.mark.parametrize("sc", SCENARIOS, ids=lambda s: s.name)
def test_scenario(world, sc):
    run(world, sc)
