//! The vote-extension VRF beacon through the ABCI adapter (ADR-006): four nodes, each
//! with its own store and VRF key, drive ExtendVote → VerifyVoteExtension →
//! PrepareProposal → ProcessProposal → FinalizeBlock as CometBFT would.

use std::sync::Arc;

use proofwork_app::testkit::{consensus_key, validator, ChainBuilder};
use proofwork_consensus::beacon::{self, BeaconEntry, BeaconTx, VrfSecret};
use proofwork_genesis::GenesisValidator;
use proofwork_tx::{sign_body, Message, SecretKey, TxBody};
use tendermint_abci::Application as _;
use tendermint_proto::v0_38::abci;
use tendermint_proto::v0_38::types::BlockIdFlag;

use crate::abci::AbciApp;
use proofwork_consensus::{validators, work};

const CHAIN: &str = "pw-beacon";

fn address(i: u8) -> [u8; 20] {
    validators::cometbft_address(&consensus_key(i))
}

fn vrf(i: u8) -> VrfSecret {
    VrfSecret::from_seed(&[i + 100; 32])
}

/// Alice with 1000; four validators (power 10) with VRF keys; vote extensions from height 1.
fn builder() -> ChainBuilder {
    (0..4).fold(
        ChainBuilder::new(CHAIN)
            .params(|p| p.vote_extensions_enable_height = 1)
            .fund(&["alice"], 1000),
        |b, i| {
            b.validator(GenesisValidator {
                vrf_key: Some(hex::encode(vrf(i).public())),
                ..validator(i, 10)
            })
        },
    )
}

struct Net {
    nodes: Vec<AbciApp>,
    height: i64,
    _dirs: Vec<tempfile::TempDir>,
}

fn node(i: u8) -> (AbciApp, tempfile::TempDir) {
    let (mut app, dir) = builder().app();
    app.set_vrf_secret(Arc::new(vrf(i)));
    (AbciApp::new(app, 1 << 20), dir)
}

impl Net {
    fn new() -> Self {
        let (nodes, dirs) = (0..4).map(node).unzip();
        Net {
            nodes,
            height: 0,
            _dirs: dirs,
        }
    }

    /// Each node's extension of the current height, as CometBFT's local_last_commit would
    /// carry it for the voters in `who`.
    fn extensions(&self, who: &[u8]) -> Vec<abci::ExtendedVoteInfo> {
        who.iter()
            .map(|&i| {
                let ext = self.nodes[usize::from(i)]
                    .extend_vote(abci::RequestExtendVote {
                        height: self.height,
                        ..Default::default()
                    })
                    .vote_extension;
                abci::ExtendedVoteInfo {
                    validator: Some(abci::Validator {
                        address: address(i).to_vec().into(),
                        power: 10,
                    }),
                    vote_extension: ext,
                    extension_signature: vec![].into(),
                    block_id_flag: BlockIdFlag::Commit as i32,
                }
            })
            .collect()
    }

    fn prepare(&self, proposer: usize, voters: &[u8], txs: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
        let votes = self.extensions(voters);
        self.nodes[proposer]
            .prepare_proposal(prepare_req(self.height + 1, votes, txs))
            .txs
            .into_iter()
            .map(|t| t.to_vec())
            .collect()
    }

    fn accepted_by(&self, i: usize, txs: &[Vec<u8>]) -> bool {
        let r = self.nodes[i].process_proposal(abci::RequestProcessProposal {
            txs: txs.iter().cloned().map(Into::into).collect(),
            height: self.height + 1,
            ..Default::default()
        });
        r.status == abci::response_process_proposal::ProposalStatus::Accept as i32
    }

    /// Finalizes and commits `txs` on every node; returns the app hashes.
    fn finalize(&mut self, txs: &[Vec<u8>]) -> Vec<Vec<u8>> {
        self.height += 1;
        let mut hashes = Vec::new();
        for n in &self.nodes {
            let r = n.finalize_block(abci::RequestFinalizeBlock {
                txs: txs.iter().cloned().map(Into::into).collect(),
                height: self.height,
                hash: vec![self.height as u8; 32].into(),
                time: Some(tendermint_proto::google::protobuf::Timestamp {
                    seconds: 1_800_000_000 + self.height,
                    nanos: 0,
                }),
                ..Default::default()
            });
            n.commit();
            hashes.push(r.app_hash.to_vec());
        }
        hashes
    }

    fn beacon_on(&self, i: usize, h: u64) -> Option<[u8; 32]> {
        let app = self.nodes[i].app_for_tests();
        work::block_hash(app.storage(), h).unwrap()
    }
}

fn prepare_req(
    height: i64,
    votes: Vec<abci::ExtendedVoteInfo>,
    txs: Vec<Vec<u8>>,
) -> abci::RequestPrepareProposal {
    abci::RequestPrepareProposal {
        max_tx_bytes: 1 << 20,
        txs: txs.into_iter().map(Into::into).collect(),
        local_last_commit: Some(abci::ExtendedCommitInfo { round: 0, votes }),
        height,
        ..Default::default()
    }
}

fn transfer(nonce: u64) -> Vec<u8> {
    let k = SecretKey::from_seed("alice");
    sign_body(
        &k,
        &TxBody {
            chain_id: CHAIN.into(),
            nonce,
            fee: 1,
            messages: vec![Message::Transfer(proofwork_tx::Transfer {
                to: proofwork_tx::Address([7; 20]),
                denom: "upw".into(),
                amount: 1,
            })],
        },
    )
}

/// Advances past height 1 (whose block needs no beacon tx) and returns the net at h = 1.
fn net_at_1() -> Net {
    let mut net = Net::new();
    let txs = net.prepare(0, &[], vec![]);
    assert!(txs.is_empty(), "block 1 carries no beacon tx");
    assert!((0..4).all(|i| net.accepted_by(i, &txs)));
    net.finalize(&txs);
    net
}

#[test]
fn every_node_verifies_every_extension_and_agrees_on_the_beacon() {
    let mut net = net_at_1();
    let votes = net.extensions(&[0, 1, 2, 3]);
    for n in &net.nodes {
        for v in &votes {
            let r = n.verify_vote_extension(abci::RequestVerifyVoteExtension {
                validator_address: v.validator.as_ref().unwrap().address.clone(),
                height: 1,
                vote_extension: v.vote_extension.clone(),
                ..Default::default()
            });
            assert_eq!(
                r.status,
                abci::response_verify_vote_extension::VerifyStatus::Accept as i32
            );
        }
    }
    let txs = net.prepare(1, &[3, 0, 2, 1], vec![transfer(0)]);
    assert_eq!(txs.len(), 2);
    assert!(beacon::is_beacon_tx(&txs[0]));
    assert_eq!(BeaconTx::decode(&txs[0]).unwrap().entries.len(), 4);
    assert!((0..4).all(|i| net.accepted_by(i, &txs)));
    let hashes = net.finalize(&txs);
    assert!(hashes.iter().all(|h| h == &hashes[0]));
    let b: Vec<_> = (0..4).map(|i| net.beacon_on(i, 1).unwrap()).collect();
    assert!(b.iter().all(|x| x == &b[0]));
    // The beacon is the hash of the outputs, whoever proposed and whatever the proofs'
    // nonces: recompute it from fresh extensions.
    let set = beacon::current_voters(net.nodes[0].app_for_tests().storage()).unwrap();
    let exts: Vec<(Vec<u8>, Vec<u8>)> = (0..4u8)
        .map(|i| (address(i).to_vec(), vrf(i).extend(CHAIN, 1)))
        .collect();
    let tx1 = BeaconTx::from_extensions(1, exts.iter().map(|(a, e)| (a.as_slice(), e.as_slice())));
    assert_eq!(beacon::check_against(&set, CHAIN, &tx1).unwrap(), b[0]);
}

#[test]
fn process_proposal_rejects_missing_forged_duplicate_and_minority_beacons() {
    let net = net_at_1();
    let good = net.prepare(0, &[0, 1, 2], vec![]);
    assert!(net.accepted_by(3, &good), "3 of 4 hold > 2/3");

    // Missing: no beacon tx, or one with too little power.
    assert!(!net.accepted_by(0, &[]));
    assert!(!net.accepted_by(0, &[transfer(0)]));
    let minority = net.prepare(0, &[0, 1], vec![]);
    assert!(!net.accepted_by(2, &minority), "2 of 4 is not > 2/3");

    let tx = BeaconTx::decode(&good[0]).unwrap();
    // Forged: one flipped bit in a proof.
    let mut forged = tx.clone();
    forged.entries[0].extension[50] ^= 1;
    assert!(!net.accepted_by(1, &[forged.encode()]));
    // Forged: an extension signed by a validator that is not in the set.
    let mut outsider = tx.clone();
    outsider.entries[0].extension = vrf(9).extend(CHAIN, 1).try_into().unwrap();
    assert!(!net.accepted_by(1, &[outsider.encode()]));
    // Duplicate signer, in canonical-looking bytes.
    let mut dup = tx.clone();
    dup.entries.insert(1, dup.entries[0].clone());
    assert!(!net.accepted_by(1, &[dup.encode()]));
    // Two copies of the same extension under a second voter's address.
    let mut copied = tx.clone();
    copied.entries[1] = BeaconEntry {
        address: copied.entries[1].address,
        extension: copied.entries[0].extension,
    };
    assert!(!net.accepted_by(1, &[copied.encode()]));
    // Extensions of another height.
    let mut stale = tx.clone();
    stale.height = 0;
    assert!(!net.accepted_by(1, &[stale.encode()]));
    // Not first; twice; truncated bytes.
    assert!(!net.accepted_by(1, &[transfer(0), good[0].clone()]));
    assert!(!net.accepted_by(1, &[good[0].clone(), good[0].clone()]));
    assert!(!net.accepted_by(1, &[good[0][..good[0].len() - 1].to_vec()]));
    assert!(!net.accepted_by(1, &[beacon::TX_MAGIC.to_vec()]));
}

#[test]
fn vote_extensions_that_do_not_verify_are_rejected() {
    let net = net_at_1();
    let verify = |addr: [u8; 20], h: i64, ext: Vec<u8>| {
        net.nodes[0]
            .verify_vote_extension(abci::RequestVerifyVoteExtension {
                validator_address: addr.to_vec().into(),
                height: h,
                vote_extension: ext.into(),
                ..Default::default()
            })
            .status
            == abci::response_verify_vote_extension::VerifyStatus::Accept as i32
    };
    assert!(verify(address(1), 1, vrf(1).extend(CHAIN, 1)));
    assert!(
        !verify(address(1), 1, vec![]),
        "empty after the enable height"
    );
    assert!(
        !verify(address(1), 1, vrf(2).extend(CHAIN, 1)),
        "someone else's key"
    );
    assert!(!verify(address(1), 1, vrf(1).extend("other-chain", 1)));
    assert!(!verify([9; 20], 1, vrf(1).extend(CHAIN, 1)), "not a voter");
    assert!(
        !verify(address(1), 1, vec![0; 96]),
        "garbage of the right length"
    );
    assert!(!verify(address(1), 1, vec![1, 2, 3]));
}

#[test]
fn check_tx_refuses_the_beacon_tx() {
    let net = net_at_1();
    let good = net.prepare(0, &[0, 1, 2, 3], vec![]);
    let r = net.nodes[0].check_tx(abci::RequestCheckTx {
        tx: good[0].clone().into(),
        ..Default::default()
    });
    assert_ne!(r.code, 0);
}

#[test]
fn proposals_are_deterministic_across_nodes_and_runs() {
    // Two independent networks, same inputs: same proposals' beacons and app hashes.
    let run = || {
        let mut net = net_at_1();
        let mut out = Vec::new();
        for round in 0..3u64 {
            let txs = net.prepare((round % 4) as usize, &[2, 0, 1], vec![transfer(round)]);
            assert!((0..4).all(|i| net.accepted_by(i, &txs)));
            let hashes = net.finalize(&txs);
            assert!(hashes.iter().all(|h| h == &hashes[0]));
            out.push((hashes[0].clone(), net.beacon_on(0, net.height as u64 - 1)));
        }
        out
    };
    let a = run();
    assert!(a.iter().all(|(_, b)| b.is_some()));
    assert_eq!(a, run());
}
