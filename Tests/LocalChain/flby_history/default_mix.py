"""The default mix: weighted draws of mints, burns, transfers, escrow and fee-wallet traffic, failed
transactions, NOISE traffic and rare events (RecoverNested, a CloseAccount), decorated with memos and sent as
version 0 now and then."""

from solders.pubkey import Pubkey

from .instructions import (ata_address, ix_burn, ix_close_account, ix_create_ata, ix_memo, ix_mint_to,
                           ix_recover_nested, ix_sol_transfer, ix_token_transfer)
from .ledger import SOL
from .participants import DECIMALS, NOISE_DECIMALS
from .sender import Plan

# Relative weights of the kinds drawn for each of the N transactions. Rare kinds (RecoverNested pairs, the
# CloseAccount, NOISE deposits to the escrow) are placed on top of the draw.
WEIGHTS = {
    "mint": 9, "burn": 6, "transfer": 22,
    "escrow_token_deposit": 8, "escrow_token_release": 6, "escrow_sol_deposit": 5, "escrow_sol_release": 5,
    "fee_sol": 5, "fee_token": 5, "noise": 15, "failed": 5,
}
LOOKUP_PROBABILITY = 0.2     # of the transactions that can use the lookup table (~15% of all)
MEMO_PROBABILITY = 0.3
SECOND_MEMO_PROBABILITY = 0.25
NESTED_RECOVERIES = 3
NOISE_ESCROW_DEPOSITS = 2


def drawn_token_transfer(rng, source, destination, owner, amount, mint, decimals):
    """Transfer or TransferChecked (one draw of `rng`) of `amount` between two accounts given as strings."""
    if rng.random() < 0.5:
        return ix_token_transfer(Pubkey.from_string(source), Pubkey.from_string(destination), owner, amount,
                                 mint, decimals)
    return ix_token_transfer(Pubkey.from_string(source), Pubkey.from_string(destination), owner, amount)


class DefaultMix:
    """Sends the default mix's transactions, each drawn from `rng` for the ledger's current state."""

    def __init__(self, sender, participants, rng):
        self.sender = sender
        self.ledger = sender.ledger
        self.p = participants
        self.rng = rng
        self.counter = 0               # numbers memos, so their texts differ

    # Decoration: memos and version 0 ---------------------------------------------------------------------
    def memo_text(self, kind):
        self.counter += 1
        words = ["gm", "thanks", "invoice", "order", "refund", "tip", "rent", "payout", "swap", "gift"]
        text = f"{kind} #{self.counter} {self.rng.choice(words)} {self.rng.randint(1, 99999)}"
        if self.rng.random() < 0.1:
            text += " café ✓"
        return text

    def decorate(self, plan):
        if self.rng.random() < MEMO_PROBABILITY:
            count = 2 if self.rng.random() < SECOND_MEMO_PROBABILITY else 1
            for _ in range(count):
                signer = plan.payer.pubkey() if self.rng.random() < 0.3 else None
                memo = ix_memo(self.memo_text(plan.kind), signer)
                position = 0 if self.rng.random() < 0.4 else len(plan.ixs)
                plan.ixs.insert(position, memo)
        plan.use_lookup = (plan.lookup and self.sender.lookup_table is not None
                           and self.rng.random() < LOOKUP_PROBABILITY)

    # Draws over the ledger ----------------------------------------------------------------------------------
    def holder_accounts(self, holder):
        """A holder's open FLBY accounts (its ATA and non-ATA accounts, not nested ones)."""
        return self.ledger.open_accounts(str(holder.pubkey()), self.p.flby)

    def funded_account(self):
        """(holder, account) with FLBY, chosen at random; None when nobody holds any."""
        choices = [(holder, account) for holder in self.p.holders
                   for account in self.holder_accounts(holder) if self.ledger.amount(account) > 0]
        return self.rng.choice(choices) if choices else None

    def part(self, balance, divisor=3):
        return self.rng.randint(1, max(1, balance // divisor))

    def mint_amount(self):
        if self.rng.random() < 0.1:
            return self.rng.randint(1, 999)
        return self.rng.randint(1, 2_000) * 10**DECIMALS + self.rng.randint(0, 10**DECIMALS - 1)

    def checked(self):
        return self.rng.random() < 0.5

    def fee_payer_or(self, signer):
        """The signer itself or (sometimes) the payer as fee payer."""
        return self.p.payer if self.rng.random() < 0.25 else signer

    def escrow_spendable(self):
        return self.ledger.lamports[self.p.escrow_key] - 2 * SOL

    def token_transfer(self, source, destination, owner, amount):
        return drawn_token_transfer(self.rng, source, destination, owner, amount, self.p.mint_key, DECIMALS)

    def other_account(self, source):
        choices = [account for holder in self.p.holders for account in self.holder_accounts(holder)
                   if account != source]
        return self.rng.choice(choices)

    def ensure_ata(self, payer, wallet):
        """Sometimes the CreateIdempotent a wallet app puts before a payment (a no-op: the ATA exists);
        it brings the destination wallet itself among the account keys."""
        return [ix_create_ata(payer.pubkey(), wallet.pubkey(), self.p.mint_key)] if self.rng.random() < 0.3 else []

    # One builder per kind -------------------------------------------------------------------------------------
    def build_mint(self):
        holder = self.rng.choice(self.p.holders)
        account = Pubkey.from_string(self.rng.choice(self.holder_accounts(holder)))
        decimals = DECIMALS if self.checked() else None
        ix = ix_mint_to(self.p.mint_key, account, self.p.payer.pubkey(), self.mint_amount(), decimals)
        return Plan("mint", self.p.payer, [ix], lookup=True)

    def build_burn(self):
        choice = self.funded_account()
        if choice is None:
            return None
        holder, account = choice
        amount = self.part(self.ledger.amount(account), 10)
        decimals = DECIMALS if self.checked() else None
        ix = ix_burn(Pubkey.from_string(account), self.p.mint_key, holder.pubkey(), amount, decimals)
        return Plan("burn", self.fee_payer_or(holder), [ix], [holder], lookup=True)

    def build_transfer(self):
        choice = self.funded_account()
        if choice is None:
            return None
        holder, source = choice
        destination = self.other_account(source)
        ix = self.token_transfer(source, destination, holder.pubkey(), self.part(self.ledger.amount(source)))
        return Plan("transfer", self.fee_payer_or(holder), [ix], [holder], lookup=True)

    def build_escrow_token_deposit(self):
        choice = self.funded_account()
        if choice is None:
            return None
        holder, source = choice
        ix = self.token_transfer(source, str(self.p.escrow_ata), holder.pubkey(),
                                 self.part(self.ledger.amount(source)))
        return Plan("escrow_token_deposit", holder, self.ensure_ata(holder, self.p.escrow) + [ix], lookup=True)

    def build_escrow_token_release(self):
        held = self.ledger.amount(str(self.p.escrow_ata))
        if held == 0:
            return None
        destination = self.rng.choice(self.holder_accounts(self.rng.choice(self.p.holders)))
        ix = self.token_transfer(str(self.p.escrow_ata), destination, self.p.escrow.pubkey(), self.part(held, 2))
        payer = self.p.payer if self.rng.random() < 0.5 else self.p.escrow
        return Plan("escrow_token_release", payer, [ix], [self.p.escrow], lookup=True)

    def build_escrow_sol_deposit(self):
        holder = self.rng.choice(self.p.holders)
        ix = ix_sol_transfer(holder.pubkey(), self.p.escrow.pubkey(), self.rng.randint(10_000, SOL // 2))
        return Plan("escrow_sol_deposit", holder, [ix], lookup=True)

    def build_escrow_sol_release(self):
        spendable = self.escrow_spendable()
        if spendable < SOL:
            return None
        holder = self.rng.choice(self.p.holders)
        ix = ix_sol_transfer(self.p.escrow.pubkey(), holder.pubkey(), self.rng.randint(10_000, SOL // 2))
        payer = self.p.payer if self.rng.random() < 0.5 else self.p.escrow
        return Plan("escrow_sol_release", payer, [ix], [self.p.escrow], lookup=True)

    def build_fee_sol(self):
        holder = self.rng.choice(self.p.holders)
        ix = ix_sol_transfer(holder.pubkey(), self.p.fee.pubkey(), self.rng.randint(1_000, 5_000_000))
        return Plan("fee_sol", holder, [ix], lookup=True)

    def build_fee_token(self):
        choice = self.funded_account()
        if choice is None:
            return None
        holder, source = choice
        amount = self.rng.randint(1, min(self.ledger.amount(source), 5 * 10**DECIMALS))
        ix = self.token_transfer(source, str(self.p.fee_ata), holder.pubkey(), amount)
        return Plan("fee_token", holder, self.ensure_ata(holder, self.p.fee) + [ix], lookup=True)

    def build_failed(self):
        """A transaction that lands and fails (fee charged, no effect)."""
        variant = self.rng.choice(["overdraw_transfer", "overdraw_burn", "escrow_overdraw", "escrow_sol_overdraw",
                                   "fee_overdraw", "second_instruction_fails"])
        holder = self.rng.choice(self.p.holders)
        source = self.rng.choice(self.holder_accounts(holder))
        too_much = self.ledger.amount(source) + self.rng.randint(1, 10**9)
        if variant == "overdraw_transfer":
            ixs = [self.token_transfer(source, self.other_account(source), holder.pubkey(), too_much)]
            payer = holder
        elif variant == "overdraw_burn":
            decimals = DECIMALS if self.checked() else None
            ixs = [ix_burn(Pubkey.from_string(source), self.p.mint_key, holder.pubkey(), too_much, decimals)]
            payer = holder
        elif variant == "escrow_overdraw":
            held = self.ledger.amount(str(self.p.escrow_ata))
            ixs = [self.token_transfer(str(self.p.escrow_ata), source, self.p.escrow.pubkey(),
                                       held + self.rng.randint(1, 10**9))]
            holder = self.p.escrow
            payer = self.rng.choice([self.p.escrow, self.p.payer])
        elif variant == "escrow_sol_overdraw":
            lamports = self.ledger.lamports[self.p.escrow_key] + self.rng.randint(1, SOL)
            ixs = [ix_sol_transfer(self.p.escrow.pubkey(), holder.pubkey(), lamports)]
            holder = self.p.escrow
            payer = self.rng.choice([self.p.escrow, self.p.payer])
        elif variant == "fee_overdraw":
            ixs = [self.token_transfer(source, str(self.p.fee_ata), holder.pubkey(), too_much)]
            payer = holder
        else:  # a valid transfer, then one that cannot succeed: neither takes effect
            balance = self.ledger.amount(source)
            if balance == 0:
                return None
            destination = self.other_account(source)
            ixs = [self.token_transfer(source, destination, holder.pubkey(), self.part(balance)),
                   self.token_transfer(source, destination, holder.pubkey(), balance + self.rng.randint(1, 10**6))]
            payer = holder
        return Plan(f"failed_{variant}", payer, ixs, [holder], expect_fail=True, lookup=True)

    def build_noise(self):
        variant = self.rng.choice(["noise_mint", "noise_transfer", "noise_sol", "noise_memo"])
        noise_mint = self.p.noise_mint.pubkey()
        wallet = self.rng.choice(self.p.noise_wallets)
        other = self.rng.choice([w for w in self.p.noise_wallets if w is not wallet])
        if variant == "noise_mint":
            decimals = NOISE_DECIMALS if self.checked() else None
            ix = ix_mint_to(noise_mint, ata_address(wallet.pubkey(), noise_mint), self.p.noise_authority.pubkey(),
                            self.rng.randint(1, 10**7), decimals)
            return Plan(variant, self.p.noise_authority, [ix])
        if variant == "noise_transfer":
            source = str(ata_address(wallet.pubkey(), noise_mint))
            balance = self.ledger.amount(source)
            if balance == 0:
                return None
            destination = str(ata_address(other.pubkey(), noise_mint))
            ix = drawn_token_transfer(self.rng, source, destination, wallet.pubkey(), self.part(balance), noise_mint,
                                      NOISE_DECIMALS)
            return Plan(variant, wallet, [ix])
        if variant == "noise_sol":
            ix = ix_sol_transfer(wallet.pubkey(), other.pubkey(), self.rng.randint(1_000, 10_000_000))
            return Plan(variant, wallet, [ix])
        return Plan(variant, wallet, [ix_memo(self.memo_text("noise"), wallet.pubkey())])

    def build_noise_escrow_deposit(self):
        noise_mint = self.p.noise_mint.pubkey()
        depositor = self.p.noise_depositor
        source = str(ata_address(depositor.pubkey(), noise_mint))
        balance = self.ledger.amount(source)
        if balance == 0:
            return None
        ix = drawn_token_transfer(self.rng, source, str(self.p.escrow_noise_ata), depositor.pubkey(),
                                  self.part(balance), noise_mint, NOISE_DECIMALS)
        return Plan("noise_escrow_deposit", depositor, [ix])

    def build_nested_create(self, holder):
        """Sends FLBY to the ATA of the holder's ATA (a 'nested' ATA), which the payer creates."""
        owner_ata = ata_address(holder.pubkey(), self.p.mint_key)
        balance = self.ledger.amount(str(owner_ata))
        nested = str(ata_address(owner_ata, self.p.mint_key))
        if balance == 0 or self.ledger.amount(nested) > 0:
            return None
        ixs = [ix_create_ata(self.p.payer.pubkey(), owner_ata, self.p.mint_key),
               self.token_transfer(str(owner_ata), nested, holder.pubkey(), self.part(balance, 5))]
        return Plan("nested_create", self.p.payer, ixs, [holder])

    def build_nested_recover(self, holder):
        owner_ata = ata_address(holder.pubkey(), self.p.mint_key)
        if self.ledger.amount(str(ata_address(owner_ata, self.p.mint_key))) == 0:
            return None
        return Plan("nested_recover", holder, [ix_recover_nested(holder.pubkey(), self.p.mint_key)])

    def build_close(self):
        """Empties a non-ATA FLBY account into its owner's ATA and closes it (rent to the owner)."""
        choices = [(holder, str(account.pubkey())) for account, holder in zip(self.p.non_ata, self.p.holders)
                   if self.ledger.accounts[str(account.pubkey())].open]
        if len(choices) <= 2:
            return None
        holder, account = self.rng.choice(choices)
        ixs = []
        balance = self.ledger.amount(account)
        if balance:
            ixs.append(self.token_transfer(account, str(ata_address(holder.pubkey(), self.p.mint_key)),
                                           holder.pubkey(), balance))
        ixs.append(ix_close_account(Pubkey.from_string(account), holder.pubkey(), holder.pubkey()))
        return Plan("close_account", holder, ixs)

    # The mix -----------------------------------------------------------------------------------------------
    def schedule(self, count):
        """The kinds to send: weighted draws, with the rare events placed at random positions."""
        kinds = [(kind, None) for kind in self.rng.choices(list(WEIGHTS), list(WEIGHTS.values()), k=count)]
        events = [("close", None)] + [("noise_escrow_deposit", None)] * NOISE_ESCROW_DEPOSITS
        for index in self.rng.sample(range(len(self.p.holders)), NESTED_RECOVERIES):
            events += [("nested_create", index), ("nested_recover", index)]
        self.rng.shuffle(events)
        for event in list(events):  # each recovery after its creation
            if event[0] == "nested_recover":
                create = events.index(("nested_create", event[1]))
                recover = events.index(event)
                if recover < create:
                    events[create], events[recover] = events[recover], events[create]
        if count >= 4 * len(events):
            for position, event in zip(sorted(self.rng.sample(range(count), len(events))), events):
                kinds[position] = event
        return kinds

    def run(self, count):
        builders = {
            "mint": self.build_mint, "burn": self.build_burn, "transfer": self.build_transfer,
            "escrow_token_deposit": self.build_escrow_token_deposit,
            "escrow_token_release": self.build_escrow_token_release,
            "escrow_sol_deposit": self.build_escrow_sol_deposit,
            "escrow_sol_release": self.build_escrow_sol_release,
            "fee_sol": self.build_fee_sol, "fee_token": self.build_fee_token,
            "failed": self.build_failed, "noise": self.build_noise,
            "noise_escrow_deposit": self.build_noise_escrow_deposit, "close": self.build_close,
        }
        for kind, argument in self.schedule(count):
            if kind == "nested_create":
                build = lambda: self.build_nested_create(self.p.holders[argument])
            elif kind == "nested_recover":
                build = lambda: self.build_nested_recover(self.p.holders[argument])
            else:
                build = builders[kind]
            if not self.sender.run(build, self.decorate):
                self.sender.run(self.build_mint, self.decorate)  # nothing to do for that kind now: a mint always works
