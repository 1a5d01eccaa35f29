"""HTTP plumbing shared by Broker's fake servers (Python 3 standard library only).

JsonHandler sends every method to `self.dispatch(method)` and reads and writes JSON bodies;
Server is a threading server that carries the fake's `state`; count_request / stats_body keep
the per-"METHOD path" counters behind each fake's GET /_fake/stats.
"""

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JsonHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    content_type = "application/json"
    default_headers = {}  # sent with every response

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    @property
    def state(self):
        return self.server.state

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_LIST(self):
        self.dispatch("LIST")

    def dispatch(self, method):
        raise NotImplementedError

    def read_json(self, bad_json):
        """The request body parsed as JSON, None when empty; raises bad_json() when malformed."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise bad_json()

    def send_json(self, status, body, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", self.content_type)
        for name, value in list(self.default_headers.items()) + list((headers or {}).items()):
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, state):
        super().__init__(address, handler)
        self.state = state


def count_request(state, method, path):
    """Counts one API request; `state` has lock, requests and by_method_path."""
    with state.lock:
        state.requests += 1
        key = method + " " + path
        state.by_method_path[key] = state.by_method_path.get(key, 0) + 1


def stats_body(state):
    with state.lock:
        return {"requests": state.requests, "by_method_path": dict(state.by_method_path)}
