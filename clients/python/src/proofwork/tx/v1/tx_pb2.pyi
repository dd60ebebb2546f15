from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Tx(_message.Message):
    __slots__ = ("body_bytes", "public_key", "signature")
    BODY_BYTES_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    body_bytes: bytes
    public_key: bytes
    signature: bytes
    def __init__(self, body_bytes: _Optional[bytes] = ..., public_key: _Optional[bytes] = ..., signature: _Optional[bytes] = ...) -> None: ...

class TxBody(_message.Message):
    __slots__ = ("chain_id", "nonce", "fee", "messages")
    CHAIN_ID_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    FEE_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    chain_id: str
    nonce: int
    fee: str
    messages: _containers.RepeatedCompositeFieldContainer[Message]
    def __init__(self, chain_id: _Optional[str] = ..., nonce: _Optional[int] = ..., fee: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[Message, _Mapping]]] = ...) -> None: ...

class Message(_message.Message):
    __slots__ = ("transfer", "create_asset_class", "mint_fungible", "mint_unique", "transfer_unique", "burn_asset", "freeze_asset", "force_transfer", "create_listing", "cancel_listing", "buy_listing", "make_offer", "accept_offer", "cancel_offer", "create_auction", "place_bid", "settle_auction", "fractionalize", "buyout", "redeem_shares", "unfractionalize", "register_ip", "add_license_terms", "take_license", "add_certifier", "attest", "create_escrow", "fund_escrow", "resolve_escrow", "refund_escrow", "register_model", "upload_model_chunk", "register_worker", "post_job", "claim_job", "commit_work", "reveal_work", "cancel_job", "unbond_worker", "confirm_output", "dispute_output", "answer_dispute", "challenge_row", "apply_validator", "vote_validator", "propose_removal")
    TRANSFER_FIELD_NUMBER: _ClassVar[int]
    CREATE_ASSET_CLASS_FIELD_NUMBER: _ClassVar[int]
    MINT_FUNGIBLE_FIELD_NUMBER: _ClassVar[int]
    MINT_UNIQUE_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_UNIQUE_FIELD_NUMBER: _ClassVar[int]
    BURN_ASSET_FIELD_NUMBER: _ClassVar[int]
    FREEZE_ASSET_FIELD_NUMBER: _ClassVar[int]
    FORCE_TRANSFER_FIELD_NUMBER: _ClassVar[int]
    CREATE_LISTING_FIELD_NUMBER: _ClassVar[int]
    CANCEL_LISTING_FIELD_NUMBER: _ClassVar[int]
    BUY_LISTING_FIELD_NUMBER: _ClassVar[int]
    MAKE_OFFER_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_OFFER_FIELD_NUMBER: _ClassVar[int]
    CANCEL_OFFER_FIELD_NUMBER: _ClassVar[int]
    CREATE_AUCTION_FIELD_NUMBER: _ClassVar[int]
    PLACE_BID_FIELD_NUMBER: _ClassVar[int]
    SETTLE_AUCTION_FIELD_NUMBER: _ClassVar[int]
    FRACTIONALIZE_FIELD_NUMBER: _ClassVar[int]
    BUYOUT_FIELD_NUMBER: _ClassVar[int]
    REDEEM_SHARES_FIELD_NUMBER: _ClassVar[int]
    UNFRACTIONALIZE_FIELD_NUMBER: _ClassVar[int]
    REGISTER_IP_FIELD_NUMBER: _ClassVar[int]
    ADD_LICENSE_TERMS_FIELD_NUMBER: _ClassVar[int]
    TAKE_LICENSE_FIELD_NUMBER: _ClassVar[int]
    ADD_CERTIFIER_FIELD_NUMBER: _ClassVar[int]
    ATTEST_FIELD_NUMBER: _ClassVar[int]
    CREATE_ESCROW_FIELD_NUMBER: _ClassVar[int]
    FUND_ESCROW_FIELD_NUMBER: _ClassVar[int]
    RESOLVE_ESCROW_FIELD_NUMBER: _ClassVar[int]
    REFUND_ESCROW_FIELD_NUMBER: _ClassVar[int]
    REGISTER_MODEL_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_MODEL_CHUNK_FIELD_NUMBER: _ClassVar[int]
    REGISTER_WORKER_FIELD_NUMBER: _ClassVar[int]
    POST_JOB_FIELD_NUMBER: _ClassVar[int]
    CLAIM_JOB_FIELD_NUMBER: _ClassVar[int]
    COMMIT_WORK_FIELD_NUMBER: _ClassVar[int]
    REVEAL_WORK_FIELD_NUMBER: _ClassVar[int]
    CANCEL_JOB_FIELD_NUMBER: _ClassVar[int]
    UNBOND_WORKER_FIELD_NUMBER: _ClassVar[int]
    CONFIRM_OUTPUT_FIELD_NUMBER: _ClassVar[int]
    DISPUTE_OUTPUT_FIELD_NUMBER: _ClassVar[int]
    ANSWER_DISPUTE_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_ROW_FIELD_NUMBER: _ClassVar[int]
    APPLY_VALIDATOR_FIELD_NUMBER: _ClassVar[int]
    VOTE_VALIDATOR_FIELD_NUMBER: _ClassVar[int]
    PROPOSE_REMOVAL_FIELD_NUMBER: _ClassVar[int]
    transfer: Transfer
    create_asset_class: CreateAssetClass
    mint_fungible: MintFungible
    mint_unique: MintUnique
    transfer_unique: TransferUnique
    burn_asset: BurnAsset
    freeze_asset: FreezeAsset
    force_transfer: ForceTransfer
    create_listing: CreateListing
    cancel_listing: CancelListing
    buy_listing: BuyListing
    make_offer: MakeOffer
    accept_offer: AcceptOffer
    cancel_offer: CancelOffer
    create_auction: CreateAuction
    place_bid: PlaceBid
    settle_auction: SettleAuction
    fractionalize: Fractionalize
    buyout: Buyout
    redeem_shares: RedeemShares
    unfractionalize: Unfractionalize
    register_ip: RegisterIp
    add_license_terms: AddLicenseTerms
    take_license: TakeLicense
    add_certifier: AddCertifier
    attest: Attest
    create_escrow: CreateEscrow
    fund_escrow: FundEscrow
    resolve_escrow: ResolveEscrow
    refund_escrow: RefundEscrow
    register_model: RegisterModel
    upload_model_chunk: UploadModelChunk
    register_worker: RegisterWorker
    post_job: PostJob
    claim_job: ClaimJob
    commit_work: CommitWork
    reveal_work: RevealWork
    cancel_job: CancelJob
    unbond_worker: UnbondWorker
    confirm_output: ConfirmOutput
    dispute_output: DisputeOutput
    answer_dispute: AnswerDispute
    challenge_row: ChallengeRow
    apply_validator: ApplyValidator
    vote_validator: VoteValidator
    propose_removal: ProposeRemoval
    def __init__(self, transfer: _Optional[_Union[Transfer, _Mapping]] = ..., create_asset_class: _Optional[_Union[CreateAssetClass, _Mapping]] = ..., mint_fungible: _Optional[_Union[MintFungible, _Mapping]] = ..., mint_unique: _Optional[_Union[MintUnique, _Mapping]] = ..., transfer_unique: _Optional[_Union[TransferUnique, _Mapping]] = ..., burn_asset: _Optional[_Union[BurnAsset, _Mapping]] = ..., freeze_asset: _Optional[_Union[FreezeAsset, _Mapping]] = ..., force_transfer: _Optional[_Union[ForceTransfer, _Mapping]] = ..., create_listing: _Optional[_Union[CreateListing, _Mapping]] = ..., cancel_listing: _Optional[_Union[CancelListing, _Mapping]] = ..., buy_listing: _Optional[_Union[BuyListing, _Mapping]] = ..., make_offer: _Optional[_Union[MakeOffer, _Mapping]] = ..., accept_offer: _Optional[_Union[AcceptOffer, _Mapping]] = ..., cancel_offer: _Optional[_Union[CancelOffer, _Mapping]] = ..., create_auction: _Optional[_Union[CreateAuction, _Mapping]] = ..., place_bid: _Optional[_Union[PlaceBid, _Mapping]] = ..., settle_auction: _Optional[_Union[SettleAuction, _Mapping]] = ..., fractionalize: _Optional[_Union[Fractionalize, _Mapping]] = ..., buyout: _Optional[_Union[Buyout, _Mapping]] = ..., redeem_shares: _Optional[_Union[RedeemShares, _Mapping]] = ..., unfractionalize: _Optional[_Union[Unfractionalize, _Mapping]] = ..., register_ip: _Optional[_Union[RegisterIp, _Mapping]] = ..., add_license_terms: _Optional[_Union[AddLicenseTerms, _Mapping]] = ..., take_license: _Optional[_Union[TakeLicense, _Mapping]] = ..., add_certifier: _Optional[_Union[AddCertifier, _Mapping]] = ..., attest: _Optional[_Union[Attest, _Mapping]] = ..., create_escrow: _Optional[_Union[CreateEscrow, _Mapping]] = ..., fund_escrow: _Optional[_Union[FundEscrow, _Mapping]] = ..., resolve_escrow: _Optional[_Union[ResolveEscrow, _Mapping]] = ..., refund_escrow: _Optional[_Union[RefundEscrow, _Mapping]] = ..., register_model: _Optional[_Union[RegisterModel, _Mapping]] = ..., upload_model_chunk: _Optional[_Union[UploadModelChunk, _Mapping]] = ..., register_worker: _Optional[_Union[RegisterWorker, _Mapping]] = ..., post_job: _Optional[_Union[PostJob, _Mapping]] = ..., claim_job: _Optional[_Union[ClaimJob, _Mapping]] = ..., commit_work: _Optional[_Union[CommitWork, _Mapping]] = ..., reveal_work: _Optional[_Union[RevealWork, _Mapping]] = ..., cancel_job: _Optional[_Union[CancelJob, _Mapping]] = ..., unbond_worker: _Optional[_Union[UnbondWorker, _Mapping]] = ..., confirm_output: _Optional[_Union[ConfirmOutput, _Mapping]] = ..., dispute_output: _Optional[_Union[DisputeOutput, _Mapping]] = ..., answer_dispute: _Optional[_Union[AnswerDispute, _Mapping]] = ..., challenge_row: _Optional[_Union[ChallengeRow, _Mapping]] = ..., apply_validator: _Optional[_Union[ApplyValidator, _Mapping]] = ..., vote_validator: _Optional[_Union[VoteValidator, _Mapping]] = ..., propose_removal: _Optional[_Union[ProposeRemoval, _Mapping]] = ...) -> None: ...

class Transfer(_message.Message):
    __slots__ = ("to", "denom", "amount")
    TO_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    to: str
    denom: str
    amount: str
    def __init__(self, to: _Optional[str] = ..., denom: _Optional[str] = ..., amount: _Optional[str] = ...) -> None: ...

class RoyaltyShare(_message.Message):
    __slots__ = ("recipient", "bps")
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    BPS_FIELD_NUMBER: _ClassVar[int]
    recipient: str
    bps: int
    def __init__(self, recipient: _Optional[str] = ..., bps: _Optional[int] = ...) -> None: ...

class AdminPowers(_message.Message):
    __slots__ = ("mint", "burn", "freeze", "force_transfer")
    MINT_FIELD_NUMBER: _ClassVar[int]
    BURN_FIELD_NUMBER: _ClassVar[int]
    FREEZE_FIELD_NUMBER: _ClassVar[int]
    FORCE_TRANSFER_FIELD_NUMBER: _ClassVar[int]
    mint: bool
    burn: bool
    freeze: bool
    force_transfer: bool
    def __init__(self, mint: _Optional[bool] = ..., burn: _Optional[bool] = ..., freeze: _Optional[bool] = ..., force_transfer: _Optional[bool] = ...) -> None: ...

class CreateAssetClass(_message.Message):
    __slots__ = ("class_id", "unique", "powers", "sales_only", "royalty", "metadata", "initial_supply")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_FIELD_NUMBER: _ClassVar[int]
    POWERS_FIELD_NUMBER: _ClassVar[int]
    SALES_ONLY_FIELD_NUMBER: _ClassVar[int]
    ROYALTY_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    INITIAL_SUPPLY_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    unique: bool
    powers: AdminPowers
    sales_only: bool
    royalty: _containers.RepeatedCompositeFieldContainer[RoyaltyShare]
    metadata: str
    initial_supply: str
    def __init__(self, class_id: _Optional[str] = ..., unique: _Optional[bool] = ..., powers: _Optional[_Union[AdminPowers, _Mapping]] = ..., sales_only: _Optional[bool] = ..., royalty: _Optional[_Iterable[_Union[RoyaltyShare, _Mapping]]] = ..., metadata: _Optional[str] = ..., initial_supply: _Optional[str] = ...) -> None: ...

class MintFungible(_message.Message):
    __slots__ = ("class_id", "to", "amount")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    to: str
    amount: str
    def __init__(self, class_id: _Optional[str] = ..., to: _Optional[str] = ..., amount: _Optional[str] = ...) -> None: ...

class MintUnique(_message.Message):
    __slots__ = ("class_id", "to", "metadata", "content_hash", "royalty")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    ROYALTY_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    to: str
    metadata: str
    content_hash: bytes
    royalty: _containers.RepeatedCompositeFieldContainer[RoyaltyShare]
    def __init__(self, class_id: _Optional[str] = ..., to: _Optional[str] = ..., metadata: _Optional[str] = ..., content_hash: _Optional[bytes] = ..., royalty: _Optional[_Iterable[_Union[RoyaltyShare, _Mapping]]] = ...) -> None: ...

class TransferUnique(_message.Message):
    __slots__ = ("class_id", "token_id", "to", "price", "denom")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    token_id: int
    to: str
    price: str
    denom: str
    def __init__(self, class_id: _Optional[str] = ..., token_id: _Optional[int] = ..., to: _Optional[str] = ..., price: _Optional[str] = ..., denom: _Optional[str] = ...) -> None: ...

class BurnAsset(_message.Message):
    __slots__ = ("class_id", "token_id", "amount")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    token_id: int
    amount: str
    def __init__(self, class_id: _Optional[str] = ..., token_id: _Optional[int] = ..., amount: _Optional[str] = ..., **kwargs) -> None: ...

class FreezeAsset(_message.Message):
    __slots__ = ("class_id", "token_id", "frozen")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    FROZEN_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    token_id: int
    frozen: bool
    def __init__(self, class_id: _Optional[str] = ..., token_id: _Optional[int] = ..., frozen: _Optional[bool] = ...) -> None: ...

class ForceTransfer(_message.Message):
    __slots__ = ("class_id", "token_id", "amount", "to")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    token_id: int
    amount: str
    to: str
    def __init__(self, class_id: _Optional[str] = ..., token_id: _Optional[int] = ..., amount: _Optional[str] = ..., to: _Optional[str] = ..., **kwargs) -> None: ...

class Item(_message.Message):
    __slots__ = ("unique", "fungible", "royalty_right")
    UNIQUE_FIELD_NUMBER: _ClassVar[int]
    FUNGIBLE_FIELD_NUMBER: _ClassVar[int]
    ROYALTY_RIGHT_FIELD_NUMBER: _ClassVar[int]
    unique: UniqueItem
    fungible: FungibleItem
    royalty_right: RoyaltyRightItem
    def __init__(self, unique: _Optional[_Union[UniqueItem, _Mapping]] = ..., fungible: _Optional[_Union[FungibleItem, _Mapping]] = ..., royalty_right: _Optional[_Union[RoyaltyRightItem, _Mapping]] = ...) -> None: ...

class UniqueItem(_message.Message):
    __slots__ = ("class_id", "token_id")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    token_id: int
    def __init__(self, class_id: _Optional[str] = ..., token_id: _Optional[int] = ...) -> None: ...

class FungibleItem(_message.Message):
    __slots__ = ("denom", "amount")
    DENOM_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    denom: str
    amount: str
    def __init__(self, denom: _Optional[str] = ..., amount: _Optional[str] = ...) -> None: ...

class RoyaltyRightItem(_message.Message):
    __slots__ = ("class_id", "token_id")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    token_id: int
    def __init__(self, class_id: _Optional[str] = ..., token_id: _Optional[int] = ...) -> None: ...

class CreateListing(_message.Message):
    __slots__ = ("item", "price", "denom")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    item: Item
    price: str
    denom: str
    def __init__(self, item: _Optional[_Union[Item, _Mapping]] = ..., price: _Optional[str] = ..., denom: _Optional[str] = ...) -> None: ...

class CancelListing(_message.Message):
    __slots__ = ("listing_id",)
    LISTING_ID_FIELD_NUMBER: _ClassVar[int]
    listing_id: int
    def __init__(self, listing_id: _Optional[int] = ...) -> None: ...

class BuyListing(_message.Message):
    __slots__ = ("listing_id",)
    LISTING_ID_FIELD_NUMBER: _ClassVar[int]
    listing_id: int
    def __init__(self, listing_id: _Optional[int] = ...) -> None: ...

class MakeOffer(_message.Message):
    __slots__ = ("item", "price", "denom", "expires_height")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    item: Item
    price: str
    denom: str
    expires_height: int
    def __init__(self, item: _Optional[_Union[Item, _Mapping]] = ..., price: _Optional[str] = ..., denom: _Optional[str] = ..., expires_height: _Optional[int] = ...) -> None: ...

class AcceptOffer(_message.Message):
    __slots__ = ("offer_id",)
    OFFER_ID_FIELD_NUMBER: _ClassVar[int]
    offer_id: int
    def __init__(self, offer_id: _Optional[int] = ...) -> None: ...

class CancelOffer(_message.Message):
    __slots__ = ("offer_id",)
    OFFER_ID_FIELD_NUMBER: _ClassVar[int]
    offer_id: int
    def __init__(self, offer_id: _Optional[int] = ...) -> None: ...

class CreateAuction(_message.Message):
    __slots__ = ("item", "denom", "min_bid", "end_time_ns")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    MIN_BID_FIELD_NUMBER: _ClassVar[int]
    END_TIME_NS_FIELD_NUMBER: _ClassVar[int]
    item: Item
    denom: str
    min_bid: str
    end_time_ns: int
    def __init__(self, item: _Optional[_Union[Item, _Mapping]] = ..., denom: _Optional[str] = ..., min_bid: _Optional[str] = ..., end_time_ns: _Optional[int] = ...) -> None: ...

class PlaceBid(_message.Message):
    __slots__ = ("auction_id", "amount")
    AUCTION_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    auction_id: int
    amount: str
    def __init__(self, auction_id: _Optional[int] = ..., amount: _Optional[str] = ...) -> None: ...

class SettleAuction(_message.Message):
    __slots__ = ("auction_id",)
    AUCTION_ID_FIELD_NUMBER: _ClassVar[int]
    auction_id: int
    def __init__(self, auction_id: _Optional[int] = ...) -> None: ...

class Fractionalize(_message.Message):
    __slots__ = ("class_id", "token_id", "shares", "reserve_price", "denom")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    SHARES_FIELD_NUMBER: _ClassVar[int]
    RESERVE_PRICE_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    token_id: int
    shares: str
    reserve_price: str
    denom: str
    def __init__(self, class_id: _Optional[str] = ..., token_id: _Optional[int] = ..., shares: _Optional[str] = ..., reserve_price: _Optional[str] = ..., denom: _Optional[str] = ...) -> None: ...

class Buyout(_message.Message):
    __slots__ = ("vault_id",)
    VAULT_ID_FIELD_NUMBER: _ClassVar[int]
    vault_id: int
    def __init__(self, vault_id: _Optional[int] = ...) -> None: ...

class RedeemShares(_message.Message):
    __slots__ = ("vault_id", "amount")
    VAULT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    vault_id: int
    amount: str
    def __init__(self, vault_id: _Optional[int] = ..., amount: _Optional[str] = ...) -> None: ...

class Unfractionalize(_message.Message):
    __slots__ = ("vault_id",)
    VAULT_ID_FIELD_NUMBER: _ClassVar[int]
    vault_id: int
    def __init__(self, vault_id: _Optional[int] = ...) -> None: ...

class RegisterIp(_message.Message):
    __slots__ = ("content_hash", "title", "class_id", "token_id")
    CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    content_hash: bytes
    title: str
    class_id: str
    token_id: int
    def __init__(self, content_hash: _Optional[bytes] = ..., title: _Optional[str] = ..., class_id: _Optional[str] = ..., token_id: _Optional[int] = ...) -> None: ...

class AddLicenseTerms(_message.Message):
    __slots__ = ("content_hash", "fee", "denom", "duration_ns", "scope")
    CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    FEE_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    DURATION_NS_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    content_hash: bytes
    fee: str
    denom: str
    duration_ns: int
    scope: str
    def __init__(self, content_hash: _Optional[bytes] = ..., fee: _Optional[str] = ..., denom: _Optional[str] = ..., duration_ns: _Optional[int] = ..., scope: _Optional[str] = ...) -> None: ...

class TakeLicense(_message.Message):
    __slots__ = ("content_hash", "terms_id")
    CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    TERMS_ID_FIELD_NUMBER: _ClassVar[int]
    content_hash: bytes
    terms_id: int
    def __init__(self, content_hash: _Optional[bytes] = ..., terms_id: _Optional[int] = ...) -> None: ...

class AddCertifier(_message.Message):
    __slots__ = ("class_id", "certifier", "name")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    CERTIFIER_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    certifier: str
    name: str
    def __init__(self, class_id: _Optional[str] = ..., certifier: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class Attest(_message.Message):
    __slots__ = ("class_id", "token_id", "statement")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    STATEMENT_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    token_id: int
    statement: str
    def __init__(self, class_id: _Optional[str] = ..., token_id: _Optional[int] = ..., statement: _Optional[str] = ...) -> None: ...

class CreateEscrow(_message.Message):
    __slots__ = ("counterparty", "oracle_key", "event", "denom", "deposit", "counter_deposit", "deadline_ns")
    COUNTERPARTY_FIELD_NUMBER: _ClassVar[int]
    ORACLE_KEY_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    DEPOSIT_FIELD_NUMBER: _ClassVar[int]
    COUNTER_DEPOSIT_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_NS_FIELD_NUMBER: _ClassVar[int]
    counterparty: str
    oracle_key: bytes
    event: str
    denom: str
    deposit: str
    counter_deposit: str
    deadline_ns: int
    def __init__(self, counterparty: _Optional[str] = ..., oracle_key: _Optional[bytes] = ..., event: _Optional[str] = ..., denom: _Optional[str] = ..., deposit: _Optional[str] = ..., counter_deposit: _Optional[str] = ..., deadline_ns: _Optional[int] = ...) -> None: ...

class FundEscrow(_message.Message):
    __slots__ = ("escrow_id",)
    ESCROW_ID_FIELD_NUMBER: _ClassVar[int]
    escrow_id: int
    def __init__(self, escrow_id: _Optional[int] = ...) -> None: ...

class ResolveEscrow(_message.Message):
    __slots__ = ("escrow_id", "outcome", "signature")
    ESCROW_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    escrow_id: int
    outcome: bool
    signature: bytes
    def __init__(self, escrow_id: _Optional[int] = ..., outcome: _Optional[bool] = ..., signature: _Optional[bytes] = ...) -> None: ...

class RefundEscrow(_message.Message):
    __slots__ = ("escrow_id",)
    ESCROW_ID_FIELD_NUMBER: _ClassVar[int]
    escrow_id: int
    def __init__(self, escrow_id: _Optional[int] = ...) -> None: ...

class ModelRoyaltyShare(_message.Message):
    __slots__ = ("recipient", "bps")
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    BPS_FIELD_NUMBER: _ClassVar[int]
    recipient: str
    bps: int
    def __init__(self, recipient: _Optional[str] = ..., bps: _Optional[int] = ...) -> None: ...

class RegisterModel(_message.Message):
    __slots__ = ("k", "n", "b_root", "royalties")
    K_FIELD_NUMBER: _ClassVar[int]
    N_FIELD_NUMBER: _ClassVar[int]
    B_ROOT_FIELD_NUMBER: _ClassVar[int]
    ROYALTIES_FIELD_NUMBER: _ClassVar[int]
    k: int
    n: int
    b_root: bytes
    royalties: _containers.RepeatedCompositeFieldContainer[ModelRoyaltyShare]
    def __init__(self, k: _Optional[int] = ..., n: _Optional[int] = ..., b_root: _Optional[bytes] = ..., royalties: _Optional[_Iterable[_Union[ModelRoyaltyShare, _Mapping]]] = ...) -> None: ...

class UploadModelChunk(_message.Message):
    __slots__ = ("model_id", "first_row", "rows")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_ROW_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    model_id: int
    first_row: int
    rows: bytes
    def __init__(self, model_id: _Optional[int] = ..., first_row: _Optional[int] = ..., rows: _Optional[bytes] = ...) -> None: ...

class RegisterWorker(_message.Message):
    __slots__ = ("bond", "validator_pub_key")
    BOND_FIELD_NUMBER: _ClassVar[int]
    VALIDATOR_PUB_KEY_FIELD_NUMBER: _ClassVar[int]
    bond: str
    validator_pub_key: bytes
    def __init__(self, bond: _Optional[str] = ..., validator_pub_key: _Optional[bytes] = ...) -> None: ...

class PostJob(_message.Message):
    __slots__ = ("model_id", "a_root", "m", "price", "commit_blocks", "reveal_blocks", "denom")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    A_ROOT_FIELD_NUMBER: _ClassVar[int]
    M_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    COMMIT_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    REVEAL_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    model_id: int
    a_root: bytes
    m: int
    price: str
    commit_blocks: int
    reveal_blocks: int
    denom: str
    def __init__(self, model_id: _Optional[int] = ..., a_root: _Optional[bytes] = ..., m: _Optional[int] = ..., price: _Optional[str] = ..., commit_blocks: _Optional[int] = ..., reveal_blocks: _Optional[int] = ..., denom: _Optional[str] = ...) -> None: ...

class ClaimJob(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: int
    def __init__(self, job_id: _Optional[int] = ...) -> None: ...

class CommitWork(_message.Message):
    __slots__ = ("job_id", "c_root")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    C_ROOT_FIELD_NUMBER: _ClassVar[int]
    job_id: int
    c_root: bytes
    def __init__(self, job_id: _Optional[int] = ..., c_root: _Optional[bytes] = ...) -> None: ...

class RevealedRow(_message.Message):
    __slots__ = ("index", "a_row", "c_row", "a_proof", "c_proof")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    A_ROW_FIELD_NUMBER: _ClassVar[int]
    C_ROW_FIELD_NUMBER: _ClassVar[int]
    A_PROOF_FIELD_NUMBER: _ClassVar[int]
    C_PROOF_FIELD_NUMBER: _ClassVar[int]
    index: int
    a_row: bytes
    c_row: bytes
    a_proof: _containers.RepeatedScalarFieldContainer[bytes]
    c_proof: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, index: _Optional[int] = ..., a_row: _Optional[bytes] = ..., c_row: _Optional[bytes] = ..., a_proof: _Optional[_Iterable[bytes]] = ..., c_proof: _Optional[_Iterable[bytes]] = ...) -> None: ...

class RevealWork(_message.Message):
    __slots__ = ("job_id", "rows")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    job_id: int
    rows: _containers.RepeatedCompositeFieldContainer[RevealedRow]
    def __init__(self, job_id: _Optional[int] = ..., rows: _Optional[_Iterable[_Union[RevealedRow, _Mapping]]] = ...) -> None: ...

class CancelJob(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: int
    def __init__(self, job_id: _Optional[int] = ...) -> None: ...

class UnbondWorker(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ConfirmOutput(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: int
    def __init__(self, job_id: _Optional[int] = ...) -> None: ...

class DisputeOutput(_message.Message):
    __slots__ = ("job_id", "rows")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    job_id: int
    rows: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, job_id: _Optional[int] = ..., rows: _Optional[_Iterable[int]] = ...) -> None: ...

class OutputRow(_message.Message):
    __slots__ = ("index", "c_row", "c_proof")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    C_ROW_FIELD_NUMBER: _ClassVar[int]
    C_PROOF_FIELD_NUMBER: _ClassVar[int]
    index: int
    c_row: bytes
    c_proof: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, index: _Optional[int] = ..., c_row: _Optional[bytes] = ..., c_proof: _Optional[_Iterable[bytes]] = ...) -> None: ...

class AnswerDispute(_message.Message):
    __slots__ = ("job_id", "rows")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    job_id: int
    rows: _containers.RepeatedCompositeFieldContainer[OutputRow]
    def __init__(self, job_id: _Optional[int] = ..., rows: _Optional[_Iterable[_Union[OutputRow, _Mapping]]] = ...) -> None: ...

class ChallengeRow(_message.Message):
    __slots__ = ("job_id", "row")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    ROW_FIELD_NUMBER: _ClassVar[int]
    job_id: int
    row: RevealedRow
    def __init__(self, job_id: _Optional[int] = ..., row: _Optional[_Union[RevealedRow, _Mapping]] = ...) -> None: ...

class ApplyValidator(_message.Message):
    __slots__ = ("consensus_pubkey", "moniker", "vrf_pubkey")
    CONSENSUS_PUBKEY_FIELD_NUMBER: _ClassVar[int]
    MONIKER_FIELD_NUMBER: _ClassVar[int]
    VRF_PUBKEY_FIELD_NUMBER: _ClassVar[int]
    consensus_pubkey: bytes
    moniker: str
    vrf_pubkey: bytes
    def __init__(self, consensus_pubkey: _Optional[bytes] = ..., moniker: _Optional[str] = ..., vrf_pubkey: _Optional[bytes] = ...) -> None: ...

class VoteValidator(_message.Message):
    __slots__ = ("application_id", "approve")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVE_FIELD_NUMBER: _ClassVar[int]
    application_id: int
    approve: bool
    def __init__(self, application_id: _Optional[int] = ..., approve: _Optional[bool] = ...) -> None: ...

class ProposeRemoval(_message.Message):
    __slots__ = ("consensus_pubkey",)
    CONSENSUS_PUBKEY_FIELD_NUMBER: _ClassVar[int]
    consensus_pubkey: bytes
    def __init__(self, consensus_pubkey: _Optional[bytes] = ...) -> None: ...
