"""The useful-work job market with NumPy: int8 GEMM ``C = A·B`` jobs.

Commitments (``kernels/src/merkle.rs``, docs/work.md), reimplemented here:

* a row of ``A`` or ``B`` (int8): leaf ``BLAKE3("proofwork/arow/v1" || row bytes)``;
* a row of ``C`` (int32): keyed BLAKE3 of its little-endian bytes under
  ``C_ROW_KEY = BLAKE3("proofwork/crow/v2")`` (ADR-007);
* inner node ``BLAKE3("proofwork/node/v1" || left || right)``, RFC 6962 shape (pair left to
  right, promote an unpaired last node);
* committed root ``BLAKE3("proofwork/root/v1" || n u64 LE || tree root)``.

Flow: :func:`register_model` (``RegisterModel`` + ``UploadModelChunk`` txs), :func:`post_job`
(``PostJob`` + upload of ``A`` through the Blobs service as the job's input), a worker
claims/commits/reveals, then :func:`verify_output` checks a ``C`` against the job's committed
``c_root`` and with a Freivalds check.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

import blake3
import numpy as np

from .transaction import msg

if TYPE_CHECKING:
    from .client import Client, Signer
    from .work.v1.work_pb2 import JobInfo

TAG_A_ROW = b"proofwork/arow/v1"
TAG_NODE = b"proofwork/node/v1"
TAG_ROOT = b"proofwork/root/v1"
C_ROW_KEY = blake3.blake3(b"proofwork/crow/v2").digest()
#: Bytes of rows per UploadModelChunk tx (the node's tx limit is 1 MiB).
CHUNK_BYTES = 512 << 10


def _check_i8(x: np.ndarray, name: str) -> np.ndarray:
    x = np.ascontiguousarray(x)
    if x.dtype != np.int8 or x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D int8 array, got {x.dtype} with shape {x.shape}")
    return x


def a_row_leaf(row: bytes) -> bytes:
    return blake3.blake3(TAG_A_ROW + bytes(row)).digest()


def c_row_leaf(row: np.ndarray) -> bytes:
    return blake3.blake3(np.ascontiguousarray(row, dtype="<i4").tobytes(), key=C_ROW_KEY).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return blake3.blake3(TAG_NODE + left + right).digest()


def merkle_levels(leaves: list[bytes]) -> list[list[bytes]]:
    if not leaves:
        raise ValueError("a tree needs at least one leaf")
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        prev = levels[-1]
        levels.append([node_hash(prev[i], prev[i + 1]) if i + 1 < len(prev) else prev[i] for i in range(0, len(prev), 2)])
    return levels


def committed_root(leaves: list[bytes]) -> bytes:
    top = merkle_levels(leaves)[-1][0]
    return blake3.blake3(TAG_ROOT + len(leaves).to_bytes(8, "little") + top).digest()


def merkle_proof(leaves: list[bytes], index: int) -> list[bytes]:
    """Sibling digests of leaf ``index``, bottom-up (levels where it is promoted have none)."""
    sib = []
    for level in merkle_levels(leaves)[:-1]:
        if (index ^ 1) < len(level):
            sib.append(level[index ^ 1])
        index >>= 1
    return sib


def verify_merkle_proof(root: bytes, leaf: bytes, index: int, leaf_count: int, siblings: list[bytes]) -> bool:
    if not 0 <= index < leaf_count:
        return False
    h, it = leaf, iter(siblings)
    idx, width = index, leaf_count
    try:
        while width > 1:
            if idx ^ 1 < width:
                s = next(it)
                h = node_hash(s, h) if idx & 1 else node_hash(h, s)
            idx >>= 1
            width = (width + 1) // 2
    except StopIteration:
        return False
    if next(it, None) is not None:
        return False
    return blake3.blake3(TAG_ROOT + leaf_count.to_bytes(8, "little") + h).digest() == root


def row_root_i8(x: np.ndarray) -> bytes:
    """Committed root over the rows of an int8 matrix (``a_root`` of A, ``b_root`` of B)."""
    x = _check_i8(x, "matrix")
    return committed_root([a_row_leaf(r.tobytes()) for r in x])


def c_root(c: np.ndarray) -> bytes:
    """Committed root over the row digests of an int32 ``C`` (a job's ``c_root``)."""
    c = np.asarray(c)
    if c.ndim != 2:
        raise ValueError("C must be 2-D")
    return committed_root([c_row_leaf(r) for r in c.astype(np.int32, copy=False)])


def gemm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact ``C = A·B`` in int32, as the workers compute it (int64 accumulate, no overflow
    for k below the chain's bound)."""
    return (_check_i8(a, "A").astype(np.int64) @ _check_i8(b, "B").astype(np.int64)).astype(np.int32)


def freivalds(a: np.ndarray, b: np.ndarray, c: np.ndarray, rounds: int = 2) -> bool:
    """Probabilistic check that ``C = A·B``: ``A(B r) == C r`` for random ``r`` (exact integer
    arithmetic; a wrong ``C`` passes one round with probability at most 1/2^32 per
    independent 32-bit ``r``)."""
    a64, b64, c64 = a.astype(np.int64), b.astype(np.int64), np.asarray(c).astype(np.int64)
    if c64.shape != (a.shape[0], b.shape[1]):
        return False
    for _ in range(rounds):
        r = np.frombuffer(secrets.token_bytes(4 * b.shape[1]), dtype="<u4").astype(np.int64) & 0xFFFF
        if not np.array_equal(a64 @ (b64 @ r), c64 @ r):
            return False
    return True


@dataclass
class OutputCheck:
    root_matches: bool
    freivalds: bool

    @property
    def ok(self) -> bool:
        return self.root_matches and self.freivalds


def verify_output(committed: bytes, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> OutputCheck:
    """Checks a job's output ``C``: its row commitment must equal ``committed`` (the
    ``c_root`` the worker committed on chain, see :func:`committed_c_root`), and ``C = A·B``
    must pass Freivalds."""
    return OutputCheck(root_matches=bool(committed) and c_root(c) == bytes(committed), freivalds=freivalds(a, b, c))


def _first(events: list[dict[str, str]], *names: str) -> int:
    for e in events:
        for n in names:
            if n in e:
                return int(e[n])
    raise LookupError(f"no event attribute among {names}: {events}")


def register_model(client: "Client", signer: "Signer", b: np.ndarray, royalties=(), chunk_bytes: int = CHUNK_BYTES) -> int:
    """Registers ``B`` (k × n int8) and uploads its rows; returns the model id (active once
    the last chunk lands)."""
    b = _check_i8(b, "B")
    k, n = b.shape
    reg = client.send(
        signer,
        [msg.register_model(k=k, n=n, b_root=row_root_i8(b), royalties=[{"recipient": str(r), "bps": bps} for r, bps in royalties])],
    )
    model_id = _first(reg.events(), "model_id", "model", "id")
    rows_per = max(1, chunk_bytes // n)
    for first in range(0, k, rows_per):
        rows = b[first : first + rows_per].tobytes()
        client.send(signer, [msg.upload_model_chunk(model_id=model_id, first_row=first, rows=rows)])
    return model_id


def job_price(client: "Client", m: int, k: int, n: int) -> int:
    """The chain's minimum price for an m×k×n job (docs/work.md "Pricing"): the larger of
    ``max(1, m·k·n / macs_per_credit) · min_price_per_credit`` and the verification floor,
    the price whose burn (rounded up) pays for the validators' ``2·k·n + rows·(k + n)``
    multiply-adds at the same rate."""
    p = client.work_params()
    per = int(p.min_price_per_credit)
    mpc = max(1, p.macs_per_credit)
    work = max(1, (m * k * n) // mpc) * per
    rows = min(p.sample_rows, m)
    verify = -(-(2 * k * n + rows * (k + n)) // mpc) * per
    floor = verify if p.burn_bps == 0 else -(-(verify * 10_000) // p.burn_bps)
    return max(work, floor)


def post_job(
    client: "Client",
    signer: "Signer",
    model_id: int,
    a: np.ndarray,
    price: int | None = None,
    commit_blocks: int = 0,
    reveal_blocks: int = 0,
    denom: str = "",
) -> int:
    """Posts ``C = A·B_model`` and uploads ``A`` to the node as the job's input; returns the
    job id."""
    from .blobs.v1 import blobs_pb2

    a = _check_i8(a, "A")
    m, k = a.shape
    if price is None:
        model = next(x for x in client.models() if x.id == model_id)
        price = job_price(client, m, model.k, model.n)
    r = client.send(
        signer,
        [
            msg.post_job(
                model_id=model_id, a_root=row_root_i8(a), m=m, price=price,
                commit_blocks=commit_blocks, reveal_blocks=reveal_blocks, denom=denom,
            )
        ],
    )
    job_id = _first(r.events(), "job_id", "job", "id")
    client.upload_blob(a.tobytes(), kind=blobs_pb2.BLOB_KIND_JOB_INPUT, row_len=k, ref_id=job_id)
    return job_id


def fetch_model(client: "Client", model_id: int, batch_rows: int = 1024) -> np.ndarray:
    """Reads a model's ``B`` back through ``Work/ModelRows`` and checks it against ``b_root``."""
    model = next(x for x in client.models() if x.id == model_id)
    out = bytearray()
    for first in range(0, model.k, batch_rows):
        out += client.model_rows(model_id, first, min(batch_rows, model.k - first))
    b = np.frombuffer(bytes(out), dtype=np.int8).reshape(model.k, model.n)
    if row_root_i8(b) != model.b_root:
        raise ValueError(f"model {model_id}: rows do not hash to b_root")
    return b


def committed_c_root(client: "Client", job_id: int, replay_timeout: float = 3.0) -> bytes | None:
    """The ``c_root`` the worker committed for a job: from ``JobInfo`` while the job is
    committed, else (a verified job's record no longer holds it) from the last
    ``commit_work`` event of the job, replayed from its posting height."""
    import grpc

    job = client.job(job_id)
    if job.c_root:
        return job.c_root
    root = None
    stream = client.stream_events(
        from_height=job.posted_height, kind="commit_work", attribute_key="job_id",
        attribute_value=str(job_id), timeout=replay_timeout,
    )
    try:
        for ev in stream:
            for a in ev.event.attributes:
                if a.key == "c_root":
                    root = bytes.fromhex(a.value)
    except grpc.RpcError as e:  # the deadline ends the replay
        if e.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
            raise
    return root


def wait_job(client: "Client", job_id: int, statuses=("verified",), timeout: float = 60.0) -> "JobInfo":
    """Polls a job until its status is one of ``statuses``."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        j = client.job(job_id)
        if j.status in statuses:
            return j
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} is {j.status}, waited for {statuses}")
        time.sleep(0.1)
