"""The mixes other than the default one: fee-payments, churn, reopen and remint (see the script's docstring)."""

from solders.keypair import Keypair
from spl.token.constants import ACCOUNT_LEN, TOKEN_PROGRAM_ID

from .default_mix import drawn_token_transfer
from .errors import GeneratorError
from .instructions import (ata_address, ix_close_account, ix_create_account, ix_create_ata, ix_initialize_account3,
                           ix_mint_to, ix_sol_transfer, ix_token_transfer)
from .participants import DECIMALS, NOISE_DECIMALS
from .sender import Plan


def run_fee_payments(sender, participants, rng, count):
    """Back-to-back payments to the fee wallet from a few holders, no waiting. An FLBY payment starts
    with a CreateIdempotent of the fee wallet's ATA (as wallet apps do), so every payment has the fee
    wallet itself among its account keys: N payments give its address N signatures."""
    p = participants
    payers = p.holders[:4]
    for i in range(count):
        holder = payers[i % len(payers)]

        def build(i=i, holder=holder):
            if i % 2 == 0:
                ix = ix_sol_transfer(holder.pubkey(), p.fee.pubkey(), rng.randint(1_000, 1_000_000))
                return Plan("fee_sol", holder, [ix])
            source = ata_address(holder.pubkey(), p.mint_key)
            amount = rng.randint(1, 10**DECIMALS)
            if (i // 2) % 2 == 0:
                ix = ix_token_transfer(source, p.fee_ata, holder.pubkey(), amount, p.mint_key, DECIMALS)
            else:
                ix = ix_token_transfer(source, p.fee_ata, holder.pubkey(), amount)
            ensure = ix_create_ata(holder.pubkey(), p.fee.pubkey(), p.mint_key)
            return Plan("fee_token", holder, [ensure, ix])

        sender.run(build)


def run_churn(sender, participants, rng, count):
    """Token accounts opened and closed again: each created as a non-associated account of a holder and
    funded from the holder's ATA (TransferChecked: the mint's history names it), then emptied back by a
    plain Transfer and closed (rent to the holder)."""
    p = participants
    rent_account = sender.rpc.call("getMinimumBalanceForRentExemption", ACCOUNT_LEN)
    for i in range(count):
        holder = p.holders[i % len(p.holders)]
        account = Keypair.from_seed(rng.randbytes(32))
        owner_ata = ata_address(holder.pubkey(), p.mint_key)
        amount = rng.randint(1, max(1, sender.ledger.amount(str(owner_ata)) // 1000))

        def build_open(holder=holder, account=account, owner_ata=owner_ata, amount=amount):
            return Plan("churn_open", holder, [
                ix_create_account(holder.pubkey(), account.pubkey(), rent_account, ACCOUNT_LEN, TOKEN_PROGRAM_ID),
                ix_initialize_account3(account.pubkey(), p.mint_key, holder.pubkey()),
                ix_token_transfer(owner_ata, account.pubkey(), holder.pubkey(), amount, p.mint_key, DECIMALS)],
                [account])

        def build_close(holder=holder, account=account, owner_ata=owner_ata, amount=amount):
            return Plan("churn_close", holder, [
                ix_token_transfer(account.pubkey(), owner_ata, holder.pubkey(), amount),
                ix_close_account(account.pubkey(), holder.pubkey(), holder.pubkey())])

        sender.run(build_open)
        sender.run(build_close)


def run_reopen(sender, participants, rng, count):
    """Holders 1..count: the ATA emptied into holder 0's ATA, closed, created again at the same address and
    funded with a third of what it held plus one; each step in a slot of its own (the order of transactions
    within a slot is not something an index can see)."""
    p = participants
    if not 0 <= count < len(p.holders):
        raise GeneratorError(f"--mix reopen takes at most {len(p.holders) - 1} holders")
    transfer = lambda source, destination, owner, amount: drawn_token_transfer(
        rng, source, destination, owner, amount, p.mint_key, DECIMALS)
    sink = str(ata_address(p.holders[0].pubkey(), p.mint_key))
    for holder in p.holders[1:count + 1]:
        ata = ata_address(holder.pubkey(), p.mint_key)
        held = sender.ledger.amount(str(ata))
        refill = held // 3 + 1
        steps = [
            Plan("reopen_empty", holder, [transfer(str(ata), sink, holder.pubkey(), held)]),
            Plan("reopen_close", holder, [ix_close_account(ata, holder.pubkey(), holder.pubkey())]),
            Plan("reopen_create", p.payer, [ix_create_ata(p.payer.pubkey(), holder.pubkey(), p.mint_key)]),
            Plan("reopen_fill", p.holders[0], [transfer(sink, str(ata), p.holders[0].pubkey(), refill)]),
        ]
        for plan in steps:
            record = sender.submit(plan)
            if record is None:
                raise GeneratorError(f"{plan.kind}: the signature repeats an earlier one")
            sender.wait_past_slot_of(record.signature)


def run_remint(sender, participants, rng, count):
    """Token accounts of FLBY that come back as accounts of another mint at the same address: each created as a
    non-associated FLBY account of a holder and funded from the holder's ATA, emptied back and closed, then created
    again at its address (the same keypair) as the holder's NOISE account, into which the NOISE authority mints. The
    indexer follows the address as an FLBY account; what it holds now is NOISE, and no FLBY."""
    p = participants
    rent_account = sender.rpc.call("getMinimumBalanceForRentExemption", ACCOUNT_LEN)
    noise_mint = p.noise_mint.pubkey()
    for i in range(count):
        holder = p.holders[i % len(p.holders)]
        account = Keypair.from_seed(rng.randbytes(32))
        owner_ata = ata_address(holder.pubkey(), p.mint_key)
        amount = rng.randint(1, max(1, sender.ledger.amount(str(owner_ata)) // 1000))
        noise = rng.randint(1, 10**NOISE_DECIMALS * 1000)
        steps = [
            Plan("remint_open", holder, [
                ix_create_account(holder.pubkey(), account.pubkey(), rent_account, ACCOUNT_LEN, TOKEN_PROGRAM_ID),
                ix_initialize_account3(account.pubkey(), p.mint_key, holder.pubkey()),
                ix_token_transfer(owner_ata, account.pubkey(), holder.pubkey(), amount, p.mint_key, DECIMALS)],
                [account]),
            Plan("remint_close", holder, [
                ix_token_transfer(account.pubkey(), owner_ata, holder.pubkey(), amount),
                ix_close_account(account.pubkey(), holder.pubkey(), holder.pubkey())]),
            Plan("remint_noise", holder, [
                ix_create_account(holder.pubkey(), account.pubkey(), rent_account, ACCOUNT_LEN, TOKEN_PROGRAM_ID),
                ix_initialize_account3(account.pubkey(), noise_mint, holder.pubkey()),
                ix_mint_to(noise_mint, account.pubkey(), p.noise_authority.pubkey(), noise)],
                [account, p.noise_authority]),
        ]
        for plan in steps:
            record = sender.submit(plan)
            if record is None:
                raise GeneratorError(f"{plan.kind}: the signature repeats an earlier one")
            sender.wait_past_slot_of(record.signature)
