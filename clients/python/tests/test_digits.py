"""The digits inference example (``examples/digits.py``): its integer pipeline offline, and the
whole run — an int8 MLP trained on scikit-learn's bundled digits, both layers' GEMMs worked
as jobs on a real node by a CPU worker, C delivered and checked — when scikit-learn is
installed (``scripts/test-python.sh`` installs it; skipped otherwise)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from proofwork import jobs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import digits  # noqa: E402

from conftest import node_bin  # noqa: E402


def test_quantize_weights_is_symmetric_int8_within_half_a_step():
    w = np.random.default_rng(1).normal(size=(64, 32))
    q, scale = digits.quantize_weights(w)
    assert q.dtype == np.int8 and int(np.abs(q).max()) == 127
    assert np.all(np.abs(q * scale - w) <= scale / 2 + 1e-12)
    z, s = digits.quantize_weights(np.zeros((2, 2)))
    assert not z.any() and s > 0


def test_hidden_is_bias_relu_and_rounded_fixed_point_requantisation():
    q = digits.QuantizedMLP(
        w1=np.zeros((1, 4), np.int8), b1=np.array([0, -10, 5, 0], np.int32), mult=1 << 23, shift=24,
        w2=np.zeros((4, 1), np.int8), b2=np.zeros(1, np.int32),
    )
    c1 = np.array([[3, 4, 300, -7]], np.int32)
    # (h · 2^23 + 2^23) >> 24 = round-half-up of h / 2, clipped to 0..127
    assert digits.hidden(c1, q).tolist() == [[2, 0, 127, 0]]
    assert digits.hidden(c1, q).dtype == np.int8


def test_the_quantised_mlp_tracks_its_float_model():
    rng = np.random.default_rng(7)
    x = rng.integers(0, 17, (400, 64)).astype(np.int8)
    w1, b1 = rng.normal(size=(64, 32)) * 0.2, rng.normal(size=32) * 0.1
    w2, b2 = rng.normal(size=(32, 10)) * 0.3, rng.normal(size=10) * 0.1
    xf = x / 16.0
    ref = np.argmax(np.maximum(xf @ w1 + b1, 0) @ w2 + b2, axis=1)
    q = digits.quantize_mlp([w1, w2], [b1, b2], 1.0 / 16.0, x)
    pred = digits.infer(x, q, jobs.gemm, jobs.gemm)
    assert np.mean(pred == ref) > 0.9
    with pytest.raises(ValueError, match="one hidden layer"):
        digits.quantize_mlp([w1], [b1], 1.0 / 16.0, x)


def test_infer_runs_each_layer_through_the_given_gemm():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 17, (20, 64)).astype(np.int8)
    q = digits.quantize_mlp([rng.normal(size=(64, 16)), rng.normal(size=(16, 10))], [np.zeros(16), np.zeros(10)], 1 / 16, x)
    seen: list[tuple[tuple[int, ...], tuple[int, ...]]] = []

    def spy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        seen.append((a.shape, b.shape))
        return jobs.gemm(a, b)

    digits.infer(x, q, spy, spy)
    assert seen == [((20, 64), (64, 16)), ((20, 16), (16, 10))]


def test_digits_example_through_a_real_node(capsys):
    pytest.importorskip("sklearn", reason="scikit-learn is not installed (scripts/test-python.sh installs it)")
    binary = node_bin()
    if not binary.exists():
        pytest.skip(f"no node binary at {binary} (set PROOFWORK_BIN)")
    rc = digits.main(["--spawn", str(binary), "--timeout", "180"])
    out = capsys.readouterr()
    with capsys.disabled():  # the accuracy line shows in the test run's output
        for line in out.out.splitlines():
            if line.startswith(("accuracy:", "match:")):
                print(f"\ndigits example: {line}", flush=True)
    assert rc == 0, out.out + out.err
    acc = [line for line in out.out.splitlines() if line.startswith("accuracy:")]
    assert len(acc) == 1, out.out
    assert "match: the chain's C (both layers) and all 360 predictions equal" in out.out
    chain, local = acc[0].split(";")[0:2]
    assert chain.split("=")[0].split(":")[1].strip() == local.split("=")[0].split(":")[1].strip()
    correct, total = (int(v) for v in chain.split("=")[0].split(":")[1].strip().split("/"))
    assert total == 360 and correct / total > 0.9
