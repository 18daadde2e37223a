"""The VPC's Amazon DNS server with real resolvers (issue 6, acceptance 5): glibc's getent inside
instance namespaces, whose resolv.conf vpcd writes (nameserver = the VPC base + 2), resolves
the Amazon-provided private names of its own VPC, of a peered VPC only once the peering's
AllowDnsResolutionFromRemoteVpc is on, reverse names, and nothing else.

    VPC A 10.0.0.0/16 (requester)  --- pcx ---  VPC B 10.1.0.0/16 (accepter)
      a 10.0.1.5                                  b 10.1.1.5
"""
import subprocess
import time

import pytest


def getent(ns, *args):
    r = subprocess.run(["ip", "netns", "exec", ns, "getent", *args], capture_output=True,
                       text=True, timeout=30)
    return r.stdout.split() if r.returncode == 0 else None


def design(w):
    ec2 = w.ec2()
    ep = {}
    for name, cidr, net in (("a", "10.0.0.0/16", "10.0"), ("b", "10.1.0.0/16", "10.1")):
        v = w.vpc(cidr)
        ec2.modify_vpc_attribute(VpcId=v, EnableDnsHostnames={"Value": True})
        sn = w.subnet(v, f"{net}.1.0/24")
        ep[name] = w.instance(sn, f"{net}.1.5", w.open_sg(v, "10.0.0.0/8"))
        ep[name + "_vpc"] = v
    ep["pcx"] = w.peer(ep["a_vpc"], ep["b_vpc"])
    return ep


@pytest.fixture(scope="module")
def net(bench):
    return bench.build(design)


def test_resolv_conf_names_the_vpc_resolver(net):
    with open(f"/etc/netns/{net['a']}/resolv.conf") as f:
        text = f.read()
    assert "nameserver 10.0.0.2\n" in text, text
    assert "search ec2.internal\n" in text, text


def test_own_vpc_private_names(bench, net):
    assert getent(net["a"], "hosts", "ip-10-0-1-5.ec2.internal") == \
        ["10.0.1.5", "ip-10-0-1-5.ec2.internal"]
    assert getent(net["b"], "hosts", "ip-10-1-1-5.ec2.internal") == \
        ["10.1.1.5", "ip-10-1-1-5.ec2.internal"]
    # The search domain completes the short name.
    assert getent(net["a"], "hosts", "ip-10-0-1-5")[0] == "10.0.1.5"
    # Reverse: the address's private name.
    assert getent(net["a"], "hosts", "10.0.1.5") == ["10.0.1.5", "ip-10-0-1-5.ec2.internal"]
    assert bench.vpcd.metrics().get('vpcd_dp_answers_total{kind="dns"}', 0) > 0


def test_other_names_are_nxdomain_at_once(net):
    t0 = time.monotonic()
    assert getent(net["a"], "hosts", "example.com") is None
    assert getent(net["a"], "hosts", "ip-10-0-9-9.ec2.internal") is None  # nobody holds it
    # NXDOMAIN answers, not timeouts (glibc waits 5 s per try for a resolver that is silent).
    assert time.monotonic() - t0 < 4


def test_peer_names_only_with_allow_dns_resolution(bench, net):
    assert getent(net["b"], "hosts", "ip-10-0-1-5.ec2.internal") is None
    ec2 = bench.w.ec2()
    ec2.modify_vpc_peering_connection_options(
        VpcPeeringConnectionId=net["pcx"],
        RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True})
    try:
        # A (the requester) lets B's instances resolve A's names; not the other way round.
        assert getent(net["b"], "hosts", "ip-10-0-1-5.ec2.internal") == \
            ["10.0.1.5", "ip-10-0-1-5.ec2.internal"]
        assert getent(net["a"], "hosts", "ip-10-1-1-5.ec2.internal") is None
    finally:
        ec2.modify_vpc_peering_connection_options(
            VpcPeeringConnectionId=net["pcx"],
            RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": False})
    assert getent(net["b"], "hosts", "ip-10-0-1-5.ec2.internal") is None


def test_hostnames_off_means_no_private_names(bench, net):
    ec2 = bench.w.ec2()
    ec2.modify_vpc_attribute(VpcId=net["a_vpc"], EnableDnsHostnames={"Value": False})
    try:
        assert getent(net["a"], "hosts", "ip-10-0-1-5.ec2.internal") is None
    finally:
        ec2.modify_vpc_attribute(VpcId=net["a_vpc"], EnableDnsHostnames={"Value": True})
    assert getent(net["a"], "hosts", "ip-10-0-1-5.ec2.internal")[0] == "10.0.1.5"
