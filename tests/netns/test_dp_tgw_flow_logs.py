"""Transit gateway flow logs from real packets: two spokes behind a TGW (default association and
propagation), a flow log on the TGW delivering its default (all TGW fields) format to the s3
layout. Three UDP datagrams and their echoes must appear at the attachment they entered by
(ingress) and the one they left by (egress), with the source and destination VPC, subnet, TGW
ENI and zone; a datagram for an address no TGW route covers counts as packets-lost-no-route.

    spoke A 10.1.0.0/16 (a 10.1.0.10) --att_a-- TGW --att_b-- spoke B 10.2.0.0/16 (b 10.2.0.10)
"""
import glob
import gzip
import os
import subprocess
import time

import pytest

import replay
import test_centralized as centralized

VPCD_ARGS = ("--flow-log-interval", "1")
ACCOUNT = "000000000000"
BUCKET = "tgw-logs"
FIELDS = ("version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id "
          "tgw-dst-vpc-account-id tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id "
          "tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id tgw-dst-az-id "
          "tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start "
          "end log-status type packets-lost-no-route packets-lost-blackhole "
          "packets-lost-mtu-exceeded packets-lost-ttl-expired tcp-flags region flow-direction "
          "pkt-src-aws-service pkt-dst-aws-service").split()

ECHO = r"""
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("0.0.0.0", 7000))
print("ready", flush=True)
while True:
    data, peer = u.recvfrom(100)
    u.sendto(data, peer)
"""

CLIENT = r"""
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("0.0.0.0", 40000))
u.settimeout(2)
for n in (10, 20, 30):
    u.sendto(b"x" * n, ("10.2.0.10", 7000))
    assert u.recv(100) == b"x" * n
lost = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
lost.bind(("0.0.0.0", 40001))
lost.sendto(b"y" * 5, ("10.99.0.5", 7000))
print("done", flush=True)
"""


def design(w):
    tgw = w.tgw(defaults=True)
    a, att_a = centralized.spoke(w, tgw, "10.1.0.0/16", "a")
    b, att_b = centralized.spoke(w, tgw, "10.2.0.0/16", "a")
    ec2 = w.ec2()
    r = ec2.create_flow_logs(ResourceIds=[tgw], ResourceType="TransitGateway",
                             LogDestinationType="s3", LogDestination=f"arn:aws:s3:::{BUCKET}")
    assert not r.get("Unsuccessful"), r
    ep = {"tgw": tgw, "a": a, "b": b, "att_a": att_a, "att_b": att_b, "fl": r["FlowLogIds"][0]}
    for name in ("a", "b"):
        att = ec2.describe_transit_gateway_vpc_attachments(
            TransitGatewayAttachmentIds=[ep["att_" + name]])["TransitGatewayVpcAttachments"][0]
        ep[name + "_vpc"], ep[name + "_subnet"] = att["VpcId"], att["SubnetIds"][0]
        eni = ec2.describe_network_interfaces(Filters=[
            {"Name": "interface-type", "Values": ["transit_gateway"]},
            {"Name": "subnet-id", "Values": [ep[name + "_subnet"]]}])["NetworkInterfaces"]
        ep[name + "_tgw_eni"] = eni[0]["NetworkInterfaceId"] if eni else None
    return ep


def records(bench):
    root = os.path.join(bench.vpcd.state, "s3", BUCKET, "AWSLogs", ACCOUNT, "vpcflowlogs",
                        "us-east-1")
    out = []
    for path in sorted(glob.glob(os.path.join(root, "*", "*", "*", "*.log.gz"))):
        with gzip.open(path, "rt") as f:
            lines = f.read().splitlines()
        assert lines[0].split() == FIELDS, lines[0]
        out += [dict(zip(FIELDS, line.split())) for line in lines[1:]]
    return out


@pytest.fixture(scope="module")
def exchange(bench):
    ep = bench.build(design)
    srv = subprocess.Popen(["ip", "netns", "exec", ep["b"], "/usr/bin/python3", "-c", ECHO],
                           stdout=subprocess.PIPE, text=True)
    replay.ledger("pid", srv.pid)
    try:
        assert srv.stdout.readline().strip() == "ready"
        r = subprocess.run(["ip", "netns", "exec", ep["a"], "/usr/bin/python3", "-c", CLIENT],
                           capture_output=True, text=True, timeout=30)
        assert r.stdout.strip() == "done", r.stderr
        for _ in range(100):
            recs = records(bench)
            if len(recs) >= 5:
                break
            time.sleep(0.1)
        yield ep
    finally:
        srv.kill()
        srv.wait()


def one(recs, **want):
    got = [x for x in recs if all(x[k] == str(v) for k, v in want.items())]
    assert len(got) == 1, f"{want}: {got}"
    return got[0]


def test_each_leg_is_logged_at_both_attachments(bench, exchange):
    recs = records(bench)
    e = exchange
    for src, dst, sport, dport, frm, to in (("10.1.0.10", "10.2.0.10", 40000, 7000, "a", "b"),
                                            ("10.2.0.10", "10.1.0.10", 7000, 40000, "b", "a")):
        flow = {"srcaddr": src, "dstaddr": dst, "srcport": sport, "dstport": dport,
                "protocol": 17}
        for at, direction in ((frm, "ingress"), (to, "egress")):
            x = one(recs, **flow, **{"tgw-attachment-id": e["att_" + at]})
            pair = e["att_" + (to if at == frm else frm)]
            assert x["version"] == "6" and x["resource-type"] == "TransitGateway", x
            assert (x["account-id"], x["tgw-id"], x["region"]) == (ACCOUNT, e["tgw"],
                                                                   "us-east-1"), x
            assert x["tgw-pair-attachment-id"] == pair, x
            assert x["flow-direction"] == direction, x
            assert (x["tgw-src-vpc-id"], x["tgw-dst-vpc-id"]) == (e[frm + "_vpc"],
                                                                  e[to + "_vpc"]), x
            assert (x["tgw-src-subnet-id"], x["tgw-dst-subnet-id"]) == (e[frm + "_subnet"],
                                                                        e[to + "_subnet"]), x
            assert x["tgw-src-vpc-account-id"] == x["tgw-dst-vpc-account-id"] == ACCOUNT
            assert x["tgw-src-az-id"] == x["tgw-dst-az-id"] == "use1-az1", x
            if e[frm + "_tgw_eni"]:
                assert x["tgw-src-eni"] == e[frm + "_tgw_eni"], x
            assert (x["packets"], x["bytes"], x["type"], x["log-status"]) == \
                ("3", "144", "IPv4", "OK"), x
            assert x["packets-lost-no-route"] == "0", x


def test_no_route_is_counted_as_lost(bench, exchange):
    recs = records(bench)
    x = one(recs, srcaddr="10.1.0.10", dstaddr="10.99.0.5", srcport=40001, dstport=7000)
    assert x["tgw-attachment-id"] == exchange["att_a"], x
    assert x["flow-direction"] == "ingress", x
    assert (x["packets-lost-no-route"], x["packets-lost-blackhole"]) == ("1", "0"), x
    assert x["tgw-dst-vpc-id"] == "-" and x["tgw-pair-attachment-id"] == "-", x
