"""Byte encodings: base58 and base64 text, and the offsets inside a serialized transaction."""

import base64

import base58


def b58(data):
    return base58.b58encode(bytes(data)).decode()


def b64(data):
    return base64.b64encode(bytes(data)).decode()


def read_compact_u16(data, offset):
    value, shift = 0, 0
    for i in range(3):
        byte = data[offset + i]
        value |= (byte & 0x7F) << shift
        if byte & 0x80 == 0:
            return value, offset + i + 1
        shift += 7
    raise ValueError("bad compact-u16")


def blockhash_offset(raw):
    """Offset of the recent blockhash inside a serialized transaction."""
    count, offset = read_compact_u16(raw, 0)
    offset += 64 * count
    if raw[offset] & 0x80:
        offset += 1  # version prefix
    offset += 3  # header
    keys, offset = read_compact_u16(raw, offset)
    return offset + 32 * keys
