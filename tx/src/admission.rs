//! Validator admission messages (tx field numbers 10–19).

use proofwork_proto::tx::v1 as pb;

use crate::{check_consensus_key, check_moniker, check_vrf_key, TxError};

/// Apply to join the validator set; the signer becomes the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyValidator {
    /// ed25519 consensus key (a valid curve point).
    pub consensus_pubkey: [u8; 32],
    /// Display name (see [`check_moniker`]).
    pub moniker: String,
    /// sr25519 VRF public key that signs the validator's vote extensions (the work
    /// beacon); see [`check_vrf_key`].
    pub vrf_pubkey: [u8; 32],
}

impl TryFrom<pb::ApplyValidator> for ApplyValidator {
    type Error = TxError;
    fn try_from(a: pb::ApplyValidator) -> Result<Self, TxError> {
        let consensus_pubkey = check_consensus_key(&a.consensus_pubkey)?;
        check_moniker(&a.moniker)?;
        let vrf_pubkey = check_vrf_key(&a.vrf_pubkey)?;
        Ok(ApplyValidator {
            consensus_pubkey,
            moniker: a.moniker,
            vrf_pubkey,
        })
    }
}

impl From<&ApplyValidator> for pb::ApplyValidator {
    fn from(a: &ApplyValidator) -> Self {
        pb::ApplyValidator {
            consensus_pubkey: a.consensus_pubkey.to_vec(),
            moniker: a.moniker.clone(),
            vrf_pubkey: a.vrf_pubkey.to_vec(),
        }
    }
}

/// A current validator's operator votes on an open application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoteValidator {
    /// Application id.
    pub application_id: u64,
    /// Approve or reject.
    pub approve: bool,
}

impl TryFrom<pb::VoteValidator> for VoteValidator {
    type Error = TxError;
    fn try_from(v: pb::VoteValidator) -> Result<Self, TxError> {
        Ok(VoteValidator {
            application_id: v.application_id,
            approve: v.approve,
        })
    }
}

impl From<&VoteValidator> for pb::VoteValidator {
    fn from(v: &VoteValidator) -> Self {
        pb::VoteValidator {
            application_id: v.application_id,
            approve: v.approve,
        }
    }
}

/// A current validator's operator proposes removing a validator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProposeRemoval {
    /// ed25519 consensus key of the validator to remove.
    pub consensus_pubkey: [u8; 32],
}

impl TryFrom<pb::ProposeRemoval> for ProposeRemoval {
    type Error = TxError;
    fn try_from(r: pb::ProposeRemoval) -> Result<Self, TxError> {
        Ok(ProposeRemoval {
            consensus_pubkey: check_consensus_key(&r.consensus_pubkey)?,
        })
    }
}

impl From<&ProposeRemoval> for pb::ProposeRemoval {
    fn from(r: &ProposeRemoval) -> Self {
        pb::ProposeRemoval {
            consensus_pubkey: r.consensus_pubkey.to_vec(),
        }
    }
}
