"""The NAT gateway's idle timeout with a real TCP connection (reference 8.3): after the timeout
(350 s on AWS, 2 s here through vpcd's --nat-idle-timeout) the binding is gone, and the next
segment from the inside is answered with a RST, so the client sees its connection reset
instead of hanging; a connection used within the timeout lives on.

    VPC 10.60.0.0/16: public subnet (NAT gateway, IGW route), private subnet (i, 0/0 -> NAT)
"""
import subprocess

import pytest

import replay

VPCD_ARGS = ("--nat-idle-timeout", "2")

SERVER = r"""
import socket, threading
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.51.100.1", 8081))
s.listen(8)
def echo(c):
    while True:
        d = c.recv(100)
        if not d:
            return
        c.sendall(d)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    threading.Thread(target=echo, args=(c,), daemon=True).start()
"""

# Sends, waits `idle` seconds, sends again: prints "alive" or "reset".
CLIENT = r"""
import socket, sys, time
t = socket.create_connection(("198.51.100.1", 8081), timeout=3)
t.sendall(b"a")
assert t.recv(10) == b"a"
time.sleep(float(sys.argv[1]))
try:
    t.sendall(b"b")
    print("alive" if t.recv(10) == b"b" else "closed")
except ConnectionResetError:
    print("reset")
"""


def design(w):
    v = w.vpc("10.60.0.0/16")
    pub, priv = w.subnet(v, "10.60.0.0/24"), w.subnet(v, "10.60.1.0/24")
    w.route(w.rtb(v, pub), "0.0.0.0/0", w.igw(v))
    w.route(w.rtb(v, priv), "0.0.0.0/0", w.nat(pub))
    return {"i": w.instance(priv, "10.60.1.10", w.open_sg(v))}


@pytest.fixture(scope="module")
def net(bench):
    ep = bench.build(design)
    srv = subprocess.Popen(["ip", "netns", "exec", replay.INTERNET_NS, "/usr/bin/python3", "-c",
                            SERVER], stdout=subprocess.PIPE, text=True)
    replay.ledger("pid", srv.pid)
    try:
        assert srv.stdout.readline().strip() == "ready"
        yield ep
    finally:
        srv.kill()
        srv.wait()


def client(net, idle):
    r = subprocess.run(["ip", "netns", "exec", net["i"], "/usr/bin/python3", "-c", CLIENT,
                        str(idle)], capture_output=True, text=True, timeout=30)
    return r.stdout.strip() or r.stderr


def test_a_connection_used_within_the_timeout_lives(net):
    assert client(net, 0.5) == "alive"


def test_an_idle_connection_is_reset_by_the_nat_gateway(bench, net):
    before = bench.vpcd.metrics()
    assert client(net, 3.5) == "reset"
    after = bench.vpcd.metrics()
    key = 'vpcd_dp_answers_total{kind="nat_rst"}'
    assert after.get(key, 0) - before.get(key, 0) >= 1
    key = 'vpcd_dp_drops_total{reason="NGW_IDLE_TIMEOUT"}'
    assert after.get(key, 0) - before.get(key, 0) >= 1
