#!/usr/bin/env python3
"""An example Keyward connector plugin: accounts in an SQLite file.

Keyward runs this program (``type: external`` in a connector file) and talks
to it over stdin and stdout, one JSON object per line: a hello, then
requests, each answered with the same ``id`` (docs/plugin-protocol.md).
Python 3's standard library only.

    accounts.py --database var/plugin-accounts.db [--iterations N] [--max-failures N]

- Passwords are stored as PBKDF2-HMAC-SHA256 hashes with a random salt
  (``pbkdf2-sha256$ITERATIONS$SALT$HASH``), never in clear. Other password
  attributes are hashed the same way.
- ``changePassword`` checks ``__CURRENT_PASSWORD__`` against the hash; after
  ``--max-failures`` wrong ones in a row the account is locked, and only
  ``unlock`` (or a reset by the helpdesk, which does not unlock) helps.
- A change that finds the *new* password already set succeeds: that is
  Keyward retrying a change whose answer a crash lost.
- The setting ``minLength`` (from the connector file, via the hello) is the
  application's own password rule; a shorter password is ``policy-rejected``.

Secrets: the plugin never writes a password or a hash to stdout or stderr.
Its stderr gets one line per request (operation and uid only), which Keyward
counts and never shows. Python cannot wipe a string, so secret values are
kept in as few variables as possible and dropped at once.
"""

import argparse
import base64
import contextlib
import hashlib
import hmac
import json
import os
import sqlite3
import sys

PROTOCOL = 1
NAME = "example-accounts"
VERSION = "1.0.0"
PASSWORD = "__PASSWORD__"
CURRENT_PASSWORD = "__CURRENT_PASSWORD__"

SCHEMA = [
    {"name": "uid", "type": "string", "required": True, "updatable": False},
    {"name": "mail", "type": "string"},
    {"name": "givenName", "type": "string"},
    {"name": "familyName", "type": "string"},
    {"name": "department", "type": "string"},
    {"name": PASSWORD, "type": "guardedString", "returnedByDefault": False},
]


class Refusal(Exception):
    """An error answer: a kind of the protocol and a message (never a secret)."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def hash_password(password, iterations):
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    encode = lambda raw: base64.b64encode(raw).decode("ascii")
    return f"pbkdf2-sha256${iterations}${encode(salt)}${encode(digest)}"


def verify_password(password, stored):
    if not stored:
        return False
    try:
        scheme, iterations, salt, expected = stored.split("$")
        if scheme != "pbkdf2-sha256":
            return False
        digest = hashlib.pbkdf2_hmac(
            "sha256", password.encode("utf-8"), base64.b64decode(salt), int(iterations)
        )
        return hmac.compare_digest(digest, base64.b64decode(expected))
    except ValueError:
        return False


class Accounts:
    """The accounts table, and one method per protocol operation."""

    def __init__(self, path, iterations, max_failures, min_length):
        self.iterations = iterations
        self.max_failures = max_failures
        self.min_length = min_length
        # Several plugin processes share the file: SQLite's locks and a
        # 10-second busy wait keep their writes apart.
        self.db = sqlite3.connect(path, timeout=10, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS accounts ("
            " uid TEXT PRIMARY KEY, attributes TEXT NOT NULL, password_hash TEXT,"
            " other_hashes TEXT NOT NULL DEFAULT '{}', locked INTEGER NOT NULL DEFAULT 0,"
            " must_change INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0)"
        )

    @contextlib.contextmanager
    def transaction(self):
        """A write transaction that takes the lock at once; rolled back on any error."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def row(self, uid):
        row = self.db.execute(
            "SELECT attributes, password_hash, other_hashes, locked, must_change, failures"
            " FROM accounts WHERE uid = ?",
            (uid,),
        ).fetchone()
        if row is None:
            raise Refusal("not-found", f"no account '{uid}'")
        return row

    def check_policy(self, password):
        if len(password) < self.min_length:
            raise Refusal(
                "policy-rejected", f"a password needs at least {self.min_length} characters"
            )

    def hashes(self, attributes):
        """The hashes of the secret attributes: (main hash or None, others)."""
        main, others = None, {}
        for attribute in attributes:
            if "secret" not in attribute or attribute["name"] == CURRENT_PASSWORD:
                continue
            if attribute["name"] == PASSWORD:
                self.check_policy(attribute["secret"])
                main = hash_password(attribute["secret"], self.iterations)
            else:
                others[attribute["name"]] = hash_password(attribute["secret"], self.iterations)
        return main, others

    # The operations. Each returns the result object, or raises Refusal.

    def schema(self, request):
        return {"attributes": SCHEMA}

    def test(self, request):
        self.db.execute("SELECT count(*) FROM accounts").fetchone()
        return {}

    def create(self, request):
        uid = request["uid"]
        attributes = request.get("attributes", [])
        plain = {a["name"]: a.get("value") for a in attributes if "secret" not in a}
        main, others = self.hashes(attributes)
        must_change = 1 if request.get("options", {}).get("mustChange") else 0
        try:
            self.db.execute(
                "INSERT INTO accounts (uid, attributes, password_hash, other_hashes, must_change)"
                " VALUES (?, ?, ?, ?, ?)",
                (uid, json.dumps(plain), main, json.dumps(others), must_change),
            )
        except sqlite3.IntegrityError:
            raise Refusal("already-exists", f"an account '{uid}' exists already")
        return {}

    def update(self, request):
        uid = request["uid"]
        with self.transaction():
            attributes = json.loads(self.row(uid)[0])
            for attribute in request.get("attributes", []):
                if "secret" in attribute:
                    raise Refusal("unsupported", "update takes plain attributes; passwords go through setPassword")
                attributes[attribute["name"]] = attribute.get("value")
            self.db.execute("UPDATE accounts SET attributes = ? WHERE uid = ?", (json.dumps(attributes), uid))
        return {}

    def delete(self, request):
        uid = request["uid"]
        if self.db.execute("DELETE FROM accounts WHERE uid = ?", (uid,)).rowcount == 0:
            raise Refusal("not-found", f"no account '{uid}'")
        return {}

    def get(self, request):
        uid = request["uid"]
        attributes, _, _, locked, must_change, _ = self.row(uid)
        values = {k: v for k, v in json.loads(attributes).items() if v is not None}
        return {"uid": uid, "attributes": values, "locked": bool(locked), "mustChange": bool(must_change)}

    def setPassword(self, request):
        uid = request["uid"]
        self.row(uid)
        main, others = self.hashes(request.get("attributes", []))
        options = request.get("options", {})
        with self.transaction():
            if main is not None:
                self.db.execute("UPDATE accounts SET password_hash = ? WHERE uid = ?", (main, uid))
            self.store_others(uid, others)
            if "mustChange" in options:
                must_change = 1 if options["mustChange"] else 0
                self.db.execute("UPDATE accounts SET must_change = ? WHERE uid = ?", (must_change, uid))
        return {}

    def changePassword(self, request):
        uid = request["uid"]
        attributes = request.get("attributes", [])
        current = next((a.get("secret") for a in attributes if a["name"] == CURRENT_PASSWORD), None)
        new = next((a.get("secret") for a in attributes if a["name"] == PASSWORD), None)
        if current is None or new is None:
            raise Refusal("failed", "changePassword needs __CURRENT_PASSWORD__ and __PASSWORD__")
        _, stored, _, locked, _, failures = self.row(uid)
        if locked:
            raise Refusal("permission-denied", f"account '{uid}' is locked; unlock it first")
        if not verify_password(current, stored):
            if verify_password(new, stored):
                return {}  # a retry of a change that was made already
            failures += 1
            lock = 1 if failures >= self.max_failures else 0
            self.db.execute("UPDATE accounts SET failures = ?, locked = ? WHERE uid = ?", (failures, lock, uid))
            raise Refusal("credentials-rejected", "the current password is wrong")
        main, others = self.hashes(attributes)
        with self.transaction():
            self.db.execute(
                "UPDATE accounts SET password_hash = ?, must_change = 0, failures = 0 WHERE uid = ?", (main, uid)
            )
            self.store_others(uid, others)
        return {}

    def unlock(self, request):
        uid = request["uid"]
        self.row(uid)
        self.db.execute("UPDATE accounts SET locked = 0, failures = 0 WHERE uid = ?", (uid,))
        return {}

    def store_others(self, uid, others):
        if not others:
            return
        stored = json.loads(self.row(uid)[2])
        stored.update(others)
        self.db.execute("UPDATE accounts SET other_hashes = ? WHERE uid = ?", (json.dumps(stored), uid))


OPERATIONS = ["schema", "test", "create", "update", "delete", "get", "setPassword", "changePassword", "unlock"]
CAPABILITIES = ["initialize", "change", "reset", "unlock"]


def send(message):
    """One line on stdout (ASCII: json.dumps escapes the rest)."""
    sys.stdout.buffer.write(json.dumps(message, separators=(",", ":")).encode("ascii") + b"\n")
    sys.stdout.buffer.flush()


def log(text):
    """One line to stderr: operations and uids only, never a value."""
    sys.stderr.write(f"{NAME}[{os.getpid()}]: {text}\n")
    sys.stderr.flush()


def hello(line, options):
    """Answers Keyward's hello; returns the accounts, or None after an error answer."""
    message = json.loads(line)
    settings = message.get("settings", {})
    try:
        min_length = int(settings.get("minLength", 8))
        accounts = Accounts(options.database, options.iterations, options.max_failures, min_length)
    except (ValueError, sqlite3.Error) as error:
        send({"type": "hello", "error": {"kind": "configuration", "message": f"cannot open the accounts: {error}"}})
        return None
    send({
        "type": "hello", "protocol": PROTOCOL, "name": NAME, "version": VERSION,
        "capabilities": CAPABILITIES, "operations": OPERATIONS,
    })
    return accounts


def answer(accounts, line):
    try:
        request = json.loads(line)
    except ValueError:
        log("a request that is not JSON")
        return
    request_id, operation = request.get("id"), request.get("op")
    log(f"{operation} {request.get('uid', '')}")
    try:
        if operation not in OPERATIONS:
            raise Refusal("unsupported", f"no operation '{operation}'")
        result = getattr(accounts, operation)(request)
        send({"id": request_id, "result": result})
    except Refusal as refusal:
        send({"id": request_id, "error": {"kind": refusal.kind, "message": refusal.message}})
    except (KeyError, TypeError):
        send({"id": request_id, "error": {"kind": "failed", "message": f"{operation}: a field is missing or of the wrong type"}})
    except sqlite3.OperationalError as error:
        # "database is locked" after the busy wait: worth a retry.
        send({"id": request_id, "error": {"kind": "unreachable", "message": f"the database: {error}"}})


def main():
    parser = argparse.ArgumentParser(description="An example Keyward plugin: accounts in an SQLite file.")
    parser.add_argument("--database", default=os.environ.get("ACCOUNTS_DATABASE", "accounts.db"))
    parser.add_argument("--iterations", type=int, default=600_000, help="PBKDF2 iterations (default 600000)")
    parser.add_argument("--max-failures", type=int, default=3, help="wrong current passwords before a lock")
    options = parser.parse_args()

    # UTF-8 whatever the locale says: the protocol's encoding.
    first = sys.stdin.buffer.readline()
    if not first:
        return
    accounts = hello(first.decode("utf-8"), options)
    if accounts is None:
        return
    # One request per line, until Keyward closes stdin.
    for line in sys.stdin.buffer:
        answer(accounts, line.decode("utf-8"))


if __name__ == "__main__":
    main()
