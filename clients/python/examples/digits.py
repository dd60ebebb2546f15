#!/usr/bin/env python3
"""Handwritten-digit inference through the chain: an int8 MLP on scikit-learn's digits.

A real model on real data that a package ships: scikit-learn's bundled ``load_digits`` (1,797
8×8 images, pixel values 0..16, ten classes). Off chain a small MLP (64 → hidden → 10, ReLU) is
trained in floating point and quantised to int8; each layer's GEMM then runs on the chain as a
job: the weights are a registered model ``B`` (``k × n`` int8), the batch of test images (or
hidden activations) is the job's ``A`` (``m × k`` int8), a worker computes ``C = A·B``
(int32), the validators spot-check it (Freivalds on beacon-sampled rows), and the client
downloads ``C`` from the node and checks every row against the verified ``c_root``. The
nonlinear parts (bias, ReLU, requantisation to int8, argmax) are integer arithmetic on the
client. The script prints the accuracy and checks that it, the predictions and every ``C`` are
exactly what the same integer computation gives locally with NumPy.

Run against a node with a worker::

    proofwork start &                      # gRPC on 127.0.0.1:9090
    proofwork worker --key dave &          # claims and computes jobs (CUDA or CPU)
    python examples/digits.py --node 127.0.0.1:9090 --home ~/.proofwork --key alice

or on a throwaway node and CPU worker it starts itself (ephemeral ports)::

    python examples/digits.py --spawn target/release/proofwork

Needs ``scikit-learn`` (``pip install scikit-learn``) besides the SDK. No shape padding is
needed: the chain accepts any ``k``, ``n`` ≥ 1 within its limits (k = 64 and the hidden width
are multiples of 16, which the GPU kernels' fastest paths want).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import grpc
import numpy as np

from proofwork import Client, SecretKey, Signer, TxError
from proofwork import jobs

#: Right shift of the fixed-point requantisation multiplier.
SHIFT = 24


@dataclass
class QuantizedMLP:
    """An int8 MLP ``x (int8) → relu(x·W1 + b1) requantised to int8 → ·W2 + b2 → argmax``.

    ``w1``/``w2`` are the chain's models (int8), ``b1``/``b2`` int32 biases at the scale of
    their GEMM's output, and ``mult``/``shift`` the fixed-point factor that maps layer 1's
    int32 activations to int8 (``(h·mult + 2^(shift−1)) >> shift``, clipped to 0..127)."""

    w1: np.ndarray
    b1: np.ndarray
    mult: int
    shift: int
    w2: np.ndarray
    b2: np.ndarray

    @property
    def shape(self) -> str:
        return f"{self.w1.shape[0]}-{self.w1.shape[1]}-{self.w2.shape[1]}"


def quantize_weights(w: np.ndarray) -> tuple[np.ndarray, float]:
    """Symmetric per-tensor int8: ``w ≈ q · scale``, ``q`` in −127..127."""
    scale = max(float(np.abs(w).max()), 1e-12) / 127.0
    return np.clip(np.rint(w / scale), -127, 127).astype(np.int8), scale


def hidden(c1: np.ndarray, q: QuantizedMLP) -> np.ndarray:
    """Layer 1's output ``C1 = X·W1`` (int32) → bias, ReLU, requantised to int8 (integers only)."""
    h = np.maximum(c1.astype(np.int64) + q.b1.astype(np.int64), 0)
    r = (h * q.mult + (1 << (q.shift - 1))) >> q.shift
    return np.clip(r, 0, 127).astype(np.int8)


def logits(c2: np.ndarray, q: QuantizedMLP) -> np.ndarray:
    """Layer 2's output ``C2 = H·W2`` (int32) plus its int32 bias."""
    return c2.astype(np.int64) + q.b2.astype(np.int64)


def quantize_mlp(coefs: Sequence[np.ndarray], intercepts: Sequence[np.ndarray], x_scale: float, calib: np.ndarray, shift: int = SHIFT) -> QuantizedMLP:
    """Quantises a float MLP (``coefs``/``intercepts`` as scikit-learn's ``MLPClassifier``
    holds them, one hidden layer) whose input is ``x_int · x_scale``; ``calib`` (int8 inputs,
    e.g. the training set) sets the hidden activations' int8 range."""
    if len(coefs) != 2 or len(intercepts) != 2:
        raise ValueError(f"expected one hidden layer (2 weight matrices), got {len(coefs)}")
    w1, s1 = quantize_weights(np.asarray(coefs[0], dtype=np.float64))
    unit1 = x_scale * s1  # the real value of one unit of C1
    b1 = np.rint(np.asarray(intercepts[0]) / unit1).astype(np.int32)
    h = np.maximum(jobs.gemm(calib, w1).astype(np.int64) + b1, 0)
    hmax = max(int(h.max()), 1)
    mult = int(round(127.0 / hmax * (1 << shift)))
    if not 0 < mult < (1 << 31):
        raise ValueError(f"requantisation multiplier {mult} out of range")
    unit_h = unit1 * (1 << shift) / mult  # the real value of one unit of the int8 hidden layer
    w2, s2 = quantize_weights(np.asarray(coefs[1], dtype=np.float64))
    b2 = np.rint(np.asarray(intercepts[1]) / (unit_h * s2)).astype(np.int32)
    return QuantizedMLP(w1=w1, b1=b1, mult=mult, shift=shift, w2=w2, b2=b2)


#: ``(A, B) → C``: one GEMM, on the chain or locally.
Gemm = Callable[[np.ndarray, np.ndarray], np.ndarray]


def infer(x: np.ndarray, q: QuantizedMLP, gemm1: Gemm, gemm2: Gemm) -> np.ndarray:
    """Predicted classes of the int8 rows ``x``, each layer's GEMM done by the given function."""
    h = hidden(gemm1(x, q.w1), q)
    return np.argmax(logits(gemm2(h, q.w2), q), axis=1)


@dataclass
class Data:
    x_train: np.ndarray  # int8, pixel values 0..16
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_digits_split(rows: int, seed: int = 0) -> Data:
    """scikit-learn's bundled digits, split 80/20 (stratified); the first ``rows`` test rows
    (0: all)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x = d.data.astype(np.int8)  # 0..16 exactly: the data are already small integers
    xtr, xte, ytr, yte = train_test_split(x, d.target, test_size=0.2, random_state=seed, stratify=d.target)
    if rows > 0:
        xte, yte = xte[:rows], yte[:rows]
    return Data(np.ascontiguousarray(xtr), ytr, np.ascontiguousarray(xte), yte)


def train(data: Data, hidden_units: int, seed: int = 0):
    """A float MLP on ``x / 16`` (scikit-learn's ``MLPClassifier``, ReLU, Adam)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(hidden_units,), max_iter=400, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(data.x_train / 16.0, data.y_train)
    return clf


class ChainGemm:
    """Runs ``A·B`` as a job on a registered model and returns the delivered, checked ``C``."""

    def __init__(self, client: Client, signer: Signer, timeout: float, say: Callable[[str], None]):
        self.client, self.signer, self.timeout, self.say = client, signer, timeout, say
        self.models: dict[bytes, int] = {}
        self.outputs: list[np.ndarray] = []

    def register(self, b: np.ndarray, name: str) -> int:
        t = time.monotonic()
        model_id = jobs.register_model(self.client, self.signer, b)
        self.models[jobs.row_root_i8(b)] = model_id
        self.say(f"{name}: model {model_id} ({b.shape[0]}×{b.shape[1]} int8) registered in {time.monotonic() - t:.1f} s")
        return model_id

    def __call__(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        model_id = self.models[jobs.row_root_i8(b)]
        t = time.monotonic()
        job_id, c = jobs.run_job(self.client, self.signer, model_id, a, timeout=self.timeout, commit_blocks=60, reveal_blocks=60)
        job = self.client.job(job_id)
        self.say(
            f"job {job_id}: {a.shape[0]}×{a.shape[1]}×{b.shape[1]} on model {model_id}, verified at height "
            f"{job.verified_height} ({job.sampled_rows} rows spot-checked), C downloaded and all "
            f"{c.shape[0]} rows checked against c_root {job.c_root.hex()[:16]}…, delivery confirmed "
            f"({time.monotonic() - t:.1f} s)"
        )
        self.outputs.append(c)
        return c


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--node", default="127.0.0.1:9090", help="gRPC address of a node with a worker (default %(default)s)")
    ap.add_argument("--home", default=str(Path.home() / ".proofwork"), help="node home holding the client's key")
    ap.add_argument("--key", default="alice", help="key name in --home that pays for the jobs")
    ap.add_argument("--spawn", metavar="BIN", help="start a throwaway node and CPU worker with this proofwork binary instead")
    ap.add_argument("--rows", type=int, default=0, help="test images to classify (default: all 360)")
    ap.add_argument("--hidden", type=int, default=32, help="hidden units (default %(default)s)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for each job")
    args = ap.parse_args(argv)

    def say(line: str) -> None:
        print(line, flush=True)

    if args.hidden <= 0 or args.rows < 0:
        ap.error("--hidden must be positive and --rows non-negative")
    try:
        data = load_digits_split(args.rows)
    except ImportError:
        print("digits: scikit-learn is not installed (pip install scikit-learn)", file=sys.stderr)
        return 2
    t = time.monotonic()
    clf = train(data, args.hidden)
    float_acc = float(np.mean(clf.predict(data.x_test / 16.0) == data.y_test))
    q = quantize_mlp(clf.coefs_, clf.intercepts_, 1.0 / 16.0, data.x_train)
    say(
        f"digits: MLP {q.shape} trained on {len(data.y_train)} images in {time.monotonic() - t:.1f} s, "
        f"quantised to int8; {len(data.y_test)} test images"
    )

    spawned = None
    try:
        if args.spawn:
            from proofwork.devnode import DevNode

            spawned = DevNode(args.spawn, block_ms=200, chain_id="pw-digits")
            spawned.worker("dave", max_jobs=0, log=spawned.home / "worker.log")
            client, key = spawned.client, spawned.key(args.key)
            say(f"node: spawned at {spawned.target}, CPU worker dave")
        else:
            client, key = Client(args.node), SecretKey.from_home(args.home, args.key)
        chain = ChainGemm(client, Signer(key), args.timeout, say)
        chain.register(q.w1, "layer 1")
        chain.register(q.w2, "layer 2")
        pred_chain = infer(data.x_test, q, chain, chain)
    except (OSError, RuntimeError, TimeoutError, ValueError, LookupError, TxError, grpc.RpcError) as e:
        if isinstance(e, grpc.RpcError):
            print(f"digits: the node answered {e.code().name}: {e.details()}", file=sys.stderr)  # type: ignore[attr-defined]
        else:
            print(f"digits: {e}", file=sys.stderr)
        if spawned is not None:
            wl = spawned.home / "worker.log"
            print(f"--- node log ---\n{spawned.log()[-4000:]}", file=sys.stderr)
            if wl.exists():
                print(f"--- worker log ---\n{wl.read_text(errors='replace')[-4000:]}", file=sys.stderr)
        return 1
    finally:
        if spawned is not None:
            spawned.stop()

    # The same integer computation locally: every C and every prediction must be identical.
    local_c: list[np.ndarray] = []

    def local(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        local_c.append(jobs.gemm(a, b))
        return local_c[-1]

    pred_local = infer(data.x_test, q, local, local)
    same_c = len(local_c) == len(chain.outputs) and all(np.array_equal(x, y) for x, y in zip(local_c, chain.outputs))
    n = len(data.y_test)
    ok_chain = int(np.sum(pred_chain == data.y_test))
    ok_local = int(np.sum(pred_local == data.y_test))
    say(
        f"accuracy: {ok_chain}/{n} = {100.0 * ok_chain / n:.2f} % (int8 MLP, GEMMs on chain); "
        f"local integer computation: {ok_local}/{n} = {100.0 * ok_local / n:.2f} %; float model: {100.0 * float_acc:.2f} %"
    )
    if not same_c or not np.array_equal(pred_chain, pred_local):
        print("digits: MISMATCH: the chain's C or predictions differ from the local integer computation", file=sys.stderr)
        return 1
    say(f"match: the chain's C (both layers) and all {n} predictions equal the local integer computation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
