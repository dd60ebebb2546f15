//! The ABCI 2.0 adapter (CometBFT v0.38) and its socket server.
//!
//! [`AbciApp`] implements `tendermint_abci::Application`. CometBFT opens four connections
//! (consensus, mempool, query, snapshot) and calls them concurrently, so the consensus
//! path (`App`) and the mempool path ([`CheckState`]) are behind separate locks.
//!
//! The server is ours rather than `tendermint_abci::Server`: that dispatcher unwraps the
//! request's `value`, so one malformed request panics its connection thread and CometBFT
//! then stops. Here an empty or undecodable request gets an `Exception` response and a log
//! line, and oversized frames are refused before allocation.

use std::io::{BufReader, BufWriter, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use proofwork_genesis::AppState;
use proofwork_state::ExecError;
use prost::Message as _;
use tendermint_abci::Application;
use tendermint_proto::v0_38::abci::{
    self as abci, request::Value as Req, response::Value as Resp, Request, Response,
};

use crate::app::{query, App, AppError, BlockInput, CheckState};

/// Largest ABCI frame accepted (a block of txs plus framing).
pub const MAX_FRAME_BYTES: u64 = 128 << 20;

/// Called after every Commit with the committed block (e.g. to wake gRPC commit waiters).
pub type CommitHook = Arc<dyn Fn(&crate::app::BlockOutcome) + Send + Sync>;

/// Where to crash on purpose, for crash-recovery tests: `PROOFWORK_CRASH_IN_COMMIT` set to
/// `before:H` aborts in Commit of height H before the block's batch is written, `after:H`
/// right after it is written but before CometBFT hears back. Either way the process dies
/// as under kill -9 (no unwinding, no flush).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashPoint {
    /// Before `Storage::commit`.
    Before(u64),
    /// After `Storage::commit`, before the response.
    After(u64),
}

impl CrashPoint {
    /// Reads `PROOFWORK_CRASH_IN_COMMIT`.
    pub fn from_env() -> Option<Self> {
        let v = std::env::var("PROOFWORK_CRASH_IN_COMMIT").ok()?;
        let (when, h) = v.split_once(':')?;
        let h = h.parse().ok()?;
        match when {
            "before" => Some(CrashPoint::Before(h)),
            "after" => Some(CrashPoint::After(h)),
            _ => None,
        }
    }
}

/// The application as CometBFT sees it.
#[derive(Clone)]
pub struct AbciApp {
    app: Arc<Mutex<App>>,
    check: Arc<Mutex<Option<CheckState>>>,
    local_max_tx_bytes: u64,
    on_commit: Option<CommitHook>,
    crash: Option<CrashPoint>,
    /// Started by FinalizeBlock, read by Commit (`block_exec_seconds`).
    block_timer: Arc<Mutex<Option<crate::metrics::BlockTimer>>>,
}

impl AbciApp {
    /// Wraps an application.
    pub fn new(app: App, local_max_tx_bytes: u64) -> Self {
        let check = app.config().cloned().map(|cfg| {
            CheckState::new(
                app.storage().clone(),
                cfg,
                app.sig_cache().clone(),
                local_max_tx_bytes,
            )
            .with_work_cache(app.work_cache().clone())
        });
        AbciApp {
            app: Arc::new(Mutex::new(app)),
            check: Arc::new(Mutex::new(check)),
            local_max_tx_bytes,
            on_commit: None,
            crash: CrashPoint::from_env(),
            block_timer: Arc::new(Mutex::new(None)),
        }
    }

    /// Calls `hook` after every Commit.
    pub fn with_commit_hook(mut self, hook: CommitHook) -> Self {
        self.on_commit = Some(hook);
        self
    }

    fn crash_if(&self, point: CrashPoint) {
        if self.crash == Some(point) {
            eprintln!("PROOFWORK_CRASH_IN_COMMIT: aborting at {point:?}");
            std::process::abort();
        }
    }

    /// The application, for in-crate tests.
    #[cfg(test)]
    pub(crate) fn app_for_tests(&self) -> std::sync::MutexGuard<'_, App> {
        self.app()
    }

    fn app(&self) -> std::sync::MutexGuard<'_, App> {
        self.app.lock().expect("app lock is not poisoned")
    }

    fn fatal(&self, what: &str, e: AppError) -> ! {
        // Consensus cannot go on with a state machine that failed: exit so that the
        // operator sees it and CometBFT replays from the last commit on restart.
        tracing::error!(error = %e, "{what} failed; halting");
        eprintln!("fatal: {what}: {e}");
        std::process::exit(70);
    }
}

fn time_ns(t: Option<&tendermint_proto::google::protobuf::Timestamp>) -> u64 {
    t.map(|t| {
        let secs = u64::try_from(t.seconds).unwrap_or(0);
        let nanos = u64::try_from(t.nanos).unwrap_or(0);
        secs.saturating_mul(1_000_000_000).saturating_add(nanos)
    })
    .unwrap_or(0)
}

fn to_abci_update(pub_key: &[u8; 32], power: u64) -> abci::ValidatorUpdate {
    abci::ValidatorUpdate {
        pub_key: Some(tendermint_proto::v0_38::crypto::PublicKey {
            sum: Some(tendermint_proto::v0_38::crypto::public_key::Sum::Ed25519(
                pub_key.to_vec(),
            )),
        }),
        power: i64::try_from(power).unwrap_or(i64::MAX),
    }
}

fn to_abci_events(events: &[crate::app::Event]) -> Vec<abci::Event> {
    events
        .iter()
        .map(|e| abci::Event {
            r#type: e.kind.clone(),
            attributes: e
                .attributes
                .iter()
                .map(|a| abci::EventAttribute {
                    key: a.key.clone(),
                    value: a.value.clone(),
                    index: true,
                })
                .collect(),
        })
        .collect()
}

impl Application for AbciApp {
    fn info(&self, _req: abci::RequestInfo) -> abci::ResponseInfo {
        let app = self.app();
        let (height, hash) = match app.info() {
            // Height 0 is genesis, which CometBFT expects to learn through InitChain.
            Some(l) if l.height > 0 => (l.height as i64, l.app_hash.to_vec()),
            _ => (0, vec![]),
        };
        abci::ResponseInfo {
            data: "proofwork".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            app_version: 1,
            last_block_height: height,
            last_block_app_hash: hash.into(),
        }
    }

    fn init_chain(&self, req: abci::RequestInitChain) -> abci::ResponseInitChain {
        if req.initial_height > 1 {
            self.fatal(
                "init_chain",
                AppError::Unsupported("initial_height must be 1".into()),
            );
        }
        let app_state: AppState = match serde_json::from_slice(&req.app_state_bytes) {
            Ok(s) => s,
            Err(e) => self.fatal("init_chain", AppError::Genesis(e.into())),
        };
        let mut app = self.app();
        let hash = match app.init_chain(&req.chain_id, &app_state) {
            Ok(h) => h,
            Err(e) => self.fatal("init_chain", e),
        };
        if let Some(cfg) = app.config().cloned() {
            *self.check.lock().expect("check lock") = Some(
                CheckState::new(
                    app.storage().clone(),
                    cfg,
                    app.sig_cache().clone(),
                    self.local_max_tx_bytes,
                )
                .with_work_cache(app.work_cache().clone()),
            );
        }
        // The app's registry is authoritative: answer with it, so that CometBFT's set is
        // the registry even if its genesis.json lists other validators (then warn).
        let validators = match proofwork_consensus::validators::validators(app.storage()) {
            Ok(v) => v,
            Err(e) => self.fatal("init_chain", AppError::State(e)),
        };
        let ours: Vec<abci::ValidatorUpdate> = validators
            .iter()
            .map(|v| to_abci_update(&v.pub_key, v.power))
            .collect();
        let mut theirs = req.validators.clone();
        let mut sorted = ours.clone();
        let key = |u: &abci::ValidatorUpdate| format!("{:?}", u.pub_key);
        theirs.sort_by_key(key);
        sorted.sort_by_key(key);
        if theirs != sorted {
            tracing::warn!(
                genesis_json = req.validators.len(),
                app_state = ours.len(),
                "CometBFT genesis validators differ from app_state validators; using app_state's"
            );
        }
        // The app state names the vote-extension enable height; CometBFT's genesis must
        // agree, or the app would require extensions CometBFT never asks for (or the
        // reverse). If it does not, answer with ours, which CometBFT then adopts.
        let ext_ours = app_state.params.vote_extensions_enable_height;
        let ext_theirs = req
            .consensus_params
            .as_ref()
            .and_then(|p| p.abci.as_ref())
            .map_or(0, |a| {
                u64::try_from(a.vote_extensions_enable_height).unwrap_or(0)
            });
        let consensus_params = (ext_ours != ext_theirs).then(|| {
            tracing::warn!(
                app_state = ext_ours,
                cometbft_genesis = ext_theirs,
                "vote_extensions_enable_height differs between app_state and CometBFT's genesis; using app_state's"
            );
            tendermint_proto::v0_38::types::ConsensusParams {
                abci: Some(tendermint_proto::v0_38::types::AbciParams {
                    vote_extensions_enable_height: i64::try_from(ext_ours).unwrap_or(i64::MAX),
                }),
                ..Default::default()
            }
        });
        abci::ResponseInitChain {
            consensus_params,
            validators: ours,
            app_hash: hash.to_vec().into(),
        }
    }

    fn query(&self, req: abci::RequestQuery) -> abci::ResponseQuery {
        let storage = self.app().storage().clone();
        let ans = query::query(
            &storage,
            &req.path,
            &req.data,
            u64::try_from(req.height).unwrap_or(0),
            req.prove,
        );
        let proof_ops = ans
            .proof
            .as_ref()
            .map(|p| tendermint_proto::v0_38::crypto::ProofOps {
                ops: vec![tendermint_proto::v0_38::crypto::ProofOp {
                    r#type: "jmt:blake3".into(),
                    key: p.key.clone(),
                    data: p.proof.clone(),
                }],
            });
        abci::ResponseQuery {
            code: ans.code,
            log: ans.log,
            key: ans.key.into(),
            value: ans.value.into(),
            proof_ops,
            height: ans.height as i64,
            ..Default::default()
        }
    }

    fn check_tx(&self, req: abci::RequestCheckTx) -> abci::ResponseCheckTx {
        let mut guard = self.check.lock().expect("check lock");
        let Some(check) = guard.as_mut() else {
            return abci::ResponseCheckTx {
                code: 1000,
                log: "chain not initialised".into(),
                ..Default::default()
            };
        };
        match check.check(&req.tx) {
            Ok(_) => abci::ResponseCheckTx::default(),
            Err(ExecError::Tx(e)) => abci::ResponseCheckTx {
                code: e.code(),
                log: e.to_string(),
                codespace: e.codespace().into(),
                ..Default::default()
            },
            Err(ExecError::State(e)) => {
                tracing::error!(error = %e, "storage failure in CheckTx");
                abci::ResponseCheckTx {
                    code: 1001,
                    log: format!("internal: {e}"),
                    ..Default::default()
                }
            }
        }
    }

    fn prepare_proposal(&self, req: abci::RequestPrepareProposal) -> abci::ResponsePrepareProposal {
        let txs: Vec<Vec<u8>> = req.txs.iter().map(|t| t.to_vec()).collect();
        let max = u64::try_from(req.max_tx_bytes).unwrap_or(0);
        // Extensions of committed precommits only (CometBFT keeps the others' too).
        let exts: Vec<(&[u8], &[u8])> = req
            .local_last_commit
            .as_ref()
            .map(|c| {
                c.votes
                    .iter()
                    .filter(|v| {
                        v.block_id_flag
                            == tendermint_proto::v0_38::types::BlockIdFlag::Commit as i32
                    })
                    .filter_map(|v| {
                        let val = v.validator.as_ref()?;
                        Some((val.address.as_ref(), v.vote_extension.as_ref()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let txs = self.app().prepare_proposal_with(txs, max, exts);
        abci::ResponsePrepareProposal {
            txs: txs.into_iter().map(Into::into).collect(),
        }
    }

    fn process_proposal(&self, req: abci::RequestProcessProposal) -> abci::ResponseProcessProposal {
        let txs: Vec<Vec<u8>> = req.txs.iter().map(|t| t.to_vec()).collect();
        let ok = self.app().process_proposal(&txs);
        let status = if ok {
            abci::response_process_proposal::ProposalStatus::Accept
        } else {
            tracing::warn!(height = req.height, "rejecting proposal with an invalid tx");
            abci::response_process_proposal::ProposalStatus::Reject
        };
        abci::ResponseProcessProposal {
            status: status as i32,
        }
    }

    fn extend_vote(&self, req: abci::RequestExtendVote) -> abci::ResponseExtendVote {
        let height = u64::try_from(req.height).unwrap_or(0);
        abci::ResponseExtendVote {
            vote_extension: self.app().extend_vote(height).into(),
        }
    }

    fn verify_vote_extension(
        &self,
        req: abci::RequestVerifyVoteExtension,
    ) -> abci::ResponseVerifyVoteExtension {
        let height = u64::try_from(req.height).unwrap_or(0);
        let ok =
            self.app()
                .verify_vote_extension(&req.validator_address, height, &req.vote_extension);
        let status = if ok {
            abci::response_verify_vote_extension::VerifyStatus::Accept
        } else {
            abci::response_verify_vote_extension::VerifyStatus::Reject
        };
        abci::ResponseVerifyVoteExtension {
            status: status as i32,
        }
    }

    fn finalize_block(&self, req: abci::RequestFinalizeBlock) -> abci::ResponseFinalizeBlock {
        if let Ok(mut t) = self.block_timer.lock() {
            *t = Some(crate::metrics::BlockTimer::start());
        }
        let input = BlockInput {
            height: u64::try_from(req.height).unwrap_or(0),
            time_ns: time_ns(req.time.as_ref()),
            proposer: req.proposer_address.to_vec(),
            hash: req.hash.to_vec(),
            txs: req.txs.iter().map(|t| t.to_vec()).collect(),
        };
        let mut app = self.app();
        let outcome = match app.finalize_block(input) {
            Ok(o) => o,
            Err(e) => self.fatal("finalize_block", e),
        };
        let tx_results = outcome
            .tx_results
            .iter()
            .map(|r| match &r.result {
                Ok(events) => abci::ExecTxResult {
                    events: to_abci_events(events),
                    ..Default::default()
                },
                Err(e) => abci::ExecTxResult {
                    code: e.code(),
                    log: e.to_string(),
                    codespace: e.codespace().into(),
                    ..Default::default()
                },
            })
            .collect();
        abci::ResponseFinalizeBlock {
            events: to_abci_events(&outcome.events),
            tx_results,
            validator_updates: outcome
                .validator_updates
                .iter()
                .map(|u| to_abci_update(&u.pub_key, u.power))
                .collect(),
            consensus_param_updates: None,
            app_hash: outcome.app_hash.to_vec().into(),
        }
    }

    fn commit(&self) -> abci::ResponseCommit {
        let mut app = self.app();
        let height = app.info().map_or(0, |l| l.height) + 1;
        self.crash_if(CrashPoint::Before(height));
        let outcome = match app.commit() {
            Ok((_, outcome)) => outcome,
            Err(e) => self.fatal("commit", e),
        };
        self.crash_if(CrashPoint::After(height));
        if let Some(c) = self.check.lock().expect("check lock").as_mut() {
            c.reset();
        }
        drop(app);
        let exec_secs = self
            .block_timer
            .lock()
            .ok()
            .and_then(|mut t| t.take())
            .map_or(0.0, |t| t.secs());
        crate::metrics::observe_block(
            outcome.height,
            outcome.tx_results.len(),
            outcome
                .tx_results
                .iter()
                .filter(|r| r.result.is_err())
                .count(),
            exec_secs,
            None,
        );
        if let Some(hook) = &self.on_commit {
            hook(&outcome);
        }
        abci::ResponseCommit { retain_height: 0 }
    }
}

/// Dispatches one request, never panicking on an empty one.
pub fn dispatch<A: Application>(app: &A, req: Request) -> Response {
    let value = match req.value {
        None => Resp::Exception(abci::ResponseException {
            error: "empty ABCI request".into(),
        }),
        Some(Req::Echo(r)) => Resp::Echo(app.echo(r)),
        Some(Req::Flush(_)) => Resp::Flush(app.flush()),
        Some(Req::Info(r)) => Resp::Info(app.info(r)),
        Some(Req::InitChain(r)) => Resp::InitChain(app.init_chain(r)),
        Some(Req::Query(r)) => Resp::Query(app.query(r)),
        Some(Req::CheckTx(r)) => Resp::CheckTx(app.check_tx(r)),
        Some(Req::Commit(_)) => Resp::Commit(app.commit()),
        Some(Req::ListSnapshots(_)) => Resp::ListSnapshots(app.list_snapshots()),
        Some(Req::OfferSnapshot(r)) => Resp::OfferSnapshot(app.offer_snapshot(r)),
        Some(Req::LoadSnapshotChunk(r)) => Resp::LoadSnapshotChunk(app.load_snapshot_chunk(r)),
        Some(Req::ApplySnapshotChunk(r)) => Resp::ApplySnapshotChunk(app.apply_snapshot_chunk(r)),
        Some(Req::PrepareProposal(r)) => Resp::PrepareProposal(app.prepare_proposal(r)),
        Some(Req::ProcessProposal(r)) => Resp::ProcessProposal(app.process_proposal(r)),
        Some(Req::ExtendVote(r)) => Resp::ExtendVote(app.extend_vote(r)),
        Some(Req::VerifyVoteExtension(r)) => {
            Resp::VerifyVoteExtension(app.verify_vote_extension(r))
        }
        Some(Req::FinalizeBlock(r)) => Resp::FinalizeBlock(app.finalize_block(r)),
    };
    Response { value: Some(value) }
}

fn read_varint<R: Read>(r: &mut R) -> std::io::Result<Option<u64>> {
    let mut v = 0u64;
    for i in 0..10 {
        let mut b = [0u8; 1];
        match r.read(&mut b)? {
            0 if i == 0 => return Ok(None),
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            _ => {}
        }
        v |= u64::from(b[0] & 0x7f) << (7 * i);
        if b[0] & 0x80 == 0 {
            return Ok(Some(v));
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "varint too long",
    ))
}

/// Requests only CometBFT's consensus connection sends, in this order per height:
/// `FinalizeBlock` then `Commit` (with proposals and votes in between).
fn is_consensus(req: &Req) -> bool {
    matches!(
        req,
        Req::InitChain(_)
            | Req::PrepareProposal(_)
            | Req::ProcessProposal(_)
            | Req::ExtendVote(_)
            | Req::VerifyVoteExtension(_)
            | Req::FinalizeBlock(_)
            | Req::Commit(_)
    )
}

/// Which connection is the consensus connection, and whether a finalized block awaits its
/// Commit. Anyone local can reach the ABCI port; a stray `Commit` (or any consensus request
/// on a second connection) must not reach the state machine, whose failures halt the node.
#[derive(Debug, Default)]
struct Consensus {
    /// The first connection that sent a consensus request, until it closes.
    owner: Option<u64>,
    /// A `FinalizeBlock` answered and not yet committed.
    finalized: bool,
}

/// Shared by the connections of one server.
#[derive(Debug, Default)]
struct Roles {
    consensus: Mutex<Consensus>,
    next_id: std::sync::atomic::AtomicU64,
}

impl Roles {
    /// Why connection `conn` may not send `req` now, if it may not; records the claim and
    /// the FinalizeBlock → Commit order otherwise.
    fn admit(&self, conn: u64, req: &Req) -> Result<(), String> {
        if !is_consensus(req) {
            return Ok(());
        }
        let mut c = self
            .consensus
            .lock()
            .map_err(|_| "consensus connection state poisoned".to_string())?;
        match c.owner {
            Some(o) if o != conn => {
                return Err(format!(
                    "consensus requests are served on one connection only (connection {o} has it)"
                ))
            }
            _ => c.owner = Some(conn),
        }
        match req {
            Req::Commit(_) if !c.finalized => {
                return Err("Commit without a FinalizeBlock to commit".into());
            }
            Req::Commit(_) => c.finalized = false,
            Req::FinalizeBlock(_) => c.finalized = true,
            _ => {}
        }
        Ok(())
    }

    /// Frees the consensus role when its connection closes (CometBFT reconnects after a
    /// restart and replays from the last commit, so a pending block is dropped as well).
    fn release(&self, conn: u64) {
        if let Ok(mut c) = self.consensus.lock() {
            if c.owner == Some(conn) {
                *c = Consensus::default();
            }
        }
    }
}

fn exception(error: String) -> Response {
    Response {
        value: Some(Resp::Exception(abci::ResponseException { error })),
    }
}

/// Reads one varint-length-delimited frame; `None` at a clean end of stream. The length is
/// checked against [`MAX_FRAME_BYTES`] before anything is allocated.
///
/// # Errors
/// A truncated frame, an over-long varint, an oversized frame, or the reader's error.
pub fn read_frame<R: Read>(r: &mut R) -> std::io::Result<Option<Vec<u8>>> {
    let Some(len) = read_varint(r)? else {
        return Ok(None);
    };
    if len > MAX_FRAME_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("ABCI frame of {len} bytes exceeds {MAX_FRAME_BYTES}"),
        ));
    }
    let mut buf = vec![0u8; len as usize];
    r.read_exact(&mut buf)?;
    Ok(Some(buf))
}

fn serve_connection<A: Application>(
    app: A,
    stream: TcpStream,
    roles: &Roles,
    conn: u64,
) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::with_capacity(1 << 20, stream.try_clone()?);
    let mut writer = BufWriter::with_capacity(1 << 20, stream);
    loop {
        let Some(buf) = read_frame(&mut reader)? else {
            return Ok(());
        };
        let (resp, flush, refused) = match Request::decode(buf.as_slice()) {
            Ok(req) => match req.value.as_ref().map(|v| roles.admit(conn, v)) {
                Some(Err(why)) => {
                    tracing::warn!(conn, "refused ABCI request: {why}; closing the connection");
                    (exception(format!("refused: {why}")), true, Some(why))
                }
                _ => {
                    let flush = matches!(req.value, Some(Req::Flush(_)));
                    (dispatch(&app, req), flush, None)
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "undecodable ABCI request");
                (exception(format!("undecodable request: {e}")), true, None)
            }
        };
        writer.write_all(&resp.encode_length_delimited_to_vec())?;
        if flush {
            writer.flush()?;
        }
        if let Some(why) = refused {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                why,
            ));
        }
    }
}

/// Serves ABCI on `addr` (`tcp://host:port` or `host:port`) until the process exits.
///
/// # Errors
/// Binding the socket.
pub fn serve<A: Application>(app: A, addr: &str) -> std::io::Result<()> {
    let addr = addr.trim_start_matches("tcp://");
    serve_listener(app, TcpListener::bind(addr)?)
}

/// Serves ABCI on a bound listener until the process exits.
///
/// # Errors
/// Accept failures.
pub fn serve_listener<A: Application>(app: A, listener: TcpListener) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "ABCI server listening");
    let roles = Arc::new(Roles::default());
    for stream in listener.incoming() {
        let stream = stream?;
        let peer = stream
            .peer_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let app = app.clone();
        let roles = roles.clone();
        let conn = roles
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        std::thread::Builder::new()
            .name("abci-conn".into())
            .spawn(move || {
                tracing::info!(%peer, conn, "ABCI connection opened");
                let r = serve_connection(app, stream, &roles, conn);
                roles.release(conn);
                match r {
                    Err(e) => {
                        tracing::warn!(%peer, conn, error = %e, "ABCI connection closed with error")
                    }
                    Ok(()) => tracing::info!(%peer, conn, "ABCI connection closed"),
                }
            })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit() -> Req {
        Req::Commit(abci::RequestCommit {})
    }

    fn finalize() -> Req {
        Req::FinalizeBlock(abci::RequestFinalizeBlock::default())
    }

    #[test]
    fn a_stray_commit_is_refused_and_cometbfts_order_is_served() {
        let roles = Roles::default();
        // A Commit with nothing finalized, even on the would-be consensus connection.
        assert!(roles.admit(7, &commit()).is_err());
        roles.release(7);
        // CometBFT: queries anywhere, consensus requests on one connection, in order.
        assert!(roles
            .admit(1, &Req::Info(abci::RequestInfo::default()))
            .is_ok());
        assert!(roles.admit(2, &finalize()).is_ok());
        // Another local process: refused while connection 2 holds the role.
        assert!(roles.admit(9, &commit()).is_err());
        assert!(roles.admit(9, &finalize()).is_err());
        assert!(roles.admit(2, &commit()).is_ok());
        assert!(
            roles.admit(2, &commit()).is_err(),
            "a second Commit has nothing to commit"
        );
        // After CometBFT reconnects, its new consensus connection takes over.
        roles.release(2);
        assert!(roles.admit(3, &finalize()).is_ok());
        assert!(roles.admit(3, &commit()).is_ok());
    }
}
