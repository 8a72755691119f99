#!/usr/bin/env python3
"""Reference vectors for SolanaCore's Anchor event decoder: ``anchor_events.json`` beside this file.

Two IDLs (Anchor 0.30's format and the older one) describe the same events; each case is event data encoded here
with the ``construct`` library's Borsh-compatible layouts (little-endian integers, u32-prefixed strings, bytes and
vectors), keys from solders, discriminators from hashlib (``sha256("event:<Name>")[:8]``, as Anchor derives them),
and the JSON the decoder must give, by its documented rendering: integers up to 32 bits as numbers, wider ones as
decimal strings, keys base58, byte strings base64, a unit enum variant as its name, other variants as
``{"Variant": fields}``, None as null. Hostile cases (short, truncated, bad tags) must be refused, not trapped on.

Run from the repository with the venv's Python: ``.venv/bin/python Tests/SolanaCoreTests/Vectors/anchor_events.py``
(``--check``: exit 1 when the committed file differs).
"""

import base64
import hashlib
import json
import os
import sys

from construct import Array, Bytes, BytesInteger, Flag, GreedyBytes, Int8ul, Int16ul, Int32ul, Int64sl, Int64ul, PascalString, \
    Prefixed, PrefixedArray
from solders.pubkey import Pubkey

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "anchor_events.json")


def key(i):
    return Pubkey.from_bytes(hashlib.sha256(b"flutterbye-anchor-" + str(i).encode()).digest())


def discriminator(name):
    return list(hashlib.sha256(f"event:{name}".encode()).digest()[:8])


U128 = BytesInteger(16, signed=False, swapped=True)
I128 = BytesInteger(16, signed=True, swapped=True)
STRING = PascalString(Int32ul, "utf8")
BYTES = Prefixed(Int32ul, GreedyBytes)


def option(layout, value):
    return b"\x00" if value is None else b"\x01" + layout.build(value)


def mint_kind(kind):
    """MintKind: Fresh | TopUp { previous: u64 } | Burned(u128)."""
    if kind[0] == "Fresh":
        return b"\x00", "Fresh"
    if kind[0] == "TopUp":
        return b"\x01" + Int64ul.build(kind[1]), {"TopUp": {"previous": str(kind[1])}}
    return b"\x02" + U128.build(kind[1]), {"Burned": [str(kind[1])]}


def token_minted(mint, recipient, amount, decimals, memo, tags, kind, delta, big, flags, payload, share, to):
    data = bytes(discriminator("TokenMinted"))
    data += bytes(mint) + bytes(recipient) + Int64ul.build(amount) + Int8ul.build(decimals)
    data += option(STRING, memo) + PrefixedArray(Int32ul, STRING).build(tags)
    kind_bytes, kind_json = mint_kind(kind)
    data += kind_bytes + Int64sl.build(delta) + I128.build(big) + Array(4, Int8ul).build(flags) + BYTES.build(payload)
    data += Int16ul.build(share) + bytes(to)
    fields = {"mint": str(mint), "recipient": str(recipient), "amount": str(amount), "decimals": decimals, "memo": memo,
              "tags": tags, "kind": kind_json, "delta": str(delta), "big": str(big), "flags": flags,
              "payload": base64.b64encode(payload).decode(), "split": {"share": share, "to": str(to)}}
    return data, fields


def fee_paid(payer, lamports, refunded):
    data = bytes(discriminator("FeePaid")) + bytes(payer) + Int64ul.build(lamports) + Flag.build(refunded)
    return data, {"payer": str(payer), "lamports": str(lamports), "refunded": refunded}


TYPES_NEW = [
    {"name": "MintKind", "type": {"kind": "enum", "variants": [
        {"name": "Fresh"}, {"name": "TopUp", "fields": [{"name": "previous", "type": "u64"}]}, {"name": "Burned", "fields": ["u128"]}]}},
    {"name": "Split", "type": {"kind": "struct", "fields": [{"name": "share", "type": "u16"}, {"name": "to", "type": "pubkey"}]}},
]
TOKEN_MINTED_FIELDS = [("mint", "pubkey"), ("recipient", "pubkey"), ("amount", "u64"), ("decimals", "u8"),
                       ("memo", {"option": "string"}), ("tags", {"vec": "string"}), ("kind", "MintKind"), ("delta", "i64"),
                       ("big", "i128"), ("flags", {"array": ["u8", 4]}), ("payload", "bytes"), ("split", "Split")]
FEE_PAID_FIELDS = [("payer", "pubkey"), ("lamports", "u64"), ("refunded", "bool")]


def new_type(t):
    if t in ("MintKind", "Split"):
        return {"defined": {"name": t}}
    if isinstance(t, dict):
        (k, v), = t.items()
        return {k: [new_type(v[0]), v[1]] if k == "array" else new_type(v)}
    return t


def old_type(t):
    if t in ("MintKind", "Split"):
        return {"defined": t}
    if t == "pubkey":
        return "publicKey"
    if isinstance(t, dict):
        (k, v), = t.items()
        return {k: [old_type(v[0]), v[1]] if k == "array" else old_type(v)}
    return t


def idl_new():
    """Anchor 0.30+: events carry their discriminator, their fields are the type of their name."""
    types = [dict(t) for t in TYPES_NEW]
    for name, fields in (("TokenMinted", TOKEN_MINTED_FIELDS), ("FeePaid", FEE_PAID_FIELDS)):
        types.append({"name": name, "type": {"kind": "struct", "fields": [{"name": n, "type": new_type(t)} for n, t in fields]}})
    return {"address": str(key(0)), "metadata": {"name": "flutterbye", "version": "0.1.0", "spec": "0.1.0"}, "instructions": [],
            "events": [{"name": n, "discriminator": discriminator(n)} for n in ("TokenMinted", "FeePaid")], "types": types}


def idl_old():
    """Before Anchor 0.30: fields inline, discriminators derived from the name."""
    def legacy(t):
        body = json.loads(json.dumps(t["type"]).replace('"pubkey"', '"publicKey"'))
        return {"name": t["name"], "type": body}
    return {"version": "0.1.0", "name": "flutterbye", "instructions": [],
            "events": [{"name": n, "fields": [{"name": f, "type": old_type(t), "index": False} for f, t in fields]}
                       for n, fields in (("TokenMinted", TOKEN_MINTED_FIELDS), ("FeePaid", FEE_PAID_FIELDS))],
            "types": [legacy(t) for t in TYPES_NEW]}


def cases():
    out = []
    for i, (amount, decimals, memo, tags, kind, delta, big) in enumerate([
        (0, 0, None, [], ("Fresh",), 0, 0),
        (2**64 - 1, 9, "order 42", ["a", "ünïcode", ""], ("TopUp", 5), -(2**63), -(2**127)),
        (1_000_000, 6, "", ["x"] * 3, ("Burned", 2**128 - 1), 2**63 - 1, 2**127 - 1),
    ]):
        data, fields = token_minted(key(10 + i), key(20 + i), amount, decimals, memo, tags, kind, delta, big,
                                    [i, 255, 0, 7], bytes(range(i * 5)), 10_000 - i, key(30 + i))
        out.append({"name": f"token minted {i}", "data": data.hex(), "event": "TokenMinted", "fields": fields})
    data, fields = fee_paid(key(40), 5000, True)
    out.append({"name": "fee paid", "data": data.hex(), "event": "FeePaid", "fields": fields})
    good, _ = token_minted(key(10), key(20), 1, 0, "m", ["t"], ("TopUp", 1), 1, 1, [0, 0, 0, 0], b"xy", 1, key(30))
    out.append({"name": "trailing bytes are ignored (as Anchor's clients do)", "data": (data + b"\x01\x02").hex(), "event": "FeePaid",
                "fields": fields})
    out.append({"name": "unknown discriminator", "data": (bytes(discriminator("Other")) + b"\x00" * 8).hex(), "unknown": True})
    out.append({"name": "shorter than a discriminator", "data": bytes(discriminator("FeePaid"))[:7].hex(), "unknown": True})
    out.append({"name": "empty", "data": "", "unknown": True})
    out.append({"name": "truncated", "data": good[:60].hex(), "undecodable": "TokenMinted"})
    bad_bool = bytearray(fee_paid(key(40), 1, False)[0])
    bad_bool[-1] = 2
    out.append({"name": "a bool of 2", "data": bytes(bad_bool).hex(), "undecodable": "FeePaid"})
    # The kind's variant byte sits after mint, recipient, amount, decimals, memo (Some "m"), tags (["t"]).
    at = 8 + 32 + 32 + 8 + 1 + (1 + 4 + 1) + (4 + 4 + 1)
    bad_variant = bytearray(good)
    assert bad_variant[at] == 1
    bad_variant[at] = 9
    out.append({"name": "an enum variant out of range", "data": bytes(bad_variant).hex(), "undecodable": "TokenMinted"})
    huge = bytes(discriminator("TokenMinted")) + bytes(key(1)) + bytes(key(2)) + Int64ul.build(1) + b"\x00" + b"\x00" \
        + Int32ul.build(2**32 - 1)
    out.append({"name": "a vector claiming 4 billion strings", "data": huge.hex(), "undecodable": "TokenMinted"})
    bad_utf8 = bytes(discriminator("TokenMinted")) + bytes(key(1)) + bytes(key(2)) + Int64ul.build(1) + b"\x00" + b"\x01" \
        + Int32ul.build(2) + b"\xff\xfe"
    out.append({"name": "a string that is not UTF-8", "data": bad_utf8.hex(), "undecodable": "TokenMinted"})
    return out


def document():
    return {"generator": "Tests/SolanaCoreTests/Vectors/anchor_events.py (construct, solders, hashlib)",
            "idls": {"anchor-0.30": idl_new(), "legacy": idl_old()}, "cases": cases()}


def main():
    text = json.dumps(document(), indent=1, ensure_ascii=False) + "\n"
    if "--check" in sys.argv:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                print(f"{OUT} differs from what the generator makes: run it without --check", file=sys.stderr)
                sys.exit(1)
        return
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
