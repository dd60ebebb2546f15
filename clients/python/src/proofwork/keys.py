"""secp256k1 keys and account addresses, as ``tx/src/keys.rs`` and ``tx/src/address.rs``.

* address = ``BLAKE3("proofwork/addr/v1" || compressed_pubkey)[..20]``, bech32m, prefix ``pw``
* a tx signature is ECDSA over a 32-byte digest (no further hashing), low-S, 64 bytes ``r||s``
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import blake3
import coincurve

from . import bech32

ADDRESS_HRP = "pw"
ADDRESS_LEN = 20
ADDRESS_DOMAIN = b"proofwork/addr/v1"
#: Order of the secp256k1 group.
CURVE_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


class AddressError(ValueError):
    """A string or byte string that is not a proofwork address."""


@dataclass(frozen=True, order=True)
class Address:
    """A 20-byte account address; ``str()`` is its bech32m form."""

    raw: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.raw, (bytes, bytearray)) or len(self.raw) != ADDRESS_LEN:
            raise AddressError(f"expected {ADDRESS_LEN} bytes")
        object.__setattr__(self, "raw", bytes(self.raw))

    @classmethod
    def from_public_key(cls, compressed: bytes) -> "Address":
        return cls(blake3.blake3(ADDRESS_DOMAIN + bytes(compressed)).digest()[:ADDRESS_LEN])

    @classmethod
    def parse(cls, s: str) -> "Address":
        """Parses ``pw1…`` (all-upper-case is accepted and normalised, as BIP-350 allows)."""
        try:
            hrp, data = bech32.decode(s)
        except bech32.Bech32Error as e:
            raise AddressError(f"bad address {s!r}: {e}") from None
        if hrp != ADDRESS_HRP:
            raise AddressError(f"bad address {s!r}: prefix must be {ADDRESS_HRP!r}")
        if len(data) != ADDRESS_LEN:
            raise AddressError(f"bad address {s!r}: expected {ADDRESS_LEN} bytes, got {len(data)}")
        return cls(data)

    def __str__(self) -> str:
        return bech32.encode(ADDRESS_HRP, self.raw)

    def __repr__(self) -> str:
        return f"Address({self})"


def module_address(name: str) -> Address:
    """Address of a module account (``market``, ``escrow``, ``work/escrow``, ``vault/{id}`` …)."""
    return Address(blake3.blake3(b"proofwork/module/v1" + name.encode()).digest()[:ADDRESS_LEN])


class PublicKey:
    """A secp256k1 public key (33-byte compressed SEC1 form only)."""

    def __init__(self, compressed: bytes) -> None:
        if len(compressed) != 33:
            raise ValueError(f"expected 33-byte compressed key, got {len(compressed)} bytes")
        self._key = coincurve.PublicKey(bytes(compressed))
        self._bytes = bytes(compressed)

    def to_bytes(self) -> bytes:
        return self._bytes

    @property
    def address(self) -> Address:
        return Address.from_public_key(self._bytes)

    def verify_digest(self, digest: bytes, signature: bytes) -> bool:
        """True iff ``signature`` (64 bytes, low-S) signs the 32-byte ``digest``."""
        if len(signature) != 64 or len(digest) != 32:
            return False
        s = int.from_bytes(signature[32:], "big")
        if s > CURVE_ORDER // 2:
            return False
        from coincurve.ecdsa import cdata_to_der, deserialize_compact

        try:
            der_sig = cdata_to_der(deserialize_compact(signature))
        except Exception:
            return False
        return self._key.verify(der_sig, digest, hasher=None)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PublicKey) and other._bytes == self._bytes

    def __hash__(self) -> int:
        return hash(self._bytes)

    def __repr__(self) -> str:
        return f"PublicKey({self._bytes.hex()})"


class SecretKey:
    """A secp256k1 secret key. ``repr`` never shows the key."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) != 32:
            raise ValueError("invalid secret key: expected 32 bytes")
        d = int.from_bytes(secret, "big")
        if not 0 < d < CURVE_ORDER:
            raise ValueError("invalid secret key: zero or not below the group order")
        self._key = coincurve.PrivateKey(bytes(secret))
        self._pub = PublicKey(self._key.public_key.format(compressed=True))

    @classmethod
    def generate(cls) -> "SecretKey":
        while True:
            try:
                return cls(os.urandom(32))
            except ValueError:
                continue

    @classmethod
    def from_seed(cls, seed: str) -> "SecretKey":
        """Deterministic demo/test key, exactly as Rust ``SecretKey::from_seed``."""
        counter = 0
        while True:
            h = blake3.blake3(b"proofwork/test-key/v1" + seed.encode() + counter.to_bytes(4, "big"))
            try:
                return cls(h.digest())
            except ValueError:
                counter += 1

    @classmethod
    def from_hex(cls, s: str) -> "SecretKey":
        return cls(bytes.fromhex(s))

    @classmethod
    def from_key_file(cls, path: str | os.PathLike[str]) -> "SecretKey":
        """Loads a node key file (``{home}/keys/{name}.json``, field ``secret_key`` in hex)."""
        return cls.from_hex(json.loads(Path(path).read_text())["secret_key"])

    @classmethod
    def from_home(cls, home: str | os.PathLike[str], name: str) -> "SecretKey":
        """The key ``name`` of a node home's keyring (``proofwork init`` writes alice…dave)."""
        return cls.from_key_file(Path(home) / "keys" / f"{name}.json")

    def to_bytes(self) -> bytes:
        return self._key.secret

    @property
    def public_key(self) -> PublicKey:
        return self._pub

    @property
    def address(self) -> Address:
        return self._pub.address

    def sign_digest(self, digest: bytes) -> bytes:
        """64-byte compact ``r||s`` ECDSA signature of a 32-byte digest (RFC 6979, low-S)."""
        if len(digest) != 32:
            raise ValueError("digest must be 32 bytes")
        sig = self._key.sign_recoverable(digest, hasher=None)[:64]
        s = int.from_bytes(sig[32:], "big")
        if s > CURVE_ORDER // 2:  # libsecp256k1 already normalises; kept for clarity
            sig = sig[:32] + (CURVE_ORDER - s).to_bytes(32, "big")
        return sig

    def __repr__(self) -> str:
        return f"SecretKey({self.address})"
