"""What the sent transactions did, by this script's own account: token accounts, FLBY supply, the watched
wallets' lamports and, per landed transaction, the balances before and after and the FLBY movements."""

from .errors import GeneratorError

SOL = 1_000_000_000
LAMPORTS_PER_SIGNATURE = 5000   # no compute-budget instructions are sent: the fee is 5000 per signature


class TokenAccount:
    """A token account the ledger follows: its mint, owner, amount and whether it is open."""

    __slots__ = ("mint", "owner", "amount", "open")

    def __init__(self, mint, owner):
        self.mint, self.owner, self.amount, self.open = mint, owner, 0, True


class Record:
    """A landed transaction as the ledger sees it."""

    def __init__(self, signature, kind, keys, version, fee, failed, memo):
        self.signature, self.kind, self.keys, self.version = signature, kind, keys, version
        self.fee, self.failed, self.memo = fee, failed, memo
        self.slot = None
        self.movements = []
        self.pending_inner = []      # (movement, instruction index, source account) for RecoverNested
        self.lamports_pre, self.lamports_post = {}, {}   # watched wallet -> lamports
        self.tokens_pre, self.tokens_post = {}, {}       # token account among the keys -> (mint, owner, amount)
        self.flby_delta = {}                             # watched wallet -> FLBY change


class Ledger:
    """Token accounts (every mint this script created), FLBY supply and the watched wallets' lamports."""

    def __init__(self, flby_mint, watched_lamports):
        self.flby = flby_mint
        self.accounts = {}                       # address -> TokenAccount
        self.lamports = dict(watched_lamports)   # watched wallet -> lamports
        self.minted = 0
        self.burned = 0
        self.records = []
        self.retired = []                        # (address, TokenAccount) closed, its address then reused

    def amount(self, account):
        entry = self.accounts.get(account)
        return entry.amount if entry is not None and entry.open else 0

    def open_accounts(self, owner, mint):
        return [address for address, entry in self.accounts.items()
                if entry.open and entry.owner == owner and entry.mint == mint]

    def flby_of(self, wallet):
        return sum(entry.amount for entry in self.accounts.values()
                   if entry.open and entry.owner == wallet and entry.mint == self.flby)

    def token_snapshot(self, keys):
        return {key: (self.accounts[key].mint, self.accounts[key].owner, self.accounts[key].amount)
                for key in keys if key in self.accounts and self.accounts[key].open}

    def open_entry(self, account, mint=None):
        entry = self.accounts.get(account)
        if entry is None or not entry.open or (mint is not None and entry.mint != mint):
            raise GeneratorError(f"ledger: {account} is not an open token account")
        return entry

    def debit(self, account, amount):
        entry = self.open_entry(account)
        if amount > entry.amount:
            raise GeneratorError(f"ledger: {account} holds {entry.amount}, cannot take {amount}")
        entry.amount -= amount
        return entry

    def record_airdrop(self, signature, recipient, lamports):
        record = Record(signature, "airdrop", None, "legacy", LAMPORTS_PER_SIGNATURE, False, None)
        record.lamports_pre = dict(self.lamports)
        if recipient in self.lamports:
            self.lamports[recipient] += lamports
        record.lamports_post = dict(self.lamports)
        record.flby_delta = {wallet: 0 for wallet in self.lamports}
        self.records.append(record)
        return record

    def record_transaction(self, signature, plan, keys, version, fee):
        memos = [effect[1] for ix in plan.ixs for effect in ix.effects if effect[0] == "memo"]
        record = Record(signature, plan.kind, keys, version, fee, plan.expect_fail, "; ".join(memos) or None)
        record.lamports_pre = dict(self.lamports)
        record.tokens_pre = self.token_snapshot(keys)
        flby_pre = {wallet: self.flby_of(wallet) for wallet in self.lamports}
        payer = str(plan.payer.pubkey())
        if payer in self.lamports:
            self.lamports[payer] -= fee
        if not plan.expect_fail:
            for index, ix in enumerate(plan.ixs):
                for effect in ix.effects:
                    self.apply(record, index, effect)
        record.lamports_post = dict(self.lamports)
        record.tokens_post = self.token_snapshot(keys)
        record.flby_delta = {wallet: self.flby_of(wallet) - flby_pre[wallet] for wallet in self.lamports}
        self.records.append(record)
        return record

    def movement(self, record, index, kind, source, destination, amount):
        owner = lambda account: self.accounts[account].owner if account is not None else None
        entry = {"signature": record.signature, "instruction_index": index, "inner_index": None, "kind": kind,
                 "source_account": source, "source_owner": owner(source),
                 "destination_account": destination, "destination_owner": owner(destination),
                 "amount": str(amount)}
        record.movements.append(entry)
        return entry

    def apply(self, record, index, effect):
        kind = effect[0]
        if kind == "sol":
            _, source, destination, lamports = effect
            if source in self.lamports:
                if self.lamports[source] < lamports:
                    raise GeneratorError(f"ledger: {source} cannot send {lamports} lamports")
                self.lamports[source] -= lamports
            if destination in self.lamports:
                self.lamports[destination] += lamports
        elif kind == "create_token":
            _, account, mint, owner, idempotent = effect
            entry = self.accounts.get(account)
            if entry is not None and (entry.mint, entry.owner) != (mint, owner):
                if entry.open:
                    raise GeneratorError(f"ledger: {account} has another mint or owner")
                self.retired.append((account, entry))   # closed: its address now holds another account
                entry = None
            if entry is not None and entry.open:
                if not idempotent:
                    raise GeneratorError(f"ledger: token account {account} exists already")
            else:
                self.accounts[account] = TokenAccount(mint, owner)
        elif kind == "mint":
            _, account, amount = effect
            entry = self.open_entry(account)
            entry.amount += amount
            if entry.mint == self.flby:
                self.minted += amount
                self.movement(record, index, "mint", None, account, amount)
        elif kind == "burn":
            _, account, amount = effect
            entry = self.debit(account, amount)
            if entry.mint == self.flby:
                self.burned += amount
                self.movement(record, index, "burn", account, None, amount)
        elif kind == "transfer":
            _, source, destination, amount = effect
            mint = self.open_entry(source).mint
            self.open_entry(destination, mint)
            self.debit(source, amount)
            self.accounts[destination].amount += amount
            if mint == self.flby:
                self.movement(record, index, "transfer", source, destination, amount)
        elif kind == "close":
            entry = self.open_entry(effect[1])
            if entry.amount:
                raise GeneratorError(f"ledger: cannot close {effect[1]}, it holds {entry.amount}")
            entry.open = False
        elif kind == "recover":
            _, nested, destination = effect
            entry = self.open_entry(nested)
            amount = entry.amount
            self.debit(nested, amount)
            self.open_entry(destination, entry.mint).amount += amount
            if entry.mint == self.flby:
                movement = self.movement(record, index, "transfer", nested, destination, amount)
                record.pending_inner.append((movement, index, nested))
            entry.open = False
        elif kind != "memo":
            raise GeneratorError(f"ledger: unknown effect {kind}")
