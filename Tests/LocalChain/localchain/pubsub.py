"""Solana's PubSub over WebSocket, as a node serves it beside JSON-RPC: logsSubscribe (mentions of one address) and
signatureSubscribe, with their notifications sent when a transaction reaches the subscription's commitment, and the
WebSocket faults (drop every connection, refuse new ones, stay connected but send nothing)."""

import json
import threading
import time

from solders.pubkey import Pubkey
from solders.signature import Signature
from websockets.sync.server import serve

COMMITMENTS = ("processed", "confirmed", "finalized")


class PubSub:
    """The subscriptions of every open connection, and the thread that sends their notifications."""

    def __init__(self, chain, faults):
        self.chain = chain
        self.faults = faults
        self.lock = threading.Lock()
        self.connections = {}  # connection -> {subscription id: (kind, key, commitment)}
        self.next_id = 1
        # Per commitment, how many of the chain's records (in execution order) were notified at it.
        self.notified = {commitment: 0 for commitment in COMMITMENTS}
        self.server = None

    # Serving ---------------------------------------------------------------------------------------------------
    def start(self, host):
        """Listens on a free port beside the HTTP server; returns the ws:// URL."""
        self.server = serve(self.handle, host, 0, compression=None, ping_interval=None)
        threading.Thread(target=self.server.serve_forever, name="pubsub", daemon=True).start()
        threading.Thread(target=self.notify_loop, name="pubsub-notify", daemon=True).start()
        host, port = self.server.socket.getsockname()[:2]
        return f"ws://{f'[{host}]' if ':' in host else host}:{port}"

    def handle(self, connection):
        if self.faults.values["ws_refuse"]:
            with self.chain.lock:
                self.chain.counters["pubsub"]["refused"] += 1
            connection.close(1013, "try again later")
            return
        with self.lock:
            self.connections[connection] = {}
        with self.chain.lock:
            self.chain.counters["pubsub"]["connections"] += 1
        try:
            for message in connection:
                answer = self.answer(connection, message)
                if answer is not None:
                    connection.send(json.dumps(answer))
        except Exception:
            pass
        finally:
            with self.lock:
                self.connections.pop(connection, None)

    def answer(self, connection, message):
        try:
            request = json.loads(message)
        except Exception:
            return {"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": None}
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid request"}, "id": None}
        request_id, method, params = request.get("id"), request["method"], request.get("params") or []
        with self.chain.lock:
            requests = self.chain.counters["pubsub"]["requests"]
            requests[method] = requests.get(method, 0) + 1
        try:
            if method in ("logsSubscribe", "signatureSubscribe"):
                kind, key, commitment = self.parse_subscription(method, params)
                with self.lock:
                    subscription = self.next_id
                    self.next_id += 1
                    subscriptions = self.connections.get(connection)
                    if subscriptions is None:
                        return None
                    subscriptions[subscription] = (kind, key, commitment)
                connection.send(json.dumps({"jsonrpc": "2.0", "result": subscription, "id": request_id}))
                if kind == "signature":
                    self.notify_signature_now(connection, subscription, key, commitment)
                return None
            if method in ("logsUnsubscribe", "signatureUnsubscribe"):
                if len(params) != 1 or not isinstance(params[0], int):
                    raise ValueError("Invalid params: expected [subscription id]")
                with self.lock:
                    removed = self.connections.get(connection, {}).pop(params[0], None) is not None
                return {"jsonrpc": "2.0", "result": removed, "id": request_id}
            return {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": request_id}
        except ValueError as error:
            return {"jsonrpc": "2.0", "error": {"code": -32602, "message": str(error)}, "id": request_id}

    @staticmethod
    def parse_subscription(method, params):
        config = params[1] if len(params) > 1 and isinstance(params[1], dict) else {}
        commitment = config.get("commitment", "finalized")
        if commitment not in COMMITMENTS:
            raise ValueError(f"Invalid params: unknown commitment {commitment!r}")
        if method == "signatureSubscribe":
            try:
                return "signature", str(Signature.from_string(params[0])), commitment
            except Exception:
                raise ValueError("Invalid params: expected a base58 signature")
        filter_ = params[0] if params else None
        mentions = filter_.get("mentions") if isinstance(filter_, dict) else None
        if not isinstance(mentions, list) or len(mentions) != 1:
            # As a real node: mentions takes exactly one address.
            raise ValueError("Invalid params: mentions must name exactly one address")
        try:
            return "logs", str(Pubkey.from_string(mentions[0])), commitment
        except Exception:
            raise ValueError("Invalid params: mentions must name a base58 address")

    # Notifications -----------------------------------------------------------------------------------------------
    def notify_signature_now(self, connection, subscription, signature, commitment):
        """A signature already at the commitment is notified at once (and the subscription ends), as a node does."""
        with self.chain.lock:
            record = self.chain.records.get(signature)
            due = record is not None and record.slot <= self.chain.committed_slot(commitment)
        if due:
            self.send_notifications([(connection, subscription, "signature", record)])

    def notify_loop(self):
        while True:
            time.sleep(0.005)
            try:
                self.notify_due()
            except Exception:
                pass

    def notify_due(self):
        with self.chain.lock:
            records = list(self.chain.records.values())
            due = {}
            for commitment in COMMITMENTS:
                committed = self.chain.committed_slot(commitment)
                start = self.notified[commitment]
                end = start
                while end < len(records) and records[end].slot <= committed:
                    end += 1
                due[commitment] = records[start:end]
                self.notified[commitment] = end
        if self.faults.values["ws_silent"]:
            return
        deliveries = []
        with self.lock:
            for connection, subscriptions in self.connections.items():
                for subscription, (kind, key, commitment) in list(subscriptions.items()):
                    for record in due[commitment]:
                        if kind == "logs" and key in record.keys:
                            deliveries.append((connection, subscription, "logs", record))
                        elif kind == "signature" and key == record.signature:
                            deliveries.append((connection, subscription, "signature", record))
        self.send_notifications(deliveries)

    def send_notifications(self, deliveries):
        for connection, subscription, kind, record in deliveries:
            if kind == "signature":
                with self.lock:
                    if self.connections.get(connection, {}).pop(subscription, None) is None:
                        continue
                value = {"err": record.err}
                method = "signatureNotification"
            else:
                value = {"signature": record.signature, "err": record.err, "logs": record.logs}
                method = "logsNotification"
            message = {"jsonrpc": "2.0", "method": method,
                       "params": {"result": {"context": {"slot": record.slot}, "value": value}, "subscription": subscription}}
            try:
                connection.send(json.dumps(message))
                with self.chain.lock:
                    self.chain.counters["pubsub"]["notifications"] += 1
            except Exception:
                pass

    # Faults ------------------------------------------------------------------------------------------------------
    def drop_all(self):
        """Closes every connection at once, as a provider restarting its WebSocket servers does."""
        with self.lock:
            connections = list(self.connections)
        for connection in connections:
            try:
                connection.close(1012, "service restart")
            except Exception:
                pass
        with self.chain.lock:
            self.chain.counters["pubsub"]["dropped"] += len(connections)
