#!/usr/bin/env python3
"""A fake OpenID Connect provider for tests (Python 3 standard library only).

Implements the parts of OpenID Connect Core 1.0 and Discovery 1.0 that Broker's sign-in uses:
authorization code flow with PKCE (RFC 7636, S256 only), client_secret_basic or
client_secret_post at the token endpoint, RS256 ID tokens, a JWKS and a userinfo endpoint.
The RSA key is generated with the `openssl` command line tool at start-up and signatures are
computed here (RSASSA-PKCS1-v1_5 with SHA-256), so no third-party module is needed.

Usage:
  fake_oidc.py --port 0 --client-id broker --client-secret s3cret \
               --redirect-uri http://127.0.0.1:3000/auth/callback
Prints "PORT=<n>" on the first line of stdout once it is listening. The issuer is
http://127.0.0.1:<n>.

Test control (not part of OIDC):
  POST /_control {"mode": "<mode>", "userinfo": {...}}   sets the behaviour for later requests
  GET  /_state                                          counters, for assertions
Modes: normal, wrong_nonce, wrong_aud, wrong_iss, expired, future_iat, alg_none, bad_signature,
unknown_kid, replay (codes may be redeemed twice), userinfo_sub_mismatch, token_error.
"""

import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def int_bytes(n):
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


class RsaKey:
    """An RSA key made by the openssl CLI; signs with pure Python modular exponentiation."""

    def __init__(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "key.pem")
            subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                            "rsa_keygen_bits:2048", "-out", path],
                           check=True, capture_output=True)
            text = subprocess.run(["openssl", "pkey", "-in", path, "-text", "-noout"],
                                  check=True, capture_output=True, text=True).stdout
        self.n = self._field(text, "modulus")
        self.d = self._field(text, "privateExponent")
        self.e = int(re.search(r"publicExponent: (\d+)", text).group(1))
        self.size = (self.n.bit_length() + 7) // 8

    @staticmethod
    def _field(text, name):
        match = re.search(name + r":\s*\n((?:\s+[0-9a-f:]+\n)+)", text)
        return int(re.sub(r"[^0-9a-f]", "", match.group(1)), 16)

    def sign(self, message):
        digest_info = SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
        padding = b"\xff" * (self.size - len(digest_info) - 3)
        encoded = b"\x00\x01" + padding + b"\x00" + digest_info
        signature = pow(int.from_bytes(encoded, "big"), self.d, self.n)
        return signature.to_bytes(self.size, "big")

    def jwk(self, kid):
        return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
                "n": b64url(int_bytes(self.n)), "e": b64url(int_bytes(self.e))}


DEFAULT_USER = {
    "sub": "f3a1c2d4e5b6",
    "idir_username": "JDOE",
    "idir_user_guid": "F3A1C2D4E5B6",
    "display_name": "Doe, Jane",
    "email": "jane.doe@example.com",
    "client_roles": ["admin"],
}


class Provider:
    def __init__(self, args):
        self.args = args
        self.key = RsaKey()
        self.other_key = None  # made lazily for bad_signature
        self.kid = "fake-" + secrets.token_hex(4)
        self.lock = threading.Lock()
        self.mode = "normal"
        self.user = dict(DEFAULT_USER)
        self.codes = {}
        self.access_tokens = {}
        self.counters = {"authorize": 0, "token": 0, "token_ok": 0, "userinfo": 0, "jwks": 0}
        self.issuer = None

    def id_token(self, nonce, user):
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": user["sub"], "aud": self.args.client_id,
                  "exp": now + 300, "iat": now, "nonce": nonce, "auth_time": now}
        header = {"alg": "RS256", "typ": "JWT", "kid": self.kid}
        mode = self.mode
        if mode == "wrong_nonce":
            claims["nonce"] = b64url(secrets.token_bytes(32))
        elif mode == "wrong_aud":
            claims["aud"] = "someone-else"
        elif mode == "wrong_iss":
            claims["iss"] = "http://evil.example"
        elif mode == "expired":
            claims["iat"] = now - 1200
            claims["exp"] = now - 600
        elif mode == "future_iat":
            claims["iat"] = now + 3600
            claims["exp"] = now + 7200
        elif mode == "unknown_kid":
            header["kid"] = "no-such-key"
        if mode == "alg_none":
            header = {"alg": "none", "typ": "JWT"}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode())).encode()
        if mode == "alg_none":
            return signing_input.decode() + "."
        key = self.key
        if mode == "bad_signature":
            if self.other_key is None:
                self.other_key = RsaKey()
            key = self.other_key
        return signing_input.decode() + "." + b64url(key.sign(signing_input))


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeOIDC/1.0"

    def log_message(self, fmt, *args):  # quiet: test output stays readable
        pass

    @property
    def provider(self):
        return self.server.provider

    def send_json(self, status, body, extra=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-store")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_text(self, status, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        routes = {"/.well-known/openid-configuration": self.discovery,
                  "/authorize": self.authorize, "/jwks": self.jwks,
                  "/userinfo": self.userinfo, "/_state": self.state}
        handler = routes.get(url.path)
        if handler is None:
            return self.send_text(404, "not found")
        return handler(query)

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        body = self.read_body()
        if url.path == "/token":
            return self.token(dict(urllib.parse.parse_qsl(body.decode())))
        if url.path == "/_control":
            return self.control(json.loads(body or b"{}"))
        if url.path == "/userinfo":
            return self.userinfo({})
        return self.send_text(404, "not found")

    def discovery(self, _query):
        issuer = self.provider.issuer
        self.send_json(200, {
            "issuer": issuer,
            "authorization_endpoint": issuer + "/authorize",
            "token_endpoint": issuer + "/token",
            "userinfo_endpoint": issuer + "/userinfo",
            "jwks_uri": issuer + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                      "client_secret_post"],
            "grant_types_supported": ["authorization_code"],
            "scopes_supported": ["openid", "profile", "email"],
        })

    def authorize(self, q):
        p = self.provider
        with p.lock:
            p.counters["authorize"] += 1
        # Errors about the client or redirect URI must not redirect (RFC 6749 4.1.2.1).
        if q.get("client_id") != p.args.client_id:
            return self.send_text(400, "unknown client_id")
        if q.get("redirect_uri") != p.args.redirect_uri:
            return self.send_text(400, "redirect_uri does not match the registration")
        problems = []
        if q.get("response_type") != "code":
            problems.append("response_type must be code")
        if "openid" not in q.get("scope", "").split():
            problems.append("scope must include openid")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            problems.append("PKCE S256 required")
        if not q.get("nonce"):
            problems.append("nonce required")
        state = q.get("state", "")
        target = p.args.redirect_uri
        sep = "&" if "?" in target else "?"
        if problems:
            params = {"error": "invalid_request", "error_description": "; ".join(problems),
                      "state": state}
        else:
            code = b64url(secrets.token_bytes(32))
            with p.lock:
                p.codes[code] = {"challenge": q["code_challenge"], "nonce": q["nonce"],
                                 "redirect_uri": q["redirect_uri"], "used": False,
                                 "user": dict(p.user), "created": time.time()}
            params = {"code": code, "state": state}
        self.send_response(302)
        self.send_header("Location", target + sep + urllib.parse.urlencode(params))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def client_authenticated(self, form):
        p = self.provider
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                raw = base64.b64decode(auth[6:], validate=True).decode()
            except ValueError:
                return False
            client_id, _, secret = raw.partition(":")
            client_id = urllib.parse.unquote_plus(client_id)
            secret = urllib.parse.unquote_plus(secret)
        else:
            client_id, secret = form.get("client_id"), form.get("client_secret")
        return client_id == p.args.client_id and secret == p.args.client_secret

    def token(self, form):
        p = self.provider
        with p.lock:
            p.counters["token"] += 1
        if not self.client_authenticated(form):
            return self.send_json(401, {"error": "invalid_client"},
                                  {"WWW-Authenticate": 'Basic realm="fake"'})
        if form.get("grant_type") != "authorization_code":
            return self.send_json(400, {"error": "unsupported_grant_type"})
        if p.mode == "token_error":
            return self.send_json(400, {"error": "invalid_grant"})
        with p.lock:
            entry = p.codes.get(form.get("code", ""))
            if entry is None or (entry["used"] and p.mode != "replay"):
                return self.send_json(400, {"error": "invalid_grant",
                                            "error_description": "unknown or used code"})
            entry["used"] = True
        if form.get("redirect_uri") != entry["redirect_uri"]:
            return self.send_json(400, {"error": "invalid_grant",
                                        "error_description": "redirect_uri mismatch"})
        verifier = form.get("code_verifier", "")
        if not re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", verifier) or \
                b64url(hashlib.sha256(verifier.encode()).digest()) != entry["challenge"]:
            return self.send_json(400, {"error": "invalid_grant",
                                        "error_description": "PKCE verification failed"})
        access = b64url(secrets.token_bytes(32))
        with p.lock:
            p.access_tokens[access] = entry["user"]
            p.counters["token_ok"] += 1
            id_token = p.id_token(entry["nonce"], entry["user"])
        self.send_json(200, {"access_token": access, "token_type": "Bearer",
                             "expires_in": 300, "id_token": id_token})

    def jwks(self, _query):
        p = self.provider
        with p.lock:
            p.counters["jwks"] += 1
        self.send_json(200, {"keys": [p.key.jwk(p.kid)]})

    def userinfo(self, _query):
        p = self.provider
        auth = self.headers.get("Authorization", "")
        user = p.access_tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
        with p.lock:
            p.counters["userinfo"] += 1
        if user is None:
            return self.send_json(401, {"error": "invalid_token"},
                                  {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        info = dict(user)
        if p.mode == "userinfo_sub_mismatch":
            info["sub"] = "someone-else"
        self.send_json(200, info)

    def control(self, body):
        p = self.provider
        with p.lock:
            if "mode" in body:
                p.mode = body["mode"]
            if "userinfo" in body:
                p.user = dict(body["userinfo"])
        self.send_json(200, {"mode": p.mode})

    def state(self, _query):
        p = self.provider
        with p.lock:
            self.send_json(200, {"mode": p.mode, "counters": dict(p.counters)})


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--client-id", default="broker")
    parser.add_argument("--client-secret", default="broker-secret")
    parser.add_argument("--redirect-uri", default="http://127.0.0.1:3000/auth/callback")
    args = parser.parse_args()
    provider = Provider(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.provider = provider
    provider.issuer = "http://127.0.0.1:%d" % server.server_address[1]
    print("PORT=%d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
