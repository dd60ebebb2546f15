//! FinalizeBlock throughput: a mixed asset workload (mint, list, buy, fractionalize, share
//! listing, share purchase) against plain transfers, same block size, same run.
//!
//! `cargo bench -p proofwork-node --bench assets`; the ratio of the two `elem/s` figures is
//! what docs/bench-assets.md reports.
#![allow(missing_docs, clippy::disallowed_methods)] // a bench measures wall-clock time

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use proofwork_node::app::testkit::{ChainBuilder, DENOM};
use proofwork_node::app::{App, BlockInput};
use proofwork_tx::assets::ShareSpec;
use proofwork_tx::{sign_body, Address, Item, Message, SecretKey, TxBody};

const CHAIN: &str = "pw-bench";
/// Seller/buyer pairs; each pair contributes 6 txs to a mixed block.
const PAIRS: usize = 100;
const TXS_PER_BLOCK: usize = PAIRS * 6;

struct Bench {
    app: App,
    _dir: tempfile::TempDir,
    keys: Vec<SecretKey>,
    addrs: Vec<Address>,
    nonces: Vec<u64>,
    height: u64,
    next_token: Vec<u64>,
    next_listing: u64,
    next_vault: u64,
}

impl Bench {
    fn new() -> Self {
        let keys: Vec<SecretKey> = (0..2 * PAIRS)
            .map(|i| SecretKey::from_seed(&format!("bench-{i}")))
            .collect();
        let addrs: Vec<Address> = keys.iter().map(|k| k.public_key().address()).collect();
        let (app, dir) = addrs
            .iter()
            .fold(ChainBuilder::new(CHAIN).sig_cache(1 << 16), |b, a| {
                b.fund_address(*a, &[(DENOM, 1_000_000_000_000)])
            })
            .app();
        let mut b = Bench {
            app,
            _dir: dir,
            nonces: vec![0; keys.len()],
            keys,
            addrs,
            height: 0,
            next_token: vec![0; PAIRS],
            next_listing: 0,
            next_vault: 0,
        };
        // Each seller gets its own unique class (untimed setup).
        let setup: Vec<Vec<u8>> = (0..PAIRS)
            .map(|i| {
                b.sign(
                    i,
                    Message::CreateAssetClass(proofwork_tx::CreateAssetClass {
                        id: format!("c{i}"),
                        unique: true,
                        powers: 1,
                        sales_only: false,
                        royalty: vec![],
                        metadata: String::new(),
                        initial_supply: 0,
                    }),
                )
            })
            .collect();
        b.block(setup);
        b
    }

    fn sign(&mut self, who: usize, m: Message) -> Vec<u8> {
        self.sign_msg(who, m)
    }

    fn sign_msg(&mut self, who: usize, m: Message) -> Vec<u8> {
        let body = TxBody {
            chain_id: CHAIN.into(),
            nonce: self.nonces[who],
            fee: 1,
            messages: vec![m],
        };
        self.nonces[who] += 1;
        sign_body(&self.keys[who], &body)
    }

    fn block(&mut self, txs: Vec<Vec<u8>>) {
        self.height += 1;
        let input = BlockInput {
            height: self.height,
            time_ns: self.height * 1_000_000_000,
            proposer: vec![0; 20],
            hash: vec![1; 32],
            txs,
        };
        let out = self.app.finalize_block(input).unwrap();
        if let Some(bad) = out.tx_results.iter().find(|r| r.result.is_err()) {
            panic!("bench tx failed: {:?}", bad.result);
        }
        self.app.commit().unwrap();
    }

    fn mixed_block(&mut self) -> Vec<Vec<u8>> {
        let mut txs = Vec::with_capacity(TXS_PER_BLOCK);
        for p in 0..PAIRS {
            let (s, b) = (p, PAIRS + p);
            self.next_token[p] += 1;
            let token = self.next_token[p];
            let class = format!("c{p}");
            let (seller, buyer) = (self.addrs[s], self.addrs[b]);
            txs.push(self.sign(
                s,
                Message::MintUnique(proofwork_tx::MintUnique {
                    class: class.clone(),
                    to: seller,
                    metadata: "bench".into(),
                    content_hash: [p as u8; 32],
                    royalty: vec![ShareSpec {
                        recipient: seller,
                        bps: 250,
                    }],
                }),
            ));
            txs.push(self.sign(
                s,
                Message::CreateListing(proofwork_tx::CreateListing {
                    item: Item::Unique {
                        class: class.clone(),
                        token,
                    },
                    price: 1_000,
                    denom: "upw".into(),
                }),
            ));
            self.next_listing += 1;
            txs.push(self.sign(
                b,
                Message::BuyListing(proofwork_tx::BuyListing {
                    id: self.next_listing,
                }),
            ));
            txs.push(self.sign(
                b,
                Message::Fractionalize(proofwork_tx::Fractionalize {
                    class,
                    token,
                    shares: 100,
                    reserve: 100_000,
                    denom: "upw".into(),
                }),
            ));
            self.next_vault += 1;
            txs.push(self.sign(
                b,
                Message::CreateListing(proofwork_tx::CreateListing {
                    item: Item::Fungible {
                        denom: format!("frac/{}", self.next_vault),
                        amount: 10,
                    },
                    price: 500,
                    denom: "upw".into(),
                }),
            ));
            self.next_listing += 1;
            txs.push(self.sign(
                s,
                Message::BuyListing(proofwork_tx::BuyListing {
                    id: self.next_listing,
                }),
            ));
            let _ = buyer;
        }
        txs
    }

    fn transfer_block(&mut self) -> Vec<Vec<u8>> {
        (0..TXS_PER_BLOCK)
            .map(|i| {
                let from = i % (2 * PAIRS);
                let to = self.addrs[(from + 1) % (2 * PAIRS)];
                self.sign_msg(
                    from,
                    Message::Transfer(proofwork_tx::Transfer {
                        to,
                        denom: "upw".into(),
                        amount: 7,
                    }),
                )
            })
            .collect()
    }
}

fn finalize_block(c: &mut Criterion) {
    let mut g = c.benchmark_group("finalize_block");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements(TXS_PER_BLOCK as u64));
    for (name, mixed) in [("transfers", false), ("mixed_assets", true)] {
        g.bench_function(
            BenchmarkId::new(name, format!("n={TXS_PER_BLOCK}")),
            |bch| {
                bch.iter_custom(|iters| {
                    let mut b = Bench::new();
                    let blocks: Vec<Vec<Vec<u8>>> = (0..iters)
                        .map(|_| {
                            if mixed {
                                b.mixed_block()
                            } else {
                                b.transfer_block()
                            }
                        })
                        .collect();
                    let start = Instant::now();
                    for txs in blocks {
                        b.block(txs);
                    }
                    start.elapsed()
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, finalize_block);
criterion_main!(benches);
