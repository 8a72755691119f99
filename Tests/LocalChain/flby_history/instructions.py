"""Every instruction the generator sends, and what it does to the ledger.

The instructions come from the reference builders, never from this project's own encoding: System and
Address Lookup Table from solders (`solders.system_program`), SPL Token and Associated Token Account from
solana-py (`spl.token.instructions`), Memo from solana-py (`spl.memo`). Two have no builder there and are written
out below, each with the reason: a Memo without signers and the Associated Token Account's RecoverNested.
"""

from solders import system_program
from solders.instruction import AccountMeta, Instruction
from spl.memo.constants import MEMO_PROGRAM_ID
from spl.memo.instructions import create_memo
from spl.memo.models import MemoParams
from spl.token import instructions as token
from spl.token.constants import ASSOCIATED_TOKEN_PROGRAM_ID, TOKEN_PROGRAM_ID
from spl.token.models import (BurnCheckedParams, BurnParams, CloseAccountParams, InitializeAccount3Params,
                              InitializeMint2Params, MintToCheckedParams, MintToParams, TransferCheckedParams,
                              TransferParams)


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


def ata_address(wallet, mint):
    """The associated token account of `wallet` for `mint` (SPL Token)."""
    return token.get_associated_token_address(wallet, mint, TOKEN_PROGRAM_ID)


def ix_sol_transfer(source, destination, lamports):
    instruction = system_program.transfer(system_program.TransferParams(
        from_pubkey=source, to_pubkey=destination, lamports=lamports))
    return Ix(instruction, ("sol", str(source), str(destination), lamports))


def ix_create_account(payer, account, lamports, space, owner):
    instruction = system_program.create_account(system_program.CreateAccountParams(
        from_pubkey=payer, to_pubkey=account, lamports=lamports, space=space, owner=owner))
    return Ix(instruction, ("sol", str(payer), str(account), lamports))


def ix_initialize_mint2(mint, decimals, authority):
    """InitializeMint2 without a freeze authority."""
    return Ix(token.initialize_mint2(InitializeMint2Params(
        program_id=TOKEN_PROGRAM_ID, mint=mint, decimals=decimals, mint_authority=authority)))


def ix_initialize_account3(account, mint, owner):
    instruction = token.initialize_account3(InitializeAccount3Params(
        program_id=TOKEN_PROGRAM_ID, account=account, mint=mint, owner=owner))
    return Ix(instruction, ("create_token", str(account), str(mint), str(owner), False))


def ix_create_ata(payer, wallet, mint):
    """The Associated Token Account program's CreateIdempotent."""
    instruction = token.create_idempotent_associated_token_account(payer, wallet, mint, TOKEN_PROGRAM_ID)
    return Ix(instruction, ("create_token", str(ata_address(wallet, mint)), str(mint), str(wallet), True))


def ix_mint_to(mint, account, authority, amount, decimals=None):
    """MintTo, or MintToChecked when decimals is given."""
    if decimals is None:
        instruction = token.mint_to(MintToParams(
            program_id=TOKEN_PROGRAM_ID, mint=mint, dest=account, mint_authority=authority, amount=amount))
    else:
        instruction = token.mint_to_checked(MintToCheckedParams(
            program_id=TOKEN_PROGRAM_ID, mint=mint, dest=account, mint_authority=authority, amount=amount,
            decimals=decimals))
    return Ix(instruction, ("mint", str(account), amount))


def ix_burn(account, mint, owner, amount, decimals=None):
    """Burn, or BurnChecked when decimals is given."""
    if decimals is None:
        instruction = token.burn(BurnParams(
            program_id=TOKEN_PROGRAM_ID, account=account, mint=mint, owner=owner, amount=amount))
    else:
        instruction = token.burn_checked(BurnCheckedParams(
            program_id=TOKEN_PROGRAM_ID, account=account, mint=mint, owner=owner, amount=amount, decimals=decimals))
    return Ix(instruction, ("burn", str(account), amount))


def ix_token_transfer(source, destination, owner, amount, mint=None, decimals=None):
    """Transfer, or TransferChecked when the mint is given."""
    if mint is None:
        instruction = token.transfer(TransferParams(
            program_id=TOKEN_PROGRAM_ID, source=source, dest=destination, owner=owner, amount=amount))
    else:
        instruction = token.transfer_checked(TransferCheckedParams(
            program_id=TOKEN_PROGRAM_ID, source=source, mint=mint, dest=destination, owner=owner, amount=amount,
            decimals=decimals))
    return Ix(instruction, ("transfer", str(source), str(destination), amount))


def ix_close_account(account, destination, owner):
    instruction = token.close_account(CloseAccountParams(
        program_id=TOKEN_PROGRAM_ID, account=account, dest=destination, owner=owner))
    return Ix(instruction, ("close", str(account)))


def ix_recover_nested(wallet, mint):
    """RecoverNested for the ATA of (the wallet's ATA of `mint`, `mint`): tokens go to the wallet's ATA.

    Written out: neither solders nor solana-py (spl.token.instructions has only Create and CreateIdempotent of
    the Associated Token Account program) builds RecoverNested. Its data is the one-byte instruction index 2 and
    its accounts are those of spl-associated-token-account's `recover_nested`; the addresses are derived by
    solana-py."""
    owner_ata = ata_address(wallet, mint)
    nested = ata_address(owner_ata, mint)
    instruction = Instruction(ASSOCIATED_TOKEN_PROGRAM_ID, bytes([2]), [
        AccountMeta(nested, is_signer=False, is_writable=True),
        AccountMeta(mint, is_signer=False, is_writable=False),
        AccountMeta(owner_ata, is_signer=False, is_writable=True),
        AccountMeta(owner_ata, is_signer=False, is_writable=False),
        AccountMeta(mint, is_signer=False, is_writable=False),
        AccountMeta(wallet, is_signer=True, is_writable=True),
        AccountMeta(TOKEN_PROGRAM_ID, is_signer=False, is_writable=False)])
    return Ix(instruction, ("recover", str(nested), str(owner_ata)))


def ix_memo(text, signer=None):
    """A Memo instruction with the text, signed by `signer` (the transaction's fee payer) or by nobody.

    spl.memo's create_memo always names one signer; the Memo program also takes none, and that instruction is
    written out: the Memo program's data is the UTF-8 text itself and it has no accounts."""
    if signer is None:
        instruction = Instruction(MEMO_PROGRAM_ID, text.encode(), [])
    else:
        instruction = create_memo(MemoParams(program_id=MEMO_PROGRAM_ID, signer=signer, message=text.encode()))
    return Ix(instruction, ("memo", text))


def ix_create_lookup_table(authority, payer, recent_slot):
    """The CreateLookupTable instruction and the table's address."""
    instruction, table = system_program.create_lookup_table(system_program.CreateLookupTableParams(
        authority_address=authority, payer_address=payer, recent_slot=recent_slot))
    return Ix(instruction), table


def ix_extend_lookup_table(table, authority, payer, addresses):
    return Ix(system_program.extend_lookup_table(system_program.ExtendLookupTableParams(
        lookup_table_address=table, authority_address=authority, payer_address=payer,
        new_addresses=list(addresses))))
