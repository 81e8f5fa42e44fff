"""HTTP limits with raw sockets: a body framed by both Content-Length and
Transfer-Encoding, a client that sends its headers or body too slowly,
more connections than max_connections, oversized bodies, and TLS
connections that ask to be closed.

The daemon here runs one worker with small limits (8 connections, 2 s
for the headers, 3 s for the body), so the figures are exact.
"""

import http.client
import json
import socket
import ssl
import time

import pytest

from conftest import Server

MAX_CONNECTIONS = 8
HEADER_TIMEOUT = 2
BODY_TIMEOUT = 3
# The janitor looks once a second; allow for it and a busy machine.
SLACK = 2.5


@pytest.fixture(scope="module")
def limited():
    srv = Server(extra_args=[
        "--workers=1",
        "--max_connections=%d" % MAX_CONNECTIONS,
        "--header_timeout=%d" % HEADER_TIMEOUT,
        "--body_timeout=%d" % BODY_TIMEOUT,
    ])
    srv.start_or_clean()
    yield srv
    reports, _ = srv.shut_down()
    assert not reports, "sanitizer reports in the daemon's log:\n" + reports


def raw(server, scheme="http", timeout=10):
    port = server.https_port if scheme == "https" else server.http_port
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    if scheme == "https":
        s = server.ssl_context().wrap_socket(s, server_hostname="localhost")
    return s


def read_all(s, timeout=10):
    """Everything until the server closes (b'' on a reset)."""
    s.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, ssl.SSLError):
            break
        if not chunk:
            break
        data += chunk
    return data


def closed_within(s, seconds):
    """Wait for the server to close s; the time it took, or None."""
    t0 = time.monotonic()
    s.settimeout(seconds)
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return time.monotonic() - t0
    except (ConnectionResetError, ssl.SSLError):
        return time.monotonic() - t0
    except socket.timeout:
        return None


def status_of(data):
    line = data.split(b"\r\n", 1)[0]
    assert line.startswith(b"HTTP/1."), data[:200]
    return int(line.split()[1])


def health(server, scheme="http"):
    return server.request("GET", "/health", scheme=scheme).status == 200


# -- framing ----------------------------------------------------------

@pytest.mark.parametrize("scheme", ["http", "https"])
def test_content_length_with_transfer_encoding_refused(limited, scheme):
    s = raw(limited, scheme)
    try:
        s.sendall(b"POST / HTTP/1.1\r\nHost: localhost\r\n"
                  b"Content-Type: application/x-amz-json-1.1\r\n"
                  b"X-Amz-Target: AWSCognitoIdentityProviderService."
                  b"ListUserPools\r\n"
                  b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"0\r\n\r\n")
        data = read_all(s)
    finally:
        s.close()
    assert status_of(data) == 400, data
    assert b"connection: close" in data.lower(), data
    assert health(limited, scheme)


def test_unknown_transfer_coding_refused(limited):
    s = raw(limited)
    try:
        s.sendall(b"POST / HTTP/1.1\r\nHost: localhost\r\n"
                  b"Transfer-Encoding: gzip\r\n\r\n")
        data = read_all(s)
    finally:
        s.close()
    assert status_of(data) == 400, data


def test_chunked_alone_still_works(limited):
    body = b'{"MaxResults": 1}'
    s = raw(limited)
    try:
        s.sendall(b"POST / HTTP/1.1\r\nHost: localhost\r\n"
                  b"Content-Type: application/x-amz-json-1.1\r\n"
                  b"X-Amz-Target: AWSCognitoIdentityProviderService."
                  b"ListUserPools\r\nConnection: close\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n"
                  + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
        data = read_all(s)
    finally:
        s.close()
    # Unsigned: the API's own refusal, not the framing's.
    assert status_of(data) == 400, data
    assert b"MissingAuthenticationTokenException" in data, data


# -- slow clients -----------------------------------------------------

@pytest.mark.parametrize("scheme", ["http", "https"])
def test_slow_headers_cut_at_deadline(limited, scheme):
    """A client that trickles header lines (slowloris) is cut once its
    headers have taken header_timeout, however busy it keeps the line."""
    s = raw(limited, scheme)
    try:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n")
        t0 = time.monotonic()
        cut = None
        while time.monotonic() - t0 < HEADER_TIMEOUT + SLACK + 2:
            try:
                s.sendall(b"X-Slow: a\r\n")
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                cut = time.monotonic() - t0
                break
            waited = closed_within(s, 0.3)
            if waited is not None:
                cut = time.monotonic() - t0
                break
    finally:
        s.close()
    assert cut is not None, "slow headers were never cut"
    assert HEADER_TIMEOUT - 0.5 <= cut <= HEADER_TIMEOUT + SLACK, cut
    assert health(limited, scheme)


def test_silent_connection_cut_at_header_deadline(limited):
    s = raw(limited)
    try:
        took = closed_within(s, HEADER_TIMEOUT + SLACK + 2)
    finally:
        s.close()
    assert took is not None and took <= HEADER_TIMEOUT + SLACK, took


def test_slow_body_cut_at_deadline(limited):
    s = raw(limited)
    try:
        s.sendall(b"POST / HTTP/1.1\r\nHost: localhost\r\n"
                  b"Content-Type: application/x-amz-json-1.1\r\n"
                  b"X-Amz-Target: AWSCognitoIdentityProviderService."
                  b"ListUserPools\r\nContent-Length: 1000\r\n\r\n")
        t0 = time.monotonic()
        cut = None
        while time.monotonic() - t0 < BODY_TIMEOUT + SLACK + 2:
            try:
                s.sendall(b" ")
            except (BrokenPipeError, ConnectionResetError):
                cut = time.monotonic() - t0
                break
            if closed_within(s, 0.3) is not None:
                cut = time.monotonic() - t0
                break
    finally:
        s.close()
    assert cut is not None, "slow body was never cut"
    # The body has its own, longer, deadline.
    assert BODY_TIMEOUT - 0.5 <= cut <= BODY_TIMEOUT + SLACK, cut


def test_slow_but_in_time_request_served(limited):
    """Headers in three pieces, the body a second later: within both
    deadlines, so it is answered; then the kept-alive connection idles
    past header_timeout without being cut, and serves again."""
    s = raw(limited)
    try:
        for piece in (b"GET /health HTTP/1.1\r\n", b"Host: localhost\r\n",
                      b"\r\n"):
            s.sendall(piece)
            time.sleep(0.4)
        s.settimeout(10)
        data = s.recv(65536)
        assert status_of(data) == 200, data
        time.sleep(HEADER_TIMEOUT + SLACK)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n"
                  b"Connection: close\r\n\r\n")
        data = read_all(s)
        assert status_of(data) == 200, data
    finally:
        s.close()


# -- max_connections --------------------------------------------------

def open_kept(server, n, scheme):
    """n connections that each made a request and stay open."""
    conns = []
    for _ in range(n):
        c = server.connection(scheme)
        c.request("GET", "/health")
        r = c.getresponse()
        r.read()
        assert r.status == 200
        conns.append(c)
    return conns


def refused(server, scheme):
    """Is a new connection closed before it can be served?"""
    try:
        s = raw(server, scheme, timeout=5)
    except (ssl.SSLError, ConnectionResetError, OSError):
        return True     # the TLS handshake was cut
    try:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        data = read_all(s, timeout=5)
    except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
        return True
    finally:
        s.close()
    return data == b""


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_max_connections_refuses_extra_keeps_established(limited, scheme):
    conns = open_kept(limited, MAX_CONNECTIONS, scheme)
    try:
        for _ in range(3):
            assert refused(limited, scheme)
        # The established connections are unharmed.
        for c in conns:
            c.request("GET", "/health")
            r = c.getresponse()
            assert r.status == 200 and r.read() == b"ok\n"
    finally:
        closing = conns.pop()
        closing.close()
    try:
        # One closed: room for one more.
        # (once the server has seen the close)
        deadline = time.monotonic() + 5
        while True:
            try:
                if health(limited, scheme):
                    break
            except (OSError, ssl.SSLError, http.client.HTTPException):
                pass
            assert time.monotonic() < deadline, "no room after a close"
            time.sleep(0.2)
    finally:
        for c in conns:
            c.close()
    deadline = time.monotonic() + 5
    while True:
        kept = []
        try:
            kept = open_kept(limited, MAX_CONNECTIONS, scheme)
            break
        except (AssertionError, OSError, http.client.HTTPException,
                ssl.SSLError):
            assert time.monotonic() < deadline, "connections not released"
            time.sleep(0.2)
        finally:
            for c in kept:
                c.close()


# -- body sizes -------------------------------------------------------

def test_api_body_over_256k_is_413(limited):
    body = json.dumps({"Filler": "x" * (300 * 1024)}).encode()
    r = limited.api("ListUserPools", raw_body=body, signed=False)
    assert r.status == 413, r
    # Under the limit it reaches the API.
    body = json.dumps({"Filler": "x" * (200 * 1024)}).encode()
    r = limited.api("ListUserPools", raw_body=body, signed=False)
    assert r.status == 400, r
    assert r.json()["__type"] == "MissingAuthenticationTokenException"


def test_413_is_a_page_for_people_and_json_for_oauth_clients(limited):
    """Over max_form_bytes a page answers with the hosted UI's error
    page (the pool's stylesheet for the client linked), the token
    endpoint with RFC 6749's JSON error."""
    form = b"username=a&password=" + b"p" * (70 * 1024)
    r = limited.request("POST", "/no-such-domain/login?client_id=abc", form,
                        {"Content-Type":
                         "application/x-www-form-urlencoded"})
    assert r.status == 413, r
    assert r.headers["content-type"].startswith("text/html"), r.headers
    assert b'class="error errorMessage-customizable"' in r.body, r.body
    assert b"/no-such-domain/ui/custom.css?client_id=abc" in r.body
    r = limited.request("POST", "/no-such-domain/oauth2/token",
                        b"grant_type=client_credentials&scope=" +
                        b"x" * (70 * 1024),
                        {"Content-Type":
                         "application/x-www-form-urlencoded"})
    assert r.status == 413, r
    assert r.headers["content-type"].startswith("application/json")
    assert json.loads(r.body)["error"] == "invalid_request", r.body


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_form_over_64k_is_413(limited, scheme):
    form = b"username=a&password=" + b"p" * (70 * 1024)
    r = limited.request("POST", "/no-such-domain/login", form,
                        {"Content-Type":
                         "application/x-www-form-urlencoded"},
                        scheme=scheme)
    assert r.status == 413, r
    assert b"too much" in r.body, r.body
    r = limited.request("POST", "/no-such-domain/login", form[:60 * 1024],
                        {"Content-Type":
                         "application/x-www-form-urlencoded"},
                        scheme=scheme)
    assert r.status != 413, r


# -- TLS honours Connection: close ------------------------------------

@pytest.mark.parametrize("request_head", [
    b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    b"GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n",
])
def test_tls_closes_when_asked(limited, request_head):
    """Over TLS the server closes after the reply when the client asks
    (or speaks HTTP/1.0), instead of keeping the connection to the idle
    timeout."""
    s = raw(limited, "https")
    try:
        s.sendall(request_head)
        t0 = time.monotonic()
        data = read_all(s, timeout=20)
        took = time.monotonic() - t0
    finally:
        s.close()
    assert status_of(data) == 200, data
    assert data.endswith(b"ok\n"), data
    assert took < 2, took
