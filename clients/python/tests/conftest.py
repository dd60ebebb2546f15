"""Fixtures: a real proofwork node (the prebuilt binary) in a temporary home.

The binary is ``$PROOFWORK_BIN``, by default ``target/release/proofwork`` under the repository
root. Ports are ephemeral (bound to 127.0.0.1:0, then released); metrics are off.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from proofwork.devnode import DevNode

REPO = Path(__file__).resolve().parents[3]


def node_bin() -> Path:
    p = Path(os.environ.get("PROOFWORK_BIN", REPO / "target" / "release" / "proofwork"))
    return p if p.is_absolute() else REPO / p


class Node(DevNode):
    """A :class:`DevNode` on ``$PROOFWORK_BIN``; the test is skipped when there is no binary."""

    def __init__(self, block_ms: int = 100, chain_id: str = "pw-py"):
        binary = node_bin()
        if not binary.exists():
            pytest.skip(f"no node binary at {binary} (set PROOFWORK_BIN)")
        super().__init__(binary, block_ms=block_ms, chain_id=chain_id)


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
