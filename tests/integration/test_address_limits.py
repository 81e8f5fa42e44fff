"""Per-address limits on what anyone may call without a key: the JSON
API's unsigned operations and a pool domain's pages, with the client
address taken from X-Forwarded-For only when the peer is a trusted
proxy.

One worker, a burst of 5 and 1 request a second. The whole of 127/8
reaches the daemon, so each test speaks from its own loopback address:
127.0.0.2 is the trusted proxy, the others are plain clients.
"""

import http.client
import json
import time

import botocore.exceptions
import pytest

from conftest import Server

BURST = 5
PROXY = "127.0.0.2"


@pytest.fixture(scope="module")
def limited():
    srv = Server(extra_args=[
        "--workers=1",
        "--address_rate=1",
        "--address_burst=%d" % BURST,
        "--trusted_proxies=%s, 10.0.0.0/8" % PROXY,
    ])
    srv.start_or_clean()
    yield srv
    reports, _ = srv.shut_down()
    assert not reports, "sanitizer reports in the daemon's log:\n" + reports


def call(server, source, target="InitiateAuth", payload=None, xff=None,
         headers=None):
    """An unsigned API call from a loopback source address."""
    c = http.client.HTTPConnection("127.0.0.1", server.http_port,
                                   timeout=10, source_address=(source, 0))
    h = {"Content-Type": "application/x-amz-json-1.1",
         "X-Amz-Target": "AWSCognitoIdentityProviderService." + target}
    if xff is not None:
        h["X-Forwarded-For"] = xff
    h.update(headers or {})
    body = json.dumps(payload if payload is not None else {
        "ClientId": "nosuchclient", "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "u", "PASSWORD": "p"}}).encode()
    try:
        c.request("POST", "/", body, h)
        r = c.getresponse()
        return r.status, json.loads(r.read() or b"{}")
    finally:
        c.close()


def page(server, source, path="/no-such-domain/login", xff=None):
    c = http.client.HTTPConnection("127.0.0.1", server.http_port,
                                   timeout=10, source_address=(source, 0))
    try:
        c.request("GET", path, headers={"X-Forwarded-For": xff} if xff
                  else {})
        r = c.getresponse()
        return r.status, r.read(), dict((k.lower(), v)
                                        for k, v in r.getheaders())
    finally:
        c.close()


def throttled(answer):
    """Throttled as AWS answers it: 400 (every client fault is), the
    exception named in the body."""
    status, out = answer
    return status == 400 and out.get("__type") == "TooManyRequestsException"


def served_before_throttled(fn, most=BURST * 3):
    """Calls of fn answered before the first refusal. The bucket gains a
    token a second, so on a slow machine a few more than the burst get
    through."""
    for n in range(most):
        if fn():
            return n
    raise AssertionError("never throttled in %d calls" % most)


def assert_burst(n):
    assert BURST <= n < BURST * 3, n


def test_unsigned_api_limited_per_address(limited):
    src = "127.0.0.3"
    last = []
    assert_burst(served_before_throttled(
        lambda: throttled(last.append(call(limited, src)) or last[-1])))
    assert last[-1][1]["message"] == "Rate exceeded", last[-1]
    # Another address has its own allowance.
    assert not throttled(call(limited, "127.0.0.4"))
    # The bucket refills at address_rate.
    time.sleep(1.3)
    assert not throttled(call(limited, src))
    assert served_before_throttled(
        lambda: throttled(call(limited, src))) < 3


def test_signed_api_not_limited(limited):
    """Admin calls carry a key: an address out of tokens still makes
    them (here from 127.0.0.1, as the AWS CLI and boto3 do)."""
    idp = limited.boto3()
    errors = []

    def refused():
        try:
            idp.initiate_auth(ClientId="nosuchclient",
                              AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "u",
                                              "PASSWORD": "p"})
        except botocore.exceptions.ClientError as e:
            errors.append(e.response)
            return e.response["Error"]["Code"] == \
                "TooManyRequestsException"
        return False

    assert_burst(served_before_throttled(refused))
    assert errors[-1]["ResponseMetadata"]["HTTPStatusCode"] == 400
    for _ in range(BURST + 2):
        assert "UserPools" in idp.list_user_pools(MaxResults=1)


def test_forwarded_for_ignored_from_untrusted_peer(limited):
    """A client cannot pick a fresh address for each request by writing
    X-Forwarded-For itself."""
    src = "127.0.0.5"
    fresh = iter(range(1000))
    assert_burst(served_before_throttled(lambda: throttled(
        call(limited, src, xff="198.51.100.%d" % next(fresh)))))


def test_forwarded_for_from_trusted_proxy(limited):
    """Behind the trusted proxy each client has its own allowance, and
    the proxy's own address is not what is counted."""
    assert_burst(served_before_throttled(lambda: throttled(
        call(limited, PROXY, xff="198.51.100.1"))))
    # Another client through the same proxy.
    assert not throttled(call(limited, PROXY, xff="198.51.100.2"))
    # The proxy's own hops are skipped: the client is the rightmost
    # address that is not a trusted proxy.
    assert throttled(call(limited, PROXY,
                          xff="203.0.113.9, 198.51.100.1, 10.1.1.1"))
    # Two header lines are one list.
    assert throttled(call(limited, PROXY, xff="198.51.100.1",
                          headers={"x-forwarded-for": "10.2.2.2"}))


def test_request_log_names_forwarded_client(limited):
    call(limited, PROXY, target="SignUp", xff="198.51.100.77",
         payload={"ClientId": "nosuchclient", "Username": "u",
                  "Password": "p"})
    deadline = time.monotonic() + 5
    while "198.51.100.77" not in limited.log_text():
        assert time.monotonic() < deadline, limited.log_tail()
        time.sleep(0.1)
    line = [ln for ln in limited.log_text().splitlines()
            if "198.51.100.77" in ln][-1]
    assert "SignUp" in line and PROXY not in line, line


def test_pages_limited_with_friendly_429(limited):
    src = "127.0.0.6"
    last = []
    assert_burst(served_before_throttled(
        lambda: (last.append(page(limited, src)) or last[-1])[0] == 429))
    status, body, headers = last[-1]
    assert b"Wait a few seconds" in body, body
    assert headers["content-type"].startswith("text/html")
    assert "retry-after" in headers
    # The OAuth2 token endpoint is for clients with a secret: not counted.
    c = http.client.HTTPConnection("127.0.0.1", limited.http_port,
                                   timeout=10, source_address=(src, 0))
    try:
        c.request("POST", "/no-such-domain/oauth2/token",
                  "grant_type=client_credentials",
                  {"Content-Type": "application/x-www-form-urlencoded"})
        assert c.getresponse().status != 429
    finally:
        c.close()


def test_the_429_page_is_the_pool_s_error_page(limited):
    """The refusal is the hosted UI's error page, styled as the others
    (the pool's stylesheet for the client in the link), not a bare
    one."""
    src = "127.0.0.8"
    path = "/no-such-domain/login?client_id=someclient"
    last = []
    assert_burst(served_before_throttled(
        lambda: (last.append(page(limited, src, path)) or last[-1])[0]
        == 429))
    status, body, headers = last[-1]
    assert b"Wait a few seconds" in body, body
    assert b'class="error errorMessage-customizable"' in body, body
    assert b"/no-such-domain/ui/custom.css?client_id=someclient" in body
    assert headers["retry-after"] == "5"
    assert headers["cache-control"] == "no-store"


def test_pages_behind_trusted_proxy(limited):
    assert_burst(served_before_throttled(
        lambda: page(limited, PROXY, xff="198.51.100.50")[0] == 429))
    assert page(limited, PROXY, xff="198.51.100.51")[0] != 429


def test_bad_trusted_proxies_stop_start_up(limited, tmp_path):
    import subprocess
    from conftest import daemon_env
    r = subprocess.run([limited.bin, "-n", "--trusted_proxies=10.0.0.0/40"],
                       env=daemon_env(), capture_output=True, text=True,
                       timeout=30)
    assert r.returncode != 0
    assert "trusted_proxies" in r.stdout + r.stderr
