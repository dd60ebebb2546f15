"""The bad-input table of ``tests/e2e/bad_input.rs`` and ``tests/e2e/api.rs``, sent from Python
through a real node: each tx gets its own code and a message, changes nothing; each bad query
gets its precise gRPC status."""

from __future__ import annotations

import grpc
import pytest

from proofwork import TxBody, msg, sign_body, signing_digest
from proofwork.errors import CODES
from proofwork.keys import CURVE_ORDER
from proofwork.node.v1 import node_pb2 as npb
from proofwork.transaction import encode_tx, sign_body_bytes
from proofwork.tx.v1 import tx_pb2 as pb
from proofwork.work.v1 import work_pb2 as wpb
from proofwork.assets.v1 import assets_pb2 as apb
from proofwork.query.v1 import query_pb2 as qpb

# (what, expected code, expected start of the message)
TX_TABLE = [
    ("malformed bytes", 2, "malformed tx"),
    ("wrong chain id", 7, "wrong chain id"),
    ("bad signature", 5, "bad signature"),
    ("high-S signature", 6, "high-S signature"),
    ("future nonce", 9, "future nonce"),
    ("insufficient balance", 10, "insufficient funds"),
    ("zero amount", 12, "zero amount"),
    ("unknown message kind", 13, "unknown message kind"),
    ("malformed address", 14, "bad address"),
    ("amount overflow", 15, "bad amount"),
    ("oversize tx", 1, "tx too large"),
]


def test_bad_txs_get_distinct_codes_and_change_nothing(fresh_node):
    c = fresh_node.client
    alice = fresh_node.key("alice")
    a = alice.address
    bob = fresh_node.key("bob").address
    chain_id = c.chain_id

    def body(nonce: int, amount, chain: str = chain_id, to=bob) -> TxBody:
        return TxBody(chain, nonce, 1, [msg.transfer(to=to, denom="upw", amount=amount)])

    balance_before = c.balance(a, "upw")

    bad_sig = pb.Tx.FromString(sign_body(alice, body(0, 1)))
    sig = bytearray(bad_sig.signature)
    sig[10] ^= 1
    bad_sig.signature = bytes(sig)

    high_s = pb.Tx.FromString(sign_body(alice, body(0, 1)))
    s = int.from_bytes(high_s.signature[32:], "big")
    high_s.signature = high_s.signature[:32] + (CURVE_ORDER - s).to_bytes(32, "big")

    unknown = body(0, 1).encode() + bytes([0x22, 0x03, 0x98, 0x06, 0x01])
    big = TxBody(chain_id, 0, 1, [msg.transfer(to=bob, denom="upw", amount=1)] * 64)
    huge = sign_body(alice, big) + bytes(1 << 20)  # past the 1 MiB tx limit

    txs = {
        "malformed bytes": bytes([0xFF, 0x00, 0x13]),
        "wrong chain id": sign_body(alice, body(0, 1, chain="other")),
        "bad signature": bad_sig.SerializeToString(),
        "high-S signature": high_s.SerializeToString(),
        "future nonce": sign_body(alice, body(7, 1)),
        "insufficient balance": sign_body(alice, body(0, balance_before)),
        "zero amount": sign_body(alice, body(0, 0)),
        "unknown message kind": sign_body_bytes(alice, unknown),
        "malformed address": sign_body(alice, body(0, 1, to="pw1notavalidaddress")),
        "amount overflow": sign_body(alice, body(0, "340282366920938463463374607431768211456")),
        "oversize tx": huge,
    }
    seen = set()
    rows = []
    for what, code, prefix in TX_TABLE:
        r = c.broadcast(txs[what], wait=False)
        rows.append((what, r.code, CODES[r.code].name if r.code in CODES else "?", r.log))
        assert r.code == code, f"{what}: {r.code} {r.log}"
        assert r.log.startswith(prefix), f"{what}: {r.log!r}"
        assert code not in seen, f"{what}: code {code} reused"
        seen.add(code)

    # Replay: commit one, then send the same bytes again.
    tx = sign_body(alice, body(0, 1))
    r = c.broadcast(tx, wait=True)
    assert r.code == 0 and r.committed.result.code == 0, r.log
    r = c.broadcast(tx, wait=False)
    rows.append(("replayed nonce", r.code, CODES[r.code].name, r.log))
    assert r.code == 8 and r.log.startswith("replayed nonce"), r.log

    print("\nbad-input table (Python SDK against the node):")
    for what, code, name, log in rows:
        print(f"  {what:22} {code:3} {name:20} {log[:100]}")

    # Nothing but the one good tx changed alice's account.
    assert c.balance(a, "upw") == balance_before - 2
    assert c.nonce(a) == 1
    assert c.status().height > 0


def test_simulate_predicts_without_committing(node):
    c = node.client
    alice, bob = node.key("alice"), node.key("bob").address
    nonce = c.nonce(alice.address)
    before = c.balance(bob, "upw")

    def tx(amount):
        return sign_body(alice, TxBody(c.chain_id, nonce, 1, [msg.transfer(to=bob, denom="upw", amount=amount)]))

    ok = c.simulate(tx(5))
    assert ok.code == 0 and ok.fee == "1", ok.log
    assert any(e.kind == "transfer" for e in ok.events)
    too_much = c.simulate(tx((1 << 128) // 2 - 1))
    assert too_much.code == 10, too_much.log
    assert c.simulate(bytes([9, 9, 9])).code == 2
    assert c.balance(bob, "upw") == before
    assert c.nonce(alice.address) == nonce


def _code(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as e:
        call()
    return e.value


def test_bad_queries_get_precise_status_codes(node):
    c = node.client
    S = grpc.StatusCode
    cases = [
        ("state at a future height", lambda: c.node.QueryState(npb.QueryStateRequest(key=b"k", height=1_000_000, prove=True)), S.OUT_OF_RANGE, None),
        ("oversize state key", lambda: c.node.QueryState(npb.QueryStateRequest(key=bytes([1]) * 5000)), S.INVALID_ARGUMENT, None),
        ("unknown block", lambda: c.node.GetBlock(npb.GetBlockRequest(height=1_000_000)), S.NOT_FOUND, None),
        ("malformed address", lambda: c.node.Account(npb.AccountRequest(address="pw1nope")), S.INVALID_ARGUMENT, None),
        ("unknown tx", lambda: c.node.GetTx(npb.GetTxRequest(hash=bytes(32))), S.NOT_FOUND, None),
        ("unknown block hash", lambda: c.node.GetBlockByHash(npb.GetBlockByHashRequest(hash=bytes(32))), S.NOT_FOUND, None),
        ("unknown job status", lambda: c.work.Jobs(wpb.JobsRequest(status="finished")), S.INVALID_ARGUMENT, "posted"),
        ("balance at a future height", lambda: c.node.Balance(npb.BalanceRequest(address=str(node.key("bob").address), denom="upw", at=qpb.At(height=1 << 40, prove=True))), S.OUT_OF_RANGE, None),
        ("proof of a list", lambda: c.assets.Provenance(apb.ProvenanceRequest(class_id="art", token_id=1, at=qpb.At(prove=True))), S.FAILED_PRECONDITION, "range reads"),
        ("oversize request", lambda: c.node.BroadcastTx(npb.BroadcastTxRequest(tx=bytes(5 << 20))), S.RESOURCE_EXHAUSTED, None),
    ]
    print("\nbad-query table (Python SDK against the node):")
    for what, call, code, needle in cases:
        err = _code(call)
        print(f"  {what:28} {err.code().name:20} {err.details()[:90]}")
        assert err.code() == code, f"{what}: {err.code()} {err.details()}"
        assert err.details(), f"{what}: empty message"
        if needle:
            assert needle in err.details(), f"{what}: {err.details()}"
    assert c.status().height >= 0  # still serving
