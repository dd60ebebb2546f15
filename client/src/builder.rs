//! Building and signing txs: [`TxBuilder`] for one tx, [`Signer`] for a stream of txs from
//! one account (it tracks the nonce locally so that consecutive txs need no round trip).

use proofwork_tx::{sign_body, Address, Message, SecretKey, TxBody};

/// The smallest fee any chain accepts (`params.min_fee` in genesis is at least this).
pub const DEFAULT_FEE: u128 = 1;

/// One signed tx, ready for [`Client::broadcast`](crate::Client::broadcast).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTxBytes {
    /// Encoded `proofwork.tx.v1.Tx`.
    pub bytes: Vec<u8>,
    /// BLAKE3 of `bytes`: the hash the node reports and indexes.
    pub hash: [u8; 32],
    /// The nonce it was signed with.
    pub nonce: u64,
}

impl SignedTxBytes {
    fn new(bytes: Vec<u8>, nonce: u64) -> Self {
        let hash = *blake3::hash(&bytes).as_bytes();
        SignedTxBytes { bytes, hash, nonce }
    }
}

/// Builds one tx body: messages, fee, nonce and chain id.
///
/// ```
/// use proofwork_client::TxBuilder;
/// use proofwork_tx::{Address, SecretKey};
///
/// let key = SecretKey::from_seed("alice");
/// let tx = TxBuilder::new("my-chain")
///     .transfer(Address([1; 20]), "upw", 10)
///     .fee(2)
///     .nonce(0)
///     .sign(&key);
/// assert_eq!(tx.nonce, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxBuilder {
    chain_id: String,
    nonce: u64,
    fee: u128,
    messages: Vec<Message>,
}

impl TxBuilder {
    /// An empty tx for `chain_id` with nonce 0 and [`DEFAULT_FEE`].
    pub fn new(chain_id: impl Into<String>) -> Self {
        TxBuilder {
            chain_id: chain_id.into(),
            nonce: 0,
            fee: DEFAULT_FEE,
            messages: Vec::new(),
        }
    }

    /// Adds a message.
    pub fn message(mut self, m: Message) -> Self {
        self.messages.push(m);
        self
    }

    /// Adds messages.
    pub fn messages(mut self, ms: impl IntoIterator<Item = Message>) -> Self {
        self.messages.extend(ms);
        self
    }

    /// Adds a transfer of `amount` base units of `denom` to `to`.
    pub fn transfer(self, to: Address, denom: &str, amount: u128) -> Self {
        self.message(Message::Transfer(proofwork_tx::Transfer {
            to,
            denom: denom.into(),
            amount,
        }))
    }

    /// Sets the fee (native base units, burned).
    pub fn fee(mut self, fee: u128) -> Self {
        self.fee = fee;
        self
    }

    /// Sets the signer's nonce (its account's next nonce).
    pub fn nonce(mut self, nonce: u64) -> Self {
        self.nonce = nonce;
        self
    }

    /// The body as it will be signed.
    pub fn body(&self) -> TxBody {
        TxBody {
            chain_id: self.chain_id.clone(),
            nonce: self.nonce,
            fee: self.fee,
            messages: self.messages.clone(),
        }
    }

    /// Signs the body. (A body without messages signs fine but every node refuses it.)
    pub fn sign(&self, key: &SecretKey) -> SignedTxBytes {
        SignedTxBytes::new(sign_body(key, &self.body()), self.nonce)
    }
}

/// One account's key plus its chain id, fee and next nonce.
///
/// [`Client::send`](crate::Client::send) fills the nonce from the node on first use and
/// then counts locally; after a refusal it forgets the nonce so that the next send asks
/// the node again (a refused tx does not consume its nonce).
#[derive(Debug, Clone)]
pub struct Signer {
    key: SecretKey,
    address: Address,
    chain_id: Option<String>,
    next_nonce: Option<u64>,
    fee: u128,
}

impl Signer {
    /// A signer for `key`; chain id and nonce are fetched from the node on first use.
    pub fn new(key: SecretKey) -> Self {
        let address = key.public_key().address();
        Signer {
            key,
            address,
            chain_id: None,
            next_nonce: None,
            fee: DEFAULT_FEE,
        }
    }

    /// Fixes the chain id instead of asking the node.
    pub fn with_chain_id(mut self, chain_id: impl Into<String>) -> Self {
        self.chain_id = Some(chain_id.into());
        self
    }

    /// Fixes the next nonce instead of asking the node.
    pub fn with_nonce(mut self, nonce: u64) -> Self {
        self.next_nonce = Some(nonce);
        self
    }

    /// Sets the fee of every tx this signer signs.
    pub fn with_fee(mut self, fee: u128) -> Self {
        self.fee = fee;
        self
    }

    /// The account's address.
    pub fn address(&self) -> Address {
        self.address
    }

    /// The key.
    pub fn key(&self) -> &SecretKey {
        &self.key
    }

    /// The fee each tx pays.
    pub fn fee(&self) -> u128 {
        self.fee
    }

    /// The chain id, if known.
    pub fn chain_id(&self) -> Option<&str> {
        self.chain_id.as_deref()
    }

    /// The next nonce, if known.
    pub fn next_nonce(&self) -> Option<u64> {
        self.next_nonce
    }

    /// Forgets the nonce (after a refusal, or when another process uses the same key).
    pub fn reset_nonce(&mut self) {
        self.next_nonce = None;
    }

    pub(crate) fn set_chain_id(&mut self, chain_id: String) {
        self.chain_id = Some(chain_id);
    }

    pub(crate) fn set_nonce(&mut self, nonce: u64) {
        self.next_nonce = Some(nonce);
    }

    /// Signs `messages` with the known chain id and next nonce and advances the nonce;
    /// `None` if either is unknown (use [`Client::sign`](crate::Client::sign), which asks
    /// the node).
    pub fn try_sign(&mut self, messages: Vec<Message>) -> Option<SignedTxBytes> {
        let chain_id = self.chain_id.clone()?;
        let nonce = self.next_nonce?;
        let tx = TxBuilder::new(chain_id)
            .messages(messages)
            .fee(self.fee)
            .nonce(nonce)
            .sign(&self.key);
        self.next_nonce = Some(nonce.saturating_add(1));
        Some(tx)
    }
}

#[cfg(test)]
mod tests {
    use proofwork_tx::{SignedTx, TxLimits};

    use super::*;

    #[test]
    fn built_tx_decodes_and_verifies() {
        let key = SecretKey::from_seed("b");
        let tx = TxBuilder::new("c")
            .transfer(Address([2; 20]), "upw", 5)
            .fee(3)
            .nonce(9)
            .sign(&key);
        let d = SignedTx::decode(&tx.bytes, &TxLimits::default()).unwrap();
        d.verify_signature().unwrap();
        assert_eq!((d.body.nonce, d.body.fee), (9, 3));
        assert_eq!(d.hash, tx.hash);
    }

    #[test]
    fn signer_counts_nonces_and_needs_chain_id_and_nonce() {
        let mut s = Signer::new(SecretKey::from_seed("s"));
        assert!(s.try_sign(vec![]).is_none());
        s = s.with_chain_id("c").with_nonce(4);
        assert_eq!(s.try_sign(vec![]).unwrap().nonce, 4);
        assert_eq!(s.try_sign(vec![]).unwrap().nonce, 5);
        s.reset_nonce();
        assert!(s.try_sign(vec![]).is_none());
    }
}
