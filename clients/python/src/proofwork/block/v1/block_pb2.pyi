from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BlockRecord(_message.Message):
    __slots__ = ("height", "time_ns", "proposer", "block_hash", "txs", "results", "app_hash", "prev_app_hash", "end_block_events")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TIME_NS_FIELD_NUMBER: _ClassVar[int]
    PROPOSER_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HASH_FIELD_NUMBER: _ClassVar[int]
    TXS_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    APP_HASH_FIELD_NUMBER: _ClassVar[int]
    PREV_APP_HASH_FIELD_NUMBER: _ClassVar[int]
    END_BLOCK_EVENTS_FIELD_NUMBER: _ClassVar[int]
    height: int
    time_ns: int
    proposer: bytes
    block_hash: bytes
    txs: _containers.RepeatedScalarFieldContainer[bytes]
    results: _containers.RepeatedCompositeFieldContainer[TxResult]
    app_hash: bytes
    prev_app_hash: bytes
    end_block_events: _containers.RepeatedCompositeFieldContainer[Event]
    def __init__(self, height: _Optional[int] = ..., time_ns: _Optional[int] = ..., proposer: _Optional[bytes] = ..., block_hash: _Optional[bytes] = ..., txs: _Optional[_Iterable[bytes]] = ..., results: _Optional[_Iterable[_Union[TxResult, _Mapping]]] = ..., app_hash: _Optional[bytes] = ..., prev_app_hash: _Optional[bytes] = ..., end_block_events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ...) -> None: ...

class TxResult(_message.Message):
    __slots__ = ("code", "log", "events", "hash", "codespace")
    CODE_FIELD_NUMBER: _ClassVar[int]
    LOG_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    CODESPACE_FIELD_NUMBER: _ClassVar[int]
    code: int
    log: str
    events: _containers.RepeatedCompositeFieldContainer[Event]
    hash: bytes
    codespace: str
    def __init__(self, code: _Optional[int] = ..., log: _Optional[str] = ..., events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ..., hash: _Optional[bytes] = ..., codespace: _Optional[str] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("kind", "attributes")
    KIND_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    kind: str
    attributes: _containers.RepeatedCompositeFieldContainer[Attribute]
    def __init__(self, kind: _Optional[str] = ..., attributes: _Optional[_Iterable[_Union[Attribute, _Mapping]]] = ...) -> None: ...

class Attribute(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: str
    def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
