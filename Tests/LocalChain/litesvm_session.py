#!/usr/bin/env python3
"""A LiteSVM chain driven over JSON lines on stdin/stdout, for the Swift tests.

LiteSVM (`solders.litesvm`, solders 0.29) carries the real System, SPL Token, Token-2022,
Associated Token Account and Memo programs, so a transaction the Swift code builds is executed
by the same program code as on mainnet. One request per line, one response per line:

  {"op": "airdrop", "pubkey": B58, "lamports": N}     -> {"ok": true}
  {"op": "latest_blockhash"}                           -> {"ok": true, "blockhash": B58}
  {"op": "rent", "space": N}                           -> {"ok": true, "lamports": N}
  {"op": "send", "transaction": BASE64}                -> {"ok": true, "signature": B58, "logs": [...],
                                                            "compute_units": N, "fee": N}
                                                        or {"ok": false, "error": TEXT, "logs": [...]}
  {"op": "simulate", "transaction": BASE64}            -> same shape as send, nothing is committed
  {"op": "account", "pubkey": B58}                     -> {"ok": true, "exists": false}
                                                        or {"ok": true, "exists": true, "lamports": N,
                                                            "owner": B58, "data": BASE64, "executable": bool}
  {"op": "expire_blockhash"}                           -> {"ok": true}

A request that cannot be served answers {"ok": false, "error": TEXT}; the session keeps going.
The session ends at end of input.
"""

import base64
import json
import sys

from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata


def outcome(result):
    if isinstance(result, FailedTransactionMetadata):
        return {"ok": False, "error": str(result.err()), "logs": list(result.meta().logs())}
    return {
        "ok": True,
        "signature": str(result.signature()),
        "logs": list(result.logs()),
        "compute_units": result.compute_units_consumed(),
        "fee": result.fee(),
    }


def handle(svm, request):
    op = request.get("op")
    if op == "airdrop":
        result = svm.airdrop(Pubkey.from_string(request["pubkey"]), int(request["lamports"]))
        if isinstance(result, FailedTransactionMetadata):
            return {"ok": False, "error": str(result.err())}
        return {"ok": True}
    if op == "latest_blockhash":
        return {"ok": True, "blockhash": str(svm.latest_blockhash())}
    if op == "rent":
        return {"ok": True, "lamports": svm.minimum_balance_for_rent_exemption(int(request["space"]))}
    if op in ("send", "simulate"):
        tx = VersionedTransaction.from_bytes(base64.b64decode(request["transaction"]))
        if op == "send":
            return outcome(svm.send_transaction(tx))
        simulated = svm.simulate_transaction(tx)
        if isinstance(simulated, FailedTransactionMetadata):
            return outcome(simulated)
        return outcome(simulated.meta())
    if op == "account":
        account = svm.get_account(Pubkey.from_string(request["pubkey"]))
        if account is None:
            return {"ok": True, "exists": False}
        return {
            "ok": True,
            "exists": True,
            "lamports": account.lamports,
            "owner": str(account.owner),
            "data": base64.b64encode(bytes(account.data)).decode(),
            "executable": account.executable,
        }
    if op == "expire_blockhash":
        svm.expire_blockhash()
        return {"ok": True}
    return {"ok": False, "error": f"unknown op {op!r}"}


def main():
    svm = LiteSVM()
    print(json.dumps({"ok": True, "ready": True}), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            response = handle(svm, json.loads(line))
        except Exception as error:  # report, keep serving
            response = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        print(json.dumps(response), flush=True)


if __name__ == "__main__":
    main()
