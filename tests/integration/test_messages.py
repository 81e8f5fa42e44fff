"""Delivery of the messages a pool sends, seen from outside: the
invitation AdminCreateUser sends lands in the outbox when no mail server
is configured, reaches a real SMTP server (aiosmtpd) with the configured
credentials and sender, arrives after the mail server comes back when it
was down (the AdminCreateUser call itself succeeded), and goes to the SMS
webhook with its bearer token. Codes and temporary passwords never reach
the daemon's log."""
import email
import email.policy
import http.server
import json
import os
import re
import threading
import time
import uuid

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from conftest import Server, free_port, psql

TEMP_PASSWORD = "Tmp-Pass-1234!"
SMTP_USER = "mailer"
SMTP_PASSWORD = "mailer-secret"
SMTP_FROM = "Notes App <no-reply@notes.example>"
SMS_TOKEN = "hook-token-%s" % uuid.uuid4().hex[:8]
DEFAULT_SUBJECT = "Your temporary password"


def unique(prefix="user"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


def create_user(srv, pool_id, username, medium, attrs, *extra):
    """AdminCreateUser with the AWS CLI; the User object."""
    args = ["admin-create-user", "--user-pool-id", pool_id, "--username",
            username, "--temporary-password", TEMP_PASSWORD,
            "--desired-delivery-mediums", medium, "--user-attributes"]
    args += ["Name=%s,Value=%s" % kv for kv in attrs.items()]
    return srv.aws(*args, *extra)["User"]


def wait_for(what, pred, timeout=15, srv=None):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for %s; log:\n%s"
                                 % (what, srv.log_tail() if srv else ""))
        time.sleep(0.1)


# --- a mail server and a webhook -----------------------------------------

class MailSink:
    """Collects what aiosmtpd receives, and who logged in."""

    def __init__(self):
        self.envelopes = []
        self.logins = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, data):
        self.logins.append((data.login.decode(), data.password.decode()))
        ok = (data.login.decode(), data.password.decode()) == \
            (SMTP_USER, SMTP_PASSWORD)
        return AuthResult(success=ok)

    def to(self, rcpt):
        return [e for e in self.envelopes if rcpt in e.rcpt_tos]


def start_smtp(port, sink):
    c = Controller(sink, hostname="127.0.0.1", port=port,
                   authenticator=sink.authenticate, auth_require_tls=False)
    c.start()
    return c


def invite_by_smtp(mailer, pool_id, smtp_port):
    """AdminCreateUser of a new user with an e-mail address while a mail
    server listens on smtp_port; (username, address, the server's
    MailSink, the envelope it received)."""
    sink = MailSink()
    ctl = start_smtp(smtp_port, sink)
    try:
        username = unique()
        addr = username + "@example.com"
        create_user(mailer, pool_id, username, "EMAIL", {"email": addr})
        env = wait_for("the mail", lambda: sink.to(addr), srv=mailer)[0]
    finally:
        ctl.stop()
    return username, addr, sink, env


class Webhook(http.server.BaseHTTPRequestHandler):
    calls = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Webhook.calls.append({"path": self.path,
                              "headers": dict(self.headers.items()),
                              "body": json.loads(body)})
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


# --- a second daemon with a mail server and a webhook configured -----------

@pytest.fixture(scope="module")
def hook():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def smtp_port():
    return free_port()


@pytest.fixture(scope="module")
def mailer(smtp_port, hook):
    """A daemon that sends e-mail to 127.0.0.1:smtp_port and SMS to the
    webhook (with a bearer token)."""
    srv = Server(extra_args=[
        "--smtp_url=smtp://127.0.0.1:%d" % smtp_port,
        "--smtp_user=%s" % SMTP_USER,
        "--smtp_password=%s" % SMTP_PASSWORD,
        "--smtp_from=%s" % SMTP_FROM,
        "--sms_webhook_url=http://127.0.0.1:%d/sms?x=1"
        % hook.server_address[1],
        "--sms_webhook_token=%s" % SMS_TOKEN,
    ])
    srv.start_or_clean()
    yield srv
    reports, log = srv.shut_down()
    assert not reports, "sanitizer reports:\n" + reports
    assert TEMP_PASSWORD not in log, "a temporary password was logged"
    assert SMTP_PASSWORD not in log and SMS_TOKEN not in log


@pytest.fixture
def mailer_pool(mailer):
    cognito = mailer.boto3()
    up = cognito.create_user_pool(PoolName=unique("mail"))
    yield up["UserPool"]
    cognito.delete_user_pool(UserPoolId=up["UserPool"]["Id"])


# --- (a) the outbox, when nothing is configured --------------------------

def test_invitation_in_outbox(server, pool):
    username = unique()
    addr = username + "@example.com"
    user = create_user(server, pool["Id"], username, "EMAIL",
                       {"email": addr})
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    msg = server.wait_message(addr)
    assert msg["medium"] == "EMAIL"
    assert msg["subject"] == DEFAULT_SUBJECT
    assert msg["body"] == ("Your username is %s and temporary password is "
                           "%s. " % (username, TEMP_PASSWORD))
    name = os.path.basename(msg["path"])
    assert len(name) == len("1234567890123-000000000001.msg"), name
    assert os.stat(msg["path"]).st_mode & 0o777 == 0o600
    assert os.stat(server.outbox_dir).st_mode & 0o777 == 0o700
    assert TEMP_PASSWORD not in server.log_text()


def test_invitation_with_pool_template(server, pool):
    server.aws("update-user-pool", "--user-pool-id", pool["Id"],
               "--admin-create-user-config", json.dumps({
                   "InviteMessageTemplate": {
                       "EmailSubject": "Welcome to Notes",
                       "EmailMessage": "<p>Hello {username}, your "
                                       "password is {####}</p>",
                       "SMSMessage": "Notes: {username} / {####}"}}))
    username = unique()
    addr = username + "@example.com"
    create_user(server, pool["Id"], username, "EMAIL", {"email": addr})
    msg = server.wait_message(addr)
    assert msg["subject"] == "Welcome to Notes"
    assert msg["body"] == "<p>Hello %s, your password is %s</p>" % (
        username, TEMP_PASSWORD)


def test_sms_invitation_in_outbox(server, pool):
    username = unique()
    phone = "+1206555%04d" % (uuid.uuid4().int % 10000)
    create_user(server, pool["Id"], username, "SMS",
                {"phone_number": phone})
    msg = server.wait_message(phone)
    assert msg["medium"] == "SMS"
    assert msg["subject"] == ""
    assert username in msg["body"] and TEMP_PASSWORD in msg["body"]


def test_suppressed_invitation_not_sent(server, pool):
    username = unique()
    addr = username + "@example.com"
    create_user(server, pool["Id"], username, "EMAIL", {"email": addr},
                "--message-action", "SUPPRESS")
    # A later message to another user proves delivery ran meanwhile.
    other = unique()
    create_user(server, pool["Id"], other, "EMAIL",
                {"email": other + "@example.com"})
    server.wait_message(other + "@example.com")
    assert server.messages(addr) == []


# --- (b) real SMTP ---------------------------------------------------------

def test_invitation_by_smtp(mailer, mailer_pool, smtp_port):
    username, addr, sink, env = invite_by_smtp(mailer, mailer_pool["Id"],
                                               smtp_port)
    assert env.mail_from == "no-reply@notes.example"
    assert env.rcpt_tos == [addr]
    assert (SMTP_USER, SMTP_PASSWORD) in sink.logins
    msg = email.message_from_bytes(env.original_content,
                                   policy=email.policy.default)
    assert msg["From"] == SMTP_FROM
    assert msg["To"] == addr
    assert msg["Subject"] == DEFAULT_SUBJECT
    assert msg["Message-ID"].endswith("@notes.example>")
    assert msg["Date"] is not None and msg["MIME-Version"] == "1.0"
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content().strip() == (
        "Your username is %s and temporary password is %s."
        % (username, TEMP_PASSWORD))
    # Nothing went to the outbox.
    assert mailer.messages(addr) == []


def test_html_and_utf8_invitation_by_smtp(mailer, mailer_pool, smtp_port):
    mailer.aws("update-user-pool", "--user-pool-id", mailer_pool["Id"],
               "--admin-create-user-config", json.dumps({
                   "InviteMessageTemplate": {
                       "EmailSubject": "Bienvenue \u00e0 Notes \u2713",
                       "EmailMessage": "<html><body><p>Bonjour {username}"
                                       ", mot de passe\u00a0: {####}</p>"
                                       "</body></html>"}}))
    username, _, _, env = invite_by_smtp(mailer, mailer_pool["Id"],
                                         smtp_port)
    msg = email.message_from_bytes(env.original_content,
                                   policy=email.policy.default)
    assert msg["Subject"] == "Bienvenue \u00e0 Notes \u2713"
    assert msg.get_content_type() == "text/html"
    assert ("Bonjour %s, mot de passe\u00a0: %s" % (username, TEMP_PASSWORD)
            in msg.get_content())


# --- (c) the mail server is down at first ----------------------------------

def test_invitation_retried_until_smtp_is_up(mailer, mailer_pool,
                                             smtp_port):
    username = unique()
    addr = username + "@example.com"
    # Nothing listens on smtp_port: the call succeeds all the same.
    user = create_user(mailer, mailer_pool["Id"], username, "EMAIL",
                       {"email": addr})
    assert user["Username"] == username
    row = wait_for("a failed attempt", lambda: psql(
        mailer, "SELECT attempts, last_error IS NOT NULL, "
        "round(next_attempt_at - extract(epoch FROM now())) "
        "FROM messages WHERE recipient = '%s' AND last_error IS NOT NULL"
        % addr), srv=mailer)
    attempts, has_error, wait = row.strip().split("|")
    assert attempts == "1" and has_error == "t"
    assert 20 <= float(wait) <= 31     # first back-off: 30 s
    assert "attempt 1 failed, retry in 30 s" in mailer.log_text()
    # The user exists meanwhile.
    got = mailer.aws("admin-get-user", "--user-pool-id", mailer_pool["Id"],
                     "--username", username)
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    sink = MailSink()
    ctl = start_smtp(smtp_port, sink)
    try:
        # Skip the rest of the back-off rather than sleep through it.
        psql(mailer, "UPDATE messages SET next_attempt_at = 0 "
             "WHERE recipient = '%s'" % addr)
        env = wait_for("the retried mail", lambda: sink.to(addr),
                       srv=mailer)[0]
    finally:
        ctl.stop()
    msg = email.message_from_bytes(env.original_content,
                                   policy=email.policy.default)
    assert TEMP_PASSWORD in msg.get_content()
    assert len(sink.to(addr)) == 1
    wait_for("the row to go", lambda: psql(
        mailer, "SELECT count(*) FROM messages WHERE recipient = '%s'"
        % addr).strip() == "0", srv=mailer)


# --- (d) SMS through the webhook -------------------------------------------

def test_sms_invitation_by_webhook(mailer, mailer_pool, hook):
    username = unique()
    phone = "+1425555%04d" % (uuid.uuid4().int % 10000)
    create_user(mailer, mailer_pool["Id"], username, "SMS",
                {"phone_number": phone})
    call = wait_for("the webhook call", lambda: [
        c for c in Webhook.calls if c["body"].get("to") == phone],
        srv=mailer)[0]
    assert call["path"] == "/sms?x=1"
    assert call["headers"]["Authorization"] == "Bearer " + SMS_TOKEN
    assert call["headers"]["Content-Type"] == "application/json"
    assert call["body"] == {
        "to": phone, "poolId": mailer_pool["Id"],
        "message": "Your username is %s and temporary password is %s. "
                   % (username, TEMP_PASSWORD)}
    assert mailer.messages(phone) == []


def test_sign_up_with_code_from_smtp(mailer, mailer_pool, smtp_port):
    """Self sign-up in a pool that verifies e-mail: the code arrives by
    real SMTP, confirms the account, and the user signs in."""
    pid = mailer_pool["Id"]
    mailer.aws("update-user-pool", "--user-pool-id", pid,
               "--auto-verified-attributes", "email")
    cid = mailer.aws("create-user-pool-client", "--user-pool-id", pid,
                     "--client-name", "web", "--explicit-auth-flows",
                     "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"
                     )["UserPoolClient"]["ClientId"]
    sink = MailSink()
    ctl = start_smtp(smtp_port, sink)
    try:
        username = unique()
        addr = username + "@example.com"
        out = mailer.aws("sign-up", "--client-id", cid, "--username",
                         username, "--password", "Sign-up-passw0rd",
                         "--user-attributes", "Name=email,Value=%s" % addr)
        assert out["UserConfirmed"] is False
        assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
        env = wait_for("the code", lambda: sink.to(addr), srv=mailer)[0]
    finally:
        ctl.stop()
    msg = email.message_from_bytes(env.original_content,
                                   policy=email.policy.default)
    code = re.search(r"\b(\d{6})\b", msg.get_content()).group(1)
    mailer.aws("confirm-sign-up", "--client-id", cid, "--username",
               username, "--confirmation-code", code)
    tokens = mailer.aws("initiate-auth", "--client-id", cid, "--auth-flow",
                        "USER_PASSWORD_AUTH", "--auth-parameters",
                        "USERNAME=%s,PASSWORD=Sign-up-passw0rd" % username)
    assert "IdToken" in tokens["AuthenticationResult"]
    user = mailer.aws("admin-get-user", "--user-pool-id", pid,
                      "--username", username)
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in \
        user["UserAttributes"]
