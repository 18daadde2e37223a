"""Live changes under real traffic (issue 5, acceptance 2).

A (10.30.1.10) holds TCP connections to B (10.30.2.10), whose group admits tcp 7000 and 7001
from A's address only (so the flows are tracked: reference 5.4). Revoking the 7000 rule keeps
the open connection working and refuses new ones; a NACL deny on B's subnet for A's address
stops the open 7001 connection. Each change is timed: from the API call's return to the first
probe that sees it (probes run back to back, about 1 ms apart while they succeed).

The tests share one design and run in this file's order (each starts where the last stopped).
"""
import threading
import time

import pytest

import replay

VPC = "10.30.0.0/16"
A_IP, B_IP, LATE_IP = "10.30.1.10", "10.30.2.10", "10.30.1.6"
EARLY_IPS = ("10.30.1.4", "10.30.1.5")
REUSED_PORT = 50001  # a closed connection's source port, reused after the revoke
LIMIT_S = 1.0        # the assertion; AWS-like behaviour (issue 5) is under 100 ms

# vpcd defects this module found and reported (test -> reason).
# Defects found by this suite are listed here (name -> reason) while they are open.
KNOWN = {}


def design(w):
    v = w.vpc(VPC)
    s1, s2 = w.subnet(v, "10.30.1.0/24"), w.subnet(v, "10.30.2.0/24", az="b")
    svc = w.sg(v, "svc", ingress=[("tcp", 7000, 7000, A_IP + "/32"),
                                  ("tcp", 7001, 7001, A_IP + "/32")])
    # Two instances launched before A and B: their ENIs come first in the model's lists.
    early = [w.instance(s1, ip) for ip in EARLY_IPS]
    a = w.instance(s1, A_IP)
    b = w.instance(s2, B_IP, svc)
    acl = w.nacl(v, [s2], [(100, "in", "-1", "allow", "0.0.0.0/0", None, None),
                           (100, "out", "-1", "allow", "0.0.0.0/0", None, None)])
    return {"vpc": v, "s1": s1, "svc": svc, "early": early, "a": a, "b": b, "acl": acl}


class Live:
    def __init__(self, bench):
        self.bench = bench
        self.ep = bench.build(design)
        self.w = bench.w
        bench.start_agents([self.ep["a"], self.ep["b"]])
        self.a, self.b = bench.agents[self.ep["a"]], bench.agents[self.ep["b"]]
        for port in (7000, 7001):
            self.b.call("serve", proto="tcp", port=port)
        self.tokens = iter(range(1, 10 ** 9))

    def send(self, name, timeout=replay.TIMEOUT):
        return self.a.call("send", name=name, timeout=timeout, token=f"{name}-{next(self.tokens)}")

    def new_connection(self, port, sport=None, timeout=replay.TIMEOUT):
        return self.a.call("tcp", dst=B_IP, port=port, sport=sport, timeout=timeout,
                           token=f"new-{next(self.tokens)}")

    def analyze(self, port):
        r = self.w.analyze(self.ep["a"], self.ep["b"], None, "tcp", port)
        expl = r.get("Explanations") or []
        return r["NetworkPathFound"], expl[0].get("ExplanationCode") if expl else None


@pytest.fixture(scope="module")
def live(bench):
    return Live(bench)


def params(*names):
    return [pytest.param(n, id=n, marks=[replay.xfail(KNOWN[n])] if n in KNOWN else [])
            for n in names]


class Prober:
    """Runs probe() back to back on a thread and keeps (start, ok, detail) of each, until it is
    stopped or (stop_on_fail) a probe fails."""

    def __init__(self, probe, stop_on_fail=False, pause=0.0):
        self.probe, self.stop_on_fail, self.pause = probe, stop_on_fail, pause
        self.results = []
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        while not self._stop.is_set():
            t = time.monotonic()
            ok, detail = self.probe()
            # (start, ok, detail, end): a probe spans time, and one that straddles the API
            # call may meet the change or not.
            self.results.append((t, ok, detail, time.monotonic()))
            if not ok and self.stop_on_fail:
                return
            if self.pause:
                time.sleep(self.pause)

    def stop(self):
        self._stop.set()
        self._t.join(timeout=10)

    def first_failure(self, after):
        """The first failed probe still running at `after` or started later: a probe begun just
        before the API call can have its packets judged after the change applied."""
        return next((r for r in self.results if r[3] >= after and not r[1]), None)

    def failures_before(self, t):
        """Failed probes that were over before t: those the change cannot explain."""
        return [r for r in self.results if r[3] < t and not r[1]]

    def last_success_before(self, t):
        return max((r[0] for r in self.results if r[0] < t and r[1]), default=None)


def record(what, prober, t0, t1, first):
    """Notes when the change applied: the first probe that saw it started `first` ms after the
    API call returned; the last probe that did not see it started `last_ok` ms after."""
    last_ok = prober.last_success_before(first[0])
    replay.LIVE[what] = (f"{(first[0] - t1) * 1000:+.1f} ms after the API call returned "
                         f"(call {(t1 - t0) * 1000:.1f} ms; the last probe that missed it started "
                         f"{(last_ok - t1) * 1000:+.1f} ms)")


def wait_for(prober, since, limit=LIMIT_S + 1.0):
    deadline = since + limit
    while time.monotonic() < deadline:
        if prober.first_failure(since):
            return
        time.sleep(0.005)


@pytest.mark.parametrize("name", params("sg_revoke_keeps_open_connection_refuses_new"))
def test_sg_revoke(live, name):
    """Revoking B's tcp 7000 rule: the open connection keeps working (it is tracked), a new
    connection fails, within LIMIT_S of the API call."""
    assert live.a.call("open", name="c7000", dst=B_IP, port=7000, timeout=1)["ok"]
    assert live.a.call("open", name="c7001", dst=B_IP, port=7001, timeout=1)["ok"]
    assert live.send("c7000")["ok"] and live.send("c7001")["ok"]
    # A complete exchange from a fixed source port, closed before the revoke (see below).
    r = live.new_connection(7000, sport=REUSED_PORT)
    assert r["delivered"], r
    assert live.analyze(7000) == (True, None)

    # Traffic on the open connection throughout, and new connections back to back.
    steady = Prober(lambda: (lambda r: (r["ok"], r["error"]))(live.send("c7000")), pause=0.005)
    fresh = Prober(lambda: (lambda r: (r["delivered"], r["error"]))(
        live.new_connection(7000, timeout=0.2)), stop_on_fail=True)
    # Long enough for whole probes before the call: failures among them are defects.
    time.sleep(0.3)
    t0 = time.monotonic()
    live.w.of(live.ep["svc"]).revoke_security_group_ingress(
        GroupId=live.ep["svc"], IpPermissions=replay.harness.perms(
            [("tcp", 7000, 7000, A_IP + "/32")]))
    t1 = time.monotonic()
    wait_for(fresh, t0)
    time.sleep(0.05)
    fresh.stop()
    steady.stop()
    first = fresh.first_failure(t0)
    assert fresh.failures_before(t0) == [], "new connections failed before the revoke"
    assert first, "new connections to tcp 7000 still succeed after the rule was revoked"
    ms = (first[0] - t1) * 1000
    record("SG revoke: first refused new connection", fresh, t0, t1, first)
    assert first[0] - t1 < LIMIT_S, f"the revoke took {ms:.0f} ms to apply"
    bad = [r for r in steady.results if not r[1]]
    assert not bad, f"the open (tracked) connection failed after the revoke: {bad[:3]}"
    assert len([r for r in steady.results if r[0] > t1]) >= 3, "too few probes after the revoke"
    for _ in range(3):
        r = live.send("c7000")
        assert r["ok"], f"the open connection stopped after the revoke: {r}"
    r = live.new_connection(7000)
    assert not r["delivered"], f"a new connection got through after the revoke: {r}"
    assert live.analyze(7000) == (False, "ENI_SG_RULES_MISMATCH")


@pytest.mark.parametrize("name", params("reused_source_port_is_a_new_connection"))
def test_reused_port_after_revoke(live, name):
    """The exchange from port 50001 closed before the revoke; a new connection from the same
    port is the same 5-tuple, but a new connection: the group (without the rule) refuses it,
    as the analyzer does. (Linux's conntrack re-judges a SYN that reopens a closed flow.)"""
    r = live.new_connection(7000, sport=REUSED_PORT)
    assert not r["delivered"], \
        f"a new connection from the closed flow's port {REUSED_PORT} to tcp 7000 got through " \
        f"after the rule was revoked (analyzer: {live.analyze(7000)}): {r}"


@pytest.mark.parametrize("name", params("unrelated_changes_keep_tracked_connection"))
def test_unrelated_changes(live, name):
    """Terminating the two instances launched before A and B, and launching another, changes
    nothing for A and B: the tracked connection to 7000 (whose rule is gone) keeps working. The
    terminated instances' namespaces are gone."""
    before = live.bench.vpcd.metrics()
    c = live.w.of(live.ep["a"])
    c.terminate_instances(InstanceIds=live.ep["early"])
    for iid in live.ep["early"]:
        assert not replay.ns_exists(iid), f"TerminateInstances left the namespace {iid}"
    late = live.w.instance(live.ep["s1"], LATE_IP)
    live.bench.ever.append(late)
    assert replay.ns_exists(late)
    r = live.send("c7000")
    assert r["ok"], (
        f"the tracked connection {A_IP} -> {B_IP}:7000 stopped after an unrelated instance was "
        f"terminated and another launched: {r}; counters moved: "
        f"{replay.drops_delta(before, live.bench.vpcd.metrics())}")


@pytest.mark.parametrize("name", params("nacl_deny_stops_open_connection"))
def test_nacl_deny(live, name):
    """A deny rule for A's address on B's subnet NACL: the open 7001 connection (allowed by its
    rule, tracked) stops within LIMIT_S: a send times out."""
    r = live.send("c7001")
    assert r["ok"], f"the 7001 connection is not working before the NACL change: {r}"
    steady = Prober(lambda: (lambda r: (r["ok"], r["error"]))(live.send("c7001", timeout=0.3)),
                    stop_on_fail=True, pause=0.005)
    time.sleep(0.3)
    t0 = time.monotonic()
    live.w.of(live.ep["acl"]).create_network_acl_entry(
        NetworkAclId=live.ep["acl"], RuleNumber=50, Egress=False, Protocol="-1",
        RuleAction="deny", CidrBlock=A_IP + "/32")
    t1 = time.monotonic()
    wait_for(steady, t0)
    steady.stop()
    first = steady.first_failure(t0)
    assert steady.failures_before(t0) == [], "the connection failed before the NACL change"
    assert first, "the open connection still works after the NACL deny"
    ms = (first[0] - t1) * 1000
    record("NACL deny: first lost send on the open connection", steady, t0, t1, first)
    assert first[0] - t1 < LIMIT_S, f"the NACL deny took {ms:.0f} ms to apply"
    r = live.send("c7001")
    assert not r["ok"], f"the connection works again after the NACL deny: {r}"
    r = live.new_connection(7001)
    assert not r["delivered"], f"a new connection got through the NACL deny: {r}"
    assert live.analyze(7001) == (False, "SUBNET_ACL_RESTRICTION")


def test_reset_removed_every_namespace(bench):
    bench.reset()
    assert bench.ever and not bench.leftovers, bench.leftovers
