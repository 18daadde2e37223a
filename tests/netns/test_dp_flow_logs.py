"""Flow logs written from real packets (issue 6, acceptance 4). A scripted exchange between two
instances in different subnets of one VPC: three UDP datagrams and their echoes, a TCP
connection, and one UDP datagram that the server subnet's NACL refuses. The VPC's flow log
delivers to the s3 layout, the server interface's REJECT-only flow log to a CloudWatch Logs
stream file; both are read back with plain readers (Python's gzip, and zcat | awk) and
compared field by field with what was sent.

    VPC 10.50.0.0/16
      subnet 10.50.1.0/24: c 10.50.1.10          subnet 10.50.2.0/24 (NACL: udp/9999 denied)
                                                   srv 10.50.2.10 (udp echo 7000, tcp echo 8080)
"""
import glob
import gzip
import os
import re
import subprocess
import time

import pytest

import replay

VPCD_ARGS = ("--flow-log-interval", "1")
ACCOUNT = "000000000000"
BUCKET, PREFIX, GROUP = "flow-bucket", "vpcd/test", "/vpcd/flows"
CWL_FORMAT = ("${version} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
              "${protocol} ${packets} ${bytes} ${action} ${tcp-flags} ${flow-direction} "
              "${traffic-path}")

SERVER = r"""
import socket, threading
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("0.0.0.0", 7000))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("0.0.0.0", 8080))
t.listen(4)
def tcp():
    while True:
        c, _ = t.accept()
        c.sendall(c.recv(100))
        c.close()
threading.Thread(target=tcp, daemon=True).start()
print("ready", flush=True)
while True:
    data, peer = u.recvfrom(100)
    u.sendto(data, peer)
"""

# The exchange, from c: fixed source ports so the records can be named in advance.
CLIENT = r"""
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("0.0.0.0", 40000))
u.settimeout(2)
for n in (10, 20, 30):
    u.sendto(b"x" * n, ("10.50.2.10", 7000))
    assert u.recv(100) == b"x" * n
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.bind(("0.0.0.0", 40001))
r.sendto(b"y" * 5, ("10.50.2.10", 9999))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.bind(("0.0.0.0", 40002))
t.settimeout(2)
t.connect(("10.50.2.10", 8080))
t.sendall(b"hello")
assert t.recv(100) == b"hello"
assert t.recv(100) == b""
t.close()
print("done", flush=True)
"""

FIELDS = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
          "bytes start end action log-status").split()


def design(w):
    ec2 = w.ec2()
    v = w.vpc("10.50.0.0/16")
    s1, s2 = w.subnet(v, "10.50.1.0/24"), w.subnet(v, "10.50.2.0/24")
    w.nacl(v, [s2], [(50, "in", "17", "deny", "0.0.0.0/0", 9999, 9999),
                     (100, "in", "-1", "allow", "0.0.0.0/0", None, None),
                     (100, "out", "-1", "allow", "0.0.0.0/0", None, None)])
    sg = w.open_sg(v, "10.50.0.0/16")
    ep = {"c": w.instance(s1, "10.50.1.10", sg), "srv": w.instance(s2, "10.50.2.10", sg),
          "vpc": v}
    for name in ("c", "srv"):
        got = ec2.describe_instances(InstanceIds=[ep[name]])
        ep[name + "_eni"] = got["Reservations"][0]["Instances"][0]["NetworkInterfaces"][0][
            "NetworkInterfaceId"]
    r = ec2.create_flow_logs(ResourceIds=[v], ResourceType="VPC", TrafficType="ALL",
                             LogDestinationType="s3",
                             LogDestination=f"arn:aws:s3:::{BUCKET}/{PREFIX}")
    assert not r.get("Unsuccessful"), r
    ep["fl_s3"] = r["FlowLogIds"][0]
    r = ec2.create_flow_logs(ResourceIds=[ep["srv_eni"]], ResourceType="NetworkInterface",
                             TrafficType="REJECT", LogGroupName=GROUP,
                             DeliverLogsPermissionArn="arn:aws:iam::000000000000:role/flow",
                             LogFormat=CWL_FORMAT, MaxAggregationInterval=60)
    assert not r.get("Unsuccessful"), r
    ep["fl_cwl"] = r["FlowLogIds"][0]
    return ep


def s3_files(bench):
    root = os.path.join(bench.vpcd.state, "s3", BUCKET, PREFIX, "AWSLogs", ACCOUNT,
                        "vpcflowlogs", "us-east-1")
    return sorted(glob.glob(os.path.join(root, "*", "*", "*", "*.log.gz")))


def s3_records(bench):
    """Every record of every delivered file, as dicts; the header line is checked."""
    out = []
    for path in s3_files(bench):
        with gzip.open(path, "rt") as f:
            lines = f.read().splitlines()
        assert lines[0].split() == FIELDS, lines[0]
        out += [dict(zip(FIELDS, line.split())) for line in lines[1:]]
    return out


@pytest.fixture(scope="module")
def exchange(bench):
    ep = bench.build(design)
    srv = subprocess.Popen(["ip", "netns", "exec", ep["srv"], "/usr/bin/python3", "-c", SERVER],
                           stdout=subprocess.PIPE, text=True)
    replay.ledger("pid", srv.pid)
    try:
        assert srv.stdout.readline().strip() == "ready"
        t0 = int(time.time())
        r = subprocess.run(["ip", "netns", "exec", ep["c"], "/usr/bin/python3", "-c", CLIENT],
                           capture_output=True, text=True, timeout=30)
        assert r.stdout.strip() == "done", r.stderr
        t1 = int(time.time()) + 1
        # Delivered within a few capture windows of 1 s.
        for _ in range(100):
            recs = s3_records(bench)
            if any(x["action"] == "REJECT" for x in recs) and \
                    sum(1 for x in recs if x["protocol"] == "6") >= 4:
                break
            time.sleep(0.1)
        ep.update(t0=t0, t1=t1)
        yield ep
    finally:
        srv.kill()
        srv.wait()


def one(recs, **want):
    got = [x for x in recs if all(x[k] == str(v) for k, v in want.items())]
    assert len(got) == 1, f"{want}: {got}"
    return got[0]


def test_s3_layout_and_file_names(bench, exchange):
    files = s3_files(bench)
    assert files
    name = re.compile(rf"{ACCOUNT}_vpcflowlogs_us-east-1_{exchange['fl_s3']}_"
                      r"(\d{8})T(\d{4})Z_[0-9a-f]{8}\.log\.gz$")
    for path in files:
        m = name.search(os.path.basename(path))
        assert m, path
        yyyy, mm, dd = path.split(os.sep)[-4:-1]
        assert m.group(1) == yyyy + mm + dd, path
        with open(path, "rb") as f:
            assert f.read(2) == b"\x1f\x8b"  # gzip


def test_udp_records_match_what_was_sent(exchange, bench):
    recs = s3_records(bench)
    c, srv = exchange["c_eni"], exchange["srv_eni"]
    base = dict(version=2, protocol=17)
    # Three datagrams of 10, 20, 30 bytes: 38 + 48 + 58 IP bytes each way, seen at both ENIs.
    for eni, src, dst, sport, dport in ((c, "10.50.1.10", "10.50.2.10", 40000, 7000),
                                        (srv, "10.50.1.10", "10.50.2.10", 40000, 7000),
                                        (srv, "10.50.2.10", "10.50.1.10", 7000, 40000),
                                        (c, "10.50.2.10", "10.50.1.10", 7000, 40000)):
        x = one(recs, **base, **{"interface-id": eni, "srcaddr": src, "dstaddr": dst,
                                 "srcport": sport, "dstport": dport})
        assert x["account-id"] == ACCOUNT
        assert (x["packets"], x["bytes"], x["action"], x["log-status"]) == \
            ("3", "144", "ACCEPT", "OK"), x
        assert exchange["t0"] <= int(x["start"]) <= int(x["end"]) <= exchange["t1"], x


def test_the_nacl_rejected_datagram(exchange, bench):
    """It left c (ACCEPT at c's interface) and the server subnet's NACL refused it (REJECT at
    srv's interface): 5 bytes of data, 33 IP bytes, one packet."""
    recs = s3_records(bench)
    want = {"srcaddr": "10.50.1.10", "dstaddr": "10.50.2.10", "srcport": 40001,
            "dstport": 9999, "protocol": 17}
    sent = one(recs, **want, **{"interface-id": exchange["c_eni"]})
    assert (sent["packets"], sent["bytes"], sent["action"]) == ("1", "33", "ACCEPT")
    refused = one(recs, **want, **{"interface-id": exchange["srv_eni"]})
    assert (refused["packets"], refused["bytes"], refused["action"]) == ("1", "33", "REJECT")
    assert [x for x in recs if x["action"] == "REJECT"] == [refused]


def test_tcp_records(exchange, bench):
    recs = s3_records(bench)
    fwd = {"srcaddr": "10.50.1.10", "dstaddr": "10.50.2.10", "srcport": 40002, "dstport": 8080,
           "protocol": 6}
    back = {"srcaddr": "10.50.2.10", "dstaddr": "10.50.1.10", "srcport": 8080, "dstport": 40002,
            "protocol": 6}
    for want in (fwd, back):
        for eni in (exchange["c_eni"], exchange["srv_eni"]):
            x = one(recs, **want, **{"interface-id": eni})
            assert x["action"] == "ACCEPT" and int(x["packets"]) >= 3, x
    # The client's segments and the server's, packet for packet the same at both ends.
    for want in (fwd, back):
        a = one(recs, **want, **{"interface-id": exchange["c_eni"]})
        b = one(recs, **want, **{"interface-id": exchange["srv_eni"]})
        assert (a["packets"], a["bytes"]) == (b["packets"], b["bytes"])


def test_awk_reads_the_files(exchange, bench):
    """A plain reader: zcat | awk counts the REJECT records and sums their bytes."""
    files = s3_files(bench)
    out = subprocess.run(["sh", "-c", "zcat \"$@\" | awk '$13 == \"REJECT\" { n++; b += $10 } "
                          "END { print n, b }'", "sh", *files], capture_output=True, text=True)
    assert out.stdout.split() == ["1", "33"], out


def test_cloudwatch_stream_has_only_the_rejects_in_the_custom_format(exchange, bench):
    path = os.path.join(bench.vpcd.state, "logs", GROUP.lstrip("/"), exchange["srv_eni"])
    for _ in range(50):
        if os.path.exists(path):
            break
        time.sleep(0.1)
    with open(path) as f:
        lines = f.read().splitlines()
    # version 5 (the highest of the fields), ingress, no traffic-path for ingress, tcp-flags 0.
    assert lines == [f"5 {exchange['srv_eni']} 10.50.1.10 10.50.2.10 40001 9999 17 1 33 REJECT "
                     "0 ingress -"], lines


def test_tcp_flags_in_a_custom_format(bench, exchange):
    """tcp-flags OR-ed over the capture window: SYN+FIN (3) from the client, SYN-ACK+FIN (19)
    from the server (reference 13's examples)."""
    ec2 = bench.w.ec2()
    r = ec2.create_flow_logs(ResourceIds=[exchange["c_eni"]], ResourceType="NetworkInterface",
                             TrafficType="ACCEPT", LogDestinationType="s3",
                             LogDestination=f"arn:aws:s3:::{BUCKET}-flags",
                             LogFormat="${srcport} ${dstport} ${tcp-flags} ${flow-direction} "
                                       "${traffic-path}")
    assert not r.get("Unsuccessful"), r
    subprocess.run(["ip", "netns", "exec", exchange["c"], "/usr/bin/python3", "-c",
                    CLIENT.replace("40000", "41000").replace("40001", "41001")
                    .replace("40002", "41002")], capture_output=True, text=True, timeout=30)
    root = os.path.join(bench.vpcd.state, "s3", f"{BUCKET}-flags")
    lines = []
    for _ in range(100):
        lines = []
        for p in glob.glob(os.path.join(root, "**", "*.log.gz"), recursive=True):
            with gzip.open(p, "rt") as f:
                lines += f.read().splitlines()[1:]
        if "41002 8080 3 egress 1" in lines and "8080 41002 19 ingress -" in lines:
            break
        time.sleep(0.1)
    assert "41002 8080 3 egress 1" in lines, lines
    assert "8080 41002 19 ingress -" in lines, lines
