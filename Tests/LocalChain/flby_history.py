#!/usr/bin/env python3
"""Generates an on-chain history around one SPL token, FLBY, and writes what an indexer must find in it.

Meant for the local chain (local_chain.py) or any node with requestAirdrop. Every expectation is computed
from what this script sent (its own ledger) and then checked against the chain: the fee and err of every
transaction, the watched wallets' lamports and every token balance in each transaction's meta, the final
token balances, the supply and the wallets' lamports. Any mismatch is a generator bug: stderr, exit 1.
The instructions come from the reference builders (solders' system_program, solana-py's spl.token and
spl.memo), so the expected answer does not rest on this project's own encoding; the two without a builder
there (RecoverNested, a Memo without signers) are written out in flby_history/instructions.py, which says why.
The code is the package flby_history/ beside this script (its __init__ lists the modules).

Usage
-----
    flby_history.py --rpc URL --setup-out PATH --out PATH [--count N] [--seed S]
                    [--mix default|fee-payments|churn|reopen|remint] [--pace-ms MS]
    flby_history.py --rpc URL --setup-out PATH --out PATH --count 0 --plain [--holders N] [--seed S]

--plain makes only the FLBY mint, the escrow and fee wallets with their associated accounts and N holders (default
8) with FLBY in theirs (what `flutterbye-bench idle` follows; flby_transfers.py then moves FLBY between them).

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
    remint        N non-associated FLBY accounts of holders, each funded from the holder's ATA, emptied back and
                  closed, then created again at the same address as the holder's NOISE account, into which the
                  NOISE authority mints; three transactions each, in three different slots.
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

import sys

# The directory of this script is sys.path[0]: the package flby_history/ beside it is found before this file.
from flby_history.cli import main

if __name__ == "__main__":
    sys.exit(main())
