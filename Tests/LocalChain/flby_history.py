#!/usr/bin/env python3
"""Generates an on-chain history around one SPL token, FLBY, and writes what an indexer must find in it.

Meant for the local chain (local_chain.py) or any node with requestAirdrop. Every expectation is computed
from what this script sent (its own ledger) and then checked against the chain: the fee and err of every
transaction, the watched wallets' lamports and every token balance in each transaction's meta, the final
token balances, the supply and the wallets' lamports. Any mismatch is a generator bug: stderr, exit 1.

Usage
-----
    flby_history.py --rpc URL --setup-out PATH --out PATH [--count N] [--seed S]
                    [--mix default|fee-payments|churn|reopen] [--pace-ms MS]

--setup-out is written (PATH.tmp, then os.replace) as soon as the keypairs exist, before any transaction:
    {"mint", "escrow", "fee", "decimals": 6, "token_program"}
so an indexer running alongside knows what to watch. Then come the setup transactions (airdrops, the FLBY
and NOISE mints, associated and non-associated token accounts, initial mints, an address lookup table),
then --count N transactions (default 320):
    default       MintTo/MintToChecked, Burn/BurnChecked, Transfer/TransferChecked between holders'
                  accounts (non-ATA ones too), token and SOL deposits to and releases from the escrow
                  wallet, SOL and FLBY payments to the fee wallet, ~5% failed transactions (sent with
                  skipPreflight, fee charged), RecoverNested (an inner TransferChecked), one CloseAccount,
                  ~15% unrelated NOISE-mint/SOL/memo traffic, NOISE deposits into the escrow's NOISE ATA;
                  ~30% carry one or two memos, ~15% are version 0 loading accounts from the lookup table.
    fee-payments  only small payments to the fee wallet from four holders, sent back to back without
                  waiting: SOL transfers alternating with FLBY TransferChecked/Transfer into its ATA, each
                  after a CreateIdempotent of that ATA, so every payment has the fee wallet among its
                  account keys (--count 1050 gives its address more than 1000 signatures).
    churn         N token accounts opened and closed again: each is created (a non-associated account of
                  a holder, InitializeAccount3, so the mint's history names it) and funded from the holder's
                  ATA by TransferChecked in one transaction, then emptied back by a plain Transfer and closed
                  in a second one.
    reopen        N holders' ATAs (N <= 7, holders 1..N) each emptied into holder 0's ATA, closed, created
                  again at the same address (CreateIdempotent) and funded with a third of what they held
                  (plus one), four transactions each in four different slots.
--seed seeds random.Random and every keypair (Keypair.from_seed), so a run is reproducible up to the
blockhashes. --pace-ms sleeps between sends. No compute-budget instructions: a fee is 5000 per signature.
Use a fresh chain (or a new seed): the keypairs of a seed are always the same.

Output (--out, written atomically at the end; amounts that can exceed 2^53 are decimal strings)
------
    {"mint", "escrow", "fee", "decimals",
     "transactions": [{signature, slot, fee, failed, memo, relevant, version: "legacy" | 0, kind}],  every
                     landed transaction, airdrops and setup included, in execution order; kind names what
                     it was made as (airdrop, setup_mint, transfer, reopen_close, ...)
     "movements": [{signature, instruction_index, inner_index, kind: mint|burn|transfer, source_account,
                    source_owner, destination_account, destination_owner, amount}],
     "balances": [{token_account, owner, amount}],   every FLBY token account ever created (closed: "0")
     "supply": {minted, burned, supply},
     "wallet_activity": [{wallet: escrow|fee, signature, lamports_delta, flby_delta, fee, failed, memo}],
     "wallet_lamports": {escrow, fee}}

Rules
-----
* memo: the texts of the transaction's top-level Memo instructions, in order, joined by "; "; else null.
* movements: one per FLBY MintTo(Checked) (no source), Burn(Checked) (no destination) and
  Transfer(Checked); instruction_index is the top-level instruction, inner_index null or the position of
  the invoked instruction in that instruction's inner list (RecoverNested). Owners are the token accounts'
  owners (for a nested account, the holder's ATA). Failed transactions have none.
* relevant: the account keys (static and loaded from lookup tables) contain the FLBY mint, an FLBY token
  account, the escrow or fee wallet, or a token account (any mint) owned by one of them. Failed too.
* wallet_activity: one row per (wallet, relevant transaction) whose keys hold the wallet or a token account
  it owns; lamports_delta = the wallet's post - pre lamports (0 when the wallet is not among the keys),
  flby_delta = the change of its FLBY token accounts ("0" when failed).
* supply: minted = sum of mint movements, burned = sum of burn movements, supply = minted - burned.
"""

import argparse
import base64
import json
import os
import random
import struct
import sys
import time
import urllib.error
import urllib.request

from solders.address_lookup_table_account import AddressLookupTableAccount
from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import Message, MessageV0
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, TransferParams, create_account, transfer
from solders.transaction import VersionedTransaction

TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
ATA_PROGRAM = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
MEMO_PROGRAM = Pubkey.from_string("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")
LOOKUP_TABLE_PROGRAM = Pubkey.from_string("AddressLookupTab1e1111111111111111111111111")
SYSTEM_PROGRAM = Pubkey.from_string("11111111111111111111111111111111")

DECIMALS = 6
NOISE_DECIMALS = 4
SOL = 1_000_000_000
LAMPORTS_PER_SIGNATURE = 5000
MINT_SIZE = 82
TOKEN_ACCOUNT_SIZE = 165
HOLDERS = 8
NON_ATA_HOLDERS = 3          # holders 0..2 also get a non-associated FLBY account
NOISE_WALLETS = 3
BLOCKHASH_MAX_SENDS = 40     # refresh the blockhash after this many sends ...
BLOCKHASH_MAX_AGE = 2.0      # ... or this many seconds
CONFIRM_TIMEOUT = 120.0

# Default mix: relative weights of the kinds drawn for each of the N transactions. Rare kinds
# (RecoverNested pairs, the CloseAccount, NOISE deposits to the escrow) are placed on top of the draw.
WEIGHTS = {
    "mint": 9, "burn": 6, "transfer": 22,
    "escrow_token_deposit": 8, "escrow_token_release": 6, "escrow_sol_deposit": 5, "escrow_sol_release": 5,
    "fee_sol": 5, "fee_token": 5, "noise": 15, "failed": 5,
}
LOOKUP_PROBABILITY = 0.2     # of the transactions that can use the lookup table (~15% of all)
MEMO_PROBABILITY = 0.3
SECOND_MEMO_PROBABILITY = 0.25
NESTED_RECOVERIES = 3
NOISE_ESCROW_DEPOSITS = 2


class GeneratorError(Exception):
    """The chain disagrees with the ledger, or the generator cannot go on."""


# --- JSON-RPC -------------------------------------------------------------------------------------------------
class RpcFailure(Exception):
    def __init__(self, method, error):
        super().__init__(f"{method}: {error.get('code')} {error.get('message')}")
        self.code = error.get("code")
        self.message = str(error.get("message"))
        self.data = error.get("data")


class Rpc:
    """A small JSON-RPC client over urllib; retries HTTP 429/5xx and connection errors."""

    def __init__(self, url, attempts=20):
        self.url = url
        self.attempts = attempts
        self.next_id = 0

    def post(self, body):
        data = json.dumps(body).encode()
        for attempt in range(self.attempts):
            request = urllib.request.Request(self.url, data=data, headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as error:
                if error.code not in (429, 500, 502, 503, 504) or attempt == self.attempts - 1:
                    raise GeneratorError(f"HTTP {error.code} from {self.url}")
                # Retry-After is honoured up to 0.25 s: the local chain's fault injector asks for 1 s.
                delay = float(error.headers.get("Retry-After") or 0.1) if error.code == 429 else 0.1
                time.sleep(min(delay, 0.25))
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                if attempt == self.attempts - 1:
                    raise GeneratorError(f"cannot reach {self.url}: {error}")
                time.sleep(0.2)
        raise AssertionError("unreachable")

    def call(self, method, *params):
        self.next_id += 1
        answer = self.post({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": list(params)})
        if "error" in answer:
            raise RpcFailure(method, answer["error"])
        return answer["result"]

    def batch(self, method, param_lists, size=100):
        """Results of many calls of one method, in order (JSON-RPC batches of `size`)."""
        results = []
        for start in range(0, len(param_lists), size):
            chunk = param_lists[start:start + size]
            body = [{"jsonrpc": "2.0", "id": i, "method": method, "params": list(params)}
                    for i, params in enumerate(chunk)]
            answers = {answer["id"]: answer for answer in self.post(body)}
            for i in range(len(chunk)):
                if "error" in answers[i]:
                    raise RpcFailure(method, answers[i]["error"])
                results.append(answers[i]["result"])
        return results


B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58decode(text):
    number = 0
    for char in text:
        number = number * 58 + B58_ALPHABET.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


# --- Instructions ---------------------------------------------------------------------------------------------
class Ix:
    """An instruction and what it does to the ledger: a list of effect tuples
        ("sol", from, to, lamports)          ("create_token", account, mint, owner, idempotent)
        ("mint", account, amount)            ("burn", account, amount)
        ("transfer", source, destination, amount)
        ("close", account)                   ("recover", nested, destination)   ("memo", text)"""

    __slots__ = ("instruction", "effects")

    def __init__(self, instruction, *effects):
        self.instruction = instruction
        self.effects = effects


def meta(pubkey, signer=False, writable=False):
    return AccountMeta(pubkey, is_signer=signer, is_writable=writable)


def ata_address(wallet, mint):
    return Pubkey.find_program_address([bytes(wallet), bytes(TOKEN_PROGRAM), bytes(mint)], ATA_PROGRAM)[0]


def ix_sol_transfer(source, destination, lamports):
    instruction = transfer(TransferParams(from_pubkey=source, to_pubkey=destination, lamports=lamports))
    return Ix(instruction, ("sol", str(source), str(destination), lamports))


def ix_create_account(payer, account, lamports, space, owner):
    instruction = create_account(CreateAccountParams(from_pubkey=payer, to_pubkey=account, lamports=lamports,
                                                     space=space, owner=owner))
    return Ix(instruction, ("sol", str(payer), str(account), lamports))


def ix_initialize_mint2(mint, decimals, authority):
    data = bytes([20, decimals]) + bytes(authority) + bytes([0])  # no freeze authority
    return Ix(Instruction(TOKEN_PROGRAM, data, [meta(mint, writable=True)]))


def ix_initialize_account3(account, mint, owner):
    instruction = Instruction(TOKEN_PROGRAM, bytes([18]) + bytes(owner),
                              [meta(account, writable=True), meta(mint)])
    return Ix(instruction, ("create_token", str(account), str(mint), str(owner), False))


def ix_create_ata(payer, wallet, mint):
    ata = ata_address(wallet, mint)
    instruction = Instruction(ATA_PROGRAM, bytes([1]), [  # CreateIdempotent
        meta(payer, signer=True, writable=True), meta(ata, writable=True), meta(wallet), meta(mint),
        meta(SYSTEM_PROGRAM), meta(TOKEN_PROGRAM)])
    return Ix(instruction, ("create_token", str(ata), str(mint), str(wallet), True))


def ix_mint_to(mint, account, authority, amount, decimals=None):
    """MintTo, or MintToChecked when decimals is given."""
    data = struct.pack("<BQ", 7, amount) if decimals is None else struct.pack("<BQB", 14, amount, decimals)
    instruction = Instruction(TOKEN_PROGRAM, data, [
        meta(mint, writable=True), meta(account, writable=True), meta(authority, signer=True)])
    return Ix(instruction, ("mint", str(account), amount))


def ix_burn(account, mint, owner, amount, decimals=None):
    """Burn, or BurnChecked when decimals is given."""
    data = struct.pack("<BQ", 8, amount) if decimals is None else struct.pack("<BQB", 15, amount, decimals)
    instruction = Instruction(TOKEN_PROGRAM, data, [
        meta(account, writable=True), meta(mint, writable=True), meta(owner, signer=True)])
    return Ix(instruction, ("burn", str(account), amount))


def ix_token_transfer(source, destination, owner, amount, mint=None, decimals=None):
    """Transfer, or TransferChecked when the mint is given."""
    if mint is None:
        instruction = Instruction(TOKEN_PROGRAM, struct.pack("<BQ", 3, amount), [
            meta(source, writable=True), meta(destination, writable=True), meta(owner, signer=True)])
    else:
        instruction = Instruction(TOKEN_PROGRAM, struct.pack("<BQB", 12, amount, decimals), [
            meta(source, writable=True), meta(mint), meta(destination, writable=True), meta(owner, signer=True)])
    return Ix(instruction, ("transfer", str(source), str(destination), amount))


def ix_close_account(account, destination, owner):
    instruction = Instruction(TOKEN_PROGRAM, bytes([9]), [
        meta(account, writable=True), meta(destination, writable=True), meta(owner, signer=True)])
    return Ix(instruction, ("close", str(account)))


def ix_recover_nested(wallet, mint):
    """RecoverNested for the ATA of (the wallet's ATA of `mint`, `mint`): tokens go to the wallet's ATA."""
    owner_ata = ata_address(wallet, mint)
    nested = ata_address(owner_ata, mint)
    instruction = Instruction(ATA_PROGRAM, bytes([2]), [
        meta(nested, writable=True), meta(mint), meta(owner_ata, writable=True), meta(owner_ata), meta(mint),
        meta(wallet, signer=True, writable=True), meta(TOKEN_PROGRAM)])
    return Ix(instruction, ("recover", str(nested), str(owner_ata)))


def ix_memo(text, signers=()):
    instruction = Instruction(MEMO_PROGRAM, text.encode(), [meta(key, signer=True) for key in signers])
    return Ix(instruction, ("memo", text))


def ix_create_lookup_table(authority, payer, recent_slot):
    table, bump = Pubkey.find_program_address([bytes(authority), struct.pack("<Q", recent_slot)],
                                              LOOKUP_TABLE_PROGRAM)
    data = struct.pack("<IQB", 0, recent_slot, bump)
    instruction = Instruction(LOOKUP_TABLE_PROGRAM, data, [
        meta(table, writable=True), meta(authority, signer=True), meta(payer, signer=True, writable=True),
        meta(SYSTEM_PROGRAM)])
    return Ix(instruction), table


def ix_extend_lookup_table(table, authority, payer, addresses):
    data = struct.pack("<IQ", 2, len(addresses)) + b"".join(bytes(address) for address in addresses)
    return Ix(Instruction(LOOKUP_TABLE_PROGRAM, data, [
        meta(table, writable=True), meta(authority, signer=True), meta(payer, signer=True, writable=True),
        meta(SYSTEM_PROGRAM)]))


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


# --- Ledger ---------------------------------------------------------------------------------------------------
class TokenAccount:
    __slots__ = ("mint", "owner", "amount", "open")

    def __init__(self, mint, owner):
        self.mint, self.owner, self.amount, self.open = mint, owner, 0, True


class Record:
    """A landed transaction as the ledger sees it."""

    def __init__(self, signature, kind, keys, version, fee, failed, memo):
        self.signature, self.kind, self.keys, self.version = signature, kind, keys, version
        self.fee, self.failed, self.memo = fee, failed, memo
        self.slot = None
        self.movements = []
        self.pending_inner = []      # (movement, instruction index, source account) for RecoverNested
        self.lamports_pre, self.lamports_post = {}, {}   # watched wallet -> lamports
        self.tokens_pre, self.tokens_post = {}, {}       # token account among the keys -> (mint, owner, amount)
        self.flby_delta = {}                             # watched wallet -> FLBY change


class Ledger:
    """Token accounts (every mint this script created), FLBY supply and the watched wallets' lamports."""

    def __init__(self, flby_mint, watched_lamports):
        self.flby = flby_mint
        self.accounts = {}                       # address -> TokenAccount
        self.lamports = dict(watched_lamports)   # watched wallet -> lamports
        self.minted = 0
        self.burned = 0
        self.records = []

    def amount(self, account):
        entry = self.accounts.get(account)
        return entry.amount if entry is not None and entry.open else 0

    def open_accounts(self, owner, mint):
        return [address for address, entry in self.accounts.items()
                if entry.open and entry.owner == owner and entry.mint == mint]

    def flby_of(self, wallet):
        return sum(entry.amount for entry in self.accounts.values()
                   if entry.open and entry.owner == wallet and entry.mint == self.flby)

    def token_snapshot(self, keys):
        return {key: (self.accounts[key].mint, self.accounts[key].owner, self.accounts[key].amount)
                for key in keys if key in self.accounts and self.accounts[key].open}

    def open_entry(self, account, mint=None):
        entry = self.accounts.get(account)
        if entry is None or not entry.open or (mint is not None and entry.mint != mint):
            raise GeneratorError(f"ledger: {account} is not an open token account")
        return entry

    def debit(self, account, amount):
        entry = self.open_entry(account)
        if amount > entry.amount:
            raise GeneratorError(f"ledger: {account} holds {entry.amount}, cannot take {amount}")
        entry.amount -= amount
        return entry

    def record_airdrop(self, signature, recipient, lamports):
        record = Record(signature, "airdrop", None, "legacy", LAMPORTS_PER_SIGNATURE, False, None)
        record.lamports_pre = dict(self.lamports)
        if recipient in self.lamports:
            self.lamports[recipient] += lamports
        record.lamports_post = dict(self.lamports)
        record.flby_delta = {wallet: 0 for wallet in self.lamports}
        self.records.append(record)
        return record

    def record_transaction(self, signature, plan, keys, version, fee):
        memos = [effect[1] for ix in plan.ixs for effect in ix.effects if effect[0] == "memo"]
        record = Record(signature, plan.kind, keys, version, fee, plan.expect_fail, "; ".join(memos) or None)
        record.lamports_pre = dict(self.lamports)
        record.tokens_pre = self.token_snapshot(keys)
        flby_pre = {wallet: self.flby_of(wallet) for wallet in self.lamports}
        payer = str(plan.payer.pubkey())
        if payer in self.lamports:
            self.lamports[payer] -= fee
        if not plan.expect_fail:
            for index, ix in enumerate(plan.ixs):
                for effect in ix.effects:
                    self.apply(record, index, effect)
        record.lamports_post = dict(self.lamports)
        record.tokens_post = self.token_snapshot(keys)
        record.flby_delta = {wallet: self.flby_of(wallet) - flby_pre[wallet] for wallet in self.lamports}
        self.records.append(record)
        return record

    def movement(self, record, index, kind, source, destination, amount):
        owner = lambda account: self.accounts[account].owner if account is not None else None
        entry = {"signature": record.signature, "instruction_index": index, "inner_index": None, "kind": kind,
                 "source_account": source, "source_owner": owner(source),
                 "destination_account": destination, "destination_owner": owner(destination),
                 "amount": str(amount)}
        record.movements.append(entry)
        return entry

    def apply(self, record, index, effect):
        kind = effect[0]
        if kind == "sol":
            _, source, destination, lamports = effect
            if source in self.lamports:
                if self.lamports[source] < lamports:
                    raise GeneratorError(f"ledger: {source} cannot send {lamports} lamports")
                self.lamports[source] -= lamports
            if destination in self.lamports:
                self.lamports[destination] += lamports
        elif kind == "create_token":
            _, account, mint, owner, idempotent = effect
            entry = self.accounts.get(account)
            if entry is not None and (entry.mint, entry.owner) != (mint, owner):
                raise GeneratorError(f"ledger: {account} has another mint or owner")
            if entry is not None and entry.open:
                if not idempotent:
                    raise GeneratorError(f"ledger: token account {account} exists already")
            else:
                self.accounts[account] = TokenAccount(mint, owner)
        elif kind == "mint":
            _, account, amount = effect
            entry = self.open_entry(account)
            entry.amount += amount
            if entry.mint == self.flby:
                self.minted += amount
                self.movement(record, index, "mint", None, account, amount)
        elif kind == "burn":
            _, account, amount = effect
            entry = self.debit(account, amount)
            if entry.mint == self.flby:
                self.burned += amount
                self.movement(record, index, "burn", account, None, amount)
        elif kind == "transfer":
            _, source, destination, amount = effect
            mint = self.open_entry(source).mint
            self.open_entry(destination, mint)
            self.debit(source, amount)
            self.accounts[destination].amount += amount
            if mint == self.flby:
                self.movement(record, index, "transfer", source, destination, amount)
        elif kind == "close":
            entry = self.open_entry(effect[1])
            if entry.amount:
                raise GeneratorError(f"ledger: cannot close {effect[1]}, it holds {entry.amount}")
            entry.open = False
        elif kind == "recover":
            _, nested, destination = effect
            entry = self.open_entry(nested)
            amount = entry.amount
            self.debit(nested, amount)
            self.open_entry(destination, entry.mint).amount += amount
            if entry.mint == self.flby:
                movement = self.movement(record, index, "transfer", nested, destination, amount)
                record.pending_inner.append((movement, index, nested))
            entry.open = False
        elif kind != "memo":
            raise GeneratorError(f"ledger: unknown effect {kind}")


# --- The generator --------------------------------------------------------------------------------------------
class Generator:
    def __init__(self, rpc, args):
        self.rpc = rpc
        self.args = args
        self.rng = random.Random(args.seed)
        self.counter = 0               # numbers memos, so their texts differ
        self.blockhash = None
        self.blockhash_sends = 0
        self.blockhash_time = 0.0
        self.last_send = None
        self.signatures = set()
        self.lookup_table = None       # AddressLookupTableAccount once active
        self.kind_counts = {}

        new_key = lambda: Keypair.from_seed(self.rng.randbytes(32))
        self.payer = new_key()         # pays the setup, mint authority of FLBY
        self.mint = new_key()
        self.escrow = new_key()
        self.fee = new_key()
        self.holders = [new_key() for _ in range(HOLDERS)]
        self.non_ata = [new_key() for _ in range(NON_ATA_HOLDERS)]
        self.noise_authority = new_key()
        self.noise_mint = new_key()
        self.noise_wallets = [new_key() for _ in range(NOISE_WALLETS)]
        self.noise_depositor = new_key()

        self.mint_key = self.mint.pubkey()
        self.flby = str(self.mint_key)
        self.escrow_key = str(self.escrow.pubkey())
        self.fee_key = str(self.fee.pubkey())
        self.watched = {"escrow": self.escrow_key, "fee": self.fee_key}
        self.escrow_ata = ata_address(self.escrow.pubkey(), self.mint_key)
        self.fee_ata = ata_address(self.fee.pubkey(), self.mint_key)
        self.escrow_noise_ata = ata_address(self.escrow.pubkey(), self.noise_mint.pubkey())
        self.ledger = None

    # Sending ----------------------------------------------------------------------------------------------
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
        if self.args.pace_ms > 0 and self.last_send is not None:
            delay = self.args.pace_ms / 1000 - (time.monotonic() - self.last_send)
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

    def run(self, build, decorate=True):
        """Draws a plan with `build` until its signature is new, decorates and sends it. False when the
        builder has nothing to do in the current state."""
        for _ in range(20):
            plan = build()
            if plan is None:
                return False
            if decorate:
                self.decorate(plan)
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

    # Decoration: memos and version 0 ---------------------------------------------------------------------
    def memo_text(self, kind):
        self.counter += 1
        words = ["gm", "thanks", "invoice", "order", "refund", "tip", "rent", "payout", "swap", "gift"]
        text = f"{kind} #{self.counter} {self.rng.choice(words)} {self.rng.randint(1, 99999)}"
        if self.rng.random() < 0.1:
            text += " café ✓"
        return text

    def decorate(self, plan):
        if self.rng.random() < MEMO_PROBABILITY:
            count = 2 if self.rng.random() < SECOND_MEMO_PROBABILITY else 1
            for _ in range(count):
                signers = [plan.payer.pubkey()] if self.rng.random() < 0.3 else []
                memo = ix_memo(self.memo_text(plan.kind), signers)
                position = 0 if self.rng.random() < 0.4 else len(plan.ixs)
                plan.ixs.insert(position, memo)
        plan.use_lookup = plan.lookup and self.lookup_table is not None and self.rng.random() < LOOKUP_PROBABILITY

    # Helpers over the ledger --------------------------------------------------------------------------------
    def holder_accounts(self, holder):
        """A holder's open FLBY accounts (its ATA and non-ATA accounts, not nested ones)."""
        return self.ledger.open_accounts(str(holder.pubkey()), self.flby)

    def funded_account(self):
        """(holder, account) with FLBY, chosen at random; None when nobody holds any."""
        choices = [(holder, account) for holder in self.holders
                   for account in self.holder_accounts(holder) if self.ledger.amount(account) > 0]
        return self.rng.choice(choices) if choices else None

    def part(self, balance, divisor=3):
        return self.rng.randint(1, max(1, balance // divisor))

    def mint_amount(self):
        if self.rng.random() < 0.1:
            return self.rng.randint(1, 999)
        return self.rng.randint(1, 2_000) * 10**DECIMALS + self.rng.randint(0, 10**DECIMALS - 1)

    def checked(self):
        return self.rng.random() < 0.5

    def fee_payer_or(self, signer):
        """The signer itself or (sometimes) the payer as fee payer."""
        return self.payer if self.rng.random() < 0.25 else signer

    def escrow_spendable(self):
        return self.ledger.lamports[self.escrow_key] - 2 * SOL

    # Setup --------------------------------------------------------------------------------------------------
    def write_setup(self):
        write_json(self.args.setup_out, {"mint": self.flby, "escrow": self.escrow_key, "fee": self.fee_key,
                                         "decimals": DECIMALS, "token_program": str(TOKEN_PROGRAM)})

    def setup(self):
        watched = {key: self.rpc.call("getBalance", key)["value"] for key in self.watched.values()}
        self.ledger = Ledger(self.flby, watched)
        rent_mint = self.rpc.call("getMinimumBalanceForRentExemption", MINT_SIZE)
        rent_account = self.rpc.call("getMinimumBalanceForRentExemption", TOKEN_ACCOUNT_SIZE)

        self.airdrop(self.payer, 1000 * SOL)
        for i, holder in enumerate(self.holders):
            self.airdrop(holder, 10 * SOL + i)
        self.airdrop(self.escrow, 50 * SOL)
        self.airdrop(self.fee, 2 * SOL)
        self.airdrop(self.noise_authority, 20 * SOL)
        for i, wallet in enumerate(self.noise_wallets + [self.noise_depositor]):
            self.airdrop(wallet, 5 * SOL + i)

        payer = self.payer.pubkey()
        self.send_setup("setup_mint", self.payer, [
            ix_create_account(payer, self.mint_key, rent_mint, MINT_SIZE, TOKEN_PROGRAM),
            ix_initialize_mint2(self.mint_key, DECIMALS, payer)], [self.mint])
        wallets = [holder.pubkey() for holder in self.holders] + [self.escrow.pubkey(), self.fee.pubkey()]
        for start in range(0, len(wallets), 4):
            self.send_setup("setup_ata", self.payer,
                            [ix_create_ata(payer, wallet, self.mint_key) for wallet in wallets[start:start + 4]])
        for account, holder in zip(self.non_ata, self.holders):
            self.send_setup("setup_non_ata", self.payer, [
                ix_create_account(payer, account.pubkey(), rent_account, TOKEN_ACCOUNT_SIZE, TOKEN_PROGRAM),
                ix_initialize_account3(account.pubkey(), self.mint_key, holder.pubkey())], [account])
        # Initial supply; holder 0 gets more than 2^53 base units.
        targets = [ata_address(holder.pubkey(), self.mint_key) for holder in self.holders]
        amounts = [12_345_678_901_234_567] + [self.rng.randint(100_000, 5_000_000) * 10**DECIMALS
                                              for _ in targets[1:]]
        self.send_setup("setup_mint_to", self.payer, [
            ix_mint_to(self.mint_key, target, payer, amount) for target, amount in zip(targets, amounts)])
        self.send_setup("setup_mint_to", self.payer, [
            ix_mint_to(self.mint_key, account.pubkey(), payer, self.rng.randint(1_000, 50_000) * 10**DECIMALS,
                       DECIMALS) for account in self.non_ata])

        # NOISE: a mint and wallets that never touch FLBY, plus the escrow's NOISE ATA.
        authority = self.noise_authority.pubkey()
        noise_mint = self.noise_mint.pubkey()
        self.send_setup("setup_noise", self.noise_authority, [
            ix_create_account(authority, noise_mint, rent_mint, MINT_SIZE, TOKEN_PROGRAM),
            ix_initialize_mint2(noise_mint, NOISE_DECIMALS, authority)], [self.noise_mint])
        noise_owners = [wallet.pubkey() for wallet in self.noise_wallets + [self.noise_depositor]]
        self.send_setup("setup_noise", self.noise_authority,
                        [ix_create_ata(authority, owner, noise_mint) for owner in noise_owners])
        self.send_setup("setup_noise", self.noise_authority, [
            ix_mint_to(noise_mint, ata_address(owner, noise_mint), authority, self.rng.randint(10**6, 10**9))
            for owner in noise_owners])
        self.send_setup("setup_escrow_noise_ata", self.noise_authority,
                        [ix_create_ata(authority, self.escrow.pubkey(), noise_mint)])
        self.setup_lookup_table()

    def setup_lookup_table(self):
        """A lookup table holding the holders' FLBY accounts, the escrow and fee wallets and their ATAs;
        waits until it is usable (the slot after its extension)."""
        addresses = ([ata_address(holder.pubkey(), self.mint_key) for holder in self.holders]
                     + [account.pubkey() for account in self.non_ata]
                     + [self.escrow.pubkey(), self.fee.pubkey(), self.escrow_ata, self.fee_ata])
        recent_slot = self.rpc.call("getSlot", {"commitment": "finalized"})
        payer = self.payer.pubkey()
        create, table = ix_create_lookup_table(payer, payer, recent_slot)
        self.send_setup("setup_lookup_table", self.payer, [create])
        self.send_setup("setup_lookup_table", self.payer, [ix_extend_lookup_table(table, payer, payer, addresses)])
        extended = self.ledger.records[-1].signature
        deadline = time.monotonic() + CONFIRM_TIMEOUT
        while True:
            status = self.rpc.call("getSignatureStatuses", [extended])["value"][0]
            if status is not None and status["err"] is not None:
                raise GeneratorError(f"extending the lookup table failed: {status['err']}")
            if status is not None and self.rpc.call("getSlot", {"commitment": "processed"}) >= status["slot"] + 2:
                break
            if time.monotonic() > deadline:
                raise GeneratorError("the lookup table extension did not land")
            time.sleep(0.05)
        self.lookup_table = AddressLookupTableAccount(table, addresses)

    # Default mix: one builder per kind ----------------------------------------------------------------------
    def build_mint(self):
        holder = self.rng.choice(self.holders)
        account = Pubkey.from_string(self.rng.choice(self.holder_accounts(holder)))
        decimals = DECIMALS if self.checked() else None
        ix = ix_mint_to(self.mint_key, account, self.payer.pubkey(), self.mint_amount(), decimals)
        return Plan("mint", self.payer, [ix], lookup=True)

    def build_burn(self):
        choice = self.funded_account()
        if choice is None:
            return None
        holder, account = choice
        amount = self.part(self.ledger.amount(account), 10)
        decimals = DECIMALS if self.checked() else None
        ix = ix_burn(Pubkey.from_string(account), self.mint_key, holder.pubkey(), amount, decimals)
        return Plan("burn", self.fee_payer_or(holder), [ix], [holder], lookup=True)

    def token_transfer(self, source, destination, owner, amount):
        if self.checked():
            return ix_token_transfer(Pubkey.from_string(source), Pubkey.from_string(destination), owner, amount,
                                     self.mint_key, DECIMALS)
        return ix_token_transfer(Pubkey.from_string(source), Pubkey.from_string(destination), owner, amount)

    def other_account(self, source):
        choices = [account for holder in self.holders for account in self.holder_accounts(holder)
                   if account != source]
        return self.rng.choice(choices)

    def build_transfer(self):
        choice = self.funded_account()
        if choice is None:
            return None
        holder, source = choice
        destination = self.other_account(source)
        ix = self.token_transfer(source, destination, holder.pubkey(), self.part(self.ledger.amount(source)))
        return Plan("transfer", self.fee_payer_or(holder), [ix], [holder], lookup=True)

    def ensure_ata(self, payer, wallet):
        """Sometimes the CreateIdempotent a wallet app puts before a payment (a no-op: the ATA exists);
        it brings the destination wallet itself among the account keys."""
        return [ix_create_ata(payer.pubkey(), wallet.pubkey(), self.mint_key)] if self.rng.random() < 0.3 else []

    def build_escrow_token_deposit(self):
        choice = self.funded_account()
        if choice is None:
            return None
        holder, source = choice
        ix = self.token_transfer(source, str(self.escrow_ata), holder.pubkey(), self.part(self.ledger.amount(source)))
        return Plan("escrow_token_deposit", holder, self.ensure_ata(holder, self.escrow) + [ix], lookup=True)

    def build_escrow_token_release(self):
        held = self.ledger.amount(str(self.escrow_ata))
        if held == 0:
            return None
        destination = self.rng.choice(self.holder_accounts(self.rng.choice(self.holders)))
        ix = self.token_transfer(str(self.escrow_ata), destination, self.escrow.pubkey(), self.part(held, 2))
        payer = self.payer if self.rng.random() < 0.5 else self.escrow
        return Plan("escrow_token_release", payer, [ix], [self.escrow], lookup=True)

    def build_escrow_sol_deposit(self):
        holder = self.rng.choice(self.holders)
        ix = ix_sol_transfer(holder.pubkey(), self.escrow.pubkey(), self.rng.randint(10_000, SOL // 2))
        return Plan("escrow_sol_deposit", holder, [ix], lookup=True)

    def build_escrow_sol_release(self):
        spendable = self.escrow_spendable()
        if spendable < SOL:
            return None
        holder = self.rng.choice(self.holders)
        ix = ix_sol_transfer(self.escrow.pubkey(), holder.pubkey(), self.rng.randint(10_000, SOL // 2))
        payer = self.payer if self.rng.random() < 0.5 else self.escrow
        return Plan("escrow_sol_release", payer, [ix], [self.escrow], lookup=True)

    def build_fee_sol(self):
        holder = self.rng.choice(self.holders)
        ix = ix_sol_transfer(holder.pubkey(), self.fee.pubkey(), self.rng.randint(1_000, 5_000_000))
        return Plan("fee_sol", holder, [ix], lookup=True)

    def build_fee_token(self):
        choice = self.funded_account()
        if choice is None:
            return None
        holder, source = choice
        amount = self.rng.randint(1, min(self.ledger.amount(source), 5 * 10**DECIMALS))
        ix = self.token_transfer(source, str(self.fee_ata), holder.pubkey(), amount)
        return Plan("fee_token", holder, self.ensure_ata(holder, self.fee) + [ix], lookup=True)

    def build_failed(self):
        """A transaction that lands and fails (fee charged, no effect)."""
        variant = self.rng.choice(["overdraw_transfer", "overdraw_burn", "escrow_overdraw", "escrow_sol_overdraw",
                                   "fee_overdraw", "second_instruction_fails"])
        holder = self.rng.choice(self.holders)
        source = self.rng.choice(self.holder_accounts(holder))
        too_much = self.ledger.amount(source) + self.rng.randint(1, 10**9)
        if variant == "overdraw_transfer":
            ixs = [self.token_transfer(source, self.other_account(source), holder.pubkey(), too_much)]
            payer = holder
        elif variant == "overdraw_burn":
            decimals = DECIMALS if self.checked() else None
            ixs = [ix_burn(Pubkey.from_string(source), self.mint_key, holder.pubkey(), too_much, decimals)]
            payer = holder
        elif variant == "escrow_overdraw":
            held = self.ledger.amount(str(self.escrow_ata))
            ixs = [self.token_transfer(str(self.escrow_ata), source, self.escrow.pubkey(),
                                       held + self.rng.randint(1, 10**9))]
            holder = self.escrow
            payer = self.rng.choice([self.escrow, self.payer])
        elif variant == "escrow_sol_overdraw":
            lamports = self.ledger.lamports[self.escrow_key] + self.rng.randint(1, SOL)
            ixs = [ix_sol_transfer(self.escrow.pubkey(), holder.pubkey(), lamports)]
            holder = self.escrow
            payer = self.rng.choice([self.escrow, self.payer])
        elif variant == "fee_overdraw":
            ixs = [self.token_transfer(source, str(self.fee_ata), holder.pubkey(), too_much)]
            payer = holder
        else:  # a valid transfer, then one that cannot succeed: neither takes effect
            balance = self.ledger.amount(source)
            if balance == 0:
                return None
            destination = self.other_account(source)
            ixs = [self.token_transfer(source, destination, holder.pubkey(), self.part(balance)),
                   self.token_transfer(source, destination, holder.pubkey(), balance + self.rng.randint(1, 10**6))]
            payer = holder
        return Plan(f"failed_{variant}", payer, ixs, [holder], expect_fail=True, lookup=True)

    def build_noise(self):
        variant = self.rng.choice(["noise_mint", "noise_transfer", "noise_sol", "noise_memo"])
        noise_mint = self.noise_mint.pubkey()
        wallet = self.rng.choice(self.noise_wallets)
        other = self.rng.choice([w for w in self.noise_wallets if w is not wallet])
        if variant == "noise_mint":
            decimals = NOISE_DECIMALS if self.checked() else None
            ix = ix_mint_to(noise_mint, ata_address(wallet.pubkey(), noise_mint), self.noise_authority.pubkey(),
                            self.rng.randint(1, 10**7), decimals)
            return Plan(variant, self.noise_authority, [ix])
        if variant == "noise_transfer":
            source = str(ata_address(wallet.pubkey(), noise_mint))
            balance = self.ledger.amount(source)
            if balance == 0:
                return None
            amount = self.part(balance)
            destination = ata_address(other.pubkey(), noise_mint)
            ix = (ix_token_transfer(Pubkey.from_string(source), destination, wallet.pubkey(), amount, noise_mint,
                                    NOISE_DECIMALS) if self.checked()
                  else ix_token_transfer(Pubkey.from_string(source), destination, wallet.pubkey(), amount))
            return Plan(variant, wallet, [ix])
        if variant == "noise_sol":
            ix = ix_sol_transfer(wallet.pubkey(), other.pubkey(), self.rng.randint(1_000, 10_000_000))
            return Plan(variant, wallet, [ix])
        return Plan(variant, wallet, [ix_memo(self.memo_text("noise"), [wallet.pubkey()])])

    def build_noise_escrow_deposit(self):
        noise_mint = self.noise_mint.pubkey()
        depositor = self.noise_depositor
        source = str(ata_address(depositor.pubkey(), noise_mint))
        balance = self.ledger.amount(source)
        if balance == 0:
            return None
        amount = self.part(balance)
        if self.checked():
            ix = ix_token_transfer(Pubkey.from_string(source), self.escrow_noise_ata, depositor.pubkey(), amount,
                                   noise_mint, NOISE_DECIMALS)
        else:
            ix = ix_token_transfer(Pubkey.from_string(source), self.escrow_noise_ata, depositor.pubkey(), amount)
        return Plan("noise_escrow_deposit", depositor, [ix])

    def build_nested_create(self, holder):
        """Sends FLBY to the ATA of the holder's ATA (a 'nested' ATA), which the payer creates."""
        owner_ata = ata_address(holder.pubkey(), self.mint_key)
        balance = self.ledger.amount(str(owner_ata))
        nested = str(ata_address(owner_ata, self.mint_key))
        if balance == 0 or self.ledger.amount(nested) > 0:
            return None
        ixs = [ix_create_ata(self.payer.pubkey(), owner_ata, self.mint_key),
               self.token_transfer(str(owner_ata), nested, holder.pubkey(), self.part(balance, 5))]
        return Plan("nested_create", self.payer, ixs, [holder])

    def build_nested_recover(self, holder):
        owner_ata = ata_address(holder.pubkey(), self.mint_key)
        if self.ledger.amount(str(ata_address(owner_ata, self.mint_key))) == 0:
            return None
        return Plan("nested_recover", holder, [ix_recover_nested(holder.pubkey(), self.mint_key)])

    def build_close(self):
        """Empties a non-ATA FLBY account into its owner's ATA and closes it (rent to the owner)."""
        choices = [(holder, str(account.pubkey())) for account, holder in zip(self.non_ata, self.holders)
                   if self.ledger.accounts[str(account.pubkey())].open]
        if len(choices) <= 2:
            return None
        holder, account = self.rng.choice(choices)
        ixs = []
        balance = self.ledger.amount(account)
        if balance:
            ixs.append(self.token_transfer(account, str(ata_address(holder.pubkey(), self.mint_key)),
                                           holder.pubkey(), balance))
        ixs.append(ix_close_account(Pubkey.from_string(account), holder.pubkey(), holder.pubkey()))
        return Plan("close_account", holder, ixs)

    def schedule(self, count):
        """The default mix's kinds: weighted draws, with the rare events placed at random positions."""
        kinds = [(kind, None) for kind in self.rng.choices(list(WEIGHTS), list(WEIGHTS.values()), k=count)]
        events = [("close", None)] + [("noise_escrow_deposit", None)] * NOISE_ESCROW_DEPOSITS
        for index in self.rng.sample(range(len(self.holders)), NESTED_RECOVERIES):
            events += [("nested_create", index), ("nested_recover", index)]
        self.rng.shuffle(events)
        for event in list(events):  # each recovery after its creation
            if event[0] == "nested_recover":
                create = events.index(("nested_create", event[1]))
                recover = events.index(event)
                if recover < create:
                    events[create], events[recover] = events[recover], events[create]
        if count >= 4 * len(events):
            for position, event in zip(sorted(self.rng.sample(range(count), len(events))), events):
                kinds[position] = event
        return kinds

    def run_default(self, count):
        builders = {
            "mint": self.build_mint, "burn": self.build_burn, "transfer": self.build_transfer,
            "escrow_token_deposit": self.build_escrow_token_deposit,
            "escrow_token_release": self.build_escrow_token_release,
            "escrow_sol_deposit": self.build_escrow_sol_deposit,
            "escrow_sol_release": self.build_escrow_sol_release,
            "fee_sol": self.build_fee_sol, "fee_token": self.build_fee_token,
            "failed": self.build_failed, "noise": self.build_noise,
            "noise_escrow_deposit": self.build_noise_escrow_deposit, "close": self.build_close,
        }
        for kind, argument in self.schedule(count):
            if kind == "nested_create":
                build = lambda: self.build_nested_create(self.holders[argument])
            elif kind == "nested_recover":
                build = lambda: self.build_nested_recover(self.holders[argument])
            else:
                build = builders[kind]
            if not self.run(build):
                self.run(self.build_mint)  # nothing to do for that kind now: a mint always works

    def run_fee_payments(self, count):
        """Back-to-back payments to the fee wallet from a few holders, no waiting. An FLBY payment starts
        with a CreateIdempotent of the fee wallet's ATA (as wallet apps do), so every payment has the fee
        wallet itself among its account keys: N payments give its address N signatures."""
        payers = self.holders[:4]
        for i in range(count):
            holder = payers[i % len(payers)]

            def build(i=i, holder=holder):
                if i % 2 == 0:
                    ix = ix_sol_transfer(holder.pubkey(), self.fee.pubkey(), self.rng.randint(1_000, 1_000_000))
                    return Plan("fee_sol", holder, [ix])
                source = str(ata_address(holder.pubkey(), self.mint_key))
                amount = self.rng.randint(1, 10**DECIMALS)
                if (i // 2) % 2 == 0:
                    ix = ix_token_transfer(Pubkey.from_string(source), self.fee_ata, holder.pubkey(), amount,
                                           self.mint_key, DECIMALS)
                else:
                    ix = ix_token_transfer(Pubkey.from_string(source), self.fee_ata, holder.pubkey(), amount)
                ensure = ix_create_ata(holder.pubkey(), self.fee.pubkey(), self.mint_key)
                return Plan("fee_token", holder, [ensure, ix])

            self.run(build, decorate=False)

    def run_churn(self, count):
        """Token accounts opened and closed again: each created as a non-associated account of a holder and
        funded from the holder's ATA (TransferChecked: the mint's history names it), then emptied back by a
        plain Transfer and closed (rent to the holder)."""
        rent_account = self.rpc.call("getMinimumBalanceForRentExemption", TOKEN_ACCOUNT_SIZE)
        for i in range(count):
            holder = self.holders[i % len(self.holders)]
            account = Keypair.from_seed(self.rng.randbytes(32))
            owner_ata = ata_address(holder.pubkey(), self.mint_key)
            amount = self.rng.randint(1, max(1, self.ledger.amount(str(owner_ata)) // 1000))

            def build_open(holder=holder, account=account, owner_ata=owner_ata, amount=amount):
                return Plan("churn_open", holder, [
                    ix_create_account(holder.pubkey(), account.pubkey(), rent_account, TOKEN_ACCOUNT_SIZE, TOKEN_PROGRAM),
                    ix_initialize_account3(account.pubkey(), self.mint_key, holder.pubkey()),
                    ix_token_transfer(owner_ata, account.pubkey(), holder.pubkey(), amount, self.mint_key, DECIMALS)],
                    [account])

            def build_close(holder=holder, account=account, owner_ata=owner_ata, amount=amount):
                return Plan("churn_close", holder, [
                    ix_token_transfer(account.pubkey(), owner_ata, holder.pubkey(), amount),
                    ix_close_account(account.pubkey(), holder.pubkey(), holder.pubkey())])

            self.run(build_open, decorate=False)
            self.run(build_close, decorate=False)

    def run_reopen(self, count):
        """Holders 1..count: the ATA emptied into holder 0's ATA, closed, created again at the same address and
        funded with a third of what it held plus one; each step in a slot of its own (the order of transactions
        within a slot is not something an index can see)."""
        if not 0 <= count < len(self.holders):
            raise GeneratorError(f"--mix reopen takes at most {len(self.holders) - 1} holders")
        sink = str(ata_address(self.holders[0].pubkey(), self.mint_key))
        for holder in self.holders[1:count + 1]:
            ata = str(ata_address(holder.pubkey(), self.mint_key))
            held = self.ledger.amount(ata)
            refill = held // 3 + 1
            steps = [
                Plan("reopen_empty", holder, [self.token_transfer(ata, sink, holder.pubkey(), held)]),
                Plan("reopen_close", holder, [ix_close_account(Pubkey.from_string(ata), holder.pubkey(), holder.pubkey())]),
                Plan("reopen_create", self.payer, [ix_create_ata(self.payer.pubkey(), holder.pubkey(), self.mint_key)]),
                Plan("reopen_fill", self.holders[0],
                     [self.token_transfer(sink, ata, self.holders[0].pubkey(), refill)]),
            ]
            for plan in steps:
                record = self.submit(plan)
                if record is None:
                    raise GeneratorError(f"{plan.kind}: the signature repeats an earlier one")
                self.wait_past_slot_of(record.signature)

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

    # Confirmation and checks --------------------------------------------------------------------------------
    def confirm_all(self):
        """Waits until every recorded signature is confirmed, then checks each against getTransaction."""
        records = self.ledger.records
        pending = {record.signature: record for record in records}
        deadline = time.monotonic() + CONFIRM_TIMEOUT
        while pending:
            signatures = list(pending)
            for start in range(0, len(signatures), 256):
                chunk = signatures[start:start + 256]
                statuses = self.rpc.call("getSignatureStatuses", chunk, {"searchTransactionHistory": True})["value"]
                for signature, status in zip(chunk, statuses):
                    if status is not None and status["confirmationStatus"] in ("confirmed", "finalized"):
                        pending.pop(signature).slot = status["slot"]
            if pending:
                if time.monotonic() > deadline:
                    raise GeneratorError(f"{len(pending)} transactions not confirmed, e.g. {next(iter(pending))}")
                time.sleep(0.1)
        config = {"commitment": "confirmed", "maxSupportedTransactionVersion": 0, "encoding": "json"}
        answers = self.rpc.batch("getTransaction", [[record.signature, config] for record in records], size=50)
        for record, answer in zip(records, answers):
            self.check_transaction(record, answer)

    def check_transaction(self, record, answer):
        where = f"{record.kind} {record.signature}"
        if answer is None:
            raise GeneratorError(f"{where}: getTransaction found nothing")
        meta_ = answer["meta"]
        if meta_["fee"] != record.fee:
            raise GeneratorError(f"{where}: fee {meta_['fee']}, expected {record.fee}")
        if (meta_["err"] is not None) != record.failed:
            raise GeneratorError(f"{where}: err {meta_['err']}, expected failed={record.failed}")
        if answer.get("version") != record.version:
            raise GeneratorError(f"{where}: version {answer.get('version')}, expected {record.version}")
        if answer["slot"] != record.slot:
            raise GeneratorError(f"{where}: slot {answer['slot']} differs from the status slot {record.slot}")
        loaded = meta_.get("loadedAddresses") or {"writable": [], "readonly": []}
        keys = answer["transaction"]["message"]["accountKeys"] + loaded["writable"] + loaded["readonly"]
        if record.keys is None:  # an airdrop: the faucet is the chain's
            record.keys = keys
        elif keys != record.keys:
            raise GeneratorError(f"{where}: account keys {keys}, expected {record.keys}")
        for wallet in self.watched.values():
            if wallet in keys:
                i = keys.index(wallet)
                chain = (meta_["preBalances"][i], meta_["postBalances"][i])
                mine = (record.lamports_pre[wallet], record.lamports_post[wallet])
                if chain != mine:
                    raise GeneratorError(f"{where}: lamports of {wallet} {chain}, ledger {mine}")
            elif record.lamports_pre[wallet] != record.lamports_post[wallet]:
                raise GeneratorError(f"{where}: ledger moved lamports of {wallet}, not among the keys")
        for side, mine in (("preTokenBalances", record.tokens_pre), ("postTokenBalances", record.tokens_post)):
            chain = {keys[entry["accountIndex"]]:
                     (entry["mint"], entry["owner"], int(entry["uiTokenAmount"]["amount"]))
                     for entry in meta_[side] or []}
            if chain != mine:
                raise GeneratorError(f"{where}: {side} {chain}, ledger {mine}")
        for movement, index, nested in record.pending_inner:
            movement["inner_index"] = self.inner_transfer_index(answer, keys, index, nested, int(movement["amount"]))

    @staticmethod
    def inner_transfer_index(answer, keys, index, nested, amount):
        """Position of the TransferChecked out of `nested` among instruction `index`'s inner instructions."""
        for group in answer["meta"]["innerInstructions"] or []:
            if group["index"] != index:
                continue
            for position, inner in enumerate(group["instructions"]):
                data = b58decode(inner["data"])
                if (keys[inner["programIdIndex"]] == str(TOKEN_PROGRAM) and data[:1] == b"\x0c"
                        and keys[inner["accounts"][0]] == nested):
                    if struct.unpack_from("<Q", data, 1)[0] != amount:
                        raise GeneratorError(
                            f"{answer['transaction']['signatures'][0]}: inner transfer amount differs")
                    return position
        raise GeneratorError(f"{answer['transaction']['signatures'][0]}: no inner TransferChecked found")

    def check_final_state(self):
        ledger = self.ledger
        for address, entry in ledger.accounts.items():
            if entry.open:
                answer = self.rpc.call("getTokenAccountBalance", address, {"commitment": "processed"})
                amount = int(answer["value"]["amount"])
                if amount != entry.amount:
                    raise GeneratorError(f"token account {address}: chain {amount}, ledger {entry.amount}")
            elif self.rpc.call("getAccountInfo", address, {"encoding": "base64"})["value"] is not None:
                raise GeneratorError(f"token account {address} should be closed")
        supply = int(self.rpc.call("getTokenSupply", self.flby, {"commitment": "processed"})["value"]["amount"])
        held = sum(entry.amount for entry in ledger.accounts.values() if entry.open and entry.mint == self.flby)
        if not supply == ledger.minted - ledger.burned == held:
            raise GeneratorError(f"supply: chain {supply}, ledger {ledger.minted} - {ledger.burned}, held {held}")
        for wallet in self.watched.values():
            lamports = self.rpc.call("getBalance", wallet, {"commitment": "processed"})["value"]
            if lamports != ledger.lamports[wallet]:
                raise GeneratorError(f"lamports of {wallet}: chain {lamports}, ledger {ledger.lamports[wallet]}")

    # Output ----------------------------------------------------------------------------------------------------
    def expectations(self):
        ledger = self.ledger
        flby_accounts = {address for address, entry in ledger.accounts.items() if entry.mint == self.flby}
        owned = {name: {address for address, entry in ledger.accounts.items() if entry.owner == wallet}
                 for name, wallet in self.watched.items()}
        watched_accounts = set(self.watched.values()).union(*owned.values())
        transactions, movements, activity = [], [], []
        for record in ledger.records:
            keys = set(record.keys)
            relevant = self.flby in keys or bool(keys & flby_accounts) or bool(keys & watched_accounts)
            transactions.append({"signature": record.signature, "slot": record.slot, "fee": record.fee,
                                 "failed": record.failed, "memo": record.memo, "relevant": relevant,
                                 "version": record.version, "kind": record.kind})
            movements += record.movements
            for name, wallet in self.watched.items():
                if wallet in keys or keys & owned[name]:
                    activity.append({
                        "wallet": name, "signature": record.signature,
                        "lamports_delta": record.lamports_post[wallet] - record.lamports_pre[wallet],
                        "flby_delta": str(record.flby_delta[wallet]), "fee": record.fee,
                        "failed": record.failed, "memo": record.memo})
        balances = [{"token_account": address, "owner": entry.owner, "amount": str(entry.amount if entry.open else 0)}
                    for address, entry in ledger.accounts.items() if entry.mint == self.flby]
        return {
            "mint": self.flby, "escrow": self.escrow_key, "fee": self.fee_key, "decimals": DECIMALS,
            "transactions": transactions,
            "movements": movements,
            "balances": balances,
            "supply": {"minted": str(ledger.minted), "burned": str(ledger.burned),
                       "supply": str(ledger.minted - ledger.burned)},
            "wallet_activity": activity,
            "wallet_lamports": {name: ledger.lamports[wallet] for name, wallet in self.watched.items()},
        }


def write_json(path, value):
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=1, ensure_ascii=False)
        handle.write("\n")
    os.replace(temporary, path)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Generates an FLBY history and its expected index (see the module docstring).")
    parser.add_argument("--rpc", required=True)
    parser.add_argument("--setup-out", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--count", type=int, default=320)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mix", choices=["default", "fee-payments", "churn", "reopen"], default="default")
    parser.add_argument("--pace-ms", type=float, default=0)
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("--count must be >= 0")
    started = time.monotonic()
    try:
        generator = Generator(Rpc(args.rpc), args)
        generator.write_setup()
        generator.setup()
        setup_count = len(generator.ledger.records)
        sending = time.monotonic()
        if args.mix == "default":
            generator.run_default(args.count)
        elif args.mix == "churn":
            generator.run_churn(args.count)
        elif args.mix == "reopen":
            generator.run_reopen(args.count)
        else:
            generator.run_fee_payments(args.count)
        sent = time.monotonic()
        generator.confirm_all()
        generator.check_final_state()
        expectations = generator.expectations()
        write_json(args.out, expectations)
    except (GeneratorError, RpcFailure) as error:
        print(f"flby_history: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # unexpected: keep the traceback for whoever reads stderr
        import traceback
        traceback.print_exc(file=sys.stderr)
        print(f"flby_history: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    summary = {
        "setup_transactions": setup_count,
        "transactions": len(expectations["transactions"]),
        "relevant": sum(t["relevant"] for t in expectations["transactions"]),
        "failed": sum(t["failed"] for t in expectations["transactions"]),
        "version0": sum(t["version"] == 0 for t in expectations["transactions"]),
        "with_memo": sum(t["memo"] is not None for t in expectations["transactions"]),
        "movements": len(expectations["movements"]),
        "wallet_activity": {name: sum(row["wallet"] == name for row in expectations["wallet_activity"])
                            for name in ("escrow", "fee")},
        "kinds": dict(sorted(generator.kind_counts.items())),
        "seconds": {"setup": round(sending - started, 2), "send": round(sent - sending, 2),
                    "total": round(time.monotonic() - started, 2)},
    }
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
