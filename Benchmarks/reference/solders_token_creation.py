#!/usr/bin/env python3
"""The solders side of the token-creation benchmark (run by `flutterbye-bench token-creation`).

Builds and signs the same token-creation transaction as the Swift benchmark N times, a new mint
keypair each time: SetComputeUnitLimit, SetComputeUnitPrice, the mint account made by transfer +
allocate + assign (as the worker makes it, so that lamports sent to the address beforehand do not
block it), InitializeMint2, create the recipient's associated token account (idempotent), MintTo, Memo;
compiled as a legacy message, signed by payer and mint, serialized. solders has no SPL Token
builders, so the token instructions are solders `Instruction`s with their data packed by
`struct` (as a solders user writes them). Prints one JSON line: {"iterations": N, "seconds": S,
"transactions_per_second": R, "bytes": B}.
"""

import json
import struct
import sys
import time

from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price
from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.system_program import AllocateParams, AssignParams, TransferParams, allocate, assign, transfer
from solders.token.associated import get_associated_token_address
from solders.transaction import Transaction

TOKEN = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
ATA = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
MEMO = Pubkey.from_string("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")
SYSTEM = Pubkey.from_string("11111111111111111111111111111111")


def build(payer, recipient, blockhash, rent):
    mint = Keypair()
    mint_key = mint.pubkey()
    payer_key = payer.pubkey()
    ata = get_associated_token_address(recipient, mint_key)
    instructions = [
        set_compute_unit_limit(60_000),
        set_compute_unit_price(5_000),
        transfer(TransferParams(from_pubkey=payer_key, to_pubkey=mint_key, lamports=rent)),
        allocate(AllocateParams(pubkey=mint_key, space=82)),
        assign(AssignParams(pubkey=mint_key, owner=TOKEN)),
        Instruction(TOKEN, struct.pack("<BB32sB", 20, 6, bytes(payer_key), 0), [AccountMeta(mint_key, False, True)]),
        Instruction(ATA, bytes([1]), [
            AccountMeta(payer_key, True, True), AccountMeta(ata, False, True), AccountMeta(recipient, False, False),
            AccountMeta(mint_key, False, False), AccountMeta(SYSTEM, False, False), AccountMeta(TOKEN, False, False),
        ]),
        Instruction(TOKEN, struct.pack("<BQ", 7, 1_000_000_000), [
            AccountMeta(mint_key, False, True), AccountMeta(ata, False, True), AccountMeta(payer_key, True, False),
        ]),
        Instruction(MEMO, b"flutterbye job bench-1", [AccountMeta(payer_key, True, False)]),
    ]
    message = Message.new_with_blockhash(instructions, payer_key, blockhash)
    return bytes(Transaction([payer, mint], message, blockhash))


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    payer = Keypair.from_seed(bytes([1] * 32))
    recipient = Keypair.from_seed(bytes([2] * 32)).pubkey()
    blockhash = Hash(bytes([3] * 32))
    size = len(build(payer, recipient, blockhash, 1_461_600))
    start = time.perf_counter()
    for _ in range(iterations):
        build(payer, recipient, blockhash, 1_461_600)
    seconds = time.perf_counter() - start
    print(json.dumps({"iterations": iterations, "seconds": seconds, "transactions_per_second": iterations / seconds, "bytes": size}))


if __name__ == "__main__":
    main()
