from proofwork.query.v1 import query_pb2 as _query_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class JobsRequest(_message.Message):
    __slots__ = ("status", "after", "has_after", "limit")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    AFTER_FIELD_NUMBER: _ClassVar[int]
    HAS_AFTER_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    status: str
    after: int
    has_after: bool
    limit: int
    def __init__(self, status: _Optional[str] = ..., after: _Optional[int] = ..., has_after: _Optional[bool] = ..., limit: _Optional[int] = ...) -> None: ...

class JobsResponse(_message.Message):
    __slots__ = ("jobs", "height")
    JOBS_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[JobInfo]
    height: int
    def __init__(self, jobs: _Optional[_Iterable[_Union[JobInfo, _Mapping]]] = ..., height: _Optional[int] = ...) -> None: ...

class JobRequest(_message.Message):
    __slots__ = ("job_id", "at")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    job_id: int
    at: _query_pb2.At
    def __init__(self, job_id: _Optional[int] = ..., at: _Optional[_Union[_query_pb2.At, _Mapping]] = ...) -> None: ...

class JobInfo(_message.Message):
    __slots__ = ("id", "client", "model_id", "m", "k", "n", "a_root", "price", "status", "worker", "c_root", "commit_height", "deadline", "slashes", "last_event", "posted_height", "commit_blocks", "reveal_blocks", "denom", "revealed_rows", "delivery", "delivery_deadline", "disputed_rows", "paid", "held", "royalties", "burned", "verified_height", "sampled_rows", "disputes", "proof")
    ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    M_FIELD_NUMBER: _ClassVar[int]
    K_FIELD_NUMBER: _ClassVar[int]
    N_FIELD_NUMBER: _ClassVar[int]
    A_ROOT_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    C_ROOT_FIELD_NUMBER: _ClassVar[int]
    COMMIT_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    SLASHES_FIELD_NUMBER: _ClassVar[int]
    LAST_EVENT_FIELD_NUMBER: _ClassVar[int]
    POSTED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    COMMIT_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    REVEAL_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    DENOM_FIELD_NUMBER: _ClassVar[int]
    REVEALED_ROWS_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    DISPUTED_ROWS_FIELD_NUMBER: _ClassVar[int]
    PAID_FIELD_NUMBER: _ClassVar[int]
    HELD_FIELD_NUMBER: _ClassVar[int]
    ROYALTIES_FIELD_NUMBER: _ClassVar[int]
    BURNED_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    SAMPLED_ROWS_FIELD_NUMBER: _ClassVar[int]
    DISPUTES_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    id: int
    client: str
    model_id: int
    m: int
    k: int
    n: int
    a_root: bytes
    price: str
    status: str
    worker: str
    c_root: bytes
    commit_height: int
    deadline: int
    slashes: int
    last_event: str
    posted_height: int
    commit_blocks: int
    reveal_blocks: int
    denom: str
    revealed_rows: int
    delivery: str
    delivery_deadline: int
    disputed_rows: _containers.RepeatedScalarFieldContainer[int]
    paid: str
    held: str
    royalties: str
    burned: str
    verified_height: int
    sampled_rows: int
    disputes: int
    proof: _query_pb2.QueryProof
    def __init__(self, id: _Optional[int] = ..., client: _Optional[str] = ..., model_id: _Optional[int] = ..., m: _Optional[int] = ..., k: _Optional[int] = ..., n: _Optional[int] = ..., a_root: _Optional[bytes] = ..., price: _Optional[str] = ..., status: _Optional[str] = ..., worker: _Optional[str] = ..., c_root: _Optional[bytes] = ..., commit_height: _Optional[int] = ..., deadline: _Optional[int] = ..., slashes: _Optional[int] = ..., last_event: _Optional[str] = ..., posted_height: _Optional[int] = ..., commit_blocks: _Optional[int] = ..., reveal_blocks: _Optional[int] = ..., denom: _Optional[str] = ..., revealed_rows: _Optional[int] = ..., delivery: _Optional[str] = ..., delivery_deadline: _Optional[int] = ..., disputed_rows: _Optional[_Iterable[int]] = ..., paid: _Optional[str] = ..., held: _Optional[str] = ..., royalties: _Optional[str] = ..., burned: _Optional[str] = ..., verified_height: _Optional[int] = ..., sampled_rows: _Optional[int] = ..., disputes: _Optional[int] = ..., proof: _Optional[_Union[_query_pb2.QueryProof, _Mapping]] = ...) -> None: ...

class ModelsRequest(_message.Message):
    __slots__ = ("after", "has_after", "limit")
    AFTER_FIELD_NUMBER: _ClassVar[int]
    HAS_AFTER_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    after: int
    has_after: bool
    limit: int
    def __init__(self, after: _Optional[int] = ..., has_after: _Optional[bool] = ..., limit: _Optional[int] = ...) -> None: ...

class ModelRoyalty(_message.Message):
    __slots__ = ("recipient", "bps")
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    BPS_FIELD_NUMBER: _ClassVar[int]
    recipient: str
    bps: int
    def __init__(self, recipient: _Optional[str] = ..., bps: _Optional[int] = ...) -> None: ...

class ModelInfo(_message.Message):
    __slots__ = ("id", "owner", "k", "n", "b_root", "rows_uploaded", "active", "jobs_verified", "royalties_paid", "royalties", "credit_royalties_paid")
    ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    K_FIELD_NUMBER: _ClassVar[int]
    N_FIELD_NUMBER: _ClassVar[int]
    B_ROOT_FIELD_NUMBER: _ClassVar[int]
    ROWS_UPLOADED_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    JOBS_VERIFIED_FIELD_NUMBER: _ClassVar[int]
    ROYALTIES_PAID_FIELD_NUMBER: _ClassVar[int]
    ROYALTIES_FIELD_NUMBER: _ClassVar[int]
    CREDIT_ROYALTIES_PAID_FIELD_NUMBER: _ClassVar[int]
    id: int
    owner: str
    k: int
    n: int
    b_root: bytes
    rows_uploaded: int
    active: bool
    jobs_verified: int
    royalties_paid: str
    royalties: _containers.RepeatedCompositeFieldContainer[ModelRoyalty]
    credit_royalties_paid: str
    def __init__(self, id: _Optional[int] = ..., owner: _Optional[str] = ..., k: _Optional[int] = ..., n: _Optional[int] = ..., b_root: _Optional[bytes] = ..., rows_uploaded: _Optional[int] = ..., active: _Optional[bool] = ..., jobs_verified: _Optional[int] = ..., royalties_paid: _Optional[str] = ..., royalties: _Optional[_Iterable[_Union[ModelRoyalty, _Mapping]]] = ..., credit_royalties_paid: _Optional[str] = ...) -> None: ...

class ModelsResponse(_message.Message):
    __slots__ = ("models",)
    MODELS_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[ModelInfo]
    def __init__(self, models: _Optional[_Iterable[_Union[ModelInfo, _Mapping]]] = ...) -> None: ...

class ModelRowsRequest(_message.Message):
    __slots__ = ("model_id", "first_row", "count")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_ROW_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    model_id: int
    first_row: int
    count: int
    def __init__(self, model_id: _Optional[int] = ..., first_row: _Optional[int] = ..., count: _Optional[int] = ...) -> None: ...

class ModelRowsResponse(_message.Message):
    __slots__ = ("rows",)
    ROWS_FIELD_NUMBER: _ClassVar[int]
    rows: bytes
    def __init__(self, rows: _Optional[bytes] = ...) -> None: ...

class WorkersRequest(_message.Message):
    __slots__ = ("limit",)
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    limit: int
    def __init__(self, limit: _Optional[int] = ...) -> None: ...

class WorkerInfo(_message.Message):
    __slots__ = ("address", "bond", "validator", "active_claims", "jobs_verified", "slashes", "credits_earned", "slashed_total", "unbonding_release_at")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    BOND_FIELD_NUMBER: _ClassVar[int]
    VALIDATOR_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_CLAIMS_FIELD_NUMBER: _ClassVar[int]
    JOBS_VERIFIED_FIELD_NUMBER: _ClassVar[int]
    SLASHES_FIELD_NUMBER: _ClassVar[int]
    CREDITS_EARNED_FIELD_NUMBER: _ClassVar[int]
    SLASHED_TOTAL_FIELD_NUMBER: _ClassVar[int]
    UNBONDING_RELEASE_AT_FIELD_NUMBER: _ClassVar[int]
    address: str
    bond: str
    validator: str
    active_claims: int
    jobs_verified: int
    slashes: int
    credits_earned: str
    slashed_total: str
    unbonding_release_at: int
    def __init__(self, address: _Optional[str] = ..., bond: _Optional[str] = ..., validator: _Optional[str] = ..., active_claims: _Optional[int] = ..., jobs_verified: _Optional[int] = ..., slashes: _Optional[int] = ..., credits_earned: _Optional[str] = ..., slashed_total: _Optional[str] = ..., unbonding_release_at: _Optional[int] = ...) -> None: ...

class WorkersResponse(_message.Message):
    __slots__ = ("workers",)
    WORKERS_FIELD_NUMBER: _ClassVar[int]
    workers: _containers.RepeatedCompositeFieldContainer[WorkerInfo]
    def __init__(self, workers: _Optional[_Iterable[_Union[WorkerInfo, _Mapping]]] = ...) -> None: ...

class ParamsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ParamsResponse(_message.Message):
    __slots__ = ("sample_rows", "min_bond", "burn_bps", "epoch_blocks", "macs_per_credit", "min_price_per_credit", "default_commit_blocks", "default_reveal_blocks", "unbonding_blocks", "ref_macs_per_block", "min_window_blocks", "max_job_bytes", "max_window_blocks", "max_tx_bytes", "delivery_hold_bps", "delivery_blocks", "dispute_rows", "dispute_answer_blocks", "max_disputes", "max_m", "claim_bond_bps", "max_model_beacons_per_block", "challenge_blocks")
    SAMPLE_ROWS_FIELD_NUMBER: _ClassVar[int]
    MIN_BOND_FIELD_NUMBER: _ClassVar[int]
    BURN_BPS_FIELD_NUMBER: _ClassVar[int]
    EPOCH_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    MACS_PER_CREDIT_FIELD_NUMBER: _ClassVar[int]
    MIN_PRICE_PER_CREDIT_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_COMMIT_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_REVEAL_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    UNBONDING_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    REF_MACS_PER_BLOCK_FIELD_NUMBER: _ClassVar[int]
    MIN_WINDOW_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    MAX_JOB_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_WINDOW_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    MAX_TX_BYTES_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_HOLD_BPS_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    DISPUTE_ROWS_FIELD_NUMBER: _ClassVar[int]
    DISPUTE_ANSWER_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    MAX_DISPUTES_FIELD_NUMBER: _ClassVar[int]
    MAX_M_FIELD_NUMBER: _ClassVar[int]
    CLAIM_BOND_BPS_FIELD_NUMBER: _ClassVar[int]
    MAX_MODEL_BEACONS_PER_BLOCK_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    sample_rows: int
    min_bond: str
    burn_bps: int
    epoch_blocks: int
    macs_per_credit: int
    min_price_per_credit: str
    default_commit_blocks: int
    default_reveal_blocks: int
    unbonding_blocks: int
    ref_macs_per_block: int
    min_window_blocks: int
    max_job_bytes: int
    max_window_blocks: int
    max_tx_bytes: int
    delivery_hold_bps: int
    delivery_blocks: int
    dispute_rows: int
    dispute_answer_blocks: int
    max_disputes: int
    max_m: int
    claim_bond_bps: int
    max_model_beacons_per_block: int
    challenge_blocks: int
    def __init__(self, sample_rows: _Optional[int] = ..., min_bond: _Optional[str] = ..., burn_bps: _Optional[int] = ..., epoch_blocks: _Optional[int] = ..., macs_per_credit: _Optional[int] = ..., min_price_per_credit: _Optional[str] = ..., default_commit_blocks: _Optional[int] = ..., default_reveal_blocks: _Optional[int] = ..., unbonding_blocks: _Optional[int] = ..., ref_macs_per_block: _Optional[int] = ..., min_window_blocks: _Optional[int] = ..., max_job_bytes: _Optional[int] = ..., max_window_blocks: _Optional[int] = ..., max_tx_bytes: _Optional[int] = ..., delivery_hold_bps: _Optional[int] = ..., delivery_blocks: _Optional[int] = ..., dispute_rows: _Optional[int] = ..., dispute_answer_blocks: _Optional[int] = ..., max_disputes: _Optional[int] = ..., max_m: _Optional[int] = ..., claim_bond_bps: _Optional[int] = ..., max_model_beacons_per_block: _Optional[int] = ..., challenge_blocks: _Optional[int] = ...) -> None: ...

class SampleRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: int
    def __init__(self, job_id: _Optional[int] = ...) -> None: ...

class SampleResponse(_message.Message):
    __slots__ = ("ready", "beacon_height", "beacon", "rows")
    READY_FIELD_NUMBER: _ClassVar[int]
    BEACON_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    BEACON_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    ready: bool
    beacon_height: int
    beacon: bytes
    rows: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, ready: _Optional[bool] = ..., beacon_height: _Optional[int] = ..., beacon: _Optional[bytes] = ..., rows: _Optional[_Iterable[int]] = ...) -> None: ...
