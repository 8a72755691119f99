"""The sections on keys and addresses: base58, keypairs and signatures, create/find_program_address, and
associated token addresses."""

from __future__ import annotations

import base58 as b58lib
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.token.associated import get_associated_token_address
import spl.token.instructions as spl_ix

from .common import (
    ATA_PROGRAM,
    BPF_LOADER,
    METAPLEX_PROGRAM,
    SYSTEM_PROGRAM,
    Stream,
    TOKEN_2022_PROGRAM,
    TOKEN_PROGRAM,
    check,
    keypair,
    plain_pubkey,
    seed,
    u64,
    u8,
)

def gen_base58() -> list:
    rng = Stream("base58")
    values = [b""]
    values += [bytes(k) for k in range(1, 6)]                                    # only zeros
    values += [bytes(k) + rng.take(rng.between(1, 12)) for k in range(1, 6)]     # leading zeros + data
    values += [bytes([b]) for b in (0x01, 0x02, 0x39, 0x3a, 0x57, 0x58, 0x7f, 0x80, 0xfe, 0xff)]
    values += [bytes(32), b"\xff" * 32, bytes(31) + b"\x01", b"\x01" + bytes(31)]
    values += [rng.take(32) for _ in range(4)]
    values += [bytes(64), b"\xff" * 64, bytes(3) + rng.take(61)]
    values += [rng.take(64) for _ in range(3)]
    for length in (1, 2, 3, 7, 8, 15, 16, 20, 24, 31, 33, 40, 47, 48, 55, 63, 65, 72, 79, 80):
        values.append(rng.take(length))
    out = []
    for raw in values:
        encoded = b58lib.b58encode(raw).decode()
        check(b58lib.b58decode(encoded) == raw, f"base58 round trip {raw.hex()}")
        if len(raw) == 32:
            check(str(Pubkey(raw)) == encoded, f"solders Pubkey base58 {raw.hex()}")
            check(bytes(Pubkey.from_string(encoded)) == raw, "solders Pubkey decode")
        if len(raw) == 64:
            check(str(Signature(raw)) == encoded, f"solders Signature base58 {raw.hex()}")
            check(bytes(Signature.from_string(encoded)) == raw, "solders Signature decode")
        out.append({"hex": raw.hex(), "base58": encoded})
    return out


def gen_keypairs() -> list:
    rng = Stream("keypairs")
    lengths = [0, 1, 2, 3, 10, 31, 32, 33, 63, 64, 65, 100, 127, 128, 255, 256, 257, 500, 1000, 1232]
    seeds = [bytes(32), b"\xff" * 32, bytes(range(32)), bytes([1] * 32)] + [seed(i) for i in range(34)]
    out = []
    for index, s in enumerate(seeds):
        kp = Keypair.from_seed(s)
        length = lengths[index] if index < len(lengths) else rng.between(0, 300)
        message = rng.take(length)
        signature = kp.sign_message(message)
        check(signature.verify(kp.pubkey(), message), "signature verifies")
        check(bytes(kp)[:32] == s and bytes(kp)[32:] == bytes(kp.pubkey()), "secret = seed || pubkey")
        check(Keypair.from_base58_string(str(kp)) == kp, "secret base58 round trip")
        out.append({"seed_hex": s.hex(), "secret_hex": bytes(kp).hex(), "secret_base58": str(kp),
                    "pubkey": str(kp.pubkey()), "message_hex": message.hex(), "signature": str(signature)})
    # the documented solders example: seed [1]*32 signs b"hello"
    check(bytes(Keypair.from_seed(bytes([1] * 32)).sign_message(b"hello")).hex() ==
          "e1430c6ebd0d53573b5c803452174f8991ef5955e0906a09e8fdc7310459e9c8"
          "2a402526748c3431fe7f0e5faafbf7e703234789734063ee42be17af16438d08", "solders sign_message doc example")
    return out


def random_seeds(rng: Stream, max_count: int = 4) -> list:
    count = rng.between(0, max_count)
    seeds = []
    for _ in range(count):
        length = rng.choice([0, 1, 2, 8, 16, 31, 32, rng.between(0, 32)])
        seeds.append(rng.take(length))
    return seeds


def create_program_address_or_none(seeds: list, program: Pubkey):
    try:
        return str(Pubkey.create_program_address(seeds, program))
    except Exception as error:  # solders.PubkeyError
        check("do not result in a valid address" in str(error), f"unexpected create_program_address error {error}")
        return None


def gen_create_program_address() -> list:
    rng = Stream("create_program_address")
    programs = [TOKEN_PROGRAM, ATA_PROGRAM, SYSTEM_PROGRAM, METAPLEX_PROGRAM, TOKEN_2022_PROGRAM,
                keypair(200).pubkey(), plain_pubkey("program-a")]
    out = []
    # documented solders example
    doc = create_program_address_or_none([b"", bytes([1])], BPF_LOADER)
    check(doc == "3gF2KMe9KiC6FNVBmfg9i267aMPvK37FewCip4eGBFcT", "solders create_program_address doc example")
    out.append({"program_id": str(BPF_LOADER), "seeds_hex": ["", "01"], "address": doc})
    # a found PDA re-created with its bump
    for label in (b"metadata", b"flutterbye"):
        program = rng.choice(programs)
        seeds = [label, bytes(keypair(201).pubkey())]
        address, bump = Pubkey.find_program_address(seeds, program)
        again = create_program_address_or_none(seeds + [bytes([bump])], program)
        check(again == str(address), "create_program_address(seeds + bump) == find_program_address")
        out.append({"program_id": str(program), "seeds_hex": [s.hex() for s in seeds + [bytes([bump])]],
                    "address": again})
    valid, rejected = 0, 0
    while valid < 17 or rejected < 17:
        program = rng.choice(programs)
        seeds = random_seeds(rng, 5)
        address = create_program_address_or_none(seeds, program)
        if (address is None and rejected >= 17) or (address is not None and valid >= 17):
            continue
        if address is None:
            rejected += 1
        else:
            valid += 1
        out.append({"program_id": str(program), "seeds_hex": [s.hex() for s in seeds], "address": address})
    return out


def gen_find_program_address() -> list:
    rng = Stream("find_program_address")
    programs = [TOKEN_PROGRAM, ATA_PROGRAM, SYSTEM_PROGRAM, METAPLEX_PROGRAM, TOKEN_2022_PROGRAM, BPF_LOADER,
                keypair(202).pubkey(), plain_pubkey("program-b")]
    cases = [([], p) for p in programs[:4]]
    cases += [([b""], TOKEN_PROGRAM), ([bytes(32)], ATA_PROGRAM), ([b"\xff" * 32], SYSTEM_PROGRAM)]
    for i in range(3):
        mint = keypair(210 + i).pubkey()
        cases.append(([b"metadata", bytes(METAPLEX_PROGRAM), bytes(mint)], METAPLEX_PROGRAM))
    cases.append(([b"job", b"flutterbye", u64(7), bytes(keypair(213).pubkey())], programs[6]))
    while len(cases) < 48:
        count = len(cases) % 5  # 0..4 seeds, evenly
        seeds = [rng.take(rng.choice([0, 1, 4, 8, 20, 31, 32, rng.between(0, 32)])) for _ in range(count)]
        cases.append((seeds, rng.choice(programs)))
    out, bumps = [], set()
    for seeds, program in cases:
        address, bump = Pubkey.find_program_address(seeds, program)
        check(not address.is_on_curve(), "PDA is off curve")
        bumps.add(bump)
        out.append({"program_id": str(program), "seeds_hex": [s.hex() for s in seeds], "address": str(address),
                    "bump": bump})
    check(len(bumps) > 2 and min(bumps) < 254, "bumps below 255 are covered")
    return out


def gen_associated_token_addresses() -> list:
    rng = Stream("ata")
    out = []
    for i in range(36):
        program = TOKEN_PROGRAM if i % 2 == 0 else TOKEN_2022_PROGRAM
        if i % 6 == 5:  # PDA (off-curve) owner, as a program-owned vault would have
            wallet = Pubkey.find_program_address([b"vault", u8(i)], keypair(220).pubkey())[0]
        else:
            wallet = keypair(230 + i).pubkey() if rng.chance(1, 2) else plain_pubkey(f"wallet-{i}")
        mint = keypair(300 + i).pubkey() if i % 3 else plain_pubkey(f"mint-{i}")
        # solders' get_associated_token_address takes token_program_id, so Token-2022 is direct.
        address = get_associated_token_address(wallet, mint, program)
        derived = Pubkey.find_program_address([bytes(wallet), bytes(program), bytes(mint)], ATA_PROGRAM)[0]
        check(address == derived, "ATA = PDA([wallet, token program, mint], ATA program)")
        check(address == spl_ix.get_associated_token_address(wallet, mint, program), "solana-py ATA agrees")
        out.append({"wallet": str(wallet), "mint": str(mint), "token_program": str(program), "address": str(address)})
    return out
