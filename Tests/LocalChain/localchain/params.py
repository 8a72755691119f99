"""Request parameters: positional params, config objects, commitments, keys, signatures and wire transactions,
each refused with -32602 and a message that says what is wrong."""

import base64
import json

import base58
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import VersionedTransaction

from .constants import COMMITMENTS, MAX_BASE58_TX, MAX_BASE64_TX, PACKET_DATA_SIZE
from .errors import invalid_params


def parse_pubkey(text, what="Invalid param"):
    if not isinstance(text, str):
        raise invalid_params(f"{what}: expected a base58 public key string, got {json.dumps(text)}")
    try:
        return Pubkey.from_string(text)
    except Exception:
        raise invalid_params(f"{what}: Invalid public key {text!r}")


def parse_signature(text):
    if not isinstance(text, str):
        raise invalid_params(f"Invalid param: expected a base58 signature string, got {json.dumps(text)}")
    try:
        return Signature.from_string(text)
    except Exception:
        raise invalid_params(f"Invalid param: Invalid signature {text!r}")


def param(params, index, name, kind=None, required=True):
    if index >= len(params) or params[index] is None:
        if required:
            raise invalid_params(f"Invalid params: missing parameter {index + 1} ({name})")
        return None
    value = params[index]
    if kind is not None and not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise invalid_params(f"Invalid params: parameter {index + 1} ({name}) has the wrong type: {json.dumps(value)}")
    return value


def config_param(params, index):
    value = param(params, index, "config", dict, required=False)
    return value or {}


def int_field(config, name, default=None, minimum=0):
    value = config.get(name, default)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise invalid_params(f"Invalid params: {name} must be an integer >= {minimum}, got {json.dumps(value)}")
    return value


def bool_field(config, name, default=False):
    value = config.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise invalid_params(f"Invalid params: {name} must be a boolean, got {json.dumps(value)}")
    return value


def commitment_of(config, default="finalized"):
    value = config.get("commitment")
    if value is None:
        return default
    if value not in COMMITMENTS:
        raise invalid_params(
            f"Invalid params: unknown commitment {json.dumps(value)}; expected processed, confirmed or finalized")
    return COMMITMENTS[value]


def decode_transaction(data, encoding):
    """The raw bytes and the VersionedTransaction of an encoded wire transaction, or an -32602 error."""
    name = "solana_transaction::versioned::VersionedTransaction"
    if not isinstance(data, str):
        raise invalid_params("Invalid params: the transaction must be an encoded string")
    if encoding == "base58":
        if len(data) > MAX_BASE58_TX:
            raise invalid_params(
                f"base58 encoded {name} too large: {len(data)} bytes (max: encoded/raw {MAX_BASE58_TX}/{PACKET_DATA_SIZE})")
        try:
            raw = base58.b58decode(data)
        except Exception as error:
            raise invalid_params(f"invalid base58 encoding: {error}")
    elif encoding == "base64":
        if len(data) > MAX_BASE64_TX:
            raise invalid_params(
                f"base64 encoded {name} too large: {len(data)} bytes (max: encoded/raw {MAX_BASE64_TX}/{PACKET_DATA_SIZE})")
        try:
            raw = base64.b64decode(data, validate=True)
        except Exception as error:
            raise invalid_params(f"invalid base64 encoding: {error}")
    else:
        raise invalid_params(f"unsupported encoding: {encoding}. Supported encodings: base58, base64")
    if len(raw) > PACKET_DATA_SIZE:
        raise invalid_params(f"decoded {name} too large: {len(raw)} bytes (max: {PACKET_DATA_SIZE} bytes)")
    try:
        tx = VersionedTransaction.from_bytes(raw)
    except Exception as error:
        raise invalid_params(f"failed to deserialize {name}: {error}")
    if bytes(tx) != raw:
        raise invalid_params(f"failed to deserialize {name}: trailing or non-canonical bytes")
    return raw, tx


def transaction_encoding(config, default="base58"):
    encoding = config.get("encoding") or default
    if encoding not in ("base58", "base64"):
        raise invalid_params(f"unsupported encoding: {encoding}. Supported encodings: base58, base64")
    return encoding
