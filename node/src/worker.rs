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
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            bond: 10_000,
            validator: None,
            poll: Duration::from_millis(300),
            max_jobs: 0,
        }
    }
}

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
    while !stop.load(Ordering::Relaxed) {
        if opts.max_jobs > 0 && stats.verified + stats.slashed >= opts.max_jobs {
            break;
        }
        let open = jobs(&mut client, "posted").await?;
        let mut picked = None;
        for j in open {
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
            &stop,
            label,
        )
        .await
        {
            Ok(Some(outcome)) => {
                if outcome.kind == "work_verified" {
                    stats.verified += 1;
                    stats.credits += outcome.credits;
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
    let rows = proof.reveal(&sample.rows)?;
    let sent = send(
        client,
        key,
        vec![Message::RevealWork(proofwork_tx::RevealWork {
            job_id: job.id,
            rows,
        })],
    )
    .await
    .context("revealing")?;
    if let Some(credits) = sent.attr("work_verified", "credits") {
        println!(
            "{label} job {}: beacon block {} sampled {} rows; revealed at height {}: VERIFIED, \
             paid {} upw, royalties {} upw, burned {} upw, +{credits} credits",
            job.id,
            sample.beacon_height,
            sample.rows.len(),
            sent.height,
            sent.attr("work_verified", "paid").unwrap_or_default(),
            sent.attr("work_verified", "royalties").unwrap_or_default(),
            sent.attr("work_verified", "burned").unwrap_or_default(),
        );
        return Ok(Some(Outcome {
            kind: "work_verified".into(),
            credits: credits.parse().unwrap_or(0),
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
    }))
}
