//! The one test chain: a genesis builder (funded named keys, validators, parameter
//! overrides), a fresh [`App`] over a temporary RocksDB, block production the way the
//! engine drives it, and the work-proof helpers (a model's matrix, a job's honest or forged
//! proof, the reveal the beacon asks for). Every test of the app and the node builds its
//! chain here (`cargo test` of this crate, or the `test-utils` feature for other crates);
//! nothing in it is used by the node itself.
//!
//! ```ignore
//! let mut chain = ChainBuilder::new("pw-test").fund(&["alice", "bob"], 1_000).build();
//! let tx = chain.tx("alice", vec![transfer(addr("bob"), "upw", 5)]);
//! let out = chain.block(vec![tx]);
//! assert!(out.tx_results[0].result.is_ok());
//! ```
//!
//! Keys are named: [`key`]`("alice")` is `SecretKey::from_seed("alice")` everywhere, so a
//! name in a genesis, a tx and an assertion is the same account.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use proofwork_consensus::work::prover::{sampled_rows, Proof};
use proofwork_consensus::work::{self, JobStatus};
use proofwork_genesis::{AppState, Genesis, GenesisAccount, GenesisCoin, GenesisValidator, Params};
use proofwork_kernels::{cpu, CpuBackend};
pub use proofwork_kernels::{random_i8, Xorshift64};
use proofwork_state::{accounts, Storage};
use proofwork_tx::{sign_body, Address, Message, RevealedRow, SecretKey, TxBody};

use crate::{App, BlockInput, BlockOutcome, SigCache};

/// The chain's native denomination (the [`Params`] default).
pub const DENOM: &str = "upw";

/// The key named `name` (`SecretKey::from_seed(name)`).
pub fn key(name: &str) -> SecretKey {
    SecretKey::from_seed(name)
}

/// The address of the key named `name`.
pub fn addr(name: &str) -> Address {
    key(name).public_key().address()
}

/// The ed25519 consensus public key of test validator `i` (signing seed `[i; 32]`).
pub fn consensus_key(i: u8) -> [u8; 32] {
    ed25519_consensus::SigningKey::from([i; 32])
        .verification_key()
        .to_bytes()
}

/// Test validator `i`: [`consensus_key`]`(i)` with `power`, moniker `v{i}`, no operator and
/// no VRF key (set the fields for those).
pub fn validator(i: u8, power: u64) -> GenesisValidator {
    GenesisValidator {
        pub_key: base64::engine::general_purpose::STANDARD.encode(consensus_key(i)),
        power,
        moniker: format!("v{i}"),
        operator: None,
        vrf_key: None,
    }
}

/// The validator a chain gets when the builder names none: key `[1; 32]` (not a point any
/// signer holds; nothing in-process checks it), power 1, moniker `v`.
pub fn placeholder_validator() -> GenesisValidator {
    GenesisValidator {
        pub_key: base64::engine::general_purpose::STANDARD.encode([1u8; 32]),
        power: 1,
        moniker: "v".into(),
        operator: None,
        vrf_key: None,
    }
}

/// `Message::Transfer` of `amount` `denom` to `to`.
pub fn transfer(to: Address, denom: &str, amount: u128) -> Message {
    Message::Transfer(proofwork_tx::Transfer {
        to,
        denom: denom.into(),
        amount,
    })
}

/// Block `h`'s hash as the test chain makes it: BLAKE3 of the height, big-endian.
pub fn block_hash(height: u64) -> [u8; 32] {
    *blake3::hash(&height.to_be_bytes()).as_bytes()
}

/// A genesis under construction; [`ChainBuilder::build`] starts the chain.
#[derive(Debug, Clone)]
pub struct ChainBuilder {
    chain_id: String,
    params: Params,
    accounts: Vec<GenesisAccount>,
    validators: Vec<GenesisValidator>,
    t0_ns: u64,
    step_ns: u64,
    fee: u128,
    sig_cache: usize,
}

impl ChainBuilder {
    /// A chain named `chain_id` with default [`Params`], no accounts, no validators (the
    /// [`placeholder_validator`] if none is added), block `h` at `h` seconds and a fee of 1.
    pub fn new(chain_id: &str) -> Self {
        ChainBuilder {
            chain_id: chain_id.into(),
            params: Params::default(),
            accounts: vec![],
            validators: vec![],
            t0_ns: 0,
            step_ns: 1_000_000_000,
            fee: 1,
            sig_cache: 1024,
        }
    }

    /// Funds each named key with `amount` of the native denomination (in this order).
    #[must_use]
    pub fn fund<S: AsRef<str>>(mut self, names: &[S], amount: u128) -> Self {
        for n in names {
            self = self.fund_address(addr(n.as_ref()), &[(DENOM, amount)]);
        }
        self
    }

    /// Funds `address` with the given balances.
    #[must_use]
    pub fn fund_address(mut self, address: Address, balances: &[(&str, u128)]) -> Self {
        self.accounts.push(GenesisAccount {
            address: address.to_string(),
            balances: balances
                .iter()
                .map(|(denom, amount)| GenesisCoin {
                    denom: (*denom).into(),
                    amount: amount.to_string(),
                })
                .collect(),
        });
        self
    }

    /// Adds a genesis validator (see [`validator`]).
    #[must_use]
    pub fn validator(mut self, v: GenesisValidator) -> Self {
        self.validators.push(v);
        self
    }

    /// Overrides chain parameters.
    #[must_use]
    pub fn params(mut self, f: impl FnOnce(&mut Params)) -> Self {
        f(&mut self.params);
        self
    }

    /// Block `h`'s time: `t0_ns + h · step_ns`.
    #[must_use]
    pub fn clock(mut self, t0_ns: u64, step_ns: u64) -> Self {
        self.t0_ns = t0_ns;
        self.step_ns = step_ns;
        self
    }

    /// The fee [`TestChain::tx`] pays.
    #[must_use]
    pub fn fee(mut self, fee: u128) -> Self {
        self.fee = fee;
        self
    }

    /// The signature cache's capacity.
    #[must_use]
    pub fn sig_cache(mut self, cap: usize) -> Self {
        self.sig_cache = cap;
        self
    }

    /// The chain id.
    pub fn chain_id(&self) -> &str {
        &self.chain_id
    }

    /// The genesis `app_state`.
    pub fn app_state(&self) -> AppState {
        let validators = if self.validators.is_empty() {
            vec![placeholder_validator()]
        } else {
            self.validators.clone()
        };
        AppState {
            params: self.params.clone(),
            accounts: self.accounts.clone(),
            validators,
        }
    }

    /// The whole genesis file, with `genesis_time` (RFC 3339).
    pub fn genesis(&self, genesis_time: &str) -> Genesis {
        Genesis {
            chain_id: self.chain_id.clone(),
            genesis_time: genesis_time.into(),
            app_state: self.app_state(),
        }
    }

    /// An [`App`] at genesis over a store at `dir` (which must be empty).
    ///
    /// # Panics
    /// When the store cannot be opened or genesis is refused.
    pub fn app_in(&self, dir: &Path) -> App {
        let storage = Storage::open(dir, Default::default()).expect("open the test store");
        let mut app = App::new(storage, Arc::new(SigCache::new(self.sig_cache))).expect("app");
        app.init_chain(&self.chain_id, &self.app_state())
            .expect("genesis");
        app
    }

    /// An [`App`] at genesis over a fresh temporary store (dropped with the directory).
    pub fn app(&self) -> (App, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        (self.app_in(dir.path()), dir)
    }

    /// Starts the chain: genesis committed, nothing else.
    pub fn build(self) -> TestChain {
        let (app, dir) = self.app();
        TestChain {
            app,
            _dir: dir,
            chain_id: self.chain_id,
            t0_ns: self.t0_ns,
            step_ns: self.step_ns,
            fee: self.fee,
            pending: BTreeMap::new(),
        }
    }
}

/// A running test chain: the app, its store, and the txs signed since the last block.
pub struct TestChain {
    /// The application (drive it directly for anything the helpers do not cover).
    pub app: App,
    _dir: tempfile::TempDir,
    chain_id: String,
    t0_ns: u64,
    step_ns: u64,
    fee: u128,
    /// Txs signed per key since the last block (their nonces follow the stored one).
    pending: BTreeMap<String, u64>,
}

impl TestChain {
    /// The last committed height.
    pub fn height(&self) -> u64 {
        self.app.info().expect("genesis is committed").height
    }

    /// The chain id.
    pub fn chain_id(&self) -> &str {
        &self.chain_id
    }

    /// Block `height`'s time, ns.
    pub fn time_of(&self, height: u64) -> u64 {
        self.t0_ns + height * self.step_ns
    }

    /// `who`'s committed nonce.
    pub fn nonce(&self, who: &str) -> u64 {
        accounts::nonce(self.app.storage(), &addr(who)).expect("nonce")
    }

    /// `who`'s committed balance of `denom`.
    pub fn balance(&self, who: &str, denom: &str) -> u128 {
        accounts::balance(self.app.storage(), &addr(who), denom).expect("balance")
    }

    /// A tx body at `nonce` with the chain's id and fee.
    pub fn body(&self, nonce: u64, messages: Vec<Message>) -> TxBody {
        TxBody {
            chain_id: self.chain_id.clone(),
            nonce,
            fee: self.fee,
            messages,
        }
    }

    /// A tx of `who` at `nonce` (not counted: for alternatives of one tx).
    pub fn tx_at(&self, who: &str, nonce: u64, messages: Vec<Message>) -> Vec<u8> {
        sign_body(&key(who), &self.body(nonce, messages))
    }

    /// A signed tx of `who` with the next nonce: the stored one plus the txs `who` signed
    /// since the last block, so one block may hold several.
    pub fn tx(&mut self, who: &str, messages: Vec<Message>) -> Vec<u8> {
        let pending = self.pending.get(who).copied().unwrap_or(0);
        let tx = self.tx_at(who, self.nonce(who) + pending, messages);
        self.pending.insert(who.into(), pending + 1);
        tx
    }

    /// [`TestChain::tx`] of one message.
    pub fn one(&mut self, who: &str, m: Message) -> Vec<u8> {
        self.tx(who, vec![m])
    }

    /// The next block's input holding `txs` (as FinalizeBlock is given it).
    pub fn next_input(&self, txs: Vec<Vec<u8>>) -> BlockInput {
        let height = self.height() + 1;
        BlockInput {
            height,
            time_ns: self.time_of(height),
            proposer: vec![0; 20],
            hash: block_hash(height).to_vec(),
            txs,
        }
    }

    /// Finalizes and commits the next block with exactly `txs` (no proposal checks: a
    /// block may hold what a proposer would have left out).
    ///
    /// # Panics
    /// When the app fails the block.
    pub fn block(&mut self, txs: Vec<Vec<u8>>) -> BlockOutcome {
        let input = self.next_input(txs);
        let out = self.app.finalize_block(input).expect("finalize").clone();
        self.app.commit().expect("commit");
        self.pending.clear();
        out
    }

    /// Proposes (`PrepareProposal`, which may drop txs and puts the beacon tx first),
    /// checks (`ProcessProposal`, which must accept), finalizes and commits the next block,
    /// the way the engine does.
    ///
    /// # Panics
    /// When the proposal is rejected or the app fails the block.
    pub fn propose(&mut self, txs: Vec<Vec<u8>>) -> BlockOutcome {
        let txs = self.app.prepare_proposal(txs, 1 << 22);
        assert!(
            self.app.process_proposal(&txs),
            "block {} rejected",
            self.height() + 1
        );
        self.block(txs)
    }

    /// Finalizes `count` empty blocks.
    pub fn blocks(&mut self, count: u64) {
        for _ in 0..count {
            self.block(vec![]);
        }
    }

    /// The spot-check rows of committed job `job_id` for `proof`: the rows its beacon block
    /// samples, with their proofs (what an honest worker reveals).
    ///
    /// # Panics
    /// When the job is not committed or its beacon block is not on chain yet.
    pub fn reveal_rows(&self, job_id: u64, proof: &Proof) -> Vec<RevealedRow> {
        let s = self.app.storage();
        let job = work::job(s, job_id).expect("job").expect("known job");
        let JobStatus::Committed { commit_height, .. } = job.status else {
            panic!("job {job_id} is not committed")
        };
        let beacon = work::block_hash(s, commit_height + 1)
            .expect("beacon")
            .expect("the beacon block is on chain");
        let sample = work::params(s).expect("work params").sample_rows;
        proof
            .reveal(&sampled_rows(&beacon, job_id, job.m, sample))
            .expect("reveal")
    }
}

/// A `rows × cols` int8 matrix from seed `seed` ([`random_i8`]) and its bytes as a model
/// upload carries them.
pub fn matrix(seed: u64, rows: u32, cols: u32) -> Vec<i8> {
    random_i8(seed, rows as usize * cols as usize)
}

/// `b` as the bytes of `UploadModelChunk::rows`.
pub fn model_bytes(b: &[i8]) -> Vec<u8> {
    b.iter().map(|&v| v as u8).collect()
}

/// The honest proof of `C = A·B` (`A` is `m×k`, `B` is `k×n`) on the CPU reference.
pub fn honest_proof(a: Vec<i8>, b: &[i8], m: u32, k: u32, n: u32) -> Proof {
    Proof::compute(&CpuBackend::new(), a, b, m as usize, k as usize, n as usize).expect("proof")
}

/// A proof of `A·B` with the first element of every row in `forge` off by one (a cheating
/// worker's output).
pub fn forged_proof(a: Vec<i8>, b: &[i8], m: u32, k: u32, n: u32, forge: &[usize]) -> Proof {
    let (m, k, n) = (m as usize, k as usize, n as usize);
    let mut c = cpu::gemm_i8(&a, b, m, k, n).expect("gemm");
    for &i in forge {
        c[i * n] = c[i * n].wrapping_add(1);
    }
    Proof::from_output(a, c, m, k, n).expect("proof")
}
