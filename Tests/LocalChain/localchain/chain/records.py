"""A transaction that landed (TxRecord) and what the node derives from a transaction: its writable keys, its
compute-unit price, its memo, its inner instructions and return data in the RPC's JSON shape."""

import struct

from ..constants import COMPUTE_BUDGET_PROGRAM, MEMO_PROGRAMS
from ..encoding import b58, b64


class TxRecord:
    """A transaction that landed in a slot: what getTransaction, getSignatureStatuses and the address index
    need."""

    __slots__ = ("signature", "slot", "seq", "block_time", "raw", "tx", "version", "keys", "loaded_writable",
                 "loaded_readonly", "writable", "err", "logs", "fee", "pre_balances", "post_balances",
                 "pre_token_balances", "post_token_balances", "inner_instructions", "compute_units",
                 "return_data", "memo", "cu_price")


def writable_keys(tx, loaded_writable):
    """The addresses the transaction write-locks, as strings."""
    message = tx.message
    header = message.header
    keys = list(message.account_keys)
    signed = header.num_required_signatures
    writable = set()
    for i, key in enumerate(keys):
        if i < signed:
            if i < signed - header.num_readonly_signed_accounts:
                writable.add(str(key))
        elif i < len(keys) - header.num_readonly_unsigned_accounts:
            writable.add(str(key))
    writable.update(str(key) for key in loaded_writable)
    return writable


def compute_unit_price(tx):
    """The price of ComputeBudget SetComputeUnitPrice (the last one), 0 without one."""
    message = tx.message
    price = 0
    keys = list(message.account_keys)
    for instruction in message.instructions:
        if instruction.program_id_index < len(keys) and str(keys[instruction.program_id_index]) == COMPUTE_BUDGET_PROGRAM:
            data = bytes(instruction.data)
            if len(data) == 9 and data[0] == 3:
                price = struct.unpack_from("<Q", data, 1)[0]
    return price


def memo_of(tx):
    """The memos of the transaction as getSignaturesForAddress shows them ("[len] text", joined by "; ")."""
    message = tx.message
    keys = list(message.account_keys)
    memos = []
    for instruction in message.instructions:
        if instruction.program_id_index < len(keys) and str(keys[instruction.program_id_index]) in MEMO_PROGRAMS:
            data = bytes(instruction.data)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = "(unparseable)"
            memos.append(f"[{len(data)}] {text}")
    return "; ".join(memos) if memos else None


def return_data_json(meta):
    """The return data of a transaction's metadata, or None when it returned nothing."""
    return_data = meta.return_data()
    if return_data is None or not bytes(return_data.data):
        return None
    return {"programId": str(return_data.program_id), "data": [b64(return_data.data), "base64"]}


def inner_instructions_json(meta):
    """The inner instructions of a transaction's metadata, per top-level instruction that has any."""
    return [{
        "index": index,
        "instructions": [{
            "programIdIndex": item.instruction().program_id_index,
            "accounts": list(bytes(item.instruction().accounts)),
            "data": b58(item.instruction().data),
            "stackHeight": item.stack_height(),
        } for item in inner],
    } for index, inner in enumerate(meta.inner_instructions()) if inner]
