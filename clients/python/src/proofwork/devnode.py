"""A throwaway single-validator node (and CPU workers) for examples and tests.

``DevNode(binary)`` runs ``proofwork init`` in a temporary home (keys alice, bob, carol, dave,
funded in the genesis) and ``proofwork start`` with gRPC on an ephemeral loopback port
(bound to 127.0.0.1:0, then released) and metrics off; :meth:`DevNode.worker` starts
``proofwork worker`` (CPU backend) against it. Everything is removed by :meth:`DevNode.stop`
(also on ``with`` exit).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import IO

from .client import Client
from .keys import SecretKey


def free_port() -> int:
    """A loopback TCP port that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DevNode:
    """A node process with its own temporary home."""

    def __init__(self, binary: str | os.PathLike[str], block_ms: int = 100, chain_id: str = "pw-py", ready_timeout: float = 30.0):
        path = Path(binary)
        if not path.is_file():
            raise FileNotFoundError(f"no proofwork binary at {path}")
        self.bin = str(path)
        self._dir = tempfile.mkdtemp(prefix="pw-py-")
        self.home = Path(self._dir) / "home"
        self.chain_id = chain_id
        self._workers: list[tuple[subprocess.Popen[bytes], IO[bytes] | None]] = []
        env = {**os.environ, "RUST_LOG": "warn"}
        try:
            subprocess.run(
                [self.bin, "init", "--home", str(self.home), "--chain-id", chain_id],
                check=True, capture_output=True, env=env,
            )
        except subprocess.CalledProcessError as e:
            shutil.rmtree(self._dir, ignore_errors=True)
            raise RuntimeError(f"proofwork init failed: {e.stderr.decode(errors='replace')}") from None
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
            self.client.wait_ready(ready_timeout)
        except Exception:
            log = self.log()
            self.stop()
            raise RuntimeError(f"node did not come up; log:\n{log}") from None

    def __enter__(self) -> "DevNode":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def key(self, name: str) -> SecretKey:
        """One of the keys ``proofwork init`` wrote (alice, bob, carol, dave)."""
        return SecretKey.from_home(self.home, name)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def worker(self, key: str = "dave", max_jobs: int = 1, log: str | os.PathLike[str] | None = None) -> subprocess.Popen[bytes]:
        """``proofwork worker`` (CPU backend) as ``key`` until ``max_jobs`` jobs are settled
        (0: until stopped). Its output is piped, or appended to ``log`` when given. Workers
        still running at :meth:`stop` are terminated."""
        out: IO[bytes] | None = open(log, "ab") if log is not None else None
        p = subprocess.Popen(
            [self.bin, "worker", "--home", str(self.home), "--key", key, "--backend", "cpu",
             "--node", f"http://{self.target}", "--max-jobs", str(max_jobs)],
            stdout=out if out is not None else subprocess.PIPE, stderr=subprocess.STDOUT,
            env={**os.environ, "RUST_LOG": "warn"},
        )
        self._workers.append((p, out))
        return p

    @staticmethod
    def _end(p: subprocess.Popen[bytes]) -> None:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def stop(self) -> None:
        """Ends the workers and the node and removes the home."""
        for p, out in self._workers:
            self._end(p)
            if out is not None:
                out.close()
        self._workers.clear()
        self.client.close()
        self._end(self.proc)
        self._log.close()
        shutil.rmtree(self._dir, ignore_errors=True)
