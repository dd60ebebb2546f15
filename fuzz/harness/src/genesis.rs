//! Target `genesis`: genesis JSON parsing, validation, and the writes of version 0.
//!
//! Invariants: an accepted genesis survives `to_json` → `from_json` unchanged, and when its
//! writes apply they leave supply accounting balanced (what `App::init_chain` checks).

use std::collections::BTreeMap;

use proofwork_genesis::{AppState, Genesis, GenesisAccount, GenesisCoin, GenesisValidator, Params};
use proofwork_state::{accounts, StateDelta};

use crate::fixture::{self, CHAIN, DENOM};

/// Runs one input.
pub fn run(data: &[u8]) {
    let Ok(g) = Genesis::from_json(data) else {
        return;
    };
    let again = Genesis::from_json(g.to_json().as_bytes()).expect("a valid genesis re-parses");
    assert_eq!(again, g, "genesis changed through to_json");
    let mut delta = StateDelta::new(BTreeMap::<Vec<u8>, Vec<u8>>::new());
    if g.app_state.apply(&g.chain_id, &mut delta).is_err() {
        return;
    }
    let full: BTreeMap<Vec<u8>, Vec<u8>> = delta
        .writes()
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k.clone(), v.clone())))
        .collect();
    accounts::check_supply_full(&full).expect("genesis writes keep supply balanced");
}

/// A small valid genesis (also the app target's chain).
pub fn sample() -> Genesis {
    Genesis {
        chain_id: CHAIN.into(),
        genesis_time: "2026-01-01T00:00:00Z".into(),
        app_state: AppState {
            accounts: (0..fixture::SIGNERS)
                .map(|i| GenesisAccount {
                    address: fixture::addr(i).to_string(),
                    balances: vec![GenesisCoin {
                        denom: DENOM.into(),
                        amount: "1000000000000".into(),
                    }],
                })
                .collect(),
            validators: vec![GenesisValidator {
                pub_key: "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=".into(),
                power: 1,
                moniker: "v".into(),
                operator: Some(fixture::addr(0).to_string()),
                vrf_key: None,
            }],
            params: Params::default(),
        },
    }
}

/// Seed inputs: the sample genesis, compact and pretty.
pub fn seeds() -> Vec<Vec<u8>> {
    let g = sample();
    vec![
        g.to_json().into_bytes(),
        serde_json::to_vec(&g).expect("json"),
    ]
}
