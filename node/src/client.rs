//! A small typed client over the gRPC API: what the CLI, the demo and the load tool use.

use anyhow::{bail, Context as _};
use proofwork_proto::assets::v1::asset_query_client::AssetQueryClient;
use proofwork_proto::node::v1::{self as pb, node_client::NodeClient};
use proofwork_proto::validators::v1::{self as vpb, validators_client::ValidatorsClient};
use proofwork_tx::{sign_body, Address, Message, SecretKey, TxBody};
use tonic::transport::Channel;

/// A connected client.
#[derive(Clone)]
pub struct Client {
    inner: NodeClient<Channel>,
    assets: AssetQueryClient<Channel>,
    validators: ValidatorsClient<Channel>,
}

impl Client {
    /// Connects to `url` (e.g. `http://127.0.0.1:9090`).
    ///
    /// # Errors
    /// Connection failures.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let url = if url.contains("://") {
            url.to_string()
        } else {
            format!("http://{url}")
        };
        let channel = tonic::transport::Endpoint::from_shared(url.clone())?
            .connect()
            .await
            .with_context(|| {
                format!("connecting to the node at {url} (is `proofwork start` running?)")
            })?;
        let inner = NodeClient::new(channel.clone()).max_decoding_message_size(64 << 20);
        let assets = AssetQueryClient::new(channel.clone()).max_decoding_message_size(64 << 20);
        let validators = ValidatorsClient::new(channel).max_decoding_message_size(64 << 20);
        Ok(Client {
            inner,
            assets,
            validators,
        })
    }

    /// The asset query service (`proofwork.assets.v1.AssetQuery`).
    pub fn assets(&mut self) -> &mut AssetQueryClient<Channel> {
        &mut self.assets
    }

    /// Signs `messages` in one tx with the account's current nonce and broadcasts it.
    /// With `wait`, returns after the commit and fails if the tx failed in the block.
    ///
    /// # Errors
    /// RPC failures, the tx's CheckTx error, or (with `wait`) its DeliverTx error.
    pub async fn send(
        &mut self,
        key: &SecretKey,
        messages: Vec<Message>,
        fee: u128,
        wait: bool,
    ) -> anyhow::Result<pb::BroadcastTxResponse> {
        let chain_id = self.status().await?.chain_id;
        let nonce = self.account(&key.public_key().address()).await?.nonce;
        let body = TxBody {
            chain_id,
            nonce,
            fee,
            messages,
        };
        let resp = self.broadcast(sign_body(key, &body), wait).await?;
        if resp.code != 0 {
            bail!("tx refused (code {}): {}", resp.code, resp.log);
        }
        if let Some(r) = resp.committed.as_ref().and_then(|c| c.result.as_ref()) {
            if r.code != 0 {
                bail!("tx failed in the block (code {}): {}", r.code, r.log);
            }
        }
        Ok(resp)
    }

    /// Node status.
    ///
    /// # Errors
    /// RPC failures.
    pub async fn status(&mut self) -> anyhow::Result<pb::StatusResponse> {
        Ok(self.inner.status(pb::StatusRequest {}).await?.into_inner())
    }

    /// An account.
    ///
    /// # Errors
    /// RPC failures.
    pub async fn account(&mut self, addr: &Address) -> anyhow::Result<pb::AccountResponse> {
        Ok(self
            .inner
            .account(pb::AccountRequest {
                address: addr.to_string(),
            })
            .await?
            .into_inner())
    }

    /// One balance.
    ///
    /// # Errors
    /// RPC failures.
    pub async fn balance(&mut self, addr: &Address, denom: &str) -> anyhow::Result<u128> {
        let r = self
            .inner
            .balance(pb::BalanceRequest {
                address: addr.to_string(),
                denom: denom.into(),
                at: None,
            })
            .await?
            .into_inner();
        Ok(r.amount.parse()?)
    }

    /// Broadcasts raw tx bytes.
    ///
    /// # Errors
    /// RPC failures (a refused tx is an `Ok` response with a non-zero code).
    pub async fn broadcast(
        &mut self,
        tx: Vec<u8>,
        wait: bool,
    ) -> anyhow::Result<pb::BroadcastTxResponse> {
        Ok(self
            .inner
            .broadcast_tx(pb::BroadcastTxRequest { tx, wait })
            .await?
            .into_inner())
    }

    /// A committed tx by hash.
    ///
    /// # Errors
    /// RPC failures, including NotFound.
    pub async fn get_tx(&mut self, hash: &[u8]) -> anyhow::Result<pb::TxResult> {
        let r = self
            .inner
            .get_tx(pb::GetTxRequest {
                hash: hash.to_vec(),
            })
            .await?
            .into_inner();
        r.result.context("empty response")
    }

    /// A state key at a height (0 = latest), optionally with a proof.
    ///
    /// # Errors
    /// RPC failures (OutOfRange for unknown heights, FailedPrecondition for pruned ones).
    pub async fn query_state(
        &mut self,
        key: &[u8],
        height: u64,
        prove: bool,
    ) -> anyhow::Result<pb::QueryStateResponse> {
        Ok(self
            .inner
            .query_state(pb::QueryStateRequest {
                key: key.to_vec(),
                height,
                prove,
            })
            .await?
            .into_inner())
    }

    /// A block from the block log.
    ///
    /// # Errors
    /// RPC failures, including NotFound.
    pub async fn get_block(
        &mut self,
        height: u64,
    ) -> anyhow::Result<proofwork_proto::block::v1::BlockRecord> {
        Ok(self
            .inner
            .get_block(pb::GetBlockRequest { height })
            .await?
            .into_inner())
    }

    /// The raw generated client, for streams and anything not wrapped here.
    pub fn raw(&mut self) -> &mut NodeClient<Channel> {
        &mut self.inner
    }

    /// Signs and broadcasts a transfer using the account's current nonce.
    ///
    /// # Errors
    /// RPC failures, or the tx's CheckTx error.
    pub async fn transfer(
        &mut self,
        key: &SecretKey,
        to: Address,
        denom: &str,
        amount: u128,
        fee: u128,
        wait: bool,
    ) -> anyhow::Result<pb::BroadcastTxResponse> {
        let chain_id = self.status().await?.chain_id;
        let nonce = self.account(&key.public_key().address()).await?.nonce;
        let body = TxBody {
            chain_id,
            nonce,
            fee,
            messages: vec![Message::Transfer {
                to,
                denom: denom.into(),
                amount,
            }],
        };
        let resp = self.broadcast(sign_body(key, &body), wait).await?;
        if resp.code != 0 {
            bail!("tx refused (code {}): {}", resp.code, resp.log);
        }
        Ok(resp)
    }

    /// The validator set.
    ///
    /// # Errors
    /// RPC failures.
    pub async fn validators(&mut self) -> anyhow::Result<vpb::ValidatorsResponse> {
        Ok(self
            .validators
            .validators(vpb::ValidatorsRequest {})
            .await?
            .into_inner())
    }

    /// Open validator applications.
    ///
    /// # Errors
    /// RPC failures.
    pub async fn applications(&mut self) -> anyhow::Result<vpb::ApplicationsResponse> {
        Ok(self
            .validators
            .applications(vpb::ApplicationsRequest {})
            .await?
            .into_inner())
    }
}
