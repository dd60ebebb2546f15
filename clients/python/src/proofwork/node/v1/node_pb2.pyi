from proofwork.query.v1 import query_pb2 as _query_pb2
from proofwork.block.v1 import block_pb2 as _block_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class QueryStateRequest(_message.Message):
    __slots__ = ("key", "height", "prove")
    KEY_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    PROVE_FIELD_NUMBER: _ClassVar[int]
    key: bytes
    height: int
    prove: bool
    def __init__(self, key: _Optional[bytes] = ..., height: _Optional[int] = ..., prove: _Optional[bool] = ...) -> None: ...

class QueryStateResponse(_message.Message):
    __slots__ = ("key", "value", "exists", "height", "app_hash", "proof")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    EXISTS_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    APP_HASH_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    key: bytes
    value: bytes
    exists: bool
    height: int
    app_hash: bytes
    proof: bytes
    def __init__(self, key: _Optional[bytes] = ..., value: _Optional[bytes] = ..., exists: _Optional[bool] = ..., height: _Optional[int] = ..., app_hash: _Optional[bytes] = ..., proof: _Optional[bytes] = ...) -> None: ...

class GetBlockRequest(_message.Message):
    __slots__ = ("height",)
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    height: int
    def __init__(self, height: _Optional[int] = ...) -> None: ...

class GetBlockByHashRequest(_message.Message):
    __slots__ = ("hash",)
    HASH_FIELD_NUMBER: _ClassVar[int]
    hash: bytes
    def __init__(self, hash: _Optional[bytes] = ...) -> None: ...

class SimulateRequest(_message.Message):
    __slots__ = ("tx",)
    TX_FIELD_NUMBER: _ClassVar[int]
    tx: bytes
    def __init__(self, tx: _Optional[bytes] = ...) -> None: ...

class SimulateResponse(_message.Message):
    __slots__ = ("code", "log", "codespace", "events", "fee", "height")
    CODE_FIELD_NUMBER: _ClassVar[int]
    LOG_FIELD_NUMBER: _ClassVar[int]
    CODESPACE_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    FEE_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    code: int
    log: str
    codespace: str
    events: _containers.RepeatedCompositeFieldContainer[_block_pb2.Event]
    fee: str
    height: int
    def __init__(self, code: _Optional[int] = ..., log: _Optional[str] = ..., codespace: _Optional[str] = ..., events: _Optional[_Iterable[_Union[_block_pb2.Event, _Mapping]]] = ..., fee: _Optional[str] = ..., height: _Optional[int] = ...) -> None: ...

class StreamBlocksRequest(_message.Message):
    __slots__ = ("from_height",)
    FROM_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    from_height: int
    def __init__(self, from_height: _Optional[int] = ...) -> None: ...

class StreamEventsRequest(_message.Message):
    __slots__ = ("from_height", "kind", "attribute_key", "attribute_value")
    FROM_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_KEY_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_VALUE_FIELD_NUMBER: _ClassVar[int]
    from_height: int
    kind: str
    attribute_key: str
    attribute_value: str
    def __init__(self, from_height: _Optional[int] = ..., kind: _Optional[str] = ..., attribute_key: _Optional[str] = ..., attribute_value: _Optional[str] = ...) -> None: ...

class EventMessage(_message.Message):
    __slots__ = ("height", "tx_index", "tx_hash", "event")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TX_INDEX_FIELD_NUMBER: _ClassVar[int]
    TX_HASH_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    height: int
    tx_index: int
    tx_hash: bytes
    event: _block_pb2.Event
    def __init__(self, height: _Optional[int] = ..., tx_index: _Optional[int] = ..., tx_hash: _Optional[bytes] = ..., event: _Optional[_Union[_block_pb2.Event, _Mapping]] = ...) -> None: ...

class BroadcastTxRequest(_message.Message):
    __slots__ = ("tx", "wait")
    TX_FIELD_NUMBER: _ClassVar[int]
    WAIT_FIELD_NUMBER: _ClassVar[int]
    tx: bytes
    wait: bool
    def __init__(self, tx: _Optional[bytes] = ..., wait: _Optional[bool] = ...) -> None: ...

class BroadcastTxResponse(_message.Message):
    __slots__ = ("hash", "code", "log", "committed", "codespace")
    HASH_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    LOG_FIELD_NUMBER: _ClassVar[int]
    COMMITTED_FIELD_NUMBER: _ClassVar[int]
    CODESPACE_FIELD_NUMBER: _ClassVar[int]
    hash: bytes
    code: int
    log: str
    committed: TxResult
    codespace: str
    def __init__(self, hash: _Optional[bytes] = ..., code: _Optional[int] = ..., log: _Optional[str] = ..., committed: _Optional[_Union[TxResult, _Mapping]] = ..., codespace: _Optional[str] = ...) -> None: ...

class TxResult(_message.Message):
    __slots__ = ("height", "index", "result")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    height: int
    index: int
    result: _block_pb2.TxResult
    def __init__(self, height: _Optional[int] = ..., index: _Optional[int] = ..., result: _Optional[_Union[_block_pb2.TxResult, _Mapping]] = ...) -> None: ...

class StatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StatusResponse(_message.Message):
    __slots__ = ("chain_id", "height", "app_hash", "mempool_size")
    CHAIN_ID_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    APP_HASH_FIELD_NUMBER: _ClassVar[int]
    MEMPOOL_SIZE_FIELD_NUMBER: _ClassVar[int]
    chain_id: str
    height: int
    app_hash: bytes
    mempool_size: int
    def __init__(self, chain_id: _Optional[str] = ..., height: _Optional[int] = ..., app_hash: _Optional[bytes] = ..., mempool_size: _Optional[int] = ...) -> None: ...

class AccountRequest(_message.Message):
    __slots__ = ("address",)
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    address: str
    def __init__(self, address: _Optional[str] = ...) -> None: ...

class Coin(_message.Message):
    __slots__ = ("denom", "amount")
    DENOM_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    denom: str
    amount: str
    def __init__(self, denom: _Optional[str] = ..., amount: _Optional[str] = ...) -> None: ...

class AccountResponse(_message.Message):
    __slots__ = ("address", "nonce", "balances", "height")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    address: str
    nonce: int
    balances: _containers.RepeatedCompositeFieldContainer[Coin]
    height: int
    def __init__(self, address: _Optional[str] = ..., nonce: _Optional[int] = ..., balances: _Optional[_Iterable[_Union[Coin, _Mapping]]] = ..., height: _Optional[int] = ...) -> None: ...

class BalanceRequest(_message.Message):
    __slots__ = ("address", "denom", "at")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    address: str
    denom: str
    at: _query_pb2.At
    def __init__(self, address: _Optional[str] = ..., denom: _Optional[str] = ..., at: _Optional[_Union[_query_pb2.At, _Mapping]] = ...) -> None: ...

class BalanceResponse(_message.Message):
    __slots__ = ("amount", "height", "proof")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    amount: str
    height: int
    proof: _query_pb2.QueryProof
    def __init__(self, amount: _Optional[str] = ..., height: _Optional[int] = ..., proof: _Optional[_Union[_query_pb2.QueryProof, _Mapping]] = ...) -> None: ...

class GetTxRequest(_message.Message):
    __slots__ = ("hash",)
    HASH_FIELD_NUMBER: _ClassVar[int]
    hash: bytes
    def __init__(self, hash: _Optional[bytes] = ...) -> None: ...

class GetTxResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: TxResult
    def __init__(self, result: _Optional[_Union[TxResult, _Mapping]] = ...) -> None: ...
