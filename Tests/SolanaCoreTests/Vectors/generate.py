#!/usr/bin/env python3
"""Writes vectors.json: reference test vectors for SolanaCore, made with solders 0.29 (the Rust solana-sdk
behind it) and solana-py 0.41 (its SPL Token builders).

Run:  python3 Tests/SolanaCoreTests/Vectors/generate.py
It creates the repository's virtualenv (.venv) if needed, installs requirements.txt into it, re-executes
itself there, and rewrites vectors.json next to this file. Every input comes from fixed seeds, so the output
is byte-identical on every run.

Sources per section:
- base58, keypairs and signatures, create/find_program_address, associated token addresses,
  System and ComputeBudget instructions, legacy and v0 messages, signed transactions: solders.
- SPL Token and Token-2022 instructions (InitializeMint2, InitializeAccount3, MintTo(Checked),
  Transfer(Checked), Burn(Checked), SetAuthority): solana-py's spl.token.instructions, put in the form the
  Rust spl-token crate packs (see rust_packing()): solana-py writes an absent COption<Pubkey> as tag 0 plus
  32 zero bytes, spl-token's pack_pubkey_option as the tag 0 alone. The program accepts both; the short form
  is executed in the self-check.
- Associated token account create / create-idempotent: encoded as spl-associated-token-account-client builds
  them (6 accounts; solana-py still appends the Rent sysvar, which the program no longer reads), executed in
  the self-check on both token programs.
- Memo (readonly signers, as spl-memo's build_memo), Token-2022 MetadataPointer initialize and the
  TokenMetadata interface's initialize / update-field: no library builds them, so they are encoded here
  from the programs' published layouts AND proven by executing them in LiteSVM (solders.litesvm carries the
  real Token-2022 and Memo programs) before anything is written: see self_check().
- Metaplex CreateMetadataAccountV3: encoded here from mpl-token-metadata's borsh layout (discriminator 33,
  DataV2, is_mutable, collection_details); bytes only, the program is not in LiteSVM.
"""

import hashlib
import json
import os
import random
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
VENV = os.path.join(ROOT, ".venv")
VENV_PYTHON = os.path.join(VENV, "bin", "python")
REQUIREMENTS = os.path.join(HERE, "requirements.txt")
OUTPUT = os.path.join(HERE, "vectors.json")


def ensure_venv():
    """Re-executes inside .venv with the pinned requirements installed."""
    if os.path.abspath(sys.prefix) == os.path.abspath(VENV):
        return
    if not os.path.exists(VENV_PYTHON):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    subprocess.check_call([VENV_PYTHON, "-m", "pip", "install", "-q", "-r", REQUIREMENTS])
    os.execv(VENV_PYTHON, [VENV_PYTHON, os.path.abspath(__file__)] + sys.argv[1:])


ensure_venv()

from solders.address_lookup_table_account import AddressLookupTableAccount  # noqa: E402
from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price  # noqa: E402
from solders.hash import Hash  # noqa: E402
from solders.instruction import AccountMeta, Instruction  # noqa: E402
from solders.keypair import Keypair  # noqa: E402
from solders.litesvm import LiteSVM  # noqa: E402
from solders.message import Message, MessageV0, to_bytes_versioned  # noqa: E402
from solders.pubkey import Pubkey  # noqa: E402
from solders.system_program import CreateAccountParams, TransferParams, create_account, transfer  # noqa: E402
from solders.token.associated import get_associated_token_address  # noqa: E402
from solders.transaction import Transaction, VersionedTransaction  # noqa: E402
from solders.transaction_metadata import FailedTransactionMetadata  # noqa: E402
import spl.token.instructions as spl  # noqa: E402
from spl.token.instructions import models as spl_models  # noqa: E402
from spl.token.instructions import AuthorityType  # noqa: E402

TOKEN = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
TOKEN_2022 = Pubkey.from_string("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
ATA_PROGRAM = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
MEMO = Pubkey.from_string("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")
METAPLEX = Pubkey.from_string("metaqbxxUerdq28cj1RbAWkYQm3ybzjb6a8bt518x1s")
SYSTEM = Pubkey.from_string("11111111111111111111111111111111")

U64_MAX = 2**64 - 1


def seed(label, i=0):
    return hashlib.sha256(f"flutterbye-vector-{label}-{i}".encode()).digest()


def keypair(label, i=0):
    return Keypair.from_seed(seed(label, i))


def key(label, i=0):
    """A plain address (not necessarily on the curve)."""
    return Pubkey(seed("key-" + label, i))


# ---------------------------------------------------------------- hand-encoded builders (proven in LiteSVM)

def borsh_string(text):
    raw = text.encode("utf-8")
    return struct.pack("<I", len(raw)) + raw


def memo_instruction(text, signers):
    return Instruction(MEMO, text.encode("utf-8"), [AccountMeta(s, True, False) for s in signers])


def metadata_pointer_initialize(mint, authority, metadata_address):
    data = bytes([39, 0]) + bytes(authority or Pubkey.default()) + bytes(metadata_address or Pubkey.default())
    return Instruction(TOKEN_2022, data, [AccountMeta(mint, False, True)])


def discriminator(name):
    return hashlib.sha256(name.encode()).digest()[:8]


def token_metadata_initialize(metadata, update_authority, mint, mint_authority, name, symbol, uri):
    data = discriminator("spl_token_metadata_interface:initialize_account") + borsh_string(name) + borsh_string(symbol) + borsh_string(uri)
    return Instruction(TOKEN_2022, data, [
        AccountMeta(metadata, False, True), AccountMeta(update_authority, False, False),
        AccountMeta(mint, False, False), AccountMeta(mint_authority, True, False),
    ])


def token_metadata_update_field(metadata, update_authority, field, value):
    standard = {"name": 0, "symbol": 1, "uri": 2}
    encoded_field = bytes([standard[field]]) if field in standard else bytes([3]) + borsh_string(field)
    data = discriminator("spl_token_metadata_interface:updating_field") + encoded_field + borsh_string(value)
    return Instruction(TOKEN_2022, data, [AccountMeta(metadata, False, True), AccountMeta(update_authority, True, False)])


def metaplex_create_metadata_account_v3(metadata, mint, mint_authority, payer, update_authority, name, symbol, uri,
                                        seller_fee_basis_points, is_mutable, update_authority_is_signer):
    data = (bytes([33]) + borsh_string(name) + borsh_string(symbol) + borsh_string(uri)
            + struct.pack("<H", seller_fee_basis_points) + bytes([0, 0, 0]) + bytes([1 if is_mutable else 0]) + bytes([0]))
    return Instruction(METAPLEX, data, [
        AccountMeta(metadata, False, True), AccountMeta(mint, False, False), AccountMeta(mint_authority, True, False),
        AccountMeta(payer, True, True), AccountMeta(update_authority, update_authority_is_signer, False),
        AccountMeta(SYSTEM, False, False),
    ])


def rust_packing(instruction):
    """solana-py's InitializeMint2 / SetAuthority with an absent option, packed as spl-token packs it."""
    data = bytes(instruction.data)
    if data[0] in (0, 20, 6) and len(data) in (67, 35) and data[-33] == 0 and data[-32:] == bytes(32):
        return Instruction(instruction.program_id, data[:-32], list(instruction.accounts))
    return instruction


def ata_instruction(payer, wallet, mint, token_program, idempotent):
    ata = get_associated_token_address(wallet, mint, token_program)
    return Instruction(ATA_PROGRAM, bytes([1]) if idempotent else b"", [
        AccountMeta(payer, True, True), AccountMeta(ata, False, True), AccountMeta(wallet, False, False),
        AccountMeta(mint, False, False), AccountMeta(SYSTEM, False, False), AccountMeta(token_program, False, False),
    ])


# ---------------------------------------------------------------- LiteSVM proof of the hand-encoded layouts

def self_check():
    svm = LiteSVM()
    payer = keypair("check-payer")
    mint = keypair("check-mint")
    holder = keypair("check-holder")
    svm.airdrop(payer.pubkey(), 10**11)

    def run(instructions, signers):
        message = Message.new_with_blockhash(instructions, payer.pubkey(), svm.latest_blockhash())
        result = svm.send_transaction(Transaction(signers, message, svm.latest_blockhash()))
        if isinstance(result, FailedTransactionMetadata):
            raise SystemExit(f"self-check failed: {result.err()}\n" + "\n".join(result.meta().logs()))
        return result

    name, symbol, uri = "Check Token", "CHK", "https://example.com/check.json"
    mint_space = 234  # 165 padded base + 1 account type + 4 TLV header + 64 MetadataPointer
    metadata_space = 4 + 32 + 32 + 12 + len(name) + len(symbol) + len(uri) + 4 + 64
    ata = get_associated_token_address(holder.pubkey(), mint.pubkey(), TOKEN_2022)
    run([
        create_account(CreateAccountParams(from_pubkey=payer.pubkey(), to_pubkey=mint.pubkey(),
                                           lamports=svm.minimum_balance_for_rent_exemption(mint_space + metadata_space),
                                           space=mint_space, owner=TOKEN_2022)),
        metadata_pointer_initialize(mint.pubkey(), payer.pubkey(), mint.pubkey()),
        spl.initialize_mint2(spl_models.InitializeMint2Params(decimals=4, program_id=TOKEN_2022, mint=mint.pubkey(),
                                                       mint_authority=payer.pubkey(), freeze_authority=None)),
        token_metadata_initialize(mint.pubkey(), payer.pubkey(), mint.pubkey(), payer.pubkey(), name, symbol, uri),
        ata_instruction(payer.pubkey(), holder.pubkey(), mint.pubkey(), TOKEN_2022, True),
        ata_instruction(payer.pubkey(), holder.pubkey(), mint.pubkey(), TOKEN_2022, True),
        spl.mint_to(spl_models.MintToParams(program_id=TOKEN_2022, mint=mint.pubkey(), dest=ata, mint_authority=payer.pubkey(), amount=5)),
        memo_instruction("self-check ✓", [payer.pubkey()]),
    ], [payer, mint])
    run([
        token_metadata_update_field(mint.pubkey(), payer.pubkey(), "uri", "https://example.com/v2.json"),
        token_metadata_update_field(mint.pubkey(), payer.pubkey(), "edition", "first"),
        memo_instruction("two signers", [payer.pubkey(), holder.pubkey()]),
    ], [payer, holder])
    # The short COption forms and the 6-account ATA instructions, on both token programs.
    for program in (TOKEN, TOKEN_2022):
        plain_mint = keypair("check-plain-mint", 0 if program == TOKEN else 1)
        run([
            create_account(CreateAccountParams(from_pubkey=payer.pubkey(), to_pubkey=plain_mint.pubkey(),
                                               lamports=svm.minimum_balance_for_rent_exemption(82), space=82, owner=program)),
            rust_packing(spl.initialize_mint2(spl_models.InitializeMint2Params(
                decimals=0, program_id=program, mint=plain_mint.pubkey(), mint_authority=payer.pubkey(), freeze_authority=None))),
            ata_instruction(payer.pubkey(), holder.pubkey(), plain_mint.pubkey(), program, False),
            ata_instruction(payer.pubkey(), holder.pubkey(), plain_mint.pubkey(), program, True),
            rust_packing(spl.set_authority(spl_models.SetAuthorityParams(
                program_id=program, account=plain_mint.pubkey(), authority=AuthorityType.MINT_TOKENS,
                current_authority=payer.pubkey(), new_authority=None))),
        ], [payer, plain_mint])
        state = bytes(svm.get_account(plain_mint.pubkey()).data)
        if state[0:4] != bytes(4) or state[45] != 1:
            raise SystemExit("self-check failed: the mint should be initialized with no mint authority left")
    data = bytes(svm.get_account(mint.pubkey()).data)
    for expected in (name.encode(), symbol.encode(), b"https://example.com/v2.json", b"edition", b"first"):
        if expected not in data:
            raise SystemExit(f"self-check failed: {expected!r} not in the mint's metadata")
    # The metadata pointer names the mint itself, right after the account type byte and TLV header.
    if data[166:168] != struct.pack("<H", 18) or data[170 + 32:170 + 64] != bytes(mint.pubkey()):
        raise SystemExit("self-check failed: metadata pointer extension not where expected")


# ---------------------------------------------------------------- sections

def base58_vectors():
    rng = random.Random(58)
    cases = [b"", b"\x00", b"\x00" * 5, b"\x00\x00\x01", b"\xff", b"\x00\xff" * 3, bytes(32), b"\xff" * 32, b"\xff" * 64]
    cases += [bytes([i]) for i in (1, 57, 58, 127, 128, 255)]
    cases += [bytes(rng.randrange(256) for _ in range(n)) for n in (32, 32, 32, 64, 64, 64)]
    cases += [bytes([0] * z) + bytes(rng.randrange(1, 256) for _ in range(rng.randrange(1, 40))) for z in range(1, 6)]
    cases += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 81))) for _ in range(20)]
    out = []
    for raw in cases:
        out.append({"hex": raw.hex(), "base58": str(Pubkey(raw)) if len(raw) == 32 else b58(raw)})
    return out


def b58(raw):
    # solders exposes base58 only through its fixed-size types; Signature covers 64 bytes, and other lengths go
    # through the reference algorithm below (cross-checked against solders on the 32- and 64-byte cases).
    from solders.signature import Signature
    if len(raw) == 64:
        return str(Signature.from_bytes(raw))
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    number = int.from_bytes(raw, "big")
    text = ""
    while number:
        number, rem = divmod(number, 58)
        text = alphabet[rem] + text
    zeros = len(raw) - len(raw.lstrip(b"\x00"))
    return "1" * zeros + text


def keypair_vectors():
    out = []
    for i in range(32):
        kp = keypair("kp", i)
        message = seed("msg", i)[: (i * 7) % 33] * (1 + i % 4) if i else b""
        out.append({
            "seed_hex": seed("kp", i).hex(),
            "secret_hex": bytes(kp).hex(),
            "secret_base58": str(kp),
            "pubkey": str(kp.pubkey()),
            "message_hex": message.hex(),
            "signature": str(kp.sign_message(message)),
        })
    return out


def seeds_for(rng, count):
    return [bytes(rng.randrange(256) for _ in range(rng.randrange(0, 33))) for _ in range(count)]


def create_program_address_vectors():
    rng = random.Random(1)
    out = []
    rejected = 0
    i = 0
    while len(out) < 40 or rejected < 10:
        program = key("program", i % 5)
        seeds = seeds_for(rng, rng.randrange(0, 5))
        i += 1
        try:
            address = str(Pubkey.create_program_address(seeds, program))
        except Exception:
            if rejected >= 12:
                continue
            address = None
            rejected += 1
        if address is not None and len(out) - rejected >= 30:
            continue
        out.append({"program_id": str(program), "seeds_hex": [s.hex() for s in seeds], "address": address})
    return out


def find_program_address_vectors():
    rng = random.Random(2)
    out = []
    programs = [key("program", i) for i in range(5)] + [TOKEN, ATA_PROGRAM, METAPLEX]
    for i in range(44):
        program = programs[i % len(programs)]
        seeds = seeds_for(rng, i % 5)
        if i % 11 == 0:
            seeds = [b"metadata", bytes(METAPLEX), bytes(key("mint", i))]
        address, bump = Pubkey.find_program_address(seeds, program)
        out.append({"program_id": str(program), "seeds_hex": [s.hex() for s in seeds], "address": str(address), "bump": bump})
    return out


def ata_vectors():
    out = []
    for i in range(32):
        program = TOKEN if i % 2 == 0 else TOKEN_2022
        wallet = keypair("wallet", i).pubkey() if i % 3 else key("wallet-pda", i)
        mint = key("mint", i)
        address = get_associated_token_address(wallet, mint, program)
        # Cross-check the library against the derivation it documents.
        assert address == Pubkey.find_program_address([bytes(wallet), bytes(program), bytes(mint)], ATA_PROGRAM)[0]
        out.append({"wallet": str(wallet), "mint": str(mint), "token_program": str(program), "address": str(address)})
    return out


def instruction_case(name, params, instruction):
    return {
        "name": name,
        "params": params,
        "program_id": str(instruction.program_id),
        "accounts": [{"pubkey": str(m.pubkey), "is_signer": m.is_signer, "is_writable": m.is_writable} for m in instruction.accounts],
        "data_hex": bytes(instruction.data).hex(),
    }


def instruction_vectors():
    out = []
    amounts = [0, 1, 1_000_000_000, 123_456_789_012, U64_MAX, 2**63]
    decimals = [0, 9, 6, 2, 9, 0]
    for i in range(6):
        a, b, c, d = key("a", i), key("b", i), key("c", i), key("d", i)
        amount, dec = amounts[i], decimals[i]
        out.append(instruction_case("system.create_account",
                                    {"from": str(a), "new_account": str(b), "lamports": amount, "space": [0, 82, 165, 234, 10240, 2**32][i], "owner": str(c)},
                                    create_account(CreateAccountParams(from_pubkey=a, to_pubkey=b, lamports=amount, space=[0, 82, 165, 234, 10240, 2**32][i], owner=c))))
        out.append(instruction_case("system.transfer", {"from": str(a), "to": str(b), "lamports": amount},
                                    transfer(TransferParams(from_pubkey=a, to_pubkey=b, lamports=amount))))
        for prefix, program in (("token", TOKEN), ("token2022", TOKEN_2022)):
            freeze = None if i % 2 else d
            out.append(instruction_case(f"{prefix}.initialize_mint2",
                                        {"mint": str(a), "decimals": dec, "mint_authority": str(b), "freeze_authority": str(freeze) if freeze else None},
                                        rust_packing(spl.initialize_mint2(spl_models.InitializeMint2Params(decimals=dec, program_id=program, mint=a, mint_authority=b, freeze_authority=freeze)))))
            out.append(instruction_case(f"{prefix}.initialize_account3", {"account": str(a), "mint": str(b), "owner": str(c)},
                                        spl.initialize_account3(spl_models.InitializeAccount3Params(program_id=program, account=a, mint=b, owner=c))))
            out.append(instruction_case(f"{prefix}.mint_to", {"mint": str(a), "destination": str(b), "authority": str(c), "amount": amount},
                                        spl.mint_to(spl_models.MintToParams(program_id=program, mint=a, dest=b, mint_authority=c, amount=amount))))
            out.append(instruction_case(f"{prefix}.mint_to_checked",
                                        {"mint": str(a), "destination": str(b), "authority": str(c), "amount": amount, "decimals": dec},
                                        spl.mint_to_checked(spl_models.MintToCheckedParams(program_id=program, mint=a, dest=b, mint_authority=c, amount=amount, decimals=dec))))
            out.append(instruction_case(f"{prefix}.transfer", {"source": str(a), "destination": str(b), "owner": str(c), "amount": amount},
                                        spl.transfer(spl_models.TransferParams(program_id=program, source=a, dest=b, owner=c, amount=amount))))
            out.append(instruction_case(f"{prefix}.transfer_checked",
                                        {"source": str(a), "mint": str(d), "destination": str(b), "owner": str(c), "amount": amount, "decimals": dec},
                                        spl.transfer_checked(spl_models.TransferCheckedParams(program_id=program, source=a, mint=d, dest=b, owner=c, amount=amount, decimals=dec))))
            out.append(instruction_case(f"{prefix}.burn", {"account": str(a), "mint": str(b), "owner": str(c), "amount": amount},
                                        spl.burn(spl_models.BurnParams(program_id=program, account=a, mint=b, owner=c, amount=amount))))
            out.append(instruction_case(f"{prefix}.burn_checked",
                                        {"account": str(a), "mint": str(b), "owner": str(c), "amount": amount, "decimals": dec},
                                        spl.burn_checked(spl_models.BurnCheckedParams(program_id=program, account=a, mint=b, owner=c, amount=amount, decimals=dec))))
            kind = list(AuthorityType)[i % 4]
            new = None if i % 3 == 2 else d
            out.append(instruction_case(f"{prefix}.set_authority",
                                        {"account": str(a), "current_authority": str(c), "authority_type": kind.value, "new_authority": str(new) if new else None},
                                        rust_packing(spl.set_authority(spl_models.SetAuthorityParams(program_id=program, account=a, authority=kind, current_authority=c, new_authority=new)))))
        pointer_authority = None if i == 1 else b
        pointer_address = None if i == 2 else a
        out.append(instruction_case("token2022.metadata_pointer_initialize",
                                    {"mint": str(a), "authority": str(pointer_authority) if pointer_authority else None,
                                     "metadata_address": str(pointer_address) if pointer_address else None},
                                    metadata_pointer_initialize(a, pointer_authority, pointer_address)))
        names = ["", "Flutterbye", "N" * 32, "Ünïcødé ✓", "Token 4", "Five"]
        symbols = ["", "FLBY", "S" * 10, "Ü", "T4", "F5"]
        uris = ["", "https://flutterbye.io/t.json", "u" * 200, "ipfs://bafy/ü.json", "ar://x", "https://x.y/5"]
        out.append(instruction_case("token2022.token_metadata_initialize",
                                    {"metadata": str(a), "update_authority": str(b), "mint": str(a if i % 2 else c), "mint_authority": str(d),
                                     "name": names[i], "symbol": symbols[i], "uri": uris[i]},
                                    token_metadata_initialize(a, b, a if i % 2 else c, d, names[i], symbols[i], uris[i])))
        field = ["name", "symbol", "uri", "edition", "", "ünïcode key"][i]
        out.append(instruction_case("token2022.token_metadata_update_field",
                                    {"metadata": str(a), "update_authority": str(b), "field": field, "value": ["New", "NS", "https://n", "1", "", "v ✓"][i]},
                                    token_metadata_update_field(a, b, field, ["New", "NS", "https://n", "1", "", "v ✓"][i])))
        program = TOKEN if i % 2 == 0 else TOKEN_2022
        wallet = keypair("wallet", i).pubkey()
        out.append(instruction_case("ata.create", {"payer": str(a), "wallet": str(wallet), "mint": str(c), "token_program": str(program)},
                                    ata_instruction(a, wallet, c, program, False)))
        out.append(instruction_case("ata.create_idempotent", {"payer": str(a), "wallet": str(wallet), "mint": str(c), "token_program": str(program)},
                                    ata_instruction(a, wallet, c, program, True)))
        signers = [[], [a], [a, b], [a, b, c], [d], [a, d]][i]
        text = ["", "hello", "flutterbye job 42 ✓", "x" * 500, "multi\nline", "emoji 🦋"][i]
        out.append(instruction_case("memo", {"signers": [str(s) for s in signers], "memo": text}, memo_instruction(text, signers)))
        units = [0, 1, 200_000, 1_400_000, 2**32 - 1, 60_000][i]
        out.append(instruction_case("compute_budget.set_compute_unit_limit", {"units": units}, set_compute_unit_limit(units)))
        out.append(instruction_case("compute_budget.set_compute_unit_price", {"micro_lamports": amount}, set_compute_unit_price(amount)))
        metadata = Pubkey.find_program_address([b"metadata", bytes(METAPLEX), bytes(a)], METAPLEX)[0]
        params = {"metadata": str(metadata), "mint": str(a), "mint_authority": str(b), "payer": str(c), "update_authority": str(d if i % 2 else b),
                  "name": names[i], "symbol": symbols[i], "uri": uris[i], "seller_fee_basis_points": [0, 500, 10000, 250, 65535, 1][i],
                  "is_mutable": i % 2 == 0, "update_authority_is_signer": i % 3 == 0}
        out.append(instruction_case("metaplex.create_metadata_account_v3", params, metaplex_create_metadata_account_v3(
            metadata, a, b, c, d if i % 2 else b, names[i], symbols[i], uris[i], params["seller_fee_basis_points"], params["is_mutable"],
            params["update_authority_is_signer"])))
    return out


def meta_json(m):
    return {"pubkey": str(m.pubkey), "is_signer": m.is_signer, "is_writable": m.is_writable}


def random_instruction(rng, signer_pool, account_pool, programs):
    accounts = []
    for _ in range(rng.randrange(0, 6)):
        if rng.random() < 0.3:
            accounts.append(AccountMeta(rng.choice(signer_pool).pubkey(), True, rng.random() < 0.5))
        else:
            accounts.append(AccountMeta(rng.choice(account_pool), False, rng.random() < 0.5))
    data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 40)))
    return Instruction(rng.choice(programs), data, accounts)


def message_vectors():
    rng = random.Random(3)
    signer_pool = [keypair("signer", i) for i in range(6)]
    account_pool = [key("acct", i) for i in range(16)]
    programs = [key("prog", i) for i in range(3)] + [TOKEN, MEMO]
    messages, signers_of = [], []
    for i in range(48):
        payer = signer_pool[i % len(signer_pool)]
        instructions = [random_instruction(rng, signer_pool, account_pool, programs) for _ in range(rng.randrange(1, 5))]
        if i % 4 == 0:  # the payer also appears inside an instruction, as a read-only non-signer
            instructions.append(Instruction(programs[0], b"\x01", [AccountMeta(payer.pubkey(), False, False)]))
        if i % 5 == 0:  # the same account with weaker and stronger flags
            shared = account_pool[i % 16]
            instructions.append(Instruction(programs[1], b"", [AccountMeta(shared, False, False), AccountMeta(shared, False, True)]))
        if i % 7 == 0:  # a program used as an account too
            instructions.append(Instruction(programs[2], b"\x02", [AccountMeta(programs[0], False, False)]))
        blockhash = Hash(seed("blockhash", i))
        tables = []
        if i % 2 == 0:
            message = Message.new_with_blockhash(instructions, payer.pubkey(), blockhash)
            serialized = bytes(message)
            header = message.header
            keys = message.account_keys
        else:
            for t in range(1 + i % 3 // 2):
                addresses = rng.sample(account_pool, 8) + [signer_pool[t].pubkey(), programs[t]]
                rng.shuffle(addresses)
                tables.append(AddressLookupTableAccount(key("table", i * 3 + t), addresses))
            message = MessageV0.try_compile(payer.pubkey(), instructions, tables, blockhash)
            serialized = to_bytes_versioned(message)
            header = message.header
            keys = message.account_keys
        required = list(keys[: header.num_required_signatures])
        signers_of.append([kp for kp in signer_pool if kp.pubkey() in required])
        messages.append((message, {
            "version": "legacy" if i % 2 == 0 else 0,
            "payer": str(payer.pubkey()),
            "recent_blockhash": str(blockhash),
            "instructions": [{"program_id": str(ix.program_id), "accounts": [meta_json(m) for m in ix.accounts], "data_hex": bytes(ix.data).hex()}
                             for ix in instructions],
            "lookup_tables": [{"key": str(t.key), "addresses": [str(a) for a in t.addresses]} for t in tables],
            "serialized_hex": serialized.hex(),
            "header": [header.num_required_signatures, header.num_readonly_signed_accounts, header.num_readonly_unsigned_accounts],
            "account_keys": [str(k) for k in keys],
        }))
    transactions = []
    for i in range(36):
        message, case = messages[i]
        signers = list(signers_of[i])
        rng.shuffle(signers)
        if case["version"] == "legacy":
            tx = Transaction(signers, message, message.recent_blockhash)
        else:
            tx = VersionedTransaction(message, signers)
        transactions.append({
            "message_index": i,
            "signer_seeds_hex": [seed("signer", [str(kp.pubkey()) for kp in signer_pool].index(str(s.pubkey()))).hex() for s in signers],
            "serialized_hex": bytes(tx).hex(),
            "signatures": [str(s) for s in tx.signatures],
        })
    if not any(m["lookup_tables"] and bytes.fromhex(m["serialized_hex"])[-1] != 0 for m in (c for _, c in messages)):
        raise SystemExit("no v0 message resolved an account through a lookup table; change the seeds")
    return [case for _, case in messages], transactions


def main():
    self_check()
    messages, transactions = message_vectors()
    vectors = {
        "generator": "solders 0.29.0 / solana-py 0.41.0",
        "base58": base58_vectors(),
        "keypairs": keypair_vectors(),
        "create_program_address": create_program_address_vectors(),
        "find_program_address": find_program_address_vectors(),
        "associated_token_addresses": ata_vectors(),
        "instructions": instruction_vectors(),
        "messages": messages,
        "transactions": transactions,
    }
    text = json.dumps(vectors, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    with open(OUTPUT, "w", encoding="utf-8") as handle:
        handle.write(text)
    counts = {name: len(value) for name, value in vectors.items() if isinstance(value, list)}
    print(f"wrote {OUTPUT}: {sum(counts.values())} vectors {counts}")


if __name__ == "__main__":
    main()
