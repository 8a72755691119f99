"""History methods: signature statuses, recent prioritization fees, transactions and signatures for an address,
each honouring commitment, getFirstAvailableBlock and getBlocksWithLimit. The hidden fault applies to all but the
fees; the before_unknown, before_ignored and listed_twice faults to signatures for an address; first_available_block
(a node whose ledger was pruned below that slot) to statuses searched in history, transactions, signatures for an
address and blocks; snapshot_start (a node just started from a snapshot) to getFirstAvailableBlock."""

import json

from ..constants import (MAX_BLOCKS_WITH_LIMIT, MAX_PRIORITIZATION_FEE_ADDRESSES, MAX_SIGNATURE_STATUSES, MAX_SIGNATURES_FOR_ADDRESS,
                         PRIORITIZATION_FEE_SLOTS, STATUS_CACHE_SLOTS)
from ..encoding import b58, b64
from ..errors import RpcError, invalid_params
from ..params import bool_field, commitment_of, config_param, int_field, param, parse_pubkey, parse_signature


class HistoryMethods:
    """getSignatureStatuses, getRecentPrioritizationFees, getTransaction and getSignaturesForAddress over a
    Chain's transaction history."""

    def __init__(self, chain, faults):
        self.chain = chain
        self.faults = faults

    def methods(self):
        return {
            "getSignatureStatuses": self.get_signature_statuses,
            "getRecentPrioritizationFees": self.get_recent_prioritization_fees,
            "getTransaction": self.get_transaction,
            "getSignaturesForAddress": self.get_signatures_for_address,
            "getFirstAvailableBlock": self.get_first_available_block,
            "getBlocksWithLimit": self.get_blocks_with_limit,
        }

    def first_available_block(self):
        return self.faults.values["first_available_block"]

    def get_first_available_block(self, params):
        # A node started from a snapshot has one root until it roots the next: Agave's blockstore then finds no
        # "second root" and answers 0 (unwrap_or_default), as if it kept every block since genesis.
        return 0 if self.faults.values["snapshot_start"] else self.first_available_block()

    def get_blocks_with_limit(self, params):
        """The first `limit` slots with a block from `start_slot` on, at the commitment asked (finalized unless
        said; confirmed at least), none below the ledger's start: every slot of this chain has a block."""
        start = param(params, 0, "start_slot", int)
        limit = param(params, 1, "limit", int)
        if start < 0 or limit < 0:
            raise invalid_params("Invalid params: start_slot and limit must be unsigned integers")
        if limit > MAX_BLOCKS_WITH_LIMIT:
            raise invalid_params(f"Limit too large; max {MAX_BLOCKS_WITH_LIMIT}")
        last = self.chain.committed_slot(self.at_least_confirmed(config_param(params, 2)))
        first = max(start, self.first_available_block())
        return list(range(first, min(last, first + limit - 1) + 1))

    def signature_hidden(self, signature):
        """Whether the hidden fault hides this signature (counted when it does)."""
        return self.faults.hides_signature(signature, self.chain.counters)

    def get_signature_statuses(self, params):
        texts = param(params, 0, "signatures", list)
        if len(texts) > MAX_SIGNATURE_STATUSES:
            raise invalid_params(f"Too many inputs provided; max {MAX_SIGNATURE_STATUSES}")
        signatures = [str(parse_signature(text)) for text in texts]
        search_history = bool_field(config_param(params, 1), "searchTransactionHistory")
        chain = self.chain
        values = []
        for signature in signatures:
            record = chain.records.get(signature)
            if record is None or (not search_history and record.slot < chain.slot - STATUS_CACHE_SLOTS) or (
                    record.slot < self.first_available_block()):
                values.append(None)
                continue
            if self.signature_hidden(signature) or self.faults.unknown_in_request(signature):
                values.append(None)
                continue
            status = chain.confirmation_status(record.slot)
            values.append({
                "slot": record.slot,
                "confirmations": None if status == "finalized" else chain.slot - record.slot,
                "err": record.err,
                "status": {"Ok": None} if record.err is None else {"Err": record.err},
                "confirmationStatus": status,
            })
        return {"context": chain.context(chain.slot), "value": values}

    def get_recent_prioritization_fees(self, params):
        texts = param(params, 0, "addresses", list, required=False) or []
        if len(texts) > MAX_PRIORITIZATION_FEE_ADDRESSES:
            raise invalid_params(f"Too many inputs provided; max {MAX_PRIORITIZATION_FEE_ADDRESSES}")
        addresses = [str(parse_pubkey(text)) for text in texts]
        chain = self.chain
        answer = []
        for slot in range(max(0, chain.slot - PRIORITIZATION_FEE_SLOTS), chain.slot):
            info = chain.slots.get(slot)
            if info is None:
                continue
            fees = info["fees"]
            fee = min((price for price, _ in fees), default=0)
            for address in addresses:
                account_fee = min((price for price, writable in fees if address in writable), default=0)
                fee = max(fee, account_fee)
            answer.append({"slot": slot, "prioritizationFee": fee})
        return answer

    @staticmethod
    def at_least_confirmed(config):
        commitment = commitment_of(config)
        if commitment == "processed":
            raise invalid_params("Method does not support commitment below `confirmed`")
        return commitment

    def get_transaction(self, params):
        signature = str(parse_signature(param(params, 0, "signature")))
        if len(params) > 1 and isinstance(params[1], str):  # the deprecated form: an encoding name
            config = {"encoding": params[1]}
        else:
            config = config_param(params, 1)
        encoding = config.get("encoding") or "json"
        if encoding not in ("json", "base64", "base58"):
            raise invalid_params(
                f"Invalid params: unsupported transaction encoding {json.dumps(encoding)}: this local chain "
                "serves json, base64 and base58 (jsonParsed is not supported)")
        max_version = int_field(config, "maxSupportedTransactionVersion")
        slot = self.chain.committed_slot(self.at_least_confirmed(config))
        record = self.chain.records.get(signature)
        if record is None or record.slot > slot or record.slot < self.first_available_block() or self.signature_hidden(signature):
            return None
        if record.version != "legacy" and (max_version is None or record.version > max_version):
            raise RpcError(-32015, f"Transaction version ({record.version}) is not supported by the requesting "
                                   "client. Please try the request again with the following configuration "
                                   f"parameter: \"maxSupportedTransactionVersion\": {record.version}")
        if encoding == "json":
            transaction = self.transaction_json(record)
        else:
            encoded = b64(record.raw) if encoding == "base64" else b58(record.raw)
            transaction = [encoded, encoding]
        meta = {
            "err": record.err,
            "status": {"Ok": None} if record.err is None else {"Err": record.err},
            "fee": record.fee,
            "preBalances": record.pre_balances,
            "postBalances": record.post_balances,
            "innerInstructions": record.inner_instructions,
            "logMessages": record.logs,
            "preTokenBalances": record.pre_token_balances,
            "postTokenBalances": record.post_token_balances,
            "rewards": [],
            "loadedAddresses": {"writable": record.loaded_writable, "readonly": record.loaded_readonly},
            "computeUnitsConsumed": record.compute_units,
        }
        if record.return_data is not None:
            meta["returnData"] = record.return_data
        answer = {"slot": record.slot, "transaction": transaction, "meta": meta, "blockTime": record.block_time}
        if max_version is not None:
            answer["version"] = record.version
        return answer

    @staticmethod
    def transaction_json(record):
        message = record.tx.message
        header = message.header
        answer = {
            "signatures": [str(signature) for signature in record.tx.signatures],
            "message": {
                "accountKeys": [str(key) for key in message.account_keys],
                "header": {
                    "numRequiredSignatures": header.num_required_signatures,
                    "numReadonlySignedAccounts": header.num_readonly_signed_accounts,
                    "numReadonlyUnsignedAccounts": header.num_readonly_unsigned_accounts,
                },
                "recentBlockhash": str(message.recent_blockhash),
                "instructions": [{
                    "programIdIndex": instruction.program_id_index,
                    "accounts": list(bytes(instruction.accounts)),
                    "data": b58(instruction.data),
                    "stackHeight": None,
                } for instruction in message.instructions],
            },
        }
        if record.version != "legacy":
            answer["message"]["addressTableLookups"] = [{
                "accountKey": str(lookup.account_key),
                "writableIndexes": list(bytes(lookup.writable_indexes)),
                "readonlyIndexes": list(bytes(lookup.readonly_indexes)),
            } for lookup in message.address_table_lookups]
        return answer

    def get_signatures_for_address(self, params):
        address = str(parse_pubkey(param(params, 0, "address")))
        # A provider's cache or load balancer that mixes up answers: another address's history for this one.
        address = self.faults.values["listed_for"].get(address, address)
        config = config_param(params, 1)
        limit = int_field(config, "limit", MAX_SIGNATURES_FOR_ADDRESS, minimum=1)
        if limit > MAX_SIGNATURES_FOR_ADDRESS:
            raise invalid_params(f"Invalid limit; max {MAX_SIGNATURES_FOR_ADDRESS}")
        before = config.get("before")
        until = config.get("until")
        before = str(parse_signature(before)) if before is not None else None
        until = str(parse_signature(until)) if until is not None else None
        chain = self.chain
        if before is not None and self.faults.ignores_before(chain.counters):
            before = None
        if before is not None and self.faults.forgets_before(before, chain.counters):
            return []  # as a node that does not know the anchor
        slot = chain.bank_slot(self.at_least_confirmed(config))
        visible = chain.committed_slot(self.at_least_confirmed(config))
        min_context_slot = int_field(config, "minContextSlot")
        if min_context_slot is not None and slot < min_context_slot:
            raise RpcError(-32016, "Minimum context slot has not been reached", {"contextSlot": slot})
        records = chain.by_address.get(address, [])
        start = len(records)
        if before is not None:
            anchor = chain.records.get(before)
            if anchor is None or anchor.slot < self.first_available_block():
                return []
            start = next((i for i in range(len(records) - 1, -1, -1) if records[i].seq < anchor.seq), -1) + 1
        # As Agave's blockstore: an `until` it does not keep (pruned, or unknown) ends the listing where its ledger does.
        first = self.first_available_block()
        known_until = until is not None and until in chain.records and chain.records[until].slot >= first
        until_seq = chain.records[until].seq if known_until else 0
        answer = []
        for record in reversed(records[:start]):
            if record.seq <= until_seq or len(answer) >= limit or record.slot < first:
                break
            if record.slot > visible or self.signature_hidden(record.signature):
                continue
            entry = {
                "signature": record.signature,
                "slot": record.slot,
                "err": record.err,
                "memo": record.memo,
                "blockTime": record.block_time,
                "confirmationStatus": chain.confirmation_status(record.slot),
            }
            answer.append(entry)
            if len(answer) < limit and self.faults.lists_twice(record.signature, chain.counters):
                answer.append(dict(entry))  # as in solana-labs/solana#24417; the copy counts towards the limit
        return answer
