"""Tx error codes: ``code -> (name, codespace, description)``, from ``docs/errors.md``.

The table is generated from the docs; ``tests/test_offline.py`` checks it against
``docs/errors.md`` when run inside the repository.
"""

from __future__ import annotations

from typing import NamedTuple


class ErrorInfo(NamedTuple):
    code: int
    name: str
    codespace: str
    description: str


CODES: dict[int, ErrorInfo] = {
    1: ErrorInfo(1, 'too_large', 'tx', 'The encoded tx is larger than the chain allows.'),
    2: ErrorInfo(2, 'malformed', 'tx', 'The bytes are not a protobuf `Tx`/`TxBody`.'),
    3: ErrorInfo(3, 'non_canonical', 'tx', 'The bytes decode but are not the canonical encoding of what they decode to.'),
    4: ErrorInfo(4, 'bad_public_key', 'tx', 'The public key is not a valid compressed secp256k1 point.'),
    5: ErrorInfo(5, 'bad_signature', 'tx', 'The signature does not verify against the key and body.'),
    6: ErrorInfo(6, 'high_s', 'tx', "The signature's S is in the upper half of the group order (malleable form)."),
    7: ErrorInfo(7, 'wrong_chain_id', 'tx', 'The body names another chain.'),
    8: ErrorInfo(8, 'replayed_nonce', 'tx', 'The nonce was already used (a replay).'),
    9: ErrorInfo(9, 'future_nonce', 'tx', "The nonce is ahead of the account's next nonce."),
    10: ErrorInfo(10, 'insufficient_funds', 'tx', 'The balance does not cover what the tx spends.'),
    11: ErrorInfo(11, 'overflow', 'tx', 'An arithmetic result does not fit its type.'),
    12: ErrorInfo(12, 'zero_amount', 'tx', 'A transfer or similar of zero.'),
    13: ErrorInfo(13, 'unknown_message', 'tx', 'A message of a kind this node does not know.'),
    14: ErrorInfo(14, 'bad_address', 'tx', 'An address that does not parse.'),
    15: ErrorInfo(15, 'bad_amount', 'tx', 'An amount that is not a canonical decimal u128.'),
    16: ErrorInfo(16, 'fee_too_low', 'tx', "The fee is below the chain's minimum."),
    17: ErrorInfo(17, 'no_messages', 'tx', 'A tx with no messages.'),
    18: ErrorInfo(18, 'bad_denom', 'tx', 'A denomination name that is not allowed.'),
    19: ErrorInfo(19, 'too_many_messages', 'tx', 'More messages than one tx may carry.'),
    20: ErrorInfo(20, 'mempool_full', 'tx', 'The mempool cannot take more txs right now.'),
    21: ErrorInfo(21, 'duplicate_tx', 'tx', 'The same tx bytes are already pending.'),
    22: ErrorInfo(22, 'non_transferable', 'tx', 'The denomination cannot be transferred (compute credits).'),
    23: ErrorInfo(23, 'bad_royalty_policy', 'tx', 'A royalty policy is invalid (too many recipients, zero share, total over the cap).'),
    100: ErrorInfo(100, 'not_validator_operator', 'validators', 'A validator-admission message from an account that operates no current validator.'),
    101: ErrorInfo(101, 'double_vote', 'validators', 'The validator already voted on this application.'),
    102: ErrorInfo(102, 'bad_consensus_key', 'validators', 'A consensus key that is not a 32-byte ed25519 point.'),
    103: ErrorInfo(103, 'already_validator', 'validators', 'An application for a key that is already in the validator set.'),
    104: ErrorInfo(104, 'unknown_application', 'validators', 'A vote on an application that does not exist or was already decided.'),
    105: ErrorInfo(105, 'application_pending', 'validators', 'An open application already concerns this key.'),
    106: ErrorInfo(106, 'unknown_validator', 'validators', 'A removal proposal for a key that is not in the validator set.'),
    107: ErrorInfo(107, 'last_validator', 'validators', 'Removing the validator would leave the set empty.'),
    108: ErrorInfo(108, 'bad_moniker', 'validators', 'A moniker that is empty, too long, or has control characters.'),
    109: ErrorInfo(109, 'operator_in_use', 'validators', 'The signer already operates a validator or has an open application.'),
    110: ErrorInfo(110, 'bad_vrf_key', 'validators', 'A VRF key that is not a valid sr25519 public key.'),
    200: ErrorInfo(200, 'unknown_asset_class', 'assets', 'Assets: unknown asset class.'),
    201: ErrorInfo(201, 'asset_class_exists', 'assets', 'Assets: asset class exists.'),
    202: ErrorInfo(202, 'missing_admin_power', 'assets', 'Assets: missing admin power.'),
    203: ErrorInfo(203, 'not_admin', 'assets', 'Assets: not admin.'),
    204: ErrorInfo(204, 'unknown_token', 'assets', 'Assets: unknown token.'),
    205: ErrorInfo(205, 'not_owner', 'assets', 'Assets: not owner.'),
    206: ErrorInfo(206, 'asset_frozen', 'assets', 'Assets: asset frozen.'),
    207: ErrorInfo(207, 'token_locked', 'assets', 'Assets: token locked.'),
    208: ErrorInfo(208, 'transfer_restricted', 'assets', 'Assets: transfer restricted.'),
    209: ErrorInfo(209, 'wrong_asset_kind', 'assets', 'Assets: wrong asset kind.'),
    210: ErrorInfo(210, 'bad_asset_field', 'assets', 'Assets: bad asset field.'),
    220: ErrorInfo(220, 'unknown_listing', 'market', 'Assets: unknown listing.'),
    221: ErrorInfo(221, 'self_trade', 'market', 'Assets: self trade.'),
    222: ErrorInfo(222, 'unknown_offer', 'market', 'Assets: unknown offer.'),
    223: ErrorInfo(223, 'unknown_auction', 'market', 'Assets: unknown auction.'),
    224: ErrorInfo(224, 'bid_too_low', 'market', 'Assets: bid too low.'),
    225: ErrorInfo(225, 'auction_closed', 'market', 'Assets: auction closed.'),
    226: ErrorInfo(226, 'auction_open', 'market', 'Assets: auction open.'),
    227: ErrorInfo(227, 'offer_expired', 'market', 'Assets: offer expired.'),
    228: ErrorInfo(228, 'bad_deadline', 'market', 'Assets: bad deadline.'),
    240: ErrorInfo(240, 'unknown_vault', 'fractional', 'Assets: unknown vault.'),
    241: ErrorInfo(241, 'not_all_shares', 'fractional', 'Assets: not all shares.'),
    242: ErrorInfo(242, 'vault_not_active', 'fractional', 'Assets: vault not active.'),
    243: ErrorInfo(243, 'vault_not_bought_out', 'fractional', 'Assets: vault not bought out.'),
    260: ErrorInfo(260, 'ip_already_registered', 'ip', 'Assets: ip already registered.'),
    261: ErrorInfo(261, 'unknown_ip', 'ip', 'Assets: unknown ip.'),
    262: ErrorInfo(262, 'unknown_license_terms', 'ip', 'Assets: unknown license terms.'),
    280: ErrorInfo(280, 'unknown_escrow', 'escrow', 'Assets: unknown escrow.'),
    281: ErrorInfo(281, 'bad_oracle_signature', 'escrow', 'Assets: bad oracle signature.'),
    282: ErrorInfo(282, 'escrow_expired', 'escrow', 'Assets: escrow expired.'),
    283: ErrorInfo(283, 'escrow_not_expired', 'escrow', 'Assets: escrow not expired.'),
    284: ErrorInfo(284, 'escrow_wrong_state', 'escrow', 'Assets: escrow wrong state.'),
    285: ErrorInfo(285, 'not_escrow_party', 'escrow', 'Assets: not escrow party.'),
    300: ErrorInfo(300, 'unregistered_certifier', 'assets', 'Assets: unregistered certifier.'),
    400: ErrorInfo(400, 'work_dims', 'work', 'Job or model dimensions that are zero or above a limit.'),
    401: ErrorInfo(401, 'k_too_large', 'work', 'The inner dimension breaks the exactness bound of the int32 result.'),
    402: ErrorInfo(402, 'bad_digest', 'work', 'A digest or key field that is not 32 bytes.'),
    403: ErrorInfo(403, 'unknown_model', 'work', 'No model with this id.'),
    404: ErrorInfo(404, 'model_state', 'work', "The model's weights are not (or are already) fully uploaded."),
    405: ErrorInfo(405, 'not_model_owner', 'work', "Only the model's owner may upload its weights."),
    406: ErrorInfo(406, 'chunk_out_of_order', 'work', 'A chunk that does not continue (or rewrite) the uploaded prefix.'),
    407: ErrorInfo(407, 'chunk_length', 'work', 'Row bytes that are not a whole, non-zero number of rows, or run past the last row.'),
    408: ErrorInfo(408, 'model_root_mismatch', 'work', 'The uploaded rows do not hash to the root registered with the model.'),
    409: ErrorInfo(409, 'not_worker', 'work', 'The signer is not a registered worker.'),
    410: ErrorInfo(410, 'bond_too_low', 'work', "The worker's bond does not cover another claim."),
    411: ErrorInfo(411, 'unknown_job', 'work', 'No job with this id.'),
    412: ErrorInfo(412, 'job_state', 'work', 'The job is not in the state the message needs.'),
    413: ErrorInfo(413, 'not_job_worker', 'work', 'The signer is not the worker that claimed the job.'),
    414: ErrorInfo(414, 'not_job_client', 'work', "The signer is not the job's client."),
    415: ErrorInfo(415, 'deadline_passed', 'work', 'A commit after its deadline.'),
    416: ErrorInfo(416, 'beacon_not_ready', 'work', 'A reveal before the beacon block that fixes its sample is on chain.'),
    417: ErrorInfo(417, 'rows_not_sampled', 'work', 'The revealed row indices are not the sampled ones.'),
    418: ErrorInfo(418, 'reveal_row_length', 'work', 'A revealed row with the wrong length (truncated or padded).'),
    419: ErrorInfo(419, 'reveal_proof', 'work', 'A Merkle proof that does not lead to the committed root.'),
    420: ErrorInfo(420, 'price_too_low', 'work', "The job price is below the chain's minimum for its size."),
    421: ErrorInfo(421, 'unknown_work_validator', 'work', 'A validator key that is not in the validator set.'),
    422: ErrorInfo(422, 'bad_work_deadline', 'work', 'A deadline window outside the allowed range.'),
    423: ErrorInfo(423, 'already_unbonding', 'work', '`UnbondWorker` from a worker that is already unbonding.'),
    424: ErrorInfo(424, 'worker_unbonding', 'work', 'A claim (or a bond top-up) from a worker that has asked to unbond.'),
    425: ErrorInfo(425, 'bad_job_denom', 'work', "A job priced in a denomination that is neither the chain's nor compute credits."),
    426: ErrorInfo(426, 'credit_price_too_high', 'work', 'A job priced in compute credits above the credits its work mints.'),
    427: ErrorInfo(427, 'job_too_large', 'work', "A model or job whose shape an honest worker could not complete under the chain's limits (a revealed row larger than a tx, `A` or `C` larger than `max_job_bytes`, windows longer than `max_window_blocks`)."),
    428: ErrorInfo(428, 'delivery_state', 'work', "The job's output delivery is not in the state the message needs."),
    429: ErrorInfo(429, 'bad_dispute', 'work', 'A dispute naming no rows, too many, rows out of order or out of range, or one too many disputes.'),
    430: ErrorInfo(430, 'dispute_answer', 'work', 'An answer to a dispute whose rows are not the named ones or do not verify.'),
    431: ErrorInfo(431, 'too_many_model_beacons', 'work', 'A reveal that needs `B·r` for one more (model, beacon) pair, or a challenge that needs one more `A_i·B`, than a block may compute (`max_model_beacons_per_block`); it may be included in a later block.'),
    432: ErrorInfo(432, 'bad_challenge', 'work', 'A challenge of a job challenged already, or of a row index not below `m`.'),
}


def info(code: int) -> ErrorInfo | None:
    """The name and module of a tx result code (``None`` for 0 or an unknown code)."""
    return CODES.get(code)


def name(code: int) -> str:
    """``"ok"`` for 0, the error name, or ``"unknown"``."""
    if code == 0:
        return "ok"
    i = CODES.get(code)
    return i.name if i else "unknown"
