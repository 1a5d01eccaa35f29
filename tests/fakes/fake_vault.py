#!/usr/bin/env python3
"""A fake HashiCorp Vault for Broker's tests (Python 3 standard library only).

It follows Vault's documented HTTP API shapes for the subset Broker uses:

* KV v2 on the mounts given with --kv-mount (default "apps" and "clouds"):
  GET/POST/PUT/PATCH/DELETE <mount>/data/<path> (check-and-set via "options.cas",
  PATCH is a JSON merge patch and needs Content-Type application/merge-patch+json),
  GET/POST/DELETE <mount>/metadata/<path>, LIST (or GET ?list=true) <mount>/metadata/<prefix>,
  GET <mount>/subkeys/<path>.
* Tokens: auth/token/lookup-self, auth/token/renew-self (X-Vault-Token required everywhere;
  a missing, unknown or expired token gets 403 {"errors":["permission denied"]}).
* AppRole on any mount: POST auth/<mount>/role/<role> (create), GET .../role-id,
  POST .../secret-id, POST auth/<mount>/login; response wrapping with X-Vault-Wrap-TTL and
  POST sys/wrapping/unwrap.
* sys/health.

Errors use Vault's envelope {"errors":[...]}; 404 for a missing secret is {"errors":[]}.

Test control (no token needed), all JSON:
  POST   /_fake/faults   {"mode": "503"|"500"|"429"|"412"|"403"|"404"|"400"|"cas"|"hang"|"delay"|
                                  "reset" ("cas": a check-and-set mismatch),
                          "count": N (default: until cleared), "delay_ms": ms,
                          "every": k (apply to every k-th matching request, default 1),
                          "path_prefix": "apps/data/...", "methods": ["PATCH", ...]}
                         appends a fault rule; "refuse" {"duration_ms": ms} closes the listening
                         socket for that long (connections are refused), then listens again.
  DELETE /_fake/faults   clears all rules.
  GET    /_fake/stats    {"requests": n, "by_method_path": {...}}
  POST   /_fake/reset    clears secrets, faults and counters (tokens are kept).
  POST   /_fake/token    {"token": "...", "ttl": seconds, "renewable": true} adds a token.
  GET    /_fake/kv/<mount>/<path>  raw state of one secret (all versions), for assertions.

Usage: fake_vault.py [--port 0] [--token root] [--token-ttl 0] [--kv-mount apps ...]
With --port 0 a free port is chosen; the port is printed on stdout as the first line.
"""

import argparse
import copy
import datetime
import json
import socket
import sys
import threading
import time
import uuid
from urllib.parse import parse_qs, unquote, urlsplit

from fake_http import JsonHandler, Server, count_request, stats_body

CAS_MISMATCH = "check-and-set parameter did not match the current version"


def iso_now():
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_duration(text):
    """Vault durations: "60", "60s", "5m", "1h"."""
    text = str(text).strip()
    units = {"s": 1, "m": 60, "h": 3600}
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(float(text))


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def subkeys_of(data, depth, level=1):
    out = {}
    for key, value in data.items():
        if isinstance(value, dict) and (depth == 0 or level < depth):
            out[key] = subkeys_of(value, depth, level + 1)
        else:
            out[key] = None
    return out


class VaultError(Exception):
    def __init__(self, status, errors, body=None):
        super().__init__(status)
        self.status = status
        self.errors = errors
        self.body = body


class State:
    def __init__(self, mounts, root_token, root_ttl):
        self.lock = threading.RLock()
        self.mounts = set(mounts)
        self.kv = {m: {} for m in mounts}
        self.tokens = {}
        self.wrapped = {}
        self.roles = {}  # (mount, role) -> role_id
        self.secret_ids = {}  # secret_id -> (mount, role)
        self.faults = []
        self.requests = 0
        self.by_method_path = {}
        self.add_token(root_token, root_ttl, True)

    def add_token(self, token, ttl, renewable, policies=None):
        now = int(time.time())
        self.tokens[token] = {
            "creation_time": now,
            "creation_ttl": int(ttl),
            "last_renewal_time": None,
            "expires_at": now + int(ttl) if ttl else None,
            "renewable": bool(renewable) and bool(ttl),
            "policies": policies or ["default", "broker"],
            "accessor": str(uuid.uuid4()),
        }


class Handler(JsonHandler):
    server_version = "FakeVault/1.0"
    default_headers = {"Cache-Control": "no-store"}

    def read_body(self):
        return self.read_json(lambda: VaultError(400, ["failed to parse JSON input"]))

    def dispatch(self, method):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        try:
            body = self.read_body()
            if url.path.startswith("/_fake/"):
                self.control(method, url.path[len("/_fake/"):], body)
                return
            if not url.path.startswith("/v1/"):
                raise VaultError(404, [])
            path = unquote(url.path[len("/v1/"):])
            if method == "GET" and query.get("list", [""])[0] == "true":
                method = "LIST"
            self.count(method, path)
            if self.apply_faults(method, path):
                return
            status, response = self.route(method, path, body, query)
            response = self.maybe_wrap(path, status, response)
            self.send_json(status, response)
        except VaultError as e:
            body = e.body if e.body is not None else {"errors": e.errors}
            self.send_json(e.status, body)

    def count(self, method, path):
        count_request(self.state, method, path)

    # --- faults ---------------------------------------------------------------------------

    def apply_faults(self, method, path):
        """Returns True if a fault produced the whole response."""
        rule = None
        with self.state.lock:
            for r in self.state.faults:
                if r.get("path_prefix") and not path.startswith(r["path_prefix"]):
                    continue
                if r.get("methods") and method not in r["methods"]:
                    continue
                if r.get("count") is not None and r["count"] <= 0:
                    continue
                r["seen"] = r.get("seen", 0) + 1
                if r["seen"] % int(r.get("every", 1)) != 0:
                    continue
                if r.get("count") is not None:
                    r["count"] -= 1
                rule = dict(r)
                break
        if rule is None:
            return False
        mode = str(rule["mode"])
        if mode == "delay":
            time.sleep(rule.get("delay_ms", 0) / 1000.0)
            return False
        if mode == "hang":
            time.sleep(rule.get("delay_ms", 60000) / 1000.0)
            self.close_connection = True
            return True
        if mode == "reset":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        if mode == "cas":
            self.send_json(400, {"errors": [CAS_MISMATCH]})
            return True
        status = int(mode)
        messages = {
            403: ["permission denied"],
            404: [],
            412: ["required index state not present"],
            429: ["request path \"%s\": rate limit quota exceeded" % path],
            500: ["internal error"],
            503: ["Vault is sealed"],
        }
        self.send_json(status, {"errors": messages.get(status, ["fault injected"])})
        return True

    # --- control --------------------------------------------------------------------------

    def control(self, method, what, body):
        st = self.state
        if what == "faults" and method == "POST":
            rule = dict(body or {})
            if rule.get("mode") == "refuse":
                self.send_json(204, None)
                threading.Thread(target=self.server.refuse_for,
                                 args=(rule.get("duration_ms", 1000),), daemon=True).start()
                return
            with st.lock:
                st.faults.append(rule)
            self.send_json(204, None)
        elif what == "faults" and method == "DELETE":
            with st.lock:
                st.faults.clear()
            self.send_json(204, None)
        elif what == "stats":
            self.send_json(200, stats_body(st))
        elif what == "reset":
            with st.lock:
                st.kv = {m: {} for m in st.mounts}
                st.faults.clear()
                st.requests = 0
                st.by_method_path.clear()
            self.send_json(204, None)
        elif what == "token" and method == "POST":
            with st.lock:
                st.add_token(body["token"], body.get("ttl", 0), body.get("renewable", True))
            self.send_json(204, None)
        elif what.startswith("kv/"):
            mount, _, path = what[len("kv/"):].partition("/")
            with st.lock:
                secret = st.kv.get(mount, {}).get(path)
                self.send_json(200 if secret else 404, copy.deepcopy(secret) or {})
        else:
            raise VaultError(404, ["unknown control endpoint"])

    # --- routing --------------------------------------------------------------------------

    def token(self):
        token = self.headers.get("X-Vault-Token", "")
        with self.state.lock:
            info = self.state.tokens.get(token)
            if info is None:
                raise VaultError(403, ["permission denied"])
            if info["expires_at"] is not None and time.time() >= info["expires_at"]:
                raise VaultError(403, ["permission denied"])
            return token, info

    def route(self, method, path, body, query):
        if path == "sys/health":
            return 200, {"initialized": True, "sealed": False, "standby": False,
                         "server_time_utc": int(time.time()), "version": "1.15.0-fake"}
        if path == "sys/wrapping/unwrap" and method in ("POST", "PUT"):
            return self.unwrap(body)
        self.token()
        if path == "auth/token/lookup-self" and method == "GET":
            return self.lookup_self()
        if path == "auth/token/renew-self" and method in ("POST", "PUT"):
            return self.renew_self(body)
        parts = path.split("/")
        if parts[0] == "auth" and len(parts) >= 3:
            return self.approle(method, parts[1], parts[2:], body)
        if parts[0] in self.state.mounts and len(parts) >= 2:
            return self.kv(method, parts[0], parts[1], "/".join(parts[2:]), body, query)
        raise VaultError(404, ["1 error occurred:\n\t* unsupported path\n\n"])

    # --- tokens ---------------------------------------------------------------------------

    def lookup_self(self):
        token, info = self.token()
        now = int(time.time())
        ttl = 0 if info["expires_at"] is None else max(0, info["expires_at"] - now)
        data = {
            "accessor": info["accessor"],
            "creation_time": info["creation_time"],
            "creation_ttl": info["creation_ttl"],
            "display_name": "token-broker",
            "entity_id": "",
            "expire_time": None if info["expires_at"] is None else
            datetime.datetime.fromtimestamp(info["expires_at"], datetime.timezone.utc)
            .strftime("%Y-%m-%dT%H:%M:%SZ"),
            "explicit_max_ttl": 0,
            "id": token,
            "meta": None,
            "num_uses": 0,
            "orphan": True,
            "path": "auth/token/create",
            "policies": info["policies"],
            "renewable": info["renewable"],
            "ttl": ttl,
            "type": "service",
        }
        if info["last_renewal_time"] is not None:
            data["last_renewal_time"] = info["last_renewal_time"]
            data["last_renewal"] = info["last_renewal_time"]
        return 200, self.envelope(data=data)

    def renew_self(self, body):
        token, info = self.token()
        if not info["renewable"]:
            raise VaultError(400, ["lease is not renewable"])
        increment = info["creation_ttl"]
        if body and body.get("increment"):
            increment = parse_duration(body["increment"])
        now = int(time.time())
        with self.state.lock:
            info["last_renewal_time"] = now
            info["expires_at"] = now + increment
        auth = {"client_token": token, "accessor": info["accessor"], "policies": info["policies"],
                "token_policies": info["policies"], "metadata": None,
                "lease_duration": increment, "renewable": True, "entity_id": "",
                "token_type": "service", "orphan": True}
        return 200, self.envelope(auth=auth)

    @staticmethod
    def envelope(data=None, auth=None):
        return {"request_id": str(uuid.uuid4()), "lease_id": "", "renewable": False,
                "lease_duration": 0, "data": data, "wrap_info": None, "warnings": None,
                "auth": auth}

    # --- AppRole and wrapping -------------------------------------------------------------

    def approle(self, method, mount, rest, body):
        st = self.state
        if rest == ["login"] and method in ("POST", "PUT"):
            body = body or {}
            with st.lock:
                owner = st.secret_ids.get(body.get("secret_id"))
                if owner is None or st.roles.get(owner) != body.get("role_id"):
                    raise VaultError(400, ["invalid role or secret ID"])
                token = "hvs." + uuid.uuid4().hex
                st.add_token(token, 3600, True)
            auth = {"client_token": token, "accessor": st.tokens[token]["accessor"],
                    "policies": ["default"], "token_policies": ["default"],
                    "metadata": {"role_name": owner[1]}, "lease_duration": 3600,
                    "renewable": True, "entity_id": "", "token_type": "service",
                    "orphan": True}
            return 200, self.envelope(auth=auth)
        if len(rest) < 2 or rest[0] != "role":
            raise VaultError(404, ["1 error occurred:\n\t* unsupported path\n\n"])
        key = (mount, rest[1])
        with st.lock:
            if len(rest) == 2 and method in ("POST", "PUT"):
                st.roles.setdefault(key, str(uuid.uuid4()))
                return 204, None
            if key not in st.roles:
                raise VaultError(400, ["role \"%s\" does not exist" % rest[1]])
            if rest[2:] == ["role-id"] and method == "GET":
                return 200, self.envelope(data={"role_id": st.roles[key]})
            if rest[2:] == ["secret-id"] and method in ("POST", "PUT"):
                secret_id = str(uuid.uuid4())
                st.secret_ids[secret_id] = key
                return 200, self.envelope(data={"secret_id": secret_id,
                                                "secret_id_accessor": str(uuid.uuid4()),
                                                "secret_id_ttl": 0, "secret_id_num_uses": 0})
        raise VaultError(405, ["unsupported operation"])

    def maybe_wrap(self, path, status, response):
        wrap_ttl = self.headers.get("X-Vault-Wrap-TTL")
        if not wrap_ttl or status != 200 or response is None:
            return response
        ttl = parse_duration(wrap_ttl)
        token = "hvs.wrap." + uuid.uuid4().hex
        with self.state.lock:
            self.state.wrapped[token] = {"response": response, "expires_at": time.time() + ttl}
        return {"request_id": str(uuid.uuid4()), "lease_id": "", "renewable": False,
                "lease_duration": 0, "data": None, "warnings": None, "auth": None,
                "wrap_info": {"token": token, "accessor": str(uuid.uuid4()), "ttl": ttl,
                              "creation_time": iso_now(), "creation_path": path}}

    def unwrap(self, body):
        token = (body or {}).get("token") or self.headers.get("X-Vault-Token", "")
        with self.state.lock:
            entry = self.state.wrapped.pop(token, None)
        if entry is None or time.time() >= entry["expires_at"]:
            raise VaultError(400, ["wrapping token is not valid or does not exist"])
        return 200, entry["response"]

    # --- KV v2 ----------------------------------------------------------------------------

    def kv(self, method, mount, kind, path, body, query):
        store = self.state.kv[mount]
        with self.state.lock:
            if kind == "data":
                return self.kv_data(method, store, path, body, query)
            if kind == "metadata":
                return self.kv_metadata(method, store, path, body)
            if kind == "subkeys" and method == "GET":
                return self.kv_subkeys(store, path, query)
        raise VaultError(405, ["unsupported operation"])

    @staticmethod
    def version_metadata(secret, number):
        v = secret["versions"][number]
        return {"created_time": v["created_time"], "custom_metadata": secret["custom_metadata"],
                "deletion_time": v["deletion_time"], "destroyed": v["destroyed"],
                "version": number}

    def kv_read_version(self, store, path, query):
        secret = store.get(path)
        if secret is None or not secret["versions"]:
            raise VaultError(404, [])
        number = int(query.get("version", ["0"])[0]) or secret["current_version"]
        if number not in secret["versions"]:
            raise VaultError(404, [])
        v = secret["versions"][number]
        if v["deletion_time"] or v["destroyed"]:
            raise VaultError(404, [], body={"data": {"data": None,
                                                     "metadata": self.version_metadata(secret, number)}})
        return secret, number, v

    def kv_data(self, method, store, path, body, query):
        if not path:
            raise VaultError(404, [])
        if method == "GET":
            secret, number, v = self.kv_read_version(store, path, query)
            return 200, self.envelope(data={"data": copy.deepcopy(v["data"]),
                                            "metadata": self.version_metadata(secret, number)})
        if method in ("POST", "PUT"):
            return self.kv_write(store, path, body, patch=False)
        if method == "PATCH":
            if self.headers.get("Content-Type", "").split(";")[0].strip() != \
                    "application/merge-patch+json":
                raise VaultError(415, ["PATCH requires Content-Type application/merge-patch+json"])
            return self.kv_write(store, path, body, patch=True)
        if method == "DELETE":
            secret = store.get(path)
            if secret and secret["current_version"] in secret["versions"]:
                secret["versions"][secret["current_version"]]["deletion_time"] = iso_now()
            return 204, None
        raise VaultError(405, ["unsupported operation"])

    def kv_write(self, store, path, body, patch):
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise VaultError(400, ["no data provided"])
        options = body.get("options") or {}
        secret = store.get(path)
        current = secret["current_version"] if secret else 0
        if patch:
            if secret is None or not secret["versions"]:
                raise VaultError(404, [])
            latest = secret["versions"][current]
            if latest["deletion_time"] or latest["destroyed"]:
                raise VaultError(404, [])
        cas = options.get("cas")
        cas_required = secret and secret["cas_required"]
        if cas is None and cas_required:
            raise VaultError(400, ["check-and-set parameter required for this call"])
        if cas is not None and int(cas) != current:
            raise VaultError(400, [CAS_MISMATCH])
        if secret is None:
            secret = {"versions": {}, "current_version": 0, "custom_metadata": None,
                      "cas_required": False, "max_versions": 0, "created_time": iso_now()}
            store[path] = secret
        data = body["data"]
        if patch:
            data = merge_patch(secret["versions"][current]["data"], data)
        number = current + 1
        secret["versions"][number] = {"data": copy.deepcopy(data), "created_time": iso_now(),
                                      "deletion_time": "", "destroyed": False}
        secret["current_version"] = number
        secret["updated_time"] = iso_now()
        return 200, self.envelope(data=self.version_metadata(secret, number))

    def kv_metadata(self, method, store, path, body):
        if method == "LIST":
            prefix = path.rstrip("/") + "/" if path else ""
            names = set()
            for key in store:
                if key.startswith(prefix):
                    rest = key[len(prefix):]
                    head, sep, _ = rest.partition("/")
                    names.add(head + sep)
            if not names:
                raise VaultError(404, [])
            return 200, self.envelope(data={"keys": sorted(names)})
        secret = store.get(path)
        if method == "GET":
            if secret is None:
                raise VaultError(404, [])
            versions = {str(n): {"created_time": v["created_time"],
                                 "deletion_time": v["deletion_time"],
                                 "destroyed": v["destroyed"]}
                        for n, v in secret["versions"].items()}
            return 200, self.envelope(data={
                "cas_required": secret["cas_required"], "created_time": secret["created_time"],
                "current_version": secret["current_version"],
                "custom_metadata": secret["custom_metadata"], "delete_version_after": "0s",
                "max_versions": secret["max_versions"],
                "oldest_version": min(secret["versions"]) if secret["versions"] else 0,
                "updated_time": secret.get("updated_time", secret["created_time"]),
                "versions": versions})
        if method in ("POST", "PUT", "PATCH"):
            body = body or {}
            if secret is None:
                secret = {"versions": {}, "current_version": 0, "custom_metadata": None,
                          "cas_required": False, "max_versions": 0, "created_time": iso_now()}
                store[path] = secret
            for field in ("cas_required", "max_versions", "custom_metadata"):
                if field in body:
                    secret[field] = body[field]
            return 204, None
        if method == "DELETE":
            store.pop(path, None)
            return 204, None
        raise VaultError(405, ["unsupported operation"])

    def kv_subkeys(self, store, path, query):
        secret, number, v = self.kv_read_version(store, path, query)
        depth = int(query.get("depth", ["0"])[0])
        return 200, self.envelope(data={"subkeys": subkeys_of(v["data"], depth),
                                        "metadata": self.version_metadata(secret, number)})


class Runner:
    """Owns the listening server so that "refuse" can close and reopen it on the same port."""

    def __init__(self, host, port, state):
        self.host = host
        self.state = state
        self.server = Server((host, port), Handler, state)
        self.server.refuse_for = self.refuse_for
        self.port = self.server.server_address[1]
        self.thread = None

    def start(self):
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def refuse_for(self, duration_ms):
        self.server.shutdown()
        self.server.server_close()
        time.sleep(duration_ms / 1000.0)
        self.server = Server((self.host, self.port), Handler, self.state)
        self.server.refuse_for = self.refuse_for
        self.start()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8200)
    parser.add_argument("--token", default="root")
    parser.add_argument("--token-ttl", type=int, default=0,
                        help="TTL in seconds of --token (0: never expires)")
    parser.add_argument("--kv-mount", action="append", default=None)
    args = parser.parse_args()
    state = State(args.kv_mount or ["apps", "clouds"], args.token, args.token_ttl)
    runner = Runner(args.host, args.port, state)
    print(runner.port, flush=True)
    runner.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
