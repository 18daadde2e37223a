"""The edge with real programs (issue 6, acceptance 1-3): the internet host in vpcd-internet
(198.51.100.1) serving HTTP, reached with curl from a spoke through centralized egress
(TGW -> egress VPC -> NAT gateway -> IGW), an instance with an Elastic IP serving HTTP to the
internet host, IPv6 out through an egress-only internet gateway, and NAT port exhaustion.

    spokes A 10.1.0.0/16, B 10.2.0.0/16 --TGW--> egress VPC 192.168.0.0/16
                                                  tgw subnet -> NAT gw (public subnet) -> IGW
    public VPC 10.30.0.0/16: web (EIP), dark (no public IP)
    IPv6 VPC 10.31.0.0/16 + /56, no IGW: v6 (IPv6, EIGW for ::/0)
"""
import ipaddress
import re
import subprocess
import time

import pytest

import replay
import test_centralized as centralized

INTERNET = "198.51.100.1"
INTERNET6 = "2001:db8:ffff::1"

# An HTTP server that answers every GET with the address the request came from.
HTTP_SERVER = r"""
import http.server, socket, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.client_address[0].removeprefix("::ffff:").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
class S(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6
    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()
s = S(("::", int(sys.argv[1])), H)
print("ready", flush=True)
s.serve_forever()
"""

# Counts UDP datagrams (the NAT exhaustion target), so the internet host answers none of them
# with port-unreachable errors.
UDP_SINK = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
print("ready", flush=True)
n = 0
while True:
    s.recv(64)
    n += 1
"""

# One datagram from each source port in [first, last], paced so no queue overflows on the
# way to vpcd: every datagram must reach the NAT gateway for the counts to be exact.
UDP_FLOOD = r"""
import socket, sys, time
first, last, dst, port = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
for i, sport in enumerate(range(first, last + 1)):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", sport))
    s.sendto(b"x", (dst, port))
    s.close()
    if i % 200 == 199:
        time.sleep(0.004)
print("sent", last - first + 1, flush=True)
"""


def ns_run(ns, *cmd, timeout=20):
    return subprocess.run(["ip", "netns", "exec", ns, *cmd], capture_output=True, text=True,
                          timeout=timeout)


def curl(ns, url, six=False):
    """The body of a GET, or None when it fails (3 s)."""
    r = ns_run(ns, "curl", "-s", "-6" if six else "-4", "-m", "3", "-g", url)
    return r.stdout if r.returncode == 0 else None


def start(ns, script, *args):
    p = subprocess.Popen(["ip", "netns", "exec", ns, "/usr/bin/python3", "-c", script,
                          *map(str, args)], stdout=subprocess.PIPE, text=True)
    replay.ledger("pid", p.pid)
    assert p.stdout.readline().strip() == "ready"
    return p


def drops(bench, reason):
    return bench.vpcd.metrics().get(f'vpcd_dp_drops_total{{reason="{reason}"}}', 0)


def ipv6_subnet(w, ec2, v, cidr):
    ec2.associate_vpc_cidr_block(VpcId=v, AmazonProvidedIpv6CidrBlock=True)
    block = ipaddress.ip_network(ec2.describe_vpcs(VpcIds=[v])["Vpcs"][0]
                                 ["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"])
    sixty4 = next(block.subnets(new_prefix=64))
    sn = ec2.create_subnet(VpcId=v, CidrBlock=cidr, Ipv6CidrBlock=str(sixty4),
                           AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    return w._own(sn, v)


def web_sg(w, ec2, v):
    sg = w.sg(v, "web", ingress=[("tcp", 80, 80, "0.0.0.0/0")])
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
         "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    # Created after the VPC got its IPv6 block, the group has the ::/0 egress rule already.
    return sg


def public_design(w):
    """The internet-facing VPC 10.30.0.0/16: a public subnet routing 0.0.0.0/0 to the IGW, web
    with an EIP, dark without a public address. The IPv6-only-out VPC 10.31.0.0/16: no IGW,
    ::/0 to an egress-only gateway, v6 with an IPv6 address (its SG admits tcp/80 from ::/0,
    so only the gateway refuses what the internet starts)."""
    ec2 = w.ec2()
    v = w.vpc("10.30.0.0/16")
    sn = w.subnet(v, "10.30.1.0/24")
    igw = w.igw(v)
    w.route(w.main_rtb(v), "0.0.0.0/0", igw)
    sg = web_sg(w, ec2, v)
    web = w.instance(sn, "10.30.1.10", sg)
    web_ip = w.eip(web)
    dark = w.instance(sn, "10.30.1.11", sg)

    v6vpc = w.vpc("10.31.0.0/16")
    sn6 = ipv6_subnet(w, ec2, v6vpc, "10.31.1.0/24")
    eigw = ec2.create_egress_only_internet_gateway(VpcId=v6vpc)["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"]
    ec2.create_route(RouteTableId=w.main_rtb(v6vpc), DestinationIpv6CidrBlock="::/0",
                     EgressOnlyInternetGatewayId=eigw)
    r = ec2.run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1,
                          MaxCount=1, SubnetId=sn6, PrivateIpAddress="10.31.1.12",
                          Ipv6AddressCount=1, SecurityGroupIds=[web_sg(w, ec2, v6vpc)])[
        "Instances"][0]
    v6 = r["InstanceId"]
    replay.ledger("ns", v6)
    w.created.append(v6)
    return {"web": web, "web_ip": web_ip, "dark": dark, "v6": v6,
            "v6_addr": r["NetworkInterfaces"][0]["Ipv6Addresses"][0]["Ipv6Address"]}


def design(w):
    ep = centralized.central_egress(w)
    got = w.of(ep["nat"]).describe_nat_gateways(NatGatewayIds=[ep["nat"]])["NatGateways"][0]
    ep["nat_ip"] = got["NatGatewayAddresses"][0]["PublicIp"]
    ep.update(public_design(w))
    return ep


@pytest.fixture(scope="module")
def net(bench):
    ep = bench.build(design)
    procs = [start(replay.INTERNET_NS, HTTP_SERVER, 80), start(replay.INTERNET_NS, UDP_SINK, 9),
             start(ep["web"], HTTP_SERVER, 80), start(ep["dark"], HTTP_SERVER, 80),
             start(ep["v6"], HTTP_SERVER, 80)]
    # The first neighbour resolutions, IPv6 duplicate address detection on the internet host.
    for _ in range(100):
        if curl(ep["a"], f"http://{INTERNET}/") and curl(ep["v6"], f"http://[{INTERNET6}]/",
                                                          six=True):
            break
        time.sleep(0.1)
    try:
        yield ep
    finally:
        for p in procs:
            p.kill()
            p.wait()


def test_the_internet_host_exists(net):
    out = subprocess.run(["ip", "-n", replay.INTERNET_NS, "addr", "show", "dev", "eth0"],
                         capture_output=True, text=True).stdout
    assert f"inet {INTERNET}/24" in out, out
    assert f"inet6 {INTERNET6}/64" in out, out


def test_centralized_egress_reaches_the_internet_as_the_nat_gateway(net):
    """Acceptance 1: curl from both spokes; the server sees the NAT gateway's Elastic IP."""
    assert curl(net["a"], f"http://{INTERNET}/") == net["nat_ip"]
    assert curl(net["b"], f"http://{INTERNET}/") == net["nat_ip"]


def test_spokes_stay_isolated(net):
    """The spoke table blackholes 10.0.0.0/8: A cannot reach B, in either direction."""
    for src, dst in (("a", "10.2.0.10"), ("b", "10.1.0.10")):
        assert ns_run(net[src], "ping", "-c1", "-W1", dst).returncode != 0
        assert curl(net[src], f"http://{dst}/") is None


def test_without_the_return_route_egress_breaks_and_the_analyzer_says_why(bench, net):
    """The public subnet's route back to the TGW goes: replies, translated back to the spoke's
    address by the NAT gateway, can only take 0.0.0.0/0 to the IGW, which refuses a private
    destination. The analyzer names exactly that, on the return path."""
    ec2 = bench.w.ec2()
    before = drops(bench, "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS")
    ec2.delete_route(RouteTableId=net["rt_pub"], DestinationCidrBlock="10.0.0.0/8")
    try:
        assert curl(net["a"], f"http://{INTERNET}/") is None
        assert drops(bench, "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS") > before
        r = bench.w.analyze(net["a"], None, INTERNET, "tcp", 80)
        assert r["Status"] == "succeeded"
        assert r["NetworkPathFound"] is False
        codes = [x["ExplanationCode"] for x in r["Explanations"]]
        assert codes[0] == "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS", codes
        assert r.get("ReturnPathComponents"), "the failure is on the return path"
    finally:
        bench.w.route(net["rt_pub"], "10.0.0.0/8", tgw_id(bench, net))
    assert curl(net["a"], f"http://{INTERNET}/") == net["nat_ip"]


def tgw_id(bench, net):
    rt = bench.w.of(net["rt_spokes"]).describe_transit_gateway_route_tables(
        TransitGatewayRouteTableIds=[net["rt_spokes"]])["TransitGatewayRouteTables"][0]
    return rt["TransitGatewayId"]


def test_an_elastic_ip_serves_the_internet_and_no_public_ip_means_unreachable(bench, net):
    """Acceptance 2: the internet host reaches web through its EIP (and web sees the internet
    host's own address); dark has no public address, so nothing from the internet reaches it."""
    assert curl(replay.INTERNET_NS, f"http://{net['web_ip']}/") == INTERNET
    # web's own traffic leaves as its EIP.
    assert curl(net["web"], f"http://{INTERNET}/") == net["web_ip"]
    before = drops(bench, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS")
    assert curl(replay.INTERNET_NS, "http://10.30.1.11/") is None
    assert drops(bench, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS") > before
    # dark cannot reach the internet either: routed to the IGW without a public address.
    before = drops(bench, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS")
    assert curl(net["dark"], f"http://{INTERNET}/") is None
    assert drops(bench, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS") > before


def test_ipv6_leaves_through_the_egress_only_gateway_and_is_refused_in(bench, net):
    """Acceptance 2: IPv6 out through the EIGW (untranslated: the server sees the instance's
    address), and the same server port refused from the internet side."""
    got = curl(net["v6"], f"http://[{INTERNET6}]/", six=True)
    assert got and ipaddress.ip_address(got) == ipaddress.ip_address(net["v6_addr"])
    before = drops(bench, "EIGW_INBOUND_NOT_TRACKED")
    assert curl(replay.INTERNET_NS, f"http://[{net['v6_addr']}]/", six=True) is None
    assert drops(bench, "EIGW_INBOUND_NOT_TRACKED") > before
    assert ns_run(replay.INTERNET_NS, "ping", "-6", "-c1", "-W1",
                  net["v6_addr"]).returncode != 0


def test_nat_port_exhaustion_is_counted_and_harmless(bench, net):
    """Acceptance 3: 55,100 flows from one spoke to one destination (198.51.100.1 udp/9): the
    NAT gateway binds 55,000 and refuses exactly 100 (ErrorPortAllocation), vpcd goes on."""
    before = drops(bench, "NGW_PORT_ALLOCATION")
    r = ns_run(net["a"], "/usr/bin/python3", "-c", UDP_FLOOD, "2000", "57099", INTERNET, "9",
               timeout=300)
    assert r.stdout.strip() == "sent 55100", r.stderr
    for _ in range(100):
        if drops(bench, "NGW_PORT_ALLOCATION") - before >= 100:
            break
        time.sleep(0.05)
    assert drops(bench, "NGW_PORT_ALLOCATION") - before == 100
    m = bench.vpcd.metrics()
    assert m.get("vpcd_dp_nat_bindings", 0) >= 55000
    # Another destination (tcp/80) still gets ports, and vpcd still answers its API.
    assert curl(net["b"], f"http://{INTERNET}/") == net["nat_ip"]
    assert re.match(r"vpc-", bench.w.ec2().describe_vpcs()["Vpcs"][0]["VpcId"])
