//! End-to-end tests: the real `proofwork` binary on loopback, driven over gRPC and its CLI.
#![allow(unreachable_pub, missing_docs)] // test binary: helpers are shared across its modules
#![allow(clippy::disallowed_methods)] // tests bound their waits with the wall clock
//! Every wait is bounded; every child process is killed on drop.

mod support;

mod abci;
mod api;
mod assets;
mod bad_input;
mod blobs;
mod cli;
mod client_api;
mod cometbft;
mod crash;
mod exhaust;
mod explorer;
mod faults;
mod net;
mod node;
mod python_sdk;
mod rest;
mod work;
