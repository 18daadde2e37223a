"""Fixtures for the boto3 suite: a fresh vpcd per test module, clients per account/region."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import boto3
import botocore.config
import pytest

ACCOUNTS = {
    "000000000000": ("test", "test"),
    "111111111111": ("111111111111key", "secret1"),
    "222222222222": ("222222222222key", "secret2"),
}


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Vpcd:
    def __init__(self, extra_args=()):
        self.dir = tempfile.mkdtemp(prefix="vpcd-boto3.")
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        creds = os.path.join(self.dir, "creds")
        with open(creds, "w") as f:
            for acct, (key, secret) in ACCOUNTS.items():
                if acct != "000000000000":
                    f.write(f"{key} {secret} {acct}\n")
        self.log = open(os.path.join(self.dir, "log"), "w")
        self.args = [os.environ.get("VPCD_BIN", "build/vpcd"), "--listen",
                     f"127.0.0.1:{self.port}", "--state", os.path.join(self.dir, "db"),
                     "--credentials", creds, "--no-dataplane", *extra_args]
        self.start()

    def start(self):
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(200):
            try:
                urllib.request.urlopen(self.endpoint + "/_vpcd/health", timeout=1)
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("vpcd did not start")

    def kill(self):
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def client(self, account="000000000000", region="us-east-1", service="ec2"):
        key, secret = ACCOUNTS[account]
        cfg = botocore.config.Config(retries={"max_attempts": 1})
        return boto3.client(service, endpoint_url=self.endpoint, region_name=region,
                            aws_access_key_id=key, aws_secret_access_key=secret, config=cfg)

    def close(self):
        if self.proc.poll() is None:
            self.stop()
        self.log.close()
        with open(os.path.join(self.dir, "log")) as f:
            log = f.read()
        shutil.rmtree(self.dir, ignore_errors=True)
        assert "AddressSanitizer" not in log and "runtime error:" not in log, log


@pytest.fixture(scope="module")
def vpcd():
    d = Vpcd()
    yield d
    d.close()


@pytest.fixture
def ec2(vpcd):
    """A client for account 000000000000 in us-east-1."""
    return vpcd.client()


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]
