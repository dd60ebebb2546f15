//! The job market's commands: `proofwork work …` (register a model, post, cancel, price a
//! job, fetch its verified output, confirm or dispute its delivery, register a worker),
//! `tx unbond-worker` and `query jobs|job|models|workers|credits`; `worker` runs a worker.

use clap::Subcommand;
use proofwork_proto::work::v1 as pb;
use proofwork_tx::Message;

use super::tx::Signer;
use super::Ctx;

/// Job-market txs.
#[derive(Subcommand, Debug)]
pub(crate) enum WorkTxCmd {
    /// Stop taking jobs and ask for the worker's bond back: it returns at the end of the
    /// first block `unbonding_blocks` after this one at which the worker holds no job.
    UnbondWorker {
        #[command(flatten)]
        signer: Signer,
    },
}

impl WorkTxCmd {
    /// The signer and the message.
    pub(crate) fn message(self) -> (Signer, Message) {
        match self {
            WorkTxCmd::UnbondWorker { signer } => {
                (signer, Message::UnbondWorker(proofwork_tx::UnbondWorker))
            }
        }
    }
}

/// Job-market queries, as JSON.
#[derive(Subcommand, Debug)]
pub(crate) enum WorkQueryCmd {
    /// Useful-work jobs with their status (posted, claimed, committed, verified, cancelled,
    /// expired).
    Jobs {
        /// Only jobs with this status.
        #[arg(long, default_value = "")]
        status: String,
    },
    /// One job.
    Job {
        /// Job id.
        id: u64,
    },
    /// Registered models.
    Models,
    /// Registered workers.
    Workers,
    /// Compute credits of an account (minted only for verified work).
    Credits {
        /// Address or key name.
        address: String,
    },
}

pub(crate) async fn query(ctx: &Ctx, cmd: WorkQueryCmd) -> anyhow::Result<()> {
    let mut c = ctx.client().await?;
    let v = match cmd {
        WorkQueryCmd::Jobs { status } => {
            let jobs = c
                .jobs(pb::JobsRequest {
                    status,
                    limit: 1000,
                    ..Default::default()
                })
                .await?
                .jobs;
            serde_json::Value::Array(jobs.iter().map(job_json).collect())
        }
        WorkQueryCmd::Job { id } => job_json(&c.job(id).await?),
        WorkQueryCmd::Models => {
            let ms = c.models(pb::ModelsRequest::default()).await?.models;
            serde_json::Value::Array(ms.iter().map(model_json).collect())
        }
        WorkQueryCmd::Workers => {
            let ws = c.workers(0).await?.workers;
            serde_json::Value::Array(ws.iter().map(worker_json).collect())
        }
        WorkQueryCmd::Credits { address } => {
            let a = ctx.address(&address)?;
            let credits = c
                .balance(&a, proofwork_state::accounts::CREDIT_DENOM)
                .await?;
            return ctx.print(
                serde_json::json!({"address": a.to_string(), "denom": proofwork_state::accounts::CREDIT_DENOM, "amount": credits.to_string()}),
                || credits.to_string(),
            );
        }
    };
    ctx.print_json(&v)
}

fn job_json(j: &pb::JobInfo) -> serde_json::Value {
    serde_json::json!({
        "id": j.id, "status": j.status, "client": j.client, "worker": j.worker,
        "model_id": j.model_id, "m": j.m, "k": j.k, "n": j.n, "price": j.price,
        "denom": j.denom,
        "a_root": hex::encode(&j.a_root), "c_root": hex::encode(&j.c_root),
        "commit_height": j.commit_height, "deadline": j.deadline, "slashes": j.slashes,
        "posted_height": j.posted_height, "last_event": j.last_event,
        "commit_blocks": j.commit_blocks, "reveal_blocks": j.reveal_blocks,
        "revealed_rows": j.revealed_rows, "verified_height": j.verified_height,
        "sampled_rows": j.sampled_rows, "paid": j.paid, "held": j.held,
        "royalties": j.royalties, "burned": j.burned, "delivery": j.delivery,
        "delivery_deadline": j.delivery_deadline, "disputed_rows": j.disputed_rows,
        "disputes": j.disputes,
    })
}

fn model_json(m: &pb::ModelInfo) -> serde_json::Value {
    serde_json::json!({
        "id": m.id, "owner": m.owner, "k": m.k, "n": m.n,
        "b_root": hex::encode(&m.b_root), "rows_uploaded": m.rows_uploaded,
        "active": m.active, "jobs_verified": m.jobs_verified,
        "royalties_paid": m.royalties_paid,
        "credit_royalties_paid": m.credit_royalties_paid,
        "royalties": m.royalties.iter().map(|r| serde_json::json!({"recipient": r.recipient, "bps": r.bps})).collect::<Vec<_>>(),
    })
}

fn worker_json(w: &pb::WorkerInfo) -> serde_json::Value {
    serde_json::json!({
        "address": w.address, "bond": w.bond, "validator": w.validator,
        "active_claims": w.active_claims, "jobs_verified": w.jobs_verified,
        "slashes": w.slashes, "credits_earned": w.credits_earned,
        "slashed_total": w.slashed_total,
    })
}

/// `proofwork work …`: the job market for a paying client and a worker's registration
/// (docs/work.md "Job-market CLI"). Matrices are NumPy `.npy` files: int8 for `A` and `B`,
/// int32 for `C`.
#[derive(Subcommand, Debug)]
pub(crate) enum WorkCmd {
    /// Register a model from B.npy (k×n int8) and upload its rows in txs, with progress.
    RegisterModel {
        #[command(flatten)]
        signer: Signer,
        /// The weights: a k×n int8 .npy file.
        #[arg(long)]
        weights: std::path::PathBuf,
        /// A royalty paid on every verified job on the model: ADDR:BPS (address or key
        /// name); repeat for several.
        #[arg(long = "royalty")]
        royalties: Vec<String>,
        /// Bytes of rows per upload tx.
        #[arg(long, default_value_t = 512 << 10)]
        chunk_bytes: u32,
    },
    /// Post a job C = A·B on a model from A.npy (m×k int8) and upload A, with progress.
    PostJob {
        #[command(flatten)]
        signer: Signer,
        /// Model id.
        #[arg(long)]
        model: u64,
        /// The input: an m×k int8 .npy file (k = the model's k).
        #[arg(long)]
        input: std::path::PathBuf,
        /// Price (default: the lowest the chain accepts, see `work price`).
        #[arg(long)]
        price: Option<u128>,
        /// `credit` to pay in compute credits (default: the chain denomination).
        #[arg(long)]
        denom: Option<String>,
        /// Commit window in blocks (0: the larger of the default and the job's floor).
        #[arg(long, default_value_t = 0)]
        commit_blocks: u32,
        /// Reveal window in blocks (0: the larger of the default and the job's floor).
        #[arg(long, default_value_t = 0)]
        reveal_blocks: u32,
    },
    /// Withdraw a job no worker has claimed; the price returns.
    Cancel {
        #[command(flatten)]
        signer: Signer,
        /// Job id.
        job: u64,
    },
    /// A job's state: status, windows, c_root, sampled rows, payout split, delivery.
    Status {
        /// Job id.
        job: u64,
    },
    /// Download a job's output C from the node, check every row against the committed
    /// c_root, and write it as an int32 .npy file.
    Result {
        /// Job id.
        job: u64,
        /// Where to write C (m×n int32 .npy).
        #[arg(long)]
        out: std::path::PathBuf,
        /// Also confirm the delivery (releases the worker's held pay): the key of the job's
        /// client.
        #[arg(long)]
        confirm: Option<String>,
    },
    /// Confirm you received a verified job's output: the worker's held pay is released.
    Confirm {
        #[command(flatten)]
        signer: Signer,
        /// Job id.
        job: u64,
    },
    /// Check a verified job's output against `A·B` and prove a wrong row on chain
    /// (`ChallengeRow`; once per job, within the chain's `challenge_blocks` of the pass): the
    /// held pay and the rest of the price come back to you from the worker's bond.
    Challenge {
        #[command(flatten)]
        signer: Signer,
        /// Job id.
        job: u64,
        /// The job's input `A` (`.npy`, int8, m×k).
        #[arg(long)]
        input: std::path::PathBuf,
        /// The row to challenge (default: the first wrong row; none wrong: nothing is sent).
        #[arg(long)]
        row: Option<u64>,
    },
    /// Name rows of a verified job's output you could not get: the worker must put them on
    /// chain, or its held pay returns to you and its bond is slashed.
    Dispute {
        #[command(flatten)]
        signer: Signer,
        /// Job id.
        job: u64,
        /// Rows, comma-separated, ascending (at most the chain's `dispute_rows`).
        #[arg(long, value_delimiter = ',')]
        rows: Vec<u64>,
    },
    /// Register as a worker (or top up the bond), optionally crediting a validator.
    RegisterWorker {
        #[command(flatten)]
        signer: Signer,
        /// Bond (native denomination).
        #[arg(long)]
        bond: u128,
        /// Validator (ed25519 key, hex) credited with the worker's verified work.
        #[arg(long)]
        validator: Option<String>,
    },
    /// What a job of `--rows` rows on a model costs and needs: credits, lowest price,
    /// windows and their floors, reveal txs, the delivery hold.
    Price {
        /// Model id.
        #[arg(long)]
        model: u64,
        /// Rows of A (m).
        #[arg(long)]
        rows: u32,
    },
}

fn bar(len: u64, what: &str, quiet: bool) -> indicatif::ProgressBar {
    if quiet {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(len);
    pb.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{what} [{{bar:40}}] {{bytes}}/{{total_bytes}} {{bytes_per_sec}} {{eta}}"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    pb
}

fn dims(v: usize, what: &str) -> anyhow::Result<u32> {
    u32::try_from(v).map_err(|_| super::error::input(format!("{what} = {v} is too large")))
}

pub(crate) async fn run(ctx: &Ctx, cmd: WorkCmd) -> anyhow::Result<()> {
    use proofwork_node::worker as w;
    let quiet = ctx.output == super::Output::Json;
    match cmd {
        WorkCmd::RegisterModel {
            signer,
            weights,
            royalties,
            chunk_bytes,
        } => {
            let (k, n, b) = proofwork_node::npy::read_i8(&weights)?;
            let (k, n) = (dims(k, "k")?, dims(n, "n")?);
            let mut shares = Vec::new();
            for r in &royalties {
                let (a, bps) = r
                    .rsplit_once(':')
                    .ok_or_else(|| super::error::input(format!("--royalty {r}: use ADDR:BPS")))?;
                let bps: u16 = bps
                    .parse()
                    .map_err(|_| super::error::input(format!("--royalty {r}: bad bps")))?;
                shares.push((ctx.address(a)?, bps));
            }
            let key = ctx.key(&signer.from)?;
            let mut c = ctx.client().await?;
            let pb = bar(u64::from(k) * u64::from(n), "uploading B", quiet);
            let pbc = pb.clone();
            let id =
                w::register_model(&mut c, &key, (k, n), &b, shares, chunk_bytes, move |rows| {
                    pbc.set_position(u64::from(rows) * u64::from(n))
                })
                .await?;
            pb.finish_and_clear();
            // Also to the blob store, so a worker may fetch B in one stream.
            let _ = proofwork_node::blobs::client::upload(
                c.blobs(),
                std::sync::Arc::new(b),
                proofwork_node::blobs::client::Kind::ModelWeights {
                    model_id: id,
                    row_len: n,
                },
            )
            .await;
            ctx.print(serde_json::json!({"model_id": id, "k": k, "n": n}), || {
                format!("model {id} registered and active ({k}×{n})")
            })
        }
        WorkCmd::PostJob {
            signer,
            model,
            input,
            price,
            denom,
            commit_blocks,
            reveal_blocks,
        } => {
            let (m, k, a) = proofwork_node::npy::read_i8(&input)?;
            let (m, k) = (dims(m, "m")?, dims(k, "k")?);
            let key = ctx.key(&signer.from)?;
            let mut c = ctx.client().await?;
            let mdl = c
                .models(pb::ModelsRequest {
                    after: model.saturating_sub(1),
                    has_after: model > 0,
                    limit: 1,
                })
                .await?
                .models
                .into_iter()
                .find(|x| x.id == model)
                .ok_or_else(|| super::error::input(format!("no model {model}")))?;
            if mdl.k != k {
                return Err(super::error::input(format!(
                    "A has {k} columns; model {model} takes k = {}",
                    mdl.k
                )));
            }
            let params = c.work_params().await?;
            let q = w::quote(&params, m, k, mdl.n)
                .map_err(|e| super::error::input(format!("{e:#}")))?;
            let price = match (price, denom.as_deref()) {
                (Some(p), _) => p,
                (None, Some(proofwork_state::accounts::CREDIT_DENOM)) => q.credits,
                (None, _) => q.min_price,
            };
            let pb = bar(u64::from(m) * u64::from(k), "uploading A", quiet);
            let pbc = pb.clone();
            let id = w::post_job(
                &mut c,
                &key,
                model,
                (m, k),
                a,
                price,
                denom.as_deref(),
                (commit_blocks, reveal_blocks),
                move |b| pbc.set_position(b),
            )
            .await?;
            pb.finish_and_clear();
            ctx.print(
                serde_json::json!({"job_id": id, "m": m, "k": k, "n": mdl.n, "price": price.to_string()}),
                || format!("job {id} posted ({m}×{k}·{k}×{}), price {price}; A uploaded", mdl.n),
            )
        }
        WorkCmd::Cancel { signer, job } => {
            super::tx::send(
                ctx,
                &signer,
                Message::CancelJob(proofwork_tx::CancelJob { job_id: job }),
            )
            .await
        }
        WorkCmd::Confirm { signer, job } => {
            super::tx::send(
                ctx,
                &signer,
                Message::ConfirmOutput(proofwork_tx::ConfirmOutput { job_id: job }),
            )
            .await
        }
        WorkCmd::Challenge {
            signer,
            job,
            input,
            row,
        } => {
            let mut c = ctx.client().await?;
            let (j, bytes) = w::download_output(&mut c, job, |_| {}).await?;
            let (m, k, n) = (j.m as usize, j.k as usize, j.n as usize);
            let (rows, cols, a) = proofwork_node::npy::read_i8(&input)?;
            if (rows, cols) != (m, k) {
                return Err(super::error::input(format!(
                    "{} is {rows}×{cols}; job {job} has A of {m}×{k}",
                    input.display()
                )));
            }
            let b = c.model_weights(j.model_id, j.k, j.n).await?;
            let a: Vec<i8> = a.into_iter().map(|v| v as i8).collect();
            let got: Vec<i32> = bytes
                .chunks_exact(4)
                .map(|x| i32::from_le_bytes([x[0], x[1], x[2], x[3]]))
                .collect();
            let wrong = |i: usize| -> anyhow::Result<bool> {
                let want = proofwork_kernels::cpu::gemm_i8(&a[i * k..(i + 1) * k], &b, 1, k, n)?;
                Ok(want[..] != got[i * n..(i + 1) * n])
            };
            let target = match row {
                Some(r) => Some(r as usize),
                None => {
                    let want = proofwork_kernels::cpu::gemm_i8(&a, &b, m, k, n)?;
                    (0..m).find(|&i| want[i * n..(i + 1) * n] != got[i * n..(i + 1) * n])
                }
            };
            let Some(i) = target.filter(|&i| i < m) else {
                return ctx.print(
                    serde_json::json!({"job_id": job, "wrong_row": null, "sent": false}),
                    || format!("job {job}: every row of C equals A·B; nothing to challenge"),
                );
            };
            if !wrong(i)? {
                eprintln!("row {i} of job {job} is right: the challenge will be refuted");
            }
            let proof = proofwork_consensus::work::prover::Proof::from_output(a, got, m, k, n)?;
            let revealed = proof.reveal(&[i as u64])?.remove(0);
            super::tx::send(
                ctx,
                &signer,
                Message::ChallengeRow(proofwork_tx::ChallengeRow {
                    job_id: job,
                    row: revealed,
                }),
            )
            .await
        }
        WorkCmd::Dispute { signer, job, rows } => {
            super::tx::send(
                ctx,
                &signer,
                Message::DisputeOutput(proofwork_tx::DisputeOutput { job_id: job, rows }),
            )
            .await
        }
        WorkCmd::RegisterWorker {
            signer,
            bond,
            validator,
        } => {
            let validator = validator
                .map(|v| -> anyhow::Result<[u8; 32]> {
                    hex::decode(&v)
                        .ok()
                        .and_then(|b| b.try_into().ok())
                        .ok_or_else(|| super::error::input("--validator must be 32 bytes of hex"))
                })
                .transpose()?;
            super::tx::send(
                ctx,
                &signer,
                Message::RegisterWorker(proofwork_tx::RegisterWorker { bond, validator }),
            )
            .await
        }
        WorkCmd::Status { job } => {
            let mut c = ctx.client().await?;
            let j = c.job(job).await?;
            let v = job_json(&j);
            ctx.print(v.clone(), || {
                let mut s = format!(
                    "job {} {} ({}×{}·{}×{}), price {} {}, model {}\n",
                    j.id, j.status, j.m, j.k, j.k, j.n, j.price, j.denom, j.model_id
                );
                if !j.worker.is_empty() {
                    s += &format!("worker {}\n", j.worker);
                }
                if !j.c_root.is_empty() {
                    s += &format!(
                        "c_root {} committed at height {}\n",
                        hex::encode(&j.c_root),
                        j.commit_height
                    );
                }
                if !j.delivery.is_empty() {
                    s += &format!(
                        "verified at {} ({} rows sampled): paid {}, held {}, royalties {}, burned {}\n\
                         delivery {} (deadline {}, disputes {})",
                        j.verified_height,
                        j.sampled_rows,
                        j.paid,
                        j.held,
                        j.royalties,
                        j.burned,
                        j.delivery,
                        j.delivery_deadline,
                        j.disputes
                    );
                } else {
                    s += &format!("last event: {}", j.last_event);
                }
                s
            })
        }
        WorkCmd::Result { job, out, confirm } => {
            let mut c = ctx.client().await?;
            let pre = c.job(job).await?;
            let pb = bar(
                4 * u64::from(pre.m) * u64::from(pre.n),
                "downloading C",
                quiet,
            );
            let pbc = pb.clone();
            let (j, bytes) = w::download_output(&mut c, job, move |b| pbc.set_position(b)).await?;
            pb.finish_and_clear();
            proofwork_node::npy::write_i32(&out, j.m as usize, j.n as usize, &bytes)?;
            if let Some(from) = confirm {
                let signer = Signer {
                    from,
                    fee: 1,
                    no_wait: false,
                };
                super::tx::send(
                    ctx,
                    &signer,
                    Message::ConfirmOutput(proofwork_tx::ConfirmOutput { job_id: job }),
                )
                .await?;
            }
            ctx.print(
                serde_json::json!({"job_id": job, "out": out.display().to_string(), "m": j.m, "n": j.n,
                    "c_root": hex::encode(&j.c_root), "rows_checked": j.m}),
                || {
                    format!(
                        "job {job}: C ({}×{} int32) written to {}; all {} rows match c_root {}",
                        j.m,
                        j.n,
                        out.display(),
                        j.m,
                        hex::encode(&j.c_root)
                    )
                },
            )
        }
        WorkCmd::Price { model, rows } => {
            let mut c = ctx.client().await?;
            let mdl = c
                .models(pb::ModelsRequest {
                    after: model.saturating_sub(1),
                    has_after: model > 0,
                    limit: 1,
                })
                .await?
                .models
                .into_iter()
                .find(|x| x.id == model)
                .ok_or_else(|| super::error::input(format!("no model {model}")))?;
            let params = c.work_params().await?;
            let q = w::quote(&params, rows, mdl.k, mdl.n)
                .map_err(|e| super::error::input(format!("{e:#}")))?;
            ctx.print(
                serde_json::json!({
                    "model_id": model, "m": rows, "k": mdl.k, "n": mdl.n,
                    "macs": q.macs.to_string(), "credits": q.credits.to_string(),
                    "min_price": q.min_price.to_string(),
                    "commit_blocks": q.commit_blocks, "reveal_blocks": q.reveal_blocks,
                    "commit_floor": q.commit_floor, "reveal_floor": q.reveal_floor,
                    "reveal_txs": q.reveal_parts, "a_bytes": q.a_bytes, "c_bytes": q.c_bytes,
                    "delivery_hold_bps": q.delivery_hold_bps,
                }),
                || {
                    format!(
                        "{rows}×{}·{}×{} = {} MACs: {} credits; lowest price {} (or {} credit); \
                         windows {} commit / {} reveal blocks by default (floors {} / {}); \
                         reveal in {} tx(s); A {} bytes, C {} bytes; {} bps of the worker's pay \
                         held until you have C",
                        mdl.k,
                        mdl.k,
                        mdl.n,
                        q.macs,
                        q.credits,
                        q.min_price,
                        q.credits,
                        q.commit_blocks,
                        q.reveal_blocks,
                        q.commit_floor,
                        q.reveal_floor,
                        q.reveal_parts,
                        q.a_bytes,
                        q.c_bytes,
                        q.delivery_hold_bps
                    )
                },
            )
        }
    }
}
