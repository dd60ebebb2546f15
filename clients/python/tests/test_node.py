"""Queries, txs, proofs and streams against a real node."""

from __future__ import annotations

import grpc
import pytest

from proofwork import Address, ProofError, Signer, TxError, msg, state_key, verify_proof
from proofwork import proof as P
from proofwork.node.v1 import node_pb2 as npb
from proofwork.query.v1 import query_pb2 as qpb

from conftest import wait_until


def test_key_files_match_the_node_addresses(node):
    import json

    for name in ("alice", "bob", "carol", "dave"):
        kf = json.loads((node.home / "keys" / f"{name}.json").read_text())
        k = node.key(name)
        assert str(k.address) == kf["address"]
        assert k.public_key.to_bytes().hex() == kf["public_key"]
        assert node.client.account(k.address).address == kf["address"]


def test_transfer_commits_and_balances_change(node):
    c = node.client
    alice = Signer(node.key("alice"))
    bob = node.key("bob").address
    before = c.balance(bob, "upw")
    r = c.send(alice, [msg.transfer(to=bob, denom="upw", amount=77)])
    assert r.result.code == 0
    assert r.events("transfer")[0]["amount"] == "77"
    assert c.balance(bob, "upw") == before + 77
    # the tx is found by hash, its block by height and by hash
    t = c.get_tx(r.hash)
    assert t.height == r.height
    b = c.get_block(r.height)
    assert c.get_block_by_hash(b.block_hash).height == r.height
    # a second tx reuses the locally tracked nonce
    c.send(alice, [msg.transfer(to=bob, denom="upw", amount=1), msg.transfer(to=bob, denom="upw", amount=2)])
    assert c.balance(bob, "upw") == before + 80


def test_failed_tx_raises_with_code_and_codespace(node):
    c = node.client
    carol = Signer(node.key("carol"))
    with pytest.raises(TxError) as e:
        c.send(carol, [msg.transfer(to=node.key("bob").address, denom="upw", amount=(1 << 127))])
    assert e.value.code == 10 and e.value.name == "insufficient_funds" and e.value.codespace == "tx"
    # the signer re-reads its nonce after a refusal and can send again
    c.send(carol, [msg.transfer(to=node.key("bob").address, denom="upw", amount=1)])


def test_state_proofs_verify_offline_and_fail_when_tampered(node):
    c = node.client
    alice = Signer(node.key("alice"))
    bob = node.key("bob").address
    c.send(alice, [msg.transfer(to=bob, denom="upw", amount=5)])
    key = state_key.balance(bob, "upw")
    r = c.query_state(key, 0, True)
    assert r.exists
    block = c.get_block(r.height)
    assert block.app_hash == r.app_hash
    verify_proof(block.app_hash, key, r.value, r.proof)
    assert P.decode_u128(r.value) == c.balance(bob, "upw", r.height)

    tampered = bytearray(r.value)
    tampered[15] ^= 1
    with pytest.raises(ProofError):
        verify_proof(block.app_hash, key, bytes(tampered), r.proof)
    # a flipped bit anywhere in the proof, the key or the app hash breaks it
    for i in range(0, len(r.proof), max(1, len(r.proof) // 16)):
        bad = bytearray(r.proof)
        bad[i] ^= 0x01
        assert not P.is_valid(block.app_hash, key, r.value, bytes(bad)), f"proof byte {i}"
    assert not P.is_valid(block.app_hash, key + b"x", r.value, r.proof)
    bad_hash = bytearray(block.app_hash)
    bad_hash[0] ^= 1
    assert not P.is_valid(bytes(bad_hash), key, r.value, r.proof)
    # claiming absence of a present key fails
    assert not P.is_valid(block.app_hash, key, None, r.proof)
    # a proof for another height does not verify against this header
    old = c.query_state(key, 1, True)
    if old.app_hash != r.app_hash:
        assert not P.is_valid(block.app_hash, key, old.value if old.exists else None, old.proof)
        # …but does against its own height's header
        verify_proof(c.get_block(old.height).app_hash, key, old.value if old.exists else None, old.proof)

    # non-membership
    missing = state_key.balance(bob, "nosuchdenom")
    r2 = c.query_state(missing, r.height, True)
    assert not r2.exists
    verify_proof(block.app_hash, missing, None, r2.proof)
    assert not P.is_valid(block.app_hash, missing, b"x", r2.proof)
    # and the wrappers
    assert c.verified_balance(bob, "upw") == c.balance(bob, "upw")
    assert c.verified_state(missing) is None
    assert c.verified_state(state_key.chain_id())[4:] == node.chain_id.encode()


def test_typed_queries_prove_what_they_read(node):
    c = node.client
    bob = node.key("bob").address
    r = c.balance_proven(bob, "upw")
    assert r.proof.reads, "no proven reads"
    read = r.proof.reads[0]
    assert read.key == state_key.balance(bob, "upw")
    verify_proof(r.proof.app_hash, read.key, read.value if read.exists else None, read.proof)
    assert P.decode_u128(read.value) == int(r.amount)
    assert c.get_block(r.proof.height).app_hash == r.proof.app_hash
    # an absent balance: a non-membership proof
    nobody = Address(bytes(20))
    r = c.node.Balance(npb.BalanceRequest(address=str(nobody), denom="upw", at=qpb.At(prove=True)))
    assert r.amount == "0" and not r.proof.reads[0].exists
    verify_proof(r.proof.app_hash, state_key.balance(nobody, "upw"), None, r.proof.reads[0].proof)


def test_block_stream_has_no_gaps_and_events_filter(node):
    c = node.client
    start = c.status().height
    stream = c.stream_blocks(from_height=1)
    heights = []
    for b in stream:
        heights.append(b.height)
        if b.height >= start + 3:
            break
    stream.cancel()
    assert heights == list(range(1, start + 4))

    alice = Signer(node.key("alice"))
    carol = node.key("carol").address
    h0 = c.status().height
    r = c.send(alice, [msg.transfer(to=carol, denom="upw", amount=3)])
    events = c.stream_events(from_height=h0, kind="transfer", attribute_key="recipient", attribute_value=str(carol))
    got = next(iter(events))
    events.cancel()
    assert got.event.kind == "transfer" and got.height == r.height and got.tx_hash == r.hash
    attrs = {a.key: a.value for a in got.event.attributes}
    assert attrs["recipient"] == str(carol) and attrs["amount"] == "3"


def test_uppercase_address_is_normalised_by_the_sdk(node):
    bob = node.key("bob").address
    assert Address.parse(str(bob).upper()) == bob
    # the SDK always sends the lower-case form
    assert node.client.account(Address.parse(str(bob).upper())).address == str(bob)


def test_python_signs_the_same_bytes_as_the_rust_cli(node):
    """RFC 6979 on both sides: the tx the Rust CLI signs and sends is byte for byte the one
    the SDK builds for the same body."""
    import json
    import subprocess

    from proofwork import tx_hash
    from proofwork.transaction import build_tx

    c = node.client
    alice = node.key("alice")
    bob = node.key("bob").address
    mine = build_tx(alice, c.chain_id, c.nonce(alice.address), [msg.transfer(to=bob, denom="upw", amount=9)], fee=1)
    out = subprocess.run(
        [node.bin, "tx", "transfer", "--home", str(node.home), "--node", f"http://{node.target}", "--from", "alice",
         "--to", str(bob), "--amount", "9", "--fee", "1", "--output", "json"],
        check=True, capture_output=True, text=True,
    )
    sent = json.loads(out.stdout)
    assert sent["code"] == 0, sent
    assert sent["hash"] == tx_hash(mine).hex()
    block = c.get_block(sent["height"])
    assert block.txs[sent["index"]] == mine
