#!/usr/bin/python3
"""Crash-consistency driver for vpcd.

One client issues MUTATIONS mutations while vpcd is SIGKILLed at KILLS random points and
restarted on the same state directory. The driver keeps an exact model of what vpcd must hold:
every mutation whose reply arrived is applied to the model (a 200 reply) or not (an error
reply). The one mutation in flight when vpcd died is "unknown": after the restart the real
state must equal the model either without it or with all of it, never part of it. After every
restart, and at the end, the whole account (30 regions) is read back and compared with the
model: VPCs with their CIDR blocks, tags, enableDnsHostnames, subnets, default security group
rules, and (when those families answer) that every VPC has exactly its main route table,
default security group and default network ACL, and no deleted VPC left one behind.

Mutations: CreateVpc (round-robin over 30 regions, at most 4 own VPCs per region), DeleteVpc,
ModifyVpcAttribute EnableDnsHostnames, AssociateVpcCidrBlock, CreateTags/DeleteTags (two tags
per call, so half a call would show), CreateSubnet/DeleteSubnet and
AuthorizeSecurityGroupIngress on the default group (two rules per call). A family whose first
call answers InvalidAction is skipped, and so are the checks of a Describe that does. The kill
points are spread over the run by mutation count; each fires after a random delay of up to two
mean request latencies, so it lands anywhere inside a request: before, during or after the
commit. The account is 000000000000 (key test/test); botocore never retries.

Prints one line per failed check and "N passed, N failed" last; exits 1 on any failure.
"""
import argparse
import copy
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import boto3
import botocore.config
import botocore.exceptions

SEQ_TAG = "crash-seq"
MAX_VPCS_PER_REGION = 4  # the quota is 5 including the default VPC
MAX_CIDRS_PER_VPC = 5
MAX_RULE_CALLS_PER_SG = 25  # two rules per call, quota 60
N_REGIONS = 30


class Died(Exception):
    """A call got no reply: the connection failed or timed out."""


class Vpc:
    """What one VPC must look like. key: the crash-seq tag, or 'default'."""

    def __init__(self, key, region):
        self.key = key
        self.region = region
        self.id = None
        self.is_default = False
        self.cidrs = set()
        self.tags = {}
        self.hostnames = False
        self.subnets = {}  # cidr -> subnet id (None until known)
        self.sg_id = None
        self.rules = set()  # (proto, from, to, cidr) of the default SG's IPv4 ingress
        self.parts = {}  # family -> count of main rtb / default sg / default nacl
        self.next_subnet = 0
        self.next_port = 0


class Mutation:
    def __init__(self, seq, family, region, key, call, params, apply):
        self.seq = seq
        self.family = family
        self.region = region
        self.key = key  # VPC key it changes
        self.call = call  # botocore operation name (snake_case)
        self.params = params
        self.apply = apply  # apply(model_vpc_or_None, reply_or_None) -> Vpc or None


def log(msg):
    print(msg, flush=True)


class Daemon:
    def __init__(self, binary, workdir, port, extra_args=()):
        self.binary = binary
        self.extra_args = list(extra_args)
        self.workdir = workdir
        self.state = os.path.join(workdir, "state")
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self.logpath = os.path.join(workdir, "vpcd.log")
        self.pidfile = os.path.join(workdir, "pid")
        self.proc = None
        self.killed = threading.Event()

    def start(self, timeout=30.0):
        logf = open(self.logpath, "a")
        logf.write(f"---- start at {time.time():.3f}\n")
        logf.flush()
        self.proc = subprocess.Popen(
            [self.binary, "--listen", f"127.0.0.1:{self.port}", "--state", self.state,
             "--no-dataplane", *self.extra_args], stdout=logf, stderr=subprocess.STDOUT,
            start_new_session=True)  # a Ctrl-C is the driver's to handle, not vpcd's
        logf.close()
        with open(self.pidfile, "w") as f:
            f.write(f"{self.proc.pid}\n")
        self.killed.clear()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"vpcd exited with {self.proc.returncode} at start")
            try:
                urllib.request.urlopen(self.endpoint + "/_vpcd/health", timeout=1)
                return
            except OSError:
                time.sleep(0.01)
        raise RuntimeError("vpcd did not become healthy")

    def kill(self):
        """SIGKILL from the timer thread."""
        proc = self.proc
        if proc and proc.poll() is None:
            self.killed.set()
            os.kill(proc.pid, signal.SIGKILL)

    def wait_dead(self, timeout=30):
        self.proc.wait(timeout=timeout)
        os.unlink(self.pidfile)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if os.path.exists(self.pidfile):
            os.unlink(self.pidfile)
        return self.proc.returncode if self.proc else 0

    def sanitizer_report(self):
        with open(self.logpath, errors="replace") as f:
            text = f.read()
        for marker in ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer"):
            i = text.find(marker)
            if i >= 0:
                return text[max(0, i - 200):i + 3000]
        return None


class Driver:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.vpcd = Daemon(args.vpcd, args.workdir, args.port, args.vpcd_arg)
        self.passed = 0
        self.failed = 0
        self.model = {}  # region -> {key: Vpc}
        self.deleted = {}  # region -> {key: vpc id}
        self.families = {}  # family -> enabled
        self.readers = {}  # describe family -> enabled
        self.used = {}  # family -> acknowledged successes
        self.acked = {}  # action -> acknowledged successes
        self.errors = {}  # error code -> count (acknowledged errors: no effect)
        self.unknown = 0
        self.unknown_applied = 0
        self.seq = 0
        self.region_rr = 0
        self.latency = 0.005
        self.t_verify = self.t_restart = 0.0
        self.clients = {}
        self.session = boto3.session.Session()
        self.cfg = botocore.config.Config(
            retries={"total_max_attempts": 1, "mode": "standard"},
            connect_timeout=2, read_timeout=args.read_timeout, tcp_keepalive=False)

    # ---- checks ----

    def check(self, ok, desc):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            log(f"FAIL {desc}")

    # ---- calls ----

    def client(self, region):
        c = self.clients.get(region)
        if c is None:
            c = self.session.client("ec2", endpoint_url=self.vpcd.endpoint, region_name=region,
                                    aws_access_key_id="test", aws_secret_access_key="test",
                                    config=self.cfg)
            self.clients[region] = c
        return c

    def call(self, region, op, **params):
        """The parsed reply; ClientError for an error reply; Died for no reply."""
        try:
            return getattr(self.client(region), op)(**params)
        except botocore.exceptions.ClientError:
            raise
        except botocore.exceptions.BotoCoreError as e:
            raise Died(f"{op}: {type(e).__name__}: {e}") from e

    def pages(self, region, op, key, **params):
        out, token = [], None
        while True:
            if token:
                params["NextToken"] = token
            r = self.call(region, op, **params)
            out.extend(r.get(key, []))
            token = r.get("NextToken")
            if not token:
                return out

    def reader_ok(self, family, region, op, key):
        """Probe a Describe family once; InvalidAction switches its checks off."""
        try:
            self.pages(region, op, key)
            self.readers[family] = True
        except botocore.exceptions.ClientError as e:
            code = e.response["Error"]["Code"]
            self.readers[family] = False
            log(f"note: {op} answers {code}: {family} checks skipped")

    # ---- reading the real state ----

    def snapshot(self, region):
        """{key: Vpc} as vpcd reports it, plus a list of structural problems."""
        problems = []
        found = {}
        for v in self.pages(region, "describe_vpcs", "Vpcs"):
            tags = {t["Key"]: t["Value"] for t in v.get("Tags", [])}
            key = "default" if v.get("IsDefault") else tags.get(SEQ_TAG, "foreign:" + v["VpcId"])
            if key in found:
                problems.append(f"two VPCs with key {key}: {found[key].id} {v['VpcId']}")
                continue
            rec = Vpc(key, region)
            rec.id = v["VpcId"]
            rec.is_default = bool(v.get("IsDefault"))
            rec.cidrs = {a["CidrBlock"] for a in v.get("CidrBlockAssociationSet", [])
                         if a.get("CidrBlockState", {}).get("State") == "associated"}
            if v.get("CidrBlock") not in rec.cidrs:
                problems.append(f"{rec.id}: CidrBlock {v.get('CidrBlock')} not associated")
            rec.tags = tags
            a = self.call(region, "describe_vpc_attribute", VpcId=rec.id,
                          Attribute="enableDnsHostnames")
            rec.hostnames = a["EnableDnsHostnames"]["Value"]
            found[key] = rec
        by_id = {r.id: r for r in found.values()}

        def owner(vpc_id, what):
            r = by_id.get(vpc_id)
            if r is None:
                problems.append(f"{what} belongs to missing VPC {vpc_id}")
            return r

        if self.readers.get("subnet"):
            for s in self.pages(region, "describe_subnets", "Subnets"):
                r = owner(s["VpcId"], "subnet " + s["SubnetId"])
                if r:
                    r.subnets[s["CidrBlock"]] = s["SubnetId"]
        if self.readers.get("sg"):
            for g in self.pages(region, "describe_security_groups", "SecurityGroups"):
                r = owner(g.get("VpcId"), "security group " + g["GroupId"])
                if not r or g["GroupName"] != "default":
                    continue
                r.parts["sg"] = r.parts.get("sg", 0) + 1
                r.sg_id = g["GroupId"]
                for p in g.get("IpPermissions", []):
                    for ip in p.get("IpRanges", []):
                        r.rules.add((p["IpProtocol"], p.get("FromPort"), p.get("ToPort"),
                                     ip["CidrIp"]))
        if self.readers.get("rtb"):
            for t in self.pages(region, "describe_route_tables", "RouteTables"):
                r = owner(t["VpcId"], "route table " + t["RouteTableId"])
                if r and any(a.get("Main") for a in t.get("Associations", [])):
                    r.parts["rtb"] = r.parts.get("rtb", 0) + 1
        if self.readers.get("nacl"):
            for n in self.pages(region, "describe_network_acls", "NetworkAcls"):
                r = owner(n["VpcId"], "network ACL " + n["NetworkAclId"])
                if r and n.get("IsDefault"):
                    r.parts["nacl"] = r.parts.get("nacl", 0) + 1
        return found, problems

    def expected_parts(self):
        return {f: 1 for f in ("sg", "rtb", "nacl") if self.readers.get(f)}

    def diff(self, want, got):
        """Differences between a model VPC and a real one ([] when equal)."""
        if want is None and got is None:
            return []
        if want is None:
            return [f"exists ({got.id}) but must not"]
        if got is None:
            return ["missing"]
        d = []
        if want.id is not None and want.id != got.id:
            d.append(f"id {got.id}, want {want.id}")
        if want.cidrs != got.cidrs:
            d.append(f"cidrs {sorted(got.cidrs)}, want {sorted(want.cidrs)}")
        if want.tags != got.tags:
            d.append(f"tags {got.tags}, want {want.tags}")
        if want.hostnames != got.hostnames:
            d.append(f"enableDnsHostnames {got.hostnames}, want {want.hostnames}")
        if self.readers.get("subnet"):
            if set(want.subnets) != set(got.subnets):
                d.append(f"subnets {sorted(got.subnets)}, want {sorted(want.subnets)}")
            else:
                d += [f"subnet {c} is {got.subnets[c]}, want {i}"
                      for c, i in want.subnets.items() if i and got.subnets[c] != i]
        if self.readers.get("sg"):
            if want.rules != got.rules:
                d.append(f"sg rules {sorted(got.rules, key=str)}, "
                         f"want {sorted(want.rules, key=str)}")
            if want.sg_id and want.sg_id != got.sg_id:
                d.append(f"default sg {got.sg_id}, want {want.sg_id}")
        parts = self.expected_parts()
        if got.parts != parts:
            d.append(f"main rtb/default sg/default nacl counts {got.parts}, want {parts}")
        return d

    def adopt(self, want, got):
        """Learn the ids a model VPC did not know yet (created by an unknown mutation)."""
        want.id = got.id
        want.sg_id = got.sg_id
        for c, i in got.subnets.items():
            if c in want.subnets:
                want.subnets[c] = i

    def verify(self, label, pending=None):
        """Compare every region with the model. pending: the unknown mutation, if any."""
        t0 = time.monotonic()
        before = self.passed, self.failed
        for region in self.regions:
            got, problems = self.snapshot(region)
            self.check(not problems, f"{label} {region}: " + "; ".join(problems))
            want = self.model[region]
            keys = set(want) | set(got) | set(self.deleted[region])
            for key in sorted(keys):
                w, g = want.get(key), got.get(key)
                what = f"{label} {region} vpc {key}"
                if pending is not None and pending.region == region and pending.key == key:
                    without = self.diff(w, g)
                    applied = pending.apply(copy.deepcopy(w), None)
                    with_it = self.diff(applied, g)
                    if not without:
                        self.check(True, what)
                    elif not with_it:
                        self.unknown_applied += 1
                        self.check(True, what)
                        if applied is None:
                            del want[key]
                            self.deleted[region][key] = w.id
                        else:
                            self.adopt(applied, g)
                            want[key] = applied
                    else:
                        self.check(False, f"{what}: unknown {pending.call} #{pending.seq} "
                                          f"half applied: without it: {'; '.join(without)}; "
                                          f"with it: {'; '.join(with_it)}")
                    continue
                d = self.diff(w, g)
                self.check(not d, f"{what}: {'; '.join(d)}")
                if not d and w is not None:
                    self.adopt(w, g)
        p, f = self.passed - before[0], self.failed - before[1]
        spent = time.monotonic() - t0
        self.t_verify += spent
        log(f"{label}: {p} checks passed, {f} failed ({spent:.2f}s)")

    # ---- mutations ----

    def vpcs(self, own=True, pred=lambda v: True):
        return [v for r in self.regions for v in self.model[r].values()
                if (not own or not v.is_default) and pred(v)]

    def next_region(self):
        for _ in range(len(self.regions)):
            region = self.regions[self.region_rr % len(self.regions)]
            self.region_rr += 1
            if sum(not v.is_default for v in self.model[region].values()) < MAX_VPCS_PER_REGION:
                return region
        return None

    def secondary_cidr(self, v):
        primary = min(v.cidrs)
        first = int(primary.split(".")[1])
        if primary.startswith("10."):
            cands = [f"10.{b}.0.0/16" for b in range(100, 200)]
        else:  # the default VPC, 172.31.0.0/16
            cands = [f"172.{b}.0.0/16" for b in range(16, 31)]
        for c in cands:
            if c not in v.cidrs and int(c.split(".")[1]) != first:
                return c
        return None

    def make(self, family):
        """A Mutation of this family for the current model, or None if none is possible."""
        rng, seq = self.rng, self.seq
        if family == "create_vpc":
            region = self.next_region()
            if region is None:
                return None
            key = str(seq)
            cidr = f"10.{2 + seq % 98}.0.0/16"

            def apply(_, reply):
                v = Vpc(key, region)
                v.id = reply["Vpc"]["VpcId"] if reply else None
                v.cidrs = {cidr}
                v.tags = {SEQ_TAG: key}
                return v

            return Mutation(seq, family, region, key, "create_vpc",
                            {"CidrBlock": cidr, "TagSpecifications": [
                                {"ResourceType": "vpc",
                                 "Tags": [{"Key": SEQ_TAG, "Value": key}]}]}, apply)
        if family == "delete_vpc":
            cands = self.vpcs(pred=lambda v: not v.subnets)
            if not cands:
                return None
            v = rng.choice(cands)
            return Mutation(seq, family, v.region, v.key, "delete_vpc", {"VpcId": v.id},
                            lambda _, reply: None)
        if family == "modify_vpc":
            v = rng.choice(self.vpcs(own=False))
            value = not v.hostnames

            def apply(m, reply):
                m.hostnames = value
                return m

            return Mutation(seq, family, v.region, v.key, "modify_vpc_attribute",
                            {"VpcId": v.id, "EnableDnsHostnames": {"Value": value}}, apply)
        if family == "cidr":
            cands = self.vpcs(own=False, pred=lambda v: len(v.cidrs) < MAX_CIDRS_PER_VPC)
            if not cands:
                return None
            v = rng.choice(cands)
            cidr = self.secondary_cidr(v)

            def apply(m, reply):
                m.cidrs.add(cidr)
                return m

            return Mutation(seq, family, v.region, v.key, "associate_vpc_cidr_block",
                            {"VpcId": v.id, "CidrBlock": cidr}, apply)
        if family == "tags":
            v = rng.choice(self.vpcs(own=False))
            present = sorted(k[1:] for k in v.tags if k.startswith("k"))
            if present and rng.random() < 0.3:
                i = rng.choice(present)

                def apply(m, reply):
                    m.tags.pop("k" + i, None)
                    m.tags.pop("m" + i, None)
                    return m

                return Mutation(seq, family, v.region, v.key, "delete_tags",
                                {"Resources": [v.id], "Tags": [{"Key": "k" + i},
                                                               {"Key": "m" + i}]}, apply)
            i = str(rng.randrange(5))

            def apply(m, reply):
                m.tags["k" + i] = str(seq)
                m.tags["m" + i] = str(seq)
                return m

            return Mutation(seq, family, v.region, v.key, "create_tags",
                            {"Resources": [v.id], "Tags": [{"Key": "k" + i, "Value": str(seq)},
                                                           {"Key": "m" + i, "Value": str(seq)}]},
                            apply)
        if family == "subnet":
            cands = self.vpcs()
            if not cands:
                return None
            v = rng.choice(cands)
            if v.subnets and rng.random() < 0.35:
                cidr = rng.choice(sorted(v.subnets))
                if v.subnets[cidr] is None:
                    return None

                def apply(m, reply):
                    del m.subnets[cidr]
                    return m

                return Mutation(seq, family, v.region, v.key, "delete_subnet",
                                {"SubnetId": v.subnets[cidr]}, apply)
            primary = next(c for c in v.cidrs if c.startswith("10.") and int(c.split(".")[1]) < 100)
            base = int(primary.split(".")[1])
            n = v.next_subnet
            v.next_subnet += 1
            cidr = f"10.{base}.{n * 16 // 256}.{n * 16 % 256}/28"

            def apply(m, reply):
                m.subnets[cidr] = reply["Subnet"]["SubnetId"] if reply else None
                m.next_subnet = max(m.next_subnet, n + 1)
                return m

            return Mutation(seq, family, v.region, v.key, "create_subnet",
                            {"VpcId": v.id, "CidrBlock": cidr}, apply)
        if family == "sg":
            cands = self.vpcs(own=False, pred=lambda v: v.sg_id and
                              v.next_port < MAX_RULE_CALLS_PER_SG)
            if not cands:
                return None
            v = rng.choice(cands)
            port = 1000 + v.next_port
            v.next_port += 1
            perms = [{"IpProtocol": p, "FromPort": port, "ToPort": port,
                      "IpRanges": [{"CidrIp": "10.0.0.0/8"}]} for p in ("tcp", "udp")]

            def apply(m, reply):
                m.rules |= {(p, port, port, "10.0.0.0/8") for p in ("tcp", "udp")}
                m.next_port = max(m.next_port, port - 1000 + 1)
                return m

            return Mutation(seq, family, v.region, v.key, "authorize_security_group_ingress",
                            {"GroupId": v.sg_id, "IpPermissions": perms}, apply)
        raise ValueError(family)

    WEIGHTS = {"create_vpc": 20, "delete_vpc": 8, "modify_vpc": 10, "cidr": 8, "tags": 18,
               "subnet": 18, "sg": 14}

    def pick(self):
        fams = [f for f, on in self.families.items() if on]
        for _ in range(50):
            fam = self.rng.choices(fams, weights=[self.WEIGHTS[f] for f in fams])[0]
            m = self.make(fam)
            if m is not None:
                return m
        raise RuntimeError("no mutation possible")

    def mutate(self, m):
        """Run one mutation and apply it to the model. True if vpcd accepted it; raises
        Died when vpcd did not answer (m is then unknown)."""
        t0 = time.monotonic()
        try:
            reply = self.call(m.region, m.call, **m.params)
        except botocore.exceptions.ClientError as e:
            code = e.response["Error"]["Code"]
            if code == "InvalidAction" and not self.used.get(m.family):
                self.families[m.family] = False
                log(f"note: {m.call} answers InvalidAction: family {m.family} skipped")
            else:
                self.errors[code] = self.errors.get(code, 0) + 1
                if self.args.verbose:
                    msg = e.response["Error"].get("Message")
                    log(f"error reply #{m.seq} {m.call} {m.params}: {code}: {msg}")
            return False
        self.latency = 0.9 * self.latency + 0.1 * (time.monotonic() - t0)
        self.used[m.family] = self.used.get(m.family, 0) + 1
        self.acked[m.call] = self.acked.get(m.call, 0) + 1
        region = self.model[m.region]
        new = m.apply(region.get(m.key), reply)
        if new is None:
            self.deleted[m.region][m.key] = region[m.key].id
            del region[m.key]
        else:
            region[m.key] = new
        return True

    def learn_sg(self, v):
        """The default SG id of a VPC (a read, needed before AuthorizeSecurityGroupIngress)."""
        r = self.call(v.region, "describe_security_groups",
                      Filters=[{"Name": "vpc-id", "Values": [v.id]},
                               {"Name": "group-name", "Values": ["default"]}])
        groups = r.get("SecurityGroups", [])
        if len(groups) == 1:
            v.sg_id = groups[0]["GroupId"]

    # ---- the run ----

    def restart_after_kill(self, round_no, pending, why):
        self.check(self.vpcd.killed.is_set(), f"round {round_no}: a call failed but vpcd was "
                                              f"not killed: {why}")
        if not self.vpcd.killed.is_set():
            self.vpcd.kill()
        t0 = time.monotonic()
        self.vpcd.wait_dead()
        self.vpcd.start()
        self.t_restart += time.monotonic() - t0
        self.verify(f"restart {round_no}", pending)

    def run(self):
        t_start = time.monotonic()
        shutil.rmtree(self.vpcd.state, ignore_errors=True)
        self.vpcd.start()
        names = [r["RegionName"] for r in self.call("us-east-1", "describe_regions")["Regions"]]
        self.regions = sorted(names)[:N_REGIONS]
        self.model = {r: {} for r in self.regions}
        self.deleted = {r: {} for r in self.regions}
        self.reader_ok("subnet", "us-east-1", "describe_subnets", "Subnets")
        self.reader_ok("sg", "us-east-1", "describe_security_groups", "SecurityGroups")
        self.reader_ok("rtb", "us-east-1", "describe_route_tables", "RouteTables")
        self.reader_ok("nacl", "us-east-1", "describe_network_acls", "NetworkAcls")
        # The baseline: each region's default VPC, created on first use.
        for region in self.regions:
            got, problems = self.snapshot(region)
            self.check(not problems, f"baseline {region}: " + "; ".join(problems))
            self.check(list(got) == ["default"], f"baseline {region}: VPCs {list(got)}")
            self.model[region] = got
        self.families = {f: True for f in self.WEIGHTS}
        if not self.readers.get("subnet"):
            self.families["subnet"] = False
        if not self.readers.get("sg"):
            self.families["sg"] = False

        total, kills = self.args.mutations, self.args.kills
        span = total * 0.95 / kills
        kill_at = [int(span * i + self.rng.uniform(0.05, 1.0) * span) for i in range(kills)]
        log(f"vpcd flags: {' '.join(self.vpcd.extra_args) or '(default: fsync per commit)'}")
        log(f"seed {self.args.seed}: {total} mutations over {len(self.regions)} regions, "
            f"kills before mutations {kill_at}")
        round_no, timer = 0, None
        done = 0
        while done < total:
            if round_no < kills and done >= kill_at[round_no] and timer is None:
                # Fire at a random point within the next request or two.
                timer = threading.Timer(self.rng.uniform(0, 2 * self.latency), self.vpcd.kill)
                timer.start()
            m, issued = None, False
            try:
                m = self.pick()
                self.seq += 1
                done += 1
                issued = True
                ok = self.mutate(m)
                issued = False
                new = self.model[m.region].get(m.key)
                if ok and m.call == "create_vpc" and new and self.readers.get("sg"):
                    self.learn_sg(new)
            except Died as e:
                pending = m if issued else None
                if pending is not None:
                    self.unknown += 1
                if timer is not None:
                    timer.join()
                    timer = None
                round_no += 1
                self.restart_after_kill(round_no, pending, str(e))
        if timer is not None:
            timer.cancel()
        self.check(round_no == kills, f"vpcd was killed {round_no} times, want {kills}")
        self.verify("end")
        rc = self.vpcd.stop()
        self.check(rc == 0, f"vpcd exit status {rc} after SIGTERM")
        self.vpcd.start()
        self.verify("after clean restart")
        rc = self.vpcd.stop()
        self.check(rc == 0, f"vpcd exit status {rc} after SIGTERM")
        report = self.vpcd.sanitizer_report()
        self.check(report is None, f"sanitizer report in vpcd log:\n{report}")

        acked = sum(self.used.values())
        log(f"mutations: {self.seq} issued, {acked} acknowledged ok, "
            f"{sum(self.errors.values())} acknowledged errors {self.errors}, "
            f"{self.unknown} unknown ({self.unknown_applied} found applied)")
        log("acknowledged actions: " + ", ".join(
            f"{''.join(w.capitalize() for w in a.split('_'))} {n}"
            for a, n in sorted(self.acked.items())))
        skipped = [f for f, on in self.families.items() if not on]
        skipped += [f"{f} checks" for f, on in self.readers.items() if not on]
        if skipped:
            log("skipped (InvalidAction): " + ", ".join(skipped))
        else:
            log("no family skipped: every mutation family and Describe check was used")
        log(f"elapsed {time.monotonic() - t_start:.1f}s (verifying {self.t_verify:.1f}s, "
            f"restarting {self.t_restart:.1f}s)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vpcd", default="build/vpcd")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--mutations", type=int, default=2000)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=int(os.environ.get("CRASH_SEED", "0")) or
                    random.SystemRandom().randrange(1, 1 << 31))
    ap.add_argument("--read-timeout", type=float, default=20)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--vpcd-arg", action="append", default=[],
                    help="extra vpcd flag, e.g. --vpcd-arg=--no-fsync (repeatable)")
    args = ap.parse_args()
    if not args.port:
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        args.port = s.getsockname()[1]
        s.close()
    d = Driver(args)

    def interrupted(signo, _frame):
        # botocore may swallow KeyboardInterrupt; stop vpcd and leave at once instead.
        if d.vpcd.proc and d.vpcd.proc.poll() is None:
            d.vpcd.proc.kill()
        print(f"interrupted by signal {signo}\n{d.passed} passed, {d.failed + 1} failed", flush=True)
        os._exit(130)

    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    try:
        d.run()
    except Exception as e:  # a harness error is a failure, not a crash of the driver
        d.check(False, f"driver stopped: {type(e).__name__}: {e}")
        if os.path.exists(d.vpcd.logpath):
            with open(d.vpcd.logpath, errors="replace") as f:
                log("vpcd log (tail):\n" + f.read()[-3000:])
    finally:
        d.vpcd.stop()
    print(f"{d.passed} passed, {d.failed} failed", flush=True)
    sys.exit(1 if d.failed else 0)


if __name__ == "__main__":
    main()
