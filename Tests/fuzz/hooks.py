"""Schemathesis hooks: sign fuzzed requests as a registered node, so fuzzing reaches the hub's
handlers behind authentication instead of stopping at 401.

Loaded by Tests/fuzz/schemathesis.sh through SCHEMATHESIS_HOOKS (written for schemathesis 4.x).
The node is named by two environment variables the script sets:

- HEARTH_FUZZ_KEY_FILE: the node's key file (Sources/HearthStore/Keys/KeyFile.swift:
  "hearth-key 1", "data <base64>", "signing <base64 of the 32-byte Ed25519 seed>");
- HEARTH_FUZZ_REPLICA: the node's replica id.

Three requests in four are signed (Protocol/sync.md, Request authentication): the hook
replaces the four x-hearth-* headers, gzips the body when the generated Content-Encoding says
gzip, and puts the node's id in the body's `replica` (and, for /v1/register, its key in
`public_key`). For /v1/push it also renumbers the generated ops as the node's next own ops,
chains them by `prev` and signs the chain head (Protocol/ops.md, Protocol/sync.md, Push), so
that the hub's op checks, quarantine and apply paths see fuzzed ops. The fourth request is
sent as generated, to fuzz the authentication headers themselves.
"""

import base64
import gzip
import hashlib
import os
import secrets
import threading
import time
from urllib.parse import urlsplit

import requests
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

REPLICA = os.environ["HEARTH_FUZZ_REPLICA"]


def _load_signing_key(path):
    with open(path, encoding="utf-8") as handle:
        lines = [line.strip() for line in handle.read().splitlines()]
    if not lines or lines[0] != "hearth-key 1":
        raise SystemExit(f"{path} is not a Hearth key file")
    for line in lines[1:]:
        name, _, value = line.partition(" ")
        if name == "signing":
            return Ed25519PrivateKey.from_private_bytes(base64.b64decode(value))
    raise SystemExit(f"{path} holds no signing key")


KEY = _load_signing_key(os.environ["HEARTH_FUZZ_KEY_FILE"])
PUBLIC_KEY = base64.b64encode(KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()

# The node's own chain as the hub holds it: the next counter and the hash of the op before it.
# Schemathesis runs with one worker; the lock only guards against surprises.
_CHAIN_LOCK = threading.Lock()
_CHAIN = {"next": 1, "prev": "", "pending": None}


def _sign(text):
    return base64.b64encode(KEY.sign(text.encode("utf-8"))).decode()


def _canonical_string(text):
    """A JSON string as Sources/HearthCore/Encoding/JSON.swift writes it."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20:
            out.append("\\u%04x" % code)
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _canonical(value):
    """Canonical JSON (Protocol/ops.md): keys sorted by UTF-8 bytes, no whitespace, plain integers."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _canonical_string(value)
    if isinstance(value, list):
        return "[" + ",".join(_canonical(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: key.encode("utf-8"))
        return "{" + ",".join(_canonical_string(key) + ":" + _canonical(value[key]) for key in keys) + "}"
    raise ValueError(f"not a Hearth JSON value: {type(value).__name__}")


def _chain_push(body):
    """Renumbers a generated push's ops as this node's next ops and signs its chain head.

    Each op creates its record (so its context is empty), and set values are sorted and
    deduplicated as the hub re-encodes them, so the hub's hash of each op is the one chained
    here. Returns the (counter, hash) of the last op, or None when the body cannot be chained
    (then it is sent as generated, and the hub refuses it).
    """
    ops = body.get("ops")
    if not isinstance(ops, list) or not ops or not all(isinstance(op, dict) for op in ops):
        return None
    with _CHAIN_LOCK:
        counter, previous = _CHAIN["next"], _CHAIN["prev"]
    try:
        for op in ops:
            op["dot"] = f"{REPLICA}:{counter}"
            record = op.get("record")
            letter = record[0] if isinstance(record, str) and record else "H"
            op["record"] = f"{letter}-{REPLICA}-{counter}"
            op["context"] = {}
            op.pop("voids", None)
            fields = op.get("fields")
            if isinstance(fields, dict):
                for name, value in list(fields.items()):
                    if isinstance(value, list) and all(isinstance(item, str) for item in value):
                        fields[name] = sorted(set(value), key=lambda item: item.encode("utf-8"))
            op["prev"] = previous
            previous = hashlib.sha256(_canonical(op).encode("utf-8")).hexdigest()
            counter += 1
    except (ValueError, UnicodeEncodeError, TypeError):
        return None
    last = counter - 1
    body["chain"] = {
        "counter": last,
        "hash": previous,
        "signature": _sign(f"hearth-chain-v1\n{REPLICA}\n{last}\n{previous}"),
    }
    return (last, previous)


class HearthSignature(requests.auth.AuthBase):
    """Signs the prepared request over the body exactly as sent (gzip when asked for)."""

    def __init__(self, compress):
        self.compress = compress

    def __call__(self, request):
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        if self.compress:
            body = gzip.compress(body)
            request.body = body
            request.headers["Content-Length"] = str(len(body))
        nonce = secrets.token_hex(16)
        millis = str(int(time.time() * 1000))
        path = urlsplit(request.url).path
        digest = hashlib.sha256(body).hexdigest()
        message = "\n".join(["hearth-request-v1", "POST", path, REPLICA, millis, nonce, digest])
        request.headers["x-hearth-replica"] = REPLICA
        request.headers["x-hearth-time"] = millis
        request.headers["x-hearth-nonce"] = nonce
        request.headers["x-hearth-signature"] = _sign(message)
        return request


def _signed(case):
    """Three cases in four, chosen by the case's own content so a rerun chooses the same."""
    seed = repr((case.operation.path, case.body, case.headers)).encode("utf-8", "replace")
    return hashlib.sha256(seed).digest()[0] % 4 != 0


@schemathesis.hook
def before_call(context, case, kwargs):
    path = case.operation.path
    if not path.startswith("/v1/") or not _signed(case):
        return
    pending = None
    if isinstance(case.body, dict):
        case.body["replica"] = REPLICA
        if path == "/v1/register":
            case.body["public_key"] = PUBLIC_KEY
        if path == "/v1/push":
            pending = _chain_push(case.body)
    with _CHAIN_LOCK:
        _CHAIN["pending"] = pending
    headers = case.headers or {}
    encoding = next((value for name, value in headers.items() if name.lower() == "content-encoding"), None)
    kwargs["auth"] = HearthSignature(compress=isinstance(encoding, str) and encoding.lower() == "gzip")


@schemathesis.hook
def after_call(context, case, response):
    """Advances the node's chain when the hub acknowledged a chained push."""
    with _CHAIN_LOCK:
        pending, _CHAIN["pending"] = _CHAIN["pending"], None
        if pending is None or case.operation.path != "/v1/push" or response.status_code != 200:
            return
        try:
            acked = response.json().get("acked")
        except Exception:
            return
        if acked == pending[0]:
            _CHAIN["next"], _CHAIN["prev"] = pending[0] + 1, pending[1]
