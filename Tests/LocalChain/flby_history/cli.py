"""The command line of Tests/LocalChain/flby_history.py: arguments, the run in order, the summary line."""

import argparse
import json
import random
import sys
import time

from .checks import check_final_state, confirm_all
from .default_mix import DefaultMix
from .errors import GeneratorError
from .expectations import expectations, write_json
from .ledger import Ledger
from .mixes import run_churn, run_fee_payments, run_remint, run_reopen
from .participants import Participants
from .rpc import Rpc, RpcFailure
from .sender import Sender
from .setup import set_up


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="flby_history.py",
        description="Generates an FLBY history and its expected index (see the module docstring).")
    parser.add_argument("--rpc", required=True)
    parser.add_argument("--setup-out", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--count", type=int, default=320)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mix", choices=["default", "fee-payments", "churn", "reopen", "remint"], default="default")
    parser.add_argument("--pace-ms", type=float, default=0)
    parser.add_argument("--holders", type=int, default=8,
                        help="FLBY holders, each with an associated token account")
    parser.add_argument("--plain", action="store_true",
                        help="with --count 0: the mint, the wallets and the holders' accounts only, nothing else")
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("--count must be >= 0")
    if args.holders < 1 or (args.plain and args.count != 0) or (not args.plain and args.holders != 8):
        parser.error("--holders must be at least 1; --plain needs --count 0, and other holder counts need --plain")
    started = time.monotonic()
    try:
        rpc = Rpc(args.rpc)
        rng = random.Random(args.seed)
        participants = Participants(rng, holders=args.holders, non_ata=0) if args.plain else Participants(rng)
        write_json(args.setup_out, participants.setup_document())
        watched = participants.watched
        ledger = Ledger(participants.flby, {key: rpc.call("getBalance", key)["value"] for key in watched.values()})
        sender = Sender(rpc, ledger, args.pace_ms)
        set_up(sender, participants, rng, plain=args.plain)
        setup_count = len(ledger.records)
        sending = time.monotonic()
        if args.plain:
            pass  # the accounts only: no mix (its schedule draws holders a plain setup may not have)
        elif args.mix == "default":
            DefaultMix(sender, participants, rng).run(args.count)
        elif args.mix == "churn":
            run_churn(sender, participants, rng, args.count)
        elif args.mix == "reopen":
            run_reopen(sender, participants, rng, args.count)
        elif args.mix == "remint":
            run_remint(sender, participants, rng, args.count)
        else:
            run_fee_payments(sender, participants, rng, args.count)
        sent = time.monotonic()
        confirm_all(rpc, ledger, watched)
        check_final_state(rpc, ledger, watched)
        document = expectations(ledger, participants)
        write_json(args.out, document)
    except (GeneratorError, RpcFailure) as error:
        print(f"flby_history: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # unexpected: keep the traceback for whoever reads stderr
        import traceback
        traceback.print_exc(file=sys.stderr)
        print(f"flby_history: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    summary = {
        "setup_transactions": setup_count,
        "transactions": len(document["transactions"]),
        "relevant": sum(t["relevant"] for t in document["transactions"]),
        "failed": sum(t["failed"] for t in document["transactions"]),
        "version0": sum(t["version"] == 0 for t in document["transactions"]),
        "with_memo": sum(t["memo"] is not None for t in document["transactions"]),
        "movements": len(document["movements"]),
        "wallet_activity": {name: sum(row["wallet"] == name for row in document["wallet_activity"])
                            for name in ("escrow", "fee")},
        "kinds": dict(sorted(sender.kind_counts.items())),
        "seconds": {"setup": round(sending - started, 2), "send": round(sent - sending, 2),
                    "total": round(time.monotonic() - started, 2)},
    }
    print(json.dumps(summary), flush=True)
    return 0
