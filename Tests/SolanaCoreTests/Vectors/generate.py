#!/usr/bin/env python3
"""Reference test vectors for SolanaCore, produced by solders 0.29.0 / solana-py 0.41.0.

What it is
    A reproducible generator for ``vectors.json`` (next to this file), which the Swift tests in
    ``Tests/SolanaCoreTests/ReferenceVectorTests.swift`` compare against byte for byte.  Every value
    is computed by the reference libraries pinned in ``requirements.txt``:

    * base58                    -- ``base58`` package, and solders' Pubkey/Signature for 32/64 bytes
    * keypairs                  -- ``solders.keypair.Keypair.from_seed`` / ``sign_message``
    * create/find_program_address -- ``solders.pubkey.Pubkey``
    * associated_token_addresses -- ``solders.token.associated.get_associated_token_address``
                                   (takes ``token_program_id``, so Token-2022 is native to solders)
    * instructions              -- solders builders (system, compute budget) and solana-py
                                   ``spl.token.instructions`` builders (token.*, token2022.*,
                                   ata.create_idempotent), each also cross-checked against an
                                   independent hand encoding here.  Builders that neither library
                                   has (or gets wrong for our contract) are hand-encoded from the
                                   official layouts and PROVED by executing them in LiteSVM
                                   (``solders.litesvm``, which loads the real System, Token,
                                   Token-2022, ATA and Memo programs) before anything is written:
                                   ata.create, memo, token2022.metadata_pointer_initialize,
                                   token2022.token_metadata_initialize / _update_field.
                                   metaplex.create_metadata_account_v3 is bytes only (that
                                   program is not in LiteSVM); its layout follows the
                                   kinobi-generated mpl-token-metadata Rust client.
    * messages                  -- ``Message.new_with_blockhash`` / ``MessageV0.try_compile``
    * transactions              -- ``Transaction`` / ``VersionedTransaction``

    The LiteSVM self-check also runs every token.* / token2022.* builder (library or not) through
    the real programs with amount edge cases (0, u64::MAX, overflow, wrong decimals), all four
    SetAuthority kinds set and cleared, and a v0 transaction resolving accounts via a lookup table.

    Everything is deterministic: keys come from fixed seeds
    ``sha256(b"flutterbye-vector-" + str(i))`` and all other "random" choices from a
    sha256 counter stream, so running it twice gives byte-identical output.

How to run (from anywhere; needs python3 and PyPI access the first time)
    python3 Tests/SolanaCoreTests/Vectors/generate.py

    It creates ``<repo>/.venv`` with ``python3 -m venv`` if missing, installs requirements.txt
    into it (again whenever requirements.txt changes), re-executes itself inside that venv,
    runs the LiteSVM self-checks (aborting on any failure, writing nothing) and then writes
    vectors.json.  ``--check`` regenerates in memory and exits 1 if vectors.json differs.

Layout
    This file bootstraps the venv and writes the file; the sections and the self-check are the package
    ``vectorgen`` beside it (common helpers, builders, keys, instructions, messages, selfcheck).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
VENV = os.path.join(REPO, ".venv")
REQUIREMENTS = os.path.join(HERE, "requirements.txt")
OUTPUT = os.path.join(HERE, "vectors.json")
GENERATOR = "solders 0.29.0 / solana-py 0.41.0"


# --------------------------------------------------------------------------------------------
# Bootstrapping: make sure we run inside <repo>/.venv with requirements.txt installed.
# --------------------------------------------------------------------------------------------

def _ensure_venv() -> None:
    venv_python = os.path.join(VENV, "bin", "python")
    stamp = os.path.join(VENV, ".flutterbye-vectors-requirements.sha256")
    with open(REQUIREMENTS, "rb") as handle:
        wanted = hashlib.sha256(handle.read()).hexdigest()
    if not os.path.exists(venv_python):
        print(f"creating virtualenv {VENV}", file=sys.stderr)
        subprocess.check_call(["python3", "-m", "venv", VENV])
    have = open(stamp).read().strip() if os.path.exists(stamp) else ""
    if have != wanted:
        print(f"installing {REQUIREMENTS} into {VENV}", file=sys.stderr)
        subprocess.check_call([venv_python, "-m", "pip", "install", "--disable-pip-version-check",
                               "-q", "-r", REQUIREMENTS])
        with open(stamp, "w") as handle:
            handle.write(wanted + "\n")
    inside = os.path.realpath(sys.prefix) == os.path.realpath(VENV)
    if not inside:
        if os.environ.get("FLUTTERBYE_VECTORS_REEXEC") == "1":
            sys.exit(f"re-exec into {venv_python} did not land inside the venv (sys.prefix={sys.prefix})")
        env = dict(os.environ, FLUTTERBYE_VECTORS_REEXEC="1")
        os.execve(venv_python, [venv_python, os.path.abspath(__file__)] + sys.argv[1:], env)


if __name__ == "__main__":
    _ensure_venv()

# Everything below runs inside the venv.
import json  # noqa: E402

from vectorgen.common import SelfCheckError, check  # noqa: E402
from vectorgen.instructions import gen_instructions  # noqa: E402
from vectorgen.keys import (  # noqa: E402
    gen_associated_token_addresses,
    gen_base58,
    gen_create_program_address,
    gen_find_program_address,
    gen_keypairs,
)
from vectorgen.messages import gen_messages_and_transactions  # noqa: E402
from vectorgen.selfcheck import self_check, self_check_instruction_vectors  # noqa: E402


def generate() -> dict:
    instructions = gen_instructions()
    self_check_instruction_vectors(instructions)
    messages, transactions = gen_messages_and_transactions()
    return {
        "generator": GENERATOR,
        "base58": gen_base58(),
        "keypairs": gen_keypairs(),
        "create_program_address": gen_create_program_address(),
        "find_program_address": gen_find_program_address(),
        "associated_token_addresses": gen_associated_token_addresses(),
        "instructions": instructions,
        "messages": messages,
        "transactions": transactions,
    }


def main() -> int:
    import solders
    check(solders.__version__ == "0.29.0", f"solders 0.29.0 required, found {solders.__version__}")
    try:
        self_check()
        vectors = generate()
    except SelfCheckError as error:
        print(f"SELF-CHECK FAILED, vectors.json not written:\n{error}", file=sys.stderr)
        return 1
    text = json.dumps(vectors, indent=1, sort_keys=True) + "\n"
    counts = {k: len(v) for k, v in vectors.items() if isinstance(v, list)}
    summary = ", ".join(f"{k} {v}" for k, v in counts.items()) + f"; total {sum(counts.values())}"
    if "--check" in sys.argv[1:]:
        current = open(OUTPUT).read() if os.path.exists(OUTPUT) else ""
        if current != text:
            print(f"{OUTPUT} is stale; regenerate it", file=sys.stderr)
            return 1
        print(f"{OUTPUT} is up to date ({summary})")
        return 0
    with open(OUTPUT, "w") as handle:
        handle.write(text)
    print(f"wrote {OUTPUT}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())