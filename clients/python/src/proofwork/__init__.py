"""proofwork: a Python SDK for the proofwork chain.

Keys and addresses (:mod:`proofwork.keys`), tx signing and a builder for every message
(:mod:`proofwork.transaction`), a typed gRPC client with streams (:mod:`proofwork.client`),
Jellyfish Merkle proof verification written from ``docs/state.md`` (:mod:`proofwork.proof`),
error codes (:mod:`proofwork.errors`) and the int8 GEMM job market with NumPy
(:mod:`proofwork.jobs`). Generated protobuf/gRPC modules live under ``proofwork.<pkg>.v1``.
"""

from .client import Client, Committed, Signer, TxError
from .keys import Address, AddressError, PublicKey, SecretKey, module_address
from .proof import ProofError, state_key, verify_proof
from .transaction import TxBody, msg, sign_body, signing_digest, tx_hash

__all__ = [
    "Address", "AddressError", "Client", "Committed", "ProofError", "PublicKey", "SecretKey",
    "Signer", "TxBody", "TxError", "module_address", "msg", "sign_body", "signing_digest",
    "state_key", "tx_hash", "verify_proof",
]
__version__ = "0.1.0"
