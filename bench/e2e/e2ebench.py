#!/usr/bin/python3
"""End-to-end forwarding between two instance namespaces (issue 7, acceptance 3), in the same
run as a hand-built Linux router namespace with nftables conntrack.

Paths measured, each with iperf3 (64-byte UDP datagrams at full speed, then TCP):
  kernel   client ns -> router ns (ip_forward, nftables: forward chain, ct state
           established,related accept, new from the client's subnet accept, policy drop) ->
           server ns, over veth pairs with their default offloads;
  peering  instance A (VPC 10.60.0.0/16) -> instance B (10.61.0.0/16) over a VPC peering,
           through vpcd's data plane;
  tgw      instance C (10.62.0.0/16) -> instance D (10.63.0.0/16) through a transit gateway.
Security groups in the VPCs admit everything from 10.0.0.0/8 (a stateful rule, like the
router's). Every run uses a fresh vpcd (--dev, state in a temporary directory, data plane on).

Usage (root): bench/e2e/e2ebench.py [RUNS] [SECONDS]   (vpcd from $VPCD_BIN or build/vpcd)
Prints one line per measurement and RESULT lines with the medians:
  RESULT path=<p> udp64_kpps=<received datagrams/s / 1000> tcp_gbps=<receiver Gbit/s>
"""
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VPCD = os.environ.get("VPCD_BIN", os.path.join(ROOT, "build", "vpcd"))
KNS = ("vpcdbench-kc", "vpcdbench-kr", "vpcdbench-ks")


def sh(*cmd, check=True, **kw):
    return subprocess.run(cmd, check=check, capture_output=True, text=True, **kw)


def nsx(ns, *cmd, **kw):
    return sh("ip", "netns", "exec", ns, *cmd, **kw)


# ---- iperf3 ----------------------------------------------------------------------------------

def iperf(client_ns, server_ns, server_ip, seconds, udp):
    srv = subprocess.Popen(["ip", "netns", "exec", server_ns, "iperf3", "-s", "-1", "-B",
                            server_ip], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if nsx(client_ns, "bash", "-c", f"exec 3<>/dev/tcp/{server_ip}/5201", check=False,
                   timeout=5).returncode == 0:
                break
            time.sleep(0.05)
        # The probe connection above took the server's one test: start a fresh one.
        srv.wait(timeout=10)
    except subprocess.TimeoutExpired:
        srv.kill()
    srv = subprocess.Popen(["ip", "netns", "exec", server_ns, "iperf3", "-s", "-1", "-B",
                            server_ip], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    args = ["iperf3", "-c", server_ip, "-t", str(seconds), "-J"]
    if udp:
        args += ["-u", "-b", "0", "-l", "64"]
    try:
        r = nsx(client_ns, *args, check=False, timeout=seconds + 30)
    finally:
        try:
            srv.wait(timeout=10)
        except subprocess.TimeoutExpired:
            srv.kill()
            srv.wait()
    if r.returncode != 0:
        raise RuntimeError(f"iperf3 {client_ns} -> {server_ip}: {r.stdout[-400:]} {r.stderr[-400:]}")
    end = json.loads(r.stdout)["end"]
    if udp:
        s = end["sum"]
        return (s["packets"] - s["lost_packets"]) / s["seconds"] / 1000.0
    return end["sum_received"]["bits_per_second"] / 1e9


# ---- the kernel router -----------------------------------------------------------------------

NFT = """
table inet vpcdbench {
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    ip saddr 10.200.1.0/24 ct state new accept
  }
}
"""


def kernel_down():
    for ns in KNS:
        sh("ip", "netns", "del", ns, check=False)


def kernel_up():
    kernel_down()
    c, r, s = KNS
    for ns in KNS:
        sh("ip", "netns", "add", ns)
        nsx(ns, "ip", "link", "set", "lo", "up")
    sh("ip", "link", "add", "vb-c", "netns", c, "type", "veth", "peer", "name", "vb-rc",
       "netns", r)
    sh("ip", "link", "add", "vb-s", "netns", s, "type", "veth", "peer", "name", "vb-rs",
       "netns", r)
    nsx(c, "ip", "addr", "add", "10.200.1.2/24", "dev", "vb-c")
    nsx(r, "ip", "addr", "add", "10.200.1.1/24", "dev", "vb-rc")
    nsx(r, "ip", "addr", "add", "10.200.2.1/24", "dev", "vb-rs")
    nsx(s, "ip", "addr", "add", "10.200.2.2/24", "dev", "vb-s")
    for ns, dev in ((c, "vb-c"), (r, "vb-rc"), (r, "vb-rs"), (s, "vb-s")):
        nsx(ns, "ip", "link", "set", dev, "up")
    nsx(c, "ip", "route", "add", "default", "via", "10.200.1.1")
    nsx(s, "ip", "route", "add", "default", "via", "10.200.2.1")
    nsx(r, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
    subprocess.run(["ip", "netns", "exec", r, "nft", "-f", "-"], input=NFT, text=True,
                   check=True)
    # Forwarding works and goes through conntrack.
    nsx(c, "ping", "-c", "1", "-W", "2", "10.200.2.2")
    return c, s, "10.200.2.2"


# ---- vpcd ------------------------------------------------------------------------------------

class Vpcd:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="vpcd-e2ebench.")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.log = open(os.path.join(self.dir, "log"), "w")
        self.proc = subprocess.Popen([VPCD, "--listen", f"127.0.0.1:{self.port}", "--state",
                                      os.path.join(self.dir, "db"), "--dev", "--no-fsync"],
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        url = f"http://127.0.0.1:{self.port}"
        for _ in range(500):
            try:
                urllib.request.urlopen(url + "/_vpcd/health", timeout=1)
                break
            except OSError:
                time.sleep(0.02)
        self.ec2 = boto3.client("ec2", endpoint_url=url, region_name="us-east-1",
                                aws_access_key_id="test", aws_secret_access_key="test",
                                config=Config(retries={"max_attempts": 1}))

    def close(self):
        try:
            req = urllib.request.Request(f"http://127.0.0.1:{self.port}/_vpcd/reset", data=b"",
                                         method="POST")
            urllib.request.urlopen(req, timeout=30)
        except OSError:
            pass
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def vpc(self, cidr):
        e = self.ec2
        v = e.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        sub = e.create_subnet(VpcId=v, CidrBlock=cidr.replace(".0.0/16", ".1.0/24"),
                              AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        sg = e.create_security_group(VpcId=v, GroupName="bench", Description="bench")["GroupId"]
        e.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
        rtb = e.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [v]}])[
            "RouteTables"][0]["RouteTableId"]
        return v, sub, sg, rtb

    def instance(self, sub, sg, ip):
        i = self.ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                                   SubnetId=sub, PrivateIpAddress=ip, SecurityGroupIds=[sg])
        return i["Instances"][0]["InstanceId"]

    def wait_ns(self, *names):
        for _ in range(500):
            if all(os.path.exists(f"/run/netns/{n}") for n in names):
                return
            time.sleep(0.02)
        raise RuntimeError(f"namespaces {names} did not appear")

    def peering(self):
        e = self.ec2
        va, sa, ga, ra = self.vpc("10.60.0.0/16")
        vb, sb, gb, rb = self.vpc("10.61.0.0/16")
        p = e.create_vpc_peering_connection(VpcId=va, PeerVpcId=vb)["VpcPeeringConnection"][
            "VpcPeeringConnectionId"]
        e.accept_vpc_peering_connection(VpcPeeringConnectionId=p)
        e.create_route(RouteTableId=ra, DestinationCidrBlock="10.61.0.0/16",
                       VpcPeeringConnectionId=p)
        e.create_route(RouteTableId=rb, DestinationCidrBlock="10.60.0.0/16",
                       VpcPeeringConnectionId=p)
        a = self.instance(sa, ga, "10.60.1.10")
        b = self.instance(sb, gb, "10.61.1.10")
        self.wait_ns(a, b)
        return a, b, "10.61.1.10"

    def tgw(self):
        e = self.ec2
        vc, sc, gc, rc = self.vpc("10.62.0.0/16")
        vd, sd, gd, rd = self.vpc("10.63.0.0/16")
        t = e.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
        for v, s, r in ((vc, sc, rc), (vd, sd, rd)):
            e.create_transit_gateway_vpc_attachment(TransitGatewayId=t, VpcId=v, SubnetIds=[s])
            e.create_route(RouteTableId=r, DestinationCidrBlock="10.0.0.0/8",
                           TransitGatewayId=t)
        c = self.instance(sc, gc, "10.62.1.10")
        d = self.instance(sd, gd, "10.63.1.10")
        self.wait_ns(c, d)
        return c, d, "10.63.1.10"


def reachable(client_ns, ip):
    for _ in range(50):
        if nsx(client_ns, "ping", "-c", "1", "-W", "1", ip, check=False).returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{client_ns} cannot reach {ip}")


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if os.geteuid() != 0:
        print("SKIP: bench/e2e needs root (network namespaces)")
        return 0
    results = {p: {"udp": [], "tcp": []} for p in ("kernel", "peering", "tgw")}
    for run in range(1, runs + 1):
        try:
            c, s, ip = kernel_up()
            for kind in ("udp", "tcp"):
                results["kernel"][kind].append(iperf(c, s, ip, seconds, kind == "udp"))
        finally:
            kernel_down()
        v = Vpcd()
        try:
            for path, build in (("peering", v.peering), ("tgw", v.tgw)):
                c, s, ip = build()
                reachable(c, ip)
                for kind in ("udp", "tcp"):
                    results[path][kind].append(iperf(c, s, ip, seconds, kind == "udp"))
        finally:
            v.close()
        for path, r in results.items():
            print(f"run {run} path={path} udp64_kpps={r['udp'][-1]:.1f} "
                  f"tcp_gbps={r['tcp'][-1]:.2f}", flush=True)
    for path, r in results.items():
        print(f"RESULT path={path} udp64_kpps={statistics.median(r['udp']):.1f} "
              f"tcp_gbps={statistics.median(r['tcp']):.2f}")
    k = results["kernel"]
    ku, kt = statistics.median(k["udp"]), statistics.median(k["tcp"])
    for path in ("peering", "tgw"):
        u, t = statistics.median(results[path]["udp"]), statistics.median(results[path]["tcp"])
        print(f"RESULT ratio path={path} udp64_vs_kernel={u / ku:.2f} tcp_vs_kernel={t / kt:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
