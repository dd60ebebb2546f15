"""The job market with NumPy against a real node and a real (CPU) worker: register a model,
post a job, let a worker compute, commit and deliver C, download C from the node (every row
checked against the verified c_root), compare it with A·B computed here, confirm delivery."""

from __future__ import annotations

import numpy as np
import pytest

from proofwork import Signer, TxError, msg
from proofwork import jobs


def test_model_roots_and_proofs_match_the_format():
    rng = np.random.default_rng(7)
    for rows in (1, 2, 3, 5, 8, 13):
        a = rng.integers(-128, 128, (rows, 9), dtype=np.int8)
        leaves = [jobs.a_row_leaf(r.tobytes()) for r in a]
        root = jobs.row_root_i8(a)
        for i in range(rows):
            sib = jobs.merkle_proof(leaves, i)
            assert jobs.verify_merkle_proof(root, leaves[i], i, rows, sib)
            assert not jobs.verify_merkle_proof(root, leaves[(i + 1) % rows], i, rows, sib) or rows == 1
            assert not jobs.verify_merkle_proof(root, leaves[i], i, rows + 1, sib)


def test_freivalds_catches_a_wrong_c():
    rng = np.random.default_rng(3)
    a = rng.integers(-128, 128, (20, 48), dtype=np.int8)
    b = rng.integers(-128, 128, (48, 16), dtype=np.int8)
    c = jobs.gemm(a, b)
    assert jobs.freivalds(a, b, c)
    bad = c.copy()
    bad[3, 5] += 1
    assert not jobs.freivalds(a, b, bad)
    assert jobs.c_root(c) != jobs.c_root(bad)


def test_register_model_post_job_and_verify_c(node):
    c = node.client
    alice = Signer(node.key("alice"))
    rng = np.random.default_rng(2026)
    k, n, m = 96, 40, 24
    b = rng.integers(-128, 128, (k, n), dtype=np.int8)
    a = rng.integers(-128, 128, (m, k), dtype=np.int8)

    # small chunks so that the upload takes several UploadModelChunk txs
    model_id = jobs.register_model(c, alice, b, chunk_bytes=40 * 30)
    model = next(x for x in c.models() if x.id == model_id)
    assert model.active and model.rows_uploaded == k and model.b_root == jobs.row_root_i8(b)
    assert np.array_equal(jobs.fetch_model(c, model_id), b)

    # a price below the chain's minimum is refused with its code
    if jobs.job_price(c, m, k, n) > 1:
        with pytest.raises(TxError) as e:
            jobs.post_job(c, alice, model_id, a, price=1)
        assert e.value.name == "price_too_low"

    job_id = jobs.post_job(c, alice, model_id, a, price=10_000)
    job = c.job(job_id)
    assert (job.status, job.m, job.k, job.n) == ("posted", m, k, n)
    assert job.a_root == jobs.row_root_i8(a)

    worker = node.worker("dave", max_jobs=1)
    try:
        out, _ = worker.communicate(timeout=120)
    except Exception:
        worker.kill()
        raise
    assert worker.returncode == 0, out.decode(errors="replace")
    job = jobs.wait_job(c, job_id, ("verified",))

    committed = jobs.committed_c_root(c, job_id)
    assert committed is not None and len(committed) == 32
    expected = jobs.gemm(a, b)
    check = jobs.verify_output(committed, a, b, expected)
    assert check.ok, check
    # a C off by one entry is caught by both checks
    wrong = expected.copy()
    wrong[m - 1, 0] ^= 1
    bad = jobs.verify_output(committed, a, b, wrong)
    assert not bad.root_matches and not bad.freivalds

    # the worker delivered C (ADR-008): found by c_root, every row checked on download
    info = c.stat_blob(row_root=committed)
    assert info.size == 4 * m * n and info.row_len == 4 * n and info.row_root == committed
    got = jobs.fetch_output(c, job_id)
    assert got.dtype == np.int32 and np.array_equal(got, expected)
    # bytes that do not hash to c_root are refused
    tampered = bytearray(got.astype("<i4").tobytes())
    tampered[5] ^= 1
    with pytest.raises(ValueError, match="c_root"):
        jobs.output_from_bytes(bytes(tampered), m, n, committed)
    # the client confirms: the held half of the worker's pay is released
    assert c.job(job_id).delivery == "pending" and int(c.job(job_id).held) > 0
    jobs.confirm_output(c, alice, job_id)
    assert c.job(job_id).delivery == "released"
    with pytest.raises(TxError) as e:
        jobs.confirm_output(c, alice, job_id)
    assert e.value.name == "delivery_state"


def test_fetch_output_refuses_jobs_without_a_delivered_output(node):
    c = node.client
    alice = Signer(node.key("alice"))
    rng = np.random.default_rng(11)
    b = rng.integers(-128, 128, (16, 8), dtype=np.int8)
    model_id = jobs.register_model(c, alice, b)
    job_id = jobs.post_job(c, alice, model_id, rng.integers(-128, 128, (4, 16), dtype=np.int8))
    # posted, nothing committed: no output to fetch
    with pytest.raises(ValueError, match="no committed output yet"):
        jobs.fetch_output(c, job_id)
    # an output root the node has never seen
    import grpc

    with pytest.raises(grpc.RpcError) as e:
        c.stat_blob(row_root=bytes(32))
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(ValueError, match="exactly one"):
        c.stat_blob()
    with pytest.raises(ValueError, match="32 bytes"):
        c.stat_blob(row_root=b"short")
    with pytest.raises(ValueError, match="ascending"):
        jobs.dispute_output(c, alice, job_id, [3, 1])
    c.send(alice, [msg.cancel_job(job_id=job_id)])


def test_output_from_bytes_checks_length_and_root():
    rng = np.random.default_rng(5)
    cm = rng.integers(-(2**31), 2**31, (7, 3), dtype=np.int64).astype(np.int32)
    root = jobs.c_root(cm)
    assert np.array_equal(jobs.output_from_bytes(cm.astype("<i4").tobytes(), 7, 3, root), cm)
    with pytest.raises(ValueError, match="bytes, not"):
        jobs.output_from_bytes(cm.tobytes()[:-4], 7, 3, root)
    with pytest.raises(ValueError, match="c_root"):
        jobs.output_from_bytes(cm.tobytes(), 7, 3, bytes(32))
    with pytest.raises(ValueError, match="shape"):
        jobs.output_from_bytes(b"", 0, 3, root)
