"""The ledger against the chain: every recorded transaction's fee, err, version, account keys, watched lamports
and token balances, then the final token balances, supply and lamports. Any mismatch is a generator bug."""

import time

import base58
from construct import ConstructError
from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey
from spl.token.constants import TOKEN_PROGRAM_ID
from spl.token.instructions import decode_transfer_checked

from .errors import GeneratorError
from .sender import CONFIRM_TIMEOUT


def confirm_all(rpc, ledger, watched):
    """Waits until every recorded signature is confirmed, then checks each against getTransaction."""
    records = ledger.records
    pending = {record.signature: record for record in records}
    deadline = time.monotonic() + CONFIRM_TIMEOUT
    while pending:
        signatures = list(pending)
        for start in range(0, len(signatures), 256):
            chunk = signatures[start:start + 256]
            statuses = rpc.call("getSignatureStatuses", chunk, {"searchTransactionHistory": True})["value"]
            for signature, status in zip(chunk, statuses):
                if status is not None and status["confirmationStatus"] in ("confirmed", "finalized"):
                    pending.pop(signature).slot = status["slot"]
        if pending:
            if time.monotonic() > deadline:
                raise GeneratorError(f"{len(pending)} transactions not confirmed, e.g. {next(iter(pending))}")
            time.sleep(0.1)
    config = {"commitment": "confirmed", "maxSupportedTransactionVersion": 0, "encoding": "json"}
    answers = rpc.batch("getTransaction", [[record.signature, config] for record in records], size=50)
    for record, answer in zip(records, answers):
        check_transaction(record, answer, watched)


def check_transaction(record, answer, watched):
    where = f"{record.kind} {record.signature}"
    if answer is None:
        raise GeneratorError(f"{where}: getTransaction found nothing")
    meta = answer["meta"]
    if meta["fee"] != record.fee:
        raise GeneratorError(f"{where}: fee {meta['fee']}, expected {record.fee}")
    if (meta["err"] is not None) != record.failed:
        raise GeneratorError(f"{where}: err {meta['err']}, expected failed={record.failed}")
    if answer.get("version") != record.version:
        raise GeneratorError(f"{where}: version {answer.get('version')}, expected {record.version}")
    if answer["slot"] != record.slot:
        raise GeneratorError(f"{where}: slot {answer['slot']} differs from the status slot {record.slot}")
    loaded = meta.get("loadedAddresses") or {"writable": [], "readonly": []}
    keys = answer["transaction"]["message"]["accountKeys"] + loaded["writable"] + loaded["readonly"]
    if record.keys is None:  # an airdrop: the faucet is the chain's
        record.keys = keys
    elif keys != record.keys:
        raise GeneratorError(f"{where}: account keys {keys}, expected {record.keys}")
    for wallet in watched.values():
        if wallet in keys:
            i = keys.index(wallet)
            chain = (meta["preBalances"][i], meta["postBalances"][i])
            mine = (record.lamports_pre[wallet], record.lamports_post[wallet])
            if chain != mine:
                raise GeneratorError(f"{where}: lamports of {wallet} {chain}, ledger {mine}")
        elif record.lamports_pre[wallet] != record.lamports_post[wallet]:
            raise GeneratorError(f"{where}: ledger moved lamports of {wallet}, not among the keys")
    for side, mine in (("preTokenBalances", record.tokens_pre), ("postTokenBalances", record.tokens_post)):
        chain = {keys[entry["accountIndex"]]:
                 (entry["mint"], entry["owner"], int(entry["uiTokenAmount"]["amount"]))
                 for entry in meta[side] or []}
        if chain != mine:
            raise GeneratorError(f"{where}: {side} {chain}, ledger {mine}")
    for movement, index, nested in record.pending_inner:
        movement["inner_index"] = inner_transfer_index(answer, keys, index, nested, int(movement["amount"]))


def inner_transfer_index(answer, keys, index, nested, amount):
    """Position of the TransferChecked out of `nested` among instruction `index`'s inner instructions
    (decoded by solana-py's spl.token.instructions)."""
    signature = answer["transaction"]["signatures"][0]
    for group in answer["meta"]["innerInstructions"] or []:
        if group["index"] != index:
            continue
        for position, inner in enumerate(group["instructions"]):
            if keys[inner["programIdIndex"]] != str(TOKEN_PROGRAM_ID):
                continue
            instruction = Instruction(TOKEN_PROGRAM_ID, base58.b58decode(inner["data"]), [
                AccountMeta(Pubkey.from_string(keys[i]), is_signer=False, is_writable=False)
                for i in inner["accounts"]])
            try:
                transfer = decode_transfer_checked(instruction)
            except (ValueError, ConstructError):  # another SPL Token instruction
                continue
            if str(transfer.source) == nested:
                if transfer.amount != amount:
                    raise GeneratorError(f"{signature}: inner transfer amount differs")
                return position
    raise GeneratorError(f"{signature}: no inner TransferChecked found")


def check_final_state(rpc, ledger, watched):
    """The chain's token balances, FLBY supply and watched lamports are the ledger's."""
    for address, entry in ledger.accounts.items():
        if entry.open:
            answer = rpc.call("getTokenAccountBalance", address, {"commitment": "processed"})
            amount = int(answer["value"]["amount"])
            if amount != entry.amount:
                raise GeneratorError(f"token account {address}: chain {amount}, ledger {entry.amount}")
        elif rpc.call("getAccountInfo", address, {"encoding": "base64"})["value"] is not None:
            raise GeneratorError(f"token account {address} should be closed")
    supply = int(rpc.call("getTokenSupply", ledger.flby, {"commitment": "processed"})["value"]["amount"])
    held = sum(entry.amount for entry in ledger.accounts.values() if entry.open and entry.mint == ledger.flby)
    if not supply == ledger.minted - ledger.burned == held:
        raise GeneratorError(f"supply: chain {supply}, ledger {ledger.minted} - {ledger.burned}, held {held}")
    for wallet in watched.values():
        lamports = rpc.call("getBalance", wallet, {"commitment": "processed"})["value"]
        if lamports != ledger.lamports[wallet]:
            raise GeneratorError(f"lamports of {wallet}: chain {lamports}, ledger {ledger.lamports[wallet]}")
