//! Deterministic simulation of the state machine (issue 19).
//!
//! From a seed, a generator drives the real [`App`] over a real RocksDB store with random
//! valid and invalid txs over every module (bank, assets, market, fractional, IP, escrow,
//! admission, work — with real matrix jobs, honest and forged commits and reveals), random
//! block sizes and block times, clean restarts, and crash points:
//!
//! * **before Commit**: the app is dropped after FinalizeBlock, the store reopened the way
//!   `start` opens it (`Storage::open_existing`), and the same block finalized again — it
//!   must give the same app hash and the same tx results (the engine replays a decided block);
//! * **inside Commit**: the block's synced batch is written but the committed-height marker
//!   is put back to the previous block (a kill between the two writes); the store must reopen
//!   at the new height;
//! * **restart**: drop and reopen after a commit.
//!
//! A second app (the *shadow*) on its own store executes the same blocks without ever
//! restarting; after the seed a third, fresh store replays the main store's block log.
//!
//! After every block these invariants are checked (any failure panics with the seed):
//!
//! 1. the app hash and every tx result equal the shadow's (a fresh replay); at the end of a
//!    seed every block's app hash equals a replay of its block log on a new store;
//! 2. supply per denomination: the sum of balances equals minted − burned (full scan);
//!    minted and burned never decrease; the native denomination is never minted after
//!    genesis and its burns are the fees of the txs that paid one (predicted by the
//!    generator, checked against each signer's nonce), the burn share of verified jobs and at
//!    most the bonds slashed in the block; every fungible class's mints and burns are exactly
//!    its successful `MintFungible`/`BurnAsset`/initial supply; compute credits are minted
//!    only by verified work; fractional shares in circulation equal the vault's outstanding
//!    shares;
//! 3. no negative or zero balance is stored, nonces never go back;
//! 4. every module account holds exactly its open obligations, per denomination: the oracle
//!    escrow its open and funded deposits, the market its open offers, best bids and listed
//!    or auctioned fungible units, the work escrow its unfinished jobs' prices, the bond
//!    account every worker's bond; a vault with no outstanding shares holds nothing;
//! 5. royalties: every priced sale (listing, offer, auction, licence, priced transfer) pays
//!    exactly the ceil-rounded split of its price under the item's policy — at least one unit
//!    whenever the policy has a share — and verified jobs pay their model's royalties.
//!
//! CI form: `cargo test --release -p proofwork-node --test simulation` (40 seeds × 256
//! blocks). Env: `PW_SIM_SEED=N` runs seed N only (what a failure prints);
//! `PW_SIM_SEEDS` (count), `PW_SIM_FIRST_SEED`, `PW_SIM_BLOCKS` (per seed),
//! `PW_SIM_THREADS` (default 2), `PW_SIM_VERBOSE=1` (error codes per message kind); long
//! form `scripts/chaos/simulate.sh`. Docs: docs/reliability.md, "Deterministic simulation".

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use proofwork_consensus::work::prover::{i8_root, sampled_rows, Proof};
use proofwork_consensus::work::{self, Job, JobStatus};
use proofwork_genesis::{
    AppState, GenesisAccount, GenesisCoin, GenesisValidator, Params, WorkGenesisParams,
};
use proofwork_kernels::CpuBackend;
use proofwork_node::app::{decode_and_verify, load_block, App, BlockInput, BlockOutcome, SigCache};
use proofwork_state::accounts::{self, Supply, CREDIT_DENOM};
use proofwork_state::assets::{self, Lock};
use proofwork_state::escrow::{self, EscrowState};
use proofwork_state::fractional::{self, VaultState};
use proofwork_state::market;
use proofwork_state::royalties::{bps_of_ceil, RoyaltyPolicy};
use proofwork_state::{codec, ip, StateRead, Storage};
use proofwork_tx::assets::oracle_digest;
use proofwork_tx::{sign_body, Address, Item, Message, SecretKey, ShareSpec, TxBody, TxLimits};

const CHAIN: &str = "pw-sim";
const DENOM: &str = "upw";
const ACTORS: usize = 6;
const START_BALANCE: u128 = 1_000_000_000_000;
const FUNGIBLE: [&str; 3] = ["fa", "fb", "fc"];
const UNIQUE: [&str; 3] = ["ua", "ub", "uc"];
/// Model shape of every simulated job: k × n weights, m rows of input.
const K: usize = 16;
const N: usize = 8;
const VAL_KEY: [u8; 32] = [1; 32];
const VAL_B64: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";

/// The generator's PRNG: xoshiro256** seeded through SplitMix64 (public-domain algorithms,
/// written out here: a PRNG crate as a dev-dependency would change the features of crates
/// RocksDB's build depends on and rebuild its C++). Only this test draws numbers; the app
/// never does.
struct SimRng([u64; 4]);

/// Integers the generator draws.
trait Int: Copy {
    fn to_u128(self) -> u128;
    fn from_u128(v: u128) -> Self;
}

macro_rules! int {
    ($($t:ty),*) => {$(
        impl Int for $t {
            fn to_u128(self) -> u128 {
                self as u128
            }
            fn from_u128(v: u128) -> Self {
                v as $t
            }
        }
    )*};
}
int!(i8, u8, u16, u32, u64, u128, usize, i32);

/// A range to draw from.
trait Bounds<T> {
    /// Lowest value and the number of values.
    fn span(&self) -> (u128, u128);
}

impl<T: Int> Bounds<T> for std::ops::Range<T> {
    fn span(&self) -> (u128, u128) {
        let (lo, hi) = (self.start.to_u128(), self.end.to_u128());
        assert!(hi > lo, "empty range");
        (lo, hi - lo)
    }
}

impl<T: Int> Bounds<T> for std::ops::RangeInclusive<T> {
    fn span(&self) -> (u128, u128) {
        let (lo, hi) = (self.start().to_u128(), self.end().to_u128());
        assert!(hi >= lo, "empty range");
        (lo, (hi - lo).wrapping_add(1))
    }
}

impl SimRng {
    fn seed_from_u64(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        SimRng([next(), next(), next(), next()])
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let out = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        out
    }

    fn gen_range<T: Int, R: Bounds<T>>(&mut self, r: R) -> T {
        let (lo, n) = r.span();
        let x = (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64());
        // n == 0 is the whole u128 range.
        T::from_u128(if n == 0 { x } else { lo + x % n })
    }

    /// True with probability `p` (to 1/2^32).
    fn gen_bool(&mut self, p: f64) -> bool {
        let threshold = (p * 4_294_967_296.0) as u64;
        (self.next_u64() >> 32) < threshold
    }

    fn gen<T: Int>(&mut self) -> T {
        T::from_u128(u128::from(self.next_u64()))
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

fn scratch_root() -> PathBuf {
    // Commits are synced: on a tmpfs they cost nothing, which is what makes 10k blocks fast.
    let shm = Path::new("/dev/shm");
    if std::env::var_os("TMPDIR").is_none() && shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

fn key(i: usize) -> SecretKey {
    SecretKey::from_seed(&format!("sim-actor-{i}"))
}

fn oracle() -> SecretKey {
    SecretKey::from_seed("sim-oracle")
}

fn app_state() -> AppState {
    AppState {
        params: Params {
            work: Some(WorkGenesisParams {
                unbonding_blocks: 12,
            }),
            ..Params::default()
        },
        accounts: (0..ACTORS)
            .map(|i| GenesisAccount {
                address: key(i).public_key().address().to_string(),
                balances: vec![GenesisCoin {
                    denom: DENOM.into(),
                    amount: START_BALANCE.to_string(),
                }],
            })
            .collect(),
        validators: vec![GenesisValidator {
            pub_key: VAL_B64.into(),
            power: 10,
            moniker: "v0".into(),
            operator: Some(key(0).public_key().address().to_string()),
            vrf_key: None,
        }],
    }
}

fn random_i8(rng: &mut SimRng, len: usize) -> Vec<i8> {
    (0..len).map(|_| rng.gen::<i8>()).collect()
}

/// Counters over a run.
#[derive(Debug, Default)]
struct Stats {
    blocks: u64,
    txs: u64,
    ok_txs: u64,
    ok_by_kind: BTreeMap<&'static str, u64>,
    tried_by_kind: BTreeMap<&'static str, u64>,
    /// Error codes of failed one-message txs, by kind (printed with `PW_SIM_VERBOSE=1`).
    codes: BTreeMap<(&'static str, u32), u64>,
    crashes_before_commit: u64,
    crashes_in_commit: u64,
    restarts: u64,
    sales_checked: u64,
    royalty_units: u128,
    replayed_blocks: u64,
}

impl Stats {
    fn merge(&mut self, o: &Stats) {
        self.blocks += o.blocks;
        self.txs += o.txs;
        self.ok_txs += o.ok_txs;
        for (k, v) in &o.ok_by_kind {
            *self.ok_by_kind.entry(k).or_default() += v;
        }
        for (k, v) in &o.tried_by_kind {
            *self.tried_by_kind.entry(k).or_default() += v;
        }
        for (k, v) in &o.codes {
            *self.codes.entry(*k).or_default() += v;
        }
        self.crashes_before_commit += o.crashes_before_commit;
        self.crashes_in_commit += o.crashes_in_commit;
        self.restarts += o.restarts;
        self.sales_checked += o.sales_checked;
        self.royalty_units += o.royalty_units;
        self.replayed_blocks += o.replayed_blocks;
    }
}

/// A generated tx and what the generator expects of it.
struct GenTx {
    bytes: Vec<u8>,
    fee: u128,
    /// Passes every check before the fee: so it must use its nonce and pay its fee.
    pays: bool,
    messages: Vec<Message>,
}

/// The committed state a block's txs are generated from.
#[derive(Default)]
struct View {
    height: u64,
    time_ns: u64,
    /// (class, token, owner, lock, frozen, content hash, royalty holders)
    tokens: Vec<assets::Token>,
    classes: Vec<assets::AssetClass>,
    listings: Vec<market::Listing>,
    offers: Vec<market::Offer>,
    auctions: Vec<market::Auction>,
    vaults: Vec<fractional::Vault>,
    escrows: Vec<escrow::Escrow>,
    jobs: Vec<Job>,
    /// Verified jobs with their delivery record (ADR-008): what confirm, dispute, answer
    /// and challenge act on.
    deliveries: Vec<(Job, work::Delivery)>,
    workers: Vec<work::Worker>,
    models: Vec<u64>,
    model_owners: BTreeMap<u64, [u8; 20]>,
    ip: Vec<[u8; 32]>,
    next_app: u64,
    validators: Vec<[u8; 32]>,
    sample_rows: u32,
    beacons: BTreeMap<u64, [u8; 32]>,
}

/// A new store (as `proofwork init` creates it) with genesis applied.
fn create(root: &Path) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir_in(root).expect("temp dir");
    let storage = Storage::open(dir.path(), Default::default()).expect("create store");
    let mut app = App::new(storage, Arc::new(SigCache::new(4096))).expect("app");
    app.init_chain(CHAIN, &app_state()).expect("genesis");
    (dir, app)
}

/// Reopens the store at `path` the way `proofwork start` does. Background `B·r` prefetch
/// tasks of the dropped app may still hold the database for a moment: retry while RocksDB
/// reports its lock held.
fn reopen(path: &Path) -> App {
    let mut tries = 0;
    loop {
        match Storage::open_existing(path, Default::default()) {
            Ok(storage) => return App::new(storage, Arc::new(SigCache::new(4096))).expect("app"),
            Err(e) if e.to_string().contains("lock") && tries < 500 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(e) => panic!("reopening the store failed: {e}"),
        }
    }
}

struct Sim {
    seed: u64,
    rng: SimRng,
    main: Option<App>,
    main_dir: PathBuf,
    shadow: App,
    /// The stores' directories (deleted with the simulation).
    _dirs: [tempfile::TempDir; 2],
    keys: Vec<SecretKey>,
    addrs: Vec<Address>,
    nonces: Vec<u64>,
    time_ns: u64,
    b: Vec<i8>,
    b_root: [u8; 32],
    /// Input matrices of the jobs the generator posted, by their root.
    inputs: BTreeMap<[u8; 32], (Vec<i8>, u32)>,
    /// Outputs committed (honest or forged), by their root.
    proofs: BTreeMap<[u8; 32], Proof>,
    /// Txs already sent (replays).
    sent: Vec<Vec<u8>>,
    prev_supply: BTreeMap<String, Supply>,
    stats: Stats,
    limits: TxLimits,
    sigs: SigCache,
}

fn violation(seed: u64, height: u64, what: String) -> ! {
    panic!(
        "simulation violation (seed {seed}, height {height}): {what}\n  reproduce: PW_SIM_SEED={seed} cargo test --release -p proofwork-node --test simulation -- --nocapture"
    )
}

impl Sim {
    fn new(seed: u64, root: &Path) -> Sim {
        let mut rng = SimRng::seed_from_u64(seed);
        let (main_tmp, main) = create(root);
        let (shadow_tmp, shadow) = create(root);
        let main_dir = main_tmp.path().to_path_buf();
        let keys: Vec<SecretKey> = (0..ACTORS).map(key).collect();
        let addrs = keys.iter().map(|k| k.public_key().address()).collect();
        let b = random_i8(&mut rng, K * N);
        let b_root = i8_root(&b, K, N).expect("root of B");
        let limits = main.config().expect("config").limits;
        let prev_supply = supplies(main.storage());
        Sim {
            seed,
            rng,
            main: Some(main),
            main_dir,
            shadow,
            _dirs: [main_tmp, shadow_tmp],
            keys,
            addrs,
            nonces: vec![0; ACTORS],
            time_ns: 1_000_000_000,
            b,
            b_root,
            inputs: BTreeMap::new(),
            proofs: BTreeMap::new(),
            sent: Vec::new(),
            prev_supply,
            stats: Stats::default(),
            limits,
            sigs: SigCache::new(4096),
        }
    }

    fn app(&mut self) -> &mut App {
        self.main.as_mut().expect("main node")
    }

    fn storage(&self) -> &Storage {
        self.main.as_ref().expect("main node").storage()
    }

    fn fail(&self, what: String) -> ! {
        let h = self.storage().latest().map_or(0, |l| l.height);
        violation(self.seed, h, what)
    }

    fn actor_of(&self, a: &Address) -> Option<usize> {
        self.addrs.iter().position(|x| x == a)
    }

    // ---------- the view ----------

    fn view(&self) -> View {
        let s = self.storage();
        let all = usize::MAX;
        let mut v = View {
            height: s.latest().map_or(0, |l| l.height),
            time_ns: self.time_ns,
            ..View::default()
        };
        for c in FUNGIBLE.iter().chain(UNIQUE.iter()) {
            if let Some(c) = assets::class(s, c).unwrap() {
                v.classes.push(c);
            }
        }
        for a in &self.addrs {
            for (class, id) in assets::tokens_of(s, a, None, 4096).unwrap() {
                if let Some(t) = assets::token(s, &class, id).unwrap() {
                    v.tokens.push(t);
                }
            }
        }
        for t in &v.tokens {
            if ip::work(s, &t.content_hash).unwrap().is_some() && !v.ip.contains(&t.content_hash) {
                v.ip.push(t.content_hash);
            }
        }
        v.listings = market::listings(s, 0, all).unwrap();
        v.offers = market::offers(s, 0, all).unwrap();
        v.auctions = market::auctions(s, 0, all).unwrap();
        v.vaults = fractional::vaults(s, 0, all).unwrap();
        v.escrows =
            codec::scan::<escrow::Escrow, _>(s, escrow::state_key::ESCROW_PREFIX, None, all)
                .unwrap()
                .into_iter()
                .map(|(_, e)| e)
                .collect();
        v.jobs = work::jobs(s, None, all).unwrap();
        for j in &v.jobs {
            if matches!(j.status, JobStatus::Verified { .. }) {
                if let Some(d) = work::delivery(s, j.id).unwrap() {
                    v.deliveries.push((j.clone(), d));
                }
            }
        }
        v.workers = work::workers(s, all).unwrap();
        for m in work::models(s, None, all).unwrap() {
            if m.active {
                v.models.push(m.id);
            }
            v.model_owners.insert(m.id, m.owner);
        }
        v.next_app = codec::get_or_default::<u64, _>(s, b"val/app/next").unwrap_or(0);
        v.sample_rows = work::params(s).unwrap().sample_rows;
        v.validators = proofwork_consensus::validators::validators(s)
            .unwrap()
            .into_iter()
            .map(|x| x.pub_key)
            .collect();
        for j in &v.jobs {
            if let JobStatus::Committed { commit_height, .. } = j.status {
                if let Some(b) = work::block_hash(s, commit_height + 1).unwrap() {
                    v.beacons.insert(commit_height + 1, b);
                }
            }
        }
        v
    }

    // ---------- generation ----------

    fn amount(&mut self) -> u128 {
        match self.rng.gen_range(0..100) {
            0..=59 => self.rng.gen_range(1..=60),
            60..=94 => self.rng.gen_range(1..=5_000),
            95..=97 => 0,
            _ => u128::MAX - self.rng.gen_range(0..3),
        }
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> Option<T> {
        if items.is_empty() {
            None
        } else {
            Some(items[self.rng.gen_range(0..items.len())].clone())
        }
    }

    fn actor(&mut self) -> usize {
        self.rng.gen_range(0..ACTORS)
    }

    fn random_addr(&mut self) -> Address {
        let i = self.actor();
        self.addrs[i]
    }

    fn id(&mut self, known: &[u64]) -> u64 {
        match self.pick(known) {
            Some(id) if self.rng.gen_bool(0.9) => id,
            _ => self
                .rng
                .gen_range(0..=known.iter().max().copied().unwrap_or(0) + 2),
        }
    }

    fn royalty(&mut self) -> Vec<ShareSpec> {
        let n = self.rng.gen_range(0..=2);
        (0..n)
            .map(|_| ShareSpec {
                recipient: self.random_addr(),
                bps: if self.rng.gen_bool(0.97) {
                    self.rng.gen_range(1..=900)
                } else {
                    self.rng.gen_range(0..=u16::MAX)
                },
            })
            .collect()
    }

    fn denom(&mut self) -> String {
        match self.rng.gen_range(0..10) {
            0..=6 => DENOM.into(),
            7 => FUNGIBLE[self.rng.gen_range(0..FUNGIBLE.len())].into(),
            8 => CREDIT_DENOM.into(),
            _ => format!("frac/{}", self.rng.gen_range(1..4)),
        }
    }

    /// Something `who` may be able to sell (or not).
    fn item(&mut self, v: &View, who: usize) -> Item {
        let me = self.addrs[who];
        let mine: Vec<&assets::Token> = v.tokens.iter().filter(|t| t.owner == me).collect();
        match self.rng.gen_range(0..10) {
            0..=4 => match self.pick(&mine) {
                Some(t) => Item::Unique {
                    class: t.class.clone(),
                    token: t.id,
                },
                None => Item::Unique {
                    class: UNIQUE[self.rng.gen_range(0..UNIQUE.len())].into(),
                    token: self.rng.gen_range(1..6),
                },
            },
            5..=7 => {
                let mut denoms: Vec<String> = FUNGIBLE.iter().map(|d| d.to_string()).collect();
                denoms.extend(v.vaults.iter().map(|x| x.share_denom()));
                let denom = self.pick(&denoms).expect("denoms");
                let amount = self.amount();
                Item::Fungible { denom, amount }
            }
            _ => {
                let rights: Vec<(String, u64)> = v
                    .tokens
                    .iter()
                    .filter(|t| t.royalty.holds(&me))
                    .map(|t| (t.class.clone(), t.id))
                    .chain(
                        v.classes
                            .iter()
                            .filter(|c| c.royalty.holds(&me))
                            .map(|c| (c.id.clone(), 0)),
                    )
                    .collect();
                let (class, token) = self
                    .pick(&rights)
                    .unwrap_or_else(|| (UNIQUE[0].to_string(), 1));
                Item::RoyaltyRight { class, token }
            }
        }
    }

    /// One random message, and the signer the generator meant for it.
    fn message(&mut self, v: &View) -> (usize, Message) {
        let who = self.actor();
        let me = self.addrs[who];
        let other = self.random_addr();
        let mut k = self.rng.gen_range(0..48);
        if k >= 44 {
            // More offers and licences: they need earlier state to succeed.
            k = [21, 21, 31, 31][k - 44];
        }
        let m = match k {
            0..=3 => Message::Transfer(proofwork_tx::Transfer {
                to: other,
                denom: self.denom(),
                amount: self.amount().max(1),
            }),
            4 => {
                let unique = self.rng.gen_bool(0.5);
                let pool: &[&str] = if unique { &UNIQUE } else { &FUNGIBLE };
                Message::CreateAssetClass(proofwork_tx::CreateAssetClass {
                    id: pool[self.rng.gen_range(0..pool.len())].into(),
                    unique,
                    powers: if self.rng.gen_bool(0.8) {
                        15
                    } else {
                        self.rng.gen_range(0..16)
                    },
                    sales_only: self.rng.gen_bool(0.2),
                    royalty: self.royalty(),
                    metadata: "sim".into(),
                    initial_supply: if unique { 0 } else { self.amount() % 100_000 },
                })
            }
            5 | 6 => Message::MintFungible(proofwork_tx::MintFungible {
                class: FUNGIBLE[self.rng.gen_range(0..FUNGIBLE.len())].into(),
                to: other,
                amount: self.amount().max(1),
            }),
            7..=9 => Message::MintUnique(proofwork_tx::MintUnique {
                class: UNIQUE[self.rng.gen_range(0..UNIQUE.len())].into(),
                to: other,
                metadata: "t".into(),
                content_hash: [self.rng.gen_range(0..12u8); 32],
                royalty: if self.rng.gen_bool(0.6) {
                    self.royalty()
                } else {
                    vec![]
                },
            }),
            10 => {
                let t = self.pick(&v.tokens);
                let (class, token) = t.map_or((UNIQUE[0].into(), 1), |t| (t.class, t.id));
                let price = if self.rng.gen_bool(0.5) {
                    Some((self.denom(), self.amount().max(1)))
                } else {
                    None
                };
                Message::TransferUnique(proofwork_tx::TransferUnique {
                    class,
                    token,
                    to: other,
                    price,
                })
            }
            11 => {
                if self.rng.gen_bool(0.5) {
                    Message::BurnAsset(proofwork_tx::BurnAsset {
                        class: FUNGIBLE[self.rng.gen_range(0..FUNGIBLE.len())].into(),
                        token: 0,
                        amount: self.amount().max(1),
                        from: self.rng.gen_bool(0.3).then_some(other),
                    })
                } else {
                    let t = self.pick(&v.tokens);
                    let (class, token) = t.map_or((UNIQUE[1].into(), 1), |t| (t.class, t.id));
                    Message::BurnAsset(proofwork_tx::BurnAsset {
                        class,
                        token,
                        amount: 0,
                        from: None,
                    })
                }
            }
            12 => {
                let t = self.pick(&v.tokens);
                let (class, token) = match t {
                    Some(t) if self.rng.gen_bool(0.7) => (t.class, t.id),
                    _ => (FUNGIBLE[0].into(), 0),
                };
                Message::FreezeAsset(proofwork_tx::FreezeAsset {
                    class,
                    token,
                    frozen: self.rng.gen_bool(0.4),
                })
            }
            13 => {
                let from = self.random_addr();
                if self.rng.gen_bool(0.5) {
                    Message::ForceTransfer(proofwork_tx::ForceTransfer {
                        class: FUNGIBLE[self.rng.gen_range(0..FUNGIBLE.len())].into(),
                        token: 0,
                        amount: self.amount().max(1),
                        from,
                        to: other,
                    })
                } else {
                    let t = self.pick(&v.tokens);
                    let (class, token, from) =
                        t.map_or((UNIQUE[0].into(), 1, from), |t| (t.class, t.id, t.owner));
                    Message::ForceTransfer(proofwork_tx::ForceTransfer {
                        class,
                        token,
                        amount: 0,
                        from,
                        to: other,
                    })
                }
            }
            14..=16 => {
                let item = self.item(v, who);
                Message::CreateListing(proofwork_tx::CreateListing {
                    item,
                    price: self.amount().max(1) % 3_000 + 1,
                    denom: if self.rng.gen_bool(0.85) {
                        DENOM.into()
                    } else {
                        self.denom()
                    },
                })
            }
            17 => {
                let ids: Vec<u64> = v.listings.iter().map(|l| l.id).collect();
                Message::CancelListing(proofwork_tx::CancelListing {
                    id: self.id(&ids).max(1),
                })
            }
            18..=20 => {
                let ids: Vec<u64> = v.listings.iter().map(|l| l.id).collect();
                Message::BuyListing(proofwork_tx::BuyListing {
                    id: self.id(&ids).max(1),
                })
            }
            21 => {
                let t = self.pick(&v.tokens);
                let item = match t {
                    Some(t) if self.rng.gen_bool(0.7) => Item::Unique {
                        class: t.class,
                        token: t.id,
                    },
                    _ => {
                        let a = self.actor();
                        self.item(v, a)
                    }
                };
                let expires_height = match self.rng.gen_range(0..3) {
                    0 => 0,
                    1 => v.height + self.rng.gen_range(0..4),
                    _ => v.height.saturating_sub(1),
                };
                Message::MakeOffer(proofwork_tx::MakeOffer {
                    item,
                    price: self.amount().max(1) % 3_000 + 1,
                    denom: DENOM.into(),
                    expires_height,
                })
            }
            22 | 23 => {
                let ids: Vec<u64> = v.offers.iter().map(|o| o.id).collect();
                Message::AcceptOffer(proofwork_tx::AcceptOffer {
                    id: self.id(&ids).max(1),
                })
            }
            24 => {
                let ids: Vec<u64> = v.offers.iter().map(|o| o.id).collect();
                Message::CancelOffer(proofwork_tx::CancelOffer {
                    id: self.id(&ids).max(1),
                })
            }
            25 => {
                let item = self.item(v, who);
                Message::CreateAuction(proofwork_tx::CreateAuction {
                    item,
                    denom: DENOM.into(),
                    min_bid: self.amount().max(1) % 500 + 1,
                    end_time_ns: v.time_ns + self.rng.gen_range(0..20) * 1_000_000_000,
                })
            }
            26 | 27 => {
                let a = self.pick(&v.auctions);
                let (id, least) =
                    a.map_or((1, 1), |a| (a.id, a.best.map_or(a.min_bid, |(_, b)| b + 1)));
                let amount = if self.rng.gen_bool(0.8) {
                    least + self.rng.gen_range(0..50)
                } else {
                    self.amount().max(1)
                };
                Message::PlaceBid(proofwork_tx::PlaceBid { id, amount })
            }
            28 => {
                let ids: Vec<u64> = v.auctions.iter().map(|a| a.id).collect();
                Message::SettleAuction(proofwork_tx::SettleAuction {
                    id: self.id(&ids).max(1),
                })
            }
            29 => {
                let mine: Vec<assets::Token> =
                    v.tokens.iter().filter(|t| t.owner == me).cloned().collect();
                let t = self.pick(&mine).or_else(|| self.pick(&v.tokens));
                let (class, token) = t.map_or((UNIQUE[0].into(), 1), |t| (t.class, t.id));
                Message::Fractionalize(proofwork_tx::Fractionalize {
                    class,
                    token,
                    shares: self.rng.gen_range(1..=1_000),
                    reserve: self.amount().max(1) % 10_000 + 1,
                    denom: DENOM.into(),
                })
            }
            30 => {
                let ids: Vec<u64> = v.vaults.iter().map(|x| x.id).collect();
                match self.rng.gen_range(0..3) {
                    0 => Message::Buyout(proofwork_tx::Buyout {
                        vault: self.id(&ids).max(1),
                    }),
                    1 => Message::RedeemShares(proofwork_tx::RedeemShares {
                        vault: self.id(&ids).max(1),
                        amount: self.rng.gen_range(1..=600),
                    }),
                    _ => Message::Unfractionalize(proofwork_tx::Unfractionalize {
                        vault: self.id(&ids).max(1),
                    }),
                }
            }
            31 => {
                let mine: Vec<assets::Token> =
                    v.tokens.iter().filter(|t| t.owner == me).cloned().collect();
                match self.rng.gen_range(0..3) {
                    0 => {
                        let t = self.pick(&mine).or_else(|| self.pick(&v.tokens));
                        let (hash, class, token) = t.map_or(([3; 32], String::new(), 0), |t| {
                            (t.content_hash, t.class, t.id)
                        });
                        Message::RegisterIp(proofwork_tx::RegisterIp {
                            content_hash: hash,
                            title: "w".into(),
                            class,
                            token,
                        })
                    }
                    1 => {
                        let hash = self.pick(&v.ip).unwrap_or([5; 32]);
                        Message::AddLicenseTerms(proofwork_tx::AddLicenseTerms {
                            content_hash: hash,
                            fee: self.amount().max(1) % 2_000 + 1,
                            denom: DENOM.into(),
                            duration_ns: 1_000_000_000,
                            scope: "s".into(),
                        })
                    }
                    _ => {
                        let hash = self.pick(&v.ip).unwrap_or([5; 32]);
                        Message::TakeLicense(proofwork_tx::TakeLicense {
                            content_hash: hash,
                            terms: self.rng.gen_range(0..4),
                        })
                    }
                }
            }
            32 => {
                // The class admin certifies itself (or another actor), then attests.
                let c = self.pick(&v.classes);
                let (class, admin) = c.map_or((UNIQUE[0].into(), other), |c| (c.id, c.admin));
                if self.rng.gen_bool(0.4) {
                    Message::AddCertifier(proofwork_tx::AddCertifier {
                        class,
                        certifier: if self.rng.gen_bool(0.7) { admin } else { other },
                        name: "c".into(),
                    })
                } else {
                    let of: Vec<u64> = v
                        .tokens
                        .iter()
                        .filter(|t| t.class == class)
                        .map(|t| t.id)
                        .collect();
                    Message::Attest(proofwork_tx::Attest {
                        class,
                        token: self.id(&of),
                        statement: "ok".into(),
                    })
                }
            }
            33 | 34 => {
                let deadline = v.time_ns + self.rng.gen_range(0..120) * 1_000_000_000;
                Message::CreateEscrow(proofwork_tx::CreateEscrow {
                    counterparty: other,
                    oracle: oracle().public_key(),
                    event: "e".into(),
                    denom: self.denom(),
                    deposit: self.amount().max(1) % 5_000 + 1,
                    counter_deposit: self.amount().max(1) % 5_000 + 1,
                    deadline_ns: deadline,
                })
            }
            35 => {
                let ids: Vec<u64> = v.escrows.iter().map(|e| e.id).collect();
                let id = self.id(&ids).max(1);
                match self.rng.gen_range(0..3) {
                    0 => Message::FundEscrow(proofwork_tx::FundEscrow { id }),
                    1 => {
                        let funded: Vec<u64> = v
                            .escrows
                            .iter()
                            .filter(|e| e.state == EscrowState::Funded)
                            .map(|e| e.id)
                            .collect();
                        let id = self.pick(&funded).unwrap_or(id);
                        let outcome = self.rng.gen_bool(0.5);
                        let signature = if self.rng.gen_bool(0.85) {
                            oracle()
                                .sign_digest(&oracle_digest(CHAIN, id, outcome))
                                .to_vec()
                        } else {
                            vec![7; 64]
                        };
                        Message::ResolveEscrow(proofwork_tx::ResolveEscrow {
                            id,
                            outcome,
                            signature,
                        })
                    }
                    _ => Message::RefundEscrow(proofwork_tx::RefundEscrow { id }),
                }
            }
            36 => {
                if v.models.is_empty() || self.rng.gen_bool(0.2) {
                    let royalties = self
                        .royalty()
                        .into_iter()
                        .map(|s| (s.recipient, s.bps % 3_000))
                        .collect();
                    Message::RegisterModel(proofwork_tx::RegisterModel {
                        k: K as u32,
                        n: N as u32,
                        b_root: self.b_root,
                        royalties,
                    })
                } else {
                    Message::RegisterWorker(proofwork_tx::RegisterWorker {
                        bond: self.rng.gen_range(500..=20_000),
                        validator: self.rng.gen_bool(0.5).then_some(VAL_KEY),
                    })
                }
            }
            37 => {
                // Upload a model's weights (whole, or a partial/garbled chunk).
                let ids: Vec<u64> = v.model_owners.keys().copied().collect();
                let id = self.id(&ids).max(1);
                let mut rows: Vec<u8> = self.b.iter().map(|&x| x as u8).collect();
                let first_row = if self.rng.gen_bool(0.85) {
                    0
                } else {
                    rows.truncate(N * 3);
                    self.rng.gen_range(0..K as u32)
                };
                Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
                    model_id: id,
                    first_row,
                    rows,
                })
            }
            38 => {
                let m: u32 = self.rng.gen_range(96..=140);
                let a = random_i8(&mut self.rng, m as usize * K);
                let a_root = i8_root(&a, m as usize, K).expect("root of A");
                self.inputs.insert(a_root, (a, m));
                let credit = self.rng.gen_bool(0.1);
                Message::PostJob(proofwork_tx::PostJob {
                    model_id: self.pick(&v.models).unwrap_or(1),
                    a_root,
                    m,
                    price: if credit {
                        self.rng.gen_range(1..=3)
                    } else {
                        self.rng.gen_range(1..=20_000)
                    },
                    commit_blocks: self.rng.gen_range(0..=4),
                    reveal_blocks: self.rng.gen_range(0..=4),
                    denom: credit.then(|| CREDIT_DENOM.into()),
                })
            }
            39 => {
                let open: Vec<Job> = v
                    .jobs
                    .iter()
                    .filter(|j| j.status == JobStatus::Open)
                    .cloned()
                    .collect();
                let id = self.pick(&open).map_or(1, |j| j.id);
                Message::CancelJob(proofwork_tx::CancelJob { job_id: id })
            }
            40 => Message::UnbondWorker(proofwork_tx::UnbondWorker),
            41 => Message::ApplyValidator(proofwork_tx::ApplyValidator {
                consensus_pubkey: [self.rng.gen_range(2..40u8); 32],
                moniker: "cand".into(),
                vrf_pubkey: [self.rng.gen_range(2..40u8); 32],
            }),
            42 => Message::VoteValidator(proofwork_tx::VoteValidator {
                application_id: if self.rng.gen_bool(0.7) {
                    v.next_app
                } else {
                    self.rng.gen_range(0..=v.next_app + 1)
                },
                approve: self.rng.gen_bool(0.7),
            }),
            _ => Message::ProposeRemoval(proofwork_tx::ProposeRemoval {
                consensus_pubkey: if self.rng.gen_bool(0.7) {
                    self.pick(&v.validators).unwrap_or(VAL_KEY)
                } else {
                    [self.rng.gen_range(2..40u8); 32]
                },
            }),
        };
        let who = match self.natural_signer(v, &m) {
            Some(w) if self.rng.gen_bool(0.85) => w,
            _ => who,
        };
        (who, m)
    }

    /// Who would usually send `m`: the class admin, the owner, the seller, the client …
    fn natural_signer(&mut self, v: &View, m: &Message) -> Option<usize> {
        let admin = |class: &str| {
            v.classes
                .iter()
                .find(|c| c.id == class)
                .and_then(|c| self.actor_of(&c.admin))
        };
        let owner = |class: &str, token: u64| {
            v.tokens
                .iter()
                .find(|t| t.class == class && t.id == token)
                .and_then(|t| self.actor_of(&t.owner))
        };
        let item_owner = |item: &Item| match item {
            Item::Unique { class, token } => owner(class, *token),
            _ => None,
        };
        let who = match m {
            Message::MintFungible(x) => admin(&x.class),
            Message::MintUnique(x) => admin(&x.class),
            Message::FreezeAsset(x) => admin(&x.class),
            Message::ForceTransfer(x) => admin(&x.class),
            Message::AddCertifier(x) => admin(&x.class),
            Message::Attest(x) => admin(&x.class),
            Message::TransferUnique(x) => owner(&x.class, x.token),
            Message::BurnAsset(x) if x.token > 0 => owner(&x.class, x.token),
            Message::CreateListing(x) => item_owner(&x.item),
            Message::CreateAuction(x) => item_owner(&x.item),
            Message::Fractionalize(x) => owner(&x.class, x.token),
            Message::RegisterIp(x) => owner(&x.class, x.token),
            Message::CancelListing(x) => v
                .listings
                .iter()
                .find(|l| l.id == x.id)
                .and_then(|l| self.actor_of(&l.seller)),
            Message::AcceptOffer(x) => v
                .offers
                .iter()
                .find(|o| o.id == x.id)
                .and_then(|o| item_owner(&o.item)),
            Message::CancelOffer(x) => v
                .offers
                .iter()
                .find(|o| o.id == x.id)
                .and_then(|o| self.actor_of(&o.buyer)),
            Message::Unfractionalize(x) => v
                .vaults
                .iter()
                .find(|f| f.id == x.vault)
                .and_then(|f| self.actor_of(&f.curator)),
            Message::AddLicenseTerms(x) => v
                .tokens
                .iter()
                .find(|t| t.content_hash == x.content_hash)
                .and_then(|t| self.actor_of(&t.owner)),
            Message::FundEscrow(x) => v
                .escrows
                .iter()
                .find(|e| e.id == x.id)
                .and_then(|e| self.actor_of(&e.counterparty)),
            Message::CancelJob(x) => v
                .jobs
                .iter()
                .find(|j| j.id == x.job_id)
                .and_then(|j| self.actor_of(&Address(j.client))),
            Message::UploadModelChunk(x) => v
                .model_owners
                .get(&x.model_id)
                .and_then(|o| self.actor_of(&Address(*o))),
            Message::UnbondWorker(_) => {
                let ws: Vec<usize> = v
                    .workers
                    .iter()
                    .filter_map(|w| self.actor_of(&Address(w.address)))
                    .collect();
                return self.pick(&ws);
            }
            Message::VoteValidator(_) | Message::ProposeRemoval(_) => Some(0),
            _ => None,
        };
        who
    }

    /// The work flow a worker follows: claim and commit (honestly, or not), reveal.
    fn work_tx(&mut self, v: &View) -> Option<(usize, Vec<Message>)> {
        let workers: Vec<usize> = v
            .workers
            .iter()
            .filter_map(|w| self.actor_of(&Address(w.address)))
            .collect();
        if self.rng.gen_bool(0.25) {
            if let Some(t) = self.delivery_tx(v) {
                return Some(t);
            }
        }
        if self.rng.gen_bool(0.5) {
            // Reveal a committed job.
            let committed: Vec<Job> = v
                .jobs
                .iter()
                .filter(|j| matches!(j.status, JobStatus::Committed { .. }))
                .cloned()
                .collect();
            let j = self.pick(&committed)?;
            let JobStatus::Committed {
                worker,
                c_root,
                commit_height,
                ..
            } = j.status
            else {
                return None;
            };
            let beacon = v.beacons.get(&(commit_height + 1))?;
            let proof = self.proofs.get(&c_root)?;
            let mut rows = proof
                .reveal(&sampled_rows(beacon, j.id, j.m, v.sample_rows))
                .expect("reveal");
            if self.rng.gen_bool(0.05) && !rows.is_empty() {
                let mut c = rows[0].c_row.to_vec();
                c[0] ^= 1;
                rows[0].c_row = c.into();
            }
            let who = self.actor_of(&Address(worker)).unwrap_or(0);
            let who = if self.rng.gen_bool(0.95) {
                who
            } else {
                self.actor()
            };
            return Some((
                who,
                vec![Message::RevealWork(proofwork_tx::RevealWork {
                    job_id: j.id,
                    rows,
                })],
            ));
        }
        let open: Vec<Job> = v
            .jobs
            .iter()
            .filter(|j| j.status == JobStatus::Open)
            .cloned()
            .collect();
        let j = self.pick(&open)?;
        let who = match self.pick(&workers) {
            Some(w) if self.rng.gen_bool(0.9) => w,
            _ => self.actor(),
        };
        let claim = Message::ClaimJob(proofwork_tx::ClaimJob { job_id: j.id });
        if self.rng.gen_bool(0.15) {
            return Some((who, vec![claim])); // claims and never commits
        }
        let (a, m) = self.inputs.get(&j.a_root)?.clone();
        let proof = if self.rng.gen_bool(0.85) {
            Proof::compute(&CpuBackend::new(), a, &self.b, m as usize, K, N).expect("proof")
        } else {
            let mut c =
                proofwork_kernels::cpu::gemm_i8(&a, &self.b, m as usize, K, N).expect("gemm");
            for row in 0..m as usize {
                if self.rng.gen_bool(0.3) {
                    c[row * N] = c[row * N].wrapping_add(1);
                }
            }
            Proof::from_output(a, c, m as usize, K, N).expect("forged proof")
        };
        let c_root = proof.c_root();
        self.proofs.insert(c_root, proof);
        Some((
            who,
            vec![
                claim,
                Message::CommitWork(proofwork_tx::CommitWork {
                    job_id: j.id,
                    c_root,
                }),
            ],
        ))
    }

    /// After a pass: the client confirms or disputes the delivery of `C`, the worker answers
    /// a dispute with the named rows, or the client challenges a row (`ChallengeRow`: upheld
    /// when the worker forged that row, refuted otherwise). Mostly from the right signer.
    fn delivery_tx(&mut self, v: &View) -> Option<(usize, Vec<Message>)> {
        let (j, d) = self.pick(&v.deliveries)?;
        let right = |sim: &mut Self, who: [u8; 20]| {
            let who = sim.actor_of(&Address(who)).unwrap_or(0);
            if sim.rng.gen_bool(0.95) {
                who
            } else {
                sim.actor()
            }
        };
        let msg = match self.rng.gen_range(0..4) {
            0 => (
                right(self, j.client),
                Message::ConfirmOutput(proofwork_tx::ConfirmOutput { job_id: j.id }),
            ),
            1 => {
                let mut rows: Vec<u64> = (0..self.rng.gen_range(1..=3))
                    .map(|_| self.rng.gen_range(0..u64::from(j.m)))
                    .collect();
                rows.sort_unstable();
                rows.dedup();
                (
                    right(self, j.client),
                    Message::DisputeOutput(proofwork_tx::DisputeOutput { job_id: j.id, rows }),
                )
            }
            2 => {
                let work::DeliveryState::Disputed { rows, .. } = &d.state else {
                    return None;
                };
                let rows = self.proofs.get(&d.c_root)?.reveal(rows).ok()?;
                let rows = rows
                    .into_iter()
                    .map(|r| proofwork_tx::OutputRow {
                        index: r.index,
                        c_row: r.c_row,
                        c_proof: r.c_proof,
                    })
                    .collect();
                (
                    right(self, d.worker),
                    Message::AnswerDispute(proofwork_tx::AnswerDispute { job_id: j.id, rows }),
                )
            }
            _ => {
                let index = self.rng.gen_range(0..u64::from(j.m));
                let row = self.proofs.get(&d.c_root)?.reveal(&[index]).ok()?.pop()?;
                (
                    right(self, j.client),
                    Message::ChallengeRow(proofwork_tx::ChallengeRow { job_id: j.id, row }),
                )
            }
        };
        Some((msg.0, vec![msg.1]))
    }

    /// One tx: usually signed right; sometimes garbage, another chain, a low fee, a wrong
    /// nonce, a bad signature or a replay.
    fn tx(&mut self, v: &View) -> GenTx {
        let (who, messages) = if self.rng.gen_bool(0.15) {
            match self.work_tx(v) {
                Some(w) => w,
                None => {
                    let (w, m) = self.message(v);
                    (w, vec![m])
                }
            }
        } else {
            let (w, m) = self.message(v);
            let mut ms = vec![m];
            while self.rng.gen_bool(0.12) && ms.len() < 4 {
                ms.push(self.message(v).1);
            }
            (w, ms)
        };
        let mode = self.rng.gen_range(0..100);
        if mode < 2 {
            let len = self.rng.gen_range(0..200);
            let bytes = (0..len).map(|_| self.rng.gen()).collect();
            return GenTx {
                bytes,
                fee: 0,
                pays: false,
                messages: vec![],
            };
        }
        if mode < 4 && !self.sent.is_empty() {
            let i = self.rng.gen_range(0..self.sent.len());
            return GenTx {
                bytes: self.sent[i].clone(),
                fee: 0,
                pays: false,
                messages: vec![],
            };
        }
        let mut fee = self.rng.gen_range(1..=3);
        let mut chain = CHAIN.to_string();
        let mut nonce = self.nonces[who];
        let mut sig_ok = true;
        match mode {
            4 => chain = "pw-other".into(),
            5 => fee = 0,
            6 => nonce += self.rng.gen_range(1..3),
            7 if nonce > 0 => nonce -= 1,
            8 => sig_ok = false,
            _ => {}
        }
        let body = TxBody {
            chain_id: chain.clone(),
            nonce,
            fee,
            messages: messages.clone(),
        };
        let mut bytes = sign_body(&self.keys[who], &body);
        if !sig_ok {
            // Flip a byte of the signature (the end of the encoding).
            let last = bytes.len() - 2;
            bytes[last] ^= 0x40;
        }
        let stateless = decode_and_verify(&self.sigs, &self.limits, &bytes).is_ok();
        let pays = stateless && chain == CHAIN && fee >= 1 && nonce == self.nonces[who];
        if pays {
            self.nonces[who] += 1;
        }
        // Only txs that used their nonce are kept for replays (a tx from the future that
        // never ran would be valid later).
        if pays && self.sent.len() < 256 {
            self.sent.push(bytes.clone());
        } else if pays {
            let i = self.rng.gen_range(0..self.sent.len());
            self.sent[i] = bytes.clone();
        }
        GenTx {
            bytes,
            fee,
            pays,
            messages: if stateless { messages } else { vec![] },
        }
    }

    // ---------- one block ----------

    fn step(&mut self) {
        let view = self.view();
        let n = match self.rng.gen_range(0..10) {
            0 => 0,
            1..=6 => self.rng.gen_range(1..=4),
            _ => self.rng.gen_range(5..=14),
        };
        let txs: Vec<GenTx> = (0..n).map(|_| self.tx(&view)).collect();
        self.time_ns += self.rng.gen_range(1..=3) * 1_000_000_000;
        let height = view.height + 1;
        let mut hash_input = self.seed.to_be_bytes().to_vec();
        hash_input.extend_from_slice(&height.to_be_bytes());
        let input = BlockInput {
            height,
            time_ns: self.time_ns,
            proposer: vec![0; 20],
            hash: blake3::hash(&hash_input).as_bytes().to_vec(),
            txs: txs.iter().map(|t| t.bytes.clone()).collect(),
        };
        let pre_nonces: Vec<u64> = self
            .addrs
            .iter()
            .map(|a| accounts::nonce(self.storage(), a).unwrap())
            .collect();
        let pre_workers: BTreeMap<[u8; 20], work::Worker> = view
            .workers
            .iter()
            .map(|w| (w.address, w.clone()))
            .collect();

        // The shadow: a replica that never restarts.
        let shadow_out = self
            .shadow
            .finalize_block(input.clone())
            .unwrap_or_else(|e| violation(self.seed, height, format!("shadow FinalizeBlock: {e}")))
            .clone();

        let crash = self.rng.gen_range(0..100);
        let out = self.finalize(&input);
        if crash < 3 {
            // Killed after FinalizeBlock, before Commit: nothing of the block is on disk; the
            // engine hands the decided block over again.
            self.stats.crashes_before_commit += 1;
            self.main = None;
            let app = reopen(&self.main_dir.clone());
            self.put_app(app);
            if self.storage().latest().map(|l| l.height) != Some(height - 1) {
                self.fail(format!(
                    "after a crash before Commit the store is at {:?}, expected {}",
                    self.storage().latest(),
                    height - 1
                ));
            }
            let again = self.finalize(&input);
            if again.app_hash != out.app_hash || !same_results(&again, &out) {
                self.fail("re-executing a block after a crash gave another result".into());
            }
        }
        let marker = self.main_dir.join("COMMITTED_HEIGHT");
        let marker_before = (3..5).contains(&crash).then(|| std::fs::read(&marker).ok());
        self.app()
            .commit()
            .unwrap_or_else(|e| violation(self.seed, height, format!("Commit: {e}")));
        self.shadow
            .commit()
            .unwrap_or_else(|e| violation(self.seed, height, format!("shadow Commit: {e}")));
        if let Some(before) = marker_before {
            // Killed inside Commit, after the synced batch and before the marker.
            self.stats.crashes_in_commit += 1;
            self.main = None;
            if let Some(b) = before {
                std::fs::write(&marker, b).expect("put the old marker back");
            }
            let app = reopen(&self.main_dir.clone());
            self.put_app(app);
        } else if (5..8).contains(&crash) {
            self.stats.restarts += 1;
            self.main = None;
            let app = reopen(&self.main_dir.clone());
            self.put_app(app);
        }
        let latest = self.storage().latest().expect("latest");
        if latest.height != height || latest.app_hash != out.app_hash {
            self.fail(format!(
                "store at {} {} after committing {height} {}",
                latest.height,
                hex::encode(latest.app_hash),
                hex::encode(out.app_hash)
            ));
        }
        // 1. A fresh replica agrees.
        if shadow_out.app_hash != out.app_hash || !same_results(&shadow_out, &out) {
            self.fail(format!(
                "app hash {} differs from the replica's {}",
                hex::encode(out.app_hash),
                hex::encode(shadow_out.app_hash)
            ));
        }
        self.stats.blocks += 1;
        self.stats.txs += txs.len() as u64;
        for (t, r) in txs.iter().zip(&out.tx_results) {
            for m in &t.messages {
                *self.stats.tried_by_kind.entry(m.kind_name()).or_default() += 1;
            }
            if let (Err(e), [m]) = (&r.result, t.messages.as_slice()) {
                *self
                    .stats
                    .codes
                    .entry((m.kind_name(), e.code()))
                    .or_default() += 1;
            }
            if r.result.is_ok() {
                self.stats.ok_txs += 1;
                for m in &t.messages {
                    *self.stats.ok_by_kind.entry(m.kind_name()).or_default() += 1;
                }
            }
        }
        self.check(&view, &txs, &out, &pre_nonces, &pre_workers);
    }

    fn put_app(&mut self, app: App) {
        self.main = Some(app);
    }

    fn finalize(&mut self, input: &BlockInput) -> BlockOutcome {
        let seed = self.seed;
        self.app()
            .finalize_block(input.clone())
            .unwrap_or_else(|e| violation(seed, input.height, format!("FinalizeBlock: {e}")))
            .clone()
    }
}

fn same_results(a: &BlockOutcome, b: &BlockOutcome) -> bool {
    a.tx_results.len() == b.tx_results.len()
        && a.tx_results.iter().zip(&b.tx_results).all(|(x, y)| x == y)
}

fn supplies(s: &Storage) -> BTreeMap<String, Supply> {
    s.scan_prefix(accounts::state_key::SUPPLY_PREFIX, None, usize::MAX)
        .unwrap()
        .into_iter()
        .map(|(k, _)| {
            let d = String::from_utf8_lossy(&k[accounts::state_key::SUPPLY_PREFIX.len()..])
                .into_owned();
            let sup = accounts::supply(s, &d).unwrap();
            (d, sup)
        })
        .collect()
}

fn attr<'a>(e: &'a proofwork_node::app::Event, key: &str) -> Option<&'a str> {
    e.attributes
        .iter()
        .find(|a| a.key == key)
        .map(|a| a.value.as_str())
}

/// The leading amount of `"{amount}{denom}"`.
fn leading_amount(s: &str) -> Option<(u128, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    Some((s[..end].parse().ok()?, &s[end..]))
}

/// The royalty a price pays under a policy, computed here independently: each share's cut
/// is `ceil(price · bps / 10000)`, in policy order, never more than what is left.
fn expected_royalty(price: u128, shares: &[u16]) -> u128 {
    let mut left = price;
    let mut total = 0;
    for &bps in shares {
        let b = u128::from(bps.min(10_000));
        let cut = match price.checked_mul(b) {
            Some(x) => x.div_ceil(10_000),
            None => bps_of_ceil(price, u32::from(bps)),
        }
        .min(left);
        left -= cut;
        total += cut;
    }
    total
}

fn shares_of(p: &RoyaltyPolicy) -> Vec<u16> {
    p.shares.iter().map(|s| s.bps).collect()
}

/// The policy (its shares' bps) a sale of the item named in `event` pays, read from `s`.
fn sale_policy<S: StateRead>(s: &S, e: &proofwork_node::app::Event) -> Option<Vec<u16>> {
    if let Some(item) = attr(e, "item") {
        if item.starts_with("royalty right of ") {
            return Some(vec![]);
        }
        if let Some((class, token)) = item.rsplit_once('#') {
            let t = assets::token(s, class, token.parse().ok()?).ok()??;
            return Some(shares_of(&t.royalty));
        }
        let (_, denom) = leading_amount(item)?;
        if let Some(v) = fractional::vault_of_denom(s, denom).ok()? {
            let t = assets::token(s, &v.class, v.token).ok()??;
            return Some(shares_of(&t.royalty));
        }
        return Some(
            assets::class(s, denom)
                .ok()?
                .map(|c| shares_of(&c.royalty))
                .unwrap_or_default(),
        );
    }
    if let Some(id) = attr(e, "vault_id") {
        let v = fractional::vault(s, id.parse().ok()?).ok()??;
        let t = assets::token(s, &v.class, v.token).ok()??;
        return Some(shares_of(&t.royalty));
    }
    if let Some(hash) = attr(e, "content_hash") {
        let h: [u8; 32] = hex::decode(hash).ok()?.try_into().ok()?;
        let rec = ip::work(s, &h).ok()??;
        let t = assets::token(s, &rec.class, rec.token).ok()??;
        return Some(shares_of(&t.royalty));
    }
    let class = attr(e, "class")?;
    let t = assets::token(s, class, attr(e, "token_id")?.parse().ok()?).ok()??;
    Some(shares_of(&t.royalty))
}

fn balances_map<S: StateRead>(s: &S, who: &Address) -> BTreeMap<String, u128> {
    accounts::all_balances(s, who)
        .unwrap()
        .into_iter()
        .filter(|(_, v)| *v > 0)
        .collect()
}

fn add(m: &mut BTreeMap<String, u128>, denom: &str, amount: u128) {
    if amount > 0 {
        *m.entry(denom.to_string()).or_default() += amount;
    }
}

impl Sim {
    fn check(
        &mut self,
        pre: &View,
        txs: &[GenTx],
        out: &BlockOutcome,
        pre_nonces: &[u64],
        pre_workers: &BTreeMap<[u8; 20], work::Worker>,
    ) {
        let s = self.storage().clone();
        let pre_state = self.prev_state_reader();
        // Nonces: exactly the txs predicted to pay used one.
        for (i, (&was, &want)) in pre_nonces.iter().zip(&self.nonces).enumerate() {
            let n = accounts::nonce(&s, &self.addrs[i]).unwrap();
            if n != want || n < was {
                self.fail(format!(
                    "actor {i}'s nonce is {n} (was {was}), but {} txs of it were to pay a fee",
                    want - was
                ));
            }
        }
        // 2. Supply: balances add up; no zero balance stored (u128: none negative).
        if let Err(e) = accounts::check_supply_full(&s) {
            self.fail(format!("supply: {e}"));
        }
        for (k, v) in s
            .scan_prefix(accounts::state_key::BALANCE_PREFIX, None, usize::MAX)
            .unwrap()
        {
            let amount: u128 = codec::decode(&k, &v).unwrap();
            if amount == 0 {
                self.fail(format!("zero balance stored under {}", hex::encode(&k)));
            }
        }
        // Mints and burns accounted for.
        let now = supplies(&s);
        let mut mint: BTreeMap<String, u128> = BTreeMap::new();
        let mut burn: BTreeMap<String, u128> = BTreeMap::new();
        let fees: u128 = txs.iter().filter(|t| t.pays).map(|t| t.fee).sum();
        add(&mut burn, DENOM, fees);
        for (t, r) in txs.iter().zip(&out.tx_results) {
            let Ok(events) = &r.result else { continue };
            for m in &t.messages {
                match m {
                    Message::MintFungible(m) => add(&mut mint, &m.class, m.amount),
                    Message::CreateAssetClass(c) if !c.unique => {
                        add(&mut mint, &c.id, c.initial_supply)
                    }
                    Message::BurnAsset(b) if FUNGIBLE.contains(&b.class.as_str()) => {
                        add(&mut burn, &b.class, b.amount)
                    }
                    _ => {}
                }
            }
            for e in events.iter().filter(|e| e.kind == "work_verified") {
                let n = |k| attr(e, k).and_then(|v| v.parse::<u128>().ok()).unwrap_or(0);
                add(&mut burn, DENOM, n("burned"));
                add(&mut mint, CREDIT_DENOM, n("credits"));
            }
        }
        // Slashes (in txs or at the block's end) burn half of what they take, rounded up.
        let (mut slashed, mut slash_burn_min, mut vanished) = (0u128, 0u128, 0u128);
        let workers = work::workers(&s, usize::MAX).unwrap();
        for w in &workers {
            let before = pre_workers.get(&w.address).map_or(0, |p| p.slashed_total);
            let d = w.slashed_total - before.min(w.slashed_total);
            slashed += d;
            slash_burn_min += d.div_ceil(2);
        }
        for (a, w) in pre_workers {
            if !workers.iter().any(|x| x.address == *a) {
                vanished += w.bond;
            }
        }
        let denoms: BTreeSet<&String> = now.keys().chain(self.prev_supply.keys()).collect();
        for d in denoms {
            let old = self.prev_supply.get(d).copied().unwrap_or_default();
            let Some(new) = now.get(d).copied() else {
                self.fail(format!("the supply record of {d} vanished"));
            };
            if new.minted < old.minted || new.burned < old.burned {
                self.fail(format!("supply of {d} went back: {old:?} -> {new:?}"));
            }
            let (dm, db) = (new.minted - old.minted, new.burned - old.burned);
            let (em, eb) = (
                mint.get(d).copied().unwrap_or(0),
                burn.get(d).copied().unwrap_or(0),
            );
            if d == DENOM {
                let slack = db.checked_sub(eb);
                let ok = dm == 0
                    && slack.is_some_and(|x| x >= slash_burn_min && x <= slashed + vanished);
                if !ok {
                    self.fail(format!(
                        "{DENOM}: minted +{dm}, burned +{db}; expected no mint and a burn of {eb} (fees {fees}) plus {slash_burn_min}..={} of slashes",
                        slashed + vanished
                    ));
                }
            } else if d.starts_with(assets::FRACTION_DENOM_PREFIX) {
                // Checked against the vaults below.
            } else if (dm, db) != (em, eb) {
                self.fail(format!(
                    "{d}: minted +{dm}, burned +{db}; the block's successful txs mint {em} and burn {eb}"
                ));
            }
        }
        // 4. Module accounts hold exactly their open obligations.
        let mut esc = BTreeMap::new();
        for (_, e) in
            codec::scan::<escrow::Escrow, _>(&s, escrow::state_key::ESCROW_PREFIX, None, usize::MAX)
                .unwrap()
        {
            match e.state {
                EscrowState::Open => add(&mut esc, &e.denom, e.deposit),
                EscrowState::Funded => add(&mut esc, &e.denom, e.deposit + e.counter_deposit),
                _ => {}
            }
        }
        self.obligations("oracle escrow", &s, &escrow::account(), esc);
        let mut mkt = BTreeMap::new();
        let listings = market::listings(&s, 0, usize::MAX).unwrap();
        for l in &listings {
            match &l.item {
                Item::Fungible { denom, amount } => add(&mut mkt, denom, *amount),
                Item::Unique { class, token } => {
                    let t = assets::token(&s, class, *token).unwrap();
                    if !t.is_some_and(|t| t.owner == l.seller && t.lock == Lock::Listing(l.id)) {
                        self.fail(format!(
                            "listing {} of {} is not locked to it",
                            l.id, l.item
                        ));
                    }
                }
                Item::RoyaltyRight { .. } => {}
            }
        }
        for o in market::offers(&s, 0, usize::MAX).unwrap() {
            add(&mut mkt, &o.denom, o.price);
        }
        for a in market::auctions(&s, 0, usize::MAX).unwrap() {
            if let Some((_, b)) = a.best {
                add(&mut mkt, &a.denom, b);
            }
            if let Item::Fungible { denom, amount } = &a.item {
                add(&mut mkt, denom, *amount);
            }
        }
        self.obligations("market escrow", &s, &market::escrow_account(), mkt);
        let mut jobs = BTreeMap::new();
        for j in work::jobs(&s, None, usize::MAX).unwrap() {
            if matches!(
                j.status,
                JobStatus::Open | JobStatus::Claimed { .. } | JobStatus::Committed { .. }
            ) {
                let d = work::job_denom(&s, j.id, DENOM).unwrap();
                add(&mut jobs, &d, j.price);
            }
            // A verified job's delivery hold (ADR-008) stays in escrow until it is released
            // to the worker or refunded to the client.
            if let Some(d) = work::delivery(&s, j.id).unwrap() {
                if matches!(
                    d.state,
                    work::DeliveryState::Pending { .. } | work::DeliveryState::Disputed { .. }
                ) && d.hold > 0
                {
                    add(&mut jobs, &d.denom, d.hold);
                }
            }
        }
        let work_escrow = accounts::module_address(work::state_key::ESCROW_MODULE);
        self.obligations("work escrow", &s, &work_escrow, jobs);
        let mut bonds = BTreeMap::new();
        for w in &workers {
            add(&mut bonds, DENOM, w.bond);
        }
        let bond_account = accounts::module_address(work::state_key::BOND_MODULE);
        self.obligations("worker bonds", &s, &bond_account, bonds);
        for v in fractional::vaults(&s, 0, usize::MAX).unwrap() {
            let sup = accounts::supply(&s, &v.share_denom()).unwrap();
            if sup.circulating() != Some(v.outstanding) {
                self.fail(format!(
                    "vault {}: {:?} shares in circulation, {} outstanding",
                    v.id,
                    sup.circulating(),
                    v.outstanding
                ));
            }
            if v.outstanding == 0 && v.state != VaultState::Active {
                let held = balances_map(&s, &v.account());
                if !held.is_empty() {
                    self.fail(format!(
                        "vault {} has no shares left but holds {held:?}",
                        v.id
                    ));
                }
            }
        }
        // 5. Royalties on every priced sale.
        for r in &out.tx_results {
            let Ok(events) = &r.result else { continue };
            for e in events {
                if let Some(paid) = attr(e, "royalty_paid") {
                    let price = attr(e, "price")
                        .or_else(|| attr(e, "fee"))
                        .and_then(leading_amount)
                        .map(|(p, _)| p);
                    let Some(price) = price else {
                        self.fail(format!("sale event {} without a price", e.kind));
                    };
                    let total: u128 = paid
                        .split(',')
                        .filter(|x| !x.is_empty())
                        .map(|x| {
                            x.rsplit_once(':')
                                .and_then(|(_, v)| v.parse::<u128>().ok())
                                .unwrap_or(u128::MAX)
                        })
                        .sum();
                    let candidates: Vec<Vec<u16>> =
                        [sale_policy(&pre_state, e), sale_policy(&s, e)]
                            .into_iter()
                            .flatten()
                            .collect();
                    if candidates.is_empty() {
                        continue; // the item is gone (burnt in the same block)
                    }
                    self.stats.sales_checked += 1;
                    self.stats.royalty_units += total;
                    if !candidates
                        .iter()
                        .any(|p| expected_royalty(price, p) == total)
                    {
                        self.fail(format!(
                            "{} at {price} paid royalties {total} ({paid}); its policy's bps {candidates:?} ask for {}",
                            e.kind,
                            expected_royalty(price, &candidates[0])
                        ));
                    }
                }
                if e.kind == "work_verified" {
                    let n = |k| attr(e, k).and_then(|v| v.parse::<u128>().ok());
                    let (Some(id), Some(roy), Some(burned)) =
                        (n("job_id"), n("royalties"), n("burned"))
                    else {
                        self.fail("work_verified without its amounts".into());
                    };
                    let job = work::job(&s, id as u64).unwrap().expect("verified job");
                    let model = work::model(&s, job.model_id).unwrap().expect("model");
                    let bps: Vec<u16> = model.royalties.iter().map(|(_, b)| *b).collect();
                    let want = expected_royalty(job.price - burned, &bps);
                    self.stats.sales_checked += 1;
                    self.stats.royalty_units += roy;
                    if roy != want {
                        self.fail(format!(
                            "job {id} paid {roy} in royalties; its model's {bps:?} bps of {} ask for {want}",
                            job.price - burned
                        ));
                    }
                }
            }
        }
        let _ = pre;
        self.prev_supply = now;
    }

    fn obligations(
        &self,
        what: &str,
        s: &Storage,
        account: &Address,
        expected: BTreeMap<String, u128>,
    ) {
        let held = balances_map(s, account);
        if held != expected {
            self.fail(format!(
                "{what} account holds {held:?} but its open obligations are {expected:?}"
            ));
        }
    }

    /// Committed state as of the previous block (the tree keeps recent versions).
    fn prev_state_reader(&self) -> PrevState {
        let s = self.storage().clone();
        let h = s.latest().map_or(0, |l| l.height).saturating_sub(1);
        PrevState { s, h }
    }
}

/// Reads the store at an older version.
struct PrevState {
    s: Storage,
    h: u64,
}

impl StateRead for PrevState {
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, proofwork_state::StateError> {
        self.s.get_at(key, self.h)
    }
    fn scan_prefix(
        &self,
        _prefix: &[u8],
        _start_after: Option<&[u8]>,
        _limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, proofwork_state::StateError> {
        // Point reads only (policy lookups); a scan reads nothing.
        Ok(vec![])
    }
}

/// Replays the main store's block log on a new store and compares every app hash.
fn replay_log(seed: u64, root: &Path, source: &Storage) -> u64 {
    let (_dir, mut app) = create(root);
    let latest = source.latest().expect("latest").height;
    for h in 1..=latest {
        let rec = load_block(source, h).unwrap().expect("block record");
        let input = BlockInput {
            height: h,
            time_ns: rec.time_ns,
            proposer: rec.proposer,
            hash: rec.block_hash,
            txs: rec.txs,
        };
        let out = app
            .finalize_block(input)
            .unwrap_or_else(|e| violation(seed, h, format!("replay FinalizeBlock: {e}")));
        if out.app_hash.as_slice() != rec.app_hash.as_slice() {
            violation(
                seed,
                h,
                format!(
                    "a fresh replay of the block log gives app hash {} but {} was committed",
                    hex::encode(out.app_hash),
                    hex::encode(&rec.app_hash)
                ),
            );
        }
        app.commit().unwrap();
    }
    latest
}

fn run_seed(seed: u64, blocks: u64, root: &Path) -> Stats {
    let mut sim = Sim::new(seed, root);
    for _ in 0..blocks {
        sim.step();
    }
    let storage = sim.storage().clone();
    sim.stats.replayed_blocks = replay_log(seed, root, &storage);
    let stats = std::mem::take(&mut sim.stats);
    drop(storage);
    drop(sim);
    stats
}

#[test]
#[allow(clippy::disallowed_methods)] // wall clock for the report only
fn simulation_keeps_every_invariant() {
    let blocks = env_u64("PW_SIM_BLOCKS").unwrap_or(256);
    let seeds: Vec<u64> = match env_u64("PW_SIM_SEED") {
        Some(s) => vec![s],
        None => {
            let first = env_u64("PW_SIM_FIRST_SEED").unwrap_or(0);
            let n = env_u64("PW_SIM_SEEDS").unwrap_or(40);
            (first..first + n).collect()
        }
    };
    let threads = env_u64("PW_SIM_THREADS").unwrap_or(2).max(1) as usize;
    let root = scratch_root();
    let started = std::time::Instant::now();
    let next = AtomicU64::new(0);
    let total = Mutex::new(Stats::default());
    std::thread::scope(|scope| {
        for _ in 0..threads.min(seeds.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst) as usize;
                let Some(&seed) = seeds.get(i) else { break };
                let st = run_seed(seed, blocks, &root);
                eprintln!(
                    "sim seed {seed}: {} blocks, {} txs ({} ok), crashes {}+{}, restarts {}, {} sales checked",
                    st.blocks,
                    st.txs,
                    st.ok_txs,
                    st.crashes_before_commit,
                    st.crashes_in_commit,
                    st.restarts,
                    st.sales_checked
                );
                total.lock().unwrap().merge(&st);
            });
        }
    });
    let t = total.into_inner().unwrap();
    eprintln!(
        "simulation: {} seeds, {} blocks ({} replayed from the log), {} txs ({} ok), {} crashes before Commit, {} inside Commit, {} restarts, {} priced sales checked ({} royalty units), 0 violations, {:.1} s",
        seeds.len(),
        t.blocks,
        t.replayed_blocks,
        t.txs,
        t.ok_txs,
        t.crashes_before_commit,
        t.crashes_in_commit,
        t.restarts,
        t.sales_checked,
        t.royalty_units,
        started.elapsed().as_secs_f64()
    );
    let verbose = env_u64("PW_SIM_VERBOSE").is_some();
    for (k, tried) in &t.tried_by_kind {
        let codes: Vec<String> = t
            .codes
            .iter()
            .filter(|((kind, _), _)| kind == k)
            .map(|((_, c), n)| format!("{c}×{n}"))
            .collect();
        eprintln!(
            "  {k:>20}: {tried} sent, {} in successful txs{}",
            t.ok_by_kind.get(k).copied().unwrap_or(0),
            if verbose {
                format!("; failures by code: {}", codes.join(" "))
            } else {
                String::new()
            }
        );
    }
    // Every message kind must have been tried, and every module must have done something.
    if seeds.len() * blocks as usize >= 10_000 {
        let all = [
            "transfer",
            "create_asset_class",
            "mint_fungible",
            "mint_unique",
            "transfer_unique",
            "burn_asset",
            "freeze_asset",
            "force_transfer",
            "create_listing",
            "cancel_listing",
            "buy_listing",
            "make_offer",
            "accept_offer",
            "cancel_offer",
            "create_auction",
            "place_bid",
            "settle_auction",
            "fractionalize",
            "buyout",
            "redeem_shares",
            "unfractionalize",
            "register_ip",
            "add_license_terms",
            "take_license",
            "add_certifier",
            "attest",
            "create_escrow",
            "fund_escrow",
            "resolve_escrow",
            "refund_escrow",
            "register_model",
            "upload_model_chunk",
            "register_worker",
            "post_job",
            "claim_job",
            "commit_work",
            "reveal_work",
            "cancel_job",
            "confirm_output",
            "dispute_output",
            "answer_dispute",
            "challenge_row",
            "unbond_worker",
            "apply_validator",
            "vote_validator",
            "propose_removal",
        ];
        let unsucc: Vec<&str> = all
            .iter()
            .copied()
            .filter(|k| t.ok_by_kind.get(k).copied().unwrap_or(0) == 0)
            .collect();
        eprintln!("  never in a successful tx: {unsucc:?}");
        assert!(t.blocks >= 10_000);
    }
}
