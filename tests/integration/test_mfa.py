"""A user's second factors through unmodified clients (boto3, the AWS
CLI): setting up an authenticator app with AssociateSoftwareToken and
VerifySoftwareToken (with an access token, and with the Session of an
MFA_SETUP challenge), codes computed by Debian's oathtool, replayed and
wrong codes refused, SetUserMFAPreference and AdminSetUserMFAPreference
and their refusals. The sign-in challenges themselves are tested with
the sign-in flow; an MFA_SETUP session is made here the way sign-in
stores one (a row of auth_sessions under the digest of the Session)."""
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import subprocess
import time
import uuid

import botocore.exceptions
import pytest

from conftest import (PASSWORD, error_of, make_client, make_user,
                      unique_email, wrong)

MISMATCH = "Code mismatch and fail enable Software Token MFA"
NO_POOL_TOTP = "Software Token MFA has not been enabled by the userPool"
BAD_SESSION = "Invalid session for the user, session is expired."
NO_CONFIG = "User does not have delivery config set to turn on %s"
BASE32 = re.compile(r"^[A-Z2-7]{32}$")


def totp(secret, at=None):
    """The 6-digit code of a base32 secret now (or at epoch time `at`),
    as an authenticator app computes it (oathtool)."""
    cmd = ["oathtool", "--totp", "-b"]
    if at is not None:
        cmd += ["-N", "@%d" % at]
    out = subprocess.run(cmd + [secret], check=True, capture_output=True,
                         text=True, timeout=30).stdout.strip()
    assert re.fullmatch(r"\d{6}", out), out
    return out


def set_totp_pool(server, pool_id, mode="OPTIONAL"):
    server.aws("set-user-pool-mfa-config", "--user-pool-id", pool_id,
               "--software-token-mfa-configuration", "Enabled=true",
               "--mfa-configuration", mode)


class User:
    """A confirmed user signed in with ADMIN_USER_PASSWORD_AUTH."""

    def __init__(self, server, idp, pool_id, client_id, attrs=None):
        self.server, self.idp = server, idp
        self.pool_id, self.client_id = pool_id, client_id
        self.email = unique_email()
        self.username = make_user(idp, pool_id, email=self.email)
        if attrs:
            idp.admin_update_user_attributes(
                UserPoolId=pool_id, Username=self.username,
                UserAttributes=[{"Name": k, "Value": v}
                                for k, v in attrs.items()])
        got = idp.admin_get_user(UserPoolId=pool_id, Username=self.username)
        self.sub = {a["Name"]: a["Value"]
                    for a in got["UserAttributes"]}["sub"]
        self.sign_in()

    def sign_in(self):
        r = self.idp.admin_initiate_auth(
            UserPoolId=self.pool_id, ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": self.username,
                            "PASSWORD": PASSWORD})
        self.access = r["AuthenticationResult"]["AccessToken"]

    def row(self):
        """(mfa as a dict, verified secret, pending secret, last step)."""
        rows = self.server.psql(
            "SELECT mfa, coalesce(totp_secret_sealed, ''), "
            "coalesce(totp_pending_sealed, ''), totp_last_step FROM users "
            "WHERE pool_id = '%s' AND sub = '%s'" % (self.pool_id, self.sub))
        mfa, secret, pending, step = rows[0]
        return json.loads(mfa), secret or None, pending or None, int(step)

    def associate(self):
        r = self.idp.associate_software_token(AccessToken=self.access)
        assert BASE32.match(r["SecretCode"]), r
        assert "Session" not in r
        return r["SecretCode"]

    def verify(self, code, name=None):
        kw = {"FriendlyDeviceName": name} if name is not None else {}
        return self.idp.verify_software_token(AccessToken=self.access,
                                              UserCode=code, **kw)

    def set_pref(self, **kw):
        return self.idp.set_user_mfa_preference(AccessToken=self.access,
                                                **kw)

    def set_pref_raw(self, **kw):
        """SetUserMFAPreference as raw JSON (Debian's botocore does not
        know EmailMfaSettings); None, or (__type, message)."""
        r = self.server.api("SetUserMFAPreference",
                            dict(AccessToken=self.access, **kw),
                            signed=False)
        if r.status == 200:
            assert r.json() == {}
            return None
        return r.json()["__type"], r.json()["message"]


@pytest.fixture
def app(server, idp, pool):
    """The pool with authenticator apps offered (OPTIONAL) and a client
    with ALLOW_ADMIN_USER_PASSWORD_AUTH: (pool id, client id)."""
    set_totp_pool(server, pool["Id"])
    return pool["Id"], make_client(idp, pool["Id"])["ClientId"]


@pytest.fixture
def user(server, idp, app):
    return User(server, idp, *app)


def raises(fn, **kw):
    """(Code, Message) of the ClientError fn(**kw) raises."""
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn(**kw)
    return error_of(e)


# --- AssociateSoftwareToken and VerifySoftwareToken with an access token ---

def test_associate_and_verify(user):
    secret = user.associate()
    mfa, verified, pending, _ = user.row()
    assert verified is None and pending is not None
    code = totp(secret)
    r = user.verify(code, "Pixel")
    assert r["Status"] == "SUCCESS" and "Session" not in r
    mfa, verified, pending, step = user.row()
    assert pending is None and verified is not None
    assert step in (int(time.time()) // 30 + d for d in (-2, -1, 0, 1))
    # Verifying alone does not turn TOTP MFA on; the device name is kept.
    assert mfa == {"totp_name": "Pixel"}


def test_replayed_and_wrong_codes_refused(user):
    secret = user.associate()
    code = totp(secret)
    assert raises(user.idp.verify_software_token, AccessToken=user.access,
                  UserCode=wrong(code)) == (
        "EnableSoftwareTokenMFAException", MISMATCH)
    # A wrong code leaves the secret pending: the right one still works.
    assert user.verify(code)["Status"] == "SUCCESS"
    assert raises(user.idp.verify_software_token, AccessToken=user.access,
                  UserCode=code) == ("EnableSoftwareTokenMFAException",
                                     MISMATCH)
    # A later code of the same (now verified) secret is accepted once.
    later = totp(secret, int(time.time()) + 30)
    assert later != code
    assert user.verify(later)["Status"] == "SUCCESS"
    assert raises(user.idp.verify_software_token, AccessToken=user.access,
                  UserCode=later)[0] == "EnableSoftwareTokenMFAException"


def test_one_code_racing_succeeds_once(server, user):
    """Eight requests with one code at once: one succeeds."""
    import concurrent.futures
    secret = user.associate()
    code = totp(secret)

    def verify(_):
        r = server.api("VerifySoftwareToken", {
            "AccessToken": user.access, "UserCode": code}, signed=False)
        return r.status, r.json().get("Status", r.json().get("__type"))

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        got = sorted(pool.map(verify, range(8)))
    assert got == [(200, "SUCCESS")] + \
        [(400, "EnableSoftwareTokenMFAException")] * 7


def test_secret_sealed_at_rest(user):
    secret = user.associate()
    raw = base64.b32decode(secret)
    pending = user.row()[2]
    user.verify(totp(secret))
    verified = user.row()[1]
    # The verified secret is the pending one, moved; neither in clear.
    assert verified == pending
    for form in (secret, raw.hex(), base64.b64encode(raw).decode()):
        assert form not in pending
    assert pending.startswith("v1.")


def test_new_association_replaces_only_the_pending_secret(user):
    first = user.associate()
    assert user.verify(totp(first))["Status"] == "SUCCESS"
    _, verified, _, _ = user.row()
    second = user.associate()
    assert second != first
    _, still, pending, _ = user.row()
    assert still == verified and pending is not None
    # A third association replaces the second, still pending.
    third = user.associate()
    _, still, pending2, _ = user.row()
    assert still == verified and pending2 != pending
    # Codes now go to the pending secret: the old one's are refused.
    later = int(time.time()) + 30
    assert raises(user.idp.verify_software_token, AccessToken=user.access,
                  UserCode=totp(first, later))[0] == \
        "EnableSoftwareTokenMFAException"
    assert raises(user.idp.verify_software_token, AccessToken=user.access,
                  UserCode=totp(second))[0] == \
        "EnableSoftwareTokenMFAException"
    assert user.verify(totp(third))["Status"] == "SUCCESS"
    _, now_verified, pending, _ = user.row()
    assert now_verified not in (None, verified) and pending is None


def test_pool_without_authenticator_apps(server, idp, pool):
    client_id = make_client(idp, pool["Id"])["ClientId"]
    u = User(server, idp, pool["Id"], client_id)
    assert raises(idp.associate_software_token, AccessToken=u.access) == (
        "SoftwareTokenMFANotFoundException", NO_POOL_TOTP)
    assert raises(idp.verify_software_token, AccessToken=u.access,
                  UserCode="123456") == (
        "SoftwareTokenMFANotFoundException", NO_POOL_TOTP)


def test_verify_without_association(user):
    assert raises(user.idp.verify_software_token, AccessToken=user.access,
                  UserCode="123456") == (
        "SoftwareTokenMFANotFoundException",
        "Software Token MFA does not exist for the user.")


def test_bad_input(server, user):
    r = server.api("AssociateSoftwareToken", {}, signed=False)
    assert r.status == 400
    assert r.json()["__type"] == "InvalidParameterException"
    r = server.api("AssociateSoftwareToken", {
        "AccessToken": user.access, "Session": "x" * 40}, signed=False)
    assert r.status == 400
    assert r.json()["__type"] == "InvalidParameterException"
    for code in ("12345", "1234567", "12345a"):
        r = server.api("VerifySoftwareToken", {
            "AccessToken": user.access, "UserCode": code}, signed=False)
        assert r.status == 400, code
        assert r.json()["__type"] == "InvalidParameterException", code
        assert code not in r.json()["message"]
    r = server.api("VerifySoftwareToken", {"AccessToken": user.access},
                   signed=False)
    assert r.status == 400
    assert raises(user.idp.associate_software_token,
                  AccessToken=user.access[:-4] + "AAAA")[0] == \
        "NotAuthorizedException"


# --- SetUserMFAPreference ----------------------------------------------------

def test_preference_needs_a_verified_token(user):
    totp_on = {"Enabled": True, "PreferredMfa": True}
    assert raises(user.set_pref, SoftwareTokenMfaSettings=totp_on) == (
        "InvalidParameterException", NO_CONFIG % "SOFTWARE_TOKEN_MFA")
    # A pending secret is not enough.
    secret = user.associate()
    assert raises(user.set_pref, SoftwareTokenMfaSettings=totp_on)[1] == \
        NO_CONFIG % "SOFTWARE_TOKEN_MFA"
    user.verify(totp(secret), "Phone")
    assert user.set_pref(SoftwareTokenMfaSettings=totp_on)[
        "ResponseMetadata"]["HTTPStatusCode"] == 200
    assert user.row()[0] == {"totp": True, "totp_name": "Phone",
                             "preferred": "SOFTWARE_TOKEN_MFA"}
    # Turning TOTP off keeps the secret, unused.
    user.set_pref(SoftwareTokenMfaSettings={"Enabled": False})
    mfa, verified, _, _ = user.row()
    assert mfa == {"totp": False, "totp_name": "Phone"}
    assert verified is not None
    # And it can be turned on again without a new association.
    user.set_pref(SoftwareTokenMfaSettings={"Enabled": True})
    assert user.row()[0]["totp"] is True


def test_preference_sms_and_email(server, idp, app):
    u = User(server, idp, *app)
    assert raises(u.set_pref, SMSMfaSettings={"Enabled": True}) == (
        "InvalidParameterException", NO_CONFIG % "SMS_MFA")
    idp.admin_update_user_attributes(
        UserPoolId=u.pool_id, Username=u.username,
        UserAttributes=[{"Name": "phone_number", "Value": "+15555550123"}])
    u.set_pref(SMSMfaSettings={"Enabled": True})
    assert u.set_pref_raw(EmailMfaSettings={
        "Enabled": True, "PreferredMfa": True}) is None
    assert u.row()[0] == {"sms": True, "email": True,
                          "preferred": "EMAIL_OTP"}
    # Preferring SMS moves the preference; one preferred at a time.
    u.set_pref(SMSMfaSettings={"PreferredMfa": True})
    assert u.row()[0]["preferred"] == "SMS_MFA"
    assert u.set_pref_raw(SMSMfaSettings={"PreferredMfa": True},
                          EmailMfaSettings={"PreferredMfa": True})[0] == \
        "InvalidParameterException"
    # Preferring a factor that is off, or turning it off while preferring.
    assert raises(u.set_pref, SoftwareTokenMfaSettings={
        "PreferredMfa": True})[0] == "InvalidParameterException"
    assert u.set_pref_raw(EmailMfaSettings={
        "Enabled": False, "PreferredMfa": True})[0] == \
        "InvalidParameterException"
    # Turning the preferred factor off drops the preference.
    u.set_pref(SMSMfaSettings={"Enabled": False})
    assert u.row()[0] == {"sms": False, "email": True}
    # E-mail MFA needs an email address.
    idp.admin_delete_user_attributes(UserPoolId=u.pool_id,
                                     Username=u.username,
                                     UserAttributeNames=["email"])
    assert u.set_pref_raw(EmailMfaSettings={"Enabled": True}) == (
        "InvalidParameterException", NO_CONFIG % "EMAIL_OTP")


def test_preference_with_a_bad_token(user):
    assert raises(user.idp.set_user_mfa_preference,
                  AccessToken=user.access[:-4] + "AAAA",
                  SMSMfaSettings={"Enabled": False})[0] == \
        "NotAuthorizedException"
    assert user.row()[0] == {}


# --- AdminSetUserMFAPreference ----------------------------------------------

def test_admin_set_preference_with_the_cli(server, user):
    secret = user.associate()
    base = ["--user-pool-id", user.pool_id, "--username", user.username]
    name, msg = server.aws_error(
        "admin-set-user-mfa-preference", *base,
        "--software-token-mfa-settings", "Enabled=true,PreferredMfa=true")
    assert (name, msg) == ("InvalidParameterException",
                           NO_CONFIG % "SOFTWARE_TOKEN_MFA")
    user.verify(totp(secret))
    assert server.aws("admin-set-user-mfa-preference", *base,
                      "--software-token-mfa-settings",
                      "Enabled=true,PreferredMfa=true") == {}
    assert user.row()[0] == {"totp": True, "preferred": "SOFTWARE_TOKEN_MFA"}
    name, msg = server.aws_error(
        "admin-set-user-mfa-preference", *base,
        "--sms-mfa-settings", "Enabled=true")
    assert (name, msg) == ("InvalidParameterException",
                           NO_CONFIG % "SMS_MFA")
    server.aws("admin-set-user-mfa-preference", *base,
               "--software-token-mfa-settings", "Enabled=false")
    assert user.row()[0] == {"totp": False}


def test_admin_set_preference_errors(server, idp, user):
    assert raises(idp.admin_set_user_mfa_preference,
                  UserPoolId=user.pool_id, Username="nobody-%s" %
                  uuid.uuid4().hex[:6],
                  SMSMfaSettings={"Enabled": False}) == (
        "UserNotFoundException", "User does not exist.")
    assert raises(idp.admin_set_user_mfa_preference,
                  UserPoolId="us-east-1_Nope0000", Username=user.username,
                  SMSMfaSettings={"Enabled": False})[0] == \
        "ResourceNotFoundException"
    # Unsigned: refused.
    r = server.api("AdminSetUserMFAPreference", {
        "UserPoolId": user.pool_id, "Username": user.username},
        signed=False)
    assert r.status >= 400


def test_admin_set_preference_by_alias(server, idp, make_pool):
    up = make_pool(AliasAttributes=["email"])
    set_totp_pool(server, up["Id"])
    client_id = make_client(idp, up["Id"])["ClientId"]
    u = User(server, idp, up["Id"], client_id)
    idp.admin_set_user_mfa_preference(UserPoolId=up["Id"], Username=u.email,
                                      SMSMfaSettings={"Enabled": False})
    assert u.row()[0] == {"sms": False}


# --- The Session of an MFA_SETUP challenge -----------------------------------

def session_digest(server, session):
    """The bytea text sign-in stores for a Session: HMAC-SHA256 under the
    codes key derived from the daemon's master key."""
    with open(os.path.join(server.state_dir, "master.key")) as f:
        master = bytes.fromhex(f.read().strip())
    key = hmac.new(master, b"userpoold codes v1", hashlib.sha256).digest()
    mac = hmac.new(key, b"session\0" + session.encode(), hashlib.sha256)
    return "\\x" + mac.hexdigest()


def add_session(server, user, challenge="MFA_SETUP", ttl=180):
    """A challenge session of the user, as sign-in stores it; its text."""
    session = secrets.token_urlsafe(48)
    server.psql(
        "INSERT INTO auth_sessions (session_hash, pool_id, client_id, sub, "
        "challenge, data, expires_at) VALUES ('%s'::bytea, '%s', '%s', "
        "'%s', '%s', '{\"k\": 1}', extract(epoch FROM now()) + %d)"
        % (session_digest(server, session), user.pool_id, user.client_id,
           user.sub, challenge, ttl))
    return session


def sessions(server, user):
    return server.psql(
        "SELECT challenge, data, expires_at, client_id FROM auth_sessions "
        "WHERE pool_id = '%s' AND sub = '%s'" % (user.pool_id, user.sub))


def test_setup_with_a_session(server, idp, user):
    s1 = add_session(server, user)
    [(_, _, expires, _)] = sessions(server, user)
    r = idp.associate_software_token(Session=s1)
    secret, s2 = r["SecretCode"], r["Session"]
    assert BASE32.match(secret) and s2 != s1
    # The old session is gone, the new one is the same challenge.
    assert sessions(server, user) == [["MFA_SETUP", '{"k": 1}', expires,
                                       user.client_id]]
    assert raises(idp.associate_software_token, Session=s1) == (
        "NotAuthorizedException", BAD_SESSION)
    code = totp(secret)
    # A wrong code changes nothing: the session still works.
    assert raises(idp.verify_software_token, Session=s2,
                  UserCode=wrong(code)) == (
        "EnableSoftwareTokenMFAException", MISMATCH)
    r = idp.verify_software_token(Session=s2, UserCode=code,
                                  FriendlyDeviceName="Phone")
    assert r["Status"] == "SUCCESS"
    s3 = r["Session"]
    assert s3 not in (s1, s2)
    [(challenge, data, exp3, _)] = sessions(server, user)
    assert challenge == "MFA_SETUP" and exp3 == expires
    assert json.loads(data) == {"k": 1, "totp_verified": True}
    # Set up during sign-in: TOTP is on and preferred.
    mfa, verified, pending, _ = user.row()
    assert mfa == {"totp": True, "totp_name": "Phone",
                   "preferred": "SOFTWARE_TOKEN_MFA"}
    assert verified is not None and pending is None
    for s in (s1, s2):
        assert raises(idp.verify_software_token, Session=s,
                      UserCode=code) == ("NotAuthorizedException",
                                         BAD_SESSION)


def test_sessions_refused(server, idp, user):
    for s in (add_session(server, user, ttl=-1),
              add_session(server, user, challenge="NEW_PASSWORD_REQUIRED"),
              secrets.token_urlsafe(48)):
        assert raises(idp.associate_software_token, Session=s) == (
            "NotAuthorizedException", BAD_SESSION)
        assert raises(idp.verify_software_token, Session=s,
                      UserCode="123456") == ("NotAuthorizedException",
                                             BAD_SESSION)
    # Nothing was written for the user.
    assert user.row()[1:3] == (None, None)
