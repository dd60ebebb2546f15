"""Fixtures: a real proofwork node (the prebuilt binary) in a temporary home.

The binary is ``$PROOFWORK_BIN``, by default ``target/release/proofwork`` under the repository
root. Ports are ephemeral (bound to 127.0.0.1:0, then released); metrics are off.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from proofwork import Client, SecretKey

REPO = Path(__file__).resolve().parents[3]


def node_bin() -> Path:
    p = Path(os.environ.get("PROOFWORK_BIN", REPO / "target" / "release" / "proofwork"))
    return p if p.is_absolute() else REPO / p


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """A node process with its own home; keys alice, bob, carol, dave as ``proofwork init``
    writes them (funded in the genesis)."""

    def __init__(self, block_ms: int = 100, chain_id: str = "pw-py"):
        binary = node_bin()
        if not binary.exists():
            pytest.skip(f"no node binary at {binary} (set PROOFWORK_BIN)")
        self.bin = str(binary)
        self._dir = tempfile.mkdtemp(prefix="pw-py-")
        self.home = Path(self._dir) / "home"
        self.chain_id = chain_id
        subprocess.run(
            [self.bin, "init", "--home", str(self.home), "--chain-id", chain_id],
            check=True, capture_output=True, env={**os.environ, "RUST_LOG": "warn"},
        )
        self.port = free_port()
        self.log_path = self.home / "node.log"
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.bin, "start", "--home", str(self.home), "--grpc", f"127.0.0.1:{self.port}",
             "--metrics", "", "--block-ms", str(block_ms)],
            stdout=subprocess.DEVNULL, stderr=self._log, env={**os.environ, "RUST_LOG": "info"},
        )
        self.target = f"127.0.0.1:{self.port}"
        self.client = Client(self.target)
        try:
            self.client.wait_ready(30)
        except Exception:
            self.stop()
            raise RuntimeError(f"node did not come up; log:\n{self.log()}")

    def key(self, name: str) -> SecretKey:
        return SecretKey.from_home(self.home, name)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def worker(self, key: str = "dave", max_jobs: int = 1) -> subprocess.Popen:
        return subprocess.Popen(
            [self.bin, "worker", "--home", str(self.home), "--key", key, "--backend", "cpu",
             "--node", f"http://{self.target}", "--max-jobs", str(max_jobs)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "RUST_LOG": "warn"},
        )

    def stop(self) -> None:
        self.client.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        shutil.rmtree(self._dir, ignore_errors=True)


@pytest.fixture(scope="module")
def node():
    n = Node()
    yield n
    n.stop()


@pytest.fixture()
def fresh_node():
    n = Node(block_ms=200)
    yield n
    n.stop()


def wait_until(pred, timeout: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
