"""TCP across a transit gateway between instances whose interfaces have AWS's 9001-byte MTU.
The TGW's MTU is 8500 and it drops larger packets without an ICMP error (reference 10.8), so
TCP works only because the TGW clamps the MSS that SYNs announce: the connection's segments
must fit 8500 bytes, the data must arrive whole, and the clamp is counted."""
import hashlib

import pytest

import replay

C_IP, D_IP = "10.62.1.10", "10.63.1.10"


def design(w):
    vc, vd = w.vpc("10.62.0.0/16"), w.vpc("10.63.0.0/16")
    sc, sd = w.subnet(vc, "10.62.1.0/24"), w.subnet(vd, "10.63.1.0/24")
    tgw = w.tgw(defaults=True)
    for v, s in ((vc, sc), (vd, sd)):
        w.tgw_attach(tgw, v, s)
        w.route(w.main_rtb(v), "10.0.0.0/8", tgw)
    svc = w.sg(vd, "svc", ingress=[("tcp", 7003, 7003, C_IP + "/32")])
    c = w.instance(sc, C_IP)
    d = w.instance(sd, D_IP, svc)
    return {"c": c, "d": d}


@pytest.fixture(scope="module")
def net(bench):
    ep = bench.build(design)
    bench.start_agents([ep["c"], ep["d"]])
    bench.agents[ep["d"]].call("serve", proto="tcp", port=7003)
    return bench, ep


def test_tcp_across_a_tgw_fits_its_mtu(net):
    bench, ep = net
    key = "vpcd_dp_tcp_mss_clamped_total"
    before = bench.vpcd.metrics().get(key, 0)
    payload = replay.echo_lines(8192)
    digest, n, mss = replay.echo_transfer(ep["c"], D_IP, 7003, payload)
    assert (digest, n) == (hashlib.sha256(payload).hexdigest(), len(payload))
    # 8500 less 20 bytes of IPv4 and 20 of TCP header (timestamps may take 12 more).
    assert mss <= 8460, mss
    # The SYN and the SYN-ACK both announced 8961 (9001 less headers) and were clamped.
    assert bench.vpcd.metrics().get(key, 0) - before == 2


def test_reset_removed_every_namespace(bench):
    bench.reset()
    assert bench.ever and not bench.leftovers, bench.leftovers
