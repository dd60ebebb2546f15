"""Jellyfish Merkle proofs (BLAKE3), verified independently from ``docs/state.md``.

Nothing here calls Rust: the format and the algorithm are those of the docs ("Merkle proofs"):

* ``kh = BLAKE3(key)``, walked most significant bit first, 1 goes right;
* leaf ``BLAKE3("JMT::LeafNode" || kh || BLAKE3(value))``;
* internal ``BLAKE3("JMT::IntrnalNode" || left || right)``;
* empty subtree: the 32 ASCII bytes ``SPARSE_MERKLE_PLACEHOLDER_HASH__``;
* ``proof`` = borsh ``SparseMerkleProof { leaf: Option<(kh, vh)>, siblings: Vec<Node> }``,
  siblings bottom first, node = ``0`` Null | ``1 left right`` Internal | ``2 kh vh`` Leaf.
"""

from __future__ import annotations

from dataclasses import dataclass

import blake3

LEAF_DOMAIN = b"JMT::LeafNode"
INTERNAL_DOMAIN = b"JMT::IntrnalNode"
PLACEHOLDER = b"SPARSE_MERKLE_PLACEHOLDER_HASH__"
MAX_SIBLINGS = 256


class ProofError(ValueError):
    """A proof that does not decode or does not verify."""


def _h(b: bytes) -> bytes:
    return blake3.blake3(b).digest()


def leaf_hash(kh: bytes, vh: bytes) -> bytes:
    return _h(LEAF_DOMAIN + kh + vh)


def internal_hash(left: bytes, right: bytes) -> bytes:
    return _h(INTERNAL_DOMAIN + left + right)


def _bit(h: bytes, i: int) -> int:
    return (h[i // 8] >> (7 - i % 8)) & 1


def _common_prefix_bits(a: bytes, b: bytes) -> int:
    for i in range(256):
        if _bit(a, i) != _bit(b, i):
            return i
    return 256


@dataclass(frozen=True)
class SparseMerkleProof:
    leaf: tuple[bytes, bytes] | None  # (key hash, value hash)
    siblings: list[bytes]  # sibling hashes, bottom first

    @classmethod
    def decode(cls, data: bytes) -> "SparseMerkleProof":
        """Parses the borsh encoding; every byte must be consumed."""
        data = bytes(data)
        pos = 0

        def take(n: int) -> bytes:
            nonlocal pos
            if pos + n > len(data):
                raise ProofError("truncated proof")
            out = data[pos : pos + n]
            pos += n
            return out

        tag = take(1)[0]
        if tag == 0:
            leaf = None
        elif tag == 1:
            leaf = (take(32), take(32))
        else:
            raise ProofError(f"bad leaf option tag {tag}")
        count = int.from_bytes(take(4), "little")
        if count > MAX_SIBLINGS:
            raise ProofError(f"{count} siblings exceed {MAX_SIBLINGS}")
        siblings = []
        for _ in range(count):
            kind = take(1)[0]
            if kind == 0:
                siblings.append(PLACEHOLDER)
            elif kind == 1:
                siblings.append(internal_hash(take(32), take(32)))
            elif kind == 2:
                siblings.append(leaf_hash(take(32), take(32)))
            else:
                raise ProofError(f"bad sibling tag {kind}")
        if pos != len(data):
            raise ProofError(f"{len(data) - pos} trailing bytes")
        return cls(leaf, siblings)


def verify_proof(app_hash: bytes, key: bytes, value: bytes | None, proof: bytes) -> None:
    """Checks that ``key`` maps to ``value`` (``None``: is absent) under ``app_hash``.

    Raises :class:`ProofError` unless the proof verifies.
    """
    if len(app_hash) != 32:
        raise ProofError("app hash must be 32 bytes")
    p = SparseMerkleProof.decode(proof)
    kh = _h(bytes(key))
    n = len(p.siblings)
    if value is not None:
        if p.leaf is None:
            raise ProofError("membership proof without a leaf")
        if p.leaf[0] != kh:
            raise ProofError("the proof's leaf is another key")
        if p.leaf[1] != _h(bytes(value)):
            raise ProofError("value hash does not match the proof's leaf")
    elif p.leaf is not None:
        if p.leaf[0] == kh:
            raise ProofError("non-membership proof names the key itself")
        if _common_prefix_bits(p.leaf[0], kh) < n:
            raise ProofError("the proof's leaf is not in the key's subtree")
    h = leaf_hash(*p.leaf) if p.leaf is not None else PLACEHOLDER
    for j, sib in enumerate(p.siblings):
        if _bit(kh, n - 1 - j):
            h = internal_hash(sib, h)
        else:
            h = internal_hash(h, sib)
    if h != bytes(app_hash):
        raise ProofError("root does not match the app hash")


def is_valid(app_hash: bytes, key: bytes, value: bytes | None, proof: bytes) -> bool:
    try:
        verify_proof(app_hash, key, value, proof)
        return True
    except ProofError:
        return False


# ---- state keys and borsh values (docs/state.md "Keys and values") ----


def _addr(a) -> bytes:
    from .keys import Address

    return a.raw if isinstance(a, Address) else Address.parse(a).raw if isinstance(a, str) else bytes(a)


class state_key:  # noqa: N801 (a namespace, as Rust's `state_key` modules)
    """Raw state keys of ``docs/state.md``."""

    @staticmethod
    def nonce(address) -> bytes:
        return b"acct/nonce/" + _addr(address)

    @staticmethod
    def balance(address, denom: str) -> bytes:
        return b"bank/bal/" + _addr(address) + denom.encode()

    @staticmethod
    def supply(denom: str) -> bytes:
        return b"bank/supply/" + denom.encode()

    @staticmethod
    def chain_id() -> bytes:
        return b"chain/id"

    @staticmethod
    def chain_height() -> bytes:
        return b"chain/height"

    @staticmethod
    def asset_class(class_id: str) -> bytes:
        return b"asset/class/" + class_id.encode()

    @staticmethod
    def token(class_id: str, token_id: int) -> bytes:
        return b"asset/tok/" + class_id.encode() + b"\0" + token_id.to_bytes(8, "big")

    @staticmethod
    def model(model_id: int) -> bytes:
        return b"work/model/" + model_id.to_bytes(8, "big")

    @staticmethod
    def job(job_id: int) -> bytes:
        return b"work/job/" + job_id.to_bytes(8, "big")

    @staticmethod
    def worker(address) -> bytes:
        return b"work/worker/" + _addr(address)


def decode_u128(value: bytes) -> int:
    """borsh ``u128`` (16 bytes little-endian), e.g. a balance."""
    if len(value) != 16:
        raise ValueError(f"u128 needs 16 bytes, got {len(value)}")
    return int.from_bytes(value, "little")


def decode_u64(value: bytes) -> int:
    if len(value) != 8:
        raise ValueError(f"u64 needs 8 bytes, got {len(value)}")
    return int.from_bytes(value, "little")
