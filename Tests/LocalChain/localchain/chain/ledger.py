"""The chain: LiteSVM plus what a real node keeps around it (slots, blockhashes, commitment banks, the
transaction history and the counters)."""

import hashlib
import threading
import time

from solders.clock import Clock
from solders.hash import Hash
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey
from solders.transaction_metadata import FailedTransactionMetadata

from ..account_data import mint_fields, token_account_fields, ui_token_amount
from ..constants import (ADDRESS_LOOKUP_TABLE_PROGRAM, FAUCET_LAMPORTS, MAX_PROCESSING_AGE, NODE_VERSION,
                         PRIORITIZATION_FEE_SLOTS, SLOT_HASHES_MAX, SLOTS_PER_EPOCH, SYSTEM_PROGRAM)
from ..error_text import TRANSACTION_ERROR_TEXT, error_json
from ..errors import RpcError, invalid_params
from ..params import commitment_of, int_field
from .records import TxRecord, compute_unit_price, inner_instructions_json, memo_of, return_data_json, writable_keys
from .sending import ChainSending
from .simulation import ChainSimulation


class Chain(ChainSending, ChainSimulation):
    """LiteSVM plus the node's bookkeeping. Every method must be called with `self.lock` held; sending and
    simulating are in ChainSending and ChainSimulation."""

    def __init__(self, confirm_depth, finalize_depth, seed, genesis_hash):
        self.lock = threading.RLock()
        self.svm = LiteSVM().with_lamports(2 * FAUCET_LAMPORTS).with_blockhash_check(False)
        self.confirm_depth = confirm_depth
        self.finalize_depth = finalize_depth
        self.genesis_hash = genesis_hash
        self.slot = 0
        self.height = 0
        self.slots = {}  # slot -> {"blockhash", "height", "time", "fees": [(price, writable set)]}
        self.blockhashes = {}  # blockhash -> (slot, height) where it was issued
        self.records = {}  # signature -> TxRecord
        self.record_slots = []  # slot of every record, in execution order (for counts)
        self.by_address = {}  # address -> [TxRecord] in execution order
        self.seq = 0
        self.stalled = False
        self.held = {}  # signature -> (tx, raw): sent while stalled, forwarded when the stall ends
        self.late = {}  # signature -> (tx, raw, slot): held by the late fault, forwarded when `slot` is reached
        self.carried_logs = {}  # signature -> log lines it reports when it executes (control API's carried_logs)
        self.error_answered = set()  # queued signatures whose send was answered with the send_error fault
        self.faucet = Keypair.from_seed(hashlib.sha256(f"flutterbye-local-chain-faucet-{seed}".encode()).digest())
        funded = self.svm.airdrop(self.faucet.pubkey(), FAUCET_LAMPORTS)
        if isinstance(funded, FailedTransactionMetadata):
            raise RuntimeError(f"cannot fund the faucet: {funded.err()}")
        self.counters = self.new_counters()
        self.sync_clock()
        self.open_slot()

    @staticmethod
    def new_counters():
        return {
            "requests": {},
            "faults": {"http_429": 0, "http_503": 0, "dropped": 0, "send_error": 0, "method_error": 0,
                       "hidden": 0, "before_unknown": 0, "before_ignored": 0, "listed_twice": 0},
            "transactions": {"executed": 0, "succeeded": 0, "failed": 0, "dropped": 0, "not_landed": 0,
                             "preflight_failed": 0, "airdrops": 0, "held": 0, "held_late": 0, "landed_late": 0,
                             "landed_with_error_answer": 0},
            "pubsub": {"connections": 0, "refused": 0, "dropped": 0, "notifications": 0, "requests": {}},
        }

    # Slots -------------------------------------------------------------------------------------------------
    def sync_clock(self):
        try:
            clock = self.svm.get_clock()
            epoch = self.slot // SLOTS_PER_EPOCH
            self.svm.set_clock(Clock(self.slot, clock.epoch_start_timestamp, epoch, epoch + 1, int(time.time())))
        except Exception:
            try:
                self.svm.warp_to_slot(self.slot)
            except Exception:
                pass

    def open_slot(self):
        blockhash = str(self.svm.latest_blockhash())
        self.slots[self.slot] = {"blockhash": blockhash, "height": self.height, "time": int(time.time()), "fees": []}
        self.blockhashes.setdefault(blockhash, (self.slot, self.height))
        # Forget what no request can reach any more.
        horizon = self.slot - max(1000, self.finalize_depth + PRIORITIZATION_FEE_SLOTS + 10)
        if horizon >= 0 and horizon in self.slots and horizon > 0:
            old = self.slots.pop(horizon)
            if self.blockhashes.get(old["blockhash"], (None,))[0] == horizon:
                del self.blockhashes[old["blockhash"]]

    def advance(self, count=1):
        for _ in range(count):
            self.slot += 1
            self.height += 1
            self.svm.expire_blockhash()
            self.sync_clock()
            self.open_slot()
            if self.late and not self.stalled:
                self.forward_late()
        self.sync_slot_hashes()

    def sync_slot_hashes(self):
        """The SlotHashes sysvar lists the recent slots (newest first), as address lookup tables need."""
        try:
            recent = range(self.slot - 1, max(-1, self.slot - 1 - SLOT_HASHES_MAX), -1)
            self.svm.set_slot_hashes([(slot, Hash.from_string(self.slots[slot]["blockhash"])) for slot in recent if slot in self.slots])
        except Exception:
            pass

    def committed_slot(self, commitment):
        """The newest slot whose transactions `commitment` shows: negative while the chain is not that deep yet
        (nothing is confirmed or finalized before then, as `confirmation_status` has it)."""
        if commitment == "processed":
            return self.slot
        depth = self.confirm_depth if commitment == "confirmed" else self.finalize_depth
        return self.slot - depth

    def bank_slot(self, commitment):
        """The slot of the bank `commitment` reads: `committed_slot`, at least the genesis slot."""
        return max(0, self.committed_slot(commitment))

    def bank(self, config, default="finalized"):
        """The slot of the bank a request's commitment selects; checks minContextSlot."""
        slot = self.bank_slot(commitment_of(config, default))
        min_context_slot = int_field(config, "minContextSlot")
        if min_context_slot is not None and slot < min_context_slot:
            raise RpcError(-32016, "Minimum context slot has not been reached", {"contextSlot": slot})
        return slot

    def height_at(self, slot):
        return self.slots[slot]["height"] if slot in self.slots else slot

    def context(self, slot):
        return {"slot": slot, "apiVersion": NODE_VERSION}

    def confirmation_status(self, tx_slot):
        age = self.slot - tx_slot
        if age >= self.finalize_depth:
            return "finalized"
        if age >= self.confirm_depth:
            return "confirmed"
        return "processed"

    def blockhash_valid(self, blockhash, bank_slot):
        """Whether the bank at `bank_slot` knows `blockhash` and it is young enough there."""
        issued = self.blockhashes.get(blockhash)
        if issued is None or issued[0] > bank_slot:
            return False
        return self.height_at(bank_slot) <= issued[1] + MAX_PROCESSING_AGE

    def nonce_matches(self, tx):
        """A durable-nonce transaction whose nonce account holds its blockhash."""
        try:
            if not tx.uses_durable_nonce():
                return False
            message = tx.message
            instruction = message.instructions[0]
            nonce_key = message.account_keys[instruction.accounts[0]]
            account = self.svm.get_account(nonce_key)
            if account is None or str(account.owner) != SYSTEM_PROGRAM or len(bytes(account.data)) < 72:
                return False
            return bytes(account.data)[40:72] == bytes(message.recent_blockhash)
        except Exception:
            return False

    # Transactions -------------------------------------------------------------------------------------------
    def loaded_addresses(self, tx):
        """(writable, readonly) addresses a v0 message loads from lookup tables; -32602 when it cannot."""
        message = tx.message
        lookups = getattr(message, "address_table_lookups", None) or []
        writable, readonly = [], []
        for lookup in lookups:
            table = self.svm.get_account(lookup.account_key)
            if table is None:
                raise invalid_params("invalid transaction: " + TRANSACTION_ERROR_TEXT["AddressLookupTableNotFound"])
            if str(table.owner) != ADDRESS_LOOKUP_TABLE_PROGRAM:
                raise invalid_params("invalid transaction: " + TRANSACTION_ERROR_TEXT["InvalidAddressLookupTableOwner"])
            data = bytes(table.data)
            addresses = [data[i:i + 32] for i in range(56, len(data) - 31, 32)]
            for indexes, into in ((lookup.writable_indexes, writable), (lookup.readonly_indexes, readonly)):
                for index in bytes(indexes):
                    if index >= len(addresses):
                        raise invalid_params("invalid transaction: " + TRANSACTION_ERROR_TEXT["InvalidAddressLookupTableIndex"])
                    into.append(Pubkey.from_bytes(addresses[index]))
        return writable, readonly

    def sanitize(self, tx):
        try:
            tx.sanitize()
        except Exception:
            raise invalid_params("invalid transaction: " + TRANSACTION_ERROR_TEXT["SanitizeFailure"])
        if len(tx.signatures) != tx.message.header.num_required_signatures:
            raise invalid_params("invalid transaction: " + TRANSACTION_ERROR_TEXT["SanitizeFailure"])
        return self.loaded_addresses(tx)

    def snapshot(self, keys):
        """Lamports of every key, and the token balances (RPC shape) of the token accounts among them."""
        lamports, tokens = [], []
        for index, key in enumerate(keys):
            account = self.svm.get_account(key)
            lamports.append(account.lamports if account is not None else 0)
            if account is None:
                continue
            owner = str(account.owner)
            fields = token_account_fields(owner, account.data)
            if fields is None:
                continue
            mint, token_owner, amount = fields
            mint_account = self.svm.get_account(Pubkey.from_string(mint))
            mint_info = mint_fields(str(mint_account.owner), mint_account.data) if mint_account is not None else None
            if mint_info is None:
                continue
            tokens.append({
                "accountIndex": index,
                "mint": mint,
                "uiTokenAmount": ui_token_amount(amount, mint_info[1]),
                "owner": token_owner,
                "programId": owner,
            })
        return lamports, tokens

    def execute(self, tx, raw, airdrop=False):
        """Runs a sanitized, unexpired transaction in the current slot. Returns the record when it landed
        (succeeded, or failed with its fee charged), None when the runtime refused it outright."""
        loaded_writable, loaded_readonly = self.loaded_addresses(tx)
        keys = list(tx.message.account_keys) + loaded_writable + loaded_readonly
        pre_balances, pre_tokens = self.snapshot(keys)
        result = self.svm.send_transaction(tx)
        signature = tx.signatures[0]
        if isinstance(result, FailedTransactionMetadata):
            if self.svm.get_transaction(signature) is None:  # not included: no fee, nothing recorded
                return None
            meta, err = result.meta(), error_json(result.err())
        else:
            meta, err = result, None
        post_balances, post_tokens = self.snapshot(keys)

        record = TxRecord()
        record.signature = str(signature)
        record.slot = self.slot
        self.seq += 1
        record.seq = self.seq
        record.block_time = self.slots[self.slot]["time"]
        record.raw = raw
        record.tx = tx
        record.version = "legacy" if not isinstance(tx.version(), int) else tx.version()
        record.keys = [str(key) for key in keys]
        record.loaded_writable = [str(key) for key in loaded_writable]
        record.loaded_readonly = [str(key) for key in loaded_readonly]
        record.writable = writable_keys(tx, loaded_writable)
        record.err = err
        # The program's own lines, unless the test told the chain what this transaction logs (a program the chain
        # does not have, such as an Anchor program emitting events).
        carried = self.carried_logs.pop(record.signature, None)
        record.logs = carried if carried is not None else list(meta.logs())
        record.fee = meta.fee()
        record.pre_balances, record.post_balances = pre_balances, post_balances
        record.pre_token_balances, record.post_token_balances = pre_tokens, post_tokens
        record.inner_instructions = inner_instructions_json(meta)
        record.compute_units = meta.compute_units_consumed()
        record.return_data = return_data_json(meta)
        record.memo = memo_of(tx)
        record.cu_price = compute_unit_price(tx)

        self.records[record.signature] = record
        self.record_slots.append(record.slot)
        for address in dict.fromkeys(record.keys):
            self.by_address.setdefault(address, []).append(record)
        self.slots[self.slot]["fees"].append((record.cu_price, record.writable))
        counters = self.counters["transactions"]
        counters["executed"] += 1
        counters["succeeded" if err is None else "failed"] += 1
        if airdrop:
            counters["airdrops"] += 1
        return record
