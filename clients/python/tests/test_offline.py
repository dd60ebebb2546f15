"""Checks that need no node: bech32m vectors, keys, signing, builders, the JMT verifier on
hand-built trees, and that the committed tables and stubs match the repository."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import blake3
import pytest

from proofwork import Address, AddressError, SecretKey, TxBody, msg, sign_body, signing_digest
from proofwork import bech32, errors
from proofwork import proof as P
from proofwork.keys import CURVE_ORDER
from proofwork.tx.v1 import tx_pb2 as pb

REPO = Path(__file__).resolve().parents[3]
in_repo = pytest.mark.skipif(not (REPO / "tx" / "src").exists(), reason="not inside the proofwork repository")

# BIP-350 valid bech32m strings.
BIP350_VALID = [
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
]
BIP350_INVALID = ["A1G7SGD8", "1xj0phk", "abc1rzg", "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx", "a1LQFN3A"]


def test_bech32m_vectors():
    for s in BIP350_VALID:
        hrp, _ = bech32.decode5(s)
        assert hrp == s.lower()[: s.lower().rfind("1")]
    for s in BIP350_INVALID:
        with pytest.raises(bech32.Bech32Error):
            bech32.decode5(s)


def test_addresses_round_trip_and_bad_ones_are_refused():
    a = Address(bytes([7]) * 20)
    s = str(a)
    assert s.startswith("pw1") and Address.parse(s) == a and Address.parse(s.upper()) == a
    for bad in ["", "not an address", s[:-1] + ("q" if s[-1] != "q" else "p"), bech32.encode("cosmos", bytes(20)),
                bech32.encode("pw", bytes(19)), s[:5] + s[5:].upper()]:
        with pytest.raises(AddressError):
            Address.parse(bad)


def test_address_derivation_is_blake3_of_the_compressed_key():
    k = SecretKey.from_seed("alice")
    pub = k.public_key.to_bytes()
    assert len(pub) == 33 and pub[0] in (2, 3)
    assert k.address.raw == blake3.blake3(b"proofwork/addr/v1" + pub).digest()[:20]


def test_signatures_are_low_s_deterministic_and_verify():
    k = SecretKey.from_seed("bob")
    for i in range(50):
        d = blake3.blake3(bytes([i])).digest()
        s = k.sign_digest(d)
        assert len(s) == 64 and int.from_bytes(s[32:], "big") <= CURVE_ORDER // 2
        assert s == k.sign_digest(d)  # RFC 6979
        assert k.public_key.verify_digest(d, s)
        high = s[:32] + (CURVE_ORDER - int.from_bytes(s[32:], "big")).to_bytes(32, "big")
        assert not k.public_key.verify_digest(d, high)


def test_sign_body_layout():
    k = SecretKey.from_seed("alice")
    body = TxBody("test", 3, 1, [msg.transfer(to=Address(bytes([9]) * 20), denom="upw", amount=5)])
    tx = pb.Tx.FromString(sign_body(k, body))
    assert tx.body_bytes == body.encode()
    assert tx.public_key == k.public_key.to_bytes()
    assert k.public_key.verify_digest(signing_digest(tx.body_bytes), tx.signature)
    assert signing_digest(b"x") == blake3.blake3(b"proofwork/tx/v1x").digest()
    # canonical encoding: re-encoding the parsed tx gives the same bytes
    assert tx.SerializeToString(deterministic=True) == sign_body(k, body)
    # field order and default omission as in tx.proto: chain_id(1) nonce(2) fee(3) messages(4)
    assert body.encode()[:6] == b"\x0a\x04test" and body.encode()[6:8] == b"\x10\x03"


@in_repo
def test_every_message_kind_of_the_rust_enum_has_a_builder():
    src = (REPO / "tx" / "src" / "message.rs").read_text()
    rust_kinds = re.findall(r'^\s*\w+ => "(\w+)",', src, re.M)
    assert len(rust_kinds) >= 40
    assert sorted(rust_kinds) == sorted(msg.kinds())
    for kind in rust_kinds:
        m = getattr(msg, kind)()
        assert m.WhichOneof("kind") == kind


def test_builder_converts_amounts_addresses_and_nested_messages():
    m = msg.create_asset_class(class_id="art", unique=True, powers={"mint": True}, royalty=[{"recipient": Address(bytes(20)), "bps": 250}],
                               initial_supply=0)
    c = m.create_asset_class
    assert c.powers.mint and c.royalty[0].bps == 250 and c.royalty[0].recipient == str(Address(bytes(20)))
    assert msg.transfer(amount=(1 << 128) - 1).transfer.amount == str((1 << 128) - 1)
    with pytest.raises(ValueError):
        msg.transfer(amount=1 << 128)
    with pytest.raises(TypeError):
        msg.transfer(nonsense=1)
    with pytest.raises(ValueError):
        from proofwork.transaction import message

        message("teleport")


@in_repo
def test_error_table_matches_docs_errors_md():
    rows = {}
    for line in (REPO / "docs" / "errors.md").read_text().splitlines():
        m = re.match(r"\| (\d+) \| `(\w+)` \| `(\w+)` \|", line)
        if m:
            rows[int(m[1])] = (m[2], m[3])
    assert rows == {c: (i.name, i.codespace) for c, i in errors.CODES.items()}


@in_repo
def test_generated_stubs_match_the_protos():
    pytest.importorskip("grpc_tools")
    here = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as out:
        protos = sorted(str(p.relative_to(REPO / "proto" / "proto")) for p in (REPO / "proto" / "proto").rglob("*.proto"))
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I", ".", f"--python_out={out}", f"--pyi_out={out}",
                        f"--grpc_python_out={out}", *protos], cwd=REPO / "proto" / "proto", check=True)
        for gen in Path(out).rglob("*.py*"):
            committed = here / "src" / gen.relative_to(out)
            assert committed.exists(), f"{committed} missing: run clients/python/regen.sh"
            assert committed.read_bytes() == gen.read_bytes(), f"{committed} is stale: run clients/python/regen.sh"


# ---- the JMT verifier on hand-built trees ----


def _leaf_proof(leaf, siblings):
    """borsh SparseMerkleProof with siblings given as ('null',) | ('leaf', kh, vh) | ('internal', l, r)."""
    out = bytearray(b"\x00" if leaf is None else b"\x01" + leaf[0] + leaf[1])
    out += len(siblings).to_bytes(4, "little")
    for s in siblings:
        out += {"null": b"\x00", "internal": b"\x01", "leaf": b"\x02"}[s[0]] + b"".join(s[1:])
    return bytes(out)


def _h(b):
    return blake3.blake3(b).digest()


def _two_key_tree():
    """Two keys whose hashes differ in the first bit: the root is Internal(left, right)."""
    i = 0
    while True:
        k1, k2 = b"key-a%d" % i, b"key-b%d" % i
        if (_h(k1)[0] >> 7) == 0 and (_h(k2)[0] >> 7) == 1:
            break
        i += 1
    v1, v2 = b"one", b"two"
    l1, l2 = P.leaf_hash(_h(k1), _h(v1)), P.leaf_hash(_h(k2), _h(v2))
    return k1, v1, k2, v2, P.internal_hash(l1, l2)


def test_jmt_single_leaf_and_two_leaf_trees():
    k1, v1, k2, v2, root = _two_key_tree()
    p1 = _leaf_proof((_h(k1), _h(v1)), [("leaf", _h(k2), _h(v2))])
    p2 = _leaf_proof((_h(k2), _h(v2)), [("leaf", _h(k1), _h(v1))])
    P.verify_proof(root, k1, v1, p1)
    P.verify_proof(root, k2, v2, p2)
    assert not P.is_valid(root, k1, v2, p1)  # wrong value
    assert not P.is_valid(root, k2, v2, p1)  # proof of another key
    assert not P.is_valid(root, k1, v1, p2)
    assert not P.is_valid(root, k1, v1, p1 + b"\x00")  # trailing bytes
    assert not P.is_valid(root, k1, v1, p1[:-1])  # truncated
    # single leaf: root = the leaf, no siblings
    single = P.leaf_hash(_h(k1), _h(v1))
    P.verify_proof(single, k1, v1, _leaf_proof((_h(k1), _h(v1)), []))
    # non-membership in the single-leaf tree: the leaf is another key
    P.verify_proof(single, k2, None, _leaf_proof((_h(k1), _h(v1)), []))
    # the empty tree: placeholder root, no leaf
    P.verify_proof(P.PLACEHOLDER, b"anything", None, _leaf_proof(None, []))
    assert not P.is_valid(P.PLACEHOLDER, b"anything", b"v", _leaf_proof(None, []))
    # non-membership in the two-leaf tree must not accept a leaf outside the key's subtree
    k3 = next(b"k3-%d" % i for i in range(10000) if (_h(b"k3-%d" % i)[0] >> 7) == 0)
    P.verify_proof(root, k3, None, p1)  # k3 falls under k1's position: k1's leaf proves k3 absent
    assert not P.is_valid(root, k3, None, p2)  # k2's leaf is in the other half
    # an internal sibling and a null sibling hash as documented
    l, r = _h(b"l"), _h(b"r")
    leaf = (_h(k1), _h(v1))
    bit0 = _h(k1)[0] >> 7
    for sib, sib_hash in ((("internal", l, r), P.internal_hash(l, r)), (("null",), P.PLACEHOLDER)):
        lh = P.leaf_hash(*leaf)
        top = P.internal_hash(sib_hash, lh) if bit0 else P.internal_hash(lh, sib_hash)
        P.verify_proof(top, k1, v1, _leaf_proof(leaf, [sib]))
    with pytest.raises(P.ProofError):
        P.SparseMerkleProof.decode(b"\x00" + (257).to_bytes(4, "little"))
    with pytest.raises(P.ProofError):
        P.SparseMerkleProof.decode(b"\x00\x01\x00\x00\x00\x07")


def test_state_keys_follow_docs_state_md():
    a = Address(bytes(range(20)))
    assert P.state_key.balance(a, "upw") == b"bank/bal/" + bytes(range(20)) + b"upw"
    assert P.state_key.nonce(a) == b"acct/nonce/" + bytes(range(20))
    assert P.state_key.token("art", 1) == b"asset/tok/art\x00" + (1).to_bytes(8, "big")
    assert P.state_key.job(2) == b"work/job/" + (2).to_bytes(8, "big")
    assert P.decode_u128(bytes([0xE8, 0x03]) + bytes(14)) == 1000
