"""IPv6 through the data plane (issue 5, acceptance 3): two dual-stack VPCs peered, each with
one instance holding an IPv6 address from its subnet's /64; ping6 and TCP over IPv6 between
them, both ways, and the same packets refused when the peer's IPv6 route is missing or the
security group does not admit IPv6.

    VPC A 10.40.0.0/16 + Amazon /56          VPC B 10.41.0.0/16 + Amazon /56
     subnet 10.40.1.0/24 + /64  --- pcx ---   subnet 10.41.1.0/24 + /64
       a (10.40.1.10, ::/64 address)            b (10.41.1.10, ::/64 address)
"""
import ipaddress
import subprocess
import time

import pytest

import replay

SERVER = r"""
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", int(sys.argv[1])))
s.listen(8)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    c.sendall(c.recv(100))
    c.close()
"""

CLIENT = r"""
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1)
s.sendall(b"hello6")
print(s.recv(100).decode())
"""


def ipv6_block(ec2, vpc):
    ec2.associate_vpc_cidr_block(VpcId=vpc, AmazonProvidedIpv6CidrBlock=True)
    v = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]
    return ipaddress.ip_network(v["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"])


def design(w):
    ec2 = w.ec2()
    va, vb = w.vpc("10.40.0.0/16"), w.vpc("10.41.0.0/16")
    blocks = {va: ipv6_block(ec2, va), vb: ipv6_block(ec2, vb)}
    ep = {"blocks": blocks}
    for name, v, net in (("a", va, "10.40"), ("b", vb, "10.41")):
        sixty4 = next(blocks[v].subnets(new_prefix=64))
        sn = ec2.create_subnet(VpcId=v, CidrBlock=f"{net}.1.0/24", Ipv6CidrBlock=str(sixty4),
                               AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        sg = w.default_sg(v)
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "icmpv6", "FromPort": -1, "ToPort": -1,
             "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
            {"IpProtocol": "tcp", "FromPort": 7000, "ToPort": 7000,
             "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
        # A block added to an existing VPC brings no IPv6 egress rule (as on AWS): add it.
        ec2.authorize_security_group_egress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
        r = ec2.run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1,
                              MaxCount=1, SubnetId=sn, PrivateIpAddress=f"{net}.1.10",
                              Ipv6AddressCount=1)["Instances"][0]
        iid = r["InstanceId"]
        replay.ledger("ns", iid)
        w.created.append(iid)
        eni = r["NetworkInterfaces"][0]
        ep[name] = iid
        ep[name + "6"] = eni["Ipv6Addresses"][0]["Ipv6Address"]
        ep[name + "_vpc"] = v
        ep[name + "_sg"] = sg
    pcx = w.peer(va, vb)
    ep["pcx"] = pcx
    for src, dst in ((va, vb), (vb, va)):
        rtb = w.main_rtb(src)
        ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock=str(blocks[dst]),
                         VpcPeeringConnectionId=pcx)
    ep["rtb_b"] = w.main_rtb(vb)
    return ep


def ping6(ns, addr):
    r = subprocess.run(["ip", "netns", "exec", ns, "ping", "-6", "-c1", "-W1", addr],
                       capture_output=True, text=True)
    return r.returncode == 0


def tcp6(ns, addr, port=7000):
    r = subprocess.run(["ip", "netns", "exec", ns, "/usr/bin/python3", "-c", CLIENT, addr,
                        str(port)], capture_output=True, text=True, timeout=10)
    return r.returncode == 0 and r.stdout.strip() == "hello6"


@pytest.fixture(scope="module")
def net(bench):
    ep = bench.build(design)
    servers = []
    for name in ("a", "b"):
        p = subprocess.Popen(["ip", "netns", "exec", ep[name], "/usr/bin/python3", "-c", SERVER,
                              "7000"], stdout=subprocess.PIPE, text=True)
        servers.append(p)
        assert p.stdout.readline().strip() == "ready"
    # The kernel's duplicate address detection is off for these addresses (nodad), but the
    # first neighbour resolution may still take a moment.
    for _ in range(50):
        if ping6(ep["a"], ep["b6"]):
            break
        time.sleep(0.05)
    try:
        yield ep
    finally:
        for p in servers:
            p.kill()
            p.wait()


def test_instances_hold_their_ipv6_addresses(net):
    for name in ("a", "b"):
        out = subprocess.run(["ip", "-n", net[name], "-6", "addr", "show", "dev", "eth0"],
                             capture_output=True, text=True).stdout
        assert f"{net[name + '6']}/64" in out, out
        route = subprocess.run(["ip", "-n", net[name], "-6", "route", "show", "default"],
                               capture_output=True, text=True).stdout
        block = next(net["blocks"][net[name + "_vpc"]].subnets(new_prefix=64))
        assert f"default via {block.network_address + 1} dev eth0" in route, route


def test_ping6_and_tcp_over_ipv6_across_the_peering(net):
    assert ping6(net["a"], net["b6"])
    assert ping6(net["b"], net["a6"])
    assert tcp6(net["a"], net["b6"])
    assert tcp6(net["b"], net["a6"])


def test_subnet_router_answers_ping6(net):
    block = next(net["blocks"][net["a_vpc"]].subnets(new_prefix=64))
    assert ping6(net["a"], str(block.network_address + 1))


def test_ipv6_refused_without_the_security_group_rule(bench, net):
    ec2 = bench.w.ec2()
    ec2.revoke_security_group_ingress(GroupId=net["b_sg"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 7000, "ToPort": 7000,
         "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    try:
        assert not tcp6(net["a"], net["b6"])
        assert ping6(net["a"], net["b6"])  # icmpv6 is still admitted
    finally:
        ec2.authorize_security_group_ingress(GroupId=net["b_sg"], IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 7000, "ToPort": 7000,
             "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    assert tcp6(net["a"], net["b6"])


def test_ipv6_needs_the_return_route(bench, net):
    ec2 = bench.w.ec2()
    block_a = str(net["blocks"][net["a_vpc"]])
    ec2.delete_route(RouteTableId=net["rtb_b"], DestinationIpv6CidrBlock=block_a)
    try:
        assert not ping6(net["a"], net["b6"])
        assert not tcp6(net["a"], net["b6"])
    finally:
        ec2.create_route(RouteTableId=net["rtb_b"], DestinationIpv6CidrBlock=block_a,
                         VpcPeeringConnectionId=net["pcx"])
    assert ping6(net["a"], net["b6"])


def test_deleting_the_peering_stops_traffic_at_once(bench, net):
    """Last in the module: the peering goes, and with it every packet between the VPCs, tracked
    or not (a route to a deleted peering is a blackhole)."""
    assert ping6(net["a"], net["b6"])
    bench.w.ec2().delete_vpc_peering_connection(VpcPeeringConnectionId=net["pcx"])
    assert not ping6(net["a"], net["b6"])
    assert not tcp6(net["a"], net["b6"])
    r = subprocess.run(["ip", "netns", "exec", net["a"], "ping", "-c1", "-W1", "10.41.1.10"],
                       capture_output=True)
    assert r.returncode != 0
    assert bench.vpcd.metrics().get('vpcd_dp_drops_total{reason="BAD_STATE_ROUTE"}', 0) > 0
