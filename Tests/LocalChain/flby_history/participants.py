"""The keypairs of one seed: who pays, mints, holds, watches and makes noise, and their FLBY addresses."""

from solders.keypair import Keypair
from spl.token.constants import TOKEN_PROGRAM_ID

from .instructions import ata_address

DECIMALS = 6
NOISE_DECIMALS = 4
HOLDERS = 8
NON_ATA_HOLDERS = 3          # holders 0..2 also get a non-associated FLBY account
NOISE_WALLETS = 3


class Participants:
    """Every keypair of a run, drawn from `rng` (Keypair.from_seed) in a fixed order, so a seed always gives
    the same ones."""

    def __init__(self, rng, holders=HOLDERS, non_ata=NON_ATA_HOLDERS):
        new_key = lambda: Keypair.from_seed(rng.randbytes(32))
        self.payer = new_key()         # pays the setup, mint authority of FLBY
        self.mint = new_key()
        self.escrow = new_key()
        self.fee = new_key()
        self.holders = [new_key() for _ in range(holders)]
        self.non_ata = [new_key() for _ in range(non_ata)]
        self.noise_authority = new_key()
        self.noise_mint = new_key()
        self.noise_wallets = [new_key() for _ in range(NOISE_WALLETS)]
        self.noise_depositor = new_key()

        self.mint_key = self.mint.pubkey()
        self.flby = str(self.mint_key)
        self.escrow_key = str(self.escrow.pubkey())
        self.fee_key = str(self.fee.pubkey())
        self.watched = {"escrow": self.escrow_key, "fee": self.fee_key}
        self.escrow_ata = ata_address(self.escrow.pubkey(), self.mint_key)
        self.fee_ata = ata_address(self.fee.pubkey(), self.mint_key)
        self.escrow_noise_ata = ata_address(self.escrow.pubkey(), self.noise_mint.pubkey())

    def setup_document(self):
        """What --setup-out holds: the addresses an indexer running alongside must watch."""
        return {"mint": self.flby, "escrow": self.escrow_key, "fee": self.fee_key, "decimals": DECIMALS,
                "token_program": str(TOKEN_PROGRAM_ID)}
