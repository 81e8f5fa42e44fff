"""srp_load.py: SRP sign-ins per second against a running userpoold.

    srp_load.py URL CACERT CLIENT_ID POOL_ID USERNAME PASSWORD SECONDS PROCS

Each of PROCS processes signs in again and again for SECONDS with
USER_SRP_AUTH (InitiateAuth, then RespondToAuthChallenge with
PASSWORD_VERIFIER), computing the client side of SRP with Python's own
modular exponentiation (tests/integration/srp_client.py).
Prints one JSON line: sign-ins, failures, sign-ins per second, and the
median and 99th percentile latency of a whole sign-in (both round trips)
in milliseconds. The client shares the machine with the server, so the
figure is a floor.
"""
import http.client
import json
import multiprocessing
import os
import ssl
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
from srp_client import Srp  # noqa: E402


class Client:
    def __init__(self, url, cacert):
        u = urllib.parse.urlsplit(url)
        ctx = ssl.create_default_context(cafile=cacert)
        self.conn = http.client.HTTPSConnection(u.hostname, u.port,
                                                context=ctx, timeout=30)

    def call(self, target, body):
        self.conn.request("POST", "/", json.dumps(body), {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService." + target})
        r = self.conn.getresponse()
        data = json.loads(r.read())
        if r.status != 200:
            raise RuntimeError(data)
        return data


def sign_in(c, client_id, pool_id, username, password):
    s = Srp(pool_id)
    p = c.call("InitiateAuth", {
        "ClientId": client_id, "AuthFlow": "USER_SRP_AUTH",
        "AuthParameters": {"USERNAME": username, "SRP_A": s.srp_a}
    })["ChallengeParameters"]
    c.call("RespondToAuthChallenge", {
        "ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeResponses": s.answer(p, password)})


def worker(args):
    url, cacert, client_id, pool_id, username, password, seconds = args
    c = Client(url, cacert)
    lat, fails = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.monotonic()
        try:
            sign_in(c, client_id, pool_id, username, password)
            lat.append(time.monotonic() - t0)
        except Exception:
            fails += 1
            c = Client(url, cacert)
    return lat, fails


def main():
    url, cacert, client_id, pool_id, username, password = sys.argv[1:7]
    seconds, procs = float(sys.argv[7]), int(sys.argv[8])
    args = (url, cacert, client_id, pool_id, username, password, seconds)
    with multiprocessing.Pool(procs) as p:
        out = p.map(worker, [args] * procs)
    lat = sorted(x for l, _ in out for x in l)
    fails = sum(f for _, f in out)
    n = len(lat)
    print(json.dumps({
        "signins": n, "failures": fails, "per_second": round(n / seconds, 1),
        "p50_ms": round(lat[n // 2] * 1000, 1) if n else None,
        "p99_ms": round(lat[min(n - 1, n * 99 // 100)] * 1000, 1)
        if n else None}))


if __name__ == "__main__":
    main()
