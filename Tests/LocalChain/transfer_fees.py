#!/usr/bin/env python3
"""Makes FLBY move on a Token-2022 mint with a transfer fee, on a local chain, and writes what the indexer must show.

    transfer_fees.py --rpc URL --out FILE

The mint (2 decimals) has the TransferFee extension: 1% (100 basis points), at most 1,000,000 base units a transfer.
Its fees are withheld in the receiving account, outside its amount, until they are withdrawn from there, or harvested
to the mint and withdrawn from it. In order:

- ``mint``: 1,000,000 minted to alice;
- ``checked``: TransferChecked of 10,000, alice to bob (100 withheld in bob's account);
- ``with_fee``: TransferCheckedWithFee of 5,001 stating its fee, 51 (the program refuses any other);
- ``two_checked``: two TransferChecked to bob in one transaction, 3,000 and 777 (30 and 8 withheld);
- ``from_accounts``: the withheld fees withdrawn from bob's account into the collector's;
- ``harvested``: TransferChecked of 20,000 (200 withheld), bob's fees harvested to the mint and withdrawn from it
  into the collector's account, in one transaction;
- ``burn``: 1,000 burned from alice's account;
- ``kept``: TransferChecked of 4,000 (40 withheld and left there).

Every instruction is built by solana-py's ``spl.token.instructions`` but TransferCheckedWithFee, which it lacks
(written here from spl-token-2022's layout: 26, 1, amount u64, decimals u8, fee u64; the program checks it). Each fee
is computed here (Token-2022's rule: the amount times the basis points over 10,000, rounded up, at most the maximum);
every balance is checked against the chain's own accounts before the file is written.
The file: {"mint", "accounts": {name: address}, "steps": [{"name", "signature", "withheld", "withdrawn", "transferred"}],
"minted", "burned", "withheld"}.
"""

import argparse
import json
import os
import sys

from solders.instruction import AccountMeta, Instruction
from solders.system_program import CreateAccountParams, create_account
import spl.token.constants as token_constants
import spl.token.instructions as token
from spl.token.models import (BurnCheckedParams, HarvestWithheldTokensToMintParams, InitializeMintParams,
                              InitializeTransferFeeConfigParams, MintToCheckedParams, TransferCheckedParams,
                              WithdrawWithheldTokensFromAccountsParams, WithdrawWithheldTokensFromMintParams)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from escrow_forms import SOL, Chain, seeded  # noqa: E402

TOKEN_2022 = token_constants.TOKEN_2022_PROGRAM_ID
DECIMALS = 2
BASIS_POINTS = 100
MAXIMUM_FEE = 1_000_000
# A Token-2022 mint with the TransferFeeConfig extension: the base mint padded to an account's length (165), the
# account type (1), and the extension's type and length (4) before its 108 bytes.
MINT_WITH_TRANSFER_FEE_LEN = 165 + 1 + 4 + 108


def fee(amount):
    return min(-(-amount * BASIS_POINTS // 10_000), MAXIMUM_FEE)


def transfer_checked_with_fee(source, mint, dest, owner, amount, fee_amount):
    data = bytes([26, 1]) + amount.to_bytes(8, "little") + bytes([DECIMALS]) + fee_amount.to_bytes(8, "little")
    return Instruction(TOKEN_2022, data, [
        AccountMeta(source, is_signer=False, is_writable=True),
        AccountMeta(mint, is_signer=False, is_writable=False),
        AccountMeta(dest, is_signer=False, is_writable=True),
        AccountMeta(owner, is_signer=True, is_writable=False),
    ])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rpc", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    chain = Chain(args.rpc)

    payer, authority, alice, bob, collector = (seeded(name) for name in ("payer", "authority", "alice", "bob", "collector"))
    chain.airdrop(payer.pubkey(), 10 * SOL)
    mint = seeded("fee-mint")
    m = mint.pubkey()
    rent = chain.rpc.call("getMinimumBalanceForRentExemption", MINT_WITH_TRANSFER_FEE_LEN)
    accounts = {name: token.get_associated_token_address(key.pubkey(), m, TOKEN_2022)
                for name, key in (("alice", alice), ("bob", bob), ("collector", collector))}
    chain.send(payer, [
        create_account(CreateAccountParams(from_pubkey=payer.pubkey(), to_pubkey=m, lamports=rent,
                                           space=MINT_WITH_TRANSFER_FEE_LEN, owner=TOKEN_2022)),
        token.initialize_transfer_fee_config(InitializeTransferFeeConfigParams(
            program_id=TOKEN_2022, mint=m, transfer_fee_config_authority=authority.pubkey(),
            withdraw_withheld_authority=authority.pubkey(), transfer_fee_basis_points=BASIS_POINTS, maximum_fee=MAXIMUM_FEE)),
        token.initialize_mint(InitializeMintParams(program_id=TOKEN_2022, mint=m, decimals=DECIMALS,
                                                   mint_authority=authority.pubkey())),
    ] + [token.create_associated_token_account(payer.pubkey(), key.pubkey(), m, TOKEN_2022) for key in (alice, bob, collector)],
        [payer, mint])

    def transfer(amount):
        return token.transfer_checked(TransferCheckedParams(
            program_id=TOKEN_2022, source=accounts["alice"], mint=m, dest=accounts["bob"], owner=alice.pubkey(), amount=amount,
            decimals=DECIMALS))

    steps = []
    balances = {"alice": 0, "bob": 0, "collector": 0}
    in_bob = 0  # withheld in bob's account (the harvested step withdraws what it harvests to the mint)

    def step(name, instructions, signers, withheld=0, withdrawn=0, transferred=0):
        signature = chain.send(payer, instructions, [payer] + signers)
        steps.append({"name": name, "signature": signature, "withheld": str(withheld), "withdrawn": str(withdrawn),
                      "transferred": str(transferred)})
        for account, amount in balances.items():
            on_chain = chain.token_amount(accounts[account])
            if on_chain != amount:
                raise SystemExit(f"after {name}, {account} holds {on_chain} on the chain, not {amount}")

    minted = 1_000_000
    balances["alice"] += minted
    step("mint", [token.mint_to_checked(MintToCheckedParams(
        program_id=TOKEN_2022, mint=m, dest=accounts["alice"], mint_authority=authority.pubkey(), amount=minted,
        decimals=DECIMALS))], [authority])

    for name, amounts in (("checked", [10_000]), ("two_checked", [3_000, 777])):
        fees = sum(fee(amount) for amount in amounts)
        balances["alice"] -= sum(amounts)
        balances["bob"] += sum(amounts) - fees
        in_bob += fees
        step(name, [transfer(amount) for amount in amounts], [alice], withheld=fees, transferred=sum(amounts) - fees)
        if name == "checked":
            amount = 5_001
            balances["alice"] -= amount
            balances["bob"] += amount - fee(amount)
            in_bob += fee(amount)
            step("with_fee", [transfer_checked_with_fee(accounts["alice"], m, accounts["bob"], alice.pubkey(), amount, fee(amount))],
                 [alice], withheld=fee(amount), transferred=amount - fee(amount))

    balances["collector"] += in_bob
    step("from_accounts", [token.withdraw_withheld_tokens_from_accounts(WithdrawWithheldTokensFromAccountsParams(
        program_id=TOKEN_2022, mint=m, dest=accounts["collector"], authority=authority.pubkey(), sources=[accounts["bob"]]))],
        [authority], withdrawn=in_bob)
    in_bob = 0

    amount = 20_000
    balances["alice"] -= amount
    balances["bob"] += amount - fee(amount)
    balances["collector"] += fee(amount)
    step("harvested", [
        transfer(amount),
        token.harvest_withheld_tokens_to_mint(HarvestWithheldTokensToMintParams(
            program_id=TOKEN_2022, mint=m, sources=[accounts["bob"]])),
        token.withdraw_withheld_tokens_from_mint(WithdrawWithheldTokensFromMintParams(
            program_id=TOKEN_2022, mint=m, dest=accounts["collector"], authority=authority.pubkey())),
    ], [alice, authority], withheld=fee(amount), withdrawn=fee(amount), transferred=amount - fee(amount))

    burned = 1_000
    balances["alice"] -= burned
    step("burn", [token.burn_checked(BurnCheckedParams(
        program_id=TOKEN_2022, mint=m, account=accounts["alice"], owner=alice.pubkey(), amount=burned, decimals=DECIMALS))],
        [alice])

    amount = 4_000
    balances["alice"] -= amount
    balances["bob"] += amount - fee(amount)
    in_bob += fee(amount)
    step("kept", [transfer(amount)], [alice], withheld=fee(amount), transferred=amount - fee(amount))

    supply = int(chain.rpc.call("getTokenSupply", str(m), {"commitment": "confirmed"})["value"]["amount"])
    if supply != minted - burned or supply != sum(balances.values()) + in_bob:
        raise SystemExit(f"the chain's supply is {supply}: not {minted - burned} minted less burned, or not the balances "
                         f"{sum(balances.values())} and {in_bob} withheld")
    with open(args.out, "w") as out:
        json.dump({"mint": str(m), "accounts": {name: str(address) for name, address in accounts.items()}, "steps": steps,
                   "minted": str(minted), "burned": str(burned), "withheld": str(in_bob)}, out)


if __name__ == "__main__":
    main()
