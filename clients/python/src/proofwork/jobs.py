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
claims/commits/reveals and uploads ``C`` to the node (``BLOB_KIND_JOB_OUTPUT``, ADR-008), then
:func:`fetch_output` downloads ``C`` and checks every row against the job's committed
``c_root``, and :func:`confirm_output` releases the worker's held pay. :func:`run_job` does the
whole round trip; :func:`verify_output` checks a ``C`` obtained otherwise (root and Freivalds).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

import blake3
import numpy as np

from .transaction import msg

if TYPE_CHECKING:
    from .client import Client, Committed, Signer
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


class OutputUnavailable(LookupError):
    """The node has no delivered output for a job (the worker has not uploaded ``C`` there,
    or the garbage collector has dropped it): ``DisputeOutput`` makes the worker answer for
    named rows on chain (ADR-008)."""


def output_from_bytes(data: bytes, m: int, n: int, committed: bytes) -> np.ndarray:
    """``C`` (``m`` × ``n`` int32) from its little-endian row bytes, after checking that every
    row hashes into ``committed`` (the job's ``c_root``). Raises ``ValueError`` on a wrong
    length or a root mismatch."""
    if m <= 0 or n <= 0:
        raise ValueError(f"bad output shape {m}×{n}")
    if len(data) != 4 * m * n:
        raise ValueError(f"C has {len(data)} bytes, not m·4n = {4 * m * n}")
    c = np.frombuffer(data, dtype="<i4").reshape(m, n).astype(np.int32)
    if len(committed) != 32 or c_root(c) != bytes(committed):
        raise ValueError("the output's rows do not hash to the job's committed c_root")
    return c


def fetch_output(client: "Client", job_id: int, timeout: float = 300.0) -> np.ndarray:
    """Downloads a job's output ``C`` from the node's blob store (found by its committed
    ``c_root``) and checks every row against that root, so a node cannot hand back a wrong
    ``C``. Returns ``C`` as an ``m`` × ``n`` int32 array.

    Raises ``ValueError`` for a job with no committed output yet or bytes that do not match
    the root, :class:`OutputUnavailable` when the node holds no output for the job."""
    import grpc

    job = client.job(job_id)
    if len(job.c_root) != 32:
        raise ValueError(f"job {job_id} is {job.status} and has no committed output yet")
    try:
        info = client.stat_blob(row_root=job.c_root)
    except grpc.RpcError as e:
        if e.code() == grpc.StatusCode.NOT_FOUND:
            raise OutputUnavailable(
                f"the node has no output for job {job_id}: the worker has not delivered it here "
                f"(dispute named rows with dispute_output)"
            ) from None
        raise
    want = 4 * job.m * job.n
    if info.size != want:
        raise ValueError(f"the node's output for job {job_id} has {info.size} bytes, not m·4n = {want}")
    data = client.download_blob(info.hash, timeout=timeout)
    return output_from_bytes(data, job.m, job.n, job.c_root)


def confirm_output(client: "Client", signer: "Signer", job_id: int) -> "Committed | bytes":
    """``ConfirmOutput``: the client got ``C``; the worker's held pay is released now."""
    return client.send(signer, [msg.confirm_output(job_id=job_id)])


def dispute_output(client: "Client", signer: "Signer", job_id: int, rows: list[int]) -> "Committed | bytes":
    """``DisputeOutput``: names rows of ``C`` (ascending, distinct, < m; at most the chain's
    ``dispute_rows``) the worker must put on chain within the answer window."""
    rows = [int(r) for r in rows]
    if not rows or any(b <= a for a, b in zip(rows, rows[1:])) or rows[0] < 0:
        raise ValueError(f"rows must be non-empty, ascending, distinct and non-negative: {rows}")
    return client.send(signer, [msg.dispute_output(job_id=job_id, rows=rows)])


def run_job(
    client: "Client",
    signer: "Signer",
    model_id: int,
    a: np.ndarray,
    timeout: float = 300.0,
    confirm: bool = True,
    price: int | None = None,
    denom: str = "",
    commit_blocks: int = 0,
    reveal_blocks: int = 0,
) -> tuple[int, np.ndarray]:
    """Posts ``C = A·B_model`` (:func:`post_job`; default price the chain's minimum), waits until a worker's
    result is verified on chain, downloads ``C`` and checks every row against the verified
    ``c_root`` (:func:`fetch_output`, retried until the worker's upload is there or
    ``timeout``), and confirms delivery (``confirm``). Returns ``(job_id, C)``."""
    import time

    deadline = time.monotonic() + timeout
    job_id = post_job(
        client, signer, model_id, a, price=price, denom=denom, commit_blocks=commit_blocks, reveal_blocks=reveal_blocks
    )
    wait_job(client, job_id, ("verified",), timeout=max(0.0, deadline - time.monotonic()))
    while True:
        try:
            c = fetch_output(client, job_id, timeout=max(1.0, deadline - time.monotonic()))
            break
        except OutputUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    if confirm:
        confirm_output(client, signer, job_id)
    return job_id, c
