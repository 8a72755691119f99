"""How a sent transaction reaches the chain: the preflight, the stall and late queues, forwarding to the leader,
and the faucet's airdrops."""

from solders.compute_budget import set_compute_unit_limit
from solders.hash import Hash
from solders.message import Message
from solders.system_program import TransferParams, transfer
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata

from ..error_text import error_json, error_text
from ..errors import RpcError
from ..params import bool_field, decode_transaction, int_field, transaction_encoding
from .records import return_data_json


class ChainSending:
    """The send path of Chain (a mixin on its state: runs with `Chain.lock` held)."""

    def preflight_failure(self, err, logs=None, units=0, return_data=None, fee=None):
        self.counters["transactions"]["preflight_failed"] += 1
        return RpcError(-32002, f"Transaction simulation failed: {error_text(err)}", {
            "err": err,
            "logs": logs or [],
            "accounts": None,
            "unitsConsumed": units,
            "returnData": return_data,
            "innerInstructions": None,
            "replacementBlockhash": None,
            "fee": fee,
        })

    def send(self, data, config, drop, late=lambda: None):
        """Runs a sendTransaction. `drop()` says whether the drop fault drops it, `late()` gives the slots the
        late fault holds it for (None: not held). Returns (signature, outcome), outcome one of "duplicate",
        "dropped", "held" (stall queue), "late" (late queue), "landed", "not_landed"."""
        encoding = transaction_encoding(config)
        raw, tx = decode_transaction(data, encoding)
        skip_preflight = bool_field(config, "skipPreflight")
        int_field(config, "maxRetries")
        preflight = {"commitment": "processed" if skip_preflight else config.get("preflightCommitment"),
                     "minContextSlot": config.get("minContextSlot")}
        bank_slot = self.bank(preflight)
        self.sanitize(tx)
        signature = str(tx.signatures[0])
        blockhash = str(tx.message.recent_blockhash)
        if not skip_preflight:
            if not all(tx.verify_with_results()):
                raise self.preflight_failure("SignatureFailure")
            existing = self.records.get(signature)
            if existing is not None and existing.slot <= bank_slot:
                raise self.preflight_failure("AlreadyProcessed")
            if existing is None and not self.blockhash_valid(blockhash, bank_slot) and not self.nonce_matches(tx):
                raise self.preflight_failure("BlockhashNotFound")
            if existing is None:
                simulated = self.svm.simulate_transaction(tx)
                if isinstance(simulated, FailedTransactionMetadata):
                    meta = simulated.meta()
                    raise self.preflight_failure(
                        error_json(simulated.err()), list(meta.logs()), meta.compute_units_consumed(),
                        return_data_json(meta), meta.fee())
        counters = self.counters["transactions"]
        if signature in self.records:  # a duplicate: the cluster ignores it
            counters["not_landed"] += 1
            return signature, "duplicate"
        if drop():
            counters["dropped"] += 1
            self.counters["faults"]["dropped"] += 1
            return signature, "dropped"
        if self.stalled:
            if signature not in self.held:
                counters["held"] += 1
                self.held[signature] = (tx, raw)
            return signature, "held"
        late_slots = late()
        if late_slots is not None:
            if signature not in self.late:  # a rebroadcast keeps the first one's slot
                counters["held_late"] += 1
                self.late[signature] = (tx, raw, self.slot + late_slots)
            return signature, "late"
        return signature, "landed" if self.forward(tx, raw) else "not_landed"

    def forward(self, tx, raw):
        """A transaction reaching the leader: lands in the current slot unless processed before or expired.
        Returns whether it landed."""
        counters = self.counters["transactions"]
        signature = str(tx.signatures[0])
        error_answered = signature in self.error_answered
        self.error_answered.discard(signature)
        if signature in self.records:
            counters["not_landed"] += 1
            return False
        blockhash = str(tx.message.recent_blockhash)
        if not self.blockhash_valid(blockhash, self.slot) and not self.nonce_matches(tx):
            counters["not_landed"] += 1  # expired by the time it reaches the leader
            return False
        if self.execute(tx, raw) is None:
            counters["not_landed"] += 1
            return False
        if error_answered:
            counters["landed_with_error_answer"] += 1
        return True

    def forward_late(self):
        """Forwards, in arrival order, the late transactions whose slot has come."""
        due = [signature for signature, (_, _, slot) in self.late.items() if slot <= self.slot]
        if not due:
            return
        self.sync_slot_hashes()
        for signature in due:
            tx, raw, _ = self.late.pop(signature)
            if self.forward(tx, raw):
                self.counters["transactions"]["landed_late"] += 1

    def set_stalled(self, stalled):
        """Starts or ends a stall; ending it forwards the late transactions that came due during the stall,
        then the queued ones, in arrival order."""
        self.stalled = stalled
        if not stalled:
            self.forward_late()
            held, self.held = self.held, {}
            for tx, raw in held.values():
                self.forward(tx, raw)

    def airdrop(self, recipient, lamports):
        blockhash = Hash.from_string(self.slots[self.slot]["blockhash"])
        instructions = [transfer(TransferParams(from_pubkey=self.faucet.pubkey(), to_pubkey=recipient, lamports=lamports))]
        for attempt in range(1000):
            message = Message.new_with_blockhash(instructions, self.faucet.pubkey(), blockhash)
            tx = VersionedTransaction(message, [self.faucet])
            if str(tx.signatures[0]) not in self.records:
                break
            instructions = [set_compute_unit_limit(1_400_000 - attempt)] + instructions[-1:]
        record = self.execute(tx, bytes(tx), airdrop=True)
        if record is None:
            raise RpcError(-32603, "airdrop failed: the faucet transaction was refused")
        if record.err is not None:
            raise RpcError(-32603, f"airdrop failed: {error_text(record.err)}")
        return record.signature
