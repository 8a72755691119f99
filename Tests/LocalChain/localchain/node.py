"""The node: one Chain served as JSON-RPC 2.0 (single requests, batches, notifications), with its faults and its
control API."""

import json
import sys
import traceback

from .control import Control
from .errors import HttpFault, RpcError, SendErrorAnswer, invalid_params
from .faults import Faults
from .rpc import AccountMethods, ClusterMethods, HistoryMethods, SendingMethods


class Node:
    """The JSON-RPC dispatch, the fault injector and the control API over one Chain."""

    def __init__(self, chain, seed, verbose=False):
        self.chain = chain
        self.faults = Faults(seed)
        self.verbose = verbose
        # Where JSON-RPC is served and the credentials it asks for (--rpc-path, --basic-auth, --api-key).
        self.rpc_path, self.basic_auth, self.api_key = "/", None, None
        self.methods = {}
        for group in (ClusterMethods(chain), AccountMethods(chain, self.faults), SendingMethods(chain, self.faults),
                      HistoryMethods(chain, self.faults)):
            self.methods.update(group.methods())
        self.control = Control(chain, self.faults, self.methods)

    def handle_body(self, body):
        """The response object (or list) for a POST / body, or None when there is nothing to answer."""
        self.faults.begin_request()
        try:
            request = json.loads(body)
        except Exception:
            return {"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": None}
        if isinstance(request, list):
            if not request:
                return {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid request"}, "id": None}
            answers = [answer for answer in (self.handle_one(item, batch=True) for item in request) if answer is not None]
            return answers or None
        return self.handle_one(request)

    def handle_one(self, request, batch=False):
        """The answer to one request (None for a notification). Outside a batch the send_error fault may
        raise HttpFault instead (HTTP 503)."""
        if not isinstance(request, dict):
            return {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid request"}, "id": None}
        request_id = request.get("id")
        if request.get("jsonrpc") != "2.0" or not isinstance(request.get("method"), str):
            return {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid request"}, "id": request_id}
        method = request["method"]
        with self.chain.lock:
            requests = self.chain.counters["requests"]
            requests[method] = requests.get(method, 0) + 1
        function = self.methods.get(method)
        try:
            if function is None:
                raise RpcError(-32601, "Method not found")
            method_error = self.faults.values["method_errors"].get(method)
            if method_error is not None and self.faults.roll(method_error["rate"]):
                with self.chain.lock:
                    self.chain.counters["faults"]["method_error"] += 1
                raise RpcError(method_error["code"], method_error["message"])
            params = request.get("params")
            if params is None:
                params = []
            if not isinstance(params, list):
                raise invalid_params("Invalid params: params must be an array of positional parameters")
            with self.chain.lock:
                answer = {"jsonrpc": "2.0", "result": function(params), "id": request_id}
        except RpcError as error:
            if isinstance(error, SendErrorAnswer) and not batch and self.faults.roll(0.5):
                raise HttpFault(503, b"Service Unavailable\n")
            answer = {"jsonrpc": "2.0", "error": error.to_json(), "id": request_id}
        except Exception as error:  # a bug here: report it, keep serving
            traceback.print_exc(file=sys.stderr)
            answer = {"jsonrpc": "2.0", "error": {"code": -32603, "message": "Internal error",
                                                  "data": f"{type(error).__name__}: {error}"}, "id": request_id}
        if "id" not in request:
            return None  # a notification
        return answer
