//! Admission through the ABCI adapter: votes in blocks, validator updates out of
//! FinalizeBlock, bad votes refused with their codes and no state change.

use std::sync::Arc;

use proofwork_app::testkit::{consensus_key, key, validator, ChainBuilder};
use proofwork_genesis::{AppState, GenesisValidator};
use proofwork_tx::{sign_body, Message, SecretKey, TxBody};
use tendermint_abci::Application as _;
use tendermint_proto::v0_38::abci;
use tendermint_proto::v0_38::crypto::public_key::Sum;

use crate::abci::AbciApp;
use crate::app::*;
use proofwork_state::Storage;

const CHAIN: &str = "pw-adm";

fn op(i: u8) -> SecretKey {
    key(&format!("operator{i}"))
}

/// Six funded operators; validators 0–3 (power 10 each) operated by operators 0–3.
fn builder() -> ChainBuilder {
    let names: Vec<String> = (0..6).map(|i| format!("operator{i}")).collect();
    (0..4).fold(ChainBuilder::new(CHAIN).fund(&names, 1000), |b, i| {
        b.validator(GenesisValidator {
            operator: Some(op(i).public_key().address().to_string()),
            ..validator(i, 10)
        })
    })
}

fn genesis() -> AppState {
    builder().app_state()
}

struct Chain {
    abci: AbciApp,
    height: i64,
    nonces: std::collections::BTreeMap<u8, u64>,
    _dir: tempfile::TempDir,
}

impl Chain {
    fn new() -> Self {
        let (app, dir) = builder().app();
        Chain {
            abci: AbciApp::new(app, 1 << 20),
            height: 0,
            nonces: Default::default(),
            _dir: dir,
        }
    }

    fn tx(&mut self, who: u8, m: Message) -> Vec<u8> {
        let n = self.nonces.entry(who).or_default();
        let body = TxBody {
            chain_id: CHAIN.into(),
            nonce: *n,
            fee: 1,
            messages: vec![m],
        };
        *n += 1;
        sign_body(&op(who), &body)
    }

    fn block(&mut self, txs: Vec<Vec<u8>>) -> abci::ResponseFinalizeBlock {
        self.height += 1;
        let r = self.abci.finalize_block(abci::RequestFinalizeBlock {
            txs: txs.into_iter().map(Into::into).collect(),
            height: self.height,
            time: Some(tendermint_proto::google::protobuf::Timestamp {
                seconds: 1_800_000_000 + self.height,
                nanos: 0,
            }),
            ..Default::default()
        });
        self.abci.commit();
        r
    }
}

fn vote(id: u64, approve: bool) -> Message {
    Message::VoteValidator(proofwork_tx::VoteValidator {
        application_id: id,
        approve,
    })
}

#[test]
fn admission_and_removal_reach_cometbft_as_validator_updates() {
    let mut c = Chain::new();
    let new_key = consensus_key(9);
    let apply = c.tx(
        5,
        Message::ApplyValidator(proofwork_tx::ApplyValidator {
            consensus_pubkey: new_key,
            moniker: "v9".into(),
            vrf_pubkey: proofwork_consensus::beacon::VrfSecret::from_seed(&[9; 32]).public(),
        }),
    );
    let r = c.block(vec![apply]);
    assert_eq!(r.tx_results[0].code, 0, "{}", r.tx_results[0].log);
    assert!(r.validator_updates.is_empty());

    // Two approvals (20/40) change nothing; a non-validator's vote and a double vote fail
    // with their codes; the third approval (30/40 > 2/3) admits in the same block.
    let txs = vec![
        c.tx(0, vote(1, true)),
        c.tx(1, vote(1, true)),
        c.tx(4, vote(1, true)),
        c.tx(1, vote(1, false)),
        c.tx(2, vote(1, true)),
    ];
    let r = c.block(txs);
    let codes: Vec<u32> = r.tx_results.iter().map(|t| t.code).collect();
    assert_eq!(codes, [0, 0, 100, 101, 0]);
    assert_eq!(r.validator_updates.len(), 1);
    let u = &r.validator_updates[0];
    assert_eq!(u.power, 10);
    assert_eq!(
        u.pub_key.as_ref().unwrap().sum,
        Some(Sum::Ed25519(new_key.to_vec()))
    );

    // Removal: proposer + two more is 30/50, not enough; a fourth approval removes.
    let txs = vec![
        c.tx(
            0,
            Message::ProposeRemoval(proofwork_tx::ProposeRemoval {
                consensus_pubkey: new_key,
            }),
        ),
        c.tx(1, vote(2, true)),
        c.tx(2, vote(2, true)),
    ];
    let r = c.block(txs);
    assert!(r.tx_results.iter().all(|t| t.code == 0));
    assert!(r.validator_updates.is_empty());
    let v = c.tx(3, vote(2, true));
    let r = c.block(vec![v]);
    assert_eq!(r.validator_updates.len(), 1);
    assert_eq!(r.validator_updates[0].power, 0);

    // Votes on a decided application and removals of unknown keys fail; nothing changes.
    let txs = vec![
        c.tx(0, vote(2, true)),
        c.tx(
            0,
            Message::ProposeRemoval(proofwork_tx::ProposeRemoval {
                consensus_pubkey: new_key,
            }),
        ),
    ];
    let r = c.block(txs);
    let codes: Vec<u32> = r.tx_results.iter().map(|t| t.code).collect();
    assert_eq!(codes, [104, 106]);
    assert!(r.validator_updates.is_empty());
}

#[test]
fn malformed_consensus_key_is_refused_at_decode() {
    let mut c = Chain::new();
    let mut body = TxBody {
        chain_id: CHAIN.into(),
        nonce: 0,
        fee: 1,
        messages: vec![Message::ApplyValidator(proofwork_tx::ApplyValidator {
            consensus_pubkey: consensus_key(9),
            moniker: "v9".into(),
            vrf_pubkey: proofwork_consensus::beacon::VrfSecret::from_seed(&[9; 32]).public(),
        })],
    }
    .to_proto();
    if let Some(proofwork_proto::tx::v1::message::Kind::ApplyValidator(a)) =
        &mut body.messages[0].kind
    {
        a.consensus_pubkey = vec![7; 31];
    }
    let k = op(5);
    let body_bytes = prost::Message::encode_to_vec(&body);
    let tx = prost::Message::encode_to_vec(&proofwork_proto::tx::v1::Tx {
        signature: k
            .sign_digest(&proofwork_tx::signing_digest(&body_bytes))
            .to_vec(),
        body_bytes: body_bytes.into(),
        public_key: k.public_key().to_bytes().to_vec(),
    });
    let check = c.abci.check_tx(abci::RequestCheckTx {
        tx: tx.clone().into(),
        ..Default::default()
    });
    assert_eq!(check.code, 102, "{}", check.log);
    let r = c.block(vec![tx]);
    assert_eq!(r.tx_results[0].code, 102);
    assert!(r.validator_updates.is_empty());
}

#[test]
fn init_chain_answers_with_the_registry() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::new(
        Storage::open(dir.path(), Default::default()).unwrap(),
        Arc::new(SigCache::new(16)),
    )
    .unwrap();
    let abci = AbciApp::new(app, 1 << 20);
    let r = abci.init_chain(abci::RequestInitChain {
        chain_id: CHAIN.into(),
        app_state_bytes: serde_json::to_vec(&genesis()).unwrap().into(),
        initial_height: 1,
        ..Default::default()
    });
    assert_eq!(r.validators.len(), 4);
    assert!(r.validators.iter().all(|v| v.power == 10));
}
