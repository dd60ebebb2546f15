//! Wire types of proofwork, generated from the `.proto` files in `proto/proto`.
//!
//! This crate holds generated code and the [`DomainType`] trait only (plus the hex
//! serializer that the generated asset query types use for JSON). Validation lives in
//! `TryFrom` impls in the crate that owns each domain type.
#![allow(missing_docs, unreachable_pub, clippy::doc_lazy_continuation)]

/// Transactions (`proofwork.tx.v1`).
pub mod tx {
    /// Version 1.
    pub mod v1 {
        include!(concat!(env!("OUT_DIR"), "/proofwork.tx.v1.rs"));
    }
}

/// Block log (`proofwork.block.v1`).
pub mod block {
    /// Version 1.
    pub mod v1 {
        include!(concat!(env!("OUT_DIR"), "/proofwork.block.v1.rs"));
    }
}

/// Height selection and proofs for typed point queries (`proofwork.query.v1`).
pub mod query {
    /// Version 1.
    pub mod v1 {
        include!(concat!(env!("OUT_DIR"), "/proofwork.query.v1.rs"));
    }
}

/// Node gRPC service (`proofwork.node.v1`).
pub mod node {
    /// Version 1.
    pub mod v1 {
        include!(concat!(env!("OUT_DIR"), "/proofwork.node.v1.rs"));
    }
}

/// Asset query gRPC service (`proofwork.assets.v1`).
pub mod assets {
    /// Version 1.
    pub mod v1 {
        include!(concat!(env!("OUT_DIR"), "/proofwork.assets.v1.rs"));
    }
}

/// Useful-work query service (`proofwork.work.v1`).
pub mod work {
    /// Version 1.
    pub mod v1 {
        include!(concat!(env!("OUT_DIR"), "/proofwork.work.v1.rs"));
    }
}

/// Validator set and admission gRPC service (`proofwork.validators.v1`).
pub mod validators {
    /// Version 1.
    pub mod v1 {
        include!(concat!(env!("OUT_DIR"), "/proofwork.validators.v1.rs"));
    }
}

/// Content-addressed blob upload/download service (`proofwork.blobs.v1`).
pub mod blobs {
    /// Version 1.
    pub mod v1 {
        include!(concat!(env!("OUT_DIR"), "/proofwork.blobs.v1.rs"));
    }
}

/// Encoded `FileDescriptorSet` of every proofwork package, for gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/proofwork_descriptor.bin"));

/// A domain type with a canonical protobuf form.
///
/// `try_from` on the proto type is where validation happens; encoding a domain
/// value always yields the canonical bytes.
pub trait DomainType: Sized + Clone + TryFrom<Self::Proto> + Into<Self::Proto> {
    /// The generated message this type round-trips through.
    type Proto: prost::Message + Default + Clone;

    /// Canonical encoding.
    fn encode_to_vec(&self) -> Vec<u8> {
        prost::Message::encode_to_vec(&Into::<Self::Proto>::into(self.clone()))
    }
}

/// Serializes bytes as lowercase hex (used by the generated `serde::Serialize` impls).
///
/// # Errors
/// Whatever the serializer returns.
pub fn serde_hex<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    s.serialize_str(&out)
}
