"""The setup transactions before the mix: airdrops, the FLBY and NOISE mints, associated and non-associated
token accounts, the initial mints and an address lookup table."""

import time

from solders.address_lookup_table_account import AddressLookupTableAccount
from spl.token.constants import ACCOUNT_LEN, MINT_LEN, TOKEN_PROGRAM_ID

from .errors import GeneratorError
from .instructions import (ata_address, ix_create_account, ix_create_ata, ix_create_lookup_table,
                           ix_extend_lookup_table, ix_initialize_account3, ix_initialize_mint2, ix_mint_to)
from .ledger import SOL
from .participants import DECIMALS, NOISE_DECIMALS
from .sender import CONFIRM_TIMEOUT


def set_up(sender, participants, rng, plain=False):
    """Sends the setup transactions, ending with the lookup table (sender.lookup_table once usable). `plain`: the
    FLBY mint, the wallets and the holders' associated accounts only (no NOISE, no lookup table), for any number of
    holders: what an idle indexer follows."""
    p = participants
    rpc = sender.rpc
    rent_mint = rpc.call("getMinimumBalanceForRentExemption", MINT_LEN)
    rent_account = rpc.call("getMinimumBalanceForRentExemption", ACCOUNT_LEN)

    sender.airdrop(p.payer, 1000 * SOL)
    for i, holder in enumerate(p.holders):
        sender.airdrop(holder, 10 * SOL + i)
    sender.airdrop(p.escrow, 50 * SOL)
    sender.airdrop(p.fee, 2 * SOL)
    sender.airdrop(p.noise_authority, 20 * SOL)
    for i, wallet in enumerate(p.noise_wallets + [p.noise_depositor]):
        sender.airdrop(wallet, 5 * SOL + i)

    payer = p.payer.pubkey()
    sender.send_setup("setup_mint", p.payer, [
        ix_create_account(payer, p.mint_key, rent_mint, MINT_LEN, TOKEN_PROGRAM_ID),
        ix_initialize_mint2(p.mint_key, DECIMALS, payer)], [p.mint])
    wallets = [holder.pubkey() for holder in p.holders] + [p.escrow.pubkey(), p.fee.pubkey()]
    for start in range(0, len(wallets), 4):
        sender.send_setup("setup_ata", p.payer,
                          [ix_create_ata(payer, wallet, p.mint_key) for wallet in wallets[start:start + 4]])
    for account, holder in zip(p.non_ata, p.holders):
        sender.send_setup("setup_non_ata", p.payer, [
            ix_create_account(payer, account.pubkey(), rent_account, ACCOUNT_LEN, TOKEN_PROGRAM_ID),
            ix_initialize_account3(account.pubkey(), p.mint_key, holder.pubkey())], [account])
    # Initial supply; holder 0 gets more than 2^53 base units.
    targets = [ata_address(holder.pubkey(), p.mint_key) for holder in p.holders]
    amounts = [12_345_678_901_234_567] + [rng.randint(100_000, 5_000_000) * 10**DECIMALS for _ in targets[1:]]
    mints = [ix_mint_to(p.mint_key, target, payer, amount) for target, amount in zip(targets, amounts)]
    for start in range(0, len(mints), 8 if plain else len(mints)):
        sender.send_setup("setup_mint_to", p.payer, mints[start:start + 8] if plain else mints)
    if plain:
        return
    sender.send_setup("setup_mint_to", p.payer, [
        ix_mint_to(p.mint_key, account.pubkey(), payer, rng.randint(1_000, 50_000) * 10**DECIMALS, DECIMALS)
        for account in p.non_ata])

    # NOISE: a mint and wallets that never touch FLBY, plus the escrow's NOISE ATA.
    authority = p.noise_authority.pubkey()
    noise_mint = p.noise_mint.pubkey()
    sender.send_setup("setup_noise", p.noise_authority, [
        ix_create_account(authority, noise_mint, rent_mint, MINT_LEN, TOKEN_PROGRAM_ID),
        ix_initialize_mint2(noise_mint, NOISE_DECIMALS, authority)], [p.noise_mint])
    noise_owners = [wallet.pubkey() for wallet in p.noise_wallets + [p.noise_depositor]]
    sender.send_setup("setup_noise", p.noise_authority,
                      [ix_create_ata(authority, owner, noise_mint) for owner in noise_owners])
    sender.send_setup("setup_noise", p.noise_authority, [
        ix_mint_to(noise_mint, ata_address(owner, noise_mint), authority, rng.randint(10**6, 10**9))
        for owner in noise_owners])
    sender.send_setup("setup_escrow_noise_ata", p.noise_authority,
                      [ix_create_ata(authority, p.escrow.pubkey(), noise_mint)])
    set_up_lookup_table(sender, participants)


def set_up_lookup_table(sender, participants):
    """A lookup table holding the holders' FLBY accounts, the escrow and fee wallets and their ATAs;
    waits until it is usable (the slot after its extension)."""
    p = participants
    rpc = sender.rpc
    addresses = ([ata_address(holder.pubkey(), p.mint_key) for holder in p.holders]
                 + [account.pubkey() for account in p.non_ata]
                 + [p.escrow.pubkey(), p.fee.pubkey(), p.escrow_ata, p.fee_ata])
    recent_slot = rpc.call("getSlot", {"commitment": "finalized"})
    payer = p.payer.pubkey()
    create, table = ix_create_lookup_table(payer, payer, recent_slot)
    sender.send_setup("setup_lookup_table", p.payer, [create])
    sender.send_setup("setup_lookup_table", p.payer, [ix_extend_lookup_table(table, payer, payer, addresses)])
    extended = sender.ledger.records[-1].signature
    deadline = time.monotonic() + CONFIRM_TIMEOUT
    while True:
        status = rpc.call("getSignatureStatuses", [extended])["value"][0]
        if status is not None and status["err"] is not None:
            raise GeneratorError(f"extending the lookup table failed: {status['err']}")
        if status is not None and rpc.call("getSlot", {"commitment": "processed"}) >= status["slot"] + 2:
            break
        if time.monotonic() > deadline:
            raise GeneratorError("the lookup table extension did not land")
        time.sleep(0.05)
    sender.lookup_table = AddressLookupTableAccount(table, addresses)
