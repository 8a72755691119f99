#!/usr/bin/env python3
"""Decodes a mint account's data for the Swift tests, independently of the Swift code under test.

    python mint_reader.py BASE64_DATA   -> one JSON line:
    {"mint_authority": B58 | null, "supply": N, "decimals": N, "is_initialized": bool, "freeze_authority": B58 | null,
     "metadata_pointer": null | {"authority": B58 | null, "metadata_address": B58 | null},
     "metadata": null | {"update_authority": B58 | null, "mint": B58, "name": TEXT, "symbol": TEXT, "uri": TEXT,
                         "additional_metadata": [[KEY, VALUE], ...]}}

The base mint (82 bytes) is read with solana-py's `spl.token._layouts.MINT_LAYOUT`; Token-2022's extensions are read
from the layout the Token-2022 program documents: the account type byte at offset 165 (1: a mint), then TLV entries
(u16 type, u16 length, value) from offset 166. MetadataPointer is type 18 (authority 32, metadata address 32, all
zeros meaning none); TokenMetadata type 19, borsh: update authority 32 (zeros: none), mint 32, name, symbol, uri
(u32 length + UTF-8 each), then the additional metadata (u32 count, then key and value as strings).
"""

import base64
import json
import struct
import sys

from solders.pubkey import Pubkey
from spl.token._layouts import MINT_LAYOUT

MINT_LENGTH = 82
ACCOUNT_TYPE_OFFSET = 165
ACCOUNT_TYPE_MINT = 1
METADATA_POINTER = 18
TOKEN_METADATA = 19


def key(raw):
    """A 32-byte key as base58, or None when it is all zeros."""
    return None if raw == bytes(32) else str(Pubkey.from_bytes(raw))


class Borsh:
    def __init__(self, data):
        self.data = data
        self.offset = 0

    def take(self, count):
        if self.offset + count > len(self.data):
            raise ValueError("truncated borsh data")
        chunk = self.data[self.offset:self.offset + count]
        self.offset += count
        return chunk

    def u32(self):
        return struct.unpack("<I", self.take(4))[0]

    def string(self):
        return self.take(self.u32()).decode("utf-8")


def extensions(data):
    """{type: value bytes} of a Token-2022 mint's TLV entries; empty for a classic mint."""
    if len(data) <= ACCOUNT_TYPE_OFFSET:
        return {}
    if data[ACCOUNT_TYPE_OFFSET] != ACCOUNT_TYPE_MINT:
        raise ValueError(f"account type {data[ACCOUNT_TYPE_OFFSET]} is not a mint")
    found = {}
    offset = ACCOUNT_TYPE_OFFSET + 1
    while offset + 4 <= len(data):
        kind, length = struct.unpack_from("<HH", data, offset)
        if kind == 0:  # Uninitialized: the rest is padding
            break
        found[kind] = data[offset + 4:offset + 4 + length]
        offset += 4 + length
    return found


def decode(data):
    base = MINT_LAYOUT.parse(data[:MINT_LENGTH])
    result = {
        "mint_authority": key(base.mint_authority) if base.mint_authority_option else None,
        "supply": base.supply,
        "decimals": base.decimals,
        "is_initialized": bool(base.is_initialized),
        "freeze_authority": key(base.freeze_authority) if base.freeze_authority_option else None,
        "metadata_pointer": None,
        "metadata": None,
    }
    found = extensions(data)
    if METADATA_POINTER in found:
        value = found[METADATA_POINTER]
        result["metadata_pointer"] = {"authority": key(value[0:32]), "metadata_address": key(value[32:64])}
    if TOKEN_METADATA in found:
        fields = Borsh(found[TOKEN_METADATA])
        metadata = {"update_authority": key(fields.take(32)), "mint": key(fields.take(32)), "name": fields.string(),
                    "symbol": fields.string(), "uri": fields.string()}
        metadata["additional_metadata"] = [[fields.string(), fields.string()] for _ in range(fields.u32())]
        result["metadata"] = metadata
    return result


def main():
    if len(sys.argv) != 2:
        print("usage: mint_reader.py BASE64_DATA", file=sys.stderr)
        return 2
    print(json.dumps(decode(base64.b64decode(sys.argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
