//! `proofwork`: the node binary and its command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context as _};
use base64::Engine as _;
use clap::{Args, Parser, Subcommand};
use proofwork_client::Client;
use proofwork_node::app::{App, SigCache};
use proofwork_node::blobs::{gc as blob_gc, BlobStore};
use proofwork_node::engine::{self, Node};
use proofwork_node::home::{self, Home};
use proofwork_node::{abci, audit, cometbft, grpc, testnet};
use proofwork_state::{Storage, StorageConfig};
use proofwork_tx::{Address, Message, SecretKey};

mod assets_cli;
mod bench;
mod demo;

#[derive(Parser)]
#[command(
    name = "proofwork",
    version,
    about = "A permissioned chain for tokenized assets, weighted by useful GPU work"
)]
struct Cli {
    /// Log format.
    #[arg(long, global = true, default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Args, Clone)]
struct HomeArg {
    /// Node home directory.
    #[arg(long, env = "PROOFWORK_HOME", default_value_os_t = default_home())]
    home: PathBuf,
}

#[derive(Args, Clone)]
struct NodeArg {
    /// gRPC address of the node.
    #[arg(long, env = "PROOFWORK_NODE", default_value = "http://127.0.0.1:9090")]
    node: String,
}

fn default_home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".proofwork")
}

#[derive(Subcommand)]
enum Cmd {
    /// Create a home: validator key, demo account keys, genesis and config.
    Init {
        #[command(flatten)]
        home: HomeArg,
        /// Chain id.
        #[arg(long, default_value = "proofwork-local")]
        chain_id: String,
        /// Overwrite an existing home (deletes its data).
        #[arg(long)]
        force: bool,
    },
    /// Run the node: the embedded engine and gRPC, or with --abci an ABCI server for CometBFT.
    Start {
        #[command(flatten)]
        home: HomeArg,
        /// Serve ABCI for CometBFT instead of running the embedded engine, at this address
        /// (default: `[abci] listen` in config.toml). gRPC is served too; broadcasts go to
        /// the CometBFT RPC in `[cometbft] rpc`.
        #[arg(long, num_args = 0..=1, default_missing_value = "")]
        abci: Option<String>,
        /// CometBFT RPC address for `--abci` mode (overrides config.toml).
        #[arg(long)]
        cometbft_rpc: Option<String>,
        /// gRPC listen address (overrides config.toml).
        #[arg(long)]
        grpc: Option<SocketAddr>,
        /// Block interval in ms (overrides config.toml).
        #[arg(long)]
        block_ms: Option<u64>,
        /// Prometheus listen address (overrides config.toml; "" disables).
        #[arg(long)]
        metrics: Option<String>,
        /// Also run the useful-work demo: a client posting jobs and an in-process worker (CUDA when a GPU opens, else CPU)
        /// (embedded engine only; uses the demo accounts of `proofwork init`).
        #[arg(long)]
        work_demo: bool,
    },
    /// Initialise (if needed) and run a node with a demo client: blocks, transfers, balances.
    Demo {
        #[command(flatten)]
        home: HomeArg,
        /// Stop after this many blocks (0 runs until Ctrl-C).
        #[arg(long, default_value_t = 0)]
        blocks: u64,
    },
    /// Manage account keys.
    Keys {
        #[command(flatten)]
        home: HomeArg,
        #[command(subcommand)]
        cmd: KeysCmd,
    },
    /// Sign and broadcast transactions.
    Tx {
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
        #[command(subcommand)]
        cmd: TxCmd,
    },
    /// Query state.
    Query {
        #[command(flatten)]
        node: NodeArg,
        #[command(subcommand)]
        cmd: QueryCmd,
    },
    /// Print the node's status as JSON (height, app_hash, …).
    Status {
        #[command(flatten)]
        node: NodeArg,
    },
    /// Auditing: replay the chain from genesis.
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// Run a useful-work worker: claim jobs, compute C = A·B (CUDA when present, CPU
    /// otherwise), commit, wait for the beacon, reveal.
    Worker {
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
        /// Key name in the keyring (the worker's account).
        #[arg(long)]
        key: String,
        /// Kernel backend: auto (CUDA when a device opens), cpu or cuda.
        #[arg(long, default_value = "auto")]
        backend: String,
        /// CUDA GEMM kernel: auto (the fastest verified on this device: tma on Hopper),
        /// tma, tma-mc or wgmma (Hopper), mma (sm_80+) or dp4a. Results are identical
        /// either way.
        #[arg(long, default_value = "auto")]
        gemm_kernel: String,
        /// Bond to post if not yet registered (native denomination).
        #[arg(long, default_value_t = 10_000)]
        bond: u128,
        /// Validator (ed25519 key, hex) credited with this worker's verified work.
        #[arg(long)]
        validator: Option<String>,
        /// Stop after this many settled jobs (0: run until Ctrl-C).
        #[arg(long, default_value_t = 0)]
        max_jobs: u64,
    },
    /// Lay out a loopback CometBFT network: N validators' CometBFT and proofwork homes.
    Testnet {
        /// Genesis validators.
        #[arg(long, default_value_t = 4)]
        validators: usize,
        /// Extra nodes outside the genesis validator set (they can apply to join).
        #[arg(long, default_value_t = 0)]
        full_nodes: usize,
        /// Output directory (created; must be empty).
        #[arg(long)]
        out: PathBuf,
        /// First port: node I uses base+10·I + {0 p2p, 1 CometBFT RPC, 2 ABCI, 3 gRPC}.
        #[arg(long, default_value_t = 26600)]
        base_port: u16,
        /// Chain id.
        #[arg(long, default_value = "proofwork-localnet")]
        chain_id: String,
        /// CometBFT timeout_commit in ms (the pause between blocks).
        #[arg(long, default_value_t = 300)]
        timeout_commit_ms: u64,
        /// CometBFT timeout_propose in ms.
        #[arg(long, default_value_t = 1000)]
        timeout_propose_ms: u64,
    },
    /// Write the latest committed state (every key/value, height, app hash) to a file.
    Export {
        #[command(flatten)]
        home: HomeArg,
        /// Output file.
        #[arg(long)]
        out: PathBuf,
        /// Height to export; only the latest committed height can be exported.
        #[arg(long)]
        height: Option<u64>,
    },
    /// Restore a snapshot into this home's (empty) store, checking its root.
    Import {
        #[command(flatten)]
        home: HomeArg,
        /// Snapshot file from `proofwork export`.
        #[arg(long)]
        file: PathBuf,
    },
    /// Load tools.
    Bench {
        #[command(subcommand)]
        cmd: bench::BenchCmd,
    },
}

#[derive(Subcommand)]
enum KeysCmd {
    /// Create a new key.
    Add { name: String },
    /// List keys.
    List,
    /// Show one key's address and public key.
    Show { name: String },
}

#[derive(Subcommand)]
enum TxCmd {
    /// Transfer funds.
    Transfer {
        /// Key name in the keyring.
        #[arg(long)]
        from: String,
        /// Recipient address, or a key name in the keyring.
        #[arg(long)]
        to: String,
        /// Amount.
        #[arg(long)]
        amount: u128,
        /// Denomination.
        #[arg(long, default_value = "upw")]
        denom: String,
        /// Fee (native denomination).
        #[arg(long, default_value_t = 1)]
        fee: u128,
        /// Return once the tx is in the mempool instead of waiting for the commit.
        #[arg(long)]
        no_wait: bool,
    },
    #[command(flatten)]
    Asset(assets_cli::AssetTxCmd),
    /// Apply to join the validator set; the signer becomes the validator's operator.
    ApplyValidator {
        /// Key name of the applicant (future operator).
        #[arg(long)]
        from: String,
        /// ed25519 consensus key, base64; or use --key-file.
        #[arg(long, conflicts_with = "key_file")]
        pubkey: Option<String>,
        /// CometBFT priv_validator_key.json to take the public key from.
        #[arg(long)]
        key_file: Option<PathBuf>,
        /// Validator name.
        #[arg(long)]
        moniker: String,
        /// sr25519 VRF public key, hex; or use --vrf-key-file (default: the home's
        /// vrf_key.json).
        #[arg(long, conflicts_with = "vrf_key_file")]
        vrf_pubkey: Option<String>,
        /// vrf_key.json to take the VRF public key from.
        #[arg(long)]
        vrf_key_file: Option<PathBuf>,
    },
    /// Vote on an open application (operators of current validators only).
    VoteValidator {
        /// Operator key name.
        #[arg(long)]
        from: String,
        /// Application id (see `query applications`).
        #[arg(long)]
        application: u64,
        /// Reject instead of approving.
        #[arg(long)]
        reject: bool,
    },
    /// Stop taking jobs and ask for the worker's bond back: it returns at the end of the
    /// first block `unbonding_blocks` after this one at which the worker holds no job.
    UnbondWorker {
        /// Worker key name.
        #[arg(long)]
        from: String,
    },
    /// Propose removing a validator (counts as the proposer's approval).
    ProposeRemoval {
        /// Operator key name.
        #[arg(long)]
        from: String,
        /// ed25519 consensus key of the validator, base64.
        #[arg(long)]
        pubkey: String,
    },
}

#[derive(Subcommand)]
enum QueryCmd {
    /// One balance.
    Balance {
        address: String,
        #[arg(long, default_value = "upw")]
        denom: String,
    },
    /// Nonce and all balances.
    Account { address: String },
    /// A committed tx by hash (hex).
    Tx { hash: String },
    /// Useful-work jobs with their status (posted, claimed, committed, verified, cancelled,
    /// expired) as JSON.
    Jobs {
        /// Only jobs with this status.
        #[arg(long, default_value = "")]
        status: String,
    },
    /// One job as JSON.
    Job { id: u64 },
    /// Registered models as JSON.
    Models,
    /// Registered workers as JSON.
    Workers,
    /// Compute credits of an address (minted only for verified work).
    Credits { address: String },
    /// A block header from the block log (height, time, app hash, tx count) as JSON.
    Block { height: u64 },
    /// Any state key at a height, with a Merkle proof (JSON, for `audit verify-proof`).
    State {
        /// Key as hex.
        #[arg(long, conflicts_with = "key_str")]
        key: Option<String>,
        /// Key as text (e.g. `chain/params`).
        #[arg(long)]
        key_str: Option<String>,
        /// Height (0 = latest).
        #[arg(long, default_value_t = 0)]
        height: u64,
    },
    #[command(flatten)]
    Asset(assets_cli::AssetQueryCmd),
    /// The validator set.
    Validators,
    /// Open validator applications (admissions and removals) and their votes.
    Applications,
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Re-execute every block from genesis and check every app hash.
    Replay {
        /// Home of a stopped node (its genesis and block log).
        #[command(flatten)]
        home: HomeArg,
        /// Genesis file (defaults to HOME/genesis.json; required with an RPC source). A
        /// proofwork or a CometBFT genesis.json.
        #[arg(long)]
        genesis: Option<PathBuf>,
        /// Where the blocks come from instead of HOME: a CometBFT node's RPC
        /// (`http://127.0.0.1:26657`), or a directory holding a block log (a stopped node's
        /// home or its data directory).
        #[arg(long)]
        source: Option<String>,
        /// Stop at this height.
        #[arg(long)]
        up_to: Option<u64>,
    },
    /// Verify a state proof offline against a block header, with no database or node.
    VerifyProof {
        /// Header JSON from `proofwork query block H` (needs `height` and `app_hash`).
        #[arg(long)]
        header: PathBuf,
        /// Proof JSON from `proofwork query state … > proof.json`.
        #[arg(long)]
        proof: PathBuf,
    },
}

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        b.json().init();
    } else {
        b.init();
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(&cli.log_format);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.cmd {
        Cmd::Init {
            home,
            chain_id,
            force,
        } => {
            let h = Home(home.home);
            let g = home::init(&h, &chain_id, force)?;
            println!("initialised {} for chain {}", h.0.display(), g.chain_id);
            for a in &g.app_state.accounts {
                println!("  funded {} with {} upw", a.address, a.balances[0].amount);
            }
            Ok(())
        }
        Cmd::Start {
            home,
            abci,
            cometbft_rpc,
            grpc,
            block_ms,
            metrics,
            work_demo,
        } => {
            let h = Home(home.home);
            let mut cfg = h.load_config()?;
            if let Some(ms) = block_ms {
                cfg.engine.block_interval_ms = ms;
            }
            if let Some(g) = grpc {
                cfg.grpc.listen = g.to_string();
            }
            if let Some(m) = metrics {
                cfg.metrics.listen = m;
            }
            if let Some(r) = cometbft_rpc {
                cfg.cometbft.rpc = r;
            }
            match abci {
                Some(addr) => {
                    let addr = if addr.is_empty() {
                        cfg.abci.listen.clone()
                    } else {
                        addr
                    };
                    rt.block_on(start_abci(&h, &cfg, &addr))
                }
                None if work_demo => rt.block_on(demo::run_work_only(h, cfg)),
                None => rt.block_on(start_embedded(h, cfg, None, ctrl_c())),
            }
        }
        Cmd::Demo { home, blocks } => rt.block_on(demo::run(Home(home.home), blocks)),
        Cmd::Keys { home, cmd } => keys(Home(home.home), cmd),
        Cmd::Tx { home, node, cmd } => rt.block_on(tx(Home(home.home), &node.node, cmd)),
        Cmd::Query { node, cmd } => rt.block_on(query(&node.node, cmd)),
        Cmd::Status { node } => rt.block_on(async {
            let s = Client::connect(&node.node).await?.status().await?;
            let v = serde_json::json!({
                "chain_id": s.chain_id,
                "height": s.height,
                "app_hash": hex::encode(&s.app_hash),
                "mempool_size": s.mempool_size,
            });
            println!("{}", serde_json::to_string_pretty(&v)?);
            Ok(())
        }),
        Cmd::Audit {
            cmd:
                AuditCmd::Replay {
                    home,
                    genesis,
                    source,
                    up_to,
                },
        } => {
            let h = Home(home.home);
            let rpc = source
                .as_deref()
                .filter(|s| s.starts_with("http://") || s.starts_with("tcp://"));
            let genesis = match (genesis, rpc) {
                (Some(p), _) => proofwork_genesis::Genesis::from_json(
                    &std::fs::read(&p).with_context(|| format!("reading {}", p.display()))?,
                )
                .with_context(|| format!("parsing genesis {}", p.display()))?,
                (None, Some(_)) => bail!("--genesis FILE is required with an RPC --source"),
                // A node home given as --source carries its own genesis.
                (None, None) => match source.as_deref().map(|d| Home(PathBuf::from(d))) {
                    Some(src) if src.0.join("genesis.json").exists() => src.load_genesis()?,
                    _ => h.load_genesis()?,
                },
            };
            let scratch = tempdir("proofwork-replay")?;
            #[allow(clippy::disallowed_methods)] // reporting speed at the CLI edge
            let started = std::time::Instant::now();
            let report = match (rpc, source.as_deref()) {
                (Some(url), _) => {
                    println!("replaying from CometBFT RPC {url}");
                    rt.block_on(audit::replay_rpc(genesis, url, &scratch, up_to, true))
                }
                (None, dir) => {
                    let dir = dir.map_or_else(
                        || h.data(),
                        |d| {
                            let d = PathBuf::from(d);
                            let as_home = Home(d.clone()).data();
                            if as_home.exists() {
                                as_home
                            } else {
                                d
                            }
                        },
                    );
                    let source = Storage::open_read_only(&dir, StorageConfig::default())
                        .with_context(|| {
                            format!(
                                "opening the block log at {} (is the node still running?)",
                                dir.display()
                            )
                        })?;
                    audit::replay(&genesis, &source, &scratch, up_to, true)
                }
            };
            let elapsed = started.elapsed().as_secs_f64().max(1e-9);
            let _ = std::fs::remove_dir_all(&scratch);
            let report = report?;
            println!("genesis app hash {}", report.genesis_app_hash);
            println!(
                "heights checked: {}, txs re-executed: {}",
                report.heights_checked, report.txs
            );
            println!(
                "replay speed: {:.0} blocks/s, {:.0} tx/s ({:.2} s)",
                report.heights_checked as f64 / elapsed,
                report.txs as f64 / elapsed,
                elapsed
            );
            match report.mismatch {
                None => {
                    println!("OK: every app hash matches");
                    Ok(())
                }
                Some(m) => {
                    println!(
                        "MISMATCH at height {} ({}): recorded {} recomputed {}",
                        m.height, m.what, m.recorded, m.recomputed
                    );
                    for d in m.differing_results {
                        println!("  {d}");
                    }
                    if !m.differing_keys.is_empty() {
                        println!("  state keys written by this block that differ from the source:");
                        for k in m.differing_keys {
                            println!("    {k}");
                        }
                    }
                    std::process::exit(1)
                }
            }
        }
        Cmd::Audit {
            cmd: AuditCmd::VerifyProof { header, proof },
        } => {
            let header: serde_json::Value = serde_json::from_slice(&std::fs::read(&header)?)
                .with_context(|| format!("parsing header {}", header.display()))?;
            let proof: proofwork_state::StateProof =
                serde_json::from_slice(&std::fs::read(&proof)?)
                    .with_context(|| format!("parsing proof {}", proof.display()))?;
            let h = header["height"].as_u64().context("header has no height")?;
            let app_hash: [u8; 32] = hex::decode(
                header["app_hash"]
                    .as_str()
                    .context("header has no app_hash")?,
            )?
            .try_into()
            .map_err(|_| anyhow::anyhow!("app_hash must be 32 bytes"))?;
            if h != proof.height {
                bail!(
                    "proof is for height {} but the header is for height {h}",
                    proof.height
                );
            }
            proof.verify(&app_hash)?;
            match &proof.value {
                Some(v) => println!(
                    "OK: key {} = {} at height {h}",
                    hex::encode(&proof.key),
                    hex::encode(v)
                ),
                None => println!(
                    "OK: key {} is absent at height {h}",
                    hex::encode(&proof.key)
                ),
            }
            Ok(())
        }
        Cmd::Export { home, out, height } => {
            let h = Home(home.home);
            let storage = h
                .open_store_read_only()
                .context("opening the node's store (stop the node first)")?;
            let latest = storage.latest().context("nothing committed yet")?.height;
            if let Some(want) = height {
                if want != latest {
                    bail!(
                        "only the latest committed height ({latest}) can be exported, not {want}"
                    );
                }
            }
            let chain_id = proofwork_genesis::chain_id(&storage)?.unwrap_or_default();
            let header = proofwork_node::snapshot::export(&storage, &chain_id, &out)?;
            println!("{}", serde_json::to_string_pretty(&header)?);
            Ok(())
        }
        Cmd::Import { home, file } => {
            let h = Home(home.home);
            let storage = Storage::open(h.data(), StorageConfig::default())?;
            let (header, stored) = proofwork_node::snapshot::import(&file, &storage)?;
            println!(
                "imported {} entries of chain {}: height {} app hash {} (rebuilt root matches)",
                header.entries,
                header.chain_id,
                stored.height,
                hex::encode(stored.app_hash)
            );
            Ok(())
        }
        Cmd::Bench { cmd } => rt.block_on(bench::run(cmd)),
        Cmd::Worker {
            home,
            node,
            key,
            backend,
            gemm_kernel,
            bond,
            validator,
            max_jobs,
        } => {
            let h = Home(home.home);
            let (_, key) = home::load_key(&h, &key)?;
            let choice: proofwork_kernels::BackendChoice = backend
                .parse()
                .map_err(|e| anyhow::anyhow!("--backend: {e}"))?;
            let gemm: proofwork_kernels::GemmKernel = gemm_kernel
                .parse()
                .map_err(|e| anyhow::anyhow!("--gemm-kernel: {e}"))?;
            let backend: Arc<dyn proofwork_kernels::Backend> =
                Arc::from(proofwork_kernels::detect_backend_with(choice, gemm)?);
            let validator = validator
                .map(|v| -> anyhow::Result<[u8; 32]> {
                    hex::decode(&v)?
                        .try_into()
                        .map_err(|_| anyhow::anyhow!("--validator must be 32 bytes of hex"))
                })
                .transpose()?;
            let opts = proofwork_node::worker::WorkerOptions {
                bond,
                validator,
                max_jobs,
                ..Default::default()
            };
            rt.block_on(async move {
                let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
                let s2 = stop.clone();
                tokio::spawn(async move {
                    ctrl_c().await;
                    s2.store(true, Ordering::Relaxed);
                });
                println!("worker {} on {} (backend {})", key.public_key().address(), node.node, backend.name());
                let stats = proofwork_node::worker::run_worker(
                    &node.node, key, backend, opts, stop, "[worker]",
                )
                .await?;
                println!(
                    "{}",
                    serde_json::json!({"verified": stats.verified, "slashed": stats.slashed, "credits": stats.credits.to_string()})
                );
                Ok(())
            })
        }
        Cmd::Testnet {
            validators,
            full_nodes,
            out,
            base_port,
            chain_id,
            timeout_commit_ms,
            timeout_propose_ms,
        } => {
            #[allow(clippy::disallowed_methods)] // genesis time of a new network: now
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_secs();
            let layout = testnet::generate(&testnet::TestnetOptions {
                validators,
                full_nodes,
                out: out.clone(),
                base_port,
                chain_id,
                timeout_commit_ms,
                timeout_propose_ms,
                genesis_time: testnet::rfc3339(now),
            })?;
            println!(
                "laid out {} nodes for chain {} in {}",
                layout.nodes.len(),
                layout.chain_id,
                out.display()
            );
            for n in &layout.nodes {
                println!(
                    "  {} {:9} p2p {} rpc {} abci {} grpc {}",
                    n.name,
                    if n.validator { "validator" } else { "full" },
                    n.p2p_port,
                    n.rpc_port,
                    n.abci_port,
                    n.grpc_port
                );
            }
            println!("start it with: scripts/localnet.sh start {}", out.display());
            Ok(())
        }
    }
}

fn job_json(j: &proofwork_proto::work::v1::JobInfo) -> serde_json::Value {
    serde_json::json!({
        "id": j.id, "status": j.status, "client": j.client, "worker": j.worker,
        "model_id": j.model_id, "m": j.m, "k": j.k, "n": j.n, "price": j.price,
        "denom": j.denom,
        "a_root": hex::encode(&j.a_root), "c_root": hex::encode(&j.c_root),
        "commit_height": j.commit_height, "deadline": j.deadline, "slashes": j.slashes,
        "posted_height": j.posted_height, "last_event": j.last_event,
    })
}

fn tempdir(prefix: &str) -> anyhow::Result<PathBuf> {
    let mut rnd = [0u8; 8];
    getrandom::fill(&mut rnd).map_err(|e| anyhow::anyhow!("{e}"))?;
    let p = std::env::temp_dir().join(format!("{prefix}-{}", hex::encode(rnd)));
    std::fs::create_dir_all(&p)?;
    Ok(p)
}

fn open_app(h: &Home, keep_recent: u64) -> anyhow::Result<App> {
    let storage = h.open_store(keep_recent)?;
    // Holds decoded pending txs (entries leave at commit): 128k of them is ~50 MB at most.
    let mut app = App::new(storage, Arc::new(SigCache::new(1 << 17)))?;
    app.set_probe(Arc::new(proofwork_node::metrics::NodeProbe));
    // The VRF key signs vote extensions (the work beacon); a full node has none to use.
    if h.vrf_key().exists() {
        app.set_vrf_secret(Arc::new(home::load_vrf_key(&h.vrf_key())?));
    }
    Ok(app)
}

/// Serves ABCI for CometBFT and, beside it, gRPC (queries read the same store; broadcasts
/// go to the local CometBFT RPC). Runs until Ctrl-C or until the ABCI server fails.
async fn start_abci(
    h: &Home,
    cfg: &proofwork_node::config::Config,
    addr: &str,
) -> anyhow::Result<()> {
    let app = open_app(h, cfg.storage.keep_recent)?;
    if let Some(l) = app.info() {
        tracing::info!(height = l.height, app_hash = %hex::encode(l.app_hash), "resuming");
    }
    let storage = app.storage().clone();
    let waiters = Arc::new(proofwork_node::waiters::CommitWaiters::default());
    let hook_waiters = waiters.clone();
    let abci_app = abci::AbciApp::new(app, cfg.mempool.max_tx_bytes).with_commit_hook(Arc::new(
        move |outcome| hook_waiters.notify(outcome.height, &outcome.tx_results),
    ));
    // Bind before spawning so that a port clash is reported, not logged from a thread.
    let listener = std::net::TcpListener::bind(addr.trim_start_matches("tcp://"))
        .with_context(|| format!("binding ABCI on {addr}"))?;
    let abci_thread = std::thread::Builder::new()
        .name("abci-accept".into())
        .spawn(move || abci::serve_listener(abci_app, listener))?;
    let backend = grpc::Backend::Comet(Arc::new(cometbft::CometBackend::new(
        storage,
        &cfg.cometbft.rpc,
        waiters,
    )));
    let grpc_addr: SocketAddr = cfg.grpc.listen.parse().context("grpc.listen")?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let blobs = BlobStore::open(h.blobs(), cfg.blob_limits())
        .with_context(|| format!("opening {}", h.blobs().display()))?;
    blobs.export_metrics();
    let blob_gc = blob_gc::spawn(blobs.clone(), backend.storage().clone(), cfg.blob_gc());
    let server = tokio::spawn(grpc::serve_backend(
        backend,
        grpc_addr,
        cfg.grpc_limits(),
        blobs,
        async {
            let _ = stop_rx.await;
        },
    ));
    let metrics_stop = spawn_metrics(cfg)?;
    tracing::info!(cometbft_rpc = %cfg.cometbft.rpc, "ABCI mode: gRPC broadcasts forward to CometBFT");
    loop {
        tokio::select! {
            _ = ctrl_c() => break,
            _ = tokio::time::sleep(Duration::from_millis(200)) => {
                if abci_thread.is_finished() || server.is_finished() { break; }
            }
        }
    }
    let _ = stop_tx.send(());
    let _ = metrics_stop.send(());
    blob_gc.abort();
    if server.is_finished() {
        server.await??;
    }
    if abci_thread.is_finished() {
        abci_thread
            .join()
            .map_err(|_| anyhow::anyhow!("ABCI thread panicked"))?
            .context("ABCI server")?;
    }
    Ok(())
}

/// Serves `/metrics` on `metrics.listen` (unless empty) until the returned sender fires or
/// is dropped.
fn spawn_metrics(
    cfg: &proofwork_node::config::Config,
) -> anyhow::Result<tokio::sync::oneshot::Sender<()>> {
    let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
    if !cfg.metrics.listen.is_empty() {
        let maddr: SocketAddr = cfg.metrics.listen.parse().context("metrics.listen")?;
        tokio::spawn(async move {
            if let Err(e) = proofwork_node::metrics::serve(maddr, async {
                let _ = stop_rx.await;
            })
            .await
            {
                tracing::warn!(error = %e, "metrics endpoint failed");
            }
        });
    }
    Ok(stop)
}

/// Runs the embedded engine and gRPC until Ctrl-C (or until `max_blocks` blocks).
pub(crate) async fn start_embedded(
    h: Home,
    cfg: proofwork_node::config::Config,
    ready: Option<tokio::sync::oneshot::Sender<Arc<Node>>>,
    stop_on: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let mut app = open_app(&h, cfg.storage.keep_recent)?;
    if app.info().is_none() {
        let g = h.load_genesis()?;
        let hash = app.init_chain(&g.chain_id, &g.app_state)?;
        tracing::info!(chain_id = %g.chain_id, app_hash = %hex::encode(hash), "genesis applied");
    } else if let Some(l) = app.info() {
        tracing::info!(height = l.height, app_hash = %hex::encode(l.app_hash), "resuming from the last commit");
    }
    let node = Node::new(app, cfg.engine())?;
    let addr: SocketAddr = cfg.grpc.listen.parse().context("grpc.listen")?;
    let stop = engine::stop_flag();
    let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
    let blobs = BlobStore::open(h.blobs(), cfg.blob_limits())
        .with_context(|| format!("opening {}", h.blobs().display()))?;
    blobs.export_metrics();
    let blob_gc = blob_gc::spawn(blobs.clone(), node.storage().clone(), cfg.blob_gc());
    let grpc = tokio::spawn(grpc::serve(
        node.clone(),
        addr,
        cfg.grpc_limits(),
        blobs,
        async {
            let _ = shutdown_rx.await;
        },
    ));
    let metrics_stop = spawn_metrics(&cfg)?;
    let engine_node = node.clone();
    let engine_stop = stop.clone();
    let engine = std::thread::Builder::new()
        .name("engine".into())
        .spawn(move || engine_node.run(&engine_stop))?;
    if let Some(r) = ready {
        let _ = r.send(node.clone());
    }
    tokio::pin!(stop_on);
    loop {
        tokio::select! {
            _ = &mut stop_on => break,
            _ = tokio::time::sleep(Duration::from_millis(200)) => {
                if engine.is_finished() { break; }
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    let _ = shutdown_tx.send(());
    blob_gc.abort();
    let _ = metrics_stop.send(());
    let res = engine
        .join()
        .map_err(|_| anyhow::anyhow!("engine thread panicked"))?;
    let _ = grpc.await;
    res.context("the engine stopped")?;
    Ok(())
}

/// Resolves on Ctrl-C.
pub(crate) async fn ctrl_c() {
    let _ = tokio::signal::ctrl_c().await;
}

fn keys(h: Home, cmd: KeysCmd) -> anyhow::Result<()> {
    match cmd {
        KeysCmd::Add { name } => {
            let kf = home::add_key(&h, &name, &SecretKey::generate())?;
            println!(
                "{}",
                serde_json::json!({"name": kf.name, "address": kf.address, "public_key": kf.public_key})
            );
        }
        KeysCmd::List => {
            for kf in home::list_keys(&h)? {
                println!("{:<12} {}", kf.name, kf.address);
            }
        }
        KeysCmd::Show { name } => {
            let (kf, _) = home::load_key(&h, &name)?;
            println!(
                "{}",
                serde_json::json!({"name": kf.name, "address": kf.address, "public_key": kf.public_key})
            );
        }
    }
    Ok(())
}

fn resolve_address(h: &Home, s: &str) -> anyhow::Result<Address> {
    if let Ok(a) = s.parse::<Address>() {
        return Ok(a);
    }
    if s.starts_with("pw1") {
        bail!(
            "{s:?} is not a valid address: {}",
            s.parse::<Address>().unwrap_err()
        );
    }
    let (kf, _) = home::load_key(h, s)
        .with_context(|| format!("{s:?} is neither an address nor a key name"))?;
    Ok(kf.address.parse()?)
}

async fn tx(h: Home, node: &str, cmd: TxCmd) -> anyhow::Result<()> {
    match cmd {
        TxCmd::Asset(cmd) => assets_cli::tx(&h, node, cmd).await,
        TxCmd::Transfer {
            from,
            to,
            amount,
            denom,
            fee,
            no_wait,
        } => {
            let (_, key) = home::load_key(&h, &from)?;
            let to = resolve_address(&h, &to)?;
            let mut c = Client::connect(node).await?;
            // Built and broadcast by hand (not `Client::transfer`): a tx that fails in its
            // block is still printed before the command fails.
            let tx = c
                .build(&key, fee)
                .await?
                .transfer(to, &denom, amount)
                .sign(&key);
            let r = c.broadcast(tx.bytes, !no_wait).await?;
            if r.code != 0 {
                bail!("tx refused (code {}): {}", r.code, r.log);
            }
            let committed = r.committed.as_ref().map(|c| {
                let res = c.result.clone().unwrap_or_default();
                serde_json::json!({"height": c.height, "index": c.index, "code": res.code, "log": res.log})
            });
            println!(
                "{}",
                serde_json::json!({"hash": hex::encode(&r.hash), "committed": committed})
            );
            if let Some(c) = r.committed.and_then(|c| c.result) {
                if c.code != 0 {
                    bail!("tx failed in the block (code {}): {}", c.code, c.log);
                }
            }
            Ok(())
        }
        TxCmd::ApplyValidator {
            from,
            pubkey,
            key_file,
            moniker,
            vrf_pubkey,
            vrf_key_file,
        } => {
            let vrf_hex = match (vrf_pubkey, vrf_key_file) {
                (Some(p), _) => p,
                (None, f) => {
                    let f = f.unwrap_or_else(|| h.vrf_key());
                    let kf: home::VrfKeyFile =
                        serde_json::from_slice(&std::fs::read(&f).with_context(|| {
                            format!(
                                "reading {} (give --vrf-pubkey or --vrf-key-file)",
                                f.display()
                            )
                        })?)?;
                    kf.public
                }
            };
            let vrf_pubkey =
                proofwork_genesis::decode_vrf_key(&vrf_hex).map_err(|e| anyhow::anyhow!(e))?;
            let pk_b64 = match (pubkey, key_file) {
                (Some(p), _) => p,
                (None, Some(f)) => {
                    let kf: home::ValidatorKeyFile = serde_json::from_slice(
                        &std::fs::read(&f).with_context(|| format!("reading {}", f.display()))?,
                    )?;
                    kf.pub_key.value
                }
                (None, None) => bail!("give --pubkey or --key-file"),
            };
            let consensus_pubkey =
                proofwork_genesis::decode_pub_key(&pk_b64).map_err(|e| anyhow::anyhow!(e))?;
            send_message(
                &h,
                node,
                &from,
                Message::ApplyValidator(proofwork_tx::ApplyValidator {
                    consensus_pubkey,
                    moniker,
                    vrf_pubkey,
                }),
            )
            .await
        }
        TxCmd::VoteValidator {
            from,
            application,
            reject,
        } => {
            send_message(
                &h,
                node,
                &from,
                Message::VoteValidator(proofwork_tx::VoteValidator {
                    application_id: application,
                    approve: !reject,
                }),
            )
            .await
        }
        TxCmd::UnbondWorker { from } => {
            send_message(
                &h,
                node,
                &from,
                Message::UnbondWorker(proofwork_tx::UnbondWorker),
            )
            .await
        }
        TxCmd::ProposeRemoval { from, pubkey } => {
            let consensus_pubkey =
                proofwork_genesis::decode_pub_key(&pubkey).map_err(|e| anyhow::anyhow!(e))?;
            send_message(
                &h,
                node,
                &from,
                Message::ProposeRemoval(proofwork_tx::ProposeRemoval { consensus_pubkey }),
            )
            .await
        }
    }
}

/// Signs one message with the key's next nonce, broadcasts it, waits for the commit and
/// prints the result (events included) as JSON.
async fn send_message(h: &Home, node: &str, from: &str, msg: Message) -> anyhow::Result<()> {
    let (_, key) = home::load_key(h, from)?;
    let mut c = Client::connect(node).await?;
    let r = c.send(&key, vec![msg], 1, true).await?;
    let res = r
        .committed
        .as_ref()
        .and_then(|c| c.result.clone())
        .unwrap_or_default();
    let events: Vec<_> = res
        .events
        .iter()
        .map(|e| {
            let attrs: serde_json::Map<String, serde_json::Value> = e
                .attributes
                .iter()
                .map(|a| (a.key.clone(), serde_json::Value::String(a.value.clone())))
                .collect();
            serde_json::json!({"type": e.kind, "attributes": attrs})
        })
        .collect();
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({
            "hash": hex::encode(&r.hash),
            "height": r.committed.as_ref().map(|c| c.height),
            "code": res.code,
            "log": res.log,
            "events": events,
        }))?
    );
    if res.code != 0 {
        bail!("tx failed in the block (code {}): {}", res.code, res.log);
    }
    Ok(())
}

async fn query(node: &str, cmd: QueryCmd) -> anyhow::Result<()> {
    if let QueryCmd::Asset(cmd) = cmd {
        return assets_cli::query(node, cmd).await;
    }
    let mut c = Client::connect(node).await?;
    match cmd {
        QueryCmd::Asset(_) => unreachable!("handled above"),
        QueryCmd::Jobs { status } => {
            let jobs: Vec<_> = proofwork_node::worker::jobs(&mut c, &status)
                .await?
                .iter()
                .map(job_json)
                .collect();
            println!("{}", serde_json::to_string_pretty(&jobs)?);
        }
        QueryCmd::Job { id } => {
            println!(
                "{}",
                serde_json::to_string_pretty(&job_json(&c.job(id).await?))?
            );
        }
        QueryCmd::Models => {
            let ms = c
                .models(proofwork_proto::work::v1::ModelsRequest::default())
                .await?
                .models;
            let v: Vec<_> = ms
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "id": m.id, "owner": m.owner, "k": m.k, "n": m.n,
                        "b_root": hex::encode(&m.b_root), "rows_uploaded": m.rows_uploaded,
                        "active": m.active, "jobs_verified": m.jobs_verified,
                        "royalties_paid": m.royalties_paid,
                        "credit_royalties_paid": m.credit_royalties_paid,
                        "royalties": m.royalties.iter().map(|r| serde_json::json!({"recipient": r.recipient, "bps": r.bps})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        QueryCmd::Workers => {
            let ws = c.workers(0).await?.workers;
            let v: Vec<_> = ws
                .iter()
                .map(|w| {
                    serde_json::json!({
                        "address": w.address, "bond": w.bond, "validator": w.validator,
                        "active_claims": w.active_claims, "jobs_verified": w.jobs_verified,
                        "slashes": w.slashes, "credits_earned": w.credits_earned,
                        "slashed_total": w.slashed_total,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        QueryCmd::Credits { address } => {
            let a: Address = address.parse()?;
            println!(
                "{}",
                c.balance(&a, proofwork_state::accounts::CREDIT_DENOM)
                    .await?
            );
        }
        QueryCmd::Balance { address, denom } => {
            let a: Address = address.parse()?;
            println!("{}", c.balance(&a, &denom).await?);
        }
        QueryCmd::Account { address } => {
            let a: Address = address.parse()?;
            let r = c.account(&a).await?;
            let balances: Vec<_> = r
                .balances
                .iter()
                .map(|b| serde_json::json!({"denom": b.denom, "amount": b.amount}))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "address": r.address, "nonce": r.nonce, "height": r.height, "balances": balances
                }))?
            );
        }
        QueryCmd::Block { height } => {
            let b = c.get_block(height).await?;
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "height": b.height,
                    "time_ns": b.time_ns,
                    "block_hash": hex::encode(&b.block_hash),
                    "app_hash": hex::encode(&b.app_hash),
                    "prev_app_hash": hex::encode(&b.prev_app_hash),
                    "num_txs": b.txs.len(),
                }))?
            );
        }
        QueryCmd::State {
            key,
            key_str,
            height,
        } => {
            let key = match (key, key_str) {
                (Some(k), _) => hex::decode(k).context("--key must be hex")?,
                (None, Some(s)) => s.into_bytes(),
                (None, None) => bail!("give --key HEX or --key-str TEXT"),
            };
            let r = c.query_state(&key, height, true).await?;
            let proof = proofwork_state::StateProof {
                height: r.height,
                app_hash: r
                    .app_hash
                    .as_slice()
                    .try_into()
                    .context("app hash must be 32 bytes")?,
                key: r.key,
                value: r.exists.then_some(r.value),
                proof: r.proof,
            };
            println!("{}", serde_json::to_string_pretty(&proof)?);
        }
        QueryCmd::Tx { hash } => {
            let r = c
                .get_tx(&hex::decode(&hash).context("hash must be hex")?)
                .await?;
            let res = r.result.unwrap_or_default();
            println!(
                "{}",
                serde_json::json!({"height": r.height, "index": r.index, "code": res.code, "log": res.log, "codespace": res.codespace})
            );
        }
        QueryCmd::Validators => {
            let r = c.validators().await?;
            let b64 = base64::engine::general_purpose::STANDARD;
            let vals: Vec<_> = r
                .validators
                .iter()
                .map(|v| {
                    serde_json::json!({
                        "pub_key": b64.encode(&v.pub_key),
                        "address": hex::encode_upper(&v.address),
                        "power": v.power,
                        "moniker": v.moniker,
                        "operator": v.operator,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "height": r.height, "total_power": r.total_power, "validators": vals
                }))?
            );
        }
        QueryCmd::Applications => {
            let r = c.applications().await?;
            let b64 = base64::engine::general_purpose::STANDARD;
            let apps: Vec<_> = r
                .applications
                .iter()
                .map(|a| {
                    let votes: Vec<_> = a
                        .votes
                        .iter()
                        .map(|v| serde_json::json!({"validator": b64.encode(&v.validator), "approve": v.approve}))
                        .collect();
                    serde_json::json!({
                        "id": a.id,
                        "kind": a.kind,
                        "consensus_pubkey": b64.encode(&a.consensus_pubkey),
                        "operator": a.operator,
                        "moniker": a.moniker,
                        "submitted_height": a.submitted_height,
                        "approve_power": a.approve_power,
                        "reject_power": a.reject_power,
                        "votes": votes,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "height": r.height, "total_power": r.total_power, "applications": apps
                }))?
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory as _;
        super::Cli::command().debug_assert();
    }
}
