"""Compiling, signing and sending the planned transactions (legacy or version 0), recording each that landed
in the ledger."""

import base64
import time

from solders.hash import Hash
from solders.message import Message, MessageV0
from solders.transaction import VersionedTransaction

from .errors import GeneratorError
from .ledger import LAMPORTS_PER_SIGNATURE
from .rpc import RpcFailure

BLOCKHASH_MAX_SENDS = 40     # refresh the blockhash after this many sends ...
BLOCKHASH_MAX_AGE = 2.0      # ... or this many seconds
CONFIRM_TIMEOUT = 120.0


class Plan:
    """One transaction to send: the fee payer, the instructions, the other signers, whether it is built to
    fail, and whether it may load accounts from the lookup table."""

    def __init__(self, kind, payer, ixs, signers=(), expect_fail=False, lookup=False):
        self.kind = kind
        self.payer = payer
        self.ixs = list(ixs)
        self.signers = [payer] + [s for s in signers if s.pubkey() != payer.pubkey()]
        self.expect_fail = expect_fail
        self.lookup = lookup   # may be sent as version 0 with the lookup table
        self.use_lookup = False


class Sender:
    """Sends plans and airdrops to the chain and records every one that landed in the ledger."""

    def __init__(self, rpc, ledger, pace_ms):
        self.rpc = rpc
        self.ledger = ledger
        self.pace_ms = pace_ms
        self.blockhash = None
        self.blockhash_sends = 0
        self.blockhash_time = 0.0
        self.last_send = None
        self.signatures = set()
        self.lookup_table = None       # AddressLookupTableAccount once active
        self.kind_counts = {}

    def refresh_blockhash(self):
        self.blockhash = self.rpc.call("getLatestBlockhash")["value"]["blockhash"]
        self.blockhash_sends = 0
        self.blockhash_time = time.monotonic()

    def current_blockhash(self):
        if (self.blockhash is None or self.blockhash_sends >= BLOCKHASH_MAX_SENDS
                or time.monotonic() - self.blockhash_time > BLOCKHASH_MAX_AGE):
            self.refresh_blockhash()
        self.blockhash_sends += 1
        return Hash.from_string(self.blockhash)

    def pace(self):
        if self.pace_ms > 0 and self.last_send is not None:
            delay = self.pace_ms / 1000 - (time.monotonic() - self.last_send)
            if delay > 0:
                time.sleep(delay)
        self.last_send = time.monotonic()

    def compile(self, plan, blockhash):
        """The signed transaction, its account keys (static, then loaded writable, then loaded readonly)
        and its version."""
        instructions = [ix.instruction for ix in plan.ixs]
        payer = plan.payer.pubkey()
        if plan.use_lookup:
            message = MessageV0.try_compile(payer, instructions, [self.lookup_table], blockhash)
            keys = [str(key) for key in message.account_keys]
            addresses = [str(key) for key in self.lookup_table.addresses]
            loaded_writable, loaded_readonly = [], []
            for lookup in message.address_table_lookups:
                if lookup.account_key != self.lookup_table.key:
                    raise GeneratorError("unexpected lookup table in a compiled message")
                loaded_writable += [addresses[i] for i in bytes(lookup.writable_indexes)]
                loaded_readonly += [addresses[i] for i in bytes(lookup.readonly_indexes)]
            keys += loaded_writable + loaded_readonly
            version = 0
        else:
            message = Message.new_with_blockhash(instructions, payer, blockhash)
            keys = [str(key) for key in message.account_keys]
            version = "legacy"
        tx = VersionedTransaction(message, plan.signers)
        return tx, keys, version

    def submit(self, plan):
        """Sends a plan (retrying an expired blockhash), records it in the ledger; None when the signature
        would repeat one sent before (the caller then draws another plan)."""
        for attempt in range(10):
            if plan.expect_fail or attempt > 0:
                self.refresh_blockhash()  # a skipPreflight send is not checked: give it a fresh blockhash
            tx, keys, version = self.compile(plan, self.current_blockhash())
            signature = str(tx.signatures[0])
            if signature in self.signatures:
                return None
            self.pace()
            config = {"encoding": "base64", "skipPreflight": plan.expect_fail}
            try:
                answer = self.rpc.call("sendTransaction", base64.b64encode(bytes(tx)).decode(), config)
            except RpcFailure as error:
                if "Blockhash not found" in error.message:
                    continue
                if "already been processed" in error.message:
                    answer = signature   # a retried request: this very transaction landed (it is new to us)
                else:
                    logs = (error.data or {}).get("logs") if isinstance(error.data, dict) else None
                    raise GeneratorError(f"{plan.kind}: sendTransaction refused: {error.message}"
                                         + (f"\n  logs: {logs}" if logs else ""))
            if answer != signature:
                raise GeneratorError(f"sendTransaction answered {answer}, expected {signature}")
            if plan.expect_fail:
                status = self.rpc.call("getSignatureStatuses", [signature])["value"][0]
                if status is None:
                    continue   # did not land (e.g. expired on the way): try again with a new blockhash
                if status["err"] is None:
                    raise GeneratorError(f"{plan.kind}: {signature} was built to fail but succeeded")
            self.signatures.add(signature)
            fee = LAMPORTS_PER_SIGNATURE * tx.message.header.num_required_signatures
            record = self.ledger.record_transaction(signature, plan, keys, version, fee)
            self.kind_counts[plan.kind] = self.kind_counts.get(plan.kind, 0) + 1
            return record
        raise GeneratorError(f"{plan.kind}: could not send after 10 attempts")

    def run(self, build, decorate=None):
        """Draws a plan with `build` until its signature is new, decorates it (memos, version 0) when given
        `decorate` and sends it. False when the builder has nothing to do in the current state."""
        for _ in range(20):
            plan = build()
            if plan is None:
                return False
            if decorate is not None:
                decorate(plan)
            if self.submit(plan) is not None:
                return True
        raise GeneratorError("could not produce a transaction with a new signature")

    def send_setup(self, kind, payer, ixs, signers=()):
        if self.submit(Plan(kind, payer, ixs, signers)) is None:
            raise GeneratorError(f"{kind}: the signature repeats an earlier one")

    def airdrop(self, keypair, lamports):
        pubkey = str(keypair.pubkey())
        self.pace()
        signature = self.rpc.call("requestAirdrop", pubkey, lamports)
        if signature in self.signatures:
            raise GeneratorError(f"airdrop signature {signature} repeats an earlier one")
        self.signatures.add(signature)
        self.ledger.record_airdrop(signature, pubkey, lamports)
        self.kind_counts["airdrop"] = self.kind_counts.get("airdrop", 0) + 1

    def wait_past_slot_of(self, signature):
        """Waits until the transaction has landed and the chain has moved past its slot."""
        deadline = time.monotonic() + CONFIRM_TIMEOUT
        while True:
            status = self.rpc.call("getSignatureStatuses", [signature])["value"][0]
            if status is not None and self.rpc.call("getSlot", {"commitment": "processed"}) > status["slot"]:
                return
            if time.monotonic() > deadline:
                raise GeneratorError(f"{signature} did not land")
            time.sleep(0.01)
