#!/usr/bin/env python3
"""A fake GitHub REST API for Broker's secret-sync tests (Python 3 standard library; libsodium
through ctypes, or python3-nacl when installed).

Endpoints (shapes from GitHub's REST documentation):
  GET  /repos/{owner}/{repo}/installation              App JWT -> {"id": N, ...}
  POST /app/installations/{id}/access_tokens           App JWT -> 201 {"token", "expires_at"}
  GET  /repos/{owner}/{repo}/actions/secrets/public-key  installation token -> {"key_id","key"}
  PUT  /repos/{owner}/{repo}/actions/secrets/{name}    {"encrypted_value","key_id"} -> 201/204
       (a stale key_id -> 422; the sealed box is opened with the repository's private key)

The App JWT must be RS256 with "iss" == --client-id and a sane iat/exp; when --app-public-key
(PEM file) is given its signature is verified with the openssl command-line tool.

Test control (no auth):
  GET  /_fake/secrets/{owner}/{repo}   {"NAME": "decrypted value", ...}
  POST /_fake/rotate-key {"repo": "owner/repo"}      new repository key pair
  POST /_fake/faults {"mode": "401"|"403"|"404"|"500"|"503"|"ratelimit", "count": N,
                      "retry_after": s, "path_prefix": "/repos/..."}
  DELETE /_fake/faults
  GET  /_fake/stats                    {"requests": n, "by_method_path": {...}}

Usage: fake_github.py [--port 0] [--client-id ID] [--app-public-key FILE] [--repo owner/repo]...
Repositories named with --repo have the app installed; with none, every repository has.
With --port 0 the chosen port is printed on stdout as the first line.
"""

import argparse
import base64
import ctypes
import datetime
import json
import os
import subprocess
import tempfile
import threading
import time
import uuid
from urllib.parse import urlsplit

from fake_http import JsonHandler, Server, count_request, stats_body


class Sodium:
    """crypto_box key pairs and sealed-box opening."""

    def __init__(self):
        self.lib = ctypes.CDLL("libsodium.so.23")
        if self.lib.sodium_init() < 0:
            raise RuntimeError("sodium_init failed")
        self.seal_bytes = self.lib.crypto_box_sealbytes()

    def keypair(self):
        pk = ctypes.create_string_buffer(32)
        sk = ctypes.create_string_buffer(32)
        self.lib.crypto_box_keypair(pk, sk)
        return pk.raw, sk.raw

    def seal_open(self, sealed, pk, sk):
        if len(sealed) < self.seal_bytes:
            return None
        out = ctypes.create_string_buffer(len(sealed) - self.seal_bytes)
        rc = self.lib.crypto_box_seal_open(out, sealed, ctypes.c_ulonglong(len(sealed)), pk, sk)
        return out.raw if rc == 0 else None


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.sodium = Sodium()
        self.client_id = args.client_id
        self.app_public_key = args.app_public_key
        self.installed = set(args.repo or [])
        self.installations = {}  # repo -> id
        self.tokens = {}  # installation token -> (installation id, expires_at)
        self.keys = {}  # repo -> (key_id, pk, sk)
        self.secrets = {}  # repo -> {name: value}
        self.faults = []
        self.requests = 0
        self.by_method_path = {}

    def key_for(self, repo, rotate=False):
        with self.lock:
            if rotate or repo not in self.keys:
                pk, sk = self.sodium.keypair()
                self.keys[repo] = (str(int(time.time() * 1000)) + uuid.uuid4().hex[:6], pk, sk)
            return self.keys[repo]


class HttpError(Exception):
    def __init__(self, status, message, headers=None):
        super().__init__(status)
        self.status = status
        self.message = message
        self.headers = headers or {}


class Handler(JsonHandler):
    content_type = "application/json; charset=utf-8"

    def read_body(self):
        return self.read_json(lambda: HttpError(400, "Problems parsing JSON"))

    def dispatch(self, method):
        path = urlsplit(self.path).path
        try:
            body = self.read_body()
            if path.startswith("/_fake/"):
                self.control(method, path[len("/_fake/"):], body)
                return
            count_request(self.state, method, path)
            self.apply_faults(path)
            status, response = self.route(method, path, body)
            self.send_json(status, response)
        except HttpError as e:
            self.send_json(e.status, {"message": e.message,
                                      "documentation_url": "https://docs.github.com/rest"},
                           e.headers)

    def apply_faults(self, path):
        with self.state.lock:
            rule = None
            for r in self.state.faults:
                if r.get("path_prefix") and not path.startswith(r["path_prefix"]):
                    continue
                if r.get("count") is not None:
                    if r["count"] <= 0:
                        continue
                    r["count"] -= 1
                rule = dict(r)
                break
        if rule is None:
            return
        mode = str(rule["mode"])
        if mode == "ratelimit":
            raise HttpError(403, "You have exceeded a secondary rate limit.",
                            {"Retry-After": str(rule.get("retry_after", 60))})
        status = int(mode)
        raise HttpError(status, {401: "Bad credentials", 403: "Resource not accessible by integration",
                                 404: "Not Found"}.get(status, "Server Error"))

    def control(self, method, what, body):
        st = self.state
        if what.startswith("secrets/"):
            repo = what[len("secrets/"):]
            with st.lock:
                self.send_json(200, dict(st.secrets.get(repo, {})))
        elif what == "rotate-key":
            st.key_for(body["repo"], rotate=True)
            self.send_json(204, None)
        elif what == "faults" and method == "POST":
            with st.lock:
                st.faults.append(dict(body or {}))
            self.send_json(204, None)
        elif what == "faults" and method == "DELETE":
            with st.lock:
                st.faults.clear()
            self.send_json(204, None)
        elif what == "stats":
            self.send_json(200, stats_body(st))
        else:
            raise HttpError(404, "Not Found")

    # --- auth -----------------------------------------------------------------------------

    def bearer(self):
        auth = self.headers.get("Authorization", "")
        for prefix in ("Bearer ", "token "):
            if auth.startswith(prefix):
                return auth[len(prefix):]
        raise HttpError(401, "Requires authentication")

    def require_app_jwt(self):
        token = self.bearer()
        parts = token.split(".")
        try:
            header = json.loads(b64url_decode(parts[0]))
            payload = json.loads(b64url_decode(parts[1]))
        except (ValueError, IndexError):
            raise HttpError(401, "A JSON web token could not be decoded")
        now = time.time()
        if header.get("alg") != "RS256" or str(payload.get("iss")) != self.state.client_id:
            raise HttpError(401, "'Issuer' claim ('iss') must be the app's client id")
        if not (payload.get("iat", 0) <= now + 60 and now < payload.get("exp", 0) and
                payload["exp"] - payload["iat"] <= 600):
            raise HttpError(401, "'Expiration time' claim ('exp') is too far in the future")
        if self.state.app_public_key and not self.verify_signature(parts):
            raise HttpError(401, "A JSON web token could not be decoded")

    def verify_signature(self, parts):
        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, "data")
            sig = os.path.join(tmp, "sig")
            with open(data, "wb") as f:
                f.write((parts[0] + "." + parts[1]).encode())
            with open(sig, "wb") as f:
                f.write(b64url_decode(parts[2]))
            result = subprocess.run(["openssl", "dgst", "-sha256", "-verify",
                                     self.state.app_public_key, "-signature", sig, data],
                                    capture_output=True)
            return result.returncode == 0

    def require_installation_token(self, repo):
        token = self.bearer()
        with self.state.lock:
            entry = self.state.tokens.get(token)
            installation = self.state.installations.get(repo)
        if entry is None or entry[1] <= time.time() or entry[0] != installation:
            raise HttpError(401, "Bad credentials")

    # --- API ------------------------------------------------------------------------------

    def installation_for(self, repo):
        st = self.state
        with st.lock:
            if st.installed and repo not in st.installed:
                raise HttpError(404, "Not Found")
            return st.installations.setdefault(repo, 1000 + len(st.installations))

    def route(self, method, path, body):
        parts = path.strip("/").split("/")
        if parts[:1] == ["app"] and len(parts) == 4 and parts[3] == "access_tokens" \
                and method == "POST":
            self.require_app_jwt()
            installation = int(parts[2])
            token = "ghs_" + uuid.uuid4().hex
            expires = time.time() + 3600
            with self.state.lock:
                self.state.tokens[token] = (installation, expires)
            expires_at = datetime.datetime.fromtimestamp(expires, datetime.timezone.utc)
            return 201, {"token": token, "expires_at": expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                         "permissions": {"secrets": "write"}, "repository_selection": "selected"}
        if parts[:1] != ["repos"] or len(parts) < 4:
            raise HttpError(404, "Not Found")
        repo = parts[1] + "/" + parts[2]
        rest = parts[3:]
        if rest == ["installation"] and method == "GET":
            self.require_app_jwt()
            return 200, {"id": self.installation_for(repo), "app_id": 1,
                         "app_slug": "broker", "target_type": "Organization",
                         "account": {"login": parts[1]}}
        if rest[:2] != ["actions", "secrets"]:
            raise HttpError(404, "Not Found")
        self.installation_for(repo)
        self.require_installation_token(repo)
        if rest[2:] == ["public-key"] and method == "GET":
            key_id, pk, _ = self.state.key_for(repo)
            return 200, {"key_id": key_id, "key": base64.b64encode(pk).decode()}
        if len(rest) == 3 and method == "PUT":
            return self.put_secret(repo, rest[2], body)
        raise HttpError(404, "Not Found")

    def put_secret(self, repo, name, body):
        if not isinstance(body, dict) or "encrypted_value" not in body or "key_id" not in body:
            raise HttpError(422, "Invalid request.")
        key_id, pk, sk = self.state.key_for(repo)
        if body["key_id"] != key_id:
            raise HttpError(422, "Bad request: key_id does not match the repository public key")
        try:
            sealed = base64.b64decode(body["encrypted_value"], validate=True)
        except ValueError:
            raise HttpError(422, "encrypted_value is not valid base64")
        plain = self.state.sodium.seal_open(sealed, pk, sk)
        if plain is None:
            raise HttpError(422, "encrypted_value could not be decrypted")
        upper = name.upper()
        with self.state.lock:
            repo_secrets = self.state.secrets.setdefault(repo, {})
            created = upper not in repo_secrets
            repo_secrets[upper] = plain.decode("utf-8", "replace")
        return (201, {}) if created else (204, None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--client-id", default="Iv1.broker-test")
    parser.add_argument("--app-public-key", default=None)
    parser.add_argument("--repo", action="append", default=None)
    args = parser.parse_args()
    server = Server((args.host, args.port), Handler, State(args))
    print(server.server_address[1], flush=True)
    server.serve_forever(0.05)


if __name__ == "__main__":
    main()
