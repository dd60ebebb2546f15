//! proofwork's consensus-side protocol: the validator set and its voting power, and the
//! useful-work protocol whose verified results feed that power.
//!
//! Everything here is a pure function of state and block inputs (height, time, the
//! beacon), executed on the consensus thread in tx order. The GPU is never called from
//! this crate: work is checked on the CPU with the reference code in `proofwork-kernels`.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic)
)]

pub mod admission;
pub mod beacon;
pub mod validators;
pub mod work;
