//! Height-pinned, optionally proving state reads for the typed point queries
//! (`proofwork.query.v1.At` in, `QueryProof` out).
//!
//! The typed queries call the same component functions as the state machine (`assets::class`,
//! `accounts::balance`, ...) over any [`StateRead`]. [`AtReader`] is one pinned to a height:
//! every point read goes to the versioned tree at that height, and with `prove` it records the
//! entry with its Merkle proof. A client checks each recorded entry against the app hash (and
//! that against a header) and can recompute the typed answer from them. Prefix scans cannot be
//! proven complete and the tree is keyed by hashes, so they are refused unless the reader is at
//! the latest height without proofs ([`StateError::RangeRead`] → FailedPrecondition).

use std::cell::RefCell;

use proofwork_proto::query::v1 as pb;
use proofwork_state::{KvPairs, StateError, StateRead, Storage};
use tonic::Status;

/// The gRPC status of a state error met while answering a query.
pub(crate) fn state_status(e: StateError) -> Status {
    match e {
        StateError::UnknownHeight { .. } => Status::out_of_range(e.to_string()),
        StateError::Pruned { .. } | StateError::RangeRead { .. } => {
            Status::failed_precondition(e.to_string())
        }
        other => Status::internal(other.to_string()),
    }
}

/// A reader pinned to one committed height (see the module docs).
pub(crate) struct AtReader<'a> {
    storage: &'a Storage,
    height: u64,
    latest: bool,
    prove: bool,
    reads: RefCell<Vec<pb::ProvenRead>>,
}

impl<'a> AtReader<'a> {
    /// A reader for `at` (absent = latest, unproven).
    ///
    /// # Errors
    /// Unavailable before genesis; OutOfRange / FailedPrecondition for unknown or pruned
    /// heights.
    pub(crate) fn new(storage: &'a Storage, at: Option<&pb::At>) -> Result<Self, Status> {
        let latest = storage
            .latest()
            .ok_or_else(|| Status::unavailable("no genesis"))?
            .height;
        let (height, prove) = match at {
            Some(at) if at.height != 0 => (at.height, at.prove),
            Some(at) => (latest, at.prove),
            None => (latest, false),
        };
        // Unknown and pruned heights fail here, before any component code runs.
        storage.app_hash_at(height).map_err(state_status)?;
        Ok(Self {
            storage,
            height,
            latest: height == latest,
            prove,
            reads: RefCell::new(Vec::new()),
        })
    }

    /// The height read.
    pub(crate) fn height(&self) -> u64 {
        self.height
    }

    /// Whether prefix scans are served (latest height, no proof).
    pub(crate) fn can_scan(&self) -> bool {
        self.latest && !self.prove
    }

    /// The proof of everything read, when proving.
    ///
    /// # Errors
    /// Internal when the app hash cannot be read back.
    pub(crate) fn finish(self) -> Result<Option<pb::QueryProof>, Status> {
        if !self.prove {
            return Ok(None);
        }
        let app_hash = self
            .storage
            .app_hash_at(self.height)
            .map_err(state_status)?;
        Ok(Some(pb::QueryProof {
            height: self.height,
            app_hash: app_hash.to_vec(),
            reads: self.reads.into_inner(),
        }))
    }
}

impl StateRead for AtReader<'_> {
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        if self.prove {
            let p = self.storage.get_with_proof(key, self.height)?;
            self.reads.borrow_mut().push(pb::ProvenRead {
                key: key.to_vec(),
                value: p.value.clone().unwrap_or_default(),
                exists: p.value.is_some(),
                proof: p.proof,
            });
            Ok(p.value)
        } else if self.latest {
            self.storage.get_raw(key)
        } else {
            self.storage.get_at(key, self.height)
        }
    }

    fn scan_prefix(
        &self,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<KvPairs, StateError> {
        if self.can_scan() {
            self.storage.scan_prefix(prefix, start_after, limit)
        } else {
            Err(StateError::RangeRead {
                height: self.height,
            })
        }
    }
}
