//! Tests of the application driven through the ABCI adapter (they need [`crate::abci`],
//! which stays in the node crate).

mod admission;
mod beacon;
