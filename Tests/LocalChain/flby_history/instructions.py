"""Every instruction the generator sends, and what it does to the ledger."""

import struct

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, TransferParams, create_account, transfer

TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
ATA_PROGRAM = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
MEMO_PROGRAM = Pubkey.from_string("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")
LOOKUP_TABLE_PROGRAM = Pubkey.from_string("AddressLookupTab1e1111111111111111111111111")
SYSTEM_PROGRAM = Pubkey.from_string("11111111111111111111111111111111")
MINT_SIZE = 82
TOKEN_ACCOUNT_SIZE = 165


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
