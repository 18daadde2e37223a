"""The conntrack hit path (issue 7) with real packets.

A (10.40.1.10, VPC 10.40.0.0/16) reaches B (10.41.1.10, VPC 10.41.0.0/16) over a peering; B's
group admits tcp 5201 and 7002 from A only. Established flows go through the data plane's fast
path (vpcd_dp_fast_path_total counts them), and the fast path must never outlive what decided:
a route, NACL or peering change stops an open connection at once, as the pipeline would, and
the data arrives intact.

The tests share one design and run in this file's order.
"""
import hashlib
import json
import subprocess
import time

import pytest

import replay

A_VPC, B_VPC = "10.40.0.0/16", "10.41.0.0/16"
A_IP, B_IP = "10.40.1.10", "10.41.1.10"


def design(w):
    va, vb = w.vpc(A_VPC), w.vpc(B_VPC)
    sa, sb = w.subnet(va, "10.40.1.0/24"), w.subnet(vb, "10.41.1.0/24")
    svc = w.sg(vb, "svc", ingress=[("tcp", 5201, 5201, A_IP + "/32"),
                                   ("tcp", 7002, 7002, A_IP + "/32")])
    pcx = w.peer(va, vb)
    rta, rtb = w.main_rtb(va), w.main_rtb(vb)
    w.route(rta, B_VPC, pcx)
    w.route(rtb, A_VPC, pcx)
    a = w.instance(sa, A_IP)
    b = w.instance(sb, B_IP, svc)
    acl = w.nacl(vb, [sb], [(100, "in", "-1", "allow", "0.0.0.0/0", None, None),
                            (100, "out", "-1", "allow", "0.0.0.0/0", None, None)])
    return {"va": va, "a": a, "b": b, "pcx": pcx, "rta": rta, "acl": acl}


class Net:
    def __init__(self, bench):
        self.bench = bench
        self.ep = bench.build(design)
        self.w = bench.w
        bench.start_agents([self.ep["a"], self.ep["b"]])
        self.a, self.b = bench.agents[self.ep["a"]], bench.agents[self.ep["b"]]
        self.b.call("serve", proto="tcp", port=7002)
        self.tokens = iter(range(1, 10 ** 9))

    def send(self, name, timeout=replay.TIMEOUT):
        return self.a.call("send", name=name, timeout=timeout, token=f"{name}-{next(self.tokens)}")

    def counters(self):
        m = self.bench.vpcd.metrics()
        return m.get("vpcd_dp_fast_path_total", 0), m.get("vpcd_dp_frames_total{direction=\"rx\"}", 0)


@pytest.fixture(scope="module")
def net(bench):
    return Net(bench)


def test_bulk_tcp_goes_through_the_fast_path_intact(net):
    """iperf3 A -> B for 2 s: the transfer completes, and most of the frames vpcd received in
    the meantime were forwarded by the fast path (a bulk transfer is almost all established
    segments; only the handshake and the close go through the pipeline)."""
    a_ns, b_ns = net.ep["a"], net.ep["b"]
    server = subprocess.Popen(["ip", "netns", "exec", b_ns, "iperf3", "-s", "-1", "-B", B_IP],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        fast0, rx0 = net.counters()
        r = subprocess.run(["ip", "netns", "exec", a_ns, "iperf3", "-c", B_IP, "-t", "2", "-J"],
                           capture_output=True, text=True, timeout=60)
        fast1, rx1 = net.counters()
    finally:
        server.kill()
        server.wait()
    assert r.returncode == 0, r.stdout[-500:] + r.stderr[-500:]
    got = json.loads(r.stdout)["end"]["sum_received"]["bytes"]
    assert got > 1_000_000, got
    fast, rx = fast1 - fast0, rx1 - rx0
    assert rx > 100, rx
    assert fast > 0.8 * rx, f"fast path forwarded {fast} of {rx} frames"


def test_data_through_the_fast_path_arrives_exactly(net):
    """A mebibyte of known lines over one connection comes back byte for byte from B's echo
    server (the fast path rewrites only MACs and TTL)."""
    payload = replay.echo_lines(16384)  # 1 MiB + 64 KiB
    fast0, _ = net.counters()
    digest, n, _ = replay.echo_transfer(net.ep["a"], B_IP, 7002, payload)
    fast1, _ = net.counters()
    assert (digest, n) == (hashlib.sha256(payload).hexdigest(), len(payload))
    assert fast1 - fast0 > 100


def test_route_change_stops_an_open_connection_at_once(net):
    """With the open connection's packets on the fast path, deleting A's route to B stops the
    next send (NO_ROUTE_TO_DESTINATION, as the pipeline says); the route back, a new connection
    works again."""
    assert net.a.call("open", name="r", dst=B_IP, port=7002, timeout=2)["ok"]
    for _ in range(20):
        assert net.send("r")["ok"]
    before = net.bench.vpcd.metrics()
    net.w.of(net.ep["va"]).delete_route(RouteTableId=net.ep["rta"], DestinationCidrBlock=B_VPC)
    r = net.send("r", timeout=1)
    after = net.bench.vpcd.metrics()
    key = 'vpcd_dp_drops_total{reason="NO_ROUTE_TO_DESTINATION"}'
    assert not r["ok"], r
    assert after.get(key, 0) > before.get(key, 0)
    net.a.call("close", name="r")
    net.w.route(net.ep["rta"], B_VPC, net.ep["pcx"])
    assert net.a.call("open", name="r2", dst=B_IP, port=7002, timeout=2)["ok"]
    assert net.send("r2")["ok"]


def test_nacl_deny_stops_an_open_connection_and_allow_restores_it(net):
    """A NACL deny for A's address on B's subnet stops the open (fast path) connection; removing
    the deny lets the same connection through again (TCP retransmits the queued line)."""
    assert net.send("r2")["ok"]
    acl = net.ep["acl"]
    c = net.w.of(acl)
    c.create_network_acl_entry(NetworkAclId=acl, RuleNumber=50, Protocol="-1", RuleAction="deny",
                               Egress=False, CidrBlock=A_IP + "/32")
    r = net.send("r2", timeout=1)
    assert not r["ok"], r
    c.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=50, Egress=False)
    # The line queued by the failed send is retransmitted; the connection recovers.
    ok = False
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not ok:
        ok = net.a.call("open", name="r3", dst=B_IP, port=7002, timeout=2)["ok"] and \
            net.send("r3")["ok"]
    assert ok


def test_reset_removed_every_namespace(bench):
    bench.reset()
    assert bench.ever and not bench.leftovers, bench.leftovers
