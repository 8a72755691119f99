"""The programs' addresses, the self-check's failure, and the helpers every section uses: seeded keys and a
sha256 counter stream (determinism), byte encodings from the official layouts, and instructions as JSON."""

from __future__ import annotations

import hashlib
import struct

from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey

SYSTEM_PROGRAM = Pubkey.from_string("11111111111111111111111111111111")
TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
TOKEN_2022_PROGRAM = Pubkey.from_string("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
ATA_PROGRAM = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
MEMO_PROGRAM = Pubkey.from_string("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")
COMPUTE_BUDGET_PROGRAM = Pubkey.from_string("ComputeBudget111111111111111111111111111111")
METAPLEX_PROGRAM = Pubkey.from_string("metaqbxxUerdq28cj1RbAWkYQm3ybzjb6a8bt518x1s")
LOOKUP_TABLE_PROGRAM = Pubkey.from_string("AddressLookupTab1e1111111111111111111111111")
BPF_LOADER = Pubkey.from_string("BPFLoader1111111111111111111111111111111111")
U64_MAX = 2**64 - 1
MAX_TX_SIZE = 1232


class SelfCheckError(RuntimeError):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SelfCheckError(what)


def seed(i: int) -> bytes:
    """The fixed 32-byte seed number i."""
    return hashlib.sha256(b"flutterbye-vector-" + str(i).encode()).digest()


def keypair(i: int) -> Keypair:
    return Keypair.from_seed(seed(i))


def blockhash(i: int) -> Hash:
    return Hash(hashlib.sha256(b"flutterbye-blockhash-" + str(i).encode()).digest())


def plain_pubkey(label: str) -> Pubkey:
    """A pubkey nobody holds a key for (never used as a signer)."""
    return Pubkey(hashlib.sha256(b"flutterbye-pubkey-" + label.encode()).digest())


class Stream:
    """sha256-counter byte stream: the only source of 'random' choices."""

    def __init__(self, label: str):
        self.label = label.encode()
        self.counter = 0
        self.buffer = b""

    def take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self.buffer += hashlib.sha256(self.label + self.counter.to_bytes(8, "little")).digest()
            self.counter += 1
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def below(self, n: int) -> int:
        return int.from_bytes(self.take(8), "little") % n

    def between(self, lo: int, hi: int) -> int:  # inclusive
        return lo + self.below(hi - lo + 1)

    def chance(self, numerator: int, denominator: int) -> bool:
        return self.below(denominator) < numerator

    def choice(self, seq):
        return seq[self.below(len(seq))]

    def shuffled(self, seq):
        items = list(seq)
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]
        return items

    def sample(self, seq, k: int):
        return self.shuffled(seq)[:k]


def u8(v: int) -> bytes:
    return struct.pack("<B", v)


def u16(v: int) -> bytes:
    return struct.pack("<H", v)


def u32(v: int) -> bytes:
    return struct.pack("<I", v)


def u64(v: int) -> bytes:
    return struct.pack("<Q", v)


def borsh_string(s: str) -> bytes:
    raw = s.encode("utf-8")
    return u32(len(raw)) + raw


def pk(value) -> Pubkey:
    return value if isinstance(value, Pubkey) else Pubkey.from_string(value)


def meta(pubkey, signer: bool, writable: bool) -> AccountMeta:
    return AccountMeta(pk(pubkey), signer, writable)


def token_option_pubkey(value) -> bytes:
    """COption<Pubkey> in instruction data as the Rust spl-token crate packs it (pack_pubkey_option):
    [1] + 32 bytes when present, the lone tag [0] when absent.  solana-py (like @solana/spl-token)
    writes [0] + 32 zero bytes instead; the programs read the tag and ignore what follows a 0, so
    both run -- LiteSVM executes the short form recorded here on Token and Token-2022, and
    library_build's output is normalised to it (see rust_packed)."""
    return (u8(1) + bytes(pk(value))) if value is not None else u8(0)


def rust_packed(ix: Instruction) -> Instruction:
    """solana-py's InitializeMint2 / SetAuthority with an absent option, trimmed to spl-token's packing."""
    data = bytes(ix.data)
    if data[:1] in (b"\x14", b"\x06") and len(data) in (67, 35) and data[-33:] == bytes(33):
        return Instruction(ix.program_id, data[:-32], list(ix.accounts))
    return ix


def optional_nonzero_pubkey(value) -> bytes:
    """Token-2022 OptionalNonZeroPubkey: always 32 bytes, all zeros = None."""
    return bytes(pk(value)) if value is not None else bytes(32)


def account_json(m: AccountMeta) -> dict:
    return {"pubkey": str(m.pubkey), "is_signer": m.is_signer, "is_writable": m.is_writable}


def instruction_json(ix: Instruction) -> dict:
    return {"program_id": str(ix.program_id), "accounts": [account_json(a) for a in ix.accounts],
            "data_hex": bytes(ix.data).hex()}
