//! `proofwork.node.v1.Node`: broadcast, status, accounts, tx lookup.

use std::sync::Arc;

use proofwork_proto::node::v1::{self as pb, node_server};
use proofwork_state::{accounts, ExecError};
use tonic::{Request, Response, Status};

use super::{internal, parse_address, Backend, GrpcLimits};
use crate::engine::Node;

/// The `proofwork.node.v1.Node` service over either engine.
#[derive(Clone)]
pub struct NodeService {
    backend: Backend,
    limits: GrpcLimits,
}

impl NodeService {
    /// A service over an embedded-engine node.
    pub fn new(node: Arc<Node>, limits: GrpcLimits) -> Self {
        Self::with_backend(Backend::Embedded(node), limits)
    }

    /// A service over any backend.
    pub fn with_backend(backend: Backend, limits: GrpcLimits) -> Self {
        NodeService { backend, limits }
    }
}

#[tonic::async_trait]
impl node_server::Node for NodeService {
    async fn broadcast_tx(
        &self,
        req: Request<pb::BroadcastTxRequest>,
    ) -> Result<Response<pb::BroadcastTxResponse>, Status> {
        let req = req.into_inner();
        let node = match &self.backend {
            Backend::Embedded(node) => node.clone(),
            Backend::Comet(c) => {
                return c
                    .broadcast(req.tx, req.wait, self.limits.commit_wait)
                    .await
                    .map(Response::new);
            }
        };
        let wait = req.wait;
        let submitted = tokio::task::spawn_blocking(move || node.submit(req.tx, wait))
            .await
            .map_err(internal)?;
        let (hash, rx) = match submitted {
            Ok(ok) => ok,
            Err(ExecError::Tx(e)) => {
                let hash = Vec::new();
                return Ok(Response::new(pb::BroadcastTxResponse {
                    hash,
                    code: e.code(),
                    log: e.to_string(),
                    committed: None,
                }));
            }
            Err(ExecError::State(e)) => return Err(internal(e)),
        };
        let mut resp = pb::BroadcastTxResponse {
            hash: hash.to_vec(),
            code: 0,
            log: String::new(),
            committed: None,
        };
        if let Some(rx) = rx {
            match tokio::time::timeout(self.limits.commit_wait, rx).await {
                Ok(Ok(c)) => {
                    resp.committed = Some(pb::TxResult {
                        height: c.height,
                        index: c.index,
                        result: Some(c.result),
                    })
                }
                Ok(Err(_)) => resp.log = "tx was dropped from the mempool before commit".into(),
                Err(_) => {
                    return Err(Status::deadline_exceeded(format!(
                        "tx {} not committed within {:?}",
                        hex::encode(hash),
                        self.limits.commit_wait
                    )))
                }
            }
        }
        Ok(Response::new(resp))
    }

    async fn status(
        &self,
        _req: Request<pb::StatusRequest>,
    ) -> Result<Response<pb::StatusResponse>, Status> {
        let latest = self
            .backend
            .storage()
            .latest()
            .ok_or_else(|| Status::unavailable("no genesis"))?;
        let (chain_id, mempool_size) = match &self.backend {
            Backend::Embedded(node) => (node.config().chain_id.clone(), node.mempool_size() as u64),
            Backend::Comet(c) => (
                c.chain_id()
                    .ok_or_else(|| Status::unavailable("no genesis"))?,
                c.mempool_size().await,
            ),
        };
        Ok(Response::new(pb::StatusResponse {
            chain_id,
            height: latest.height,
            app_hash: latest.app_hash.to_vec(),
            mempool_size,
        }))
    }

    async fn account(
        &self,
        req: Request<pb::AccountRequest>,
    ) -> Result<Response<pb::AccountResponse>, Status> {
        let addr = parse_address(&req.get_ref().address)?;
        let s = self.backend.storage();
        let height = s.latest().map_or(0, |l| l.height);
        let nonce = accounts::nonce(s, &addr).map_err(internal)?;
        let balances = accounts::balances(s, &addr)
            .map_err(internal)?
            .into_iter()
            .map(|(denom, a)| pb::Coin {
                denom,
                amount: a.to_string(),
            })
            .collect();
        Ok(Response::new(pb::AccountResponse {
            address: addr.to_string(),
            nonce,
            balances,
            height,
        }))
    }

    async fn balance(
        &self,
        req: Request<pb::BalanceRequest>,
    ) -> Result<Response<pb::BalanceResponse>, Status> {
        let req = req.into_inner();
        let addr = parse_address(&req.address)?;
        proofwork_tx::check_denom(&req.denom)
            .map_err(|e| Status::invalid_argument(e.to_string()))?;
        let s = self.backend.storage();
        let height = s.latest().map_or(0, |l| l.height);
        let amount = accounts::balance(s, &addr, &req.denom).map_err(internal)?;
        Ok(Response::new(pb::BalanceResponse {
            amount: amount.to_string(),
            height,
        }))
    }

    async fn get_tx(
        &self,
        req: Request<pb::GetTxRequest>,
    ) -> Result<Response<pb::GetTxResponse>, Status> {
        let hash: [u8; 32] = req
            .get_ref()
            .hash
            .as_slice()
            .try_into()
            .map_err(|_| Status::invalid_argument("hash must be 32 bytes"))?;
        let s = self.backend.storage();
        let loc = s
            .get_aux(&crate::app::tx_key(&hash))
            .map_err(internal)?
            .ok_or_else(|| Status::not_found(format!("tx {} not committed", hex::encode(hash))))?;
        if loc.len() != 12 {
            return Err(internal("corrupt tx index entry"));
        }
        let height = u64::from_be_bytes(loc[..8].try_into().expect("8 bytes"));
        let index = u32::from_be_bytes(loc[8..].try_into().expect("4 bytes"));
        let block = crate::app::load_block(s, height)
            .map_err(internal)?
            .ok_or_else(|| internal(format!("block {height} missing from the block log")))?;
        let result = block.results.get(index as usize).cloned();
        Ok(Response::new(pb::GetTxResponse {
            result: Some(pb::TxResult {
                height,
                index,
                result,
            }),
        }))
    }
}
