#!/usr/bin/env python3
"""fed_oidc.py: federated sign-ins per second, end to end, through the
local OIDC provider (tests/integration/idps/oidc_provider.js), without a
browser: each client scripts the redirects with a cookie jar
(/oauth2/authorize?identity_provider= on the pool domain, the provider's
/auth signing its auto_login user in, /oauth2/idpresponse, the code back
at the application) and exchanges the pool's code at /oauth2/token. The
daemon (USERPOOLD_BIN, default build/src/userpoold, its own embedded
PostgreSQL) and the provider are started here, on loopback.

    python3 tests/bench/fed_oidc.py [SECONDS [CLIENTS]]   (10, 4)

(BENCH_LOG_LEVEL sets the daemon's log level, warn by default.)

Meanwhile one more client reads the pool's JWKS and discovery document
in a loop. Prints one line per figure: "fed-signin <per s> p50 p99" (a
whole sign-in with its code exchange), then "jwks" and "discovery" with
their p50 and p99 under that load (milliseconds). Every sign-in is of
one user (the provider's auto_login knob), so the federated user's row
is written by each. The clients are Python threads: with few cores, the
figure is the machine's, not the daemon's alone.
"""
import http.client
import os
import ssl
import statistics
import sys
import threading
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from conftest import Server  # noqa: E402
from idp_servers import Browser, OidcIdp, _node  # noqa: E402
from test_oauth import pkce  # noqa: E402

CALLBACK = "https://bench.example/callback"
LIMITS = ("signin_rate_per_address=1000000", "address_rate=1000000",
          "address_burst=1000000")


def known_limits(bin_path):
    """The per-address limits this binary knows, raised."""
    import subprocess
    out = subprocess.run([bin_path, "--print-config-example"],
                         capture_output=True, text=True).stdout
    return ["--" + kv for kv in LIMITS
            if any(line.lstrip("# ").startswith(kv.split("=")[0] + " ")
                   for line in out.splitlines())]


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000 if xs else 0.0


class Bench:
    def __init__(self, srv, idp):
        self.srv, self.idp = srv, idp
        api = srv.boto3()
        self.pool_id = api.create_user_pool(
            PoolName="bench-fed")["UserPool"]["Id"]
        self.prefix = "bench-fed-%s" % uuid.uuid4().hex[:6]
        api.create_user_pool_domain(UserPoolId=self.pool_id,
                                    Domain=self.prefix)
        self.domain = "%s/%s" % (srv.https, self.prefix)
        cid, secret = idp.add_client([self.domain + "/oauth2/idpresponse"])
        api.create_identity_provider(
            UserPoolId=self.pool_id, ProviderName="Bench",
            ProviderType="OIDC",
            ProviderDetails=idp.oidc_details(cid, secret),
            AttributeMapping={"email": "email"})
        self.client_id = api.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="bench",
            AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthScopes=["openid", "email"], CallbackURLs=[CALLBACK],
            SupportedIdentityProviders=["Bench"])["UserPoolClient"][
            "ClientId"]
        user = idp.add_user(email="bench@example.com")
        idp.set(auto_login=user["sub"])
        self.ctx = srv.ssl_context()
        self.times, self.errors = [], 0
        self.probes = {"jwks": [], "discovery": []}
        self.lock = threading.Lock()

    def sign_in(self, conn):
        verifier, challenge = pkce()
        q = urllib.parse.urlencode(dict(
            response_type="code", client_id=self.client_id,
            redirect_uri=CALLBACK, scope="openid email",
            state=uuid.uuid4().hex, code_challenge=challenge,
            code_challenge_method="S256", identity_provider="Bench"))
        b = Browser(ssl_context=self.ctx)
        got = b.follow(self.domain + "/oauth2/authorize?" + q,
                       lambda u: u.startswith(CALLBACK))
        if not isinstance(got, str):
            raise RuntimeError("sign-in ended at %s (%d)" % (got[3], got[0]))
        code = dict(urllib.parse.parse_qsl(
            urllib.parse.urlsplit(got).query))["code"]
        conn.request("POST", "/%s/oauth2/token" % self.prefix,
                     body=urllib.parse.urlencode(dict(
                         grant_type="authorization_code", code=code,
                         client_id=self.client_id, redirect_uri=CALLBACK,
                         code_verifier=verifier)),
                     headers={"Content-Type":
                              "application/x-www-form-urlencoded"})
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            raise RuntimeError("token: %d" % r.status)

    def conn(self):
        return http.client.HTTPSConnection(
            "localhost", self.srv.https_port, context=self.ctx, timeout=30)

    def client(self, until):
        conn = self.conn()
        while time.monotonic() < until:
            t = time.monotonic()
            try:
                self.sign_in(conn)
            except Exception as e:  # noqa: BLE001 (counted, shown once)
                with self.lock:
                    if self.errors == 0:
                        print("bench: first error: %s" % e, file=sys.stderr)
                    self.errors += 1
                conn.close()
                conn = self.conn()
                continue
            with self.lock:
                self.times.append(time.monotonic() - t)

    def probe(self, until):
        conn = self.conn()
        paths = {"jwks": "/%s/.well-known/jwks.json" % self.pool_id,
                 "discovery": "/%s/.well-known/openid-configuration"
                 % self.pool_id}
        while time.monotonic() < until:
            for name, path in paths.items():
                t = time.monotonic()
                conn.request("GET", path)
                r = conn.getresponse()
                r.read()
                self.probes[name].append(time.monotonic() - t)
            time.sleep(0.01)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    srv = Server(own_cluster=True)
    level = os.environ.get("BENCH_LOG_LEVEL", "warn")
    srv.extra_args = ["--log_level=" + level] + known_limits(srv.bin)
    srv.start()
    idp = OidcIdp(_node())
    try:
        bench = Bench(srv, idp)
        bench.sign_in(bench.conn())		# warm: caches, the user
        until = time.monotonic() + seconds
        threads = [threading.Thread(target=bench.client, args=(until,))
                   for _ in range(clients)]
        threads.append(threading.Thread(target=bench.probe, args=(until,)))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        n = len(bench.times)
        print("bench: %d federated sign-ins in %.0f s by %d clients, "
              "%d errors" % (n, seconds, clients, bench.errors))
        print("fed-signin %.1f/s p50 %.1f ms p99 %.1f ms" % (
            n / seconds, statistics.median(bench.times) * 1000 if n else 0,
            percentile(bench.times, 0.99)))
        for name, xs in bench.probes.items():
            print("%s p50 %.1f ms p99 %.1f ms (%d requests)" % (
                name, percentile(xs, 0.5), percentile(xs, 0.99), len(xs)))
    finally:
        idp.stop()
        srv.stop()
        srv.cleanup()


if __name__ == "__main__":
    main()
