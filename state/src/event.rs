//! The shape of a typed event: every event kind is a struct with a fixed kind and fixed,
//! ordered attributes. Components build these structs; the application turns them into the
//! block log's and ABCI's events in one place (`proofwork_app::events::abci_event`), so the
//! kinds and attribute keys that clients and tests read are fixed by the structs.

/// One event kind.
pub trait TypedEvent {
    /// The event's kind.
    const KIND: &'static str;
    /// Its attributes, in order.
    fn attributes(&self) -> Vec<(&'static str, String)>;
}
