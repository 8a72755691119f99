#!/usr/bin/env python3
"""The reference of `flutterbye-bench sender`'s throughput workload: how fast the local chain lands token-creation
transactions when a client does nothing but send them, pre-signed.

Against a local chain (Tests/LocalChain/local_chain.py) it funds a new payer by requestAirdrop, takes a fresh
blockhash (getLatestBlockhash, commitment confirmed), pre-signs the transactions with the builder of
solders_token_creation.py (compute budget, create the mint account, InitializeMint2, the recipient's associated
token account created idempotently, MintTo, memo; a new mint keypair each), then starts the clock, sends each of
them once and polls getSignatureStatuses until every one is confirmed. A transaction is sent again (signed anew
with a fresh blockhash) only when it was dropped: its send answered an error, or its blockhash expired before it
landed. The rate is landed transactions over the time from the first send to the poll that saw the last one
confirmed.

How to send fastest depends on the chain, so several sending strategies are tried first on a few transactions
each (CxB: C concurrent keep-alive connections, each request a JSON-RPC batch of B sendTransaction calls, or a
single call when B is 1; CxBc: the same with a new connection for each request, which the local chain answers
without the ~40 ms delayed-ACK wait of a kept-alive connection) and the one whose transactions were accepted
fastest sends the measured ones. With --preflight on the sends run the preflight (preflightCommitment
confirmed, the blockhash's commitment); with off they skip it.

Usage:
    python solders_token_sender.py --url http://127.0.0.1:PORT --preflight on|off [--transactions 1000]
        [--strategies 1x1,8x1,8x1c,1x16,4x16,4x16c,4x64c] [--calibration-transactions 200] [--poll-ms 100]
        [--time-limit 300] [--output FILE]

Progress goes to stderr. The result is one JSON object written to --output (default stdout):
    {"preflight", "strategy", "transactions", "landed", "seconds", "landed_per_second", "send_seconds",
     "sent_per_second", "resent", "send_errors", "failed_on_chain", "given_up", "complete",
     "calibration": [{"strategy", "sent_per_second", "landed_per_second", "complete"}]}
or {"error": text} with exit status 1.
"""

import argparse
import base64
import http.client
import json
import os
import queue
import sys
import threading
import time
import urllib.parse

from solders.hash import Hash
from solders.keypair import Keypair
from solders.signature import Signature

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from solders_token_creation import build  # noqa: E402  (the same transaction the token-creation benchmark builds)

LAMPORTS_PER_SOL = 1_000_000_000
MINT_SIZE = 82
MAX_STATUSES = 256
MAX_SENDS = 4  # a transaction dropped this often is given up


def say(text):
    print(f"solders_token_sender: {text}", file=sys.stderr, flush=True)


class RpcFailure(Exception):
    pass


class Rpc:
    """JSON-RPC 2.0 over one HTTP/1.1 connection, kept alive or (keep_alive False) closed after each request; one
    per thread."""

    def __init__(self, url, keep_alive=True):
        parsed = urllib.parse.urlsplit(url)
        self.connection = http.client.HTTPConnection(parsed.hostname, parsed.port or 80, timeout=60)
        self.keep_alive = keep_alive
        self.next_id = 0

    def post(self, payload):
        body = json.dumps(payload).encode()
        for attempt in range(2):  # once more on a connection the server closed
            try:
                self.connection.request("POST", "/", body, {"Content-Type": "application/json"})
                response = self.connection.getresponse()
                data = response.read()
                if not self.keep_alive:
                    self.connection.close()
                break
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                if attempt == 1:
                    raise
        if response.status != 200:
            raise RpcFailure(f"HTTP {response.status}: {data[:200]!r}")
        return json.loads(data) if data else None

    def request(self, method, params):
        self.next_id += 1
        return {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}

    def call(self, method, params=None):
        answer = self.post(self.request(method, params or []))
        if "error" in answer:
            raise RpcFailure(f"{method}: {answer['error']}")
        return answer["result"]

    def batch(self, calls):
        """[(method, params)] -> [(result, error)] in the same order."""
        requests = [self.request(method, params) for method, params in calls]
        answers = {answer["id"]: answer for answer in self.post(requests)}
        return [(answers[r["id"]].get("result"), answers[r["id"]].get("error")) for r in requests]


class Item:
    """One transaction to land; replaced by a new Item when it has to be signed again."""

    __slots__ = ("signature", "wire", "generation", "sends", "superseded", "landed")

    def __init__(self, signature, wire, generation, sends):
        self.signature, self.wire, self.generation, self.sends = signature, wire, generation, sends
        self.superseded = False
        self.landed = False


class Sender:
    """Pre-signs and lands `count` token-creation transactions with one strategy."""

    def __init__(self, url, payer, recipient, rent, preflight, strategy, poll_seconds, time_limit):
        self.url, self.payer, self.recipient, self.rent = url, payer, recipient, rent
        self.preflight, (self.connections, self.batch_size, self.keep_alive) = preflight, strategy
        self.poll_seconds, self.time_limit = poll_seconds, time_limit
        # The poller's requests on fresh connections: the local chain answers a request in two writes without
        # TCP_NODELAY, so a kept-alive connection waits for the client's delayed ACK (~40 ms) on each answer.
        self.rpc = Rpc(url, keep_alive=False)
        self.lock = threading.Lock()
        self.work = queue.Queue()
        self.errors = []  # items whose send answered an error
        self.send_errors = 0
        self.resent = 0
        self.last_send = None
        self.generations = []  # (blockhash, last valid block height)
        self.stop = threading.Event()

    def new_generation(self):
        latest = self.rpc.call("getLatestBlockhash", [{"commitment": "confirmed"}])["value"]
        self.generations.append((Hash.from_string(latest["blockhash"]), latest["lastValidBlockHeight"]))
        return len(self.generations) - 1

    def sign(self, generation, sends=0):
        raw = build(self.payer, self.recipient, self.generations[generation][0], self.rent)
        # A legacy transaction: a one-byte signature count (2), then the payer's signature: the transaction's id.
        return Item(str(Signature.from_bytes(raw[1:65])), base64.b64encode(raw).decode(), generation, sends)

    def config(self):
        if self.preflight:
            return {"encoding": "base64", "skipPreflight": False, "preflightCommitment": "confirmed"}
        return {"encoding": "base64", "skipPreflight": True}

    def send_loop(self):
        rpc = Rpc(self.url, self.keep_alive)
        config = self.config()
        while True:
            chunk = self.work.get()
            if chunk is None:
                return
            chunk = [item for item in chunk if not item.superseded]
            if not chunk:
                continue
            for item in chunk:
                item.sends += 1
            try:
                if len(chunk) == 1 and self.batch_size == 1:
                    answer = rpc.post(rpc.request("sendTransaction", [chunk[0].wire, config]))
                    errors = [answer.get("error")]
                else:
                    errors = [error for _, error in rpc.batch([("sendTransaction", [item.wire, config]) for item in chunk])]
            except Exception as failure:  # the whole request failed: every transaction in it counts as dropped
                errors = [str(failure)] * len(chunk)
            with self.lock:
                self.last_send = time.perf_counter()
                for item, error in zip(chunk, errors):
                    if error is not None:
                        self.send_errors += 1
                        self.errors.append(item)
                        if self.send_errors <= 3:
                            say(f"a send answered an error: {error}")

    def enqueue(self, items):
        for start in range(0, len(items), self.batch_size):
            self.work.put(items[start:start + self.batch_size])

    def run(self, count):
        generation = self.new_generation()
        items = [self.sign(generation) for _ in range(count)]
        threads = [threading.Thread(target=self.send_loop, daemon=True) for _ in range(self.connections)]
        for thread in threads:
            thread.start()
        start = time.perf_counter()
        deadline = start + self.time_limit
        self.enqueue(items)
        live = {item.signature: item for item in items}  # the current Item of each transaction, by signature
        landed, failed_on_chain, given_up = 0, 0, 0
        last_landed = start
        while landed + failed_on_chain + given_up < count and time.perf_counter() < deadline:
            time.sleep(self.poll_seconds)
            waiting = [item for item in live.values() if not item.landed and item.sends > 0]
            calls = [("getSignatureStatuses", [[item.signature for item in waiting[i:i + MAX_STATUSES]]])
                     for i in range(0, len(waiting), MAX_STATUSES)]
            calls.append(("getBlockHeight", [{"commitment": "confirmed"}]))
            answers = self.rpc.batch(calls)
            now = time.perf_counter()
            statuses = [status for result, _ in answers[:-1] for status in (result or {"value": []})["value"]]
            for item, status in zip(waiting, statuses):
                if status is None or status.get("confirmationStatus") not in ("confirmed", "finalized"):
                    continue
                item.landed = True
                if status.get("err") is None:
                    landed += 1
                    last_landed = now
                else:
                    failed_on_chain += 1
            height = answers[-1][0]
            # Dropped: a send that answered an error, or a transaction whose blockhash expired before it landed.
            with self.lock:
                dropped, self.errors = self.errors, []
            expired = [g for g, (_, last_valid) in enumerate(self.generations) if height is not None and height > last_valid]
            dropped += [item for item in live.values() if not item.landed and not item.superseded and item.generation in expired]
            dropped = [item for item in dict.fromkeys(dropped) if not item.landed and not item.superseded]
            if dropped:
                fresh = self.new_generation()
                again = []
                for item in dropped:
                    item.superseded = True
                    del live[item.signature]
                    if item.sends >= MAX_SENDS:
                        given_up += 1
                        continue
                    replacement = self.sign(fresh, item.sends)
                    live[replacement.signature] = replacement
                    again.append(replacement)
                self.resent += len(again)
                self.enqueue(again)
        for _ in threads:
            self.work.put(None)
        for thread in threads:
            thread.join(timeout=30)
        seconds = last_landed - start
        return {
            "transactions": count, "landed": landed, "failed_on_chain": failed_on_chain, "given_up": given_up,
            "seconds": seconds, "landed_per_second": landed / seconds if seconds > 0 else 0.0,
            "send_seconds": (self.last_send or start) - start, "sent_per_second": count / max((self.last_send or start) - start, 1e-9),
            "resent": self.resent, "send_errors": self.send_errors,
            "complete": landed == count,
        }


def parse_strategy(text):
    """'CxB' (C kept-alive connections, batches of B) or 'CxBc' (a new connection for each request)."""
    text = text.strip()
    keep_alive = not text.endswith("c")
    connections, _, batch = text.rstrip("c").partition("x")
    if not connections.isdigit() or not batch.isdigit() or int(connections) < 1 or int(batch) < 1:
        raise ValueError(f"strategy {text!r} is not CxB or CxBc (connections x batch), such as 4x16")
    return int(connections), int(batch), keep_alive


def strategy_name(strategy):
    connections, batch, keep_alive = strategy
    return f"{connections}x{batch}{'' if keep_alive else 'c'}"


def fund(rpc, payer, sol):
    lamports = sol * LAMPORTS_PER_SOL
    rpc.call("requestAirdrop", [str(payer.pubkey()), lamports])
    for _ in range(100):
        if rpc.call("getBalance", [str(payer.pubkey()), {"commitment": "processed"}])["value"] >= lamports:
            return
        time.sleep(0.05)
    raise RpcFailure("the payer's airdrop did not arrive")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Land pre-signed token-creation transactions as fast as the chain takes them.")
    parser.add_argument("--url", required=True, help="the local chain's JSON-RPC URL")
    parser.add_argument("--preflight", choices=["on", "off"], required=True)
    parser.add_argument("--transactions", type=int, default=1000)
    parser.add_argument("--strategies", default="1x1,8x1,8x1c,1x16,4x16,4x16c,4x64c", help="comma-separated CxB sending strategies")
    parser.add_argument("--calibration-transactions", type=int, default=200, help="transactions per strategy trial")
    parser.add_argument("--poll-ms", type=float, default=100)
    parser.add_argument("--time-limit", type=float, default=300, help="seconds one run may take")
    parser.add_argument("--airdrop-sol", type=int, default=10_000)
    parser.add_argument("--output")
    args = parser.parse_args(argv)

    def write(result):
        text = json.dumps(result)
        if args.output:
            with open(args.output, "w") as file:
                file.write(text + "\n")
        else:
            print(text, flush=True)

    try:
        strategies = [parse_strategy(text) for text in args.strategies.split(",") if text.strip()]
        if not strategies or args.transactions < 1:
            raise ValueError("need at least one strategy and one transaction")
        preflight = args.preflight == "on"
        rpc = Rpc(args.url)
        payer = Keypair()
        fund(rpc, payer, args.airdrop_sol)
        recipient = Keypair().pubkey()
        rent = rpc.call("getMinimumBalanceForRentExemption", [MINT_SIZE])

        def sender(strategy):
            return Sender(args.url, payer, recipient, rent, preflight, strategy, args.poll_ms / 1000, args.time_limit)

        # Each strategy sends a few transactions; the one that got them accepted fastest (short runs are dominated
        # by the wait for confirmation, the same for all) sends the measured ones.
        calibration = []
        best = strategies[0]
        if len(strategies) > 1 and args.calibration_transactions > 0:
            rates = {}
            for strategy in strategies:
                trial = sender(strategy).run(args.calibration_transactions)
                rates[strategy] = trial["sent_per_second"] if trial["complete"] else 0.0
                calibration.append({"strategy": strategy_name(strategy), "sent_per_second": trial["sent_per_second"],
                                    "landed_per_second": trial["landed_per_second"], "complete": trial["complete"]})
                say(f"preflight {args.preflight}, strategy {strategy_name(strategy)}: sent {trial['sent_per_second']:.0f} tx/s,"
                    f" {trial['landed']}/{args.calibration_transactions} landed")
            best = max(strategies, key=lambda strategy: rates[strategy])
        result = sender(best).run(args.transactions)
        result.update({"preflight": preflight, "strategy": strategy_name(best), "calibration": calibration})
        say(f"preflight {args.preflight}, strategy {result['strategy']}: {result['landed']}/{args.transactions} landed in"
            f" {result['seconds']:.2f} s = {result['landed_per_second']:.0f} tx/s")
        write(result)
        return 0
    except Exception as failure:
        write({"error": f"{type(failure).__name__}: {failure}"})
        return 1


if __name__ == "__main__":
    sys.exit(main())
