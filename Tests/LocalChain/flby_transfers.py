#!/usr/bin/env python3
"""Sends FLBY TransferChecked transactions between the holders of a `flby_history.py --plain` setup, on a steady
schedule, so that a benchmark can time how soon an indexer follows them.

The holders' keypairs come from the same seed and holder count as the setup (flby_history's Participants), so the
setup must have been made with `flby_history.py --plain --holders N --seed S`. Each transfer moves 1 base unit from
holder i's associated account to holder i+1's, signed and paid by holder i; one every --interval-ms. Prints a JSON
line with the signatures sent.

Usage: flby_transfers.py --rpc URL --holders N [--seed S] --count K [--interval-ms MS]
"""

import argparse
import base64
import json
import random
import sys
import time

from solders.hash import Hash
from solders.message import Message
from solders.transaction import VersionedTransaction

from flby_history.errors import GeneratorError
from flby_history.instructions import ata_address, ix_token_transfer
from flby_history.participants import DECIMALS, Participants
from flby_history.rpc import Rpc, RpcFailure


def main(argv=None):
    parser = argparse.ArgumentParser(prog="flby_transfers.py", description=__doc__.splitlines()[0])
    parser.add_argument("--rpc", required=True)
    parser.add_argument("--holders", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--interval-ms", type=float, default=1000)
    args = parser.parse_args(argv)
    if args.holders < 2 or args.count < 1 or args.interval_ms < 0:
        parser.error("--holders must be at least 2, --count at least 1, --interval-ms at least 0")
    participants = Participants(random.Random(args.seed), holders=args.holders, non_ata=0)
    rpc = Rpc(args.rpc)
    signatures = []
    started = time.monotonic()
    try:
        for index in range(args.count):
            delay = started + index * args.interval_ms / 1000 - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            owner = participants.holders[index % args.holders]
            receiver = participants.holders[(index + 1) % args.holders]
            source = ata_address(owner.pubkey(), participants.mint_key)
            destination = ata_address(receiver.pubkey(), participants.mint_key)
            transfer = ix_token_transfer(source, destination, owner.pubkey(), 1, participants.mint_key, DECIMALS)
            blockhash = Hash.from_string(rpc.call("getLatestBlockhash")["value"]["blockhash"])
            message = Message.new_with_blockhash([transfer.instruction], owner.pubkey(), blockhash)
            transaction = VersionedTransaction(message, [owner])
            encoded = base64.b64encode(bytes(transaction)).decode()
            signatures.append(rpc.call("sendTransaction", encoded, {"encoding": "base64"}))
    except (GeneratorError, RpcFailure) as error:
        print(f"flby_transfers: {error}", file=sys.stderr)
        return 1
    print(json.dumps({"signatures": signatures}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
