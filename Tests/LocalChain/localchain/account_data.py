"""Account data: the SPL Token and Token-2022 account and mint layouts, and accounts and token amounts in the
RPC's JSON shape."""

import json
import struct

from .constants import (ACCOUNT_TYPE_ACCOUNT, ACCOUNT_TYPE_MINT, TOKEN_2022_PROGRAM, TOKEN_ACCOUNT_LEN, TOKEN_MINT_LEN,
                        TOKEN_PROGRAMS, U64_MAX)
from .encoding import b58, b64
from .errors import RpcError, invalid_params
from .params import int_field


def real_number_string_trimmed(amount, decimals):
    if decimals == 0:
        return str(amount)
    text = str(amount).rjust(decimals + 1, "0")
    text = text[:-decimals] + "." + text[-decimals:]
    return text.rstrip("0").rstrip(".")


def ui_token_amount(amount, decimals):
    return {
        "amount": str(amount),
        "decimals": decimals,
        "uiAmount": amount / (10**decimals),
        "uiAmountString": real_number_string_trimmed(amount, decimals),
    }


def token_account_fields(owner, data):
    """(mint, owner, amount) of an initialized SPL Token / Token-2022 account, else None."""
    if owner not in TOKEN_PROGRAMS:
        return None
    data = bytes(data)
    if len(data) < TOKEN_ACCOUNT_LEN:
        return None
    if len(data) > TOKEN_ACCOUNT_LEN and (owner != TOKEN_2022_PROGRAM or data[TOKEN_ACCOUNT_LEN] != ACCOUNT_TYPE_ACCOUNT):
        return None
    if data[108] == 0:  # AccountState::Uninitialized
        return None
    return b58(data[0:32]), b58(data[32:64]), struct.unpack_from("<Q", data, 64)[0]


def mint_fields(owner, data):
    """(supply, decimals) of an initialized SPL Token / Token-2022 mint, else None."""
    if owner not in TOKEN_PROGRAMS:
        return None
    data = bytes(data)
    if len(data) == TOKEN_MINT_LEN:
        pass
    elif owner == TOKEN_2022_PROGRAM and len(data) > TOKEN_ACCOUNT_LEN and data[TOKEN_ACCOUNT_LEN] == ACCOUNT_TYPE_MINT:
        pass
    else:
        return None
    if data[45] == 0:  # is_initialized
        return None
    return struct.unpack_from("<Q", data, 36)[0], data[44]


def check_account_encoding(encoding):
    if encoding not in ("base64", "base58", "binary"):
        raise invalid_params(
            f"Invalid params: unsupported account encoding {json.dumps(encoding)}: this local chain serves "
            "base64 (and base58); jsonParsed and base64+zstd are not supported")


def ui_account(account, encoding, data_slice=None):
    data = bytes(account.data)
    full_length = len(data)
    if data_slice is not None:
        data = data[data_slice[0]:data_slice[0] + data_slice[1]]
    if encoding == "base64":
        encoded = [b64(data), "base64"]
    else:
        if len(data) > 128:  # the real node answers InvalidRequest here
            raise RpcError(-32600, "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.")
        # base58 is [data, "base58"]; the legacy default "binary" is a bare base58 string
        encoded = [b58(data), "base58"] if encoding == "base58" else b58(data)
    return {
        "data": encoded,
        "executable": account.executable,
        "lamports": account.lamports,
        "owner": str(account.owner),
        "rentEpoch": U64_MAX,
        "space": full_length,
    }


def account_options(config, default_encoding):
    encoding = config.get("encoding") or default_encoding
    check_account_encoding(encoding)
    data_slice = config.get("dataSlice")
    if data_slice is not None:
        if not isinstance(data_slice, dict):
            raise invalid_params("Invalid params: dataSlice must be {\"offset\": n, \"length\": n}")
        data_slice = (int_field(data_slice, "offset", 0), int_field(data_slice, "length", 0))
    return encoding, data_slice
