"""The HTTP side: JSON-RPC at the RPC path (behind the credentials, latency and HTTP-level faults), the control
API at /control and /health."""

import base64
import json
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

from .errors import HttpFault


def make_handler(node):
    """The request handler class of a ThreadingHTTPServer serving this Node."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # An answer goes out as headers, then body: with Nagle's algorithm on, the body waited for the client's delayed
        # ACK (about 40 ms a request on a kept-alive connection), which no real node adds.
        disable_nagle_algorithm = True
        server_version = "FlutterbyeLocalChain/1"

        def log_message(self, format, *args):
            if node.verbose:
                sys.stderr.write("local_chain: " + (format % args) + "\n")

        def reply(self, status, body, content_type="application/json", headers=()):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def reply_json(self, status, value):
            self.reply(status, json.dumps(value).encode())

        def read_body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""

        def path_only(self):
            return self.path.split("?", 1)[0]

        def authorized(self):
            """Whether the request carries the credentials --basic-auth and --api-key ask for."""
            if node.basic_auth is not None:
                expected = "Basic " + base64.b64encode(node.basic_auth.encode()).decode()
                if self.headers.get("Authorization") != expected:
                    return False
            if node.api_key is not None:
                query = urllib.parse.parse_qs(self.path.split("?", 1)[1] if "?" in self.path else "")
                if query.get("api-key") != [node.api_key]:
                    return False
            return True

        def do_GET(self):
            path = self.path_only()
            if path == "/control":
                self.reply_json(200, node.control.state())
            elif path == "/health":
                self.reply(200, b"ok", "text/plain")
            elif path == "/":
                self.reply(405, b"Used HTTP Method is not allowed. POST or OPTIONS is required", "text/plain")
            else:
                self.reply(404, b"Not Found", "text/plain")

        def do_POST(self):
            body = self.read_body()
            path = self.path_only()
            if path == "/control":
                try:
                    update = json.loads(body or b"{}")
                    self.reply_json(200, node.control.update(update))
                except (ValueError, TypeError) as error:
                    self.reply_json(400, {"error": str(error)})
                return
            if path != node.rpc_path:
                self.reply(404, b"Not Found", "text/plain")
                return
            if not self.authorized():
                self.reply(401, b"Unauthorized\n", "text/plain", [("WWW-Authenticate", 'Basic realm="rpc"')])
                return
            latency = node.faults.values["latency_ms"]
            if latency:
                time.sleep(latency / 1000)
            if node.faults.roll(node.faults.values["rate_429"]):
                with node.chain.lock:
                    node.chain.counters["faults"]["http_429"] += 1
                self.reply(429, b"Too Many Requests\n", "text/plain", [("Retry-After", "1")])
                return
            if node.faults.roll(node.faults.values["rate_5xx"]):
                with node.chain.lock:
                    node.chain.counters["faults"]["http_503"] += 1
                self.reply(503, b"Service Unavailable\n", "text/plain")
                return
            try:
                answer = node.handle_body(body)
            except HttpFault as fault:
                self.reply(fault.status, fault.body, "text/plain")
                return
            if answer is None:
                self.reply(200, b"")
            else:
                self.reply_json(200, answer)

    return Handler
