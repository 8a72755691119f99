"""The answers that are not a result: a JSON-RPC error, the send_error fault's error, an HTTP-level fault."""


class RpcError(Exception):
    """A JSON-RPC error answer."""

    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_json(self):
        error = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


class SendErrorAnswer(RpcError):
    """The send_error fault: the transaction went on as sent, the answer is an error (HTTP 503 for a single
    request, chosen at random, or this JSON-RPC error)."""

    def __init__(self):
        super().__init__(-32603, "Internal error")


class HttpFault(Exception):
    """A fault answered at the HTTP level instead of a JSON-RPC answer."""

    def __init__(self, status, body):
        super().__init__(status)
        self.status = status
        self.body = body


def invalid_params(message):
    return RpcError(-32602, message)
