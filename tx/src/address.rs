//! Account addresses.
//!
//! `address = BLAKE3("proofwork/addr/v1" || compressed_sec1_pubkey)[..20]`, shown as
//! bech32m with the human-readable prefix `pw`. Twenty bytes keep addresses short while
//! leaving 2^80 work for a collision between two chosen keys.

use std::fmt;
use std::str::FromStr;

use bech32::{Bech32m, Hrp};

use crate::TxError;

/// Human-readable part of every proofwork address.
pub const ADDRESS_HRP: &str = "pw";
/// Length of an address in bytes.
pub const ADDRESS_LEN: usize = 20;

const ADDRESS_DOMAIN: &[u8] = b"proofwork/addr/v1";

/// A 20-byte account address.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
pub struct Address(pub [u8; ADDRESS_LEN]);

impl Address {
    /// Derives the address of a compressed SEC1 public key.
    pub fn from_public_key_bytes(compressed: &[u8]) -> Self {
        let mut h = blake3::Hasher::new();
        h.update(ADDRESS_DOMAIN);
        h.update(compressed);
        let digest = h.finalize();
        let mut out = [0u8; ADDRESS_LEN];
        out.copy_from_slice(&digest.as_bytes()[..ADDRESS_LEN]);
        Address(out)
    }

    /// Raw bytes.
    pub fn as_bytes(&self) -> &[u8; ADDRESS_LEN] {
        &self.0
    }

    /// Parses raw bytes.
    ///
    /// # Errors
    /// [`TxError::BadAddress`] unless `bytes` is exactly 20 bytes long.
    pub fn try_from_slice(bytes: &[u8]) -> Result<Self, TxError> {
        let arr: [u8; ADDRESS_LEN] = bytes.try_into().map_err(|_| TxError::BadAddress {
            reason: format!("expected {ADDRESS_LEN} bytes, got {}", bytes.len()),
        })?;
        Ok(Address(arr))
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hrp = Hrp::parse_unchecked(ADDRESS_HRP);
        let s = bech32::encode::<Bech32m>(hrp, &self.0).map_err(|_| fmt::Error)?;
        f.write_str(&s)
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({self})")
    }
}

impl FromStr for Address {
    type Err = TxError;

    fn from_str(s: &str) -> Result<Self, TxError> {
        if s.len() > 90 {
            return Err(TxError::BadAddress {
                reason: "too long".into(),
            });
        }
        let checked =
            bech32::primitives::decode::CheckedHrpstring::new::<Bech32m>(s).map_err(|e| {
                TxError::BadAddress {
                    reason: e.to_string(),
                }
            })?;
        // BIP-350 (as BIP-173): all lower case or all upper case, never mixed (the decoder
        // refuses mixed case); both name the same address, which always prints in lower case.
        if checked.hrp().to_lowercase() != ADDRESS_HRP {
            return Err(TxError::BadAddress {
                reason: format!("prefix must be `{ADDRESS_HRP}`"),
            });
        }
        let bytes: Vec<u8> = checked.byte_iter().collect();
        Address::try_from_slice(&bytes)
    }
}

impl serde::Serialize for Address {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Address {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_round_trips_through_bech32m() {
        let a = Address([7u8; 20]);
        let s = a.to_string();
        assert!(s.starts_with("pw1"));
        assert_eq!(s.parse::<Address>().unwrap(), a);
    }

    #[test]
    fn address_with_wrong_prefix_is_rejected() {
        let hrp = Hrp::parse_unchecked("cosmos");
        let s = bech32::encode::<Bech32m>(hrp, &[1u8; 20]).unwrap();
        assert!(matches!(
            s.parse::<Address>(),
            Err(TxError::BadAddress { .. })
        ));
    }

    #[test]
    fn address_with_bad_checksum_or_length_is_rejected() {
        let mut s = Address([1u8; 20]).to_string();
        s.pop();
        s.push('q');
        assert!(s.parse::<Address>().is_err());
        let hrp = Hrp::parse_unchecked(ADDRESS_HRP);
        let short = bech32::encode::<Bech32m>(hrp, &[1u8; 19]).unwrap();
        assert!(short.parse::<Address>().is_err());
        assert!("".parse::<Address>().is_err());
        assert!("not an address".parse::<Address>().is_err());
    }
}

#[cfg(test)]
mod case_tests {
    use super::*;

    #[test]
    fn upper_case_addresses_are_accepted_and_normalised_mixed_case_refused() {
        let a = Address([7; 20]);
        let lower = a.to_string();
        let upper = lower.to_uppercase();
        assert_eq!(upper.parse::<Address>().expect("upper case"), a);
        assert_eq!(
            upper.parse::<Address>().expect("upper case").to_string(),
            lower
        );
        let mut mixed = lower.clone();
        mixed.replace_range(0..1, &lower[0..1].to_uppercase());
        assert!(
            mixed.parse::<Address>().is_err(),
            "mixed case must be refused"
        );
    }
}
