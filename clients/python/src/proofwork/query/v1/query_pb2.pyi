from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class At(_message.Message):
    __slots__ = ("height", "prove")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    PROVE_FIELD_NUMBER: _ClassVar[int]
    height: int
    prove: bool
    def __init__(self, height: _Optional[int] = ..., prove: _Optional[bool] = ...) -> None: ...

class ProvenRead(_message.Message):
    __slots__ = ("key", "value", "exists", "proof")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    EXISTS_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    key: bytes
    value: bytes
    exists: bool
    proof: bytes
    def __init__(self, key: _Optional[bytes] = ..., value: _Optional[bytes] = ..., exists: _Optional[bool] = ..., proof: _Optional[bytes] = ...) -> None: ...

class QueryProof(_message.Message):
    __slots__ = ("height", "app_hash", "reads")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    APP_HASH_FIELD_NUMBER: _ClassVar[int]
    READS_FIELD_NUMBER: _ClassVar[int]
    height: int
    app_hash: bytes
    reads: _containers.RepeatedCompositeFieldContainer[ProvenRead]
    def __init__(self, height: _Optional[int] = ..., app_hash: _Optional[bytes] = ..., reads: _Optional[_Iterable[_Union[ProvenRead, _Mapping]]] = ...) -> None: ...
