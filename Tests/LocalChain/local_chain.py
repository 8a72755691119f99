#!/usr/bin/env python3
"""A local Solana JSON-RPC chain on LiteSVM, for the project's tests: the entry point of the `localchain` package
beside this script, whose README.md documents the options, the methods, the faults and the control API.

    python local_chain.py [--port 0] [--slot-ms 100] [--seed N] ... (--help lists every option)

When it listens it prints one JSON line to stdout and flushes it:
    {"url": "http://127.0.0.1:PORT", "control": "http://127.0.0.1:PORT/control"}
"""

import sys

from localchain.cli import main

if __name__ == "__main__":
    sys.exit(main())
