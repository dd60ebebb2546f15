//! Errors at the command line: every failure leaves with a code and a codespace, printed as
//! `{"error": {"code", "codespace", "message"}}` under `--output json`.
//!
//! Codespace `cli` (this table) for failures of the command itself; `grpc` with the gRPC
//! status code when the node answered an RPC with an error; `checktx` with the tx error
//! code when the node refused a tx; the tx result's own codespace when a tx failed in its
//! block.

use proofwork_client::ClientError;

/// Anything not classified below.
pub(crate) const INTERNAL: u32 = 1;
/// The command line does not parse (unknown flag, missing value).
pub(crate) const USAGE: u32 = 2;
/// A value that does not parse (address, hex, amount, …).
pub(crate) const INPUT: u32 = 3;
/// A missing or corrupt home file (key, genesis, config, store).
pub(crate) const HOME: u32 = 4;
/// The node could not be reached.
pub(crate) const CONNECT: u32 = 5;
/// The node could not start (a port in use, keys that cannot produce blocks).
pub(crate) const STARTUP: u32 = 6;
/// A check failed: an audit found a mismatch, a proof does not verify.
pub(crate) const VERIFY: u32 = 7;
/// A tx was accepted but not committed within the node's wait.
pub(crate) const NOT_COMMITTED: u32 = 8;

/// A failure the CLI names itself.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// See [`INPUT`].
    #[error("{0}")]
    Input(String),
    /// See [`HOME`].
    #[error("{0}")]
    Home(String),
    /// See [`STARTUP`].
    #[error("{0}")]
    Startup(String),
    /// See [`VERIFY`].
    #[error("{0}")]
    Verify(String),
}

/// A bad value given on the command line.
pub(crate) fn input(msg: impl Into<String>) -> anyhow::Error {
    CliError::Input(msg.into()).into()
}

/// An error's code, codespace and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Coded {
    pub(crate) code: u32,
    pub(crate) codespace: String,
    pub(crate) message: String,
}

/// Finds the most specific known error in the chain.
pub(crate) fn classify(e: &anyhow::Error) -> Coded {
    let message = format!("{e:#}");
    let coded = |code: u32, codespace: &str| Coded {
        code,
        codespace: codespace.to_string(),
        message: message.clone(),
    };
    for cause in e.chain() {
        if let Some(c) = cause.downcast_ref::<CliError>() {
            return match c {
                CliError::Input(_) => coded(INPUT, "cli"),
                CliError::Home(_) => coded(HOME, "cli"),
                CliError::Startup(_) => coded(STARTUP, "cli"),
                CliError::Verify(_) => coded(VERIFY, "cli"),
            };
        }
        if let Some(c) = cause.downcast_ref::<ClientError>() {
            return match c {
                ClientError::InvalidUrl { .. } => coded(INPUT, "cli"),
                ClientError::Connect { .. } => coded(CONNECT, "cli"),
                ClientError::Rpc { status, .. } => coded(status.code() as u32, "grpc"),
                ClientError::Refused { code, .. } => coded(*code, "checktx"),
                ClientError::Failed {
                    code, codespace, ..
                } => coded(*code, codespace),
                ClientError::NotCommitted { .. } => coded(NOT_COMMITTED, "cli"),
                ClientError::Proof(_) => coded(VERIFY, "cli"),
                ClientError::Malformed { .. } => coded(INTERNAL, "cli"),
            };
        }
        if let Some(s) = cause.downcast_ref::<tonic::Status>() {
            return coded(s.code() as u32, "grpc");
        }
        if cause.downcast_ref::<tonic::transport::Error>().is_some() {
            return coded(CONNECT, "cli");
        }
    }
    coded(INTERNAL, "cli")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_their_code_through_context() {
        use anyhow::Context as _;
        let e = Err::<(), _>(input("bad hex"))
            .context("parsing --key")
            .unwrap_err();
        let c = classify(&e);
        assert_eq!((c.code, c.codespace.as_str()), (INPUT, "cli"));
        assert!(c.message.contains("parsing --key") && c.message.contains("bad hex"));
        let failed: anyhow::Error = ClientError::Failed {
            hash: vec![0; 32],
            height: 3,
            code: 9,
            codespace: "insufficient_funds".into(),
            log: "no".into(),
        }
        .into();
        let c = classify(&failed);
        assert_eq!((c.code, c.codespace.as_str()), (9, "insufficient_funds"));
        assert_eq!(classify(&anyhow::anyhow!("x")).code, INTERNAL);
    }
}
