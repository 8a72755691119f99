"""A small JSON-RPC client for the chain the history is made on."""

import json
import time
import urllib.error
import urllib.request

from .errors import GeneratorError


class RpcFailure(Exception):
    """A JSON-RPC error answer: its code, message and data."""

    def __init__(self, method, error):
        super().__init__(f"{method}: {error.get('code')} {error.get('message')}")
        self.code = error.get("code")
        self.message = str(error.get("message"))
        self.data = error.get("data")


class Rpc:
    """A small JSON-RPC client over urllib; retries HTTP 429/5xx and connection errors."""

    def __init__(self, url, attempts=20):
        self.url = url
        self.attempts = attempts
        self.next_id = 0

    def post(self, body):
        data = json.dumps(body).encode()
        for attempt in range(self.attempts):
            request = urllib.request.Request(self.url, data=data, headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as error:
                if error.code not in (429, 500, 502, 503, 504) or attempt == self.attempts - 1:
                    raise GeneratorError(f"HTTP {error.code} from {self.url}")
                # Retry-After is honoured up to 0.25 s: the local chain's fault injector asks for 1 s.
                delay = float(error.headers.get("Retry-After") or 0.1) if error.code == 429 else 0.1
                time.sleep(min(delay, 0.25))
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                if attempt == self.attempts - 1:
                    raise GeneratorError(f"cannot reach {self.url}: {error}")
                time.sleep(0.2)
        raise AssertionError("unreachable")

    def call(self, method, *params):
        self.next_id += 1
        answer = self.post({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": list(params)})
        if "error" in answer:
            raise RpcFailure(method, answer["error"])
        return answer["result"]

    def batch(self, method, param_lists, size=100):
        """Results of many calls of one method, in order (JSON-RPC batches of `size`)."""
        results = []
        for start in range(0, len(param_lists), size):
            chunk = param_lists[start:start + size]
            body = [{"jsonrpc": "2.0", "id": i, "method": method, "params": list(params)}
                    for i, params in enumerate(chunk)]
            answers = {answer["id"]: answer for answer in self.post(body)}
            for i in range(len(chunk)):
                if "error" in answers[i]:
                    raise RpcFailure(method, answers[i]["error"])
                results.append(answers[i]["result"])
        return results
