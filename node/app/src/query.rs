//! Path-based queries, shared by ABCI `Query` and the gRPC service.
//!
//! | path | data | value |
//! |---|---|---|
//! | `/key` | raw state key | raw value (use `prove` for a Merkle proof) |
//! | `/balance/{address}/{denom}` | — | decimal amount |
//! | `/account/{address}` | — | JSON `{address, nonce, balances}` |
//! | `/block/{height}` | — | encoded `proofwork.block.v1.BlockRecord` |
//!
//! `height = 0` means the latest committed height. Historical heights are answered from
//! the versioned tree, so a value comes with a proof against that height's app hash.

use proofwork_state::accounts::{self, state_key};
use proofwork_state::{StateError, StateProof, StateRead, Storage};
use proofwork_tx::Address;

/// Query result codes (ABCI `ResponseQuery.code`).
pub mod code {
    /// Success.
    pub const OK: u32 = 0;
    /// Unknown path.
    pub const UNKNOWN_PATH: u32 = 1;
    /// A malformed argument.
    pub const BAD_REQUEST: u32 = 2;
    /// Nothing there.
    pub const NOT_FOUND: u32 = 3;
    /// Height not committed yet.
    pub const UNKNOWN_HEIGHT: u32 = 4;
    /// Height pruned.
    pub const PRUNED: u32 = 5;
    /// Storage failure.
    pub const INTERNAL: u32 = 6;
}

/// A query answer.
#[derive(Debug, Clone, Default)]
pub struct QueryAnswer {
    /// See [`code`].
    pub code: u32,
    /// Error message, empty on success.
    pub log: String,
    /// The state key read, when a single key was read.
    pub key: Vec<u8>,
    /// The value.
    pub value: Vec<u8>,
    /// The height answered at.
    pub height: u64,
    /// Present when a proof was asked for and the answer is a single key.
    pub proof: Option<StateProof>,
}

fn fail(code: u32, log: impl Into<String>) -> QueryAnswer {
    QueryAnswer {
        code,
        log: log.into(),
        ..Default::default()
    }
}

fn from_state_error(e: StateError) -> QueryAnswer {
    match e {
        StateError::UnknownHeight { .. } => fail(code::UNKNOWN_HEIGHT, e.to_string()),
        StateError::Pruned { .. } => fail(code::PRUNED, e.to_string()),
        e => fail(code::INTERNAL, e.to_string()),
    }
}

/// Answers a query.
pub fn query(storage: &Storage, path: &str, data: &[u8], height: u64, prove: bool) -> QueryAnswer {
    let Some(latest) = storage.latest() else {
        return fail(code::UNKNOWN_HEIGHT, "chain not initialised");
    };
    let height = if height == 0 { latest.height } else { height };
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let res = match parts.as_slice() {
        ["key"] => read_key(storage, data.to_vec(), height, prove),
        ["balance", addr, denom] => match addr.parse::<Address>() {
            Err(e) => Ok(fail(code::BAD_REQUEST, e.to_string())),
            Ok(a) => {
                let key = state_key::balance(&a, denom);
                read_key(storage, key.clone(), height, prove).map(|mut ans| {
                    let amount: u128 =
                        proofwork_state::codec::decode(&key, &ans.value).unwrap_or(0);
                    ans.value = amount.to_string().into_bytes();
                    ans
                })
            }
        },
        ["account", addr] => match addr.parse::<Address>() {
            Err(e) => Ok(fail(code::BAD_REQUEST, e.to_string())),
            Ok(a) if height == latest.height => account_json(storage, &a, height),
            Ok(_) => Ok(fail(
                code::BAD_REQUEST,
                "account listing is served at the latest height only; use /balance with a height",
            )),
        },
        ["block", h] => match h.parse::<u64>() {
            Err(_) => Ok(fail(code::BAD_REQUEST, "height must be a decimal integer")),
            Ok(h) => match storage.get_aux(&super::block_key(h)) {
                Ok(Some(v)) => Ok(QueryAnswer {
                    value: v,
                    height: h,
                    ..Default::default()
                }),
                Ok(None) => Ok(fail(
                    code::NOT_FOUND,
                    format!("no block {h} in the block log"),
                )),
                Err(e) => Err(e),
            },
        },
        _ => Ok(fail(
            code::UNKNOWN_PATH,
            format!("unknown query path {path:?}"),
        )),
    };
    res.unwrap_or_else(from_state_error)
}

fn read_key(
    storage: &Storage,
    key: Vec<u8>,
    height: u64,
    prove: bool,
) -> Result<QueryAnswer, StateError> {
    if prove {
        let p = storage.get_with_proof(&key, height)?;
        return Ok(QueryAnswer {
            code: code::OK,
            log: String::new(),
            key,
            value: p.value.clone().unwrap_or_default(),
            height,
            proof: Some(p),
        });
    }
    let value = if Some(height) == storage.latest().map(|l| l.height) {
        storage.get_raw(&key)?
    } else {
        storage.get_at(&key, height)?
    };
    Ok(QueryAnswer {
        key,
        value: value.unwrap_or_default(),
        height,
        ..Default::default()
    })
}

fn account_json(storage: &Storage, a: &Address, height: u64) -> Result<QueryAnswer, StateError> {
    let nonce = accounts::nonce(storage, a)?;
    let balances: Vec<serde_json::Value> = accounts::balances(storage, a)?
        .into_iter()
        .map(|(d, v)| serde_json::json!({"denom": d, "amount": v.to_string()}))
        .collect();
    let v = serde_json::json!({"address": a.to_string(), "nonce": nonce, "balances": balances});
    Ok(QueryAnswer {
        value: v.to_string().into_bytes(),
        height,
        ..Default::default()
    })
}
