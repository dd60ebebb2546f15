from proofwork.query.v1 import query_pb2 as _query_pb2
from proofwork.tx.v1 import tx_pb2 as _tx_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AssetClassRequest(_message.Message):
    __slots__ = ("class_id", "at")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    at: _query_pb2.At
    def __init__(self, class_id: _Optional[str] = ..., at: _Optional[_Union[_query_pb2.At, _Mapping]] = ...) -> None: ...

class AssetClassesRequest(_message.Message):
    __slots__ = ("after", "limit")
    AFTER_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    after: str
    limit: int
    def __init__(self, after: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class AssetClassesResponse(_message.Message):
    __slots__ = ("classes", "more")
    CLASSES_FIELD_NUMBER: _ClassVar[int]
    MORE_FIELD_NUMBER: _ClassVar[int]
    classes: _containers.RepeatedCompositeFieldContainer[AssetClassInfo]
    more: bool
    def __init__(self, classes: _Optional[_Iterable[_Union[AssetClassInfo, _Mapping]]] = ..., more: _Optional[bool] = ...) -> None: ...

class TokenRequest(_message.Message):
    __slots__ = ("class_id", "token_id", "at")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    token_id: int
    at: _query_pb2.At
    def __init__(self, class_id: _Optional[str] = ..., token_id: _Optional[int] = ..., at: _Optional[_Union[_query_pb2.At, _Mapping]] = ...) -> None: ...

class TokensOfRequest(_message.Message):
    __slots__ = ("owner", "after_class", "after_token", "limit")
    OWNER_FIELD_NUMBER: _ClassVar[int]
    AFTER_CLASS_FIELD_NUMBER: _ClassVar[int]
    AFTER_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    owner: str
    after_class: str
    after_token: int
    limit: int
    def __init__(self, owner: _Optional[str] = ..., after_class: _Optional[str] = ..., after_token: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ProvenanceRequest(_message.Message):
    __slots__ = ("class_id", "token_id", "after", "limit", "at")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    AFTER_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    token_id: int
    after: int
    limit: int
    at: _query_pb2.At
    def __init__(self, class_id: _Optional[str] = ..., token_id: _Optional[int] = ..., after: _Optional[int] = ..., limit: _Optional[int] = ..., at: _Optional[_Union[_query_pb2.At, _Mapping]] = ...) -> None: ...

class IdRequest(_message.Message):
    __slots__ = ("id", "at")
    ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    id: int
    at: _query_pb2.At
    def __init__(self, id: _Optional[int] = ..., at: _Optional[_Union[_query_pb2.At, _Mapping]] = ...) -> None: ...

class PageRequest(_message.Message):
    __slots__ = ("after", "limit")
    AFTER_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    after: int
    limit: int
    def __init__(self, after: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class WorkRequest(_message.Message):
    __slots__ = ("content_hash", "at")
    CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    content_hash: bytes
    at: _query_pb2.At
    def __init__(self, content_hash: _Optional[bytes] = ..., at: _Optional[_Union[_query_pb2.At, _Mapping]] = ...) -> None: ...

class AssetClassInfo(_message.Message):
    __slots__ = ("class_id", "unique", "admin", "powers", "sales_only", "royalty", "metadata", "frozen", "created_height", "supply", "proof")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_FIELD_NUMBER: _ClassVar[int]
    ADMIN_FIELD_NUMBER: _ClassVar[int]
    POWERS_FIELD_NUMBER: _ClassVar[int]
    SALES_ONLY_FIELD_NUMBER: _ClassVar[int]
    ROYALTY_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    FROZEN_FIELD_NUMBER: _ClassVar[int]
    CREATED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    SUPPLY_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    unique: bool
    admin: str
    powers: _tx_pb2.AdminPowers
    sales_only: bool
    royalty: _containers.RepeatedCompositeFieldContainer[_tx_pb2.RoyaltyShare]
    metadata: str
    frozen: bool
    created_height: int
    supply: str
    proof: _query_pb2.QueryProof
    def __init__(self, class_id: _Optional[str] = ..., unique: _Optional[bool] = ..., admin: _Optional[str] = ..., powers: _Optional[_Union[_tx_pb2.AdminPowers, _Mapping]] = ..., sales_only: _Optional[bool] = ..., royalty: _Optional[_Iterable[_Union[_tx_pb2.RoyaltyShare, _Mapping]]] = ..., metadata: _Optional[str] = ..., frozen: _Optional[bool] = ..., created_height: _Optional[int] = ..., supply: _Optional[str] = ..., proof: _Optional[_Union[_query_pb2.QueryProof, _Mapping]] = ...) -> None: ...

class TokenInfo(_message.Message):
    __slots__ = ("class_id", "token_id", "owner", "metadata", "content_hash", "royalty", "frozen", "locked_by", "proof")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    ROYALTY_FIELD_NUMBER: _ClassVar[int]
    FROZEN_FIELD_NUMBER: _ClassVar[int]
    LOCKED_BY_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    token_id: int
    owner: str
    metadata: str
    content_hash: bytes
    royalty: _containers.RepeatedCompositeFieldContainer[_tx_pb2.RoyaltyShare]
    frozen: bool
    locked_by: str
    proof: _query_pb2.QueryProof
    def __init__(self, class_id: _Optional[str] = ..., token_id: _Optional[int] = ..., owner: _Optional[str] = ..., metadata: _Optional[str] = ..., content_hash: _Optional[bytes] = ..., royalty: _Optional[_Iterable[_Union[_tx_pb2.RoyaltyShare, _Mapping]]] = ..., frozen: _Optional[bool] = ..., locked_by: _Optional[str] = ..., proof: _Optional[_Union[_query_pb2.QueryProof, _Mapping]] = ...) -> None: ...

class TokensOfResponse(_message.Message):
    __slots__ = ("tokens", "more")
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    MORE_FIELD_NUMBER: _ClassVar[int]
    tokens: _containers.RepeatedCompositeFieldContainer[TokenInfo]
    more: bool
    def __init__(self, tokens: _Optional[_Iterable[_Union[TokenInfo, _Mapping]]] = ..., more: _Optional[bool] = ...) -> None: ...

class ProvenanceEntry(_message.Message):
    __slots__ = ("kind", "to", "height", "time_ns", "price", "denom", "note", "seq")
    KIND_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TIME_NS_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    kind: str
    to: str
    height: int
    time_ns: int
    price: str
    denom: str
    note: str
    seq: int
    def __init__(self, kind: _Optional[str] = ..., to: _Optional[str] = ..., height: _Optional[int] = ..., time_ns: _Optional[int] = ..., price: _Optional[str] = ..., denom: _Optional[str] = ..., note: _Optional[str] = ..., seq: _Optional[int] = ..., **kwargs) -> None: ...

class ProvenanceResponse(_message.Message):
    __slots__ = ("entries", "more")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    MORE_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[ProvenanceEntry]
    more: bool
    def __init__(self, entries: _Optional[_Iterable[_Union[ProvenanceEntry, _Mapping]]] = ..., more: _Optional[bool] = ...) -> None: ...

class ListingInfo(_message.Message):
    __slots__ = ("id", "seller", "item", "price", "denom", "height")
    ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    id: int
    seller: str
    item: _tx_pb2.Item
    price: str
    denom: str
    height: int
    def __init__(self, id: _Optional[int] = ..., seller: _Optional[str] = ..., item: _Optional[_Union[_tx_pb2.Item, _Mapping]] = ..., price: _Optional[str] = ..., denom: _Optional[str] = ..., height: _Optional[int] = ...) -> None: ...

class ListingsResponse(_message.Message):
    __slots__ = ("listings",)
    LISTINGS_FIELD_NUMBER: _ClassVar[int]
    listings: _containers.RepeatedCompositeFieldContainer[ListingInfo]
    def __init__(self, listings: _Optional[_Iterable[_Union[ListingInfo, _Mapping]]] = ...) -> None: ...

class OfferInfo(_message.Message):
    __slots__ = ("id", "buyer", "item", "price", "denom", "expires_height")
    ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    id: int
    buyer: str
    item: _tx_pb2.Item
    price: str
    denom: str
    expires_height: int
    def __init__(self, id: _Optional[int] = ..., buyer: _Optional[str] = ..., item: _Optional[_Union[_tx_pb2.Item, _Mapping]] = ..., price: _Optional[str] = ..., denom: _Optional[str] = ..., expires_height: _Optional[int] = ...) -> None: ...

class OffersResponse(_message.Message):
    __slots__ = ("offers",)
    OFFERS_FIELD_NUMBER: _ClassVar[int]
    offers: _containers.RepeatedCompositeFieldContainer[OfferInfo]
    def __init__(self, offers: _Optional[_Iterable[_Union[OfferInfo, _Mapping]]] = ...) -> None: ...

class AuctionInfo(_message.Message):
    __slots__ = ("id", "seller", "item", "denom", "min_bid", "end_time_ns", "best_bidder", "best_bid")
    ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    MIN_BID_FIELD_NUMBER: _ClassVar[int]
    END_TIME_NS_FIELD_NUMBER: _ClassVar[int]
    BEST_BIDDER_FIELD_NUMBER: _ClassVar[int]
    BEST_BID_FIELD_NUMBER: _ClassVar[int]
    id: int
    seller: str
    item: _tx_pb2.Item
    denom: str
    min_bid: str
    end_time_ns: int
    best_bidder: str
    best_bid: str
    def __init__(self, id: _Optional[int] = ..., seller: _Optional[str] = ..., item: _Optional[_Union[_tx_pb2.Item, _Mapping]] = ..., denom: _Optional[str] = ..., min_bid: _Optional[str] = ..., end_time_ns: _Optional[int] = ..., best_bidder: _Optional[str] = ..., best_bid: _Optional[str] = ...) -> None: ...

class AuctionsResponse(_message.Message):
    __slots__ = ("auctions",)
    AUCTIONS_FIELD_NUMBER: _ClassVar[int]
    auctions: _containers.RepeatedCompositeFieldContainer[AuctionInfo]
    def __init__(self, auctions: _Optional[_Iterable[_Union[AuctionInfo, _Mapping]]] = ...) -> None: ...

class VaultInfo(_message.Message):
    __slots__ = ("id", "class_id", "token_id", "curator", "shares", "outstanding", "reserve", "denom", "state", "buyer", "share_denom", "account", "proof")
    ID_FIELD_NUMBER: _ClassVar[int]
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    CURATOR_FIELD_NUMBER: _ClassVar[int]
    SHARES_FIELD_NUMBER: _ClassVar[int]
    OUTSTANDING_FIELD_NUMBER: _ClassVar[int]
    RESERVE_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    BUYER_FIELD_NUMBER: _ClassVar[int]
    SHARE_DENOM_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    id: int
    class_id: str
    token_id: int
    curator: str
    shares: str
    outstanding: str
    reserve: str
    denom: str
    state: str
    buyer: str
    share_denom: str
    account: str
    proof: _query_pb2.QueryProof
    def __init__(self, id: _Optional[int] = ..., class_id: _Optional[str] = ..., token_id: _Optional[int] = ..., curator: _Optional[str] = ..., shares: _Optional[str] = ..., outstanding: _Optional[str] = ..., reserve: _Optional[str] = ..., denom: _Optional[str] = ..., state: _Optional[str] = ..., buyer: _Optional[str] = ..., share_denom: _Optional[str] = ..., account: _Optional[str] = ..., proof: _Optional[_Union[_query_pb2.QueryProof, _Mapping]] = ...) -> None: ...

class LicenseTermsInfo(_message.Message):
    __slots__ = ("id", "fee", "denom", "duration_ns", "scope")
    ID_FIELD_NUMBER: _ClassVar[int]
    FEE_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    DURATION_NS_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    id: int
    fee: str
    denom: str
    duration_ns: int
    scope: str
    def __init__(self, id: _Optional[int] = ..., fee: _Optional[str] = ..., denom: _Optional[str] = ..., duration_ns: _Optional[int] = ..., scope: _Optional[str] = ...) -> None: ...

class LicenseInfo(_message.Message):
    __slots__ = ("id", "terms_id", "licensee", "paid_to", "fee", "denom", "granted_ns", "expires_ns", "scope")
    ID_FIELD_NUMBER: _ClassVar[int]
    TERMS_ID_FIELD_NUMBER: _ClassVar[int]
    LICENSEE_FIELD_NUMBER: _ClassVar[int]
    PAID_TO_FIELD_NUMBER: _ClassVar[int]
    FEE_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    GRANTED_NS_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_NS_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    id: int
    terms_id: int
    licensee: str
    paid_to: str
    fee: str
    denom: str
    granted_ns: int
    expires_ns: int
    scope: str
    def __init__(self, id: _Optional[int] = ..., terms_id: _Optional[int] = ..., licensee: _Optional[str] = ..., paid_to: _Optional[str] = ..., fee: _Optional[str] = ..., denom: _Optional[str] = ..., granted_ns: _Optional[int] = ..., expires_ns: _Optional[int] = ..., scope: _Optional[str] = ...) -> None: ...

class WorkInfo(_message.Message):
    __slots__ = ("content_hash", "title", "class_id", "token_id", "registrant", "height", "time_ns", "terms", "licenses", "proof")
    CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    REGISTRANT_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TIME_NS_FIELD_NUMBER: _ClassVar[int]
    TERMS_FIELD_NUMBER: _ClassVar[int]
    LICENSES_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    content_hash: bytes
    title: str
    class_id: str
    token_id: int
    registrant: str
    height: int
    time_ns: int
    terms: _containers.RepeatedCompositeFieldContainer[LicenseTermsInfo]
    licenses: _containers.RepeatedCompositeFieldContainer[LicenseInfo]
    proof: _query_pb2.QueryProof
    def __init__(self, content_hash: _Optional[bytes] = ..., title: _Optional[str] = ..., class_id: _Optional[str] = ..., token_id: _Optional[int] = ..., registrant: _Optional[str] = ..., height: _Optional[int] = ..., time_ns: _Optional[int] = ..., terms: _Optional[_Iterable[_Union[LicenseTermsInfo, _Mapping]]] = ..., licenses: _Optional[_Iterable[_Union[LicenseInfo, _Mapping]]] = ..., proof: _Optional[_Union[_query_pb2.QueryProof, _Mapping]] = ...) -> None: ...

class EscrowInfo(_message.Message):
    __slots__ = ("id", "holder", "counterparty", "oracle_key", "event", "denom", "deposit", "counter_deposit", "deadline_ns", "state", "proof")
    ID_FIELD_NUMBER: _ClassVar[int]
    HOLDER_FIELD_NUMBER: _ClassVar[int]
    COUNTERPARTY_FIELD_NUMBER: _ClassVar[int]
    ORACLE_KEY_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    DEPOSIT_FIELD_NUMBER: _ClassVar[int]
    COUNTER_DEPOSIT_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_NS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    id: int
    holder: str
    counterparty: str
    oracle_key: bytes
    event: str
    denom: str
    deposit: str
    counter_deposit: str
    deadline_ns: int
    state: str
    proof: _query_pb2.QueryProof
    def __init__(self, id: _Optional[int] = ..., holder: _Optional[str] = ..., counterparty: _Optional[str] = ..., oracle_key: _Optional[bytes] = ..., event: _Optional[str] = ..., denom: _Optional[str] = ..., deposit: _Optional[str] = ..., counter_deposit: _Optional[str] = ..., deadline_ns: _Optional[int] = ..., state: _Optional[str] = ..., proof: _Optional[_Union[_query_pb2.QueryProof, _Mapping]] = ...) -> None: ...
