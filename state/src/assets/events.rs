//! The events of the asset messages: one struct per kind (the message's), built by the
//! component functions of [`super`]. Kinds, attribute keys, their order and value formats
//! are read by clients and tests: never change them.

use proofwork_tx::assets::powers;
use proofwork_tx::Address;

use super::format_paid;
use crate::event::TypedEvent;

/// `create_asset_class`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateAssetClassEvent {
    /// Class id.
    pub class: String,
    /// The signer, its admin.
    pub admin: Address,
    /// Admin powers (bits; the attribute lists their names).
    pub powers: u8,
}

impl TypedEvent for CreateAssetClassEvent {
    const KIND: &'static str = "create_asset_class";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("class", self.class.clone()),
            ("admin", self.admin.to_string()),
            ("powers", powers::names(self.powers).join(",")),
        ]
    }
}

/// `mint_fungible`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintFungibleEvent {
    /// Class id.
    pub class: String,
    /// Recipient.
    pub to: Address,
    /// Units minted.
    pub amount: u128,
}

impl TypedEvent for MintFungibleEvent {
    const KIND: &'static str = "mint_fungible";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("class", self.class.clone()),
            ("to", self.to.to_string()),
            ("amount", self.amount.to_string()),
        ]
    }
}

/// `mint_unique`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintUniqueEvent {
    /// Class id.
    pub class: String,
    /// The new token's id.
    pub token_id: u64,
    /// Its owner.
    pub owner: Address,
}

impl TypedEvent for MintUniqueEvent {
    const KIND: &'static str = "mint_unique";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("class", self.class.clone()),
            ("token_id", self.token_id.to_string()),
            ("owner", self.owner.to_string()),
        ]
    }
}

/// A declared sale price and the royalties paid on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredSale {
    /// Price.
    pub amount: u128,
    /// Its denomination.
    pub denom: String,
    /// Royalties paid, by recipient.
    pub royalty_paid: Vec<(Address, u128)>,
}

/// `transfer_unique`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferUniqueEvent {
    /// Class id.
    pub class: String,
    /// Token id.
    pub token_id: u64,
    /// The signer, its owner before.
    pub from: Address,
    /// Its owner now.
    pub to: Address,
    /// The declared sale, if any (the `price` and `royalty_paid` attributes are present only
    /// then).
    pub sale: Option<DeclaredSale>,
}

impl TypedEvent for TransferUniqueEvent {
    const KIND: &'static str = "transfer_unique";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        let mut a = vec![
            ("class", self.class.clone()),
            ("token_id", self.token_id.to_string()),
            ("from", self.from.to_string()),
            ("to", self.to.to_string()),
        ];
        if let Some(sale) = &self.sale {
            a.push(("price", format!("{}{}", sale.amount, sale.denom)));
            a.push(("royalty_paid", format_paid(&sale.royalty_paid)));
        }
        a
    }
}

/// What a burn destroyed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Burned {
    /// A unique token (attribute `token_id`).
    Token(u64),
    /// Fungible units of a holder (attributes `from`, `amount`).
    Units {
        /// The holder.
        from: Address,
        /// Units burned.
        amount: u128,
    },
}

/// `burn_asset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BurnAssetEvent {
    /// Class id.
    pub class: String,
    /// What was burned.
    pub burned: Burned,
}

impl TypedEvent for BurnAssetEvent {
    const KIND: &'static str = "burn_asset";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        match &self.burned {
            Burned::Token(id) => vec![("class", self.class.clone()), ("token_id", id.to_string())],
            Burned::Units { from, amount } => vec![
                ("class", self.class.clone()),
                ("from", from.to_string()),
                ("amount", amount.to_string()),
            ],
        }
    }
}

/// `freeze_asset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreezeAssetEvent {
    /// Class id.
    pub class: String,
    /// Token id (0: the whole class).
    pub token_id: u64,
    /// Frozen after the message.
    pub frozen: bool,
}

impl TypedEvent for FreezeAssetEvent {
    const KIND: &'static str = "freeze_asset";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("class", self.class.clone()),
            ("token_id", self.token_id.to_string()),
            ("frozen", self.frozen.to_string()),
        ]
    }
}

/// `force_transfer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForceTransferEvent {
    /// Class id.
    pub class: String,
    /// Holder before.
    pub from: Address,
    /// Holder now.
    pub to: Address,
}

impl TypedEvent for ForceTransferEvent {
    const KIND: &'static str = "force_transfer";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("class", self.class.clone()),
            ("from", self.from.to_string()),
            ("to", self.to.to_string()),
        ]
    }
}

/// `add_certifier`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCertifierEvent {
    /// Class id.
    pub class: String,
    /// The certifier registered.
    pub certifier: Address,
    /// Its name.
    pub name: String,
}

impl TypedEvent for AddCertifierEvent {
    const KIND: &'static str = "add_certifier";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("class", self.class.clone()),
            ("certifier", self.certifier.to_string()),
            ("name", self.name.clone()),
        ]
    }
}

/// `attest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestEvent {
    /// Class id.
    pub class: String,
    /// Token id.
    pub token_id: u64,
    /// The certifier's registered name.
    pub certifier: String,
}

impl TypedEvent for AttestEvent {
    const KIND: &'static str = "attest";
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("class", self.class.clone()),
            ("token_id", self.token_id.to_string()),
            ("certifier", self.certifier.clone()),
        ]
    }
}
