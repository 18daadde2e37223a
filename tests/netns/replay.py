"""Replays the scenario suite's designs (tests/scenarios) with real packets.

For each scenario: wipe vpcd (POST /_vpcd/reset, which must also remove the instances'
namespaces), build the design through the API with the scenario's own build(), ask the analyzer
for every verdict (the same calls the scenario suite makes), then start one agent (agent.py) in
each instance namespace involved and exchange real packets: ping for ICMP, a TCP echo (connect
with a 1 s timeout, a line echoed) and a UDP echo, from source port 49152 as the analyzer
assumes. A check passes when the packets got there and back exactly when the analyzer found a
path, and the analyzer agrees with the scenario's expectation.

The checks of one scenario run at once (each waits at most 1 s for a loss); one that disagrees
is run again on its own, so its report carries only its own drop counters.
"""
import concurrent.futures
import dataclasses
import ipaddress
import itertools
import json
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.append(os.path.join(os.path.dirname(HERE), "scenarios"))

import harness  # noqa: E402  (tests/scenarios/harness.py, used as it is)

AGENT = os.path.join(HERE, "agent.py")
PYTHON = "/usr/bin/python3"
VERBOSE = os.environ.get("NETNS_VERBOSE") == "1"  # print every check (run pytest with -s)
TIMEOUT = 1.0       # seconds a client waits for an answer (the brief's 1 s)
SPORT = 49152       # the analyzer's source port
NETNS_DIR = "/run/netns"

# What the whole run did, for the summary line.
STATS = {"scenarios": 0, "checks": 0, "tcp": 0, "udp": 0, "icmp": 0, "disagree": 0,
         "skipped": 0, "path_checks": 0, "unstable": []}
LIVE = {}  # figures from the live-change tests
_tokens = itertools.count(1)


def interrupt(signum, frame):
    """The SIGTERM handler (installed by conftest.py): pytest still runs the finalizers after a
    KeyboardInterrupt."""
    raise KeyboardInterrupt(f"signal {signum}")


def ledger(kind, value):
    """Notes a namespace, an agent's pid or a vpcd (pid and endpoint) the suite started, for
    tests/e2e/run-netns.sh's exit trap: if this process dies before its finalizers run, the trap
    resets that vpcd (which removes its namespaces), stops it, kills the agents and removes the
    namespaces still there."""
    path = os.environ.get("NETNS_LEDGER")
    if path:
        with open(path, "a") as f:
            f.write(f"{kind} {value}\n")


def ns_exists(name):
    return os.path.exists(os.path.join(NETNS_DIR, name))


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# --- vpcd ------------------------------------------------------------------------------------
class Vpcd:
    """A vpcd with the data plane on (root), a private state directory, --dev."""

    def __init__(self, extra_args=()):
        self.dir = tempfile.mkdtemp(prefix="vpcd-netns.")
        self.state = os.path.join(self.dir, "db")
        ledger("dir", self.dir)
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(self.dir, "log")
        self.log = open(self.log_path, "w")
        args = [os.environ.get("VPCD_BIN", "build/vpcd"), "--listen", f"127.0.0.1:{self.port}",
                "--state", os.path.join(self.dir, "db"), "--dev", "--no-fsync",
                "--quota", "vpcs-per-region=20", *extra_args]
        # Its own session: a signal to the run's process group (a CI timeout) reaches pytest,
        # whose finalizers still need this vpcd to remove the namespaces (POST /_vpcd/reset).
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        ledger("vpcd", f"{self.proc.pid} {self.endpoint}")
        for _ in range(1000):
            try:
                urllib.request.urlopen(self.endpoint + "/_vpcd/health", timeout=1)
                break
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.01)  # start-up only
        # The start-up line comes after the listener: wait for it, it says whether the data
        # plane is on.
        for _ in range(1000):
            log = self.read_log()
            if "serving the EC2 API" in log or self.proc.poll() is not None:
                break
            time.sleep(0.01)
        if "data plane on" not in log:
            self.close()
            raise RuntimeError("vpcd is not serving with its data plane on: " + log)

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def reset(self):
        req = urllib.request.Request(self.endpoint + "/_vpcd/reset", data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.status == 200

    def metrics(self):
        """{metric{labels}: value} from GET /_vpcd/metrics."""
        with urllib.request.urlopen(self.endpoint + "/_vpcd/metrics", timeout=10) as r:
            text = r.read().decode()
        out = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                key, _, val = line.rpartition(" ")
                out[key] = int(val)
        return out

    def close(self):
        """Stops vpcd; returns its log. Raises if a sanitizer reported anything."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        log = self.read_log()
        shutil.rmtree(self.dir, ignore_errors=True)
        assert "AddressSanitizer" not in log and "runtime error:" not in log \
            and "LeakSanitizer" not in log, log
        return log


def drops_delta(before, after):
    """The drop and answer counters that moved between two metrics() readings, for reports:
    {drop reason or answer kind: delta, "drops_by_<eni>": delta}."""
    moved = {}
    for k, v in after.items():
        d = v - before.get(k, 0)
        if d and ("drops_total" in k or "answers_total" in k):
            m = re.search(r'(reason|kind|eni)="([^"]+)"', k)
            name = m.group(2) if m else k
            if "eni_drops" in k:
                name = "drops_by_" + name
            moved[name] = d
    return moved


# --- the programs in the namespaces ----------------------------------------------------------
class Agent:
    """agent.py inside one instance namespace, driven over its stdin/stdout."""

    def __init__(self, ns):
        self.ns = ns
        self.err = tempfile.TemporaryFile(mode="w+")  # a pipe nobody reads could fill up
        self.proc = subprocess.Popen(["ip", "netns", "exec", ns, PYTHON, "-u", AGENT],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err, text=True, bufsize=1)
        ledger("pid", self.proc.pid)
        self._ids = itertools.count(1)
        self._waiting = {0: queue.Queue(1)}
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            msg = json.loads(line)
            q = self._waiting.get(msg["id"])
            if q:
                q.put(msg)
        self.proc.wait()
        with self.err:  # this thread's: close() may return before it gets here
            self.err.seek(0)
            why = f"agent exited ({self.proc.returncode}): {self.err.read()[-2000:]}"
        for q in list(self._waiting.values()):
            q.put({"fail": why})

    def ready(self, timeout=20):
        msg = self._waiting[0].get(timeout=timeout)
        if not msg.get("ready"):
            raise RuntimeError(f"agent in {self.ns} did not start: {msg}")

    def call(self, op, wait=10, **kw):
        with self._lock:
            rid = next(self._ids)
            q = self._waiting[rid] = queue.Queue(1)
            self.proc.stdin.write(json.dumps({"id": rid, "op": op, **kw}) + "\n")
            self.proc.stdin.flush()
        try:
            msg = q.get(timeout=wait)
        finally:
            self._waiting.pop(rid, None)
        if "fail" in msg:
            raise RuntimeError(f"agent in {self.ns}: {op}: {msg['fail']}")
        return msg

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            self.proc.kill()
        self.proc.wait(timeout=10)


def ping(src_ns, ip, timeout=TIMEOUT):
    """One echo request from inside src_ns; True if the reply came back."""
    r = subprocess.run(["ip", "netns", "exec", src_ns, "ping", "-n", "-q", "-c", "1",
                        "-W", str(int(timeout)), ip], capture_output=True, text=True,
                       timeout=10 + timeout)
    return r.returncode == 0, (r.stdout.strip().splitlines() or [""])[-1]


_ECHO_CLIENT = """
import hashlib, socket, sys, threading
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
data = sys.stdin.buffer.read()
threading.Thread(target=s.sendall, args=(data,), daemon=True).start()
got = bytearray()
while len(got) < len(data):
    c = s.recv(65536)
    if not c:
        break
    got += c
print(hashlib.sha256(got).hexdigest(), len(got), s.getsockopt(socket.IPPROTO_TCP,
                                                               socket.TCP_MAXSEG))
"""


def echo_lines(n):
    """n distinct lines of 65 bytes, for a line echo server (the agent's tcp serve)."""
    import hashlib
    return b"".join(hashlib.sha256(b"%d" % i).hexdigest().encode() + b"\n" for i in range(n))


def echo_transfer(src_ns, ip, port, payload, timeout=60):
    """Sends payload over one TCP connection from src_ns to a line echo server and reads it
    all back: (sha256 hex of what came back, its length, the connection's TCP_MAXSEG)."""
    r = subprocess.run(["ip", "netns", "exec", src_ns, PYTHON, "-c", _ECHO_CLIENT, ip,
                        str(port)], input=payload, capture_output=True, timeout=timeout)
    if r.returncode != 0:
        raise AssertionError(r.stderr.decode(errors="replace")[-500:])
    digest, n, mss = r.stdout.decode().split()
    return digest, int(n), int(mss)


def sysctl(ns, *settings):
    subprocess.run(["ip", "netns", "exec", ns, "sysctl", "-q", "-w", *settings], check=True,
                   capture_output=True, timeout=10)


# --- the world -------------------------------------------------------------------------------
class DpWorld(harness.World):
    """harness.World that also remembers which instances were created (their namespaces are the
    suite's to check and clean) and which are appliances: the source/destination check off, or
    the target of a route (an instance's ENI)."""

    def __init__(self, endpoint, reset):
        super().__init__(endpoint, reset)
        self.appliances = set()
        self.created = []

    def reset(self):
        super().reset()
        self.appliances.clear()
        self.created = []

    def instance(self, subnet, ip, *sgs, src_dst_check=True):
        iid = super().instance(subnet, ip, *sgs, src_dst_check=src_dst_check)
        ledger("ns", iid)
        self.created.append(iid)
        if not src_dst_check:
            self.appliances.add(iid)
        return iid

    def route(self, rtb, cidr, target):
        super().route(rtb, cidr, target)
        if target in self.alias:  # an instance's primary ENI
            self.appliances.add(self.alias[target])


# --- cases -----------------------------------------------------------------------------------
INTERNET_HOST = "198.51.100.1"  # the test host in the vpcd-internet namespace
INTERNET_NS = "vpcd-internet"
INTERNET_WHY = "the destination is on the internet but not the internet host " + INTERNET_HOST
# The address ranges a VPC may use (and what an internet gateway refuses to send out).
VPC_RANGES = [ipaddress.ip_network(n) for n in
              ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")]


@dataclasses.dataclass(frozen=True)
class Case:
    """One packet check: verdict `index` of scenario sc (proto from the expectation), or the
    ICMP check of the same endpoints (kind "icmp", compared with the analyzer only)."""
    sc: object
    index: int
    kind: str  # "verdict" | "icmp"

    @property
    def e(self):
        return self.sc.expects[self.index]

    @property
    def id(self):
        e = self.e
        to = e.dst or e.ip
        if self.kind == "icmp":
            return f"{self.sc.name}: {e.src} -> {to} icmp (analyzer)"
        return f"{self.sc.name}: {e.src} -> {to} {e.proto}/{e.port}"


def _is_public(ip):
    return not any(ipaddress.ip_address(ip) in n for n in VPC_RANGES)


def cases(*modules, known=None):
    """The cases of the modules' scenarios, in order, as pytest params: every verdict, and one
    ICMP check per pair of endpoints. known maps a case id to the reason of a reported vpcd
    defect (xfail), or to (reason, False) for one that shows only when the scenarios run in
    order (it passes on a fresh vpcd)."""
    import pytest
    out = []
    for module in modules:
        for sc in module.SCENARIOS:
            pairs = set()
            for i, e in enumerate(sc.expects):
                out.append(Case(sc, i, "verdict"))
                pair = (e.src, e.dst, e.ip, e.by_ip)
                if pair not in pairs:
                    pairs.add(pair)
                    out.append(Case(sc, i, "icmp"))
    ids = [c.id for c in out]
    assert len(set(ids)) == len(ids), "two checks with one id"
    known = known or {}
    unknown = set(known) - set(ids)
    assert not unknown, f"known defects name no case: {sorted(unknown)}"
    return [pytest.param(c, id=c.id, marks=[xfail(known[c.id])] if c.id in known else [])
            for c in out]


def xfail(known):
    import pytest
    reason, strict = known if isinstance(known, tuple) else (known, True)
    # Only the reported assertion is expected to fail: an error elsewhere is still an error.
    return pytest.mark.xfail(reason=reason, strict=strict, raises=AssertionError)


def static_skip(case):
    """Why case cannot be replayed, known without building (the destination is public)."""
    e = case.e
    return INTERNET_WHY if e.ip and _is_public(e.ip) and e.ip != INTERNET_HOST else None


@dataclasses.dataclass
class Plan:
    """A case resolved against the built scenario."""
    case: Case
    skip: str = None
    src: str = None       # instance id (its namespace)
    dst_ip: str = None
    holders: tuple = ()   # instance ids holding dst_ip (usually one)
    proto: str = None
    port: int = None
    found: bool = None    # the analyzer's NetworkPathFound
    code: str = None      # its first explanation code
    delivered: bool = None
    detail: str = ""
    path_errors: tuple = ()
    seen: dict = None     # appliance name -> (forward, return) packets it received
    report: str = ""      # the rerun-alone report of a disagreement
    token: str = None     # what the last TCP/UDP request carried (servers note it)


class Bench:
    """One vpcd with the data plane for a test module, and the scenario being replayed."""

    def __init__(self, extra_args=()):
        self.vpcd = Vpcd(extra_args)
        self.w = DpWorld(self.vpcd.endpoint, self.vpcd.reset)
        self.agents = {}
        self.current = None    # the scenario built now
        self.plans = {}        # case id -> Plan
        self.build_error = None
        self.leftovers = []    # namespaces a reset did not remove
        self.ever = []         # every instance id built through this bench

    # -- lifecycle --
    def stop_agents(self):
        for a in self.agents.values():
            a.close()
        self.agents = {}

    def reset(self):
        """Wipes vpcd between scenarios and checks that the previous scenario's namespaces went
        with it."""
        self.stop_agents()
        before = list(self.w.created)
        self.w.reset()
        for iid in before:
            if ns_exists(iid):
                self.leftovers.append(iid)

    def close(self):
        """Finalizer: agents, a last reset, vpcd; then removes (and reports) anything of the
        suite's still present. Returns the list of problems."""
        problems = []
        try:
            self.reset()
        except Exception as e:  # vpcd may be dead: still clean up below
            problems.append(f"final reset failed: {e}")
        if self.leftovers:
            problems.append(f"namespaces left after POST /_vpcd/reset: {self.leftovers}")
        try:
            self.vpcd.close()
        except AssertionError as e:
            problems.append(f"sanitizer report in the vpcd log: {str(e)[:4000]}")
        for iid in self.ever:
            if ns_exists(iid):
                subprocess.run(["ip", "netns", "delete", iid], capture_output=True)
                if iid not in self.leftovers:
                    problems.append(f"namespace {iid} left after vpcd stopped")
        return problems

    def build(self, fn):
        """Wipes vpcd, then fn(w) builds a design; its instances are the suite's to clean."""
        self.reset()
        try:
            return fn(self.w)
        finally:
            self.ever.extend(self.w.created)

    def agent(self, iid):
        if iid not in self.agents:
            self.agents[iid] = Agent(iid)
        return self.agents[iid]

    def start_agents(self, ids):
        fresh = [self.agent(i) for i in ids if i not in self.agents]
        for a in fresh:
            a.ready()

    # -- one scenario --
    def result(self, case):
        if self.current != case.sc.name:
            self.run_scenario(case)
        if self.build_error:
            raise self.build_error
        return self.plans[case.id]

    def _plan(self, case, ep):
        e, w = case.e, self.w
        p = Plan(case)
        why = static_skip(case)
        if why:
            p.skip = why
            return p
        src = ep[e.src]
        if src.startswith("igw-") and e.dst and ep[e.dst].startswith("i-"):
            # From the internet: the internet host sends to the instance's public address.
            dst = ep[e.dst]
            got = w.of(dst).describe_instances(InstanceIds=[dst])
            p.dst_ip = got["Reservations"][0]["Instances"][0].get("PublicIpAddress")
            if not p.dst_ip:
                p.skip = f"{e.dst} has no public address for the internet to send to"
                return p
            p.holders = (dst,)
            p.src = INTERNET_NS
            p.proto, p.port = ("icmp", None) if case.kind == "icmp" else (e.proto, e.port)
            return p
        if not src.startswith("i-"):
            p.skip = f"the source {e.src} is {src}, not an instance (traffic from the internet: " \
                     "issue 6)"
            return p
        if e.dst:
            dst = ep[e.dst]
            if not dst.startswith("i-"):
                p.skip = f"the destination {e.dst} is {dst}, not an instance"
                return p
            p.dst_ip = w.ips[dst]
            p.holders = (dst,)  # another instance with the same address must not answer
        else:
            p.dst_ip = e.ip
            p.holders = tuple(i for i, ip in w.ips.items() if ip == p.dst_ip)
            if p.dst_ip == INTERNET_HOST:
                p.holders = (INTERNET_NS,)
        if not p.holders:
            p.skip = f"no instance holds {p.dst_ip}: nothing could answer, so packets cannot " \
                     "tell delivery from loss"
            return p
        p.src = src
        p.proto, p.port = ("icmp", None) if case.kind == "icmp" else (e.proto, e.port)
        return p

    def _analyze(self, p, ep):
        e, w = p.case.e, self.w
        dst = ep[e.dst] if e.dst and not e.by_ip else None
        ip = w.ips[ep[e.dst]] if e.by_ip else e.ip
        r = w.analyze(ep[e.src], dst, ip, p.proto, p.port)
        assert r.get("Status") == "succeeded", f"{p.case.id}: analysis {r.get('Status')}: " \
                                               f"{r.get('StatusMessage')}"
        p.found = r["NetworkPathFound"]
        expl = r.get("Explanations") or []
        p.code = expl[0].get("ExplanationCode") if expl else None

    def run_scenario(self, case):
        sc = case.sc
        self.current = sc.name
        self.plans = {}
        self.build_error = None
        STATS["scenarios"] += 1
        mine = [c for c in self.all_cases if c.sc is sc]
        if all(static_skip(c) for c in mine):
            # Nothing to replay: not even worth building (counted for the summary).
            STATS["scenarios"] -= 1
            for c in mine:
                self.plans[c.id] = Plan(c, skip=static_skip(c))
            return
        try:
            ep = self.build(sc.build)
            plans = [self._plan(c, ep) for c in mine]
            for p in plans:
                self.plans[p.case.id] = p
            live = [p for p in plans if not p.skip]
            for p in live:
                self._analyze(p, ep)
            self.start_agents({p.src for p in live} | {h for p in live for h in p.holders} |
                              self.w.appliances)
            for iid in self.w.appliances:
                # An appliance routes: forwarding on, no reverse-path filter, and no ICMP
                # redirects (it sends packets back out of the interface they came in by).
                sysctl(iid, "net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0",
                       "net.ipv4.conf.eth0.rp_filter=0", "net.ipv4.conf.all.send_redirects=0",
                       "net.ipv4.conf.eth0.send_redirects=0")
                self.agents[iid].call("sniff")
            served = set()
            for p in live:
                for h in p.holders:
                    if p.proto != "icmp" and (h, p.proto, p.port) not in served:
                        served.add((h, p.proto, p.port))
                        self.agents[h].call("serve", proto=p.proto, port=p.port)
            self._exchange(live, ep)
        except BaseException as e:
            self.build_error = e
            raise

    def _exchange(self, live, ep):
        serial = bool(self.w.appliances)  # per-flow appliance counters need one flow at a time
        before = self.vpcd.metrics()
        if serial:
            for p in live:
                self._send(p)
                self._path(p, ep)
        else:
            locks = {}
            for p in live:
                locks.setdefault((p.src, p.dst_ip, p.proto, p.port), threading.Lock())

            def one(p):
                with locks[(p.src, p.dst_ip, p.proto, p.port)]:
                    self._send(p)
            with concurrent.futures.ThreadPoolExecutor(max_workers=len(live) or 1) as ex:
                for f in [ex.submit(one, p) for p in live]:
                    f.result()
        self.scenario_drops = drops_delta(before, self.vpcd.metrics())
        for p in live:
            if VERBOSE:
                print(f"\n  {p.case.id}: analyzer {p.found} ({p.code}), packets "
                      f"{'delivered' if p.delivered else 'lost'} ({p.detail})"
                      + (f", appliances {p.seen}" if p.seen else ""), end="")
            STATS["checks"] += 1
            STATS[p.proto] += 1
            if p.delivered != p.found:
                p.report = self._rerun_alone(p)
                if p.delivered == p.found:
                    # Lost while every check of the scenario ran at once, delivered alone: a
                    # loaded machine can delay an answer past the timeout, but no load makes a
                    # packet arrive that vpcd dropped, so only this direction is forgiven.
                    STATS["unstable"].append(p.case.id)
                else:
                    STATS["disagree"] += 1

    def _send(self, p):
        """The real exchange: sets p.delivered and p.detail."""
        if p.proto == "icmp":
            p.delivered, p.detail = ping(p.src, p.dst_ip)
            return
        token = f"t{next(_tokens)}"
        r = self.agents[p.src].call(p.proto, dst=p.dst_ip, port=p.port, sport=SPORT,
                                    timeout=TIMEOUT, token=token)
        p.token = token
        p.delivered = r["delivered"]
        p.detail = f"{r['stage']}: {r['error']}" if r["error"] else f"echoed in {r['ms']:.1f} ms"
        if p.delivered and not self._reached(p):
            p.delivered = False
            p.detail += f", but by none of {list(p.holders)} (another instance with the same " \
                        "address answered)"

    def _reached(self, p):
        """The holders whose server got p's last request."""
        return [h for h in p.holders if self.agents[h].call("seen", token=p.token)["seen"]]

    def _rerun_alone(self, p):
        """The disagreement's report: the same exchange on its own, with the drop counters it
        moved and whether the request reached the destination's server."""
        first = f"{'delivered' if p.delivered else 'lost'} ({p.detail})"
        was = p.delivered
        before = self.vpcd.metrics()
        self._send(p)
        p.delivered = was or p.delivered  # see _exchange
        moved = drops_delta(before, self.vpcd.metrics())
        got = self._reached(p) if p.proto != "icmp" else None
        return (f"{p.case.sc.name}: {p.proto} {self.w.ips[p.src]}:"
                f"{SPORT if p.proto != 'icmp' else '-'} -> {p.dst_ip}:{p.port or '-'}; analyzer "
                f"NetworkPathFound={p.found} ({p.code}); packets {first}, alone again "
                f"{'delivered' if p.delivered else 'lost'} ({p.detail})"
                + (f"; the request reached {got or 'no server'}" if got is not None else "")
                + f"; counters moved: {moved}")

    def _path(self, p, ep):
        """Where the appliances saw the flow: incoming packets src>dst (forward) and dst>src
        (return) at each appliance, against the expectation's path names."""
        e = p.case.e
        src_ip = self.w.ips[p.src]
        seen = {}
        for name, iid in ep.items():
            if iid in self.w.appliances:
                counts = self.agents[iid].call("sniffed")["counts"]
                seen[name] = (counts.get(f"{src_ip}>{p.dst_ip}", 0),
                              counts.get(f"{p.dst_ip}>{src_ip}", 0))
        p.seen = seen
        if p.case.kind == "icmp" or not seen:
            return
        STATS["path_checks"] += 1
        errs = []
        if p.found:
            for names, way, want in ((e.fwd, 0, True), (e.ret, 1, True), (e.fwd_not, 0, False),
                                     (e.ret_not, 1, False)):
                for n in names:
                    if n in seen and (seen[n][way] > 0) != want:
                        errs.append(f"{n} {'saw' if seen[n][way] else 'did not see'} the "
                                    f"{'return' if way else 'forward'} packets")
            if e.same_on_both:
                both = [n for n in e.same_on_both if seen[n][0] and seen[n][1]]
                any_ = [n for n in e.same_on_both if seen[n][0] or seen[n][1]]
                if len(both) != 1 or any_ != both:
                    errs.append(f"expected one appliance for both directions: {seen}")
        else:
            for n in e.at:
                if n in seen and any(seen[n]):
                    errs.append(f"{n} received the flow though the analyzer stops it there")
        p.path_errors = tuple(f"{x} (packets forward/return per appliance: {seen})"
                              for x in errs)

    # -- the assertion of one case --
    def check(self, case):
        import pytest
        p = self.result(case)
        if p.skip:
            STATS["skipped"] += 1
            pytest.skip(p.skip)
        errs = []
        if p.delivered != p.found:
            errs.append("real packets disagree with the analyzer: " + p.report)
        if case.kind == "verdict" and p.found != case.e.found:
            errs.append(f"analyzer NetworkPathFound={p.found} ({p.code}), the scenario expects "
                        f"{case.e.found} ({case.e.code})")
        errs.extend(p.path_errors)
        assert not errs, "\n".join(errs)
