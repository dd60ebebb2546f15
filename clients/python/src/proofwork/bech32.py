"""bech32m (BIP-350) encoding of 20-byte account addresses with the prefix ``pw``."""

from __future__ import annotations

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32M_CONST = 0x2BC830A3


class Bech32Error(ValueError):
    """A string that is not valid bech32m."""


def _polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((b >> i) & 1) else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def _convertbits(data: bytes | list[int], frombits: int, tobits: int, pad: bool) -> list[int]:
    acc = 0
    bits = 0
    ret: list[int] = []
    maxv = (1 << tobits) - 1
    for value in data:
        if value < 0 or value >> frombits:
            raise Bech32Error("invalid data value")
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            ret.append((acc >> bits) & maxv)
    if pad:
        if bits:
            ret.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        raise Bech32Error("invalid padding")
    return ret


def encode(hrp: str, data: bytes) -> str:
    """bech32m of ``data`` (8-bit bytes) under ``hrp``, lower case."""
    d5 = _convertbits(data, 8, 5, True)
    values = _hrp_expand(hrp) + d5
    pm = _polymod(values + [0] * 6) ^ BECH32M_CONST
    checksum = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[d] for d in d5 + checksum)


def decode5(s: str) -> tuple[str, list[int]]:
    """Checks a bech32m string; returns its (lower-case) prefix and 5-bit data, checksum
    removed. All-upper-case input is accepted and normalised (BIP-350); mixed case is not."""
    if len(s) > 90:
        raise Bech32Error("too long")
    if any(ord(c) < 33 or ord(c) > 126 for c in s):
        raise Bech32Error("invalid character")
    if s.lower() != s and s.upper() != s:
        raise Bech32Error("mixed case")
    s = s.lower()
    pos = s.rfind("1")
    if pos < 1 or pos + 7 > len(s):
        raise Bech32Error("missing separator or checksum")
    hrp = s[:pos]
    try:
        data = [CHARSET.index(c) for c in s[pos + 1 :]]
    except ValueError:
        raise Bech32Error("invalid data character") from None
    if _polymod(_hrp_expand(hrp) + data) != BECH32M_CONST:
        raise Bech32Error("invalid checksum")
    return hrp, data[:-6]


def decode(s: str) -> tuple[str, bytes]:
    """Parses a bech32m string carrying whole bytes."""
    hrp, data = decode5(s)
    return hrp, bytes(_convertbits(data, 5, 8, False))
