//! Keys of the IP registry.

use crate::codec;

/// `ip/work/{content hash}` → borsh `IpRecord`.
pub fn work(content_hash: &[u8; 32]) -> Vec<u8> {
    [WORK_PREFIX, content_hash.as_slice()].concat()
}
/// Prefix of every registered work.
pub const WORK_PREFIX: &[u8] = b"ip/work/";

/// `ip/terms/{content hash}{id BE}` → borsh `LicenseTerms`.
pub fn terms(content_hash: &[u8; 32], id: u64) -> Vec<u8> {
    [terms_of(content_hash).as_slice(), &codec::be_u64(id)].concat()
}
/// Prefix of a work's licence terms.
pub fn terms_of(content_hash: &[u8; 32]) -> Vec<u8> {
    [b"ip/terms/".as_slice(), content_hash.as_slice()].concat()
}
/// Last terms id.
pub const NEXT_TERMS: &[u8] = b"ip/next/terms";

/// `ip/lic/{content hash}{id BE}` → borsh `License`.
pub fn license(content_hash: &[u8; 32], id: u64) -> Vec<u8> {
    [licenses_of(content_hash).as_slice(), &codec::be_u64(id)].concat()
}
/// Prefix of a work's licences.
pub fn licenses_of(content_hash: &[u8; 32]) -> Vec<u8> {
    [b"ip/lic/".as_slice(), content_hash.as_slice()].concat()
}
/// Last licence id.
pub const NEXT_LICENSE: &[u8] = b"ip/next/license";
