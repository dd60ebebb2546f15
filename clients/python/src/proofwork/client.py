"""A typed gRPC client: queries, broadcast with commit wait, proofs, streams."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterable, Iterator

import grpc

from . import errors, proof
from .assets.v1 import assets_pb2 as assets_pb
from .assets.v1 import assets_pb2_grpc
from .blobs.v1 import blobs_pb2 as blobs_pb
from .blobs.v1 import blobs_pb2_grpc
from .block.v1 import block_pb2
from .keys import Address, SecretKey
from .node.v1 import node_pb2 as node_pb
from .node.v1 import node_pb2_grpc
from .query.v1 import query_pb2 as query_pb
from .transaction import TxBody, sign_body, tx_hash
from .tx.v1 import tx_pb2
from .validators.v1 import validators_pb2_grpc
from .work.v1 import work_pb2 as work_pb
from .work.v1 import work_pb2_grpc

#: Large enough for a 1 MiB tx and big query answers; the node has its own limit.
DEFAULT_MAX_MESSAGE = 16 << 20


class TxError(Exception):
    """A tx the node refused (CheckTx, ``stage="check"``) or executed with a failure
    (``stage="deliver"``). ``code`` is the stable code of ``docs/errors.md``."""

    def __init__(self, stage: str, code: int, log: str, codespace: str = "", height: int = 0, hash: bytes = b""):
        self.stage, self.code, self.log, self.height, self.hash = stage, code, log, height, hash
        i = errors.info(code)
        self.codespace = codespace or (i.codespace if i else "")
        self.name = errors.name(code)
        super().__init__(f"tx {stage} failed: code {code} ({self.name}, {self.codespace}): {log}")


@dataclass
class Committed:
    """A committed tx: its hash, block height, index and block result."""

    hash: bytes
    height: int
    index: int
    result: block_pb2.TxResult

    def events(self, kind: str | None = None) -> list[dict[str, str]]:
        """The tx's events of ``kind`` (all if ``None``), each as ``{"kind": …, attr: value}``."""
        out = []
        for e in self.result.events:
            if kind is None or e.kind == kind:
                d = {"kind": e.kind}
                d.update({a.key: a.value for a in e.attributes})
                out.append(d)
        return out


def _at(height: int, prove: bool) -> query_pb.At:
    return query_pb.At(height=height, prove=prove)


def _addr(a: Address | str) -> str:
    return str(a) if isinstance(a, Address) else a


class Client:
    """Connects to a node's gRPC endpoint (``host:port``, no scheme).

    The raw stubs are ``client.node``, ``client.assets``, ``client.work``,
    ``client.validators`` and ``client.blobs`` (every RPC of the protos, typed messages);
    the methods below wrap the common ones.
    """

    def __init__(self, target: str, timeout: float = 30.0, max_message_bytes: int = DEFAULT_MAX_MESSAGE):
        target = target.removeprefix("http://")
        self.target = target
        self.timeout = timeout
        self.channel = grpc.insecure_channel(
            target,
            options=[
                ("grpc.max_send_message_length", max_message_bytes),
                ("grpc.max_receive_message_length", max_message_bytes),
            ],
        )
        self.node = node_pb2_grpc.NodeStub(self.channel)
        self.assets = assets_pb2_grpc.AssetQueryStub(self.channel)
        self.work = work_pb2_grpc.WorkStub(self.channel)
        self.validators = validators_pb2_grpc.ValidatorsStub(self.channel)
        self.blobs = blobs_pb2_grpc.BlobsStub(self.channel)
        self._chain_id: str | None = None

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def wait_ready(self, timeout: float = 30.0) -> node_pb.StatusResponse:
        """Polls ``Status`` until the node answers (bounded)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.status()
            except grpc.RpcError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    # ---- node queries ----

    def status(self) -> node_pb.StatusResponse:
        return self.node.Status(node_pb.StatusRequest(), timeout=self.timeout)

    @property
    def chain_id(self) -> str:
        if self._chain_id is None:
            self._chain_id = self.status().chain_id
        return self._chain_id

    def account(self, address: Address | str) -> node_pb.AccountResponse:
        return self.node.Account(node_pb.AccountRequest(address=_addr(address)), timeout=self.timeout)

    def nonce(self, address: Address | str) -> int:
        return self.account(address).nonce

    def balance(self, address: Address | str, denom: str, height: int = 0) -> int:
        r = self.node.Balance(
            node_pb.BalanceRequest(address=_addr(address), denom=denom, at=_at(height, False)),
            timeout=self.timeout,
        )
        return int(r.amount)

    def balance_proven(self, address: Address | str, denom: str, height: int = 0) -> node_pb.BalanceResponse:
        return self.node.Balance(
            node_pb.BalanceRequest(address=_addr(address), denom=denom, at=_at(height, True)),
            timeout=self.timeout,
        )

    def get_block(self, height: int) -> block_pb2.BlockRecord:
        return self.node.GetBlock(node_pb.GetBlockRequest(height=height), timeout=self.timeout)

    def get_block_by_hash(self, h: bytes) -> block_pb2.BlockRecord:
        return self.node.GetBlockByHash(node_pb.GetBlockByHashRequest(hash=h), timeout=self.timeout)

    def get_tx(self, h: bytes) -> node_pb.TxResult:
        return self.node.GetTx(node_pb.GetTxRequest(hash=h), timeout=self.timeout).result

    def query_state(self, key: bytes, height: int = 0, prove: bool = True) -> node_pb.QueryStateResponse:
        return self.node.QueryState(node_pb.QueryStateRequest(key=key, height=height, prove=prove), timeout=self.timeout)

    def wait_height(self, height: int, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while (h := self.status().height) < height:
            if time.monotonic() > deadline:
                raise TimeoutError(f"height {height} not reached (at {h})")
            time.sleep(0.05)
        return h

    # ---- proofs ----

    def verified_state(self, key: bytes, height: int = 0, trusted_app_hash: bytes | None = None) -> bytes | None:
        """Reads ``key`` with a proof and verifies it (in Python) against ``trusted_app_hash``,
        or, if none is given, against the app hash in this node's block log at that height
        (consistency with the node's own log, not honesty: under CometBFT pass the signed
        header's app hash). Returns the value, or ``None`` when absent."""
        r = self.query_state(key, height, True)
        app_hash = trusted_app_hash
        if app_hash is None:
            app_hash = self.get_block(r.height).app_hash
            if app_hash != r.app_hash:
                raise proof.ProofError("the answer's app hash is not the block log's")
        value = r.value if r.exists else None
        proof.verify_proof(app_hash, key, value, r.proof)
        return value

    def verified_balance(self, address: Address | str, denom: str, height: int = 0) -> int:
        a = Address.parse(address) if isinstance(address, str) else address
        v = self.verified_state(proof.state_key.balance(a, denom), height)
        return 0 if v is None else proof.decode_u128(v)

    # ---- txs ----

    def broadcast(self, tx: bytes, wait: bool = False) -> node_pb.BroadcastTxResponse:
        """Raw ``BroadcastTx``: the response's ``code``/``log`` say whether CheckTx admitted it."""
        return self.node.BroadcastTx(node_pb.BroadcastTxRequest(tx=tx, wait=wait), timeout=self.timeout)

    def simulate(self, tx: bytes) -> node_pb.SimulateResponse:
        return self.node.Simulate(node_pb.SimulateRequest(tx=tx), timeout=self.timeout)

    def submit(self, tx: bytes, wait: bool = True) -> Committed | bytes:
        """Broadcasts; raises :class:`TxError` on refusal or (with ``wait``) on a failed
        result. Returns the :class:`Committed` tx, or its hash when not waiting."""
        r = self.broadcast(tx, wait)
        h = r.hash or tx_hash(tx)
        if r.code != 0:
            raise TxError("check", r.code, r.log, hash=h)
        if not wait:
            return h
        if not r.HasField("committed"):
            raise TimeoutError(f"tx {h.hex()} not committed within the node's wait")
        c = r.committed
        if c.result.code != 0:
            raise TxError("deliver", c.result.code, c.result.log, c.result.codespace, c.height, h)
        return Committed(h, c.height, c.index, c.result)

    def send(self, signer: "Signer", messages: Iterable[tx_pb2.Message], fee: int = 1, wait: bool = True):
        """Signs ``messages`` with ``signer``'s next nonce and submits them."""
        tx = signer.sign(self, list(messages), fee)
        try:
            return self.submit(tx, wait)
        except TxError as e:
            if e.stage == "check":
                signer.forget_nonce()
            raise

    # ---- streams ----

    def stream_blocks(self, from_height: int = 0, timeout: float | None = None) -> Iterator[block_pb2.BlockRecord]:
        """Blocks from ``from_height`` (0: the next one) on, without gaps; cancel by closing
        the iterator (``.cancel()`` on the returned call)."""
        return self.node.StreamBlocks(node_pb.StreamBlocksRequest(from_height=from_height), timeout=timeout)

    def stream_events(
        self,
        from_height: int = 0,
        kind: str = "",
        attribute_key: str = "",
        attribute_value: str = "",
        timeout: float | None = None,
    ) -> Iterator[node_pb.EventMessage]:
        req = node_pb.StreamEventsRequest(
            from_height=from_height, kind=kind, attribute_key=attribute_key, attribute_value=attribute_value
        )
        return self.node.StreamEvents(req, timeout=timeout)

    # ---- work queries ----

    def job(self, job_id: int, height: int = 0, prove: bool = False) -> work_pb.JobInfo:
        return self.work.Job(work_pb.JobRequest(job_id=job_id, at=_at(height, prove)), timeout=self.timeout)

    def jobs(self, status: str = "", limit: int = 0) -> list[work_pb.JobInfo]:
        return list(self.work.Jobs(work_pb.JobsRequest(status=status, limit=limit), timeout=self.timeout).jobs)

    def asset_classes(self, after: str = "", limit: int = 0) -> assets_pb.AssetClassesResponse:
        """One page of asset classes in id order; ask again with the last id while `more`."""
        return self.assets.AssetClasses(assets_pb.AssetClassesRequest(after=after, limit=limit), timeout=self.timeout)

    def models(self) -> list[work_pb.ModelInfo]:
        return list(self.work.Models(work_pb.ModelsRequest(), timeout=self.timeout).models)

    def work_params(self) -> work_pb.ParamsResponse:
        return self.work.Params(work_pb.ParamsRequest(), timeout=self.timeout)

    def sample(self, job_id: int) -> work_pb.SampleResponse:
        return self.work.Sample(work_pb.SampleRequest(job_id=job_id), timeout=self.timeout)

    def model_rows(self, model_id: int, first_row: int, count: int) -> bytes:
        req = work_pb.ModelRowsRequest(model_id=model_id, first_row=first_row, count=count)
        return self.work.ModelRows(req, timeout=self.timeout).rows

    # ---- blobs ----

    def upload_blob(
        self, data: bytes, kind: int = blobs_pb.BLOB_KIND_RAW, row_len: int = 0, ref_id: int = 0, chunk: int = 256 << 10
    ) -> blobs_pb.BlobInfo:
        import blake3

        header = blobs_pb.UploadHeader(
            size=len(data), hash=blake3.blake3(data).digest(), kind=kind, row_len=row_len, ref_id=ref_id
        )

        def chunks():
            yield blobs_pb.UploadChunk(header=header)
            for i in range(0, len(data), chunk):
                yield blobs_pb.UploadChunk(data=data[i : i + chunk])

        return self.blobs.Upload(chunks(), timeout=self.timeout)

    def stat_blob(self, hash: bytes = b"", row_root: bytes = b"") -> blobs_pb.BlobInfo:
        """``Blobs.Stat`` by the blob's hash or by a row root it was indexed under (a job's
        ``a_root``, a model's ``b_root``, a delivered output's ``c_root``): exactly one of the
        two, 32 bytes. Raises ``grpc.RpcError`` (``NOT_FOUND``) when the node has none."""
        if bool(hash) == bool(row_root):
            raise ValueError("stat_blob needs exactly one of hash and row_root")
        for name, v in (("hash", hash), ("row_root", row_root)):
            if v and len(v) != 32:
                raise ValueError(f"{name} must be 32 bytes, got {len(v)}")
        return self.blobs.Stat(blobs_pb.StatRequest(hash=hash, row_root=row_root), timeout=self.timeout)

    def download_blob(self, h: bytes, offset: int = 0, limit: int = 0, timeout: float | None = None) -> bytes:
        """Streams a blob (or ``limit`` bytes of it from ``offset``; 0: to the end) and, for a
        whole blob, checks that its bytes hash to ``h``."""
        import blake3

        out = bytearray()
        req = blobs_pb.DownloadRequest(hash=h, offset=offset, limit=limit)
        for c in self.blobs.Download(req, timeout=timeout or self.timeout):
            if c.offset != offset + len(out):
                raise ValueError(f"blob {h.hex()}: chunk at offset {c.offset}, expected {offset + len(out)}")
            out += c.data
        data = bytes(out)
        if offset == 0 and limit == 0 and blake3.blake3(data).digest() != h:
            raise ValueError(f"blob {h.hex()}: the downloaded bytes do not hash to its name")
        return data


class Signer:
    """A key with a locally tracked nonce (read from the node on first use or after a
    refusal)."""

    def __init__(self, key: SecretKey):
        self.key = key
        self._nonce: int | None = None

    @property
    def address(self) -> Address:
        return self.key.address

    def forget_nonce(self) -> None:
        self._nonce = None

    def sign(self, client: Client, messages: list[tx_pb2.Message], fee: int = 1) -> bytes:
        if self._nonce is None:
            self._nonce = client.nonce(self.address)
        tx = sign_body(self.key, TxBody(client.chain_id, self._nonce, fee, messages))
        self._nonce += 1
        return tx
