from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BlobKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BLOB_KIND_RAW: _ClassVar[BlobKind]
    BLOB_KIND_JOB_INPUT: _ClassVar[BlobKind]
    BLOB_KIND_MODEL_WEIGHTS: _ClassVar[BlobKind]
    BLOB_KIND_JOB_OUTPUT: _ClassVar[BlobKind]
BLOB_KIND_RAW: BlobKind
BLOB_KIND_JOB_INPUT: BlobKind
BLOB_KIND_MODEL_WEIGHTS: BlobKind
BLOB_KIND_JOB_OUTPUT: BlobKind

class UploadHeader(_message.Message):
    __slots__ = ("size", "hash", "kind", "row_len", "ref_id")
    SIZE_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ROW_LEN_FIELD_NUMBER: _ClassVar[int]
    REF_ID_FIELD_NUMBER: _ClassVar[int]
    size: int
    hash: bytes
    kind: BlobKind
    row_len: int
    ref_id: int
    def __init__(self, size: _Optional[int] = ..., hash: _Optional[bytes] = ..., kind: _Optional[_Union[BlobKind, str]] = ..., row_len: _Optional[int] = ..., ref_id: _Optional[int] = ...) -> None: ...

class UploadChunk(_message.Message):
    __slots__ = ("header", "data")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    header: UploadHeader
    data: bytes
    def __init__(self, header: _Optional[_Union[UploadHeader, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...

class BlobInfo(_message.Message):
    __slots__ = ("hash", "size", "row_len", "row_root")
    HASH_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    ROW_LEN_FIELD_NUMBER: _ClassVar[int]
    ROW_ROOT_FIELD_NUMBER: _ClassVar[int]
    hash: bytes
    size: int
    row_len: int
    row_root: bytes
    def __init__(self, hash: _Optional[bytes] = ..., size: _Optional[int] = ..., row_len: _Optional[int] = ..., row_root: _Optional[bytes] = ...) -> None: ...

class DownloadRequest(_message.Message):
    __slots__ = ("hash", "offset", "limit")
    HASH_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    hash: bytes
    offset: int
    limit: int
    def __init__(self, hash: _Optional[bytes] = ..., offset: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class DownloadChunk(_message.Message):
    __slots__ = ("offset", "data", "size")
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    offset: int
    data: bytes
    size: int
    def __init__(self, offset: _Optional[int] = ..., data: _Optional[bytes] = ..., size: _Optional[int] = ...) -> None: ...

class StatRequest(_message.Message):
    __slots__ = ("hash", "row_root")
    HASH_FIELD_NUMBER: _ClassVar[int]
    ROW_ROOT_FIELD_NUMBER: _ClassVar[int]
    hash: bytes
    row_root: bytes
    def __init__(self, hash: _Optional[bytes] = ..., row_root: _Optional[bytes] = ...) -> None: ...
