"""The LiteSVM self-check: hand-encoded (and library) builders executed by the real programs before anything is
written."""

from __future__ import annotations

import hashlib
import struct

from solders.account import Account
from solders.address_lookup_table_account import AddressLookupTableAccount
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.message import Message, MessageV0
from solders.pubkey import Pubkey
from solders.token.associated import get_associated_token_address
from solders.transaction import Transaction, VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata

from .common import (
    LOOKUP_TABLE_PROGRAM,
    MEMO_PROGRAM,
    SYSTEM_PROGRAM,
    SelfCheckError,
    TOKEN_2022_PROGRAM,
    TOKEN_PROGRAM,
    U64_MAX,
    account_json,
    borsh_string,
    check,
    keypair,
    optional_nonzero_pubkey,
    pk,
    plain_pubkey,
    u16,
    u32,
    u64,
    u8,
)
from .builders import build, hand_build
from .instructions import NAME_32, SYMBOL_10, UNICODE_MEMO, UNICODE_NAME, URI_200

MINT_SIZE, ACCOUNT_SIZE = 82, 165
MINT_WITH_POINTER_SIZE = 165 + 1 + 2 + 2 + 64  # base padded to Account size, AccountType, TLV header, pointer


class Chain:
    def __init__(self):
        self.svm = LiteSVM()
        self.payer = Keypair.from_seed(hashlib.sha256(b"flutterbye-selfcheck-payer").digest())
        self.svm.airdrop(self.payer.pubkey(), 1_000_000_000_000)
        self.counter = 0

    def new_keypair(self) -> Keypair:
        self.counter += 1
        return Keypair.from_seed(hashlib.sha256(b"flutterbye-selfcheck-" + str(self.counter).encode()).digest())

    def send(self, instructions: list, signers: list = (), expect_ok: bool = True, what: str = "", v0_tables=None):
        bh = self.svm.latest_blockhash()
        everyone = [self.payer] + [s for s in signers if s.pubkey() != self.payer.pubkey()]
        unique = list({bytes(k.pubkey()): k for k in everyone}.values())
        if v0_tables is None:
            tx = Transaction(unique, Message.new_with_blockhash(instructions, self.payer.pubkey(), bh), bh)
        else:
            tx = VersionedTransaction(MessageV0.try_compile(self.payer.pubkey(), instructions, v0_tables, bh), unique)
        result = self.svm.send_transaction(tx)
        self.svm.expire_blockhash()
        ok = not isinstance(result, FailedTransactionMetadata)
        if ok != expect_ok:
            detail = result if ok else f"{result.err()}\n" + "\n".join(result.meta().logs())
            raise SelfCheckError(f"LiteSVM: {what} expected {'success' if expect_ok else 'failure'}, got {detail}")
        return result

    def data(self, address) -> bytes:
        account = self.svm.get_account(pk(address))
        check(account is not None, f"account {address} exists")
        return bytes(account.data)

    def owner(self, address) -> Pubkey:
        return self.svm.get_account(pk(address)).owner

    def create(self, new: Keypair, space: int, owner: Pubkey, lamports: int | None = None) -> Instruction:
        lamports = self.svm.minimum_balance_for_rent_exemption(space) if lamports is None else lamports
        return build("system.create_account", {"from": str(self.payer.pubkey()), "new_account": str(new.pubkey()),
                                               "lamports": lamports, "space": space, "owner": str(owner)})


def parse_mint(data: bytes) -> dict:
    authority = data[4:36] if struct.unpack_from("<I", data, 0)[0] == 1 else None
    freeze = data[50:82] if struct.unpack_from("<I", data, 46)[0] == 1 else None
    return {"mint_authority": authority, "supply": struct.unpack_from("<Q", data, 36)[0], "decimals": data[44],
            "initialized": data[45] == 1, "freeze_authority": freeze}


def parse_account(data: bytes) -> dict:
    close = data[133:165] if struct.unpack_from("<I", data, 129)[0] == 1 else None
    return {"mint": data[0:32], "owner": data[32:64], "amount": struct.unpack_from("<Q", data, 64)[0],
            "state": data[108], "close_authority": close}


def self_check_token(chain: Chain, prefix: str) -> None:
    program = TOKEN_PROGRAM if prefix == "token" else TOKEN_2022_PROGRAM
    s = lambda kp: str(kp.pubkey())  # noqa: E731
    payer = chain.payer
    for decimals, with_freeze in ((9, True), (0, False)):
        mint, authority, freezer = chain.new_keypair(), chain.new_keypair(), chain.new_keypair()
        owner_a, owner_b = chain.new_keypair(), chain.new_keypair()
        acct_a, acct_b = chain.new_keypair(), chain.new_keypair()
        chain.send([chain.create(mint, MINT_SIZE, program),
                    build(f"{prefix}.initialize_mint2", {"mint": s(mint), "decimals": decimals,
                                                         "mint_authority": s(authority),
                                                         "freeze_authority": s(freezer) if with_freeze else None})],
                   [mint], what=f"{prefix}.initialize_mint2 decimals={decimals}")
        m = parse_mint(chain.data(mint.pubkey()))
        check(m["initialized"] and m["decimals"] == decimals and m["mint_authority"] == bytes(authority.pubkey())
              and m["freeze_authority"] == (bytes(freezer.pubkey()) if with_freeze else None) and m["supply"] == 0,
              f"{prefix} mint state after InitializeMint2: {m}")
        chain.send([chain.create(acct_a, ACCOUNT_SIZE, program), chain.create(acct_b, ACCOUNT_SIZE, program),
                    build(f"{prefix}.initialize_account3", {"account": s(acct_a), "mint": s(mint), "owner": s(owner_a)}),
                    build(f"{prefix}.initialize_account3", {"account": s(acct_b), "mint": s(mint), "owner": s(owner_b)})],
                   [acct_a, acct_b], what=f"{prefix}.initialize_account3")
        a = parse_account(chain.data(acct_a.pubkey()))
        check(a["mint"] == bytes(mint.pubkey()) and a["owner"] == bytes(owner_a.pubkey()) and a["state"] == 1,
              f"{prefix} account state after InitializeAccount3")

        def amount(acct) -> int:
            return parse_account(chain.data(acct.pubkey()))["amount"]

        def supply() -> int:
            return parse_mint(chain.data(mint.pubkey()))["supply"]

        mt = lambda n: build(f"{prefix}.mint_to", {"mint": s(mint), "destination": s(acct_a), "authority": s(authority), "amount": n})  # noqa: E731
        mtc = lambda n, d: build(f"{prefix}.mint_to_checked", {"mint": s(mint), "destination": s(acct_a), "authority": s(authority), "amount": n, "decimals": d})  # noqa: E731
        chain.send([mt(0)], [authority], what=f"{prefix}.mint_to 0")
        chain.send([mtc(0, decimals)], [authority], what=f"{prefix}.mint_to_checked 0")
        chain.send([mtc(U64_MAX, decimals)], [authority], what=f"{prefix}.mint_to_checked u64::MAX")
        check(amount(acct_a) == U64_MAX and supply() == U64_MAX, f"{prefix} minted u64::MAX")
        chain.send([mt(1)], [authority], expect_ok=False, what=f"{prefix}.mint_to overflow past u64::MAX")
        chain.send([mtc(1, (decimals + 1) % 256)], [authority], expect_ok=False, what=f"{prefix}.mint_to_checked wrong decimals")

        tc = lambda src, dst, own, n, d: build(f"{prefix}.transfer_checked", {"source": s(src), "mint": s(mint), "destination": s(dst), "owner": s(own), "amount": n, "decimals": d})  # noqa: E731
        t = lambda src, dst, own, n: build(f"{prefix}.transfer", {"source": s(src), "destination": s(dst), "owner": s(own), "amount": n})  # noqa: E731
        chain.send([tc(acct_a, acct_b, owner_a, U64_MAX, decimals ^ 1)], [owner_a], expect_ok=False,
                   what=f"{prefix}.transfer_checked wrong decimals")
        chain.send([tc(acct_a, acct_b, owner_a, U64_MAX, decimals)], [owner_a], what=f"{prefix}.transfer_checked u64::MAX")
        check(amount(acct_a) == 0 and amount(acct_b) == U64_MAX, f"{prefix} transfer_checked moved u64::MAX")
        chain.send([tc(acct_b, acct_a, owner_b, 0, decimals)], [owner_b], what=f"{prefix}.transfer_checked 0")
        chain.send([t(acct_b, acct_a, owner_b, 0)], [owner_b], what=f"{prefix}.transfer 0")
        chain.send([t(acct_b, acct_a, owner_b, 3)], [owner_b], what=f"{prefix}.transfer 3")
        check(amount(acct_a) == 3 and amount(acct_b) == U64_MAX - 3, f"{prefix} transfer moved 3")

        bc = lambda acct, own, n, d: build(f"{prefix}.burn_checked", {"account": s(acct), "mint": s(mint), "owner": s(own), "amount": n, "decimals": d})  # noqa: E731
        b = lambda acct, own, n: build(f"{prefix}.burn", {"account": s(acct), "mint": s(mint), "owner": s(own), "amount": n})  # noqa: E731
        chain.send([bc(acct_b, owner_b, 1, (decimals + 3) % 256)], [owner_b], expect_ok=False,
                   what=f"{prefix}.burn_checked wrong decimals")
        chain.send([bc(acct_b, owner_b, 0, decimals)], [owner_b], what=f"{prefix}.burn_checked 0")
        chain.send([bc(acct_b, owner_b, U64_MAX - 3, decimals)], [owner_b], what=f"{prefix}.burn_checked u64::MAX-3")
        chain.send([b(acct_a, owner_a, 0)], [owner_a], what=f"{prefix}.burn 0")
        chain.send([b(acct_a, owner_a, 3)], [owner_a], what=f"{prefix}.burn 3")
        check(amount(acct_a) == 0 and amount(acct_b) == 0 and supply() == 0, f"{prefix} burned everything")
        chain.send([mtc(U64_MAX, decimals)], [authority], what=f"{prefix}.mint_to_checked u64::MAX again")
        chain.send([bc(acct_a, owner_a, U64_MAX, decimals)], [owner_a], what=f"{prefix}.burn_checked u64::MAX")
        check(supply() == 0, f"{prefix} burned u64::MAX")

        # SetAuthority: every authority type, set and cleared.
        sa = lambda account, current, kind, new: build(f"{prefix}.set_authority", {"account": s(account), "current_authority": s(current), "authority_type": kind, "new_authority": s(new) if new else None})  # noqa: E731
        new_owner, closer, new_minter, new_freezer = (chain.new_keypair() for _ in range(4))
        chain.send([sa(acct_a, owner_a, 2, new_owner)], [owner_a], what=f"{prefix}.set_authority AccountOwner")
        check(parse_account(chain.data(acct_a.pubkey()))["owner"] == bytes(new_owner.pubkey()), "owner changed")
        chain.send([sa(acct_a, new_owner, 3, closer)], [new_owner], what=f"{prefix}.set_authority CloseAccount set")
        check(parse_account(chain.data(acct_a.pubkey()))["close_authority"] == bytes(closer.pubkey()), "close authority set")
        chain.send([sa(acct_a, closer, 3, None)], [closer], what=f"{prefix}.set_authority CloseAccount clear")
        check(parse_account(chain.data(acct_a.pubkey()))["close_authority"] is None, "close authority cleared")
        if with_freeze:
            chain.send([sa(mint, freezer, 1, new_freezer)], [freezer], what=f"{prefix}.set_authority FreezeAccount set")
            check(parse_mint(chain.data(mint.pubkey()))["freeze_authority"] == bytes(new_freezer.pubkey()), "freezer set")
            chain.send([sa(mint, new_freezer, 1, None)], [new_freezer], what=f"{prefix}.set_authority FreezeAccount clear")
            check(parse_mint(chain.data(mint.pubkey()))["freeze_authority"] is None, "freezer cleared")
        else:
            chain.send([sa(mint, freezer, 1, new_freezer)], [freezer], expect_ok=False,
                       what=f"{prefix}.set_authority FreezeAccount on a mint without one")
        chain.send([sa(mint, authority, 0, new_minter)], [authority], what=f"{prefix}.set_authority MintTokens set")
        check(parse_mint(chain.data(mint.pubkey()))["mint_authority"] == bytes(new_minter.pubkey()), "minter set")
        chain.send([sa(mint, new_minter, 0, None)], [new_minter], what=f"{prefix}.set_authority MintTokens clear")
        check(parse_mint(chain.data(mint.pubkey()))["mint_authority"] is None, "minter cleared")
        chain.send([mtc(1, decimals)], [authority], expect_ok=False, what=f"{prefix} mint after authority removed")

    # ATA create (hand-encoded, data [0]) and create_idempotent (solana-py)
    mint, authority = chain.new_keypair(), chain.new_keypair()
    chain.send([chain.create(mint, MINT_SIZE, program),
                build(f"{prefix}.initialize_mint2", {"mint": s(mint), "decimals": 6, "mint_authority": s(authority),
                                                     "freeze_authority": None})], [mint], what="mint for ATA")
    wallet_a, wallet_b = chain.new_keypair(), chain.new_keypair()
    pda_wallet = Pubkey.find_program_address([b"vault"], keypair(220).pubkey())[0]
    for wallet in (wallet_a.pubkey(), pda_wallet):
        params = {"payer": s(payer), "wallet": str(wallet), "mint": s(mint), "token_program": str(program)}
        chain.send([build("ata.create", params)], what=f"ata.create for {prefix}")
        ata = get_associated_token_address(wallet, mint.pubkey(), program)
        check(chain.owner(ata) == program, "ATA owned by the token program")
        acct = parse_account(chain.data(ata))
        check(acct["mint"] == bytes(mint.pubkey()) and acct["owner"] == bytes(wallet), "ATA mint/owner")
        chain.send([build("ata.create", params)], expect_ok=False, what=f"ata.create again fails ({prefix})")
        chain.send([build("ata.create_idempotent", params)], what=f"ata.create_idempotent on existing ({prefix})")
    # The Rust client's Create data [0] (instead of the empty data recorded) creates the account too.
    wallet_c = chain.new_keypair()
    client_form = build("ata.create", {"payer": s(payer), "wallet": s(wallet_c), "mint": s(mint),
                                       "token_program": str(program)})
    chain.send([Instruction(client_form.program_id, u8(0), list(client_form.accounts))],
               what=f"ata.create with data [0] ({prefix})")
    check(chain.owner(get_associated_token_address(wallet_c.pubkey(), mint.pubkey(), program)) == program,
          "ATA created with data [0]")
    # solana-py's long COption form (tag 0 + 32 zero bytes) runs too: the programs ignore the tail.
    long_mint = chain.new_keypair()
    long_init = build(f"{prefix}.initialize_mint2", {"mint": s(long_mint), "decimals": 3,
                                                     "mint_authority": s(authority), "freeze_authority": None})
    long_clear = build(f"{prefix}.set_authority", {"account": s(long_mint), "current_authority": s(authority),
                                                   "authority_type": 0, "new_authority": None})
    chain.send([chain.create(long_mint, MINT_SIZE, program),
                Instruction(program, bytes(long_init.data) + bytes(32), list(long_init.accounts)),
                Instruction(program, bytes(long_clear.data) + bytes(32), list(long_clear.accounts))],
               [long_mint, authority], what=f"{prefix} long-form COption None")
    check(parse_mint(chain.data(long_mint.pubkey()))["mint_authority"] is None, "long-form SetAuthority cleared")
    params = {"payer": s(payer), "wallet": s(wallet_b), "mint": s(mint), "token_program": str(program)}
    chain.send([build("ata.create_idempotent", params), build("ata.create_idempotent", params)],
               what=f"ata.create_idempotent new, twice ({prefix})")
    ata_b = get_associated_token_address(wallet_b.pubkey(), mint.pubkey(), program)
    check(parse_account(chain.data(ata_b))["owner"] == bytes(wallet_b.pubkey()), "idempotent ATA owner")
    # v0 transaction whose destination (writable) and mint (readonly) resolve through a lookup table
    ata_a = get_associated_token_address(wallet_a.pubkey(), mint.pubkey(), program)
    chain.send([build(f"{prefix}.mint_to_checked", {"mint": s(mint), "destination": str(ata_a), "authority": s(authority),
                                                    "amount": 10, "decimals": 6})], [authority], what="mint for v0")
    table_key = plain_pubkey(f"selfcheck-lut-{prefix}")
    install_lookup_table(chain, table_key, [SYSTEM_PROGRAM, ata_b, mint.pubkey()])
    table = AddressLookupTableAccount(table_key, [SYSTEM_PROGRAM, ata_b, mint.pubkey()])
    chain.send([build(f"{prefix}.transfer_checked", {"source": str(ata_a), "mint": s(mint), "destination": str(ata_b),
                                                     "owner": s(wallet_a), "amount": 4, "decimals": 6})],
               [wallet_a], what=f"v0 {prefix}.transfer_checked through a lookup table", v0_tables=[table])
    check(parse_account(chain.data(ata_b))["amount"] == 4, "v0 transfer through lookup table landed")


def install_lookup_table(chain: Chain, key: Pubkey, addresses: list) -> None:
    """Writes an active address lookup table account (LookupTableMeta + addresses) straight into LiteSVM."""
    meta_bytes = (u32(1) + u64(U64_MAX) + u64(0) + u8(0) + u8(1) + bytes(chain.payer.pubkey()) + u16(0))
    check(len(meta_bytes) == 56, "LookupTableMeta is 56 bytes")
    data = meta_bytes + b"".join(bytes(a) for a in addresses)
    lamports = chain.svm.minimum_balance_for_rent_exemption(len(data))
    chain.svm.set_account(key, Account(lamports=lamports, data=data, owner=LOOKUP_TABLE_PROGRAM, executable=False))
    if chain.svm.get_clock().slot < 5:
        chain.svm.warp_to_slot(5)


def token_metadata_tlv_matches(data: bytes, expected: bytes) -> bool:
    """The TokenMetadata TLV entry (type 19) right after the MetadataPointer one holds `expected`.
    Token-2022 appends 2 zero bytes (an Uninitialized TLV type) when the account would otherwise be
    exactly Multisig::LEN (355) bytes long, so the two cannot be confused; allow exactly that."""
    start = MINT_WITH_POINTER_SIZE + 4
    end = start + len(expected)
    header_ok = data[MINT_WITH_POINTER_SIZE:start] == u16(19) + u16(len(expected))
    padding = data[end:]
    return header_ok and data[start:end] == expected and (
        padding == b"" or (end == 355 and padding == bytes(2)))


def self_check_token_metadata(chain: Chain) -> None:
    s = lambda kp: str(kp.pubkey())  # noqa: E731
    # (name, symbol, uri, pointer authority: "other" | "none" | "mint_authority", metadata address: "self" | "other" | "none")
    cases = [(NAME_32, SYMBOL_10, URI_200, "other", "self"),
             ("", "", "", "none", "self"),
             (UNICODE_NAME, "🦋", "ipfs://bafy/ü", "mint_authority", "self"),
             ("elsewhere", "E", "e", "other", "other"),
             ("Flutterbye", "FLY", "https://flutterbye.example/1.json", "other", "none")]
    for name, symbol, uri, pointer_authority, address in cases:
        mint, authority, update_authority = chain.new_keypair(), chain.new_keypair(), chain.new_keypair()
        metadata_address = {"self": s(mint), "other": s(chain.new_keypair()), "none": None}[address]
        final_size = MINT_WITH_POINTER_SIZE + 4 + 64 + 12 + len((name + symbol + uri).encode()) + 4 + 2048
        lamports = chain.svm.minimum_balance_for_rent_exemption(final_size)
        pointer = {"mint": s(mint), "metadata_address": metadata_address,
                   "authority": {"other": s(chain.new_keypair()), "none": None, "mint_authority": s(authority)}[pointer_authority]}
        # Order matters: space for mint + MetadataPointer only (lamports for the final size),
        # MetadataPointer initialize BEFORE InitializeMint2, TokenMetadata initialize after.
        chain.send([chain.create(mint, MINT_WITH_POINTER_SIZE, TOKEN_2022_PROGRAM, lamports),
                    build("token2022.metadata_pointer_initialize", pointer),
                    build("token2022.initialize_mint2", {"mint": s(mint), "decimals": 0, "mint_authority": s(authority),
                                                         "freeze_authority": None})],
                   [mint], what="token2022 metadata pointer + mint")
        data = chain.data(mint.pubkey())
        check(len(data) == MINT_WITH_POINTER_SIZE and data[165] == 1, "mint with pointer extension")
        check(struct.unpack_from("<HH", data, 166) == (18, 64), "MetadataPointer TLV (type 18, len 64)")
        check(data[170:202] == optional_nonzero_pubkey(pointer["authority"]) and
              data[202:234] == optional_nonzero_pubkey(pointer["metadata_address"]), "pointer authority/address stored")
        if metadata_address != s(mint):
            continue  # metadata lives elsewhere (or nowhere): nothing more to initialize in the mint
        chain.send([build("token2022.token_metadata_initialize", {
            "metadata": s(mint), "update_authority": s(update_authority), "mint": s(mint),
            "mint_authority": s(authority), "name": name, "symbol": symbol, "uri": uri})],
            [authority], what="token2022.token_metadata_initialize")
        data = chain.data(mint.pubkey())
        expected = (bytes(update_authority.pubkey()) + bytes(mint.pubkey()) + borsh_string(name) + borsh_string(symbol)
                    + borsh_string(uri) + u32(0))
        check(token_metadata_tlv_matches(data, expected), "TokenMetadata holds update authority/mint/name/symbol/uri")
        updates = [("name", "Renamed 🦋"), ("symbol", "NEW"), ("uri", URI_200), ("job_id", "7"), ("🦋 key", "ü")]
        for field, value in updates:
            chain.send([build("token2022.token_metadata_update_field", {
                "metadata": s(mint), "update_authority": s(update_authority), "field": field, "value": value})],
                [update_authority], what=f"token2022.token_metadata_update_field {field}")
        chain.send([build("token2022.token_metadata_update_field", {
            "metadata": s(mint), "update_authority": s(authority), "field": "name", "value": "nope"})],
            [authority], expect_ok=False, what="update_field by a non-authority fails")
        data = chain.data(mint.pubkey())
        expected = (bytes(update_authority.pubkey()) + bytes(mint.pubkey()) + borsh_string("Renamed 🦋")
                    + borsh_string("NEW") + borsh_string(URI_200) + u32(2) + borsh_string("job_id") + borsh_string("7")
                    + borsh_string("🦋 key") + borsh_string("ü"))
        check(token_metadata_tlv_matches(data, expected), "TokenMetadata after update_field (incl. custom keys)")


def self_check_memo_and_budget(chain: Chain) -> None:
    signers = [chain.new_keypair() for _ in range(3)]
    for count, text in ((0, "hello"), (1, UNICODE_MEMO), (2, "two signers"), (3, "m" * 300), (1, "")):
        ix = build("memo", {"signers": [str(k.pubkey()) for k in signers[:count]], "memo": text})
        result = chain.send([ix], signers[:count], what=f"memo with {count} signers")
        check(any("Memo (len" in line for line in result.logs()), f"memo program logged the memo: {result.logs()}")
    unsigned = Instruction(MEMO_PROGRAM, b"x", [AccountMeta(signers[0].pubkey(), False, False)])
    chain.send([unsigned], [], expect_ok=False, what="memo listing a non-signer fails")
    chain.send([build("compute_budget.set_compute_unit_limit", {"units": 300_000}),
                build("compute_budget.set_compute_unit_price", {"micro_lamports": 1}),
                build("system.transfer", {"from": str(chain.payer.pubkey()), "to": str(plain_pubkey("sink")),
                                          "lamports": 1_000_000})], what="compute budget + transfer")


def self_check_instruction_vectors(instructions: list) -> None:
    """Every recorded vector re-encodes identically from its params (hand layout == library)."""
    for record in instructions:
        ix = hand_build(record["name"], record["params"])
        check(bytes(ix.data).hex() == record["data_hex"] and str(ix.program_id) == record["program_id"]
              and [account_json(a) for a in ix.accounts] == record["accounts"], f"vector {record['name']} re-encodes")


def self_check() -> None:
    chain = Chain()
    self_check_token(chain, "token")
    self_check_token(chain, "token2022")
    self_check_token_metadata(chain)
    self_check_memo_and_budget(chain)
