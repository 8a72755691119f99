"""Every instruction builder twice: by hand from the official layouts, and by the reference libraries (solders,
solana-py) where they have it; `build` cross-checks the two."""

from __future__ import annotations

import hashlib

from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price
from solders.instruction import Instruction
from solders.pubkey import Pubkey
from solders.system_program import (
    AllocateParams,
    AssignParams,
    CreateAccountParams,
    TransferParams,
    allocate,
    assign,
    create_account,
    transfer as system_transfer,
)
from solders.token.associated import get_associated_token_address
import spl.token.instructions as spl_ix
import spl.token.models as spl_models

from .common import (
    ATA_PROGRAM,
    COMPUTE_BUDGET_PROGRAM,
    MEMO_PROGRAM,
    METAPLEX_PROGRAM,
    SYSTEM_PROGRAM,
    TOKEN_2022_PROGRAM,
    TOKEN_PROGRAM,
    borsh_string,
    check,
    meta,
    optional_nonzero_pubkey,
    pk,
    rust_packed,
    token_option_pubkey,
    u16,
    u32,
    u64,
    u8,
)

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
