"""The admin console's own sign-in (issue 12): nothing without the
session, CSRF, the wrong password's message, lockout (also on the
Settings page), the per-address limit of sign-in attempts, TOTP not
replaced without its code, the password file and its one log line,
console = off, the cookie's flags and the 8-hour idle limit."""

import html
import os
import re
import stat
import time
import subprocess

import pytest

from conftest import Server, daemon_env, free_port
from console_client import ConsoleSession, console_password
from daemons import restarted

BAD = "Incorrect username or password."


def psql_one(server, sql):
    rows = server.psql(sql)
    return rows[0][0] if rows else None


def test_password_file_mode_and_logged_once(server):
    path = os.path.join(server.state_dir, "console-password")
    st = os.stat(path)
    assert stat.S_IMODE(st.st_mode) == 0o600
    pw = console_password(server)
    assert re.fullmatch(r"[A-Za-z0-9]{24}", pw)
    log = server.log_text()
    lines = [line for line in log.splitlines() if pw in line]
    assert len(lines) == 1, lines
    assert path in lines[0]
    restarted(server)
    assert console_password(server) == pw
    assert server.log_text().count(pw) == 1
    # The hash, not the password, is in the database.
    stored = psql_one(server, "SELECT password_hash FROM console_accounts "
                      "WHERE username = 'admin'")
    assert stored.startswith("$s1$") and pw not in stored


def test_sign_in_form_and_wrong_password(server):
    s = ConsoleSession(server)
    page = s.get("/console/")
    assert page.status == 200
    for label in ('<label for="username">Username</label>',
                  '<label for="password">Password</label>'):
        assert label in page.text
    assert re.search(r"<button[^>]*>Sign in</button>", page.text)
    page = s.post("/console/signin", {"username": "admin",
                                      "password": "not-the-password"})
    assert page.status == 400
    assert BAD in page.text
    assert 'value="admin"' in page.text      # what was typed is kept
    assert "userpoold_console" not in s.cookies
    page = s.post("/console/signin", {"username": "root",
                                      "password": console_password(server)})
    assert BAD in page.text
    assert s.sign_in().status == 303
    page = s.get("/console/")
    assert "<h1>User Pools</h1>" in page.text
    assert "Signed in as <strong>admin</strong>" in page.text


def test_nothing_without_the_session(server, pool):
    s = ConsoleSession(server)
    for path in ("/console/settings", "/console/pools/%s" % pool["Id"],
                 "/console/audit", "/console/create"):
        page = s.get(path)
        assert page.status == 303 and page.location == "/console/", path
    page = s.get("/console/")
    assert "<h1>User Pools</h1>" not in page.text
    assert pool["Id"] not in page.text
    # A form action without a session (its pre-session token is valid).
    page = s.post("/console/signout", {})
    assert page.status == 403
    page = s.post("/console/pools/%s/delete" % pool["Id"], {})
    assert page.status == 403
    # A made-up cookie is no session.
    s.cookies["userpoold_console"] = "A" * 43
    page = s.get("/console/settings")
    assert page.status == 303
    server.boto3().describe_user_pool(UserPoolId=pool["Id"])


def test_csrf_refused(server, console):
    before = console.csrf
    page = console.post("/console/signout", {}, csrf=False)
    assert page.status == 403
    page = console.post("/console/signout", {}, csrf="x" * 64)
    assert page.status == 403
    assert console.get("/console/").status == 200    # still signed in
    # The sign-in form's own token is checked too.
    s = ConsoleSession(server)
    s.get("/console/")
    page = s.post("/console/signin", {"username": "admin", "password":
                                      console_password(server)}, csrf=False)
    assert page.status == 403 and "userpoold_console" not in s.cookies
    # Another session's token is not this session's.
    other = ConsoleSession(server)
    other.sign_in()
    assert other.csrf != before
    page = console.post("/console/signout", {}, csrf=other.csrf)
    assert page.status == 403
    page = console.post("/console/signout", {})
    assert page.status == 303
    assert console.get("/console/settings").status == 303


def test_cookie_flags(server):
    s = ConsoleSession(server)
    s.get("/console/")
    s.post("/console/signin", {"username": "admin",
                               "password": console_password(server)})
    cookies = [c for c in s.last.set_cookies
               if c.startswith("userpoold_console=")]
    assert len(cookies) == 1
    attrs = [a.strip().lower() for a in cookies[0].split(";")[1:]]
    assert "secure" in attrs and "httponly" in attrs
    assert "samesite=strict" in attrs and "path=/console" in attrs
    secret = cookies[0].split(";")[0].split("=", 1)[1]
    assert len(secret) >= 43
    # Only its digest is stored.
    rows = server.psql("SELECT encode(session_hash, 'hex') FROM "
                       "console_sessions")
    assert rows and all(secret not in r[0] for r in rows)


def test_idle_limit(server):
    s = ConsoleSession(server)
    s.sign_in()
    assert s.get("/console/settings").status == 200
    server.psql("UPDATE console_sessions SET last_seen = last_seen - "
                "7.9 * 3600")
    assert s.get("/console/settings").status == 200   # renewed
    server.psql("UPDATE console_sessions SET last_seen = last_seen - "
                "8 * 3600 - 5")
    page = s.get("/console/settings")
    assert page.status == 303 and page.location == "/console/"
    assert "userpoold_console" not in s.cookies


def test_lockout(server):
    s = ConsoleSession(server)
    s.get("/console/")
    for _ in range(5):
        page = s.post("/console/signin", {"username": "admin",
                                          "password": "wrong"})
        assert BAD in page.text
    page = s.post("/console/signin", {"username": "admin", "password":
                                      console_password(server)})
    assert page.status == 429
    assert "Too many failed sign-in attempts" in page.text
    assert "userpoold_console" not in s.cookies
    server.psql("UPDATE console_accounts SET locked_until = 0")
    assert s.sign_in().status == 303


def test_lockout_on_the_settings_page(server):
    """Wrong current passwords on the Settings page count towards the
    lockout; the one that locks ends the session, and a locked account's
    other sessions get a 429 there and are signed out too."""
    s, other = ConsoleSession(server), ConsoleSession(server)
    assert s.sign_in().status == 303
    assert other.sign_in().status == 303
    other.get("/console/settings")
    new = "a new password of the console"

    def change(sess, current):
        return sess.post("/console/settings/password", {
            "current": current, "new": new, "confirm": new})
    for _ in range(4):
        page = change(s, "wrong")
        assert page.status == 400 and "Incorrect password." in page.text
    page = change(s, "wrong")
    assert page.status == 429 and "locked" in page.text
    assert "userpoold_console" not in s.cookies
    assert s.get("/console/settings").status == 303
    page = change(other, console_password(server))   # the right one
    assert page.status == 429 and "locked" in page.text
    assert "userpoold_console" not in other.cookies
    assert other.get("/console/settings").status == 303
    assert ConsoleSession(server).sign_in().status == 429
    server.psql("UPDATE console_accounts SET locked_until = 0, "
                "failed_count = 0")
    assert ConsoleSession(server).sign_in().status == 303


def test_lockout_on_turn_off_totp(server):
    """Wrong codes of Turn off TOTP count towards the lockout too; the
    one that locks ends the session."""
    s = ConsoleSession(server)
    assert s.sign_in().status == 303
    page = s.post("/console/settings/totp", {})
    secret = re.search(r'data-field="totp-secret">([A-Z2-7]+)<',
                       page.text).group(1)
    page = s.post("/console/settings/totp/on", {"secret": secret,
                                                "code": totp(secret)})
    assert page.status == 303
    s.get("/console/settings")
    for _ in range(4):
        page = s.post("/console/settings/totp/off", {"code": "000000"})
        assert page.status == 400 and "Incorrect code." in page.text
    page = s.post("/console/settings/totp/off", {"code": "000000"})
    assert page.status == 429 and "locked" in page.text
    assert "userpoold_console" not in s.cookies
    assert s.get("/console/settings").status == 303
    server.psql("UPDATE console_accounts SET locked_until = 0, "
                "failed_count = 0, totp_sealed = NULL")


@pytest.fixture
def limited_server():
    srv = Server(extra_args=["--workers=1", "--address_rate=1",
                             "--address_burst=3"])
    srv.start_or_clean()
    yield srv
    reports, _ = srv.shut_down()
    assert not reports, reports


def test_signin_rate_per_address(limited_server):
    """POST /console/signin and the TOTP step take a token of the
    client address's bucket (address_burst at once): a plain 429 page
    when it is empty."""
    srv = limited_server
    s = ConsoleSession(srv)
    assert s.sign_in().status == 303                # token 1
    page = s.post("/console/settings/totp", {})
    secret = re.search(r'data-field="totp-secret">([A-Z2-7]+)<',
                       page.text).group(1)
    page = s.post("/console/settings/totp/on", {"secret": secret,
                                                "code": totp(secret)})
    assert page.status == 303
    t = ConsoleSession(srv)
    assert t.sign_in().status == 303                # token 2
    time.sleep(4)                                   # a full bucket again
    codes = [t.post("/console/signin/totp", {"code": "000000"}).status
             for _ in range(5)]
    assert codes[:3] == [400, 400, 400] and 429 in codes[3:], codes
    time.sleep(4)
    u = ConsoleSession(srv)
    u.get("/console/")
    pages = [u.post("/console/signin", {"username": "admin",
                                        "password": ""})
             for _ in range(5)]
    assert [p.status for p in pages[:3]] == [400, 400, 400]
    limited = [p for p in pages[3:] if p.status == 429]
    assert limited, [p.status for p in pages]
    assert "Too many attempts from your address" in limited[0].text
    assert 'name="password"' not in limited[0].text   # a plain page
    # The lockout did not count these (3 wrong codes only).
    assert int(psql_one(srv, "SELECT failed_count FROM "
                        "console_accounts")) == 3


def test_console_password_command(server):
    old = console_password(server)
    s = ConsoleSession(server)
    s.sign_in()
    r = subprocess.run([server.bin] + server.args() + ["console-password"],
                       capture_output=True, text=True, env=daemon_env(),
                       timeout=60)
    assert r.returncode == 0, r.stderr
    new = console_password(server)
    assert new != old and new in r.stdout
    path = os.path.join(server.state_dir, "console-password")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert s.get("/console/settings").status == 303   # sessions ended
    assert ConsoleSession(server).sign_in(password=old).status == 400
    assert ConsoleSession(server).sign_in(password=new).status == 303


@pytest.fixture
def off_server():
    srv = Server(extra_args=["--console=off"])
    srv.start_or_clean()
    yield srv
    reports, _ = srv.shut_down()
    assert not reports, reports


def test_console_off(off_server):
    for path in ("/console/", "/console", "/console/static/console.css"):
        assert off_server.request("GET", path).status == 404
    assert off_server.request("POST", "/console/signin", body="").status \
        == 404
    assert not os.path.exists(os.path.join(off_server.state_dir,
                                           "console-password"))


def totp(secret, at=None):
    cmd = ["oathtool", "--totp", "-b"]
    if at is not None:
        cmd += ["-N", "@%d" % at]
    return subprocess.run(cmd + [secret], check=True, capture_output=True,
                          text=True, timeout=30).stdout.strip()


def test_totp_for_the_console_account(server):
    s = ConsoleSession(server)
    s.sign_in()
    page = s.get("/console/settings")
    assert re.search(r"<button[^>]*>Set up TOTP</button>", page.text)
    page = s.post("/console/settings/totp", {})
    assert page.status == 200 and "<svg" in page.text
    secret = re.search(r'data-field="totp-secret">([A-Z2-7]+)<',
                       page.text).group(1)
    page = s.post("/console/settings/totp/on", {"secret": secret,
                                                "code": "000000"})
    assert page.status == 400 and "Incorrect code." in page.text
    now = int(time.time())
    page = s.post("/console/settings/totp/on", {"secret": secret,
                                                "code": totp(secret, now)})
    assert page.status == 303
    page = s.get(page.location)
    assert "TOTP is on" in page.text
    stored = psql_one(server, "SELECT totp_sealed FROM console_accounts")
    assert stored and secret not in stored

    t = ConsoleSession(server)
    assert t.sign_in().status == 303
    page = t.get("/console/")
    assert "Enter your authentication code" in page.text
    assert "<h1>User Pools</h1>" not in page.text
    page = t.get("/console/settings")       # owes its code: no page
    assert "Change password" not in page.text
    page = t.post("/console/signin/totp", {"code": totp(secret, now)})
    assert page.status == 400 and "Incorrect code." in page.text  # reused
    page = t.post("/console/signin/totp", {"code": totp(secret, now + 30)})
    assert page.status == 303
    assert "<h1>User Pools</h1>" in t.get("/console/").text

    server.psql("UPDATE console_accounts SET totp_last_step = 0")
    page = s.post("/console/settings/totp/off", {"code": "123456"})
    assert page.status == 400
    page = s.post("/console/settings/totp/off", {"code": totp(secret)},
                  follow=True)
    assert "TOTP is off." in page.text
    u = ConsoleSession(server)
    assert u.sign_in().status == 303
    assert "<h1>User Pools</h1>" in u.get("/console/").text
    page = s.get("/console/audit")
    for op in ("EnableConsoleTotp", "DisableConsoleTotp", "SignIn"):
        assert op in page.text


def test_totp_not_replaced_without_its_code(server):
    """With TOTP on, a session alone (no code) cannot set up another
    secret; `userpoold console-password` is the owner's way back and
    turns TOTP off."""
    s = ConsoleSession(server)
    s.sign_in()
    page = s.post("/console/settings/totp", {})
    secret = re.search(r'data-field="totp-secret">([A-Z2-7]+)<',
                       page.text).group(1)
    now = int(time.time())
    page = s.post("/console/settings/totp/on", {"secret": secret,
                                                "code": totp(secret, now)})
    assert page.status == 303
    stored = psql_one(server, "SELECT totp_sealed FROM console_accounts")
    page = s.post("/console/settings/totp", {})
    assert page.status == 409 and "<svg" not in page.text
    assert "TOTP is already on" in page.text
    mine = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    page = s.post("/console/settings/totp/on", {"secret": mine,
                                                "code": totp(mine, now)})
    assert page.status == 409 and "TOTP is already on" in page.text
    assert psql_one(server, "SELECT totp_sealed FROM console_accounts") \
        == stored
    r = subprocess.run([server.bin] + server.args() + ["console-password"],
                       capture_output=True, text=True, env=daemon_env(),
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert "TOTP is off" in r.stdout
    assert psql_one(server, "SELECT totp_sealed IS NULL FROM "
                    "console_accounts") == "t"
    t = ConsoleSession(server)
    assert t.sign_in().status == 303
    assert "<h1>User Pools</h1>" in t.get("/console/").text


def test_change_password_on_the_settings_page(server):
    old = console_password(server)
    s, other = ConsoleSession(server), ConsoleSession(server)
    s.sign_in()
    other.sign_in()
    new = "a new password of the console"

    def change(current, pw, confirm=None):
        return s.post("/console/settings/password", {
            "current": current, "new": pw,
            "confirm": pw if confirm is None else confirm})
    assert "Incorrect password." in change("wrong", new).text
    assert "do not match" in change(old, new, new + "x").text
    assert "at least 12 characters" in change(old, "short").text
    page = change(old, new)
    assert page.status == 303
    assert "Your password was changed" in s.get(page.location).text
    assert s.get("/console/settings").status == 200
    assert other.get("/console/settings").status == 303
    path = os.path.join(server.state_dir, "console-password")
    assert not os.path.exists(path)
    assert ConsoleSession(server).sign_in(password=old).status == 400
    assert ConsoleSession(server).sign_in(password=new).status == 303
    # Back to the file's password for the module's other tests.
    assert change(new, old).status == 303
    with open(path, "w") as f:
        f.write(old + "\n")
    os.chmod(path, 0o600)


def test_audit_log_page(server):
    s = ConsoleSession(server)
    s.sign_in()
    ConsoleSession(server).sign_in(password="not it")
    page = s.get("/console/audit")
    assert page.status == 200 and "<h1>Audit log</h1>" in page.text
    rows = re.findall(r"<tr data-id=\"\d+\"><td>([^<]+)</td><td>([^<]*)"
                      r"</td><td>([^<]*)</td><td>([^<]*)</td><td><code>"
                      r"([^<]*)</code></td><td[^>]*>([^<]*)</td>",
                      page.text)
    assert rows
    # Newest first: the refused sign-in, then s's.
    assert [(r[1], r[2], r[3], r[4], r[5]) for r in rows[:2]] == [
        ("admin", "127.0.0.1", "SignIn", "admin", "NotAuthorizedException"),
        ("admin", "127.0.0.1", "SignIn", "admin", "ok")]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rows[0][0])


@pytest.fixture
def listen_server():
    port = free_port()
    srv = Server(extra_args=["--console_listen=127.0.0.1:%d" % port])
    srv.console_port = port
    srv.start_or_clean()
    yield srv
    reports, _ = srv.shut_down()
    assert not reports, reports


def test_console_listen(listen_server):
    srv = listen_server
    assert srv.request("GET", "/console/").status == 404
    assert srv.request("GET", "/console/static/console.css").status == 404
    s = ConsoleSession(srv, port=srv.console_port)
    page = s.get("/console/")
    assert page.status == 200 and "Sign in" in page.text
    assert s.sign_in().status == 303
    assert "<h1>User Pools</h1>" in s.get("/console/").text
    assert s.get("/health").status == 404
    assert s.request("POST", "/", body="{}").status == 404
    assert srv.request("GET", "/health").status == 200


def test_operations_audited(server, console, pool):
    """console_op writes what changes to the audit log with its outcome,
    not what only reads (here through the Users and groups pages)."""
    pid = pool["Id"]
    form = {"group_name": "audited", "description": "", "role_arn": "",
            "precedence": ""}
    page = console.post("/console/pools/%s/groups/create" % pid, form)
    assert page.status == 303, page
    console.get("/console/pools/%s/groups" % pid)
    page = console.post("/console/pools/%s/groups/create" % pid, form)
    assert page.status != 303
    server.boto3().get_group(UserPoolId=pid, GroupName="audited")
    text = console.get("/console/audit").text
    rows = re.findall(r"<tr data-id=\"\d+\"><td>[^<]+</td><td>([^<]*)"
                      r"</td><td>([^<]*)</td><td>([^<]*)</td><td><code>"
                      r"([^<]*)</code></td><td[^>]*>([^<]*)</td>", text)
    rows = [tuple(html.unescape(v) for v in r) for r in rows]
    target = "UserPoolId=%s GroupName=audited" % pid
    assert rows[:2] == [
        ("admin", "127.0.0.1", "CreateGroup", target, "GroupExistsException"),
        ("admin", "127.0.0.1", "CreateGroup", target, "ok")], rows[:3]
    assert "ListGroups" not in text and "ListUserPools" not in text
