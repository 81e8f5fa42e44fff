"""The client side of Cognito's SRP for the tests: A, then the
PASSWORD_VERIFIER answer, with Python's own arithmetic over the group and
padding of tests/unit/srp_vectors.py; and the verifiers a client makes
(a user's, as stored before they were sealed; a device's, as
ConfirmDevice sends it)."""
import base64
import hashlib
import hmac
import os
import secrets
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "unit"))
from srp_vectors import (G, N, as_int, k, pad, pad_hex,  # noqa: E402
                         sha256)

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec"]


def timestamp():
    """TIMESTAMP as the SDKs write it: day of month not padded."""
    t = time.gmtime()
    return "%s %s %d %02d:%02d:%02d UTC %d" % (
        DAYS[t.tm_wday], MONTHS[t.tm_mon - 1], t.tm_mday, t.tm_hour,
        t.tm_min, t.tm_sec, t.tm_year)


def make_verifier(identity, password):
    """(salt, verifier) as padded hex: x = H(salt | H(identity ":"
    password)), the verifier g^x; identity is the pool name and user
    name, or the device group key and device key, run together."""
    salt = as_int(secrets.token_bytes(16))
    inner = sha256(("%s:%s" % (identity, password)).encode())
    x = as_int(sha256(pad(salt) + inner))
    return pad_hex(salt), pad_hex(pow(G, x, N))


class Srp:
    def __init__(self, pool_id):
        self.pool_name = pool_id.split("_", 1)[1]
        self.a = as_int(secrets.token_bytes(32))
        self.A = pow(G, self.a, N)

    @property
    def srp_a(self):
        return format(self.A, "x")

    def answer(self, params, password):
        """ChallengeResponses for PASSWORD_VERIFIER from its parameters."""
        B, salt = int(params["SRP_B"], 16), int(params["SALT"], 16)
        user = params["USER_ID_FOR_SRP"]
        u = as_int(sha256(pad(self.A) + pad(B)))
        inner = sha256((self.pool_name + user + ":" + password).encode())
        x = as_int(sha256(pad(salt) + inner))
        S = pow((B - k * pow(G, x, N)) % N, self.a + u * x, N)
        prk = hmac.new(pad(u), pad(S), hashlib.sha256).digest()
        key = hmac.new(prk, b"Caldera Derived Key\x01",
                       hashlib.sha256).digest()[:16]
        now = timestamp()
        msg = self.pool_name.encode() + user.encode() + \
            base64.b64decode(params["SECRET_BLOCK"]) + now.encode()
        sig = hmac.new(key, msg, hashlib.sha256).digest()
        return {"USERNAME": user,
                "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
                "PASSWORD_CLAIM_SIGNATURE": base64.b64encode(sig).decode(),
                "TIMESTAMP": now}
