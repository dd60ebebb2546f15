//! `proofwork.work.v1.Work`: jobs, models, workers and job samples.
//!
//! Job inputs `A` travel off-chain through the node's blob store (`grpc::blobs`: streamed,
//! checked against the job's on-chain `a_root`).

use std::collections::BTreeMap;

use proofwork_consensus::work::{self, prover, Job, JobStatus, Model, Worker};
use proofwork_proto::work::v1::{self as pb, work_server};
use proofwork_state::StateRead;
use proofwork_tx::Address;
use tonic::{Request, Response, Status};

use super::proven::{state_status, AtReader};
use super::{internal, page_limit, GrpcLimits};

/// The service.
#[derive(Clone)]
pub struct WorkService {
    storage: proofwork_state::Storage,
    limits: GrpcLimits,
}

impl WorkService {
    /// A service over a node's store (either engine).
    pub fn new(storage: proofwork_state::Storage, limits: GrpcLimits) -> Self {
        WorkService { storage, limits }
    }
}

fn addr(a: &[u8; 20]) -> String {
    Address(*a).to_string()
}

/// The wire form of a job (with its model's dims and its price's denomination).
pub fn job_info(j: &Job, k: u32, n: u32, denom: String) -> pb::JobInfo {
    let mut info = pb::JobInfo {
        denom,
        id: j.id,
        client: addr(&j.client),
        model_id: j.model_id,
        m: j.m,
        k,
        n,
        a_root: j.a_root.to_vec(),
        price: j.price.to_string(),
        status: j.status.name().into(),
        slashes: j.slashes,
        last_event: j.last_event.clone(),
        posted_height: j.posted_height,
        commit_blocks: j.commit_blocks,
        reveal_blocks: j.reveal_blocks,
        ..Default::default()
    };
    match &j.status {
        JobStatus::Claimed {
            worker,
            commit_deadline,
        } => {
            info.worker = addr(worker);
            info.deadline = *commit_deadline;
        }
        JobStatus::Committed {
            worker,
            c_root,
            commit_height,
            reveal_deadline,
        } => {
            info.worker = addr(worker);
            info.c_root = c_root.to_vec();
            info.commit_height = *commit_height;
            info.deadline = *reveal_deadline;
        }
        JobStatus::Verified { worker, .. } => info.worker = addr(worker),
        _ => {}
    }
    info
}

/// Fills a job's reveal progress and, after its pass, the committed root, the payout split
/// and the delivery state (docs/adr-008-job-output-delivery.md).
fn with_delivery<S: StateRead>(
    s: &S,
    mut info: pb::JobInfo,
) -> Result<pb::JobInfo, proofwork_state::StateError> {
    if info.status == "committed" {
        info.revealed_rows = work::revealed(s, info.id)?;
    }
    let Some(d) = work::delivery(s, info.id)? else {
        return Ok(info);
    };
    info.c_root = d.c_root.to_vec();
    info.commit_height = d.commit_height;
    info.verified_height = d.verified_height;
    info.sampled_rows = d.sampled_rows;
    info.paid = d.paid.to_string();
    info.held = match d.state {
        work::DeliveryState::Pending { .. } | work::DeliveryState::Disputed { .. } => d.hold,
        _ => 0,
    }
    .to_string();
    info.royalties = d.royalties.to_string();
    info.burned = d.burned.to_string();
    info.disputes = d.disputes;
    info.delivery = d.state.name().into();
    match d.state {
        work::DeliveryState::Pending { deadline } => info.delivery_deadline = deadline,
        work::DeliveryState::Disputed {
            rows,
            answer_deadline,
        } => {
            info.delivery_deadline = answer_deadline;
            info.disputed_rows = rows;
        }
        _ => {}
    }
    Ok(info)
}

fn model_info(m: &Model, credit_royalties: u128) -> pb::ModelInfo {
    pb::ModelInfo {
        id: m.id,
        owner: addr(&m.owner),
        k: m.k,
        n: m.n,
        b_root: m.b_root.to_vec(),
        rows_uploaded: m.rows_uploaded,
        active: m.active,
        jobs_verified: m.jobs_verified,
        royalties_paid: m.royalties_paid.to_string(),
        credit_royalties_paid: credit_royalties.to_string(),
        royalties: m
            .royalties
            .iter()
            .map(|(a, bps)| pb::ModelRoyalty {
                recipient: addr(a),
                bps: u32::from(*bps),
            })
            .collect(),
    }
}

fn worker_info(w: &Worker, unbonding_release_at: Option<u64>) -> pb::WorkerInfo {
    pb::WorkerInfo {
        unbonding_release_at: unbonding_release_at.unwrap_or(0),
        address: addr(&w.address),
        bond: w.bond.to_string(),
        validator: w.validator.map(hex::encode).unwrap_or_default(),
        active_claims: w.active_claims,
        jobs_verified: w.jobs_verified,
        slashes: w.slashes,
        credits_earned: w.credits_earned.to_string(),
        slashed_total: w.slashed_total.to_string(),
    }
}

impl WorkService {
    fn load_job(&self, id: u64) -> Result<(Job, Model), Status> {
        load_job(&self.storage, id)
    }
}

/// The chain denomination (what a job without a denomination record is priced in).
fn native_denom<S: StateRead>(s: &S) -> Result<String, Status> {
    Ok(proofwork_genesis::params(s)
        .map_err(state_status)?
        .native_denom)
}

/// A job and its model, read from `s`.
fn load_job<S: StateRead>(s: &S, id: u64) -> Result<(Job, Model), Status> {
    let j = work::job(s, id)
        .map_err(state_status)?
        .ok_or_else(|| Status::not_found(format!("unknown job {id}")))?;
    let m = work::model(s, j.model_id)
        .map_err(state_status)?
        .ok_or_else(|| Status::internal("job without model"))?;
    Ok((j, m))
}

#[tonic::async_trait]
impl work_server::Work for WorkService {
    async fn jobs(
        &self,
        req: Request<pb::JobsRequest>,
    ) -> Result<Response<pb::JobsResponse>, Status> {
        let r = req.into_inner();
        let limit = page_limit(r.limit);
        if !r.status.is_empty() && !JobStatus::NAMES.contains(&r.status.as_str()) {
            return Err(Status::invalid_argument(format!(
                "unknown job status {:?}: one of {}",
                r.status,
                JobStatus::NAMES.join(", ")
            )));
        }
        let s = &self.storage;
        let after = r.has_after.then_some(r.after);
        // A status reads its index (only those jobs); no status, the jobs in id order.
        let page = if r.status.is_empty() {
            work::jobs(s, after, limit)
        } else {
            work::jobs_with_status(s, &r.status, after, limit)
        }
        .map_err(internal)?;
        let mut out = Vec::with_capacity(page.len());
        let mut models = BTreeMap::new();
        let mut native: Option<String> = None;
        for j in &page {
            let (k, n) = match models.get(&j.model_id) {
                Some(&kn) => kn,
                None => {
                    let m = work::model(s, j.model_id).map_err(internal)?;
                    let kn = m.map_or((0, 0), |m| (m.k, m.n));
                    models.insert(j.model_id, kn);
                    kn
                }
            };
            let denom = match &native {
                Some(d) => work::job_denom(s, j.id, d).map_err(internal)?,
                None => {
                    let d = native_denom(s)?;
                    let jd = work::job_denom(s, j.id, &d).map_err(internal)?;
                    native = Some(d);
                    jd
                }
            };
            out.push(with_delivery(s, job_info(j, k, n, denom)).map_err(internal)?);
        }
        Ok(Response::new(pb::JobsResponse {
            jobs: out,
            height: s.latest().map_or(0, |l| l.height),
        }))
    }

    async fn job(&self, req: Request<pb::JobRequest>) -> Result<Response<pb::JobInfo>, Status> {
        let r = req.into_inner();
        let s = AtReader::new(&self.storage, r.at.as_ref())?;
        let (j, m) = load_job(&s, r.job_id)?;
        let denom = work::job_denom(&s, j.id, &native_denom(&s)?).map_err(state_status)?;
        let info = with_delivery(&s, job_info(&j, m.k, m.n, denom)).map_err(state_status)?;
        Ok(Response::new(pb::JobInfo {
            proof: s.finish()?,
            ..info
        }))
    }

    async fn models(
        &self,
        req: Request<pb::ModelsRequest>,
    ) -> Result<Response<pb::ModelsResponse>, Status> {
        let r = req.into_inner();
        let limit = page_limit(r.limit);
        let ms =
            work::models(&self.storage, r.has_after.then_some(r.after), limit).map_err(internal)?;
        let models = ms
            .iter()
            .map(|m| {
                work::model_credit_royalties(&self.storage, m.id)
                    .map(|c| model_info(m, c))
                    .map_err(internal)
            })
            .collect::<Result<_, Status>>()?;
        Ok(Response::new(pb::ModelsResponse { models }))
    }

    async fn model_rows(
        &self,
        req: Request<pb::ModelRowsRequest>,
    ) -> Result<Response<pb::ModelRowsResponse>, Status> {
        let r = req.into_inner();
        let s = &self.storage;
        let m = work::model(s, r.model_id)
            .map_err(internal)?
            .ok_or_else(|| Status::not_found(format!("unknown model {}", r.model_id)))?;
        let end = u64::from(r.first_row) + u64::from(r.count);
        if r.count == 0 || end > u64::from(m.rows_uploaded) {
            return Err(Status::out_of_range(format!(
                "rows {}..{end} are not all uploaded ({} of {})",
                r.first_row, m.rows_uploaded, m.k
            )));
        }
        if u64::from(r.count) * u64::from(m.n) > (self.limits.max_message_bytes as u64) / 2 {
            return Err(Status::invalid_argument(
                "too many rows for one response; page with first_row/count",
            ));
        }
        let rows = work::model_rows(s, &m, r.first_row, r.count).map_err(internal)?;
        Ok(Response::new(pb::ModelRowsResponse { rows }))
    }

    async fn workers(
        &self,
        req: Request<pb::WorkersRequest>,
    ) -> Result<Response<pb::WorkersResponse>, Status> {
        let limit = page_limit(req.into_inner().limit);
        let ws = work::workers(&self.storage, limit).map_err(internal)?;
        let workers = ws
            .iter()
            .map(|w| {
                let release = work::unbonding(&self.storage, &w.address).map_err(internal)?;
                Ok(worker_info(w, release))
            })
            .collect::<Result<_, Status>>()?;
        Ok(Response::new(pb::WorkersResponse { workers }))
    }

    async fn params(
        &self,
        _req: Request<pb::ParamsRequest>,
    ) -> Result<Response<pb::ParamsResponse>, Status> {
        let p = work::params(&self.storage).map_err(internal)?;
        Ok(Response::new(pb::ParamsResponse {
            sample_rows: p.sample_rows,
            min_bond: p.min_bond.to_string(),
            burn_bps: u32::from(p.burn_bps),
            epoch_blocks: p.epoch_blocks,
            macs_per_credit: p.macs_per_credit,
            min_price_per_credit: p.min_price_per_credit.to_string(),
            default_commit_blocks: p.default_commit_blocks,
            default_reveal_blocks: p.default_reveal_blocks,
            unbonding_blocks: p.unbonding_blocks,
            ref_macs_per_block: p.ref_macs_per_block,
            min_window_blocks: p.min_window_blocks,
            max_job_bytes: p.max_job_bytes,
            max_window_blocks: p.max_window_blocks,
            max_tx_bytes: proofwork_genesis::params(&self.storage)
                .map_err(internal)?
                .max_tx_bytes,
            delivery_hold_bps: u32::from(p.delivery_hold_bps),
            delivery_blocks: p.delivery_blocks,
            dispute_rows: p.dispute_rows,
            dispute_answer_blocks: p.dispute_answer_blocks,
            max_disputes: p.max_disputes,
            max_m: p.max_m,
            claim_bond_bps: u32::from(p.claim_bond_bps),
            max_model_beacons_per_block: p.max_model_beacons_per_block,
            challenge_blocks: p.challenge_blocks,
        }))
    }

    async fn sample(
        &self,
        req: Request<pb::SampleRequest>,
    ) -> Result<Response<pb::SampleResponse>, Status> {
        let (j, _) = self.load_job(req.into_inner().job_id)?;
        let JobStatus::Committed { commit_height, .. } = j.status else {
            return Err(Status::failed_precondition(format!(
                "job {} is {}, not committed",
                j.id,
                j.status.name()
            )));
        };
        let s = &self.storage;
        let beacon_height = commit_height + 1;
        let Some(beacon) = work::block_hash(s, beacon_height).map_err(internal)? else {
            return Ok(Response::new(pb::SampleResponse {
                ready: false,
                beacon_height,
                ..Default::default()
            }));
        };
        let p = work::params(s).map_err(internal)?;
        Ok(Response::new(pb::SampleResponse {
            ready: true,
            beacon_height,
            beacon: beacon.to_vec(),
            rows: prover::sampled_rows(&beacon, j.id, j.m, p.sample_rows),
        }))
    }
}
