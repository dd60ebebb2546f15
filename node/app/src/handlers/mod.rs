//! One handler per message, in the shape of penumbra's `ActionHandler`: a pure
//! [`Handler::check_stateless`] (run with the signature check, in parallel), a
//! [`Handler::check_historical`] against committed state (CheckTx and ProcessProposal), and
//! [`Handler::execute`] against the block's state. Each lives in the module of the component
//! that owns the message and calls that component's function; [`execute_message`] is the
//! one dispatch, exhaustive over [`Message`], so a new variant does not compile until its
//! handler exists.

mod admission;
mod assets;
mod bank;
mod escrow;
mod fractional;
mod ip;
mod market;
pub(crate) mod work;

use proofwork_consensus::work::{WorkCache, WorkEnv};
use proofwork_state::{ExecError, StateRead, StateWrite};
use proofwork_tx::{Address, Message, TxError, TxHash};

use crate::events::Event;
use crate::Probe;

/// What a message's checks and execution see besides state: its tx and its place in it.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// The tx's signer.
    pub signer: &'a Address,
    /// The tx's chain id (already checked against the chain's).
    pub chain_id: &'a str,
    /// The chain's native denomination.
    pub native_denom: &'a str,
    /// Hash of the tx.
    pub tx_hash: TxHash,
    /// Position of the message in the tx.
    pub msg_index: u32,
    /// Spot-check cache (None: always recompute; the results are the same).
    pub work_cache: Option<&'a WorkCache>,
    /// The chain's largest tx (genesis `max_tx_bytes`).
    pub max_tx_bytes: u64,
}

impl<'a> Ctx<'a> {
    /// The useful-work component's view of this context.
    pub fn work_env(&self) -> WorkEnv<'a> {
        WorkEnv {
            native_denom: self.native_denom,
            cache: self.work_cache,
            tx_hash: self.tx_hash,
            msg_index: self.msg_index,
            max_tx_bytes: self.max_tx_bytes,
        }
    }
}

/// What [`Handler::check_stateless`] sees: the tx, never state.
#[derive(Clone, Copy)]
pub struct StatelessCtx<'a> {
    /// The tx's signer.
    pub signer: &'a Address,
    /// Hash of the tx.
    pub tx_hash: TxHash,
    /// Position of the message in the tx.
    pub msg_index: u32,
}

/// What [`Handler::check_historical`] sees besides committed state.
#[derive(Clone, Copy)]
pub struct HistoricalCtx<'a> {
    /// The message's context.
    pub tx: Ctx<'a>,
    /// Height of the block the tx would go in.
    pub height: u64,
    /// Where proof-check timings go.
    pub probe: &'a dyn Probe,
}

/// The checks and the execution of one message kind.
pub trait Handler {
    /// Checks that need neither state nor order: pure, so they may run in parallel before
    /// any state is read. Field parsing already happened when the tx was decoded.
    ///
    /// # Errors
    /// The message's stateless error.
    fn check_stateless(&self, _ctx: &StatelessCtx<'_>) -> Result<(), TxError> {
        Ok(())
    }

    /// Checks against committed state that a proposal must pass (ProcessProposal refuses a
    /// block whose tx fails one; CheckTx refuses the tx). A storage failure is logged and
    /// left to execution, which meets it again and halts the node.
    ///
    /// # Errors
    /// The reason the message can never be valid in the next block.
    fn check_historical<S: StateRead>(
        &self,
        _state: &S,
        _ctx: &HistoricalCtx<'_>,
    ) -> Result<(), TxError> {
        Ok(())
    }

    /// Executes the message against the block's state.
    ///
    /// # Errors
    /// The message's [`TxError`] (the caller drops its writes), or a fatal storage error.
    fn execute<S: StateWrite>(&self, state: &mut S, ctx: &Ctx<'_>) -> Result<Event, ExecError>;
}

/// Expands `$body` once per message variant with `$m` bound to the message struct: the one
/// list of variants every dispatch below goes through. No wildcard arm.
macro_rules! each_message {
    ($msg:expr, $m:ident => $body:expr) => {
        match $msg {
            Message::Transfer($m) => $body,
            Message::CreateAssetClass($m) => $body,
            Message::MintFungible($m) => $body,
            Message::MintUnique($m) => $body,
            Message::TransferUnique($m) => $body,
            Message::BurnAsset($m) => $body,
            Message::FreezeAsset($m) => $body,
            Message::ForceTransfer($m) => $body,
            Message::CreateListing($m) => $body,
            Message::CancelListing($m) => $body,
            Message::BuyListing($m) => $body,
            Message::MakeOffer($m) => $body,
            Message::AcceptOffer($m) => $body,
            Message::CancelOffer($m) => $body,
            Message::CreateAuction($m) => $body,
            Message::PlaceBid($m) => $body,
            Message::SettleAuction($m) => $body,
            Message::Fractionalize($m) => $body,
            Message::Buyout($m) => $body,
            Message::RedeemShares($m) => $body,
            Message::Unfractionalize($m) => $body,
            Message::RegisterIp($m) => $body,
            Message::AddLicenseTerms($m) => $body,
            Message::TakeLicense($m) => $body,
            Message::AddCertifier($m) => $body,
            Message::Attest($m) => $body,
            Message::CreateEscrow($m) => $body,
            Message::FundEscrow($m) => $body,
            Message::ResolveEscrow($m) => $body,
            Message::RefundEscrow($m) => $body,
            Message::RegisterModel($m) => $body,
            Message::UploadModelChunk($m) => $body,
            Message::RegisterWorker($m) => $body,
            Message::PostJob($m) => $body,
            Message::ClaimJob($m) => $body,
            Message::CommitWork($m) => $body,
            Message::RevealWork($m) => $body,
            Message::CancelJob($m) => $body,
            Message::UnbondWorker($m) => $body,
            Message::ConfirmOutput($m) => $body,
            Message::DisputeOutput($m) => $body,
            Message::AnswerDispute($m) => $body,
            Message::ChallengeRow($m) => $body,
            Message::ApplyValidator($m) => $body,
            Message::VoteValidator($m) => $body,
            Message::ProposeRemoval($m) => $body,
        }
    };
}

/// Runs `msg`'s stateless check.
///
/// # Errors
/// The message's stateless error.
pub fn check_stateless(msg: &Message, ctx: &StatelessCtx<'_>) -> Result<(), TxError> {
    each_message!(msg, m => m.check_stateless(ctx))
}

/// Runs `msg`'s historical check.
///
/// # Errors
/// The reason the message cannot be valid in the next block.
pub fn check_historical<S: StateRead>(
    msg: &Message,
    state: &S,
    ctx: &HistoricalCtx<'_>,
) -> Result<(), TxError> {
    each_message!(msg, m => m.check_historical(state, ctx))
}

/// Executes `msg`.
///
/// # Errors
/// The message's [`TxError`], or a fatal storage error.
pub fn execute_message<S: StateWrite>(
    msg: &Message,
    state: &mut S,
    ctx: &Ctx<'_>,
) -> Result<Event, ExecError> {
    each_message!(msg, m => m.execute(state, ctx))
}

/// The event of an asset-family message: kind `kind`, the signer first, then what the
/// component reported.
fn signed_event(kind: &str, signer: &Address, attrs: Vec<(&'static str, String)>) -> Event {
    let mut all = Vec::with_capacity(attrs.len().saturating_add(1));
    all.push(("signer", signer.to_string()));
    all.extend(attrs);
    crate::events::abci_event(kind, all)
}

/// The event of an asset-family message whose component reports a typed event: its kind
/// (the message's), the signer first, then the event's attributes.
fn signed_typed_event<E: crate::events::TypedEvent>(signer: &Address, e: &E) -> Event {
    signed_event(E::KIND, signer, e.attributes())
}

/// Implements [`Handler`] for message structs whose execution is one call of a component
/// function returning a typed event (one struct per event kind, named after the message),
/// built into the event by [`signed_typed_event`].
macro_rules! typed_component_handlers {
    ($($t:ty => |$m:ident, $s:ident, $ctx:ident| $call:expr;)*) => {
        $(impl crate::handlers::Handler for $t {
            fn execute<S: proofwork_state::StateWrite>(
                &self,
                $s: &mut S,
                $ctx: &crate::handlers::Ctx<'_>,
            ) -> Result<crate::events::Event, proofwork_state::ExecError> {
                let $m = self;
                let event = $call?;
                Ok(crate::handlers::signed_typed_event($ctx.signer, &event))
            }
        })*
    };
}
pub(crate) use typed_component_handlers;
