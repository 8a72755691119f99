"""The output document: what every view of the indexer must contain, from the checked ledger."""

import json
import os

from .participants import DECIMALS


def expectations(ledger, participants):
    """The --out document (see the script's docstring for its fields and rules)."""
    flby, watched = participants.flby, participants.watched
    # Every account of FLBY, those whose address came back as another mint's account included (`ledger.retired`).
    every = list(ledger.retired) + list(ledger.accounts.items())
    flby_accounts = {address for address, entry in every if entry.mint == flby}
    owned = {name: {address for address, entry in ledger.accounts.items() if entry.owner == wallet}
             for name, wallet in watched.items()}
    watched_accounts = set(watched.values()).union(*owned.values())
    transactions, movements, activity = [], [], []
    for record in ledger.records:
        keys = set(record.keys)
        # An address that was FLBY's counts, but not where this transaction leaves it holding another mint (it was
        # closed and created again as another mint's account: the indexer has stopped following it).
        elsewhere = {key for key, (mint, _, _) in record.tokens_post.items() if mint != flby}
        relevant = flby in keys or bool((keys - elsewhere) & flby_accounts) or bool(keys & watched_accounts)
        transactions.append({"signature": record.signature, "slot": record.slot, "fee": record.fee,
                             "failed": record.failed, "memo": record.memo, "relevant": relevant,
                             "version": record.version, "kind": record.kind})
        movements += record.movements
        for name, wallet in watched.items():
            if wallet in keys or keys & owned[name]:
                activity.append({
                    "wallet": name, "signature": record.signature,
                    "lamports_delta": record.lamports_post[wallet] - record.lamports_pre[wallet],
                    "flby_delta": str(record.flby_delta[wallet]), "fee": record.fee,
                    "failed": record.failed, "memo": record.memo})
    balances = [{"token_account": address, "owner": entry.owner, "amount": str(entry.amount if entry.open else 0)}
                for address, entry in ledger.accounts.items() if entry.mint == flby]
    balances += [{"token_account": address, "owner": entry.owner, "amount": "0"}
                 for address, entry in ledger.retired if entry.mint == flby and ledger.accounts[address].mint != flby]
    return {
        "mint": flby, "escrow": participants.escrow_key, "fee": participants.fee_key, "decimals": DECIMALS,
        "transactions": transactions,
        "movements": movements,
        "balances": balances,
        "supply": {"minted": str(ledger.minted), "burned": str(ledger.burned),
                   "supply": str(ledger.minted - ledger.burned)},
        "wallet_activity": activity,
        "wallet_lamports": {name: ledger.lamports[wallet] for name, wallet in watched.items()},
    }


def write_json(path, value):
    """Writes `value` to PATH.tmp, then renames it to `path`: a reader never sees half a file."""
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=1, ensure_ascii=False)
        handle.write("\n")
    os.replace(temporary, path)
