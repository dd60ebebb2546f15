//! The job market's commands: `tx unbond-worker` and `query jobs|job|models|workers|credits`
//! (the full job-market CLI comes with the useful-work issue; `worker` runs a worker).

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
