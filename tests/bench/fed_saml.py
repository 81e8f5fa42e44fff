#!/usr/bin/env python3
"""fed_saml.py: SAML Responses verified per second at a pool domain's
/saml2/idpresponse, end to end on the daemon's side: each one's
signature checked against the IdP's metadata certificate, its
conditions, its assertion ID used once in PostgreSQL, the federated
user signed in, the hosted-UI session and the pool's code made.

    python3 tests/bench/fed_saml.py [RESPONSES [CLIENTS]]   (200, 4)

The daemon (USERPOOLD_BIN, default build/src/userpoold, its own
embedded PostgreSQL) and the pysaml2 IdP (tests/integration/idps/
saml_idp.py) are started here, on loopback. First, RESPONSES
SP-initiated sign-ins are taken as far as the IdP's auto-posting form
(/oauth2/authorize?identity_provider=, the IdP signing its auto_login
user in): the IdP signs through the xmlsec1 program, far slower than
the daemon verifies, so its work is kept out of the figure. Then
CLIENTS threads post the forms, each from the cookie jar that started
it, and the time until the last code comes back is measured. Prints
"saml-response <per s> p50 p99" (one post and its answer) and, as
"fed-saml-signin", the same sign-ins' whole time including the IdP.
BENCH_ENCRYPT=1 makes the IdP encrypt the assertions (the pool's
provider then has EncryptedResponses), so decryption is counted too.
"""
import os
import statistics
import sys
import threading
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from conftest import Server  # noqa: E402
from fed_oidc import known_limits, percentile  # noqa: E402
from idp_servers import Browser, SamlIdp, html_forms  # noqa: E402
from test_oauth import pkce  # noqa: E402

CALLBACK = "https://bench.example/callback"


class Bench:
    def __init__(self, srv, idp, encrypt):
        self.srv, self.idp = srv, idp
        api = srv.boto3()
        self.pool_id = api.create_user_pool(
            PoolName="bench-saml")["UserPool"]["Id"]
        self.prefix = "bench-saml-%s" % uuid.uuid4().hex[:6]
        api.create_user_pool_domain(UserPoolId=self.pool_id,
                                    Domain=self.prefix)
        self.domain = "%s/%s" % (srv.https, self.prefix)
        api.create_identity_provider(
            UserPoolId=self.pool_id, ProviderName="Bench",
            ProviderType="SAML",
            ProviderDetails=idp.details(EncryptedResponses=encrypt),
            AttributeMapping={"email": "email"})
        self.client_id = api.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="bench",
            AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthScopes=["openid", "email"], CallbackURLs=[CALLBACK],
            SupportedIdentityProviders=["Bench"])["UserPoolClient"][
            "ClientId"]
        idp.add_sp(metadata_url=self.domain + "/saml2/metadata")
        user = idp.add_user(email="bench@example.com")
        idp.set(auto_login=user["name_id"], encrypt=encrypt)
        self.ctx = srv.ssl_context()
        self.times, self.errors = [], 0
        self.lock = threading.Lock()

    def to_idp(self):
        """One sign-in up to the IdP's form: (browser, form, started)."""
        started = time.monotonic()
        _, challenge = pkce()
        q = urllib.parse.urlencode(dict(
            response_type="code", client_id=self.client_id,
            redirect_uri=CALLBACK, scope="openid email",
            state=uuid.uuid4().hex, code_challenge=challenge,
            code_challenge_method="S256", identity_provider="Bench"))
        b = Browser(ssl_context=self.ctx)
        _, hdrs, _ = b.get(self.domain + "/oauth2/authorize?" + q)
        loc = hdrs["Location"]
        _, _, body = b.get(loc)
        return b, html_forms(body, loc)[0], time.monotonic() - started

    def post(self, item):
        b, form, _ = item
        t = time.monotonic()
        status, hdrs, _ = b.post(form["action"], form["fields"])
        if status != 302 or "code=" not in hdrs.get("Location", ""):
            raise RuntimeError("idpresponse: %d %s" % (
                status, hdrs.get("Location", "")[:120]))
        return time.monotonic() - t

    def client(self, items):
        for item in items:
            try:
                dt = self.post(item)
            except Exception as e:  # noqa: BLE001 (counted, shown once)
                with self.lock:
                    if self.errors == 0:
                        print("bench: first error: %s" % e, file=sys.stderr)
                    self.errors += 1
                continue
            with self.lock:
                self.times.append((dt, item[2] + dt))


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    encrypt = os.environ.get("BENCH_ENCRYPT") == "1"
    srv = Server(own_cluster=True)
    level = os.environ.get("BENCH_LOG_LEVEL", "warn")
    srv.extra_args = ["--log_level=" + level] + known_limits(srv.bin)
    srv.start()
    idp = SamlIdp()
    try:
        bench = Bench(srv, idp, encrypt)
        bench.post(bench.to_idp())		# warm: key, metadata, user
        items = [bench.to_idp() for _ in range(count)]
        start = time.monotonic()
        threads = [threading.Thread(target=bench.client,
                                    args=(items[i::clients],))
                   for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - start
        posts = [p for p, _ in bench.times]
        whole = [w for _, w in bench.times]
        n = len(posts)
        print("bench: %d SAML responses%s in %.1f s by %d clients, "
              "%d errors" % (n, " (encrypted)" if encrypt else "", took,
                             clients, bench.errors))
        print("saml-response %.1f/s p50 %.1f ms p99 %.1f ms" % (
            n / took, statistics.median(posts) * 1000 if n else 0,
            percentile(posts, 0.99)))
        print("fed-saml-signin p50 %.1f ms p99 %.1f ms (with the IdP)" % (
            statistics.median(whole) * 1000 if n else 0,
            percentile(whole, 0.99)))
    finally:
        idp.stop()
        srv.stop()
        srv.cleanup()


if __name__ == "__main__":
    main()
