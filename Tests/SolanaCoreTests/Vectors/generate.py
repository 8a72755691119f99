#!/usr/bin/env python3
"""Reference test vectors for SolanaCore, produced by solders 0.29.0 / solana-py 0.41.0.

What it is
    A reproducible generator for ``vectors.json`` (next to this file), which the Swift tests in
    ``Tests/SolanaCoreTests/ReferenceVectorTests.swift`` compare against byte for byte.  Every value
    is computed by the reference libraries pinned in ``requirements.txt``:

    * base58                    -- ``base58`` package, and solders' Pubkey/Signature for 32/64 bytes
    * keypairs                  -- ``solders.keypair.Keypair.from_seed`` / ``sign_message``
    * create/find_program_address -- ``solders.pubkey.Pubkey``
    * associated_token_addresses -- ``solders.token.associated.get_associated_token_address``
                                   (takes ``token_program_id``, so Token-2022 is native to solders)
    * instructions              -- solders builders (system, compute budget) and solana-py
                                   ``spl.token.instructions`` builders (token.*, token2022.*,
                                   ata.create_idempotent), each also cross-checked against an
                                   independent hand encoding here.  Builders that neither library
                                   has (or gets wrong for our contract) are hand-encoded from the
                                   official layouts and PROVED by executing them in LiteSVM
                                   (``solders.litesvm``, which loads the real System, Token,
                                   Token-2022, ATA and Memo programs) before anything is written:
                                   ata.create, memo, token2022.metadata_pointer_initialize,
                                   token2022.token_metadata_initialize / _update_field.
                                   metaplex.create_metadata_account_v3 is bytes only (that
                                   program is not in LiteSVM); its layout follows the
                                   kinobi-generated mpl-token-metadata Rust client.
    * messages                  -- ``Message.new_with_blockhash`` / ``MessageV0.try_compile``
    * transactions              -- ``Transaction`` / ``VersionedTransaction``

    The LiteSVM self-check also runs every token.* / token2022.* builder (library or not) through
    the real programs with amount edge cases (0, u64::MAX, overflow, wrong decimals), all four
    SetAuthority kinds set and cleared, and a v0 transaction resolving accounts via a lookup table.

    Everything is deterministic: keys come from fixed seeds
    ``sha256(b"flutterbye-vector-" + str(i))`` and all other "random" choices from a
    sha256 counter stream, so running it twice gives byte-identical output.

How to run (from anywhere; needs python3 and PyPI access the first time)
    python3 Tests/SolanaCoreTests/Vectors/generate.py

    It creates ``<repo>/.venv`` with ``python3 -m venv`` if missing, installs requirements.txt
    into it (again whenever requirements.txt changes), re-executes itself inside that venv,
    runs the LiteSVM self-checks (aborting on any failure, writing nothing) and then writes
    vectors.json.  ``--check`` regenerates in memory and exits 1 if vectors.json differs.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
VENV = os.path.join(REPO, ".venv")
REQUIREMENTS = os.path.join(HERE, "requirements.txt")
OUTPUT = os.path.join(HERE, "vectors.json")
GENERATOR = "solders 0.29.0 / solana-py 0.41.0"


# --------------------------------------------------------------------------------------------
# Bootstrapping: make sure we run inside <repo>/.venv with requirements.txt installed.
# --------------------------------------------------------------------------------------------

def _ensure_venv() -> None:
    venv_python = os.path.join(VENV, "bin", "python")
    stamp = os.path.join(VENV, ".flutterbye-vectors-requirements.sha256")
    with open(REQUIREMENTS, "rb") as handle:
        wanted = hashlib.sha256(handle.read()).hexdigest()
    if not os.path.exists(venv_python):
        print(f"creating virtualenv {VENV}", file=sys.stderr)
        subprocess.check_call(["python3", "-m", "venv", VENV])
    have = open(stamp).read().strip() if os.path.exists(stamp) else ""
    if have != wanted:
        print(f"installing {REQUIREMENTS} into {VENV}", file=sys.stderr)
        subprocess.check_call([venv_python, "-m", "pip", "install", "--disable-pip-version-check",
                               "-q", "-r", REQUIREMENTS])
        with open(stamp, "w") as handle:
            handle.write(wanted + "\n")
    inside = os.path.realpath(sys.prefix) == os.path.realpath(VENV)
    if not inside:
        if os.environ.get("FLUTTERBYE_VECTORS_REEXEC") == "1":
            sys.exit(f"re-exec into {venv_python} did not land inside the venv (sys.prefix={sys.prefix})")
        env = dict(os.environ, FLUTTERBYE_VECTORS_REEXEC="1")
        os.execve(venv_python, [venv_python, os.path.abspath(__file__)] + sys.argv[1:], env)


if __name__ == "__main__":
    _ensure_venv()

# Everything below runs inside the venv.
import json  # noqa: E402
import struct  # noqa: E402

import base58 as b58lib  # noqa: E402
from solders.account import Account  # noqa: E402
from solders.address_lookup_table_account import AddressLookupTableAccount  # noqa: E402
from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price  # noqa: E402
from solders.hash import Hash  # noqa: E402
from solders.instruction import AccountMeta, Instruction  # noqa: E402
from solders.keypair import Keypair  # noqa: E402
from solders.litesvm import LiteSVM  # noqa: E402
from solders.message import Message, MessageV0, from_bytes_versioned, to_bytes_versioned  # noqa: E402
from solders.pubkey import Pubkey  # noqa: E402
from solders.signature import Signature  # noqa: E402
from solders.system_program import AllocateParams, AssignParams, CreateAccountParams, TransferParams  # noqa: E402
from solders.system_program import allocate, assign, create_account  # noqa: E402
from solders.system_program import transfer as system_transfer  # noqa: E402
from solders.token.associated import get_associated_token_address  # noqa: E402
from solders.transaction import Transaction, VersionedTransaction  # noqa: E402
from solders.transaction_metadata import FailedTransactionMetadata  # noqa: E402
import spl.token.instructions as spl_ix  # noqa: E402
import spl.token.models as spl_models  # noqa: E402

SYSTEM_PROGRAM = Pubkey.from_string("11111111111111111111111111111111")
TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
TOKEN_2022_PROGRAM = Pubkey.from_string("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
ATA_PROGRAM = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
MEMO_PROGRAM = Pubkey.from_string("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")
COMPUTE_BUDGET_PROGRAM = Pubkey.from_string("ComputeBudget111111111111111111111111111111")
METAPLEX_PROGRAM = Pubkey.from_string("metaqbxxUerdq28cj1RbAWkYQm3ybzjb6a8bt518x1s")
LOOKUP_TABLE_PROGRAM = Pubkey.from_string("AddressLookupTab1e1111111111111111111111111")
BPF_LOADER = Pubkey.from_string("BPFLoader1111111111111111111111111111111111")
U64_MAX = 2**64 - 1
MAX_TX_SIZE = 1232


class SelfCheckError(RuntimeError):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SelfCheckError(what)


# --------------------------------------------------------------------------------------------
# Determinism helpers
# --------------------------------------------------------------------------------------------

def seed(i: int) -> bytes:
    """The fixed 32-byte seed number i."""
    return hashlib.sha256(b"flutterbye-vector-" + str(i).encode()).digest()


def keypair(i: int) -> Keypair:
    return Keypair.from_seed(seed(i))


def blockhash(i: int) -> Hash:
    return Hash(hashlib.sha256(b"flutterbye-blockhash-" + str(i).encode()).digest())


def plain_pubkey(label: str) -> Pubkey:
    """A pubkey nobody holds a key for (never used as a signer)."""
    return Pubkey(hashlib.sha256(b"flutterbye-pubkey-" + label.encode()).digest())


class Stream:
    """sha256-counter byte stream: the only source of 'random' choices."""

    def __init__(self, label: str):
        self.label = label.encode()
        self.counter = 0
        self.buffer = b""

    def take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self.buffer += hashlib.sha256(self.label + self.counter.to_bytes(8, "little")).digest()
            self.counter += 1
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def below(self, n: int) -> int:
        return int.from_bytes(self.take(8), "little") % n

    def between(self, lo: int, hi: int) -> int:  # inclusive
        return lo + self.below(hi - lo + 1)

    def chance(self, numerator: int, denominator: int) -> bool:
        return self.below(denominator) < numerator

    def choice(self, seq):
        return seq[self.below(len(seq))]

    def shuffled(self, seq):
        items = list(seq)
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]
        return items

    def sample(self, seq, k: int):
        return self.shuffled(seq)[:k]


# --------------------------------------------------------------------------------------------
# Byte helpers and hand encodings (official layouts)
# --------------------------------------------------------------------------------------------

def u8(v: int) -> bytes:
    return struct.pack("<B", v)


def u16(v: int) -> bytes:
    return struct.pack("<H", v)


def u32(v: int) -> bytes:
    return struct.pack("<I", v)


def u64(v: int) -> bytes:
    return struct.pack("<Q", v)


def borsh_string(s: str) -> bytes:
    raw = s.encode("utf-8")
    return u32(len(raw)) + raw


def pk(value) -> Pubkey:
    return value if isinstance(value, Pubkey) else Pubkey.from_string(value)


def meta(pubkey, signer: bool, writable: bool) -> AccountMeta:
    return AccountMeta(pk(pubkey), signer, writable)


def token_option_pubkey(value) -> bytes:
    """COption<Pubkey> in instruction data as the Rust spl-token crate packs it (pack_pubkey_option):
    [1] + 32 bytes when present, the lone tag [0] when absent.  solana-py (like @solana/spl-token)
    writes [0] + 32 zero bytes instead; the programs read the tag and ignore what follows a 0, so
    both run -- LiteSVM executes the short form recorded here on Token and Token-2022, and
    library_build's output is normalised to it (see rust_packed)."""
    return (u8(1) + bytes(pk(value))) if value is not None else u8(0)


def rust_packed(ix: Instruction) -> Instruction:
    """solana-py's InitializeMint2 / SetAuthority with an absent option, trimmed to spl-token's packing."""
    data = bytes(ix.data)
    if data[:1] in (b"\x14", b"\x06") and len(data) in (67, 35) and data[-33:] == bytes(33):
        return Instruction(ix.program_id, data[:-32], list(ix.accounts))
    return ix


def optional_nonzero_pubkey(value) -> bytes:
    """Token-2022 OptionalNonZeroPubkey: always 32 bytes, all zeros = None."""
    return bytes(pk(value)) if value is not None else bytes(32)


TOKEN_METADATA_INITIALIZE_DISCRIMINATOR = hashlib.sha256(
    b"spl_token_metadata_interface:initialize_account").digest()[:8]
TOKEN_METADATA_UPDATE_FIELD_DISCRIMINATOR = hashlib.sha256(
    b"spl_token_metadata_interface:updating_field").digest()[:8]


def metadata_field(field: str) -> bytes:
    """spl-token-metadata-interface `Field` (borsh enum): Name=0, Symbol=1, Uri=2, Key(String)=3."""
    standard = {"name": 0, "symbol": 1, "uri": 2}
    if field in standard:
        return u8(standard[field])
    return u8(3) + borsh_string(field)


def _token_program(name: str) -> Pubkey:
    return TOKEN_2022_PROGRAM if name.startswith("token2022.") else TOKEN_PROGRAM


def hand_build(name: str, p: dict) -> Instruction:
    """Independent encodings from the official layouts of every builder in the contract."""
    base = name.split(".", 1)[1] if name.startswith(("token.", "token2022.")) else None
    program = _token_program(name)
    if name == "system.create_account":
        return Instruction(SYSTEM_PROGRAM, u32(0) + u64(p["lamports"]) + u64(p["space"]) + bytes(pk(p["owner"])),
                           [meta(p["from"], True, True), meta(p["new_account"], True, True)])
    if name == "system.transfer":
        return Instruction(SYSTEM_PROGRAM, u32(2) + u64(p["lamports"]),
                           [meta(p["from"], True, True), meta(p["to"], False, True)])
    if name == "system.allocate":
        return Instruction(SYSTEM_PROGRAM, u32(8) + u64(p["space"]), [meta(p["account"], True, True)])
    if name == "system.assign":
        return Instruction(SYSTEM_PROGRAM, u32(1) + bytes(pk(p["owner"])), [meta(p["account"], True, True)])
    if base == "initialize_mint2":
        data = u8(20) + u8(p["decimals"]) + bytes(pk(p["mint_authority"])) + token_option_pubkey(p["freeze_authority"])
        return Instruction(program, data, [meta(p["mint"], False, True)])
    if base == "initialize_account3":
        return Instruction(program, u8(18) + bytes(pk(p["owner"])),
                           [meta(p["account"], False, True), meta(p["mint"], False, False)])
    if base == "mint_to":
        return Instruction(program, u8(7) + u64(p["amount"]),
                           [meta(p["mint"], False, True), meta(p["destination"], False, True),
                            meta(p["authority"], True, False)])
    if base == "mint_to_checked":
        return Instruction(program, u8(14) + u64(p["amount"]) + u8(p["decimals"]),
                           [meta(p["mint"], False, True), meta(p["destination"], False, True),
                            meta(p["authority"], True, False)])
    if base == "transfer":
        return Instruction(program, u8(3) + u64(p["amount"]),
                           [meta(p["source"], False, True), meta(p["destination"], False, True),
                            meta(p["owner"], True, False)])
    if base == "transfer_checked":
        return Instruction(program, u8(12) + u64(p["amount"]) + u8(p["decimals"]),
                           [meta(p["source"], False, True), meta(p["mint"], False, False),
                            meta(p["destination"], False, True), meta(p["owner"], True, False)])
    if base == "burn":
        return Instruction(program, u8(8) + u64(p["amount"]),
                           [meta(p["account"], False, True), meta(p["mint"], False, True),
                            meta(p["owner"], True, False)])
    if base == "burn_checked":
        return Instruction(program, u8(15) + u64(p["amount"]) + u8(p["decimals"]),
                           [meta(p["account"], False, True), meta(p["mint"], False, True),
                            meta(p["owner"], True, False)])
    if base == "set_authority":
        data = u8(6) + u8(p["authority_type"]) + token_option_pubkey(p["new_authority"])
        return Instruction(program, data, [meta(p["account"], False, True), meta(p["current_authority"], True, False)])
    if name == "token2022.metadata_pointer_initialize":
        # TokenInstruction::MetadataPointerExtension (39), MetadataPointerInstruction::Initialize (0),
        # InitializeInstructionData { authority, metadata_address } as OptionalNonZeroPubkey.
        data = u8(39) + u8(0) + optional_nonzero_pubkey(p["authority"]) + optional_nonzero_pubkey(p["metadata_address"])
        return Instruction(TOKEN_2022_PROGRAM, data, [meta(p["mint"], False, True)])
    if name == "token2022.token_metadata_initialize":
        data = (TOKEN_METADATA_INITIALIZE_DISCRIMINATOR + borsh_string(p["name"]) + borsh_string(p["symbol"])
                + borsh_string(p["uri"]))
        return Instruction(TOKEN_2022_PROGRAM, data,
                           [meta(p["metadata"], False, True), meta(p["update_authority"], False, False),
                            meta(p["mint"], False, False), meta(p["mint_authority"], True, False)])
    if name == "token2022.token_metadata_update_field":
        data = TOKEN_METADATA_UPDATE_FIELD_DISCRIMINATOR + metadata_field(p["field"]) + borsh_string(p["value"])
        return Instruction(TOKEN_2022_PROGRAM, data,
                           [meta(p["metadata"], False, True), meta(p["update_authority"], True, False)])
    if name in ("ata.create", "ata.create_idempotent"):
        # spl-associated-token-account: 6 accounts (payer, ata, wallet, mint, system, token program).
        # Create is sent with EMPTY data (the program's original form: empty input = Create; the Rust
        # client writes [0], which LiteSVM also accepts), CreateIdempotent with [1].
        address = get_associated_token_address(pk(p["wallet"]), pk(p["mint"]), pk(p["token_program"]))
        return Instruction(ATA_PROGRAM, b"" if name == "ata.create" else u8(1),
                           [meta(p["payer"], True, True), meta(address, False, True), meta(p["wallet"], False, False),
                            meta(p["mint"], False, False), meta(SYSTEM_PROGRAM, False, False),
                            meta(p["token_program"], False, False)])
    if name == "memo":
        # spl-memo build_memo: every signer as a readonly signer, data = the UTF-8 text.
        return Instruction(MEMO_PROGRAM, p["memo"].encode("utf-8"), [meta(s, True, False) for s in p["signers"]])
    if name == "compute_budget.set_compute_unit_limit":
        return Instruction(COMPUTE_BUDGET_PROGRAM, u8(2) + u32(p["units"]), [])
    if name == "compute_budget.set_compute_unit_price":
        return Instruction(COMPUTE_BUDGET_PROGRAM, u8(3) + u64(p["micro_lamports"]), [])
    if name == "metaplex.create_metadata_account_v3":
        # discriminator 33 + CreateMetadataAccountArgsV3 { data: DataV2 { name, symbol, uri,
        # seller_fee_basis_points: u16, creators: None, collection: None, uses: None },
        # is_mutable: bool, collection_details: None }.  Accounts as the mpl-token-metadata Rust
        # client builds them with rent = None (omitted, not replaced by the program id).
        data = (u8(33) + borsh_string(p["name"]) + borsh_string(p["symbol"]) + borsh_string(p["uri"])
                + u16(p["seller_fee_basis_points"]) + u8(0) + u8(0) + u8(0)
                + u8(1 if p["is_mutable"] else 0) + u8(0))
        return Instruction(METAPLEX_PROGRAM, data,
                           [meta(p["metadata"], False, True), meta(p["mint"], False, False),
                            meta(p["mint_authority"], True, False), meta(p["payer"], True, True),
                            meta(p["update_authority"], bool(p["update_authority_is_signer"]), False),
                            meta(SYSTEM_PROGRAM, False, False)])
    raise KeyError(name)


def library_build(name: str, p: dict):
    """The reference library's builder for `name`, or None where neither library has a usable one."""
    program = _token_program(name)
    base = name.split(".", 1)[1] if name.startswith(("token.", "token2022.")) else None
    if name == "system.create_account":
        return create_account(CreateAccountParams(from_pubkey=pk(p["from"]), to_pubkey=pk(p["new_account"]),
                                                  lamports=p["lamports"], space=p["space"], owner=pk(p["owner"])))
    if name == "system.transfer":
        return system_transfer(TransferParams(from_pubkey=pk(p["from"]), to_pubkey=pk(p["to"]), lamports=p["lamports"]))
    if name == "system.allocate":
        return allocate(AllocateParams(pubkey=pk(p["account"]), space=p["space"]))
    if name == "system.assign":
        return assign(AssignParams(pubkey=pk(p["account"]), owner=pk(p["owner"])))
    if name == "compute_budget.set_compute_unit_limit":
        return set_compute_unit_limit(p["units"])
    if name == "compute_budget.set_compute_unit_price":
        return set_compute_unit_price(p["micro_lamports"])
    if name == "ata.create_idempotent":
        return spl_ix.create_idempotent_associated_token_account(pk(p["payer"]), pk(p["wallet"]), pk(p["mint"]),
                                                                 pk(p["token_program"]))
    opt = (lambda v: pk(v) if v is not None else None)
    if base == "initialize_mint2":
        return rust_packed(spl_ix.initialize_mint2(spl_models.InitializeMint2Params(
            decimals=p["decimals"], program_id=program, mint=pk(p["mint"]), mint_authority=pk(p["mint_authority"]),
            freeze_authority=opt(p["freeze_authority"]))))
    if base == "initialize_account3":
        return spl_ix.initialize_account3(spl_models.InitializeAccount3Params(
            program_id=program, account=pk(p["account"]), mint=pk(p["mint"]), owner=pk(p["owner"])))
    if base == "mint_to":
        return spl_ix.mint_to(spl_models.MintToParams(
            program_id=program, mint=pk(p["mint"]), dest=pk(p["destination"]), mint_authority=pk(p["authority"]),
            amount=p["amount"]))
    if base == "mint_to_checked":
        return spl_ix.mint_to_checked(spl_models.MintToCheckedParams(
            program_id=program, mint=pk(p["mint"]), dest=pk(p["destination"]), mint_authority=pk(p["authority"]),
            amount=p["amount"], decimals=p["decimals"]))
    if base == "transfer":
        return spl_ix.transfer(spl_models.TransferParams(
            program_id=program, source=pk(p["source"]), dest=pk(p["destination"]), owner=pk(p["owner"]),
            amount=p["amount"]))
    if base == "transfer_checked":
        return spl_ix.transfer_checked(spl_models.TransferCheckedParams(
            program_id=program, source=pk(p["source"]), mint=pk(p["mint"]), dest=pk(p["destination"]),
            owner=pk(p["owner"]), amount=p["amount"], decimals=p["decimals"]))
    if base == "burn":
        return spl_ix.burn(spl_models.BurnParams(
            program_id=program, account=pk(p["account"]), mint=pk(p["mint"]), owner=pk(p["owner"]),
            amount=p["amount"]))
    if base == "burn_checked":
        return spl_ix.burn_checked(spl_models.BurnCheckedParams(
            program_id=program, account=pk(p["account"]), mint=pk(p["mint"]), owner=pk(p["owner"]),
            amount=p["amount"], decimals=p["decimals"]))
    if base == "set_authority":
        return rust_packed(spl_ix.set_authority(spl_models.SetAuthorityParams(
            program_id=program, account=pk(p["account"]), authority=spl_models.AuthorityType(p["authority_type"]),
            current_authority=pk(p["current_authority"]), new_authority=opt(p["new_authority"]))))
    # ata.create: solana-py's create_associated_token_account still appends the Rent sysvar (a 7th
    # account the program no longer reads); the contract uses the 6-account form -- hand-encoded
    # and proved in LiteSVM.
    # memo: solana-py's create_memo takes one signer and marks it WRITABLE; spl-memo marks signers
    # readonly -- hand-encoded and proved in LiteSVM.
    return None


def build(name: str, p: dict) -> Instruction:
    hand = hand_build(name, p)
    lib = library_build(name, p)
    if lib is not None:
        check(lib == hand, f"{name}: library builder and official-layout encoding disagree for {p}:\n"
                           f"  lib  {bytes(lib.data).hex()} {lib.accounts}\n  hand {bytes(hand.data).hex()} {hand.accounts}")
        return lib
    return hand


# --------------------------------------------------------------------------------------------
# JSON helpers
# --------------------------------------------------------------------------------------------

def account_json(m: AccountMeta) -> dict:
    return {"pubkey": str(m.pubkey), "is_signer": m.is_signer, "is_writable": m.is_writable}


def instruction_json(ix: Instruction) -> dict:
    return {"program_id": str(ix.program_id), "accounts": [account_json(a) for a in ix.accounts],
            "data_hex": bytes(ix.data).hex()}


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------

def gen_base58() -> list:
    rng = Stream("base58")
    values = [b""]
    values += [bytes(k) for k in range(1, 6)]                                    # only zeros
    values += [bytes(k) + rng.take(rng.between(1, 12)) for k in range(1, 6)]     # leading zeros + data
    values += [bytes([b]) for b in (0x01, 0x02, 0x39, 0x3a, 0x57, 0x58, 0x7f, 0x80, 0xfe, 0xff)]
    values += [bytes(32), b"\xff" * 32, bytes(31) + b"\x01", b"\x01" + bytes(31)]
    values += [rng.take(32) for _ in range(4)]
    values += [bytes(64), b"\xff" * 64, bytes(3) + rng.take(61)]
    values += [rng.take(64) for _ in range(3)]
    for length in (1, 2, 3, 7, 8, 15, 16, 20, 24, 31, 33, 40, 47, 48, 55, 63, 65, 72, 79, 80):
        values.append(rng.take(length))
    out = []
    for raw in values:
        encoded = b58lib.b58encode(raw).decode()
        check(b58lib.b58decode(encoded) == raw, f"base58 round trip {raw.hex()}")
        if len(raw) == 32:
            check(str(Pubkey(raw)) == encoded, f"solders Pubkey base58 {raw.hex()}")
            check(bytes(Pubkey.from_string(encoded)) == raw, "solders Pubkey decode")
        if len(raw) == 64:
            check(str(Signature(raw)) == encoded, f"solders Signature base58 {raw.hex()}")
            check(bytes(Signature.from_string(encoded)) == raw, "solders Signature decode")
        out.append({"hex": raw.hex(), "base58": encoded})
    return out


def gen_keypairs() -> list:
    rng = Stream("keypairs")
    lengths = [0, 1, 2, 3, 10, 31, 32, 33, 63, 64, 65, 100, 127, 128, 255, 256, 257, 500, 1000, 1232]
    seeds = [bytes(32), b"\xff" * 32, bytes(range(32)), bytes([1] * 32)] + [seed(i) for i in range(34)]
    out = []
    for index, s in enumerate(seeds):
        kp = Keypair.from_seed(s)
        length = lengths[index] if index < len(lengths) else rng.between(0, 300)
        message = rng.take(length)
        signature = kp.sign_message(message)
        check(signature.verify(kp.pubkey(), message), "signature verifies")
        check(bytes(kp)[:32] == s and bytes(kp)[32:] == bytes(kp.pubkey()), "secret = seed || pubkey")
        check(Keypair.from_base58_string(str(kp)) == kp, "secret base58 round trip")
        out.append({"seed_hex": s.hex(), "secret_hex": bytes(kp).hex(), "secret_base58": str(kp),
                    "pubkey": str(kp.pubkey()), "message_hex": message.hex(), "signature": str(signature)})
    # the documented solders example: seed [1]*32 signs b"hello"
    check(bytes(Keypair.from_seed(bytes([1] * 32)).sign_message(b"hello")).hex() ==
          "e1430c6ebd0d53573b5c803452174f8991ef5955e0906a09e8fdc7310459e9c8"
          "2a402526748c3431fe7f0e5faafbf7e703234789734063ee42be17af16438d08", "solders sign_message doc example")
    return out


def random_seeds(rng: Stream, max_count: int = 4) -> list:
    count = rng.between(0, max_count)
    seeds = []
    for _ in range(count):
        length = rng.choice([0, 1, 2, 8, 16, 31, 32, rng.between(0, 32)])
        seeds.append(rng.take(length))
    return seeds


def create_program_address_or_none(seeds: list, program: Pubkey):
    try:
        return str(Pubkey.create_program_address(seeds, program))
    except Exception as error:  # solders.PubkeyError
        check("do not result in a valid address" in str(error), f"unexpected create_program_address error {error}")
        return None


def gen_create_program_address() -> list:
    rng = Stream("create_program_address")
    programs = [TOKEN_PROGRAM, ATA_PROGRAM, SYSTEM_PROGRAM, METAPLEX_PROGRAM, TOKEN_2022_PROGRAM,
                keypair(200).pubkey(), plain_pubkey("program-a")]
    out = []
    # documented solders example
    doc = create_program_address_or_none([b"", bytes([1])], BPF_LOADER)
    check(doc == "3gF2KMe9KiC6FNVBmfg9i267aMPvK37FewCip4eGBFcT", "solders create_program_address doc example")
    out.append({"program_id": str(BPF_LOADER), "seeds_hex": ["", "01"], "address": doc})
    # a found PDA re-created with its bump
    for label in (b"metadata", b"flutterbye"):
        program = rng.choice(programs)
        seeds = [label, bytes(keypair(201).pubkey())]
        address, bump = Pubkey.find_program_address(seeds, program)
        again = create_program_address_or_none(seeds + [bytes([bump])], program)
        check(again == str(address), "create_program_address(seeds + bump) == find_program_address")
        out.append({"program_id": str(program), "seeds_hex": [s.hex() for s in seeds + [bytes([bump])]],
                    "address": again})
    valid, rejected = 0, 0
    while valid < 17 or rejected < 17:
        program = rng.choice(programs)
        seeds = random_seeds(rng, 5)
        address = create_program_address_or_none(seeds, program)
        if (address is None and rejected >= 17) or (address is not None and valid >= 17):
            continue
        if address is None:
            rejected += 1
        else:
            valid += 1
        out.append({"program_id": str(program), "seeds_hex": [s.hex() for s in seeds], "address": address})
    return out


def gen_find_program_address() -> list:
    rng = Stream("find_program_address")
    programs = [TOKEN_PROGRAM, ATA_PROGRAM, SYSTEM_PROGRAM, METAPLEX_PROGRAM, TOKEN_2022_PROGRAM, BPF_LOADER,
                keypair(202).pubkey(), plain_pubkey("program-b")]
    cases = [([], p) for p in programs[:4]]
    cases += [([b""], TOKEN_PROGRAM), ([bytes(32)], ATA_PROGRAM), ([b"\xff" * 32], SYSTEM_PROGRAM)]
    for i in range(3):
        mint = keypair(210 + i).pubkey()
        cases.append(([b"metadata", bytes(METAPLEX_PROGRAM), bytes(mint)], METAPLEX_PROGRAM))
    cases.append(([b"job", b"flutterbye", u64(7), bytes(keypair(213).pubkey())], programs[6]))
    while len(cases) < 48:
        count = len(cases) % 5  # 0..4 seeds, evenly
        seeds = [rng.take(rng.choice([0, 1, 4, 8, 20, 31, 32, rng.between(0, 32)])) for _ in range(count)]
        cases.append((seeds, rng.choice(programs)))
    out, bumps = [], set()
    for seeds, program in cases:
        address, bump = Pubkey.find_program_address(seeds, program)
        check(not address.is_on_curve(), "PDA is off curve")
        bumps.add(bump)
        out.append({"program_id": str(program), "seeds_hex": [s.hex() for s in seeds], "address": str(address),
                    "bump": bump})
    check(len(bumps) > 2 and min(bumps) < 254, "bumps below 255 are covered")
    return out


def gen_associated_token_addresses() -> list:
    rng = Stream("ata")
    out = []
    for i in range(36):
        program = TOKEN_PROGRAM if i % 2 == 0 else TOKEN_2022_PROGRAM
        if i % 6 == 5:  # PDA (off-curve) owner, as a program-owned vault would have
            wallet = Pubkey.find_program_address([b"vault", u8(i)], keypair(220).pubkey())[0]
        else:
            wallet = keypair(230 + i).pubkey() if rng.chance(1, 2) else plain_pubkey(f"wallet-{i}")
        mint = keypair(300 + i).pubkey() if i % 3 else plain_pubkey(f"mint-{i}")
        # solders' get_associated_token_address takes token_program_id, so Token-2022 is direct.
        address = get_associated_token_address(wallet, mint, program)
        derived = Pubkey.find_program_address([bytes(wallet), bytes(program), bytes(mint)], ATA_PROGRAM)[0]
        check(address == derived, "ATA = PDA([wallet, token program, mint], ATA program)")
        check(address == spl_ix.get_associated_token_address(wallet, mint, program), "solana-py ATA agrees")
        out.append({"wallet": str(wallet), "mint": str(mint), "token_program": str(program), "address": str(address)})
    return out


# ---- instruction params --------------------------------------------------------------------

def actor(i: int) -> str:
    """Pubkey of seeded keypair i (so it can sign in transactions)."""
    return str(keypair(i).pubkey())


AMOUNTS = [0, 1, U64_MAX, 1_000_000_000, 42, U64_MAX - 1, 2**32, 123_456_789_012]
DECIMALS = [0, 9, 6, 2, 9, 0, 255, 1]
NAME_32 = "Flutterbye Butterfly Token #0032"        # 32 bytes
SYMBOL_10 = "FLUTTERBYE"                              # 10 bytes
URI_200 = "https://arweave.net/" + "flutterbye-" * 16 + "x" * 4  # 200 bytes
UNICODE_NAME = "Papillon 🦋 ünï"                      # multi-byte UTF-8
UNICODE_MEMO = "gm 🦋 — flutterbye ünïcödé ✓ 日本語"
assert len(NAME_32.encode()) == 32 and len(SYMBOL_10.encode()) == 10 and len(URI_200.encode()) == 200


def token_params(base: str, i: int) -> dict:
    a = lambda k: actor(400 + 10 * i + k)  # noqa: E731
    amount = AMOUNTS[i % len(AMOUNTS)]
    decimals = DECIMALS[i % len(DECIMALS)]
    if base == "initialize_mint2":
        return {"mint": a(0), "decimals": decimals, "mint_authority": a(1),
                "freeze_authority": a(2) if i % 2 == 0 else None}
    if base == "initialize_account3":
        return {"account": a(0), "mint": a(1), "owner": a(2) if i != 3 else str(plain_pubkey(f"owner-{i}"))}
    if base == "mint_to":
        return {"mint": a(0), "destination": a(1), "authority": a(2), "amount": amount}
    if base == "mint_to_checked":
        return {"mint": a(0), "destination": a(1), "authority": a(2), "amount": amount, "decimals": decimals}
    if base == "transfer":
        return {"source": a(0), "destination": a(1), "owner": a(2), "amount": amount}
    if base == "transfer_checked":
        return {"source": a(0), "mint": a(3), "destination": a(1), "owner": a(2), "amount": amount,
                "decimals": decimals}
    if base == "burn":
        return {"account": a(0), "mint": a(3), "owner": a(2), "amount": amount}
    if base == "burn_checked":
        return {"account": a(0), "mint": a(3), "owner": a(2), "amount": amount, "decimals": decimals}
    if base == "set_authority":
        return {"account": a(0), "current_authority": a(1), "authority_type": i % 4,
                "new_authority": None if i in (1, 4) else a(2)}
    raise KeyError(base)


TOKEN_BASES = ["initialize_mint2", "initialize_account3", "mint_to", "mint_to_checked", "transfer",
               "transfer_checked", "burn", "burn_checked", "set_authority"]


def instruction_cases() -> list:
    cases = []
    for i, (lamports, space) in enumerate([(0, 0), (1_461_600, 82), (2_039_280, 165), (U64_MAX, 2**64 - 1),
                                           (890_880, 0), (3_229_440, 234)]):
        owner = [TOKEN_PROGRAM, TOKEN_2022_PROGRAM, SYSTEM_PROGRAM, METAPLEX_PROGRAM, keypair(199).pubkey(),
                 TOKEN_PROGRAM][i]
        cases.append(("system.create_account", {"from": actor(380 + i), "new_account": actor(390 + i),
                                                 "lamports": lamports, "space": space, "owner": str(owner)}))
    for i, lamports in enumerate([0, 1, 5000, 1_000_000_000, U64_MAX, 2**32 + 7]):
        to = actor(391 + i) if i % 2 else str(plain_pubkey(f"to-{i}"))
        cases.append(("system.transfer", {"from": actor(380 + i), "to": to, "lamports": lamports}))
    for i, space in enumerate([0, 82, 165, 234, 10_240, U64_MAX]):
        cases.append(("system.allocate", {"account": actor(380 + i), "space": space}))
    for i, owner in enumerate([TOKEN_PROGRAM, TOKEN_2022_PROGRAM, SYSTEM_PROGRAM, METAPLEX_PROGRAM, keypair(198).pubkey(), TOKEN_PROGRAM]):
        cases.append(("system.assign", {"account": actor(390 + i), "owner": str(owner)}))
    for prefix in ("token", "token2022"):
        for base in TOKEN_BASES:
            for i in range(6):
                cases.append((f"{prefix}.{base}", token_params(base, i)))
    # Token-2022 metadata pointer: authority / address both, either, and self-pointing.
    for i, (has_authority, address) in enumerate([(True, "self"), (True, None), (False, "self"), (True, "other"),
                                                   (False, "other"), (True, "self")]):
        mint = actor(600 + i)
        cases.append(("token2022.metadata_pointer_initialize", {
            "mint": mint, "authority": actor(610 + i) if has_authority else None,
            "metadata_address": None if address is None else (mint if address == "self" else actor(620 + i))}))
    strings = [(NAME_32, SYMBOL_10, URI_200), ("", "", ""), (UNICODE_NAME, "🦋", "ipfs://bafy/ü"),
               ("Flutterbye", "FLY", "https://flutterbye.example/m.json"), ("A", "B", "C"),
               ("Job token 7", "JOB7", "https://example.com/" + "a" * 100)]
    for i, (name, symbol, uri) in enumerate(strings):
        mint = actor(630 + i)
        cases.append(("token2022.token_metadata_initialize", {
            "metadata": mint, "update_authority": actor(640 + i) if i != 4 else actor(650 + i), "mint": mint,
            "mint_authority": actor(650 + i), "name": name, "symbol": symbol, "uri": uri}))
    for i, (field, value) in enumerate([("name", NAME_32), ("symbol", ""), ("uri", URI_200), ("job_id", "7"),
                                        ("🦋 key", UNICODE_MEMO), ("name", ""), ("description", "x" * 300)]):
        mint = actor(660 + i)
        cases.append(("token2022.token_metadata_update_field", {
            "metadata": mint, "update_authority": actor(670 + i), "field": field, "value": value}))
    for kind in ("ata.create", "ata.create_idempotent"):
        for i in range(6):
            program = TOKEN_PROGRAM if i % 2 == 0 else TOKEN_2022_PROGRAM
            wallet = actor(680 + i) if i != 5 else actor(690)  # payer == wallet for i == 5
            payer = actor(690)
            cases.append((kind, {"payer": payer, "wallet": wallet, "mint": actor(700 + i),
                                 "token_program": str(program)}))
    memos = [([], "hello"), ([actor(710)], UNICODE_MEMO), ([actor(711), actor(712)], "two signers"),
             ([actor(713), actor(714), actor(715)], "m" * 300), ([actor(716)], ""),
             ([], "flutterbye job 7: mint 1000 FLY"), ([actor(717)], "{\"job\":7,\"ok\":true}")]
    for signers, text in memos:
        cases.append(("memo", {"signers": signers, "memo": text}))
    for units in (0, 1, 200_000, 1_400_000, 2**32 - 1, 65_536):
        cases.append(("compute_budget.set_compute_unit_limit", {"units": units}))
    for micro in (0, 1, 1_000, 50_000, U64_MAX, 2**40 + 3):
        cases.append(("compute_budget.set_compute_unit_price", {"micro_lamports": micro}))
    metaplex = [(NAME_32, SYMBOL_10, URI_200, 10_000, True, True), ("", "", "", 0, False, False),
                (UNICODE_NAME, "🦋FLY", "https://flutterbye.example/1.json", 500, True, False),
                ("Flutterbye", "FLY", "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", 250, False, True),
                ("Job 7", "J7", "https://example.com/7", 65_535, True, True),
                ("X", "Y", "Z", 1, True, False)]
    for i, (name, symbol, uri, fee, mutable, ua_signer) in enumerate(metaplex):
        mint = keypair(720 + i).pubkey()
        metadata = Pubkey.find_program_address([b"metadata", bytes(METAPLEX_PROGRAM), bytes(mint)], METAPLEX_PROGRAM)[0]
        payer = actor(730 + i)
        update_authority = payer if i == 4 else actor(740 + i)
        cases.append(("metaplex.create_metadata_account_v3", {
            "metadata": str(metadata), "mint": str(mint), "mint_authority": payer if i % 2 else actor(750 + i),
            "payer": payer, "update_authority": update_authority, "name": name, "symbol": symbol, "uri": uri,
            "seller_fee_basis_points": fee, "is_mutable": mutable, "update_authority_is_signer": ua_signer}))
    return cases


def gen_instructions() -> list:
    out = []
    for name, params in instruction_cases():
        ix = build(name, params)
        record = {"name": name, "params": params}
        record.update(instruction_json(ix))
        out.append(record)
    counts = {}
    for record in out:
        counts[record["name"]] = counts.get(record["name"], 0) + 1
    check(min(counts.values()) >= 5, f"every builder has >= 5 vectors: {counts}")
    return out


# ---- messages and transactions -------------------------------------------------------------

def generic_ix(program, accounts, data: bytes) -> Instruction:
    return Instruction(pk(program), data, [meta(a, s, w) for (a, s, w) in accounts])


def message_scenarios() -> list:
    """(version, payer, instructions, lookup_tables) tuples; every signer is a seeded keypair."""
    rng = Stream("messages")
    A = lambda i: keypair(800 + i).pubkey()  # noqa: E731  signers / actors
    P = lambda label: plain_pubkey("msg-" + label)  # noqa: E731  never signs
    prog_x, prog_y = plain_pubkey("program-x"), plain_pubkey("program-y")
    scenarios = []

    # 1. plain transfers
    scenarios.append(("legacy", A(0), [build("system.transfer", {"from": str(A(0)), "to": str(P("r0")), "lamports": 5000})], []))
    scenarios.append(("legacy", A(1), [build("system.transfer", {"from": str(A(2)), "to": str(A(3)), "lamports": U64_MAX})], []))
    # 2. mint creation flow (payer + mint keypair sign), Token and Token-2022
    for n, program_name in enumerate(("token", "token2022")):
        payer, mint, owner = A(4 + n), A(6 + n), A(8 + n)
        program = TOKEN_PROGRAM if n == 0 else TOKEN_2022_PROGRAM
        ata = get_associated_token_address(owner, mint, program)
        scenarios.append(("legacy", payer, [
            set_compute_unit_limit(120_000), set_compute_unit_price(5_000),
            build("system.create_account", {"from": str(payer), "new_account": str(mint), "lamports": 1_461_600,
                                            "space": 82, "owner": str(program)}),
            build(f"{program_name}.initialize_mint2", {"mint": str(mint), "decimals": 9, "mint_authority": str(payer),
                                                       "freeze_authority": None}),
            build("ata.create_idempotent", {"payer": str(payer), "wallet": str(owner), "mint": str(mint),
                                            "token_program": str(program)}),
            build(f"{program_name}.mint_to_checked", {"mint": str(mint), "destination": str(ata), "authority": str(payer),
                                                      "amount": 1_000_000_000, "decimals": 9})], []))
    # 3. Token-2022 mint with metadata pointer + token metadata
    payer, mint = A(10), A(11)
    scenarios.append(("legacy", payer, [
        build("system.create_account", {"from": str(payer), "new_account": str(mint), "lamports": 4_000_000,
                                        "space": 234, "owner": str(TOKEN_2022_PROGRAM)}),
        build("token2022.metadata_pointer_initialize", {"mint": str(mint), "authority": str(payer),
                                                        "metadata_address": str(mint)}),
        build("token2022.initialize_mint2", {"mint": str(mint), "decimals": 0, "mint_authority": str(payer),
                                             "freeze_authority": str(payer)}),
        build("token2022.token_metadata_initialize", {"metadata": str(mint), "update_authority": str(payer),
                                                      "mint": str(mint), "mint_authority": str(payer),
                                                      "name": "Flutterbye", "symbol": "FLY", "uri": "https://f.example/1"}),
        build("token2022.token_metadata_update_field", {"metadata": str(mint), "update_authority": str(payer),
                                                        "field": "job", "value": "7"})], []))
    # 4. metaplex metadata after a classic mint, update authority signing (distinct signer)
    payer, mint, ua = A(12), A(13), A(14)
    metadata = Pubkey.find_program_address([b"metadata", bytes(METAPLEX_PROGRAM), bytes(mint)], METAPLEX_PROGRAM)[0]
    scenarios.append(("legacy", payer, [
        build("metaplex.create_metadata_account_v3", {
            "metadata": str(metadata), "mint": str(mint), "mint_authority": str(payer), "payer": str(payer),
            "update_authority": str(ua), "name": "Flutterbye", "symbol": "FLY", "uri": "https://f.example/m.json",
            "seller_fee_basis_points": 0, "is_mutable": True, "update_authority_is_signer": True}),
        build("memo", {"signers": [str(ua)], "memo": "metadata"})], []))
    # 5. payer appears in instructions as a readonly non-signer / as writable non-signer
    scenarios.append(("legacy", A(15), [generic_ix(prog_x, [(A(15), False, False), (P("a"), False, True)], b"\x01")], []))
    scenarios.append(("legacy", A(16), [generic_ix(prog_x, [(P("b"), False, False), (A(16), False, True)], b""),
                                        build("memo", {"signers": [str(A(16))], "memo": "payer signs memo"})], []))
    # 6. the same account with different flags in different instructions (flags merge)
    dup = P("dup")
    scenarios.append(("legacy", A(17), [
        generic_ix(prog_x, [(dup, False, False), (A(18), True, False)], b"\x02"),
        generic_ix(prog_y, [(dup, False, True), (A(18), False, True)], b"\x03"),
        generic_ix(prog_x, [(dup, False, False), (A(19), True, False), (A(18), False, False)], b"")], []))
    # 7. programs used as accounts (readonly and writable), and an account repeated inside one instruction
    scenarios.append(("legacy", A(20), [
        generic_ix(prog_x, [(prog_y, False, False), (TOKEN_PROGRAM, False, False)], b"\x04"),
        generic_ix(prog_y, [(prog_x, False, True), (P("c"), False, True), (P("c"), False, False)], b"\x05"),
        generic_ix(TOKEN_PROGRAM, [], b"")], []))
    # 8. zero instructions; instruction with no accounts and no data
    scenarios.append(("legacy", A(21), [], []))
    scenarios.append(("legacy", A(22), [generic_ix(prog_x, [], b"")], []))
    # 9. several signers, some readonly, in scrambled order
    scenarios.append(("legacy", A(23), [
        generic_ix(prog_x, [(A(24), True, False), (A(25), True, True), (P("d"), False, True), (A(26), True, False)], b"\x06"),
        build("memo", {"signers": [str(A(27)), str(A(24))], "memo": UNICODE_MEMO}),
        build("system.transfer", {"from": str(A(25)), "to": str(A(23)), "lamports": 1})], []))
    # 10. random synthetic legacy messages
    actors = [A(30 + k) for k in range(10)]
    plains = [P(f"pool-{k}") for k in range(12)]
    programs = [prog_x, prog_y, TOKEN_PROGRAM, TOKEN_2022_PROGRAM, MEMO_PROGRAM, SYSTEM_PROGRAM]

    def random_instructions(count: int) -> list:
        out = []
        for _ in range(count):
            accounts = []
            for _ in range(rng.between(0, 6)):
                if rng.chance(1, 2):
                    key = rng.choice(actors)
                    accounts.append((key, rng.chance(1, 2), rng.chance(1, 2)))
                else:
                    accounts.append((rng.choice(plains), False, rng.chance(1, 2)))
            out.append(generic_ix(rng.choice(programs), accounts, rng.take(rng.between(0, 40))))
        return out

    for k in range(10):
        payer = actors[k] if k % 3 else A(40 + k)
        scenarios.append(("legacy", payer, random_instructions(rng.between(1, 4)), []))

    # ---- v0 ----
    # 11. no tables, and tables that nothing resolves through
    scenarios.append((0, A(60), [build("system.transfer", {"from": str(A(60)), "to": str(P("r1")), "lamports": 7})], []))
    scenarios.append((0, A(61), [generic_ix(prog_x, [(P("e"), False, True)], b"\x07")],
                      [AddressLookupTableAccount(P("lut-unused"), [P("z1"), P("z2")])]))
    scenarios.append((0, A(62), [], []))
    # 12. one table: writable and readonly lookups, signer/program/payer in table stay static
    table_a = AddressLookupTableAccount(P("lut-a"), [P("w1"), P("r1x"), A(63), prog_x, P("w2"), P("r2x"), A(64)])
    scenarios.append((0, A(64), [
        generic_ix(prog_x, [(P("w1"), False, True), (P("r1x"), False, False), (A(63), True, False)], b"\x08"),
        generic_ix(prog_y, [(P("w2"), False, True), (P("r2x"), False, False), (P("static"), False, True)], b"\x09")],
        [table_a]))
    # 13. two tables, an address in both (first table wins), one unused table in between
    table_b = AddressLookupTableAccount(P("lut-b"), [P("r2x"), P("w3"), P("w1"), P("r3x")])
    table_c = AddressLookupTableAccount(P("lut-c"), [P("nothing")])
    scenarios.append((0, A(65), [
        generic_ix(prog_x, [(P("w1"), False, True), (P("w3"), False, True), (P("r2x"), False, False),
                            (P("r3x"), False, False), (A(66), True, True)], b"\x0a")], [table_a, table_c, table_b]))
    # 14. program in a table is used as an account too (invoked => static)
    scenarios.append((0, A(67), [
        generic_ix(prog_x, [(prog_y, False, False), (P("w1"), False, True)], b""),
        generic_ix(prog_y, [(prog_x, False, True)], b"\x0b")],
        [AddressLookupTableAccount(P("lut-d"), [prog_x, prog_y, P("w1")])]))
    # 15. realistic token flow through a table (mint readonly, ATA writable from table)
    payer, owner = A(68), A(69)
    mint = P("v0-mint")
    src = get_associated_token_address(owner, mint, TOKEN_PROGRAM)
    dst = get_associated_token_address(P("v0-recipient"), mint, TOKEN_PROGRAM)
    scenarios.append((0, payer, [
        set_compute_unit_price(1),
        build("ata.create_idempotent", {"payer": str(payer), "wallet": str(P("v0-recipient")), "mint": str(mint),
                                        "token_program": str(TOKEN_PROGRAM)}),
        build("token.transfer_checked", {"source": str(src), "mint": str(mint), "destination": str(dst),
                                         "owner": str(owner), "amount": U64_MAX, "decimals": 9})],
        [AddressLookupTableAccount(P("lut-e"), [SYSTEM_PROGRAM, TOKEN_PROGRAM, mint, dst, P("v0-recipient"), src])]))
    # 16. the same account writable in one instruction and readonly in another, found in a table
    scenarios.append((0, A(70), [
        generic_ix(prog_x, [(P("flip"), False, False)], b"\x0c"),
        generic_ix(prog_y, [(P("flip"), False, True), (P("ro"), False, False)], b"\x0d")],
        [AddressLookupTableAccount(P("lut-f"), [P("ro"), P("flip")])]))
    # 17. random synthetic v0 messages with 1-2 tables built from the pool
    for k in range(18):
        payer = actors[k % len(actors)] if k % 4 else A(80 + k)
        instructions = random_instructions(rng.between(1, 4))
        tables = []
        for t in range(1 + (k % 2)):
            entries = rng.sample(plains + actors[:3] + programs[:2], rng.between(3, 10))
            if k % 5 == 0:
                entries = entries + entries[:2]  # duplicates inside one table
            tables.append(AddressLookupTableAccount(P(f"lut-r{k}-{t}"), entries))
        scenarios.append((0, payer, instructions, tables))
    return scenarios


def compile_message(version, payer: Pubkey, instructions: list, tables: list, bh: Hash):
    if version == "legacy":
        check(not tables, "legacy messages take no tables")
        message = Message.new_with_blockhash(instructions, payer, bh)
        serialized = bytes(message)
        check(Message.from_bytes(serialized) == message, "legacy message round trip")
    else:
        message = MessageV0.try_compile(payer, instructions, tables, bh)
        serialized = to_bytes_versioned(message)  # bytes(MessageV0) lacks the 0x80 prefix
        check(serialized[0] == 0x80 and serialized[1:] == bytes(message), "v0 = 0x80 || bincode(MessageV0)")
        check(from_bytes_versioned(serialized) == message, "v0 message round trip")
        for lookup in message.address_table_lookups:
            check(any(t.key == lookup.account_key for t in tables), "lookup references a given table")
    return message, serialized


def gen_messages_and_transactions():
    messages, transactions, compiled = [], [], []
    seeds_by_pubkey = {bytes(keypair(i).pubkey()): seed(i) for i in range(800, 900)}
    v0_with_lookups = 0
    for index, (version, payer, instructions, tables) in enumerate(message_scenarios()):
        bh = blockhash(index)
        message, serialized = compile_message(version, payer, instructions, tables, bh)
        header = message.header
        keys = list(message.account_keys)
        check(keys[0] == payer, "payer is the first key")
        if version == 0 and message.address_table_lookups:
            v0_with_lookups += 1
            looked_up = set()
            for lookup in message.address_table_lookups:
                table = next(t for t in tables if t.key == lookup.account_key)
                for i in list(lookup.writable_indexes) + list(lookup.readonly_indexes):
                    looked_up.add(table.addresses[i])
            signers = set(keys[:header.num_required_signatures])
            invoked = {ix.program_id for ix in instructions}
            check(not (looked_up & signers) and not (looked_up & invoked), "signers/programs never from tables")
        check(len(serialized) + 1 + 64 * header.num_required_signatures <= MAX_TX_SIZE, f"message {index} fits a tx")
        messages.append({
            "version": version, "payer": str(payer), "recent_blockhash": str(bh),
            "instructions": [instruction_json(ix) for ix in instructions],
            "lookup_tables": [{"key": str(t.key), "addresses": [str(a) for a in t.addresses]} for t in tables],
            "serialized_hex": serialized.hex(),
            "header": [header.num_required_signatures, header.num_readonly_signed_accounts,
                       header.num_readonly_unsigned_accounts],
            "account_keys": [str(k) for k in keys]})
        compiled.append((version, message, serialized))
    check(v0_with_lookups >= 10, "enough v0 messages resolve accounts through tables")

    rng = Stream("transactions")
    for index, (version, message, serialized) in enumerate(compiled):
        if index % 6 == 5:
            continue  # not every message needs a transaction
        signer_keys = list(message.account_keys)[:message.header.num_required_signatures]
        signer_seeds = rng.shuffled([seeds_by_pubkey[bytes(k)] for k in signer_keys])
        keypairs = [Keypair.from_seed(s) for s in signer_seeds]
        if version == "legacy":
            tx = Transaction(keypairs, message, message.recent_blockhash)
            tx.verify()  # raises on a bad signature
        else:
            tx = VersionedTransaction(message, keypairs)
            check(all(tx.verify_with_results()), "v0 signatures verify")
        raw = bytes(tx)
        check(raw[0] == len(signer_keys) and len(signer_keys) < 128, "short-vec signature count")
        check(raw[1 + 64 * len(signer_keys):] == serialized, "transaction = sigs || signed message bytes")
        for key, signature in zip(signer_keys, tx.signatures):
            check(signature.verify(key, serialized), "each signature covers the recorded message bytes")
        check(len(raw) <= MAX_TX_SIZE, f"transaction {index} <= 1232 bytes")
        transactions.append({"message_index": index, "signer_seeds_hex": [s.hex() for s in signer_seeds],
                             "serialized_hex": raw.hex(), "signatures": [str(s) for s in tx.signatures]})
    return messages, transactions


# --------------------------------------------------------------------------------------------
# LiteSVM self-check: hand-encoded (and library) builders executed by the real programs
# --------------------------------------------------------------------------------------------

MINT_SIZE, ACCOUNT_SIZE = 82, 165
MINT_WITH_POINTER_SIZE = 165 + 1 + 2 + 2 + 64  # base padded to Account size, AccountType, TLV header, pointer


class Chain:
    def __init__(self):
        self.svm = LiteSVM()
        self.payer = Keypair.from_seed(hashlib.sha256(b"flutterbye-selfcheck-payer").digest())
        self.svm.airdrop(self.payer.pubkey(), 1_000_000_000_000)
        self.counter = 0

    def new_keypair(self) -> Keypair:
        self.counter += 1
        return Keypair.from_seed(hashlib.sha256(b"flutterbye-selfcheck-" + str(self.counter).encode()).digest())

    def send(self, instructions: list, signers: list = (), expect_ok: bool = True, what: str = "", v0_tables=None):
        bh = self.svm.latest_blockhash()
        everyone = [self.payer] + [s for s in signers if s.pubkey() != self.payer.pubkey()]
        unique = list({bytes(k.pubkey()): k for k in everyone}.values())
        if v0_tables is None:
            tx = Transaction(unique, Message.new_with_blockhash(instructions, self.payer.pubkey(), bh), bh)
        else:
            tx = VersionedTransaction(MessageV0.try_compile(self.payer.pubkey(), instructions, v0_tables, bh), unique)
        result = self.svm.send_transaction(tx)
        self.svm.expire_blockhash()
        ok = not isinstance(result, FailedTransactionMetadata)
        if ok != expect_ok:
            detail = result if ok else f"{result.err()}\n" + "\n".join(result.meta().logs())
            raise SelfCheckError(f"LiteSVM: {what} expected {'success' if expect_ok else 'failure'}, got {detail}")
        return result

    def data(self, address) -> bytes:
        account = self.svm.get_account(pk(address))
        check(account is not None, f"account {address} exists")
        return bytes(account.data)

    def owner(self, address) -> Pubkey:
        return self.svm.get_account(pk(address)).owner

    def create(self, new: Keypair, space: int, owner: Pubkey, lamports: int | None = None) -> Instruction:
        lamports = self.svm.minimum_balance_for_rent_exemption(space) if lamports is None else lamports
        return build("system.create_account", {"from": str(self.payer.pubkey()), "new_account": str(new.pubkey()),
                                               "lamports": lamports, "space": space, "owner": str(owner)})


def parse_mint(data: bytes) -> dict:
    authority = data[4:36] if struct.unpack_from("<I", data, 0)[0] == 1 else None
    freeze = data[50:82] if struct.unpack_from("<I", data, 46)[0] == 1 else None
    return {"mint_authority": authority, "supply": struct.unpack_from("<Q", data, 36)[0], "decimals": data[44],
            "initialized": data[45] == 1, "freeze_authority": freeze}


def parse_account(data: bytes) -> dict:
    close = data[133:165] if struct.unpack_from("<I", data, 129)[0] == 1 else None
    return {"mint": data[0:32], "owner": data[32:64], "amount": struct.unpack_from("<Q", data, 64)[0],
            "state": data[108], "close_authority": close}


def self_check_token(chain: Chain, prefix: str) -> None:
    program = TOKEN_PROGRAM if prefix == "token" else TOKEN_2022_PROGRAM
    s = lambda kp: str(kp.pubkey())  # noqa: E731
    payer = chain.payer
    for decimals, with_freeze in ((9, True), (0, False)):
        mint, authority, freezer = chain.new_keypair(), chain.new_keypair(), chain.new_keypair()
        owner_a, owner_b = chain.new_keypair(), chain.new_keypair()
        acct_a, acct_b = chain.new_keypair(), chain.new_keypair()
        chain.send([chain.create(mint, MINT_SIZE, program),
                    build(f"{prefix}.initialize_mint2", {"mint": s(mint), "decimals": decimals,
                                                         "mint_authority": s(authority),
                                                         "freeze_authority": s(freezer) if with_freeze else None})],
                   [mint], what=f"{prefix}.initialize_mint2 decimals={decimals}")
        m = parse_mint(chain.data(mint.pubkey()))
        check(m["initialized"] and m["decimals"] == decimals and m["mint_authority"] == bytes(authority.pubkey())
              and m["freeze_authority"] == (bytes(freezer.pubkey()) if with_freeze else None) and m["supply"] == 0,
              f"{prefix} mint state after InitializeMint2: {m}")
        chain.send([chain.create(acct_a, ACCOUNT_SIZE, program), chain.create(acct_b, ACCOUNT_SIZE, program),
                    build(f"{prefix}.initialize_account3", {"account": s(acct_a), "mint": s(mint), "owner": s(owner_a)}),
                    build(f"{prefix}.initialize_account3", {"account": s(acct_b), "mint": s(mint), "owner": s(owner_b)})],
                   [acct_a, acct_b], what=f"{prefix}.initialize_account3")
        a = parse_account(chain.data(acct_a.pubkey()))
        check(a["mint"] == bytes(mint.pubkey()) and a["owner"] == bytes(owner_a.pubkey()) and a["state"] == 1,
              f"{prefix} account state after InitializeAccount3")

        def amount(acct) -> int:
            return parse_account(chain.data(acct.pubkey()))["amount"]

        def supply() -> int:
            return parse_mint(chain.data(mint.pubkey()))["supply"]

        mt = lambda n: build(f"{prefix}.mint_to", {"mint": s(mint), "destination": s(acct_a), "authority": s(authority), "amount": n})  # noqa: E731
        mtc = lambda n, d: build(f"{prefix}.mint_to_checked", {"mint": s(mint), "destination": s(acct_a), "authority": s(authority), "amount": n, "decimals": d})  # noqa: E731
        chain.send([mt(0)], [authority], what=f"{prefix}.mint_to 0")
        chain.send([mtc(0, decimals)], [authority], what=f"{prefix}.mint_to_checked 0")
        chain.send([mtc(U64_MAX, decimals)], [authority], what=f"{prefix}.mint_to_checked u64::MAX")
        check(amount(acct_a) == U64_MAX and supply() == U64_MAX, f"{prefix} minted u64::MAX")
        chain.send([mt(1)], [authority], expect_ok=False, what=f"{prefix}.mint_to overflow past u64::MAX")
        chain.send([mtc(1, (decimals + 1) % 256)], [authority], expect_ok=False, what=f"{prefix}.mint_to_checked wrong decimals")

        tc = lambda src, dst, own, n, d: build(f"{prefix}.transfer_checked", {"source": s(src), "mint": s(mint), "destination": s(dst), "owner": s(own), "amount": n, "decimals": d})  # noqa: E731
        t = lambda src, dst, own, n: build(f"{prefix}.transfer", {"source": s(src), "destination": s(dst), "owner": s(own), "amount": n})  # noqa: E731
        chain.send([tc(acct_a, acct_b, owner_a, U64_MAX, decimals ^ 1)], [owner_a], expect_ok=False,
                   what=f"{prefix}.transfer_checked wrong decimals")
        chain.send([tc(acct_a, acct_b, owner_a, U64_MAX, decimals)], [owner_a], what=f"{prefix}.transfer_checked u64::MAX")
        check(amount(acct_a) == 0 and amount(acct_b) == U64_MAX, f"{prefix} transfer_checked moved u64::MAX")
        chain.send([tc(acct_b, acct_a, owner_b, 0, decimals)], [owner_b], what=f"{prefix}.transfer_checked 0")
        chain.send([t(acct_b, acct_a, owner_b, 0)], [owner_b], what=f"{prefix}.transfer 0")
        chain.send([t(acct_b, acct_a, owner_b, 3)], [owner_b], what=f"{prefix}.transfer 3")
        check(amount(acct_a) == 3 and amount(acct_b) == U64_MAX - 3, f"{prefix} transfer moved 3")

        bc = lambda acct, own, n, d: build(f"{prefix}.burn_checked", {"account": s(acct), "mint": s(mint), "owner": s(own), "amount": n, "decimals": d})  # noqa: E731
        b = lambda acct, own, n: build(f"{prefix}.burn", {"account": s(acct), "mint": s(mint), "owner": s(own), "amount": n})  # noqa: E731
        chain.send([bc(acct_b, owner_b, 1, (decimals + 3) % 256)], [owner_b], expect_ok=False,
                   what=f"{prefix}.burn_checked wrong decimals")
        chain.send([bc(acct_b, owner_b, 0, decimals)], [owner_b], what=f"{prefix}.burn_checked 0")
        chain.send([bc(acct_b, owner_b, U64_MAX - 3, decimals)], [owner_b], what=f"{prefix}.burn_checked u64::MAX-3")
        chain.send([b(acct_a, owner_a, 0)], [owner_a], what=f"{prefix}.burn 0")
        chain.send([b(acct_a, owner_a, 3)], [owner_a], what=f"{prefix}.burn 3")
        check(amount(acct_a) == 0 and amount(acct_b) == 0 and supply() == 0, f"{prefix} burned everything")
        chain.send([mtc(U64_MAX, decimals)], [authority], what=f"{prefix}.mint_to_checked u64::MAX again")
        chain.send([bc(acct_a, owner_a, U64_MAX, decimals)], [owner_a], what=f"{prefix}.burn_checked u64::MAX")
        check(supply() == 0, f"{prefix} burned u64::MAX")

        # SetAuthority: every authority type, set and cleared.
        sa = lambda account, current, kind, new: build(f"{prefix}.set_authority", {"account": s(account), "current_authority": s(current), "authority_type": kind, "new_authority": s(new) if new else None})  # noqa: E731
        new_owner, closer, new_minter, new_freezer = (chain.new_keypair() for _ in range(4))
        chain.send([sa(acct_a, owner_a, 2, new_owner)], [owner_a], what=f"{prefix}.set_authority AccountOwner")
        check(parse_account(chain.data(acct_a.pubkey()))["owner"] == bytes(new_owner.pubkey()), "owner changed")
        chain.send([sa(acct_a, new_owner, 3, closer)], [new_owner], what=f"{prefix}.set_authority CloseAccount set")
        check(parse_account(chain.data(acct_a.pubkey()))["close_authority"] == bytes(closer.pubkey()), "close authority set")
        chain.send([sa(acct_a, closer, 3, None)], [closer], what=f"{prefix}.set_authority CloseAccount clear")
        check(parse_account(chain.data(acct_a.pubkey()))["close_authority"] is None, "close authority cleared")
        if with_freeze:
            chain.send([sa(mint, freezer, 1, new_freezer)], [freezer], what=f"{prefix}.set_authority FreezeAccount set")
            check(parse_mint(chain.data(mint.pubkey()))["freeze_authority"] == bytes(new_freezer.pubkey()), "freezer set")
            chain.send([sa(mint, new_freezer, 1, None)], [new_freezer], what=f"{prefix}.set_authority FreezeAccount clear")
            check(parse_mint(chain.data(mint.pubkey()))["freeze_authority"] is None, "freezer cleared")
        else:
            chain.send([sa(mint, freezer, 1, new_freezer)], [freezer], expect_ok=False,
                       what=f"{prefix}.set_authority FreezeAccount on a mint without one")
        chain.send([sa(mint, authority, 0, new_minter)], [authority], what=f"{prefix}.set_authority MintTokens set")
        check(parse_mint(chain.data(mint.pubkey()))["mint_authority"] == bytes(new_minter.pubkey()), "minter set")
        chain.send([sa(mint, new_minter, 0, None)], [new_minter], what=f"{prefix}.set_authority MintTokens clear")
        check(parse_mint(chain.data(mint.pubkey()))["mint_authority"] is None, "minter cleared")
        chain.send([mtc(1, decimals)], [authority], expect_ok=False, what=f"{prefix} mint after authority removed")

    # ATA create (hand-encoded, data [0]) and create_idempotent (solana-py)
    mint, authority = chain.new_keypair(), chain.new_keypair()
    chain.send([chain.create(mint, MINT_SIZE, program),
                build(f"{prefix}.initialize_mint2", {"mint": s(mint), "decimals": 6, "mint_authority": s(authority),
                                                     "freeze_authority": None})], [mint], what="mint for ATA")
    wallet_a, wallet_b = chain.new_keypair(), chain.new_keypair()
    pda_wallet = Pubkey.find_program_address([b"vault"], keypair(220).pubkey())[0]
    for wallet in (wallet_a.pubkey(), pda_wallet):
        params = {"payer": s(payer), "wallet": str(wallet), "mint": s(mint), "token_program": str(program)}
        chain.send([build("ata.create", params)], what=f"ata.create for {prefix}")
        ata = get_associated_token_address(wallet, mint.pubkey(), program)
        check(chain.owner(ata) == program, "ATA owned by the token program")
        acct = parse_account(chain.data(ata))
        check(acct["mint"] == bytes(mint.pubkey()) and acct["owner"] == bytes(wallet), "ATA mint/owner")
        chain.send([build("ata.create", params)], expect_ok=False, what=f"ata.create again fails ({prefix})")
        chain.send([build("ata.create_idempotent", params)], what=f"ata.create_idempotent on existing ({prefix})")
    # The Rust client's Create data [0] (instead of the empty data recorded) creates the account too.
    wallet_c = chain.new_keypair()
    client_form = build("ata.create", {"payer": s(payer), "wallet": s(wallet_c), "mint": s(mint),
                                       "token_program": str(program)})
    chain.send([Instruction(client_form.program_id, u8(0), list(client_form.accounts))],
               what=f"ata.create with data [0] ({prefix})")
    check(chain.owner(get_associated_token_address(wallet_c.pubkey(), mint.pubkey(), program)) == program,
          "ATA created with data [0]")
    # solana-py's long COption form (tag 0 + 32 zero bytes) runs too: the programs ignore the tail.
    long_mint = chain.new_keypair()
    long_init = build(f"{prefix}.initialize_mint2", {"mint": s(long_mint), "decimals": 3,
                                                     "mint_authority": s(authority), "freeze_authority": None})
    long_clear = build(f"{prefix}.set_authority", {"account": s(long_mint), "current_authority": s(authority),
                                                   "authority_type": 0, "new_authority": None})
    chain.send([chain.create(long_mint, MINT_SIZE, program),
                Instruction(program, bytes(long_init.data) + bytes(32), list(long_init.accounts)),
                Instruction(program, bytes(long_clear.data) + bytes(32), list(long_clear.accounts))],
               [long_mint, authority], what=f"{prefix} long-form COption None")
    check(parse_mint(chain.data(long_mint.pubkey()))["mint_authority"] is None, "long-form SetAuthority cleared")
    params = {"payer": s(payer), "wallet": s(wallet_b), "mint": s(mint), "token_program": str(program)}
    chain.send([build("ata.create_idempotent", params), build("ata.create_idempotent", params)],
               what=f"ata.create_idempotent new, twice ({prefix})")
    ata_b = get_associated_token_address(wallet_b.pubkey(), mint.pubkey(), program)
    check(parse_account(chain.data(ata_b))["owner"] == bytes(wallet_b.pubkey()), "idempotent ATA owner")
    # v0 transaction whose destination (writable) and mint (readonly) resolve through a lookup table
    ata_a = get_associated_token_address(wallet_a.pubkey(), mint.pubkey(), program)
    chain.send([build(f"{prefix}.mint_to_checked", {"mint": s(mint), "destination": str(ata_a), "authority": s(authority),
                                                    "amount": 10, "decimals": 6})], [authority], what="mint for v0")
    table_key = plain_pubkey(f"selfcheck-lut-{prefix}")
    install_lookup_table(chain, table_key, [SYSTEM_PROGRAM, ata_b, mint.pubkey()])
    table = AddressLookupTableAccount(table_key, [SYSTEM_PROGRAM, ata_b, mint.pubkey()])
    chain.send([build(f"{prefix}.transfer_checked", {"source": str(ata_a), "mint": s(mint), "destination": str(ata_b),
                                                     "owner": s(wallet_a), "amount": 4, "decimals": 6})],
               [wallet_a], what=f"v0 {prefix}.transfer_checked through a lookup table", v0_tables=[table])
    check(parse_account(chain.data(ata_b))["amount"] == 4, "v0 transfer through lookup table landed")


def install_lookup_table(chain: Chain, key: Pubkey, addresses: list) -> None:
    """Writes an active address lookup table account (LookupTableMeta + addresses) straight into LiteSVM."""
    meta_bytes = (u32(1) + u64(U64_MAX) + u64(0) + u8(0) + u8(1) + bytes(chain.payer.pubkey()) + u16(0))
    check(len(meta_bytes) == 56, "LookupTableMeta is 56 bytes")
    data = meta_bytes + b"".join(bytes(a) for a in addresses)
    lamports = chain.svm.minimum_balance_for_rent_exemption(len(data))
    chain.svm.set_account(key, Account(lamports=lamports, data=data, owner=LOOKUP_TABLE_PROGRAM, executable=False))
    if chain.svm.get_clock().slot < 5:
        chain.svm.warp_to_slot(5)


def token_metadata_tlv_matches(data: bytes, expected: bytes) -> bool:
    """The TokenMetadata TLV entry (type 19) right after the MetadataPointer one holds `expected`.
    Token-2022 appends 2 zero bytes (an Uninitialized TLV type) when the account would otherwise be
    exactly Multisig::LEN (355) bytes long, so the two cannot be confused; allow exactly that."""
    start = MINT_WITH_POINTER_SIZE + 4
    end = start + len(expected)
    header_ok = data[MINT_WITH_POINTER_SIZE:start] == u16(19) + u16(len(expected))
    padding = data[end:]
    return header_ok and data[start:end] == expected and (
        padding == b"" or (end == 355 and padding == bytes(2)))


def self_check_token_metadata(chain: Chain) -> None:
    s = lambda kp: str(kp.pubkey())  # noqa: E731
    # (name, symbol, uri, pointer authority: "other" | "none" | "mint_authority", metadata address: "self" | "other" | "none")
    cases = [(NAME_32, SYMBOL_10, URI_200, "other", "self"),
             ("", "", "", "none", "self"),
             (UNICODE_NAME, "🦋", "ipfs://bafy/ü", "mint_authority", "self"),
             ("elsewhere", "E", "e", "other", "other"),
             ("Flutterbye", "FLY", "https://flutterbye.example/1.json", "other", "none")]
    for name, symbol, uri, pointer_authority, address in cases:
        mint, authority, update_authority = chain.new_keypair(), chain.new_keypair(), chain.new_keypair()
        metadata_address = {"self": s(mint), "other": s(chain.new_keypair()), "none": None}[address]
        final_size = MINT_WITH_POINTER_SIZE + 4 + 64 + 12 + len((name + symbol + uri).encode()) + 4 + 2048
        lamports = chain.svm.minimum_balance_for_rent_exemption(final_size)
        pointer = {"mint": s(mint), "metadata_address": metadata_address,
                   "authority": {"other": s(chain.new_keypair()), "none": None, "mint_authority": s(authority)}[pointer_authority]}
        # Order matters: space for mint + MetadataPointer only (lamports for the final size),
        # MetadataPointer initialize BEFORE InitializeMint2, TokenMetadata initialize after.
        chain.send([chain.create(mint, MINT_WITH_POINTER_SIZE, TOKEN_2022_PROGRAM, lamports),
                    build("token2022.metadata_pointer_initialize", pointer),
                    build("token2022.initialize_mint2", {"mint": s(mint), "decimals": 0, "mint_authority": s(authority),
                                                         "freeze_authority": None})],
                   [mint], what="token2022 metadata pointer + mint")
        data = chain.data(mint.pubkey())
        check(len(data) == MINT_WITH_POINTER_SIZE and data[165] == 1, "mint with pointer extension")
        check(struct.unpack_from("<HH", data, 166) == (18, 64), "MetadataPointer TLV (type 18, len 64)")
        check(data[170:202] == optional_nonzero_pubkey(pointer["authority"]) and
              data[202:234] == optional_nonzero_pubkey(pointer["metadata_address"]), "pointer authority/address stored")
        if metadata_address != s(mint):
            continue  # metadata lives elsewhere (or nowhere): nothing more to initialize in the mint
        chain.send([build("token2022.token_metadata_initialize", {
            "metadata": s(mint), "update_authority": s(update_authority), "mint": s(mint),
            "mint_authority": s(authority), "name": name, "symbol": symbol, "uri": uri})],
            [authority], what="token2022.token_metadata_initialize")
        data = chain.data(mint.pubkey())
        expected = (bytes(update_authority.pubkey()) + bytes(mint.pubkey()) + borsh_string(name) + borsh_string(symbol)
                    + borsh_string(uri) + u32(0))
        check(token_metadata_tlv_matches(data, expected), "TokenMetadata holds update authority/mint/name/symbol/uri")
        updates = [("name", "Renamed 🦋"), ("symbol", "NEW"), ("uri", URI_200), ("job_id", "7"), ("🦋 key", "ü")]
        for field, value in updates:
            chain.send([build("token2022.token_metadata_update_field", {
                "metadata": s(mint), "update_authority": s(update_authority), "field": field, "value": value})],
                [update_authority], what=f"token2022.token_metadata_update_field {field}")
        chain.send([build("token2022.token_metadata_update_field", {
            "metadata": s(mint), "update_authority": s(authority), "field": "name", "value": "nope"})],
            [authority], expect_ok=False, what="update_field by a non-authority fails")
        data = chain.data(mint.pubkey())
        expected = (bytes(update_authority.pubkey()) + bytes(mint.pubkey()) + borsh_string("Renamed 🦋")
                    + borsh_string("NEW") + borsh_string(URI_200) + u32(2) + borsh_string("job_id") + borsh_string("7")
                    + borsh_string("🦋 key") + borsh_string("ü"))
        check(token_metadata_tlv_matches(data, expected), "TokenMetadata after update_field (incl. custom keys)")


def self_check_memo_and_budget(chain: Chain) -> None:
    signers = [chain.new_keypair() for _ in range(3)]
    for count, text in ((0, "hello"), (1, UNICODE_MEMO), (2, "two signers"), (3, "m" * 300), (1, "")):
        ix = build("memo", {"signers": [str(k.pubkey()) for k in signers[:count]], "memo": text})
        result = chain.send([ix], signers[:count], what=f"memo with {count} signers")
        check(any("Memo (len" in line for line in result.logs()), f"memo program logged the memo: {result.logs()}")
    unsigned = Instruction(MEMO_PROGRAM, b"x", [AccountMeta(signers[0].pubkey(), False, False)])
    chain.send([unsigned], [], expect_ok=False, what="memo listing a non-signer fails")
    chain.send([build("compute_budget.set_compute_unit_limit", {"units": 300_000}),
                build("compute_budget.set_compute_unit_price", {"micro_lamports": 1}),
                build("system.transfer", {"from": str(chain.payer.pubkey()), "to": str(plain_pubkey("sink")),
                                          "lamports": 1_000_000})], what="compute budget + transfer")


def self_check_instruction_vectors(instructions: list) -> None:
    """Every recorded vector re-encodes identically from its params (hand layout == library)."""
    for record in instructions:
        ix = hand_build(record["name"], record["params"])
        check(bytes(ix.data).hex() == record["data_hex"] and str(ix.program_id) == record["program_id"]
              and [account_json(a) for a in ix.accounts] == record["accounts"], f"vector {record['name']} re-encodes")


def self_check() -> None:
    chain = Chain()
    self_check_token(chain, "token")
    self_check_token(chain, "token2022")
    self_check_token_metadata(chain)
    self_check_memo_and_budget(chain)


# --------------------------------------------------------------------------------------------

def generate() -> dict:
    instructions = gen_instructions()
    self_check_instruction_vectors(instructions)
    messages, transactions = gen_messages_and_transactions()
    return {
        "generator": GENERATOR,
        "base58": gen_base58(),
        "keypairs": gen_keypairs(),
        "create_program_address": gen_create_program_address(),
        "find_program_address": gen_find_program_address(),
        "associated_token_addresses": gen_associated_token_addresses(),
        "instructions": instructions,
        "messages": messages,
        "transactions": transactions,
    }


def main() -> int:
    import solders
    check(solders.__version__ == "0.29.0", f"solders 0.29.0 required, found {solders.__version__}")
    try:
        self_check()
        vectors = generate()
    except SelfCheckError as error:
        print(f"SELF-CHECK FAILED, vectors.json not written:\n{error}", file=sys.stderr)
        return 1
    text = json.dumps(vectors, indent=1, sort_keys=True) + "\n"
    counts = {k: len(v) for k, v in vectors.items() if isinstance(v, list)}
    summary = ", ".join(f"{k} {v}" for k, v in counts.items()) + f"; total {sum(counts.values())}"
    if "--check" in sys.argv[1:]:
        current = open(OUTPUT).read() if os.path.exists(OUTPUT) else ""
        if current != text:
            print(f"{OUTPUT} is stale; regenerate it", file=sys.stderr)
            return 1
        print(f"{OUTPUT} is up to date ({summary})")
        return 0
    with open(OUTPUT, "w") as handle:
        handle.write(text)
    print(f"wrote {OUTPUT}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
