"""Asset and market messages built with the SDK, executed by the node, and a typed query's
proven reads decoded from borsh in Python."""

from __future__ import annotations

import blake3

from proofwork import Signer, msg, verify_proof
from proofwork import proof as P
from proofwork.assets.v1 import assets_pb2 as apb
from proofwork.query.v1 import query_pb2 as qpb


def _decode_token_head(value: bytes) -> tuple[str, int, bytes]:
    """``Token``'s first fields (docs/state.md): class String, id u64, owner [u8; 20]."""
    n = int.from_bytes(value[:4], "little")
    cls = value[4 : 4 + n].decode()
    tid = int.from_bytes(value[4 + n : 12 + n], "little")
    return cls, tid, value[12 + n : 32 + n]


def test_class_mint_list_buy_and_a_proven_token(node):
    c = node.client
    alice, bob = Signer(node.key("alice")), Signer(node.key("bob"))
    carol = node.key("carol").address
    c.send(alice, [msg.create_asset_class(class_id="art", unique=True, powers={"mint": True, "burn": True},
                                          royalty=[{"recipient": carol, "bps": 500}], metadata="paintings")])
    minted = c.send(alice, [msg.mint_unique(class_id="art", to=alice.address, metadata="sunflowers",
                                            content_hash=blake3.blake3(b"sunflowers").digest(),
                                            royalty=[{"recipient": carol, "bps": 500}])])
    token_id = int(next(v for e in minted.events() for k, v in e.items() if k in ("token_id", "token")))
    listed = c.send(alice, [msg.create_listing(item={"unique": {"class_id": "art", "token_id": token_id}}, price=1000, denom="upw")])
    listing_id = int(next(v for e in listed.events() for k, v in e.items() if k in ("listing_id", "listing", "id")))
    carol_before = c.balance(carol, "upw")
    c.send(bob, [msg.buy_listing(listing_id=listing_id)])
    assert c.balance(carol, "upw") == carol_before + 50  # 5% royalty on 1000

    t = c.assets.Token(apb.TokenRequest(class_id="art", token_id=token_id, at=qpb.At(prove=True)))
    assert t.owner == str(bob.address) and t.metadata == "sunflowers"
    key = P.state_key.token("art", token_id)
    read = next(r for r in t.proof.reads if r.key == key)
    verify_proof(t.proof.app_hash, read.key, read.value, read.proof)
    assert c.get_block(t.proof.height).app_hash == t.proof.app_hash
    assert _decode_token_head(read.value) == ("art", token_id, bob.address.raw)


def test_asset_classes_page_in_id_order(node):
    c = node.client
    alice = Signer(node.key("alice"))
    ids = ["pylist-b", "pylist-a", "pylist-c"]
    c.send(alice, [msg.create_asset_class(class_id=i, unique=False, metadata=f"class {i}") for i in ids])
    listed: list[str] = []
    after, pages = "", 0
    while True:
        page = c.asset_classes(after=after, limit=2)
        listed += [cl.class_id for cl in page.classes]
        pages += 1
        if not page.more:
            break
        after = page.classes[-1].class_id
    assert listed == sorted(listed, key=str.encode) and len(set(listed)) == len(listed)
    mine = [i for i in listed if i.startswith("pylist-")]
    assert mine == sorted(ids) and pages >= 2
    info = next(cl for cl in c.asset_classes(after="pylist-a", limit=1).classes)
    assert info.class_id == "pylist-b" and not info.unique and info.admin == str(alice.address)
