"""The daemon as a whole: listeners, protocol edges, limits, signatures,
configuration checks, worker supervision and database outages."""

import json
import os
import re
import select
import signal
import socket
import ssl
import subprocess
import threading
import time

import pytest

from conftest import daemon_env, write_credentials

# It restarts PostgreSQL and runs `userpoold admin-key` on the state
# directory: its server keeps the embedded cluster of a first run.
pytestmark = pytest.mark.own_cluster

CLIENT_ERRORS = ("UnrecognizedClientException",
                 "MissingAuthenticationTokenException",
                 "NotAuthorizedException", "AccessDeniedException")
CORS_HEADERS = ("content-type", "x-amz-target", "x-amz-user-agent",
                "cache-control", "amz-sdk-invocation-id", "amz-sdk-request",
                "authorization", "x-amz-date", "x-amz-security-token")


def assert_json_error(r, status=400):
    assert r.status == status, r
    ctype = r.headers.get("content-type", "")
    assert ctype.startswith(("application/x-amz-json-1.1",
                             "application/json")), ctype
    body = r.json()
    assert isinstance(body.get("__type"), str) and body["__type"], body
    assert isinstance(body.get("message", body.get("Message")), str), body
    return body


def raw_exchange(server, head, body_len=0, scheme="http", timeout=10):
    """Send a request head and up to body_len bytes of body on a raw
    socket, stopping as soon as the server answers; the status code."""
    port = server.https_port if scheme == "https" else server.http_port
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    if scheme == "https":
        ctx = server.ssl_context()
        sock = ctx.wrap_socket(sock, server_hostname="localhost")
    try:
        sock.sendall(head)
        chunk = b"x" * 65536
        sent = 0
        while sent < body_len:
            if scheme == "http":
                readable, _, _ = select.select([sock], [], [], 0)
            else:
                readable = [sock] if sock.pending() else \
                    select.select([sock], [], [], 0)[0]
            if readable:
                break
            try:
                n = min(len(chunk), body_len - sent)
                sock.sendall(chunk[:n])
                sent += n
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                break
        data = b""
        deadline = time.monotonic() + timeout
        while b"\r\n" not in data and time.monotonic() < deadline:
            try:
                got = sock.recv(4096)
            except (ConnectionResetError, ssl.SSLError):
                break
            if not got:
                break
            data += got
        m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
        assert m, "no HTTP status line in %r" % data[:200]
        return int(m.group(1))
    finally:
        sock.close()


# -- listeners --------------------------------------------------------

def test_health_https(server):
    r = server.curl("-o", "/dev/null", "-w", "%{http_code}",
                    server.https + "/health")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "200"


def test_health_http(server):
    r = server.curl("-o", "/dev/null", "-w", "%{http_code}",
                    server.http + "/health")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "200"


def test_https_certificate_names(server):
    # The generated certificate is valid for localhost and 127.0.0.1.
    for host in ("localhost", "127.0.0.1"):
        r = server.curl("-o", "/dev/null", "-w", "%{http_code}",
                        "https://%s:%d/health" % (host, server.https_port))
        assert r.returncode == 0, (host, r.stderr)
        assert r.stdout == "200"


def test_aws_cli_with_generated_credentials(server):
    out = server.aws("list-user-pools", "--max-results", "10")
    assert isinstance(out.get("UserPools"), list), out


def test_signed_call_over_plain_http(server):
    r = server.api("ListUserPools", {"MaxResults": 10}, scheme="http")
    assert r.status == 200, r
    assert "UserPools" in r.json()


# -- protocol edges ---------------------------------------------------

def test_request_id_on_replies(server):
    client = server.boto3()
    a = client.list_user_pools(MaxResults=10)["ResponseMetadata"]
    b = client.list_user_pools(MaxResults=10)["ResponseMetadata"]
    assert a["RequestId"] and b["RequestId"]
    assert a["RequestId"] != b["RequestId"]
    assert a["HTTPHeaders"].get("x-amzn-requestid") == a["RequestId"]
    # Errors carry one too.
    r = server.api("NoSuchOperation", {})
    assert r.headers.get("x-amzn-requestid"), r.headers


def test_unknown_target(server):
    r = server.api("NoSuchOperation", {})
    body = assert_json_error(r)
    assert body["__type"] not in ("InternalErrorException",)


def test_target_without_service_prefix(server):
    r = server.request("POST", "/", b"{}", {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "SomethingElse.ListUserPools"})
    assert_json_error(r)


def test_malformed_json(server):
    r = server.api("ListUserPools", raw_body=b'{"MaxResults": ')
    body = assert_json_error(r)
    assert ("Serialization" in body["__type"]
            or body["__type"] == "InvalidParameterException"), body


def test_json_not_an_object(server):
    r = server.api("ListUserPools", raw_body=b'[1, 2, 3]')
    assert_json_error(r)


def test_cors_preflight(server):
    origin = "http://app.example.test"
    r = server.request("OPTIONS", "/", headers={
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": ",".join(CORS_HEADERS)})
    assert r.status in (200, 204), r
    assert r.headers.get("access-control-allow-origin") in ("*", origin)
    methods = r.headers.get("access-control-allow-methods", "").upper()
    assert "POST" in methods, r.headers
    allowed = [h.strip().lower() for h in
               r.headers.get("access-control-allow-headers", "").split(",")]
    if "*" not in allowed:
        missing = [h for h in CORS_HEADERS if h not in allowed]
        assert not missing, (missing, r.headers)


def test_cors_on_api_reply(server):
    origin = "http://app.example.test"
    r = server.api("NoSuchOperation", {}, signed=False)
    assert r.status == 400
    r = server.request("POST", "/", b"{}", {
        "Origin": origin,
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.NoSuchOperation"})
    assert r.headers.get("access-control-allow-origin") in ("*", origin)
    exposed = r.headers.get("access-control-expose-headers", "").lower()
    assert "x-amzn-requestid" in exposed, r.headers


# -- authentication of admin calls ------------------------------------

def test_unsigned_admin_call(server):
    r = server.api("ListUserPools", {"MaxResults": 10}, signed=False)
    assert 400 <= r.status < 500, r
    body = assert_json_error(r, r.status)
    assert body["__type"] in CLIENT_ERRORS, body


def test_wrong_secret(server, tmp_path):
    key_id, secret = server.admin_credentials()
    creds = str(tmp_path / "wrong-secret")
    write_credentials(creds, key_id, "x" + secret[1:] if not
                      secret.startswith("x") else "y" + secret[1:])
    name, msg = server.aws_error("list-user-pools", "--max-results", "10",
                                 env=server.aws_env(creds))
    assert name == "InvalidSignatureException", (name, msg)


def test_unknown_access_key(server, tmp_path):
    creds = str(tmp_path / "unknown-key")
    write_credentials(creds, "AKIAUNKNOWNKEY000000",
                      "abcdefghijklmnopqrstuvwxyz0123456789ABCD")
    name, msg = server.aws_error("list-user-pools", "--max-results", "10",
                                 env=server.aws_env(creds))
    assert name == "UnrecognizedClientException", (name, msg)


def test_signature_over_tampered_body(server):
    body = json.dumps({"MaxResults": 10}).encode()
    headers = server.sign("ListUserPools", body)
    r = server.request("POST", "/", json.dumps({"MaxResults": 11}).encode(),
                       headers)
    b = assert_json_error(r)
    assert b["__type"] == "InvalidSignatureException", b


def test_stale_signature(server):
    body = b'{"MaxResults": 1}'
    # A correct signature made an hour ago is outside the allowed skew.
    headers = server.sign("ListUserPools", body, when=time.time() - 3600)
    r = server.request("POST", "/", body, headers)
    assert 400 <= r.status < 500, r
    assert_json_error(r, r.status)
    # Ten minutes is within it.
    headers = server.sign("ListUserPools", body, when=time.time() - 600)
    assert server.request("POST", "/", body, headers).status == 200


# -- limits -----------------------------------------------------------

def _post_head(server, length, scheme):
    port = server.https_port if scheme == "https" else server.http_port
    return ("POST / HTTP/1.1\r\nHost: localhost:%d\r\n"
            "Content-Type: application/x-amz-json-1.1\r\n"
            "X-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools"
            "\r\nContent-Length: %d\r\n\r\n" % (port, length)).encode()


def test_body_too_large_http(server):
    n = 7 * 1024 * 1024
    assert raw_exchange(server, _post_head(server, n, "http"), n) == 413


def test_body_too_large_https(server):
    n = 7 * 1024 * 1024
    assert raw_exchange(server, _post_head(server, n, "https"), n,
                        scheme="https") == 413


def test_a_closed_connection_never_steals_the_next_ones_bytes(server):
    """A plain connection's socket was closed while its bufferevent still
    read it; the next connection got the same descriptor and lost its
    bytes to the stale event (no answer over HTTP, a corrupt TLS stream).
    Oversized bodies close their connections, so alternate them."""
    n = 7 * 1024 * 1024
    for _ in range(6):
        for scheme in ("http", "https"):
            assert raw_exchange(server, _post_head(server, n, scheme), n,
                                scheme=scheme) == 413, scheme


def test_headers_too_large(server):
    for scheme in ("http", "https"):
        head = ("GET /health HTTP/1.1\r\nHost: localhost\r\n"
                "X-Big: %s\r\n\r\n" % ("a" * 32768)).encode()
        assert raw_exchange(server, head, scheme=scheme) == 431, scheme


def test_headers_far_too_large(server):
    # Far past the limit evhttp itself gives up: an error or a closed
    # connection, and the worker lives on.
    head = ("GET /health HTTP/1.1\r\nHost: localhost\r\n"
            "X-Big: %s\r\n\r\n" % ("a" * 300000)).encode()
    try:
        status = raw_exchange(server, head)
        assert status >= 400, status
    except (AssertionError, OSError) as e:
        assert "no HTTP status line" in str(e) or isinstance(e, OSError), e
    assert health_ok(server)


def test_headers_below_limit(server):
    head = ("GET /health HTTP/1.1\r\nHost: localhost\r\n"
            "X-Big: %s\r\nConnection: close\r\n\r\n" % ("a" * 8192)).encode()
    assert raw_exchange(server, head) == 200


# -- configuration ----------------------------------------------------

def test_check_config_unknown_key(server, tmp_path):
    path = tmp_path / "bad.conf"
    path.write_text("# a comment\nworkers = 2\nno_such_key = 1\n")
    r = subprocess.run([server.bin, "-n", "-c", str(path)],
                       env=daemon_env(), capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "no_such_key" in r.stdout + r.stderr


def test_check_config_bad_value(server, tmp_path):
    path = tmp_path / "bad.conf"
    path.write_text("workers = lots\n")
    r = subprocess.run([server.bin, "-n", "-c", str(path)],
                       env=daemon_env(), capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "workers" in r.stdout + r.stderr


def test_check_config_unknown_env(server):
    r = subprocess.run([server.bin, "-n"],
                       env=daemon_env({"USERPOOLD_NO_SUCH_KEY": "1"}),
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "NO_SUCH_KEY" in (r.stdout + r.stderr).upper()


def test_check_config_good(server, tmp_path):
    path = tmp_path / "good.conf"
    path.write_text("state_dir = %s\nlisten_https = 127.0.0.1:%d\n"
                    "log_level = \"warn\"\n"
                    % (server.state_dir, server.https_port))
    r = subprocess.run([server.bin, "-n", "-c", str(path),
                        "--workers=3"], env=daemon_env(),
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)


def test_config_example_is_current(server, tmp_path):
    # contrib/userpoold.conf.example is generated from the binary; it
    # must name every key, and its uncommented form must check clean.
    r = subprocess.run([server.bin, "--print-config-example"],
                       env=daemon_env(), capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, r.stderr
    keys = re.findall(r"(?m)^#([a-z_]+) =", r.stdout)
    assert "state_dir" in keys and "database_url" in keys, keys
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), "contrib", "userpoold.conf.example")
    with open(path) as f:
        example = f.read()
    assert re.findall(r"(?m)^#([a-z_]+) =", example) == keys, \
        "regenerate contrib/userpoold.conf.example"
    conf = tmp_path / "all.conf"
    conf.write_text(re.sub(r"(?m)^#([a-z_]+ =)", r"\1", r.stdout))
    r = subprocess.run([server.bin, "-n", "-c", str(conf)],
                       env=daemon_env(), capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, (r.stdout, r.stderr)


# -- admin keys -------------------------------------------------------

def admin_key(server, *args):
    return subprocess.run(
        [server.bin, "--state_dir=%s" % server.state_dir, "admin-key"]
        + list(args), env=daemon_env(), capture_output=True, text=True,
        timeout=60)


def parse_created_key(out):
    """(id, secret) from admin-key create's output."""
    kid = re.search(r"\b(AKIA[A-Z0-9]{12,})\b", out) or \
        re.search(r"(?im)^\s*(?:aws_access_key_id|access key id|id)\s*[:=]"
                  r"\s*(\S+)", out)
    sec = re.search(r"(?im)^\s*(?:aws_secret_access_key|secret access key|"
                    r"secret)\s*[:=]\s*(\S+)", out)
    assert kid and sec, "cannot find the id and secret in %r" % out
    return kid.group(1), sec.group(1)


def test_admin_key_lifecycle(server, tmp_path):
    r = admin_key(server, "create")
    assert r.returncode == 0, (r.stdout, r.stderr)
    key_id, secret = parse_created_key(r.stdout)

    creds = str(tmp_path / "new-key")
    write_credentials(creds, key_id, secret)
    env = server.aws_env(creds)
    assert "UserPools" in server.aws("list-user-pools", "--max-results",
                                     "10", env=env)

    r = admin_key(server, "list")
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert key_id in r.stdout
    assert secret not in r.stdout

    r = admin_key(server, "delete", key_id)
    assert r.returncode == 0, (r.stdout, r.stderr)
    r = admin_key(server, "list")
    assert r.returncode == 0 and key_id not in r.stdout, r.stdout

    # A deleted key stops working (allow a cache a few seconds).
    deadline = time.monotonic() + 10
    while True:
        res = server._aws_run(["list-user-pools", "--max-results", "10"],
                              env)
        if res.returncode != 0 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert res.returncode != 0, "deleted key still accepted"
    assert "UnrecognizedClientException" in res.stderr, res.stderr


def test_admin_key_delete_unknown(server):
    r = admin_key(server, "delete", "AKIANOSUCHKEY0000000")
    assert r.returncode != 0


# -- supervision and outages ------------------------------------------

def health_ok(server, timeout=5):
    try:
        return server.request("GET", "/health", timeout=timeout).status == 200
    except OSError:
        return False


def test_worker_killed_is_replaced(server):
    before = server.wait_workers(2)
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    results = []
    replaced_at = None
    for i in range(50):
        t = time.monotonic()
        results.append((t, health_ok(server)))
        if replaced_at is None:
            pids = server.worker_pids()
            if len(pids) == 2 and victim not in pids:
                replaced_at = time.monotonic()
        time.sleep(0.1)
    after = server.wait_workers(2, exclude=[victim])
    assert victim not in after
    assert before[1] in after, "the other worker should live on"
    if replaced_at is None:
        replaced_at = time.monotonic()
    late = [ok for t, ok in results if t > replaced_at + 0.5]
    assert all(late), results
    # Allow a short window of failures right after the kill only.
    assert sum(1 for t, ok in results if not ok) <= 10, results
    for _ in range(10):
        assert health_ok(server)
    assert server.api("ListUserPools", {"MaxResults": 1}).status == 200


def test_database_restart(server):
    stop = threading.Event()
    results = []  # (started, seconds, status or exception, body)

    def probe():
        while not stop.is_set():
            t0 = time.monotonic()
            try:
                r = server.api("ListUserPools", {"MaxResults": 1},
                               timeout=8)
                results.append((t0, time.monotonic() - t0, r.status, r))
            except OSError as e:
                results.append((t0, time.monotonic() - t0, e, None))
            time.sleep(0.1)

    th = threading.Thread(target=probe)
    th.start()
    try:
        time.sleep(0.5)
        server.pg_restart(down_seconds=2)
        restarted = time.monotonic()
        back = None
        while time.monotonic() < restarted + 15:
            if health_ok(server) and server.api(
                    "ListUserPools", {"MaxResults": 1}).status == 200:
                back = time.monotonic() - restarted
                break
            time.sleep(0.2)
        time.sleep(0.5)
    finally:
        stop.set()
        th.join(30)
    assert back is not None, "service did not return within 15 s"
    assert back < 10, "service took %.1f s to return" % back
    slow = [(round(d, 2), s) for _, d, s, _ in results if d > 5]
    assert not slow, "requests hung during the outage: %r" % slow
    for _, d, status, r in results:
        assert isinstance(status, int), "request failed: %r" % status
        if status != 200:
            assert status in (500, 503), r
            body = assert_json_error(r, status)
            assert body["__type"] in ("InternalErrorException",
                                      "ServiceUnavailableException",
                                      "TooManyRequestsException"), body
    assert results[-1][2] == 200, results[-1]
