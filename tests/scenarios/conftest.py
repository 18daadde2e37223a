"""Fixtures for the scenario suite: one vpcd (--dev) per test module, wiped between scenarios."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

import harness


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Vpcd:
    """A vpcd with a private state directory. --dev: no signature checks, 12-digit access keys
    pick the account, and POST /_vpcd/reset wipes the state between scenarios."""

    def __init__(self, extra_args=()):
        self.dir = tempfile.mkdtemp(prefix="vpcd-scenarios.")
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(self.dir, "log")
        self.log = open(self.log_path, "w")
        args = [os.environ.get("VPCD_BIN", "build/vpcd"), "--listen", f"127.0.0.1:{self.port}",
                "--state", os.path.join(self.dir, "db"), "--no-dataplane", "--dev",
                "--no-fsync", *extra_args]
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(500):
            try:
                urllib.request.urlopen(self.endpoint + "/_vpcd/health", timeout=1)
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.01)  # start-up only; scenarios themselves never wait
        raise RuntimeError("vpcd did not start: " + open(self.log_path).read())

    def reset(self):
        req = urllib.request.Request(self.endpoint + "/_vpcd/reset", data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.log.close()
        with open(self.log_path) as f:
            log = f.read()
        shutil.rmtree(self.dir, ignore_errors=True)
        assert "AddressSanitizer" not in log and "runtime error:" not in log \
            and "LeakSanitizer" not in log, log


@pytest.fixture(scope="module")
def world():
    # Scenarios use up to six VPCs per region (plus the default one), more than AWS's default 5.
    d = Vpcd(extra_args=("--quota", "vpcs-per-region=20"))
    try:
        yield harness.World(d.endpoint, d.reset)
    finally:
        d.close()


def pytest_terminal_summary(terminalreporter):
    s = harness.STATS
    terminalreporter.write_line(
        f"scenarios: {s['scenarios']} run, {s['scenarios_failed']} failed; "
        f"verdicts checked: {s['verdicts']}, {s['verdicts_failed']} wrong")
