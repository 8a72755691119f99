#!/usr/bin/env python3
"""A local Solana JSON-RPC chain on LiteSVM, for the project's tests.

Every transaction is executed by LiteSVM (`solders.litesvm`, solders 0.29), which carries the real System,
SPL Token, Token-2022, Associated Token Account and Memo programs; around it this server keeps what a real
node adds: slots and block heights advancing on a timer, blockhash expiry, commitment levels, a transaction
history (statuses, metas, signatures per address, prioritization fees) and the JSON-RPC 2.0 shapes of
https://solana.com/docs/rpc, so that code tested against it runs unchanged against `solana-test-validator`.
It also injects faults on request (dropped transactions, HTTP 429/503, latency, a stalled chain, sends that
land but are answered with an error, late-landing sends, per-method errors, a lagging view of the chain).

Usage
-----
    python local_chain.py [--host 127.0.0.1] [--port 0] [--slot-ms 100] [--seed N]
                          [--confirm-depth 1] [--finalize-depth 32] [--genesis-hash BASE58]
                          [--rpc-path /PATH] [--basic-auth USER:PASSWORD] [--api-key KEY]
                          [--exit-on-stdin-eof] [--verbose]

When it listens it prints one JSON line to stdout and flushes it:
    {"url": "http://127.0.0.1:PORT", "control": "http://127.0.0.1:PORT/control"}
It exits cleanly on SIGTERM or SIGINT and, with --exit-on-stdin-eof, when its standard input reaches end
of file (a test that launches it with a pipe on stdin never leaves it behind). `--port 0` picks a free
port. `--slot-ms 0` turns the timer off: slots then move only with the control API's `advance_slots`.
`--seed` seeds the fault injector (random.Random(seed)) and the faucet keypair, so runs are reproducible.

JSON-RPC is served by POST / (single requests and batch arrays; a request without "id" is a notification
and gets no answer). Like a hosted provider's endpoint, it can ask for credentials in the URL's three places:
--rpc-path serves it at that path instead (with the secret in the path, as Alchemy's /v2/KEY), --basic-auth
answers 401 to a request without `Authorization: Basic` of USER:PASSWORD (the URL's user part), --api-key
answers 401 to a request without `api-key=KEY` in its query string. Errors: parse error -32700, invalid
request -32600, unknown method -32601, bad params -32602 (with a message saying what is wrong), internal error
-32603.

Chain model and commitment
--------------------------
The chain starts at slot 0, block height 0. Every --slot-ms the slot and the block height both grow by one
(no skipped slots), LiteSVM's blockhash is expired (`expire_blockhash`) and its clock is warped to the new
slot with the wall-clock time as unix_timestamp. Each slot has one blockhash; a blockhash issued at block
height h is valid while the current block height <= h + 150, which is the `lastValidBlockHeight` that
getLatestBlockhash returns. Transactions execute at once, in the current slot s.

With S the current slot, the three banks a request can ask for are:
    processed = S,   confirmed = S - confirm-depth,   finalized = S - finalize-depth   (never below 0).
A transaction executed in slot s is `processed` while S < s + confirm-depth, `confirmed` while
S < s + finalize-depth, then `finalized`; a method honouring a commitment sees it only once its slot is at
or below that commitment's bank. As on a real node the default commitment is `finalized`. Blockhashes
follow the same rule: getLatestBlockhash/isBlockhashValid answer for the bank of the commitment asked for,
and sendTransaction's preflight checks the blockhash against the preflight bank (default finalized), so a
processed-only blockhash fails a default preflight with "Blockhash not found" exactly as on a real node.
Account state is always the current (processed) state, whatever the commitment (see Differences).

Methods
-------
    getHealth                        -> "ok"
    getVersion                       -> {"solana-core", "feature-set"}
    getGenesisHash                   -> the fixed fake genesis hash (--genesis-hash)
    getSlot [config]                 -> the slot of the commitment's bank
    getBlockHeight [config]          -> the block height of the commitment's bank
    getEpochInfo [config]            -> {absoluteSlot, blockHeight, epoch, slotIndex, slotsInEpoch,
                                         transactionCount}   (432,000 slots per epoch)
    getTransactionCount [config], getBlockTime slot             (small extras)
    getLatestBlockhash [config]      -> {context, value: {blockhash, lastValidBlockHeight}}
    isBlockhashValid hash [config]   -> {context, value: bool}
    getMinimumBalanceForRentExemption size [config]  -> lamports
    getBalance pubkey [config]       -> {context, value: lamports}
    getAccountInfo pubkey [config]   -> {context, value: null | {data, executable, lamports, owner,
                                         rentEpoch, space}}; encodings base64, base58 and the default
                                         legacy "binary" (a bare base58 string, <= 128 bytes); dataSlice
    getMultipleAccounts [pubkeys] [config]  (<= 100 keys, default encoding base64)
    requestAirdrop pubkey lamports [config] -> signature; a System transfer from a faucet account,
                                         executed at once and recorded like any transaction
    sendTransaction tx {encoding (base58 default | base64), skipPreflight, preflightCommitment,
                        maxRetries (accepted, ignored), minContextSlot} -> signature
    simulateTransaction tx {encoding, sigVerify, replaceRecentBlockhash, commitment, accounts,
                            innerInstructions, minContextSlot}
                                     -> {context, value: {err, logs, accounts, unitsConsumed, returnData,
                                         innerInstructions, replacementBlockhash, fee}}
    getSignatureStatuses [sigs] {searchTransactionHistory}  (<= 256 signatures)
                                     -> {context, value: [null | {slot, confirmations, err, status,
                                         confirmationStatus}]}; confirmations is null once finalized.
                                         Without searchTransactionHistory only the last 300 slots (the
                                         status cache) are searched.
    getRecentPrioritizationFees [addresses]  (<= 128)
                                     -> [{slot, prioritizationFee}] for the (up to) 150 completed slots
                                         before the current one, oldest first: the smallest compute-unit
                                         price (ComputeBudget SetComputeUnitPrice) among the slot's
                                         transactions (0 when none set a price or the slot is empty), raised
                                         to the largest per-account minimum among the given addresses
                                         that the slot's transactions write-locked.
    getTransaction sig {encoding (json | base64 | base58), commitment (>= confirmed),
                        maxSupportedTransactionVersion}
                                     -> {slot, blockTime, transaction, meta, version?}; meta has err,
                                         status, fee, preBalances, postBalances, innerInstructions,
                                         logMessages, preTokenBalances, postTokenBalances, rewards,
                                         loadedAddresses {writable, readonly}, returnData?,
                                         computeUnitsConsumed
    getSignaturesForAddress addr {limit (<= 1000), before, until, commitment (>= confirmed)}
                                     -> [{signature, slot, err, memo, blockTime, confirmationStatus}],
                                         newest first, failed transactions included; memo as
                                         "[len] text", several joined by "; "
    getTokenSupply mint, getTokenAccountBalance account
                                     -> {context, value: {amount, decimals, uiAmount, uiAmountString}}
    getTokenAccountsByOwner owner {mint | programId} [config]  -> {context, value: [{pubkey, account}]}
    getProgramAccounts program {encoding, filters [dataSize | memcmp {offset, bytes, encoding
                                (base58 | base64)}], dataSlice, withContext}

Transactions
------------
sendTransaction decodes and sanitizes the transaction (-32602 "invalid transaction: ..." otherwise).
Unless skipPreflight, it then runs the preflight against the current state: signatures, already-processed
(visible to the preflight bank), blockhash (valid in the preflight bank) and a LiteSVM simulation; a
failure answers the real node's error -32002 "Transaction simulation failed: <error text>" with data
{err, logs, accounts: null, unitsConsumed, returnData, innerInstructions: null, replacementBlockhash: null,
fee}. What passes the preflight (or skips it) gets its signature back and then, as on a real cluster, may
still never land: when it was already processed, when its blockhash has expired for the current block
height, when the drop_rate fault drops it, or when the runtime refuses it before charging a fee
(signature failure, unknown fee payer, fee payer without funds). Otherwise it is executed in the current
slot (or, under the stalled and late_rate faults, when it is forwarded later); a transaction whose
instructions fail is still recorded, fee charged, with its err, like on a real chain. Under the
send_error_rate fault it goes on the same way but the answer is an error. Durable-nonce transactions are
accepted when the nonce account holds the transaction's blockhash. Version 0 messages are supported, their
address lookup tables resolved from the table accounts.

Control API (never subject to faults)
-------------------------------------
    GET  /control  -> {"drop_rate", "rate_429", "rate_5xx", "latency_ms", "paused", "stalled",
                       "send_error_rate", "late_rate", "late_slots", "method_errors", "hidden",
                       "slot", "block_height", "held", "held_late",
                       "counters": {"requests": {method: n},
                                    "faults": {"http_429": n, "http_503": n, "dropped": n, "send_error": n,
                                               "method_error": n, "hidden": n},
                                    "transactions": {"executed": n, "succeeded": n, "failed": n, "dropped": n,
                                                     "not_landed": n, "preflight_failed": n, "airdrops": n,
                                                     "held": n, "held_late": n, "landed_late": n,
                                                     "landed_with_error_answer": n}}}
                      the fault fields show their current values (rates as numbers, hidden's lists
                      without duplicates); held: transactions queued now by the stall; held_late:
                      transactions held now by the late fault. Counters count since the start or the last
                      reset_counters.
    POST /control  with a JSON object, any subset of:
        "drop_rate": 0..1   fraction of sendTransaction calls answered with the right signature but never
                            executed (decided after a passing preflight)
        "rate_429": 0..1    fraction of POST / requests answered HTTP 429, header Retry-After: 1, body not
                            read as JSON-RPC
        "rate_5xx": 0..1    fraction of POST / requests answered HTTP 503
        "latency_ms": n     delay added to every POST / request
        "paused": bool      true stops the slot timer: slots, block heights and blockhashes stand still;
                            transactions still execute (in the standing slot, so they stay `processed`)
        "stalled": bool     a node that stopped following a halted cluster: the slot timer stops as with
                            paused, and sendTransaction answers with the signature but only queues the
                            transaction. advance_slots while stalled is the cluster moving on without this
                            node. When stalled turns false the queue is forwarded in arrival order: a
                            transaction whose blockhash is still valid at the current block height lands
                            then, an expired or already processed one never does (counted not_landed)
        "send_error_rate": 0..1
                            fraction of sendTransaction calls that go on exactly as without the fault (the
                            transaction lands, is queued by the stall or held by the late fault as it would
                            be) but are answered with an error, as when a node forwards a transaction and
                            then fails to answer. Only sends that passed the preflight (or skipped it), were
                            not dropped and were not already processed are affected. A single request is
                            answered, at random (even odds, from the --seed generator), either HTTP 503 with
                            the text/plain body "Service Unavailable" (not counted in http_503) or the
                            JSON-RPC error {"code": -32603, "message": "Internal error"}; inside a batch only
                            that item gets the JSON-RPC error, the others are answered normally. Counted in
                            faults.send_error; transactions.landed_with_error_answer counts the transactions
                            that landed after a send of them was answered so (at once, or when forwarded
                            from the stall or late queue)
        "late_rate": 0..1   fraction of sendTransaction calls (after a passing preflight, not dropped, not
                            already processed, not stalled) answered at once with the right signature but
                            held and forwarded late_slots slots later: when the slot timer or advance_slots
                            reaches that slot (fixed when the send arrives), it lands if its blockhash is
                            still valid at the block height then and it was not processed meanwhile
                            (otherwise counted not_landed). Paused or stalled, the slot does not move and
                            they wait; slots that advance_slots moves during a stall do count, but a stalled
                            node forwards nothing: the ones that came due are forwarded when the stall ends,
                            before the stall queue. A rebroadcast of a held one keeps the first slot (and,
                            when this roll does not hold it, is sent at once). Counted in
                            transactions.held_late (once per signature) and transactions.landed_late
        "late_slots": 1..150  the delay of late_rate, in slots (an integer; default 5)
        "method_errors": {"<method>": {"rate": 0..1, "code": integer, "message": string}, ...}
                            a provider failing with a non-transient error: a request to <method> (one this
                            chain serves) is answered, at that rate, with the JSON-RPC error {code, message}
                            instead of running (no side effect). All three members are required; code is a
                            32-bit integer. Applies per item inside a batch. Each POST replaces the whole
                            object; {} clears it. Counted in faults.method_error (and, like every request,
                            in requests)
        "hidden": {"signatures": [base58...], "accounts": [base58...]}
                            a lagging endpoint that does not show these yet: getSignatureStatuses answers
                            null and getTransaction null for a hidden signature, getSignaturesForAddress
                            leaves it out (it still works as a before/until anchor); getAccountInfo and
                            getMultipleAccounts answer null for a hidden account and getBalance 0. Nothing
                            else changes: sending, preflight, simulation, token and program account queries
                            see everything. Each POST replaces both lists (a missing one is empty);
                            {"signatures": [], "accounts": []} or {} clears. Counted in faults.hidden (one
                            per value hidden from an answer)
        "advance_slots": n  moves n slots at once (also while paused), e.g. 151 to expire a blockhash
        "reset_counters": true
    A field outside the list or a bad value answers HTTP 400 {"error": text} and changes nothing; otherwise
    it answers like GET /control, after the change. The random faults draw from one generator seeded with
    --seed, and only when their rate is above 0, so a run with the same requests is reproducible.
    GET /health answers "ok" (like a real node's health endpoint).

Differences from a real node
----------------------------
    * Account reads (getAccountInfo, getBalance, getMultipleAccounts, token and program account queries)
      and simulations, preflight included, always see the current (processed) state; the context slot is
      the commitment's bank slot. Transaction history, statuses, blockhashes and slots honour commitment.
    * A processed transaction can never be rolled back: there are no forks.
    * Transactions execute the moment they are sent (no leader forwarding, no retries, maxRetries ignored).
    * jsonParsed and base64+zstd encodings are refused with -32602; getTransaction's json encoding gives
      the compiled (unparsed) message; no getBlock, getBlocks, websockets.
    * rentEpoch is reported as 18446744073709551615 (rent-exempt), as current clusters do.
    * Token balances use the raw amount (no interest-bearing or scaled-UI-amount adjustment).
    * simulateTransaction omits loadedAccountsDataSize; meta has no costUnits; rewards are always [].
    * Airdrops have no per-request cap; when the same airdrop (recipient, amount, blockhash) repeats, a
      SetComputeUnitLimit instruction is added so it gets a new signature instead of being dropped.
    * The SlotHashes sysvar holds the recent slots with their blockhashes (not bank hashes), so address
      lookup tables can be created with a recent slot; the clock's unix_timestamp is wall-clock time.
    * A simulateTransaction of a signature that has landed but is not yet visible at the simulation's
      commitment answers err AlreadyProcessed (LiteSVM remembers it); a real node would simulate it.
    * The transaction history is kept for the server's lifetime; slot data (blockhashes, times, fees)
      for the last ~1,000 slots.
    * HTTP 429/503 fault answers carry a short text/plain body.
"""

import argparse
import base64
import bisect
import hashlib
import json
import os
import random
import signal
import struct
import sys
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import base58
from solders.clock import Clock
from solders.compute_budget import set_compute_unit_limit
from solders.hash import Hash
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.message import Message
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.system_program import TransferParams, transfer
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata
from solders.transaction_status import UiTransactionStatusMeta

# --- Constants ------------------------------------------------------------------------------------------------
SYSTEM_PROGRAM = "11111111111111111111111111111111"
TOKEN_PROGRAM = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
TOKEN_2022_PROGRAM = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"
TOKEN_PROGRAMS = (TOKEN_PROGRAM, TOKEN_2022_PROGRAM)
COMPUTE_BUDGET_PROGRAM = "ComputeBudget111111111111111111111111111111"
ADDRESS_LOOKUP_TABLE_PROGRAM = "AddressLookupTab1e1111111111111111111111111"
MEMO_PROGRAMS = ("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr", "Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo")

MAX_PROCESSING_AGE = 150  # blocks a blockhash stays valid for
STATUS_CACHE_SLOTS = 300  # slots getSignatureStatuses searches without searchTransactionHistory
PRIORITIZATION_FEE_SLOTS = 150
SLOTS_PER_EPOCH = 432_000
SLOT_HASHES_MAX = 512
U64_MAX = 2**64 - 1
PACKET_DATA_SIZE = 1232
MAX_BASE58_TX = 1683
MAX_BASE64_TX = 1644
MAX_MULTIPLE_ACCOUNTS = 100
MAX_SIGNATURE_STATUSES = 256
MAX_SIGNATURES_FOR_ADDRESS = 1000
MAX_PRIORITIZATION_FEE_ADDRESSES = 128
MAX_PROGRAM_ACCOUNT_FILTERS = 4
NODE_VERSION = "2.2.20"
FEATURE_SET = 3294202862
FAUCET_LAMPORTS = 2 * 10**18

TOKEN_ACCOUNT_LEN = 165
TOKEN_MINT_LEN = 82
ACCOUNT_TYPE_MINT = 1
ACCOUNT_TYPE_ACCOUNT = 2

COMMITMENTS = {
    "processed": "processed", "recent": "processed",
    "confirmed": "confirmed", "single": "confirmed", "singleGossip": "confirmed",
    "finalized": "finalized", "root": "finalized", "max": "finalized",
}

TRANSACTION_ERROR_TEXT = {
    "AccountInUse": "Account in use",
    "AccountLoadedTwice": "Account loaded twice",
    "AccountNotFound": "Attempt to debit an account but found no record of a prior credit.",
    "ProgramAccountNotFound": "Attempt to load a program that does not exist",
    "InsufficientFundsForFee": "Insufficient funds for fee",
    "InvalidAccountForFee": "This account may not be used to pay transaction fees",
    "AlreadyProcessed": "This transaction has already been processed",
    "BlockhashNotFound": "Blockhash not found",
    "CallChainTooDeep": "Loader call chain is too deep",
    "MissingSignatureForFee": "Transaction requires a fee but has no signature present",
    "InvalidAccountIndex": "Transaction contains an invalid account reference",
    "SignatureFailure": "Transaction did not pass signature verification",
    "InvalidProgramForExecution": "This program may not be used for executing instructions",
    "SanitizeFailure": "Transaction failed to sanitize accounts offsets correctly",
    "ClusterMaintenance": "Transactions are currently disabled due to cluster maintenance",
    "AccountBorrowOutstanding": "Transaction processing left an account with an outstanding borrowed reference",
    "WouldExceedMaxBlockCostLimit": "Transaction would exceed max Block Cost Limit",
    "UnsupportedVersion": "Transaction version is unsupported",
    "InvalidWritableAccount": "Transaction loads a writable account that cannot be written",
    "WouldExceedMaxAccountCostLimit": "Transaction would exceed max account limit within the block",
    "WouldExceedAccountDataBlockLimit": "Transaction would exceed account data limit within the block",
    "TooManyAccountLocks": "Transaction locked too many accounts",
    "AddressLookupTableNotFound": "Transaction loads an address table account that doesn't exist",
    "InvalidAddressLookupTableOwner": "Transaction loads an address table account with an invalid owner",
    "InvalidAddressLookupTableData": "Transaction loads an address table account with invalid data",
    "InvalidAddressLookupTableIndex": "Transaction address table lookup uses an invalid index",
    "InvalidRentPayingAccount": "Transaction leaves an account with a lower balance than rent-exempt minimum",
    "WouldExceedMaxVoteCostLimit": "Transaction would exceed max Vote Cost Limit",
    "WouldExceedAccountDataTotalLimit": "Transaction would exceed total account data limit",
    "MaxLoadedAccountsDataSizeExceeded": "Transaction exceeded max loaded accounts data size cap",
    "InvalidLoadedAccountsDataSizeLimit": "LoadedAccountsDataSizeLimit set for transaction must be greater than 0.",
    "ResanitizationNeeded": "ResanitizationNeeded",
    "UnbalancedTransaction": "Sum of account balances before and after transaction do not match",
    "ProgramCacheHitMaxLimit": "Program cache hit max limit",
}

INSTRUCTION_ERROR_TEXT = {
    "GenericError": "generic instruction error",
    "InvalidArgument": "invalid program argument",
    "InvalidInstructionData": "invalid instruction data",
    "InvalidAccountData": "invalid account data for instruction",
    "AccountDataTooSmall": "account data too small for instruction",
    "InsufficientFunds": "insufficient funds for instruction",
    "IncorrectProgramId": "incorrect program id for instruction",
    "MissingRequiredSignature": "missing required signature for instruction",
    "AccountAlreadyInitialized": "instruction requires an uninitialized account",
    "UninitializedAccount": "instruction requires an initialized account",
    "UnbalancedInstruction": "sum of account balances before and after instruction do not match",
    "ModifiedProgramId": "instruction illegally modified the program id of an account",
    "ExternalAccountLamportSpend": "instruction spent from the balance of an account it does not own",
    "ExternalAccountDataModified": "instruction modified data of an account it does not own",
    "ReadonlyLamportChange": "instruction changed the balance of a read-only account",
    "ReadonlyDataModified": "instruction modified data of a read-only account",
    "DuplicateAccountIndex": "instruction contains duplicate accounts",
    "ExecutableModified": "instruction changed executable bit of an account",
    "RentEpochModified": "instruction modified rent epoch of an account",
    "NotEnoughAccountKeys": "insufficient account keys for instruction",
    "AccountDataSizeChanged": "program other than the account's owner changed the size of the account data",
    "AccountNotExecutable": "instruction expected an executable account",
    "AccountBorrowFailed": "instruction tries to borrow reference for an account which is already borrowed",
    "AccountBorrowOutstanding": "instruction left account with an outstanding borrowed reference",
    "DuplicateAccountOutOfSync": "instruction modifications of multiply-passed account differ",
    "InvalidError": "program returned invalid error code",
    "ExecutableDataModified": "instruction changed executable accounts data",
    "ExecutableLamportChange": "instruction changed the balance of a executable account",
    "ExecutableAccountNotRentExempt": "executable accounts must be rent exempt",
    "UnsupportedProgramId": "Unsupported program id",
    "CallDepth": "Cross-program invocation call depth too deep",
    "MissingAccount": "An account required by the instruction is missing",
    "ReentrancyNotAllowed": "Cross-program invocation reentrancy not allowed for this instruction",
    "MaxSeedLengthExceeded": "Length of the seed is too long for address generation",
    "InvalidSeeds": "Provided seeds do not result in a valid address",
    "InvalidRealloc": "Failed to reallocate account data",
    "ComputationalBudgetExceeded": "Computational budget exceeded",
    "PrivilegeEscalation": "Cross-program invocation with unauthorized signer or writable account",
    "ProgramEnvironmentSetupFailure": "Failed to create program execution environment",
    "ProgramFailedToComplete": "Program failed to complete",
    "ProgramFailedToCompile": "Program failed to compile",
    "Immutable": "Account is immutable",
    "IncorrectAuthority": "Incorrect authority provided",
    "AccountNotRentExempt": "An account does not have enough lamports to be rent-exempt",
    "InvalidAccountOwner": "Invalid account owner",
    "ArithmeticOverflow": "Program arithmetic overflowed",
    "UnsupportedSysvar": "Unsupported sysvar",
    "IllegalOwner": "Provided owner is not allowed",
    "MaxAccountsDataAllocationsExceeded": "Accounts data allocations exceeded the maximum allowed per transaction",
    "MaxAccountsExceeded": "Max accounts exceeded",
    "MaxInstructionTraceLengthExceeded": "Max instruction trace length exceeded",
    "BuiltinProgramsMustConsumeComputeUnits": "Builtin programs must consume compute units",
}


# --- Errors and small helpers ---------------------------------------------------------------------------------
class RpcError(Exception):
    """A JSON-RPC error answer."""

    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_json(self):
        error = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


class SendErrorAnswer(RpcError):
    """The send_error fault: the transaction went on as sent, the answer is an error (HTTP 503 for a single
    request, chosen at random, or this JSON-RPC error)."""

    def __init__(self):
        super().__init__(-32603, "Internal error")


class HttpFault(Exception):
    """A fault answered at the HTTP level instead of a JSON-RPC answer."""

    def __init__(self, status, body):
        super().__init__(status)
        self.status = status
        self.body = body


def is_rate(value):
    return not isinstance(value, bool) and isinstance(value, (int, float)) and 0 <= value <= 1


def invalid_params(message):
    return RpcError(-32602, message)


def error_json(err):
    """A solders TransactionErrorType as the RPC's JSON (e.g. {"InstructionError": [1, {"Custom": 1}]})."""
    if err is None:
        return None
    try:
        return json.loads(UiTransactionStatusMeta(err, 0, [], []).to_json())["err"]
    except Exception:  # an error type solders cannot put in a meta: keep its name
        return str(err).split(".")[-1]


def instruction_error_text(err):
    if isinstance(err, str):
        return INSTRUCTION_ERROR_TEXT.get(err, err)
    if isinstance(err, dict) and len(err) == 1:
        (name, value), = err.items()
        if name == "Custom":
            return f"custom program error: {value:#x}"
        if name == "BorshIoError":
            return f"Failed to serialize or deserialize account data: {value}"
        return f"{name}({value})"
    return str(err)


def error_text(err):
    """The Display text of a TransactionError given as RPC JSON, as the real node puts it in messages."""
    if isinstance(err, str):
        return TRANSACTION_ERROR_TEXT.get(err, err)
    if isinstance(err, dict) and len(err) == 1:
        (name, value), = err.items()
        if name == "InstructionError":
            return f"Error processing Instruction {value[0]}: {instruction_error_text(value[1])}"
        if name == "DuplicateInstruction":
            return f"Transaction contains a duplicate instruction ({value}) that is not allowed"
        if name == "InsufficientFundsForRent":
            return f"Transaction results in an account ({value['account_index']}) with insufficient funds for rent"
        if name == "ProgramExecutionTemporarilyRestricted":
            return (f"Execution of the program referenced by account at index {value['account_index']} "
                    "is temporarily restricted.")
    return json.dumps(err)


def b58(data):
    return base58.b58encode(bytes(data)).decode()


def b64(data):
    return base64.b64encode(bytes(data)).decode()


def real_number_string_trimmed(amount, decimals):
    if decimals == 0:
        return str(amount)
    text = str(amount).rjust(decimals + 1, "0")
    text = text[:-decimals] + "." + text[-decimals:]
    return text.rstrip("0").rstrip(".")


def ui_token_amount(amount, decimals):
    return {
        "amount": str(amount),
        "decimals": decimals,
        "uiAmount": amount / (10**decimals),
        "uiAmountString": real_number_string_trimmed(amount, decimals),
    }


def token_account_fields(owner, data):
    """(mint, owner, amount) of an initialized SPL Token / Token-2022 account, else None."""
    if owner not in TOKEN_PROGRAMS:
        return None
    data = bytes(data)
    if len(data) < TOKEN_ACCOUNT_LEN:
        return None
    if len(data) > TOKEN_ACCOUNT_LEN and (owner != TOKEN_2022_PROGRAM or data[TOKEN_ACCOUNT_LEN] != ACCOUNT_TYPE_ACCOUNT):
        return None
    if data[108] == 0:  # AccountState::Uninitialized
        return None
    return b58(data[0:32]), b58(data[32:64]), struct.unpack_from("<Q", data, 64)[0]


def mint_fields(owner, data):
    """(supply, decimals) of an initialized SPL Token / Token-2022 mint, else None."""
    if owner not in TOKEN_PROGRAMS:
        return None
    data = bytes(data)
    if len(data) == TOKEN_MINT_LEN:
        pass
    elif owner == TOKEN_2022_PROGRAM and len(data) > TOKEN_ACCOUNT_LEN and data[TOKEN_ACCOUNT_LEN] == ACCOUNT_TYPE_MINT:
        pass
    else:
        return None
    if data[45] == 0:  # is_initialized
        return None
    return struct.unpack_from("<Q", data, 36)[0], data[44]


def read_compact_u16(data, offset):
    value, shift = 0, 0
    for i in range(3):
        byte = data[offset + i]
        value |= (byte & 0x7F) << shift
        if byte & 0x80 == 0:
            return value, offset + i + 1
        shift += 7
    raise ValueError("bad compact-u16")


def blockhash_offset(raw):
    """Offset of the recent blockhash inside a serialized transaction."""
    count, offset = read_compact_u16(raw, 0)
    offset += 64 * count
    if raw[offset] & 0x80:
        offset += 1  # version prefix
    offset += 3  # header
    keys, offset = read_compact_u16(raw, offset)
    return offset + 32 * keys


def parse_pubkey(text, what="Invalid param"):
    if not isinstance(text, str):
        raise invalid_params(f"{what}: expected a base58 public key string, got {json.dumps(text)}")
    try:
        return Pubkey.from_string(text)
    except Exception:
        raise invalid_params(f"{what}: Invalid public key {text!r}")


def parse_signature(text):
    if not isinstance(text, str):
        raise invalid_params(f"Invalid param: expected a base58 signature string, got {json.dumps(text)}")
    try:
        return Signature.from_string(text)
    except Exception:
        raise invalid_params(f"Invalid param: Invalid signature {text!r}")


def param(params, index, name, kind=None, required=True):
    if index >= len(params) or params[index] is None:
        if required:
            raise invalid_params(f"Invalid params: missing parameter {index + 1} ({name})")
        return None
    value = params[index]
    if kind is not None and not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise invalid_params(f"Invalid params: parameter {index + 1} ({name}) has the wrong type: {json.dumps(value)}")
    return value


def config_param(params, index):
    value = param(params, index, "config", dict, required=False)
    return value or {}


def int_field(config, name, default=None, minimum=0):
    value = config.get(name, default)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise invalid_params(f"Invalid params: {name} must be an integer >= {minimum}, got {json.dumps(value)}")
    return value


def bool_field(config, name, default=False):
    value = config.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise invalid_params(f"Invalid params: {name} must be a boolean, got {json.dumps(value)}")
    return value


def commitment_of(config, default="finalized"):
    value = config.get("commitment")
    if value is None:
        return default
    if value not in COMMITMENTS:
        raise invalid_params(
            f"Invalid params: unknown commitment {json.dumps(value)}; expected processed, confirmed or finalized")
    return COMMITMENTS[value]


def decode_transaction(data, encoding):
    """The raw bytes and the VersionedTransaction of an encoded wire transaction, or an -32602 error."""
    name = "solana_transaction::versioned::VersionedTransaction"
    if not isinstance(data, str):
        raise invalid_params("Invalid params: the transaction must be an encoded string")
    if encoding == "base58":
        if len(data) > MAX_BASE58_TX:
            raise invalid_params(
                f"base58 encoded {name} too large: {len(data)} bytes (max: encoded/raw {MAX_BASE58_TX}/{PACKET_DATA_SIZE})")
        try:
            raw = base58.b58decode(data)
        except Exception as error:
            raise invalid_params(f"invalid base58 encoding: {error}")
    elif encoding == "base64":
        if len(data) > MAX_BASE64_TX:
            raise invalid_params(
                f"base64 encoded {name} too large: {len(data)} bytes (max: encoded/raw {MAX_BASE64_TX}/{PACKET_DATA_SIZE})")
        try:
            raw = base64.b64decode(data, validate=True)
        except Exception as error:
            raise invalid_params(f"invalid base64 encoding: {error}")
    else:
        raise invalid_params(f"unsupported encoding: {encoding}. Supported encodings: base58, base64")
    if len(raw) > PACKET_DATA_SIZE:
        raise invalid_params(f"decoded {name} too large: {len(raw)} bytes (max: {PACKET_DATA_SIZE} bytes)")
    try:
        tx = VersionedTransaction.from_bytes(raw)
    except Exception as error:
        raise invalid_params(f"failed to deserialize {name}: {error}")
    if bytes(tx) != raw:
        raise invalid_params(f"failed to deserialize {name}: trailing or non-canonical bytes")
    return raw, tx


def transaction_encoding(config, default="base58"):
    encoding = config.get("encoding") or default
    if encoding not in ("base58", "base64"):
        raise invalid_params(f"unsupported encoding: {encoding}. Supported encodings: base58, base64")
    return encoding


# --- Transaction records ----------------------------------------------------------------------------------------
class TxRecord:
    """A transaction that landed in a slot: what getTransaction, getSignatureStatuses and the address index
    need."""

    __slots__ = ("signature", "slot", "seq", "block_time", "raw", "tx", "version", "keys", "loaded_writable",
                 "loaded_readonly", "writable", "err", "logs", "fee", "pre_balances", "post_balances",
                 "pre_token_balances", "post_token_balances", "inner_instructions", "compute_units",
                 "return_data", "memo", "cu_price")


class Chain:
    """LiteSVM plus the node's bookkeeping. Every method must be called with `self.lock` held."""

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
                       "hidden": 0},
            "transactions": {"executed": 0, "succeeded": 0, "failed": 0, "dropped": 0, "not_landed": 0,
                             "preflight_failed": 0, "airdrops": 0, "held": 0, "held_late": 0, "landed_late": 0,
                             "landed_with_error_answer": 0},
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

    def bank_slot(self, commitment):
        if commitment == "processed":
            return self.slot
        depth = self.confirm_depth if commitment == "confirmed" else self.finalize_depth
        return max(0, self.slot - depth)

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

    @staticmethod
    def writable_keys(tx, loaded_writable):
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

    @staticmethod
    def compute_unit_price(tx):
        message = tx.message
        price = 0
        keys = list(message.account_keys)
        for instruction in message.instructions:
            if instruction.program_id_index < len(keys) and str(keys[instruction.program_id_index]) == COMPUTE_BUDGET_PROGRAM:
                data = bytes(instruction.data)
                if len(data) == 9 and data[0] == 3:
                    price = struct.unpack_from("<Q", data, 1)[0]
        return price

    @staticmethod
    def memo_of(tx):
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
        record.writable = self.writable_keys(tx, loaded_writable)
        record.err = err
        record.logs = list(meta.logs())
        record.fee = meta.fee()
        record.pre_balances, record.post_balances = pre_balances, post_balances
        record.pre_token_balances, record.post_token_balances = pre_tokens, post_tokens
        record.inner_instructions = []
        for index, inner in enumerate(meta.inner_instructions()):
            if inner:
                record.inner_instructions.append({
                    "index": index,
                    "instructions": [{
                        "programIdIndex": item.instruction().program_id_index,
                        "accounts": list(bytes(item.instruction().accounts)),
                        "data": b58(item.instruction().data),
                        "stackHeight": item.stack_height(),
                    } for item in inner],
                })
        record.compute_units = meta.compute_units_consumed()
        return_data = meta.return_data()
        record.return_data = None
        if return_data is not None and bytes(return_data.data):
            record.return_data = {"programId": str(return_data.program_id), "data": [b64(return_data.data), "base64"]}
        record.memo = self.memo_of(tx)
        record.cu_price = self.compute_unit_price(tx)

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
                        self.return_data_json(meta), meta.fee())
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

    @staticmethod
    def return_data_json(meta):
        return_data = meta.return_data()
        if return_data is None or not bytes(return_data.data):
            return None
        return {"programId": str(return_data.program_id), "data": [b64(return_data.data), "base64"]}

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
            value["returnData"] = self.return_data_json(meta)
            value["fee"] = meta.fee()
            if inner_wanted:
                value["innerInstructions"] = [{
                    "index": index,
                    "instructions": [{
                        "programIdIndex": item.instruction().program_id_index,
                        "accounts": list(bytes(item.instruction().accounts)),
                        "data": b58(item.instruction().data),
                        "stackHeight": item.stack_height(),
                    } for item in inner],
                } for index, inner in enumerate(meta.inner_instructions()) if inner]
            if accounts_config is not None:
                value["accounts"] = []
                for key in account_keys:
                    account = post_accounts.get(str(key)) if value["err"] is None else None
                    if account is None and value["err"] is None:
                        account = self.svm.get_account(key)
                    value["accounts"].append(ui_account(account, account_encoding) if account is not None else None)
        return {"context": self.context(bank_slot), "value": value}


def check_account_encoding(encoding):
    if encoding not in ("base64", "base58", "binary"):
        raise invalid_params(
            f"Invalid params: unsupported account encoding {json.dumps(encoding)}: this local chain serves "
            "base64 (and base58); jsonParsed and base64+zstd are not supported")


def ui_account(account, encoding, data_slice=None):
    data = bytes(account.data)
    full_length = len(data)
    if data_slice is not None:
        data = data[data_slice[0]:data_slice[0] + data_slice[1]]
    if encoding == "base64":
        encoded = [b64(data), "base64"]
    else:
        if len(data) > 128:  # the real node answers InvalidRequest here
            raise RpcError(-32600, "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.")
        # base58 is [data, "base58"]; the legacy default "binary" is a bare base58 string
        encoded = [b58(data), "base58"] if encoding == "base58" else b58(data)
    return {
        "data": encoded,
        "executable": account.executable,
        "lamports": account.lamports,
        "owner": str(account.owner),
        "rentEpoch": U64_MAX,
        "space": full_length,
    }


def account_options(config, default_encoding):
    encoding = config.get("encoding") or default_encoding
    check_account_encoding(encoding)
    data_slice = config.get("dataSlice")
    if data_slice is not None:
        if not isinstance(data_slice, dict):
            raise invalid_params("Invalid params: dataSlice must be {\"offset\": n, \"length\": n}")
        data_slice = (int_field(data_slice, "offset", 0), int_field(data_slice, "length", 0))
    return encoding, data_slice


# --- The JSON-RPC methods -------------------------------------------------------------------------------------
class Node:
    """The JSON-RPC methods, the fault injector and the control API over one Chain."""

    def __init__(self, chain, seed, verbose=False):
        self.chain = chain
        self.rng = random.Random(seed)
        self.rng_lock = threading.Lock()
        self.verbose = verbose
        self.faults = {"drop_rate": 0.0, "rate_429": 0.0, "rate_5xx": 0.0, "latency_ms": 0, "paused": False, "stalled": False,
                       "send_error_rate": 0.0, "late_rate": 0.0, "late_slots": 5, "method_errors": {},
                       "hidden": {"signatures": [], "accounts": []}}
        self.hidden_signatures = frozenset()
        self.hidden_accounts = frozenset()
        # Where JSON-RPC is served and the credentials it asks for (--rpc-path, --basic-auth, --api-key).
        self.rpc_path, self.basic_auth, self.api_key = "/", None, None
        self.methods = {
            "getHealth": self.get_health,
            "getVersion": self.get_version,
            "getGenesisHash": self.get_genesis_hash,
            "getSlot": self.get_slot,
            "getBlockHeight": self.get_block_height,
            "getEpochInfo": self.get_epoch_info,
            "getTransactionCount": self.get_transaction_count,
            "getBlockTime": self.get_block_time,
            "getLatestBlockhash": self.get_latest_blockhash,
            "isBlockhashValid": self.is_blockhash_valid,
            "getMinimumBalanceForRentExemption": self.get_minimum_balance_for_rent_exemption,
            "getBalance": self.get_balance,
            "getAccountInfo": self.get_account_info,
            "getMultipleAccounts": self.get_multiple_accounts,
            "requestAirdrop": self.request_airdrop,
            "sendTransaction": self.send_transaction,
            "simulateTransaction": self.simulate_transaction,
            "getSignatureStatuses": self.get_signature_statuses,
            "getRecentPrioritizationFees": self.get_recent_prioritization_fees,
            "getTransaction": self.get_transaction,
            "getSignaturesForAddress": self.get_signatures_for_address,
            "getTokenSupply": self.get_token_supply,
            "getTokenAccountBalance": self.get_token_account_balance,
            "getTokenAccountsByOwner": self.get_token_accounts_by_owner,
            "getProgramAccounts": self.get_program_accounts,
        }

    def roll(self, rate):
        if rate <= 0:
            return False
        with self.rng_lock:
            return self.rng.random() < rate

    # Dispatch ---------------------------------------------------------------------------------------------
    def handle_body(self, body):
        """The response object (or list) for a POST / body, or None when there is nothing to answer."""
        try:
            request = json.loads(body)
        except Exception:
            return {"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": None}
        if isinstance(request, list):
            if not request:
                return {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid request"}, "id": None}
            answers = [answer for answer in (self.handle_one(item, batch=True) for item in request) if answer is not None]
            return answers or None
        return self.handle_one(request)

    def handle_one(self, request, batch=False):
        """The answer to one request (None for a notification). Outside a batch the send_error fault may
        raise HttpFault instead (HTTP 503)."""
        if not isinstance(request, dict):
            return {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid request"}, "id": None}
        request_id = request.get("id")
        if request.get("jsonrpc") != "2.0" or not isinstance(request.get("method"), str):
            return {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid request"}, "id": request_id}
        method = request["method"]
        with self.chain.lock:
            requests = self.chain.counters["requests"]
            requests[method] = requests.get(method, 0) + 1
        function = self.methods.get(method)
        try:
            if function is None:
                raise RpcError(-32601, "Method not found")
            method_error = self.faults["method_errors"].get(method)
            if method_error is not None and self.roll(method_error["rate"]):
                with self.chain.lock:
                    self.chain.counters["faults"]["method_error"] += 1
                raise RpcError(method_error["code"], method_error["message"])
            params = request.get("params")
            if params is None:
                params = []
            if not isinstance(params, list):
                raise invalid_params("Invalid params: params must be an array of positional parameters")
            with self.chain.lock:
                answer = {"jsonrpc": "2.0", "result": function(params), "id": request_id}
        except RpcError as error:
            if isinstance(error, SendErrorAnswer) and not batch and self.roll(0.5):
                raise HttpFault(503, b"Service Unavailable\n")
            answer = {"jsonrpc": "2.0", "error": error.to_json(), "id": request_id}
        except Exception as error:  # a bug here: report it, keep serving
            traceback.print_exc(file=sys.stderr)
            answer = {"jsonrpc": "2.0", "error": {"code": -32603, "message": "Internal error",
                                                  "data": f"{type(error).__name__}: {error}"}, "id": request_id}
        if "id" not in request:
            return None  # a notification
        return answer

    # Cluster ----------------------------------------------------------------------------------------------
    def get_health(self, params):
        return "ok"

    def get_version(self, params):
        return {"solana-core": NODE_VERSION, "feature-set": FEATURE_SET}

    def get_genesis_hash(self, params):
        return self.chain.genesis_hash

    def get_slot(self, params):
        return self.chain.bank(config_param(params, 0))

    def get_block_height(self, params):
        return self.chain.height_at(self.chain.bank(config_param(params, 0)))

    def transaction_count_at(self, slot):
        return bisect.bisect_right(self.chain.record_slots, slot)

    def get_epoch_info(self, params):
        slot = self.chain.bank(config_param(params, 0))
        return {
            "absoluteSlot": slot,
            "blockHeight": self.chain.height_at(slot),
            "epoch": slot // SLOTS_PER_EPOCH,
            "slotIndex": slot % SLOTS_PER_EPOCH,
            "slotsInEpoch": SLOTS_PER_EPOCH,
            "transactionCount": self.transaction_count_at(slot),
        }

    def get_transaction_count(self, params):
        return self.transaction_count_at(self.chain.bank(config_param(params, 0)))

    def get_block_time(self, params):
        slot = param(params, 0, "slot", int)
        info = self.chain.slots.get(slot)
        if info is None or slot > self.chain.bank_slot("confirmed"):
            raise RpcError(-32004, f"Block not available for slot {slot}")
        return info["time"]

    def get_latest_blockhash(self, params):
        slot = self.chain.bank(config_param(params, 0))
        info = self.chain.slots[slot]
        return {"context": self.chain.context(slot),
                "value": {"blockhash": info["blockhash"], "lastValidBlockHeight": info["height"] + MAX_PROCESSING_AGE}}

    def is_blockhash_valid(self, params):
        blockhash = param(params, 0, "blockhash", str)
        try:
            if len(base58.b58decode(blockhash)) != 32:
                raise ValueError
        except Exception:
            raise invalid_params(f"Invalid param: Invalid hash {blockhash!r}")
        slot = self.chain.bank(config_param(params, 1))
        return {"context": self.chain.context(slot), "value": self.chain.blockhash_valid(blockhash, slot)}

    def get_minimum_balance_for_rent_exemption(self, params):
        size = param(params, 0, "data length", int)
        if size < 0:
            raise invalid_params("Invalid params: the data length must not be negative")
        self.chain.bank(config_param(params, 1))
        return self.chain.svm.minimum_balance_for_rent_exemption(size)

    # Accounts ---------------------------------------------------------------------------------------------
    def visible_account(self, key):
        """The account, or None when the hidden fault hides it (counted) or it does not exist."""
        if str(key) in self.hidden_accounts:
            self.chain.counters["faults"]["hidden"] += 1
            return None
        return self.chain.svm.get_account(key)

    def signature_hidden(self, signature):
        """Whether the hidden fault hides this signature (counted when it does)."""
        if signature in self.hidden_signatures:
            self.chain.counters["faults"]["hidden"] += 1
            return True
        return False

    def get_balance(self, params):
        key = parse_pubkey(param(params, 0, "pubkey"))
        slot = self.chain.bank(config_param(params, 1))
        account = self.visible_account(key)
        return {"context": self.chain.context(slot), "value": account.lamports if account is not None else 0}

    def get_account_info(self, params):
        key = parse_pubkey(param(params, 0, "pubkey"))
        config = config_param(params, 1)
        slot = self.chain.bank(config)
        encoding, data_slice = account_options(config, "binary")
        account = self.visible_account(key)
        value = ui_account(account, encoding, data_slice) if account is not None else None
        return {"context": self.chain.context(slot), "value": value}

    def get_multiple_accounts(self, params):
        texts = param(params, 0, "pubkeys", list)
        if len(texts) > MAX_MULTIPLE_ACCOUNTS:
            raise invalid_params(f"Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}")
        keys = [parse_pubkey(text) for text in texts]
        config = config_param(params, 1)
        slot = self.chain.bank(config)
        encoding, data_slice = account_options(config, "base64")
        values = []
        for key in keys:
            account = self.visible_account(key)
            values.append(ui_account(account, encoding, data_slice) if account is not None else None)
        return {"context": self.chain.context(slot), "value": values}

    def request_airdrop(self, params):
        key = parse_pubkey(param(params, 0, "pubkey"))
        lamports = param(params, 1, "lamports", int)
        if lamports <= 0 or lamports > U64_MAX:
            raise invalid_params("Invalid params: lamports must be a positive u64")
        self.chain.bank(config_param(params, 2))
        return self.chain.airdrop(key, lamports)

    def program_accounts(self, program):
        accounts = self.chain.svm.get_program_accounts(program)
        return sorted(((str(key), account) for key, account in accounts if account.lamports > 0),
                      key=lambda item: bytes(Pubkey.from_string(item[0])))

    def get_program_accounts(self, params):
        program = parse_pubkey(param(params, 0, "program id"))
        config = config_param(params, 1)
        slot = self.chain.bank(config)
        encoding, data_slice = account_options(config, "binary")
        filters = config.get("filters") or []
        if not isinstance(filters, list):
            raise invalid_params("Invalid params: filters must be an array")
        if len(filters) > MAX_PROGRAM_ACCOUNT_FILTERS:
            raise invalid_params(f"Too many filters provided; max {MAX_PROGRAM_ACCOUNT_FILTERS}")
        checks = [self.parse_filter(item) for item in filters]
        owner = str(program)
        values = []
        for key, account in self.program_accounts(program):
            data = bytes(account.data)
            if all(check(owner, data) for check in checks):
                values.append({"pubkey": key, "account": ui_account(account, encoding, data_slice)})
        if bool_field(config, "withContext"):
            return {"context": self.chain.context(slot), "value": values}
        return values

    @staticmethod
    def parse_filter(item):
        if not isinstance(item, dict) or len(item) != 1:
            raise invalid_params(f"Invalid params: bad filter {json.dumps(item)}")
        (kind, value), = item.items()
        if kind == "dataSize":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise invalid_params(f"Invalid params: bad dataSize filter {json.dumps(value)}")
            return lambda owner, data: len(data) == value
        if kind == "memcmp":
            if not isinstance(value, dict) or not isinstance(value.get("bytes"), str):
                raise invalid_params(f"Invalid params: bad memcmp filter {json.dumps(value)}")
            offset = int_field(value, "offset", 0)
            encoding = value.get("encoding") or "base58"
            try:
                if encoding == "base58":
                    if len(value["bytes"]) > 175:
                        raise ValueError("base58 bytes longer than 175 characters")
                    expected = base58.b58decode(value["bytes"])
                elif encoding == "base64":
                    expected = base64.b64decode(value["bytes"], validate=True)
                else:
                    raise ValueError(f"unknown encoding {encoding}")
            except Exception as error:
                raise invalid_params(f"Invalid param: memcmp bytes could not be decoded: {error}")
            if len(expected) > 128:
                raise invalid_params("Invalid param: memcmp bytes longer than 128 bytes")
            return lambda owner, data: data[offset:offset + len(expected)] == expected
        if kind == "tokenAccountState":
            return lambda owner, data: token_account_fields(owner, data) is not None
        raise invalid_params(f"Invalid params: unknown filter {json.dumps(kind)}")

    # Tokens -----------------------------------------------------------------------------------------------
    def get_token_supply(self, params):
        key = parse_pubkey(param(params, 0, "mint"))
        slot = self.chain.bank(config_param(params, 1))
        account = self.chain.svm.get_account(key)
        if account is None:
            raise invalid_params("Invalid param: could not find account")
        info = mint_fields(str(account.owner), account.data)
        if info is None:
            raise invalid_params("Invalid param: not a Token mint")
        return {"context": self.chain.context(slot), "value": ui_token_amount(info[0], info[1])}

    def get_token_account_balance(self, params):
        key = parse_pubkey(param(params, 0, "token account"))
        slot = self.chain.bank(config_param(params, 1))
        account = self.chain.svm.get_account(key)
        if account is None:
            raise invalid_params("Invalid param: could not find account")
        fields = token_account_fields(str(account.owner), account.data)
        if fields is None:
            raise invalid_params("Invalid param: not a Token account")
        mint = self.chain.svm.get_account(Pubkey.from_string(fields[0]))
        info = mint_fields(str(mint.owner), mint.data) if mint is not None else None
        if info is None:
            raise invalid_params("Invalid param: could not find mint")
        return {"context": self.chain.context(slot), "value": ui_token_amount(fields[2], info[1])}

    def get_token_accounts_by_owner(self, params):
        owner = parse_pubkey(param(params, 0, "owner"))
        selector = param(params, 1, "filter ({\"mint\": ...} or {\"programId\": ...})", dict)
        config = config_param(params, 2)
        slot = self.chain.bank(config)
        encoding, data_slice = account_options(config, "binary")
        mint = None
        if "mint" in selector and "programId" not in selector:
            mint = parse_pubkey(selector["mint"])
            mint_account = self.chain.svm.get_account(mint)
            if mint_account is None or mint_fields(str(mint_account.owner), mint_account.data) is None:
                raise invalid_params("Invalid param: could not find mint")
            program = mint_account.owner
        elif "programId" in selector and "mint" not in selector:
            program = parse_pubkey(selector["programId"])
            if str(program) not in TOKEN_PROGRAMS:
                raise invalid_params("Invalid param: unrecognized Token program id")
        else:
            raise invalid_params("Invalid params: the filter must be {\"mint\": ...} or {\"programId\": ...}")
        values = []
        for key, account in self.program_accounts(program):
            fields = token_account_fields(str(account.owner), account.data)
            if fields is None or fields[1] != str(owner) or (mint is not None and fields[0] != str(mint)):
                continue
            values.append({"pubkey": key, "account": ui_account(account, encoding, data_slice)})
        return {"context": self.chain.context(slot), "value": values}

    # Transactions -----------------------------------------------------------------------------------------
    def send_transaction(self, params):
        data = param(params, 0, "transaction", str)
        config = config_param(params, 1)
        faults = self.faults
        signature, outcome = self.chain.send(
            data, config, lambda: self.roll(faults["drop_rate"]),
            lambda: faults["late_slots"] if self.roll(faults["late_rate"]) else None)
        if outcome in ("duplicate", "dropped") or not self.roll(faults["send_error_rate"]):
            return signature
        counters = self.chain.counters
        counters["faults"]["send_error"] += 1
        if outcome == "landed":
            counters["transactions"]["landed_with_error_answer"] += 1
        elif outcome in ("held", "late"):
            self.chain.error_answered.add(signature)  # counted if it lands when forwarded
        raise SendErrorAnswer()

    def simulate_transaction(self, params):
        data = param(params, 0, "transaction", str)
        return self.chain.simulate(data, config_param(params, 1))

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
            if record is None or (not search_history and record.slot < chain.slot - STATUS_CACHE_SLOTS):
                values.append(None)
                continue
            if self.signature_hidden(signature):
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
        slot = self.chain.bank_slot(self.at_least_confirmed(config))
        record = self.chain.records.get(signature)
        if record is None or record.slot > slot or self.signature_hidden(signature):
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
        config = config_param(params, 1)
        limit = int_field(config, "limit", MAX_SIGNATURES_FOR_ADDRESS, minimum=1)
        if limit > MAX_SIGNATURES_FOR_ADDRESS:
            raise invalid_params(f"Invalid limit; max {MAX_SIGNATURES_FOR_ADDRESS}")
        before = config.get("before")
        until = config.get("until")
        before = str(parse_signature(before)) if before is not None else None
        until = str(parse_signature(until)) if until is not None else None
        chain = self.chain
        slot = chain.bank_slot(self.at_least_confirmed(config))
        min_context_slot = int_field(config, "minContextSlot")
        if min_context_slot is not None and slot < min_context_slot:
            raise RpcError(-32016, "Minimum context slot has not been reached", {"contextSlot": slot})
        records = chain.by_address.get(address, [])
        start = len(records)
        if before is not None:
            anchor = chain.records.get(before)
            if anchor is None:
                return []
            start = next((i for i in range(len(records) - 1, -1, -1) if records[i].seq < anchor.seq), -1) + 1
        until_seq = chain.records[until].seq if until is not None and until in chain.records else 0
        answer = []
        for record in reversed(records[:start]):
            if record.seq <= until_seq or len(answer) >= limit:
                break
            if record.slot > slot or self.signature_hidden(record.signature):
                continue
            answer.append({
                "signature": record.signature,
                "slot": record.slot,
                "err": record.err,
                "memo": record.memo,
                "blockTime": record.block_time,
                "confirmationStatus": chain.confirmation_status(record.slot),
            })
        return answer

    # Control ----------------------------------------------------------------------------------------------
    def control_state(self):
        with self.chain.lock:
            state = json.loads(json.dumps(self.faults))
            state["slot"] = self.chain.slot
            state["block_height"] = self.chain.height
            state["held"] = len(self.chain.held)
            state["held_late"] = len(self.chain.late)
            state["counters"] = json.loads(json.dumps(self.chain.counters))
            return state

    def control_update(self, update):
        if not isinstance(update, dict):
            raise ValueError("the control body must be a JSON object")
        known = {"drop_rate", "rate_429", "rate_5xx", "latency_ms", "paused", "stalled", "advance_slots", "reset_counters",
                 "send_error_rate", "late_rate", "late_slots", "method_errors", "hidden"}
        unknown = sorted(set(update) - known)
        if unknown:
            raise ValueError(f"unknown control field(s) {unknown}; known: {sorted(known)}")
        changes = {}
        for name in ("drop_rate", "rate_429", "rate_5xx", "send_error_rate", "late_rate"):
            if name in update:
                value = update[name]
                if not is_rate(value):
                    raise ValueError(f"{name} must be a number in [0, 1]")
                changes[name] = float(value)
        if "late_slots" in update:
            value = update["late_slots"]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PROCESSING_AGE:
                raise ValueError(f"late_slots must be an integer in [1, {MAX_PROCESSING_AGE}]")
            changes["late_slots"] = value
        if "method_errors" in update:
            changes["method_errors"] = self.parse_method_errors(update["method_errors"])
        hidden = None
        if "hidden" in update:
            changes["hidden"], hidden = self.parse_hidden(update["hidden"])
        if "latency_ms" in update:
            value = update["latency_ms"]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError("latency_ms must be a number >= 0")
            changes["latency_ms"] = value
        for name in ("paused", "stalled"):
            if name in update:
                if not isinstance(update[name], bool):
                    raise ValueError(f"{name} must be a boolean")
                changes[name] = update[name]
        advance = update.get("advance_slots", 0)
        if isinstance(advance, bool) or not isinstance(advance, int) or advance < 0 or advance > 100_000:
            raise ValueError("advance_slots must be an integer in [0, 100000]")
        with self.chain.lock:
            self.faults.update(changes)
            if hidden is not None:
                self.hidden_signatures, self.hidden_accounts = hidden
            if update.get("reset_counters"):
                self.chain.counters = Chain.new_counters()
            self.chain.advance(advance)
            if "stalled" in changes:
                self.chain.set_stalled(changes["stalled"])
        return self.control_state()

    def parse_method_errors(self, value):
        shape = 'method_errors must be an object {"<method>": {"rate": 0..1, "code": integer, "message": string}}'
        if not isinstance(value, dict):
            raise ValueError(shape)
        errors = {}
        for method, spec in value.items():
            if method not in self.methods:
                raise ValueError(f"method_errors: {method!r} is not a method this chain serves")
            if not isinstance(spec, dict) or set(spec) != {"rate", "code", "message"}:
                raise ValueError(f"method_errors[{method!r}]: {shape}")
            rate, code, message = spec["rate"], spec["code"], spec["message"]
            if not is_rate(rate):
                raise ValueError(f"method_errors[{method!r}].rate must be a number in [0, 1]")
            if isinstance(code, bool) or not isinstance(code, int) or not -2**31 <= code < 2**31:
                raise ValueError(f"method_errors[{method!r}].code must be a 32-bit integer")
            if not isinstance(message, str):
                raise ValueError(f"method_errors[{method!r}].message must be a string")
            errors[method] = {"rate": float(rate), "code": code, "message": message}
        return errors

    @staticmethod
    def parse_hidden(value):
        """The hidden fault's value as shown by GET /control, and as sets (signatures, accounts)."""
        shape = 'hidden must be an object {"signatures": [base58 signature...], "accounts": [base58 address...]}'
        if not isinstance(value, dict) or not set(value) <= {"signatures", "accounts"}:
            raise ValueError(shape)
        shown = {}
        for name, parse in (("signatures", Signature.from_string), ("accounts", Pubkey.from_string)):
            texts = value.get(name, [])
            if not isinstance(texts, list):
                raise ValueError(shape)
            parsed = []
            for text in texts:
                try:
                    if not isinstance(text, str):
                        raise ValueError
                    parsed.append(str(parse(text)))
                except Exception:
                    raise ValueError(f"hidden.{name}: {json.dumps(text)} is not a base58 "
                                     f"{'signature' if name == 'signatures' else 'address'}")
            shown[name] = list(dict.fromkeys(parsed))
        return shown, (frozenset(shown["signatures"]), frozenset(shown["accounts"]))


# --- HTTP -------------------------------------------------------------------------------------------------------
def make_handler(node):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # An answer goes out as headers, then body: with Nagle's algorithm on, the body waited for the client's delayed
        # ACK (about 40 ms a request on a kept-alive connection), which no real node adds.
        disable_nagle_algorithm = True
        server_version = "FlutterbyeLocalChain/1"

        def log_message(self, format, *args):
            if node.verbose:
                sys.stderr.write("local_chain: " + (format % args) + "\n")

        def reply(self, status, body, content_type="application/json", headers=()):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def reply_json(self, status, value):
            self.reply(status, json.dumps(value).encode())

        def read_body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""

        def path_only(self):
            return self.path.split("?", 1)[0]

        def authorized(self):
            """Whether the request carries the credentials --basic-auth and --api-key ask for."""
            if node.basic_auth is not None:
                expected = "Basic " + base64.b64encode(node.basic_auth.encode()).decode()
                if self.headers.get("Authorization") != expected:
                    return False
            if node.api_key is not None:
                query = urllib.parse.parse_qs(self.path.split("?", 1)[1] if "?" in self.path else "")
                if query.get("api-key") != [node.api_key]:
                    return False
            return True

        def do_GET(self):
            path = self.path_only()
            if path == "/control":
                self.reply_json(200, node.control_state())
            elif path == "/health":
                self.reply(200, b"ok", "text/plain")
            elif path == "/":
                self.reply(405, b"Used HTTP Method is not allowed. POST or OPTIONS is required", "text/plain")
            else:
                self.reply(404, b"Not Found", "text/plain")

        def do_POST(self):
            body = self.read_body()
            path = self.path_only()
            if path == "/control":
                try:
                    update = json.loads(body or b"{}")
                    self.reply_json(200, node.control_update(update))
                except (ValueError, TypeError) as error:
                    self.reply_json(400, {"error": str(error)})
                return
            if path != node.rpc_path:
                self.reply(404, b"Not Found", "text/plain")
                return
            if not self.authorized():
                self.reply(401, b"Unauthorized\n", "text/plain", [("WWW-Authenticate", 'Basic realm="rpc"')])
                return
            latency = node.faults["latency_ms"]
            if latency:
                time.sleep(latency / 1000)
            if node.roll(node.faults["rate_429"]):
                with node.chain.lock:
                    node.chain.counters["faults"]["http_429"] += 1
                self.reply(429, b"Too Many Requests\n", "text/plain", [("Retry-After", "1")])
                return
            if node.roll(node.faults["rate_5xx"]):
                with node.chain.lock:
                    node.chain.counters["faults"]["http_503"] += 1
                self.reply(503, b"Service Unavailable\n", "text/plain")
                return
            try:
                answer = node.handle_body(body)
            except HttpFault as fault:
                self.reply(fault.status, fault.body, "text/plain")
                return
            if answer is None:
                self.reply(200, b"")
            else:
                self.reply_json(200, answer)

    return Handler


def main(argv=None):
    parser = argparse.ArgumentParser(description="A local Solana JSON-RPC chain on LiteSVM (see the module docstring).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--slot-ms", type=float, default=100, help="slot time in ms; 0 stops the timer")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--confirm-depth", type=int, default=1)
    parser.add_argument("--finalize-depth", type=int, default=32)
    parser.add_argument("--genesis-hash", default=None, help="base58 32-byte hash getGenesisHash answers")
    parser.add_argument("--rpc-path", default="/", help="the path JSON-RPC is served at (a provider's /v2/KEY)")
    parser.add_argument("--basic-auth", default=None, help="USER:PASSWORD every JSON-RPC request must carry (401 otherwise)")
    parser.add_argument("--api-key", default=None, help="the api-key query parameter every JSON-RPC request must carry")
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="log HTTP requests to stderr")
    args = parser.parse_args(argv)
    if args.confirm_depth < 0 or args.finalize_depth < args.confirm_depth:
        parser.error("need 0 <= --confirm-depth <= --finalize-depth")
    genesis_hash = args.genesis_hash or b58(hashlib.sha256(b"flutterbye-local-chain-genesis").digest())
    try:
        if len(base58.b58decode(genesis_hash)) != 32:
            raise ValueError
    except Exception:
        parser.error("--genesis-hash must be a base58 32-byte hash")

    chain = Chain(args.confirm_depth, args.finalize_depth, args.seed, genesis_hash)
    if not args.rpc_path.startswith("/") or "?" in args.rpc_path or args.rpc_path == "/control":
        parser.error("--rpc-path must be a path starting with / (not /control), without a query")
    node = Node(chain, args.seed, args.verbose)
    node.rpc_path, node.basic_auth, node.api_key = args.rpc_path, args.basic_auth, args.api_key
    server = ThreadingHTTPServer((args.host, args.port), make_handler(node))
    server.daemon_threads = True
    host, port = server.server_address[:2]
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}"

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    def watch_stdin():
        # os.read, not sys.stdin: a daemon thread blocked inside the buffered reader would hold its lock
        # at interpreter shutdown.
        try:
            while os.read(stdin_fd, 65536):
                pass
        except OSError:
            pass
        stop.set()

    def tick():
        period = args.slot_ms / 1000
        deadline = time.monotonic()
        while not stop.is_set():
            deadline += period
            delay = deadline - time.monotonic()
            if delay > 0:
                if stop.wait(delay):
                    return
            else:
                deadline = time.monotonic()  # behind: do not burst to catch up
            with chain.lock:  # read `paused` under the lock: once POST /control answers, no slot moves
                if not node.faults["paused"] and not node.faults["stalled"]:
                    chain.advance(1)

    stdin_fd = sys.stdin.fileno() if sys.stdin is not None else -1
    if args.exit_on_stdin_eof:
        threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()
    if args.slot_ms > 0:
        threading.Thread(target=tick, name="slots", daemon=True).start()
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="http", daemon=True)
    serving.start()
    print(json.dumps({"url": url, "control": url + "/control"}), flush=True)

    while not stop.wait(0.2):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
