from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ValidatorsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Validator(_message.Message):
    __slots__ = ("pub_key", "address", "power", "moniker", "operator")
    PUB_KEY_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    POWER_FIELD_NUMBER: _ClassVar[int]
    MONIKER_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    pub_key: bytes
    address: bytes
    power: int
    moniker: str
    operator: str
    def __init__(self, pub_key: _Optional[bytes] = ..., address: _Optional[bytes] = ..., power: _Optional[int] = ..., moniker: _Optional[str] = ..., operator: _Optional[str] = ...) -> None: ...

class ValidatorsResponse(_message.Message):
    __slots__ = ("validators", "total_power", "height")
    VALIDATORS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_POWER_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    validators: _containers.RepeatedCompositeFieldContainer[Validator]
    total_power: int
    height: int
    def __init__(self, validators: _Optional[_Iterable[_Union[Validator, _Mapping]]] = ..., total_power: _Optional[int] = ..., height: _Optional[int] = ...) -> None: ...

class ApplicationsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Vote(_message.Message):
    __slots__ = ("validator", "approve")
    VALIDATOR_FIELD_NUMBER: _ClassVar[int]
    APPROVE_FIELD_NUMBER: _ClassVar[int]
    validator: bytes
    approve: bool
    def __init__(self, validator: _Optional[bytes] = ..., approve: _Optional[bool] = ...) -> None: ...

class Application(_message.Message):
    __slots__ = ("id", "kind", "consensus_pubkey", "operator", "moniker", "submitted_height", "votes", "approve_power", "reject_power")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CONSENSUS_PUBKEY_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    MONIKER_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    VOTES_FIELD_NUMBER: _ClassVar[int]
    APPROVE_POWER_FIELD_NUMBER: _ClassVar[int]
    REJECT_POWER_FIELD_NUMBER: _ClassVar[int]
    id: int
    kind: str
    consensus_pubkey: bytes
    operator: str
    moniker: str
    submitted_height: int
    votes: _containers.RepeatedCompositeFieldContainer[Vote]
    approve_power: int
    reject_power: int
    def __init__(self, id: _Optional[int] = ..., kind: _Optional[str] = ..., consensus_pubkey: _Optional[bytes] = ..., operator: _Optional[str] = ..., moniker: _Optional[str] = ..., submitted_height: _Optional[int] = ..., votes: _Optional[_Iterable[_Union[Vote, _Mapping]]] = ..., approve_power: _Optional[int] = ..., reject_power: _Optional[int] = ...) -> None: ...

class ApplicationsResponse(_message.Message):
    __slots__ = ("applications", "total_power", "height")
    APPLICATIONS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_POWER_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    applications: _containers.RepeatedCompositeFieldContainer[Application]
    total_power: int
    height: int
    def __init__(self, applications: _Optional[_Iterable[_Union[Application, _Mapping]]] = ..., total_power: _Optional[int] = ..., height: _Optional[int] = ...) -> None: ...
