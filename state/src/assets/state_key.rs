//! Keys of the assets component (classes, unique tokens, owner index, provenance,
//! certifiers). Class ids never contain a NUL byte (they are denominations), so
//! `{class}\0{id}` is unambiguous.

use crate::codec;
use proofwork_tx::Address;

/// `asset/class/{class}` → borsh `AssetClass`.
pub fn class(class: &str) -> Vec<u8> {
    [b"asset/class/".as_slice(), class.as_bytes()].concat()
}

/// Prefix of every class.
pub const CLASS_PREFIX: &[u8] = b"asset/class/";

fn class_token(prefix: &[u8], class: &str, token: u64) -> Vec<u8> {
    [prefix, class.as_bytes(), &[0], &codec::be_u64(token)].concat()
}

/// `asset/tok/{class}\0{token BE}` → borsh `Token`.
pub fn token(class: &str, token: u64) -> Vec<u8> {
    class_token(b"asset/tok/", class, token)
}

/// Prefix of every token of a class.
pub fn tokens_of_class(class: &str) -> Vec<u8> {
    [b"asset/tok/".as_slice(), class.as_bytes(), &[0]].concat()
}

/// `asset/next/{class}` → u64 (borsh): the last token id minted in the class.
pub fn next_token(class: &str) -> Vec<u8> {
    [b"asset/next/".as_slice(), class.as_bytes()].concat()
}

/// Prefix of the owner index of one account.
pub fn owned_by(owner: &Address) -> Vec<u8> {
    [b"asset/own/".as_slice(), owner.as_bytes()].concat()
}

/// `asset/own/{owner}{class}\0{token BE}` → empty: tokens by owner.
pub fn owned(owner: &Address, class: &str, token: u64) -> Vec<u8> {
    class_token(&owned_by(owner), class, token)
}

/// Prefix of one token's provenance.
pub fn provenance_of(class: &str, token: u64) -> Vec<u8> {
    class_token(b"asset/prov/", class, token)
}

/// `asset/prov/{class}\0{token BE}{seq BE}` → borsh `ProvEntry`.
pub fn provenance(class: &str, token: u64, seq: u64) -> Vec<u8> {
    [provenance_of(class, token).as_slice(), &codec::be_u64(seq)].concat()
}

/// `asset/provn/{class}\0{token BE}` → u64 (borsh): the last provenance sequence number.
pub fn provenance_seq(class: &str, token: u64) -> Vec<u8> {
    class_token(b"asset/provn/", class, token)
}

/// `asset/cert/{class}\0{certifier}` → borsh `String` (the certifier's name).
pub fn certifier(class: &str, who: &Address) -> Vec<u8> {
    [
        b"asset/cert/".as_slice(),
        class.as_bytes(),
        &[0],
        who.as_bytes(),
    ]
    .concat()
}

/// `asset/params/royalty_cap_bps` → u32 (borsh): the chain's cap on a royalty policy's total,
/// set from genesis (`params.royalty_cap_bps`).
pub const ROYALTY_CAP: &[u8] = b"asset/params/royalty_cap_bps";
