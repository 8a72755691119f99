"""The command line: parses the options, starts the chain, the slot timer and the HTTP server, prints the ready
line and runs until SIGTERM, SIGINT or (with --exit-on-stdin-eof) the end of standard input."""

import argparse
import hashlib
import json
import os
import signal
import sys
import threading
import time
from http.server import ThreadingHTTPServer

import base58

from .chain import Chain
from .encoding import b58
from .node import Node
from .pubsub import PubSub
from .server import make_handler


def main(argv=None):
    """Runs the local chain with these arguments (sys.argv without them) and returns the exit status."""
    parser = argparse.ArgumentParser(description="A local Solana JSON-RPC chain on LiteSVM (see Tests/LocalChain/localchain/README.md).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--slot-ms", type=float, default=100, help="slot time in ms; 0 stops the timer")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--confirm-depth", type=int, default=1)
    parser.add_argument("--finalize-depth", type=int, default=32)
    parser.add_argument("--genesis-hash", default=None, help="base58 32-byte hash getGenesisHash answers")
    parser.add_argument("--rpc-path", default="/", help="the path JSON-RPC is served at (a provider's /v2/KEY)")
    parser.add_argument("--basic-auth", default=None, help="USER:PASSWORD every JSON-RPC request must carry (401 otherwise)")
    parser.add_argument("--api-key", default=None, help="the api-key query parameter every JSON-RPC request must carry")
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="log HTTP requests to stderr")
    args = parser.parse_args(argv)
    if args.confirm_depth < 0 or args.finalize_depth < args.confirm_depth:
        parser.error("need 0 <= --confirm-depth <= --finalize-depth")
    genesis_hash = args.genesis_hash or b58(hashlib.sha256(b"flutterbye-local-chain-genesis").digest())
    try:
        if len(base58.b58decode(genesis_hash)) != 32:
            raise ValueError
    except Exception:
        parser.error("--genesis-hash must be a base58 32-byte hash")

    chain = Chain(args.confirm_depth, args.finalize_depth, args.seed, genesis_hash)
    if not args.rpc_path.startswith("/") or "?" in args.rpc_path or args.rpc_path == "/control":
        parser.error("--rpc-path must be a path starting with / (not /control), without a query")
    node = Node(chain, args.seed, args.verbose)
    node.rpc_path, node.basic_auth, node.api_key = args.rpc_path, args.basic_auth, args.api_key
    server = ThreadingHTTPServer((args.host, args.port), make_handler(node))
    server.daemon_threads = True
    host, port = server.server_address[:2]
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}"

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    def watch_stdin():
        # os.read, not sys.stdin: a daemon thread blocked inside the buffered reader would hold its lock
        # at interpreter shutdown.
        try:
            while os.read(stdin_fd, 65536):
                pass
        except OSError:
            pass
        stop.set()

    def tick():
        period = args.slot_ms / 1000
        deadline = time.monotonic()
        while not stop.is_set():
            deadline += period
            delay = deadline - time.monotonic()
            if delay > 0:
                if stop.wait(delay):
                    return
            else:
                deadline = time.monotonic()  # behind: do not burst to catch up
            with chain.lock:  # read `paused` under the lock: once POST /control answers, no slot moves
                if not node.faults.values["paused"] and not node.faults.values["stalled"]:
                    chain.advance(1)

    stdin_fd = sys.stdin.fileno() if sys.stdin is not None else -1
    if args.exit_on_stdin_eof:
        threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()
    if args.slot_ms > 0:
        threading.Thread(target=tick, name="slots", daemon=True).start()
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="http", daemon=True)
    serving.start()
    pubsub = PubSub(chain, node.faults)
    node.control.pubsub = pubsub
    ws_url = pubsub.start(args.host)
    print(json.dumps({"url": url, "control": url + "/control", "ws": ws_url}), flush=True)

    while not stop.wait(0.2):
        pass
    server.shutdown()
    server.server_close()
    pubsub.server.shutdown()
    return 0
