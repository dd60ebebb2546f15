"""Tx bodies, message builders and signing, byte for byte as Rust ``proofwork_tx::sign_body``.

``sign_body`` encodes ``TxBody`` with the protobuf runtime (fields in order, defaults omitted:
the canonical encoding the node requires), signs ``BLAKE3("proofwork/tx/v1" || body_bytes)``
and returns the encoded ``Tx``.

Every message kind of ``tx/v1/tx.proto``'s ``Message`` oneof has a builder in :data:`msg`,
named as the proto field: ``msg.transfer(to=bob, denom="upw", amount=5)``. Builders accept
``int`` for amount fields (written as canonical decimal strings), :class:`Address` for
address fields, and nested messages as dicts or proto objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import blake3

from .keys import Address, SecretKey
from .tx.v1 import tx_pb2 as pb

SIGNING_DOMAIN = b"proofwork/tx/v1"
#: u128 upper bound for amounts.
U128_MAX = (1 << 128) - 1


def signing_digest(body_bytes: bytes) -> bytes:
    """``BLAKE3(SIGNING_DOMAIN || body_bytes)``."""
    return blake3.blake3(SIGNING_DOMAIN + bytes(body_bytes)).digest()


def tx_hash(tx_bytes: bytes) -> bytes:
    """A tx's id: ``BLAKE3(tx bytes)``."""
    return blake3.blake3(bytes(tx_bytes)).digest()


def format_amount(v: int | str) -> str:
    """Canonical decimal u128 (an ``int`` is range-checked; a ``str`` is passed through as is,
    so that a test can send a non-canonical one on purpose)."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(f"amount must be int or str, not {type(v).__name__}")
    if not 0 <= v <= U128_MAX:
        raise ValueError(f"amount {v} is not a u128")
    return str(v)


# String fields that carry a u128 amount (converted from int) in any message.
_AMOUNT_FIELDS = {
    "amount", "bond", "counter_deposit", "deposit", "fee", "initial_supply", "min_bid", "price",
    "reserve_price", "shares",
}


def _convert(desc, value: Any) -> Any:
    from google.protobuf.descriptor import FieldDescriptor as F

    if isinstance(value, Address):
        return str(value)
    if desc.type == F.TYPE_STRING and desc.name in _AMOUNT_FIELDS and isinstance(value, int):
        return format_amount(value)
    return value


def _fill(message, fields: dict[str, Any]):
    from google.protobuf.descriptor import FieldDescriptor as F

    d = message.DESCRIPTOR
    for name, value in fields.items():
        fd = d.fields_by_name.get(name)
        if fd is None:
            raise TypeError(f"{d.name} has no field {name!r} (fields: {', '.join(d.fields_by_name)})")
        if fd.type == F.TYPE_MESSAGE:
            if fd.is_repeated:
                target = getattr(message, name)
                for item in value:
                    if isinstance(item, dict):
                        _fill(target.add(), item)
                    else:
                        target.add().CopyFrom(item)
            else:
                target = getattr(message, name)
                if isinstance(value, dict):
                    _fill(target, value)
                else:
                    target.CopyFrom(value)
                if not value:  # an empty dict still sets the sub-message
                    target.SetInParent()
        elif fd.is_repeated:
            getattr(message, name).extend(_convert(fd, v) for v in value)
        else:
            setattr(message, name, _convert(fd, value))
    return message


def message(kind: str, **fields: Any) -> pb.Message:
    """A ``Message`` with oneof ``kind`` (e.g. ``"transfer"``) set from ``fields``."""
    oneof = pb.Message.DESCRIPTOR.oneofs_by_name["kind"]
    names = [f.name for f in oneof.fields]
    if kind not in names:
        raise ValueError(f"unknown message kind {kind!r}; known: {', '.join(names)}")
    m = pb.Message()
    inner = getattr(m, kind)
    _fill(inner, fields)
    inner.SetInParent()
    return m


class _Builders:
    """``msg.<kind>(**fields)`` for every kind of the ``Message`` oneof."""

    def __init__(self) -> None:
        for f in pb.Message.DESCRIPTOR.oneofs_by_name["kind"].fields:
            setattr(self, f.name, self._builder(f.name, f.message_type.name))

    @staticmethod
    def _builder(kind: str, type_name: str) -> Callable[..., pb.Message]:
        def build(**fields: Any) -> pb.Message:
            return message(kind, **fields)

        build.__name__ = kind
        build.__doc__ = f"A ``Message`` carrying ``proofwork.tx.v1.{type_name}``."
        return build

    @staticmethod
    def kinds() -> list[str]:
        return [f.name for f in pb.Message.DESCRIPTOR.oneofs_by_name["kind"].fields]


msg = _Builders()


@dataclass
class TxBody:
    chain_id: str
    nonce: int
    fee: int | str
    messages: list[pb.Message] = field(default_factory=list)

    def to_proto(self) -> pb.TxBody:
        b = pb.TxBody(chain_id=self.chain_id, nonce=self.nonce, fee=format_amount(self.fee))
        b.messages.extend(self.messages)
        return b

    def encode(self) -> bytes:
        return self.to_proto().SerializeToString(deterministic=True)


def encode_tx(body_bytes: bytes, public_key: bytes, signature: bytes) -> bytes:
    return pb.Tx(body_bytes=body_bytes, public_key=public_key, signature=signature).SerializeToString(
        deterministic=True
    )


def sign_body_bytes(key: SecretKey, body_bytes: bytes) -> bytes:
    """Signs already-encoded body bytes; returns the encoded ``Tx``."""
    sig = key.sign_digest(signing_digest(body_bytes))
    return encode_tx(body_bytes, key.public_key.to_bytes(), sig)


def sign_body(key: SecretKey, body: TxBody | pb.TxBody) -> bytes:
    """Encodes and signs a body; returns the tx bytes to broadcast (as Rust ``sign_body``)."""
    proto = body.to_proto() if isinstance(body, TxBody) else body
    return sign_body_bytes(key, proto.SerializeToString(deterministic=True))


def build_tx(key: SecretKey, chain_id: str, nonce: int, messages: Iterable[pb.Message], fee: int = 1) -> bytes:
    return sign_body(key, TxBody(chain_id, nonce, fee, list(messages)))
