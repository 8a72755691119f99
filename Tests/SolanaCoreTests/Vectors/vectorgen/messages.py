"""The message and transaction sections: legacy and v0 messages (lookup tables included), compiled and signed by
solders."""

from __future__ import annotations

from solders.address_lookup_table_account import AddressLookupTableAccount
from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price
from solders.hash import Hash
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.message import Message, MessageV0, from_bytes_versioned, to_bytes_versioned
from solders.pubkey import Pubkey
from solders.token.associated import get_associated_token_address
from solders.transaction import Transaction, VersionedTransaction

from .common import (
    MAX_TX_SIZE,
    MEMO_PROGRAM,
    METAPLEX_PROGRAM,
    SYSTEM_PROGRAM,
    Stream,
    TOKEN_2022_PROGRAM,
    TOKEN_PROGRAM,
    U64_MAX,
    blockhash,
    check,
    instruction_json,
    keypair,
    meta,
    pk,
    plain_pubkey,
    seed,
)
from .builders import build
from .instructions import UNICODE_MEMO

def generic_ix(program, accounts, data: bytes) -> Instruction:
    return Instruction(pk(program), data, [meta(a, s, w) for (a, s, w) in accounts])


def message_scenarios() -> list:
    """(version, payer, instructions, lookup_tables) tuples; every signer is a seeded keypair."""
    rng = Stream("messages")
    A = lambda i: keypair(800 + i).pubkey()  # noqa: E731  signers / actors
    P = lambda label: plain_pubkey("msg-" + label)  # noqa: E731  never signs
    prog_x, prog_y = plain_pubkey("program-x"), plain_pubkey("program-y")
    scenarios = []

    # 1. plain transfers
    scenarios.append(("legacy", A(0), [build("system.transfer", {"from": str(A(0)), "to": str(P("r0")), "lamports": 5000})], []))
    scenarios.append(("legacy", A(1), [build("system.transfer", {"from": str(A(2)), "to": str(A(3)), "lamports": U64_MAX})], []))
    # 2. mint creation flow (payer + mint keypair sign), Token and Token-2022
    for n, program_name in enumerate(("token", "token2022")):
        payer, mint, owner = A(4 + n), A(6 + n), A(8 + n)
        program = TOKEN_PROGRAM if n == 0 else TOKEN_2022_PROGRAM
        ata = get_associated_token_address(owner, mint, program)
        scenarios.append(("legacy", payer, [
            set_compute_unit_limit(120_000), set_compute_unit_price(5_000),
            build("system.create_account", {"from": str(payer), "new_account": str(mint), "lamports": 1_461_600,
                                            "space": 82, "owner": str(program)}),
            build(f"{program_name}.initialize_mint2", {"mint": str(mint), "decimals": 9, "mint_authority": str(payer),
                                                       "freeze_authority": None}),
            build("ata.create_idempotent", {"payer": str(payer), "wallet": str(owner), "mint": str(mint),
                                            "token_program": str(program)}),
            build(f"{program_name}.mint_to_checked", {"mint": str(mint), "destination": str(ata), "authority": str(payer),
                                                      "amount": 1_000_000_000, "decimals": 9})], []))
    # 3. Token-2022 mint with metadata pointer + token metadata
    payer, mint = A(10), A(11)
    scenarios.append(("legacy", payer, [
        build("system.create_account", {"from": str(payer), "new_account": str(mint), "lamports": 4_000_000,
                                        "space": 234, "owner": str(TOKEN_2022_PROGRAM)}),
        build("token2022.metadata_pointer_initialize", {"mint": str(mint), "authority": str(payer),
                                                        "metadata_address": str(mint)}),
        build("token2022.initialize_mint2", {"mint": str(mint), "decimals": 0, "mint_authority": str(payer),
                                             "freeze_authority": str(payer)}),
        build("token2022.token_metadata_initialize", {"metadata": str(mint), "update_authority": str(payer),
                                                      "mint": str(mint), "mint_authority": str(payer),
                                                      "name": "Flutterbye", "symbol": "FLY", "uri": "https://f.example/1"}),
        build("token2022.token_metadata_update_field", {"metadata": str(mint), "update_authority": str(payer),
                                                        "field": "job", "value": "7"})], []))
    # 4. metaplex metadata after a classic mint, update authority signing (distinct signer)
    payer, mint, ua = A(12), A(13), A(14)
    metadata = Pubkey.find_program_address([b"metadata", bytes(METAPLEX_PROGRAM), bytes(mint)], METAPLEX_PROGRAM)[0]
    scenarios.append(("legacy", payer, [
        build("metaplex.create_metadata_account_v3", {
            "metadata": str(metadata), "mint": str(mint), "mint_authority": str(payer), "payer": str(payer),
            "update_authority": str(ua), "name": "Flutterbye", "symbol": "FLY", "uri": "https://f.example/m.json",
            "seller_fee_basis_points": 0, "is_mutable": True, "update_authority_is_signer": True}),
        build("memo", {"signers": [str(ua)], "memo": "metadata"})], []))
    # 5. payer appears in instructions as a readonly non-signer / as writable non-signer
    scenarios.append(("legacy", A(15), [generic_ix(prog_x, [(A(15), False, False), (P("a"), False, True)], b"\x01")], []))
    scenarios.append(("legacy", A(16), [generic_ix(prog_x, [(P("b"), False, False), (A(16), False, True)], b""),
                                        build("memo", {"signers": [str(A(16))], "memo": "payer signs memo"})], []))
    # 6. the same account with different flags in different instructions (flags merge)
    dup = P("dup")
    scenarios.append(("legacy", A(17), [
        generic_ix(prog_x, [(dup, False, False), (A(18), True, False)], b"\x02"),
        generic_ix(prog_y, [(dup, False, True), (A(18), False, True)], b"\x03"),
        generic_ix(prog_x, [(dup, False, False), (A(19), True, False), (A(18), False, False)], b"")], []))
    # 7. programs used as accounts (readonly and writable), and an account repeated inside one instruction
    scenarios.append(("legacy", A(20), [
        generic_ix(prog_x, [(prog_y, False, False), (TOKEN_PROGRAM, False, False)], b"\x04"),
        generic_ix(prog_y, [(prog_x, False, True), (P("c"), False, True), (P("c"), False, False)], b"\x05"),
        generic_ix(TOKEN_PROGRAM, [], b"")], []))
    # 8. zero instructions; instruction with no accounts and no data
    scenarios.append(("legacy", A(21), [], []))
    scenarios.append(("legacy", A(22), [generic_ix(prog_x, [], b"")], []))
    # 9. several signers, some readonly, in scrambled order
    scenarios.append(("legacy", A(23), [
        generic_ix(prog_x, [(A(24), True, False), (A(25), True, True), (P("d"), False, True), (A(26), True, False)], b"\x06"),
        build("memo", {"signers": [str(A(27)), str(A(24))], "memo": UNICODE_MEMO}),
        build("system.transfer", {"from": str(A(25)), "to": str(A(23)), "lamports": 1})], []))
    # 10. random synthetic legacy messages
    actors = [A(30 + k) for k in range(10)]
    plains = [P(f"pool-{k}") for k in range(12)]
    programs = [prog_x, prog_y, TOKEN_PROGRAM, TOKEN_2022_PROGRAM, MEMO_PROGRAM, SYSTEM_PROGRAM]

    def random_instructions(count: int) -> list:
        out = []
        for _ in range(count):
            accounts = []
            for _ in range(rng.between(0, 6)):
                if rng.chance(1, 2):
                    key = rng.choice(actors)
                    accounts.append((key, rng.chance(1, 2), rng.chance(1, 2)))
                else:
                    accounts.append((rng.choice(plains), False, rng.chance(1, 2)))
            out.append(generic_ix(rng.choice(programs), accounts, rng.take(rng.between(0, 40))))
        return out

    for k in range(10):
        payer = actors[k] if k % 3 else A(40 + k)
        scenarios.append(("legacy", payer, random_instructions(rng.between(1, 4)), []))

    # ---- v0 ----
    # 11. no tables, and tables that nothing resolves through
    scenarios.append((0, A(60), [build("system.transfer", {"from": str(A(60)), "to": str(P("r1")), "lamports": 7})], []))
    scenarios.append((0, A(61), [generic_ix(prog_x, [(P("e"), False, True)], b"\x07")],
                      [AddressLookupTableAccount(P("lut-unused"), [P("z1"), P("z2")])]))
    scenarios.append((0, A(62), [], []))
    # 12. one table: writable and readonly lookups, signer/program/payer in table stay static
    table_a = AddressLookupTableAccount(P("lut-a"), [P("w1"), P("r1x"), A(63), prog_x, P("w2"), P("r2x"), A(64)])
    scenarios.append((0, A(64), [
        generic_ix(prog_x, [(P("w1"), False, True), (P("r1x"), False, False), (A(63), True, False)], b"\x08"),
        generic_ix(prog_y, [(P("w2"), False, True), (P("r2x"), False, False), (P("static"), False, True)], b"\x09")],
        [table_a]))
    # 13. two tables, an address in both (first table wins), one unused table in between
    table_b = AddressLookupTableAccount(P("lut-b"), [P("r2x"), P("w3"), P("w1"), P("r3x")])
    table_c = AddressLookupTableAccount(P("lut-c"), [P("nothing")])
    scenarios.append((0, A(65), [
        generic_ix(prog_x, [(P("w1"), False, True), (P("w3"), False, True), (P("r2x"), False, False),
                            (P("r3x"), False, False), (A(66), True, True)], b"\x0a")], [table_a, table_c, table_b]))
    # 14. program in a table is used as an account too (invoked => static)
    scenarios.append((0, A(67), [
        generic_ix(prog_x, [(prog_y, False, False), (P("w1"), False, True)], b""),
        generic_ix(prog_y, [(prog_x, False, True)], b"\x0b")],
        [AddressLookupTableAccount(P("lut-d"), [prog_x, prog_y, P("w1")])]))
    # 15. realistic token flow through a table (mint readonly, ATA writable from table)
    payer, owner = A(68), A(69)
    mint = P("v0-mint")
    src = get_associated_token_address(owner, mint, TOKEN_PROGRAM)
    dst = get_associated_token_address(P("v0-recipient"), mint, TOKEN_PROGRAM)
    scenarios.append((0, payer, [
        set_compute_unit_price(1),
        build("ata.create_idempotent", {"payer": str(payer), "wallet": str(P("v0-recipient")), "mint": str(mint),
                                        "token_program": str(TOKEN_PROGRAM)}),
        build("token.transfer_checked", {"source": str(src), "mint": str(mint), "destination": str(dst),
                                         "owner": str(owner), "amount": U64_MAX, "decimals": 9})],
        [AddressLookupTableAccount(P("lut-e"), [SYSTEM_PROGRAM, TOKEN_PROGRAM, mint, dst, P("v0-recipient"), src])]))
    # 16. the same account writable in one instruction and readonly in another, found in a table
    scenarios.append((0, A(70), [
        generic_ix(prog_x, [(P("flip"), False, False)], b"\x0c"),
        generic_ix(prog_y, [(P("flip"), False, True), (P("ro"), False, False)], b"\x0d")],
        [AddressLookupTableAccount(P("lut-f"), [P("ro"), P("flip")])]))
    # 17. random synthetic v0 messages with 1-2 tables built from the pool
    for k in range(18):
        payer = actors[k % len(actors)] if k % 4 else A(80 + k)
        instructions = random_instructions(rng.between(1, 4))
        tables = []
        for t in range(1 + (k % 2)):
            entries = rng.sample(plains + actors[:3] + programs[:2], rng.between(3, 10))
            if k % 5 == 0:
                entries = entries + entries[:2]  # duplicates inside one table
            tables.append(AddressLookupTableAccount(P(f"lut-r{k}-{t}"), entries))
        scenarios.append((0, payer, instructions, tables))
    return scenarios


def compile_message(version, payer: Pubkey, instructions: list, tables: list, bh: Hash):
    if version == "legacy":
        check(not tables, "legacy messages take no tables")
        message = Message.new_with_blockhash(instructions, payer, bh)
        serialized = bytes(message)
        check(Message.from_bytes(serialized) == message, "legacy message round trip")
    else:
        message = MessageV0.try_compile(payer, instructions, tables, bh)
        serialized = to_bytes_versioned(message)  # bytes(MessageV0) lacks the 0x80 prefix
        check(serialized[0] == 0x80 and serialized[1:] == bytes(message), "v0 = 0x80 || bincode(MessageV0)")
        check(from_bytes_versioned(serialized) == message, "v0 message round trip")
        for lookup in message.address_table_lookups:
            check(any(t.key == lookup.account_key for t in tables), "lookup references a given table")
    return message, serialized


def gen_messages_and_transactions():
    messages, transactions, compiled = [], [], []
    seeds_by_pubkey = {bytes(keypair(i).pubkey()): seed(i) for i in range(800, 900)}
    v0_with_lookups = 0
    for index, (version, payer, instructions, tables) in enumerate(message_scenarios()):
        bh = blockhash(index)
        message, serialized = compile_message(version, payer, instructions, tables, bh)
        header = message.header
        keys = list(message.account_keys)
        check(keys[0] == payer, "payer is the first key")
        if version == 0 and message.address_table_lookups:
            v0_with_lookups += 1
            looked_up = set()
            for lookup in message.address_table_lookups:
                table = next(t for t in tables if t.key == lookup.account_key)
                for i in list(lookup.writable_indexes) + list(lookup.readonly_indexes):
                    looked_up.add(table.addresses[i])
            signers = set(keys[:header.num_required_signatures])
            invoked = {ix.program_id for ix in instructions}
            check(not (looked_up & signers) and not (looked_up & invoked), "signers/programs never from tables")
        check(len(serialized) + 1 + 64 * header.num_required_signatures <= MAX_TX_SIZE, f"message {index} fits a tx")
        messages.append({
            "version": version, "payer": str(payer), "recent_blockhash": str(bh),
            "instructions": [instruction_json(ix) for ix in instructions],
            "lookup_tables": [{"key": str(t.key), "addresses": [str(a) for a in t.addresses]} for t in tables],
            "serialized_hex": serialized.hex(),
            "header": [header.num_required_signatures, header.num_readonly_signed_accounts,
                       header.num_readonly_unsigned_accounts],
            "account_keys": [str(k) for k in keys]})
        compiled.append((version, message, serialized))
    check(v0_with_lookups >= 10, "enough v0 messages resolve accounts through tables")

    rng = Stream("transactions")
    for index, (version, message, serialized) in enumerate(compiled):
        if index % 6 == 5:
            continue  # not every message needs a transaction
        signer_keys = list(message.account_keys)[:message.header.num_required_signatures]
        signer_seeds = rng.shuffled([seeds_by_pubkey[bytes(k)] for k in signer_keys])
        keypairs = [Keypair.from_seed(s) for s in signer_seeds]
        if version == "legacy":
            tx = Transaction(keypairs, message, message.recent_blockhash)
            tx.verify()  # raises on a bad signature
        else:
            tx = VersionedTransaction(message, keypairs)
            check(all(tx.verify_with_results()), "v0 signatures verify")
        raw = bytes(tx)
        check(raw[0] == len(signer_keys) and len(signer_keys) < 128, "short-vec signature count")
        check(raw[1 + 64 * len(signer_keys):] == serialized, "transaction = sigs || signed message bytes")
        for key, signature in zip(signer_keys, tx.signatures):
            check(signature.verify(key, serialized), "each signature covers the recorded message bytes")
        check(len(raw) <= MAX_TX_SIZE, f"transaction {index} <= 1232 bytes")
        transactions.append({"message_index": index, "signer_seeds_hex": [s.hex() for s in signer_seeds],
                             "serialized_hex": raw.hex(), "signatures": [str(s) for s in tx.signatures]})
    return messages, transactions
