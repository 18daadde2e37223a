"""One-VPC basics: security groups, network ACLs (ephemeral ports, rule order, same-subnet
bypass), route states, and the internet through an internet gateway and a NAT gateway."""
import pytest

from harness import INTERNET_HOST
from harness import Expect as E
from harness import registry, run

SCENARIOS = []
scenario = registry(SCENARIOS)

VPC = "10.20.0.0/16"


def one_vpc(w):
    v = w.vpc(VPC)
    return v, w.subnet(v, "10.20.1.0/24"), w.subnet(v, "10.20.2.0/24", az="b")


# --- security groups --------------------------------------------------------------------------
@scenario(
    E("i1", "i2", port=22, fwd=("i1", "i2"), ret=("i2", "i1"), fwd_not=("acl", "rtb"),
      ret_not=("acl", "rtb")),
    E("i2", "i1", proto="udp", port=53, fwd_not=("acl",)),
)
def same_subnet_default_group(w):
    """Two instances in one subnet in the default group (which admits itself): delivered
    without NACLs or a route lookup."""
    v, s1, _ = one_vpc(w)
    i1, i2 = w.instance(s1, "10.20.1.10"), w.instance(s1, "10.20.1.11")
    return {"i1": i1, "i2": i2, "acl": w.default_acl(v), "rtb": w.main_rtb(v)}


@scenario(
    E("i1", "i2", found=False, code="ENI_SG_RULES_MISMATCH", at=("i2", "closed"),
      direction="ingress", fwd=("i1",)),
    E("i2", "i1", port=80),
)
def group_without_ingress(w):
    """The destination's only group has no inbound rule."""
    v, s1, _ = one_vpc(w)
    closed = w.sg(v, "closed")
    i1, i2 = w.instance(s1, "10.20.1.10"), w.instance(s1, "10.20.1.11", closed)
    w.of(v).authorize_security_group_ingress(
        GroupId=w.default_sg(v), IpPermissions=[{"IpProtocol": "-1",
                                                 "UserIdGroupPairs": [{"GroupId": closed}]}])
    return {"i1": i1, "i2": i2, "closed": closed}


@scenario(
    E("i1", "i2", found=False, code="ENI_SG_RULES_MISMATCH", at=("i1", "mute"),
      direction="egress"),
    E("i2", "i1", port=443),
)
def group_without_egress(w):
    """The source's group had its allow-all outbound rule revoked; replies still leave it."""
    v, s1, _ = one_vpc(w)
    mute = w.sg(v, "mute", ingress=[("-1", None, None, VPC)], egress=[])
    i1, i2 = w.instance(s1, "10.20.1.10", mute), w.instance(s1, "10.20.1.11", w.open_sg(v))
    return {"i1": i1, "i2": i2, "mute": mute}


@scenario(
    E("c", "s", port=22),
    E("c", "s", port=80, found=False, code="ENI_SG_RULES_MISMATCH", at=("s", "ssh"),
      direction="ingress"),
    E("c", "s", proto="udp", port=22, found=False, code="ENI_SG_RULES_MISMATCH", at=("s",)),
)
def group_port_specific(w):
    """The server admits tcp 22 from the VPC only."""
    v, s1, s2 = one_vpc(w)
    ssh = w.sg(v, "ssh", ingress=[("tcp", 22, 22, VPC)])
    return {"c": w.instance(s1, "10.20.1.10"), "s": w.instance(s2, "10.20.2.10", ssh),
            "ssh": ssh}


@scenario(
    E("app", "db", port=5432, fwd=("app", "acl", "rtb", "db"), ret=("db", "acl", "rtb", "app")),
    E("other", "db", port=5432, found=False, code="ENI_SG_RULES_MISMATCH", at=("db", "db_sg"),
      direction="ingress"),
    E("app", "db", port=5433, found=False, code="ENI_SG_RULES_MISMATCH", at=("db",)),
)
def group_references_group(w):
    """The database admits tcp 5432 from members of the app group, in another subnet."""
    v, s1, s2 = one_vpc(w)
    app_sg = w.sg(v, "app")
    db_sg = w.sg(v, "db", ingress=[("tcp", 5432, 5432, app_sg)])
    app, other = w.instance(s1, "10.20.1.10", app_sg), w.instance(s1, "10.20.1.11")
    db = w.instance(s2, "10.20.2.10", db_sg)
    return {"app": app, "other": other, "db": db, "db_sg": db_sg, "acl": w.default_acl(v),
            "rtb": w.main_rtb(v)}


# --- network ACLs -----------------------------------------------------------------------------
def web_over_peering(w, ephemeral):
    """Client B 10.0.0.0/16 -> web server A 172.16.0.0/16 over a pcx. A's subnet ACL admits
    tcp 80 from B and lets out tcp 80 to B, and with `ephemeral` also ports 1024-65535."""
    va, vb = w.vpc("172.16.0.0/16"), w.vpc("10.0.0.0/16")
    sa = w.subnet(va, "172.16.0.0/24")
    web = w.sg(va, "web", ingress=[("tcp", 80, 80, "10.0.0.0/16")])
    a = w.instance(sa, "172.16.0.10", web)
    b = w.instance(w.subnet(vb, "10.0.0.0/24"), "10.0.0.10")
    pcx = w.peer(va, vb)
    w.route(w.main_rtb(va), "10.0.0.0/16", pcx)
    w.route(w.main_rtb(vb), "172.16.0.0/16", pcx)
    entries = [(100, "in", "6", "allow", "10.0.0.0/16", 80, 80),
               (100, "out", "6", "allow", "10.0.0.0/16", 80, 80)]
    if ephemeral:
        entries.append((110, "out", "6", "allow", "10.0.0.0/16", 1024, 65535))
    acl = w.nacl(va, [sa], entries)
    return {"a": a, "b": b, "pcx": pcx, "acl": acl}


@scenario(
    # The reply goes to the client's ephemeral port 49152: no outbound rule admits it.
    E("b", "a", port=80, found=False, code="SUBNET_ACL_RESTRICTION", on="return", at=("acl",),
      rule=32767, direction="egress", fwd=("pcx", "acl", "a")),
)
def nacl_without_ephemeral_ports(w):
    """A NACL that opens only port 80 both ways: the request passes, the reply is blocked."""
    return web_over_peering(w, ephemeral=False)


@scenario(
    E("b", "a", port=80, fwd=("pcx", "acl", "a"), ret=("a", "acl", "pcx")),
    E("b", "a", port=81, found=False, code="SUBNET_ACL_RESTRICTION", at=("acl",), rule=32767,
      direction="ingress"),
)
def nacl_with_ephemeral_ports(w):
    """The same NACL with outbound 1024-65535 to the client: reachable, port 80 only."""
    return web_over_peering(w, ephemeral=True)


@scenario(
    E("c", "s", port=80, found=False, code="SUBNET_ACL_RESTRICTION", on="return", at=("acl",),
      rule=32767, direction="ingress", fwd=("acl", "s")),
)
def nacl_client_side_without_ephemeral_ports(w):
    """The client's subnet lets out tcp 80 and admits only tcp 80 back: the reply to port 49152
    is dropped entering the client's subnet."""
    v, s1, s2 = one_vpc(w)
    c = w.instance(s1, "10.20.1.10")
    s = w.instance(s2, "10.20.2.10", w.open_sg(v, VPC))
    acl = w.nacl(v, [s1], [(100, "out", "6", "allow", "10.20.2.0/24", 80, 80),
                           (100, "in", "6", "allow", "10.20.2.0/24", 80, 80)])
    return {"c": c, "s": s, "acl": acl}


@scenario(
    E("c", "s", port=22, found=False, code="SUBNET_ACL_RESTRICTION", at=("acl",), rule=90,
      direction="ingress"),
    E("c", "s", port=443, fwd=("acl", "s"), ret=("s", "acl")),
    E("s", "c", port=22, fwd=("acl", "c")),
)
def nacl_deny_before_allow(w):
    """Rule 90 denies tcp 22 from the client subnet before rule 100 allows everything."""
    v, s1, s2 = one_vpc(w)
    sg = w.open_sg(v, VPC)
    c, s = w.instance(s1, "10.20.1.10", sg), w.instance(s2, "10.20.2.10", sg)
    acl = w.nacl(v, [s2], [(90, "in", "6", "deny", "10.20.1.0/24", 22, 22),
                           (100, "in", "-1", "allow", "0.0.0.0/0", None, None),
                           (100, "out", "-1", "allow", "0.0.0.0/0", None, None)])
    return {"c": c, "s": s, "acl": acl}


@scenario(
    E("i1", "i2", port=22, fwd_not=("acl",)),
    E("i1", "i3", port=22, found=False, code="SUBNET_ACL_RESTRICTION", at=("acl",),
      rule=32767, direction="egress"),
)
def nacl_not_applied_within_subnet(w):
    """A new custom NACL (only the * deny rules) on a subnet: its instances still talk to each
    other, nothing leaves the subnet."""
    v, s1, s2 = one_vpc(w)
    i1, i2 = w.instance(s1, "10.20.1.10"), w.instance(s1, "10.20.1.11")
    i3 = w.instance(s2, "10.20.2.10")
    acl = w.nacl(v, [s1], [])
    return {"i1": i1, "i2": i2, "i3": i3, "acl": acl}


# --- routes and states ------------------------------------------------------------------------
def public_private(w):
    """A VPC with an internet gateway: public subnet (0.0.0.0/0 -> igw), private subnet on the
    main table."""
    v = w.vpc(VPC)
    pub, priv = w.subnet(v, "10.20.1.0/24"), w.subnet(v, "10.20.2.0/24")
    igw = w.igw(v)
    rtb_pub = w.rtb(v, pub)
    w.route(rtb_pub, "0.0.0.0/0", igw)
    return v, pub, priv, igw, rtb_pub


@scenario(
    E("i", ip=INTERNET_HOST, port=443, found=False, code="BAD_STATE_ROUTE", at=("rtb",)),
)
def blackhole_route_to_deleted_nat(w):
    """The private subnet's default route points at a NAT gateway that was deleted."""
    v, pub, priv, igw, _ = public_private(w)
    nat = w.nat(pub)
    rtb = w.main_rtb(v)
    w.route(rtb, "0.0.0.0/0", nat)
    i = w.instance(priv, "10.20.2.10")
    w.of(v).delete_nat_gateway(NatGatewayId=nat)
    assert w.route_state(rtb, "0.0.0.0/0") == ["blackhole"]
    return {"i": i, "rtb": rtb}


@scenario(
    E("i1", "i2", found=False, code="BAD_STATE", at=("i2",)),
    E("i1", "i3"),
)
def stopped_destination(w):
    """The destination instance is stopped."""
    v, s1, _ = one_vpc(w)
    i1, i2, i3 = (w.instance(s1, f"10.20.1.{n}") for n in (10, 11, 12))
    c = w.of(v)
    c.stop_instances(InstanceIds=[i2])
    got = c.describe_instances(InstanceIds=[i2])["Reservations"][0]["Instances"][0]
    assert got["State"]["Name"] == "stopped"
    return {"i1": i1, "i2": i2, "i3": i3}


@scenario(
    E("i", ip=INTERNET_HOST, port=443, found=False, code="NO_ROUTE_TO_DESTINATION", at=("rtb",)),
    E("i", ip="10.21.0.1", port=443, found=False, code="NO_ROUTE_TO_DESTINATION", at=("rtb",)),
)
def no_route(w):
    """A private subnet with only the local route."""
    v, s1, _ = one_vpc(w)
    return {"i": w.instance(s1, "10.20.1.10"), "rtb": w.main_rtb(v)}


@scenario(
    E("i", ip="10.20.2.99", found=False, code="NO_POSSIBLE_DESTINATION", at=("s2",)),
    E("i", ip="10.20.9.9", found=False, code="NO_POSSIBLE_DESTINATION", at=("vpc",)),
    E("i", ip="10.20.2.10"),
)
def no_possible_destination(w):
    """The local route delivers into the VPC, but nothing holds the address: a subnet without
    that ENI, and an address no subnet covers."""
    v, s1, s2 = one_vpc(w)
    i = w.instance(s1, "10.20.1.10")
    w.instance(s2, "10.20.2.10")
    return {"i": i, "s2": s2, "vpc": v}


@scenario(
    E("i", ip="198.51.100.1", port=443, fwd=("rtb", "nat", "igw"), ret=("igw", "nat")),
    E("i", ip="192.0.2.1", port=443, found=False, code="IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
      at=("igw",), fwd_not=("nat",)),
)
def longest_prefix_picks_target(w):
    """The private subnet sends 198.51.100.0/24 to a NAT gateway and 0.0.0.0/0 straight to the
    internet gateway, where its instance has no public address."""
    v, pub, priv, igw, _ = public_private(w)
    nat = w.nat(pub)
    rtb = w.main_rtb(v)
    w.route(rtb, "0.0.0.0/0", igw)
    w.route(rtb, "198.51.100.0/24", nat)
    return {"i": w.instance(priv, "10.20.2.10"), "rtb": rtb, "nat": nat, "igw": igw}


# --- the internet -----------------------------------------------------------------------------
@scenario(
    E("i", ip=INTERNET_HOST, port=443, fwd=("i", "rtb", "igw"), ret=("igw", "i")),
    E("i", ip=INTERNET_HOST, proto="udp", port=53, fwd=("igw",)),
)
def internet_with_elastic_ip(w):
    """An instance with an Elastic IP in a public subnet."""
    v, pub, _, igw, rtb = public_private(w)
    i = w.instance(pub, "10.20.1.10")
    w.eip(i)
    return {"i": i, "igw": igw, "rtb": rtb}


@scenario(
    E("i", ip=INTERNET_HOST, port=443, found=False, code="IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
      at=("igw",)),
)
def internet_without_public_ip(w):
    """A public subnet, but the instance has no public or Elastic IP."""
    v, pub, _, igw, _ = public_private(w)
    return {"i": w.instance(pub, "10.20.1.10"), "igw": igw}


@scenario(
    E("i", ip=INTERNET_HOST, port=443, fwd=("rtb", "nat", "igw"), ret=("igw", "nat", "i")),
)
def internet_through_nat_gateway(w):
    """A private subnet reaching the internet through a NAT gateway in the public subnet."""
    v, pub, priv, igw, _ = public_private(w)
    nat = w.nat(pub)
    rtb = w.main_rtb(v)
    w.route(rtb, "0.0.0.0/0", nat)
    return {"i": w.instance(priv, "10.20.2.10"), "rtb": rtb, "nat": nat, "igw": igw}


@scenario(
    E("i", ip="10.99.0.5", port=443, found=False,
      code="IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS", at=("igw",)),
    E("i", ip="100.64.0.5", port=443, found=False,
      code="IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS", at=("igw",)),
    E("i", ip=INTERNET_HOST, port=443, fwd=("igw",)),
)
def internet_gateway_refuses_private_destinations(w):
    """Routes send 10.99.0.0/16 and 100.64.0.0/10 to the internet gateway."""
    v, pub, _, igw, rtb = public_private(w)
    w.route(rtb, "10.99.0.0/16", igw)
    w.route(rtb, "100.64.0.0/10", igw)
    i = w.instance(pub, "10.20.1.10")
    w.eip(i)
    return {"i": i, "igw": igw}


@scenario(
    E("igw", "web", port=443, fwd=("igw", "web"), ret=("web", "igw")),
    E("igw", "web", port=22, found=False, code="ENI_SG_RULES_MISMATCH", at=("web", "web_sg"),
      direction="ingress"),
)
def internet_to_instance(w):
    """From the internet through the gateway to a web server's Elastic IP."""
    v, pub, _, igw, _ = public_private(w)
    web_sg = w.sg(v, "web", ingress=[("tcp", 443, 443, "0.0.0.0/0")])
    web = w.instance(pub, "10.20.1.10", web_sg)
    w.eip(web)
    return {"igw": igw, "web": web, "web_sg": web_sg}


@pytest.mark.parametrize("sc", SCENARIOS, ids=lambda s: s.name)
def test_scenario(world, sc):
    run(world, sc)
