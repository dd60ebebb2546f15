//! The connected [`Client`].

use std::time::Duration;

use proofwork_proto::assets::v1::{self as apb, asset_query_client::AssetQueryClient};
use proofwork_proto::blobs::v1::blobs_client::BlobsClient;
use proofwork_proto::block::v1::BlockRecord;
use proofwork_proto::node::v1::{self as pb, node_client::NodeClient};
use proofwork_proto::validators::v1::{self as vpb, validators_client::ValidatorsClient};
use proofwork_proto::work::v1::{self as wpb, work_client::WorkClient};
use proofwork_tx::proof::{verify_proof, AppHash, StateProof};
use proofwork_tx::{Address, Message, SecretKey};
use tonic::transport::{Channel, Endpoint};

use crate::builder::{SignedTxBytes, Signer, TxBuilder};
use crate::{keys, ClientError};

/// Connection settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientConfig {
    /// Bound on establishing the TCP + HTTP/2 connection.
    pub connect_timeout: Duration,
    /// Bound on each call until its response headers arrive. Keep it above the node's
    /// commit wait (`grpc.commit_wait_ms`, 20 s by default) for broadcasts with `wait`.
    pub request_timeout: Duration,
    /// Largest response message accepted (blocks and job inputs can be large).
    pub max_message_bytes: usize,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(60),
            max_message_bytes: 64 << 20,
        }
    }
}

/// A value read from state with a Merkle proof that was checked against an app hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified<T> {
    /// The decoded value.
    pub value: T,
    /// The proof, re-checkable offline (`proofwork audit verify-proof` reads its JSON).
    pub proof: StateProof,
}

/// What [`Client::submit`] returns for an accepted tx.
#[derive(Debug, Clone, PartialEq)]
pub struct Submitted {
    /// BLAKE3 of the tx bytes.
    pub hash: Vec<u8>,
    /// Where and how it was committed, when the call waited.
    pub committed: Option<pb::TxResult>,
}

/// A typed client of one node's gRPC API (`proofwork.node.v1.Node`, `…assets.v1.AssetQuery`,
/// `…validators.v1.Validators`, `…work.v1.Work`).
///
/// Cloning is cheap: clones share one HTTP/2 connection.
#[derive(Clone, Debug)]
pub struct Client {
    url: String,
    node: NodeClient<Channel>,
    assets: AssetQueryClient<Channel>,
    validators: ValidatorsClient<Channel>,
    work: WorkClient<Channel>,
    blobs: BlobsClient<Channel>,
}

macro_rules! call {
    ($self:ident . $svc:ident . $method:ident ( $req:expr ), $name:literal) => {
        $self
            .$svc
            .$method($req)
            .await
            .map(tonic::Response::into_inner)
            .map_err(ClientError::rpc($name))
    };
}

impl Client {
    /// Connects to `url` (`http://127.0.0.1:9090`; a bare `host:port` means `http://`)
    /// with [`ClientConfig::default`].
    ///
    /// # Errors
    /// [`ClientError::InvalidUrl`], or [`ClientError::Connect`] when the node cannot be
    /// reached within the connect timeout.
    pub async fn connect(url: &str) -> Result<Self, ClientError> {
        Self::connect_with(url, ClientConfig::default()).await
    }

    /// Connects with explicit timeouts and limits.
    ///
    /// # Errors
    /// As [`Client::connect`].
    pub async fn connect_with(url: &str, cfg: ClientConfig) -> Result<Self, ClientError> {
        let url = if url.contains("://") {
            url.to_string()
        } else {
            format!("http://{url}")
        };
        let endpoint = Endpoint::from_shared(url.clone())
            .map_err(|e| ClientError::InvalidUrl {
                url: url.clone(),
                reason: e.to_string(),
            })?
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.request_timeout)
            .tcp_nodelay(true);
        let channel = endpoint
            .connect()
            .await
            .map_err(|source| ClientError::Connect {
                url: url.clone(),
                source,
            })?;
        let max = cfg.max_message_bytes;
        Ok(Client {
            url,
            node: NodeClient::new(channel.clone()).max_decoding_message_size(max),
            assets: AssetQueryClient::new(channel.clone()).max_decoding_message_size(max),
            validators: ValidatorsClient::new(channel.clone()).max_decoding_message_size(max),
            work: WorkClient::new(channel.clone()).max_decoding_message_size(max),
            blobs: BlobsClient::new(channel)
                .max_decoding_message_size(max)
                .max_encoding_message_size(max),
        })
    }

    /// The endpoint this client talks to.
    pub fn url(&self) -> &str {
        &self.url
    }

    // ---- node -------------------------------------------------------------------------

    /// Chain id, latest height and app hash, mempool size.
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn status(&mut self) -> Result<pb::StatusResponse, ClientError> {
        call!(self.node.status(pb::StatusRequest {}), "Node/Status")
    }

    /// An account's nonce and balances at the latest height.
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn account(&mut self, addr: &Address) -> Result<pb::AccountResponse, ClientError> {
        let req = pb::AccountRequest {
            address: addr.to_string(),
        };
        call!(self.node.account(req), "Node/Account")
    }

    /// One balance at the latest height (unverified; see [`Client::verified_balance`]).
    ///
    /// # Errors
    /// [`ClientError::Rpc`]; [`ClientError::Malformed`] if the amount is not a number.
    pub async fn balance(&mut self, addr: &Address, denom: &str) -> Result<u128, ClientError> {
        let req = pb::BalanceRequest {
            address: addr.to_string(),
            denom: denom.into(),
            at: None,
        };
        let r = call!(self.node.balance(req), "Node/Balance")?;
        r.amount
            .parse()
            .map_err(|_| ClientError::malformed("Node/Balance", format!("amount {:?}", r.amount)))
    }

    /// Broadcasts raw tx bytes. A refused tx is an `Ok` response with a non-zero `code`;
    /// see [`Client::submit`] for a version that turns refusals and failures into errors.
    ///
    /// # Errors
    /// [`ClientError::Rpc`] (including `DeadlineExceeded` when `wait` outlives the node's
    /// commit wait).
    pub async fn broadcast(
        &mut self,
        tx: Vec<u8>,
        wait: bool,
    ) -> Result<pb::BroadcastTxResponse, ClientError> {
        let req = pb::BroadcastTxRequest { tx, wait };
        call!(self.node.broadcast_tx(req), "Node/BroadcastTx")
    }

    /// Broadcasts a signed tx; with `wait`, returns once it is committed.
    ///
    /// # Errors
    /// [`ClientError::Refused`] if CheckTx refused it; with `wait`,
    /// [`ClientError::Failed`] if it failed in its block and [`ClientError::NotCommitted`]
    /// if the node stopped waiting; [`ClientError::Rpc`].
    pub async fn submit(
        &mut self,
        tx: &SignedTxBytes,
        wait: bool,
    ) -> Result<Submitted, ClientError> {
        let r = self.broadcast(tx.bytes.clone(), wait).await?;
        let hash = tx.hash.to_vec();
        check_broadcast(r, hash, wait)
    }

    /// Fills in what `signer` does not know yet (chain id, next nonce) from the node and
    /// signs `messages` with it, advancing its nonce.
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn sign(
        &mut self,
        signer: &mut Signer,
        messages: Vec<Message>,
    ) -> Result<SignedTxBytes, ClientError> {
        if signer.chain_id().is_none() {
            signer.set_chain_id(self.status().await?.chain_id);
        }
        if signer.next_nonce().is_none() {
            signer.set_nonce(self.account(&signer.address()).await?.nonce);
        }
        signer
            .try_sign(messages)
            .ok_or_else(|| ClientError::malformed("Node/Account", "nonce or chain id unset"))
    }

    /// Signs `messages` with `signer` and submits them in one tx. After a refusal the
    /// signer forgets its nonce, so the next call re-reads it from the node.
    ///
    /// # Errors
    /// As [`Client::sign`] and [`Client::submit`].
    pub async fn send_with(
        &mut self,
        signer: &mut Signer,
        messages: Vec<Message>,
        wait: bool,
    ) -> Result<Submitted, ClientError> {
        let tx = self.sign(signer, messages).await?;
        let r = self.submit(&tx, wait).await;
        if matches!(
            r,
            Err(ClientError::Refused { .. } | ClientError::Rpc { .. })
        ) {
            signer.reset_nonce();
        }
        r
    }

    /// Signs `messages` in one tx with the account's current nonce (read from the node)
    /// and broadcasts it. With `wait`, returns after the commit.
    ///
    /// # Errors
    /// As [`Client::submit`].
    pub async fn send(
        &mut self,
        key: &SecretKey,
        messages: Vec<Message>,
        fee: u128,
        wait: bool,
    ) -> Result<pb::BroadcastTxResponse, ClientError> {
        let tx = self.build(key, fee).await?.messages(messages).sign(key);
        let r = self.broadcast(tx.bytes.clone(), wait).await?;
        check_broadcast(r.clone(), tx.hash.to_vec(), wait)?;
        Ok(r)
    }

    /// Signs and broadcasts a transfer with the account's current nonce.
    ///
    /// # Errors
    /// As [`Client::send`].
    pub async fn transfer(
        &mut self,
        key: &SecretKey,
        to: Address,
        denom: &str,
        amount: u128,
        fee: u128,
        wait: bool,
    ) -> Result<pb::BroadcastTxResponse, ClientError> {
        let m = Message::Transfer(proofwork_tx::Transfer {
            to,
            denom: denom.into(),
            amount,
        });
        self.send(key, vec![m], fee, wait).await
    }

    /// A [`TxBuilder`] for `key`'s account with the node's chain id, the account's next
    /// nonce and `fee`.
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn build(&mut self, key: &SecretKey, fee: u128) -> Result<TxBuilder, ClientError> {
        let chain_id = self.status().await?.chain_id;
        let nonce = self.account(&key.public_key().address()).await?.nonce;
        Ok(TxBuilder::new(chain_id).nonce(nonce).fee(fee))
    }

    /// Runs a signed tx against the latest state without committing it.
    ///
    /// # Errors
    /// [`ClientError::Rpc`] (`InvalidArgument` for bytes that do not decode).
    pub async fn simulate(&mut self, tx: Vec<u8>) -> Result<pb::SimulateResponse, ClientError> {
        call!(
            self.node.simulate(pb::SimulateRequest { tx }),
            "Node/Simulate"
        )
    }

    /// A committed tx by hash.
    ///
    /// # Errors
    /// [`ClientError::Rpc`] with `NotFound` for an unknown hash ([`ClientError::is_not_found`]).
    pub async fn get_tx(&mut self, hash: &[u8]) -> Result<pb::TxResult, ClientError> {
        let req = pb::GetTxRequest {
            hash: hash.to_vec(),
        };
        call!(self.node.get_tx(req), "Node/GetTx")?
            .result
            .ok_or_else(|| ClientError::malformed("Node/GetTx", "empty result"))
    }

    /// A block from the node's block log.
    ///
    /// # Errors
    /// [`ClientError::Rpc`] with `NotFound` for an unknown height.
    pub async fn get_block(&mut self, height: u64) -> Result<BlockRecord, ClientError> {
        call!(
            self.node.get_block(pb::GetBlockRequest { height }),
            "Node/GetBlock"
        )
    }

    /// A block from the node's block log, by block hash.
    ///
    /// # Errors
    /// [`ClientError::Rpc`] with `NotFound` for an unknown hash.
    pub async fn get_block_by_hash(&mut self, hash: &[u8]) -> Result<BlockRecord, ClientError> {
        let req = pb::GetBlockByHashRequest {
            hash: hash.to_vec(),
        };
        call!(self.node.get_block_by_hash(req), "Node/GetBlockByHash")
    }

    /// A raw state key at a height (0 = latest), optionally with a proof. Nothing is
    /// verified; see [`Client::query_state_verified`].
    ///
    /// # Errors
    /// [`ClientError::Rpc`]: `OutOfRange` for a height not yet committed,
    /// `FailedPrecondition` for a pruned one.
    pub async fn query_state(
        &mut self,
        key: &[u8],
        height: u64,
        prove: bool,
    ) -> Result<pb::QueryStateResponse, ClientError> {
        let req = pb::QueryStateRequest {
            key: key.to_vec(),
            height,
            prove,
        };
        call!(self.node.query_state(req), "Node/QueryState")
    }

    /// Reads `key` at `height` with a proof and verifies it offline against
    /// `trusted_app_hash`: the app hash of that height from a source the caller trusts
    /// (a CometBFT header's `app_hash` at `height + 1`, a light client, another node).
    /// Returns the proven value (`None` = proven absent).
    ///
    /// # Errors
    /// [`ClientError::Proof`] if the node's answer does not prove the value under the
    /// trusted hash; [`ClientError::Malformed`] if it is for another key or height;
    /// [`ClientError::Rpc`].
    pub async fn query_state_verified(
        &mut self,
        key: &[u8],
        height: u64,
        trusted_app_hash: &AppHash,
    ) -> Result<Verified<Option<Vec<u8>>>, ClientError> {
        let r = self.query_state(key, height, true).await?;
        let proof = to_state_proof(r, key, height)?;
        proof.verify(trusted_app_hash)?;
        Ok(Verified {
            value: proof.value.clone(),
            proof,
        })
    }

    /// Reads `key` at the latest height with a proof and checks it against the app hash
    /// this node records for that height in its block log (genesis: its status).
    ///
    /// This proves the value is what the node's own committed state holds; it does not
    /// protect against a lying node. For that, check `proof.app_hash` against a header
    /// from a source you trust, or use [`Client::query_state_verified`].
    ///
    /// # Errors
    /// As [`Client::query_state_verified`].
    pub async fn query_state_proven(
        &mut self,
        key: &[u8],
    ) -> Result<Verified<Option<Vec<u8>>>, ClientError> {
        let r = self.query_state(key, 0, true).await?;
        let height = r.height;
        let proof = to_state_proof(r, key, height)?;
        let anchor = self.recorded_app_hash(height).await?;
        proof.verify(&anchor)?;
        // Belt and braces: the bytes themselves, not only the struct's claim.
        verify_proof(&anchor, &proof.key, proof.value.as_deref(), &proof.proof)?;
        Ok(Verified {
            value: proof.value.clone(),
            proof,
        })
    }

    /// The app hash the node recorded after `height` (its block log; status for genesis).
    ///
    /// # Errors
    /// [`ClientError::Rpc`]; [`ClientError::Malformed`] for a hash that is not 32 bytes.
    pub async fn recorded_app_hash(&mut self, height: u64) -> Result<AppHash, ClientError> {
        let bytes = if height == 0 {
            let s = self.status().await?;
            if s.height != 0 {
                return Err(ClientError::malformed(
                    "Node/Status",
                    "genesis app hash is only in status before the first block",
                ));
            }
            s.app_hash
        } else {
            self.get_block(height).await?.app_hash
        };
        bytes
            .try_into()
            .map_err(|_| ClientError::malformed("Node/GetBlock", "app hash is not 32 bytes"))
    }

    /// `addr`'s balance of `denom` at the latest height, proven against the node's recorded
    /// app hash (see [`Client::query_state_proven`] for what that does and does not prove).
    ///
    /// # Errors
    /// As [`Client::query_state_proven`]; [`ClientError::Malformed`] for a value that is
    /// not a u128.
    pub async fn verified_balance(
        &mut self,
        addr: &Address,
        denom: &str,
    ) -> Result<Verified<u128>, ClientError> {
        let v = self.query_state_proven(&keys::balance(addr, denom)).await?;
        let value = keys::decode_balance(v.value.as_deref())
            .ok_or_else(|| ClientError::malformed("Node/QueryState", "balance is not 16 bytes"))?;
        Ok(Verified {
            value,
            proof: v.proof,
        })
    }

    // ---- assets -----------------------------------------------------------------------

    /// An asset class.
    ///
    /// # Errors
    /// [`ClientError::Rpc`] (`NotFound` for an unknown class).
    pub async fn asset_class(
        &mut self,
        class_id: &str,
    ) -> Result<apb::AssetClassInfo, ClientError> {
        let req = apb::AssetClassRequest {
            class_id: class_id.into(),
            at: None,
        };
        call!(self.assets.asset_class(req), "AssetQuery/AssetClass")
    }

    /// A token of a class.
    ///
    /// # Errors
    /// [`ClientError::Rpc`] (`NotFound` for an unknown token).
    pub async fn token(
        &mut self,
        class_id: &str,
        token_id: u64,
    ) -> Result<apb::TokenInfo, ClientError> {
        let req = apb::TokenRequest {
            class_id: class_id.into(),
            token_id,
            at: None,
        };
        call!(self.assets.token(req), "AssetQuery/Token")
    }

    /// One page of the asset classes, in id (byte) order: at most `limit` (0 = 100) after the
    /// class `after` (`""`: from the first); `more` says whether another page follows.
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn asset_classes(
        &mut self,
        after: &str,
        limit: u32,
    ) -> Result<apb::AssetClassesResponse, ClientError> {
        let req = apb::AssetClassesRequest {
            after: after.into(),
            limit,
        };
        call!(self.assets.asset_classes(req), "AssetQuery/AssetClasses")
    }

    /// One page of the tokens an address owns, in (class, id) order: at most `limit` (0 =
    /// 100) after the token `after` (`None`: from the first); `more` says whether another
    /// page follows. [`Client::all_tokens_of`] pages through them all.
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn tokens_of(
        &mut self,
        owner: &Address,
        after: Option<(&str, u64)>,
        limit: u32,
    ) -> Result<apb::TokensOfResponse, ClientError> {
        let (after_class, after_token) = after.map_or((String::new(), 0), |(c, t)| (c.into(), t));
        let req = apb::TokensOfRequest {
            owner: owner.to_string(),
            after_class,
            after_token,
            limit,
        };
        call!(self.assets.tokens_of(req), "AssetQuery/TokensOf")
    }

    /// Every token an address owns, a page at a time.
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn all_tokens_of(
        &mut self,
        owner: &Address,
    ) -> Result<Vec<apb::TokenInfo>, ClientError> {
        let mut all: Vec<apb::TokenInfo> = Vec::new();
        loop {
            let after = all.last().map(|t| (t.class_id.clone(), t.token_id));
            let page = self
                .tokens_of(owner, after.as_ref().map(|(c, t)| (c.as_str(), *t)), 0)
                .await?;
            // A page that does not move past the last token would repeat forever.
            let next = page.tokens.last().map(|t| (t.class_id.clone(), t.token_id));
            let done = !page.more || next.is_none() || next <= after;
            all.extend(page.tokens);
            if done {
                return Ok(all);
            }
        }
    }

    /// One page of a token's provenance (every mint, transfer, sale and attestation, oldest
    /// first): at most `limit` (0 = 100) entries after sequence number `after` (0: from the
    /// first); `more` says whether another page follows. [`Client::all_provenance`] pages
    /// through it all.
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn provenance(
        &mut self,
        class_id: &str,
        token_id: u64,
        after: u64,
        limit: u32,
    ) -> Result<apb::ProvenanceResponse, ClientError> {
        let req = apb::ProvenanceRequest {
            class_id: class_id.into(),
            token_id,
            after,
            limit,
            at: None,
        };
        call!(self.assets.provenance(req), "AssetQuery/Provenance")
    }

    /// A token's whole provenance, a page at a time.
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn all_provenance(
        &mut self,
        class_id: &str,
        token_id: u64,
    ) -> Result<Vec<apb::ProvenanceEntry>, ClientError> {
        let mut all: Vec<apb::ProvenanceEntry> = Vec::new();
        loop {
            let after = all.last().map_or(0, |e| e.seq);
            let page = self.provenance(class_id, token_id, after, 0).await?;
            // A page that does not move past the last entry would repeat forever.
            let done = !page.more || page.entries.last().is_none_or(|e| e.seq <= after);
            all.extend(page.entries);
            if done {
                return Ok(all);
            }
        }
    }

    /// Open listings, by id after `after` (at most `limit`; 0 = 100).
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn listings(
        &mut self,
        after: u64,
        limit: u32,
    ) -> Result<apb::ListingsResponse, ClientError> {
        let req = apb::PageRequest { after, limit };
        call!(self.assets.listings(req), "AssetQuery/Listings")
    }

    /// Open offers, paged like [`Client::listings`].
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn offers(
        &mut self,
        after: u64,
        limit: u32,
    ) -> Result<apb::OffersResponse, ClientError> {
        let req = apb::PageRequest { after, limit };
        call!(self.assets.offers(req), "AssetQuery/Offers")
    }

    /// Open auctions, paged like [`Client::listings`].
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn auctions(
        &mut self,
        after: u64,
        limit: u32,
    ) -> Result<apb::AuctionsResponse, ClientError> {
        let req = apb::PageRequest { after, limit };
        call!(self.assets.auctions(req), "AssetQuery/Auctions")
    }

    /// A fractional vault.
    ///
    /// # Errors
    /// [`ClientError::Rpc`] (`NotFound` for an unknown vault).
    pub async fn vault(&mut self, id: u64) -> Result<apb::VaultInfo, ClientError> {
        call!(
            self.assets.vault(apb::IdRequest { id, at: None }),
            "AssetQuery/Vault"
        )
    }

    /// A registered IP work by content hash.
    ///
    /// # Errors
    /// [`ClientError::Rpc`] (`NotFound` for an unknown work).
    pub async fn ip_work(&mut self, content_hash: &[u8]) -> Result<apb::WorkInfo, ClientError> {
        let req = apb::WorkRequest {
            content_hash: content_hash.to_vec(),
            at: None,
        };
        call!(self.assets.work(req), "AssetQuery/Work")
    }

    /// An escrow.
    ///
    /// # Errors
    /// [`ClientError::Rpc`] (`NotFound` for an unknown escrow).
    pub async fn escrow(&mut self, id: u64) -> Result<apb::EscrowInfo, ClientError> {
        call!(
            self.assets.escrow(apb::IdRequest { id, at: None }),
            "AssetQuery/Escrow"
        )
    }

    // ---- useful work ------------------------------------------------------------------

    /// Jobs, optionally by status (`posted`, `claimed`, …), paged by id.
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn jobs(&mut self, req: wpb::JobsRequest) -> Result<wpb::JobsResponse, ClientError> {
        call!(self.work.jobs(req), "Work/Jobs")
    }

    /// One job.
    ///
    /// # Errors
    /// [`ClientError::Rpc`] (`NotFound` for an unknown job).
    pub async fn job(&mut self, job_id: u64) -> Result<wpb::JobInfo, ClientError> {
        call!(
            self.work.job(wpb::JobRequest { job_id, at: None }),
            "Work/Job"
        )
    }

    /// `count` rows of a model's weights `B` from `first_row` (at most what one message
    /// carries; see [`Client::model_weights`]).
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn model_rows(
        &mut self,
        model_id: u64,
        first_row: u32,
        count: u32,
    ) -> Result<wpb::ModelRowsResponse, ClientError> {
        call!(
            self.work.model_rows(wpb::ModelRowsRequest {
                model_id,
                first_row,
                count,
            }),
            "Work/ModelRows"
        )
    }

    /// All of a model's weights `B` (`k·n` int8), fetched in pages of at most 1 MiB.
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn model_weights(
        &mut self,
        model_id: u64,
        k: u32,
        n: u32,
    ) -> Result<Vec<i8>, ClientError> {
        let per = ((1u32 << 20) / n.max(1)).max(1);
        let mut out = Vec::with_capacity(k as usize * n as usize);
        let mut row = 0;
        while row < k {
            let count = per.min(k - row);
            let r = self.model_rows(model_id, row, count).await?;
            out.extend(r.rows.iter().map(|&v| v as i8));
            row += count;
        }
        Ok(out)
    }

    /// The beacon-sampled rows of a committed job (`ready` once its beacon is on chain).
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn sample(&mut self, job_id: u64) -> Result<wpb::SampleResponse, ClientError> {
        call!(
            self.work.sample(wpb::SampleRequest { job_id }),
            "Work/Sample"
        )
    }

    /// Registered models, paged by id.
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn models(
        &mut self,
        req: wpb::ModelsRequest,
    ) -> Result<wpb::ModelsResponse, ClientError> {
        call!(self.work.models(req), "Work/Models")
    }

    /// Workers and their credits (at most `limit`; 0 = default).
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn workers(&mut self, limit: u32) -> Result<wpb::WorkersResponse, ClientError> {
        call!(
            self.work.workers(wpb::WorkersRequest { limit }),
            "Work/Workers"
        )
    }

    /// The useful-work parameters.
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn work_params(&mut self) -> Result<wpb::ParamsResponse, ClientError> {
        call!(self.work.params(wpb::ParamsRequest {}), "Work/Params")
    }

    // ---- validators -------------------------------------------------------------------

    /// The validator set.
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn validators(&mut self) -> Result<vpb::ValidatorsResponse, ClientError> {
        call!(
            self.validators.validators(vpb::ValidatorsRequest {}),
            "Validators/Validators"
        )
    }

    /// Open validator applications (admissions and removals) and their votes.
    ///
    /// # Errors
    /// [`ClientError::Rpc`].
    pub async fn applications(&mut self) -> Result<vpb::ApplicationsResponse, ClientError> {
        call!(
            self.validators.applications(vpb::ApplicationsRequest {}),
            "Validators/Applications"
        )
    }

    // ---- raw generated clients ----------------------------------------------------------

    /// The generated `Node` client, for streams and anything not wrapped here.
    pub fn raw(&mut self) -> &mut NodeClient<Channel> {
        &mut self.node
    }

    /// The generated `AssetQuery` client.
    pub fn assets(&mut self) -> &mut AssetQueryClient<Channel> {
        &mut self.assets
    }

    /// The generated `Validators` client.
    pub fn validators_client(&mut self) -> &mut ValidatorsClient<Channel> {
        &mut self.validators
    }

    /// The generated `Work` client.
    pub fn work(&mut self) -> &mut WorkClient<Channel> {
        &mut self.work
    }

    /// The generated `Blobs` client (job inputs: streamed upload and download).
    pub fn blobs(&mut self) -> &mut BlobsClient<Channel> {
        &mut self.blobs
    }
}

/// Turns a broadcast answer into [`Submitted`] or the matching error.
fn check_broadcast(
    r: pb::BroadcastTxResponse,
    hash: Vec<u8>,
    wait: bool,
) -> Result<Submitted, ClientError> {
    let hash = if r.hash.is_empty() { hash } else { r.hash };
    if r.code != 0 {
        return Err(ClientError::Refused {
            hash,
            code: r.code,
            log: r.log,
        });
    }
    match r.committed {
        Some(c) => {
            if let Some(res) = c.result.as_ref().filter(|res| res.code != 0) {
                return Err(ClientError::Failed {
                    hash,
                    height: c.height,
                    code: res.code,
                    codespace: res.codespace.clone(),
                    log: res.log.clone(),
                });
            }
            Ok(Submitted {
                hash,
                committed: Some(c),
            })
        }
        None if wait => Err(ClientError::NotCommitted { hash }),
        None => Ok(Submitted {
            hash,
            committed: None,
        }),
    }
}

fn to_state_proof(
    r: pb::QueryStateResponse,
    key: &[u8],
    height: u64,
) -> Result<StateProof, ClientError> {
    const M: &str = "Node/QueryState";
    if r.key != key {
        return Err(ClientError::malformed(M, "answer is for another key"));
    }
    if height != 0 && r.height != height {
        return Err(ClientError::malformed(
            M,
            format!("answer is for height {} not {height}", r.height),
        ));
    }
    if r.proof.is_empty() {
        return Err(ClientError::malformed(M, "no proof in the answer"));
    }
    if !r.exists && !r.value.is_empty() {
        return Err(ClientError::malformed(M, "absent key with a value"));
    }
    let app_hash: AppHash = r
        .app_hash
        .try_into()
        .map_err(|_| ClientError::malformed(M, "app hash is not 32 bytes"))?;
    Ok(StateProof {
        height: r.height,
        app_hash,
        key: r.key,
        value: r.exists.then_some(r.value),
        proof: r.proof,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(code: u32, committed: Option<(u64, u32)>) -> pb::BroadcastTxResponse {
        pb::BroadcastTxResponse {
            hash: vec![],
            code,
            log: "why".into(),
            committed: committed.map(|(height, c)| pb::TxResult {
                height,
                index: 0,
                result: Some(proofwork_proto::block::v1::TxResult {
                    code: c,
                    codespace: "cs".into(),
                    ..Default::default()
                }),
            }),
            codespace: String::new(),
        }
    }

    #[test]
    fn broadcast_outcomes_map_to_errors() {
        let h = vec![1u8];
        assert!(matches!(
            check_broadcast(resp(8, None), h.clone(), true),
            Err(ClientError::Refused { code: 8, .. })
        ));
        assert!(matches!(
            check_broadcast(resp(0, Some((4, 10))), h.clone(), true),
            Err(ClientError::Failed {
                height: 4,
                code: 10,
                ..
            })
        ));
        assert!(matches!(
            check_broadcast(resp(0, None), h.clone(), true),
            Err(ClientError::NotCommitted { .. })
        ));
        let ok = check_broadcast(resp(0, None), h.clone(), false).unwrap();
        assert_eq!((ok.hash, ok.committed), (h.clone(), None));
        let ok = check_broadcast(resp(0, Some((4, 0))), h, true).unwrap();
        assert_eq!(ok.committed.unwrap().height, 4);
    }

    #[test]
    fn state_proof_answers_are_checked_for_key_height_and_shape() {
        let good = pb::QueryStateResponse {
            key: b"k".to_vec(),
            value: vec![],
            exists: false,
            height: 3,
            app_hash: vec![0; 32],
            proof: vec![1],
        };
        assert!(to_state_proof(good.clone(), b"k", 3).is_ok());
        assert!(to_state_proof(good.clone(), b"x", 3).is_err());
        assert!(to_state_proof(good.clone(), b"k", 4).is_err());
        let mut bad = good.clone();
        bad.app_hash = vec![0; 31];
        assert!(to_state_proof(bad, b"k", 3).is_err());
        let mut bad = good;
        bad.proof.clear();
        assert!(to_state_proof(bad, b"k", 3).is_err());
    }
}
