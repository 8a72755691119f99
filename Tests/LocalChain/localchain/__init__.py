"""A local Solana JSON-RPC chain on LiteSVM, for the project's tests, with faults that model real nodes and a
control API. Run it with Tests/LocalChain/local_chain.py; README.md in this directory documents it."""
