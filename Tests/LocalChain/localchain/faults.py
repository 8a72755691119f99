"""The switchable faults: their current values and the one seeded generator the random ones draw from."""

import random
import threading


class Faults:
    """The faults' values as GET /control shows them, the hidden fault's sets, and the seeded generator."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.rng_lock = threading.Lock()
        self.values = {"drop_rate": 0.0, "rate_429": 0.0, "rate_5xx": 0.0, "latency_ms": 0, "paused": False, "stalled": False,
                       "send_error_rate": 0.0, "late_rate": 0.0, "late_slots": 5, "method_errors": {},
                       "hidden": {"signatures": [], "accounts": []}, "ws_silent": False, "ws_refuse": False}
        self.hidden_signatures = frozenset()
        self.hidden_accounts = frozenset()

    def roll(self, rate):
        """Whether a fault of this rate strikes; draws from the generator only when the rate is above 0, so that a
        run with the same requests is reproducible."""
        if rate <= 0:
            return False
        with self.rng_lock:
            return self.rng.random() < rate

    def hides_account(self, key, counters):
        """Whether the hidden fault hides this account (counted in `counters` when it does)."""
        if str(key) in self.hidden_accounts:
            counters["faults"]["hidden"] += 1
            return True
        return False

    def hides_signature(self, signature, counters):
        """Whether the hidden fault hides this signature (counted in `counters` when it does)."""
        if signature in self.hidden_signatures:
            counters["faults"]["hidden"] += 1
            return True
        return False
