//! The genesis file: chain id, chain parameters, funded accounts and the initial
//! validator set, with validation and the writes that turn it into version 0 of state.
//!
//! The same `app_state` JSON object sits in CometBFT's `genesis.json`, so the embedded
//! engine and a CometBFT network start from byte-identical state.

use std::collections::BTreeSet;

use base64::Engine as _;
use borsh::{BorshDeserialize, BorshSerialize};
use proofwork_consensus::validators::{put_validator, Validator};
use proofwork_state::{accounts, codec};
use proofwork_state::{ExecError, StateError, StateRead, StateWrite};
use proofwork_tx::{check_denom, parse_amount, Address};
use serde::{Deserialize, Serialize};

/// Genesis as written to `genesis.json` in a proofwork home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    /// Chain id every tx must name.
    pub chain_id: String,
    /// Genesis time, RFC 3339 (shared with CometBFT's genesis).
    pub genesis_time: String,
    /// Application state.
    pub app_state: AppState,
}

/// Most total voting power CometBFT accepts (`MaxTotalVotingPower`, `i64::MAX / 8`).
pub const MAX_TOTAL_POWER: u64 = (i64::MAX / 8) as u64;

/// The application part of genesis (CometBFT's `app_state`). Unknown fields are refused: a
/// misspelt field must not silently fall back to a default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppState {
    /// Chain parameters.
    pub params: Params,
    /// Funded accounts.
    pub accounts: Vec<GenesisAccount>,
    /// Initial validators.
    pub validators: Vec<GenesisValidator>,
}

/// Chain parameters fixed at genesis (changeable later only by a protocol upgrade). JSON in
/// genesis.json; stored in state as borsh (`chain/params`, field by field in this order:
/// docs/state.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, BorshSerialize, BorshDeserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Native denomination, used for fees.
    pub native_denom: String,
    /// Minimum fee per tx, decimal.
    pub min_fee: String,
    /// Largest tx in bytes.
    pub max_tx_bytes: u64,
    /// Most messages per tx.
    pub max_messages: u64,
    /// Cap on the total basis points of any royalty policy.
    #[serde(default = "default_royalty_cap_bps")]
    pub royalty_cap_bps: u32,
    /// First height whose votes carry VRF vote extensions, the work beacon's source from
    /// then on (docs/adr-006-vrf-beacon.md); 0 keeps the block-hash beacon. Must equal
    /// CometBFT's `consensus_params.abci.vote_extensions_enable_height`. Left out of the
    /// JSON when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub vote_extensions_enable_height: u64,
    /// Useful-work parameters set at genesis (docs/work.md); absent: every default applies
    /// and no `work/params` record is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work: Option<WorkGenesisParams>,
}

/// The useful-work parameters a genesis file may set (`params.work`); the rest of
/// `WorkParams` keeps its defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, BorshSerialize, BorshDeserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkGenesisParams {
    /// Blocks from a worker's `UnbondWorker` to the earliest release of its bond.
    #[serde(default = "default_unbonding_blocks")]
    pub unbonding_blocks: u64,
}

fn default_unbonding_blocks() -> u64 {
    proofwork_consensus::work::DEFAULT_UNBONDING_BLOCKS
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

fn default_royalty_cap_bps() -> u32 {
    proofwork_state::assets::ROYALTY_CAP_BPS
}

impl Default for Params {
    fn default() -> Self {
        Params {
            native_denom: "upw".into(),
            min_fee: "1".into(),
            max_tx_bytes: 1 << 20,
            max_messages: 64,
            royalty_cap_bps: default_royalty_cap_bps(),
            vote_extensions_enable_height: 0,
            work: None,
        }
    }
}

/// One funded account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisAccount {
    /// bech32 address.
    pub address: String,
    /// Initial balances.
    pub balances: Vec<GenesisCoin>,
}

/// An amount of a denomination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisCoin {
    /// Denomination.
    pub denom: String,
    /// Decimal u128.
    pub amount: String,
}

/// One initial validator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisValidator {
    /// ed25519 consensus key, base64 (as in CometBFT's files).
    pub pub_key: String,
    /// Voting power.
    pub power: u64,
    /// Name.
    pub moniker: String,
    /// bech32 address of the operator account, which votes on admissions and removals for
    /// this validator. Optional so that older genesis files still parse; a validator
    /// without one validates blocks but cannot vote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// sr25519 VRF public key, hex (32 bytes): signs the validator's vote extensions for
    /// the work beacon. Required when `params.vote_extensions_enable_height > 0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vrf_key: Option<String>,
}

/// Why a genesis file is refused.
#[derive(Debug, thiserror::Error)]
pub enum GenesisError {
    /// Not valid JSON for the schema.
    #[error("genesis does not parse: {0}")]
    Parse(#[from] serde_json::Error),
    /// A field is invalid.
    #[error("invalid genesis: {0}")]
    Invalid(String),
    /// Writing genesis state failed.
    #[error("genesis state: {0}")]
    State(#[from] StateError),
}

/// `chain/params` → borsh [`Params`].
pub const PARAMS_KEY: &[u8] = b"chain/params";
/// `chain/id` → borsh `String`: the chain id.
pub const CHAIN_ID_KEY: &[u8] = b"chain/id";

impl Genesis {
    /// Parses and validates genesis JSON.
    ///
    /// # Errors
    /// [`GenesisError`] naming the offending field.
    pub fn from_json(bytes: &[u8]) -> Result<Self, GenesisError> {
        let g: Genesis = serde_json::from_slice(bytes)?;
        g.validate()?;
        Ok(g)
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("genesis always serializes")
    }

    /// Checks every field.
    ///
    /// # Errors
    /// [`GenesisError::Invalid`].
    pub fn validate(&self) -> Result<(), GenesisError> {
        if self.chain_id.is_empty() || self.chain_id.len() > 50 {
            return Err(GenesisError::Invalid(
                "chain_id must be 1 to 50 characters".into(),
            ));
        }
        self.app_state.validate()
    }
}

impl AppState {
    /// Checks every field.
    ///
    /// # Errors
    /// [`GenesisError::Invalid`].
    pub fn validate(&self) -> Result<(), GenesisError> {
        let inv = |m: String| GenesisError::Invalid(m);
        let p = &self.params;
        check_denom(&p.native_denom).map_err(|e| inv(format!("params.native_denom: {e}")))?;
        if p.native_denom == accounts::CREDIT_DENOM {
            return Err(inv(format!(
                "params.native_denom: {} is the compute-credit denomination",
                accounts::CREDIT_DENOM
            )));
        }
        parse_amount(&p.min_fee).map_err(|e| inv(format!("params.min_fee: {e}")))?;
        if p.max_tx_bytes < 256 || p.max_tx_bytes > 64 << 20 {
            return Err(inv("params.max_tx_bytes must be 256 B to 64 MiB".into()));
        }
        if p.royalty_cap_bps > 10_000 {
            return Err(inv("params.royalty_cap_bps must be at most 10000".into()));
        }
        if p.max_messages == 0 || p.max_messages > 1024 {
            return Err(inv("params.max_messages must be 1 to 1024".into()));
        }
        let mut seen = BTreeSet::new();
        let mut native_supply = 0u128;
        for (i, a) in self.accounts.iter().enumerate() {
            let addr: Address = a
                .address
                .parse()
                .map_err(|e| inv(format!("accounts[{i}].address: {e}")))?;
            if !seen.insert(addr) {
                return Err(inv(format!("accounts[{i}]: duplicate address {addr}")));
            }
            let mut denoms = BTreeSet::new();
            for c in &a.balances {
                check_denom(&c.denom).map_err(|e| inv(format!("accounts[{i}]: {e}")))?;
                // Credits exist only as the record of verified work (and voting power and
                // credit-paid jobs rest on that): a chain cannot start with any.
                if c.denom == accounts::CREDIT_DENOM {
                    return Err(inv(format!(
                        "accounts[{i}]: {} balances cannot be set in genesis (they are minted only for verified work)",
                        accounts::CREDIT_DENOM
                    )));
                }
                let amount =
                    parse_amount(&c.amount).map_err(|e| inv(format!("accounts[{i}]: {e}")))?;
                if c.denom == p.native_denom {
                    native_supply = native_supply.checked_add(amount).ok_or_else(|| {
                        inv(format!("accounts: total {} overflows", p.native_denom))
                    })?;
                }
                if !denoms.insert(&c.denom) {
                    return Err(inv(format!("accounts[{i}]: duplicate denom {}", c.denom)));
                }
            }
        }
        // With no native supply the native denomination would be free for anyone to create
        // as an asset class (with the power to mint it), and no fee could be paid.
        if native_supply == 0 {
            return Err(inv(format!(
                "accounts: no {} balance: the native denomination needs a supply",
                p.native_denom
            )));
        }
        let mut keys = BTreeSet::new();
        let mut operators = BTreeSet::new();
        let mut total_power = 0u64;
        for (i, v) in self.validators.iter().enumerate() {
            if let Some(op) = &v.operator {
                let a: Address = op
                    .parse()
                    .map_err(|e| inv(format!("validators[{i}].operator: {e}")))?;
                if !operators.insert(a) {
                    return Err(inv(format!("validators[{i}]: duplicate operator {a}")));
                }
            }
            let pk =
                decode_pub_key(&v.pub_key).map_err(|e| inv(format!("validators[{i}]: {e}")))?;
            if !keys.insert(pk) {
                return Err(inv(format!("validators[{i}]: duplicate key")));
            }
            if v.power == 0 {
                return Err(inv(format!("validators[{i}]: power must be positive")));
            }
            total_power = total_power
                .checked_add(v.power)
                .filter(|&t| t <= MAX_TOTAL_POWER)
                .ok_or_else(|| {
                    inv(format!(
                        "validators: total power above CometBFT's maximum {MAX_TOTAL_POWER}"
                    ))
                })?;
            match &v.vrf_key {
                Some(k) => {
                    decode_vrf_key(k).map_err(|e| inv(format!("validators[{i}].vrf_key: {e}")))?;
                }
                None if p.vote_extensions_enable_height > 0 => {
                    return Err(inv(format!(
                        "validators[{i}]: vrf_key is required with vote extensions enabled"
                    )));
                }
                None => {}
            }
        }
        if self.validators.is_empty() {
            return Err(inv("at least one validator is required".into()));
        }
        Ok(())
    }

    /// Writes genesis state: params, balances (minted, so supply accounting starts
    /// balanced) and validators.
    ///
    /// # Errors
    /// [`GenesisError`] if a value is invalid or overflows.
    pub fn apply<S: StateWrite>(&self, chain_id: &str, s: &mut S) -> Result<(), GenesisError> {
        self.validate()?;
        codec::put(s, CHAIN_ID_KEY.to_vec(), chain_id);
        proofwork_state::assets::set_royalty_cap(s, self.params.royalty_cap_bps);
        codec::put(s, PARAMS_KEY.to_vec(), &self.params);
        for a in &self.accounts {
            let addr: Address = a
                .address
                .parse()
                .map_err(|e| GenesisError::Invalid(format!("{e}")))?;
            for c in &a.balances {
                let amount =
                    parse_amount(&c.amount).map_err(|e| GenesisError::Invalid(e.to_string()))?;
                if amount == 0 {
                    continue;
                }
                accounts::mint(s, &addr, &c.denom, amount).map_err(|e| match e {
                    ExecError::Tx(e) => GenesisError::Invalid(e.to_string()),
                    ExecError::State(e) => GenesisError::State(e),
                })?;
            }
        }
        // The same 1/3 cap that admission and work epochs apply holds from genesis on.
        let powers: Vec<u64> = self.validators.iter().map(|v| v.power).collect();
        let capped = proofwork_consensus::validators::cap_powers(&powers);
        for (v, power) in self.validators.iter().zip(capped) {
            let pub_key = decode_pub_key(&v.pub_key).map_err(GenesisError::Invalid)?;
            put_validator(
                s,
                &Validator {
                    pub_key,
                    power,
                    moniker: v.moniker.clone(),
                },
            );
            if let Some(op) = &v.operator {
                let op: Address = op
                    .parse()
                    .map_err(|e| GenesisError::Invalid(format!("{e}")))?;
                proofwork_consensus::admission::bind_operator(s, &pub_key, &op);
            }
            if let Some(k) = &v.vrf_key {
                let k = decode_vrf_key(k).map_err(GenesisError::Invalid)?;
                proofwork_consensus::beacon::put_vrf_key(s, &pub_key, &k);
            }
        }
        proofwork_consensus::beacon::init_genesis(s, self.params.vote_extensions_enable_height)?;
        if let Some(w) = &self.params.work {
            proofwork_consensus::work::put_params(
                s,
                &proofwork_consensus::work::WorkParams {
                    unbonding_blocks: w.unbonding_blocks,
                    ..Default::default()
                },
            );
        }
        Ok(())
    }
}

/// Reads the chain parameters from state.
///
/// # Errors
/// Storage failures or a corrupt record.
pub fn params<S: StateRead>(s: &S) -> Result<Params, StateError> {
    codec::get(s, PARAMS_KEY)?.ok_or_else(|| StateError::Corrupt {
        key: "chain/params".into(),
        reason: "missing".into(),
    })
}

/// Reads the chain id from state.
///
/// # Errors
/// Storage failures.
pub fn chain_id<S: StateRead>(s: &S) -> Result<Option<String>, StateError> {
    codec::get(s, CHAIN_ID_KEY)
}

/// Decodes a base64 ed25519 public key.
///
/// # Errors
/// A message when the text is not base64 of 32 bytes.
pub fn decode_pub_key(b64: &str) -> Result<[u8; 32], String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| format!("pub_key is not base64: {e}"))?;
    bytes
        .try_into()
        .map_err(|v: Vec<u8>| format!("pub_key must be 32 bytes, got {}", v.len()))
}

/// Decodes a hex sr25519 VRF public key and checks it is a valid point.
///
/// # Errors
/// A message when the text is not hex of a valid key.
pub fn decode_vrf_key(hex_key: &str) -> Result<[u8; 32], String> {
    let bytes = hex::decode(hex_key).map_err(|e| format!("vrf_key is not hex: {e}"))?;
    proofwork_consensus::beacon::check_vrf_key(&bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn sample() -> Genesis {
        Genesis {
            chain_id: "pw-test".into(),
            genesis_time: "2026-01-01T00:00:00Z".into(),
            app_state: AppState {
                params: Params::default(),
                accounts: vec![GenesisAccount {
                    address: Address([1; 20]).to_string(),
                    balances: vec![GenesisCoin {
                        denom: "upw".into(),
                        amount: "1000".into(),
                    }],
                }],
                validators: vec![GenesisValidator {
                    pub_key: base64::engine::general_purpose::STANDARD.encode([7u8; 32]),
                    power: 10,
                    moniker: "v0".into(),
                    operator: None,
                    vrf_key: None,
                }],
            },
        }
    }

    #[test]
    fn genesis_round_trips_and_applies() {
        let g = sample();
        let g2 = Genesis::from_json(g.to_json().as_bytes()).unwrap();
        assert_eq!(g, g2);
        let base = BTreeMap::new();
        let mut d = proofwork_state::StateDelta::new(&base);
        g.app_state.apply(&g.chain_id, &mut d).unwrap();
        assert_eq!(
            accounts::balance(&d, &Address([1; 20]), "upw").unwrap(),
            1000
        );
        assert_eq!(params(&d).unwrap(), Params::default());
        assert_eq!(
            proofwork_consensus::validators::validators(&d)
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn vote_extensions_need_a_valid_vrf_key_per_validator() {
        let mut g = sample();
        g.app_state.params.vote_extensions_enable_height = 1;
        assert!(g.validate().is_err(), "missing vrf_key");
        g.app_state.validators[0].vrf_key = Some(hex::encode([0xffu8; 32]));
        assert!(g.validate().is_err(), "not a point");
        let k = proofwork_consensus::beacon::VrfSecret::from_seed(&[1; 32]);
        g.app_state.validators[0].vrf_key = Some(hex::encode(k.public()));
        let g2 = Genesis::from_json(g.to_json().as_bytes()).unwrap();
        let base = BTreeMap::new();
        let mut d = proofwork_state::StateDelta::new(&base);
        g2.app_state.apply(&g2.chain_id, &mut d).unwrap();
        use proofwork_consensus::beacon;
        assert_eq!(beacon::enable_height(&d).unwrap(), Some(1));
        assert_eq!(
            beacon::voters(&d, 2).unwrap().unwrap()[0].vrf_key,
            Some(k.public())
        );
    }

    #[test]
    fn genesis_powers_are_capped_below_a_third() {
        let mut g = sample();
        let b64 = base64::engine::general_purpose::STANDARD;
        g.app_state.validators = [100u64, 1, 1, 1]
            .iter()
            .enumerate()
            .map(|(i, p)| GenesisValidator {
                pub_key: b64.encode([i as u8 + 10; 32]),
                power: *p,
                operator: None,
                moniker: format!("v{i}"),
                vrf_key: None,
            })
            .collect();
        let base = BTreeMap::new();
        let mut d = proofwork_state::StateDelta::new(&base);
        g.app_state.apply(&g.chain_id, &mut d).unwrap();
        let vals = proofwork_consensus::validators::validators(&d).unwrap();
        let total: u64 = vals.iter().map(|v| v.power).sum();
        assert!(vals.iter().all(|v| 3 * v.power < total), "{vals:?}");
    }

    #[test]
    fn work_unbonding_blocks_is_optional_and_absent_writes_nothing() {
        use proofwork_consensus::work::{self, DEFAULT_UNBONDING_BLOCKS};
        use proofwork_state::StateRead;
        let g = sample();
        // Absent: the genesis JSON and state are as before (no `work` key, no params record).
        assert!(!g.to_json().contains("\"work\""));
        let base = BTreeMap::new();
        let mut d = proofwork_state::StateDelta::new(&base);
        g.app_state.apply(&g.chain_id, &mut d).unwrap();
        assert!(d.get_raw(work::state_key::PARAMS).unwrap().is_none());
        assert_eq!(
            work::params(&d).unwrap().unbonding_blocks,
            DEFAULT_UNBONDING_BLOCKS
        );
        // Given: written with the other work parameters at their defaults.
        let mut v: serde_json::Value = serde_json::from_str(&g.to_json()).unwrap();
        v["app_state"]["params"]["work"] = serde_json::json!({ "unbonding_blocks": 7 });
        let g7 = Genesis::from_json(v.to_string().as_bytes()).unwrap();
        let mut d = proofwork_state::StateDelta::new(&base);
        g7.app_state.apply(&g7.chain_id, &mut d).unwrap();
        let p = work::params(&d).unwrap();
        assert_eq!(p.unbonding_blocks, 7);
        assert_eq!(p.sample_rows, work::WorkParams::default().sample_rows);
        // `"work": {}` takes the default; unknown work fields are refused.
        v["app_state"]["params"]["work"] = serde_json::json!({});
        let g0 = Genesis::from_json(v.to_string().as_bytes()).unwrap();
        assert_eq!(
            g0.app_state.params.work.unwrap().unbonding_blocks,
            DEFAULT_UNBONDING_BLOCKS
        );
        v["app_state"]["params"]["work"] = serde_json::json!({ "unbonding": 1 });
        assert!(Genesis::from_json(v.to_string().as_bytes()).is_err());
    }

    #[test]
    fn royalty_cap_is_a_chain_parameter() {
        let mut g = sample();
        g.app_state.params.royalty_cap_bps = 500;
        let base = BTreeMap::new();
        let mut d = proofwork_state::StateDelta::new(&base);
        g.app_state.apply(&g.chain_id, &mut d).unwrap();
        assert_eq!(proofwork_state::assets::royalty_cap(&d).unwrap(), 500);
        let share = |bps| proofwork_tx::assets::ShareSpec {
            recipient: Address([3; 20]),
            bps,
        };
        assert!(proofwork_state::assets::policy_from(&d, &[share(500)]).is_ok());
        assert!(proofwork_state::assets::policy_from(&d, &[share(501)]).is_err());
        g.app_state.params.royalty_cap_bps = 10_001;
        assert!(g
            .validate()
            .unwrap_err()
            .to_string()
            .contains("royalty_cap_bps"));
        // Genesis files written before the parameter existed still parse, with the default.
        let mut v: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        v["app_state"]["params"]
            .as_object_mut()
            .unwrap()
            .remove("royalty_cap_bps");
        let old = Genesis::from_json(v.to_string().as_bytes()).unwrap();
        assert_eq!(
            old.app_state.params.royalty_cap_bps,
            proofwork_state::assets::ROYALTY_CAP_BPS
        );
    }

    #[test]
    fn invalid_genesis_is_refused_with_the_field_named() {
        let mut g = sample();
        g.app_state.accounts.push(g.app_state.accounts[0].clone());
        assert!(g
            .validate()
            .unwrap_err()
            .to_string()
            .contains("duplicate address"));
        let mut g = sample();
        g.app_state.validators[0].pub_key = "AAAA".into();
        assert!(g.validate().unwrap_err().to_string().contains("32 bytes"));
        let mut g = sample();
        g.app_state.params.min_fee = "01".into();
        assert!(g.validate().unwrap_err().to_string().contains("min_fee"));
        assert!(Genesis::from_json(b"{").is_err());
        let mut g = sample();
        g.app_state.validators[0].operator = Some("pw1nope".into());
        assert!(g.validate().unwrap_err().to_string().contains("operator"));
        // No chain starts with compute credits, nor uses them as its own denomination.
        let mut g = sample();
        let mut credit = g.app_state.accounts[0].balances[0].clone();
        credit.denom = accounts::CREDIT_DENOM.into();
        g.app_state.accounts[0].balances.push(credit);
        let err = g.validate().unwrap_err().to_string();
        assert!(err.contains("accounts[0]") && err.contains("minted only for verified work"));
        let mut g = sample();
        g.app_state.params.native_denom = accounts::CREDIT_DENOM.into();
        assert!(g
            .validate()
            .unwrap_err()
            .to_string()
            .contains("params.native_denom"));
        // No native supply: anyone could create the native denomination as an asset.
        let mut g = sample();
        g.app_state.accounts[0].balances[0].denom = "other".into();
        assert!(g
            .validate()
            .unwrap_err()
            .to_string()
            .contains("native denomination needs a supply"));
        // More total power than CometBFT accepts.
        let mut g = sample();
        let mut v = g.app_state.validators[0].clone();
        v.pub_key = base64::engine::general_purpose::STANDARD.encode([8u8; 32]);
        g.app_state.validators[0].power = MAX_TOTAL_POWER;
        v.power = 1;
        g.app_state.validators.push(v);
        assert!(g
            .validate()
            .unwrap_err()
            .to_string()
            .contains("total power above"));
        // A misspelt field is an error, not a silent default.
        let mut json = serde_json::to_value(sample()).unwrap();
        json["app_state"]["accounts"][0]["balance"] = serde_json::json!([]);
        let bytes = serde_json::to_vec(&json).unwrap();
        assert!(Genesis::from_json(&bytes).is_err());
    }

    #[test]
    fn operator_is_optional_and_binds_when_given() {
        // A genesis written before operators existed still parses.
        let json = sample().to_json();
        assert!(!json.contains("operator"));
        let mut g = sample();
        g.app_state.validators[0].operator = Some(Address([4; 20]).to_string());
        let g = Genesis::from_json(g.to_json().as_bytes()).unwrap();
        let base = BTreeMap::new();
        let mut d = proofwork_state::StateDelta::new(&base);
        g.app_state.apply(&g.chain_id, &mut d).unwrap();
        let v = proofwork_consensus::admission::validator_of(&d, &Address([4; 20]))
            .unwrap()
            .unwrap();
        assert_eq!(v.pub_key, [7; 32]);
    }
}
