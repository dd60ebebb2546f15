//! IP registry: works registered by content hash (timestamped by the block; the first
//! registration of a hash wins and later ones are refused naming it), bound to a unique
//! token whose current holder is paid for licences. Licence terms (fee, duration, scope)
//! are set by the holder; taking a licence pays the fee through the token's royalty policy
//! to the holder — or, when the token is fractionalized, to its vault, where every
//! shareholder's pro-rata part waits for redemption.

pub mod state_key;

use borsh::{BorshDeserialize, BorshSerialize};
use proofwork_tx::{Address, TxError};

use crate::accounts;
use crate::assets::{self, format_paid, Lock, Price, ProvKind};
use crate::codec;
use crate::event::TypedEvent;
use crate::fractional;
use crate::royalties;
use crate::{ExecError, StateError, StateRead, StateWrite};

/// A registered work.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct IpRecord {
    /// Content hash.
    pub content_hash: [u8; 32],
    /// Title.
    pub title: String,
    /// Class of the bound token.
    pub class: String,
    /// Bound token.
    pub token: u64,
    /// Who registered it.
    pub registrant: Address,
    /// Block height of registration.
    pub height: u64,
    /// Block time of registration (ns).
    pub time_ns: u64,
}

/// Terms under which a work may be licensed.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct LicenseTerms {
    /// Id.
    pub id: u64,
    /// Fee per licence.
    pub fee: u128,
    /// Fee denomination.
    pub denom: String,
    /// Licence duration (ns of block time).
    pub duration_ns: u64,
    /// What the licence allows.
    pub scope: String,
}

/// A granted licence.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct License {
    /// Id.
    pub id: u64,
    /// Terms it was granted under.
    pub terms: u64,
    /// Licensee.
    pub licensee: Address,
    /// Who was paid (holder or vault account).
    pub paid_to: Address,
    /// Fee paid.
    pub fee: u128,
    /// Fee denomination.
    pub denom: String,
    /// Block time granted (ns).
    pub granted_ns: u64,
    /// Block time it ends (ns).
    pub expires_ns: u64,
    /// Scope, copied from the terms.
    pub scope: String,
}

/// A registered work.
///
/// # Errors
/// Storage failures.
pub fn work<S: StateRead>(s: &S, hash: &[u8; 32]) -> Result<Option<IpRecord>, StateError> {
    codec::get(s, &state_key::work(hash))
}

fn require_work<S: StateRead>(s: &S, hash: &[u8; 32]) -> Result<IpRecord, ExecError> {
    work(s, hash)?.ok_or_else(|| {
        TxError::UnknownIp {
            content_hash: hex::encode(hash),
        }
        .into()
    })
}

/// A work's licence terms.
///
/// # Errors
/// Storage failures.
pub fn terms<S: StateRead>(s: &S, hash: &[u8; 32]) -> Result<Vec<LicenseTerms>, StateError> {
    Ok(codec::scan(s, &state_key::terms_of(hash), None, 1024)?
        .into_iter()
        .map(|(_, t)| t)
        .collect())
}

/// A work's licences (at most `limit`).
///
/// # Errors
/// Storage failures.
pub fn licenses<S: StateRead>(
    s: &S,
    hash: &[u8; 32],
    limit: usize,
) -> Result<Vec<License>, StateError> {
    Ok(codec::scan(s, &state_key::licenses_of(hash), None, limit)?
        .into_iter()
        .map(|(_, l)| l)
        .collect())
}

/// Who is paid for a work now: the token's owner, or its vault's account.
fn payee<S: StateRead>(s: &S, rec: &IpRecord) -> Result<(Address, assets::Token), ExecError> {
    let t = assets::require_token(s, &rec.class, rec.token)?;
    let to = match t.lock {
        Lock::Vault(id) => fractional::vault(s, id)?
            .map(|v| v.account())
            .unwrap_or(t.owner),
        _ => t.owner,
    };
    Ok((to, t))
}

/// Registers a work bound to a token the signer owns.
///
/// # Errors
/// [`TxError::IpAlreadyRegistered`] naming the earlier registration; unknown token; not
/// the owner.
pub fn register<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    hash: &[u8; 32],
    title: &str,
    class: &str,
    token: u64,
) -> Result<RegisterIpEvent, ExecError> {
    if let Some(prev) = work(s, hash)? {
        return Err(TxError::IpAlreadyRegistered {
            content_hash: hex::encode(hash),
            registrant: prev.registrant.to_string(),
            height: prev.height,
        }
        .into());
    }
    let t = assets::require_token(s, class, token)?;
    if t.owner != *signer {
        return Err(TxError::NotOwner {
            what: format!("{class}#{token}"),
        }
        .into());
    }
    let rec = IpRecord {
        content_hash: *hash,
        title: title.into(),
        class: class.into(),
        token,
        registrant: *signer,
        height: accounts::block_height(s)?,
        time_ns: accounts::block_time_ns(s)?,
    };
    codec::put(s, state_key::work(hash), &rec);
    assets::record(
        s,
        class,
        token,
        ProvKind::IpRegistered,
        None,
        Some(*signer),
        None,
        format!("work {}: {title}", hex::encode(hash)),
    )?;
    Ok(RegisterIpEvent {
        content_hash: *hash,
        class: class.into(),
        token,
        height: rec.height,
    })
}

/// Adds licence terms (the token's owner; for a fractionalized token, its curator).
///
/// # Errors
/// Unknown work, not the holder, credits as the fee denomination.
pub fn add_terms<S: StateWrite>(
    s: &mut S,
    signer: &Address,
    hash: &[u8; 32],
    fee: u128,
    denom: &str,
    duration_ns: u64,
    scope: &str,
) -> Result<AddLicenseTermsEvent, ExecError> {
    assets::check_payment_denom(denom)?;
    let rec = require_work(s, hash)?;
    let t = assets::require_token(s, &rec.class, rec.token)?;
    let holder = match t.lock {
        Lock::Vault(id) => fractional::vault(s, id)?.map_or(t.owner, |v| v.curator),
        _ => t.owner,
    };
    if holder != *signer {
        return Err(TxError::NotOwner {
            what: format!("work {}", hex::encode(hash)),
        }
        .into());
    }
    let id = codec::next_id(s, state_key::NEXT_TERMS)?;
    let terms = LicenseTerms {
        id,
        fee,
        denom: denom.into(),
        duration_ns,
        scope: scope.into(),
    };
    codec::put(s, state_key::terms(hash, id), &terms);
    Ok(AddLicenseTermsEvent {
        content_hash: *hash,
        terms_id: id,
    })
}

/// Takes a licence: pays the fee (royalties first) to the current holder.
///
/// # Errors
/// Unknown work or terms, insufficient funds.
pub fn take_license<S: StateWrite>(
    s: &mut S,
    licensee: &Address,
    hash: &[u8; 32],
    terms_id: u64,
) -> Result<TakeLicenseEvent, ExecError> {
    let rec = require_work(s, hash)?;
    let terms: LicenseTerms = codec::get(s, &state_key::terms(hash, terms_id))?
        .ok_or(TxError::UnknownLicenseTerms { id: terms_id })?;
    let (to, t) = payee(s, &rec)?;
    assets::check_payment_denom(&terms.denom)?;
    let paid = royalties::pay_sale(s, licensee, &to, &terms.denom, terms.fee, &t.royalty)?;
    let now = accounts::block_time_ns(s)?;
    let id = codec::next_id(s, state_key::NEXT_LICENSE)?;
    let lic = License {
        id,
        terms: terms_id,
        licensee: *licensee,
        paid_to: to,
        fee: terms.fee,
        denom: terms.denom.clone(),
        granted_ns: now,
        expires_ns: now.saturating_add(terms.duration_ns),
        scope: terms.scope,
    };
    codec::put(s, state_key::license(hash, id), &lic);
    assets::record(
        s,
        &rec.class,
        rec.token,
        ProvKind::Licensed,
        Some(to),
        Some(*licensee),
        Some(Price {
            denom: terms.denom.clone(),
            amount: terms.fee,
        }),
        format!("licence {id} under terms {terms_id}: {}", lic.scope),
    )?;
    Ok(TakeLicenseEvent {
        content_hash: *hash,
        license_id: id,
        paid_to: to,
        fee: terms.fee,
        denom: terms.denom,
        royalty_paid: paid,
    })
}

/// `register_ip`: a work was registered, bound to a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterIpEvent {
    /// The work's content hash.
    pub content_hash: [u8; 32],
    /// The token's class.
    pub class: String,
    /// The token (the `token` attribute is `{class}#{token}`).
    pub token: u64,
    /// Height of the registration.
    pub height: u64,
}

impl TypedEvent for RegisterIpEvent {
    const KIND: &'static str = "register_ip";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("content_hash", hex::encode(self.content_hash)),
            ("token", format!("{}#{}", self.class, self.token)),
            ("height", self.height.to_string()),
        ]
    }
}

/// `add_license_terms`: the holder offered licence terms for a work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddLicenseTermsEvent {
    /// The work's content hash.
    pub content_hash: [u8; 32],
    /// The terms' id.
    pub terms_id: u64,
}

impl TypedEvent for AddLicenseTermsEvent {
    const KIND: &'static str = "add_license_terms";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("content_hash", hex::encode(self.content_hash)),
            ("terms_id", self.terms_id.to_string()),
        ]
    }
}

/// `take_license`: a licence was taken and its fee paid (royalties first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakeLicenseEvent {
    /// The work's content hash.
    pub content_hash: [u8; 32],
    /// The licence's id.
    pub license_id: u64,
    /// The holder (or vault) paid.
    pub paid_to: Address,
    /// The fee (the `fee` attribute is `{fee}{denom}`).
    pub fee: u128,
    /// Its denomination.
    pub denom: String,
    /// Royalties paid out of the fee, by recipient (`addr:amount,…`).
    pub royalty_paid: Vec<(Address, u128)>,
}

impl TypedEvent for TakeLicenseEvent {
    const KIND: &'static str = "take_license";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("content_hash", hex::encode(self.content_hash)),
            ("license_id", self.license_id.to_string()),
            ("paid_to", self.paid_to.to_string()),
            ("fee", format!("{}{}", self.fee, self.denom)),
            ("royalty_paid", format_paid(&self.royalty_paid)),
        ]
    }
}
