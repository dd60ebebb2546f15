//! The worker side of useful work (`proofwork worker`) and a demo client that feeds it.
//!
//! ```text
//! client: RegisterModel + UploadModelChunk*  (once)      worker: RegisterWorker (bond)
//!         PostJob(a_root) ; Blobs.Upload(A) ──node──► Blobs.Stat(row_root = a_root) ;
//!                                                     ClaimJob ; Blobs.Download(A)
//!                                                     C = A·B on the backend (CUDA | CPU)
//!                                                     CommitWork(root over C's rows)
//!                                                     … wait for the beacon block …
//!                                                     RevealWork(sampled rows + proofs)
//! ```
//! `A` goes through the node's blob store (`Blobs`, streamed in 1 MiB chunks, so its size is
//! not bounded by the gRPC message limit; the node checks it against the job's `a_root`, and
//! the worker checks it again before computing; see `grpc::blobs`). The GPU is used here
//! only: validators check on the CPU.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context as _};
use proofwork_consensus::work::prover::{i8_root, Proof};
use proofwork_kernels::{random_i8, Backend};
use proofwork_proto::blobs::v1 as blobs_pb;
use proofwork_proto::block::v1 as block_pb;
use proofwork_proto::work::v1 as pb;
use proofwork_tx::{Address, Message, SecretKey};

use proofwork_client::{Client, Signer};

use crate::blobs::client::{self as blob_client, Kind};

/// A committed tx: its height and events.
#[derive(Debug, Clone)]
pub struct Sent {
    /// Height it was committed at.
    pub height: u64,
    /// Its events.
    pub events: Vec<block_pb::Event>,
}

impl Sent {
    /// The first value of attribute `key` in an event of kind `kind`.
    pub fn attr(&self, kind: &str, key: &str) -> Option<String> {
        self.events
            .iter()
            .filter(|e| e.kind == kind)
            .flat_map(|e| &e.attributes)
            .find(|a| a.key == key)
            .map(|a| a.value.clone())
    }
}

/// Signs `messages` with `key`'s next nonce and the builder's default fee, broadcasts them
/// and waits for the commit.
///
/// # Errors
/// RPC failures, a CheckTx refusal, or a failure in the block (with its code and log).
pub async fn send(
    client: &mut Client,
    key: &SecretKey,
    messages: Vec<Message>,
) -> anyhow::Result<Sent> {
    let mut signer = Signer::new(key.clone());
    let r = client.send_with(&mut signer, messages, true).await?;
    let c = r.committed.context("the tx was not committed in time")?;
    Ok(Sent {
        height: c.height,
        events: c.result.unwrap_or_default().events,
    })
}

/// Whether `e` is a tx refused (CheckTx) or failed (in its block) with `code`.
fn is_code(e: &anyhow::Error, code: u32) -> bool {
    matches!(
        e.downcast_ref::<proofwork_client::ClientError>(),
        Some(
            proofwork_client::ClientError::Refused { code: c, .. }
                | proofwork_client::ClientError::Failed { code: c, .. }
        ) if *c == code
    )
}

/// Jobs with a status ("" for all), at most 1000.
///
/// # Errors
/// RPC failures.
pub async fn jobs(client: &mut Client, status: &str) -> anyhow::Result<Vec<pb::JobInfo>> {
    Ok(client
        .jobs(pb::JobsRequest {
            status: status.into(),
            limit: 1000,
            ..Default::default()
        })
        .await?
        .jobs)
}

/// Registers a model with weights `b` (`k×n` int8, row-major, as bytes) and uploads its
/// rows in txs of at most `chunk_bytes` (each a whole number of rows), calling
/// `progress(rows uploaded)` after each. Returns the model id.
///
/// # Errors
/// RPC or tx failures.
pub async fn register_model(
    client: &mut Client,
    owner: &SecretKey,
    (k, n): (u32, u32),
    b: &[u8],
    royalties: Vec<(Address, u16)>,
    chunk_bytes: u32,
    progress: impl Fn(u32),
) -> anyhow::Result<u64> {
    anyhow::ensure!(
        b.len() as u64 == u64::from(k) * u64::from(n),
        "B has {} bytes, not k·n = {}",
        b.len(),
        u64::from(k) * u64::from(n)
    );
    let bi: Vec<i8> = b.iter().map(|&v| v as i8).collect();
    let root = i8_root(&bi, k as usize, n as usize)?;
    let sent = send(
        client,
        owner,
        vec![Message::RegisterModel(proofwork_tx::RegisterModel {
            k,
            n,
            b_root: root,
            royalties,
        })],
    )
    .await
    .context("registering the model")?;
    let id: u64 = sent
        .attr("register_model", "model_id")
        .context("no model id in the events")?
        .parse()?;
    let rows_per_chunk = (chunk_bytes / n).max(1);
    let mut row = 0;
    while row < k {
        let count = rows_per_chunk.min(k - row);
        let bytes = b[(row * n) as usize..((row + count) * n) as usize].to_vec();
        send(
            client,
            owner,
            vec![Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
                model_id: id,
                first_row: row,
                rows: bytes,
            })],
        )
        .await
        .with_context(|| format!("uploading rows {row}.."))?;
        row += count;
        progress(row);
    }
    Ok(id)
}

/// What a job of `m` rows on a `k×n` model costs and needs under the chain's parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobQuote {
    /// Multiply-adds.
    pub macs: u128,
    /// Credits it earns (and its price in credits).
    pub credits: u128,
    /// Lowest price in the chain denomination.
    pub min_price: u128,
    /// Commit and reveal windows if the job asks for the defaults (0).
    pub commit_blocks: u32,
    /// See `commit_blocks`.
    pub reveal_blocks: u32,
    /// The floors of the windows.
    pub commit_floor: u64,
    /// See `commit_floor`.
    pub reveal_floor: u64,
    /// Txs of its reveal.
    pub reveal_parts: u64,
    /// Bytes of `A` and of `C`.
    pub a_bytes: u64,
    /// See `a_bytes`.
    pub c_bytes: u64,
    /// Share of the worker's pay held until the output is delivered.
    pub delivery_hold_bps: u32,
}

/// Prices a job from the chain's parameters (the same rules as `PostJob`).
///
/// # Errors
/// A shape the chain refuses (the reason).
pub fn quote(p: &pb::ParamsResponse, m: u32, k: u32, n: u32) -> anyhow::Result<JobQuote> {
    let macs = proofwork_consensus::work::job_macs(m, k, n);
    let credits = (macs / u128::from(p.macs_per_credit.max(1))).max(1);
    let min_per: u128 = p.min_price_per_credit.parse()?;
    let wp = proofwork_consensus::work::WorkParams {
        sample_rows: p.sample_rows,
        macs_per_credit: p.macs_per_credit,
        min_price_per_credit: min_per,
        burn_bps: u16::try_from(p.burn_bps).unwrap_or(u16::MAX),
        ref_macs_per_block: p.ref_macs_per_block,
        min_window_blocks: p.min_window_blocks,
        ..Default::default()
    };
    let a_bytes = u64::from(m) * u64::from(k);
    let c_bytes = 4 * u64::from(m) * u64::from(n);
    anyhow::ensure!(
        a_bytes.max(c_bytes) <= p.max_job_bytes,
        "A is {a_bytes} bytes and C {c_bytes} bytes; the chain allows {} each",
        p.max_job_bytes
    );
    let parts = proofwork_consensus::work::reveal_parts(&wp, p.max_tx_bytes, m, k, n)
        .context("a revealed row of this job does not fit a tx")?;
    let commit_floor = proofwork_consensus::work::commit_floor(&wp, m, k, n);
    let reveal_floor = proofwork_consensus::work::reveal_floor(&wp, parts);
    anyhow::ensure!(
        commit_floor.max(reveal_floor) <= u64::from(p.max_window_blocks),
        "its windows need {commit_floor}/{reveal_floor} blocks, more than the chain's {}",
        p.max_window_blocks
    );
    Ok(JobQuote {
        macs,
        credits,
        min_price: proofwork_consensus::work::min_job_price(&wp, m, k, n),
        commit_blocks: p.default_commit_blocks.max(commit_floor as u32),
        reveal_blocks: p.default_reveal_blocks.max(reveal_floor as u32),
        commit_floor,
        reveal_floor,
        reveal_parts: parts,
        a_bytes,
        c_bytes,
        delivery_hold_bps: p.delivery_hold_bps,
    })
}

/// Posts a job with input `a` (`m×k` int8 bytes) and uploads `a` to the node's blob store
/// (`progress(bytes sent)`). Returns the job id.
///
/// # Errors
/// RPC or tx failures.
#[allow(clippy::too_many_arguments)]
pub async fn post_job(
    client: &mut Client,
    poster: &SecretKey,
    model_id: u64,
    (m, k): (u32, u32),
    a: Vec<u8>,
    price: u128,
    denom: Option<&str>,
    (commit_blocks, reveal_blocks): (u32, u32),
    progress: impl Fn(u64) + Send + Sync + 'static,
) -> anyhow::Result<u64> {
    let ai: Vec<i8> = a.iter().map(|&v| v as i8).collect();
    let root = i8_root(&ai, m as usize, k as usize)?;
    drop(ai);
    let sent = send(
        client,
        poster,
        vec![Message::PostJob(proofwork_tx::PostJob {
            model_id,
            a_root: root,
            m,
            price,
            commit_blocks,
            reveal_blocks,
            denom: denom.map(str::to_string),
        })],
    )
    .await
    .context("posting the job")?;
    let id: u64 = sent
        .attr("post_job", "job_id")
        .context("no job id in the events")?
        .parse()?;
    blob_client::upload_progress(
        client.blobs(),
        Arc::new(a),
        Kind::JobInput {
            job_id: id,
            row_len: k,
        },
        progress,
    )
    .await
    .context("uploading A")?;
    Ok(id)
}

/// Downloads a job's output `C` from the node's blob store (found by its committed
/// `c_root`) and checks every row against `c_root`: returns the job and `C` as
/// little-endian `i32` bytes (`m·4n`). `progress(bytes received)`.
///
/// # Errors
/// The job has no committed output, the node does not have it (the worker has not uploaded
/// it: dispute the delivery), or the bytes do not match `c_root`.
pub async fn download_output(
    client: &mut Client,
    job_id: u64,
    progress: impl Fn(u64),
) -> anyhow::Result<(pb::JobInfo, Vec<u8>)> {
    let job = client.job(job_id).await?;
    let c_root: [u8; 32] = job.c_root.as_slice().try_into().map_err(|_| {
        anyhow::anyhow!(
            "job {job_id} is {} and has no committed output yet",
            job.status
        )
    })?;
    let size = 4 * u64::from(job.m) * u64::from(job.n);
    let blob = client
        .blobs()
        .stat(blobs_pb::StatRequest {
            row_root: c_root.to_vec(),
            ..Default::default()
        })
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "the node has no output for job {job_id} ({}): the worker has not delivered \
                 it here; `proofwork work dispute` names rows it must put on chain",
                e.message()
            )
        })?
        .into_inner();
    let hash: [u8; 32] = blob
        .hash
        .as_slice()
        .try_into()
        .context("malformed blob hash")?;
    let bytes = blob_client::download_progress(client.blobs(), &hash, size, progress).await?;
    let (m, n) = (job.m, job.n);
    let root = tokio::task::spawn_blocking({
        let bytes = bytes.clone();
        move || output_root(&bytes, m, n)
    })
    .await??;
    if root != c_root {
        bail!("the downloaded output does not match the job's committed c_root");
    }
    Ok((job, bytes))
}

/// The committed root over the rows of `C` given as little-endian bytes (`m·4n`).
///
/// # Errors
/// A length that is not `m·4n`.
pub fn output_root(bytes: &[u8], m: u32, n: u32) -> anyhow::Result<[u8; 32]> {
    let row = 4 * n as usize;
    anyhow::ensure!(
        bytes.len() as u64 == u64::from(m) * row as u64 && row > 0,
        "C has {} bytes, not m·4n = {}",
        bytes.len(),
        u64::from(m) * row as u64
    );
    let mut b = proofwork_kernels::merkle::RowRootBuilder::new();
    for r in bytes.chunks_exact(row) {
        b.push_leaf(proofwork_kernels::merkle::leaf_hash_i32_le(r));
    }
    b.root().context("no rows")
}

/// Registers a model with random weights `B` (`k×n`, from `seed`), uploads it in chunks and
/// returns its id and `B`.
///
/// # Errors
/// RPC or tx failures.
pub async fn register_demo_model(
    client: &mut Client,
    owner: &SecretKey,
    k: u32,
    n: u32,
    royalties: Vec<(Address, u16)>,
    seed: u64,
) -> anyhow::Result<(u64, Vec<i8>)> {
    let b = random_i8(seed, k as usize * n as usize);
    let root = i8_root(&b, k as usize, n as usize)?;
    let sent = send(
        client,
        owner,
        vec![Message::RegisterModel(proofwork_tx::RegisterModel {
            k,
            n,
            b_root: root,
            royalties,
        })],
    )
    .await
    .context("registering the model")?;
    let id: u64 = sent
        .attr("register_model", "model_id")
        .context("no model id in the events")?
        .parse()?;
    let rows_per_chunk = ((512u32 << 10) / n).max(1);
    let mut row = 0;
    while row < k {
        let count = rows_per_chunk.min(k - row);
        let bytes = b[(row * n) as usize..((row + count) * n) as usize]
            .iter()
            .map(|&v| v as u8)
            .collect();
        send(
            client,
            owner,
            vec![Message::UploadModelChunk(proofwork_tx::UploadModelChunk {
                model_id: id,
                first_row: row,
                rows: bytes,
            })],
        )
        .await
        .with_context(|| format!("uploading rows {row}.."))?;
        row += count;
    }
    Ok((id, b))
}

/// Posts a job with a random `A` (`m×k`, from `seed`) on `model_id` and uploads `A` to the
/// node's blob store (streamed, checked by the node against the job). Returns the job id.
///
/// # Errors
/// RPC or tx failures.
pub async fn post_demo_job(
    client: &mut Client,
    poster: &SecretKey,
    model_id: u64,
    dims: (u32, u32),
    price: u128,
    seed: u64,
) -> anyhow::Result<u64> {
    post_demo_job_in(client, poster, model_id, dims, price, None, seed).await
}

/// [`post_demo_job`] priced in `denom` (`Some("credit")`: paid in compute credits).
pub async fn post_demo_job_in(
    client: &mut Client,
    poster: &SecretKey,
    model_id: u64,
    (m, k): (u32, u32),
    price: u128,
    denom: Option<&str>,
    seed: u64,
) -> anyhow::Result<u64> {
    let a = random_i8(seed, m as usize * k as usize);
    let root = i8_root(&a, m as usize, k as usize)?;
    let sent = send(
        client,
        poster,
        vec![Message::PostJob(proofwork_tx::PostJob {
            model_id,
            a_root: root,
            m,
            price,
            commit_blocks: 0,
            reveal_blocks: 0,
            denom: denom.map(str::to_string),
        })],
    )
    .await
    .context("posting the job")?;
    let id: u64 = sent
        .attr("post_job", "job_id")
        .context("no job id in the events")?
        .parse()?;
    let bytes: Vec<u8> = a.iter().map(|&v| v as u8).collect();
    blob_client::upload(
        client.blobs(),
        Arc::new(bytes),
        Kind::JobInput {
            job_id: id,
            row_len: k,
        },
    )
    .await
    .context("uploading A")?;
    Ok(id)
}

/// Whether a worker that computes `macs_per_sec` multiply-adds a second can meet a job's
/// windows with blocks every `block_ms` and reveal parts of `rows_per_tx` rows (docs/work.md
/// "Sizes and windows"). It needs twice its own compute estimate plus two blocks (its claim
/// and its commit are each included a block later) within the commit window, and one block
/// per reveal part plus one within the reveal window. `Err` says why not.
///
/// # Errors
/// The reason the worker skips the job.
pub fn can_meet(
    job: &pb::JobInfo,
    sample_rows: u32,
    rows_per_tx: u64,
    macs_per_sec: u64,
    block_ms: u64,
) -> Result<(), String> {
    let macs = proofwork_consensus::work::job_macs(job.m, job.k, job.n);
    let compute_ms = macs.saturating_mul(1000) / u128::from(macs_per_sec.max(1));
    let need_ms = compute_ms
        .saturating_mul(2)
        .saturating_add(2 * u128::from(block_ms));
    let have_ms = u128::from(job.commit_blocks) * u128::from(block_ms);
    if need_ms > have_ms {
        return Err(format!(
            "needs about {need_ms} ms to compute and commit, the commit window is {} blocks \
             (~{have_ms} ms)",
            job.commit_blocks
        ));
    }
    if rows_per_tx == 0 {
        return Err("a revealed row does not fit one tx".into());
    }
    let parts = u64::from(sample_rows.min(job.m)).div_ceil(rows_per_tx);
    if parts.saturating_add(1) > u64::from(job.reveal_blocks) {
        return Err(format!(
            "its reveal takes {parts} txs, the reveal window is {} blocks",
            job.reveal_blocks
        ));
    }
    Ok(())
}

/// Measures the backend's rate (multiply-adds per second, commitment included) on a small
/// GEMM, halved for safety.
///
/// # Errors
/// Kernel failures.
pub fn calibrate(backend: &dyn Backend) -> anyhow::Result<u64> {
    let (m, k, n) = (256usize, 1024usize, 1024usize);
    let a = random_i8(1, m * k);
    let b = random_i8(2, k * n);
    backend.gemm_and_commit(&a, &b, m, k, n)?; // warm-up
    #[allow(clippy::disallowed_methods)] // a worker's local rate estimate, not consensus
    let t = std::time::Instant::now();
    backend.gemm_and_commit(&a, &b, m, k, n)?;
    let us = t.elapsed().as_micros().max(1);
    let rate = (m * k * n) as u128 * 1_000_000 / us / 2;
    Ok(u64::try_from(rate).unwrap_or(u64::MAX).max(1))
}

/// `C` as the bytes of its rows (little-endian `i32`), the JOB_OUTPUT blob format.
pub fn c_bytes(c: &[i32]) -> Vec<u8> {
    c.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Worker settings.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Bond to post when not registered (or below the minimum).
    pub bond: u128,
    /// Validator to credit (ed25519 key).
    pub validator: Option<[u8; 32]>,
    /// Polling interval.
    pub poll: Duration,
    /// Stop after this many settled jobs (0: run until stopped).
    pub max_jobs: u64,
    /// The backend's rate in multiply-adds per second (None: measured at start).
    pub macs_per_sec: Option<u64>,
    /// The chain's block interval the worker plans with, in ms.
    pub block_ms: u64,
    /// Upload `C` to the node's blob store after committing (the client's result; a worker
    /// that does not risks its held pay: docs/adr-008-job-output-delivery.md).
    pub deliver: bool,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            bond: 10_000,
            validator: None,
            poll: Duration::from_millis(300),
            max_jobs: 0,
            macs_per_sec: None,
            block_ms: 1000,
            deliver: true,
        }
    }
}

/// Outputs the worker keeps to answer disputes (docs/adr-008-job-output-delivery.md).
const KEPT_OUTPUTS: usize = 16;

/// What a worker did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WorkerStats {
    /// Jobs verified.
    pub verified: u64,
    /// Jobs slashed.
    pub slashed: u64,
    /// Credits earned.
    pub credits: u128,
}

/// Runs the worker loop until `stop` is set or `max_jobs` jobs are settled. Progress goes to
/// stdout (prefixed with `label`).
///
/// # Errors
/// Registration failure or a lost connection; a single job's failure is logged and skipped.
pub async fn run_worker(
    url: &str,
    key: SecretKey,
    backend: Arc<dyn Backend>,
    opts: WorkerOptions,
    stop: Arc<AtomicBool>,
    label: &str,
) -> anyhow::Result<WorkerStats> {
    let mut client = Client::connect(url).await?;
    let me = key.public_key().address();
    let params = client.work_params().await?;
    let min_bond: u128 = params.min_bond.parse()?;
    let registered = client
        .workers(1000)
        .await?
        .workers
        .into_iter()
        .find(|w| w.address == me.to_string());
    let bond: u128 = registered.as_ref().map_or(Ok(0), |w| w.bond.parse())?;
    if registered.is_none() || bond < min_bond {
        send(
            &mut client,
            &key,
            vec![Message::RegisterWorker(proofwork_tx::RegisterWorker {
                bond: opts.bond.max(min_bond),
                validator: opts.validator,
            })],
        )
        .await
        .context("registering as a worker")?;
        println!(
            "{label} registered worker {me} with bond {} (backend {})",
            opts.bond.max(min_bond),
            backend.name()
        );
    }
    let mut stats = WorkerStats::default();
    let mut weights: BTreeMap<u64, Arc<Vec<i8>>> = BTreeMap::new();
    let rate = match opts.macs_per_sec {
        Some(r) => r,
        None => {
            let be = backend.clone();
            tokio::task::spawn_blocking(move || calibrate(be.as_ref())).await??
        }
    };
    let max_tx_bytes = match params.max_tx_bytes {
        0 => 1 << 20,
        b => b,
    };
    let mut skipped = std::collections::BTreeSet::new();
    let mut kept: BTreeMap<u64, Arc<Proof>> = BTreeMap::new();
    while !stop.load(Ordering::Relaxed) {
        if opts.max_jobs > 0 && stats.verified + stats.slashed >= opts.max_jobs {
            break;
        }
        if let Err(e) = answer_disputes(&mut client, &key, &mut kept, label).await {
            println!("{label} answering disputes: {e:#}");
        }
        let open = jobs(&mut client, "posted").await?;
        let mut have: u128 = client
            .workers(1000)
            .await?
            .workers
            .into_iter()
            .find(|w| w.address == me.to_string())
            .map_or(0, |w| w.bond.parse().unwrap_or(0));
        let mut picked = None;
        for j in open {
            if skipped.contains(&j.id) {
                continue;
            }
            let per_tx = proofwork_consensus::work::reveal_rows_per_tx(max_tx_bytes, j.m, j.k, j.n);
            if let Err(why) = can_meet(&j, params.sample_rows, per_tx, rate, opts.block_ms) {
                println!(
                    "{label} job {}: skipped, its windows are too short for this worker \
                     ({rate} MAC/s): {why}",
                    j.id
                );
                skipped.insert(j.id);
                continue;
            }
            // Claims are bonded in proportion to the price (docs/work.md "Bonds"): top the
            // bond up to what this job's claim needs, or skip the job if that fails.
            let price: u128 = j.price.parse().unwrap_or(u128::MAX);
            let need = min_bond.max(
                price
                    .saturating_mul(u128::from(params.claim_bond_bps))
                    .div_ceil(10_000),
            );
            if have < need {
                let topped = send(
                    &mut client,
                    &key,
                    vec![Message::RegisterWorker(proofwork_tx::RegisterWorker {
                        bond: need - have,
                        validator: None,
                    })],
                )
                .await;
                match topped {
                    Ok(_) => {
                        println!("{label} bond topped up to {need} for job {}", j.id);
                        have = need;
                    }
                    Err(e) => {
                        println!(
                            "{label} job {}: skipped, its claim needs a bond of {need} and the \
                             top-up failed: {e:#}",
                            j.id
                        );
                        skipped.insert(j.id);
                        continue;
                    }
                }
            }
            // A job is workable once its input is on the node (indexed by the job's a_root).
            if let Ok(r) = client
                .blobs()
                .stat(blobs_pb::StatRequest {
                    row_root: j.a_root.clone(),
                    ..Default::default()
                })
                .await
            {
                picked = Some((j, r.into_inner()));
                break;
            }
        }
        let Some((job, a)) = picked else {
            tokio::time::sleep(opts.poll).await;
            continue;
        };
        match work_one(
            &mut client,
            &key,
            &backend,
            &mut weights,
            &job,
            a,
            &opts,
            max_tx_bytes,
            &stop,
            label,
        )
        .await
        {
            Ok(Some(outcome)) => {
                if outcome.kind == "work_verified" {
                    stats.verified += 1;
                    stats.credits += outcome.credits;
                    if let Some(p) = outcome.proof {
                        if kept.len() >= KEPT_OUTPUTS {
                            kept.pop_first();
                        }
                        kept.insert(job.id, p);
                    }
                } else {
                    stats.slashed += 1;
                }
            }
            Ok(None) => {}
            Err(e) => println!("{label} job {}: {e:#}", job.id),
        }
    }
    Ok(stats)
}

/// Downloads a job's `A` (streamed) and checks it against the job's `a_root` before any
/// compute: the node checked it too, but a worker trusts only the chain.
async fn fetch_input(
    client: &mut Client,
    job: &pb::JobInfo,
    blob: &blobs_pb::BlobInfo,
) -> anyhow::Result<Vec<i8>> {
    let (m, k) = (job.m as usize, job.k as usize);
    let size = u64::from(job.m) * u64::from(job.k);
    let hash: [u8; 32] = blob
        .hash
        .as_slice()
        .try_into()
        .context("the node returned a malformed blob hash")?;
    let bytes = blob_client::download(client.blobs(), &hash, size)
        .await
        .with_context(|| format!("downloading A ({size} bytes)"))?;
    if bytes.len() as u64 != size {
        bail!("A has {} bytes, expected m·k = {size}", bytes.len());
    }
    let a: Vec<i8> = bytes.into_iter().map(|v| v as i8).collect();
    let a = tokio::task::spawn_blocking(move || i8_root(&a, m, k).map(|root| (a, root))).await??;
    if a.1.as_slice() != job.a_root.as_slice() {
        bail!("the downloaded input does not hash to the job's a_root");
    }
    Ok(a.0)
}

struct Outcome {
    kind: String,
    credits: u128,
    proof: Option<Arc<Proof>>,
}

/// Answers the open disputes on the outputs the worker keeps, and forgets the outputs whose
/// delivery is settled.
async fn answer_disputes(
    client: &mut Client,
    key: &SecretKey,
    kept: &mut BTreeMap<u64, Arc<Proof>>,
    label: &str,
) -> anyhow::Result<()> {
    let ids: Vec<u64> = kept.keys().copied().collect();
    for id in ids {
        let j = client.job(id).await?;
        match j.delivery.as_str() {
            "disputed" => {
                let proof = kept[&id].clone();
                let rows = proof.output_rows(&j.disputed_rows)?;
                let n = rows.len();
                send(
                    client,
                    key,
                    vec![Message::AnswerDispute(proofwork_tx::AnswerDispute {
                        job_id: id,
                        rows,
                    })],
                )
                .await
                .context("answering the dispute")?;
                println!("{label} job {id}: answered a dispute with {n} rows of C on chain");
            }
            "pending" => {}
            _ => {
                kept.remove(&id);
            }
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn work_one(
    client: &mut Client,
    key: &SecretKey,
    backend: &Arc<dyn Backend>,
    weights: &mut BTreeMap<u64, Arc<Vec<i8>>>,
    job: &pb::JobInfo,
    a: blobs_pb::BlobInfo,
    opts: &WorkerOptions,
    max_tx_bytes: u64,
    stop: &AtomicBool,
    label: &str,
) -> anyhow::Result<Option<Outcome>> {
    // Fetch and check A before claiming: a claim we cannot work costs a slash.
    let a = fetch_input(client, job, &a).await?;
    if let Err(e) = send(
        client,
        key,
        vec![Message::ClaimJob(proofwork_tx::ClaimJob { job_id: job.id })],
    )
    .await
    {
        // Another worker was faster: not an error of ours.
        tracing::debug!(job = job.id, error = %e, "claim failed");
        return Ok(None);
    }
    let (m, k, n) = (job.m as usize, job.k as usize, job.n as usize);
    let b = match weights.get(&job.model_id) {
        Some(b) => b.clone(),
        None => {
            let b = Arc::new(client.model_weights(job.model_id, job.k, job.n).await?);
            weights.insert(job.model_id, b.clone());
            b
        }
    };
    let be = backend.clone();
    #[allow(clippy::disallowed_methods)] // reporting kernel time at the worker, not consensus
    let started = std::time::Instant::now();
    let proof =
        tokio::task::spawn_blocking(move || Proof::compute(be.as_ref(), a, &b, m, k, n)).await??;
    let ms = started.elapsed().as_millis();
    if proof.a_root().as_slice() != job.a_root.as_slice() {
        bail!("the stored input does not match the job's a_root");
    }
    let sent = send(
        client,
        key,
        vec![Message::CommitWork(proofwork_tx::CommitWork {
            job_id: job.id,
            c_root: proof.c_root(),
        })],
    )
    .await
    .context("committing")?;
    println!(
        "{label} job {}: computed C = A·B ({m}×{k}·{k}×{n}) on {} in {ms} ms, committed root {}… at height {}",
        job.id,
        backend.name(),
        &hex::encode(proof.c_root())[..16],
        sent.height
    );
    if opts.deliver {
        // The client's result: the node checks it against the committed c_root as it streams.
        let bytes = c_bytes(proof.c());
        let size = bytes.len();
        #[allow(clippy::disallowed_methods)] // reporting transfer time at the worker
        let t = std::time::Instant::now();
        blob_client::upload(
            client.blobs(),
            Arc::new(bytes),
            Kind::JobOutput {
                job_id: job.id,
                row_len: job.n.saturating_mul(4),
            },
        )
        .await
        .context("uploading C")?;
        println!(
            "{label} job {}: uploaded C ({size} bytes) to the node's blob store in {} ms",
            job.id,
            t.elapsed().as_millis()
        );
    }
    let proof = Arc::new(proof);
    let sample = loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let s = client.sample(job.id).await?;
        if s.ready {
            break s;
        }
        tokio::time::sleep(opts.poll).await;
    };
    // A reveal larger than a tx goes in parts, in order, one tx each (docs/work.md "Sizes
    // and windows").
    let per_tx = proofwork_consensus::work::reveal_rows_per_tx(max_tx_bytes, job.m, job.k, job.n)
        .max(1) as usize;
    let chunks: Vec<&[u64]> = sample.rows.chunks(per_tx).collect();
    let mut sent = None;
    for (i, part) in chunks.iter().enumerate() {
        let rows = proof.reveal(part)?;
        // A block whose `k·n` products are all taken refuses the part (431) and extends the
        // reveal deadline by a block (docs/work.md "Validator cost"): send it again.
        let mut tries = 0u32;
        let s = loop {
            let r = send(
                client,
                key,
                vec![Message::RevealWork(proofwork_tx::RevealWork {
                    job_id: job.id,
                    rows: rows.clone(),
                })],
            )
            .await;
            match r {
                Err(e) if tries < 1000 && is_code(&e, 431) => {
                    tries += 1;
                    tokio::time::sleep(opts.poll).await;
                }
                r => {
                    break r
                        .with_context(|| format!("revealing part {} of {}", i + 1, chunks.len()))?
                }
            }
        };
        let settled = s.attr("work_verified", "job_id").is_some()
            || s.attr("work_slashed", "job_id").is_some();
        sent = Some(s);
        if settled {
            break;
        }
    }
    let sent = sent.context("no rows to reveal")?;
    if let Some(credits) = sent.attr("work_verified", "credits") {
        println!(
            "{label} job {}: beacon block {} sampled {} rows; revealed in {} tx(s), the last at \
             height {}: VERIFIED, paid {} upw (+{} held until delivery), royalties {} upw, \
             burned {} upw, +{credits} credits",
            job.id,
            sample.beacon_height,
            sample.rows.len(),
            chunks.len(),
            sent.height,
            sent.attr("work_verified", "paid").unwrap_or_default(),
            sent.attr("work_verified", "held").unwrap_or_default(),
            sent.attr("work_verified", "royalties").unwrap_or_default(),
            sent.attr("work_verified", "burned").unwrap_or_default(),
        );
        return Ok(Some(Outcome {
            kind: "work_verified".into(),
            credits: credits.parse().unwrap_or(0),
            proof: Some(proof),
        }));
    }
    println!(
        "{label} job {}: SLASHED: {}",
        job.id,
        sent.attr("work_slashed", "reason").unwrap_or_default()
    );
    Ok(Some(Outcome {
        kind: "work_slashed".into(),
        credits: 0,
        proof: None,
    }))
}
