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
use proofwork_kernels::Backend;
use proofwork_proto::blobs::v1::{self as blobs_pb, blobs_client::BlobsClient};
use proofwork_proto::block::v1 as block_pb;
use proofwork_proto::work::v1::{self as pb, work_client::WorkClient};
use proofwork_tx::{sign_body, Address, Message, SecretKey, TxBody};
use tonic::transport::{Channel, Endpoint};

use proofwork_client::Client;

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

/// The node and work gRPC clients together.
#[derive(Clone)]
pub struct WorkApi {
    /// Work queries.
    pub work: WorkClient<Channel>,
    /// Blob upload and download (job inputs).
    pub blobs: BlobsClient<Channel>,
    /// Node API (broadcast, accounts).
    pub node: Client,
    chain_id: String,
}

impl WorkApi {
    /// Connects to a node.
    ///
    /// # Errors
    /// Connection failures.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let mut node = Client::connect(url).await?;
        let chain_id = node.status().await?.chain_id;
        let url = if url.contains("://") {
            url.to_string()
        } else {
            format!("http://{url}")
        };
        let channel = Endpoint::from_shared(url)?.connect().await?;
        let work = WorkClient::new(channel.clone())
            .max_decoding_message_size(64 << 20)
            .max_encoding_message_size(64 << 20);
        let blobs = BlobsClient::new(channel)
            .max_decoding_message_size(4 << 20)
            .max_encoding_message_size(4 << 20);
        Ok(WorkApi {
            work,
            blobs,
            node,
            chain_id,
        })
    }

    /// Signs `messages` with the account's next nonce, broadcasts and waits for the commit.
    ///
    /// # Errors
    /// RPC failures, a CheckTx refusal, or a failure in the block (with its code and log).
    pub async fn send(&mut self, key: &SecretKey, messages: Vec<Message>) -> anyhow::Result<Sent> {
        let addr = key.public_key().address();
        let nonce = self.node.account(&addr).await?.nonce;
        let body = TxBody {
            chain_id: self.chain_id.clone(),
            nonce,
            fee: 1,
            messages,
        };
        let r = self.node.broadcast(sign_body(key, &body), true).await?;
        if r.code != 0 {
            bail!("refused (code {}): {}", r.code, r.log);
        }
        let c = r.committed.context("the tx was not committed in time")?;
        let res = c.result.unwrap_or_default();
        if res.code != 0 {
            bail!(
                "failed in block {} (code {}): {}",
                c.height,
                res.code,
                res.log
            );
        }
        Ok(Sent {
            height: c.height,
            events: res.events,
        })
    }

    /// Jobs with a status ("" for all).
    ///
    /// # Errors
    /// RPC failures.
    pub async fn jobs(&mut self, status: &str) -> anyhow::Result<Vec<pb::JobInfo>> {
        Ok(self
            .work
            .jobs(pb::JobsRequest {
                status: status.into(),
                limit: 1000,
                ..Default::default()
            })
            .await?
            .into_inner()
            .jobs)
    }

    /// One job.
    ///
    /// # Errors
    /// RPC failures (NotFound for an unknown id).
    pub async fn job(&mut self, id: u64) -> anyhow::Result<pb::JobInfo> {
        Ok(self
            .work
            .job(pb::JobRequest {
                job_id: id,
                at: None,
            })
            .await?
            .into_inner())
    }

    /// All of a model's weights `B` (`k·n` bytes), fetched in pages of at most 1 MiB.
    ///
    /// # Errors
    /// RPC failures.
    pub async fn model_weights(
        &mut self,
        model_id: u64,
        k: u32,
        n: u32,
    ) -> anyhow::Result<Vec<i8>> {
        let per = ((1u32 << 20) / n.max(1)).max(1);
        let mut out = Vec::with_capacity(k as usize * n as usize);
        let mut row = 0;
        while row < k {
            let count = per.min(k - row);
            let r = self
                .work
                .model_rows(pb::ModelRowsRequest {
                    model_id,
                    first_row: row,
                    count,
                })
                .await?
                .into_inner();
            out.extend(r.rows.iter().map(|&v| v as i8));
            row += count;
        }
        Ok(out)
    }
}

/// Registers a model with random weights `B` (`k×n`, from `seed`), uploads it in chunks and
/// returns its id and `B`.
///
/// # Errors
/// RPC or tx failures.
pub async fn register_demo_model(
    api: &mut WorkApi,
    owner: &SecretKey,
    k: u32,
    n: u32,
    royalties: Vec<(Address, u16)>,
    seed: u64,
) -> anyhow::Result<(u64, Vec<i8>)> {
    let b = random_i8(seed, k as usize * n as usize);
    let root = i8_root(&b, k as usize, n as usize)?;
    let sent = api
        .send(
            owner,
            vec![Message::RegisterModel {
                k,
                n,
                b_root: root,
                royalties,
            }],
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
        api.send(
            owner,
            vec![Message::UploadModelChunk {
                model_id: id,
                first_row: row,
                rows: bytes,
            }],
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
    api: &mut WorkApi,
    client: &SecretKey,
    model_id: u64,
    dims: (u32, u32),
    price: u128,
    seed: u64,
) -> anyhow::Result<u64> {
    post_demo_job_in(api, client, model_id, dims, price, None, seed).await
}

/// [`post_demo_job`] priced in `denom` (`Some("credit")`: paid in compute credits).
pub async fn post_demo_job_in(
    api: &mut WorkApi,
    client: &SecretKey,
    model_id: u64,
    (m, k): (u32, u32),
    price: u128,
    denom: Option<&str>,
    seed: u64,
) -> anyhow::Result<u64> {
    let a = random_i8(seed, m as usize * k as usize);
    let root = i8_root(&a, m as usize, k as usize)?;
    let sent = api
        .send(
            client,
            vec![Message::PostJob {
                model_id,
                a_root: root,
                m,
                price,
                commit_blocks: 0,
                reveal_blocks: 0,
                denom: denom.map(str::to_string),
            }],
        )
        .await
        .context("posting the job")?;
    let id: u64 = sent
        .attr("post_job", "job_id")
        .context("no job id in the events")?
        .parse()?;
    let bytes: Vec<u8> = a.iter().map(|&v| v as u8).collect();
    blob_client::upload(
        &mut api.blobs,
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

/// Deterministic pseudo-random int8s (demo data only).
pub fn random_i8(seed: u64, len: usize) -> Vec<i8> {
    let mut x = seed ^ 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as i8
        })
        .collect()
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
    let mut api = WorkApi::connect(url).await?;
    let me = key.public_key().address();
    let params = api.work.params(pb::ParamsRequest {}).await?.into_inner();
    let min_bond: u128 = params.min_bond.parse()?;
    let registered = api
        .work
        .workers(pb::WorkersRequest { limit: 1000 })
        .await?
        .into_inner()
        .workers
        .into_iter()
        .find(|w| w.address == me.to_string());
    let bond: u128 = registered.as_ref().map_or(Ok(0), |w| w.bond.parse())?;
    if registered.is_none() || bond < min_bond {
        api.send(
            &key,
            vec![Message::RegisterWorker {
                bond: opts.bond.max(min_bond),
                validator: opts.validator,
            }],
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
        let open = api.jobs("posted").await?;
        let mut picked = None;
        for j in open {
            // A job is workable once its input is on the node (indexed by the job's a_root).
            if let Ok(r) = api
                .blobs
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
            &mut api,
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
    api: &mut WorkApi,
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
    let bytes = blob_client::download(&mut api.blobs, &hash, size)
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
    api: &mut WorkApi,
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
    let a = fetch_input(api, job, &a).await?;
    if let Err(e) = api
        .send(key, vec![Message::ClaimJob { job_id: job.id }])
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
            let b = Arc::new(api.model_weights(job.model_id, job.k, job.n).await?);
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
    let sent = api
        .send(
            key,
            vec![Message::CommitWork {
                job_id: job.id,
                c_root: proof.c_root(),
            }],
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
        let s = api
            .work
            .sample(pb::SampleRequest { job_id: job.id })
            .await?
            .into_inner();
        if s.ready {
            break s;
        }
        tokio::time::sleep(opts.poll).await;
    };
    let rows = proof.reveal(&sample.rows)?;
    let sent = api
        .send(
            key,
            vec![Message::RevealWork {
                job_id: job.id,
                rows,
            }],
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
