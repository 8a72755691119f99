"""simulateTransaction on the chain: a LiteSVM simulation against the current state, with the real node's
checks (signatures, already processed, blockhash) and its blockhash replacement."""

import base58
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata

from ..account_data import check_account_encoding, ui_account
from ..constants import MAX_PROCESSING_AGE
from ..encoding import blockhash_offset
from ..error_text import error_json
from ..errors import invalid_params
from ..params import bool_field, decode_transaction, parse_pubkey, transaction_encoding
from .records import inner_instructions_json, return_data_json


class ChainSimulation:
    """simulateTransaction on Chain (a mixin on its state: runs with `Chain.lock` held)."""

    def simulate(self, data, config):
        encoding = transaction_encoding(config)
        raw, tx = decode_transaction(data, encoding)
        sig_verify = bool_field(config, "sigVerify")
        replace = bool_field(config, "replaceRecentBlockhash")
        inner_wanted = bool_field(config, "innerInstructions")
        bank_slot = self.bank(config)
        accounts_config = config.get("accounts")
        if accounts_config is not None:
            if not isinstance(accounts_config, dict) or not isinstance(accounts_config.get("addresses"), list):
                raise invalid_params("Invalid params: accounts must be {\"addresses\": [...], \"encoding\": ...}")
            if len(accounts_config["addresses"]) > len(tx.message.account_keys) + 256:
                raise invalid_params("Too many accounts provided; max " + str(len(tx.message.account_keys)))
            account_keys = [parse_pubkey(text) for text in accounts_config["addresses"]]
            account_encoding = accounts_config.get("encoding") or "base64"
            check_account_encoding(account_encoding)
        replacement = None
        if replace:
            if sig_verify:
                raise invalid_params("sigVerify may not be used with replaceRecentBlockhash")
            info = self.slots[bank_slot]
            patched = bytearray(raw)
            offset = blockhash_offset(patched)
            patched[offset:offset + 32] = base58.b58decode(info["blockhash"])
            raw = bytes(patched)
            tx = VersionedTransaction.from_bytes(raw)
            replacement = {"blockhash": info["blockhash"], "lastValidBlockHeight": info["height"] + MAX_PROCESSING_AGE}
        self.sanitize(tx)
        value = {"err": None, "logs": [], "accounts": None, "unitsConsumed": 0, "returnData": None,
                 "innerInstructions": None, "replacementBlockhash": replacement, "fee": None}
        signature = str(tx.signatures[0])
        existing = self.records.get(signature)
        if sig_verify and not all(tx.verify_with_results()):
            value["err"] = "SignatureFailure"
        elif existing is not None and existing.slot <= bank_slot:
            value["err"] = "AlreadyProcessed"
        elif not self.blockhash_valid(str(tx.message.recent_blockhash), bank_slot) and not self.nonce_matches(tx):
            value["err"] = "BlockhashNotFound"
        else:
            self.svm.with_sigverify(False)
            try:
                # A signature that landed after this bank's slot is still AlreadyProcessed for LiteSVM.
                result = self.svm.simulate_transaction(tx)
            finally:
                self.svm.with_sigverify(True)
            post_accounts = {}
            if isinstance(result, FailedTransactionMetadata):
                meta = result.meta()
                value["err"] = error_json(result.err())
            else:
                meta = result.meta()
                post_accounts = {str(key): account for key, account in result.post_accounts()}
            value["logs"] = list(meta.logs())
            value["unitsConsumed"] = meta.compute_units_consumed()
            value["returnData"] = return_data_json(meta)
            value["fee"] = meta.fee()
            if inner_wanted:
                value["innerInstructions"] = inner_instructions_json(meta)
            if accounts_config is not None:
                value["accounts"] = []
                for key in account_keys:
                    account = post_accounts.get(str(key)) if value["err"] is None else None
                    if account is None and value["err"] is None:
                        account = self.svm.get_account(key)
                    value["accounts"].append(ui_account(account, account_encoding) if account is not None else None)
        return {"context": self.context(bank_slot), "value": value}
