//! Decoding, stateless checks and signing of transactions.

use proofwork_proto::tx::v1 as pb;
use prost::Message as _;

use crate::{parse_amount, Address, Message, PublicKey, SecretKey, TxError};

/// Domain tag hashed before the body bytes, so a tx signature can never be valid for any
/// other proofwork message (or another protocol using the same key).
pub const SIGNING_DOMAIN: &[u8] = b"proofwork/tx/v1";

/// BLAKE3 of the encoded tx bytes.
pub type TxHash = [u8; 32];

/// Limits applied before any expensive work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxLimits {
    /// Largest accepted encoded tx.
    pub max_tx_bytes: u64,
    /// Most messages in one tx.
    pub max_messages: u64,
}

impl Default for TxLimits {
    fn default() -> Self {
        TxLimits {
            max_tx_bytes: 1 << 20,
            max_messages: 64,
        }
    }
}

/// Most bytes in a validator moniker.
pub const MAX_MONIKER_BYTES: usize = 64;

/// Checks a validator moniker: 1 to 64 bytes, no control characters.
///
/// # Errors
/// [`TxError::BadMoniker`].
pub fn check_moniker(moniker: &str) -> Result<(), TxError> {
    if moniker.is_empty() || moniker.len() > MAX_MONIKER_BYTES {
        return Err(TxError::BadMoniker {
            reason: format!("length must be 1 to {MAX_MONIKER_BYTES} bytes"),
        });
    }
    if moniker.chars().any(char::is_control) {
        return Err(TxError::BadMoniker {
            reason: "control characters are not allowed".into(),
        });
    }
    Ok(())
}

/// Checks that `bytes` is an ed25519 public key CometBFT can use: 32 bytes that decode to
/// a curve point.
///
/// # Errors
/// [`TxError::BadConsensusKey`].
pub fn check_consensus_key(bytes: &[u8]) -> Result<[u8; 32], TxError> {
    let key: [u8; 32] = bytes.try_into().map_err(|_| TxError::BadConsensusKey {
        reason: format!("expected 32 bytes, got {}", bytes.len()),
    })?;
    ed25519_consensus::VerificationKey::try_from(key).map_err(|e| TxError::BadConsensusKey {
        reason: format!("not an ed25519 point: {e}"),
    })?;
    Ok(key)
}

/// Checks that `bytes` are an sr25519 public key (32 bytes, a valid Ristretto point), so
/// that no validator is admitted with a key that cannot sign vote extensions.
///
/// # Errors
/// [`TxError::BadVrfKey`].
pub fn check_vrf_key(bytes: &[u8]) -> Result<[u8; 32], TxError> {
    if bytes.len() != 32 {
        return Err(TxError::BadVrfKey {
            reason: format!("expected 32 bytes, got {}", bytes.len()),
        });
    }
    schnorrkel::PublicKey::from_bytes(bytes)
        .map(|k| k.to_bytes())
        .map_err(|e| TxError::BadVrfKey {
            reason: format!("not an sr25519 key: {e}"),
        })
}

/// Checks a denomination name: 1 to 64 characters of `[a-z0-9/._-]`, starting with a letter.
///
/// # Errors
/// [`TxError::BadDenom`] otherwise.
pub fn check_denom(denom: &str) -> Result<(), TxError> {
    let bad = |reason: &str| TxError::BadDenom {
        denom: denom.chars().take(64).collect(),
        reason: reason.into(),
    };
    if denom.is_empty() || denom.len() > 64 {
        return Err(bad("length must be 1 to 64"));
    }
    if !denom.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(bad("must start with a lower-case letter"));
    }
    if !denom
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"/._-".contains(&b))
    {
        return Err(bad("allowed characters are a-z 0-9 / . _ -"));
    }
    Ok(())
}

/// A validated tx body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxBody {
    /// Chain the tx is for.
    pub chain_id: String,
    /// Signer's nonce.
    pub nonce: u64,
    /// Fee in the native denomination.
    pub fee: u128,
    /// At least one message.
    pub messages: Vec<Message>,
}

impl TxBody {
    /// The protobuf form.
    pub fn to_proto(&self) -> pb::TxBody {
        pb::TxBody {
            chain_id: self.chain_id.clone(),
            nonce: self.nonce,
            fee: self.fee.to_string(),
            messages: self.messages.iter().map(Message::to_proto).collect(),
        }
    }
}

/// A decoded tx whose shape has been checked. The signature is checked separately by
/// [`SignedTx::verify_signature`], so that callers can cache or parallelise it.
#[derive(Debug, Clone)]
pub struct SignedTx {
    /// BLAKE3 of the tx bytes as received.
    pub hash: TxHash,
    /// The parsed body.
    pub body: TxBody,
    /// The body bytes as received (what was signed).
    pub body_bytes: bytes::Bytes,
    /// The signer's key.
    pub public_key: PublicKey,
    /// The signer's address, derived from `public_key`.
    pub signer: Address,
    /// The compact signature.
    pub signature: Vec<u8>,
    /// Size of the encoded tx.
    pub size: u64,
}

/// The digest a tx signature covers: `BLAKE3(SIGNING_DOMAIN || body_bytes)`.
pub fn signing_digest(body_bytes: &[u8]) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(SIGNING_DOMAIN);
    h.update(body_bytes);
    *h.finalize().as_bytes()
}

/// A tx's id: `BLAKE3(tx bytes)`.
pub fn tx_hash(bytes: &[u8]) -> [u8; 32] {
    *blake3::hash(bytes).as_bytes()
}

/// Whether `msg` encodes to exactly `want` (the canonical-encoding check), without building
/// the encoding: it is compared as prost writes it. A reveal is ~2 MiB; re-encoding it into
/// fresh buffers twice cost more than everything else in decoding it.
fn encodes_to(msg: &impl prost::Message, want: &[u8]) -> bool {
    if msg.encoded_len() != want.len() {
        return false;
    }
    let mut cmp = CompareBuf {
        want,
        pos: 0,
        equal: true,
        scratch: [0; 16],
    };
    msg.encode_raw(&mut cmp);
    cmp.equal && cmp.pos == want.len()
}

/// A `BufMut` that compares the bytes written to it with `want` instead of keeping them.
struct CompareBuf<'a> {
    want: &'a [u8],
    pos: usize,
    equal: bool,
    /// Where the `chunk_mut` path writes before `advance_mut` compares.
    scratch: [u8; 16],
}

impl CompareBuf<'_> {
    fn compare(&mut self, written: &[u8]) {
        let end = self.pos.saturating_add(written.len());
        self.equal &= self.want.get(self.pos..end) == Some(written);
        self.pos = end;
    }
}

// SAFETY: `chunk_mut` returns `scratch`, which is initialised memory of 16 bytes, and
// `advance_mut(cnt)` reads only `scratch[..cnt]` (`cnt` is clamped to 16, as the contract
// requires callers to stay within the chunk anyway); `remaining_mut` never shrinks below
// what prost checked with `encoded_len`, and nothing is ever exposed uninitialised.
unsafe impl bytes::BufMut for CompareBuf<'_> {
    fn remaining_mut(&self) -> usize {
        usize::MAX - self.pos
    }

    unsafe fn advance_mut(&mut self, cnt: usize) {
        let scratch = self.scratch;
        self.compare(&scratch[..cnt.min(scratch.len())]);
    }

    fn chunk_mut(&mut self) -> &mut bytes::buf::UninitSlice {
        bytes::buf::UninitSlice::new(&mut self.scratch)
    }

    fn put_slice(&mut self, src: &[u8]) {
        self.compare(src);
    }

    // prost writes `bytes` fields through `put`; the default moves them through `chunk_mut`
    // 16 bytes at a time.
    fn put<T: bytes::Buf>(&mut self, mut src: T)
    where
        Self: Sized,
    {
        while src.has_remaining() {
            let chunk = src.chunk();
            let n = chunk.len();
            self.compare(chunk);
            src.advance(n);
        }
    }
}

impl SignedTx {
    /// Decodes tx bytes and checks everything that needs no state and no signature check.
    ///
    /// # Errors
    /// In order: [`TxError::TooLarge`], [`TxError::Malformed`], [`TxError::NonCanonical`],
    /// [`TxError::UnknownMessage`], [`TxError::NoMessages`], [`TxError::TooManyMessages`],
    /// [`TxError::BadPublicKey`], then field errors (amounts, addresses, denominations).
    pub fn decode(bytes: &[u8], limits: &TxLimits) -> Result<Self, TxError> {
        Self::decode_hashed(bytes, tx_hash(bytes), limits)
    }

    /// [`SignedTx::decode`] for a caller that already has the tx's [`tx_hash`] (a mempool
    /// looks it up first), so a large tx is not hashed twice.
    ///
    /// # Errors
    /// As [`SignedTx::decode`].
    pub fn decode_hashed(bytes: &[u8], hash: TxHash, limits: &TxLimits) -> Result<Self, TxError> {
        debug_assert_eq!(hash, tx_hash(bytes));
        let size = bytes.len() as u64;
        if size > limits.max_tx_bytes {
            return Err(TxError::TooLarge {
                size,
                max: limits.max_tx_bytes,
            });
        }
        // One copy of the input; the body and a reveal's rows are slices of it.
        let buf = bytes::Bytes::copy_from_slice(bytes);
        let tx = pb::Tx::decode(buf).map_err(|e| TxError::Malformed {
            reason: e.to_string(),
        })?;
        if !encodes_to(&tx, bytes) {
            return Err(TxError::NonCanonical { what: "Tx" });
        }
        let body = pb::TxBody::decode(tx.body_bytes.clone()).map_err(|e| TxError::Malformed {
            reason: format!("body: {e}"),
        })?;
        if let Some(index) = body.messages.iter().position(|m| m.kind.is_none()) {
            return Err(TxError::UnknownMessage {
                index: index as u32,
            });
        }
        if !encodes_to(&body, &tx.body_bytes) {
            return Err(TxError::NonCanonical { what: "TxBody" });
        }
        if body.messages.is_empty() {
            return Err(TxError::NoMessages);
        }
        if body.messages.len() as u64 > limits.max_messages {
            return Err(TxError::TooManyMessages {
                got: body.messages.len() as u64,
                max: limits.max_messages,
            });
        }
        let public_key = PublicKey::from_bytes(&tx.public_key)?;
        let fee = parse_amount(&body.fee)?;
        let messages = body
            .messages
            .into_iter()
            .enumerate()
            .map(|(i, m)| Message::try_from_proto(i, m))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SignedTx {
            hash,
            body: TxBody {
                chain_id: body.chain_id,
                nonce: body.nonce,
                fee,
                messages,
            },
            signer: public_key.address(),
            public_key,
            body_bytes: tx.body_bytes,
            signature: tx.signature,
            size,
        })
    }

    /// Checks the signature over the received body bytes.
    ///
    /// # Errors
    /// [`TxError::HighS`] or [`TxError::BadSignature`].
    pub fn verify_signature(&self) -> Result<(), TxError> {
        self.public_key
            .verify_digest(&signing_digest(&self.body_bytes), &self.signature)
    }

    /// Checks that the tx is for `chain_id`.
    ///
    /// # Errors
    /// [`TxError::WrongChainId`].
    pub fn check_chain_id(&self, chain_id: &str) -> Result<(), TxError> {
        if self.body.chain_id != chain_id {
            return Err(TxError::WrongChainId {
                got: self.body.chain_id.chars().take(64).collect(),
                expected: chain_id.to_string(),
            });
        }
        Ok(())
    }
}

/// Encodes and signs a body; returns the tx bytes to broadcast.
pub fn sign_body(key: &SecretKey, body: &TxBody) -> Vec<u8> {
    let body_bytes = body.to_proto().encode_to_vec();
    let signature = key.sign_digest(&signing_digest(&body_bytes));
    pb::Tx {
        body_bytes: body_bytes.into(),
        public_key: key.public_key().to_bytes().to_vec(),
        signature: signature.to_vec(),
    }
    .encode_to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;
    use proptest::prelude::*;

    fn body(nonce: u64, amount: u128) -> TxBody {
        TxBody {
            chain_id: "test".into(),
            nonce,
            fee: 1,
            messages: vec![Message::Transfer(Transfer {
                to: Address([9; 20]),
                denom: "upw".into(),
                amount,
            })],
        }
    }

    fn decode(bytes: &[u8]) -> Result<SignedTx, TxError> {
        SignedTx::decode(bytes, &TxLimits::default())
    }

    #[test]
    fn signed_tx_verifies_and_names_its_signer() {
        let k = SecretKey::from_seed("alice");
        let tx = decode(&sign_body(&k, &body(0, 5))).unwrap();
        tx.verify_signature().unwrap();
        assert_eq!(tx.signer, k.public_key().address());
        assert_eq!(tx.body, body(0, 5));
    }

    #[test]
    fn tampered_body_fails_signature() {
        let k = SecretKey::from_seed("alice");
        let mut tx = pb::Tx::decode(sign_body(&k, &body(0, 5)).as_slice()).unwrap();
        tx.body_bytes = body(0, 6).to_proto().encode_to_vec().into();
        let tx = decode(&tx.encode_to_vec()).unwrap();
        assert!(matches!(
            tx.verify_signature(),
            Err(TxError::BadSignature { .. })
        ));
    }

    #[test]
    fn high_s_signature_is_rejected() {
        let k = SecretKey::from_seed("alice");
        let mut tx = pb::Tx::decode(sign_body(&k, &body(0, 5)).as_slice()).unwrap();
        let sig = k256::ecdsa::Signature::from_slice(&tx.signature).unwrap();
        // Flip S to N - S: same (r, s) point, the malleable twin.
        let (r, s) = sig.split_scalars();
        let high = k256::ecdsa::Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
        tx.signature = high.to_bytes().to_vec();
        let tx = decode(&tx.encode_to_vec()).unwrap();
        assert_eq!(tx.verify_signature(), Err(TxError::HighS));
    }

    #[test]
    fn malformed_and_oversize_bytes_are_rejected() {
        assert!(matches!(
            decode(&[0xff, 0xff, 0xff]),
            Err(TxError::Malformed { .. })
        ));
        let limits = TxLimits {
            max_tx_bytes: 10,
            max_messages: 4,
        };
        let bytes = sign_body(&SecretKey::from_seed("a"), &body(0, 1));
        assert!(matches!(
            SignedTx::decode(&bytes, &limits),
            Err(TxError::TooLarge { .. })
        ));
    }

    #[test]
    fn non_canonical_encoding_is_rejected() {
        let bytes = sign_body(&SecretKey::from_seed("a"), &body(0, 1));
        // Append an unknown field (tag 15, varint 0): still decodes, not canonical.
        let mut padded = bytes.clone();
        padded.extend_from_slice(&[0x78, 0x00]);
        assert_eq!(
            decode(&padded).unwrap_err(),
            TxError::NonCanonical { what: "Tx" }
        );
    }

    #[test]
    fn unknown_message_kind_is_rejected() {
        let k = SecretKey::from_seed("a");
        let mut b = body(0, 1).to_proto();
        b.messages.push(pb::Message { kind: None });
        // A message with an unknown oneof field (number 99) decodes as kind = None.
        let mut body_bytes = b.encode_to_vec();
        let idx = body_bytes.len() - 2; // last message is empty: `22 00`
        body_bytes.truncate(idx);
        body_bytes.extend_from_slice(&[0x22, 0x03, 0x98, 0x06, 0x00]);
        let sig = k.sign_digest(&signing_digest(&body_bytes));
        let tx = pb::Tx {
            body_bytes: body_bytes.into(),
            public_key: k.public_key().to_bytes().to_vec(),
            signature: sig.to_vec(),
        };
        assert_eq!(
            decode(&tx.encode_to_vec()).unwrap_err(),
            TxError::UnknownMessage { index: 1 }
        );
    }

    #[test]
    fn zero_amount_and_bad_fields_are_rejected() {
        let k = SecretKey::from_seed("a");
        assert_eq!(
            decode(&sign_body(&k, &body(0, 0))).unwrap_err(),
            TxError::ZeroAmount
        );
        let mut b = body(0, 1).to_proto();
        if let Some(pb::message::Kind::Transfer(t)) = &mut b.messages[0].kind {
            t.to = "pw1notanaddress".into();
        }
        let body_bytes = b.encode_to_vec();
        let tx = pb::Tx {
            signature: k.sign_digest(&signing_digest(&body_bytes)).to_vec(),
            body_bytes: body_bytes.into(),
            public_key: k.public_key().to_bytes().to_vec(),
        };
        assert!(matches!(
            decode(&tx.encode_to_vec()),
            Err(TxError::BadAddress { .. })
        ));
    }

    #[test]
    fn empty_tx_and_bad_key_are_rejected() {
        let k = SecretKey::from_seed("a");
        let mut b = body(0, 1);
        b.messages.clear();
        assert_eq!(decode(&sign_body(&k, &b)).unwrap_err(), TxError::NoMessages);
        let tx = pb::Tx {
            body_bytes: body(0, 1).to_proto().encode_to_vec().into(),
            public_key: vec![5; 33],
            signature: vec![1; 64],
        };
        assert!(matches!(
            decode(&tx.encode_to_vec()),
            Err(TxError::BadPublicKey { .. })
        ));
    }

    #[test]
    fn wrong_chain_id_is_rejected() {
        let tx = decode(&sign_body(&SecretKey::from_seed("a"), &body(0, 1))).unwrap();
        assert!(matches!(
            tx.check_chain_id("other"),
            Err(TxError::WrongChainId { .. })
        ));
        tx.check_chain_id("test").unwrap();
    }

    #[test]
    fn denominations_are_checked() {
        for bad in ["", "Upw", "1pw", "u pw", &"a".repeat(65)] {
            assert!(check_denom(bad).is_err(), "{bad:?}");
        }
        check_denom("upw").unwrap();
        check_denom("credit/compute-1.0_x").unwrap();
    }

    fn admission_body(m: Message) -> TxBody {
        TxBody {
            chain_id: "test".into(),
            nonce: 0,
            fee: 1,
            messages: vec![m],
        }
    }

    fn valid_vrf_key() -> [u8; 32] {
        schnorrkel::MiniSecretKey::from_bytes(&[5; 32])
            .unwrap()
            .expand_to_keypair(schnorrkel::ExpansionMode::Uniform)
            .public
            .to_bytes()
    }

    fn valid_consensus_key() -> [u8; 32] {
        ed25519_consensus::SigningKey::from([3u8; 32])
            .verification_key()
            .to_bytes()
    }

    #[test]
    fn admission_messages_round_trip() {
        let k = SecretKey::from_seed("op");
        for m in [
            Message::ApplyValidator(ApplyValidator {
                consensus_pubkey: valid_consensus_key(),
                moniker: "v5".into(),
                vrf_pubkey: valid_vrf_key(),
            }),
            Message::VoteValidator(VoteValidator {
                application_id: 7,
                approve: true,
            }),
            Message::ProposeRemoval(ProposeRemoval {
                consensus_pubkey: valid_consensus_key(),
            }),
        ] {
            let b = admission_body(m);
            assert_eq!(decode(&sign_body(&k, &b)).unwrap().body, b);
        }
    }

    #[test]
    fn unbond_and_credit_priced_jobs_round_trip() {
        let k = SecretKey::from_seed("op");
        let post = |denom: Option<&str>| {
            Message::PostJob(PostJob {
                model_id: 3,
                a_root: [5; 32],
                m: 8,
                price: 42,
                commit_blocks: 0,
                reveal_blocks: 0,
                denom: denom.map(Into::into),
            })
        };
        for m in [
            Message::UnbondWorker(UnbondWorker),
            post(None),
            post(Some("credit")),
        ] {
            let b = admission_body(m);
            assert_eq!(decode(&sign_body(&k, &b)).unwrap().body, b);
        }
        // A malformed denomination is refused at decoding, before any state is read.
        let mut b = admission_body(post(Some("credit"))).to_proto();
        if let Some(pb::message::Kind::PostJob(j)) = &mut b.messages[0].kind {
            j.denom = "Credit!".into();
        }
        let body_bytes = b.encode_to_vec();
        let tx = pb::Tx {
            signature: k.sign_digest(&signing_digest(&body_bytes)).to_vec(),
            body_bytes: body_bytes.into(),
            public_key: k.public_key().to_bytes().to_vec(),
        };
        let e = decode(&tx.encode_to_vec()).unwrap_err();
        assert!(matches!(e, TxError::BadDenom { .. }), "{e}");
    }

    #[test]
    fn malformed_consensus_keys_and_monikers_are_rejected() {
        assert!(matches!(
            check_consensus_key(&[1; 31]),
            Err(TxError::BadConsensusKey { .. })
        ));
        // Find a 32-byte string that is not a point (about half of them are not).
        let not_point = (0u8..=255)
            .map(|i| [i; 32])
            .find(|k| ed25519_consensus::VerificationKey::try_from(*k).is_err())
            .unwrap();
        assert!(matches!(
            check_consensus_key(&not_point),
            Err(TxError::BadConsensusKey { .. })
        ));
        let k = SecretKey::from_seed("op");
        assert!(matches!(
            check_vrf_key(&[0xff; 32]),
            Err(TxError::BadVrfKey { .. })
        ));
        assert!(matches!(check_vrf_key(&[]), Err(TxError::BadVrfKey { .. })));
        let mut b = admission_body(Message::ApplyValidator(ApplyValidator {
            consensus_pubkey: valid_consensus_key(),
            moniker: "ok".into(),
            vrf_pubkey: valid_vrf_key(),
        }))
        .to_proto();
        if let Some(pb::message::Kind::ApplyValidator(a)) = &mut b.messages[0].kind {
            a.consensus_pubkey = vec![9; 33];
        }
        let body_bytes = b.encode_to_vec();
        let tx = pb::Tx {
            signature: k.sign_digest(&signing_digest(&body_bytes)).to_vec(),
            body_bytes: body_bytes.into(),
            public_key: k.public_key().to_bytes().to_vec(),
        };
        assert_eq!(decode(&tx.encode_to_vec()).unwrap_err().code(), 102);
        for bad in ["", "a\nb", &"m".repeat(65)] {
            assert_eq!(check_moniker(bad).unwrap_err().code(), 108, "{bad:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn tx_round_trips_and_verifies(nonce in any::<u64>(), amount in 1u128.., fee in any::<u128>(), seed in "[a-z]{1,8}") {
            let k = SecretKey::from_seed(&seed);
            let mut b = body(nonce, amount);
            b.fee = fee;
            let bytes = sign_body(&k, &b);
            let tx = decode(&bytes).unwrap();
            prop_assert_eq!(&tx.body, &b);
            prop_assert!(tx.verify_signature().is_ok());
            prop_assert_eq!(tx.hash, *blake3::hash(&bytes).as_bytes());
        }

        /// The streaming canonical check agrees with "re-encode and compare" on canonical
        /// encodings, on every single-byte change of them (large `bytes` fields included,
        /// which prost writes through `BufMut::put`), and on truncations and extensions.
        #[test]
        fn streaming_canonical_check_agrees_with_reencoding(
            rows in proptest::collection::vec((proptest::collection::vec(any::<u8>(), 0..300), any::<u64>()), 1..6),
            pos in any::<prop::sample::Index>(),
            byte in any::<u8>(),
            cut in 0usize..4,
        ) {
            let b = TxBody {
                chain_id: "pw".into(),
                nonce: 5,
                fee: 9,
                messages: vec![Message::RevealWork(RevealWork {
                    job_id: 1,
                    rows: rows
                        .iter()
                        .map(|(data, i)| RevealedRow {
                            index: *i,
                            a_row: data.clone().into(),
                            c_row: data.iter().rev().copied().collect(),
                            a_proof: vec![[data.len() as u8; 32]; 2],
                            c_proof: vec![],
                        })
                        .collect(),
                })],
            }
            .to_proto();
            let enc = b.encode_to_vec();
            prop_assert!(encodes_to(&b, &enc));
            let mut changed = enc.clone();
            let i = pos.index(changed.len());
            changed[i] = byte;
            prop_assert_eq!(encodes_to(&b, &changed), b.encode_to_vec() == changed);
            let mut shorter = enc.clone();
            shorter.truncate(enc.len().saturating_sub(cut + 1));
            prop_assert!(!encodes_to(&b, &shorter));
            let mut longer = enc.clone();
            longer.extend(std::iter::repeat_n(0u8, cut + 1));
            prop_assert!(!encodes_to(&b, &longer));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode(&bytes);
        }

        #[test]
        fn any_single_bit_flip_is_caught(bit in 0usize..(8 * 120)) {
            let k = SecretKey::from_seed("flip");
            let mut bytes = sign_body(&k, &body(3, 77));
            let bit = bit % (bytes.len() * 8);
            bytes[bit / 8] ^= 1 << (bit % 8);
            let ok = decode(&bytes).and_then(|tx| tx.verify_signature().map(|_| tx));
            if let Ok(tx) = ok {
                // The only flips that may survive are in the key/sig framing that re-derives
                // an equally valid tx: the body must then be unchanged.
                prop_assert_eq!(tx.body, body(3, 77));
            }
        }
    }
}
