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
                       "hidden": {"signatures": [], "accounts": []}, "ws_silent": False, "ws_refuse": False,
                       "before_unknown": {"after": 0, "count": 0}, "before_ignored": False, "listed_twice": [],
                       "first_available_block": 0, "snapshot_start": False, "listed_for": {}}
        self.hidden_signatures = frozenset()
        self.hidden_accounts = frozenset()
        self.listed_twice = frozenset()
        # The anchors the before_unknown fault made unknown, per HTTP request (the thread serving it): the rest of
        # that request (a batch) is answered by the same lagging node, which does not know them either.
        self.request = threading.local()

    def begin_request(self):
        """Forgets the anchors the before_unknown fault struck in the previous request of this thread."""
        self.request.unknown = set()

    def unknown_in_request(self, signature):
        """Whether the before_unknown fault struck this signature, as an anchor, earlier in the same request."""
        return signature in getattr(self.request, "unknown", ())

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

    def forgets_before(self, before, counters):
        """Whether the before_unknown fault answers this getSignaturesForAddress call with a `before` as a node
        that does not know the anchor: it lets `after` such calls pass, then strikes `count` of them (both count
        down in the shown value; counted when it strikes). Struck, the anchor stays unknown for the rest of the
        request (getSignatureStatuses answers null for it)."""
        fault = self.values["before_unknown"]
        if fault["count"] <= 0:
            return False
        if fault["after"] > 0:
            fault["after"] -= 1
            return False
        fault["count"] -= 1
        counters["faults"]["before_unknown"] += 1
        if not hasattr(self.request, "unknown"):
            self.request.unknown = set()
        self.request.unknown.add(before)
        return True

    def ignores_before(self, counters):
        """Whether the before_ignored fault answers this getSignaturesForAddress call as if it had no `before`
        (counted when it does)."""
        if self.values["before_ignored"]:
            counters["faults"]["before_ignored"] += 1
            return True
        return False

    def lists_twice(self, signature, counters):
        """Whether the listed_twice fault lists this signature twice in getSignaturesForAddress (counted when it
        does)."""
        if signature in self.listed_twice:
            counters["faults"]["listed_twice"] += 1
            return True
        return False
