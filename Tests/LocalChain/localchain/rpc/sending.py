"""Sending methods: requestAirdrop, sendTransaction (where the drop, late and send_error faults strike) and
simulateTransaction."""

from ..constants import U64_MAX
from ..errors import SendErrorAnswer, invalid_params
from ..params import config_param, param, parse_pubkey


class SendingMethods:
    """requestAirdrop, sendTransaction and simulateTransaction over a Chain, with the faults of a send."""

    def __init__(self, chain, faults):
        self.chain = chain
        self.faults = faults

    def methods(self):
        return {
            "requestAirdrop": self.request_airdrop,
            "sendTransaction": self.send_transaction,
            "simulateTransaction": self.simulate_transaction,
        }

    def request_airdrop(self, params):
        key = parse_pubkey(param(params, 0, "pubkey"))
        lamports = param(params, 1, "lamports", int)
        if lamports <= 0 or lamports > U64_MAX:
            raise invalid_params("Invalid params: lamports must be a positive u64")
        self.chain.bank(config_param(params, 2))
        return self.chain.airdrop(key, lamports)

    def send_transaction(self, params):
        data = param(params, 0, "transaction", str)
        config = config_param(params, 1)
        faults = self.faults.values
        signature, outcome = self.chain.send(
            data, config, lambda: self.faults.roll(faults["drop_rate"]),
            lambda: faults["late_slots"] if self.faults.roll(faults["late_rate"]) else None)
        if outcome in ("duplicate", "dropped") or not self.faults.roll(faults["send_error_rate"]):
            return signature
        counters = self.chain.counters
        counters["faults"]["send_error"] += 1
        if outcome == "landed":
            counters["transactions"]["landed_with_error_answer"] += 1
        elif outcome in ("held", "late"):
            self.chain.error_answered.add(signature)  # counted if it lands when forwarded
        raise SendErrorAnswer()

    def simulate_transaction(self, params):
        data = param(params, 0, "transaction", str)
        return self.chain.simulate(data, config_param(params, 1))
