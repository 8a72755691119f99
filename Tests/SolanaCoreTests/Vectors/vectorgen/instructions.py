"""The instruction section: every builder with edge-case parameters (amounts, decimals, sizes, Unicode)."""

from __future__ import annotations

from solders.pubkey import Pubkey

from .common import (
    METAPLEX_PROGRAM,
    SYSTEM_PROGRAM,
    TOKEN_2022_PROGRAM,
    TOKEN_PROGRAM,
    U64_MAX,
    check,
    instruction_json,
    keypair,
    plain_pubkey,
)
from .builders import build

def actor(i: int) -> str:
    """Pubkey of seeded keypair i (so it can sign in transactions)."""
    return str(keypair(i).pubkey())


AMOUNTS = [0, 1, U64_MAX, 1_000_000_000, 42, U64_MAX - 1, 2**32, 123_456_789_012]
DECIMALS = [0, 9, 6, 2, 9, 0, 255, 1]
NAME_32 = "Flutterbye Butterfly Token #0032"        # 32 bytes
SYMBOL_10 = "FLUTTERBYE"                              # 10 bytes
URI_200 = "https://arweave.net/" + "flutterbye-" * 16 + "x" * 4  # 200 bytes
UNICODE_NAME = "Papillon 🦋 ünï"                      # multi-byte UTF-8
UNICODE_MEMO = "gm 🦋 — flutterbye ünïcödé ✓ 日本語"
assert len(NAME_32.encode()) == 32 and len(SYMBOL_10.encode()) == 10 and len(URI_200.encode()) == 200


def token_params(base: str, i: int) -> dict:
    a = lambda k: actor(400 + 10 * i + k)  # noqa: E731
    amount = AMOUNTS[i % len(AMOUNTS)]
    decimals = DECIMALS[i % len(DECIMALS)]
    if base == "initialize_mint2":
        return {"mint": a(0), "decimals": decimals, "mint_authority": a(1),
                "freeze_authority": a(2) if i % 2 == 0 else None}
    if base == "initialize_account3":
        return {"account": a(0), "mint": a(1), "owner": a(2) if i != 3 else str(plain_pubkey(f"owner-{i}"))}
    if base == "mint_to":
        return {"mint": a(0), "destination": a(1), "authority": a(2), "amount": amount}
    if base == "mint_to_checked":
        return {"mint": a(0), "destination": a(1), "authority": a(2), "amount": amount, "decimals": decimals}
    if base == "transfer":
        return {"source": a(0), "destination": a(1), "owner": a(2), "amount": amount}
    if base == "transfer_checked":
        return {"source": a(0), "mint": a(3), "destination": a(1), "owner": a(2), "amount": amount,
                "decimals": decimals}
    if base == "burn":
        return {"account": a(0), "mint": a(3), "owner": a(2), "amount": amount}
    if base == "burn_checked":
        return {"account": a(0), "mint": a(3), "owner": a(2), "amount": amount, "decimals": decimals}
    if base == "set_authority":
        return {"account": a(0), "current_authority": a(1), "authority_type": i % 4,
                "new_authority": None if i in (1, 4) else a(2)}
    raise KeyError(base)


TOKEN_BASES = ["initialize_mint2", "initialize_account3", "mint_to", "mint_to_checked", "transfer",
               "transfer_checked", "burn", "burn_checked", "set_authority"]


def instruction_cases() -> list:
    cases = []
    for i, (lamports, space) in enumerate([(0, 0), (1_461_600, 82), (2_039_280, 165), (U64_MAX, 2**64 - 1),
                                           (890_880, 0), (3_229_440, 234)]):
        owner = [TOKEN_PROGRAM, TOKEN_2022_PROGRAM, SYSTEM_PROGRAM, METAPLEX_PROGRAM, keypair(199).pubkey(),
                 TOKEN_PROGRAM][i]
        cases.append(("system.create_account", {"from": actor(380 + i), "new_account": actor(390 + i),
                                                 "lamports": lamports, "space": space, "owner": str(owner)}))
    for i, lamports in enumerate([0, 1, 5000, 1_000_000_000, U64_MAX, 2**32 + 7]):
        to = actor(391 + i) if i % 2 else str(plain_pubkey(f"to-{i}"))
        cases.append(("system.transfer", {"from": actor(380 + i), "to": to, "lamports": lamports}))
    for i, space in enumerate([0, 82, 165, 234, 10_240, U64_MAX]):
        cases.append(("system.allocate", {"account": actor(380 + i), "space": space}))
    for i, owner in enumerate([TOKEN_PROGRAM, TOKEN_2022_PROGRAM, SYSTEM_PROGRAM, METAPLEX_PROGRAM, keypair(198).pubkey(), TOKEN_PROGRAM]):
        cases.append(("system.assign", {"account": actor(390 + i), "owner": str(owner)}))
    for prefix in ("token", "token2022"):
        for base in TOKEN_BASES:
            for i in range(6):
                cases.append((f"{prefix}.{base}", token_params(base, i)))
    # Token-2022 metadata pointer: authority / address both, either, and self-pointing.
    for i, (has_authority, address) in enumerate([(True, "self"), (True, None), (False, "self"), (True, "other"),
                                                   (False, "other"), (True, "self")]):
        mint = actor(600 + i)
        cases.append(("token2022.metadata_pointer_initialize", {
            "mint": mint, "authority": actor(610 + i) if has_authority else None,
            "metadata_address": None if address is None else (mint if address == "self" else actor(620 + i))}))
    strings = [(NAME_32, SYMBOL_10, URI_200), ("", "", ""), (UNICODE_NAME, "🦋", "ipfs://bafy/ü"),
               ("Flutterbye", "FLY", "https://flutterbye.example/m.json"), ("A", "B", "C"),
               ("Job token 7", "JOB7", "https://example.com/" + "a" * 100)]
    for i, (name, symbol, uri) in enumerate(strings):
        mint = actor(630 + i)
        cases.append(("token2022.token_metadata_initialize", {
            "metadata": mint, "update_authority": actor(640 + i) if i != 4 else actor(650 + i), "mint": mint,
            "mint_authority": actor(650 + i), "name": name, "symbol": symbol, "uri": uri}))
    for i, (field, value) in enumerate([("name", NAME_32), ("symbol", ""), ("uri", URI_200), ("job_id", "7"),
                                        ("🦋 key", UNICODE_MEMO), ("name", ""), ("description", "x" * 300)]):
        mint = actor(660 + i)
        cases.append(("token2022.token_metadata_update_field", {
            "metadata": mint, "update_authority": actor(670 + i), "field": field, "value": value}))
    for kind in ("ata.create", "ata.create_idempotent"):
        for i in range(6):
            program = TOKEN_PROGRAM if i % 2 == 0 else TOKEN_2022_PROGRAM
            wallet = actor(680 + i) if i != 5 else actor(690)  # payer == wallet for i == 5
            payer = actor(690)
            cases.append((kind, {"payer": payer, "wallet": wallet, "mint": actor(700 + i),
                                 "token_program": str(program)}))
    memos = [([], "hello"), ([actor(710)], UNICODE_MEMO), ([actor(711), actor(712)], "two signers"),
             ([actor(713), actor(714), actor(715)], "m" * 300), ([actor(716)], ""),
             ([], "flutterbye job 7: mint 1000 FLY"), ([actor(717)], "{\"job\":7,\"ok\":true}")]
    for signers, text in memos:
        cases.append(("memo", {"signers": signers, "memo": text}))
    for units in (0, 1, 200_000, 1_400_000, 2**32 - 1, 65_536):
        cases.append(("compute_budget.set_compute_unit_limit", {"units": units}))
    for micro in (0, 1, 1_000, 50_000, U64_MAX, 2**40 + 3):
        cases.append(("compute_budget.set_compute_unit_price", {"micro_lamports": micro}))
    metaplex = [(NAME_32, SYMBOL_10, URI_200, 10_000, True, True), ("", "", "", 0, False, False),
                (UNICODE_NAME, "🦋FLY", "https://flutterbye.example/1.json", 500, True, False),
                ("Flutterbye", "FLY", "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", 250, False, True),
                ("Job 7", "J7", "https://example.com/7", 65_535, True, True),
                ("X", "Y", "Z", 1, True, False)]
    for i, (name, symbol, uri, fee, mutable, ua_signer) in enumerate(metaplex):
        mint = keypair(720 + i).pubkey()
        metadata = Pubkey.find_program_address([b"metadata", bytes(METAPLEX_PROGRAM), bytes(mint)], METAPLEX_PROGRAM)[0]
        payer = actor(730 + i)
        update_authority = payer if i == 4 else actor(740 + i)
        cases.append(("metaplex.create_metadata_account_v3", {
            "metadata": str(metadata), "mint": str(mint), "mint_authority": payer if i % 2 else actor(750 + i),
            "payer": payer, "update_authority": update_authority, "name": name, "symbol": symbol, "uri": uri,
            "seller_fee_basis_points": fee, "is_mutable": mutable, "update_authority_is_signer": ua_signer}))
    return cases


def gen_instructions() -> list:
    out = []
    for name, params in instruction_cases():
        ix = build(name, params)
        record = {"name": name, "params": params}
        record.update(instruction_json(ix))
        out.append(record)
    counts = {}
    for record in out:
        counts[record["name"]] = counts.get(record["name"], 0) + 1
    check(min(counts.values()) >= 5, f"every builder has >= 5 vectors: {counts}")
    return out
