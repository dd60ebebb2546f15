//! The client's error type.

use proofwork_tx::proof::ProofError;

/// Everything a [`Client`](crate::Client) call can fail with.
///
/// A gRPC failure keeps its [`tonic::Status`] (code, message, metadata), so callers can
/// match on [`tonic::Code::NotFound`], [`tonic::Code::OutOfRange`], … through
/// [`ClientError::status`]. A tx the node refuses or that fails in its block is not a
/// transport failure: it has its own variants with the stable
/// [`TxError`](proofwork_tx::TxError) code.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The URL is not a valid gRPC endpoint.
    #[error("invalid node url {url}: {reason}")]
    InvalidUrl {
        /// As given.
        url: String,
        /// Why.
        reason: String,
    },
    /// The connection could not be made (refused, timed out, bad TLS, …).
    #[error("connecting to the node at {url}: {source}")]
    Connect {
        /// Endpoint.
        url: String,
        /// Transport error.
        #[source]
        source: tonic::transport::Error,
    },
    /// The node answered a call with a gRPC error (or the call timed out:
    /// [`tonic::Code::Cancelled`] / [`tonic::Code::DeadlineExceeded`]).
    #[error("{method}: {} ({:?})", status.message(), status.code())]
    Rpc {
        /// The RPC, as `Service/Method`.
        method: &'static str,
        /// What the node said.
        status: Box<tonic::Status>,
    },
    /// CheckTx refused the tx: it never entered the mempool.
    #[error("tx {} refused (code {code}): {log}", hex::encode(hash))]
    Refused {
        /// BLAKE3 of the tx bytes.
        hash: Vec<u8>,
        /// Stable [`TxError`](proofwork_tx::TxError) code.
        code: u32,
        /// Message.
        log: String,
    },
    /// The tx was committed but failed in its block (its fee and nonce were still
    /// consumed).
    #[error(
        "tx {} failed in block {height} (code {code}, {codespace}): {log}",
        hex::encode(hash)
    )]
    Failed {
        /// BLAKE3 of the tx bytes.
        hash: Vec<u8>,
        /// Block height.
        height: u64,
        /// Stable [`TxError`](proofwork_tx::TxError) code.
        code: u32,
        /// ABCI codespace: the module that owns the code (`tx`, `assets`, `work`, …); the
        /// per-error name is [`ClientError::error_name`].
        codespace: String,
        /// Message.
        log: String,
    },
    /// A wait for the commit ended without one (the node's commit wait timed out).
    #[error(
        "tx {} was accepted but not committed within the node's wait",
        hex::encode(hash)
    )]
    NotCommitted {
        /// BLAKE3 of the tx bytes.
        hash: Vec<u8>,
    },
    /// A state proof did not verify.
    #[error("state proof: {0}")]
    Proof(#[from] ProofError),
    /// The node's answer is not what the API promises (a bug or a malicious node).
    #[error("malformed response from {method}: {reason}")]
    Malformed {
        /// The RPC.
        method: &'static str,
        /// What was wrong.
        reason: String,
    },
}

impl ClientError {
    /// The gRPC status, when the node answered with one.
    pub fn status(&self) -> Option<&tonic::Status> {
        match self {
            ClientError::Rpc { status, .. } => Some(status),
            _ => None,
        }
    }

    /// The gRPC code, when the node answered with one.
    pub fn code(&self) -> Option<tonic::Code> {
        self.status().map(tonic::Status::code)
    }

    /// The stable name of a refused or failed tx's error code (`insufficient_funds`), from
    /// the chain's error table (docs/errors.md).
    pub fn error_name(&self) -> Option<&'static str> {
        match self {
            ClientError::Refused { code, .. } | ClientError::Failed { code, .. } => {
                proofwork_tx::error::info(*code).map(|i| i.name)
            }
            _ => None,
        }
    }

    /// True for [`tonic::Code::NotFound`] (unknown tx, block or asset).
    pub fn is_not_found(&self) -> bool {
        self.code() == Some(tonic::Code::NotFound)
    }

    pub(crate) fn rpc(method: &'static str) -> impl FnOnce(tonic::Status) -> ClientError {
        move |status| ClientError::Rpc {
            method,
            status: Box::new(status),
        }
    }

    pub(crate) fn malformed(method: &'static str, reason: impl Into<String>) -> ClientError {
        ClientError::Malformed {
            method,
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpc_error_keeps_the_grpc_status() {
        let e = ClientError::rpc("Node/GetTx")(tonic::Status::not_found("tx not found"));
        assert!(e.is_not_found());
        assert_eq!(e.status().unwrap().message(), "tx not found");
        assert_eq!(e.to_string(), "Node/GetTx: tx not found (NotFound)");
    }

    #[test]
    fn refused_and_failed_name_the_code() {
        let e = ClientError::Refused {
            hash: vec![0xab],
            code: 3,
            log: "bad nonce".into(),
        };
        assert_eq!(e.to_string(), "tx ab refused (code 3): bad nonce");
        assert_eq!(e.code(), None);
        let e = ClientError::Failed {
            hash: vec![0xab],
            height: 7,
            code: 10,
            codespace: "tx".into(),
            log: "x".into(),
        };
        assert!(e.to_string().contains("block 7 (code 10, tx)"));
        assert_eq!(e.error_name(), Some("insufficient_funds"));
    }
}
