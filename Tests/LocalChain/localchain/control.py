"""The control API's state and updates (GET and POST /control): fault settings, slot moves and counter resets,
checked whole before anything changes. Never subject to faults."""

import json

from solders.pubkey import Pubkey
from solders.signature import Signature

from .chain import Chain
from .constants import MAX_PROCESSING_AGE


def is_rate(value):
    """Whether a control value is a fault rate: a number in [0, 1], not a boolean."""
    return not isinstance(value, bool) and isinstance(value, (int, float)) and 0 <= value <= 1


class Control:
    """Reads and changes the faults and the chain for the control API; a bad update raises ValueError (HTTP 400)."""

    def __init__(self, chain, faults, method_names):
        self.chain = chain
        self.faults = faults
        self.method_names = frozenset(method_names)  # the methods method_errors may name
        self.pubsub = None  # the WebSocket side, for ws_drop

    def state(self):
        """The answer to GET /control: the faults' values, the slot, the queues and the counters."""
        with self.chain.lock:
            state = json.loads(json.dumps(self.faults.values))
            state["slot"] = self.chain.slot
            state["block_height"] = self.chain.height
            state["held"] = len(self.chain.held)
            state["held_late"] = len(self.chain.late)
            state["counters"] = json.loads(json.dumps(self.chain.counters))
            return state

    def update(self, update):
        """Applies a POST /control body, all of it or (on a bad field, ValueError) none of it; answers like state()."""
        if not isinstance(update, dict):
            raise ValueError("the control body must be a JSON object")
        known = {"drop_rate", "rate_429", "rate_5xx", "latency_ms", "paused", "stalled", "advance_slots", "reset_counters",
                 "send_error_rate", "late_rate", "late_slots", "method_errors", "hidden", "carried_logs", "ws_silent",
                 "ws_refuse", "ws_drop", "before_unknown", "before_ignored", "listed_twice",
                 "first_available_block", "snapshot_start", "listed_for"}
        unknown = sorted(set(update) - known)
        if unknown:
            raise ValueError(f"unknown control field(s) {unknown}; known: {sorted(known)}")
        changes = {}
        for name in ("drop_rate", "rate_429", "rate_5xx", "send_error_rate", "late_rate"):
            if name in update:
                value = update[name]
                if not is_rate(value):
                    raise ValueError(f"{name} must be a number in [0, 1]")
                changes[name] = float(value)
        if "late_slots" in update:
            value = update["late_slots"]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PROCESSING_AGE:
                raise ValueError(f"late_slots must be an integer in [1, {MAX_PROCESSING_AGE}]")
            changes["late_slots"] = value
        if "method_errors" in update:
            changes["method_errors"] = self.parse_method_errors(update["method_errors"])
        hidden = None
        if "hidden" in update:
            changes["hidden"], hidden = self.parse_hidden(update["hidden"])
        carried = self.parse_carried_logs(update["carried_logs"]) if "carried_logs" in update else None
        if "before_unknown" in update:
            changes["before_unknown"] = self.parse_before_unknown(update["before_unknown"])
        listed_twice = None
        if "listed_twice" in update:
            changes["listed_twice"], listed_twice = self.parse_listed_twice(update["listed_twice"])
        if "listed_for" in update:
            changes["listed_for"] = self.parse_listed_for(update["listed_for"])
        if "first_available_block" in update:
            value = update["first_available_block"]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
                raise ValueError("first_available_block must be an integer in [0, 2^63)")
            changes["first_available_block"] = value
        if "latency_ms" in update:
            value = update["latency_ms"]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError("latency_ms must be a number >= 0")
            changes["latency_ms"] = value
        if "ws_drop" in update and update["ws_drop"] is not True:
            raise ValueError("ws_drop must be true")
        for name in ("paused", "stalled", "ws_silent", "ws_refuse", "before_ignored", "snapshot_start"):
            if name in update:
                if not isinstance(update[name], bool):
                    raise ValueError(f"{name} must be a boolean")
                changes[name] = update[name]
        advance = update.get("advance_slots", 0)
        if isinstance(advance, bool) or not isinstance(advance, int) or advance < 0 or advance > 100_000:
            raise ValueError("advance_slots must be an integer in [0, 100000]")
        with self.chain.lock:
            self.faults.values.update(changes)
            if hidden is not None:
                self.faults.hidden_signatures, self.faults.hidden_accounts = hidden
            if carried is not None:
                self.chain.carried_logs.update(carried)
            if listed_twice is not None:
                self.faults.listed_twice = listed_twice
            if update.get("reset_counters"):
                self.chain.counters = Chain.new_counters()
            self.chain.advance(advance)
            if "stalled" in changes:
                self.chain.set_stalled(changes["stalled"])
        if update.get("ws_drop") and self.pubsub is not None:
            self.pubsub.drop_all()
        return self.state()

    def parse_method_errors(self, value):
        shape = 'method_errors must be an object {"<method>": {"rate": 0..1, "code": integer, "message": string}}'
        if not isinstance(value, dict):
            raise ValueError(shape)
        errors = {}
        for method, spec in value.items():
            if method not in self.method_names:
                raise ValueError(f"method_errors: {method!r} is not a method this chain serves")
            if not isinstance(spec, dict) or set(spec) != {"rate", "code", "message"}:
                raise ValueError(f"method_errors[{method!r}]: {shape}")
            rate, code, message = spec["rate"], spec["code"], spec["message"]
            if not is_rate(rate):
                raise ValueError(f"method_errors[{method!r}].rate must be a number in [0, 1]")
            if isinstance(code, bool) or not isinstance(code, int) or not -2**31 <= code < 2**31:
                raise ValueError(f"method_errors[{method!r}].code must be a 32-bit integer")
            if not isinstance(message, str):
                raise ValueError(f"method_errors[{method!r}].message must be a string")
            errors[method] = {"rate": float(rate), "code": code, "message": message}
        return errors

    @staticmethod
    def parse_before_unknown(value):
        """{"after": n, "count": n}: of the getSignaturesForAddress calls with a `before`, let `after` pass, then
        answer `count` with [] (after may be left out: 0)."""
        shape = 'before_unknown must be an object {"after": integer >= 0, "count": integer >= 0}'
        if not isinstance(value, dict) or "count" not in value or not set(value) <= {"after", "count"}:
            raise ValueError(shape)
        parsed = {"after": value.get("after", 0), "count": value["count"]}
        for number in parsed.values():
            if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= 1_000_000:
                raise ValueError(shape + " (at most 1000000)")
        return parsed

    @staticmethod
    def parse_listed_for(value):
        """The listed_for fault's value: {"<address>": "<address whose history it is answered with>"}."""
        shape = 'listed_for must be an object {"<base58 address>": "<base58 address>"}'
        if not isinstance(value, dict):
            raise ValueError(shape)
        parsed = {}
        for key, other in value.items():
            try:
                if not isinstance(other, str):
                    raise ValueError
                parsed[str(Pubkey.from_string(key))] = str(Pubkey.from_string(other))
            except Exception:
                raise ValueError(shape)
        return parsed

    @staticmethod
    def parse_listed_twice(value):
        """The listed_twice fault's value as shown by GET /control, and as a set."""
        shape = 'listed_twice must be a list of base58 signatures'
        if not isinstance(value, list):
            raise ValueError(shape)
        parsed = []
        for text in value:
            try:
                if not isinstance(text, str):
                    raise ValueError
                parsed.append(str(Signature.from_string(text)))
            except Exception:
                raise ValueError(f"listed_twice: {json.dumps(text)} is not a base58 signature")
        shown = list(dict.fromkeys(parsed))
        return shown, frozenset(shown)

    @staticmethod
    def parse_carried_logs(value):
        """{signature: [line...]}: the log lines those transactions report when they execute, instead of the programs'."""
        shape = 'carried_logs must be an object {"<base58 signature>": ["log line", ...]}'
        if not isinstance(value, dict):
            raise ValueError(shape)
        carried = {}
        for text, lines in value.items():
            try:
                signature = str(Signature.from_string(text))
            except Exception:
                raise ValueError(f"carried_logs: {json.dumps(text)} is not a base58 signature")
            if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
                raise ValueError(f"carried_logs[{text!r}]: {shape}")
            carried[signature] = list(lines)
        return carried

    @staticmethod
    def parse_hidden(value):
        """The hidden fault's value as shown by GET /control, and as sets (signatures, accounts)."""
        shape = 'hidden must be an object {"signatures": [base58 signature...], "accounts": [base58 address...]}'
        if not isinstance(value, dict) or not set(value) <= {"signatures", "accounts"}:
            raise ValueError(shape)
        shown = {}
        for name, parse in (("signatures", Signature.from_string), ("accounts", Pubkey.from_string)):
            texts = value.get(name, [])
            if not isinstance(texts, list):
                raise ValueError(shape)
            parsed = []
            for text in texts:
                try:
                    if not isinstance(text, str):
                        raise ValueError
                    parsed.append(str(parse(text)))
                except Exception:
                    raise ValueError(f"hidden.{name}: {json.dumps(text)} is not a base58 "
                                     f"{'signature' if name == 'signatures' else 'address'}")
            shown[name] = list(dict.fromkeys(parsed))
        return shown, (frozenset(shown["signatures"]), frozenset(shown["accounts"]))
