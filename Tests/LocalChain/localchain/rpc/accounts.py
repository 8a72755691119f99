"""Account methods: balances, account infos, program accounts with their filters, and SPL Token supplies,
balances and accounts by owner. The hidden fault applies to getBalance, getAccountInfo and getMultipleAccounts."""

import base64
import json

import base58
from solders.pubkey import Pubkey

from ..account_data import account_options, mint_fields, token_account_fields, ui_account, ui_token_amount
from ..constants import MAX_MULTIPLE_ACCOUNTS, MAX_PROGRAM_ACCOUNT_FILTERS, TOKEN_PROGRAMS
from ..errors import invalid_params
from ..params import bool_field, config_param, int_field, param, parse_pubkey


class AccountMethods:
    """getBalance, getAccountInfo, getMultipleAccounts, getProgramAccounts, getTokenSupply, getTokenAccountBalance
    and getTokenAccountsByOwner over a Chain, always on its current state."""

    def __init__(self, chain, faults):
        self.chain = chain
        self.faults = faults

    def methods(self):
        return {
            "getBalance": self.get_balance,
            "getAccountInfo": self.get_account_info,
            "getMultipleAccounts": self.get_multiple_accounts,
            "getProgramAccounts": self.get_program_accounts,
            "getTokenSupply": self.get_token_supply,
            "getTokenAccountBalance": self.get_token_account_balance,
            "getTokenAccountsByOwner": self.get_token_accounts_by_owner,
        }

    def visible_account(self, key):
        """The account, or None when the hidden fault hides it (counted) or it does not exist."""
        if self.faults.hides_account(key, self.chain.counters):
            return None
        return self.chain.svm.get_account(key)

    def get_balance(self, params):
        key = parse_pubkey(param(params, 0, "pubkey"))
        slot = self.chain.bank(config_param(params, 1))
        account = self.visible_account(key)
        return {"context": self.chain.context(slot), "value": account.lamports if account is not None else 0}

    def get_account_info(self, params):
        key = parse_pubkey(param(params, 0, "pubkey"))
        config = config_param(params, 1)
        slot = self.chain.bank(config)
        encoding, data_slice = account_options(config, "binary")
        account = self.visible_account(key)
        value = ui_account(account, encoding, data_slice) if account is not None else None
        return {"context": self.chain.context(slot), "value": value}

    def get_multiple_accounts(self, params):
        texts = param(params, 0, "pubkeys", list)
        if len(texts) > MAX_MULTIPLE_ACCOUNTS:
            raise invalid_params(f"Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}")
        keys = [parse_pubkey(text) for text in texts]
        config = config_param(params, 1)
        slot = self.chain.bank(config)
        encoding, data_slice = account_options(config, "base64")
        values = []
        for key in keys:
            account = self.visible_account(key)
            values.append(ui_account(account, encoding, data_slice) if account is not None else None)
        return {"context": self.chain.context(slot), "value": values}

    def program_accounts(self, program):
        accounts = self.chain.svm.get_program_accounts(program)
        return sorted(((str(key), account) for key, account in accounts if account.lamports > 0),
                      key=lambda item: bytes(Pubkey.from_string(item[0])))

    def get_program_accounts(self, params):
        program = parse_pubkey(param(params, 0, "program id"))
        config = config_param(params, 1)
        slot = self.chain.bank(config)
        encoding, data_slice = account_options(config, "binary")
        filters = config.get("filters") or []
        if not isinstance(filters, list):
            raise invalid_params("Invalid params: filters must be an array")
        if len(filters) > MAX_PROGRAM_ACCOUNT_FILTERS:
            raise invalid_params(f"Too many filters provided; max {MAX_PROGRAM_ACCOUNT_FILTERS}")
        checks = [self.parse_filter(item) for item in filters]
        owner = str(program)
        values = []
        for key, account in self.program_accounts(program):
            data = bytes(account.data)
            if all(check(owner, data) for check in checks):
                values.append({"pubkey": key, "account": ui_account(account, encoding, data_slice)})
        if bool_field(config, "withContext"):
            return {"context": self.chain.context(slot), "value": values}
        return values

    @staticmethod
    def parse_filter(item):
        if not isinstance(item, dict) or len(item) != 1:
            raise invalid_params(f"Invalid params: bad filter {json.dumps(item)}")
        (kind, value), = item.items()
        if kind == "dataSize":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise invalid_params(f"Invalid params: bad dataSize filter {json.dumps(value)}")
            return lambda owner, data: len(data) == value
        if kind == "memcmp":
            if not isinstance(value, dict) or not isinstance(value.get("bytes"), str):
                raise invalid_params(f"Invalid params: bad memcmp filter {json.dumps(value)}")
            offset = int_field(value, "offset", 0)
            encoding = value.get("encoding") or "base58"
            try:
                if encoding == "base58":
                    if len(value["bytes"]) > 175:
                        raise ValueError("base58 bytes longer than 175 characters")
                    expected = base58.b58decode(value["bytes"])
                elif encoding == "base64":
                    expected = base64.b64decode(value["bytes"], validate=True)
                else:
                    raise ValueError(f"unknown encoding {encoding}")
            except Exception as error:
                raise invalid_params(f"Invalid param: memcmp bytes could not be decoded: {error}")
            if len(expected) > 128:
                raise invalid_params("Invalid param: memcmp bytes longer than 128 bytes")
            return lambda owner, data: data[offset:offset + len(expected)] == expected
        if kind == "tokenAccountState":
            return lambda owner, data: token_account_fields(owner, data) is not None
        raise invalid_params(f"Invalid params: unknown filter {json.dumps(kind)}")

    # Tokens -----------------------------------------------------------------------------------------------
    def get_token_supply(self, params):
        key = parse_pubkey(param(params, 0, "mint"))
        slot = self.chain.bank(config_param(params, 1))
        account = self.chain.svm.get_account(key)
        if account is None:
            raise invalid_params("Invalid param: could not find account")
        info = mint_fields(str(account.owner), account.data)
        if info is None:
            raise invalid_params("Invalid param: not a Token mint")
        return {"context": self.chain.context(slot), "value": ui_token_amount(info[0], info[1])}

    def get_token_account_balance(self, params):
        key = parse_pubkey(param(params, 0, "token account"))
        slot = self.chain.bank(config_param(params, 1))
        account = self.chain.svm.get_account(key)
        if account is None:
            raise invalid_params("Invalid param: could not find account")
        fields = token_account_fields(str(account.owner), account.data)
        if fields is None:
            raise invalid_params("Invalid param: not a Token account")
        mint = self.chain.svm.get_account(Pubkey.from_string(fields[0]))
        info = mint_fields(str(mint.owner), mint.data) if mint is not None else None
        if info is None:
            raise invalid_params("Invalid param: could not find mint")
        return {"context": self.chain.context(slot), "value": ui_token_amount(fields[2], info[1])}

    def get_token_accounts_by_owner(self, params):
        owner = parse_pubkey(param(params, 0, "owner"))
        selector = param(params, 1, "filter ({\"mint\": ...} or {\"programId\": ...})", dict)
        config = config_param(params, 2)
        slot = self.chain.bank(config)
        encoding, data_slice = account_options(config, "binary")
        mint = None
        if "mint" in selector and "programId" not in selector:
            mint = parse_pubkey(selector["mint"])
            mint_account = self.chain.svm.get_account(mint)
            if mint_account is None or mint_fields(str(mint_account.owner), mint_account.data) is None:
                raise invalid_params("Invalid param: could not find mint")
            program = mint_account.owner
        elif "programId" in selector and "mint" not in selector:
            program = parse_pubkey(selector["programId"])
            if str(program) not in TOKEN_PROGRAMS:
                raise invalid_params("Invalid param: unrecognized Token program id")
        else:
            raise invalid_params("Invalid params: the filter must be {\"mint\": ...} or {\"programId\": ...}")
        values = []
        for key, account in self.program_accounts(program):
            fields = token_account_fields(str(account.owner), account.data)
            if fields is None or fields[1] != str(owner) or (mint is not None and fields[0] != str(mint)):
                continue
            values.append({"pubkey": key, "account": ui_account(account, encoding, data_slice)})
        return {"context": self.chain.context(slot), "value": values}
