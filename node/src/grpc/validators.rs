//! `proofwork.validators.v1.Validators`: the validator set and open applications.

use proofwork_consensus::{admission, validators};
use proofwork_proto::validators::v1::{self as pb, validators_server};
use tonic::{Request, Response, Status};

use super::{internal, Backend};

/// The validators service.
#[derive(Clone)]
pub struct ValidatorsService {
    backend: Backend,
}

impl ValidatorsService {
    /// A service reading the backend's store.
    pub fn new(backend: Backend) -> Self {
        ValidatorsService { backend }
    }
}

#[tonic::async_trait]
impl validators_server::Validators for ValidatorsService {
    async fn validators(
        &self,
        _req: Request<pb::ValidatorsRequest>,
    ) -> Result<Response<pb::ValidatorsResponse>, Status> {
        let s = self.backend.storage();
        let height = s.latest().map_or(0, |l| l.height);
        let mut out = Vec::new();
        let mut total = 0u64;
        for v in validators::validators(s).map_err(internal)? {
            total = total.saturating_add(v.power);
            let operator = admission::operator_of(s, &v.pub_key)
                .map_err(internal)?
                .map(|a| a.to_string())
                .unwrap_or_default();
            out.push(pb::Validator {
                pub_key: v.pub_key.to_vec(),
                address: v.address().to_vec(),
                power: v.power,
                moniker: v.moniker,
                operator,
            });
        }
        Ok(Response::new(pb::ValidatorsResponse {
            validators: out,
            total_power: total,
            height,
        }))
    }

    async fn applications(
        &self,
        _req: Request<pb::ApplicationsRequest>,
    ) -> Result<Response<pb::ApplicationsResponse>, Status> {
        let s = self.backend.storage();
        let height = s.latest().map_or(0, |l| l.height);
        let total = validators::validators(s)
            .map_err(internal)?
            .iter()
            .map(|v| v.power)
            .fold(0u64, u64::saturating_add);
        let mut out = Vec::new();
        for a in admission::applications(s).map_err(internal)? {
            let t = admission::tally(s, &a).map_err(internal)?;
            out.push(pb::Application {
                id: a.id,
                kind: a.kind.as_str().into(),
                consensus_pubkey: a.key().map_err(internal)?.to_vec(),
                operator: a.operator.to_string(),
                moniker: a.moniker.clone(),
                submitted_height: a.submitted_height,
                votes: a
                    .votes
                    .iter()
                    .map(|(k, approve)| pb::Vote {
                        validator: hex::decode(k).unwrap_or_default(),
                        approve: *approve,
                    })
                    .collect(),
                approve_power: t.approve,
                reject_power: t.reject,
            });
        }
        Ok(Response::new(pb::ApplicationsResponse {
            applications: out,
            total_power: total,
            height,
        }))
    }
}
