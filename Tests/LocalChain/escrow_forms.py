#!/usr/bin/env python3
"""Makes FLBY and SOL move in and out of an escrow of one of the two multisig forms, on a local chain, and writes
what the indexer must show for it.

    escrow_forms.py --rpc URL --form multisig|vault --out FILE

- ``multisig``: the escrow is an SPL Token multisig account, 2 of 3 (``spl.token`` ``initialize_multisig``): its
  FLBY account is the ATA of the multisig's address, outgoing transfers name the multisig as owner and are signed
  by two of its three signers, which pay the fees. Configure the multisig account's address as the escrow wallet.
- ``vault``: the escrow is a program-derived vault, as Squads v4 derives it (``["multisig", <multisig>, "vault",
  0]`` under the Squads program): it receives SOL, and its FLBY account is the ATA of the vault address (an
  off-curve owner). Outgoing transfers need the Squads program to sign for the vault, which the local chain does not
  have, so only incoming ones are made. Configure the vault's address as the escrow wallet.

Every transaction is built with solders and solana-py (``spl.token.instructions``); the expected rows are computed
from the amounts sent, and each balance is checked against the chain's own accounts before the file is written.
The file: {"mint", "escrow", "escrow_token_account", "signers", "activity": [{"signature", "lamports_delta",
"flby_delta"}], "balance", "release": {"signature", "source_owner"} or null}.
"""

import argparse
import base64
import hashlib
import json
import os
import sys
import time

from solders.hash import Hash
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, TransferParams as SolTransfer, create_account, transfer as sol_transfer
from solders.transaction import Transaction
import spl.token.constants as token_constants
import spl.token.instructions as token
from spl.token.models import InitializeMultisigParams, MintToParams, TransferParams, InitializeMintParams

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flby_history.rpc import Rpc  # noqa: E402

TOKEN = token_constants.TOKEN_PROGRAM_ID
SQUADS = Pubkey.from_string("SQDS4ep65T869zMMBKyuUq6aD6EgTu8psMjkvj52pCf")
SOL = 1_000_000_000


def seeded(name):
    return Keypair.from_seed(hashlib.sha256(f"flutterbye-escrow-{name}-{time.time_ns()}".encode()).digest())


class Chain:
    def __init__(self, url):
        self.rpc = Rpc(url)

    def send(self, payer, instructions, signers):
        blockhash = Hash.from_string(self.rpc.call("getLatestBlockhash", {"commitment": "confirmed"})["value"]["blockhash"])
        transaction = Transaction(signers, Message(instructions, payer.pubkey()), blockhash)
        signature = self.rpc.call("sendTransaction", base64.b64encode(bytes(transaction)).decode(),
                                  {"encoding": "base64", "preflightCommitment": "confirmed"})
        for _ in range(600):
            status = self.rpc.call("getSignatureStatuses", [signature])["value"][0]
            if status and status.get("confirmationStatus") in ("confirmed", "finalized"):
                if status.get("err") is not None:
                    raise SystemExit(f"{signature} failed: {status['err']}")
                return signature
            time.sleep(0.05)
        raise SystemExit(f"{signature} was not confirmed")

    def airdrop(self, key, lamports):
        signature = self.rpc.call("requestAirdrop", str(key), lamports)
        for _ in range(600):
            status = self.rpc.call("getSignatureStatuses", [signature])["value"][0]
            if status and status.get("confirmationStatus") in ("confirmed", "finalized"):
                return
            time.sleep(0.05)
        raise SystemExit("the airdrop was not confirmed")

    def lamports(self, key):
        return self.rpc.call("getBalance", str(key), {"commitment": "confirmed"})["value"]

    def token_amount(self, account):
        return int(self.rpc.call("getTokenAccountBalance", str(account), {"commitment": "confirmed"})["value"]["amount"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rpc", required=True)
    parser.add_argument("--form", choices=["multisig", "vault"], required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    chain = Chain(args.rpc)

    payer, authority, holder = seeded("payer"), seeded("authority"), seeded("holder")
    for key in (payer, holder):
        chain.airdrop(key.pubkey(), 10 * SOL)
    mint = seeded("mint")
    rent = chain.rpc.call("getMinimumBalanceForRentExemption", token_constants.MINT_LEN)
    chain.send(payer, [
        create_account(CreateAccountParams(from_pubkey=payer.pubkey(), to_pubkey=mint.pubkey(), lamports=rent,
                                           space=token_constants.MINT_LEN, owner=TOKEN)),
        token.initialize_mint(InitializeMintParams(program_id=TOKEN, mint=mint.pubkey(), decimals=6,
                                                   mint_authority=authority.pubkey())),
    ], [payer, mint])
    holder_account = token.get_associated_token_address(holder.pubkey(), mint.pubkey())
    chain.send(payer, [
        token.create_associated_token_account(payer.pubkey(), holder.pubkey(), mint.pubkey()),
        token.mint_to(MintToParams(program_id=TOKEN, mint=mint.pubkey(), dest=holder_account, mint_authority=authority.pubkey(),
                                   amount=1_000_000_000)),
    ], [payer, authority])

    # Every transaction naming the escrow is its activity: lamports measured on the chain around it.
    activity = []

    def escrow_step(flby_delta, payer_key, instructions, keys):
        before = chain.lamports(escrow)
        signature = chain.send(payer_key, instructions, keys)
        activity.append({"signature": signature, "lamports_delta": chain.lamports(escrow) - before, "flby_delta": str(flby_delta)})
        return signature

    signers = []
    if args.form == "multisig":
        escrow_keypair = seeded("multisig")
        escrow = escrow_keypair.pubkey()
        signers = [seeded(f"signer{i}") for i in range(3)]
        chain.airdrop(signers[0].pubkey(), 2 * SOL)
        rent = chain.rpc.call("getMinimumBalanceForRentExemption", token_constants.MULTISIG_LEN)
        escrow_step(0, payer, [
            create_account(CreateAccountParams(from_pubkey=payer.pubkey(), to_pubkey=escrow, lamports=rent,
                                               space=token_constants.MULTISIG_LEN, owner=TOKEN)),
            token.initialize_multisig(InitializeMultisigParams(program_id=TOKEN, multisig=escrow, m=2,
                                                               signers=[s.pubkey() for s in signers])),
        ], [payer, escrow_keypair])
    else:
        multisig_pda, _ = Pubkey.find_program_address([b"multisig", bytes(seeded("create-key").pubkey())], SQUADS)
        escrow, _ = Pubkey.find_program_address([b"multisig", bytes(multisig_pda), b"vault", bytes([0])], SQUADS)
        assert not escrow.is_on_curve()
    escrow_account = token.get_associated_token_address(escrow, mint.pubkey())
    # The escrow's FLBY account, paid for by the payer: the escrow's own lamports do not move.
    escrow_step(0, payer, [token.create_associated_token_account(payer.pubkey(), escrow, mint.pubkey())], [payer])
    escrow_step(700_000, holder, [token.transfer(TransferParams(program_id=TOKEN, source=holder_account, dest=escrow_account,
                                                                owner=holder.pubkey(), amount=700_000))], [holder])
    escrow_step(0, holder, [sol_transfer(SolTransfer(from_pubkey=holder.pubkey(), to_pubkey=escrow, lamports=SOL // 4))], [holder])
    assert activity[-1]["lamports_delta"] == SOL // 4
    balance = 700_000
    release = None
    if args.form == "multisig":
        # Two of the three sign; the first pays the fee.
        signature = escrow_step(-250_000, signers[0], [token.transfer(TransferParams(
            program_id=TOKEN, source=escrow_account, dest=holder_account, owner=escrow, amount=250_000,
            signers=[signers[0].pubkey(), signers[2].pubkey()]))], [signers[0], signers[2]])
        balance -= 250_000
        release = {"signature": signature, "source_owner": str(escrow)}
    assert chain.token_amount(escrow_account) == balance, "the escrow's FLBY account does not hold what was sent"

    with open(args.out, "w") as out:
        json.dump({"mint": str(mint.pubkey()), "escrow": str(escrow), "escrow_token_account": str(escrow_account),
                   "signers": [str(s.pubkey()) for s in signers], "activity": activity, "balance": str(balance),
                   "release": release}, out)


if __name__ == "__main__":
    main()
