"""The FLBY history generator behind Tests/LocalChain/flby_history.py (see that script's docstring).

Modules, in the order a run uses them: participants (the keypairs of a seed), rpc (the JSON-RPC client),
instructions (every instruction and its effect on the ledger), ledger (what the sent transactions did), sender
(compiling, sending and recording transactions), setup (airdrops, mints, token accounts, the lookup table),
default_mix and mixes (the transactions of each --mix), checks (the ledger against the chain), expectations
(the output document), cli (the command line).
"""
