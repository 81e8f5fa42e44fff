"""The HTTPS transport (src/http/tls.c) against the real daemon.

Real clients over loopback: curl and `openssl s_client` as subprocesses,
and raw sockets for what no polite client sends. The `server` fixture
(conftest.py) provides server.https, server.http, server.cacert and
server.state_dir.

libevent 2.1.12 needed four workarounds in the TLS glue; each has a
regression test named after it (see the comment atop src/http/tls.c):

  pitfall 1: the first reply on a connection was never sent;
  pitfall 2: the obvious fix for 1 crashed when evhttp closed the
             connection from a deferred callback;
  pitfall 3: failed handshakes stayed open until the idle timeout;
  pitfall 4: replies to "Connection: close" and HTTP/1.0 (and evhttp's
             own error pages) were lost when evhttp closed the socket.

Nothing here needs data in the daemon: /health, the issuer paths of a
pool that does not exist, and the JSON API's errors carry the bytes.
"""

import json
import os
import re
import socket
import ssl
import stat
import subprocess
import time
import urllib.parse

import pytest

CURL_TIMEOUT = 60
# A failed handshake must close well before the idle timeout (60 s by
# default, and at least several seconds in any sane configuration).
PROMPT = 2.0
BIG = 4 * 1024 * 1024
NO_POOL = "us-east-1_NoSuchPool0"

# OpenSSL's names of the suites the server may pick: ECDHE with AEAD.
AEAD_SUITES = {
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-CHACHA20-POLY1305",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES256-GCM-SHA384",
}


# -- helpers ----------------------------------------------------------

def https_port(server):
    return urllib.parse.urlsplit(server.https).port


def https_url(server, path, host="localhost"):
    return "https://%s:%d%s" % (host, https_port(server), path)


def run(cmd, stdin=b"", timeout=CURL_TIMEOUT + 10):
    return subprocess.run(cmd, input=stdin, capture_output=True,
                          timeout=timeout)


def curl(server, *args, timeout=CURL_TIMEOUT):
    """curl verifying the daemon's certificate; the CompletedProcess."""
    return run(["curl", "-sS", "--cacert", server.cacert, "--max-time",
                str(timeout)] + [str(a) for a in args], timeout=timeout + 10)


class Fetched:
    """One transfer of a curl run: status, headers, body, new connects."""

    def __init__(self, status, headers, body, connects):
        self.status = status
        self.headers = headers
        self.body = body
        self.connects = connects

    def complete(self):
        """The whole body arrived, as Content-Length announced."""
        n = self.headers.get("content-length")
        return n is not None and int(n) == len(self.body)

    def __repr__(self):
        return "<Fetched %d %r %r>" % (self.status, self.headers,
                                       self.body[:200])


def parse_head(raw):
    """Status and lowercased headers of the last head in a -D dump
    (curl writes the 100 Continue head there too)."""
    heads = [h for h in re.split(rb"\r\n\r\n", raw) if h.strip()]
    lines = heads[-1].decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers


def fetch(server, tmp_path, transfers, *common, timeout=CURL_TIMEOUT):
    """Run the transfers in one curl run, so on one connection when it
    can be kept; a Fetched each. A transfer is a URL or (URL, [curl
    options for it alone]); common options apply to all of them."""
    args = []
    files = []
    for i, t in enumerate(transfers):
        url, own = (t, []) if isinstance(t, str) else t
        body = tmp_path / ("body.%d" % i)
        head = tmp_path / ("head.%d" % i)
        files.append((head, body))
        if i > 0:
            # --next starts over: per-transfer options again.
            args += ["--next", "--cacert", server.cacert, "--max-time",
                     str(timeout)]
        args += ["-w", "%{num_connects}\\n", "-D", str(head), "-o",
                 str(body)] + list(common) + list(own) + [url]
    r = curl(server, *args, timeout=timeout)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    connects = [int(x) for x in r.stdout.split()]
    assert len(connects) == len(transfers), (r.stdout, r.stderr)
    out = []
    for (head, body), n in zip(files, connects):
        status, headers = parse_head(head.read_bytes())
        out.append(Fetched(status, headers, body.read_bytes(), n))
    return out


def s_client(server, *args, stdin=b"", timeout=20):
    """openssl s_client to the HTTPS port; (elapsed seconds, output)."""
    cmd = ["openssl", "s_client", "-connect",
           "127.0.0.1:%d" % https_port(server), "-servername", "localhost",
           "-CAfile", server.cacert] + list(args)
    t0 = time.monotonic()
    r = run(cmd, stdin=stdin, timeout=timeout)
    out = (r.stdout + r.stderr).decode(errors="replace")
    return time.monotonic() - t0, out


def session_field(out, name):
    m = re.search(r"^\s*%s\s*:\s*(\S+)" % re.escape(name), out, re.M)
    return m.group(1) if m else None


def closes_within(server, payload, limit):
    """Send payload raw to the HTTPS port; seconds until the server
    closed (EOF or reset), or None if it was still open after limit."""
    s = socket.create_connection(("127.0.0.1", https_port(server)),
                                 timeout=limit)
    try:
        t0 = time.monotonic()
        s.sendall(payload)
        while True:
            try:
                if not s.recv(65536):
                    break
            except ConnectionResetError:
                break
            except socket.timeout:
                return None
            if time.monotonic() - t0 > limit:
                return None
        return time.monotonic() - t0
    finally:
        s.close()


def assert_healthy(server):
    r = curl(server, "-o", "/dev/null", "-w", "%{http_code}",
             server.https + "/health", timeout=10)
    assert r.stdout == b"200", (r.stdout, r.stderr)


@pytest.fixture(scope="module")
def big_body(tmp_path_factory):
    """A 4 MiB JSON object for POST /: big, well-formed, and wrong."""
    path = tmp_path_factory.mktemp("tls") / "big.json"
    filler = "x" * (BIG - 64)
    path.write_text(json.dumps({"Filler": filler}))
    return path


API_HEADERS = (
    "-H", "Content-Type: application/x-amz-json-1.1",
    "-H", "X-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools",
)


def assert_api_error(f):
    """A complete JSON API error reply."""
    assert 400 <= f.status < 500, f
    assert f.complete(), f
    if "json" in f.headers.get("content-type", ""):
        body = json.loads(f.body)
        assert body.get("__type"), body


# -- certificate ------------------------------------------------------

def test_health_over_https(server):
    r = curl(server, "-w", "\\n%{http_code} %{ssl_verify_result}",
             server.https + "/health")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == b"200 0"


def test_certificate_verifies_for_localhost_and_127_0_0_1(server):
    for host in ("localhost", "127.0.0.1"):
        r = curl(server, "-o", "/dev/null", "-w", "%{http_code}",
                 https_url(server, "/health", host))
        assert r.returncode == 0, (host, r.stderr)
        assert r.stdout == b"200", host


def test_certificate_rejected_for_other_names(server):
    # Same address, a name the certificate does not carry.
    r = curl(server, "-o", "/dev/null", "--resolve",
             "not-in-cert.invalid:%d:127.0.0.1" % https_port(server),
             https_url(server, "/health", "not-in-cert.invalid"))
    assert r.returncode == 60, r.stderr  # peer certificate mismatch
    assert_healthy(server)


def test_self_signed_certificate_fields(server):
    r = run(["openssl", "x509", "-in", server.cacert, "-noout", "-text"])
    assert r.returncode == 0, r.stderr
    text = r.stdout.decode()
    assert "prime256v1" in text or "P-256" in text, text
    assert "ecdsa-with-SHA256" in text
    assert "CA:FALSE" in text
    san = text[text.index("Subject Alternative Name"):]
    san = san.splitlines()[1]
    for name in ("DNS:localhost", "IP Address:127.0.0.1",
                 "IP Address:0:0:0:0:0:0:0:1"):
        assert name in san, san
    r = run(["openssl", "x509", "-in", server.cacert, "-noout",
             "-startdate", "-enddate"])
    dates = dict(line.split("=", 1)
                 for line in r.stdout.decode().splitlines())

    def epoch(s):
        return time.mktime(time.strptime(s, "%b %d %H:%M:%S %Y %Z"))
    years = (epoch(dates["notAfter"]) - epoch(dates["notBefore"])) \
        / (365.25 * 86400)
    assert 9.9 < years < 10.1, dates


def test_private_key_file_mode(server):
    key = os.path.join(os.path.dirname(server.cacert), "key.pem")
    if not os.path.exists(key):
        pytest.skip("key is not beside the certificate")
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert "PRIVATE KEY" not in open(server.cacert).read()


# -- protocol ---------------------------------------------------------

def test_negotiates_tls12_x25519_aead(server):
    _, out = s_client(server, "-alpn", "http/1.1")
    assert session_field(out, "Protocol") == "TLSv1.2", out
    assert session_field(out, "Cipher") in AEAD_SUITES, out
    assert "Server Temp Key: X25519" in out, out
    assert "Verify return code: 0 (ok)" in out, out
    assert "ALPN protocol: http/1.1" in out, out


def test_alpn_offers_http10_too(server):
    # curl --http1.0 offers only http/1.0; a mismatch would be fatal.
    _, out = s_client(server, "-alpn", "http/1.0")
    assert "ALPN protocol: http/1.0" in out, out


def test_weak_protocols_and_suites_refused(server):
    cases = [
        ("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"),
        ("-tls1_2", "-cipher", "AES128-GCM-SHA256"),   # no ECDHE
        ("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256"),  # CBC
        ("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"),  # CBC, SHA-1
    ]
    for args in cases:
        elapsed, out = s_client(server, *args)
        assert session_field(out, "Cipher") in (None, "0000", "(NONE)"), \
            (args, out)
        assert "Cipher is (NONE)" in out or "no protocols" in out or \
            "no ciphers" in out, (args, out)
        assert elapsed < PROMPT + 1, (args, elapsed)
    assert_healthy(server)


def test_session_ticket_resumption(server, tmp_path):
    """A ticket from one handshake resumes the next one. Each worker
    has its own ticket key, so a resumption that lands on another
    worker makes a full handshake: try a few times."""
    sess = tmp_path / "sess.pem"
    reused = 0
    for _ in range(12):
        _, out = s_client(server, "-sess_out", str(sess))
        assert "TLS session ticket lifetime hint" in out, out
        _, out = s_client(server, "-sess_in", str(sess))
        assert session_field(out, "Protocol") == "TLSv1.2", out
        if re.search(r"^Reused, ", out, re.M):
            reused += 1
            if reused >= 2:
                break
    assert reused >= 1


def test_keepalive_several_requests_one_handshake(server, tmp_path):
    urls = [server.https + "/health"] * 3 + \
        [server.https + "/%s/.well-known/jwks.json" % NO_POOL]
    got = fetch(server, tmp_path, urls)
    assert [f.connects for f in got] == [1, 0, 0, 0], got
    assert [f.status for f in got[:3]] == [200, 200, 200]
    assert 400 <= got[3].status < 500 and got[3].complete(), got[3]


def test_parallel_requests(server):
    n = 50
    args = ["-Z", "--parallel-max", str(n), "-w", "%{http_code}\\n"]
    for i in range(n):
        path = "/health" if i % 2 else \
            "/%s/.well-known/openid-configuration" % NO_POOL
        args += ["-o", "/dev/null", server.https + path]
    r = curl(server, *args)
    assert r.returncode == 0, r.stderr
    codes = r.stdout.split()
    assert len(codes) == n
    assert codes.count(b"200") == n // 2, codes
    assert all(c == b"200" or c.startswith(b"4") for c in codes), codes


def test_plain_http_unaffected(server):
    """The server calls the TLS per-request hook on plain HTTP too."""
    for extra in ((), ("-H", "Connection: close"), ("--http1.0",)):
        r = curl(server, "-o", "/dev/null", "-w", "%{http_code}",
                 *extra, server.http + "/health")
        assert r.stdout == b"200", (extra, r.stderr)


# -- pitfall 1: the first reply on a connection -----------------------

def test_pitfall1_first_response_not_stuck(server):
    # Each on a fresh connection: a stuck first reply would wait for
    # the idle timeout. The API call is answered after the body is
    # read; the others at once.
    for path, extra in (("/health", ()),
                        ("/%s/.well-known/jwks.json" % NO_POOL, ()),
                        ("/", API_HEADERS + ("--data-binary", "{}"))):
        t0 = time.monotonic()
        r = curl(server, "-o", "/dev/null", "-w", "%{http_code}",
                 *extra, server.https + path, timeout=10)
        elapsed = time.monotonic() - t0
        assert r.returncode == 0, (path, r.stderr)
        assert elapsed < PROMPT, (path, elapsed)


def test_pitfall1_reply_after_keepalive_idle_gap(server):
    """The second reply on a connection, after the first had gone and
    the connection sat idle, is not stuck either."""
    ctx = ssl.create_default_context(cafile=server.cacert)
    raw = socket.create_connection(("127.0.0.1", https_port(server)),
                                   timeout=10)
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    try:
        for _ in range(3):
            s.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
            t0 = time.monotonic()
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                assert chunk, data
                data += chunk
            assert data.startswith(b"HTTP/1.1 200"), data
            assert time.monotonic() - t0 < PROMPT
            head, _, body = data.partition(b"\r\n\r\n")
            n = int(re.search(rb"(?im)^content-length:\s*(\d+)",
                              head).group(1))
            while len(body) < n:
                body += s.recv(65536)
            time.sleep(0.3)
    finally:
        s.close()


# -- pitfall 2: closing from a deferred callback ----------------------

def test_pitfall2_close_and_keepalive_mixed_no_crash(server):
    """Connections that evhttp closes after the reply, mixed with kept
    ones, in parallel: the daemon must stay up (a crash would also show
    as sanitizer reports at the end of the session)."""
    procs = []
    for extra in ((), ("-H", "Connection: close"), ("--http1.0",)):
        args = ["curl", "-sS", "--cacert", server.cacert, "--max-time",
                str(CURL_TIMEOUT), "-Z", "--parallel-max", "20",
                "-w", "%{http_code}\\n"] + list(extra)
        for i in range(40):
            path = "/health" if i % 3 else \
                "/%s/.well-known/jwks.json" % NO_POOL
            args += ["-o", "/dev/null", server.https + path]
        procs.append(subprocess.Popen(args, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE))
    for p in procs:
        out, err = p.communicate(timeout=CURL_TIMEOUT + 10)
        assert p.returncode == 0, err
        codes = out.split()
        assert len(codes) == 40 and codes.count(b"200") == 26, codes
    assert_healthy(server)


# -- pitfall 3: failed handshakes -------------------------------------

HANDSHAKE_JUNK = {
    "plain_http": b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n",
    "garbage": bytes(range(256)) * 4,
    "zeros": b"\0" * 512,
    # A handshake record holding a ClientHello that is not one.
    "bad_client_hello": bytes([0x16, 3, 1, 0, 8, 1, 0, 0, 4]) + b"\xff" * 4,
    # An SSLv2-style hello.
    "sslv2_hello": bytes([0x80, 0x2e, 0x01, 0x00, 0x02]) + b"\0" * 45,
}


@pytest.mark.parametrize("name", sorted(HANDSHAKE_JUNK))
def test_pitfall3_failed_handshake_closes_promptly(server, name):
    elapsed = closes_within(server, HANDSHAKE_JUNK[name], PROMPT)
    assert elapsed is not None, "%s: still open after %.1f s" % (name, PROMPT)
    assert_healthy(server)


def test_pitfall3_rejected_protocol_version_closes_promptly(server):
    elapsed, out = s_client(server, "-tls1_1", "-cipher",
                            "DEFAULT@SECLEVEL=0")
    assert elapsed < PROMPT + 1, elapsed
    assert "Cipher is (NONE)" in out or "no protocols" in out, out


def test_pitfall3_client_aborting_handshake(server, tmp_path):
    """A client that does not trust the certificate aborts with a fatal
    alert; the server drops the connection and stays healthy."""
    other = tmp_path / "other.pem"
    r = run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:P-256", "-nodes", "-keyout",
             str(tmp_path / "other.key"), "-out", str(other), "-days", "1",
             "-subj", "/CN=someone else"])
    assert r.returncode == 0, r.stderr
    cmd = ["openssl", "s_client", "-connect",
           "127.0.0.1:%d" % https_port(server), "-servername", "localhost",
           "-CAfile", str(other), "-verify_return_error"]
    for _ in range(3):
        t0 = time.monotonic()
        r = run(cmd, timeout=20)
        out = (r.stdout + r.stderr).decode(errors="replace")
        assert "certificate verify failed" in out, out
        assert time.monotonic() - t0 < PROMPT + 1
    assert_healthy(server)


# -- pitfall 4: replies lost when evhttp closes -----------------------

MODES = {
    "keepalive": (),
    "connection_close": ("-H", "Connection: close"),
    "http10": ("--http1.0",),
}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_pitfall4_connection_close_body_complete(server, tmp_path, mode,
                                                 big_body):
    """Every reply arrives whole whether the client keeps the connection
    or not; the 4 MiB request body makes the reply wait for a long read
    and the JSON error come back on a busy connection."""
    post = API_HEADERS + ("--data-binary", "@%s" % big_body)
    got = fetch(server, tmp_path, [
        server.https + "/health",
        server.https + "/%s/.well-known/jwks.json" % NO_POOL,
        (server.https + "/", post),
        server.https + "/health",
    ], *MODES[mode])
    for i in (0, 3):
        assert got[i].status == 200 and got[i].complete(), got[i]
    assert 400 <= got[1].status < 500 and got[1].complete(), got[1]
    assert_api_error(got[2])


@pytest.mark.parametrize("mode", sorted(MODES))
def test_big_upload_sent_slowly(server, tmp_path, mode, big_body):
    """The same 4 MiB upload at a trickle: the input side of the TLS
    glue keeps up across many reads, and the reply arrives whole."""
    got = fetch(server, tmp_path, [(server.https + "/", [
        "--limit-rate", "4M", "--data-binary", "@%s" % big_body])],
        *(MODES[mode] + API_HEADERS))
    assert_api_error(got[0])
    assert_healthy(server)


def test_pitfall4_evhttp_413_arrives(server, tmp_path):
    """evhttp answers an oversized body itself, then closes: the 413 must
    reach the client before the socket goes. With Expect: 100-continue
    the body is never sent, so the close cannot reset the reply."""
    body = tmp_path / "huge.bin"
    with open(body, "wb") as f:
        f.truncate(64 * 1024 * 1024)
    got = fetch(server, tmp_path, [server.https + "/"], *API_HEADERS,
                "-H", "Expect: 100-continue", "--data-binary",
                "@%s" % body)
    assert got[0].status == 413, got[0]
    assert got[0].complete(), got[0]
    assert_healthy(server)


def test_pitfall4_evhttp_400_arrives(server):
    """evhttp answers a malformed request itself, with Connection:
    close, before any handler has run on the connection."""
    ctx = ssl.create_default_context(cafile=server.cacert)
    raw = socket.create_connection(("127.0.0.1", https_port(server)),
                                   timeout=10)
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    try:
        s.sendall(b"NOT A REQUEST LINE AT ALL\r\n\r\n")
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ssl.SSLEOFError, ConnectionResetError):
                break
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    assert data.startswith(b"HTTP/1.1 400"), data
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    assert m is None or int(m.group(1)) == len(body), data
    assert_healthy(server)
