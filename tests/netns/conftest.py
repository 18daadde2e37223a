"""Fixtures of the data-plane suite: one vpcd with its data plane per test module (root only),
wiped between scenarios; everything the suite starts is gone at the end, even on failure."""
import os
import signal

import pytest

import replay


# A killed run (a CI timeout sends SIGTERM) still runs the finalizers: pytest tears fixtures
# down after a KeyboardInterrupt. tests/e2e/run-netns.sh sweeps whatever a SIGKILL leaves.
signal.signal(signal.SIGTERM, replay.interrupt)


def pytest_collection_modifyitems(config, items):
    if os.geteuid() != 0:
        skip = pytest.mark.skip(reason="tests/netns needs root (network namespaces)")
        for item in items:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def bench(request):
    # A module may start its vpcd with more options (VPCD_ARGS).
    b = replay.Bench(getattr(request.module, "VPCD_ARGS", ()))
    b.all_cases = [p.values[0] for p in getattr(request.module, "CASES", [])]
    try:
        yield b
    finally:
        problems = b.close()
        assert not problems, "\n".join(problems)


def pytest_terminal_summary(terminalreporter):
    s, live = replay.STATS, replay.LIVE
    terminalreporter.write_line(
        f"netns: {s['scenarios']} scenarios replayed, {s['checks']} packet checks "
        f"({s['tcp']} tcp, {s['udp']} udp, {s['icmp']} icmp), {s['disagree']} disagreeing with "
        f"the analyzer, {s['path_checks']} appliance path checks, {s['skipped']} verdicts "
        f"skipped")
    if s["unstable"]:
        terminalreporter.write_line(
            f"netns: {len(s['unstable'])} checks lost an answer while the scenario's checks ran "
            f"at once and got it alone (a loaded machine): {s['unstable']}")
    if live:
        for k, v in live.items():
            terminalreporter.write_line(f"netns live change: {k}: {v}")
    st = terminalreporter.stats
    passed = len(st.get("passed", []))
    failed = len(st.get("failed", [])) + len(st.get("error", []))
    path = os.environ.get("NETNS_RESULT")
    if path:
        with open(path, "w") as f:
            f.write(f"{passed} {failed} {len(st.get('xfailed', []))} "
                    f"{len(st.get('skipped', []))}\n")
